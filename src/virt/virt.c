/* SPDX-License-Identifier: Apache-2.0 */
/* virt.c: see virt.h: domains, host facts, free space, network filters,
 * jobs and CPU checks on one connection. */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "util/log.h"
#include "util/mem.h"
#include "virt/virt-int.h"
#include "virt/virt.h"

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

int
virt_node_cpu_times(struct ne_virt *v, uint64_t *busy_ns, uint64_t *total_ns)
{
    virNodeCPUStatsPtr p;
    int n = 0, i;
    uint64_t busy = 0, idle = 0;

    if (virNodeGetCPUStats(v->conn, VIR_NODE_CPU_STATS_ALL_CPUS, NULL, &n, 0) < 0 || n <= 0) {
        ne_debug(NE_DBG_VIRT, "%s: no node CPU stats: %s", v->host, lv_err());
        return -1;
    }
    p = xcalloc((size_t)n, sizeof *p);
    if (virNodeGetCPUStats(v->conn, VIR_NODE_CPU_STATS_ALL_CPUS, p, &n, 0) < 0) {
        ne_debug(NE_DBG_VIRT, "%s: no node CPU stats: %s", v->host, lv_err());
        free(p);
        return -1;
    }
    for (i = 0; i < n; i++) {
        if (strcmp(p[i].field, VIR_NODE_CPU_STATS_IDLE) == 0 ||
            strcmp(p[i].field, VIR_NODE_CPU_STATS_IOWAIT) == 0)
            idle += p[i].value;
        else if (strcmp(p[i].field, VIR_NODE_CPU_STATS_KERNEL) == 0 ||
                 strcmp(p[i].field, VIR_NODE_CPU_STATS_USER) == 0)
            busy += p[i].value;
    }
    free(p);
    *busy_ns = busy;
    *total_ns = busy + idle;
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

    if ((nd = lv_list_all(v, &doms)) < 0) return -1;
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


virDomainPtr
dom_lookup(struct ne_virt *v, const char *key)
{
    virDomainPtr dom = NULL;

    if (strlen(key) == 36) dom = virDomainLookupByUUIDString(v->conn, key);
    if (!dom) dom = virDomainLookupByName(v->conn, key);
    return dom;
}

static bool
no_domain(void)
{
    virErrorPtr e = virGetLastError();
    return !e || e->code == VIR_ERR_NO_DOMAIN || e->code == VIR_ERR_INVALID_ARG;
}

int
virt_domain_state(struct ne_virt *v, const char *key, int *state, bool *persistent)
{
    virDomainPtr dom = dom_lookup(v, key);
    int st, reason;

    if (!dom) {
        if (no_domain()) return 0;
        ne_error("cannot look up domain %s on %s: %s", key, v->host, lv_err());
        return -1;
    }
    if (virDomainGetState(dom, &st, &reason, 0) < 0) {
        ne_error("cannot read the state of %s on %s: %s", key, v->host, lv_err());
        virDomainFree(dom);
        return -1;
    }
    if (state) *state = st;
    if (persistent) *persistent = virDomainIsPersistent(dom) == 1;
    virDomainFree(dom);
    return 1;
}

char *
virt_domain_xml(struct ne_virt *v, const char *key, bool inactive)
{
    virDomainPtr dom = dom_lookup(v, key);
    char *xml;

    if (!dom) {
        ne_error("domain %s not found on %s", key, v->host);
        return NULL;
    }
    xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_SECURE | (inactive ? VIR_DOMAIN_XML_INACTIVE : 0));
    if (!xml) ne_error("cannot read the XML of %s on %s: %s", key, v->host, lv_err());
    virDomainFree(dom);
    return xml;
}

int
virt_define(struct ne_virt *v, const char *xml, const char *name)
{
    virDomainPtr dom = virDomainDefineXML(v->conn, xml);

    if (!dom) {
        ne_error("cannot define %s on %s: %s", name, v->host, lv_err());
        return -1;
    }
    virDomainFree(dom);
    return 0;
}

