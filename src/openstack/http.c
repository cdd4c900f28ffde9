/* SPDX-License-Identifier: Apache-2.0 */
/* http.c: see http.h.  The only file that includes libcurl. */
#include <config.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "openstack/http.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/redact.h"

#define MAX_BODY (64u << 20) /* a JSON reply larger than this is refused */
#define LOG_BODY 2048        /* bytes of a body shown by --debug http */

struct ne_http {
    CURL *curl;
    struct ne_http_opts o;
    char *cacert, *cert, *key;
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static void global_init(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

struct ne_http *
http_new(const struct ne_http_opts *opts)
{
    struct ne_http *h = xcalloc(1, sizeof *h);

    pthread_once(&global_once, global_init);
    h->curl = curl_easy_init();
    if (!h->curl) {
        fprintf(stderr, "nova-evac: out of memory (curl_easy_init)\n");
        abort();
    }
    h->o = *opts;
    h->cacert = xstrdup_null(opts->cacert);
    h->cert = xstrdup_null(opts->cert);
    h->key = xstrdup_null(opts->key);
    if (h->o.connect_timeout <= 0) h->o.connect_timeout = 10;
    if (h->o.timeout == 0) h->o.timeout = 60;
    if (h->o.retries < 0) h->o.retries = 3;
    return h;
}

void
http_free(struct ne_http *h)
{
    if (!h) return;
    curl_easy_cleanup(h->curl);
    free(h->cacert);
    free(h->cert);
    free(h->key);
    free(h);
}

void
http_resp_clear(struct ne_http_resp *r)
{
    free(r->body);
    free(r->request_id);
    if (r->subject_token) explicit_bzero(r->subject_token, strlen(r->subject_token));
    free(r->subject_token);
    free(r->content_type);
    free(r->location);
    free(r->api_version);
    memset(r, 0, sizeof *r);
}

char *
http_escape(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    char *out = xmalloc(strlen(s) * 3 + 1), *p = out;

    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            strchr("-._~", c)) {
            *p++ = (char)c;
        } else {
            *p++ = '%';
            *p++ = hex[c >> 4];
            *p++ = hex[c & 15];
        }
    }
    *p = '\0';
    return out;
}

/* ---- transfer state shared with the callbacks */

struct xfer {
    struct ne_http *h;
    const struct ne_http_req *req;
    struct ne_http_resp *resp;
    size_t cap;
    bool delivered; /* something reached the sink: no retry possible */
    bool sink_failed;
    CURLcode code;
};

static void
keep(char **dst, const char *v, size_t n)
{
    while (n && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' ')) n--;
    while (n && (*v == ' ' || *v == '\t')) v++, n--;
    free(*dst);
    *dst = xstrndup(v, n);
}

static size_t
on_header(char *data, size_t size, size_t n, void *p)
{
    struct xfer *x = p;
    size_t len = size * n, nl;
    const char *colon = memchr(data, ':', len);

    if (ne_debug_on(NE_DBG_HTTP) && len > 2) {
        CLEANUP_FREE char *line = redact_header(data, len);
        ne_debug_msg(NE_DBG_HTTP, "< %s", line);
    }
    if (len > 5 && strncmp(data, "HTTP/", 5) == 0) {
        /* a new response (after 100 Continue): forget the previous headers */
        free(x->resp->request_id);
        x->resp->request_id = NULL;
    }
    if (!colon) return len;
    nl = (size_t)(colon - data);
#define HDR(name, field) \
    if (nl == strlen(name) && strncasecmp(data, name, nl) == 0) \
        keep(&x->resp->field, colon + 1, len - nl - 1);
    HDR("x-openstack-request-id", request_id)
    else HDR("x-compute-request-id", request_id)
    else HDR("x-subject-token", subject_token)
    else HDR("content-type", content_type)
    else HDR("location", location)
    else HDR("openstack-api-version", api_version)
#undef HDR
    return len;
}

static bool
status_2xx(struct xfer *x)
{
    long code = 0;

    curl_easy_getinfo(x->h->curl, CURLINFO_RESPONSE_CODE, &code);
    return code >= 200 && code < 300;
}

