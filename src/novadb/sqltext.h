/* SPDX-License-Identifier: Apache-2.0 */
/* sqltext.h: every SQL statement the tool runs, from sql/NAME.sql, built into
 * the binary by sql/sql2c.sh (src/sqltext.c is generated). */
#ifndef NE_SQLTEXT_H
#define NE_SQLTEXT_H

struct ne_sqltext {
    const char *name; /* file name without .sql */
    const char *text;
};

/* NULL-terminated (generated). */
extern const struct ne_sqltext ne_sqltexts[];

#endif
