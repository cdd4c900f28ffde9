/* SPDX-License-Identifier: Apache-2.0 */
/* drain-wait.c: the waits between a drain's retries: a libvirtd that does
 * not answer is waited for (bounded, with a countdown), every pause stops
 * at an interruption. */
#include <config.h>

#include <unistd.h>

#include "drain/drain-int.h"
#include "drain/drain-schedwait.h"
#include "util/ini.h"
#include "util/log.h"

/* Whether host's libvirtd answers now (the run's connection, reconnected
 * when it died). */
static bool
host_answers(struct ne_drain *dr, const char *host)
{
    struct ne_virt *v = virt_open(dr->cfg, host);
    struct ne_hostinfo hi;
    bool ok = v && virt_hostinfo(v, &hi) == 0;

    if (ok) ne_hostinfo_clear(&hi);
    virt_close(v);
    return ok;
}

/* The drain's source or to, whichever libvirtd does not answer now, or
 * NULL when both do. */
const char *
drain_host_down(struct ne_drain *dr, const char *to)
{
    if (!host_answers(dr, dr->o->host)) return dr->o->host;
    if (!host_answers(dr, to)) return to;
    return NULL;
}

/* Sleeps s seconds unless interrupted (then -1). */
int
drain_pause(unsigned s)
{
    while (s-- > 0) {
        if (ne_migrate_interrupted()) return -1;
        sleep(1);
    }
    return ne_migrate_interrupted() ? -1 : 0;
}

/* Waits for host's libvirtd to answer again, probing it with a growing
 * pause (5 s, doubling, at most 30 s) and a countdown on stderr; *waited
 * counts the seconds this instance already waited, against
 * NE_DRAIN_HOST_WAIT_S.  0 when it answers, -1 when the time is up or
 * the drain is interrupted. */
int
drain_wait_for_host(struct ne_drain *dr, const struct ne_drain_item *it, const char *host,
              unsigned *waited)
{
    unsigned step = 5;

    while (*waited < NE_DRAIN_HOST_WAIT_S) {
        unsigned left = NE_DRAIN_HOST_WAIT_S - *waited, pause = step < left ? step : left;
        ne_info("%s: %s's libvirtd does not answer; waiting for it to come back (%u:%02u left, "
                "next try in %u s)", it->d->name, host, left / 60, left % 60, pause);
        if (drain_pause(pause) < 0) return -1;
        *waited += pause;
        step = step * 2 > 30 ? 30 : step * 2;
        if (host_answers(dr, host)) {
            ne_info("%s: %s's libvirtd answers again; retrying", it->d->name, host);
            return 0;
        }
    }
    return -1;
}

int
drain_wait_for_scheduler(struct ne_drain *dr, const struct ne_drain_item *it, const char *to,
                         unsigned tries, unsigned *waited, char *gave_up, size_t len)
{
    struct ini *nc = dr->cfg->nova_conf && *dr->cfg->nova_conf
                         ? ini_load(dr->cfg->nova_conf, true) : NULL;
    const char *from = NULL;
    int interval = ne_sched_sync_interval(nc, &from);
    unsigned bound = dr->o->sched_wait >= 0 ? (unsigned)dr->o->sched_wait
                                            : ne_sched_wait_default(interval);
    unsigned pause = ne_sched_wait_next(tries, *waited, bound, interval);
    char iv[160];

    ini_free(nc);
    if (interval > 0)
        snprintf(iv, sizeof iv, "scheduler_instance_sync_interval, %d s: %s", interval, from);
    else
        snprintf(iv, sizeof iv, "never here: scheduler_instance_sync_interval is %d in %s",
                 interval, dr->cfg->nova_conf);
    if (pause == 0) {
        if (tries == 0)
            snprintf(gave_up, len, "Nova's scheduler refused %s (NoValidHost) and %s; when %s "
                     "holds no member of its server group and has room, 'nova-evac drain %s "
                     "--resume' asks again", to, bound == 0 && dr->o->sched_wait == 0
                     ? "--scheduler-wait is 0" : "its instance lists are never synced",
                     to, dr->o->host);
        else
            snprintf(gave_up, len, "Nova's scheduler still refused %s after %u s (--scheduler-"
                     "wait %u); nova-scheduler's log names the filter ('Filtering removed all "
                     "hosts'); once it passes, 'nova-evac drain %s --resume'", to, *waited, bound,
                     dr->o->host);
        return -1;
    }
    if (tries == 0)
        ne_info("%s: waiting for Nova's scheduler to accept %s, which the plan found valid: "
                "after a migration (live or cold) the scheduler still counts the instance on "
                "the host it left (for its server-group filters) until that host's "
                "nova-compute sends its instance list (%s); asking again in %u s, for up to "
                "%u s (--scheduler-wait)",
                it->d->name, to, iv, pause, bound);
    else
        ne_info("%s: Nova's scheduler still refuses %s; asking again in %u s (%u of %u s "
                "waited)", it->d->name, to, pause, *waited, bound);
    if (drain_pause(pause) < 0) return -1;
    *waited += pause;
    return 0;
}
