/* SPDX-License-Identifier: Apache-2.0 */
/* drain-nova.c: see drain-nova.h.
 *
 * disable      the compute service: API (os-services), else the database.
 * record_move  after a libvirt-path move: the instance row (host, node,
 *              state) in one transaction, then its Placement allocation moved
 *              from the source's resource provider to the destination's, so
 *              that Nova keeps managing it (server show, later migrations).
 * migrate      --via nova: os-migrateLive (block_migration auto) or migrate +
 *              confirmResize for cold, then wait until Nova is idle and check
 *              the host it reports.  Test-only kill points (util/fault.h):
 *              "nova:migrating" once Nova accepted the migration,
 *              "nova:verify-resize" when Nova waits for the confirmation.  Several migrations run at once (the drain's
 *              workers); the API session serialises single requests, the lock
 *              below guards the database connection. */
#include <config.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "drain/drain-fleet.h"
#include "drain/drain-nova.h"
#include "drain/drain-schedwait.h"
#include "novadb/novadb.h"
#include "novasync/novasync.h"
#include "util/exitcode.h"
#include "util/fault.h"
#include "openstack/placement.h"
#include "stuck/stuck-db.h"
#include "stuck/stuck-fix.h"
#include "stuck/stuck-scan.h"
#include "util/log.h"
#include "util/progress.h"
#include "virt/virt.h"
#include "util/mem.h"

struct ne_drain_nova {
    const struct ne_config *cfg; /* borrowed */
    pthread_mutex_t lock;
    struct ne_os *os;
    struct ne_nova *nv;
    struct ne_placement *pl;   /* opened on first use */
    struct ne_db *db;
    struct ne_novasync *ns;    /* the audit log and lock; opened on first change */
    bool api_down;             /* the API is configured but could not be reached */
};

/* The audited change handle; NULL (reported) when the audit log cannot be
 * written: nothing is changed then. */
static struct ne_novasync *
sync_of(struct ne_drain_nova *dn)
{
    static pthread_mutex_t once = PTHREAD_MUTEX_INITIALIZER;
    struct ne_novasync *ns;

    pthread_mutex_lock(&once);
    if (!dn->ns) dn->ns = novasync_open(dn->cfg->state_dir, NULL);
    ns = dn->ns;
    pthread_mutex_unlock(&once);
    return ns;
}

static int
disable(void *ctx, const char *host, const char *reason)
{
    struct ne_drain_nova *dn = ctx;
    struct ne_novasync *ns = sync_of(dn);
    int rc;

    if (!ns) return -1;
    if (!dn->nv) pthread_mutex_lock(&dn->lock);
    rc = novasync_service(ns, dn->nv, dn->db, host, false, reason);
    if (!dn->nv) pthread_mutex_unlock(&dn->lock);
    if (rc == 0) ne_info("%s: nova-compute service disabled (\"%s\")", host, reason);
    return rc;
}

static int
record_move(void *ctx, const char *uuid, const char *from, const char *to, bool running)
{
    struct ne_drain_nova *dn = ctx;
    struct ne_novasync *ns = sync_of(dn);
    enum ne_os_err kind;
    CLEANUP_FREE char *node = NULL;
    int rc = -1, n;

    if (!ns) return -1;
    pthread_mutex_lock(&dn->lock);
    if (!dn->db) {
        ne_error("%s moved to %s but no Nova database is configured to record it", uuid, to);
    } else if ((n = stuckdb_node(dn->db, to, &node)) == 1) {
        if (dn->os && !dn->pl) dn->pl = placement_open(dn->os, &kind);
        if (!dn->os || dn->pl) {
            rc = novasync_record_move(ns, dn->db, dn->pl, uuid, from, to, node, running);
            rc = rc == 2 ? 0 : rc == 1 ? -1 : rc;
        }
        if (rc == 0 && !dn->os)
            ne_warn("%s: Placement allocations not moved (no Nova API configured: "
                    "clouds.yaml/OS_*): Placement still counts it on %s", uuid, from);
    } else if (n >= 0) {
        ne_error("%s moved to %s, but Nova's database has %s compute node for host %s: its "
                 "record cannot be updated", uuid, to, n == 0 ? "no" : "more than one", to);
    }
    pthread_mutex_unlock(&dn->lock);
    return rc;
}

