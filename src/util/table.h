/* SPDX-License-Identifier: Apache-2.0 */
/* table.h: aligned text tables for --format table output. */
#ifndef NE_TABLE_H
#define NE_TABLE_H

#include <stdio.h>

struct ne_table;

/* New table with ncols columns named by the NULL-terminated header list.
 * Free with table_free. */
struct ne_table *table_new(const char *const *headers);
/* Appends a row of ncols cells (NULL prints as "-"); cells are copied. */
void table_add(struct ne_table *t, const char *const *cells);
void table_print(const struct ne_table *t, FILE *f);
void table_free(struct ne_table *t);

#endif
