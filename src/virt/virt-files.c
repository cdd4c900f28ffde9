/* SPDX-License-Identifier: Apache-2.0 */
/* virt-files.c: more file operations on a node through libvirt storage
 * pools, for base image staging (imagecache.h): facts about many files
 * with one pool refresh, the server-side clone that makes a staged file
 * appear under its final name at once, touching, SHA-256 of a file
 * streamed through virStorageVolDownload, small reads (nova.conf),
 * uploads fed by the caller (Glance downloads), removals that tell
 * "absent" from "unreachable", and the shared-storage check.  A lookup on
 * a host that cannot be reached is an error, never "absent". */
#include <config.h>

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "util/digest.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/mem.h"
#include "virt/storxml.h"
#include "virt/virt-int.h"

/* Format and mtime from the volume XML. */
static void
vol_xml_facts(virStorageVolPtr vol, struct ne_file_stat *st)
{
    char *xml = virStorageVolGetXMLDesc(vol, 0);

    if (!xml) return;
    ne_vol_xml_facts(xml, st->format, sizeof st->format, &st->mtime, NULL);
    free(xml);
}

static int
vol_stat(struct ne_virt *v, virStorageVolPtr vol, const char *path, struct ne_file_stat *st)
{
    virStorageVolInfo info, phys;

    memset(st, 0, sizeof *st);
    if (virStorageVolGetInfo(vol, &info) < 0) {
        ne_error("cannot stat %s on %s: %s", path, v->host, lv_err());
        return -1;
    }
    st->exists = true;
    st->capacity = info.capacity;
    st->allocation = info.allocation;
    /* With GET_PHYSICAL, allocation holds the file's length. */
    st->length = virStorageVolGetInfoFlags(vol, &phys, VIR_STORAGE_VOL_GET_PHYSICAL) == 0
                     ? phys.allocation : info.capacity;
    vol_xml_facts(vol, st);
    return 0;
}

/* Why a lookup just failed: "no such file" only when the host said so. */
static const char *
why_missing(struct ne_virt *v)
{
    return lv_vol_missing(v) || lv_dir_missing(v) ? "no such file" : lv_err();
}

int
virt_dir_stat(struct ne_virt *v, const char *dir, const char *const *names, size_t n,
              struct ne_file_stat *out)
{
    virStoragePoolPtr p = pool_for_dir(v, dir, false);
    size_t i;
    int rc = 0;

    memset(out, 0, n * sizeof *out);
    if (!p) {
        if (lv_dir_missing(v)) return 0;
        ne_error("cannot list directory %s on %s: %s", dir, v->host, lv_err());
        return -1;
    }
    for (i = 0; i < n && rc == 0; i++) {
        virStorageVolPtr vol = virStorageVolLookupByName(p, names[i]);
        CLEANUP_FREE char *path = xasprintf("%s/%s", dir, names[i]);
        if (!vol && lv_vol_missing(v)) continue;
        if (!vol) {
            ne_error("cannot look for %s on %s: %s", path, v->host, lv_err());
            rc = -1;
            break;
        }
        rc = vol_stat(v, vol, path, &out[i]);
        virStorageVolFree(vol);
    }
    virStoragePoolFree(p);
    return rc;
}

int
virt_file_stat(struct ne_virt *v, const char *path, struct ne_file_stat *out)
{
    const char *slash = strrchr(path, '/');
    CLEANUP_FREE char *dir = NULL;
    const char *name;

    if (!slash || slash == path || !slash[1]) {
        ne_error("not an absolute file path: '%s'", path);
        return -1;
    }
    dir = xstrndup(path, (size_t)(slash - path));
    name = slash + 1;
    if (virt_dir_stat(v, dir, &name, 1, out) < 0) return -1;
    return out->exists ? 1 : 0;
}

/* The owner and group of the pool's directory ("" unknown): a staged
 * file belongs to whoever owns _base (nova), as Nova's own would. */
static void
pool_owner(virStoragePoolPtr p, char *owner, char *group, size_t len)
{
    char *xml = virStoragePoolGetXMLDesc(p, 0);

    owner[0] = group[0] = '\0';
    if (!xml) return;
    ne_pool_xml_owner(xml, owner, group, len);
    free(xml);
}

