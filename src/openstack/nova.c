/* SPDX-License-Identifier: Apache-2.0 */
/* nova.c: see nova.h.  Requests go through the session (keystone.c), which
 * keeps the token valid; this file chooses the microversion, builds the
 * bodies the chosen microversion expects and turns failures into one line
 * that names the instance and Nova's fault. */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "openstack/http.h"
#include "openstack/fleetapi.h"
#include "openstack/nova.h"
#include "util/log.h"
#include "util/mem.h"

struct ne_nova {
    struct ne_os *os;
    struct ne_mv mv;            /* 0.0: the cloud has no microversions */
    char hdr_new[64], hdr_old[64];
    char mv_text[24];           /* mv as "2.1" */
    enum ne_os_err err;
};

enum ne_os_err nova_err(const struct ne_nova *nv) { return nv->err; }

bool
nova_mv_ge(const struct ne_nova *nv, int major, int minor)
{
    struct ne_mv want = {major, minor};

    return os_mv_cmp(nv->mv, want) >= 0;
}

const char *nova_mv_string(const struct ne_nova *nv) { return nv->mv_text; }

/* ---- requests */

/* Sends a compute request with the microversion headers: 0 when a reply
 * came (r->status to judge), -1 when none did (*kind, r->err). */
static int
call(struct ne_nova *nv, const char *method, const char *path, json_t *body, bool idem,
     struct ne_http_resp *r, enum ne_os_err *kind)
{
    const char *hdrs[] = {nv->hdr_new, nv->hdr_old, NULL};
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    struct ne_os_req req = {
        .service = "compute", .method = method, .path = path,
        .headers = nv->mv.major ? hdrs : NULL, .body = text,
        .body_len = text ? strlen(text) : 0, .idempotent = idem, .source_len = -1,
    };
    int rc = ne_os_request(nv->os, &req, r, kind);

    free(text);
    json_decref(body);
    return rc;
}

/* A short description of a server for messages:
 * "vm1 (uuid) on node02 [MIGRATING/migrating]; fault: ...".  Newly
 * allocated.  Best effort: just the uuid when the server cannot be read. */
static char *
describe(struct ne_nova *nv, const char *id)
{
    CLEANUP_FREE char *path = NULL, *esc = http_escape(id);
    struct ne_http_resp r;
    struct ne_server s;
    enum ne_os_err kind;
    char *d;

    path = xasprintf("/servers/%s", esc);
    if (call(nv, "GET", path, NULL, true, &r, &kind) < 0 || r.status != 200 ||
        nova_parse_server(r.body, r.len, "nova: show server", &s) < 0) {
        http_resp_clear(&r);
        return xasprintf("instance %s", id);
    }
    http_resp_clear(&r);
    d = xasprintf("instance %s (%s) on %s [%s/%s]%s%s", s.name ? s.name : "?", id,
                  s.host ? s.host : "no host", s.status ? s.status : "?",
                  s.task_state ? s.task_state : "-", s.fault_message ? "; instance fault: " : "",
                  s.fault_message ? s.fault_message : "");
    ne_server_clear(&s);
    return d;
}

static const char *
hint(long status)
{
    switch (status) {
    case 0: return "; check that nova-api runs and is reachable";
    case 403: return "; the credentials lack the admin role";
    case 409: return "; wait for the running task, or repair a stuck instance with 'nova-evac stuck'";
    default: return status >= 500 ? "; see the nova-api log for this request id" : "";
    }
}

/* Reports a failed request once: "nova: ACTION OBJECT: why (request id);
 * next step".  server (may be NULL) is described from Nova.  Returns -1. */
static int
fail(struct ne_nova *nv, const char *action, const char *server, const char *object, int rc,
     struct ne_http_resp *r, enum ne_os_err kind)
{
    CLEANUP_FREE char *obj = server ? describe(nv, server) : xstrdup(object ? object : "");
    CLEANUP_FREE char *why = rc < 0 ? xstrdup(r->err) : os_error_text(r->body, r->len);

