/* SPDX-License-Identifier: Apache-2.0 */
/* imgcopy-t.c: the Glance list and import-info parsers, the create body,
 * and image-copy's pure part (the destination spec, the comparison with
 * the source, the result JSON), from real-shaped replies. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "imgcopy/imgcopy.h"
#include "openstack/osjson.h"
#include "osdata.h"
#include "tap.h"
#include "util/log.h"

#define L(s) (s), strlen(s)

static void
test_list(void)
{
    size_t len, n, i;
    CLEANUP_FREE char *doc = osdata("glance-images.json", &len);
    struct ne_image *l;
    bool next;
    unsigned bad = 0, e0;

    ok(glance_parse_image_list(doc, len, "t", &l, &n, &next) == 0, "image list parses");
    is_int(n, 2, "two images");
    ok(next, "a next link is seen");
    is_str(l[0].status, "active", "first active");
    is_int(l[0].ntags, 2, "tags kept");
    is_str(l[0].tags[1], "b", "second tag");
    is_str(ne_image_prop(&l[0], NE_IMGCOPY_SRC_IMAGE), "4e5aed15-e8c1-4faa-965c-5930c151a3ff",
           "source property read back");
    ok(ne_image_prop(&l[0], "tags") == NULL, "tags are not a property");
    is_int(l[1].size, -1, "null size: unknown");
    ok(l[1].checksum == NULL, "null checksum: none");
    for (i = 0; i < n; i++) ne_image_clear(&l[i]);
    free(l);
    for (i = 0; i < len - 1; i += 7) {
        if (glance_parse_image_list(doc, i, "t", &l, &n, &next) == 0) {
            bad++;
            while (n) ne_image_clear(&l[--n]);
            free(l);
        }
    }
    is_int(bad, 0, "every truncation of the list fails cleanly");
    e0 = ne_error_count();
    ok(glance_parse_image_list(L("{\"images\": {}}"), "t", &l, &n, &next) < 0 && !l,
       "images not an array: refused");
    ok(glance_parse_image_list(L("{\"images\": [{\"id\": \"x\"}]}"), "t", &l, &n, &next) < 0,
       "an image without status: the list is refused");
    is_int(ne_error_count() - e0, 2, "one error each");
    ok(glance_parse_image_list(L("{\"images\": []}"), "t", &l, &n, &next) == 0 && n == 0 && !next,
       "empty list");
    free(l);
}

static void
test_import(void)
{
    size_t len, i;
    CLEANUP_FREE char *doc = osdata("glance-import-info.json", &len);
    char **m;
    unsigned bad = 0;

    ok(glance_parse_import_methods(doc, len, "t", &m) == 0, "import info parses");
    is_str(m[0], "glance-direct", "glance-direct");
    is_str(m[2], "copy-image", "copy-image");
    ok(m[3] == NULL, "three methods");
    for (i = 0; m[i]; i++) free(m[i]);
    free(m);
    for (i = 0; i < len - 1; i += 3) {
        if (glance_parse_import_methods(doc, i, "t", &m) == 0) {
            bad++;
            for (size_t k = 0; m[k]; k++) free(m[k]);
            free(m);
        }
    }
    is_int(bad, 0, "every truncation of the import info fails cleanly");
    ok(glance_parse_import_methods(L("{\"import-methods\": {\"value\": \"x\"}}"), "t", &m) < 0,
       "value not an array: refused");
}

static void
test_spec(void)
{
    size_t len;
    CLEANUP_FREE char *doc = osdata("glance-image.json", &len);
    CLEANUP_FREE char *body = NULL, *why = NULL, *why2 = NULL, *why3 = NULL;
    struct ne_image src, spec, back, dst;
    struct ne_imgcopy_opts o = {.source_label = "RegionOne", .visibility = "private"};
    json_t *j;

    ok(glance_parse_image(doc, len, "t", &src) == 0, "source parses");
    /* a reserved property and an old copy's source marks */
    src.prop_keys = xrealloc(src.prop_keys, (src.nprops + 2) * sizeof *src.prop_keys);
    src.prop_vals = xrealloc(src.prop_vals, (src.nprops + 2) * sizeof *src.prop_vals);
    src.capprops = src.nprops + 2;
    src.prop_keys[src.nprops] = xstrdup("os_glance_import_task");
    src.prop_vals[src.nprops++] = xstrdup("t1");
    src.prop_keys[src.nprops] = xstrdup(NE_IMGCOPY_SRC_IMAGE);
    src.prop_vals[src.nprops++] = xstrdup("older-source");
    src.min_disk = 2;
    src.min_ram = 128;
    src.protected_ = true;
    imgcopy_spec(&src, &o, &spec);
    is_str(spec.name, src.name, "name kept");
    is_str(spec.visibility, "private", "--visibility applies");
    is_str(spec.disk_format, src.disk_format, "disk format kept");
    ok(!spec.protected_, "protected is set only after verification");
    ok(spec.id == NULL && spec.checksum == NULL, "no id, no checksum");
    is_str(ne_image_prop(&spec, "hw_disk_bus"), "virtio", "hw_disk_bus kept");
    is_str(ne_image_prop(&spec, "custom_int"), "42", "integer property kept as text");
    ok(ne_image_prop(&spec, "os_glance_import_task") == NULL, "os_glance_* dropped");
    is_str(ne_image_prop(&spec, NE_IMGCOPY_SRC_IMAGE), src.id, "source image is this one");
    is_str(ne_image_prop(&spec, NE_IMGCOPY_SRC_REGION), "RegionOne", "source region");
    is_int(spec.nprops, src.nprops, "one property dropped, one added, one replaced");

    body = glance_create_body(&spec);
    ok(body && glance_parse_image(body, strlen(body), "t", &back) < 0,
       "the create body has no id or status (not an image reply)");
    j = json_loads(body, 0, NULL);
    ok(j && json_integer_value(json_object_get(j, "min_disk")) == 2 &&
           json_integer_value(json_object_get(j, "min_ram")) == 128,
       "min_disk and min_ram in the body");
    ok(j && json_is_string(json_object_get(j, "custom_int")), "properties as strings");
    ok(j && !json_object_get(j, "protected"), "not protected at creation");
    json_decref(j);

    memset(&dst, 0, sizeof dst);
    dst.size = src.size;
    dst.checksum = xstrdup(src.checksum);
    dst.hash_algo = xstrdup(src.hash_algo);
    dst.hash_value = xstrdup(src.hash_value);
    ok(imgcopy_compare(&src, &dst) == NULL, "identical copy: agrees");
    dst.hash_value[0] = dst.hash_value[0] == 'a' ? 'b' : 'a';
    why = imgcopy_compare(&src, &dst);
    ok(why && strstr(why, "os_hash_value"), "os_hash differs: %s", why ? why : "");
    dst.checksum[0] = dst.checksum[0] == 'a' ? 'b' : 'a';
    why2 = imgcopy_compare(&src, &dst);
    ok(why2 && strstr(why2, "checksum"), "checksum differs: %s", why2 ? why2 : "");
    dst.size++;
    why3 = imgcopy_compare(&src, &dst);
    ok(why3 && strstr(why3, "size"), "size differs: %s", why3 ? why3 : "");
    ok(imgcopy_prop_owned("os_glance_failed_import") && !imgcopy_prop_owned("os_type"),
       "owned: os_glance_*, not os_type");
    ne_image_clear(&dst);
    ne_image_clear(&spec);
    ne_image_clear(&src);
}

