/* SPDX-License-Identifier: Apache-2.0 */
/* stuckscan.h: `stuck`'s scan: suspects from the Nova database, the truth
 * from libvirt on every candidate host, and the repair decided for each
 * (stuck.c).  Only instances whose record disagrees with libvirt (or that
 * cannot be checked) come out. */
#ifndef NE_STUCKSCAN_H
#define NE_STUCKSCAN_H

#include <stdbool.h>
#include <stddef.h>

#include "novadb/novadb.h"
#include "stuck/stuck.h"
#include "stuck/stuck-db.h"
#include "util/config.h"

struct ne_stuck_opts {
    const char *host;          /* only instances that involve this host (NULL: all) */
    long long older_s;         /* a move idle for longer than this is stuck */
    long long since_s;         /* migrations updated this recently are checked */
    long long resize_window_s; /* a user's resize waits this long for its confirm */
    bool all_nodes;            /* ask every configured node about every suspect */
    const char *glance_schema; /* for the deleted-image check; NULL: skip it */
    const char *const *uuids;  /* only these instances (NULL: scan for suspects) */
    size_t nuuids;
};

enum ne_apply_result { NE_APPLY_NOT, NE_APPLY_DONE, NE_APPLY_CHANGED, NE_APPLY_FAILED,
                       NE_APPLY_DECLINED };

/* One step of a repair through the API (stuckapi.h): which channel
 * ("nova-api", "database", "placement"), what it changes, and how it went
 * (NE_APPLY_NOT: not done, see the item's next step). */
struct ne_stuck_step {
    const char *how;  /* static */
    char *what;       /* newly allocated */
    enum ne_apply_result result;
};
#define NE_STUCK_STEPS 4

struct ne_stuck_item {
    struct ne_nova_inst *in; /* borrowed from the scan's set */
    struct ne_truth *t;
    size_t nt;
    struct ne_fix fix;
    char *node;              /* the node to record when the fix sets a host */
    enum ne_apply_result result;
    struct ne_stuck_step steps[NE_STUCK_STEPS]; /* --via api only */
    size_t nsteps;
};

struct ne_stuck_scan {
    struct ne_inst_set set;
    struct ne_stuck_item *items;
    size_t n, cap;
    size_t checked;        /* instances compared with libvirt */
    double db_s, virt_s;   /* time spent in each */
    void *priv;            /* the libvirt connections, kept for rechecks */
};

/* Scans; 0 with *out filled, -1 after reporting when the database fails.
 * Either way free *out with ne_stuck_scan_free. */
int ne_stuck_scan(struct ne_db *db, const struct ne_config *cfg, const struct ne_stuck_opts *o,
                  struct ne_stuck_scan *out);
void ne_stuck_scan_free(struct ne_stuck_scan *s);

/* Asks libvirt again, right before a repair: 1 when the same repair still
 * follows; 0 when the facts changed (the item then holds the new truths and
 * decision, to report instead). */
int ne_stuck_recheck(struct ne_stuck_scan *s, struct ne_stuck_item *it);

#endif
