-- SPDX-License-Identifier: Apache-2.0
-- fix-instance: the instance record follows libvirt: host, node, vm_state,
-- power_state (parameters 1-4); task_state cleared.  Parameter 5: uuid.
UPDATE instances
   SET host = ?, node = ?, vm_state = ?, power_state = ?, task_state = NULL,
       updated_at = UTC_TIMESTAMP()
 WHERE uuid = ? AND deleted = 0
