/* SPDX-License-Identifier: Apache-2.0 */
/* fleetjson-t.c: the parsers of fleetapi.h on replies shaped as the lab's
 * Nova and Placement send them, old microversions, truncations and error
 * bodies. */
#include <config.h>

#include <string.h>

#include "openstack/fleetapi.h"
#include "util/log.h"
#include "tap.h"

#define L(s) (s), strlen(s)

static const char aggs[] =
    "{\"aggregates\": [{\"availability_zone\": \"az1\", \"created_at\": \"2026-12-06T07:00:00.000000\","
    " \"deleted\": false, \"hosts\": [\"node01\", \"node02\"], \"id\": 1, \"metadata\": "
    "{\"availability_zone\": \"az1\"}, \"name\": \"rack-a\", \"updated_at\": null, \"uuid\": "
    "\"6ba28ba7-f29b-45cc-a30b-6e3a40c2fb14\"}, {\"availability_zone\": null, \"hosts\": [], "
    "\"id\": 2, \"metadata\": {\"ssd\": \"true\"}, \"name\": \"ssd\"}]}";
static const char groups_264[] =
    "{\"server_groups\": [{\"id\": \"5bbcc3c4-1da2-4437-a48a-66f15b1b13f9\", \"members\": "
    "[\"a0000000-0000-4000-8000-000000000001\", \"a0000000-0000-4000-8000-000000000002\"], "
    "\"name\": \"web\", \"policy\": \"anti-affinity\", \"rules\": {\"max_server_per_host\": 2}, "
    "\"project_id\": \"p\", \"user_id\": \"u\"}, {\"id\": \"g2\", \"members\": [], \"name\": "
    "\"db\", \"policy\": \"affinity\", \"rules\": {}}]}";
static const char groups_old[] =
    "{\"server_groups\": [{\"id\": \"g3\", \"members\": [\"m1\"], \"metadata\": {}, \"name\": "
    "\"old\", \"policies\": [\"soft-anti-affinity\"]}]}";
static const char inv[] =
    "{\"resource_provider_generation\": 113, \"inventories\": {\"VCPU\": {\"total\": 2, "
    "\"reserved\": 0, \"min_unit\": 1, \"max_unit\": 2, \"step_size\": 1, \"allocation_ratio\": "
    "16.0}, \"MEMORY_MB\": {\"total\": 24105, \"reserved\": 512, \"min_unit\": 1, \"max_unit\": "
    "24105, \"step_size\": 1, \"allocation_ratio\": 1.5}, \"DISK_GB\": {\"total\": 251, "
    "\"reserved\": 0, \"min_unit\": 1, \"max_unit\": 251, \"step_size\": 1, \"allocation_ratio\": "
    "1.0}}}";
static const char usages[] =
    "{\"resource_provider_generation\": 113, \"usages\": {\"VCPU\": 2, \"MEMORY_MB\": 192, "
    "\"DISK_GB\": 1}}";

static int
p_aggs(const char *b, size_t n)
{
    struct ne_aggregate *a;
    size_t k;
    int rc = nova_parse_aggregates(b, n, "t", &a, &k);
    ne_aggregates_free(a, k);
    return rc;
}

static int
p_groups(const char *b, size_t n)
{
    struct ne_server_group *g;
    size_t k;
    int rc = nova_parse_server_groups(b, n, "t", &g, &k);
    ne_server_groups_free(g, k);
    return rc;
}

static int
p_inv(const char *b, size_t n)
{
    struct ne_rp_inventory v;
    return placement_parse_inventories(b, n, "t", &v);
}

static int
p_use(const char *b, size_t n)
{
    struct ne_rp_inventory v;
    return placement_parse_usages(b, n, "t", &v);
}

