/* SPDX-License-Identifier: Apache-2.0 */
/* cmd-api.c: `nova-evac api VERB ...`: one Nova, Glance, Neutron or Keystone call
 * through nova-evac's own client, for operators who want to see what the
 * tool sees (and for the tests that check the client against the real
 * services).  Each verb is a row of the table below with the options it
 * accepts; results go to stdout (table or --format json). */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/osargs.h"
#include "openstack/neutron.h"
#include "novasync/novasync.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/table.h"

static const struct ne_opt opts[] = {
    {"reason", 0, OPT_STRING, "TEXT", "service-disable: why (shown by Nova)", NULL, NULL, NULL},
    {"to", 0, OPT_STRING, "HOST", "live-migrate, migrate: destination (default: the scheduler's)",
     NULL, NULL, NULL},
    {"block-migration", 0, OPT_STRING, "MODE", "live-migrate: copy the disks", NULL, NULL,
     "auto|yes|no"},
    {"wait", 0, OPT_FLAG, NULL, "wait until the instance has no task left", NULL, NULL, NULL},
    {"timeout", 0, OPT_UINT, "SECONDS", "with --wait: give up after SECONDS (default 300)", NULL,
     "wait", NULL},
    {"state", 0, OPT_STRING, "STATE", "reset-state: the new state", NULL, NULL, "error|active"},
    {"server", 0, OPT_STRING, "SERVER", "migrations: only this instance", NULL, NULL, NULL},
    {"host", 0, OPT_STRING, "HOST", "migrations: only to or from this host", NULL, NULL, NULL},
    {"status", 0, OPT_STRING, "STATUS", "migrations: only in this status", NULL, NULL, NULL},
    {"type", 0, OPT_STRING, "TYPE", "migrations: only this type", NULL, NULL,
     "live-migration|migration|resize|evacuation"},
    {"output", 'o', OPT_STRING, "FILE", "image-download: where to write the data", NULL, NULL,
     NULL},
    {"name", 0, OPT_STRING, "NAME", "image-upload: the new image's name", NULL, NULL, NULL},
    {"disk-format", 0, OPT_STRING, "FORMAT", "image-upload: disk format (default raw)", NULL,
     NULL, NULL},
    {"container-format", 0, OPT_STRING, "FORMAT", "image-upload: container format (default bare)",
     NULL, NULL, NULL},
    NE_OS_OPTS,
    OPT_END,
};

/* What a verb works with; opened before it runs. */
struct api {
    struct ne_ctx *ctx;
    const struct ne_args *args;
    struct ne_os *os;
    struct ne_nova *nv;
    struct ne_glance *g;
    struct ne_neutron *nt;
};

enum { NEED_KS, NEED_NOVA, NEED_GLANCE, NEED_NEUTRON };

struct verb {
    const char *name, *synopsis;
    unsigned min, max; /* positional arguments after the verb */
    int need;
    const char *opts;  /* comma-separated options it accepts (besides NE_OS_OPTS) */
    int (*run)(struct api *a);
};

static const char *arg(const struct api *a, size_t i) { return ne_args_pos(a->args, i + 1); }
static int nova_rc(const struct api *a) { return ne_os_exit(nova_err(a->nv)); }
/* After a failed novasync change: the API call's error, or a refusal (the
 * audit log or the lock). */
static int
change_rc(const struct ne_novasync *ns)
{
    enum ne_os_err e = novasync_call_err(ns);

    return e == NE_OS_OK ? NE_EXIT_REFUSED : ne_os_exit(e);
}
static bool json_out(const struct api *a) { return a->ctx->format == NE_FORMAT_JSON; }

/* ---- keystone */

