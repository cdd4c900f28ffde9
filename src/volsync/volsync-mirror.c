/* SPDX-License-Identifier: Apache-2.0 */
/* volsync-mirror.c: `volume-sync --mirror`: the copy made by the
 * destination cluster's rbd-mirror daemon (journal-based mirroring)
 * instead of copy rounds.
 *
 * Without --finish: report the image's features and mirroring; with
 * --enable-features turn object-map and fast-diff off and exclusive-lock
 * and journaling on (the features journal mirroring replays, as the
 * operators' procedure does), enable mirroring of the image, and wait
 * until the daemon replays it with no journal entry behind.  The features
 * the image had are journaled (<state_dir>/volume-sync/, record
 * "features") before the first change, so a run after a kill, and
 * --finish, know what to restore.
 *
 * --finish: demote the source, promote the destination once the demotion
 * is replayed, verify both heads chunk by chunk, disable mirroring on both
 * (the promoted copy first: disabling it on a primary source would make
 * the daemon delete the copy), and give both images the source's original
 * features back (the object map rebuilt).  deep-flatten is never changed:
 * Ceph cannot turn it on again once off, and journaling does not need it
 * off.  Every step checks the state first, so a killed --finish runs
 * again. */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "util/exitcode.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/progress.h"
#include "volsync/volsync-int.h"

#define F_LAYERING 0x1ULL
#define F_EXCL 0x4ULL
#define F_OMAP 0x8ULL
#define F_FDIFF 0x10ULL
#define F_JOURNAL 0x40ULL
/* what journal mirroring is given: off while mirrored, restored after */
#define F_OFF (F_OMAP | F_FDIFF)
#define F_ON (F_EXCL | F_JOURNAL)

struct vm {
    struct ne_rbd *srcc, *dstc;
    const struct ne_rbd_spec *s, *d;
    const struct ne_volsync_mirror_opts *o;
    struct ne_vsj j;
    char sl[600], dl[600];
    double wait;
    bool interrupted; /* a wait stopped on SIGINT/SIGTERM */
};

static char *
fstr(uint64_t f)
{
    char *s = ne_rbd_features_str(f);
    if (!*s) {
        free(s);
        s = xstrdup("(none)");
    }
    return s;
}

/* The features mirroring wants of an image that has f. */
static uint64_t
wanted(uint64_t f)
{
    return (f & ~F_OFF) | F_ON;
}

/* Checks the pools of both clusters: the destination replicates the
 * source's site, and an rbd-mirror daemon serves it.  Exit code. */
static int
check_pools(struct vm *v)
{
    struct ne_rbd_mirror_pool sp, dp;
    int n;
    bool reg = false;

    if (ne_rbd_mirror_pool_info(v->srcc, v->s->pool, &sp) < 0 ||
        ne_rbd_mirror_pool_info(v->dstc, v->d->pool, &dp) < 0)
        return NE_EXIT_UNREACHABLE;
    if (dp.mode == 0 || dp.n_rx == 0) {
        ne_error("volume-sync %s --mirror: pool %s of cluster %s %s; set it up (rbd mirror pool "
                 "enable %s image on both clusters, rbd mirror pool peer bootstrap create on %s, "
                 "bootstrap import --direction rx-only on %s; in the lab: tests/lab/ceph.sh "
                 "mirror-up), then run the same command again; nothing done",
                 v->sl, v->d->pool, v->d->cluster,
                 dp.mode == 0 ? "has mirroring disabled" : "has no peer to replicate from",
                 v->d->pool, v->s->cluster, v->d->cluster);
        return NE_EXIT_REFUSED;
    }
    /* the destination's daemon registers on the source's pool as a tx
     * peer under the destination pool's mirror uuid */
    for (size_t i = 0; i < sp.n_tx; i++)
        if (*dp.uuid && str_eq(sp.tx_uuids[i], dp.uuid)) reg = true;
    if (!reg) {
        ne_error("volume-sync %s --mirror: wrong cluster, or its daemon never ran: no rbd-mirror "
                 "daemon of cluster %s has registered on pool %s of cluster %s (cluster %s "
                 "replicates from site '%s'); start cluster %s's rbd-mirror daemon if it is the "
                 "right destination (in the lab: tests/lab/ceph.sh mirror-up), else choose the "
                 "cluster that mirrors %s; nothing done",
                 v->sl, v->d->cluster, v->s->pool, v->s->cluster, v->d->cluster, dp.rx_sites[0],
                 v->d->cluster, v->s->cluster);
        return NE_EXIT_REFUSED;
    }
    if ((n = ne_rbd_mirror_daemons(v->dstc, v->d->pool, 3000)) < 0) return NE_EXIT_UNREACHABLE;
    if (n == 0) {
        ne_error("volume-sync %s --mirror: no rbd-mirror daemon runs for cluster %s (none answered "
                 "on pool %s within 3 s); start one for cluster %s (rbd-mirror -c <its ceph.conf> "
                 "--id <client>; in the lab: tests/lab/ceph.sh mirror-up), then run the same "
                 "command again; nothing done",
                 v->sl, v->d->cluster, v->d->pool, v->d->cluster);
        return NE_EXIT_REFUSED;
    }
    return NE_EXIT_OK;
}

