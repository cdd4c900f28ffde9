-- SPDX-License-Identifier: Apache-2.0
-- stuck-recent-migrations.icehouse: stuck-recent-migrations.sql on the Icehouse-era schema
-- (Icehouse, Juno), chosen by novadb.c when the database has no
-- migrations.uuid nor migration_type.  Same columns, same order: the
-- migration's uuid is NULL (there was none), and its type is told as
-- Nova then told it: only cold moves made migration records (live
-- migrations and evacuations made none before Kilo), a resize to the same
-- flavor being a cold migration.
SELECT i.uuid, i.display_name, i.host, i.node, i.vm_state, i.task_state,
       i.power_state, TIMESTAMPDIFF(SECOND, i.updated_at, UTC_TIMESTAMP()),
       i.image_ref,
       lm.id, NULL, lm.status,
       CASE WHEN lm.id IS NULL THEN NULL
            WHEN lm.old_instance_type_id <=> lm.new_instance_type_id THEN 'migration'
            ELSE 'resize' END, lm.source_compute,
       lm.dest_compute, lm.source_node, lm.dest_node,
       TIMESTAMPDIFF(SECOND, lm.updated_at, UTC_TIMESTAMP())
  FROM migrations m
  JOIN instances i ON i.uuid = m.instance_uuid AND i.deleted = 0
  LEFT JOIN migrations lm ON lm.id = (
       SELECT m2.id FROM migrations m2
        WHERE m2.deleted = 0 AND m2.instance_uuid = i.uuid
        ORDER BY m2.created_at DESC, m2.id DESC LIMIT 1)
 WHERE m.updated_at >= UTC_TIMESTAMP() - INTERVAL ? SECOND
   AND m.updated_at < UTC_TIMESTAMP() - INTERVAL ? SECOND
   AND m.deleted = 0
