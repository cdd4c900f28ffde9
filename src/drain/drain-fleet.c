/* SPDX-License-Identifier: Apache-2.0 */
/* drain-fleet.c: see drain-fleet.h. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "drain/drain-fleet.h"
#include "drain/drain-int.h"
#include "util/log.h"
#include "util/mem.h"

void
ne_nova_fleet_free(struct ne_nova_fleet *f)
{
    size_t k;

    if (!f) return;
    for (k = 0; k < f->nh; k++) {
        free((char *)f->hosts[k].name);
        free((char *)f->hosts[k].az);
    }
    for (k = 0; k < f->ng; k++) free((char *)f->groups[k].name);
    for (k = 0; k < f->ns; k++) free(f->servers[k].uuid);
    free(f->hosts);
    free(f->groups);
    free(f->servers);
    free(f->where);
    memset(f, 0, sizeof *f);
}

int
ne_nova_fleet_host(const struct ne_nova_fleet *f, const char *name)
{
    size_t k;
    for (k = 0; k < f->nh; k++)
        if (str_eq(f->hosts[k].name, name)) return (int)k;
    return -1;
}

static const struct ne_nova_server *
server_of(const struct ne_nova_fleet *f, const char *uuid)
{
    size_t k;
    for (k = 0; k < f->ns; k++)
        if (strcmp(f->servers[k].uuid, uuid) == 0) return &f->servers[k];
    return NULL;
}

/* What the planner asks of libvirt's side for one pair. */
struct vctx {
    struct ne_drain *dr;
    const struct ne_place_inst *pi;
    const int *map;               /* fleet host -> dr->hosts index, -1 */
    char buf[128];
};

/* Why dr's host map[h] cannot take instance i (only the drain's own
 * instances, i < dr->n, are asked): not a destination of this drain,
 * libvirt's word (unreachable, CPU, base image), or its free disk or RAM
 * as libvirt reads it, for this instance alone. */
static const char *
veto(void *ctx, size_t i, size_t h)
{
    struct vctx *v = ctx;
    const struct ne_place_host *p;
    int k = v->map[h];

    if (i >= v->dr->n) return NULL;
    if (k < 0) return "not a destination of this drain (--to, nova-evac.conf nodes)";
    p = &v->dr->ph[k];
    if (!p->usable) return p->unusable_why ? p->unusable_why : "not usable";
    if (v->pi[i].veto[k]) return v->pi[i].veto[k];
    if (p->free_disk < p->planned_disk + v->pi[i].disk_bytes)
        return str_eq(v->dr->hosts[k].disk_from, "nova") ? "disk full (Nova's disk_available_least)"
                                                        : "instances path disk full (libvirt)";
    if (p->free_ram_kib < p->planned_ram_kib + v->pi[i].ram_kib) return "RAM full (libvirt)";
    return NULL;
}

static void
placed(void *ctx, size_t i, size_t h, int delta)
{
    struct vctx *v = ctx;
    struct ne_place_host *p;

    if (i >= v->dr->n || v->map[h] < 0) return;
    p = &v->dr->ph[v->map[h]];
    if (delta > 0) {
        p->planned_disk += v->pi[i].disk_bytes;
        p->planned_ram_kib += v->pi[i].ram_kib;
        p->planned_n++;
    } else {
        p->planned_disk -= v->pi[i].disk_bytes;
        p->planned_ram_kib -= v->pi[i].ram_kib;
        p->planned_n--;
    }
}

