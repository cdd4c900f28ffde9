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

#include "migrate/migrate.h"

enum ne_jstate { NE_J_NONE, NE_J_PLANNED, NE_J_MIGRATING, NE_J_MOVED, NE_J_FAILED, NE_J_SKIPPED,
                 NE_J_GONE };

struct ne_jentry {
    char uuid[37];
    char name[256];
    char dest[256];
    enum ne_jstate state;
    unsigned attempts;   /* "migrating" events seen */
    bool was_running;    /* the guest ran before the last attempt */
};

/* A file or directory the tool created (or was about to create) on a host
 * for an instance, from its "created" record (written and fsynced before
 * the creation) and "identity" record (what the host showed right after):
 * cleanup removes only such a path, and only while it still matches
 * (ne_made_matches, migrate.h). */
struct ne_jcreated {
    char uuid[37];
    unsigned attempt;    /* the instance's attempts count when recorded */
    long long ts;        /* when the created record was written */
    struct ne_made m;
};

struct ne_jreplay {
    bool started, finished;
    struct ne_jentry *e;
    size_t n, cap;
    size_t bad_lines;    /* torn or malformed lines skipped */
    size_t nul_runs;     /* runs of NUL bytes skipped (a crash after the size grew) */
    size_t nul_bytes;
    bool torn_tail;      /* the text did not end with a newline */
    struct ne_jcreated *c;
    size_t nc, capc;
};

struct ne_journal;

/* Locks <dir>/<host>.lock and opens <dir>/<host>.journal for appending
 * (directories created, the directory fsynced after the file is created).
 * Fails (reported) when another process holds the lock or the journal
 * cannot be read.  *prior gets the replay of what the journal already
 * holds; a torn tail (no final newline) is cut from the file at its last
 * newline so the next record starts a line, and NUL runs are skipped:
 * both are warned about. */
struct ne_journal *journal_open(const char *dir, const char *host, struct ne_jreplay *prior);
/* Appends the event (a JSON object; "ts" is added; stolen reference) as one
 * line and fsyncs it, then passes the fault point "journal:<event>"
 * (util/fault.h).  Thread-safe.  -1 (reported) on error: then the journal
 * is failed for good (journal_failed) and every later append fails too, a
 * partial line written is cut off; the caller must start no new work. */
int journal_append(struct ne_journal *j, json_t *event);
/* True after an append failed (ENOSPC, EIO): no promise can be kept. */
bool journal_failed(const struct ne_journal *j);
/* Starts a new journal file, keeping the old one as <host>.journal.<time>
 * (the directory fsynced after the rename). */
int journal_rotate(struct ne_journal *j);
const char *journal_path(const struct ne_journal *j);
void journal_close(struct ne_journal *j);

/* The "created" record, before path (a file, or a directory when dir) is
 * created on host for instance uuid.  0 when durable; -1 (reported): do
 * not create it.  j may be NULL (nothing recorded, 0). */
int journal_created(struct ne_journal *j, const char *uuid, const char *host, const char *path,
                    bool dir);
/* The "identity" record right after the creation: what host showed then
 * (seen may be NULL for a directory). */
int journal_identity(struct ne_journal *j, const char *uuid, const char *host, const char *path,
                     const struct ne_file_stat *seen);
/* Hooks for ne_mig_opts that journal into j (thread-safe). */
struct ne_mig_journal journal_mig_hooks(struct ne_journal *j);
/* The created records of uuid (all attempts when attempt is 0, else that
 * attempt's), borrowed from r, into *out (newly allocated array of
 * pointers); returns how many. */
size_t journal_created_paths(const struct ne_jreplay *r, const char *uuid, unsigned attempt,
                             const struct ne_jcreated ***out);

/* Replays journal text (pure): lines that do not parse are counted and
 * skipped (a torn last line after kill -9), so are NUL bytes (counted in
 * runs); a NUL run also ends a line. */
void journal_replay_text(const char *text, struct ne_jreplay *out);
void journal_replay_buf(const char *buf, size_t len, struct ne_jreplay *out);
void journal_replay_free(struct ne_jreplay *r);
/* Borrowed entry for uuid, or NULL. */
const struct ne_jentry *journal_find(const struct ne_jreplay *r, const char *uuid);

#endif
