/* SPDX-License-Identifier: Apache-2.0 */
/* glancecopy.c: a Glance download joined to a Glance upload (glance.h).
 *
 * Three threads share one ring buffer.  The download runs in a thread of
 * its own (its session is held while it streams) and only counts bytes;
 * its sink fills the ring and waits while it is full.  A hashing thread
 * computes MD5 and the image's os_hash over what the ring received,
 * behind the download, so curl's receiving is never held up by the
 * digests.  The upload, in the caller's thread, sends what the ring holds
 * (hashed or not yet) and waits while it is empty.  Ring space is free
 * again once both the hasher and the upload are past it.  The upload's
 * end of stream (read returns 0) comes only once the download has
 * returned and the hasher has verified size, MD5 and os_hash against the
 * source's record: a source that breaks or lies makes the read return -1,
 * so curl aborts the chunked PUT and Glance never marks the image active.
 * A failed upload stops the download the same way (its sink returns -1).
 * Memory: the ring, whatever the image size. */
#include <config.h>

#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "openstack/glance.h"
#include "util/digest.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/mem.h"

#define HASH_PIECE (128 * 1024) /* the hasher frees ring space this often */

struct ring {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    char *buf;
    size_t cap;
    /* positions in the stream (byte counts), never wrapped: the ring index
     * is pos % cap.  in: received; sent: given to the upload; hashed: through
     * the digests (== in when nothing hashes here) */
    unsigned long long in, sent, hashed;
    bool hashing;           /* a hashing thread runs */
    bool down_done;         /* the download returned */
    bool down_ok;           /* ... without an error */
    bool hash_done, hash_ok; /* the hasher finished (verified) */
    bool up_stop;           /* the upload gave up: the download stops */
    long long total;
    ne_glance_progress progress;
    void *opaque;
    /* the download thread's inputs and outputs */
    struct ne_glance *src;
    const struct ne_image *im;
    struct ne_glance_xfer *down;
    /* or a producer of the caller's (glance_upload_produced) */
    ne_glance_producer produce;
    void *popaque;
};

/* The oldest byte still needed (by the upload or the hasher); lock held. */
static unsigned long long
ring_low(const struct ring *r)
{
    return r->hashing && r->hashed < r->sent ? r->hashed : r->sent;
}

static int
ring_sink(const char *data, size_t len, void *p)
{
    struct ring *r = p;

    pthread_mutex_lock(&r->lock);
    while (len) {
        size_t tail, n;

        while (r->in - ring_low(r) == r->cap && !r->up_stop)
            pthread_cond_wait(&r->cond, &r->lock);
        if (r->up_stop || ne_interrupted()) {
            pthread_mutex_unlock(&r->lock);
            return -1;
        }
        tail = (size_t)(r->in % r->cap);
        n = r->cap - (size_t)(r->in - ring_low(r));
        if (n > r->cap - tail) n = r->cap - tail;
        if (n > len) n = len;
        /* [in, in + n) is free and nobody reads it before in moves */
        pthread_mutex_unlock(&r->lock);
        memcpy(r->buf + tail, data, n);
        pthread_mutex_lock(&r->lock);
        r->in += n;
        data += n;
        len -= n;
        pthread_cond_broadcast(&r->cond);
    }
    pthread_mutex_unlock(&r->lock);
    return 0;
}

static ssize_t
ring_source(char *buf, size_t len, void *p)
{
    struct ring *r = p;
    size_t n, head, want;
    long long moved, total;

    if (ne_interrupted()) return -1;
    pthread_mutex_lock(&r->lock);
    /* whole reads (curl's upload buffer, 64 KiB): each becomes one HTTP chunk, and
     * Glance pays per chunk; the download delivers 16 KiB pieces */
    want = len < r->cap / 2 ? len : r->cap / 2;
    while (r->in - r->sent < want && !r->down_done) pthread_cond_wait(&r->cond, &r->lock);
    if (r->down_done && !r->down_ok) { /* no point sending the rest */
        pthread_mutex_unlock(&r->lock);
        return -1;
    }
    if (r->in == r->sent) { /* the download returned and everything was read */
        while (r->hashing && !r->hash_done) pthread_cond_wait(&r->cond, &r->lock);
        n = !r->hashing || r->hash_ok;
        if (n && r->total >= 0 && r->in != (unsigned long long)r->total) {
            /* never end a chunked upload short: Glance would make the image active */
            ne_error("glance: the stream ended after %llu bytes of %lld", r->in, r->total);
            n = 0;
        }
        pthread_mutex_unlock(&r->lock);
        return n ? 0 : -1;
    }
    head = (size_t)(r->sent % r->cap);
    n = (size_t)(r->in - r->sent);
    if (n > r->cap - head) n = r->cap - head;
    if (n > len) n = len;
    pthread_mutex_unlock(&r->lock);
    memcpy(buf, r->buf + head, n); /* not overwritten before sent moves */
    pthread_mutex_lock(&r->lock);
    r->sent += n;
    moved = (long long)r->sent;
    total = r->total;
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->lock);
    if (r->progress) r->progress(moved, total, r->opaque);
    return (ssize_t)n;
}

