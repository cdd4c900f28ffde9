/* SPDX-License-Identifier: Apache-2.0 */
/* check-t.c: the pure parts of `nova-evac check`: findings and the exit
 * code they give, the machine-type map (the file hooks/qemu reads) and
 * the suggestion for a missing machine type, libvirt URI host/port, and
 * the capabilities XML parsers (real-shaped replies of libvirt 9.0 and of
 * an old libvirt with per-domain-type machines, truncated, wrong root). */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check/check.h"
#include "model/findings.h"
#include "tap.h"
#include "util/config.h"
#include "util/ini.h"
#include "util/log.h"
#include "util/mem.h"
#include "virt/virt.h"

static const char caps_new[] =
    "<capabilities>\n"
    "  <host><uuid>77770000-0000-4000-8000-000000000001</uuid>\n"
    "    <cpu><arch>x86_64</arch><model>Icelake-Server</model></cpu></host>\n"
    "  <guest>\n"
    "    <os_type>hvm</os_type>\n"
    "    <arch name='x86_64'>\n"
    "      <wordsize>64</wordsize>\n"
    "      <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
    "      <machine maxCpus='255'>pc-i440fx-7.2</machine>\n"
    "      <machine canonical='pc-i440fx-7.2' maxCpus='255'>pc</machine>\n"
    "      <machine maxCpus='288'>pc-q35-5.2</machine>\n"
    "      <machine maxCpus='255'>pc-i440fx-6.2</machine>\n"
    "      <machine maxCpus='288'>pc-q35-7.2</machine>\n"
    "      <machine canonical='pc-q35-7.2' maxCpus='288'>q35</machine>\n"
    "      <domain type='qemu'/>\n"
    "      <domain type='kvm'/>\n"
    "    </arch>\n"
    "    <features><acpi default='on' toggle='yes'/></features>\n"
    "  </guest>\n"
    "  <guest>\n"
    "    <os_type>xen</os_type>\n"
    "    <arch name='x86_64'><machine>xenpv</machine><domain type='xen'/></arch>\n"
    "  </guest>\n"
    "</capabilities>\n";

/* libvirt 0.10 (CentOS 6): kvm's own machine list under its <domain>. */
static const char caps_old[] =
    "<capabilities><host><cpu><arch>x86_64</arch></cpu></host>\n"
    "  <guest><os_type>hvm</os_type>\n"
    "    <arch name='x86_64'><wordsize>64</wordsize>\n"
    "      <emulator>/usr/libexec/qemu-kvm</emulator>\n"
    "      <machine>rhel6.6.0</machine>\n"
    "      <machine canonical='rhel6.6.0'>pc</machine>\n"
    "      <domain type='qemu'></domain>\n"
    "      <domain type='kvm'><emulator>/usr/libexec/qemu-kvm</emulator>\n"
    "        <machine>rhel6.5.0</machine></domain>\n"
    "    </arch></guest></capabilities>\n";

static const char domcaps[] =
    "<domainCapabilities>\n"
    "  <path>/usr/bin/qemu-system-x86_64</path><domain>qemu</domain>\n"
    "  <machine>pc-i440fx-7.2</machine><arch>x86_64</arch>\n"
    "  <cpu>\n"
    "    <mode name='host-passthrough' supported='no'/>\n"
    "    <mode name='custom' supported='yes'>\n"
    "      <model usable='yes' vendor='unknown'>qemu64</model>\n"
    "      <model usable='yes' vendor='Intel'>Nehalem</model>\n"
    "      <model usable='no' vendor='Intel'>Icelake-Server</model>\n"
    "      <model usable='yes' vendor='unknown'>pentium3</model>\n"
    "    </mode>\n"
    "  </cpu>\n"
    "</domainCapabilities>\n";

static void
test_findings(void)
{
    struct ne_findings f = {0};
    const char *force[] = {"capacity"};

    is_int(ne_findings_exit(&f), 0, "no finding: exit 0");
    ne_finding_add(&f, NE_SEV_INFO, "job-stats", "node01", "libvirtd", NULL, "no job stats");
    is_int(ne_findings_exit(&f), 0, "info only: exit 0");
    ne_finding_add(&f, NE_SEV_WARNING, "nwfilter", "node02", "vm1 (u)", "define it",
                   "nwfilter %s missing", "nova-base");
    is_int(ne_findings_exit(&f), 1, "a warning: exit 1");
    is_str(f.v[1].message, "nwfilter nova-base missing", "the message is formatted");
    ne_finding_add(&f, NE_SEV_BLOCKER, "capacity", "node01", "vm2 (u)", "free disk", "no room");
    is_int(ne_findings_exit(&f), 3, "a blocker: exit 3");
    is_int(ne_findings_count(&f, NE_SEV_BLOCKER, false), 1, "one blocker counted");
    is_int(ne_findings_force(&f, force, 1), 1, "--force-check capacity marks that blocker");
    is_int(ne_findings_exit(&f), 1, "a forced blocker counts as a warning: exit 1");
    is_int(ne_findings_count(&f, NE_SEV_BLOCKER, true), 1, "counted as forced");
    force[0] = "nwfilter";
    is_int(ne_findings_force(&f, force, 1), 0, "forcing a warning's check marks nothing");
    ok(ne_check_name_known("machine-type") && ne_check_name_known("unauth-tcp"),
       "check names are known");
    ok(!ne_check_name_known("machine") && !ne_check_name_known(""), "unknown names are not");
    ok(strstr(ne_check_names(), "cpu-model") != NULL, "the list names cpu-model");
    is_str(ne_sev_name(NE_SEV_BLOCKER), "blocker", "severity names");
    ne_findings_free(&f);
    is_int(f.n, 0, "freed");
}

