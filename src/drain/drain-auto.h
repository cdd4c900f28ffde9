/* SPDX-License-Identifier: Apache-2.0 */
/* drain-auto.h: the concurrency controller behind `drain -j auto`, a pure
 * function: the controller's state and what the drain observed over the
 * last moments in, the new limit and the reason out.  No I/O, no clock:
 * drain-run.c samples (every 500 ms) and applies; tests/unit/auto-t.c
 * feeds scripted sequences.
 *
 * It starts at one migration per source and measures the aggregate rate
 * (bytes the migration jobs processed per second, or, without job
 * statistics, migrations completed per second) over a window that opens
 * once the limit is filled and lasts until a migration ended in it (a
 * window of job bytes alone would miss what each migration costs before
 * and after its job).  While the rate rises by at least 10% over
 * the rate at the previous limit it raises (doubling until the first
 * limit that does not pay, then one at a time); when it stays flat the
 * link is taken as saturated and the limit is held; when it falls by a
 * quarter the previous limit comes back.  It backs off (halving) when a migration in
 * flight stops converging (every downtime step used, or past its
 * completion timeout) and (by one) when the busiest destination's CPU
 * is nearly saturated and has risen well above its level before the
 * drain.  A limit it backed off from is not tried again. */
#ifndef NE_DRAIN_AUTO_H
#define NE_DRAIN_AUTO_H

#include <stdbool.h>
#include <stddef.h>

#define NE_AUTO_MAX 16          /* never more at once from one source */
#define NE_AUTO_WINDOW_S 1.5    /* a measurement lasts at least this long */
#define NE_AUTO_GAIN 0.10       /* a rate this much higher is an improvement */
#define NE_AUTO_LOSS 0.25       /* a rate this much lower is a loss (between: flat) */
#define NE_AUTO_BUSY 0.95       /* destination CPU busy fraction that is saturated */
#define NE_AUTO_BUSY_RISE 0.20  /* ...when it rose this much above its level before */

/* What the drain saw, cumulative figures since its workers started. */
struct ne_auto_obs {
    double t;               /* seconds since the workers started */
    unsigned inflight;      /* migrations running now */
    unsigned waiting;       /* instances not started yet */
    double bytes;           /* bytes every migration's job processed so far */
    bool bytes_known;       /* job statistics are read (else rate = completions) */
    unsigned completed;     /* migrations ended so far (moved or failed) */
    unsigned stuck;         /* in flight and not converging */
    double dest_busy;       /* busiest destination's CPU busy fraction now, <0 unknown */
    double dest_busy_base;  /* its fraction before the first migration, <0 unknown */
};

struct ne_auto {
    unsigned limit;         /* in force */
    unsigned max;           /* never above (instances, NE_AUTO_MAX) */
    unsigned ceiling;       /* never above either (found not to pay); 0: none */
    bool growing;           /* doubling: no limit found that does not pay yet */
    bool win_open;          /* a window is being measured */
    double win_t, win_bytes;
    unsigned win_done;
    unsigned prev_limit;    /* the limit before the last raise (0: none) */
    double prev_rate;       /* the rate measured there */
    double last_rate;       /* the last window's rate (per second) */
    unsigned stuck_acted;   /* stuck migrations already backed off for */
};

/* A controller starting at one migration, never above max (>= 1). */
void ne_auto_init(struct ne_auto *a, unsigned max);
/* One observation: returns the limit from now on.  When it changed, or
 * when a hold is worth saying once, why (if not NULL) gets one line; else
 * why[0] is '\0'. */
unsigned ne_auto_step(struct ne_auto *a, const struct ne_auto_obs *o, char *why, size_t len);

#endif