/* The clone's XML: same capacity, sparse (allocation 0), format, mode
 * 0644 and the directory's owner. */
static char *
clone_xml(virStoragePoolPtr p, const char *name, uint64_t capacity, const char *format)
{
    char owner[32], group[32];
    struct ne_vol_spec vs = {.name = name, .capacity = capacity, .format = format,
                             .mode = "0644", .owner = owner, .group = group};

    pool_owner(p, owner, group, sizeof owner);
    return ne_vol_xml(&vs);
}

int
virt_clone_file(struct ne_virt *v, const char *from, const char *to, const char *format,
                bool *reflinked)
{
    virStoragePoolPtr p = NULL;
    virStorageVolPtr in = vol_lookup(v, from, false, &p), out;
    virStorageVolInfo info;
    CLEANUP_FREE char *xml = NULL;
    const char *name = strrchr(to, '/');

    if (reflinked) *reflinked = false;
    if (!in || !name || virStorageVolGetInfo(in, &info) < 0) {
        ne_error("cannot clone %s on %s: %s", from, v->host, in ? lv_err() : why_missing(v));
        goto fail;
    }
    if ((out = virStorageVolLookupByName(p, name + 1))) {
        virStorageVolFree(out);
        virStorageVolFree(in);
        virStoragePoolFree(p);
        return 0;
    }
    xml = clone_xml(p, name + 1, info.capacity, format);
    /* A reflink is O(1) where the filesystem shares extents (XFS, btrfs);
     * elsewhere libvirt refuses it and removes what it created. */
    out = virStorageVolCreateXMLFrom(p, xml, in, VIR_STORAGE_VOL_CREATE_REFLINK);
    if (out && reflinked) *reflinked = true;
    if (!out) {
        ne_debug(NE_DBG_VIRT, "%s: no reflink clone of %s: %s", v->host, from, lv_err());
        out = virStorageVolCreateXMLFrom(p, xml, in, 0);
    }
    if (!out) {
        ne_error("cannot clone %s to %s on %s: %s", from, to, v->host, lv_err());
        goto fail;
    }
    virStorageVolFree(out);
    virStorageVolFree(in);
    virStoragePoolFree(p);
    return 1;
fail:
    if (in) virStorageVolFree(in);
    if (p) virStoragePoolFree(p);
    return -1;
}

int
virt_touch_file(struct ne_virt *v, const char *path)
{
    virStorageVolPtr vol = vol_lookup(v, path, false, NULL);
    struct ne_file_stat st;
    int rc = -1;

    if (!vol) {
        ne_error("cannot touch %s on %s: %s", path, v->host, why_missing(v));
        return -1;
    }
    if (vol_stat(v, vol, path, &st) == 0) {
        /* A resize to the same length is an ftruncate that changes nothing
         * but the times; only for raw files (qemu-img would rewrite a
         * qcow2 header). */
        if (!str_eq(st.format, "raw"))
            rc = 0;
        else if (virStorageVolResize(vol, st.capacity, 0) < 0)
            ne_error("cannot touch %s on %s: %s", path, v->host, lv_err());
        else
            rc = 1;
    }
    virStorageVolFree(vol);
    return rc;
}

struct hash_state {
    struct digest d;
    uint64_t done, total;
    ne_copy_progress cb;
    void *opaque;
};

static int
hash_data(virStreamPtr st, const char *buf, size_t n, void *opaque)
{
    struct hash_state *h = opaque;

    (void)st;
    digest_update(&h->d, buf, n);
    h->done += n;
    if (h->cb) h->cb(h->done, h->total, h->opaque);
    return (int)n;
}

static int
hash_hole(virStreamPtr st, long long length, void *opaque)
{
    static const char zeros[65536];
    struct hash_state *h = opaque;

    (void)st;
    while (length > 0) {
        size_t n = length > (long long)sizeof zeros ? sizeof zeros : (size_t)length;
        digest_update(&h->d, zeros, n);
        length -= (long long)n;
        h->done += n;
    }
    if (h->cb) h->cb(h->done, h->total, h->opaque);
    return 0;
}

