/* SPDX-License-Identifier: Apache-2.0 */
/* cmd-volume-sync.c: `nova-evac volume-sync SRC DST`: an RBD image copied to
 * another Ceph cluster in incremental rounds while in use, then a short
 * cut-over, verified (src/volsync/). */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/osargs.h"
#include "cmd/volsync-cinder.h"
#include "rbd/rbd-plan.h"
#include "rbd/rbd.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/mem.h"
#include "volsync/volsync.h"

static const struct ne_opt opts[] = {
    {"cutover-hook", 0, OPT_STRING, "CMD",
     "run CMD (/bin/sh -c) before the last round, to stop or detach the writer; an image in use "
     "is refused without it",
     NULL, NULL, NULL},
    {"detach", 0, OPT_FLAG, NULL,
     "with a Cinder volume id: have Nova detach the volume from its server before the last round",
     NULL, NULL, NULL},
    {"max-final-bytes", 0, OPT_STRING, "SIZE",
     "cut over once the predicted last round is at most SIZE (K, M, G suffixes; default 64M)", NULL,
     NULL, NULL},
    {"max-final-seconds", 0, OPT_UINT, "N",
     "and takes at most N seconds at the measured rate (default 10)", NULL, NULL, NULL},
    {"max-rounds", 0, OPT_UINT, "N",
     "incremental rounds before cutting over anyway (default 8, at most 60)", NULL, NULL, NULL},
    {"chunk", 0, OPT_STRING, "SIZE", "bytes per read or write, a power of 2 (default 4M)", NULL,
     NULL, NULL},
    {"inflight", 0, OPT_UINT, "N", "reads and writes in flight (default 8)", NULL, NULL, NULL},
    {"dry-run", 'n', OPT_FLAG, NULL, "check everything and say what would be copied; change nothing",
     NULL, NULL, NULL},
    {"to-region", 0, OPT_STRING, "REGION",
     "register the verified copy in REGION's Cinder (manage existing), with the source volume's "
     "name, type and metadata",
     NULL, NULL, NULL},
    {"volume-type", 0, OPT_STRING, "TYPE",
     "with --to-region: the new volume's type there (default: the source volume's)", NULL, NULL,
     NULL},
    {"mirror", 0, OPT_FLAG, NULL,
     "have the destination cluster's rbd-mirror daemon make the copy (journal mirroring): report "
     "the image's features, enable mirroring, wait until it is in sync",
     NULL, NULL, NULL},
    {"enable-features", 0, OPT_FLAG, NULL,
     "with --mirror: turn object-map and fast-diff off, exclusive-lock and journaling on (the "
     "features before are journaled and restored by --finish)",
     NULL, NULL, NULL},
    {"finish", 0, OPT_FLAG, NULL,
     "with --mirror: demote the source, promote the copy, verify, disable mirroring, restore the "
     "features on both",
     NULL, NULL, NULL},
    {"yes", 0, OPT_FLAG, NULL,
     "with --mirror: change or demote an image in use (its guest may freeze)", NULL, NULL, NULL},
    {"wait", 0, OPT_UINT, "N",
     "with --mirror: seconds to wait for the sync or the demotion (default 600)", NULL, NULL, NULL},
    NE_OS_OPTS,
    OPT_END,
};

/* "64M", "1G", "4096": bytes; -1 after reporting. */
static int
parse_size(const char *opt, const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;
    int sh = 0;

    if (!s || !*s || *s == '-') goto bad;
    v = strtoull(s, &end, 10);
    if (end == s) goto bad;
    switch (*end) {
    case 0: break;
    case 'k': case 'K': sh = 10; end++; break;
    case 'm': case 'M': sh = 20; end++; break;
    case 'g': case 'G': sh = 30; end++; break;
    default: goto bad;
    }
    if (*end == 'i' && end[1] == 'B') end += 2;
    else if (*end == 'B') end++;
    if (*end || v > (UINT64_MAX >> sh)) goto bad;
    *out = (uint64_t)v << sh;
    return 0;
bad:
    ne_error("--%s: '%s' is not a size (e.g. 64M, 1G)", opt, s ? s : "");
    return -1;
}

static int
options(const struct ne_args *a, struct ne_volsync_opts *o)
{
    unsigned long v;
    const char *s;

    o->converge.max_final_bytes = 64ull << 20;
    o->converge.max_final_seconds = 10;
    o->converge.max_rounds = 8;
    if ((s = ne_args_str(a, "max-final-bytes")) && parse_size("max-final-bytes", s, &o->converge.max_final_bytes) < 0)
        return -1;
    if (ne_args_uint(a, "max-final-seconds", &v) == 1) o->converge.max_final_seconds = (double)v;
    if (ne_args_count(a, "max-rounds", &v) < 0) return -1;
    if (ne_args_uint(a, "max-rounds", &v) == 1) {
        if (v > 60) {
            ne_error("--max-rounds: at most 60");
            return -1;
        }
        o->converge.max_rounds = (unsigned)v;
    }
    if ((s = ne_args_str(a, "chunk")) && parse_size("chunk", s, &o->chunk) < 0) return -1;
    if (o->chunk && (o->chunk < 4096 || o->chunk > (64u << 20) || (o->chunk & (o->chunk - 1)))) {
        ne_error("--chunk: a power of 2 from 4K to 64M");
        return -1;
    }
    if (ne_args_count(a, "inflight", &v) < 0) return -1;
    if (ne_args_uint(a, "inflight", &v) == 1) {
        if (v > 64) {
            ne_error("--inflight: at most 64");
            return -1;
        }
        o->inflight = (unsigned)v;
    }
    o->cutover_hook = ne_args_str(a, "cutover-hook");
    o->dry_run = ne_args_flag(a, "dry-run");
    return 0;
}

