/* SPDX-License-Identifier: Apache-2.0 */
/* cmd-images.c: `nova-evac images HOST [--to HOST...] [--stage]`: the base
 * images HOST's instances need, their image and Glance status, which
 * destinations have them, where a missing one would come from; --stage
 * copies them (imagecache.h). */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cmd/cmd.h"
#include "images/image-cache.h"
#include "images/image-source.h"
#include "imgcopy/imgcopy.h"
#include "cmd/osargs.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/table.h"

static const struct ne_opt opts[] = {
    {"to", 't', OPT_LIST, "HOST", "destination host(s) (default: every configured node but HOST)",
     NULL, NULL, NULL},
    {"stage", 's', OPT_FLAG, NULL, "copy the missing bases to the destinations", NULL, NULL, NULL},
    {"dry-run", 'n', OPT_FLAG, NULL, "show what --stage would copy and from where; copy nothing",
     NULL, NULL, NULL},
    {"parallel", 'p', OPT_UINT, "N", "copies at once (default 2)", NULL, NULL, NULL},
    {"base", 'b', OPT_LIST, "ID", "only these bases: SHA-1, Glance image id or file name under "
     "_base (also one no instance uses)", NULL, NULL, NULL},
    {"verify", 0, OPT_FLAG, NULL, "compare every copy's full SHA-256 with the source's (default: "
     "length and a sampled hash)", NULL, NULL, NULL},
    {"no-touch", 0, OPT_FLAG, NULL, "with --stage: do not refresh the mtime of bases already "
     "present", NULL, NULL, NULL},
    {"drain-time", 0, OPT_UINT, "SECONDS", "planned drain length, checked against Nova's image "
     "cache cleaner on the destinations (default 86400)", NULL, NULL, NULL},
    {"nova-conf", 0, OPT_STRING, "FILE", "a local nova.conf standing for every destination's "
     "(default: read through libvirt on each node)", NULL, NULL, NULL},
    {"no-openstack", 0, OPT_FLAG, NULL, "ask neither the Nova/Glance APIs nor the database",
     NULL, NULL, NULL},
    {"to-glance", 0, OPT_STRING, "REGION", "give each base back to Glance in REGION as an image "
     "with its image's properties (the image was deleted, or is needed elsewhere)", NULL, NULL,
     NULL},
    {"force", 0, OPT_FLAG, NULL, "with --to-glance: copy even when REGION already has a copy of "
     "the image", NULL, "to-glance", NULL},
    NE_DB_OPTS,
    {"glance-schema", 0, OPT_STRING, "NAME", "Glance's database on the same server (default "
     "glance; none = skip)", NULL, NULL, NULL},
    NE_OS_OPTS,
    OPT_END,
};

/* What Nova and Glance can tell, each optional. */
struct sources {
    struct ne_db *db;
    struct ne_os *os;
    struct ne_nova *nv;
    struct ne_glance *g;
    struct ne_image_source s[2];
    size_t n;
};

static void
open_db(struct sources *S, const struct ne_config *cfg, const struct ne_args *args)
{
    const char *schema = ne_args_str(args, "glance-schema");
    bool glance;

    if (ne_db_from_args(args, cfg, &S->db) == NE_EXIT_USAGE) return;
    if (!S->db) {
        ne_warn("images: continuing without the Nova database");
        return;
    }
    if (!schema) schema = "glance";
    glance = !str_eq(schema, "none") && novadb_set_schema(S->db, "glance", schema) == 0;
    ne_imgsrc_db(S->db, glance, &S->s[S->n++]);
}

static void
open_api(struct sources *S, const struct ne_args *args)
{
    enum ne_os_err kind;

    if (ne_os_from_args(args, &S->os) != NE_EXIT_OK) {
        ne_warn("images: continuing without the Nova and Glance APIs");
        S->os = NULL;
        return;
    }
    S->nv = nova_open(S->os, &kind);
    S->g = glance_open(S->os, &kind);
    if (S->nv || S->g) ne_imgsrc_api(S->os, S->nv, S->g, &S->s[S->n++]);
}

