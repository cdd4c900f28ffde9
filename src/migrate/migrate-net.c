/* SPDX-License-Identifier: Apache-2.0 */
/* migrate-net.c: see migrate.h.  A move through libvirt keeps the guest's
 * Neutron ports working, in the order Nova follows: before the job an
 * inactive binding of every port on the destination (Neutron then knows
 * what the VIF is there) and what that VIF needs on the destination host;
 * after the guest runs there, activation of those bindings and deletion of
 * the source's; on failure, deletion of the bindings the attempt made. */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "migrate/migrate.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/mem.h"
#include "virt/virt-net.h"

/* How long a port may take to go ACTIVE on its new host. */
#define NE_NET_SETTLE_S 30

/* The audit line of a binding change (phase "before" or "after", with
 * rc: the call's result).  -1 (reported) when it cannot be written. */
static int
audit_bind(const struct ne_mig_opts *o, const char *uuid, const char *action, const char *port,
           const char *host, const char *phase, int rc)
{
    const char *result = NULL;

    if (!o->audit) return 0;
    if (str_eq(phase, "after")) result = rc < 0 ? "failed" : rc == 1 ? "nothing to do" : "done";
    return audit_write(o->audit, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s?}", "event",
                                           "neutron-binding", "phase", phase, "action", action,
                                           "instance", uuid, "port", port, "host", host,
                                           "result", result));
}

/* The binding changes, each between its audit lines (no line, no change). */
static int
bind_create(const struct ne_mig_opts *o, const char *uuid, const char *port, const char *host,
            const char *vnic, struct ne_binding *out)
{
    int rc;

    if (out) memset(out, 0, sizeof *out);
    if (audit_bind(o, uuid, "create", port, host, "before", 0) < 0) return -1;
    rc = neutron_binding_create(o->neutron, port, host, vnic, out);
    audit_bind(o, uuid, "create", port, host, "after", rc);
    return rc;
}

static int
bind_activate(const struct ne_mig_opts *o, const char *uuid, const char *port, const char *host)
{
    int rc;

    if (audit_bind(o, uuid, "activate", port, host, "before", 0) < 0) return -1;
    rc = neutron_binding_activate(o->neutron, port, host);
    audit_bind(o, uuid, "activate", port, host, "after", rc);
    return rc;
}

static int
bind_delete(const struct ne_mig_opts *o, const char *uuid, const char *port, const char *host)
{
    int rc;

    if (audit_bind(o, uuid, "delete", port, host, "before", 0) < 0) return -1;
    rc = neutron_binding_delete(o->neutron, port, host);
    audit_bind(o, uuid, "delete", port, host, "after", rc);
    return rc;
}

static int
bind_set_host(const struct ne_mig_opts *o, const char *uuid, const char *port, const char *host)
{
    int rc;

    if (audit_bind(o, uuid, "set-host", port, host, "before", 0) < 0) return -1;
    rc = neutron_port_set_host(o->neutron, port, host, NULL);
    audit_bind(o, uuid, "set-host", port, host, "after", rc);
    return rc;
}

int
ne_net_bind_create(struct ne_neutron *nt, struct ne_audit *audit, const char *uuid,
                   const char *port, const char *host, const char *vnic_type)
{
    struct ne_mig_opts o = {.neutron = nt, .audit = audit};
    return bind_create(&o, uuid, port, host, vnic_type, NULL);
}

int
ne_net_bind_activate(struct ne_neutron *nt, struct ne_audit *audit, const char *uuid,
                     const char *port, const char *host)
{
    struct ne_mig_opts o = {.neutron = nt, .audit = audit};
    return bind_activate(&o, uuid, port, host);
}

int
ne_net_bind_delete(struct ne_neutron *nt, struct ne_audit *audit, const char *uuid,
                   const char *port, const char *host)
{
    struct ne_mig_opts o = {.neutron = nt, .audit = audit};
    return bind_delete(&o, uuid, port, host);
}

int
ne_net_bind_set_host(struct ne_neutron *nt, struct ne_audit *audit, const char *uuid,
                     const char *port, const char *host)
{
    struct ne_mig_opts o = {.neutron = nt, .audit = audit};
    return bind_set_host(&o, uuid, port, host);
}

