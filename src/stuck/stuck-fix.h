/* SPDX-License-Identifier: Apache-2.0 */
/* stuckfix.h: applying `stuck`'s repairs, each logged to the audit file
 * before and after (HACKING.md rule 4), and the JSON form of an item shared
 * by --format json and the audit log. */
#ifndef NE_STUCKFIX_H
#define NE_STUCKFIX_H

#include <jansson.h>

#include "novasync/audit.h"
#include "novadb/novadb.h"
#include "stuck/stuck-scan.h"

/* Repairs it: asks libvirt again (a changed truth is reported, not
 * repaired), logs "before" to the audit file, applies the fix in one
 * transaction (retried once on a lost connection: the transaction
 * re-checks the rows), logs "after".  Sets it->result.  0 when the item was
 * handled, -1 (reported) when the database or the audit log failed. */
int ne_stuck_apply(struct ne_db *db, struct ne_stuck_scan *sc, struct ne_stuck_item *it,
                   struct ne_audit *audit);

/* A new JSON object describing it (record, migration, libvirt, decision). */
json_t *ne_stuck_item_json(const struct ne_stuck_item *it);
/* A row snapshot (stuck-db.h) for the audit log: null when not found. */
json_t *ne_rowsnap_json(const struct ne_rowsnap *r);
const char *ne_apply_result_name(enum ne_apply_result r);

#endif
