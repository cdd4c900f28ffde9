/* SPDX-License-Identifier: Apache-2.0 */
/* volsync-cinder.c: see volsync-cinder.h. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cmd/cmd.h"
#include "cmd/osargs.h"
#include "cmd/volsync-cinder.h"
#include "openstack/cinder.h"
#include "openstack/clouds.h"
#include "openstack/keystone.h"
#include "util/exitcode.h"
#include "util/ini.h"
#include "util/log.h"
#include "util/mem.h"
#include "volsync/volsync.h"

struct ne_volsync_cinder {
    struct ne_os *os, *dos;           /* the cloud; --to-region's (may be os) */
    struct ne_cinder *src, *dst;
    struct ne_volume vol;             /* the source volume (by id), or empty */
    bool have_vol;
    char *region, *dst_host;          /* --to-region, the manage host */
    char *dst_type;                   /* --volume-type, or NULL: the source's */
    char *default_dst;                /* the copy's image name when DST names none */
    char *stop_hint;                  /* the in-use refusal's advice */
    struct ini *ini;
};

bool
ne_vsc_is_volume_id(const char *t)
{
    size_t i;

    if (!t || strlen(t) != 36) return false;
    for (i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? t[i] != '-' : !strchr("0123456789abcdefABCDEF", t[i])) return false;
    }
    return true;
}

void
ne_vsc_close(struct ne_volsync_cinder *c)
{
    if (!c) return;
    if (c->dst && c->dst != c->src) cinder_close(c->dst);
    if (c->src) cinder_close(c->src);
    if (c->dos && c->dos != c->os) ne_os_close(c->dos);
    if (c->os) ne_os_close(c->os);
    cinder_volume_clear(&c->vol);
    free(c->region);
    free(c->dst_host);
    free(c->dst_type);
    free(c->default_dst);
    free(c->stop_hint);
    if (c->ini) ini_free(c->ini);
    free(c);
}

struct ne_volsync_cinder *
ne_vsc_open(const struct ne_args *a, const struct ne_config *cfg, const char *src_id,
            char **src_text, int *rc)
{
    struct ne_volsync_cinder *c = xcalloc(1, sizeof *c);
    const char *region = ne_args_str(a, "to-region"), *cluster, *pool;
    enum ne_os_err kind = NE_OS_OK;
    char backend[256];
    CLEANUP_FREE char *sec = NULL;
    size_t i;

    *rc = NE_EXIT_USAGE;
    if (!(c->ini = ini_load(cfg->path, true))) goto fail;
    if ((*rc = ne_os_from_args(a, &c->os)) != NE_EXIT_OK) goto fail;
    *rc = NE_EXIT_UNREACHABLE;
    if (src_id && !(c->src = cinder_open(c->os, NULL, &kind))) goto fail_kind;
    if (region) {
        struct ne_cloud_args ca = {
            .cloud = ne_args_str(a, "os-cloud"), .region = region,
            .interface = ne_args_str(a, "os-interface"), .cacert = ne_args_str(a, "os-cacert"),
            .insecure = ne_args_flag(a, "insecure"),
        };
        c->region = xstrdup(region);
        if (ne_args_str(a, "volume-type")) c->dst_type = xstrdup(ne_args_str(a, "volume-type"));
        if ((kind = ne_os_open(&ca, &c->dos)) != NE_OS_OK) goto fail_kind;
        if (!(c->dst = cinder_open(c->dos, region, &kind))) goto fail_kind;
    }
    if (!src_id) {
        *rc = NE_EXIT_OK;
        return c;
    }
    if (cinder_volume_show(c->src, src_id, &c->vol) != 0) {
        kind = cinder_err(c->src);
        if (kind == NE_OS_ENOTFOUND) *rc = NE_EXIT_USAGE;
        else goto fail_kind;
        goto fail;
    }
    c->have_vol = true;
    if (!cinder_host_backend(c->vol.host, backend, sizeof backend)) {
        ne_error("volume-sync: Cinder does not say which backend holds volume %s (host '%s'); "
                 "the credentials need the admin role", src_id, c->vol.host ? c->vol.host : "");
        *rc = NE_EXIT_USAGE;
        goto fail;
    }
    sec = xasprintf("cinder:%s", backend);
    cluster = ini_get(c->ini, sec, "cluster");
    pool = ini_get(c->ini, sec, "pool");
    if (!cluster || !pool) {
        ne_error("volume-sync: volume %s is on Cinder backend %s, and %s has no [cinder:%s] "
                 "section with cluster= and pool=; add it (the [ceph:...] cluster and the RBD "
                 "pool of rbd_pool in cinder.conf)", src_id, backend, cfg->path, backend);
        *rc = NE_EXIT_USAGE;
        goto fail;
    }
    for (i = 0; i < c->vol.nservers; i++)
        ne_info("volume %s is attached to server %s", src_id, c->vol.servers[i]);
    *src_text = xasprintf("%s/%s/volume-%s", cluster, pool, c->vol.id);
    c->default_dst = xasprintf("migrated-volume-%s", c->vol.id);
    *rc = NE_EXIT_OK;
    return c;
fail_kind:
    *rc = ne_os_exit(kind);
fail:
    ne_vsc_close(c);
    return NULL;
}