static void
open_sources(struct sources *S, const struct ne_config *cfg, const struct ne_args *args)
{
    memset(S, 0, sizeof *S);
    if (ne_args_flag(args, "no-openstack")) return;
    /* The API first: it alone can download, and its image show is current. */
    if (ne_args_str(args, "os-cloud") || getenv("OS_CLOUD") || getenv("OS_AUTH_URL"))
        open_api(S, args);
    if (ne_db_configured(args, cfg)) open_db(S, cfg, args);
}

static void
close_sources(struct sources *S)
{
    size_t i;

    for (i = 0; i < S->n; i++) ne_imgsrc_free(&S->s[i]);
    if (S->g) glance_close(S->g);
    if (S->nv) nova_close(S->nv);
    if (S->os) ne_os_close(S->os);
    if (S->db) novadb_close(S->db);
}

/* ---- output */

static const char *
source_text(const struct ne_base_dest *d, char *buf, size_t len)
{
    if (d->src == NE_SRC_HOST) return d->src_host;
    if (d->src == NE_SRC_NONE) return NULL;
    snprintf(buf, len, "%s", ne_src_kind_name(d->src));
    return buf;
}

/* Hosts with a copy that matches the reference, "node01,node02". */
static char *
have_list(const struct ne_base *b)
{
    char *s = xstrdup("");
    size_t i;

    for (i = 0; i < b->ncopies; i++) {
        char *t;
        if (!b->copies[i].st.exists || b->copies[i].same != 1) continue;
        t = xasprintf("%s%s%s", s, *s ? "," : "", b->copies[i].host);
        free(s);
        s = t;
    }
    return s;
}

static json_t *
dest_json(const struct ne_base_dest *d)
{
    return json_pack("{s:s, s:s, s:s, s:s?, s:I, s:f, s:f, s:f, s:b, s:b, s:b, s:s?}", "host",
                     d->host, "state", ne_dest_state_name(d->state), "source",
                     ne_src_kind_name(d->src), "source_host", d->src_host, "bytes",
                     (json_int_t)d->bytes, "seconds", d->seconds, "stream_seconds",
                     d->stream_seconds, "clone_seconds",
                     d->clone_seconds, "touched", d->touched, "reflink", d->reflinked,
                     "verified", d->verified, "why", d->why[0] ? d->why : NULL);
}

static json_t *
base_json(const struct ne_base *b)
{
    json_t *inst = json_array(), *copies = json_array(), *dests = json_array();
    size_t i;

    for (i = 0; i < b->ninstances; i++)
        json_array_append_new(inst, json_pack("{s:s, s:s}", "name", b->instances[i], "uuid",
                                              b->uuids[i]));
    for (i = 0; i < b->ncopies; i++) {
        const struct ne_base_copy *c = &b->copies[i];
        if (!c->asked) continue;
        json_array_append_new(copies, json_pack(
            "{s:s, s:b, s:I, s:I, s:s, s:I, s:o}", "host", c->host, "present", c->st.exists,
            "length", (json_int_t)c->st.length, "allocation", (json_int_t)c->st.allocation,
            "format", c->st.format, "mtime", (json_int_t)c->st.mtime, "same",
            c->same < 0 ? json_null() : json_boolean(c->same)));
    }
    for (i = 0; i < b->ndests; i++) json_array_append_new(dests, dest_json(&b->dests[i]));
    return json_pack("{s:s, s:s, s:s?, s:s?, s:s?, s:{s:s, s:s?, s:I, s:I}, s:I, s:s?, s:o, "
                     "s:o, s:o}",
                     "name", b->name, "path", b->path, "sha1", b->sha1[0] ? b->sha1 : NULL,
                     "image_id", b->image_id, "image_id_from", b->id_from, "glance", "status",
                     ne_glance_state_name(&b->gl), "disk_format",
                     b->gl.disk_format[0] ? b->gl.disk_format : NULL, "size",
                     (json_int_t)b->gl.size, "virtual_size", (json_int_t)b->gl.virtual_size,
                     "length", (json_int_t)(b->ref ? b->ref->st.length : 0), "sha256",
                     b->sha256[0] ? b->sha256 : NULL, "instances", inst, "copies", copies,
                     "destinations", dests);
}

