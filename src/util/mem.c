/* SPDX-License-Identifier: Apache-2.0 */
/* mem.c: see mem.h. */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/mem.h"

static void
oom(void)
{
    fputs("nova-evac: out of memory\n", stderr);
    abort();
}

void *
xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) oom();
    return p;
}

void *
xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) oom();
    return p;
}

void *
xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) oom();
    return p;
}

void
xgrow(void *pp, size_t *cap, size_t need, size_t sz)
{
    void **p = pp;
    size_t ncap = *cap ? *cap : 4;

    if (need <= *cap) return;
    while (ncap < need) ncap *= 2;
    *p = xrealloc(*p, ncap * sz);
    memset((char *)*p + *cap * sz, 0, (ncap - *cap) * sz);
    *cap = ncap;
}

char *
xstrdup(const char *s)
{
    char *p = strdup(s);
    if (!p) oom();
    return p;
}

char *xstrdup_null(const char *s) { return s ? xstrdup(s) : NULL; }

char *
xstrndup(const char *s, size_t n)
{
    char *p = strndup(s, n);
    if (!p) oom();
    return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
    char *p;
    if (vasprintf(&p, fmt, ap) < 0) oom();
    return p;
}

char *
xasprintf(const char *fmt, ...)
{
    va_list ap;
    char *p;

    va_start(ap, fmt);
    p = xvasprintf(fmt, ap);
    va_end(ap);
    return p;
}

bool
str_eq(const char *a, const char *b)
{
    if (!a || !b) return a == b;
    return strcmp(a, b) == 0;
}

bool str_prefix(const char *s, const char *prefix) { return strncmp(s, prefix, strlen(prefix)) == 0; }

bool
str_suffix(const char *s, const char *suffix)
{
    size_t ls = strlen(s), lx = strlen(suffix);
    return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

bool
is_hex(const char *s, size_t len)
{
    size_t i;

    if (strlen(s) != len) return false;
    for (i = 0; i < len; i++)
        if (!isxdigit((unsigned char)s[i])) return false;
    return true;
}

int
parse_u64(const char *s, unsigned long long *out)
{
    char *end;
    unsigned long long v;

    if (!s || !isdigit((unsigned char)*s)) return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || *end) return -1;
    *out = v;
    return 0;
}

const char *
fmt_bytes(unsigned long long n, char *buf, size_t len)
{
    static const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)n;
    int u = 0;

    while (v >= 1024 && u < 4) {
        v /= 1024;
        u++;
    }
    if (u == 0)
        snprintf(buf, len, "%llu B", n);
    else
        snprintf(buf, len, "%.1f %s", v, units[u]);
    return buf;
}

double
ne_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
