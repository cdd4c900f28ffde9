/* SPDX-License-Identifier: Apache-2.0 */
/* novajson.c: pure parsers for Nova replies (declared in nova.h).
 * Tolerant of every microversion from 2.1 to NOVA_MV_MAX: fields that
 * appear or vanish are optional; ids may be integers or uuids. */
#include <config.h>

#include <string.h>

#include "openstack/nova.h"
#include "util/log.h"
#include "util/mem.h"

/* The array member key of root, or NULL after reporting. */
static const json_t *
need_array(const json_t *root, const char *key, const char *what)
{
    const json_t *a = json_object_get(root, key);

    if (!json_is_array(a)) ne_error("%s: unexpected reply: no \"%s\" list", what, key);
    return json_is_array(a) ? a : NULL;
}

static const json_t *
need_object(const json_t *root, const char *key, const char *what)
{
    const json_t *o = json_object_get(root, key);

    if (!json_is_object(o)) ne_error("%s: unexpected reply: no \"%s\" object", what, key);
    return json_is_object(o) ? o : NULL;
}

/* Appends an array of objects to *out via fill(); every element must be an
 * object with an "id" (reported otherwise). */
static int
each_item(const json_t *arr, const char *what, const char *kind, void **out, size_t *n,
          size_t sz, int (*fill)(const json_t *o, void *item))
{
    const json_t *o;
    size_t i, cap = *n;

    json_array_foreach(arr, i, o) {
        if (!json_is_object(o) || !json_object_get(o, "id")) {
            ne_error("%s: unexpected reply: %s #%zu has no id", what, kind, i + 1);
            return -1;
        }
        xgrow(out, &cap, *n + 1, sz);
        memset((char *)*out + *n * sz, 0, sz);
        if (fill(o, (char *)*out + *n * sz) < 0) return -1;
        (*n)++;
    }
    return 0;
}

/* ---- servers */

static void
server_flavor(const json_t *o, struct ne_server *s)
{
    const json_t *f = json_object_get(o, "flavor");

    /* 2.47+: the flavor embedded, named by original_name; before: {"id"} */
    s->flavor = osj_dup(f, "original_name");
    if (!s->flavor) s->flavor = osj_dup(f, "id");
    s->flavor_vcpus = osj_int(f, "vcpus", -1);
    s->flavor_ram_mb = osj_int(f, "ram", -1);
    s->flavor_disk_gb = osj_int(f, "disk", -1);
}

static int
fill_server(const json_t *o, void *item)
{
    struct ne_server *s = item;
    const json_t *fault = json_object_get(o, "fault");

    s->id = osj_dup(o, "id");
    s->name = osj_dup(o, "name");
    s->status = osj_dup(o, "status");
    s->task_state = osj_dup(o, "OS-EXT-STS:task_state");
    s->vm_state = osj_dup(o, "OS-EXT-STS:vm_state");
    s->power_state = (int)osj_int(o, "OS-EXT-STS:power_state", -1);
    s->host = osj_dup(o, "OS-EXT-SRV-ATTR:host");
    s->node = osj_dup(o, "OS-EXT-SRV-ATTR:hypervisor_hostname");
    s->instance_name = osj_dup(o, "OS-EXT-SRV-ATTR:instance_name");
    s->project_id = osj_dup(o, "tenant_id");
    s->user_id = osj_dup(o, "user_id");
    s->image_id = osj_dup(json_object_get(o, "image"), "id"); /* "" when booted from volume */
    s->updated = osj_dup(o, "updated");
    s->locked = osj_bool(o, "locked", false);
    s->fault_message = osj_dup(fault, "message");
    s->fault_code = (int)osj_int(fault, "code", 0);
    server_flavor(o, s);
    return 0;
}

int
nova_parse_servers(const char *buf, size_t len, const char *what, struct ne_server **out,
                   size_t *n, bool *more)
{
    json_t *root = osj_load(buf, len, what);
    const json_t *arr;
    int rc = -1;

    *more = false;
    if (!root) return -1;
    if ((arr = need_array(root, "servers", what)) &&
        each_item(arr, what, "server", (void **)out, n, sizeof **out, fill_server) == 0) {
        *more = osj_has_next(root, "servers_links") && json_array_size(arr) > 0;
        rc = 0;
    }
    json_decref(root);
    return rc;
}

