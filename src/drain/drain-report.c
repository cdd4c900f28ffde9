/* SPDX-License-Identifier: Apache-2.0 */
/* drain-report.c: the plan and the final summary, as tables or JSON. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "check/check.h"
#include "drain/drain-fleet.h"
#include "drain/drain-int.h"
#include "drain/drain.h"
#include "util/mem.h"
#include "util/table.h"

static const char *
dest_name(const struct ne_drain *dr, const struct ne_drain_item *it)
{
    return it->dest >= 0 ? dr->hosts[it->dest].name : NULL;
}

static const char *
state_name(enum ne_item_state s)
{
    static const char *n[] = {"pending", "running", "moved", "failed", "skipped", "gone"};
    return n[s];
}

/* The instance's network disks (Ceph and the like): where they live; a
 * live move leaves them where they are. */
static json_t *
network_disks_json(const struct ne_domain *d)
{
    json_t *a = json_array();
    char where[512], pool[256], image[256];
    size_t i;

    for (i = 0; i < d->ndisks; i++) {
        const struct ne_disk *k = &d->disks[i];
        json_t *o;
        if (!k->protocol && !str_eq(k->type, "network")) continue;
        o = json_pack("{s:s?, s:s?, s:s, s:s}", "target", k->target, "protocol", k->protocol,
                      "location", ne_disk_location(k, where, sizeof where), "class",
                      ne_disk_class_name(k->cls));
        if (o && str_eq(k->protocol, "rbd") &&
            ne_rbd_name_split(k->source, pool, sizeof pool, image, sizeof image) == 0) {
            json_object_set_new(o, "pool", json_string(pool));
            json_object_set_new(o, "image", json_string(image));
        }
        if (o) json_array_append_new(a, o);
    }
    return a;
}

/* "instance-0000002f network disks (not copied): vda rbd:volumes/volume-1, ..." */
static void
print_network_disks(const struct ne_drain *dr)
{
    char where[512];
    size_t i, j;

    for (i = 0; i < dr->n; i++) {
        const struct ne_domain *d = dr->items[i].d;
        int n = 0;
        for (j = 0; j < d->ndisks; j++) {
            const struct ne_disk *k = &d->disks[j];
            if (!k->protocol && !str_eq(k->type, "network")) continue;
            printf("%s %s %s", n++ ? "," : d->name, k->target ? k->target : "?",
                   ne_disk_location(k, where, sizeof where));
        }
        if (n) printf(": network disk%s, not copied\n", n == 1 ? "" : "s");
    }
}

static json_t *
item_json(const struct ne_drain *dr, const struct ne_drain_item *it)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:i, s:s?, s:I, s:s, s:s}", "instance", it->d->name,
                     "uuid", it->d->uuid, "power", ne_dom_state_name(it->d->state), "method",
                     ne_method_name(it->plan.method), "row", it->plan.row, "destination",
                     dest_name(dr, it), "bytes_expected", (json_int_t)it->bytes_expected,
                     "reason", it->why[0] ? it->why : it->plan.reason, "state",
                     state_name(it->state));
    if (o) json_object_set_new(o, "network_disks", network_disks_json(it->d));
    return o;
}

/* "destination node02: free disk 77 GiB (Nova: ...)": where the figure
 * the placement used came from, minus the configured reserve. */
static void
print_free_disk(const struct ne_place_host *p, const char *from)
{
    char b[16];

    fmt_bytes(p->free_disk, b, sizeof b);
    printf("destination %s: free disk %s, after the configured reserve (%s)\n", p->name, b,
           str_eq(from, "nova") ? "from Nova: disk_available_least and free_disk_gb, the smaller"
                                : "from libvirt's storage pool: includes the blocks reserved "
                                  "for root, which df does not count as available");
}

