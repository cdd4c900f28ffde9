/* SPDX-License-Identifier: Apache-2.0 */
/* journal.c: see journal.h. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "drain/journal.h"
#include "util/fault.h"
#include "util/log.h"
#include "util/statedir.h"
#include "util/runlock.h"
#include "util/mem.h"

struct ne_journal {
    int lock_fd, fd;
    char *path, *lock_path, *dir;
    pthread_mutex_t lock;   /* appends come from the drain's workers */
    bool failed;
};

static const char *names[] = {"none", "planned", "migrating", "moved", "failed", "skipped", "gone"};

/* The whole file from offset 0 (NUL-terminated; *len without it), or NULL
 * on a read error (errno set). */
static char *
slurp_fd(int fd, size_t *len)
{
    char *buf = NULL;
    size_t cap = 0;
    ssize_t got;

    *len = 0;
    do {
        xgrow(&buf, &cap, *len + 65537, 1);
        got = pread(fd, buf + *len, 65536, (off_t)*len);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            free(buf);
            return NULL;
        }
        *len += (size_t)got;
    } while (got > 0);
    buf[*len] = '\0';
    return buf;
}

/* fsync of the directory holding the journal: a created or renamed file
 * is durable only once its directory entry is. */
static int
sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

    if (fd < 0) return -1;
    rc = fsync(fd);
    close(fd);
    return rc;
}

/* Cuts a torn tail (text after the last newline, NULs included) off the
 * file so that the next record starts its own line.  *torn: whether the
 * tail held text (a record cut mid-write) rather than only NULs. */
static int
repair_tail(struct ne_journal *j, const char *buf, size_t len, bool *torn)
{
    size_t keep = len, i;

    *torn = false;
    while (keep > 0 && buf[keep - 1] != '\n') keep--;
    if (keep == len) return 0;
    for (i = keep; i < len; i++)
        if (buf[i] != '\0') *torn = true;
    if (*torn)
        ne_warn("journal %s: torn last record (%zu byte(s) after the last newline, from a crash "
                "mid-write): cut off; the event it held counts as never written", j->path,
                len - keep);
    else
        ne_warn("journal %s: %zu NUL byte(s) after the last record cut off", j->path, len - keep);
    if (ftruncate(j->fd, (off_t)keep) < 0 || fsync(j->fd) < 0) {
        ne_syserror("cannot repair journal %s", j->path);
        return -1;
    }
    return 0;
}

struct ne_journal *
journal_open(const char *dir, const char *host, struct ne_jreplay *prior)
{
    struct ne_journal *j = xcalloc(1, sizeof *j);
    struct stat st;
    bool existed, torn;
    char *text;
    size_t len;

    memset(prior, 0, sizeof *prior);
    j->lock_fd = j->fd = -1;
    pthread_mutex_init(&j->lock, NULL);
    j->path = xasprintf("%s/%s.journal", dir, host);
    j->lock_path = xasprintf("%s/%s.lock", dir, host);
    j->dir = xstrdup(dir);
    /* the state dir as every command makes it (0700, no symlink; reported) */
    if (ne_statedir_ensure(dir, NULL) < 0) goto fail;
    {   /* util/runlock.h: a migrate from host holds it shared */
        char holder[320];
        CLEANUP_FREE char *what = xasprintf("drain of %s", host);
        j->lock_fd = ne_runlock_take(j->lock_path, false, what, holder, sizeof holder);
        if (j->lock_fd == -1)
            ne_error("%s %s is running (%s holds %s); wait for it or stop it",
                     strstr(holder, "migrate") ? "a nova-evac migrate from" : "another nova-evac drain of",
                     host, holder, j->lock_path);
        if (j->lock_fd < 0) goto fail;
    }
    existed = stat(j->path, &st) == 0;
    j->fd = ne_statedir_open(j->path, O_RDWR | O_APPEND);
    if (j->fd < 0) {
        ne_syserror("cannot open journal %s", j->path);
        goto fail;
    }
    if (!existed && sync_dir(dir) < 0) {
        ne_syserror("cannot sync state directory %s after creating %s", dir, j->path);
        goto fail;
    }
    if (!(text = slurp_fd(j->fd, &len))) {
        ne_syserror("cannot read journal %s: refusing to guess what it held; check the disk",
                    j->path);
        goto fail;
    }
    journal_replay_buf(text, len, prior);
    if (prior->nul_runs)
        ne_warn("journal %s: %zu run(s) of NUL bytes (%zu byte(s), from a crash after the file "
                "grew) skipped", j->path, prior->nul_runs, prior->nul_bytes);
    if (repair_tail(j, text, len, &torn) < 0) {
        free(text);
        journal_replay_free(prior);
        goto fail;
    }
    if (prior->bad_lines > (torn ? 1u : 0u))
        ne_warn("journal %s: %zu record(s) that do not parse skipped", j->path,
                prior->bad_lines - (torn ? 1u : 0u));
    free(text);
    return j;
fail:
    journal_close(j);
    return NULL;
}

