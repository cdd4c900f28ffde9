/* SPDX-License-Identifier: Apache-2.0 */
/* cmd.c: the command table, the option parser and generated help. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "util/log.h"
#include "util/mem.h"

extern const struct ne_cmd cmd_inspect, cmd_completion, cmd_migrate, cmd_drain, cmd_plan;
extern const struct ne_cmd cmd_api, cmd_servers, cmd_undrain;
extern const struct ne_cmd cmd_images;
extern const struct ne_cmd cmd_image_copy;
extern const struct ne_cmd cmd_stuck;
extern const struct ne_cmd cmd_check;
extern const struct ne_cmd cmd_report;
extern const struct ne_cmd cmd_volume_sync;

/* Keep sorted by name: --help lists them in this order. */
const struct ne_cmd *const ne_commands[] = {
    &cmd_api,
    &cmd_check,
    &cmd_completion,
    &cmd_drain,
    &cmd_image_copy,
    &cmd_images,
    &cmd_inspect,
    &cmd_migrate,
    &cmd_plan,
    &cmd_report,
    &cmd_servers,
    &cmd_stuck,
    &cmd_undrain,
    &cmd_volume_sync,
    NULL,
};

const struct ne_opt ne_global_opts[] = {
    {"help", 'h', OPT_FLAG, NULL, "show help and exit", NULL, NULL, NULL},
    {"version", 'V', OPT_FLAG, NULL, "show the version and exit", NULL, NULL, NULL},
    {"config", 'c', OPT_STRING, "FILE", "configuration file (default " NE_DEFAULT_CONFIG
     ", or $NOVA_EVAC_CONFIG)", NULL, NULL, NULL},
    {"debug", 0, OPT_STRING, "CHANNELS", "debug output: virt,http,sql,plan,config,journal,auth,all",
     NULL, NULL, NULL},
    {"format", 0, OPT_STRING, "FORMAT", "output format", NULL, NULL, "table|json"},
    {"quiet", 'q', OPT_FLAG, NULL, "no progress or informational messages", NULL, NULL, NULL},
    OPT_END,
};

struct ne_argval {
    const struct ne_opt *opt;
    unsigned count;      /* times given */
    char *str;           /* OPT_STRING / OPT_UINT text */
    unsigned long num;
    char **list;         /* OPT_LIST, NULL-terminated */
    size_t nlist, caplist;
};

struct ne_args {
    const struct ne_cmd *cmd;
    struct ne_argval *v;  /* one per option of cmd */
    size_t nv;
    char **pos;
    size_t npos;
};

const struct ne_cmd *
ne_cmd_find(const char *name)
{
    size_t i;

    for (i = 0; ne_commands[i]; i++)
        if (strcmp(ne_commands[i]->name, name) == 0) return ne_commands[i];
    return NULL;
}

static const struct ne_opt *
find_opt(const struct ne_opt *tab, const char *name, size_t len, char short_name)
{
    for (; tab && tab->name; tab++) {
        if (short_name ? tab->short_name == short_name
                       : strlen(tab->name) == len && strncmp(tab->name, name, len) == 0)
            return tab;
    }
    return NULL;
}

static struct ne_argval *
val_for(const struct ne_args *a, const char *name)
{
    size_t i;

    for (i = 0; i < a->nv; i++)
        if (strcmp(a->v[i].opt->name, name) == 0) return &a->v[i];
    fprintf(stderr, "nova-evac: BUG: option --%s is not in the table of '%s'\n", name,
            a->cmd->name);
    abort();
}

static bool
in_choices(const char *choices, const char *v)
{
    const char *p = choices;
    size_t len = strlen(v);

    while (*p) {
        size_t n = strcspn(p, "|");
        if (n == len && strncmp(p, v, n) == 0) return true;
        p += n;
        if (*p) p++;
    }
    return false;
}

