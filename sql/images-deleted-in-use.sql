-- SPDX-License-Identifier: Apache-2.0
-- images-deleted-in-use: the field report's query.  Every image that live
-- instances still use but Glance has deleted, with how many instances use
-- it; their base files (_base/<sha1 of the id>) must be copied from a host
-- that still has them before those instances can move.
-- Plan: full scan of instances (no index on image_ref), primary key of images.
SELECT i.image_ref, COUNT(*)
  FROM instances i
  JOIN {glance}.images g ON g.id = i.image_ref
 WHERE i.deleted = 0 AND g.deleted = 1
 GROUP BY i.image_ref
 ORDER BY i.image_ref
