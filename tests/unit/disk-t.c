/* SPDX-License-Identifier: Apache-2.0 */
/* disk-t.c: disk classification, one case per kind of disk Nova attaches. */
#include <config.h>

#include <string.h>

#include "model/domain.h"
#include "tap.h"

#define INST "/var/lib/nova/instances"
#define UUID "bbbbbbbb-0000-4000-8000-00000000000b"
#define SHA "7ecd9d3cbc2b0294a99d84d32a0a271f8f47faec"

static enum ne_disk_class
classify(struct ne_disk d, bool shared)
{
    ne_disk_classify(&d, INST, shared);
    return d.cls;
}

int
main(void)
{
    struct ne_disk d;

    d = (struct ne_disk){.type = "file", .device = "disk", .source = INST "/" UUID "/disk",
                         .backing = INST "/_base/" SHA};
    ne_disk_classify(&d, INST, false);
    is_str(ne_disk_class_name(d.cls), "local", "overlay under instances path is local");
    is_str(d.base_sha1, SHA, "base sha1 from the backing file name");
    ok(ne_disk_is_local(&d), "local disks are copied");

    d.backing = INST "/_base/" SHA "_20";
    ne_disk_classify(&d, INST, false);
    is_str(d.base_sha1, SHA, "resized base <sha1>_<GiB> still names the image");
    d.backing = "/other/_base/" SHA;
    ne_disk_classify(&d, INST, false);
    is_str(d.base_sha1, "", "backing outside instances/_base has no Nova base");
    d.backing = INST "/_base/not-a-sha";
    ne_disk_classify(&d, INST, false);
    is_str(d.base_sha1, "", "non-hex base name ignored");

    is_str(ne_disk_class_name(classify((struct ne_disk){.type = "file", .device = "cdrom",
                                                         .source = INST "/" UUID "/disk.config",
                                                         .readonly = true}, false)),
           "config-drive", "disk.config is the config drive (even read-only)");
    is_str(ne_disk_class_name(classify((struct ne_disk){.type = "network", .protocol = "rbd",
                                                         .source = "volumes/volume-1"}, false)),
           "shared-volume", "rbd network disk is a shared volume");
    is_str(ne_disk_class_name(classify((struct ne_disk){.type = "network", .protocol = "rbd",
                                                         .source = "vms/" UUID "_disk"}, false)),
           "shared-volume", "rbd ephemeral (images_type=rbd) is shared");
    is_str(ne_disk_class_name(classify((struct ne_disk){.type = "block", .source =
                                   "/dev/disk/by-path/ip-10.0.0.5:3260-iscsi-iqn.x-lun-1"}, false)),
           "shared-volume", "iSCSI block device is a shared volume");
    is_str(ne_disk_class_name(classify((struct ne_disk){.type = "file", .source =
                                   "/var/lib/nova/mnt/abc/volume-1", }, false)),
           "shared-volume", "NFS cinder volume file outside instances path is a volume");
    is_str(ne_disk_class_name(classify((struct ne_disk){.type = "file", .source = INST "/x/disk",
                                                         .shareable = true}, false)),
           "shared-volume", "<shareable/> disk is never copied, even under the instances path");
    is_str(ne_disk_class_name(classify((struct ne_disk){.type = "block", .source =
                                   "/dev/nova/" UUID "_disk"}, false)),
           "local", "LVM ephemeral disk is local");
    is_str(ne_disk_class_name(classify((struct ne_disk){.type = "file", .source = INST "/" UUID "/disk"},
                                       true)),
           "shared-ephemeral", "instances path on shared storage");
    is_str(ne_disk_class_name(classify((struct ne_disk){.type = "file", .device = "cdrom"}, false)),
           "shared-volume", "empty cdrom has nothing to copy");
    is_str(ne_disk_class_name(classify((struct ne_disk){.type = "file", .source = INST "-other/x/disk"},
                                       false)),
           "shared-volume", "a sibling directory with the same prefix is not the instances path");
    is_str(ne_disk_class_name(classify((struct ne_disk){.type = "file", .readonly = true,
                                                         .source = "/srv/iso/tools.iso"}, false)),
           "shared-volume", "read-only file outside the instances path");

    /* Network disks of every protocol libvirt knows are shared: never copied,
     * and the reason names the protocol. */
    {
        static const char *const protos[] = {"rbd", "nbd", "iscsi", "gluster", "sheepdog",
                                             "http", "nfs", "vxhs"};
        size_t i;
        for (i = 0; i < sizeof protos / sizeof protos[0]; i++) {
            d = (struct ne_disk){.type = "network", .device = "disk", .protocol = (char *)protos[i],
                                 .source = "pool/vol"};
            ne_disk_classify(&d, INST, false);
            is_str(ne_disk_class_name(d.cls), "shared-volume", "%s network disk is shared", protos[i]);
            ok(!ne_disk_is_local(&d), "%s network disk is not copied", protos[i]);
            ok(d.why && strncmp(d.why, protos[i], strlen(protos[i])) == 0 &&
                   d.why[strlen(protos[i])] == ' ',
               "the reason names the protocol: %s", d.why);
        }
        d = (struct ne_disk){.type = "network", .protocol = "rbd", .source = "volumes/v"};
        ne_disk_classify(&d, INST, false);
        ok(d.why && strstr(d.why, "Ceph") != NULL, "rbd's reason says Ceph");
    }
    /* A network disk whose name sits under the instances path (a pool named
     * like it) is still a network disk, and one without a protocol too. */
    is_str(ne_disk_class_name(classify((struct ne_disk){.type = "network", .protocol = "rbd",
                                                         .source = INST "/" UUID "/disk"}, false)),
           "shared-volume", "rbd disk named like the instances path is shared");
    is_str(ne_disk_class_name(classify((struct ne_disk){.type = "network", .protocol = "rbd",
                                                         .source = "vms/" UUID "_disk.config"}, false)),
           "shared-volume", "config drive on rbd (images_type=rbd) is shared");
    is_str(ne_disk_class_name(classify((struct ne_disk){.type = "network"}, false)),
           "shared-volume", "network disk without a protocol is shared");
    /* In a domain with a local config drive, only that one is local. */
    {
        struct ne_disk ds[] = {
            {.type = "network", .protocol = "rbd", .source = "volumes/volume-root", .capacity = 1u << 30},
            {.type = "network", .protocol = "rbd", .source = "volumes/volume-data", .capacity = 1u << 30},
            {.type = "file", .source = INST "/" UUID "/disk.config", .capacity = 474 * 1024},
        };
        struct ne_domain dom = {.disks = ds, .ndisks = 3};
        ne_domain_classify(&dom, INST, false);
        ok(ne_domain_local_bytes(&dom, false) == 474 * 1024,
           "boot-from-volume guest: only the config drive's bytes are local");
        ds[2].protocol = "rbd", ds[2].type = "network", ds[2].source = "vms/" UUID "_disk.config";
        ne_domain_classify(&dom, INST, false);
        ok(ne_domain_local_bytes(&dom, false) == 0, "every disk on RBD: 0 local bytes");
    }

    /* Locations and RBD names */
    {
        char b[128], pool[64], img[64];
        d = (struct ne_disk){.type = "network", .protocol = "rbd", .source = "volumes/volume-1"};
        is_str(ne_disk_location(&d, b, sizeof b), "rbd:volumes/volume-1", "rbd location");
        d = (struct ne_disk){.type = "network", .protocol = "nbd"};
        is_str(ne_disk_location(&d, b, sizeof b), "nbd:", "nbd export without a name");
        d = (struct ne_disk){.type = "file", .source = INST "/" UUID "/disk"};
        is_str(ne_disk_location(&d, b, sizeof b), INST "/" UUID "/disk", "file location is its path");
        d = (struct ne_disk){.type = "file", .device = "cdrom"};
        is_str(ne_disk_location(&d, b, sizeof b), "-", "empty drive");

        ok(ne_rbd_name_split("volumes/volume-1", pool, sizeof pool, img, sizeof img) == 0, "pool/image");
        is_str(pool, "volumes", "pool");
        is_str(img, "volume-1", "image");
        ok(ne_rbd_name_split("vms/ns1/" UUID "_disk@snap-1", pool, sizeof pool, img, sizeof img) == 0,
           "pool/namespace/image@snap");
        is_str(pool, "vms", "pool with a namespace");
        is_str(img, UUID "_disk", "image without namespace and snapshot");
        ok(ne_rbd_name_split("noslash", pool, sizeof pool, img, sizeof img) < 0, "no pool: refused");
        ok(ne_rbd_name_split("a/b/c/d", pool, sizeof pool, img, sizeof img) < 0, "too many parts");
        ok(ne_rbd_name_split("/img", pool, sizeof pool, img, sizeof img) < 0, "empty pool");
        ok(ne_rbd_name_split("pool/", pool, sizeof pool, img, sizeof img) < 0, "empty image");
        ok(ne_rbd_name_split("pool/img@", pool, sizeof pool, img, sizeof img) < 0, "empty snapshot");
        ok(ne_rbd_name_split(NULL, pool, sizeof pool, img, sizeof img) < 0, "NULL");
        ok(ne_rbd_name_split("p/" UUID UUID, pool, sizeof pool, img, 8) < 0, "image too long for the buffer");
    }
    return done_testing();
}
