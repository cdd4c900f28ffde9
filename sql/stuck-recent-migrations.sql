-- stuck-recent-migrations: instances with a migration record updated
-- between parameter 1 and parameter 2 seconds ago, whatever the state of
-- either: their record is checked against libvirt (ERROR after a move that
-- worked, ACTIVE on the source while the guest runs on the destination).
-- Plan: range on migrations_updated_at_idx, then the unique index uuid.
SELECT i.uuid, i.display_name, i.host, i.node, i.vm_state, i.task_state,
       i.power_state, TIMESTAMPDIFF(SECOND, i.updated_at, UTC_TIMESTAMP()),
       i.image_ref
  FROM migrations m
  JOIN instances i ON i.uuid = m.instance_uuid AND i.deleted = 0
 WHERE m.updated_at >= UTC_TIMESTAMP() - INTERVAL ? SECOND
   AND m.updated_at < UTC_TIMESTAMP() - INTERVAL ? SECOND
   AND m.deleted = 0
