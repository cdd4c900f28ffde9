/* SPDX-License-Identifier: Apache-2.0 */
/* rbd.c: the Ceph RBD adapter (see rbd.h): the only file that includes
 * librados' and librbd's headers. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rados/librados.h>
#include <rbd/librbd.h>

#include "rbd/rbd.h"
#include "util/log.h"
#include "util/mem.h"

struct ne_rbd {
    rados_t cl;
    char *name;
};
struct ne_rbd_img {
    struct ne_rbd *r;
    rados_ioctx_t io;
    rbd_image_t im;
    char *label; /* cluster/pool/image[@snap] */
};

bool
ne_rbd_built(void)
{
    return true;
}

const char *
ne_rbd_name(const struct ne_rbd *r)
{
    return r->name;
}

const char *
ne_rbd_img_name(const struct ne_rbd_img *im)
{
    return im->label;
}

static const char *
err(int e)
{
    return strerror(e < 0 ? -e : e);
}

struct ne_rbd *
ne_rbd_connect(const struct ne_rbd_conn *c)
{
    CLEANUP_FREE char *client = NULL;
    char tmo[16];
    struct ne_rbd *r;
    rados_t cl;
    int e;

    if (access(c->conf, R_OK) < 0) {
        ne_error("ceph cluster %s: cannot read its conf %s: %s; check conf= in [ceph:%s]",
                 c->name, c->conf, strerror(errno), c->name);
        return NULL;
    }
    if (access(c->keyring, R_OK) < 0) {
        ne_error("ceph cluster %s: cannot read the keyring %s: %s; check keyring= in [ceph:%s]",
                 c->name, c->keyring, strerror(errno), c->name);
        return NULL;
    }
    client = str_prefix(c->client, "client.") ? xstrdup(c->client)
                                              : xasprintf("client.%s", c->client);
    if ((e = rados_create2(&cl, "ceph", client, 0)) < 0) {
        ne_error("ceph cluster %s: cannot create a client %s: %s", c->name, client, err(e));
        return NULL;
    }
    snprintf(tmo, sizeof tmo, "%u", c->timeout_s ? c->timeout_s : 10);
    if ((e = rados_conf_read_file(cl, c->conf)) < 0 ||
        (e = rados_conf_set(cl, "keyring", c->keyring)) < 0 ||
        (e = rados_conf_set(cl, "client_mount_timeout", tmo)) < 0 ||
        (e = rados_conf_set(cl, "rados_mon_op_timeout", tmo)) < 0 ||
        (e = rados_conf_set(cl, "rados_osd_op_timeout", "60")) < 0 ||
        (e = rados_conf_set(cl, "admin_socket", "")) < 0 ||
        (e = rados_conf_set(cl, "log_to_stderr", "false")) < 0 ||
        (e = rados_conf_set(cl, "err_to_stderr", "false")) < 0) {
        ne_error("ceph cluster %s: bad configuration in %s: %s", c->name, c->conf, err(e));
        rados_shutdown(cl);
        return NULL;
    }
    if ((e = rados_connect(cl)) < 0) {
        ne_error("ceph cluster %s: cannot connect as %s (conf %s): %s%s", c->name, client, c->conf,
                 err(e),
                 e == -ETIMEDOUT ? "; is its monitor up and is 'mon host' right?"
                 : e == -EACCES || e == -EPERM ? "; does the keyring hold this client's key?"
                                               : "");
        rados_shutdown(cl);
        return NULL;
    }
    r = xcalloc(1, sizeof *r);
    r->cl = cl;
    r->name = xstrdup(c->name);
    return r;
}

void
ne_rbd_disconnect(struct ne_rbd *r)
{
    if (!r) return;
    rados_shutdown(r->cl);
    free(r->name);
    free(r);
}

static int
ioctx(struct ne_rbd *r, const char *pool, rados_ioctx_t *io)
{
    int e = rados_ioctx_create(r->cl, pool, io);
    if (e < 0) {
        ne_error("ceph cluster %s: pool %s: %s", r->name, pool,
                 e == -ENOENT ? "no such pool" : err(e));
        return -1;
    }
    return 0;
}

