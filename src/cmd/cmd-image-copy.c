/* SPDX-License-Identifier: Apache-2.0 */
/* cmd-image-copy.c: `nova-evac image-copy IMAGE... --to-region R |
 * --to-cloud NAME`: copy Glance images, with their properties, to another
 * region or cloud, streamed and verified (src/imgcopy). */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/osargs.h"
#include "imgcopy/imgcopy.h"
#include "novasync/novasync.h"
#include "rbd/rbd.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/mem.h"
#include "volsync/volsync.h"

#define MAX_PARALLEL 8

static const struct ne_opt opts[] = {
    {"to-region", 0, OPT_STRING, "REGION", "copy to this region (of the same cloud, or of "
     "--to-cloud)", NULL, NULL, NULL},
    {"to-cloud", 0, OPT_STRING, "NAME", "copy to this cloud of clouds.yaml", NULL, NULL, NULL},
    {"name", 0, OPT_STRING, "NAME", "the copy's name (one image only; default the source's)",
     NULL, NULL, NULL},
    {"visibility", 0, OPT_STRING, "VISIBILITY", "the copy's visibility (default the source's)",
     NULL, NULL, "public|private|shared|community"},
    {"owner", 0, OPT_STRING, "PROJECT", "the copy's owner project id (default the destination "
     "session's project)", NULL, NULL, NULL},
    {"force", 0, OPT_FLAG, NULL, "copy even when a copy of the image is already there", NULL,
     NULL, NULL},
    {"parallel", 0, OPT_UINT, "N", "at most N transfers at once (default 2, at most 8)", NULL,
     NULL, NULL},
    {"snapshot-of", 0, OPT_STRING, "SERVER", "snapshot this instance (uuid) first, then copy the "
     "snapshot", NULL, NULL, NULL},
    {"timeout", 0, OPT_UINT, "SECONDS", "with --snapshot-of: wait at most SECONDS for the snapshot "
     "(default 1800)", NULL, "snapshot-of", NULL},
    {"import-method", 0, OPT_STRING, "METHOD", "how the data enter the destination: stream (a "
     "PUT of the image file, default), glance-direct (image import: staged, then imported), "
     "auto (glance-direct when the destination offers it)", NULL, NULL,
     "stream|glance-direct|auto"},
    {"rbd-from", 0, OPT_STRING, "CLUSTER", "with --rbd-to: the Ceph cluster ([ceph:CLUSTER] of "
     "the configuration) holding the source Glance's rbd store", NULL, NULL, NULL},
    {"rbd-to", 0, OPT_STRING, "CLUSTER/POOL", "copy the data cluster to cluster through librbd "
     "into POOL (the destination Glance's rbd store) and give the destination the image by its "
     "location", NULL, "rbd-from", NULL},
    {"json", 0, OPT_FLAG, NULL, "JSON result (same as --format json)", NULL, NULL, NULL},
    {"dry-run", 'n', OPT_FLAG, NULL, "say what would be copied; change nothing", NULL, NULL,
     NULL},
    NE_OS_OPTS,
    OPT_END,
};

/* A session and its Glance client. */
struct side {
    struct ne_os *os;
    struct ne_glance *g;
};

static void
side_close(struct side *s)
{
    if (s->g) glance_close(s->g);
    if (s->os) ne_os_close(s->os);
    s->g = NULL;
    s->os = NULL;
}

/* Opens a session (a) and its Glance; an exit code. */
static int
side_open(const struct ne_cloud_args *a, struct side *s)
{
    enum ne_os_err kind = ne_os_open(a, &s->os);

    if (kind != NE_OS_OK) return ne_os_exit(kind);
    if (!(s->g = glance_open(s->os, &kind))) {
        side_close(s);
        return ne_os_exit(kind);
    }
    return NE_EXIT_OK;
}

static json_t *
methods_json(char **m)
{
    json_t *a = json_array();

    for (; m && *m; m++) json_array_append_new(a, json_string(*m));
    return a;
}

