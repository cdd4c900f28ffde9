/* SPDX-License-Identifier: Apache-2.0 */
/* placementjson.c: the pure parsers and helpers of placement.h (no I/O:
 * unit-tested in tests/unit/placement-t.c and fuzzed in tests/fuzz). */
#include <config.h>

#include <string.h>

#include "openstack/placement.h"
#include "util/log.h"
#include "util/mem.h"

void
ne_allocs_clear(struct ne_allocs *a)
{
    size_t i, j;

    for (i = 0; i < a->n; i++) {
        for (j = 0; j < a->v[i].nrc; j++) free(a->v[i].rc[j]);
        free(a->v[i].rc);
        free(a->v[i].amount);
        free(a->v[i].rp);
    }
    free(a->v);
    free(a->project_id);
    free(a->user_id);
    memset(a, 0, sizeof *a);
    a->consumer_generation = -1;
}

/* One provider's {"generation": G, "resources": {"VCPU": 1, ...}}. */
static int
parse_share(const char *rp, const json_t *v, const char *what, struct ne_alloc *out)
{
    const json_t *res = json_object_get(v, "resources"), *amt;
    const char *rc;

    memset(out, 0, sizeof *out);
    out->rp = xstrdup(rp);
    out->generation = osj_int(v, "generation", -1);
    if (!json_is_object(res)) {
        ne_error("%s: unexpected reply: provider %.64s has no \"resources\" object", what, rp);
        return -1;
    }
    out->rc = xcalloc(json_object_size(res) + 1, sizeof *out->rc);
    out->amount = xcalloc(json_object_size(res) + 1, sizeof *out->amount);
    json_object_foreach((json_t *)res, rc, amt) {
        if (!json_is_integer(amt) || json_integer_value(amt) < 0) {
            ne_error("%s: unexpected reply: %.64s on provider %.64s is not a count", what, rc, rp);
            return -1;
        }
        out->rc[out->nrc] = xstrdup(rc);
        out->amount[out->nrc++] = (long long)json_integer_value(amt);
    }
    return 0;
}

int
placement_parse_allocations(const char *buf, size_t len, const char *what, struct ne_allocs *out)
{
    json_t *root = osj_load(buf, len, what), *allocs, *v;
    const char *rp;

    memset(out, 0, sizeof *out);
    out->consumer_generation = -1;
    if (!root) return -1;
    allocs = json_object_get(root, "allocations");
    if (!json_is_object(allocs)) {
        ne_error("%s: unexpected reply: no \"allocations\" object", what);
        json_decref(root);
        return -1;
    }
    out->v = xcalloc(json_object_size(allocs) + 1, sizeof *out->v);
    json_object_foreach(allocs, rp, v) {
        if (parse_share(rp, v, what, &out->v[out->n++]) < 0) {
            json_decref(root);
            ne_allocs_clear(out);
            return -1;
        }
    }
    out->consumer_generation = osj_int(root, "consumer_generation", -1);
    out->project_id = osj_dup(root, "project_id");
    out->user_id = osj_dup(root, "user_id");
    json_decref(root);
    return 0;
}

int
placement_parse_provider(const char *buf, size_t len, const char *what, char **uuid, char **root)
{
    json_t *j = osj_load(buf, len, what), *list;
    const char *u;

    *uuid = NULL;
    if (root) *root = NULL;
    if (!j) return -1;
    list = json_object_get(j, "resource_providers");
    if (!json_is_array(list)) {
        ne_error("%s: unexpected reply: no \"resource_providers\" list", what);
        json_decref(j);
        return -1;
    }
    if (json_array_size(list) != 1) {
        int none = json_array_size(list) == 0;
        json_decref(j);
        return none ? 1 : 2;
    }
    u = osj_str(json_array_get(list, 0), "uuid");
    if (!u || !*u) {
        ne_error("%s: unexpected reply: a resource provider without a uuid", what);
        json_decref(j);
        return -1;
    }
    *uuid = xstrdup(u);
    if (root) *root = osj_dup(json_array_get(list, 0), "root_provider_uuid");
    json_decref(j);
    return 0;
}

int
placement_parse_root(const char *buf, size_t len, const char *what, struct ne_mv *max)
{
    json_t *j = osj_load(buf, len, what), *list, *v;
    const char *mx = NULL;
    size_t i;

    max->major = max->minor = 0;
    if (!j) return -1;
    list = json_object_get(j, "versions");
    json_array_foreach(list, i, v)
        if (str_eq(osj_str(v, "status"), "CURRENT") || json_array_size(list) == 1)
            mx = osj_str(v, "max_version");
    if (!mx || os_mv_parse(mx, max) < 0) {
        ne_error("%s: unexpected reply: no CURRENT version with a max_version", what);
        json_decref(j);
        return -1;
    }
    json_decref(j);
    return 0;
}

long long
ne_allocs_amount(const struct ne_allocs *a, const char *rp, const char *rc)
{
    long long best = 0;
    size_t i, j;

    for (i = 0; i < a->n; i++) {
        if (rp && strcmp(a->v[i].rp, rp) != 0) continue;
        for (j = 0; j < a->v[i].nrc; j++)
            if (strcmp(a->v[i].rc[j], rc) == 0 && a->v[i].amount[j] > best)
                best = a->v[i].amount[j];
    }
    return best;
}

bool
ne_allocs_only_on(const struct ne_allocs *a, const char *rp)
{
    return a->n == 1 && str_eq(a->v[0].rp, rp);
}

json_t *
ne_allocs_json(const struct ne_allocs *a)
{
    json_t *o = json_object();
    size_t i, j;

    for (i = 0; i < a->n; i++) {
        json_t *r = json_object();
        for (j = 0; j < a->v[i].nrc; j++)
            json_object_set_new(r, a->v[i].rc[j], json_integer(a->v[i].amount[j]));
        json_object_set_new(o, a->v[i].rp, r);
    }
    return o;
}

json_t *
ne_allocs_resources(const struct ne_allocs *a)
{
    json_t *r = json_object();
    size_t i, j;

    for (i = 0; i < a->n; i++)
        for (j = 0; j < a->v[i].nrc; j++)
            if (!json_object_get(r, a->v[i].rc[j]))
                json_object_set_new(r, a->v[i].rc[j],
                                    json_integer(ne_allocs_amount(a, NULL, a->v[i].rc[j])));
    return r;
}
