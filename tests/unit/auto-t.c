/* SPDX-License-Identifier: Apache-2.0 */
/* auto-t.c: the -j auto controller (src/drain/drain-auto.c) fed scripted
 * observation sequences: how the limit climbs, holds and backs off. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "drain/drain-auto.h"
#include "tap.h"

#define MIB 1048576.0

/* Aggregate rate in bytes/s with n migrations at once. */
typedef double model_fn(unsigned n);

static double flat_after_4(unsigned n) { return (n < 4 ? n : 4) * 10 * MIB; }
static double falls_after_4(unsigned n) { return n <= 4 ? n * 10 * MIB : (40.0 - (n - 4) * 5) * MIB; }
static double linear(unsigned n) { return n * 5 * MIB; }
static double one_per_s(unsigned n) { return n * 4 * MIB; } /* each slot ends a migration a second */

struct sim {
    struct ne_auto a;
    struct ne_auto_obs o;
    unsigned path[32];   /* the limits in the order taken, path[0] = 1 */
    double at[32];       /* ...and when (o.t) */
    size_t npath;
    char why[32][256];   /* the reason of each change or hold */
    size_t nwhy;
};

static void
sim_init(struct sim *s, unsigned max)
{
    memset(s, 0, sizeof *s);
    ne_auto_init(&s->a, max);
    s->o.waiting = 100;
    s->o.bytes_known = true;
    s->o.dest_busy = s->o.dest_busy_base = -1;
    s->path[s->npath++] = s->a.limit;
}

/* The first migration as the model sees it: it ends with the first
 * completion; before, it has done the work per migration copying (the
 * model's migrations do not end without completions: not capped, so
 * that its rate is one job's). */
static void
sim_first(struct sim *s)
{
    if (s->o.first_t > 0 && s->o.first_work >= 1 && s->o.completed >= 1) return;
    s->o.first_t = s->o.t;
    if (s->o.completed >= 1) {
        s->o.first_work = 1;
        return;
    }
    s->o.first_work = s->o.work / (s->o.copying ? s->o.copying : 1);
}

/* One 500 ms tick with the limit filled, `copying` of them copying,
 * bytes from model (at the copying ones), completions when `ends`. */
static void
sim_tick(struct sim *s, model_fn *model, unsigned copying, bool ends)
{
    char why[256];
    unsigned l;

    s->o.t += 0.5;
    s->o.inflight = s->a.limit;
    s->o.copying = copying;
    s->o.bytes += model(copying) * 0.5;
    s->o.work = s->o.bytes / (4 * MIB); /* 4 MiB per migration */
    if (ends) s->o.completed = (unsigned)(s->o.bytes / (4 * MIB)); /* 4 MiB per migration */
    sim_first(s);
    l = ne_auto_step(&s->a, &s->o, why, sizeof why);
    if (why[0] && s->nwhy < 32) snprintf(s->why[s->nwhy++], sizeof s->why[0], "%s", why);
    if (l != s->path[s->npath - 1] && s->npath < 32) s->at[s->npath] = s->o.t, s->path[s->npath++] = l;
}

/* ticks 500 ms ticks, the limit filled, all copying, bytes from model */
static void
sim_run(struct sim *s, model_fn *model, unsigned ticks)
{
    char why[256];
    unsigned i, l;

    for (i = 0; i < ticks; i++) {
        s->o.t += 0.5;
        s->o.inflight = s->o.copying = s->a.limit;
        s->o.bytes += model(s->a.limit) * 0.5;
        s->o.work = s->o.bytes / (4 * MIB);
        s->o.completed = (unsigned)(s->o.bytes / (4 * MIB)); /* 4 MiB per migration */
        sim_first(s);
        l = ne_auto_step(&s->a, &s->o, why, sizeof why);
        if (why[0] && s->nwhy < 32) snprintf(s->why[s->nwhy++], sizeof s->why[0], "%s", why);
        if (l != s->path[s->npath - 1] && s->npath < 32) s->at[s->npath] = s->o.t, s->path[s->npath++] = l;
    }
}

/* sim_run until the limit is `to` (at most max ticks): the ticks it took */
static unsigned
sim_to(struct sim *s, model_fn *model, unsigned to, unsigned max)
{
    unsigned i;

    for (i = 0; i < max && s->a.limit != to; i++) sim_run(s, model, 1);
    return i;
}

