/* SPDX-License-Identifier: Apache-2.0 */
/* volsync-prep.c: volume-sync's checks before anything changes, the
 * settling of an interrupted attempt, the verification and the cleanup. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/exitcode.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/progress.h"
#include "volsync/volsync-int.h"

int
ne_run_shell(const char *cmd)
{
    pid_t p = fork();
    int st;

    if (p < 0) return -1;
    if (p == 0) {
        int fd = open("/dev/null", O_RDONLY);
        if (fd >= 0) dup2(fd, 0);
        /* the hook's output goes to stderr: stdout is the tool's result */
        dup2(2, 1);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    while (waitpid(p, &st, 0) < 0)
        if (errno != EINTR) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int
vs_new_id(char id[33])
{
    unsigned char b[8];
    FILE *f = fopen("/dev/urandom", "rb");
    size_t n = f ? fread(b, 1, sizeof b, f) : 0;

    if (f) fclose(f);
    if (n != sizeof b) {
        ne_syserror("volume-sync: cannot read /dev/urandom");
        return -1;
    }
    for (size_t i = 0; i < sizeof b; i++) snprintf(id + 2 * i, 3, "%02x", b[i]);
    return 0;
}

/* Removes the snapshots of attempt id on im except round keep (-1: all). */
static void
drop_snaps(struct ne_rbd_img *im, const char *id, long keep)
{
    char **names;
    size_t n;
    unsigned r;

    if (!im || ne_rbd_snap_list(im, &names, &n) < 0) return;
    for (size_t i = 0; i < n; i++)
        if (ne_sync_snap_parse(names[i], id, &r) && (long)r != keep)
            ne_rbd_snap_remove(im, names[i]);
    ne_rbd_names_free(names, n);
}

void
vs_drop_snapshots(struct vs *v)
{
    drop_snaps(v->src, v->j.id, -1);
    drop_snaps(v->dst, v->j.id, -1);
}

/* The watchers of pool/image (read-only open: it adds none), after waiting
 * up to secs seconds for them to go: a client killed with SIGKILL keeps
 * its watch (and an exclusive lock that then refuses writes with EROFS)
 * until the OSD expires it.  -1 after reporting. */
static int
settled_watchers(struct ne_rbd *c, const struct ne_rbd_spec *sp, double secs)
{
    struct ne_rbd_img *ro = ne_rbd_open(c, sp->pool, sp->image, NULL, true);
    double end = ne_now() + secs;
    bool said = false;
    int w;

    if (!ro) return -1;
    while ((w = ne_rbd_watchers(ro)) > 0 && ne_now() < end) {
        if (!said)
            ne_info("volume-sync: %s/%s/%s still has %d watcher%s after the interrupted attempt; "
                    "waiting up to %.0f s for a killed client's watch to expire",
                    sp->cluster, sp->pool, sp->image, w, w == 1 ? "" : "s", secs);
        said = true;
        usleep(250000);
    }
    ne_rbd_close(ro);
    return w;
}

/* Settles the attempt of the journal: the round both sides share, or a
 * fresh start (the destination it created removed).  Exit code. */