    nv->err = rc < 0 ? kind : ne_os_status_kind(r->status);
    if (nv->err == NE_OS_EAUTH) nv->err = NE_OS_ECONFIG;
    if (rc < 0)
        ne_error("nova: %s %s: %s%s", action, obj, why, hint(0));
    else
        ne_error("nova: %s %s: HTTP %ld %s (request %s)%s", action, obj, r->status,
                 *why ? why : "(no details)", r->request_id ? r->request_id : "-",
                 hint(r->status));
    http_resp_clear(r);
    return -1;
}

/* A request that must answer one of the ok statuses (0-terminated). */
static int
expect(struct ne_nova *nv, const char *action, const char *server, const char *object,
       const char *method, const char *path, json_t *body, bool idem, const long *ok,
       struct ne_http_resp *r)
{
    enum ne_os_err kind;
    int rc = call(nv, method, path, body, idem, r, &kind);

    if (rc == 0)
        for (; *ok; ok++)
            if (r->status == *ok) {
                nv->err = NE_OS_OK;
                return 0;
            }
    return fail(nv, action, server, object, rc, r, kind);
}

/* ---- microversion negotiation */

static void
set_mv(struct ne_nova *nv, struct ne_mv mv)
{
    nv->mv = mv;
    snprintf(nv->mv_text, sizeof nv->mv_text, "%d.%d", mv.major, mv.minor);
    snprintf(nv->hdr_new, sizeof nv->hdr_new, "OpenStack-API-Version: compute %d.%d", mv.major,
             mv.minor);
    snprintf(nv->hdr_old, sizeof nv->hdr_old, "X-OpenStack-Nova-API-Version: %d.%d", mv.major,
             mv.minor);
}

/* The highest microversion both sides know, capped by
 * OS_COMPUTE_API_VERSION ("2", "2.60", "2.latest"). */
static int
choose(struct ne_nova *nv, struct ne_mv min, struct ne_mv max, const char *cap)
{
    struct ne_mv ours, want;

    os_mv_parse(NOVA_MV_MAX, &ours);
    want = os_mv_cmp(max, ours) < 0 ? max : ours;
    if (cap && strcmp(cap, "2") != 0 && strcmp(cap, "2.latest") != 0) {
        struct ne_mv c;
        if (os_mv_parse(cap, &c) < 0) {
            ne_error("nova: compute_api_version / OS_COMPUTE_API_VERSION '%s' is not a "
                     "microversion such as 2.60", cap);
            return -1;
        }
        if (os_mv_cmp(c, want) < 0) want = c;
    } else if (cap && strcmp(cap, "2") == 0) {
        want.major = 2, want.minor = 1;
    }
    if (max.major == 0) want.major = want.minor = 0; /* no microversions at all */
    if (want.major && os_mv_cmp(want, min) < 0) {
        ne_error("nova: the compute API accepts microversions %d.%d to %d.%d; %d.%d was asked "
                 "for (OS_COMPUTE_API_VERSION?)", min.major, min.minor, max.major, max.minor,
                 want.major, want.minor);
        return -1;
    }
    set_mv(nv, want);
    ne_debug(NE_DBG_HTTP, "nova: compute API microversions %d.%d..%d.%d, using %d.%d",
             min.major, min.minor, max.major, max.minor, want.major, want.minor);
    return 0;
}

struct ne_nova *
nova_open(struct ne_os *os, enum ne_os_err *kind)
{
    struct ne_nova *nv = xcalloc(1, sizeof *nv);
    CLEANUP_FREE char *ep = xstrdup_null(ne_os_endpoint(os, "compute")); /* outlives a re-auth */
    struct ne_http_resp r;
    struct ne_mv min, max;
    static const long ok[] = {200, 0};
    CLEANUP_FREE char *what = NULL;

    nv->os = os;
    *kind = NE_OS_ECONFIG;
    if (!ep) goto fail;
    what = xasprintf("compute endpoint %s", ep);
    if (expect(nv, "read the version document of the", NULL, what, "GET", "/", NULL, true, ok,
               &r) < 0) {
        *kind = nv->err;
        goto fail;
    }
    what = (free(what), xasprintf("nova: version document at %s", ep));
    if (os_parse_version(r.body, r.len, what, &min, &max) < 0) {
        *kind = NE_OS_EUNREACHABLE;
        http_resp_clear(&r);
        goto fail;
    }
    http_resp_clear(&r);
    if (choose(nv, min, max, ne_os_cloud(os)->compute_api_version) < 0) goto fail;
    *kind = NE_OS_OK;
    return nv;
fail:
    free(nv);
    return NULL;
}

