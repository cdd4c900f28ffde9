/* SPDX-License-Identifier: Apache-2.0 */
/* rbd.h: the Ceph RBD adapter (librados, librbd).  rbd.c is the only file
 * that includes their headers; without them (configure found no librbd)
 * rbd-none.c gives the same functions, each reporting that this build
 * has no RBD support.  Plain C types only.
 *
 * Errors are reported once here (ne_error, naming the cluster, the pool
 * and the image) and the functions return -1 or NULL; a negative errno is
 * kept for callers that must tell "does not exist" from a failure
 * (ne_rbd_last_errno). */
#ifndef NE_RBD_H
#define NE_RBD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rbd/rbd-plan.h"
#include "util/progress.h"

struct ne_rbd;     /* a connected cluster */
struct ne_rbd_img; /* an open image */

/* False when the build has no librbd (rbd-none.c). */
bool ne_rbd_built(void);

struct ne_rbd_conn {
    const char *name;    /* the cluster's name in messages ([ceph:NAME]) */
    const char *conf;    /* its ceph.conf */
    const char *keyring; /* the client's keyring */
    const char *client;  /* "nova-evac" or "client.nova-evac" */
    unsigned timeout_s;  /* monitor and OSD operation timeouts (0: 10 s) */
};
/* Connects; the conf and keyring must be readable files.  NULL after
 * reporting (a cluster that does not answer fails after timeout_s). */
struct ne_rbd *ne_rbd_connect(const struct ne_rbd_conn *c);
void ne_rbd_disconnect(struct ne_rbd *r);
const char *ne_rbd_name(const struct ne_rbd *r);

/* 1 when pool/image exists, 0 when not, -1 (reported) on error
 * (a missing pool is an error). */
int ne_rbd_exists(struct ne_rbd *r, const char *pool, const char *image);
/* Creates pool/image of size bytes, objects of 2^order bytes, features
 * (the RBD_FEATURE_* bits as read by ne_rbd_stat).  0 or -1 (reported). */
int ne_rbd_create(struct ne_rbd *r, const char *pool, const char *image, uint64_t size,
                  int order, uint64_t features);
/* Removes pool/image (its snapshots must be gone).  0 or -1 (reported). */
int ne_rbd_remove(struct ne_rbd *r, const char *pool, const char *image);

/* Opens pool/image, at snapshot snap when not NULL (read only then, as
 * with readonly).  A read-only open registers no watch. */
struct ne_rbd_img *ne_rbd_open(struct ne_rbd *r, const char *pool, const char *image,
                               const char *snap, bool readonly);
void ne_rbd_close(struct ne_rbd_img *im);
/* "cluster/pool/image[@snap]", for messages; borrowed. */
const char *ne_rbd_img_name(const struct ne_rbd_img *im);

struct ne_rbd_info {
    uint64_t size;
    uint64_t obj_size;
    int order;
    uint64_t features;
};
int ne_rbd_stat(struct ne_rbd_img *im, struct ne_rbd_info *out);
int ne_rbd_resize(struct ne_rbd_img *im, uint64_t size);
/* Number of clients watching the image (a running guest, a mapped
 * device, a writer), or -1. */
int ne_rbd_watchers(struct ne_rbd_img *im);

/* Snapshots.  list: newly allocated names (free with ne_rbd_names_free),
 * oldest first, count in *n. */
int ne_rbd_snap_create(struct ne_rbd_img *im, const char *snap);
int ne_rbd_snap_remove(struct ne_rbd_img *im, const char *snap);
int ne_rbd_snap_protect(struct ne_rbd_img *im, const char *snap, bool protect);
int ne_rbd_snap_rollback(struct ne_rbd_img *im, const char *snap);
int ne_rbd_snap_list(struct ne_rbd_img *im, char ***names, size_t *n);
void ne_rbd_names_free(char **names, size_t n);
/* The snapshot reads and diffs come from (NULL: the head). */
int ne_rbd_snap_set(struct ne_rbd_img *im, const char *snap);

/* The extents that changed between fromsnap (NULL: since creation) and
 * the image's current snapshot (ne_rbd_snap_set), appended to out:
 * data, or ranges that no longer exist. */
int ne_rbd_diff(struct ne_rbd_img *im, const char *fromsnap, struct ne_extents *out);

