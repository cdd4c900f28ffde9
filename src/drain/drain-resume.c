/* SPDX-License-Identifier: Apache-2.0 */
/* drain-resume.c: drain --resume: every move the interrupted run left in
 * flight is settled from evidence (libvirt on both hosts, and Nova for a
 * move through Nova) or reported with its next step and left alone, never
 * planned again while its outcome is unknown. */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "drain/drain-int.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/mem.h"

/* The last "migrating" record of every instance in the journal text of
 * this (unfinished) drain, uuid -> event, with "steps": the events of the
 * instance recorded after it (created, defined, started...).  Read once,
 * before the resume appends anything. */
static json_t *
last_attempts(const char *path)
{
    json_t *by = json_object();
    FILE *f = fopen(path, "re");
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;

    if (!f) return by;
    while ((len = getline(&line, &cap, f)) > 0) {
        json_t *ev = json_loadb(line, (size_t)len, 0, NULL), *last;
        const char *uuid = json_string_value(json_object_get(ev, "uuid"));
        const char *what = json_string_value(json_object_get(ev, "event"));
        if (uuid && str_eq(what, "migrating")) {
            json_object_set_new(ev, "steps", json_array());
            json_object_set(by, uuid, ev);
        } else if (uuid && what && (last = json_object_get(by, uuid))) {
            json_array_append_new(json_object_get(last, "steps"), json_string(what));
        }
        json_decref(ev);
    }
    free(line);
    fclose(f);
    return by;
}

/* Whether the attempt's records after "migrating" include event. */
static bool
attempt_did(json_t *attempt, const char *event)
{
    json_t *v;
    size_t i;

    json_array_foreach(json_object_get(attempt, "steps"), i, v)
        if (str_eq(json_string_value(v), event)) return true;
    return false;
}

/* The item of a journal entry: the instance as the source lists it, or,
 * when the source no longer defines it, a new item that only names it (so
 * that the summary and the exit code count it). */
static struct ne_drain_item *
item_of_entry(struct ne_drain *dr, const struct ne_jentry *e)
{
    struct ne_drain_item *it = drain_item_by_uuid(dr, e->uuid);

    if (it) return it;
    dr->items = xrealloc(dr->items, (dr->n + 2) * sizeof *dr->items);
    it = &dr->items[dr->n++];
    memset(it, 0, sizeof *it);
    memset(&dr->items[dr->n], 0, sizeof *it);
    it->d = xcalloc(1, sizeof *it->d);
    it->d->name = xstrdup(e->name[0] ? e->name : e->uuid);
    snprintf(it->d->uuid, sizeof it->d->uuid, "%s", e->uuid);
    it->d->state = NE_DOM_NOSTATE;
    it->plan.method = NE_METHOD_REFUSE;
    snprintf(it->plan.reason, sizeof it->plan.reason, "not on the source: %s", "interrupted move");
    it->dest = drain_host_index(dr, e->dest);
    it->state = NE_ITEM_FAILED;
    return it;
}

/* An in-flight entry the resume does not move: counted as not moved,
 * never planned again in this run.  unknown: its outcome could not be
 * told (unresolved: the journal stays unfinished so that a later --resume
 * settles it); else it was settled, but not moved.  why (fmt): what is
 * unknown or wrong, and the next step. */
