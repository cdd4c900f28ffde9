/* SPDX-License-Identifier: Apache-2.0 */
/* drain-fleet.h: a drain's placement by the fleet planner (model/fleet.h)
 * when Nova is configured: the fleet as Nova and Placement see it
 * (struct ne_nova_fleet, read by the nova hook `fleet`, see
 * drain-nova-fleet.c), combined with what libvirt says of each
 * destination (reachable, CPU model, base images, free disk and RAM).
 * Without Nova, the drain places with destpick (model/place.h) as before. */
#ifndef NE_DRAIN_FLEET_H
#define NE_DRAIN_FLEET_H

#include "drain/drain.h"
#include "model/fleet.h"

#include <jansson.h>

/* A server Nova knows: on a host being emptied, or a member of a server
 * group (wherever it is). */
struct ne_nova_server {
    char *uuid;
    int host;                     /* index into hosts, -1: not on a known compute */
    int group;                    /* index into groups, -1: none */
    bool have_flavor;             /* need[] from the flavor (2.47+) */
    uint64_t need[NE_RES_N];
};

struct ne_nova_fleet {
    struct ne_fleet_host *hosts;  /* name and az owned (char * inside) */
    size_t nh;
    struct ne_fleet_group *groups; /* name owned */
    size_t ng;
    struct ne_nova_server *servers;
    size_t ns;
    char *where;                  /* where the figures came from, for the plan */
};

void ne_nova_fleet_free(struct ne_nova_fleet *f);
/* Index of host name in f, or -1. */
int ne_nova_fleet_host(const struct ne_nova_fleet *f, const char *name);

/* drain.c's placement when dr->fleet is set: fills pi[i].host/why and the
 * destinations' planned_* like ne_place.  Returns 0, or -1 when the
 * source is not a compute Nova knows (reported: the caller places with
 * ne_place). */
int drain_fleet_place(struct ne_drain *dr, struct ne_place_inst *pi);

/* The plan's word on the fleet (Nova's view): as lines, or with root
 * (the plan's JSON object) as its "fleet" member.  Nothing without Nova. */
void drain_fleet_print(const struct ne_drain *dr, json_t *root);

/* Before the first move: disables the source's compute service (the
 * audited path), waits until Nova builds nothing more there, reads the
 * instance list again and plans again, so that an instance scheduled
 * there before the disable is drained too.  Without the Nova hooks,
 * nothing.  0, or an exit code after reporting (nothing moved). */
int ne_drain_disable_replan(struct ne_drain *dr);

#endif
