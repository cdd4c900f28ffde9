/* SPDX-License-Identifier: Apache-2.0 */
/* neutronjson.c: the pure parsers and helpers of neutron.h (no I/O:
 * unit-tested in tests/unit/neutron-t.c and fuzzed in tests/fuzz). */
#include <config.h>

#include <string.h>

#include "openstack/neutron.h"
#include "util/log.h"
#include "util/mem.h"

char *
ne_port_bridge(const char *bridge_name, const char *network_id)
{
    if (bridge_name && *bridge_name) return xstrdup(bridge_name);
    if (!network_id || !*network_id) return NULL;
    return xasprintf("brq%.11s", network_id);
}

bool
ne_agent_is_l2(const char *t)
{
    static const char *const l2[] = {"Linux bridge agent", "Open vSwitch agent",
                                     "NIC Switch agent", "Macvtap agent", "OVN Controller agent",
                                     "OVN Controller Gateway agent", NULL};
    size_t i;

    for (i = 0; t && l2[i]; i++)
        if (strcmp(t, l2[i]) == 0) return true;
    return false;
}

void
ne_binding_clear(struct ne_binding *b)
{
    free(b->host);
    free(b->vif_type);
    free(b->vnic_type);
    free(b->status);
    free(b->bridge_name);
    memset(b, 0, sizeof *b);
}

void
ne_port_clear(struct ne_port *p)
{
    free(p->id);
    free(p->network_id);
    free(p->mac);
    free(p->status);
    free(p->device_id);
    free(p->device_owner);
    ne_binding_clear(&p->b);
    memset(p, 0, sizeof *p);
}

void
ne_ports_free(struct ne_port *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) ne_port_clear(&p[i]);
    free(p);
}

void
ne_bindings_free(struct ne_binding *b, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) ne_binding_clear(&b[i]);
    free(b);
}

void
ne_agents_free(struct ne_agent *a, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(a[i].id);
        free(a[i].agent_type);
        free(a[i].binary);
        free(a[i].host);
    }
    free(a);
}

/* vif_details: only what a move needs from it. */
static void
parse_details(const json_t *d, struct ne_binding *b)
{
    if (!json_is_object(d)) return;
    b->bridge_name = osj_dup(d, "bridge_name");
    b->ovs_hybrid = osj_bool(d, "ovs_hybrid_plug", false);
}

/* One binding object ({"host": ..., "vif_type": ...}). */
static int
binding_from(const json_t *v, const char *what, struct ne_binding *b)
{
    memset(b, 0, sizeof *b);
    if (!json_is_object(v)) {
        ne_error("%s: unexpected reply: a binding is not an object", what);
        return -1;
    }
    if (!json_is_string(json_object_get(v, "host"))) {
        ne_error("%s: unexpected reply: a binding without a host", what);
        return -1;
    }
    b->host = osj_dup(v, "host");
    b->vif_type = osj_dup(v, "vif_type");
    b->vnic_type = osj_dup(v, "vnic_type");
    b->status = osj_dup(v, "status");
    parse_details(json_object_get(v, "vif_details"), b);
    return 0;
}

static int
port_from(const json_t *v, const char *what, struct ne_port *p)
{
    const char *id = osj_str(v, "id");

    memset(p, 0, sizeof *p);
    if (!json_is_object(v) || !id || !*id) {
        ne_error("%s: unexpected reply: a port without an id", what);
        return -1;
    }
    p->id = xstrdup(id);
    p->network_id = osj_dup(v, "network_id");
    p->mac = osj_dup(v, "mac_address");
    p->status = osj_dup(v, "status");
    p->device_id = osj_dup(v, "device_id");
    p->device_owner = osj_dup(v, "device_owner");
    p->b.host = osj_dup(v, "binding:host_id");
    p->b.vif_type = osj_dup(v, "binding:vif_type");
    p->b.vnic_type = osj_dup(v, "binding:vnic_type");
    parse_details(json_object_get(v, "binding:vif_details"), &p->b);
    return 0;
}

/* The array member key of the reply; NULL (reported) when absent. */
static json_t *
load_list(const char *buf, size_t len, const char *what, const char *key, json_t **root)
{
    json_t *list;

    *root = osj_load(buf, len, what);
    if (!*root) return NULL;
    list = json_object_get(*root, key);
    if (!json_is_array(list)) {
        ne_error("%s: unexpected reply: no \"%s\" list", what, key);
        json_decref(*root);
        *root = NULL;
        return NULL;
    }
    return list;
}

/* The reply's list under key, each element made by from into a new
 * array of size-byte records (*out, *n); on any bad element the records
 * made so far are freed by fr and -1 returned. */