static json_t *
cleaner_json(const struct ne_cleaner *c)
{
    return json_pack("{s:s, s:b, s:s, s:b, s:I, s:I, s:I, s:b, s:s?}", "host", c->host, "known",
                     c->known, "origin", c->origin, "remove_unused_base_images",
                     c->remove_unused, "original_minimum_age", (json_int_t)c->original_min_age,
                     "resized_minimum_age", (json_int_t)c->resized_min_age, "manager_interval",
                     (json_int_t)c->interval, "risky", c->risky, "advice",
                     c->advice[0] ? c->advice : NULL);
}

static void
print_json(const struct ne_stage_report *r, bool stage, int rc)
{
    json_t *bases = json_array(), *dests = json_array(), *cl = json_array();
    size_t i;

    for (i = 0; i < r->nbases; i++) json_array_append_new(bases, base_json(&r->bases[i]));
    for (i = 0; i < r->ndests; i++) {
        json_array_append_new(dests, json_string(r->hosts[i + 1]));
        json_array_append_new(cl, cleaner_json(&r->cleaners[i]));
    }
    ne_json_print(json_pack("{s:s, s:o, s:b, s:o, s:o, s:{s:i, s:i, s:i, s:i, s:i, s:i, s:i, "
                            "s:I, s:f}, s:i}",
                            "host", r->hosts[0], "destinations", dests, "stage", stage, "bases",
                            bases, "nova_image_cache", cl, "summary", "present", r->present,
                            "staged", r->staged, "missing", r->missing, "conflicts",
                            r->conflicts, "failed", r->failed, "no_source", r->nosource,
                            "touched", r->touched, "bytes", (json_int_t)r->bytes, "seconds",
                            r->seconds, "exit", rc),
                  stdout);
}

static void
print_table(const struct ne_stage_report *r)
{
    static const char *const hdr[] = {"BASE", "IMAGE", "GLANCE", "SIZE", "USED", "HAVE",
                                      "DEST", "STATE", "SOURCE", NULL};
    struct ne_table *t = table_new(hdr);
    char a[16], b[16];
    size_t i, k;

    for (i = 0; i < r->nbases; i++) {
        const struct ne_base *x = &r->bases[i];
        CLEANUP_FREE char *have = have_list(x);
        char used[16], name[16], src[16];
        snprintf(name, sizeof name, "%.12s", x->name);
        snprintf(used, sizeof used, "%zu", x->ninstances);
        fmt_bytes(x->ref ? x->ref->st.length : 0, a, sizeof a);
        for (k = 0; k < x->ndests; k++) {
            const struct ne_base_dest *d = &x->dests[k];
            const char *row[] = {k ? "" : name, k ? "" : x->image_id,
                                 k ? "" : ne_glance_state_name(&x->gl), k ? "" : x->ref ? a : NULL,
                                 k ? "" : used, k ? "" : *have ? have : NULL, d->host,
                                 ne_dest_state_name(d->state), source_text(d, src, sizeof src)};
            table_add(t, row);
        }
    }
    table_print(t, stdout);
    table_free(t);
    printf("%zu base%s for %s's instances: %u present, %u staged, %u missing, %u conflict%s, "
           "%u failed, %u without source; %s copied in %.1f s\n",
           r->nbases, r->nbases == 1 ? "" : "s", r->hosts[0], r->present, r->staged, r->missing,
           r->conflicts, r->conflicts == 1 ? "" : "s", r->failed, r->nosource,
           fmt_bytes(r->bytes, b, sizeof b), r->seconds);
    for (k = 0; k < r->ndests; k++) {
        const struct ne_cleaner *c = &r->cleaners[k];
        if (!c->known)
            printf("%s: nova.conf not read (%s)\n", c->host, c->origin);
        else
            printf("%s: Nova removes unused bases: %s (minimum age %lld s, every %lld s)%s\n",
                   c->host, c->remove_unused && c->interval != -1 ? "yes" : "no",
                   c->original_min_age, c->interval, c->risky ? ": TOO SHORT for the drain" : "");
    }
    for (i = 0; i < r->nbases; i++)
        for (k = 0; k < r->bases[i].ndests; k++)
            if (r->bases[i].dests[k].why[0] && r->bases[i].dests[k].state != NE_DEST_PRESENT)
                printf("%s on %s: %s\n", r->bases[i].name, r->bases[i].dests[k].host,
                       r->bases[i].dests[k].why);
}

