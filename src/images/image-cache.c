/* SPDX-License-Identifier: Apache-2.0 */
/* image-cache.c: the facts about base images (see image-cache.h): which
 * bases the instances need, their image ids and Glance status, every
 * host's copy, and the choice of a source for each missing copy. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "images/image-cache-int.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/sha1.h"

bool
ne_base_name_ok(const char *name)
{
    return name && *name && name[0] != '.' && !strchr(name, '/') &&
           !str_suffix(name, NE_PART_SUFFIX) && strlen(name) < 256;
}

size_t
ne_sample_ranges(uint64_t length, struct ne_range *r, size_t n, uint64_t len)
{
    size_t i, k = 0;

    if (length == 0 || n == 0) return 0;
    if (length <= n * len) {
        r[0] = (struct ne_range){0, length};
        return 1;
    }
    for (i = 0; i < n; i++) {
        /* Evenly spread, 4 KiB aligned, the last one ending at the end. */
        uint64_t off = i == n - 1 ? length - len : (length - len) / (n - 1) * i / 4096 * 4096;
        r[k++] = (struct ne_range){off, len};
    }
    return k;
}

static bool
copy_usable(const struct ne_base *b, const struct ne_base_copy *c)
{
    return c->st.exists && c->same == 1 && b->ref && c->st.length == b->ref->st.length;
}

enum ne_src_kind
ne_base_choose(const struct ne_base *b, size_t k, const char *drained, const unsigned *load,
               bool glance_dl, const char **host)
{
    const char *dest = b->dests[k].host;
    long best = -1;
    size_t i;

    *host = NULL;
    for (i = 0; i < b->ncopies; i++) {
        const struct ne_base_copy *c = &b->copies[i];
        if (str_eq(c->host, dest) || str_eq(c->host, drained) || !copy_usable(b, c)) continue;
        if (best < 0 || (load && load[i] < load[best])) best = (long)i;
    }
    if (best >= 0) {
        *host = b->copies[best].host;
        return NE_SRC_HOST;
    }
    if (glance_dl && b->image_id && b->gl.state == NE_GL_ACTIVE) return NE_SRC_GLANCE;
    for (i = 0; i < b->ncopies; i++)
        if (str_eq(b->copies[i].host, drained) && copy_usable(b, &b->copies[i])) {
            *host = b->copies[i].host;
            return NE_SRC_HOST;
        }
    return NE_SRC_NONE;
}

const char *
ne_glance_state_name(const struct ne_image_facts *f)
{
    switch (f->state) {
    case NE_GL_UNKNOWN: return "unknown";
    case NE_GL_ACTIVE: return "active";
    case NE_GL_DELETED: return "deleted";
    case NE_GL_MISSING: return "missing";
    case NE_GL_OTHER: return f->status[0] ? f->status : "other";
    }
    return "?";
}

const char *
ne_dest_state_name(enum ne_dest_state s)
{
    static const char *const n[] = {"unknown", "present", "missing", "conflict",
                                    "staged", "failed", "no-source"};
    return s <= NE_DEST_NOSOURCE ? n[s] : "?";
}

const char *
ne_src_kind_name(enum ne_src_kind k)
{
    static const char *const n[] = {"none", "host", "glance", "rbd"};
    return k <= NE_SRC_RBD ? n[k] : "?";
}

/* ---- collecting */

static struct ne_base *
base_get(struct ne_stage_report *r, const char *base_dir, const char *name)
{
    struct ne_base *b;
    size_t i, cap = r->nbases;

    for (i = 0; i < r->nbases; i++)
        if (str_eq(r->bases[i].name, name)) return &r->bases[i];
    xgrow(&r->bases, &cap, r->nbases + 1, sizeof *r->bases);
    b = &r->bases[r->nbases++];
    memset(b, 0, sizeof *b);
    b->name = xstrdup(name);
    b->path = xasprintf("%s/%s", base_dir, name);
    /* <sha1> or Nova's resized <sha1>_<size> */
    if (strlen(name) >= 40 && (name[40] == '\0' || name[40] == '_')) {
        memcpy(b->sha1, name, 40);
        b->sha1[40] = '\0';
        if (!is_hex(b->sha1, 40)) b->sha1[0] = '\0';
    }
    b->gl.size = b->gl.virtual_size = -1;
    return b;
}

