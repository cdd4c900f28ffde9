/* SPDX-License-Identifier: Apache-2.0 */
/* interrupt.h: SIGINT and SIGTERM for a whole run.
 *
 * The first signal only sets a flag (async-signal-safe) and says so on
 * stderr: every long operation (a disk copy, a base-image upload, a wait,
 * the pause between retries) checks ne_interrupted() and stops at its next
 * safe point with the journal consistent; no new move starts.  A second
 * signal within NE_INTERRUPT_AGAIN_S seconds writes one line naming what
 * is in flight (the registry below) and exits at once with
 * NE_EXIT_INTERRUPTED; the drain journal already records those moves as in
 * flight, and `drain --resume` settles them from evidence. */
#ifndef NE_INTERRUPT_H
#define NE_INTERRUPT_H

#include <stdbool.h>

#define NE_INTERRUPT_AGAIN_S 3

/* Installs the handlers (idempotent).  hint, copied (may be NULL): the
 * next step printed with the in-flight line, e.g. "finish with 'nova-evac
 * drain node01 --resume'". */
void ne_interrupt_install(const char *hint);
/* True once SIGINT or SIGTERM arrived (after ne_interrupt_install). */
bool ne_interrupted(void);
/* The signal that interrupted, 0 if none. */
int ne_interrupt_signal(void);
/* Sleeps up to seconds, in short steps; -1 as soon as interrupted, else 0. */
int ne_sleep_interruptible(unsigned seconds);

/* The registry of what is in flight (instance names, or "base on host"),
 * read by the signal handler.  ne_inflight_add returns a slot for
 * ne_inflight_remove, or -1 when the registry is full (the name is then
 * only left out of the line).  Thread-safe; names are stored escaped. */
int ne_inflight_add(const char *what);
void ne_inflight_remove(int slot);

#endif
