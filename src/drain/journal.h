/* SPDX-License-Identifier: Apache-2.0 */
/* journal.h: the drain journal, one per host: append-only JSON lines,
 * fsync'ed after each event, under an exclusive lock so that two drains of
 * the same host cannot run at once.  Replaying it tells a resumed drain
 * what is done, what failed and what was in flight. */
#ifndef NE_JOURNAL_H
#define NE_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

enum ne_jstate { NE_J_NONE, NE_J_PLANNED, NE_J_MIGRATING, NE_J_MOVED, NE_J_FAILED, NE_J_SKIPPED };

struct ne_jentry {
    char uuid[37];
    char name[256];
    char dest[256];
    enum ne_jstate state;
    unsigned attempts;   /* "migrating" events seen */
    bool was_running;    /* the guest ran before the last attempt */
};

struct ne_jreplay {
    bool started, finished;
    struct ne_jentry *e;
    size_t n, cap;
    size_t bad_lines;    /* torn or malformed lines skipped */
};

struct ne_journal;

/* Locks <dir>/<host>.lock and opens <dir>/<host>.journal for appending
 * (directories created).  Fails (reported) when another process holds the
 * lock.  *prior gets the replay of what the journal already holds. */
struct ne_journal *journal_open(const char *dir, const char *host, struct ne_jreplay *prior);
/* Appends the event (a JSON object; "ts" is added; stolen reference) as one
 * line and fsyncs it.  -1 (reported) on error. */
int journal_append(struct ne_journal *j, json_t *event);
/* Starts a new journal file, keeping the old one as <host>.journal.<time>. */
int journal_rotate(struct ne_journal *j);
const char *journal_path(const struct ne_journal *j);
void journal_close(struct ne_journal *j);

/* Replays journal text (pure): lines that do not parse are counted and
 * skipped (a torn last line after kill -9). */
void journal_replay_text(const char *text, struct ne_jreplay *out);
void journal_replay_free(struct ne_jreplay *r);
/* Borrowed entry for uuid, or NULL. */
const struct ne_jentry *journal_find(const struct ne_jreplay *r, const char *uuid);

#endif
