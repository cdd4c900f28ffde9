/* SPDX-License-Identifier: Apache-2.0 */
/* keystone.c: see keystone.h. */
#include <config.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "openstack/keystone.h"
#include "util/log.h"
#include "util/mem.h"

#define DEFAULT_MARGIN 60 /* seconds before expiry to re-authenticate */

struct ne_os {
    struct ne_cloud cloud;
    struct ne_http *http;
    char *token;               /* secret */
    struct ne_token_info info;
    double expires;            /* local CLOCK_BOOTTIME seconds */
    long lifetime;             /* seconds, as Keystone granted it */
    long margin;
    unsigned reauths;
    pthread_mutex_t lock;      /* one request at a time (ne_os_request) */
};

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_BOOTTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

enum ne_os_err
ne_os_status_kind(long status)
{
    if (status == 0 || (status >= 200 && status < 300)) return NE_OS_OK;
    if (status == 401) return NE_OS_EAUTH;
    if (status == 404) return NE_OS_ENOTFOUND;
    if (status >= 500) return NE_OS_EUNREACHABLE;
    return NE_OS_ECONFLICT;
}

/* ---- the authentication request */

static json_t *
domain_ref(const char *name, const char *id)
{
    return name ? json_pack("{s:s}", "name", name) : json_pack("{s:s}", "id", id);
}

static json_t *
identity(const struct ne_cloud *c)
{
    json_t *user;

    if (c->auth_type == NE_AUTH_APPCRED) {
        json_t *ac = json_pack("{s:s}", "secret", c->app_cred_secret);
        if (c->app_cred_id) {
            json_object_set_new(ac, "id", json_string(c->app_cred_id));
        } else {
            json_object_set_new(ac, "name", json_string(c->app_cred_name));
            user = c->user_id ? json_pack("{s:s}", "id", c->user_id)
                              : json_pack("{s:s, s:o}", "name", c->username, "domain",
                                          domain_ref(c->user_domain_name, c->user_domain_id));
            json_object_set_new(ac, "user", user);
        }
        return json_pack("{s:[s], s:o}", "methods", "application_credential",
                         "application_credential", ac);
    }
    user = c->user_id ? json_pack("{s:s, s:s}", "id", c->user_id, "password", c->password)
                      : json_pack("{s:s, s:o, s:s}", "name", c->username, "domain",
                                  domain_ref(c->user_domain_name, c->user_domain_id), "password",
                                  c->password);
    return json_pack("{s:[s], s:{s:o}}", "methods", "password", "password", "user", user);
}

static json_t *
scope(const struct ne_cloud *c)
{
    if (c->auth_type == NE_AUTH_APPCRED) return NULL; /* the credential carries its scope */
    if (c->project_id) return json_pack("{s:{s:s}}", "project", "id", c->project_id);
    if (c->project_name)
        return json_pack("{s:{s:s, s:o}}", "project", "name", c->project_name, "domain",
                         domain_ref(c->project_domain_name, c->project_domain_id));
    if (c->domain_id || c->domain_name)
        return json_pack("{s:o}", "domain", domain_ref(c->domain_name, c->domain_id));
    if (c->system_scope) return json_pack("{s:{s:b}}", "system", "all", 1);
    return NULL;
}

static char *
auth_body(const struct ne_cloud *c)
{
    json_t *auth = json_pack("{s:o}", "identity", identity(c)), *s = scope(c), *root;
    char *body;

    if (s) json_object_set_new(auth, "scope", s);
    root = json_pack("{s:o}", "auth", auth);
    body = json_dumps(root, JSON_COMPACT);
    json_decref(root); /* jansson frees the password copies without wiping: short-lived */
    if (!body) {
        fprintf(stderr, "nova-evac: out of memory (json_dumps)\n");
        abort();
    }
    return body;
}

