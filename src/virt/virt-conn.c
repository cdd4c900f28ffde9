/* SPDX-License-Identifier: Apache-2.0 */
/* virt-conn.c: the bottom of the libvirt adapter: opening and closing one
 * connection (lv_connect, virt_connect, virt_disconnect), libvirt's event
 * loop and error reporting (lv_err).  Everything else in virt/ builds on
 * it; it calls nothing else of virt/.  Only virt-nodes.c opens connections
 * through it: the rest of the program gets the run's shared connection
 * from virt_open (virt-nodes.c). */
#include <config.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "util/log.h"
#include "util/mem.h"
#include "virt/virt-int.h"
#include "virt/virt.h"

static void
silent(void *data, virErrorPtr err)
{
    (void)data;
    (void)err;
}

const char *
lv_err(void)
{
    const char *m = virGetLastErrorMessage();
    return m ? m : "unknown libvirt error";
}

static void *
event_loop(void *arg)
{
    (void)arg;
    for (;;)
        if (virEventRunDefaultImpl() < 0) usleep(100000);
    return NULL;
}

/* libvirt events (job completion) need an event loop registered before the
 * first connection is opened, and a thread running it. */
static void
events_init(void)
{
    pthread_t t;

    virSetErrorFunc(NULL, silent);
    if (virEventRegisterDefaultImpl() < 0) return;
    if (pthread_create(&t, NULL, event_loop, NULL) == 0) pthread_detach(t);
}

virConnectPtr
lv_connect(const char *host, const char *uri)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    virConnectPtr conn;

    pthread_once(&once, events_init);
    ne_debug(NE_DBG_VIRT, "connecting to %s at %s", host, uri);
    conn = virConnectOpen(uri);
    if (!conn) {
        ne_error("cannot connect to libvirt on host %s (%s): %s", host, uri, lv_err());
        return NULL;
    }
    /* Notice a dead peer within ~30 s instead of hanging forever. */
    if (virConnectSetKeepAlive(conn, 5, 6) < 0)
        ne_debug(NE_DBG_VIRT, "%s: keepalive not supported: %s", host, lv_err());
    return conn;
}

struct ne_virt *
virt_connect(const struct ne_config *cfg, const char *host)
{
    struct ne_virt *v;

    if (ne_check_hostname(host) < 0) return NULL;
    v = xcalloc(1, sizeof *v);
    v->host = xstrdup(host);
    v->uri = ne_node_uri(cfg, host);
    v->cfg = cfg;
    if (!(v->conn = lv_connect(host, v->uri))) {
        virt_disconnect(v);
        return NULL;
    }
    return v;
}

void
virt_disconnect(struct ne_virt *v)
{
    size_t i;

    if (!v) return;
    for (i = 0; i < v->npools; i++) {
        virStoragePoolPtr p = v->conn ? virStoragePoolLookupByName(v->conn, v->pools[i]) : NULL;
        if (p) {
            virStoragePoolDestroy(p);
            virStoragePoolFree(p);
        }
        free(v->pools[i]);
    }
    free(v->pools);
    lv_caps_free(v->caps);
    if (v->conn) virConnectClose(v->conn);
    free(v->host);
    free(v->uri);
    free(v);
}

const char *virt_host(const struct ne_virt *v) { return v->host; }
const struct ne_config *virt_config(const struct ne_virt *v) { return v->cfg; }

int
lv_list_all(struct ne_virt *v, virDomainPtr **doms)
{
    int nd = virConnectListAllDomains(v->conn, doms, 0);

    if (nd < 0) ne_error("cannot list domains on %s (%s): %s", v->host, v->uri, lv_err());
    return nd;
}

/* True when the connection to v's libvirtd still works.  A lookup that
 * failed on a dead connection (libvirtd killed or restarted) says nothing
 * about the file: never "absent" (rule 3). */
bool
lv_conn_alive(struct ne_virt *v)
{
    return v->conn && virConnectIsAlive(v->conn) == 1;
}

/* True when the last libvirt error means "that directory is not there"
 * (a transient pool on a missing directory fails to start), and not that
 * v cannot be reached: RPC errors and a dead connection never count. */
bool
lv_dir_missing(struct ne_virt *v)
{
    virErrorPtr e = virGetLastError();

    if (!e || e->domain == VIR_FROM_RPC || e->code == VIR_ERR_NO_CONNECT ||
        e->code == VIR_ERR_INVALID_CONN || e->code == VIR_ERR_RPC)
        return false;
    return (e->code == VIR_ERR_NO_STORAGE_POOL || e->code == VIR_ERR_INTERNAL_ERROR ||
            e->code == VIR_ERR_OPERATION_INVALID || e->code == VIR_ERR_SYSTEM_ERROR) &&
           lv_conn_alive(v);
}

/* True when the last libvirt error says "no such volume" on a live
 * connection. */
bool
lv_vol_missing(struct ne_virt *v)
{
    virErrorPtr e = virGetLastError();

    return e && e->code == VIR_ERR_NO_STORAGE_VOL && lv_conn_alive(v);
}
