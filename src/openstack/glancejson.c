/* SPDX-License-Identifier: Apache-2.0 */
/* glancejson.c: the Glance v2 image parser (declared in osjson.h).  Pure:
 * unit-tested and fuzzed. */
#include <config.h>

#include <string.h>

#include "openstack/osjson.h"
#include "util/log.h"
#include "util/mem.h"

/* Members that are not custom properties. */
static const char *const core_keys[] = {
    "id", "name", "status", "checksum", "os_hash_algo", "os_hash_value", "size",
    "virtual_size", "disk_format", "container_format", "visibility", "owner", "min_disk",
    "min_ram", "protected", "tags", "created_at", "updated_at", "self", "file", "schema",
    "locations", "direct_url", "os_hidden", "stores", NULL,
};

static bool
is_core(const char *k)
{
    size_t i;

    for (i = 0; core_keys[i]; i++)
        if (strcmp(k, core_keys[i]) == 0) return true;
    return false;
}

static void
add_prop(struct ne_image *im, const char *k, const json_t *v)
{
    char *val;

    if (json_is_string(v)) val = xstrdup(json_string_value(v));
    else if (json_is_integer(v)) val = xasprintf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
    else if (json_is_real(v)) val = xasprintf("%.17g", json_real_value(v));
    else if (json_is_boolean(v)) val = xstrdup(json_is_true(v) ? "true" : "false");
    else return; /* null, arrays and objects are not image properties */
    xgrow(&im->prop_keys, &im->capprops, im->nprops + 1, sizeof *im->prop_keys);
    im->prop_vals = xrealloc(im->prop_vals, im->capprops * sizeof *im->prop_vals);
    im->prop_keys[im->nprops] = xstrdup(k);
    im->prop_vals[im->nprops++] = val;
}

/* The string members of a tags array (anything else is ignored). */
static void
parse_tags(const json_t *a, struct ne_image *im)
{
    size_t i, n = json_is_array(a) ? json_array_size(a) : 0;
    json_t *v;

    if (!n) return;
    im->tags = xcalloc(n, sizeof *im->tags);
    json_array_foreach(a, i, v) if (json_is_string(v)) im->tags[im->ntags++] =
        xstrdup(json_string_value(v));
}

int
glance_parse_image(const char *buf, size_t len, const char *what, struct ne_image *out)
{
    json_t *root = osj_load(buf, len, what), *v;
    const char *k;

    memset(out, 0, sizeof *out);
    if (!root) return -1;
    if (!osj_str(root, "id") || !osj_str(root, "status")) {
        ne_error("%s: unexpected reply: an image without id or status", what);
        json_decref(root);
        return -1;
    }
    out->id = osj_dup(root, "id");
    out->name = osj_dup(root, "name");
    out->status = osj_dup(root, "status");
    out->checksum = osj_dup(root, "checksum");
    out->hash_algo = osj_dup(root, "os_hash_algo");
    out->hash_value = osj_dup(root, "os_hash_value");
    out->size = osj_int(root, "size", -1);
    out->virtual_size = osj_int(root, "virtual_size", -1);
    out->disk_format = osj_dup(root, "disk_format");
    out->container_format = osj_dup(root, "container_format");
    out->visibility = osj_dup(root, "visibility");
    out->owner = osj_dup(root, "owner");
    out->min_disk = osj_int(root, "min_disk", 0);
    out->min_ram = osj_int(root, "min_ram", 0);
    out->protected_ = osj_bool(root, "protected", false);
    parse_tags(json_object_get(root, "tags"), out);
    json_object_foreach(root, k, v) if (!is_core(k)) add_prop(out, k, v);
    json_decref(root);
    return 0;
}

void
ne_image_clear(struct ne_image *im)
{
    size_t i;

    free(im->id);
    free(im->name);
    free(im->status);
    free(im->checksum);
    free(im->hash_algo);
    free(im->hash_value);
    free(im->disk_format);
    free(im->container_format);
    free(im->visibility);
    free(im->owner);
    for (i = 0; i < im->nprops; i++) {
        free(im->prop_keys[i]);
        free(im->prop_vals[i]);
    }
    free(im->prop_keys);
    free(im->prop_vals);
    for (i = 0; i < im->ntags; i++) free(im->tags[i]);
    free(im->tags);
    memset(im, 0, sizeof *im);
}

const char *
ne_image_prop(const struct ne_image *im, const char *key)
{
    size_t i;

    for (i = 0; i < im->nprops; i++)
        if (strcmp(im->prop_keys[i], key) == 0) return im->prop_vals[i];
    return NULL;
}

