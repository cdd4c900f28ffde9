/* SPDX-License-Identifier: Apache-2.0 */
/* volsync.c: the rounds, the cut-over and the verification of volume-sync
 * (see volsync.h). */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "util/exitcode.h"
#include "util/fault.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/progress.h"
#include "volsync/volsync-int.h"

/* Features a destination gets: the source's, minus what needs a peer or
 * another pool (journaling, data pool) or cannot be set at creation. */
#define KEEP_FEATURES 0x3dULL /* layering, exclusive-lock, object-map, fast-diff, deep-flatten */

static void
round_progress(uint64_t done, uint64_t total, void *opaque)
{
    struct vs *v = opaque;
    char text[96], a[32], b[32];

    ne_fault_point("volsync:copy"); /* tests: a kill in the middle of a round */
    if (!progress_enabled()) return;
    snprintf(text, sizeof text, "%s of %s", fmt_bytes(done, a, sizeof a),
             fmt_bytes(total, b, sizeof b));
    progress_draw(v->label, total ? (double)done / (double)total : 1.0, text);
}

static void
report_round(struct vs *v, unsigned round, const char *snap, bool final,
             const struct ne_rbd_copy_stat *st, double secs, uint64_t pred_b, double pred_s)
{
    uint64_t bytes = st->data_bytes + st->zero_bytes;
    double rate = secs > 0 ? (double)(bytes + st->skipped_bytes) / secs : 0;
    char a[32], r[32], text[160];

    snprintf(text, sizeof text, "%s%s, %zu extents, %.2f s, %s/s", fmt_bytes(bytes, a, sizeof a),
             st->zero_bytes ? " (some zeroed)" : "", st->extents, secs,
             fmt_bytes((uint64_t)rate, r, sizeof r));
    if (progress_enabled()) progress_done(v->label, true, text);
    if (v->o->json) {
        json_t *j = json_pack("{s:I,s:s,s:b,s:I,s:I,s:I,s:I,s:I,s:f,s:f,s:I,s:f}", "round",
                              (json_int_t)round, "snapshot", snap, "final", final, "bytes",
                              (json_int_t)bytes, "data_bytes", (json_int_t)st->data_bytes,
                              "zeroed_bytes", (json_int_t)st->zero_bytes, "skipped_zero_bytes",
                              (json_int_t)st->skipped_bytes, "extents", (json_int_t)st->extents,
                              "seconds", secs, "rate", rate, "predicted_final_bytes",
                              (json_int_t)pred_b, "predicted_final_seconds", pred_s);
        char *s = json_dumps(j, JSON_COMPACT);
        printf("%s\n", s);
        free(s);
        json_decref(j);
    } else {
        printf("round %u%s: %s\n", round, final ? " (final)" : "", text);
    }
    fflush(stdout);
}

/* One round: snapshot the source, copy the diff since the previous round's
 * snapshot (prev NULL: everything), snapshot the destination, record it,
 * then drop the previous snapshot on both sides.  0 or -1 (reported). */
static int
one_round(struct vs *v, unsigned round, bool final, struct ne_round_stat *hs)
{
    CLEANUP_FREE char *snap = ne_sync_snap_name(v->j.id, round);
    CLEANUP_FREE char *prev = round ? ne_sync_snap_name(v->j.id, round - 1) : NULL;
    struct ne_extents ext = {0};
    struct ne_rbd_copy_stat st;
    struct ne_rbd_copy_opt co = {v->o->chunk, v->o->inflight, round == 0, round_progress, v};
    struct ne_rbd_img *at = NULL;
    struct ne_rbd_info info;
    uint64_t pred_b = 0;
    double t0, secs, pred_s = 0;
    int rc = -1;

    snprintf(v->label, sizeof v->label, "round %u%s", round, final ? " (final)" : "");
    if (ne_rbd_snap_create(v->src, snap) < 0) return -1;
    if (!(at = ne_rbd_open(v->srcc, v->s->pool, v->s->image, snap, true))) goto out;
    if (ne_rbd_stat(at, &info) < 0) goto out;
    if (round == 0) {
        if (ne_vsj_append(&v->j, "dst-created %s\n", v->j.id) < 0) goto out;
        v->j.dst_created = true;
        if (ne_rbd_create(v->dstc, v->d->pool, v->d->image, info.size, info.order,
                          info.features & KEEP_FEATURES) < 0)
            goto out;
        if (!(v->dst = ne_rbd_open(v->dstc, v->d->pool, v->d->image, NULL, false))) goto out;
    } else if (info.size != v->size && ne_rbd_resize(v->dst, info.size) < 0) {
        goto out;
    }
    v->size = info.size;
    t0 = ne_now();
    if (ne_rbd_diff(at, prev, &ext) < 0 || ne_rbd_copy(at, v->dst, &ext, &co, &st) < 0) goto out;
    secs = ne_now() - t0;
    if (ne_rbd_snap_create(v->dst, snap) < 0) goto out;
    if (ne_vsj_append(&v->j, "round %s %u %" PRIu64 "\n", v->j.id, round,
                      st.data_bytes + st.zero_bytes) < 0)
        goto out;
    if (prev) { /* the new snapshot is shared: the previous one is no longer needed */
        ne_rbd_snap_remove(v->src, prev);
        ne_rbd_snap_remove(v->dst, prev);
    }
    hs->bytes = st.data_bytes + st.zero_bytes;
    hs->seconds = secs;
    v->hist[v->nhist++] = *hs;
    if (!final && v->nhist > 0)
        ne_round_decide(v->hist, v->nhist, &v->o->converge, &pred_b, &pred_s);
    report_round(v, round, snap, final, &st, secs, pred_b, pred_s);
    rc = 0;
out:
    if (rc < 0 && progress_enabled()) progress_done(v->label, false, "failed");
    ne_extents_free(&ext);
    ne_rbd_close(at);
    return rc;
}

