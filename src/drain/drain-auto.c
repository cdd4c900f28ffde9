/* SPDX-License-Identifier: Apache-2.0 */
/* drain-auto.c: see drain-auto.h. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "drain/drain-auto.h"

void
ne_auto_init(struct ne_auto *a, unsigned max)
{
    memset(a, 0, sizeof *a);
    a->limit = 1;
    a->max = max == 0 ? 1 : max > NE_AUTO_MAX ? NE_AUTO_MAX : max;
    a->growing = true;
}

static unsigned
cap(const struct ne_auto *a)
{
    return a->ceiling && a->ceiling < a->max ? a->ceiling : a->max;
}

/* A rate as text: migrations per minute, and the jobs' MiB/s when known. */
static const char *
rate_str(double r, double bytes_r, bool bytes, char *buf, size_t len)
{
    if (bytes && bytes_r >= 0) snprintf(buf, len, "%.1f migrations/min (%.1f MiB/s)", r * 60.0, bytes_r / 1048576.0);
    else snprintf(buf, len, "%.1f migrations/min", r * 60.0);
    return buf;
}

/* The limit changed now: its time in force starts. */
static void
mark_change(struct ne_auto *a, const struct ne_auto_obs *o)
{
    a->changed_t = o->t;
    a->changed_bytes = o->bytes;
    a->changed_work = o->work;
    a->changed_done = o->completed;
}

/* Backs off to `to` for a reason said by the caller; limits above stay
 * out of reach. */
static void
back_off(struct ne_auto *a, unsigned to, const struct ne_auto_obs *o)
{
    if (to != a->limit) mark_change(a, o);
    a->ceiling = to;
    a->limit = to;
    a->growing = false;
    a->win_open = false;
    a->prev_limit = 0;
    a->base_first = false;
    a->probing = false;
    a->probe_at = 0;
}

/* After a verdict on the rate (a hold, or a back-off to `a->limit`):
 * the next probe, after twice as many ended migrations as last time. */
static void
schedule_probe(struct ne_auto *a, const struct ne_auto_obs *o)
{
    a->probing = false;
    if (a->limit >= a->max) return;
    a->probe_gap = a->probe_gap ? a->probe_gap * 2 : 2 * a->limit;
    a->probe_at = o->completed + a->probe_gap;
}

/* The rate in force since the limit last changed (per second), its bytes
 * rate in *brate. */
static double
rate_in_force(const struct ne_auto *a, const struct ne_auto_obs *o, double *brate)
{
    double dt = o->t - a->changed_t;

    if (dt <= 0) return *brate = 0, 0;
    *brate = (o->bytes - a->changed_bytes) / dt;
    return (o->bytes_known ? o->work - a->changed_work : (double)(o->completed - a->changed_done)) / dt;
}

