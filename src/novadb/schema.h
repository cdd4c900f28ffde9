/* SPDX-License-Identifier: Apache-2.0 */
/* schema.h: which Nova schema a database has, told by its columns (the pure
 * part of the detection novadb.c runs once per connection with
 * sql/schema-columns.sql). */
#ifndef NE_SCHEMA_H
#define NE_SCHEMA_H

#include <stddef.h>

enum ne_schema {
    NE_SCHEMA_CURRENT,  /* migrations.uuid/migration_type, instance_extra (Newton on) */
    NE_SCHEMA_ICEHOUSE, /* Icehouse and Juno: flavors in instance_system_metadata */
    NE_SCHEMA_COUNT,
    NE_SCHEMA_UNKNOWN = NE_SCHEMA_COUNT /* none of them: refused */
};

/* The schema whose marker columns ("table.column") are exactly those
 * present among cols; NE_SCHEMA_UNKNOWN otherwise, with *why (static text)
 * naming the first column that decided it. */
enum ne_schema ne_schema_of(const char *const *cols, size_t n, const char **why);
/* "current", "icehouse" (static). */
const char *ne_schema_name(enum ne_schema s);

#endif
