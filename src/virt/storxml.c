/* SPDX-License-Identifier: Apache-2.0 */
/* storxml.c: see storxml.h. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "util/mem.h"
#include "virt/storxml.h"

char *
ne_xml_escape(const char *s)
{
    char *out = xmalloc(strlen(s) * 6 + 1), *o = out;

    for (; *s; s++) {
        const char *e = *s == '&' ? "&amp;" : *s == '<' ? "&lt;" : *s == '>' ? "&gt;"
                      : *s == '\'' ? "&apos;" : *s == '"' ? "&quot;" : NULL;
        if (e) {
            memcpy(o, e, strlen(e));
            o += strlen(e);
        } else {
            *o++ = *s;
        }
    }
    *o = '\0';
    return out;
}

char *
ne_pool_xml(const char *name, const char *dir)
{
    CLEANUP_FREE char *n = ne_xml_escape(name), *d = ne_xml_escape(dir);

    return xasprintf("<pool type='dir'><name>%s</name><target><path>%s</path></target></pool>", n,
                     d);
}

char *
ne_vol_xml(const struct ne_vol_spec *s)
{
    CLEANUP_FREE char *n = ne_xml_escape(s->name), *f = ne_xml_escape(s->format ? s->format : "raw");
    CLEANUP_FREE char *perm = NULL, *bs = NULL;

    if (s->mode) {
        CLEANUP_FREE char *m = ne_xml_escape(s->mode);
        CLEANUP_FREE char *o = s->owner && *s->owner ? ne_xml_escape(s->owner) : NULL;
        CLEANUP_FREE char *g = s->group && *s->group ? ne_xml_escape(s->group) : NULL;
        perm = xasprintf("<permissions><mode>%s</mode>%s%s%s%s%s%s</permissions>", m,
                         o ? "<owner>" : "", o ? o : "", o ? "</owner>" : "", g ? "<group>" : "",
                         g ? g : "", g ? "</group>" : "");
    }
    if (s->backing) {
        CLEANUP_FREE char *b = ne_xml_escape(s->backing);
        CLEANUP_FREE char *bf = ne_xml_escape(s->backing_format ? s->backing_format : "raw");
        bs = xasprintf("<backingStore><path>%s</path><format type='%s'/></backingStore>", b, bf);
    }
    return xasprintf("<volume><name>%s</name><capacity unit='bytes'>%llu</capacity>"
                     "<allocation unit='bytes'>0</allocation><target><format type='%s'/>%s"
                     "</target>%s</volume>",
                     n, (unsigned long long)s->capacity, f, perm ? perm : "", bs ? bs : "");
}

static xmlDocPtr
parse(const char *xml, const char *name)
{
    size_t len = strlen(xml);

    if (len > 16 * 1024 * 1024) return NULL;
    return xmlReadMemory(xml, (int)len, name, NULL,
                         XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

/* string(expr) into buf ("" when absent); NULL buf: newly allocated. */
static char *
xp_str(xmlXPathContextPtr xp, const char *expr, char *buf, size_t len)
{
    xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *)expr, xp);
    const char *v = o && o->type == XPATH_STRING && o->stringval ? (const char *)o->stringval : "";
    char *r = buf;

    if (buf)
        snprintf(buf, len, "%s", v);
    else
        r = *v ? xstrdup(v) : NULL;
    xmlXPathFreeObject(o);
    return r;
}

int
ne_vol_xml_facts(const char *xml, char *format, size_t flen, long long *mtime, char **backing)
{
    xmlDocPtr doc = parse(xml, "vol.xml");
    xmlXPathContextPtr xp;
    char t[64];

    if (format && flen) format[0] = '\0';
    if (mtime) *mtime = 0;
    if (backing) *backing = NULL;
    if (!doc) return -1;
    xp = xmlXPathNewContext(doc);
    if (xp) {
        if (format && flen) xp_str(xp, "string(/volume/target/format/@type)", format, flen);
        if (mtime) {
            xp_str(xp, "string(/volume/target/timestamps/mtime)", t, sizeof t);
            *mtime = strtoll(t, NULL, 10);
        }
        if (backing) *backing = xp_str(xp, "string(/volume/backingStore/path)", NULL, 0);
        xmlXPathFreeContext(xp);
    }
    xmlFreeDoc(doc);
    return 0;
}

int
ne_pool_xml_owner(const char *xml, char *owner, char *group, size_t len)
{
    xmlDocPtr doc = parse(xml, "pool.xml");
    xmlXPathContextPtr xp;

    owner[0] = group[0] = '\0';
    if (!doc) return -1;
    if ((xp = xmlXPathNewContext(doc))) {
        xp_str(xp, "string(/pool/target/permissions/owner)", owner, len);
        xp_str(xp, "string(/pool/target/permissions/group)", group, len);
        xmlXPathFreeContext(xp);
    }
    xmlFreeDoc(doc);
    return 0;
}
