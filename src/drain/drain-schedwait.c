/* SPDX-License-Identifier: Apache-2.0 */
/* drain-schedwait.c: see drain-schedwait.h. */
#include <config.h>

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "drain/drain-schedwait.h"
#include "util/ini.h"

int
ne_sched_sync_interval(const struct ini *nova_conf, const char **from)
{
    const char *v = nova_conf ? ini_get(nova_conf, "DEFAULT", "scheduler_instance_sync_interval")
                              : NULL;
    char *end = NULL;
    long n;

    if (from) *from = "Nova's default";
    if (!v) return NE_SCHED_SYNC_DEFAULT_S;
    errno = 0;
    n = strtol(v, &end, 10);
    while (end && (*end == ' ' || *end == '\t')) end++;
    if (end == v || (end && *end) || errno || n > INT_MAX / 2 || n < INT_MIN / 2)
        return NE_SCHED_SYNC_DEFAULT_S;
    if (from) *from = "nova.conf";
    return (int)n;
}

unsigned
ne_sched_wait_default(int interval)
{
    unsigned half = (unsigned)interval / 2;

    if (interval <= 0) return 0;
    return (unsigned)interval + (half > NE_SCHED_WAIT_MARGIN_S ? half : NE_SCHED_WAIT_MARGIN_S);
}

unsigned
ne_sched_wait_next(unsigned tries, unsigned waited, unsigned bound, int interval)
{
    unsigned cap = 30, step = 5;

    if (waited >= bound) return 0;
    if (interval > 0 && (unsigned)interval / 8 < cap) cap = (unsigned)interval / 8;
    if (cap < 5) cap = 5;
    while (tries-- > 0 && step < cap) step *= 2;
    if (step > cap) step = cap;
    return step < bound - waited ? step : bound - waited;
}

static bool
eq(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

bool
ne_sched_refused(const char *status, const char *host, const char *from, const char *to,
                 const char *mig_status, const char *mig_dest, const char *event_details)
{
    if (!eq(host, from) || !status || eq(status, "ERROR") || eq(status, "MIGRATING") ||
        eq(status, "RESIZE") || eq(status, "VERIFY_RESIZE") || eq(status, "REVERT_RESIZE"))
        return false;
    if (!eq(mig_status, "error")) return false;
    if (mig_dest && *mig_dest && to && !eq(mig_dest, to)) return false;
    return !event_details || !*event_details || strstr(event_details, "No valid host") != NULL;
}

const char *
ne_sched_action(bool cold)
{
    return cold ? "migrate" : "live-migration";
}