static int
apply_global(struct ne_ctx *ctx, const struct ne_opt *o, const char *val, bool *help)
{
    if (strcmp(o->name, "help") == 0) {
        *help = true;
    } else if (strcmp(o->name, "version") == 0) {
        printf("nova-evac %s\n", PACKAGE_VERSION);
        exit(0);
    } else if (strcmp(o->name, "config") == 0) {
        ctx->config_path = val;
    } else if (strcmp(o->name, "debug") == 0) {
        int m = ne_debug_parse(val);
        if (m < 0) return -1;
        ne_debug_set(m);
    } else if (strcmp(o->name, "format") == 0) {
        ctx->format = strcmp(val, "json") == 0 ? NE_FORMAT_JSON : NE_FORMAT_TABLE;
    } else if (strcmp(o->name, "quiet") == 0) {
        ctx->quiet = true;
        ne_set_quiet(true);
    }
    return 0;
}

static int
store(struct ne_argval *v, const char *val)
{
    const struct ne_opt *o = v->opt;
    unsigned long long n;

    if (o->type != OPT_LIST && o->type != OPT_FLAG && v->count > 1) {
        ne_error("option --%s given more than once", o->name);
        return -1;
    }
    if (o->choices && !in_choices(o->choices, val)) {
        ne_error("option --%s: invalid value '%s' (expected %s)", o->name, val, o->choices);
        return -1;
    }
    switch (o->type) {
    case OPT_FLAG:
        break;
    case OPT_STRING:
        v->str = xstrdup(val);
        break;
    case OPT_UINT:
        if (parse_u64(val, &n) < 0 || n > 1000000000ULL) {
            ne_error("option --%s: expected a non-negative integer, got '%s'", o->name, val);
            return -1;
        }
        v->str = xstrdup(val);
        v->num = (unsigned long)n;
        break;
    case OPT_LIST: {
        const char *p = val;
        while (*p) {
            size_t len = strcspn(p, ",");
            if (len) {
                xgrow(&v->list, &v->caplist, v->nlist + 2, sizeof *v->list);
                v->list[v->nlist++] = xstrndup(p, len);
            }
            p += len;
            if (*p) p++;
        }
        break;
    }
    }
    return 0;
}

static bool
in_names(const char *list, const char *name)
{
    const char *p = list;
    size_t len = strlen(name);

    while (p && *p) {
        size_t n = strcspn(p, ",");
        if (n == len && strncmp(p, name, n) == 0) return true;
        p += n;
        if (*p) p++;
    }
    return false;
}

/* The declared option rules: conflicts and requires. */
static int
check_rules(const struct ne_args *a)
{
    size_t i, j;

    for (i = 0; i < a->nv; i++) {
        const struct ne_opt *o = a->v[i].opt;
        if (!a->v[i].count) continue;
        for (j = 0; j < a->nv; j++) {
            const struct ne_opt *p = a->v[j].opt;
            if (o->conflicts && a->v[j].count && in_names(o->conflicts, p->name)) {
                ne_error("options --%s and --%s cannot be used together", o->name, p->name);
                return -1;
            }
            if (o->requires && !a->v[j].count && in_names(o->requires, p->name)) {
                ne_error("option --%s requires --%s", o->name, p->name);
                return -1;
            }
        }
    }
    return 0;
}

/* Host names (the HOST positional, options whose value is a HOST) are
 * checked here, before the command loads its configuration or prints
 * anything else: a bad name's error is the first and only line. */
static int
check_hosts(const struct ne_args *a)
{
    size_t i, j;

    if (a->cmd->synopsis && strcmp(a->cmd->synopsis, "HOST") == 0 && a->npos &&
        ne_check_hostname(a->pos[0]) < 0)
        return -1;
    for (i = 0; i < a->nv; i++) {
        const struct ne_argval *v = &a->v[i];
        if (!v->count || !v->opt->metavar || strcmp(v->opt->metavar, "HOST") != 0) continue;
        if (v->str && ne_check_hostname(v->str) < 0) return -1;
        for (j = 0; j < v->nlist; j++)
            if (ne_check_hostname(v->list[j]) < 0) return -1;
    }
    return 0;
}

