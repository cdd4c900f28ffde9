/* SPDX-License-Identifier: Apache-2.0 */
/* cmd-stuck.c: `nova-evac stuck`: instances whose Nova record disagrees with
 * where libvirt shows their domain (stuck MIGRATING, RESIZE_*, VERIFY_RESIZE,
 * ERROR after a move that worked, a guest on another host), and, with
 * --fix, the repair of their records (stuckscan.c, stuck.c, stuckfix.c). */
#include <config.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "novasync/novasync.h"
#include "cmd/cmd.h"
#include "model/domain.h"
#include "novadb/novadb.h"
#include "cmd/osargs.h"
#include "openstack/neutron.h"
#include "openstack/osjson.h"
#include "stuck/stuck-api.h"
#include "stuck/stuck-fix.h"
#include "stuck/stuck-scan.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/table.h"

static const struct ne_opt opts[] = {
    {"host", 0, OPT_STRING, "HOST", "only instances that involve HOST (record, migration or "
     "domain)", NULL, NULL, NULL},
    {"older-than", 0, OPT_STRING, "DURATION", "a move idle this long is stuck (default 10m)",
     NULL, NULL, NULL},
    {"since", 0, OPT_STRING, "DURATION", "check instances migrated this recently, whatever "
     "their state (default 7d; 0 = off)", NULL, NULL, NULL},
    {"resize-window", 0, OPT_STRING, "DURATION", "a user's resize (VERIFY_RESIZE) is left to "
     "its owner this long (default 24h)", NULL, NULL, NULL},
    {"all-nodes", 0, OPT_FLAG, NULL, "ask every configured node about every suspect", NULL,
     NULL, NULL},
    {"fix", 0, OPT_FLAG, NULL, "repair the records (asks for each unless --yes)", NULL, NULL,
     NULL},
    {"yes", 'y', OPT_FLAG, NULL, "repair without asking", NULL, "fix", NULL},
    {"dry-run", 'n', OPT_FLAG, NULL, "print what --fix would repair and change nothing", NULL,
     NULL, NULL},
    {"via", 0, OPT_STRING, "WAY", "repair through the Nova database (db) or API (api)", NULL,
     NULL, "db|api"},
    NE_DB_OPTS,
    {"glance-schema", 0, OPT_STRING, "NAME", "Glance's database on the same server, for the "
     "deleted-image check (default glance; none = skip)", NULL, NULL, NULL},
    {"audit-log", 0, OPT_STRING, "FILE", "audit file for --fix (default <state_dir>/audit.log)",
     NULL, "fix", NULL},
    {"allow-db", 0, OPT_FLAG, NULL, "with --via api: make in the database the changes the API "
     "cannot (host, node, migration status)", NULL, NULL, NULL},
    {"no-ports", 0, OPT_FLAG, NULL, "do not compare the instances' Neutron port bindings with "
     "libvirt", NULL, NULL, NULL},
    NE_OS_OPTS,
    OPT_END,
};

/* A copy of s fit for a terminal: control characters become '?'. */
static char *
safe(const char *s)
{
    char *c, *p;

    if (!s) return NULL;
    c = xstrdup(s);
    for (p = c; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f) *p = '?';
    return c;
}

/* INSTANCE arguments: uuids only (Nova's display names are not unique). */
static int
named(const struct ne_args *args, struct ne_stuck_opts *o)
{
    static const char *uuids[10001];
    size_t i, n = ne_args_npos(args);

    for (i = 0; i < n; i++) {
        const char *u = ne_args_pos(args, i);
        size_t j;
        for (j = 0; u[j] && j < 36; j++)
            if (!((j == 8 || j == 13 || j == 18 || j == 23) ? u[j] == '-' : isxdigit((unsigned char)u[j])))
                break;
        if (j != 36 || u[36]) {
            ne_error("stuck: '%.64s' is not an instance uuid", u);
            return -1;
        }
        uuids[i] = u;
    }
    o->uuids = n ? uuids : NULL;
    o->nuuids = n;
    return 0;
}