static void
json_out(json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT);
    printf("%s\n", s);
    free(s);
    json_decref(j);
    fflush(stdout);
}

/* Waits until the copy replays the source with no entry behind.  0, or -1
 * after reporting. */
static int
wait_in_sync(struct vm *v, struct ne_rbd_img *src, const char *what)
{
    double t0 = ne_now(), end = t0 + v->wait, said = 0;
    struct ne_rbd_mirror_status st;
    enum ne_mirror_phase ph = NE_MIRROR_DOWN;
    int pct = -1;
    long behind = -1;
    char text[96];

    for (;;) {
        if (ne_rbd_mirror_status(src, &st) < 0) return -1;
        ph = ne_mirror_phase_parse(st.state, st.description, &pct, &behind);
        if (ph == NE_MIRROR_REPLAYING && behind == 0) break;
        if (ne_interrupted()) {
            ne_error("volume-sync %s --mirror: interrupted while waiting for the sync; the image "
                     "stays mirrored: run the same command again",
                     v->sl);
            if (progress_enabled()) progress_done(what, false, "interrupted");
            v->interrupted = true;
            return -1;
        }
        if (ne_now() > end) {
            ne_error("volume-sync %s --mirror: not in sync after %.0f s (%s: %s); the image stays "
                     "mirrored; see the rbd-mirror log of cluster %s, then run the same command "
                     "again",
                     v->sl, v->wait, *st.state ? st.state : "no status",
                     *st.description ? st.description : "-", v->d->cluster);
            if (progress_enabled()) progress_done(what, false, "not in sync");
            return -1;
        }
        if (ph == NE_MIRROR_SYNCING)
            snprintf(text, sizeof text, "full copy%s%d%%", pct >= 0 ? " " : "", pct >= 0 ? pct : 0);
        else if (ph == NE_MIRROR_REPLAYING)
            snprintf(text, sizeof text, "replaying, %ld entries behind", behind);
        else
            snprintf(text, sizeof text, "%s", *st.state ? st.state : "waiting for the daemon");
        if (progress_enabled())
            progress_draw(what, ph == NE_MIRROR_SYNCING && pct >= 0 ? pct / 100.0
                               : ph == NE_MIRROR_REPLAYING          ? 0.99
                                                                    : 0.0,
                          text);
        else if (ne_now() - said >= 5) {
            ne_info("volume-sync %s --mirror: %s (%.0f s)", v->sl, text, ne_now() - t0);
            said = ne_now();
        }
        usleep(500000);
    }
    if (progress_enabled()) progress_done(what, true, "in sync");
    return 0;
}

/* Gives im the features orig had (those --enable-features changes). */
static int
restore_features(struct ne_rbd_img *im, uint64_t orig)
{
    uint64_t cur;

    if (ne_rbd_features(im, &cur) < 0) return -1;
    if ((cur & F_JOURNAL) && !(orig & F_JOURNAL) && ne_rbd_update_features(im, F_JOURNAL, false) < 0)
        return -1;
    if (!(cur & F_EXCL) && (orig & F_EXCL) && ne_rbd_update_features(im, F_EXCL, true) < 0)
        return -1;
    if ((orig & (F_OMAP | F_FDIFF)) && (cur & (F_OMAP | F_FDIFF)) != (orig & (F_OMAP | F_FDIFF))) {
        uint64_t add = orig & (F_OMAP | F_FDIFF) & ~cur;
        if (ne_rbd_update_features(im, add, true) < 0 || ne_rbd_rebuild_object_map(im) < 0)
            return -1;
    }
    if ((cur & F_EXCL) && !(orig & F_EXCL) && ne_rbd_update_features(im, F_EXCL, false) < 0)
        return -1;
    return 0;
}

