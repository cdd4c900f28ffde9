/* SPDX-License-Identifier: Apache-2.0 */
/* plan.c: see plan.h.  Rows (HACKING.md, "The decision table"):
 *  1 running, every disk shared                      -> live, no storage copy
 *  2 running, local disks, no volumes                -> live block (all local disks)
 *  3 running, local + volumes, source has migrate_disks -> live block, local disks only
 *  4 running, local + volumes, source lacks migrate_disks -> cold (never block);
 *    also any disk not local (a volume, a file on shared storage) when an
 *    end has no migration parameters (legacy API: every disk is copied)
 *  5 running, tunnelled configured + volumes         -> not block: cold
 *  6 shut off / paused / suspended / crashed         -> cold
 *  7 destination unfit (capacity, CPU) is decided by the caller (placement). */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "model/plan.h"
#include "util/mem.h"
#include "util/statedir.h"

static void
decide(struct ne_plan *p, enum ne_method m, int row, const char *fmt, ...)
{
    va_list ap;

    p->method = m;
    p->row = row;
    va_start(ap, fmt);
    vsnprintf(p->reason, sizeof p->reason, fmt, ap);
    va_end(ap);
}

static bool
is_running(const struct ne_domain *d)
{
    return d->state == NE_DOM_RUNNING || d->state == NE_DOM_BLOCKED;
}

/* Splits the disks into what a live block migration copies. */
static void
collect(const struct ne_domain *d, struct ne_plan *p, size_t *nlocal, size_t *nother)
{
    size_t i;

    *nlocal = *nother = 0;
    for (i = 0; i < d->ndisks; i++) {
        const struct ne_disk *k = &d->disks[i];
        if (k->cls == NE_DISK_SHARED_VOLUME) {
            /* an empty cdrom has no data; it is not a volume */
            if (k->source) p->has_volumes = true;
            continue;
        }
        if (!ne_disk_is_local(k)) {
            if (k->source && !k->readonly) (*nother)++; /* libvirt copies no read-only disk */
            continue;
        }
        (*nlocal)++;
        if (k->readonly) {
            if (p->nprecopy < NE_PLAN_MAX_DISKS) p->precopy[p->nprecopy++] = k;
        } else if (k->target && p->ncopy < NE_PLAN_MAX_DISKS) {
            p->copy[p->ncopy++] = k->target;
        }
    }
}

/* Optional features: on only when configured and both hosts support them. */
static void
features(const struct ne_plan_in *in, struct ne_plan *p)
{
    const struct ne_config *c = in->cfg;
    bool pc_ok = in->src.libvirt >= NE_LV_POSTCOPY && in->dst.libvirt >= NE_LV_POSTCOPY &&
                 in->src.qemu >= NE_QEMU_POSTCOPY && in->dst.qemu >= NE_QEMU_POSTCOPY;

    p->tunnelled = c->tunnelled;
    p->auto_converge = c->auto_converge;
    if (c->postcopy && !pc_ok)
        snprintf(p->warning, sizeof p->warning,
                 "post-copy configured but needs libvirt >= 1.3.3 and QEMU >= 2.5 on both hosts; "
                 "using pre-copy%s", c->auto_converge ? " with auto-converge" : "");
    p->postcopy = c->postcopy && pc_ok;
    /* Like Nova: auto-converge only when post-copy is not used. */
    if (p->postcopy) p->auto_converge = false;
    p->tls = c->tls;
}

static bool
tls_ok(const struct ne_plan_in *in)
{
    return in->src.libvirt >= NE_LV_TLS && in->dst.libvirt >= NE_LV_TLS &&
           in->src.qemu >= NE_QEMU_TLS && in->dst.qemu >= NE_QEMU_TLS;
}

static void
plan_running(const struct ne_plan_in *in, struct ne_plan *p, size_t nlocal, size_t nother)
{
    bool has_md = !in->legacy_api && in->src.libvirt >= NE_LV_MIGRATE_DISKS;

    if (nlocal == 0) {
        decide(p, NE_METHOD_LIVE, 1, "running, every disk is shared storage: live migration, "
                                     "no storage copy");
    } else if (p->has_volumes && p->tunnelled) {
        decide(p, NE_METHOD_COLD, 5, "running with local disks and attached volumes, and "
               "tunnelled migration is configured: tunnelled migration cannot select disks, "
               "so a block migration would copy the volumes; cold migration instead");
    } else if (in->legacy_api && (p->has_volumes || nother)) {
        decide(p, NE_METHOD_COLD, 4, "running with local disks and %s, but an end has no "
               "migration parameters (legacy API, no migrate_disks): a block migration would "
               "copy every disk, %s included, while in use; cold migration instead",
               p->has_volumes ? "attached volumes" : "disks on shared storage",
               p->has_volumes ? "the volumes" : "the shared ones");
    } else if (p->has_volumes && !has_md) {
        char v[32];
        snprintf(v, sizeof v, "%lu.%lu.%lu", in->src.libvirt / 1000000,
                 in->src.libvirt / 1000 % 1000, in->src.libvirt % 1000);
        decide(p, NE_METHOD_COLD, 4, "running with local disks and attached volumes, but the "
               "source libvirt %s lacks migrate_disks (needs >= 1.2.17): a block migration would "
               "copy the volumes while in use; cold migration instead", v);
    } else if (p->has_volumes) {
        decide(p, NE_METHOD_LIVE_BLOCK, 3, "running with local disks and attached volumes: live "
               "block migration copying only the local disks (migrate_disks)");
    } else {
        decide(p, NE_METHOD_LIVE_BLOCK, 2, "running with local disks and no volumes: live block "
               "migration (incremental over the base image)%s", in->legacy_api ?
               "; legacy API (no migration parameters on an end): every local disk copied" : "");
    }
}

