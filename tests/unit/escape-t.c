/* SPDX-License-Identifier: Apache-2.0 */
/* escape-t.c: control characters in names never reach the output raw:
 * ne_escape, messages (log.c) and tables (table.c); held errors (log.c). */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "util/log.h"
#include "util/mem.h"
#include "util/table.h"
#include "tap.h"

static size_t
lines(const char *s)
{
    size_t n = 0;
    for (; *s; s++) n += *s == '\n';
    return n;
}

/* stderr into a pipe between begin and end (what fits in got) */
static int cap_pipe[2] = {-1, -1}, cap_saved = -1;
static void
capture_begin(void)
{
    cap_saved = dup(2);
    if (pipe(cap_pipe) < 0) return;
    fflush(stderr);
    dup2(cap_pipe[1], 2);
}
static void
capture_end(char *got, size_t len)
{
    ssize_t n = -1;

    got[0] = '\0';
    fflush(stderr);
    dup2(cap_saved, 2);
    close(cap_saved);
    if (cap_pipe[0] < 0) return;
    close(cap_pipe[1]);
    n = read(cap_pipe[0], got, len - 1);
    got[n > 0 ? n : 0] = '\0';
    close(cap_pipe[0]);
    cap_pipe[0] = cap_pipe[1] = -1;
}

int
main(void)
{
    char out[64];
    char *buf = NULL;
    size_t len = 0;
    FILE *f;
    struct ne_table *t;
    static const char *const hdr[] = {"INSTANCE", "HOST", NULL};

    is_int(ne_escape("vm\n1\t\r\001\177", out, sizeof out), 17, "escaped length");
    is_str(out, "vm\\n1\\t\\r\\x01\\x7f", "newline, tab, CR, other control bytes escaped");
    ne_escape("caf\xc3\xa9 ok", out, sizeof out);
    is_str(out, "caf\xc3\xa9 ok", "UTF-8 and printable text kept as is");
    ne_escape("abcdefgh\n", out, 6);
    is_str(out, "abcde", "truncated to the buffer");
    is_int(ne_escape(NULL, out, sizeof out), 0, "NULL is empty");

    f = open_memstream(&buf, &len);
    t = table_new(hdr);
    table_add(t, (const char *const[]){"evil\nname", "node01"});
    table_print(t, f);
    table_free(t);
    fclose(f);
    is_int(lines(buf), 2, "a table row with a newline in a name stays one line");
    ok(strstr(buf, "evil\\nname") != NULL, "the name is shown escaped in the table");
    free(buf);

    /* messages: stderr into a pipe */
    {
        char got[256];
        capture_begin();
        ne_error("instance %s not found", "a\nb");
        ne_warn("host %s", "x\033[2Jy");
        capture_end(got, sizeof got);
        is_str(got, "nova-evac: error: instance a\\nb not found\n"
                    "nova-evac: warning: host x\\x1b[2Jy\n",
               "messages: one line each, control characters escaped");
    }

    /* held errors (ne_log_hold): written at the release, or dropped */
    {
        char got[512], last[128];
        unsigned before = ne_error_count(), counted, after_drop;
        capture_begin();
        ne_log_hold();
        ne_error("attempt %u of %s failed", 1, "vm\n1");
        ne_log_hold(); /* holding twice is holding */
        ne_warn("written at once");
        counted = ne_error_count();
        ne_log_release(true);
        ne_log_hold();
        ne_error("domain %s not found", "vm2");
        ne_log_release(false);
        after_drop = ne_error_count();
        snprintf(last, sizeof last, "%s", ne_last_error() ? ne_last_error() : "");
        ne_error("not held");
        capture_end(got, sizeof got);
        is_str(got, "nova-evac: warning: written at once\n"
                    "nova-evac: error: attempt 1 of vm\\n1 failed\n"
                    "nova-evac: error: not held\n",
               "held errors come after the warning, escaped; dropped ones never");
        is_int(counted, before, "a held error is not counted while held");
        is_int(after_drop, before + 1, "...counted once written; a dropped one not at all");
        is_str(last, "domain vm2 not found", "the last error is kept when held ones are dropped");
    }
    return done_testing();
}