void nova_close(struct ne_nova *nv) { free(nv); }

/* ---- servers */

int
nova_servers_on_host(struct ne_nova *nv, const char *host, struct ne_server **out, size_t *n)
{
    CLEANUP_FREE char *esc = http_escape(host), *obj = xasprintf("on host %s", host);
    static const long ok[] = {200, 0};
    unsigned page;

    *out = NULL;
    *n = 0;
    for (page = 0; page < 10000; page++) {
        CLEANUP_FREE char *marker = *n ? http_escape((*out)[*n - 1].id) : NULL;
        CLEANUP_FREE char *path = xasprintf("/servers/detail?all_tenants=1&host=%s&limit=1000%s%s",
                                            esc, marker ? "&marker=" : "", marker ? marker : "");
        CLEANUP_FREE char *what = xasprintf("nova: list servers on host %s", host);
        struct ne_http_resp r;
        bool more;
        int rc;
        if (expect(nv, "list servers", NULL, obj, "GET", path, NULL, true, ok, &r) < 0) break;
        rc = nova_parse_servers(r.body, r.len, what, out, n, &more);
        http_resp_clear(&r);
        if (rc < 0) {
            nv->err = NE_OS_EUNREACHABLE;
            break;
        }
        if (!more) return 0;
    }
    ne_servers_free(*out, *n);
    *out = NULL;
    *n = 0;
    return -1;
}

int
nova_server_show(struct ne_nova *nv, const char *id, struct ne_server *out)
{
    CLEANUP_FREE char *esc = http_escape(id), *path = xasprintf("/servers/%s", esc);
    CLEANUP_FREE char *obj = xasprintf("instance %s", id);
    struct ne_http_resp r;
    enum ne_os_err kind;
    int rc = call(nv, "GET", path, NULL, true, &r, &kind);

    memset(out, 0, sizeof *out);
    if (rc == 0 && r.status == 404) {
        http_resp_clear(&r);
        nv->err = NE_OS_ENOTFOUND;
        return 1;
    }
    if (rc < 0 || r.status != 200) return fail(nv, "show", NULL, obj, rc, &r, kind);
    rc = nova_parse_server(r.body, r.len, "nova: show server", out);
    http_resp_clear(&r);
    nv->err = rc < 0 ? NE_OS_EUNREACHABLE : NE_OS_OK;
    return rc;
}

bool
nova_status_busy(const char *s)
{
    static const char *const busy[] = {"MIGRATING", "RESIZE", "BUILD", "REBUILD", "REBOOT",
                                       "HARD_REBOOT", "REVERT_RESIZE", NULL};
    size_t i;

    for (i = 0; s && busy[i]; i++)
        if (strcmp(s, busy[i]) == 0) return true;
    return false;
}

int
nova_wait_idle(struct ne_nova *nv, const char *server, unsigned timeout_s, const char *leave,
               struct ne_server *out)
{
    time_t deadline = time(NULL) + (time_t)timeout_s;
    struct ne_server s;

    for (;;) {
        int rc = nova_server_show(nv, server, &s);
        if (rc == 1) ne_error("nova: wait for instance %s: it no longer exists", server);
        if (rc != 0) return -1;
        if (!s.task_state && !nova_status_busy(s.status) && !(leave && str_eq(s.status, leave))) break;
        if (time(NULL) >= deadline) {
            ne_error("nova: wait for instance %s (%s) on %s: still %s/%s after %u s", s.name ? s.name : "?",
                     server, s.host ? s.host : "no host", s.status ? s.status : "?",
                     s.task_state ? s.task_state : "-", timeout_s);
            ne_server_clear(&s);
            nv->err = NE_OS_ECONFLICT;
            return -1;
        }
        ne_server_clear(&s);
        nanosleep(&(struct timespec){0, 500000000L}, NULL);
    }
    if (out) *out = s;
    else ne_server_clear(&s);
    return 0;
}

/* ---- services */

