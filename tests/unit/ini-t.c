/* SPDX-License-Identifier: Apache-2.0 */
/* ini-t.c: INI reader and the tool's configuration. */
#include <config.h>

#include <stdio.h>
#include <unistd.h>

#include "tap.h"
#include "util/config.h"
#include "util/ini.h"
#include "util/mem.h"

static char *
write_tmp(const char *text)
{
    char *path = xstrdup("/tmp/ne-ini-XXXXXX");
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

int
main(void)
{
    struct ini *ini;
    struct ne_config *c;
    char *p, *u;

    ini = ini_parse("top = 1\n[database]\n# comment\nconnection = mysql+pymysql://u:p@h/nova \n"
                    "[database]\nconnection = second\n; c\nflag=yes\n", "t");
    ok(ini != NULL, "parses");
    is_str(ini_get(ini, "DEFAULT", "top"), "1", "keys before a section are DEFAULT");
    is_str(ini_get(ini, "database", "connection"), "second", "later duplicate wins");
    is_int(ini_get_bool(ini, "database", "flag", false), 1, "yes is true");
    is_int(ini_get_bool(ini, "database", "nope", true), 1, "default when absent");
    ok(ini_get(ini, "x", "top") == NULL, "unknown section");
    ini_free(ini);

    ok(ini_parse("[broken\n", "t") == NULL, "unterminated section rejected");
    ok(ini_parse("novalue\n", "t") == NULL, "line without '=' rejected");
    ok(ini_parse("= v\n", "t") == NULL, "empty key rejected");

    p = write_tmp("[DEFAULT]\ninstances_path = /srv/inst/\n[node:node01]\nuri = test:///default\n"
                  "[libvirt]\nallow_unsafe = true\n[migration]\ndowntime = 300\n");
    c = ne_config_load(p);
    ok(c != NULL, "config loads");
    is_str(c->instances_path, "/srv/inst", "trailing slash stripped");
    ok(c->allow_unsafe, "allow_unsafe read");
    is_int(c->downtime_ms, 300, "downtime read");
    u = ne_node_uri(c, "node01");
    is_str(u, "test:///default", "per-node uri");
    free(u);
    u = ne_node_uri(c, "node07");
    is_str(u, "qemu+tcp://node07/system", "template uri for other hosts");
    free(u);
    u = ne_node_peer_uri(c, "node07");
    is_str(u, "qemu+tcp://node07/system", "peer template");
    free(u);
    ne_config_free(c);
    unlink(p);
    free(p);

    p = write_tmp("[libvirt]\nuri_template = qemu+tcp://host/system\n");
    ok(ne_config_load(p) == NULL, "template without %%s rejected");
    unlink(p);
    free(p);
    p = write_tmp("[migration]\ndowntime = -5\n");
    ok(ne_config_load(p) == NULL, "negative number rejected");
    unlink(p);
    free(p);
    p = write_tmp("[node:bad'name]\nuri = x\n");
    ok(ne_config_load(p) == NULL, "hostile node name rejected");
    unlink(p);
    free(p);
    ok(ne_config_load("/nonexistent/nova-evac.conf") == NULL, "explicit missing file is an error");

    ok(ne_check_hostname("node02.example.com") == 0, "plain host name accepted");
    ok(ne_check_hostname("node02; rm -rf /") < 0, "shell metacharacters rejected");
    ok(ne_check_hostname("x' OR '1'='1") < 0, "SQL quote rejected");
    ok(ne_check_hostname("") < 0, "empty rejected");
    ok(ne_check_hostname("-rf") < 0, "leading dash rejected");
    return done_testing();
}
