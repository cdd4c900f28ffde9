-- SPDX-License-Identifier: Apache-2.0
-- fix-flavor-confirm.icehouse: fix-flavor-confirm.sql on the Icehouse-era
-- schema, where an instance's flavor is its instance_system_metadata rows
-- instance_type_* (current), old_instance_type_* and new_instance_type_*
-- (saved by a resize).  As Nova's confirm_resize then did: the current keys
-- take the value of their new_ keys when the move recorded them, and the
-- old_ and new_ keys are deleted (soft: deleted = id).  Parameter 1: uuid.
-- Plan: index instance_uuid of instance_system_metadata, both sides.
UPDATE instance_system_metadata c
  LEFT JOIN instance_system_metadata n
         ON n.instance_uuid = c.instance_uuid AND n.deleted = 0
        AND n.`key` = CONCAT('new_', c.`key`)
   SET c.value = IF(c.`key` LIKE 'instance\_type\_%' AND n.id IS NOT NULL, n.value, c.value),
       c.deleted = IF(c.`key` LIKE 'instance\_type\_%', 0, c.id),
       c.deleted_at = IF(c.`key` LIKE 'instance\_type\_%', c.deleted_at, UTC_TIMESTAMP()),
       c.updated_at = UTC_TIMESTAMP()
 WHERE c.instance_uuid = ? AND c.deleted = 0
   AND (c.`key` LIKE 'instance\_type\_%' OR c.`key` LIKE 'old\_instance\_type\_%'
        OR c.`key` LIKE 'new\_instance\_type\_%')
