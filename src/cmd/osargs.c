/* SPDX-License-Identifier: Apache-2.0 */
/* osargs.c: see osargs.h. */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/osargs.h"
#include "novadb/dburl.h"
#include "util/log.h"
#include "util/mem.h"

bool
ne_db_configured(const struct ne_args *args, const struct ne_config *cfg)
{
    const char *env = getenv("NOVA_EVAC_DB"), *conf = getenv("NOVA_EVAC_NOVA_CONF");

    if (ne_args_str(args, "db") || (env && *env)) return true;
    return access(conf && *conf ? conf : cfg->nova_conf, R_OK) == 0;
}

int
ne_db_from_args(const struct ne_args *args, const struct ne_config *cfg, struct ne_db **db)
{
    struct ne_dburl url;

    *db = NULL;
    if (ne_dburl_resolve(cfg, ne_args_str(args, "db"), &url) < 0) return NE_EXIT_USAGE;
    *db = novadb_connect(&url);
    ne_dburl_clear(&url);
    return *db ? NE_EXIT_OK : NE_EXIT_UNREACHABLE;
}

static void
nova_conn_close(struct ne_nova_conn *c)
{
    if (c->nv) nova_close(c->nv);
    if (c->os) ne_os_close(c->os);
    if (c->db) novadb_close(c->db);
    c->nv = NULL;
    c->os = NULL;
    c->db = NULL;
}

int
ne_drain_nova_from_args(const struct ne_args *args, const struct ne_config *cfg,
                        const char *via, struct ne_drain_opts *o, struct ne_drain_nova **out)
{
    struct ne_nova_conn c = {
        .api_configured = ne_args_str(args, "os-cloud") || getenv("OS_CLOUD") ||
                          getenv("OS_AUTH_URL"),
        .db_configured = ne_db_configured(args, cfg),
    };
    int rc;

    *out = NULL;
    if ((rc = ne_drain_nova_check(&c, cfg, via)) != 0) return rc;
    if ((c.api_configured && (rc = ne_nova_from_args(args, &c.os, &c.nv)) != NE_EXIT_OK) ||
        (c.db_configured && (rc = ne_db_from_args(args, cfg, &c.db)) != NE_EXIT_OK)) {
        nova_conn_close(&c);
        return rc;
    }
    return ne_drain_nova_setup(&c, cfg, via, o, out);
}

int
ne_drain_nova_api_down_from_args(const struct ne_args *args, const struct ne_config *cfg,
                                 struct ne_drain_opts *o, struct ne_drain_nova **out)
{
    struct ne_nova_conn c = {.db_configured = ne_db_configured(args, cfg)};
    int rc;

    *out = NULL;
    if (c.db_configured && (rc = ne_db_from_args(args, cfg, &c.db)) != NE_EXIT_OK) return rc;
    return ne_drain_nova_setup_api_down(&c, cfg, o, out);
}

void
ne_drain_nova_readonly(const struct ne_args *args, const struct ne_config *cfg,
                       struct ne_drain_opts *o, struct ne_drain_nova **out)
{
    struct ne_nova_conn c = {.api_configured = true};

    *out = NULL;
    if (!ne_args_str(args, "os-cloud") && !getenv("OS_CLOUD") && !getenv("OS_AUTH_URL")) return;
    if (ne_nova_from_args(args, &c.os, &c.nv) != NE_EXIT_OK) {
        nova_conn_close(&c);
        return;
    }
    ne_drain_nova_setup(&c, cfg, "libvirt", o, out);
    o->nova.disable = NULL;
    o->nova.record_move = NULL;
    o->nova.migrate = NULL;
    o->nova.settle_inflight = NULL;
}

int
ne_os_exit(enum ne_os_err e)
{
    switch (e) {
    case NE_OS_OK: return NE_EXIT_OK;
    case NE_OS_ECONFIG:
    case NE_OS_EAUTH:
    case NE_OS_ENOTFOUND: return NE_EXIT_USAGE;
    case NE_OS_EUNREACHABLE: return NE_EXIT_UNREACHABLE;
    case NE_OS_ECONFLICT: return NE_EXIT_PARTIAL;
    }
    return NE_EXIT_PARTIAL;
}

int
ne_os_from_args(const struct ne_args *args, struct ne_os **os)
{
    struct ne_cloud_args a = {
        .cloud = ne_args_str(args, "os-cloud"),
        .region = ne_args_str(args, "os-region-name"),
        .interface = ne_args_str(args, "os-interface"),
        .cacert = ne_args_str(args, "os-cacert"),
        .insecure = ne_args_flag(args, "insecure"),
    };

    return ne_os_exit(ne_os_open(&a, os));
}

int
ne_nova_from_args(const struct ne_args *args, struct ne_os **os, struct ne_nova **nv)
{
    enum ne_os_err kind;
    int rc = ne_os_from_args(args, os);

    *nv = NULL;
    if (rc != NE_EXIT_OK) return rc;
    *nv = nova_open(*os, &kind);
    if (!*nv) {
        ne_os_close(*os);
        *os = NULL;
        return ne_os_exit(kind);
    }
    return NE_EXIT_OK;
}
