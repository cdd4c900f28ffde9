/* SPDX-License-Identifier: Apache-2.0 */
/* virt.h: the libvirt adapter.  Only the files of src/virt/ include
 * libvirt headers; callers see plain structs from domain.h.
 *
 * Every function reports its own errors ("what: host (uri): why") and
 * returns -1/NULL; callers only map to exit codes. */
#ifndef NE_VIRT_H
#define NE_VIRT_H

#include <stdbool.h>
#include <stdint.h>

#include "model/domain.h"
#include "util/config.h"
#include "util/progress.h"

struct ne_virt; /* one open connection to one node's libvirtd */

struct ne_hostinfo {
    unsigned long libvirt_version; /* major*1000000 + minor*1000 + micro */
    unsigned long hv_version;      /* QEMU version, same encoding */
    char *hostname;                /* newly allocated */
    uint64_t memory_kib, free_kib;
    unsigned cpus;
};

/* The run's connection to host's libvirtd (URI from the config), or NULL
 * on error (reported).  One connection per host per run (virt-nodes.c):
 * the first virt_open connects, later ones (any thread) get the same
 * struct, and one found dead (libvirtd restarted, keepalive expired) is
 * replaced by a reconnect.  Each virt_open is paired with a virt_close,
 * which only drops the caller's reference; the connections stay open for
 * the rest of the run and are closed by virt_nodes_close.  Thread-safe. */
struct ne_virt *virt_open(const struct ne_config *cfg, const char *host);
void virt_close(struct ne_virt *v);
/* End of the run (main, after the command; single-threaded): closes every
 * connection (their transient storage pools destroyed) and, with the virt
 * debug channel, prints one line per host with the connections opened. */
void virt_nodes_close(void);
/* Connections opened to host in this run so far (reconnects included in
 * *reconnects when not NULL): for tests. */
unsigned virt_nodes_opened(const char *host, unsigned *reconnects);
const char *virt_host(const struct ne_virt *v); /* borrowed */
const struct ne_config *virt_config(const struct ne_virt *v);

int virt_hostinfo(struct ne_virt *v, struct ne_hostinfo *out);
/* The node's CPU time since boot, all CPUs, in ns: busy (user + kernel)
 * and total (busy + idle + iowait); the busy fraction is the ratio of
 * two samples' differences.  0, or -1 when libvirt cannot tell (said
 * only with --debug virt: the figure is optional). */
int virt_node_cpu_times(struct ne_virt *v, uint64_t *busy_ns, uint64_t *total_ns);
void ne_hostinfo_clear(struct ne_hostinfo *h);
/* "9.0.0" into buf. */
const char *ne_version_str(unsigned long v, char *buf, size_t len);

/* All domains (running and defined), parsed and classified, with state and
 * disk sizes where the host can tell.  *out is a new array (free with
 * ne_domains_free). */
int virt_list_domains(struct ne_virt *v, struct ne_domain ***out, size_t *n);
/* One domain by name or uuid: 1 and *out set when found, 0 when the host
 * has no such domain (nothing reported), -1 on error. */
int virt_find_domain(struct ne_virt *v, const char *name_or_uuid, struct ne_domain **out);

/* Facts about a file on the host, through a libvirt storage pool on its
 * directory: 1 and the fields set when the file exists, 0 when it does not,
 * -1 on error.  *backing (may be NULL) gets a newly allocated path. */
int virt_file_info(struct ne_virt *v, const char *path, uint64_t *capacity, uint64_t *allocation,
                   char **backing);

/* Fills disk sizes, backing files (when the XML had none) and whether
 * each disk's base image exists on the host. */
int virt_fill_disks(struct ne_virt *v, struct ne_domain *d);

/* Domain operations by uuid or name.  Each reports its own errors. */
/* 1 and *state, *persistent set when defined on v, 0 when absent, -1 error. */
int virt_domain_state(struct ne_virt *v, const char *key, int *state, bool *persistent);
/* Newly allocated XML (with secure parts), or NULL. */
char *virt_domain_xml(struct ne_virt *v, const char *key, bool inactive);
int virt_define(struct ne_virt *v, const char *xml, const char *name);
int virt_start(struct ne_virt *v, const char *key);
/* ACPI shutdown, waiting up to timeout_s, then power off. */
int virt_stop(struct ne_virt *v, const char *key, unsigned timeout_s);
/* Removes the definition (0 also when already absent). */
int virt_undefine(struct ne_virt *v, const char *key);
/* Defines on dst every named nwfilter (and the filters they reference)
 * that dst lacks, copying the XML from src.  Returns how many were
 * defined, or -1. */
int virt_ensure_nwfilters(struct ne_virt *src, struct ne_virt *dst, char *const *names, size_t n);

/* Files (virt-storage.c). */
/* Creates path on v as a new image of format with the given virtual size,
 * backed by backing (may be NULL), like Nova's pre_live_migration.  1 when
 * created, 0 when a file of that name already exists (left untouched),
 * -1 on error. */
