/* SPDX-License-Identifier: Apache-2.0 */
/* stuck.c: see stuck.h.  The repair rules, one per case of the field
 * report (seeds/centos6-to-7-compute-evacuation.txt, "How did it go?"). */
#include <config.h>

#include <string.h>

#include "model/domain.h"
#include "stuck/stuck.h"
#include "util/log.h"
#include "util/mem.h"

/* Nova's power_state codes (nova/compute/power_state.py). */
enum { PS_NOSTATE = 0, PS_RUNNING = 1, PS_PAUSED = 3, PS_SHUTDOWN = 4, PS_SUSPENDED = 7 };

static bool
in_list(const char *s, const char *const *list)
{
    for (; s && *list; list++)
        if (strcmp(s, *list) == 0) return true;
    return false;
}

bool
ne_task_moving(const char *task)
{
    static const char *const moving[] = {"migrating", "resize_prep", "resize_migrating",
                                         "resize_migrated", "resize_finish", "resize_reverting",
                                         "resize_confirming", NULL};
    return in_list(task, moving);
}

bool
ne_mig_open(const char *status)
{
    static const char *const open[] = {"accepted", "queued", "preparing", "running",
                                       "pre-migrating", "migrating", "post-migrating",
                                       "finished", "confirming", "reverting", NULL};
    return in_list(status, open);
}

bool ne_mig_live(const char *type) { return str_eq(type, "live-migration"); }

const char *
ne_fix_kind_name(enum ne_fix_kind k)
{
    static const char *const names[] = {"none", "wait", "update", "confirm", "revert",
                                        "refuse", "unreachable", "manual"};
    return k <= NE_FIX_MANUAL ? names[k] : "?";
}

const char *
ne_seen_name(enum ne_seen s)
{
    static const char *const names[] = {"unreachable", "absent", "defined", "running"};
    return s <= NE_SEEN_RUNNING ? names[s] : "?";
}

bool
ne_fix_changes(const struct ne_fix *f)
{
    return f->kind == NE_FIX_UPDATE || f->kind == NE_FIX_CONFIRM || f->kind == NE_FIX_REVERT;
}

void
ne_truth_clear(struct ne_truth *t)
{
    free(t->host);
    free(t->error);
    memset(t, 0, sizeof *t);
}

int
ne_parse_duration(const char *s, const char *what, long long *out)
{
    static const struct {
        char unit;
        long long mul;
    } units[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}, {'w', 604800}};
    CLEANUP_FREE char *num = xstrdup(s);
    size_t len = strlen(num), i;
    long long mul = 1;
    unsigned long long n;

    for (i = 0; len > 1 && i < sizeof units / sizeof units[0]; i++) {
        if (num[len - 1] == units[i].unit) {
            mul = units[i].mul;
            num[len - 1] = '\0';
        }
    }
    if (parse_u64(num, &n) < 0 || n > 100ULL * 365 * 86400 / (unsigned long long)mul) {
        ne_error("%s: expected a duration such as 90s, 10m, 2h or 7d, got '%s'", what, s);
        return -1;
    }
    *out = (long long)n * mul;
    return 0;
}

/* What the truths add up to. */
struct facts {
    const struct ne_truth *unreach, *job, *run[2], *def[2];
    const struct ne_truth *files; /* no domain there, but the instance's disk is */
    size_t nrun, ndef;
    char *seen; /* "node01 running, node02 absent" */
};

static bool
matters(const struct ne_nova_inst *in, const char *host)
{
    return str_eq(host, in->host) || (in->mig.id && (str_eq(host, in->mig.src) ||
                                                     str_eq(host, in->mig.dst)));
}

