/* SPDX-License-Identifier: Apache-2.0 */
/* drain-leftovers.c: what earlier attempts of a move left, from the
 * journal: the files they created on a destination and the .part of an
 * interrupted base image staging (removed only while still what was
 * created), and the files a move deletes on the source. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "drain/drain-int.h"
#include "images/image-cache.h"
#include "util/log.h"
#include "util/mem.h"

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
void
drain_clean_leftovers(struct ne_drain *dr, const struct ne_drain_item *it)
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

            if (c[i]->m.dir != (pass == 1) || str_suffix(c[i]->m.path, NE_PART_SUFFIX))
                continue; /* a staging .part: drain_clean_parts, under its lock */
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
json_t *
drain_source_files(const struct ne_drain_item *it)
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

/* ---- base image staging: what it creates is journalled (rule 7) */

static int
stage_created(void *ctx, const char *uuid, const char *host, const char *path)
{
    struct ne_drain *dr = ctx;
    return journal_created(dr->j, uuid, host, path, false);
}

static int
stage_identity(void *ctx, const char *uuid, const char *host, const char *path,
               const struct ne_file_stat *st)
{
    struct ne_drain *dr = ctx;
    return journal_identity(dr->j, uuid, host, path, st);
}

static void
stage_staged(void *ctx, const char *uuid, const char *host, const char *path)
{
    struct ne_drain *dr = ctx;

    (void)uuid; /* not an instance's step: replay ignores a record without one */
    if (dr->j)
        journal_append(dr->j, json_pack("{s:s, s:s, s:s}", "event", "staged", "host", host,
                                        "path", path));
}

/* Whether the latest created record of path on host (whichever instance
 * it was recorded under) is what is there now (made_here). */
static bool
stage_ours(void *ctx, const char *host, const char *path, const struct ne_file_stat *now)
{
    struct ne_drain *dr = ctx;
    struct ne_jreplay r;
    size_t len = 0, i;
    CLEANUP_FREE char *text = dr->j ? read_journal(journal_path(dr->j), &len) : NULL;
    bool ours = false;

    if (!text) return false;
    journal_replay_buf(text, len, &r);
    for (i = r.nc; i-- > 0;)
        if (str_eq(r.c[i].m.host, host) && str_eq(r.c[i].m.path, path)) {
            ours = !r.c[i].m.dir && made_here(&r.c[i], now);
            break;
        }
    journal_replay_free(&r);
    return ours;
}

struct ne_stage_journal
drain_stage_journal(struct ne_drain *dr)
{
    struct ne_stage_journal sj = {stage_created, stage_identity, stage_staged, stage_ours, dr};
    return sj;
}

void
drain_clean_parts(struct ne_drain *dr)
{
    struct ne_stage_journal sj = drain_stage_journal(dr);
    struct ne_jreplay r;
    size_t len = 0, i, k;
    CLEANUP_FREE char *text = dr->j ? read_journal(journal_path(dr->j), &len) : NULL;

    if (!text) return;
    journal_replay_buf(text, len, &r);
    for (i = 0; i < r.nc; i++) {
        const struct ne_made *m = &r.c[i].m;
        struct ne_virt *v;
        bool later = false;

        if (m->dir || !str_suffix(m->path, NE_PART_SUFFIX)) continue;
        for (k = i + 1; k < r.nc && !later; k++)
            later = str_eq(r.c[k].m.host, m->host) && str_eq(r.c[k].m.path, m->path);
        if (later) continue;
        if (!(v = virt_open(dr->cfg, m->host))) {
            ne_warn("cannot check %s on %s (left by an interrupted staging): left there", m->path,
                    m->host);
            continue;
        }
        ne_stage_clean_part(dr->cfg, v, m->path, &sj);
        virt_close(v);
    }
    journal_replay_free(&r);
}