static void
journal_bind(const struct ne_mig_opts *o, const struct ne_mig_net *net, const char *event,
             const char *port, const char *host)
{
    if (o->journal.binding) o->journal.binding(o->journal.ctx, net->uuid, event, port, host);
}

void
ne_net_clear(struct ne_mig_net *net)
{
    size_t i;

    for (i = 0; i < net->n; i++) {
        free(net->p[i].id);
        free(net->p[i].network_id);
        free(net->p[i].mac);
        free(net->p[i].src_host);
        free(net->p[i].vif_type);
        free(net->p[i].bridge);
    }
    free(net->p);
    free(net->uuid);
    free(net->name);
    free(net->src);
    free(net->dst);
    memset(net, 0, sizeof *net);
}

void
ne_net_undo(const struct ne_mig_opts *o, struct ne_mig_net *net)
{
    size_t i;

    for (i = 0; o->neutron && i < net->n; i++) {
        struct ne_mig_port *p = &net->p[i];
        if (!p->made) continue;
        if (bind_delete(o, net->uuid, p->id, net->dst) >= 0) {
            journal_bind(o, net, NE_MIG_BIND_DELETED, p->id, net->dst);
            p->made = false;
        } else {
            ne_warn("%s (%s): the inactive binding of port %s on %s that this attempt made is "
                    "left (above); delete it with 'nova-evac api port-unbind %s %s'", net->name,
                    net->uuid, p->id, net->dst, p->id, net->dst);
        }
    }
}

/* Refuses the move for port p: says why and what to do, undoes the
 * bindings made so far.  Returns NE_EXIT_REFUSED. */
