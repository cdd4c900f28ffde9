/* SPDX-License-Identifier: Apache-2.0 */
/* stuckapi.h: `stuck --via api`: the repairs of stuck.c applied through
 * the Nova and Placement APIs where they can make them, and through the
 * database only for what they cannot, and only when the operator allows
 * it (--allow-db).
 *
 * Detection is the same as --via db (stuckscan.h: the Nova database, read
 * only, and libvirt on the hosts): the facts and the decisions are
 * identical, only the way the record is changed differs.
 *
 *   the API can        os-resetState active|error (vm_state, task_state);
 *                      confirmResize of a VERIFY_RESIZE on its destination;
 *                      Placement: allocations moved to one provider, the
 *                      migration consumer's deleted (placement.h)
 *   the API cannot     the instance's host, node and power_state, the migration's
 *                      status, the flavor of a half-done resize, a
 *                      vm_state other than active/error, the migration
 *                      context: the database, in one checked transaction
 *                      (novasync_db_apply), with --allow-db; otherwise the
 *                      repair is not done at all (a state reset on the
 *                      wrong host would hide the split brain) and the
 *                      next step says how to finish it.
 *
 * Each step is logged in the audit file: "before" (the server as Nova's
 * API shows it, both consumers' allocations, the plan) before the first
 * change, "after" once done. */
#ifndef NE_STUCKAPI_H
#define NE_STUCKAPI_H

#include <stdbool.h>

#include "novasync/novasync.h"
#include "openstack/nova.h"
#include "novadb/novadb.h"
#include "openstack/placement.h"
#include "stuck/stuck.h"
#include "stuck/stuck-fix.h"
#include "stuck/stuck-scan.h"

/* How a fix is made through the API: pure, unit-tested (stuckapi-t.c). */
struct ne_api_plan {
    bool confirm;      /* confirmResize through the API: Nova finishes the move itself */
    bool db;           /* the fix needs a change the API cannot make */
    bool db_state;     /* ... among them a vm_state os-resetState cannot set */
    const char *reset; /* os-resetState to this ("active", "error"), NULL: none */
    bool placement;    /* allocations on the fix's host only, migration consumer empty */
    char *db_what;     /* the database changes in words (newly allocated), NULL: none */
};

/* Plans fix (decided for in; node: the node to record, may be NULL). */
void ne_stuck_api_plan(const struct ne_nova_inst *in, const struct ne_fix *fix,
                       const char *node, struct ne_api_plan *out);
void ne_api_plan_clear(struct ne_api_plan *p);

/* Fills it->steps with the plan, every step "not applied" (for a dry run
 * and before applying).  allow_db: whether the database may be written. */
void ne_stuck_api_steps(struct ne_stuck_item *it, bool allow_db);

/* [{"via": "database", "what": ..., "result": ...}, ...]: a new reference. */
json_t *ne_stuck_steps_json(const struct ne_stuck_item *it);

struct ne_stuck_api {
    struct ne_nova *nv;       /* required */
    struct ne_placement *pl;  /* NULL: the Placement step fails (reported) */
    struct ne_db *db;         /* the scan's connection */
    bool allow_db;            /* --allow-db: db may be written */
};

/* Repairs it: libvirt asked again and the server read back through the
 * API under the novasync lock (either changed: "changed-meanwhile",
 * nothing done), "before" in ns's audit log, the steps in order (database, os-resetState or confirmResize,
 * Placement), "after".  Sets it->result and it->steps.  0 when the item
 * was handled (whatever its result), -1 (reported) when the audit log
 * failed: no change may be made unlogged, so the caller stops. */
int ne_stuck_apply_api(struct ne_stuck_api *a, struct ne_stuck_scan *sc, struct ne_stuck_item *it,
                       struct ne_novasync *ns);

#endif
