/* SPDX-License-Identifier: Apache-2.0 */
/* novadb-t.c: the Nova database adapter against the lab's real MariaDB and
 * Nova schema (run by novadb.t, which seeds the rows named in the
 * environment): every query in sql/ prepares on the real schema, hostile
 * strings are data, a killed connection comes back, a transaction lost with
 * its connection is reported, the field report's deleted-image query. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "../unit/tap.h"
#include "novadb/dburl.h"
#include "novadb/novadb.h"
#include "novadb/sqltext.h"
#include "stuck/stuck-db.h"

static int
count_rows(const char *const *c, size_t n, void *opaque)
{
    (void)c;
    (void)n;
    ++*(long *)opaque;
    return 0;
}

static void
kill_conn(struct ne_db *db)
{
    char cmd[512];

    snprintf(cmd, sizeof cmd, "%s \"KILL %lu\"", getenv("NOVADB_T_SQL"), novadb_connection_id(db));
    ok(system(cmd) == 0, "connection %lu killed from outside", novadb_connection_id(db));
}

struct img {
    int deleted_seen, active_seen;
    long count;
};

static void
on_image(const char *id, long count, void *opaque)
{
    struct img *im = opaque;

    if (strcmp(id, getenv("NOVADB_T_DELETED_IMAGE")) == 0) {
        im->deleted_seen = 1;
        im->count = count;
    }
    if (strcmp(id, getenv("NOVADB_T_ACTIVE_IMAGE")) == 0) im->active_seen = 1;
}

int
main(void)
{
    struct ne_config cfg = {.nova_conf = (char *)"/nonexistent"};
    struct ne_dburl url;
    struct ne_db *db;
    struct ne_dbv hostile[] = {dbv_str("x' OR '1'='1")};
    struct ne_dbv real[] = {dbv_str(getenv("NOVADB_T_UUID"))};
    struct img im = {0, 0, 0};
    long rows = 0;
    size_t i;
    int all = 1;

    if (ne_dburl_resolve(&cfg, NULL, &url) < 0 || !(db = novadb_connect(&url))) {
        printf("Bail out! cannot reach the lab database\n");
        return 1;
    }
    ne_dburl_clear(&url);
    ok(novadb_set_schema(db, "glance", getenv("NOVADB_T_GLANCE")) == 0, "glance schema set");
    ok(novadb_set_schema(db, "glance", "glance`; DROP") < 0, "hostile schema name refused");
    for (i = 0; i < NE_SQL_COUNT; i++)
        if (novadb_prepare(db, (enum ne_sql)i) < 0)
            all = 0, printf("# %s\n", novadb_sql_name((enum ne_sql)i));
    ok(all, "every query in sql/ prepares on the %s schema (%zu queries)",
       ne_schema_name(novadb_schema(db)), i);
    if (getenv("NOVADB_T_PREPARE_ONLY")) { /* another schema (stuck-icehouse.t): no rows */
        novadb_close(db);
        return done_testing();
    }

    rows = novadb_query(db, NE_SQL_STUCK_INSTANCE, hostile, 1, count_rows, &(long){0});
    is_int(rows, 0, "a quote in a parameter is data: no row for x' OR '1'='1");
    rows = novadb_query(db, NE_SQL_STUCK_INSTANCE, real, 1, NULL, NULL);
    is_int(rows, 1, "the seeded instance is found by uuid");

    /* A connection killed between two queries: reconnected, retried. */
    kill_conn(db);
    rows = novadb_query(db, NE_SQL_STUCK_INSTANCE, real, 1, NULL, NULL);
    is_int(rows, 1, "query after the kill: reconnected and answered");

    /* Killed inside a transaction: the statement fails, nothing is retried. */
    ok(novadb_begin(db) == 0, "transaction started");
    kill_conn(db);
    rows = novadb_query(db, NE_SQL_FIX_LOCK_INSTANCE, real, 1, NULL, NULL);
    ok(rows < 0 && novadb_lost(db), "query in a lost transaction fails and says the connection was lost");
    novadb_rollback(db);
    rows = novadb_query(db, NE_SQL_STUCK_INSTANCE, real, 1, NULL, NULL);
    is_int(rows, 1, "after the rollback: a new connection answers");

    /* The field report's query. */
    rows = stuckdb_deleted_images(db, on_image, &im);
    ok(rows >= 1, "deleted images in use: at least the seeded one (%ld)", rows);
    ok(im.deleted_seen, "the deleted image is listed");
    is_int(im.count, 2, "used by the two seeded instances");
    ok(!im.active_seen, "an active image is not listed");
    novadb_close(db);
    return done_testing();
}
