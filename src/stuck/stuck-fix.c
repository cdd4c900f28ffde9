/* SPDX-License-Identifier: Apache-2.0 */
/* stuckfix.c: see stuckfix.h. */
#include <config.h>

#include <string.h>

#include "migrate/migrate.h"
#include "model/domain.h"
#include "novasync/novasync-db.h"
#include "stuck/stuck-db.h"
#include "stuck/stuck-fix.h"
#include "util/log.h"
#include "util/mem.h"

const char *
ne_apply_result_name(enum ne_apply_result r)
{
    static const char *const names[] = {"not-applied", "applied", "changed-meanwhile", "failed",
                                        "declined"};
    return r <= NE_APPLY_DECLINED ? names[r] : "?";
}

static json_t *
why_json(unsigned why)
{
    json_t *a = json_array();

    if (why & NE_WHY_TASK) json_array_append_new(a, json_string("task-state"));
    if (why & NE_WHY_OPEN_MIG) json_array_append_new(a, json_string("open-migration"));
    if (why & NE_WHY_RECENT) json_array_append_new(a, json_string("recent-migration"));
    if (why & NE_WHY_ELSEWHERE) json_array_append_new(a, json_string("domain-elsewhere"));
    if (why & NE_WHY_NAMED) json_array_append_new(a, json_string("named"));
    if (why & NE_WHY_PORT) json_array_append_new(a, json_string("port-binding"));
    return a;
}

static json_t *
tri(int v)
{
    return v < 0 ? json_null() : json_boolean(v);
}

static json_t *
truth_json(const struct ne_truth *t)
{
    return json_pack("{s:s, s:s, s:o, s:b, s:o, s:o, s:s?}", "host", t->host, "seen",
                     ne_seen_name(t->seen), "state",
                     t->seen == NE_SEEN_DEFINED || t->seen == NE_SEEN_RUNNING
                         ? json_string(ne_dom_state_name(t->state)) : json_null(),
                     "job", t->job, "disks", tri(t->disks), "resize_dir", tri(t->resize_dir),
                     "error", t->error);
}

static json_t *
mig_json(const struct ne_nova_mig *m)
{
    if (!m->id) return json_null();
    return json_pack("{s:I, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:I}", "id",
                     (json_int_t)m->id, "uuid", m->uuid, "type", m->type, "status", m->status,
                     "source", m->src, "dest", m->dst, "source_node", m->src_node, "dest_node",
                     m->dst_node, "age_s", (json_int_t)m->age_s);
}

static json_t *
repair_json(const struct ne_stuck_item *it)
{
    const struct ne_fix *f = &it->fix;

    if (!ne_fix_changes(f)) return json_null();
    return json_pack("{s:s, s:s?, s:s, s:i, s:n, s:s?, s:b, s:s?}", "host", f->host, "node",
                     it->node, "vm_state", f->vm_state, "power_state", f->power_state,
                     "task_state", "migration_status", f->mig_status, "drop_migration_context",
                     f->drop_mig_context, "flavor",
                     f->flavor == NE_FLAVOR_NEW ? "new" : f->flavor == NE_FLAVOR_OLD ? "old" : NULL);
}

static json_t *
bindings_json(const struct ne_binding *b, size_t nb)
{
    json_t *a = json_array();
    size_t i;

    for (i = 0; i < nb; i++)
        json_array_append_new(a, json_pack("{s:s?, s:s?, s:s?}", "host", b[i].host, "status",
                                           b[i].status, "vif_type", b[i].vif_type));
    return a;
}

static json_t *
port_plan_json(const struct ne_port_fix *f)
{
    json_t *del = json_array();
    size_t i;

    if (f->act != NE_PORT_REBIND) {
        json_decref(del);
        return json_null();
    }
    for (i = 0; i < f->nstale; i++) json_array_append_new(del, json_string(f->stale[i]));
    return json_pack("{s:s, s:b, s:b, s:o, s:b}", "host", f->runs_on, "create", f->create,
                     "activate", f->activate, "delete", del, "set_host", f->set_host);
}

