/* SPDX-License-Identifier: Apache-2.0 */
/* stuckscan.h: `stuck`'s scan: suspects from the Nova database, the truth
 * from libvirt on every candidate host, and the repair decided for each
 * (stuck.c).  Only instances whose record disagrees with libvirt (or that
 * cannot be checked) come out. */
#ifndef NE_STUCKSCAN_H
#define NE_STUCKSCAN_H

#include <stdbool.h>
#include <stddef.h>

#include "novadb/novadb.h"
#include "openstack/neutron.h"
#include "stuck/stuck.h"
#include "stuck/stuck-port.h"
#include "stuck/stuck-db.h"
#include "util/config.h"

struct ne_stuck_opts {
    const char *host;          /* only instances that involve this host (NULL: all) */
    long long older_s;         /* a move idle for longer than this is stuck */
    long long since_s;         /* migrations updated this recently are checked */
    long long resize_window_s; /* a user's resize waits this long for its confirm */
    bool all_nodes;            /* ask every configured node about every suspect */
    const char *glance_schema; /* for the deleted-image check; NULL: skip it */
    const char *const *uuids;  /* only these instances (NULL: scan for suspects) */
    size_t nuuids;
    /* Neutron (borrowed; NULL: port bindings not checked).  Every port
     * bound to a node whose libvirt lacks its domain, or whose domain runs
     * on a node the port is not bound to, makes its instance a suspect
     * (NE_WHY_PORT); the ports of every instance checked are compared with
     * libvirt (stuck-port.h). */
    struct ne_neutron *neutron;
};

enum ne_apply_result { NE_APPLY_NOT, NE_APPLY_DONE, NE_APPLY_CHANGED, NE_APPLY_FAILED,
                       NE_APPLY_DECLINED };

/* One step of a repair through the API (stuckapi.h): which channel
 * ("nova-api", "database", "placement"), what it changes, and how it went
 * (NE_APPLY_NOT: not done, see the item's next step). */
struct ne_stuck_step {
    const char *how;  /* static */
    char *what;       /* newly allocated */
    enum ne_apply_result result;
};
#define NE_STUCK_STEPS 4

/* One port of an instance, as Neutron shows it, and its decision. */
struct ne_stuck_port {
    struct ne_port port;    /* binding:host_id is port.b.host */
    struct ne_binding *b;   /* every binding (binding-extended), nb of them */
    size_t nb;
    bool extended;
    struct ne_port_fix fix;
    enum ne_apply_result result;
};

struct ne_stuck_item {
    struct ne_nova_inst *in; /* borrowed from the scan's set */
    struct ne_truth *t;
    size_t nt;
    struct ne_fix fix;
    char *node;              /* the node to record when the fix sets a host */
    enum ne_apply_result result;
    struct ne_stuck_step steps[NE_STUCK_STEPS]; /* --via api only */
    size_t nsteps;
    struct ne_stuck_port *ports; /* with ne_stuck_opts.neutron: the instance's ports */
    size_t nports;
    char *ports_error;           /* they could not be read: why (reported) */
};

struct ne_stuck_scan {
    struct ne_inst_set set;
    struct ne_stuck_item *items;
    size_t n, cap;
    size_t checked;        /* instances compared with libvirt */
    double db_s, virt_s;   /* time spent in each */
    void *priv;            /* the libvirt connections, kept for rechecks */
};

/* Scans; 0 with *out filled, -1 after reporting when the database fails.
 * Either way free *out with ne_stuck_scan_free. */
int ne_stuck_scan(struct ne_db *db, const struct ne_config *cfg, const struct ne_stuck_opts *o,
                  struct ne_stuck_scan *out);
void ne_stuck_scan_free(struct ne_stuck_scan *s);

/* How many of the ports of it have the decision act. */
size_t ne_stuck_ports_count(const struct ne_stuck_item *it, enum ne_port_act act);

/* Reads the ports again and asks libvirt again, right before their repair
 * (under the lock): 1 when every port's decision is the same; 0 when one
 * changed (it->ports then hold the new facts and decisions, to report),
 * -1 when Neutron cannot be read (reported). */
int ne_stuck_ports_recheck(struct ne_stuck_scan *s, struct ne_stuck_item *it);
void ne_stuck_ports_free(struct ne_stuck_port *p, size_t n);

/* Asks libvirt again, right before a repair: 1 when the same repair still
 * follows; 0 when the facts changed (the item then holds the new truths and
 * decision, to report instead). */
int ne_stuck_recheck(struct ne_stuck_scan *s, struct ne_stuck_item *it);

#endif
