/* SPDX-License-Identifier: Apache-2.0 */
/* rbdplan-t.c: the pure logic of volume-sync (src/rbd/rbd-plan.c) and its
 * journal parser (src/volsync/volsync-journal.c). */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "rbd/rbd-plan.h"
#include "util/mem.h"
#include "volsync/volsync.h"
#include "tap.h"

#define MIB (1ull << 20)

static void
specs(void)
{
    struct ne_rbd_spec s;
    char why[160];

    is_int(ne_rbd_spec_parse("a/volumes/vol-1", true, &s, why, sizeof why), 0, "spec: full");
    is_str(s.cluster, "a", "spec: cluster");
    is_str(s.pool, "volumes", "spec: pool");
    is_str(s.image, "vol-1", "spec: image");
    ne_rbd_spec_free(&s);
    is_int(ne_rbd_spec_parse("b/volumes", false, &s, why, sizeof why), 0, "spec: no image, allowed");
    ok(s.image == NULL, "spec: image NULL when absent");
    ne_rbd_spec_free(&s);
    is_int(ne_rbd_spec_parse("b/volumes", true, &s, why, sizeof why), -1, "spec: image required");
    ok(strstr(why, "CLUSTER/POOL/IMAGE") != NULL, "spec: the reason shows the form (%s)", why);
    is_int(ne_rbd_spec_parse("a/b/c/d", true, &s, why, sizeof why), -1, "spec: too many parts");
    is_int(ne_rbd_spec_parse("a//c", true, &s, why, sizeof why), -1, "spec: empty pool");
    ok(strstr(why, "pool") != NULL, "spec: names the bad part (%s)", why);
    is_int(ne_rbd_spec_parse("a/p/x@snap", true, &s, why, sizeof why), -1, "spec: '@' refused");
    is_int(ne_rbd_spec_parse("a/p/x y", true, &s, why, sizeof why), -1, "spec: space refused");
    is_int(ne_rbd_spec_parse("", true, &s, why, sizeof why), -1, "spec: empty");
    is_int(ne_rbd_spec_parse("a", false, &s, why, sizeof why), -1, "spec: cluster only");
    is_int(ne_rbd_spec_parse("a/p/", true, &s, why, sizeof why), -1, "spec: empty image");
}

static void
extents(void)
{
    struct ne_extents l = {0}, p = {0}, u = {0}, b = {0};

    ne_extents_add(&l, 0, 4 * MIB, true);
    ne_extents_add(&l, 4 * MIB, 1 * MIB, true);  /* adjacent, same kind: merged */
    ne_extents_add(&l, 5 * MIB, 3 * MIB, false); /* adjacent, other kind: kept */
    ne_extents_add(&l, 9 * MIB, 0, true);        /* empty: ignored */
    ne_extents_add(&l, 10 * MIB + 100, 300, true);
    is_int(l.n, 3, "extents: merged to 3");
    is_int(l.v[0].len, 5 * MIB, "extents: first is 5 MiB");
    is_int(l.data_bytes, 5 * MIB + 300, "extents: data bytes");
    is_int(l.zero_bytes, 3 * MIB, "extents: zero bytes");

    ne_extents_split(&l, 4 * MIB, &p);
    /* 0-4, 4-5 | 5-8 | 10M+100 +300 */
    is_int(p.n, 4, "split: 4 pieces at 4 MiB boundaries");
    ok(p.v[0].off == 0 && p.v[0].len == 4 * MIB, "split: piece 0 is the first block");
    ok(p.v[1].off == 4 * MIB && p.v[1].len == MIB && p.v[1].data, "split: piece 1 is the 1 MiB tail");
    ok(p.v[2].off == 5 * MIB && p.v[2].len == 3 * MIB && !p.v[2].data, "split: the zero range stays zero");
    is_int(p.data_bytes + p.zero_bytes, l.data_bytes + l.zero_bytes, "split: no byte lost");
    for (size_t i = 0; i < p.n; i++)
        if (p.v[i].off / (4 * MIB) != (p.v[i].off + p.v[i].len - 1) / (4 * MIB))
            ok(0, "split: piece %zu crosses a block", i);
    ne_extents_free(&p);
    ne_extents_split(&l, 1 * MIB, &p);
    is_int(p.n, 9, "split at 1 MiB: 9 pieces");
    ne_extents_free(&p);

    ne_extents_add(&b, 2 * MIB, 4 * MIB, true); /* overlaps l[0] and l[1] */
    ne_extents_add(&b, 20 * MIB, MIB, true);
    ne_extents_union(&l, &b, &u);
    is_int(u.n, 3, "union: 3 ranges");
    ok(u.v[0].off == 0 && u.v[0].len == 8 * MIB, "union: 0-8 MiB merged (%llu+%llu)",
       (unsigned long long)u.v[0].off, (unsigned long long)u.v[0].len);
    ok(u.v[2].off == 20 * MIB && u.v[2].len == MIB, "union: the other side's range kept");
    ne_extents_free(&u);
    ne_extents_union(&b, &(struct ne_extents){0}, &u);
    is_int(u.n, 2, "union with nothing: itself");
    ne_extents_free(&u);
    ne_extents_free(&l);
    ne_extents_free(&b);
}