int
nova_services(struct ne_nova *nv, const char *host, struct ne_service **out, size_t *n)
{
    CLEANUP_FREE char *esc = host ? http_escape(host) : NULL;
    CLEANUP_FREE char *path = xasprintf("/os-services?binary=nova-compute%s%s",
                                        host ? "&host=" : "", host ? esc : "");
    CLEANUP_FREE char *obj = host ? xasprintf("on host %s", host) : xstrdup("(all hosts)");
    static const long ok[] = {200, 0};
    struct ne_http_resp r;
    int rc;

    *out = NULL;
    *n = 0;
    if (expect(nv, "list nova-compute services", NULL, obj, "GET", path, NULL, true, ok, &r) < 0)
        return -1;
    rc = nova_parse_services(r.body, r.len, "nova: list nova-compute services", out, n);
    http_resp_clear(&r);
    if (rc < 0) {
        ne_services_free(*out, *n);
        *out = NULL;
        *n = 0;
        nv->err = NE_OS_EUNREACHABLE;
    }
    return rc;
}

/* The one nova-compute service of host, into *svc; -1 (reported) when
 * there is none, naming the hosts that have one. */
static int
find_service(struct ne_nova *nv, const char *host, struct ne_service *svc)
{
    struct ne_service *all;
    size_t n, i;
    char *names = xstrdup("");

    if (nova_services(nv, NULL, &all, &n) < 0) {
        free(names);
        return -1;
    }
    for (i = 0; i < n; i++) {
        char *t;
        if (str_eq(all[i].host, host)) {
            *svc = all[i];
            memset(&all[i], 0, sizeof all[i]);
            ne_services_free(all, n);
            free(names);
            return 0;
        }
        t = xasprintf("%s%s%s", names, *names ? ", " : "", all[i].host ? all[i].host : "?");
        free(names);
        names = t;
    }
    ne_error("nova: no nova-compute service on host %s (the hosts with one: %s); check the name "
             "with 'nova-evac api services'", host, *names ? names : "none");
    nv->err = NE_OS_ENOTFOUND;
    ne_services_free(all, n);
    free(names);
    return -1;
}

static int
service_set(struct ne_nova *nv, const char *host, bool enable, const char *reason,
            struct ne_service *out)
{
    static const long ok[] = {200, 0};
    const char *action = enable ? "enable nova-compute" : "disable nova-compute";
    CLEANUP_FREE char *obj = xasprintf("on host %s", host), *path = NULL;
    struct ne_service svc;
    struct ne_http_resp r;
    json_t *body;
    int rc;

    if (find_service(nv, host, &svc) < 0) return -1;
    if (nova_mv_ge(nv, 2, 53)) { /* PUT /os-services/{uuid} */
        CLEANUP_FREE char *esc = http_escape(svc.id);
        path = xasprintf("/os-services/%s", esc);
        body = json_pack("{s:s}", "status", enable ? "enabled" : "disabled");
        if (!enable && reason) json_object_set_new(body, "disabled_reason", json_string(reason));
    } else { /* the old form, by host and binary */
        path = xstrdup(enable ? "/os-services/enable"
                       : reason ? "/os-services/disable-log-reason" : "/os-services/disable");
        body = json_pack("{s:s, s:s}", "host", host, "binary", "nova-compute");
        if (!enable && reason) json_object_set_new(body, "disabled_reason", json_string(reason));
    }
    ne_service_clear(&svc);
    if (expect(nv, action, NULL, obj, "PUT", path, body, true, ok, &r) < 0) return -1;
    rc = nova_parse_service(r.body, r.len, "nova: service update reply", &svc);
    http_resp_clear(&r);
    if (rc < 0) {
        nv->err = NE_OS_EUNREACHABLE;
        return -1;
    }
    if (out) *out = svc;
    else ne_service_clear(&svc);
    return 0;
}

int
nova_service_disable(struct ne_nova *nv, const char *host, const char *reason,
                     struct ne_service *out)
{
    return service_set(nv, host, false, reason, out);
}

int
nova_service_enable(struct ne_nova *nv, const char *host, struct ne_service *out)
{
    return service_set(nv, host, true, NULL, out);
}

/* ---- hypervisors and migrations */

