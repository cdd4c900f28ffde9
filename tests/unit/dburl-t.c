/* SPDX-License-Identifier: Apache-2.0 */
/* dburl-t.c: Nova's SQLAlchemy connection strings, and that the password
 * never shows in a label or on the command line. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "novadb/dburl.h"
#include "tap.h"

/* Parses url; returns 0/-1 and fills *u (cleared on failure). */
static int
p(const char *url, struct ne_dburl *u)
{
    return ne_dburl_parse(url, "t", u);
}

/* Every TLS option is honoured or refused, never ignored. */
static void
tls_options(void)
{
    struct ne_dburl u;

    ok(p("mysql+pymysql://n@h/nova?ssl=true", &u) == 0 && u.tls && u.tls_verify,
       "ssl=true: TLS required and verified");
    ne_dburl_clear(&u);
    ok(p("mysql+pymysql://n@h/nova?ssl=1&ssl_ca=/ca", &u) == 0 && u.tls && u.tls_verify,
       "ssl=1 with a CA");
    ne_dburl_clear(&u);
    ok(p("mysql+pymysql://n@h/nova?ssl_mode=REQUIRED", &u) == 0 && u.tls && !u.tls_verify,
       "ssl_mode=REQUIRED: TLS, not verified (warned)");
    ne_dburl_clear(&u);
    ok(p("mysql+pymysql://n@h/nova?ssl_mode=verify_identity", &u) == 0 && u.tls && u.tls_verify,
       "ssl_mode=VERIFY_IDENTITY (any case): verified");
    ne_dburl_clear(&u);
    ok(p("mysql+pymysql://n@h/nova?ssl_mode=DISABLED", &u) == 0 && !u.tls,
       "ssl_mode=DISABLED: no TLS");
    ne_dburl_clear(&u);
    ok(p("mysql+pymysql://n@h/nova?ssl_mode=PREFERRED", &u) < 0,
       "ssl_mode=PREFERRED (silent plaintext fallback) refused");
    ok(p("mysql+pymysql://n@h/nova?ssl_mode=VERIFY_CA", &u) < 0,
       "ssl_mode=VERIFY_CA refused (the client checks the name too)");
    ok(p("mysql+pymysql://n@h/nova?ssl_mode=bogus", &u) < 0, "unknown ssl_mode refused");
    ok(p("mysql+pymysql://n@h/nova?ssl_mode=DISABLED&ssl_ca=/ca", &u) < 0,
       "DISABLED with a CA is a contradiction, refused");
    ok(p("mysql+pymysql://n@h/nova?ssl=false&ssl_mode=REQUIRED", &u) < 0,
       "ssl=false with REQUIRED refused");
    ok(p("mysql+pymysql://n@h/nova?ssl_check_hostname=false", &u) < 0,
       "ssl_check_hostname=false refused, not turned into no verification at all");
    ok(p("mysql+pymysql://n@h/nova?ssl_check_hostname=true", &u) == 0 && u.tls && u.tls_verify,
       "ssl_check_hostname=true: verified");
    ne_dburl_clear(&u);
    ok(p("mysql+pymysql://n@h/nova?ssl_verify_identity=false", &u) < 0,
       "ssl_verify_identity=false refused");
    ok(p("mysql+pymysql://n@h/nova?ssl_verify_cert=False&ssl_ca=/ca", &u) == 0 && u.tls &&
       !u.tls_verify, "ssl_verify_cert=False (Python spelling) turns verification off");
    ne_dburl_clear(&u);
    ok(p("mysql+pymysql://n@h/nova?ssl_crl=/crl.pem&ssl_crlpath=/crl&tls_version=TLSv1.3",
         &u) == 0 && u.tls && u.tls_verify, "CRL and TLS version honoured");
    is_str(u.ssl_crl, "/crl.pem", "ssl_crl");
    is_str(u.ssl_crlpath, "/crl", "ssl_crlpath");
    is_str(u.tls_version, "TLSv1.3", "tls_version");
    ne_dburl_clear(&u);
    ok(p("mysql+pymysql://n@h/nova?ssl_key_password=x", &u) < 0,
       "an unknown ssl_* option refused, not ignored");
    ok(p("mysql+pymysql://n@h/nova?tls=1", &u) < 0, "an unknown tls option refused");
    ok(p("mysql+pymysql://n@h/nova?sslmode=require", &u) < 0, "libpq's sslmode refused");
}

