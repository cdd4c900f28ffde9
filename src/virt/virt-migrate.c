/* SPDX-License-Identifier: Apache-2.0 */
/* virt-migrate.c: see virt-migrate.h.  Part of the libvirt adapter
 * (includes libvirt headers through virt-int.h). */
#include <config.h>

#include <stdlib.h>

#include "util/log.h"
#include "util/mem.h"
#include "virt/virt-int.h"
#include "virt/virt-migrate.h"

struct ne_vmig {
    struct ne_virt *src;
    struct ne_virt *job;      /* the job's own connection to src's host (virt_job_get), or NULL */
    virDomainPtr dom;
    char *uuid, *name;
    int cb;
    ne_vmig_done_fn *done;
    void *opaque;
    virTypedParameterPtr ev;  /* the completed event's stats, while done runs */
    int nev;
    char *dest_xml;           /* sent as the destination's definition, or NULL */
    bool no_stats;            /* the source has no job statistics (ne_caps) */
};

static void
read_stats(virTypedParameterPtr p, int n, struct ne_mig_stats *st)
{
    unsigned long long v;

    if (virTypedParamsGetULLong(p, n, VIR_DOMAIN_JOB_TIME_ELAPSED, &v) == 1) st->seconds = (double)v / 1000;
    if (virTypedParamsGetULLong(p, n, VIR_DOMAIN_JOB_DOWNTIME, &v) == 1) st->downtime_ms = v;
    if (virTypedParamsGetULLong(p, n, VIR_DOMAIN_JOB_DATA_TOTAL, &v) == 1) st->data_total = v;
    if (virTypedParamsGetULLong(p, n, VIR_DOMAIN_JOB_DATA_PROCESSED, &v) == 1) st->data_processed = v;
    if (virTypedParamsGetULLong(p, n, VIR_DOMAIN_JOB_MEMORY_TOTAL, &v) == 1) st->memory_total = v;
    if (virTypedParamsGetULLong(p, n, VIR_DOMAIN_JOB_MEMORY_PROCESSED, &v) == 1) st->memory_processed = v;
    if (virTypedParamsGetULLong(p, n, VIR_DOMAIN_JOB_DISK_TOTAL, &v) == 1) st->disk_total = v;
    if (virTypedParamsGetULLong(p, n, VIR_DOMAIN_JOB_DISK_PROCESSED, &v) == 1) st->disk_processed = v;
    st->have_job_stats = true;
}

static void
on_job_completed(virConnectPtr conn, virDomainPtr dom, virTypedParameterPtr p, int n, void *opaque)
{
    struct ne_vmig *j = opaque;

    (void)conn;
    (void)dom;
    j->ev = p;
    j->nev = n;
    j->done(j->opaque, j);
    j->ev = NULL;
    j->nev = 0;
}

struct ne_vmig *
virt_mig_open(struct ne_virt *src, const char *uuid, const char *name, ne_vmig_done_fn *done,
              void *opaque)
{
    /* the migration's call lasts the whole migration: on a connection of
     * its own, not the run's shared one (virt-int.h) */
    struct ne_virt *job = virt_job_get(src), *on = job ? job : src;
    virDomainPtr dom = dom_lookup(on, uuid);
    struct ne_vmig *j;

    if (!dom) {
        virt_job_put(job);
        return NULL;
    }
    j = xcalloc(1, sizeof *j);
    j->src = src;
    j->job = job;
    j->dom = dom;
    j->uuid = xstrdup(uuid);
    j->name = xstrdup(name);
    j->done = done;
    j->opaque = opaque;
    {
        const struct ne_caps *c = virt_caps(src, false);
        j->no_stats = c && !c->job_stats;
    }
    j->cb = virConnectDomainEventRegisterAny(on->conn, dom, VIR_DOMAIN_EVENT_ID_JOB_COMPLETED,
                                             VIR_DOMAIN_EVENT_CALLBACK(on_job_completed), j, NULL);
    return j;
}

void
virt_mig_close(struct ne_vmig *j)
{
    if (!j) return;
    if (j->cb >= 0) virConnectDomainEventDeregisterAny((j->job ? j->job : j->src)->conn, j->cb);
    virDomainFree(j->dom);
    virt_job_put(j->job);
    free(j->dest_xml);
    free(j->uuid);
    free(j->name);
    free(j);
}

int
virt_mig_poll(struct ne_vmig *j, struct ne_mig_stats *st)
{
    virTypedParameterPtr p = NULL;
    int n = 0, type, ret = 0;

    if (j->no_stats) return 0;
    if (virDomainGetJobStats(j->dom, &type, &p, &n, 0) == 0 && type != VIR_DOMAIN_JOB_NONE) {
        read_stats(p, n, st);
        ret = 1;
    }
    virTypedParamsFree(p, n);
    return ret;
}

