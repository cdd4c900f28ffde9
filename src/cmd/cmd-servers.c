/* SPDX-License-Identifier: Apache-2.0 */
/* cmd-servers.c: `nova-evac servers HOST`: the instances Nova places on
 * HOST (every project), with status, task, power state and flavor;
 * `--watch SECONDS` repeats the listing (a long-running session: the
 * token is renewed as it goes). */
#include <config.h>

#include <stdio.h>
#include <time.h>

#include "cmd/cmd.h"
#include "cmd/osargs.h"
#include "util/log.h"
#include "util/mem.h"

static const struct ne_opt opts[] = {
    {"watch", 'w', OPT_UINT, "SECONDS", "list again every SECONDS until interrupted", NULL, NULL,
     NULL},
    {"count", 0, OPT_UINT, "N", "with --watch: stop after N listings", NULL, "watch", NULL},
    NE_OS_OPTS,
    OPT_END,
};

static void
print_round(const struct ne_ctx *ctx, const char *host, const struct ne_server *s, size_t n,
            bool watching)
{
    char stamp[32];
    time_t t = time(NULL);
    size_t i;

    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
    if (ctx->format == NE_FORMAT_JSON) {
        json_t *arr = json_array();
        for (i = 0; i < n; i++) json_array_append_new(arr, ne_server_json(&s[i]));
        json_t *root = json_pack("{s:s, s:s, s:o}", "host", host, "time", stamp, "servers", arr);
        if (watching) {
            json_dumpf(root, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
            putchar('\n');
            json_decref(root);
        } else {
            ne_json_print(root, stdout);
        }
    } else {
        if (watching) printf("# %s: %zu server%s on %s\n", stamp, n, n == 1 ? "" : "s", host);
        ne_servers_table(s, n, stdout);
    }
    fflush(stdout);
}

static int
run(struct ne_ctx *ctx, const struct ne_args *args)
{
    const char *host = ne_args_pos(args, 0);
    unsigned long every = 0, count = 0, round;
    struct ne_os *os;
    struct ne_nova *nv;
    int rc;

    if (ne_check_hostname(host) < 0) return NE_EXIT_USAGE;
    ne_args_uint(args, "watch", &every);
    ne_args_uint(args, "count", &count);
    if (ne_args_uint(args, "watch", &every) && every == 0) {
        ne_error("servers: --watch needs at least 1 second");
        return NE_EXIT_USAGE;
    }
    rc = ne_nova_from_args(args, &os, &nv);
    if (rc != NE_EXIT_OK) return rc;
    for (round = 1;; round++) {
        struct ne_server *s;
        size_t n;
        if (nova_servers_on_host(nv, host, &s, &n) < 0) {
            rc = ne_os_exit(nova_err(nv));
            break;
        }
        print_round(ctx, host, s, n, every > 0);
        ne_servers_free(s, n);
        if (!every || (count && round >= count)) break;
        nanosleep(&(struct timespec){(time_t)every, 0}, NULL);
    }
    nova_close(nv);
    ne_os_close(os);
    return rc;
}

const struct ne_cmd cmd_servers = {
    "servers", "list the instances Nova has on a host (all projects)", "HOST", 1, 1, opts, run,
};