/* Feeds one range of vol (length 0: to the end) into h. */
static int
hash_range(struct ne_virt *v, virStorageVolPtr vol, uint64_t off, uint64_t len,
           struct hash_state *h)
{
    virStreamPtr st = virStreamNew(v->conn, 0);
    const struct ne_caps *c = virt_caps(v, false);
    bool sparse = !c || c->sparse_streams;
    int rc = -1;

    if (!st) return -1;
    /* Without sparse streams the holes come as zeros: the same digest. */
    if (virStorageVolDownload(vol, st, off, len,
                              sparse ? VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM : 0) == 0 &&
        (sparse ? virStreamSparseRecvAll(st, hash_data, hash_hole, h)
                : virStreamRecvAll(st, hash_data, h)) == 0 &&
        virStreamFinish(st) == 0)
        rc = 0;
    if (rc < 0) virStreamAbort(st);
    virStreamFree(st);
    return rc;
}

int
virt_file_sha256(struct ne_virt *v, const char *path, const struct ne_range *ranges,
                 size_t nranges, ne_copy_progress cb, void *opaque, char hex[65])
{
    virStorageVolPtr vol = vol_lookup(v, path, false, NULL);
    struct hash_state *h;
    virStorageVolInfo info;
    size_t i;
    int rc = 0;

    if (!vol) {
        ne_error("cannot hash %s on %s: %s", path, v->host, why_missing(v));
        return -1;
    }
    h = xcalloc(1, sizeof *h);
    h->cb = cb;
    h->opaque = opaque;
    digest_init(&h->d, DIGEST_SHA256);
    if (virStorageVolGetInfo(vol, &info) == 0) h->total = info.capacity;
    if (nranges) h->total = 0;
    for (i = 0; i < nranges; i++) h->total += ranges[i].len;
    if (!nranges)
        rc = hash_range(v, vol, 0, 0, h);
    for (i = 0; i < nranges && rc == 0; i++)
        rc = hash_range(v, vol, ranges[i].off, ranges[i].len, h);
    if (rc < 0)
        ne_error("cannot read %s on %s to hash it: %s", path, v->host, lv_err());
    else
        digest_final_hex(&h->d, hex, 65);
    free(h);
    virStorageVolFree(vol);
    return rc;
}

struct stream_state {
    int (*sink)(const char *data, size_t len, void *opaque);
    void *opaque;
    bool stopped;
};

static int
stream_data(virStreamPtr st, const char *data, size_t n, void *opaque)
{
    struct stream_state *s = opaque;

    (void)st;
    if (s->sink(data, n, s->opaque) < 0) {
        s->stopped = true;
        return -1;
    }
    return (int)n;
}

int
virt_stream_file(struct ne_virt *v, const char *path,
                 int (*sink)(const char *data, size_t len, void *opaque), void *opaque)
{
    virStorageVolPtr vol = vol_lookup(v, path, false, NULL);
    struct stream_state s = {sink, opaque, false};
    virStreamPtr st;
    int rc = -1;

    if (!vol) {
        ne_error("cannot read %s on %s: %s", path, v->host, why_missing(v));
        return -1;
    }
    /* no sparse stream: the reader wants every byte, holes as zeros */
    st = virStreamNew(v->conn, 0);
    if (st && virStorageVolDownload(vol, st, 0, 0, 0) == 0 &&
        virStreamRecvAll(st, stream_data, &s) == 0 && virStreamFinish(st) == 0)
        rc = 0;
    if (rc < 0) {
        if (!s.stopped) ne_error("cannot read %s on %s: %s", path, v->host, lv_err());
        if (st) virStreamAbort(st);
    }
    if (st) virStreamFree(st);
    virStorageVolFree(vol);
    return rc;
}

struct read_state {
    char *buf;
    size_t len, max;
};

static int
read_sink(virStreamPtr st, const char *data, size_t n, void *opaque)
{
    struct read_state *r = opaque;

    (void)st;
    if (r->len + n > r->max) return -1;
    memcpy(r->buf + r->len, data, n);
    r->len += n;
    return (int)n;
}

