/* SPDX-License-Identifier: Apache-2.0 */
/* drain-progress.c: what a drain shows of its moves in flight, at any
 * concurrency.  On a terminal (and without --quiet) one line per
 * migration in flight (instance, destination, phase, bytes done/total,
 * rate, ETA) and an overall line (done, in flight, the limit, bytes and
 * the ETA from bytes), redrawn in place every 500 ms with ANSI escapes;
 * a message clears the block first (ne_log_hooks) and the next redraw
 * puts it back under the message.  Off a terminal, one line per phase
 * change.  With --format json, a "progress" event on stdout at each
 * phase change, at its first figures and every 2 s while a phase runs (not journalled: the
 * journal keeps the steps, not the figures). */
#include <config.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "drain/drain-int.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/progress.h"

static pthread_mutex_t draw_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned drawn; /* lines of the block on the screen now */

/* Called with draw_lock held. */
static void
erase_block(void)
{
    if (!drawn) return;
    fprintf(stderr, "\033[%uA\r\033[J", drawn);
    drawn = 0;
}

static void
before_message(void)
{
    pthread_mutex_lock(&draw_lock);
    erase_block();
    fflush(stderr);
}

static void after_message(void) { pthread_mutex_unlock(&draw_lock); }

void
drain_progress_start(struct ne_drain *dr)
{
    /* the single bar of one migration would fight with the block */
    dr->tty = progress_enabled();
    progress_disable();
    if (dr->tty) ne_log_hooks(before_message, after_message);
}

void
drain_progress_stop(struct ne_drain *dr)
{
    if (!dr->tty) return;
    ne_log_hooks(NULL, NULL);
    pthread_mutex_lock(&draw_lock);
    erase_block();
    fflush(stderr);
    pthread_mutex_unlock(&draw_lock);
    dr->tty = false;
}

/* Seconds left at rate for the bytes not done, or -1. */
static double
eta(uint64_t done, uint64_t total, double rate)
{
    if (!total || rate <= 0) return -1;
    return done >= total ? 0 : (double)(total - done) / rate;
}

static json_t *
progress_json(const struct ne_drain_item *it)
{
    const struct ne_drain_live *l = &it->live;
    double e = eta(l->done, l->total, l->rate);

    return json_pack("{s:s, s:I, s:I, s:f, s:o, s:b, s:s?}", "phase", l->phase, "done_bytes",
                     (json_int_t)l->done, "total_bytes", (json_int_t)l->total, "rate",
                     l->rate, "eta_s", e < 0 ? json_null() : json_real(e), "stuck", l->stuck,
                     "from", l->from);
}

void
drain_progress_cb(void *ctx, const struct ne_mig_progress *p)
{
    struct drain_pctx *c = ctx;
    struct ne_drain *dr = c->dr;
    struct ne_drain_item *it = c->it;
    struct ne_drain_live *l = &it->live;
    double now = ne_now();
    json_t *ev = NULL;
    bool changed, first_figures;
    char what[96] = "";

    pthread_mutex_lock(&dr->lock);
    changed = !l->phase || strcmp(l->phase, p->phase) != 0;
    if (changed) {
        l->phase = p->phase;
        l->phase_t = now;
        l->done = l->total = 0;
        l->rate = 0;
        l->from = NULL;
        l->figures = false;
    }
    first_figures = p->st && !l->figures;
    if (p->st) l->figures = true;
    if (p->st) {
        const struct ne_mig_stats *s = p->st;
        bool data = s->data_total || s->data_processed;
        l->done = data ? s->data_processed : s->disk_processed;
        l->total = data ? s->data_total : s->disk_total;
        l->rate = p->elapsed > 0.4 ? (double)l->done / p->elapsed : 0;
        l->from = s->progress_from;
        if (s->have_job_stats && strcmp(p->phase, NE_MIG_PHASE_MIGRATING) == 0) {
            l->job_bytes = s->data_processed;
            dr->bytes_known = true;
        }
    }
    l->stuck = p->stuck;
    if (dr->o->json_events && (changed || first_figures || now - l->json_t >= 2)) {
        l->json_t = now;
        ev = progress_json(it);
    }
    pthread_mutex_unlock(&dr->lock);
    if (ev) drain_say(dr, "progress", it, ev);
    if (changed && !dr->tty) {
        if (p->st && p->st->progress_from && !p->st->have_job_stats &&
            strcmp(p->phase, NE_MIG_PHASE_MIGRATING) == 0)
            snprintf(what, sizeof what, " (no job statistics: progress from %s)",
                     p->st->progress_from);
        ne_info("%s: %s (to %s)%s", it->d->name, p->phase, dr->hosts[it->dest].name, what);
    }
}

