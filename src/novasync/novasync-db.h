/* SPDX-License-Identifier: Apache-2.0 */
/* novasync-db.h: the checked, locked writes of Nova's instance and
 * migration rows in the Nova database.  Called only by novasync.c and by
 * the repairs that hold the novasync lock and write its audit log
 * (stuck-fix.c, stuck-api.c): every change is made inside one transaction
 * that first locks the rows and checks they still say what the caller saw,
 * and hands the row "before" to the caller's audit callback. */
#ifndef NE_NOVASYNC_DB_H
#define NE_NOVASYNC_DB_H

#include <stdbool.h>

#include <jansson.h>

#include "model/nova-record.h"
#include "novadb/novadb.h"

/* A row as it is in the database, for the audit log. */
struct ne_rowsnap {
    char *host, *node, *vm_state, *task_state;
    int power_state;
    char *mig_status; /* NULL: no migration row */
    bool found;
};
void ne_rowsnap_clear(struct ne_rowsnap *r);

/* Called inside the repair transaction with the locked rows, before any
 * change; a negative return (reported) rolls back.  For the audit log:
 * "before" is on disk before the change is made. */
typedef int (*ne_before_fn)(const struct ne_rowsnap *before, void *opaque);

/* Applies fix to in in one transaction: locks the instance (and migration)
 * rows, checks they still say what the scan saw (else rolls back and
 * returns 1: "changed meanwhile"), calls before_fn, updates instance,
 * migration, migration context and flavor as the fix says, commits, and
 * reads the rows back into *after.  node is the node to record (fix->node or
 * the compute_nodes lookup).  A fix without a vm_state sets the host, node
 * and power_state only, leaving vm_state and task_state to the caller
 * (stuck --via api: os-resetState).
 * 0 applied, 1 changed meanwhile, -1 error
 * (rolled back, reported). */
int novasync_db_apply(struct ne_db *db, const struct ne_nova_inst *in, const struct ne_fix *fix,
                  const char *node, ne_before_fn before_fn, void *opaque,
                  struct ne_rowsnap *after);
/* The same for the record of a move (novasync): only in->host (the source
 * Nova must still name) is checked; in->mig.id must be 0.  0 applied, 1
 * another host recorded meanwhile, 2 no live instance row, -1 error. */
int novasync_db_record_move(struct ne_db *db, const struct ne_nova_inst *in, const struct ne_fix *fix,
                        const char *node, ne_before_fn before_fn, void *opaque,
                        struct ne_rowsnap *after);

/* A row snapshot for the audit log: null when not found. */
json_t *ne_rowsnap_json(const struct ne_rowsnap *r);

#endif
