/* SPDX-License-Identifier: Apache-2.0 */
/* migrate-made.c: what a move creates on its destination, recorded before
 * each creation (through the caller's journal when there is one) with what
 * the host shows right after, and the cleanup that removes only that, and
 * only while it is still what was created (rule 7).  A file found at a
 * path before the move is never recorded, so never removed. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "migrate/migrate.h"
#include "util/log.h"
#include "util/mem.h"

void
ne_made_init(struct ne_made_list *l, const struct ne_domain *d, const struct ne_mig_opts *o)
{
    memset(l, 0, sizeof *l);
    l->uuid = d->uuid;
    l->name = d->name;
    l->j = &o->journal;
}

/* Appends an entry and journals it; -1 when the journal failed. */
static int
record(struct ne_made_list *l, struct ne_virt *dst, const char *path, bool dir)
{
    struct ne_made *m;

    xgrow(&l->m, &l->cap, l->n + 1, sizeof *l->m);
    m = &l->m[l->n];
    memset(m, 0, sizeof *m);
    snprintf(m->host, sizeof m->host, "%s", virt_host(dst));
    m->path = xstrdup(path);
    m->dir = dir;
    if (l->j->created && l->j->created(l->j->ctx, l->uuid, m) < 0) {
        ne_error("%s (%s): cannot journal the creation of %s on %s: not created; nothing more is "
                 "started (see the journal error above)", l->name, l->uuid, path, m->host);
        free(m->path);
        return -1;
    }
    l->n++;
    return 0;
}

static bool
listed(const struct ne_made_list *l, const char *path)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        if (str_eq(l->m[i].path, path)) return true;
    return false;
}

int
ne_made_begin(struct ne_made_list *l, struct ne_virt *dst, const char *path)
{
    const char *slash = strrchr(path, '/');
    CLEANUP_FREE char *dir = slash && slash != path ? xstrndup(path, (size_t)(slash - path)) : NULL;
    struct ne_file_stat st;
    int r;

    if (dir && !listed(l, dir)) {
        r = virt_file_stat(dst, dir, &st);
        if (r < 0) {
            ne_error("%s (%s): cannot check %s on %s before creating %s there", l->name, l->uuid,
                     dir, virt_host(dst), path);
            return -1;
        }
        if (r == 0 && record(l, dst, dir, true) < 0) return -1;
    }
    return record(l, dst, path, false);
}

void
ne_made_end(struct ne_made_list *l, struct ne_virt *dst, bool created)
{
    size_t i = l->n;

    while (i-- > 0) {
        struct ne_made *m = &l->m[i];
        int r;

        if (m->seen) continue;
        r = virt_file_stat(dst, m->path, &m->st);
        if (!m->dir && !created) {
            /* not ours, or already removed by the failed creation */
            free(m->path);
            memmove(m, m + 1, (l->n - i - 1) * sizeof *m);
            l->n--;
            continue;
        }
        if (r == 1) {
            m->seen = true;
            if (l->j->identity) l->j->identity(l->j->ctx, l->uuid, m);
        }
    }
}

int
ne_made_remove(struct ne_virt *dst, const struct ne_made *m, const char *name, const char *uuid)
{
    struct ne_file_stat now;
    int r = virt_file_stat(dst, m->path, &now);

    if (r < 0) {
        ne_error("%s (%s): cannot check %s on %s: not removed; it may still be there", name, uuid,
                 m->path, m->host);
        return -1;
    }
    if (r == 0) return 0;
    if (!ne_made_matches(m, &now)) {
        ne_warn("%s (%s): %s on %s is not what this tool created there (%s): left as it is", name,
                uuid, m->path, m->host,
                m->seen ? "size, format or time changed" : "never seen after its creation");
        return 0;
    }
    if (m->dir) {
        /* only an instance directory, only empty (the helper keeps the rest) */
        CLEANUP_FREE char *want = xasprintf("%s/%s", virt_config(dst)->instances_path, uuid);
        if (!str_eq(m->path, want)) return 0;
        return virt_remove_instance_dir(dst, uuid, true) == 0 ? 0 : -1;
    }
    r = virt_remove_file(dst, m->path);
    if (r == 1) ne_info("%s: removed %s from %s (created by this attempt)", name, m->path, m->host);
    return r < 0 ? -1 : r;
}

int
ne_made_undo(struct ne_made_list *l, struct ne_virt *dst)
{
    size_t i = l->n;
    int rc = 0;

    while (i-- > 0)
        if (ne_made_remove(dst, &l->m[i], l->name, l->uuid) < 0) rc = -1;
    ne_made_clear(l);
    return rc;
}

void
ne_made_clear(struct ne_made_list *l)
{
    size_t i;

    for (i = 0; i < l->n; i++) free(l->m[i].path);
    free(l->m);
    l->m = NULL;
    l->n = l->cap = 0;
}