static void
print_text(const struct ne_imgcopy_result *r, size_t n, const char *dest)
{
    size_t i;

    for (i = 0; i < n; i++) {
        char name[256];

        ne_escape(r[i].name ? r[i].name : "?", name, sizeof name);
        switch (r[i].status) {
        case IMGCOPY_COPIED:
            printf("%s (%s): copied to %s as %s: %lld bytes in %.1f s (%s), checksum %s\n", name,
                   r[i].source_id, dest, r[i].dest_id, r[i].bytes, r[i].seconds, r[i].method,
                   r[i].md5);
            break;
        case IMGCOPY_EXISTS:
            printf("%s (%s): already in %s as %s; not copied\n", name, r[i].source_id, dest,
                   r[i].dest_id);
            break;
        case IMGCOPY_DRY_RUN:
            printf("%s (%s): would be copied to %s (%lld bytes)\n", name, r[i].source_id, dest,
                   r[i].bytes);
            break;
        case IMGCOPY_FAILED:
            printf("%s (%s): FAILED: %s\n", name, r[i].source_id,
                   r[i].error ? r[i].error : "see the messages above");
            break;
        }
    }
}

/* --import-method against what the destination offers; an exit code. */
static int
choose_method(const char *want, char **methods, const char *dest, struct ne_imgcopy_opts *o)
{
    bool offered = false;
    char **m;

    for (m = methods; m && *m; m++) offered |= str_eq(*m, "glance-direct");
    if (!want || str_eq(want, "stream")) return NE_EXIT_OK;
    if (str_eq(want, "auto")) {
        o->glance_direct = offered;
        return NE_EXIT_OK;
    }
    if (!offered) {
        ne_error("image-copy: %s does not offer the import method glance-direct (GET "
                 "/v2/info/import); copy with --import-method stream", dest);
        return NE_EXIT_USAGE;
    }
    o->glance_direct = true;
    return NE_EXIT_OK;
}

struct run {
    struct side src[MAX_PARALLEL], dst[MAX_PARALLEL];
    size_t nw;
    struct ne_rbd *rs, *rd;
    char *rbd_to;
};

/* --rbd-from/--rbd-to: both clusters connected; an exit code. */
static int
open_rbd(struct ne_ctx *ctx, const struct ne_args *args, struct run *r,
         struct ne_imgcopy_opts *o)
{
    const char *from = ne_args_str(args, "rbd-from"), *to = ne_args_str(args, "rbd-to");
    struct ne_config *cfg;
    struct ne_rbd_conn cs = {0}, cd = {0};
    char *slash;
    int rc = NE_EXIT_USAGE;

    if (!from && !to) return NE_EXIT_OK;
    if (!from || !to || !(slash = strchr(to, '/')) || slash == to || !slash[1] ||
        strchr(slash + 1, '/')) {
        ne_error("image-copy: give both --rbd-from CLUSTER and --rbd-to CLUSTER/POOL (the "
                 "[ceph:CLUSTER] sections of the configuration, and the destination Glance's "
                 "rbd pool)");
        return NE_EXIT_USAGE;
    }
    if (str_eq(ne_args_str(args, "import-method"), "glance-direct")) {
        ne_error("image-copy: --rbd-to gives the destination the image by its location; it "
                 "does not go with --import-method glance-direct");
        return NE_EXIT_USAGE;
    }
    o->glance_direct = false; /* auto: the location is the better way */
    if (!ne_rbd_built()) {
        ne_error("image-copy: this nova-evac was built without librbd: --rbd-to is not "
                 "available");
        return NE_EXIT_USAGE;
    }
    r->rbd_to = xstrdup(to);
    r->rbd_to[slash - to] = '\0';
    o->rbd_src_name = from;
    o->rbd_dst_name = r->rbd_to;
    o->rbd_dst_pool = r->rbd_to + (slash - to) + 1;
    if (!(cfg = ne_ctx_config(ctx))) return NE_EXIT_USAGE;
    if (ne_volsync_conn(cfg->path, from, &cs) < 0 || ne_volsync_conn(cfg->path, r->rbd_to, &cd) < 0)
        goto out;
    rc = NE_EXIT_UNREACHABLE;
    if (!(r->rs = ne_rbd_connect(&cs))) goto out;
    if (str_eq(from, r->rbd_to)) r->rd = r->rs;
    else if (!(r->rd = ne_rbd_connect(&cd))) goto out;
    o->rbd_src = r->rs;
    o->rbd_dst = r->rd;
    rc = NE_EXIT_OK;
out:
    ne_volsync_conn_free(&cs);
    ne_volsync_conn_free(&cd);
    return rc;
}

