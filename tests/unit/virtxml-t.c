/* SPDX-License-Identifier: Apache-2.0 */
/* virtxml-t.c: storage pool and volume XML built with escaped paths, on
 * libvirt's test driver (in-process: pools and volumes exist only in its
 * memory, nothing is written to disk).  A path holding '&', '<' or a
 * quote must name that file, not break or change the XML.  Volume XML
 * (virt_create_image) needs a pool built on disk, which the test driver
 * does not do: it takes the same escaping (xesc in virt-storage.c). */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libvirt/libvirt.h>

#include "tap.h"
#include "util/config.h"
#include "util/mem.h"
#include "util/sha1.h"
#include "virt/storxml.h"
#include "virt/virt.h"

/* The volume XML of a clone (staging) and of a new image, and the facts
 * read back: names, formats, owners are escaped too (the clone's were
 * pasted raw before). */
static void
volume_xml(void)
{
    struct ne_vol_spec clone = {.name = "a&b<c>.part", .capacity = 1024, .format = "raw",
                                .mode = "0644", .owner = "64055", .group = "o'q"};
    struct ne_vol_spec img = {.name = "disk", .capacity = 1 << 20, .format = "qcow2",
                              .backing = "/i/_base/x&y", .backing_format = NULL};
    CLEANUP_FREE char *cx = ne_vol_xml(&clone), *ix = ne_vol_xml(&img), *back = NULL;
    char fmt[16], o[32], g[32];
    long long mt = -1;

    ok(strstr(cx, "<name>a&amp;b&lt;c&gt;.part</name>") != NULL, "clone: name escaped");
    ok(strstr(cx, "<permissions><mode>0644</mode><owner>64055</owner><group>o&apos;q</group>"
                  "</permissions>") != NULL, "clone: permissions, group escaped");
    is_int(ne_vol_xml_facts(ix, fmt, sizeof fmt, &mt, &back), 0, "image XML parses");
    ok(str_eq(fmt, "qcow2") && mt == 0 && str_eq(back, "/i/_base/x&y"),
       "format, no mtime, backing path read back unescaped");
    free(back);
    back = NULL;
    is_int(ne_vol_xml_facts("<volume><target>", fmt, sizeof fmt, &mt, &back), -1,
           "truncated volume XML: -1");
    ok(fmt[0] == '\0' && back == NULL && mt == 0, "... and nothing made up");
    is_int(ne_pool_xml_owner("<pool><target><permissions><owner>107</owner><group>108</group>"
                             "</permissions></target></pool>", o, g, sizeof o), 0, "pool owner");
    ok(str_eq(o, "107") && str_eq(g, "108"), "owner and group of the pool's directory");
}

static struct ne_config *
test_config(void)
{
    char path[] = "/tmp/ne-virtxml-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    struct ne_config *c;

    fputs("[node:node01]\nuri = test:///default\n", f);
    fclose(f);
    c = ne_config_load(path);
    unlink(path);
    return c;
}

int
main(void)
{
    struct ne_config *cfg = test_config();
    struct ne_virt *v = cfg ? virt_open(cfg, "node01") : NULL;
    static const char *const paths[] = {
        "/srv/inst/a&b/disk",            /* an entity reference: the XML did not parse */
        "/srv/inst/x</path><path>/y/disk", /* markup: would have named another path */
        "/srv/inst/o'q\"d/disk.local",
    };
    static const char *const escaped[] = { /* the directories, as libvirt writes them back */
        "/srv/inst/a&amp;b",
        "/srv/inst/x&lt;/path&gt;&lt;path&gt;/y",
        "/srv/inst/o&apos;q&quot;d",
    };
    size_t i;

    virConnectPtr lv = virConnectOpen("test:///default");

    volume_xml();
    ok(v != NULL && lv != NULL, "test driver connections");
    if (!v || !lv) return done_testing();
    /* The test driver creates pools without building them (no
     * VIR_STORAGE_POOL_CREATE_WITH_BUILD), which a lookup uses: before,
     * the pool XML for such a directory did not parse, and the file was
     * reported as an error instead of absent. */
    for (i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        uint64_t cap = 0, alloc = 0;
        CLEANUP_FREE char *dir = xstrndup(paths[i], (size_t)(strrchr(paths[i], '/') - paths[i]));
        virStoragePoolPtr p;

        is_int(virt_file_info(v, paths[i], &cap, &alloc, NULL), 0,
               "lookup of %s: absent", paths[i]);
        /* the test driver's state is shared by the process's connections */
        char hex[41], name[40];
        CLEANUP_FREE char *xml = NULL, *want = NULL;

        /* pool_for_dir's name for dir (the test driver has no lookup by
         * target path) */
        sha1_hex(dir, hex);
        snprintf(name, sizeof name, "nova-evac-%.16s", hex);
        p = virStoragePoolLookupByName(lv, name);
        xml = p ? virStoragePoolGetXMLDesc(p, 0) : NULL;
        want = xasprintf("<path>%s</path>", escaped[i]);
        ok(xml && strstr(xml, want), "... through a pool whose target is exactly %s", dir);
        if (p) virStoragePoolFree(p);
    }
    virConnectClose(lv);
    virt_close(v);
    ne_config_free(cfg);
    return done_testing();
}
