/* SPDX-License-Identifier: Apache-2.0 */
/* virt-migrate.h: the libvirt side of a live migration (virt-migrate.c):
 * one domain's migration job on its source, its stats and the knobs the
 * monitor in migrate/migrate.c turns.  Plain types only: the decisions
 * (flags, downtime steps, timeouts) stay in migrate.c. */
#ifndef NE_VIRT_MIGRATE_H
#define NE_VIRT_MIGRATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "virt/virt.h"

struct ne_mig_stats {
    double seconds;
    uint64_t downtime_ms;
    uint64_t data_total, data_processed;
    uint64_t memory_total, memory_processed;
    uint64_t disk_total, disk_processed;
    uint64_t files_bytes;      /* data bytes copied as files (cold, config drive) */
    bool have_job_stats;
    /* Where the progress figures came from: "job statistics", or, on a
     * source without them, "destination allocation" / "elapsed time". */
    const char *progress_from;
};

/* Live migration flags (virt-migrate.c maps them to libvirt's). */
enum {
    NE_VMIG_BLOCK = 1 << 0,          /* copy the non-shared disks (incremental) */
    NE_VMIG_AUTO_CONVERGE = 1 << 1,
    NE_VMIG_POSTCOPY = 1 << 2,
    NE_VMIG_TLS = 1 << 3,
    NE_VMIG_TUNNELLED = 1 << 4,
    NE_VMIG_UNSAFE = 1 << 5,
    NE_VMIG_PAUSED = 1 << 6,
    NE_VMIG_LEGACY = 1 << 7,         /* virDomainMigrateToURI2: no parameters */
};

struct ne_vmig;
/* Called from libvirt's event loop when the job completed; the callee may
 * call virt_mig_event_stats (only there). */
typedef void ne_vmig_done_fn(void *opaque, struct ne_vmig *j);

/* The domain uuid on src, with done registered for its JOB_COMPLETED
 * event; NULL when the domain is not there (not reported). */
struct ne_vmig *virt_mig_open(struct ne_virt *src, const char *uuid, const char *name,
                              ne_vmig_done_fn *done, void *opaque);
/* Deregisters the event and frees j. */
void virt_mig_close(struct ne_vmig *j);
/* Updates the fields of *st that the running job reports: 1, or 0 when no
 * job runs. */
int virt_mig_poll(struct ne_vmig *j, struct ne_mig_stats *st);
/* The completed job's stats into *st (inside ne_vmig_done_fn only). */
void virt_mig_event_stats(struct ne_vmig *j, struct ne_mig_stats *st);
/* Job knobs: 0 when libvirt accepted, -1 when not. */
int virt_mig_set_downtime(struct ne_vmig *j, unsigned long ms);
int virt_mig_abort(struct ne_vmig *j);
int virt_mig_postcopy(struct ne_vmig *j);
int virt_mig_suspend(struct ne_vmig *j);
/* The domain XML the destination defines and runs the guest with (the
 * source's migratable XML with the destination's bridges, virt-net.h);
 * NULL: the source's.  Copied. */
void virt_mig_set_dest_xml(struct ne_vmig *j, const char *xml);
/* Whether the source gives job statistics (ne_caps.job_stats; false on a
 * [node:X] legacy = true node): without them virt_mig_poll and
 * virt_mig_event_stats leave *st alone. */
bool virt_mig_has_stats(const struct ne_vmig *j);
/* True when src or dst has no migration parameters (ne_caps), so the
 * legacy API must be used; the older side decides. */
bool virt_mig_legacy(struct ne_virt *src, struct ne_virt *dst);
/* Migrates with the legacy API when NE_VMIG_LEGACY (virDomainMigrateToURI2,
 * flags only: no disk list, so every non-shared disk is copied, and no
 * persistent XML), else with parameters. */
/* Migrates to the libvirt URI peer (of host dst_host), copying the
 * ndisks disk targets when NE_VMIG_BLOCK and ndisks > 0, bandwidth bw_mib
 * MiB/s (0: unlimited).  0, or -1 after reporting. */
int virt_mig_run(struct ne_vmig *j, const char *dst_host, const char *peer,
                 const char *const *disks, size_t ndisks, unsigned long bw_mib, unsigned flags);

#endif