/* Applies --mode on top of the automatic decision. */
static void
apply_mode(const struct ne_plan_in *in, struct ne_plan *p, size_t nlocal)
{
    switch (in->mode) {
    case NE_MODE_AUTO:
        break;
    case NE_MODE_COLD:
        if (p->method != NE_METHOD_COLD)
            decide(p, NE_METHOD_COLD, p->row, "cold migration requested (--mode cold)");
        break;
    case NE_MODE_LIVE:
        if (p->method != NE_METHOD_LIVE)
            decide(p, NE_METHOD_REFUSE, p->row, "--mode live refused: %s", nlocal ?
                   "the instance has local disks, which a live migration without storage copy "
                   "would lose (use --mode block or auto)" : "the instance is not running");
        break;
    case NE_MODE_BLOCK:
        if (p->method == NE_METHOD_COLD || (p->method == NE_METHOD_LIVE && nlocal == 0)) {
            char why[sizeof p->reason];
            memcpy(why, p->reason, sizeof why);
            decide(p, NE_METHOD_REFUSE, p->row, "--mode block refused: %s", why);
        }
        break;
    }
}

/* A disk this tool copies or creates must name its file plainly: a "..",
 * "." or relative path under the instances path could point outside it
 * on the destination (HACKING.md rule 7). */
static void
refuse_dotdot(const struct ne_domain *d, struct ne_plan *p)
{
    size_t i;

    for (i = 0; i < d->ndisks; i++) {
        const struct ne_disk *k = &d->disks[i];
        const char *bad = NULL;

        if (!ne_disk_is_local(k)) continue;
        if (k->source && !ne_path_clean(k->source)) bad = "its path";
        else if (k->backing && !ne_path_clean(k->backing)) bad = "its backing file's path";
        if (bad) {
            decide(p, NE_METHOD_REFUSE, p->row, "local disk %s: %s is not absolute or has '.' "
                   "or '..' components; refusing to copy or create it (fix the domain XML)",
                   k->target ? k->target : "?", bad);
            p->ncopy = p->nprecopy = 0;
            return;
        }
    }
}

void
ne_plan_instance(const struct ne_plan_in *in, struct ne_plan *p)
{
    size_t nlocal, nother;

    memset(p, 0, sizeof *p);
    p->legacy_api = in->legacy_api;
    collect(in->dom, p, &nlocal, &nother);
    features(in, p);
    if (!is_running(in->dom))
        decide(p, NE_METHOD_COLD, 6, "%s: cold migration", ne_dom_state_name(in->dom->state));
    else
        plan_running(in, p, nlocal, nother);
    apply_mode(in, p, nlocal);
    if (p->method != NE_METHOD_LIVE_BLOCK) {
        p->ncopy = 0;
        p->nprecopy = 0;
    }
    refuse_dotdot(in->dom, p);
    if (p->tls && p->method != NE_METHOD_COLD && p->method != NE_METHOD_REFUSE && !tls_ok(in))
        decide(p, NE_METHOD_REFUSE, p->row, "native TLS is configured but needs libvirt >= 4.4.0 "
               "and QEMU >= 2.11 on both hosts; refusing to migrate unencrypted (disable "
               "[migration] tls or upgrade)");
}

const char *
ne_method_name(enum ne_method m)
{
    switch (m) {
    case NE_METHOD_LIVE: return "live";
    case NE_METHOD_LIVE_BLOCK: return "live-block";
    case NE_METHOD_COLD: return "cold";
    case NE_METHOD_REFUSE: return "refuse";
    }
    return "?";
}

int
ne_mode_parse(const char *s, enum ne_mode *out)
{
    static const char *names[] = {"auto", "live", "block", "cold"};
    int i;

    for (i = 0; i < 4; i++)
        if (str_eq(s, names[i])) {
            *out = (enum ne_mode)i;
            return 0;
        }
    return -1;
}

double
ne_data_gib(uint64_t memory_kib, uint64_t disk_bytes)
{
    double gib = (double)memory_kib / (1024.0 * 1024.0) + (double)disk_bytes / (1024.0 * 1024.0 * 1024.0);
    return gib < 2.0 ? 2.0 : gib;
}

void
ne_downtime_step(const struct ne_config *cfg, double data_gib, unsigned long i,
                 unsigned long *at_s, unsigned long *ms)
{
    unsigned long steps = cfg->downtime_steps ? cfg->downtime_steps : 1;
    unsigned long base = cfg->downtime_ms / steps;
    unsigned long offset = (cfg->downtime_ms - base) / steps;

    if (i > steps) i = steps;
    *at_s = (unsigned long)((double)cfg->downtime_delay_s * data_gib * (double)i);
    *ms = base + offset * i;
}

unsigned long
ne_completion_timeout(const struct ne_config *cfg, double data_gib)
{
    return (unsigned long)((double)cfg->completion_timeout_s * data_gib);
}
