/* SPDX-License-Identifier: Apache-2.0 */
/* xml-rewrite.c: see xml-rewrite.h. */
#include <config.h>

#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "util/log.h"
#include "util/mem.h"
#include "virt/xml-rewrite.h"

static xmlNodePtr
child(xmlNodePtr n, const char *name)
{
    for (n = n ? n->children : NULL; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0) return n;
    return NULL;
}

/* A machine type or CPU model name as the map allows them. */
static bool
plain(const char *s)
{
    size_t i, n = strlen(s);

    if (n == 0 || n > 64) return false;
    for (i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '-' || s[i] == '_'))
            return false;
    return true;
}

static void
set_machine(xmlNodePtr root, const char *machine, size_t *count)
{
    xmlNodePtr type = child(child(root, "os"), "type");
    xmlChar *old;

    if (!type) return;
    old = xmlGetProp(type, (const xmlChar *)"machine");
    if (!old || strcmp((const char *)old, machine) != 0) {
        xmlSetProp(type, (const xmlChar *)"machine", (const xmlChar *)machine);
        (*count)++;
    }
    xmlFree(old);
}

static void
set_cpu_model(xmlNodePtr root, const char *model, size_t *count)
{
    xmlNodePtr m = child(child(root, "cpu"), "model");
    xmlChar *old;

    if (!m) return;
    old = xmlNodeGetContent(m);
    if (!old || strcmp((const char *)old, model) != 0) {
        xmlNodeSetContent(m, (const xmlChar *)model);
        (*count)++;
    }
    xmlFree(old);
}

char *
ne_xml_set_machine_cpu(const char *xml, const char *origin, const char *machine,
                       const char *cpu_model, size_t *changed)
{
    xmlDocPtr doc;
    xmlNodePtr root;
    xmlChar *text = NULL;
    int len = 0;
    size_t count = 0;
    char *ret;

    if (changed) *changed = 0;
    if ((machine && !plain(machine)) || (cpu_model && !plain(cpu_model))) {
        ne_error("domain XML from %s: not a machine type or CPU model name: '%s'", origin,
                 machine && !plain(machine) ? machine : cpu_model);
        return NULL;
    }
    doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (!root || strcmp((const char *)root->name, "domain") != 0) {
        ne_error("malformed domain XML from %s: %s", origin,
                 doc ? "root element is not <domain>" : "it does not parse");
        if (doc) xmlFreeDoc(doc);
        return NULL;
    }
    if (machine) set_machine(root, machine, &count);
    if (cpu_model) set_cpu_model(root, cpu_model, &count);
    xmlDocDumpMemory(doc, &text, &len);
    xmlFreeDoc(doc);
    if (!text) {
        ne_error("cannot write the domain XML from %s with the mapped machine type", origin);
        return NULL;
    }
    ret = xstrndup((const char *)text, (size_t)len);
    xmlFree(text);
    if (changed) *changed = count;
    return ret;
}
