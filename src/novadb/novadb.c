/* SPDX-License-Identifier: Apache-2.0 */
/* novadb.c: see novadb.h.  The only file including MariaDB headers. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include <mysql.h>
#include <errmsg.h>
#include <mysqld_error.h>

#include "novadb/novadb.h"
#include "novadb/sqltext.h"
#include "util/log.h"
#include "util/mem.h"

#define MAX_CELL (1u << 20) /* longest value fetched: 1 MiB */

struct stmt {
    const char *name; /* borrowed from ne_sqltexts */
    MYSQL_STMT *st;
};

struct var {
    char *name, *value;
};

struct ne_db {
    MYSQL *my;
    struct ne_dburl url;
    char *label;
    struct stmt *stmts;
    size_t nstmts, capstmts;
    struct var *vars;
    size_t nvars, capvars;
    bool in_tx, lost;
    enum ne_schema schema; /* detected once, at connect time */
};

const char *
novadb_sql_name(enum ne_sql q)
{
    if ((unsigned)q >= NE_SQL_COUNT) {
        fprintf(stderr, "nova-evac: BUG: no query number %d in the binary\n", (int)q);
        abort();
    }
    return ne_sqltexts[q].name;
}

const char *
novadb_sql_text(enum ne_sql q)
{
    novadb_sql_name(q);
    return ne_sqltexts[q].text;
}

/* The name of a query is the pointer ne_sqltexts[q].name: the internal
 * functions below take it (it names the query in messages) and find the
 * enum again by position. */
static enum ne_sql
sql_of(const char *query)
{
    enum ne_sql q;

    for (q = 0; q < NE_SQL_COUNT; q++)
        if (ne_sqltexts[q].name == query) return q;
    abort();
}

static bool
is_lost(unsigned e)
{
    return e == CR_SERVER_GONE_ERROR || e == CR_SERVER_LOST || e == ER_CONNECTION_KILLED ||
           e == CR_CONNECTION_ERROR || e == CR_CONN_HOST_ERROR || e == 4031 /* idle timeout */;
}

/* One TLS option; a client library that refuses it makes the connection
 * fail here rather than go on with less protection than asked. */
static int
tls_opt(MYSQL *my, const char *label, enum mysql_option opt, const char *name, const void *val)
{
    if (mysql_optionsv(my, opt, val) == 0) return 0;
    ne_error("Nova database %s: this MariaDB client library (%s) does not support the TLS "
             "option %s; remove it from the connection URL or upgrade the library", label,
             mysql_get_client_info(), name);
    return -1;
}

/* Sets the connection options; -1 (reported) when a TLS option cannot be
 * honoured. */