int
nova_hypervisors(struct ne_nova *nv, struct ne_hypervisor **out, size_t *n)
{
    static const long ok[] = {200, 0};
    struct ne_http_resp r;
    int rc;

    *out = NULL;
    *n = 0;
    if (expect(nv, "list hypervisors", NULL, "", "GET", "/os-hypervisors/detail", NULL, true, ok,
               &r) < 0)
        return -1;
    rc = nova_parse_hypervisors(r.body, r.len, "nova: list hypervisors", out, n);
    http_resp_clear(&r);
    if (rc < 0) {
        ne_hypervisors_free(*out, *n);
        *out = NULL;
        *n = 0;
        nv->err = NE_OS_EUNREACHABLE;
    }
    return rc;
}

/* Why these figures and not Placement's DISK_GB: Placement's inventory
 * total is the size of the instances filesystem (f_blocks) and its usage
 * the disk of the flavors allocated there; it knows nothing of what
 * already fills the filesystem nor of the blocks ext4 keeps for root, so
 * it calls a disk "free" that is not (measured: 251 GiB where 78 GiB were
 * available).  disk_available_least is what nova-compute computes from
 * f_bavail of the instances path, minus what its sparse disks may still
 * grow by: what the disk can actually take, the figure Nova's own
 * block-migration check compared with.  free_disk_gb is what the flavors
 * placed there leave (reserved_host_disk_mb included), the scheduler's
 * view.  A move must fit both, so the smaller counts.  Both left the API
 * in 2.88: the request asks for 2.87 at most. */
int
nova_host_free_disk(struct ne_nova *nv, const char *host, unsigned long long *bytes)
{
    struct ne_nova capped = *nv;
    struct ne_mv max = {2, 87};
    struct ne_hypervisor *h = NULL;
    size_t n = 0, i;
    int rc;

    if (capped.mv.major && os_mv_cmp(capped.mv, max) > 0) set_mv(&capped, max);
    rc = nova_hypervisors(&capped, &h, &n);
    nv->err = capped.err;
    if (rc < 0) return -1;
    rc = 1;
    for (i = 0; i < n && rc == 1; i++) {
        long long gib;
        if (!str_eq(h[i].host, host) && !str_eq(h[i].hostname, host)) continue;
        if (!h[i].have_disk) break;
        gib = h[i].disk_available_least < h[i].free_disk_gb ? h[i].disk_available_least
                                                            : h[i].free_disk_gb;
        *bytes = gib > 0 ? (unsigned long long)gib << 30 : 0;
        rc = 0;
    }
    if (rc == 1)
        ne_error("nova: free disk of %s: %s; check 'openstack hypervisor list' (its "
                 "nova-compute must run and report)", host,
                 i < n ? "Nova does not report disk_available_least/free_disk_gb for it"
                       : "Nova has no hypervisor of that host");
    ne_hypervisors_free(h, n);
    return rc;
}

static char *
add_query(char *q, const char *key, const char *val)
{
    CLEANUP_FREE char *esc = NULL;
    char *r;

    if (!val) return q;
    esc = http_escape(val);
    r = xasprintf("%s%s%s=%s", q, *q ? "&" : "?", key, esc);
    free(q);
    return r;
}

int
nova_migrations(struct ne_nova *nv, const struct ne_migration_filter *f,
                struct ne_migration **out, size_t *n)
{
    static const long ok[] = {200, 0};
    char *q = xstrdup("");
    unsigned page;

    q = add_query(q, "instance_uuid", f->instance_uuid);
    q = add_query(q, "host", f->host);
    q = add_query(q, "status", f->status);
    if (nova_mv_ge(nv, 2, 23)) q = add_query(q, "migration_type", f->type);
    *out = NULL;
    *n = 0;
    for (page = 0; page < 10000; page++) {
        const char *last = *n ? (*out)[*n - 1].uuid : NULL;
        CLEANUP_FREE char *qm = last ? add_query(xstrdup(q), "marker", last) : xstrdup(q);
        CLEANUP_FREE char *path = xasprintf("/os-migrations%s", qm);
        struct ne_http_resp r;
        bool more;
        int rc;
        if (expect(nv, "list migrations", NULL, *q ? q : "", "GET", path, NULL, true, ok, &r) < 0)
            break;
        rc = nova_parse_migrations(r.body, r.len, "nova: list migrations", out, n, &more);
        http_resp_clear(&r);
        if (rc < 0) nv->err = NE_OS_EUNREACHABLE;
        if (rc < 0) break;
        if (!more || !(*n && (*out)[*n - 1].uuid)) {
            free(q);
            return 0;
        }
    }
    free(q);
    ne_migrations_free(*out, *n);
    *out = NULL;
    *n = 0;
    return -1;
}

