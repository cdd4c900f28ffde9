-- SPDX-License-Identifier: Apache-2.0
-- fix-flavor-columns: the instance's flavor columns follow the current
-- flavor in instance_extra (Nova's _set_instance_info).  Parameter 1: uuid.
UPDATE instances i
  JOIN instance_extra e ON e.instance_uuid = i.uuid AND e.deleted = 0
   SET i.instance_type_id = JSON_VALUE(e.flavor, '$.cur."nova_object.data".id'),
       i.memory_mb = JSON_VALUE(e.flavor, '$.cur."nova_object.data".memory_mb'),
       i.vcpus = JSON_VALUE(e.flavor, '$.cur."nova_object.data".vcpus'),
       i.root_gb = JSON_VALUE(e.flavor, '$.cur."nova_object.data".root_gb'),
       i.ephemeral_gb = JSON_VALUE(e.flavor, '$.cur."nova_object.data".ephemeral_gb')
 WHERE i.uuid = ? AND i.deleted = 0
   AND JSON_VALUE(e.flavor, '$.cur."nova_object.data".id') IS NOT NULL
