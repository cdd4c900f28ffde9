/* SPDX-License-Identifier: Apache-2.0 */
/* imagecache-t.c: the pure parts of base image staging: names, Nova's
 * domain metadata, sample ranges, the choice of a source (one case per
 * rule of the documented order) and Nova's image cache settings. */
#include <config.h>

#include <string.h>

#include "images/image-cache.h"
#include "tap.h"
#include "util/ini.h"

#define SHA "7ecd9d3cbc2b0294a99d84d32a0a271f8f47faec"

static void
names(void)
{
    ok(ne_base_name_ok(SHA), "a SHA-1 base name is fine");
    ok(ne_base_name_ok("ephemeral_1_0706d66"), "an ephemeral base name is fine");
    ok(!ne_base_name_ok(SHA NE_PART_SUFFIX), "a staging .part is never a base");
    ok(!ne_base_name_ok(".hidden"), "hidden files are not bases");
    ok(!ne_base_name_ok("a/b"), "no subdirectories");
    ok(!ne_base_name_ok(""), "empty name refused");
}

static void
metadata(void)
{
    const char *xml =
        "<domain type='kvm'><name>instance-0000000b</name><metadata>"
        "<nova:instance xmlns:nova='http://openstack.org/xmlns/libvirt/nova/1.1'>"
        "<nova:name>vm</nova:name><nova:flavor name='m1'/>"
        "<nova:root type='image' uuid='6f1c0e9a-2b0d-4c61-9d43-9b1f2a7e55e2'/>"
        "</nova:instance></metadata></domain>";
    const char *vol =
        "<domain><metadata><nova:instance xmlns:nova='http://openstack.org/xmlns/libvirt/nova/1.0'>"
        "<nova:root type='volume' uuid='aaaa'/></nova:instance></metadata></domain>";
    char *id = ne_nova_meta_image(xml);

    is_str(id, "6f1c0e9a-2b0d-4c61-9d43-9b1f2a7e55e2", "image id from nova:root (namespace 1.1)");
    free(id);
    id = ne_nova_meta_image(vol);
    ok(id == NULL, "a volume-backed root names no image");
    free(id);
    ok(ne_nova_meta_image("<domain><name>x</name></domain>") == NULL, "no metadata, no id");
    ok(ne_nova_meta_image("<domain") == NULL, "malformed XML, no id");
}

static void
samples(void)
{
    struct ne_range r[16];
    size_t n = ne_sample_ranges(1ULL << 30, r, 16, 65536), i;
    int inside = 1, aligned = 1, ascending = 1;

    is_int(n, 16, "16 samples over 1 GiB");
    is_int(r[0].off, 0, "the first sample starts at 0");
    is_int(r[15].off + r[15].len, 1ULL << 30, "the last one ends at the end");
    for (i = 0; i < n; i++) {
        inside &= r[i].off + r[i].len <= (1ULL << 30);
        aligned &= i == n - 1 || r[i].off % 4096 == 0;
        ascending &= i == 0 || r[i].off > r[i - 1].off;
    }
    ok(inside && aligned && ascending, "samples inside the file, 4 KiB aligned, ascending");
    n = ne_sample_ranges(100000, r, 16, 65536);
    is_int(n, 1, "a small file is one range");
    is_int(r[0].len, 100000, "covering all of it");
    is_int(ne_sample_ranges(0, r, 16, 65536), 0, "an empty file has none");
}

/* Hosts: node02 (drained), node03 (destination), node01, node04 (peers). */
static struct ne_base_copy copies[4];
static struct ne_base_dest dests[1];
static struct ne_base base;

static void
reset(void)
{
    static const char *const h[] = {"node02", "node03", "node01", "node04"};
    size_t i;

    memset(&base, 0, sizeof base);
    memset(copies, 0, sizeof copies);
    memset(dests, 0, sizeof dests);
    for (i = 0; i < 4; i++) {
        copies[i].host = h[i];
        copies[i].asked = true;
        copies[i].same = -1;
    }
    copies[0].st.exists = true;
    copies[0].st.length = 1 << 20;
    copies[0].same = 1;
    base.copies = copies;
    base.ncopies = 4;
    base.ref = &copies[0];
    base.dests = dests;
    base.ndests = 1;
    dests[0].host = "node03";
}