/* true when the limit never went down along the path */
static bool
path_rises(const struct sim *s)
{
    size_t i;

    for (i = 1; i < s->npath; i++)
        if (s->path[i] < s->path[i - 1]) return false;
    return true;
}

static const char *
path_str(const struct sim *s, char *buf, size_t len)
{
    size_t i, off = 0;

    buf[0] = '\0';
    for (i = 0; i < s->npath && off < len; i++)
        off += (size_t)snprintf(buf + off, len - off, "%s%u", i ? " " : "", s->path[i]);
    return buf;
}

int
main(void)
{
    struct sim s;
    char p[128];

    /* rate rises to 4 then stays flat: doubles to 8, finds no gain, holds */
    sim_init(&s, 16);
    sim_run(&s, flat_after_4, 60);
    is_str(path_str(&s, p, sizeof p), "1 2 4 8 9 8 9 8 9 8",
           "flat after 4: 1, 2, 4, 8, held; probes of 9 go back to 8");
    is_int(s.a.limit, 8, "flat after 4: held at 8");
    is_int(s.nwhy, 10, "flat after 4: three raises, one hold, three probes and their verdicts said");
    ok(strstr(s.why[4], "with 8 at once over") && strstr(s.why[4], "trying 9 again"),
       "a probe says the rate it starts from: %s", s.why[4]);
    ok(strstr(s.why[5], "with 9 at once, no gain from") && strstr(s.why[5], "back to 8"),
       "a probe without gain goes back: %s", s.why[5]);
    is_int(s.a.probe_gap, 128, "the probes' gaps double: 16, 32, 64 ended migrations, 128 next");
    ok(strstr(s.why[0], "the first migration copies: up to 2") != NULL, "the first raise says why: %s", s.why[0]);
    ok(strstr(s.why[1], "with 2 at once, up from 120.0 migrations/min with 1 (the first migration's own): up to 4") != NULL,
       "the verdict on 2 names the first migration's rate: %s", s.why[1]);
    ok(strstr(s.why[2], "rate 600.0 migrations/min (40.0 MiB/s) with 4 at once, up from 300.0 migrations/min (20.0 MiB/s) with 2: up to 8") != NULL,
       "a raise names both rates: %s", s.why[2]);
    ok(strstr(s.why[3], "no longer rises") && strstr(s.why[3], "holding at 8"), "the hold says why: %s", s.why[3]);

    /* rate falls past 4 (contention): back to 4 and never above again */
    sim_init(&s, 16);
    sim_run(&s, falls_after_4, 80);
    p[0] = '\0';
    ok(strncmp(path_str(&s, p, sizeof p), "1 2 4 8 4 5 4", 13) == 0, "falls after 4: back to 4 from 8, a probe of 5 back to 4: %s", p);
    ok(strstr(s.why[3], "down from 600.0 migrations/min (40.0 MiB/s) with 4") && strstr(s.why[3], "back to 4"),
       "the back-off names the better rate: %s", s.why[3]);
    is_int(s.a.limit, 4, "falls after 4: stays at 4 (between probes)");

    /* a rate that keeps rising: up to the maximum (the instances) */
    sim_init(&s, 6);
    sim_run(&s, linear, 80);
    is_str(path_str(&s, p, sizeof p), "1 2 4 6", "linear, max 6: capped at 6");

    /* no slow start past a limit that did not pay: +1 steps after a back-off */
    sim_init(&s, 16);
    sim_to(&s, linear, 4, 20);
    is_str(path_str(&s, p, sizeof p), "1 2 4", "linear: 1, 2, 4");
    s.o.stuck = 1;
    sim_run(&s, linear, 1);
    is_int(s.a.limit, 2, "a migration not converging: 4 halves to 2");
    ok(strstr(s.why[s.nwhy - 1], "1 migration not converging with 4 at once") != NULL,
       "the back-off says why: %s", s.why[s.nwhy - 1]);
    sim_run(&s, linear, 20);
    is_int(s.a.limit, 2, "the same stuck migration is not counted twice, and 3+ stay out of reach");
    s.o.stuck = 2;
    sim_run(&s, linear, 1);
    is_int(s.a.limit, 1, "a second one: down to 1");
    s.o.stuck = 3;
    sim_run(&s, linear, 1);
    is_int(s.a.limit, 1, "never below 1");
    s.o.stuck = 0;
    sim_run(&s, linear, 40);
    is_int(s.a.limit, 1, "converging again: the ceiling it backed off to holds");

    /* destination CPU: saturated and risen well above its level before */
    sim_init(&s, 16);
    s.o.dest_busy_base = 0.30;
    s.o.dest_busy = 0.50;
    sim_to(&s, linear, 4, 20);
    sim_run(&s, linear, 1);
    ok(s.a.limit >= 4 && path_rises(&s), "destinations at 50%%: raised as usual: %s", path_str(&s, p, sizeof p));
    sim_init(&s, 16);
    s.o.dest_busy_base = 0.30;
    s.o.dest_busy = 0.50;
    sim_to(&s, linear, 4, 20);
    s.o.dest_busy = 0.97;
    sim_to(&s, linear, 3, 10);
    is_str(path_str(&s, p, sizeof p), "1 2 4 3", "destinations at 97%% (30%% before): down by one");
    ok(strstr(s.why[s.nwhy - 1], "97% busy with 4 at once (30% before the drain): down to 3") != NULL,
       "the back-off names the load: %s", s.why[s.nwhy - 1]);
    sim_init(&s, 16);
    s.o.dest_busy_base = 0.90;
    s.o.dest_busy = 0.99;
    sim_run(&s, linear, 10);
    ok(s.a.limit >= 4 && path_rises(&s), "a host busy before the drain (90%% -> 99%%) is not the drain's doing: %s",
       path_str(&s, p, sizeof p));

    /* nothing left to start: no raise; a limit not filled: no measurement */
    sim_init(&s, 16);
    s.o.waiting = 0;
    sim_run(&s, linear, 20);
    is_int(s.a.limit, 1, "nothing waiting: stays at 1");
    sim_init(&s, 16);
    {
        unsigned i;
        char why[256];
        for (i = 0; i < 20; i++) {
            s.o.t += 0.5;
            s.o.inflight = 0;        /* e.g. every destination at its limit */
            s.o.bytes += 5 * MIB;
            s.o.work = s.o.bytes / (4 * MIB);
            s.o.completed++;
            ne_auto_step(&s.a, &s.o, why, sizeof why);
        }
    }
    is_int(s.a.limit, 1, "limit not filled: no window, no raise");

    /* slow migrations, none ends: the climb goes on the rate of the jobs in
     * flight, one 2 s window per step */
    sim_init(&s, 16);
    {
        unsigned i;
        for (i = 0; i < 20; i++) sim_tick(&s, linear, s.a.limit, false);
    }
    is_str(path_str(&s, p, sizeof p), "1 2 4 8 16", "no migration ends: 1, 2, 4, 8, 16 all the same");
    is_int(s.o.completed, 0, "...and none ended");
    ok(s.o.t <= 10.0, "...within %.1f s (four windows of 2 s, each opened at a tick)", s.o.t);
    ok(strstr(s.why[2], "rate 300.0 migrations/min (20.0 MiB/s) with 4 at once, up from 150.0 migrations/min (10.0 MiB/s) with 2: up to 8") != NULL,
       "each raise names the in-flight rates: %s", s.why[2]);

    /* a new migration prepares before its job copies: its window waits */
    sim_init(&s, 16);
    {
        unsigned i;
        for (i = 0; i < 5; i++) sim_tick(&s, linear, 1, false);
        is_int(s.a.limit, 2, "at 2 after one window");
        for (i = 0; i < 10; i++) sim_tick(&s, linear, 1, false); /* 5 s: the 2nd still prepares */
        is_int(s.a.limit, 2, "the second migration not copying yet: no verdict on 2 (no hold, no raise)");
        is_int(s.nwhy, 1, "...and nothing said");
        for (i = 0; i < 5; i++) sim_tick(&s, linear, 2, false);
        is_int(s.a.limit, 4, "both copying: one window later, up to 4");
        /* copying never reaches 4 (each spends long before its job): the
         * window opens NE_AUTO_SETTLE_S after the raise and measures what is */
        for (i = 0; i < 10; i++) sim_tick(&s, linear, 3, false);
        is_int(s.a.limit, 8, "3 of 4 copying: measured after the settle time, 15 > 10 MiB/s: up to 8");
    }

    /* the added migration never runs its job (a long preparation): the
     * window opens NE_AUTO_SETTLE_S after the raise, the rate does not
     * rise, and no verdict comes before a migration ends */
    sim_init(&s, 16);
    {
        unsigned i;
        for (i = 0; i < 5; i++) sim_tick(&s, linear, 1, false);
        for (i = 0; i < 40; i++) sim_tick(&s, linear, 1, false);
        is_int(s.nwhy, 1, "at 2, one job running for 20 s, none ended: no verdict");
        sim_tick(&s, linear, 1, true);
        is_int(s.a.limit, 2, "a migration ends: held at 2, not backed off");
        ok(s.nwhy == 2 && strstr(s.why[1], "no longer rises") && strstr(s.why[1], "holding at 2"),
           "...and said once: %s", s.why[s.nwhy - 1]);
    }

    /* the rate stops rising: the raises came without completions, the hold
     * waits for one */
    sim_init(&s, 16);
    {
        unsigned i;
        for (i = 0; i < 30; i++) sim_tick(&s, flat_after_4, s.a.limit, false);
        is_str(path_str(&s, p, sizeof p), "1 2 4 8", "flat after 4, no completions: 1, 2, 4, 8");
        is_int(s.nwhy, 3, "...three raises, no verdict on 8 before a migration ends");
        sim_tick(&s, flat_after_4, s.a.limit, true);
        ok(strstr(s.why[s.nwhy - 1], "600.0 migrations/min (40.0 MiB/s) with 8 at once, 600.0 migrations/min (40.0 MiB/s) with 4: no longer rises") &&
           strstr(s.why[s.nwhy - 1], "holding at 8"), "one ends: held at 8 with the reason: %s", s.why[s.nwhy - 1]);
        for (i = 0; i < 30; i++) sim_tick(&s, flat_after_4, s.a.limit, true);
        is_int(s.a.limit, 8, "...and held");
    }

    /* the rate falls: back to the better limit once a migration ended */
    sim_init(&s, 16);
    {
        unsigned i;
        for (i = 0; i < 30; i++) sim_tick(&s, falls_after_4, s.a.limit, false);
        is_int(s.a.limit, 8, "falls after 4, none ended: still at 8");
        sim_tick(&s, falls_after_4, s.a.limit, true);
    }
    is_str(path_str(&s, p, sizeof p), "1 2 4 8 4", "falls after 4: back to 4 when one ends");
    ok(strstr(s.why[s.nwhy - 1], "300.0 migrations/min (20.0 MiB/s) with 8 at once, down from 600.0 migrations/min (40.0 MiB/s) with 4") != NULL,
       "the back-off names both rates: %s", s.why[s.nwhy - 1]);

    /* the first raise needs no window: it comes at the first tick the
     * first migration's job copies (not while it prepares), bytes or not */
    sim_init(&s, 16);
    {
        unsigned i;
        char why[256] = "";
        for (i = 0; i < 4; i++) {
            s.o.t += 0.5;
            s.o.inflight = 1;
            s.o.copying = 0;
            ne_auto_step(&s.a, &s.o, why, sizeof why);
        }
        is_int(s.a.limit, 1, "the first migration prepares for 2 s: still 1");
        s.o.t += 0.5;
        s.o.copying = 1;
        ne_auto_step(&s.a, &s.o, why, sizeof why);
        is_int(s.a.limit, 2, "its job copies (no bytes yet): up to 2 at once");
        ok(strstr(why, "the first migration copies: up to 2 (the rate with 1 at once is that "
                       "migration's own, read when it ends)") != NULL, "...said: %s", why);
        /* 2 copying, no bytes from either: the verdict on 2 waits for
         * the first migration's figures */
        for (i = 0; i < 10; i++) {
            s.o.t += 0.5;
            s.o.inflight = s.o.copying = 2;
            s.o.first_t = s.o.t;
            ne_auto_step(&s.a, &s.o, why, sizeof why);
        }
        is_int(s.a.limit, 2, "at 2, no bytes from the first migration yet: no verdict");
        ok(!why[0], "...and nothing said");
        /* the first ends after 3 s (20/min); 2 at once did 2 in 5 s: 24/min, flat */
        s.o.first_t = 3.0;
        s.o.first_work = 1;
        s.o.completed = 2;
        s.o.work = 2;
        for (i = 0; i < 10 && !why[0]; i++) {
            s.o.t += 0.5;
            s.o.work += 0.1;
            s.o.completed = (unsigned)s.o.work;
            ne_auto_step(&s.a, &s.o, why, sizeof why);
        }
        ok(strstr(why, "with 2 at once") && strstr(why, "20.0 migrations/min with 1 (the first "
                                                        "migration's own)"),
           "the verdict on 2 is against the first migration's duration: %s", why);
    }

    /* 2 at once much slower than the first migration alone: back to 1 */
    sim_init(&s, 16);
    {
        unsigned i;
        char why[256] = "";
        s.o.t = 0.5;
        s.o.inflight = s.o.copying = 1;
        ne_auto_step(&s.a, &s.o, why, sizeof why);
        is_int(s.a.limit, 2, "loss at 2: at 2");
        s.o.first_t = 1.0; /* the first took 1 s: 60/min alone */
        s.o.first_work = 1;
        for (i = 0; i < 40 && s.a.limit == 2; i++) { /* 2 at once: one ends every 2 s */
            s.o.t += 0.5;
            s.o.inflight = s.o.copying = 2;
            s.o.work += 0.25;
            s.o.bytes += MIB;
            s.o.completed = (unsigned)s.o.work;
            ne_auto_step(&s.a, &s.o, why, sizeof why);
        }
        ok(s.a.limit == 1 && strstr(why, "down from 60.0 migrations/min with 1 (the first "
                                         "migration's own) (link or hosts saturated): back to 1"),
           "2 at once at half the first migration's rate: back to 1: %s", why);
    }

    /* the largest migrations go first: bytes per second fall from 1 to 2
     * at once while migrations per second double; the decision follows
     * the migrations (each in flight by its share of its own bytes) */
    sim_init(&s, 16);
    {
        unsigned i;
        char why[256] = "";
        s.o.t = 0.5; /* the first, 40 MiB at 20 MiB/s: 2 s alone, 30/min */
        s.o.inflight = s.o.copying = 1;
        ne_auto_step(&s.a, &s.o, why, sizeof why);
        is_int(s.a.limit, 2, "at 2");
        for (i = 0; i < 10 && s.a.limit == 2; i++) { /* 2 at once: 16 MiB/s, 8 MiB migrations, 2/s */
            s.o.t += 0.5;
            s.o.inflight = s.o.copying = 2;
            s.o.bytes += 8 * MIB;
            s.o.work += 1.0;
            s.o.first_t = s.o.t < 2.0 ? s.o.t : 2.0;
            s.o.first_work = s.o.t < 2.0 ? s.o.t / 2.0 * 0.9 : 1;
            ne_auto_step(&s.a, &s.o, why, sizeof why);
        }
        is_int(s.a.limit, 4, "fewer bytes per second but more migrations: up to 4");
        ok(strstr(why, "rate 120.0 migrations/min (16.0 MiB/s) with 2 at once, up from 30.0 migrations/min with 1 (the first migration's own)") != NULL,
           "...said with both rates: %s", why);
    }

    /* a migration not converging at 1 at once: no raise while it is */
    sim_init(&s, 16);
    s.o.stuck = 1;
    sim_run(&s, linear, 20);
    is_int(s.a.limit, 1, "one migration in flight not converging: not raised");
    s.o.stuck = 0;
    sim_run(&s, linear, 2);
    is_int(s.a.limit, 2, "converging again: raised at the next window's end");

    /* a rate 15% lower at the higher limit is flat (noise), not a loss */
    sim_init(&s, 16);
    sim_to(&s, linear, 2, 10);
    is_int(s.a.limit, 2, "at 2");
    {
        unsigned i;
        char why[256] = "";
        for (i = 0; i < 8; i++) { /* 2 at once at 85% of the rate of 1 */
            s.o.t += 0.5;
            s.o.inflight = s.o.copying = 2;
            s.o.bytes += 0.85 * 5 * MIB * 0.5;
            s.o.work = s.o.bytes / (4 * MIB);
            s.o.completed++;
            ne_auto_step(&s.a, &s.o, why, sizeof why);
            if (why[0]) break;
        }
        is_int(s.a.limit, 2, "15%% lower: held at 2, not backed off");
        ok(strstr(why, "holding at 2") != NULL, "said as a hold: %s", why);
    }

    /* a flat reading at 2 once 2 ended is not a hold yet (it needs 4):
     * the next migrations are faster, the rate rises, up to 4; a reading
     * still flat once 4 ended is a hold */
    {
        unsigned i, k;
        char why[256] = "";
        for (k = 0; k < 2; k++) {
            sim_init(&s, 16);
            sim_to(&s, linear, 2, 10);
            for (i = 0; i < 40 && s.a.limit == 2 && !why[0]; i++) {
                /* 2 at once: the first 2 ended at the rate of 1 (flat),
                 * then (k = 0) twice that */
                double r = (k == 0 && s.o.completed - s.a.changed_done >= 2 ? 2.0 : 1.0) * 5 * MIB;
                s.o.t += 0.5;
                s.o.inflight = s.o.copying = 2;
                s.o.bytes += r * 0.5;
                s.o.work = s.o.bytes / (4 * MIB);
                s.o.completed = (unsigned)s.o.work;
                ne_auto_step(&s.a, &s.o, why, sizeof why);
                if (s.o.completed - s.a.changed_done == 2 && s.a.limit == 2)
                    ok(!why[0], "flat at 2 with 2 ended: no verdict yet (tick %u)", i);
            }
            if (k == 0)
                ok(s.a.limit == 4 && strstr(why, "with 2 at once, up from"),
                   "faster migrations after a flat start at 2: up to 4: %s", why);
            else
                ok(s.a.limit == 2 && strstr(why, "holding at 2") && s.o.completed - s.a.changed_done >= 4,
                   "still flat once 4 ended: held at 2: %s", why);
            why[0] = '\0';
        }
    }

    /* a loss that was noise (one slow migration at 2): back to 1, then a
     * probe of 2 after 2 ended migrations finds the rate rising and the
     * climb goes on, one at a time */
    sim_init(&s, 16);
    sim_to(&s, linear, 2, 10);
    is_int(s.a.limit, 2, "noise: at 2");
    {
        unsigned i;
        char why[256] = "";
        for (i = 0; i < 40 && s.a.limit == 2; i++) { /* 2 at once at 40% of the rate of 1 */
            s.o.t += 0.5;
            s.o.inflight = s.o.copying = 2;
            s.o.bytes += 0.4 * 5 * MIB * 0.5;
            s.o.work = s.o.bytes / (4 * MIB);
            s.o.completed = (unsigned)s.o.work;
            ne_auto_step(&s.a, &s.o, why, sizeof why);
        }
        is_int(s.a.limit, 1, "noise: 40%% of the rate at 2: back to 1");
        ok(strstr(why, "back to 1") != NULL, "...said: %s", why);
    }
    is_int(s.a.probe_at, s.o.completed + 2, "...and 2 is probed again after 2 more ended migrations");
    sim_run(&s, linear, 40);
    p[0] = '\0';
    ok(strncmp(path_str(&s, p, sizeof p), "1 2 1 2 3 4 5", 13) == 0,
       "the probe of 2 pays now: the climb goes on one at a time: %s", p);

    /* a back-off for convergence is never probed */
    sim_init(&s, 16);
    sim_to(&s, linear, 4, 20);
    s.o.stuck = 1;
    sim_run(&s, linear, 1);
    is_int(s.a.probe_at, 0, "backed off for convergence: no probe scheduled");

    /* migrations of a second: a window closes once as many ended as the
     * limit, before its 2 s; with none ended it lasts its 2 s */
    sim_init(&s, 16);
    sim_to(&s, one_per_s, 8, 20);
    is_str(path_str(&s, p, sizeof p), "1 2 4 8", "migrations of 1 s: 1, 2, 4, 8");
    ok(s.at[1] <= 1.0 && s.at[2] <= 2.0 && s.at[3] <= 3.0,
       "...at %.1f, %.1f and %.1f s: each window ends once as many migrations as the limit ended (not after 2 s)",
       s.at[1], s.at[2], s.at[3]);
    sim_init(&s, 16);
    {
        unsigned i;
        sim_tick(&s, one_per_s, 1, false);
        for (i = 0; i < 6; i++) sim_tick(&s, one_per_s, 2, false);
    }
    ok(s.npath == 3 && s.at[2] >= 3.0, "none ended: a window at 2 lasts its 2 s (opened at 1.0 s, raised at %.1f s)", s.at[2]);

    /* without job statistics: completions per time, windows need as many as the limit */
    sim_init(&s, 16);
    s.o.bytes_known = false;
    {
        char why[256] = "";
        unsigned i, l = 1;
        for (i = 1; i <= 8; i++) { /* one completion per second at 1 at once */
            s.o.t = i;
            s.o.inflight = 1;
            s.o.completed = i;
            s.o.work = i;
            l = ne_auto_step(&s.a, &s.o, why, sizeof why);
            if (why[0]) break;
        }
        is_int(l, 2, "no job stats: raised on completions");
        ok(strstr(why, "rate 60.0 migrations/min with 1 at once: up to 2") != NULL, "said in migrations/min: %s", why);
    }
    return done_testing();
}
