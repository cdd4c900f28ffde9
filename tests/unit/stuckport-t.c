/* SPDX-License-Identifier: Apache-2.0 */
/* stuckport-t.c: `stuck`'s port-binding decision (stuck-port.c): from what
 * libvirt shows on the hosts and what Neutron shows about a port, whether
 * the port is fine, moved to the host that runs the guest, or reported and
 * left alone (rule 3: no repair on a guess). */
#include <config.h>

#include <string.h>

#include "model/domain.h"
#include "stuck/stuck-port.h"
#include "tap.h"

static struct ne_truth
tr(const char *host, enum ne_seen seen, int state)
{
    struct ne_truth t;

    memset(&t, 0, sizeof t);
    t.host = (char *)host;
    t.seen = seen;
    t.state = state;
    t.disks = seen == NE_SEEN_ABSENT ? 0 : 1;
    return t;
}

#define RUNNING(h) tr(h, NE_SEEN_RUNNING, NE_DOM_RUNNING)
#define SHUTOFF(h) tr(h, NE_SEEN_DEFINED, NE_DOM_SHUTOFF)
#define ABSENT(h) tr(h, NE_SEEN_ABSENT, 0)
#define UNREACH(h) tr(h, NE_SEEN_UNREACHABLE, 0)

static struct ne_binding
bd(const char *host, const char *status)
{
    struct ne_binding b;

    memset(&b, 0, sizeof b);
    b.host = (char *)host;
    b.status = (char *)status;
    b.vif_type = (char *)"bridge";
    return b;
}

static struct ne_port_fix
decide(struct ne_truth *t, size_t nt, const char *host, struct ne_binding *b, size_t nb,
       bool extended)
{
    struct ne_port_facts p = {"p-1", host, "ACTIVE", extended, b, nb};
    struct ne_port_fix f;

    ne_stuck_port_decide(t, nt, &p, &f);
    return f;
}

