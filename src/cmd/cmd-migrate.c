/* SPDX-License-Identifier: Apache-2.0 */
/* cmd-migrate.c: `nova-evac migrate INSTANCE --to HOST`: one instance,
 * host side, through libvirt with the flags the decision table gives. */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cmd/cmd.h"
#include "drain/drain-nova.h"
#include "migrate/migrate.h"
#include "cmd/migargs.h"
#include "cmd/osargs.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/runlock.h"

static const struct ne_opt opts[] = {
    {"to", 't', OPT_STRING, "HOST", "destination host (required)", NULL, NULL, NULL},
    {"from", 'f', OPT_STRING, "HOST", "source host (default: search the configured nodes)",
     NULL, NULL, NULL},
    {"dry-run", 'n', OPT_FLAG, NULL, "show the decision and run the checks; change nothing",
     NULL, NULL, NULL},
    {"timeout-action", 0, OPT_STRING, "ACTION", "what to do at the completion timeout", NULL,
     NULL, "abort|postcopy|pause"},
    {"leave-paused", 0, OPT_FLAG, NULL, "leave the guest paused on the destination (to verify "
     "its disks before it runs)", NULL, NULL, NULL},
    NE_MIG_OPTS,
    NE_STAGE_OPT,
    {"no-record", 0, OPT_FLAG, NULL, "do not record the move in Nova (database row, Placement)",
     NULL, NULL, NULL},
    NE_DB_OPTS,
    NE_OS_OPTS,
    OPT_END,
};

/* Finds which configured node defines the instance; newly allocated name. */
static char *
find_source(const struct ne_config *cfg, const char *key, const char *dst)
{
    const char **nodes;
    size_t n = ne_config_nodes(cfg, &nodes), i;
    char *found = NULL;

    for (i = 0; i < n && !found; i++) {
        struct ne_virt *v;
        int st;
        if (str_eq(nodes[i], dst)) continue;
        v = virt_open(cfg, nodes[i]);
        if (v && virt_domain_state(v, key, &st, NULL) == 1) found = xstrdup(nodes[i]);
        virt_close(v);
    }
    if (!found)
        ne_error("instance %s not found on any configured node%s; give --from HOST", key,
                 n ? "" : " (the configuration lists none)");
    free(nodes);
    return found;
}

/* recorded: 1 in Nova, 0 failed, -1 not asked (--no-record, nothing configured, not moved) */
static void
report(struct ne_ctx *ctx, const struct ne_mig_result *r, const char *from, const char *to, int rc,
       bool moved, int recorded)
{
    const struct ne_mig_stats *s = &r->st;
    char a[16], b[16], c[16];

    if (ctx->format == NE_FORMAT_JSON) {
        json_t *j = json_pack(
            "{s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:b, s:f, s:I, s:I, s:I, s:I, s:I, s:I, s:b, s:o, "
            "s:i}",
            "instance", r->name, "uuid", r->uuid, "from", from, "to", to, "method",
            ne_method_name(r->plan.method), "row", r->plan.row, "reason", r->plan.reason, "moved",
            moved, "seconds", s->seconds, "downtime_ms", (json_int_t)s->downtime_ms, "data_bytes",
            (json_int_t)s->data_processed, "memory_bytes", (json_int_t)s->memory_processed,
            "disk_bytes", (json_int_t)s->disk_processed, "disk_total", (json_int_t)s->disk_total,
            "file_bytes", (json_int_t)s->files_bytes, "aborted", r->aborted, "recorded",
            recorded < 0 ? json_null() : json_boolean(recorded), "exit", rc);
        json_object_set_new(j, "progress_from",
                            s->progress_from ? json_string(s->progress_from) : json_null());
        json_object_set_new(j, "ports", json_integer((json_int_t)r->ports));
        json_object_set_new(j, "ports_left", json_boolean(r->net_left));
        json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        putchar('\n');
        json_decref(j);
        return;
    }
    if (!r->name[0]) return;
    printf("%s %s: %s -> %s, %s, %.1f s", r->name, moved ? "moved" : "NOT moved", from, to,
           ne_method_name(r->plan.method), s->seconds);
    if (s->have_job_stats)
        printf(", downtime %" PRIu64 " ms, data %s, disk %s", s->downtime_ms,
               fmt_bytes(s->data_processed, a, 16), fmt_bytes(s->disk_processed, b, 16));
    else if (s->progress_from)
        printf(", no job statistics from the source (progress from %s)", s->progress_from);
    if (s->files_bytes) printf(", files %s", fmt_bytes(s->files_bytes, c, 16));
    if (moved) printf(", %s", recorded == 1 ? "recorded in Nova" : "not recorded in Nova");
    if (moved && r->ports)
        printf(", %zu port%s %s", r->ports, r->ports == 1 ? "" : "s",
               r->net_left ? "NOT all bound to the destination" : "bound to the destination");
    putchar('\n');
}