static void
gather(const struct ne_nova_inst *in, const struct ne_truth *t, size_t nt, struct facts *f)
{
    size_t i;

    memset(f, 0, sizeof *f);
    for (i = 0; i < nt; i++) {
        char *s = xasprintf("%s%s%s %s%s", f->seen ? f->seen : "", f->seen ? ", " : "",
                            t[i].host, ne_seen_name(t[i].seen),
                            t[i].seen == NE_SEEN_DEFINED ? " (not running)" : "");
        free(f->seen);
        f->seen = s;
        if (t[i].seen == NE_SEEN_UNREACHABLE && matters(in, t[i].host) && !f->unreach)
            f->unreach = &t[i];
        if (t[i].job && !f->job) f->job = &t[i];
        if (t[i].seen == NE_SEEN_RUNNING && f->nrun++ < 2) f->run[f->nrun - 1] = &t[i];
        if (t[i].seen == NE_SEEN_DEFINED && f->ndef++ < 2) f->def[f->ndef - 1] = &t[i];
        if (t[i].seen == NE_SEEN_ABSENT && t[i].disks == 1 && !f->files) f->files = &t[i];
    }
    if (!f->seen) f->seen = xstrdup("no host asked");
}

static void
set_state(const struct ne_truth *x, struct ne_fix *out)
{
    switch (x->state) {
    case NE_DOM_RUNNING:
    case NE_DOM_BLOCKED:
        out->vm_state = "active", out->power_state = PS_RUNNING;
        break;
    case NE_DOM_PAUSED:
        out->vm_state = "paused", out->power_state = PS_PAUSED;
        break;
    case NE_DOM_PMSUSPENDED:
        out->vm_state = "suspended", out->power_state = PS_SUSPENDED;
        break;
    default: /* shut off, shutting down, crashed: no guest runs */
        out->vm_state = "stopped", out->power_state = PS_SHUTDOWN;
        break;
    }
}

static void
report(struct ne_fix *out, enum ne_fix_kind kind, const struct facts *f, char *why, char *next)
{
    out->kind = kind;
    out->why = xasprintf("%s (libvirt: %s)", why, f->seen);
    out->next = next;
    free(why);
}

/* The domain is defined nowhere: only files can tell, and files alone never
 * justify a change. */
static void
nowhere(const struct ne_nova_inst *in, const struct ne_truth *t, size_t nt, const struct facts *f,
        struct ne_fix *out)
{
    const struct ne_truth *disks = NULL, *resize = NULL;
    size_t i, ndisks = 0;

    for (i = 0; i < nt; i++) {
        if (t[i].disks == 1 && ndisks++ == 0) disks = &t[i];
        if (t[i].resize_dir == 1 && !resize) resize = &t[i];
    }
    if (resize && in->mig.id && str_eq(resize->host, in->mig.src) && !ne_mig_live(in->mig.type))
        report(out, NE_FIX_MANUAL, f,
               xasprintf("no host defines the domain; its disks wait in %s_resize on %s, "
                         "the source of the %s", in->uuid, resize->host, in->mig.type),
               xasprintf("revert through Nova (openstack server resize revert %s): it moves "
                         "%s_resize back on %s and defines the guest again", in->uuid, in->uuid,
                         resize->host));
    else if (ndisks == 1)
        report(out, NE_FIX_MANUAL, f,
               xasprintf("no host defines the domain; its disks are on %s", disks->host),
               str_eq(disks->host, in->host)
                   ? xasprintf("reset the state (openstack server set --state active %s) and "
                               "hard-reboot it (openstack server reboot --hard %s): Nova defines "
                               "the guest again from its record", in->uuid, in->uuid)
                   : xasprintf("the record names %s but the disks are on %s: check them, make "
                               "the record name %s, then hard-reboot the instance through Nova",
                               in->host ? in->host : "no host", disks->host, disks->host));
    else if (ndisks > 1)
        report(out, NE_FIX_MANUAL, f,
               xstrdup("no host defines the domain; disks are on more than one host"),
               xstrdup("find which copy of the disks is current before anything else"));
    else
        report(out, NE_FIX_MANUAL, f,
               xstrdup("no host asked defines the domain or holds its disks"),
               xstrdup("look on the other compute hosts (--all-nodes) and in backups; the "
                       "record is left as it is"));
}

