/* SPDX-License-Identifier: Apache-2.0 */
/* fleet.c: see fleet.h.  The rules of one placement are here; the waves
 * (which source goes when, rollback of a source that does not fit) are in
 * fleet-waves.c. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/fleet-int.h"
#include "util/mem.h"

uint64_t
ne_fleet_capacity(const struct ne_fleet_inv *v)
{
    double r = v->ratio > 0 ? v->ratio : 1.0;

    if (v->total <= v->reserved) return 0;
    return (uint64_t)((double)(v->total - v->reserved) * r);
}

static const char *const policy_names[] = {"affinity", "anti-affinity", "soft-affinity",
                                           "soft-anti-affinity"};

const char *
ne_sg_policy_name(enum ne_sg_policy p)
{
    return (unsigned)p < 4 ? policy_names[p] : "?";
}

int
ne_sg_policy_parse(const char *s)
{
    int i;
    for (i = 0; s && i < 4; i++)
        if (strcmp(s, policy_names[i]) == 0) return i;
    return -1;
}

/* ---- server groups: how many members each host holds (now or planned) */

unsigned
fleet_group_count(const struct fleet_group *g, size_t host)
{
    size_t i;
    for (i = 0; i < g->n; i++)
        if (g->host[i] == host) return g->cnt[i];
    return 0;
}

void
fleet_group_add(struct fleet_group *g, size_t host, int delta)
{
    size_t i;
    for (i = 0; i < g->n; i++)
        if (g->host[i] == host) {
            g->cnt[i] = (unsigned)((int)g->cnt[i] + delta);
            return;
        }
    if (delta <= 0) return;
    if (g->n == g->cap) {
        g->cap = g->cap ? g->cap * 2 : 4;
        g->host = xrealloc(g->host, g->cap * sizeof *g->host);
        g->cnt = xrealloc(g->cnt, g->cap * sizeof *g->cnt);
    }
    g->host[g->n] = host;
    g->cnt[g->n++] = (unsigned)delta;
}

/* ---- one placement */

/* Why a host was passed over, by kind; the message names a few of each. */
enum cat { C_DRAINING, C_DISABLED, C_DOWN, C_AZ, C_GROUP, C_VCPU, C_RAM, C_DISK, C_VETO, C_N };

static const char *const cat_text[C_N] = {
    "being emptied", "disabled", "down", "other AZ", NULL, "VCPU full", "RAM full",
    "disk full", NULL,
};

/* Hosts refused per category; vetoes (the caller's own reasons) per
 * distinct text, the first FLEET_VETOS of them, the rest counted with the
 * last one. */
#define FLEET_VETOS 4
struct tally_one {
    unsigned n;
    size_t first[2];
};
struct tally {
    struct tally_one c[C_N];
    struct tally_one v[FLEET_VETOS];
    const char *veto[FLEET_VETOS];
    unsigned nv;
};

static void
tally_one_add(struct tally_one *o, size_t host)
{
    if (o->n < 2) o->first[o->n] = host;
    o->n++;
}

static void
tally_add(struct tally *t, enum cat c, const char *veto, size_t host)
{
    unsigned k;

    tally_one_add(&t->c[c], host);
    if (c != C_VETO) return;
    for (k = 0; k < t->nv; k++)
        if (str_eq(t->veto[k], veto)) break;
    if (k == t->nv) {
        if (t->nv < FLEET_VETOS)
            t->veto[t->nv++] = veto;
        else
            k = FLEET_VETOS - 1;
    }
    tally_one_add(&t->v[k], host);
}

/* May host h take instance i in wave w?  C_N when it may. */
static enum cat
check_host(struct fleet *f, const struct ne_fleet_inst *i, size_t ii, size_t h, unsigned w,
           const char **veto)
{
    const struct ne_fleet_host *H = &f->hosts[h];
    const struct fleet_host *S = &f->hs[h];
    int r;

    if (S->wave != 0) { /* a source */
        if (S->wave == FLEET_UNASSIGNED || S->wave >= w || !f->o->rejoin) return C_DRAINING;
        if (!H->up) return C_DOWN;
    } else {
        if (!H->up) return C_DOWN;
        if (!H->enabled) return C_DISABLED;
    }
    if (!f->o->any_az && i->az && !str_eq(i->az, H->az)) return C_AZ;
    for (r = 0; r < NE_RES_N; r++)
        if (S->used[r] + (int64_t)i->need[r] > S->cap[r]) return (enum cat)(C_VCPU + r);
    if (i->group >= 0) {
        const struct ne_fleet_group *g = &f->groups[i->group];
        const struct fleet_group *G = &f->gs[i->group];
        if (g->policy == NE_SG_ANTI_AFFINITY &&
            fleet_group_count(G, h) >= (g->max_per_host ? g->max_per_host : 1))
            return C_GROUP;
        if (g->policy == NE_SG_AFFINITY && f->anchor >= 0 && (size_t)f->anchor != h)
            return C_GROUP;
        if (g->policy == NE_SG_AFFINITY && f->anchor < 0)
            for (r = 0; r < NE_RES_N; r++)
                if (S->used[r] + (int64_t)f->group_need[r] > S->cap[r])
                    return (enum cat)(C_VCPU + r);
    }
    if (f->o->veto && (*veto = f->o->veto(f->o->veto_ctx, ii, h)) != NULL) return C_VETO;
    return C_N;
}

/* Hard affinity: the host where the group's other members are (not on a
 * host being emptied now or later), or -1; then group_need is what all
 * its members still to move need together. */
