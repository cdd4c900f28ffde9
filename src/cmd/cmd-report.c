/* SPDX-License-Identifier: Apache-2.0 */
/* cmd-report.c: `nova-evac report JOURNAL [--output FILE]`: a drain's
 * journal as one self-contained HTML page (src/report/). */
#include <config.h>

#include <errno.h>
#include <stdio.h>

#include "cmd/cmd.h"
#include "report/report.h"
#include "util/log.h"

static const struct ne_opt opts[] = {
    {"output", 'o', OPT_STRING, "FILE", "write the HTML to FILE (default: standard output)", NULL,
     NULL, NULL},
    OPT_END,
};

/* Writes the report of journal into path (stdout when NULL): an exit code. */
static int
report_write(const char *journal, const char *path)
{
    FILE *out = path ? fopen(path, "w") : stdout;
    int rc;

    if (!out) {
        ne_syserror("report: cannot create %s; nothing written", path);
        return NE_EXIT_USAGE;
    }
    rc = ne_report_file(journal, out);
    if (path && fclose(out) != 0 && rc == 0) {
        ne_syserror("report: cannot write %s", path);
        rc = -1;
    }
    return rc == 0 ? NE_EXIT_OK : NE_EXIT_USAGE;
}

static int
run(struct ne_ctx *ctx, const struct ne_args *args)
{
    (void)ctx;
    return report_write(ne_args_pos(args, 0), ne_args_str(args, "output"));
}

const struct ne_cmd cmd_report = {
    "report", "a drain's journal as one HTML page: timeline, figures, failures", "JOURNAL", 1, 1,
    opts, run,
};
