/* SPDX-License-Identifier: Apache-2.0 */
/* imgcopy-snap.c: --snapshot-of: a Nova snapshot (createImage) of a
 * server, made through the audited Nova path, waited for until Glance
 * says it is active (imgcopy.h). */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "imgcopy/imgcopy.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/mem.h"

/* Polls Glance until the snapshot is active; 0, or -1 reported. */
static int
wait_active(struct ne_glance *g, const char *server, const char *id, unsigned timeout,
            bool progress, enum ne_os_err *kind)
{
    double t0 = ne_now(), last = 0;
    struct ne_image im;
    int rc;

    for (;;) {
        rc = glance_image_show(g, id, &im);
        if (rc < 0) {
            *kind = glance_err(g);
            return -1;
        }
        if (rc == 1 || str_eq(im.status, "killed") || str_eq(im.status, "deleted")) {
            ne_error("image-copy: the snapshot %s of instance %s %s: see nova-compute's log on "
                     "the instance's host", id, server,
                     rc == 1 ? "is gone from Glance" : "was killed");
            if (rc == 0) ne_image_clear(&im);
            *kind = NE_OS_ECONFLICT;
            return -1;
        }
        if (str_eq(im.status, "active")) {
            ne_info("image-copy: snapshot %s of instance %s active after %.0f s (%lld bytes)", id,
                    server, ne_now() - t0, im.size);
            ne_image_clear(&im);
            return 0;
        }
        if (progress && ne_now() - last >= 5) {
            fprintf(stderr, "image-copy: snapshot %s of instance %s: %s, %.0f s\n", id, server,
                    im.status, ne_now() - t0);
            last = ne_now();
        }
        ne_image_clear(&im);
        if (ne_now() - t0 > timeout) {
            ne_error("image-copy: the snapshot %s of instance %s is not active after %u s; it is "
                     "left as it is: check it with 'nova-evac api image-show %s'", id, server,
                     timeout, id);
            *kind = NE_OS_EUNREACHABLE;
            return -1;
        }
        if (ne_sleep_interruptible(2) < 0) {
            ne_error("image-copy: interrupted while waiting for the snapshot %s of instance %s; "
                     "Nova goes on making it", id, server);
            *kind = NE_OS_ECONFLICT;
            return -1;
        }
    }
}

int
imgcopy_snapshot(struct ne_novasync *ns, struct ne_nova *nv, struct ne_glance *g,
                 const char *server, const char *name, unsigned timeout, bool progress,
                 char **image_id, enum ne_os_err *kind)
{
    struct ne_server s;
    CLEANUP_FREE char *made = NULL;
    const char *md[] = {"nova_evac_snapshot_of", server, NULL};
    struct ne_server_call c = {.action = NE_ACT_CREATE_IMAGE, .image_metadata = md,
                               .image_id = image_id};
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    int rc = nova_server_show(nv, server, &s);

    *image_id = NULL;
    if (rc != 0) {
        if (rc == 1)
            ne_error("image-copy: --snapshot-of %s: no such instance in Nova (give its uuid; see "
                     "'nova-evac servers HOST')", server);
        *kind = rc == 1 ? NE_OS_ENOTFOUND : nova_err(nv);
        return -1;
    }
    if (s.task_state && *s.task_state) {
        ne_error("image-copy: --snapshot-of %s (%s): Nova is busy with it (task %s); try again "
                 "once the task is done", s.name ? s.name : "?", s.id, s.task_state);
        ne_server_clear(&s);
        *kind = NE_OS_ECONFLICT;
        return -1;
    }
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    made = name ? xstrdup(name) : xasprintf("%s-snapshot-%s", s.name ? s.name : s.id, stamp);
    c.server = s.id;
    c.image_name = made;
    ne_info("image-copy: snapshot of instance %s (%s) as \"%s\"", s.name ? s.name : "?", s.id,
            made);
    rc = novasync_server_action(ns, nv, &c);
    if (rc < 0) {
        *kind = novasync_call_err(ns) == NE_OS_OK ? NE_OS_ECONFLICT : novasync_call_err(ns);
        ne_server_clear(&s);
        return -1;
    }
    rc = wait_active(g, s.id, *image_id, timeout, progress, kind);
    ne_server_clear(&s);
    return rc;
}
