/* SPDX-License-Identifier: Apache-2.0 */
/* virt-storage.c: files on a node, through libvirt storage pools: facts
 * (size, backing file), creation of overlays, deletion and sparse-aware
 * copies between nodes over the libvirt connections (no ssh, no rsync).
 * virt-files.c adds clones, touches, hashes, small reads and uploads. */
#include <config.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "util/interrupt.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/sha1.h"
#include "util/zeroruns.h"
#include "virt/storxml.h"
#include "virt/virt-int.h"

/* The storage pool whose target is dir: found, or created transient. */
virStoragePoolPtr
pool_for_dir(struct ne_virt *v, const char *dir, bool build)
{
    virStoragePoolPtr p = virStoragePoolLookupByTargetPath(v->conn, dir);
    char hex[41];
    CLEANUP_FREE char *name = NULL, *xml = NULL;

    if (p) {
        if (virStoragePoolRefresh(p, 0) < 0)
            ne_debug(NE_DBG_VIRT, "%s: refresh of pool for %s failed: %s", v->host, dir, lv_err());
        return p;
    }
    sha1_hex(dir, hex);
    name = xasprintf("nova-evac-%.16s", hex);
    p = virStoragePoolLookupByName(v->conn, name);
    if (p) {
        virStoragePoolRefresh(p, 0);
        return p;
    }
    xml = ne_pool_xml(name, dir);
    p = virStoragePoolCreateXML(v->conn, xml, build ? VIR_STORAGE_POOL_CREATE_WITH_BUILD : 0);
    if (!p) {
        /* another connection (another nova-evac) created it meanwhile: use theirs */
        if ((p = virStoragePoolLookupByTargetPath(v->conn, dir)) ||
            (p = virStoragePoolLookupByName(v->conn, name))) {
            ne_debug(NE_DBG_VIRT, "%s: pool for %s created meanwhile by another connection",
                     v->host, dir);
            virStoragePoolRefresh(p, 0);
        }
        return p;
    }
    virt_pool_note(v, name);
    ne_debug(NE_DBG_VIRT, "%s: transient pool %s for %s", v->host, name, dir);
    return p;
}

int
virt_file_info(struct ne_virt *v, const char *path, uint64_t *capacity, uint64_t *allocation,
               char **backing)
{
    CLEANUP_FREE char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    virStoragePoolPtr p;
    virStorageVolPtr vol;
    virStorageVolInfo info;

    if (!slash || slash == dir) return 0;
    *slash = '\0';
    p = pool_for_dir(v, dir, false);
    if (!p) {
        /* A missing directory means a missing file; an unreachable host
         * means nothing is known. */
        if (lv_dir_missing(v)) {
            ne_debug(NE_DBG_VIRT, "%s: no pool for %s: %s", v->host, dir, lv_err());
            return 0;
        }
        ne_error("cannot inspect directory %s on %s: %s", dir, v->host, lv_err());
        return -1;
    }
    vol = virStorageVolLookupByName(p, slash + 1);
    if (!vol && !lv_vol_missing(v)) {
        ne_error("cannot look up %s on %s: %s", path, v->host, lv_err());
        virStoragePoolFree(p);
        return -1;
    }
    virStoragePoolFree(p);
    if (!vol) return 0;
    if (virStorageVolGetInfo(vol, &info) < 0) {
        ne_error("cannot stat %s on %s: %s", path, v->host, lv_err());
        virStorageVolFree(vol);
        return -1;
    }
    if (capacity) *capacity = info.capacity;
    if (allocation) *allocation = info.allocation;
    if (backing) {
        char *xml = virStorageVolGetXMLDesc(vol, 0);
        *backing = NULL;
        if (xml) ne_vol_xml_facts(xml, NULL, 0, NULL, backing);
        free(xml);
    }
    virStorageVolFree(vol);
    return 1;
}

