/* SPDX-License-Identifier: Apache-2.0 */
/* neutron.c: see neutron.h.  The client: requests through the session
 * (keystone.c), failures reported once with Neutron's own error text.
 * The parsers are in neutronjson.c. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "openstack/http.h"
#include "openstack/neutron.h"
#include "util/log.h"
#include "util/mem.h"

struct ne_neutron {
    struct ne_os *os;
    bool bindings; /* binding-extended */
};

/* The kind of the calling thread's last failure, like errno: drain workers
 * share one handle, and a field in it was overwritten by another worker's
 * success between a failed call and the caller's neutron_err(). */
static __thread enum ne_os_err last_err;

enum ne_os_err neutron_err(const struct ne_neutron *nt) { (void)nt; return last_err; }
bool neutron_has_bindings(const struct ne_neutron *nt) { return nt->bindings; }

/* Sends one request; 0 when a reply with one of the ok statuses
 * (0-terminated) came; with quiet_status, that status returns 1
 * unreported; otherwise reports "neutron: ACTION OBJECT: why" and returns
 * -1. */
static int
call(struct ne_neutron *nt, const char *method, const char *path, const char *body,
     const long *ok, long quiet_status, const char *action, const char *object,
     struct ne_http_resp *r)
{
    struct ne_os_req req = {.service = "network", .method = method, .path = path,
                            .body = body, .body_len = body ? strlen(body) : 0,
                            .idempotent = strcmp(method, "GET") == 0 ||
                                          strcmp(method, "DELETE") == 0,
                            .source_len = -1};
    enum ne_os_err kind;
    CLEANUP_FREE char *why = NULL;

    memset(r, 0, sizeof *r);
    if (body) ne_debug(NE_DBG_HTTP, "neutron: %s %s %s", method, path, body);
    if (ne_os_request(nt->os, &req, r, &kind) < 0) {
        last_err = kind;
        ne_error("neutron: %s %s: %s; check that the Neutron API runs and is reachable", action,
                 object, r->err);
        return -1;
    }
    for (; *ok; ok++)
        if (r->status == *ok) {
            last_err = NE_OS_OK;
            return 0;
        }
    if (quiet_status && r->status == quiet_status) {
        last_err = NE_OS_OK;
        return 1;
    }
    last_err = ne_os_status_kind(r->status);
    why = os_error_text(r->body, r->len);
    ne_error("neutron: %s %s: HTTP %ld %s (request %s)%s", action, object, r->status,
             why && *why ? why : "(no details)", r->request_id ? r->request_id : "-",
             r->status == 403 ? "; the credentials lack the admin role" : "");
    return -1;
}

/* After a reply the parser refused (it reported). */
static int
junk(struct ne_neutron *nt)
{
    (void)nt;
    last_err = NE_OS_EUNREACHABLE;
    return -1;
}

struct ne_neutron *
neutron_open(struct ne_os *os, enum ne_os_err *kind)
{
    static const long ok[] = {200, 0};
    struct ne_neutron *nt = xcalloc(1, sizeof *nt);
    struct ne_http_resp r;
    int rc;

    nt->os = os;
    if (!ne_os_endpoint(os, "network")) {
        *kind = NE_OS_ECONFIG;
        free(nt);
        return NULL;
    }
    rc = call(nt, "GET", "/v2.0/extensions", NULL, ok, 0, "list the extensions of", "the API",
              &r);
    if (rc == 0) {
        rc = neutron_parse_has_extension(r.body, r.len, "neutron: extensions", "binding-extended");
        if (rc < 0) junk(nt);
        else nt->bindings = rc == 1, rc = 0;
    }
    http_resp_clear(&r);
    if (rc < 0) {
        *kind = last_err;
        free(nt);
        return NULL;
    }
    *kind = NE_OS_OK;
    return nt;
}

void
neutron_close(struct ne_neutron *nt)
{
    free(nt);
}

int
neutron_ports_of(struct ne_neutron *nt, const char *uuid, struct ne_port **out, size_t *n)
{
    static const long ok[] = {200, 0};
    CLEANUP_FREE char *esc = http_escape(uuid), *path = xasprintf("/v2.0/ports?device_id=%s", esc);
    CLEANUP_FREE char *obj = xasprintf("of instance %s", uuid);
    struct ne_http_resp r;
    int rc = call(nt, "GET", path, NULL, ok, 0, "list the ports", obj, &r);

    *out = NULL;
    *n = 0;
    if (rc == 0 && neutron_parse_ports(r.body, r.len, "neutron: ports", out, n) < 0) rc = junk(nt);
    http_resp_clear(&r);
    return rc;
}

int
neutron_ports_all(struct ne_neutron *nt, struct ne_port **out, size_t *n)
{
    static const long ok[] = {200, 0};
    struct ne_http_resp r;
    int rc = call(nt, "GET", "/v2.0/ports", NULL, ok, 0, "list the ports", "of the cloud", &r);

    *out = NULL;
    *n = 0;
    if (rc == 0 && neutron_parse_ports(r.body, r.len, "neutron: ports", out, n) < 0) rc = junk(nt);
    http_resp_clear(&r);
    return rc;
}