static int
settle(struct vs *v, long *resume)
{
    char **sn = NULL, **dn = NULL;
    size_t ns = 0, nd = 0;
    long r;
    struct ne_rbd_info info;
    int w;

    /* only this tool writes the destination it created: a watcher left is
     * the killed run's, and its lock would refuse the rollback */
    if ((w = settled_watchers(v->dstc, v->d, 60)) < 0) return NE_EXIT_UNREACHABLE;
    if (w > 0) {
        ne_error("volume-sync %s/%s/%s: the destination this attempt created has %d watcher%s "
                 "after 60 s; stop whatever opened it (rbd status shows it) and run the same "
                 "command again",
                 v->d->cluster, v->d->pool, v->d->image, w, w == 1 ? "" : "s");
        return NE_EXIT_REFUSED;
    }
    if (!(v->dst = ne_rbd_open(v->dstc, v->d->pool, v->d->image, NULL, false))) return NE_EXIT_UNREACHABLE;
    if (ne_rbd_snap_list(v->src, &sn, &ns) < 0 || ne_rbd_snap_list(v->dst, &dn, &nd) < 0) {
        ne_rbd_names_free(sn, ns);
        return NE_EXIT_UNREACHABLE;
    }
    r = ne_sync_resume_round(v->j.id, (const char *const *)sn, ns, (const char *const *)dn, nd);
    ne_rbd_names_free(sn, ns);
    ne_rbd_names_free(dn, nd);
    if (r >= 0) {
        CLEANUP_FREE char *snap = ne_sync_snap_name(v->j.id, (unsigned)r);
        ne_info("volume-sync: resuming attempt %s after round %ld (snapshot %s, on both sides)",
                v->j.id, r, snap);
        /* what a killed round wrote on the destination goes; its source
         * snapshot too: the next round diffs from the shared one */
        if (ne_rbd_snap_rollback(v->dst, snap) < 0) return NE_EXIT_PARTIAL;
        drop_snaps(v->src, v->j.id, r);
        drop_snaps(v->dst, v->j.id, r);
        if (ne_rbd_stat(v->dst, &info) < 0) return NE_EXIT_UNREACHABLE;
        v->size = info.size;
        *resume = r;
        return NE_EXIT_OK;
    }
    /* no round finished: the destination this attempt created starts over */
    ne_info("volume-sync: attempt %s finished no round; its destination %s/%s/%s is made again",
            v->j.id, v->d->cluster, v->d->pool, v->d->image);
    drop_snaps(v->src, v->j.id, -1);
    drop_snaps(v->dst, v->j.id, -1);
    ne_rbd_close(v->dst);
    v->dst = NULL;
    if (ne_rbd_remove(v->dstc, v->d->pool, v->d->image) < 0) return NE_EXIT_PARTIAL;
    *resume = -1;
    return NE_EXIT_OK;
}

int
vs_prepare(struct vs *v, long *resume)
{
    CLEANUP_FREE char *sl = xasprintf("%s/%s/%s", v->s->cluster, v->s->pool, v->s->image);
    CLEANUP_FREE char *dl = xasprintf("%s/%s/%s", v->d->cluster, v->d->pool, v->d->image);
    struct ne_rbd_img *ro;
    struct ne_rbd_info info;
    int w, ex;

    *resume = -1;
    if (str_eq(v->s->cluster, v->d->cluster) && str_eq(v->s->pool, v->d->pool) &&
        str_eq(v->s->image, v->d->image)) {
        ne_error("volume-sync %s: the destination is the source; nothing done", sl);
        return NE_EXIT_USAGE;
    }
    if (ne_vsj_load(v->o->state_dir, sl, dl, &v->j) < 0) return NE_EXIT_USAGE;
    /* read-only: registers no watch, so the count is the other clients' */
    if (!(ro = ne_rbd_open(v->srcc, v->s->pool, v->s->image, NULL, true))) return NE_EXIT_USAGE;
    w = ne_rbd_watchers(ro);
    if (w < 0 || ne_rbd_stat(ro, &info) < 0) {
        ne_rbd_close(ro);
        return NE_EXIT_UNREACHABLE;
    }
    ne_rbd_close(ro);
    /* after a kill, the killed run's own watch counts until it expires */
    if (w > 0 && !v->o->cutover_hook && !v->o->writer_stopper && v->j.started &&
        (w = settled_watchers(v->srcc, v->s, 30)) < 0)
        return NE_EXIT_UNREACHABLE;
    if (w > 0 && !v->o->cutover_hook && !v->o->writer_stopper) {
        ne_error("volume-sync %s: the image is in use (%d watcher%s: a running guest, a mapped "
                 "device or a writer); %s; nothing done",
                 sl, w, w == 1 ? "" : "s",
                 v->o->stop_hint ? v->o->stop_hint
                                 : "give --cutover-hook CMD that stops the writer before the last round");
        return NE_EXIT_REFUSED;
    }
    if ((ex = ne_rbd_exists(v->dstc, v->d->pool, v->d->image)) < 0) return NE_EXIT_UNREACHABLE;
    if (ex && !(v->j.started && v->j.dst_created)) {
        ne_error("volume-sync %s: the destination %s already exists and no journal of this tool "
                 "says it created it; choose another destination name, or remove that image "
                 "yourself; nothing done",
                 sl, dl);
        return NE_EXIT_REFUSED;
    }
    if (v->o->dry_run) {
        char a[32];
        printf("would copy %s (%s, %d watcher%s) to %s in rounds%s\n", sl,
               fmt_bytes(info.size, a, sizeof a), w, w == 1 ? "" : "s", dl,
               v->j.started ? ex ? ", resuming the journaled attempt" : ", starting over"
                            : "");
        return NE_EXIT_OK;
    }
    if (!(v->src = ne_rbd_open(v->srcc, v->s->pool, v->s->image, NULL, false))) return NE_EXIT_UNREACHABLE;
    if (v->j.started && ex) return settle(v, resume);
    if (v->j.started) /* the destination is gone: this attempt's source snapshots too */
        drop_snaps(v->src, v->j.id, -1);
    if (vs_new_id(v->j.id) < 0) return NE_EXIT_PARTIAL;
    v->j.dst_created = false;
    if (ne_vsj_append(&v->j, "start %s %s %s\n", v->j.id, sl, dl) < 0) return NE_EXIT_PARTIAL;
    v->j.started = true;
    return NE_EXIT_OK;
}

