/* SPDX-License-Identifier: Apache-2.0 */
/* fleet-int.h: what fleet.c (one placement) and fleet-waves.c (the waves)
 * share: the planner's working state. */
#ifndef NE_FLEET_INT_H
#define NE_FLEET_INT_H

#include "model/fleet.h"

/* A source not yet given a wave. */
#define FLEET_UNASSIGNED 0xffffffffu

struct fleet_host {
    int64_t cap[NE_RES_N];     /* ne_fleet_capacity */
    int64_t used[NE_RES_N];    /* Placement's usage, plus planned in, minus planned out */
    unsigned planned_n;        /* instances planned into it */
    unsigned wave;             /* 0: not a source; FLEET_UNASSIGNED; else its wave */
};

/* Where a server group's members are: hosts and counts (planned moves
 * included), and its members (instance indices). */
struct fleet_group {
    size_t *host;
    unsigned *cnt;
    size_t n, cap;
    size_t *member;
    size_t nm;
};

struct fleet {
    const struct ne_fleet_host *hosts;
    size_t nh;
    struct ne_fleet_inst *inst;
    size_t ni;
    const struct ne_fleet_group *groups;
    size_t ng;
    const struct ne_fleet_opts *o;
    struct fleet_host *hs;
    struct fleet_group *gs;
    unsigned cur_wave;
    /* hard affinity, for the instance being placed */
    int anchor;
    uint64_t group_need[NE_RES_N];
};

unsigned fleet_group_count(const struct fleet_group *g, size_t host);
void fleet_group_add(struct fleet_group *g, size_t host, int delta);
/* Places instance ii in f->cur_wave: 0, or -1 with its why filled. */
int fleet_place_one(struct fleet *f, size_t ii);
/* Takes back a placement of fleet_place_one. */
void fleet_unplace(struct fleet *f, size_t ii);

#endif
