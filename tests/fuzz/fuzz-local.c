/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz-local.c: libFuzzer target for what nova-evac parses from the local
 * host and the hypervisors: INI files (nova.conf, nova-evac.conf),
 * database URLs, libvirt domain XML, journal replay (from a buffer, and
 * journal_open on a temp file as a resumed drain does), and the command
 * line.  The first byte of an input chooses the parser, the rest is its
 * input, so one corpus holds seeds of every family (tests/fuzz/run.sh
 * makes them).  Built by `make fuzz`: the parsers here are compiled with
 * clang and instrumented; the rest of the program links from the build's
 * libraries. */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "drain/journal.h"
#include "model/domain.h"
#include "novadb/dburl.h"
#include "util/ini.h"
#include "util/mem.h"

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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *b = (const char *)data + 1;
    size_t n = size ? size - 1 : 0;
    char *s;

    if (size == 0) return 0;
    if (data[0] % 6 == 3) return replay(b, n), 0;
    if (data[0] % 6 == 4) return journal_file(b, n), 0;
    if (data[0] % 6 == 5) return cli(b, n), 0;
    s = xstrndup(b, n); /* the text parsers take a C string */
    switch (data[0] % 6) {
    case 0: ini(s); break;
    case 1: dburl(s); break;
    default: domxml(s); break;
    }
    free(s);
    return 0;
}