void
ne_drain_print_plan(const struct ne_drain *dr, bool json)
{
    static const char *const hdr[] = {"INSTANCE", "UUID", "POWER", "METHOD", "ROW", "DESTINATION",
                                      "BYTES", "REASON", NULL};
    struct ne_table *t;
    size_t i, k;

    if (json) {
        json_t *a = json_array(), *hosts = json_array();
        for (i = 0; i < dr->n; i++) json_array_append_new(a, item_json(dr, &dr->items[i]));
        drain_net_print_plan(dr, a);
        for (k = 0; k < dr->nhosts; k++)
            json_array_append_new(hosts, json_pack("{s:s, s:b, s:s?, s:I, s:s?, s:I, s:i}", "host",
                dr->ph[k].name, "usable", dr->ph[k].usable, "unusable", dr->ph[k].unusable_why,
                "free_disk", (json_int_t)dr->ph[k].free_disk, "free_disk_source",
                dr->hosts[k].disk_from, "free_ram_kib",
                (json_int_t)dr->ph[k].free_ram_kib, "planned", (int)dr->ph[k].planned_n));
        for (k = 0; k < dr->nhosts; k++) /* capabilities: probed once per connection */
            json_object_set_new(json_array_get(hosts, k), "capabilities",
                                ne_caps_json(dr->hosts[k].v ? virt_caps(dr->hosts[k].v, false) : NULL));
        json_t *root = json_pack("{s:s, s:o, s:o, s:o}", "host", dr->o->host,
                                 "source_capabilities", ne_caps_json(virt_caps(dr->src, false)),
                                 "destinations", hosts, "instances", a);
        drain_fleet_print(dr, root);
        json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        putchar('\n');
        json_decref(root);
        return;
    }
    t = table_new(hdr);
    for (i = 0; i < dr->n; i++) {
        const struct ne_drain_item *it = &dr->items[i];
        char row[8], bytes[16];
        snprintf(row, sizeof row, "%d", it->plan.row);
        fmt_bytes(it->bytes_expected, bytes, sizeof bytes);
        {
            const char *cells[] = {it->d->name, it->d->uuid, ne_dom_state_name(it->d->state),
                                   it->unresolved ? "unresolved"
                                   : it->dest < 0 && it->plan.method != NE_METHOD_REFUSE
                                       ? "none" : ne_method_name(it->plan.method),
                                   row, dest_name(dr, it), bytes,
                                   it->why[0] ? it->why : it->plan.reason};
            table_add(t, cells);
        }
    }
    printf("Plan for %s: %zu instance%s\n", dr->o->host, dr->n, dr->n == 1 ? "" : "s");
    table_print(t, stdout);
    table_free(t);
    print_network_disks(dr);
    drain_net_print_plan(dr, NULL);
    drain_fleet_print(dr, NULL);
    for (k = 0; k < dr->nhosts; k++)
        if (!dr->ph[k].usable)
            printf("destination %s not usable: %s\n", dr->ph[k].name, dr->ph[k].unusable_why);
        else
            print_free_disk(&dr->ph[k], dr->hosts[k].disk_from);
    {
        char cl[512];
        printf("source %s: %s\n", dr->o->host,
               ne_caps_line(virt_caps(dr->src, false), cl, sizeof cl));
        for (k = 0; k < dr->nhosts; k++)
            if (dr->hosts[k].v)
                printf("destination %s: %s\n", dr->hosts[k].name,
                       ne_caps_line(virt_caps(dr->hosts[k].v, false), cl, sizeof cl));
    }
}

void
ne_drain_print_summary(const struct ne_drain *dr, bool json)
{
    static const char *const hdr[] = {"INSTANCE", "RESULT", "METHOD", "DESTINATION", "TIME",
                                      "DOWNTIME", "BYTES", "NEXT STEP", NULL};
    struct ne_table *t;
    size_t i;

    if (json) return; /* the event stream already carried everything */
    t = table_new(hdr);
    for (i = 0; i < dr->n; i++) {
        const struct ne_drain_item *it = &dr->items[i];
        char tm[16] = "", dt[16] = "", by[16] = "";
        bool moved = it->state == NE_ITEM_MOVED;
        if (moved) {
            snprintf(tm, sizeof tm, "%.1fs", it->seconds);
            if (it->st.have_job_stats) snprintf(dt, sizeof dt, "%llums", (unsigned long long)it->st.downtime_ms);
            if (it->st.data_processed + it->st.files_bytes)
                fmt_bytes(it->st.data_processed + it->st.files_bytes, by, sizeof by);
        }
        {
            const char *cells[] = {it->d->name, state_name(it->state == NE_ITEM_PENDING && it->dest < 0
                                                               ? NE_ITEM_FAILED : it->state),
                                   ne_method_name(it->plan.method), dest_name(dr, it),
                                   tm[0] ? tm : NULL, dt[0] ? dt : NULL, by[0] ? by : NULL,
                                   moved && !it->unrecorded ? NULL
                                   : it->why[0]             ? it->why
                                                            : "run the drain again"};
            table_add(t, cells);
        }
    }
    printf("Drain of %s:\n", dr->o->host);
    table_print(t, stdout);
    table_free(t);
}
