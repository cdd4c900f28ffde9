/* SPDX-License-Identifier: Apache-2.0 */
/* imagesrc.h: the optional Nova and Glance inputs of image-cache.h.
 *
 * From the databases (novadb.h): an instance's image_ref, image ids by
 * SHA-1 (Nova's instances and Glance's images, deleted ones included),
 * Glance's status and formats (deleted and purged images told apart from
 * never-known ones).  From the APIs (keystone.h, nova.h, glance.h): the
 * server's image, Glance's image list by SHA-1, image show, and the
 * verified download (MD5 checksum and os_hash) that stages from Glance.
 * The API session is not thread-safe: every call holds a lock. */
#ifndef NE_IMAGESRC_H
#define NE_IMAGESRC_H

#include "openstack/glance.h"
#include "images/image-cache.h"
#include "openstack/nova.h"
#include "novadb/novadb.h"

/* db is borrowed; glance: its {glance} schema is set (novadb_set_schema),
 * else ids come from Nova's instances only and there are no facts.  Free
 * with ne_imgsrc_free. */
void ne_imgsrc_db(struct ne_db *db, bool glance, struct ne_image_source *out);
/* os is borrowed; nv may be NULL (no server lookups); g may be NULL. */
void ne_imgsrc_api(struct ne_os *os, struct ne_nova *nv, struct ne_glance *g,
                   struct ne_image_source *out);
void ne_imgsrc_free(struct ne_image_source *s);

/* What Nova kept of an instance's image (its system metadata image_*
 * rows, prefix included): *keys and *vals (n of them, newly allocated;
 * free each and the arrays).  0 (n is 0 when Nova kept nothing), or -1
 * (reported). */
int ne_imgsrc_image_meta(struct ne_db *db, const char *uuid, char ***keys, char ***vals,
                         size_t *n);

#endif
