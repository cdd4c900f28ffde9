-- SPDX-License-Identifier: Apache-2.0
-- image-facts: what Glance's database says about an image (parameter 1:
-- image id), soft-deleted rows included; no row when it never existed or
-- was purged.  {glance} is the Glance schema name (validated identifier,
-- back-quoted).
-- Plan: primary key of images.
SELECT status, deleted, size, virtual_size, disk_format
  FROM {glance}.images
 WHERE id = ?
