/* SPDX-License-Identifier: Apache-2.0 */
/* fault.h: a test-only fault injection hook.  NOVA_EVAC_FAULT holds a
 * comma list of fault point names, each optionally followed by #N
 * ("journal:created#2"): the Nth time the process reaches that point
 * (first when #N is absent) it raises SIGKILL at once, flushing nothing,
 * as a kill -9 at that moment would.  Unset (production): a point costs one
 * flag test.  Tests kill the tool at chosen, journaled moments instead of
 * after a guessed sleep.  An item ending in "=stop" ("journal:planned#3=stop")
 * raises SIGSTOP instead: the whole process stops there until the test,
 * having changed the world (deleted a server in Nova, say), sends SIGCONT.
 *
 * The points, one after each journal record is durably written (the
 * record's event, see journal.h), stable names tests rely on: */
#ifndef NE_FAULT_H
#define NE_FAULT_H

#define NE_FAULT_NAMES                                                                        \
    "journal:start", "journal:planned", "journal:migrating", "journal:created",            \
        "journal:identity", "journal:defined", "journal:started",                          \
        "journal:source-undefined", "journal:job-done", "journal:moved", "journal:failed", \
        "journal:skipped", "journal:rolled-back", "journal:finish", "journal:staged"

/* Kills the process (SIGKILL) when name's count reaches the configured N.
 * Thread-safe.  Names not in the list above are accepted (any record kind
 * is "journal:<event>"). */
void ne_fault_point(const char *name);

#endif
