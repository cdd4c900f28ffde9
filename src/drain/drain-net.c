/* SPDX-License-Identifier: Apache-2.0 */
/* drain-net.c: after a drain's move, whether the instance's Neutron ports
 * followed it (migrate-net.c does the binding; this says what is left). */
#include <config.h>

#include <stdio.h>

#include <jansson.h>

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

void
drain_net_print_plan(const struct ne_drain *dr, json_t *items)
{
    const char *via = dr->o->nova.migrate ? "nova" : NULL;
    size_t i, j;

    if (!dr->o->mig.neutron) return;
    for (i = 0; i < dr->n; i++) {
        const struct ne_drain_item *it = &dr->items[i];
        struct ne_virt *dst = it->dest >= 0 ? dr->hosts[it->dest].v : NULL;
        json_t *ports = ne_net_plan_ports(dr->o->mig.neutron, dst, it->d->uuid, via), *p;
        if (items) {
            json_object_set_new(json_array_get(items, i), "ports", ports);
            continue;
        }
        json_array_foreach(ports, j, p) {
            const char *host = json_string_value(json_object_get(p, "host"));
            const char *reason = json_string_value(json_object_get(p, "reason"));
            printf("%s: port %s (bound to %s): %s%s%s\n", it->d->name,
                   json_string_value(json_object_get(p, "id")), host && *host ? host : "no host",
                   json_string_value(json_object_get(p, "action")), reason ? ": " : "",
                   reason ? reason : "");
        }
        if (json_is_object(ports))
            printf("%s: ports: %s\n", it->d->name,
                   json_string_value(json_object_get(ports, "error")));
        json_decref(ports);
    }
}
