/* SPDX-License-Identifier: Apache-2.0 */
/* neutron.h: the Neutron API adapter (issue 13): the ports of an
 * instance, their bindings, and the L2 agents of a host.
 *
 * A move that keeps the guest's network does what Nova does around a live
 * migration: an inactive binding of every port on the destination before
 * the job (POST /v2.0/ports/{id}/bindings, the `binding-extended`
 * extension), activation of that binding once the guest runs there (PUT
 * .../bindings/{host}/activate, which makes the source binding inactive),
 * then deletion of the source binding (DELETE .../bindings/{host}).  A
 * cloud without the extension has one binding per port: the move then
 * updates binding:host_id after the switch-over (neutron_port_set_host).
 *
 * Requests go through the session (keystone.h).  A failing call reports
 * one line naming the port and the host, Neutron's error and the request
 * id, then returns -1; neutron_err(), read by the thread that made the
 * call, says what kind of failure it was.
 *
 * The parsers (neutronjson.c) take a buffer and are pure: unit-tested
 * (tests/unit/neutron-t.c) and fuzzed (tests/fuzz).  Strings in the
 * structs are owned by them: free with the *_clear / *_free calls. */
#ifndef NE_NEUTRON_H
#define NE_NEUTRON_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "openstack/keystone.h"

/* One binding of a port to a host (a port has one ACTIVE binding and, in a
 * move, an INACTIVE one on the destination). */
struct ne_binding {
    char *host;        /* "" when unbound */
    char *vif_type;    /* bridge ovs unbound binding_failed ... */
    char *vnic_type;   /* normal direct ... */
    char *status;      /* ACTIVE INACTIVE */
    char *bridge_name; /* vif_details.bridge_name, NULL when absent */
    bool ovs_hybrid;   /* vif_details.ovs_hybrid_plug */
};

/* A port (GET /v2.0/ports): its current (active) binding is the
 * binding:* attributes. */
struct ne_port {
    char *id, *network_id, *mac, *status, *device_id, *device_owner;
    struct ne_binding b; /* host_id, vif_type, vnic_type, vif_details; b.status NULL */
};

/* An agent (GET /v2.0/agents). */
struct ne_agent {
    char *id, *agent_type, *binary, *host;
    bool alive, admin_state_up;
};

/* The bridge a `bridge` VIF plugs into: bridge_name, else "brq" and the
 * first 11 characters of the network id (the linuxbridge agent's name).
 * Newly allocated; NULL when neither is known. */
char *ne_port_bridge(const char *bridge_name, const char *network_id);
/* Whether an agent type is a layer-2 agent (one that wires the ports of
 * the host it runs on: Linux bridge, Open vSwitch, SR-IOV, Macvtap, OVN). */
bool ne_agent_is_l2(const char *agent_type);

/* ---- pure parsers; what names the request for messages.  0, or -1
 * (reported) on junk with the outputs left empty. */

/* {"ports": [...]} */
int neutron_parse_ports(const char *buf, size_t len, const char *what, struct ne_port **out,
                        size_t *n);
/* {"port": {...}} */
int neutron_parse_port(const char *buf, size_t len, const char *what, struct ne_port *out);
/* {"bindings": [...]} */
int neutron_parse_bindings(const char *buf, size_t len, const char *what,
                           struct ne_binding **out, size_t *n);
/* {"binding": {...}} */
int neutron_parse_binding(const char *buf, size_t len, const char *what, struct ne_binding *out);
/* {"agents": [...]} */
int neutron_parse_agents(const char *buf, size_t len, const char *what, struct ne_agent **out,
                         size_t *n);
/* {"extensions": [...]}: 1 when alias is listed, 0 when not, -1 junk. */
int neutron_parse_has_extension(const char *buf, size_t len, const char *what, const char *alias);

/* For --format json and logs: new references. */
json_t *ne_binding_json(const struct ne_binding *b);
json_t *ne_port_json(const struct ne_port *p);

void ne_binding_clear(struct ne_binding *b);
void ne_port_clear(struct ne_port *p);
void ne_ports_free(struct ne_port *p, size_t n);
void ne_bindings_free(struct ne_binding *b, size_t n);
void ne_agents_free(struct ne_agent *a, size_t n);

/* ---- the client (neutron.c) */

struct ne_neutron;

/* Opens the client on os (borrowed; must outlive it) and reads whether the
 * cloud has the port-bindings extension.  NULL after reporting, with
 * *kind saying what kind of failure it was (no network endpoint in the
 * catalog: NE_OS_ECONFIG). */
struct ne_neutron *neutron_open(struct ne_os *os, enum ne_os_err *kind);
void neutron_close(struct ne_neutron *nt);
enum ne_os_err neutron_err(const struct ne_neutron *nt);
/* Whether the cloud has `binding-extended` (multiple bindings per port). */
bool neutron_has_bindings(const struct ne_neutron *nt);

/* The ports of an instance (device_id = uuid), in Neutron's order.
 * 0 (n may be 0), or -1 (reported). */
int neutron_ports_of(struct ne_neutron *nt, const char *uuid, struct ne_port **out, size_t *n);
/* Every port Neutron shows (GET /v2.0/ports, admin: all projects), for a
 * scan that compares bindings with where libvirt runs the guests.  0 (n may
 * be 0), or -1 (reported). */
int neutron_ports_all(struct ne_neutron *nt, struct ne_port **out, size_t *n);
/* All the bindings of a port.  0, or -1 (reported). */
int neutron_bindings(struct ne_neutron *nt, const char *port, struct ne_binding **out, size_t *n);
/* Creates an inactive binding of port on host with vnic_type (NULL:
 * "normal").  0 and *out (may be NULL) filled; 1 when port already has a
 * binding on host (Neutron's 409; not reported); -1 (reported: no L2
 * agent alive on host makes Neutron answer 500 PortBindingError). */
int neutron_binding_create(struct ne_neutron *nt, const char *port, const char *host,
                           const char *vnic_type, struct ne_binding *out);
/* Activates the binding of port on host (the previously active one becomes
 * inactive).  0; 1 when it already was active (not reported); -1
 * (reported). */
int neutron_binding_activate(struct ne_neutron *nt, const char *port, const char *host);
/* Deletes the binding of port on host.  0; 1 when there was none (not
 * reported); -1 (reported). */
int neutron_binding_delete(struct ne_neutron *nt, const char *port, const char *host);
/* Without the extension: PUT binding:host_id = host.  0 and *out (may be
 * NULL) the binding Neutron made, or -1 (reported). */
int neutron_port_set_host(struct ne_neutron *nt, const char *port, const char *host,
                          struct ne_binding *out);
/* The agents Neutron knows on host.  0 (n may be 0), or -1 (reported). */
int neutron_agents_on(struct ne_neutron *nt, const char *host, struct ne_agent **out, size_t *n);
/* Whether a layer-2 agent on host is alive and up: 1 yes, 0 no (not
 * reported: *why says what Neutron shows, e.g. "no L2 agent on node03"
 * or "Linux bridge agent on node03 is not alive"), -1 (reported). */
int neutron_l2_alive(struct ne_neutron *nt, const char *host, char *why, size_t whylen);

#endif