struct ne_rbd_copy_opt {
    uint64_t chunk;       /* bytes per I/O, a power of 2 (0: 4 MiB) */
    unsigned inflight;    /* reads/writes in flight (0: 8) */
    bool skip_zero_data;  /* a data chunk that reads as zeros is not written
                           * (the destination is new: holes stay holes) */
    ne_copy_progress progress;
    void *opaque;
};
struct ne_rbd_copy_stat {
    uint64_t data_bytes, zero_bytes, skipped_bytes;
    size_t extents;
};
/* Copies extents of src (at its current snapshot) onto dst's head: data
 * extents read and written in aligned chunks, several in flight; ranges
 * that no longer exist are zeroed (write_zeroes).  0 or -1 (reported). */
int ne_rbd_copy(struct ne_rbd_img *src, struct ne_rbd_img *dst, const struct ne_extents *ext,
                const struct ne_rbd_copy_opt *o, struct ne_rbd_copy_stat *st);
/* Per chunk checksums (ne_chunk_hash) of the ranges in ext, split at
 * multiples of chunk: *sums newly allocated, one per piece, *n set. */
int ne_rbd_checksums(struct ne_rbd_img *im, const struct ne_extents *ext, uint64_t chunk,
                     uint64_t **sums, size_t *n, ne_copy_progress progress, void *opaque);

/* Features. */
int ne_rbd_features(struct ne_rbd_img *im, uint64_t *features);
int ne_rbd_update_features(struct ne_rbd_img *im, uint64_t features, bool enable);
/* "layering,exclusive-lock,..." of a feature mask; newly allocated. */
char *ne_rbd_features_str(uint64_t features);
/* Feature bits by name (librbd's values). */
uint64_t ne_rbd_feature_bit(const char *name);

/* Mirroring (journal or snapshot mode): enable sets the pool's mirror
 * mode to "image" first when it is off. */
int ne_rbd_mirror_enable(struct ne_rbd_img *im, bool snapshot_mode);
int ne_rbd_mirror_disable(struct ne_rbd_img *im, bool force);
struct ne_rbd_mirror_status {
    bool enabled, primary;
    char global_id[64];
    char state[32];       /* "up+replaying", "down+unknown", ... */
    char description[128];
};
/* The image's mirroring state; the site is the peer's report (the daemon
 * replicating it) when there is one, else the local one. */
int ne_rbd_mirror_status(struct ne_rbd_img *im, struct ne_rbd_mirror_status *st);
/* Demote a primary image / promote a non-primary one (force: without the
 * old primary's demotion replayed). */
int ne_rbd_mirror_demote(struct ne_rbd_img *im);
int ne_rbd_mirror_promote(struct ne_rbd_img *im, bool force);
/* Rebuilds an object map that was just enabled (flagged invalid). */
int ne_rbd_rebuild_object_map(struct ne_rbd_img *im);

/* A pool's mirroring: its mode (0 off, 1 image, 2 pool), its mirror uuid
 * (empty while off), the sites it replicates from (rx or rx-tx peers) and
 * the pools that replicate it (tx peers, each added by a peer's rbd-mirror
 * daemon under its own pool's mirror uuid). */
struct ne_rbd_mirror_pool {
    int mode;
    char uuid[64];
    char rx_sites[4][64];
    size_t n_rx;
    char tx_uuids[4][64];
    size_t n_tx;
};
int ne_rbd_mirror_pool_info(struct ne_rbd *r, const char *pool, struct ne_rbd_mirror_pool *out);
/* The rbd-mirror daemons serving pool on this cluster: each watches the
 * pool's rbd_mirroring object and answers a notify on it (an op it does
 * not know, which it acknowledges and ignores).  The count, or -1. */
int ne_rbd_mirror_daemons(struct ne_rbd *r, const char *pool, unsigned timeout_ms);

/* The cluster's fsid into buf (len >= 37).  0 or -1 (reported). */
int ne_rbd_fsid(struct ne_rbd *r, char *buf, size_t len);
/* Reads bytes [0, size) of the image (at its snapshot) in order, chunk
 * bytes at a time, giving each piece to fn; fn returning -1 stops it.
 * 0 or -1 (a read failure reported; fn reports its own). */
int ne_rbd_read_stream(struct ne_rbd_img *im, uint64_t size, size_t chunk,
                       int (*fn)(const void *data, size_t len, void *opaque), void *opaque);

#endif
