/* SPDX-License-Identifier: Apache-2.0 */
/* placement-t.c: the Placement reply parsers (allocations, resource
 * providers, version document) on real-shaped replies, and against
 * truncated, malformed and HTTP 500 bodies. */
#include <config.h>

#include <string.h>

#include "openstack/placement.h"
#include "tap.h"
#include "util/log.h"
#include "util/mem.h"

#define L(s) (s), strlen(s)

/* A split brain as the lab's kill test leaves it: the instance consumer
 * was claimed on the destination, and the source host's share moved to
 * the migration consumer (here, for the sake of the merge rule, the
 * instance holds both). */
static const char split[] =
    "{\"allocations\": {"
    "\"aaaaaaaa-0000-4000-8000-000000000001\": {\"generation\": 7, \"resources\": "
    "{\"VCPU\": 1, \"MEMORY_MB\": 64, \"DISK_GB\": 1}},"
    "\"bbbbbbbb-0000-4000-8000-000000000002\": {\"generation\": 3, \"resources\": "
    "{\"VCPU\": 1, \"MEMORY_MB\": 64}}},"
    "\"consumer_generation\": 4, \"project_id\": \"p1\", \"user_id\": \"u1\"}";

static const char providers1[] =
    "{\"resource_providers\": [{\"uuid\": \"aaaaaaaa-0000-4000-8000-000000000001\", "
    "\"name\": \"node01\", \"generation\": 7, \"root_provider_uuid\": "
    "\"aaaaaaaa-0000-4000-8000-000000000001\", \"parent_provider_uuid\": null}]}";

static const char root_doc[] =
    "{\"versions\": [{\"id\": \"v1.0\", \"max_version\": \"1.39\", \"min_version\": \"1.0\", "
    "\"status\": \"CURRENT\", \"links\": [{\"rel\": \"self\", \"href\": \"\"}]}]}";

static int
p_allocs(const char *b, size_t n)
{
    struct ne_allocs a;
    int rc = placement_parse_allocations(b, n, "t", &a);
    ne_allocs_clear(&a);
    return rc;
}

static int
p_provider(const char *b, size_t n)
{
    char *u, *r;
    int rc = placement_parse_provider(b, n, "t", &u, &r);
    free(u);
    free(r);
    return rc;
}

static int
p_root(const char *b, size_t n)
{
    struct ne_mv mv;
    return placement_parse_root(b, n, "t", &mv);
}

/* Every strict prefix fails with exactly one error. */
static void
truncations(const char *name, const char *doc, int (*parse)(const char *, size_t))
{
    size_t len = strlen(doc), i;
    unsigned bad = 0;

    for (i = 0; i < len - 1; i++) {
        unsigned e0 = ne_error_count();
        if (parse(doc, i) != -1 || ne_error_count() - e0 != 1) bad++;
    }
    is_int(bad, 0, "%s: all %zu truncations fail with one error", name, len - 1);
}

static void
junk(const char *name, int (*parse)(const char *, size_t))
{
    static const char *const bodies[] = {
        "<html><body><h1>500 Internal Server Error</h1></body></html>",
        "{\"errors\": [{\"status\": 500, \"title\": \"Internal Server Error\"}]}",
        "[1, 2, 3]", "null", "{\"allocations\": [], \"resource_providers\": {}}",
        "{\"allocations\": {\"x\": {\"resources\": {\"VCPU\": \"one\"}}}}",
        "{\"allocations\": {\"x\": {\"resources\": {\"VCPU\": -1}}}}",
        "{\"allocations\": {\"x\": {}}}",
        "{\"versions\": [{\"status\": \"CURRENT\", \"max_version\": \"one\"}]}",
        "{\"resource_providers\": [{\"name\": \"node01\"}]}",
    };
    size_t i;
    unsigned bad = 0;

    for (i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        unsigned e0 = ne_error_count();
        int rc = parse(L(bodies[i]));
        if (rc == 0 || (rc == -1 && ne_error_count() - e0 != 1)) bad++;
    }
    is_int(bad, 0, "%s: HTTP 500 bodies and wrong shapes are refused with one error", name);
}

