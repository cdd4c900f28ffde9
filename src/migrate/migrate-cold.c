/* SPDX-License-Identifier: Apache-2.0 */
/* migrate-cold.c: cold migration through the libvirt connections only:
 * stop the guest, copy its local disks sparse-aware (libvirt storage
 * streams; no ssh, no rsync, no compression), define and start it on the
 * destination, verify, and only then undefine the source and delete its
 * files.  Every file and directory created on the destination is recorded
 * before (migrate-made.c); a failure removes only those.  On storage
 * shared by both hosts nothing is copied or deleted: the move redefines. */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "migrate/migrate.h"
#include "virt/xml-rewrite.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/progress.h"

struct cold_progress {
    const char *label;
    const struct ne_mig_opts *o;
    double t0;
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
    if (p->o->progress) {
        struct ne_mig_stats st = {.disk_processed = p->base + done, .disk_total = p->all,
                                  .progress_from = "copy"};
        ne_mig_say(p->o, NE_MIG_PHASE_COPYING, &st, ne_now() - p->t0, false);
    }
}

/* Copies every local disk, each recorded in made before it is created;
 * on failure the caller removes what made holds. */
static int
copy_disks(struct ne_virt *src, struct ne_virt *dst, const struct ne_domain *d,
           struct ne_mig_result *r, struct ne_made_list *made, const struct ne_mig_opts *o)
{
    struct cold_progress cp = {.label = d->name, .o = o, .t0 = ne_now()};
    size_t i;

    for (i = 0; i < d->ndisks; i++)
        if (ne_disk_is_local(&d->disks[i]) && d->disks[i].source)
            cp.all += d->disks[i].allocation ? d->disks[i].allocation : d->disks[i].capacity;
    for (i = 0; i < d->ndisks; i++) {
        const struct ne_disk *k = &d->disks[i];
        uint64_t bytes = 0;
        int c;

        if (!ne_disk_is_local(k) || !k->source) continue;
        if (ne_made_begin(made, dst, k->source) < 0) {
            progress_done(d->name, false, "not journalled");
            return -1;
        }
        c = virt_copy_file(src, k->source, dst, k->source, on_copy, &cp, &bytes);
        ne_made_end(made, dst, c == 0);
        if (c < 0) {
            progress_done(d->name, false, "copy failed");
            return -1;
        }
        r->st.files_bytes += bytes;
        cp.base += k->allocation ? k->allocation : k->capacity;
    }
    progress_done(d->name, true, r->shared_storage ? "shared storage: nothing copied" : "disks copied");
    return 0;
}

/* Defines (and starts, when the guest was running) on dst; checks it.
 * *defined: whether the definition was made (then a failure must look
 * at dst before undoing anything). */
static void
step(const struct ne_mig_opts *o, const struct ne_domain *d, const char *event, struct ne_virt *v)
{
    if (o->journal.step) o->journal.step(o->journal.ctx, d->uuid, event, virt_host(v));
}

static int
bring_up(struct ne_virt *dst, const struct ne_domain *d, const char *xml, bool start,
         const struct ne_mig_opts *o, bool *defined)
{
    int st = 0, found;
    bool persistent = false;

    *defined = false;
    if (virt_define(dst, xml, d->name) < 0) return -1;
    *defined = true;
    step(o, d, NE_MIG_STEP_DEFINED, dst);
    if (start && virt_start(dst, d->uuid) < 0) return -1;
    if (start) step(o, d, NE_MIG_STEP_STARTED, dst);
    found = virt_domain_state(dst, d->uuid, &st, &persistent);
    if (found != 1 || !persistent || (start && st != NE_DOM_RUNNING)) {
        ne_error("%s (%s): on %s after cold migration it is %s", d->name, d->uuid, virt_host(dst),
                 found == 1 ? ne_dom_state_name(st) : found == 0 ? "absent" : "unknown (unreachable)");
        return -1;
    }
    return 0;
}

/* The cold move failed after the guest was stopped.  Before define, or
 * when dst shows the domain not running, the attempt is undone: its
 * definition and what it created removed, the source restarted when it
 * ran.  When dst runs (or pauses) it, or cannot be asked, nothing is
 * undone and nothing restarted: two running copies would be worse. */
