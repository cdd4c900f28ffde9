/* SPDX-License-Identifier: Apache-2.0 */
/* http.h: HTTP(S) for the OpenStack adapters; the only libcurl user.
 *
 * TLS is verified by default (insecure and cacert come from clouds.yaml,
 * OS_* or the command line).  Connect errors, timeouts and 502/503/504 are
 * retried with exponential backoff, for idempotent requests only.  The
 * "http" debug channel logs every request and reply with tokens and
 * passwords redacted; nothing else here logs.  Failures are not reported:
 * http_do() returns -1 and fills resp->err, and the caller, who knows which
 * instance and which service it was about, reports one line.
 *
 * A handle is not thread-safe: one per thread. */
#ifndef NE_HTTP_H
#define NE_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct ne_http_opts {
    bool insecure;          /* do not verify the server certificate */
    const char *cacert;     /* CA bundle, NULL = the system's */
    const char *cert, *key; /* client certificate and key, may be NULL */
    long connect_timeout;   /* seconds; 0 = 10 */
    long timeout;           /* seconds for a whole request; 0 = 60 */
    int retries;            /* for idempotent requests; -1 = 3 */
};

/* Streaming download: called with each piece of a 2xx body (instead of
 * buffering it); return -1 to abort the transfer. */
typedef int (*ne_http_sink)(const char *data, size_t len, void *opaque);
/* Streaming upload: fill buf with up to len bytes, return the count, 0 at
 * the end, -1 on error. */
typedef ssize_t (*ne_http_source)(char *buf, size_t len, void *opaque);

struct ne_http_req {
    const char *method;          /* "GET", "POST", ... */
    const char *url;
    const char *const *headers;  /* NULL-terminated "Name: value" lines, may be NULL */
    const char *body;            /* may be NULL */
    size_t body_len;
    bool idempotent;             /* may be retried */
    bool secret_body;            /* never log the body, not even redacted */
    ne_http_sink sink;           /* optional, see above */
    ne_http_source source;       /* optional, replaces body */
    int (*rewind)(void *opaque); /* for a retry/replay of a source; may be NULL */
    long long source_len;        /* -1 = unknown (chunked) */
    void *opaque;
    long timeout;                /* seconds, overrides the handle's; -1 = none */
};

enum ne_http_fail {
    NE_HTTP_OK = 0,
    NE_HTTP_CONNECT,   /* could not connect or resolve: unreachable */
    NE_HTTP_TIMEOUT,
    NE_HTTP_TLS,       /* certificate or handshake */
    NE_HTTP_SINK,      /* the sink or source said stop */
    NE_HTTP_OTHER,
};

struct ne_http_resp {
    long status;             /* 0 when no reply came */
    char *body;              /* NUL-terminated; with a sink: only non-2xx bodies */
    size_t len;
    char *request_id;        /* x-openstack-request-id or x-compute-request-id */
    char *subject_token;     /* X-Subject-Token: a secret, wipe with http_resp_clear */
    char *content_type, *location, *api_version;
    enum ne_http_fail fail;
    char err[320];           /* why, when http_do returned -1 */
    double seconds;          /* time of the last attempt */
    unsigned attempts;
};

/* A new handle; never NULL (out of memory aborts). */
struct ne_http *http_new(const struct ne_http_opts *opts);
void http_free(struct ne_http *h);

/* Sends req; 0 when a reply came (any status: the caller judges it), -1 on
 * a transport failure after the retries (resp->err says why, resp->fail
 * what kind).  resp is cleared first; free with http_resp_clear. */
int http_do(struct ne_http *h, const struct ne_http_req *req, struct ne_http_resp *resp);
void http_resp_clear(struct ne_http_resp *resp);

/* Percent-encodes s for a query string or path segment.  Newly allocated. */
char *http_escape(const char *s);

#endif
