/* SPDX-License-Identifier: Apache-2.0 */
/* migargs.c: see migargs.h. */
#include <config.h>

#include <string.h>

#include "cmd/migargs.h"
#include "model/plan.h"

int
ne_mig_opts_from_args(const struct ne_args *args, bool stage_default, struct ne_mig_opts *o)
{
    const char *mode = ne_args_str(args, "mode");
    unsigned long v;

    memset(o, 0, sizeof *o);
    o->timeout_action = -1;
    o->shutdown_timeout_s = 60;
    if (mode) ne_mode_parse(mode, &o->mode);
    ne_args_uint(args, "bandwidth", &o->bandwidth_mib);
    if (ne_args_count(args, "timeout", &o->timeout_s) < 0) return -1;
    if (ne_args_uint(args, "shutdown-timeout", &v)) o->shutdown_timeout_s = (unsigned)v;
    o->keep_source_disks = ne_args_flag(args, "keep-source-disks");
    o->stage_images = stage_default ? !ne_args_flag(args, "no-stage-images")
                                    : ne_args_flag(args, "stage-images");
    return 0;
}
