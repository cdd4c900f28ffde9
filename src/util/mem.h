/* SPDX-License-Identifier: Apache-2.0 */
/* mem.h: allocation with one out-of-memory policy (abort with a message),
 * string helpers, and cleanup attributes.
 *
 * Every x* function returns newly allocated memory that the caller frees. */
#ifndef NE_MEM_H
#define NE_MEM_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
/* Grows *p (an array of *cap elements of size sz) to hold at least need. */
void xgrow(void *pp, size_t *cap, size_t need, size_t sz);
char *xstrdup(const char *s);
/* xstrdup that maps NULL to NULL. */
char *xstrdup_null(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);

bool str_eq(const char *a, const char *b);          /* NULL-safe */
bool str_prefix(const char *s, const char *prefix);
bool str_suffix(const char *s, const char *suffix);
bool is_hex(const char *s, size_t len);             /* exactly len hex digits */
/* Strict decimal parse into *out; -1 on junk, sign or overflow. */
int parse_u64(const char *s, unsigned long long *out);
/* Human size "1.5 GiB" into buf. */
const char *fmt_bytes(unsigned long long n, char *buf, size_t len);

/* Monotonic clock in seconds (for durations). */
double ne_now(void);

static inline void cleanup_free(void *p) { free(*(void **)p); }
#define CLEANUP_FREE __attribute__((cleanup(cleanup_free)))

#endif
