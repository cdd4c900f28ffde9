-- SPDX-License-Identifier: Apache-2.0
-- stuck-instance: one live instance by uuid (parameter 1).
-- Plan: the unique index uuid.
-- Columns (every stuck-* query): the instance, then its newest migration
-- record (NULLs when it has none), found per row through
-- fk_migrations_instance_uuid: no second round trip per suspect.
SELECT i.uuid, i.display_name, i.host, i.node, i.vm_state, i.task_state,
       i.power_state, TIMESTAMPDIFF(SECOND, i.updated_at, UTC_TIMESTAMP()),
       i.image_ref,
       lm.id, lm.uuid, lm.status, lm.migration_type, lm.source_compute,
       lm.dest_compute, lm.source_node, lm.dest_node,
       TIMESTAMPDIFF(SECOND, lm.updated_at, UTC_TIMESTAMP())
  FROM instances i
  LEFT JOIN migrations lm ON lm.id = (
       SELECT m2.id FROM migrations m2
        WHERE m2.deleted = 0 AND m2.instance_uuid = i.uuid
        ORDER BY m2.created_at DESC, m2.id DESC LIMIT 1)
 WHERE i.uuid = ? AND i.deleted = 0
