-- SPDX-License-Identifier: Apache-2.0
-- fix-drop-migration-context: the move is over, so the instance no longer
-- has a migration context (what Nova's drop_migration_context() does).
-- Parameter 1: instance uuid.
UPDATE instance_extra
   SET migration_context = NULL, updated_at = UTC_TIMESTAMP()
 WHERE instance_uuid = ? AND deleted = 0 AND migration_context IS NOT NULL