int
neutron_bindings(struct ne_neutron *nt, const char *port, struct ne_binding **out, size_t *n)
{
    static const long ok[] = {200, 0};
    CLEANUP_FREE char *esc = http_escape(port), *path = xasprintf("/v2.0/ports/%s/bindings", esc);
    CLEANUP_FREE char *obj = xasprintf("of port %s", port);
    struct ne_http_resp r;
    int rc = call(nt, "GET", path, NULL, ok, 0, "list the bindings", obj, &r);

    *out = NULL;
    *n = 0;
    if (rc == 0 && neutron_parse_bindings(r.body, r.len, "neutron: bindings", out, n) < 0)
        rc = junk(nt);
    http_resp_clear(&r);
    return rc;
}

int
neutron_binding_create(struct ne_neutron *nt, const char *port, const char *host,
                       const char *vnic_type, struct ne_binding *out)
{
    static const long ok[] = {200, 201, 0};
    CLEANUP_FREE char *esc = http_escape(port), *path = xasprintf("/v2.0/ports/%s/bindings", esc);
    CLEANUP_FREE char *obj = xasprintf("of port %s on host %s", port, host);
    CLEANUP_FREE char *body = NULL;
    struct ne_http_resp r;
    json_t *j = json_pack("{s:{s:s, s:s}}", "binding", "host", host, "vnic_type",
                          vnic_type && *vnic_type ? vnic_type : "normal");
    int rc;

    if (out) memset(out, 0, sizeof *out);
    body = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    rc = call(nt, "POST", path, body, ok, 409, "create the binding", obj, &r);
    if (rc == 0 && out && neutron_parse_binding(r.body, r.len, "neutron: binding", out) < 0)
        rc = junk(nt);
    http_resp_clear(&r);
    return rc;
}

int
neutron_binding_activate(struct ne_neutron *nt, const char *port, const char *host)
{
    static const long ok[] = {200, 0};
    CLEANUP_FREE char *ep = http_escape(port), *eh = http_escape(host);
    CLEANUP_FREE char *path = xasprintf("/v2.0/ports/%s/bindings/%s/activate", ep, eh);
    CLEANUP_FREE char *obj = xasprintf("of port %s on host %s", port, host);
    struct ne_http_resp r;
    int rc = call(nt, "PUT", path, NULL, ok, 409, "activate the binding", obj, &r);

    http_resp_clear(&r);
    return rc;
}

int
neutron_binding_delete(struct ne_neutron *nt, const char *port, const char *host)
{
    static const long ok[] = {204, 0};
    CLEANUP_FREE char *ep = http_escape(port), *eh = http_escape(host);
    CLEANUP_FREE char *path = xasprintf("/v2.0/ports/%s/bindings/%s", ep, eh);
    CLEANUP_FREE char *obj = xasprintf("of port %s on host %s", port, host);
    struct ne_http_resp r;
    int rc = call(nt, "DELETE", path, NULL, ok, 404, "delete the binding", obj, &r);

    http_resp_clear(&r);
    return rc;
}

int
neutron_port_set_host(struct ne_neutron *nt, const char *port, const char *host,
                      struct ne_binding *out)
{
    static const long ok[] = {200, 0};
    CLEANUP_FREE char *esc = http_escape(port), *path = xasprintf("/v2.0/ports/%s", esc);
    CLEANUP_FREE char *obj = xasprintf("of port %s to %s", port, host);
    CLEANUP_FREE char *body = NULL;
    struct ne_http_resp r;
    struct ne_port p;
    json_t *j = json_pack("{s:{s:s}}", "port", "binding:host_id", host);
    int rc;

    if (out) memset(out, 0, sizeof *out);
    body = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    rc = call(nt, "PUT", path, body, ok, 0, "set the binding host", obj, &r);
    if (rc == 0 && neutron_parse_port(r.body, r.len, "neutron: port", &p) < 0) rc = junk(nt);
    else if (rc == 0) {
        if (out) *out = p.b, memset(&p.b, 0, sizeof p.b);
        ne_port_clear(&p);
    }
    http_resp_clear(&r);
    return rc;
}

int
neutron_agents_on(struct ne_neutron *nt, const char *host, struct ne_agent **out, size_t *n)
{
    static const long ok[] = {200, 0};
    CLEANUP_FREE char *esc = http_escape(host), *path = xasprintf("/v2.0/agents?host=%s", esc);
    CLEANUP_FREE char *obj = xasprintf("on host %s", host);
    struct ne_http_resp r;
    int rc = call(nt, "GET", path, NULL, ok, 0, "list the agents", obj, &r);

    *out = NULL;
    *n = 0;
    if (rc == 0 && neutron_parse_agents(r.body, r.len, "neutron: agents", out, n) < 0)
        rc = junk(nt);
    http_resp_clear(&r);
    return rc;
}

int
neutron_l2_alive(struct ne_neutron *nt, const char *host, char *why, size_t whylen)
{
    struct ne_agent *a;
    size_t n, i;
    const char *seen = NULL;
    int alive = 0;

    if (neutron_agents_on(nt, host, &a, &n) < 0) return -1;
    for (i = 0; i < n; i++) {
        if (!ne_agent_is_l2(a[i].agent_type) || strcmp(a[i].host, host) != 0) continue;
        if (a[i].alive && a[i].admin_state_up) alive = 1;
        else if (!seen) seen = a[i].agent_type;
    }
    if (!alive && seen)
        snprintf(why, whylen, "the %s on %s is %s", seen, host, "not alive or disabled");
    else if (!alive)
        snprintf(why, whylen, "Neutron knows no L2 agent on %s", host);
    else
        snprintf(why, whylen, "an L2 agent on %s is alive", host);
    ne_agents_free(a, n);
    return alive;
}