/* ---- --to-glance */

static int
meta_db(void *ctx, const char *uuid, char ***keys, char ***vals, size_t *n)
{
    return ne_imgsrc_image_meta(ctx, uuid, keys, vals, n);
}

static void
print_glance_text(const struct ne_imgcopy_result *r, size_t n, const char *dest)
{
    size_t i;

    for (i = 0; i < n; i++) {
        char name[256];

        ne_escape(r[i].name ? r[i].name : "?", name, sizeof name);
        switch (r[i].status) {
        case IMGCOPY_COPIED:
            printf("%s (%s): %s copied to %s as %s: %lld bytes in %.1f s (%s), properties from "
                   "%s, checksum %s\n", name, r[i].source_id, r[i].base, dest, r[i].dest_id,
                   r[i].bytes, r[i].seconds, r[i].method, r[i].props_from, r[i].md5);
            break;
        case IMGCOPY_EXISTS:
            printf("%s (%s): already in %s as %s; not copied\n", name, r[i].source_id, dest,
                   r[i].dest_id);
            break;
        case IMGCOPY_DRY_RUN:
            printf("%s (%s): %s would be copied to %s (%lld bytes), properties from %s\n", name,
                   r[i].source_id, r[i].base, dest, r[i].bytes, r[i].props_from);
            break;
        case IMGCOPY_FAILED:
            printf("%s (%s): FAILED: %s\n", name, r[i].source_id ? r[i].source_id : "?",
                   r[i].error ? r[i].error : "see the messages above");
            break;
        }
        if (r[i].note) printf("%s (%s): %s\n", name, r[i].source_id, r[i].note);
    }
}