int
nova_parse_server(const char *buf, size_t len, const char *what, struct ne_server *out)
{
    json_t *root = osj_load(buf, len, what);
    const json_t *o;
    int rc = -1;

    memset(out, 0, sizeof *out);
    if (!root) return -1;
    o = need_object(root, "server", what);
    if (o && !osj_str(o, "id")) ne_error("%s: unexpected reply: server without an id", what);
    else if (o) rc = fill_server(o, out);
    json_decref(root);
    return rc;
}

/* ---- services */

static int
fill_service(const json_t *o, void *item)
{
    struct ne_service *s = item;

    s->id = osj_dup(o, "id");
    s->binary = osj_dup(o, "binary");
    s->host = osj_dup(o, "host");
    s->zone = osj_dup(o, "zone");
    s->status = osj_dup(o, "status");
    s->state = osj_dup(o, "state");
    s->disabled_reason = osj_dup(o, "disabled_reason");
    s->updated_at = osj_dup(o, "updated_at");
    s->forced_down = osj_bool(o, "forced_down", false);
    return 0;
}

int
nova_parse_services(const char *buf, size_t len, const char *what, struct ne_service **out,
                    size_t *n)
{
    json_t *root = osj_load(buf, len, what);
    const json_t *arr;
    int rc = -1;

    if (!root) return -1;
    if ((arr = need_array(root, "services", what)))
        rc = each_item(arr, what, "service", (void **)out, n, sizeof **out, fill_service);
    json_decref(root);
    return rc;
}

int
nova_parse_service(const char *buf, size_t len, const char *what, struct ne_service *out)
{
    json_t *root = osj_load(buf, len, what);
    const json_t *o;
    int rc = -1;

    memset(out, 0, sizeof *out);
    if (!root) return -1;
    /* the pre-2.53 reply has no id: host, binary and status are enough */
    o = need_object(root, "service", what);
    if (o && !osj_str(o, "host")) ne_error("%s: unexpected reply: service without a host", what);
    else if (o) rc = fill_service(o, out);
    json_decref(root);
    return rc;
}

/* ---- hypervisors */

static int
fill_hypervisor(const json_t *o, void *item)
{
    struct ne_hypervisor *h = item;
    const json_t *svc = json_object_get(o, "service");

    h->id = osj_dup(o, "id");
    h->hostname = osj_dup(o, "hypervisor_hostname");
    h->host = osj_dup(svc, "host");
    h->disabled_reason = osj_dup(svc, "disabled_reason");
    h->state = osj_dup(o, "state");
    h->status = osj_dup(o, "status");
    h->type = osj_dup(o, "hypervisor_type");
    h->running_vms = osj_int(o, "running_vms", -1);
    h->vcpus = osj_int(o, "vcpus", -1);
    h->vcpus_used = osj_int(o, "vcpus_used", -1);
    h->memory_mb = osj_int(o, "memory_mb", -1);
    h->memory_mb_used = osj_int(o, "memory_mb_used", -1);
    h->local_gb = osj_int(o, "local_gb", -1);
    h->local_gb_used = osj_int(o, "local_gb_used", -1);
    h->have_disk = json_is_integer(json_object_get(o, "disk_available_least")) &&
                   json_is_integer(json_object_get(o, "free_disk_gb"));
    h->disk_available_least = osj_int(o, "disk_available_least", 0);
    h->free_disk_gb = osj_int(o, "free_disk_gb", 0);
    return 0;
}

int
nova_parse_hypervisors(const char *buf, size_t len, const char *what, struct ne_hypervisor **out,
                       size_t *n)
{
    json_t *root = osj_load(buf, len, what);
    const json_t *arr;
    int rc = -1;

    if (!root) return -1;
    if ((arr = need_array(root, "hypervisors", what)))
        rc = each_item(arr, what, "hypervisor", (void **)out, n, sizeof **out, fill_hypervisor);
    json_decref(root);
    return rc;
}

/* ---- migrations */