static void
affinity_anchor(struct fleet *f, const struct ne_fleet_inst *i)
{
    const struct fleet_group *G = &f->gs[i->group];
    size_t k, m;
    int r;

    f->anchor = -1;
    memset(f->group_need, 0, sizeof f->group_need);
    for (k = 0; k < G->n; k++) {
        unsigned sw = f->hs[G->host[k]].wave;
        if (G->cnt[k] > 0 && (sw == 0 || (sw != FLEET_UNASSIGNED && sw < f->cur_wave))) {
            f->anchor = (int)G->host[k];
            return;
        }
    }
    for (k = 0; k < G->nm; k++) {
        const struct ne_fleet_inst *o = &f->inst[G->member[k]];
        m = (size_t)o->host;
        if (o->dest >= 0 || !o->movable || f->hs[m].wave == 0) continue;
        for (r = 0; r < NE_RES_N; r++) f->group_need[r] += o->need[r];
    }
}

/* Lower is better: what a soft policy thinks of host h. */
static unsigned
soft_penalty(const struct fleet *f, const struct ne_fleet_inst *i, size_t h)
{
    const struct ne_fleet_group *g;
    unsigned c;

    if (i->group < 0) return 0;
    g = &f->groups[i->group];
    c = fleet_group_count(&f->gs[i->group], h);
    if (g->policy == NE_SG_SOFT_ANTI_AFFINITY) return c;
    if (g->policy == NE_SG_SOFT_AFFINITY) return c > 0 ? 0 : 1;
    return 0;
}

static void
say_why(struct fleet *f, struct ne_fleet_inst *i, const struct tally *t)
{
    size_t len = 0, sz = sizeof i->why;
    int c;

    i->why[0] = '\0';
    for (c = 0; c < C_N && len < sz; c++) {
        char what[128];
        unsigned k, nk = 1;
        if (!t->c[c].n) continue;
        if (c == C_VETO) nk = t->nv;
        for (k = 0; k < nk && len < sz; k++) {
            const struct tally_one *o = c == C_VETO ? &t->v[k] : &t->c[c];
            if (c == C_GROUP) {
                const struct ne_fleet_group *g = &f->groups[i->group];
                snprintf(what, sizeof what, "%s group %s", ne_sg_policy_name(g->policy), g->name);
            } else if (c == C_AZ) {
                snprintf(what, sizeof what, "not in AZ %s", i->az);
            } else {
                snprintf(what, sizeof what, "%s", c == C_VETO ? t->veto[k] : cat_text[c]);
            }
            len += (size_t)snprintf(i->why + len, sz - len, "%s%s: %s%s%s%s", len ? "; " : "", what,
                                    f->hosts[o->first[0]].name, o->n > 1 ? "," : "",
                                    o->n > 1 ? f->hosts[o->first[1]].name : "",
                                    o->n > 2 ? ",..." : "");
        }
    }
    if (!i->why[0]) snprintf(i->why, sz, "no destination host");
}

int
fleet_place_one(struct fleet *f, size_t ii)
{
    struct ne_fleet_inst *i = &f->inst[ii];
    struct tally t;
    size_t h, src = (size_t)i->host;
    int best = -1, r;
    unsigned best_pen = 0, best_n = 0;
    uint64_t best_left = 0;

    memset(&t, 0, sizeof t);
    f->anchor = -1;
    if (i->group >= 0 && f->groups[i->group].policy == NE_SG_AFFINITY) affinity_anchor(f, i);
    for (h = 0; h < f->nh; h++) {
        const char *veto = NULL;
        enum cat c;
        unsigned pen;
        uint64_t left;

        if (h == src) continue;
        c = check_host(f, i, ii, h, f->cur_wave, &veto);
        if (c != C_N) {
            tally_add(&t, c, veto, h);
            continue;
        }
        pen = soft_penalty(f, i, h);
        left = (uint64_t)(f->hs[h].cap[NE_RES_RAM_MB] - f->hs[h].used[NE_RES_RAM_MB] -
                          (int64_t)i->need[NE_RES_RAM_MB]);
        if (best < 0 || pen < best_pen || (pen == best_pen && left > best_left) ||
            (pen == best_pen && left == best_left && f->hs[h].planned_n < best_n)) {
            best = (int)h;
            best_pen = pen;
            best_left = left;
            best_n = f->hs[h].planned_n;
        }
    }
    if (best < 0) {
        say_why(f, i, &t);
        return -1;
    }
    i->dest = best;
    i->why[0] = '\0';
    for (r = 0; r < NE_RES_N; r++) {
        f->hs[best].used[r] += (int64_t)i->need[r];
        f->hs[src].used[r] -= (int64_t)i->need[r];
    }
    f->hs[best].planned_n++;
    if (f->o->placed) f->o->placed(f->o->veto_ctx, ii, (size_t)best, 1);
    if (i->group >= 0) {
        fleet_group_add(&f->gs[i->group], (size_t)best, 1);
        fleet_group_add(&f->gs[i->group], src, -1);
    }
    return 0;
}

void
fleet_unplace(struct fleet *f, size_t ii)
{
    struct ne_fleet_inst *i = &f->inst[ii];
    size_t d = (size_t)i->dest, src = (size_t)i->host;
    int r;

    if (i->dest < 0) return;
    for (r = 0; r < NE_RES_N; r++) {
        f->hs[d].used[r] -= (int64_t)i->need[r];
        f->hs[src].used[r] += (int64_t)i->need[r];
    }
    f->hs[d].planned_n--;
    if (f->o->placed) f->o->placed(f->o->veto_ctx, ii, d, -1);
    if (i->group >= 0) {
        fleet_group_add(&f->gs[i->group], d, -1);
        fleet_group_add(&f->gs[i->group], src, 1);
    }
    i->dest = -1;
}
