/* SPDX-License-Identifier: Apache-2.0 */
/* novasync-db.c: see novasync-db.h.  The only writer of Nova's instance
 * and migration rows (named queries from sql/, prepared statements). */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "novasync/novasync-db.h"
#include "util/log.h"
#include "util/mem.h"

json_t *
ne_rowsnap_json(const struct ne_rowsnap *r)
{
    if (!r->found) return json_null();
    return json_pack("{s:s?, s:s?, s:s?, s:s?, s:i, s:s?}", "host", r->host, "node", r->node,
                     "vm_state", r->vm_state, "task_state", r->task_state, "power_state",
                     r->power_state, "migration_status", r->mig_status);
}

void
ne_rowsnap_clear(struct ne_rowsnap *r)
{
    free(r->host);
    free(r->node);
    free(r->vm_state);
    free(r->task_state);
    free(r->mig_status);
    memset(r, 0, sizeof *r);
}

/* host node vm_state task_state power_state */
static int
snap_row(const char *const *c, size_t n, void *opaque)
{
    struct ne_rowsnap *r = opaque;

    if (n < 5) return 0;
    r->found = true;
    r->host = xstrdup_null(c[0]);
    r->node = xstrdup_null(c[1]);
    r->vm_state = xstrdup_null(c[2]);
    r->task_state = xstrdup_null(c[3]);
    r->power_state = c[4] ? (int)strtol(c[4], NULL, 10) : 0;
    return 0;
}

static int
status_row(const char *const *c, size_t n, void *opaque)
{
    struct ne_rowsnap *r = opaque;

    if (n >= 1) r->mig_status = xstrdup(c[0] ? c[0] : "");
    return 0;
}

/* The instance row and its migration's status, locked when in a
 * transaction (SELECT ... FOR UPDATE). */
static int
read_snap(struct ne_db *db, const struct ne_nova_inst *in, struct ne_rowsnap *r)
{
    struct ne_dbv pi[] = {dbv_str(in->uuid)}, pm[] = {dbv_int(in->mig.id)};

    memset(r, 0, sizeof *r);
    if (novadb_query(db, NE_SQL_FIX_LOCK_INSTANCE, pi, 1, snap_row, r) < 0) return -1;
    if (in->mig.id && novadb_query(db, NE_SQL_FIX_LOCK_MIGRATION, pm, 1, status_row, r) < 0) return -1;
    return 0;
}

static bool
unchanged(const struct ne_nova_inst *in, const struct ne_rowsnap *r)
{
    return r->found && str_eq(r->host, in->host) && str_eq(r->vm_state, in->vm_state) &&
           str_eq(r->task_state, in->task_state) &&
           (!in->mig.id || str_eq(r->mig_status, in->mig.status));
}

static int
exec_one(struct ne_db *db, enum ne_sql q, const struct ne_dbv *p, size_t n, const char *uuid)
{
    long rows = novadb_exec(db, q, p, n);

    if (rows == 1) return 0;
    if (rows == 0)
        ne_error("repair of instance %s: query %s matched no row; rolled back", uuid,
                 novadb_sql_name(q));
    return -1;
}

static int
changes(struct ne_db *db, const struct ne_nova_inst *in, const struct ne_fix *fix, const char *node)
{
    struct ne_dbv pi[] = {dbv_str(fix->host), dbv_str(node), dbv_str(fix->vm_state),
                          dbv_int(fix->power_state), dbv_str(in->uuid)};
    struct ne_dbv pm[] = {dbv_str(fix->mig_status), dbv_int(in->mig.id)};
    struct ne_dbv pu[] = {dbv_str(in->uuid)};
    struct ne_dbv ph[] = {dbv_str(fix->host), dbv_str(node), dbv_int(fix->power_state),
                          dbv_str(in->uuid)};

    if (fix->vm_state ? exec_one(db, NE_SQL_FIX_INSTANCE, pi, 5, in->uuid) < 0
                      : exec_one(db, NE_SQL_FIX_INSTANCE_HOST, ph, 4, in->uuid) < 0)
        return -1;
    if (fix->mig_status && in->mig.id && exec_one(db, NE_SQL_FIX_MIGRATION, pm, 2, in->uuid) < 0)
        return -1;
    if (fix->drop_mig_context && novadb_exec(db, NE_SQL_FIX_DROP_MIGRATION_CONTEXT, pu, 1) < 0)
        return -1;
    if (fix->flavor != NE_FLAVOR_KEEP &&
        (novadb_exec(db, fix->flavor == NE_FLAVOR_NEW ? NE_SQL_FIX_FLAVOR_CONFIRM : NE_SQL_FIX_FLAVOR_REVERT,
                     pu, 1) < 0 ||
         novadb_exec(db, NE_SQL_FIX_FLAVOR_COLUMNS, pu, 1) < 0))
        return -1;
    return 0;
}

/* novasync_db_apply, or with host_only the record of a move: only the host is
 * checked, and a missing row is 2. */
static int
apply_checked(struct ne_db *db, const struct ne_nova_inst *in, const struct ne_fix *fix,
              const char *node, bool host_only, ne_before_fn before_fn, void *opaque,
              struct ne_rowsnap *after)
{
    struct ne_rowsnap before;
    int rc = -1;

    memset(after, 0, sizeof *after);
    if (novadb_begin(db) < 0) return -1;
    if (read_snap(db, in, &before) < 0) goto rollback;
    if (host_only && !before.found) {
        rc = 2;
        goto rollback;
    }
    if (host_only ? !str_eq(before.host, in->host) : !unchanged(in, &before)) {
        ne_info("instance %s: its record changed since the scan (host now %s); left alone",
                in->uuid, before.host ? before.host : "none");
        rc = 1;
        goto rollback;
    }
    if ((before_fn && before_fn(&before, opaque) < 0) || changes(db, in, fix, node) < 0)
        goto rollback;
    if (novadb_commit(db) == 0) {
        rc = 0;
        if (read_snap(db, in, after) < 0) ne_rowsnap_clear(after);
    }
    ne_rowsnap_clear(&before);
    return rc;
rollback:
    novadb_rollback(db);
    ne_rowsnap_clear(&before);
    return rc;
}

int
novasync_db_apply(struct ne_db *db, const struct ne_nova_inst *in, const struct ne_fix *fix,
                  const char *node, ne_before_fn before_fn, void *opaque, struct ne_rowsnap *after)
{
    return apply_checked(db, in, fix, node, false, before_fn, opaque, after);
}

int
novasync_db_record_move(struct ne_db *db, const struct ne_nova_inst *in,
                        const struct ne_fix *fix, const char *node, ne_before_fn before_fn,
                        void *opaque, struct ne_rowsnap *after)
{
    return apply_checked(db, in, fix, node, true, before_fn, opaque, after);
}
