/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz-local.c: libFuzzer target for what nova-evac parses from the local
 * host and the hypervisors: INI files (nova.conf, nova-evac.conf),
 * database URLs, libvirt domain XML, journal replay (from a buffer, and
 * journal_open on a temp file as a resumed drain does), the command
 * line, the storage pool and volume XML the tool builds (what is built
 * must parse back to the names and paths put in: a failed check aborts)
 * the volume and pool XML libvirt replies with, and the machine-type map
 * applied to a domain definition.  The first byte of an input (mod 9)
 * chooses the parser, the rest is its
 * input, so one corpus holds seeds of every family (tests/fuzz/run.sh
 * makes them).  Built by `make fuzz`: the parsers here are compiled with
 * clang and instrumented; the rest of the program links from the build's
 * libraries. */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "drain/journal.h"
#include "model/domain.h"
#include "novadb/dburl.h"
#include "util/ini.h"
#include "util/mem.h"
#include "virt/storxml.h"
#include "virt/xml-rewrite.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
ini(const char *s)
{
    struct ini *i = ini_parse(s, "fuzz.conf");

    if (i && i->n) {
        char k[80];
        (void)ini_get_bool(i, i->e[0].section, i->e[0].key, false);
        (void)ini_safe_name(i->e[0].key, k, sizeof k);
        (void)ini_get(i, "database", "connection");
    }
    ini_free(i);
}

static void
dburl(const char *s)
{
    struct ne_dburl u;

    if (ne_dburl_parse(s, "fuzz", &u) == 0) {
        free(ne_dburl_label(&u));
        ne_dburl_clear(&u);
    }
}

static void
domxml(const char *s)
{
    struct ne_domain *d = ne_domain_parse(s, "fuzz");

    ne_domain_free(d);
    free(ne_nova_meta_image(s));
}

static void
replay(const char *b, size_t n)
{
    struct ne_jreplay r;

    journal_replay_buf(b, n, &r);
    (void)journal_find(&r, "00000000-0000-0000-0000-000000000001");
    journal_replay_free(&r);
}

/* journal_open on a file holding the input: tail repair and replay as a
 * resumed drain does them. */
static void
journal_file(const char *b, size_t n)
{
    static char dir[64];
    char path[128];
    struct ne_jreplay r;
    struct ne_journal *j;
    FILE *f;

    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/ne-fuzz-journal-%d", (int)getpid());
        rmdir(dir);
    }
    snprintf(path, sizeof path, "%s/fz.journal", dir);
    j = journal_open(dir, "fz", &r); /* creates the directory */
    if (j) {
        journal_close(j);
        journal_replay_free(&r);
    }
    if (!(f = fopen(path, "w"))) return;
    fwrite(b, 1, n, f);
    fclose(f);
    if ((j = journal_open(dir, "fz", &r))) {
        journal_close(j);
        journal_replay_free(&r);
    }
    unlink(path);
}

/* The command line: NUL-separated words, the first naming the command. */
static void
cli(const char *b, size_t n)
{
    char *argv[33];
    int argc = 0;
    size_t i = 0;
    const struct ne_cmd *cmd;
    struct ne_ctx ctx;
    struct ne_args *a;
    bool help = false;

    while (i < n && argc < 32) {
        size_t len = strnlen(b + i, n - i);
        char *w = xstrndup(b + i, len);

        i += len + 1;
        /* --version prints and exits, as it should: not a finding */
        if (w[0] == '-' && (strchr(w, 'V') || str_prefix(w, "--v"))) {
            free(w);
            continue;
        }
        argv[argc++] = w;
    }
    argv[argc] = NULL;
    memset(&ctx, 0, sizeof ctx);
    if (argc > 0 && (cmd = ne_cmd_find(argv[0])) &&
        (a = ne_args_parse(cmd, argc - 1, argv + 1, &ctx, &help)))
        ne_args_free(a);
    while (argc > 0) free(argv[--argc]);
}

/* Printable ASCII only: what XML carries unchanged in text and attributes
 * (control characters cannot be escaped, \r and tabs are normalised). */
static bool
plain(const char *s)
{
    for (; *s; s++)
        if (*s < 0x20 || *s > 0x7e) return false;
    return true;
}