static unsigned
columns(void)
{
    struct winsize ws;

    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20) return ws.ws_col;
    return 80;
}

/* Appends one line, cut to the terminal's width (a wrapped line would
 * throw the redraw's line count off). */
static void
put_line(char **buf, size_t *len, const char *line, unsigned cols)
{
    char *n = xasprintf("%s%.*s\033[K\n", *buf ? *buf : "", (int)(cols - 1), line);
    free(*buf);
    *buf = n;
    *len += 1;
}

static const char *
secs(double s, char *b, size_t n)
{
    if (s < 0) snprintf(b, n, "?");
    else if (s < 100) snprintf(b, n, "%.0f s", s);
    else snprintf(b, n, "%.0f min", s / 60);
    return b;
}

/* The block, built under dr->lock: one line per migration in flight and
 * the overall line.  Newly allocated; *nlines set. */
static char *
block(struct ne_drain *dr, unsigned cols, size_t *nlines)
{
    char *buf = NULL, line[512], name[160], a[16], b[16], c[16], e[24];
    uint64_t done = dr->bytes_done, left = 0, pend = 0;
    size_t i, total = 0, ended = 0;
    double now = ne_now(), el = now - dr->t_workers, rate, ratio;

    *nlines = 0;
    for (i = 0; i < dr->n; i++) {
        const struct ne_drain_item *it = &dr->items[i];
        const struct ne_drain_live *l = &it->live;
        if (it->dest < 0) continue;
        total++;
        if (it->state == NE_ITEM_MOVED || it->state == NE_ITEM_FAILED || it->state == NE_ITEM_GONE)
            ended++;
        if (it->state == NE_ITEM_PENDING) pend += it->bytes_expected;
        if (it->state != NE_ITEM_RUNNING) continue;
        done += l->job_bytes;
        if (l->total > l->done && l->job_bytes) left += l->total - l->done;
        else if (!l->job_bytes) pend += it->bytes_expected;
        ne_escape(it->d->name, name, sizeof name);
        snprintf(line, sizeof line, "  %-16s -> %-8s %-9s %s/%s  %s/s  ETA %s%s%s", name,
                 dr->hosts[it->dest].name, l->phase ? l->phase : "starting",
                 fmt_bytes(l->done, a, sizeof a), l->total ? fmt_bytes(l->total, b, sizeof b) : "?",
                 fmt_bytes((uint64_t)l->rate, c, sizeof c),
                 secs(eta(l->done, l->total, l->rate), e, sizeof e),
                 l->from && strcmp(l->from, "job statistics") != 0 ? "  (from " : "",
                 l->from && strcmp(l->from, "job statistics") != 0 ? l->from : "");
        if (l->from && strcmp(l->from, "job statistics") != 0) {
            size_t k = strlen(line);
            if (k + 1 < sizeof line) line[k] = ')', line[k + 1] = '\0';
        }
        if (l->stuck) snprintf(line + strlen(line), sizeof line - strlen(line), "  NOT CONVERGING");
        put_line(&buf, nlines, line, cols);
    }
    /* what is still to come, at the ratio of job bytes to the planner's
     * estimate seen so far (an incremental copy moves the overlay only) */
    ratio = dr->expected_done ? (double)dr->bytes_done / (double)dr->expected_done : 1;
    left += (uint64_t)((double)pend * ratio);
    rate = el > 0 ? (double)done / el : 0;
    snprintf(line, sizeof line, "[%zu/%zu done, %u in flight, limit %u%s] ETA %s: %s moved at "
             "%s/s, %s to go", ended, total, dr->inflight, dr->limit,
             dr->o->max_parallel ? "" : " auto",
             dr->bytes_known ? secs(rate > 0 ? (double)left / rate : -1, e, sizeof e) : "?",
             fmt_bytes(done, a, sizeof a), fmt_bytes((uint64_t)rate, b, sizeof b),
             fmt_bytes(left, c, sizeof c));
    put_line(&buf, nlines, line, cols);
    return buf;
}

void
drain_progress_draw(struct ne_drain *dr)
{
    CLEANUP_FREE char *text = NULL;
    size_t n;
    unsigned cols;

    if (!dr->tty) return;
    cols = columns();
    pthread_mutex_lock(&dr->lock);
    text = block(dr, cols, &n);
    pthread_mutex_unlock(&dr->lock);
    pthread_mutex_lock(&draw_lock);
    erase_block();
    fputs(text, stderr);
    fflush(stderr);
    drawn = (unsigned)n;
    pthread_mutex_unlock(&draw_lock);
}
