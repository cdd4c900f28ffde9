/* SPDX-License-Identifier: Apache-2.0 */
/* audit.c: see audit.h. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "novasync/audit.h"
#include "util/log.h"
#include "util/statedir.h"
#include "util/mem.h"

struct ne_audit {
    int fd;
    char *path;
};

struct ne_audit *
audit_open(const char *path)
{
    struct ne_audit *a;
    int fd;

    /* a missing directory made as the state dir is (0700); the file 0600,
     * never opened through a symlink */
    if (ne_statedir_parent("audit log", path) < 0) return NULL;
    fd = ne_statedir_open(path, O_WRONLY | O_APPEND);
    if (fd < 0) {
        ne_syserror("cannot open the audit log %s (give another with --audit-log)", path);
        return NULL;
    }
    a = xcalloc(1, sizeof *a);
    a->fd = fd;
    a->path = xstrdup(path);
    return a;
}

static void
stamp(json_t *ev)
{
    char ts[32];
    time_t now = time(NULL);
    struct tm tm;
    struct passwd *pw = getpwuid(getuid());

    gmtime_r(&now, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    json_object_set_new(ev, "time", json_string(ts));
    json_object_set_new(ev, "pid", json_integer(getpid()));
    json_object_set_new(ev, "user", pw ? json_string(pw->pw_name) : json_integer(getuid()));
}

int
audit_write(struct ne_audit *a, json_t *ev)
{
    char *line;
    size_t len, off = 0;
    int rc = 0;

    stamp(ev);
    line = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(ev);
    if (!line) {
        ne_error("audit log %s: cannot encode an event", a->path);
        return -1;
    }
    len = strlen(line);
    line[len++] = '\n'; /* json_dumps leaves room: it NUL-terminates */
    while (off < len) {
        ssize_t w = write(a->fd, line + off, len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            ne_syserror("cannot write the audit log %s", a->path);
            rc = -1;
            break;
        }
        off += (size_t)w;
    }
    if (rc == 0 && fsync(a->fd) < 0) {
        ne_syserror("cannot sync the audit log %s", a->path);
        rc = -1;
    }
    free(line);
    return rc;
}

const char *audit_path(const struct ne_audit *a) { return a->path; }

void
audit_close(struct ne_audit *a)
{
    if (!a) return;
    close(a->fd);
    free(a->path);
    free(a);
}