int
virt_fill_disks(struct ne_virt *v, struct ne_domain *d)
{
    size_t i;
    int rc = 0;

    for (i = 0; i < d->ndisks; i++) {
        struct ne_disk *k = &d->disks[i];
        char *backing = NULL;

        if (!k->source || k->protocol || !str_eq(k->type, "file")) continue;
        if (virt_file_info(v, k->source, &k->capacity, &k->allocation, &backing) < 0) {
            rc = -1;
            continue;
        }
        if (!k->backing && backing) {
            k->backing = backing;
            ne_disk_classify(k, v->cfg->instances_path, v->cfg->shared_instances);
        } else {
            free(backing);
        }
        if (k->base_sha1[0]) {
            int r = virt_file_info(v, k->backing, NULL, NULL, NULL);
            k->base_present = r < 0 ? -1 : r;
        }
    }
    return rc;
}

/* Splits path into a directory (newly allocated) and a borrowed base name. */
static char *
split_path(const char *path, const char **base)
{
    const char *slash = strrchr(path, '/');

    if (!slash || slash == path || slash[1] == '\0') {
        ne_error("not an absolute file path: '%s'", path);
        return NULL;
    }
    *base = slash + 1;
    return xstrndup(path, (size_t)(slash - path));
}

virStorageVolPtr
vol_lookup(struct ne_virt *v, const char *path, bool build, virStoragePoolPtr *pool_out)
{
    const char *base;
    CLEANUP_FREE char *dir = split_path(path, &base);
    virStoragePoolPtr p;
    virStorageVolPtr vol;

    if (!dir) return NULL;
    p = pool_for_dir(v, dir, build);
    if (!p) return NULL;
    vol = virStorageVolLookupByName(p, base);
    if (pool_out)
        *pool_out = p;
    else
        virStoragePoolFree(p);
    return vol;
}

int
virt_create_image(struct ne_virt *v, const char *path, uint64_t capacity, const char *format,
                  const char *backing, const char *backing_format)
{
    virStoragePoolPtr p = NULL;
    virStorageVolPtr vol = vol_lookup(v, path, true, &p);
    const char *base = strrchr(path, '/') + 1;
    CLEANUP_FREE char *xml = NULL;

    if (vol) {
        virStorageVolFree(vol);
        virStoragePoolFree(p);
        return 0;
    }
    if (!p) {
        ne_error("cannot create %s on %s: %s", path, v->host, lv_err());
        return -1;
    }
    {
        struct ne_vol_spec vs = {.name = base, .capacity = capacity, .format = format,
                                 .backing = backing, .backing_format = backing_format};
        xml = ne_vol_xml(&vs);
    }
    vol = virStorageVolCreateXML(p, xml, 0);
    virStoragePoolFree(p);
    if (!vol) {
        ne_error("cannot create %s on %s: %s", path, v->host, lv_err());
        return -1;
    }
    ne_debug(NE_DBG_VIRT, "%s: created %s (%s, %llu bytes%s%s)", v->host, path, format,
             (unsigned long long)capacity, backing ? ", backing " : "", backing ? backing : "");
    virStorageVolFree(vol);
    return 1;
}

int
virt_delete_file(struct ne_virt *v, const char *path)
{
    virStorageVolPtr vol = vol_lookup(v, path, false, NULL);
    int rc = 0;

    if (!vol) {
        if (lv_vol_missing(v) || lv_dir_missing(v)) return 0;
        ne_error("cannot delete %s on %s: %s", path, v->host, lv_err());
        return -1;
    }
    if (virStorageVolDelete(vol, 0) < 0) {
        ne_error("cannot delete %s on %s: %s", path, v->host, lv_err());
        rc = -1;
    }
    virStorageVolFree(vol);
    return rc;
}

/* Removes the regular files of dir (found through a transient pool) and
 * then dir itself (a defined, inactive pool's delete is an rmdir).  Files
 * are counted in *nfiles.  With only_if_empty, a directory that holds
 * anything is left as it is and 1 returned. */
