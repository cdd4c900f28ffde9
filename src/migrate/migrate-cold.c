/* SPDX-License-Identifier: Apache-2.0 */
/* cold.c: cold migration through the libvirt connections only: stop the
 * guest, copy its local disks sparse-aware (libvirt storage streams; no
 * ssh, no rsync, no compression), define and start it on the destination,
 * verify, and only then undefine the source and delete its files. */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "migrate/migrate.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/progress.h"

struct cold_progress {
    const char *label;
    uint64_t base;   /* bytes of earlier files */
    uint64_t all;    /* bytes of all files */
};

static void
on_copy(uint64_t done, uint64_t total, void *opaque)
{
    struct cold_progress *p = opaque;
    char text[96], a[16], b[16];

    (void)total;
    snprintf(text, sizeof text, "copy %s/%s", fmt_bytes(p->base + done, a, 16),
             fmt_bytes(p->all, b, 16));
    progress_draw(p->label, p->all ? (double)(p->base + done) / (double)p->all : 0, text);
}

/* Copies every local disk; on failure removes what it copied. */
static int
copy_disks(struct ne_virt *src, struct ne_virt *dst, const struct ne_domain *d,
           struct ne_mig_result *r)
{
    struct cold_progress cp = {.label = d->name};
    size_t i, j;

    for (i = 0; i < d->ndisks; i++)
        if (ne_disk_is_local(&d->disks[i]) && d->disks[i].source)
            cp.all += d->disks[i].allocation ? d->disks[i].allocation : d->disks[i].capacity;
    for (i = 0; i < d->ndisks; i++) {
        const struct ne_disk *k = &d->disks[i];
        uint64_t bytes = 0;

        if (!ne_disk_is_local(k) || !k->source) continue;
        if (virt_copy_file(src, k->source, dst, k->source, on_copy, &cp, &bytes) < 0) {
            for (j = 0; j < i; j++)
                if (ne_disk_is_local(&d->disks[j]) && d->disks[j].source)
                    virt_delete_file(dst, d->disks[j].source);
            progress_done(d->name, false, "copy failed");
            return -1;
        }
        r->st.files_bytes += bytes;
        cp.base += k->allocation ? k->allocation : k->capacity;
    }
    progress_done(d->name, true, "disks copied");
    return 0;
}

static void
remove_copies(struct ne_virt *dst, const struct ne_domain *d)
{
    size_t i;

    virt_undefine(dst, d->uuid);
    for (i = 0; i < d->ndisks; i++)
        if (ne_disk_is_local(&d->disks[i]) && d->disks[i].source)
            virt_delete_file(dst, d->disks[i].source);
    /* an empty directory left behind would make Nova refuse a later move here */
    virt_remove_instance_dir(dst, d->uuid, true);
}

/* Defines (and starts, when the guest was running) on dst; checks it. */
static int
bring_up(struct ne_virt *dst, const struct ne_domain *d, const char *xml, bool start)
{
    int st = 0, found;
    bool persistent = false;

    if (virt_define(dst, xml, d->name) < 0) return -1;
    if (start && virt_start(dst, d->uuid) < 0) return -1;
    found = virt_domain_state(dst, d->uuid, &st, &persistent);
    if (found != 1 || !persistent || (start && st != NE_DOM_RUNNING)) {
        ne_error("%s (%s): on %s after cold migration it is %s", d->name, d->uuid, virt_host(dst),
                 found == 1 ? ne_dom_state_name(st) : "absent");
        return -1;
    }
    return 0;
}

int
ne_cold_migrate(struct ne_virt *src, struct ne_virt *dst, const struct ne_domain *d,
                const struct ne_mig_opts *o, struct ne_mig_result *r)
{
    bool was_running = d->state == NE_DOM_RUNNING || d->state == NE_DOM_PAUSED ||
                       d->state == NE_DOM_BLOCKED;
    CLEANUP_FREE char *xml = virt_domain_xml(src, d->uuid, true);
    double t0 = ne_now();
    size_t i;

    if (!xml) return NE_EXIT_PARTIAL;
    if (was_running) {
        ne_info("%s: stopping on %s for cold migration", d->name, virt_host(src));
        if (virt_stop(src, d->uuid, o->shutdown_timeout_s) < 0) return NE_EXIT_PARTIAL;
    }
    bool start = o->start_policy == 1 || (o->start_policy == 0 && was_running);

    if (copy_disks(src, dst, d, r) < 0 || bring_up(dst, d, xml, start) < 0) {
        remove_copies(dst, d);
        if (start && virt_start(src, d->uuid) == 0)
            ne_info("%s restarted on %s", d->name, virt_host(src));
        r->st.seconds = ne_now() - t0;
        return NE_EXIT_PARTIAL;
    }
    /* The destination runs it persistently: now the source may go. */
    if (virt_undefine(src, d->uuid) < 0) {
        ne_error("%s (%s) runs on %s but could not be undefined on %s: undefine it there by hand",
                 d->name, d->uuid, virt_host(dst), virt_host(src));
        return NE_EXIT_PARTIAL;
    }
    if (!o->keep_source_disks) {
        for (i = 0; i < d->ndisks; i++)
            if (ne_disk_is_local(&d->disks[i]) && d->disks[i].source)
                virt_delete_file(src, d->disks[i].source);
        virt_remove_instance_dir(src, d->uuid, false);
    }
    r->st.seconds = ne_now() - t0;
    return 0;
}
