-- SPDX-License-Identifier: Apache-2.0
-- stuck-open-migrations: instances whose migration record is in a
-- non-terminal state (VERIFY_RESIZE is 'finished') and has not been
-- updated for longer than the threshold (parameter 1, seconds).
-- Plan: migrations_instance_uuid_and_status_idx (deleted, instance_uuid,
-- status), the status tested inside the index (index condition pushdown)
-- so only open records are read; then the unique index uuid on instances.
-- Without the hint the optimizer reads every migration row (deleted = 0
-- matches them all); novadb.t prepares this on the real schema, so a Nova
-- that renamed the index fails a test, not an operator.
-- Columns (every stuck-* query): the instance, then its newest migration
-- record (NULLs when it has none), found per row through
-- fk_migrations_instance_uuid: no second round trip per suspect.
SELECT i.uuid, i.display_name, i.host, i.node, i.vm_state, i.task_state,
       i.power_state, TIMESTAMPDIFF(SECOND, i.updated_at, UTC_TIMESTAMP()),
       i.image_ref,
       lm.id, lm.uuid, lm.status, lm.migration_type, lm.source_compute,
       lm.dest_compute, lm.source_node, lm.dest_node,
       TIMESTAMPDIFF(SECOND, lm.updated_at, UTC_TIMESTAMP())
  FROM migrations m FORCE INDEX (migrations_instance_uuid_and_status_idx)
  JOIN instances i ON i.uuid = m.instance_uuid AND i.deleted = 0
  LEFT JOIN migrations lm ON lm.id = (
       SELECT m2.id FROM migrations m2
        WHERE m2.deleted = 0 AND m2.instance_uuid = i.uuid
        ORDER BY m2.created_at DESC, m2.id DESC LIMIT 1)
 WHERE m.deleted = 0
   AND m.status IN ('accepted', 'queued', 'preparing', 'running',
                    'pre-migrating', 'migrating', 'post-migrating',
                    'finished', 'confirming', 'reverting')
   AND m.updated_at < UTC_TIMESTAMP() - INTERVAL ? SECOND
