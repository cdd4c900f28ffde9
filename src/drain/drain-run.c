/* SPDX-License-Identifier: Apache-2.0 */
/* drain-run.c: running a drain plan: journal, the compute service,
 * staging, and worker threads with global and per-destination limits.
 * The resume of an interrupted drain is in drain-resume.c, the leftovers
 * of earlier attempts in drain-leftovers.c, the waits in drain-wait.c. */
#include <config.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "drain/drain-auto.h"
#include "drain/drain-int.h"
#include "images/image-cache.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/progress.h"
#include "util/runlock.h"

/* Journals ev (stolen) when journal and, with --format json, prints it as
 * a line, with the time (the journal stamps its copy itself). */
static void
emit(struct ne_drain *dr, const char *event, const struct ne_drain_item *it, json_t *extra,
     bool journal)
{
    json_t *ev = json_pack("{s:s}", "event", event);
    struct timespec now;

    if (it) {
        json_object_set_new(ev, "uuid", json_string(it->d->uuid));
        json_object_set_new(ev, "name", json_string(it->d->name));
        if (it->dest >= 0) json_object_set_new(ev, "dest", json_string(dr->hosts[it->dest].name));
    }
    if (extra) json_object_update(ev, extra);
    json_decref(extra);
    clock_gettime(CLOCK_REALTIME, &now);
    json_object_set_new(ev, "ts_ms",
                        json_integer((json_int_t)now.tv_sec * 1000 + now.tv_nsec / 1000000));
    pthread_mutex_lock(&dr->lock);
    if (dr->o->json_events) {
        json_dumpf(ev, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
        putchar('\n');
        fflush(stdout);
    }
    if (journal && dr->j) journal_append(dr->j, json_incref(ev));
    pthread_mutex_unlock(&dr->lock);
    json_decref(ev);
}

void
drain_emit(struct ne_drain *dr, const char *event, const struct ne_drain_item *it, json_t *extra)
{
    emit(dr, event, it, extra, true);
}

void
drain_say(struct ne_drain *dr, const char *event, const struct ne_drain_item *it, json_t *extra)
{
    if (dr->o->json_events) emit(dr, event, it, extra, false);
    else json_decref(extra);
}

struct ne_drain_item *
drain_item_by_uuid(struct ne_drain *dr, const char *uuid)
{
    size_t i;
    for (i = 0; i < dr->n; i++)
        if (strcmp(dr->items[i].d->uuid, uuid) == 0) return &dr->items[i];
    return NULL;
}

int
drain_host_index(const struct ne_drain *dr, const char *name)
{
    size_t k;
    for (k = 0; k < dr->nhosts; k++)
        if (str_eq(dr->hosts[k].name, name)) return (int)k;
    return -1;
}

/* Next item a worker may start (per-destination limit), or NULL: of those,
 * the one with the most bytes to move, so that the longest migrations do
 * not start last and stretch the makespan.  Called with the lock held. */
static struct ne_drain_item *
next_item(struct ne_drain *dr, bool *any_left)
{
    struct ne_drain_item *best = NULL;
    size_t i;

    *any_left = false;
    for (i = 0; i < dr->n; i++) {
        if (dr->inflight >= dr->limit) { /* still tell whether any is left */
            if (dr->items[i].state == NE_ITEM_PENDING && dr->items[i].dest >= 0) {
                *any_left = true;
                return NULL;
            }
            continue;
        }
        struct ne_drain_item *it = &dr->items[i];
        if (it->state != NE_ITEM_PENDING || it->dest < 0) continue;
        *any_left = true;
        if (dr->hosts[it->dest].running < dr->per_dest &&
            (!best || it->bytes_expected > best->bytes_expected))
            best = it;
    }
    return best;
}

/* The per-destination limit: --max-per-dest, else the global limit spread
 * over the destinations that still receive instances, rounded up (-j4
 * over two destinations: 2 each; -j1: 1). */
unsigned
drain_per_dest(const struct ne_drain *dr, unsigned nth)
{
    size_t i, k, used = 0;

    if (dr->o->max_per_dest) return dr->o->max_per_dest;
    for (k = 0; k < dr->nhosts; k++)
        for (i = 0; i < dr->n; i++)
            if (dr->items[i].dest == (int)k && dr->items[i].state == NE_ITEM_PENDING) {
                used++;
                break;
            }
    if (used == 0) used = 1;
    return (unsigned)((nth + used - 1) / used);
}

/* After a move through libvirt failed: whether Nova deleted the instance
 * meanwhile.  Never a guess: libvirt defines it on neither the source nor
 * to (both answer), and Nova answers 404 for it (nova.gone).  Anything
 * else is the usual failure.  A move through Nova: nova.migrate says it
 * (NE_DRAIN_GONE). */
static bool
deleted_in_nova(struct ne_drain *dr, const struct ne_drain_item *it, const char *to)
{
    struct ne_virt *src, *dst;
    int st = 0, on_src, on_dst = -1;

    if (dr->o->nova.migrate || !dr->o->nova.gone) return false;
    src = virt_open(dr->cfg, dr->o->host);
    on_src = src ? virt_domain_state(src, it->d->uuid, &st, NULL) : -1;
    virt_close(src);
    if (on_src == 0 && (dst = virt_open(dr->cfg, to))) {
        on_dst = virt_domain_state(dst, it->d->uuid, &st, NULL);
        virt_close(dst);
    }
    return on_src == 0 && on_dst == 0 && dr->o->nova.gone(dr->o->nova.ctx, it->d->uuid) == 1;
}

void
drain_gone(struct ne_drain *dr, struct ne_drain_item *it, const char *to, const char *how)
{
    it->state = NE_ITEM_GONE;
    snprintf(it->why, sizeof it->why, "gone (deleted in Nova during the drain): not moved, "
             "nothing to do");
    ne_warn("%s (%s): gone (deleted in Nova during the drain): %s; neither moved to %s nor "
            "failed, not tried again", it->d->name, it->d->uuid, how, to);
    drain_emit(dr, "gone", it, json_pack("{s:s, s:s}", "reason", it->why, "evidence", how));
}

/* One instance, with retries while the source still holds it intact. */
static void
migrate_item(struct ne_drain *dr, struct ne_drain_item *it)
{
    const char *to = dr->hosts[it->dest].name;
    struct ne_mig_opts mo = dr->o->mig;
    struct ne_mig_result r;
    struct drain_pctx pctx = {dr, it};
    double t0 = ne_now();
    unsigned quick = 0, waited = 0, sched_tries = 0, sched_waited = 0;
    char gave_up[384] = "";

    memset(&r, 0, sizeof r);
    mo.start_policy = it->start_policy;
    mo.journal = journal_mig_hooks(dr->j);
    mo.progress = drain_progress_cb;
    mo.progress_ctx = &pctx;
    ne_last_error_clear();
    for (;;) {
        struct ne_virt *src = virt_open(dr->cfg, dr->o->host), *dst = virt_open(dr->cfg, to);
        const char *down;
        if (!dr->o->nova.migrate) drain_clean_leftovers(dr, it);
        it->attempts++;
        drain_emit(dr, "migrating", it, json_pack("{s:i, s:s, s:b, s:s, s:b, s:o}", "attempt",
                                            (int)it->attempts, "method",
                                            ne_method_name(it->plan.method), "was_running",
                                            it->d->state == NE_DOM_RUNNING || it->start_policy == 1,
                                            "via", dr->o->nova.migrate ? "nova" : "libvirt",
                                            "keep_source", dr->o->mig.keep_source_disks,
                                            "src_files", drain_source_files(it)));
        /* the attempt's errors wait until it is known whether they are
         * failures: an instance deleted in Nova meanwhile is only gone */
        ne_log_hold();
        if (dr->o->nova.migrate) {
            /* Nova gives no figures: the display says so and counts time */
            struct ne_mig_stats none = {.progress_from = "elapsed time (Nova moves it)"};
            struct ne_mig_progress p = {NE_MIG_PHASE_MIGRATING, &none, 0, false};
            drain_progress_cb(&pctx, &p);
            it->rc = dr->o->nova.migrate(dr->o->nova.ctx, it->d, &it->plan, dr->o->host, to, &r);
        }
        else
            it->rc = src && dst ? ne_migrate_instance(src, dst, it->d->uuid, &mo, &r)
                                : NE_EXIT_UNREACHABLE;
        virt_close(src);
        virt_close(dst);
        if (it->rc != 0 && (it->rc == NE_DRAIN_GONE || deleted_in_nova(dr, it, to))) {
            ne_log_release(false);
            it->rc = NE_DRAIN_GONE;
            break;
        }
        ne_log_release(true);
        if (it->rc == 0) break;
        if (it->rc == NE_DRAIN_SCHED_REFUSED) {
            /* Nova's scheduler said no before anything moved: wait for
             * its per-host instance lists to be synced, then ask again */
            it->rc = NE_EXIT_PARTIAL;
            if (drain_wait_for_scheduler(dr, it, to, sched_tries++, &sched_waited, gave_up,
                                         sizeof gave_up) < 0)
                break;
            continue;
        }
        if (it->rc == NE_EXIT_REFUSED || it->rc == NE_EXIT_USAGE || ne_migrate_interrupted())
            break;
        /* A libvirtd that does not answer (restarting, or down for a
         * while) heals by waiting: up to 5 minutes in all, whatever
         * --retries says; any other failure gets --retries quick tries. */
        if (!dr->o->nova.migrate && (down = drain_host_down(dr, to))) {
            if (drain_wait_for_host(dr, it, down, &waited) < 0) {
                snprintf(gave_up, sizeof gave_up, "%s's libvirtd did not answer for %u s; bring it "
                         "back, then 'nova-evac drain %s --resume'", down, NE_DRAIN_HOST_WAIT_S,
                         dr->o->host);
                break;
            }
        } else if (quick >= dr->o->retries) {
            break;
        } else {
            unsigned pause = quick < 5 ? 2u << quick : 60;
            quick++;
            ne_info("%s: attempt %u failed; retrying in %u s", it->d->name, it->attempts, pause);
            if (drain_pause(pause) < 0) break;
        }
        /* the failed attempt may have stopped a guest that ran (a cold
         * move whose host went away): the next one starts it again */
        if (it->d->state == NE_DOM_RUNNING && mo.start_policy == 0) mo.start_policy = 1;
    }
    it->seconds = ne_now() - t0;
    it->st = r.st;
    if (it->rc == 0) {
        it->state = NE_ITEM_MOVED;
        if (!dr->o->nova.migrate && dr->o->nova.record_move &&
            dr->o->nova.record_move(dr->o->nova.ctx, it->d->uuid, dr->o->host, to,
                                    it->d->state != NE_DOM_SHUTOFF) < 0) {
            it->unrecorded = true;
            snprintf(it->why, sizeof it->why, "runs on %s but Nova was not told: run 'nova-evac "
                     "stuck %s --fix'", to, dr->o->host);
            ne_warn("%s: %s", it->d->name, it->why);
        }
        if (drain_net_left(dr, it, &r, to)) it->unrecorded = true;
        drain_emit(dr, "moved", it, json_pack("{s:b, s:f, s:f, s:I, s:I, s:I, s:s?}", "recorded",
                                        !it->unrecorded, "seconds", it->seconds,
                                        "job_seconds", r.st.seconds,
                                        "downtime_ms", (json_int_t)r.st.downtime_ms, "disk_bytes",
                                        (json_int_t)r.st.disk_processed, "data_bytes",
                                        (json_int_t)(r.st.data_processed + r.st.files_bytes),
                                        "progress_from", r.st.progress_from));
    } else if (it->rc == NE_DRAIN_GONE) {
        it->rc = 0;
        if (!dr->o->nova.migrate) drain_clean_leftovers(dr, it); /* its copies on to */
        drain_gone(dr, it, to, dr->o->nova.migrate
                   ? "Nova answers 404 for it"
                   : "Nova answers 404 for it and libvirt defines it on neither host");
    } else {
        it->state = NE_ITEM_FAILED;
        if (gave_up[0])
            snprintf(it->why, sizeof it->why, "%s", gave_up);
        else
            snprintf(it->why, sizeof it->why, "%s (exit %d); it stays on %s",
                     it->rc == NE_EXIT_REFUSED ? "refused by a safety check" :
                     r.aborted ? "migration aborted" : "migration failed", it->rc, dr->o->host);
        /* what the move said, for the report: the refusal's reason and advice */
        drain_emit(dr, "failed", it, json_pack("{s:s, s:i, s:s?}", "reason", it->why, "exit",
                                               it->rc, "detail", ne_last_error()));
    }
}

/* One line of overall progress after each instance: done/total and ETA.
 * Called with the lock held. */
static void
overall(struct ne_drain *dr, const struct ne_drain_item *it)
{
    size_t i, done = 0, total = 0;
    double elapsed = ne_now() - dr->t0;
    char eta[48] = "";

    for (i = 0; i < dr->n; i++) {
        if (dr->items[i].dest < 0) continue;
        total++;
        if (dr->items[i].state == NE_ITEM_MOVED || dr->items[i].state == NE_ITEM_FAILED ||
            dr->items[i].state == NE_ITEM_GONE)
            done++;
    }
    if (done && done < total)
        snprintf(eta, sizeof eta, ", about %.0f s left", elapsed / (double)done * (double)(total - done));
    if (it->state == NE_ITEM_MOVED)
        ne_info("[%zu/%zu] %s moved to %s; %.0f s elapsed%s", done, total, it->d->name,
                dr->hosts[it->dest].name, elapsed, eta);
    else if (it->state == NE_ITEM_GONE)
        ne_info("[%zu/%zu] %s gone (deleted in Nova during the drain); %.0f s elapsed%s", done,
                total, it->d->name, elapsed, eta);
    else
        ne_info("[%zu/%zu] %s NOT moved: %s; %.0f s elapsed%s", done, total, it->d->name, it->why,
                elapsed, eta);
}

static void *
worker(void *arg)
{
    struct ne_drain *dr = arg;
    struct ne_drain_item *it;
    bool left = false;
    int slot;

    pthread_mutex_lock(&dr->lock);
    for (;;) {
        /* a failed journal append: no new move (nothing could be journalled) */
        it = ne_migrate_interrupted() || journal_failed(dr->j) ? NULL : next_item(dr, &left);
        if (!it) {
            if (!left || ne_migrate_interrupted() || journal_failed(dr->j)) break;
            pthread_cond_wait(&dr->cond, &dr->lock);
            continue;
        }
        it->state = NE_ITEM_RUNNING;
        dr->hosts[it->dest].running++;
        dr->inflight++;
        if (dr->first < 0) dr->first = (int)(it - dr->items), dr->first_t = ne_now();
        pthread_mutex_unlock(&dr->lock);
        slot = ne_inflight_add(it->d->name); /* named if interrupted twice */
        migrate_item(dr, it);
        ne_inflight_remove(slot);
        pthread_mutex_lock(&dr->lock);
        dr->inflight--;
        dr->ended++;
        if (it == &dr->items[dr->first] && !dr->first_end) dr->first_end = ne_now() - dr->first_t;
        dr->bytes_done += it->st.data_processed > it->live.job_bytes ? it->st.data_processed
                                                                      : it->live.job_bytes;
        dr->expected_done += it->bytes_expected;
        it->live.job_bytes = 0;
        overall(dr, it);
        dr->hosts[it->dest].running--;
        pthread_cond_broadcast(&dr->cond);
        drain_pace_kick(); /* -j auto decides at once on what ended */
    }
    pthread_cond_broadcast(&dr->cond);
    pthread_mutex_unlock(&dr->lock);
    return NULL;
}

/* Staging for one destination, with its own source connection. */
struct stage_job {
    struct ne_drain *dr;
    size_t k;                       /* destination index */
    const struct ne_domain **doms;  /* its planned instances that copy disks */
    size_t n;
    struct ne_stage_report rep;
    int rc;
};

static void
stage_one(struct stage_job *sj)
{
    struct ne_stage_journal jr = drain_stage_journal(sj->dr);
    struct ne_stage_opts so = {.stage = true, .parallel = 2, .journal = &jr};
    struct ne_virt *src = virt_open(sj->dr->cfg, sj->dr->o->host);
    struct ne_virt *dst = sj->dr->hosts[sj->k].v;

    memset(&sj->rep, 0, sizeof sj->rep);
    sj->rc = src ? ne_stage_bases(src, &dst, 1, sj->doms, sj->n, &so, &sj->rep)
                 : NE_EXIT_UNREACHABLE;
    virt_close(src);
}

/* Fails the items of destination sj->k whose base could not be staged. */
static void
stage_failures(struct ne_drain *dr, const struct stage_job *sj)
{
    size_t b, i;

    for (b = 0; b < sj->rep.nbases; b++) {
        const struct ne_base *base = &sj->rep.bases[b];
        if (base->ndests == 0 || base->dests[0].state == NE_DEST_PRESENT ||
            base->dests[0].state == NE_DEST_STAGED)
            continue;
        for (i = 0; i < base->ninstances; i++) {
            struct ne_drain_item *it = drain_item_by_uuid(dr, base->uuids[i]);
            if (!it || it->state != NE_ITEM_PENDING) continue;
            it->state = NE_ITEM_FAILED;
            snprintf(it->why, sizeof it->why, "base image %s could not be staged on %s (%s): %s",
                     base->name, dr->hosts[sj->k].name, ne_dest_state_name(base->dests[0].state),
                     base->dests[0].why);
            drain_emit(dr, "failed", it, json_pack("{s:s}", "reason", it->why));
        }
    }
}

/* Stages, on each destination, the base images its planned instances need
 * and it lacks, one destination after the other; an instance whose base
 * cannot be staged is failed with the reason instead of being migrated.
 * Not in parallel: each job probes every node through libvirt's storage
 * pools, and two jobs at once raced on the same node's transient pool (one
 * created it while the other looked for it, or closed it while the other
 * used it): a destination was then reported "not reachable" (seen once in
 * drain.t).  Serial costs about a second per extra destination. */
static void
stage_all(struct ne_drain *dr)
{
    struct stage_job *sj = xcalloc(dr->nhosts + 1, sizeof *sj);
    size_t k, i;

    for (k = 0; k < dr->nhosts; k++) {
        sj[k].dr = dr;
        sj[k].k = k;
        sj[k].doms = xcalloc(dr->n + 1, sizeof *sj[k].doms);
        for (i = 0; i < dr->n; i++)
            if (dr->items[i].state == NE_ITEM_PENDING && dr->items[i].dest == (int)k &&
                dr->items[i].plan.method != NE_METHOD_LIVE)
                sj[k].doms[sj[k].n++] = dr->items[i].d;
        if (sj[k].n == 0 || !dr->hosts[k].v) continue;
        stage_one(&sj[k]);
    }
    for (k = 0; k < dr->nhosts; k++) {
        if (sj[k].rc != 0) stage_failures(dr, &sj[k]);
        if (sj[k].rep.staged) ne_info("staged %u base image(s) on %s", sj[k].rep.staged, dr->hosts[k].name);
        ne_stage_report_clear(&sj[k].rep);
        free(sj[k].doms);
    }
    free(sj);
}

static int
open_journal(struct ne_drain *dr)
{
    const struct ne_drain_opts *o = dr->o;

    dr->j = journal_open(dr->cfg->state_dir, o->host, &dr->prior);
    if (!dr->j) return NE_EXIT_REFUSED;
    if (dr->prior.started && !dr->prior.finished && !o->resume) {
        ne_error("a drain of %s was interrupted (journal %s); finish it with 'nova-evac drain %s "
                 "--resume'", o->host, journal_path(dr->j), o->host);
        return NE_EXIT_REFUSED;
    }
    if (o->resume && (!dr->prior.started || dr->prior.finished))
        ne_info("no interrupted drain of %s to resume; starting a new one", o->host);
    if (dr->prior.started && dr->prior.finished && journal_rotate(dr->j) < 0) return NE_EXIT_PARTIAL;
    return 0;
}

static int
finish(struct ne_drain *dr)
{
    size_t i, moved = 0, failed = 0, todo = 0, gone = 0;

    for (i = 0; i < dr->n; i++) {
        if (dr->items[i].state == NE_ITEM_GONE) gone++; /* not a failure: nothing to move */
        else if (dr->items[i].state == NE_ITEM_MOVED && !dr->items[i].unrecorded) moved++;
        else if (dr->items[i].state == NE_ITEM_MOVED) todo++; /* moved, Nova not told */
        else if (dr->items[i].state == NE_ITEM_FAILED || dr->items[i].dest < 0) failed++;
        else todo++;
    }
    if (dr->unresolved)
        ne_warn("drain %s: %zu interrupted move%s not settled (see above): the journal stays open; "
                "run 'nova-evac drain %s --resume' once the next step is done", dr->o->host,
                dr->unresolved, dr->unresolved == 1 ? "" : "s", dr->o->host);
    else if (!ne_migrate_interrupted())
        drain_emit(dr, "finish", NULL, json_pack("{s:s, s:i, s:i, s:i, s:f}", "host", dr->o->host,
                                           "moved", (int)moved, "not_moved", (int)(failed + todo),
                                           "gone", (int)gone, "seconds", ne_now() - dr->t0));
    if (journal_failed(dr->j)) {
        ne_error("drain %s: the journal %s could not be written: no new move was started after "
                 "that; free space on its filesystem (or fix the disk), then run 'nova-evac drain "
                 "%s --resume'", dr->o->host, journal_path(dr->j), dr->o->host);
        return NE_EXIT_UNREACHABLE;
    }
    return failed + todo ? NE_EXIT_PARTIAL : NE_EXIT_OK;
}

/* Every instance of the host is this drain's until it ends (the lock is
 * dropped at exit): a `nova-evac migrate` of one is refused, and one that
 * a migrate (or anything else) holds now is left to it, not moved. */
static void
lock_instances(struct ne_drain *dr)
{
    CLEANUP_FREE char *what = xasprintf("drain of %s", dr->o->host);
    size_t i;

    for (i = 0; i < dr->n; i++) {
        struct ne_drain_item *it = &dr->items[i];
        CLEANUP_FREE char *path = ne_runlock_instance_path(dr->cfg->state_dir, it->d->uuid);
        char holder[320] = "";
        int fd = path ? ne_runlock_take(path, false, what, holder, sizeof holder) : -2;

        if (fd >= 0 || it->state != NE_ITEM_PENDING) continue;
        it->state = NE_ITEM_FAILED;
        if (fd == -1)
            snprintf(it->why, sizeof it->why, "%s is moving it (lock %s): left to it", holder, path);
        else
            snprintf(it->why, sizeof it->why, "its lock under %s cannot be taken (above): not "
                     "touched", dr->cfg->state_dir);
        ne_error("%s (%s): %s", it->d->name, it->d->uuid, it->why);
        drain_emit(dr, "failed", it, json_pack("{s:s}", "reason", it->why));
    }
}

int
drain_open(struct ne_drain *dr)
{
    int rc;

    if (dr->j) return 0; /* done already (ne_drain_plan, for --resume) */
    if ((rc = open_journal(dr)) != 0) return rc;
    lock_instances(dr);
    if (dr->o->resume) drain_resume_all(dr);
    return 0;
}

int
ne_drain_run(struct ne_drain *dr)
{
    const struct ne_drain_opts *o = dr->o;
    CLEANUP_FREE pthread_t *th = NULL;
    unsigned nth = o->max_parallel ? o->max_parallel : 1, t, nw, nplaced = 0;
    size_t i;
    int rc;

    dr->t0 = ne_now();
    if ((rc = drain_open(dr)) != 0) return rc;
    /* disabled already when the plan was made again after it (drain.c) */
    if (!dr->disabled && o->nova.disable && o->nova.disable(o->nova.ctx, o->host, o->reason) < 0) {
        ne_error("drain %s: cannot disable its compute service; nothing moved", o->host);
        return NE_EXIT_UNREACHABLE;
    }
    dr->limit = nth;
    dr->per_dest = drain_per_dest(dr, nth);
    drain_emit(dr, "start", NULL, json_pack("{s:s, s:s, s:i, s:b, s:i, s:i, s:s}", "host", o->host,
                                      "reason", o->reason ? o->reason : "", "instances",
                                      (int)dr->n, "resume", o->resume, "max_parallel", (int)nth,
                                      "max_per_dest", (int)dr->per_dest, "concurrency",
                                      o->max_parallel ? "fixed" : "auto"));
    for (i = 0; i < dr->n; i++) {
        struct ne_drain_item *it = &dr->items[i];
        if (it->state == NE_ITEM_PENDING && it->dest < 0)
            drain_emit(dr, "failed", it, json_pack("{s:s}", "reason", it->why));
        else if (it->state == NE_ITEM_PENDING)
            drain_emit(dr, "planned", it, json_pack("{s:s, s:i}", "method",
                                              ne_method_name(it->plan.method), "row", it->plan.row));
    }
    drain_pace_prepare(dr);
    if (o->stage_images) stage_all(dr);
    drain_progress_start(dr);
    for (i = 0; i < dr->n; i++)
        if (dr->items[i].state == NE_ITEM_PENDING && dr->items[i].dest >= 0) nplaced++;
    /* -j auto: as many workers as the controller may allow */
    if (!o->max_parallel) nth = nplaced < NE_AUTO_MAX ? nplaced : NE_AUTO_MAX;
    dr->t_workers = ne_now();
    dr->first = -1;
    dr->limit = drain_pace_start(dr, nth);
    dr->per_dest = drain_per_dest(dr, dr->limit);
    /* No fixed cap on -j: one worker per allowed migration, but never more
     * workers than instances (the others would only wait). */
    nw = nth < dr->n ? nth : (unsigned)dr->n;
    if (nw == 0) nw = 1;
    th = xcalloc(nw, sizeof *th);
    for (t = 0; t < nw; t++)
        if ((rc = pthread_create(&th[t], NULL, worker, dr)) != 0) {
            errno = rc; /* pthread_create returns its error instead of setting errno */
            ne_syserror("drain %s: cannot start worker %u of %u (the others drain)", o->host,
                        t + 1, nw);
            break;
        }
    nw = t;
    if (nw == 0) worker(dr); /* no thread at all: this one does the work */
    for (t = 0; t < nw; t++) pthread_join(th[t], NULL);
    drain_pace_stop(dr);
    drain_progress_stop(dr);
    return finish(dr);
}