static int
v_token(struct api *a)
{
    const struct ne_token_info *t = ne_os_token(a->os);
    const struct ne_cloud *c = ne_os_cloud(a->os);
    json_t *eps = json_array(), *roles = json_array();
    size_t i;

    for (i = 0; i < t->neps; i++)
        json_array_append_new(eps, json_pack("{s:s, s:s, s:s?, s:s}", "type", t->eps[i].type,
                                             "interface", t->eps[i].interface, "region",
                                             t->eps[i].region, "url", t->eps[i].url));
    for (i = 0; i < t->nroles; i++) json_array_append_new(roles, json_string(t->roles[i]));
    if (json_out(a)) {
        ne_json_print(json_pack("{s:s, s:s, s:s?, s:s?, s:I, s:I, s:o, s:o}", "cloud", c->name,
                                "auth_url", c->auth_url, "user", t->user_name, "project",
                                t->project_name, "lifetime_s",
                                (json_int_t)(t->expires_at - t->issued_at), "expires_in_s",
                                (json_int_t)ne_os_token_left(a->os), "roles", roles,
                                "endpoints", eps),
                      stdout);
        return NE_EXIT_OK;
    }
    printf("cloud %s (%s), user %s, project %s, token valid %ld s (%ld s left)\n", c->name,
           c->origin, t->user_name ? t->user_name : "?", t->project_name ? t->project_name : "-",
           (long)(t->expires_at - t->issued_at), ne_os_token_left(a->os));
    for (i = 0; i < t->neps; i++)
        printf("  %-10s %-8s %-10s %s\n", t->eps[i].type, t->eps[i].interface,
               t->eps[i].region ? t->eps[i].region : "-", t->eps[i].url);
    json_decref(eps);
    json_decref(roles);
    return NE_EXIT_OK;
}

/* ---- services and hypervisors */

static void
print_services(const struct api *a, const struct ne_service *s, size_t n)
{
    static const char *const hdr[] = {"ID", "HOST", "ZONE", "STATUS", "STATE", "REASON", NULL};
    struct ne_table *t;
    size_t i;

    if (json_out(a)) {
        json_t *arr = json_array();
        for (i = 0; i < n; i++) json_array_append_new(arr, ne_service_json(&s[i]));
        ne_json_print(arr, stdout);
        return;
    }
    t = table_new(hdr);
    for (i = 0; i < n; i++) {
        const char *row[] = {s[i].id, s[i].host, s[i].zone, s[i].status, s[i].state,
                             s[i].disabled_reason};
        table_add(t, row);
    }
    table_print(t, stdout);
    table_free(t);
}

static int
v_services(struct api *a)
{
    struct ne_service *s;
    size_t n;

    if (nova_services(a->nv, arg(a, 0), &s, &n) < 0) return nova_rc(a);
    print_services(a, s, n);
    ne_services_free(s, n);
    return NE_EXIT_OK;
}

static int
v_service_set(struct api *a, bool enable)
{
    struct ne_service *s;
    const char *host = arg(a, 0);
    struct ne_config *cfg = ne_ctx_config(a->ctx);
    struct ne_novasync *ns;
    size_t n, i;
    int rc;

    if (ne_check_hostname(host) < 0) return NE_EXIT_USAGE;
    if (!cfg) return NE_EXIT_USAGE;
    if (!(ns = novasync_open(cfg->state_dir, NULL))) return NE_EXIT_REFUSED;
    rc = novasync_service(ns, a->nv, NULL, host, enable, ne_args_str(a->args, "reason")) < 0
             ? change_rc(ns) : NE_EXIT_OK;
    novasync_close(ns);
    if (rc != NE_EXIT_OK) return rc;
    if (nova_services(a->nv, host, &s, &n) < 0) return nova_rc(a);
    for (i = 0; i < n && !str_eq(s[i].binary, "nova-compute"); i++) continue;
    print_services(a, s + i, i < n);
    ne_services_free(s, n);
    return NE_EXIT_OK;
}

static int v_service_disable(struct api *a) { return v_service_set(a, false); }
static int v_service_enable(struct api *a) { return v_service_set(a, true); }

