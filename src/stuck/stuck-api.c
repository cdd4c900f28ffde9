/* SPDX-License-Identifier: Apache-2.0 */
/* stuckapi.c: see stuckapi.h.  The plan first (pure), then the steps,
 * each through its adapter: nova.c, novadb via stuckdb.c, placement.c. */
#include <config.h>

#include <string.h>

#include "openstack/osrender.h"
#include "stuck/stuck-api.h"
#include "novasync/novasync-db.h"
#include "stuck/stuck-db.h"
#include "util/log.h"
#include "util/mem.h"

/* ---- the plan */

static bool
api_state(const char *vm_state)
{
    return str_eq(vm_state, "active") || str_eq(vm_state, "error");
}

void
ne_api_plan_clear(struct ne_api_plan *p)
{
    free(p->db_what);
    memset(p, 0, sizeof *p);
}

/* Appends ", part" (or "part") to *s. */
static void
add_part(char **s, char *part)
{
    char *n = xasprintf("%s%s%s", *s ? *s : "", *s ? ", " : "", part);

    free(*s);
    free(part);
    *s = n;
}

static char *
db_words(const struct ne_nova_inst *in, const struct ne_fix *fix, const char *node, bool host,
         bool state)
{
    char *s = NULL;

    if (host) add_part(&s, xasprintf("host %s, node %s", fix->host, node ? node : "?"));
    if (state) add_part(&s, xasprintf("vm_state %s", fix->vm_state));
    if (state || in->power_state != fix->power_state)
        add_part(&s, xasprintf("power_state %d", fix->power_state));
    if (fix->mig_status && in->mig.id)
        add_part(&s, xasprintf("migration %lld %s", in->mig.id, fix->mig_status));
    if (fix->flavor != NE_FLAVOR_KEEP)
        add_part(&s, xasprintf("the %s flavor", fix->flavor == NE_FLAVOR_NEW ? "new" : "old"));
    if (fix->drop_mig_context) add_part(&s, xstrdup("migration context dropped"));
    return s;
}

void
ne_stuck_api_plan(const struct ne_nova_inst *in, const struct ne_fix *fix, const char *node,
                  struct ne_api_plan *out)
{
    bool host;

    memset(out, 0, sizeof *out);
    if (!ne_fix_changes(fix)) return;
    if (fix->kind == NE_FIX_CONFIRM && str_eq(in->vm_state, "resized") &&
        str_eq(in->host, fix->host) && str_eq(in->mig.status, "finished")) {
        out->confirm = true; /* Nova's own confirm: it cleans the source and the allocations */
        return;
    }
    host = !str_eq(fix->host, in->host) || (node && !str_eq(node, in->node));
    out->db_state = !api_state(fix->vm_state);
    out->db = host || (fix->mig_status && in->mig.id) || fix->flavor != NE_FLAVOR_KEEP ||
              out->db_state;
    if (!out->db_state && (!str_eq(in->vm_state, fix->vm_state) || in->task_state))
        out->reset = fix->vm_state;
    out->placement = true;
    if (out->db || fix->drop_mig_context || in->power_state != fix->power_state)
        out->db_what = db_words(in, fix, node, host, out->db_state);
}

/* ---- steps */

static void
add_step(struct ne_stuck_item *it, const char *how, char *what)
{
    if (it->nsteps == NE_STUCK_STEPS) {
        free(what);
        return;
    }
    it->steps[it->nsteps].how = how;
    it->steps[it->nsteps].what = what;
    it->steps[it->nsteps++].result = NE_APPLY_NOT;
}

static void
clear_steps(struct ne_stuck_item *it)
{
    size_t i;

    for (i = 0; i < it->nsteps; i++) free(it->steps[i].what);
    it->nsteps = 0;
}

void
ne_stuck_api_steps(struct ne_stuck_item *it, bool allow_db)
{
    const struct ne_nova_inst *in = it->in;
    struct ne_api_plan p;

    clear_steps(it);
    ne_stuck_api_plan(in, &it->fix, it->node, &p);
    if (p.confirm)
        add_step(it, "nova-api", xasprintf("confirmResize: Nova finishes the move on %s",
                                           it->fix.host));
    if (p.db_what)
        add_step(it, "database",
                 xasprintf("%s%s", p.db_what,
                           allow_db ? "" : p.db ? " (the API cannot: needs --allow-db)"
                                                : " (the API cannot; left as it is without "
                                                  "--allow-db, Nova's own sync corrects it)"));
    if (p.reset) add_step(it, "nova-api", xasprintf("os-resetState %s", p.reset));
    if (p.placement)
        add_step(it, "placement",
                 xasprintf("allocations of %s on %s only%s%s%s", in->uuid,
                           it->node ? it->node : it->fix.host, in->mig.uuid ? "; migration " : "",
                           in->mig.uuid ? in->mig.uuid : "", in->mig.uuid ? " none" : ""));
    ne_api_plan_clear(&p);
}