/* Opens nw pairs of sessions; an exit code. */
static int
open_sides(const struct ne_args *args, struct run *r, struct ne_imgcopy_opts *o, char **label)
{
    struct ne_cloud_args sa = {
        .cloud = ne_args_str(args, "os-cloud"),
        .region = ne_args_str(args, "os-region-name"),
        .interface = ne_args_str(args, "os-interface"),
        .cacert = ne_args_str(args, "os-cacert"),
        .insecure = ne_args_flag(args, "insecure"),
    };
    struct ne_cloud_args da = sa;
    const struct ne_cloud *c;
    size_t i;
    int rc;

    if (ne_args_str(args, "to-cloud")) {
        da.cloud = ne_args_str(args, "to-cloud");
        da.region = NULL;
        da.cacert = NULL;
    }
    if (ne_args_str(args, "to-region")) da.region = ne_args_str(args, "to-region");
    for (i = 0; i < r->nw; i++) {
        if ((rc = side_open(&sa, &r->src[i])) != NE_EXIT_OK) return rc;
        if (i == 0) {
            c = ne_os_cloud(r->src[0].os);
            o->source_label = c->region_name ? c->region_name : c->name;
            if (!ne_args_str(args, "to-cloud") && str_eq(o->source_label, da.region)) {
                ne_error("image-copy: --to-region %s is the source region: give another "
                         "region or --to-cloud", da.region);
                return NE_EXIT_USAGE;
            }
        }
        if ((rc = side_open(&da, &r->dst[i])) != NE_EXIT_OK) return rc;
        if (i == 0) {
            c = ne_os_cloud(r->dst[0].os);
            *label = ne_args_str(args, "to-cloud")
                         ? xasprintf("cloud %s%s%s", c->name, c->region_name ? " region " : "",
                                     c->region_name ? c->region_name : "")
                         : xasprintf("region %s", c->region_name ? c->region_name : "?");
            o->dest_label = *label;
        }
    }
    return NE_EXIT_OK;
}

/* --snapshot-of: the snapshot, through the audited Nova path (it sets the
 * server's task state and creates an image: a change to Nova).  An exit
 * code; *id the active snapshot. */
static int
snapshot(struct ne_ctx *ctx, const struct ne_args *args, struct side *src, bool progress,
         char **id)
{
    struct ne_config *cfg = ne_ctx_config(ctx);
    unsigned long timeout = 1800;
    struct ne_novasync *ns;
    struct ne_nova *nv;
    enum ne_os_err kind = NE_OS_OK;
    int rc;

    if (!cfg) return NE_EXIT_USAGE;
    if (ne_args_count(args, "timeout", &timeout) < 0) return NE_EXIT_USAGE;
    if (!(nv = nova_open(src->os, &kind))) return ne_os_exit(kind);
    if (!(ns = novasync_open(cfg->state_dir, NULL))) {
        nova_close(nv);
        return NE_EXIT_REFUSED;
    }
    rc = imgcopy_snapshot(ns, nv, src->g, ne_args_str(args, "snapshot-of"), NULL,
                          (unsigned)timeout, progress, id, &kind);
    novasync_close(ns);
    nova_close(nv);
    return rc < 0 ? ne_os_exit(kind) : NE_EXIT_OK;
}