static int
v_hypervisors(struct api *a)
{
    static const char *const hdr[] = {"ID", "HOSTNAME", "HOST", "TYPE", "STATE", "STATUS", "VMS",
                                      NULL};
    struct ne_hypervisor *h;
    size_t n, i;
    struct ne_table *t;

    if (nova_hypervisors(a->nv, &h, &n) < 0) return nova_rc(a);
    if (json_out(a)) {
        json_t *arr = json_array();
        for (i = 0; i < n; i++) json_array_append_new(arr, ne_hypervisor_json(&h[i]));
        ne_json_print(arr, stdout);
    } else {
        t = table_new(hdr);
        for (i = 0; i < n; i++) {
            char vms[24];
            snprintf(vms, sizeof vms, "%lld", h[i].running_vms);
            const char *row[] = {h[i].id, h[i].hostname, h[i].host, h[i].type, h[i].state,
                                 h[i].status, h[i].running_vms >= 0 ? vms : NULL};
            table_add(t, row);
        }
        table_print(t, stdout);
        table_free(t);
    }
    ne_hypervisors_free(h, n);
    return NE_EXIT_OK;
}

/* ---- servers */

static void
print_server(const struct api *a, const struct ne_server *s)
{
    if (json_out(a)) {
        ne_json_print(ne_server_json(s), stdout);
        return;
    }
    printf("id %s\nname %s\nstatus %s\ntask_state %s\nvm_state %s\npower_state %s\nhost %s\n"
           "node %s\nflavor %s\n", s->id, s->name ? s->name : "-", s->status ? s->status : "-",
           s->task_state ? s->task_state : "-", s->vm_state ? s->vm_state : "-",
           ne_power_state_name(s->power_state), s->host ? s->host : "-",
           s->node ? s->node : "-", s->flavor ? s->flavor : "-");
    if (s->fault_message) printf("fault %d %s\n", s->fault_code, s->fault_message);
}

static int
v_show(struct api *a)
{
    struct ne_server s;
    int rc = nova_server_show(a->nv, arg(a, 0), &s);

    if (rc == 1) {
        ne_error("api show: no instance %s in Nova", arg(a, 0));
        return NE_EXIT_USAGE;
    }
    if (rc < 0) return nova_rc(a);
    print_server(a, &s);
    ne_server_clear(&s);
    return NE_EXIT_OK;
}

static void
print_migrations(const struct api *a, const struct ne_migration *m, size_t n)
{
    static const char *const hdr[] = {"ID", "INSTANCE", "TYPE", "STATUS", "SOURCE", "DEST",
                                      "UPDATED", NULL};
    struct ne_table *t;
    size_t i;

    if (json_out(a)) {
        json_t *arr = json_array();
        for (i = 0; i < n; i++) json_array_append_new(arr, ne_migration_json(&m[i]));
        ne_json_print(arr, stdout);
        return;
    }
    t = table_new(hdr);
    for (i = 0; i < n; i++) {
        const char *row[] = {m[i].id, m[i].instance_uuid, m[i].type, m[i].status,
                             m[i].source_compute, m[i].dest_compute, m[i].updated_at};
        table_add(t, row);
    }
    table_print(t, stdout);
    table_free(t);
}

static int
v_migrations(struct api *a)
{
    struct ne_migration_filter f = {
        ne_args_str(a->args, "server"), ne_args_str(a->args, "host"),
        ne_args_str(a->args, "status"), ne_args_str(a->args, "type"),
    };
    struct ne_migration *m;
    size_t n;

    if (nova_migrations(a->nv, &f, &m, &n) < 0) return nova_rc(a);
    print_migrations(a, m, n);
    ne_migrations_free(m, n);
    return NE_EXIT_OK;
}

static int
v_server_migrations(struct api *a)
{
    struct ne_migration *m;
    size_t n;

    if (nova_server_migrations(a->nv, arg(a, 0), &m, &n) < 0) return nova_rc(a);
    print_migrations(a, m, n);
    ne_migrations_free(m, n);
    return NE_EXIT_OK;
}

/* After an accepted action: --wait polls until the instance is idle and
 * shows it; otherwise one line says the request was accepted. */