static json_t *
port_json(const struct ne_stuck_port *p)
{
    const struct ne_port_fix *f = &p->fix;

    return json_pack("{s:s, s:s?, s:s?, s:s?, s:o, s:s, s:s, s:s?, s:s?, s:s?, s:o, s:s}", "id",
                     p->port.id, "network_id", p->port.network_id, "status", p->port.status,
                     "binding_host", p->port.b.host && *p->port.b.host ? p->port.b.host : NULL,
                     "bindings", p->extended ? bindings_json(p->b, p->nb) : json_null(), "case",
                     NE_PORT_CASE, "action", ne_port_act_name(f->act), "runs_on", f->runs_on,
                     "reason", f->why, "next", f->next, "repair", port_plan_json(f), "result",
                     ne_apply_result_name(p->result));
}

json_t *
ne_stuck_ports_json(const struct ne_stuck_item *it)
{
    json_t *a = json_array();
    size_t i;

    for (i = 0; i < it->nports; i++) json_array_append_new(a, port_json(&it->ports[i]));
    return a;
}

json_t *
ne_stuck_item_json(const struct ne_stuck_item *it)
{
    const struct ne_nova_inst *in = it->in;
    json_t *truths = json_array(), *j;
    size_t i;

    for (i = 0; i < it->nt; i++) json_array_append_new(truths, truth_json(&it->t[i]));
    j = json_pack("{s:s, s:s?, s:{s:s?, s:s?, s:s?, s:s?, s:i, s:I, s:s?, s:o}, s:o, s:o, "
                     "s:o, s:s, s:s?, s:s?, s:o, s:s}",
                     "uuid", in->uuid, "name", in->name, "nova", "host", in->host, "node",
                     in->node, "vm_state", in->vm_state, "task_state", in->task_state,
                     "power_state", in->power_state, "age_s", (json_int_t)in->age_s, "image_ref",
                     in->image_ref, "image_deleted", tri(in->image_deleted), "migration",
                     mig_json(&in->mig), "suspect_because", why_json(in->why), "libvirt", truths,
                     "action", ne_fix_kind_name(it->fix.kind), "reason", it->fix.why, "next",
                     it->fix.next, "repair", repair_json(it), "result",
                     ne_apply_result_name(it->result));
    if (j && (it->nports || it->ports_error)) {
        json_object_set_new(j, "ports", ne_stuck_ports_json(it));
        if (it->ports_error) json_object_set_new(j, "ports_error", json_string(it->ports_error));
    }
    return j;
}

struct before_ctx {
    struct ne_audit *audit;
    const struct ne_stuck_item *it;
    bool audit_failed, logged;
};

static int
log_before(const struct ne_rowsnap *before, void *opaque)
{
    struct before_ctx *c = opaque;
    json_t *ev = json_pack("{s:s, s:s, s:s, s:o, s:o}", "event", "stuck-repair", "phase",
                           "before", "instance", c->it->in->uuid, "row", ne_rowsnap_json(before),
                           "plan", ne_stuck_item_json(c->it));

    if (audit_write(c->audit, ev) < 0) {
        c->audit_failed = true;
        return -1;
    }
    c->logged = true;
    return 0;
}

static int
log_after(struct ne_audit *a, const struct ne_stuck_item *it, const struct ne_rowsnap *after)
{
    json_t *ev = json_pack("{s:s, s:s, s:s, s:s, s:o}", "event", "stuck-repair", "phase",
                           "after", "instance", it->in->uuid, "result",
                           ne_apply_result_name(it->result), "row", ne_rowsnap_json(after));
    return audit_write(a, ev);
}

int
ne_stuck_apply(struct ne_db *db, struct ne_stuck_scan *sc, struct ne_stuck_item *it,
               struct ne_novasync *ns)
{
    struct ne_audit *audit = novasync_audit(ns);
    struct before_ctx ctx = {audit, it, false, false};
    struct ne_rowsnap after;
    int attempt, rc = -1;

