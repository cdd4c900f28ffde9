/* SPDX-License-Identifier: Apache-2.0 */
/* progress.h: one progress line on stderr, redrawn in place, only when
 * stderr is a terminal and --quiet is not given.  Never shows 100% before
 * the caller says done. */
#ifndef NE_PROGRESS_H
#define NE_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

/* Progress callback for copies and hashes: bytes done so far of total. */
typedef void (*ne_copy_progress)(uint64_t done, uint64_t total, void *opaque);

/* Turns bars off for the whole process (parallel work draws its own). */
void progress_disable(void);
/* True when bars should be drawn. */
bool progress_enabled(void);
/* Draws "label [#####.....] 42% text"; frac is clamped below 1.0. */
void progress_draw(const char *label, double frac, const char *text);
/* Ends the line (prints the final text, 100% only when ok). */
void progress_done(const char *label, bool ok, const char *text);

#endif
