/* virt.c: see virt.h.  The only file including libvirt headers. */
#include <config.h>

#include <string.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "util/log.h"
#include "util/mem.h"
#include "util/sha1.h"
#include "virt.h"

struct ne_virt {
    virConnectPtr conn;
    char *host;
    char *uri;
    const struct ne_config *cfg;
    char **pools;  /* transient pools this process created (destroyed on close) */
    size_t npools, cappools;
};

static void
silent(void *data, virErrorPtr err)
{
    (void)data;
    (void)err;
}

static const char *
lv_err(void)
{
    const char *m = virGetLastErrorMessage();
    return m ? m : "unknown libvirt error";
}

struct ne_virt *
virt_open(const struct ne_config *cfg, const char *host)
{
    struct ne_virt *v;

    if (ne_check_hostname(host) < 0) return NULL;
    virSetErrorFunc(NULL, silent);
    v = xcalloc(1, sizeof *v);
    v->host = xstrdup(host);
    v->uri = ne_node_uri(cfg, host);
    v->cfg = cfg;
    ne_debug(NE_DBG_VIRT, "connecting to %s at %s", host, v->uri);
    v->conn = virConnectOpen(v->uri);
    if (!v->conn) {
        ne_error("cannot connect to libvirt on host %s (%s): %s", host, v->uri, lv_err());
        virt_close(v);
        return NULL;
    }
    /* Notice a dead peer within ~30 s instead of hanging forever. */
    if (virConnectSetKeepAlive(v->conn, 5, 6) < 0)
        ne_debug(NE_DBG_VIRT, "%s: keepalive not supported: %s", host, lv_err());
    return v;
}

void
virt_close(struct ne_virt *v)
{
    size_t i;

    if (!v) return;
    for (i = 0; i < v->npools; i++) {
        virStoragePoolPtr p = v->conn ? virStoragePoolLookupByName(v->conn, v->pools[i]) : NULL;
        if (p) {
            virStoragePoolDestroy(p);
            virStoragePoolFree(p);
        }
        free(v->pools[i]);
    }
    free(v->pools);
    if (v->conn) virConnectClose(v->conn);
    free(v->host);
    free(v->uri);
    free(v);
}

const char *virt_host(const struct ne_virt *v) { return v->host; }
const char *virt_uri(const struct ne_virt *v) { return v->uri; }
const struct ne_config *virt_config(const struct ne_virt *v) { return v->cfg; }

const char *
ne_version_str(unsigned long v, char *buf, size_t len)
{
    snprintf(buf, len, "%lu.%lu.%lu", v / 1000000, v / 1000 % 1000, v % 1000);
    return buf;
}

int
virt_hostinfo(struct ne_virt *v, struct ne_hostinfo *out)
{
    virNodeInfo ni;
    unsigned long long free_bytes;
    char *hn;

    memset(out, 0, sizeof *out);
    if (virConnectGetLibVersion(v->conn, &out->libvirt_version) < 0 ||
        virConnectGetVersion(v->conn, &out->hv_version) < 0 || virNodeGetInfo(v->conn, &ni) < 0) {
        ne_error("cannot read host facts of %s (%s): %s", v->host, v->uri, lv_err());
        return -1;
    }
    hn = virConnectGetHostname(v->conn);
    out->hostname = xstrdup(hn ? hn : v->host);
    free(hn);
    out->memory_kib = ni.memory;
    out->cpus = ni.cpus;
    free_bytes = virNodeGetFreeMemory(v->conn);
    out->free_kib = free_bytes / 1024;
    return 0;
}

void
ne_hostinfo_clear(struct ne_hostinfo *h)
{
    free(h->hostname);
    memset(h, 0, sizeof *h);
}

static struct ne_domain *
describe(struct ne_virt *v, virDomainPtr dom)
{
    char *xml = virDomainGetXMLDesc(dom, 0);
    struct ne_domain *d;
    int state, reason;
    CLEANUP_FREE char *origin = NULL;

    if (!xml) {
        ne_error("cannot read the XML of domain %s on %s: %s", virDomainGetName(dom), v->host,
                 lv_err());
        return NULL;
    }
    origin = xasprintf("host %s, domain %s", v->host, virDomainGetName(dom));
    d = ne_domain_parse(xml, origin);
    free(xml);
    if (!d) return NULL;
    if (virDomainGetState(dom, &state, &reason, 0) == 0) d->state = state;
    d->persistent = virDomainIsPersistent(dom) == 1;
    ne_domain_classify(d, v->cfg->instances_path, v->cfg->shared_instances);
    return d;
}

int
virt_list_domains(struct ne_virt *v, struct ne_domain ***out, size_t *n)
{
    virDomainPtr *doms = NULL;
    int nd, i;
    struct ne_domain **res;
    size_t k = 0;

    nd = virConnectListAllDomains(v->conn, &doms, 0);
    if (nd < 0) {
        ne_error("cannot list domains on %s (%s): %s", v->host, v->uri, lv_err());
        return -1;
    }
    res = xcalloc((size_t)nd + 1, sizeof *res);
    for (i = 0; i < nd; i++) {
        struct ne_domain *d = describe(v, doms[i]);
        if (d) {
            virt_fill_disks(v, d);
            res[k++] = d;
        }
        virDomainFree(doms[i]);
    }
    free(doms);
    *out = res;
    *n = k;
    return 0;
}

int
virt_find_domain(struct ne_virt *v, const char *key, struct ne_domain **out)
{
    virDomainPtr dom = NULL;

    if (strlen(key) == 36) dom = virDomainLookupByUUIDString(v->conn, key);
    if (!dom) dom = virDomainLookupByName(v->conn, key);
    if (!dom) {
        virErrorPtr e = virGetLastError();
        if (e && e->code != VIR_ERR_NO_DOMAIN && e->code != VIR_ERR_INVALID_ARG) {
            ne_error("cannot look up domain %s on %s: %s", key, v->host, lv_err());
            return -1;
        }
        return 0;
    }
    *out = describe(v, dom);
    if (*out) virt_fill_disks(v, *out);
    virDomainFree(dom);
    return *out ? 1 : -1;
}

/* The storage pool whose target is dir: found, or created transient. */
static virStoragePoolPtr
pool_for_dir(struct ne_virt *v, const char *dir)
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
    p = virStoragePoolCreateXML(v->conn, xml, 0);
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
    p = pool_for_dir(v, dir);
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
