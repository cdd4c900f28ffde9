/* SPDX-License-Identifier: Apache-2.0 */
/* drain-nova.h: what a drain tells Nova, and --via nova.  Builds the
 * ne_nova_hooks of a drain from the Nova API (clouds.yaml / OS_*) and the
 * Nova database (nova.conf's [database] connection, or --db). */
#ifndef NE_DRAIN_NOVA_H
#define NE_DRAIN_NOVA_H

#include "cmd/cmd.h"
#include "drain/drain.h"

struct ne_drain_nova;

/* via: "auto", "nova" or "libvirt"; "record" for a single move through
 * libvirt that only needs o->nova.record_move (migrate).  Opens what is
 * configured and fills o->nova.  With "nova" the API is required (reported
 * when missing); a move through libvirt needs the database when the API is
 * configured.
 * Returns 0 (and *out, possibly NULL when nothing is configured) or an
 * exit code. */
int ne_drain_nova_setup(const struct ne_args *args, const struct ne_config *cfg, const char *via,
                        struct ne_drain_opts *o, struct ne_drain_nova **out);
void ne_drain_nova_close(struct ne_drain_nova *dn);

/* Before a drain: the stuck check (stuck.h's rules, libvirt truth) of the
 * instances that involve host, in the Nova database when one is open; every
 * repair those rules allow is applied and audited (state_dir/audit.log),
 * the others are reported with their next step.  Returns how many were
 * repaired. */
int ne_drain_nova_repair_stuck(struct ne_drain_nova *dn, const char *host);

#endif