int
ne_rbd_exists(struct ne_rbd *r, const char *pool, const char *image)
{
    rados_ioctx_t io;
    rbd_image_t im;
    int e;

    if (ioctx(r, pool, &io) < 0) return -1;
    e = rbd_open_read_only(io, image, &im, NULL);
    if (e == 0) rbd_close(im);
    rados_ioctx_destroy(io);
    if (e == 0) return 1;
    if (e == -ENOENT) return 0;
    ne_error("ceph cluster %s: image %s/%s: %s", r->name, pool, image, err(e));
    return -1;
}

int
ne_rbd_create(struct ne_rbd *r, const char *pool, const char *image, uint64_t size, int order,
              uint64_t features)
{
    rados_ioctx_t io;
    int e;

    if (ioctx(r, pool, &io) < 0) return -1;
    e = rbd_create2(io, image, size, features, &order);
    rados_ioctx_destroy(io);
    if (e < 0) {
        ne_error("ceph cluster %s: cannot create image %s/%s: %s", r->name, pool, image, err(e));
        return -1;
    }
    return 0;
}

static int
quiet_progress(uint64_t done, uint64_t total, void *arg)
{
    (void)done, (void)total, (void)arg;
    return 0;
}

int
ne_rbd_remove(struct ne_rbd *r, const char *pool, const char *image)
{
    rados_ioctx_t io;
    int e;

    if (ioctx(r, pool, &io) < 0) return -1;
    e = rbd_remove_with_progress(io, image, quiet_progress, NULL);
    rados_ioctx_destroy(io);
    if (e < 0) {
        ne_error("ceph cluster %s: cannot remove image %s/%s: %s", r->name, pool, image, err(e));
        return -1;
    }
    return 0;
}

struct ne_rbd_img *
ne_rbd_open(struct ne_rbd *r, const char *pool, const char *image, const char *snap, bool readonly)
{
    struct ne_rbd_img *im;
    rados_ioctx_t io;
    rbd_image_t h;
    int e;

    if (ioctx(r, pool, &io) < 0) return NULL;
    e = readonly || snap ? rbd_open_read_only(io, image, &h, snap) : rbd_open(io, image, &h, NULL);
    if (e < 0) {
        ne_error("ceph cluster %s: cannot open image %s/%s%s%s: %s%s", r->name, pool, image,
                 snap ? "@" : "", snap ? snap : "", e == -ENOENT ? "no such image or snapshot" : err(e),
                 e == -EPERM || e == -EACCES
                     ? "; the client needs write access to the pool (caps: osd 'profile rbd')"
                     : "");
        rados_ioctx_destroy(io);
        return NULL;
    }
    im = xcalloc(1, sizeof *im);
    im->r = r, im->io = io, im->im = h;
    im->label = xasprintf("%s/%s/%s%s%s", r->name, pool, image, snap ? "@" : "", snap ? snap : "");
    return im;
}

void
ne_rbd_close(struct ne_rbd_img *im)
{
    if (!im) return;
    rbd_close(im->im);
    rados_ioctx_destroy(im->io);
    free(im->label);
    free(im);
}

/* Reports e on im for what; returns -1 (or 0 when e >= 0). */
static int
chk(const struct ne_rbd_img *im, int e, const char *what, const char *arg)
{
    if (e >= 0) return 0;
    ne_error("ceph image %s: %s%s%s: %s", im->label, what, arg ? " " : "", arg ? arg : "", err(e));
    return -1;
}

int
ne_rbd_stat(struct ne_rbd_img *im, struct ne_rbd_info *out)
{
    rbd_image_info_t info;
    int e = rbd_stat(im->im, &info, sizeof info);

    if (chk(im, e, "stat", NULL) < 0) return -1;
    out->size = info.size;
    out->obj_size = info.obj_size;
    out->order = info.order;
    return chk(im, rbd_get_features(im->im, &out->features), "features", NULL);
}

int
ne_rbd_resize(struct ne_rbd_img *im, uint64_t size)
{
    return chk(im, rbd_resize(im->im, size), "resize", NULL);
}