    if (!ne_fix_changes(&it->fix)) return 0;
    if (ne_stuck_recheck(sc, it) == 0) {
        it->result = NE_APPLY_CHANGED;
        ne_warn("instance %s: libvirt shows something else now (%s); not repaired",
                it->in->uuid, it->fix.why);
        return 0;
    }
    if (novasync_lock(ns) < 0) return -1;
    for (attempt = 0; attempt < 2; attempt++) {
        rc = novasync_db_apply(db, it->in, &it->fix, it->node, log_before, &ctx, &after);
        if (rc >= 0 || ctx.audit_failed || !novadb_lost(db)) break;
        ne_info("instance %s: retrying the repair once on a new connection", it->in->uuid);
    }
    it->result = rc == 0 ? NE_APPLY_DONE : rc == 1 ? NE_APPLY_CHANGED : NE_APPLY_FAILED;
    if (ctx.audit_failed) {
        novasync_unlock(ns);
        return -1; /* nothing changed, but no change may be made unlogged */
    }
    if (ctx.logged && log_after(audit, it, &after) < 0) {
        novasync_unlock(ns);
        ne_error("instance %s was repaired but its \"after\" line is missing from %s",
                 it->in->uuid, audit_path(audit));
        ne_rowsnap_clear(&after);
        return -1;
    }
    novasync_unlock(ns);
    if (rc == 0)
        ne_info("instance %s: repaired (%s): host %s, %s", it->in->uuid,
                ne_fix_kind_name(it->fix.kind), after.host ? after.host : "-",
                after.vm_state ? after.vm_state : "-");
    ne_rowsnap_clear(&after);
    return rc < 0 && novadb_lost(db) ? -1 : 0;
}

/* ---- ports */

/* Port id of uuid as Neutron shows it now, with its bindings (extended).
 * 0 and *p filled (p->port.id NULL when the port is gone), or -1. */
static int
port_now(struct ne_neutron *nt, const char *uuid, const char *id, struct ne_stuck_port *p)
{
    struct ne_port *ports = NULL;
    size_t n = 0, i;

    memset(p, 0, sizeof *p);
    if (neutron_ports_of(nt, uuid, &ports, &n) < 0) return -1;
    for (i = 0; i < n; i++)
        if (str_eq(ports[i].id, id)) {
            p->port = ports[i];
            memset(&ports[i], 0, sizeof ports[i]);
        }
    ne_ports_free(ports, n);
    p->extended = neutron_has_bindings(nt);
    if (p->port.id && p->extended && neutron_bindings(nt, id, &p->b, &p->nb) < 0) return -1;
    return 0;
}

/* Where the repair left the port: bound to host, and (extended) no other
 * binding. */
static bool
port_settled(const struct ne_stuck_port *now, const char *host)
{
    size_t i;
    bool active = false;

    if (!now->port.id || !str_eq(now->port.b.host, host)) return false;
    for (i = 0; i < now->nb; i++) {
        if (!str_eq(now->b[i].host, host)) return false;
        active |= str_eq(now->b[i].status, "ACTIVE");
    }
    return !now->extended || active;
}

static int
port_audit(struct ne_audit *a, const struct ne_stuck_item *it, const struct ne_stuck_port *p,
           const char *phase, const struct ne_stuck_port *now)
{
    json_t *ev = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?}", "event", "stuck-repair", "kind",
                           NE_PORT_CASE, "phase", phase, "instance", it->in->uuid, "port",
                           p->port.id, "runs_on", p->fix.runs_on);

    json_object_set_new(ev, "binding_host",
                        now->port.b.host && *now->port.b.host ? json_string(now->port.b.host)
                                                              : json_null());
    json_object_set_new(ev, "bindings", now->extended ? bindings_json(now->b, now->nb)
                                                      : json_null());
    if (strcmp(phase, "before") == 0) {
        json_object_set_new(ev, "plan", port_plan_json(&p->fix));
        json_object_set_new(ev, "reason", json_string(p->fix.why ? p->fix.why : ""));
    } else {
        json_object_set_new(ev, "result", json_string(ne_apply_result_name(p->result)));
    }
    return audit_write(a, ev);
}

