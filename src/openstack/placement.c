/* SPDX-License-Identifier: Apache-2.0 */
/* placement.c: see placement.h.  The client: requests through the session
 * (keystone.c) with microversion 1.28, failures reported once with
 * Placement's own error text.  The parsers are in placementjson.c. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "openstack/http.h"
#include "openstack/fleetapi.h"
#include "openstack/placement.h"
#include "util/log.h"
#include "util/mem.h"

/* ---- the client */

struct ne_placement {
    struct ne_os *os;
    enum ne_os_err err;
};

enum ne_os_err placement_err(const struct ne_placement *pl) { return pl->err; }

/* Sends one request; 0 when a reply with one of the ok statuses
 * (0-terminated) came; otherwise reports "placement: ACTION OBJECT: why"
 * and returns -1.  With quiet_status, that status returns 1 unreported. */
static int
call(struct ne_placement *pl, const char *method, const char *path, const char *body,
     const long *ok, long quiet_status, const char *action, const char *object,
     struct ne_http_resp *r)
{
    static const char *const hdr[] = {"OpenStack-API-Version: placement " PLACEMENT_MV, NULL};
    struct ne_os_req req = {.service = "placement", .method = method, .path = path,
                            .headers = hdr, .body = body, .body_len = body ? strlen(body) : 0,
                            .idempotent = strcmp(method, "GET") == 0 ||
                                          strcmp(method, "DELETE") == 0,
                            .source_len = -1};
    enum ne_os_err kind;
    CLEANUP_FREE char *why = NULL;

    memset(r, 0, sizeof *r);
    if (ne_os_request(pl->os, &req, r, &kind) < 0) {
        pl->err = kind;
        ne_error("placement: %s %s: %s; check that the Placement API runs and is reachable",
                 action, object, r->err);
        return -1;
    }
    for (; *ok; ok++)
        if (r->status == *ok) {
            pl->err = NE_OS_OK;
            return 0;
        }
    if (quiet_status && r->status == quiet_status) return 1;
    pl->err = ne_os_status_kind(r->status);
    why = os_error_text(r->body, r->len);
    ne_error("placement: %s %s: HTTP %ld %s (request %s)%s", action, object, r->status,
             why && *why ? why : "(no details)", r->request_id ? r->request_id : "-",
             r->status == 403 ? "; the credentials lack the admin role" : "");
    return -1;
}

struct ne_placement *
placement_open(struct ne_os *os, enum ne_os_err *kind)
{
    static const long ok[] = {200, 0};
    struct ne_placement *pl = xcalloc(1, sizeof *pl);
    struct ne_http_resp r;
    struct ne_mv max, want = {1, 28};
    int rc;

    pl->os = os;
    rc = call(pl, "GET", "/", NULL, ok, 0, "read the version document of", "the endpoint", &r);
    if (rc == 0 && placement_parse_root(r.body, r.len, "placement: version document", &max) < 0) {
        pl->err = NE_OS_EUNREACHABLE;
        rc = -1;
    }
    http_resp_clear(&r);
    if (rc == 0 && os_mv_cmp(max, want) < 0) {
        ne_error("placement: the cloud's Placement API offers microversions up to %d.%d; "
                 "correcting allocations needs %s (OpenStack Rocky or later)", max.major,
                 max.minor, PLACEMENT_MV);
        pl->err = NE_OS_ECONFIG;
        rc = -1;
    }
    if (rc < 0) {
        *kind = pl->err;
        free(pl);
        return NULL;
    }
    *kind = NE_OS_OK;
    return pl;
}

void
placement_close(struct ne_placement *pl)
{
    free(pl);
}

int
placement_allocations(struct ne_placement *pl, const char *consumer, struct ne_allocs *out)
{
    static const long ok[] = {200, 0};
    CLEANUP_FREE char *esc = http_escape(consumer), *path = xasprintf("/allocations/%s", esc);
    CLEANUP_FREE char *obj = xasprintf("of consumer %s", consumer);
    struct ne_http_resp r;
    int rc;

    memset(out, 0, sizeof *out);
    out->consumer_generation = -1;
    rc = call(pl, "GET", path, NULL, ok, 0, "read the allocations", obj, &r);
    if (rc == 0 && placement_parse_allocations(r.body, r.len, "placement: allocations", out) < 0) {
        pl->err = NE_OS_EUNREACHABLE;
        rc = -1;
    }
    http_resp_clear(&r);
    return rc;
}

