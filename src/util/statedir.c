/* SPDX-License-Identifier: Apache-2.0 */
/* statedir.c: see statedir.h. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/log.h"
#include "util/mem.h"
#include "util/statedir.h"

/* The first "." or ".." component of path, or NULL. */
static const char *
dot_component(const char *path)
{
    const char *p = path;

    while (*p) {
        size_t n;
        while (*p == '/') p++;
        n = strcspn(p, "/");
        if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.')) return p;
        p += n;
    }
    return NULL;
}

bool
ne_path_clean(const char *path)
{
    const char *p;

    if (!path || path[0] != '/') return false;
    for (p = path; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f) return false;
    return dot_component(path) == NULL;
}

int
ne_path_check(const char *what, const char *path)
{
    const char *p;

    if (!path || path[0] != '/') {
        ne_error("%s: an absolute path is required (it must start with '/')", what);
        return -1;
    }
    for (p = path; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f) {
            ne_error("%s: the path contains a control character", what);
            return -1;
        }
    if (dot_component(path)) {
        ne_error("%s: '%s': '.' and '..' are not allowed in the path; give it without them",
                 what, path);
        return -1;
    }
    return 0;
}

/* mkdir of one directory; EEXIST is fine. */
static int
mkdir_one(const char *dir, mode_t mode)
{
    if (mkdir(dir, mode) == 0 || errno == EEXIST) return 0;
    ne_syserror("cannot create directory %s", dir);
    return -1;
}

/* dir exists, or is created with mode: a real directory owned by us, then
 * set to 0700. */
static int
own_dir(const char *dir)
{
    int fd;
    struct stat st;

    if (mkdir_one(dir, 0700) < 0) return -1;
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ELOOP || errno == ENOTDIR)
            ne_error("state directory %s is not a directory (a symlink or a file): remove it or "
                     "set state_dir to another path", dir);
        else
            ne_syserror("cannot open the state directory %s", dir);
        return -1;
    }
    if (fstat(fd, &st) < 0) {
        ne_syserror("cannot read the state directory %s", dir);
        close(fd);
        return -1;
    }
    if (st.st_uid != geteuid()) {
        ne_error("state directory %s belongs to uid %u, not to the user running nova-evac "
                 "(uid %u): run as that user or set state_dir to another path",
                 dir, (unsigned)st.st_uid, (unsigned)geteuid());
        close(fd);
        return -1;
    }
    if ((st.st_mode & 07777) != 0700 && fchmod(fd, 0700) < 0) {
        ne_syserror("cannot set the mode of the state directory %s to 0700", dir);
        close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

int
ne_statedir_ensure(const char *state_dir, const char *sub)
{
    CLEANUP_FREE char *p = NULL;
    char *s;

    if (ne_path_check("state_dir", state_dir) < 0) return -1;
    if (sub) {
        CLEANUP_FREE char *full = xasprintf("%s/%s", state_dir, sub);
        if (ne_path_check("state_dir subdirectory", full) < 0) return -1;
    }
    p = xstrdup(state_dir);
    while (strlen(p) > 1 && p[strlen(p) - 1] == '/') p[strlen(p) - 1] = '\0';
    /* the parents, as an operator would make them: not ours to change */
    for (s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
        *s = '\0';
        if (mkdir_one(p, 0755) < 0) return -1;
        *s = '/';
    }
    if (own_dir(p) < 0) return -1;
    if (!sub) return 0;
    free(p);
    p = xasprintf("%s/%s", state_dir, sub);
    for (s = p + strlen(state_dir) + 1; (s = strchr(s, '/')); s++) {
        *s = '\0';
        if (own_dir(p) < 0) return -1;
        *s = '/';
    }
    return own_dir(p);
}

int
ne_statedir_parent(const char *what, const char *file)
{
    CLEANUP_FREE char *dir = xstrdup(file);
    char *slash = strrchr(dir, '/');
    struct stat st;

    if (ne_path_check(what, file) < 0) return -1;
    if (!slash || slash == dir) return 0; /* "/x": the root exists */
    *slash = '\0';
    if (stat(dir, &st) == 0) {
        if (S_ISDIR(st.st_mode)) return 0;
        ne_error("%s %s: %s is not a directory", what, file, dir);
        return -1;
    }
    return ne_statedir_ensure(dir, NULL);
}

int
ne_statedir_open(const char *path, int flags)
{
    return open(path, flags | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
}
