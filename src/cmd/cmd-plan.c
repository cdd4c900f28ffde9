/* SPDX-License-Identifier: Apache-2.0 */
/* cmd-plan.c: `nova-evac plan HOST`: what drain would do, per instance:
 * method (decision table row), destination, bytes to move, and why.
 * `nova-evac plan HOST HOST... [--waves]`: the waves `drain` would run
 * (as `drain HOST... --dry-run`: drain/drain-waves.h). */
#include <config.h>

#include "cmd/cmd.h"
#include "cmd/migargs.h"
#include "cmd/osargs.h"
#include "drain/drain-nova.h"
#include "drain/drain-waves.h"
#include "drain/drain.h"
#include "util/log.h"
#include "util/mem.h"

static const struct ne_opt opts[] = {
    {"to", 't', OPT_LIST, "HOST", "destination hosts (default: every configured node but HOST)",
     NULL, NULL, NULL},
    {"mode", 'm', OPT_STRING, "MODE", "force a method where safe", NULL, NULL, "auto|live|block|cold"},
    {"no-stage-images", 0, OPT_FLAG, NULL, "plan as drain --no-stage-images: avoid destinations "
     "lacking a base image", NULL, NULL, NULL},
    {"any-az", 0, OPT_FLAG, NULL, "with Nova: an instance may move out of its availability zone",
     NULL, NULL, NULL},
    {"waves", 0, OPT_FLAG, NULL, "several hosts: the waves drain --waves would empty them in, "
     "and what each leaves free", NULL, NULL, NULL},
    {"wave-size", 0, OPT_UINT, "N", "with --waves: at most N hosts per wave", NULL, "waves", NULL},
    {"between-waves", 0, OPT_STRING, "CMD", "with --waves: plan as drain --between-waves CMD "
     "(the emptied hosts count back for the later waves; CMD is not run)", NULL, "waves", NULL},
    NE_OS_OPTS,
    OPT_END,
};

/* The exit code of a plan (plan, drain --dry-run): what the drain would
 * end with, as documented.  1 when some instance would not be moved
 * (nowhere fits, refused), else 4 when an error was reported while the
 * facts were gathered (a destination unreachable, its free space
 * unreadable: the plan is built on what could be read), else 0. */
int ne_plan_exit(const struct ne_drain *dr, unsigned errors_before);

int
ne_plan_exit(const struct ne_drain *dr, unsigned errors_before)
{
    size_t i;

    for (i = 0; i < dr->n; i++)
        if (dr->items[i].dest < 0) return NE_EXIT_PARTIAL;
    return ne_error_count() > errors_before ? NE_EXIT_UNREACHABLE : NE_EXIT_OK;
}

/* plan HOST HOST... / --waves: the waves of drain --dry-run. */
static int
plan_waves(struct ne_ctx *ctx, const struct ne_args *args, struct ne_config *cfg,
           struct ne_drain_opts *o)
{
    size_t n = ne_args_npos(args), i, j;
    CLEANUP_FREE const char **hosts = xcalloc(n + 1, sizeof *hosts);
    unsigned long wsize = 0;
    unsigned errors;
    struct ne_drain_nova *dn = NULL;
    int rc;

    for (i = 0; i < n; i++) {
        hosts[i] = ne_args_pos(args, i);
        if (ne_check_hostname(hosts[i]) < 0) return NE_EXIT_USAGE;
        for (j = 0; j < i; j++)
            if (str_eq(hosts[i], hosts[j])) {
                ne_error("plan: host %s named twice", hosts[i]);
                return NE_EXIT_USAGE;
            }
    }
    if (ne_args_count(args, "wave-size", &wsize) < 0) return NE_EXIT_USAGE;
    errors = ne_error_count();
    ne_drain_nova_readonly(args, cfg, o, &dn); /* its errors count for the exit code */
    {
        struct ne_waves_opts wo = {hosts, n, ne_args_flag(args, "waves"), (unsigned)wsize,
                                   ne_args_str(args, "between-waves"), true, false,
                                   ctx->format == NE_FORMAT_JSON, cfg, o, NULL, NULL};
        rc = ne_drain_waves(&wo);
    }
    if (rc == NE_EXIT_OK && ne_error_count() > errors) rc = NE_EXIT_UNREACHABLE;
    ne_drain_nova_close(dn);
    return rc;
}

static int
run(struct ne_ctx *ctx, const struct ne_args *args)
{
    struct ne_config *cfg = ne_ctx_config(ctx);
    struct ne_drain_opts o = {.max_parallel = 1};
    struct ne_drain dr;
    struct ne_drain_nova *dn = NULL;
    struct ne_mig_neutron nh = {0};
    const char *mode = ne_args_str(args, "mode");
    unsigned errors = ne_error_count();
    int rc;

    if (!cfg) return NE_EXIT_USAGE;
    o.host = ne_args_pos(args, 0);
    o.to = ne_args_list(args, "to", &o.nto);
    o.dry_run = true;
    o.stage_images = !ne_args_flag(args, "no-stage-images");
    o.any_az = ne_args_flag(args, "any-az");
    if (mode) ne_mode_parse(mode, &o.mig.mode);
    if (ne_args_npos(args) > 1 || ne_args_flag(args, "waves")) return plan_waves(ctx, args, cfg, &o);
    ne_drain_nova_readonly(args, cfg, &o, &dn);
    /* Neutron, read only: what each move does to the instances' ports (its
     * errors count for the exit code) */
    (void)ne_mig_neutron_from_args(args, NULL, &o.mig, &nh);
    rc = ne_drain_plan(&dr, cfg, &o);
    if (rc == 0) {
        ne_drain_print_plan(&dr, ctx->format == NE_FORMAT_JSON);
        rc = ne_plan_exit(&dr, errors);
    }
    ne_drain_free(&dr);
    ne_mig_neutron_close(&o.mig, &nh);
    ne_drain_nova_close(dn);
    return rc;
}

const struct ne_cmd cmd_plan = {
    "plan", "show what drain would do with every instance of hosts (in waves)", "HOST...", 1, 64,
    opts, run,
};
