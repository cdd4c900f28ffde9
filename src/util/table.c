/* SPDX-License-Identifier: Apache-2.0 */
/* table.c: see table.h. */
#include <config.h>

#include <string.h>

#include "util/log.h"
#include "util/mem.h"
#include "util/table.h"

struct ne_table {
    size_t ncols, nrows, caprows;
    char **cells; /* nrows * ncols; row 0 is the header */
};

struct ne_table *
table_new(const char *const *headers)
{
    struct ne_table *t = xcalloc(1, sizeof *t);

    while (headers[t->ncols]) t->ncols++;
    table_add(t, headers);
    return t;
}

void
table_add(struct ne_table *t, const char *const *cells)
{
    size_t i;

    xgrow(&t->cells, &t->caprows, (t->nrows + 1) * t->ncols, sizeof *t->cells);
    for (i = 0; i < t->ncols; i++) {
        /* escaped as messages are: a name with a newline stays on its row */
        const char *s = cells[i] ? cells[i] : "-";
        size_t n = ne_escape(s, NULL, 0) + 1;
        char *e = xmalloc(n);
        ne_escape(s, e, n);
        t->cells[t->nrows * t->ncols + i] = e;
    }
    t->nrows++;
}

void
table_print(const struct ne_table *t, FILE *f)
{
    CLEANUP_FREE size_t *w = xcalloc(t->ncols, sizeof *w);
    size_t r, c;

    for (r = 0; r < t->nrows; r++)
        for (c = 0; c < t->ncols; c++) {
            size_t l = strlen(t->cells[r * t->ncols + c]);
            if (l > w[c]) w[c] = l;
        }
    for (r = 0; r < t->nrows; r++) {
        for (c = 0; c < t->ncols; c++) {
            const char *s = t->cells[r * t->ncols + c];
            if (c + 1 == t->ncols)
                fprintf(f, "%s", s);
            else
                fprintf(f, "%-*s  ", (int)w[c], s);
        }
        fputc('\n', f);
    }
}

void
table_free(struct ne_table *t)
{
    size_t i;

    if (!t) return;
    for (i = 0; i < t->nrows * t->ncols; i++) free(t->cells[i]);
    free(t->cells);
    free(t);
}
