/* SPDX-License-Identifier: Apache-2.0 */
/* glance.h: the Glance (image API v2) adapter.
 *
 * Image show tells a gone image (404: deleted, or never there) apart from
 * a failure; downloads stream to a sink and are verified on the fly
 * against the image's size, checksum (MD5) and os_hash_value; uploads
 * compute the same while sending and compare with what Glance recorded.
 * The image struct and its parser live in osjson.h.  Failures are
 * reported once ("glance: download image NAME (ID): why") and return -1;
 * glance_err() gives the kind. */
#ifndef NE_GLANCE_H
#define NE_GLANCE_H

#include <stdbool.h>

#include "openstack/http.h"
#include "openstack/keystone.h"
#include "openstack/osjson.h"
#include "util/digest.h"

struct ne_glance;

/* NULL after reporting (*kind says why); os is borrowed. */
struct ne_glance *glance_open(struct ne_os *os, enum ne_os_err *kind);
void glance_close(struct ne_glance *g);
enum ne_os_err glance_err(const struct ne_glance *g);

/* 0 and *out (ne_image_clear) when the image exists; 1 when Glance says
 * 404 (deleted or unknown: not reported); -1 on error. */
int glance_image_show(struct ne_glance *g, const char *id, struct ne_image *out);

/* What a transfer moved and computed. */
struct ne_glance_xfer {
    long long bytes;
    char md5[33];
    char hash[DIGEST_HEX_MAX];   /* with the image's os_hash_algo (sha512 by default) */
    char hash_algo[16];
    bool md5_checked, hash_checked; /* compared with Glance's values */
    double seconds;
};

/* Streams the data of im (as glance_image_show returned it; must be
 * active) to sink.  -1 (reported) on a transfer failure or a size, MD5 or
 * os_hash mismatch: whatever the sink received must then be thrown away. */
int glance_image_download(struct ne_glance *g, const struct ne_image *im, ne_http_sink sink,
                          void *opaque, struct ne_glance_xfer *res);

/* The same without digests: res->bytes only, nothing verified.  The
 * caller hashes the bytes the sink received (off the network thread: see
 * glance_copy_stream), fills res's md5, hash and hash_algo, and calls
 * glance_verify_download, which checks size, MD5 and os_hash against im
 * (-1 reported on a mismatch). */
int glance_image_download_unhashed(struct ne_glance *g, const struct ne_image *im,
                                   ne_http_sink sink, void *opaque, struct ne_glance_xfer *res);
int glance_verify_download(struct ne_glance *g, const struct ne_image *im,
                           struct ne_glance_xfer *res);

/* POST /v2/images: a new queued image with spec's name, disk and container
 * formats, visibility, min_disk/min_ram, id when set, and its custom
 * properties.  *id newly allocated. */
int glance_image_create(struct ne_glance *g, const struct ne_image *spec, char **id);

/* PUT /v2/images/{id}/file from source (size bytes, -1 unknown), then
 * reads the image back and checks status active, size, checksum and
 * os_hash_value against what was sent.  rewind may be NULL (no replay
 * after a 401 then). */
int glance_image_upload(struct ne_glance *g, const char *id, ne_http_source source,
                        int (*rewind)(void *opaque), void *opaque, long long size,
                        struct ne_glance_xfer *res);

/* The same, chunked and without a replay, computing no digest: Glance's
 * record is checked against known, the digests another transfer computed
 * over the same bytes (read only after source has returned 0: the
 * download that feeds this upload, see glance_copy_stream). */
int glance_image_upload_known(struct ne_glance *g, const char *id, ne_http_source source,
                              void *opaque, const struct ne_glance_xfer *known,
                              struct ne_glance_xfer *res);

/* PUT /v2/images/{id}/stage (image import's first step), chunked, no
 * replay, no digest computed (known: another transfer's over the same
 * bytes, copied into res).  The image is then "uploading": nothing to
 * check until the import made it active. */
int glance_image_stage_known(struct ne_glance *g, const char *id, ne_http_source source,
                             void *opaque, const struct ne_glance_xfer *known,
                             struct ne_glance_xfer *res);

