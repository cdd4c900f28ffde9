/* SPDX-License-Identifier: Apache-2.0 */
/* stuck-t.c: the repair rules, one test per case of the field report
 * ("How did it go?") plus the refusals of rule 3 in HACKING.md (no repair on a guess). */
#include <config.h>

#include <string.h>

#include "model/domain.h"
#include "stuck/stuck.h"
#include "tap.h"

/* An instance record: host, vm_state, task_state; migration type, status,
 * source, destination (type NULL: no migration). */
static struct ne_nova_inst
inst(const char *host, const char *vm, const char *task, const char *mtype, const char *mstatus,
     const char *src, const char *dst)
{
    struct ne_nova_inst in;

    memset(&in, 0, sizeof in);
    memcpy(in.uuid, "11111111-2222-4333-8444-555555555555", 37);
    in.host = (char *)host;
    in.node = (char *)host;
    in.vm_state = (char *)vm;
    in.task_state = (char *)task;
    if (mtype) {
        in.mig.id = 7;
        in.mig.type = (char *)mtype;
        in.mig.status = (char *)mstatus;
        in.mig.src = (char *)src;
        in.mig.dst = (char *)dst;
        in.mig.src_node = (char *)(src ? src : NULL);
        in.mig.dst_node = (char *)(dst ? dst : NULL);
    }
    return in;
}

static struct ne_truth
tr(const char *host, enum ne_seen seen, int state)
{
    struct ne_truth t;

    memset(&t, 0, sizeof t);
    t.host = (char *)host;
    t.seen = seen;
    t.state = state;
    t.disks = seen == NE_SEEN_ABSENT ? 0 : 1;
    t.resize_dir = 0;
    return t;
}

#define RUNNING(h) tr(h, NE_SEEN_RUNNING, NE_DOM_RUNNING)
#define SHUTOFF(h) tr(h, NE_SEEN_DEFINED, NE_DOM_SHUTOFF)
#define ABSENT(h) tr(h, NE_SEEN_ABSENT, 0)

static struct ne_fix
decide(const struct ne_nova_inst *in, struct ne_truth *t, size_t n)
{
    struct ne_fix f;
    ne_stuck_decide(in, t, n, &f);
    return f;
}

