/* SPDX-License-Identifier: Apache-2.0 */
/* imgcopy-rbd.c: image-copy between two Glances whose stores are Ceph RBD
 * pools (--rbd-from, --rbd-to): the data go cluster to cluster through
 * librbd (src/rbd), are read back and hashed at the destination, and the
 * destination Glance gets the image by its location (rbd://FSID/POOL/ID/snap,
 * the layout of Glance's rbd store) with the verified checksum and
 * os_hash as validation data (imgcopy.h). */
#include <config.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "imgcopy/imgcopy.h"
#include "rbd/rbd.h"
#include "util/digest.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/mem.h"

#define READ_CHUNK (4u << 20)

int
imgcopy_rbd_url_parse(const char *url, char **fsid, char **pool, char **image, char **snap)
{
    const char *p, *s[4];
    char **out[4] = {fsid, pool, image, snap};
    size_t i, n;

    *fsid = *pool = *image = *snap = NULL;
    if (!url || !str_prefix(url, "rbd://")) return -1;
    p = url + 6;
    for (i = 0; i < 4; i++) {
        s[i] = p;
        n = strcspn(p, "/");
        if (n == 0 || (i < 3 && p[n] != '/') || (i == 3 && p[n] != '\0')) goto bad;
        p += n + (i < 3);
    }
    for (i = 0; i < 4; i++) *out[i] = xstrndup(s[i], strcspn(s[i], "/"));
    return 0;
bad:
    return -1;
}

/* The read-back's digests: the reader copies each piece into a ring and
 * goes on reading; one thread per digest (MD5, the os_hash) follows it, so
 * reading and both digests overlap.  The ring's space is reused once both
 * digests are past it. */
#define RING (16u << 20)
#define PIECE (1u << 20)

struct hashing {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    char *buf;
    unsigned long long in, pos[2];
    bool use[2], done, stop;
    struct digest d[2];
};

struct hasher {
    struct hashing *h;
    int k;
};

static unsigned long long
ring_low(const struct hashing *h)
{
    if (!h->use[1]) return h->pos[0];
    return h->pos[0] < h->pos[1] ? h->pos[0] : h->pos[1];
}

static int
hash_piece(const void *data, size_t len, void *p)
{
    struct hashing *h = p;
    const char *d = data;

    pthread_mutex_lock(&h->lock);
    while (len) {
        size_t tail, n;

        while (h->in - ring_low(h) == RING && !ne_interrupted())
            pthread_cond_wait(&h->cond, &h->lock);
        if (ne_interrupted()) {
            pthread_mutex_unlock(&h->lock);
            return -1;
        }
        tail = (size_t)(h->in % RING);
        n = RING - (size_t)(h->in - ring_low(h));
        if (n > RING - tail) n = RING - tail;
        if (n > len) n = len;
        pthread_mutex_unlock(&h->lock);
        memcpy(h->buf + tail, d, n); /* free space: nobody reads it before in moves */
        pthread_mutex_lock(&h->lock);
        h->in += n;
        d += n;
        len -= n;
        pthread_cond_broadcast(&h->cond);
    }
    pthread_mutex_unlock(&h->lock);
    return 0;
}

static void *
hash_thread(void *p)
{
    struct hasher *t = p;
    struct hashing *h = t->h;

    pthread_mutex_lock(&h->lock);
    for (;;) {
        size_t off, n;

        while (h->pos[t->k] == h->in && !h->done && !h->stop)
            pthread_cond_wait(&h->cond, &h->lock);
        if (h->stop || h->pos[t->k] == h->in) break;
        off = (size_t)(h->pos[t->k] % RING);
        n = (size_t)(h->in - h->pos[t->k]);
        if (n > RING - off) n = RING - off;
        if (n > PIECE) n = PIECE;
        pthread_mutex_unlock(&h->lock);
        digest_update(&h->d[t->k], h->buf + off, n);
        pthread_mutex_lock(&h->lock);
        h->pos[t->k] += n;
        pthread_cond_broadcast(&h->cond);
    }
    pthread_mutex_unlock(&h->lock);
    return NULL;
}

