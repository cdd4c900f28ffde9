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