static void
base_set_id(struct ne_base *b, const char *id, const char *from)
{
    char hex[41];

    if (b->image_id || !id || !*id || !b->sha1[0]) return;
    sha1_hex(id, hex);
    if (strcmp(hex, b->sha1) != 0) return;
    b->image_id = xstrdup(id);
    b->id_from = from;
}

static void
add_domain(struct ic_run *ic, const struct ne_domain *d, const char *meta_id)
{
    size_t i, n = strlen(ic->base_dir);

    for (i = 0; i < d->ndisks; i++) {
        const struct ne_disk *k = &d->disks[i];
        struct ne_base *b;
        if (!ne_disk_is_local(k) || !k->backing || strncmp(k->backing, ic->base_dir, n) != 0 ||
            k->backing[n] != '/' || !ne_base_name_ok(k->backing + n + 1))
            continue;
        b = base_get(ic->r, ic->base_dir, k->backing + n + 1);
        if (!b->ninstances || !str_eq(b->uuids[b->ninstances - 1], d->uuid)) {
            b->instances = xrealloc(b->instances, (b->ninstances + 1) * sizeof *b->instances);
            b->uuids = xrealloc(b->uuids, (b->ninstances + 1) * sizeof *b->uuids);
            b->instances[b->ninstances] = xstrdup(d->name);
            b->uuids[b->ninstances++] = xstrdup(d->uuid);
        }
        base_set_id(b, meta_id, "domain metadata");
    }
}

/* Does --base X select b?  X: file name, SHA-1, or an image id. */
static bool
selected(const struct ne_stage_opts *o, const struct ne_base *b)
{
    size_t i;
    char hex[41];

    if (!o->nonly) return true;
    for (i = 0; i < o->nonly; i++) {
        sha1_hex(o->only[i], hex);
        if (str_eq(o->only[i], b->name) || str_eq(o->only[i], b->sha1) ||
            (b->sha1[0] && str_eq(hex, b->sha1)))
            return true;
    }
    return false;
}

/* --base entries no instance uses: staged as asked. */
static void
add_only(struct ic_run *ic)
{
    size_t i;

    for (i = 0; i < ic->o->nonly; i++) {
        const char *x = ic->o->only[i];
        char hex[41];
        bool is_sha = strlen(x) == 40 && is_hex(x, 40);
        struct ne_base *b;
        sha1_hex(x, hex);
        if (!ne_base_name_ok(x)) continue;
        /* an image id unless it names a base or file itself */
        b = base_get(ic->r, ic->base_dir, is_sha || strchr(x, '_') ? x : hex);
        if (!is_sha && !strchr(x, '_')) base_set_id(b, x, "command line");
    }
}

static void
drop_unselected(struct ic_run *ic)
{
    struct ne_stage_report *r = ic->r;
    size_t i, k = 0;

    for (i = 0; i < r->nbases; i++) {
        if (selected(ic->o, &r->bases[i]))
            r->bases[k++] = r->bases[i];
        else
            ne_base_clear_one(&r->bases[i]);
    }
    r->nbases = k;
}

int
ic_collect(struct ic_run *ic, const struct ne_domain *const *doms, size_t n)
{
    struct ne_virt *v = ic->hosts[0].v;
    struct ne_domain **all = NULL;
    size_t i, nall = 0;

    if (!doms) {
        if (virt_list_domains(v, &all, &nall) < 0) return -1;
        doms = (const struct ne_domain *const *)all;
        n = nall;
    }
    for (i = 0; i < n; i++) {
        CLEANUP_FREE char *xml = NULL;
        CLEANUP_FREE char *meta = NULL;
        /* undefined since it was listed (deleted in Nova during a drain,
         * say): its disks as listed still name their bases; not an error
         * here, the move that follows says what became of it */
        if (virt_domain_state(v, doms[i]->uuid, NULL, NULL) == 0)
            ne_info("%s (%s): no longer defined on %s; its bases are taken from its disks as "
                    "listed", doms[i]->name, doms[i]->uuid, virt_host(v));
        else if ((xml = virt_domain_xml(v, doms[i]->uuid, false)))
            meta = ne_nova_meta_image(xml);
        add_domain(ic, doms[i], meta);
    }
    if (all) ne_domains_free(all, nall);
    add_only(ic);
    drop_unselected(ic);
    return 0;
}

