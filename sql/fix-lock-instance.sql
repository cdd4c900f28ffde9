-- SPDX-License-Identifier: Apache-2.0
-- fix-lock-instance: inside a repair transaction, the instance row as it
-- is now (parameter 1: uuid), locked until commit or rollback.  The repair
-- goes ahead only if it still matches what the scan saw.
SELECT host, node, vm_state, task_state, power_state
  FROM instances
 WHERE uuid = ? AND deleted = 0
   FOR UPDATE
