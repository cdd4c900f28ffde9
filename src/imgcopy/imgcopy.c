/* SPDX-License-Identifier: Apache-2.0 */
/* imgcopy.c: resolve, check and copy the images of an image-copy run
 * (imgcopy.h). */
#include <config.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "imgcopy/imgcopy.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/mem.h"

/* One image by id, or by name when no image has that id and exactly one
 * has that name.  0 and *out, -1 reported (*kind). */
static int
resolve(struct ne_glance *g, const char *what, const char *idname, struct ne_image *out,
        enum ne_os_err *kind)
{
    struct ne_image *l;
    size_t n, i;
    int rc = glance_image_show(g, idname, out);

    if (rc == 0) goto check;
    if (rc < 0) {
        *kind = glance_err(g);
        return -1;
    }
    if (glance_images_with(g, "name", idname, &l, &n) < 0) {
        *kind = glance_err(g);
        return -1;
    }
    if (n != 1) {
        ne_error("image-copy: image %s: %s in %s; give an image id (see 'nova-evac api "
                 "image-show ID')", idname, n ? "several images have that name" :
                 "no image has that id or name", what);
        for (i = 0; i < n; i++) ne_image_clear(&l[i]);
        free(l);
        *kind = NE_OS_ENOTFOUND;
        return -1;
    }
    *out = l[0];
    free(l);
check:
    if (!str_eq(out->status, "active")) {
        ne_error("image-copy: image %s (%s) in %s is %s, not active: there is no data to copy",
                 out->name ? out->name : "?", out->id, what, out->status);
        ne_image_clear(out);
        *kind = NE_OS_ECONFLICT;
        return -1;
    }
    return 0;
}

/* An active copy of src already at the destination (same source region
 * and image): its id, newly allocated, or NULL.  Copies in another state
 * (left by a killed run) are reported, never deleted: this run did not
 * create them. */
int
imgcopy_find_copy(struct ne_glance *dst, const char *source_id, const struct ne_imgcopy_opts *o,
                  char **id)
{
    struct ne_image *l;
    size_t n, i;

    *id = NULL;
    if (glance_images_with(dst, NE_IMGCOPY_SRC_IMAGE, source_id, &l, &n) < 0) return -1;
    for (i = 0; i < n; i++) {
        if (!str_eq(ne_image_prop(&l[i], NE_IMGCOPY_SRC_REGION), o->source_label)) continue;
        if (str_eq(l[i].status, "active")) {
            if (!*id) *id = xstrdup(l[i].id);
        } else {
            ne_warn("image-copy: %s already holds image %s (%s), a copy of %s that is %s (an "
                    "earlier run was interrupted?); it is left alone: delete it with "
                    "'nova-evac api image-delete %s' there", o->dest_label, l[i].id,
                    l[i].name ? l[i].name : "?", source_id, l[i].status, l[i].id);
        }
    }
    for (i = 0; i < n; i++) ne_image_clear(&l[i]);
    free(l);
    return 0;
}

struct progress {
    const struct ne_image *im;
    double t0, last;
};

static void
on_progress(long long done, long long total, void *p)
{
    struct progress *pr = p;
    double t = ne_now();

    if (t - pr->last < 2.0 && done != total) return;
    pr->last = t;
    fprintf(stderr, "image-copy: %s (%s): %lld of %lld MiB (%.0f%%), %.1f MiB/s\n",
            pr->im->name ? pr->im->name : "?", pr->im->id, done >> 20, total >> 20,
            total > 0 ? 100.0 * (double)done / (double)total : 0.0,
            (double)done / 1048576.0 / (t - pr->t0 > 0.001 ? t - pr->t0 : 0.001));
}

/* Deletes the image this run created at the destination (never another). */
void
imgcopy_drop(struct ne_glance *dst, const struct ne_imgcopy_opts *o, const char *id)
{
    if (glance_image_delete(dst, id) == 0)
        ne_info("image-copy: deleted the incomplete copy %s in %s", id, o->dest_label);
    else
        ne_error("image-copy: the incomplete copy %s in %s could not be deleted: delete it with "
                 "'nova-evac api image-delete %s' there", id, o->dest_label, id);
}

/* After the import call: polls the copy until Glance says active (0),
 * or the import failed or took too long (-1, reported). */