int
main(void)
{
    struct ne_nova_inst in;
    struct ne_fix f;

    /* "The migrations never started": MIGRATING, the guest only on the source. */
    in = inst("node02", "active", "migrating", "live-migration", "running", "node02", "node01");
    f = decide(&in, (struct ne_truth[]){RUNNING("node02"), ABSENT("node01")}, 2);
    is_str(ne_fix_kind_name(f.kind), "update", "never started: update");
    is_str(f.host, "node02", "never started: host stays the source");
    is_str(f.vm_state, "active", "never started: vm_state active");
    is_int(f.power_state, 1, "never started: power_state running");
    is_str(f.mig_status, "error", "never started: migration error");
    ok(f.drop_mig_context, "never started: migration context dropped");
    ok(f.flavor == NE_FLAVOR_KEEP, "never started: flavor kept");
    ne_fix_clear(&f);

    /* "Migration never finishes - token expired": MIGRATING on the source
     * while the guest runs only on the destination. */
    in = inst("node02", "active", "migrating", "live-migration", "running", "node02", "node01");
    f = decide(&in, (struct ne_truth[]){ABSENT("node02"), RUNNING("node01")}, 2);
    is_str(ne_fix_kind_name(f.kind), "update", "finished, record stale: update");
    is_str(f.host, "node01", "finished, record stale: host becomes the destination");
    is_str(f.node, "node01", "finished, record stale: node from the migration's dest_node");
    is_str(f.mig_status, "completed", "finished, record stale: live migration completed");
    ok(f.next && strstr(f.next, "openstack server stop/start"), "host change: next step given");
    ne_fix_clear(&f);

    /* VERIFY_RESIZE with the guest on the destination: confirm. */
    in = inst("node01", "resized", NULL, "migration", "finished", "node02", "node01");
    f = decide(&in, (struct ne_truth[]){RUNNING("node01"), SHUTOFF("node02")}, 2);
    is_str(ne_fix_kind_name(f.kind), "confirm", "VERIFY_RESIZE, guest on destination: confirm");
    is_str(f.host, "node01", "confirm: host is the destination");
    is_str(f.vm_state, "active", "confirm: running guest is active");
    is_str(f.mig_status, "confirmed", "confirm: migration confirmed");
    ok(f.flavor == NE_FLAVOR_NEW, "confirm: keeps the new flavor");
    ok(f.next && strstr(f.next, "stale definition remains on node02"),
       "confirm: the source's definition is named for cleanup");
    ne_fix_clear(&f);

    /* VERIFY_RESIZE of a stopped instance: the guest is shut off on the destination. */
    in = inst("node01", "resized", NULL, "migration", "finished", "node02", "node01");
    f = decide(&in, (struct ne_truth[]){SHUTOFF("node01"), ABSENT("node02")}, 2);
    is_str(ne_fix_kind_name(f.kind), "confirm", "VERIFY_RESIZE, shut off on destination: confirm");
    is_str(f.vm_state, "stopped", "confirm: shut-off guest is stopped");
    is_int(f.power_state, 4, "confirm: power_state shutdown");
    ne_fix_clear(&f);

    /* "Stuck in verify - nothing happened": nothing on the destination. */
    in = inst("node01", "resized", NULL, "migration", "finished", "node02", "node01");
    f = decide(&in, (struct ne_truth[]){ABSENT("node01"), SHUTOFF("node02")}, 2);
    is_str(ne_fix_kind_name(f.kind), "revert", "VERIFY_RESIZE, nothing on destination: revert");
    is_str(f.host, "node02", "revert: back to the source");
    is_str(f.node, "node02", "revert: source node");
    is_str(f.vm_state, "stopped", "revert: as libvirt shows it (shut off)");
    is_str(f.mig_status, "reverted", "revert: migration reverted");
    ok(f.flavor == NE_FLAVOR_OLD, "revert: old flavor back");
    ne_fix_clear(&f);

    /* Same, but the source disks wait in <uuid>_resize (a real cold migration
     * that stopped half way): Nova must do it. */
    in = inst("node01", "resized", NULL, "migration", "finished", "node02", "node01");
    {
        struct ne_truth t[] = {ABSENT("node01"), SHUTOFF("node02")};
        t[1].disks = 0;
        t[1].resize_dir = 1;
        f = decide(&in, t, 2);
    }
    is_str(ne_fix_kind_name(f.kind), "manual", "source disks in _resize: manual");
    ok(f.next && strstr(f.next, "resize revert"), "source disks in _resize: revert through Nova");
    ne_fix_clear(&f);

    /* "ERROR after a migration that in fact worked". */
    in = inst("node02", "error", NULL, "live-migration", "error", "node02", "node01");
    f = decide(&in, (struct ne_truth[]){ABSENT("node02"), RUNNING("node01")}, 2);
    is_str(ne_fix_kind_name(f.kind), "update", "ERROR after a move that worked: update");
    is_str(f.host, "node01", "ERROR after a move: host is where it runs");
    is_str(f.vm_state, "active", "ERROR after a move: active");
    is_str(f.mig_status, "completed", "ERROR after a move: the migration did complete");
    ne_fix_clear(&f);

    /* Cold migration that worked but went ERROR (token expired). */
    in = inst("node02", "error", "resize_finish", "migration", "post-migrating", "node02", "node01");
    f = decide(&in, (struct ne_truth[]){SHUTOFF("node02"), RUNNING("node01")}, 2);
    is_str(ne_fix_kind_name(f.kind), "confirm", "cold move that worked: confirm");
    is_str(f.host, "node01", "cold move that worked: destination");
    ok(f.flavor == NE_FLAVOR_NEW, "cold move that worked: new flavor");
    ne_fix_clear(&f);

    /* Nova ACTIVE on the source while the guest runs on the destination
     * (source nova-compute killed mid-migration, as in split-brain.t). */
    in = inst("node03", "active", NULL, "live-migration", "error", "node03", "node01");
    f = decide(&in, (struct ne_truth[]){ABSENT("node03"), RUNNING("node01")}, 2);
    is_str(ne_fix_kind_name(f.kind), "update", "split record (ACTIVE on source): update");
    is_str(f.host, "node01", "split record: host follows libvirt");
    ok(f.next && !strstr(f.next, "leftover"), "split record: no leftover files without a disk");
    ne_fix_clear(&f);
    {
        struct ne_truth t[] = {ABSENT("node03"), RUNNING("node01")};
        t[0].disks = 1; /* node03 kept <uuid>/disk (split-brain.t) */
        f = decide(&in, t, 2);
        ok(f.next && strstr(f.next, "leftover files on node03"),
           "split record: the instance directory left on node03 is reported");
        is_str(f.host, "node01", "split record with leftover files: host still follows libvirt");
        ne_fix_clear(&f);
    }

    /* The guest on a host the record and the migration never named. */
    in = inst("node03", "active", NULL, NULL, NULL, NULL, NULL);
    in.why = NE_WHY_ELSEWHERE;
    f = decide(&in, (struct ne_truth[]){ABSENT("node03"), RUNNING("node02")}, 2);
    is_str(ne_fix_kind_name(f.kind), "update", "runs on an unrecorded host: update");
    is_str(f.host, "node02", "runs elsewhere: host follows libvirt");
    ok(f.node == NULL, "runs elsewhere: node looked up in compute_nodes");
    ok(f.mig_status == NULL, "no migration: nothing to close");
    ne_fix_clear(&f);

    /* Running on both hosts: refused. */
    in = inst("node02", "active", "migrating", "live-migration", "running", "node02", "node01");
    f = decide(&in, (struct ne_truth[]){RUNNING("node02"), RUNNING("node01")}, 2);
    is_str(ne_fix_kind_name(f.kind), "refuse", "running on both hosts: refused");
    ok(!ne_fix_changes(&f), "refusal changes nothing");
    ok(f.why && strstr(f.why, "node02") && strstr(f.why, "node01"), "refusal names both hosts");
    ne_fix_clear(&f);

    /* Defined (shut off) on both hosts: refused too. */
    in = inst("node01", "resized", NULL, "migration", "finished", "node02", "node01");
    f = decide(&in, (struct ne_truth[]){SHUTOFF("node01"), SHUTOFF("node02")}, 2);
    is_str(ne_fix_kind_name(f.kind), "refuse", "shut off on both: refused");
    ne_fix_clear(&f);

    /* libvirt unreachable on a host that matters: reported, unchanged. */
    in = inst("node02", "active", "migrating", "live-migration", "running", "node02", "node01");
    {
        struct ne_truth t[] = {RUNNING("node02"), tr("node01", NE_SEEN_UNREACHABLE, 0)};
        t[1].error = (char *)"connection refused";
        f = decide(&in, t, 2);
    }
    is_str(ne_fix_kind_name(f.kind), "unreachable", "libvirt unreachable: reported");
    ok(!ne_fix_changes(&f), "unreachable: nothing changed");
    ok(f.why && strstr(f.why, "node01") && strstr(f.why, "connection refused"),
       "unreachable: names the host and why");
    ne_fix_clear(&f);

    /* An unreachable host that does not matter does not block. */
    in = inst("node02", "active", "migrating", "live-migration", "running", "node02", "node01");
    f = decide(&in, (struct ne_truth[]){RUNNING("node02"), ABSENT("node01"),
                                        tr("node09", NE_SEEN_UNREACHABLE, 0)}, 3);
    is_str(ne_fix_kind_name(f.kind), "update", "unrelated unreachable node does not block");
    ne_fix_clear(&f);

    /* A libvirt job runs: the migration is moving, hands off. */
    in = inst("node02", "active", "migrating", "live-migration", "running", "node02", "node01");
    {
        struct ne_truth t[] = {RUNNING("node02"), tr("node01", NE_SEEN_RUNNING, NE_DOM_PAUSED)};
        t[0].job = true;
        f = decide(&in, t, 2);
    }
    is_str(ne_fix_kind_name(f.kind), "wait", "active libvirt job: wait");
    ne_fix_clear(&f);

    /* Running nowhere, disks on one host: reported with the next step. */
    in = inst("node02", "active", "migrating", "live-migration", "running", "node02", "node01");
    {
        struct ne_truth t[] = {ABSENT("node02"), ABSENT("node01")};
        t[0].disks = 1;
        f = decide(&in, t, 2);
    }
    is_str(ne_fix_kind_name(f.kind), "manual", "disks only: manual");
    ok(f.next && strstr(f.next, "reboot --hard"), "disks on the recorded host: hard reboot next");
    ne_fix_clear(&f);
    in = inst("node02", "active", "migrating", "live-migration", "running", "node02", "node01");
    f = decide(&in, (struct ne_truth[]){ABSENT("node02"), ABSENT("node01")}, 2);
    is_str(ne_fix_kind_name(f.kind), "manual", "nothing anywhere: manual");
    ne_fix_clear(&f);

    /* Shut off on one host but its disks are gone: no change. */
    in = inst("node02", "error", NULL, "live-migration", "error", "node02", "node01");
    {
        struct ne_truth t[] = {ABSENT("node02"), SHUTOFF("node01")};
        t[1].disks = 0;
        f = decide(&in, t, 2);
    }
    is_str(ne_fix_kind_name(f.kind), "manual", "defined without disks: manual");
    ne_fix_clear(&f);

    /* Consistent records: nothing to do (a second run finds nothing). */
    in = inst("node01", "active", NULL, "live-migration", "completed", "node02", "node01");
    f = decide(&in, (struct ne_truth[]){ABSENT("node02"), RUNNING("node01")}, 2);
    is_str(ne_fix_kind_name(f.kind), "none", "completed migration on its destination: none");
    ne_fix_clear(&f);
    in = inst("node02", "stopped", NULL, "migration", "confirmed", "node01", "node02");
    f = decide(&in, (struct ne_truth[]){ABSENT("node01"), SHUTOFF("node02")}, 2);
    is_str(ne_fix_kind_name(f.kind), "none", "stopped instance on its host: none");
    ne_fix_clear(&f);
    in = inst("node02", "active", NULL, "migration", "reverted", "node02", "node01");
    f = decide(&in, (struct ne_truth[]){RUNNING("node02"), ABSENT("node01")}, 2);
    is_str(ne_fix_kind_name(f.kind), "none", "reverted migration back on the source: none");
    ne_fix_clear(&f);

    /* Same-host resize: libvirt cannot tell; no guess. */
    in = inst("node02", "resized", NULL, "resize", "finished", "node02", "node02");
    f = decide(&in, (struct ne_truth[]){RUNNING("node02")}, 1);
    is_str(ne_fix_kind_name(f.kind), "manual", "same-host resize: manual");
    ne_fix_clear(&f);

    /* Helpers. */
    ok(ne_task_moving("resize_migrating") && !ne_task_moving("spawning") && !ne_task_moving(NULL),
       "task states of a move");
    ok(ne_mig_open("finished") && ne_mig_open("running") && !ne_mig_open("completed") &&
       !ne_mig_open("error") && !ne_mig_open(NULL), "open migration statuses");
    {
        long long d = 0;
        ok(ne_parse_duration("10m", "t", &d) == 0 && d == 600, "duration 10m");
        ok(ne_parse_duration("90", "t", &d) == 0 && d == 90, "duration in seconds");
        ok(ne_parse_duration("2h", "t", &d) == 0 && d == 7200, "duration 2h");
        ok(ne_parse_duration("7d", "t", &d) == 0 && d == 604800, "duration 7d");
        ok(ne_parse_duration("-5m", "t", &d) < 0, "negative duration refused");
        ok(ne_parse_duration("m", "t", &d) < 0, "unit without a number refused");
        ok(ne_parse_duration("10x", "t", &d) < 0, "unknown unit refused");
    }
    return done_testing();
}
