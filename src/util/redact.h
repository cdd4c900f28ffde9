/* SPDX-License-Identifier: Apache-2.0 */
/* redact.h: hide secrets before anything reaches a log.
 *
 * Used by the http debug channel: tokens in headers and passwords or
 * secrets in JSON bodies are replaced, even when the body is truncated or
 * not JSON at all.  Pure functions on buffers (unit-tested and fuzzed). */
#ifndef NE_REDACT_H
#define NE_REDACT_H

#include <stdbool.h>
#include <stddef.h>

#define REDACTED "<redacted>"

/* True if a header of that name (len bytes, any case) carries a secret:
 * X-Auth-Token, X-Subject-Token, X-Service-Token, Authorization,
 * Proxy-Authorization, Cookie, Set-Cookie. */
bool redact_header_is_secret(const char *name, size_t len);

/* True if a JSON key (len bytes, any case) names a secret value: any key
 * containing "password", "passwd", "secret" or "adminpass", and "token"
 * itself when its value is a string. */
bool redact_key_is_secret(const char *key, size_t len);

/* A copy of one header line ("Name: value", len bytes, no NUL needed) fit
 * for a log: secret values replaced by a short fingerprint
 * ("<redacted sha1:1a2b3c4d>", so a new token can be told from the old
 * one), trailing CR/LF removed.  Newly allocated, caller frees. */
char *redact_header(const char *line, size_t len);

/* A copy of at most max bytes of body (len bytes, any content) fit for a
 * log: the string value of every secret key (redact_key_is_secret) is
 * replaced by REDACTED, even in truncated or malformed JSON; control and
 * non-ASCII bytes are shown as '.'; "..." marks a cut.  Newly allocated. */
char *redact_body(const char *body, size_t len, size_t max);

#endif
