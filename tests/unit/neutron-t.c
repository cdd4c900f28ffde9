/* SPDX-License-Identifier: Apache-2.0 */
/* neutron-t.c: the Neutron reply parsers (ports, bindings, agents,
 * extensions) on replies shaped as the lab's neutron-server writes them,
 * and against truncated, malformed and HTTP 500 bodies; the bridge name
 * and L2-agent rules. */
#include <config.h>

#include <string.h>

#include "openstack/neutron.h"
#include "tap.h"
#include "util/log.h"
#include "util/mem.h"

#define L(s) (s), strlen(s)

/* GET /v2.0/ports?device_id=...: one port bound to node02 by the
 * linuxbridge driver on a pre-created bridge, one that failed to bind. */
static const char ports2[] =
    "{\"ports\":[{\"id\":\"3e451030-3d5e-4bec-b497-b0f39424d090\",\"name\":\"\","
    "\"network_id\":\"0ed2220f-8dde-466f-b92f-ae19a89bab18\",\"tenant_id\":\"a311\","
    "\"mac_address\":\"fa:16:3e:27:0e:a2\",\"admin_state_up\":true,\"status\":\"ACTIVE\","
    "\"device_id\":\"11111111-2222-4333-8444-555555555555\",\"device_owner\":\"compute:nova\","
    "\"fixed_ips\":[{\"subnet_id\":\"s1\",\"ip_address\":\"10.99.0.5\"}],"
    "\"binding:vnic_type\":\"normal\",\"binding:profile\":{},\"binding:host_id\":\"node02\","
    "\"binding:vif_type\":\"bridge\",\"binding:vif_details\":{\"connectivity\":\"l2\","
    "\"port_filter\":true,\"bridge_name\":\"br-phys1\"},\"revision_number\":4},"
    "{\"id\":\"9e451030-3d5e-4bec-b497-b0f39424d091\",\"network_id\":\"1ed2220f-8dde-466f\","
    "\"mac_address\":\"fa:16:3e:27:0e:a3\",\"status\":\"DOWN\",\"device_id\":\"11111111\","
    "\"device_owner\":\"compute:nova\",\"binding:vnic_type\":\"normal\",\"binding:profile\":{},"
    "\"binding:host_id\":\"node02\",\"binding:vif_type\":\"binding_failed\","
    "\"binding:vif_details\":{}}]}";

/* GET /v2.0/ports/{id}/bindings in the middle of a move. */
static const char bindings2[] =
    "{\"bindings\": [{\"host\": \"node02\", \"vif_type\": \"bridge\", \"vnic_type\": \"normal\", "
    "\"status\": \"ACTIVE\", \"profile\": {}, \"vif_details\": {\"connectivity\": \"l2\", "
    "\"port_filter\": true}}, {\"host\": \"node03\", \"vif_type\": \"ovs\", \"vnic_type\": "
    "\"normal\", \"status\": \"INACTIVE\", \"profile\": {}, \"vif_details\": "
    "{\"ovs_hybrid_plug\": true, \"port_filter\": true, \"bridge_name\": \"br-int\"}}]}";

/* POST /v2.0/ports/{id}/bindings: 201. */
static const char binding1[] =
    "{\"binding\": {\"host\": \"node03\", \"vif_type\": \"bridge\", \"vnic_type\": \"normal\", "
    "\"status\": \"INACTIVE\", \"profile\": {}, \"vif_details\": {\"connectivity\": \"l2\", "
    "\"port_filter\": true}}}";

/* PUT /v2.0/ports/{id} {"port": {"binding:host_id": ...}} without an agent. */
static const char port1[] =
    "{\"port\":{\"id\":\"3e451030-3d5e-4bec-b497-b0f39424d090\",\"network_id\":\"0ed2220f\","
    "\"status\":\"DOWN\",\"device_id\":\"neutron-probe-dev\",\"device_owner\":\"compute:nova\","
    "\"binding:vnic_type\":\"normal\",\"binding:profile\":{},\"binding:host_id\":\"node02\","
    "\"binding:vif_type\":\"binding_failed\",\"binding:vif_details\":{}}}";

static const char agents2[] =
    "{\"agents\": [{\"id\": \"a1\", \"agent_type\": \"Linux bridge agent\", \"binary\": "
    "\"neutron-linuxbridge-agent\", \"topic\": \"N/A\", \"host\": \"node03\", "
    "\"admin_state_up\": true, \"alive\": true, \"configurations\": {\"bridge_mappings\": "
    "{\"physnet1\": \"br-phys1\"}, \"interface_mappings\": {\"physnet2\": \"prov0\"}}}, "
    "{\"id\": \"a2\", \"agent_type\": \"DHCP agent\", \"binary\": \"neutron-dhcp-agent\", "
    "\"host\": \"node03\", \"admin_state_up\": true, \"alive\": false}]}";

