/* placement.c: see placement.h.  The parsers first (pure), then the
 * client: requests through the session (keystone.c) with microversion
 * 1.28, failures reported once with Placement's own error text. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "http.h"
#include "placement.h"
#include "util/log.h"
#include "util/mem.h"

/* ---- parsers */

void
ne_allocs_clear(struct ne_allocs *a)
{
    size_t i, j;

    for (i = 0; i < a->n; i++) {
        for (j = 0; j < a->v[i].nrc; j++) free(a->v[i].rc[j]);
        free(a->v[i].rc);
        free(a->v[i].amount);
        free(a->v[i].rp);
    }
    free(a->v);
    free(a->project_id);
    free(a->user_id);
    memset(a, 0, sizeof *a);
    a->consumer_generation = -1;
}

/* One provider's {"generation": G, "resources": {"VCPU": 1, ...}}. */
static int
parse_share(const char *rp, const json_t *v, const char *what, struct ne_alloc *out)
{
    const json_t *res = json_object_get(v, "resources"), *amt;
    const char *rc;

    memset(out, 0, sizeof *out);
    out->rp = xstrdup(rp);
    out->generation = osj_int(v, "generation", -1);
    if (!json_is_object(res)) {
        ne_error("%s: unexpected reply: provider %.64s has no \"resources\" object", what, rp);
        return -1;
    }
    out->rc = xcalloc(json_object_size(res) + 1, sizeof *out->rc);
    out->amount = xcalloc(json_object_size(res) + 1, sizeof *out->amount);
    json_object_foreach((json_t *)res, rc, amt) {
        if (!json_is_integer(amt) || json_integer_value(amt) < 0) {
            ne_error("%s: unexpected reply: %.64s on provider %.64s is not a count", what, rc, rp);
            return -1;
        }
        out->rc[out->nrc] = xstrdup(rc);
        out->amount[out->nrc++] = (long long)json_integer_value(amt);
    }
    return 0;
}

int
placement_parse_allocations(const char *buf, size_t len, const char *what, struct ne_allocs *out)
{
    json_t *root = osj_load(buf, len, what), *allocs, *v;
    const char *rp;

    memset(out, 0, sizeof *out);
    out->consumer_generation = -1;
    if (!root) return -1;
    allocs = json_object_get(root, "allocations");
    if (!json_is_object(allocs)) {
        ne_error("%s: unexpected reply: no \"allocations\" object", what);
        json_decref(root);
        return -1;
    }
    out->v = xcalloc(json_object_size(allocs) + 1, sizeof *out->v);
    json_object_foreach(allocs, rp, v) {
        if (parse_share(rp, v, what, &out->v[out->n++]) < 0) {
            json_decref(root);
            ne_allocs_clear(out);
            return -1;
        }
    }
    out->consumer_generation = osj_int(root, "consumer_generation", -1);
    out->project_id = osj_dup(root, "project_id");
    out->user_id = osj_dup(root, "user_id");
    json_decref(root);
    return 0;
}

int
placement_parse_provider(const char *buf, size_t len, const char *what, char **uuid, char **root)
{
    json_t *j = osj_load(buf, len, what), *list;
    const char *u;

    *uuid = NULL;
    if (root) *root = NULL;
    if (!j) return -1;
    list = json_object_get(j, "resource_providers");
    if (!json_is_array(list)) {
        ne_error("%s: unexpected reply: no \"resource_providers\" list", what);
        json_decref(j);
        return -1;
    }
    if (json_array_size(list) != 1) {
        int none = json_array_size(list) == 0;
        json_decref(j);
        return none ? 1 : 2;
    }
    u = osj_str(json_array_get(list, 0), "uuid");
    if (!u || !*u) {
        ne_error("%s: unexpected reply: a resource provider without a uuid", what);
        json_decref(j);
        return -1;
    }
    *uuid = xstrdup(u);
    if (root) *root = osj_dup(json_array_get(list, 0), "root_provider_uuid");
    json_decref(j);
    return 0;
}

int
placement_parse_root(const char *buf, size_t len, const char *what, struct ne_mv *max)
{
    json_t *j = osj_load(buf, len, what), *list, *v;
    const char *mx = NULL;
    size_t i;

    max->major = max->minor = 0;
    if (!j) return -1;
    list = json_object_get(j, "versions");
    json_array_foreach(list, i, v)
        if (str_eq(osj_str(v, "status"), "CURRENT") || json_array_size(list) == 1)
            mx = osj_str(v, "max_version");
    if (!mx || os_mv_parse(mx, max) < 0) {
        ne_error("%s: unexpected reply: no CURRENT version with a max_version", what);
        json_decref(j);
        return -1;
    }
    json_decref(j);
    return 0;
}

long long
ne_allocs_amount(const struct ne_allocs *a, const char *rp, const char *rc)
{
    long long best = 0;
    size_t i, j;

    for (i = 0; i < a->n; i++) {
        if (rp && strcmp(a->v[i].rp, rp) != 0) continue;
        for (j = 0; j < a->v[i].nrc; j++)
            if (strcmp(a->v[i].rc[j], rc) == 0 && a->v[i].amount[j] > best)
                best = a->v[i].amount[j];
    }
    return best;
}

bool
ne_allocs_only_on(const struct ne_allocs *a, const char *rp)
{
    return a->n == 1 && str_eq(a->v[0].rp, rp);
}

json_t *
ne_allocs_json(const struct ne_allocs *a)
{
    json_t *o = json_object();
    size_t i, j;

    for (i = 0; i < a->n; i++) {
        json_t *r = json_object();
        for (j = 0; j < a->v[i].nrc; j++)
            json_object_set_new(r, a->v[i].rc[j], json_integer(a->v[i].amount[j]));
        json_object_set_new(o, a->v[i].rp, r);
    }
    return o;
}

/* {"VCPU": max, ...} over every provider of a: the consumer's resources. */
static json_t *
resources(const struct ne_allocs *a)
{
    json_t *r = json_object();
    size_t i, j;

    for (i = 0; i < a->n; i++)
        for (j = 0; j < a->v[i].nrc; j++)
            if (!json_object_get(r, a->v[i].rc[j]))
                json_object_set_new(r, a->v[i].rc[j],
                                    json_integer(ne_allocs_amount(a, NULL, a->v[i].rc[j])));
    return r;
}

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
    res = resources(&a);
    if (json_object_size(res) == 0 && from) {
        if (placement_allocations(pl, from, &f) < 0) {
            json_decref(res);
            ne_allocs_clear(&a);
            return -1;
        }
        json_decref(res);
        res = resources(&f);
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
