/* SPDX-License-Identifier: Apache-2.0 */
/* fleet-t.c: the fleet planner's rules, one at a time: disabled and down
 * computes, availability zones, allocation ratios and reserved, server
 * groups (hard and soft), vetoes, waves and hosts rejoining. */
#include <config.h>

#include <string.h>

#include "model/fleet.h"
#include "tap.h"

#define NH 5
static struct ne_fleet_host H[NH];
static struct ne_fleet_inst I[16];
static struct ne_fleet_group G[4];
static struct ne_fleet_plan P;
static char why[256];

/* node01..node05: 8 VCPU (ratio 1), 8192 MiB RAM, 100 GB disk, empty. */
static void
fleet(void)
{
    static const char *names[NH] = {"node01", "node02", "node03", "node04", "node05"};
    size_t h;
    memset(H, 0, sizeof H);
    for (h = 0; h < NH; h++) {
        H[h].name = names[h];
        H[h].enabled = H[h].up = true;
        H[h].inv[NE_RES_VCPU] = (struct ne_fleet_inv){8, 0, 0, 1.0};
        H[h].inv[NE_RES_RAM_MB] = (struct ne_fleet_inv){8192, 0, 0, 1.0};
        H[h].inv[NE_RES_DISK_GB] = (struct ne_fleet_inv){100, 0, 0, 1.0};
    }
    memset(I, 0, sizeof I);
    memset(G, 0, sizeof G);
}

/* Instance k on host h: vcpus, ram MiB, disk GB; counted in h's usage. */
static void
vm(size_t k, const char *name, int h, unsigned vcpus, unsigned ram, unsigned disk)
{
    I[k] = (struct ne_fleet_inst){.name = name, .host = h, .group = -1, .movable = true,
                                  .need = {vcpus, ram, disk}};
    H[h].inv[NE_RES_VCPU].used += vcpus;
    H[h].inv[NE_RES_RAM_MB].used += ram;
    H[h].inv[NE_RES_DISK_GB].used += disk;
}

static int
plan(size_t ni, const size_t *src, size_t nsrc, const struct ne_fleet_opts *o)
{
    ne_fleet_plan_free(&P);
    return ne_fleet_plan(H, NH, I, ni, G, 4, src, nsrc, o, &P, why, sizeof why);
}

static const char *
no_node04(void *ctx, size_t inst, size_t host)
{
    (void)ctx;
    (void)inst;
    return host == 3 ? "CPU model not compatible" : NULL;
}

/* two different reasons: each is said with its own hosts */
static const char *
two_vetoes(void *ctx, size_t inst, size_t host)
{
    (void)ctx;
    (void)inst;
    if (host == 3) return "CPU model not compatible";
    return host == 0 || host == 4 ? "not a destination" : NULL;
}

static int placed_sum, placed_calls;

static void
count_placed(void *ctx, size_t inst, size_t host, int delta)
{
    (void)ctx;
    (void)inst;
    (void)host;
    placed_sum += delta;
    placed_calls++;
}

