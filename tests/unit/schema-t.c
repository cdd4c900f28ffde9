/* SPDX-License-Identifier: Apache-2.0 */
/* schema-t.c: the Nova schema told by its columns (the pure part of
 * novadb.c's connect-time detection): the current schema, the Icehouse-era
 * one, and everything between or else refused, naming a column. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "novadb/schema.h"
#include "tap.h"

#define N(a) (sizeof(a) / sizeof *(a))

int
main(void)
{
    const char *why;
    /* what sql/schema-columns.sql returns on a Newton-or-later database */
    const char *cur[] = {"compute_nodes.host", "instance_extra.flavor",
                         "instance_extra.migration_context", "instances.uuid",
                         "migrations.migration_type", "migrations.source_node", "migrations.uuid"};
    /* on an Icehouse or Juno database (sql/fixtures/nova-icehouse.sql) */
    const char *ice[] = {"migrations.source_node", "instances.uuid"};
    /* Kilo: instance_extra.flavor and compute_nodes.host, no migration_type */
    const char *kilo[] = {"instances.uuid", "migrations.source_node", "instance_extra.flavor",
                          "compute_nodes.host"};
    /* Mitaka: all but migrations.uuid */
    const char *mitaka[] = {"compute_nodes.host", "instance_extra.flavor",
                            "instance_extra.migration_context", "instances.uuid",
                            "migrations.migration_type", "migrations.source_node"};
    const char *glance[] = {"images.id"};
    const char *noinst[] = {"migrations.source_node", "migrations.uuid"};

    ok(ne_schema_of(cur, N(cur), &why) == NE_SCHEMA_CURRENT && !why, "all columns: current");
    ok(ne_schema_of(cur + 1, N(cur) - 1, &why) == NE_SCHEMA_UNKNOWN && why &&
           strcmp(why, "compute_nodes.host") == 0,
       "current but compute_nodes.host: refused, naming it (%s)", why ? why : "-");
    ok(ne_schema_of(ice, N(ice), &why) == NE_SCHEMA_ICEHOUSE && !why,
       "no newer column: the Icehouse-era schema");
    ok(ne_schema_of(kilo, N(kilo), &why) == NE_SCHEMA_UNKNOWN && why &&
           strcmp(why, "migrations.uuid") == 0,
       "Kilo (half of each): refused, naming the first missing column (%s)", why ? why : "-");
    ok(ne_schema_of(mitaka, N(mitaka), &why) == NE_SCHEMA_UNKNOWN && why &&
           strcmp(why, "migrations.uuid") == 0,
       "Mitaka (no migrations.uuid): refused (%s)", why ? why : "-");
    ok(ne_schema_of(glance, N(glance), &why) == NE_SCHEMA_UNKNOWN && why &&
           strcmp(why, "instances.uuid") == 0,
       "not a Nova database: refused, naming instances.uuid");
    ok(ne_schema_of(NULL, 0, &why) == NE_SCHEMA_UNKNOWN, "no column at all: refused");
    ok(ne_schema_of(noinst, N(noinst), &why) == NE_SCHEMA_UNKNOWN && why &&
           strcmp(why, "instances.uuid") == 0,
       "no instances table: refused");
    ok(strcmp(ne_schema_name(NE_SCHEMA_ICEHOUSE), "icehouse") == 0 &&
           strcmp(ne_schema_name(NE_SCHEMA_CURRENT), "current") == 0,
       "names match the variant files' suffix");
    return done_testing();
}