/* Writes all of line; on failure cuts what was written of it. */
static int
write_line(struct ne_journal *j, const char *line, size_t len)
{
    struct stat st;
    off_t start = fstat(j->fd, &st) == 0 ? st.st_size : -1;
    size_t off = 0;
    int saved;

    while (off < len) {
        ssize_t w = write(j->fd, line + off, len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            if (w == 0) errno = ENOSPC;
            goto fail;
        }
        off += (size_t)w;
    }
    if (fsync(j->fd) == 0) return 0;
fail:
    saved = errno;
    if (start >= 0 && ftruncate(j->fd, start) == 0) (void)fsync(j->fd);
    errno = saved;
    return -1;
}

int
journal_append(struct ne_journal *j, json_t *ev)
{
    char *line, fault[64];
    const char *what = json_string_value(json_object_get(ev, "event"));
    size_t len;
    int rc = 0;
    struct timespec now;

    snprintf(fault, sizeof fault, "journal:%s", what ? what : "?");
    clock_gettime(CLOCK_REALTIME, &now);
    json_object_set_new(ev, "ts", json_integer((json_int_t)now.tv_sec));
    /* the same moment to the millisecond, for the report's timeline */
    json_object_set_new(ev, "ts_ms",
                        json_integer((json_int_t)now.tv_sec * 1000 + now.tv_nsec / 1000000));
    line = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(ev);
    if (!line) return -1;
    len = strlen(line);
    line[len] = '\n';
    pthread_mutex_lock(&j->lock);
    if (j->failed) {
        rc = -1;
    } else if (write_line(j, line, len + 1) < 0) {
        ne_syserror("cannot write journal %s: starting no new migration; the moves in flight "
                    "finish, then free space on its filesystem and run the drain with --resume",
                    j->path);
        j->failed = true;
        rc = -1;
    }
    pthread_mutex_unlock(&j->lock);
    free(line);
    if (rc == 0) {
        ne_debug(NE_DBG_JOURNAL, "journal %s: +%zu bytes", j->path, len + 1);
        ne_fault_point(fault);
    }
    return rc;
}

bool journal_failed(const struct ne_journal *j) { return j && j->failed; }

int
journal_created(struct ne_journal *j, const char *uuid, const char *host, const char *path,
                bool dir)
{
    if (!j) return 0;
    return journal_append(j, json_pack("{s:s, s:s, s:s, s:s, s:s}", "event", "created", "uuid",
                                       uuid, "host", host, "path", path, "kind",
                                       dir ? "dir" : "file"));
}

int
journal_identity(struct ne_journal *j, const char *uuid, const char *host, const char *path,
                 const struct ne_file_stat *seen)
{
    json_t *ev;

    if (!j) return 0;
    ev = json_pack("{s:s, s:s, s:s, s:s}", "event", "identity", "uuid", uuid, "host", host,
                   "path", path);
    if (ev && seen)
        json_object_update_new(ev, json_pack("{s:I, s:I, s:s, s:I}", "capacity",
                                             (json_int_t)seen->capacity, "length",
                                             (json_int_t)seen->length, "format", seen->format,
                                             "mtime", (json_int_t)seen->mtime));
    return journal_append(j, ev);
}

static int
hook_created(void *ctx, const char *uuid, const struct ne_made *m)
{
    return journal_created(ctx, uuid, m->host, m->path, m->dir);
}

static int
hook_identity(void *ctx, const char *uuid, const struct ne_made *m)
{
    return journal_identity(ctx, uuid, m->host, m->path, m->dir ? NULL : &m->st);
}

static int
hook_binding(void *ctx, const char *uuid, const char *event, const char *port, const char *host)
{
    return journal_append(ctx, json_pack("{s:s, s:s, s:s, s:s}", "event", event, "uuid", uuid,
                                         "port", port, "host", host));
}

static int
hook_step(void *ctx, const char *uuid, const char *event, const char *host)
{
    return journal_append(ctx, json_pack("{s:s, s:s, s:s}", "event", event, "uuid", uuid, "host",
                                         host));
}

