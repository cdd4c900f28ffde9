/* SPDX-License-Identifier: Apache-2.0 */
/* drain.c: planning a drain (facts, methods, destinations).  Running it is
 * in drain-run.c, output in drain-report.c. */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "drain/drain-fleet.h"
#include "drain/drain-int.h"
#include "util/log.h"
#include "util/mem.h"

static bool
listed(const char *const *v, size_t n, const char *s)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (str_eq(v[i], s)) return true;
    return false;
}

/* Candidate destinations: --to, else every configured node but the source. */
static int
gather_hosts(struct ne_drain *dr)
{
    const struct ne_drain_opts *o = dr->o;
    const char **names = NULL;
    size_t n, i;

    if (o->nto) {
        names = xcalloc(o->nto + 1, sizeof *names);
        for (i = 0; i < o->nto; i++) {
            if (ne_check_hostname(o->to[i]) < 0) {
                free(names);
                return NE_EXIT_USAGE;
            }
            if (str_eq(o->to[i], o->host)) {
                ne_error("--to %s: a host cannot be its own destination", o->to[i]);
                free(names);
                return NE_EXIT_USAGE;
            }
            names[i] = o->to[i];
        }
        n = o->nto;
    } else {
        n = ne_config_nodes(dr->cfg, &names);
    }
    dr->hosts = xcalloc(n + 1, sizeof *dr->hosts);
    dr->ph = xcalloc(n + 1, sizeof *dr->ph);
    for (i = 0; i < n && dr->nhosts < NE_PLACE_MAX_HOSTS; i++) {
        if (str_eq(names[i], o->host) || listed(names, i, names[i])) continue;
        dr->hosts[dr->nhosts++].name = xstrdup(names[i]);
    }
    free(names);
    if (dr->nhosts == 0) {
        ne_error("drain %s: no destination host: give --to HOST or list nodes in %s", o->host,
                 dr->cfg->path);
        return NE_EXIT_USAGE;
    }
    return 0;
}

/* Facts of one destination: versions, free disk and RAM minus reserves.
 * Free disk: with the Nova API configured, what Nova counts (f_bavail of
 * the instances path, see nova_host_free_disk); else libvirt's storage
 * pool "available", which is f_bfree: it includes the blocks the
 * filesystem reserves for root, so it can be far more than df shows (the
 * plan says so).  The configured reserve is subtracted from either. */
static void
probe_host(struct ne_drain *dr, size_t k)
{
    struct ne_drain_host *h = &dr->hosts[k];
    struct ne_place_host *p = &dr->ph[k];
    struct ne_hostinfo hi;
    unsigned long long rd, rr, nova_disk = 0;
    uint64_t disk = 0;
    int rc;

    p->name = h->name;
    h->v = virt_open(dr->cfg, h->name);
    if (!h->v || virt_hostinfo(h->v, &hi) < 0) {
        p->unusable_why = "libvirt unreachable";
        return;
    }
    h->ver = (struct ne_versions){hi.libvirt_version, hi.hv_version};
    ne_node_reserved(dr->cfg, h->name, &rd, &rr);
    if (dr->o->nova.free_disk && dr->o->nova.free_disk(dr->o->nova.ctx, h->name, &nova_disk) == 0) {
        rc = 0;
        disk = nova_disk;
        h->disk_from = "nova";
    } else {
        rc = virt_dir_free(h->v, dr->cfg->instances_path, &disk);
        h->disk_from = "libvirt";
    }
    if (rc < 0) {
        p->unusable_why = "instances path unreadable";
    } else {
        p->usable = true;
        p->free_disk = disk > rd * 1048576ULL ? disk - rd * 1048576ULL : 0;
        p->free_ram_kib = hi.free_kib > rr * 1024ULL ? hi.free_kib - rr * 1024ULL : 0;
    }
    ne_hostinfo_clear(&hi);
}