int
ne_rbd_watchers(struct ne_rbd_img *im)
{
    rbd_image_watcher_t w[64];
    size_t n = 64;
    int e = rbd_watchers_list(im->im, w, &n);

    if (chk(im, e, "list watchers", NULL) < 0) return -1;
    rbd_watchers_list_cleanup(w, n);
    return (int)n;
}

int
ne_rbd_snap_create(struct ne_rbd_img *im, const char *snap)
{
    return chk(im, rbd_snap_create(im->im, snap), "create snapshot", snap);
}

int
ne_rbd_snap_remove(struct ne_rbd_img *im, const char *snap)
{
    return chk(im, rbd_snap_remove(im->im, snap), "remove snapshot", snap);
}

int
ne_rbd_snap_protect(struct ne_rbd_img *im, const char *snap, bool protect)
{
    return protect ? chk(im, rbd_snap_protect(im->im, snap), "protect snapshot", snap)
                   : chk(im, rbd_snap_unprotect(im->im, snap), "unprotect snapshot", snap);
}

int
ne_rbd_snap_rollback(struct ne_rbd_img *im, const char *snap)
{
    return chk(im, rbd_snap_rollback_with_progress(im->im, snap, quiet_progress, NULL),
               "roll back to snapshot", snap);
}

int
ne_rbd_snap_set(struct ne_rbd_img *im, const char *snap)
{
    return chk(im, rbd_snap_set(im->im, snap), "read at snapshot", snap ? snap : "(head)");
}

