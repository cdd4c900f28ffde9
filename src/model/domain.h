/* SPDX-License-Identifier: Apache-2.0 */
/* domain.h: the plain structs the core sees for a libvirt domain and its
 * disks, with the pure functions that fill and classify them.
 *
 * domxml.c parses domain XML (libxml2) into these; disk.c classifies. */
#ifndef NE_DOMAIN_H
#define NE_DOMAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ne_disk_class {
    NE_DISK_LOCAL,            /* file under the (local) instances path: must be copied */
    NE_DISK_CONFIG_DRIVE,     /* <instances>/<uuid>/disk.config: local, copied */
    NE_DISK_SHARED_VOLUME,    /* network/block volume, shareable, read-only: never copied */
    NE_DISK_SHARED_EPHEMERAL, /* instances path on shared storage: not copied */
};

struct ne_disk {
    char *target;         /* "vda" */
    char *device;         /* "disk", "cdrom", "lun" */
    char *type;           /* "file", "block", "network", "volume" */
    char *source;         /* file/dev path, or network name such as "pool/image" */
    char *protocol;       /* "rbd", "iscsi", ... (network disks) or NULL */
    char *format;         /* driver type: "qcow2", "raw", or NULL */
    char *backing;        /* first backing file path, or NULL */
    char *backing_format;
    bool shareable, readonly;
    bool is_volume_path;  /* source looks like a Nova-attached volume (by-path, mnt) */
    enum ne_disk_class cls;
    const char *why;      /* static text: why this class */
    char base_sha1[41];   /* "" unless backing is <instances>/_base/<40 hex> */
    /* Filled by virt.c when known (0 = unknown). */
    uint64_t capacity, allocation;
    int base_present;     /* -1 unknown, 0 absent, 1 present on the host */
};

enum ne_dom_state {
    NE_DOM_NOSTATE, NE_DOM_RUNNING, NE_DOM_BLOCKED, NE_DOM_PAUSED, NE_DOM_SHUTDOWN,
    NE_DOM_SHUTOFF, NE_DOM_CRASHED, NE_DOM_PMSUSPENDED,
};

struct ne_domain {
    char *name;
    char uuid[37];
    int state;            /* enum ne_dom_state */
    bool persistent;
    uint64_t memory_kib;
    unsigned vcpus;
    char *type;           /* "kvm" or "qemu" */
    char *arch, *machine; /* <os><type arch= machine=>, or NULL */
    char *cpu_mode;       /* <cpu mode=>: "custom", "host-model"..., NULL: no <cpu> */
    char *cpu_model;      /* <cpu><model>, or NULL */
    struct ne_disk *disks;
    size_t ndisks;
    char **nwfilters;     /* filterref names, NULL-terminated */
    size_t nnwfilters;
    bool has_interfaces;
};

/* Parses domain XML into a new domain (free with ne_domain_free), or NULL
 * after reporting "malformed domain XML: <what>" with the given origin
 * (e.g. "node02") in the message. */
struct ne_domain *ne_domain_parse(const char *xml, const char *origin);
/* The image id in Nova's domain metadata (<nova:instance><nova:root
 * type="image" uuid=.../>), newly allocated, or NULL (domxml.c). */
char *ne_nova_meta_image(const char *domain_xml);
void ne_domain_free(struct ne_domain *d);
void ne_domains_free(struct ne_domain **v, size_t n);

/* Classifies one disk (pure).  instances_path has no trailing slash;
 * shared_instances tells whether it sits on shared storage.  Sets cls, why
 * and base_sha1. */
void ne_disk_classify(struct ne_disk *d, const char *instances_path, bool shared_instances);
/* Classifies all disks of d. */
void ne_domain_classify(struct ne_domain *d, const char *instances_path, bool shared_instances);

const char *ne_disk_class_name(enum ne_disk_class c);
/* Where a disk's data lives, for people: "rbd:volumes/volume-1" for a network
 * disk (protocol:name; "nbd:" alone for an export without a name), the path
 * otherwise, "-" without a source.  Returns buf. */
const char *ne_disk_location(const struct ne_disk *d, char *buf, size_t n);
/* Splits an RBD name as libvirt writes it, "pool[/namespace]/image[@snap]":
 * 0 with pool and image set (namespace and snapshot left out), -1 when the
 * name has another shape or a part does not fit. */
int ne_rbd_name_split(const char *name, char *pool, size_t npool, char *image, size_t nimage);
const char *ne_dom_state_name(int state);
/* True when the disk is copied by a block migration. */
bool ne_disk_is_local(const struct ne_disk *d);
/* Bytes of d's local disks: allocated on the host, or their virtual size. */
uint64_t ne_domain_local_bytes(const struct ne_domain *d, bool allocated);

#endif
