/* SPDX-License-Identifier: Apache-2.0 */
/* drain-nova-fleet.c: the fleet as Nova and Placement see it, for the
 * fleet planner (drain-fleet.h).  Reads only:
 *   os-services      every nova-compute: enabled/disabled, up/down (forced
 *                    down is down), its zone;
 *   os-aggregates    availability zones (an aggregate's zone wins over the
 *                    service's, which is the same unless Nova's cache is
 *                    stale);
 *   os-hypervisors   the compute node of each host (its Placement name);
 *   Placement        each node's inventory (total, reserved,
 *                    allocation_ratio) and usage, per VCPU/MEMORY_MB/DISK_GB;
 *                    without Placement, the hypervisor's totals and used,
 *                    ratio 1.0 (said in `where`);
 *   os-server-groups every group with its policy and members;
 *   servers          those on the hosts to empty (their flavors), and each
 *                    group member's host. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "drain/drain-fleet.h"
#include "openstack/fleetapi.h"
#include "util/log.h"
#include "util/mem.h"

int ne_nova_fleet_read(struct ne_nova *nv, struct ne_placement *pl, const char *const *src,
                       size_t nsrc, struct ne_nova_fleet *out);

static void
set_az(struct ne_nova_fleet *f, const struct ne_aggregate *a, size_t na)
{
    size_t i, j;
    int h;

    for (i = 0; i < na; i++)
        for (j = 0; a[i].az && j < a[i].nhosts; j++)
            if ((h = ne_nova_fleet_host(f, a[i].hosts[j])) >= 0) {
                free((char *)f->hosts[h].az);
                f->hosts[h].az = xstrdup(a[i].az);
            }
}

/* Capacity of host k from Placement, else from its hypervisor. */
static bool
capacity(struct ne_nova_fleet *f, size_t k, struct ne_placement *pl,
         const struct ne_hypervisor *hv, size_t nhv)
{
    struct ne_fleet_host *H = &f->hosts[k];
    const struct ne_hypervisor *v = NULL;
    struct ne_rp_inventory inv;
    size_t i;
    int r;

    /* no figure at all: the resource does not limit the plan */
    for (r = 0; r < NE_RES_N; r++) H->inv[r] = (struct ne_fleet_inv){1ULL << 40, 0, 0, 1.0};
    for (i = 0; i < nhv; i++)
        if (str_eq(hv[i].host, H->name)) v = &hv[i];
    if (pl && placement_inventory(pl, v && v->hostname ? v->hostname : H->name, &inv) == 0) {
        for (r = 0; r < NE_RES_N; r++) {
            if (!inv.have[r]) continue;
            H->inv[r] = (struct ne_fleet_inv){(uint64_t)inv.total[r], (uint64_t)inv.reserved[r],
                                              (uint64_t)inv.used[r], inv.ratio[r]};
        }
        return true;
    }
    if (v && v->vcpus >= 0) {
        H->inv[NE_RES_VCPU] = (struct ne_fleet_inv){(uint64_t)v->vcpus, 0, (uint64_t)v->vcpus_used, 1.0};
        H->inv[NE_RES_RAM_MB] = (struct ne_fleet_inv){(uint64_t)v->memory_mb, 0,
                                                      (uint64_t)v->memory_mb_used, 1.0};
        H->inv[NE_RES_DISK_GB] = (struct ne_fleet_inv){(uint64_t)v->local_gb, 0,
                                                       (uint64_t)v->local_gb_used, 1.0};
    }
    return false;
}

static struct ne_nova_server *
add_server(struct ne_nova_fleet *f, size_t *cap, const char *uuid)
{
    struct ne_nova_server *s;
    size_t k;

    for (k = 0; k < f->ns; k++)
        if (strcmp(f->servers[k].uuid, uuid) == 0) return &f->servers[k];
    xgrow((void **)&f->servers, cap, f->ns + 1, sizeof *f->servers);
    s = &f->servers[f->ns++];
    memset(s, 0, sizeof *s);
    s->uuid = xstrdup(uuid);
    s->host = s->group = -1;
    return s;
}

static void
take_server(struct ne_nova_fleet *f, struct ne_nova_server *s, const struct ne_server *sv)
{
    s->host = ne_nova_fleet_host(f, sv->host);
    if (sv->flavor_vcpus < 0 || sv->flavor_ram_mb < 0) return;
    s->have_flavor = true;
    s->need[NE_RES_VCPU] = (uint64_t)sv->flavor_vcpus;
    s->need[NE_RES_RAM_MB] = (uint64_t)sv->flavor_ram_mb;
    s->need[NE_RES_DISK_GB] = sv->flavor_disk_gb > 0 ? (uint64_t)sv->flavor_disk_gb : 0;
}

