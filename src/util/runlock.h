/* SPDX-License-Identifier: Apache-2.0 */
/* runlock.h: the locks that keep two runs of nova-evac off the same host
 * and the same instance.
 *
 *   <state_dir>/HOST.lock                    a drain of HOST holds it
 *                                            exclusively (journal.c); a
 *                                            migrate from HOST holds it shared
 *   <state_dir>/locks/instance-UUID.lock     whoever moves UUID holds it
 *                                            exclusively: migrate for its whole
 *                                            run, a drain for every instance
 *                                            of its plan, from start to end
 *
 * flock(2) locks: the kernel drops them when the process dies (kill -9
 * included), so a stale lock never blocks.  Each holder writes its pid and
 * what it runs into the file; a refusal names them. */
#ifndef NE_RUNLOCK_H
#define NE_RUNLOCK_H

#include <stdbool.h>
#include <stddef.h>

/* Takes the lock at path (the file created 0600, never through a
 * symlink), without waiting; exclusive unless shared.  what says what this
 * process does ("migrate of vm1 from node01"), written with its pid.
 * Returns the fd holding the lock (>= 0; kept until ne_runlock_release or
 * the process ends), -1 when another process holds it (holder gets "pid N
 * (what it runs)", or "another process" when it wrote nothing), or -2 on
 * a system error (reported). */
int ne_runlock_take(const char *path, bool shared, const char *what, char *holder, size_t hlen);
void ne_runlock_release(int fd);

/* <state_dir>/HOST.lock, and <state_dir>/locks/instance-UUID.lock with
 * <state_dir>/locks created (statedir.h); newly allocated, or NULL after
 * reporting (the directory cannot be created). */
char *ne_runlock_host_path(const char *state_dir, const char *host);
char *ne_runlock_instance_path(const char *state_dir, const char *uuid);

#endif
