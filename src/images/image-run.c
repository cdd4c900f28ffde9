/* SPDX-License-Identifier: Apache-2.0 */
/* image-run.c: ne_stage_bases() and ne_stage_for_domain() (image-cache.h):
 * one run tying the steps together, in order: hosts opened, bases
 * collected and identified (image-cache.c), probed and sources chosen
 * (image-probe.c), Nova's cleaner read (image-guard.c), copies made
 * (image-stage.c), present bases touched, the report counted. */
#include <config.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "images/image-cache-int.h"
#include "util/exitcode.h"
#include "util/log.h"
#include "util/mem.h"

/* Adds host name (v: an open connection, NULL: opened by open_peers). */
static void
add_host(struct ic_run *ic, const char *name, struct ne_virt *v)
{
    struct ne_stage_report *r = ic->r;
    size_t i, cap = ic->nhosts, rcap = r->nhosts;

    for (i = 0; i < ic->nhosts; i++)
        if (str_eq(ic->hosts[i].name, name)) return;
    xgrow(&ic->hosts, &cap, ic->nhosts + 1, sizeof *ic->hosts);
    xgrow(&r->hosts, &rcap, r->nhosts + 1, sizeof *r->hosts);
    r->hosts[r->nhosts] = xstrdup(name);
    ic->hosts[ic->nhosts].name = r->hosts[r->nhosts++];
    ic->hosts[ic->nhosts].owned = !v;
    ic->hosts[ic->nhosts].v = v;
    ic->nhosts++;
}

struct opener {
    const struct ne_config *cfg;
    struct ic_host *h;
    pthread_t t;
    bool started;
};

static void *
open_one(void *arg)
{
    struct opener *o = arg;

    o->h->v = virt_open(o->cfg, o->h->name);
    return NULL;
}

/* Connects to the other nodes at once: a dead one costs one connect
 * timeout, not one per node. */
static void
open_peers(struct ic_run *ic)
{
    struct opener *op = xcalloc(ic->nhosts + 1, sizeof *op);
    size_t i;

    for (i = 0; i < ic->nhosts; i++) {
        if (!ic->hosts[i].owned) continue;
        op[i] = (struct opener){ic->cfg, &ic->hosts[i], 0, false};
        op[i].started = pthread_create(&op[i].t, NULL, open_one, &op[i]) == 0;
        if (!op[i].started) open_one(&op[i]);
    }
    for (i = 0; i < ic->nhosts; i++) {
        if (op[i].started) pthread_join(op[i].t, NULL);
        if (ic->hosts[i].owned && !ic->hosts[i].v)
            ne_warn("images: %s is not reachable: not used as a source", ic->hosts[i].name);
    }
    free(op);
}

static void
count(struct ne_stage_report *r)
{
    size_t i, k;

    for (i = 0; i < r->nbases; i++)
        for (k = 0; k < r->bases[i].ndests; k++) {
            const struct ne_base_dest *d = &r->bases[i].dests[k];
            r->present += d->state == NE_DEST_PRESENT;
            r->staged += d->state == NE_DEST_STAGED;
            r->missing += d->state == NE_DEST_MISSING;
            r->conflicts += d->state == NE_DEST_CONFLICT;
            r->failed += d->state == NE_DEST_FAILED || d->state == NE_DEST_UNKNOWN;
            r->nosource += d->state == NE_DEST_NOSOURCE;
            r->touched += d->touched;
            r->bytes += d->bytes;
        }
}

static int
exit_code(const struct ic_run *ic)
{
    const struct ne_stage_report *r = ic->r;

    if (r->conflicts) return NE_EXIT_REFUSED;
    if (ic->unreachable) return NE_EXIT_UNREACHABLE;
    if (r->failed || r->nosource || r->missing) return NE_EXIT_PARTIAL;
    return NE_EXIT_OK;
}


int
ne_stage_bases(struct ne_virt *src, struct ne_virt *const *dsts, size_t ndst,
               const struct ne_domain *const *doms, size_t ndoms, const struct ne_stage_opts *o,
               struct ne_stage_report *out)
{
    struct ic_run ic = {.o = o, .cfg = virt_config(src), .r = out};
    const char **nodes;
    size_t i, nn;
    double t0 = ne_now();
    int rc;

    memset(out, 0, sizeof *out);
    ic.base_dir = xasprintf("%s/_base", ic.cfg->instances_path);
    add_host(&ic, virt_host(src), src);
    for (i = 0; i < ndst; i++) add_host(&ic, virt_host(dsts[i]), dsts[i]);
    ic.ndst = out->ndests = ic.nhosts - 1;
    nn = ne_config_nodes(ic.cfg, &nodes);
    for (i = 0; i < nn; i++) add_host(&ic, nodes[i], NULL);
    open_peers(&ic);
    free(nodes);
    if (ic_collect(&ic, doms, ndoms) < 0) {
        rc = NE_EXIT_UNREACHABLE;
        goto out;
    }
    ic_identify(&ic);
    if (ic_probe(&ic) < 0) ic.unreachable = true;
    ic_choose(&ic);
    if (o->no_nova_conf) {
        out->cleaners = xcalloc(ic.ndst + 1, sizeof *out->cleaners);
        for (i = 0; i < ic.ndst; i++) out->cleaners[i].host = ic.hosts[i + 1].name;
    } else {
        ic_guard(&ic);
    }
    if (o->stage) {
        ic_stage(&ic);
        if (!o->no_touch) ic_touch(&ic);
    }
    count(out);
    rc = exit_code(&ic);
out:
    out->seconds = ne_now() - t0;
    for (i = 0; i < ic.nhosts; i++)
        if (ic.hosts[i].owned) virt_close(ic.hosts[i].v);
    free(ic.hosts);
    free(ic.base_dir);
    return rc;
}

int
ne_stage_for_domain(struct ne_virt *src, struct ne_virt *dst, const struct ne_domain *d)
{
    /* The migration follows at once: Nova's cleaner has no time to matter. */
    struct ne_stage_opts o = {.stage = true, .parallel = 1, .progress = true,
                              .no_nova_conf = true};
    struct ne_stage_report r;
    int rc = ne_stage_bases(src, &dst, 1, &d, 1, &o, &r);

    if (r.nbases)
        ne_info("%s (%s): base images on %s: %u already there, %u staged (%s)", d->name, d->uuid,
                virt_host(dst), r.present, r.staged, rc == 0 ? "ok" : "not all");
    ne_stage_report_clear(&r);
    return rc;
}