static int
remove_dir(struct ne_virt *v, const char *dir, bool only_if_empty, unsigned *nfiles)
{
    virStoragePoolPtr p = pool_for_dir(v, dir, false), q;
    virStorageVolPtr *vols = NULL;
    int n, i, rc = 0;
    char hex[41];
    CLEANUP_FREE char *name = NULL, *xml = NULL;

    if (!p) {
        if (lv_dir_missing(v)) return 0; /* no such directory */
        ne_error("cannot remove %s on %s: %s", dir, v->host, lv_err());
        return -1;
    }
    n = virStoragePoolListAllVolumes(p, &vols, 0);
    if (only_if_empty && n != 0) {
        for (i = 0; i < n; i++) virStorageVolFree(vols[i]);
        free(vols);
        if (str_prefix(virStoragePoolGetName(p), "nova-evac-")) virStoragePoolDestroy(p);
        virStoragePoolFree(p);
        return n < 0 ? -1 : 1;
    }
    for (i = 0; i < n; i++) {
        virStorageVolInfo info;
        if (virStorageVolGetInfo(vols[i], &info) == 0 && info.type == VIR_STORAGE_VOL_FILE) {
            if (virStorageVolDelete(vols[i], 0) == 0) (*nfiles)++;
            else rc = -1;
        } else {
            rc = -1; /* a subdirectory or something else: leave the directory */
        }
        virStorageVolFree(vols[i]);
    }
    free(vols);
    if (str_prefix(virStoragePoolGetName(p), "nova-evac-")) virStoragePoolDestroy(p);
    virStoragePoolFree(p);
    if (n < 0 || rc < 0) return -1;
    sha1_hex(dir, hex);
    name = xasprintf("nova-evac-rm-%.16s", hex);
    xml = ne_pool_xml(name, dir);
    if (!(q = virStoragePoolDefineXML(v->conn, xml, 0))) return -1;
    if (virStoragePoolDelete(q, 0) < 0) rc = -1;
    virStoragePoolUndefine(q);
    virStoragePoolFree(q);
    return rc;
}

int
virt_remove_instance_dir(struct ne_virt *v, const char *uuid, bool only_if_empty)
{
    CLEANUP_FREE char *dir = NULL;
    unsigned nfiles = 0;
    size_t i;
    int rc;

    if (v->cfg->shared_instances) return 0; /* the other hosts use that directory too */
    if (strlen(uuid) != 36) return -1;
    for (i = 0; i < 36; i++)
        if (!(uuid[i] == '-' || (uuid[i] >= '0' && uuid[i] <= '9') || (uuid[i] >= 'a' && uuid[i] <= 'f')))
            return -1;
    dir = xasprintf("%s/%s", v->cfg->instances_path, uuid);
    if ((rc = remove_dir(v, dir, only_if_empty, &nfiles)) > 0) {
        ne_debug(NE_DBG_VIRT, "%s: %s is not empty: kept", v->host, dir);
        return 0;
    }
    if (rc < 0) {
        ne_warn("%s: could not remove the instance directory %s (%u file(s) removed): %s; remove "
                "it by hand before Nova moves the instance back (DestinationDiskExists)",
                v->host, dir, nfiles, lv_err());
        return -1;
    }
    ne_debug(NE_DBG_VIRT, "%s: removed %s (%u file(s))", v->host, dir, nfiles);
    return 0;
}

/* A host-to-host copy runs in two threads so that both connections work
 * at once: this one receives from the source's stream into a ring of
 * CQ_DEPTH buffers of CQ_BUF bytes (holes as holes), the other sends them
 * to the destination's stream, one message per buffer.  The buffers are
 * allocated once per copy.  Measured: 1 MiB upload messages cost the
 * destination's libvirtd ~20% more CPU than 256 KiB ones. */
#define CQ_DEPTH 16
#define CQ_BUF (256 * 1024) /* what libvirtd sends per download message */

struct chunk {
    char *buf;
    size_t len;                /* data bytes in buf */
    long long hole;            /* then a hole of this length */
    bool eof;                  /* then the end of the stream */
};

struct copy_state {
    virStreamPtr in, out;
    uint64_t done, total, data;
    ne_copy_progress cb;
    void *opaque;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct chunk q[CQ_DEPTH];
    size_t head, count;        /* filled chunks: q[head] .. q[head + count - 1] */
    bool failed;               /* either side gave up */
    /* Plain streams (an end without sparse streams, ne_caps): the source
     * sends every byte; the sender finds the zero blocks (zeroruns.h) and
     * sends them as holes when the destination takes sparse streams
     * (sparse_out).  A destination without them is written in segments:
     * one plain upload at the offset of each data run (the file there was
     * created sparse, at full length), zero runs of SEG_GAP or more
     * skipped (every one: SEG_GAP is the zero block). */
    bool plain_in, sparse_out;
    struct ne_virt *dst;       /* segments: the destination and its volume */
    virStorageVolPtr dvol;
    uint64_t off;              /* segments: file offset of the next byte */
    unsigned segments;
    uint64_t pend;             /* zero bytes found, not sent yet: one hole before data */
    uint64_t holes;            /* bytes sent as holes after zero detection */
    char why[256];             /* the first failure (libvirt errors are per thread) */
};

