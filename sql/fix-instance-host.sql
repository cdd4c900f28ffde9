-- SPDX-License-Identifier: Apache-2.0
-- fix-instance-host: the instance record's host, node and power_state
-- (parameters 1-3, as libvirt shows the domain) only, for a repair through
-- the Nova API (stuck --via api --allow-db): the API cannot set them; the
-- vm_state and task_state are then reset through the API (os-resetState).
-- Parameter 4: uuid.
UPDATE instances
   SET host = ?, node = ?, power_state = ?, updated_at = UTC_TIMESTAMP()
 WHERE uuid = ? AND deleted = 0
