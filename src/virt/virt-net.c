/* SPDX-License-Identifier: Apache-2.0 */
/* virt-net.c: see virt-net.h.  Interfaces of a domain's XML and the
 * bridge rewrite (libxml2, pure); a host's interfaces and a domain's
 * migratable XML (libvirt). */
#include <config.h>

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "util/log.h"
#include "util/mem.h"
#include "virt/virt-int.h"
#include "virt/virt-net.h"

static xmlDocPtr
read_doc(const char *xml, const char *origin)
{
    xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    xmlNodePtr root;

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
        xmlFreeDoc(doc);
        return NULL;
    }
    return doc;
}

static xmlNodePtr
child(xmlNodePtr n, const char *name)
{
    for (n = n ? n->children : NULL; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0) return n;
    return NULL;
}

/* Newly allocated attribute value, NULL when absent or empty. */
static char *
attr(xmlNodePtr n, const char *name)
{
    xmlChar *v = n ? xmlGetProp(n, (const xmlChar *)name) : NULL;
    char *s = v && *v ? xstrdup((const char *)v) : NULL;

    xmlFree(v);
    return s;
}

static void
lower(char *s)
{
    for (; s && *s; s++) *s = (char)tolower((unsigned char)*s);
}

int
ne_ifaces_parse(const char *xml, const char *origin, struct ne_iface **out, size_t *n)
{
    xmlDocPtr doc = read_doc(xml, origin);
    xmlNodePtr dev, i;
    size_t cap = 0;

    *out = NULL;
    *n = 0;
    if (!doc) return -1;
    dev = child(xmlDocGetRootElement(doc), "devices");
    for (i = dev ? dev->children : NULL; i; i = i->next) {
        struct ne_iface *f;
        if (i->type != XML_ELEMENT_NODE || strcmp((const char *)i->name, "interface") != 0)
            continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 4;
            *out = xrealloc(*out, cap * sizeof **out);
        }
        f = &(*out)[(*n)++];
        f->type = attr(i, "type");
        f->mac = attr(child(i, "mac"), "address");
        lower(f->mac);
        f->bridge = attr(child(i, "source"), "bridge");
        f->target = attr(child(i, "target"), "dev");
        f->virtualport = attr(child(i, "virtualport"), "type");
    }
    xmlFreeDoc(doc);
    return 0;
}

void
ne_ifaces_free(struct ne_iface *v, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(v[i].type);
        free(v[i].mac);
        free(v[i].bridge);
        free(v[i].target);
        free(v[i].virtualport);
    }
    free(v);
}

char *
ne_xml_set_bridges(const char *xml, const char *origin, const char *const *macs,
                   const char *const *bridges, size_t n, size_t *changed)
{
    xmlDocPtr doc = read_doc(xml, origin);
    xmlNodePtr dev, i;
    xmlChar *text = NULL;
    int len = 0;
    size_t k, count = 0;
    char *ret;

    if (changed) *changed = 0;
    if (!doc) return NULL;
    dev = child(xmlDocGetRootElement(doc), "devices");
    for (i = dev ? dev->children : NULL; i; i = i->next) {
        CLEANUP_FREE char *mac = NULL;
        xmlNodePtr src;
        if (i->type != XML_ELEMENT_NODE || strcmp((const char *)i->name, "interface") != 0)
            continue;
        if (!(mac = attr(child(i, "mac"), "address"))) continue;
        for (k = 0; k < n && strcasecmp(mac, macs[k]) != 0; k++)
            ;
        if (k == n) continue;
        if (!(src = child(i, "source"))) src = xmlNewChild(i, NULL, (const xmlChar *)"source", NULL);
        xmlSetProp(src, (const xmlChar *)"bridge", (const xmlChar *)bridges[k]);
        count++;
    }
    xmlDocDumpMemory(doc, &text, &len);
    xmlFreeDoc(doc);
    if (!text) {
        ne_error("cannot write the domain XML from %s with the destination's bridges", origin);
        return NULL;
    }
    ret = xstrndup((const char *)text, (size_t)len);
    xmlFree(text);
    if (changed) *changed = count;
    return ret;
}

void
ne_xml_boot_files(const char *xml, char **kernel, char **initrd)
{
    *kernel = lv_xpath_string(xml, "domain.xml", "string(/domain/os/kernel)");
    *initrd = lv_xpath_string(xml, "domain.xml", "string(/domain/os/initrd)");
}

int
virt_iface_exists(struct ne_virt *v, const char *name)
{
    virInterfacePtr i = virInterfaceLookupByName(v->conn, name);
    virErrorPtr e;

    if (i) {
        virInterfaceFree(i);
        return 1;
    }
    e = virGetLastError();
    if (e && e->code == VIR_ERR_NO_INTERFACE) return 0;
    ne_error("cannot tell whether %s has the network interface %s: %s", v->host, name, lv_err());
    return -1;
}

char *
virt_domain_xml_migratable(struct ne_virt *v, const char *key)
{
    virDomainPtr dom = dom_lookup(v, key);
    char *xml;

    if (!dom) {
        ne_error("domain %s not found on %s", key, v->host);
        return NULL;
    }
    xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_SECURE | VIR_DOMAIN_XML_MIGRATABLE);
    if (!xml) ne_error("cannot read the XML of %s on %s: %s", key, v->host, lv_err());
    virDomainFree(dom);
    return xml;
}
