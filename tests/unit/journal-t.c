/* SPDX-License-Identifier: Apache-2.0 */
/* journal-t.c: replay, torn lines, NUL runs, locking, created records,
 * and a journal on a full filesystem. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "drain/journal.h"
#include "tap.h"
#include "util/mem.h"

#define U1 "11111111-0000-4000-8000-000000000001"
#define U2 "22222222-0000-4000-8000-000000000002"

#define U3 "33333333-0000-4000-8000-000000000003"

/* The whole file (NUL-terminated; *len without it). */
static char *
slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = xmalloc(1 << 20);

    *len = f ? fread(buf, 1, (1 << 20) - 1, f) : 0;
    buf[*len] = '\0';
    if (f) fclose(f);
    return buf;
}

static void
write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");

    if (f) {
        fwrite(data, 1, len, f);
        fclose(f);
    }
}

/* kill -9 in the middle of a write: the next record must not be glued to
 * the torn one (it would be lost with it). */
static void
test_torn_tail(const char *dir)
{
    static const char text[] = "{\"event\":\"start\"}\n"
                               "{\"event\":\"migrating\",\"uuid\":\"" U1 "\",\"dest\":\"node01\"}\n"
                               "{\"event\":\"mov";
    CLEANUP_FREE char *path = xasprintf("%s/torn.journal", dir);
    CLEANUP_FREE char *after = NULL;
    struct ne_jreplay r;
    struct ne_journal *j;
    size_t len;

    write_file(path, text, sizeof text - 1);
    j = journal_open(dir, "torn", &r);
    ok(j != NULL, "torn tail: journal opens");
    ok(r.bad_lines == 1, "torn tail: the torn record is counted");
    ok(journal_find(&r, U1) && journal_find(&r, U1)->state == NE_J_MIGRATING,
       "torn tail: the record before it replays");
    journal_replay_free(&r);
    if (j) journal_append(j, json_pack("{s:s, s:s, s:s}", "event", "moved", "uuid", U1, "dest", "node01"));
    journal_close(j);
    after = slurp(path, &len);
    ok(len > 0 && after[len - 1] == '\n' && !strstr(after, "\"mov{"),
       "torn tail: cut at the last newline, the next record starts its own line");
    j = journal_open(dir, "torn", &r);
    ok(journal_find(&r, U1) && journal_find(&r, U1)->state == NE_J_MOVED,
       "torn tail: the record appended after the repair replays (not lost)");
    is_int(r.bad_lines, 0, "torn tail: nothing torn any more");
    journal_replay_free(&r);
    journal_close(j);
}

/* A crash after the file grew but before its data reached the disk leaves
 * NUL bytes: they are skipped and counted, and what follows replays. */
static void
test_nul_runs(const char *dir)
{
    char text[512];
    size_t n = 0;
    CLEANUP_FREE char *path = xasprintf("%s/nul.journal", dir);
    struct ne_jreplay r;
    struct ne_journal *j;

    n += (size_t)snprintf(text + n, sizeof text - n,
                          "{\"event\":\"start\"}\n{\"event\":\"migrating\",\"uuid\":\"" U1
                          "\",\"dest\":\"node01\"}\n");
    memset(text + n, 0, 40);
    n += 40;
    n += (size_t)snprintf(text + n, sizeof text - n,
                          "{\"event\":\"moved\",\"uuid\":\"" U1 "\",\"dest\":\"node01\"}\n"
                          "{\"event\":\"migrating\",\"uuid\":\"" U2 "\",\"dest\":\"node03\"}\n");
    memset(text + n, 0, 100);
    n += 100;
    write_file(path, text, n);
    j = journal_open(dir, "nul", &r);
    ok(j != NULL, "NUL runs: journal opens");
    is_int(r.nul_runs, 2, "NUL runs: both runs counted");
    is_int(r.nul_bytes, 140, "NUL runs: their bytes counted");
    ok(journal_find(&r, U1) && journal_find(&r, U1)->state == NE_J_MOVED,
       "NUL runs: the record after a run replays (replay does not stop there)");
    ok(journal_find(&r, U2) && journal_find(&r, U2)->state == NE_J_MIGRATING,
       "NUL runs: the second instance is in flight");
    is_int(r.bad_lines, 0, "NUL runs: no record lost to them");
    journal_replay_free(&r);
    if (j) journal_append(j, json_pack("{s:s, s:s, s:s}", "event", "moved", "uuid", U2, "dest", "node03"));
    journal_close(j);
    j = journal_open(dir, "nul", &r);
    ok(journal_find(&r, U2) && journal_find(&r, U2)->state == NE_J_MOVED,
       "NUL runs: a record appended after them replays");
    journal_replay_free(&r);
    journal_close(j);
}

