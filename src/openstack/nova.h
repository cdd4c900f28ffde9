/* SPDX-License-Identifier: Apache-2.0 */
/* nova.h: the Nova (compute API) adapter.
 *
 * nova_open() negotiates the microversion (the highest both sides know,
 * capped by OS_COMPUTE_API_VERSION / compute_api_version); calls adapt
 * their request to it (service uuid form from 2.53, block_migration
 * "auto" from 2.25, cold-migrate host from 2.56).  Every failing call
 * reports one line naming the instance (name and uuid, host, state), the
 * Nova fault and the request id, then returns -1; nova_err() says what
 * kind of failure it was.
 *
 * The parsers (novajson.c) take a buffer and are pure: unit-tested and
 * fuzzed.  All strings in the structs are owned by the struct; free with
 * the matching *_clear / *_free. */
#ifndef NE_NOVA_H
#define NE_NOVA_H

#include <stdbool.h>
#include <stddef.h>

#include "openstack/keystone.h"
#include "openstack/osjson.h"

/* Nova's own maximum we speak: responses up to this are understood. */
#define NOVA_MV_MAX "2.90"

struct ne_server {
    char *id, *name, *status, *task_state, *vm_state, *host, *node, *instance_name;
    char *project_id, *user_id, *image_id, *flavor, *updated;
    int power_state;       /* -1 unknown */
    long long flavor_vcpus, flavor_ram_mb, flavor_disk_gb; /* -1 before 2.47 */
    char *fault_message;   /* when status is ERROR */
    int fault_code;
    bool locked;
};

struct ne_service {
    char *id;              /* uuid from 2.53, integer as text before */
    char *binary, *host, *zone, *status, *state, *disabled_reason, *updated_at;
    bool forced_down;
};

struct ne_hypervisor {
    char *id, *hostname, *host, *state, *status, *type, *disabled_reason;
    long long running_vms, vcpus, vcpus_used, memory_mb, memory_mb_used, local_gb,
        local_gb_used; /* -1 when the microversion no longer reports them (2.88) */
    /* GiB, valid when have_disk (not reported from 2.88 on).
     * disk_available_least is the instances path's f_bavail minus what
     * sparse disks may still grow by (may be negative); free_disk_gb is
     * local_gb minus the flavors' disk there and reserved_host_disk_mb. */
    long long disk_available_least, free_disk_gb;
    bool have_disk;
};

struct ne_migration {
    char *id, *uuid, *instance_uuid, *status, *type;
    char *source_compute, *dest_compute, *source_node, *dest_node, *dest_host;
    char *created_at, *updated_at;
    long long memory_total, memory_processed, memory_remaining, disk_total, disk_processed,
        disk_remaining; /* -1 unknown */
};

/* ---- pure parsers (novajson.c); what names the request for messages */

/* GET /servers/detail: appends to *out (n entries); *more when a "next"
 * link says another page follows. */
int nova_parse_servers(const char *buf, size_t len, const char *what, struct ne_server **out,
                       size_t *n, bool *more);
int nova_parse_server(const char *buf, size_t len, const char *what, struct ne_server *out);
int nova_parse_services(const char *buf, size_t len, const char *what, struct ne_service **out,
                        size_t *n);
/* PUT /os-services... reply: {"service": {...}} */
int nova_parse_service(const char *buf, size_t len, const char *what, struct ne_service *out);
int nova_parse_hypervisors(const char *buf, size_t len, const char *what,
                           struct ne_hypervisor **out, size_t *n);
/* GET /os-migrations ("migrations") or /servers/{id}/migrations; appends. */
int nova_parse_migrations(const char *buf, size_t len, const char *what,
                          struct ne_migration **out, size_t *n, bool *more);
int nova_parse_migration(const char *buf, size_t len, const char *what,
                         struct ne_migration *out);

void ne_server_clear(struct ne_server *s);
void ne_servers_free(struct ne_server *s, size_t n);
void ne_services_free(struct ne_service *s, size_t n);
void ne_service_clear(struct ne_service *s);
void ne_hypervisors_free(struct ne_hypervisor *h, size_t n);
void ne_migrations_free(struct ne_migration *m, size_t n);
void ne_migration_clear(struct ne_migration *m);

/* ---- the client (nova.c) */

struct ne_nova;

/* Negotiates the microversion against the compute endpoint of os
 * (borrowed; must outlive the client).  NULL after reporting, with *kind
 * saying what kind of failure it was. */
struct ne_nova *nova_open(struct ne_os *os, enum ne_os_err *kind);
void nova_close(struct ne_nova *nv);
bool nova_mv_ge(const struct ne_nova *nv, int major, int minor);
/* The negotiated microversion as text ("2.1"; "0.0": none), borrowed. */
const char *nova_mv_string(const struct ne_nova *nv);
/* Kind of the last failure (NE_OS_OK after a success). */
enum ne_os_err nova_err(const struct ne_nova *nv);