/* Every strict prefix fails with exactly one error; error bodies too. */
static void
refuses(const char *name, const char *doc, int (*parse)(const char *, size_t))
{
    static const char *const bodies[] = {
        "<html><body><h1>500 Internal Server Error</h1></body></html>",
        "{\"computeFault\": {\"message\": \"boom\", \"code\": 500}}",
        "{\"error\": {\"message\": \"Policy doesn't allow\", \"code\": 403}}",
        "[1, 2]", "null",
    };
    size_t len = strlen(doc), i;
    unsigned bad = 0;

    for (i = 0; i < len - 1; i++) {
        unsigned e0 = ne_error_count();
        if (parse(doc, i) != -1 || ne_error_count() - e0 != 1) bad++;
    }
    for (i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        unsigned e0 = ne_error_count();
        if (parse(L(bodies[i])) != -1 || ne_error_count() - e0 != 1) bad++;
    }
    is_int(bad, 0, "%s: all %zu truncations and 5 error bodies fail with one error", name, len - 1);
}

int
main(void)
{
    struct ne_aggregate *a;
    struct ne_server_group *g;
    struct ne_rp_inventory v;
    size_t n;

    ne_set_quiet(true);
    is_int(nova_parse_aggregates(L(aggs), "t", &a, &n), 0, "aggregates: parsed");
    is_int(n, 2, "aggregates: two");
    is_str(a[0].name, "rack-a", "aggregates: name");
    is_str(a[0].az, "az1", "aggregates: the AZ from the metadata");
    ok(a[0].nhosts == 2 && strcmp(a[0].hosts[1], "node02") == 0, "aggregates: hosts");
    ok(a[1].az == NULL && a[1].nhosts == 0, "aggregates: no AZ, no hosts");
    ne_aggregates_free(a, n);
    is_int(nova_parse_aggregates(L("{\"aggregates\": [{\"name\": \"x\", \"hosts\": [1]}]}"), "t",
                                 &a, &n), -1, "aggregates: a host that is not a string");
    ok(a == NULL && n == 0, "aggregates: nothing left after a failure");

    is_int(nova_parse_server_groups(L(groups_264), "t", &g, &n), 0, "groups 2.64: parsed");
    is_int(n, 2, "groups: two");
    is_str(g[0].policy, "anti-affinity", "groups: policy");
    is_int(g[0].max_per_host, 2, "groups: max_server_per_host");
    ok(g[0].nmembers == 2 && strcmp(g[0].members[1], "a0000000-0000-4000-8000-000000000002") == 0,
       "groups: members");
    ok(g[1].max_per_host == 0 && g[1].nmembers == 0, "groups: no rules, no members");
    ne_server_groups_free(g, n);
    is_int(nova_parse_server_groups(L(groups_old), "t", &g, &n), 0, "groups before 2.64: parsed");
    is_str(g[0].policy, "soft-anti-affinity", "groups: policies[0] before 2.64");
    ne_server_groups_free(g, n);
    is_int(nova_parse_server_groups(L("{\"server_groups\": [{\"id\": \"x\"}]}"), "t", &g, &n), -1,
           "groups: no policy is refused");

    memset(&v, 0, sizeof v);
    is_int(placement_parse_inventories(L(inv), "t", &v), 0, "inventories: parsed");
    ok(v.have[0] && v.have[1] && v.have[2], "inventories: three classes");
    ok(v.total[0] == 2 && v.ratio[0] == 16.0, "inventories: VCPU total and ratio");
    ok(v.total[1] == 24105 && v.reserved[1] == 512 && v.ratio[1] == 1.5,
       "inventories: MEMORY_MB total, reserved, ratio");
    is_int(placement_parse_usages(L(usages), "t", &v), 0, "usages: parsed");
    ok(v.used[0] == 2 && v.used[1] == 192 && v.used[2] == 1, "usages: per class");
    is_int(placement_parse_inventories(L("{\"inventories\": {\"VCPU\": {\"total\": 4}}}"), "t", &v),
           0, "inventories: only VCPU");
    ok(v.have[0] && !v.have[1] && v.ratio[0] == 1.0, "inventories: no ratio reads 1.0, absent "
       "classes not had");
    is_int(placement_parse_usages(L("{\"usages\": {\"VCPU\": -1}}"), "t", &v), -1,
           "usages: a negative count is refused");

    refuses("aggregates", aggs, p_aggs);
    refuses("server groups", groups_264, p_groups);
    refuses("inventories", inv, p_inv);
    refuses("usages", usages, p_use);
    return done_testing();
}
