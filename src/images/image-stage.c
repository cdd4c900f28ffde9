/* SPDX-License-Identifier: Apache-2.0 */
/* image-stage.c: copies the missing bases to their destinations, at most
 * --parallel at once, with one progress bar on stderr for all of them.
 *
 * One copy: take a lock (<state_dir>/locks: two runs of this tool never
 * stage the same file at once), remove a leftover <name>.nova-evac-part
 * (with the caller's journal: only one it shows this tool created),
 * journal the .part's creation, write it (sparse stream from a host, or a
 * verified Glance download), check its length and format, journal what it
 * is, have the destination's libvirtd clone it to <name>
 * (virt_clone_file), journal that, delete the .part, check the result (and
 * with --verify its SHA-256).  If <name> appears meanwhile (Nova fetched
 * it), it is compared, never replaced. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "images/image-cache-int.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/progress.h"
#include "util/statedir.h"

struct engine;

struct job {
    struct engine *e;
    struct ne_base *b;
    size_t k;                  /* destination index */
    uint64_t total, done;      /* for the progress bar */
};

struct engine {
    struct ic_run *ic;
    struct job *jobs;
    size_t njobs, next, finished;
    unsigned workers;
    pthread_mutex_t lock;
    uint64_t total;
    double t0, drawn;
    bool bar;
    /* the caller's journal (the drain's), else the local staging journal
     * (image-journal.c), else none (no state_dir) */
    const struct ne_stage_journal *jr;
    struct ne_stage_journal local;
    bool jr_local;
};


/* A worker's connection to host: the run's own when one worker runs,
 * else one per worker (cache[], one slot per host of the run). */
static struct ne_virt *
conn(struct engine *e, struct ne_virt **cache, const char *host)
{
    struct ic_run *ic = e->ic;
    size_t i;

    for (i = 0; i < ic->nhosts; i++) {
        if (!str_eq(ic->hosts[i].name, host)) continue;
        if (e->workers == 1) return ic->hosts[i].v;
        if (!cache[i]) cache[i] = virt_open(ic->cfg, host);
        return cache[i];
    }
    return NULL;
}

/* Redraws the bar (caller holds the lock). */
static void
draw(struct engine *e, bool force)
{
    uint64_t done = 0;
    double t = ne_now(), rate;
    char a[16], b[16], r[16], text[128];
    size_t i;

    if (!e->bar || (!force && t - e->drawn < 0.25)) return;
    e->drawn = t;
    for (i = 0; i < e->njobs; i++) done += e->jobs[i].done;
    rate = t > e->t0 ? (double)done / (t - e->t0) : 0;
    snprintf(text, sizeof text, "%zu/%zu files, %s of %s, %s/s", e->finished, e->njobs,
             fmt_bytes(done, a, 16), fmt_bytes(e->total, b, 16), fmt_bytes((uint64_t)rate, r, 16));
    progress_draw("staging", e->total ? (double)done / (double)e->total : 0, text);
}

static void
on_bytes(uint64_t done, uint64_t total, void *opaque)
{
    struct job *j = opaque;

    (void)total;
    pthread_mutex_lock(&j->e->lock);
    j->done = done < j->total ? done : j->total;
    draw(j->e, false);
    pthread_mutex_unlock(&j->e->lock);
}

/* ---- locks: two runs never stage the same file to the same host */