static int
start(struct vm *v, struct ne_rbd_img *ro, const struct ne_rbd_info *info, int watchers)
{
    CLEANUP_FREE char *have = fstr(info->features), *want = fstr(wanted(info->features));
    CLEANUP_FREE char *key = xasprintf("mirror:%s", v->dl);
    struct ne_rbd_mirror_status st;
    struct ne_rbd_img *rw = NULL;
    uint64_t need = wanted(info->features);
    bool change = need != info->features;
    int rc;

    if (ne_rbd_mirror_status(ro, &st) < 0) return NE_EXIT_UNREACHABLE;
    if (st.enabled && !st.primary) {
        ne_error("volume-sync %s --mirror: the image is the non-primary copy of another "
                 "mirroring; give the primary image as the source; nothing done",
                 v->sl);
        return NE_EXIT_REFUSED;
    }
    if (v->o->json) {
        json_out(json_pack("{s:s,s:s,s:s,s:b,s:b,s:i,s:s?}", "event", "report", "image", v->sl,
                           "features", have, "mirroring", st.enabled, "primary", st.primary,
                           "watchers", watchers, "features_needed", change ? want : NULL));
    } else {
        printf("%s: features %s; mirroring %s; %d watcher%s\n", v->sl, have,
               st.enabled ? "enabled" : "disabled", watchers, watchers == 1 ? "" : "s");
        if (change)
            printf("mirroring needs features %s (object-map and fast-diff off, exclusive-lock and "
                   "journaling on)%s\n",
                   want, v->o->enable_features ? "" : "; run again with --enable-features to change them");
    }
    fflush(stdout);
    if (change && !v->o->enable_features && !v->o->dry_run) return NE_EXIT_OK;
    if ((rc = check_pools(v)) != NE_EXIT_OK) return rc;
    if (change && watchers > 0 && !v->o->yes) {
        ne_error("volume-sync %s --mirror: the image is in use (%d watcher%s: a running guest, a "
                 "mapped device or a writer); changing its features under a running guest can "
                 "freeze it; stop the guest first, or give --yes to take that risk; nothing done",
                 v->sl, watchers, watchers == 1 ? "" : "s");
        return NE_EXIT_REFUSED;
    }
    if (v->o->dry_run) {
        printf("would %s%senable journal mirroring of %s to %s and wait until it is in sync\n",
               change ? "change the features to " : "", change ? want : "", v->sl, v->dl);
        return NE_EXIT_OK;
    }
    if (!(rw = ne_rbd_open(v->srcc, v->s->pool, v->s->image, NULL, false))) return NE_EXIT_UNREACHABLE;
    rc = NE_EXIT_PARTIAL;
    /* the features before any change, journaled first (a resumed run
     * keeps the first record's) */
    if (!v->j.started) {
        if (vs_new_id(v->j.id) < 0) goto out;
        if (ne_vsj_append(&v->j, "start %s %s %s\n", v->j.id, v->sl, key) < 0) goto out;
        v->j.started = true;
    }
    if (!v->j.has_features) {
        if (ne_vsj_append(&v->j, "features %s 0x%" PRIx64 "\n", v->j.id, info->features) < 0)
            goto out;
        v->j.has_features = true, v->j.features = info->features;
    }
    if (change) {
        if (watchers > 0)
            ne_warn("volume-sync %s: changing the features of an image in use (%d watcher%s); if "
                    "its guest freezes, turn journaling and exclusive-lock off again and hard-"
                    "reboot it",
                    v->sl, watchers, watchers == 1 ? "" : "s");
        if (((info->features & F_OFF) &&
             ne_rbd_update_features(rw, info->features & F_OFF, false) < 0) ||
            (!(info->features & F_EXCL) && ne_rbd_update_features(rw, F_EXCL, true) < 0) ||
            (!(info->features & F_JOURNAL) && ne_rbd_update_features(rw, F_JOURNAL, true) < 0)) {
            /* put back what was changed: the image is as it was */
            bool back = restore_features(rw, info->features) == 0;
            ne_error("volume-sync %s --mirror: the features of the image cannot be changed as "
                     "mirroring needs (%s; see above); %s; mirroring not enabled",
                     v->sl, want,
                     back ? "its features are back to what they were: nothing changed"
                          : "they could not all be put back either: set them by hand (rbd feature "
                            "enable/disable) to the original ones");
            if (!back) fprintf(stderr, "original features of %s: %s\n", v->sl, have);
            if (back) {
                ne_vsj_remove(&v->j);
                rc = NE_EXIT_REFUSED;
            }
            goto out;
        }
        printf("features: %s -> %s\n", have, want);
    }
    if (!st.enabled) {
        if (ne_rbd_mirror_enable(rw, false) < 0) goto out;
        printf("mirroring enabled (journal): %s -> %s\n", v->sl, v->dl);
    }
    fflush(stdout);
    /* wait through a read-only handle: no watch, no lock held for the
     * minutes a sync may take (nor left behind by a kill) */
    ne_rbd_close(rw);
    if (!(rw = ne_rbd_open(v->srcc, v->s->pool, v->s->image, NULL, true))) goto out;
    double t0 = ne_now();
    if (wait_in_sync(v, rw, "mirror") < 0) goto out;
    if (v->o->json)
        json_out(json_pack("{s:s,s:s,s:s,s:s,s:s,s:f}", "result", "in-sync", "source", v->sl,
                           "destination", v->dl, "features_before", have, "features", want,
                           "seconds", ne_now() - t0));
    else
        printf("in sync: %s -> %s (replaying, no entry behind) after %.1f s; writes keep being "
               "replicated until --finish\n",
               v->sl, v->dl, ne_now() - t0);
    rc = NE_EXIT_OK;
out:
    ne_rbd_close(rw);
    return rc;
}