static int __attribute__((format(printf, 4, 5)))
refuse(const struct ne_mig_opts *o, struct ne_mig_net *net, const char *port, const char *fmt, ...)
{
    char why[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    ne_error("%s (%s): not moved to %s: port %s: %s; nothing moved; move it with "
             "'--via nova' (Nova plugs the VIF there), or fix the destination first", net->name,
             net->uuid, net->dst, port ? port : "-", why);
    ne_net_undo(o, net);
    return NE_EXIT_REFUSED;
}

/* The domain's interface with this MAC, or NULL. */
static const struct ne_iface *
iface_by_mac(const struct ne_iface *v, size_t n, const char *mac)
{
    size_t i;

    for (i = 0; mac && i < n; i++)
        if (v[i].mac && strcasecmp(v[i].mac, mac) == 0) return &v[i];
    return NULL;
}

/* What the VIF of p (binding b on dst) needs there.  0 ready, or an exit
 * code after refusing. */
static int
check_vif(struct ne_virt *dst, const struct ne_mig_opts *o, struct ne_mig_net *net,
          struct ne_mig_port *p, const struct ne_binding *b, const struct ne_iface *ifc)
{
    const char *vt = b->vif_type ? b->vif_type : "";
    int e;

    free(p->vif_type);
    p->vif_type = xstrdup(vt);
    if (!ifc)
        return refuse(o, net, p->id, "the guest's libvirt definition on %s has no interface with "
                      "its MAC %s", net->src, p->mac ? p->mac : "(none)");
    if (str_eq(vt, "bridge")) {
        if (!str_eq(ifc->type, "bridge"))
            return refuse(o, net, p->id, "Neutron's VIF type on %s is bridge but the guest's "
                          "interface is of type %s", net->dst, ifc->type ? ifc->type : "?");
        free(p->bridge);
        p->bridge = ne_port_bridge(b->bridge_name, p->network_id);
        if (!p->bridge)
            return refuse(o, net, p->id, "Neutron names no bridge and no network for it");
        e = virt_iface_exists(dst, p->bridge);
        if (e < 0) {
            ne_error("%s (%s): not moved: whether bridge %s exists on %s cannot be told (above); "
                     "retry once %s can be reached", net->name, net->uuid, p->bridge, net->dst,
                     net->dst);
            ne_net_undo(o, net);
            return NE_EXIT_UNREACHABLE;
        }
        if (e == 0)
            return refuse(o, net, p->id, "bridge %s (network %s) does not exist on %s: its L2 "
                          "agent creates it only for a port it wires there", p->bridge,
                          p->network_id ? p->network_id : "?", net->dst);
        return 0;
    }
    if ((str_eq(vt, "ovs") || str_eq(vt, "vhostuser")) && str_eq(ifc->virtualport, "openvswitch") &&
        !b->ovs_hybrid)
        return 0; /* libvirt plugs the port into the switch on arrival */
    if (str_eq(vt, "binding_failed") || str_eq(vt, "unbound"))
        return refuse(o, net, p->id, "Neutron could not bind it on %s (vif_type %s): no L2 agent "
                      "there maps network %s", b->host && *b->host ? b->host : net->dst, vt,
                      p->network_id ? p->network_id : "?");
    return refuse(o, net, p->id, "a VIF of type %s%s (interface type %s) cannot be prepared on %s "
                  "by this tool", vt, b->ovs_hybrid ? " with hybrid plug" : "",
                  ifc->type ? ifc->type : "?", net->dst);
}

/* Fills net->p from the instance's ports. */
static void
take_ports(struct ne_mig_net *net, struct ne_port *ports, size_t n)
{
    size_t i;

    net->p = xcalloc(n + 1, sizeof *net->p);
    net->n = n;
    for (i = 0; i < n; i++) {
        net->p[i].id = xstrdup(ports[i].id);
        net->p[i].network_id = ports[i].network_id ? xstrdup(ports[i].network_id) : NULL;
        net->p[i].mac = ports[i].mac ? xstrdup(ports[i].mac) : NULL;
        net->p[i].src_host = xstrdup(ports[i].b.host ? ports[i].b.host : "");
    }
}

int
ne_net_prepare(struct ne_virt *src, struct ne_virt *dst, const struct ne_domain *d,
               const struct ne_mig_opts *o, struct ne_mig_net *net)
{
    struct ne_neutron *nt = o->neutron;
    struct ne_port *ports = NULL;
    struct ne_iface *ifs = NULL;
    size_t np = 0, nif = 0, i;
    CLEANUP_FREE char *xml = NULL;
    char why[256];
    int rc = 0, alive;

    memset(net, 0, sizeof *net);
    if (!nt) return 0;
    net->uuid = xstrdup(d->uuid);
    net->name = xstrdup(d->name);
    net->src = xstrdup(virt_host(src));
    net->dst = xstrdup(virt_host(dst));
    net->extended = neutron_has_bindings(nt);
    if (neutron_ports_of(nt, d->uuid, &ports, &np) < 0) {
        ne_error("%s (%s): not moved: its Neutron ports cannot be read (above); retry once "
                 "Neutron answers", d->name, d->uuid);
        return neutron_err(nt) == NE_OS_EUNREACHABLE ? NE_EXIT_UNREACHABLE : NE_EXIT_PARTIAL;
    }
    take_ports(net, ports, np);
    if (np == 0) {
        ne_ports_free(ports, np);
        return 0;
    }
    if (!(xml = virt_domain_xml(src, d->uuid, false)) ||
        ne_ifaces_parse(xml, virt_host(src), &ifs, &nif) < 0) {
        ne_ports_free(ports, np);
        return NE_EXIT_UNREACHABLE;
    }
    alive = neutron_l2_alive(nt, net->dst, why, sizeof why);
    if (alive < 0) rc = NE_EXIT_UNREACHABLE;
    else if (alive == 0)
        rc = refuse(o, net, net->p[0].id, "%s: Neutron cannot wire the guest's ports there", why);
    for (i = 0; rc == 0 && i < np; i++) {
        struct ne_mig_port *p = &net->p[i];
        struct ne_binding b;
        int c;
        memset(&b, 0, sizeof b);
        if (str_eq(p->src_host, net->dst)) {
            rc = refuse(o, net, p->id, "Neutron already binds it to %s, where the guest does not "
                        "run; check it with 'nova-evac api ports %s'", net->dst, d->uuid);
            break;
        }
        if (o->dry_run || !net->extended) {
            /* the current binding's VIF stands for the destination's */
            rc = check_vif(dst, o, net, p, &ports[i].b, iface_by_mac(ifs, nif, p->mac));
            continue;
        }
        journal_bind(o, net, NE_MIG_BIND_CREATED, p->id, net->dst);
        c = bind_create(o, net->uuid, p->id, net->dst, ports[i].b.vnic_type, &b);
        if (c == 1) {
            rc = refuse(o, net, p->id, "it already has a binding on %s that this attempt did not "
                        "make (left by an earlier move?): look with 'nova-evac api port-bindings "
                        "%s', delete it with 'nova-evac api port-unbind %s %s'", net->dst, p->id,
                        p->id, net->dst);
        } else if (c < 0) {
            rc = refuse(o, net, p->id, "Neutron refused an inactive binding on %s (above)",
                        net->dst);
        } else {
            p->made = true;
            ne_info("%s: port %s bound to %s (inactive, vif_type %s)", d->name, p->id, net->dst,
                    b.vif_type ? b.vif_type : "?");
            rc = check_vif(dst, o, net, p, &b, iface_by_mac(ifs, nif, p->mac));
        }
        ne_binding_clear(&b);
    }
    ne_ifaces_free(ifs, nif);
    ne_ports_free(ports, np);
    return rc;
}

char *
ne_net_dest_xml(const struct ne_mig_net *net, const char *xml, const char *origin)
{
    CLEANUP_FREE const char **macs = xcalloc(net->n + 1, sizeof *macs);
    CLEANUP_FREE const char **brs = xcalloc(net->n + 1, sizeof *brs);
    size_t i, k = 0;

    for (i = 0; i < net->n; i++)
        if (net->p[i].bridge && net->p[i].mac) {
            macs[k] = net->p[i].mac;
            brs[k++] = net->p[i].bridge;
        }
    return ne_xml_set_bridges(xml, origin, macs, brs, k, NULL);
}

/* One port switched to dst.  0, or -1 after saying what is left. */
static int
finish_port(const struct ne_mig_opts *o, struct ne_mig_net *net, struct ne_mig_port *p)
{
    if (!net->extended) {
        if (bind_set_host(o, net->uuid, p->id, net->dst) < 0) {
            ne_error("%s (%s) runs on %s but its port %s is still bound to %s: set it with "
                     "'openstack port set --host %s %s'", net->name, net->uuid, net->dst, p->id,
                     p->src_host, net->dst, p->id);
            return -1;
        }
        ne_info("%s: port %s bound to %s", net->name, p->id, net->dst);
        return 0;
    }
    if (bind_activate(o, net->uuid, p->id, net->dst) < 0) {
        ne_error("%s (%s) runs on %s but its port %s is still active on %s: activate it with "
                 "'nova-evac api port-activate %s %s' (or 'nova-evac drain --resume')", net->name,
                 net->uuid, net->dst, p->id, p->src_host[0] ? p->src_host : "no host", p->id,
                 net->dst);
        return -1;
    }
    p->made = false; /* active now: the guest's, never undone */
    journal_bind(o, net, NE_MIG_BIND_ACTIVATED, p->id, net->dst);
    ne_info("%s: port %s active on %s", net->name, p->id, net->dst);
    if (!p->src_host[0] || str_eq(p->src_host, net->dst)) return 0;
    if (bind_delete(o, net->uuid, p->id, p->src_host) < 0) {
        ne_warn("%s: the inactive binding of port %s on %s is left (above); delete it with "
                "'nova-evac api port-unbind %s %s'", net->name, p->id, p->src_host, p->id,
                p->src_host);
        return -1;
    }
    journal_bind(o, net, NE_MIG_BIND_DELETED, p->id, p->src_host);
    return 0;
}

int
ne_net_finish(const struct ne_mig_opts *o, struct ne_mig_net *net)
{
    size_t i;
    int rc = 0;

    for (i = 0; o->neutron && i < net->n; i++)
        if (finish_port(o, net, &net->p[i]) < 0) rc = NE_EXIT_PARTIAL;
    return rc;
}

/* ---- resume, from evidence */

int
ne_net_settle(const struct ne_mig_opts *o, const char *uuid, const char *name, const char *src,
              const char *dst)
{
    struct ne_neutron *nt = o->neutron;
    struct ne_mig_net net;
    struct ne_port *ports = NULL;
    size_t np = 0, i, j;
    int rc = 0;

    if (!nt) return 0;
    memset(&net, 0, sizeof net);
    if (neutron_ports_of(nt, uuid, &ports, &np) < 0) {
        ne_error("%s (%s) runs on %s; its ports cannot be read to bind them there (above): run "
                 "'nova-evac drain %s --resume' again once Neutron answers", name, uuid, dst, src);
        return NE_EXIT_PARTIAL;
    }
    net.uuid = xstrdup(uuid);
    net.name = xstrdup(name);
    net.src = xstrdup(src);
    net.dst = xstrdup(dst);
    net.extended = neutron_has_bindings(nt);
    take_ports(&net, ports, np);
    for (i = 0; i < np; i++) {
        struct ne_mig_port *p = &net.p[i];
        struct ne_binding *b = NULL;
        size_t nb = 0;
        bool on_dst = false, active_dst = false;
        if (net.extended && neutron_bindings(nt, p->id, &b, &nb) < 0) {
            rc = NE_EXIT_PARTIAL;
            continue;
        }
        for (j = 0; j < nb; j++)
            if (str_eq(b[j].host, dst)) {
                on_dst = true;
                active_dst = str_eq(b[j].status, "ACTIVE");
            }
        ne_bindings_free(b, nb);
        if (net.extended && active_dst) {
            free(p->src_host);
            p->src_host = xstrdup(src); /* the source's binding may still be there */
            if (bind_delete(o, uuid, p->id, src) < 0) rc = NE_EXIT_PARTIAL;
            continue;
        }
        if (!net.extended && str_eq(p->src_host, dst)) continue;
        if (net.extended && !on_dst && bind_create(o, uuid, p->id, dst, NULL, NULL) < 0) {
            rc = NE_EXIT_PARTIAL;
            continue;
        }
        ne_info("%s runs on %s: binding its port %s there (the interrupted run did not)", name,
                dst, p->id);
        if (finish_port(o, &net, p) < 0) rc = NE_EXIT_PARTIAL;
    }
    ne_ports_free(ports, np);
    ne_net_clear(&net);
    return rc;
}

void
ne_net_release(const struct ne_mig_opts *o, const char *uuid, const char *name, const char *dst)
{
    struct ne_neutron *nt = o->neutron;
    struct ne_port *ports = NULL;
    size_t np = 0, i, j;

    if (!nt || !neutron_has_bindings(nt) || neutron_ports_of(nt, uuid, &ports, &np) < 0) return;
    for (i = 0; i < np; i++) {
        struct ne_binding *b = NULL;
        size_t nb = 0;
        if (neutron_bindings(nt, ports[i].id, &b, &nb) < 0) continue;
        for (j = 0; j < nb; j++)
            if (str_eq(b[j].host, dst) && str_eq(b[j].status, "INACTIVE") &&
                bind_delete(o, uuid, ports[i].id, dst) == 0)
                ne_info("%s: the inactive binding of port %s on %s that the interrupted attempt "
                        "made is deleted", name, ports[i].id, dst);
        ne_bindings_free(b, nb);
    }
    ne_ports_free(ports, np);
}

/* One look at the ports; report: say what is wrong. */
static int
check_once(struct ne_neutron *nt, const char *uuid, const char *name, const char *dst,
           char *why, size_t whylen, bool report)
{
    struct ne_port *ports = NULL;
    size_t np = 0, i, j, bad = 0;

    why[0] = '\0';
    if (neutron_ports_of(nt, uuid, &ports, &np) < 0) {
        snprintf(why, whylen, "its ports could not be read from Neutron to check them: look with "
                 "'nova-evac api ports %s'", uuid);
        return -1;
    }
    for (i = 0; i < np; i++) {
        struct ne_binding *b = NULL;
        size_t nb = 0;
        const char *host = ports[i].b.host, *status = ports[i].status;
        if (neutron_has_bindings(nt) && neutron_bindings(nt, ports[i].id, &b, &nb) == 0)
            for (j = 0; j < nb; j++)
                if (str_eq(b[j].status, "ACTIVE")) host = b[j].host;
        if ((!str_eq(host, dst) || !str_eq(status, "ACTIVE")) && !report) {
            bad++;
        } else if (!str_eq(host, dst) || !str_eq(status, "ACTIVE")) {
            ne_error("%s (%s) runs on %s but its port %s is %s on %s (Neutron): its network does "
                     "not follow; check the L2 agent on %s, then 'nova-evac api port-bindings %s'",
                     name, uuid, dst, ports[i].id, status ? status : "?",
                     host && *host ? host : "no host", dst, ports[i].id);
            if (!bad++)
                snprintf(why, whylen, "runs on %s but port %s is %s on %s: see 'nova-evac api "
                         "port-bindings %s'", dst, ports[i].id, status ? status : "?",
                         host && *host ? host : "no host", ports[i].id);
        }
        ne_bindings_free(b, nb);
    }
    ne_ports_free(ports, np);
    return bad ? 1 : 0;
}

int
ne_net_check(struct ne_neutron *nt, const char *uuid, const char *name, const char *dst,
             char *why, size_t whylen)
{
    unsigned waited;
    int rc = 0;

    if (!nt) return 0;
    /* the L2 agent reports the port ACTIVE a few seconds after Nova's move */
    for (waited = 0; waited < NE_NET_SETTLE_S; waited++) {
        rc = check_once(nt, uuid, name, dst, why, whylen, false);
        if (rc <= 0 || ne_sleep_interruptible(1) < 0) break;
    }
    if (rc == 1) rc = check_once(nt, uuid, name, dst, why, whylen, true);
    return rc;
}

/* ---- plan and inspect: read only */

json_t *
ne_net_plan_ports(struct ne_neutron *nt, struct ne_virt *dst, const char *uuid, const char *via)
{
    struct ne_port *ports = NULL;
    size_t np = 0, i;
    char why[256] = "";
    int alive = -1;
    json_t *a = json_array();

    if (!nt) return a;
    if (neutron_ports_of(nt, uuid, &ports, &np) < 0) {
        json_decref(a);
        return json_pack("{s:s}", "error", "the ports could not be read from Neutron");
    }
    if (np && dst && !via) alive = neutron_l2_alive(nt, virt_host(dst), why, sizeof why);
    for (i = 0; i < np; i++) {
        const struct ne_port *p = &ports[i];
        const char *vt = p->b.vif_type ? p->b.vif_type : "";
        CLEANUP_FREE char *br = NULL, *action = NULL, *reason = NULL;
        int e;
        if (!dst) {
            action = xstrdup("none");
            reason = xstrdup("no destination");
        } else if (via) {
            action = xasprintf("rebound to %s by Nova", virt_host(dst));
        } else if (alive < 0) {
            action = xstrdup("unknown");
            reason = xstrdup("Neutron's agents could not be read");
        } else if (alive == 0) {
            reason = xstrdup(why);
        } else if (str_eq(vt, "bridge")) {
            br = ne_port_bridge(p->b.bridge_name, p->network_id);
            e = br ? virt_iface_exists(dst, br) : 0;
            if (e < 0) {
                action = xstrdup("unknown");
                reason = xasprintf("whether bridge %s exists on %s cannot be told", br,
                                   virt_host(dst));
            } else if (e == 0) {
                reason = xasprintf("bridge %s does not exist on %s", br ? br : "(none)",
                                   virt_host(dst));
            }
        } else if ((str_eq(vt, "ovs") || str_eq(vt, "vhostuser")) && !p->b.ovs_hybrid) {
            /* libvirt plugs it */
        } else {
            reason = xasprintf("a VIF of type %s cannot be prepared by this tool", *vt ? vt : "?");
        }
        if (!action)
            action = reason ? xasprintf("refuse (move it with --via nova)")
                            : xasprintf("rebind to %s", virt_host(dst));
        json_array_append_new(a, json_pack("{s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:s, s:s?}", "id",
                                           p->id, "network_id", p->network_id, "host", p->b.host,
                                           "status", p->status, "vif_type", p->b.vif_type,
                                           "bridge", br, "action", action, "reason", reason));
    }
    ne_ports_free(ports, np);
    return a;
}
