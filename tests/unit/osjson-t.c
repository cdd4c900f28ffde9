/* SPDX-License-Identifier: Apache-2.0 */
/* osjson-t.c: Keystone token/catalog, version documents, error bodies and
 * Glance images, from real-shaped replies and from broken ones. */
#include <config.h>

#include <string.h>

#include "openstack/http.h"
#include "osdata.h"
#include "openstack/osjson.h"
#include "tap.h"

#define L(s) (s), strlen(s)
#include "util/log.h"

static void
test_time(void)
{
    time_t t;

    ok(os_parse_time("2026-11-22T10:03:00.000000Z", &t) == 0 && t == 1795341780,
       "keystone time with microseconds and Z");
    ok(os_parse_time("2026-11-22T12:03:00+02:00", &t) == 0 && t == 1795341780, "offset +02:00");
    ok(os_parse_time("2026-11-22T10:03:00", &t) == 0 && t == 1795341780, "no zone = UTC");
    ok(os_parse_time("2026-11-22 10:03:00.5", &t) == 0, "space separator");
    ok(os_parse_time("2026-13-22T10:03:00Z", &t) < 0, "month 13 refused");
    ok(os_parse_time("2026-11-22T10:03", &t) < 0, "truncated refused");
    ok(os_parse_time("2026-11-22T10:03:00Zjunk", &t) < 0, "trailing junk refused");
    ok(os_parse_time("", &t) < 0 && os_parse_time(NULL, &t) < 0, "empty and NULL refused");
}

static void
test_versions(void)
{
    struct ne_mv a, b, min, max;
    size_t len;
    CLEANUP_FREE char *doc = osdata("nova-version.json", &len);
    unsigned e0;

    ok(os_mv_parse("2.25", &a) == 0 && a.major == 2 && a.minor == 25, "2.25 parses");
    ok(os_mv_parse("2.9", &b) == 0 && os_mv_cmp(b, a) < 0, "2.9 < 2.25 (numeric, not text)");
    ok(os_mv_parse("2", &a) < 0 && os_mv_parse("2.x", &a) < 0 && os_mv_parse("", &a) < 0,
       "junk microversions refused");
    ok(os_parse_version(doc, len, "t", &min, &max) == 0 && max.minor == 93 && min.minor == 1,
       "nova version document: 2.1..2.93");
    ok(os_parse_version(L("{\"version\":{\"id\":\"v2.0\",\"version\":\"\",\"min_version\":\"\"}}"), "t", &min, &max) == 0 && max.major == 0,
       "empty version = no microversions (old cloud)");
    ok(os_parse_version(L("{\"versions\":[{\"id\":\"v2.0\",\"status\":\"SUPPORTED\",\"version\":\"\"},"
                        "{\"id\":\"v2.1\",\"status\":\"CURRENT\",\"version\":\"2.60\",\"min_version\":\"2.1\"}]}"), "t", &min, &max) == 0 && max.minor == 60,
       "versions list: the CURRENT one");
    e0 = ne_error_count();
    ok(os_parse_version(doc, len / 2, "t", &min, &max) < 0, "truncated version document fails");
    is_int(ne_error_count() - e0, 1, "... with exactly one error reported");
    ok(os_parse_version(L("{\"version\":{\"version\":\"two\"}}"), "t", &min, &max) < 0,
       "non-numeric version fails");
    ok(os_parse_version(L("[]"), "t", &min, &max) < 0, "array root fails");
}

