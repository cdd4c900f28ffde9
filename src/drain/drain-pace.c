/* SPDX-License-Identifier: Apache-2.0 */
/* drain-pace.c: the drain's pacer thread, every 500 ms while the workers
 * run (with -j auto also at once when a migration ends): with -j auto it
 * samples what the controller (drain-auto.h) needs and applies the limit
 * it returns (each change said on stderr and as a "concurrency" event in
 * the journal and the JSON); on a terminal it redraws the live display
 * (drain-progress.c). */
#include <config.h>

#include <pthread.h>
#include <string.h>
#include <time.h>

#include "drain/drain-auto.h"
#include "drain/drain-int.h"
#include "util/log.h"
#include "util/mem.h"

struct cpu_sample {
    uint64_t busy, total;
    bool ok;
};

struct pacer {
    struct ne_drain *dr;
    bool auto_j, stop;
    bool kicked;                /* a migration ended since the pacer last looked */
    pthread_t t;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct ne_auto ctl;
    struct cpu_sample *cpu;     /* per host, the last sample */
    double cpu_t, busy, busy_base;
};

static struct pacer pc;

/* Whether host k receives instances of this drain. */
static bool
is_dest(const struct ne_drain *dr, size_t k)
{
    size_t i;
    for (i = 0; i < dr->n; i++)
        if (dr->items[i].dest == (int)k) return true;
    return false;
}

/* Samples every destination's CPU times; returns the highest busy
 * fraction since the last sample (-1 when none could be read). */
static double
sample_cpu(struct pacer *p)
{
    struct ne_drain *dr = p->dr;
    double best = -1;
    size_t k;

    for (k = 0; k < dr->nhosts; k++) {
        struct ne_virt *v;
        struct cpu_sample s = {0, 0, false};
        if (!is_dest(dr, k)) continue;
        v = virt_open(dr->cfg, dr->hosts[k].name);
        if (v) s.ok = virt_node_cpu_times(v, &s.busy, &s.total) == 0;
        virt_close(v);
        if (s.ok && p->cpu[k].ok && s.total > p->cpu[k].total) {
            double f = (double)(s.busy - p->cpu[k].busy) / (double)(s.total - p->cpu[k].total);
            if (f > best) best = f;
        }
        p->cpu[k] = s;
    }
    return best;
}

static void
observe(struct pacer *p, struct ne_auto_obs *o)
{
    struct ne_drain *dr = p->dr;
    size_t i;

    memset(o, 0, sizeof *o);
    o->t = ne_now() - dr->t_workers;
    pthread_mutex_lock(&dr->lock);
    o->inflight = dr->inflight;
    o->completed = dr->ended;
    o->bytes = (double)dr->bytes_done;
    o->bytes_known = dr->bytes_known;
    o->work = dr->ended;
    for (i = 0; i < dr->n; i++) {
        const struct ne_drain_item *it = &dr->items[i];
        if (it->state == NE_ITEM_PENDING && it->dest >= 0) o->waiting++;
        if (it->state != NE_ITEM_RUNNING) continue;
        o->bytes += (double)it->live.job_bytes;
        if (it->bytes_expected && dr->bytes_known) {
            double share = (double)it->live.job_bytes / (double)it->bytes_expected;
            o->work += share < 0.9 ? share : 0.9;
        }
        if (it->live.phase && strcmp(it->live.phase, NE_MIG_PHASE_MIGRATING) == 0)
            o->copying++; /* its job runs */
        if (it->live.stuck) o->stuck++;
    }
    /* the first migration: its duration once ended, else its share so far */
    if (dr->first_end > 0) {
        o->first_t = dr->first_end;
        o->first_work = 1;
    } else if (dr->first >= 0) {
        const struct ne_drain_item *it = &dr->items[dr->first];
        o->first_t = ne_now() - dr->first_t;
        if (it->bytes_expected && dr->bytes_known) {
            double share = (double)it->live.job_bytes / (double)it->bytes_expected;
            o->first_work = share < 0.9 ? share : 0.9;
        }
    }
    pthread_mutex_unlock(&dr->lock);
    o->dest_busy = p->busy;
    o->dest_busy_base = p->busy_base;
}