static int
parse_one(struct ne_args *a, struct ne_ctx *ctx, int argc, char **argv, int *i, bool *help)
{
    const char *arg = argv[*i], *name, *val = NULL;
    size_t len;
    const struct ne_opt *o, *g;
    char sn = 0;

    if (arg[1] == '-') {
        name = arg + 2;
        len = strcspn(name, "=");
        if (name[len] == '=') val = name + len + 1;
    } else {
        if (arg[2] != '\0') {
            ne_error("'%s': combined short options are not supported; use the long form", arg);
            return -1;
        }
        sn = arg[1];
        name = arg + 1;
        len = 1;
    }
    o = find_opt(a->cmd->opts, name, len, sn);
    g = o ? NULL : find_opt(ne_global_opts, name, len, sn);
    if (!o && !g) {
        ne_error("%s: unknown option '%s' (see 'nova-evac help %s')", a->cmd->name, arg,
                 a->cmd->name);
        return -1;
    }
    if (!o) o = g;
    if (o->type == OPT_FLAG && val) {
        ne_error("option --%s takes no value", o->name);
        return -1;
    }
    if (o->type != OPT_FLAG && !val) {
        if (*i + 1 >= argc) {
            ne_error("option --%s needs a value (%s)", o->name, o->metavar ? o->metavar : "VALUE");
            return -1;
        }
        val = argv[++*i];
    }
    if (g) {
        if (g->choices && !in_choices(g->choices, val)) {
            ne_error("option --%s: invalid value '%s' (expected %s)", g->name, val, g->choices);
            return -1;
        }
        return apply_global(ctx, g, val, help);
    }
    {
        struct ne_argval *v = val_for(a, o->name);
        v->count++;
        return store(v, val ? val : "");
    }
}

struct ne_args *
ne_args_parse(const struct ne_cmd *cmd, int argc, char **argv, struct ne_ctx *ctx, bool *help)
{
    struct ne_args *a = xcalloc(1, sizeof *a);
    size_t n = 0;
    bool dashdash = false;
    int i;

    a->cmd = cmd;
    while (cmd->opts && cmd->opts[n].name) n++;
    a->v = xcalloc(n + 1, sizeof *a->v);
    a->nv = n;
    for (i = 0; i < (int)n; i++) a->v[i].opt = &cmd->opts[i];
    a->pos = xcalloc((size_t)argc + 1, sizeof *a->pos);
    *help = false;

    for (i = 0; i < argc; i++) {
        if (!dashdash && strcmp(argv[i], "--") == 0) {
            dashdash = true;
        } else if (!dashdash && argv[i][0] == '-' && argv[i][1] != '\0') {
            if (parse_one(a, ctx, argc, argv, &i, help) < 0) goto fail;
        } else {
            a->pos[a->npos++] = xstrdup(argv[i]);
        }
    }
    if (*help) return a;
    if (a->npos < cmd->min_args) {
        ne_error("%s: missing argument %s (usage: nova-evac %s %s)", cmd->name,
                 cmd->synopsis ? cmd->synopsis : "", cmd->name, cmd->synopsis ? cmd->synopsis : "");
        goto fail;
    }
    if (a->npos > cmd->max_args) {
        ne_error("%s: unexpected argument '%s' (usage: nova-evac %s %s)", cmd->name,
                 a->pos[cmd->max_args], cmd->name, cmd->synopsis ? cmd->synopsis : "");
        goto fail;
    }
    if (check_rules(a) < 0 || check_hosts(a) < 0) goto fail;
    return a;
fail:
    ne_args_free(a);
    return NULL;
}

void
ne_args_free(struct ne_args *a)
{
    size_t i, j;

    if (!a) return;
    for (i = 0; i < a->nv; i++) {
        free(a->v[i].str);
        for (j = 0; j < a->v[i].nlist; j++) free(a->v[i].list[j]);
        free(a->v[i].list);
    }
    for (i = 0; i < a->npos; i++) free(a->pos[i]);
    free(a->pos);
    free(a->v);
    free(a);
}

bool ne_args_flag(const struct ne_args *a, const char *name) { return val_for(a, name)->count > 0; }
const char *ne_args_str(const struct ne_args *a, const char *name) { return val_for(a, name)->str; }

