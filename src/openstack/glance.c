/* SPDX-License-Identifier: Apache-2.0 */
/* glance.c: see glance.h. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "openstack/glance.h"
#include "util/log.h"
#include "util/mem.h"

struct ne_glance {
    struct ne_os *os;
    const char *prefix; /* "/v2", or "" when the catalog URL already ends in /v2 */
    enum ne_os_err err;
};

enum ne_os_err glance_err(const struct ne_glance *g) { return g->err; }

struct ne_glance *
glance_open(struct ne_os *os, enum ne_os_err *kind)
{
    const char *ep = ne_os_endpoint(os, "image");
    struct ne_glance *g;
    size_t n;

    if (!ep) {
        *kind = NE_OS_ECONFIG;
        return NULL;
    }
    g = xcalloc(1, sizeof *g);
    g->os = os;
    n = strlen(ep);
    while (n && ep[n - 1] == '/') n--;
    g->prefix = n >= 3 && strncmp(ep + n - 3, "/v2", 3) == 0 ? "" : "/v2";
    *kind = NE_OS_OK;
    return g;
}

void glance_close(struct ne_glance *g) { free(g); }


/* Reports a failed request: "glance: ACTION image ID: why (request id)". */
static int
fail(struct ne_glance *g, const char *action, const char *id, int rc, struct ne_http_resp *r,
     enum ne_os_err kind)
{
    CLEANUP_FREE char *why = rc < 0 ? xstrdup(r->err) : os_error_text(r->body, r->len);

    g->err = rc < 0 ? kind : ne_os_status_kind(r->status);
    if (rc < 0 && r->fail == NE_HTTP_SINK)
        ne_error("glance: %s image %s: stopped: the other end of the stream failed or was "
                 "interrupted (see above)", action, id);
    else if (rc < 0)
        ne_error("glance: %s image %s: %s; check that glance-api runs and is reachable", action,
                 id, why);
    else
        ne_error("glance: %s image %s: HTTP %ld %s (request %s)", action, id, r->status,
                 *why ? why : "(no details)", r->request_id ? r->request_id : "-");
    http_resp_clear(r);
    return -1;
}

static int
request(struct ne_glance *g, struct ne_os_req *req, const char *path, struct ne_http_resp *r,
        enum ne_os_err *kind)
{
    CLEANUP_FREE char *full = xasprintf("%s%s", g->prefix, path);

    req->service = "image";
    req->path = full;
    if (!req->source_len) req->source_len = -1;
    return ne_os_request(g->os, req, r, kind);
}

int
glance_image_show(struct ne_glance *g, const char *id, struct ne_image *out)
{
    CLEANUP_FREE char *esc = http_escape(id), *path = xasprintf("/images/%s", esc);
    struct ne_os_req req = {.method = "GET", .idempotent = true};
    struct ne_http_resp r;
    enum ne_os_err kind;
    int rc = request(g, &req, path, &r, &kind);

    memset(out, 0, sizeof *out);
    if (rc == 0 && r.status == 404) {
        http_resp_clear(&r);
        g->err = NE_OS_ENOTFOUND;
        return 1;
    }
    if (rc < 0 || r.status != 200) return fail(g, "show", id, rc, &r, kind);
    rc = glance_parse_image(r.body, r.len, "glance: show image", out);
    http_resp_clear(&r);
    g->err = rc < 0 ? NE_OS_EUNREACHABLE : NE_OS_OK;
    return rc;
}

int
glance_image_delete(struct ne_glance *g, const char *id)
{
    CLEANUP_FREE char *esc = http_escape(id), *path = xasprintf("/images/%s", esc);
    struct ne_os_req req = {.method = "DELETE", .idempotent = true};
    struct ne_http_resp r;
    enum ne_os_err kind;
    int rc = request(g, &req, path, &r, &kind);

    if (rc == 0 && (r.status == 204 || r.status == 404)) {
        http_resp_clear(&r);
        g->err = NE_OS_OK;
        return 0;
    }
    return fail(g, "delete", id, rc, &r, kind);
}