static void
control(struct pacer *p)
{
    struct ne_drain *dr = p->dr;
    struct ne_auto_obs o;
    char why[384];
    unsigned limit, pd;

    if (ne_now() - p->cpu_t >= 2) {
        p->busy = sample_cpu(p);
        p->cpu_t = ne_now();
    }
    observe(p, &o);
    limit = ne_auto_step(&p->ctl, &o, why, sizeof why);
    if (!why[0]) return;
    pthread_mutex_lock(&dr->lock);
    dr->limit = limit;
    dr->per_dest = pd = drain_per_dest(dr, limit);
    pthread_cond_broadcast(&dr->cond);
    pthread_mutex_unlock(&dr->lock);
    ne_info("-j auto: %s (%u at once, %u per destination)", why, limit, pd);
    drain_emit(dr, "concurrency", NULL, json_pack("{s:i, s:i, s:s, s:f}", "max_parallel",
                                                  (int)limit, "max_per_dest", (int)pd, "reason",
                                                  why, "t", o.t));
}

static void *
pacer_run(void *arg)
{
    struct pacer *p = arg;
    struct timespec until;

    pthread_mutex_lock(&p->lock);
    while (!p->stop) {
        p->kicked = false;
        pthread_mutex_unlock(&p->lock);
        if (p->auto_j) control(p);
        drain_progress_draw(p->dr);
        pthread_mutex_lock(&p->lock);
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 500000000L;
        if (until.tv_nsec >= 1000000000L) until.tv_sec++, until.tv_nsec -= 1000000000L;
        if (!p->stop && !p->kicked) pthread_cond_timedwait(&p->cond, &p->lock, &until);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

void
drain_pace_prepare(struct ne_drain *dr)
{
    memset(&pc, 0, sizeof pc);
    pc.dr = dr;
    pc.cpu = xcalloc(dr->nhosts + 1, sizeof *pc.cpu);
    pc.busy = pc.busy_base = -1;
    if (!dr->o->max_parallel) (void)sample_cpu(&pc);
    pc.cpu_t = ne_now();
}

unsigned
drain_pace_start(struct ne_drain *dr, unsigned max)
{
    pc.auto_j = dr->o->max_parallel == 0;
    if (pc.auto_j) {
        /* the destinations' level before the first migration: since the
         * sample of drain_pace_prepare (the staging check), if long enough */
        if (ne_now() - pc.cpu_t >= 0.2) pc.busy_base = sample_cpu(&pc);
        pc.cpu_t = ne_now();
        ne_auto_init(&pc.ctl, max);
        ne_info("-j auto: starting with %u at once (never more than %u); the limit follows the "
                "aggregate rate%s", pc.ctl.limit, pc.ctl.max,
                pc.busy_base >= 0 ? "" : " (destinations' CPU load unknown)");
    }
    pthread_mutex_init(&pc.lock, NULL);
    pthread_cond_init(&pc.cond, NULL);
    if (!pc.auto_j && !dr->tty) {
        pc.stop = true; /* nothing to pace */
        return dr->limit;
    }
    if (pthread_create(&pc.t, NULL, pacer_run, &pc) != 0) {
        ne_warn("drain %s: no pacer thread: %u at once, no live display", dr->o->host,
                pc.auto_j ? pc.ctl.limit : dr->limit);
        pc.stop = true;
        dr->tty = false;
    }
    return pc.auto_j ? pc.ctl.limit : dr->limit;
}

void
drain_pace_kick(void)
{
    if (!pc.auto_j) return;
    pthread_mutex_lock(&pc.lock);
    pc.kicked = true;
    pthread_cond_broadcast(&pc.cond);
    pthread_mutex_unlock(&pc.lock);
}

void
drain_pace_stop(struct ne_drain *dr)
{
    pthread_mutex_lock(&pc.lock);
    bool started = !pc.stop;
    pc.stop = true;
    pthread_cond_broadcast(&pc.cond);
    pthread_mutex_unlock(&pc.lock);
    if (started) pthread_join(pc.t, NULL);
    pthread_mutex_destroy(&pc.lock);
    pthread_cond_destroy(&pc.cond);
    free(pc.cpu);
    pc.cpu = NULL;
    (void)dr;
}
