/* SPDX-License-Identifier: Apache-2.0 */
/* drain-auto.h: the concurrency controller behind `drain -j auto`, a pure
 * function: the controller's state and what the drain observed over the
 * last moments in, the new limit and the reason out.  No I/O, no clock:
 * drain-run.c samples (every 500 ms) and applies; tests/unit/auto-t.c
 * feeds scripted sequences.
 *
 * It starts at one migration per source and decides from the migrations
 * in flight, without waiting for one to end.  The rate is migrations per
 * second: each ended one counts 1, each in flight the share of its
 * expected bytes its libvirt job processed (at most 0.9), so that the
 * largest migrations going first do not read as a falling rate; a
 * limit's rate is taken over its whole time in force (a window's job
 * bytes alone come in bursts: a job reports its disk in chunks, and
 * nothing in its first seconds).  A window opens once the limit is
 * filled and the migrations started at the last change run their jobs
 * (or NE_AUTO_SETTLE_S after it) and lasts NE_AUTO_WINDOW_S, or less
 * once as many migrations as the limit ended since it came in force.
 * The first raise needs no window: once the first migration's job copies
 * (source and destination work), the limit is 2; one migration at a
 * time's rate is that migration's own (1 / its duration once it ended,
 * before that its share of its bytes over its time so far), read when
 * 2's window ends: it ran alone but for the second's first seconds,
 * while a window at 1 would have cost a whole migration done alone.
 * After that a rate at least 10% above the previous limit's
 * raises, doubling until the first limit that does not pay, then one at
 * a time, while no migration in flight stops converging.  A rate that
 * does not rise is judged once as many migrations as the limit ended
 * since it came in force (or after a minute): lower by more than 25%,
 * the previous limit comes back; within 25%, once twice as many ended,
 * the link or the hosts are taken as saturated and the limit is held
 * (a hold ends the doubling: it needs the more evidence).  Without job
 * statistics the rate is migrations completed per second, over a window
 * holding as many completions as the limit (the first one's too: its end
 * raises to 2).  It backs off (halving) when
 * a migration in flight stops converging (every downtime step used, or past its
 * completion timeout) and (by one) when the busiest destination's CPU
 * is nearly saturated and has risen well above its level before the
 * drain.  A limit held or backed off to on a rate verdict is probed again, one
 * higher, after 2x the limit migrations ended, then after twice as many
 * each time; a probe that does not raise the rate by NE_AUTO_GAIN goes
 * back at its verdict.  A limit it backed off from for convergence or
 * CPU is not tried again. */
#ifndef NE_DRAIN_AUTO_H
#define NE_DRAIN_AUTO_H

#include <stdbool.h>
#include <stddef.h>

#define NE_AUTO_MAX 16          /* never more at once from one source */
#define NE_AUTO_WINDOW_S 2.0    /* a measurement lasts this long (less: see above) */
#define NE_AUTO_SETTLE_S 3.0    /* after a change, a window opens at the latest then */
#define NE_AUTO_GAIN 0.10       /* a rate this much higher is an improvement */
#define NE_AUTO_LOSS 0.25       /* a rate this much lower is a loss (between: flat) */
#define NE_AUTO_BUSY 0.95       /* destination CPU busy fraction that is saturated */
#define NE_AUTO_BUSY_RISE 0.20  /* ...when it rose this much above its level before */

/* What the drain saw, cumulative figures since its workers started. */
struct ne_auto_obs {
    double t;               /* seconds since the workers started */
    unsigned inflight;      /* migrations running now */
    unsigned copying;       /* ...of which their job copies (job statistics read) */
    unsigned waiting;       /* instances not started yet */
    double bytes;           /* bytes every migration's job processed so far */
    double work;            /* migrations' worth done: each ended one 1, each in flight
                             * the share of its expected bytes its job processed (at
                             * most 0.9); without job statistics the ended ones */
    bool bytes_known;       /* job statistics are read (else rate = completions) */
    unsigned completed;     /* migrations ended so far (moved or failed) */
    unsigned stuck;         /* in flight and not converging */
    double dest_busy;       /* busiest destination's CPU busy fraction now, <0 unknown */
    double dest_busy_base;  /* its fraction before the first migration, <0 unknown */
    double first_t;         /* the first migration's time so far, its duration once
                             * ended (0: none started) */
    double first_work;      /* ...its share of its expected bytes (at most 0.9), 1 once
                             * ended */
};

struct ne_auto {
    unsigned limit;         /* in force */
    unsigned max;           /* never above (instances, NE_AUTO_MAX) */
    unsigned ceiling;       /* never above either (found not to pay); 0: none */
    bool growing;           /* doubling: no limit found that does not pay yet */
    bool win_open;          /* a window is being measured */
    bool win_bytes_known;   /* ...on job bytes (else on completions) */
    double changed_t;       /* when the limit last changed */
    double changed_bytes;   /* ...the bytes then */
    double changed_work;    /* ...the work then */
    unsigned changed_done;  /* ...the migrations ended then */
    double win_t, win_bytes;
    unsigned win_done;
    unsigned prev_limit;    /* the limit before the last raise (0: none) */
    double prev_rate;       /* the rate measured there (migrations/s) */
    double prev_brate;      /* ...and its bytes/s (said, not decided on; <0 unknown) */
    bool base_first;        /* prev_rate is the first migration's own (read at each verdict) */
    double last_rate;       /* the last window's rate (per second) */
    unsigned stuck_acted;   /* stuck migrations already backed off for */
    bool probing;           /* this limit is a probe one above a rate verdict */
    unsigned probe_at;      /* probe again once this many migrations ended (0: never) */
    unsigned probe_gap;     /* ...the migrations between probes, doubled after each */
};

/* A controller starting at one migration, never above max (>= 1). */
void ne_auto_init(struct ne_auto *a, unsigned max);
/* One observation: returns the limit from now on.  When it changed, or
 * when a hold is worth saying once, why (if not NULL) gets one line; else
 * why[0] is '\0'. */
unsigned ne_auto_step(struct ne_auto *a, const struct ne_auto_obs *o, char *why, size_t len);

#endif
