/* SPDX-License-Identifier: Apache-2.0 */
/* plan-t.c: one test per row of the decision table, the version gates and
 * --mode overrides. */
#include <config.h>

#include <string.h>

#include "model/plan.h"
#include "tap.h"

#define INST "/var/lib/nova/instances"

static struct ne_disk overlay = {.type = "file", .device = "disk", .target = "vda",
                                 .source = INST "/u/disk", .cls = NE_DISK_LOCAL};
static struct ne_disk cdrive = {.type = "file", .device = "cdrom", .target = "hdd", .readonly = true,
                                .source = INST "/u/disk.config", .cls = NE_DISK_CONFIG_DRIVE};
static struct ne_disk volume = {.type = "network", .protocol = "rbd", .target = "vdb",
                                .source = "volumes/v1", .cls = NE_DISK_SHARED_VOLUME};
static struct ne_disk sharedvol = {.type = "file", .target = "vdc", .shareable = true,
                                   .source = "/srv/nfs/v.raw", .cls = NE_DISK_SHARED_VOLUME};

static struct ne_config cfg;

static struct ne_plan
plan(int state, struct ne_disk *disks, size_t n, unsigned long src_lv, enum ne_mode mode)
{
    struct ne_domain d = {.name = "vm", .state = state, .disks = disks, .ndisks = n};
    struct ne_plan_in in = {.dom = &d, .src = {src_lv, 7002000}, .dst = {9000000, 7002000},
                            .cfg = &cfg, .mode = mode};
    struct ne_plan p;

    ne_plan_instance(&in, &p);
    return p;
}

/* An end without migration parameters (the legacy API). */
static struct ne_plan
plan_legacy(int state, struct ne_disk *disks, size_t n, enum ne_mode mode)
{
    struct ne_domain d = {.name = "vm", .state = state, .disks = disks, .ndisks = n};
    struct ne_plan_in in = {.dom = &d, .src = {9000000, 7002000}, .dst = {9000000, 7002000},
                            .cfg = &cfg, .mode = mode, .legacy_api = true};
    struct ne_plan p;

    ne_plan_instance(&in, &p);
    return p;
}

static void
legacy_rows(void)
{
    struct ne_disk eph = {.type = "file", .device = "disk", .target = "vdd",
                          .source = "/srv/shared/u/disk.eph", .cls = NE_DISK_SHARED_EPHEMERAL};
    struct ne_disk local_only[] = {overlay, cdrive};
    struct ne_disk with_vol[] = {overlay, cdrive, volume};
    struct ne_disk with_eph[] = {overlay, eph};
    struct ne_disk all_shared[] = {volume, sharedvol};
    struct ne_plan p;

    p = plan_legacy(NE_DOM_RUNNING, local_only, 2, NE_MODE_AUTO);
    is_str(ne_method_name(p.method), "live-block", "legacy: local only -> live block");
    is_int(p.row, 2, "legacy: row 2");
    ok(p.legacy_api, "legacy: the plan says legacy API");
    ok(strstr(p.reason, "legacy API") != NULL, "legacy: the reason names the legacy API");
    is_int(p.nprecopy, 1, "legacy: the read-only config drive is still copied beforehand");

    p = plan_legacy(NE_DOM_RUNNING, with_vol, 3, NE_MODE_AUTO);
    is_str(ne_method_name(p.method), "cold", "legacy: local + volume -> cold, even with a new version");
    is_int(p.row, 4, "legacy: volume is row 4");
    ok(strstr(p.reason, "no migration parameters") != NULL, "legacy: row 4 reason says why");
    is_int(p.ncopy, 0, "legacy cold: nothing in a disk list");

    p = plan_legacy(NE_DOM_RUNNING, with_eph, 2, NE_MODE_AUTO);
    is_str(ne_method_name(p.method), "cold", "legacy: local + disk on shared storage -> cold");
    is_int(p.row, 4, "legacy: shared ephemeral is row 4");

    p = plan_legacy(NE_DOM_RUNNING, with_vol, 3, NE_MODE_BLOCK);
    is_str(ne_method_name(p.method), "refuse", "legacy: --mode block with a volume refused");

    p = plan_legacy(NE_DOM_RUNNING, all_shared, 2, NE_MODE_AUTO);
    is_str(ne_method_name(p.method), "live", "legacy: all shared -> live (nothing to copy)");

    p = plan(NE_DOM_RUNNING, with_vol, 3, 9000000, NE_MODE_AUTO);
    ok(!p.legacy_api, "not legacy: the plan does not say legacy API");
    is_int(p.row, 3, "not legacy: same guest is row 3");
}