/* Who we authenticate as, for messages: "user admin, project admin". */
static char *
whoami(const struct ne_cloud *c)
{
    if (c->auth_type == NE_AUTH_APPCRED)
        return xasprintf("application credential %s",
                         c->app_cred_id ? c->app_cred_id : c->app_cred_name);
    return xasprintf("user %s%s%s", c->username ? c->username : c->user_id,
                     c->project_name || c->project_id ? ", project " : "",
                     c->project_name ? c->project_name : c->project_id ? c->project_id : "");
}

/* Reports a failed authentication once; returns its kind. */
static enum ne_os_err
auth_failed(struct ne_os *os, const char *url, int rc, const struct ne_http_resp *r)
{
    const struct ne_cloud *c = &os->cloud;
    CLEANUP_FREE char *who = whoami(c);
    CLEANUP_FREE char *why = rc < 0 ? NULL : os_error_text(r->body, r->len);
    const char *rid = r->request_id ? r->request_id : "-";

    if (rc < 0) {
        ne_error("keystone: cannot reach %s (cloud %s, %s): %s; check auth_url and that "
                 "Keystone runs", c->auth_url, c->name, c->origin, r->err);
        return r->fail == NE_HTTP_TLS ? NE_OS_ECONFIG : NE_OS_EUNREACHABLE;
    }
    if (r->status == 401) {
        ne_error("keystone: authentication refused for %s (cloud %s, %s): HTTP 401 %s (request "
                 "%s); check the password or application credential", who, c->name, c->origin,
                 why, rid);
        return NE_OS_EAUTH;
    }
    if (r->status >= 300 && r->status < 400) {
        ne_error("keystone: %s answered %ld, redirecting to %s: set auth_url to that address "
                 "(cloud %s, %s)", url, r->status, r->location ? r->location : "?", c->name,
                 c->origin);
        return NE_OS_ECONFIG;
    }
    ne_error("keystone: authentication as %s failed (cloud %s, %s, %s): HTTP %ld %s (request %s)",
             who, c->name, c->origin, url, r->status, why, rid);
    return r->status >= 500 ? NE_OS_EUNREACHABLE : NE_OS_ECONFIG;
}

static long
margin_for(long lifetime)
{
    const char *e = getenv("NOVA_EVAC_TOKEN_MARGIN");
    unsigned long long m;

    if (e && parse_u64(e, &m) == 0) return (long)m;
    return lifetime / 3 < DEFAULT_MARGIN ? lifetime / 3 : DEFAULT_MARGIN;
}

/* POST /v3/auth/tokens; on success the session holds the new token. */
static enum ne_os_err
authenticate(struct ne_os *os)
{
    CLEANUP_FREE char *url = xasprintf("%s/auth/tokens", os->cloud.auth_url);
    char *body = auth_body(&os->cloud);
    static const char *const hdrs[] = {"Content-Type: application/json",
                                       "Accept: application/json", NULL};
    struct ne_http_req req = {.method = "POST", .url = url, .headers = hdrs, .body = body,
                              .body_len = strlen(body), .idempotent = true,
                              .secret_body = true, .source_len = -1, .timeout = 30};
    struct ne_http_resp r;
    struct ne_token_info info;
    double t0 = now();
    int rc = http_do(os->http, &req, &r);
    enum ne_os_err err = NE_OS_OK;

    explicit_bzero(body, strlen(body));
    free(body);
    if (rc < 0 || r.status != 201) {
        err = auth_failed(os, url, rc, &r);
    } else if (!r.subject_token || !*r.subject_token) {
        ne_error("keystone: %s: reply without X-Subject-Token (request %s)", url,
                 r.request_id ? r.request_id : "-");
        err = NE_OS_EUNREACHABLE;
    } else if (os_parse_token(r.body, r.len, "keystone: token reply", &info) < 0) {
        err = NE_OS_EUNREACHABLE;
    } else {
        if (os->token) explicit_bzero(os->token, strlen(os->token));
        free(os->token);
        os->token = r.subject_token;
        r.subject_token = NULL;
        os_token_info_clear(&os->info);
        os->info = info;
        os->lifetime = (long)(info.expires_at - info.issued_at);
        os->expires = t0 + (double)os->lifetime;
        os->margin = margin_for(os->lifetime);
        ne_debug(NE_DBG_AUTH, "keystone: authenticated as %s in %.3f s: token valid %ld s "
                 "(re-authentication %ld s before expiry), %zu catalog endpoints",
                 info.user_name ? info.user_name : "?", now() - t0, os->lifetime, os->margin,
                 info.neps);
    }
    http_resp_clear(&r);
    return err;
}

