/* SPDX-License-Identifier: Apache-2.0 */
/* fleetjson.c: the pure parsers of fleetapi.h (no I/O). */
#include <config.h>

#include <string.h>

#include "openstack/fleetapi.h"
#include "util/log.h"
#include "util/mem.h"

const char *const ne_rp_classes[NE_RP_NRES] = {"VCPU", "MEMORY_MB", "DISK_GB"};

/* A list of strings (key of o) into out and n; a missing or null key is an
 * empty list.  -1 (reported) when it is not a list of strings. */
static int
strings(const json_t *o, const char *key, const char *what, const char *obj, char ***out,
        size_t *n)
{
    const json_t *a = json_object_get(o, key), *v;
    size_t i;

    *out = NULL;
    *n = 0;
    if (!a || json_is_null(a)) return 0;
    if (!json_is_array(a)) {
        ne_error("%s: unexpected reply: \"%s\" of %.64s is not a list", what, key, obj);
        return -1;
    }
    *out = xcalloc(json_array_size(a) + 1, sizeof **out);
    json_array_foreach(a, i, v) {
        if (!json_is_string(v)) {
            ne_error("%s: unexpected reply: \"%s\" of %.64s holds a non-string", what, key, obj);
            return -1;
        }
        (*out)[(*n)++] = xstrdup(json_string_value(v));
    }
    return 0;
}

static const json_t *
list_of(const json_t *root, const char *key, const char *what)
{
    const json_t *a = json_object_get(root, key);
    if (!json_is_array(a)) ne_error("%s: unexpected reply: no \"%s\" list", what, key);
    return json_is_array(a) ? a : NULL;
}

int
nova_parse_aggregates(const char *buf, size_t len, const char *what, struct ne_aggregate **out,
                      size_t *n)
{
    json_t *root = osj_load(buf, len, what);
    const json_t *arr, *o;
    size_t i;
    int rc = -1;

    *out = NULL;
    *n = 0;
    if (!root) return -1;
    if (!(arr = list_of(root, "aggregates", what))) goto out;
    *out = xcalloc(json_array_size(arr) + 1, sizeof **out);
    json_array_foreach(arr, i, o) {
        struct ne_aggregate *a = &(*out)[*n];
        const char *az;
        if (!json_is_object(o) || !osj_str(o, "name")) {
            ne_error("%s: unexpected reply: aggregate #%zu has no name", what, i + 1);
            goto out;
        }
        (*n)++;
        a->name = osj_dup(o, "name");
        /* the zone is the aggregate's metadata; older Novas also copy it up */
        az = osj_str(json_object_get(o, "metadata"), "availability_zone");
        if (!az) az = osj_str(o, "availability_zone");
        a->az = xstrdup_null(az);
        if (strings(o, "hosts", what, a->name, &a->hosts, &a->nhosts) < 0) goto out;
    }
    rc = 0;
out:
    json_decref(root);
    if (rc < 0) {
        ne_aggregates_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

int
nova_parse_server_groups(const char *buf, size_t len, const char *what,
                         struct ne_server_group **out, size_t *n)
{
    json_t *root = osj_load(buf, len, what);
    const json_t *arr, *o, *pol;
    size_t i;
    int rc = -1;

    *out = NULL;
    *n = 0;
    if (!root) return -1;
    if (!(arr = list_of(root, "server_groups", what))) goto out;
    *out = xcalloc(json_array_size(arr) + 1, sizeof **out);
    json_array_foreach(arr, i, o) {
        struct ne_server_group *g = &(*out)[*n];
        if (!json_is_object(o) || !osj_str(o, "id")) {
            ne_error("%s: unexpected reply: server group #%zu has no id", what, i + 1);
            goto out;
        }
        (*n)++;
        g->id = osj_dup(o, "id");
        g->name = osj_dup(o, "name");
        g->policy = osj_dup(o, "policy"); /* 2.64+ */
        pol = json_object_get(o, "policies");
        if (!g->policy && json_is_array(pol) && json_is_string(json_array_get(pol, 0)))
            g->policy = xstrdup(json_string_value(json_array_get(pol, 0)));
        if (!g->policy) {
            ne_error("%s: unexpected reply: server group %.64s has no policy", what, g->id);
            goto out;
        }
        g->max_per_host = osj_int(json_object_get(o, "rules"), "max_server_per_host", 0);
        if (strings(o, "members", what, g->id, &g->members, &g->nmembers) < 0) goto out;
    }
    rc = 0;
out:
    json_decref(root);
    if (rc < 0) {
        ne_server_groups_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

int
placement_parse_inventories(const char *buf, size_t len, const char *what,
                            struct ne_rp_inventory *out)
{
    json_t *root = osj_load(buf, len, what);
    const json_t *inv, *c, *ratio;
    int r, rc = -1;

    memset(out->have, 0, sizeof out->have);
    if (!root) return -1;
    inv = json_object_get(root, "inventories");
    if (!json_is_object(inv)) {
        ne_error("%s: unexpected reply: no \"inventories\" object", what);
        goto out;
    }
    for (r = 0; r < NE_RP_NRES; r++) {
        if (!(c = json_object_get(inv, ne_rp_classes[r]))) continue;
        ratio = json_object_get(c, "allocation_ratio");
        if (!json_is_object(c) || !json_is_integer(json_object_get(c, "total")) ||
            (ratio && !json_is_number(ratio))) {
            ne_error("%s: unexpected reply: inventory of %s has no total", what, ne_rp_classes[r]);
            goto out;
        }
        out->have[r] = true;
        out->total[r] = osj_int(c, "total", 0);
        out->reserved[r] = osj_int(c, "reserved", 0);
        out->ratio[r] = ratio ? json_number_value(ratio) : 1.0;
    }
    rc = 0;
out:
    json_decref(root);
    return rc;
}

int
placement_parse_usages(const char *buf, size_t len, const char *what, struct ne_rp_inventory *out)
{
    json_t *root = osj_load(buf, len, what);
    const json_t *u, *v;
    int r, rc = -1;

    if (!root) return -1;
    u = json_object_get(root, "usages");
    if (!json_is_object(u)) {
        ne_error("%s: unexpected reply: no \"usages\" object", what);
        goto out;
    }
    for (r = 0; r < NE_RP_NRES; r++) {
        v = json_object_get(u, ne_rp_classes[r]);
        if (v && (!json_is_integer(v) || json_integer_value(v) < 0)) {
            ne_error("%s: unexpected reply: usage of %s is not a count", what, ne_rp_classes[r]);
            goto out;
        }
        out->used[r] = v ? (long long)json_integer_value(v) : 0;
    }
    rc = 0;
out:
    json_decref(root);
    return rc;
}

static void
strv_free(char **v, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) free(v[i]);
    free(v);
}

void
ne_aggregates_free(struct ne_aggregate *a, size_t n)
{
    size_t i;
    for (i = 0; a && i < n; i++) {
        free(a[i].name);
        free(a[i].az);
        strv_free(a[i].hosts, a[i].nhosts);
    }
    free(a);
}

void
ne_server_groups_free(struct ne_server_group *g, size_t n)
{
    size_t i;
    for (i = 0; g && i < n; i++) {
        free(g[i].id);
        free(g[i].name);
        free(g[i].policy);
        strv_free(g[i].members, g[i].nmembers);
    }
    free(g);
}