int
drain_fleet_place(struct ne_drain *dr, struct ne_place_inst *pi)
{
    const struct ne_nova_fleet *f = dr->fleet;
    int src = ne_nova_fleet_host(f, dr->o->host);
    size_t i, k, n = dr->n, extra = 0, sidx = (size_t)src;
    struct ne_fleet_inst *fi;
    struct ne_fleet_opts fo = {.any_az = dr->o->any_az};
    struct ne_fleet_plan plan;
    struct vctx vc = {dr, pi, NULL, ""};
    CLEANUP_FREE int *map = NULL;
    char why[256];

    if (src < 0) {
        ne_warn("drain %s: Nova has no compute service on %s: destinations are chosen from "
                "libvirt's figures alone", dr->o->host, dr->o->host);
        return -1;
    }
    map = xcalloc(f->nh + 1, sizeof *map);
    for (k = 0; k < f->nh; k++) map[k] = drain_host_index(dr, f->hosts[k].name);
    vc.map = map;
    /* the drain's instances, then the group members elsewhere (not moved:
     * they count for their groups) */
    fi = xcalloc(n + f->ns + 1, sizeof *fi);
    for (i = 0; i < n; i++) {
        const struct ne_drain_item *it = &dr->items[i];
        const struct ne_nova_server *s = server_of(f, it->d->uuid);
        fi[i] = (struct ne_fleet_inst){.name = it->d->name, .host = src, .group = -1,
                                       .az = f->hosts[src].az, .movable = pi[i].needs_host};
        if (s && s->have_flavor) {
            memcpy(fi[i].need, s->need, sizeof fi[i].need);
        } else { /* not Nova's, or an old microversion: the domain's size */
            fi[i].need[NE_RES_VCPU] = it->d->vcpus ? it->d->vcpus : 1;
            fi[i].need[NE_RES_RAM_MB] = it->d->memory_kib / 1024;
            fi[i].need[NE_RES_DISK_GB] = (pi[i].disk_bytes + (1ULL << 30) - 1) >> 30;
        }
        if (s) fi[i].group = s->group;
    }
    for (k = 0; k < f->ns; k++) {
        const struct ne_nova_server *s = &f->servers[k];
        if (s->group < 0 || s->host < 0 || s->host == src || drain_item_by_uuid(dr, s->uuid))
            continue;
        fi[n + extra++] = (struct ne_fleet_inst){.name = s->uuid, .host = s->host,
                                                 .group = s->group, .movable = false};
    }
    fo.veto = veto;
    fo.placed = placed;
    fo.veto_ctx = &vc;
    for (k = 0; k < dr->nhosts; k++) {
        dr->ph[k].planned_disk = dr->ph[k].planned_ram_kib = 0;
        dr->ph[k].planned_n = 0;
    }
    if (ne_fleet_plan(f->hosts, f->nh, fi, n + extra, f->groups, f->ng, &sidx, 1, &fo, &plan, why,
                      sizeof why) < 0) {
        ne_error("drain %s: the fleet plan failed: %s", dr->o->host, why);
        free(fi);
        return -1;
    }
    for (i = 0; i < n; i++) {
        pi[i].host = fi[i].dest >= 0 ? map[fi[i].dest] : -1;
        snprintf(pi[i].why, sizeof pi[i].why, "%s", fi[i].why);
    }
    ne_fleet_plan_free(&plan);
    free(fi);
    return 0;
}

/* What a host has free of resource r, capacity minus usage, or 0. */
static uint64_t
free_of(const struct ne_fleet_host *h, int r)
{
    uint64_t cap = ne_fleet_capacity(&h->inv[r]);
    return cap > h->inv[r].used ? cap - h->inv[r].used : 0;
}

void
drain_fleet_print(const struct ne_drain *dr, json_t *root)
{
    const struct ne_nova_fleet *f = dr->fleet;
    json_t *hosts;
    size_t k;

    if (!f) return;
    if (!root) {
        printf("fleet: %s%s\n", f->where, dr->o->any_az ? "; --any-az: zones not kept" : "");
        for (k = 0; k < f->nh; k++) {
            const struct ne_fleet_host *h = &f->hosts[k];
            printf("compute %s: %s, %s, AZ %s; free %llu VCPU, %llu MiB RAM, %llu GB disk "
                   "(allocation ratios %.1f/%.1f/%.1f)\n", h->name,
                   h->enabled ? "enabled" : "disabled", h->up ? "up" : "down",
                   h->az ? h->az : "-", (unsigned long long)free_of(h, NE_RES_VCPU),
                   (unsigned long long)free_of(h, NE_RES_RAM_MB),
                   (unsigned long long)free_of(h, NE_RES_DISK_GB), h->inv[0].ratio,
                   h->inv[1].ratio, h->inv[2].ratio);
        }
        for (k = 0; k < f->ng; k++)
            printf("server group %s: %s\n", f->groups[k].name,
                   ne_sg_policy_name(f->groups[k].policy));
        return;
    }
    hosts = json_array();
    for (k = 0; k < f->nh; k++) {
        const struct ne_fleet_host *h = &f->hosts[k];
        json_array_append_new(hosts, json_pack("{s:s, s:b, s:b, s:s?, s:I, s:I, s:I}", "host",
                                               h->name, "enabled", h->enabled, "up", h->up, "az",
                                               h->az, "free_vcpus", (json_int_t)free_of(h, 0),
                                               "free_ram_mb", (json_int_t)free_of(h, 1),
                                               "free_disk_gb", (json_int_t)free_of(h, 2)));
    }
    json_object_set_new(root, "fleet", json_pack("{s:s, s:b, s:o}", "source", f->where, "any_az",
                                                 dr->o->any_az, "computes", hosts));
}
