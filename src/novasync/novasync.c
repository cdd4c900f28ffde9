/* SPDX-License-Identifier: Apache-2.0 */
/* novasync.c: see novasync.h.  The database part of a recorded move is
 * stuck-db.c's locked, checked transaction (the one stuck's repairs use);
 * this file adds the audit lines, the lock and Placement. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "openstack/osrender.h"
#include "novasync/novasync.h"
#include "novasync/novasync-db.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/statedir.h"

struct ne_novasync {
    struct ne_audit *audit;
    pthread_mutex_t mu;
    int lock_fd;
    char *lock_path;
    enum ne_os_err call_err; /* of the last API call (the "after" read resets nova_err) */
};

struct ne_novasync *
novasync_open(const char *state_dir, const char *audit_log)
{
    CLEANUP_FREE char *def = xasprintf("%s/audit.log", state_dir);
    struct ne_audit *a;
    struct ne_novasync *ns;

    /* the state dir as every command makes it (0700, no symlink) */
    if (ne_statedir_ensure(state_dir, NULL) < 0) return NULL;
    a = audit_open(audit_log ? audit_log : def);
    if (!a) return NULL; /* reported: nothing may be changed unlogged */
    ns = xcalloc(1, sizeof *ns);
    ns->audit = a;
    pthread_mutex_init(&ns->mu, NULL);
    ns->lock_path = xasprintf("%s/nova.lock", state_dir);
    ns->lock_fd = ne_statedir_open(ns->lock_path, O_RDWR);
    if (ns->lock_fd < 0) {
        ne_syserror("cannot open the lock file %s (check the state_dir's permissions)",
                    ns->lock_path);
        novasync_close(ns);
        return NULL;
    }
    return ns;
}

void
novasync_close(struct ne_novasync *ns)
{
    if (!ns) return;
    audit_close(ns->audit);
    if (ns->lock_fd >= 0) close(ns->lock_fd);
    pthread_mutex_destroy(&ns->mu);
    free(ns->lock_path);
    free(ns);
}

struct ne_audit *novasync_audit(struct ne_novasync *ns) { return ns->audit; }
enum ne_os_err novasync_call_err(const struct ne_novasync *ns) { return ns->call_err; }

int
novasync_lock(struct ne_novasync *ns)
{
    pthread_mutex_lock(&ns->mu);
    while (flock(ns->lock_fd, LOCK_EX) < 0) {
        if (errno == EINTR) continue;
        ne_syserror("cannot lock %s; nothing changed in Nova", ns->lock_path);
        pthread_mutex_unlock(&ns->mu);
        return -1;
    }
    return 0;
}

void
novasync_unlock(struct ne_novasync *ns)
{
    flock(ns->lock_fd, LOCK_UN);
    pthread_mutex_unlock(&ns->mu);
}

/* ---- a recorded move */

struct move_ctx {
    struct ne_novasync *ns;
    const char *uuid, *from, *to;
    bool audit_failed, logged;
};

static int
move_before(const struct ne_rowsnap *before, void *opaque)
{
    struct move_ctx *c = opaque;
    json_t *ev = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "event", "record-move", "via",
                           "db", "phase", "before", "instance", c->uuid, "from", c->from, "to",
                           c->to, "row", ne_rowsnap_json(before));

    if (audit_write(c->ns->audit, ev) < 0) {
        c->audit_failed = true;
        return -1;
    }
    c->logged = true;
    return 0;
}

static json_t *
allocs_now(struct ne_placement *pl, const char *uuid)
{
    struct ne_allocs al;
    json_t *j;

    if (placement_allocations(pl, uuid, &al) < 0) return json_string("unreadable");
    j = ne_allocs_json(&al);
    ne_allocs_clear(&al);
    return j;
}

static int
allocs_audit(struct ne_novasync *ns, struct ne_placement *pl, const char *uuid, const char *phase,
             const char *node, int result)
{
    json_t *ev = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "event", "move-allocations", "via",
                           "placement", "phase", phase, "instance", uuid, "to_node", node,
                           "allocations", allocs_now(pl, uuid));

    if (result >= 0) json_object_set_new(ev, "result", json_string(result ? "failed" : "done"));
    return audit_write(ns->audit, ev);
}

