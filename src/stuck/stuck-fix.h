/* SPDX-License-Identifier: Apache-2.0 */
/* stuckfix.h: applying `stuck`'s repairs, each logged to the audit file
 * before and after (HACKING.md rule 4), and the JSON form of an item shared
 * by --format json and the audit log. */
#ifndef NE_STUCKFIX_H
#define NE_STUCKFIX_H

#include <jansson.h>

#include "novasync/novasync.h"
#include "novadb/novadb.h"
#include "stuck/stuck-scan.h"

/* Repairs it through ns, the one audited, locked path for changes to Nova:
 * asks libvirt again (a changed truth is reported, not repaired), takes
 * the novasync lock, logs "before" to its audit log, applies the fix in one
 * transaction (novasync-db.h; retried once on a lost connection: the
 * transaction re-checks the rows), logs "after", releases the lock.  Sets it->result.  0 when the item was
 * handled, -1 (reported) when the database or the audit log failed. */
int ne_stuck_apply(struct ne_db *db, struct ne_stuck_scan *sc, struct ne_stuck_item *it,
                   struct ne_novasync *ns);

/* Repairs the ports of it whose decision is "rebind" (stuck-port.h)
 * through Neutron (nt), under ns's lock: Neutron and libvirt asked again
 * (a changed decision is reported, not repaired); per port a
 * "stuck-repair" line of kind "port-binding" in the audit log ("before":
 * the bindings as read and the plan), the binding changes (each between its
 * own "neutron-binding" lines, migrate.h), the bindings read back, the
 * "after" line.  Sets each port's result.  0 when handled (whatever the
 * results), -1 (reported) when the audit log failed: the caller stops. */
int ne_stuck_apply_ports(struct ne_neutron *nt, struct ne_stuck_scan *sc, struct ne_stuck_item *it,
                         struct ne_novasync *ns);
/* [{"id": ..., "case": "port-binding", "action": ..., ...}]: a new reference. */
json_t *ne_stuck_ports_json(const struct ne_stuck_item *it);

/* A new JSON object describing it (record, migration, libvirt, decision). */
json_t *ne_stuck_item_json(const struct ne_stuck_item *it);
const char *ne_apply_result_name(enum ne_apply_result r);

#endif
