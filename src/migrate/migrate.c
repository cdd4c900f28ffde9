/* SPDX-License-Identifier: Apache-2.0 */
/* migrate.c: see migrate.h.  The live and live-block paths: flags and
 * parameters, a monitor thread (job stats every 500 ms, progress, downtime
 * steps, completion timeout, Ctrl-C), completed-job stats from the
 * JOB_COMPLETED event, verification and cleanup. */
#include <config.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "images/image-cache.h"
#include "migrate/migrate.h"
#include "virt/virt-net.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/progress.h"

/* The signals themselves are util/interrupt.c's (installed by the command). */
bool ne_migrate_interrupted(void) { return ne_interrupted(); }

void
ne_mig_say(const struct ne_mig_opts *o, const char *phase, const struct ne_mig_stats *st,
           double elapsed, bool stuck)
{
    struct ne_mig_progress p = {phase, st, elapsed, stuck};

    if (o->progress) o->progress(o->progress_ctx, &p);
}

struct monitor {
    struct ne_vmig *job;
    const struct ne_config *cfg;
    const struct ne_mig_opts *o;
    const char *label;
    double start, gib;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool stop, completed, aborted, timed_out;
    struct ne_mig_stats st;   /* last polled, then the completed event's */
    struct ne_virt *dst;      /* a source without job stats: progress from here */
    const struct ne_domain *d;
    double stat_at;           /* when the destination's allocation was last read */
    struct ne_mig_stats alloc; /* no job stats: the destination's allocation (disk_*) */
    unsigned dt_tries;        /* failed attempts at the current downtime step */
};

static void
on_job_completed(void *opaque, struct ne_vmig *j)
{
    struct monitor *m = opaque;

    pthread_mutex_lock(&m->lock);
    virt_mig_event_stats(j, &m->st);
    m->completed = true;
    pthread_cond_broadcast(&m->cond);
    pthread_mutex_unlock(&m->lock);
}

static void
draw(struct monitor *m, double elapsed)
{
    const struct ne_mig_stats *s = &m->st;
    char text[160], a[16], b[16], c[16], d[16];
    double frac, rate;

    rate = elapsed > 0 ? (double)s->data_processed / elapsed : 0;
    if (s->disk_total && s->disk_processed < s->disk_total)
        frac = 0.5 * (double)s->disk_processed / (double)s->disk_total;
    else if (s->memory_total)
        frac = (s->disk_total ? 0.5 : 0) + (s->disk_total ? 0.5 : 1.0) *
               (double)s->memory_processed / (double)s->memory_total;
    else
        frac = 0;
    snprintf(text, sizeof text, "disk %s/%s mem %s/%s %s/s %.0fs", fmt_bytes(s->disk_processed, a, 16),
             fmt_bytes(s->disk_total, b, 16), fmt_bytes(s->memory_processed, c, 16),
             fmt_bytes(s->memory_total, d, 16), fmt_bytes((unsigned long long)rate, a, 16), elapsed);
    progress_draw(m->label, frac, text);
}

/* A source without job statistics: progress from the destination's
 * allocation of the copied disks (every 2 s), else from time only; the
 * text says which. */
static void
draw_nostats(struct monitor *m, double elapsed)
{
    char text[160], a[16], b[16];
    uint64_t want = 0, have = 0;
    size_t i;

    if (!progress_enabled() && !m->o->progress) return; /* no stat calls when unseen */
    for (i = 0; i < m->d->ndisks; i++) {
        const struct ne_disk *k = &m->d->disks[i];
        struct ne_file_stat fs;
        if (!ne_disk_is_local(k) || !k->source || k->readonly) continue;
        want += k->allocation;
        if (virt_file_stat(m->dst, k->source, &fs) == 0 && fs.exists) have += fs.allocation;
    }
    m->alloc.disk_processed = have;
    m->alloc.disk_total = want;
    m->alloc.progress_from = want ? "destination allocation" : "elapsed time";
    if (want) {
        snprintf(text, sizeof text, "disk %s/%s (destination allocation; no job statistics) %.0fs",
                 fmt_bytes(have, a, 16), fmt_bytes(want, b, 16), elapsed);
        progress_draw(m->label, have >= want ? 0.99 : (double)have / (double)want, text);
    } else {
        snprintf(text, sizeof text, "%.0fs elapsed (no job statistics)", elapsed);
        progress_draw(m->label, 0, text);
    }
}

