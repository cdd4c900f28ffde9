/* SPDX-License-Identifier: Apache-2.0 */
/* cinderjson.c: the Cinder volume parser and the manage request body
 * (declared in cinder.h).  Pure: unit-tested. */
#include <config.h>

#include <string.h>

#include <jansson.h>

#include "openstack/cinder.h"
#include "util/log.h"
#include "util/mem.h"

static char *
str_dup(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    return json_is_string(v) ? xstrdup(json_string_value(v)) : NULL;
}

void
cinder_volume_clear(struct ne_volume *v)
{
    size_t i;

    free(v->id); free(v->name); free(v->status); free(v->volume_type); free(v->host);
    free(v->description);
    for (i = 0; i < v->nmeta; i++) {
        free(v->meta_keys[i]);
        free(v->meta_vals[i]);
    }
    free(v->meta_keys); free(v->meta_vals);
    for (i = 0; i < v->nservers; i++) free(v->servers[i]);
    free(v->servers);
    memset(v, 0, sizeof *v);
}

int
cinder_parse_volume(const char *buf, size_t len, const char *what, struct ne_volume *out)
{
    json_error_t e;
    json_t *root = json_loadb(buf ? buf : "", buf ? len : 0, 0, &e), *vol, *m, *a, *x;
    const char *k;
    size_t i, n;

    memset(out, 0, sizeof *out);
    if (!root) {
        ne_error("%s: the reply is not JSON (%s)", what, e.text);
        return -1;
    }
    vol = json_object_get(root, "volume");
    if (!json_is_object(vol) || !json_is_string(json_object_get(vol, "id"))) {
        ne_error("%s: the reply has no volume with an id", what);
        json_decref(root);
        return -1;
    }
    out->id = str_dup(vol, "id");
    out->name = str_dup(vol, "name");
    out->status = str_dup(vol, "status");
    out->volume_type = str_dup(vol, "volume_type");
    out->host = str_dup(vol, "os-vol-host-attr:host");
    out->description = str_dup(vol, "description");
    if (json_is_integer(json_object_get(vol, "size")))
        out->size_gb = (long long)json_integer_value(json_object_get(vol, "size"));
    m = json_object_get(vol, "metadata");
    if (json_is_object(m) && (n = json_object_size(m))) {
        out->meta_keys = xcalloc(n, sizeof *out->meta_keys);
        out->meta_vals = xcalloc(n, sizeof *out->meta_vals);
        json_object_foreach(m, k, x) if (json_is_string(x)) {
            out->meta_keys[out->nmeta] = xstrdup(k);
            out->meta_vals[out->nmeta++] = xstrdup(json_string_value(x));
        }
    }
    a = json_object_get(vol, "attachments");
    if (json_is_array(a) && (n = json_array_size(a))) {
        out->servers = xcalloc(n, sizeof *out->servers);
        json_array_foreach(a, i, x) {
            char *s = str_dup(x, "server_id");
            if (s) out->servers[out->nservers++] = s;
        }
    }
    json_decref(root);
    return 0;
}

char *
cinder_manage_body(const struct ne_volume *v, const char *host, const char *source_name)
{
    json_t *meta = json_object(), *vol, *root;
    char *text;
    size_t i;

    for (i = 0; i < v->nmeta; i++) json_object_set_new(meta, v->meta_keys[i], json_string(v->meta_vals[i]));
    vol = json_pack("{s:s, s:{s:s}, s:o}", "host", host, "ref", "source-name", source_name,
                    "metadata", meta);
    if (v->name) json_object_set_new(vol, "name", json_string(v->name));
    if (v->description) json_object_set_new(vol, "description", json_string(v->description));
    if (v->volume_type) json_object_set_new(vol, "volume_type", json_string(v->volume_type));
    root = json_pack("{s:o}", "volume", vol);
    text = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(root);
    if (!text) text = strdup("{}");
    return text;
}

int
cinder_types_find(const char *buf, size_t len, const char *what, const char *type, char **names)
{
    json_error_t e;
    json_t *root = json_loadb(buf ? buf : "", buf ? len : 0, 0, &e), *list, *t;
    size_t i, used = 0, cap = 0;
    char *all = NULL;
    int found = 0;

    if (names) *names = NULL;
    list = root ? json_object_get(root, "volume_types") : NULL;
    if (!json_is_array(list)) {
        ne_error("%s: %s", what, root ? "no volume_types list in the reply" : e.text);
        json_decref(root);
        return -1;
    }
    json_array_foreach (list, i, t) {
        const char *n = json_string_value(json_object_get(t, "name"));
        const char *id = json_string_value(json_object_get(t, "id"));
        if (type && (str_eq(n, type) || str_eq(id, type))) found = 1;
        if (names && n) {
            size_t l = strlen(n);
            xgrow(&all, &cap, used + l + 3, 1);
            if (used) all[used++] = ',', all[used++] = ' ';
            memcpy(all + used, n, l + 1);
            used += l;
        }
    }
    json_decref(root);
    if (names && !found) *names = all ? all : xstrdup("none");
    else free(all);
    return found;
}

const char *
cinder_host_backend(const char *host, char *buf, size_t n)
{
    const char *at = host ? strchr(host, '@') : NULL, *end;
    size_t len;

    if (!at) return NULL;
    end = strchr(at + 1, '#');
    len = end ? (size_t)(end - at - 1) : strlen(at + 1);
    if (len == 0 || len >= n) return NULL;
    memcpy(buf, at + 1, len);
    buf[len] = '\0';
    return buf;
}