static void
have(size_t i, uint64_t length, int same)
{
    copies[i].st.exists = true;
    copies[i].st.length = length;
    copies[i].same = same;
}

static void
choose(void)
{
    const char *host;
    unsigned load[4] = {0, 0, 5, 1};

    reset();
    is_int(ne_base_choose(&base, 0, "node02", NULL, false, &host), NE_SRC_HOST,
           "only the drained host has it: from there, last resort");
    is_str(host, "node02", "... node02");

    reset();
    have(2, 1 << 20, 1);
    is_int(ne_base_choose(&base, 0, "node02", NULL, true, &host), NE_SRC_HOST,
           "a peer with the same copy comes first");
    is_str(host, "node01", "... node01, not the drained node02");

    reset();
    have(2, 1 << 20, 1);
    have(3, 1 << 20, 1);
    ne_base_choose(&base, 0, "node02", load, false, &host);
    is_str(host, "node04", "the least loaded peer wins");

    reset();
    have(2, 2 << 20, 0);
    base.image_id = "6f1c0e9a";
    base.gl.state = NE_GL_ACTIVE;
    is_int(ne_base_choose(&base, 0, "node02", NULL, true, &host), NE_SRC_GLANCE,
           "a peer with another length is skipped; Glance (active) is next");
    is_int(ne_base_choose(&base, 0, "node02", NULL, false, &host), NE_SRC_HOST,
           "without a Glance download: the drained host");

    reset();
    base.image_id = "6f1c0e9a";
    base.gl.state = NE_GL_DELETED;
    have(3, 1 << 20, 0);
    is_int(ne_base_choose(&base, 0, "node02", NULL, true, &host), NE_SRC_HOST,
           "deleted in Glance, peer differs in content: the drained host");
    is_str(host, "node02", "... node02");

    reset();
    have(1, 1 << 20, 1);
    copies[0].st.exists = false;
    base.ref = &copies[1];
    is_int(ne_base_choose(&base, 0, "node02", NULL, false, &host), NE_SRC_NONE,
           "the destination's own copy is never a source; nowhere else: none");
}

static void
cleaner(void)
{
    struct ini *a = ini_parse("[DEFAULT]\nremove_unused_original_minimum_age_seconds = 3600\n"
                              "image_cache_manager_interval = 600\n", "a");
    struct ini *b = ini_parse("[image_cache]\nremove_unused_original_minimum_age_seconds = 900000\n",
                              "b");
    struct ini *c = ini_parse("[image_cache]\nremove_unused_base_images = false\n", "c");
    struct ini *d = ini_parse("[image_cache]\nmanager_interval = -1\n", "d");
    const struct ini *v[2];
    struct ne_cleaner o = {.host = "node03"};

    ne_cleaner_eval(NULL, 0, 7200, &o);
    ok(!o.known && !o.risky, "no nova.conf read: unknown, no warning");
    v[0] = a;
    ne_cleaner_eval(v, 1, 7200, &o);
    ok(o.known && o.remove_unused, "defaults: remove_unused_base_images on");
    is_int(o.original_min_age, 3600, "deprecated [DEFAULT] name read");
    is_int(o.interval, 600, "deprecated image_cache_manager_interval read");
    ok(o.risky, "3600 s < a 7200 s drain: risky");
    ok(strstr(o.advice, "remove_unused_original_minimum_age_seconds = 7200") != NULL,
       "advice names the setting and the value");
    ne_cleaner_eval(v, 1, 3000, &o);
    ok(!o.risky, "a drain shorter than the age is fine");
    v[1] = b;
    ne_cleaner_eval(v, 2, 7200, &o);
    is_int(o.original_min_age, 900000, "a later file wins");
    ok(!o.risky, "... and makes it safe");
    v[1] = c;
    ne_cleaner_eval(v, 2, 7200, &o);
    ok(!o.remove_unused && !o.risky, "remove_unused_base_images = false: safe");
    v[1] = d;
    ne_cleaner_eval(v, 2, 7200, &o);
    ok(!o.risky, "manager_interval = -1 (cleaner off): safe");
    ini_free(a);
    ini_free(b);
    ini_free(c);
    ini_free(d);
}

int
main(void)
{
    names();
    metadata();
    samples();
    choose();
    cleaner();
    return done_testing();
}
