/* SPDX-License-Identifier: Apache-2.0 */
/* imagesrc.c: see imagesrc.h. */
#include <config.h>

#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "images/image-source.h"
#include "openstack/keystone.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/sha1.h"

/* ---- SHA-1 matching, shared by both */

struct sha_match {
    const char *const *sha1s;
    size_t n;
    char **ids;
};

static void
match_id(struct sha_match *m, const char *id)
{
    char hex[41];
    size_t i;

    if (!id || !*id) return;
    sha1_hex(id, hex);
    for (i = 0; i < m->n; i++)
        if (!m->ids[i] && strcmp(hex, m->sha1s[i]) == 0) m->ids[i] = xstrdup(id);
}

static void
glance_word(struct ne_image_facts *f, const char *status, bool deleted)
{
    snprintf(f->status, sizeof f->status, "%s", status ? status : "");
    if (deleted || str_eq(status, "deleted") || str_eq(status, "pending_delete"))
        f->state = NE_GL_DELETED;
    else if (str_eq(status, "active"))
        f->state = NE_GL_ACTIVE;
    else
        f->state = NE_GL_OTHER;
}

/* ---- the databases */

struct dbsrc {
    struct ne_db *db;
    bool glance;
    pthread_mutex_t lock;
};

static int
first_col(const char *const *cols, size_t n, void *opaque)
{
    char **out = opaque;

    if (n && cols[0] && !*out) *out = xstrdup(cols[0]);
    return 0;
}

static int
db_instance_image(void *ctx, const char *uuid, char **id)
{
    struct dbsrc *s = ctx;
    struct ne_dbv p = dbv_str(uuid);
    long n;

    *id = NULL;
    pthread_mutex_lock(&s->lock);
    n = novadb_query(s->db, NE_SQL_IMAGE_OF_INSTANCE, &p, 1, first_col, id);
    pthread_mutex_unlock(&s->lock);
    if (n < 0) return -1;
    return *id && **id ? 1 : 0;
}

static int
match_row(const char *const *cols, size_t n, void *opaque)
{
    if (n) match_id(opaque, cols[0]);
    return 0;
}

static int
db_find_sha1(void *ctx, const char *const *sha1s, size_t n, char **ids)
{
    struct dbsrc *s = ctx;
    struct sha_match m = {sha1s, n, ids};
    int rc = 0;

    pthread_mutex_lock(&s->lock);
    if (novadb_query(s->db, NE_SQL_IMAGE_IDS, NULL, 0, match_row, &m) < 0) rc = -1;
    if (s->glance && novadb_query(s->db, NE_SQL_GLANCE_IMAGE_IDS, NULL, 0, match_row, &m) < 0) rc = -1;
    pthread_mutex_unlock(&s->lock);
    return rc;
}

static long long
col_num(const char *v)
{
    return v ? strtoll(v, NULL, 10) : -1;
}

static int
facts_row(const char *const *c, size_t n, void *opaque)
{
    struct ne_image_facts *f = opaque;

    if (n < 5) return 0;
    glance_word(f, c[0], c[1] && strcmp(c[1], "0") != 0);
    f->size = col_num(c[2]);
    f->virtual_size = col_num(c[3]);
    snprintf(f->disk_format, sizeof f->disk_format, "%s", c[4] ? c[4] : "");
    return 0;
}

static int
db_facts(void *ctx, const char *id, struct ne_image_facts *out)
{
    struct dbsrc *s = ctx;
    struct ne_dbv p = dbv_str(id);
    struct ne_image_facts f = {.size = -1, .virtual_size = -1};
    long n;

    if (!s->glance) return -1;
    pthread_mutex_lock(&s->lock);
    n = novadb_query(s->db, NE_SQL_IMAGE_FACTS, &p, 1, facts_row, &f);
    pthread_mutex_unlock(&s->lock);
    if (n < 0) return -1;
    if (n == 0) { /* purged from Glance, or never there: gone either way */
        f.state = NE_GL_DELETED;
        snprintf(f.status, sizeof f.status, "purged");
    }
    *out = f;
    return 0;
}

void
ne_imgsrc_db(struct ne_db *db, bool glance_schema, struct ne_image_source *out)
{
    struct dbsrc *s = xcalloc(1, sizeof *s);

    s->db = db;
    s->glance = glance_schema;
    pthread_mutex_init(&s->lock, NULL);
    *out = (struct ne_image_source){.name = "nova database", .ctx = s,
                                    .instance_image = db_instance_image,
                                    .find_sha1 = db_find_sha1,
                                    .facts = glance_schema ? db_facts : NULL};
}

struct meta_rows {
    char **keys, **vals;
    size_t n, cap;
};

static int
meta_row(const char *const *c, size_t n, void *opaque)
{
    struct meta_rows *m = opaque;

    if (n < 2 || !c[0] || strncmp(c[0], "image_", 6) != 0) return 0;
    xgrow(&m->keys, &m->cap, m->n + 1, sizeof *m->keys);
    m->vals = xrealloc(m->vals, m->cap * sizeof *m->vals);
    m->keys[m->n] = xstrdup(c[0]);
    m->vals[m->n++] = xstrdup(c[1] ? c[1] : "");
    return 0;
}

int
ne_imgsrc_image_meta(struct ne_db *db, const char *uuid, char ***keys, char ***vals, size_t *n)
{
    struct ne_dbv p = dbv_str(uuid);
    struct meta_rows m = {0};
    size_t i;

    if (novadb_query(db, NE_SQL_INSTANCE_IMAGE_META, &p, 1, meta_row, &m) < 0) {
        for (i = 0; i < m.n; i++) {
            free(m.keys[i]);
            free(m.vals[i]);
        }
        free(m.keys);
        free(m.vals);
        return -1;
    }
    *keys = m.keys;
    *vals = m.vals;
    *n = m.n;
    return 0;
}

