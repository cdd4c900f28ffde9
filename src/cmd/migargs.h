/* SPDX-License-Identifier: Apache-2.0 */
/* migargs.h: the migration options shared by drain and migrate, and their
 * parsing into the plain struct ne_mig_opts. */
#ifndef NE_MIGARGS_H
#define NE_MIGARGS_H

#include <stdbool.h>

#include "cmd/cmd.h"
#include "migrate/migrate.h"

/* Put in a command's option table (documented in its man page), with one
 * of NE_STAGE_OPT (staging off by default) or NE_NO_STAGE_OPT (on). */
#define NE_MIG_OPTS                                                                          \
    {"mode", 'm', OPT_STRING, "MODE", "migration method; auto follows the decision table, "  \
     "the others are forced where safe", NULL, NULL, "auto|live|block|cold"},                \
    {"bandwidth", 0, OPT_UINT, "MIB", "bandwidth limit per migration, MiB/s", NULL, NULL,     \
     NULL},                                                                                  \
    {"timeout", 0, OPT_UINT, "SECONDS", "completion timeout per migration (default: per "     \
     "GiB, from the config)", NULL, NULL, NULL},                                             \
    {"shutdown-timeout", 0, OPT_UINT, "SECONDS", "cold migration of a running guest: wait "   \
     "this long for an ACPI shutdown (default 60)", NULL, NULL, NULL},                       \
    {"keep-source-disks", 0, OPT_FLAG, NULL, "do not delete the copied disks on the source", \
     NULL, NULL, NULL}
#define NE_STAGE_OPT                                                                         \
    {"stage-images", 0, OPT_FLAG, NULL, "first copy the base images the disks need to the "  \
     "destination when it lacks them", NULL, NULL, NULL}
#define NE_NO_STAGE_OPT                                                                      \
    {"no-stage-images", 0, OPT_FLAG, NULL, "do not stage missing base images: avoid "       \
     "destinations that lack them", NULL, NULL, NULL}

/* Fills *o (cleared first; defaults: timeout action from the config,
 * shutdown timeout 60 s) from NE_MIG_OPTS.  stage_default says which of
 * NE_NO_STAGE_OPT (true) or NE_STAGE_OPT (false) the command's table has;
 * o->stage_images is that default, turned by the flag.  -1 (reported) on
 * a value that makes no sense (--timeout 0). */
int ne_mig_opts_from_args(const struct ne_args *args, bool stage_default, struct ne_mig_opts *o);

/* What ne_mig_neutron_from_args opened, for ne_mig_neutron_close. */
struct ne_mig_neutron {
    struct ne_os *os;          /* a session of its own */
    struct ne_novasync *ns;    /* the audit log, when changes are to be made */
};

/* Neutron for a move through libvirt: when the OpenStack API is configured
 * (--os-cloud, OS_CLOUD or OS_AUTH_URL) and its catalog has a network
 * service, authenticates and sets o->neutron; with state_dir (NULL: read
 * only) also opens the audit log there and sets o->audit.  NE_EXIT_OK
 * (o->neutron NULL when nothing is configured), or the exit code after
 * reporting.  Close with ne_mig_neutron_close. */
int ne_mig_neutron_from_args(const struct ne_args *args, const char *state_dir,
                             struct ne_mig_opts *o, struct ne_mig_neutron *h);
void ne_mig_neutron_close(struct ne_mig_opts *o, struct ne_mig_neutron *h);

#endif