/* Nova's view of the fleet, when the API is configured. */
static void
read_fleet(struct ne_drain *dr)
{
    const struct ne_drain_opts *o = dr->o;

    ne_nova_fleet_free(dr->fleet);
    free(dr->fleet);
    dr->fleet = NULL;
    if (!o->nova.fleet) return;
    dr->fleet = xcalloc(1, sizeof *dr->fleet);
    if (o->nova.fleet(o->nova.ctx, &o->host, 1, dr->fleet) < 0) {
        ne_warn("drain %s: Nova's view of the fleet cannot be read (above): destinations are "
                "chosen from libvirt's figures alone, without Nova's rules", o->host);
        free(dr->fleet);
        dr->fleet = NULL;
    }
}

static void
plan_item(struct ne_drain *dr, struct ne_drain_item *it, const struct ne_versions *dst,
          struct ne_virt *dv)
{
    struct ne_plan_in in = {it->d, dr->src_ver, *dst, dr->cfg, dr->o->mig.mode,
                            virt_mig_legacy(dr->src, dv)};

    ne_plan_instance(&in, &it->plan);
    it->bytes_expected = ne_domain_local_bytes(it->d, true);
    if (it->plan.method == NE_METHOD_LIVE) it->bytes_expected = 0;
    if (it->plan.method != NE_METHOD_COLD) it->bytes_expected += it->d->memory_kib * 1024;
}

/* Why host k cannot take the instance, or NULL: CPU model, or a base
 * image it lacks (unless staging is on). */
static const char *
veto(struct ne_drain *dr, const struct ne_drain_item *it, size_t k)
{
    struct ne_virt *v = dr->hosts[k].v;
    size_t i;

    if (!v) return NULL; /* unusable anyway; placement says why */
    if (virt_cpu_compatible(dr->src, v, it->d->uuid) == 0) return "CPU model not compatible";
    if (it->plan.method == NE_METHOD_LIVE || dr->o->stage_images) return NULL;
    for (i = 0; i < it->d->ndisks; i++) {
        const struct ne_disk *k2 = &it->d->disks[i];
        if (ne_disk_is_local(k2) && k2->backing && virt_file_info(v, k2->backing, NULL, NULL, NULL) == 0)
            return "base image missing there (stage it: nova-evac images)";
    }
    return NULL;
}

/* Fills the placement input of every item and places them. */
static void
place_all(struct ne_drain *dr, struct ne_place_inst *pi)
{
    size_t i, k;
    struct ne_versions any = dr->src_ver;

    for (k = 0; k < dr->nhosts; k++)
        if (dr->ph[k].usable) any = dr->hosts[k].ver;
    for (i = 0; i < dr->n; i++) {
        struct ne_drain_item *it = &dr->items[i];
        plan_item(dr, it, &any, NULL);
        pi[i].name = it->d->name;
        pi[i].ram_kib = it->d->memory_kib;
        pi[i].disk_bytes = it->plan.method == NE_METHOD_LIVE ? 0 : ne_domain_local_bytes(it->d, false);
        pi[i].needs_host = it->state == NE_ITEM_PENDING && it->plan.method != NE_METHOD_REFUSE;
        for (k = 0; k < dr->nhosts; k++)
            pi[i].veto[k] = veto(dr, it, k);
    }
    for (k = 0; k < dr->nhosts; k++) {
        dr->ph[k].planned_disk = dr->ph[k].planned_ram_kib = 0;
        dr->ph[k].planned_n = 0;
    }
    /* with Nova: its rules (enabled and up computes, AZ, server groups,
     * allocation ratios) and libvirt's word on each destination */
    if (!dr->fleet || drain_fleet_place(dr, pi) < 0) ne_place(pi, dr->n, dr->ph, dr->nhosts);
    for (i = 0; i < dr->n; i++) {
        struct ne_drain_item *it = &dr->items[i];
        if (it->state != NE_ITEM_PENDING) continue;
        it->dest = pi[i].host;
        if (it->plan.method == NE_METHOD_REFUSE) {
            snprintf(it->why, sizeof it->why, "%s", it->plan.reason);
        } else if (it->dest < 0) {
            snprintf(it->why, sizeof it->why, "no destination fits: %s", pi[i].why);
        } else {
            plan_item(dr, it, &dr->hosts[it->dest].ver, dr->hosts[it->dest].v);
        }
    }
}