/* Records the first failure with this thread's libvirt error, wakes the other side. */
static void
cq_fail(struct copy_state *c, const char *what)
{
    pthread_mutex_lock(&c->lock);
    if (!c->failed) snprintf(c->why, sizeof c->why, "%s: %s", what, lv_err());
    c->failed = true;
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->lock);
}

/* The receiver's next empty chunk (waits for one), or NULL after a failure. */
static struct chunk *
cq_slot(struct copy_state *c)
{
    struct chunk *k = NULL;

    pthread_mutex_lock(&c->lock);
    while (!c->failed && c->count == CQ_DEPTH) pthread_cond_wait(&c->cond, &c->lock);
    if (!c->failed) {
        k = &c->q[(c->head + c->count) % CQ_DEPTH];
        k->len = 0;
        k->hole = 0;
        k->eof = false;
    }
    pthread_mutex_unlock(&c->lock);
    return k;
}

/* Hands the receiver's chunk to the sender. */
static void
cq_push(struct copy_state *c)
{
    pthread_mutex_lock(&c->lock);
    c->count++;
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->lock);
}

/* The receiver: source stream -> chunks, until its end (0) or a failure (-1). */
static int
cq_recv(struct copy_state *c)
{
    struct chunk *k = NULL;
    long long hole;
    int got;

    for (;;) {
        if (!k && !(k = cq_slot(c))) return -1;
        if (ne_interrupted()) { /* stop; the caller deletes the partial copy */
            pthread_mutex_lock(&c->lock);
            if (!c->failed) snprintf(c->why, sizeof c->why, "interrupted (SIGINT/SIGTERM)");
            c->failed = true;
            pthread_cond_broadcast(&c->cond);
            pthread_mutex_unlock(&c->lock);
            return -1;
        }
        got = virStreamRecvFlags(c->in, k->buf + k->len, CQ_BUF - k->len,
                                 c->plain_in ? 0 : VIR_STREAM_RECV_STOP_AT_HOLE);
        if (got == -3) {
            if (virStreamRecvHole(c->in, &hole, 0) < 0) break;
            k->hole = hole;
        } else if (got < 0) {
            break;
        } else if (got == 0) {
            k->eof = true;
        } else {
            k->len += (size_t)got;
            if (k->len < CQ_BUF) continue;
        }
        cq_push(c);
        if (got == 0) return 0;
        k = NULL;
    }
    cq_fail(c, "receiving");
    return -1;
}

/* Sends the pending zero bytes as one hole (many small holes in a row
 * lose their tail on libvirt 9.0). */
static int
send_pending(struct copy_state *c)
{
    if (!c->pend) return 0;
    if (virStreamSendHole(c->out, (long long)c->pend, 0) < 0) return -1;
    c->holes += c->pend;
    c->pend = 0;
    return 0;
}

static int
send_all(struct copy_state *c, const char *b, size_t n)
{
    for (size_t off = 0; off < n;) {
        int w = virStreamSend(c->out, b + off, n - off);
        if (w < 0) return -1;
        off += (size_t)w;
    }
    return 0;
}

/* Every zero run is skipped: the copy is as sparse as with sparse streams,
 * at the cost of one upload per data run (a few round trips each). */
#define SEG_GAP NE_ZERO_BLOCK

/* Ends the open segment (a plain upload), if any. */
static int
seg_close(struct copy_state *c)
{
    int rc;

    if (!c->out) return 0;
    rc = virStreamFinish(c->out);
    if (rc < 0) virStreamAbort(c->out);
    virStreamFree(c->out);
    c->out = NULL;
    return rc < 0 ? -1 : 0;
}