/* One 500 ms tick: stats, progress, downtime step, timeout, Ctrl-C. */
static void
tick(struct monitor *m, unsigned long *step)
{
    struct ne_mig_stats s;
    double elapsed = ne_now() - m->start;
    unsigned long at, ms, timeout;

    pthread_mutex_lock(&m->lock);
    s = m->st;
    pthread_mutex_unlock(&m->lock);
    if (virt_mig_poll(m->job, &s) == 1) {
        pthread_mutex_lock(&m->lock);
        if (!m->completed) m->st = s;
        m->st.progress_from = "job statistics";
        pthread_mutex_unlock(&m->lock);
        draw(m, elapsed);
        pthread_mutex_lock(&m->lock);
        s = m->st;
        pthread_mutex_unlock(&m->lock);
        ne_mig_say(m->o, NE_MIG_PHASE_MIGRATING, &s, elapsed,
                   m->timed_out || *step > m->cfg->downtime_steps);
    } else if (!virt_mig_has_stats(m->job) && elapsed - m->stat_at >= 2) {
        m->stat_at = elapsed;
        draw_nostats(m, elapsed);
        ne_mig_say(m->o, NE_MIG_PHASE_MIGRATING, &m->alloc, elapsed,
                   m->timed_out || *step > m->cfg->downtime_steps);
    }
    ne_downtime_step(m->cfg, m->gib, *step, &at, &ms);
    if (*step <= m->cfg->downtime_steps && elapsed >= (double)at) {
        /* A step that did not take (a libvirt that refuses it before the
         * job runs) is tried again at the next ticks: a short migration
         * would otherwise run with QEMU's default (300 ms) instead of the
         * first, smallest step.  After 3 tries it is given up. */
        if (virt_mig_set_downtime(m->job, ms) == 0) {
            ne_debug(NE_DBG_VIRT, "%s: max downtime %lu ms at %.0f s", m->label, ms, elapsed);
            m->dt_tries = 0;
            (*step)++;
        } else if (++m->dt_tries >= 3) {
            ne_debug(NE_DBG_VIRT, "%s: max downtime %lu ms refused 3 times by libvirt", m->label,
                     ms);
            m->dt_tries = 0;
            (*step)++;
        }
    }
    timeout = m->o->timeout_s ? m->o->timeout_s : ne_completion_timeout(m->cfg, m->gib);
    if (ne_interrupted() && !m->aborted) {
        ne_info("%s: interrupted: aborting the migration job", m->label);
        m->aborted = virt_mig_abort(m->job) == 0;
    } else if (timeout && elapsed > (double)timeout && !m->timed_out) {
        int act = m->o->timeout_action >= 0 ? m->o->timeout_action : (int)m->cfg->timeout_action;
        m->timed_out = true;
        ne_warn("%s: not finished after %lu s (completion timeout)", m->label, timeout);
        if (act == NE_TIMEOUT_POSTCOPY && virt_mig_postcopy(m->job) == 0)
            ne_info("%s: switched to post-copy", m->label);
        else if (act == NE_TIMEOUT_PAUSE && virt_mig_suspend(m->job) == 0)
            ne_info("%s: guest paused so the migration can converge", m->label);
        else
            m->aborted = virt_mig_abort(m->job) == 0;
    }
}

static void *
monitor_run(void *arg)
{
    struct monitor *m = arg;
    unsigned long step = 0;
    struct timespec until;

    pthread_mutex_lock(&m->lock);
    while (!m->stop) {
        pthread_mutex_unlock(&m->lock);
        tick(m, &step);
        pthread_mutex_lock(&m->lock);
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 500000000L;
        if (until.tv_nsec >= 1000000000L) until.tv_sec++, until.tv_nsec -= 1000000000L;
        if (!m->stop) pthread_cond_timedwait(&m->cond, &m->lock, &until);
    }
    pthread_mutex_unlock(&m->lock);
    return NULL;
}

/* The migration flags for this plan (virt-migrate.c adds live, peer to
 * peer, persist on the destination and undefine the source). */
static unsigned
live_flags(const struct ne_plan *p, const struct ne_config *cfg, const struct ne_mig_opts *o)
{
    unsigned f = 0;

    if (p->method == NE_METHOD_LIVE_BLOCK) f |= NE_VMIG_BLOCK;
    if (p->auto_converge) f |= NE_VMIG_AUTO_CONVERGE;
    if (p->postcopy) f |= NE_VMIG_POSTCOPY;
    if (p->tls) f |= NE_VMIG_TLS;
    if (p->tunnelled) f |= NE_VMIG_TUNNELLED;
    if (cfg->allow_unsafe) f |= NE_VMIG_UNSAFE;
    if (o->leave_paused) f |= NE_VMIG_PAUSED;
    if (p->legacy_api) f |= NE_VMIG_LEGACY;
    return f;
}

