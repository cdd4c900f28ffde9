/* SPDX-License-Identifier: Apache-2.0 */
/* cmd-undrain.c: `nova-evac undrain HOST`: re-enable HOST's nova-compute
 * service (the scheduler places instances there again), check it by
 * reading it back, and say what it was before. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/osargs.h"
#include "novasync/novasync.h"
#include "util/log.h"
#include "util/mem.h"

static const struct ne_opt opts[] = {
    NE_OS_OPTS,
    OPT_END,
};

/* The nova-compute service of host into *out; -1 (reported) otherwise. */
static int
service_of(struct ne_nova *nv, const char *host, struct ne_service *out)
{
    struct ne_service *s;
    size_t n, i;

    if (nova_services(nv, host, &s, &n) < 0) return -1;
    for (i = 0; i < n && !str_eq(s[i].host, host); i++)
        ;
    if (i == n) {
        ne_error("undrain: no nova-compute service on host %s in Nova (see 'nova-evac api "
                 "services')", host);
        ne_services_free(s, n);
        return -1;
    }
    *out = s[i];
    memset(&s[i], 0, sizeof s[i]);
    ne_services_free(s, n);
    return 0;
}

static void
report(const struct ne_ctx *ctx, const char *host, const struct ne_service *before,
       const struct ne_service *after)
{
    bool changed = !str_eq(before->status, "enabled");

    if (ctx->format == NE_FORMAT_JSON) {
        ne_json_print(json_pack("{s:s, s:b, s:s?, s:s?, s:o}", "host", host, "changed", changed,
                                "previous_status", before->status, "previous_reason",
                                before->disabled_reason, "service", ne_service_json(after)),
                      stdout);
    } else if (changed) {
        printf("%s: nova-compute enabled (was %s%s%s%s)\n", host, before->status,
               before->disabled_reason ? ": \"" : "",
               before->disabled_reason ? before->disabled_reason : "",
               before->disabled_reason ? "\"" : "");
    } else {
        printf("%s: nova-compute already enabled; nothing changed\n", host);
    }
}

/* The enable, audited (before/after) in <state_dir>/audit.log: refused
 * (exit 3) when that log cannot be written.  An exit code. */
static int
enable(struct ne_ctx *ctx, struct ne_nova *nv, const char *host)
{
    struct ne_config *cfg = ne_ctx_config(ctx);
    struct ne_novasync *ns;
    int rc;

    if (!cfg) return NE_EXIT_USAGE;
    if (!(ns = novasync_open(cfg->state_dir, NULL))) return NE_EXIT_REFUSED;
    rc = NE_EXIT_OK;
    if (novasync_service(ns, nv, NULL, host, true, NULL) < 0)
        rc = novasync_call_err(ns) == NE_OS_OK ? NE_EXIT_REFUSED
                                               : ne_os_exit(novasync_call_err(ns));
    novasync_close(ns);
    return rc;
}

static int
run(struct ne_ctx *ctx, const struct ne_args *args)
{
    const char *host = ne_args_pos(args, 0);
    struct ne_service before = {0}, after = {0};
    struct ne_os *os;
    struct ne_nova *nv;
    int rc;

    if (ne_check_hostname(host) < 0) return NE_EXIT_USAGE;
    rc = ne_nova_from_args(args, &os, &nv);
    if (rc != NE_EXIT_OK) return rc;
    if (service_of(nv, host, &before) < 0) {
        rc = nova_err(nv) == NE_OS_OK ? NE_EXIT_USAGE : ne_os_exit(nova_err(nv));
    } else if (!str_eq(before.status, "enabled") && (rc = enable(ctx, nv, host)) != NE_EXIT_OK) {
        /* reported */
    } else if (service_of(nv, host, &after) < 0) {
        rc = ne_os_exit(nova_err(nv));
    } else if (!str_eq(after.status, "enabled")) {
        ne_error("undrain: nova-compute on %s still reads '%s' after enabling it; check "
                 "nova-api's log", host, after.status ? after.status : "?");
        rc = NE_EXIT_UNREACHABLE;
    } else {
        report(ctx, host, &before, &after);
    }
    ne_service_clear(&before);
    ne_service_clear(&after);
    nova_close(nv);
    ne_os_close(os);
    return rc;
}

const struct ne_cmd cmd_undrain = {
    "undrain", "re-enable the nova-compute service of a host", "HOST", 1, 1, opts, run,
};