static int
run(struct ne_ctx *ctx, const struct ne_args *args)
{
    struct ne_rbd_spec src = {0}, dst = {0};
    struct ne_rbd_conn cs = {0}, cd = {0};
    struct ne_volsync_opts o = {0};
    struct ne_rbd *rs = NULL, *rd = NULL;
    struct ne_config *cfg;
    struct ne_volsync_cinder *vc = NULL;
    CLEANUP_FREE char *src_text = NULL;
    char why[160];
    int rc = NE_EXIT_USAGE;
    bool mirror = ne_args_flag(args, "mirror");

    /* A Cinder volume id as the source, or --to-region: Cinder is asked */
    if (ne_vsc_is_volume_id(ne_args_pos(args, 0)) || ne_args_str(args, "to-region")) {
        if (!(cfg = ne_ctx_config(ctx))) return NE_EXIT_USAGE;
        if (!(vc = ne_vsc_open(args, cfg, ne_vsc_is_volume_id(ne_args_pos(args, 0))
                                              ? ne_args_pos(args, 0) : NULL, &src_text, &rc)))
            return rc;
        rc = NE_EXIT_USAGE;
    }
    if (ne_rbd_spec_parse(src_text ? src_text : ne_args_pos(args, 0), true, &src, why, sizeof why) < 0) {
        ne_error("volume-sync: source '%s': %s", ne_args_pos(args, 0), why);
        ne_vsc_close(vc);
        return NE_EXIT_USAGE;
    }
    if (ne_rbd_spec_parse(ne_args_pos(args, 1), false, &dst, why, sizeof why) < 0) {
        ne_error("volume-sync: destination '%s': %s", ne_args_pos(args, 1), why);
        goto out;
    }
    /* rbd-mirror keeps the image's name: a mirrored Cinder volume's copy is
     * volume-ID too */
    if (!dst.image)
        dst.image = xstrdup(!mirror && ne_vsc_default_image(vc) ? ne_vsc_default_image(vc)
                                                                : src.image);
    unsigned long wait_s = 0;
    if (options(args, &o) < 0 || !(cfg = ne_ctx_config(ctx))) goto out;
    if (ne_args_count(args, "wait", &wait_s) < 0) goto out;
    if (!mirror && (ne_args_flag(args, "enable-features") || ne_args_flag(args, "finish") ||
                    ne_args_flag(args, "yes") || wait_s)) {
        ne_error("volume-sync: --enable-features, --finish, --yes and --wait go with --mirror");
        goto out;
    }
    if (mirror && (ne_args_str(args, "to-region") || ne_args_flag(args, "detach") ||
                   o.cutover_hook)) {
        ne_error("volume-sync --mirror: --to-region, --detach and --cutover-hook are for the copy "
                 "in rounds; register the mirrored copy after --finish (or copy in rounds)");
        goto out;
    }
    if (ne_vsc_check_dst(vc, dst.cluster, dst.pool) < 0 ||
        ne_vsc_cutover(vc, ne_args_flag(args, "detach"), &o) < 0)
        goto out;
    if (!ne_rbd_built()) {
        ne_error("volume-sync: this nova-evac was built without librbd; install librbd-dev and "
                 "librados-dev and configure --with-rbd");
        goto out;
    }
    if (ne_volsync_conn(cfg->path, src.cluster, &cs) < 0 ||
        ne_volsync_conn(cfg->path, dst.cluster, &cd) < 0)
        goto out;
    o.state_dir = cfg->state_dir;
    o.json = ctx->format == NE_FORMAT_JSON;
    rc = NE_EXIT_UNREACHABLE;
    if (!(rs = ne_rbd_connect(&cs))) goto out;
    if (str_eq(src.cluster, dst.cluster)) rd = rs;
    else if (!(rd = ne_rbd_connect(&cd))) goto out;
    if (mirror) {
        struct ne_volsync_mirror_opts mo = {o.state_dir, ne_args_flag(args, "enable-features"),
                                            ne_args_flag(args, "finish"), ne_args_flag(args, "yes"),
                                            o.dry_run, o.json, 0};
        mo.wait_s = wait_s > 86400 ? 86400 : (unsigned)wait_s;
        if (!mo.dry_run)
            ne_interrupt_install("every step looks at the images first: run the same command "
                                 "again to go on");
        rc = ne_volsync_mirror(rs, &src, rd, &dst, &mo);
        goto out;
    }
    rc = ne_volsync_run(rs, &src, rd, &dst, &o);
    if (rc == NE_EXIT_OK && !o.dry_run && ne_vsc_register(vc, dst.image, o.json) < 0)
        rc = NE_EXIT_PARTIAL;
out:
    ne_vsc_close(vc);
    if (rd != rs) ne_rbd_disconnect(rd);
    ne_rbd_disconnect(rs);
    ne_volsync_conn_free(&cs);
    ne_volsync_conn_free(&cd);
    ne_rbd_spec_free(&src);
    ne_rbd_spec_free(&dst);
    return rc;
}

const struct ne_cmd cmd_volume_sync = {
    "volume-sync",
    "copy an RBD image to another Ceph cluster in rounds while in use, then cut over, verified",
    "CLUSTER/POOL/IMAGE|VOLUME-ID CLUSTER/POOL[/IMAGE]", 2, 2, opts, run,
};