struct ne_mig_journal
journal_mig_hooks(struct ne_journal *j)
{
    struct ne_mig_journal h = {NULL, NULL, NULL, NULL, NULL};

    if (j) h = (struct ne_mig_journal){hook_created, hook_identity, hook_step, j, hook_binding};
    return h;
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
    if (sync_dir(j->dir) < 0) {
        ne_syserror("cannot sync state directory %s after rotating %s", j->dir, j->path);
        close(fd);
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
    pthread_mutex_destroy(&j->lock);
    free(j->path);
    free(j->lock_path);
    free(j->dir);
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

static struct ne_jcreated *
find_created(struct ne_jreplay *r, const char *uuid, const char *host, const char *path)
{
    size_t i;

    for (i = r->nc; i-- > 0;)
        if (strcmp(r->c[i].uuid, uuid) == 0 && strcmp(r->c[i].m.host, host) == 0 &&
            strcmp(r->c[i].m.path, path) == 0)
            return &r->c[i];
    return NULL;
}

static void
apply_created(struct ne_jreplay *r, const struct ne_jentry *e, const char *what, json_t *ev)
{
    const char *host = json_string_value(json_object_get(ev, "host"));
    const char *path = json_string_value(json_object_get(ev, "path"));
    const char *format = json_string_value(json_object_get(ev, "format"));
    struct ne_jcreated *c;

    if (!host || !path || path[0] != '/') {
        r->bad_lines++;
        return;
    }
    c = find_created(r, e->uuid, host, path);
    if (strcmp(what, "identity") == 0) {
        if (!c) {
            r->bad_lines++;
            return;
        }
        c->m.seen = true;
        c->m.st.exists = true;
        c->m.st.capacity = (uint64_t)json_integer_value(json_object_get(ev, "capacity"));
        c->m.st.length = (uint64_t)json_integer_value(json_object_get(ev, "length"));
        c->m.st.mtime = (long long)json_integer_value(json_object_get(ev, "mtime"));
        snprintf(c->m.st.format, sizeof c->m.st.format, "%s", format ? format : "");
        return;
    }
    if (!c || c->attempt != e->attempts) {
        xgrow(&r->c, &r->capc, r->nc + 1, sizeof *r->c);
        c = &r->c[r->nc++];
        memset(c, 0, sizeof *c);
        c->m.path = xstrdup(path);
    }
    snprintf(c->uuid, sizeof c->uuid, "%s", e->uuid);
    snprintf(c->m.host, sizeof c->m.host, "%s", host);
    c->attempt = e->attempts;
    c->ts = (long long)json_integer_value(json_object_get(ev, "ts"));
    c->m.dir = str_eq(json_string_value(json_object_get(ev, "kind")), "dir");
    c->m.seen = false;
    memset(&c->m.st, 0, sizeof c->m.st);
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
    if (strcmp(what, "created") == 0 || strcmp(what, "identity") == 0) {
        apply_created(r, e, what, ev);
        return;
    }
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
journal_replay_buf(const char *buf, size_t n, struct ne_jreplay *out)
{
    size_t p = 0;

    memset(out, 0, sizeof *out);
    out->torn_tail = n > 0 && buf[n - 1] != '\n';
    while (p < n) {
        size_t len = 0;
        bool complete;
        json_error_t err;
        json_t *ev;

        if (buf[p] == '\0') {
            out->nul_runs++;
            while (p < n && buf[p] == '\0') out->nul_bytes++, p++;
            continue;
        }
        while (p + len < n && buf[p + len] != '\n' && buf[p + len] != '\0') len++;
        complete = p + len < n && buf[p + len] == '\n';
        ev = complete ? json_loadb(buf + p, len, 0, &err) : NULL;
        if (len > 0) {
            if (ev && json_is_object(ev))
                apply(out, ev);
            else
                out->bad_lines++;
        }
        json_decref(ev);
        p += len;
        if (p < n && buf[p] == '\n') p++;
    }
}

void
journal_replay_text(const char *text, struct ne_jreplay *out)
{
    journal_replay_buf(text, strlen(text), out);
}

void
journal_replay_free(struct ne_jreplay *r)
{
    size_t i;

    for (i = 0; i < r->nc; i++) free(r->c[i].m.path);
    free(r->c);
    free(r->e);
    memset(r, 0, sizeof *r);
}

size_t
journal_created_paths(const struct ne_jreplay *r, const char *uuid, unsigned attempt,
                      const struct ne_jcreated ***out)
{
    size_t i, n = 0;

    *out = xcalloc(r->nc + 1, sizeof **out);
    for (i = 0; i < r->nc; i++)
        if (strcmp(r->c[i].uuid, uuid) == 0 && (attempt == 0 || r->c[i].attempt == attempt))
            (*out)[n++] = &r->c[i];
    return n;
}

const struct ne_jentry *
journal_find(const struct ne_jreplay *r, const char *uuid)
{
    size_t i;

    for (i = 0; i < r->n; i++)
        if (strcmp(r->e[i].uuid, uuid) == 0) return &r->e[i];
    return NULL;
}