int
glance_image_create(struct ne_glance *g, const struct ne_image *spec, char **id)
{
    struct ne_os_req req = {.method = "POST"};
    struct ne_http_resp r;
    struct ne_image im;
    enum ne_os_err kind;
    char *text = glance_create_body(spec);
    int rc;

    req.body = text;
    req.body_len = strlen(text);
    rc = request(g, &req, "/images", &r, &kind);
    free(text);
    if (rc < 0 || r.status != 201)
        return fail(g, "create", spec->name ? spec->name : "(no name)", rc, &r, kind);
    rc = glance_parse_image(r.body, r.len, "glance: create image", &im);
    http_resp_clear(&r);
    if (rc < 0) {
        g->err = NE_OS_EUNREACHABLE;
        return -1;
    }
    *id = im.id;
    im.id = NULL;
    ne_image_clear(&im);
    g->err = NE_OS_OK;
    return 0;
}

/* ---- streaming with digests on the way */

struct tee {
    struct digest md5, hash;
    bool has_hash;
    bool count_only;   /* bytes only: another transfer computes the digests */
    enum digest_algo algo;
    const char *algo_name;
    long long bytes;
    ne_http_sink sink;
    ne_http_source source;
    int (*rewind)(void *opaque);
    void *opaque;
};

static void
tee_init(struct tee *t, const char *algo)
{
    digest_init(&t->md5, DIGEST_MD5);
    t->algo_name = algo;
    t->has_hash = algo && digest_algo_parse(algo, &t->algo) == 0;
    if (t->has_hash) digest_init(&t->hash, t->algo);
    t->bytes = 0;
}

static int
tee_sink(const char *data, size_t len, void *p)
{
    struct tee *t = p;

    t->bytes += (long long)len;
    if (!t->count_only) {
        digest_update(&t->md5, data, len);
        if (t->has_hash) digest_update(&t->hash, data, len);
    }
    return t->sink(data, len, t->opaque);
}

static ssize_t
tee_source(char *buf, size_t len, void *p)
{
    struct tee *t = p;
    ssize_t got = t->source(buf, len, t->opaque);

    if (got > 0 && t->count_only) {
        t->bytes += got;
    } else if (got > 0) {
        t->bytes += got;
        digest_update(&t->md5, buf, (size_t)got);
        if (t->has_hash) digest_update(&t->hash, buf, (size_t)got);
    }
    return got;
}

static int
tee_rewind(void *p)
{
    struct tee *t = p;

    tee_init(t, t->algo_name);
    return t->rewind ? t->rewind(t->opaque) : -1;
}

static void
tee_finish(struct tee *t, const char *algo, struct ne_glance_xfer *res)
{
    res->bytes = t->bytes;
    digest_final_hex(&t->md5, res->md5, sizeof res->md5);
    res->hash[0] = res->hash_algo[0] = '\0';
    if (t->has_hash) {
        digest_final_hex(&t->hash, res->hash, sizeof res->hash);
        snprintf(res->hash_algo, sizeof res->hash_algo, "%s", algo);
    }
}

/* Compares what went through with what Glance says; reports a mismatch. */
static int
verify(struct ne_glance *g, const char *action, const struct ne_image *im,
       struct ne_glance_xfer *res)
{
    const char *name = im->name ? im->name : "?";

    if (im->size >= 0 && res->bytes != im->size) {
        ne_error("glance: %s image %s (%s): %lld bytes transferred, Glance says %lld", action,
                 name, im->id, res->bytes, im->size);
        goto bad;
    }
    if (im->checksum && *im->checksum) {
        if (strcmp(im->checksum, res->md5) != 0) {
            ne_error("glance: %s image %s (%s): MD5 %s, Glance's checksum is %s", action, name,
                     im->id, res->md5, im->checksum);
            goto bad;
        }
        res->md5_checked = true;
    }
    if (im->hash_value && *im->hash_value && res->hash[0]) {
        if (strcmp(im->hash_value, res->hash) != 0) {
            ne_error("glance: %s image %s (%s): %s %s, Glance's os_hash_value is %s", action,
                     name, im->id, res->hash_algo, res->hash, im->hash_value);
            goto bad;
        }
        res->hash_checked = true;
    } else if (im->hash_value && *im->hash_value) {
        ne_warn("glance: %s image %s (%s): os_hash_algo '%s' is not supported here; only the "
                "MD5 checksum was verified", action, name, im->id, im->hash_algo);
    }
    if (!res->md5_checked && !res->hash_checked)
        ne_warn("glance: %s image %s (%s): Glance has no checksum for it: the data is not "
                "verified", action, name, im->id);
    return 0;
bad:
    g->err = NE_OS_EUNREACHABLE;
    return -1;
}

