-- stuck-instance: one live instance by uuid (parameter 1).
-- Plan: the unique index uuid.
SELECT uuid, display_name, host, node, vm_state, task_state, power_state,
       TIMESTAMPDIFF(SECOND, updated_at, UTC_TIMESTAMP()), image_ref
  FROM instances
 WHERE uuid = ? AND deleted = 0
