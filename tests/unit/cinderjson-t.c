/* SPDX-License-Identifier: Apache-2.0 */
/* cinderjson-t.c: Cinder's volume reply (as Zed's cinder-api gives it to an
 * admin at microversion 3.16), every truncation of it, the manage body. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "openstack/cinder.h"
#include "tap.h"

static const char vol[] =
    "{\"volume\": {\"id\": \"9e4e10b6-2d03-4c4e-9e07-55f459e0c681\", \"status\": \"in-use\","
    " \"size\": 1, \"availability_zone\": \"nova\", \"bootable\": \"false\","
    " \"attachments\": [{\"id\": \"9e4e10b6-2d03-4c4e-9e07-55f459e0c681\","
    " \"attachment_id\": \"a1\", \"volume_id\": \"9e4e10b6-2d03-4c4e-9e07-55f459e0c681\","
    " \"server_id\": \"f36e8612-a7df-4b24-ab65-42a4cf143de8\", \"host_name\": null,"
    " \"device\": \"/dev/vdb\", \"attached_at\": \"2026-12-06T08:04:59.000000\"}],"
    " \"name\": \"db-data\", \"description\": \"orders\", \"volume_type\": \"ceph-a\","
    " \"metadata\": {\"team\": \"shop\", \"tier\": \"gold\"}, \"encrypted\": false,"
    " \"os-vol-host-attr:host\": \"cinder-lab@ceph-a#ceph-a\","
    " \"os-vol-tenant-attr:tenant_id\": \"8f5d30ff3d494a1cac5a250284ed67e0\","
    " \"multiattach\": false, \"snapshot_id\": null, \"source_volid\": null}}";

int
main(void)
{
    struct ne_volume v, w;
    char b[64], *body;
    json_t *j;
    size_t i, bad = 0;

    ok(cinder_parse_volume(vol, strlen(vol), "t", &v) == 0, "volume parsed");
    is_str(v.id, "9e4e10b6-2d03-4c4e-9e07-55f459e0c681", "id");
    is_str(v.name, "db-data", "name");
    is_str(v.status, "in-use", "status");
    is_str(v.volume_type, "ceph-a", "volume type");
    is_str(v.host, "cinder-lab@ceph-a#ceph-a", "host (admin attribute)");
    is_str(v.description, "orders", "description");
    ok(v.size_gb == 1, "size in GiB");
    ok(v.nmeta == 2, "two metadata items");
    ok(v.nservers == 1 && strcmp(v.servers[0], "f36e8612-a7df-4b24-ab65-42a4cf143de8") == 0,
       "attached to one server");
    is_str(cinder_host_backend(v.host, b, sizeof b), "ceph-a", "backend of host@backend#pool");
    ok(cinder_host_backend("cinder-lab", b, sizeof b) == NULL, "a host without @backend");
    is_str(cinder_host_backend("h@b", b, sizeof b), "b", "host@backend without a pool");
    ok(cinder_host_backend("h@#p", b, sizeof b) == NULL, "empty backend");
    ok(cinder_host_backend("h@backend-name-too-long", b, 8) == NULL, "backend longer than the buffer");

    body = cinder_manage_body(&v, "cinder-lab@ceph-b#ceph-b", "volume-9e4e");
    j = json_loads(body, 0, NULL);
    ok(j != NULL, "manage body is JSON");
    is_str(json_string_value(json_object_get(json_object_get(j, "volume"), "host")),
           "cinder-lab@ceph-b#ceph-b", "manage: host");
    is_str(json_string_value(json_object_get(json_object_get(json_object_get(j, "volume"), "ref"),
                                             "source-name")),
           "volume-9e4e", "manage: ref source-name");
    is_str(json_string_value(json_object_get(json_object_get(j, "volume"), "name")), "db-data",
           "manage: the source's name");
    is_str(json_string_value(json_object_get(json_object_get(j, "volume"), "volume_type")), "ceph-a",
           "manage: the volume type given");
    is_str(json_string_value(json_object_get(json_object_get(json_object_get(j, "volume"), "metadata"),
                                             "tier")),
           "gold", "manage: the source's metadata");
    json_decref(j);
    free(body);
    cinder_volume_clear(&v);

    /* every truncation is refused or parsed, never crashes or leaks */
    for (i = 0; i < sizeof vol - 1; i++) {
        if (cinder_parse_volume(vol, i, "t", &w) == 0) bad++;
        cinder_volume_clear(&w);
    }
    ok(bad == 0, "every truncation of the reply is refused (%zu parsed)", bad);
    ok(cinder_parse_volume("{\"volume\": {}}", 14, "t", &w) < 0, "a volume without an id is refused");
    cinder_volume_clear(&w);
    ok(cinder_parse_volume("{\"badRequest\": {\"message\": \"x\"}}", 33, "t", &w) < 0,
       "an error body is refused");
    cinder_volume_clear(&w);
    ok(cinder_parse_volume(NULL, 0, "t", &w) < 0, "no body");
    cinder_volume_clear(&w);

    {
        static const char types[] =
            "{\"volume_types\": [{\"id\": \"5a1b\", \"name\": \"ceph-b2\", \"is_public\": true},"
            " {\"id\": \"77c0\", \"name\": \"gold\", \"is_public\": false}, {\"id\": \"9d\"}]}";
        char *names = NULL;
        ok(cinder_types_find(types, strlen(types), "t", "gold", &names) == 1 && !names,
           "types: a private type found by name");
        ok(cinder_types_find(types, strlen(types), "t", "5a1b", NULL) == 1, "types: found by id");
        ok(cinder_types_find(types, strlen(types), "t", "ceph-a", &names) == 0, "types: unknown");
        is_str(names, "ceph-b2, gold", "types: the names there are, for the error");
        free(names);
        ok(cinder_types_find("{\"volume_types\": []}", 20, "t", "x", &names) == 0, "types: none");
        is_str(names, "none", "types: none named as such");
        free(names);
        ok(cinder_types_find("{\"volume_types\": {}}", 20, "t", "x", NULL) < 0, "types: not a list");
        ok(cinder_types_find("[", 1, "t", "x", NULL) < 0, "types: not JSON");
    }
    return done_testing();
}
