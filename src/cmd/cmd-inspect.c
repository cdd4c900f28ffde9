/* SPDX-License-Identifier: Apache-2.0 */
/* cmd-inspect.c: `nova-evac inspect HOST`: every domain on HOST with its
 * disks, their class, size, base image and whether the base is present. */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>

#include <jansson.h>

#include "check/check.h"
#include "cmd/cmd.h"
#include "cmd/migargs.h"
#include "cmd/osargs.h"
#include "drain/drain-nova.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/table.h"
#include "virt/virt.h"

static const struct ne_opt opts[] = {
    NE_OS_OPTS,
    OPT_END,
};

/* The instance's Neutron ports (JSON array), empty without Neutron;
 * NULL when they cannot be read (reported). */
static json_t *
ports_json(struct ne_neutron *nt, const char *uuid)
{
    struct ne_port *p;
    size_t n, i;
    json_t *a = json_array();

    if (!nt) return a;
    if (neutron_ports_of(nt, uuid, &p, &n) < 0) {
        json_decref(a);
        return NULL;
    }
    for (i = 0; i < n; i++) json_array_append_new(a, ne_port_json(&p[i]));
    ne_ports_free(p, n);
    return a;
}

static const char *
present(int p)
{
    return p < 0 ? "unknown" : p ? "yes" : "no";
}

static json_t *
disk_json(const struct ne_disk *k)
{
    json_t *o;
    char pool[256], image[256];

    o = json_pack("{s:s?, s:s?, s:s?, s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:I, s:I, s:s?, s:s}",
                     "target", k->target, "device", k->device, "type", k->type, "class",
                     ne_disk_class_name(k->cls), "reason", k->why, "source", k->source,
                     "protocol", k->protocol, "format", k->format, "backing", k->backing,
                     "capacity", (json_int_t)k->capacity, "allocation", (json_int_t)k->allocation,
                     "base_sha1", k->base_sha1[0] ? k->base_sha1 : NULL, "base_on_host",
                     present(k->base_present));
    /* an RBD disk: where it lives in Ceph */
    if (o && str_eq(k->protocol, "rbd") &&
        ne_rbd_name_split(k->source, pool, sizeof pool, image, sizeof image) == 0) {
        json_object_set_new(o, "pool", json_string(pool));
        json_object_set_new(o, "image", json_string(image));
    }
    return o;
}

static json_t *
domain_json(const struct ne_domain *d)
{
    json_t *disks = json_array(), *filters = json_array();
    size_t i;

    for (i = 0; i < d->ndisks; i++) json_array_append_new(disks, disk_json(&d->disks[i]));
    for (i = 0; i < d->nnwfilters; i++) json_array_append_new(filters, json_string(d->nwfilters[i]));
    return json_pack("{s:s, s:s, s:s, s:b, s:I, s:i, s:o, s:o}", "name", d->name, "uuid", d->uuid,
                     "state", ne_dom_state_name(d->state), "persistent", d->persistent,
                     "memory_mib", (json_int_t)(d->memory_kib / 1024), "vcpus", (int)d->vcpus,
                     "disks", disks, "nwfilters", filters);
}

static void
print_json(const struct ne_hostinfo *hi, const struct ne_caps *caps, const char *host,
           struct ne_domain **doms, size_t n, struct ne_neutron *nt, json_t *free_disk)
{
    json_t *arr = json_array(), *root;
    char lv[32], qv[32];
    size_t i;

    for (i = 0; i < n; i++) {
        json_t *d = domain_json(doms[i]), *p = ports_json(nt, doms[i]->uuid);
        json_object_set_new(d, "ports", p ? p : json_null());
        json_array_append_new(arr, d);
    }
    root = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}", "host", host, "libvirt_version",
                     ne_version_str(hi->libvirt_version, lv, sizeof lv), "hypervisor_version",
                     ne_version_str(hi->hv_version, qv, sizeof qv), "capabilities",
                     (json_t *)ne_caps_json(caps), "free_disk", free_disk, "domains", arr);
    json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    putchar('\n');
    json_decref(root);
}

/* The host's free disk in the instances path as the room checks count it
 * (before the configured reserve): Nova's figure when the API is
 * configured, else libvirt's pool figure.  *from: "nova" or "libvirt".
 * 0, or -1 when unreadable (reported). */
static int
host_free_disk(const struct ne_args *args, const struct ne_config *cfg, struct ne_virt *v,
               const char *host, uint64_t *bytes, const char **from)
{
    struct ne_drain_opts o = {0};
    struct ne_drain_nova *dn = NULL;
    unsigned long long nb = 0;
    int rc = 0;

    ne_drain_nova_readonly(args, cfg, &o, &dn);
    if (o.nova.free_disk && o.nova.free_disk(o.nova.ctx, host, &nb) == 0) {
        *bytes = nb;
        *from = "nova";
    } else {
        *from = "libvirt";
        rc = virt_dir_free(v, cfg->instances_path, bytes);
    }
    ne_drain_nova_close(dn);
    return rc;
}

static void
print_free_disk(const struct ne_config *cfg, int rc, uint64_t bytes, const char *from)
{
    char b[16];

    if (rc < 0) {
        printf("Free disk in %s: unreadable (see above)\n", cfg->instances_path);
        return;
    }
    printf("Free disk in %s: %s, %s\n", cfg->instances_path, fmt_bytes(bytes, b, sizeof b),
           str_eq(from, "nova") ? "as Nova counts it (disk_available_least and free_disk_gb, the "
                                  "smaller)"
                                : "libvirt's storage pool figure: includes the blocks reserved "
                                  "for root, which df does not count as available");
}