static int
durations(const struct ne_args *args, struct ne_stuck_opts *o)
{
    const char *older = ne_args_str(args, "older-than"), *since = ne_args_str(args, "since");
    const char *window = ne_args_str(args, "resize-window");

    o->older_s = 600;
    o->since_s = 7 * 86400;
    o->resize_window_s = 86400;
    if (older && ne_parse_duration(older, "--older-than", &o->older_s) < 0) return -1;
    if (since && ne_parse_duration(since, "--since", &o->since_s) < 0) return -1;
    if (window && ne_parse_duration(window, "--resize-window", &o->resize_window_s) < 0) return -1;
    return 0;
}

static char *
libvirt_cell(const struct ne_stuck_item *it)
{
    char *s = xstrdup("");
    size_t i;

    for (i = 0; i < it->nt; i++) {
        const struct ne_truth *t = &it->t[i];
        char *n = xasprintf("%s%s%s:%s%s", s, i ? " " : "", t->host,
                            t->seen == NE_SEEN_DEFINED ? ne_dom_state_name(t->state)
                                                       : ne_seen_name(t->seen),
                            t->job ? "+job" : "");
        free(s);
        s = n;
    }
    return s;
}

static char *
action_cell(const struct ne_stuck_item *it, bool fixing)
{
    const struct ne_fix *f = &it->fix;
    char *plan;

    if (!ne_fix_changes(f)) return xstrdup(ne_fix_kind_name(f->kind));
    plan = xasprintf("%s: %s %s%s%s", ne_fix_kind_name(f->kind), f->host, f->vm_state,
                     f->mig_status ? ", migration " : "", f->mig_status ? f->mig_status : "");
    if (fixing) {
        char *r = xasprintf("%s [%s]", plan, ne_apply_result_name(it->result));
        free(plan);
        plan = r;
    }
    return plan;
}

/* "port-binding: 1 to node01" and the like; NULL when every port is fine. */
static char *
ports_cell(const struct ne_stuck_item *it, bool fixing)
{
    size_t rebind = ne_stuck_ports_count(it, NE_PORT_REBIND), done = 0, i;
    size_t other = it->nports - rebind - ne_stuck_ports_count(it, NE_PORT_OK);
    const char *to = NULL;

    if (it->ports_error) return xstrdup(NE_PORT_CASE ": ports unreadable");
    if (!rebind && !other) return NULL;
    for (i = 0; i < it->nports; i++)
        if (it->ports[i].fix.act == NE_PORT_REBIND) {
            to = it->ports[i].fix.runs_on;
            done += it->ports[i].result == NE_APPLY_DONE;
        }
    if (!rebind) return xasprintf("%s: %zu left alone", NE_PORT_CASE, other);
    if (fixing)
        return xasprintf("%s: %zu to %s [%zu repaired]%s", NE_PORT_CASE, rebind, to, done,
                         other ? ", others left alone" : "");
    return xasprintf("%s: %zu to %s%s", NE_PORT_CASE, rebind, to, other ? ", others left alone" : "");
}

static char *
row_action(const struct ne_stuck_item *it, bool fixing)
{
    CLEANUP_FREE char *nova = action_cell(it, fixing), *ports = ports_cell(it, fixing);

    if (!ports) return xstrdup(nova);
    if (it->fix.kind == NE_FIX_NONE) return xstrdup(ports);
    return xasprintf("%s; %s", nova, ports);
}

static void
print_ports(const struct ne_stuck_item *it, bool fixing)
{
    size_t i;

    if (it->ports_error) printf("  %s: %s\n", NE_PORT_CASE, it->ports_error);
    for (i = 0; i < it->nports; i++) {
        const struct ne_stuck_port *p = &it->ports[i];
        CLEANUP_FREE char *why = safe(p->fix.why), *next = safe(p->fix.next);

        if (p->fix.act == NE_PORT_OK) continue;
        printf("  %s: %s\n", NE_PORT_CASE, why ? why : p->port.id);
        if (p->fix.act == NE_PORT_REBIND)
            printf("  %s neutron: %s [%s]\n", fixing ? "step" : "would", next ? next : "",
                   ne_apply_result_name(p->result));
        else if (next)
            printf("  next (%s): %s\n", ne_port_act_name(p->fix.act), next);
    }
}

