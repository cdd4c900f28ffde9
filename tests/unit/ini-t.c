/* SPDX-License-Identifier: Apache-2.0 */
/* ini-t.c: INI reader and the tool's configuration. */
#include <config.h>

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <stdbool.h>

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

/* Runs parse(text) with stderr captured; returns what it printed (newly
 * allocated) and whether it parsed in *parsed. */
static char *
stderr_of_parse(const char *text, bool *parsed)
{
    char path[] = "/tmp/ne-ini-err-XXXXXX";
    int fd = mkstemp(path), saved = dup(2);
    struct ini *ini;
    char *buf = xcalloc(1, 4096);
    FILE *f;

    fflush(stderr);
    dup2(fd, 2);
    ini = ini_parse(text, "nova.conf");
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    *parsed = ini != NULL;
    ini_free(ini);
    f = fdopen(fd, "r");
    rewind(f);
    if (fread(buf, 1, 4095, f) == 0) buf[0] = '\0';
    fclose(f);
    unlink(path);
    return buf;
}

/* oslo.config's syntax: "key: value", continuation lines, quotes. */
static void
oslo_syntax(void)
{
    struct ini *ini;

    ini = ini_parse("[DEFAULT]\ntransport_url: rabbit://user:SECRET@ctl:5672/\n"
                    "my_ip = 10.0.0.1\nodd: a=b\neven = a:b\n"
                    "[database]\nconnection =\n  mysql+pymysql://nova:pw@db/nova\n"
                    "\tline two\n\n[x]\nq = \"quoted value\"\nsq = 'x'\nhalf = \"x\n"
                    "empty =\n", "t");
    ok(ini != NULL, "oslo-style file parses");
    if (!ini) return;
    is_str(ini_get(ini, "DEFAULT", "transport_url"), "rabbit://user:SECRET@ctl:5672/",
           "'key: value' accepted");
    is_str(ini_get(ini, "DEFAULT", "odd"), "a=b", "':' before '=' splits at ':'");
    is_str(ini_get(ini, "DEFAULT", "even"), "a:b", "'=' before ':' splits at '='");
    is_str(ini_get(ini, "database", "connection"), "\nmysql+pymysql://nova:pw@db/nova\nline two",
           "continuation lines joined with newlines, as oslo does");
    is_str(ini_get(ini, "x", "q"), "quoted value", "matching double quotes removed");
    is_str(ini_get(ini, "x", "sq"), "x", "matching single quotes removed");
    is_str(ini_get(ini, "x", "half"), "\"x", "an unmatched quote is kept");
    is_str(ini_get(ini, "x", "empty"), "", "empty value");
    ok(ini_find(ini, "x", "q") && ini_find(ini, "x", "q")->line == 12, "line number kept");
    ini_free(ini);

    ini = ini_parse("[a]\nk = 1\n  # indented comment, continuation in oslo\n\n  # alone\nj=2\r\n",
                    "t");
    ok(ini != NULL, "indented comment after a blank line is skipped; CRLF accepted");
    if (ini) {
        is_str(ini_get(ini, "a", "j"), "2", "CR stripped");
        ini_free(ini);
    }
    ok(ini_parse("  orphan value\n", "t") == NULL, "continuation without a key rejected");
    ok(ini_parse("[]\n", "t") == NULL, "empty section name rejected");

}