static int
stage_lock(const struct ne_config *cfg, const char *host, const char *name)
{
    CLEANUP_FREE char *path = xasprintf("%s/locks/stage-%s-%s.lock", cfg->state_dir, host, name);
    int fd;

    /* the state dir as every command makes it (0700, no symlink) */
    if (ne_statedir_ensure(cfg->state_dir, "locks") < 0) return -2;
    fd = ne_statedir_open(path, O_RDWR);
    if (fd < 0) return -2;
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* ---- leftovers of an interrupted copy */

/* The .part found at part on dst (*st): removed only when the journal (the
 * drain's, or the local staging journal) shows this tool created it and it
 * is still unchanged; else left.  1 removed, 0 left (said), -1 the removal
 * failed. */
static int
leftover_part(struct ne_virt *dst, const char *part, const struct ne_stage_journal *jr,
              const struct ne_file_stat *st)
{
    if (!jr || !jr->ours || !jr->ours(jr->ctx, virt_host(dst), part, st)) {
        ne_warn("%s: %s is there, but the journal does not show that this tool created it (or "
                "it changed since): left alone; remove it once nothing writes it", virt_host(dst),
                part);
        return 0;
    }
    if (virt_delete_file(dst, part) < 0) return -1;
    ne_info("%s: removed %s, left by an interrupted staging (the journal shows this tool "
            "created it)", virt_host(dst), part);
    return 1;
}

int
ne_stage_clean_part(const struct ne_config *cfg, struct ne_virt *v, const char *path,
                    const struct ne_stage_journal *j)
{
    const char *slash = strrchr(path, '/'), *file = slash ? slash + 1 : path;
    CLEANUP_FREE char *name = NULL;
    struct ne_file_stat st;
    int fd, r;

    if (!str_suffix(file, NE_PART_SUFFIX) || strlen(file) == strlen(NE_PART_SUFFIX)) return 0;
    name = xstrndup(file, strlen(file) - strlen(NE_PART_SUFFIX));
    if ((fd = stage_lock(cfg, virt_host(v), name)) < 0) {
        ne_warn("%s: %s: %s: left there", virt_host(v), path,
                fd == -1 ? "another nova-evac run is staging it right now"
                         : "its staging lock cannot be taken");
        return fd == -1 ? 0 : -1;
    }
    r = virt_file_stat(v, path, &st);
    if (r < 0)
        ne_warn("%s: cannot check %s (left by an interrupted staging): left there", virt_host(v),
                path);
    else if (r == 1)
        r = leftover_part(v, path, j, &st);
    close(fd);
    return r;
}

/* ---- one copy */

static void
fail(struct ne_base_dest *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
fail(struct ne_base_dest *d, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(d->why, sizeof d->why, fmt, ap);
    va_end(ap);
    d->state = NE_DEST_FAILED;
}

/* What the final file must be: its length (0 unknown) and format. */
static uint64_t
expected(const struct ne_base *b, enum ne_src_kind src, const char **format)
{
    *format = b->ref && b->ref->st.format[0] ? b->ref->st.format : "raw";
    if (b->ref) return b->ref->st.length;
    if (src != NE_SRC_GLANCE) return 0;
    if (str_eq(b->gl.disk_format, "raw") && b->gl.size > 0) return (uint64_t)b->gl.size;
    return b->gl.virtual_size > 0 ? (uint64_t)b->gl.virtual_size : 0;
}

/* <name> exists on dst already (appeared meanwhile): present or conflict. */
static void
appeared(struct ne_base_dest *d, const struct ne_file_stat *st, uint64_t want)
{
    if (!want || st->length == want) {
        d->state = NE_DEST_PRESENT;
        snprintf(d->why, sizeof d->why, "appeared on the host meanwhile (same length)");
    } else {
        d->state = NE_DEST_CONFLICT;
        snprintf(d->why, sizeof d->why, "appeared meanwhile with length %llu (expected %llu)",
                 (unsigned long long)st->length, (unsigned long long)want);
    }
}

struct gsink {
    struct ne_vupload *u;
    struct job *j;
    uint64_t n;
};

static int
glance_sink(const char *data, size_t len, void *opaque)
{
    struct gsink *g = opaque;

    if (virt_upload_write(g->u, data, len) < 0) return -1;
    g->n += len;
    on_bytes(g->n, g->j->total, g->j);
    return 0;
}

/* Glance -> dst:part, verified by the source's download callback. */
static int
from_glance(struct engine *e, struct job *j, struct ne_virt *dst, const char *part)
{
    const struct ne_base *b = j->b;
    struct gsink g = {.j = j};
    size_t i;
    int rc = -1;

    if (b->gl.size <= 0) {
        fail(&b->dests[j->k], "Glance does not say the image's size");
        return -1;
    }
    g.u = virt_upload_open(dst, part, (uint64_t)b->gl.size);
    if (!g.u) return -1;
    for (i = 0; i < e->ic->o->nsrcs && rc < 0; i++) {
        const struct ne_image_source *s = &e->ic->o->srcs[i];
        if (s->download) rc = s->download(s->ctx, b->image_id, glance_sink, &g);
        if (rc < 0 && g.n) break; /* data already streamed: no second source */
    }
    if (virt_upload_close(g.u, rc == 0) < 0) rc = -1;
    b->dests[j->k].bytes = g.n;
    return rc;
}

/* The .part is what it should be: length and format (libvirt's probe:
 * a raw image that looks like qcow2 would be converted by the clone). */
static int
check_part(struct job *j, struct ne_virt *dst, const char *part, enum ne_src_kind src,
           uint64_t want, const char *format)
{
    struct ne_base_dest *d = &j->b->dests[j->k];
    const struct ne_base *b = j->b;
    struct ne_file_stat st;
    const char *fmt = src == NE_SRC_GLANCE ? b->gl.disk_format : format;
    CLEANUP_FREE char *backing = NULL;

    if (virt_file_stat(dst, part, &st) != 1) {
        fail(d, "the staged %s vanished", part);
        return -1;
    }
    if (src == NE_SRC_HOST && want && st.length != want) {
        fail(d, "the staged copy has %llu bytes, not %llu", (unsigned long long)st.length,
             (unsigned long long)want);
        return -1;
    }
    if (!str_eq(st.format, fmt)) {
        fail(d, "libvirt sees the staged copy as %s, expected %s: not used", st.format, fmt);
        return -1;
    }
    if (virt_file_info(dst, part, NULL, NULL, &backing) == 1 && backing) {
        fail(d, "the staged copy has a backing file (%s): not used", backing);
        return -1;
    }
    return 0;
}

/* .part -> <name> inside libvirtd, then checks the result. */
static int
finalize(struct engine *e, struct job *j, struct ne_virt *dst, const char *part, uint64_t want,
         const char *format)
{
    struct ne_base *b = j->b;
    struct ne_base_dest *d = &b->dests[j->k];
    struct ne_file_stat st;
    char hex[65];
    double t0 = ne_now();
    const struct ne_stage_journal *jr = e->jr;
    int r = virt_clone_file(dst, part, b->path, format, &d->reflinked);

    d->clone_seconds = ne_now() - t0;
    if (r > 0 && jr && jr->staged && (b->ninstances || e->jr_local))
        jr->staged(jr->ctx, b->ninstances ? b->uuids[0] : NULL, d->host, b->path);
    if (virt_delete_file(dst, part) < 0)
        ne_warn("%s: %s stays behind (its base is staged, so no later staging looks at it): "
                "remove it by hand; Nova never uses it", d->host, part);
    ne_debug(NE_DBG_VIRT, "%s: %s: clone %.2f s, delete of the .part %.2f s", d->host, b->name,
             d->clone_seconds, ne_now() - t0 - d->clone_seconds);
    if (r < 0) {
        fail(d, "the clone to the final name failed");
        return -1;
    }
    if (virt_file_stat(dst, b->path, &st) != 1) {
        fail(d, "%s is not there after the clone", b->path);
        return -1;
    }
    if (r == 0) {
        appeared(d, &st, want);
        return 0;
    }
    if (want && str_eq(format, "raw") && st.length != want) {
        fail(d, "the result has %llu bytes, not %llu: removed", (unsigned long long)st.length,
             (unsigned long long)want);
        virt_delete_file(dst, b->path);
        return -1;
    }
    if (e->ic->o->verify && b->sha256[0]) {
        if (virt_file_sha256(dst, b->path, NULL, 0, NULL, NULL, hex) < 0) {
            fail(d, "could not hash the result to verify it");
            return -1;
        }
        if (strcmp(hex, b->sha256) != 0) {
            fail(d, "the result differs from the reference (SHA-256 %.16s..., reference %.16s...)"
                 ": removed", hex, b->sha256);
            virt_delete_file(dst, b->path);
            return -1;
        }
        d->verified = true;
    }
    d->state = NE_DEST_STAGED;
    return 0;
}

static void
copy_one(struct engine *e, struct job *j, struct ne_virt **cache)
{
    struct ne_base *b = j->b;
    struct ne_base_dest *d = &b->dests[j->k];
    struct ne_virt *dst = conn(e, cache, d->host), *src = NULL;
    CLEANUP_FREE char *part = xasprintf("%s%s", b->path, NE_PART_SUFFIX);
    const struct ne_stage_journal *jr = e->jr;
    const char *uuid = b->ninstances ? b->uuids[0] : NULL;
    struct ne_file_stat st;
    const char *format;
    uint64_t want = expected(b, d->src, &format);
    double t0 = ne_now(), t1;
    int r;

    if (d->src == NE_SRC_HOST) src = conn(e, cache, d->src_host);
    if (!dst || (d->src == NE_SRC_HOST && !src)) {
        fail(d, "cannot connect to %s", dst ? d->src_host : d->host);
        return;
    }
    if ((r = virt_file_stat(dst, b->path, &st)) != 0) {
        if (r < 0) fail(d, "cannot look at %s", b->path);
        else appeared(d, &st, want);
        return;
    }
    if ((r = virt_file_stat(dst, part, &st)) != 0) {
        if (r < 0) {
            fail(d, "cannot look at %s", part);
            return;
        }
        if ((r = leftover_part(dst, part, jr, &st)) != 1) {
            fail(d, r < 0 ? "cannot remove the leftover %s"
                          : "%s is there and this tool did not create it: left alone; remove it "
                            "once nothing writes it, then run again", part);
            return;
        }
    }
    /* rule 7: the .part is journalled before it exists */
    if (jr && jr->created && ((!uuid && !e->jr_local) || jr->created(jr->ctx, uuid, d->host, part) < 0)) {
        fail(d, "the creation of %s cannot be journalled (above): not staged", part);
        return;
    }
    t1 = ne_now();
    if (d->src == NE_SRC_HOST)
        r = virt_copy_file(src, b->path, dst, part, on_bytes, j, &d->bytes);
    else if (d->src == NE_SRC_GLANCE)
        r = from_glance(e, j, dst, part);
    else
        r = -1;
    d->stream_seconds = ne_now() - t1;
    if (r < 0) {
        if (d->state != NE_DEST_FAILED) fail(d, "the copy from %s failed", ne_src_kind_name(d->src));
        virt_delete_file(dst, part);
    } else if (check_part(j, dst, part, d->src, want, format) < 0) {
        virt_delete_file(dst, part);
    } else {
        if (jr && (uuid || e->jr_local) && jr->identity && virt_file_stat(dst, part, &st) == 1)
            jr->identity(jr->ctx, uuid, d->host, part, &st);
        finalize(e, j, dst, part, want, format);
    }
    d->seconds = ne_now() - t0;
    ne_debug(NE_DBG_VIRT, "%s: %s: %.2f s = checks %.2f + stream %.2f + clone %.2f + rest %.2f",
             d->host, b->name, d->seconds, t1 - t0, d->stream_seconds, d->clone_seconds,
             d->seconds - (t1 - t0) - d->stream_seconds - d->clone_seconds);
}

static void
run_job(struct engine *e, struct job *j, struct ne_virt **cache)
{
    struct ne_base_dest *d = &j->b->dests[j->k];
    char a[16];
    int fd = stage_lock(e->ic->cfg, d->host, j->b->name);

    if (fd == -1) {
        fail(d, "another nova-evac run is staging it right now");
    } else {
        copy_one(e, j, cache);
        if (fd >= 0) close(fd);
    }
    pthread_mutex_lock(&e->lock);
    e->finished++;
    j->done = j->total;
    draw(e, true);
    pthread_mutex_unlock(&e->lock);
    if (d->state == NE_DEST_STAGED)
        ne_info("%s: staged %s from %s%s%s (%s of data in %.1f s, of which %.1f s for the "
                "final %s%s)", d->host, j->b->path, ne_src_kind_name(d->src),
                d->src_host ? " " : "", d->src_host ? d->src_host : "", fmt_bytes(d->bytes, a, 16),
                d->seconds, d->clone_seconds, d->reflinked ? "reflink" : "clone",
                d->verified ? ", SHA-256 verified" : "");
    else if (d->state == NE_DEST_FAILED)
        ne_error("%s: staging %s from %s%s%s failed: %s", d->host, j->b->path,
                 ne_src_kind_name(d->src), d->src_host ? " " : "",
                 d->src_host ? d->src_host : "", d->why);
}

static void *
worker(void *arg)
{
    struct engine *e = arg;
    struct ne_virt **cache = xcalloc(e->ic->nhosts + 1, sizeof *cache);
    size_t i;

    for (;;) {
        struct job *j = NULL;
        pthread_mutex_lock(&e->lock);
        if (e->next < e->njobs) j = &e->jobs[e->next++];
        pthread_mutex_unlock(&e->lock);
        if (!j) break;
        if (ne_interrupted()) { /* no new copy starts; the report says why */
            fail(&j->b->dests[j->k], "not started: interrupted (SIGINT/SIGTERM)");
            continue;
        }
        {
            CLEANUP_FREE char *what = xasprintf("base %s to %s", j->b->name, j->b->dests[j->k].host);
            int slot = ne_inflight_add(what);
            run_job(e, j, cache);
            ne_inflight_remove(slot);
        }
    }
    for (i = 0; i < e->ic->nhosts; i++) virt_close(cache[i]);
    free(cache);
    return NULL;
}

static void
add_jobs(struct engine *e)
{
    struct ne_stage_report *r = e->ic->r;
    size_t i, k, cap = 0;

    for (i = 0; i < r->nbases; i++)
        for (k = 0; k < r->bases[i].ndests; k++) {
            struct ne_base *b = &r->bases[i];
            struct job *j;
            if (b->dests[k].state != NE_DEST_MISSING) continue;
            xgrow(&e->jobs, &cap, e->njobs + 1, sizeof *e->jobs);
            j = &e->jobs[e->njobs++];
            *j = (struct job){.e = e, .b = b, .k = k};
            j->total = b->ref ? b->ref->st.length : b->gl.size > 0 ? (uint64_t)b->gl.size : 0;
            e->total += j->total;
        }
}

void
ic_stage(struct ic_run *ic)
{
    struct engine e = {.ic = ic, .t0 = ne_now()};
    pthread_t *t;
    unsigned i, started = 0;

    add_jobs(&e);
    if (!e.njobs) return;
    e.jr = ic->o->journal;
    if (!e.jr && ic->o->stage) {
        e.jr = ne_stage_local_journal(ic->cfg, &e.local);
        e.jr_local = e.jr != NULL;
    }
    e.workers = ic->o->parallel ? ic->o->parallel : 2;
    if (e.workers > e.njobs) e.workers = (unsigned)e.njobs;
    e.bar = ic->o->progress && progress_enabled();
    pthread_mutex_init(&e.lock, NULL);
    if (e.workers == 1) {
        worker(&e);
    } else {
        t = xcalloc(e.workers, sizeof *t);
        for (i = 0; i < e.workers; i++)
            if (pthread_create(&t[started], NULL, worker, &e) == 0) started++;
        if (!started) worker(&e);
        for (i = 0; i < started; i++) pthread_join(t[i], NULL);
        free(t);
    }
    if (e.bar) {
        char a[16], text[96];
        bool ok = true;
        for (i = 0; i < e.njobs; i++) ok = ok && e.jobs[i].b->dests[e.jobs[i].k].state != NE_DEST_FAILED;
        snprintf(text, sizeof text, "%zu files, %s in %.1f s%s", e.njobs,
                 fmt_bytes(e.total, a, 16), ne_now() - e.t0, ok ? "" : ", some failed");
        progress_done("staging", ok, text);
    }
    pthread_mutex_destroy(&e.lock);
    free(e.jobs);
}
