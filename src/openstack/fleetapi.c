/* SPDX-License-Identifier: Apache-2.0 */
/* fleetapi.c: see fleetapi.h.  Reads only. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "openstack/fleetapi.h"
#include "openstack/http.h"
#include "util/log.h"
#include "util/mem.h"

int
nova_aggregates(struct ne_nova *nv, struct ne_aggregate **out, size_t *n)
{
    struct ne_http_resp r;
    int rc;

    *out = NULL;
    *n = 0;
    if (nova_get(nv, "list host aggregates", "/os-aggregates", &r) < 0) return -1;
    rc = nova_parse_aggregates(r.body, r.len, "nova: list host aggregates", out, n);
    http_resp_clear(&r);
    return rc;
}

int
nova_server_groups(struct ne_nova *nv, struct ne_server_group **out, size_t *n)
{
    struct ne_http_resp r;
    int rc;

    *out = NULL;
    *n = 0;
    /* one page is 1000 groups at most (osapi_max_limit's default) */
    if (nova_get(nv, "list server groups", "/os-server-groups?all_projects=True&limit=1000",
                 &r) < 0)
        return -1;
    rc = nova_parse_server_groups(r.body, r.len, "nova: list server groups", out, n);
    http_resp_clear(&r);
    return rc;
}

int
placement_inventory(struct ne_placement *pl, const char *name, struct ne_rp_inventory *out)
{
    CLEANUP_FREE char *uuid = NULL, *p1 = NULL, *p2 = NULL, *obj = NULL;
    struct ne_http_resp r;
    int rc;

    memset(out, 0, sizeof *out);
    if ((rc = placement_provider_by_name(pl, name, &uuid)) != 0) return rc;
    p1 = xasprintf("/resource_providers/%s/inventories", uuid);
    p2 = xasprintf("/resource_providers/%s/usages", uuid);
    obj = xasprintf("of %s (provider %s)", name, uuid);
    if (placement_get(pl, "read the inventory", obj, p1, &r) < 0) return -1;
    rc = placement_parse_inventories(r.body, r.len, "placement: inventory", out);
    http_resp_clear(&r);
    if (rc < 0) return -1;
    if (placement_get(pl, "read the usages", obj, p2, &r) < 0) return -1;
    rc = placement_parse_usages(r.body, r.len, "placement: usages", out);
    http_resp_clear(&r);
    return rc;
}
