/* SPDX-License-Identifier: Apache-2.0 */
/* novajson-t.c: Nova reply parsers across microversions, and against
 * truncated, malformed and HTTP 500 bodies. */
#include <config.h>

#include <string.h>

#include "openstack/nova.h"
#include "osdata.h"
#include "tap.h"

#define L(s) (s), strlen(s)
#include "util/log.h"

/* Every prefix of a valid reply must fail with exactly one error and leave
 * nothing to leak (or, for the full length, succeed). */
static void
truncations(const char *file, int (*parse)(const char *, size_t))
{
    size_t len, i;
    CLEANUP_FREE char *doc = osdata(file, &len);
    unsigned bad = 0;

    for (i = 0; i < len - 1; i++) {
        unsigned e0 = ne_error_count();
        if (parse(doc, i) == 0 || ne_error_count() - e0 != 1) bad++;
    }
    is_int(bad, 0, "%s: all %zu truncations fail with one error", file, len - 1);
}

static int
p_servers(const char *b, size_t n)
{
    struct ne_server *s = NULL;
    size_t k = 0;
    bool more;
    int rc = nova_parse_servers(b, n, "t", &s, &k, &more);
    ne_servers_free(s, k);
    return rc;
}

static int
p_migrations(const char *b, size_t n)
{
    struct ne_migration *m = NULL;
    size_t k = 0;
    bool more;
    int rc = nova_parse_migrations(b, n, "t", &m, &k, &more);
    ne_migrations_free(m, k);
    return rc;
}

static int
p_services(const char *b, size_t n)
{
    struct ne_service *s = NULL;
    size_t k = 0;
    int rc = nova_parse_services(b, n, "t", &s, &k);
    ne_services_free(s, k);
    return rc;
}

static int
p_hypervisors(const char *b, size_t n)
{
    struct ne_hypervisor *h = NULL;
    size_t k = 0;
    int rc = nova_parse_hypervisors(b, n, "t", &h, &k);
    ne_hypervisors_free(h, k);
    return rc;
}

static void
test_servers(void)
{
    size_t l1, l2, n = 0;
    CLEANUP_FREE char *p1 = osdata("nova-servers-p1.json", &l1);
    CLEANUP_FREE char *p2 = osdata("nova-servers-p2.json", &l2);
    struct ne_server *s = NULL;
    bool more;

    ok(nova_parse_servers(p1, l1, "t", &s, &n, &more) == 0 && n == 2 && more,
       "page 1: two servers and a next link");
    ok(nova_parse_servers(p2, l2, "t", &s, &n, &more) == 0 && n == 3 && !more,
       "page 2 appended, no next link");
    is_str(s[0].host, "node02", "host");
    is_str(s[0].flavor, "m1.tiny", "2.47+: flavor original_name");
    is_int(s[0].flavor_ram_mb, 64, "2.47+: flavor ram");
    is_int(s[0].power_state, 1, "power state");
    is_str(s[0].image_id, "22222222-2222-4222-8222-222222222222", "image id");
    ok(s[1].image_id == NULL && s[1].locked, "boot from volume (image \"\"), locked");
    is_str(s[1].task_state, "migrating", "task state");
    is_str(s[2].flavor, "1", "before 2.47: flavor id");
    is_int(s[2].flavor_vcpus, -1, "before 2.47: no vcpus");
    is_str(s[2].fault_message, "Unauthorized (HTTP 401)", "fault of an ERROR instance");
    ne_servers_free(s, n);
    truncations("nova-servers-p1.json", p_servers);
}

static void
test_bad_bodies(void)
{
    size_t len;
    CLEANUP_FREE char *e500 = osdata("nova-500.json", &len);
    struct ne_server *s = NULL, one;
    size_t n = 0;
    bool more;
    unsigned e0 = ne_error_count();

    ok(nova_parse_servers(e500, len, "t", &s, &n, &more) < 0 && n == 0,
       "an HTTP 500 body is not a server list");
    ok(nova_parse_servers(L("<html>502 Bad Gateway</html>"), "t", &s, &n, &more) < 0,
       "an HTML body fails");
    ok(nova_parse_servers(L("{\"servers\": {}}"), "t", &s, &n, &more) < 0, "servers not a list");
    ok(nova_parse_servers(L("{\"servers\": [1]}"), "t", &s, &n, &more) < 0, "a server not an object");
    ok(nova_parse_servers(L("{\"servers\": [{\"name\":\"x\"}]}"), "t", &s, &n, &more) < 0,
       "a server without id");
    ok(nova_parse_servers(L(""), "t", &s, &n, &more) < 0, "empty body");
    ok(nova_parse_servers("{\"servers\":[]}\0junk", sizeof "{\"servers\":[]}\0junk" - 1, "t", &s, &n, &more) < 0, "NUL and junk after");
    is_int(ne_error_count() - e0, 7, "one error per bad body");
    ne_servers_free(s, n);
    ok(nova_parse_servers(L("{\"servers\":[{\"id\":7,\"name\":[],\"status\":null,"
                          "\"OS-EXT-STS:power_state\":\"1\",\"flavor\":\"x\",\"fault\":3}],"
                          "\"servers_links\":\"x\"}"), "t", &s, &n, &more) == 0,
       "fields of the wrong types are ignored");
    ok(n == 1 && str_eq(s[0].id, "7") && !s[0].name && s[0].power_state == -1 && !more,
       "... integer id as text, the rest unknown");
    ne_servers_free(s, n);
    ok(nova_parse_server(L("{\"server\":{\"id\":\"x\",\"status\":\"ACTIVE\"}}"), "t", &one) == 0 &&
           str_eq(one.status, "ACTIVE"), "one server");
    ne_server_clear(&one);
    ok(nova_parse_server(L("{\"itemNotFound\":{\"code\":404,\"message\":\"x\"}}"), "t", &one) < 0,
       "a 404 body is not a server");
}