static void
test_result(void)
{
    struct ne_imgcopy_result r = {.source_id = xstrdup("s"), .name = xstrdup("n"),
                                  .dest_id = xstrdup("d"), .status = IMGCOPY_COPIED,
                                  .bytes = 268435456, .seconds = 1.5, .method = "stream"};
    json_t *j;

    snprintf(r.md5, sizeof r.md5, "%s", "0123");
    j = imgcopy_result_json(&r);
    ok(j != NULL, "result JSON");
    is_str(json_string_value(json_object_get(j, "status")), "copied", "status");
    is_int(json_integer_value(json_object_get(j, "bytes")), 268435456, "bytes");
    is_str(json_string_value(json_object_get(j, "method")), "stream", "method");
    ok(json_is_null(json_object_get(j, "os_hash_value")) ||
           !json_object_get(j, "os_hash_value"), "no hash: null");
    json_decref(j);
    imgcopy_result_clear(&r);
}

static void
test_meta(void)
{
    /* what Nova keeps of an image in an instance's system metadata */
    const char *keys[] = {"image_base_image_ref", "image_container_format", "image_disk_format",
                          "image_hw_disk_bus", "image_min_disk", "image_min_ram", "image_os_type",
                          "instance_type_id", "image_"};
    const char *vals[] = {"ref", "bare", "qcow2", "scsi", "3", "256", "linux", "7", "x"};
    struct ne_image im;
    struct ne_imgcopy_opts o = {.source_label = "RegionOne"};
    struct ne_image spec;

    imgcopy_image_from_meta(keys, vals, 9, "img-1", &im);
    is_str(im.id, "img-1", "meta: the image id");
    ok(im.name == NULL, "meta: no name (Nova keeps none)");
    is_str(im.disk_format, "qcow2", "meta: image_disk_format is the disk format");
    is_str(im.container_format, "bare", "meta: image_container_format");
    ok(im.min_disk == 3 && im.min_ram == 256, "meta: min_disk and min_ram are members");
    is_str(ne_image_prop(&im, "hw_disk_bus"), "scsi", "meta: image_hw_disk_bus is hw_disk_bus");
    is_str(ne_image_prop(&im, "os_type"), "linux", "meta: image_os_type is os_type");
    ok(ne_image_prop(&im, "base_image_ref") == NULL, "meta: image_base_image_ref dropped");
    ok(ne_image_prop(&im, "min_disk") == NULL, "meta: min_disk is no property");
    is_int(im.nprops, 2, "meta: only image_<property> rows become properties");
    imgcopy_spec(&im, &o, &spec);
    is_str(ne_image_prop(&spec, NE_IMGCOPY_SRC_IMAGE), "img-1", "meta: the copy names its source");
    ok(imgcopy_prop_owned(NE_IMGCOPY_SRC_BASE), "the base mark is written anew, never copied");
    ne_image_clear(&spec);
    ne_image_clear(&im);
}