/* images HOST --to-glance REGION: an exit code. */
static int
to_glance(struct ne_ctx *ctx, const struct ne_args *args, struct ne_config *cfg, const char *host)
{
    const char *region = ne_args_str(args, "to-glance");
    struct ne_cloud_args da = {
        .cloud = ne_args_str(args, "os-cloud"),
        .region = region,
        .interface = ne_args_str(args, "os-interface"),
        .cacert = ne_args_str(args, "os-cacert"),
        .insecure = ne_args_flag(args, "insecure"),
    };
    struct ne_stage_opts so = {.no_nova_conf = true};
    struct ne_imgcopy_opts o = {.force = ne_args_flag(args, "force"),
                                .dry_run = ne_args_flag(args, "dry-run"),
                                .progress = !ctx->quiet && isatty(STDERR_FILENO)};
    struct ne_imgcopy_base *b = NULL;
    struct ne_imgcopy_result *res = NULL;
    struct ne_stage_report r = {0};
    struct ne_os *dos = NULL;
    struct ne_glance *dg = NULL;
    struct ne_virt *src = NULL;
    CLEANUP_FREE char *label = NULL;
    const struct ne_cloud *c;
    enum ne_os_err kind;
    struct sources S;
    struct rusage ru;
    size_t i, n = 0;
    int rc;

    i = 0;
    ne_args_list(args, "to", &i);
    if (ne_args_flag(args, "stage") || i) {
        ne_error("images %s: --to-glance gives bases to Glance; --to and --stage stage them on "
                 "hosts: give one or the other", host);
        return NE_EXIT_USAGE;
    }
    if (ne_args_flag(args, "no-openstack")) {
        ne_error("images %s: --to-glance needs the OpenStack APIs: drop --no-openstack", host);
        return NE_EXIT_USAGE;
    }
    so.only = ne_args_list(args, "base", &so.nonly);
    open_sources(&S, cfg, args);
    if (!S.os) {
        ne_error("images %s: --to-glance %s needs OpenStack credentials (clouds.yaml with "
                 "--os-cloud, or the OS_* variables)", host, region);
        rc = NE_EXIT_USAGE;
        goto out;
    }
    c = ne_os_cloud(S.os);
    o.source_label = c->region_name ? c->region_name : c->name;
    if (str_eq(o.source_label, region)) {
        ne_error("images %s: --to-glance %s is the source region: give another region", host,
                 region);
        rc = NE_EXIT_USAGE;
        goto out;
    }
    if ((kind = ne_os_open(&da, &dos)) != NE_OS_OK || !(dg = glance_open(dos, &kind))) {
        rc = ne_os_exit(kind);
        goto out;
    }
    label = xasprintf("region %s", region);
    o.dest_label = label;
    if (!(src = virt_open(cfg, host))) {
        rc = NE_EXIT_UNREACHABLE;
        goto out;
    }
    so.srcs = S.s;
    so.nsrcs = S.n;
    rc = ne_stage_bases(src, NULL, 0, NULL, 0, &so, &r);
    if (rc == NE_EXIT_UNREACHABLE && !r.nbases) goto out;
    b = xcalloc(r.nbases + 1, sizeof *b);
    res = xcalloc(r.nbases + 1, sizeof *res);
    for (i = 0; i < r.nbases; i++) {
        const struct ne_base *x = &r.bases[i];
        const struct ne_base_copy *here = x->ncopies ? &x->copies[0] : NULL;

        if (!x->sha1[0]) continue; /* ephemeral and swap bases are no image */
        if (!x->image_id || !here || !here->st.exists) {
            res[n].source_id = x->image_id ? xstrdup(x->image_id) : NULL;
            res[n].name = xstrdup(x->name);
            res[n].base = xasprintf("%s:%s", host, x->path);
            res[n].status = IMGCOPY_FAILED;
            res[n].error = !x->image_id
                ? xasprintf("no image id is known for base %s (no instance, Nova database or "
                            "Glance names an image with that SHA-1)", x->name)
                : xasprintf("%s is not on %s (or %s could not be asked)", x->path, host, host);
            ne_error("images %s: %s", host, res[n].error);
            n++;
            continue;
        }
        b[n] = (struct ne_imgcopy_base){.image_id = x->image_id, .v = src, .path = x->path,
                                         .length = (long long)here->st.length,
                                         .format = here->st.format,
                                         .uuids = (const char *const *)x->uuids,
                                         .nuuids = x->ninstances};
        n++;
    }
    ne_interrupt_install("the copy in flight stops and its partial image is deleted; run again "
                         "to copy the rest");
    for (i = 0; i < n; i++) {
        if (res[i].status == IMGCOPY_FAILED && res[i].error) continue;
        imgcopy_bases(S.g, dg, S.db ? meta_db : NULL, S.db, host, &b[i], 1, &o, &res[i]);
    }
    rc = NE_EXIT_OK;
    for (i = 0; i < n; i++)
        if (res[i].status == IMGCOPY_FAILED) rc = NE_EXIT_PARTIAL;
    if (ne_interrupted()) rc = NE_EXIT_INTERRUPTED;
    getrusage(RUSAGE_SELF, &ru);
    if (ctx->format == NE_FORMAT_JSON) {
        json_t *a = json_array();

        for (i = 0; i < n; i++) json_array_append_new(a, imgcopy_result_json(&res[i]));
        ne_json_print(json_pack("{s:s, s:s, s:s, s:o, s:I, s:b, s:i}", "host", host, "source",
                                o.source_label, "destination", label, "images", a,
                                "peak_rss_kib", (json_int_t)ru.ru_maxrss, "dry_run", o.dry_run,
                                "exit", rc),
                      stdout);
    } else if (n) {
        print_glance_text(res, n, label);
    } else {
        printf("%s: no base image there to give to Glance%s\n", host,
               so.nonly ? " (of --base)" : "");
    }
out:
    for (i = 0; res && i < n; i++) imgcopy_result_clear(&res[i]);
    free(res);
    free(b);
    ne_stage_report_clear(&r);
    if (src) virt_close(src);
    if (dg) glance_close(dg);
    if (dos) ne_os_close(dos);
    close_sources(&S);
    return rc;
}

