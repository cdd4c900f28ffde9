/* SPDX-License-Identifier: Apache-2.0 */
/* virt-caps.c: what a node's libvirt and QEMU offer (virt.h, struct
 * ne_caps), probed once per connection, and the parsers of the
 * capabilities XML behind it.
 *
 * How each capability is decided:
 * - migration parameters (virDomainMigrate3 and VIR_MIGRATE_PARAM_*): the
 *   daemon's own libvirt version (>= 1.1.0, where every driver gained
 *   them).  virConnectSupportsFeature(VIR_DRV_FEATURE_MIGRATION_PARAMS)
 *   would say it directly, but libvirt exports it only as a private symbol
 *   (LIBVIRT_PRIVATE_x.y.z, renamed with every release) with the enum in a
 *   private header: linking it would break on the next libvirt.  The
 *   version comes from the daemon over the connection, not from the
 *   client library, so it is the daemon's fact.
 * - sparse streams: tried.  Read-only first: the first MiB of a file
 *   already there (a base image in <instances>/_base) downloaded with
 *   VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM; a daemon without sparse
 *   streams rejects the flag.  With no such file, a caller that may write
 *   (check, drain) has a 1 MiB raw file of holes made, named after this
 *   process, downloaded (a hole must come back) and removed; a reader
 *   (inspect, plan, --dry-run) writes nothing and the version decides
 *   (>= 3.4.0), as the output says.
 * - job statistics: virDomainGetJobStats tried on a domain of the node
 *   (a domain without a job answers "none"); with no domain, the version
 *   (>= 1.0.3).
 * - machine types: the capabilities XML (every guest arch and domain type);
 *   CPU models: the domain capabilities of each domain type of the host's
 *   arch (custom mode, with QEMU's usable='yes|no').
 * [node:X] legacy = true forces the first three off, whatever is probed:
 * the fallback for a source too old to probe honestly. */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "util/log.h"
#include "util/mem.h"
#include "virt/virt-int.h"
#include "virt/virt.h"

#define LV_MIGRATION_PARAMS 1001000UL
#define LV_SPARSE_STREAMS 3004000UL
#define LV_JOB_STATS 1000003UL

static pthread_mutex_t caps_lock = PTHREAD_MUTEX_INITIALIZER;

/* ---------------------------------------------------------------- parsers */

