/* SPDX-License-Identifier: Apache-2.0 */
/* dburl.h: where the Nova database is and how to reach it, from the same
 * places Nova reads it (HACKING.md rule 6).  Pure parsing, no MariaDB.
 *
 * The connection string is SQLAlchemy's, as in nova.conf:
 *   mysql+pymysql://USER:PASSWORD@HOST:PORT/DATABASE?unix_socket=...&ssl_ca=...
 * User, password and database may be percent-encoded.  The password never
 * reaches a message or a log: use ne_dburl_label() to name a connection.
 *
 * TLS options (HACKING.md rule 6: TLS is verified unless the configuration
 * says otherwise) are honoured or refused, never ignored:
 *   ssl=true|false, ssl_mode=DISABLED|REQUIRED|VERIFY_IDENTITY (any case),
 *   ssl_ca, ssl_capath, ssl_cert, ssl_key, ssl_cipher, ssl_crl,
 *   ssl_crlpath, tls_version, ssl_verify_cert=BOOL;
 * refused: ssl_mode=PREFERRED (silent fallback to plaintext), VERIFY_CA
 * and ssl_check_hostname/ssl_verify_identity=false (MariaDB Connector/C
 * verifies the certificate and the host name together), and any other
 * ssl_* or tls_* option.  ssl_verify_cert=false and ssl_mode=REQUIRED
 * (encrypted, not verified) are warned about. */
#ifndef NE_DBURL_H
#define NE_DBURL_H

#include <stdbool.h>

#include "util/config.h"

struct ne_dburl {
    char *user, *password, *host, *socket, *database; /* NULL when absent */
    unsigned port;                                    /* 0 = default (3306) */
    char *charset;                                    /* default utf8mb4 */
    char *ssl_ca, *ssl_capath, *ssl_cert, *ssl_key, *ssl_cipher, *ssl_crl, *ssl_crlpath;
    char *tls_version; /* "TLSv1.2,TLSv1.3" */
    bool tls;        /* TLS required: ssl=true, ssl_mode=REQUIRED/VERIFY_IDENTITY, any ssl_* */
    bool tls_verify; /* verify the server certificate and name (default on) */
    bool tls_off;    /* ssl=false or ssl_mode=DISABLED (no other ssl option allowed) */
    char *read_default_file, *read_default_group;     /* MySQL option file */
};

/* Parses url; origin names where it came from in messages ("nova.conf
 * [database] connection", "--db").  Fills *out (free with ne_dburl_clear)
 * and returns 0, or reports (without the password) and returns -1. */
int ne_dburl_parse(const char *url, const char *origin, struct ne_dburl *out);
void ne_dburl_clear(struct ne_dburl *u);

/* "mysql://user@host:port/db" (or "...?unix_socket=PATH"): no password.
 * Newly allocated. */
char *ne_dburl_label(const struct ne_dburl *u);

/* Finds the Nova (cell) database:
 *   1. override (the --db option): a URL that must not hold a password;
 *      the password then comes from $NOVA_EVAC_DB_PASSWORD or the MySQL
 *      option file named by read_default_file;
 *   2. $NOVA_EVAC_DB (a URL, password allowed: the environment is not argv);
 *   3. [database] connection in nova.conf ($NOVA_EVAC_NOVA_CONF, else the
 *      configuration's nova_conf).
 * Returns 0 with *out filled, or -1 after reporting (a configuration error). */
int ne_dburl_resolve(const struct ne_config *cfg, const char *override, struct ne_dburl *out);

#endif