int
main(void)
{
    struct ne_disk all_shared[] = {volume, sharedvol};
    struct ne_disk local_only[] = {overlay, cdrive};
    struct ne_disk mixed[] = {overlay, cdrive, volume, sharedvol};
    struct ne_plan p;

    p = plan(NE_DOM_RUNNING, all_shared, 2, 9000000, NE_MODE_AUTO);
    is_str(ne_method_name(p.method), "live", "row 1: all shared -> live");
    is_int(p.row, 1, "row 1 reported");
    is_int(p.ncopy, 0, "row 1: nothing copied");

    p = plan(NE_DOM_RUNNING, local_only, 2, 9000000, NE_MODE_AUTO);
    is_str(ne_method_name(p.method), "live-block", "row 2: local only -> live block");
    is_int(p.row, 2, "row 2 reported");
    is_int(p.ncopy, 1, "row 2: one writable local disk in migrate_disks");
    is_str(p.copy[0], "vda", "row 2: vda copied");
    is_int(p.nprecopy, 1, "row 2: read-only config drive copied beforehand as a file");

    p = plan(NE_DOM_RUNNING, mixed, 4, 9000000, NE_MODE_AUTO);
    is_str(ne_method_name(p.method), "live-block", "row 3: local + volumes, new libvirt -> block");
    is_int(p.row, 3, "row 3 reported");
    is_int(p.ncopy, 1, "row 3: only the local disk is in migrate_disks");
    is_str(p.copy[0], "vda", "row 3: vda only, never vdb/vdc");
    ok(p.has_volumes, "row 3: volumes noticed");

    p = plan(NE_DOM_RUNNING, mixed, 4, 1002016, NE_MODE_AUTO);
    is_str(ne_method_name(p.method), "cold", "row 4: libvirt 1.2.16 with volumes -> cold");
    is_int(p.row, 4, "row 4 reported");
    ok(strstr(p.reason, "1.2.16") != NULL, "row 4: reason names the source libvirt version");
    is_int(p.ncopy, 0, "row 4: no block copy list");
    p = plan(NE_DOM_RUNNING, mixed, 4, 1002017, NE_MODE_AUTO);
    is_int(p.row, 3, "libvirt 1.2.17 exactly has migrate_disks");
    p = plan(NE_DOM_RUNNING, mixed, 4, 900000 /* CentOS 6: 0.10.2 */, NE_MODE_BLOCK);
    is_str(ne_method_name(p.method), "refuse", "row 4: --mode block with old libvirt refused");
    p = plan(NE_DOM_RUNNING, local_only, 2, 10002, NE_MODE_AUTO);
    is_str(ne_method_name(p.method), "live-block", "old libvirt without volumes may block-migrate");

    cfg.tunnelled = true;
    p = plan(NE_DOM_RUNNING, mixed, 4, 9000000, NE_MODE_AUTO);
    is_int(p.row, 5, "row 5: tunnelled + volumes");
    is_str(ne_method_name(p.method), "cold", "row 5: not block");
    p = plan(NE_DOM_RUNNING, local_only, 2, 9000000, NE_MODE_AUTO);
    is_int(p.row, 2, "tunnelled without volumes may block-migrate");
    cfg.tunnelled = false;

    p = plan(NE_DOM_SHUTOFF, mixed, 4, 9000000, NE_MODE_AUTO);
    is_int(p.row, 6, "row 6: shut off -> cold");
    is_str(ne_method_name(p.method), "cold", "row 6 method");
    p = plan(NE_DOM_PAUSED, local_only, 2, 9000000, NE_MODE_AUTO);
    is_int(p.row, 6, "row 6: paused -> cold");
    p = plan(NE_DOM_PMSUSPENDED, all_shared, 2, 9000000, NE_MODE_AUTO);
    is_int(p.row, 6, "row 6: suspended -> cold");

    p = plan(NE_DOM_RUNNING, local_only, 2, 9000000, NE_MODE_LIVE);
    is_str(ne_method_name(p.method), "refuse", "--mode live with local disks refused");
    p = plan(NE_DOM_RUNNING, local_only, 2, 9000000, NE_MODE_COLD);
    is_str(ne_method_name(p.method), "cold", "--mode cold honoured");
    p = plan(NE_DOM_SHUTOFF, local_only, 2, 9000000, NE_MODE_BLOCK);
    is_str(ne_method_name(p.method), "refuse", "--mode block on a shut-off instance refused");
    p = plan(NE_DOM_RUNNING, all_shared, 2, 9000000, NE_MODE_BLOCK);
    is_str(ne_method_name(p.method), "refuse", "--mode block with nothing local refused");

    cfg.postcopy = true;
    p = plan(NE_DOM_RUNNING, local_only, 2, 9000000, NE_MODE_AUTO);
    ok(p.postcopy, "post-copy when configured and both sides support it");
    p = plan(NE_DOM_RUNNING, local_only, 2, 1003002, NE_MODE_AUTO);
    ok(!p.postcopy && p.warning[0], "post-copy dropped with a warning on libvirt < 1.3.3");
    cfg.postcopy = false;

    cfg.tls = true;
    p = plan(NE_DOM_RUNNING, local_only, 2, 4003000, NE_MODE_AUTO);
    is_str(ne_method_name(p.method), "refuse", "TLS configured, libvirt 4.3 -> refuse, never plain");
    p = plan(NE_DOM_RUNNING, local_only, 2, 4004000, NE_MODE_AUTO);
    ok(p.tls && p.method == NE_METHOD_LIVE_BLOCK, "TLS on libvirt >= 4.4.0");
    cfg.tls = false;

    {
        struct ne_config c = {.downtime_ms = 500, .downtime_steps = 10, .downtime_delay_s = 75,
                              .completion_timeout_s = 800};
        unsigned long at, ms;
        ok(ne_data_gib(96 * 1024, 1 << 20) == 2.0, "small instance counts as 2 GiB, like Nova");
        ne_downtime_step(&c, 2.0, 0, &at, &ms);
        ok(at == 0 && ms == 50, "downtime step 0: at once, 50 ms");
        ne_downtime_step(&c, 2.0, 10, &at, &ms);
        ok(at == 1500 && ms == 500, "downtime step 10: after 1500 s, 500 ms");
        ne_downtime_step(&c, 2.0, 99, &at, &ms);
        is_int(ms, 500, "steps past the last stay at the maximum");
        is_int(ne_completion_timeout(&c, 4.0), 3200, "completion timeout scales per GiB");
    }
    {
        /* a local disk whose path leaves the instances path through ".." */
        struct ne_disk escape = overlay, back = overlay;
        struct ne_disk d1[] = {escape}, d2[] = {back};
        d1[0].source = INST "/u/../../../../etc/disk";
        d2[0].backing = INST "/_base/../../../root/base";
        p = plan(NE_DOM_RUNNING, d1, 1, 9000000, NE_MODE_AUTO);
        is_str(ne_method_name(p.method), "refuse", "a local disk with '..' is refused (running)");
        is_int(p.ncopy, 0, "... nothing to copy");
        p = plan(NE_DOM_SHUTOFF, d1, 1, 9000000, NE_MODE_AUTO);
        is_str(ne_method_name(p.method), "refuse", "... and shut off (cold)");
        p = plan(NE_DOM_SHUTOFF, d2, 1, 9000000, NE_MODE_AUTO);
        is_str(ne_method_name(p.method), "refuse", "a backing file with '..' is refused");
        ok(strstr(p.reason, "vda") != NULL, "the reason names the disk");
    }
    legacy_rows();
    return done_testing();
}
