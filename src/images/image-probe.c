/* SPDX-License-Identifier: Apache-2.0 */
/* image-probe.c: every host's copy of every base, compared with the
 * reference copy (length, sampled or full SHA-256), each destination's
 * state, and the choice of sources (image-cache-int.h). */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "images/image-cache-int.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/progress.h"

#define NSAMPLES 16
#define SAMPLE_LEN 65536

static int
probe_host(struct ic_run *ic, size_t h)
{
    struct ne_stage_report *r = ic->r;
    const char **names = xcalloc(r->nbases + 1, sizeof *names);
    struct ne_file_stat *st = xcalloc(r->nbases + 1, sizeof *st);
    size_t i;
    int rc = 0;

    for (i = 0; i < r->nbases; i++) names[i] = r->bases[i].name;
    if (ic->hosts[h].v && virt_dir_stat(ic->hosts[h].v, ic->base_dir, names, r->nbases, st) < 0)
        rc = -1;
    for (i = 0; i < r->nbases; i++) {
        struct ne_base_copy *c = &r->bases[i].copies[h];
        c->host = ic->hosts[h].name;
        c->asked = ic->hosts[h].v && rc == 0;
        c->st = st[i];
        c->same = -1;
    }
    free(names);
    free(st);
    return rc;
}

static int
sample_of(struct ne_virt *v, const struct ne_base *b, struct ne_base_copy *c)
{
    struct ne_range rg[NSAMPLES];
    size_t n = ne_sample_ranges(c->st.length, rg, NSAMPLES, SAMPLE_LEN);

    if (c->sample[0]) return 0;
    return virt_file_sha256(v, b->path, rg, n, NULL, NULL, c->sample);
}

static void
hash_progress(uint64_t done, uint64_t total, void *opaque)
{
    char a[16], t[16], text[64];

    snprintf(text, sizeof text, "%s of %s", fmt_bytes(done, a, 16), fmt_bytes(total, t, 16));
    progress_draw((const char *)opaque, total ? (double)done / (double)total : 0, text);
}

/* Full SHA-256 of b on host h (--verify). */
int
ic_full_hash(struct ic_run *ic, const struct ne_base *b, size_t h, char hex[65])
{
    CLEANUP_FREE char *label = xasprintf("sha256 %.12s on %s", b->name, ic->hosts[h].name);
    bool bar = ic->o->progress && progress_enabled();
    int rc = virt_file_sha256(ic->hosts[h].v, b->path, NULL, 0, bar ? hash_progress : NULL,
                              label, hex);

    if (bar) progress_done(label, rc == 0, rc == 0 ? hex : "failed");
    return rc;
}

/* Compares copy h of b with the reference: same (1), different (0). */
static void
compare(struct ic_run *ic, struct ne_base *b, size_t h, size_t ref)
{
    struct ne_base_copy *c = &b->copies[h], *rc = &b->copies[ref];

    if (!c->st.exists) return;
    if (h == ref || c->st.length != rc->st.length) {
        c->same = h == ref;
        return;
    }
    if (sample_of(ic->hosts[ref].v, b, rc) < 0 || sample_of(ic->hosts[h].v, b, c) < 0) return;
    c->same = strcmp(c->sample, rc->sample) == 0;
}