static void
test_services(void)
{
    size_t len, n = 0;
    CLEANUP_FREE char *d53 = osdata("nova-services-253.json", &len);
    struct ne_service *s = NULL, one;

    ok(nova_parse_services(d53, len, "t", &s, &n) == 0 && n == 2, "2.53 services");
    is_str(s[1].id, "8c5d3a8e-1111-4aaa-9bbb-000000000002", "2.53: uuid id");
    is_str(s[1].disabled_reason, "nova-evac drain", "disabled reason");
    is_str(s[1].status, "disabled", "status");
    ne_services_free(s, n);
    {
        size_t l;
        CLEANUP_FREE char *old = osdata("nova-services-old.json", &l);
        s = NULL;
        n = 0;
        ok(nova_parse_services(old, l, "t", &s, &n) == 0 && n == 1 && str_eq(s[0].id, "7") &&
               str_eq(s[0].state, "down"),
           "pre-2.53 services: integer id as text");
        ne_services_free(s, n);
    }
    {
        size_t l;
        CLEANUP_FREE char *put = osdata("nova-service-put-old.json", &l);
        ok(nova_parse_service(put, l, "t", &one) == 0 && !one.id &&
               str_eq(one.disabled_reason, "maintenance"),
           "pre-2.53 PUT reply (no id)");
        ne_service_clear(&one);
    }
    truncations("nova-services-253.json", p_services);
}

static void
test_hypervisors_migrations(void)
{
    size_t len, n = 0;
    CLEANUP_FREE char *hv = osdata("nova-hypervisors.json", &len);
    CLEANUP_FREE char *mg = NULL, *sm = NULL;
    struct ne_hypervisor *h = NULL;
    struct ne_migration *m = NULL;
    bool more;

    ok(nova_parse_hypervisors(hv, len, "t", &h, &n) == 0 && n == 2, "hypervisors");
    ok(str_eq(h[0].host, "node01") && h[0].running_vms == -1, "2.88: no counters, host from service");
    ok(h[1].running_vms == 3 && str_eq(h[1].id, "2") && str_eq(h[1].disabled_reason, "drain"),
       "older: counters and integer id");
    ok(!h[0].have_disk && h[1].have_disk && h[1].disk_available_least == -3 &&
           h[1].free_disk_gb == 599997,
       "disk_available_least (negative too) and free_disk_gb before 2.88, none after");
    ne_hypervisors_free(h, n);
    truncations("nova-hypervisors.json", p_hypervisors);
    mg = osdata("nova-migrations.json", &len);
    n = 0;
    ok(nova_parse_migrations(mg, len, "t", &m, &n, &more) == 0 && n == 2 && more,
       "os-migrations with a next link");
    ok(str_eq(m[0].uuid, "5e1d2c3b-aaaa-4bbb-8ccc-000000000012") && str_eq(m[0].id, "12") &&
           str_eq(m[0].type, "live-migration"),
       "2.59: uuid, id, type");
    ok(m[1].uuid == NULL && m[1].type == NULL && str_eq(m[1].status, "finished"),
       "older record: no uuid, no type");
    ne_migrations_free(m, n);
    truncations("nova-migrations.json", p_migrations);
    sm = osdata("nova-server-migrations.json", &len);
    m = NULL;
    n = 0;
    ok(nova_parse_migrations(sm, len, "t", &m, &n, &more) == 0 && n == 1 &&
           m[0].memory_remaining == 65011712 && str_eq(m[0].instance_uuid,
                                                       "11111111-1111-4111-8111-111111111111"),
       "server migrations: progress and server_uuid");
    ne_migrations_free(m, n);
}

int
main(void)
{
    test_servers();
    test_bad_bodies();
    test_services();
    test_hypervisors_migrations();
    return done_testing();
}