/* before_final of --detach: Nova detaches the volume from each server. */
static int
detach_all(void *opaque, const struct ne_volsync_state *st)
{
    struct ne_volsync_cinder *c = opaque;
    size_t i;

    for (i = 0; i < c->vol.nservers; i++) {
        double t0 = ne_now();
        ne_info("volume-sync: detaching volume %s from server %s (after round %u)", c->vol.id,
                c->vol.servers[i], st->round);
        if (cinder_detach_via_nova(c->src, c->vol.servers[i], c->vol.id, 120) < 0) {
            ne_error("volume-sync: the last round was not made; the copy is kept up to round %u: "
                     "once volume %s is detached (or server %s stopped), run the same command "
                     "again", st->round, c->vol.id, c->vol.servers[i]);
            return -1;
        }
        ne_info("volume-sync: volume %s detached from server %s in %.1f s", c->vol.id,
                c->vol.servers[i], ne_now() - t0);
    }
    return 0;
}

int
ne_vsc_cutover(struct ne_volsync_cinder *c, bool detach, struct ne_volsync_opts *o)
{
    if (!c || !c->have_vol) {
        if (!detach) return 0;
        ne_error("volume-sync: --detach needs a Cinder volume id as the source (Nova detaches "
                 "that volume); for CLUSTER/POOL/IMAGE give --cutover-hook CMD");
        return -1;
    }
    if (c->vol.nservers == 0) return 0;
    if (detach) {
        o->before_final = detach_all;
        o->opaque = c;
        o->writer_stopper = true;
        return 0;
    }
    c->stop_hint = xasprintf("volume %s is attached to server %s%s: give --detach (Nova detaches "
                             "it before the last round) or --cutover-hook CMD",
                             c->vol.id, c->vol.servers[0], c->vol.nservers > 1 ? " and others" : "");
    o->stop_hint = c->stop_hint;
    return 0;
}

/* The type the copy will have there (--volume-type, else the source
 * volume's) must exist in the destination's Cinder: it refuses to manage an
 * image with an unknown type, and that would be found out only after the
 * whole copy. */
static int
check_type(struct ne_volsync_cinder *c)
{
    const char *type = c->dst_type ? c->dst_type : c->have_vol ? c->vol.volume_type : NULL;
    CLEANUP_FREE char *names = NULL;
    int rc;

    if (!type || !*type) return 0; /* that Cinder's default type */
    rc = cinder_type_exists(c->dst, type, &names);
    if (rc > 0) return 0;
    if (rc == 0)
        ne_error("volume-sync: volume type %s%s does not exist in %s's Cinder (its types: %s); "
                 "give --volume-type TYPE with one of them; nothing was changed", type,
                 c->dst_type ? "" : " (the source volume's)", c->region, names);
    else
        ne_error("volume-sync: could not list %s's volume types; nothing was changed", c->region);
    return -1;
}

int
ne_vsc_check_dst(struct ne_volsync_cinder *c, const char *cluster, const char *pool)
{
    size_t i;

    if (!c || !c->dst) return 0;
    for (i = 0; i < c->ini->n; i++) {
        const struct ini_entry *e = &c->ini->e[i];
        const char *h;
        if (!str_prefix(e->section, "cinder:") || strcmp(e->key, "host") != 0) continue;
        if (str_eq(ini_get(c->ini, e->section, "cluster"), cluster) &&
            str_eq(ini_get(c->ini, e->section, "pool"), pool) && (h = e->value) && *h) {
            c->dst_host = xstrdup(h);
            return check_type(c);
        }
    }
    ne_error("volume-sync: --to-region %s: no [cinder:BACKEND] section in %s with cluster = %s, "
             "pool = %s and host = (the cinder-volume host@backend#pool of region %s that manages "
             "that pool); add it", c->region, c->ini->path ? c->ini->path : "the configuration",
             cluster, pool, c->region);
    return -1;
}

int
ne_vsc_register(struct ne_volsync_cinder *c, const char *dst_image, bool json)
{
    struct ne_volume like = {0}, got;
    int rc;

    if (!c || !c->dst) return 0;
    if (c->have_vol) like = c->vol;   /* shallow: name, description, type, metadata */
    else like.name = (char *)dst_image;
    if (c->dst_type) like.volume_type = c->dst_type;
    rc = cinder_volume_manage(c->dst, &like, c->dst_host, dst_image, 300, &got);
    if (rc < 0) {
        ne_error("volume-sync: the copy %s is verified but not registered in %s's Cinder; "
                 "register it with 'cinder manage %s %s'", dst_image, c->region, c->dst_host,
                 dst_image);
        return -1;
    }
    if (json) {
        json_t *o = json_pack("{s:s, s:s, s:s, s:s?, s:I, s:s?, s:s}", "event", "registered",
                              "region", c->region, "volume", got.id, "name", got.name, "size_gb",
                              (json_int_t)got.size_gb, "volume_type", got.volume_type, "host",
                              c->dst_host);
        json_dumpf(o, stdout, JSON_COMPACT);
        putchar('\n');
        json_decref(o);
    } else {
        printf("registered in %s's Cinder as volume %s (%s, %lld GiB, type %s, host %s)\n",
               c->region, got.id, got.name ? got.name : "no name", got.size_gb,
               got.volume_type ? got.volume_type : "-", c->dst_host);
    }
    cinder_volume_clear(&got);
    return 0;
}

const char *
ne_vsc_default_image(const struct ne_volsync_cinder *c)
{
    return c ? c->default_dst : NULL;
}
