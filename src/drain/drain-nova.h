/* SPDX-License-Identifier: Apache-2.0 */
/* drain-nova.h: what a drain tells Nova, and --via nova.  Builds the
 * ne_nova_hooks of a drain from the Nova API (clouds.yaml / OS_*) and the
 * Nova database (nova.conf's [database] connection, or --db). */
#ifndef NE_DRAIN_NOVA_H
#define NE_DRAIN_NOVA_H

#include <stdbool.h>

#include "drain/drain.h"
#include "novadb/novadb.h"
#include "openstack/keystone.h"
#include "openstack/nova.h"

struct ne_drain_nova;

/* What the command found configured and opened for Nova: the API session
 * and client (NULL when not opened), the cell database (NULL when not
 * opened).  The command layer fills it (cmd/osargs.h); the handles are
 * the caller's until ne_drain_nova_setup() takes them. */
struct ne_nova_conn {
    struct ne_os *os;
    struct ne_nova *nv;
    struct ne_db *db;
    bool api_configured, db_configured;
};

/* via: "auto", "nova" or "libvirt"; "record" for a single move through
 * libvirt that only needs o->nova.record_move (migrate).  Checks what via
 * needs against c's *_configured, before anything is opened: with "nova"
 * the API is required; a move through libvirt needs the database when the
 * API is configured.  Returns 0 (open what is configured, then call
 * ne_drain_nova_setup) or an exit code after reporting; warns when nothing
 * is configured. */
int ne_drain_nova_check(const struct ne_nova_conn *c, const struct ne_config *cfg,
                        const char *via);
/* Fills o->nova from c's open handles, which it takes (c's pointers are
 * cleared, also when nothing is open: then *out is NULL).  Returns 0. */
int ne_drain_nova_setup(struct ne_nova_conn *c, const struct ne_config *cfg, const char *via,
                        struct ne_drain_opts *o, struct ne_drain_nova **out);
/* A --resume of a drain through Nova while the Nova API cannot be
 * reached (reported by the caller): takes c's database (may be NULL) and
 * fills o->nova so that the resume changes nothing behind Nova: a move the
 * interrupted run left in Nova's hands is reported unresolved with its
 * next step (settle_inflight fails), no new move is asked of Nova
 * (migrate refuses), the compute service is not touched.  Returns 0. */
int ne_drain_nova_setup_api_down(struct ne_nova_conn *c, const struct ne_config *cfg,
                                 struct ne_drain_opts *o, struct ne_drain_nova **out);
/* True when dn was made by ne_drain_nova_setup_api_down(). */
bool ne_drain_nova_api_down(const struct ne_drain_nova *dn);
void ne_drain_nova_close(struct ne_drain_nova *dn);

/* Before a drain: the stuck check (stuck.h's rules, libvirt truth) of the
 * instances that involve host, in the Nova database when one is open; every
 * repair those rules allow is applied and audited (state_dir/audit.log),
 * the others are reported with their next step.  Returns how many were
 * repaired. */
int ne_drain_nova_repair_stuck(struct ne_drain_nova *dn, const char *host);

#endif
