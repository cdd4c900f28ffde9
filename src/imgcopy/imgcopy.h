/* SPDX-License-Identifier: Apache-2.0 */
/* imgcopy.h: copy Glance images to another region or cloud (image-copy).
 *
 * Pure part (imgcopy-spec.c, unit-tested): the destination image made
 * from a source image (formats, min_disk, min_ram, tags, every property
 * but the ones Glance owns, plus nova_evac_source_region and
 * nova_evac_source_image), the comparison of a copy with its source, and
 * the JSON of a result.
 *
 * The run (imgcopy.c): every image is resolved first (an unknown or
 * inactive one refuses the whole run before anything is created); an
 * active image already at the destination with the same source is
 * reported, not copied, unless force; each copy streams through
 * glance_copy_stream, is compared with its source, and is deleted at the
 * destination when anything fails (only the image this run created).
 * Several images run on a bounded number of workers, each with its own
 * pair of Glance sessions. */
#ifndef NE_IMGCOPY_H
#define NE_IMGCOPY_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "novasync/novasync.h"
#include "openstack/glance.h"
#include "virt/virt.h"

struct ne_rbd;

#define NE_IMGCOPY_SRC_REGION "nova_evac_source_region"
#define NE_IMGCOPY_SRC_IMAGE "nova_evac_source_image"
#define NE_IMGCOPY_SRC_BASE "nova_evac_source_base"   /* images --to-glance: host:path */

struct ne_imgcopy_opts {
    const char *source_label; /* the source region (or cloud), for the property */
    const char *dest_label;   /* for messages: "region RegionTwo", "cloud other" */
    const char *name;         /* new name (one image only), NULL = the source's */
    const char *visibility;   /* NULL = the source's */
    const char *owner;        /* NULL = the destination session's project */
    bool force, dry_run;
    size_t bufsize;           /* the ring between download and upload, 0 = 1 MiB */
    bool progress;            /* progress lines on stderr */
    bool glance_direct;       /* image import (stage, then glance-direct) instead of a PUT */
    unsigned import_timeout;  /* seconds the import may take once staged (0 = 600) */
    /* --rbd-from/--rbd-to: the data go cluster to cluster (imgcopy-rbd.c) */
    struct ne_rbd *rbd_src, *rbd_dst; /* both set, or neither */
    const char *rbd_src_name, *rbd_dst_name, *rbd_dst_pool;
};

enum ne_imgcopy_status { IMGCOPY_COPIED, IMGCOPY_EXISTS, IMGCOPY_DRY_RUN, IMGCOPY_FAILED };

struct ne_imgcopy_result {
    char *source_id, *name;
    char *dest_id;              /* the copy, or the existing one; NULL if none */
    enum ne_imgcopy_status status;
    long long bytes;
    double seconds;
    const char *method;         /* "stream" or "glance-direct" */
    char md5[33], hash[DIGEST_HEX_MAX], hash_algo[16];
    char *error;                /* why it failed, NULL otherwise */
    /* images --to-glance only (NULL otherwise) */
    char *base;                 /* host:path of the base file */
    const char *props_from;     /* "glance", "nova system metadata" */
    char *note;                 /* e.g. the format Nova converted the base to */
};

/* Glance-owned members and prefixes that are never copied as properties
 * (NULL-terminated; the man page lists them). */
extern const char *const ne_imgcopy_glance_owned[];
bool imgcopy_prop_owned(const char *key);

/* The image to create at the destination for src: *out (ne_image_clear
 * it).  protected is left false: it is set once the copy is verified (a
 * protected image could not be deleted after a failure). */
void imgcopy_spec(const struct ne_image *src, const struct ne_imgcopy_opts *o,
                  struct ne_image *out);

/* Compares the destination's record with the source's: size, checksum,
 * os_hash (when both use the same algorithm).  NULL when they agree, else
 * a newly allocated reason. */
char *imgcopy_compare(const struct ne_image *src, const struct ne_image *dst);

/* JSON of one result. */
json_t *imgcopy_result_json(const struct ne_imgcopy_result *r);
void imgcopy_result_clear(struct ne_imgcopy_result *r);
const char *imgcopy_status_name(enum ne_imgcopy_status s);

/* Copies the n images named in ids (id or unique name) from src[0] to
 * dst[0] with nworkers workers (src[i], dst[i]: worker i's sessions).
 * Returns 0 when every image resolved, *res (n results, caller clears and
 * frees); -1 (reported, nothing changed) when one did not: *kind says why. */