int
placement_provider_by_name(struct ne_placement *pl, const char *name, char **uuid)
{
    static const long ok[] = {200, 0};
    CLEANUP_FREE char *esc = http_escape(name), *path = xasprintf("/resource_providers?name=%s", esc);
    CLEANUP_FREE char *obj = xasprintf("named %s", name);
    struct ne_http_resp r;
    int rc;

    *uuid = NULL;
    rc = call(pl, "GET", path, NULL, ok, 0, "look up the resource provider", obj, &r);
    if (rc == 0) {
        rc = placement_parse_provider(r.body, r.len, "placement: resource providers", uuid, NULL);
        if (rc > 0) {
            ne_error("placement: %s resource provider named %s; is %s a Nova compute node "
                     "(openstack hypervisor list)?", rc == 1 ? "no" : "more than one", name,
                     name);
            pl->err = NE_OS_ENOTFOUND;
            rc = 1;
        } else if (rc < 0) {
            pl->err = NE_OS_EUNREACHABLE;
        }
    }
    http_resp_clear(&r);
    return rc;
}

/* One attempt of the move: 0 moved, 1 already so, 2 nothing held, 3 the
 * consumer generation changed meanwhile (retry), -1 reported. */
static int
move_once(struct ne_placement *pl, const char *consumer, const char *from, const char *rp,
          const char *project, const char *user)
{
    static const long ok[] = {204, 0};
    struct ne_allocs a, f;
    CLEANUP_FREE char *esc = http_escape(consumer), *path = xasprintf("/allocations/%s", esc);
    CLEANUP_FREE char *obj = xasprintf("of consumer %s to provider %s", consumer, rp);
    CLEANUP_FREE char *body = NULL;
    struct ne_http_resp r;
    json_t *res, *j;
    int rc;

    memset(&f, 0, sizeof f);
    if (placement_allocations(pl, consumer, &a) < 0) return -1;
    if (ne_allocs_only_on(&a, rp)) {
        ne_allocs_clear(&a);
        return 1;
    }
    res = ne_allocs_resources(&a);
    if (json_object_size(res) == 0 && from) {
        if (placement_allocations(pl, from, &f) < 0) {
            json_decref(res);
            ne_allocs_clear(&a);
            return -1;
        }
        json_decref(res);
        res = ne_allocs_resources(&f);
    }
    if (json_object_size(res) == 0) {
        json_decref(res);
        ne_allocs_clear(&a);
        ne_allocs_clear(&f);
        return 2;
    }
    if (a.project_id) project = a.project_id, user = a.user_id;
    else if (f.project_id) project = f.project_id, user = f.user_id;
    j = json_pack("{s:{s:{s:o}}, s:o, s:s?, s:s?}", "allocations", rp, "resources", res,
                  "consumer_generation", a.consumer_generation < 0 ? json_null()
                                         : json_integer(a.consumer_generation),
                  "project_id", project, "user_id", user);
    body = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    ne_debug(NE_DBG_HTTP, "placement: PUT %s %s", path, body);
    rc = call(pl, "PUT", path, body, ok, 409, "move the allocations", obj, &r);
    if (rc == 1) {
        CLEANUP_FREE char *why = os_error_text(r.body, r.len);
        if (strstr(r.body ? r.body : "", "consumer generation") ||
            strstr(r.body ? r.body : "", "concurrent"))
            rc = 3;
        else {
            ne_error("placement: move the allocations %s: HTTP 409 %s (request %s)", obj, why,
                     r.request_id ? r.request_id : "-");
            pl->err = NE_OS_ECONFLICT;
            rc = -1;
        }
    }
    http_resp_clear(&r);
    ne_allocs_clear(&a);
    ne_allocs_clear(&f);
    return rc;
}

int
placement_move_allocations(struct ne_placement *pl, const char *consumer, const char *from,
                           const char *rp, const char *project, const char *user)
{
    int rc = move_once(pl, consumer, from, rp, project, user);

    if (rc == 3) {
        ne_info("placement: the allocations of %s changed meanwhile; reading them again",
                consumer);
        rc = move_once(pl, consumer, from, rp, project, user);
    }
    if (rc == 3) {
        ne_error("placement: move the allocations of consumer %s to provider %s: they keep "
                 "changing (consumer generation conflict twice); run again later", consumer, rp);
        pl->err = NE_OS_ECONFLICT;
        return -1;
    }
    return rc;
}

int
placement_delete_allocations(struct ne_placement *pl, const char *consumer)
{
    static const long ok[] = {204, 0};
    CLEANUP_FREE char *esc = http_escape(consumer), *path = xasprintf("/allocations/%s", esc);
    CLEANUP_FREE char *obj = xasprintf("of consumer %s", consumer);
    struct ne_http_resp r;
    int rc = call(pl, "DELETE", path, NULL, ok, 404, "delete the allocations", obj, &r);

    http_resp_clear(&r);
    return rc;
}

/* fleetapi.h: a plain GET for the fleet's reads (inventories, usages). */
int
placement_get(struct ne_placement *pl, const char *action, const char *object, const char *path,
              struct ne_http_resp *r)
{
    static const long ok[] = {200, 0};

    return call(pl, "GET", path, NULL, ok, 0, action, object, r) == 0 ? 0 : -1;
}
