/* SPDX-License-Identifier: Apache-2.0 */
/* schema.c: see schema.h.  The marker columns, with the Nova release that
 * added each (Nova's own migration scripts): the instance_extra table with
 * flavor (Kilo), migrations.migration_type (Liberty), instance_extra.
 * migration_context (Mitaka), migrations.uuid (Newton), compute_nodes.host
 * (Kilo); instances.uuid and migrations.source_node are in the Havana
 * baseline, so every supported schema has them. */
#include <config.h>

#include <string.h>

#include "novadb/schema.h"

static const char *const base[] = {"instances.uuid", "migrations.source_node"};
static const char *const newer[] = {"migrations.uuid", "migrations.migration_type",
                                    "instance_extra.migration_context", "instance_extra.flavor",
                                    "compute_nodes.host"};

static int
has(const char *const *cols, size_t n, const char *c)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (cols[i] && strcmp(cols[i], c) == 0) return 1;
    return 0;
}

enum ne_schema
ne_schema_of(const char *const *cols, size_t n, const char **why)
{
    size_t i, nnew = 0;
    const char *missing = NULL, *present = NULL;

    *why = NULL;
    for (i = 0; i < sizeof base / sizeof *base; i++)
        if (!has(cols, n, base[i])) {
            *why = base[i];
            return NE_SCHEMA_UNKNOWN;
        }
    for (i = 0; i < sizeof newer / sizeof *newer; i++) {
        if (has(cols, n, newer[i])) {
            nnew++;
            if (!present) present = newer[i];
        } else if (!missing) {
            missing = newer[i];
        }
    }
    if (nnew == sizeof newer / sizeof *newer) return NE_SCHEMA_CURRENT;
    if (nnew == 0) return NE_SCHEMA_ICEHOUSE;
    *why = missing; /* between Juno and Newton: half of each */
    return NE_SCHEMA_UNKNOWN;
}

const char *
ne_schema_name(enum ne_schema s)
{
    return s == NE_SCHEMA_CURRENT ? "current" : s == NE_SCHEMA_ICEHOUSE ? "icehouse" : "unknown";
}
