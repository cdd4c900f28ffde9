-- SPDX-License-Identifier: Apache-2.0
-- image-deleted: whether Glance has soft-deleted an image (parameter 1:
-- image id); no row when Glance never knew it or purged it.  {glance} is
-- the Glance schema name (validated identifier, back-quoted).
-- Plan: primary key of images.
SELECT deleted, status
  FROM {glance}.images
 WHERE id = ?