/* The source's libvirt job of the instance, while Nova migrates it: a
 * progress line (bar on a terminal) every few seconds, and its figures kept
 * for the summary (Nova undefines the source domain at the end, so the last
 * reading is what remains: a job shorter than the polling interval leaves
 * none, and the summary then shows no bytes rather than a guess). */
static void
watch_job(struct ne_virt *src, const char *name, const char *uuid, struct ne_mig_stats *st,
          double *last_line)
{
    struct ne_job_progress p;
    char a[16], b[16];
    double frac;

    if (!src || virt_job_progress(src, uuid, &p) != 1 || p.data_total == 0) return;
    st->seconds = p.elapsed_s;
    st->data_total = p.data_total;
    st->data_processed = p.data_processed;
    st->memory_total = p.mem_total;
    st->memory_processed = p.mem_processed;
    st->disk_total = p.disk_total;
    st->disk_processed = p.disk_processed;
    frac = (double)p.data_processed / (double)p.data_total;
    if (progress_enabled()) {
        char text[64];
        snprintf(text, sizeof text, "%s/%s %.0fs", fmt_bytes(p.data_processed, a, sizeof a),
                 fmt_bytes(p.data_total, b, sizeof b), p.elapsed_s);
        progress_draw(name, frac, text);
    } else if (ne_now() - *last_line >= 5) {
        *last_line = ne_now();
        ne_info("%s: libvirt job on the source: %s of %s (%.0f%%), %.0f s", name,
                fmt_bytes(p.data_processed, a, sizeof a), fmt_bytes(p.data_total, b, sizeof b),
                frac * 100, p.elapsed_s);
    }
}

/* Waits until Nova is idle on the instance (and its status is not leave),
 * watching the libvirt job on from meanwhile; 0 when Nova reports host to,
 * NE_DRAIN_GONE (not reported) when Nova answers 404 for it.
 * With stayed: when Nova has it idle on from (not ERROR), *stayed is set
 * and the caller says why (no error printed here). */
static int
settle(struct ne_drain_nova *dn, const struct ne_domain *d, const char *from, const char *to,
       unsigned timeout_s, const char *leave, struct ne_mig_stats *st, bool *stayed)
{
    struct ne_virt *src = virt_open(dn->cfg, from);
    double t0 = ne_now(), last_line = t0;
    struct ne_server s;
    int rc = -1;

    memset(&s, 0, sizeof s);
    for (;;) {
        int shown;
        ne_server_clear(&s);
        if ((shown = nova_server_show(dn->nv, d->uuid, &s)) < 0) break;
        if (shown == 1) { /* 404: deleted meanwhile (the caller says it) */
            rc = NE_DRAIN_GONE;
            break;
        }
        if (!s.task_state && !nova_status_busy(s.status) && !(leave && str_eq(s.status, leave))) {
            rc = 0;
            break;
        }
        if (ne_now() - t0 > timeout_s) {
            ne_error("%s (%s): Nova still reports %s (task %s) after %u s; see 'nova-evac stuck "
                     "%s'", d->name, d->uuid, s.status ? s.status : "?",
                     s.task_state ? s.task_state : "none", timeout_s, from);
            break;
        }
        watch_job(src, d->name, d->uuid, st, &last_line);
        nanosleep(&(struct timespec){0, 500000000L}, NULL);
    }
    if (rc == 0 && stayed && str_eq(s.host, from) && !str_eq(s.status, "ERROR")) {
        rc = -1;
        *stayed = true;
    } else if (rc == 0 && !(str_eq(s.host, to) && !str_eq(s.status, "ERROR"))) {
        rc = -1;
        ne_error("%s (%s): Nova reports it %s on %s after the migration to %s%s%s", d->name,
                 d->uuid, s.status ? s.status : "?", s.host ? s.host : "?", to,
                 s.fault_message ? ": " : "", s.fault_message ? s.fault_message : "");
    }
    if (progress_enabled())
        progress_done(d->name, rc == 0, rc == 0 ? to : rc == NE_DRAIN_GONE ? "gone" : "failed");
    st->seconds = ne_now() - t0;
    ne_server_clear(&s);
    virt_close(src);
    return rc;
}