int
virt_read_file(struct ne_virt *v, const char *path, size_t max, char **buf, size_t *len)
{
    virStorageVolPtr vol = vol_lookup(v, path, false, NULL);
    virStreamPtr st;
    struct read_state r = {xmalloc(max + 1), 0, max};
    int rc = -1;

    *buf = NULL;
    if (!vol) {
        bool absent = lv_vol_missing(v) || lv_dir_missing(v);
        if (!absent) ne_error("cannot read %s on %s: %s", path, v->host, lv_err());
        free(r.buf);
        return absent ? 0 : -1;
    }
    st = virStreamNew(v->conn, 0);
    if (st && virStorageVolDownload(vol, st, 0, max, 0) == 0 &&
        virStreamRecvAll(st, read_sink, &r) == 0 && virStreamFinish(st) == 0)
        rc = 1;
    if (rc < 0) {
        ne_error("cannot read %s on %s: %s", path, v->host, lv_err());
        if (st) virStreamAbort(st);
        free(r.buf);
    } else {
        r.buf[r.len] = '\0';
        *buf = r.buf;
        *len = r.len;
    }
    if (st) virStreamFree(st);
    virStorageVolFree(vol);
    return rc;
}

/* Uploads fed by the caller: whole zero blocks become holes. */
#define UP_BLOCK 65536

struct ne_vupload {
    struct ne_virt *v;
    char *path;
    virStorageVolPtr vol;
    virStreamPtr st;
    char blk[UP_BLOCK];
    size_t nblk;
    uint64_t hole;             /* zero bytes not sent yet: one hole when data follows */
    uint64_t data, holes;
    bool plain;                /* the host has no sparse streams: zeros sent as data */
};

struct ne_vupload *
virt_upload_open(struct ne_virt *v, const char *path, uint64_t capacity)
{
    struct ne_vupload *u;
    int created = virt_create_image(v, path, capacity, "raw", NULL, NULL);

    if (created <= 0) {
        if (created == 0)
            ne_error("cannot upload to %s on %s: the file already exists (not overwritten)", path,
                     v->host);
        return NULL;
    }
    u = xcalloc(1, sizeof *u);
    u->v = v;
    u->path = xstrdup(path);
    u->vol = vol_lookup(v, path, false, NULL);
    u->st = u->vol ? virStreamNew(v->conn, 0) : NULL;
    {
        const struct ne_caps *c = virt_caps(v, false);
        u->plain = c && !c->sparse_streams;
    }
    if (u->plain)
        ne_debug(NE_DBG_VIRT, "%s: upload %s over a plain stream (no sparse streams): zeros "
                 "written as data", v->host, path);
    if (!u->st ||
        virStorageVolUpload(u->vol, u->st, 0, 0,
                            u->plain ? 0 : VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM) < 0) {
        ne_error("cannot upload to %s on %s: %s", path, v->host, lv_err());
        virt_upload_close(u, false);
        return NULL;
    }
    return u;
}

static bool
all_zero(const char *b, size_t n)
{
    return n == 0 || (b[0] == 0 && memcmp(b, b + 1, n - 1) == 0);
}

/* Sends the pending hole, as one (many small holes in a row lose their
 * tail on libvirt 9.0: the file ends up short). */
static int
up_hole(struct ne_vupload *u)
{
    if (!u->hole) return 0;
    if (virStreamSendHole(u->st, (long long)u->hole, 0) < 0) return -1;
    u->holes += u->hole;
    u->hole = 0;
    return 0;
}

static int
up_flush(struct ne_vupload *u)
{
    size_t off = 0;

    if (!u->plain && all_zero(u->blk, u->nblk)) {
        u->hole += u->nblk;
    } else {
        if (up_hole(u) < 0) return -1;
        while (off < u->nblk) {
            int w = virStreamSend(u->st, u->blk + off, u->nblk - off);
            if (w < 0) return -1;
            off += (size_t)w;
        }
        u->data += u->nblk;
    }
    u->nblk = 0;
    return 0;
}