/* hash: digests computed here and verified; otherwise bytes counted only
 * (glance_image_download_unhashed) */
static int
download(struct ne_glance *g, const struct ne_image *im, ne_http_sink sink, void *opaque,
         struct ne_glance_xfer *res, bool hash)
{
    CLEANUP_FREE char *esc = http_escape(im->id), *path = xasprintf("/images/%s/file", esc);
    CLEANUP_FREE char *obj = xasprintf("%s (%s)", im->name ? im->name : "?", im->id);
    struct tee t = {.sink = sink, .opaque = opaque};
    struct ne_os_req req = {.method = "GET", .idempotent = true, .sink = tee_sink, .opaque = &t,
                            .timeout = -1};
    struct ne_http_resp r;
    enum ne_os_err kind;
    double t0 = ne_now();
    int rc;

    memset(res, 0, sizeof *res);
    if (!str_eq(im->status, "active")) {
        ne_error("glance: download image %s: it is %s, not active: there is no data to read",
                 obj, im->status ? im->status : "?");
        g->err = str_eq(im->status, "deleted") ? NE_OS_ENOTFOUND : NE_OS_ECONFLICT;
        return -1;
    }
    tee_init(&t, im->hash_algo);
    t.count_only = !hash;
    rc = request(g, &req, path, &r, &kind);
    if (rc < 0 || r.status != 200) return fail(g, "download", obj, rc, &r, kind);
    http_resp_clear(&r);
    res->seconds = ne_now() - t0;
    if (!hash) {
        res->bytes = t.bytes;
        g->err = NE_OS_OK;
        return 0;
    }
    tee_finish(&t, im->hash_algo, res);
    if (verify(g, "download", im, res) < 0) return -1;
    g->err = NE_OS_OK;
    return 0;
}

int
glance_image_download(struct ne_glance *g, const struct ne_image *im, ne_http_sink sink,
                      void *opaque, struct ne_glance_xfer *res)
{
    return download(g, im, sink, opaque, res, true);
}

int
glance_image_download_unhashed(struct ne_glance *g, const struct ne_image *im,
                               ne_http_sink sink, void *opaque, struct ne_glance_xfer *res)
{
    return download(g, im, sink, opaque, res, false);
}

int
glance_verify_download(struct ne_glance *g, const struct ne_image *im,
                       struct ne_glance_xfer *res)
{
    return verify(g, "download", im, res);
}

/* The PUT and the check of Glance's record; known: digests computed
 * elsewhere over the same bytes (nothing is hashed here then). */
static int
upload(struct ne_glance *g, const char *id, ne_http_source source, int (*rewind)(void *opaque),
       void *opaque, long long size, const struct ne_glance_xfer *known,
       struct ne_glance_xfer *res)
{
    CLEANUP_FREE char *esc = http_escape(id), *path = xasprintf("/images/%s/file", esc);
    struct tee t = {.source = source, .rewind = rewind, .opaque = opaque};
    struct ne_os_req req = {.method = "PUT", .source = tee_source, .rewind = tee_rewind,
                            .source_len = size, .opaque = &t, .timeout = -1,
                            .content_type = "application/octet-stream"};
    struct ne_http_resp r;
    struct ne_image im;
    enum ne_os_err kind;
    const char *algo = known ? known->hash_algo : "sha512";
    double t0 = ne_now();
    int rc;

