/* SPDX-License-Identifier: Apache-2.0 */
/* sqltext.h: every SQL statement the tool runs, from sql/NAME.sql, built into
 * the binary by sql/sql2c.sh (src/novadb/sqltext.c and the enum ne_sql in
 * src/novadb/sqlnames.h are generated in the build directory). */
#ifndef NE_SQLTEXT_H
#define NE_SQLTEXT_H

#include "novadb/schema.h"
#include "novadb/sqlnames.h"

struct ne_sqltext {
    const char *name; /* file name without .sql, for messages */
    const char *text;
    /* The text for an older schema, from sql/NAME.VARIANT.sql: NULL when
     * the query is the same there, "" when there is nothing to do there
     * (the variant file holds only comments saying why). */
    const char *variant[NE_SCHEMA_COUNT];
};

/* Indexed by enum ne_sql (generated). */
extern const struct ne_sqltext ne_sqltexts[NE_SQL_COUNT];

#endif