static int
run(struct ne_ctx *ctx, const struct ne_args *args)
{
    struct ne_imgcopy_opts o = {
        .name = ne_args_str(args, "name"),
        .visibility = ne_args_str(args, "visibility"),
        .owner = ne_args_str(args, "owner"),
        .force = ne_args_flag(args, "force"),
        .dry_run = ne_args_flag(args, "dry-run"),
    };
    const char *snap_of = ne_args_str(args, "snapshot-of");
    size_t n = ne_args_npos(args), i;
    const char **ids = xcalloc(n + 2, sizeof *ids);
    CLEANUP_FREE char *snap_id = NULL;
    unsigned long par = 2;
    struct run r = {0};
    struct ne_imgcopy_result *res = NULL;
    CLEANUP_FREE char *label = NULL;
    char **methods = NULL;
    enum ne_os_err kind = NE_OS_OK;
    struct rusage ru;
    bool failed = false;
    int rc;

    if (ne_args_flag(args, "json")) ctx->format = NE_FORMAT_JSON;
    o.progress = !ne_quiet() && isatty(STDERR_FILENO);
    if (!n && !snap_of) {
        ne_error("image-copy: which images? give IMAGE... or --snapshot-of SERVER");
        free(ids);
        return NE_EXIT_USAGE;
    }
    if (!ne_args_str(args, "to-region") && !ne_args_str(args, "to-cloud")) {
        ne_error("image-copy: where to? give --to-region REGION or --to-cloud NAME");
        free(ids);
        return NE_EXIT_USAGE;
    }
    if (o.name && n + (snap_of != NULL) > 1) {
        ne_error("image-copy: --name names one copy; %zu images were given", n + (snap_of != NULL));
        free(ids);
        return NE_EXIT_USAGE;
    }
    if (ne_args_count(args, "parallel", &par) < 0) {
        free(ids);
        return NE_EXIT_USAGE;
    }
    if (par > MAX_PARALLEL) {
        ne_error("image-copy: --parallel %lu: at most %d transfers at once", par, MAX_PARALLEL);
        free(ids);
        return NE_EXIT_USAGE;
    }
    for (i = 0; i < n; i++) ids[i] = ne_args_pos(args, i);
    /* between RBD stores: one transfer at a time (the librbd copy keeps its own I/Os in
     * flight) */
    r.nw = o.dry_run || !n || ne_args_str(args, "rbd-to") ? 1 : (par < n ? par : n);
    ne_interrupt_install("the copies in flight stop and their partial images are deleted; run "
                         "image-copy again to copy the rest");
    rc = open_sides(args, &r, &o, &label);
    /* the destination's import methods, before anything is made (a snapshot too) */
    if (rc == NE_EXIT_OK && glance_import_methods(r.dst[0].g, &methods) < 0)
        rc = ne_os_exit(glance_err(r.dst[0].g));
    if (rc == NE_EXIT_OK) rc = choose_method(ne_args_str(args, "import-method"), methods, label, &o);
    if (rc == NE_EXIT_OK) rc = open_rbd(ctx, args, &r, &o);
    if (rc == NE_EXIT_OK && snap_of && o.dry_run) {
        ne_info("image-copy: --dry-run: would snapshot instance %s and copy the snapshot to %s",
                snap_of, label);
    } else if (rc == NE_EXIT_OK && snap_of) {
        rc = snapshot(ctx, args, &r.src[0], o.progress, &snap_id);
        if (rc == NE_EXIT_OK) ids[n++] = snap_id;
    }
    if (rc == NE_EXIT_OK) {
        struct ne_glance *sg[MAX_PARALLEL], *dg[MAX_PARALLEL];

        for (i = 0; i < r.nw; i++) {
            sg[i] = r.src[i].g;
            dg[i] = r.dst[i].g;
        }
        if (imgcopy_run(sg, dg, r.nw, ids, n, &o, &res, &kind) < 0) rc = ne_os_exit(kind);
    }
    if (rc == NE_EXIT_OK) {
        for (i = 0; i < n; i++) failed |= res[i].status == IMGCOPY_FAILED;
        getrusage(RUSAGE_SELF, &ru);
        if (ctx->format == NE_FORMAT_JSON) {
            json_t *a = json_array();

            for (i = 0; i < n; i++) json_array_append_new(a, imgcopy_result_json(&res[i]));
            ne_json_print(json_pack("{s:s, s:s, s:o, s:o, s:I, s:b}", "source", o.source_label,
                                    "destination", label, "import_methods",
                                    methods_json(methods), "images", a, "peak_rss_kib",
                                    (json_int_t)ru.ru_maxrss, "dry_run", o.dry_run),
                          stdout);
        } else {
            print_text(res, n, label);
        }
        rc = failed ? NE_EXIT_PARTIAL : NE_EXIT_OK;
        if (ne_interrupted()) rc = NE_EXIT_INTERRUPTED;
    }
    for (i = 0; res && i < n; i++) imgcopy_result_clear(&res[i]);
    free(res);
    for (i = 0; methods && methods[i]; i++) free(methods[i]);
    free(methods);
    for (i = 0; i < r.nw; i++) {
        side_close(&r.src[i]);
        side_close(&r.dst[i]);
    }
    if (r.rd && r.rd != r.rs) ne_rbd_disconnect(r.rd);
    if (r.rs) ne_rbd_disconnect(r.rs);
    free(r.rbd_to);
    free(ids);
    return rc;
}

const struct ne_cmd cmd_image_copy = {
    "image-copy", "copy Glance images to another region or cloud, streamed and verified",
    "IMAGE...", 0, 64, opts, run,
};