/* ---- the APIs */

struct apisrc {
    struct ne_os *os;
    struct ne_nova *nv;
    struct ne_glance *g;
    pthread_mutex_t lock;
};

static int
api_instance_image(void *ctx, const char *uuid, char **id)
{
    struct apisrc *s = ctx;
    struct ne_server sv;
    int rc;

    *id = NULL;
    pthread_mutex_lock(&s->lock);
    rc = nova_server_show(s->nv, uuid, &sv);
    pthread_mutex_unlock(&s->lock);
    if (rc != 0) return rc == 1 ? 0 : -1;
    if (sv.image_id && *sv.image_id) *id = xstrdup(sv.image_id);
    ne_server_clear(&sv);
    return *id ? 1 : 0;
}

/* One page of GET /v2/images: matches the ids, *next gets the next path. */
static int
list_page(struct apisrc *s, const char *path, struct sha_match *m, char **next)
{
    struct ne_os_req req = {.service = "image", .method = "GET", .path = path,
                            .idempotent = true};
    struct ne_http_resp r;
    enum ne_os_err kind;
    json_t *root, *arr, *it;
    size_t i;

    *next = NULL;
    if (ne_os_request(s->os, &req, &r, &kind) < 0 || r.status != 200) {
        ne_error("glance: list images: %s", r.status ? "unexpected reply" : r.err);
        http_resp_clear(&r);
        return -1;
    }
    root = osj_load(r.body, r.len, "glance: list images");
    http_resp_clear(&r);
    if (!root) return -1;
    arr = json_object_get(root, "images");
    json_array_foreach(arr, i, it) match_id(m, osj_str(it, "id"));
    if (osj_str(root, "next")) *next = xstrdup(osj_str(root, "next"));
    json_decref(root);
    return 0;
}

static int
api_find_sha1(void *ctx, const char *const *sha1s, size_t n, char **ids)
{
    struct apisrc *s = ctx;
    struct sha_match m = {sha1s, n, ids};
    const char *ep = ne_os_endpoint(s->os, "image");
    bool v2 = ep && str_suffix(ep, "/v2");
    char *path = xstrdup(v2 ? "/images?limit=500" : "/v2/images?limit=500"), *next;
    unsigned pages = 0;
    int rc = 0;

    if (!ep) {
        free(path);
        return -1;
    }
    pthread_mutex_lock(&s->lock);
    while (path && rc == 0 && pages++ < 10000) {
        rc = list_page(s, path, &m, &next);
        free(path);
        /* "next" is rooted at the service: drop /v2 when the endpoint has it */
        path = next && v2 && str_prefix(next, "/v2/") ? xstrdup(next + 3) : next;
        if (path != next) free(next);
    }
    pthread_mutex_unlock(&s->lock);
    free(path);
    return rc;
}

static int
api_facts(void *ctx, const char *id, struct ne_image_facts *out)
{
    struct apisrc *s = ctx;
    struct ne_image im;
    int rc;

    pthread_mutex_lock(&s->lock);
    rc = glance_image_show(s->g, id, &im);
    pthread_mutex_unlock(&s->lock);
    if (rc < 0) return -1;
    memset(out, 0, sizeof *out);
    out->size = out->virtual_size = -1;
    if (rc == 1) { /* 404: deleted (the id came from an instance, so it existed) */
        out->state = NE_GL_DELETED;
        snprintf(out->status, sizeof out->status, "deleted");
        return 0;
    }
    glance_word(out, im.status, false);
    out->size = im.size;
    out->virtual_size = im.virtual_size;
    snprintf(out->disk_format, sizeof out->disk_format, "%s",
             im.disk_format ? im.disk_format : "");
    ne_image_clear(&im);
    return 0;
}

static int
api_download(void *ctx, const char *id, ne_image_sink sink, void *opaque)
{
    struct apisrc *s = ctx;
    struct ne_image im;
    struct ne_glance_xfer x;
    int rc;

    pthread_mutex_lock(&s->lock);
    rc = glance_image_show(s->g, id, &im);
    if (rc == 1) ne_error("glance: download image %s: it is gone", id);
    if (rc == 0) {
        rc = glance_image_download(s->g, &im, sink, opaque, &x);
        if (rc == 0 && !x.md5_checked && !x.hash_checked) {
            ne_error("glance: download image %s: Glance records no checksum or os_hash to "
                     "verify the data against: not used", id);
            rc = -1;
        }
        ne_image_clear(&im);
    }
    pthread_mutex_unlock(&s->lock);
    return rc == 0 ? 0 : -1;
}

void
ne_imgsrc_api(struct ne_os *os, struct ne_nova *nv, struct ne_glance *g,
              struct ne_image_source *out)
{
    struct apisrc *s = xcalloc(1, sizeof *s);

    s->os = os;
    s->nv = nv;
    s->g = g;
    pthread_mutex_init(&s->lock, NULL);
    *out = (struct ne_image_source){.name = "openstack api", .ctx = s,
                                    .instance_image = nv ? api_instance_image : NULL,
                                    .find_sha1 = g ? api_find_sha1 : NULL,
                                    .facts = g ? api_facts : NULL,
                                    .download = g ? api_download : NULL};
}

void
ne_imgsrc_free(struct ne_image_source *s)
{
    if (!s || !s->ctx) return;
    if (str_eq(s->name, "nova database")) {
        struct dbsrc *d = s->ctx;
        pthread_mutex_destroy(&d->lock);
    } else {
        struct apisrc *a = s->ctx;
        pthread_mutex_destroy(&a->lock);
    }
    free(s->ctx);
    s->ctx = NULL;
}
