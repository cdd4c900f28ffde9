/* SPDX-License-Identifier: Apache-2.0 */
/* log.c: see log.h. */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/log.h"

static int debug_mask;
static bool quiet;
static unsigned error_count;
/* This thread's last error message (ne_last_error). */
static __thread char last_error[1024];
/* This thread's held errors (ne_log_hold): NULL when not holding. */
static __thread FILE *held;
static __thread char *held_buf;
static __thread size_t held_len;
static __thread unsigned held_count;

static const struct {
    const char *name;
    int bit;
} channels[] = {
    {"virt", NE_DBG_VIRT}, {"http", NE_DBG_HTTP}, {"sql", NE_DBG_SQL},
    {"plan", NE_DBG_PLAN}, {"config", NE_DBG_CONFIG},
    {"journal", NE_DBG_JOURNAL}, {"auth", NE_DBG_AUTH}, {"all", NE_DBG_ALL},
};

int
ne_debug_parse(const char *spec)
{
    int mask = 0;
    const char *p = spec;

    while (*p) {
        size_t len = strcspn(p, ",");
        size_t i;

        for (i = 0; i < sizeof channels / sizeof channels[0]; i++) {
            if (strlen(channels[i].name) == len &&
                strncasecmp(p, channels[i].name, len) == 0)
                break;
        }
        if (i == sizeof channels / sizeof channels[0]) {
            ne_error("--debug: unknown channel '%.*s' (known: %s)", (int)len, p,
                     ne_debug_names());
            return -1;
        }
        mask |= channels[i].bit;
        p += len;
        if (*p == ',') p++;
    }
    return mask;
}

const char *
ne_debug_names(void)
{
    return "virt,http,sql,plan,config,journal,auth,all";
}

void ne_debug_set(int mask) { debug_mask = mask; }
bool ne_debug_on(enum ne_debug_chan chan) { return (debug_mask & chan) != 0; }
void ne_set_quiet(bool q) { quiet = q; }

/* A live display on stderr (ne_log_hooks): cleared before a message. */
static void (*hook_before)(void), (*hook_after)(void);
void
ne_log_hooks(void (*before)(void), void (*after)(void))
{
    hook_before = before;
    hook_after = after;
}
bool ne_quiet(void) { return quiet; }
unsigned ne_error_count(void) { return error_count; }
const char *ne_last_error(void) { return last_error[0] ? last_error : NULL; }
void ne_last_error_clear(void) { last_error[0] = '\0'; }

/* Writes s to f with control characters escaped (\n, \r, \t, else \xNN):
 * a message is one line whatever a host or instance name holds. */
static void
put_escaped(FILE *f, const char *s)
{
    const unsigned char *p;

    for (p = (const unsigned char *)s; *p; p++) {
        if (*p >= 0x20 && *p != 0x7f) putc(*p, f);
        else if (*p == '\n') fputs("\\n", f);
        else if (*p == '\r') fputs("\\r", f);
        else if (*p == '\t') fputs("\\t", f);
        else fprintf(f, "\\x%02x", *p);
    }
}

size_t
ne_escape(const char *s, char *out, size_t outlen)
{
    FILE *f;
    char *buf = NULL;
    size_t len = 0;

    if (outlen) out[0] = '\0';
    f = open_memstream(&buf, &len);
    if (!f) return 0;
    put_escaped(f, s ? s : "");
    fclose(f);
    if (outlen) snprintf(out, outlen, "%s", buf);
    free(buf);
    return len;
}

/* One message line: "nova-evac: PREFIXmsg[: strerror]". */
static void
put_line(FILE *f, const char *prefix, const char *msg, int errnum)
{
    fprintf(f, "nova-evac: %s", prefix);
    put_escaped(f, msg);
    if (errnum) fprintf(f, ": %s", strerror(errnum));
    fputc('\n', f);
}

/* The message is formatted first, then written escaped: every name that
 * reaches a message through any format is covered. */
static void
vlog(const char *prefix, const char *fmt, va_list ap, int errnum)
{
    char *msg = NULL;

    if (vasprintf(&msg, fmt, ap) < 0) msg = NULL;
    if (strcmp(prefix, "error: ") == 0)
        snprintf(last_error, sizeof last_error, "%s%s%s", msg ? msg : fmt, errnum ? ": " : "",
                 errnum ? strerror(errnum) : "");
    if (held && strcmp(prefix, "error: ") == 0) {
        put_line(held, prefix, msg ? msg : fmt, errnum);
        held_count++;
        free(msg);
        return;
    }
    if (hook_before) hook_before();
    flockfile(stderr);
    put_line(stderr, prefix, msg ? msg : fmt, errnum);
    funlockfile(stderr);
    if (hook_after) hook_after();
    free(msg);
}

void
ne_log_hold(void)
{
    if (held) return;
    held_count = 0;
    held = open_memstream(&held_buf, &held_len);
}

void
ne_log_release(bool write)
{
    if (!held) return;
    fclose(held);
    held = NULL;
    if (write && held_len) {
        error_count += held_count;
        if (hook_before) hook_before();
        flockfile(stderr);
        fwrite(held_buf, 1, held_len, stderr);
        funlockfile(stderr);
        if (hook_after) hook_after();
    }
    free(held_buf);
    held_buf = NULL;
    held_len = 0;
    held_count = 0;
}

void
ne_error(const char *fmt, ...)
{
    va_list ap;

    if (!held) error_count++;
    va_start(ap, fmt);
    vlog("error: ", fmt, ap, 0);
    va_end(ap);
}

void
ne_syserror(const char *fmt, ...)
{
    int errnum = errno;
    va_list ap;

    if (!held) error_count++;
    va_start(ap, fmt);
    vlog("error: ", fmt, ap, errnum);
    va_end(ap);
}

void
ne_warn(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vlog("warning: ", fmt, ap, 0);
    va_end(ap);
}

void
ne_info(const char *fmt, ...)
{
    va_list ap;

    if (quiet) return;
    va_start(ap, fmt);
    vlog("", fmt, ap, 0);
    va_end(ap);
}

void
ne_debug_msg(enum ne_debug_chan chan, const char *fmt, ...)
{
    va_list ap;
    const char *name = "debug";
    char *msg = NULL;
    size_t i;

    for (i = 0; i < sizeof channels / sizeof channels[0]; i++)
        if (channels[i].bit == (int)chan) name = channels[i].name;
    va_start(ap, fmt);
    if (vasprintf(&msg, fmt, ap) < 0) msg = NULL;
    va_end(ap);
    if (hook_before) hook_before();
    flockfile(stderr);
    fprintf(stderr, "nova-evac: [%s] ", name);
    put_escaped(stderr, msg ? msg : fmt);
    fputc('\n', stderr);
    funlockfile(stderr);
    if (hook_after) hook_after();
    free(msg);
}
