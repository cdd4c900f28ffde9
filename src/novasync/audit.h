/* SPDX-License-Identifier: Apache-2.0 */
/* audit.h: the audit log of every change made to Nova (HACKING.md rule 4):
 * append-only JSON lines, each written and fsync'ed before the tool goes
 * on, so the "before" line of a change is on disk before the change is
 * made.  Default file: <state_dir>/audit.log (mode 0600). */
#ifndef NE_AUDIT_H
#define NE_AUDIT_H

#include <jansson.h>

struct ne_audit;

/* Opens path for appending (its directory created).  NULL (reported) when
 * it cannot be written: no change may be made then. */
struct ne_audit *audit_open(const char *path);
/* Appends event (a JSON object, stolen reference) with "time" (UTC, ISO
 * 8601), "pid" and "user" added; fsyncs.  -1 (reported) on error. */
int audit_write(struct ne_audit *a, json_t *event);
const char *audit_path(const struct ne_audit *a);
void audit_close(struct ne_audit *a);

#endif