/* Leaves uuid's Placement allocations on node's resource provider only. */
static int
move_allocations(struct ne_novasync *ns, struct ne_placement *pl, const char *uuid,
                 const char *node)
{
    CLEANUP_FREE char *rp = NULL;
    int rc;

    if (placement_provider_by_name(pl, node, &rp) != 0) return -1;
    if (allocs_audit(ns, pl, uuid, "before", node, -1) < 0) return -1;
    rc = placement_move_allocations(pl, uuid, NULL, rp, NULL, NULL) < 0 ? -1 : 0;
    if (allocs_audit(ns, pl, uuid, "after", node, rc < 0) < 0) return -1;
    if (rc == 0) ne_info("%s: Placement allocations moved to %s", uuid, node);
    return rc;
}

static int
move_after(struct move_ctx *c, int rc, const struct ne_rowsnap *after)
{
    json_t *ev = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "event", "record-move", "via", "db",
                           "phase", "after", "instance", c->uuid, "result",
                           rc == 0 ? "applied" : rc == 1 ? "changed-meanwhile" : "failed", "row",
                           ne_rowsnap_json(after));

    if (audit_write(c->ns->audit, ev) == 0) return 0;
    ne_error("%s: recorded on %s but its \"after\" line is missing from %s", c->uuid, c->to,
             audit_path(c->ns->audit));
    return -1;
}

static int
record_row(struct ne_novasync *ns, struct ne_db *db, const char *uuid, const char *from,
           const char *to, const char *node, bool running)
{
    struct move_ctx c = {ns, uuid, from, to, false, false};
    struct ne_nova_inst in;
    struct ne_fix fix;
    struct ne_rowsnap after;
    int rc;

    memset(&in, 0, sizeof in);
    memset(&fix, 0, sizeof fix);
    snprintf(in.uuid, sizeof in.uuid, "%s", uuid);
    in.host = (char *)from;
    fix.host = to;
    fix.vm_state = running ? "active" : "stopped";
    fix.power_state = running ? 1 : 4;
    rc = novasync_db_record_move(db, &in, &fix, node, move_before, &c, &after);
    if (c.logged && move_after(&c, rc, &after) < 0) rc = -1;
    ne_rowsnap_clear(&after);
    return c.audit_failed ? -1 : rc;
}

int
novasync_record_move(struct ne_novasync *ns, struct ne_db *db, struct ne_placement *pl,
                     const char *uuid, const char *from, const char *to, const char *node,
                     bool running)
{
    int rc;

    if (novasync_lock(ns) < 0) return -1;
    rc = record_row(ns, db, uuid, from, to, node, running);
    if (rc == 1)
        ne_error("%s moved from %s to %s, but Nova's database no longer names %s as its host: "
                 "its record is left alone; see 'nova-evac stuck %s'", uuid, from, to, from, to);
    else if (rc == 2)
        ne_warn("%s is not in Nova's database (no live instance row): nothing to record", uuid);
    else if (rc == 0)
        ne_info("%s: Nova record now says host %s, node %s", uuid, to, node);
    if (rc == 0 && pl) rc = move_allocations(ns, pl, uuid, node);
    novasync_unlock(ns);
    return rc;
}

/* ---- the compute service */

static json_t *
service_now(struct ne_nova *nv, const char *host)
{
    struct ne_service *s = NULL;
    size_t i, n = 0;
    json_t *j = NULL;

    if (!nv) return json_null(); /* the database path has no read of it */
    if (nova_services(nv, host, &s, &n) < 0) return json_string("unreadable");
    for (i = 0; i < n && !j; i++)
        if (str_eq(s[i].binary, "nova-compute")) j = ne_service_json(&s[i]);
    ne_services_free(s, n);
    return j ? j : json_null();
}

static int
service_audit(struct ne_novasync *ns, struct ne_nova *nv, const char *host, bool enable,
              const char *reason, const char *phase, long result)
{
    json_t *ev = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:o}", "event",
                           enable ? "service-enable" : "service-disable", "via", nv ? "api" : "db",
                           "phase", phase, "host", host, "reason", reason, "service",
                           service_now(nv, host));

    if (result != -2) json_object_set_new(ev, "rows", json_integer(result));
    return audit_write(ns->audit, ev);
}

