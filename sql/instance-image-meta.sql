-- SPDX-License-Identifier: Apache-2.0
-- instance-image-meta: what Nova kept of the image an instance was booted
-- from (parameter 1: instance uuid): its system metadata image_* rows
-- (image_disk_format, image_container_format, image_min_disk,
-- image_min_ram and image_<property> for each of the image's properties).
-- Used by `nova-evac images HOST --to-glance` to give a base file back to
-- Glance with its properties when Glance has deleted the image.
-- (the caller keeps only keys that start with image_).
-- Plan: index instance_uuid of instance_system_metadata.
SELECT `key`, value
  FROM instance_system_metadata
 WHERE instance_uuid = ?
   AND deleted = 0
   AND `key` LIKE 'image%'
 ORDER BY `key`