int virt_create_image(struct ne_virt *v, const char *path, uint64_t capacity, const char *format,
                      const char *backing, const char *backing_format);
/* Deletes path on v (0 also when already absent). */
int virt_delete_file(struct ne_virt *v, const char *path);
/* After a move off v: removes <instances_path>/<uuid> on v with what is left
 * in it (Nova refuses to move an instance back onto a host that still has
 * its directory).  With only_if_empty (cleaning up a failed move on its
 * destination) a directory that still holds anything is kept.  Nothing is
 * removed when the instances path is shared.  0, or -1 (warned: names the
 * directory). */
int virt_remove_instance_dir(struct ne_virt *v, const char *uuid, bool only_if_empty);
/* Copies src_path on src to dst_path on dst, byte for byte, skipping holes
 * (sparse streams).  dst_path must not exist (refused otherwise).  On
 * failure the partial destination file is removed.  *copied gets the data
 * bytes sent (holes excluded). */
int virt_copy_file(struct ne_virt *src, const char *src_path, struct ne_virt *dst,
                   const char *dst_path, ne_copy_progress cb, void *opaque, uint64_t *copied);

/* More files (virt-files.c), for base image staging. */
struct ne_file_stat {
    bool exists;
    uint64_t capacity;   /* virtual size */
    uint64_t allocation; /* bytes allocated on disk */
    uint64_t length;     /* the file's length */
    char format[16];     /* as libvirt probes it: "raw", "qcow2", ... */
    long long mtime;     /* seconds since the epoch, 0 unknown */
};
/* Facts about the files names[0..n) of dir on v, with one pool refresh:
 * out[i] (exists false when absent, also when dir is missing).  0, or -1
 * on error. */
int virt_dir_stat(struct ne_virt *v, const char *dir, const char *const *names, size_t n,
                  struct ne_file_stat *out);
/* One file: 1 exists, 0 absent, -1 error (a host that cannot be reached
 * is an error, never "absent"). */
int virt_file_stat(struct ne_virt *v, const char *path, struct ne_file_stat *out);
/* Removes the file at path on v: 1 removed, 0 there was none (checked on
 * a live connection), -1 error (reported; the file may still be there). */
int virt_remove_file(struct ne_virt *v, const char *path);
/* Whether dir is the same directory on a and b, checked as Nova does: a
 * uniquely named marker file written through a's libvirtd, looked for
 * through b's, then removed.  1 shared, 0 not, -1 cannot tell (reported). */
int virt_dir_shared(struct ne_virt *a, struct ne_virt *b, const char *dir);
/* Makes to (same directory as from) a copy of from, done inside v's
 * libvirtd (virStorageVolCreateXMLFrom): a reflink where the filesystem
 * can (*reflinked set), else a sparse copy; libvirtd removes its partial
 * target itself on failure, and a client that dies meanwhile cannot leave
 * one.  format: of the result ("raw"; from a qcow2 file libvirtd
 * converts).  1 created, 0 to already exists (left untouched), -1 error. */
int virt_clone_file(struct ne_virt *v, const char *from, const char *to, const char *format,
                    bool *reflinked);
/* Sets path's modification time to now (a resize to its own length) so
 * Nova's image cache manager sees it as recently used.  1 touched, 0 not a
 * raw file (left alone), -1 error. */
int virt_touch_file(struct ne_virt *v, const char *path);
/* A byte range of a file. */
struct ne_range {
    uint64_t off, len;
};
/* SHA-256 (hex into hex[65]) of path on v streamed through
 * virStorageVolDownload (holes hashed as zeros): of the whole file when
 * nranges is 0, else of the ranges in order.  0, or -1 (reported). */
int virt_file_sha256(struct ne_virt *v, const char *path, const struct ne_range *ranges,
                     size_t nranges, ne_copy_progress cb, void *opaque, char hex[65]);
/* Reads a small file (at most max bytes) of v into *buf (newly allocated,
 * NUL-terminated).  1 read, 0 no such file, -1 error. */
int virt_read_file(struct ne_virt *v, const char *path, size_t max, char **buf, size_t *len);
/* Streams the whole of path on v (holes as zeros) to sink, which returns
 * 0 to go on, -1 to stop.  0, or -1 (reported, unless sink stopped it). */
int virt_stream_file(struct ne_virt *v, const char *path,
                     int (*sink)(const char *data, size_t len, void *opaque), void *opaque);
/* An upload of data the caller produces (a Glance download) into a new
 * raw file of capacity bytes on v; whole zero blocks become holes.
 * NULL after reporting (also when path exists: never overwritten). */
struct ne_vupload *virt_upload_open(struct ne_virt *v, const char *path, uint64_t capacity);
int virt_upload_write(struct ne_vupload *u, const char *buf, size_t n);
/* Finishes (ok) or aborts the upload and frees u; a failed or aborted
 * upload's file is deleted.  0, or -1. */