/* Runs the migration job with the monitor; fills r->st.  -1 when it
 * failed or the domain vanished (reported). */
static int
run_job(struct ne_virt *src, struct ne_virt *dst, const struct ne_domain *d,
        const struct ne_mig_opts *o, struct ne_mig_result *r, uint64_t disk_bytes,
        const char *dest_xml)
{
    const struct ne_config *cfg = virt_config(src);
    CLEANUP_FREE char *peer = ne_node_peer_uri(cfg, virt_host(dst));
    int rc;
    unsigned long bw = o->bandwidth_mib ? o->bandwidth_mib : cfg->bandwidth_mib;
    struct monitor m = {.cfg = cfg, .o = o, .label = d->name, .start = ne_now(),
                        .gib = ne_data_gib(d->memory_kib, disk_bytes), .dst = dst, .d = d};
    pthread_t t;

    pthread_mutex_init(&m.lock, NULL);
    pthread_cond_init(&m.cond, NULL);
    m.job = virt_mig_open(src, d->uuid, d->name, on_job_completed, &m);
    if (!m.job) {
        ne_error("%s (%s) vanished from %s before migration", d->name, d->uuid, virt_host(src));
        pthread_mutex_destroy(&m.lock);
        pthread_cond_destroy(&m.cond);
        return -1;
    }
    if (dest_xml) virt_mig_set_dest_xml(m.job, dest_xml);
    if (!virt_mig_has_stats(m.job)) { /* what draw_nostats reads, from the start */
        m.st.progress_from = "elapsed time";
        m.stat_at = -2;
        for (size_t i = 0; r->plan.method == NE_METHOD_LIVE_BLOCK && i < d->ndisks; i++)
            if (ne_disk_is_local(&d->disks[i]) && d->disks[i].source && !d->disks[i].readonly)
                m.st.progress_from = "destination allocation";
    }
    /* said before the first poll (a short job may end before one); without
     * job stats, with where the figures will come from */
    ne_mig_say(o, NE_MIG_PHASE_MIGRATING, virt_mig_has_stats(m.job) ? NULL : &m.st, 0, false);
    pthread_create(&t, NULL, monitor_run, &m);
    rc = virt_mig_run(m.job, virt_host(dst), peer, r->plan.copy, r->plan.ncopy, bw,
                      live_flags(&r->plan, cfg, o));
    pthread_mutex_lock(&m.lock);
    if (rc == 0 && !m.completed) { /* the event may trail the API return */
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 2;
        pthread_cond_timedwait(&m.cond, &m.lock, &until);
    }
    m.stop = true;
    pthread_cond_broadcast(&m.cond);
    pthread_mutex_unlock(&m.lock);
    pthread_join(t, NULL);
    if (m.st.have_job_stats) m.st.progress_from = "job statistics";
    virt_mig_close(m.job);
    r->st = m.st;
    r->st.seconds = ne_now() - m.start;
    r->aborted = m.aborted || m.timed_out;
    progress_done(d->name, rc == 0, rc == 0 ? "migrated" : "failed");
    pthread_mutex_destroy(&m.lock);
    pthread_cond_destroy(&m.cond);
    return rc;
}

bool
ne_made_matches(const struct ne_made *m, const struct ne_file_stat *now)
{
    if (!now->exists) return false;
    if (!m->seen) return false; /* never seen after creation: cannot tell it is ours */
    if (m->dir) return true;
    if (now->mtime && m->st.mtime && now->mtime < m->st.mtime) return false;
    if (now->length == m->st.length) return true;
    return str_eq(now->format, m->st.format) && now->capacity == m->st.capacity;
}

static const struct ne_disk *
disk_by_target(const struct ne_domain *d, const char *target)
{
    size_t i;
    for (i = 0; i < d->ndisks; i++)
        if (str_eq(d->disks[i].target, target)) return &d->disks[i];
    return NULL;
}

/* Pre-creates each disk to copy on dst (same format, size and backing
 * file: libvirt refuses to for incremental copies) and copies the read-only
 * config drive as a file, like Nova's pre_live_migration. */
static int
prepare_dest(struct ne_virt *src, struct ne_virt *dst, const struct ne_domain *d,
             struct ne_mig_result *r, struct ne_made_list *made)
{
    size_t i;

