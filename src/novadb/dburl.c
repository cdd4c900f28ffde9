/* SPDX-License-Identifier: Apache-2.0 */
/* dburl.c: see dburl.h. */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "novadb/dburl.h"
#include "util/ini.h"
#include "util/log.h"
#include "util/mem.h"

static int
hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Percent-decodes s[0..len) into a new string; NULL on a bad escape or an
 * encoded NUL. */
static char *
pct_decode(const char *s, size_t len)
{
    char *out = xmalloc(len + 1), *o = out;
    size_t i;

    for (i = 0; i < len; i++) {
        if (s[i] == '%') {
            if (i + 2 >= len || hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0 ||
                (hexval(s[i + 1]) == 0 && hexval(s[i + 2]) == 0)) {
                free(out);
                return NULL;
            }
            *o++ = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else {
            *o++ = s[i];
        }
    }
    *o = '\0';
    return out;
}

static bool
parse_bool(const char *v, bool *out)
{
    static const char *const yes[] = {"1", "true", "yes", "on", NULL};
    static const char *const no[] = {"0", "false", "no", "off", NULL};
    size_t i;

    for (i = 0; yes[i]; i++)
        if (strcasecmp(v, yes[i]) == 0) return (*out = true, true);
    for (i = 0; no[i]; i++)
        if (strcasecmp(v, no[i]) == 0) return (*out = false, true);
    return false;
}

/* ssl_mode, as MySQL's clients spell it. */
static int
set_ssl_mode(struct ne_dburl *u, const char *val, const char *origin)
{
    if (strcasecmp(val, "DISABLED") == 0) {
        u->tls_off = true;
    } else if (strcasecmp(val, "REQUIRED") == 0) {
        u->tls = true;
        u->tls_verify = false;
    } else if (strcasecmp(val, "VERIFY_IDENTITY") == 0) {
        u->tls = true;
    } else if (strcasecmp(val, "PREFERRED") == 0) {
        ne_error("%s: ssl_mode=PREFERRED falls back to plaintext without a word when the server "
                 "has no TLS; nova-evac refuses it: use ssl_mode=VERIFY_IDENTITY (or REQUIRED, "
                 "not verified) or ssl_mode=DISABLED", origin);
        return -1;
    } else if (strcasecmp(val, "VERIFY_CA") == 0) {
        ne_error("%s: ssl_mode=VERIFY_CA is not supported: the MariaDB client verifies the "
                 "certificate and the host name together; use ssl_mode=VERIFY_IDENTITY (or "
                 "REQUIRED, not verified)", origin);
        return -1;
    } else {
        ne_error("%s: ssl_mode: expected DISABLED, REQUIRED or VERIFY_IDENTITY", origin);
        return -1;
    }
    return 0;
}

/* The boolean TLS options. */
static int
set_tls_bool(struct ne_dburl *u, const char *key, const char *val, const char *origin)
{
    bool b;

    if (!parse_bool(val, &b)) {
        ne_error("%s: %s: expected true or false", origin, key);
        return -1;
    }
    if (strcmp(key, "ssl") == 0) {
        if (b) u->tls = true; else u->tls_off = true;
    } else if (strcmp(key, "ssl_verify_cert") == 0) {
        u->tls = true;
        if (!b) u->tls_verify = false;
    } else if (!b) { /* ssl_check_hostname, ssl_verify_identity */
        ne_error("%s: %s=false is not supported: the MariaDB client verifies the certificate "
                 "and the host name together; connect by the name in the certificate, or set "
                 "ssl_verify_cert=false (not verified at all)", origin, key);
        return -1;
    } else {
        u->tls = true;
    }
    return 0;
}

static int
set_query(struct ne_dburl *u, const char *key, const char *val, const char *origin)
{
    static const char *const ignored[] = {"plugin", "connect_timeout", "client_flag", NULL};
    static const char *const bools[] = {"ssl", "ssl_verify_cert", "ssl_check_hostname",
                                        "ssl_verify_identity", NULL};
    struct {
        const char *key;
        char **dst;
    } strs[] = {
        {"unix_socket", &u->socket}, {"charset", &u->charset}, {"ssl_ca", &u->ssl_ca},
        {"ssl_capath", &u->ssl_capath}, {"ssl_cert", &u->ssl_cert}, {"ssl_key", &u->ssl_key},
        {"ssl_cipher", &u->ssl_cipher}, {"ssl_crl", &u->ssl_crl},
        {"ssl_crlpath", &u->ssl_crlpath}, {"tls_version", &u->tls_version},
        {"read_default_file", &u->read_default_file},
        {"read_default_group", &u->read_default_group},
    };
    size_t i;

    for (i = 0; i < sizeof strs / sizeof strs[0]; i++) {
        if (strcmp(key, strs[i].key) != 0) continue;
        free(*strs[i].dst);
        *strs[i].dst = xstrdup(val);
        if (str_prefix(key, "ssl_") || str_prefix(key, "tls_")) u->tls = true;
        return 0;
    }
    if (strcmp(key, "ssl_mode") == 0) return set_ssl_mode(u, val, origin);
    for (i = 0; bools[i]; i++)
        if (strcmp(key, bools[i]) == 0) return set_tls_bool(u, key, val, origin);
    if (str_prefix(key, "ssl") || str_prefix(key, "tls")) {
        char k[80];
        ne_error("%s: TLS option '%s' is not supported by nova-evac, and ignoring it could "
                 "connect with less protection than asked; remove it or use ssl_mode, ssl_ca, "
                 "ssl_capath, ssl_cert, ssl_key, ssl_cipher, ssl_crl, ssl_crlpath, tls_version, "
                 "ssl_verify_cert", origin, ini_safe_name(key, k, sizeof k));
        return -1;
    }
    for (i = 0; ignored[i]; i++)
        if (strcmp(key, ignored[i]) == 0) return 0;
    ne_debug(NE_DBG_SQL, "%s: ignoring connection option '%s'", origin, key);
    return 0;
}

/* After all options: contradictions refused, weakened TLS warned about. */
static int
check_tls(struct ne_dburl *u, const char *origin)
{
    if (u->tls_off && u->tls) {
        ne_error("%s: TLS is both disabled (ssl=false or ssl_mode=DISABLED) and asked for by "
                 "another ssl option; keep one", origin);
        return -1;
    }
    if (u->tls && !u->tls_verify)
        ne_warn("%s: TLS without verifying the server's certificate (ssl_verify_cert=false or "
                "ssl_mode=REQUIRED): the connection is encrypted but anyone in the path can "
                "pose as the database", origin);
    return 0;
}

static int
parse_query(struct ne_dburl *u, const char *q, const char *origin)
{
    while (*q) {
        size_t len = strcspn(q, "&");
        const char *eq = memchr(q, '=', len);
        CLEANUP_FREE char *key = NULL, *val = NULL;

        if (len) {
            if (!eq) {
                ne_error("%s: an option of the connection URL has no value ('name=value')",
                         origin);
                return -1;
            }
            key = pct_decode(q, (size_t)(eq - q));
            val = pct_decode(eq + 1, len - (size_t)(eq - q) - 1);
            if (!key || !val) {
                ne_error("%s: bad percent-encoding in the options", origin);
                return -1;
            }
            if (set_query(u, key, val, origin) < 0) return -1;
        }
        q += len;
        if (*q) q++;
    }
    return 0;
}

/* user[:password]@ part; s..end excludes the '@'. */
static int
parse_userinfo(struct ne_dburl *u, const char *s, const char *end, const char *origin)
{
    const char *colon = memchr(s, ':', (size_t)(end - s));

    u->user = pct_decode(s, (size_t)((colon ? colon : end) - s));
    if (colon) u->password = pct_decode(colon + 1, (size_t)(end - colon - 1));
    if (!u->user || (colon && !u->password)) {
        ne_error("%s: bad percent-encoding in the user or password", origin);
        return -1;
    }
    return 0;
}

static int
parse_hostport(struct ne_dburl *u, const char *s, const char *end, const char *origin)
{
    const char *colon;
    unsigned long long port;

    if (s < end && *s == '[') { /* [IPv6] */
        const char *rb = memchr(s, ']', (size_t)(end - s));
        if (!rb) goto bad;
        u->host = xstrndup(s + 1, (size_t)(rb - s - 1));
        colon = rb + 1 < end && rb[1] == ':' ? rb + 1 : NULL;
        if (rb + 1 < end && !colon) goto bad;
    } else {
        colon = memchr(s, ':', (size_t)(end - s));
        if (colon != s && (colon ? colon : end) != s)
            u->host = xstrndup(s, (size_t)((colon ? colon : end) - s));
    }
    if (colon) {
        CLEANUP_FREE char *p = xstrndup(colon + 1, (size_t)(end - colon - 1));
        if (parse_u64(p, &port) < 0 || port == 0 || port > 65535) goto bad;
        u->port = (unsigned)port;
    }
    return 0;
bad:
    ne_error("%s: malformed host or port in the connection URL", origin);
    return -1;
}

int
ne_dburl_parse(const char *url, const char *origin, struct ne_dburl *out)
{
    const char *p = strstr(url, "://"), *auth, *at, *slash, *q;

    memset(out, 0, sizeof *out);
    out->tls_verify = true;
    if (!p || !(str_prefix(url, "mysql") || str_prefix(url, "mariadb")) ||
        strchr("+:", url[str_prefix(url, "mysql") ? 5 : 7]) == NULL) {
        ne_error("%s: not a MySQL/MariaDB connection URL (expected mysql+pymysql://...); "
                 "nova-evac supports MySQL and MariaDB only", origin);
        return -1;
    }
    auth = p + 3;
    slash = auth + strcspn(auth, "/?");
    /* a password may hold '/' only percent-encoded; a raw '@' is tolerated:
     * the host follows the last one */
    for (at = NULL, p = auth; p < slash; p++)
        if (*p == '@') at = p;
    if ((at && parse_userinfo(out, auth, at, origin) < 0) ||
        parse_hostport(out, at ? at + 1 : auth, slash, origin) < 0)
        goto fail;
    q = strchr(slash, '?');
    if (*slash == '/') {
        const char *dend = q ? q : slash + strlen(slash);
        if (dend > slash + 1 && !(out->database = pct_decode(slash + 1, (size_t)(dend - slash - 1)))) {
            ne_error("%s: bad percent-encoding in the database name", origin);
            goto fail;
        }
    }
    if (q && (parse_query(out, q + 1, origin) < 0 || check_tls(out, origin) < 0)) goto fail;
    if (!out->database) {
        ne_error("%s: the connection URL names no database", origin);
        goto fail;
    }
    return 0;
fail:
    ne_dburl_clear(out);
    return -1;
}

void
ne_dburl_clear(struct ne_dburl *u)
{
    char **all[] = {&u->user, &u->password, &u->host, &u->socket, &u->database, &u->charset,
                    &u->ssl_ca, &u->ssl_capath, &u->ssl_cert, &u->ssl_key, &u->ssl_cipher,
                    &u->ssl_crl, &u->ssl_crlpath, &u->tls_version, &u->read_default_file, &u->read_default_group};
    size_t i;

    for (i = 0; i < sizeof all / sizeof all[0]; i++) {
        if (*all[i] && all[i] == &u->password) memset(*all[i], 0, strlen(*all[i]));
        free(*all[i]);
    }
    memset(u, 0, sizeof *u);
}

char *
ne_dburl_label(const struct ne_dburl *u)
{
    char port[16] = "";

    if (u->port) snprintf(port, sizeof port, ":%u", u->port);
    if (u->socket)
        return xasprintf("mysql://%s%s%s/%s?unix_socket=%s", u->user ? u->user : "",
                         u->user ? "@" : "", u->host ? u->host : "localhost", u->database,
                         u->socket);
    return xasprintf("mysql://%s%s%s%s%s%s/%s", u->user ? u->user : "", u->user ? "@" : "",
                     u->host && strchr(u->host, ':') ? "[" : "", u->host ? u->host : "localhost",
                     u->host && strchr(u->host, ':') ? "]" : "", port, u->database);
}

static int
from_nova_conf(const struct ne_config *cfg, struct ne_dburl *out)
{
    const char *path = getenv("NOVA_EVAC_NOVA_CONF");
    struct ini *ini;
    const char *conn;
    CLEANUP_FREE char *origin = NULL;
    int rc;

    if (!path || !*path) path = cfg->nova_conf;
    ini = ini_load(path, false);
    if (!ini) {
        ne_error("Nova database: cannot read %s; give the Nova configuration with nova_conf in "
                 "nova-evac.conf or $NOVA_EVAC_NOVA_CONF, or the database with --db", path);
        return -1;
    }
    conn = ini_get(ini, "database", "connection");
    origin = xasprintf("%s: [database] connection", path);
    if (!conn || !*conn) {
        ne_error("%s is not set: nova-evac needs the Nova cell database (or use --db)", origin);
        ini_free(ini);
        return -1;
    }
    rc = ne_dburl_parse(conn, origin, out);
    ini_free(ini);
    return rc;
}

int
ne_dburl_resolve(const struct ne_config *cfg, const char *override, struct ne_dburl *out)
{
    const char *env = getenv("NOVA_EVAC_DB"), *pw = getenv("NOVA_EVAC_DB_PASSWORD");

    if (override) {
        if (ne_dburl_parse(override, "--db", out) < 0) return -1;
        if (out->password) {
            ne_dburl_clear(out);
            ne_error("--db: a password on the command line is visible to every user of the "
                     "host; put it in $NOVA_EVAC_DB_PASSWORD, a MySQL option file "
                     "(?read_default_file=...) or nova.conf");
            return -1;
        }
        if (pw && *pw) out->password = xstrdup(pw);
        return 0;
    }
    if (env && *env) return ne_dburl_parse(env, "$NOVA_EVAC_DB", out);
    if (from_nova_conf(cfg, out) < 0) return -1;
    if (!out->password && pw && *pw) out->password = xstrdup(pw);
    return 0;
}