static void
dest_state(struct ic_run *ic, struct ne_base *b, size_t k)
{
    struct ne_base_copy *c = &b->copies[k + 1];
    struct ne_base_dest *d = &b->dests[k];
    char x[16], y[16];
    char hex[65];

    d->host = c->host;
    if (!c->asked) {
        d->state = NE_DEST_UNKNOWN;
        snprintf(d->why, sizeof d->why, "host not reachable");
    } else if (!c->st.exists) {
        d->state = NE_DEST_MISSING;
    } else if (c->same == 1 && ic->o->verify &&
               (!b->sha256[0] || ic_full_hash(ic, b, k + 1, hex) < 0)) {
        d->state = NE_DEST_UNKNOWN;
        snprintf(d->why, sizeof d->why, "could not hash it to verify it");
    } else if (c->same == 1 && ic->o->verify && strcmp(hex, b->sha256) != 0) {
        d->state = NE_DEST_CONFLICT;
        snprintf(d->why, sizeof d->why, "content differs (SHA-256 %.16s..., reference %.16s...)",
                 hex, b->sha256);
    } else if (c->same == 1) {
        d->state = NE_DEST_PRESENT;
    } else if (c->same == 0) {
        d->state = NE_DEST_CONFLICT;
        if (c->st.length != b->ref->st.length)
            snprintf(d->why, sizeof d->why, "length %s (%llu bytes), reference %s (%llu bytes)",
                     fmt_bytes(c->st.length, x, 16), (unsigned long long)c->st.length,
                     fmt_bytes(b->ref->st.length, y, 16), (unsigned long long)b->ref->st.length);
        else
            snprintf(d->why, sizeof d->why, "same length, content differs (sampled SHA-256)");
    } else {
        d->state = NE_DEST_UNKNOWN;
        snprintf(d->why, sizeof d->why, "could not compare the content");
    }
    if (d->state == NE_DEST_CONFLICT)
        ne_error("%s: %s: a different file of that name is there (%s): left alone; remove or "
                 "rename it by hand once no instance on %s uses it", d->host, b->path, d->why,
                 d->host);
}

int
ic_probe(struct ic_run *ic)
{
    struct ne_stage_report *r = ic->r;
    size_t i, h, k;
    int rc = 0;

    for (i = 0; i < r->nbases; i++) {
        r->bases[i].copies = xcalloc(ic->nhosts, sizeof *r->bases[i].copies);
        r->bases[i].ncopies = ic->nhosts;
        r->bases[i].dests = xcalloc(ic->ndst + 1, sizeof *r->bases[i].dests);
        r->bases[i].ndests = ic->ndst;
    }
    for (h = 0; h < ic->nhosts; h++)
        if (probe_host(ic, h) < 0 && h <= ic->ndst) rc = -1;
    for (i = 0; i < r->nbases; i++) {
        struct ne_base *b = &r->bases[i];
        size_t ref = 0;
        while (ref < ic->nhosts && !b->copies[ref].st.exists) ref++;
        if (ref < ic->nhosts) {
            b->ref = &b->copies[ref];
            if (ic->o->verify && ic_full_hash(ic, b, ref, b->sha256) < 0) b->sha256[0] = '\0';
            for (h = 0; h < ic->nhosts; h++) compare(ic, b, h, ref);
        }
        for (k = 0; k < ic->ndst; k++) dest_state(ic, b, k);
    }
    return rc;
}

static void
no_source_why(const struct ic_run *ic, const struct ne_base *b, struct ne_base_dest *d)
{
    const char *gl;

    if (!b->sha1[0])
        gl = "not a Glance image";
    else if (!ic_glance_dl(ic))
        gl = "Glance not configured";
    else if (!b->image_id)
        gl = "no Glance image has this SHA-1";
    else
        gl = b->gl.state == NE_GL_DELETED ? "image deleted in Glance" : "image not active in Glance";
    snprintf(d->why, sizeof d->why, "no host has a copy of the same length and content; %s", gl);
}

void
ic_choose(struct ic_run *ic)
{
    unsigned *load = xcalloc(ic->nhosts + 1, sizeof *load);
    bool gdl = ic_glance_dl(ic);
    size_t i, k, h;

    for (i = 0; i < ic->r->nbases; i++) {
        struct ne_base *b = &ic->r->bases[i];
        for (k = 0; k < b->ndests; k++) {
            struct ne_base_dest *d = &b->dests[k];
            if (d->state != NE_DEST_MISSING) continue;
            d->src = ne_base_choose(b, k, ic->hosts[0].name, load, gdl, &d->src_host);
            if (d->src == NE_SRC_NONE) {
                d->state = NE_DEST_NOSOURCE;
                no_source_why(ic, b, d);
            }
            for (h = 0; h < b->ncopies; h++)
                if (d->src == NE_SRC_HOST && b->copies[h].host == d->src_host) load[h]++;
        }
    }
    free(load);
}
