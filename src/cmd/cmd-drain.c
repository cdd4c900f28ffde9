/* SPDX-License-Identifier: Apache-2.0 */
/* cmd-drain.c: `nova-evac drain HOST...`: the whole evacuation, of one host
 * or of several in waves (drain/drain-waves.h).
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
#include "drain/drain-waves.h"
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
    {"scheduler-wait", 0, OPT_UINT, "SECONDS", "with --via nova: how long to wait and ask again "
     "while Nova's scheduler refuses a destination the plan found valid (default: nova.conf's "
     "scheduler_instance_sync_interval and half of it, at least 30 s more; 180 s when unset; 0: do "
     "not wait)", NULL, NULL,
     NULL},
    {"reason", 0, OPT_STRING, "TEXT", "reason recorded when disabling the compute service", NULL,
     NULL, NULL},
    {"force-check", 0, OPT_LIST, "NAME", "go on despite this check's blockers (see nova-evac "
     "check)", "dry-run,resume", NULL, NULL},
    {"report", 0, OPT_STRING, "FILE", "write the run's HTML report (timeline, figures, failures) "
     "to FILE at the end, also after failures (see nova-evac report)", "dry-run", NULL, NULL},
    {"any-az", 0, OPT_FLAG, NULL, "with Nova: an instance may move out of its availability zone",
     NULL, NULL, NULL},
    {"waves", 0, OPT_FLAG, NULL, "several hosts: empty them in waves, each fitting what the rest "
     "of the fleet has free (Nova's capacity, server groups, zones)", NULL, NULL, NULL},
    {"wave-size", 0, OPT_UINT, "N", "with --waves: at most N hosts per wave", NULL, "waves", NULL},
    {"between-waves", 0, OPT_STRING, "CMD", "with --waves: run CMD (sh -c, the wave's hosts as "
     "arguments, NOVA_EVAC_WAVE set) after each wave but the last; a non-zero exit stops the run",
     NULL, "waves", NULL},
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
    o->sched_wait = -1;
    if (ne_args_uint(args, "scheduler-wait", &v)) {
        if (v > 86400) {
            ne_error("option --scheduler-wait: %lu s is more than a day; give the seconds to wait "
                     "for Nova's scheduler (0: do not wait)", v);
            return NE_EXIT_USAGE;
        }
        o->sched_wait = (int)v;
    }
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

/* One host's drain after Nova and Neutron are set up (o->nova, o->mig):
 * plan, check, disable and plan again, move, summary, report. */
static int
drain_one(struct ne_ctx *ctx, const struct ne_args *args, struct ne_config *cfg,
          struct ne_drain_opts *o, struct ne_drain_nova *dn, const char *report, unsigned errors)
{
    struct ne_drain dr;
    FILE *rf = NULL;
    int rc;

    /* --resume settles the moves in flight while it plans, waits
     * included: from there on Ctrl-C stops it cleanly */
    if (o->resume && !o->dry_run) {
        CLEANUP_FREE char *rhint = xasprintf("the journal records them; finish with 'nova-evac "
                                             "drain %s --resume'", o->host);
        ne_interrupt_install(rhint);
    }
    rc = ne_drain_plan(&dr, cfg, o);
    if (rc == 0 && ne_drain_nova_api_down(dn)) not_moved_api_down(&dr);
    if (rc == 0 && o->dry_run) {
        ne_drain_print_plan(&dr, ctx->format == NE_FORMAT_JSON);
        rc = ne_plan_exit(&dr, errors);
    } else if (rc == 0 && !o->resume && (rc = precheck(&dr, args)) != 0) {
        /* refused: nothing was moved, the service is still enabled */
    } else if (rc == 0 && !o->resume && (rc = ne_drain_disable_replan(&dr)) != 0) {
        /* the compute service could not be disabled (or the instances not
         * listed again after): nothing moved */
    } else if (rc == 0 && report && !(rf = fopen(report, "w"))) {
        /* --report: created before anything changes, written at the end */
        ne_syserror("drain %s: cannot create the report %s; nothing changed", o->host, report);
        rc = NE_EXIT_USAGE;
    } else if (rc == 0) {
        if (ctx->format != NE_FORMAT_JSON) ne_drain_print_plan(&dr, false);
        CLEANUP_FREE char *hint = xasprintf("the journal records them; finish with "
                                            "'nova-evac drain %s --resume'", o->host);
        ne_interrupt_install(hint);
        rc = ne_drain_run(&dr);
        if (rc == NE_EXIT_OK || rc == NE_EXIT_PARTIAL)
            ne_drain_print_summary(&dr, ctx->format == NE_FORMAT_JSON);
        if (rc == NE_EXIT_PARTIAL && ne_interrupted()) {
            ne_error("drain %s stopped by %s: finish it with 'nova-evac drain %s --resume'",
                     o->host, ne_interrupt_signal() == SIGTERM ? "SIGTERM" : "Ctrl-C", o->host);
            rc = NE_EXIT_INTERRUPTED;
        }
        if (rf && dr.j) {
            if (ne_report_file(journal_path(dr.j), rf) == 0) ne_info("drain %s: report written "
                                                                    "to %s", o->host, report);
            else ne_error("drain %s: the report %s could not be written; run 'nova-evac report "
                          "%s --output %s'", o->host, report, journal_path(dr.j), report);
        }
    }
    if (rf && fclose(rf) != 0) ne_syserror("drain %s: cannot write the report %s", o->host, report);
    ne_drain_free(&dr);
    return rc;
}