int
ne_drain_plan(struct ne_drain *dr, const struct ne_config *cfg, const struct ne_drain_opts *o)
{
    struct ne_domain **doms = NULL;
    struct ne_hostinfo hi;
    struct ne_place_inst *pi;
    size_t n = 0, i;
    int rc;

    memset(dr, 0, sizeof *dr);
    dr->o = o;
    dr->cfg = cfg;
    pthread_mutex_init(&dr->lock, NULL);
    pthread_cond_init(&dr->cond, NULL);
    if (ne_check_hostname(o->host) < 0) return NE_EXIT_USAGE;
    if ((rc = gather_hosts(dr)) != 0) return rc;
    dr->src = virt_open(cfg, o->host);
    if (!dr->src) return NE_EXIT_UNREACHABLE;
    if (virt_hostinfo(dr->src, &hi) < 0 || virt_list_domains(dr->src, &doms, &n) < 0)
        return NE_EXIT_UNREACHABLE;
    dr->src_ver = (struct ne_versions){hi.libvirt_version, hi.hv_version};
    ne_hostinfo_clear(&hi);
    for (i = 0; i < dr->nhosts; i++) probe_host(dr, i);
    read_fleet(dr);
    dr->items = xcalloc(n + 1, sizeof *dr->items);
    for (i = 0; i < n; i++) {
        dr->items[i].d = doms[i];
        dr->items[i].dest = -1;
    }
    free(doms);
    dr->n = n;
    pi = xcalloc(n + 1, sizeof *pi);
    place_all(dr, pi);
    free(pi);
    /* --resume: the moves in flight are settled (or left unresolved, with
     * no destination) before the plan is shown (drain-resume.c) */
    return o->resume && !o->dry_run ? drain_open(dr) : 0;
}

void
ne_drain_free(struct ne_drain *dr)
{
    size_t i;

    for (i = 0; i < dr->n; i++) ne_domain_free(dr->items[i].d);
    free(dr->items);
    for (i = 0; i < dr->nhosts; i++) {
        virt_close(dr->hosts[i].v);
        free(dr->hosts[i].name);
    }
    free(dr->hosts);
    free(dr->ph);
    ne_nova_fleet_free(dr->fleet);
    free(dr->fleet);
    virt_close(dr->src);
    journal_close(dr->j);
    journal_replay_free(&dr->prior);
    pthread_mutex_destroy(&dr->lock);
    pthread_cond_destroy(&dr->cond);
}

int
ne_drain_disable_replan(struct ne_drain *dr)
{
    const struct ne_drain_opts *o = dr->o;
    struct ne_domain **doms = NULL;
    struct ne_place_inst *pi;
    size_t n = 0, i, added = 0;

    if (!o->nova.disable || dr->disabled) return 0;
    if (o->nova.disable(o->nova.ctx, o->host, o->reason) < 0) {
        ne_error("drain %s: cannot disable its compute service; nothing moved", o->host);
        return NE_EXIT_UNREACHABLE;
    }
    dr->disabled = true;
    /* what Nova scheduled there before the disable: built, then listed */
    if (o->nova.wait_builds) o->nova.wait_builds(o->nova.ctx, o->host);
    if (virt_list_domains(dr->src, &doms, &n) < 0) {
        ne_error("drain %s: the instance list cannot be read again after disabling; nothing "
                 "moved: run the drain again", o->host);
        return NE_EXIT_UNREACHABLE;
    }
    dr->items = xrealloc(dr->items, (dr->n + n + 1) * sizeof *dr->items);
    for (i = 0; i < n; i++) {
        struct ne_drain_item *it;
        if (drain_item_by_uuid(dr, doms[i]->uuid)) {
            ne_domain_free(doms[i]);
            continue;
        }
        it = &dr->items[dr->n++];
        memset(it, 0, sizeof *it);
        it->d = doms[i];
        it->dest = -1;
        added++;
        ne_info("drain %s: %s (%s) appeared there before the service was disabled: drained too",
                o->host, it->d->name, it->d->uuid);
    }
    free(doms);
    if (added) read_fleet(dr); /* its flavor and server group */
    pi = xcalloc(dr->n + 1, sizeof *pi);
    place_all(dr, pi);
    free(pi);
    return 0;
}