int imgcopy_run(struct ne_glance **src, struct ne_glance **dst, size_t nworkers,
                const char *const *ids, size_t n, const struct ne_imgcopy_opts *o,
                struct ne_imgcopy_result **res, enum ne_os_err *kind);

/* --snapshot-of: a snapshot of server (uuid) named name (NULL: "<server
 * name>-snapshot-<UTC time>"), made by Nova's createImage through ns (the
 * audited, locked path: it changes the server's task state and creates an
 * image), then waited for (timeout seconds) until active in g.  0 and
 * *image_id (newly allocated), or -1 reported (*kind). */
int imgcopy_snapshot(struct ne_novasync *ns, struct ne_nova *nv, struct ne_glance *g,
                     const char *server, const char *name, unsigned timeout, bool progress,
                     char **image_id, enum ne_os_err *kind);

/* ---- images HOST --to-glance REGION (imgcopy-base.c) */

/* One base file (Nova's <instances_path>/_base/<sha1 of the image id>) to
 * become a Glance image again. */
struct ne_imgcopy_base {
    const char *image_id;       /* the image it was made from */
    struct ne_virt *v;          /* the host holding it (its libvirt) */
    const char *path;
    long long length;           /* the file's length */
    const char *format;         /* as libvirt probes it ("raw", "qcow2"...) */
    const char *const *uuids;   /* the instances using it */
    size_t nuuids;
};

/* What Nova kept of an instance's image (system metadata image_* rows):
 * 0 and keys/vals (n, freed by the caller), -1 reported. */
typedef int (*ne_imgcopy_meta_fn)(void *ctx, const char *uuid, char ***keys, char ***vals,
                                  size_t *n);

/* The image Nova's system metadata image_* describes (image_disk_format,
 * image_container_format, image_min_disk, image_min_ram become those
 * members, image_base_image_ref is dropped, every other image_<key> the
 * property <key>), with id image_id: *out (ne_image_clear it). */
void imgcopy_image_from_meta(const char *const *keys, const char *const *vals, size_t n,
                             const char *image_id, struct ne_image *out);

/* Gives each base back to Glance dst: the properties of its image in src
 * (any status Glance still shows; src may be NULL), else the system
 * metadata of the first instance using it that Nova kept something for
 * (meta may be NULL); none of them: that base fails (its properties are
 * unknown, and an image without them may not boot).  The data stream from
 * the host through libvirt into the upload (bounded buffer), hashed while
 * sent and checked against Glance's record, and against the original's
 * checksum when the base is the image's data as it was (same format and
 * size).  An active copy already there with the same source image is
 * reported, not copied again (unless o->force); a failure deletes the
 * image it made.  res: n results (caller clears). */
void imgcopy_bases(struct ne_glance *src, struct ne_glance *dst, ne_imgcopy_meta_fn meta,
                   void *meta_ctx, const char *host, const struct ne_imgcopy_base *b, size_t n,
                   const struct ne_imgcopy_opts *o, struct ne_imgcopy_result *res);

/* An active copy of the image source_id (from o->source_label) already in
 * dst: 0 and *id (newly allocated) or NULL; -1 reported. */
int imgcopy_find_copy(struct ne_glance *dst, const char *source_id,
                      const struct ne_imgcopy_opts *o, char **id);

/* ---- between RBD stores (imgcopy-rbd.c) */

/* rbd://FSID/POOL/IMAGE/SNAP (Glance's rbd locations): 0 and the four
 * parts, newly allocated; -1 (nothing allocated) for anything else. */
int imgcopy_rbd_url_parse(const char *url, char **fsid, char **pool, char **image, char **snap);

/* Copies im with o->rbd_src/rbd_dst: its rbd:// location at the source
 * (its cluster must be o->rbd_src's), a queued image at dst, the RBD
 * image named by its id in o->rbd_dst_pool (data extents only, holes
 * stay holes), read back and hashed against im's checksum and os_hash,
 * snapshot "snap" protected, then the location added with those digests
 * (Glance makes it active).  A failure removes what it made (the RBD
 * image, then the Glance image).  r: as copy_one's. */
void imgcopy_rbd_one(struct ne_glance *src, struct ne_glance *dst, const struct ne_image *im,
                     const struct ne_imgcopy_opts *o, struct ne_imgcopy_result *r);

/* Deletes the image id this run created at the destination, reporting. */
void imgcopy_drop(struct ne_glance *dst, const struct ne_imgcopy_opts *o, const char *id);

#endif
