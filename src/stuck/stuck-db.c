/* SPDX-License-Identifier: Apache-2.0 */
/* stuckdb.c: see stuckdb.h. */
#include <config.h>

#include <string.h>

#include "stuck/stuck-db.h"
#include "util/log.h"
#include "util/mem.h"

void
ne_inst_set_free(struct ne_inst_set *s)
{
    size_t i;

    for (i = 0; i < s->n; i++) ne_nova_inst_clear(&s->v[i]);
    free(s->v);
    memset(s, 0, sizeof *s);
}

struct ne_nova_inst *
ne_inst_set_find(struct ne_inst_set *s, const char *uuid)
{
    size_t i;

    for (i = 0; i < s->n; i++)
        if (strcmp(s->v[i].uuid, uuid) == 0) return &s->v[i];
    return NULL;
}

static long long
to_ll(const char *s, long long def)
{
    unsigned long long n;

    if (!s) return def;
    if (*s == '-') return parse_u64(s + 1, &n) == 0 ? -(long long)n : def;
    return parse_u64(s, &n) == 0 ? (long long)n : def;
}

struct add_ctx {
    struct ne_inst_set *s;
    unsigned why;
};

static void mig_cols(const char *const *c, struct ne_nova_mig *m);

/* Columns: uuid display_name host node vm_state task_state power_state
 * age_s image_ref, then the newest migration's (mig_cols), NULL when none
 * (every stuck-* query returns these). */
static int
add_row(const char *const *c, size_t n, void *opaque)
{
    struct add_ctx *a = opaque;
    struct ne_nova_inst *in;

    if (n < 18 || !c[0] || strlen(c[0]) != 36) return 0;
    in = ne_inst_set_find(a->s, c[0]);
    if (in) {
        in->why |= a->why;
        return 0;
    }
    xgrow(&a->s->v, &a->s->cap, a->s->n + 1, sizeof *a->s->v);
    in = &a->s->v[a->s->n++];
    memset(in, 0, sizeof *in);
    memcpy(in->uuid, c[0], 37);
    in->name = xstrdup_null(c[1]);
    in->host = xstrdup_null(c[2]);
    in->node = xstrdup_null(c[3]);
    in->vm_state = xstrdup_null(c[4]);
    in->task_state = xstrdup_null(c[5]);
    in->power_state = (int)to_ll(c[6], 0);
    in->age_s = to_ll(c[7], -1);
    in->image_ref = xstrdup_null(c[8]);
    in->image_deleted = -1;
    in->why = a->why;
    if (c[9]) mig_cols(c + 9, &in->mig);
    return 0;
}

long
stuckdb_suspects(struct ne_db *db, enum ne_sql q, long long older_s, long long since_s,
                 unsigned why, struct ne_inst_set *s)
{
    struct add_ctx a = {s, why};
    struct ne_dbv p[2];
    size_t n = 0;

    if (q == NE_SQL_STUCK_RECENT_MIGRATIONS) p[n++] = dbv_int(since_s);
    p[n++] = dbv_int(older_s);
    return novadb_query(db, q, p, n, add_row, &a);
}

int
stuckdb_instance(struct ne_db *db, const char *uuid, unsigned why, struct ne_inst_set *s)
{
    struct add_ctx a = {s, why};
    struct ne_dbv p[] = {dbv_str(uuid)};
    long rows = novadb_query(db, NE_SQL_STUCK_INSTANCE, p, 1, add_row, &a);

    return rows < 0 ? -1 : rows > 0;
}

/* id uuid status migration_type source_compute dest_compute source_node
 * dest_node age_s */
static void
mig_cols(const char *const *c, struct ne_nova_mig *m)
{
    m->id = to_ll(c[0], 0);
    m->uuid = xstrdup_null(c[1]);
    m->status = xstrdup_null(c[2]);
    m->type = xstrdup_null(c[3]);
    m->src = xstrdup_null(c[4]);
    m->dst = xstrdup_null(c[5]);
    m->src_node = xstrdup_null(c[6]);
    m->dst_node = xstrdup_null(c[7]);
    m->age_s = to_ll(c[8], -1);
}

static int
deleted_row(const char *const *c, size_t n, void *opaque)
{
    int *d = opaque;

    if (n >= 2) *d = to_ll(c[0], 0) != 0 || str_eq(c[1], "deleted") || str_eq(c[1], "killed");
    return 0;
}

int
stuckdb_image_deleted(struct ne_db *db, struct ne_nova_inst *in)
{
    struct ne_dbv p[] = {dbv_str(in->image_ref)};
    int deleted = 0;
    long rows;

    if (!in->image_ref || !*in->image_ref) return 0; /* boot from volume */
    rows = novadb_query(db, NE_SQL_IMAGE_DELETED, p, 1, deleted_row, &deleted);
    if (rows < 0) return -1;
    /* no row: purged from Glance (glance-manage db purge) - gone as well */
    in->image_deleted = rows == 0 ? 1 : deleted;
    return 0;
}

struct nodes {
    char *first;
    long n;
};

static int
node_row(const char *const *c, size_t n, void *opaque)
{
    struct nodes *nd = opaque;

    if (n >= 1 && c[0] && nd->n++ == 0) nd->first = xstrdup(c[0]);
    return 0;
}

int
stuckdb_node(struct ne_db *db, const char *host, char **node)
{
    struct ne_dbv p[] = {dbv_str(host)};
    struct nodes nd = {NULL, 0};

    if (novadb_query(db, NE_SQL_COMPUTE_NODE_BY_HOST, p, 1, node_row, &nd) < 0) return -1;
    if (nd.n != 1) {
        free(nd.first);
        return nd.n == 0 ? 0 : 2;
    }
    *node = nd.first;
    return 1;
}

struct images {
    void (*fn)(const char *, long, void *);
    void *opaque;
};

static int
image_row(const char *const *c, size_t n, void *opaque)
{
    struct images *im = opaque;

    if (n >= 2 && c[0]) im->fn(c[0], (long)to_ll(c[1], 0), im->opaque);
    return 0;
}

long
stuckdb_deleted_images(struct ne_db *db, void (*fn)(const char *, long, void *), void *opaque)
{
    struct images im = {fn, opaque};
    return novadb_query(db, NE_SQL_IMAGES_DELETED_IN_USE, NULL, 0, image_row, &im);
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
    r->power_state = (int)to_ll(c[4], 0);
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

/* stuckdb_apply, or with host_only the record of a move: only the host is
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
stuckdb_apply(struct ne_db *db, const struct ne_nova_inst *in, const struct ne_fix *fix,
              const char *node, ne_before_fn before_fn, void *opaque, struct ne_rowsnap *after)
{
    return apply_checked(db, in, fix, node, false, before_fn, opaque, after);
}

int
stuckdb_record_move(struct ne_db *db, const struct ne_nova_inst *in, const struct ne_fix *fix,
                    const char *node, ne_before_fn before_fn, void *opaque,
                    struct ne_rowsnap *after)
{
    return apply_checked(db, in, fix, node, true, before_fn, opaque, after);
}