int
novasync_service(struct ne_novasync *ns, struct ne_nova *nv, struct ne_db *db, const char *host,
                 bool enable, const char *reason)
{
    long n = 1;

    if (enable && !nv) {
        ne_error("enabling %s's nova-compute service needs the Nova API: set OS_CLOUD "
                 "(clouds.yaml) or OS_* variables, or give --os-cloud", host);
        return -1;
    }
    if (novasync_lock(ns) < 0) return -1;
    ns->call_err = NE_OS_OK;
    if (service_audit(ns, nv, host, enable, reason, "before", -2) < 0) goto fail;
    if (nv) {
        n = (enable ? nova_service_enable(nv, host, NULL)
                    : nova_service_disable(nv, host, reason, NULL)) < 0 ? -1 : 1;
        ns->call_err = nova_err(nv);
    } else {
        struct ne_dbv p[] = {dbv_str(reason), dbv_str(host)};
        n = novadb_exec(db, NE_SQL_DRAIN_DISABLE_SERVICE, p, 2);
        if (n == 0) ne_warn("%s: no nova-compute service row for it in the database", host);
    }
    if (service_audit(ns, nv, host, enable, reason, "after", n) < 0) {
        ne_error("%s: service changed but its \"after\" line is missing from %s", host,
                 audit_path(ns->audit));
        goto fail;
    }
    novasync_unlock(ns);
    return n < 0 ? -1 : 0;
fail:
    novasync_unlock(ns);
    return -1;
}

/* ---- server actions */

const char *
ne_server_action_name(enum ne_server_action a)
{
    static const char *const names[] = {"live-migrate", "migrate", "confirm", "revert",
                                        "reset-state", "force-complete", "abort",
                                        "create-image"};
    return a <= NE_ACT_CREATE_IMAGE ? names[a] : "?";
}

static int
call(struct ne_nova *nv, const struct ne_server_call *c)
{
    switch (c->action) {
    case NE_ACT_LIVE_MIGRATE: return nova_live_migrate(nv, c->server, c->host, c->block);
    case NE_ACT_MIGRATE: return nova_migrate(nv, c->server, c->host);
    case NE_ACT_CONFIRM: return nova_confirm_resize(nv, c->server);
    case NE_ACT_REVERT: return nova_revert_resize(nv, c->server);
    case NE_ACT_RESET_STATE: return nova_reset_state(nv, c->server, c->state);
    case NE_ACT_FORCE_COMPLETE: return nova_force_complete(nv, c->server, c->migration);
    case NE_ACT_ABORT: return nova_abort_migration(nv, c->server, c->migration);
    case NE_ACT_CREATE_IMAGE:
        return nova_create_image(nv, c->server, c->image_name, c->image_metadata, c->image_id);
    }
    return -1;
}

/* The line of one phase, in stuck-api.c's shape ("via":"api", "server"). */
static int
server_audit(struct ne_novasync *ns, struct ne_nova *nv, const struct ne_server_call *c,
             const char *phase, int result)
{
    struct ne_server s;
    json_t *ev, *srv;

    memset(&s, 0, sizeof s);
    srv = nova_server_show(nv, c->server, &s) < 0 ? json_null() : ne_server_json(&s);
    ne_server_clear(&s);
    ev = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?, s:s?, s:s?, s:o}", "event", "server-action",
                   "via", "api", "phase", phase, "instance", c->server, "action",
                   ne_server_action_name(c->action), "host", c->host, "state", c->state,
                   "migration", c->migration, "server", srv);
    if (result >= 0) json_object_set_new(ev, "result", json_string(result ? "failed" : "done"));
    if (c->image_name) json_object_set_new(ev, "image_name", json_string(c->image_name));
    if (c->image_id && *c->image_id) json_object_set_new(ev, "image", json_string(*c->image_id));
    return audit_write(ns->audit, ev);
}

int
novasync_server_action(struct ne_novasync *ns, struct ne_nova *nv, const struct ne_server_call *c)
{
    int rc = -1;

    ns->call_err = NE_OS_OK;
    if (novasync_lock(ns) < 0) return -1;
    if (server_audit(ns, nv, c, "before", -1) == 0) {
        rc = call(nv, c) < 0 ? -1 : 0;
        ns->call_err = nova_err(nv);
        if (server_audit(ns, nv, c, "after", rc < 0) < 0) {
            ne_error("%s: %s sent but its \"after\" line is missing from %s", c->server,
                     ne_server_action_name(c->action), audit_path(ns->audit));
            rc = -1;
        }
    }
    novasync_unlock(ns);
    return rc;
}
