-- SPDX-License-Identifier: Apache-2.0
-- image-ids: every image id Nova's instances refer to, to find an image by
-- the SHA-1 of its id (a base file name) when no instance record names it.
-- Plan: full scan of instances (no index on image_ref).
SELECT DISTINCT image_ref
  FROM instances
 WHERE image_ref IS NOT NULL AND image_ref <> ''