/* After a move: Nova's record of the instance (row, Placement) follows it.
 * 1 recorded, 0 failed (said, with the next step), -1 nothing to record to. */
static int
record(const struct ne_drain_opts *d, struct ne_virt *dst, const struct ne_mig_result *r,
       const char *from, const char *to)
{
    int st = 0;

    if (!d || !d->nova.record_move) return -1;
    if (virt_domain_state(dst, r->uuid, &st, NULL) != 1) st = 0;
    if (d->nova.record_move(d->nova.ctx, r->uuid, from, to, st == NE_DOM_RUNNING) == 0) return 1;
    ne_error("%s (%s) moved from %s to %s, but Nova's record of it could not be brought along "
             "(above): run 'nova-evac stuck %s --fix' when Nova is reachable", r->name, r->uuid,
             from, to, r->uuid);
    return 0;
}

/* The locks of a move (util/runlock.h), held until the process ends: the
 * source's host lock shared (a drain of it holds that one exclusively) and
 * the instance's exclusively (a drain holds those of its host's instances,
 * another migrate the one it moves).  0, or an exit code after saying who
 * holds which lock. */
static int
take_locks(const struct ne_config *cfg, struct ne_virt *src, const char *key, const char *from,
           const char *to)
{
    struct ne_domain *d = NULL;
    CLEANUP_FREE char *hpath = NULL, *ipath = NULL, *what = NULL;
    char holder[320];
    int found = virt_find_domain(src, key, &d), fd, rc = 0;

    if (found <= 0) return found < 0 ? NE_EXIT_UNREACHABLE : 0; /* the move says it is absent */
    what = xasprintf("migrate of %s from %s to %s", d->name, from, to);
    hpath = ne_runlock_host_path(cfg->state_dir, from);
    ipath = hpath ? ne_runlock_instance_path(cfg->state_dir, d->uuid) : NULL;
    if (!ipath) {
        rc = NE_EXIT_USAGE;
    } else if ((fd = ne_runlock_take(hpath, true, what, holder, sizeof holder)) < 0) {
        if (fd == -1)
            ne_error("%s (%s): refused: %s is draining %s (lock %s); wait for it to end",
                     d->name, d->uuid, holder, from, hpath);
        rc = fd == -1 ? NE_EXIT_REFUSED : NE_EXIT_USAGE;
    } else if ((fd = ne_runlock_take(ipath, false, what, holder, sizeof holder)) < 0) {
        if (fd == -1)
            ne_error("%s (%s): refused: %s is moving it (lock %s); wait for it to end", d->name,
                     d->uuid, holder, ipath);
        rc = fd == -1 ? NE_EXIT_REFUSED : NE_EXIT_USAGE;
    }
    ne_domain_free(d);
    return rc;
}

