/* SPDX-License-Identifier: Apache-2.0 */
/* imgcopy-base.c: images HOST --to-glance REGION: the base files of a host
 * (Nova's _base/<sha1 of the image id>) become Glance images again, with
 * their image's properties (imgcopy.h). */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "imgcopy/imgcopy.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/mem.h"

static void
free_rows(char **keys, char **vals, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(keys[i]);
        free(vals[i]);
    }
    free(keys);
    free(vals);
}

/* The image the base came from: Glance's record (*from "glance"), else
 * what Nova kept for one of its instances.  0 and *out, 1 unknown (said),
 * -1 error (said). */
static int
original(struct ne_glance *src, ne_imgcopy_meta_fn meta, void *ctx, const char *host,
         const struct ne_imgcopy_base *b, struct ne_image *out, const char **from, char **why)
{
    char **keys, **vals;
    size_t i, n;
    int rc = src ? glance_image_show(src, b->image_id, out) : 1;

    if (rc < 0) {
        *why = xasprintf("the source Glance could not be asked about image %s", b->image_id);
        return -1;
    }
    if (rc == 0) {
        *from = "glance";
        return 0;
    }
    for (i = 0; meta && i < b->nuuids; i++) {
        if (meta(ctx, b->uuids[i], &keys, &vals, &n) < 0) {
            *why = xasprintf("Nova's system metadata of instance %s could not be read",
                             b->uuids[i]);
            return -1;
        }
        if (n) {
            imgcopy_image_from_meta((const char *const *)keys, (const char *const *)vals, n,
                                    b->image_id, out);
            free_rows(keys, vals, n);
            *from = "nova system metadata";
            return 0;
        }
        free(keys);
        free(vals);
    }
    *why = xasprintf("image %s is gone from Glance and %s: its properties (disk bus, firmware, "
                     "...) are unknown and a copy without them may not boot; give the Nova "
                     "database (--db or nova.conf) so the instances' system metadata can be read",
                     b->image_id,
                     !meta ? "the Nova database is not configured"
                     : b->nuuids ? "Nova kept no image_* system metadata for its instances"
                                 : "no instance on the host uses it");
    (void)host;
    return 1;
}

struct produce {
    const struct ne_imgcopy_base *b;
};

static int
produce_base(ne_http_sink sink, void *sink_opaque, void *opaque)
{
    struct produce *p = opaque;

    return virt_stream_file(p->b->v, p->b->path, sink, sink_opaque);
}

struct progress {
    const char *what;
    double t0, last;
};

static void
on_progress(long long done, long long total, void *p)
{
    struct progress *pr = p;
    double t = ne_now();

    if (t - pr->last < 2.0 && done != total) return;
    pr->last = t;
    fprintf(stderr, "images: %s: %lld of %lld MiB (%.0f%%), %.1f MiB/s\n", pr->what, done >> 20,
            total >> 20, total > 0 ? 100.0 * (double)done / (double)total : 0.0,
            (double)done / 1048576.0 / (t - pr->t0 > 0.001 ? t - pr->t0 : 0.001));
}

static void
drop(struct ne_glance *dst, const struct ne_imgcopy_opts *o, const char *id)
{
    if (glance_image_delete(dst, id) == 0)
        ne_info("images: deleted the incomplete image %s in %s", id, o->dest_label);
    else
        ne_error("images: the incomplete image %s in %s could not be deleted: delete it with "
                 "'nova-evac api image-delete %s' there", id, o->dest_label, id);
}

static void
one(struct ne_glance *src, struct ne_glance *dst, ne_imgcopy_meta_fn meta, void *ctx,
    const char *host, const struct ne_imgcopy_base *b, const struct ne_imgcopy_opts *o,
    struct ne_imgcopy_result *r)
{
    struct ne_image orig, spec, made;
    struct ne_glance_xfer up;
    struct produce p = {b};
    struct progress pr = {.t0 = ne_now()};
    bool same_data;
    char *have = NULL, *what;
    int rc;

