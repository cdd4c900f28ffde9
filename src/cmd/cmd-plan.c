/* SPDX-License-Identifier: Apache-2.0 */
/* cmd-plan.c: `nova-evac plan HOST`: what drain would do, per instance:
 * method (decision table row), destination, bytes to move, and why. */
#include <config.h>

#include "cmd/cmd.h"
#include "cmd/migargs.h"
#include "cmd/osargs.h"
#include "drain/drain-nova.h"
#include "drain/drain.h"
#include "util/log.h"

static const struct ne_opt opts[] = {
    {"to", 't', OPT_LIST, "HOST", "destination hosts (default: every configured node but HOST)",
     NULL, NULL, NULL},
    {"mode", 'm', OPT_STRING, "MODE", "force a method where safe", NULL, NULL, "auto|live|block|cold"},
    {"no-stage-images", 0, OPT_FLAG, NULL, "plan as drain --no-stage-images: avoid destinations "
     "lacking a base image", NULL, NULL, NULL},
    {"any-az", 0, OPT_FLAG, NULL, "with Nova: an instance may move out of its availability zone",
     NULL, NULL, NULL},
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
    "plan", "show what drain would do with every instance of a host", "HOST", 1, 1, opts, run,
};