/* Refuses (reported) an action the negotiated microversion cannot do. */
static int
need_mv(struct ne_nova *nv, int minor, const char *action, const char *server)
{
    if (nova_mv_ge(nv, 2, minor)) return 0;
    ne_error("nova: %s instance %s: needs compute API 2.%d, this cloud (or "
             "OS_COMPUTE_API_VERSION) allows %d.%d", action, server, minor, nv->mv.major,
             nv->mv.minor);
    nv->err = NE_OS_ECONFIG;
    return -1;
}

int
nova_server_migrations(struct ne_nova *nv, const char *server, struct ne_migration **out,
                       size_t *n)
{
    static const long ok[] = {200, 0};
    CLEANUP_FREE char *esc = http_escape(server);
    CLEANUP_FREE char *path = xasprintf("/servers/%s/migrations", esc);
    struct ne_http_resp r;
    bool more;
    int rc;

    *out = NULL;
    *n = 0;
    if (need_mv(nv, 23, "list the migrations of", server) < 0 ||
        expect(nv, "list the migrations of", server, NULL, "GET", path, NULL, true, ok, &r) < 0)
        return -1;
    rc = nova_parse_migrations(r.body, r.len, "nova: list server migrations", out, n, &more);
    http_resp_clear(&r);
    if (rc < 0) {
        ne_migrations_free(*out, *n);
        *out = NULL;
        *n = 0;
        nv->err = NE_OS_EUNREACHABLE;
    }
    return rc;
}

/* ---- actions */

/* POST /servers/{id}/action with body; expects 202 (or 204). */
static int
action(struct ne_nova *nv, const char *server, const char *what, json_t *body)
{
    static const long ok[] = {202, 204, 200, 0};
    CLEANUP_FREE char *esc = http_escape(server);
    CLEANUP_FREE char *path = xasprintf("/servers/%s/action", esc);
    struct ne_http_resp r;

    ne_debug(NE_DBG_HTTP, "nova: %s instance %s", what, server);
    if (expect(nv, what, server, NULL, "POST", path, body, false, ok, &r) < 0) return -1;
    http_resp_clear(&r);
    return 0;
}

int
nova_live_migrate(struct ne_nova *nv, const char *server, const char *host,
                  enum ne_block_migration block)
{
    json_t *args = json_pack("{s:o}", "host", host ? json_string(host) : json_null());
    CLEANUP_FREE char *what = xasprintf("live-migrate%s%s", host ? " to " : "", host ? host : "");

    if (nova_mv_ge(nv, 2, 25)) {
        json_object_set_new(args, "block_migration",
                            block == NE_BLOCK_AUTO ? json_string("auto")
                                                   : json_boolean(block == NE_BLOCK_YES));
    } else if (block == NE_BLOCK_AUTO) {
        ne_error("nova: %s instance %s: block_migration \"auto\" needs compute API 2.25 "
                 "(this cloud allows %d.%d): say whether to copy the disks (--block-migration "
                 "yes|no)", what, server, nv->mv.major, nv->mv.minor);
        json_decref(args);
        nv->err = NE_OS_ECONFIG;
        return -1;
    } else {
        json_object_set_new(args, "block_migration", json_boolean(block == NE_BLOCK_YES));
        json_object_set_new(args, "disk_over_commit", json_false());
    }
    return action(nv, server, what, json_pack("{s:o}", "os-migrateLive", args));
}

int
nova_migrate(struct ne_nova *nv, const char *server, const char *host)
{
    CLEANUP_FREE char *what = xasprintf("cold-migrate%s%s", host ? " to " : "", host ? host : "");

    if (host && need_mv(nv, 56, "cold-migrate to a chosen host", server) < 0) return -1;
    return action(nv, server, what,
                  host ? json_pack("{s:{s:s}}", "migrate", "host", host)
                       : json_pack("{s:n}", "migrate"));
}