/* nova.conf settings from old releases (Mitaka-era compute nodes). */
static void
test_novaconf(void)
{
    struct ini *old = ini_parse("[DEFAULT]\nhost = node01\n[libvirt]\nvirt_type = kvm\n"
                                "live_migration_flag = VIR_MIGRATE_UNDEFINE_SOURCE, "
                                "VIR_MIGRATE_PEER2PEER, VIR_MIGRATE_LIVE, VIR_MIGRATE_TUNNELLED\n"
                                "block_migration_flag = VIR_MIGRATE_UNDEFINE_SOURCE, "
                                "VIR_MIGRATE_PEER2PEER, VIR_MIGRATE_NON_SHARED_INC\n"
                                "live_migration_uri = qemu+tcp://%s/system\n", "nova.conf");
    struct ini *cur = ini_parse("[libvirt]\nlive_migration_scheme = tls\n"
                                "live_migration_tunnelled = false\n", "nova.conf");
    struct ne_findings f = {0};

    ne_novaconf_findings(old, "/etc/nova/nova.conf", NULL, &f);
    is_int(f.n, 3, "an old nova.conf: three findings");
    is_str(f.v[0].object, "/etc/nova/nova.conf [libvirt] live_migration_flag", "the setting named");
    ok(f.v[0].sev == NE_SEV_WARNING && strcmp(f.v[0].check, "nova-conf") == 0, "a nova-conf warning");
    ok(strstr(f.v[0].message, "ignored since") && strstr(f.v[0].message, "tunnelled migration"),
       "live_migration_flag: ignored since Newton, tunnelled called out");
    ok(!strstr(f.v[1].message, "tunnelled"), "block_migration_flag without TUNNELLED: not said");
    ok(strstr(f.v[2].message, "deprecated") && strstr(f.v[2].message, "plaintext"),
       "live_migration_uri: deprecated, qemu+tcp called plaintext");
    ok(f.v[2].fix && strstr(f.v[2].fix, "live_migration_scheme"), "the fix names the new settings");
    ne_findings_free(&f);
    memset(&f, 0, sizeof f);
    ne_novaconf_findings(cur, "/etc/nova/nova.conf", NULL, &f);
    is_int(f.n, 0, "a current nova.conf: nothing");
    ok(ne_check_name_known("nova-conf"), "nova-conf is a check name");
    ini_free(old);
    ini_free(cur);
}

static void
test_map(void)
{
    struct ne_machine_map m;

    is_int(ne_machine_map_parse("# CentOS 6 -> 7\nrhel6.6.0=pc-i440fx-rhel7.0.0\r\n\n"
                                "rhel6.5.0=pc-i440fx-rhel7.0.0\nrhel6.6.0=other\n",
                                "map", &m), 0, "a map with a comment, CRLF and a blank line");
    is_int(m.n, 3, "three lines");
    is_str(ne_machine_map_lookup(&m, "rhel6.6.0"), "pc-i440fx-rhel7.0.0",
           "the first matching line decides (as the hook applies them in order)");
    is_str(ne_machine_map_lookup(&m, "rhel6.5.0"), "pc-i440fx-rhel7.0.0", "second line");
    ok(ne_machine_map_lookup(&m, "pc-i440fx-7.2") == NULL, "an unmapped type: NULL");
    ok(ne_machine_map_lookup(&m, NULL) == NULL, "no machine type: NULL");
    ne_machine_map_free(&m);
    ne_set_quiet(true);
    is_int(ne_machine_map_parse("a=b\nrhel6.6.0 = pc\n", "map", &m), -1,
           "spaces around '=': refused, as by the hook");
    is_int(m.n, 0, "a refused map is empty");
    is_int(ne_machine_map_parse("x='$(reboot)'\n", "map", &m), -1, "shell characters refused");
    is_int(ne_machine_map_parse("justaname\n", "map", &m), -1, "no '=': refused");
    is_int(ne_machine_map_parse("=pc\n", "map", &m), -1, "empty old name refused");
    is_int(ne_machine_map_parse("", "map", &m), 0, "an empty file is an empty map");
    ne_machine_map_free(&m);
    is_int(ne_machine_map_parse("rhel6.6.0=pc-i440fx-rhel7.0.0\ncpu:Westmere=Nehalem\n"
                                "cpu:kvm64=qemu64\n", "map", &m), 0, "CPU lines: 'cpu:old=new'");
    is_int(m.n, 1, "one machine line");
    is_int(m.ncpu, 2, "two CPU lines");
    is_str(ne_cpu_map_lookup(&m, "kvm64"), "qemu64", "a CPU model mapped");
    ok(ne_cpu_map_lookup(&m, "rhel6.6.0") == NULL, "machine lines do not map CPU models");
    ok(ne_machine_map_lookup(&m, "Westmere") == NULL, "CPU lines do not map machine types");
    ne_machine_map_free(&m);
    is_int(ne_machine_map_parse("cpu:=x\n", "map", &m), -1, "an empty CPU model refused");
    is_int(ne_machine_map_parse("cpu:a:b=x\n", "map", &m), -1, "a ':' in a CPU model refused");
}