static void
test_token(void)
{
    size_t len, i;
    CLEANUP_FREE char *doc = osdata("keystone-token.json", &len);
    struct ne_token_info t;
    CLEANUP_FREE char *sum = NULL;
    unsigned fails = 0;

    ok(os_parse_token(doc, len, "t", &t) == 0, "keystone token reply parses");
    is_int(t.expires_at - t.issued_at, 180, "lifetime 180 s from issued_at/expires_at");
    is_str(t.user_name, "admin", "user");
    is_str(t.project_name, "admin", "project");
    is_int(t.nroles, 3, "three roles");
    is_str(os_catalog_find(&t, "compute", "public", "RegionOne"), "http://127.0.0.1:8774/v2.1",
           "compute public RegionOne");
    is_str(os_catalog_find(&t, "compute", "internal", NULL), "http://10.0.0.5:8774/v2.1",
           "compute internal, any region");
    is_str(os_catalog_find(&t, "compute", "publicURL", "RegionTwo"), "http://r2.example:8774/v2.1",
           "publicURL (v2 name) and region two");
    ok(os_catalog_find(&t, "compute", "admin", NULL) == NULL, "no admin compute endpoint");
    ok(os_catalog_find(&t, "placement", "public", NULL) == NULL, "no placement: NULL");
    ok(os_catalog_find(&t, "image", "public", "RegionTwo") == NULL, "no image in region two");
    is_str(os_catalog_find(&t, "block-storage", "public", NULL), "http://127.0.0.1:8776/v3/0f1e",
           "block-storage finds volumev3 (alias)");
    sum = os_catalog_summary(&t);
    ok(strstr(sum, "compute (public@RegionOne internal@RegionOne public@RegionTwo)") != NULL,
       "catalog summary for messages: %s", sum);
    os_token_info_clear(&t);
    /* every truncation fails cleanly (no crash, one error, nothing kept) */
    for (i = 0; i < len - 2; i += 7) {
        unsigned e0 = ne_error_count();
        if (os_parse_token(doc, i, "t", &t) == 0 || ne_error_count() - e0 != 1 || t.eps) fails++;
        os_token_info_clear(&t);
    }
    is_int(fails, 0, "all %zu truncations of the token reply fail with one error", len / 7);
    ok(os_parse_token(L("{\"token\":{\"expires_at\":\"2026-11-22T10:03:00Z\"}}"), "t", &t) < 0,
       "token without issued_at fails");
    ok(os_parse_token(L("{\"token\":{\"issued_at\":1,\"expires_at\":2}}"), "t", &t) < 0,
       "numeric times fail");
    ok(os_parse_token(L("{\"token\":{\"issued_at\":\"2026-11-22T10:00:00Z\",\"expires_at\":"
                      "\"2026-11-22T10:03:00Z\",\"catalog\":[{\"type\":7},{\"endpoints\":\"x\"},"
                      "{\"type\":\"compute\",\"endpoints\":[1,{\"url\":\"u\"}]}]}}"), "t", &t) == 0 && t.neps == 0,
       "catalog of the wrong shapes: kept nothing, no crash");
    os_token_info_clear(&t);
}

/* Two regions with Cinder (the lab's RegionOne and RegionTwo), the second region's
 * endpoints listed first: the cloud's region picks, not the catalog's order. */
static void
test_two_cinders(void)
{
    struct ne_token_info t;

    ok(os_parse_token(L("{\"token\":{\"issued_at\":\"2026-11-22T10:00:00Z\",\"expires_at\":"
                        "\"2026-11-22T10:03:00Z\",\"catalog\":[{\"type\":\"volumev3\","
                        "\"endpoints\":["
                        "{\"interface\":\"public\",\"region_id\":\"RegionTwo\",\"url\":\"http://127.0.0.1:8786/v3/p\"},"
                        "{\"interface\":\"internal\",\"region_id\":\"RegionTwo\",\"url\":\"http://r2-int:8786/v3/p\"},"
                        "{\"interface\":\"public\",\"region_id\":\"RegionOne\",\"url\":\"http://127.0.0.1:8776/v3/p\"},"
                        "{\"interface\":\"internal\",\"region_id\":\"RegionOne\",\"url\":\"http://r1-int:8776/v3/p\"}"
                        "]}]}}"), "t", &t) == 0 && t.neps == 4,
       "a catalog with volumev3 in two regions parses");
    is_str(os_catalog_find(&t, "volumev3", "public", "RegionOne"), "http://127.0.0.1:8776/v3/p",
           "volumev3 public in RegionOne although RegionTwo's is listed first");
    is_str(os_catalog_find(&t, "volumev3", "internal", "RegionOne"), "http://r1-int:8776/v3/p",
           "... and the internal one");
    is_str(os_catalog_find(&t, "block-storage", "public", "RegionTwo"), "http://127.0.0.1:8786/v3/p",
           "block-storage (alias) in RegionTwo");
    ok(os_catalog_find(&t, "volumev3", "public", "RegionThree") == NULL,
       "no volumev3 in RegionThree: NULL, not another region's");
    os_token_info_clear(&t);
}