static bool
is_cold(const struct ne_nova_mig *m)
{
    return m->id && (str_eq(m->type, "migration") || str_eq(m->type, "resize") || !m->type);
}

/* The migration ended on its destination, x. */
static void
on_destination(const struct ne_nova_inst *in, struct ne_fix *out)
{
    const struct ne_nova_mig *m = &in->mig;
    const char *done = ne_mig_live(m->type) ? "completed"
                       : str_eq(m->type, "evacuation") ? "done" : "confirmed";

    if (!str_eq(m->status, done)) out->mig_status = done;
    out->drop_mig_context = true;
    if (is_cold(m)) {
        out->kind = NE_FIX_CONFIRM;
        out->flavor = NE_FLAVOR_NEW;
    }
}

/* The guest is (still, or again) on the migration's source, x. */
static void
on_source(const struct ne_nova_inst *in, struct ne_fix *out)
{
    const struct ne_nova_mig *m = &in->mig;

    if (is_cold(m) && (str_eq(in->vm_state, "resized") || str_eq(in->host, m->dst) ||
                       str_eq(in->task_state, "resize_reverting"))) {
        out->kind = NE_FIX_REVERT;
        out->mig_status = str_eq(m->status, "reverted") ? NULL : "reverted";
        out->flavor = NE_FLAVOR_OLD;
        out->drop_mig_context = true;
    } else if (ne_mig_open(m->status)) {
        out->mig_status = "error"; /* it never happened */
        out->drop_mig_context = true;
    }
}

static char *
where_text(const struct ne_nova_inst *in, const struct ne_truth *x)
{
    const char *role = in->mig.id && str_eq(x->host, in->mig.dst)   ? ", the migration's destination"
                       : in->mig.id && str_eq(x->host, in->mig.src) ? ", the migration's source"
                                                                     : "";
    return xasprintf("%s only on %s%s; Nova records %s, %s/%s", x->seen == NE_SEEN_RUNNING
                     ? "runs" : "defined (not running)", x->host, role,
                     in->host ? in->host : "no host", in->vm_state ? in->vm_state : "-",
                     in->task_state ? in->task_state : "-");
}

static char *
next_text(const struct ne_nova_inst *in, const struct ne_truth *x, const struct facts *f,
          const struct ne_fix *out)
{
    const struct ne_truth *stale = f->ndef && f->def[0] != x ? f->def[0] : NULL;
    char *moved = NULL, *left = NULL, *all;

    if (!str_eq(x->host, in->host))
        moved = xasprintf("stop and start it through Nova (openstack server stop/start %s) so "
                          "its ports and volumes follow it to %s; if placement still holds "
                          "allocations on %s, run nova-manage placement audit --delete and "
                          "heal_allocations", in->uuid, x->host, in->host ? in->host : "the old host");
    if (stale)
        left = xasprintf("a stale definition remains on %s: undefine it (virsh undefine) and "
                         "remove its files once the guest on %s is checked", stale->host, x->host);
    else if (out->kind == NE_FIX_CONFIRM && in->mig.src && !str_eq(in->mig.src, x->host))
        left = xasprintf("remove %s_resize on %s, which Nova's confirm would have deleted",
                         in->uuid, in->mig.src);
    else if (f->files)
        left = xasprintf("leftover files on %s: the instance directory %s (with its disk) "
                         "remains there without a domain; remove it once the guest on %s is "
                         "checked", f->files->host, in->uuid, x->host);
    if (!moved && !left) return NULL;
    all = xasprintf("%s%s%s", moved ? moved : "", moved && left ? "; " : "", left ? left : "");
    free(moved);
    free(left);
    return all;
}

