/* SPDX-License-Identifier: Apache-2.0 */
/* cinder.h: the Block Storage v3 API (Cinder): read a volume, and register
 * an RBD image that already exists as a new volume (manage existing).
 *
 * cinderjson.c holds the pure parts (reply parser, request body), unit-tested
 * in tests/unit/cinderjson-t.c; cinder.c sends the requests. */
#ifndef NE_CINDER_H
#define NE_CINDER_H

#include <stddef.h>

#include "openstack/keystone.h"

struct ne_volume {
    char *id, *name, *status, *volume_type, *host; /* host: os-vol-host-attr:host, if admin */
    char *description;
    long long size_gb;
    char **meta_keys, **meta_vals; /* string metadata */
    size_t nmeta;
    char **servers;                /* server ids of its attachments */
    size_t nservers;
};

/* Parses {"volume": {...}}.  0, or -1 after reporting "WHAT: ..." (a reply
 * that is not JSON, no volume object, no id). */
int cinder_parse_volume(const char *buf, size_t len, const char *what, struct ne_volume *out);
void cinder_volume_clear(struct ne_volume *v);
/* The os-volume-manage request body: the image ref (source-name) on host
 * (host@backend#pool), with v's name, description, volume type and metadata.
 * Newly allocated JSON text. */
char *cinder_manage_body(const struct ne_volume *v, const char *host, const char *source_name);
/* Parses {"volume_types": [...]}: 1 when a type is named or has the id
 * `type`, 0 when none does (then *names, if given, gets the types' names,
 * comma-separated, newly allocated), -1 after reporting "WHAT: ...". */
int cinder_types_find(const char *buf, size_t len, const char *what, const char *type,
                      char **names);
/* "host@backend#pool" -> "backend" in buf; NULL when host has no '@'. */
const char *cinder_host_backend(const char *host, char *buf, size_t n);

struct ne_cinder;
/* The volumev3 endpoint of os's catalog (region of os), or NULL with *kind
 * NE_OS_ECONFIG and a message naming the region. */
struct ne_cinder *cinder_open(struct ne_os *os, const char *region_label, enum ne_os_err *kind);
void cinder_close(struct ne_cinder *c);
enum ne_os_err cinder_err(const struct ne_cinder *c);
/* GET /volumes/ID: 0, 1 when there is no such volume (reported), -1. */
int cinder_volume_show(struct ne_cinder *c, const char *id, struct ne_volume *out);
/* GET /types (all of them, public or not, as an admin sees them): 1 when
 * `type` (a name or an id) is one of them, 0 when not (*names: the ones there
 * are), -1 after reporting. */
int cinder_type_exists(struct ne_cinder *c, const char *type, char **names);
/* POST /os-volume-manage, then waits up to timeout_s seconds until the new
 * volume leaves "creating".  0 with out filled (status available), -1 after
 * reporting (the new volume's id and status named when there is one). */
int cinder_volume_manage(struct ne_cinder *c, const struct ne_volume *like, const char *host,
                         const char *source_name, int timeout_s, struct ne_volume *out);
/* Detaches volume from server through Nova (DELETE
 * /servers/SERVER/os-volume_attachments/VOLUME: the hypervisor unplugs the
 * disk, then Nova tells Cinder), then waits up to timeout_s seconds until
 * Cinder says the volume is available.  0, or -1 after reporting (the
 * server, the volume and its status named). */
int cinder_detach_via_nova(struct ne_cinder *c, const char *server, const char *volume,
                           int timeout_s);

#endif
