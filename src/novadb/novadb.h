/* SPDX-License-Identifier: Apache-2.0 */
/* novadb.h: the Nova database adapter (MariaDB/MySQL).  novadb.c is the
 * only file that includes the MariaDB client headers.
 *
 * Every statement is a query from sql/NAME.sql (built into the binary and
 * addressed as NE_SQL_NAME, enum ne_sql generated from the file names), run as a prepared statement with bound parameters: nothing from
 * an instance, a host or the command line is ever pasted into SQL text.
 * A lost connection is re-established (and the statement retried once)
 * outside a transaction; inside one the transaction is lost with it, so the
 * call fails and novadb_lost() says why.  Every function reports its own
 * errors, naming the query and the connection (never the password). */
#ifndef NE_NOVADB_H
#define NE_NOVADB_H

#include <stdbool.h>
#include <stddef.h>

#include "novadb/dburl.h"
#include "novadb/schema.h"
#include "novadb/sqlnames.h"

struct ne_db;

/* Connects (TLS when the URL asks, server certificate verified unless it
 * says otherwise) and tells the schema by its columns (sql/schema-columns.sql,
 * once): every query then runs as its variant for that schema
 * (sql/NAME.icehouse.sql) when it has one, chosen here and nowhere else.
 * NULL after reporting when the server cannot be reached, refuses the
 * login, or has a schema the tool does not know.  url is copied. */
struct ne_db *novadb_connect(const struct ne_dburl *url);
void novadb_close(struct ne_db *db);
/* Redacted URL naming the connection in messages (borrowed). */
const char *novadb_label(const struct ne_db *db);

/* Sets the value of a {name} placeholder in the SQL texts, such as the
 * Glance schema ("glance"): an identifier of letters, digits and '_' only
 * (else reported, -1), back-quoted where it is substituted. */
int novadb_set_schema(struct ne_db *db, const char *name, const char *value);

enum ne_dbv_type { NE_DBV_NULL, NE_DBV_STR, NE_DBV_INT };
struct ne_dbv {
    enum ne_dbv_type type;
    const char *s; /* NE_DBV_STR (borrowed) */
    long long i;   /* NE_DBV_INT */
};
/* Parameter constructors; a NULL string binds SQL NULL. */
static inline struct ne_dbv dbv_str(const char *s)
{
    struct ne_dbv v = {s ? NE_DBV_STR : NE_DBV_NULL, s, 0};
    return v;
}
static inline struct ne_dbv dbv_int(long long i)
{
    struct ne_dbv v = {NE_DBV_INT, NULL, i};
    return v;
}

/* Called once per row; cols[i] is NULL for SQL NULL (all values as text,
 * borrowed until the callback returns).  A negative return stops the query
 * and is returned by novadb_query (the callback reports its own error). */
typedef int (*ne_db_row_fn)(const char *const *cols, size_t ncols, void *opaque);

/* Runs the SELECT named query with params; cb may be NULL.  Returns the
 * number of rows, or -1. */
long novadb_query(struct ne_db *db, enum ne_sql q, const struct ne_dbv *params, size_t n,
                  ne_db_row_fn cb, void *opaque);
/* Runs the data-changing named query; returns the number of rows it
 * matched, or -1. */
long novadb_exec(struct ne_db *db, enum ne_sql q, const struct ne_dbv *params, size_t n);

/* Transactions: every repair is one. */
int novadb_begin(struct ne_db *db);
int novadb_commit(struct ne_db *db);
void novadb_rollback(struct ne_db *db);
/* True when the last failure was the connection being lost. */
bool novadb_lost(const struct ne_db *db);

/* Prepares the named query now (without running it): -1 (reported) when the
 * schema does not fit it.  The server's id of the current connection. */
int novadb_prepare(struct ne_db *db, enum ne_sql q);
unsigned long novadb_connection_id(const struct ne_db *db);
/* The schema detected at connect time. */
enum ne_schema novadb_schema(const struct ne_db *db);

/* The file name (without .sql) and the text of a query (borrowed). */
const char *novadb_sql_name(enum ne_sql q);
const char *novadb_sql_text(enum ne_sql q);

#endif
