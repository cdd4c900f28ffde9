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
    return done_testing();
}