static int
set_opts(MYSQL *my, const struct ne_dburl *u, const char *label)
{
    unsigned timeout = 10, io_timeout = 60;
    my_bool on = 1, verify = u->tls_verify;
    struct {
        const char *name;
        enum mysql_option opt;
        const char *val;
    } strs[] = {
        {"ssl_ca", MYSQL_OPT_SSL_CA, u->ssl_ca},
        {"ssl_capath", MYSQL_OPT_SSL_CAPATH, u->ssl_capath},
        {"ssl_cert", MYSQL_OPT_SSL_CERT, u->ssl_cert},
        {"ssl_key", MYSQL_OPT_SSL_KEY, u->ssl_key},
        {"ssl_cipher", MYSQL_OPT_SSL_CIPHER, u->ssl_cipher},
        {"ssl_crl", MYSQL_OPT_SSL_CRL, u->ssl_crl},
        {"ssl_crlpath", MYSQL_OPT_SSL_CRLPATH, u->ssl_crlpath},
        {"tls_version", MARIADB_OPT_TLS_VERSION, u->tls_version},
    };
    size_t i;

    mysql_options(my, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    mysql_options(my, MYSQL_OPT_READ_TIMEOUT, &io_timeout);
    mysql_options(my, MYSQL_OPT_WRITE_TIMEOUT, &io_timeout);
    mysql_options(my, MYSQL_SET_CHARSET_NAME, u->charset ? u->charset : "utf8mb4");
    if (!u->socket) {
        /* like PyMySQL: "localhost" is TCP unless unix_socket is given */
        unsigned proto = MYSQL_PROTOCOL_TCP;
        mysql_options(my, MYSQL_OPT_PROTOCOL, &proto);
    }
    if (u->read_default_file) mysql_options(my, MYSQL_READ_DEFAULT_FILE, u->read_default_file);
    if (u->read_default_group) mysql_options(my, MYSQL_READ_DEFAULT_GROUP, u->read_default_group);
    if (!u->tls) return 0;
    for (i = 0; i < sizeof strs / sizeof strs[0]; i++)
        if (strs[i].val && tls_opt(my, label, strs[i].opt, strs[i].name, strs[i].val) < 0)
            return -1;
    /* enforce: no silent fallback to plaintext; verify: certificate and
     * host name (Connector/C checks both) unless turned off */
    if (tls_opt(my, label, MYSQL_OPT_SSL_ENFORCE, "TLS required", &on) < 0 ||
        tls_opt(my, label, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, "ssl_verify_cert", &verify) < 0)
        return -1;
    return 0;
}

/* (Re)opens db->my.  Reports and returns -1 on failure. */
static int
open_conn(struct ne_db *db)
{
    const struct ne_dburl *u = &db->url;

    db->my = mysql_init(NULL);
    if (!db->my) {
        ne_error("Nova database %s: out of memory in the MariaDB client", db->label);
        return -1;
    }
    if (set_opts(db->my, u, db->label) < 0) {
        mysql_close(db->my);
        db->my = NULL;
        return -1;
    }
    ne_debug(NE_DBG_SQL, "connecting to %s%s", db->label, u->tls ? " (TLS)" : "");
    if (!mysql_real_connect(db->my, u->host ? u->host : "localhost", u->user, u->password,
                            u->database, u->port, u->socket, CLIENT_FOUND_ROWS)) {
        ne_error("cannot connect to the Nova database %s: %s", db->label, mysql_error(db->my));
        mysql_close(db->my);
        db->my = NULL;
        return -1;
    }
    if (u->tls && !mysql_get_ssl_cipher(db->my)) { /* TLS asked for: never plaintext */
        ne_error("Nova database %s: connected without TLS although the connection URL asks "
                 "for it; check the server's TLS setup", db->label);
        mysql_close(db->my);
        db->my = NULL;
        return -1;
    }
    ne_debug(NE_DBG_SQL, "connected to %s: server %s, connection %lu%s%s", db->label,
             mysql_get_server_info(db->my), mysql_thread_id(db->my), u->tls ? ", TLS " : "",
             u->tls ? mysql_get_ssl_cipher(db->my) : "");
    return 0;
}

struct colset {
    char **cols;
    size_t n;
};

static int
col_row(const char *const *c, size_t n, void *opaque)
{
    struct colset *cs = opaque;

    if (n < 1 || !c[0] || cs->n >= 16) return 0;
    cs->cols[cs->n++] = xstrdup(c[0]);
    return 0;
}

/* Which schema the database has, by its columns (one query, at connect
 * time; a reconnection reaches the same database).  -1 (reported) when it
 * is none the tool knows. */
static int
detect_schema(struct ne_db *db)
{
    char *cols[16];
    struct colset cs = {cols, 0};
    const char *why = NULL;
    size_t i;
    int rc = 0;

    db->schema = NE_SCHEMA_CURRENT; /* the query has no variant */
    if (novadb_query(db, NE_SQL_SCHEMA_COLUMNS, NULL, 0, col_row, &cs) < 0) return -1;
    db->schema = ne_schema_of((const char *const *)cols, cs.n, &why);
    if (db->schema == NE_SCHEMA_UNKNOWN) {
        ne_error("Nova database %s: not a Nova schema this tool knows (it has %s column %s); "
                 "supported are the current schema (Newton and later) and the Icehouse-era "
                 "one (Icehouse, Juno): check the database name in the connection URL",
                 db->label, cs.n == 0 ? "no Nova tables, no" : "not all of them, no", why);
        rc = -1;
    } else {
        ne_debug(NE_DBG_SQL, "Nova database %s: %s schema", db->label, ne_schema_name(db->schema));
    }
    for (i = 0; i < cs.n; i++) free(cols[i]);
    return rc;
}

struct ne_db *
novadb_connect(const struct ne_dburl *url)
{
    struct ne_db *db = xcalloc(1, sizeof *db);

    db->url = *url;
    /* deep copy: the caller keeps its own */
    db->url.user = xstrdup_null(url->user);
    db->url.password = xstrdup_null(url->password);
    db->url.host = xstrdup_null(url->host);
    db->url.socket = xstrdup_null(url->socket);
    db->url.database = xstrdup_null(url->database);
    db->url.charset = xstrdup_null(url->charset);
    db->url.ssl_ca = xstrdup_null(url->ssl_ca);
    db->url.ssl_capath = xstrdup_null(url->ssl_capath);
    db->url.ssl_cert = xstrdup_null(url->ssl_cert);
    db->url.ssl_key = xstrdup_null(url->ssl_key);
    db->url.ssl_cipher = xstrdup_null(url->ssl_cipher);
    db->url.ssl_crl = xstrdup_null(url->ssl_crl);
    db->url.ssl_crlpath = xstrdup_null(url->ssl_crlpath);
    db->url.tls_version = xstrdup_null(url->tls_version);
    db->url.read_default_file = xstrdup_null(url->read_default_file);
    db->url.read_default_group = xstrdup_null(url->read_default_group);
    db->label = ne_dburl_label(url);
    if (open_conn(db) < 0 || detect_schema(db) < 0) {
        novadb_close(db);
        return NULL;
    }
    return db;
}

static void
drop_stmts(struct ne_db *db)
{
    size_t i;

    for (i = 0; i < db->nstmts; i++) mysql_stmt_close(db->stmts[i].st);
    db->nstmts = 0;
}

void
novadb_close(struct ne_db *db)
{
    size_t i;

    if (!db) return;
    drop_stmts(db);
    free(db->stmts);
    if (db->my) mysql_close(db->my);
    for (i = 0; i < db->nvars; i++) {
        free(db->vars[i].name);
        free(db->vars[i].value);
    }
    free(db->vars);
    ne_dburl_clear(&db->url);
    free(db->label);
    free(db);
}

const char *novadb_label(const struct ne_db *db) { return db->label; }
bool novadb_lost(const struct ne_db *db) { return db->lost; }

int
novadb_set_schema(struct ne_db *db, const char *name, const char *value)
{
    size_t i, len = strlen(value);

    for (i = 0; i < len; i++)
        if (!((value[i] >= 'a' && value[i] <= 'z') || (value[i] >= 'A' && value[i] <= 'Z') ||
              (value[i] >= '0' && value[i] <= '9') || value[i] == '_'))
            break;
    if (len == 0 || len > 64 || i < len) {
        ne_error("invalid %s schema name '%.64s': only letters, digits and '_' are allowed", name,
                 value);
        return -1;
    }
    for (i = 0; i < db->nvars; i++)
        if (strcmp(db->vars[i].name, name) == 0) break;
    if (i == db->nvars) {
        xgrow(&db->vars, &db->capvars, db->nvars + 1, sizeof *db->vars);
        db->vars[db->nvars++].name = xstrdup(name);
    }
    free(db->vars[i].value);
    db->vars[i].value = xstrdup(value);
    drop_stmts(db); /* texts may change */
    return 0;
}

/* The text of query with every {name} replaced by `value`.  Newly allocated;
 * NULL (reported) when a placeholder has no value. */
/* The text of query for the connection's schema: its variant when it has
 * one (sql/NAME.VARIANT.sql), else the current text.  The only place that
 * chooses. */
static const char *
text_for(const struct ne_db *db, const char *query)
{
    const struct ne_sqltext *t = &ne_sqltexts[sql_of(query)];

    return db->schema < NE_SCHEMA_COUNT && t->variant[db->schema] ? t->variant[db->schema]
                                                                   : t->text;
}

/* True (said at --debug sql) when query has nothing to do on this schema. */
static bool
nothing_to_do(const struct ne_db *db, const char *query)
{
    if (*text_for(db, query)) return false;
    ne_debug(NE_DBG_SQL, "query %s: nothing to do on the %s schema (sql/%s.%s.sql)", query,
             ne_schema_name(db->schema), query, ne_schema_name(db->schema));
    return true;
}

static char *
expand(const struct ne_db *db, const char *query)
{
    const char *t = text_for(db, query), *p;
    char *out = xstrdup(""), *tmp;

    while ((p = strchr(t, '{'))) {
        size_t len = strcspn(p + 1, "}"), i;
        const char *val = NULL;
        for (i = 0; i < db->nvars; i++)
            if (strlen(db->vars[i].name) == len && strncmp(db->vars[i].name, p + 1, len) == 0)
                val = db->vars[i].value;
        if (!val || p[1 + len] != '}') {
            ne_error("query %s: no value for the placeholder {%.*s}", query, (int)len, p + 1);
            free(out);
            return NULL;
        }
        tmp = xasprintf("%s%.*s`%s`", out, (int)(p - t), t, val);
        free(out);
        out = tmp;
        t = p + len + 2;
    }
    tmp = xasprintf("%s%s", out, t);
    free(out);
    return tmp;
}

static int
reconnect(struct ne_db *db)
{
    drop_stmts(db);
    if (db->my) mysql_close(db->my);
    db->my = NULL;
    ne_info("Nova database %s: connection lost, reconnecting", db->label);
    return open_conn(db);
}

/* The prepared statement for query (cached per connection). */
static MYSQL_STMT *
prepare(struct ne_db *db, const char *query)
{
    CLEANUP_FREE char *text = NULL;
    MYSQL_STMT *st;
    size_t i;

    for (i = 0; i < db->nstmts; i++)
        if (db->stmts[i].name == query) return db->stmts[i].st;
    text = expand(db, query);
    if (!text) return NULL;
    st = mysql_stmt_init(db->my);
    if (!st || mysql_stmt_prepare(st, text, strlen(text)) != 0) {
        db->lost = is_lost(st ? mysql_stmt_errno(st) : mysql_errno(db->my));
        if (!db->lost) /* a lost connection is the caller's to report */
            ne_error("Nova database %s: cannot prepare query %s: %s", db->label, query,
                     st ? mysql_stmt_error(st) : mysql_error(db->my));
        if (st) mysql_stmt_close(st);
        return NULL;
    }
    xgrow(&db->stmts, &db->capstmts, db->nstmts + 1, sizeof *db->stmts);
    db->stmts[db->nstmts].name = query; /* static, from ne_sqltexts */
    db->stmts[db->nstmts++].st = st;
    return st;
}

/* Binds p to st and executes it; the bind buffers must live until the
 * execution, hence both in one function. */
static int
bind_exec(struct ne_db *db, MYSQL_STMT *st, const char *query, const struct ne_dbv *p, size_t n)
{
    CLEANUP_FREE MYSQL_BIND *b = xcalloc(n + 1, sizeof *b);
    CLEANUP_FREE unsigned long *lens = xcalloc(n + 1, sizeof *lens);
    size_t i;

    if (mysql_stmt_param_count(st) != n) {
        fprintf(stderr, "nova-evac: BUG: query %s takes %lu parameters, given %zu\n", query,
                mysql_stmt_param_count(st), n);
        abort();
    }
    for (i = 0; i < n; i++) {
        switch (p[i].type) {
        case NE_DBV_NULL:
            b[i].buffer_type = MYSQL_TYPE_NULL;
            break;
        case NE_DBV_STR:
            lens[i] = strlen(p[i].s);
            b[i].buffer_type = MYSQL_TYPE_STRING;
            b[i].buffer = (void *)p[i].s;
            b[i].buffer_length = lens[i];
            b[i].length = &lens[i];
            break;
        case NE_DBV_INT:
            b[i].buffer_type = MYSQL_TYPE_LONGLONG;
            b[i].buffer = (void *)&p[i].i;
            break;
        }
    }
    if (n && mysql_stmt_bind_param(st, b) != 0) {
        ne_error("Nova database %s: query %s: cannot bind parameters: %s", db->label, query,
                 mysql_stmt_error(st));
        return -2;
    }
    return mysql_stmt_execute(st) == 0 ? 0 : -1;
}

static void
debug_params(const char *query, const struct ne_dbv *p, size_t n)
{
    size_t i;

    if (!ne_debug_on(NE_DBG_SQL)) return;
    ne_debug_msg(NE_DBG_SQL, "query %s (%zu parameter%s)", query, n, n == 1 ? "" : "s");
    for (i = 0; i < n; i++) {
        if (p[i].type == NE_DBV_STR)
            ne_debug_msg(NE_DBG_SQL, "  ?%zu = '%s'", i + 1, p[i].s);
        else if (p[i].type == NE_DBV_INT)
            ne_debug_msg(NE_DBG_SQL, "  ?%zu = %lld", i + 1, p[i].i);
        else
            ne_debug_msg(NE_DBG_SQL, "  ?%zu = NULL", i + 1);
    }
}

/* Prepares (cached), binds and executes; one reconnect-and-retry when the
 * connection was lost outside a transaction. */
static MYSQL_STMT *
run(struct ne_db *db, const char *query, const struct ne_dbv *p, size_t n)
{
    int attempt;

    debug_params(query, p, n);
    for (attempt = 0; attempt < 2; attempt++) {
        MYSQL_STMT *st;

        db->lost = false;
        if (!db->my && reconnect(db) < 0) return NULL;
        st = prepare(db, query);
        if (!st && !db->lost) return NULL;
        if (st) {
            int r = bind_exec(db, st, query, p, n);
            if (r == 0) return st;
            if (r == -2) goto fail;
            if (!is_lost(mysql_stmt_errno(st))) {
                ne_error("Nova database %s: query %s failed: %s", db->label, query,
                         mysql_stmt_error(st));
                goto fail;
            }
        }
        db->lost = true;
        if (db->in_tx || attempt == 1) {
            ne_error("Nova database %s: connection lost during query %s%s", db->label, query,
                     db->in_tx ? "; the server rolled the transaction back" : "");
            drop_stmts(db);
            mysql_close(db->my);
            db->my = NULL;
            return NULL;
        }
        if (reconnect(db) < 0) return NULL;
        continue;
    fail:
        return NULL;
    }
    return NULL;
}

struct rowbuf {
    size_t n;
    MYSQL_BIND *b;
    char **buf;
    unsigned long *len;
    my_bool *null, *err;
    const char **cols;
};

static void
rowbuf_free(struct rowbuf *r)
{
    size_t i;

    for (i = 0; i < r->n; i++) free(r->buf[i]);
    free(r->b);
    free(r->buf);
    free(r->len);
    free(r->null);
    free(r->err);
    free(r->cols);
}

static void
rowbuf_init(struct rowbuf *r, size_t n)
{
    size_t i;

    r->n = n;
    r->b = xcalloc(n + 1, sizeof *r->b);
    r->buf = xcalloc(n + 1, sizeof *r->buf);
    r->len = xcalloc(n + 1, sizeof *r->len);
    r->null = xcalloc(n + 1, sizeof *r->null);
    r->err = xcalloc(n + 1, sizeof *r->err);
    r->cols = xcalloc(n + 1, sizeof *r->cols);
    for (i = 0; i < n; i++) {
        r->buf[i] = xmalloc(256);
        r->b[i].buffer_type = MYSQL_TYPE_STRING;
        r->b[i].buffer = r->buf[i];
        r->b[i].buffer_length = 255; /* one byte kept for the NUL */
        r->b[i].length = &r->len[i];
        r->b[i].is_null = &r->null[i];
        r->b[i].error = &r->err[i];
    }
}

/* After a fetch: grows and re-fetches truncated columns, NUL-terminates. */
static int
rowbuf_finish(struct ne_db *db, MYSQL_STMT *st, struct rowbuf *r, const char *query)
{
    size_t i;

    for (i = 0; i < r->n; i++) {
        if (r->null[i]) {
            r->cols[i] = NULL;
            continue;
        }
        if (r->len[i] > r->b[i].buffer_length) {
            if (r->len[i] > MAX_CELL) {
                ne_error("Nova database %s: query %s: a value of %lu bytes is too long", db->label,
                         query, r->len[i]);
                return -1;
            }
            r->buf[i] = xrealloc(r->buf[i], r->len[i] + 1);
            r->b[i].buffer = r->buf[i];
            r->b[i].buffer_length = r->len[i];
            if (mysql_stmt_fetch_column(st, &r->b[i], (unsigned)i, 0) != 0) {
                ne_error("Nova database %s: query %s: %s", db->label, query, mysql_stmt_error(st));
                return -1;
            }
            mysql_stmt_bind_result(st, r->b);
        }
        r->buf[i][r->len[i]] = '\0';
        r->cols[i] = r->buf[i];
    }
    return 0;
}

static long
fetch_all(struct ne_db *db, MYSQL_STMT *st, const char *query, ne_db_row_fn cb, void *opaque)
{
    MYSQL_RES *meta = mysql_stmt_result_metadata(st);
    struct rowbuf r = {0};
    long rows = 0;
    int rc;

    if (!meta) return 0;
    rowbuf_init(&r, mysql_num_fields(meta));
    mysql_free_result(meta);
    if (mysql_stmt_bind_result(st, r.b) != 0 || mysql_stmt_store_result(st) != 0) {
        db->lost = is_lost(mysql_stmt_errno(st));
        ne_error("Nova database %s: query %s: %s", db->label, query, mysql_stmt_error(st));
        rows = -1;
    }
    while (rows >= 0 && (rc = mysql_stmt_fetch(st)) != MYSQL_NO_DATA) {
        if (rc == 1) {
            ne_error("Nova database %s: query %s: %s", db->label, query, mysql_stmt_error(st));
            rows = -1;
        } else if (rowbuf_finish(db, st, &r, query) < 0) {
            rows = -1;
        } else if (cb && cb(r.cols, r.n, opaque) < 0) {
            rows = -1;
        } else {
            rows++;
        }
    }
    mysql_stmt_free_result(st);
    rowbuf_free(&r);
    return rows;
}

long
novadb_query(struct ne_db *db, enum ne_sql q, const struct ne_dbv *params, size_t n,
             ne_db_row_fn cb, void *opaque)
{
    const char *query = novadb_sql_name(q);
    MYSQL_STMT *st;
    long rows;

    if (nothing_to_do(db, query)) return 0;
    st = run(db, query, params, n);
    if (!st) return -1;
    rows = fetch_all(db, st, query, cb, opaque);
    ne_debug(NE_DBG_SQL, "query %s: %ld row%s", query, rows, rows == 1 ? "" : "s");
    return rows;
}

long
novadb_exec(struct ne_db *db, enum ne_sql q, const struct ne_dbv *params, size_t n)
{
    const char *query = novadb_sql_name(q);
    MYSQL_STMT *st;
    my_ulonglong rows;

    if (nothing_to_do(db, query)) return 0;
    st = run(db, query, params, n);
    if (!st) return -1;
    rows = mysql_stmt_affected_rows(st);
    ne_debug(NE_DBG_SQL, "query %s: %llu row%s matched", query, (unsigned long long)rows,
             rows == 1 ? "" : "s");
    return (long)rows;
}

int
novadb_begin(struct ne_db *db)
{
    db->lost = false;
    if (!db->my && reconnect(db) < 0) return -1;
    if (mysql_autocommit(db->my, 0) != 0) {
        /* the session may have timed out since the last query */
        if (!is_lost(mysql_errno(db->my)) || reconnect(db) < 0 || mysql_autocommit(db->my, 0) != 0) {
            ne_error("Nova database %s: cannot start a transaction: %s", db->label,
                     db->my ? mysql_error(db->my) : "not connected");
            return -1;
        }
    }
    db->in_tx = true;
    ne_debug(NE_DBG_SQL, "transaction started");
    return 0;
}

int
novadb_commit(struct ne_db *db)
{
    int rc = 0;

    if (!db->my || mysql_commit(db->my) != 0) {
        db->lost = !db->my || is_lost(mysql_errno(db->my));
        ne_error("Nova database %s: commit failed: %s", db->label,
                 db->my ? mysql_error(db->my) : "connection lost");
        if (db->my) mysql_rollback(db->my);
        rc = -1;
    }
    if (db->my) mysql_autocommit(db->my, 1);
    db->in_tx = false;
    ne_debug(NE_DBG_SQL, "transaction %s", rc == 0 ? "committed" : "rolled back");
    return rc;
}

void
novadb_rollback(struct ne_db *db)
{
    if (db->my) {
        mysql_rollback(db->my);
        mysql_autocommit(db->my, 1);
    }
    db->in_tx = false;
    ne_debug(NE_DBG_SQL, "transaction rolled back");
}

int
novadb_prepare(struct ne_db *db, enum ne_sql q)
{
    const char *query = novadb_sql_name(q);
    if (nothing_to_do(db, query)) return 0;
    if (!db->my && reconnect(db) < 0) return -1;
    if (prepare(db, query)) return 0;
    if (db->lost && !db->in_tx && reconnect(db) == 0 && prepare(db, query)) return 0;
    if (db->lost) ne_error("Nova database %s: connection lost preparing query %s", db->label, query);
    return -1;
}

enum ne_schema
novadb_schema(const struct ne_db *db)
{
    return db->schema;
}

unsigned long
novadb_connection_id(const struct ne_db *db)
{
    return db->my ? mysql_thread_id(db->my) : 0;
}