    for (i = 0; i < r->plan.ncopy; i++) {
        const struct ne_disk *k = disk_by_target(d, r->plan.copy[i]);
        int c;
        if (ne_made_begin(made, dst, k->source) < 0) return -1;
        c = virt_create_image(dst, k->source, k->capacity, k->format ? k->format : "raw",
                              k->backing, k->backing_format);
        ne_made_end(made, dst, c == 1);
        if (c == 0)
            ne_error("%s (%s): %s already exists on %s; refusing to overwrite it (remove it if it "
                     "is a leftover, after checking no domain uses it)", d->name, d->uuid,
                     k->source, virt_host(dst));
        if (c <= 0) return -1;
    }
    if (ne_copy_boot_files(src, dst, d, r, made) < 0) return -1;
    for (i = 0; i < r->plan.nprecopy; i++) {
        const struct ne_disk *k = r->plan.precopy[i];
        uint64_t bytes = 0;
        int c;
        if (ne_made_begin(made, dst, k->source) < 0) return -1;
        c = virt_copy_file(src, k->source, dst, k->source, NULL, NULL, &bytes);
        ne_made_end(made, dst, c == 0);
        if (c < 0) return -1;
        r->st.files_bytes += bytes;
    }
    return 0;
}

int
ne_copy_boot_files(struct ne_virt *src, struct ne_virt *dst, const struct ne_domain *d,
                   struct ne_mig_result *r, struct ne_made_list *made)
{
    CLEANUP_FREE char *xml = virt_domain_xml(src, d->uuid, true), *kernel = NULL, *initrd = NULL;
    CLEANUP_FREE char *prefix = xasprintf("%s/", virt_config(src)->instances_path);
    const char *files[2];
    size_t i;

    if (!xml) return -1;
    ne_xml_boot_files(xml, &kernel, &initrd);
    files[0] = kernel;
    files[1] = initrd;
    for (i = 0; i < 2; i++) {
        uint64_t bytes = 0;
        int c;
        if (!files[i] || !str_prefix(files[i], prefix)) continue; /* not the instance's own */
        c = virt_file_info(dst, files[i], NULL, NULL, NULL);
        if (c < 0) return -1;
        if (c == 1) continue; /* there already (shared storage) */
        if (ne_made_begin(made, dst, files[i]) < 0) return -1;
        c = virt_copy_file(src, files[i], dst, files[i], NULL, NULL, &bytes);
        ne_made_end(made, dst, c == 0);
        if (c < 0) return -1;
        r->st.files_bytes += bytes;
    }
    return 0;
}

/* After a reported success: the destination must run the domain
 * persistently and the source must no longer define it. */
static int
verify_moved(struct ne_virt *src, struct ne_virt *dst, const struct ne_domain *d,
             const struct ne_mig_opts *o)
{
    int st = 0, found;
    bool persistent = false;

    found = virt_domain_state(dst, d->uuid, &st, &persistent);
    if (found != 1 || !persistent ||
        !(st == NE_DOM_RUNNING || (o->leave_paused && st == NE_DOM_PAUSED))) {
        ne_error("%s (%s): after migration, %s shows it %s%s; the source %s was left as is",
                 d->name, d->uuid, virt_host(dst), found == 1 ? ne_dom_state_name(st) : "absent",
                 found == 1 && !persistent ? " and transient" : "", virt_host(src));
        return -1;
    }
    found = virt_domain_state(src, d->uuid, &st, NULL);
    if (found == 1) {
        if (st == NE_DOM_RUNNING || st == NE_DOM_PAUSED) {
            ne_error("%s (%s) runs on both %s and %s after migration: refusing to touch either; "
                     "check which one is current", d->name, d->uuid, virt_host(src), virt_host(dst));
            return -1;
        }
        if (virt_undefine(src, d->uuid) < 0) return -1;
    }
    return 0;
}

/* The source keeps the instance: remove what was prepared on dst, unless
 * dst somehow runs the domain (then nothing is touched). */
static void
roll_back(struct ne_virt *src, struct ne_virt *dst, const struct ne_domain *d,
          struct ne_made_list *made)
{
    int sst = 0, dst_state = 0;
    int on_src = virt_domain_state(src, d->uuid, &sst, NULL);
    int on_dst = virt_domain_state(dst, d->uuid, &dst_state, NULL);