static void
test_rbd(void)
{
    static const char shown[] =
        "{\"id\": \"i1\", \"direct_url\": \"rbd://f2/images/i1/snap\", \"locations\": "
        "[{\"url\": \"file:///var/lib/glance/i1\", \"metadata\": {}}, {\"url\": "
        "\"rbd://f1/images/i1/snap\", \"metadata\": {\"store\": \"ceph\"}}]}";
    static const char direct[] = "{\"id\": \"i1\", \"direct_url\": \"rbd://f2/p/i1/snap\"}";
    static const char file[] = "{\"id\": \"i1\", \"direct_url\": \"file:///x/i1\"}";
    char *fsid, *pool, *image, *snap, *url, *body;

    ok(imgcopy_rbd_url_parse("rbd://31fd-ab/images/5b1c/snap", &fsid, &pool, &image, &snap) == 0,
       "rbd url: parsed");
    is_str(fsid, "31fd-ab", "rbd url: fsid");
    is_str(pool, "images", "rbd url: pool");
    is_str(image, "5b1c", "rbd url: image");
    is_str(snap, "snap", "rbd url: snapshot");
    free(fsid), free(pool), free(image), free(snap);
    ok(imgcopy_rbd_url_parse("rbd://f/images/5b1c", &fsid, &pool, &image, &snap) < 0 && !fsid,
       "rbd url without a snapshot: refused, nothing allocated");
    ok(imgcopy_rbd_url_parse("rbd://f/images/5b1c/snap/x", &fsid, &pool, &image, &snap) < 0,
       "rbd url with a fifth part: refused");
    ok(imgcopy_rbd_url_parse("rbd://f//5b1c/snap", &fsid, &pool, &image, &snap) < 0,
       "rbd url with an empty pool: refused");
    ok(imgcopy_rbd_url_parse("file:///var/lib/glance/x", &fsid, &pool, &image, &snap) < 0,
       "a file location: refused");
    ok(glance_parse_rbd_location(shown, strlen(shown), "t", &url) == 0, "locations parsed");
    is_str(url, "rbd://f1/images/i1/snap", "the first rbd location wins over direct_url");
    free(url);
    ok(glance_parse_rbd_location(direct, strlen(direct), "t", &url) == 0, "direct_url parsed");
    is_str(url, "rbd://f2/p/i1/snap", "no locations shown: direct_url");
    free(url);
    ok(glance_parse_rbd_location(file, strlen(file), "t", &url) == 0 && url == NULL,
       "a file store: no rbd location");
    body = glance_location_body("rbd://f/p/i/snap", "0123", "sha512", "abcd");
    is_str(body, "[{\"op\":\"add\",\"path\":\"/locations/-\",\"value\":{\"url\":"
                 "\"rbd://f/p/i/snap\",\"metadata\":{},\"validation_data\":{\"checksum\":"
                 "\"0123\",\"os_hash_algo\":\"sha512\",\"os_hash_value\":\"abcd\"}}}]",
           "the location patch carries checksum and os_hash as validation data");
    free(body);
    body = glance_location_body("rbd://f/p/i/snap", "0123", "", "");
    ok(strstr(body, "os_hash") == NULL && strstr(body, "\"checksum\":\"0123\""),
       "without an os_hash: only the checksum");
    free(body);
}

int
main(void)
{
    test_rbd();
    test_list();
    test_import();
    test_spec();
    test_result();
    test_meta();
    return done_testing();
}