/* Whatever the error, neither a secret nor a value reaches stderr. */
static void
no_secret_in_errors(void)
{
    struct ini *ini;
    char *err;
    bool parsed;

    err = stderr_of_parse("[DEFAULT]\ntransport_url: rabbit://user:SECRET@ctl:5672/\n", &parsed);
    ok(parsed && strstr(err, "SECRET") == NULL,
       "an oslo 'key: value' line with a secret parses, silently");
    free(err);
    /* The bug: a bad line was printed whole.  Whatever the error, neither
     * the secret nor the value reaches stderr; the file, the line and at
     * most the key do. */
    err = stderr_of_parse("[DEFAULT]\ndebug = true\npassword SECRET\n", &parsed);
    ok(!parsed, "a line without a separator is an error");
    ok(strstr(err, "SECRET") == NULL, "the bad line is not echoed");
    ok(strstr(err, "nova.conf:3") != NULL, "the error names file and line");
    free(err);
    err = stderr_of_parse("[DEFAULT]\n[transport_url: rabbit://user:SECRET@ctl\n", &parsed);
    ok(!parsed && strstr(err, "SECRET") == NULL && strstr(err, "nova.conf:2"),
       "a broken section header is not echoed");
    free(err);
    err = stderr_of_parse("[DEFAULT]\n  rabbit://user:SECRET@ctl\n", &parsed);
    ok(!parsed && strstr(err, "SECRET") == NULL && strstr(err, "nova.conf:2"),
       "a stray continuation line is not echoed");
    free(err);
    {
        char path[] = "/tmp/ne-ini-err-XXXXXX";
        int fd = mkstemp(path), saved = dup(2);
        char buf[4096] = "";
        ssize_t got;

        ini = ini_parse("[x]\nflag = SECRET\n", "nova.conf");
        fflush(stderr);
        dup2(fd, 2);
        is_int(ini_get_bool(ini, "x", "flag", false), -1, "bad boolean rejected");
        fflush(stderr);
        dup2(saved, 2);
        close(saved);
        got = pread(fd, buf, sizeof buf - 1, 0);
        buf[got > 0 ? got : 0] = '\0';
        ok(strstr(buf, "SECRET") == NULL && strstr(buf, "nova.conf:2"),
           "a bad boolean names file, line and key, not the value");
        close(fd);
        unlink(path);
        ini_free(ini);
    }
}

/* ne_config_load of text; true when it loaded. */
static bool
loads(const char *text)
{
    char *p = write_tmp(text);
    struct ne_config *c = ne_config_load(p);
    bool r = c != NULL;

    ne_config_free(c);
    unlink(p);
    free(p);
    return r;
}

/* Paths absolute and without "..", numbers bounded (exit 2 in the
 * command layer when ne_config_load fails). */
static void
config_bounds(void)
{
    ok(!loads("[DEFAULT]\nstate_dir = var/lib/nova-evac\n"), "relative state_dir rejected");
    ok(!loads("[DEFAULT]\nstate_dir = /var/lib/../../tmp/x\n"), "'..' in state_dir rejected");
    ok(!loads("[DEFAULT]\ninstances_path = /srv/./inst\n"), "'.' in instances_path rejected");
    ok(!loads("[DEFAULT]\nnova_conf = nova.conf\n"), "relative nova_conf rejected");
    ok(loads("[DEFAULT]\nstate_dir = /var/lib/nova-evac..old/\n"), "'..' inside a name is fine");
    ok(!loads("[DEFAULT]\nreserved_disk_mb = 18446744073709551615\n"),
       "reserved_disk_mb that would overflow in bytes rejected");
    ok(!loads("[node:n1]\nreserved_ram_mb = 17592186044416\n"),
       "per-node reserved_ram_mb that would overflow rejected");
    ok(loads("[node:n1]\nreserved_disk_mb = 100000000\n"), "a large but sane reservation loads");
    ok(!loads("[migration]\ndowntime_steps = 0\n"), "zero downtime steps rejected");
    ok(!loads("[migration]\ndowntime = 99999999999\n"), "huge downtime rejected");
    ok(!loads("[migration]\ncompletion_timeout = 4294967296000\n"), "huge timeout rejected");
    ok(loads("[migration]\ncompletion_timeout = 0\n"), "completion_timeout 0 (none) loads");
    ok(ne_uri_plaintext_tcp("qemu+tcp://node01/system"), "qemu+tcp is plaintext");
    ok(!ne_uri_plaintext_tcp("qemu+tls://node01/system"), "qemu+tls is not");
    ok(!ne_uri_plaintext_tcp("qemu+ssh://root@node01/system"), "qemu+ssh is not");
    ok(!ne_uri_plaintext_tcp("qemu:///system?socket=/run/a+tcp://x"), "a local socket is not");
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
    oslo_syntax();
    no_secret_in_errors();

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
    config_bounds();

    ok(ne_check_hostname("node02.example.com") == 0, "plain host name accepted");
    ok(ne_check_hostname("node02; rm -rf /") < 0, "shell metacharacters rejected");
    ok(ne_check_hostname("x' OR '1'='1") < 0, "SQL quote rejected");
    ok(ne_check_hostname("") < 0, "empty rejected");
    ok(ne_check_hostname("-rf") < 0, "leading dash rejected");
    return done_testing();
}