static void
print_table(const struct ne_stuck_scan *sc, bool fixing)
{
    static const char *const hdr[] = {"INSTANCE", "NAME", "NOVA", "MIGRATION", "LIBVIRT",
                                      "ACTION", NULL};
    struct ne_table *t = table_new(hdr);
    size_t i;

    for (i = 0; i < sc->n; i++) {
        const struct ne_stuck_item *it = &sc->items[i];
        const struct ne_nova_inst *in = it->in;
        CLEANUP_FREE char *name = safe(in->name), *lv0 = libvirt_cell(it), *lv = safe(lv0);
        CLEANUP_FREE char *act0 = row_action(it, fixing), *act = safe(act0);
        CLEANUP_FREE char *host = safe(in->host);
        CLEANUP_FREE char *nova = xasprintf("%s %s/%s", host ? host : "-",
                                            in->vm_state ? in->vm_state : "-",
                                            in->task_state ? in->task_state : "-");
        CLEANUP_FREE char *mig = in->mig.id ? xasprintf("%s %s %s>%s", in->mig.type ? in->mig.type : "-",
                                                        in->mig.status ? in->mig.status : "-",
                                                        in->mig.src ? in->mig.src : "-",
                                                        in->mig.dst ? in->mig.dst : "-")
                                            : NULL;
        CLEANUP_FREE char *smig = safe(mig);
        const char *row[] = {in->uuid, name, nova, smig, lv, act};
        table_add(t, row);
    }
    table_print(t, stdout);
    table_free(t);
    for (i = 0; i < sc->n; i++) {
        const struct ne_stuck_item *it = &sc->items[i];
        CLEANUP_FREE char *why = safe(it->fix.why), *next = safe(it->fix.next);
        CLEANUP_FREE char *image = safe(it->in->image_ref);
        printf("\n%s: %s\n", it->in->uuid, why ? why : "");
        if (it->in->image_deleted == 1)
            printf("  image %s is deleted in Glance: a move needs its base file from a host "
                   "that has it\n", image);
        if (next) printf("  next: %s\n", next);
        for (size_t k = 0; k < it->nsteps; k++) {
            CLEANUP_FREE char *what = safe(it->steps[k].what);
            printf("  %s %s: %s [%s]\n", fixing ? "step" : "would", it->steps[k].how, what,
                   ne_apply_result_name(it->steps[k].result));
        }
        print_ports(it, fixing);
    }
}

static void
print_json(const struct ne_stuck_scan *sc, bool fixing, bool api)
{
    json_t *items = json_array(), *root;
    size_t i;

    for (i = 0; i < sc->n; i++) {
        json_t *item = ne_stuck_item_json(&sc->items[i]);
        if (api) json_object_set_new(item, "steps", ne_stuck_steps_json(&sc->items[i]));
        json_array_append_new(items, item);
    }
    root = json_pack("{s:s, s:b, s:I, s:I, s:f, s:f, s:o}", "via", api ? "api" : "db", "fix", fixing,
                     "suspects", (json_int_t)sc->set.n, "checked", (json_int_t)sc->checked,
                     "database_seconds", sc->db_s, "libvirt_seconds", sc->virt_s, "instances",
                     items);
    json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    putchar('\n');
    json_decref(root);
}

/* Asks on the terminal; true for yes. */
static bool
confirm(const struct ne_stuck_item *it)
{
    CLEANUP_FREE char *act = action_cell(it, false), *why = safe(it->fix.why);
    CLEANUP_FREE char *name = safe(it->in->name);
    char line[64];

    fprintf(stderr, "\n%s (%s)\n  %s\n  repair: %s\nApply? [y/N] ", it->in->uuid,
            name ? name : "", why ? why : "", act);
    fflush(stderr);
    if (!fgets(line, sizeof line, stdin)) return false;
    return line[0] == 'y' || line[0] == 'Y';
}

