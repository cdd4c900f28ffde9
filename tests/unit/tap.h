/* SPDX-License-Identifier: Apache-2.0 */
/* tap.h: a minimal TAP producer for the unit tier (header-only). */
#ifndef NE_TAP_H
#define NE_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_failed;

static void __attribute__((format(printf, 2, 3)))
ok(int cond, const char *fmt, ...)
{
    va_list ap;

    printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    if (!cond) tap_failed++;
}

#define is_str(got, want, ...)                                                     \
    do {                                                                          \
        const char *g_ = (got), *w_ = (want);                                     \
        int c_ = (g_ == NULL && w_ == NULL) || (g_ && w_ && strcmp(g_, w_) == 0); \
        ok(c_, __VA_ARGS__);                                                      \
        if (!c_) printf("#   got: '%s'\n#  want: '%s'\n", g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
    } while (0)

#define is_int(got, want, ...)                                                  \
    do {                                                                        \
        long long g_ = (long long)(got), w_ = (long long)(want);                \
        ok(g_ == w_, __VA_ARGS__);                                              \
        if (g_ != w_) printf("#   got: %lld\n#  want: %lld\n", g_, w_);         \
    } while (0)

static int
done_testing(void)
{
    printf("1..%d\n", tap_n);
    return tap_failed ? 1 : 0;
}

#endif
