/* SPDX-License-Identifier: Apache-2.0 */
/* fleet-waves.c: the fleet planner's entry point: checks its input, sets
 * up the working state, orders the sources into waves (see fleet.h) and
 * says what each wave leaves. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/fleet-int.h"
#include "util/mem.h"

/* Per source, its instances, largest first (RAM, then VCPU, then disk). */
struct srclist {
    size_t *v;
    size_t n;
};

static const struct ne_fleet_inst *sort_base;

static int
by_size_desc(const void *a, const void *b)
{
    const struct ne_fleet_inst *x = &sort_base[*(const size_t *)a];
    const struct ne_fleet_inst *y = &sort_base[*(const size_t *)b];
    int r;

    for (r = NE_RES_RAM_MB; r >= 0; r--) /* RAM, VCPU; disk last */
        if (x->need[r] != y->need[r]) return x->need[r] < y->need[r] ? 1 : -1;
    if (x->need[NE_RES_DISK_GB] != y->need[NE_RES_DISK_GB])
        return x->need[NE_RES_DISK_GB] < y->need[NE_RES_DISK_GB] ? 1 : -1;
    return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

static int
check_input(struct fleet *f, const size_t *src, size_t nsrc, char *why, size_t wl)
{
    size_t k;

    for (k = 0; k < nsrc; k++) {
        if (src[k] >= f->nh) {
            snprintf(why, wl, "source %zu: no such host (%zu hosts)", src[k], f->nh);
            return -1;
        }
        if (f->hs[src[k]].wave) {
            snprintf(why, wl, "%s: named twice as a host to empty", f->hosts[src[k]].name);
            return -1;
        }
        f->hs[src[k]].wave = FLEET_UNASSIGNED;
    }
    for (k = 0; k < f->ni; k++) {
        const struct ne_fleet_inst *i = &f->inst[k];
        if (i->host < 0 || (size_t)i->host >= f->nh) {
            snprintf(why, wl, "instance %s: host index %d out of range", i->name, i->host);
            return -1;
        }
        if (i->group >= 0 && (size_t)i->group >= f->ng) {
            snprintf(why, wl, "instance %s: group index %d out of range", i->name, i->group);
            return -1;
        }
    }
    return 0;
}

static void
setup(struct fleet *f)
{
    size_t h, k;
    int r;

    for (h = 0; h < f->nh; h++)
        for (r = 0; r < NE_RES_N; r++) {
            f->hs[h].cap[r] = (int64_t)ne_fleet_capacity(&f->hosts[h].inv[r]);
            f->hs[h].used[r] = (int64_t)f->hosts[h].inv[r].used;
        }
    for (k = 0; k < f->ni; k++) {
        struct ne_fleet_inst *i = &f->inst[k];
        i->dest = -1;
        i->wave = 0;
        i->why[0] = '\0';
        if (i->group < 0) continue;
        fleet_group_add(&f->gs[i->group], (size_t)i->host, 1);
        f->gs[i->group].nm++;
    }
    for (k = 0; k < f->ng; k++) {
        f->gs[k].member = xcalloc(f->gs[k].nm + 1, sizeof(size_t));
        f->gs[k].nm = 0;
    }
    for (k = 0; k < f->ni; k++)
        if (f->inst[k].group >= 0) {
            struct fleet_group *g = &f->gs[f->inst[k].group];
            g->member[g->nm++] = k;
        }
}

/* The instances of every source, largest first. */
static struct srclist *
list_sources(struct fleet *f)
{
    struct srclist *sl = xcalloc(f->nh + 1, sizeof *sl);
    size_t *fill = xcalloc(f->nh + 1, sizeof *fill);
    size_t k, h;

    for (k = 0; k < f->ni; k++)
        if (f->hs[f->inst[k].host].wave) sl[f->inst[k].host].n++;
    for (h = 0; h < f->nh; h++)
        if (sl[h].n) sl[h].v = xcalloc(sl[h].n, sizeof(size_t));
    for (k = 0; k < f->ni; k++) {
        size_t s = (size_t)f->inst[k].host;
        if (f->hs[s].wave) sl[s].v[fill[s]++] = k;
    }
    sort_base = f->inst;
    for (h = 0; h < f->nh; h++)
        if (sl[h].n > 1) qsort(sl[h].v, sl[h].n, sizeof(size_t), by_size_desc);
    free(fill);
    return sl;
}

/* Places every movable instance of source s in the current wave.  With
 * all_or_none, a failure takes back what it placed and returns -1. */
static int
place_source(struct fleet *f, const struct srclist *sl, bool all_or_none)
{
    size_t k, j;

    for (k = 0; k < sl->n; k++) {
        struct ne_fleet_inst *i = &f->inst[sl->v[k]];
        i->wave = f->cur_wave;
        if (!i->movable) continue;
        if (fleet_place_one(f, sl->v[k]) == 0 || !all_or_none) continue;
        for (j = 0; j <= k; j++) {
            fleet_unplace(f, sl->v[j]);
            f->inst[sl->v[j]].wave = 0;
            f->inst[sl->v[j]].why[0] = '\0';
        }
        return -1;
    }
    return 0;
}

/* What the hosts that could take instances in wave w have left after it. */
static void
wave_stats(struct fleet *f, struct ne_fleet_wave *w, const struct srclist *sl)
{
    size_t h, k, s;
    int r;

    for (h = 0; h < f->nh; h++) {
        const struct fleet_host *S = &f->hs[h];
        const struct ne_fleet_host *H = &f->hosts[h];
        bool dest = S->wave == 0 ? H->enabled && H->up
                                 : f->o->rejoin && S->wave < f->cur_wave && H->up;
        if (!dest) continue;
        w->dest_hosts++;
        for (r = 0; r < NE_RES_N; r++)
            if (S->cap[r] > S->used[r]) w->free_after[r] += (uint64_t)(S->cap[r] - S->used[r]);
    }
    for (s = 0; s < w->nsrc; s++)
        for (k = 0; k < sl[w->src[s]].n; k++) {
            const struct ne_fleet_inst *i = &f->inst[sl[w->src[s]].v[k]];
            if (i->dest >= 0) w->moved++;
            else if (i->movable) w->refused++;
        }
}

static void
plan_waves(struct fleet *f, const size_t *src, size_t nsrc, struct srclist *sl,
           struct ne_fleet_plan *out)
{
    size_t left = nsrc, k;
    const struct ne_fleet_opts *o = f->o;

    out->w = xcalloc(nsrc + 1, sizeof *out->w);
    while (left) {
        struct ne_fleet_wave *w = &out->w[out->nw];
        f->cur_wave = (unsigned)++out->nw;
        w->src = xcalloc(nsrc, sizeof *w->src);
        for (k = 0; k < nsrc; k++) {
            size_t s = src[k];
            if (f->hs[s].wave != FLEET_UNASSIGNED) continue;
            if (o->waves && o->wave_size && w->nsrc >= o->wave_size) break;
            f->hs[s].wave = f->cur_wave;
            /* the first source of a wave goes whatever fits; the others
             * only when all their instances do */
            if (place_source(f, &sl[s], o->waves && w->nsrc > 0) < 0) {
                f->hs[s].wave = FLEET_UNASSIGNED;
                continue;
            }
            w->src[w->nsrc++] = s;
            left--;
        }
        wave_stats(f, w, sl);
    }
}

int
ne_fleet_plan(const struct ne_fleet_host *hosts, size_t nh, struct ne_fleet_inst *inst,
              size_t ni, const struct ne_fleet_group *groups, size_t ng, const size_t *src,
              size_t nsrc, const struct ne_fleet_opts *o, struct ne_fleet_plan *out, char *why,
              size_t whylen)
{
    struct fleet f = {hosts, nh, inst, ni, groups, ng, o, NULL, NULL, 0, -1, {0}};
    struct srclist *sl;
    size_t k;
    int rc = 0;

    memset(out, 0, sizeof *out);
    f.hs = xcalloc(nh + 1, sizeof *f.hs);
    f.gs = xcalloc(ng + 1, sizeof *f.gs);
    if (check_input(&f, src, nsrc, why, whylen) < 0) {
        rc = -1;
        goto out;
    }
    setup(&f);
    sl = list_sources(&f);
    if (o->waves) {
        plan_waves(&f, src, nsrc, sl, out);
    } else {
        /* one wave: every source at once */
        for (k = 0; k < nsrc; k++) f.hs[src[k]].wave = 1;
        f.cur_wave = 1;
        out->w = xcalloc(1, sizeof *out->w);
        out->nw = 1;
        out->w[0].src = xcalloc(nsrc + 1, sizeof(size_t));
        for (k = 0; k < nsrc; k++) {
            out->w[0].src[out->w[0].nsrc++] = src[k];
            place_source(&f, &sl[src[k]], false);
        }
        wave_stats(&f, &out->w[0], sl);
    }
    for (k = 0; k < nh; k++) free(sl[k].v);
    free(sl);
out:
    for (k = 0; k < ng; k++) {
        free(f.gs[k].host);
        free(f.gs[k].cnt);
        free(f.gs[k].member);
    }
    free(f.gs);
    free(f.hs);
    return rc;
}

void
ne_fleet_plan_free(struct ne_fleet_plan *p)
{
    size_t k;
    for (k = 0; k < p->nw; k++) free(p->w[k].src);
    free(p->w);
    p->w = NULL;
    p->nw = 0;
}
