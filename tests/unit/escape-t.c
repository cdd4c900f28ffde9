/* SPDX-License-Identifier: Apache-2.0 */
/* escape-t.c: control characters in names never reach the output raw:
 * ne_escape, messages (log.c) and tables (table.c). */
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
        int p[2], saved = dup(2);
        char got[256] = "";
        ssize_t n;
        if (pipe(p) == 0) {
            fflush(stderr);
            dup2(p[1], 2);
            ne_error("instance %s not found", "a\nb");
            ne_warn("host %s", "x\033[2Jy");
            fflush(stderr);
            dup2(saved, 2);
            close(p[1]);
            n = read(p[0], got, sizeof got - 1);
            got[n > 0 ? n : 0] = '\0';
            close(p[0]);
        }
        is_str(got, "nova-evac: error: instance a\\nb not found\n"
                    "nova-evac: warning: host x\\x1b[2Jy\n",
               "messages: one line each, control characters escaped");
    }
    return done_testing();
}