static int
step_db(struct ne_stuck_api *a, struct ne_stuck_item *it, const struct ne_api_plan *p)
{
    struct ne_fix f = it->fix; /* shallow: only read */
    struct ne_rowsnap after;
    int attempt, rc = -1;

    if (!p->db_state) f.vm_state = NULL; /* host and node only; the state goes through the API */
    for (attempt = 0; attempt < 2; attempt++) {
        rc = novasync_db_apply(a->db, it->in, &f, it->node, NULL, NULL, &after);
        if (rc >= 0 || !novadb_lost(a->db)) break;
        ne_info("instance %s: retrying the database step once on a new connection", it->in->uuid);
    }
    if (rc == 0)
        ne_info("instance %s: database: %s (made through the database: the Nova API cannot)",
                it->in->uuid, p->db_what);
    ne_rowsnap_clear(&after);
    return rc;
}

static int
step_confirm(struct ne_stuck_api *a, struct ne_stuck_item *it)
{
    struct ne_server s;
    int rc = -1;

    memset(&s, 0, sizeof s);
    if (nova_confirm_resize(a->nv, it->in->uuid) < 0 ||
        nova_wait_idle(a->nv, it->in->uuid, 600, "VERIFY_RESIZE", &s) < 0)
        return -1;
    if (str_eq(s.host, it->fix.host) && !str_eq(s.status, "ERROR"))
        rc = 0;
    else
        ne_error("instance %s: after confirmResize Nova reports it %s on %s, not on %s; run "
                 "nova-evac stuck %s again", it->in->uuid, s.status ? s.status : "?",
                 s.host ? s.host : "?", it->fix.host, it->in->uuid);
    ne_server_clear(&s);
    return rc;
}

static int
step_placement(struct ne_stuck_api *a, struct ne_stuck_item *it, const struct ne_server *s)
{
    const struct ne_nova_inst *in = it->in;
    const char *node = it->node ? it->node : it->fix.host;
    CLEANUP_FREE char *rp = NULL;
    int m;

    if (!a->pl) {
        ne_error("instance %s: its Placement allocations were not corrected (no Placement "
                 "API, see above); next: nova-manage placement heal_allocations --instance %s",
                 in->uuid, in->uuid);
        return -1;
    }
    if (placement_provider_by_name(a->pl, node, &rp) != 0) return -1;
    m = placement_move_allocations(a->pl, in->uuid, in->mig.uuid, rp, s->project_id, s->user_id);
    if (m < 0) return -1;
    if (m == 2)
        ne_warn("instance %s: neither it nor its migration holds allocations in Placement; "
                "nova-manage placement heal_allocations --instance %s creates them", in->uuid,
                in->uuid);
    if (in->mig.uuid && placement_delete_allocations(a->pl, in->mig.uuid) < 0) return -1;
    ne_info("instance %s: placement: allocations on %s only%s", in->uuid, node,
            in->mig.uuid ? ", none left for its migration" : "");
    return 0;
}

/* ---- audit */

static json_t *
allocs_json(struct ne_stuck_api *a, const char *consumer)
{
    struct ne_allocs al;
    json_t *j;

    if (!a->pl || !consumer) return json_null();
    if (placement_allocations(a->pl, consumer, &al) < 0) return json_string("unreadable");
    j = ne_allocs_json(&al);
    ne_allocs_clear(&al);
    return j;
}

json_t *
ne_stuck_steps_json(const struct ne_stuck_item *it)
{
    json_t *v = json_array();
    size_t i;

    for (i = 0; i < it->nsteps; i++)
        json_array_append_new(v, json_pack("{s:s, s:s, s:s}", "via", it->steps[i].how, "what",
                                           it->steps[i].what, "result",
                                           ne_apply_result_name(it->steps[i].result)));
    return v;
}

static int
audit_state(struct ne_stuck_api *a, struct ne_audit *audit, struct ne_stuck_item *it,
            const char *phase, const struct ne_server *s)
{
    json_t *ev = json_pack("{s:s, s:s, s:s, s:s, s:o, s:{s:o, s:o}, s:o}", "event", "stuck-repair",
                           "via", "api", "phase", phase, "instance", it->in->uuid, "server",
                           s ? ne_server_json(s) : json_null(), "allocations", "instance",
                           allocs_json(a, it->in->uuid), "migration",
                           allocs_json(a, it->in->mig.uuid), "steps", ne_stuck_steps_json(it));

    if (strcmp(phase, "before") == 0)
        json_object_set_new(ev, "plan", ne_stuck_item_json(it));
    else
        json_object_set_new(ev, "result", json_string(ne_apply_result_name(it->result)));
    return audit_write(audit, ev);
}

/* ---- apply */

/* The server as the API shows it now; 1 when it still says what the scan
 * saw, 0 when not (reported), -1 when it cannot be read. */