/* Whether Nova deleted the server: 1 when it answers 404 for it, waiting
 * up to NE_GONE_WAIT_S while it shows the server being deleted (task
 * "deleting": the guest may already be gone from libvirt, the record not
 * yet); 0 it exists; -1 it cannot be read (reported). */
#define NE_GONE_WAIT_S 60
static int
server_gone(struct ne_drain_nova *dn, const char *uuid)
{
    double t0 = ne_now();

    for (;;) {
        struct ne_server s;
        bool deleting;
        int r;

        memset(&s, 0, sizeof s);
        if ((r = nova_server_show(dn->nv, uuid, &s)) != 0) return r == 1 ? 1 : -1;
        deleting = str_eq(s.task_state, "deleting") || str_eq(s.status, "DELETED");
        ne_server_clear(&s);
        if (!deleting || ne_now() - t0 > NE_GONE_WAIT_S) return 0;
        sleep(1);
    }
}

/* nova_wait_idle, but a server that no longer exists is no error here:
 * NE_DRAIN_GONE (the caller says it). */
static int
wait_idle(struct ne_drain_nova *dn, const char *uuid, unsigned timeout_s, struct ne_server *out)
{
    double t0 = ne_now();
    int r;

    for (;;) {
        if ((r = nova_server_show(dn->nv, uuid, out)) != 0) return r == 1 ? NE_DRAIN_GONE : -1;
        if (!out->task_state && !nova_status_busy(out->status)) return 0;
        if (ne_now() - t0 > timeout_s) {
            ne_error("nova: wait for instance %s (%s) on %s: still %s/%s after %u s",
                     out->name ? out->name : "?", uuid, out->host ? out->host : "no host",
                     out->status ? out->status : "?", out->task_state ? out->task_state : "-",
                     timeout_s);
            ne_server_clear(out);
            return -1;
        }
        ne_server_clear(out);
        nanosleep(&(struct timespec){0, 500000000L}, NULL);
    }
}

/* Below compute API 2.56 a cold migration cannot name its host: Nova's
 * scheduler chooses.  The move is kept only when it chose to (the drain's
 * placement counted on that host); otherwise it is reverted while Nova
 * waits for the confirmation, and the server stays on its source. */
static int
revert_elsewhere(struct ne_drain_nova *dn, struct ne_novasync *ns, const struct ne_domain *d,
                 const char *from, const char *to, const char *chosen)
{
    struct ne_server_call c = {.action = NE_ACT_REVERT, .server = d->uuid};
    struct ne_server s;
    int rc = novasync_server_action(ns, dn->nv, &c);

    memset(&s, 0, sizeof s);
    if (rc == 0) rc = nova_wait_idle(dn->nv, d->uuid, 1800, NULL, &s);
    if (rc == 0 && str_eq(s.host, from))
        ne_error("%s (%s): Nova's scheduler put it on %s, not %s (compute API %s cannot name the "
                 "host of a cold migration; 2.56 can): reverted, it stays on %s; retry the "
                 "drain, or move it with --via libvirt", d->name, d->uuid, chosen, to,
                 nova_mv_string(dn->nv), from);
    else
        ne_error("%s (%s): Nova's scheduler put it on %s, not %s, and reverting it failed (Nova "
                 "reports it %s on %s): see 'nova-evac stuck %s'", d->name, d->uuid, chosen, to,
                 s.status ? s.status : "?", s.host ? s.host : "?", from);
    ne_server_clear(&s);
    return -1;
}

