/* SPDX-License-Identifier: Apache-2.0 */
/* cmd-check.c: `nova-evac check HOST [--to HOST...]`: what would stop or
 * endanger an evacuation of HOST, before anything moves (check.h). */
#include <config.h>

#include "check/check.h"
#include "cmd/cmd.h"
#include "util/log.h"

static const struct ne_opt opts[] = {
    {"to", 't', OPT_LIST, "HOST", "destination hosts (default: every configured node but HOST)",
     NULL, NULL, NULL},
    {"no-tcp-probe", 0, OPT_FLAG, NULL, "do not try an unauthenticated qemu+tcp connection to "
     "each node", NULL, NULL, NULL},
    OPT_END,
};

static int
run(struct ne_ctx *ctx, const struct ne_args *args)
{
    struct ne_config *cfg = ne_ctx_config(ctx);
    struct ne_check_opts o = {0};
    struct ne_check c;
    int rc;

    if (!cfg) return NE_EXIT_USAGE;
    o.host = ne_args_pos(args, 0);
    o.to = ne_args_list(args, "to", &o.nto);
    o.probe_tcp = !ne_args_flag(args, "no-tcp-probe");
    rc = ne_check_run(&c, cfg, &o);
    if (rc == 0) {
        ne_check_print(&c, ctx->format == NE_FORMAT_JSON);
        rc = ne_findings_exit(&c.f);
    }
    ne_check_free(&c);
    return rc;
}

const struct ne_cmd cmd_check = {
    "check", "find what would stop or endanger an evacuation of a host, before anything moves",
    "HOST", 1, 1, opts, run,
};
