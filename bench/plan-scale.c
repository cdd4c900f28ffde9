/* SPDX-License-Identifier: Apache-2.0 */
/* plan-scale.c: the fleet planner (model/fleet.h) on a synthetic fleet,
 * for bench/plan-scale.sh.  No I/O but its output: builds a fleet of
 * HOSTS computes with PER instances each (flavors 1-8 VCPU, 2-16 GiB),
 * four availability zones, server groups of every policy, a few disabled
 * and down computes, then plans emptying every DRAIN-th host in waves and
 * prints one line of figures:
 *   hosts instances groups sources waves moved refused gen_s plan_s maxrss_kib
 * (the hosts' count should be a multiple of 4, so that a group stays in
 * one AZ)
 * Usage: plan-scale HOSTS [PER [DRAIN [WAVE_SIZE]]] */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "model/fleet.h"
#include "util/mem.h"

static unsigned long long rng = 88172645463325252ULL;

static unsigned
rnd(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned long
arg(int argc, char **argv, int k, unsigned long def)
{
    char *end;
    unsigned long v;

    if (argc <= k) return def;
    v = strtoul(argv[k], &end, 10);
    if (*end || v == 0) {
        fprintf(stderr, "plan-scale: %s: not a positive number\n", argv[k]);
        exit(2);
    }
    return v;
}

int
main(int argc, char **argv)
{
    static const char *zones[] = {"az1", "az2", "az3", "az4"};
    static const unsigned vcpus[] = {1, 2, 4, 8}, ram[] = {2048, 4096, 8192, 16384};
    size_t nh = arg(argc, argv, 1, 1000), per = arg(argc, argv, 2, 30);
    size_t drain = arg(argc, argv, 3, 5), wsize = arg(argc, argv, 4, 0);
    size_t ni = nh * per, ng = ni / 25, nsrc = 0, h, k, moved = 0, refused = 0;
    struct ne_fleet_host *H = xcalloc(nh, sizeof *H);
    struct ne_fleet_inst *I = xcalloc(ni, sizeof *I);
    struct ne_fleet_group *G = xcalloc(ng + 1, sizeof *G);
    size_t *src = xcalloc(nh, sizeof *src);
    char **names = xcalloc(nh + ni + ng, sizeof *names);
    struct ne_fleet_opts o = {.waves = true, .rejoin = true};
    struct ne_fleet_plan p;
    struct rusage ru;
    char why[256];
    double t0 = now(), t1, t2;

    o.wave_size = (unsigned)(wsize ? wsize : (nh / drain / 10 ? nh / drain / 10 : 1));
    for (h = 0; h < nh; h++) {
        H[h].name = names[h] = xasprintf("cmp%05zu", h);
        H[h].az = zones[h % 4];
        H[h].enabled = h % 97 != 3;   /* about 1% disabled, 1% down */
        H[h].up = h % 89 != 5;
        H[h].inv[NE_RES_VCPU] = (struct ne_fleet_inv){64, 0, 0, 4.0};
        H[h].inv[NE_RES_RAM_MB] = (struct ne_fleet_inv){524288, 4096, 0, 1.0};
        H[h].inv[NE_RES_DISK_GB] = (struct ne_fleet_inv){4000, 100, 0, 1.0};
        if (h % drain == 0) src[nsrc++] = h;
    }
    /* every 25 instances one group of up to 5 members in one AZ */
    for (k = 0; k < ng; k++) {
        G[k].name = names[nh + ni + k] = xasprintf("sg%zu", k);
        G[k].policy = (enum ne_sg_policy)(k % 4);
    }
    for (k = 0; k < ni; k++) {
        struct ne_fleet_inst *i = &I[k];
        unsigned f = rnd(4);
        h = k / per;
        i->name = names[nh + k] = xasprintf("vm%07zu", k);
        i->group = -1;
        i->host = (int)h;
        i->az = H[h].az;
        i->movable = true;
        i->need[NE_RES_VCPU] = vcpus[f];
        i->need[NE_RES_RAM_MB] = ram[f];
        i->need[NE_RES_DISK_GB] = 20 + 20 * f;
        for (f = 0; f < NE_RES_N; f++) H[h].inv[f].used += i->need[f];
    }
    /* group k: up to 5 members, each on its own host of one AZ (hosts
     * 28 apart), or with hard affinity 3 members on one host */
    for (k = 0; k < ng; k++) {
        size_t m, nm = G[k].policy == NE_SG_AFFINITY ? 3 : 5;
        for (m = 0; m < nm; m++) {
            size_t hh = G[k].policy == NE_SG_AFFINITY ? k % nh : (k % nh + 28 * m) % nh;
            size_t slot = ((k / nh) * 5 + m) % per;
            if (I[hh * per + slot].group < 0) I[hh * per + slot].group = (int)k;
        }
    }
    t1 = now();
    if (ne_fleet_plan(H, nh, I, ni, G, ng, src, nsrc, &o, &p, why, sizeof why) < 0) {
        fprintf(stderr, "plan-scale: %s\n", why);
        return 1;
    }
    t2 = now();
    for (k = 0; k < p.nw; k++) {
        moved += p.w[k].moved;
        refused += p.w[k].refused;
    }
    getrusage(RUSAGE_SELF, &ru);
    printf("%zu %zu %zu %zu %zu %zu %zu %.4f %.4f %ld\n", nh, ni, ng, nsrc, p.nw, moved, refused,
           t1 - t0, t2 - t1, ru.ru_maxrss);
    if (getenv("PLAN_SCALE_WHY"))
        for (k = 0; k < ni; k++)
            if (I[k].wave && I[k].dest < 0) fprintf(stderr, "%s: %s\n", I[k].name, I[k].why);
    ne_fleet_plan_free(&p);
    for (k = 0; k < nh + ni + ng; k++) free(names[k]);
    free(names);
    free(src);
    free(G);
    free(I);
    free(H);
    return 0;
}