/* drain HOST HOST... / --waves: each host's drain as drain_one does it. */
struct waves_ctx {
    struct ne_ctx *ctx;
    const struct ne_args *args;
    struct ne_config *cfg;
    const struct ne_drain_opts *base;
    struct ne_drain_nova *dn;
};

static int
waves_host(void *vctx, const char *host, const char *const *to, size_t nto, bool resume)
{
    struct waves_ctx *w = vctx;
    struct ne_drain_opts o = *w->base;

    o.host = host;
    o.to = to;
    o.nto = nto;
    o.resume = resume;
    if (!resume && !ne_drain_nova_api_down(w->dn)) ne_drain_nova_repair_stuck(w->dn, host);
    return drain_one(w->ctx, w->args, w->cfg, &o, w->dn, NULL, ne_error_count());
}

/* The hosts named, checked before anything else: valid names, each once. */
static int
check_sources(const struct ne_args *args)
{
    size_t i, j, n = ne_args_npos(args);

    for (i = 0; i < n; i++) {
        if (ne_check_hostname(ne_args_pos(args, i)) < 0) return NE_EXIT_USAGE;
        for (j = 0; j < i; j++)
            if (str_eq(ne_args_pos(args, i), ne_args_pos(args, j))) {
                ne_error("drain: host %s named twice", ne_args_pos(args, i));
                return NE_EXIT_USAGE;
            }
    }
    if (n > 1 && ne_args_str(args, "report")) {
        ne_error("option --report: one host's drain only; with several hosts, run 'nova-evac "
                 "report' on each host's journal (<state_dir>/HOST.journal)");
        return NE_EXIT_USAGE;
    }
    return 0;
}

static int
run(struct ne_ctx *ctx, const struct ne_args *args)
{
    struct ne_config *cfg;
    struct ne_drain_opts o;
    char reason[256];
    const char *via = ne_args_str(args, "via");
    const char *report = ne_args_str(args, "report");
    bool waves = ne_args_flag(args, "waves") || ne_args_npos(args) > 1;
    unsigned long wsize = 0;
    unsigned errors;
    int rc;

    if ((rc = check_sources(args)) != 0) return rc;
    if (ne_args_count(args, "wave-size", &wsize) < 0) return NE_EXIT_USAGE;
    if (!(cfg = ne_ctx_config(ctx))) return NE_EXIT_USAGE;
    if ((rc = ne_drain_opts_from_args(args, &o, reason, sizeof reason)) != 0) return rc;
    o.dry_run = ne_args_flag(args, "dry-run");
    o.resume = ne_args_flag(args, "resume");
    o.json_events = ctx->format == NE_FORMAT_JSON && !o.dry_run;
    struct ne_drain_nova *dn = NULL;
    struct ne_mig_neutron nh = {0};

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
        if (!waves && !ne_drain_nova_api_down(dn)) ne_drain_nova_repair_stuck(dn, o.host);
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
    if (waves) {
        struct waves_ctx wc = {ctx, args, cfg, &o, dn};
        size_t n = ne_args_npos(args), i;
        CLEANUP_FREE const char **hosts = xcalloc(n + 1, sizeof *hosts);
        for (i = 0; i < n; i++) hosts[i] = ne_args_pos(args, i);
        struct ne_waves_opts wo = {hosts, n, ne_args_flag(args, "waves"), (unsigned)wsize,
                                   ne_args_str(args, "between-waves"), o.dry_run, o.resume,
                                   ctx->format == NE_FORMAT_JSON, cfg, &o, waves_host, &wc};
        CLEANUP_FREE char *hint = xasprintf("the journals record them; finish with 'nova-evac "
                                            "drain %s%s --resume'", hosts[0], n > 1 ? " ..." : "");
        if (!o.dry_run) ne_interrupt_install(hint);
        rc = ne_drain_waves(&wo);
        if (o.dry_run && rc == NE_EXIT_OK && ne_error_count() > errors) rc = NE_EXIT_UNREACHABLE;
    } else {
        rc = drain_one(ctx, args, cfg, &o, dn, report, errors);
    }
    ne_mig_neutron_close(&o.mig, &nh);
    ne_drain_nova_close(dn);
    return rc;
}

const struct ne_cmd cmd_drain = {
    "drain", "empty hosts: plan (in waves), migrate every instance, journal, report", "HOST...", 1,
    64, opts, run,
};