/* Writes b[0..n) at c->off, opening a segment there when none is open. */
static int
seg_write(struct copy_state *c, const char *b, size_t n)
{
    if (!c->out) {
        c->out = virStreamNew(c->dst->conn, 0);
        if (!c->out || virStorageVolUpload(c->dvol, c->out, c->off, 0, 0) < 0) return -1;
        c->segments++;
    }
    return send_all(c, b, n);
}

/* A chunk of a plain download to a destination without sparse streams:
 * data runs written in segments, long zero runs skipped (holes). */
static int
send_segments(struct copy_state *c, const struct chunk *k)
{
    size_t off = 0, r;
    bool zero;

    while (off < k->len) {
        r = ne_zero_run(k->buf + off, k->len - off, NE_ZERO_BLOCK, &zero);
        if (zero && (r >= SEG_GAP || !c->out)) {
            if (seg_close(c) < 0) return -1;
            c->holes += r;
        } else {
            if (seg_write(c, k->buf + off, r) < 0) return -1;
            c->data += r;
        }
        c->off += r;
        off += r;
    }
    return 0;
}

/* A chunk of a plain download: zero blocks become (pending) holes when
 * the destination takes sparse streams; else written in segments. */
static int
send_detected(struct copy_state *c, const struct chunk *k)
{
    size_t off = 0, r;
    bool zero;

    if (!c->sparse_out) return send_segments(c, k);
    while (off < k->len) {
        r = ne_zero_run(k->buf + off, k->len - off, NE_ZERO_BLOCK, &zero);
        if (zero) {
            c->pend += r;
        } else {
            if (send_pending(c) < 0 || send_all(c, k->buf + off, r) < 0) return -1;
            c->data += r;
        }
        off += r;
    }
    return 0;
}

/* The sender thread: chunks -> destination stream, until the end or a failure. */
static void *
cq_send(void *arg)
{
    struct copy_state *c = arg;
    struct chunk *k;
    bool eof = false;

    while (!eof) {
        pthread_mutex_lock(&c->lock);
        while (!c->failed && c->count == 0) pthread_cond_wait(&c->cond, &c->lock);
        k = c->failed ? NULL : &c->q[c->head];
        pthread_mutex_unlock(&c->lock);
        if (!k) return NULL;
        if (c->plain_in) {
            if (send_detected(c, k) < 0 ||
                (k->eof && (c->sparse_out ? send_pending(c) : seg_close(c)) < 0)) {
                cq_fail(c, "sending");
                return NULL;
            }
        } else {
            if (send_all(c, k->buf, k->len) < 0) {
                cq_fail(c, "sending");
                return NULL;
            }
            if (k->hole && virStreamSendHole(c->out, k->hole, 0) < 0) {
                cq_fail(c, "sending a hole");
                return NULL;
            }
            c->data += k->len;
        }
        c->done += k->len + (uint64_t)k->hole;
        eof = k->eof;
        if (c->cb) c->cb(c->done, c->total, c->opaque);
        pthread_mutex_lock(&c->lock);
        c->head = (c->head + 1) % CQ_DEPTH;
        c->count--;
        pthread_cond_broadcast(&c->cond);
        pthread_mutex_unlock(&c->lock);
    }
    return NULL;
}

/* The stream part of a copy: src volume -> dst volume, sparse; on failure
 * c->why says what failed. */