static void
test_errors(void)
{
    static const struct {
        const char *file, *want;
    } cases[] = {
        {"nova-409.json", "conflictingRequest: Cannot 'os-migrateLive' instance "
                          "11111111-1111-4111-8111-111111111111 while it is in task_state migrating"},
        {"keystone-401.json", "Unauthorized: The request you have made requires authentication."},
        {"placement-409.json", "Conflict: There was a conflict when trying to complete your "
                               "request. consumer generation conflict - expected 3 but got 4"},
        {"glance-404.html", "404 Not Found No image found with ID "
                            "22222222-2222-4222-8222-222222222222"},
    };
    size_t i, len;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CLEANUP_FREE char *doc = osdata(cases[i].file, &len);
        CLEANUP_FREE char *t = os_error_text(doc, len);
        is_str(t, cases[i].want, "error text of %s", cases[i].file);
    }
    {
        size_t n;
        CLEANUP_FREE char *doc = osdata("nova-500.json", &n);
        CLEANUP_FREE char *t = os_error_text(doc, n);
        ok(str_prefix(t, "computeFault: Unexpected API Error.") && !strchr(t, '\n'),
           "nova 500: one line: %s", t);
        CLEANUP_FREE char *half = os_error_text(doc, n / 2);
        ok(str_prefix(half, "{\"computeFault\": {\"code\": 500"), "truncated JSON shown as text");
    }
    {
        CLEANUP_FREE char *e = os_error_text("", 0);
        CLEANUP_FREE char *b = os_error_text("\x01\xff\x00zz<", 6);
        CLEANUP_FREE char *n = os_error_text(L("{\"NeutronError\":{\"type\":\"X\",\"message\":\"boom\"}}"));
        char big[5000];
        memset(big, 'a', sizeof big);
        CLEANUP_FREE char *l = os_error_text(big, sizeof big);
        is_str(e, "", "empty body: empty text");
        ok(strlen(b) > 0 && !strchr(b, '\x01') && !strchr(b, '\xff'), "binary body: printable");
        is_str(n, "NeutronError: boom", "neutron error");
        ok(strlen(l) <= 300, "long body cut to 300 characters");
    }
}

static void
test_image(void)
{
    size_t len, i;
    CLEANUP_FREE char *doc = osdata("glance-image.json", &len);
    struct ne_image im;
    unsigned fails = 0;

    ok(glance_parse_image(doc, len, "t", &im) == 0, "glance image parses");
    is_str(im.status, "active", "status");
    is_int(im.size, 1048576, "size");
    is_str(im.checksum, "b6d81b360a5672d80c27430f39153e2c", "checksum");
    is_str(im.hash_algo, "sha512", "os_hash_algo");
    is_str(ne_image_prop(&im, "hw_disk_bus"), "virtio", "custom property kept");
    is_str(ne_image_prop(&im, "custom_int"), "42", "integer property as text");
    is_str(ne_image_prop(&im, "custom_bool"), "true", "boolean property as text");
    ok(ne_image_prop(&im, "custom_null") == NULL && ne_image_prop(&im, "self") == NULL &&
           ne_image_prop(&im, "min_disk") == NULL,
       "null, links and core fields are not properties");
    ne_image_clear(&im);
    for (i = 0; i < len - 1; i += 5) {
        if (glance_parse_image(doc, i, "t", &im) == 0) fails++;
        ne_image_clear(&im);
    }
    is_int(fails, 0, "every truncation of the image fails cleanly");
    ok(glance_parse_image(L("{\"status\":\"active\"}"), "t", &im) < 0, "image without id fails");
}

int
main(void)
{
    CLEANUP_FREE char *e = http_escape("node 02/é&x=y");

    test_time();
    test_versions();
    test_token();
    test_two_cinders();
    test_errors();
    test_image();
    is_str(e, "node%2002%2F%C3%A9%26x%3Dy", "http_escape for query strings and paths");
    return done_testing();
}
