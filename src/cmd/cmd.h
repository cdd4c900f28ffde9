/* SPDX-License-Identifier: Apache-2.0 */
/* cmd.h: the command-line framework.
 *
 * Each subcommand lives in src/cmd-<verb>.c and exports one
 * `const struct ne_cmd cmd_<verb>` with a static option table.  src/cmd.c
 * gathers them in one table; main.c only dispatches.  --help, man-page
 * checks and bash completion are generated from the same tables. */
#ifndef NE_CMD_H
#define NE_CMD_H

#include <stdbool.h>
#include <stddef.h>

#include "util/config.h"

#include "util/exitcode.h"

enum ne_opt_type { OPT_FLAG, OPT_STRING, OPT_UINT, OPT_LIST };

struct ne_opt {
    const char *name;      /* long name, without "--" */
    char short_name;       /* 0 if none */
    enum ne_opt_type type;
    const char *metavar;   /* "HOST", NULL for flags */
    const char *help;
    const char *conflicts; /* comma-separated long names that cannot be combined */
    const char *requires;  /* comma-separated long names this one needs */
    const char *choices;   /* "a|b|c" for OPT_STRING with fixed values */
};

#define OPT_END {NULL, 0, 0, NULL, NULL, NULL, NULL, NULL}

enum ne_format { NE_FORMAT_TABLE, NE_FORMAT_JSON };

struct ne_args;

/* What every handler gets: the parsed global options and the config. */
struct ne_ctx {
    enum ne_format format;
    bool quiet;
    const char *config_path;
    struct ne_config *config; /* loaded lazily by ne_ctx_config() */
};

struct ne_cmd {
    const char *name;
    const char *summary;
    const char *synopsis;  /* positional part, e.g. "HOST" */
    unsigned min_args, max_args;
    const struct ne_opt *opts;
    int (*run)(struct ne_ctx *ctx, const struct ne_args *args);
};

/* The command table, NULL-terminated (cmd.c). */
extern const struct ne_cmd *const ne_commands[];
extern const struct ne_opt ne_global_opts[];

const struct ne_cmd *ne_cmd_find(const char *name);

/* Parses argv (after the command name) against cmd's table plus the global
 * options.  Returns a new ne_args, or NULL after printing a one-line error
 * (the caller exits 2).  Sets *help when --help was given. */
struct ne_args *ne_args_parse(const struct ne_cmd *cmd, int argc, char **argv,
                              struct ne_ctx *ctx, bool *help);
void ne_args_free(struct ne_args *a);

/* Accessors; name must be in the command's table (else abort: a bug). */
bool ne_args_flag(const struct ne_args *a, const char *name);
const char *ne_args_str(const struct ne_args *a, const char *name); /* borrowed or NULL */
/* OPT_UINT: *out set and 1 when given, 0 when absent (def left). */
int ne_args_uint(const struct ne_args *a, const char *name, unsigned long *out);
/* OPT_UINT where 0 makes no sense (a count of workers, a timeout): like
 * ne_args_uint, but 0 is reported naming the option and gives -1 (the
 * caller exits 2). */
int ne_args_count(const struct ne_args *a, const char *name, unsigned long *out);
/* OPT_LIST (repeatable and comma-separated): borrowed array, count in *n. */
const char *const *ne_args_list(const struct ne_args *a, const char *name, size_t *n);
size_t ne_args_npos(const struct ne_args *a);
const char *ne_args_pos(const struct ne_args *a, size_t i);

/* Prints the --help text of cmd (NULL: the program) to f. */
void ne_cmd_help(const struct ne_cmd *cmd, void *f);
/* The configuration, loaded on first use; NULL (reported) on error. */
struct ne_config *ne_ctx_config(struct ne_ctx *ctx);



/* Parses the global options before the command name; returns the index
 * of the command name in argv, or -1 after reporting an error. */
int ne_parse_globals(int argc, char **argv, struct ne_ctx *ctx, bool *help);
#endif