static size_t
on_body(char *data, size_t size, size_t n, void *p)
{
    struct xfer *x = p;
    struct ne_http_resp *r = x->resp;
    size_t len = size * n;

    if (x->req->sink && status_2xx(x)) {
        x->delivered = true;
        if (x->req->sink(data, len, x->req->opaque) < 0) {
            x->sink_failed = true;
            return 0;
        }
        return len;
    }
    if (r->len + len > MAX_BODY) return 0;
    xgrow(&r->body, &x->cap, r->len + len + 1, 1);
    memcpy(r->body + r->len, data, len);
    r->len += len;
    r->body[r->len] = '\0';
    return len;
}

static size_t
on_read(char *buf, size_t size, size_t n, void *p)
{
    struct xfer *x = p;
    ssize_t got = x->req->source(buf, size * n, x->req->opaque);

    if (got < 0) {
        x->sink_failed = true;
        return CURL_READFUNC_ABORT;
    }
    x->delivered = true;
    return (size_t)got;
}

/* ---- one attempt */

static struct curl_slist *
build_headers(const struct ne_http_req *req)
{
    struct curl_slist *l = NULL;
    size_t i;

    for (i = 0; req->headers && req->headers[i]; i++) {
        l = curl_slist_append(l, req->headers[i]);
        if (ne_debug_on(NE_DBG_HTTP)) {
            CLEANUP_FREE char *line = redact_header(req->headers[i], strlen(req->headers[i]));
            ne_debug_msg(NE_DBG_HTTP, "> %s", line);
        }
    }
    l = curl_slist_append(l, "Expect:"); /* no 100-continue round trip */
    if (!l) {
        fprintf(stderr, "nova-evac: out of memory (curl_slist_append)\n");
        abort();
    }
    return l;
}

static void
set_options(struct ne_http *h, const struct ne_http_req *req, struct xfer *x)
{
    CURL *c = h->curl;
    long timeout = req->timeout ? req->timeout : h->o.timeout;

    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, req->url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L); /* a redirect would carry the token */
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, h->o.connect_timeout);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout > 0 ? timeout : 0L);
    /* a stalled transfer: less than 1 byte/s for 30 s */
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 30L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, h->o.insecure ? 0L : 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, h->o.insecure ? 0L : 2L);
    if (h->cacert) curl_easy_setopt(c, CURLOPT_CAINFO, h->cacert);
    if (h->cert) curl_easy_setopt(c, CURLOPT_SSLCERT, h->cert);
    if (h->key) curl_easy_setopt(c, CURLOPT_SSLKEY, h->key);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "nova-evac/" PACKAGE_VERSION);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
    if (req->source) {
        curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(c, CURLOPT_READDATA, x);
        if (req->source_len >= 0)
            curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)req->source_len);
    } else if (req->body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    } else if (strcmp(req->method, "HEAD") == 0) {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    }
}

static enum ne_http_fail
classify(CURLcode rc)
{
    switch (rc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return NE_HTTP_CONNECT;
    case CURLE_OPERATION_TIMEDOUT:
        return NE_HTTP_TIMEOUT;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
        return NE_HTTP_TLS;
    default:
        return NE_HTTP_OTHER;
    }
}

static void
log_request(const struct ne_http_req *req)
{
    ne_debug_msg(NE_DBG_HTTP, "> %s %s", req->method, req->url);
    if (req->body && req->secret_body) {
        CLEANUP_FREE char *b = redact_body(req->body, req->body_len, LOG_BODY);
        ne_debug_msg(NE_DBG_HTTP, "> [body with credentials: %zu bytes] %s", req->body_len, b);
    } else if (req->body) {
        CLEANUP_FREE char *b = redact_body(req->body, req->body_len, LOG_BODY);
        ne_debug_msg(NE_DBG_HTTP, "> %s", b);
    } else if (req->source) {
        ne_debug_msg(NE_DBG_HTTP, "> [streamed body, %lld bytes]", req->source_len);
    }
}