/* The destination image's mirroring, -1 after reporting. */
static int
dst_status(struct vm *v, struct ne_rbd_img *im, struct ne_rbd_mirror_status *st)
{
    (void)v;
    return ne_rbd_mirror_status(im, st);
}

static int
finish(struct vm *v, struct ne_rbd_img *ro, int watchers)
{
    struct ne_volsync_opts vo = {0};
    struct vs vv = {0};
    struct ne_rbd_mirror_status ss, ds;
    struct ne_rbd_img *src = NULL, *dst = NULL;
    CLEANUP_FREE char *orig = NULL;
    double end;
    int rc = NE_EXIT_PARTIAL, e;

    if (!v->j.has_features) {
        ne_error("volume-sync %s --mirror --finish: no journal of this tool records the features "
                 "the image had before mirroring (%s/volume-sync/); nothing done",
                 v->sl, v->o->state_dir);
        return NE_EXIT_REFUSED;
    }
    orig = fstr(v->j.features);
    if (ne_rbd_mirror_status(ro, &ss) < 0) return NE_EXIT_UNREACHABLE;
    if (ss.enabled && ss.primary && watchers > 0 && !v->o->yes) {
        ne_error("volume-sync %s --mirror --finish: the image is in use (%d watcher%s); demoting "
                 "it makes it read-only under its writer; stop or detach the guest first, or give "
                 "--yes; nothing done",
                 v->sl, watchers, watchers == 1 ? "" : "s");
        return NE_EXIT_REFUSED;
    }
    /* before the demotion: a daemon must replay it, onto a copy */
    if (ss.enabled && ss.primary) {
        if ((rc = check_pools(v)) != NE_EXIT_OK) return rc;
        if ((e = ne_rbd_exists(v->dstc, v->d->pool, v->d->image)) < 0) return NE_EXIT_UNREACHABLE;
        if (e == 0) {
            ne_error("volume-sync %s --mirror --finish: the copy %s is not there yet; run "
                     "--mirror --enable-features until it is in sync; nothing done",
                     v->sl, v->dl);
            return NE_EXIT_REFUSED;
        }
        rc = NE_EXIT_PARTIAL;
    } else if (!ss.enabled && ne_rbd_exists(v->dstc, v->d->pool, v->d->image) != 1) {
        ne_error("volume-sync %s --mirror --finish: the image is not mirrored and the copy %s is "
                 "not there; nothing to finish; nothing done",
                 v->sl, v->dl);
        return NE_EXIT_REFUSED;
    }
    if (v->o->dry_run) {
        printf("would demote %s, promote %s, verify both, disable mirroring and restore the "
               "features %s on both\n",
               v->sl, v->dl, orig);
        return NE_EXIT_OK;
    }
    if (!(src = ne_rbd_open(v->srcc, v->s->pool, v->s->image, NULL, false))) return NE_EXIT_UNREACHABLE;
    if (ss.enabled && ss.primary) {
        if (wait_in_sync(v, src, "mirror") < 0) goto out;
        if (ne_rbd_mirror_demote(src) < 0) goto out;
        printf("demoted %s\n", v->sl);
    }
    if (ne_rbd_exists(v->dstc, v->d->pool, v->d->image) != 1) {
        ne_error("volume-sync %s --mirror --finish: the copy %s is not there; run the same "
                 "command again once it is",
                 v->sl, v->dl);
        goto out;
    }
    if (!(dst = ne_rbd_open(v->dstc, v->d->pool, v->d->image, NULL, false))) goto out;
    if (dst_status(v, dst, &ds) < 0) goto out;
    if (ds.enabled && !ds.primary) {
        /* a plain promote succeeds once the daemon replayed the demotion */
        end = ne_now() + v->wait;
        while ((e = ne_rbd_mirror_promote(dst, false)) == -EBUSY && ne_now() < end &&
               !ne_interrupted())
            usleep(500000);
        if (e < 0) {
            if (e == -EBUSY)
                ne_error("volume-sync %s --mirror --finish: %s did not get the demotion within "
                         "%.0f s; see the rbd-mirror log of cluster %s and run the same command "
                         "again",
                         v->sl, v->dl, v->wait, v->d->cluster);
            goto out;
        }
        printf("promoted %s\n", v->dl);
    }
    fflush(stdout);
    /* both heads are read-only now (the source demoted): they must be equal */
    vv.srcc = v->srcc, vv.dstc = v->dstc, vv.s = v->s, vv.d = v->d, vv.o = &vo;
    if (vs_verify(&vv, NULL) < 0) goto out;
    /* the promoted copy first: on a primary source, disabling would have
     * the daemon delete the copy */
    if (dst_status(v, dst, &ds) < 0) goto out;
    if (ds.enabled && ne_rbd_mirror_disable(dst, false) < 0) goto out;
    if (ne_rbd_mirror_status(src, &ss) < 0) goto out;
    if (ss.enabled && ne_rbd_mirror_disable(src, true) < 0) goto out;
    /* a non-primary image opened before the change keeps its read-only
     * state: open both again */
    ne_rbd_close(src), ne_rbd_close(dst);
    src = dst = NULL;
    if (!(src = ne_rbd_open(v->srcc, v->s->pool, v->s->image, NULL, false)) ||
        !(dst = ne_rbd_open(v->dstc, v->d->pool, v->d->image, NULL, false)))
        goto out;
    if (restore_features(src, v->j.features) < 0 || restore_features(dst, v->j.features) < 0) goto out;
    ne_vsj_remove(&v->j);
    if (v->o->json)
        json_out(json_pack("{s:s,s:b,s:s,s:s,s:s}", "result", "finished", "verified", 1, "source",
                           v->sl, "destination", v->dl, "features", orig));
    else
        printf("finished: %s is primary and equals %s (verified); mirroring disabled on both; "
               "features %s restored on both\n",
               v->dl, v->sl, orig);
    rc = NE_EXIT_OK;
out:
    ne_rbd_close(src);
    ne_rbd_close(dst);
    return rc;
}