static int
done(struct api *a, const char *what, const char *leave)
{
    unsigned long timeout = 300;
    struct ne_server s;
    time_t t0;

    if (!ne_args_flag(a->args, "wait")) {
        if (!json_out(a)) printf("%s %s: accepted by Nova\n", what, arg(a, 0));
        else ne_json_print(json_pack("{s:s, s:s, s:b}", "action", what, "server", arg(a, 0),
                                     "accepted", 1), stdout);
        return NE_EXIT_OK;
    }
    ne_args_uint(a->args, "timeout", &timeout);
    t0 = time(NULL);
    if (nova_wait_idle(a->nv, arg(a, 0), (unsigned)timeout, leave, NULL) < 0) return nova_rc(a);
    if (!str_eq(what, "reset-state")) { /* the rest of the time for the record */
        struct ne_migration m;
        unsigned long spent = (unsigned long)(time(NULL) - t0);
        if (nova_wait_migration(a->nv, arg(a, 0), spent < timeout ? (unsigned)(timeout - spent) : 1,
                                &m) < 0)
            return nova_rc(a);
        ne_migration_clear(&m);
    }
    if (nova_server_show(a->nv, arg(a, 0), &s) != 0) return nova_rc(a);
    print_server(a, &s);
    ne_server_clear(&s);
    return NE_EXIT_OK;
}

/* One server action through novasync: audited before and after in
 * <state_dir>/audit.log, refused when that log cannot be written. */
static int
audited(struct api *a, enum ne_server_action act, const struct ne_server_call *tmpl)
{
    struct ne_config *cfg = ne_ctx_config(a->ctx);
    struct ne_server_call c = *tmpl;
    struct ne_novasync *ns;
    int rc;

    if (!cfg) return NE_EXIT_USAGE;
    if (!(ns = novasync_open(cfg->state_dir, NULL))) return NE_EXIT_REFUSED;
    c.action = act;
    c.server = arg(a, 0);
    rc = novasync_server_action(ns, a->nv, &c) < 0 ? change_rc(ns) : NE_EXIT_OK;
    novasync_close(ns);
    return rc;
}

static int
v_live_migrate(struct api *a)
{
    const char *b = ne_args_str(a->args, "block-migration");
    struct ne_server_call c = {.host = ne_args_str(a->args, "to"),
                               .block = !b || str_eq(b, "auto") ? NE_BLOCK_AUTO
                                        : str_eq(b, "yes")      ? NE_BLOCK_YES
                                                                : NE_BLOCK_NO};
    int rc = audited(a, NE_ACT_LIVE_MIGRATE, &c);

    return rc != NE_EXIT_OK ? rc : done(a, "live-migrate", NULL);
}

static int
v_migrate(struct api *a)
{
    struct ne_server_call c = {.host = ne_args_str(a->args, "to")};
    int rc = audited(a, NE_ACT_MIGRATE, &c);

    return rc != NE_EXIT_OK ? rc : done(a, "migrate", NULL);
}

static int
v_confirm(struct api *a)
{
    int rc = audited(a, NE_ACT_CONFIRM, &(struct ne_server_call){0});

    return rc != NE_EXIT_OK ? rc : done(a, "confirm", "VERIFY_RESIZE");
}

static int
v_revert(struct api *a)
{
    int rc = audited(a, NE_ACT_REVERT, &(struct ne_server_call){0});

    return rc != NE_EXIT_OK ? rc : done(a, "revert", "VERIFY_RESIZE");
}

static int
v_reset_state(struct api *a)
{
    struct ne_server_call c = {.state = ne_args_str(a->args, "state")};
    int rc;

    if (!c.state) {
        ne_error("api reset-state: --state error|active is required");
        return NE_EXIT_USAGE;
    }
    rc = audited(a, NE_ACT_RESET_STATE, &c);
    return rc != NE_EXIT_OK ? rc : done(a, "reset-state", NULL);
}

static int
v_force_complete(struct api *a)
{
    struct ne_server_call c = {.migration = arg(a, 1)};
    int rc = audited(a, NE_ACT_FORCE_COMPLETE, &c);

    return rc != NE_EXIT_OK ? rc : done(a, "force-complete", NULL);
}

static int
v_abort(struct api *a)
{
    struct ne_server_call c = {.migration = arg(a, 1)};
    int rc = audited(a, NE_ACT_ABORT, &c);

    return rc != NE_EXIT_OK ? rc : done(a, "abort", NULL);
}

/* ---- images */

