/* SPDX-License-Identifier: Apache-2.0 */
/* runlock.c: see runlock.h. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "util/log.h"
#include "util/mem.h"
#include "util/runlock.h"
#include "util/statedir.h"

/* What the holder wrote: its first line, control characters escaped. */
static void
read_holder(int fd, char *holder, size_t hlen)
{
    char buf[256];
    ssize_t got = pread(fd, buf, sizeof buf - 1, 0);

    if (got <= 0) {
        snprintf(holder, hlen, "another process");
        return;
    }
    buf[got] = '\0';
    buf[strcspn(buf, "\n")] = '\0';
    ne_escape(buf[0] ? buf : "another process", holder, hlen);
}

int
ne_runlock_take(const char *path, bool shared, const char *what, char *holder, size_t hlen)
{
    int fd = ne_statedir_open(path, O_RDWR);
    CLEANUP_FREE char *line = NULL;
    bool held;

    if (hlen) holder[0] = '\0';
    if (fd < 0) {
        ne_syserror("cannot open lock file %s", path);
        return -2;
    }
    /* Exclusive first, to write who holds it (the name whoever is refused
     * reads); a shared lock then downgrades.  A shared lock that others
     * share already is taken as is: the file names one of them. */
    if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
        line = xasprintf("pid %ld (nova-evac %s)\n", (long)getpid(), what);
        if (ftruncate(fd, 0) < 0 || pwrite(fd, line, strlen(line), 0) < 0)
            ne_debug(NE_DBG_JOURNAL, "cannot note the holder in %s: %s", path, strerror(errno));
        if (!shared || flock(fd, LOCK_SH | LOCK_NB) == 0) return fd;
    } else if (shared && errno == EWOULDBLOCK && flock(fd, LOCK_SH | LOCK_NB) == 0) {
        return fd;
    }
    held = errno == EWOULDBLOCK;
    if (held) read_holder(fd, holder, hlen);
    else ne_syserror("cannot lock %s", path);
    close(fd);
    return held ? -1 : -2;
}

void
ne_runlock_release(int fd)
{
    if (fd >= 0) close(fd); /* drops the lock */
}

char *
ne_runlock_host_path(const char *state_dir, const char *host)
{
    if (ne_statedir_ensure(state_dir, NULL) < 0) return NULL;
    return xasprintf("%s/%s.lock", state_dir, host);
}

char *
ne_runlock_instance_path(const char *state_dir, const char *uuid)
{
    if (ne_statedir_ensure(state_dir, "locks") < 0) return NULL;
    return xasprintf("%s/locks/instance-%s.lock", state_dir, uuid);
}