/* The servers on the hosts to empty, and the groups with their members. */
static int
servers_and_groups(struct ne_nova_fleet *f, struct ne_nova *nv, const char *const *src,
                   size_t nsrc)
{
    struct ne_server_group *g = NULL;
    struct ne_server *sv = NULL;
    size_t ng = 0, nsv = 0, cap = 0, i, j;
    int p, rc = -1;

    for (i = 0; i < nsrc; i++) {
        if (nova_servers_on_host(nv, src[i], &sv, &nsv) < 0) goto out;
        for (j = 0; j < nsv; j++) take_server(f, add_server(f, &cap, sv[j].id), &sv[j]);
        ne_servers_free(sv, nsv);
        sv = NULL;
    }
    if (nova_server_groups(nv, &g, &ng) < 0) goto out;
    f->groups = xcalloc(ng + 1, sizeof *f->groups);
    for (i = 0; i < ng; i++) {
        struct ne_fleet_group *G = &f->groups[f->ng];
        if ((p = ne_sg_policy_parse(g[i].policy)) < 0) {
            ne_warn("server group %s (%s): policy %s unknown to nova-evac: not counted",
                    g[i].name ? g[i].name : "?", g[i].id, g[i].policy);
            continue;
        }
        G->name = xstrdup(g[i].name && *g[i].name ? g[i].name : g[i].id);
        G->policy = (enum ne_sg_policy)p;
        G->max_per_host = g[i].max_per_host > 0 ? (unsigned)g[i].max_per_host : 0;
        for (j = 0; j < g[i].nmembers; j++) {
            struct ne_nova_server *s = add_server(f, &cap, g[i].members[j]);
            struct ne_server one;
            s->group = (int)f->ng;
            if (s->host >= 0) continue;
            memset(&one, 0, sizeof one);
            /* 1: deleted meanwhile; -1 reported: its host stays unknown */
            if (nova_server_show(nv, s->uuid, &one) == 0) take_server(f, s, &one);
            ne_server_clear(&one);
        }
        f->ng++;
    }
    rc = 0;
out:
    ne_server_groups_free(g, ng);
    return rc;
}

int
ne_nova_fleet_read(struct ne_nova *nv, struct ne_placement *pl, const char *const *src,
                   size_t nsrc, struct ne_nova_fleet *out)
{
    struct ne_service *svc = NULL;
    struct ne_hypervisor *hv = NULL;
    struct ne_aggregate *ag = NULL;
    size_t nsvc = 0, nhv = 0, nag = 0, i, from_pl = 0;
    int rc = -1;

    memset(out, 0, sizeof *out);
    if (nova_services(nv, NULL, &svc, &nsvc) < 0 || nova_hypervisors(nv, &hv, &nhv) < 0 ||
        nova_aggregates(nv, &ag, &nag) < 0)
        goto out;
    out->hosts = xcalloc(nsvc + 1, sizeof *out->hosts);
    for (i = 0; i < nsvc; i++) {
        struct ne_fleet_host *H;
        if (!str_eq(svc[i].binary, "nova-compute") || !svc[i].host ||
            ne_nova_fleet_host(out, svc[i].host) >= 0)
            continue;
        H = &out->hosts[out->nh++];
        H->name = xstrdup(svc[i].host);
        H->az = xstrdup_null(svc[i].zone);
        H->enabled = str_eq(svc[i].status, "enabled");
        H->up = str_eq(svc[i].state, "up") && !svc[i].forced_down;
    }
    set_az(out, ag, nag);
    for (i = 0; i < out->nh; i++) from_pl += capacity(out, i, pl, hv, nhv);
    out->where = xasprintf("Nova: %zu compute service(s), %zu aggregate(s); capacity from "
                           "Placement for %zu, from os-hypervisors for %zu", out->nh, nag,
                           from_pl, out->nh - from_pl);
    rc = servers_and_groups(out, nv, src, nsrc);
out:
    ne_services_free(svc, nsvc);
    ne_hypervisors_free(hv, nhv);
    ne_aggregates_free(ag, nag);
    if (rc < 0) ne_nova_fleet_free(out);
    return rc;
}