    if (on_dst == 1 && (dst_state == NE_DOM_RUNNING || dst_state == NE_DOM_PAUSED)) {
        ne_error("%s (%s): the destination %s runs it although the migration failed; nothing "
                 "removed; run 'nova-evac stuck --host %s' to reconcile", d->name, d->uuid,
                 virt_host(dst), virt_host(src));
        ne_made_clear(made);
        return;
    }
    if (on_src != 1 || on_dst < 0) {
        ne_error("%s (%s): %s after a failed migration; leaving %s's files in place; run "
                 "'nova-evac stuck --host %s' to reconcile", d->name, d->uuid,
                 on_src < 0 || on_dst < 0 ? "a host cannot be reached" : "no longer defined on the source",
                 virt_host(dst), virt_host(src));
        ne_made_clear(made);
        return;
    }
    if (on_dst == 1) virt_undefine(dst, d->uuid);
    if (ne_made_undo(made, dst) < 0)
        ne_warn("%s: some files this attempt created on %s could not be removed (see above); "
                "a retry refuses to overwrite them: remove them once %s can be reached", d->name,
                virt_host(dst), virt_host(dst));
    ne_info("%s stays on %s (%s)", d->name, virt_host(src), ne_dom_state_name(sst));
}

static uint64_t
copy_bytes(const struct ne_domain *d, const struct ne_plan *p)
{
    uint64_t sum = 0;
    size_t i;

    for (i = 0; i < p->ncopy; i++) {
        const struct ne_disk *k = disk_by_target(d, p->copy[i]);
        if (k) sum += k->allocation;
    }
    return sum;
}

static void
delete_source_files(struct ne_virt *src, const struct ne_domain *d, const struct ne_plan *p)
{
    size_t i;

    for (i = 0; i < p->ncopy; i++) {
        const struct ne_disk *k = disk_by_target(d, p->copy[i]);
        if (k) virt_delete_file(src, k->source);
    }
    for (i = 0; i < p->nprecopy; i++) virt_delete_file(src, p->precopy[i]->source);
}

/* The XML the destination gets when a port's bridge is named there
 * (virt-net.h): newly allocated, or NULL (the source's own XML will do;
 * *err set when it could not be made, reported). */
static char *
net_dest_xml(struct ne_virt *src, const struct ne_domain *d, const struct ne_mig_result *r,
             bool *err)
{
    CLEANUP_FREE char *xml = NULL;
    char *out;
    size_t i;
    bool any = false;

    *err = false;
    for (i = 0; i < r->net.n; i++)
        if (r->net.p[i].bridge) any = true;
    if (!any) return NULL;
    if (!(xml = virt_domain_xml_migratable(src, d->uuid))) {
        *err = true;
        return NULL;
    }
    out = ne_net_dest_xml(&r->net, xml, virt_host(src));
    if (!out) *err = true;
    return out;
}

/* A failed move: the bindings it made on dst go, unless dst runs the
 * guest (then they are its). */
static void
net_failed(struct ne_virt *dst, const struct ne_domain *d, const struct ne_mig_opts *o,
           struct ne_mig_result *r)
{
    int st = 0;

    if (!r->net.n) return;
    if (virt_domain_state(dst, d->uuid, &st, NULL) == 0 ||
        (st != NE_DOM_RUNNING && st != NE_DOM_PAUSED))
        ne_net_undo(o, &r->net);
}

static int
live_migrate(struct ne_virt *src, struct ne_virt *dst, const struct ne_domain *d,
             const struct ne_mig_opts *o, struct ne_mig_result *r)
{
    struct ne_made_list made;
    CLEANUP_FREE char *dest_xml = NULL;
    bool xml_err;
    int rc;

    ne_made_init(&made, d, o);
    ne_mig_say(o, NE_MIG_PHASE_PREPARING, NULL, 0, false);
    dest_xml = net_dest_xml(src, d, r, &xml_err);
    if (xml_err || prepare_dest(src, dst, d, r, &made) < 0) {
        roll_back(src, dst, d, &made);
        net_failed(dst, d, o, r);
        return 1;
    }
    rc = run_job(src, dst, d, o, r, copy_bytes(d, &r->plan), dest_xml);
    if (rc == 0 && o->journal.step)
        o->journal.step(o->journal.ctx, d->uuid, NE_MIG_STEP_JOB_DONE, virt_host(dst));
    if (rc == 0) ne_mig_say(o, NE_MIG_PHASE_VERIFYING, &r->st, 0, false);
    if (rc < 0 || verify_moved(src, dst, d, o) < 0) {
        if (rc < 0) roll_back(src, dst, d, &made);
        else ne_made_clear(&made);
        net_failed(dst, d, o, r);
        return 1;
    }
    ne_made_clear(&made);
    if (ne_net_finish(o, &r->net) != 0) r->net_left = true;
    if (!o->keep_source_disks && !r->shared_storage) {
        ne_mig_say(o, NE_MIG_PHASE_CLEANING, &r->st, 0, false);
        delete_source_files(src, d, &r->plan);
        if (r->plan.ncopy) virt_remove_instance_dir(src, d->uuid, false);
    }
    return 0;
}

