/* SPDX-License-Identifier: Apache-2.0 */
/* redact.c: see redact.h. */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/mem.h"
#include "util/redact.h"
#include "util/sha1.h"

static const char *const secret_headers[] = {
    "x-auth-token", "x-subject-token", "x-service-token", "authorization",
    "proxy-authorization", "cookie", "set-cookie", NULL,
};

bool
redact_header_is_secret(const char *name, size_t len)
{
    size_t i;

    for (i = 0; secret_headers[i]; i++)
        if (strlen(secret_headers[i]) == len && strncasecmp(name, secret_headers[i], len) == 0)
            return true;
    return false;
}

/* Case-insensitive search of needle in the first len bytes of hay. */
static bool
contains_ci(const char *hay, size_t len, const char *needle)
{
    size_t n = strlen(needle), i;

    for (i = 0; i + n <= len; i++)
        if (strncasecmp(hay + i, needle, n) == 0) return true;
    return false;
}

bool
redact_key_is_secret(const char *key, size_t len)
{
    return contains_ci(key, len, "password") || contains_ci(key, len, "passwd") ||
           contains_ci(key, len, "secret") || contains_ci(key, len, "adminpass") ||
           (len == 5 && strncasecmp(key, "token", 5) == 0);
}

char *
redact_header(const char *line, size_t len)
{
    size_t name_len, v;
    struct sha1_ctx c;
    unsigned char d[20];

    while (len && (line[len - 1] == '\r' || line[len - 1] == '\n')) len--;
    for (name_len = 0; name_len < len && line[name_len] != ':'; name_len++)
        ;
    if (name_len == len || !redact_header_is_secret(line, name_len))
        return xstrndup(line, len);
    for (v = name_len + 1; v < len && (line[v] == ' ' || line[v] == '\t'); v++)
        ;
    sha1_init(&c);
    sha1_update(&c, line + v, len - v);
    sha1_final(&c, d);
    return xasprintf("%.*s: <redacted sha1:%02x%02x%02x%02x>", (int)name_len, line, d[0], d[1],
                     d[2], d[3]);
}

struct out {
    char *buf;
    size_t len, cap, max;
    bool cut;
};

static void
put(struct out *o, const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (o->len >= o->max) {
            o->cut = true;
            return;
        }
        xgrow(&o->buf, &o->cap, o->len + 2, 1);
        o->buf[o->len++] = (ch >= 0x20 && ch < 0x7f) || ch == '\n' ? (char)ch : '.';
    }
}

/* End of the JSON string that starts at body[i] == '"': the index of the
 * closing quote, or len when the string is cut off. */
static size_t
string_end(const char *body, size_t len, size_t i)
{
    for (i++; i < len; i++) {
        if (body[i] == '\\') {
            i++;
            continue;
        }
        if (body[i] == '"') return i;
    }
    return len;
}

static size_t
skip_ws(const char *body, size_t len, size_t i)
{
    while (i < len && strchr(" \t\r\n", body[i]) && body[i]) i++;
    return i;
}

char *
redact_body(const char *body, size_t len, size_t max)
{
    struct out o = {NULL, 0, 0, max, false};
    size_t i = 0;

    while (i < len && !o.cut) {
        size_t e, j;
        if (body[i] != '"') {
            put(&o, body + i, 1);
            i++;
            continue;
        }
        e = string_end(body, len, i);
        put(&o, body + i, e < len ? e - i + 1 : len - i);
        if (e >= len) break;
        j = skip_ws(body, len, e + 1);
        /* a key whose value is a string: keep the key, hide the value */
        if (j < len && body[j] == ':' && redact_key_is_secret(body + i + 1, e - i - 1)) {
            size_t k = skip_ws(body, len, j + 1), ve;
            if (k < len && body[k] == '"') {
                put(&o, body + e + 1, k - e - 1);
                put(&o, "\"" REDACTED "\"", strlen(REDACTED) + 2);
                ve = string_end(body, len, k);
                i = ve < len ? ve + 1 : len;
                continue;
            }
        }
        i = e + 1;
    }
    if (o.cut || len > max) {
        xgrow(&o.buf, &o.cap, o.len + 4, 1);
        memcpy(o.buf + o.len, "...", 3);
        o.len += 3;
    }
    xgrow(&o.buf, &o.cap, o.len + 1, 1);
    o.buf[o.len] = '\0';
    return o.buf;
}