static int
v_image_show(struct api *a)
{
    struct ne_image im;
    int rc = glance_image_show(a->g, arg(a, 0), &im);

    if (rc < 0) return ne_os_exit(glance_err(a->g));
    if (rc == 1) {
        if (json_out(a))
            ne_json_print(json_pack("{s:s, s:s}", "id", arg(a, 0), "status", "gone"), stdout);
        else
            printf("%s: gone from Glance (404: deleted, or never existed)\n", arg(a, 0));
        return NE_EXIT_OK;
    }
    if (json_out(a)) {
        ne_json_print(ne_image_json(&im), stdout);
    } else {
        size_t i;
        printf("id %s\nname %s\nstatus %s\nsize %lld\nchecksum %s\nos_hash_algo %s\n"
               "os_hash_value %s\ndisk_format %s\n", im.id, im.name ? im.name : "-", im.status,
               im.size, im.checksum ? im.checksum : "-", im.hash_algo ? im.hash_algo : "-",
               im.hash_value ? im.hash_value : "-", im.disk_format ? im.disk_format : "-");
        for (i = 0; i < im.nprops; i++) printf("property %s=%s\n", im.prop_keys[i], im.prop_vals[i]);
    }
    ne_image_clear(&im);
    return NE_EXIT_OK;
}

static int
fd_sink(const char *data, size_t len, void *p)
{
    int fd = *(int *)p;

    while (len) {
        ssize_t w = write(fd, data, len);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) return -1;
        data += w;
        len -= (size_t)w;
    }
    return 0;
}

static ssize_t
fd_source(char *buf, size_t len, void *p)
{
    ssize_t r;

    do r = read(*(int *)p, buf, len);
    while (r < 0 && errno == EINTR);
    return r;
}

static int fd_rewind(void *p) { return lseek(*(int *)p, 0, SEEK_SET) == 0 ? 0 : -1; }

static void
print_xfer(const struct api *a, const char *verb, const char *id, const struct ne_glance_xfer *x)
{
    if (json_out(a)) {
        ne_json_print(json_pack("{s:s, s:s, s:I, s:s, s:s, s:b, s:b, s:f}", "action", verb,
                                "image", id, "bytes", (json_int_t)x->bytes, "md5", x->md5,
                                "sha512", x->hash, "checksum_verified", x->md5_checked,
                                "os_hash_verified", x->hash_checked, "seconds", x->seconds),
                      stdout);
        return;
    }
    printf("%s %s: %lld bytes in %.2f s, md5 %s%s, %s %s%s\n", verb, id, x->bytes, x->seconds,
           x->md5, x->md5_checked ? " (verified)" : "", x->hash_algo[0] ? x->hash_algo : "sha512",
           x->hash[0] ? x->hash : "-", x->hash_checked ? " (verified)" : "");
}

static int
v_image_download(struct api *a)
{
    const char *out = ne_args_str(a->args, "output");
    CLEANUP_FREE char *part = NULL;
    struct ne_glance_xfer x;
    struct ne_image im;
    int fd, rc;

    if (!out) {
        ne_error("api image-download: --output FILE is required");
        return NE_EXIT_USAGE;
    }
    rc = glance_image_show(a->g, arg(a, 0), &im);
    if (rc == 1) ne_error("glance: download image %s: gone from Glance (404)", arg(a, 0));
    if (rc != 0) return rc == 1 ? NE_EXIT_USAGE : ne_os_exit(glance_err(a->g));
    part = xasprintf("%s.part", out);
    fd = open(part, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        ne_syserror("api image-download: cannot create %s", part);
        ne_image_clear(&im);
        return NE_EXIT_USAGE;
    }
    rc = glance_image_download(a->g, &im, fd_sink, &fd, &x);
    if (rc == 0 && (fsync(fd) < 0 || close(fd) < 0)) {
        ne_syserror("api image-download: writing %s", part);
        rc = -1;
        fd = -1;
    } else if (rc < 0) {
        close(fd);
    }
    if (rc == 0 && rename(part, out) < 0) {
        ne_syserror("api image-download: cannot rename %s to %s", part, out);
        rc = -1;
    }
    if (rc < 0) unlink(part);
    else print_xfer(a, "download", im.id, &x);
    ne_image_clear(&im);
    return rc < 0 ? (glance_err(a->g) ? ne_os_exit(glance_err(a->g)) : NE_EXIT_PARTIAL)
                  : NE_EXIT_OK;
}