static int
fill_migration(const json_t *o, void *item)
{
    struct ne_migration *m = item;

    m->id = osj_dup(o, "id");
    m->uuid = osj_dup(o, "uuid");
    m->instance_uuid = osj_dup(o, "instance_uuid");
    if (!m->instance_uuid) m->instance_uuid = osj_dup(o, "server_uuid");
    m->status = osj_dup(o, "status");
    m->type = osj_dup(o, "migration_type");
    m->source_compute = osj_dup(o, "source_compute");
    m->dest_compute = osj_dup(o, "dest_compute");
    m->source_node = osj_dup(o, "source_node");
    m->dest_node = osj_dup(o, "dest_node");
    m->dest_host = osj_dup(o, "dest_host");
    m->created_at = osj_dup(o, "created_at");
    m->updated_at = osj_dup(o, "updated_at");
    m->memory_total = osj_int(o, "memory_total_bytes", -1);
    m->memory_processed = osj_int(o, "memory_processed_bytes", -1);
    m->memory_remaining = osj_int(o, "memory_remaining_bytes", -1);
    m->disk_total = osj_int(o, "disk_total_bytes", -1);
    m->disk_processed = osj_int(o, "disk_processed_bytes", -1);
    m->disk_remaining = osj_int(o, "disk_remaining_bytes", -1);
    return 0;
}

int
nova_parse_migrations(const char *buf, size_t len, const char *what, struct ne_migration **out,
                      size_t *n, bool *more)
{
    json_t *root = osj_load(buf, len, what);
    const json_t *arr;
    int rc = -1;

    *more = false;
    if (!root) return -1;
    if ((arr = need_array(root, "migrations", what)) &&
        each_item(arr, what, "migration", (void **)out, n, sizeof **out, fill_migration) == 0) {
        *more = osj_has_next(root, "migrations_links") && json_array_size(arr) > 0;
        rc = 0;
    }
    json_decref(root);
    return rc;
}

int
nova_parse_migration(const char *buf, size_t len, const char *what, struct ne_migration *out)
{
    json_t *root = osj_load(buf, len, what);
    const json_t *o;
    int rc = -1;

    memset(out, 0, sizeof *out);
    if (!root) return -1;
    o = need_object(root, "migration", what);
    if (o && !json_object_get(o, "id"))
        ne_error("%s: unexpected reply: migration without an id", what);
    else if (o) rc = fill_migration(o, out);
    json_decref(root);
    return rc;
}

/* ---- freeing */

void
ne_server_clear(struct ne_server *s)
{
    char **f[] = {&s->id, &s->name, &s->status, &s->task_state, &s->vm_state, &s->host,
                  &s->node, &s->instance_name, &s->project_id, &s->user_id, &s->image_id,
                  &s->flavor, &s->updated, &s->fault_message};
    size_t i;

    for (i = 0; i < sizeof f / sizeof f[0]; i++) free(*f[i]);
    memset(s, 0, sizeof *s);
}

void
ne_servers_free(struct ne_server *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) ne_server_clear(&s[i]);
    free(s);
}

void
ne_service_clear(struct ne_service *s)
{
    char **f[] = {&s->id, &s->binary, &s->host, &s->zone, &s->status, &s->state,
                  &s->disabled_reason, &s->updated_at};
    size_t i;

    for (i = 0; i < sizeof f / sizeof f[0]; i++) free(*f[i]);
    memset(s, 0, sizeof *s);
}

void
ne_services_free(struct ne_service *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) ne_service_clear(&s[i]);
    free(s);
}

void
ne_hypervisors_free(struct ne_hypervisor *h, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(h[i].id);
        free(h[i].hostname);
        free(h[i].host);
        free(h[i].state);
        free(h[i].status);
        free(h[i].type);
        free(h[i].disabled_reason);
    }
    free(h);
}

void
ne_migration_clear(struct ne_migration *m)
{
    char **f[] = {&m->id, &m->uuid, &m->instance_uuid, &m->status, &m->type,
                  &m->source_compute, &m->dest_compute, &m->source_node, &m->dest_node,
                  &m->dest_host, &m->created_at, &m->updated_at};
    size_t i;

    for (i = 0; i < sizeof f / sizeof f[0]; i++) free(*f[i]);
    memset(m, 0, sizeof *m);
}

void
ne_migrations_free(struct ne_migration *m, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) ne_migration_clear(&m[i]);
    free(m);
}
