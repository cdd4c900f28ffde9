/* SPDX-License-Identifier: Apache-2.0 */
/* domxml-t.c: domain XML parsing, including malformed and hostile input. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/domain.h"
#include "tap.h"
#include "util/mem.h"

static char *
slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf = xcalloc(1, 1 << 16);
    size_t n;

    if (!f) {
        printf("Bail out! cannot open %s\n", path);
        exit(1);
    }
    n = fread(buf, 1, (1 << 16) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

int
main(void)
{
    const char *srcdir = getenv("top_srcdir") ? getenv("top_srcdir") : ".";
    CLEANUP_FREE char *path = xasprintf("%s/tests/unit/data/domain-nova.xml", srcdir);
    CLEANUP_FREE char *xml = slurp(path);
    struct ne_domain *d = ne_domain_parse(xml, "test");

    ok(d != NULL, "nova domain XML parses");
    if (!d) return done_testing();
    is_str(d->name, "instance-0000000b", "name");
    is_str(d->uuid, "bbbbbbbb-0000-4000-8000-00000000000b", "uuid");
    is_int(d->memory_kib, 98304, "memory in KiB");
    is_int(d->vcpus, 1, "vcpus");
    is_int(d->ndisks, 4, "four disks");
    is_int(d->nnwfilters, 1, "one nwfilter reference");
    is_str(d->nwfilters[0], "nova-instance-instance-0000000b-fa163e000001", "nwfilter name");
    ne_domain_classify(d, "/var/lib/nova/instances", false);
    is_str(d->disks[0].target, "vda", "vda target");
    is_str(d->disks[0].format, "qcow2", "vda format");
    is_str(d->disks[0].backing, "/var/lib/nova/instances/_base/7ecd9d3cbc2b0294a99d84d32a0a271f8f47faec",
           "vda backing file from backingStore");
    is_str(ne_disk_class_name(d->disks[0].cls), "local", "vda local");
    is_str(d->disks[0].base_sha1, "7ecd9d3cbc2b0294a99d84d32a0a271f8f47faec", "vda base sha1");
    is_str(ne_disk_class_name(d->disks[1].cls), "config-drive", "hdd config drive");
    is_str(d->disks[2].protocol, "rbd", "vdb protocol");
    is_str(d->disks[2].source, "volumes/volume-5e1c", "vdb rbd name");
    is_str(ne_disk_class_name(d->disks[2].cls), "shared-volume", "vdb rbd volume");
    ok(d->disks[3].shareable, "vdc shareable");
    is_str(ne_disk_class_name(d->disks[3].cls), "shared-volume", "vdc shared volume");
    ne_domain_free(d);

    ok(ne_domain_parse("<domain><name>x", "t") == NULL, "truncated XML rejected");
    ok(ne_domain_parse("", "t") == NULL, "empty XML rejected");
    ok(ne_domain_parse("<network><name>x</name></network>", "t") == NULL, "wrong root rejected");
    ok(ne_domain_parse("<domain><name>x</name><uuid>short</uuid></domain>", "t") == NULL,
       "bad uuid rejected");
    d = ne_domain_parse("<!DOCTYPE d [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
                        "<domain><name>&x;</name><uuid>bbbbbbbb-0000-4000-8000-00000000000b</uuid></domain>",
                        "t");
    ok(d == NULL || !strstr(d->name, "root:"), "external entity is not expanded");
    ne_domain_free(d);
    d = ne_domain_parse("<domain><name>a'b\"; DROP TABLE instances;--</name>"
                        "<uuid>bbbbbbbb-0000-4000-8000-00000000000b</uuid></domain>", "t");
    ok(d && d->ndisks == 0, "hostile name parses as plain text, no disks");
    if (d) is_str(d->name, "a'b\"; DROP TABLE instances;--", "hostile name kept verbatim");
    ne_domain_free(d);
    return done_testing();
}
