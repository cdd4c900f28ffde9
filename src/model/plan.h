/* SPDX-License-Identifier: Apache-2.0 */
/* plan.h: the migration decision table (HACKING.md), as a pure function.
 *
 * Facts in (a domain with classified disks, both hosts' libvirt/QEMU
 * versions, the configuration, the operator's --mode), one decision out:
 * live, live-block (with the exact disks to copy), cold, or refuse, with the
 * table row and a human reason.  No I/O. */
#ifndef NE_PLAN_H
#define NE_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/domain.h"
#include "util/config.h"

/* Version gates, libvirt's encoding major*1000000 + minor*1000 + micro. */
#define NE_LV_MIGRATE_DISKS 1002017UL /* VIR_MIGRATE_PARAM_MIGRATE_DISKS */
#define NE_LV_POSTCOPY 1003003UL
#define NE_QEMU_POSTCOPY 2005000UL
#define NE_LV_TLS 4004000UL
#define NE_QEMU_TLS 2011000UL

enum ne_mode { NE_MODE_AUTO, NE_MODE_LIVE, NE_MODE_BLOCK, NE_MODE_COLD };
enum ne_method { NE_METHOD_LIVE, NE_METHOD_LIVE_BLOCK, NE_METHOD_COLD, NE_METHOD_REFUSE };

struct ne_versions {
    unsigned long libvirt; /* 0 = unknown */
    unsigned long qemu;
};

struct ne_plan_in {
    const struct ne_domain *dom;
    struct ne_versions src, dst;
    const struct ne_config *cfg;
    enum ne_mode mode;
    /* An end without migration parameters (ne_caps.migration_params false,
     * e.g. [node:X] legacy = true): a live migration goes through the
     * legacy API (virDomainMigrateToURI2, flags only), which cannot name
     * the disks to copy, so a block migration copies every disk. */
    bool legacy_api;
};

#define NE_PLAN_MAX_DISKS 64

struct ne_plan {
    enum ne_method method;
    int row;                 /* row of the decision table (1-7) */
    char reason[320];
    /* live-block: targets given to VIR_MIGRATE_PARAM_MIGRATE_DISKS (borrowed
     * from the domain); never a shared volume. */
    const char *copy[NE_PLAN_MAX_DISKS];
    size_t ncopy;
    /* Read-only local files copied to the destination before a live block
     * migration (the config drive, like Nova does). Borrowed disk pointers. */
    const struct ne_disk *precopy[NE_PLAN_MAX_DISKS];
    size_t nprecopy;
    bool has_volumes;
    bool legacy_api;         /* in->legacy_api: migrate with flags only, no parameters */
    bool postcopy, auto_converge, tls, tunnelled;
    char warning[256];       /* a gate that dropped an optional feature */
};

/* Fills *out.  Always returns a decision (refuse included). */
void ne_plan_instance(const struct ne_plan_in *in, struct ne_plan *out);

const char *ne_method_name(enum ne_method m);
int ne_mode_parse(const char *s, enum ne_mode *out);

#endif

/* Nova's data size for timeouts: RAM + disks to copy, in GiB, at least 2. */
double ne_data_gib(uint64_t memory_kib, uint64_t disk_bytes);
/* Downtime schedule like Nova's live_migration_downtime{,_steps,_delay}:
 * step i (0..cfg->downtime_steps) applies after *at_s seconds, raising the
 * maximum downtime to *ms. */
void ne_downtime_step(const struct ne_config *cfg, double data_gib, unsigned long i,
                      unsigned long *at_s, unsigned long *ms);
/* Completion timeout in seconds (0 = none): completion_timeout per GiB. */
unsigned long ne_completion_timeout(const struct ne_config *cfg, double data_gib);
