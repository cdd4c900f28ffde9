/* SPDX-License-Identifier: Apache-2.0 */
/* disk.c: disk classification and domain helpers (pure logic). */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "model/domain.h"
#include "util/mem.h"

/* True when path is dir itself or below it. */
static bool
under(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    return path && strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

static const char *
base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* Sets d->base_sha1 when the backing file is <instances>/_base/<sha1>. */
static void
find_base(struct ne_disk *d, const char *instances_path)
{
    CLEANUP_FREE char *base_dir = xasprintf("%s/_base", instances_path);
    const char *name;

    d->base_sha1[0] = '\0';
    if (!d->backing || !under(d->backing, base_dir)) return;
    name = base_name(d->backing);
    if (strlen(d->backing) != strlen(base_dir) + 1 + strlen(name)) return; /* subdir */
    /* Nova may add a size suffix for resized bases: <sha1>_<size>. */
    if (strlen(name) >= 40) {
        char hex[41];
        memcpy(hex, name, 40);
        hex[40] = '\0';
        if (is_hex(hex, 40) && (name[40] == '\0' || name[40] == '_')) memcpy(d->base_sha1, hex, 41);
    }
}

/* Nova's images_type=lvm names logical volumes <uuid>_disk[.suffix]. */
static bool
is_lvm_ephemeral(const char *path)
{
    const char *b;

    if (!path || !str_prefix(path, "/dev/")) return false;
    b = base_name(path);
    return strlen(b) >= 41 && b[8] == '-' && b[13] == '-' && b[18] == '-' && b[23] == '-' &&
           str_prefix(b + 36, "_disk");
}

/* Every network disk is storage both hosts reach: a live migration moves
 * only the guest's memory.  The reason names the protocol. */
static const char *
network_why(const char *protocol)
{
    static const struct { const char *p, *why; } known[] = {
        {"rbd", "rbd network disk (Ceph): shared by every host"},
        {"nbd", "nbd network disk: shared by every host"},
        {"iscsi", "iscsi network disk (libvirt's initiator): shared by every host"},
        {"gluster", "gluster network disk: shared by every host"},
        {"sheepdog", "sheepdog network disk: shared by every host"},
        {"vxhs", "vxhs network disk: shared by every host"},
        {"nfs", "nfs network disk: shared by every host"},
        {"ssh", "ssh network disk: remote, not copied"},
        {"http", "http network disk (read-only remote image): not copied"},
        {"https", "https network disk (read-only remote image): not copied"},
        {"ftp", "ftp network disk (read-only remote image): not copied"},
        {"ftps", "ftps network disk (read-only remote image): not copied"},
        {"tftp", "tftp network disk (read-only remote image): not copied"},
    };
    size_t i;

    for (i = 0; protocol && i < sizeof known / sizeof known[0]; i++)
        if (str_eq(protocol, known[i].p)) return known[i].why;
    return "network disk: shared by every host";
}

void
ne_disk_classify(struct ne_disk *d, const char *instances_path, bool shared_instances)
{
    find_base(d, instances_path);
    if (d->protocol || str_eq(d->type, "network")) {
        d->cls = NE_DISK_SHARED_VOLUME;
        d->why = network_why(d->protocol);
    } else if (d->source && under(d->source, instances_path) &&
               str_eq(base_name(d->source), "disk.config")) {
        d->cls = shared_instances ? NE_DISK_SHARED_EPHEMERAL : NE_DISK_CONFIG_DRIVE;
        d->why = shared_instances ? "config drive on shared instances path" : "config drive";
    } else if (d->shareable) {
        d->cls = NE_DISK_SHARED_VOLUME;
        d->why = "<shareable/>";
    } else if (d->source && under(d->source, instances_path)) {
        d->cls = shared_instances ? NE_DISK_SHARED_EPHEMERAL : NE_DISK_LOCAL;
        d->why = shared_instances ? "instances path is shared storage" : "under instances path";
    } else if (d->readonly) {
        d->cls = NE_DISK_SHARED_VOLUME;
        d->why = "read-only";
    } else if (str_eq(d->type, "block") && is_lvm_ephemeral(d->source)) {
        d->cls = shared_instances ? NE_DISK_SHARED_EPHEMERAL : NE_DISK_LOCAL;
        d->why = "LVM ephemeral disk (<uuid>_disk)";
    } else if (!d->source) {
        /* empty cdrom drive: nothing to copy */
        d->cls = NE_DISK_SHARED_VOLUME;
        d->why = "no source (empty drive)";
    } else {
        d->cls = NE_DISK_SHARED_VOLUME;
        d->why = str_eq(d->type, "block") ? "block device outside instances path"
                                          : "file outside instances path (volume)";
    }
}

void
ne_domain_classify(struct ne_domain *d, const char *instances_path, bool shared_instances)
{
    size_t i;
    for (i = 0; i < d->ndisks; i++) ne_disk_classify(&d->disks[i], instances_path, shared_instances);
}

bool
ne_disk_is_local(const struct ne_disk *d)
{
    return d->cls == NE_DISK_LOCAL || d->cls == NE_DISK_CONFIG_DRIVE;
}

uint64_t
ne_domain_local_bytes(const struct ne_domain *d, bool allocated)
{
    uint64_t sum = 0;
    size_t i;

    for (i = 0; i < d->ndisks; i++)
        if (ne_disk_is_local(&d->disks[i]))
            sum += allocated ? d->disks[i].allocation : d->disks[i].capacity;
    return sum;
}

const char *
ne_disk_location(const struct ne_disk *d, char *buf, size_t n)
{
    if (d->protocol)
        snprintf(buf, n, "%s:%s", d->protocol, d->source ? d->source : "");
    else
        snprintf(buf, n, "%s", d->source ? d->source : "-");
    return buf;
}

/* Copies [s, s+len) into out (n bytes), 0 if it fits and is not empty. */
static int
part(const char *s, size_t len, char *out, size_t n)
{
    if (len == 0 || len >= n) return -1;
    memcpy(out, s, len);
    out[len] = '\0';
    return 0;
}

int
ne_rbd_name_split(const char *name, char *pool, size_t npool, char *image, size_t nimage)
{
    const char *slash, *last, *at, *end;

    if (!name || !(slash = strchr(name, '/'))) return -1;
    last = strrchr(name, '/');
    if (strchr(slash + 1, '/') != last && strchr(slash + 1, '/') != NULL) return -1; /* a/b/c/d */
    at = strchr(last + 1, '@');
    end = at ? at : last + strlen(last);
    if (at && at[1] == '\0') return -1;
    if (part(name, (size_t)(slash - name), pool, npool) < 0) return -1;
    return part(last + 1, (size_t)(end - last - 1), image, nimage);
}

const char *
ne_disk_class_name(enum ne_disk_class c)
{
    switch (c) {
    case NE_DISK_LOCAL: return "local";
    case NE_DISK_CONFIG_DRIVE: return "config-drive";
    case NE_DISK_SHARED_VOLUME: return "shared-volume";
    case NE_DISK_SHARED_EPHEMERAL: return "shared-ephemeral";
    }
    return "?";
}

const char *
ne_dom_state_name(int state)
{
    static const char *names[] = {"nostate", "running", "blocked", "paused",
                                  "shutdown", "shutoff", "crashed", "pmsuspended"};
    return state >= 0 && state < 8 ? names[state] : "unknown";
}
