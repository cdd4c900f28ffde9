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
