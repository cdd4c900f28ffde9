-- stuck-last-migration: the newest migration record of an instance
-- (parameter 1: instance uuid).
-- Plan: ref on migrations_instance_uuid_and_status_idx (deleted, instance_uuid).
SELECT id, uuid, status, migration_type, source_compute, dest_compute,
       source_node, dest_node,
       TIMESTAMPDIFF(SECOND, updated_at, UTC_TIMESTAMP())
  FROM migrations
 WHERE deleted = 0 AND instance_uuid = ?
 ORDER BY created_at DESC, id DESC
 LIMIT 1