static int
stream_copy(struct ne_virt *src, virStorageVolPtr svol, struct ne_virt *dst,
            virStorageVolPtr dvol, struct copy_state *c)
{
    pthread_t t;
    int rc = -1, i;
    const struct ne_caps *sc = virt_caps(src, false), *dc = virt_caps(dst, false);

    /* The older side decides: either end without sparse streams makes the
     * download plain, with zero detection here. */
    c->sparse_out = !dc || dc->sparse_streams;
    c->plain_in = !c->sparse_out || (sc && !sc->sparse_streams);
    c->dst = dst;
    c->dvol = dvol;
    ne_debug(NE_DBG_VIRT, "copy %s -> %s: %s download, %s upload%s", src->host, dst->host,
             c->plain_in ? "plain" : "sparse", c->sparse_out ? "sparse" : "plain",
             !c->plain_in ? "" : c->sparse_out ? ", zero blocks detected and sent as holes" :
             ", zero blocks detected, data written in segments at their offsets");
    c->in = virStreamNew(src->conn, 0);
    c->out = c->sparse_out ? virStreamNew(dst->conn, 0) : NULL;
    if (!c->in || (c->sparse_out && !c->out) ||
        virStorageVolDownload(svol, c->in, 0, 0,
                              c->plain_in ? 0 : VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM) < 0 ||
        (c->sparse_out &&
         virStorageVolUpload(dvol, c->out, 0, 0, VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM) < 0)) {
        snprintf(c->why, sizeof c->why, "%s", lv_err());
        goto out;
    }
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->cond, NULL);
    for (i = 0; i < CQ_DEPTH; i++) c->q[i].buf = xmalloc(CQ_BUF);
    if (pthread_create(&t, NULL, cq_send, c) != 0) {
        snprintf(c->why, sizeof c->why, "cannot start the sending thread");
    } else {
        rc = cq_recv(c);
        pthread_join(t, NULL);
        if (c->failed) rc = -1;
    }
    for (i = 0; i < CQ_DEPTH; i++) free(c->q[i].buf);
    pthread_cond_destroy(&c->cond);
    pthread_mutex_destroy(&c->lock);
    if (rc == 0 && virStreamFinish(c->in) < 0) {
        snprintf(c->why, sizeof c->why, "finishing the download: %s", lv_err());
        rc = -1;
    }
    if (rc == 0 && c->out && virStreamFinish(c->out) < 0) {
        snprintf(c->why, sizeof c->why, "finishing the upload: %s", lv_err());
        rc = -1;
    }
out:
    if (rc < 0) {
        if (c->in) virStreamAbort(c->in);
        if (c->out) virStreamAbort(c->out);
    }
    if (c->in) virStreamFree(c->in);
    if (c->out) virStreamFree(c->out);
    return rc;
}

int
virt_copy_file(struct ne_virt *src, const char *src_path, struct ne_virt *dst,
               const char *dst_path, ne_copy_progress cb, void *opaque, uint64_t *copied)
{
    virStorageVolPtr svol = vol_lookup(src, src_path, false, NULL), dvol;
    virStorageVolInfo info;
    struct copy_state c = {.cb = cb, .opaque = opaque};
    int created, rc;

    if (!svol) {
        ne_error("cannot copy %s from %s: no such file there", src_path, src->host);
        return -1;
    }
    bool physical = virStorageVolGetInfoFlags(svol, &info, VIR_STORAGE_VOL_GET_PHYSICAL) == 0;
    const struct ne_caps *dc = virt_caps(dst, false);

    if (!physical && virStorageVolGetInfo(svol, &info) < 0) {
        ne_error("cannot stat %s on %s: %s", src_path, src->host, lv_err());
        virStorageVolFree(svol);
        return -1;
    }
    /* With GET_PHYSICAL, allocation holds the file's length. */
    c.total = info.allocation > info.capacity ? info.allocation : info.capacity;
    /* Written in segments (no sparse streams there), the file keeps the
     * length it is created with: the source file's length, not a qcow2's
     * virtual size. */
    created = virt_create_image(dst, dst_path,
                                physical && dc && !dc->sparse_streams ? info.allocation : c.total,
                                "raw", NULL, NULL);
    if (created <= 0) {
        if (created == 0)
            ne_error("cannot copy %s to %s: %s already exists there (not overwritten)", src_path,
                     dst->host, dst_path);
        virStorageVolFree(svol);
        return -1;
    }
    dvol = vol_lookup(dst, dst_path, false, NULL);
    rc = dvol ? stream_copy(src, svol, dst, dvol, &c) : -1;
    if (rc < 0) {
        ne_error("copy of %s from %s to %s failed: %s", src_path, src->host, dst->host,
                 c.why[0] ? c.why : lv_err());
        if (dvol) virStorageVolDelete(dvol, 0);
    }
    if (dvol) virStorageVolFree(dvol);
    virStorageVolFree(svol);
    if (rc == 0 && c.plain_in)
        ne_debug(NE_DBG_VIRT, "copy of %s to %s: %llu data bytes, %llu zero bytes kept as "
                 "holes%s", src_path, dst->host, (unsigned long long)c.data,
                 (unsigned long long)c.holes, c.sparse_out ? "" : " (segments written)");
    if (copied) *copied = c.data;
    return rc;
}