/* ---- the command */

static int
open_dests(const struct ne_config *cfg, const struct ne_args *args, const char *host,
           struct ne_virt ***out, size_t *n)
{
    size_t nto, i;
    const char *const *to = ne_args_list(args, "to", &nto);
    const char **nodes = NULL;

    if (!nto) nto = ne_config_nodes(cfg, &nodes), to = nodes;
    *out = xcalloc(nto + 1, sizeof **out);
    *n = 0;
    for (i = 0; i < nto; i++) {
        struct ne_virt *v;
        if (str_eq(to[i], host)) continue;
        if (ne_check_hostname(to[i]) < 0 || !(v = virt_open(cfg, to[i]))) break;
        (*out)[(*n)++] = v;
    }
    free(nodes);
    if (i < nto) return -1;
    if (!*n) ne_error("images %s: no destination (give --to HOST, or list nodes in %s)", host,
                      cfg->path);
    return *n ? 0 : -1;
}

static int
run(struct ne_ctx *ctx, const struct ne_args *args)
{
    const char *host = ne_args_pos(args, 0);
    struct ne_config *cfg = ne_ctx_config(ctx);
    struct ne_stage_opts o = {.progress = !ctx->quiet};
    struct ne_virt *src, **dsts = NULL;
    struct ne_stage_report r;
    struct sources S;
    unsigned long v;
    size_t nd = 0, i;
    int rc;

    if (!cfg || ne_check_hostname(host) < 0) return NE_EXIT_USAGE;
    if (ne_args_str(args, "to-glance")) return to_glance(ctx, args, cfg, host);
    o.stage = ne_args_flag(args, "stage") && !ne_args_flag(args, "dry-run");
    o.verify = ne_args_flag(args, "verify");
    o.no_touch = ne_args_flag(args, "no-touch");
    o.nova_conf = ne_args_str(args, "nova-conf");
    o.only = ne_args_list(args, "base", &o.nonly);
    if (ne_args_count(args, "parallel", &v) < 0) return NE_EXIT_USAGE;
    if (ne_args_count(args, "parallel", &v) == 1) o.parallel = (unsigned)v;
    if (ne_args_uint(args, "drain-time", &v)) o.drain_s = v;
    if (!(src = virt_open(cfg, host))) return NE_EXIT_UNREACHABLE;
    if (open_dests(cfg, args, host, &dsts, &nd) < 0) {
        rc = nd ? NE_EXIT_UNREACHABLE : NE_EXIT_USAGE;
        goto out;
    }
    open_sources(&S, cfg, args);
    o.srcs = S.s;
    o.nsrcs = S.n;
    if (o.stage)
        ne_interrupt_install("a partial copy left behind is removed by the next run");
    rc = ne_stage_bases(src, dsts, nd, NULL, 0, &o, &r);
    if (rc != 0 && ne_interrupted()) rc = NE_EXIT_INTERRUPTED;
    if (ctx->format == NE_FORMAT_JSON)
        print_json(&r, o.stage, rc);
    else if (r.nbases)
        print_table(&r);
    else
        printf("%s: no instance there uses a base image%s\n", host, o.nonly ? " (of --base)" : "");
    ne_stage_report_clear(&r);
    close_sources(&S);
out:
    for (i = 0; i < nd; i++) virt_close(dsts[i]);
    free(dsts);
    virt_close(src);
    return rc;
}

const struct ne_cmd cmd_images = {
    "images", "base images the instances of a host need; stage them on destinations", "HOST", 1,
    1, opts, run,
};
