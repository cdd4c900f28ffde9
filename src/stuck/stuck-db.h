/* SPDX-License-Identifier: Apache-2.0 */
/* stuckdb.h: the Nova records `stuck` reads and repairs, through the
 * novadb adapter (named queries from sql/, prepared statements only).
 * Maps rows to the plain structs of stuck.h. */
#ifndef NE_STUCKDB_H
#define NE_STUCKDB_H

#include <stdbool.h>
#include <stddef.h>

#include "novadb/novadb.h"
#include "stuck/stuck.h"

/* A growing set of instances, one entry per uuid. */
struct ne_inst_set {
    struct ne_nova_inst *v;
    size_t n, cap;
};
void ne_inst_set_free(struct ne_inst_set *s);
/* The entry for uuid (borrowed) or NULL. */
struct ne_nova_inst *ne_inst_set_find(struct ne_inst_set *s, const char *uuid);

/* Adds to *s (why bits or'ed into existing entries) the instances of one
 * suspect query, each with its newest migration record in ->mig (id 0:
 * none):
 *   "stuck-task-state"        a move task_state older than older_s
 *   "stuck-open-migrations"   a non-terminal migration not updated for older_s
 *   "stuck-recent-migrations" a migration updated between since_s and older_s ago
 * Returns the number of rows, or -1. */
long stuckdb_suspects(struct ne_db *db, enum ne_sql q, long long older_s, long long since_s,
                      unsigned why, struct ne_inst_set *s);
/* Adds the live instance with this uuid: 1 added (or already there), 0 no
 * such live instance, -1 error. */
int stuckdb_instance(struct ne_db *db, const char *uuid, unsigned why, struct ne_inst_set *s);
/* Sets in->image_deleted from Glance (schema set with novadb_set_schema). */
int stuckdb_image_deleted(struct ne_db *db, struct ne_nova_inst *in);
/* The node (hypervisor_hostname) of a compute host: 1 and *node newly
 * allocated when there is exactly one, 0 when none, 2 when several, -1. */
int stuckdb_node(struct ne_db *db, const char *host, char **node);

/* The field report's list of deleted Glance images still in use: calls
 * fn(image_id, count) per image.  Returns the number of images, or -1. */
long stuckdb_deleted_images(struct ne_db *db, void (*fn)(const char *image, long count, void *),
                            void *opaque);

#endif
