/* SPDX-License-Identifier: Apache-2.0 */
/* osrender.c: see osrender.h. */
#include <config.h>

#include "openstack/osrender.h"
#include "util/table.h"

const char *
ne_power_state_name(int p)
{
    static const char *const names[] = {"NOSTATE", "RUNNING", "-", "PAUSED", "SHUTDOWN", "-",
                                        "CRASHED", "SUSPENDED"};

    return p >= 0 && p < 8 ? names[p] : "-";
}

static json_t *
num_or_null(long long v)
{
    return v < 0 ? json_null() : json_integer(v);
}

json_t *
ne_server_json(const struct ne_server *s)
{
    json_t *j = json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?}",
                          "id", s->id, "name", s->name, "status", s->status, "task_state",
                          s->task_state, "vm_state", s->vm_state, "host", s->host, "node",
                          s->node, "instance_name", s->instance_name, "project_id",
                          s->project_id, "image_id", s->image_id, "flavor", s->flavor);

    json_object_set_new(j, "power_state", json_string(ne_power_state_name(s->power_state)));
    json_object_set_new(j, "vcpus", num_or_null(s->flavor_vcpus));
    json_object_set_new(j, "ram_mb", num_or_null(s->flavor_ram_mb));
    json_object_set_new(j, "disk_gb", num_or_null(s->flavor_disk_gb));
    json_object_set_new(j, "locked", json_boolean(s->locked));
    json_object_set_new(j, "fault", s->fault_message ? json_string(s->fault_message) : json_null());
    return j;
}

json_t *
ne_service_json(const struct ne_service *s)
{
    return json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:b}", "id", s->id,
                     "binary", s->binary, "host", s->host, "zone", s->zone, "status", s->status,
                     "state", s->state, "disabled_reason", s->disabled_reason, "updated_at",
                     s->updated_at, "forced_down", s->forced_down);
}

json_t *
ne_hypervisor_json(const struct ne_hypervisor *h)
{
    json_t *j = json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?, s:s?}", "id", h->id, "hostname",
                          h->hostname, "host", h->host, "state", h->state, "status", h->status,
                          "type", h->type);

    json_object_set_new(j, "running_vms", num_or_null(h->running_vms));
    json_object_set_new(j, "vcpus", num_or_null(h->vcpus));
    json_object_set_new(j, "vcpus_used", num_or_null(h->vcpus_used));
    json_object_set_new(j, "memory_mb", num_or_null(h->memory_mb));
    json_object_set_new(j, "memory_mb_used", num_or_null(h->memory_mb_used));
    json_object_set_new(j, "local_gb", num_or_null(h->local_gb));
    json_object_set_new(j, "local_gb_used", num_or_null(h->local_gb_used));
    return j;
}

json_t *
ne_migration_json(const struct ne_migration *m)
{
    json_t *j = json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?}",
                          "id", m->id, "uuid", m->uuid, "instance_uuid", m->instance_uuid,
                          "status", m->status, "type", m->type, "source_compute",
                          m->source_compute, "dest_compute", m->dest_compute, "source_node",
                          m->source_node, "dest_node", m->dest_node, "created_at",
                          m->created_at, "updated_at", m->updated_at);

    json_object_set_new(j, "memory_remaining_bytes", num_or_null(m->memory_remaining));
    json_object_set_new(j, "disk_remaining_bytes", num_or_null(m->disk_remaining));
    return j;
}

json_t *
ne_image_json(const struct ne_image *im)
{
    json_t *props = json_object();
    size_t i;

    for (i = 0; i < im->nprops; i++)
        json_object_set_new(props, im->prop_keys[i], json_string(im->prop_vals[i]));
    return json_pack("{s:s?, s:s?, s:s?, s:o, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:o}", "id",
                     im->id, "name", im->name, "status", im->status, "size",
                     num_or_null(im->size), "checksum", im->checksum, "os_hash_algo",
                     im->hash_algo, "os_hash_value", im->hash_value, "disk_format",
                     im->disk_format, "container_format", im->container_format, "visibility",
                     im->visibility, "properties", props);
}

void
ne_json_print(json_t *v, FILE *f)
{
    json_dumpf(v, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', f);
    json_decref(v);
}

void
ne_servers_table(const struct ne_server *s, size_t n, FILE *f)
{
    static const char *const hdr[] = {"ID", "NAME", "STATUS", "TASK", "POWER", "HOST",
                                      "FLAVOR", NULL};
    struct ne_table *t = table_new(hdr);
    size_t i;

    for (i = 0; i < n; i++) {
        const char *row[] = {s[i].id, s[i].name, s[i].status, s[i].task_state,
                             ne_power_state_name(s[i].power_state), s[i].host, s[i].flavor};
        table_add(t, row);
    }
    table_print(t, f);
    table_free(t);
}
