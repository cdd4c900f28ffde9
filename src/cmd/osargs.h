/* SPDX-License-Identifier: Apache-2.0 */
/* osargs.h: what the commands that talk to OpenStack share: the
 * connection options (never credentials: those come from clouds.yaml or
 * OS_* only, see clouds.h), opening a session from them, the mapping of
 * failures to exit codes, and the JSON/table renderings of Nova and
 * Glance objects. */
#ifndef NE_OSARGS_H
#define NE_OSARGS_H

#include <stdio.h>

#include <jansson.h>

#include "cmd/cmd.h"
#include "openstack/glance.h"
#include "openstack/keystone.h"
#include "openstack/nova.h"

/* Put in a command's option table (documented in its man page). */
#define NE_OS_OPTS                                                                          \
    {"os-cloud", 0, OPT_STRING, "NAME", "cloud of clouds.yaml to use (default $OS_CLOUD)",  \
     NULL, NULL, NULL},                                                                     \
    {"os-region-name", 0, OPT_STRING, "REGION", "region of the endpoints", NULL, NULL,     \
     NULL},                                                                                 \
    {"os-interface", 0, OPT_STRING, "INTERFACE", "endpoint interface", NULL, NULL,          \
     "public|internal|admin"},                                                              \
    {"os-cacert", 0, OPT_STRING, "FILE", "CA bundle to verify TLS with", NULL, NULL, NULL}, \
    {"insecure", 0, OPT_FLAG, NULL, "do not verify TLS certificates", NULL, NULL, NULL}

/* The exit code of a failure kind (cmd.h): config/auth/not found 2,
 * unreachable 4, refused 1. */
int ne_os_exit(enum ne_os_err e);

/* Authenticates with the NE_OS_OPTS of args.  NE_EXIT_OK and *os, or the
 * exit code after one reported line. */
int ne_os_from_args(const struct ne_args *args, struct ne_os **os);
/* Same, plus the Nova client (*nv; close it before *os). */
int ne_nova_from_args(const struct ne_args *args, struct ne_os **os, struct ne_nova **nv);

/* Renderings; the json_t are new references. */
const char *ne_power_state_name(int p);
json_t *ne_server_json(const struct ne_server *s);
json_t *ne_service_json(const struct ne_service *s);
json_t *ne_hypervisor_json(const struct ne_hypervisor *h);
json_t *ne_migration_json(const struct ne_migration *m);
json_t *ne_image_json(const struct ne_image *im);
/* Pretty JSON of v on f, then a newline; steals v. */
void ne_json_print(json_t *v, FILE *f);
/* Table of servers on f. */
void ne_servers_table(const struct ne_server *s, size_t n, FILE *f);

#endif