int
nova_confirm_resize(struct ne_nova *nv, const char *server)
{
    return action(nv, server, "confirm the resize/migration of", json_pack("{s:n}", "confirmResize"));
}

int
nova_revert_resize(struct ne_nova *nv, const char *server)
{
    return action(nv, server, "revert the resize/migration of", json_pack("{s:n}", "revertResize"));
}

int
nova_reset_state(struct ne_nova *nv, const char *server, const char *state)
{
    CLEANUP_FREE char *what = xasprintf("reset the state to %s of", state);

    if (strcmp(state, "error") != 0 && strcmp(state, "active") != 0) {
        ne_error("nova: reset state of instance %s: state must be error or active, not '%s'",
                 server, state);
        nv->err = NE_OS_ECONFIG;
        return -1;
    }
    return action(nv, server, what, json_pack("{s:{s:s}}", "os-resetState", "state", state));
}

int
nova_force_complete(struct ne_nova *nv, const char *server, const char *migration)
{
    static const long ok[] = {202, 0};
    CLEANUP_FREE char *esc = http_escape(server), *mesc = http_escape(migration);
    CLEANUP_FREE char *path = xasprintf("/servers/%s/migrations/%s/action", esc, mesc);
    CLEANUP_FREE char *what = xasprintf("force-complete migration %s of", migration);
    struct ne_http_resp r;

    if (need_mv(nv, 22, "force-complete the live migration of", server) < 0 ||
        expect(nv, what, server, NULL, "POST", path, json_pack("{s:n}", "force_complete"), false,
               ok, &r) < 0)
        return -1;
    http_resp_clear(&r);
    return 0;
}

int
nova_abort_migration(struct ne_nova *nv, const char *server, const char *migration)
{
    static const long ok[] = {202, 0};
    CLEANUP_FREE char *esc = http_escape(server), *mesc = http_escape(migration);
    CLEANUP_FREE char *path = xasprintf("/servers/%s/migrations/%s", esc, mesc);
    CLEANUP_FREE char *what = xasprintf("abort migration %s of", migration);
    struct ne_http_resp r;

    if (need_mv(nv, 24, "abort the live migration of", server) < 0 ||
        expect(nv, what, server, NULL, "DELETE", path, NULL, false, ok, &r) < 0)
        return -1;
    http_resp_clear(&r);
    return 0;
}

static bool
migration_busy(const char *status)
{
    static const char *const busy[] = {"queued", "preparing", "running", "pre-migrating",
                                       "migrating", "post-migrating", "accepted", "confirming",
                                       "reverting", NULL};
    size_t i;

    for (i = 0; status && busy[i]; i++)
        if (strcmp(status, busy[i]) == 0) return true;
    return false;
}

/* The newest migration of m[0..n) (highest numeric id), or NULL. */
static struct ne_migration *
newest(struct ne_migration *m, size_t n)
{
    struct ne_migration *best = NULL;
    unsigned long long id, bid = 0;
    size_t i;

    for (i = 0; i < n; i++)
        if (m[i].id && parse_u64(m[i].id, &id) == 0 && (!best || id > bid)) {
            best = &m[i];
            bid = id;
        }
    return best;
}

int
nova_wait_migration(struct ne_nova *nv, const char *server, unsigned timeout_s,
                    struct ne_migration *out)
{
    struct ne_migration_filter f = {.instance_uuid = server};
    time_t deadline = time(NULL) + (time_t)timeout_s;

    if (out) memset(out, 0, sizeof *out);
    for (;;) {
        struct ne_migration *m, *last;
        size_t n;
        if (nova_migrations(nv, &f, &m, &n) < 0) return -1;
        last = newest(m, n);
        if (!last || !migration_busy(last->status)) {
            if (out && last) {
                *out = *last;
                memset(last, 0, sizeof *last);
            }
            ne_migrations_free(m, n);
            return 0;
        }
        if (time(NULL) >= deadline) {
            ne_error("nova: wait for the migration %s of instance %s (%s -> %s): still %s after "
                     "%u s", last->id, server, last->source_compute ? last->source_compute : "?",
                     last->dest_compute ? last->dest_compute : "?", last->status, timeout_s);
            ne_migrations_free(m, n);
            nv->err = NE_OS_ECONFLICT;
            return -1;
        }
        ne_migrations_free(m, n);
        nanosleep(&(struct timespec){0, 500000000L}, NULL);
    }
}