static void
test_suggest(void)
{
    const char *offered[] = {"pc", "pc-i440fx-7.2", "pc-i440fx-5.2", "pc-i440fx-6.2",
                             "pc-q35-7.1", "pc-q35-5.2", "q35", "pc-i440fx-10.0"};
    size_t n = sizeof offered / sizeof *offered;

    is_str(ne_machine_suggest("pc-i440fx-6.1", offered, n), "pc-i440fx-6.2",
           "the nearest newer of the family");
    is_str(ne_machine_suggest("pc-i440fx-5.2", offered, n), "pc-i440fx-5.2",
           "the same one when offered");
    is_str(ne_machine_suggest("pc-i440fx-8.0", offered, n), "pc-i440fx-10.0",
           "versions compare as numbers (10.0 > 8.0)");
    is_str(ne_machine_suggest("pc-q35-2.0", offered, n), "pc-q35-5.2", "q35 stays q35");
    is_str(ne_machine_suggest("pc-q35-9.0", offered, n), "pc-q35-7.1",
           "none newer: the family's newest");
    is_str(ne_machine_suggest("rhel6.6.0", offered, n), "pc-i440fx-10.0",
           "an old RHEL type: the i440fx family's newest");
    ok(ne_machine_suggest("pc-q35-2.0", offered, 1) == NULL, "nothing of the family: NULL");
}

static void
test_uri(void)
{
    char h[64];
    unsigned port = 9;

    is_int(ne_uri_host_port("qemu+tcp://10.77.0.11/system", h, sizeof h, &port), 0, "tcp URI");
    is_str(h, "10.77.0.11", "its host");
    is_int(port, 0, "no port: 0");
    is_int(ne_uri_host_port("qemu+tcp://root@node2:16510/system?x=1", h, sizeof h, &port), 0,
           "user and port");
    is_str(h, "node2", "host without the user");
    is_int(port, 16510, "the port");
    is_int(ne_uri_host_port("qemu+tls://[fd00::2]:16514/system", h, sizeof h, &port), 0, "IPv6");
    is_str(h, "fd00::2", "brackets removed");
    is_int(port, 16514, "IPv6 port");
    is_int(ne_uri_host_port("qemu:///system", h, sizeof h, &port), -1, "a local URI has no host");
    is_int(ne_uri_host_port("qemu+unix:///system?socket=/run/x", h, sizeof h, &port), -1,
           "a unix socket URI has no host");
    is_int(ne_uri_host_port("qemu+tcp://h:99999/system", h, sizeof h, &port), -1, "bad port");
}

