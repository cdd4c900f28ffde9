/* SPDX-License-Identifier: Apache-2.0 */
/* volsync-journal.c: the journal of one volume-sync attempt (volsync.h).
 *
 * One file per source/destination pair, <state_dir>/volume-sync/<sha1 of
 * "SRC DST">, one record per line, each written and fsynced before the
 * step it announces:
 *
 *     start <id> <src> <dst>      the attempt; <id> names its snapshots
 *     dst-created <id>            before the destination image is created
 *     round <id> <n> <bytes>      round n done: its snapshot is on both sides
 *     verified <id> <n>           the destination equals the source at round n
 *     features <id> <hex>         --mirror: the source's features before any change
 *
 * The file is removed when the attempt is finished (snapshots removed). */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/fault.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/sha1.h"
#include "util/statedir.h"
#include "volsync/volsync.h"

#define SUB "volume-sync"

static bool
word_ok(const char *w, size_t n)
{
    if (n == 0 || n > 600) return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)w[i] <= ' ' || w[i] == 0x7f) return false;
    return true;
}

/* Splits line (no newline) into at most max words; returns the count. */
static size_t
words(const char *line, size_t len, const char **w, size_t *wl, size_t max)
{
    size_t n = 0, i = 0;

    while (i < len && n < max + 1) {
        while (i < len && line[i] == ' ') i++;
        if (i >= len) break;
        size_t s = i;
        while (i < len && line[i] != ' ') i++;
        if (n < max) w[n] = line + s, wl[n] = i - s;
        n++;
    }
    return n;
}

static bool
is_id(const char *w, size_t n)
{
    if (n < 8 || n > 32) return false;
    for (size_t i = 0; i < n; i++)
        if (!((w[i] >= '0' && w[i] <= '9') || (w[i] >= 'a' && w[i] <= 'f'))) return false;
    return true;
}

static bool
same(const char *w, size_t n, const char *s)
{
    return strlen(s) == n && memcmp(w, s, n) == 0;
}

int
ne_vsj_parse(const char *text, struct ne_vsj *j)
{
    const char *p = text;

    free(j->src), free(j->dst);
    j->src = j->dst = NULL;
    j->started = j->dst_created = j->has_features = false;
    j->features = 0;
    j->last_round = -1;
    j->id[0] = 0;
    while (p && *p) {
        const char *nl = strchr(p, '\n'), *w[5];
        size_t len = nl ? (size_t)(nl - p) : strlen(p), wl[5], n;

        if (!nl) break; /* a torn last line: not durably written */
        n = words(p, len, w, wl, 5);
        if (n == 4 && same(w[0], wl[0], "start") && is_id(w[1], wl[1]) && word_ok(w[2], wl[2]) &&
            word_ok(w[3], wl[3])) {
            free(j->src), free(j->dst);
            memcpy(j->id, w[1], wl[1]);
            j->id[wl[1]] = 0;
            j->src = xstrndup(w[2], wl[2]);
            j->dst = xstrndup(w[3], wl[3]);
            j->started = true, j->dst_created = false, j->last_round = -1;
            j->has_features = false, j->features = 0;
        } else if (j->started && !j->has_features && n == 3 && same(w[0], wl[0], "features") &&
                   same(w[1], wl[1], j->id) && wl[2] > 2 && wl[2] <= 18 && w[2][0] == '0' &&
                   w[2][1] == 'x') {
            /* the first record counts: the features before any change */
            char num[20], *end;
            memcpy(num, w[2], wl[2]);
            num[wl[2]] = 0;
            unsigned long long f = strtoull(num + 2, &end, 16);
            if (*end == 0 && end != num + 2) j->features = f, j->has_features = true;
        } else if (j->started && n == 2 && same(w[0], wl[0], "dst-created") &&
                   same(w[1], wl[1], j->id)) {
            j->dst_created = true;
        } else if (j->started && n == 4 && same(w[0], wl[0], "round") && same(w[1], wl[1], j->id)) {
            char num[16];
            unsigned long long r;
            if (wl[2] < sizeof num) {
                memcpy(num, w[2], wl[2]);
                num[wl[2]] = 0;
                if (parse_u64(num, &r) == 0 && r < 1000000) j->last_round = (long)r;
            }
        }
        p = nl + 1;
    }
    return j->started ? 0 : -1;
}

static char *
journal_path(const char *state_dir, const char *src, const char *dst)
{
    CLEANUP_FREE char *key = xasprintf("%s %s", src, dst);
    char hex[41];

    sha1_hex(key, hex);
    return xasprintf("%s/" SUB "/%s", state_dir, hex);
}

int
ne_vsj_load(const char *state_dir, const char *src, const char *dst, struct ne_vsj *j)
{
    CLEANUP_FREE char *text = NULL;
    size_t n = 0, cap = 0;
    char buf[4096];
    ssize_t r;
    int fd;

    memset(j, 0, sizeof *j);
    j->last_round = -1;
    if (!state_dir) {
        ne_error("volume-sync: no state directory ([DEFAULT] state_dir)");
        return -1;
    }
    j->state_dir = xstrdup(state_dir);
    j->path = journal_path(state_dir, src, dst);
    fd = open(j->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT) return 0;
        ne_syserror("volume-sync: cannot read the journal %s", j->path);
        return -1;
    }
    while ((r = read(fd, buf, sizeof buf)) > 0) {
        if (n + (size_t)r + 1 > 1 << 20) break; /* a journal is a few lines */
        xgrow(&text, &cap, n + (size_t)r + 1, 1);
        memcpy(text + n, buf, (size_t)r);
        n += (size_t)r;
    }
    close(fd);
    if (!text) return 0;
    text[n] = 0;
    ne_vsj_parse(text, j);
    /* a journal of another pair under the same name: impossible but cheap */
    if (j->started && (!str_eq(j->src, src) || !str_eq(j->dst, dst))) {
        ne_error("volume-sync: the journal %s is of %s -> %s, not of this copy; remove it",
                 j->path, j->src, j->dst);
        return -1;
    }
    return 0;
}

int
ne_vsj_append(struct ne_vsj *j, const char *fmt, ...)
{
    CLEANUP_FREE char *line = NULL, *point = NULL;
    va_list ap;
    size_t n;
    int fd, r = 0;

    va_start(ap, fmt);
    line = xvasprintf(fmt, ap);
    va_end(ap);
    n = strlen(line);
    if (ne_statedir_ensure(j->state_dir, SUB) < 0) return -1;
    fd = ne_statedir_open(j->path, O_WRONLY | O_APPEND);
    if (fd < 0 || write(fd, line, n) != (ssize_t)n || fsync(fd) < 0) r = -1;
    if (r < 0) ne_syserror("volume-sync: cannot write the journal %s; nothing more is done", j->path);
    if (fd >= 0) close(fd);
    if (r == 0) {
        /* journal:sync-<event>, for tests that kill at a chosen record */
        point = xasprintf("journal:sync-%.*s", (int)strcspn(line, " \n"), line);
        ne_fault_point(point);
    }
    return r;
}

void
ne_vsj_remove(struct ne_vsj *j)
{
    if (j->path && unlink(j->path) < 0 && errno != ENOENT)
        ne_warn("volume-sync: cannot remove the finished journal %s: %s", j->path, strerror(errno));
}

void
ne_vsj_free(struct ne_vsj *j)
{
    free(j->path);
    free(j->state_dir);
    free(j->src);
    free(j->dst);
    memset(j, 0, sizeof *j);
}
