/* SPDX-License-Identifier: Apache-2.0 */
/* cmd-drain.c: `nova-evac drain HOST`: the whole evacuation.
 * `nova-evac plan HOST` (cmd-plan.c) prints the same plan without acting. */
#include <config.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "check/check.h"
#include "cmd/cmd.h"
#include "drain/drain-fleet.h"
#include "drain/drain-nova.h"
#include "drain/drain.h"
#include "drain/journal.h"
#include "cmd/migargs.h"
#include "cmd/osargs.h"
#include "report/report.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/mem.h"

static const struct ne_opt opts[] = {
    {"to", 't', OPT_LIST, "HOST", "destination hosts (default: every configured node but HOST)",
     NULL, NULL, NULL},
    {"dry-run", 'n', OPT_FLAG, NULL, "print the plan and change nothing", "resume", NULL, NULL},
    {"resume", 0, OPT_FLAG, NULL, "finish an interrupted drain from its journal", NULL, NULL, NULL},
    {"via", 0, OPT_STRING, "PATH", "who moves the instances", NULL, NULL, "auto|libvirt|nova"},
    {"max-parallel", 'j', OPT_STRING, "N|auto", "migrations at once (default auto: from one, "
     "raised while the aggregate rate rises and the migrations converge)", NULL, NULL, NULL},
    {"max-per-dest", 0, OPT_UINT, "N", "incoming migrations at once per destination (default: "
     "--max-parallel spread over the destinations, rounded up)",
     NULL, NULL, NULL},
    {"retries", 0, OPT_UINT, "N", "extra attempts after a failure that left the source intact "
     "(default 2)", NULL, NULL, NULL},
    {"reason", 0, OPT_STRING, "TEXT", "reason recorded when disabling the compute service", NULL,
     NULL, NULL},
    {"force-check", 0, OPT_LIST, "NAME", "go on despite this check's blockers (see nova-evac "
     "check)", "dry-run,resume", NULL, NULL},
    {"report", 0, OPT_STRING, "FILE", "write the run's HTML report (timeline, figures, failures) "
     "to FILE at the end, also after failures (see nova-evac report)", "dry-run", NULL, NULL},
    {"any-az", 0, OPT_FLAG, NULL, "with Nova: an instance may move out of its availability zone",
     NULL, NULL, NULL},
    NE_MIG_OPTS,
    NE_NO_STAGE_OPT,
    NE_DB_OPTS,
    NE_OS_OPTS,
    OPT_END,
};

/* Fills o from the command line; returns 0 or an exit code. */
int ne_drain_opts_from_args(const struct ne_args *args, struct ne_drain_opts *o, char *reason,
                            size_t rlen);
/* cmd-plan.c */
int ne_plan_exit(const struct ne_drain *dr, unsigned errors_before);

