/* SPDX-License-Identifier: Apache-2.0 */
/* virt-truth.c: see virt-truth.h.  Part of the libvirt adapter (includes
 * libvirt headers through virt-int.h). */
#include <config.h>

#include <string.h>

#include "model/domain.h"
#include "util/log.h"
#include "util/mem.h"
#include "virt/virt-int.h"
#include "virt/virt-truth.h"

int
virt_list_brief(struct ne_virt *v, struct ne_dom_brief **out, size_t *n)
{
    virDomainPtr *doms = NULL;
    struct ne_dom_brief *res;
    int nd, i, reason;
    size_t k = 0;

    if ((nd = lv_list_all(v, &doms)) < 0) return -1;
    res = xcalloc((size_t)nd + 1, sizeof *res);
    for (i = 0; i < nd; i++) {
        if (virDomainGetUUIDString(doms[i], res[k].uuid) == 0 &&
            virDomainGetState(doms[i], &res[k].state, &reason, 0) == 0)
            k++;
        virDomainFree(doms[i]);
    }
    free(doms);
    *out = res;
    *n = k;
    return 0;
}

/* 1/0 when path exists or not on v, -1 when v cannot tell. */
static int
exists(struct ne_virt *v, const char *path)
{
    int r = virt_file_info(v, path, NULL, NULL, NULL);
    return r < 0 ? -1 : r;
}

/* Whether every local disk (copied by a move) of a defined domain exists. */
static int
local_disks(struct ne_virt *v, const char *uuid)
{
    struct ne_domain *d = NULL;
    size_t i;
    int r = virt_find_domain(v, uuid, &d), all = 1;

    if (r <= 0) return -1;
    for (i = 0; i < d->ndisks && all == 1; i++) {
        const struct ne_disk *k = &d->disks[i];
        if (!ne_disk_is_local(k) || !k->source || !str_eq(k->type, "file")) continue;
        r = exists(v, k->source);
        if (r != 1) all = r;
        if (r == 0) ne_debug(NE_DBG_VIRT, "%s: disk %s of %s is missing", v->host, k->source, uuid);
    }
    ne_domain_free(d);
    return all;
}

static bool
has_process(int state)
{
    return state == VIR_DOMAIN_RUNNING || state == VIR_DOMAIN_BLOCKED ||
           state == VIR_DOMAIN_PAUSED || state == VIR_DOMAIN_SHUTDOWN ||
           state == VIR_DOMAIN_PMSUSPENDED;
}

static void
unreachable(struct ne_truth *t, const struct ne_virt *v, const char *what, const char *uuid)
{
    t->seen = NE_SEEN_UNREACHABLE;
    free(t->error);
    t->error = xasprintf("cannot %s: %s", what, lv_err());
    ne_error("cannot %s %s on %s (%s): %s", what, uuid, v->host, v->uri, lv_err());
}

int
virt_truth(struct ne_virt *v, const char *uuid, struct ne_truth *t)
{
    const char *inst = v->cfg->instances_path;
    CLEANUP_FREE char *dir_disk = xasprintf("%s/%s/disk", inst, uuid);
    CLEANUP_FREE char *resize_disk = xasprintf("%s/%s_resize/disk", inst, uuid);
    virDomainPtr dom = virDomainLookupByUUIDString(v->conn, uuid);
    virDomainJobInfo job;
    int reason;

    memset(t, 0, sizeof *t);
    t->host = xstrdup(v->host);
    t->disks = t->resize_dir = -1;
    if (!dom) {
        virErrorPtr e = virGetLastError();
        if (e && e->code != VIR_ERR_NO_DOMAIN) {
            unreachable(t, v, "look up domain", uuid);
            return -1;
        }
        t->seen = NE_SEEN_ABSENT;
        t->disks = exists(v, dir_disk);
        t->resize_dir = exists(v, resize_disk);
        return 0;
    }
    if (virDomainGetState(dom, &t->state, &reason, 0) < 0) {
        unreachable(t, v, "read the state of domain", uuid);
        virDomainFree(dom);
        return -1;
    }
    t->seen = has_process(t->state) ? NE_SEEN_RUNNING : NE_SEEN_DEFINED;
    t->job = virDomainGetJobInfo(dom, &job) == 0 && job.type != VIR_DOMAIN_JOB_NONE;
    virDomainFree(dom);
    if (t->seen == NE_SEEN_DEFINED) t->disks = local_disks(v, uuid);
    t->resize_dir = exists(v, resize_disk);
    return 0;
}
