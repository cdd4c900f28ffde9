/* SPDX-License-Identifier: Apache-2.0 */
/* stuck-port.h: `stuck`'s port-binding case (issue 13).  A guest that runs
 * on host X keeps its network only while each of its Neutron ports has its
 * ACTIVE binding on X: the L2 agent of X wires only the ports bound to X.
 * A split brain (the source's nova-compute killed between libvirt's
 * switch-over and the binding activation) leaves the port ACTIVE on the
 * source, at best with an INACTIVE binding on X.
 *
 * Facts in: what libvirt shows on the candidate hosts (the same truths as
 * stuck.h, including every host a binding names) and what Neutron shows
 * about one port; one decision out.  Pure: no I/O, unit-tested
 * (tests/unit/stuckport-t.c).
 *
 * Rule 3: the binding follows the host libvirt shows running the guest,
 * and only when that is certain: running on exactly one host, every other
 * candidate host asked, no libvirt job.  Otherwise the port is reported and
 * left as it is. */
#ifndef NE_STUCKPORT_H
#define NE_STUCKPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "openstack/neutron.h"
#include "stuck/stuck.h"

/* What Neutron shows about one port of the instance. */
struct ne_port_facts {
    const char *id;
    const char *host;   /* binding:host_id, the active binding's host ("" or NULL: unbound) */
    const char *status; /* the port's status (ACTIVE, DOWN, BUILD) */
    bool extended;      /* the cloud has binding-extended: b holds every binding */
    const struct ne_binding *b;
    size_t nb;
};

enum ne_port_act {
    NE_PORT_OK,          /* bound where the guest runs: nothing to say */
    NE_PORT_REBIND,      /* bound elsewhere: moved to the host that runs the guest */
    NE_PORT_LEAVE,       /* the evidence is ambiguous (runs nowhere, or on two hosts): report */
    NE_PORT_UNREACHABLE, /* a host that may run the guest cannot be asked: report */
    NE_PORT_WAIT,        /* a libvirt job is active: the move is still going on */
};

#define NE_PORT_STALE_MAX 8

/* The decision for one port.  Strings newly allocated (ne_port_fix_clear). */
struct ne_port_fix {
    enum ne_port_act act;
    char *runs_on;     /* the host that runs the guest (REBIND, and OK), else NULL */
    char *bound;       /* the active binding's host, NULL when unbound */
    /* REBIND with binding-extended: */
    bool create;       /* no binding on runs_on: create one (inactive) */
    bool activate;     /* activate the binding on runs_on */
    char *stale[NE_PORT_STALE_MAX]; /* the bindings deleted afterwards (their hosts) */
    size_t nstale;
    /* REBIND without the extension: binding:host_id = runs_on */
    bool set_host;
    char *why;         /* what disagrees (NULL for OK) */
    char *next;        /* the repair in words (REBIND) or the next step (others) */
};

void ne_stuck_port_decide(const struct ne_truth *t, size_t nt, const struct ne_port_facts *p,
                          struct ne_port_fix *out);
void ne_port_fix_clear(struct ne_port_fix *f);
/* Two decisions that make the same change (for the recheck before a repair). */
bool ne_port_fix_same(const struct ne_port_fix *a, const struct ne_port_fix *b);
/* "ok", "rebind", "leave", "unreachable", "wait" */
const char *ne_port_act_name(enum ne_port_act a);
/* The case's kind name in reports: "port-binding". */
#define NE_PORT_CASE "port-binding"

#endif