/* Reads di's size bytes and fills v's md5 (and hash, hash_algo when the
 * image has a supported os_hash_algo).  0 or -1 (reported). */
static int
read_back(struct ne_rbd_img *di, uint64_t size, const struct ne_image *im,
          struct ne_glance_xfer *v)
{
    struct hashing h = {.use = {true, false}};
    struct hasher t[2] = {{&h, 0}, {&h, 1}};
    pthread_t th[2];
    enum digest_algo algo;
    size_t started = 0, k;
    int rc;

    h.use[1] = im->hash_algo && digest_algo_parse(im->hash_algo, &algo) == 0;
    digest_init(&h.d[0], DIGEST_MD5);
    if (h.use[1]) digest_init(&h.d[1], algo);
    h.buf = xmalloc(RING);
    pthread_mutex_init(&h.lock, NULL);
    pthread_cond_init(&h.cond, NULL);
    for (k = 0; k < 2; k++) {
        if (!h.use[k]) continue;
        if (pthread_create(&th[k], NULL, hash_thread, &t[k]) != 0) break;
        started |= (size_t)1 << k;
    }
    if (started != (h.use[1] ? 3u : 1u)) {
        ne_error("image-copy: cannot start the threads that hash the copy");
        rc = -1;
    } else {
        rc = ne_rbd_read_stream(di, size, READ_CHUNK, hash_piece, &h);
    }
    pthread_mutex_lock(&h.lock);
    h.done = true;
    h.stop = rc < 0;
    pthread_cond_broadcast(&h.cond);
    pthread_mutex_unlock(&h.lock);
    for (k = 0; k < 2; k++)
        if (started & ((size_t)1 << k)) pthread_join(th[k], NULL);
    pthread_cond_destroy(&h.cond);
    pthread_mutex_destroy(&h.lock);
    free(h.buf);
    if (rc < 0) return -1;
    digest_final_hex(&h.d[0], v->md5, sizeof v->md5);
    v->hash[0] = v->hash_algo[0] = '\0';
    if (h.use[1]) {
        digest_final_hex(&h.d[1], v->hash, sizeof v->hash);
        snprintf(v->hash_algo, sizeof v->hash_algo, "%s", im->hash_algo);
    }
    return 0;
}