static int
server_unchanged(struct ne_stuck_api *a, const struct ne_stuck_item *it, struct ne_server *s)
{
    const struct ne_nova_inst *in = it->in;
    int r = nova_server_show(a->nv, in->uuid, s);

    if (r != 0) {
        if (r == 1) ne_error("instance %s: Nova's API does not know it", in->uuid);
        return -1;
    }
    if (str_eq(s->host, in->host) && str_eq(s->vm_state, in->vm_state) &&
        str_eq(s->task_state, in->task_state))
        return 1;
    ne_info("instance %s: Nova's record changed since the scan (now %s %s/%s); left alone",
            in->uuid, s->host ? s->host : "-", s->vm_state ? s->vm_state : "-",
            s->task_state ? s->task_state : "-");
    return 0;
}

static void
refuse_without_db(struct ne_stuck_item *it, const struct ne_api_plan *p)
{
    char *next = xasprintf("the Nova API cannot make these changes (%s): run again with "
                           "--allow-db to make them in the Nova database (the rest goes "
                           "through the API), or use --via db%s%s", p->db_what,
                           it->fix.next ? "; then: " : "", it->fix.next ? it->fix.next : "");

    free(it->fix.next);
    it->fix.next = next;
    it->result = NE_APPLY_NOT;
    ne_warn("instance %s: not repaired: the Nova API cannot set %s; see --allow-db",
            it->in->uuid, p->db_what);
}

/* Runs the planned steps in order, stopping at the first that fails. */
static enum ne_apply_result
run_steps(struct ne_stuck_api *a, struct ne_stuck_item *it, const struct ne_api_plan *p,
          const struct ne_server *s)
{
    size_t i;

    for (i = 0; i < it->nsteps; i++) {
        struct ne_stuck_step *st = &it->steps[i];
        int rc;

        if (strcmp(st->how, "database") == 0 && !a->allow_db)
            continue; /* optional without --allow-db (else refused before) */
        if (strcmp(st->how, "database") == 0)
            rc = step_db(a, it, p);
        else if (strcmp(st->how, "placement") == 0)
            rc = step_placement(a, it, s);
        else if (p->confirm)
            rc = step_confirm(a, it);
        else
            rc = nova_reset_state(a->nv, it->in->uuid, p->reset);
        st->result = rc == 0 ? NE_APPLY_DONE : rc == 1 ? NE_APPLY_CHANGED : NE_APPLY_FAILED;
        if (rc != 0) return st->result;
        if (strcmp(st->how, "nova-api") == 0)
            ne_info("instance %s: %s (through the Nova API)", it->in->uuid, st->what);
    }
    return NE_APPLY_DONE;
}

int
ne_stuck_apply_api(struct ne_stuck_api *a, struct ne_stuck_scan *sc, struct ne_stuck_item *it,
                   struct ne_novasync *ns)
{
    struct ne_audit *audit = novasync_audit(ns);
    struct ne_api_plan p;
    struct ne_server s, after;
    int r;

    if (!ne_fix_changes(&it->fix)) return 0;
    if (ne_stuck_recheck(sc, it) == 0) {
        clear_steps(it);
        it->result = NE_APPLY_CHANGED;
        ne_warn("instance %s: libvirt shows something else now (%s); not repaired",
                it->in->uuid, it->fix.why);
        return 0;
    }
    ne_stuck_api_steps(it, a->allow_db);
    ne_stuck_api_plan(it->in, &it->fix, it->node, &p);
    if (p.db && !a->allow_db) {
        refuse_without_db(it, &p);
        ne_api_plan_clear(&p);
        return 0;
    }
    memset(&s, 0, sizeof s);
    memset(&after, 0, sizeof after);
    /* From the check of the record to the "after" line: one change, under
     * the lock every change to Nova takes. */
    if (novasync_lock(ns) < 0) {
        ne_api_plan_clear(&p);
        return -1;
    }
    r = server_unchanged(a, it, &s);
    if (r <= 0) {
        it->result = r == 0 ? NE_APPLY_CHANGED : NE_APPLY_FAILED;
        r = 0;
        goto out;
    }
    if (audit_state(a, audit, it, "before", &s) < 0) {
        r = -2; /* nothing changed, but no change may be made unlogged */
        goto out;
    }
    it->result = run_steps(a, it, &p, &s);
    r = nova_server_show(a->nv, it->in->uuid, &after);
    if (audit_state(a, audit, it, "after", r == 0 ? &after : NULL) < 0) {
        ne_error("instance %s: changed, but its \"after\" line is missing from %s",
                 it->in->uuid, audit_path(audit));
        r = -2;
    }
    if (it->result == NE_APPLY_DONE && r == 0)
        ne_info("instance %s: repaired through the API (%s): Nova says %s on %s", it->in->uuid,
                ne_fix_kind_name(it->fix.kind), after.status ? after.status : "-",
                after.host ? after.host : "-");
out:
    novasync_unlock(ns);
    ne_server_clear(&s);
    ne_server_clear(&after);
    ne_api_plan_clear(&p);
    return r == -2 ? -1 : 0;
}
