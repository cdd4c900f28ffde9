/* SPDX-License-Identifier: Apache-2.0 */
/* keystone.h: an authenticated OpenStack session (Keystone v3).
 *
 * ne_os_open() resolves the credentials (clouds.h), authenticates with a
 * password or an application credential, and keeps the token, its
 * lifetime and the service catalog.  ne_os_request() sends a request to a
 * service found in the catalog with a valid token: it re-authenticates
 * first when the token is close to its expiry (the margin), and once more
 * when a service answers 401, then replays the request; each
 * re-authentication is logged on stderr.  The lifetime is measured on the
 * local clock from Keystone's issued_at/expires_at difference, so a skewed
 * clock does not matter.  Tokens and passwords are never logged.
 *
 * ne_os_request() may be called from several threads: requests on one session
 * are serialised (a streaming download holds the session while it runs). */
#ifndef NE_KEYSTONE_H
#define NE_KEYSTONE_H

#include <stdbool.h>
#include <stddef.h>

#include "openstack/clouds.h"
#include "openstack/http.h"
#include "openstack/osjson.h"

/* What went wrong, for the exit code (osargs.h maps it). */
enum ne_os_err {
    NE_OS_OK = 0,
    NE_OS_ECONFIG,      /* credentials, catalog entry or option wrong: exit 2 */
    NE_OS_EAUTH,        /* Keystone refused the credentials: exit 2 */
    NE_OS_ENOTFOUND,    /* the named object does not exist: exit 2 */
    NE_OS_EUNREACHABLE, /* no reply, a 5xx or a reply we cannot read: exit 4 */
    NE_OS_ECONFLICT,    /* the service refused the action (4xx): exit 1 */
};

struct ne_os;

/* Resolves the credentials and authenticates.  NE_OS_OK and *out (free
 * with ne_os_close), or the kind of failure after one reported line. */
enum ne_os_err ne_os_open(const struct ne_cloud_args *a, struct ne_os **out);
void ne_os_close(struct ne_os *os);

/* The endpoint URL of a service type in the catalog (borrowed, valid
 * until the next request), or NULL after reporting which endpoints the
 * catalog has. */
const char *ne_os_endpoint(struct ne_os *os, const char *type);
const struct ne_cloud *ne_os_cloud(const struct ne_os *os);
const struct ne_token_info *ne_os_token(const struct ne_os *os);
/* Seconds the current token has left (local clock). */
long ne_os_token_left(const struct ne_os *os);

struct ne_os_req {
    const char *service;         /* catalog type ("compute"), NULL if path is a URL */
    const char *method;
    const char *path;            /* appended to the endpoint, or an absolute URL */
    const char *const *headers;  /* extra "Name: value" lines, NULL-terminated, may be NULL */
    const char *body;            /* JSON, may be NULL */
    size_t body_len;
    bool idempotent;
    ne_http_sink sink;           /* streaming, see http.h */
    ne_http_source source;
    int (*rewind)(void *opaque);
    long long source_len;
    const char *content_type;    /* default application/json when there is a body */
    void *opaque;
    long timeout;
};

/* Sends req (see above).  0 when a reply came, whatever its status (the
 * caller judges it); -1 when none did: resp->err says why and *kind what
 * kind.  Nothing is reported here: the caller names the object. */
int ne_os_request(struct ne_os *os, const struct ne_os_req *req, struct ne_http_resp *resp,
                  enum ne_os_err *kind);

/* The kind of failure an HTTP status means (0 or 2xx: NE_OS_OK). */
enum ne_os_err ne_os_status_kind(long status);

#endif