int virt_upload_close(struct ne_vupload *u, bool ok);

/* Bytes available in dir's filesystem on v. */
int virt_dir_free(struct ne_virt *v, const char *dir, uint64_t *avail);
/* 1 when a job (e.g. a migration) runs on the domain, 0 otherwise. */
int virt_job_active(struct ne_virt *v, const char *key);

/* The running job of a domain (what libvirt's job info says). */
struct ne_job_progress {
    uint64_t data_total, data_processed;
    uint64_t mem_total, mem_processed;
    uint64_t disk_total, disk_processed;
    double elapsed_s;
};
/* 1 and *out when a job runs on the domain, 0 when none (or the domain is
 * not defined on v). */
int virt_job_progress(struct ne_virt *v, const char *key, struct ne_job_progress *out);
/* 1 when dst's CPU can run the domain's CPU model (from src), 0 when not,
 * -1 on error. */
int virt_cpu_compatible(struct ne_virt *src, struct ne_virt *dst, const char *key);

/* Capabilities (virt-caps.c): what a node's libvirt and QEMU offer,
 * probed once per connection. */
struct ne_guest_caps {       /* one guest architecture and domain type */
    char *arch, *virttype;   /* "x86_64", "kvm" | "qemu" */
    char **machines;         /* machine types and their aliases ("pc") */
    size_t nmachines;
    char **cpus;             /* CPU models of the custom mode (domain capabilities) */
    bool *cpu_usable;        /* usable='yes' on this host (per cpus[i]) */
    size_t ncpus;
    bool cpus_known;         /* the domain capabilities were read */
};
struct ne_caps {
    unsigned long libvirt_version, qemu_version;
    bool legacy;             /* [node:X] legacy = true: the three below forced off */
    bool migration_params;   /* VIR_MIGRATE_PARAM_* (virDomainMigrate3) */
    bool sparse_streams;     /* VIR_STORAGE_VOL_{DOWN,UP}LOAD_SPARSE_STREAM */
    bool job_stats;          /* virDomainGetJobStats */
    const char *params_how, *sparse_how, *stats_how; /* how each was decided (static) */
    bool sparse_tried;       /* sparse_streams from a real download, not the version */
    struct ne_guest_caps *guests;
    size_t nguests;
};
/* v's capabilities: probed on the first call, then kept with the
 * connection.  Sparse streams are tried on a file already there (read
 * only); when there is none, with may_write a 1 MiB file of holes is made
 * in the instances path and removed, without it the version decides.
 * Borrowed; NULL on error (reported). */
const struct ne_caps *virt_caps(struct ne_virt *v, bool may_write);
/* Pure parsers (unit-tested): the guests of a capabilities XML into *c
 * (appended), the CPU models of a domain capabilities XML into *g.  0, or
 * -1 when the XML does not parse (nothing reported). */
int ne_caps_parse_capabilities(const char *xml, struct ne_caps *c);
int ne_caps_parse_domcaps(const char *xml, struct ne_guest_caps *g);
void ne_caps_clear(struct ne_caps *c);
/* The guest of arch (NULL: the first) and virttype, or NULL. */
const struct ne_guest_caps *ne_caps_guest(const struct ne_caps *c, const char *arch,
                                          const char *virttype);
bool ne_caps_has_machine(const struct ne_guest_caps *g, const char *machine);
/* 1 usable, 0 offered but not usable on this host's CPU, -1 not offered. */
int ne_caps_cpu_model(const struct ne_guest_caps *g, const char *model);
/* "yes"/"no" and how, e.g. "yes (tried)", into buf. */
const char *ne_caps_say(bool yes, const char *how, char *buf, size_t len);

/* 1 when the nwfilter name is defined on v, 0 when not, -1 cannot tell. */
int virt_nwfilter_exists(struct ne_virt *v, const char *name);
/* Whether the domain's CPU (d, from src's XML in xml) runs on dst's
 * hypervisor: compared first, and when comparing fails, the baseline of it
 * on dst (*alt gets the model dst offers instead, newly allocated, may be
 * NULL).  1 yes, 0 no (why says so), -1 cannot tell (why says so). */
int virt_cpu_verdict(struct ne_virt *dst, const struct ne_domain *d, const char *xml,
                     char **alt, char *why, size_t len);
/* Tries an unauthenticated qemu+tcp connection to addr:port (from this
 * machine): 1 it succeeded (anyone who reaches that port controls
 * libvirtd), 0 refused (no listener, or authentication required), -1
 * cannot tell (unreachable; why says so).  Nothing reported. */
int virt_probe_tcp_noauth(const char *addr, unsigned port, char *why, size_t len);
/* A TCP connection to addr:port from this machine (3 s at most): 1
 * connected, 0 refused (the host answered: nothing listens there), -1 no
 * answer or unreachable (filtered, or down).  why says which.  Nothing
 * reported. */
int virt_probe_tcp(const char *addr, unsigned port, char *why, size_t len);

#endif