static void
decide(void)
{
    struct ne_converge c = {64 * MIB, 10, 4};
    struct ne_round_stat h[8] = {{1024 * MIB, 4}, {400 * MIB, 2}, {100 * MIB, 0.5},
                                 {30 * MIB, 0.2}};
    uint64_t pb;
    double ps;

    is_int(ne_round_decide(h, 1, &c, &pb, &ps), NE_ROUND_AGAIN, "decide: after the full copy, again");
    is_int(ne_round_decide(h, 2, &c, &pb, &ps), NE_ROUND_AGAIN, "decide: 400 MiB delta > 64 MiB: again");
    is_int(pb, 400 * MIB, "decide: predicted = last delta");
    ok(ps > 1.5 && ps < 2.5, "decide: predicted seconds at the mean rate (%.2f)", ps);
    is_int(ne_round_decide(h, 3, &c, &pb, &ps), NE_ROUND_AGAIN, "decide: 100 MiB, shrinking: again");
    is_int(ne_round_decide(h, 4, &c, &pb, &ps), NE_ROUND_CUTOVER, "decide: 30 MiB: cut over");
    c.max_final_seconds = 0.01;
    is_int(ne_round_decide(h, 4, &c, &pb, &ps), NE_ROUND_AGAIN,
           "decide: under the bytes but over the seconds: again");
    c.max_final_seconds = 10;
    h[3].bytes = 200 * MIB;
    is_int(ne_round_decide(h, 4, &c, &pb, &ps), NE_ROUND_CUTOVER_STUCK, "decide: delta grew: stuck");
    h[3].bytes = 90 * MIB, h[4] = (struct ne_round_stat){80 * MIB, 0.3};
    is_int(ne_round_decide(h, 5, &c, &pb, &ps), NE_ROUND_CUTOVER_STUCK, "decide: max rounds: stuck");
    struct ne_round_stat idle[2] = {{10 * MIB, 0.1}, {0, 0}};
    is_int(ne_round_decide(idle, 2, &c, &pb, &ps), NE_ROUND_CUTOVER, "decide: idle image: cut over");
    is_int(pb, 0, "decide: idle predicts 0 bytes");
}

static void
snaps(void)
{
    const char *id = "0123abcd", *other = "ffff0000";
    char *n = ne_sync_snap_name(id, 7);
    unsigned r = 99;

    is_str(n, "nova-evac-sync-0123abcd-7", "snap: name");
    ok(ne_sync_snap_parse(n, id, &r) && r == 7, "snap: parsed back");
    ok(!ne_sync_snap_parse(n, other, &r), "snap: another attempt's is not ours");
    ok(!ne_sync_snap_parse("nova-evac-sync-0123abcd-07", id, &r), "snap: leading zero refused");
    ok(!ne_sync_snap_parse("nova-evac-sync-0123abcd-", id, &r), "snap: no round refused");
    ok(!ne_sync_snap_parse("nova-evac-sync-0123abcd-1x", id, &r), "snap: junk refused");
    ok(!ne_sync_snap_parse("user-snap", id, &r), "snap: an operator's snapshot is not ours");
    ok(!ne_sync_snap_parse(n, "xyz", &r), "snap: a bad id matches nothing");
    free(n);

    const char *src[] = {"user-1", "nova-evac-sync-0123abcd-3", "nova-evac-sync-0123abcd-4",
                         "nova-evac-sync-ffff0000-9"};
    const char *dst[] = {"nova-evac-sync-0123abcd-3", "nova-evac-sync-ffff0000-9"};
    is_int(ne_sync_resume_round(id, src, 4, dst, 2), 3,
           "resume: the latest round both have (4 only on the source)");
    is_int(ne_sync_resume_round(other, src, 4, dst, 2), 9, "resume: per attempt");
    is_int(ne_sync_resume_round(id, src, 4, dst, 0), -1, "resume: nothing shared: -1");
    is_int(ne_sync_resume_round("deadbeef", src, 4, dst, 2), -1, "resume: unknown attempt: -1");
}

