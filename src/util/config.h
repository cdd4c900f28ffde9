/* SPDX-License-Identifier: Apache-2.0 */
/* config.h: the tool's configuration (nova-evac.conf, INI).
 *
 * Looked up from --config, then $NOVA_EVAC_CONFIG, then
 * /etc/nova-evac/nova-evac.conf (a missing default file is fine). */
#ifndef NE_CONFIG_H
#define NE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define NE_DEFAULT_CONFIG "/etc/nova-evac/nova-evac.conf"

struct ne_node_conf {
    char *name;
    char *uri;      /* how the tool reaches this node's libvirtd */
    char *peer_uri; /* how another node's libvirtd reaches it (p2p migration) */
    unsigned long long reserved_disk_mb; /* kept free on this node as a destination */
    unsigned long long reserved_ram_mb;
    bool legacy; /* legacy = true: treat as an old libvirt (virt-caps.c) */
};

enum ne_timeout_action { NE_TIMEOUT_ABORT, NE_TIMEOUT_POSTCOPY, NE_TIMEOUT_PAUSE };

struct ne_config {
    char *path;
    char *instances_path;   /* [DEFAULT] instances_path */
    bool shared_instances;  /* [DEFAULT] instances_path_shared */
    char *state_dir;        /* [DEFAULT] state_dir (absolute, no "..": statedir.h) */
    char *nova_conf;        /* [DEFAULT] nova_conf (same) */
    char *machine_map;      /* [DEFAULT] machine_map: old=new machine types (hooks/qemu) */
    char *uri_template;     /* [libvirt] uri_template, "%s" = host */
    char *peer_uri_template;/* [libvirt] peer_uri_template */
    bool allow_unsafe;      /* [libvirt] allow_unsafe: VIR_MIGRATE_UNSAFE */
    /* [migration] */
    bool tunnelled, tls, auto_converge, postcopy;
    unsigned long bandwidth_mib;      /* 0 = unlimited */
    unsigned long downtime_ms;        /* final max downtime */
    unsigned long downtime_steps;
    unsigned long downtime_delay_s;   /* per GiB of RAM, like Nova */
    unsigned long completion_timeout_s; /* per GiB of data; 0 = none */
    enum ne_timeout_action timeout_action;
    unsigned long long reserved_disk_mb, reserved_ram_mb; /* [DEFAULT] */
    struct ne_node_conf *nodes;
    size_t nnodes, capnodes;
};

/* Loads the configuration; path may be NULL (environment, then default).
 * Returns a new config (free with ne_config_free) or NULL (reported). */
struct ne_config *ne_config_load(const char *path);
void ne_config_free(struct ne_config *c);

/* Checks that a host name is a plain DNS-style name (letters, digits,
 * '.', '-', '_', at most 253 chars); reports and returns -1 otherwise. */
int ne_check_hostname(const char *host);

/* The URI the tool uses to reach host's libvirtd.  Newly allocated.  The
 * first plaintext TCP URI (qemu+tcp://) of the run is warned about. */
char *ne_node_uri(const struct ne_config *c, const char *host);
/* The URI a peer libvirtd uses to reach host (for a migration).  Newly
 * allocated.  Warns once per run, like ne_node_uri, and once about
 * unencrypted migration streams when [migration] tls is off. */
char *ne_node_peer_uri(const struct ne_config *c, const char *host);
/* True for a "driver+tcp://" URI: no TLS, and no authentication unless
 * libvirtd asks for SASL. */
bool ne_uri_plaintext_tcp(const char *uri);
/* Reserved disk and RAM (MiB) on host as a destination: its [node:host]
 * values, else [DEFAULT] reserved_disk_mb / reserved_ram_mb. */
void ne_node_reserved(const struct ne_config *c, const char *host, unsigned long long *disk_mb,
                      unsigned long long *ram_mb);
/* [node:host] legacy: the node is treated as an old libvirt whatever it
 * reports (no migration parameters, plain streams, no job statistics). */
bool ne_node_legacy(const struct ne_config *c, const char *host);
/* Configured node names, for "every node" scans: *names is a newly
 * allocated NULL-terminated array of borrowed strings (free the array only). */
size_t ne_config_nodes(const struct ne_config *c, const char ***names);

#endif