static int
v_image_upload(struct api *a)
{
    const char *df = ne_args_str(a->args, "disk-format"), *cf = ne_args_str(a->args, "container-format");
    struct ne_image spec = {0};
    struct ne_glance_xfer x;
    CLEANUP_FREE char *id = NULL;
    struct stat st;
    int fd, rc;

    fd = open(arg(a, 0), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) < 0) {
        ne_syserror("api image-upload: cannot read %s", arg(a, 0));
        if (fd >= 0) close(fd);
        return NE_EXIT_USAGE;
    }
    spec.name = (char *)(ne_args_str(a->args, "name") ? ne_args_str(a->args, "name") : arg(a, 0));
    spec.disk_format = (char *)(df ? df : "raw");
    spec.container_format = (char *)(cf ? cf : "bare");
    if (glance_image_create(a->g, &spec, &id) < 0) {
        close(fd);
        return ne_os_exit(glance_err(a->g));
    }
    rc = glance_image_upload(a->g, id, fd_source, fd_rewind, &fd, (long long)st.st_size, &x);
    close(fd);
    if (rc < 0) {
        enum ne_os_err e = glance_err(a->g);
        ne_info("api image-upload: deleting the incomplete image %s", id);
        glance_image_delete(a->g, id);
        return ne_os_exit(e ? e : NE_OS_EUNREACHABLE);
    }
    print_xfer(a, "upload", id, &x);
    return NE_EXIT_OK;
}

static int
v_image_delete(struct api *a)
{
    if (glance_image_delete(a->g, arg(a, 0)) < 0) return ne_os_exit(glance_err(a->g));
    if (!json_out(a)) printf("image %s deleted\n", arg(a, 0));
    return NE_EXIT_OK;
}

/* ---- neutron: ports, bindings, agents (the calls a move makes) */

static int neutron_rc(const struct api *a) { return ne_os_exit(neutron_err(a->nt)); }

static void
print_binding(const struct ne_binding *b)
{
    printf("%-10s %-9s %-15s %-7s %s\n", b->host && *b->host ? b->host : "-",
           b->status ? b->status : "-", b->vif_type ? b->vif_type : "-",
           b->vnic_type ? b->vnic_type : "-", b->bridge_name ? b->bridge_name : "-");
}

static int
v_ports(struct api *a)
{
    struct ne_port *p;
    size_t n, i;
    json_t *j = json_array();

    if (neutron_ports_of(a->nt, arg(a, 0), &p, &n) < 0) {
        json_decref(j);
        return neutron_rc(a);
    }
    for (i = 0; i < n; i++) {
        if (json_out(a)) json_array_append_new(j, ne_port_json(&p[i]));
        else {
            printf("%s %s %s ", p[i].id, p[i].network_id ? p[i].network_id : "-",
                   p[i].status ? p[i].status : "-");
            print_binding(&p[i].b);
        }
    }
    if (json_out(a))
        ne_json_print(json_pack("{s:s, s:b, s:o}", "instance", arg(a, 0), "binding_extended",
                                neutron_has_bindings(a->nt), "ports", j), stdout);
    else
        json_decref(j);
    ne_ports_free(p, n);
    return NE_EXIT_OK;
}

static int
v_port_bindings(struct api *a)
{
    struct ne_binding *b;
    size_t n, i;
    json_t *j = json_array();

    if (neutron_bindings(a->nt, arg(a, 0), &b, &n) < 0) {
        json_decref(j);
        return neutron_rc(a);
    }
    for (i = 0; i < n; i++) {
        if (json_out(a)) json_array_append_new(j, ne_binding_json(&b[i]));
        else print_binding(&b[i]);
    }
    if (json_out(a)) ne_json_print(json_pack("{s:s, s:o}", "port", arg(a, 0), "bindings", j), stdout);
    else json_decref(j);
    ne_bindings_free(b, n);
    return NE_EXIT_OK;
}