typedef int (*from_fn)(const json_t *v, const char *what, void *rec);
typedef void (*free_fn)(void *recs, size_t n);

static int
parse_list(const char *buf, size_t len, const char *what, const char *key, size_t size,
           from_fn from, free_fn fr, void **out, size_t *n)
{
    json_t *root, *list = load_list(buf, len, what, key, &root), *v;
    char *recs;
    size_t i;

    *out = NULL;
    *n = 0;
    if (!list) return -1;
    recs = xcalloc(json_array_size(list) + 1, size);
    json_array_foreach(list, i, v) {
        if (from(v, what, recs + *n * size) < 0) {
            fr(recs, *n);
            *n = 0;
            json_decref(root);
            return -1;
        }
        (*n)++;
    }
    *out = recs;
    json_decref(root);
    return 0;
}

/* The reply's single object under key, made by from into rec (zeroed first). */
static int
parse_one(const char *buf, size_t len, const char *what, const char *key, size_t size,
          from_fn from, void *rec)
{
    json_t *root = osj_load(buf, len, what);
    int rc;

    memset(rec, 0, size);
    if (!root) return -1;
    rc = from(json_object_get(root, key), what, rec);
    json_decref(root);
    return rc;
}

static int
port_rec(const json_t *v, const char *what, void *rec)
{
    return port_from(v, what, rec);
}

static int
binding_rec(const json_t *v, const char *what, void *rec)
{
    return binding_from(v, what, rec);
}

static void
ports_free(void *recs, size_t n)
{
    ne_ports_free(recs, n);
}

static void
bindings_free(void *recs, size_t n)
{
    ne_bindings_free(recs, n);
}

int
neutron_parse_ports(const char *buf, size_t len, const char *what, struct ne_port **out, size_t *n)
{
    void *recs;
    int rc = parse_list(buf, len, what, "ports", sizeof **out, port_rec, ports_free, &recs, n);

    *out = recs;
    return rc;
}

int
neutron_parse_port(const char *buf, size_t len, const char *what, struct ne_port *out)
{
    return parse_one(buf, len, what, "port", sizeof *out, port_rec, out);
}

int
neutron_parse_bindings(const char *buf, size_t len, const char *what, struct ne_binding **out,
                       size_t *n)
{
    void *recs;
    int rc = parse_list(buf, len, what, "bindings", sizeof **out, binding_rec, bindings_free,
                        &recs, n);

    *out = recs;
    return rc;
}

int
neutron_parse_binding(const char *buf, size_t len, const char *what, struct ne_binding *out)
{
    return parse_one(buf, len, what, "binding", sizeof *out, binding_rec, out);
}

int
neutron_parse_agents(const char *buf, size_t len, const char *what, struct ne_agent **out,
                     size_t *n)
{
    json_t *root, *list = load_list(buf, len, what, "agents", &root), *v;
    size_t i;

    *out = NULL;
    *n = 0;
    if (!list) return -1;
    *out = xcalloc(json_array_size(list) + 1, sizeof **out);
    json_array_foreach(list, i, v) {
        struct ne_agent *a = &(*out)[*n];
        if (!json_is_object(v) || !osj_str(v, "host") || !osj_str(v, "agent_type")) {
            ne_error("%s: unexpected reply: an agent without a host or type", what);
            ne_agents_free(*out, *n);
            *out = NULL;
            *n = 0;
            json_decref(root);
            return -1;
        }
        a->id = osj_dup(v, "id");
        a->agent_type = osj_dup(v, "agent_type");
        a->binary = osj_dup(v, "binary");
        a->host = osj_dup(v, "host");
        a->alive = osj_bool(v, "alive", false);
        a->admin_state_up = osj_bool(v, "admin_state_up", false);
        (*n)++;
    }
    json_decref(root);
    return 0;
}

int
neutron_parse_has_extension(const char *buf, size_t len, const char *what, const char *alias)
{
    json_t *root, *list = load_list(buf, len, what, "extensions", &root), *v;
    size_t i;
    int found = 0;

    if (!list) return -1;
    json_array_foreach(list, i, v)
        if (str_eq(osj_str(v, "alias"), alias)) found = 1;
    json_decref(root);
    return found;
}

json_t *
ne_binding_json(const struct ne_binding *b)
{
    return json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?}", "host", b->host, "vif_type", b->vif_type,
                     "vnic_type", b->vnic_type, "status", b->status, "bridge_name",
                     b->bridge_name);
}

json_t *
ne_port_json(const struct ne_port *p)
{
    return json_pack("{s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:o}", "id", p->id, "network_id",
                     p->network_id, "mac_address", p->mac, "status", p->status, "device_id",
                     p->device_id, "device_owner", p->device_owner, "binding",
                     ne_binding_json(&p->b));
}
