/* SPDX-License-Identifier: Apache-2.0 */
/* cinder.c: see cinder.h. */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "openstack/cinder.h"
#include "openstack/http.h"
#include "openstack/osjson.h"
#include "util/log.h"
#include "util/mem.h"

struct ne_cinder {
    struct ne_os *os;
    enum ne_os_err err;
};

/* 3.16 is the first microversion that shows os-vol-host-attr:host to admins
 * in every reply Zed gives, and manage existing takes a volume type there. */
static const char *const mv_headers[] = {"OpenStack-API-Version: volume 3.16", NULL};

enum ne_os_err cinder_err(const struct ne_cinder *c) { return c->err; }

struct ne_cinder *
cinder_open(struct ne_os *os, const char *region_label, enum ne_os_err *kind)
{
    struct ne_cinder *c;

    if (!ne_os_endpoint(os, "volumev3")) {
        ne_error("cinder: the catalog has no volumev3 endpoint%s%s; register Cinder there or "
                 "name another region", region_label ? " in " : "", region_label ? region_label : "");
        *kind = NE_OS_ECONFIG;
        return NULL;
    }
    c = xcalloc(1, sizeof *c);
    c->os = os;
    *kind = NE_OS_OK;
    return c;
}

void cinder_close(struct ne_cinder *c) { free(c); }

static int
fail(struct ne_cinder *c, const char *action, const char *id, int rc, struct ne_http_resp *r,
     enum ne_os_err kind)
{
    CLEANUP_FREE char *why = rc < 0 ? xstrdup(r->err) : os_error_text(r->body, r->len);

    c->err = rc < 0 ? kind : ne_os_status_kind(r->status);
    if (rc < 0)
        ne_error("cinder: %s volume %s: %s; check that cinder-api runs and is reachable", action,
                 id, why);
    else
        ne_error("cinder: %s volume %s: HTTP %ld %s (request %s)", action, id, r->status,
                 *why ? why : "(no details)", r->request_id ? r->request_id : "-");
    http_resp_clear(r);
    return -1;
}

static int
request(struct ne_cinder *c, struct ne_os_req *req, const char *path, struct ne_http_resp *r,
        enum ne_os_err *kind)
{
    req->service = "volumev3";
    req->path = path;
    req->headers = mv_headers;
    req->source_len = -1;
    return ne_os_request(c->os, req, r, kind);
}

int
cinder_volume_show(struct ne_cinder *c, const char *id, struct ne_volume *out)
{
    CLEANUP_FREE char *esc = http_escape(id), *path = xasprintf("/volumes/%s", esc);
    struct ne_os_req req = {.method = "GET", .idempotent = true};
    struct ne_http_resp r;
    enum ne_os_err kind;
    int rc = request(c, &req, path, &r, &kind);

    memset(out, 0, sizeof *out);
    if (rc == 0 && r.status == 404) {
        http_resp_clear(&r);
        c->err = NE_OS_ENOTFOUND;
        ne_error("cinder: no volume %s; check the id (openstack volume list --all-projects)", id);
        return 1;
    }
    if (rc < 0 || r.status != 200) return fail(c, "show", id, rc, &r, kind);
    rc = cinder_parse_volume(r.body, r.len, "cinder: show volume", out);
    http_resp_clear(&r);
    c->err = rc < 0 ? NE_OS_EUNREACHABLE : NE_OS_OK;
    return rc;
}

int
cinder_type_exists(struct ne_cinder *c, const char *type, char **names)
{
    struct ne_os_req req = {.method = "GET", .idempotent = true};
    struct ne_http_resp r;
    enum ne_os_err kind;
    int rc = request(c, &req, "/types?is_public=None", &r, &kind);

    if (names) *names = NULL;
    if (rc < 0 || r.status != 200) return fail(c, "list the types for", type, rc, &r, kind);
    rc = cinder_types_find(r.body, r.len, "cinder: list volume types", type, names);
    http_resp_clear(&r);
    c->err = rc < 0 ? NE_OS_EUNREACHABLE : NE_OS_OK;
    return rc;
}