static void
left_alone(struct ne_drain *dr, struct ne_drain_item *it, const struct ne_jentry *e, bool unknown,
           const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void
left_alone(struct ne_drain *dr, struct ne_drain_item *it, const struct ne_jentry *e, bool unknown,
           const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(it->why, sizeof it->why, fmt, ap);
    va_end(ap);
    it->state = NE_ITEM_FAILED;
    if (!unknown) {
        it->dest = drain_host_index(dr, e->dest);
        ne_error("%s (%s): %s", it->d->name, it->d->uuid, it->why);
        drain_emit(dr, "failed", it, json_pack("{s:s}", "reason", it->why));
        return;
    }
    /* no destination: where it is, is what is unknown (the plan shows it) */
    it->unresolved = true;
    it->dest = -1;
    dr->unresolved++;
    {
        CLEANUP_FREE char *why = xstrdup(it->why);
        snprintf(it->why, sizeof it->why, "interrupted move to %s not settled: %s", e->dest, why);
    }
    ne_error("%s (%s): %s", it->d->name, it->d->uuid, it->why);
    drain_emit(dr, "unresolved", it, json_pack("{s:s, s:s}", "dest", e->dest, "reason", it->why));
}
#define unresolved(dr, it, e, ...) left_alone(dr, it, e, true, __VA_ARGS__)
#define not_moved(dr, it, e, ...) left_alone(dr, it, e, false, __VA_ARGS__)

/* The move completed (the destination runs it, or defines it when it was
 * shut off): the source's definition goes, then, as the normal path does
 * after a move that copied (every cold move, a live one with copied
 * disks), the files the journal shows this attempt's source had
 * (source_files), each only while it still has the recorded size (and,
 * for a guest that does not run there, while the destination has a copy
 * of that size), and its instance directory (Nova refuses a later move
 * back while it exists), unless a file was kept.  Nothing is deleted
 * when the instances path is shared or that cannot be told. */
static void
finish_source(struct ne_drain *dr, const struct ne_jentry *e, json_t *attempt, int on_src,
              struct ne_virt *dst, bool running_there)
{
    json_t *files = json_object_get(attempt, "src_files"), *f;
    bool cold = str_eq(json_string_value(json_object_get(attempt, "method")), "cold");
    size_t i;
    int copied = 0, kept = 0, shared;

    if (on_src == 1 && virt_undefine(dr->src, e->uuid) < 0) return;
    if (!attempt || json_is_true(json_object_get(attempt, "keep_source")) ||
        dr->cfg->shared_instances || !json_is_array(files) ||
        (json_array_size(files) == 0 && !cold)) {
        if (!attempt)
            ne_warn("%s (%s): the journal does not say which files it had on %s: none removed "
                    "there; check %s/%s", e->name, e->uuid, dr->o->host, dr->cfg->instances_path,
                    e->uuid);
        return;
    }
    /* the same directory on both hosts: the source's files are the guest's */
    shared = virt_dir_shared(dr->src, dst, dr->cfg->instances_path);
    if (shared != 0) {
        if (shared < 0)
            ne_warn("%s (%s): cannot tell whether %s is shared between %s and %s: its files on "
                    "%s are left; remove %s/%s there once you know it is not", e->name, e->uuid,
                    dr->cfg->instances_path, dr->o->host, e->dest, dr->o->host,
                    dr->cfg->instances_path, e->uuid);
        return;
    }
    json_array_foreach(files, i, f) {
        const char *path = json_string_value(json_object_get(f, "path"));
        uint64_t want = (uint64_t)json_integer_value(json_object_get(f, "capacity")), cap = 0;
        int r;
        if (!path) continue;
        copied++;
        r = virt_file_info(dr->src, path, &cap, NULL, NULL);
        if (r == 0) continue; /* already gone */
        if (!running_there) {
            /* a shut-off guest: its copy on the destination must be whole */
            uint64_t dcap = 0;
            if (virt_file_info(dst, path, &dcap, NULL, NULL) != 1 || dcap != want) {
                ne_warn("%s (%s): %s on %s is kept: %s has no copy of the recorded size", e->name,
                        e->uuid, path, dr->o->host, e->dest);
                kept++;
                continue;
            }
        }
        if (r < 0 || cap != want) {
            ne_warn("%s (%s): %s on %s %s: left in place", e->name, e->uuid, path, dr->o->host,
                    r < 0 ? "cannot be checked" : "is not the file the journal recorded");
            kept++;
            continue;
        }
        if (virt_delete_file(dr->src, path) == 0)
            ne_info("%s: removed %s from %s (moved to %s)", e->name, path, dr->o->host, e->dest);
        else
            kept++;
    }
    if (kept)
        ne_warn("%s (%s): %s/%s on %s is kept with the file(s) left above; remove it once they "
                "are not needed (Nova refuses to move the instance back while it exists)", e->name,
                e->uuid, dr->cfg->instances_path, e->uuid, dr->o->host);
    else if (copied || cold)
        virt_remove_instance_dir(dr->src, e->uuid, false);
}

/* --via nova: the interrupted run asked Nova to move it.  Nova's view
 * first (waits while Nova works; confirms the resize Nova waits for), then
 * libvirt on both hosts must agree; nothing is deleted, undefined or
 * recorded by this tool. */
static void
resolve_nova(struct ne_drain *dr, struct ne_drain_item *it, const struct ne_jentry *e,
             struct ne_virt *dst)
{
    struct ne_nova_fate fate;
    int s_st = 0, d_st = 0, on_src, on_dst;

    memset(&fate, 0, sizeof fate);
    if (!dr->o->nova.settle_inflight) {
        unresolved(dr, it, e, "the interrupted run moved it through Nova: resume with "
                   "'nova-evac drain %s --resume --via nova'", dr->o->host);
        return;
    }
    if (dr->o->nova.settle_inflight(dr->o->nova.ctx, e->uuid, it->d->name, dr->o->host, e->dest,
                                    &fate) < 0) {
        unresolved(dr, it, e, "the Nova API cannot be reached; bring it back, then 'nova-evac "
                   "drain %s --resume'", dr->o->host);
        return;
    }
    if (fate.kind == NE_FATE_BUSY) {
        unresolved(dr, it, e, "Nova is still working on it (%s): let Nova finish, then "
                   "'nova-evac drain %s --resume'", fate.what, dr->o->host);
        return;
    }
    on_src = virt_domain_state(dr->src, e->uuid, &s_st, NULL);
    on_dst = virt_domain_state(dst, e->uuid, &d_st, NULL);
    if (on_src < 0 || on_dst < 0) {
        const char *h = on_src < 0 ? dr->o->host : e->dest;
        unresolved(dr, it, e, "Nova says %s, but %s's libvirt cannot be reached to confirm it; "
                   "bring %s's libvirtd back, then 'nova-evac drain %s --resume'", fate.what, h, h,
                   dr->o->host);
        return;
    }
    if (fate.kind == NE_FATE_GONE && on_src == 0 && on_dst == 0) {
        it->dest = drain_host_index(dr, e->dest);
        drain_gone(dr, it, e->dest, "after the interrupted migration through Nova, Nova answers "
                   "404 for it and libvirt defines it on neither host");
    } else if (fate.kind == NE_FATE_MOVED && on_dst == 1 && on_src == 0) {
        ne_info("%s: the interrupted migration through Nova to %s completed (%s)", it->d->name,
                e->dest, fate.what);
        it->state = NE_ITEM_MOVED;
        it->dest = drain_host_index(dr, e->dest);
        drain_emit(dr, "moved", NULL, json_pack("{s:s, s:s, s:s, s:b, s:b}", "uuid", e->uuid, "name",
                                         e->name, "dest", e->dest, "repaired", 1, "recorded", 1));
    } else if (fate.kind == NE_FATE_STAYED && on_src == 1 && on_dst == 0 &&
               drain_item_by_uuid(dr, e->uuid) == it && it->d->state != NE_DOM_NOSTATE) {
        ne_info("%s: the interrupted migration through Nova did not happen (%s); it stays on %s "
                "and is moved again", it->d->name, fate.what, dr->o->host);
        drain_emit(dr, "rolled-back", it, json_pack("{s:s}", "reason", "interrupted attempt undone by Nova"));
    } else {
        not_moved(dr, it, e, "after the interrupted migration through Nova, Nova says %s while "
                  "libvirt shows it %s on %s and %s on %s: not touched; run 'nova-evac stuck "
                  "--host %s'", fate.what, on_src == 1 ? ne_dom_state_name(s_st) : "absent",
                  dr->o->host, on_dst == 1 ? ne_dom_state_name(d_st) : "absent", e->dest,
                  dr->o->host);
    }
}

/* The attempt in flight when the previous run died: settled from what
 * both hosts' libvirt show (and Nova, for a move through Nova), or left
 * alone and reported.  Never planned again while its outcome is unknown. */
static void
resolve_inflight(struct ne_drain *dr, const struct ne_jentry *e, json_t *attempt)
{
    struct ne_drain_item *it = item_of_entry(dr, e);
    bool via_nova = str_eq(json_string_value(json_object_get(attempt, "via")), "nova");
    struct ne_virt *dst = virt_open(dr->cfg, e->dest);
    int s_st = 0, d_st = 0, on_src, on_dst = -1, waited = 0;
    bool d_pers = false;

    if (!dst) {
        unresolved(dr, it, e, "%s's libvirt cannot be reached; bring %s's libvirtd back, then "
                   "'nova-evac drain %s --resume'", e->dest, e->dest, dr->o->host);
        return;
    }
    if (via_nova) {
        resolve_nova(dr, it, e, dst);
        virt_close(dst);
        return;
    }
    while (virt_job_active(dr->src, e->uuid) == 1 && waited++ < 1800) {
        if (waited == 1) ne_info("%s: waiting for the migration job left by the interrupted run", e->name);
        if (ne_sleep_interruptible(1) < 0) break;
    }
    if (ne_interrupted() && virt_job_active(dr->src, e->uuid) == 1) {
        unresolved(dr, it, e, "interrupted while the migration job left by the earlier run still "
                   "ran; 'nova-evac drain %s --resume' settles it", dr->o->host);
        virt_close(dst);
        return;
    }
    on_src = virt_domain_state(dr->src, e->uuid, &s_st, NULL);
    if (on_src >= 0) on_dst = virt_domain_state(dst, e->uuid, &d_st, &d_pers);
    if (on_src < 0 || on_dst < 0) {
        const char *h = on_src < 0 ? dr->o->host : e->dest;
        unresolved(dr, it, e, "%s's libvirt cannot be reached; bring %s's libvirtd back, then "
                   "'nova-evac drain %s --resume'", h, h, dr->o->host);
    } else if (on_dst == 1 && d_pers && (d_st == NE_DOM_RUNNING || !e->was_running) &&
               !(on_src == 1 && s_st != NE_DOM_SHUTOFF)) {
        ne_info("%s: the interrupted migration to %s completed; recorded as moved", e->name, e->dest);
        finish_source(dr, e, attempt, on_src, dst, d_st == NE_DOM_RUNNING);
        /* its ports follow it (the interrupted run may not have switched them) */
        if (ne_net_settle(&dr->o->mig, e->uuid, e->name, dr->o->host, e->dest) != 0)
            it->unrecorded = true;
        drain_emit(dr, "moved", NULL, json_pack("{s:s, s:s, s:s, s:b}", "uuid", e->uuid, "name", e->name,
                                         "dest", e->dest, "repaired", 1));
        if (dr->o->nova.record_move)
            dr->o->nova.record_move(dr->o->nova.ctx, e->uuid, dr->o->host, e->dest,
                                    d_st == NE_DOM_RUNNING);
        it->state = NE_ITEM_MOVED;
        it->dest = drain_host_index(dr, e->dest);
    } else if (on_src == 1 && s_st == NE_DOM_SHUTOFF && on_dst == 1 && d_pers &&
               d_st == NE_DOM_SHUTOFF && e->was_running && it->d->state != NE_DOM_NOSTATE &&
               attempt_did(attempt, NE_MIG_STEP_DEFINED) &&
               !attempt_did(attempt, NE_MIG_STEP_STARTED)) {
        /* a cold move killed between its define and its start on dst: the
         * guest never ran there (the journal says so), the source holds
         * it whole: the definition this attempt made goes, then its files */
        if (virt_undefine(dst, e->uuid) < 0) {
            not_moved(dr, it, e, "the definition the interrupted attempt made on %s cannot be "
                      "removed (above): not touched; run 'nova-evac stuck --host %s'", e->dest,
                      dr->o->host);
        } else {
            ne_info("%s: the interrupted attempt had defined it on %s but not started it there: "
                    "undone", e->name, e->dest);
            drain_clean_leftovers(dr, it);
            if (attempt_did(attempt, NE_MIG_BIND_CREATED))
                ne_net_release(&dr->o->mig, e->uuid, e->name, e->dest);
            it->start_policy = 1;
            drain_emit(dr, "rolled-back", it, json_pack("{s:s}", "reason", "interrupted attempt undone"));
        }
    } else if (on_src == 1 && on_dst == 0 && it->d->state != NE_DOM_NOSTATE) {
        drain_clean_leftovers(dr, it);
        if (attempt_did(attempt, NE_MIG_BIND_CREATED))
            ne_net_release(&dr->o->mig, e->uuid, e->name, e->dest);
        if (e->was_running && s_st != NE_DOM_RUNNING) it->start_policy = 1;
        drain_emit(dr, "rolled-back", it, json_pack("{s:s}", "reason", "interrupted attempt undone"));
    } else if (on_src == 0 && on_dst == 0 && dr->o->nova.gone &&
               dr->o->nova.gone(dr->o->nova.ctx, e->uuid) == 1) {
        drain_clean_leftovers(dr, it);
        it->dest = drain_host_index(dr, e->dest);
        drain_gone(dr, it, e->dest, "after the interrupted attempt, Nova answers 404 for it and "
                   "libvirt defines it on neither host");
    } else if (on_src == 0 && on_dst == 0) {
        not_moved(dr, it, e, "after the interrupted attempt it is defined on neither %s nor %s: "
                  "not touched; look for it with 'nova-evac stuck --host %s'", dr->o->host,
                  e->dest, dr->o->host);
    } else {
        not_moved(dr, it, e, "after the interrupted attempt it is %s on %s and %s%s on %s: not "
                  "touched; run 'nova-evac stuck --host %s'",
                  on_src == 1 ? ne_dom_state_name(s_st) : "absent", dr->o->host,
                  on_dst == 1 ? ne_dom_state_name(d_st) : "absent",
                  on_dst == 1 && !d_pers ? " (transient)" : "", e->dest, dr->o->host);
    }
    virt_close(dst);
}

/* Journal entries already settled as moved whose instance the source still
 * defines: left alone (moving it again would run it twice). */
static void
check_moved_entries(struct ne_drain *dr)
{
    size_t i;

    for (i = 0; i < dr->prior.n; i++) {
        const struct ne_jentry *e = &dr->prior.e[i];
        struct ne_drain_item *it = drain_item_by_uuid(dr, e->uuid);
        if (e->state != NE_J_MOVED || !it || it->state != NE_ITEM_PENDING) continue;
        not_moved(dr, it, e, "the journal says it moved to %s, yet %s still defines it (%s): not "
                  "touched; run 'nova-evac stuck --host %s'", e->dest, dr->o->host,
                  ne_dom_state_name(it->d->state), dr->o->host);
    }
}

/* Journal entries of instances deleted in Nova during the interrupted run
 * ("gone"): never tried again; one the source defines again is left
 * alone and reported (Nova answered 404 for it then). */
static void
check_gone_entries(struct ne_drain *dr)
{
    size_t i;

    for (i = 0; i < dr->prior.n; i++) {
        const struct ne_jentry *e = &dr->prior.e[i];
        struct ne_drain_item *it = drain_item_by_uuid(dr, e->uuid);
        if (e->state != NE_J_GONE || !it || it->state != NE_ITEM_PENDING) continue;
        not_moved(dr, it, e, "the journal says it was deleted in Nova during the interrupted "
                  "drain (Nova answered 404 for it), yet %s defines it (%s): not touched; run "
                  "'nova-evac stuck --host %s'", dr->o->host, ne_dom_state_name(it->d->state),
                  dr->o->host);
    }
}

/* Every in-flight entry of the interrupted drain, settled or reported. */
void
drain_resume_all(struct ne_drain *dr)
{
    json_t *attempts = last_attempts(journal_path(dr->j));
    size_t i;

    drain_clean_parts(dr);

    for (i = 0; i < dr->prior.n; i++)
        if (dr->prior.e[i].state == NE_J_MIGRATING)
            resolve_inflight(dr, &dr->prior.e[i], json_object_get(attempts, dr->prior.e[i].uuid));
    check_moved_entries(dr);
    check_gone_entries(dr);
    json_decref(attempts);
}