static int
v_port_bind(struct api *a)
{
    struct ne_binding b;
    int rc = neutron_binding_create(a->nt, arg(a, 0), arg(a, 1), NULL, &b);

    if (rc < 0) return neutron_rc(a);
    if (rc == 1) {
        ne_error("api port-bind: port %s already has a binding on %s", arg(a, 0), arg(a, 1));
        return NE_EXIT_PARTIAL;
    }
    if (json_out(a)) ne_json_print(ne_binding_json(&b), stdout);
    else print_binding(&b);
    ne_binding_clear(&b);
    return NE_EXIT_OK;
}

static int
v_port_activate(struct api *a)
{
    int rc = neutron_binding_activate(a->nt, arg(a, 0), arg(a, 1));

    if (rc < 0) return neutron_rc(a);
    if (!json_out(a))
        printf("binding of port %s on %s %s\n", arg(a, 0), arg(a, 1),
               rc == 1 ? "was already active" : "activated");
    return NE_EXIT_OK;
}

static int
v_port_unbind(struct api *a)
{
    int rc = neutron_binding_delete(a->nt, arg(a, 0), arg(a, 1));

    if (rc < 0) return neutron_rc(a);
    if (!json_out(a))
        printf("binding of port %s on %s %s\n", arg(a, 0), arg(a, 1),
               rc == 1 ? "did not exist" : "deleted");
    return NE_EXIT_OK;
}

static int
v_agents(struct api *a)
{
    struct ne_agent *ag;
    size_t n, i;
    char why[256];
    int alive;
    json_t *j = json_array();

    if (neutron_agents_on(a->nt, arg(a, 0), &ag, &n) < 0 ||
        (alive = neutron_l2_alive(a->nt, arg(a, 0), why, sizeof why)) < 0) {
        json_decref(j);
        return neutron_rc(a);
    }
    for (i = 0; i < n; i++) {
        if (json_out(a))
            json_array_append_new(j, json_pack("{s:s?, s:s, s:s?, s:s, s:b, s:b}", "id", ag[i].id,
                                               "agent_type", ag[i].agent_type, "binary",
                                               ag[i].binary, "host", ag[i].host, "alive",
                                               ag[i].alive, "admin_state_up",
                                               ag[i].admin_state_up));
        else
            printf("%-24s %-10s %s\n", ag[i].agent_type, ag[i].host,
                   ag[i].alive ? "alive" : "dead");
    }
    if (json_out(a))
        ne_json_print(json_pack("{s:s, s:b, s:s, s:o}", "host", arg(a, 0), "l2_alive", alive,
                                "why", why, "agents", j), stdout);
    else {
        printf("%s\n", why);
        json_decref(j);
    }
    ne_agents_free(ag, n);
    return NE_EXIT_OK;
}

/* ---- dispatch */

