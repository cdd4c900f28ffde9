/* SPDX-License-Identifier: Apache-2.0 */
/* main.c: nova-evac's entry point.  Parses the global options, finds the
 * subcommand in the table (cmd.c) and runs it.  Nothing else. */
#include <config.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "util/log.h"
#include "virt/virt.h"

int
main(int argc, char **argv)
{
    struct ne_ctx ctx = {.format = NE_FORMAT_TABLE};
    const struct ne_cmd *cmd;
    struct ne_args *args;
    bool help;
    int first, rc;

    /* A peer that goes away (libvirtd, an API) must be an error, not a
     * silent death: libvirt and libcurl expect SIGPIPE to be ignored. */
    signal(SIGPIPE, SIG_IGN);
    first = ne_parse_globals(argc - 1, argv + 1, &ctx, &help);
    if (first < 0) return NE_EXIT_USAGE;
    first++;
    if (first >= argc) {
        ne_cmd_help(NULL, help ? stdout : stderr);
        return help ? NE_EXIT_OK : NE_EXIT_USAGE;
    }
    if (strcmp(argv[first], "help") == 0) {
        if (first + 1 >= argc) {
            ne_cmd_help(NULL, stdout);
            return NE_EXIT_OK;
        }
        cmd = ne_cmd_find(argv[first + 1]);
        if (!cmd) {
            ne_error("help: unknown command '%s' (see 'nova-evac --help')", argv[first + 1]);
            return NE_EXIT_USAGE;
        }
        ne_cmd_help(cmd, stdout);
        return NE_EXIT_OK;
    }
    cmd = ne_cmd_find(argv[first]);
    if (!cmd) {
        ne_error("unknown command '%s' (see 'nova-evac --help')", argv[first]);
        return NE_EXIT_USAGE;
    }
    args = ne_args_parse(cmd, argc - first - 1, argv + first + 1, &ctx, &help);
    if (!args) return NE_EXIT_USAGE;
    if (help) {
        ne_cmd_help(cmd, stdout);
        ne_args_free(args);
        return NE_EXIT_OK;
    }
    rc = cmd->run(&ctx, args);
    virt_nodes_close(); /* the run's libvirt connections, opened by the command */
    ne_args_free(args);
    ne_config_free(ctx.config);
    return rc;
}
