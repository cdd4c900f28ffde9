/* SPDX-License-Identifier: Apache-2.0 */
/* glancecopy.c: a Glance download joined to a Glance upload (glance.h).
 *
 * The download runs in a thread of its own (its session is held while it
 * streams); its sink fills a ring buffer and waits while the ring is full.
 * The upload, in the caller's thread, reads the ring and waits while it is
 * empty.  The upload's end of stream (read returns 0) comes only once the
 * download has returned and verified size, MD5 and os_hash: a source that
 * breaks or lies makes the read return -1, so curl aborts the chunked PUT
 * and Glance never marks the image active.  A failed upload stops the
 * download the same way (its sink returns -1).  Memory: the ring, whatever
 * the image size. */
#include <config.h>

#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "openstack/glance.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/mem.h"

struct ring {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    char *buf;
    size_t cap, head, used; /* head: next byte to read */
    bool down_done;         /* the download returned */
    bool down_ok;           /* ... and was verified */
    bool up_stop;           /* the upload gave up: the download stops */
    long long moved, total;
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

static int
ring_sink(const char *data, size_t len, void *p)
{
    struct ring *r = p;

    pthread_mutex_lock(&r->lock);
    while (len) {
        size_t tail, n;

        while (r->used == r->cap && !r->up_stop) pthread_cond_wait(&r->cond, &r->lock);
        if (r->up_stop || ne_interrupted()) {
            pthread_mutex_unlock(&r->lock);
            return -1;
        }
        tail = (r->head + r->used) % r->cap;
        n = r->cap - r->used;
        if (n > r->cap - tail) n = r->cap - tail;
        if (n > len) n = len;
        memcpy(r->buf + tail, data, n);
        r->used += n;
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
    size_t n;
    long long moved, total;

    if (ne_interrupted()) return -1;
    pthread_mutex_lock(&r->lock);
    /* whole reads (curl's upload buffer, 64 KiB): each becomes one HTTP chunk, and
     * Glance pays per chunk; the download delivers 16 KiB pieces */
    while (r->used < (len < r->cap / 2 ? len : r->cap / 2) && !r->down_done)
        pthread_cond_wait(&r->cond, &r->lock);
    if (r->used == 0) { /* the download returned and everything was read */
        pthread_mutex_unlock(&r->lock);
        return r->down_ok ? 0 : -1;
    }
    if (r->down_done && !r->down_ok) { /* no point sending the rest */
        pthread_mutex_unlock(&r->lock);
        return -1;
    }
    n = r->used;
    if (n > r->cap - r->head) n = r->cap - r->head;
    if (n > len) n = len;
    memcpy(buf, r->buf + r->head, n);
    r->head = (r->head + n) % r->cap;
    r->used -= n;
    r->moved += (long long)n;
    moved = r->moved;
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
                        : glance_image_download(r->src, r->im, ring_sink, r, r->down);

    pthread_mutex_lock(&r->lock);
    r->down_done = true;
    r->down_ok = rc == 0;
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
                     .down = down};
    pthread_t t;
    int rc, err;

    memset(down, 0, sizeof *down);
    memset(up, 0, sizeof *up);
    r.buf = xmalloc(r.cap);
    pthread_mutex_init(&r.lock, NULL);
    pthread_cond_init(&r.cond, NULL);
    if ((err = pthread_create(&t, NULL, download_thread, &r)) != 0) {
        errno = err;
        ne_syserror("glance: copy image %s: cannot start the download thread", im->id);
        rc = -1;
        goto out;
    }
    /* no rewind: the stream cannot be replayed (a 401 mid-upload fails) */
    /* the download hashes the bytes once; the upload's check uses its digests */
    rc = stage ? glance_image_stage_known(dst, dst_id, ring_source, &r, down, up)
               : glance_image_upload_known(dst, dst_id, ring_source, &r, down, up);
    pthread_mutex_lock(&r.lock);
    r.up_stop = true;
    pthread_cond_broadcast(&r.cond);
    pthread_mutex_unlock(&r.lock);
    pthread_join(t, NULL);
    if (!r.down_ok) rc = -1;
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
    struct ring r = {.cap = bufsize ? bufsize : 1 << 20, .total = size, .progress = progress,
                     .opaque = opaque, .produce = produce, .popaque = popaque};
    pthread_t t;
    int rc, err;

    memset(up, 0, sizeof *up);
    r.buf = xmalloc(r.cap);
    pthread_mutex_init(&r.lock, NULL);
    pthread_cond_init(&r.cond, NULL);
    if ((err = pthread_create(&t, NULL, download_thread, &r)) != 0) {
        errno = err;
        ne_syserror("glance: upload image %s: cannot start the reading thread", dst_id);
        rc = -1;
        goto out;
    }
    /* hashed here, while sent; checked against Glance's record */
    rc = glance_image_upload(dst, dst_id, ring_source, NULL, &r, size, up);
    pthread_mutex_lock(&r.lock);
    r.up_stop = true;
    pthread_cond_broadcast(&r.cond);
    pthread_mutex_unlock(&r.lock);
    pthread_join(t, NULL);
    if (!r.down_ok) rc = -1;
out:
    pthread_cond_destroy(&r.cond);
    pthread_mutex_destroy(&r.lock);
    free(r.buf);
    return rc;
}
