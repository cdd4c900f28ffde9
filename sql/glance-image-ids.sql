-- SPDX-License-Identifier: Apache-2.0
-- glance-image-ids: every image id Glance's database holds, deleted ones
-- included, to find an image by the SHA-1 of its id.  {glance} is the
-- Glance schema name (validated identifier, back-quoted).
-- Plan: full scan of the primary key of images.
SELECT id
  FROM {glance}.images
