-- SPDX-License-Identifier: Apache-2.0
-- schema-columns: which of the columns that tell Nova's schemas apart the
-- connected database has ("table.column"), read once per connection to
-- choose the query variants (sql/NAME.icehouse.sql); see
-- src/novadb/schema.c for what each one tells.
-- Plan: information_schema, the current database only.
SELECT CONCAT(table_name, '.', column_name)
  FROM information_schema.columns
 WHERE table_schema = DATABASE()
   AND CONCAT(table_name, '.', column_name) IN
       ('instances.uuid', 'migrations.source_node', 'migrations.uuid',
        'migrations.migration_type', 'instance_extra.migration_context',
        'instance_extra.flavor', 'compute_nodes.host')