/* Nova's cold migration, confirmed once it waits for it. */
static int
migrate_cold(struct ne_drain_nova *dn, struct ne_novasync *ns, const struct ne_domain *d,
             const char *from, const char *to)
{
    bool named = nova_mv_ge(dn->nv, 2, 56);
    struct ne_server_call c = {.action = NE_ACT_MIGRATE, .server = d->uuid,
                               .host = named ? to : NULL};
    struct ne_server s;
    int rc;

    if (!named)
        ne_info("%s: compute API %s cannot name the host of a cold migration (2.56 can): Nova's "
                "scheduler chooses; the move is kept only on %s", d->name, nova_mv_string(dn->nv),
                to);
    if ((rc = novasync_server_action(ns, dn->nv, &c)) < 0) return rc;
    ne_fault_point("nova:migrating");
    memset(&s, 0, sizeof s);
    if ((rc = wait_idle(dn, d->uuid, 1800, &s)) == NE_DRAIN_GONE) return rc;
    if (rc == 0 && str_eq(s.status, "VERIFY_RESIZE")) {
        ne_fault_point("nova:verify-resize");
        if (!named && !str_eq(s.host, to)) {
            rc = revert_elsewhere(dn, ns, d, from, to, s.host ? s.host : "?");
            ne_server_clear(&s);
            return rc;
        }
        c.action = NE_ACT_CONFIRM;
        c.host = NULL;
        rc = novasync_server_action(ns, dn->nv, &c);
    }
    ne_server_clear(&s);
    return rc;
}

static const struct ne_migration *newest_migration(const struct ne_migration *m, size_t n);

/* A migration to a named host after which Nova has the server idle on its
 * source: Nova refused it.  NE_DRAIN_SCHED_REFUSED when the refusal is
 * the scheduler's NoValidHost (drain-schedwait.h: the caller waits and
 * asks again), else NE_EXIT_PARTIAL with what Nova says.  cold: the move
 * was a cold migration (instance action "migrate": its event cold_migrate
 * says "No valid host found for cold migrate"), else a live one. */
static int
refused_or_failed(struct ne_drain_nova *dn, const struct ne_domain *d, const char *from,
                  const char *to, bool cold)
{
    struct ne_migration_filter f = {.instance_uuid = d->uuid};
    struct ne_migration *m = NULL;
    const struct ne_migration *last;
    CLEANUP_FREE char *why = NULL;
    struct ne_server s;
    size_t n = 0;
    bool sched;

    memset(&s, 0, sizeof s);
    if (nova_server_show(dn->nv, d->uuid, &s) != 0 || nova_migrations(dn->nv, &f, &m, &n) < 0) {
        ne_server_clear(&s);
        ne_error("%s (%s): Nova left it on %s instead of moving it to %s, and what it says about "
                 "that cannot be read (above)", d->name, d->uuid, from, to);
        return NE_EXIT_PARTIAL;
    }
    last = newest_migration(m, n);
    if (nova_action_error(dn->nv, d->uuid, ne_sched_action(cold), &why) < 0) why = NULL;
    sched = ne_sched_refused(s.status, s.host, from, to, last ? last->status : NULL,
                             last ? last->dest_compute : NULL, why);
    if (sched)
        ne_info("%s (%s): Nova's scheduler refused %s (%s, migration %s: %s)", d->name, d->uuid,
                to, why ? why : "no event details before compute API 2.84",
                last && last->id ? last->id : "?", last && last->status ? last->status : "?");
    else
        ne_error("%s (%s): Nova left it %s on %s instead of moving it to %s (migration %s: %s)%s%s",
                 d->name, d->uuid, s.status ? s.status : "?", from, to,
                 last && last->id ? last->id : "?", last && last->status ? last->status : "?",
                 why ? "; " : "", why ? why : "");
    ne_migrations_free(m, n);
    ne_server_clear(&s);
    return sched ? NE_DRAIN_SCHED_REFUSED : NE_EXIT_PARTIAL;
}