int
main(void)
{
    struct ne_port_fix f, g;

    /* Bound where the guest runs, one binding: nothing to say. */
    f = decide((struct ne_truth[]){RUNNING("node01"), ABSENT("node03")}, 2, "node01",
               (struct ne_binding[]){bd("node01", "ACTIVE")}, 1, true);
    is_str(ne_port_act_name(f.act), "ok", "active on the host that runs the guest: ok");
    ok(f.why == NULL, "ok: no reason printed");
    ne_port_fix_clear(&f);

    /* The split brain of a killed source nova-compute: the guest runs on
     * the destination, the port is ACTIVE on the source and INACTIVE on
     * the destination (Nova's pre-migration binding). */
    f = decide((struct ne_truth[]){ABSENT("node03"), RUNNING("node01")}, 2, "node03",
               (struct ne_binding[]){bd("node03", "ACTIVE"), bd("node01", "INACTIVE")}, 2, true);
    is_str(ne_port_act_name(f.act), "rebind", "active on the source, guest on the destination: rebind");
    is_str(f.runs_on, "node01", "rebind: onto the host that runs the guest");
    is_str(f.bound, "node03", "rebind: the binding host reported");
    ok(!f.create, "rebind: the inactive binding on node01 is reused, not created");
    ok(f.activate, "rebind: the binding on node01 is activated");
    is_int(f.nstale, 1, "rebind: one stale binding");
    is_str(f.nstale ? f.stale[0] : NULL, "node03", "rebind: the source's binding is deleted");
    ok(!f.set_host, "rebind: with the extension, binding:host_id is not set directly");
    ok(f.why && strstr(f.why, "ACTIVE on node03, INACTIVE on node01"), "rebind: why names both bindings");
    ok(f.next && strstr(f.next, "activate the binding of port p-1 on node01") &&
           strstr(f.next, "delete its binding on node03"), "rebind: the repair in words");
    ne_port_fix_clear(&f);

    /* Only the source's binding: one is created on the destination first. */
    f = decide((struct ne_truth[]){ABSENT("node03"), RUNNING("node01")}, 2, "node03",
               (struct ne_binding[]){bd("node03", "ACTIVE")}, 1, true);
    is_str(ne_port_act_name(f.act), "rebind", "no binding on the guest's host: rebind");
    ok(f.create && f.activate, "no binding there: created, then activated");
    ok(f.next && strstr(f.next, "create a binding of port p-1 on node01"), "create named in the repair");
    ne_port_fix_clear(&f);

    /* Active where the guest runs, a leftover inactive binding elsewhere:
     * only the leftover goes. */
    f = decide((struct ne_truth[]){RUNNING("node01"), ABSENT("node02")}, 2, "node01",
               (struct ne_binding[]){bd("node01", "ACTIVE"), bd("node02", "INACTIVE")}, 2, true);
    is_str(ne_port_act_name(f.act), "rebind", "leftover inactive binding: repaired");
    ok(!f.create && !f.activate, "leftover: nothing created or activated");
    is_str(f.nstale ? f.stale[0] : NULL, "node02", "leftover: its binding deleted");
    ne_port_fix_clear(&f);

    /* No port-bindings extension: binding:host_id set. */
    f = decide((struct ne_truth[]){ABSENT("node03"), RUNNING("node01")}, 2, "node03", NULL, 0, false);
    is_str(ne_port_act_name(f.act), "rebind", "no extension: rebind");
    ok(f.set_host && !f.create && !f.activate && f.nstale == 0, "no extension: binding:host_id only");
    ok(f.next && strstr(f.next, "binding:host_id"), "no extension: said so");
    ne_port_fix_clear(&f);
    f = decide((struct ne_truth[]){RUNNING("node01")}, 1, "node01", NULL, 0, false);
    is_str(ne_port_act_name(f.act), "ok", "no extension, bound where it runs: ok");
    ne_port_fix_clear(&f);

    /* Ambiguous: the guest runs on two hosts. */
    f = decide((struct ne_truth[]){RUNNING("node03"), RUNNING("node01")}, 2, "node03",
               (struct ne_binding[]){bd("node03", "ACTIVE")}, 1, true);
    is_str(ne_port_act_name(f.act), "leave", "runs on two hosts: left alone");
    ok(f.runs_on == NULL && f.nstale == 0 && !f.activate, "two hosts: no change planned");
    ok(f.why && strstr(f.why, "node03 and on node01"), "two hosts: both named");
    ne_port_fix_clear(&f);

    /* Ambiguous: the guest runs nowhere. */
    f = decide((struct ne_truth[]){ABSENT("node03"), ABSENT("node01")}, 2, "node03",
               (struct ne_binding[]){bd("node03", "ACTIVE")}, 1, true);
    is_str(ne_port_act_name(f.act), "leave", "runs nowhere: left alone");
    ok(f.why && strstr(f.why, "no host asked runs or defines"), "runs nowhere: said so");
    ne_port_fix_clear(&f);
    f = decide((struct ne_truth[]){ABSENT("node03"), SHUTOFF("node01")}, 2, "node03",
               (struct ne_binding[]){bd("node03", "ACTIVE")}, 1, true);
    is_str(ne_port_act_name(f.act), "leave", "shut off on node01, bound to node03: left alone");
    ok(f.why && strstr(f.why, "defined, not running, on node01"), "shut off: where it is defined");
    ne_port_fix_clear(&f);
    f = decide((struct ne_truth[]){SHUTOFF("node01")}, 1, "node01",
               (struct ne_binding[]){bd("node01", "ACTIVE")}, 1, true);
    is_str(ne_port_act_name(f.act), "ok", "shut off where it is bound: ok");
    ne_port_fix_clear(&f);

    /* A host that cannot be asked: the guest may run there too. */
    f = decide((struct ne_truth[]){UNREACH("node03"), RUNNING("node01")}, 2, "node03",
               (struct ne_binding[]){bd("node03", "ACTIVE"), bd("node01", "INACTIVE")}, 2, true);
    is_str(ne_port_act_name(f.act), "unreachable", "binding host unreachable: reported");
    ok(f.nstale == 0 && !f.activate, "unreachable: no change planned");
    ne_port_fix_clear(&f);
    /* ... but bound where the reachable host runs it: nothing about the port. */
    f = decide((struct ne_truth[]){UNREACH("node03"), RUNNING("node01")}, 2, "node01",
               (struct ne_binding[]){bd("node01", "ACTIVE")}, 1, true);
    is_str(ne_port_act_name(f.act), "ok", "unreachable elsewhere, port where it runs: ok");
    ne_port_fix_clear(&f);

    /* A libvirt job: the move is going on. */
    {
        struct ne_truth t[] = {RUNNING("node03"), ABSENT("node01")};
        t[0].job = true;
        f = decide(t, 2, "node01", (struct ne_binding[]){bd("node01", "ACTIVE")}, 1, true);
        is_str(ne_port_act_name(f.act), "wait", "libvirt job active: wait");
        ne_port_fix_clear(&f);
    }

    /* Unbound port of a guest that runs: bound to its host. */
    f = decide((struct ne_truth[]){RUNNING("node01")}, 1, "", NULL, 0, true);
    is_str(ne_port_act_name(f.act), "rebind", "unbound port of a running guest: rebind");
    ok(f.create && f.activate && f.nstale == 0 && f.bound == NULL, "unbound: created and activated");
    ne_port_fix_clear(&f);

    /* The recheck compares the planned change. */
    f = decide((struct ne_truth[]){ABSENT("node03"), RUNNING("node01")}, 2, "node03",
               (struct ne_binding[]){bd("node03", "ACTIVE"), bd("node01", "INACTIVE")}, 2, true);
    g = decide((struct ne_truth[]){ABSENT("node03"), RUNNING("node01")}, 2, "node03",
               (struct ne_binding[]){bd("node03", "ACTIVE"), bd("node01", "INACTIVE")}, 2, true);
    ok(ne_port_fix_same(&f, &g), "same facts: same change");
    ne_port_fix_clear(&g);
    g = decide((struct ne_truth[]){RUNNING("node03"), ABSENT("node01")}, 2, "node03",
               (struct ne_binding[]){bd("node03", "ACTIVE"), bd("node01", "INACTIVE")}, 2, true);
    ok(!ne_port_fix_same(&f, &g), "the guest moved back meanwhile: another change");
    ne_port_fix_clear(&g);
    ne_port_fix_clear(&f);
    is_str(ne_port_act_name((enum ne_port_act)99), "?", "unknown act name");
    return done_testing();
}
