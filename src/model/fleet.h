/* SPDX-License-Identifier: Apache-2.0 */
/* fleet.h: the fleet planner (pure, no I/O): where every instance of the
 * hosts being emptied goes, in which wave, or why it cannot move.
 *
 * Input: the fleet (every compute host with its capacity as Placement
 * counts it: total, reserved, allocation ratio and usage per resource; its
 * service enabled/up state; its availability zone), every instance (its
 * flavor's VCPU/MEMORY_MB/DISK_GB, its host, the AZ to keep, its server
 * group), the server groups with their policy, the hosts to empty and the
 * limits.  Output: per instance a destination and a wave, or a refusal
 * with the reason; per wave the hosts it empties and the capacity the rest
 * of the fleet has left after it.
 *
 * Rules (Nova's scheduler filters the move must pass, so that Nova accepts
 * the placement):
 *  - a disabled or down compute is never chosen, nor a host being emptied
 *    in this or a later wave; a host emptied in an earlier wave takes
 *    instances again when o->rejoin says it comes back;
 *  - the instance's AZ is kept unless o->any_az;
 *  - capacity per resource: (total - reserved) * allocation_ratio must
 *    hold used + planned (ComputeFilter/Placement's arithmetic);
 *  - affinity and anti-affinity (hard) are kept: a move that would break
 *    one is refused with the reason; soft-affinity and soft-anti-affinity
 *    are preferred, never required; anti-affinity honours max_per_host
 *    (the group rule of microversion 2.64, default 1);
 *  - among the hosts that pass, soft policies first, then the host with
 *    the most RAM left (spread), then the fewest instances planned there.
 *
 * Waves: without o->waves every source is emptied at once (one wave).
 * With o->waves the sources are taken in the caller's order, first fit: a
 * wave takes a source when every one of its movable instances fits the
 * rest of the fleet next to what the wave already holds, up to
 * o->wave_size sources (0: no limit).  A source that fits no wave even
 * alone gets a wave of its own, and its instances that cannot move are
 * refused with the reason (they stay).
 *
 * Every string is borrowed from the caller; arrays are the caller's.
 * Indices (host, group) refer to the caller's arrays. */
#ifndef NE_FLEET_H
#define NE_FLEET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ne_fleet_res { NE_RES_VCPU, NE_RES_RAM_MB, NE_RES_DISK_GB, NE_RES_N };

/* One resource of a host as Placement has it (inventory and usage). */
struct ne_fleet_inv {
    uint64_t total, reserved, used;
    double ratio;                  /* allocation_ratio; <= 0 read as 1.0 */
};

struct ne_fleet_host {
    const char *name;
    const char *az;                /* NULL: none (Nova's default zone) */
    bool enabled, up;              /* nova-compute service state */
    struct ne_fleet_inv inv[NE_RES_N];
};

enum ne_sg_policy {
    NE_SG_AFFINITY,
    NE_SG_ANTI_AFFINITY,
    NE_SG_SOFT_AFFINITY,
    NE_SG_SOFT_ANTI_AFFINITY,
};

struct ne_fleet_group {
    const char *name;
    enum ne_sg_policy policy;
    unsigned max_per_host;         /* anti-affinity: 0 read as 1 */
};

struct ne_fleet_inst {
    const char *name;
    int host;                      /* where it is now: index into hosts */
    const char *az;                /* the zone to keep; NULL: any */
    int group;                     /* index into groups, -1: none */
    bool movable;                  /* false: not to be placed (refused by the
                                    * decision table, already moved...) */
    uint64_t need[NE_RES_N];       /* the flavor */
    /* Output */
    int dest;                      /* index into hosts, -1: not moved */
    unsigned wave;                 /* 1-based wave of its source; 0: not on a source */
    char why[200];                 /* dest < 0 on a source: why not */
};

struct ne_fleet_opts {
    bool waves;                    /* order the sources into waves */
    unsigned wave_size;            /* most sources per wave (0: as many as fit) */
    bool any_az;                   /* AZ not kept */
    bool rejoin;                   /* emptied hosts take instances in later waves */
    /* Extra per-pair refusal (CPU model, base image...): why host may not
     * take instance inst, or NULL; may be NULL.  Static strings. */
    const char *(*veto)(void *ctx, size_t inst, size_t host);
    /* Told of each placement (delta 1) and each one taken back (-1), so
     * that veto can count what is planned on a host; may be NULL. */
    void (*placed)(void *ctx, size_t inst, size_t host, int delta);
    void *veto_ctx;
};

struct ne_fleet_wave {
    size_t *src;                   /* host indices emptied in this wave (owned) */
    size_t nsrc;
    size_t moved, refused;         /* instances */
    size_t dest_hosts;             /* hosts that could take instances in it */
    /* What those hosts have left after it: sum over them of
     * capacity - used, per resource. */
    uint64_t free_after[NE_RES_N];
};

struct ne_fleet_plan {
    struct ne_fleet_wave *w;       /* owned */
    size_t nw;
};

/* Plans emptying src[0..nsrc-1] (host indices) and fills every
 * instance's dest/wave/why.  Returns 0, or -1 when an argument is out of
 * range (a source or an instance's host or group index; why says). */
int ne_fleet_plan(const struct ne_fleet_host *hosts, size_t nh, struct ne_fleet_inst *inst,
                  size_t ni, const struct ne_fleet_group *groups, size_t ng, const size_t *src,
                  size_t nsrc, const struct ne_fleet_opts *o, struct ne_fleet_plan *out,
                  char *why, size_t whylen);
void ne_fleet_plan_free(struct ne_fleet_plan *p);

/* Capacity of one resource: (total - reserved) * ratio, rounded down. */
uint64_t ne_fleet_capacity(const struct ne_fleet_inv *v);
/* "anti-affinity"... as Nova spells it; parse: -1 for an unknown name. */
const char *ne_sg_policy_name(enum ne_sg_policy p);
int ne_sg_policy_parse(const char *s);

#endif