int
ne_args_uint(const struct ne_args *a, const char *name, unsigned long *out)
{
    struct ne_argval *v = val_for(a, name);
    if (!v->count) return 0;
    *out = v->num;
    return 1;
}

int
ne_args_count(const struct ne_args *a, const char *name, unsigned long *out)
{
    struct ne_argval *v = val_for(a, name);

    if (!v->count) return 0;
    if (v->num == 0) {
        char sn[4] = "";
        if (v->opt->short_name) snprintf(sn, sizeof sn, "-%c/", v->opt->short_name);
        ne_error("option %s--%s: 0 makes no sense here; give at least 1, or leave the option "
                 "out for the default", sn, name);
        return -1;
    }
    *out = v->num;
    return 1;
}

const char *const *
ne_args_list(const struct ne_args *a, const char *name, size_t *n)
{
    struct ne_argval *v = val_for(a, name);
    *n = v->nlist;
    return (const char *const *)v->list;
}

size_t ne_args_npos(const struct ne_args *a) { return a->npos; }
const char *ne_args_pos(const struct ne_args *a, size_t i) { return i < a->npos ? a->pos[i] : NULL; }

static void
print_opts(FILE *f, const struct ne_opt *o)
{
    for (; o && o->name; o++) {
        char left[64];
        if (o->short_name)
            snprintf(left, sizeof left, "-%c, --%s%s%s", o->short_name, o->name,
                     o->metavar ? " " : "", o->metavar ? o->metavar : "");
        else
            snprintf(left, sizeof left, "    --%s%s%s", o->name, o->metavar ? " " : "",
                     o->metavar ? o->metavar : "");
        fprintf(f, "  %-28s %s", left, o->help);
        if (o->choices) fprintf(f, " (%s)", o->choices);
        if (o->type == OPT_LIST) fprintf(f, " (repeatable, comma-separated)");
        fputc('\n', f);
    }
}

void
ne_cmd_help(const struct ne_cmd *cmd, void *fp)
{
    FILE *f = fp;
    size_t i;

    if (!cmd) {
        fprintf(f, "Usage: nova-evac [GLOBAL OPTIONS] COMMAND [ARGS]\n\n"
                   "Empty a Nova compute node safely, and repair what Nova leaves stuck.\n\n"
                   "Commands:\n");
        for (i = 0; ne_commands[i]; i++)
            fprintf(f, "  %-14s %s\n", ne_commands[i]->name, ne_commands[i]->summary);
        fprintf(f, "  %-14s %s\n", "help", "show help for a command");
        fprintf(f, "\nGlobal options:\n");
        print_opts(f, ne_global_opts);
        fprintf(f, "\nSee nova-evac(8) and nova-evac-COMMAND(8).\n");
        return;
    }
    fprintf(f, "Usage: nova-evac %s [OPTIONS] %s\n\n%s\n", cmd->name,
            cmd->synopsis ? cmd->synopsis : "", cmd->summary);
    if (cmd->opts && cmd->opts->name) {
        fprintf(f, "\nOptions:\n");
        print_opts(f, cmd->opts);
    }
    fprintf(f, "\nGlobal options:\n");
    print_opts(f, ne_global_opts);
    fprintf(f, "\nSee nova-evac-%s(8).\n", cmd->name);
}

struct ne_config *
ne_ctx_config(struct ne_ctx *ctx)
{
    if (!ctx->config) ctx->config = ne_config_load(ctx->config_path);
    return ctx->config;
}

static const struct ne_cmd global_cmd = {"nova-evac", "", NULL, 0, 0, NULL, NULL};

int
ne_parse_globals(int argc, char **argv, struct ne_ctx *ctx, bool *help)
{
    struct ne_args a = {.cmd = &global_cmd};
    int i;

    *help = false;
    for (i = 0; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
        if (strcmp(argv[i], "--") == 0) return i + 1;
        if (parse_one(&a, ctx, argc, argv, &i, help) < 0) return -1;
    }
    return i;
}