void
imgcopy_rbd_one(struct ne_glance *src, struct ne_glance *dst, const struct ne_image *im,
                const struct ne_imgcopy_opts *o, struct ne_imgcopy_result *r)
{
    const char *name = im->name ? im->name : "?";
    CLEANUP_FREE char *url = NULL, *fsid = NULL, *pool = NULL, *image = NULL, *snap = NULL;
    CLEANUP_FREE char *durl = NULL;
    char sfsid[64] = "", dfsid[64] = "";
    struct ne_rbd_img *si = NULL, *di = NULL;
    struct ne_rbd_info info;
    struct ne_extents ext = {0};
    struct ne_rbd_copy_opt copt = {.skip_zero_data = true, .inflight = 4};
    struct ne_rbd_copy_stat st;
    struct ne_glance_xfer v = {0};
    struct ne_image spec, made;
    bool made_rbd = false, snapped = false, guarded = false, located = false;
    double t0 = ne_now(), t1;
    char *why;

    r->method = "rbd";
    /* everything about the source is checked before anything is made */
    if (glance_image_rbd_location(src, im->id, &url) < 0) {
        r->error = xasprintf("its location could not be read in %s", o->source_label);
        return;
    }
    if (!url) {
        ne_error("image-copy: %s (%s): %s shows no rbd:// location of it (its Glance needs an "
                 "rbd store and show_multiple_locations or show_image_direct_url); copy it "
                 "without --rbd-from/--rbd-to", name, im->id, o->source_label);
        r->error = xstrdup("no rbd:// location at the source");
        return;
    }
    if (imgcopy_rbd_url_parse(url, &fsid, &pool, &image, &snap) < 0) {
        ne_error("image-copy: %s (%s): its location %s is not rbd://FSID/POOL/IMAGE/SNAP", name,
                 im->id, url);
        r->error = xstrdup("an rbd location that cannot be read");
        return;
    }
    if (ne_rbd_fsid(o->rbd_src, sfsid, sizeof sfsid) < 0 ||
        ne_rbd_fsid(o->rbd_dst, dfsid, sizeof dfsid) < 0) {
        r->error = xstrdup("a Ceph cluster's fsid could not be read");
        return;
    }
    if (!str_eq(fsid, sfsid)) {
        ne_error("image-copy: %s (%s): its data are in the Ceph cluster %s (pool %s), but "
                 "--rbd-from %s is the cluster %s: give --rbd-from the [ceph:NAME] of cluster %s",
                 name, im->id, fsid, pool, o->rbd_src_name, sfsid, fsid);
        r->error = xstrdup("--rbd-from is not the cluster that holds the image");
        return;
    }
    if (!(si = ne_rbd_open(o->rbd_src, pool, image, snap, true))) {
        r->error = xasprintf("the source RBD image %s/%s@%s could not be opened", pool, image,
                             snap);
        return;
    }
    if (ne_rbd_stat(si, &info) < 0) {
        r->error = xstrdup("the source RBD image could not be read");
        goto out;
    }
    if (im->size >= 0 && info.size != (uint64_t)im->size) {
        ne_error("image-copy: %s (%s): the RBD image %s holds %llu bytes, Glance says %lld", name,
                 im->id, ne_rbd_img_name(si), (unsigned long long)info.size, im->size);
        r->error = xstrdup("the source RBD image's size is not the image's");
        goto out;
    }

    imgcopy_spec(im, o, &spec);
    if (glance_image_create(dst, &spec, &r->dest_id) < 0) {
        ne_image_clear(&spec);
        r->error = xasprintf("creating the image in %s failed", o->dest_label);
        goto out;
    }
    ne_image_clear(&spec);
    ne_info("image-copy: %s (%s): copying %lld bytes from ceph %s %s/%s@%s to ceph %s %s/%s, "
            "for %s", name, im->id, im->size, o->rbd_src_name, pool, image, snap,
            o->rbd_dst_name, o->rbd_dst_pool, r->dest_id, o->dest_label);
    if (ne_rbd_create(o->rbd_dst, o->rbd_dst_pool, r->dest_id, info.size, info.order,
                      ne_rbd_feature_bit("layering")) < 0) {
        r->error = xasprintf("creating the RBD image in %s/%s failed", o->rbd_dst_name,
                             o->rbd_dst_pool);
        goto fail;
    }
    made_rbd = true;
    if (!(di = ne_rbd_open(o->rbd_dst, o->rbd_dst_pool, r->dest_id, NULL, false)) ||
        ne_rbd_diff(si, NULL, &ext) < 0 || ne_rbd_copy(si, di, &ext, &copt, &st) < 0) {
        r->error = xstrdup("the copy between the Ceph clusters failed");
        goto fail;
    }
    t1 = ne_now();
    /* what the destination holds, read back and hashed */
    if (read_back(di, info.size, im, &v) < 0) {
        r->error = xstrdup(ne_interrupted() ? "interrupted" : "reading the copy back failed");
        goto fail;
    }
    if ((im->checksum && *im->checksum && !str_eq(im->checksum, v.md5)) ||
        (v.hash[0] && im->hash_value && *im->hash_value && !str_eq(im->hash_value, v.hash))) {
        ne_error("image-copy: %s (%s): the copy %s reads MD5 %s, Glance's checksum of the "
                 "source is %s%s", name, im->id, ne_rbd_img_name(di), v.md5,
                 im->checksum ? im->checksum : "(none)",
                 str_eq(im->checksum, v.md5) ? " (its os_hash_value differs)" : "");
        r->error = xstrdup("the data in the destination cluster do not match the source's "
                           "checksum");
        goto fail;
    }
    ne_info("image-copy: %s (%s): %llu bytes of data copied in %.1f s, the copy read back and "
            "verified in %.1f s", name, im->id, (unsigned long long)st.data_bytes, t1 - t0,
            ne_now() - t1);
    if (!(im->checksum && *im->checksum) && !(v.hash[0] && im->hash_value && *im->hash_value)) {
        r->error = xstrdup("the source has neither checksum nor os_hash_value: nothing to "
                           "verify the copy against");
        goto fail;
    }
    /* Glance's rbd store serves an image from its protected snapshot "snap" */
    if (ne_rbd_snap_create(di, "snap") < 0) {
        r->error = xstrdup("the snapshot of the copy could not be made");
        goto fail;
    }
    snapped = true;
    if (ne_rbd_snap_protect(di, "snap", true) < 0) {
        r->error = xstrdup("the snapshot of the copy could not be protected");
        goto fail;
    }
    guarded = true;
    ne_rbd_close(di);
    di = NULL;
    durl = xasprintf("rbd://%s/%s/%s/snap", dfsid, o->rbd_dst_pool, r->dest_id);
    if (glance_image_add_location(dst, r->dest_id, durl, &v) < 0) {
        ne_error("image-copy: %s (%s): %s did not take the location %s (it needs an rbd store "
                 "on that pool and show_multiple_locations)", name, im->id, o->dest_label, durl);
        r->error = xasprintf("%s refused the location", o->dest_label);
        goto fail;
    }
    located = true; /* from here, deleting the Glance image removes the RBD image */
    if (glance_image_show(dst, r->dest_id, &made) != 0) {
        r->error = xasprintf("the copy vanished from %s", o->dest_label);
        goto fail;
    }
    if (!str_eq(made.status, "active")) {
        ne_error("image-copy: %s (%s): the copy %s is %s in %s after its location was added, "
                 "not active", name, im->id, r->dest_id, made.status, o->dest_label);
        ne_image_clear(&made);
        r->error = xstrdup("the copy did not become active");
        goto fail;
    }
    snprintf(r->md5, sizeof r->md5, "%s", made.checksum ? made.checksum : "");
    snprintf(r->hash, sizeof r->hash, "%s", made.hash_value ? made.hash_value : "");
    snprintf(r->hash_algo, sizeof r->hash_algo, "%s", made.hash_algo ? made.hash_algo : "");
    why = imgcopy_compare(im, &made);
    ne_image_clear(&made);
    if (why) {
        ne_error("image-copy: %s (%s): the copy %s in %s does not match its source: %s", name,
                 im->id, r->dest_id, o->dest_label, why);
        r->error = why;
        goto fail;
    }
    if (im->protected_ && glance_image_set_protected(dst, r->dest_id, true) < 0) {
        r->error = xstrdup("the copy could not be protected like its source");
        goto fail;
    }
    r->bytes = (long long)info.size;
    r->status = IMGCOPY_COPIED;
    r->seconds = ne_now() - t0;
    goto out;
fail:
    r->seconds = ne_now() - t0;
    if (di) ne_rbd_close(di);
    di = NULL;
    if (made_rbd && !located) { /* not Glance's yet: removed here */
        struct ne_rbd_img *x = snapped ? ne_rbd_open(o->rbd_dst, o->rbd_dst_pool, r->dest_id,
                                                     NULL, false)
                                       : NULL;
        bool gone = false;

        if (!snapped || (x && (!guarded || ne_rbd_snap_protect(x, "snap", false) == 0) &&
                         ne_rbd_snap_remove(x, "snap") == 0)) {
            if (x) ne_rbd_close(x);
            x = NULL;
            gone = ne_rbd_remove(o->rbd_dst, o->rbd_dst_pool, r->dest_id) == 0;
        }
        if (x) ne_rbd_close(x);
        if (!gone)
            ne_error("image-copy: the RBD image %s/%s in ceph %s could not be removed: remove it "
                     "with 'rbd snap unprotect', 'rbd snap purge' and 'rbd rm'", o->rbd_dst_pool,
                     r->dest_id, o->rbd_dst_name);
    }
    if (r->dest_id) imgcopy_drop(dst, o, r->dest_id);
    free(r->dest_id);
    r->dest_id = NULL;
    r->md5[0] = r->hash[0] = r->hash_algo[0] = '\0';
out:
    if (di) ne_rbd_close(di);
    if (si) ne_rbd_close(si);
    ne_extents_free(&ext);
}