static void
allocations(void)
{
    struct ne_allocs a;
    json_t *j;
    char *s;

    is_int(placement_parse_allocations(L(split), "t", &a), 0, "allocations: parsed");
    is_int(a.n, 2, "allocations: two providers");
    is_int(a.consumer_generation, 4, "allocations: consumer generation");
    is_str(a.project_id, "p1", "allocations: project");
    is_str(a.user_id, "u1", "allocations: user");
    is_int(a.v[0].generation, 7, "allocations: provider generation");
    is_int(ne_allocs_amount(&a, NULL, "MEMORY_MB"), 64, "amount: per class the largest, not the sum");
    is_int(ne_allocs_amount(&a, NULL, "DISK_GB"), 1, "amount: a class only one provider holds");
    is_int(ne_allocs_amount(&a, "bbbbbbbb-0000-4000-8000-000000000002", "DISK_GB"), 0,
           "amount: none on that provider");
    ok(!ne_allocs_only_on(&a, "aaaaaaaa-0000-4000-8000-000000000001"),
       "only_on: false while split across two providers");
    j = ne_allocs_json(&a);
    s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    is_str(s, "{\"aaaaaaaa-0000-4000-8000-000000000001\":{\"DISK_GB\":1,\"MEMORY_MB\":64,"
              "\"VCPU\":1},\"bbbbbbbb-0000-4000-8000-000000000002\":{\"MEMORY_MB\":64,"
              "\"VCPU\":1}}", "allocations as JSON for the audit log");
    free(s);
    json_decref(j);
    ne_allocs_clear(&a);

    is_int(placement_parse_allocations(L("{\"allocations\": {}}"), "t", &a), 0,
           "no allocations: parsed");
    is_int(a.n, 0, "no allocations: none");
    is_int(a.consumer_generation, -1, "no allocations: no consumer generation");
    ok(!ne_allocs_only_on(&a, "x"), "only_on: false for an empty consumer");
    ne_allocs_clear(&a);

    is_int(placement_parse_allocations(L("{\"allocations\": {\"r1\": {\"resources\": "
                                         "{\"VCPU\": 2}}}, \"consumer_generation\": 1}"),
                                       "t", &a), 0, "one provider: parsed");
    ok(ne_allocs_only_on(&a, "r1"), "only_on: true on its one provider");
    ok(!ne_allocs_only_on(&a, "r2"), "only_on: false for another provider");
    ne_allocs_clear(&a);
}

static void
providers(void)
{
    char *u = NULL, *r = NULL;

    is_int(placement_parse_provider(L(providers1), "t", &u, &r), 0, "provider: one found");
    is_str(u, "aaaaaaaa-0000-4000-8000-000000000001", "provider: uuid");
    is_str(r, "aaaaaaaa-0000-4000-8000-000000000001", "provider: root");
    free(u);
    free(r);
    is_int(placement_parse_provider(L("{\"resource_providers\": []}"), "t", &u, NULL), 1,
           "provider: none");
    ok(u == NULL, "provider: none gives no uuid");
    is_int(placement_parse_provider(L("{\"resource_providers\": [{\"uuid\": \"a\"}, "
                                      "{\"uuid\": \"b\"}]}"), "t", &u, NULL), 2,
           "provider: several");
    ok(u == NULL, "provider: several give no uuid");
}

static void
root(void)
{
    struct ne_mv mv;

    is_int(placement_parse_root(L(root_doc), "t", &mv), 0, "root: parsed");
    ok(mv.major == 1 && mv.minor == 39, "root: max_version 1.39");
}

int
main(void)
{
    ne_set_quiet(true);
    allocations();
    providers();
    root();
    truncations("allocations", split, p_allocs);
    truncations("providers", providers1, p_provider);
    truncations("root", root_doc, p_root);
    junk("allocations", p_allocs);
    junk("providers", p_provider);
    junk("root", p_root);
    return done_testing();
}
