/* SPDX-License-Identifier: Apache-2.0 */
/* drain-run.c: running a drain plan: journal, resume of the attempt in
 * flight when the previous run died (from libvirt truth), the compute
 * service, and worker threads with global and per-destination limits. */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "drain/drain.h"
#include "images/image-cache.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/progress.h"
#include "util/runlock.h"

/* Journals ev (stolen) and, with --format json, prints it as a line. */
static void
emit(struct ne_drain *dr, const char *event, const struct ne_drain_item *it, json_t *extra)
{
    json_t *ev = json_pack("{s:s}", "event", event);

    if (it) {
        json_object_set_new(ev, "uuid", json_string(it->d->uuid));
        json_object_set_new(ev, "name", json_string(it->d->name));
        if (it->dest >= 0) json_object_set_new(ev, "dest", json_string(dr->hosts[it->dest].name));
    }
    if (extra) json_object_update(ev, extra);
    json_decref(extra);
    pthread_mutex_lock(&dr->lock);
    if (dr->o->json_events) {
        json_dumpf(ev, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
        putchar('\n');
        fflush(stdout);
    }
    if (dr->j) journal_append(dr->j, json_incref(ev));
    pthread_mutex_unlock(&dr->lock);
    json_decref(ev);
}

static struct ne_drain_item *
item_by_uuid(struct ne_drain *dr, const char *uuid)
{
    size_t i;
    for (i = 0; i < dr->n; i++)
        if (strcmp(dr->items[i].d->uuid, uuid) == 0) return &dr->items[i];
    return NULL;
}

/* The journal file as it is now (the records of this drain so far),
 * newly allocated, or NULL. */
static char *
read_journal(const char *path, size_t *len)
{
    FILE *f = fopen(path, "re");
    char *buf = NULL;
    size_t cap = 0, got;

    *len = 0;
    if (!f) return NULL;
    do {
        xgrow(&buf, &cap, *len + 65537, 1);
        got = fread(buf + *len, 1, 65536, f);
        *len += got;
    } while (got > 0);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

/* Whether what is at c's path now is what this tool created there: what
 * ne_made_matches says, or, for a file whose creation was journalled but
 * that the kill left no time to look at, a file no older than the record
 * (the move checks that the path is free before it records and creates). */
static bool
made_here(const struct ne_jcreated *c, const struct ne_file_stat *now)
{
    if (!now->exists) return false;
    if (c->m.seen || c->m.dir) return ne_made_matches(&c->m, now);
    return now->mtime > 0 && c->ts > 0 && now->mtime >= c->ts;
}

/* Removes the leftovers of earlier attempts of it that the journal proves
 * this tool created: each path of a "created" record (the latest record of
 * each host and path), on a host that does not define the instance, while
 * it is still what was created (made_here).  Files first, then the
 * instance directory, only if empty.  A host that cannot be reached is
 * said and skipped: nothing there is taken for absent. */
static void
clean_leftovers(struct ne_drain *dr, const struct ne_drain_item *it)
{
    struct ne_jreplay r;
    const struct ne_jcreated **c = NULL;
    size_t len = 0, n, i, j;
    CLEANUP_FREE char *text = dr->j ? read_journal(journal_path(dr->j), &len) : NULL;
    int pass;

    if (!text) return;
    journal_replay_buf(text, len, &r);
    n = journal_created_paths(&r, it->d->uuid, 0, &c);
    for (pass = 0; pass < 2; pass++)
        for (i = 0; i < n; i++) {
            struct ne_virt *v;
            struct ne_file_stat st;
            bool later = false;
            int on, fs;

            if (c[i]->m.dir != (pass == 1)) continue;
            for (j = i + 1; j < n && !later; j++)
                later = str_eq(c[j]->m.host, c[i]->m.host) && str_eq(c[j]->m.path, c[i]->m.path);
            if (later || str_eq(c[i]->m.host, dr->o->host)) continue;
            if (!(v = virt_open(dr->cfg, c[i]->m.host))) {
                ne_warn("%s: cannot check %s on %s (created by an earlier attempt): left there",
                        it->d->name, c[i]->m.path, c[i]->m.host);
                continue;
            }
            on = virt_domain_state(v, it->d->uuid, NULL, NULL);
            memset(&st, 0, sizeof st);
            if (c[i]->m.dir) {
                /* only the instance directory, and only when empty */
                CLEANUP_FREE char *idir = xasprintf("%s/%s", dr->cfg->instances_path, it->d->uuid);
                if (on == 0 && str_eq(c[i]->m.path, idir))
                    virt_remove_instance_dir(v, it->d->uuid, true);
                virt_close(v);
                continue;
            }
            fs = on == 0 ? virt_file_stat(v, c[i]->m.path, &st) : -1;
            if (on == 0 && fs == 1 && made_here(c[i], &st)) {
                if (virt_delete_file(v, c[i]->m.path) == 0)
                    ne_info("%s: removed %s on %s, left by an earlier attempt (journal %s)",
                            it->d->name, c[i]->m.path, c[i]->m.host, journal_path(dr->j));
            } else if (on == 0 && fs == 1) {
                ne_warn("%s: %s on %s is not what an earlier attempt created there: left alone",
                        it->d->name, c[i]->m.path, c[i]->m.host);
            } else if (on < 0 || (on == 0 && fs < 0)) {
                ne_warn("%s: cannot check %s on %s (created by an earlier attempt): left there",
                        it->d->name, c[i]->m.path, c[i]->m.host);
            }
            virt_close(v);
        }
    free(c);
    journal_replay_free(&r);
}

/* The files a move of it deletes on the source once the destination runs
 * it (what migrate.c and migrate-cold.c remove), as journal values
 * {"path", "capacity"}: a resume that finds the move completed removes
 * these and nothing else.  A live move without copy: none. */
static json_t *
source_files(const struct ne_drain_item *it)
{
    json_t *a = json_array();
    size_t i, k;

    for (i = 0; i < it->d->ndisks; i++) {
        const struct ne_disk *dk = &it->d->disks[i];
        bool copied = false;
        if (!ne_disk_is_local(dk) || !dk->source) continue;
        if (it->plan.method == NE_METHOD_COLD) copied = true;
        for (k = 0; k < it->plan.ncopy && !copied; k++) copied = str_eq(it->plan.copy[k], dk->target);
        for (k = 0; k < it->plan.nprecopy && !copied; k++) copied = it->plan.precopy[k] == dk;
        if (copied)
            json_array_append_new(a, json_pack("{s:s, s:I}", "path", dk->source, "capacity",
                                               (json_int_t)dk->capacity));
    }
    return a;
}

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

static int
host_index(const struct ne_drain *dr, const char *name)
{
    size_t k;
    for (k = 0; k < dr->nhosts; k++)
        if (str_eq(dr->hosts[k].name, name)) return (int)k;
    return -1;
}

/* The item of a journal entry: the instance as the source lists it, or,
 * when the source no longer defines it, a new item that only names it (so
 * that the summary and the exit code count it). */
static struct ne_drain_item *
item_of_entry(struct ne_drain *dr, const struct ne_jentry *e)
{
    struct ne_drain_item *it = item_by_uuid(dr, e->uuid);

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
    it->dest = host_index(dr, e->dest);
    it->state = NE_ITEM_FAILED;
    return it;
}

/* Leaves an interrupted move alone: not moved, never planned again in this
 * run, and the journal stays unfinished so that a later --resume settles
 * it.  why: what is unknown and the next step. */
static void
unresolved(struct ne_drain *dr, struct ne_drain_item *it, const struct ne_jentry *e,
           const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void
unresolved(struct ne_drain *dr, struct ne_drain_item *it, const struct ne_jentry *e,
           const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(it->why, sizeof it->why, fmt, ap);
    va_end(ap);
    it->state = NE_ITEM_FAILED;
    it->unresolved = true;
    it->dest = host_index(dr, e->dest);
    dr->unresolved++;
    ne_error("%s (%s): interrupted move to %s not settled: %s", it->d->name, it->d->uuid, e->dest,
             it->why);
    emit(dr, "unresolved", it, json_pack("{s:s, s:s}", "dest", e->dest, "reason", it->why));
}

/* Settled, but not moved: reported, counted as not moved, left alone. */
static void
not_moved(struct ne_drain *dr, struct ne_drain_item *it, const struct ne_jentry *e,
          const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void
not_moved(struct ne_drain *dr, struct ne_drain_item *it, const struct ne_jentry *e,
          const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(it->why, sizeof it->why, fmt, ap);
    va_end(ap);
    it->state = NE_ITEM_FAILED;
    it->dest = host_index(dr, e->dest);
    ne_error("%s (%s): %s", it->d->name, it->d->uuid, it->why);
    emit(dr, "failed", it, json_pack("{s:s}", "reason", it->why));
}

/* The move completed (the destination runs it, or defines it when it was
 * shut off): the source's definition goes, then the files the journal
 * shows this attempt's source had (source_files), each only while it
 * still has the recorded size (and, for a guest that does not run there,
 * while the destination has a copy of that size), and its instance
 * directory, as the normal path does.  Nothing is deleted when the
 * instances path is shared or that cannot be told. */
static void
finish_source(struct ne_drain *dr, const struct ne_jentry *e, json_t *attempt, int on_src,
              struct ne_virt *dst, bool running_there)
{
    json_t *files = json_object_get(attempt, "src_files"), *f;
    size_t i;
    int removed = 0, copied = 0, shared;

    if (on_src == 1 && virt_undefine(dr->src, e->uuid) < 0) return;
    if (!attempt || json_is_true(json_object_get(attempt, "keep_source")) ||
        dr->cfg->shared_instances || !json_is_array(files) || json_array_size(files) == 0) {
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
                continue;
            }
        }
        if (r < 0 || cap != want) {
            ne_warn("%s (%s): %s on %s %s: left in place", e->name, e->uuid, path, dr->o->host,
                    r < 0 ? "cannot be checked" : "is not the file the journal recorded");
            continue;
        }
        if (virt_delete_file(dr->src, path) == 0) {
            removed++;
            ne_info("%s: removed %s from %s (moved to %s)", e->name, path, dr->o->host, e->dest);
        }
    }
    if (copied) virt_remove_instance_dir(dr->src, e->uuid, false);
    (void)removed;
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
    if (fate.kind == NE_FATE_MOVED && on_dst == 1 && on_src == 0) {
        ne_info("%s: the interrupted migration through Nova to %s completed (%s)", it->d->name,
                e->dest, fate.what);
        it->state = NE_ITEM_MOVED;
        it->dest = host_index(dr, e->dest);
        emit(dr, "moved", NULL, json_pack("{s:s, s:s, s:s, s:b, s:b}", "uuid", e->uuid, "name",
                                         e->name, "dest", e->dest, "repaired", 1, "recorded", 1));
    } else if (fate.kind == NE_FATE_STAYED && on_src == 1 && on_dst == 0 &&
               item_by_uuid(dr, e->uuid) == it && it->d->state != NE_DOM_NOSTATE) {
        ne_info("%s: the interrupted migration through Nova did not happen (%s); it stays on %s "
                "and is moved again", it->d->name, fate.what, dr->o->host);
        emit(dr, "rolled-back", it, json_pack("{s:s}", "reason", "interrupted attempt undone by Nova"));
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
        emit(dr, "moved", NULL, json_pack("{s:s, s:s, s:s, s:b}", "uuid", e->uuid, "name", e->name,
                                         "dest", e->dest, "repaired", 1));
        if (dr->o->nova.record_move)
            dr->o->nova.record_move(dr->o->nova.ctx, e->uuid, dr->o->host, e->dest,
                                    d_st == NE_DOM_RUNNING);
        it->state = NE_ITEM_MOVED;
        it->dest = host_index(dr, e->dest);
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
            clean_leftovers(dr, it);
            it->start_policy = 1;
            emit(dr, "rolled-back", it, json_pack("{s:s}", "reason", "interrupted attempt undone"));
        }
    } else if (on_src == 1 && on_dst == 0 && it->d->state != NE_DOM_NOSTATE) {
        clean_leftovers(dr, it);
        if (e->was_running && s_st != NE_DOM_RUNNING) it->start_policy = 1;
        emit(dr, "rolled-back", it, json_pack("{s:s}", "reason", "interrupted attempt undone"));
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
        struct ne_drain_item *it = item_by_uuid(dr, e->uuid);
        if (e->state != NE_J_MOVED || !it || it->state != NE_ITEM_PENDING) continue;
        not_moved(dr, it, e, "the journal says it moved to %s, yet %s still defines it (%s): not "
                  "touched; run 'nova-evac stuck --host %s'", e->dest, dr->o->host,
                  ne_dom_state_name(it->d->state), dr->o->host);
    }
}

/* Every in-flight entry of the interrupted drain, settled or reported. */
static void
resume_all(struct ne_drain *dr)
{
    json_t *attempts = last_attempts(journal_path(dr->j));
    size_t i;

    for (i = 0; i < dr->prior.n; i++)
        if (dr->prior.e[i].state == NE_J_MIGRATING)
            resolve_inflight(dr, &dr->prior.e[i], json_object_get(attempts, dr->prior.e[i].uuid));
    check_moved_entries(dr);
    json_decref(attempts);
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
 * over the destinations that receive instances, rounded up (-j4 over two
 * destinations: 2 each; -j1: 1). */
static unsigned
per_dest_limit(const struct ne_drain *dr, unsigned nth)
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

/* How long, in all, one instance's retries wait for a libvirtd that does
 * not answer (a daemon restart takes seconds to a minute or two). */
#define NE_DRAIN_HOST_WAIT_S 300

/* Whether host's libvirtd answers now (the run's connection, reconnected
 * when it died). */
static bool
host_answers(struct ne_drain *dr, const char *host)
{
    struct ne_virt *v = virt_open(dr->cfg, host);
    struct ne_hostinfo hi;
    bool ok = v && virt_hostinfo(v, &hi) == 0;

    if (ok) ne_hostinfo_clear(&hi);
    virt_close(v);
    return ok;
}

/* The drain's source or to, whichever libvirtd does not answer now, or
 * NULL when both do. */
static const char *
host_down(struct ne_drain *dr, const char *to)
{
    if (!host_answers(dr, dr->o->host)) return dr->o->host;
    if (!host_answers(dr, to)) return to;
    return NULL;
}

/* Sleeps s seconds unless interrupted (then -1). */
static int
pause_interruptible(unsigned s)
{
    while (s-- > 0) {
        if (ne_migrate_interrupted()) return -1;
        sleep(1);
    }
    return ne_migrate_interrupted() ? -1 : 0;
}

/* Waits for host's libvirtd to answer again, probing it with a growing
 * pause (5 s, doubling, at most 30 s) and a countdown on stderr; *waited
 * counts the seconds this instance already waited, against
 * NE_DRAIN_HOST_WAIT_S.  0 when it answers, -1 when the time is up or
 * the drain is interrupted. */
static int
wait_for_host(struct ne_drain *dr, const struct ne_drain_item *it, const char *host,
              unsigned *waited)
{
    unsigned step = 5;

    while (*waited < NE_DRAIN_HOST_WAIT_S) {
        unsigned left = NE_DRAIN_HOST_WAIT_S - *waited, pause = step < left ? step : left;
        ne_info("%s: %s's libvirtd does not answer; waiting for it to come back (%u:%02u left, "
                "next try in %u s)", it->d->name, host, left / 60, left % 60, pause);
        if (pause_interruptible(pause) < 0) return -1;
        *waited += pause;
        step = step * 2 > 30 ? 30 : step * 2;
        if (host_answers(dr, host)) {
            ne_info("%s: %s's libvirtd answers again; retrying", it->d->name, host);
            return 0;
        }
    }
    return -1;
}

/* One instance, with retries while the source still holds it intact. */
static void
migrate_item(struct ne_drain *dr, struct ne_drain_item *it)
{
    const char *to = dr->hosts[it->dest].name;
    struct ne_mig_opts mo = dr->o->mig;
    struct ne_mig_result r;
    double t0 = ne_now();
    unsigned quick = 0, waited = 0;
    char gave_up[384] = "";

    memset(&r, 0, sizeof r);
    mo.start_policy = it->start_policy;
    mo.journal = journal_mig_hooks(dr->j);
    for (;;) {
        struct ne_virt *src = virt_open(dr->cfg, dr->o->host), *dst = virt_open(dr->cfg, to);
        const char *down;
        if (!dr->o->nova.migrate) clean_leftovers(dr, it);
        it->attempts++;
        emit(dr, "migrating", it, json_pack("{s:i, s:s, s:b, s:s, s:b, s:o}", "attempt",
                                            (int)it->attempts, "method",
                                            ne_method_name(it->plan.method), "was_running",
                                            it->d->state == NE_DOM_RUNNING || it->start_policy == 1,
                                            "via", dr->o->nova.migrate ? "nova" : "libvirt",
                                            "keep_source", dr->o->mig.keep_source_disks,
                                            "src_files", source_files(it)));
        if (dr->o->nova.migrate)
            it->rc = dr->o->nova.migrate(dr->o->nova.ctx, it->d, &it->plan, dr->o->host, to, &r);
        else
            it->rc = src && dst ? ne_migrate_instance(src, dst, it->d->uuid, &mo, &r)
                                : NE_EXIT_UNREACHABLE;
        virt_close(src);
        virt_close(dst);
        if (it->rc == 0) break;
        if (it->rc == NE_EXIT_REFUSED || it->rc == NE_EXIT_USAGE || ne_migrate_interrupted())
            break;
        /* A libvirtd that does not answer (restarting, or down for a
         * while) heals by waiting: up to 5 minutes in all, whatever
         * --retries says; any other failure gets --retries quick tries. */
        if (!dr->o->nova.migrate && (down = host_down(dr, to))) {
            if (wait_for_host(dr, it, down, &waited) < 0) {
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
            if (pause_interruptible(pause) < 0) break;
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
        emit(dr, "moved", it, json_pack("{s:b, s:f, s:f, s:I, s:I, s:I}", "recorded",
                                        !it->unrecorded, "seconds", it->seconds,
                                        "job_seconds", r.st.seconds,
                                        "downtime_ms", (json_int_t)r.st.downtime_ms, "disk_bytes",
                                        (json_int_t)r.st.disk_processed, "data_bytes",
                                        (json_int_t)(r.st.data_processed + r.st.files_bytes)));
    } else {
        it->state = NE_ITEM_FAILED;
        if (gave_up[0])
            snprintf(it->why, sizeof it->why, "%s", gave_up);
        else
            snprintf(it->why, sizeof it->why, "%s (exit %d); it stays on %s",
                     it->rc == NE_EXIT_REFUSED ? "refused by a safety check" :
                     r.aborted ? "migration aborted" : "migration failed", it->rc, dr->o->host);
        emit(dr, "failed", it, json_pack("{s:s, s:i}", "reason", it->why, "exit", it->rc));
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
        if (dr->items[i].state == NE_ITEM_MOVED || dr->items[i].state == NE_ITEM_FAILED) done++;
    }
    if (done && done < total)
        snprintf(eta, sizeof eta, ", about %.0f s left", elapsed / (double)done * (double)(total - done));
    if (it->state == NE_ITEM_MOVED)
        ne_info("[%zu/%zu] %s moved to %s; %.0f s elapsed%s", done, total, it->d->name,
                dr->hosts[it->dest].name, elapsed, eta);
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
        pthread_mutex_unlock(&dr->lock);
        slot = ne_inflight_add(it->d->name); /* named if interrupted twice */
        migrate_item(dr, it);
        ne_inflight_remove(slot);
        pthread_mutex_lock(&dr->lock);
        overall(dr, it);
        dr->hosts[it->dest].running--;
        pthread_cond_broadcast(&dr->cond);
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
    struct ne_stage_opts so = {.stage = true, .parallel = 2};
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
            struct ne_drain_item *it = item_by_uuid(dr, base->uuids[i]);
            if (!it || it->state != NE_ITEM_PENDING) continue;
            it->state = NE_ITEM_FAILED;
            snprintf(it->why, sizeof it->why, "base image %s could not be staged on %s (%s): %s",
                     base->name, dr->hosts[sj->k].name, ne_dest_state_name(base->dests[0].state),
                     base->dests[0].why);
            emit(dr, "failed", it, json_pack("{s:s}", "reason", it->why));
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
    size_t i, moved = 0, failed = 0, todo = 0;

    for (i = 0; i < dr->n; i++) {
        if (dr->items[i].state == NE_ITEM_MOVED && !dr->items[i].unrecorded) moved++;
        else if (dr->items[i].state == NE_ITEM_MOVED) todo++; /* moved, Nova not told */
        else if (dr->items[i].state == NE_ITEM_FAILED || dr->items[i].dest < 0) failed++;
        else todo++;
    }
    if (dr->unresolved)
        ne_warn("drain %s: %zu interrupted move%s not settled (see above): the journal stays open; "
                "run 'nova-evac drain %s --resume' once the next step is done", dr->o->host,
                dr->unresolved, dr->unresolved == 1 ? "" : "s", dr->o->host);
    else if (!ne_migrate_interrupted())
        emit(dr, "finish", NULL, json_pack("{s:s, s:i, s:i, s:f}", "host", dr->o->host, "moved",
                                           (int)moved, "not_moved", (int)(failed + todo), "seconds",
                                           ne_now() - dr->t0));
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
        emit(dr, "failed", it, json_pack("{s:s}", "reason", it->why));
    }
}

int
ne_drain_run(struct ne_drain *dr)
{
    const struct ne_drain_opts *o = dr->o;
    CLEANUP_FREE pthread_t *th = NULL;
    unsigned nth = o->max_parallel ? o->max_parallel : 1, t, nw;
    size_t i;
    int rc;

    dr->t0 = ne_now();
    if ((rc = open_journal(dr)) != 0) return rc;
    lock_instances(dr);
    if (o->resume) resume_all(dr);
    if (o->nova.disable && o->nova.disable(o->nova.ctx, o->host, o->reason) < 0) {
        ne_error("drain %s: cannot disable its compute service; nothing moved", o->host);
        return NE_EXIT_UNREACHABLE;
    }
    dr->per_dest = per_dest_limit(dr, nth);
    emit(dr, "start", NULL, json_pack("{s:s, s:s, s:i, s:b, s:i, s:i}", "host", o->host, "reason",
                                      o->reason ? o->reason : "", "instances", (int)dr->n, "resume",
                                      o->resume, "max_parallel", (int)nth, "max_per_dest",
                                      (int)dr->per_dest));
    for (i = 0; i < dr->n; i++) {
        struct ne_drain_item *it = &dr->items[i];
        if (it->state == NE_ITEM_PENDING && it->dest < 0)
            emit(dr, "failed", it, json_pack("{s:s}", "reason", it->why));
        else if (it->state == NE_ITEM_PENDING)
            emit(dr, "planned", it, json_pack("{s:s, s:i}", "method",
                                              ne_method_name(it->plan.method), "row", it->plan.row));
    }
    if (o->stage_images) stage_all(dr);
    if (nth > 1) progress_disable();
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
    return finish(dr);
}