/* Where else the file exists, as "node01, node02" (newly allocated). */
static char *
where_exists(const struct ne_config *cfg, struct ne_virt *src, const char *path)
{
    const char **nodes;
    size_t n = ne_config_nodes(cfg, &nodes), i;
    char *list = xstrdup(virt_host(src));

    for (i = 0; i < n; i++) {
        struct ne_virt *v;
        char *tmp;
        if (str_eq(nodes[i], virt_host(src))) continue;
        v = virt_open(cfg, nodes[i]);
        if (v && virt_file_info(v, path, NULL, NULL, NULL) == 1) {
            tmp = xasprintf("%s, %s", list, nodes[i]);
            free(list);
            list = tmp;
        }
        virt_close(v);
    }
    free(nodes);
    return list;
}

int
ne_check_bases(struct ne_virt *src, struct ne_virt *dst, const struct ne_domain *d)
{
    size_t i;
    int rc = 0;

    for (i = 0; i < d->ndisks; i++) {
        const struct ne_disk *k = &d->disks[i];
        int r;
        if (!ne_disk_is_local(k) || !k->backing) continue;
        r = virt_file_info(dst, k->backing, NULL, NULL, NULL);
        if (r < 0) return -2;
        if (r == 0) {
            CLEANUP_FREE char *where = where_exists(virt_config(src), src, k->backing);
            ne_error("%s (%s): base image %s (backing file of %s) is missing on %s; it exists on: "
                     "%s; stage it first (nova-evac images %s --to %s --stage)",
                     d->name, d->uuid, k->base_sha1[0] ? k->base_sha1 : k->backing, k->target,
                     virt_host(dst), where, virt_host(src), virt_host(dst));
            rc = -1;
        }
    }
    return rc;
}

/* Room on dst as the drain's chooser counts it (and Nova's pre-check, the
 * field report's "Disk of instance is too large"): the local disks' virtual
 * size within the instances path's free space when they are copied, a
 * running guest's memory within free RAM, each less the host's reserve.
 * Free space as Nova counts it when Nova is configured (o->free_disk),
 * else libvirt's pool figure, root-reserved blocks included. */
static int
check_room(struct ne_virt *dst, const struct ne_domain *d, const struct ne_plan *plan,
           const struct ne_mig_opts *o)
{
    unsigned long long rd = 0, rr = 0, nb = 0;
    const char *from = "libvirt's figure, root-reserved blocks included";
    uint64_t need = 0, free_b = 0, avail;
    struct ne_hostinfo hi;
    char a[16], b[16];
    bool running = d->state == NE_DOM_RUNNING || d->state == NE_DOM_PAUSED ||
                   d->state == NE_DOM_BLOCKED;

    ne_node_reserved(virt_config(dst), virt_host(dst), &rd, &rr);
    if (plan->method != NE_METHOD_LIVE) need = ne_domain_local_bytes(d, false);
    if (need) {
        if (o->free_disk && o->free_disk(o->free_disk_ctx, virt_host(dst), &nb) == 0) {
            free_b = nb;
            from = "as Nova counts it";
        } else if (virt_dir_free(dst, virt_config(dst)->instances_path, &free_b) < 0) {
            return NE_EXIT_UNREACHABLE;
        }
        avail = free_b > rd * 1048576ULL ? free_b - rd * 1048576ULL : 0;
        if (avail < need) {
            ne_error("%s (%s): %s has %s free for instances (%s, after its reserve of %llu MiB), "
                     "its local disks need %s: choose a destination with room", d->name, d->uuid,
                     virt_host(dst), fmt_bytes(avail, a, 16), from, rd, fmt_bytes(need, b, 16));
            return NE_EXIT_REFUSED;
        }
    }
    if (running) {
        if (virt_hostinfo(dst, &hi) < 0) return NE_EXIT_UNREACHABLE;
        avail = hi.free_kib > rr * 1024ULL ? hi.free_kib - rr * 1024ULL : 0;
        ne_hostinfo_clear(&hi);
        if (avail < d->memory_kib) {
            ne_error("%s (%s): %s has %s of free memory (after its reserve of %llu MiB), the guest "
                     "needs %s: choose a destination with room", d->name, d->uuid, virt_host(dst),
                     fmt_bytes(avail * 1024, a, 16), rr, fmt_bytes(d->memory_kib * 1024, b, 16));
            return NE_EXIT_REFUSED;
        }
    }
    return 0;
}

/* Refuses when a file this move would create already exists on dst: it
 * is someone else's (a leftover, or the instances path shared although
 * the check said otherwise) and is never overwritten nor removed.  Runs
 * before a cold move stops the guest. */