static int
migrate(void *ctx, const struct ne_domain *d, const struct ne_plan *plan, const char *from,
        const char *to, struct ne_mig_result *r)
{
    struct ne_drain_nova *dn = ctx;
    struct ne_novasync *ns = sync_of(dn);
    struct ne_server_call c = {.action = NE_ACT_LIVE_MIGRATE, .server = d->uuid, .host = to,
                               .block = plan->method == NE_METHOD_LIVE ? NE_BLOCK_NO : NE_BLOCK_YES};
    bool stayed = false, cold = plan->method == NE_METHOD_COLD;
    int rc;

    memset(r, 0, sizeof *r);
    r->plan = *plan;
    snprintf(r->name, sizeof r->name, "%s", d->name);
    memcpy(r->uuid, d->uuid, sizeof r->uuid);
    if (!ns) return NE_EXIT_PARTIAL;
    /* deleted in Nova since the plan: nothing to ask (a 404 is no failure) */
    if (server_gone(dn, d->uuid) == 1) return NE_DRAIN_GONE;
    if (cold) {
        rc = migrate_cold(dn, ns, d, from, to);
    } else {
        rc = novasync_server_action(ns, dn->nv, &c);
        if (rc == 0) ne_fault_point("nova:migrating");
    }
    if (rc == 0)
        rc = settle(dn, d, from, to, 1800, cold ? "VERIFY_RESIZE" : NULL, &r->st, &stayed);
    if (rc == NE_DRAIN_GONE) return rc;
    if (stayed) return refused_or_failed(dn, d, from, to, cold);
    /* a failed request or wait: deleted in Nova meanwhile (the server gone
     * during its move), or the usual failure, said above */
    if (rc != 0 && server_gone(dn, d->uuid) == 1) return NE_DRAIN_GONE;
    return rc == 0 ? NE_EXIT_OK : NE_EXIT_PARTIAL;
}

static bool
migration_running(const char *status)
{
    static const char *const busy[] = {"queued", "preparing", "running", "pre-migrating",
                                       "migrating", "post-migrating", "accepted", "confirming",
                                       "reverting", NULL};
    size_t i;

    for (i = 0; status && busy[i]; i++)
        if (str_eq(status, busy[i])) return true;
    return false;
}

/* The newest migration record of m[0..n) (highest numeric id), or NULL. */
static const struct ne_migration *
newest_migration(const struct ne_migration *m, size_t n)
{
    const struct ne_migration *best = NULL;
    unsigned long long id, bid = 0;
    size_t i;

    for (i = 0; i < n; i++) {
        char *end;
        if (!m[i].id) continue;
        id = strtoull(m[i].id, &end, 10);
        if (*end || end == m[i].id) continue;
        if (!best || id > bid) {
            best = &m[i];
            bid = id;
        }
    }
    return best;
}

/* --resume of a move through Nova (see drain.h): polls the server and its
 * newest migration record until Nova is idle on it, confirming once a
 * resize of this move that Nova waits for (what the interrupted run would
 * have done next), for at most 30 minutes. */
static int
settle_inflight(void *ctx, const char *uuid, const char *name, const char *from, const char *to,
                struct ne_nova_fate *out)
{
    struct ne_drain_nova *dn = ctx;
    struct ne_migration_filter f = {.instance_uuid = uuid};
    double t0 = ne_now(), noted = 0;
    bool confirmed = false;