/* Created records: replayed per instance and attempt, with the identity
 * seen after creation; a path without an identity record is known but
 * not seen. */
static void
test_created(const char *dir)
{
    struct ne_jreplay r;
    struct ne_journal *j;
    const struct ne_jcreated **c = NULL;
    struct ne_file_stat seen = {.exists = true, .capacity = 1048576, .length = 1048576,
                                .format = "raw", .mtime = 1700000000};
    size_t n;

    j = journal_open(dir, "created", &r);
    journal_replay_free(&r);
    ok(j != NULL, "created: journal opens");
    if (!j) return;
    journal_append(j, json_pack("{s:s, s:s, s:s}", "event", "migrating", "uuid", U3, "dest", "node02"));
    ok(journal_created(j, U3, "node02", "/var/lib/nova/instances/" U3, true) == 0,
       "created: directory record written");
    ok(journal_identity(j, U3, "node02", "/var/lib/nova/instances/" U3, NULL) == 0,
       "created: directory identity written");
    ok(journal_created(j, U3, "node02", "/var/lib/nova/instances/" U3 "/disk", false) == 0,
       "created: file record written");
    ok(journal_identity(j, U3, "node02", "/var/lib/nova/instances/" U3 "/disk", &seen) == 0,
       "created: file identity written");
    journal_append(j, json_pack("{s:s, s:s, s:s}", "event", "migrating", "uuid", U3, "dest", "node02"));
    journal_created(j, U3, "node02", "/var/lib/nova/instances/" U3 "/disk", false);
    journal_created(NULL, U3, "node02", "/nowhere", false);
    {
        struct ne_mig_journal h = journal_mig_hooks(j);
        ok(h.step && h.step(h.ctx, U3, NE_MIG_STEP_DEFINED, "node02") == 0,
           "steps: the defined record is written through the move's hooks");
        h = journal_mig_hooks(NULL);
        ok(!h.created && !h.identity && !h.step, "steps: no journal, no hooks");
    }
    journal_close(j);

    j = journal_open(dir, "created", &r);
    n = journal_created_paths(&r, U3, 0, &c);
    is_int(n, 3, "created: every created record of the instance replays");
    free(c);
    n = journal_created_paths(&r, U3, 1, &c);
    is_int(n, 2, "created: two in the first attempt");
    ok(n == 2 && c[0]->m.dir && str_eq(c[0]->m.host, "node02"), "created: the directory first, on node02");
    ok(n == 2 && !c[1]->m.dir && c[1]->m.seen && c[1]->m.st.length == 1048576 &&
       c[1]->m.st.mtime == 1700000000 && str_eq(c[1]->m.st.format, "raw"),
       "created: the disk with the identity seen after creation");
    if (n == 2) {
        struct ne_file_stat now = seen;
        ok(ne_made_matches(&c[1]->m, &now), "created: the same file matches");
        now.length = 4096;
        now.capacity = 4096;
        ok(!ne_made_matches(&c[1]->m, &now), "created: another size does not");
        now = seen;
        now.mtime = 1600000000;
        ok(!ne_made_matches(&c[1]->m, &now), "created: an older file does not");
        now = seen;
        now.exists = false;
        ok(!ne_made_matches(&c[1]->m, &now), "created: an absent file does not");
    }
    free(c);
    ok(journal_find(&r, U3) && journal_find(&r, U3)->state == NE_J_MIGRATING &&
       journal_find(&r, U3)->attempts == 2, "steps: a step record leaves the instance in flight");
    n = journal_created_paths(&r, U3, 2, &c);
    ok(n == 1 && !c[0]->m.seen, "created: the second attempt's record, killed before its identity");
    ok(n == 1 && !ne_made_matches(&c[0]->m, &seen), "created: never seen, so never matched");
    free(c);
    n = journal_created_paths(&r, U1, 0, &c);
    is_int(n, 0, "created: nothing for another instance");
    free(c);
    journal_replay_free(&r);
    journal_close(j);
}

/* A journal on a full filesystem (an 8 KiB tmpfs in a private mount
 * namespace): the failing append is reported, leaves no partial line, and
 * the journal stays failed. */