enum ne_os_err
ne_os_open(const struct ne_cloud_args *a, struct ne_os **out)
{
    struct ne_os *os = xcalloc(1, sizeof *os);
    struct ne_http_opts ho = {.retries = -1};
    enum ne_os_err err;

    *out = NULL;
    pthread_mutex_init(&os->lock, NULL);
    if (clouds_load(a, &os->cloud) < 0) {
        pthread_mutex_destroy(&os->lock);
        free(os);
        return NE_OS_ECONFIG;
    }
    ho.insecure = os->cloud.insecure;
    ho.cacert = os->cloud.cacert;
    ho.cert = os->cloud.cert;
    ho.key = os->cloud.key;
    os->http = http_new(&ho);
    if (os->cloud.insecure)
        ne_warn("TLS certificates are not verified (--insecure or verify: false in cloud %s)",
                os->cloud.name);
    err = authenticate(os);
    if (err != NE_OS_OK) {
        ne_os_close(os);
        return err;
    }
    *out = os;
    return NE_OS_OK;
}

void
ne_os_close(struct ne_os *os)
{
    if (!os) return;
    if (os->token) explicit_bzero(os->token, strlen(os->token));
    free(os->token);
    os_token_info_clear(&os->info);
    ne_cloud_clear(&os->cloud);
    http_free(os->http);
    pthread_mutex_destroy(&os->lock);
    free(os);
}

const struct ne_cloud *ne_os_cloud(const struct ne_os *os) { return &os->cloud; }
const struct ne_token_info *ne_os_token(const struct ne_os *os) { return &os->info; }
long ne_os_token_left(const struct ne_os *os) { return (long)(os->expires - now()); }

const char *
ne_os_endpoint(struct ne_os *os, const char *type)
{
    const struct ne_cloud *c = &os->cloud;
    const char *url = os_catalog_find(&os->info, type, c->interface, c->region_name);

    if (!url) {
        CLEANUP_FREE char *have = os_catalog_summary(&os->info);
        ne_error("keystone catalog: no %s endpoint with interface %s%s%s (cloud %s, %s); the "
                 "catalog has: %s", type, c->interface, c->region_name ? " in region " : "",
                 c->region_name ? c->region_name : "", c->name, c->origin, have);
    }
    return url;
}

/* Re-authenticates and logs it; why says what prompted it. */
static enum ne_os_err
reauth(struct ne_os *os, const char *why)
{
    double t0 = now();
    enum ne_os_err err = authenticate(os);

    if (err == NE_OS_OK) {
        os->reauths++;
        ne_info("keystone: re-authenticated (%s) in %.2f s; new token valid %ld s", why,
                now() - t0, os->lifetime);
    }
    return err;
}

static char *
join_url(const char *base, const char *path)
{
    size_t n = strlen(base);

    if (str_prefix(path, "http://") || str_prefix(path, "https://")) return xstrdup(path);
    while (n && base[n - 1] == '/') n--;
    return xasprintf("%.*s%s%s", (int)n, base, *path == '/' || !*path ? "" : "/", path);
}