unsigned
ne_auto_step(struct ne_auto *a, const struct ne_auto_obs *o, char *why, size_t len)
{
    char r1[64], r2[64];
    const char *own;
    double dt, rate, brate;
    unsigned from = a->limit, next;
    bool rising;
    char dummy[8];

    if (!why) why = dummy, len = sizeof dummy;
    why[0] = '\0';
    /* a migration that stops converging: at once, once per new one */
    if (o->stuck < a->stuck_acted) a->stuck_acted = o->stuck;
    if (o->stuck > a->stuck_acted) {
        a->stuck_acted = o->stuck;
        if (a->limit > 1) {
            back_off(a, a->limit / 2, o);
            snprintf(why, len, "%u migration%s not converging with %u at once (every downtime "
                     "step used, or past the completion timeout): down to %u", o->stuck,
                     o->stuck == 1 ? "" : "s", from, a->limit);
            return a->limit;
        }
    }
    /* a probe one above a rate verdict, once enough migrations ended */
    if (a->probe_at && o->completed >= a->probe_at && o->waiting > 0 && o->inflight >= a->limit &&
        !o->stuck && a->limit < a->max) {
        unsigned ended = o->completed - a->changed_done;
        rate = rate_in_force(a, o, &brate);
        a->prev_limit = a->limit;
        a->prev_rate = rate;
        a->prev_brate = brate;
        a->base_first = false;
        a->limit++;
        a->ceiling = 0;
        a->growing = false;
        a->win_open = false;
        a->probing = true;
        a->probe_at = 0;
        mark_change(a, o);
        snprintf(why, len, "rate %s with %u at once over %u ended migrations: trying %u again",
                 rate_str(rate, brate, o->bytes_known, r1, sizeof r1), from,
                 ended, a->limit);
        return a->limit;
    }
    /* the first raise: once the first migration's job copies.  One job's
     * figures say nothing of two, and that migration, running on, gives
     * one at a time's rate (its duration) while the second starts */
    if (a->limit == 1 && a->growing && !a->prev_limit && o->bytes_known && o->copying &&
        o->waiting > 0 && !o->stuck && cap(a) > 1) {
        a->prev_limit = 1;
        a->prev_rate = 0;
        a->prev_brate = -1;
        a->base_first = true;
        a->limit = 2;
        a->win_open = false;
        mark_change(a, o);
        snprintf(why, len, "the first migration copies: up to 2 (the rate with 1 at once is that "
                 "migration's own, read when it ends)");
        return a->limit;
    }
    if (a->win_open && a->win_bytes_known != o->bytes_known) a->win_open = false;
    if (!a->win_open) {
        /* measure only a filled limit, and only while more could start */
        if (o->waiting == 0 || o->inflight < a->limit) return a->limit;
        /* with job statistics, once the migrations started at the last
         * change run their jobs (or NE_AUTO_SETTLE_S after it): their
         * preparation is not the new limit's rate */
        if (o->bytes_known && o->copying < a->limit && o->t - a->changed_t < NE_AUTO_SETTLE_S)
            return a->limit;
        a->win_open = true;
        a->win_bytes_known = o->bytes_known;
        a->win_t = o->t;
        a->win_bytes = o->bytes;
        a->win_done = o->completed;
        return a->limit;
    }
    dt = o->t - a->win_t;
    /* a window lasts NE_AUTO_WINDOW_S, or less once as many migrations
     * as the limit ended since it came in force: every slot's whole cost
     * is then in its rate (migrations of a second or two must not wait
     * two seconds per step) */
    if (dt < NE_AUTO_WINDOW_S &&
        !(o->bytes_known && dt > 0 && o->completed - a->changed_done >= a->limit))
        return a->limit;
    /* without bytes, a rate needs completions: as many as the limit, or a minute */
    if (!o->bytes_known && o->completed - a->win_done < a->limit && dt < 60) return a->limit;
    /* with bytes: over the limit's whole time in force, its first
     * seconds included as they were for the previous one (a window's
     * bytes alone come in bursts: a job reports its disk in chunks) */
    if (o->bytes_known) {
        rate = (o->work - a->changed_work) / (o->t - a->changed_t);
        brate = (o->bytes - a->changed_bytes) / (o->t - a->changed_t);
    } else {
        rate = (double)(o->completed - a->win_done) / dt;
        brate = 0;
    }
    rate_str(rate, brate, o->bytes_known, r1, sizeof r1);
    if (a->limit > 1 && o->dest_busy >= NE_AUTO_BUSY && o->dest_busy_base >= 0 &&
        o->dest_busy - o->dest_busy_base >= NE_AUTO_BUSY_RISE) {
        back_off(a, a->limit - 1, o);
        snprintf(why, len, "the busiest destination's CPU is %.0f%% busy with %u at once (%.0f%% "
                 "before the drain): down to %u", o->dest_busy * 100, from,
                 o->dest_busy_base * 100, a->limit);
        return a->limit;
    }
    /* one at a time's rate, the first migration's own: 1 / its duration,
     * or while it runs its share so far over its time (none yet: wait) */
    if (a->base_first) {
        if (o->first_work <= 0 && dt < 60) return a->limit;
        a->prev_rate = o->first_t > 0 ? o->first_work / o->first_t : 0;
    }
    /* the first window (without job statistics) only sets the baseline:
     * its end raises whatever it measured */
    rising = a->prev_limit == 0 || (rate > 0 && rate >= a->prev_rate * (1 + NE_AUTO_GAIN));
    /* not rising: a verdict against the limit needs whole migrations'
     * costs in its time (a job's first seconds move few bytes, its disk
     * comes in chunks): until as many migrations as the limit ended since
     * it came in force, or a minute, the window grows */
    if (!rising && o->bytes_known && dt < 60) {
        /* ...and a hold on twice as many: it ends the doubling for good
         * (only probes one higher follow), and a flat reading is what a
         * few noisy migrations give most (seen: the first two at 2 slow
         * against one quick one at 1, a drain then held at 2 where 4 paid) */
        bool loss = a->probing || rate < a->prev_rate * (1 - NE_AUTO_LOSS);
        if (o->completed - a->changed_done < (loss ? a->limit : 2 * a->limit)) return a->limit;
    }
    a->win_open = false;
    a->last_rate = rate;
    own = a->base_first ? " (the first migration's own)" : "";
    if (rising) {
        if (o->waiting == 0 || a->limit >= cap(a)) return a->limit;
        /* more at once only while every migration in flight converges */
        if (o->stuck) return a->limit;
        next = a->growing ? a->limit * 2 : a->limit + 1;
        if (next > cap(a)) next = cap(a);
        if (a->prev_limit == 0)
            snprintf(why, len, "rate %s with %u at once: up to %u", r1, from, next);
        else
            snprintf(why, len, "rate %s with %u at once, up from %s with %u%s: up to %u", r1, from,
                     rate_str(a->prev_rate, a->prev_brate, o->bytes_known, r2, sizeof r2),
                     a->prev_limit, own, next);
        a->prev_limit = a->limit;
        a->prev_rate = rate;
        a->prev_brate = brate;
        a->base_first = false;
        a->probing = false;
        a->limit = next;
        mark_change(a, o);
        return a->limit;
    }
    rate_str(a->prev_rate, a->prev_brate, o->bytes_known, r2, sizeof r2);
    if (a->probing || rate < a->prev_rate * (1 - NE_AUTO_LOSS)) {
        next = a->prev_limit;
        back_off(a, next, o);
        snprintf(why, len, "rate %s with %u at once, %s from %s with %u%s%s: back to %u", r1,
                 from, rate < a->prev_rate ? "down" : "no gain", r2, next, own,
                 from > next + 1 || rate < a->prev_rate * (1 - NE_AUTO_LOSS)
                     ? " (link or hosts saturated)" : "", next);
        schedule_probe(a, o);
        return a->limit;
    }
    /* flat: more at once no longer pays; keep this one */
    snprintf(why, len, "rate %s with %u at once, %s with %u%s: no longer rises (link or hosts "
             "saturated): holding at %u", r1, from, r2, a->prev_limit, own, from);
    a->ceiling = from;
    a->growing = false;
    a->prev_limit = 0;
    a->base_first = false;
    schedule_probe(a, o);
    return a->limit;
}