static int
wait_import(struct ne_glance *dst, const struct ne_image *im, const struct ne_imgcopy_opts *o,
            const char *id)
{
    unsigned timeout = o->import_timeout ? o->import_timeout : 600;
    double t0 = ne_now();
    struct ne_image c;
    const char *failed;
    int rc;

    for (;;) {
        if ((rc = glance_image_show(dst, id, &c)) != 0) {
            if (rc == 1) ne_error("image-copy: %s (%s): the copy %s vanished from %s during "
                                  "its import", im->name ? im->name : "?", im->id, id,
                                  o->dest_label);
            return -1;
        }
        failed = ne_image_prop(&c, "os_glance_failed_import");
        if (str_eq(c.status, "active")) {
            ne_image_clear(&c);
            return 0;
        }
        if ((failed && *failed) || str_eq(c.status, "killed") || str_eq(c.status, "deleted") ||
            str_eq(c.status, "queued")) {
            ne_error("image-copy: %s (%s): %s's import (glance-direct) of the copy %s failed "
                     "(status %s%s%s): see its glance-api log", im->name ? im->name : "?",
                     im->id, o->dest_label, id, c.status, failed && *failed ? ", failed stores " : "",
                     failed && *failed ? failed : "");
            ne_image_clear(&c);
            return -1;
        }
        ne_image_clear(&c);
        if (ne_now() - t0 > timeout) {
            ne_error("image-copy: %s (%s): %s did not finish importing the copy %s in %u s",
                     im->name ? im->name : "?", im->id, o->dest_label, id, timeout);
            return -1;
        }
        if (ne_sleep_interruptible(1) < 0) return -1;
    }
}

static void
copy_one(struct ne_glance *src, struct ne_glance *dst, const struct ne_image *im,
         const struct ne_imgcopy_opts *o, struct ne_imgcopy_result *r)
{
    struct progress pr = {.im = im, .t0 = ne_now()};
    struct ne_glance_xfer down, up;
    struct ne_image spec, made;
    char *why;

    if (o->rbd_dst) {
        imgcopy_rbd_one(src, dst, im, o, r);
        return;
    }
    r->method = o->glance_direct ? "glance-direct" : "stream";
    imgcopy_spec(im, o, &spec);
    if (glance_image_create(dst, &spec, &r->dest_id) < 0) {
        ne_image_clear(&spec);
        r->error = xasprintf("creating the image in %s failed", o->dest_label);
        return;
    }
    ne_image_clear(&spec);
    ne_info("image-copy: %s (%s): copying %lld bytes to %s as %s", im->name ? im->name : "?",
            im->id, im->size, o->dest_label, r->dest_id);
    if (o->glance_direct) {
        /* image import: the data go to the staging area, then Glance imports them */
        if (glance_copy_stage(src, im, dst, r->dest_id, o->bufsize,
                              o->progress ? on_progress : NULL, &pr, &down, &up) < 0) {
            r->error = xasprintf("the stream from the source to %s's staging area failed",
                                 o->dest_label);
            goto fail;
        }
        if (glance_image_import(dst, r->dest_id, "glance-direct") < 0 ||
            wait_import(dst, im, o, r->dest_id) < 0) {
            r->error = xasprintf("the import (glance-direct) in %s failed", o->dest_label);
            goto fail;
        }
    } else if (glance_copy_stream(src, im, dst, r->dest_id, o->bufsize,
                                  o->progress ? on_progress : NULL, &pr, &down, &up) < 0) {
        r->error = xasprintf("the stream from the source to %s failed", o->dest_label);
        goto fail;
    }
    r->bytes = up.bytes;
    if (glance_image_show(dst, r->dest_id, &made) != 0) {
        r->error = xasprintf("the copy vanished from %s", o->dest_label);
        goto fail;
    }
    snprintf(r->md5, sizeof r->md5, "%s", made.checksum ? made.checksum : "");
    snprintf(r->hash, sizeof r->hash, "%s", made.hash_value ? made.hash_value : "");
    snprintf(r->hash_algo, sizeof r->hash_algo, "%s", made.hash_algo ? made.hash_algo : "");
    why = imgcopy_compare(im, &made);
    ne_image_clear(&made);
    if (why) {
        ne_error("image-copy: %s (%s): the copy %s in %s does not match its source: %s",
                 im->name ? im->name : "?", im->id, r->dest_id, o->dest_label, why);
        r->error = why;
        goto fail;
    }
    if (im->protected_ && glance_image_set_protected(dst, r->dest_id, true) < 0) {
        r->error = xasprintf("the copy could not be protected like its source");
        goto fail;
    }
    r->status = IMGCOPY_COPIED;
    r->seconds = ne_now() - pr.t0;
    return;
fail:
    r->seconds = ne_now() - pr.t0;
    imgcopy_drop(dst, o, r->dest_id);
    free(r->dest_id);
    r->dest_id = NULL;
    r->md5[0] = r->hash[0] = r->hash_algo[0] = '\0';
}