static void
test_full(void)
{
    char dir[] = "/tmp/ne-journal-full-XXXXXX";
    CLEANUP_FREE char *path = NULL, *text = NULL;
    struct ne_jreplay r;
    struct ne_journal *j;
    size_t len, i;
    int rc = 0;

    if (geteuid() != 0 || !mkdtemp(dir) || unshare(CLONE_NEWNS) < 0 ||
        mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
        mount("ne-journal-t", dir, "tmpfs", 0, "size=8k,mode=0700") < 0) {
        printf("ok %d # SKIP full filesystem: needs root and mount namespaces (%s)\n", ++tap_n,
               strerror(errno));
        return;
    }
    j = journal_open(dir, "full", &r);
    journal_replay_free(&r);
    ok(j != NULL, "full: journal opens on an 8 KiB tmpfs (a page for the lock file's holder line)");
    for (i = 0; j && i < 10000 && rc == 0; i++)
        rc = journal_append(j, json_pack("{s:s, s:s, s:s, s:i}", "event", "migrating", "uuid", U1,
                                         "dest", "node01", "attempt", (int)i));
    ok(rc == -1, "full: an append fails with ENOSPC (after %zu)", i);
    ok(journal_failed(j), "full: the journal is failed");
    ok(journal_append(j, json_pack("{s:s}", "event", "finish")) == -1,
       "full: later appends fail too (no work on a journal with a hole)");
    journal_close(j);
    path = xasprintf("%s/full.journal", dir);
    text = slurp(path, &len);
    ok(len > 0 && text[len - 1] == '\n', "full: no partial record left at the end");
    journal_replay_text(text, &r);
    is_int(r.bad_lines, 0, "full: every record in the file parses");
    journal_replay_free(&r);
    umount(dir);
    rmdir(dir);
}

int
main(void)
{
    struct ne_jreplay r;
    const struct ne_jentry *e;
    char dir[] = "/tmp/ne-journal-XXXXXX";
    struct ne_journal *j, *j2;

    journal_replay_text("{\"event\":\"start\"}\n"
                        "{\"event\":\"planned\",\"uuid\":\"" U1 "\",\"name\":\"a\",\"dest\":\"node01\"}\n"
                        "{\"event\":\"migrating\",\"uuid\":\"" U1 "\",\"dest\":\"node01\"}\n"
                        "{\"event\":\"moved\",\"uuid\":\"" U1 "\",\"dest\":\"node01\"}\n"
                        "{\"event\":\"migrating\",\"uuid\":\"" U2 "\",\"dest\":\"node03\"}\n"
                        "{\"event\":\"mov", &r);
    ok(r.started && !r.finished, "started, not finished");
    is_int(r.bad_lines, 1, "torn last line (kill -9 mid-write) skipped");
    e = journal_find(&r, U1);
    ok(e && e->state == NE_J_MOVED, "first instance moved");
    is_str(e ? e->name : NULL, "a", "name kept from an earlier event");
    e = journal_find(&r, U2);
    ok(e && e->state == NE_J_MIGRATING, "second instance in flight");
    is_str(e ? e->dest : NULL, "node03", "in-flight destination kept");
    is_int(e ? e->attempts : 0, 1, "one attempt");
    journal_replay_free(&r);

    /* deleted in Nova during the drain: "gone" after its attempt */
    journal_replay_text("{\"event\":\"start\"}\n"
                        "{\"event\":\"migrating\",\"uuid\":\"" U1 "\",\"dest\":\"node01\"}\n"
                        "{\"event\":\"gone\",\"uuid\":\"" U1 "\",\"dest\":\"node01\"}\n", &r);
    e = journal_find(&r, U1);
    ok(e && e->state == NE_J_GONE, "a gone record: the instance is gone, not in flight");
    is_int(e ? e->attempts : 0, 1, "its one attempt counted");
    journal_replay_free(&r);

    journal_replay_text("not json\n{\"event\":\"moved\",\"uuid\":\"short\"}\n[1,2]\n", &r);
    is_int(r.n, 0, "events without a valid uuid ignored");
    is_int(r.bad_lines, 2, "garbage and non-objects counted");
    journal_replay_free(&r);

    ok(mkdtemp(dir) != NULL, "temp dir");
    j = journal_open(dir, "node02", &r);
    ok(j != NULL, "journal opens and locks");
    journal_replay_free(&r);
    ok(journal_append(j, json_pack("{s:s, s:s}", "event", "moved", "uuid", U1)) == 0, "append");
    j2 = journal_open(dir, "node02", &r);
    ok(j2 == NULL, "a second drain of the same host is refused");
    journal_close(j);
    j2 = journal_open(dir, "node02", &r);
    ok(j2 != NULL, "lock released on close");
    ok(journal_find(&r, U1) && journal_find(&r, U1)->state == NE_J_MOVED, "appended event replays");
    journal_replay_free(&r);
    ok(journal_rotate(j2) == 0, "rotate");
    journal_close(j2);
    j2 = journal_open(dir, "node02", &r);
    is_int(r.n, 0, "rotated journal starts empty");
    journal_replay_free(&r);
    journal_close(j2);
    test_torn_tail(dir);
    test_nul_runs(dir);
    test_created(dir);
    test_full();
    {
        CLEANUP_FREE char *cmd = xasprintf("rm -rf '%s'", dir);
        ok(system(cmd) == 0, "cleanup");
    }
    return done_testing();
}