/* string(expr) of xml with libxml2, independent of storxml.c. */
static char *
xpath(const char *xml, const char *expr)
{
    xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "x.xml", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    xmlXPathContextPtr xp;
    xmlXPathObjectPtr o;
    char *r = NULL;

    if (!doc) return NULL;
    xp = xmlXPathNewContext(doc);
    o = xmlXPathEvalExpression((const xmlChar *)expr, xp);
    if (o && o->type == XPATH_STRING && o->stringval) r = xstrdup((const char *)o->stringval);
    xmlXPathFreeObject(o);
    xmlXPathFreeContext(xp);
    xmlFreeDoc(doc);
    return r;
}

static void
must_equal(const char *got, const char *want)
{
    if (!got || strcmp(got, want) != 0) abort(); /* the XML changed what was put in */
}

/* The XML the tool builds: NUL-separated name, path, format, backing. */
static void
storxml_build(const char *b, size_t n)
{
    const char *f[4] = {"", "", "", NULL};
    size_t i = 0, k = 0;
    char *copy = xmalloc(n + 1), *x, *got;

    memcpy(copy, b, n);
    copy[n] = '\0';
    for (k = 0; k < 4 && i <= n; k++) {
        f[k] = copy + i;
        i += strlen(copy + i) + 1;
    }
    x = ne_pool_xml(f[0], f[1]);
    if (plain(f[0]) && plain(f[1])) {
        must_equal(got = xpath(x, "string(/pool/name)"), f[0]);
        free(got);
        must_equal(got = xpath(x, "string(/pool/target/path)"), f[1]);
        free(got);
    }
    free(x);
    {
        struct ne_vol_spec vs = {.name = f[0], .capacity = n, .format = *f[2] ? f[2] : NULL,
                                 .backing = f[3] && *f[3] ? f[3] : NULL, .mode = "0644",
                                 .owner = f[1], .group = f[2]};
        char fmt[64], *back = NULL;
        long long mt;

        x = ne_vol_xml(&vs);
        if (plain(f[0]) && plain(f[1]) && plain(f[2]) && (!f[3] || plain(f[3])) &&
            strlen(f[2]) < sizeof fmt) {
            if (ne_vol_xml_facts(x, fmt, sizeof fmt, &mt, &back) < 0) abort();
            must_equal(fmt, *f[2] ? f[2] : "raw");
            if (f[3] && *f[3]) must_equal(back, f[3]);
            free(back);
            must_equal(got = xpath(x, "string(/volume/name)"), f[0]);
            free(got);
            must_equal(got = xpath(x, "string(/volume/target/permissions/owner)"), f[1]);
            free(got);
        }
        free(x);
    }
    free(copy);
}

/* The volume and pool XML libvirt replies with. */
static void
storxml_parse(const char *s)
{
    char fmt[16], o[32], g[32], *back = NULL;
    long long mt;

    ne_vol_xml_facts(s, fmt, sizeof fmt, &mt, &back);
    free(back);
    ne_pool_xml_owner(s, o, g, sizeof o);
}

/* A domain definition with the machine-type map applied (xml-rewrite.h),
 * then read back: a rewrite of a plain definition names the new values. */
static void
xml_rewrite(const char *s)
{
    size_t changed = 0;
    char *out = ne_xml_set_machine_cpu(s, "fuzz", "pc-i440fx-7.2", "Nehalem", &changed);
    struct ne_domain *d = out ? ne_domain_parse(out, "fuzz") : NULL;

    if (changed > 2) abort();
    if (d) ne_domain_free(d);
    free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *b = (const char *)data + 1;
    size_t n = size ? size - 1 : 0;
    char *s;

    if (size == 0) return 0;
    if (data[0] % 9 == 3) return replay(b, n), 0;
    if (data[0] % 9 == 4) return journal_file(b, n), 0;
    if (data[0] % 9 == 5) return cli(b, n), 0;
    if (data[0] % 9 == 6) return storxml_build(b, n), 0;
    s = xstrndup(b, n); /* the text parsers take a C string */
    switch (data[0] % 9) {
    case 0: ini(s); break;
    case 1: dburl(s); break;
    case 7: storxml_parse(s); break;
    case 8: xml_rewrite(s); break;
    default: domxml(s); break;
    }
    free(s);
    return 0;
}
