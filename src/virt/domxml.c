/* SPDX-License-Identifier: Apache-2.0 */
/* domxml.c: libvirt domain XML -> struct ne_domain (libxml2, no network,
 * no entity expansion), and the image id in Nova's metadata.  Pure: no
 * libvirt connection needed. */
#include <config.h>

#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "model/domain.h"
#include "util/log.h"
#include "util/mem.h"
#include "virt/virt-int.h"

/* Attribute of the first node matching expr relative to ctx, or NULL.
 * Returns a newly allocated string. */
static char *
xp_str(xmlXPathContextPtr xp, xmlNodePtr node, const char *expr)
{
    xmlXPathObjectPtr o;
    char *ret = NULL;

    xp->node = node;
    o = xmlXPathEvalExpression((const xmlChar *)expr, xp);
    if (!o) return NULL;
    if (o->type == XPATH_STRING && o->stringval && *o->stringval)
        ret = xstrdup((const char *)o->stringval);
    xmlXPathFreeObject(o);
    return ret;
}

static bool
xp_exists(xmlXPathContextPtr xp, xmlNodePtr node, const char *expr)
{
    xmlXPathObjectPtr o;
    bool ret;

    xp->node = node;
    o = xmlXPathEvalExpression((const xmlChar *)expr, xp);
    ret = o && o->nodesetval && o->nodesetval->nodeNr > 0;
    xmlXPathFreeObject(o);
    return ret;
}

static uint64_t
to_kib(const char *value, const char *unit)
{
    unsigned long long v;

    if (parse_u64(value, &v) < 0) return 0;
    if (!unit || !strcmp(unit, "KiB") || !strcmp(unit, "k")) return v;
    if (!strcmp(unit, "MiB") || !strcmp(unit, "M")) return v * 1024;
    if (!strcmp(unit, "GiB") || !strcmp(unit, "G")) return v * 1024 * 1024;
    if (!strcmp(unit, "b") || !strcmp(unit, "bytes")) return v / 1024;
    if (!strcmp(unit, "KB")) return v * 1000 / 1024;
    if (!strcmp(unit, "MB")) return v * 1000000 / 1024;
    return v;
}

static void
parse_disk(xmlXPathContextPtr xp, xmlNodePtr n, struct ne_disk *d)
{
    d->type = xp_str(xp, n, "string(@type)");
    d->device = xp_str(xp, n, "string(@device)");
    d->format = xp_str(xp, n, "string(driver/@type)");
    d->target = xp_str(xp, n, "string(target/@dev)");
    d->protocol = xp_str(xp, n, "string(source/@protocol)");
    if (d->protocol)
        d->source = xp_str(xp, n, "string(source/@name)");
    else if (str_eq(d->type, "block"))
        d->source = xp_str(xp, n, "string(source/@dev)");
    else if (str_eq(d->type, "volume"))
        d->source = xp_str(xp, n, "concat(source/@pool, '/', source/@volume)");
    else
        d->source = xp_str(xp, n, "string(source/@file)");
    d->backing = xp_str(xp, n, "string(backingStore/source/@file)");
    if (!d->backing) d->backing = xp_str(xp, n, "string(backingStore/source/@dev)");
    d->backing_format = xp_str(xp, n, "string(backingStore/format/@type)");
    d->shareable = xp_exists(xp, n, "shareable");
    d->readonly = xp_exists(xp, n, "readonly");
    d->base_present = -1;
}

static int
parse_devices(xmlXPathContextPtr xp, struct ne_domain *d)
{
    xmlXPathObjectPtr o;
    int i;

    xp->node = xmlDocGetRootElement(xp->doc);
    o = xmlXPathEvalExpression((const xmlChar *)"devices/disk", xp);
    if (!o) return -1;
    if (o->nodesetval && o->nodesetval->nodeNr > 0) {
        d->ndisks = (size_t)o->nodesetval->nodeNr;
        d->disks = xcalloc(d->ndisks, sizeof *d->disks);
        for (i = 0; i < o->nodesetval->nodeNr; i++)
            parse_disk(xp, o->nodesetval->nodeTab[i], &d->disks[i]);
    }
    xmlXPathFreeObject(o);

    xp->node = xmlDocGetRootElement(xp->doc);
    d->has_interfaces = xp_exists(xp, xp->node, "devices/interface");
    o = xmlXPathEvalExpression((const xmlChar *)"devices/interface/filterref", xp);
    if (!o) return -1;
    d->nwfilters = xcalloc((size_t)(o->nodesetval ? o->nodesetval->nodeNr : 0) + 1,
                           sizeof *d->nwfilters);
    for (i = 0; o->nodesetval && i < o->nodesetval->nodeNr; i++) {
        char *f = xp_str(xp, o->nodesetval->nodeTab[i], "string(@filter)");
        if (f) d->nwfilters[d->nnwfilters++] = f;
    }
    xmlXPathFreeObject(o);
    return 0;
}