/* Asks on the terminal about the ports of it; true for yes. */
static bool
confirm_ports(const struct ne_stuck_item *it)
{
    CLEANUP_FREE char *cell = ports_cell(it, false);
    char line[64];
    size_t i;

    fprintf(stderr, "\n%s: %s\n", it->in->uuid, cell ? cell : "");
    for (i = 0; i < it->nports; i++)
        if (it->ports[i].fix.act == NE_PORT_REBIND) {
            CLEANUP_FREE char *why = safe(it->ports[i].fix.why), *next = safe(it->ports[i].fix.next);
            fprintf(stderr, "  %s\n  repair: %s\n", why ? why : "", next ? next : "");
        }
    fprintf(stderr, "Apply? [y/N] ");
    fflush(stderr);
    if (!fgets(line, sizeof line, stdin)) return false;
    return line[0] == 'y' || line[0] == 'Y';
}

/* 3 when a repair was refused (running on two hosts), else 4 when a host
 * could not be asked, else 1 when anything is left stuck, else 0.  A move
 * still in progress (a libvirt job) is not stuck. */
static int
exit_code(const struct ne_stuck_scan *sc)
{
    bool refused = false, unreachable = false, left = false;
    size_t i, j;

    for (i = 0; i < sc->n; i++) {
        const struct ne_stuck_item *it = &sc->items[i];
        refused |= it->fix.kind == NE_FIX_REFUSE;
        unreachable |= it->fix.kind == NE_FIX_UNREACHABLE || it->ports_error;
        left |= it->result != NE_APPLY_DONE && it->fix.kind != NE_FIX_WAIT &&
                it->fix.kind != NE_FIX_NONE;
        for (j = 0; j < it->nports; j++) {
            const struct ne_stuck_port *p = &it->ports[j];
            unreachable |= p->fix.act == NE_PORT_UNREACHABLE;
            left |= p->fix.act == NE_PORT_LEAVE ||
                    (p->fix.act == NE_PORT_REBIND && p->result != NE_APPLY_DONE);
        }
    }
    return refused ? NE_EXIT_REFUSED : unreachable ? NE_EXIT_UNREACHABLE
                                     : left ? NE_EXIT_PARTIAL : NE_EXIT_OK;
}

static void
ports_summary(const struct ne_stuck_scan *sc)
{
    size_t i, j, n = 0, rebind = 0, done = 0, other = 0;

    for (i = 0; i < sc->n; i++) {
        const struct ne_stuck_item *it = &sc->items[i];
        for (j = 0; j < it->nports; j++) {
            const struct ne_stuck_port *p = &it->ports[j];
            if (p->fix.act == NE_PORT_OK) continue;
            n++;
            rebind += p->fix.act == NE_PORT_REBIND;
            done += p->result == NE_APPLY_DONE;
            other += p->fix.act != NE_PORT_REBIND;
        }
    }
    if (n)
        ne_info("%zu port%s bound elsewhere than where libvirt runs the guest: %zu to rebind "
                "(%zu rebound), %zu left alone", n, n == 1 ? "" : "s", rebind, done, other);
}

static void
summary(const struct ne_stuck_scan *sc)
{
    size_t i, kinds[NE_FIX_MANUAL + 1] = {0}, done = 0;

    for (i = 0; i < sc->n; i++) {
        kinds[sc->items[i].fix.kind]++;
        done += sc->items[i].result == NE_APPLY_DONE;
    }
    ne_info("%zu instance%s checked against libvirt, %zu stuck: %zu repairable (%zu repaired), "
            "%zu refused, %zu unreachable, %zu to do by hand, %zu in progress "
            "(database %.2f s, libvirt %.2f s)", sc->checked, sc->checked == 1 ? "" : "s", sc->n,
            kinds[NE_FIX_UPDATE] + kinds[NE_FIX_CONFIRM] + kinds[NE_FIX_REVERT], done,
            kinds[NE_FIX_REFUSE], kinds[NE_FIX_UNREACHABLE], kinds[NE_FIX_MANUAL],
            kinds[NE_FIX_WAIT], sc->db_s, sc->virt_s);
    ports_summary(sc);
}

