/* SPDX-License-Identifier: Apache-2.0 */
/* schedwait-t.c: a move through Nova that Nova's scheduler refuses
 * (drain/drain-schedwait.h): the sync interval read from nova.conf, the
 * bound and the pauses of the wait, and which answers of Nova count as the
 * scheduler's refusal (worth waiting for) rather than a failure. */
#include <config.h>

#include <stdio.h>

#include "drain/drain-schedwait.h"
#include "tap.h"
#include "util/ini.h"

static int
interval_of(const char *text, const char **from)
{
    struct ini *c = ini_parse(text, "nova.conf");
    int v = ne_sched_sync_interval(c, from);
    ini_free(c);
    return v;
}

/* The pauses of a whole wait, as "5 10 ..." */
static const char *
pauses(unsigned bound, int interval)
{
    static char buf[256];
    unsigned tries = 0, waited = 0, p;
    size_t n = 0;

    buf[0] = '\0';
    while ((p = ne_sched_wait_next(tries++, waited, bound, interval)) != 0 && n < sizeof buf - 8) {
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%u", n ? " " : "", p);
        waited += p;
    }
    return buf;
}

int
main(void)
{
    const char *from = NULL;

    /* the interval */
    is_int(ne_sched_sync_interval(NULL, &from), 120, "no nova.conf: Nova's default, 120 s");
    is_str(from, "Nova's default", "and says so");
    is_int(interval_of("[DEFAULT]\nscheduler_instance_sync_interval = 10\n", &from), 10,
           "nova.conf's value");
    is_str(from, "nova.conf", "and says so");
    is_int(interval_of("[DEFAULT]\nhost = x\n", &from), 120, "unset in nova.conf: 120 s");
    is_int(interval_of("[DEFAULT]\nscheduler_instance_sync_interval = ten\n", &from), 120,
           "not a number: Nova's default");
    is_str(from, "Nova's default", "and says so");
    is_int(interval_of("[filter_scheduler]\nscheduler_instance_sync_interval = 10\n", NULL), 120,
           "only [DEFAULT] counts");
    is_int(interval_of("[DEFAULT]\nscheduler_instance_sync_interval = -1\n", NULL), -1,
           "a negative interval is kept (the computes never sync)");

    /* the bound */
    is_int(ne_sched_wait_default(120), 180, "default bound: the interval and half of it");
    is_int(ne_sched_wait_default(10), 40, "lab interval 10 s: at least 30 s more, 40 s");
    is_int(ne_sched_wait_default(600), 900, "600 s: 900 s");
    is_int(ne_sched_wait_default(0), 0, "interval 0: no wait");
    is_int(ne_sched_wait_default(-1), 0, "never synced: no wait");

    /* the pauses */
    is_str(pauses(150, 120), "5 10 15 15 15 15 15 15 15 15 15",
           "120 s: 5 s doubling to an eighth of it, 15 s, up to 150 s");
    is_str(pauses(40, 10), "5 5 5 5 5 5 5 5", "10 s: every 5 s (an eighth of 10 is under 5)");
    is_str(pauses(300, 600), "5 10 20 30 30 30 30 30 30 30 30 25",
           "600 s: at most 30 s between tries");
    is_str(pauses(100, 80), "5 10 10 10 10 10 10 10 10 10 5", "80 s: at most an eighth, 10 s");
    is_str(pauses(7, 120), "5 2", "never past the bound");
    is_str(pauses(0, 120), "", "bound 0: no pause at all");
    is_int(ne_sched_wait_next(0, 150, 150, 120), 0, "bound reached: 0");
    is_int(ne_sched_wait_next(0, 200, 150, 120), 0, "past the bound: 0");

    /* what counts as the scheduler's refusal */
    ok(ne_sched_refused("ACTIVE", "node03", "node03", "node02", "error", "node02",
                        "conductor_live_migrate_instance: No valid host was found. There are not "
                        "enough hosts available."),
       "idle on the source, migration error, NoValidHost: refused");
    ok(ne_sched_refused("ACTIVE", "node03", "node03", "node02", "error", "node02", NULL),
       "no event details (before 2.84): counted as refused, the wait is bounded");
    ok(ne_sched_refused("SHUTOFF", "node03", "node03", "node02", "error", NULL, ""),
       "a stopped server, migration without destination: refused");
    ok(!ne_sched_refused("ACTIVE", "node03", "node03", "node02", "error", "node02",
                         "conductor_live_migrate_instance: Migration pre-check error: Unacceptable "
                         "CPU info"),
       "a pre-check error is not the scheduler's: no wait");
    ok(!ne_sched_refused("ERROR", "node03", "node03", "node02", "error", "node02", NULL),
       "server in ERROR: a failure, no wait");
    ok(!ne_sched_refused("MIGRATING", "node03", "node03", "node02", "error", "node02", NULL),
       "still migrating: no wait");
    ok(!ne_sched_refused("ACTIVE", "node01", "node03", "node02", "error", "node02", NULL),
       "on a third host: no wait");
    ok(!ne_sched_refused("ACTIVE", "node03", "node03", "node02", "failed", "node02", NULL),
       "migration failed (it had started): no wait");
    ok(!ne_sched_refused("ACTIVE", "node03", "node03", "node02", "error", "node01", NULL),
       "the newest migration is another destination's: no wait");
    ok(!ne_sched_refused("ACTIVE", "node03", "node03", "node02", NULL, NULL, NULL),
       "no migration record: no wait");
    ok(!ne_sched_refused(NULL, NULL, "node03", "node02", "error", NULL, NULL),
       "the server unknown: no wait");

    /* a cold migration to a named host (compute API 2.56): the same
     * refusal, read from the "migrate" action's conductor event */
    is_str(ne_sched_action(true), "migrate", "cold: the refusal is in the migrate action");
    is_str(ne_sched_action(false), "live-migration", "live: in the live-migration action");
    ok(ne_sched_refused("ACTIVE", "node02", "node02", "node01", "error", NULL,
                        "cold_migrate: No valid host was found. No valid host found "
                        "for cold migrate"),
       "cold: idle on the source, migration error without destination, NoValidHost: refused");
    ok(ne_sched_refused("SHUTOFF", "node02", "node02", "node01", "error", "node01",
                        "cold_migrate: No valid host was found. No valid host found "
                        "for cold migrate"),
       "cold, a stopped server put back SHUTOFF: refused");
    ok(!ne_sched_refused("ACTIVE", "node02", "node02", "node01", "error", NULL,
                         "cold_migrate: Unable to migrate instance to the current "
                         "host"),
       "cold, another conductor error: a failure, no wait");
    ok(!ne_sched_refused("VERIFY_RESIZE", "node02", "node02", "node01", "error", NULL, NULL),
       "a resize waiting for its confirmation is no refusal (an older record in error)");
    ok(!ne_sched_refused("RESIZE", "node02", "node02", "node01", "error", NULL, NULL),
       "a resize in progress is no refusal");
    ok(!ne_sched_refused("ACTIVE", "node02", "node02", "node01", "reverted", "node01", NULL),
       "a reverted cold migration is no refusal");
    return done_testing();
}