/* The binding changes of p's decision, in Nova's order: the binding on
 * the guest's host created (when missing) and activated, then the stale
 * ones deleted.  0, or -1 (reported) at the first failure. */
static int
port_change(struct ne_neutron *nt, struct ne_audit *a, const char *uuid,
            const struct ne_stuck_port *p)
{
    const struct ne_port_fix *f = &p->fix;
    size_t i;
    int rc = 0;

    if (f->set_host) return ne_net_bind_set_host(nt, a, uuid, p->port.id, f->runs_on) < 0 ? -1 : 0;
    if (f->create && ne_net_bind_create(nt, a, uuid, p->port.id, f->runs_on, p->port.b.vnic_type) < 0)
        return -1;
    if (f->activate && ne_net_bind_activate(nt, a, uuid, p->port.id, f->runs_on) < 0) return -1;
    for (i = 0; i < f->nstale; i++)
        if (ne_net_bind_delete(nt, a, uuid, p->port.id, f->stale[i]) < 0) rc = -1;
    return rc;
}

int
ne_stuck_apply_ports(struct ne_neutron *nt, struct ne_stuck_scan *sc, struct ne_stuck_item *it,
                     struct ne_novasync *ns)
{
    struct ne_audit *audit = novasync_audit(ns);
    size_t i;
    int r;

    if (!nt || !ne_stuck_ports_count(it, NE_PORT_REBIND)) return 0;
    if (novasync_lock(ns) < 0) return -1;
    r = ne_stuck_ports_recheck(sc, it);
    if (r <= 0) {
        for (i = 0; i < it->nports; i++)
            if (it->ports[i].fix.act != NE_PORT_OK)
                it->ports[i].result = r == 0 ? NE_APPLY_CHANGED : NE_APPLY_FAILED;
        if (r == 0)
            ne_warn("instance %s: libvirt or Neutron shows something else now; its ports are "
                    "not repaired (see below)", it->in->uuid);
        novasync_unlock(ns);
        return 0;
    }
    for (i = 0; i < it->nports; i++) {
        struct ne_stuck_port *p = &it->ports[i], now;
        int rc;

        if (p->fix.act != NE_PORT_REBIND) continue;
        if (port_audit(audit, it, p, "before", p) < 0) {
            novasync_unlock(ns);
            return -1; /* nothing changed, but no change may be made unlogged */
        }
        rc = port_change(nt, audit, it->in->uuid, p);
        if (port_now(nt, it->in->uuid, p->port.id, &now) < 0) rc = -1;
        p->result = rc == 0 && port_settled(&now, p->fix.runs_on) ? NE_APPLY_DONE : NE_APPLY_FAILED;
        if (port_audit(audit, it, p, "after", &now) < 0) {
            ne_error("instance %s: port %s was changed but its \"after\" line is missing from %s",
                     it->in->uuid, p->port.id, audit_path(audit));
            ne_port_clear(&now.port);
            ne_bindings_free(now.b, now.nb);
            novasync_unlock(ns);
            return -1;
        }
        if (p->result == NE_APPLY_DONE)
            ne_info("instance %s: port %s repaired: bound to %s, where the guest runs%s",
                    it->in->uuid, p->port.id, p->fix.runs_on,
                    now.extended ? " (its only binding, ACTIVE)" : "");
        else
            ne_error("instance %s: port %s is not settled on %s (above); look with 'nova-evac "
                     "api port-bindings %s' and run nova-evac stuck %s again", it->in->uuid,
                     p->port.id, p->fix.runs_on, p->port.id, it->in->uuid);
        ne_port_clear(&now.port);
        ne_bindings_free(now.b, now.nb);
    }
    novasync_unlock(ns);
    return 0;
}