static const char exts[] =
    "{\"extensions\": [{\"name\": \"Port Binding\", \"alias\": \"binding\", \"description\": "
    "\"Expose port bindings of a virtual port to external application\", \"updated\": "
    "\"2014-02-03T10:00:00-00:00\", \"links\": []}, {\"name\": \"Port Bindings Extended\", "
    "\"alias\": \"binding-extended\", \"description\": \"Expose port bindings\", \"updated\": "
    "\"2017-07-17T10:00:00-00:00\", \"links\": []}]}";

static int
p_ports(const char *b, size_t n)
{
    struct ne_port *p;
    size_t np;
    int rc = neutron_parse_ports(b, n, "t", &p, &np);
    ne_ports_free(p, np);
    return rc;
}

static int
p_port(const char *b, size_t n)
{
    struct ne_port p;
    int rc = neutron_parse_port(b, n, "t", &p);
    ne_port_clear(&p);
    return rc;
}

static int
p_bindings(const char *b, size_t n)
{
    struct ne_binding *v;
    size_t nv;
    int rc = neutron_parse_bindings(b, n, "t", &v, &nv);
    ne_bindings_free(v, nv);
    return rc;
}

static int
p_binding(const char *b, size_t n)
{
    struct ne_binding v;
    int rc = neutron_parse_binding(b, n, "t", &v);
    ne_binding_clear(&v);
    return rc;
}

static int
p_agents(const char *b, size_t n)
{
    struct ne_agent *a;
    size_t na;
    int rc = neutron_parse_agents(b, n, "t", &a, &na);
    ne_agents_free(a, na);
    return rc;
}

static int
p_exts(const char *b, size_t n)
{
    int rc = neutron_parse_has_extension(b, n, "t", "binding-extended");
    return rc == 1 ? 0 : rc < 0 ? -1 : 2;
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
        "{\"NeutronError\": {\"type\": \"PortBindingError\", \"message\": \"Binding for port x "
        "on host node03 could not be created or updated.\", \"detail\": \"\"}}",
        "[1, 2, 3]", "null", "{\"ports\": {}, \"bindings\": \"x\", \"agents\": 1, "
        "\"extensions\": null, \"port\": [], \"binding\": 3}",
        "{\"ports\": [{\"name\": \"no id\"}], \"bindings\": [{\"vif_type\": \"ovs\"}], "
        "\"agents\": [{\"id\": \"a\"}], \"port\": {\"id\": \"\"}, \"binding\": {\"host\": 7}}",
        "{\"ports\": [3], \"bindings\": [null], \"agents\": [\"x\"], \"port\": null, "
        "\"binding\": []}",
    };
    size_t i;
    unsigned bad = 0;

    for (i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        unsigned e0 = ne_error_count();
        int rc = parse(L(bodies[i]));
        if (rc != -1 || ne_error_count() - e0 != 1) bad++;
    }
    is_int(bad, 0, "%s: HTTP 500 bodies and wrong shapes are refused with one error", name);
}

static void
ports(void)
{
    struct ne_port *p, one;
    size_t n;
    char *br;

    is_int(neutron_parse_ports(L(ports2), "t", &p, &n), 0, "ports: parsed");
    is_int(n, 2, "ports: two");
    is_str(p[0].id, "3e451030-3d5e-4bec-b497-b0f39424d090", "ports: id");
    is_str(p[0].network_id, "0ed2220f-8dde-466f-b92f-ae19a89bab18", "ports: network");
    is_str(p[0].mac, "fa:16:3e:27:0e:a2", "ports: MAC");
    is_str(p[0].status, "ACTIVE", "ports: status");
    is_str(p[0].device_owner, "compute:nova", "ports: owner");
    is_str(p[0].b.host, "node02", "ports: binding host");
    is_str(p[0].b.vif_type, "bridge", "ports: vif type");
    is_str(p[0].b.vnic_type, "normal", "ports: vnic type");
    is_str(p[0].b.bridge_name, "br-phys1", "ports: bridge from vif_details");
    ok(p[0].b.status == NULL, "ports: a port's own binding has no status");
    is_str(p[1].b.vif_type, "binding_failed", "ports: failed binding kept as Neutron says");
    ok(p[1].b.bridge_name == NULL, "ports: no bridge in empty vif_details");
    ne_ports_free(p, n);

    is_int(neutron_parse_ports(L("{\"ports\": []}"), "t", &p, &n), 0, "ports: none parsed");
    is_int(n, 0, "ports: none");
    ne_ports_free(p, n);

    is_int(neutron_parse_port(L(port1), "t", &one), 0, "port: parsed");
    is_str(one.b.host, "node02", "port: binding:host_id");
    is_str(one.b.vif_type, "binding_failed", "port: binding_failed without an agent");
    ne_port_clear(&one);

    br = ne_port_bridge(NULL, "0ed2220f-8dde-466f-b92f-ae19a89bab18");
    is_str(br, "brq0ed2220f-8d", "bridge: brq and the network id's first 11 characters");
    free(br);
    br = ne_port_bridge("", "0ed2220f-8dde");
    is_str(br, "brq0ed2220f-8d", "bridge: an empty bridge_name does not count");
    free(br);
    br = ne_port_bridge("br-phys1", "0ed2220f-8dde");
    is_str(br, "br-phys1", "bridge: vif_details' bridge_name wins");
    free(br);
    br = ne_port_bridge(NULL, "abc");
    is_str(br, "brqabc", "bridge: a short network id is taken whole");
    free(br);
    ok(ne_port_bridge(NULL, NULL) == NULL, "bridge: none without a network");
}

