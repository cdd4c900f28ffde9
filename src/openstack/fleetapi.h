/* SPDX-License-Identifier: Apache-2.0 */
/* fleetapi.h: what the fleet planner (model/fleet.h) needs from Nova and
 * Placement beyond nova.h and placement.h: host aggregates with their
 * availability zones, server groups with their members and policy, and
 * each compute's inventory (total, reserved, allocation_ratio) and usage
 * per resource class.
 *
 * The parsers (fleetjson.c) are pure: unit-tested in tests/unit/fleetjson-t.c.
 * The client calls are in fleetapi.c.  Strings are owned by the structs:
 * free with the matching *_free. */
#ifndef NE_FLEETAPI_H
#define NE_FLEETAPI_H

#include <stdbool.h>
#include <stddef.h>

#include "openstack/nova.h"
#include "openstack/placement.h"

/* GET /os-aggregates: name, its availability zone (NULL: none) and hosts. */
struct ne_aggregate {
    char *name, *az;
    char **hosts;
    size_t nhosts;
};

/* GET /os-server-groups: policy as Nova spells it ("anti-affinity"...;
 * "policies"[0] before 2.64); max_per_host from its rules (2.64), 0 when
 * not said; members are server uuids. */
struct ne_server_group {
    char *id, *name, *policy;
    long long max_per_host;
    char **members;
    size_t nmembers;
};

/* The compute resource classes the planner counts, in model/fleet.h's
 * order (VCPU, MEMORY_MB, DISK_GB). */
#define NE_RP_NRES 3
struct ne_rp_inventory {
    bool have[NE_RP_NRES];                        /* the class is in the inventory */
    long long total[NE_RP_NRES], reserved[NE_RP_NRES], used[NE_RP_NRES];
    double ratio[NE_RP_NRES];
};
extern const char *const ne_rp_classes[NE_RP_NRES];

/* ---- pure parsers; what names the request for messages; 0 or -1 (reported) */
int nova_parse_aggregates(const char *buf, size_t len, const char *what,
                          struct ne_aggregate **out, size_t *n);
int nova_parse_server_groups(const char *buf, size_t len, const char *what,
                             struct ne_server_group **out, size_t *n);
/* GET /resource_providers/{uuid}/inventories: fills have/total/reserved/ratio. */
int placement_parse_inventories(const char *buf, size_t len, const char *what,
                                struct ne_rp_inventory *out);
/* GET /resource_providers/{uuid}/usages: fills used. */
int placement_parse_usages(const char *buf, size_t len, const char *what,
                           struct ne_rp_inventory *out);
void ne_aggregates_free(struct ne_aggregate *a, size_t n);
void ne_server_groups_free(struct ne_server_group *g, size_t n);

/* ---- the client (fleetapi.c) */
int nova_aggregates(struct ne_nova *nv, struct ne_aggregate **out, size_t *n);
/* Every project's server groups (admin). */
int nova_server_groups(struct ne_nova *nv, struct ne_server_group **out, size_t *n);
/* The inventory and usage of the compute node named name (its
 * hypervisor_hostname).  0, 1 no such provider (reported), -1 (reported). */
int placement_inventory(struct ne_placement *pl, const char *name, struct ne_rp_inventory *out);

/* GET path on the compute API (nova.c) or Placement (placement.c): 0 and
 * the 200 reply in *r (http_resp_clear), or -1 after reporting "ACTION:
 * why". */
struct ne_http_resp;
int nova_get(struct ne_nova *nv, const char *action, const char *path, struct ne_http_resp *r);
int placement_get(struct ne_placement *pl, const char *action, const char *object,
                  const char *path, struct ne_http_resp *r);

#endif
