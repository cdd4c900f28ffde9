-- SPDX-License-Identifier: Apache-2.0
-- fix-flavor-revert: a reverted move goes back to the old flavor: cur = old
-- (when the move recorded one), old and new cleared, as Nova's
-- finish_revert_resize does.  Parameter 1: instance uuid.
UPDATE instance_extra
   SET flavor = JSON_SET(flavor,
                         '$.cur', JSON_QUERY(flavor, IF(JSON_TYPE(JSON_QUERY(flavor, '$.old')) = 'OBJECT', '$.old', '$.cur')),
                         '$.old', NULL, '$.new', NULL),
       updated_at = UTC_TIMESTAMP()
 WHERE instance_uuid = ? AND deleted = 0 AND JSON_VALID(flavor)