static int
cold_failed(struct ne_virt *src, struct ne_virt *dst, const struct ne_domain *d, bool defined,
            bool start, struct ne_made_list *made)
{
    int st = 0, found = defined ? virt_domain_state(dst, d->uuid, &st, NULL) : 0;

    if (found < 0) {
        ne_error("%s (%s): the cold migration failed after the domain was defined on %s, which "
                 "cannot be asked now: nothing undone, %s not restarted; run 'nova-evac stuck "
                 "--host %s' once %s is back", d->name, d->uuid, virt_host(dst), virt_host(src),
                 virt_host(src), virt_host(dst));
        ne_made_clear(made);
        return NE_EXIT_UNREACHABLE;
    }
    if (found == 1 && (st == NE_DOM_RUNNING || st == NE_DOM_PAUSED || st == NE_DOM_BLOCKED)) {
        ne_error("%s (%s): %s runs it (%s) although the cold migration reported a failure: kept "
                 "there; %s keeps its stopped definition and disks; check the guest on %s, then "
                 "undefine it on %s (or run 'nova-evac stuck --host %s')", d->name, d->uuid,
                 virt_host(dst), ne_dom_state_name(st), virt_host(src), virt_host(dst),
                 virt_host(src), virt_host(src));
        ne_made_clear(made);
        return NE_EXIT_PARTIAL;
    }
    if (found == 1 && virt_undefine(dst, d->uuid) < 0) {
        ne_made_clear(made);
        return NE_EXIT_PARTIAL;
    }
    if (ne_made_undo(made, dst) < 0)
        ne_warn("%s: some files this attempt created on %s could not be removed (see above)",
                d->name, virt_host(dst));
    if (start && virt_start(src, d->uuid) == 0)
        ne_info("%s restarted on %s", d->name, virt_host(src));
    return NE_EXIT_PARTIAL;
}

int
ne_cold_migrate(struct ne_virt *src, struct ne_virt *dst, const struct ne_domain *d,
                const struct ne_mig_opts *o, struct ne_mig_result *r)
{
    bool was_running = d->state == NE_DOM_RUNNING || d->state == NE_DOM_PAUSED ||
                       d->state == NE_DOM_BLOCKED;
    CLEANUP_FREE char *xml = virt_domain_xml(src, d->uuid, true), *dxml = NULL;
    double t0 = ne_now();
    struct ne_made_list made;
    bool defined = false;
    size_t i;
    int rc;

    if (!xml) return NE_EXIT_PARTIAL;
    /* a bridge VIF names the destination's bridge (migrate-net.c) */
    if (r->net.n && !(dxml = ne_net_dest_xml(&r->net, xml, virt_host(src)))) {
        ne_net_undo(o, &r->net);
        return NE_EXIT_PARTIAL;
    }
    /* the machine type and CPU model the map gives on dst (migrate-machine.c) */
    if (r->machine_to[0] || r->cpu_to[0]) {
        char *mapped = ne_xml_set_machine_cpu(dxml ? dxml : xml, virt_host(src),
                                              r->machine_to[0] ? r->machine_to : NULL,
                                              r->cpu_to[0] ? r->cpu_to : NULL, NULL);
        if (!mapped) {
            ne_net_undo(o, &r->net);
            return NE_EXIT_PARTIAL;
        }
        free(dxml);
        dxml = mapped;
    }
    ne_made_init(&made, d, o);
    if (was_running) {
        ne_info("%s: stopping on %s for cold migration", d->name, virt_host(src));
        if (virt_stop(src, d->uuid, o->shutdown_timeout_s) < 0) {
            ne_net_undo(o, &r->net);
            return NE_EXIT_PARTIAL;
        }
    }
    bool start = o->start_policy == 1 || (o->start_policy == 0 && was_running);

    ne_mig_say(o, NE_MIG_PHASE_COPYING, NULL, 0, false);
    if (copy_disks(src, dst, d, r, &made, o) < 0 || ne_copy_boot_files(src, dst, d, r, &made) < 0 ||
        bring_up(dst, d, dxml ? dxml : xml, start, o, &defined) < 0) {
        int st = 0;
        rc = cold_failed(src, dst, d, defined, start, &made);
        /* the bindings this attempt made go, unless dst runs the guest */
        if (virt_domain_state(dst, d->uuid, &st, NULL) == 0 ||
            (st != NE_DOM_RUNNING && st != NE_DOM_PAUSED && st != NE_DOM_BLOCKED))
            ne_net_undo(o, &r->net);
        r->st.seconds = ne_now() - t0;
        return rc;
    }
    ne_made_clear(&made);
    if (ne_net_finish(o, &r->net) != 0) r->net_left = true;
    /* The destination runs it persistently: now the source may go. */
    if (virt_undefine(src, d->uuid) < 0) {
        ne_error("%s (%s) runs on %s but could not be undefined on %s: undefine it there by hand",
                 d->name, d->uuid, virt_host(dst), virt_host(src));
        return NE_EXIT_PARTIAL;
    }
    step(o, d, NE_MIG_STEP_SOURCE_UNDEFINED, src);
    if (!o->keep_source_disks && !r->shared_storage) {
        ne_mig_say(o, NE_MIG_PHASE_CLEANING, NULL, 0, false);
        for (i = 0; i < d->ndisks; i++)
            if (ne_disk_is_local(&d->disks[i]) && d->disks[i].source)
                virt_delete_file(src, d->disks[i].source);
        virt_remove_instance_dir(src, d->uuid, false);
    }
    r->st.seconds = ne_now() - t0;
    return 0;
}
