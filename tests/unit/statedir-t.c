/* SPDX-License-Identifier: Apache-2.0 */
/* statedir-t.c: local path checks, and the state directory made the same
 * (0700, a real directory) whichever command makes it first. */
#include <config.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "drain/journal.h"
#include "novasync/audit.h"
#include "tap.h"
#include "util/mem.h"
#include "util/statedir.h"

static unsigned
mode_of(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0 ? (unsigned)(st.st_mode & 07777) : 01;
}

/* The users of the state dir make it through the helper: the journal (a
 * drain), the audit log (also a custom --audit-log), the lock files. */
static void
users(const char *top)
{
    char *jd = xasprintf("%s/j", top), *sd = xasprintf("%s/j/state", top), *p, *t;
    struct ne_jreplay prior;
    struct ne_journal *j;
    struct ne_audit *a;

    if (mkdir(jd, 0755) < 0 || mkdir(sd, 0755) < 0) ok(0, "mkdir");
    free(jd);
    j = journal_open(sd, "node01", &prior);
    ok(j != NULL, "journal opened in an existing 0755 state dir");
    is_int(mode_of(sd), 0700, "the journal sets the state dir to 0700");
    p = xasprintf("%s/node01.journal", sd);
    is_int(mode_of(p), 0600, "journal file 0600");
    free(p);
    journal_close(j);
    journal_replay_free(&prior);

    p = xasprintf("%s/j/link", top);
    if (symlink(sd, p) < 0) ok(0, "symlink");
    chmod(sd, 0755);
    j = journal_open(p, "node01", &prior);
    ok(j == NULL, "the journal refuses a symlink as state dir");
    is_int(mode_of(sd), 0755, "... and leaves its target alone");
    journal_replay_free(&prior);
    free(p);

    p = xasprintf("%s/node02.journal", sd);
    t = xasprintf("%s/j/target", top);
    close(open(t, O_CREAT | O_WRONLY, 0644));
    if (symlink(t, p) < 0) ok(0, "symlink");
    j = journal_open(sd, "node02", &prior);
    ok(j == NULL, "a journal that is a symlink is not opened");
    journal_replay_free(&prior);
    unlink(p);
    free(p);

    p = xasprintf("%s/j/logs/sub/audit.log", top);
    a = audit_open(p);
    ok(a != NULL, "a custom audit log in a missing directory");
    audit_close(a);
    is_int(mode_of(p), 0600, "audit log 0600");
    free(p);
    p = xasprintf("%s/j/logs/sub", top);
    is_int(mode_of(p), 0700, "its missing directory made 0700, as the state dir");
    free(p);
    p = xasprintf("%s/j", top);
    is_int(mode_of(p), 0755, "an existing directory above it is left as it was");
    free(p);
    p = xasprintf("%s/j/logs/sub/link.log", top);
    if (symlink(t, p) < 0) ok(0, "symlink");
    ok(audit_open(p) == NULL, "an audit log that is a symlink is not opened");
    is_int(mode_of(t), 0644, "... and its target untouched");
    ok(audit_open("relative/audit.log") == NULL, "a relative audit log path is refused");
    free(p);
    free(t);
    free(sd);
}

int
main(void)
{
    char top[] = "/tmp/ne-statedir-XXXXXX";
    char *sd, *p;
    int fd;

    ok(ne_path_check("t", "/var/lib/nova-evac") == 0, "absolute path accepted");
    ok(ne_path_check("t", "var/lib/nova-evac") < 0, "relative path refused");
    ok(ne_path_check("t", "/var/lib/../../etc") < 0, "'..' refused");
    ok(ne_path_check("t", "/var/./lib") < 0, "'.' refused");
    ok(ne_path_check("t", "/var/lib/..x/y.") == 0, "dots inside names are fine");
    ok(ne_path_check("t", "/var/lib\n/x") < 0, "control character refused");
    ok(ne_path_check("t", "") < 0, "empty refused");

    umask(022);
    if (!mkdtemp(top)) return 1;
    sd = xasprintf("%s/a/state", top);
    ok(ne_statedir_ensure(sd, "locks") == 0, "state dir and locks made, parents too");
    is_int(mode_of(sd), 0700, "state dir 0700");
    p = xasprintf("%s/locks", sd);
    is_int(mode_of(p), 0700, "locks 0700");
    free(p);
    p = xasprintf("%s/a", top);
    is_int(mode_of(p), 0755, "a missing parent is made 0755");
    free(p);

    /* before: images made it 0755 and the journal 0700, whichever first */
    chmod(sd, 0755);
    ok(ne_statedir_ensure(sd, NULL) == 0, "existing state dir accepted");
    is_int(mode_of(sd), 0700, "an existing 0755 state dir is set to 0700");

    p = xasprintf("%s/lock", sd);
    fd = ne_statedir_open(p, O_RDWR);
    ok(fd >= 0, "file opened in the state dir");
    is_int(mode_of(p), 0600, "files 0600");
    close(fd);
    unlink(p);
    free(p);

    /* a symlink planted where the state dir goes is not followed */
    p = xasprintf("%s/link", top);
    if (symlink("/tmp", p) < 0) return 1;
    ok(ne_statedir_ensure(p, NULL) < 0, "a symlink as state dir refused");
    is_int(mode_of("/tmp") & 0777, 0777, "... and its target untouched");
    free(p);
    p = xasprintf("%s/locks/x.lock", sd);
    {
        char *t = xasprintf("%s/target", top);
        int tfd = open(t, O_CREAT | O_WRONLY, 0644);
        close(tfd);
        if (symlink(t, p) < 0) return 1;
        ok(ne_statedir_open(p, O_RDWR) < 0, "a lock file that is a symlink is not opened");
        unlink(p);
        unlink(t);
        free(t);
    }
    free(p);
    ok(ne_statedir_ensure(sd, "../escape") < 0, "'..' in the subdirectory refused");
    users(top);

    p = xasprintf("rm -rf '%s'", top);
    if (system(p) != 0) ok(0, "cleanup");
    free(p);
    free(sd);
    return done_testing();
}
