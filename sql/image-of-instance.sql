-- SPDX-License-Identifier: Apache-2.0
-- image-of-instance: the Glance image an instance was booted from
-- (parameter 1: instance uuid); '' for a volume-backed instance.  Used by
-- `nova-evac images` to name the image of a base file (_base/<sha1 of the
-- image id>).
-- Plan: unique key uniq_instances0uuid.
SELECT image_ref
  FROM instances
 WHERE uuid = ?