/* The guest is on exactly one host, x (running, or defined with its disks). */
static void
target(const struct ne_nova_inst *in, const struct ne_truth *x, const struct facts *f,
       struct ne_fix *out)
{
    const struct ne_nova_mig *m = &in->mig;
    CLEANUP_FREE char *where = NULL;
    bool on_r = str_eq(x->host, in->host);
    bool is_dst = m->id && str_eq(x->host, m->dst), is_src = m->id && str_eq(x->host, m->src);
    bool odd = ne_task_moving(in->task_state) || str_eq(in->vm_state, "error") ||
               str_eq(in->vm_state, "resized") || (m->id && ne_mig_open(m->status));

    if (on_r && !odd) {
        report(out, NE_FIX_NONE, f, xasprintf("on %s as recorded", x->host), NULL);
        return;
    }
    if (is_dst && is_src && is_cold(m)) {
        report(out, NE_FIX_MANUAL, f,
               xasprintf("same-host resize on %s: libvirt cannot tell the old flavor from the "
                         "new", x->host),
               xasprintf("confirm or revert through Nova (openstack server resize confirm|revert "
                         "%s)", in->uuid));
        return;
    }
    out->kind = NE_FIX_UPDATE;
    out->host = x->host;
    out->node = on_r ? in->node : is_dst ? m->dst_node : is_src ? m->src_node : NULL;
    set_state(x, out);
    if (is_dst)
        on_destination(in, out);
    else if (is_src)
        on_source(in, out);
    else if (m->id && ne_mig_open(m->status)) {
        out->mig_status = "error";
        out->drop_mig_context = true;
    }
    where = where_text(in, x);
    out->why = xasprintf("%s (libvirt: %s)", where, f->seen);
    out->next = next_text(in, x, f, out);
}

void
ne_stuck_decide(const struct ne_nova_inst *in, const struct ne_truth *t, size_t nt,
                struct ne_fix *out)
{
    struct facts f;
    const struct ne_truth *x;

    memset(out, 0, sizeof *out);
    gather(in, t, nt, &f);
    if (f.unreach)
        report(out, NE_FIX_UNREACHABLE, &f,
               xasprintf("libvirt on %s cannot be asked: %s", f.unreach->host,
                         f.unreach->error ? f.unreach->error : "unreachable"),
               xasprintf("make libvirt on %s reachable (or fix its URI in nova-evac.conf), then "
                         "run nova-evac stuck again; nothing is changed meanwhile",
                         f.unreach->host));
    else if (f.job)
        report(out, NE_FIX_WAIT, &f,
               xasprintf("a libvirt job is active on %s: the migration is still moving",
                         f.job->host),
               xstrdup("wait for it to end (virsh domjobinfo), then run nova-evac stuck again"));
    else if (f.nrun >= 2)
        report(out, NE_FIX_REFUSE, &f,
               xasprintf("runs on %s and on %s at the same time", f.run[0]->host, f.run[1]->host),
               xstrdup("refused: find which copy is current (guest console, disk write times), "
                       "destroy the other one, then run nova-evac stuck again"));
    else if (f.nrun == 0 && f.ndef >= 2)
        report(out, NE_FIX_REFUSE, &f,
               xasprintf("defined on %s and on %s, running on neither", f.def[0]->host,
                         f.def[1]->host),
               xstrdup("refused: find which copy of the disks is current, undefine the other "
                       "domain, then run nova-evac stuck again"));
    else if (f.nrun == 0 && f.ndef == 0)
        nowhere(in, t, nt, &f, out);
    else if ((x = f.nrun ? f.run[0] : f.def[0])->seen == NE_SEEN_DEFINED && x->disks != 1)
        report(out, NE_FIX_MANUAL, &f,
               xasprintf("defined only on %s, not running, and its local disks %s", x->host,
                         x->disks == 0 ? "are missing there" : "cannot be checked"),
               x->resize_dir == 1 && in->mig.id && str_eq(x->host, in->mig.src)
                   ? xasprintf("revert through Nova (openstack server resize revert %s): it "
                               "moves %s_resize back on %s", in->uuid, in->uuid, x->host)
                   : xasprintf("find the disks of %s before anything else", in->uuid));
    else
        target(in, x, &f, out);
    free(f.seen);
}