struct ne_domain *
ne_domain_parse(const char *xml, const char *origin)
{
    xmlDocPtr doc;
    xmlXPathContextPtr xp = NULL;
    struct ne_domain *d = NULL;
    xmlNodePtr root;
    CLEANUP_FREE char *uuid = NULL, *mem = NULL, *unit = NULL, *vcpu = NULL;
    unsigned long long nv = 0;

    doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc) {
        const xmlError *e = xmlGetLastError();
        const char *msg = e && e->message ? e->message : "parse error";
        ne_error("malformed domain XML from %s: line %d: %.*s", origin, e ? e->line : 0,
                 (int)strcspn(msg, "\n"), msg);
        return NULL;
    }
    root = xmlDocGetRootElement(doc);
    if (!root || strcmp((const char *)root->name, "domain") != 0) {
        ne_error("malformed domain XML from %s: root element is not <domain>", origin);
        goto out;
    }
    xp = xmlXPathNewContext(doc);
    d = xcalloc(1, sizeof *d);
    d->name = xp_str(xp, root, "string(name)");
    uuid = xp_str(xp, root, "string(uuid)");
    if (!d->name || !uuid || strlen(uuid) != 36) {
        ne_error("malformed domain XML from %s: missing <name> or a 36-character <uuid>", origin);
        ne_domain_free(d);
        d = NULL;
        goto out;
    }
    memcpy(d->uuid, uuid, 37);
    d->type = xp_str(xp, root, "string(@type)");
    d->arch = xp_str(xp, root, "string(os/type/@arch)");
    d->machine = xp_str(xp, root, "string(os/type/@machine)");
    d->cpu_model = xp_str(xp, root, "string(cpu/model)");
    d->cpu_mode = xp_str(xp, root, "string(cpu/@mode)");
    if (!d->cpu_mode && (d->cpu_model || xp_exists(xp, root, "cpu")))
        d->cpu_mode = xstrdup("custom"); /* libvirt's default mode */
    mem = xp_str(xp, root, "string(memory)");
    unit = xp_str(xp, root, "string(memory/@unit)");
    if (mem) d->memory_kib = to_kib(mem, unit);
    vcpu = xp_str(xp, root, "string(vcpu)");
    if (vcpu && parse_u64(vcpu, &nv) == 0) d->vcpus = (unsigned)nv;
    if (parse_devices(xp, d) < 0) {
        ne_error("malformed domain XML from %s: cannot evaluate devices", origin);
        ne_domain_free(d);
        d = NULL;
    }
out:
    xmlXPathFreeContext(xp);
    xmlFreeDoc(doc);
    return d;
}

static void
disk_free(struct ne_disk *k)
{
    free(k->target);
    free(k->device);
    free(k->type);
    free(k->source);
    free(k->protocol);
    free(k->format);
    free(k->backing);
    free(k->backing_format);
}

void
ne_domain_free(struct ne_domain *d)
{
    size_t i;

    if (!d) return;
    for (i = 0; i < d->ndisks; i++) disk_free(&d->disks[i]);
    for (i = 0; i < d->nnwfilters; i++) free(d->nwfilters[i]);
    free(d->nwfilters);
    free(d->disks);
    free(d->name);
    free(d->type);
    free(d->arch);
    free(d->machine);
    free(d->cpu_mode);
    free(d->cpu_model);
    free(d);
}

void
ne_domains_free(struct ne_domain **v, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) ne_domain_free(v[i]);
    free(v);
}

char *
lv_xpath_string(const char *xml, const char *name, const char *expr)
{
    xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), name, NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    xmlXPathContextPtr xp;
    xmlXPathObjectPtr o;
    char *ret = NULL;

    if (!doc) return NULL;
    xp = xmlXPathNewContext(doc);
    o = xmlXPathEvalExpression((const xmlChar *)expr, xp);
    if (o && o->type == XPATH_STRING && o->stringval && *o->stringval)
        ret = xstrdup((const char *)o->stringval);
    xmlXPathFreeObject(o);
    xmlXPathFreeContext(xp);
    xmlFreeDoc(doc);
    return ret;
}

char *
ne_nova_meta_image(const char *xml)
{
    /* Any version of Nova's namespace (1.0, 1.1, ...): match by local name. */
    return lv_xpath_string(xml, "domain.xml",
                           "string(/domain/metadata/*[local-name()='instance']"
                           "/*[local-name()='root'][@*[local-name()='type']='image']"
                           "/@*[local-name()='uuid'])");
}
