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
    return json_pack("{s:s?, s:s?, s:s?, s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:I, s:I, s:s?, s:s}",
                     "target", k->target, "device", k->device, "type", k->type, "class",
                     ne_disk_class_name(k->cls), "reason", k->why, "source", k->source,
                     "protocol", k->protocol, "format", k->format, "backing", k->backing,
                     "capacity", (json_int_t)k->capacity, "allocation", (json_int_t)k->allocation,
                     "base_sha1", k->base_sha1[0] ? k->base_sha1 : NULL, "base_on_host",
                     present(k->base_present));
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
           struct ne_domain **doms, size_t n, struct ne_neutron *nt)
{
    json_t *arr = json_array(), *root;
    char lv[32], qv[32];
    size_t i;

    for (i = 0; i < n; i++) {
        json_t *d = domain_json(doms[i]), *p = ports_json(nt, doms[i]->uuid);
        json_object_set_new(d, "ports", p ? p : json_null());
        json_array_append_new(arr, d);
    }
    root = json_pack("{s:s, s:s, s:s, s:o, s:o}", "host", host, "libvirt_version",
                     ne_version_str(hi->libvirt_version, lv, sizeof lv), "hypervisor_version",
                     ne_version_str(hi->hv_version, qv, sizeof qv), "capabilities",
                     (json_t *)ne_caps_json(caps), "domains", arr);
    json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    putchar('\n');
    json_decref(root);
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
                                      "FORMAT", "SIZE", "BASE", "BASE-ON-HOST", NULL};
    struct ne_table *t = table_new(hdr);
    char lv[32], qv[32], cl[512];
    size_t i, j;

    for (i = 0; i < n; i++) {
        const struct ne_domain *d = doms[i];
        char mem[32];
        snprintf(mem, sizeof mem, "%" PRIu64 " MiB", d->memory_kib / 1024);
        if (d->ndisks == 0) {
            const char *row[] = {d->name, d->uuid, ne_dom_state_name(d->state), mem,
                                 NULL, NULL, NULL, NULL, NULL, NULL};
            table_add(t, row);
        }
        for (j = 0; j < d->ndisks; j++) {
            const struct ne_disk *k = &d->disks[j];
            char size[32], base[16];
            fmt_bytes(k->capacity, size, sizeof size);
            snprintf(base, sizeof base, "%.12s", k->base_sha1);
            {
                const char *row[] = {j ? "" : d->name, j ? "" : d->uuid,
                                     j ? "" : ne_dom_state_name(d->state), j ? "" : mem,
                                     k->target, ne_disk_class_name(k->cls), k->format,
                                     k->capacity ? size : NULL, base[0] ? base : NULL,
                                     base[0] ? present(k->base_present) : NULL};
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

    if (!cfg) return NE_EXIT_USAGE;
    if (ne_check_hostname(host) < 0) return NE_EXIT_USAGE;
    v = virt_open(cfg, host);
    if (!v) return NE_EXIT_UNREACHABLE;
    if (virt_hostinfo(v, &hi) < 0 || virt_list_domains(v, &doms, &n) < 0 ||
        !(caps = virt_caps(v, false))) { /* inspect writes nothing: no probe file */
        virt_close(v);
        return NE_EXIT_UNREACHABLE;
    }
    /* Neutron, read only, when the OpenStack API is configured */
    if (ne_mig_neutron_from_args(args, NULL, &mo, &nh) != 0) mo.neutron = NULL;
    if (ctx->format == NE_FORMAT_JSON) {
        print_json(&hi, caps, host, doms, n, mo.neutron);
    } else {
        print_table(&hi, caps, host, doms, n);
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