static void *
download_thread(void *p)
{
    struct ring *r = p;
    int rc = r->produce ? r->produce(ring_sink, r, r->popaque)
                        : glance_image_download_unhashed(r->src, r->im, ring_sink, r, r->down);

    pthread_mutex_lock(&r->lock);
    r->down_done = true;
    r->down_ok = rc == 0;
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->lock);
    return NULL;
}

/* MD5 and the image's os_hash over the ring's bytes, then the download's
 * verification against the source's record. */
static void *
hash_thread(void *p)
{
    struct ring *r = p;
    struct digest md5, hash;
    enum digest_algo algo;
    /* a producer's data have no source record: SHA-512, Glance's default */
    const char *algo_name = r->im ? r->im->hash_algo : "sha512";
    bool has_hash = algo_name && digest_algo_parse(algo_name, &algo) == 0;
    bool ok = false;

    digest_init(&md5, DIGEST_MD5);
    if (has_hash) digest_init(&hash, algo);
    pthread_mutex_lock(&r->lock);
    for (;;) {
        size_t head, n;

        while (r->hashed == r->in && !r->down_done && !r->up_stop)
            pthread_cond_wait(&r->cond, &r->lock);
        if (r->up_stop || (r->down_done && !r->down_ok)) break;
        if (r->hashed == r->in) { /* down_done: all hashed */
            ok = true;
            break;
        }
        head = (size_t)(r->hashed % r->cap);
        n = (size_t)(r->in - r->hashed);
        if (n > r->cap - head) n = r->cap - head;
        if (n > HASH_PIECE) n = HASH_PIECE;
        pthread_mutex_unlock(&r->lock);
        digest_update(&md5, r->buf + head, n);
        if (has_hash) digest_update(&hash, r->buf + head, n);
        pthread_mutex_lock(&r->lock);
        r->hashed += n;
        pthread_cond_broadcast(&r->cond);
    }
    pthread_mutex_unlock(&r->lock);
    if (ok) {
        /* the download returned: its thread no longer touches r->down or src */
        digest_final_hex(&md5, r->down->md5, sizeof r->down->md5);
        r->down->hash[0] = r->down->hash_algo[0] = '\0';
        if (has_hash) {
            digest_final_hex(&hash, r->down->hash, sizeof r->down->hash);
            snprintf(r->down->hash_algo, sizeof r->down->hash_algo, "%s", algo_name);
        }
        if (r->im) ok = glance_verify_download(r->src, r->im, r->down) == 0;
        else r->down->bytes = (long long)r->in; /* a producer's: nothing to verify against */
    }
    pthread_mutex_lock(&r->lock);
    r->hash_done = true;
    r->hash_ok = ok;
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->lock);
    return NULL;
}

static int
copy(struct ne_glance *src, const struct ne_image *im, struct ne_glance *dst, const char *dst_id,
     size_t bufsize, ne_glance_progress progress, void *opaque, struct ne_glance_xfer *down,
     struct ne_glance_xfer *up, bool stage)
{
    struct ring r = {.cap = bufsize ? bufsize : 1 << 20, .total = im->size,
                     .progress = progress, .opaque = opaque, .src = src, .im = im,
                     .down = down, .hashing = true};
    pthread_t t, h;
    int rc, err;

