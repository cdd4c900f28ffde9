/* SPDX-License-Identifier: Apache-2.0 */
/* rbd-plan.h: the pure logic of copying RBD images between clusters in
 * rounds (volume-sync): image specs, extent lists and their chunking, the
 * convergence decision, snapshot names, the resume point, chunk checksums.
 * No I/O, no librbd: unit-tested in tests/unit/rbdplan-t.c. */
#ifndef NE_RBD_PLAN_H
#define NE_RBD_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "cluster/pool/image" (image optional where allowed).  The strings are
 * owned by the spec (ne_rbd_spec_free). */
struct ne_rbd_spec {
    char *cluster, *pool, *image;
};
/* Parses text; image_required: the image part must be there.  Returns 0,
 * or -1 with a one-line reason in why (size >= 128). */
int ne_rbd_spec_parse(const char *text, bool image_required, struct ne_rbd_spec *out,
                      char *why, size_t whylen);
void ne_rbd_spec_free(struct ne_rbd_spec *s);
/* A cluster, pool or image name we accept: 1..255 bytes of letters,
 * digits and "._-" (no '/', '@', spaces or control bytes). */
bool ne_rbd_name_ok(const char *s);

/* One extent of a diff: data to copy, or a range that no longer exists
 * (to zero on the destination). */
struct ne_extent {
    uint64_t off, len;
    bool data;
};
struct ne_extents {
    struct ne_extent *v;
    size_t n, cap;
    uint64_t data_bytes, zero_bytes;
};
/* Appends one extent; one that starts where the last ends and is of the
 * same kind is merged into it.  len 0 is ignored. */
void ne_extents_add(struct ne_extents *l, uint64_t off, uint64_t len, bool data);
void ne_extents_free(struct ne_extents *l);
/* Splits in into pieces that never cross a multiple of chunk (aligned
 * I/O: a piece lies inside one chunk-sized, chunk-aligned block); out is
 * appended to.  chunk > 0. */
void ne_extents_split(const struct ne_extents *in, uint64_t chunk, struct ne_extents *out);
/* The ranges covered by a or b (both sorted), merged, all marked data:
 * what a verification must read on both sides (outside it both are holes). */
void ne_extents_union(const struct ne_extents *a, const struct ne_extents *b,
                      struct ne_extents *out);

/* One finished round, as measured. */
struct ne_round_stat {
    uint64_t bytes;   /* data copied + zeroed */
    double seconds;   /* copy time */
};
struct ne_converge {
    uint64_t max_final_bytes;   /* predicted last round at most this */
    double max_final_seconds;   /* and at most this long at the measured rate */
    unsigned max_rounds;        /* incremental rounds before cutting over anyway */
};
enum ne_round_next {
    NE_ROUND_AGAIN,         /* the delta still shrinks: another round while in use */
    NE_ROUND_CUTOVER,       /* the predicted last round is under the thresholds */
    NE_ROUND_CUTOVER_STUCK, /* not converging (grew, or max rounds): cut over anyway */
};
/* Decides after rounds h[0..n) (h[0] the full copy).  *pred_bytes and
 * *pred_seconds: the predicted last round (the last delta, at the mean
 * rate of the rounds so far). */
enum ne_round_next ne_round_decide(const struct ne_round_stat *h, size_t n,
                                   const struct ne_converge *c, uint64_t *pred_bytes,
                                   double *pred_seconds);

/* Snapshot names: "nova-evac-sync-<id>-<round>", id 8..32 hex digits. */
#define NE_SYNC_SNAP_PREFIX "nova-evac-sync-"
char *ne_sync_snap_name(const char *id, unsigned round);
/* True when name is one of this attempt's (id) snapshots; *round set. */
bool ne_sync_snap_parse(const char *name, const char *id, unsigned *round);
/* The latest round of attempt id whose snapshot both sides have, or -1. */
long ne_sync_resume_round(const char *id, const char *const *src, size_t nsrc,
                          const char *const *dst, size_t ndst);

/* Where a journal-mirrored image's replication stands, from the state
 * ("up+replaying") and description of its mirror status as the rbd-mirror
 * daemon reports it: NE_MIRROR_SYNCING with *percent (0..100, -1 unknown)
 * while the first full copy runs, NE_MIRROR_REPLAYING with *behind (the
 * journal entries not yet replayed, -1 unknown), NE_MIRROR_DOWN when no
 * daemon reports (down+...), NE_MIRROR_ERROR for error/stopped states,
 * NE_MIRROR_STARTING otherwise. */
enum ne_mirror_phase {
    NE_MIRROR_DOWN,
    NE_MIRROR_STARTING,
    NE_MIRROR_SYNCING,
    NE_MIRROR_REPLAYING,
    NE_MIRROR_ERROR,
};
enum ne_mirror_phase ne_mirror_phase_parse(const char *state, const char *desc, int *percent,
                                           long *behind);

/* A 64-bit checksum of a chunk, its length included (not cryptographic:
 * it tells a faithful copy from a damaged one, fast). */
uint64_t ne_chunk_hash(const void *buf, size_t len);

#endif
