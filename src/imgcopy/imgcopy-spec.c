/* SPDX-License-Identifier: Apache-2.0 */
/* imgcopy-spec.c: the pure part of image-copy (imgcopy.h). */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "imgcopy/imgcopy.h"
#include "util/mem.h"

/* Besides the members glance_parse_image already keeps apart (id, status,
 * checksum, os_hash_*, size, virtual_size, locations, direct_url, stores,
 * os_hidden, file, schema, self, created_at, updated_at): the prefix
 * os_glance_ (reserved: Glance refuses it on create) and our own source
 * properties, which are written anew. */
const char *const ne_imgcopy_glance_owned[] = {
    "os_glance_*", NE_IMGCOPY_SRC_REGION, NE_IMGCOPY_SRC_IMAGE, NE_IMGCOPY_SRC_BASE, NULL,
};

bool
imgcopy_prop_owned(const char *key)
{
    size_t i, n;

    for (i = 0; ne_imgcopy_glance_owned[i]; i++) {
        n = strlen(ne_imgcopy_glance_owned[i]);
        if (ne_imgcopy_glance_owned[i][n - 1] == '*') {
            if (strncmp(key, ne_imgcopy_glance_owned[i], n - 1) == 0) return true;
        } else if (strcmp(key, ne_imgcopy_glance_owned[i]) == 0) {
            return true;
        }
    }
    return false;
}

static void
add_prop(struct ne_image *im, const char *k, const char *v)
{
    xgrow(&im->prop_keys, &im->capprops, im->nprops + 1, sizeof *im->prop_keys);
    im->prop_vals = xrealloc(im->prop_vals, im->capprops * sizeof *im->prop_vals);
    im->prop_keys[im->nprops] = xstrdup(k);
    im->prop_vals[im->nprops++] = xstrdup(v);
}

static char *dup0(const char *s) { return s ? xstrdup(s) : NULL; }

void
imgcopy_spec(const struct ne_image *src, const struct ne_imgcopy_opts *o, struct ne_image *out)
{
    size_t i;

    memset(out, 0, sizeof *out);
    out->name = dup0(o->name ? o->name : src->name);
    out->disk_format = dup0(src->disk_format);
    out->container_format = dup0(src->container_format);
    out->visibility = dup0(o->visibility ? o->visibility : src->visibility);
    out->owner = dup0(o->owner);
    out->min_disk = src->min_disk;
    out->min_ram = src->min_ram;
    out->size = out->virtual_size = -1;
    if (src->ntags) {
        out->tags = xcalloc(src->ntags, sizeof *out->tags);
        for (i = 0; i < src->ntags; i++) out->tags[out->ntags++] = xstrdup(src->tags[i]);
    }
    for (i = 0; i < src->nprops; i++)
        if (!imgcopy_prop_owned(src->prop_keys[i]))
            add_prop(out, src->prop_keys[i], src->prop_vals[i]);
    add_prop(out, NE_IMGCOPY_SRC_REGION, o->source_label ? o->source_label : "");
    add_prop(out, NE_IMGCOPY_SRC_IMAGE, src->id);
}

static bool
set(const char *s)
{
    return s && *s;
}

char *
imgcopy_compare(const struct ne_image *src, const struct ne_image *dst)
{
    if (src->size >= 0 && dst->size != src->size)
        return xasprintf("size %lld at the destination, %lld at the source", dst->size,
                         src->size);
    if (set(src->checksum) && !str_eq(src->checksum, dst->checksum))
        return xasprintf("checksum %s at the destination, %s at the source",
                         dst->checksum ? dst->checksum : "(none)", src->checksum);
    if (set(src->hash_value) && str_eq(src->hash_algo, dst->hash_algo) &&
        !str_eq(src->hash_value, dst->hash_value))
        return xasprintf("os_hash_value (%s) differs between the destination and the source",
                         src->hash_algo ? src->hash_algo : "?");
    if (!set(src->checksum) && !set(src->hash_value))
        return xasprintf("the source has neither checksum nor os_hash_value: nothing to "
                         "verify the copy against");
    return NULL;
}

const char *
imgcopy_status_name(enum ne_imgcopy_status s)
{
    switch (s) {
    case IMGCOPY_COPIED: return "copied";
    case IMGCOPY_EXISTS: return "exists";
    case IMGCOPY_DRY_RUN: return "would-copy";
    case IMGCOPY_FAILED: return "failed";
    }
    return "?";
}

json_t *
imgcopy_result_json(const struct ne_imgcopy_result *r)
{
    json_t *j = json_pack("{s:s?, s:s?, s:s?, s:s, s:I, s:f, s:s?, s:s?, s:s?, s:s?, s:s?}",
                     "source", r->source_id, "name", r->name, "destination", r->dest_id,
                     "status", imgcopy_status_name(r->status), "bytes", (json_int_t)r->bytes,
                     "seconds", r->seconds, "method", r->method, "checksum",
                     r->md5[0] ? r->md5 : NULL, "os_hash_algo",
                     r->hash_algo[0] ? r->hash_algo : NULL, "os_hash_value",
                     r->hash[0] ? r->hash : NULL, "error", r->error);

    if (j && r->base) json_object_set_new(j, "base", json_string(r->base));
    if (j && r->props_from) json_object_set_new(j, "properties_from", json_string(r->props_from));
    if (j && r->note) json_object_set_new(j, "note", json_string(r->note));
    return j;
}

void
imgcopy_image_from_meta(const char *const *keys, const char *const *vals, size_t n,
                        const char *image_id, struct ne_image *out)
{
    size_t i;

    memset(out, 0, sizeof *out);
    out->id = xstrdup(image_id);
    out->size = out->virtual_size = -1;
    for (i = 0; i < n; i++) {
        const char *k = keys[i], *v = vals[i] ? vals[i] : "";

        if (strncmp(k, "image_", 6) != 0 || !k[6]) continue;
        k += 6;
        if (str_eq(k, "disk_format")) {
            free(out->disk_format);
            out->disk_format = xstrdup(v);
        } else if (str_eq(k, "container_format")) {
            free(out->container_format);
            out->container_format = xstrdup(v);
        } else if (str_eq(k, "min_disk")) {
            out->min_disk = strtoll(v, NULL, 10);
        } else if (str_eq(k, "min_ram")) {
            out->min_ram = strtoll(v, NULL, 10);
        } else if (!str_eq(k, "base_image_ref")) {
            add_prop(out, k, v);
        }
    }
}

void
imgcopy_result_clear(struct ne_imgcopy_result *r)
{
    free(r->source_id);
    free(r->name);
    free(r->dest_id);
    free(r->error);
    free(r->base);
    free(r->note);
    memset(r, 0, sizeof *r);
}