static void
print_ports(struct ne_domain **doms, size_t n, struct ne_neutron *nt)
{
    size_t i, j;

    for (i = 0; nt && i < n; i++) {
        json_t *a = ports_json(nt, doms[i]->uuid), *p, *b;
        json_array_foreach(a, j, p) {
            const char *h;
            b = json_object_get(p, "binding");
            h = json_string_value(json_object_get(b, "host"));
            printf("%s: port %s network %s, %s, bound to %s (vif %s)\n", doms[i]->name,
                   json_string_value(json_object_get(p, "id")),
                   json_string_value(json_object_get(p, "network_id")),
                   json_string_value(json_object_get(p, "status")), h && *h ? h : "no host",
                   json_string_value(json_object_get(b, "vif_type")));
        }
        json_decref(a);
    }
}

static void
print_table(const struct ne_hostinfo *hi, const struct ne_caps *caps, const char *host,
            struct ne_domain **doms, size_t n)
{
    static const char *const hdr[] = {"INSTANCE", "UUID", "STATE", "MEMORY", "DISK", "CLASS",
                                      "FORMAT", "SIZE", "BASE", "BASE-ON-HOST", "SOURCE", NULL};
    struct ne_table *t = table_new(hdr);
    char lv[32], qv[32], cl[512];
    size_t i, j;

    for (i = 0; i < n; i++) {
        const struct ne_domain *d = doms[i];
        char mem[32];
        snprintf(mem, sizeof mem, "%" PRIu64 " MiB", d->memory_kib / 1024);
        if (d->ndisks == 0) {
            const char *row[] = {d->name, d->uuid, ne_dom_state_name(d->state), mem,
                                 NULL, NULL, NULL, NULL, NULL, NULL, NULL};
            table_add(t, row);
        }
        for (j = 0; j < d->ndisks; j++) {
            const struct ne_disk *k = &d->disks[j];
            char size[32], base[16], where[512];
            fmt_bytes(k->capacity, size, sizeof size);
            snprintf(base, sizeof base, "%.12s", k->base_sha1);
            {
                const char *row[] = {j ? "" : d->name, j ? "" : d->uuid,
                                     j ? "" : ne_dom_state_name(d->state), j ? "" : mem,
                                     k->target, ne_disk_class_name(k->cls), k->format,
                                     k->capacity ? size : NULL, base[0] ? base : NULL,
                                     base[0] ? present(k->base_present) : NULL,
                                     ne_disk_location(k, where, sizeof where)};
                table_add(t, row);
            }
        }
    }
    printf("Host %s: libvirt %s, hypervisor %s, %zu domain%s\n", host,
           ne_version_str(hi->libvirt_version, lv, sizeof lv),
           ne_version_str(hi->hv_version, qv, sizeof qv), n, n == 1 ? "" : "s");
    printf("Capabilities: %s\n", ne_caps_line(caps, cl, sizeof cl));
    table_print(t, stdout);
    table_free(t);
}

static int
run(struct ne_ctx *ctx, const struct ne_args *args)
{
    const char *host = ne_args_pos(args, 0);
    struct ne_config *cfg = ne_ctx_config(ctx);
    struct ne_virt *v;
    struct ne_domain **doms = NULL;
    struct ne_hostinfo hi;
    const struct ne_caps *caps = NULL;
    struct ne_mig_opts mo = {0};
    struct ne_mig_neutron nh = {0};
    size_t n = 0;
    uint64_t free_b = 0;
    const char *free_from = NULL;
    int free_rc;

    if (!cfg) return NE_EXIT_USAGE;
    if (ne_check_hostname(host) < 0) return NE_EXIT_USAGE;
    v = virt_open(cfg, host);
    if (!v) return NE_EXIT_UNREACHABLE;
    if (virt_hostinfo(v, &hi) < 0 || virt_list_domains(v, &doms, &n) < 0 ||
        !(caps = virt_caps(v, false))) { /* inspect writes nothing: no probe file */
        virt_close(v);
        return NE_EXIT_UNREACHABLE;
    }
    free_rc = host_free_disk(args, cfg, v, host, &free_b, &free_from);
    /* Neutron, read only, when the OpenStack API is configured */
    if (ne_mig_neutron_from_args(args, NULL, &mo, &nh) != 0) mo.neutron = NULL;
    if (ctx->format == NE_FORMAT_JSON) {
        json_t *fd = free_rc < 0 ? json_null()
                                 : json_pack("{s:I, s:s}", "bytes", (json_int_t)free_b, "source",
                                             free_from);
        print_json(&hi, caps, host, doms, n, mo.neutron, fd);
    } else {
        print_table(&hi, caps, host, doms, n);
        print_free_disk(cfg, free_rc, free_b, free_from);
        print_ports(doms, n, mo.neutron);
    }
    ne_mig_neutron_close(&mo, &nh);
    ne_domains_free(doms, n);
    ne_hostinfo_clear(&hi);
    virt_close(v);
    return NE_EXIT_OK;
}

const struct ne_cmd cmd_inspect = {
    "inspect", "list the domains on a host with their disks, classes and base images",
    "HOST", 1, 1, opts, run,
};
