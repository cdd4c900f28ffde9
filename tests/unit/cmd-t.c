/* SPDX-License-Identifier: Apache-2.0 */
/* cmd-t.c: the option parser: values, lists, rules, errors. */
#include <config.h>

#include "cmd/cmd.h"
#include "tap.h"

static const struct ne_opt opts[] = {
    {"to", 0, OPT_LIST, "HOST", "destinations", NULL, NULL, NULL},
    {"dry-run", 'n', OPT_FLAG, NULL, "plan only", "yes", NULL, NULL},
    {"yes", 'y', OPT_FLAG, NULL, "no questions", NULL, NULL, NULL},
    {"mode", 0, OPT_STRING, "MODE", "method", NULL, NULL, "auto|live|block|cold"},
    {"max-parallel", 0, OPT_UINT, "N", "parallelism", NULL, NULL, NULL},
    {"resume", 0, OPT_FLAG, NULL, "resume", NULL, "journal", NULL},
    {"journal", 0, OPT_STRING, "FILE", "journal", NULL, NULL, NULL},
    OPT_END,
};

static int run(struct ne_ctx *c, const struct ne_args *a) { (void)c; (void)a; return 0; }
static const struct ne_cmd cmd = {"t", "test", "HOST", 1, 1, opts, run};
static const struct ne_cmd icmd = {"i", "test", "INSTANCE", 1, 1, opts, run};

static struct ne_args *
parse(struct ne_ctx *ctx, int argc, char **argv)
{
    bool help;
    return ne_args_parse(&cmd, argc, argv, ctx, &help);
}

int
main(void)
{
    struct ne_ctx ctx = {0};
    struct ne_args *a;
    size_t n;
    const char *const *l;
    unsigned long u = 0;

    a = parse(&ctx, 7, (char *[]){"node02", "--to", "node01,node03", "--to=node04", "-n",
                                  "--max-parallel", "4", NULL});
    ok(a != NULL, "valid command line parses");
    is_str(ne_args_pos(a, 0), "node02", "positional");
    l = ne_args_list(a, "to", &n);
    is_int(n, 3, "list: comma-separated and repeated");
    is_str(l[2], "node04", "list order kept");
    ok(ne_args_flag(a, "dry-run"), "short flag");
    ok(!ne_args_flag(a, "yes"), "absent flag");
    is_int(ne_args_uint(a, "max-parallel", &u), 1, "uint present");
    is_int(u, 4, "uint value");
    ok(ne_args_str(a, "mode") == NULL, "absent string is NULL");
    ne_args_free(a);

    a = parse(&ctx, 3, (char *[]){"node02", "--format", "json", NULL});
    ok(a && ctx.format == NE_FORMAT_JSON, "global option after the command");
    ne_args_free(a);

    ok(parse(&ctx, 2, (char *[]){"node02", "--bogus", NULL}) == NULL, "unknown option");
    ok(parse(&ctx, 0, (char *[]){NULL}) == NULL, "missing argument");
    ok(parse(&ctx, 2, (char *[]){"a", "b", NULL}) == NULL, "extra argument");
    ok(parse(&ctx, 2, (char *[]){"a", "--to", NULL}) == NULL, "option without its value");
    ok(parse(&ctx, 3, (char *[]){"a", "-n", "-y", NULL}) == NULL, "conflicting options");
    ok(parse(&ctx, 2, (char *[]){"a", "--resume", NULL}) == NULL, "required companion missing");
    ok(parse(&ctx, 3, (char *[]){"a", "--mode", "warp", NULL}) == NULL, "choice outside the list");
    ok(parse(&ctx, 3, (char *[]){"a", "--max-parallel", "-1", NULL}) == NULL, "negative number");
    ok(parse(&ctx, 3, (char *[]){"a", "--max-parallel", "4x", NULL}) == NULL, "junk number");
    ok(parse(&ctx, 3, (char *[]){"a", "--format", "xml", NULL}) == NULL, "bad global choice");
    ok(parse(&ctx, 2, (char *[]){"a", "--yes=1", NULL}) == NULL, "flag with a value");
    ok(parse(&ctx, 2, (char *[]){"a", "-ny", NULL}) == NULL, "combined short options refused");
    {
        bool help;
        a = ne_args_parse(&icmd, 2, (char *[]){"--", "-weird-name", NULL}, &ctx, &help);
    }
    ok(a && ne_args_npos(a) == 1, "-- ends options");
    ne_args_free(a);
    ok(parse(&ctx, 2, (char *[]){"--", "-weird-host", NULL}) == NULL,
       "a HOST positional is checked as a host name");
    ok(parse(&ctx, 3, (char *[]){"a", "--to", "b,c;d", NULL}) == NULL,
       "every value of a HOST option is checked");
    a = parse(&ctx, 3, (char *[]){"a", "--max-parallel", "0", NULL});
    ok(a != NULL, "0 parses as a number");
    is_int(ne_args_count(a, "max-parallel", &u), -1, "a count of 0 is refused");
    ne_args_free(a);
    ok(ne_cmd_find("inspect") != NULL, "inspect is in the table");
    ok(ne_cmd_find("nope") == NULL, "unknown command");
    return done_testing();
}