    r->source_id = xstrdup(b->image_id);
    r->base = xasprintf("%s:%s", host, b->path);
    r->status = IMGCOPY_FAILED;
    r->method = "stream";
    rc = original(src, meta, ctx, host, b, &orig, &r->props_from, &r->error);
    if (rc != 0) {
        ne_error("images: %s on %s: %s", b->path, host, r->error);
        return;
    }
    r->name = xstrdup(orig.name ? orig.name : b->image_id);
    what = xasprintf("base %s of image %s (%s)", b->path, r->name, b->image_id);
    pr.what = what;
    if (imgcopy_find_copy(dst, b->image_id, o, &have) < 0) {
        r->error = xasprintf("%s could not be asked for an earlier copy", o->dest_label);
        goto out;
    }
    if (have && !o->force) {
        ne_info("images: %s is already in %s as %s: not copied (--force copies it again)", what,
                o->dest_label, have);
        r->status = IMGCOPY_EXISTS;
        r->dest_id = have;
        goto out;
    }
    free(have);
    /* The base is the image's data as it was when the formats agree;
     * Nova writes a qcow2 (or other) image's base as raw
     * (force_raw_images): the copy then says raw, and carries the
     * checksum of the data it holds. */
    imgcopy_spec(&orig, o, &spec);
    if (!o->name) {
        free(spec.name);
        spec.name = xstrdup(orig.name ? orig.name : b->image_id);
    }
    same_data = b->format && str_eq(orig.disk_format, b->format);
    if (b->format && *b->format && !same_data) {
        r->note = xasprintf("the image was %s; Nova keeps its base as %s: the copy is %s",
                            orig.disk_format ? orig.disk_format : "of unknown format",
                            b->format, b->format);
        free(spec.disk_format);
        spec.disk_format = xstrdup(b->format);
        if (!spec.container_format) spec.container_format = xstrdup("bare");
    }
    if (!spec.container_format) spec.container_format = xstrdup("bare");
    if (!spec.disk_format) spec.disk_format = xstrdup(b->format ? b->format : "raw");
    xgrow(&spec.prop_keys, &spec.capprops, spec.nprops + 1, sizeof *spec.prop_keys);
    spec.prop_vals = xrealloc(spec.prop_vals, spec.capprops * sizeof *spec.prop_vals);
    spec.prop_keys[spec.nprops] = xstrdup(NE_IMGCOPY_SRC_BASE);
    spec.prop_vals[spec.nprops++] = xstrdup(r->base);
    r->bytes = b->length;
    if (o->dry_run) {
        ne_image_clear(&spec);
        r->status = IMGCOPY_DRY_RUN;
        goto out;
    }
    if (ne_interrupted()) {
        ne_image_clear(&spec);
        r->error = xstrdup("interrupted before it started");
        goto out;
    }
    rc = glance_image_create(dst, &spec, &r->dest_id);
    ne_image_clear(&spec);
    if (rc < 0) {
        r->error = xasprintf("creating the image in %s failed", o->dest_label);
        goto out;
    }
    ne_info("images: %s: %lld bytes to %s as %s, properties from %s", what, b->length,
            o->dest_label, r->dest_id, r->props_from);
    if (glance_upload_produced(dst, r->dest_id, b->length, produce_base, &p, o->bufsize,
                               o->progress ? on_progress : NULL, &pr, &up) < 0) {
        r->error = xasprintf("the stream from %s into %s failed", r->base, o->dest_label);
        goto fail;
    }
    r->bytes = up.bytes;
    if (glance_image_show(dst, r->dest_id, &made) != 0) {
        r->error = xasprintf("the image vanished from %s", o->dest_label);
        goto fail;
    }
    snprintf(r->md5, sizeof r->md5, "%s", made.checksum ? made.checksum : "");
    snprintf(r->hash, sizeof r->hash, "%s", made.hash_value ? made.hash_value : "");
    snprintf(r->hash_algo, sizeof r->hash_algo, "%s", made.hash_algo ? made.hash_algo : "");
    if (same_data && orig.size == b->length && orig.checksum && *orig.checksum &&
        !str_eq(orig.checksum, made.checksum)) {
        r->error = xasprintf("the base's data (checksum %s) are not the image's (checksum %s): "
                             "the base file changed on %s", made.checksum ? made.checksum : "?",
                             orig.checksum, host);
        ne_image_clear(&made);
        ne_error("images: %s: %s", what, r->error);
        goto fail;
    }
    ne_image_clear(&made);
    if (orig.protected_ && glance_image_set_protected(dst, r->dest_id, true) < 0) {
        r->error = xstrdup("the image could not be protected like its source");
        goto fail;
    }
    r->status = IMGCOPY_COPIED;
    r->seconds = ne_now() - pr.t0;
    goto out;
fail:
    r->seconds = ne_now() - pr.t0;
    drop(dst, o, r->dest_id);
    free(r->dest_id);
    r->dest_id = NULL;
    r->md5[0] = r->hash[0] = r->hash_algo[0] = '\0';
out:
    free(what);
    ne_image_clear(&orig);
}

void
imgcopy_bases(struct ne_glance *src, struct ne_glance *dst, ne_imgcopy_meta_fn meta,
              void *meta_ctx, const char *host, const struct ne_imgcopy_base *b, size_t n,
              const struct ne_imgcopy_opts *o, struct ne_imgcopy_result *res)
{
    size_t i;

    for (i = 0; i < n; i++) one(src, dst, meta, meta_ctx, host, &b[i], o, &res[i]);
}
