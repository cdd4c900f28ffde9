/* SPDX-License-Identifier: Apache-2.0 */
/* journal.c: see journal.h. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "drain/journal.h"
#include "util/log.h"
#include "util/mem.h"

struct ne_journal {
    int lock_fd, fd;
    char *path, *lock_path;
};

static const char *names[] = {"none", "planned", "migrating", "moved", "failed", "skipped"};

static int
mkdirs(const char *dir)
{
    CLEANUP_FREE char *p = xstrdup(dir);
    char *s;

    for (s = p + 1; *s; s++) {
        if (*s != '/') continue;
        *s = '\0';
        if (mkdir(p, 0700) < 0 && errno != EEXIST) return -1;
        *s = '/';
    }
    return mkdir(p, 0700) < 0 && errno != EEXIST ? -1 : 0;
}

static char *
slurp_fd(int fd)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    ssize_t got;

    do {
        xgrow(&buf, &cap, len + 65537, 1);
        got = read(fd, buf + len, 65536);
        if (got > 0) len += (size_t)got;
    } while (got > 0);
    buf[len] = '\0';
    return buf;
}

struct ne_journal *
journal_open(const char *dir, const char *host, struct ne_jreplay *prior)
{
    struct ne_journal *j = xcalloc(1, sizeof *j);
    char *text;

    j->lock_fd = j->fd = -1;
    j->path = xasprintf("%s/%s.journal", dir, host);
    j->lock_path = xasprintf("%s/%s.lock", dir, host);
    if (mkdirs(dir) < 0) {
        ne_syserror("cannot create state directory %s", dir);
        goto fail;
    }
    j->lock_fd = open(j->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (j->lock_fd < 0) {
        ne_syserror("cannot open lock file %s", j->lock_path);
        goto fail;
    }
    if (flock(j->lock_fd, LOCK_EX | LOCK_NB) < 0) {
        ne_error("another nova-evac drain of %s is running (lock %s held); wait for it or stop it",
                 host, j->lock_path);
        goto fail;
    }
    j->fd = open(j->path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (j->fd < 0) {
        ne_syserror("cannot open journal %s", j->path);
        goto fail;
    }
    text = slurp_fd(j->fd);
    journal_replay_text(text, prior);
    free(text);
    return j;
fail:
    journal_close(j);
    return NULL;
}

int
journal_append(struct ne_journal *j, json_t *ev)
{
    char *line;
    size_t len;
    ssize_t w;

    json_object_set_new(ev, "ts", json_integer((json_int_t)time(NULL)));
    line = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(ev);
    if (!line) return -1;
    len = strlen(line);
    line[len] = '\n';
    w = write(j->fd, line, len + 1);
    free(line);
    if (w != (ssize_t)(len + 1) || fsync(j->fd) < 0) {
        ne_syserror("cannot write journal %s", j->path);
        return -1;
    }
    ne_debug(NE_DBG_JOURNAL, "journal %s: +%zu bytes", j->path, len + 1);
    return 0;
}

int
journal_rotate(struct ne_journal *j)
{
    CLEANUP_FREE char *old = xasprintf("%s.%ld", j->path, (long)time(NULL));
    int fd;

    if (rename(j->path, old) < 0) {
        ne_syserror("cannot rotate journal %s", j->path);
        return -1;
    }
    fd = open(j->path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) {
        ne_syserror("cannot open journal %s", j->path);
        return -1;
    }
    close(j->fd);
    j->fd = fd;
    return 0;
}

const char *journal_path(const struct ne_journal *j) { return j->path; }

void
journal_close(struct ne_journal *j)
{
    if (!j) return;
    if (j->fd >= 0) close(j->fd);
    if (j->lock_fd >= 0) close(j->lock_fd); /* releases the lock */
    free(j->path);
    free(j->lock_path);
    free(j);
}

static struct ne_jentry *
entry(struct ne_jreplay *r, const char *uuid)
{
    size_t i;

    for (i = 0; i < r->n; i++)
        if (strcmp(r->e[i].uuid, uuid) == 0) return &r->e[i];
    xgrow(&r->e, &r->cap, r->n + 1, sizeof *r->e);
    snprintf(r->e[r->n].uuid, sizeof r->e[r->n].uuid, "%s", uuid);
    return &r->e[r->n++];
}

static void
apply(struct ne_jreplay *r, json_t *ev)
{
    const char *what = json_string_value(json_object_get(ev, "event"));
    const char *uuid = json_string_value(json_object_get(ev, "uuid"));
    const char *name = json_string_value(json_object_get(ev, "name"));
    const char *dest = json_string_value(json_object_get(ev, "dest"));
    struct ne_jentry *e;
    size_t i;

    if (!what) return;
    if (strcmp(what, "start") == 0) r->started = true;
    if (strcmp(what, "finish") == 0) r->finished = true;
    if (!uuid || strlen(uuid) != 36) return;
    e = entry(r, uuid);
    if (name) snprintf(e->name, sizeof e->name, "%s", name);
    if (dest) snprintf(e->dest, sizeof e->dest, "%s", dest);
    for (i = 1; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(what, names[i]) == 0) {
            e->state = (enum ne_jstate)i;
            if (e->state == NE_J_MIGRATING) {
                e->attempts++;
                e->was_running = json_is_true(json_object_get(ev, "was_running"));
            }
        }
}

void
journal_replay_text(const char *text, struct ne_jreplay *out)
{
    const char *p = text;

    memset(out, 0, sizeof *out);
    while (*p) {
        size_t len = strcspn(p, "\n");
        json_error_t err;
        json_t *ev = p[len] == '\n' ? json_loadb(p, len, 0, &err) : NULL;

        if (len > 0) {
            if (ev && json_is_object(ev))
                apply(out, ev);
            else
                out->bad_lines++;
        }
        json_decref(ev);
        p += len;
        if (*p) p++;
    }
}

void
journal_replay_free(struct ne_jreplay *r)
{
    free(r->e);
    memset(r, 0, sizeof *r);
}

const struct ne_jentry *
journal_find(const struct ne_jreplay *r, const char *uuid)
{
    size_t i;

    for (i = 0; i < r->n; i++)
        if (strcmp(r->e[i].uuid, uuid) == 0) return &r->e[i];
    return NULL;
}
