/* virt-storage.c: files on a node, through libvirt storage pools: facts
 * (size, backing file), creation of overlays, deletion and sparse-aware
 * copies between nodes over the libvirt connections (no ssh, no rsync).
 * virt-files.c adds clones, touches, hashes, small reads and uploads. */
#include <config.h>

#include <string.h>

#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "util/log.h"
#include "util/mem.h"
#include "util/sha1.h"
#include "virt-int.h"

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
    xml = xasprintf("<pool type='dir'><name>%s</name><target><path>%s</path></target></pool>",
                    name, dir);
    p = virStoragePoolCreateXML(v->conn, xml, build ? VIR_STORAGE_POOL_CREATE_WITH_BUILD : 0);
    if (!p) return NULL;
    xgrow(&v->pools, &v->cappools, v->npools + 1, sizeof *v->pools);
    v->pools[v->npools++] = xstrdup(name);
    ne_debug(NE_DBG_VIRT, "%s: transient pool %s for %s", v->host, name, dir);
    return p;
}

static char *
vol_backing(const char *xml)
{
    xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "vol.xml", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    xmlXPathContextPtr xp;
    xmlXPathObjectPtr o;
    char *ret = NULL;

    if (!doc) return NULL;
    xp = xmlXPathNewContext(doc);
    o = xmlXPathEvalExpression((const xmlChar *)"string(/volume/backingStore/path)", xp);
    if (o && o->stringval && *o->stringval) ret = xstrdup((const char *)o->stringval);
    xmlXPathFreeObject(o);
    xmlXPathFreeContext(xp);
    xmlFreeDoc(doc);
    return ret;
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
        virErrorPtr e = virGetLastError();
        /* A missing directory means a missing file. */
        if (e && (e->code == VIR_ERR_NO_STORAGE_POOL || e->code == VIR_ERR_INTERNAL_ERROR ||
                  e->code == VIR_ERR_OPERATION_INVALID || e->code == VIR_ERR_SYSTEM_ERROR)) {
            ne_debug(NE_DBG_VIRT, "%s: no pool for %s: %s", v->host, dir, lv_err());
            return 0;
        }
        ne_error("cannot inspect directory %s on %s: %s", dir, v->host, lv_err());
        return -1;
    }
    vol = virStorageVolLookupByName(p, slash + 1);
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
        *backing = xml ? vol_backing(xml) : NULL;
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
    CLEANUP_FREE char *xml = NULL, *bxml = NULL;

    if (vol) {
        virStorageVolFree(vol);
        virStoragePoolFree(p);
        return 0;
    }
    if (!p) {
        ne_error("cannot create %s on %s: %s", path, v->host, lv_err());
        return -1;
    }
    if (backing)
        bxml = xasprintf("<backingStore><path>%s</path><format type='%s'/></backingStore>", backing,
                         backing_format ? backing_format : "raw");
    xml = xasprintf("<volume><name>%s</name><capacity unit='bytes'>%llu</capacity>"
                    "<allocation unit='bytes'>0</allocation><target><format type='%s'/></target>"
                    "%s</volume>",
                    base, (unsigned long long)capacity, format ? format : "raw", bxml ? bxml : "");
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

    if (!vol) return 0;
    if (virStorageVolDelete(vol, 0) < 0) {
        ne_error("cannot delete %s on %s: %s", path, v->host, lv_err());
        rc = -1;
    }
    virStorageVolFree(vol);
    return rc;
}

struct copy_state {
    virStreamPtr out;
    uint64_t done, total, data;
    ne_copy_progress cb;
    void *opaque;
};

static int
sink_data(virStreamPtr st, const char *buf, size_t n, void *opaque)
{
    struct copy_state *c = opaque;
    size_t off = 0;

    (void)st;
    while (off < n) {
        int w = virStreamSend(c->out, buf + off, n - off);
        if (w < 0) return -1;
        off += (size_t)w;
    }
    c->done += n;
    c->data += n;
    if (c->cb) c->cb(c->done, c->total, c->opaque);
    return (int)n;
}

static int
sink_hole(virStreamPtr st, long long length, void *opaque)
{
    struct copy_state *c = opaque;

    (void)st;
    if (virStreamSendHole(c->out, length, 0) < 0) return -1;
    c->done += (uint64_t)length;
    if (c->cb) c->cb(c->done, c->total, c->opaque);
    return 0;
}

/* The stream part of a copy: src volume -> dst volume, sparse. */
static int
stream_copy(struct ne_virt *src, virStorageVolPtr svol, struct ne_virt *dst,
            virStorageVolPtr dvol, struct copy_state *c)
{
    virStreamPtr in = virStreamNew(src->conn, 0);
    int rc = -1;

    c->out = virStreamNew(dst->conn, 0);
    if (!in || !c->out) goto out;
    if (virStorageVolDownload(svol, in, 0, 0, VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM) < 0 ||
        virStorageVolUpload(dvol, c->out, 0, 0, VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM) < 0)
        goto out;
    if (virStreamSparseRecvAll(in, sink_data, sink_hole, c) < 0) goto out;
    if (virStreamFinish(in) < 0 || virStreamFinish(c->out) < 0) goto out;
    rc = 0;
out:
    if (rc < 0) {
        if (in) virStreamAbort(in);
        if (c->out) virStreamAbort(c->out);
    }
    if (in) virStreamFree(in);
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
    if (virStorageVolGetInfoFlags(svol, &info, VIR_STORAGE_VOL_GET_PHYSICAL) < 0 &&
        virStorageVolGetInfo(svol, &info) < 0) {
        ne_error("cannot stat %s on %s: %s", src_path, src->host, lv_err());
        virStorageVolFree(svol);
        return -1;
    }
    /* With GET_PHYSICAL, allocation holds the file's length. */
    c.total = info.allocation > info.capacity ? info.allocation : info.capacity;
    created = virt_create_image(dst, dst_path, c.total, "raw", NULL, NULL);
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
        ne_error("copy of %s from %s to %s failed: %s", src_path, src->host, dst->host, lv_err());
        if (dvol) virStorageVolDelete(dvol, 0);
    }
    if (dvol) virStorageVolFree(dvol);
    virStorageVolFree(svol);
    if (copied) *copied = c.data;
    return rc;
}
