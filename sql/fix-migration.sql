-- SPDX-License-Identifier: Apache-2.0
-- fix-migration: a migration record's status (parameter 1) by id
-- (parameter 2).
UPDATE migrations
   SET status = ?, updated_at = UTC_TIMESTAMP()
 WHERE id = ? AND deleted = 0