int
main(void)
{
    struct ne_dburl u;
    struct ne_config cfg;
    char *label;

    ok(ne_dburl_parse("mysql+pymysql://nova:s%40cr%2Ft@db.example.org:3307/nova?charset=utf8",
                      "t", &u) == 0, "nova.conf style URL parses");
    is_str(u.user, "nova", "user");
    is_str(u.password, "s@cr/t", "percent-encoded password decoded");
    is_str(u.host, "db.example.org", "host");
    is_int(u.port, 3307, "port");
    is_str(u.database, "nova", "database");
    is_str(u.charset, "utf8", "charset option");
    ok(!u.tls, "no TLS unless asked");
    label = ne_dburl_label(&u);
    is_str(label, "mysql://nova@db.example.org:3307/nova", "label has no password");
    ok(!strstr(label, "s@cr"), "label never holds the password");
    free(label);
    ne_dburl_clear(&u);

    ok(ne_dburl_parse("mysql+pymysql://root@/nova?unix_socket=/run/mysqld/mysqld.sock", "t", &u) == 0,
       "unix socket URL parses");
    ok(u.host == NULL && u.password == NULL, "no host, no password");
    is_str(u.socket, "/run/mysqld/mysqld.sock", "socket");
    label = ne_dburl_label(&u);
    is_str(label, "mysql://root@localhost/nova?unix_socket=/run/mysqld/mysqld.sock", "socket label");
    free(label);
    ne_dburl_clear(&u);

    ok(ne_dburl_parse("mysql://n:p@[fd00::5]:3306/nova_cell1?ssl_ca=/etc/ca.pem&ssl_cert=/c&ssl_key=/k",
                      "t", &u) == 0, "IPv6 host with TLS options");
    is_str(u.host, "fd00::5", "IPv6 host");
    ok(u.tls && u.tls_verify, "ssl_ca turns TLS on, verified by default");
    is_str(u.ssl_ca, "/etc/ca.pem", "ssl_ca");
    is_str(u.ssl_key, "/k", "ssl_key");
    label = ne_dburl_label(&u);
    is_str(label, "mysql://n@[fd00::5]:3306/nova_cell1", "IPv6 label");
    free(label);
    ne_dburl_clear(&u);

    ok(ne_dburl_parse("mysql+pymysql://n@h/nova?ssl_ca=/ca&ssl_verify_cert=false", "t", &u) == 0,
       "verification can be turned off explicitly");
    ok(u.tls && !u.tls_verify, "ssl_verify_cert=false");
    ne_dburl_clear(&u);

    ok(ne_dburl_parse("mysql+pymysql://n@h/nova?read_default_file=/etc/nova/my.cnf&plugin=dbcounter",
                      "t", &u) == 0, "option file; oslo's plugin=dbcounter ignored");
    is_str(u.read_default_file, "/etc/nova/my.cnf", "read_default_file");
    ne_dburl_clear(&u);

    ok(ne_dburl_parse("postgresql://n:p@h/nova", "t", &u) < 0, "PostgreSQL refused");
    ok(ne_dburl_parse("sqlite:////var/lib/nova/nova.sqlite", "t", &u) < 0, "sqlite refused");
    ok(ne_dburl_parse("mysqlx://n:p@h/nova", "t", &u) < 0, "mysqlx refused");
    ok(ne_dburl_parse("mysql+pymysql://n:p@h:99999/nova", "t", &u) < 0, "bad port refused");
    ok(ne_dburl_parse("mysql+pymysql://n:p@h", "t", &u) < 0, "no database refused");
    ok(ne_dburl_parse("mysql+pymysql://n:p%zz@h/nova", "t", &u) < 0, "bad escape refused");
    ok(ne_dburl_parse("mysql+pymysql://n:p%00@h/nova", "t", &u) < 0, "encoded NUL refused");
    ok(ne_dburl_parse("mysql://n@h/nova?ssl_verify_cert=maybe", "t", &u) < 0, "bad boolean refused");

    tls_options();

    /* --db never takes a password; the environment may. */
    memset(&cfg, 0, sizeof cfg);
    cfg.nova_conf = (char *)"/nonexistent/nova.conf";
    unsetenv("NOVA_EVAC_DB");
    unsetenv("NOVA_EVAC_NOVA_CONF");
    unsetenv("NOVA_EVAC_DB_PASSWORD");
    ok(ne_dburl_resolve(&cfg, "mysql://nova:secret@h/nova", &u) < 0, "--db with a password refused");
    setenv("NOVA_EVAC_DB_PASSWORD", "fromenv", 1);
    ok(ne_dburl_resolve(&cfg, "mysql://nova@h/nova", &u) == 0, "--db without a password");
    is_str(u.password, "fromenv", "password from $NOVA_EVAC_DB_PASSWORD");
    ne_dburl_clear(&u);
    setenv("NOVA_EVAC_DB", "mysql://a:b@h2/nova_cell1", 1);
    ok(ne_dburl_resolve(&cfg, NULL, &u) == 0, "$NOVA_EVAC_DB");
    is_str(u.password, "b", "password in $NOVA_EVAC_DB kept");
    is_str(u.database, "nova_cell1", "database from $NOVA_EVAC_DB");
    ne_dburl_clear(&u);
    unsetenv("NOVA_EVAC_DB");
    ok(ne_dburl_resolve(&cfg, NULL, &u) < 0, "missing nova.conf reported");

    /* nova.conf, as Nova reads it. */
    {
        char path[] = "/tmp/dburl-t-XXXXXX";
        int fd = mkstemp(path);
        FILE *f = fdopen(fd, "w");
        fputs("[DEFAULT]\ndebug = true\n[database]\n"
              "connection = mysql+pymysql://nova:p%40ss@db.example:3306/nova_cell1?charset=utf8\n"
              "[api_database]\nconnection = mysql+pymysql://nova:x@db/nova_api\n", f);
        fclose(f);
        cfg.nova_conf = path;
        unsetenv("NOVA_EVAC_DB_PASSWORD");
        ok(ne_dburl_resolve(&cfg, NULL, &u) == 0, "nova.conf [database] connection");
        is_str(u.database, "nova_cell1", "the cell database, not the API one");
        is_str(u.password, "p@ss", "its password");
        ne_dburl_clear(&u);
        setenv("NOVA_EVAC_NOVA_CONF", "/nonexistent/nova.conf", 1);
        ok(ne_dburl_resolve(&cfg, NULL, &u) < 0, "$NOVA_EVAC_NOVA_CONF wins over nova_conf");
        unsetenv("NOVA_EVAC_NOVA_CONF");
        f = fopen(path, "w");
        fputs("[database]\nconnection =\n", f);
        fclose(f);
        ok(ne_dburl_resolve(&cfg, NULL, &u) < 0, "empty [database] connection reported");
        unlink(path);
    }
    return done_testing();
}