int
ne_volsync_mirror(struct ne_rbd *srcc, const struct ne_rbd_spec *src, struct ne_rbd *dstc,
                  const struct ne_rbd_spec *dst, const struct ne_volsync_mirror_opts *o)
{
    struct vm v = {srcc, dstc, src, dst, o, {0}, "", "", o->wait_s ? o->wait_s : 600, false};
    CLEANUP_FREE char *key = NULL;
    struct ne_rbd_img *ro = NULL;
    struct ne_rbd_info info;
    int rc, w;

    snprintf(v.sl, sizeof v.sl, "%s/%s/%s", src->cluster, src->pool, src->image);
    snprintf(v.dl, sizeof v.dl, "%s/%s/%s", dst->cluster, dst->pool, dst->image);
    if (str_eq(src->cluster, dst->cluster)) {
        ne_error("volume-sync %s --mirror: the destination is on the same cluster %s; mirroring "
                 "copies to another cluster; nothing done",
                 v.sl, src->cluster);
        return NE_EXIT_USAGE;
    }
    if (!str_eq(src->pool, dst->pool) || !str_eq(src->image, dst->image)) {
        ne_error("volume-sync %s --mirror: rbd-mirror makes the copy under the same pool and "
                 "name; give %s/%s or %s/%s/%s as the destination; nothing done",
                 v.sl, dst->cluster, src->pool, dst->cluster, src->pool, src->image);
        return NE_EXIT_USAGE;
    }
    key = xasprintf("mirror:%s", v.dl);
    if (ne_vsj_load(o->state_dir, v.sl, key, &v.j) < 0) return NE_EXIT_USAGE;
    if (!(ro = ne_rbd_open(srcc, src->pool, src->image, NULL, true))) {
        ne_vsj_free(&v.j);
        return NE_EXIT_USAGE;
    }
    w = ne_rbd_watchers(ro);
    if (w < 0 || ne_rbd_stat(ro, &info) < 0) rc = NE_EXIT_UNREACHABLE;
    else rc = o->finish ? finish(&v, ro, w) : start(&v, ro, &info, w);
    if (v.interrupted || (rc != NE_EXIT_OK && ne_interrupted())) rc = NE_EXIT_INTERRUPTED;
    ne_rbd_close(ro);
    ne_vsj_free(&v.j);
    return rc;
}