static int
check_targets_absent(struct ne_virt *dst, const struct ne_domain *d, const struct ne_plan *plan)
{
    size_t i;

    for (i = 0; i < d->ndisks; i++) {
        const struct ne_disk *k = &d->disks[i];
        struct ne_file_stat st;
        int r;
        if (!ne_disk_is_local(k) || !k->source) continue;
        if (plan->method == NE_METHOD_LIVE_BLOCK && !str_eq(k->type, "file")) continue;
        r = virt_file_stat(dst, k->source, &st);
        if (r < 0) return NE_EXIT_UNREACHABLE;
        if (r == 1) {
            ne_error("%s (%s): %s already exists on %s: refusing to %s (the guest was not stopped, "
                     "the file is left as it is); if it is a leftover, check that no domain uses "
                     "it and remove it, or choose another destination", d->name, d->uuid,
                     k->source, virt_host(dst),
                     plan->method == NE_METHOD_COLD ? "start the cold migration" : "migrate");
            return NE_EXIT_REFUSED;
        }
    }
    return 0;
}

static int
preflight(struct ne_virt *src, struct ne_virt *dst, const struct ne_domain *d,
          const struct ne_plan *plan, const struct ne_mig_opts *o)
{
    int st, rc, found = virt_domain_state(dst, d->uuid, &st, NULL);

    if (found < 0) return NE_EXIT_UNREACHABLE;
    if (found == 1) {
        ne_error("%s (%s) is already defined on %s (%s): refusing to migrate onto it; run "
                 "'nova-evac stuck' to find which copy is current", d->name, d->uuid, virt_host(dst),
                 ne_dom_state_name(st));
        return NE_EXIT_REFUSED;
    }
    /* Another domain (another uuid) by that name: libvirt would refuse it on
     * arrival, after a cold migration has stopped the guest for nothing. */
    found = virt_domain_state(dst, d->name, &st, NULL);
    if (found < 0) return NE_EXIT_UNREACHABLE;
    if (found == 1) {
        ne_error("%s (%s): %s already defines another domain named %s (%s): refusing to migrate; "
                 "remove or rename that domain on %s first", d->name, d->uuid, virt_host(dst), d->name,
                 ne_dom_state_name(st), virt_host(dst));
        return NE_EXIT_REFUSED;
    }
    if (plan->method != NE_METHOD_LIVE && (rc = check_targets_absent(dst, d, plan)) != 0)
        return rc;
    if ((rc = check_room(dst, d, plan, o)) != 0) return rc;
    switch (ne_check_bases(src, dst, d)) {
    case -1: return NE_EXIT_REFUSED;
    case -2: return NE_EXIT_UNREACHABLE;
    }
    return 0;
}

static void
describe_plan(const struct ne_domain *d, const char *from, const char *to, const struct ne_plan *p)
{
    char disks[256] = "";
    size_t i, len = 0;

    for (i = 0; i < p->ncopy && len < sizeof disks - 16; i++)
        len += (size_t)snprintf(disks + len, sizeof disks - len, "%s%s", i ? "," : "", p->copy[i]);
    ne_info("%s (%s) %s -> %s: %s (table row %d): %s%s%s", d->name, d->uuid, from, to,
            ne_method_name(p->method), p->row, p->reason, p->ncopy ? "; copying " : "", disks);
    if (p->warning[0]) ne_warn("%s: %s", d->name, p->warning);
}

/* The instances path may be shared storage although the configuration
 * does not say so (rule 7): checked at run time as Nova does, with a
 * marker file written through the source and looked for through the
 * destination.  When it is, the disks under it are shared: nothing is
 * copied, nothing deleted.  0, or NE_EXIT_UNREACHABLE when the check
 * cannot be made (nothing is moved on a guess).  A dry run writes nothing
 * anywhere, so it does not probe: it says so, and plans as configured. */
static int
detect_shared(struct ne_virt *src, struct ne_virt *dst, struct ne_domain *d, bool dry_run,
              struct ne_mig_result *r)
{
    const char *ip = virt_config(src)->instances_path;
    CLEANUP_FREE char *prefix = xasprintf("%s/", ip);
    bool any = false;
    size_t i;
    int sh;

