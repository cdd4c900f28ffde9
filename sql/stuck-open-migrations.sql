-- stuck-open-migrations: instances whose migration record is in a
-- non-terminal state (VERIFY_RESIZE is 'finished') and has not been
-- updated for longer than the threshold (parameter 1, seconds).
-- Plan: migrations_instance_uuid_and_status_idx (deleted, instance_uuid,
-- status), the status tested inside the index (index condition pushdown)
-- so only open records are read; then the unique index uuid on instances.
-- Without the hint the optimizer reads every migration row (deleted = 0
-- matches them all); novadb.t prepares this on the real schema, so a Nova
-- that renamed the index fails a test, not an operator.
SELECT i.uuid, i.display_name, i.host, i.node, i.vm_state, i.task_state,
       i.power_state, TIMESTAMPDIFF(SECOND, i.updated_at, UTC_TIMESTAMP()),
       i.image_ref
  FROM migrations m FORCE INDEX (migrations_instance_uuid_and_status_idx)
  JOIN instances i ON i.uuid = m.instance_uuid AND i.deleted = 0
 WHERE m.deleted = 0
   AND m.status IN ('accepted', 'queued', 'preparing', 'running',
                    'pre-migrating', 'migrating', 'post-migrating',
                    'finished', 'confirming', 'reverting')
   AND m.updated_at < UTC_TIMESTAMP() - INTERVAL ? SECOND