struct work {
    pthread_mutex_t lock;
    size_t next, n;
    const struct ne_image *ims;
    struct ne_imgcopy_result *res;
    const struct ne_imgcopy_opts *o;
};

struct worker {
    struct work *w;
    struct ne_glance *src, *dst;
};

static void *
worker_main(void *p)
{
    struct worker *wk = p;
    struct work *w = wk->w;
    size_t i;

    for (;;) {
        pthread_mutex_lock(&w->lock);
        i = w->next < w->n ? w->next++ : w->n;
        pthread_mutex_unlock(&w->lock);
        if (i == w->n) return NULL;
        if (w->res[i].status != IMGCOPY_FAILED) continue; /* decided before */
        if (ne_interrupted()) {
            w->res[i].error = xstrdup("interrupted before it started");
            continue;
        }
        copy_one(wk->src, wk->dst, &w->ims[i], w->o, &w->res[i]);
    }
}

/* Decides each image before any copy: exists, would-copy, or to copy
 * (left FAILED until copy_one succeeds). */
static int
decide(struct ne_glance *dst, const struct ne_image *ims, size_t n,
       const struct ne_imgcopy_opts *o, struct ne_imgcopy_result *res, size_t *todo)
{
    size_t i;
    char *have;

    *todo = 0;
    for (i = 0; i < n; i++) {
        res[i].source_id = xstrdup(ims[i].id);
        res[i].name = ims[i].name ? xstrdup(ims[i].name) : NULL;
        res[i].bytes = ims[i].size;
        res[i].status = IMGCOPY_FAILED;
        if (imgcopy_find_copy(dst, ims[i].id, o, &have) < 0) return -1;
        if (have && !o->force) {
            ne_info("image-copy: %s (%s) is already in %s as %s: not copied (--force copies "
                    "it again)", ims[i].name ? ims[i].name : "?", ims[i].id, o->dest_label, have);
            res[i].status = IMGCOPY_EXISTS;
            res[i].dest_id = have;
            res[i].bytes = 0;
            continue;
        }
        free(have);
        if (o->dry_run) {
            res[i].status = IMGCOPY_DRY_RUN;
            continue;
        }
        (*todo)++;
    }
    return 0;
}

int
imgcopy_run(struct ne_glance **src, struct ne_glance **dst, size_t nworkers,
            const char *const *ids, size_t n, const struct ne_imgcopy_opts *o,
            struct ne_imgcopy_result **res, enum ne_os_err *kind)
{
    struct ne_image *ims = xcalloc(n ? n : 1, sizeof *ims);
    struct work w = {.n = n, .ims = ims, .o = o};
    struct worker *wk;
    pthread_t *t;
    size_t i, todo, started = 0;
    int rc = -1;

    *res = xcalloc(n ? n : 1, sizeof **res);
    w.res = *res;
    for (i = 0; i < n; i++)
        if (resolve(src[0], o->source_label, ids[i], &ims[i], kind) < 0) goto out;
    for (i = 0; i < n; i++)
        if (ims[i].size < 0) {
            ne_error("image-copy: image %s (%s): Glance does not say its size", ims[i].name,
                     ims[i].id);
            *kind = NE_OS_ECONFLICT;
            goto out;
        }
    if (decide(dst[0], ims, n, o, *res, &todo) < 0) {
        *kind = glance_err(dst[0]);
        goto out;
    }
    if (nworkers > todo) nworkers = todo ? todo : 1;
    wk = xcalloc(nworkers, sizeof *wk);
    t = xcalloc(nworkers, sizeof *t);
    pthread_mutex_init(&w.lock, NULL);
    for (i = 0; i < nworkers && todo; i++) {
        wk[i] = (struct worker){.w = &w, .src = src[i], .dst = dst[i]};
        if (pthread_create(&t[i], NULL, worker_main, &wk[i]) != 0) break;
        started++;
    }
    if (todo && !started) worker_main(&(struct worker){.w = &w, .src = src[0], .dst = dst[0]});
    for (i = 0; i < started; i++) pthread_join(t[i], NULL);
    pthread_mutex_destroy(&w.lock);
    free(wk);
    free(t);
    rc = 0;
out:
    for (i = 0; i < n; i++) ne_image_clear(&ims[i]);
    free(ims);
    if (rc < 0) {
        for (i = 0; i < n; i++) imgcopy_result_clear(&(*res)[i]);
        free(*res);
        *res = NULL;
    }
    return rc;
}
