/* SPDX-License-Identifier: Apache-2.0 */
/* virt-int.h: what the libvirt adapter files (virt*.c, migrate.c) share.
 * Includes libvirt headers: never include it from anywhere else. */
#ifndef NE_VIRT_INT_H
#define NE_VIRT_INT_H

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "virt/virt.h"

struct ne_virt {
    virConnectPtr conn;
    char *host;
    char *uri;
    const struct ne_config *cfg;
    /* Transient pools this process created (destroyed by virt_disconnect).
     * Appended only through virt_pool_note (locked: the connection is
     * shared by the drain's worker threads). */
    char **pools;
    size_t npools, cappools;
    /* Probed once, on the first virt_caps (virt-caps.c, under its lock). */
    struct ne_caps *caps;
};

/* virt-conn.c.  lv_connect: a new libvirt connection to host at uri (keepalive
 * set, errors reported), or NULL.  virt_connect/virt_disconnect: a new,
 * private struct ne_virt and its teardown (transient pools destroyed,
 * connection closed).  Only virt-nodes.c calls them: everything else gets
 * the run's shared connection through virt_open/virt_close. */
virConnectPtr lv_connect(const char *host, const char *uri);
struct ne_virt *virt_connect(const struct ne_config *cfg, const char *host);
void virt_disconnect(struct ne_virt *v);
/* virt-conn.c: last libvirt error message (borrowed, never NULL). */
const char *lv_err(void);
/* virt-conn.c: every domain on v (the caller frees each and the array),
 * or -1 (reported: names the host). */
int lv_list_all(struct ne_virt *v, virDomainPtr **doms);
/* virt-conn.c: what the last failed lookup on v means.  lv_conn_alive:
 * the connection still works.  lv_dir_missing: the directory is not there
 * (never on an RPC error or a dead connection).  lv_vol_missing: no such
 * volume, said by a live libvirtd.  Anything else is "cannot tell", never
 * "absent". */
bool lv_conn_alive(struct ne_virt *v);
bool lv_dir_missing(struct ne_virt *v);
bool lv_vol_missing(struct ne_virt *v);
/* domxml.c: the XPath expression's string value in xml (newly allocated),
 * or NULL when the XML does not parse or the value is empty. */
char *lv_xpath_string(const char *xml, const char *name, const char *expr);
/* virt.c: the <cpu>...</cpu> element of a domain XML, or NULL (newly
 * allocated). */
char *lv_cpu_element(const char *xml);
/* virt-caps.c: frees v->caps (virt_disconnect). */
void lv_caps_free(struct ne_caps *c);
/* virt-nodes.c: a connection of its own to v's host for one migration
 * job: an idle one of an earlier job, or a new one; NULL when none could
 * be opened (the caller uses v) or v's host is not in the node table.
 * libvirtd serves at most max_client_requests calls of one client
 * connection at once (5 by default) and a migration's call lasts the
 * whole migration: on the shared connection a few migrations in flight
 * hold every slot, and every other call of the run (the next migration's
 * preparation, the job statistics, a cleanup) waits for one to end.
 * virt_job_put gives it back (kept for the next job unless dead); the
 * node table closes the idle ones at the end of the run. */
struct ne_virt *virt_job_get(struct ne_virt *v);
void virt_job_put(struct ne_virt *j);
/* virt-nodes.c: records a transient pool created on v (thread-safe). */
void virt_pool_note(struct ne_virt *v, const char *name);

/* virt-storage.c.  The storage pool whose target is dir: found, or created transient
 * (and, with build, the directory created).  Caller frees the pool. */
virStoragePoolPtr pool_for_dir(struct ne_virt *v, const char *dir, bool build);
/* The volume at path on v (its directory's pool found or created, and
 * built when build), or NULL; *pool_out (may be NULL) gets the pool, also
 * when the volume does not exist (NULL when the pool could not be had). */
virStorageVolPtr vol_lookup(struct ne_virt *v, const char *path, bool build,
                            virStoragePoolPtr *pool_out);
/* The domain with this uuid (or name) on v, or NULL (libvirt error set). */
virDomainPtr dom_lookup(struct ne_virt *v, const char *key);

#endif
