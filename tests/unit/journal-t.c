/* SPDX-License-Identifier: Apache-2.0 */
/* journal-t.c: replay, torn lines, locking. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "drain/journal.h"
#include "tap.h"
#include "util/mem.h"

#define U1 "11111111-0000-4000-8000-000000000001"
#define U2 "22222222-0000-4000-8000-000000000002"

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
    {
        CLEANUP_FREE char *cmd = xasprintf("rm -rf '%s'", dir);
        ok(system(cmd) == 0, "cleanup");
    }
    return done_testing();
}