/* Applies every repair (asking unless --yes); -1 when the audit log or the
 * database failed (the rest is left alone). */
static int
repair_all(struct ne_db *db, struct ne_stuck_api *api, struct ne_neutron *nt,
           struct ne_stuck_scan *sc, struct ne_novasync *ns, bool yes)
{
    size_t i, j;

    for (i = 0; i < sc->n; i++) {
        struct ne_stuck_item *it = &sc->items[i];
        if (!ne_fix_changes(&it->fix)) {
            /* nothing for the record */
        } else if (!yes && !confirm(it)) {
            it->result = NE_APPLY_DECLINED;
        } else if ((api ? ne_stuck_apply_api(api, sc, it, ns)
                        : ne_stuck_apply(db, sc, it, ns)) < 0) {
            return -1;
        }
        /* the ports follow libvirt, whatever became of the record */
        if (!nt || !ne_stuck_ports_count(it, NE_PORT_REBIND)) continue;
        if (!yes && !confirm_ports(it)) {
            for (j = 0; j < it->nports; j++)
                if (it->ports[j].fix.act == NE_PORT_REBIND) it->ports[j].result = NE_APPLY_DECLINED;
            continue;
        }
        if (ne_stuck_apply_ports(nt, sc, it, ns) < 0) return -1;
    }
    return 0;
}

/* The port check: Neutron, when OpenStack is configured and --no-ports is
 * not given (*os opened when it is not yet).  0 (*nt NULL: not checked),
 * or an exit code after reporting. */
static int
open_neutron(const struct ne_args *args, struct ne_os **os, struct ne_neutron **nt)
{
    const struct ne_cloud *c;
    enum ne_os_err kind;
    int rc;

    *nt = NULL;
    if (ne_args_flag(args, "no-ports")) return 0;
    if (!ne_args_str(args, "os-cloud") && !getenv("OS_CLOUD") && !getenv("OS_AUTH_URL")) {
        ne_debug(NE_DBG_CONFIG, "stuck: OpenStack not configured: port bindings not checked");
        return 0;
    }
    if (!*os && (rc = ne_os_from_args(args, os)) != NE_EXIT_OK) return rc;
    c = ne_os_cloud(*os);
    if (!os_catalog_find(ne_os_token(*os), "network", c->interface ? c->interface : "public",
                         c->region_name)) {
        ne_debug(NE_DBG_CONFIG, "stuck: the catalog has no network service: port bindings not "
                 "checked");
        return 0;
    }
    if (!(*nt = neutron_open(*os, &kind))) {
        ne_error("stuck: Neutron cannot be asked about the instances' port bindings (above); "
                 "nothing was checked; --no-ports checks without them");
        return ne_os_exit(kind);
    }
    return 0;
}

static struct ne_db *
connect_db(struct ne_config *cfg, const struct ne_args *args, int *rc)
{
    struct ne_db *db;
    const char *schema = ne_args_str(args, "glance-schema");

    if ((*rc = ne_db_from_args(args, cfg, &db)) != NE_EXIT_OK) return NULL;
    if (!schema) schema = "glance";
    if (strcmp(schema, "none") != 0 && novadb_set_schema(db, "glance", schema) < 0) {
        *rc = NE_EXIT_USAGE;
        novadb_close(db);
        return NULL;
    }
    return db;
}

/* --fix: the one audited, locked path for changes to Nova (novasync.h):
 * its audit log (--audit-log, default <state_dir>/audit.log) and its lock. */
static struct ne_novasync *
open_sync(const struct ne_config *cfg, const struct ne_args *args)
{
    return novasync_open(cfg->state_dir, ne_args_str(args, "audit-log"));
}

/* --via api --fix: the Nova API (required) and Placement (its failure is
 * reported; the allocations are then not corrected).  0 or an exit code. */
static int
open_api(const struct ne_args *args, struct ne_db *db, struct ne_stuck_api *api,
         struct ne_os **os)
{
    enum ne_os_err kind;
    int rc;