static void
bindings(void)
{
    struct ne_binding *b, one;
    size_t n;

    is_int(neutron_parse_bindings(L(bindings2), "t", &b, &n), 0, "bindings: parsed");
    is_int(n, 2, "bindings: two during a move");
    is_str(b[0].host, "node02", "bindings: source host");
    is_str(b[0].status, "ACTIVE", "bindings: source active");
    ok(b[0].bridge_name == NULL && !b[0].ovs_hybrid, "bindings: linuxbridge details");
    is_str(b[1].host, "node03", "bindings: destination host");
    is_str(b[1].status, "INACTIVE", "bindings: destination inactive");
    is_str(b[1].vif_type, "ovs", "bindings: destination vif type");
    ok(b[1].ovs_hybrid, "bindings: ovs_hybrid_plug");
    is_str(b[1].bridge_name, "br-int", "bindings: ovs bridge");
    ne_bindings_free(b, n);

    is_int(neutron_parse_bindings(L("{\"bindings\": [{\"host\": \"\", \"vif_type\": \"unbound\", "
                                    "\"vnic_type\": \"normal\", \"status\": \"ACTIVE\", "
                                    "\"profile\": {}, \"vif_details\": {}}]}"), "t", &b, &n),
           0, "bindings: an unbound port parsed");
    is_str(b[0].host, "", "bindings: unbound host is empty");
    ne_bindings_free(b, n);

    is_int(neutron_parse_binding(L(binding1), "t", &one), 0, "binding: parsed");
    is_str(one.host, "node03", "binding: host");
    is_str(one.status, "INACTIVE", "binding: a new binding is inactive");
    ne_binding_clear(&one);
}

static void
agents(void)
{
    struct ne_agent *a;
    size_t n;

    is_int(neutron_parse_agents(L(agents2), "t", &a, &n), 0, "agents: parsed");
    is_int(n, 2, "agents: two");
    is_str(a[0].agent_type, "Linux bridge agent", "agents: type");
    is_str(a[0].host, "node03", "agents: host");
    ok(a[0].alive && a[0].admin_state_up, "agents: alive and up");
    ok(!a[1].alive, "agents: a dead one");
    ok(ne_agent_is_l2(a[0].agent_type), "L2: the Linux bridge agent");
    ok(!ne_agent_is_l2(a[1].agent_type), "L2: not the DHCP agent");
    ok(ne_agent_is_l2("Open vSwitch agent"), "L2: the Open vSwitch agent");
    ok(!ne_agent_is_l2("L3 agent") && !ne_agent_is_l2(NULL), "L2: not L3, not unknown");
    ne_agents_free(a, n);
}

static void
extensions(void)
{
    is_int(neutron_parse_has_extension(L(exts), "t", "binding-extended"), 1,
           "extensions: binding-extended found");
    is_int(neutron_parse_has_extension(L(exts), "t", "binding-extended-x"), 0,
           "extensions: an alias not listed");
    is_int(neutron_parse_has_extension(L("{\"extensions\": [{\"alias\": \"binding\"}]}"), "t",
                                       "binding-extended"), 0,
           "extensions: 'binding' alone is not the extended one");
}

int
main(void)
{
    ne_set_quiet(true);
    ports();
    bindings();
    agents();
    extensions();
    truncations("ports", ports2, p_ports);
    truncations("port", port1, p_port);
    truncations("bindings", bindings2, p_bindings);
    truncations("binding", binding1, p_binding);
    truncations("agents", agents2, p_agents);
    truncations("extensions", exts, p_exts);
    junk("ports", p_ports);
    junk("port", p_port);
    junk("bindings", p_bindings);
    junk("binding", p_binding);
    junk("agents", p_agents);
    return done_testing();
}