    memset(out, 0, sizeof *out);
    if (!dn->nv) return -1;
    for (;;) {
        struct ne_server s;
        struct ne_migration *m = NULL;
        const struct ne_migration *last;
        const char *ms;
        size_t n = 0;
        bool ours, busy;
        int r;

        memset(&s, 0, sizeof s);
        if ((r = nova_server_show(dn->nv, uuid, &s)) < 0) return -1;
        if (r == 1) {
            out->kind = NE_FATE_GONE;
            snprintf(out->what, sizeof out->what, "no such server (deleted in Nova)");
            return 0;
        }
        if (nova_migrations(dn->nv, &f, &m, &n) < 0) {
            ne_server_clear(&s);
            return -1;
        }
        last = newest_migration(m, n);
        ms = last ? last->status : NULL;
        ours = last && str_eq(last->source_compute, from) && str_eq(last->dest_compute, to);
        snprintf(out->what, sizeof out->what, "%s on %s, task %s, migration %s%s%s%s%s",
                 s.status ? s.status : "?", s.host ? s.host : "no host",
                 s.task_state ? s.task_state : "none", ms ? ms : "none", last ? " " : "",
                 last && last->source_compute ? last->source_compute : "",
                 last ? " -> " : "", last && last->dest_compute ? last->dest_compute : "");
        if (str_eq(s.status, "VERIFY_RESIZE") && !s.task_state && ours && str_eq(ms, "finished") &&
            !confirmed) {
            struct ne_novasync *ns = sync_of(dn);
            struct ne_server_call c = {.action = NE_ACT_CONFIRM, .server = uuid};
            ne_info("%s: Nova waits for the interrupted cold migration to %s to be confirmed; "
                    "confirming it", name, to);
            confirmed = true;
            if (!ns || novasync_server_action(ns, dn->nv, &c) < 0) {
                bool down = ns && novasync_call_err(ns) == NE_OS_EUNREACHABLE;
                ne_server_clear(&s);
                ne_migrations_free(m, n);
                if (down) return -1;
                out->kind = NE_FATE_OTHER;
                return 0;
            }
            ne_server_clear(&s);
            ne_migrations_free(m, n);
            continue;
        }
        busy = s.task_state || nova_status_busy(s.status) || migration_running(ms) ||
               (confirmed && str_eq(s.status, "VERIFY_RESIZE"));
        if (!busy) {
            if (str_eq(s.host, to) && !str_eq(s.status, "ERROR") &&
                !str_eq(s.status, "VERIFY_RESIZE") && ours)
                out->kind = NE_FATE_MOVED;
            else if (str_eq(s.host, from) && !str_eq(s.status, "ERROR") &&
                     !str_eq(s.status, "VERIFY_RESIZE"))
                out->kind = NE_FATE_STAYED;
            else
                out->kind = NE_FATE_OTHER;
        } else if (ne_now() - t0 > 1800) {
            out->kind = NE_FATE_BUSY;
            busy = false;
        } else if (ne_now() - noted >= 15) {
            noted = ne_now();
            ne_info("%s: Nova is still working on the interrupted migration (%s); waiting", name,
                    out->what);
        }
        ne_server_clear(&s);
        ne_migrations_free(m, n);
        if (!busy) return 0;
        sleep(1);
    }
}