int
cinder_volume_manage(struct ne_cinder *c, const struct ne_volume *like, const char *host,
                     const char *source_name, int timeout_s, struct ne_volume *out)
{
    struct ne_os_req req = {.method = "POST"};
    struct ne_http_resp r;
    enum ne_os_err kind;
    char *body = cinder_manage_body(like, host, source_name);
    time_t end = time(NULL) + timeout_s;
    int rc;

    memset(out, 0, sizeof *out);
    req.body = body;
    req.body_len = strlen(body);
    rc = request(c, &req, "/os-volume-manage", &r, &kind);
    free(body);
    if (rc < 0 || (r.status != 202 && r.status != 200)) return fail(c, "manage", source_name, rc, &r, kind);
    rc = cinder_parse_volume(r.body, r.len, "cinder: manage volume", out);
    http_resp_clear(&r);
    if (rc < 0) {
        c->err = NE_OS_EUNREACHABLE;
        return -1;
    }
    for (;;) { /* creating -> available (or error) */
        struct ne_volume v;
        if (out->status && strcmp(out->status, "creating") != 0) break;
        if (time(NULL) >= end) break;
        nanosleep(&(struct timespec){0, 500000000L}, NULL);
        if (cinder_volume_show(c, out->id, &v) != 0) return -1;
        cinder_volume_clear(out);
        *out = v;
    }
    if (!str_eq(out->status, "available")) {
        ne_error("cinder: managed volume %s (%s on %s) is %s, not available; see cinder-volume's "
                 "log, then 'cinder unmanage %s' (keeps the image) to retry", out->id, source_name, host,
                 out->status ? out->status : "of unknown status", out->id);
        c->err = NE_OS_EUNREACHABLE;
        return -1;
    }
    c->err = NE_OS_OK;
    return 0;
}

int
cinder_detach_via_nova(struct ne_cinder *c, const char *server, const char *volume, int timeout_s)
{
    CLEANUP_FREE char *es = http_escape(server), *ev = http_escape(volume),
                      *path = xasprintf("/servers/%s/os-volume_attachments/%s", es, ev);
    struct ne_os_req req = {.service = "compute", .method = "DELETE", .path = path,
                            .source_len = -1};
    struct ne_http_resp r;
    enum ne_os_err kind;
    time_t end = time(NULL) + timeout_s;
    struct ne_volume v;
    bool asked;
    int rc;

    /* a detach asked before (an earlier run) that Nova still retries: wait for it, as
     * Nova refuses a second one (HTTP 400) while the volume is detaching */
    if (cinder_volume_show(c, volume, &v) != 0) return -1;
    asked = str_eq(v.status, "detaching");
    if (str_eq(v.status, "available")) {
        cinder_volume_clear(&v);
        c->err = NE_OS_OK;
        return 0;
    }
    cinder_volume_clear(&v);
    if (asked) {
        ne_info("nova: volume %s is already detaching from server %s (asked before): waiting",
                volume, server);
        goto wait;
    }
    rc = ne_os_request(c->os, &req, &r, &kind);
    if (rc < 0 || (r.status != 202 && r.status != 200 && r.status != 204)) {
        CLEANUP_FREE char *why = rc < 0 ? xstrdup(r.err) : os_error_text(r.body, r.len);
        c->err = rc < 0 ? kind : ne_os_status_kind(r.status);
        if (rc < 0)
            ne_error("nova: detach volume %s from server %s: %s; check that nova-api runs", volume,
                     server, why);
        else
            ne_error("nova: detach volume %s from server %s: HTTP %ld %s (request %s)", volume,
                     server, r.status, *why ? why : "(no details)",
                     r.request_id ? r.request_id : "-");
        http_resp_clear(&r);
        return -1;
    }
    http_resp_clear(&r);
wait:
    for (;;) { /* in-use -> detaching -> available */
        if (cinder_volume_show(c, volume, &v) != 0) return -1;
        if (str_eq(v.status, "available")) break;
        if (str_eq(v.status, "detaching")) asked = true;
        if (asked && str_eq(v.status, "in-use")) { /* Nova gave up and rolled back */
            ne_error("nova: the detach of volume %s from server %s failed: it is in-use again "
                     "(Nova gave up waiting for the guest to acknowledge the hot-unplug, which "
                     "needs an OS with ACPI or PCIe hotplug); stop the server first (a stopped "
                     "server's disk is detached at once), or see nova-compute's log on its host",
                     volume, server);
            cinder_volume_clear(&v);
            c->err = NE_OS_EUNREACHABLE;
            return -1;
        }
        if (v.status && str_prefix(v.status, "error")) {
            ne_error("nova: volume %s is %s after its detach from server %s was asked; see "
                     "nova-compute's log on the server's host", volume, v.status, server);
            cinder_volume_clear(&v);
            c->err = NE_OS_EUNREACHABLE;
            return -1;
        }
        if (time(NULL) >= end) {
            /* a running guest must release the disk: Nova waits for its ack of the hot-unplug */
            ne_error("nova: volume %s is still %s %d s after its detach from server %s was "
                     "asked: a running guest must acknowledge the hot-unplug (an OS with ACPI or "
                     "PCIe hotplug), and Nova retries for [libvirt] device_detach_attempts x "
                     "device_detach_timeout (8 x 20 s by default); if the guest cannot, stop the "
                     "server first (a stopped server's disk is detached at once); else see "
                     "nova-compute's log on the server's host",
                     volume, v.status ? v.status : "of unknown status", timeout_s, server);
            cinder_volume_clear(&v);
            c->err = NE_OS_EUNREACHABLE;
            return -1;
        }
        cinder_volume_clear(&v);
        nanosleep(&(struct timespec){0, 250000000L}, NULL);
    }
    cinder_volume_clear(&v);
    c->err = NE_OS_OK;
    return 0;
}
