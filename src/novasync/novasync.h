/* SPDX-License-Identifier: Apache-2.0 */
/* novasync.h: every change nova-evac makes to Nova's records, each with a
 * "before" and an "after" line in the audit log (audit.h).  One handle per
 * command: the audit log opened once (no handle, no change), a process
 * mutex and an flock of <state_dir>/nova.lock held for the duration of each
 * change, so that neither two threads nor two nova-evac processes change
 * the same thing at once. */
#ifndef NE_NOVASYNC_H
#define NE_NOVASYNC_H

#include <stdbool.h>

#include "novadb/novadb.h"
#include "novasync/audit.h"
#include "openstack/nova.h"
#include "openstack/placement.h"

struct ne_novasync;

/* Opens audit_log (NULL: <state_dir>/audit.log) and <state_dir>/nova.lock.
 * NULL (reported) when the audit log cannot be written. */
struct ne_novasync *novasync_open(const char *state_dir, const char *audit_log);
void novasync_close(struct ne_novasync *ns);
struct ne_audit *novasync_audit(struct ne_novasync *ns);
/* The lock around one change (also for callers with their own audited
 * change, stuck).  0, or -1 (reported) when nova.lock cannot be taken. */
int novasync_lock(struct ne_novasync *ns);
void novasync_unlock(struct ne_novasync *ns);

/* Records in Nova's database that uuid now runs (running) or is stopped on
 * host to, node node, if Nova still names from: one transaction with the
 * row locked, audit "before" (the row) written before the update, "after"
 * read back.  Then, with pl, its Placement allocations moved to node's
 * provider, audited the same way.  0 done, 1 refused (Nova names another
 * host: reported, nothing changed), 2 no live row (warned), -1 error. */
int novasync_record_move(struct ne_novasync *ns, struct ne_db *db, struct ne_placement *pl,
                         const char *uuid, const char *from, const char *to, const char *node,
                         bool running);

/* Enables or disables (reason) host's nova-compute service: through nv when
 * given, else the database (drain-disable-service; enable: NULL reason).
 * Audited with the service as read before and after.  0 or -1. */
int novasync_service(struct ne_novasync *ns, struct ne_nova *nv, struct ne_db *db,
                     const char *host, bool enable, const char *reason);

enum ne_server_action {
    NE_ACT_LIVE_MIGRATE, NE_ACT_MIGRATE, NE_ACT_CONFIRM, NE_ACT_REVERT, NE_ACT_RESET_STATE,
    NE_ACT_FORCE_COMPLETE, NE_ACT_ABORT, NE_ACT_CREATE_IMAGE
};

struct ne_server_call {
    enum ne_server_action action;
    const char *server;
    const char *host;      /* live-migrate, migrate: NULL lets the scheduler pick */
    enum ne_block_migration block; /* live-migrate */
    const char *state;     /* reset-state */
    const char *migration; /* force-complete, abort */
    const char *image_name;                /* create-image: the snapshot's name, */
    const char *const *image_metadata;     /* its metadata (key, value, ..., NULL) */
    char **image_id;                       /* and where its id goes (newly allocated) */
};

/* One Nova server action, audited: "before" the server as the API shows
 * it, the call, "after" the server again.  0, or -1 (nova_err(nv) says). */
int novasync_server_action(struct ne_novasync *ns, struct ne_nova *nv,
                           const struct ne_server_call *c);
const char *ne_server_action_name(enum ne_server_action a);
/* What the API call of the last novasync_service or novasync_server_action
 * failed with; NE_OS_OK when it succeeded or was not made (refused). */
enum ne_os_err novasync_call_err(const struct ne_novasync *ns);

#endif