static const struct verb verbs[] = {
    {"abort", "SERVER MIGRATION", 2, 2, NEED_NOVA, "wait,timeout", v_abort},
    {"agents", "HOST", 1, 1, NEED_NEUTRON, "", v_agents},
    {"confirm", "SERVER", 1, 1, NEED_NOVA, "wait,timeout", v_confirm},
    {"force-complete", "SERVER MIGRATION", 2, 2, NEED_NOVA, "wait,timeout", v_force_complete},
    {"hypervisors", "", 0, 0, NEED_NOVA, "", v_hypervisors},
    {"image-delete", "IMAGE", 1, 1, NEED_GLANCE, "", v_image_delete},
    {"image-download", "IMAGE", 1, 1, NEED_GLANCE, "output", v_image_download},
    {"image-show", "IMAGE", 1, 1, NEED_GLANCE, "", v_image_show},
    {"image-upload", "FILE", 1, 1, NEED_GLANCE, "name,disk-format,container-format", v_image_upload},
    {"live-migrate", "SERVER", 1, 1, NEED_NOVA, "to,block-migration,wait,timeout", v_live_migrate},
    {"migrate", "SERVER", 1, 1, NEED_NOVA, "to,wait,timeout", v_migrate},
    {"migrations", "", 0, 0, NEED_NOVA, "server,host,status,type", v_migrations},
    {"port-activate", "PORT HOST", 2, 2, NEED_NEUTRON, "", v_port_activate},
    {"port-bind", "PORT HOST", 2, 2, NEED_NEUTRON, "", v_port_bind},
    {"port-bindings", "PORT", 1, 1, NEED_NEUTRON, "", v_port_bindings},
    {"port-unbind", "PORT HOST", 2, 2, NEED_NEUTRON, "", v_port_unbind},
    {"ports", "SERVER", 1, 1, NEED_NEUTRON, "", v_ports},
    {"reset-state", "SERVER", 1, 1, NEED_NOVA, "state,wait,timeout", v_reset_state},
    {"revert", "SERVER", 1, 1, NEED_NOVA, "wait,timeout", v_revert},
    {"server-migrations", "SERVER", 1, 1, NEED_NOVA, "", v_server_migrations},
    {"service-disable", "HOST", 1, 1, NEED_NOVA, "reason", v_service_disable},
    {"service-enable", "HOST", 1, 1, NEED_NOVA, "", v_service_enable},
    {"services", "[HOST]", 0, 1, NEED_NOVA, "", v_services},
    {"show", "SERVER", 1, 1, NEED_NOVA, "", v_show},
    {"token", "", 0, 0, NEED_KS, "", v_token},
    {NULL, NULL, 0, 0, 0, NULL, NULL},
};

static bool
listed(const char *list, const char *name)
{
    size_t n = strlen(name);
    const char *p = list;

    while ((p = strstr(p, name))) {
        if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0')) return true;
        p += n;
    }
    return false;
}

/* The verb, its argument count and its options; reports a usage error. */
static const struct verb *
check_usage(const struct ne_args *args)
{
    const char *name = ne_args_pos(args, 0);
    const struct verb *v;
    const struct ne_opt *o;
    size_t n = ne_args_npos(args) - 1;

    for (v = verbs; v->name && strcmp(v->name, name) != 0; v++)
        ;
    if (!v->name) {
        ne_error("api: unknown verb '%s' (see 'nova-evac help api')", name);
        return NULL;
    }
    if (n < v->min || n > v->max) {
        ne_error("api %s: usage: nova-evac api %s %s", v->name, v->name, v->synopsis);
        return NULL;
    }
    for (o = opts; o->name; o++) {
        if (str_prefix(o->name, "os-") || str_eq(o->name, "insecure")) continue;
        if ((o->type == OPT_FLAG ? ne_args_flag(args, o->name) : ne_args_str(args, o->name) != NULL) &&
            !listed(v->opts, o->name)) {
            ne_error("api %s: option --%s does not apply to this verb", v->name, o->name);
            return NULL;
        }
    }
    return v;
}

static int
run(struct ne_ctx *ctx, const struct ne_args *args)
{
    const struct verb *v = check_usage(args);
    struct api a = {ctx, args, NULL, NULL, NULL, NULL};
    enum ne_os_err kind = NE_OS_OK;
    int rc;

    if (!v) return NE_EXIT_USAGE;
    if (v->need == NEED_NOVA) {
        rc = ne_nova_from_args(args, &a.os, &a.nv);
    } else {
        rc = ne_os_from_args(args, &a.os);
        if (rc == NE_EXIT_OK && v->need == NEED_GLANCE && !(a.g = glance_open(a.os, &kind)))
            rc = ne_os_exit(kind);
        if (rc == NE_EXIT_OK && v->need == NEED_NEUTRON && !(a.nt = neutron_open(a.os, &kind)))
            rc = ne_os_exit(kind);
    }
    if (rc == NE_EXIT_OK) rc = v->run(&a);
    nova_close(a.nv);
    glance_close(a.g);
    neutron_close(a.nt);
    ne_os_close(a.os);
    return rc;
}

const struct ne_cmd cmd_api = {
    "api", "one Nova, Glance, Neutron or Keystone call through nova-evac's client", "VERB [ARGS]", 1, 3,
    opts, run,
};
