/* SPDX-License-Identifier: Apache-2.0 */
/* osargs.h: what the commands that talk to OpenStack share: the
 * connection options (never credentials: those come from clouds.yaml or
 * OS_* only, see clouds.h), opening a session from them, the mapping of
 * failures to exit codes.  The renderings of Nova and Glance objects are in
 * openstack/osrender.h (included here for the commands). */
#ifndef NE_OSARGS_H
#define NE_OSARGS_H

#include "cmd/cmd.h"
#include "drain/drain-nova.h"
#include "openstack/glance.h"
#include "openstack/keystone.h"
#include "openstack/nova.h"
#include "openstack/osrender.h"
#include "novadb/novadb.h"
#include "util/config.h"

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

/* The Nova cell database option (documented in the man pages). */
#define NE_DB_OPTS                                                                          \
    {"db", 0, OPT_STRING, "URL", "the Nova cell database, without password (default: "    \
     "$NOVA_EVAC_DB, or nova.conf [database] connection when readable)", NULL, NULL, NULL}

/* Is a Nova database configured: --db, a non-empty $NOVA_EVAC_DB (empty
 * counts as unset), or a readable nova.conf ($NOVA_EVAC_NOVA_CONF when
 * non-empty, else cfg->nova_conf).  The same sources, in the same order, as
 * ne_dburl_resolve(). */
bool ne_db_configured(const struct ne_args *args, const struct ne_config *cfg);
/* Resolves the database of --db / $NOVA_EVAC_DB / nova.conf and connects.
 * NE_EXIT_OK and *db (the caller's, close with novadb_close), or the exit
 * code (usage: configuration; unreachable: connection) after reporting. */
int ne_db_from_args(const struct ne_args *args, const struct ne_config *cfg, struct ne_db **db);

/* The Nova connections of a drain or a recorded move: sees what is
 * configured (API: --os-cloud, OS_CLOUD or OS_AUTH_URL; database:
 * ne_db_configured), checks it against via (ne_drain_nova_check), opens it
 * and fills o->nova (ne_drain_nova_setup).  Returns 0 and *out (NULL when
 * nothing is configured; close with ne_drain_nova_close) or an exit code
 * after reporting. */
int ne_drain_nova_from_args(const struct ne_args *args, const struct ne_config *cfg,
                            const char *via, struct ne_drain_opts *o, struct ne_drain_nova **out);

/* drain --resume when ne_drain_nova_from_args() found the Nova API
 * configured but unreachable (reported): opens the database when one is
 * configured and sets the hooks of ne_drain_nova_setup_api_down().
 * Returns 0 and *out, or an exit code after reporting. */
int ne_drain_nova_api_down_from_args(const struct ne_args *args, const struct ne_config *cfg,
                                     struct ne_drain_opts *o, struct ne_drain_nova **out);

/* For a plan (plan, drain --dry-run), which changes nothing: opens the
 * Nova API when configured and sets only o->nova.free_disk (the free disk
 * Nova counts).  *out NULL when the API is not configured, or could not
 * be opened (reported: the plan then uses libvirt's figures and ends 4). */
void ne_drain_nova_readonly(const struct ne_args *args, const struct ne_config *cfg,
                            struct ne_drain_opts *o, struct ne_drain_nova **out);

/* The exit code of a failure kind (cmd.h): config/auth/not found 2,
 * unreachable 4, refused 1. */
int ne_os_exit(enum ne_os_err e);

/* Authenticates with the NE_OS_OPTS of args.  NE_EXIT_OK and *os, or the
 * exit code after one reported line. */
int ne_os_from_args(const struct ne_args *args, struct ne_os **os);
/* Same, plus the Nova client (*nv; close it before *os). */
int ne_nova_from_args(const struct ne_args *args, struct ne_os **os, struct ne_nova **nv);

#endif
