-- SPDX-License-Identifier: Apache-2.0
-- fix-flavor-columns.icehouse: fix-flavor-columns.sql on the Icehouse-era
-- schema: the instance's flavor columns follow its current flavor, the
-- instance_system_metadata rows instance_type_* (as Nova's resize then set
-- them).  Parameter 1: uuid.  Plan: the unique index uuid, then the index
-- instance_uuid of instance_system_metadata for each column.
UPDATE instances i
   SET i.instance_type_id = (SELECT s.value FROM instance_system_metadata s
                              WHERE s.instance_uuid = i.uuid AND s.deleted = 0
                                AND s.`key` = 'instance_type_id'),
       i.memory_mb = (SELECT s.value FROM instance_system_metadata s
                       WHERE s.instance_uuid = i.uuid AND s.deleted = 0
                         AND s.`key` = 'instance_type_memory_mb'),
       i.vcpus = (SELECT s.value FROM instance_system_metadata s
                   WHERE s.instance_uuid = i.uuid AND s.deleted = 0
                     AND s.`key` = 'instance_type_vcpus'),
       i.root_gb = (SELECT s.value FROM instance_system_metadata s
                     WHERE s.instance_uuid = i.uuid AND s.deleted = 0
                       AND s.`key` = 'instance_type_root_gb'),
       i.ephemeral_gb = (SELECT s.value FROM instance_system_metadata s
                          WHERE s.instance_uuid = i.uuid AND s.deleted = 0
                            AND s.`key` = 'instance_type_ephemeral_gb')
 WHERE i.uuid = ? AND i.deleted = 0
   AND EXISTS (SELECT 1 FROM instance_system_metadata s
                WHERE s.instance_uuid = i.uuid AND s.deleted = 0
                  AND s.`key` = 'instance_type_id')
