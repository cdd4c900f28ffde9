-- SPDX-License-Identifier: Apache-2.0
-- fix-flavor-confirm: a confirmed move keeps the new flavor: cur = new
-- (when the move recorded one), old and new cleared, as Nova's
-- confirm_resize does.  Parameter 1: instance uuid.
UPDATE instance_extra
   SET flavor = JSON_SET(flavor,
                         '$.cur', JSON_QUERY(flavor, IF(JSON_TYPE(JSON_QUERY(flavor, '$.new')) = 'OBJECT', '$.new', '$.cur')),
                         '$.old', NULL, '$.new', NULL),
       updated_at = UTC_TIMESTAMP()
 WHERE instance_uuid = ? AND deleted = 0 AND JSON_VALID(flavor)
