/* SPDX-License-Identifier: Apache-2.0 */
/* volsync-conf.c: a Ceph cluster's connection settings from the tool's
 * configuration file, section [ceph:NAME]:
 *
 *     [ceph:east]
 *     conf = /etc/ceph/east.conf
 *     keyring = /etc/ceph/east.client.nova-evac.keyring
 *     client = nova-evac                  # default: admin */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rbd/rbd-plan.h"
#include "util/ini.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/statedir.h"
#include "volsync/volsync.h"

int
ne_volsync_conn(const char *config_path, const char *name, struct ne_rbd_conn *out)
{
    CLEANUP_FREE char *sec = NULL;
    const char *conf, *keyring, *client;
    struct ini *ini;

    memset(out, 0, sizeof *out);
    if (!ne_rbd_name_ok(name)) {
        ne_error("ceph cluster name '%s' is not valid (letters, digits, '.', '_', '-')", name);
        return -1;
    }
    if (!config_path || !(ini = ini_load(config_path, true))) {
        if (!config_path) ne_error("ceph cluster %s: no configuration file", name);
        return -1;
    }
    sec = xasprintf("ceph:%s", name);
    conf = ini_get(ini, sec, "conf");
    keyring = ini_get(ini, sec, "keyring");
    client = ini_get(ini, sec, "client");
    if (!conf || !keyring) {
        ne_error("ceph cluster %s: no [ceph:%s] section with conf= and keyring= in %s; add it "
                 "(conf = the cluster's ceph.conf, keyring = the client's keyring, client = "
                 "its name)",
                 name, name, config_path);
        ini_free(ini);
        return -1;
    }
    if (ne_path_check("[ceph:...] conf", conf) < 0 || ne_path_check("[ceph:...] keyring", keyring) < 0 ||
        (client && !ne_rbd_name_ok(str_prefix(client, "client.") ? client + 7 : client))) {
        if (client && !ne_rbd_name_ok(str_prefix(client, "client.") ? client + 7 : client))
            ne_error("ceph cluster %s: client= in [ceph:%s] is not a client name", name, name);
        ini_free(ini);
        return -1;
    }
    if (access(conf, R_OK) < 0 || access(keyring, R_OK) < 0) {
        bool k = access(conf, R_OK) == 0;
        ne_error("ceph cluster %s: cannot read its %s %s: %s; check %s= in [ceph:%s] of %s", name,
                 k ? "keyring" : "conf", k ? keyring : conf, strerror(errno),
                 k ? "keyring" : "conf", name, config_path);
        ini_free(ini);
        return -1;
    }
    out->name = xstrdup(name);
    out->conf = xstrdup(conf);
    out->keyring = xstrdup(keyring);
    out->client = xstrdup(client ? client : "admin");
    ini_free(ini);
    return 0;
}

void
ne_volsync_conn_free(struct ne_rbd_conn *c)
{
    free((char *)c->name);
    free((char *)c->conf);
    free((char *)c->keyring);
    free((char *)c->client);
    memset(c, 0, sizeof *c);
}