    memset(api, 0, sizeof *api);
    api->db = db;
    api->allow_db = ne_args_flag(args, "allow-db");
    if ((rc = ne_nova_from_args(args, os, &api->nv)) != NE_EXIT_OK) return rc;
    if (!(api->pl = placement_open(*os, &kind)))
        ne_warn("stuck --via api: without the Placement API the allocations of repaired "
                "instances are not corrected");
    return 0;
}

static void
close_api(struct ne_stuck_api *api, struct ne_os *os)
{
    if (api->pl) placement_close(api->pl);
    if (api->nv) nova_close(api->nv);
    if (os) ne_os_close(os);
}

static int
check_args(const struct ne_args *args, struct ne_stuck_opts *o, bool fix, bool yes, bool api)
{
    const char *schema = ne_args_str(args, "glance-schema");

    if (ne_args_flag(args, "allow-db") && !api) {
        ne_error("stuck --allow-db: only with --via api (--via db makes every change in the "
                 "database)");
        return -1;
    }
    if (durations(args, o) < 0 || (o->host && ne_check_hostname(o->host) < 0) ||
        named(args, o) < 0)
        return -1;
    o->all_nodes = ne_args_flag(args, "all-nodes");
    o->glance_schema = str_eq(schema, "none") ? NULL : schema ? schema : "glance";
    if (fix && !yes && !isatty(STDIN_FILENO)) {
        ne_error("stuck --fix: no terminal to ask on; add --yes to repair without asking");
        return -1;
    }
    return 0;
}

static int
run(struct ne_ctx *ctx, const struct ne_args *args)
{
    struct ne_stuck_opts o = {.host = ne_args_str(args, "host")};
    /* --dry-run: the report, with each repair as it would be made; nothing
     * is opened for writing (no lock, no audit log) */
    bool fix = ne_args_flag(args, "fix") && !ne_args_flag(args, "dry-run");
    bool yes = ne_args_flag(args, "yes");
    bool via_api = str_eq(ne_args_str(args, "via"), "api");
    struct ne_config *cfg;
    struct ne_novasync *ns = NULL;
    struct ne_stuck_api api = {0};
    struct ne_neutron *nt = NULL;
    struct ne_os *os = NULL;
    struct ne_stuck_scan sc;
    struct ne_db *db;
    size_t i;
    int rc;

    if (check_args(args, &o, fix, yes, via_api) < 0) return NE_EXIT_USAGE;
    if (!(cfg = ne_ctx_config(ctx))) return NE_EXIT_USAGE;
    if (fix && !(ns = open_sync(cfg, args))) return NE_EXIT_USAGE;
    if (!(db = connect_db(cfg, args, &rc))) {
        novasync_close(ns);
        return rc;
    }
    if ((fix && via_api && (rc = open_api(args, db, &api, &os)) != 0) ||
        (rc = open_neutron(args, &os, &nt)) != 0) {
        neutron_close(nt);
        close_api(&api, os);
        novadb_close(db);
        novasync_close(ns);
        return rc;
    }
    o.neutron = nt;
    rc = ne_stuck_scan(db, cfg, &o, &sc);
    for (i = 0; via_api && i < sc.n; i++)
        ne_stuck_api_steps(&sc.items[i], ne_args_flag(args, "allow-db"));
    if (rc == 0 && fix && repair_all(db, via_api ? &api : NULL, nt, &sc, ns, yes) < 0) rc = -1;
    if (rc == 0 || fix) {
        if (ctx->format == NE_FORMAT_JSON)
            print_json(&sc, fix, via_api);
        else if (sc.n)
            print_table(&sc, fix);
        summary(&sc);
    }
    rc = rc < 0 ? NE_EXIT_UNREACHABLE : exit_code(&sc);
    ne_stuck_scan_free(&sc);
    neutron_close(nt);
    close_api(&api, os);
    novadb_close(db);
    novasync_close(ns);
    return rc;
}

const struct ne_cmd cmd_stuck = {
    "stuck", "find instances whose Nova record disagrees with libvirt, and repair them",
    "[INSTANCE...]", 0, 10000, opts, run,
};