/* ---- image ids and Glance */

static void
ids_from_instances(struct ic_run *ic, const struct ne_image_source *s)
{
    size_t i, j;

    for (i = 0; i < ic->r->nbases; i++) {
        struct ne_base *b = &ic->r->bases[i];
        for (j = 0; j < b->ninstances && b->sha1[0] && !b->image_id; j++) {
            char *id = NULL;
            if (s->instance_image(s->ctx, b->uuids[j], &id) == 1) base_set_id(b, id, s->name);
            free(id);
        }
    }
}

static void
ids_by_sha1(struct ic_run *ic, const struct ne_image_source *s)
{
    struct ne_stage_report *r = ic->r;
    const char **sha = xcalloc(r->nbases + 1, sizeof *sha);
    char **ids = xcalloc(r->nbases + 1, sizeof *ids);
    size_t i, n = 0;

    for (i = 0; i < r->nbases; i++)
        if (r->bases[i].sha1[0] && !r->bases[i].image_id) sha[n++] = r->bases[i].sha1;
    if (n && s->find_sha1(s->ctx, sha, n, ids) == 0) {
        for (i = 0, n = 0; i < r->nbases; i++) {
            struct ne_base *b = &r->bases[i];
            if (!b->sha1[0] || b->image_id) continue;
            base_set_id(b, ids[n], s->name);
            free(ids[n++]);
        }
    }
    free(sha);
    free(ids);
}

void
ic_identify(struct ic_run *ic)
{
    size_t i, j;
    bool searched = false;

    for (j = 0; j < ic->o->nsrcs; j++) {
        const struct ne_image_source *s = &ic->o->srcs[j];
        if (s->instance_image) ids_from_instances(ic, s);
    }
    for (j = 0; j < ic->o->nsrcs; j++) {
        const struct ne_image_source *s = &ic->o->srcs[j];
        if (s->find_sha1) {
            ids_by_sha1(ic, s);
            searched = true;
        }
    }
    for (i = 0; i < ic->r->nbases; i++) {
        struct ne_base *b = &ic->r->bases[i];
        if (!b->sha1[0]) continue;
        if (!b->image_id) {
            b->gl.state = searched ? NE_GL_MISSING : NE_GL_UNKNOWN;
            continue;
        }
        for (j = 0; j < ic->o->nsrcs; j++) {
            const struct ne_image_source *s = &ic->o->srcs[j];
            if (s->facts && s->facts(s->ctx, b->image_id, &b->gl) == 0) break;
        }
    }
}

bool
ic_glance_dl(const struct ic_run *ic)
{
    size_t j;

    for (j = 0; j < ic->o->nsrcs; j++)
        if (ic->o->srcs[j].download) return true;
    return false;
}

void
ne_base_clear_one(struct ne_base *b)
{
    size_t i;

    for (i = 0; i < b->ninstances; i++) {
        free(b->instances[i]);
        free(b->uuids[i]);
    }
    free(b->instances);
    free(b->uuids);
    free(b->copies);
    free(b->dests);
    free(b->name);
    free(b->path);
    free(b->image_id);
    memset(b, 0, sizeof *b);
}

void
ne_stage_report_clear(struct ne_stage_report *r)
{
    size_t i;

    for (i = 0; i < r->nbases; i++) ne_base_clear_one(&r->bases[i]);
    free(r->bases);
    for (i = 0; i < r->nhosts; i++) free(r->hosts[i]);
    free(r->hosts);
    free(r->cleaners);
    memset(r, 0, sizeof *r);
}
