-- SPDX-License-Identifier: Apache-2.0
-- fix-lock-migration: inside a repair transaction, the migration record's
-- status now (parameter 1: migrations.id), locked until commit or rollback.
SELECT status
  FROM migrations
 WHERE id = ? AND deleted = 0
   FOR UPDATE