int
ne_drain_opts_from_args(const struct ne_args *args, struct ne_drain_opts *o, char *reason,
                        size_t rlen)
{
    unsigned long v;
    time_t now = time(NULL);
    struct tm tm;

    memset(o, 0, sizeof *o);
    if (ne_mig_opts_from_args(args, true, &o->mig) < 0) return NE_EXIT_USAGE;
    /* The drain stages once, before its workers start (drain-run.c). */
    o->stage_images = o->mig.stage_images;
    o->mig.stage_images = false;
    o->host = ne_args_pos(args, 0);
    o->to = ne_args_list(args, "to", &o->nto);
    o->any_az = ne_args_flag(args, "any-az");
    o->max_parallel = 0; /* -j auto */
    o->max_per_dest = 0; /* ne_drain_run spreads max_parallel */
    o->retries = 2;
    if (ne_args_str(args, "max-parallel") && !str_eq(ne_args_str(args, "max-parallel"), "auto")) {
        const char *j = ne_args_str(args, "max-parallel");
        char *end = NULL;
        errno = 0;
        v = strtoul(j, &end, 10);
        if (j[0] < '0' || j[0] > '9' || *end || errno || v > 100000) {
            ne_error("option -j/--max-parallel: expected a number of migrations or 'auto', got "
                     "'%s'", j);
            return NE_EXIT_USAGE;
        }
        if (v == 0) {
            ne_error("option -j/--max-parallel: 0 makes no sense here; give at least 1, or "
                     "'auto' (the default)");
            return NE_EXIT_USAGE;
        }
        o->max_parallel = (unsigned)v;
    }
    switch (ne_args_count(args, "max-per-dest", &v)) {
    case -1: return NE_EXIT_USAGE;
    case 1: o->max_per_dest = (unsigned)v;
    }
    if (ne_args_uint(args, "retries", &v)) o->retries = (unsigned)v;
    gmtime_r(&now, &tm);
    if (ne_args_str(args, "reason"))
        snprintf(reason, rlen, "%s", ne_args_str(args, "reason"));
    else
        snprintf(reason, rlen, "nova-evac drain %04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    o->reason = reason;
    return 0;
}

/* The Nova API cannot be reached: no instance is moved in this run (the
 * resume still settles, or reports, what the interrupted run left). */
static void
not_moved_api_down(struct ne_drain *dr)
{
    size_t i;

    for (i = 0; i < dr->n; i++) {
        struct ne_drain_item *it = &dr->items[i];
        if (it->state != NE_ITEM_PENDING || it->dest < 0) continue;
        it->state = NE_ITEM_FAILED;
        snprintf(it->why, sizeof it->why, "not moved: the Nova API cannot be reached; bring it "
                 "back, then 'nova-evac drain %s --resume'", dr->o->host);
    }
}

/* Before the first move (and before the compute service is disabled):
 * what would make a move fail once started, against every destination
 * the plan could reach (check.h).  A resume settles what is in flight
 * instead; a dry run is the plan. */
static int
precheck(const struct ne_drain *dr, const struct ne_args *args)
{
    const char **to = xcalloc(dr->nhosts + 1, sizeof *to);
    size_t k, nto = 0, nforce;
    const char *const *force = ne_args_list(args, "force-check", &nforce);
    int rc;

    for (k = 0; k < dr->nhosts; k++)
        if (dr->hosts[k].v) to[nto++] = dr->hosts[k].name;
    rc = ne_check_precheck(dr->cfg, dr->o->host, to, nto, force, nforce);
    free(to);
    return rc;
}

static int
run(struct ne_ctx *ctx, const struct ne_args *args)
{
    struct ne_config *cfg = ne_ctx_config(ctx);
    struct ne_drain_opts o;
    struct ne_drain dr;
    char reason[256];
    const char *via = ne_args_str(args, "via");
    const char *report = ne_args_str(args, "report");
    unsigned errors;
    int rc;

    if (!cfg) return NE_EXIT_USAGE;
    if ((rc = ne_drain_opts_from_args(args, &o, reason, sizeof reason)) != 0) return rc;
    o.dry_run = ne_args_flag(args, "dry-run");
    o.resume = ne_args_flag(args, "resume");
    o.json_events = ctx->format == NE_FORMAT_JSON && !o.dry_run;
    struct ne_drain_nova *dn = NULL;
    struct ne_mig_neutron nh = {0};
    FILE *rf = NULL;

    errors = ne_error_count();
    if (o.dry_run) {
        ne_drain_nova_readonly(args, cfg, &o, &dn); /* its errors count for the exit code */
        (void)ne_mig_neutron_from_args(args, NULL, &o.mig, &nh); /* the ports' plan; same */
    } else {
        rc = ne_drain_nova_from_args(args, cfg, via ? via : "auto", &o, &dn);
        /* --resume through Nova with the API unreachable: the moves left in
         * Nova's hands are reported unresolved, nothing else is done */
        if (rc == NE_EXIT_UNREACHABLE && o.resume && str_eq(via, "nova"))
            rc = ne_drain_nova_api_down_from_args(args, cfg, &o, &dn);
        if (rc != 0) return rc;
        if (!ne_drain_nova_api_down(dn)) ne_drain_nova_repair_stuck(dn, o.host);
        /* Neutron: ports follow each move through libvirt; checked after Nova's
         * (not with the API unreachable: Keystone is the same, and no move
         * is made then) */
        if (!ne_drain_nova_api_down(dn) &&
            (rc = ne_mig_neutron_from_args(args, cfg->state_dir, &o.mig, &nh)) != 0) {
            ne_drain_nova_close(dn);
            return rc;
        }
        errors = ne_error_count();
    }
    /* --resume settles the moves in flight while it plans, waits
     * included: from there on Ctrl-C stops it cleanly */
    if (o.resume && !o.dry_run) {
        CLEANUP_FREE char *rhint = xasprintf("the journal records them; finish with 'nova-evac "
                                             "drain %s --resume'", o.host);
        ne_interrupt_install(rhint);
    }
    rc = ne_drain_plan(&dr, cfg, &o);
    if (rc == 0 && ne_drain_nova_api_down(dn)) not_moved_api_down(&dr);
    if (rc == 0 && o.dry_run) {
        ne_drain_print_plan(&dr, ctx->format == NE_FORMAT_JSON);
        rc = ne_plan_exit(&dr, errors);
    } else if (rc == 0 && !o.resume && (rc = precheck(&dr, args)) != 0) {
        /* refused: nothing was moved, the service is still enabled */
    } else if (rc == 0 && !o.resume && (rc = ne_drain_disable_replan(&dr)) != 0) {
        /* the compute service could not be disabled (or the instances not
         * listed again after): nothing moved */
    } else if (rc == 0 && report && !(rf = fopen(report, "w"))) {
        /* --report: created before anything changes, written at the end */
        ne_syserror("drain %s: cannot create the report %s; nothing changed", o.host, report);
        rc = NE_EXIT_USAGE;
    } else if (rc == 0) {
        if (ctx->format != NE_FORMAT_JSON) ne_drain_print_plan(&dr, false);
        CLEANUP_FREE char *hint = xasprintf("the journal records them; finish with "
                                            "'nova-evac drain %s --resume'", o.host);
        ne_interrupt_install(hint);
        rc = ne_drain_run(&dr);
        if (rc == NE_EXIT_OK || rc == NE_EXIT_PARTIAL)
            ne_drain_print_summary(&dr, ctx->format == NE_FORMAT_JSON);
        if (rc == NE_EXIT_PARTIAL && ne_interrupted()) {
            ne_error("drain %s stopped by %s: finish it with 'nova-evac drain %s --resume'",
                     o.host, ne_interrupt_signal() == SIGTERM ? "SIGTERM" : "Ctrl-C", o.host);
            rc = NE_EXIT_INTERRUPTED;
        }
        if (rf && dr.j) {
            if (ne_report_file(journal_path(dr.j), rf) == 0) ne_info("drain %s: report written "
                                                                    "to %s", o.host, report);
            else ne_error("drain %s: the report %s could not be written; run 'nova-evac report "
                          "%s --output %s'", o.host, report, journal_path(dr.j), report);
        }
    }
    if (rf && fclose(rf) != 0) ne_syserror("drain %s: cannot write the report %s", o.host, report);
    ne_drain_free(&dr);
    ne_mig_neutron_close(&o.mig, &nh);
    ne_drain_nova_close(dn);
    return rc;
}

const struct ne_cmd cmd_drain = {
    "drain", "empty a host: plan, migrate every instance, journal, report", "HOST", 1, 1, opts, run,
};