static void
hashes(void)
{
    char *a = calloc(1, 4 * MIB), *b = calloc(1, 4 * MIB);

    ok(ne_chunk_hash(a, 4 * MIB) == ne_chunk_hash(b, 4 * MIB), "hash: equal buffers, equal sums");
    b[4 * MIB - 1] = 1;
    ok(ne_chunk_hash(a, 4 * MIB) != ne_chunk_hash(b, 4 * MIB), "hash: last byte differs");
    b[4 * MIB - 1] = 0, b[12345] = (char)0x80;
    ok(ne_chunk_hash(a, 4 * MIB) != ne_chunk_hash(b, 4 * MIB), "hash: a middle byte differs");
    ok(ne_chunk_hash(a, 4096) != ne_chunk_hash(a, 8192), "hash: zeros of other lengths differ");
    ok(ne_chunk_hash(a, 13) != ne_chunk_hash(a, 14), "hash: tails count");
    free(a);
    free(b);
}

static void
journal(void)
{
    struct ne_vsj j = {0};

    is_int(ne_vsj_parse("", &j), -1, "journal: empty has no start");
    is_int(ne_vsj_parse("start 0123abcd a/v/x b/v/x\ndst-created 0123abcd\nround 0123abcd 0 100\n"
                        "round 0123abcd 1 5\nround 0123a",
                        &j),
           0, "journal: parsed");
    is_str(j.id, "0123abcd", "journal: id");
    ok(j.dst_created, "journal: dst-created");
    is_int(j.last_round, 1, "journal: last round (torn line ignored)");
    is_str(j.src, "a/v/x", "journal: src");
    is_int(ne_vsj_parse("start 0123abcd a/v/x b/v/x\ndst-created ffffffff\n", &j), 0, "journal: other id");
    ok(!j.dst_created, "journal: dst-created of another attempt does not count");
    is_int(ne_vsj_parse("dst-created 0123abcd\nstart 0123abcd a b\n", &j), 0,
           "journal: records before the start are ignored");
    ok(!j.dst_created, "journal: ... so nothing is proved created");
    is_int(ne_vsj_parse("start 0123abcd a b\ndst-created 0123abcd\nstart 99998888 a b\n", &j), 0,
           "journal: a new start");
    ok(!j.dst_created && strcmp(j.id, "99998888") == 0, "journal: a new start resets the state");
    is_int(ne_vsj_parse("start xyz a b\n", &j), -1, "journal: bad id refused");
    is_int(ne_vsj_parse("start 0123abcd a\x01 b\n", &j), -1, "journal: control byte refused");
    ne_vsj_parse("start 0123abcd a mirror:b\nfeatures 0123abcd 0x3d\nfeatures 0123abcd 0x45\n", &j);
    ok(j.has_features && j.features == 0x3d, "journal: the first features record is the one kept");
    ne_vsj_parse("start 0123abcd a mirror:b\nfeatures ffffffff 0x3d\nfeatures 0123abcd 3d\n"
                 "features 0123abcd 0xzz\nfeatures 0123abcd 0x3d",
                 &j);
    ok(!j.has_features, "journal: features of another id, without 0x, bad hex, torn: none");
    free(j.src), free(j.dst);
}

static void
mirror_phase(void)
{
    int pct;
    long behind;

    is_int(ne_mirror_phase_parse("down+unknown", "status not found", &pct, &behind), NE_MIRROR_DOWN,
           "mirror: down");
    is_int(ne_mirror_phase_parse("", NULL, &pct, &behind), NE_MIRROR_DOWN, "mirror: no status");
    is_int(ne_mirror_phase_parse("up+syncing", "bootstrapping, IMAGE_SYNC/COPY_IMAGE 42%", &pct,
                                 &behind),
           NE_MIRROR_SYNCING, "mirror: syncing");
    is_int(pct, 42, "mirror: syncing percent");
    ne_mirror_phase_parse("up+syncing", "bootstrapping, IMAGE_SYNC/CREATE_SYNC_POINT", &pct, &behind);
    is_int(pct, -1, "mirror: syncing without a percent");
    is_int(ne_mirror_phase_parse("up+replaying",
                                 "replaying, {\"bytes_per_second\":0.0,\"entries_behind_primary\":17,"
                                 "\"entries_per_second\":0.0}",
                                 &pct, &behind),
           NE_MIRROR_REPLAYING, "mirror: replaying");
    is_int(behind, 17, "mirror: entries behind");
    ne_mirror_phase_parse("up+replaying", "replaying", &pct, &behind);
    is_int(behind, -1, "mirror: replaying without figures: unknown, not 0");
    is_int(ne_mirror_phase_parse("up+error", "failed to bootstrap", &pct, &behind), NE_MIRROR_ERROR,
           "mirror: error");
    is_int(ne_mirror_phase_parse("up+starting_replay", "", &pct, &behind), NE_MIRROR_STARTING,
           "mirror: starting");
}

int
main(void)
{
    specs();
    extents();
    decide();
    mirror_phase();
    snaps();
    hashes();
    journal();
    return done_testing();
}
