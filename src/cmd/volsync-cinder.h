/* SPDX-License-Identifier: Apache-2.0 */
/* volsync-cinder.h: volume-sync's Cinder side (front door glue): a Cinder
 * volume id as the source, and the verified copy registered in a region's
 * Cinder (manage existing) with the source's name, type and metadata.
 *
 * The backends are mapped to Ceph in the configuration file:
 *
 *     [cinder:ceph-a]            # the backend name in host@BACKEND#pool
 *     cluster = a                # a [ceph:a] section
 *     pool = volumes
 *     host = cinder-lab@ceph-a#ceph-a   # only for a destination: where to manage */
#ifndef NE_VOLSYNC_CINDER_H
#define NE_VOLSYNC_CINDER_H

#include <stdbool.h>

struct ne_args;
struct ne_config;
struct ne_volsync_cinder;
struct ne_volsync_opts;

/* True when text is a volume id (a UUID), not CLUSTER/POOL/IMAGE. */
bool ne_vsc_is_volume_id(const char *text);
/* Opens the Cinder of the cloud (and of --to-region, when given).  With
 * src_id: reads the volume and writes "CLUSTER/POOL/volume-ID" to *src_text
 * (newly allocated).  NULL after reporting; *rc is the exit status then. */
struct ne_volsync_cinder *ne_vsc_open(const struct ne_args *a, const struct ne_config *cfg,
                                      const char *src_id, char **src_text, int *rc);
/* The cut-over of an attached source volume: with detach (--detach), Nova
 * detaches it from its servers before the last round (o->before_final);
 * without, the in-use refusal names --detach (o->stop_hint).  -1 after
 * reporting when detach is asked and the source is not a volume id. */
int ne_vsc_cutover(struct ne_volsync_cinder *c, bool detach, struct ne_volsync_opts *o);
/* With --to-region: the Cinder host that manages DST's cluster and pool,
 * and the copy's volume type known to that Cinder; 0, or -1 after
 * reporting (no [cinder:...] section for it, an unknown type). */
int ne_vsc_check_dst(struct ne_volsync_cinder *c, const char *cluster, const char *pool);
/* After a verified copy: registers dst_image in the destination region's
 * Cinder.  0 (or nothing to do without --to-region), -1 after reporting. */
int ne_vsc_register(struct ne_volsync_cinder *c, const char *dst_image, bool json);
/* The destination image name when DST names none and SRC was a volume id:
 * "migrated-volume-ID" (a Cinder refuses to manage an image named like one
 * of its volumes; it renames the image to its new volume's name anyway),
 * or NULL (then the source image's name). */
const char *ne_vsc_default_image(const struct ne_volsync_cinder *c);
void ne_vsc_close(struct ne_volsync_cinder *c);

#endif
