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
