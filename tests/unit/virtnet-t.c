/* SPDX-License-Identifier: Apache-2.0 */
/* virtnet-t.c: a guest's interfaces from its domain XML (as Nova writes a
 * linux-bridge VIF, an openvswitch one and a tap), and the rewrite of the
 * bridges the destination gets (virt-net.h). */
#include <config.h>

#include <string.h>

#include "tap.h"
#include "util/log.h"
#include "util/mem.h"
#include "virt/virt-net.h"

static const char xml[] =
    "<domain type='kvm'><name>instance-00000007</name>"
    "<uuid>11111111-2222-4333-8444-555555555555</uuid><devices>"
    "<disk type='file' device='disk'><source file='/x'/><target dev='vda'/></disk>"
    "<interface type='bridge'><mac address='FA:16:3E:27:0E:A2'/>"
    "<source bridge='brq0ed2220f-8d'/><target dev='tap3e451030-3d'/><model type='virtio'/>"
    "<mtu size='1500'/></interface>"
    "<interface type='bridge'><mac address='fa:16:3e:00:00:02'/><source bridge='br-int'/>"
    "<virtualport type='openvswitch'><parameters interfaceid='9e45'/></virtualport>"
    "<target dev='tap9e451030-3d'/></interface>"
    "<interface type='ethernet'><mac address='fa:16:3e:00:00:03'/><target dev='tapx'/>"
    "</interface></devices></domain>";

static void
parse(void)
{
    struct ne_iface *v;
    size_t n;

    is_int(ne_ifaces_parse(xml, "t", &v, &n), 0, "interfaces: parsed");
    is_int(n, 3, "interfaces: three");
    is_str(v[0].type, "bridge", "linux bridge: type");
    is_str(v[0].mac, "fa:16:3e:27:0e:a2", "linux bridge: MAC, lower case");
    is_str(v[0].bridge, "brq0ed2220f-8d", "linux bridge: source bridge");
    is_str(v[0].target, "tap3e451030-3d", "linux bridge: tap");
    ok(v[0].virtualport == NULL, "linux bridge: no virtualport");
    is_str(v[1].virtualport, "openvswitch", "ovs: virtualport");
    is_str(v[2].type, "ethernet", "tap: type");
    ok(v[2].bridge == NULL, "tap: no bridge");
    ne_ifaces_free(v, n);

    is_int(ne_ifaces_parse("<domain><devices/></domain>", "t", &v, &n), 0, "none: parsed");
    is_int(n, 0, "none: no interface");
    ne_ifaces_free(v, n);
    is_int(ne_ifaces_parse("<domain><devices><interface", "t", &v, &n), -1, "truncated: refused");
    is_int(ne_ifaces_parse("<network/>", "t", &v, &n), -1, "not a domain: refused");
}

static void
rewrite(void)
{
    const char *macs[] = {"fa:16:3e:27:0e:a2", "fa:16:3e:00:00:03", "fa:16:3e:99:99:99"};
    const char *brs[] = {"br-phys1", "brqnew", "brqnone"};
    struct ne_iface *v;
    size_t n, changed = 9;
    char *out = ne_xml_set_bridges(xml, "t", macs, brs, 3, &changed);

    ok(out != NULL, "rewrite: done");
    is_int(changed, 2, "rewrite: the two interfaces with those MACs, not a MAC the guest lacks");
    is_int(ne_ifaces_parse(out, "t", &v, &n), 0, "rewrite: still a domain");
    is_int(n, 3, "rewrite: no interface added or lost");
    is_str(v[0].bridge, "br-phys1", "rewrite: the bridge VIF names the destination's bridge "
           "(MAC matched case-insensitively)");
    is_str(v[0].target, "tap3e451030-3d", "rewrite: the tap name is kept");
    is_str(v[1].bridge, "br-int", "rewrite: an interface not listed is untouched");
    is_str(v[2].bridge, "brqnew", "rewrite: an interface without <source> gets one");
    ok(strstr(out, "<uuid>11111111-2222-4333-8444-555555555555</uuid>") &&
       strstr(out, "source file=\"/x\""), "rewrite: the rest of the XML is kept");
    ne_ifaces_free(v, n);
    free(out);

    out = ne_xml_set_bridges(xml, "t", macs, brs, 0, &changed);
    is_int(changed, 0, "rewrite: nothing asked, nothing changed");
    free(out);
    ok(ne_xml_set_bridges("<domain", "t", macs, brs, 1, &changed) == NULL,
       "rewrite: malformed XML refused");
}

int
main(void)
{
    ne_set_quiet(true);
    parse();
    rewrite();
    return done_testing();
}