int
ne_drain_nova_repair_stuck(struct ne_drain_nova *dn, const char *host)
{
    struct ne_stuck_opts so = {.host = host, .older_s = 600, .since_s = 7 * 86400,
                               .resize_window_s = 86400};
    struct ne_novasync *ns = NULL;
    struct ne_stuck_scan sc;
    size_t i;
    int done = 0, rc;

    if (!dn || !dn->db) return 0;
    pthread_mutex_lock(&dn->lock);
    if (ne_stuck_scan(dn->db, dn->cfg, &so, &sc) < 0) {
        ne_warn("drain %s: the check for stuck instances failed (see above); continuing", host);
        goto out;
    }
    for (i = 0; i < sc.n; i++) {
        struct ne_stuck_item *it = &sc.items[i];
        if (!ne_fix_changes(&it->fix)) {
            ne_warn("%s (%s): Nova's record disagrees with libvirt and nova-evac cannot repair it "
                    "safely: %s", it->in->name ? it->in->name : "?", it->in->uuid,
                    it->fix.next ? it->fix.next : it->fix.why ? it->fix.why : "see 'nova-evac stuck'");
            continue;
        }
        if (!ns && !(ns = sync_of(dn))) break;
        rc = ne_stuck_apply(dn->db, &sc, it, ns); /* locked and audited there */
        if (rc < 0) break;
        ne_info("%s (%s): stuck record repaired before the drain (%s): %s", it->in->name ? it->in->name : "?",
                it->in->uuid, ne_fix_kind_name(it->fix.kind), ne_apply_result_name(it->result));
        done += it->result == NE_APPLY_DONE;
    }
out:
    ne_stuck_scan_free(&sc);
    pthread_mutex_unlock(&dn->lock);
    return done;
}

/* drain-nova-fleet.c */
int ne_nova_fleet_read(struct ne_nova *nv, struct ne_placement *pl, const char *const *src,
                       size_t nsrc, struct ne_nova_fleet *out);

static int
fleet(void *ctx, const char *const *src, size_t nsrc, struct ne_nova_fleet *out)
{
    struct ne_drain_nova *dn = ctx;
    enum ne_os_err kind;

    if (dn->os && !dn->pl) dn->pl = placement_open(dn->os, &kind); /* NULL: os-hypervisors */
    return ne_nova_fleet_read(dn->nv, dn->pl, src, nsrc, out);
}

/* ne_nova_hooks.gone: after a move through libvirt failed. */
static int
gone(void *ctx, const char *uuid)
{
    struct ne_drain_nova *dn = ctx;

    return server_gone(dn, uuid);
}

/* Servers Nova still builds on host (BUILD), waited for up to 300 s. */
static int
wait_builds(void *ctx, const char *host)
{
    struct ne_drain_nova *dn = ctx;
    double t0 = ne_now();
    int seen = 0;

    for (;;) {
        struct ne_server *sv = NULL;
        size_t n = 0, i;
        int building = 0;
        if (nova_servers_on_host(dn->nv, host, &sv, &n) < 0) return -1;
        for (i = 0; i < n; i++)
            if (str_eq(sv[i].status, "BUILD")) building++;
        ne_servers_free(sv, n);
        if (building > seen) seen = building;
        if (!building) return seen;
        if (ne_now() - t0 > 300) {
            ne_warn("%s: %d server(s) still building there after 300 s: those not yet defined "
                    "in libvirt are not in this drain; drain it again once they are ACTIVE",
                    host, building);
            return seen;
        }
        ne_info("%s: waiting for %d server(s) Nova is building there", host, building);
        sleep(2);
    }
}

static int
free_disk(void *ctx, const char *host, unsigned long long *bytes)
{
    struct ne_drain_nova *dn = ctx;

    return nova_host_free_disk(dn->nv, host, bytes) == 0 ? 0 : -1;
}

int
ne_drain_nova_check(const struct ne_nova_conn *c, const struct ne_config *cfg, const char *via)
{
    bool record_only = str_eq(via, "record");

    if (record_only) via = "libvirt";
    if (str_eq(via, "nova") && !c->api_configured) {
        ne_error("drain --via nova needs the Nova API: set OS_CLOUD (clouds.yaml) or OS_* "
                 "variables, or give --os-cloud");
        return NE_EXIT_USAGE;
    }
    if (str_eq(via, "libvirt") && c->api_configured && !c->db_configured) {
        ne_error("moving through libvirt: the Nova API is configured, so Nova manages these "
                 "instances, but no Nova database is reachable to record the moves (%s is not "
                 "readable): give --db URL or set nova_conf in the nova-evac config%s",
                 cfg->nova_conf, record_only ? ", or --no-record" : ", or use --via nova");
        return NE_EXIT_USAGE;
    }
    if (!c->api_configured && !c->db_configured)
        ne_warn("no Nova API (clouds.yaml/OS_*) nor Nova database (%s) configured: %sNova's "
                "records are not updated", cfg->nova_conf,
                record_only ? "" : "the compute service is not disabled and ");
    return 0;
}