static int
snap_id_cmp(const void *a, const void *b)
{
    const rbd_snap_info_t *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

int
ne_rbd_snap_list(struct ne_rbd_img *im, char ***names, size_t *n)
{
    int max = 16, e;
    rbd_snap_info_t *s = NULL;

    *names = NULL, *n = 0;
    for (;;) {
        s = xrealloc(s, (size_t)max * sizeof *s);
        e = rbd_snap_list(im->im, s, &max);
        if (e != -ERANGE) break;
    }
    if (e < 0) {
        free(s);
        return chk(im, e, "list snapshots", NULL);
    }
    qsort(s, (size_t)e, sizeof *s, snap_id_cmp);
    *names = xcalloc((size_t)e + 1, sizeof **names);
    for (int i = 0; i < e; i++) (*names)[i] = xstrdup(s[i].name);
    *n = (size_t)e;
    rbd_snap_list_end(s);
    free(s);
    return 0;
}

void
ne_rbd_names_free(char **names, size_t n)
{
    for (size_t i = 0; names && i < n; i++) free(names[i]);
    free(names);
}

static int
diff_cb(uint64_t off, size_t len, int exists, void *arg)
{
    ne_extents_add(arg, off, len, exists != 0);
    return 0;
}

int
ne_rbd_diff(struct ne_rbd_img *im, const char *fromsnap, struct ne_extents *out)
{
    rbd_image_info_t info;
    int e = rbd_stat(im->im, &info, sizeof info);

    if (chk(im, e, "stat", NULL) < 0) return -1;
    e = rbd_diff_iterate2(im->im, fromsnap, 0, info.size, 0, 0, diff_cb, out);
    return chk(im, e, "diff since", fromsnap ? fromsnap : "creation");
}

/* ---------------------------------------------------------------- copy */

/* One I/O slot: a buffer, the piece it holds, and its pending completion. */
struct slot {
    char *buf;
    struct ne_extent piece;
    rbd_completion_t c;
    enum { S_FREE, S_READING, S_WRITING } state;
};

static int
wait_slot(struct ne_rbd_img *src, struct ne_rbd_img *dst, struct slot *s)
{
    ssize_t rv;
    bool rd = s->state == S_READING;

    if (s->state == S_FREE) return 0;
    rbd_aio_wait_for_complete(s->c);
    rv = rbd_aio_get_return_value(s->c);
    rbd_aio_release(s->c);
    s->state = S_FREE;
    if (rv < 0) {
        char what[96];
        snprintf(what, sizeof what, "%s at %llu (+%llu)", rd ? "read" : "write",
                 (unsigned long long)s->piece.off, (unsigned long long)s->piece.len);
        return chk(rd ? src : dst, (int)rv, what, NULL);
    }
    return 0;
}

/* The read of slot s is done: start its write (or zeroing, or nothing for
 * an all-zero chunk when skipping). */
static int
start_write(struct ne_rbd_img *dst, struct slot *s, const struct ne_rbd_copy_opt *o,
            struct ne_rbd_copy_stat *st)
{
    size_t len = s->piece.len;
    int e;

    if (s->piece.data && o->skip_zero_data && s->buf[0] == 0 &&
        memcmp(s->buf, s->buf + 1, len - 1) == 0) {
        st->skipped_bytes += len;
        return 0;
    }
    rbd_aio_create_completion(NULL, NULL, &s->c);
    if (s->piece.data) e = rbd_aio_write(dst->im, s->piece.off, len, s->buf, s->c);
    else e = rbd_aio_write_zeroes(dst->im, s->piece.off, len, s->c, 0, 0);
    if (e < 0) {
        rbd_aio_release(s->c);
        return chk(dst, e, "start a write", NULL);
    }
    s->state = S_WRITING;
    if (s->piece.data) st->data_bytes += len;
    else st->zero_bytes += len;
    return 0;
}

int
ne_rbd_copy(struct ne_rbd_img *src, struct ne_rbd_img *dst, const struct ne_extents *ext,
            const struct ne_rbd_copy_opt *o, struct ne_rbd_copy_stat *st)
{
    uint64_t chunk = o->chunk ? o->chunk : 4u << 20, total, done = 0;
    unsigned nslot = o->inflight ? o->inflight : 8;
    struct ne_extents pieces = {0};
    struct slot *slots;
    size_t i, lag;
    int rc = 0;

    memset(st, 0, sizeof *st);
    st->extents = ext->n;
    ne_extents_split(ext, chunk, &pieces);
    total = pieces.data_bytes + pieces.zero_bytes;
    slots = xcalloc(nslot, sizeof *slots);
    for (i = 0; i < nslot; i++) slots[i].buf = xmalloc(chunk);
    /* piece i is read in slot i % nslot; its write starts when piece
     * i + nslot/2 is issued, so reads and writes overlap */
    lag = nslot / 2 ? nslot / 2 : 1;
    for (i = 0; i < pieces.n + lag && rc == 0; i++) {
        if (i < pieces.n) {
            struct slot *s = &slots[i % nslot];
            if ((rc = wait_slot(src, dst, s)) < 0) break;
            s->piece = pieces.v[i];
            if (s->piece.data) {
                rbd_aio_create_completion(NULL, NULL, &s->c);
                int e = rbd_aio_read(src->im, s->piece.off, s->piece.len, s->buf, s->c);
                if (e < 0) {
                    rbd_aio_release(s->c);
                    rc = chk(src, e, "start a read", NULL);
                    break;
                }
                s->state = S_READING;
            }
        }
        if (i >= lag) {
            struct slot *s = &slots[(i - lag) % nslot];
            if (s->state == S_READING && (rc = wait_slot(src, dst, s)) < 0) break;
            if ((rc = start_write(dst, s, o, st)) < 0) break;
            done += s->piece.len;
            if (o->progress) o->progress(done, total, o->opaque);
        }
    }
    for (i = 0; i < nslot; i++) {
        if (wait_slot(src, dst, &slots[i]) < 0) rc = -1;
        free(slots[i].buf);
    }
    free(slots);
    ne_extents_free(&pieces);
    if (rc == 0 && (rc = rbd_flush(dst->im)) < 0) rc = chk(dst, rc, "flush", NULL);
    return rc < 0 ? -1 : 0;
}

int
ne_rbd_checksums(struct ne_rbd_img *im, const struct ne_extents *ext, uint64_t chunk,
                 uint64_t **sums, size_t *n, ne_copy_progress progress, void *opaque)
{
    /* reads in flight, hashed in order as they complete: piece i uses
     * slot i % NSLOT, whose previous read (piece i - NSLOT) is hashed first */
    enum { NSLOT = 8 };
    struct ne_extents pieces = {0};
    rbd_completion_t c[NSLOT];
    char *buf[NSLOT];
    uint64_t total, done = 0;
    size_t issued = 0, hashed = 0;
    int rc = 0;

    ne_extents_split(ext, chunk, &pieces);
    total = pieces.data_bytes + pieces.zero_bytes;
    *sums = xcalloc(pieces.n + 1, sizeof **sums);
    *n = pieces.n;
    for (int k = 0; k < NSLOT; k++) buf[k] = xmalloc(chunk);
    while (hashed < pieces.n) {
        while (rc == 0 && issued < pieces.n && issued < hashed + NSLOT) {
            const struct ne_extent *p = &pieces.v[issued];
            int k = (int)(issued % NSLOT), e;
            rbd_aio_create_completion(NULL, NULL, &c[k]);
            if ((e = rbd_aio_read(im->im, p->off, p->len, buf[k], c[k])) < 0) {
                rbd_aio_release(c[k]);
                rc = chk(im, e, "start a read for verification", NULL);
                break;
            }
            issued++;
        }
        if (hashed == issued) break; /* nothing in flight: a start failed */
        int k = (int)(hashed % NSLOT);
        const struct ne_extent *p = &pieces.v[hashed];
        rbd_aio_wait_for_complete(c[k]);
        ssize_t r = rbd_aio_get_return_value(c[k]);
        rbd_aio_release(c[k]);
        if (rc == 0 && (r < 0 || (uint64_t)r != p->len))
            rc = chk(im, r < 0 ? (int)r : -EIO, "read for verification", NULL);
        if (rc == 0) {
            (*sums)[hashed] = ne_chunk_hash(buf[k], p->len);
            done += p->len;
            if (progress) progress(done, total, opaque);
        }
        hashed++;
    }
    for (int k = 0; k < NSLOT; k++) free(buf[k]);
    ne_extents_free(&pieces);
    return rc;
}

/* ---------------------------------------------------------------- features */

static const struct {
    const char *name;
    uint64_t bit;
} feats[] = {
    {RBD_FEATURE_NAME_LAYERING, RBD_FEATURE_LAYERING},
    {RBD_FEATURE_NAME_STRIPINGV2, RBD_FEATURE_STRIPINGV2},
    {RBD_FEATURE_NAME_EXCLUSIVE_LOCK, RBD_FEATURE_EXCLUSIVE_LOCK},
    {RBD_FEATURE_NAME_OBJECT_MAP, RBD_FEATURE_OBJECT_MAP},
    {RBD_FEATURE_NAME_FAST_DIFF, RBD_FEATURE_FAST_DIFF},
    {RBD_FEATURE_NAME_DEEP_FLATTEN, RBD_FEATURE_DEEP_FLATTEN},
    {RBD_FEATURE_NAME_JOURNALING, RBD_FEATURE_JOURNALING},
    {RBD_FEATURE_NAME_DATA_POOL, RBD_FEATURE_DATA_POOL},
};

int
ne_rbd_features(struct ne_rbd_img *im, uint64_t *features)
{
    return chk(im, rbd_get_features(im->im, features), "features", NULL);
}

int
ne_rbd_update_features(struct ne_rbd_img *im, uint64_t features, bool enable)
{
    CLEANUP_FREE char *names = ne_rbd_features_str(features);
    return chk(im, rbd_update_features(im->im, features, enable),
               enable ? "enable features" : "disable features", names);
}

char *
ne_rbd_features_str(uint64_t f)
{
    char *s = xstrdup("");
    for (size_t i = 0; i < sizeof feats / sizeof *feats; i++) {
        if (!(f & feats[i].bit)) continue;
        char *t = xasprintf("%s%s%s", s, *s ? "," : "", feats[i].name);
        free(s);
        s = t;
    }
    return s;
}

uint64_t
ne_rbd_feature_bit(const char *name)
{
    for (size_t i = 0; i < sizeof feats / sizeof *feats; i++)
        if (str_eq(name, feats[i].name)) return feats[i].bit;
    return 0;
}

/* ---------------------------------------------------------------- mirroring */

int
ne_rbd_mirror_enable(struct ne_rbd_img *im, bool snapshot_mode)
{
    rbd_mirror_mode_t mode;
    int e = rbd_mirror_mode_get(im->io, &mode);

    if (chk(im, e, "pool mirror mode", NULL) < 0) return -1;
    if (mode == RBD_MIRROR_MODE_DISABLED &&
        chk(im, rbd_mirror_mode_set(im->io, RBD_MIRROR_MODE_IMAGE), "set pool mirror mode",
            "image") < 0)
        return -1;
    e = rbd_mirror_image_enable2(im->im, snapshot_mode ? RBD_MIRROR_IMAGE_MODE_SNAPSHOT
                                                       : RBD_MIRROR_IMAGE_MODE_JOURNAL);
    return chk(im, e, "enable mirroring", snapshot_mode ? "(snapshot)" : "(journal)");
}

int
ne_rbd_mirror_disable(struct ne_rbd_img *im, bool force)
{
    return chk(im, rbd_mirror_image_disable(im->im, force), "disable mirroring", NULL);
}

static const char *
mstate(rbd_mirror_image_status_state_t s)
{
    static const char *const n[] = {"unknown", "error", "syncing", "starting_replay",
                                    "replaying", "stopping_replay", "stopped"};
    return (unsigned)s < sizeof n / sizeof *n ? n[s] : "?";
}

int
ne_rbd_mirror_status(struct ne_rbd_img *im, struct ne_rbd_mirror_status *st)
{
    rbd_mirror_image_global_status_t g;
    int e;

    memset(st, 0, sizeof *st);
    e = rbd_mirror_image_get_global_status(im->im, &g, sizeof g);
    if (chk(im, e, "mirror status", NULL) < 0) return -1;
    st->enabled = g.info.state == RBD_MIRROR_IMAGE_ENABLED;
    st->primary = g.info.primary;
    snprintf(st->global_id, sizeof st->global_id, "%s", g.info.global_id ? g.info.global_id : "");
    if (g.site_statuses_count > 0) {
        const rbd_mirror_image_site_status_t *s = &g.site_statuses[0];
        /* the peer's report (non-empty mirror uuid) is the replication's */
        for (uint32_t i = 0; i < g.site_statuses_count; i++)
            if (g.site_statuses[i].mirror_uuid && *g.site_statuses[i].mirror_uuid) {
                s = &g.site_statuses[i];
                break;
            }
        snprintf(st->state, sizeof st->state, "%s+%s", s->up ? "up" : "down", mstate(s->state));
        snprintf(st->description, sizeof st->description, "%s", s->description ? s->description : "");
    }
    rbd_mirror_image_global_status_cleanup(&g);
    return 0;
}

int
ne_rbd_mirror_demote(struct ne_rbd_img *im)
{
    return chk(im, rbd_mirror_image_demote(im->im), "demote", NULL);
}

int
ne_rbd_mirror_promote(struct ne_rbd_img *im, bool force)
{
    int e = rbd_mirror_image_promote(im->im, force);
    if (e == -EBUSY) return -EBUSY; /* the demotion is not replayed yet: the caller retries */
    return chk(im, e, "promote", force ? "(forced)" : NULL);
}

int
ne_rbd_rebuild_object_map(struct ne_rbd_img *im)
{
    /* a NULL progress callback crashes librbd (Pacific) */
    return chk(im, rbd_rebuild_object_map(im->im, quiet_progress, NULL), "rebuild the object map",
               NULL);
}

int
ne_rbd_mirror_pool_info(struct ne_rbd *r, const char *pool, struct ne_rbd_mirror_pool *out)
{
    rbd_mirror_peer_site_t peers[16];
    rbd_mirror_mode_t mode;
    rados_ioctx_t io;
    size_t len = sizeof out->uuid;
    int n = 16, e;

    memset(out, 0, sizeof *out);
    if (ioctx(r, pool, &io) < 0) return -1;
    if ((e = rbd_mirror_mode_get(io, &mode)) == 0 && mode != RBD_MIRROR_MODE_DISABLED)
        e = rbd_mirror_uuid_get(io, out->uuid, &len);
    if (e < 0 || (e = rbd_mirror_peer_site_list(io, peers, &n)) < 0) {
        ne_error("ceph cluster %s: pool %s: mirroring settings: %s", r->name, pool, err(e));
        rados_ioctx_destroy(io);
        return -1;
    }
    rados_ioctx_destroy(io);
    out->mode = mode == RBD_MIRROR_MODE_IMAGE ? 1 : mode == RBD_MIRROR_MODE_POOL ? 2 : 0;
    for (int i = 0; i < n; i++) {
        const char *site = peers[i].site_name ? peers[i].site_name : "";
        if (peers[i].direction != RBD_MIRROR_PEER_DIRECTION_TX && out->n_rx < 4)
            snprintf(out->rx_sites[out->n_rx++], sizeof out->rx_sites[0], "%s", site);
        if (peers[i].direction != RBD_MIRROR_PEER_DIRECTION_RX && out->n_tx < 4)
            snprintf(out->tx_uuids[out->n_tx++], sizeof out->tx_uuids[0], "%s",
                     peers[i].mirror_uuid ? peers[i].mirror_uuid : "");
    }
    rbd_mirror_peer_site_list_cleanup(peers, n);
    return 0;
}

static uint32_t
le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int
ne_rbd_mirror_daemons(struct ne_rbd *r, const char *pool, unsigned timeout_ms)
{
    /* librbd's mirroring notify message (encoding v1, compat 1, 4 bytes):
     * op 0xffffffff, which its watchers acknowledge as an unknown op */
    static const char msg[] = {1, 1, 4, 0, 0, 0, '\xff', '\xff', '\xff', '\xff'};
    char *reply = NULL;
    size_t rlen = 0;
    rados_ioctx_t io;
    int e;

    if (ioctx(r, pool, &io) < 0) return -1;
    e = rados_notify2(io, "rbd_mirroring", msg, sizeof msg, timeout_ms, &reply, &rlen);
    rados_ioctx_destroy(io);
    if (e == -ENOENT) return 0; /* never mirrored: no object, no daemon */
    if (e < 0 && e != -ETIMEDOUT) {
        ne_error("ceph cluster %s: pool %s: cannot ask for rbd-mirror daemons: %s", r->name, pool,
                 err(e));
        rados_buffer_free(reply);
        return -1;
    }
    /* the reply: the acknowledgements (u32 count, then per ack u64 gid,
     * u64 cookie, u32 length and payload), then the timeouts */
    e = reply && rlen >= 4 ? (int)le32((const unsigned char *)reply) : 0;
    rados_buffer_free(reply);
    return e;
}

int
ne_rbd_fsid(struct ne_rbd *r, char *buf, size_t len)
{
    int e = rados_cluster_fsid(r->cl, buf, len);

    if (e < 0) {
        ne_error("ceph cluster %s: cannot read its fsid: %s", r->name, err(e));
        return -1;
    }
    return 0;
}

int
ne_rbd_read_stream(struct ne_rbd_img *im, uint64_t size, size_t chunk,
                   int (*fn)(const void *data, size_t len, void *opaque), void *opaque)
{
    char *buf = xmalloc(chunk);
    uint64_t off;
    int rc = 0;

    for (off = 0; off < size && rc == 0; off += chunk) {
        size_t want = size - off < chunk ? (size_t)(size - off) : chunk;
        ssize_t got = rbd_read(im->im, off, want, buf);

        if (got < 0) rc = chk(im, (int)got, "read", NULL);
        else if ((size_t)got != want) {
            ne_error("ceph image %s: short read at %llu: %zd of %zu bytes", im->label,
                     (unsigned long long)off, got, want);
            rc = -1;
        } else if (fn(buf, want, opaque) < 0) rc = -1;
    }
    free(buf);
    return rc;
}
