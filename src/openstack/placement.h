/* SPDX-License-Identifier: Apache-2.0 */
/* placement.h: the Placement API adapter (issue 5, item 6).
 *
 * Reads and corrects the allocations of an instance (consumer = instance
 * uuid) and of its migration (consumer = migration uuid).  After a stuck
 * move Nova can leave them split across two hosts: the instance consumer
 * on the destination, the migration consumer on the source (seen in the
 * lab after a killed migration).  A repair that settles an instance on one host leaves its
 * allocations on that host's resource provider only
 * (placement_move_allocations) and the migration consumer empty
 * (placement_delete_allocations).
 *
 * Every request speaks microversion 1.28 (consumer generations; the
 * payload before 1.38's consumer_type); placement_open() checks that the
 * cloud offers it (Rocky and later).  Requests go through the session
 * (keystone.h), which keeps the token valid.  A failing call reports one
 * line naming the consumer or provider, Placement's error and the request
 * id, then returns -1; placement_err() says what kind of failure it was.
 *
 * Only resources on the providers a consumer already uses are moved, and
 * all onto one provider: meant for compute-node resources (VCPU,
 * MEMORY_MB, DISK_GB, ...).  Resources of nested providers (vGPU,
 * bandwidth) the target root does not have are refused by Placement, and
 * reported.
 *
 * The parsers (placementjson.c) take a buffer and are pure: unit-tested
 * (tests/unit/placement-t.c) and fuzzed (tests/fuzz).
 * Strings in the structs are owned by them: free with the *_clear calls. */
#ifndef NE_PLACEMENT_H
#define NE_PLACEMENT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "openstack/keystone.h"

/* The microversion every request sends. */
#define PLACEMENT_MV "1.28"

/* One resource provider's share of a consumer's allocations. */
struct ne_alloc {
    char *rp;              /* resource provider uuid */
    long long generation;  /* the provider's generation, -1 unknown */
    char **rc;             /* resource classes ... */
    long long *amount;     /* ... and their amounts, nrc of each */
    size_t nrc;
};

/* GET /allocations/{consumer}. */
struct ne_allocs {
    struct ne_alloc *v;
    size_t n;
    long long consumer_generation; /* -1: the consumer does not exist (no allocations) */
    char *project_id, *user_id;    /* NULL when Placement does not say */
};

/* ---- pure parsers; what names the request for messages */

/* The body of GET /allocations/{consumer}.  0, or -1 (reported) on junk. */
int placement_parse_allocations(const char *buf, size_t len, const char *what,
                                struct ne_allocs *out);
/* The body of GET /resource_providers?name=...: 0 and *uuid (newly
 * allocated) when exactly one provider is listed, 1 when none, 2 when
 * several (*uuid NULL), -1 (reported) on junk.  *root (may be NULL) gets
 * its root_provider_uuid (newly allocated, NULL when absent). */
int placement_parse_provider(const char *buf, size_t len, const char *what, char **uuid,
                             char **root);
/* The root document (GET /): the CURRENT version's max_version into *max.
 * 0, or -1 (reported). */
int placement_parse_root(const char *buf, size_t len, const char *what, struct ne_mv *max);

/* The amount of resource class rc held on provider rp (NULL: the largest
 * on any provider); 0 when none. */
long long ne_allocs_amount(const struct ne_allocs *a, const char *rp, const char *rc);
/* True when every allocation of a is on provider rp (and there is one). */
bool ne_allocs_only_on(const struct ne_allocs *a, const char *rp);
/* {"VCPU": n, ...}: per resource class the largest amount any provider of
 * a holds (a consumer on two hosts holds its flavor twice).  New reference. */
json_t *ne_allocs_resources(const struct ne_allocs *a);
/* {"<rp>": {"VCPU": 1, ...}, ...}: a new reference, for logs and JSON. */
json_t *ne_allocs_json(const struct ne_allocs *a);
void ne_allocs_clear(struct ne_allocs *a);

/* ---- the client (placement.c) */

struct ne_placement;

/* Checks the Placement endpoint of os (borrowed; must outlive the client)
 * offers microversion 1.28.  NULL after reporting, with *kind saying what
 * kind of failure it was. */
struct ne_placement *placement_open(struct ne_os *os, enum ne_os_err *kind);
void placement_close(struct ne_placement *pl);
/* Kind of the last failure (NE_OS_OK after a success). */
enum ne_os_err placement_err(const struct ne_placement *pl);

/* The allocations of consumer (an instance or a migration uuid); a
 * consumer with none gives n = 0 and consumer_generation -1.  0, or -1
 * (reported). */
int placement_allocations(struct ne_placement *pl, const char *consumer, struct ne_allocs *out);

/* The uuid of the resource provider named name (a compute node's
 * hypervisor_hostname): 0 and *uuid newly allocated; 1 when there is no
 * such provider (reported); -1 (reported). */
int placement_provider_by_name(struct ne_placement *pl, const char *name, char **uuid);

/* Leaves consumer's allocations on provider rp only (PUT
 * /allocations/{consumer} with its consumer generation, project and user;
 * retried once when the generation changed meanwhile).  The resources are
 * what consumer holds (per class, the largest amount any of its providers
 * holds: a consumer on two hosts holds the flavor twice); when it holds
 * nothing, those of from (may be NULL: the migration consumer, which held
 * the instance's share on the source).  project and user (may be NULL)
 * are used when consumer has none of its own.  Returns 0 when moved, 1
 * when it already was on rp only, 2 when neither consumer holds anything
 * (nothing to move, not reported), -1 (reported). */
int placement_move_allocations(struct ne_placement *pl, const char *consumer, const char *from,
                               const char *rp, const char *project, const char *user);

/* Deletes all the allocations of consumer (a migration that is over).
 * 0 deleted, 1 it held none, -1 (reported). */
int placement_delete_allocations(struct ne_placement *pl, const char *consumer);

#endif
