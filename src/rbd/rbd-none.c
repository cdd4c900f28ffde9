/* SPDX-License-Identifier: Apache-2.0 */
/* rbd-none.c: the RBD adapter of a build without librbd/librados (see
 * rbd.h): connecting reports how to get RBD support; nothing else can be
 * reached without a connection, so the rest only fails. */
#include <config.h>

#include <stdlib.h>

#include "rbd/rbd.h"
#include "util/log.h"
#include "util/mem.h"

bool
ne_rbd_built(void)
{
    return false;
}

struct ne_rbd *
ne_rbd_connect(const struct ne_rbd_conn *c)
{
    ne_error("ceph cluster %s: this nova-evac was built without librbd; install librbd-dev and "
             "librados-dev and configure --with-rbd",
             c->name);
    return NULL;
}

void ne_rbd_disconnect(struct ne_rbd *r) { (void)r; }
const char *ne_rbd_name(const struct ne_rbd *r) { (void)r; return "?"; }
int ne_rbd_exists(struct ne_rbd *r, const char *p, const char *i) { (void)r, (void)p, (void)i; return -1; }
int
ne_rbd_create(struct ne_rbd *r, const char *p, const char *i, uint64_t s, int o, uint64_t f)
{
    (void)r, (void)p, (void)i, (void)s, (void)o, (void)f;
    return -1;
}
int ne_rbd_remove(struct ne_rbd *r, const char *p, const char *i) { (void)r, (void)p, (void)i; return -1; }
struct ne_rbd_img *
ne_rbd_open(struct ne_rbd *r, const char *p, const char *i, const char *s, bool ro)
{
    (void)r, (void)p, (void)i, (void)s, (void)ro;
    return NULL;
}
void ne_rbd_close(struct ne_rbd_img *im) { (void)im; }
const char *ne_rbd_img_name(const struct ne_rbd_img *im) { (void)im; return "?"; }
int ne_rbd_stat(struct ne_rbd_img *im, struct ne_rbd_info *o) { (void)im, (void)o; return -1; }
int ne_rbd_resize(struct ne_rbd_img *im, uint64_t s) { (void)im, (void)s; return -1; }
int ne_rbd_watchers(struct ne_rbd_img *im) { (void)im; return -1; }
int ne_rbd_snap_create(struct ne_rbd_img *im, const char *s) { (void)im, (void)s; return -1; }
int ne_rbd_snap_remove(struct ne_rbd_img *im, const char *s) { (void)im, (void)s; return -1; }
int ne_rbd_snap_protect(struct ne_rbd_img *im, const char *s, bool p) { (void)im, (void)s, (void)p; return -1; }
int ne_rbd_snap_rollback(struct ne_rbd_img *im, const char *s) { (void)im, (void)s; return -1; }
int
ne_rbd_snap_list(struct ne_rbd_img *im, char ***names, size_t *n)
{
    (void)im;
    *names = NULL, *n = 0;
    return -1;
}
void
ne_rbd_names_free(char **names, size_t n)
{
    for (size_t i = 0; names && i < n; i++) free(names[i]);
    free(names);
}
int ne_rbd_snap_set(struct ne_rbd_img *im, const char *s) { (void)im, (void)s; return -1; }
int ne_rbd_diff(struct ne_rbd_img *im, const char *f, struct ne_extents *o) { (void)im, (void)f, (void)o; return -1; }
int
ne_rbd_copy(struct ne_rbd_img *s, struct ne_rbd_img *d, const struct ne_extents *e,
            const struct ne_rbd_copy_opt *o, struct ne_rbd_copy_stat *st)
{
    (void)s, (void)d, (void)e, (void)o, (void)st;
    return -1;
}
int
ne_rbd_checksums(struct ne_rbd_img *im, const struct ne_extents *e, uint64_t c, uint64_t **s,
                 size_t *n, ne_copy_progress p, void *o)
{
    (void)im, (void)e, (void)c, (void)p, (void)o;
    *s = NULL, *n = 0;
    return -1;
}
int ne_rbd_features(struct ne_rbd_img *im, uint64_t *f) { (void)im, (void)f; return -1; }
int ne_rbd_update_features(struct ne_rbd_img *im, uint64_t f, bool e) { (void)im, (void)f, (void)e; return -1; }
char *ne_rbd_features_str(uint64_t f) { (void)f; return xstrdup(""); }
uint64_t ne_rbd_feature_bit(const char *n) { (void)n; return 0; }
int ne_rbd_mirror_enable(struct ne_rbd_img *im, bool s) { (void)im, (void)s; return -1; }
int ne_rbd_mirror_disable(struct ne_rbd_img *im, bool f) { (void)im, (void)f; return -1; }
int ne_rbd_mirror_status(struct ne_rbd_img *im, struct ne_rbd_mirror_status *s) { (void)im, (void)s; return -1; }
int ne_rbd_mirror_demote(struct ne_rbd_img *im) { (void)im; return -1; }
int ne_rbd_mirror_promote(struct ne_rbd_img *im, bool f) { (void)im, (void)f; return -1; }
int ne_rbd_rebuild_object_map(struct ne_rbd_img *im) { (void)im; return -1; }
int
ne_rbd_mirror_pool_info(struct ne_rbd *r, const char *p, struct ne_rbd_mirror_pool *o)
{
    (void)r, (void)p, (void)o;
    return -1;
}
int ne_rbd_mirror_daemons(struct ne_rbd *r, const char *p, unsigned t) { (void)r, (void)p, (void)t; return -1; }
int ne_rbd_fsid(struct ne_rbd *r, char *b, size_t l) { (void)r, (void)b, (void)l; return -1; }
int
ne_rbd_read_stream(struct ne_rbd_img *im, uint64_t s, size_t c,
                   int (*fn)(const void *data, size_t len, void *opaque), void *o)
{
    (void)im, (void)s, (void)c, (void)fn, (void)o;
    return -1;
}
