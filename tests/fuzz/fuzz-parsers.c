/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz-parsers.c: libFuzzer target for everything nova-evac parses from
 * the network or from the user's files: Keystone token and catalog,
 * version documents, error bodies, Glance images, Nova, Placement and Neutron replies, the
 * clouds.yaml resolver, and the log redaction.  Built by `make fuzz` (clang -fsanitize=fuzzer,address,
 * undefined); run by tests/fuzz/run.sh with tests/unit/data/os as seeds.
 * One family of parsers per input, chosen by the input's length, so each
 * execution is cheap and every family sees every kind of seed. */
#include <config.h>

#include <stdint.h>
#include <string.h>

#include "openstack/clouds.h"
#include "openstack/neutron.h"
#include "openstack/nova.h"
#include "openstack/osjson.h"
#include "openstack/placement.h"
#include "util/mem.h"
#include "util/redact.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
keystone(const char *b, size_t n)
{
    struct ne_token_info t;
    struct ne_mv min, max;

    if (os_parse_token(b, n, "fuzz", &t) == 0) {
        free(os_catalog_summary(&t));
        (void)os_catalog_find(&t, "compute", "publicURL", "RegionOne");
        (void)os_catalog_find(&t, "block-storage", "internal", NULL);
        os_token_info_clear(&t);
    }
    (void)os_parse_version(b, n, "fuzz", &min, &max);
    free(os_error_text(b, n));
}

/* Placement: allocations, resource providers, the version document. */
static void
placement(const char *b, size_t n)
{
    struct ne_allocs a;
    struct ne_mv mv;
    char *u, *r;

    if (placement_parse_allocations(b, n, "fuzz", &a) == 0) {
        json_decref(ne_allocs_json(&a));
        json_decref(ne_allocs_resources(&a));
        (void)ne_allocs_only_on(&a, "x");
        ne_allocs_clear(&a);
    }
    if (placement_parse_provider(b, n, "fuzz", &u, &r) == 0) {
        free(u);
        free(r);
    }
    (void)placement_parse_root(b, n, "fuzz", &mv);
}

/* Neutron: ports, bindings, agents, extensions, and the bridge name. */
static void
neutron(const char *b, size_t n)
{
    struct ne_port *p = NULL, one;
    struct ne_binding *bv = NULL, bone;
    struct ne_agent *a = NULL;
    size_t np = 0, nb = 0, na = 0, i;

    if (neutron_parse_ports(b, n, "fuzz", &p, &np) == 0)
        for (i = 0; i < np; i++) free(ne_port_bridge(p[i].b.bridge_name, p[i].network_id));
    ne_ports_free(p, np);
    if (neutron_parse_port(b, n, "fuzz", &one) == 0) ne_port_clear(&one);
    neutron_parse_bindings(b, n, "fuzz", &bv, &nb);
    ne_bindings_free(bv, nb);
    if (neutron_parse_binding(b, n, "fuzz", &bone) == 0) ne_binding_clear(&bone);
    if (neutron_parse_agents(b, n, "fuzz", &a, &na) == 0)
        for (i = 0; i < na; i++) (void)ne_agent_is_l2(a[i].agent_type);
    ne_agents_free(a, na);
    (void)neutron_parse_has_extension(b, n, "fuzz", "binding-extended");
}

static void
nova(const char *b, size_t n)
{
    struct ne_server *s = NULL, one;
    struct ne_service *sv = NULL, svc;
    struct ne_hypervisor *h = NULL;
    struct ne_migration *m = NULL, mig;
    size_t ns = 0, nsv = 0, nh = 0, nm = 0;
    bool more;

    nova_parse_servers(b, n, "fuzz", &s, &ns, &more);
    ne_servers_free(s, ns);
    if (nova_parse_server(b, n, "fuzz", &one) == 0) ne_server_clear(&one);
    nova_parse_services(b, n, "fuzz", &sv, &nsv);
    ne_services_free(sv, nsv);
    if (nova_parse_service(b, n, "fuzz", &svc) == 0) ne_service_clear(&svc);
    nova_parse_hypervisors(b, n, "fuzz", &h, &nh);
    ne_hypervisors_free(h, nh);
    nova_parse_migrations(b, n, "fuzz", &m, &nm, &more);
    ne_migrations_free(m, nm);
    if (nova_parse_migration(b, n, "fuzz", &mig) == 0) ne_migration_clear(&mig);
    placement(b, n);
    neutron(b, n);
}

/* The Glance list and import-info replies (image-copy). */
static void
glance_list(const char *b, size_t n)
{
    struct ne_image *l;
    size_t k, i;
    bool next;
    char **m;

    if (glance_parse_image_list(b, n, "fuzz", &l, &k, &next) == 0) {
        for (i = 0; i < k; i++) ne_image_clear(&l[i]);
        free(l);
    }
    if (glance_parse_import_methods(b, n, "fuzz", &m) == 0) {
        for (i = 0; m[i]; i++) free(m[i]);
        free(m);
    }
}

static void
text(const char *b, size_t n)
{
    struct ne_image im;
    struct ne_cloud c;
    char *env[] = {"OS_CLOUD=lab", NULL};
    struct ne_cloud_args a = {0};
    char *z = xstrndup(b, n > 64 ? 64 : n);
    time_t t;
    struct ne_mv mv;

    if (glance_parse_image(b, n, "fuzz", &im) == 0) ne_image_clear(&im);
    glance_list(b, n);
    if (clouds_resolve(b, n, "fuzz.yaml", b, n, "fuzz-secure.yaml", env, &a, &c) == 0)
        ne_cloud_clear(&c);
    free(redact_body(b, n, 512));
    free(redact_header(b, n));
    (void)os_parse_time(z, &t);
    (void)os_mv_parse(z, &mv);
    free(z);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *b = (const char *)data;

    switch (size % 3) {
    case 0: keystone(b, size); break;
    case 1: nova(b, size); break;
    default: text(b, size); break;
    }
    return 0;
}