/* Runs the cut-over hook; 0 when it exits 0, -1 (reported) otherwise. */
static int
run_hook(struct vs *v, unsigned round)
{
    CLEANUP_FREE char *src = xasprintf("%s/%s/%s", v->s->cluster, v->s->pool, v->s->image);
    CLEANUP_FREE char *dst = xasprintf("%s/%s/%s", v->d->cluster, v->d->pool, v->d->image);
    char r[16];
    int rc;

    snprintf(r, sizeof r, "%u", round);
    setenv("NOVA_EVAC_SRC", src, 1);
    setenv("NOVA_EVAC_DST", dst, 1);
    setenv("NOVA_EVAC_ROUND", r, 1);
    fflush(stdout);
    rc = ne_run_shell(v->o->cutover_hook);
    if (rc != 0) {
        ne_error("volume-sync %s: the cut-over hook failed (%s); the last round was not made; "
                 "the copy is kept up to round %u: fix the hook and run the same command again",
                 src, rc < 0 ? "could not run it" : "non-zero exit", round);
        return -1;
    }
    return 0;
}

static int
cutover_and_verify(struct vs *v, unsigned round)
{
    struct ne_volsync_state st = {v->s, v->d, NULL, round, v->size};
    struct ne_round_stat hs;
    CLEANUP_FREE char *snap = NULL;
    double t0 = ne_now();

    if (v->o->cutover_hook && run_hook(v, round) < 0) return NE_EXIT_PARTIAL;
    if (v->o->before_final && v->o->before_final(v->o->opaque, &st) < 0) return NE_EXIT_PARTIAL;
    if (one_round(v, round + 1, true, &hs) < 0) return NE_EXIT_PARTIAL;
    snap = ne_sync_snap_name(v->j.id, round + 1);
    st.snap = snap, st.round = round + 1, st.size = v->size;
    if (vs_verify(v, snap) < 0) return NE_EXIT_PARTIAL;
    if (ne_vsj_append(&v->j, "verified %s %u\n", v->j.id, round + 1) < 0) return NE_EXIT_PARTIAL;
    v->cutover_seconds = ne_now() - t0;
    if (v->o->after_verify && v->o->after_verify(v->o->opaque, &st) < 0) return NE_EXIT_PARTIAL;
    return NE_EXIT_OK;
}

/* The rounds from `next` on (after a resume, next > 0 and the previous
 * snapshot is shared), the cut-over, the verification and the cleanup. */
static int
rounds(struct vs *v, unsigned next)
{
    struct ne_round_stat hs;
    uint64_t pb;
    double ps;
    int rc;

    for (;;) {
        if (one_round(v, next, false, &hs) < 0) return NE_EXIT_PARTIAL;
        enum ne_round_next d = ne_round_decide(v->hist, v->nhist, &v->o->converge, &pb, &ps);
        if (d == NE_ROUND_AGAIN && next == 0 && v->nhist == 1 && hs.bytes == 0) d = NE_ROUND_CUTOVER;
        if (d != NE_ROUND_AGAIN) {
            if (d == NE_ROUND_CUTOVER_STUCK)
                ne_warn("volume-sync %s: the delta does not shrink enough (last %" PRIu64
                        " bytes, about %.1f s): cutting over anyway",
                        v->s->image, pb, ps);
            break;
        }
        next++;
    }
    rc = cutover_and_verify(v, next);
    if (rc != NE_EXIT_OK) return rc;
    vs_drop_snapshots(v);
    ne_vsj_remove(&v->j);
    if (v->o->json) {
        json_t *j = json_pack("{s:s,s:b,s:I,s:I,s:f}", "result", "done", "verified", 1, "size",
                              (json_int_t)v->size, "rounds", (json_int_t)(next + 2),
                              "cutover_seconds", v->cutover_seconds);
        char *s = json_dumps(j, JSON_COMPACT);
        printf("%s\n", s);
        free(s);
        json_decref(j);
    } else {
        printf("done: %s/%s/%s = %s/%s/%s, verified; cut-over %.2f s\n", v->s->cluster,
               v->s->pool, v->s->image, v->d->cluster, v->d->pool, v->d->image,
               v->cutover_seconds);
    }
    return NE_EXIT_OK;
}

int
ne_volsync_run(struct ne_rbd *srcc, const struct ne_rbd_spec *src, struct ne_rbd *dstc,
               const struct ne_rbd_spec *dst, const struct ne_volsync_opts *o)
{
    struct vs v = {0};
    long resume = -1;
    int rc;

    v.srcc = srcc, v.dstc = dstc, v.s = src, v.d = dst, v.o = o;
    rc = vs_prepare(&v, &resume);
    if (rc == NE_EXIT_OK && !o->dry_run) rc = rounds(&v, (unsigned)(resume + 1));
    ne_rbd_close(v.dst);
    ne_rbd_close(v.src);
    ne_vsj_free(&v.j);
    return rc;
}