int
glance_parse_image_list(const char *buf, size_t len, const char *what, struct ne_image **out,
                        size_t *n, bool *next)
{
    json_t *root = osj_load(buf, len, what), *a, *v;
    size_t i;

    *out = NULL;
    *n = 0;
    *next = false;
    if (!root) return -1;
    a = json_object_get(root, "images");
    if (!json_is_array(a)) {
        ne_error("%s: unexpected reply: no images array", what);
        json_decref(root);
        return -1;
    }
    *next = osj_str(root, "next") != NULL;
    *out = xcalloc(json_array_size(a) + 1, sizeof **out);
    json_array_foreach(a, i, v) {
        char *text = json_dumps(v, JSON_COMPACT);

        /* each element is parsed as a whole image reply would be */
        if (!text || glance_parse_image(text, strlen(text), what, &(*out)[*n]) < 0) {
            free(text);
            while (*n) ne_image_clear(&(*out)[--*n]);
            free(*out);
            *out = NULL;
            json_decref(root);
            return -1;
        }
        free(text);
        (*n)++;
    }
    json_decref(root);
    return 0;
}

int
glance_parse_import_methods(const char *buf, size_t len, const char *what, char ***out)
{
    json_t *root = osj_load(buf, len, what), *m, *a, *v;
    size_t i, k = 0;

    *out = NULL;
    if (!root) return -1;
    m = json_object_get(root, "import-methods");
    a = json_is_object(m) ? json_object_get(m, "value") : NULL;
    if (!json_is_array(a)) {
        ne_error("%s: unexpected reply: no import-methods.value array", what);
        json_decref(root);
        return -1;
    }
    *out = xcalloc(json_array_size(a) + 1, sizeof **out);
    json_array_foreach(a, i, v) if (json_is_string(v)) (*out)[k++] = xstrdup(json_string_value(v));
    json_decref(root);
    return 0;
}

int
glance_parse_rbd_location(const char *buf, size_t len, const char *what, char **url)
{
    json_t *root = osj_load(buf, len, what), *l, *v, *u;
    size_t i;

    *url = NULL;
    if (!root) return -1;
    l = json_object_get(root, "locations");
    if (json_is_array(l)) {
        json_array_foreach(l, i, v) {
            u = json_object_get(v, "url");
            if (json_is_string(u) && str_prefix(json_string_value(u), "rbd://")) {
                *url = xstrdup(json_string_value(u));
                break;
            }
        }
    }
    u = json_object_get(root, "direct_url");
    if (!*url && json_is_string(u) && str_prefix(json_string_value(u), "rbd://"))
        *url = xstrdup(json_string_value(u));
    json_decref(root);
    return 0;
}

char *
glance_location_body(const char *url, const char *md5, const char *algo, const char *hash)
{
    json_t *vd = json_object(), *b;
    char *text;

    if (md5 && *md5) json_object_set_new(vd, "checksum", json_string(md5));
    if (algo && *algo && hash && *hash) {
        json_object_set_new(vd, "os_hash_algo", json_string(algo));
        json_object_set_new(vd, "os_hash_value", json_string(hash));
    }
    b = json_pack("[{s:s, s:s, s:{s:s, s:{}, s:o}}]", "op", "add", "path", "/locations/-",
                  "value", "url", url, "metadata", "validation_data", vd);
    text = json_dumps(b, JSON_COMPACT);
    json_decref(b);
    return text;
}

char *
glance_create_body(const struct ne_image *spec)
{
    const char *keys[] = {"id", "name", "disk_format", "container_format", "visibility", "owner"};
    const char *vals[] = {spec->id, spec->name, spec->disk_format, spec->container_format,
                          spec->visibility, spec->owner};
    json_t *b = json_object(), *tags;
    size_t i;
    char *text;

    for (i = 0; i < sizeof keys / sizeof *keys; i++)
        if (vals[i]) json_object_set_new(b, keys[i], json_string(vals[i]));
    if (spec->min_disk) json_object_set_new(b, "min_disk", json_integer(spec->min_disk));
    if (spec->min_ram) json_object_set_new(b, "min_ram", json_integer(spec->min_ram));
    if (spec->protected_) json_object_set_new(b, "protected", json_true());
    if (spec->ntags) {
        tags = json_array();
        for (i = 0; i < spec->ntags; i++) json_array_append_new(tags, json_string(spec->tags[i]));
        json_object_set_new(b, "tags", tags);
    }
    for (i = 0; i < spec->nprops; i++)
        json_object_set_new(b, spec->prop_keys[i], json_string(spec->prop_vals[i]));
    text = json_dumps(b, JSON_COMPACT);
    json_decref(b);
    return text;
}