    if (virt_config(src)->shared_instances) {
        r->shared_storage = true;
        return 0;
    }
    for (i = 0; i < d->ndisks; i++)
        if (ne_disk_is_local(&d->disks[i]) && d->disks[i].source &&
            str_prefix(d->disks[i].source, prefix))
            any = true;
    if (!any) return 0;
    if (dry_run) {
        ne_info("%s: dry run: whether %s is shared between %s and %s was not probed (the probe "
                "writes a marker file); planned as configured: not shared", d->name, ip,
                virt_host(src), virt_host(dst));
        return 0;
    }
    sh = virt_dir_shared(src, dst, ip);
    if (sh < 0) {
        ne_error("%s (%s): not moved: whether %s is shared between %s and %s decides what may be "
                 "copied and deleted; retry once both hosts can be reached", d->name, d->uuid, ip,
                 virt_host(src), virt_host(dst));
        return NE_EXIT_UNREACHABLE;
    }
    if (sh == 0) return 0;
    ne_info("%s: storage is shared: %s is the same directory on %s and %s (a marker file written "
            "through %s is visible through %s), although the configuration does not say so; "
            "nothing is copied or deleted (set shared_instances in the configuration)", d->name,
            ip, virt_host(src), virt_host(dst), virt_host(src), virt_host(dst));
    for (i = 0; i < d->ndisks; i++)
        if (ne_disk_is_local(&d->disks[i]) && d->disks[i].source &&
            str_prefix(d->disks[i].source, prefix))
            ne_disk_classify(&d->disks[i], ip, true);
    r->shared_storage = true;
    return 0;
}

int
ne_migrate_instance(struct ne_virt *src, struct ne_virt *dst, const char *key,
                    const struct ne_mig_opts *o, struct ne_mig_result *r)
{
    struct ne_domain *d = NULL;
    struct ne_hostinfo hs, hd;
    struct ne_plan_in in;
    int rc, found;

    memset(r, 0, sizeof *r);
    if (str_eq(virt_host(src), virt_host(dst))) {
        ne_error("%s: source and destination are the same host (%s)", key, virt_host(src));
        return NE_EXIT_USAGE;
    }
    found = virt_find_domain(src, key, &d);
    if (found <= 0) {
        if (found == 0) ne_error("instance %s not found on host %s", key, virt_host(src));
        return found == 0 ? NE_EXIT_USAGE : NE_EXIT_UNREACHABLE;
    }
    snprintf(r->name, sizeof r->name, "%s", d->name);
    memcpy(r->uuid, d->uuid, sizeof r->uuid);
    if ((rc = detect_shared(src, dst, d, o->dry_run, r)) != 0) {
        ne_domain_free(d);
        return rc;
    }
    if (virt_hostinfo(src, &hs) < 0 || virt_hostinfo(dst, &hd) < 0) {
        ne_domain_free(d);
        return NE_EXIT_UNREACHABLE;
    }
    in = (struct ne_plan_in){d, {hs.libvirt_version, hs.hv_version},
                             {hd.libvirt_version, hd.hv_version}, virt_config(src), o->mode,
                             virt_mig_legacy(src, dst)};
    ne_hostinfo_clear(&hs);
    ne_hostinfo_clear(&hd);
    ne_plan_instance(&in, &r->plan);
    describe_plan(d, virt_host(src), virt_host(dst), &r->plan);
    if (r->plan.method == NE_METHOD_REFUSE) {
        ne_error("%s (%s): %s", d->name, d->uuid, r->plan.reason);
        rc = NE_EXIT_REFUSED;
    } else if ((rc = ne_mig_machine_fit(dst, d, r->plan.method == NE_METHOD_COLD, r)) != 0) {
        /* dst cannot define it: refused before anything is staged or stopped */
    } else if (o->stage_images && !o->dry_run && r->plan.method != NE_METHOD_LIVE &&
               (rc = ne_stage_for_domain(src, dst, d)) > NE_EXIT_PARTIAL) {
        /* a different base there (3), or a host unreachable (4) */
    } else if ((rc = preflight(src, dst, d, &r->plan, o)) != 0) {
        /* refused or unreachable */
    } else if ((rc = ne_net_prepare(src, dst, d, o, &r->net)) != 0 || o->dry_run) {
        /* a port the destination cannot take (nothing left made), or only planned */
        if (rc == 0) r->ports = r->net.n;
    } else if (d->nnwfilters && virt_ensure_nwfilters(src, dst, d->nwfilters, d->nnwfilters) < 0) {
        ne_net_undo(o, &r->net);
        rc = NE_EXIT_PARTIAL;
    } else if (r->plan.method == NE_METHOD_COLD) {
        rc = ne_cold_migrate(src, dst, d, o, r);
    } else {
        rc = live_migrate(src, dst, d, o, r);
    }
    if (rc == 0 && !o->dry_run) r->ports = r->net.n;
    ne_net_clear(&r->net);
    ne_domain_free(d);
    return rc;
}