int
nova_create_image(struct ne_nova *nv, const char *server, const char *name,
                  const char *const *metadata, char **image_id)
{
    static const long ok[] = {202, 200, 0};
    CLEANUP_FREE char *esc = http_escape(server);
    CLEANUP_FREE char *path = xasprintf("/servers/%s/action", esc);
    json_t *md = json_object(), *root;
    struct ne_http_resp r;
    const char *slash;

    *image_id = NULL;
    for (; metadata && metadata[0] && metadata[1]; metadata += 2)
        json_object_set_new(md, metadata[0], json_string(metadata[1]));
    if (expect(nv, "snapshot (createImage)", server, NULL, "POST", path,
               json_pack("{s:{s:s, s:o}}", "createImage", "name", name, "metadata", md), false,
               ok, &r) < 0)
        return -1;
    if (r.len && (root = json_loadb(r.body, r.len, 0, NULL))) {
        *image_id = osj_dup(root, "image_id");
        json_decref(root);
    }
    if (!*image_id && r.location && (slash = strrchr(r.location, '/')) && slash[1])
        *image_id = xstrdup(slash + 1);
    http_resp_clear(&r);
    if (!*image_id) {
        ne_error("nova: snapshot (createImage) of instance %s: the reply names no image (no "
                 "image_id, no Location); look for image \"%s\" in Glance", server, name);
        nv->err = NE_OS_EUNREACHABLE;
        return -1;
    }
    return 0;
}

int
nova_action_error(struct ne_nova *nv, const char *server, const char *action, char **out)
{
    static const long ok[] = {200, 0};
    CLEANUP_FREE char *esc = http_escape(server);
    CLEANUP_FREE char *path = xasprintf("/servers/%s/os-instance-actions", esc);
    CLEANUP_FREE char *req = NULL;
    struct ne_http_resp r;
    json_t *root, *a, *ev;
    size_t i;

    *out = NULL;
    if (expect(nv, "list the instance actions of", server, NULL, "GET", path, NULL, true, ok,
               &r) < 0)
        return -1;
    root = r.len ? json_loadb(r.body, r.len, 0, NULL) : NULL;
    http_resp_clear(&r);
    /* newest first */
    json_array_foreach(json_object_get(root, "instanceActions"), i, a) {
        const char *name = json_string_value(json_object_get(a, "action"));
        if (name && strcmp(name, action) == 0) {
            req = xstrdup_null(json_string_value(json_object_get(a, "request_id")));
            break;
        }
    }
    json_decref(root);
    if (!req) return 0;
    {
        CLEANUP_FREE char *rq = http_escape(req);
        CLEANUP_FREE char *p2 = xasprintf("%s/%s", path, rq);
        if (expect(nv, "show the instance action of", server, NULL, "GET", p2, NULL, true, ok,
                   &r) < 0)
            return -1;
    }
    root = r.len ? json_loadb(r.body, r.len, 0, NULL) : NULL;
    http_resp_clear(&r);
    json_array_foreach(json_object_get(json_object_get(root, "instanceAction"), "events"), i, ev) {
        const char *res = json_string_value(json_object_get(ev, "result"));
        const char *name = json_string_value(json_object_get(ev, "event"));
        const char *det = json_string_value(json_object_get(ev, "details"));
        if (!res || strcmp(res, "Error") != 0) continue;
        *out = det && *det ? xasprintf("%s: %s", name ? name : "?", det)
                           : xstrdup(name ? name : "?");
        break;
    }
    json_decref(root);
    return 0;
}

/* fleetapi.h: a plain GET for the fleet's reads (aggregates, groups). */
int
nova_get(struct ne_nova *nv, const char *action, const char *path, struct ne_http_resp *r)
{
    static const long ok[] = {200, 0};

    return expect(nv, action, NULL, "", "GET", path, NULL, true, ok, r);
}
