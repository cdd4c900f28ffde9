-- stuck-task-state: instances whose task_state is a move that has not
-- progressed for longer than the threshold (parameter 1, seconds).
-- Plan: range on instances_task_state_updated_at_idx (task_state, updated_at).
-- Timestamps are compared on the server, in UTC like Nova writes them.
SELECT uuid, display_name, host, node, vm_state, task_state, power_state,
       TIMESTAMPDIFF(SECOND, updated_at, UTC_TIMESTAMP()), image_ref
  FROM instances
 WHERE task_state IN ('migrating', 'resize_prep', 'resize_migrating',
                      'resize_migrated', 'resize_finish', 'resize_reverting',
                      'resize_confirming')
   AND updated_at < UTC_TIMESTAMP() - INTERVAL ? SECOND
   AND deleted = 0
