/* SPDX-License-Identifier: Apache-2.0 */
/* statedir.h: local paths from the configuration, and the one way the
 * state directory (journals, locks, the audit log) is created.
 *
 * Whichever command runs first (drain, migrate, images, stuck --fix,
 * undrain, api), the state directory and its subdirectories end up the
 * same: mode 0700, owned by the user running the tool, real directories
 * (a symlink planted in their place is refused, not followed). */
#ifndef NE_STATEDIR_H
#define NE_STATEDIR_H

#include <stdbool.h>
#include <sys/types.h>

/* Checks a local path from the configuration or the environment: absolute,
 * no "." or ".." component, no control character.  what names it in the
 * message ("[DEFAULT] state_dir").  Reports and returns -1 otherwise. */
int ne_path_check(const char *what, const char *path);
/* The same test, silent: true when path is absolute, without "." or ".."
 * components or control characters. */
bool ne_path_clean(const char *path);

/* Creates state_dir (and sub below it, when not NULL; sub may hold
 * several components, never ".."), each created directory 0700; missing
 * parents above state_dir are created 0755.  An existing state_dir or sub
 * must be a directory, not a symlink, owned by the current user; its mode
 * is set to 0700.  Returns 0, or -1 after reporting. */
int ne_statedir_ensure(const char *state_dir, const char *sub);

/* The directory of file (an absolute path, e.g. a custom audit log; what
 * names it in messages):
 * when missing it is made as ne_statedir_ensure() makes the state dir
 * (0700, missing parents 0755); an existing one is the operator's and kept
 * as it is (a log directory may be shared).  Returns 0, or -1 after
 * reporting. */
int ne_statedir_parent(const char *what, const char *file);

/* Opens (creating with mode 0600) a file in an ensured directory, never
 * through a symlink (O_NOFOLLOW).  flags as for open(2), O_CREAT and
 * O_CLOEXEC added.  Returns the fd or -1 with errno set (not reported). */
int ne_statedir_open(const char *path, int flags);

#endif