    memset(down, 0, sizeof *down);
    memset(up, 0, sizeof *up);
    r.buf = xmalloc(r.cap);
    pthread_mutex_init(&r.lock, NULL);
    pthread_cond_init(&r.cond, NULL);
    if ((err = pthread_create(&h, NULL, hash_thread, &r)) != 0) {
        errno = err;
        ne_syserror("glance: copy image %s: cannot start the hashing thread", im->id);
        rc = -1;
        goto out;
    }
    if ((err = pthread_create(&t, NULL, download_thread, &r)) != 0) {
        errno = err;
        ne_syserror("glance: copy image %s: cannot start the download thread", im->id);
        pthread_mutex_lock(&r.lock);
        r.up_stop = true;
        pthread_cond_broadcast(&r.cond);
        pthread_mutex_unlock(&r.lock);
        pthread_join(h, NULL);
        rc = -1;
        goto out;
    }
    /* no rewind: the stream cannot be replayed (a 401 mid-upload fails) */
    /* the hasher digests the bytes once; the upload's check uses its digests */
    rc = stage ? glance_image_stage_known(dst, dst_id, ring_source, &r, down, up)
               : glance_image_upload_known(dst, dst_id, ring_source, &r, down, up);
    pthread_mutex_lock(&r.lock);
    r.up_stop = true;
    pthread_cond_broadcast(&r.cond);
    pthread_mutex_unlock(&r.lock);
    pthread_join(t, NULL);
    pthread_join(h, NULL);
    if (!r.down_ok || !r.hash_ok) rc = -1;
    else if (rc == 0 && up->bytes != down->bytes) {
        ne_error("glance: copy image %s: %lld bytes downloaded, %lld uploaded", im->id,
                 down->bytes, up->bytes);
        rc = -1;
    }
out:
    pthread_cond_destroy(&r.cond);
    pthread_mutex_destroy(&r.lock);
    free(r.buf);
    return rc;
}

int
glance_copy_stream(struct ne_glance *src, const struct ne_image *im, struct ne_glance *dst,
                   const char *dst_id, size_t bufsize, ne_glance_progress progress, void *opaque,
                   struct ne_glance_xfer *down, struct ne_glance_xfer *up)
{
    return copy(src, im, dst, dst_id, bufsize, progress, opaque, down, up, false);
}

int
glance_copy_stage(struct ne_glance *src, const struct ne_image *im, struct ne_glance *dst,
                  const char *dst_id, size_t bufsize, ne_glance_progress progress, void *opaque,
                  struct ne_glance_xfer *down, struct ne_glance_xfer *up)
{
    return copy(src, im, dst, dst_id, bufsize, progress, opaque, down, up, true);
}

int
glance_upload_produced(struct ne_glance *dst, const char *dst_id, long long size,
                       ne_glance_producer produce, void *popaque, size_t bufsize,
                       ne_glance_progress progress, void *opaque, struct ne_glance_xfer *up)
{
    struct ne_glance_xfer known = {0};
    struct ring r = {.cap = bufsize ? bufsize : 1 << 20, .total = size, .progress = progress,
                     .opaque = opaque, .produce = produce, .popaque = popaque,
                     .down = &known, .hashing = true};
    pthread_t t, h;
    int rc, err;

    memset(up, 0, sizeof *up);
    r.buf = xmalloc(r.cap);
    pthread_mutex_init(&r.lock, NULL);
    pthread_cond_init(&r.cond, NULL);
    if ((err = pthread_create(&h, NULL, hash_thread, &r)) != 0) {
        errno = err;
        ne_syserror("glance: upload image %s: cannot start the hashing thread", dst_id);
        rc = -1;
        goto out;
    }
    if ((err = pthread_create(&t, NULL, download_thread, &r)) != 0) {
        errno = err;
        ne_syserror("glance: upload image %s: cannot start the reading thread", dst_id);
        pthread_mutex_lock(&r.lock);
        r.up_stop = true;
        pthread_cond_broadcast(&r.cond);
        pthread_mutex_unlock(&r.lock);
        pthread_join(h, NULL);
        rc = -1;
        goto out;
    }
    /* hashed by the hashing thread, off the upload's; Glance's record is
     * checked against its digests */
    rc = glance_image_upload_known(dst, dst_id, ring_source, &r, &known, up);
    pthread_mutex_lock(&r.lock);
    r.up_stop = true;
    pthread_cond_broadcast(&r.cond);
    pthread_mutex_unlock(&r.lock);
    pthread_join(t, NULL);
    pthread_join(h, NULL);
    if (!r.down_ok || !r.hash_ok) rc = -1;
    else if (rc == 0 && size >= 0 && up->bytes != size) {
        ne_error("glance: upload image %s: %lld bytes sent, %lld expected", dst_id, up->bytes,
                 size);
        rc = -1;
    }
out:
    pthread_cond_destroy(&r.cond);
    pthread_mutex_destroy(&r.lock);
    free(r.buf);
    return rc;
}