    memset(res, 0, sizeof *res);
    tee_init(&t, "sha512");
    t.count_only = known != NULL;
    rc = request(g, &req, path, &r, &kind);
    if (rc < 0 || r.status != 204) return fail(g, "upload", id, rc, &r, kind);
    http_resp_clear(&r);
    tee_finish(&t, "sha512", res);
    if (known) {
        memcpy(res->md5, known->md5, sizeof res->md5);
        memcpy(res->hash, known->hash, sizeof res->hash);
        memcpy(res->hash_algo, known->hash_algo, sizeof res->hash_algo);
    }
    res->seconds = ne_now() - t0;
    rc = glance_image_show(g, id, &im);
    if (rc != 0) {
        if (rc == 1) ne_error("glance: upload image %s: the image vanished after the upload", id);
        return -1;
    }
    if (!str_eq(im.status, "active")) {
        ne_error("glance: upload image %s (%s): status %s after the upload, not active",
                 im.name ? im.name : "?", id, im.status);
        g->err = NE_OS_EUNREACHABLE;
        rc = -1;
    } else {
        if (!res->hash[0] || (im.hash_algo && !str_eq(im.hash_algo, algo))) {
            /* recompute is not possible after the fact: check size and MD5 */
            free(im.hash_value);
            im.hash_value = NULL;
        }
        rc = verify(g, "upload", &im, res);
    }
    ne_image_clear(&im);
    return rc;
}

int
glance_image_upload(struct ne_glance *g, const char *id, ne_http_source source,
                    int (*rewind)(void *opaque), void *opaque, long long size,
                    struct ne_glance_xfer *res)
{
    return upload(g, id, source, rewind, opaque, size, NULL, res);
}

int
glance_image_upload_known(struct ne_glance *g, const char *id, ne_http_source source,
                          void *opaque, const struct ne_glance_xfer *known,
                          struct ne_glance_xfer *res)
{
    return upload(g, id, source, NULL, opaque, -1, known, res);
}

int
glance_image_stage_known(struct ne_glance *g, const char *id, ne_http_source source,
                         void *opaque, const struct ne_glance_xfer *known,
                         struct ne_glance_xfer *res)
{
    CLEANUP_FREE char *esc = http_escape(id), *path = xasprintf("/images/%s/stage", esc);
    struct tee t = {.source = source, .opaque = opaque};
    struct ne_os_req req = {.method = "PUT", .source = tee_source, .rewind = tee_rewind,
                            .source_len = -1, .opaque = &t, .timeout = -1,
                            .content_type = "application/octet-stream"};
    struct ne_http_resp r;
    enum ne_os_err kind;
    double t0 = ne_now();
    int rc;

    memset(res, 0, sizeof *res);
    tee_init(&t, "sha512");
    t.count_only = true;
    rc = request(g, &req, path, &r, &kind);
    if (rc < 0 || r.status != 204) return fail(g, "stage", id, rc, &r, kind);
    http_resp_clear(&r);
    tee_finish(&t, "sha512", res);
    memcpy(res->md5, known->md5, sizeof res->md5);
    memcpy(res->hash, known->hash, sizeof res->hash);
    memcpy(res->hash_algo, known->hash_algo, sizeof res->hash_algo);
    res->seconds = ne_now() - t0;
    g->err = NE_OS_OK;
    return 0;
}

int
glance_image_import(struct ne_glance *g, const char *id, const char *method)
{
    CLEANUP_FREE char *esc = http_escape(id), *path = xasprintf("/images/%s/import", esc);
    CLEANUP_FREE char *body = xasprintf("{\"method\": {\"name\": \"%s\"}}", method);
    struct ne_os_req req = {.method = "POST", .body = body, .body_len = strlen(body),
                            .content_type = "application/json"};
    struct ne_http_resp r;
    enum ne_os_err kind;
    int rc = request(g, &req, path, &r, &kind);

    if (rc < 0 || r.status != 202) return fail(g, "import", id, rc, &r, kind);
    http_resp_clear(&r);
    g->err = NE_OS_OK;
    return 0;
}