/* Every server on host (all projects), all pages.  *out newly allocated
 * (ne_servers_free). */
int nova_servers_on_host(struct ne_nova *nv, const char *host, struct ne_server **out,
                         size_t *n);
/* 0 found, 1 no such server (not reported), -1 error. */
int nova_server_show(struct ne_nova *nv, const char *id, struct ne_server *out);

/* nova-compute services, host may be NULL for all. */
int nova_services(struct ne_nova *nv, const char *host, struct ne_service **out, size_t *n);
/* Disables host's nova-compute with a reason (may be NULL), or enables it;
 * *out (may be NULL) gets the service as Nova returns it afterwards. */
int nova_service_disable(struct ne_nova *nv, const char *host, const char *reason,
                         struct ne_service *out);
int nova_service_enable(struct ne_nova *nv, const char *host, struct ne_service *out);

int nova_hypervisors(struct ne_nova *nv, struct ne_hypervisor **out, size_t *n);
/* The free disk Nova counts for compute host (its service host or
 * hypervisor hostname), in bytes: min(disk_available_least, free_disk_gb)
 * GiB, 0 when negative, read with the microversion capped at 2.87 (2.88
 * removed both fields).  0 and *bytes; 1 when Nova has no such hypervisor
 * or does not report the figures (reported); -1 (reported). */
int nova_host_free_disk(struct ne_nova *nv, const char *host, unsigned long long *bytes);

struct ne_migration_filter {
    const char *instance_uuid, *host, *status, *type; /* NULL = any */
};
/* GET /os-migrations with the filter, all pages. */
int nova_migrations(struct ne_nova *nv, const struct ne_migration_filter *f,
                    struct ne_migration **out, size_t *n);
/* The error event of the server's newest instance action named action
 * ("live-migration"): "EVENT: DETAILS" (details from compute API 2.84,
 * else "EVENT"), malloc'd into *out, or NULL when that action has no
 * failed event.  0, or -1 (reported). */
int nova_action_error(struct ne_nova *nv, const char *server, const char *action, char **out);
/* In-progress live migrations of one server (2.23+). */
int nova_server_migrations(struct ne_nova *nv, const char *server, struct ne_migration **out,
                           size_t *n);

enum ne_block_migration { NE_BLOCK_AUTO, NE_BLOCK_YES, NE_BLOCK_NO };

/* Actions; host may be NULL (the scheduler chooses).  With NE_BLOCK_AUTO
 * on a cloud older than 2.25 the call is refused (reported): say yes or no. */
int nova_live_migrate(struct ne_nova *nv, const char *server, const char *host,
                      enum ne_block_migration block);
int nova_migrate(struct ne_nova *nv, const char *server, const char *host);
int nova_confirm_resize(struct ne_nova *nv, const char *server);
int nova_revert_resize(struct ne_nova *nv, const char *server);
/* state: "error" or "active" */
int nova_reset_state(struct ne_nova *nv, const char *server, const char *state);
int nova_force_complete(struct ne_nova *nv, const char *server, const char *migration);
int nova_abort_migration(struct ne_nova *nv, const char *server, const char *migration);
/* createImage: a snapshot of server named name, with metadata (NULL-
 * terminated key/value pairs, may be NULL).  *image_id (newly allocated)
 * from the reply (2.45+) or its Location header. */
int nova_create_image(struct ne_nova *nv, const char *server, const char *name,
                      const char *const *metadata, char **image_id);

/* Polls the server every 0.5 s until it has no task_state, its status is
 * not MIGRATING/RESIZE/BUILD/REBUILD/REVERT_RESIZE, and it is not leave
 * (may be NULL; "VERIFY_RESIZE" after a confirm or revert, which Nova
 * finishes asynchronously with no task state), or timeout_s passes
 * (reported, -1).  *out (may be NULL) gets the final state. */
/* A server status of work in progress (MIGRATING, RESIZE, BUILD, REBOOT...). */
bool nova_status_busy(const char *status);
int nova_wait_idle(struct ne_nova *nv, const char *server, unsigned timeout_s, const char *leave,
                   struct ne_server *out);

/* Polls the instance's newest migration record (os-migrations) until its
 * status is terminal (completed, finished, confirmed, reverted, error,
 * failed, cancelled...), or timeout_s passes (reported, -1).  Nova clears
 * the task state before the source compute marks a live migration
 * completed: wait for both.  *out (may be NULL) gets the record (zeroed
 * when the instance has none). */
int nova_wait_migration(struct ne_nova *nv, const char *server, unsigned timeout_s,
                        struct ne_migration *out);

#endif
