/* SPDX-License-Identifier: Apache-2.0 */
/* log.h: error reporting, named debug channels, verbosity.
 *
 * Report an error once, where it happens ("what: which object: why"),
 * then return -1/NULL.  Everything goes to stderr; results go to stdout.
 * Secrets never reach a log: callers redact before logging. */
#ifndef NE_LOG_H
#define NE_LOG_H

#include <stdbool.h>

enum ne_debug_chan {
    NE_DBG_VIRT = 1 << 0,
    NE_DBG_HTTP = 1 << 1,
    NE_DBG_SQL = 1 << 2,
    NE_DBG_PLAN = 1 << 3,
    NE_DBG_CONFIG = 1 << 4,
    NE_DBG_JOURNAL = 1 << 5,
    NE_DBG_AUTH = 1 << 6,
    NE_DBG_ALL = 0x7f,
};

/* Parse "virt,http" (or "all") into a channel mask; -1 on an unknown name
 * (reported). */
int ne_debug_parse(const char *spec);
void ne_debug_set(int mask);
bool ne_debug_on(enum ne_debug_chan chan);
const char *ne_debug_names(void);

void ne_set_quiet(bool quiet);
bool ne_quiet(void);
/* A live display on stderr: before() runs ahead of every message (it
 * clears the display and may lock), after() once the message is out.
 * NULL, NULL: none. */
void ne_log_hooks(void (*before)(void), void (*after)(void));

void ne_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The calling thread's last error message (unescaped), or NULL since
 * ne_last_error_clear: what a drain journals with a failure. */
const char *ne_last_error(void);
void ne_last_error_clear(void);
/* The calling thread's errors are held instead of written (and counted)
 * from ne_log_hold until ne_log_release, which writes them in order, or
 * drops them when `write` is false: a drain holds an attempt's errors
 * until it knows whether they are failures (an instance deleted in Nova
 * meanwhile is "gone", not failed).  ne_last_error is kept either way;
 * warnings and the rest are written at once.  Holding twice is holding. */
void ne_log_hold(void);
void ne_log_release(bool write);
/* Like ne_error, appends ": strerror(errno)". */
void ne_syserror(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ne_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Informational line on stderr, silenced by --quiet. */
void ne_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ne_debug_msg(enum ne_debug_chan chan, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define ne_debug(chan, ...)                              \
    do {                                                 \
        if (ne_debug_on(chan)) ne_debug_msg(chan, __VA_ARGS__); \
    } while (0)

/* Copies s into out (truncated to outlen, NUL-terminated) with control
 * characters escaped as every message does (\n, \r, \t, else \xNN), for
 * text that goes to stdout.  Returns the escaped length (untruncated). */
size_t ne_escape(const char *s, char *out, size_t outlen);

/* Count of errors reported so far (tests and exit-code mapping). */
unsigned ne_error_count(void);

#endif
