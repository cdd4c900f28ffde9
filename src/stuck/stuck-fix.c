/* SPDX-License-Identifier: Apache-2.0 */
/* stuckfix.c: see stuckfix.h. */
#include <config.h>

#include <string.h>

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

json_t *
ne_stuck_item_json(const struct ne_stuck_item *it)
{
    const struct ne_nova_inst *in = it->in;
    json_t *truths = json_array();
    size_t i;

    for (i = 0; i < it->nt; i++) json_array_append_new(truths, truth_json(&it->t[i]));
    return json_pack("{s:s, s:s?, s:{s:s?, s:s?, s:s?, s:s?, s:i, s:I, s:s?, s:o}, s:o, s:o, "
                     "s:o, s:s, s:s?, s:s?, s:o, s:s}",
                     "uuid", in->uuid, "name", in->name, "nova", "host", in->host, "node",
                     in->node, "vm_state", in->vm_state, "task_state", in->task_state,
                     "power_state", in->power_state, "age_s", (json_int_t)in->age_s, "image_ref",
                     in->image_ref, "image_deleted", tri(in->image_deleted), "migration",
                     mig_json(&in->mig), "suspect_because", why_json(in->why), "libvirt", truths,
                     "action", ne_fix_kind_name(it->fix.kind), "reason", it->fix.why, "next",
                     it->fix.next, "repair", repair_json(it), "result",
                     ne_apply_result_name(it->result));
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