/* The header list: token, Accept, Content-Type, then the caller's. */
static const char **
headers(struct ne_os *os, const struct ne_os_req *req, char **tokhdr, char **cthdr)
{
    size_t n = 0, i;
    const char **h;

    while (req->headers && req->headers[n]) n++;
    h = xcalloc(n + 4, sizeof *h);
    *tokhdr = xasprintf("X-Auth-Token: %s", os->token);
    h[0] = *tokhdr;
    h[1] = req->sink ? "Accept: */*" : "Accept: application/json";
    *cthdr = req->body || req->source
                 ? xasprintf("Content-Type: %s", req->content_type ? req->content_type
                                                                   : "application/json")
                 : NULL;
    i = 2;
    if (*cthdr) h[i++] = *cthdr;
    if (n) memcpy(h + i, req->headers, n * sizeof *h);
    return h;
}

static int
send_once(struct ne_os *os, const struct ne_os_req *req, const char *url,
          struct ne_http_resp *resp)
{
    char *tokhdr, *cthdr;
    const char **h = headers(os, req, &tokhdr, &cthdr);
    struct ne_http_req hr = {
        .method = req->method, .url = url, .headers = h, .body = req->body,
        .body_len = req->body_len, .idempotent = req->idempotent, .sink = req->sink,
        .source = req->source, .rewind = req->rewind, .source_len = req->source_len,
        .opaque = req->opaque, .timeout = req->timeout,
    };
    int rc = http_do(os->http, &hr, resp);

    explicit_bzero(tokhdr, strlen(tokhdr));
    free(tokhdr);
    free(cthdr);
    free(h);
    return rc;
}

static int
request_unlocked(struct ne_os *os, const struct ne_os_req *req, struct ne_http_resp *resp,
                 enum ne_os_err *kind)
{
    const char *base; /* borrowed from the catalog: look it up after a re-auth */
    CLEANUP_FREE char *url = NULL;
    long left = ne_os_token_left(os);
    int rc;

    memset(resp, 0, sizeof *resp);
    *kind = NE_OS_OK;
    if (os->margin > 0 && left < os->margin) { /* margin 0: keep it until a 401 */
        char why[96];
        snprintf(why, sizeof why, "token had %ld s left", left < 0 ? 0 : left);
        if ((*kind = reauth(os, why)) != NE_OS_OK) goto auth_fail;
    }
    base = req->service ? os_catalog_find(&os->info, req->service, os->cloud.interface,
                                          os->cloud.region_name)
                        : "";
    if (!base) {
        snprintf(resp->err, sizeof resp->err, "no %s endpoint in the catalog", req->service);
        *kind = NE_OS_ECONFIG;
        return -1;
    }
    url = join_url(base, req->path);
    rc = send_once(os, req, url, resp);
    if (rc < 0) {
        *kind = resp->fail == NE_HTTP_TLS ? NE_OS_ECONFIG : NE_OS_EUNREACHABLE;
        return -1;
    }
    if (resp->status != 401) return 0;
    if (req->source && (!req->rewind || req->rewind(req->opaque) < 0)) return 0;
    {
        char why[160];
        snprintf(why, sizeof why, "%s %s answered 401 with %ld s left on the token; replaying",
                 req->method, url, ne_os_token_left(os));
        http_resp_clear(resp);
        if ((*kind = reauth(os, why)) != NE_OS_OK) goto auth_fail;
    }
    rc = send_once(os, req, url, resp);
    if (rc < 0) *kind = resp->fail == NE_HTTP_TLS ? NE_OS_ECONFIG : NE_OS_EUNREACHABLE;
    return rc;
auth_fail:
    snprintf(resp->err, sizeof resp->err, "re-authentication failed (see above)");
    return -1;
}

int
ne_os_request(struct ne_os *os, const struct ne_os_req *req, struct ne_http_resp *resp,
              enum ne_os_err *kind)
{
    int rc;

    pthread_mutex_lock(&os->lock);
    rc = request_unlocked(os, req, resp, kind);
    pthread_mutex_unlock(&os->lock);
    return rc;
}