int
ne_drain_nova_setup(struct ne_nova_conn *c, const struct ne_config *cfg, const char *via,
                    struct ne_drain_opts *o, struct ne_drain_nova **out)
{
    struct ne_drain_nova *dn;

    *out = NULL;
    if (!c->os && !c->nv && !c->db) return 0;
    if (str_eq(via, "record")) via = "libvirt";
    dn = xcalloc(1, sizeof *dn);
    dn->cfg = cfg;
    pthread_mutex_init(&dn->lock, NULL);
    dn->os = c->os;
    dn->nv = c->nv;
    dn->db = c->db;
    c->os = NULL;
    c->nv = NULL;
    c->db = NULL;
    o->nova.ctx = dn;
    o->nova.disable = disable;
    o->nova.record_move = dn->db ? record_move : NULL;
    o->nova.migrate = str_eq(via, "nova") || (str_eq(via, "auto") && dn->nv) ? migrate : NULL;
    o->nova.settle_inflight = dn->nv ? settle_inflight : NULL;
    o->nova.free_disk = dn->nv ? free_disk : NULL;
    o->nova.fleet = dn->nv ? fleet : NULL;
    o->nova.wait_builds = dn->nv ? wait_builds : NULL;
    o->nova.gone = dn->nv ? gone : NULL;
    *out = dn;
    return 0;
}

/* The API cannot be reached (reported once, when it was opened). */
static int
settle_down(void *ctx, const char *uuid, const char *name, const char *from, const char *to,
            struct ne_nova_fate *out)
{
    (void)ctx, (void)uuid, (void)name, (void)from, (void)to;
    memset(out, 0, sizeof *out);
    return -1;
}

static int
migrate_down(void *ctx, const struct ne_domain *d, const struct ne_plan *plan, const char *from,
             const char *to, struct ne_mig_result *r)
{
    (void)ctx, (void)plan;
    memset(r, 0, sizeof *r);
    ne_error("%s (%s): not moved from %s to %s: the Nova API cannot be reached (above)", d->name,
             d->uuid, from, to);
    return NE_EXIT_REFUSED;
}

int
ne_drain_nova_setup_api_down(struct ne_nova_conn *c, const struct ne_config *cfg,
                             struct ne_drain_opts *o, struct ne_drain_nova **out)
{
    struct ne_drain_nova *dn = xcalloc(1, sizeof *dn);

    dn->cfg = cfg;
    pthread_mutex_init(&dn->lock, NULL);
    dn->db = c->db;
    c->db = NULL;
    dn->api_down = true;
    memset(&o->nova, 0, sizeof o->nova);
    o->nova.ctx = dn;
    /* a move the interrupted run made through libvirt is still recorded */
    o->nova.record_move = dn->db ? record_move : NULL;
    o->nova.migrate = migrate_down;
    o->nova.settle_inflight = settle_down;
    *out = dn;
    return 0;
}

bool ne_drain_nova_api_down(const struct ne_drain_nova *dn) { return dn && dn->api_down; }

void
ne_drain_nova_close(struct ne_drain_nova *dn)
{
    if (!dn) return;
    if (dn->pl) placement_close(dn->pl);
    if (dn->nv) nova_close(dn->nv);
    if (dn->os) ne_os_close(dn->os);
    if (dn->db) novadb_close(dn->db);
    novasync_close(dn->ns);
    pthread_mutex_destroy(&dn->lock);
    free(dn);
}