static void
verify_progress(uint64_t done, uint64_t total, void *opaque)
{
    char a[32], b[32], text[80];

    (void)opaque;
    if (!progress_enabled()) return;
    snprintf(text, sizeof text, "%s of %s", fmt_bytes(done, a, sizeof a), fmt_bytes(total, b, sizeof b));
    progress_draw("verify", total ? (double)done / (double)total : 1.0, text);
}

int
vs_verify(struct vs *v, const char *snap)
{
    uint64_t chunk = v->o->chunk ? v->o->chunk : 4u << 20, *a = NULL, *b = NULL;
    struct ne_rbd_img *s = NULL, *d = NULL;
    struct ne_extents es = {0}, ed = {0}, all = {0};
    size_t na = 0, nb = 0;
    int rc = -1;
    double t0 = ne_now();

    if (!(s = ne_rbd_open(v->srcc, v->s->pool, v->s->image, snap, true)) ||
        !(d = ne_rbd_open(v->dstc, v->d->pool, v->d->image, snap, true)))
        goto out;
    /* outside what either side has written, both read as zeros */
    if (ne_rbd_diff(s, NULL, &es) < 0 || ne_rbd_diff(d, NULL, &ed) < 0) goto out;
    ne_extents_union(&es, &ed, &all);
    if (ne_rbd_checksums(s, &all, chunk, &a, &na, verify_progress, v) < 0 ||
        ne_rbd_checksums(d, &all, chunk, &b, &nb, NULL, NULL) < 0)
        goto out;
    /* both lists come from the same extents: a length that differs is a
     * read that stopped short, never a match */
    if (na != nb) {
        ne_error("volume-sync %s: VERIFICATION FAILED %s%s: %zu chunks read on the source, %zu on "
                 "the destination; run the same command again",
                 ne_rbd_img_name(d), snap ? "at snapshot " : "at the head", snap ? snap : "", na, nb);
        goto out;
    }
    for (size_t i = 0; i < na; i++)
        if (a[i] != b[i]) {
            ne_error("volume-sync %s: VERIFICATION FAILED %s%s: chunk %zu differs; %s",
                     ne_rbd_img_name(d), snap ? "at snapshot " : "at the head", snap ? snap : "", i,
                     snap ? "the snapshots are kept on both sides for inspection"
                          : "both images are kept as they are for inspection");
            goto out;
        }
    rc = 0;
    if (progress_enabled()) progress_done("verify", true, "identical");
    ne_info("volume-sync: verified %zu chunks (%" PRIu64 " bytes) %s%s in %.2f s: identical", na,
            all.data_bytes, snap ? "at " : "at the head", snap ? snap : "", ne_now() - t0);
out:
    if (rc < 0 && progress_enabled()) progress_done("verify", false, "failed");
    free(a);
    free(b);
    ne_extents_free(&es);
    ne_extents_free(&ed);
    ne_extents_free(&all);
    ne_rbd_close(s);
    ne_rbd_close(d);
    return rc;
}