/* POST /v2/images/{id}/import with method ("glance-direct"): 202 accepted;
 * Glance then imports in the background (the caller polls the image). */
int glance_image_import(struct ne_glance *g, const char *id, const char *method);

/* DELETE /v2/images/{id}; an image already gone is fine. */
int glance_image_delete(struct ne_glance *g, const char *id);

/* The images (any status but deleted) whose property key is value, at
 * most 100: *out (n; clear each, free the array).  -1 reported. */
int glance_images_with(struct ne_glance *g, const char *key, const char *value,
                       struct ne_image **out, size_t *n);

/* GET /v2/info/import: the import methods offered (NULL-terminated, newly
 * allocated; empty for a Glance without image import).  -1 reported. */
int glance_import_methods(struct ne_glance *g, char ***methods);

/* The image's first rbd:// location (shown when its Glance sets
 * show_multiple_locations or show_image_direct_url): 0 and *url (newly
 * allocated, NULL when none is shown); -1 reported. */
int glance_image_rbd_location(struct ne_glance *g, const char *id, char **url);
/* Adds location url to the queued image id (PATCH /locations/-) with v's
 * md5, hash_algo and hash as its validation data: Glance makes the image
 * active with them, without reading the data (the caller verified it).
 * Needs show_multiple_locations at that Glance.  0 or -1 (reported). */
int glance_image_add_location(struct ne_glance *g, const char *id, const char *url,
                              const struct ne_glance_xfer *v);

/* PATCH protected to on (a protected image cannot be deleted). */
int glance_image_set_protected(struct ne_glance *g, const char *id, bool on);

/* ---- copy (glancecopy.c) */

/* Progress of a copy, called from the uploading thread. */
typedef void (*ne_glance_progress)(long long done, long long total, void *opaque);

/* Streams the data of im (active, in src) into the queued image dst_id of
 * dst: a download (in a thread of its own) joined to an upload by a
 * bounded buffer (bufsize bytes; 0 = 1 MiB), so memory does not grow with
 * the image.  src and dst must be glance handles on two different
 * sessions (ne_os_request serialises a session's requests).  The upload
 * is chunked and ends only after the download was verified against im's
 * size, checksum and os_hash: a broken or wrong source stream aborts the
 * upload.  *down and *up: what each side computed and verified.  0 or -1
 * (reported; the destination image may then hold partial data or none:
 * the caller deletes it). */
int glance_copy_stream(struct ne_glance *src, const struct ne_image *im, struct ne_glance *dst,
                       const char *dst_id, size_t bufsize, ne_glance_progress progress,
                       void *opaque, struct ne_glance_xfer *down, struct ne_glance_xfer *up);
/* The same into the image's staging area (PUT .../stage) for an import
 * (glance-direct): the caller then calls glance_image_import and waits. */
int glance_copy_stage(struct ne_glance *src, const struct ne_image *im, struct ne_glance *dst,
                      const char *dst_id, size_t bufsize, ne_glance_progress progress,
                      void *opaque, struct ne_glance_xfer *down, struct ne_glance_xfer *up);

/* Fills sink with an image's data (from anywhere: a file on a host),
 * returning 0 once all was given, -1 on a failure (reported) or when sink
 * returned -1. */
typedef int (*ne_glance_producer)(ne_http_sink sink, void *sink_opaque, void *opaque);

/* Uploads into the queued image dst_id of dst the size bytes produce
 * gives (in a thread of its own), through the same bounded buffer, hashed
 * by a thread behind the producer, sent chunked, and checked against what
 * Glance records and against size (bytes sent).
 * A producer that fails aborts the upload: Glance never marks the image
 * active.  0 or -1 (reported; the caller deletes the image). */
int glance_upload_produced(struct ne_glance *dst, const char *dst_id, long long size,
                           ne_glance_producer produce, void *popaque, size_t bufsize,
                           ne_glance_progress progress, void *opaque, struct ne_glance_xfer *up);

#endif