int
main(void)
{
    struct ne_fleet_opts o = {0};
    size_t s2[] = {1}, s23[] = {1, 2};
    struct ne_fleet_inv inv = {16, 2, 0, 16.0};

    is_int((int)ne_fleet_capacity(&inv), 224, "capacity is (total - reserved) * ratio");
    inv.ratio = 0;
    is_int((int)ne_fleet_capacity(&inv), 14, "a ratio of 0 reads as 1.0");
    is_int(ne_sg_policy_parse("soft-anti-affinity"), NE_SG_SOFT_ANTI_AFFINITY, "policy names");
    is_int(ne_sg_policy_parse("nope"), -1, "unknown policy");

    /* disabled and down computes are never chosen, whatever their room */
    fleet();
    vm(0, "a", 1, 1, 1024, 10);
    H[0].enabled = false;
    H[2].up = false;
    H[3].inv[NE_RES_RAM_MB].used = 7680; /* node04 nearly full: node05 is the only one */
    is_int(plan(1, s2, 1, &o), 0, "plans");
    is_int(I[0].dest, 4, "the only enabled, up host with room is chosen (node05)");
    H[4].enabled = false;
    plan(1, s2, 1, &o);
    is_int(I[0].dest, -1, "nothing enabled and up with room: refused");
    ok(strstr(I[0].why, "disabled: node01,node05") && strstr(I[0].why, "down: node03") &&
       strstr(I[0].why, "RAM full: node04"), "the reason names each host and why: %s", I[0].why);
    is_int((int)I[0].wave, 1, "its wave is still said");
    is_int((int)P.w[0].refused, 1, "the wave counts it refused");

    /* availability zones */
    fleet();
    H[0].az = H[1].az = "az1";
    H[2].az = H[3].az = H[4].az = "az2";
    vm(0, "zoned", 1, 1, 1024, 10);
    I[0].az = "az1";
    plan(1, s2, 1, &o);
    is_int(I[0].dest, 0, "an instance stays in its AZ (node01 is the only other az1 host)");
    H[0].enabled = false;
    plan(1, s2, 1, &o);
    is_int(I[0].dest, -1, "no host left in its AZ: refused");
    ok(strstr(I[0].why, "not in AZ az1: node03,node04,...") != NULL, "says the AZ: %s",
       I[0].why);
    o.any_az = true;
    plan(1, s2, 1, &o);
    ok(I[0].dest >= 2, "--any-az: another zone is allowed");
    o.any_az = false;

    /* allocation ratios and reserved */
    fleet();
    vm(0, "cpu-heavy", 1, 8, 1024, 10);
    H[0].inv[NE_RES_VCPU].used = 4;
    H[2].inv[NE_RES_VCPU].used = 4;
    H[3].enabled = H[4].enabled = false;
    plan(1, s2, 1, &o);
    is_int(I[0].dest, -1, "8 VCPU do not fit 4 free at ratio 1.0");
    ok(strstr(I[0].why, "VCPU full: node01,node03") != NULL, "VCPU named: %s", I[0].why);
    H[2].inv[NE_RES_VCPU].ratio = 4.0;
    plan(1, s2, 1, &o);
    is_int(I[0].dest, 2, "with cpu_allocation_ratio 4.0 they fit node03");
    H[2].inv[NE_RES_RAM_MB].reserved = 7680;
    plan(1, s2, 1, &o);
    is_int(I[0].dest, -1, "reserved RAM is not free");
    ok(strstr(I[0].why, "RAM full: node03") != NULL, "RAM named: %s", I[0].why);

    /* hard anti-affinity spanning two sources */
    fleet();
    G[0] = (struct ne_fleet_group){"web", NE_SG_ANTI_AFFINITY, 0};
    vm(0, "web-1", 1, 1, 1024, 10);
    vm(1, "web-2", 2, 1, 1024, 10);
    vm(2, "web-3", 3, 1, 1024, 10); /* stays on node04 */
    I[0].group = I[1].group = I[2].group = 0;
    plan(3, s23, 2, &o);
    ok(I[0].dest >= 0 && I[1].dest >= 0 && I[0].dest != I[1].dest,
       "anti-affinity: the two members go to different hosts");
    ok(I[0].dest != 3 && I[1].dest != 3, "and not where a third member is");
    H[4].enabled = false;
    plan(3, s23, 2, &o);
    ok((I[0].dest == 0) != (I[1].dest == 0), "one host left: one member moves");
    ok((I[0].dest < 0 && strstr(I[0].why, "anti-affinity group web: node01,node04")) ||
       (I[1].dest < 0 && strstr(I[1].why, "anti-affinity group web: node01,node04")),
       "the other is refused naming the group and the hosts: %s%s", I[0].why, I[1].why);
    G[0].max_per_host = 2;
    plan(3, s23, 2, &o);
    ok(I[0].dest >= 0 && I[1].dest >= 0, "max_server_per_host 2 lets both move");

    /* soft anti-affinity: preferred, not required */
    fleet();
    G[0] = (struct ne_fleet_group){"soft", NE_SG_SOFT_ANTI_AFFINITY, 0};
    vm(0, "s-1", 1, 1, 1024, 10);
    vm(1, "s-2", 0, 1, 512, 10);
    I[0].group = I[1].group = 0;
    H[0].inv[NE_RES_RAM_MB].used = 0; /* node01 the emptiest: spread alone would pick it */
    plan(2, s2, 1, &o);
    ok(I[0].dest > 0, "soft anti-affinity avoids node01, where a member is");
    H[2].enabled = H[3].enabled = H[4].enabled = false;
    plan(2, s2, 1, &o);
    is_int(I[0].dest, 0, "but moves next to it when nothing else is left");

    /* soft affinity prefers where the group is */
    fleet();
    G[0] = (struct ne_fleet_group){"near", NE_SG_SOFT_AFFINITY, 0};
    vm(0, "n-1", 1, 1, 1024, 10);
    vm(1, "n-2", 3, 1, 4096, 10);
    I[0].group = I[1].group = 0;
    plan(2, s2, 1, &o);
    is_int(I[0].dest, 3, "soft affinity: next to its member on node04, though fuller");

    /* hard affinity: the members on the source go together */
    fleet();
    G[0] = (struct ne_fleet_group){"pair", NE_SG_AFFINITY, 0};
    vm(0, "p-1", 1, 1, 3072, 10);
    vm(1, "p-2", 1, 1, 3072, 10);
    vm(2, "other", 1, 1, 512, 10);
    I[0].group = I[1].group = 0;
    H[0].inv[NE_RES_RAM_MB].used = 4096; /* room for one only */
    H[2].inv[NE_RES_RAM_MB].used = 4096;
    H[3].inv[NE_RES_RAM_MB].used = 2048; /* room for both, not the emptiest */
    H[4].inv[NE_RES_RAM_MB].used = 4096;
    plan(3, s2, 1, &o);
    ok(I[0].dest == 3 && I[1].dest == 3, "affinity: both members to the one host with room for both");
    H[3].inv[NE_RES_RAM_MB].used = 4096;
    plan(3, s2, 1, &o);
    ok(I[0].dest < 0 && I[1].dest < 0, "no host holds the pair: neither moves");
    ok(strstr(I[0].why, "RAM full") != NULL, "the reason says RAM: %s", I[0].why);
    ok(I[2].dest >= 0, "the others still move");
    /* a member elsewhere anchors the group */
    fleet();
    G[0] = (struct ne_fleet_group){"pair", NE_SG_AFFINITY, 0};
    vm(0, "p-1", 1, 1, 1024, 10);
    vm(1, "p-2", 4, 1, 1024, 10);
    I[0].group = I[1].group = 0;
    plan(2, s2, 1, &o);
    is_int(I[0].dest, 4, "affinity: goes where the other member lives");
    H[4].inv[NE_RES_RAM_MB].used = 8192;
    plan(2, s2, 1, &o);
    is_int(I[0].dest, -1, "that host full: refused");
    ok(strstr(I[0].why, "affinity group pair: node01,node03") != NULL, "naming the group: %s",
       I[0].why);

    /* vetoes (CPU model...) */
    fleet();
    vm(0, "v", 1, 1, 1024, 10);
    H[0].enabled = H[2].enabled = H[4].enabled = false;
    o.veto = no_node04;
    plan(1, s2, 1, &o);
    is_int(I[0].dest, -1, "a vetoed host is not chosen");
    ok(strstr(I[0].why, "CPU model not compatible: node04") != NULL, "the veto is said: %s",
       I[0].why);
    H[0].enabled = H[4].enabled = true;
    o.veto = two_vetoes;
    plan(1, s2, 1, &o);
    is_int(I[0].dest, -1, "every host vetoed or disabled: refused");
    ok(strstr(I[0].why, "not a destination: node01,node05") &&
       strstr(I[0].why, "CPU model not compatible: node04") && strstr(I[0].why, "disabled: node03"),
       "each veto names its own hosts, never another's: %s", I[0].why);
    o.veto = NULL;

    /* movable = false: stays, no reason invented */
    fleet();
    vm(0, "refused", 1, 1, 1024, 10);
    I[0].movable = false;
    plan(1, s2, 1, &o);
    ok(I[0].dest == -1 && I[0].why[0] == '\0' && P.w[0].refused == 0,
       "an instance not to be placed is left alone");

    /* waves: node02 and node03 hold two 3 GiB guests each; node01 and
     * node04 have room for one each, node05 none: one source at a time */
    fleet();
    vm(0, "a1", 1, 1, 3072, 10);
    vm(1, "a2", 1, 1, 3072, 10);
    vm(2, "b1", 2, 1, 3072, 10);
    vm(3, "b2", 2, 1, 3072, 10);
    H[0].inv[NE_RES_RAM_MB].used = 4096;
    H[3].inv[NE_RES_RAM_MB].used = 4096;
    H[4].inv[NE_RES_RAM_MB].used = 8192;
    plan(4, s23, 2, &o);
    is_int((int)P.nw, 1, "without --waves: one wave");
    is_int((int)(P.w[0].moved + P.w[0].refused), 4, "four instances in it");
    ok(P.w[0].refused == 2, "two do not fit while both hosts are emptied at once");
    o.waves = true;
    o.rejoin = true;
    plan(4, s23, 2, &o);
    is_int((int)P.nw, 2, "--waves: two waves");
    ok(P.w[0].nsrc == 1 && P.w[0].src[0] == 1 && P.w[1].nsrc == 1 && P.w[1].src[0] == 2,
       "node02 first, then node03");
    ok(P.w[0].refused == 0 && P.w[1].refused == 0, "nothing refused");
    ok(I[2].dest == 1 || I[3].dest == 1, "node02, emptied in wave 1, takes node03's guests");
    is_int((int)I[2].wave, 2, "node03's instances are in wave 2");
    is_int((int)P.w[0].free_after[NE_RES_RAM_MB], 2048, "wave 1 leaves 2 GiB free");
    is_int((int)P.w[1].dest_hosts, 4, "wave 2 has four destinations (node02 rejoined)");
    o.rejoin = false;
    plan(4, s23, 2, &o);
    ok(P.nw == 2 && P.w[1].refused == 2, "without rejoining, the second wave has no room");
    ok(strstr(I[2].why, "being emptied: node02") != NULL, "and says node02 was emptied: %s",
       I[2].why);
    /* wave size */
    fleet();
    vm(0, "a1", 1, 1, 1024, 10);
    vm(1, "b1", 2, 1, 1024, 10);
    o.rejoin = true;
    o.wave_size = 0;
    plan(2, s23, 2, &o);
    is_int((int)P.nw, 1, "room for both: one wave");
    o.wave_size = 1;
    plan(2, s23, 2, &o);
    is_int((int)P.nw, 2, "--wave-size 1: two waves");

    /* the placed hook sees every placement and every one taken back */
    fleet();
    vm(0, "a1", 1, 1, 3072, 10);
    vm(1, "a2", 1, 1, 3072, 10);
    vm(2, "b1", 2, 1, 1024, 10);
    vm(3, "b2", 2, 1, 1024, 10);
    H[0].inv[NE_RES_RAM_MB].used = 4096; /* after wave 1: room for b1 only */
    H[3].inv[NE_RES_RAM_MB].used = 5120;
    H[4].inv[NE_RES_RAM_MB].used = 8192;
    o.wave_size = 0;
    o.placed = count_placed;
    plan(4, s23, 2, &o);
    is_int((int)P.nw, 2, "placed: two waves");
    is_int(placed_sum, 4, "placed: four placements stand");
    ok(placed_calls > 4, "placed: node03's trial in wave 1 was taken back (%d calls)", placed_calls);
    o.placed = NULL;

    /* bad input */
    {
        size_t dup[] = {1, 1}, far[] = {9};
        is_int(plan(0, dup, 2, &o), -1, "a source named twice is refused");
        ok(strstr(why, "node02: named twice") != NULL, "and said: %s", why);
        is_int(plan(0, far, 1, &o), -1, "an unknown source index is refused");
    }
    ne_fleet_plan_free(&P);
    return done_testing();
}