void
virt_mig_event_stats(struct ne_vmig *j, struct ne_mig_stats *st)
{
    if (j->ev && !j->no_stats) read_stats(j->ev, j->nev, st);
}

bool
virt_mig_has_stats(const struct ne_vmig *j)
{
    return !j->no_stats;
}

bool
virt_mig_legacy(struct ne_virt *src, struct ne_virt *dst)
{
    const struct ne_caps *a = virt_caps(src, false), *b = dst ? virt_caps(dst, false) : NULL;

    return (a && !a->migration_params) || (b && !b->migration_params);
}

int virt_mig_set_downtime(struct ne_vmig *j, unsigned long ms) { return virDomainMigrateSetMaxDowntime(j->dom, ms, 0) == 0 ? 0 : -1; }
int virt_mig_abort(struct ne_vmig *j) { return virDomainAbortJob(j->dom) == 0 ? 0 : -1; }
int virt_mig_postcopy(struct ne_vmig *j) { return virDomainMigrateStartPostCopy(j->dom, 0) == 0 ? 0 : -1; }
int virt_mig_suspend(struct ne_vmig *j) { return virDomainSuspend(j->dom) == 0 ? 0 : -1; }

static unsigned long
lv_flags(unsigned flags)
{
    unsigned long f = VIR_MIGRATE_LIVE | VIR_MIGRATE_PEER2PEER | VIR_MIGRATE_PERSIST_DEST |
                      VIR_MIGRATE_UNDEFINE_SOURCE;

    if (flags & NE_VMIG_BLOCK) f |= VIR_MIGRATE_NON_SHARED_INC;
    if (flags & NE_VMIG_AUTO_CONVERGE) f |= VIR_MIGRATE_AUTO_CONVERGE;
    if (flags & NE_VMIG_POSTCOPY) f |= VIR_MIGRATE_POSTCOPY;
    if (flags & NE_VMIG_TLS) f |= VIR_MIGRATE_TLS;
    if (flags & NE_VMIG_TUNNELLED) f |= VIR_MIGRATE_TUNNELLED;
    if (flags & NE_VMIG_UNSAFE) f |= VIR_MIGRATE_UNSAFE;
    if (flags & NE_VMIG_PAUSED) f |= VIR_MIGRATE_PAUSED;
    return f;
}

void
virt_mig_set_dest_xml(struct ne_vmig *j, const char *xml)
{
    free(j->dest_xml);
    j->dest_xml = xml ? xstrdup(xml) : NULL;
}

int
virt_mig_run(struct ne_vmig *j, const char *dst_host, const char *peer, const char *const *disks,
             size_t ndisks, unsigned long bw_mib, unsigned flags)
{
    virTypedParameterPtr params = NULL;
    int np = 0, maxp = 0, rc;
    CLEANUP_FREE const char **list = xcalloc(ndisks + 1, sizeof *list);
    size_t i;

    for (i = 0; i < ndisks; i++) list[i] = disks[i];
    /* Never an empty list: libvirt would read it as "copy every disk". */
    if ((flags & NE_VMIG_BLOCK) && ndisks > 0)
        virTypedParamsAddStringList(&params, &np, &maxp, VIR_MIGRATE_PARAM_MIGRATE_DISKS, list);
    if (bw_mib) virTypedParamsAddULLong(&params, &np, &maxp, VIR_MIGRATE_PARAM_BANDWIDTH, bw_mib);
    if (j->dest_xml) {
        virTypedParamsAddString(&params, &np, &maxp, VIR_MIGRATE_PARAM_DEST_XML, j->dest_xml);
        virTypedParamsAddString(&params, &np, &maxp, VIR_MIGRATE_PARAM_PERSIST_XML, j->dest_xml);
    }
    if (flags & NE_VMIG_LEGACY) {
        /* No parameters: no disk list (libvirt copies every disk that is
         * not shared or read-only; the plan allows this only when every
         * disk is local), the destination XML as dxml. */
        ne_debug(NE_DBG_VIRT, "%s: migrate to %s with the legacy API virDomainMigrateToURI2 "
                 "(no migration parameters), flags 0x%lx, every non-shared disk copied",
                 j->name, peer, lv_flags(flags));
        rc = virDomainMigrateToURI2(j->dom, peer, NULL, j->dest_xml, lv_flags(flags), NULL, bw_mib);
    } else {
        ne_debug(NE_DBG_VIRT, "%s: migrate to %s with virDomainMigrateToURI3, flags 0x%lx, %zu "
                 "disk(s) to copy", j->name, peer, lv_flags(flags), ndisks);
        rc = virDomainMigrateToURI3(j->dom, peer, params, (unsigned)np, lv_flags(flags));
    }
    if (rc < 0)
        ne_error("migration of %s (%s) from %s to %s failed: %s", j->name, j->uuid, j->src->host,
                 dst_host, lv_err());
    virTypedParamsFree(params, np);
    return rc < 0 ? -1 : 0;
}