static void
test_caps_xml(void)
{
    struct ne_caps c = {0};
    const struct ne_guest_caps *g, *k;
    char line[512];

    is_int(ne_caps_parse_capabilities(caps_new, &c), 0, "libvirt 9 capabilities parse");
    is_int(c.nguests, 2, "one guest per hvm domain type (xen guests left out)");
    g = ne_caps_guest(&c, "x86_64", "qemu");
    ok(g != NULL, "x86_64/qemu found");
    ok(ne_caps_has_machine(g, "pc-i440fx-6.2"), "a versioned machine");
    ok(ne_caps_has_machine(g, "pc") && ne_caps_has_machine(g, "q35"), "aliases count");
    ok(!ne_caps_has_machine(g, "xenpv"), "another os_type's machine does not");
    ok(!ne_caps_has_machine(g, "rhel6.6.0"), "an absent one");
    ok(ne_caps_guest(&c, "x86_64", "kvm") != NULL, "kvm too");
    ok(ne_caps_guest(&c, "aarch64", "kvm") == NULL, "no aarch64");
    ok(ne_caps_guest(&c, NULL, NULL) == g, "no arch, no type: the first qemu guest");
    is_int(ne_caps_cpu_model(g, "qemu64"), -1, "CPU models unknown before domcaps");
    is_int(ne_caps_parse_domcaps(domcaps, (struct ne_guest_caps *)g), 0, "domcaps parse");
    ok(g->cpus_known, "CPU models known");
    is_int(ne_caps_cpu_model(g, "Nehalem"), 1, "usable model");
    is_int(ne_caps_cpu_model(g, "Icelake-Server"), 0, "offered but not usable");
    is_int(ne_caps_cpu_model(g, "EPYC"), -1, "not offered");
    ne_caps_clear(&c);

    is_int(ne_caps_parse_capabilities(caps_old, &c), 0, "libvirt 0.10 capabilities parse");
    k = ne_caps_guest(&c, "x86_64", "kvm");
    g = ne_caps_guest(&c, "x86_64", "qemu");
    ok(k && ne_caps_has_machine(k, "rhel6.5.0"), "kvm's own machine list counts for kvm");
    ok(g && !ne_caps_has_machine(g, "rhel6.5.0"), "but not for qemu");
    ok(k && ne_caps_has_machine(k, "rhel6.6.0"), "the arch's list counts for both");
    ne_caps_clear(&c);

    is_int(ne_caps_parse_capabilities("<capabilities><guest><os_type>hvm</os_type><arch",
                                      &c), -1, "truncated: -1");
    is_int(ne_caps_parse_capabilities("<domain/>", &c), -1, "wrong root: -1");
    is_int(c.nguests, 0, "nothing added");
    {
        struct ne_guest_caps gg = {0};
        is_int(ne_caps_parse_domcaps("<capabilities/>", &gg), -1, "domcaps with a wrong root");
        is_int(ne_caps_parse_domcaps("<domainCapabilities><cpu><mode name='custom' "
                                     "supported='yes'><model usable='yes'>a</mo", &gg), -1,
               "truncated domcaps");
        ok(!gg.cpus_known, "CPU models still unknown");
    }

    c.libvirt_version = 9000000;
    c.qemu_version = 7002022;
    c.migration_params = true;
    c.params_how = "libvirtd version";
    c.sparse_streams = false;
    c.sparse_how = "tried";
    c.job_stats = true;
    c.stats_how = "tried";
    is_str(ne_caps_line(&c, line, sizeof line),
           "libvirt 9.0.0, QEMU 7.2.22; migration parameters yes (libvirtd version), sparse "
           "streams no (tried), job statistics yes (tried)", "the capabilities line");
    c.legacy = true;
    ok(strstr(ne_caps_line(&c, line, sizeof line), "(legacy)") != NULL, "legacy is said");
    is_str(ne_caps_line(NULL, line, sizeof line), "capabilities unknown", "unknown");
}

/* The settings check brought: [DEFAULT] machine_map, [node:X] legacy. */
static struct ne_config *
load(const char *text)
{
    char path[] = "/tmp/ne-check-t-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    struct ne_config *c;

    fputs(text, f);
    fclose(f);
    c = ne_config_load(path);
    unlink(path);
    return c;
}

static void
test_config(void)
{
    struct ne_config *c = load("[node:old01]\nuri = qemu+ssh://old01/system\nlegacy = true\n"
                               "[node:new01]\nlegacy = false\n[node:new02]\nuri = x:///\n");

    ok(c != NULL, "a config with legacy keys loads");
    if (!c) return;
    ok(ne_node_legacy(c, "old01"), "legacy = true");
    ok(!ne_node_legacy(c, "new01"), "legacy = false");
    ok(!ne_node_legacy(c, "new02") && !ne_node_legacy(c, "elsewhere"), "default: not legacy");
    is_str(c->machine_map, "/etc/nova-evac/machine-map", "machine_map defaults to the hook's file");
    ne_config_free(c);
    c = load("[DEFAULT]\nmachine_map = /srv/map\n");
    is_str(c ? c->machine_map : NULL, "/srv/map", "machine_map set");
    ne_config_free(c);
    ok(load("[node:x]\nlegacy = perhaps\n") == NULL, "legacy = perhaps: refused");
    ok(load("[DEFAULT]\nmachine_map = ../map\n") == NULL, "a relative machine_map: refused");
}

int
main(void)
{
    test_findings();
    test_map();
    test_novaconf();
    test_suggest();
    test_uri();
    test_caps_xml();
    test_config();
    return done_testing();
}
