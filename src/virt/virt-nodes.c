/* SPDX-License-Identifier: Apache-2.0 */
/* virt-nodes.c: the node table, the one owner of libvirt connections in a
 * run.  host -> one shared struct ne_virt, opened on the first virt_open,
 * handed to every later caller, closed by virt_nodes_close at the end of
 * the run; and each migration job's connection of its own (virt_job_get,
 * see virt-int.h), kept idle between jobs.  libvirt connections are thread-safe; the struct's only field
 * changed after open (the transient pool list) is appended under the
 * table's lock, and conn is replaced (reconnect) under it too.
 *
 * The table owns the entries, their struct ne_virt and every connection
 * (dead ones replaced by a reconnect are kept until the end: another
 * thread may still be inside a call on them). */
#include <config.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/mem.h"
#include "virt/virt-int.h"
#include "virt/virt.h"

struct node {
    struct ne_virt *v;
    unsigned refs;       /* virt_open without virt_close yet */
    unsigned opened;     /* real virConnectOpen that succeeded, reconnects included */
    unsigned reconnects; /* of them, replacements of a dead connection */
    virConnectPtr *dead; /* replaced connections, closed at the end */
    size_t ndead, capdead;
    struct ne_virt **idle; /* migration jobs' connections between jobs */
    size_t nidle, capidle;
    unsigned jobs;       /* migration jobs' connections opened */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct node *nodes; /* guarded by lock */
static size_t nnodes, capnodes;

static struct node *
find(const char *host)
{
    size_t i;

    for (i = 0; i < nnodes; i++)
        if (strcmp(nodes[i].v->host, host) == 0) return &nodes[i];
    return NULL;
}

/* A connection found dead is replaced; NULL when reconnecting fails. */
static struct ne_virt *
revive(struct node *n)
{
    virConnectPtr c;

    if (virConnectIsAlive(n->v->conn) != 0) return n->v;
    ne_debug(NE_DBG_VIRT, "%s: connection is dead: reconnecting", n->v->host);
    if (!(c = lv_connect(n->v->host, n->v->uri))) return NULL;
    xgrow(&n->dead, &n->capdead, n->ndead + 1, sizeof *n->dead);
    n->dead[n->ndead++] = n->v->conn;
    n->v->conn = c;
    n->opened++;
    n->reconnects++;
    return n->v;
}

struct ne_virt *
virt_open(const struct ne_config *cfg, const char *host)
{
    struct ne_virt *v;
    struct node *n;

    if (ne_check_hostname(host) < 0) return NULL;
    pthread_mutex_lock(&lock);
    if ((n = find(host))) {
        v = revive(n);
    } else if ((v = virt_connect(cfg, host))) {
        xgrow(&nodes, &capnodes, nnodes + 1, sizeof *nodes);
        n = &nodes[nnodes++];
        memset(n, 0, sizeof *n);
        n->v = v;
        n->opened = 1;
    }
    if (v) n->refs++;
    pthread_mutex_unlock(&lock);
    return v;
}

void
virt_close(struct ne_virt *v)
{
    size_t i;

    if (!v) return;
    pthread_mutex_lock(&lock);
    for (i = 0; i < nnodes; i++)
        if (nodes[i].v == v && nodes[i].refs > 0) nodes[i].refs--;
    pthread_mutex_unlock(&lock);
}

struct ne_virt *
virt_job_get(struct ne_virt *v)
{
    struct ne_virt *j = NULL, *dead[8];
    size_t ndead = 0, i;
    struct node *n;

    pthread_mutex_lock(&lock);
    n = find(v->host);
    while (n && n->nidle && !j) {
        j = n->idle[--n->nidle];
        if (virConnectIsAlive(j->conn) != 1) {
            if (ndead < sizeof dead / sizeof *dead) dead[ndead++] = j;
            j = NULL;
        }
    }
    pthread_mutex_unlock(&lock);
    for (i = 0; i < ndead; i++) virt_disconnect(dead[i]);
    if (j || !n) return j;
    /* outside the lock: connecting may take a while */
    if ((j = virt_connect(v->cfg, v->host))) {
        pthread_mutex_lock(&lock);
        if ((n = find(v->host))) n->jobs++;
        pthread_mutex_unlock(&lock);
    }
    return j;
}

void
virt_job_put(struct ne_virt *j)
{
    struct node *n;

    if (!j) return;
    pthread_mutex_lock(&lock);
    if ((n = find(j->host)) && virConnectIsAlive(j->conn) == 1) {
        xgrow(&n->idle, &n->capidle, n->nidle + 1, sizeof *n->idle);
        n->idle[n->nidle++] = j;
        j = NULL;
    }
    pthread_mutex_unlock(&lock);
    virt_disconnect(j);
}

void
virt_pool_note(struct ne_virt *v, const char *name)
{
    pthread_mutex_lock(&lock);
    xgrow(&v->pools, &v->cappools, v->npools + 1, sizeof *v->pools);
    v->pools[v->npools++] = xstrdup(name);
    pthread_mutex_unlock(&lock);
}

unsigned
virt_nodes_opened(const char *host, unsigned *reconnects)
{
    struct node *n;
    unsigned r;

    pthread_mutex_lock(&lock);
    n = find(host);
    r = n ? n->opened : 0;
    if (reconnects) *reconnects = n ? n->reconnects : 0;
    pthread_mutex_unlock(&lock);
    return r;
}

void
virt_nodes_close(void)
{
    size_t i, j;

    pthread_mutex_lock(&lock);
    for (i = 0; i < nnodes; i++) {
        struct node *n = &nodes[i];
        char jobs[64] = "";
        if (n->jobs)
            snprintf(jobs, sizeof jobs, ", %u more for migration jobs", n->jobs);
        if (n->reconnects)
            ne_debug(NE_DBG_VIRT, "libvirt: %s: %u connection%s opened (%u reconnect%s)%s",
                     n->v->host, n->opened, n->opened == 1 ? "" : "s", n->reconnects,
                     n->reconnects == 1 ? "" : "s", jobs);
        else
            ne_debug(NE_DBG_VIRT, "libvirt: %s: %u connection%s opened%s", n->v->host, n->opened,
                     n->opened == 1 ? "" : "s", jobs);
        if (n->refs)
            ne_debug(NE_DBG_VIRT, "libvirt: %s: %u user(s) did not close", n->v->host, n->refs);
        virt_disconnect(n->v);
        for (j = 0; j < n->ndead; j++) virConnectClose(n->dead[j]);
        free(n->dead);
        for (j = 0; j < n->nidle; j++) virt_disconnect(n->idle[j]);
        free(n->idle);
    }
    free(nodes);
    nodes = NULL;
    nnodes = capnodes = 0;
    pthread_mutex_unlock(&lock);
}