static int
get_opts(const struct ne_args *args, struct ne_mig_opts *o)
{
    const char *act = ne_args_str(args, "timeout-action");

    if (ne_mig_opts_from_args(args, false, o) < 0) return -1;
    o->dry_run = ne_args_flag(args, "dry-run");
    o->leave_paused = ne_args_flag(args, "leave-paused");
    if (act)
        o->timeout_action = str_eq(act, "abort") ? NE_TIMEOUT_ABORT
                            : str_eq(act, "postcopy") ? NE_TIMEOUT_POSTCOPY : NE_TIMEOUT_PAUSE;
    if (!ne_args_str(args, "to")) {
        ne_error("migrate: --to HOST is required");
        return -1;
    }
    return 0;
}

static int
run(struct ne_ctx *ctx, const struct ne_args *args)
{
    const char *key = ne_args_pos(args, 0), *to;
    struct ne_config *cfg = ne_ctx_config(ctx);
    CLEANUP_FREE char *from = NULL, *hint = NULL;
    struct ne_virt *src = NULL, *dst = NULL;
    struct ne_mig_opts o;
    struct ne_mig_result r;
    struct ne_drain_opts dopts = {0};
    struct ne_drain_nova *dn = NULL;
    struct ne_mig_neutron nh = {0};
    bool moved = false;
    int rc, recorded = -1, slot;

    if (!cfg || get_opts(args, &o) < 0) return NE_EXIT_USAGE;
    to = ne_args_str(args, "to");
    if (ne_check_hostname(to) < 0) return NE_EXIT_USAGE;
    if (ne_args_str(args, "from")) {
        if (ne_check_hostname(ne_args_str(args, "from")) < 0) return NE_EXIT_USAGE;
        from = xstrdup(ne_args_str(args, "from"));
    } else if (!(from = find_source(cfg, key, to))) {
        return NE_EXIT_USAGE;
    }
    if (!(src = virt_open(cfg, from)) || !(dst = virt_open(cfg, to))) {
        virt_close(src);
        return NE_EXIT_UNREACHABLE;
    }
    if ((rc = take_locks(cfg, src, key, from, to)) != 0) {
        virt_close(src);
        virt_close(dst);
        return rc;
    }
    /* Nova first: a database that is configured but unreachable stops
     * the command before anything moves. */
    if (!o.dry_run && !ne_args_flag(args, "no-record") &&
        (rc = ne_drain_nova_from_args(args, cfg, "record", &dopts, &dn)) != 0) {
        virt_close(src);
        virt_close(dst);
        return rc;
    }
    /* the room check counts free disk as Nova does, when Nova is there */
    if (!dn) ne_drain_nova_readonly(args, cfg, &dopts, &dn);
    o.free_disk = dopts.nova.free_disk;
    o.free_disk_ctx = dopts.nova.ctx;
    /* Neutron: the instance's ports follow it (or it is refused) */
    if ((rc = ne_mig_neutron_from_args(args, o.dry_run ? NULL : cfg->state_dir, &o, &nh)) != 0) {
        ne_drain_nova_close(dn);
        virt_close(src);
        virt_close(dst);
        return rc;
    }
    hint = xasprintf("see where it is with 'nova-evac inspect %s' and 'nova-evac inspect %s'",
                     from, to);
    ne_interrupt_install(hint);
    slot = ne_inflight_add(key);
    rc = ne_migrate_instance(src, dst, key, &o, &r);
    ne_inflight_remove(slot);
    if (rc != 0 && ne_interrupted()) rc = NE_EXIT_INTERRUPTED;
    if (rc == 0 && !o.dry_run) {
        moved = true;
        recorded = record(dn ? &dopts : NULL, dst, &r, from, to);
        if (recorded == 0 || r.net_left) rc = NE_EXIT_PARTIAL;
    }
    if (!o.dry_run || ctx->format == NE_FORMAT_JSON) report(ctx, &r, from, to, rc, moved, recorded);
    ne_mig_neutron_close(&o, &nh);
    ne_drain_nova_close(dn);
    virt_close(src);
    virt_close(dst);
    return rc;
}

const struct ne_cmd cmd_migrate = {
    "migrate", "move one instance to another host through libvirt", "INSTANCE", 1, 1, opts, run,
};
