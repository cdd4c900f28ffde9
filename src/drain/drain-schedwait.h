/* SPDX-License-Identifier: Apache-2.0 */
/* drain-schedwait.h: a move through Nova that Nova's scheduler refuses
 * although the plan found the destination valid.
 *
 * Nova's scheduler keeps, per compute host, a list of the instances on it
 * (host_manager's instance info, kept while [filter_scheduler]
 * track_instance_changes is on, the default); the (anti-)affinity filters
 * read it.  After a live migration the source's nova-compute sends that
 * list an update naming the instance under the *source* host (Zed's
 * _post_live_migration) and nobody tells it the instance left: the
 * scheduler still counts it on the source until that compute's periodic
 * sync (scheduler_instance_sync_interval, 120 s by default) finds the
 * mismatch and the list is re-read from the database.  A drain in waves
 * trips on it: wave 2 sends an anti-affinity member to a host that wave 1
 * emptied a moment ago, and the scheduler answers NoValidHost.
 *
 * A cold migration to a named host (compute API 2.56) meets the same
 * list through the same filters; its refusal looks alike.
 *
 * What the drain does about it: when Nova refused the move (live or
 * cold) before anything moved (the server idle on its source, its
 * migration record "error", the action's event "No valid host"), it
 * waits, saying what for, and asks again, for a bounded time
 * (--scheduler-wait, by default that sync interval from nova.conf plus a
 * margin); then it stops with the next step.  These are the pure parts. */
#ifndef NE_DRAIN_SCHEDWAIT_H
#define NE_DRAIN_SCHEDWAIT_H

#include <stdbool.h>
#include <stddef.h>

struct ini;

/* Nova's default scheduler_instance_sync_interval, and the least that is
 * added to it for the periodic task's lateness (it runs after the other
 * periodic tasks of nova-compute that are due: 125 s of refusals were
 * seen with the 120 s default on a loaded lab) and the scheduler's
 * processing: half the interval, at least this. */
#define NE_SCHED_SYNC_DEFAULT_S 120
#define NE_SCHED_WAIT_MARGIN_S 30

/* The sync interval nova.conf ([DEFAULT] scheduler_instance_sync_interval)
 * sets, Nova's default when absent or not a number; *from says where it
 * came from ("nova.conf" or "Nova's default").  0 or less: the computes
 * never sync (Nova skips a periodic task with a negative spacing). */
int ne_sched_sync_interval(const struct ini *nova_conf, const char **from);

/* The default bound of the wait for an interval: the interval and half
 * of it (at least NE_SCHED_WAIT_MARGIN_S more): 180 s for Nova's default;
 * 0 when the computes never sync (waiting cannot help then). */
unsigned ne_sched_wait_default(int interval);

/* The next pause (seconds) after waited seconds of a bound: 5 s, doubled
 * after each try, at most an eighth of the interval (15 s for Nova's
 * default), between 5 and 30 s, never past the bound; 0 when the bound is
 * reached.  Each try that Nova refuses leaves a migration record in
 * "error": not more often than that. */
unsigned ne_sched_wait_next(unsigned tries, unsigned waited, unsigned bound, int interval);

/* Whether what Nova shows after a live or cold migration to a named host
 * is a scheduler refusal worth waiting for: the server idle (not ERROR,
 * not migrating, not in a resize) on from, the newest migration record
 * "error" (dest_compute to, or unset), and the action's error event, when
 * Nova gives one (compute API 2.84), "No valid host" (a live move's
 * conductor_live_migrate_instance, a cold one's cold_migrate:
 * "No valid host found for cold migrate").  Any argument may be NULL
 * (unknown). */
bool ne_sched_refused(const char *status, const char *host, const char *from, const char *to,
                      const char *mig_status, const char *mig_dest, const char *event_details);

/* The instance action whose error event says why Nova refused a move:
 * "migrate" for a cold migration (Nova's os-migrations type "migration"),
 * "live-migration" for a live one. */
const char *ne_sched_action(bool cold);

#endif
