/* SPDX-License-Identifier: Apache-2.0 */
/* drain-net.c: after a drain's move, whether the instance's Neutron ports
 * followed it (migrate-net.c does the binding; this says what is left). */
#include <config.h>

#include <stdio.h>

#include "drain/drain-int.h"
#include "util/log.h"

bool
drain_net_left(struct ne_drain *dr, struct ne_drain_item *it, const struct ne_mig_result *r,
               const char *to)
{
    if (it->unrecorded) return false; /* already says what to do */
    if (r->net_left) {
        snprintf(it->why, sizeof it->why, "runs on %s but a port of it was not switched there "
                 "(above): 'nova-evac api ports %s' shows where", to, it->d->uuid);
        return true;
    }
    if (!dr->o->nova.migrate) return false;
    /* --via nova: Nova moved the ports; check they did follow */
    return ne_net_check(dr->o->mig.neutron, it->d->uuid, it->d->name, to, it->why,
                        sizeof it->why) != 0;
}