int
glance_images_with(struct ne_glance *g, const char *key, const char *value,
                   struct ne_image **out, size_t *n)
{
    CLEANUP_FREE char *k = http_escape(key), *v = http_escape(value);
    CLEANUP_FREE char *path = xasprintf("/images?%s=%s&limit=100", k, v);
    struct ne_os_req req = {.method = "GET", .idempotent = true};
    struct ne_http_resp r;
    enum ne_os_err kind;
    bool next;
    int rc = request(g, &req, path, &r, &kind);

    *out = NULL;
    *n = 0;
    if (rc < 0 || r.status != 200) return fail(g, "list", path, rc, &r, kind);
    rc = glance_parse_image_list(r.body, r.len, "glance: list images", out, n, &next);
    http_resp_clear(&r);
    if (rc == 0 && next)
        ne_warn("glance: more than 100 images have %s=%s; only the first 100 are considered",
                key, value);
    g->err = rc < 0 ? NE_OS_EUNREACHABLE : NE_OS_OK;
    return rc;
}

int
glance_import_methods(struct ne_glance *g, char ***methods)
{
    struct ne_os_req req = {.method = "GET", .idempotent = true};
    struct ne_http_resp r;
    enum ne_os_err kind;
    int rc = request(g, &req, "/info/import", &r, &kind);

    *methods = NULL;
    if (rc == 0 && r.status == 404) { /* a Glance before image import: none */
        http_resp_clear(&r);
        *methods = xcalloc(1, sizeof **methods);
        g->err = NE_OS_OK;
        return 0;
    }
    if (rc < 0 || r.status != 200) return fail(g, "list import methods for", "-", rc, &r, kind);
    rc = glance_parse_import_methods(r.body, r.len, "glance: import methods", methods);
    http_resp_clear(&r);
    g->err = rc < 0 ? NE_OS_EUNREACHABLE : NE_OS_OK;
    return rc;
}

int
glance_image_rbd_location(struct ne_glance *g, const char *id, char **url)
{
    CLEANUP_FREE char *esc = http_escape(id), *path = xasprintf("/images/%s", esc);
    struct ne_os_req req = {.method = "GET", .idempotent = true};
    struct ne_http_resp r;
    enum ne_os_err kind;
    int rc = request(g, &req, path, &r, &kind);

    *url = NULL;
    if (rc < 0 || r.status != 200) return fail(g, "show", id, rc, &r, kind);
    rc = glance_parse_rbd_location(r.body, r.len, "glance: show image", url);
    http_resp_clear(&r);
    g->err = rc < 0 ? NE_OS_EUNREACHABLE : NE_OS_OK;
    return rc;
}

int
glance_image_add_location(struct ne_glance *g, const char *id, const char *url,
                          const struct ne_glance_xfer *v)
{
    CLEANUP_FREE char *esc = http_escape(id), *path = xasprintf("/images/%s", esc);
    CLEANUP_FREE char *body = glance_location_body(url, v->md5, v->hash_algo, v->hash);
    struct ne_os_req req = {.method = "PATCH", .body = body, .body_len = strlen(body),
                            .content_type = "application/openstack-images-v2.1-json-patch"};
    struct ne_http_resp r;
    enum ne_os_err kind;
    int rc = request(g, &req, path, &r, &kind);

    if (rc < 0 || r.status != 200) return fail(g, "add a location to", id, rc, &r, kind);
    http_resp_clear(&r);
    g->err = NE_OS_OK;
    return 0;
}

int
glance_image_set_protected(struct ne_glance *g, const char *id, bool on)
{
    CLEANUP_FREE char *esc = http_escape(id), *path = xasprintf("/images/%s", esc);
    CLEANUP_FREE char *body = xasprintf("[{\"op\": \"replace\", \"path\": \"/protected\", "
                                        "\"value\": %s}]", on ? "true" : "false");
    struct ne_os_req req = {.method = "PATCH", .idempotent = true, .body = body,
                            .body_len = strlen(body),
                            .content_type = "application/openstack-images-v2.1-json-patch"};
    struct ne_http_resp r;
    enum ne_os_err kind;
    int rc = request(g, &req, path, &r, &kind);

    if (rc < 0 || r.status != 200) return fail(g, "protect", id, rc, &r, kind);
    http_resp_clear(&r);
    g->err = NE_OS_OK;
    return 0;
}