int
virt_start(struct ne_virt *v, const char *key)
{
    virDomainPtr dom = dom_lookup(v, key);
    int rc = 0;

    if (!dom || virDomainCreate(dom) < 0) {
        ne_error("cannot start %s on %s: %s", key, v->host, lv_err());
        rc = -1;
    }
    if (dom) virDomainFree(dom);
    return rc;
}

int
virt_stop(struct ne_virt *v, const char *key, unsigned timeout_s)
{
    virDomainPtr dom = dom_lookup(v, key);
    int st = 0, reason;
    unsigned waited;

    if (!dom) {
        ne_error("cannot stop %s on %s: %s", key, v->host, lv_err());
        return -1;
    }
    if (timeout_s > 0 && virDomainShutdown(dom) == 0) {
        for (waited = 0; waited < timeout_s * 10; waited++) {
            if (virDomainGetState(dom, &st, &reason, 0) == 0 && st == VIR_DOMAIN_SHUTOFF) break;
            usleep(100000);
        }
    }
    if (virDomainGetState(dom, &st, &reason, 0) == 0 && st != VIR_DOMAIN_SHUTOFF) {
        if (timeout_s > 0)
            ne_info("%s on %s did not shut down within %u s; powering it off", key, v->host,
                    timeout_s);
        if (virDomainDestroy(dom) < 0) {
            ne_error("cannot power off %s on %s: %s", key, v->host, lv_err());
            virDomainFree(dom);
            return -1;
        }
    }
    virDomainFree(dom);
    return 0;
}

int
virt_undefine(struct ne_virt *v, const char *key)
{
    virDomainPtr dom = dom_lookup(v, key);
    int rc = 0;

    if (!dom) return no_domain() ? 0 : -1;
    if (virDomainUndefineFlags(dom, VIR_DOMAIN_UNDEFINE_MANAGED_SAVE |
                                        VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA |
                                        VIR_DOMAIN_UNDEFINE_NVRAM) < 0 &&
        virDomainUndefine(dom) < 0) {
        ne_error("cannot undefine %s on %s: %s", key, v->host, lv_err());
        rc = -1;
    }
    virDomainFree(dom);
    return rc;
}

/* Names of the filters a filter's XML references (<filterref filter=...>). */
static size_t
filter_refs(const char *xml, char ***out)
{
    const char *p = xml;
    char **v = NULL;
    size_t n = 0, cap = 0;

    while ((p = strstr(p, "<filterref filter="))) {
        char q;
        const char *e;
        p += strlen("<filterref filter=");
        q = *p++;
        e = strchr(p, q);
        if (!e) break;
        xgrow(&v, &cap, n + 2, sizeof *v);
        v[n++] = xstrndup(p, (size_t)(e - p));
        p = e;
    }
    *out = v;
    return n;
}

static int
ensure_filter(struct ne_virt *src, struct ne_virt *dst, const char *name, int depth, int *defined)
{
    virNWFilterPtr f = virNWFilterLookupByName(dst->conn, name), sf;
    CLEANUP_FREE char *xml = NULL;
    char **refs = NULL;
    size_t i, nrefs;
    int rc = 0;

    if (f) {
        virNWFilterFree(f);
        return 0;
    }
    if (depth > 8) {
        ne_error("nwfilter %s: references nested too deep", name);
        return -1;
    }
    sf = virNWFilterLookupByName(src->conn, name);
    if (!sf || !(xml = virNWFilterGetXMLDesc(sf, 0))) {
        ne_error("network filter %s is missing on %s and cannot be read from %s: %s", name,
                 dst->host, src->host, lv_err());
        if (sf) virNWFilterFree(sf);
        return -1;
    }
    virNWFilterFree(sf);
    nrefs = filter_refs(xml, &refs);
    for (i = 0; i < nrefs && rc == 0; i++) rc = ensure_filter(src, dst, refs[i], depth + 1, defined);
    for (i = 0; i < nrefs; i++) free(refs[i]);
    free(refs);
    if (rc < 0) return -1;
    f = virNWFilterDefineXML(dst->conn, xml);
    if (!f) {
        ne_error("cannot define network filter %s on %s: %s", name, dst->host, lv_err());
        return -1;
    }
    virNWFilterFree(f);
    ne_info("defined network filter %s on %s (copied from %s)", name, dst->host, src->host);
    (*defined)++;
    return 0;
}