static xmlDocPtr
read_xml(const char *xml, const char *name)
{
    return xmlReadMemory(xml, (int)strlen(xml), name, NULL,
                         XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

static xmlXPathObjectPtr
eval(xmlXPathContextPtr xp, xmlNodePtr node, const char *expr)
{
    xp->node = node;
    return xmlXPathEvalExpression((const xmlChar *)expr, xp);
}

static char *
prop(xmlNodePtr n, const char *name)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
    char *s = v && *v ? xstrdup((const char *)v) : NULL;
    xmlFree(v);
    return s;
}

static char *
text(xmlNodePtr n)
{
    xmlChar *v = xmlNodeGetContent(n);
    char *s = v && *v ? xstrdup((const char *)v) : NULL;
    xmlFree(v);
    return s;
}

static void
add_str(char ***v, size_t *n, size_t *cap, char *s)
{
    size_t i;

    if (!s) return;
    for (i = 0; i < *n; i++)
        if (strcmp((*v)[i], s) == 0) {
            free(s);
            return;
        }
    xgrow(v, cap, *n + 2, sizeof **v);
    (*v)[(*n)++] = s;
    (*v)[*n] = NULL;
}

/* Machine elements under node (text = name, canonical= the real name). */
static void
add_machines(xmlXPathContextPtr xp, xmlNodePtr node, struct ne_guest_caps *g, size_t *cap)
{
    xmlXPathObjectPtr o = eval(xp, node, "machine");
    int i;

    for (i = 0; o && o->nodesetval && i < o->nodesetval->nodeNr; i++) {
        xmlNodePtr m = o->nodesetval->nodeTab[i];
        add_str(&g->machines, &g->nmachines, cap, text(m));
        add_str(&g->machines, &g->nmachines, cap, prop(m, "canonical"));
    }
    xmlXPathFreeObject(o);
}

int
ne_caps_parse_capabilities(const char *xml, struct ne_caps *c)
{
    xmlDocPtr doc = read_xml(xml, "capabilities.xml");
    xmlXPathContextPtr xp;
    xmlXPathObjectPtr arches;
    int i, j, rc = 0;

    if (!doc) return -1;
    xp = xmlXPathNewContext(doc);
    arches = eval(xp, xmlDocGetRootElement(doc), "/capabilities/guest[os_type='hvm']/arch");
    if (!arches || !xmlDocGetRootElement(doc) ||
        strcmp((const char *)xmlDocGetRootElement(doc)->name, "capabilities") != 0)
        rc = -1;
    for (i = 0; rc == 0 && arches->nodesetval && i < arches->nodesetval->nodeNr; i++) {
        xmlNodePtr a = arches->nodesetval->nodeTab[i];
        xmlXPathObjectPtr doms = eval(xp, a, "domain");
        CLEANUP_FREE char *arch = prop(a, "name");

        for (j = 0; arch && doms && doms->nodesetval && j < doms->nodesetval->nodeNr; j++) {
            xmlNodePtr dn = doms->nodesetval->nodeTab[j];
            struct ne_guest_caps *g;
            size_t cap = 0;

            c->guests = xrealloc(c->guests, (c->nguests + 1) * sizeof *c->guests);
            g = &c->guests[c->nguests++];
            memset(g, 0, sizeof *g);
            g->arch = xstrdup(arch);
            g->virttype = prop(dn, "type");
            if (!g->virttype) g->virttype = xstrdup("qemu");
            add_machines(xp, a, g, &cap);
            add_machines(xp, dn, g, &cap);
        }
        xmlXPathFreeObject(doms);
    }
    xmlXPathFreeObject(arches);
    xmlXPathFreeContext(xp);
    xmlFreeDoc(doc);
    return rc;
}

int
ne_caps_parse_domcaps(const char *xml, struct ne_guest_caps *g)
{
    xmlDocPtr doc = read_xml(xml, "domcapabilities.xml");
    xmlXPathContextPtr xp;
    xmlXPathObjectPtr o;
    xmlNodePtr root;
    size_t cap = 0;
    int i;

    if (!doc) return -1;
    root = xmlDocGetRootElement(doc);
    if (!root || strcmp((const char *)root->name, "domainCapabilities") != 0) {
        xmlFreeDoc(doc);
        return -1;
    }
    xp = xmlXPathNewContext(doc);
    o = eval(xp, root, "/domainCapabilities/cpu/mode[@name='custom'][@supported='yes']/model");
    for (i = 0; o && o->nodesetval && i < o->nodesetval->nodeNr; i++) {
        xmlNodePtr m = o->nodesetval->nodeTab[i];
        char *name = text(m), *usable = prop(m, "usable");
        size_t before = g->ncpus;
        add_str(&g->cpus, &g->ncpus, &cap, name);
        if (g->ncpus > before) {
            g->cpu_usable = xrealloc(g->cpu_usable, g->ncpus * sizeof *g->cpu_usable);
            g->cpu_usable[g->ncpus - 1] = !usable || strcmp(usable, "no") != 0;
        }
        free(usable);
    }
    g->cpus_known = o != NULL;
    xmlXPathFreeObject(o);
    xmlXPathFreeContext(xp);
    xmlFreeDoc(doc);
    return 0;
}

static void
guest_clear(struct ne_guest_caps *g)
{
    size_t i;

    for (i = 0; i < g->nmachines; i++) free(g->machines[i]);
    for (i = 0; i < g->ncpus; i++) free(g->cpus[i]);
    free(g->machines);
    free(g->cpus);
    free(g->cpu_usable);
    free(g->arch);
    free(g->virttype);
}

void
ne_caps_clear(struct ne_caps *c)
{
    size_t i;

    for (i = 0; i < c->nguests; i++) guest_clear(&c->guests[i]);
    free(c->guests);
    memset(c, 0, sizeof *c);
}

void
lv_caps_free(struct ne_caps *c)
{
    if (!c) return;
    ne_caps_clear(c);
    free(c);
}

const struct ne_guest_caps *
ne_caps_guest(const struct ne_caps *c, const char *arch, const char *virttype)
{
    size_t i;

    for (i = 0; i < c->nguests; i++)
        if ((!arch || str_eq(c->guests[i].arch, arch)) &&
            str_eq(c->guests[i].virttype, virttype ? virttype : "qemu"))
            return &c->guests[i];
    return NULL;
}

bool
ne_caps_has_machine(const struct ne_guest_caps *g, const char *machine)
{
    size_t i;

    for (i = 0; g && machine && i < g->nmachines; i++)
        if (strcmp(g->machines[i], machine) == 0) return true;
    return false;
}

int
ne_caps_cpu_model(const struct ne_guest_caps *g, const char *model)
{
    size_t i;

    for (i = 0; g && model && i < g->ncpus; i++)
        if (strcmp(g->cpus[i], model) == 0) return g->cpu_usable[i] ? 1 : 0;
    return -1;
}

const char *
ne_caps_say(bool yes, const char *how, char *buf, size_t len)
{
    snprintf(buf, len, "%s (%s)", yes ? "yes" : "no", how ? how : "?");
    return buf;
}

/* ---------------------------------------------------------------- probes */

static int
hole_seen(virStreamPtr st, long long length, void *opaque)
{
    (void)st;
    if (length > 0) *(bool *)opaque = true;
    return 0;
}

static int
data_sink(virStreamPtr st, const char *buf, size_t n, void *opaque)
{
    (void)st;
    (void)buf;
    (void)opaque;
    return (int)n;
}

/* Downloads up to 1 MiB of vol as a sparse stream: 1 the daemon took the
 * flag and streamed (holes or not: the flag is what an old daemon
 * rejects), 0 it rejected the flag, -1 another error. */
static int
sparse_download(struct ne_virt *v, virStorageVolPtr vol, unsigned long long len)
{
    virStreamPtr st = virStreamNew(v->conn, 0);
    bool hole = false;
    int rc = -1;

    if (!st) return -1;
    if (virStorageVolDownload(vol, st, 0, len, VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM) < 0) {
        virErrorPtr e = virGetLastError();
        ne_debug(NE_DBG_VIRT, "%s: sparse download refused: %s", v->host, lv_err());
        rc = e && (e->code == VIR_ERR_INVALID_ARG || e->code == VIR_ERR_NO_SUPPORT ||
                   e->code == VIR_ERR_ARGUMENT_UNSUPPORTED) ? 0 : -1;
        virStreamAbort(st);
    } else if (virStreamSparseRecvAll(st, data_sink, hole_seen, &hole) == 0 &&
               virStreamFinish(st) == 0) {
        rc = 1;
    } else {
        virStreamAbort(st);
    }
    virStreamFree(st);
    return rc;
}

/* Read-only: a sparse download of the start of a regular file already in
 * dir (a base image in _base, usually).  -1 when dir has none. */
static int
try_sparse_read(struct ne_virt *v, const char *dir)
{
    virStoragePoolPtr p = pool_for_dir(v, dir, false);
    virStorageVolPtr *vols = NULL;
    int n, i, rc = -1;

    if (!p) return -1;
    n = virStoragePoolListAllVolumes(p, &vols, 0);
    for (i = 0; i < n; i++) {
        virStorageVolInfo info;
        if (rc < 0 && virStorageVolGetInfo(vols[i], &info) == 0 &&
            info.type == VIR_STORAGE_VOL_FILE && info.capacity > 0)
            rc = sparse_download(v, vols[i], info.capacity < 1048576 ? info.capacity : 1048576);
        virStorageVolFree(vols[i]);
    }
    free(vols);
    virStoragePoolFree(p);
    return rc;
}

/* Writes: a 1 MiB raw file of holes made for the probe, downloaded as a
 * sparse stream (a hole must come back), removed.  -1 when it cannot be
 * made. */
static int
try_sparse_write(struct ne_virt *v)
{
    virStoragePoolPtr p = pool_for_dir(v, v->cfg->instances_path, false);
    virStorageVolPtr vol = NULL;
    virStreamPtr st = NULL;
    CLEANUP_FREE char *xml = NULL;
    bool hole = false;
    int rc = -1;

    if (!p) return -1;
    xml = xasprintf("<volume><name>.nova-evac-caps-%ld</name><capacity unit='bytes'>1048576"
                    "</capacity><allocation unit='bytes'>0</allocation><target><format "
                    "type='raw'/></target></volume>", (long)getpid());
    vol = virStorageVolCreateXML(p, xml, 0);
    virStoragePoolFree(p);
    if (!vol) {
        ne_debug(NE_DBG_VIRT, "%s: sparse-stream probe: cannot create a file: %s", v->host, lv_err());
        return -1;
    }
    if ((st = virStreamNew(v->conn, 0))) {
        if (virStorageVolDownload(vol, st, 0, 0, VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM) < 0) {
            virErrorPtr e = virGetLastError();
            ne_debug(NE_DBG_VIRT, "%s: sparse download refused: %s", v->host, lv_err());
            rc = e && (e->code == VIR_ERR_INVALID_ARG || e->code == VIR_ERR_NO_SUPPORT ||
                       e->code == VIR_ERR_ARGUMENT_UNSUPPORTED) ? 0 : -1;
            virStreamAbort(st);
        } else if (virStreamSparseRecvAll(st, data_sink, hole_seen, &hole) == 0 &&
                   virStreamFinish(st) == 0) {
            rc = hole ? 1 : 0;
        } else {
            virStreamAbort(st);
        }
        virStreamFree(st);
    }
    if (virStorageVolDelete(vol, 0) < 0)
        ne_warn("sparse-stream probe: cannot remove its file .nova-evac-caps-%ld in %s on %s: %s",
                (long)getpid(), v->cfg->instances_path, v->host, lv_err());
    virStorageVolFree(vol);
    return rc;
}

/* Decides sparse streams on c: read-only first, then (may_write) with a
 * file of its own, else by version. */
static void
decide_sparse(struct ne_virt *v, struct ne_caps *c, bool may_write)
{
    CLEANUP_FREE char *base = xasprintf("%s/_base", v->cfg->instances_path);
    int r = try_sparse_read(v, base);

    if (r < 0) r = try_sparse_read(v, v->cfg->instances_path);
    if (r >= 0) {
        c->sparse_streams = r == 1;
        c->sparse_how = "tried on a base image";
        c->sparse_tried = true;
        return;
    }
    if (may_write && (r = try_sparse_write(v)) >= 0) {
        c->sparse_streams = r == 1;
        c->sparse_how = "tried on a file of its own";
        c->sparse_tried = true;
        return;
    }
    c->sparse_streams = c->libvirt_version >= LV_SPARSE_STREAMS;
    c->sparse_how = "libvirtd version; no file to try it on";
}

/* 1 job statistics work, 0 not supported, -1 could not try (no domain). */
static int
try_job_stats(struct ne_virt *v)
{
    virDomainPtr *doms = NULL;
    int nd = virConnectListAllDomains(v->conn, &doms, 0), i, rc = -1;

    if (nd > 0) {
        virTypedParameterPtr params = NULL;
        int type = 0, np = 0;
        if (virDomainGetJobStats(doms[0], &type, &params, &np, 0) == 0) {
            rc = 1;
            virTypedParamsFree(params, np);
        } else {
            /* A domain that does not run: the daemon knows the call. */
            virErrorPtr e = virGetLastError();
            rc = !e ? -1 : e->code == VIR_ERR_NO_SUPPORT ? 0
                : e->code == VIR_ERR_OPERATION_INVALID ? 1 : -1;
        }
    }
    for (i = 0; i < nd; i++) virDomainFree(doms[i]);
    free(doms);
    return rc;
}

static void
read_guests(struct ne_virt *v, struct ne_caps *c)
{
    char *xml = virConnectGetCapabilities(v->conn);
    CLEANUP_FREE char *host_arch = NULL;
    size_t i;

    if (!xml || ne_caps_parse_capabilities(xml, c) < 0) {
        ne_debug(NE_DBG_VIRT, "%s: capabilities unreadable: %s", v->host, xml ? "bad XML" : lv_err());
        free(xml);
        return;
    }
    host_arch = lv_xpath_string(xml, "capabilities.xml", "string(/capabilities/host/cpu/arch)");
    free(xml);
    for (i = 0; i < c->nguests; i++) {
        struct ne_guest_caps *g = &c->guests[i];
        char *dxml;
        if (host_arch && !str_eq(g->arch, host_arch)) continue;
        dxml = virConnectGetDomainCapabilities(v->conn, NULL, g->arch, NULL, g->virttype, 0);
        if (!dxml || ne_caps_parse_domcaps(dxml, g) < 0)
            ne_debug(NE_DBG_VIRT, "%s: domain capabilities of %s/%s unreadable: %s", v->host,
                     g->arch, g->virttype, dxml ? "bad XML" : lv_err());
        free(dxml);
    }
}

static struct ne_caps *
probe(struct ne_virt *v, bool may_write)
{
    struct ne_caps *c = xcalloc(1, sizeof *c);
    int r;

    if (virConnectGetLibVersion(v->conn, &c->libvirt_version) < 0 ||
        virConnectGetVersion(v->conn, &c->qemu_version) < 0) {
        ne_error("cannot read the versions of %s (%s): %s", v->host, v->uri, lv_err());
        free(c);
        return NULL;
    }
    read_guests(v, c);
    if ((c->legacy = ne_node_legacy(v->cfg, v->host))) {
        c->params_how = c->sparse_how = c->stats_how = "legacy = true in the configuration";
        return c;
    }
    c->migration_params = c->libvirt_version >= LV_MIGRATION_PARAMS;
    c->params_how = "libvirtd version";
    decide_sparse(v, c, may_write);
    if ((r = try_job_stats(v)) >= 0) {
        c->job_stats = r == 1;
        c->stats_how = "tried";
    } else {
        c->job_stats = c->libvirt_version >= LV_JOB_STATS;
        c->stats_how = "libvirtd version; no domain to try";
    }
    return c;
}

const struct ne_caps *
virt_caps(struct ne_virt *v, bool may_write)
{
    struct ne_caps *c;

    pthread_mutex_lock(&caps_lock);
    if (!v->caps)
        v->caps = probe(v, may_write);
    else if (may_write && !v->caps->legacy && !v->caps->sparse_tried)
        decide_sparse(v, v->caps, true); /* a writer may now try what a reader could not */
    c = v->caps;
    pthread_mutex_unlock(&caps_lock);
    return c;
}

/* ---------------------------------------------------------------- checks */

int
virt_nwfilter_exists(struct ne_virt *v, const char *name)
{
    virNWFilterPtr f = virNWFilterLookupByName(v->conn, name);
    virErrorPtr e;

    if (f) {
        virNWFilterFree(f);
        return 1;
    }
    e = virGetLastError();
    return e && e->code == VIR_ERR_NO_NWFILTER && lv_conn_alive(v) ? 0 : -1;
}

int
virt_cpu_verdict(struct ne_virt *dst, const struct ne_domain *d, const char *xml, char **alt,
                 char *why, size_t len)
{
    CLEANUP_FREE char *cpu = lv_cpu_element(xml);
    const char *cpus[1];
    char *base;
    int r;

    *alt = NULL;
    r = virConnectCompareHypervisorCPU(dst->conn, NULL, d->arch, d->machine, d->type, cpu, 0);
    /* A daemon older than 4.4 has only the host CPU to compare with. */
    if (r == VIR_CPU_COMPARE_ERROR) r = virConnectCompareCPU(dst->conn, cpu, 0);
    if (r == VIR_CPU_COMPARE_IDENTICAL || r == VIR_CPU_COMPARE_SUPERSET) return 1;
    if (r == VIR_CPU_COMPARE_INCOMPATIBLE) {
        snprintf(why, len, "libvirt on %s compares it as incompatible with what its QEMU "
                 "offers", dst->host);
        return 0;
    }
    /* Comparing failed (a model this libvirt does not compare, an old
     * daemon): the baseline of the guest's CPU on dst says what dst can
     * give instead. */
    ne_debug(NE_DBG_VIRT, "%s: CPU comparison for %s failed: %s", dst->host, d->name, lv_err());
    cpus[0] = cpu;
    base = virConnectBaselineHypervisorCPU(dst->conn, NULL, d->arch, d->machine, d->type, cpus, 1, 0);
    if (!base) {
        snprintf(why, len, "neither comparing nor a baseline works on %s: %s", dst->host, lv_err());
        return -1;
    }
    *alt = lv_xpath_string(base, "baseline.xml", "string(/cpu/model)");
    free(base);
    if (*alt && d->cpu_model && strcmp(*alt, d->cpu_model) == 0) return 1;
    snprintf(why, len, "comparing failed on %s and its baseline of this CPU is %s", dst->host,
             *alt ? *alt : "no named model");
    return 0;
}

int
virt_probe_tcp(const char *addr, unsigned port, char *why, size_t len)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai = NULL;
    char portstr[16];
    int fd, r, err = 0;
    socklen_t el = sizeof err;
    struct pollfd pfd;

    snprintf(portstr, sizeof portstr, "%u", port);
    if ((r = getaddrinfo(addr, portstr, &hints, &ai)) != 0) {
        snprintf(why, len, "cannot resolve %s: %s", addr, gai_strerror(r));
        return -1;
    }
    fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        freeaddrinfo(ai);
        snprintf(why, len, "socket: %s", strerror(errno));
        return -1;
    }
    r = connect(fd, ai->ai_addr, ai->ai_addrlen);
    freeaddrinfo(ai);
    if (r < 0 && errno == EINPROGRESS) {
        pfd = (struct pollfd){.fd = fd, .events = POLLOUT};
        r = poll(&pfd, 1, 3000);
        if (r == 0) {
            close(fd);
            snprintf(why, len, "no answer from %s port %u within 3 s", addr, port);
            return -1;
        }
        if (r > 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) == 0 && err == 0) r = 0;
        else r = -1, errno = err ? err : errno;
    }
    err = errno;
    close(fd);
    if (r < 0) {
        snprintf(why, len, "%s port %u: %s", addr, port, strerror(err));
        return err == ECONNREFUSED ? 0 : -1;
    }
    snprintf(why, len, "%s port %u: connected", addr, port);
    return 1;
}

int
virt_probe_tcp_noauth(const char *addr, unsigned port, char *why, size_t len)
{
    CLEANUP_FREE char *uri = NULL;
    virConnectPtr c;
    int r = virt_probe_tcp(addr, port, why, len);

    if (r <= 0) return r;
    /* Something listens: does libvirtd let us in without credentials? */
    uri = xasprintf(strchr(addr, ':') ? "qemu+tcp://[%s]:%u/system" : "qemu+tcp://%s:%u/system",
                    addr, port);
    c = virConnectOpen(uri);
    if (!c) {
        snprintf(why, len, "%s refused an unauthenticated connection: %s", uri, lv_err());
        return 0;
    }
    virConnectClose(c);
    snprintf(why, len, "%s accepted a read-write connection without any credentials", uri);
    return 1;
}