int
virt_upload_write(struct ne_vupload *u, const char *buf, size_t n)
{
    if (ne_interrupted()) {
        ne_error("upload to %s on %s: interrupted (SIGINT/SIGTERM)", u->path, u->v->host);
        return -1;
    }
    while (n > 0) {
        size_t take = UP_BLOCK - u->nblk < n ? UP_BLOCK - u->nblk : n;
        memcpy(u->blk + u->nblk, buf, take);
        u->nblk += take;
        buf += take;
        n -= take;
        if (u->nblk == UP_BLOCK && up_flush(u) < 0) {
            ne_error("upload to %s on %s failed: %s", u->path, u->v->host, lv_err());
            return -1;
        }
    }
    return 0;
}

int
virt_upload_close(struct ne_vupload *u, bool ok)
{
    int rc = 0;

    if (!u) return -1;
    if (ok && u->st && (up_flush(u) < 0 || up_hole(u) < 0 || virStreamFinish(u->st) < 0)) {
        ne_error("upload to %s on %s failed: %s", u->path, u->v->host, lv_err());
        rc = -1;
    } else if (!ok) {
        rc = -1;
        if (u->st) virStreamAbort(u->st);
    }
    if (u->st) virStreamFree(u->st);
    if (rc < 0 && u->vol && virStorageVolDelete(u->vol, 0) < 0)
        ne_warn("could not remove the partial upload %s on %s: %s", u->path, u->v->host,
                lv_err());
    if (u->vol) virStorageVolFree(u->vol);
    ne_debug(NE_DBG_VIRT, "%s: upload %s: %llu data bytes, %llu in holes, %s", u->v->host, u->path,
             (unsigned long long)u->data, (unsigned long long)u->holes, rc ? "failed" : "done");
    free(u->path);
    free(u);
    return rc;
}

int
virt_remove_file(struct ne_virt *v, const char *path)
{
    virStoragePoolPtr p = NULL;
    virStorageVolPtr vol = vol_lookup(v, path, false, &p);
    int rc;

    if (!vol) {
        rc = (p ? lv_vol_missing(v) : lv_dir_missing(v)) ? 0 : -1;
        if (rc < 0)
            ne_error("cannot remove %s on %s: %s; it may still be there", path, v->host, lv_err());
        if (p) virStoragePoolFree(p);
        return rc;
    }
    virStoragePoolFree(p);
    rc = virStorageVolDelete(vol, 0) == 0 ? 1 : -1;
    if (rc < 0)
        ne_error("cannot remove %s on %s: %s; it may still be there", path, v->host, lv_err());
    virStorageVolFree(vol);
    return rc;
}

/* A name no one else uses: the host and 128 random bits. */
static char *
marker_name(const struct ne_virt *a)
{
    unsigned long long r[2] = {0, 0};
    FILE *f = fopen("/dev/urandom", "rb");

    if (!f || fread(r, sizeof r, 1, f) != 1) {
        r[0] = (unsigned long long)(ne_now() * 1e9);
        r[1] = (unsigned long long)(uintptr_t)&r;
    }
    if (f) fclose(f);
    return xasprintf("nova-evac-shared-%.32s-%016llx%016llx.tmp", a->host, r[0], r[1]);
}

int
virt_dir_shared(struct ne_virt *a, struct ne_virt *b, const char *dir)
{
    CLEANUP_FREE char *name = marker_name(a), *path = xasprintf("%s/%s", dir, name);
    struct ne_file_stat st;
    int made, seen;

    made = virt_create_image(a, path, 4096, "raw", NULL, NULL);
    if (made != 1) {
        ne_error("cannot tell whether %s is shared between %s and %s: cannot write the marker %s "
                 "through %s%s", dir, a->host, b->host, path, a->host,
                 made == 0 ? " (it exists already)" : "");
        return -1;
    }
    seen = virt_file_stat(b, path, &st);
    if (virt_remove_file(a, path) < 0)
        ne_warn("%s: remove the marker %s by hand", a->host, path);
    if (seen < 0) {
        ne_error("cannot tell whether %s is shared between %s and %s: cannot look for the marker "
                 "through %s", dir, a->host, b->host, b->host);
        return -1;
    }
    ne_debug(NE_DBG_VIRT, "%s: marker %s written through %s %s through %s", dir, name, a->host,
             seen ? "seen" : "not seen", b->host);
    return seen;
}
