/* SPDX-License-Identifier: Apache-2.0 */
/* osjson.h: pure parsers for OpenStack replies (Keystone tokens and
 * catalogs, version documents, error bodies, Glance images).
 *
 * Every parser takes a buffer and its length (no NUL needed, any content)
 * and never trusts it: malformed, truncated or unexpected JSON is reported
 * once as "<what>: ..." and the parser returns -1 with *out left empty
 * (safe to clear).  No I/O: unit-tested and fuzzed (tests/fuzz). */
#ifndef NE_OSJSON_H
#define NE_OSJSON_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>

/* ---- jansson helpers (used by novajson.c too) */

/* Parses len bytes; returns a new reference to an object, or NULL after
 * reporting "<what>: invalid JSON reply (line L, column C: why)" or
 * "<what>: unexpected reply: not a JSON object". */
json_t *osj_load(const char *buf, size_t len, const char *what);
/* Borrowed string member, NULL when absent, null or not a string. */
const char *osj_str(const json_t *obj, const char *key);
/* Newly allocated copy of a string member (numbers are printed), or NULL. */
char *osj_dup(const json_t *obj, const char *key);
/* Integer member; def when absent or not an integer. */
long long osj_int(const json_t *obj, const char *key, long long def);
bool osj_bool(const json_t *obj, const char *key, bool def);
/* Is there a link with rel "next" in the array member key (paging)? */
bool osj_has_next(const json_t *obj, const char *key);

/* ---- time */

/* ISO 8601 as Keystone/Nova write it ("2026-11-22T10:00:00.000000Z",
 * "...+00:00", or no zone = UTC) into seconds since the epoch; -1 on junk. */
int os_parse_time(const char *s, time_t *out);

/* ---- microversions ("2.25"); 0.0 = none */
struct ne_mv {
    int major, minor;
};
int os_mv_parse(const char *s, struct ne_mv *out);
int os_mv_cmp(struct ne_mv a, struct ne_mv b);

/* Version document of a service root ({"version": {...}} or
 * {"versions": [...]}, the CURRENT one): its min and max microversion,
 * 0.0 when it has none (an old cloud).  -1 (reported) on junk. */
int os_parse_version(const char *buf, size_t len, const char *what, struct ne_mv *min,
                     struct ne_mv *max);

/* ---- Keystone */

struct ne_endpoint {
    char *type, *name, *interface, *region, *url;
};

struct ne_token_info {
    char *user_id, *user_name, *user_domain;
    char *project_id, *project_name; /* NULL unless project-scoped */
    char *domain_name;               /* domain scope */
    bool system_scope;
    time_t issued_at, expires_at;
    char **roles;
    size_t nroles;
    struct ne_endpoint *eps;
    size_t neps, capeps;
};

/* The body of POST /v3/auth/tokens.  Needs token.expires_at and
 * token.issued_at; the catalog may be empty (unscoped). */
int os_parse_token(const char *buf, size_t len, const char *what, struct ne_token_info *out);
void os_token_info_clear(struct ne_token_info *t);

/* The endpoint URL (borrowed from t) of the first catalog entry whose type
 * is type (or an official alias: "compute" also matches "computev21",
 * "block-storage" matches "volumev3"), whose interface is interface
 * ("public", "internal", "admin"; "publicURL" style accepted) and, when
 * region is not NULL, whose region is region.  NULL when none. */
const char *os_catalog_find(const struct ne_token_info *t, const char *type,
                            const char *interface, const char *region);
/* What the catalog offers, for error messages: "compute (public,
 * internal @RegionOne), image (...)".  Newly allocated. */
char *os_catalog_summary(const struct ne_token_info *t);

/* ---- errors */

/* One printable line saying what an error reply means, whatever the
 * service: Nova {"conflictingRequest": {"message": ...}}, Keystone
 * {"error": {"title", "message"}}, Placement {"errors": [{"title",
 * "detail"}]}, Neutron {"NeutronError": ...}, Glance HTML or text; at most
 * about 300 characters.  Empty string for an empty body.  Newly allocated. */
char *os_error_text(const char *buf, size_t len);

/* ---- Glance */

struct ne_image {
    char *id, *name, *status;         /* status: queued saving active killed deleted ... */
    char *checksum;                   /* MD5 hex, may be NULL */
    char *hash_algo, *hash_value;     /* os_hash_algo / os_hash_value, may be NULL */
    long long size;                   /* -1 unknown */
    long long virtual_size;           /* -1 unknown */
    char *disk_format, *container_format, *visibility, *owner;
    long long min_disk, min_ram;
    bool protected_;
    char **tags;                      /* the tags array, ntags of them */
    size_t ntags;
    /* every other member with a scalar value (custom properties such as
     * hw_disk_bus), as text */
    char **prop_keys, **prop_vals;
    size_t nprops, capprops;
};

/* A Glance v2 image (GET /v2/images/{id}, POST /v2/images reply). */
int glance_parse_image(const char *buf, size_t len, const char *what, struct ne_image *out);
void ne_image_clear(struct ne_image *im);
/* Borrowed value of a custom property, or NULL. */
const char *ne_image_prop(const struct ne_image *im, const char *key);
/* GET /v2/images: the images of one page in *out (n of them; free each
 * with ne_image_clear, then the array); *next is true when the reply has
 * a "next" link.  -1 (reported) on junk. */
int glance_parse_image_list(const char *buf, size_t len, const char *what,
                            struct ne_image **out, size_t *n, bool *next);
/* GET /v2/info/import: the import methods the Glance offers
 * ("glance-direct", "web-download", "copy-image"...), newly allocated,
 * NULL-terminated.  -1 (reported) on junk. */
int glance_parse_import_methods(const char *buf, size_t len, const char *what, char ***out);
/* The first rbd:// URL of an image (its "locations", else its
 * "direct_url"): 0 and *url newly allocated, or NULL when it has none
 * shown; -1 reported on bad JSON. */
int glance_parse_rbd_location(const char *buf, size_t len, const char *what, char **url);
/* The JSON patch adding location url to a queued image, with its
 * validation data (checksum, os_hash_algo and os_hash_value, each when
 * given): newly allocated. */
char *glance_location_body(const char *url, const char *md5, const char *algo, const char *hash);
/* The body of POST /v2/images for spec: name, formats, visibility, owner,
 * id, min_disk, min_ram, protected, tags and the custom properties (as
 * strings).  Newly allocated JSON text. */
char *glance_create_body(const struct ne_image *spec);

#endif
