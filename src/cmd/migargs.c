/* SPDX-License-Identifier: Apache-2.0 */
/* migargs.c: see migargs.h. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "cmd/migargs.h"
#include "cmd/osargs.h"
#include "novasync/novasync.h"
#include "util/log.h"
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

int
ne_mig_neutron_from_args(const struct ne_args *args, const char *state_dir,
                         struct ne_mig_opts *o, struct ne_mig_neutron *h)
{
    struct ne_os **os = &h->os;
    const struct ne_cloud *c;
    enum ne_os_err kind;
    int rc;

    memset(h, 0, sizeof *h);
    o->neutron = NULL;
    o->audit = NULL;
    if (!ne_args_str(args, "os-cloud") && !getenv("OS_CLOUD") && !getenv("OS_AUTH_URL"))
        return NE_EXIT_OK;
    if ((rc = ne_os_from_args(args, os)) != NE_EXIT_OK) return rc;
    c = ne_os_cloud(*os);
    if (!os_catalog_find(ne_os_token(*os), "network", c->interface ? c->interface : "public",
                         c->region_name)) {
        ne_info("the cloud's catalog has no network service: Neutron ports are not handled");
        return NE_EXIT_OK;
    }
    if (!(o->neutron = neutron_open(*os, &kind))) {
        ne_error("Neutron is needed to keep the instances' ports working across the move: "
                 "nothing moved");
        ne_os_close(*os);
        *os = NULL;
        return ne_os_exit(kind);
    }
    /* binding changes are audited like changes to Nova: no log, no change */
    if (state_dir && !(h->ns = novasync_open(state_dir, NULL))) {
        ne_mig_neutron_close(o, h);
        return NE_EXIT_USAGE;
    }
    if (h->ns) o->audit = novasync_audit(h->ns);
    return NE_EXIT_OK;
}

void
ne_mig_neutron_close(struct ne_mig_opts *o, struct ne_mig_neutron *h)
{
    neutron_close(o->neutron);
    o->neutron = NULL;
    o->audit = NULL;
    novasync_close(h->ns);
    ne_os_close(h->os);
    memset(h, 0, sizeof *h);
}