int
virt_ensure_nwfilters(struct ne_virt *src, struct ne_virt *dst, char *const *names, size_t n)
{
    size_t i;
    int defined = 0;

    for (i = 0; i < n; i++)
        if (ensure_filter(src, dst, names[i], 0, &defined) < 0) return -1;
    return defined;
}

int
virt_dir_free(struct ne_virt *v, const char *dir, uint64_t *avail)
{
    virStoragePoolPtr p = pool_for_dir(v, dir, false);
    virStoragePoolInfo info;
    int rc = 0;

    if (!p) {
        ne_error("cannot read free space of %s on %s: %s", dir, v->host, lv_err());
        return -1;
    }
    if (virStoragePoolGetInfo(p, &info) < 0) {
        ne_error("cannot read free space of %s on %s: %s", dir, v->host, lv_err());
        rc = -1;
    } else {
        *avail = info.available;
    }
    virStoragePoolFree(p);
    return rc;
}

int
virt_job_active(struct ne_virt *v, const char *key)
{
    struct ne_job_progress p;

    return virt_job_progress(v, key, &p);
}

int
virt_job_progress(struct ne_virt *v, const char *key, struct ne_job_progress *out)
{
    virDomainPtr dom = dom_lookup(v, key);
    virDomainJobInfo info;
    int rc;

    memset(out, 0, sizeof *out);
    if (!dom) return 0;
    rc = virDomainGetJobInfo(dom, &info) == 0 && info.type != VIR_DOMAIN_JOB_NONE;
    if (rc) {
        out->data_total = info.dataTotal;
        out->data_processed = info.dataProcessed;
        out->mem_total = info.memTotal;
        out->mem_processed = info.memProcessed;
        out->disk_total = info.fileTotal;
        out->disk_processed = info.fileProcessed;
        out->elapsed_s = (double)info.timeElapsed / 1000.0;
    }
    virDomainFree(dom);
    return rc;
}

/* The <cpu>...</cpu> element of a domain XML, or NULL (newly allocated). */
char *
lv_cpu_element(const char *xml)
{
    const char *s = strstr(xml, "<cpu"), *e;

    if (!s || (s[4] != ' ' && s[4] != '>' && s[4] != '/')) return NULL;
    e = strstr(s, "</cpu>");
    if (e) return xstrndup(s, (size_t)(e + 6 - s));
    e = strstr(s, "/>");
    return e ? xstrndup(s, (size_t)(e + 2 - s)) : NULL;
}

int
virt_cpu_compatible(struct ne_virt *src, struct ne_virt *dst, const char *key)
{
    CLEANUP_FREE char *xml = virt_domain_xml(src, key, true);
    CLEANUP_FREE char *cpu = xml ? lv_cpu_element(xml) : NULL;
    int r;

    if (!xml) return -1;
    /* No CPU model (QEMU default) or host-passthrough/host-model: libvirt
     * checks at migration time; only a named model can be compared here. */
    if (!cpu || !strstr(cpu, "<model")) return 1;
    /* check='none': libvirt itself does not check; neither do we. */
    if (strstr(cpu, "check='none'") || strstr(cpu, "check=\"none\"")) return 1;
    /* What QEMU can give on dst, not the bare host CPU (libvirt >= 4.4). */
    r = virConnectCompareHypervisorCPU(dst->conn, NULL, NULL, NULL, NULL, cpu, 0);
    if (r == VIR_CPU_COMPARE_ERROR) r = virConnectCompareCPU(dst->conn, cpu, 0);
    if (r == VIR_CPU_COMPARE_ERROR) {
        ne_debug(NE_DBG_VIRT, "%s: CPU comparison for %s failed: %s", dst->host, key, lv_err());
        return 1;
    }
    return r != VIR_CPU_COMPARE_INCOMPATIBLE;
}