static void
log_reply(const struct ne_http_resp *r)
{
    ne_debug_msg(NE_DBG_HTTP, "< %ld in %.3f s, request %s", r->status, r->seconds,
                 r->request_id ? r->request_id : "-");
    if (r->len) {
        CLEANUP_FREE char *b = redact_body(r->body, r->len, LOG_BODY);
        ne_debug_msg(NE_DBG_HTTP, "< %s", b);
    }
}


/* One attempt: 0 when a reply came, -1 with resp->fail/err set. */
static int
attempt(struct ne_http *h, const struct ne_http_req *req, struct xfer *x)
{
    struct curl_slist *hdrs;
    CURLcode rc;
    double t0 = ne_now();
    char errbuf[CURL_ERROR_SIZE] = "";

    if (ne_debug_on(NE_DBG_HTTP)) log_request(req);
    set_options(h, req, x);
    hdrs = build_headers(req);
    curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h->curl, CURLOPT_ERRORBUFFER, errbuf);
    rc = curl_easy_perform(h->curl);
    curl_slist_free_all(hdrs);
    x->resp->seconds = ne_now() - t0;
    curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &x->resp->status);
    if (rc == CURLE_OK) {
        if (ne_debug_on(NE_DBG_HTTP)) log_reply(x->resp);
        return 0;
    }
    x->code = rc;
    x->resp->fail = x->sink_failed ? NE_HTTP_SINK : classify(rc);
    if (rc == CURLE_WRITE_ERROR && !x->sink_failed)
        snprintf(x->resp->err, sizeof x->resp->err, "reply larger than %u MiB", MAX_BODY >> 20);
    else
        snprintf(x->resp->err, sizeof x->resp->err, "%s",
                 x->sink_failed ? "transfer stopped by the local side"
                                : errbuf[0] ? errbuf : curl_easy_strerror(rc));
    ne_debug(NE_DBG_HTTP, "< failed after %.3f s: %s", x->resp->seconds, x->resp->err);
    return -1;
}

static bool
retryable(const struct ne_http_req *req, const struct xfer *x, int rc)
{
    if (!req->idempotent) return false;
    if (x->delivered && !req->rewind) return false;
    /* a connection the server closed under us (uwsgi does) is transient too */
    if (rc < 0)
        return x->resp->fail == NE_HTTP_CONNECT || x->resp->fail == NE_HTTP_TIMEOUT ||
               x->code == CURLE_SEND_ERROR || x->code == CURLE_RECV_ERROR ||
               x->code == CURLE_GOT_NOTHING || x->code == CURLE_PARTIAL_FILE;
    return x->resp->status == 502 || x->resp->status == 503 || x->resp->status == 504;
}

static void
reset_resp(struct ne_http_resp *r)
{
    unsigned attempts = r->attempts;

    http_resp_clear(r);
    r->attempts = attempts;
}

int
http_do(struct ne_http *h, const struct ne_http_req *req, struct ne_http_resp *resp)
{
    double delay = 0.5;
    int rc;

    memset(resp, 0, sizeof *resp);
    for (;;) {
        struct xfer x = {h, req, resp, 0, false, false, CURLE_OK};
        resp->attempts++;
        rc = attempt(h, req, &x);
        if (!retryable(req, &x, rc) || resp->attempts > (unsigned)h->o.retries) break;
        if (x.delivered && req->rewind && req->rewind(req->opaque) < 0) break;
        ne_debug(NE_DBG_HTTP, "http: %s %s: %s; retrying in %.1f s (%u/%d)", req->method, req->url,
                rc < 0 ? resp->err : resp->status == 502 ? "502 Bad Gateway"
                                    : resp->status == 503 ? "503 Service Unavailable"
                                                          : "504 Gateway Timeout",
                delay, resp->attempts, h->o.retries);
        {
            struct timespec ts = {(time_t)delay, (long)((delay - (double)(time_t)delay) * 1e9)};
            nanosleep(&ts, NULL);
        }
        delay *= 2;
        reset_resp(resp);
    }
    if (rc < 0 && resp->attempts > 1) {
        size_t n = strlen(resp->err);
        snprintf(resp->err + n, sizeof resp->err - n, " (%u attempts)", resp->attempts);
    }
    return rc;
}
