/* SPDX-License-Identifier: Apache-2.0 */
/* image-cache.h: the base images a host's instances need
 * (<instances_path>/_base/<name>, <name> = SHA-1 hex of the Glance image
 * id, or Nova's ephemeral_* / swap_* files), which destinations have them,
 * where a missing one can come from, and staging them there.
 *
 * Facts, gathered by ne_stage_bases():
 *   - the instances' local disks whose backing file is under _base (libvirt);
 *   - the image id of each SHA-1 base: Nova's <nova:root type="image"
 *     uuid=.../> domain metadata, else the instance's image_ref (Nova
 *     database or API), else a Glance image whose id has that SHA-1;
 *   - Glance's status (active, deleted, missing, or unknown when no Nova or
 *     Glance is configured: both are optional, see struct ne_image_source);
 *   - every configured node's copy: length, format, mtime, and a sampled
 *     content hash against the reference copy (the drained host's).
 * Sources for a destination that lacks a base, in this order: another host
 * that has it (same length and sampled content; not the drained host, whose
 * disk and network the drain itself needs), Glance (image active; streamed
 * straight to the destination, verified against Glance's checksum and
 * os_hash), RBD (not built yet), and last the drained host itself.
 *
 * Staging (image-stage.c) writes <name>.nova-evac-part on the destination,
 * checks it, then has the destination's libvirtd clone it to <name>
 * (virt_clone_file: a reflink where the filesystem can, else a copy inside
 * libvirtd) and deletes the .part.  Killing nova-evac at any moment never
 * leaves a partial file under the final name; the next run removes a
 * leftover .part (Nova ignores such names).  A file of the final name with
 * another length or content is reported, never overwritten.  Bases already
 * present are touched (mtime now) so Nova's image cache manager sees them
 * as recently used; staged ones are new, hence recent. */
#ifndef NE_IMAGECACHE_H
#define NE_IMAGECACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/domain.h"
#include "util/ini.h"
#include "virt/virt.h"

#define NE_PART_SUFFIX ".nova-evac-part"

enum ne_glance_state {
    NE_GL_UNKNOWN,  /* Glance not consulted (not configured, unreachable) */
    NE_GL_ACTIVE,
    NE_GL_DELETED,  /* the image id is known but Glance has deleted (or purged) it */
    NE_GL_MISSING,  /* no image of Glance or Nova has this SHA-1 */
    NE_GL_OTHER,    /* queued, saving, killed, deactivated...: glance_status says */
};

/* What Nova and Glance know: optional inputs (every callback may be NULL).
 * Callbacks report their own errors.  download may be called from worker
 * threads: the source serialises it if its session is not thread-safe. */
struct ne_image_facts {
    enum ne_glance_state state;
    char status[24];       /* Glance's own word */
    char disk_format[16];  /* "raw", "qcow2", ... ("" unknown) */
    long long size;        /* bytes of the image data, -1 unknown */
    long long virtual_size;
};
typedef int (*ne_image_sink)(const char *data, size_t len, void *opaque);
struct ne_image_source {
    const char *name;      /* "nova database", "openstack api" */
    void *ctx;
    /* The image_ref of an instance: 1 and *id (newly allocated), 0 unknown, -1 error. */
    int (*instance_image)(void *ctx, const char *uuid, char **id);
    /* Image ids whose SHA-1 is sha1s[i]: ids[i] set (newly allocated) for
     * those found, others left NULL.  0, or -1. */
    int (*find_sha1)(void *ctx, const char *const *sha1s, size_t n, char **ids);
    /* 0 and *out, or -1 (then the next source is asked). */
    int (*facts)(void *ctx, const char *id, struct ne_image_facts *out);
    /* Streams the image's data to sink, verified against Glance's checksum
     * and os_hash: -1 on a failure or mismatch (whatever sink got must be
     * thrown away). */
    int (*download)(void *ctx, const char *id, ne_image_sink sink, void *opaque);
};

enum ne_src_kind { NE_SRC_NONE, NE_SRC_HOST, NE_SRC_GLANCE, NE_SRC_RBD };

enum ne_dest_state {
    NE_DEST_UNKNOWN,   /* the host could not be asked */
    NE_DEST_PRESENT,   /* same length, and same content where compared */
    NE_DEST_MISSING,   /* to be staged (with --stage: not done) */
    NE_DEST_CONFLICT,  /* a different file of that name: reported, left alone */
    NE_DEST_STAGED,    /* copied by this run */
    NE_DEST_FAILED,    /* the copy failed (why says) */
    NE_DEST_NOSOURCE,  /* missing, and no source has it */
};

/* One host's copy of a base. */
struct ne_base_copy {
    const char *host;          /* borrowed */
    bool asked;                /* false: the host could not be reached */
    struct ne_file_stat st;
    int same;                  /* 1 same length (and sample), 0 differs, -1 not compared */
    char sample[65];           /* sampled SHA-256, "" not computed */
};

struct ne_base_dest {
    const char *host;          /* borrowed */
    enum ne_dest_state state;
    enum ne_src_kind src;      /* chosen source (missing/staged/failed) */
    const char *src_host;      /* NE_SRC_HOST: borrowed */
    uint64_t bytes;            /* data bytes moved */
    double seconds;            /* the whole copy */
    double stream_seconds;     /* of which the stream into the .part */
    double clone_seconds;      /* of which the final clone inside libvirtd */
    bool touched, reflinked, verified;
    char why[320];
};

struct ne_base {
    char *name;                /* file name under _base */
    char *path;                /* <instances_path>/_base/<name> */
    char sha1[41];             /* "" for ephemeral/swap bases */
    char *image_id;            /* NULL unknown */
    const char *id_from;       /* static: "domain metadata", "nova database", ... */
    struct ne_image_facts gl;
    char **instances;          /* names of the instances using it */
    char **uuids;              /* and their uuids */
    size_t ninstances;
    struct ne_base_copy *copies; /* one per host asked, in host order */
    size_t ncopies;
    const struct ne_base_copy *ref; /* the reference copy, NULL when no host has it */
    char sha256[65];           /* full hash of the reference (--verify), "" none */
    struct ne_base_dest *dests;
    size_t ndests;
};

/* Nova's cleaner settings on one destination (image-guard.c). */
struct ne_cleaner {
    const char *host;          /* borrowed */
    bool known;                /* a nova.conf was read */
    char origin[512];          /* which file(s), or why not */
    bool remove_unused;
    long long original_min_age, resized_min_age, interval; /* seconds; interval -1 = off */
    bool risky;                /* on, and shorter than the planned drain */
    char advice[512];
};

/* The journal of a caller that records what staging creates (the drain;
 * rule 7), for the <name>.nova-evac-part of each copy, under uuid, an
 * instance that needs the base: created() before the .part is created
 * (0: durable; -1: it is not created and that copy fails), identity()
 * once it is whole (what the host shows), staged() once the final <name>
 * is made from it (before the .part is deleted).  ours(): whether a
 * leftover .part found on host is one the journal shows this tool
 * created, still what was created (then it is removed; otherwise it is
 * left alone and that copy fails).  Without a journal (the images and
 * migrate commands) a leftover .part is removed: the staging lock shows
 * no other run of the tool writes it. */
struct ne_stage_journal {
    int (*created)(void *ctx, const char *uuid, const char *host, const char *path);
    int (*identity)(void *ctx, const char *uuid, const char *host, const char *path,
                    const struct ne_file_stat *st);
    void (*staged)(void *ctx, const char *uuid, const char *host, const char *path);
    bool (*ours)(void *ctx, const char *host, const char *path, const struct ne_file_stat *now);
    void *ctx;
};

struct ne_stage_opts {
    bool stage;                /* copy what is missing (else only report) */
    unsigned parallel;         /* copies at once (0 = 2) */
    bool verify;               /* full SHA-256 of every copy against the reference */
    bool no_touch;             /* do not touch bases already present */
    unsigned long drain_s;     /* planned drain length for the cleaner check (0 = 1 day) */
    const char *nova_conf;     /* local nova.conf standing for every destination's */
    bool no_nova_conf;         /* skip the image cache cleaner check */
    const struct ne_image_source *srcs; /* optional Nova/Glance inputs, in order */
    size_t nsrcs;
    const char *const *only;   /* only these bases: SHA-1, image id or file name */
    size_t nonly;
    bool progress;             /* bars on stderr (when it is a terminal) */
    const struct ne_stage_journal *journal; /* NULL: nothing journalled */
};

struct ne_stage_report {
    /* Every host asked: [0] the drained host, [1..ndests] the destinations,
     * then the other configured nodes (b->copies[i] is on hosts[i]). */
    char **hosts;
    size_t nhosts, ndests;
    struct ne_base *bases;
    size_t nbases;
    struct ne_cleaner *cleaners; /* one per destination */
    unsigned present, staged, missing, conflicts, failed, nosource, touched;
    uint64_t bytes;
    double seconds;
};

/* Gathers the facts for the bases that doms (NULL: every domain on src)
 * need, compares each destination's copy, and with o->stage copies what is
 * missing (bounded parallelism, progress on stderr) and touches what is
 * present.  dsts are borrowed open connections; other configured nodes are
 * opened to look for sources.  *out is filled (ne_stage_report_clear).
 * Returns an exit code: 0 every destination has every base, 1 some could
 * not be staged (no source, failed) or, without o->stage, some are
 * missing, 3 a destination holds a different file under a base's name,
 * 4 a host could not be reached. */
int ne_stage_bases(struct ne_virt *src, struct ne_virt *const *dsts, size_t ndst,
                   const struct ne_domain *const *doms, size_t ndoms,
                   const struct ne_stage_opts *o, struct ne_stage_report *out);
void ne_stage_report_clear(struct ne_stage_report *r);
/* Frees what one base holds. */
void ne_base_clear_one(struct ne_base *b);

/* The staging journal of commands without a drain journal (images,
 * migrate): records under <state_dir>/staging/ (image-journal.c).  Fills
 * *out and returns it, or NULL when cfg has no state_dir.  ne_stage_bases
 * uses it by itself when o->journal is NULL and it stages. */
const struct ne_stage_journal *ne_stage_local_journal(const struct ne_config *cfg,
                                                      struct ne_stage_journal *out);

/* A staging leftover (path: a <name>.nova-evac-part) on v, under the
 * staging lock of that file (one another run holds: left): removed when
 * j->ours says this tool created it and it is still what was created,
 * else left alone; both said.  1 removed, 0 absent or left, -1 cannot
 * tell (reported). */
int ne_stage_clean_part(const struct ne_config *cfg, struct ne_virt *v, const char *path,
                        const struct ne_stage_journal *j);

/* For one migration (migrate --stage-images): stages the bases d needs on
 * dst from the configured hosts, quietly.  Exit code as above. */
int ne_stage_for_domain(struct ne_virt *src, struct ne_virt *dst, const struct ne_domain *d);

/* ---- pure parts (unit-tested) */

/* A plausible base file name: no '/', not hidden, not a .part. */
bool ne_base_name_ok(const char *name);
/* n sample ranges of len bytes spread over a file of length bytes
 * (fewer when the file is small); returns how many were set. */
size_t ne_sample_ranges(uint64_t length, struct ne_range *r, size_t n, uint64_t len);
/* The source for b's destination k, in the documented order; drained is
 * the drained host's name; load[i] counts the copies already planned from
 * b->copies[i]'s host (the least loaded host wins a tie), may be NULL;
 * glance_dl: a source can download from Glance.  Sets *host for NE_SRC_HOST
 * (borrowed) and returns the kind (NE_SRC_NONE: nowhere). */
enum ne_src_kind ne_base_choose(const struct ne_base *b, size_t k, const char *drained,
                                const unsigned *load, bool glance_dl, const char **host);
/* Nova's cleaner settings from nova.conf files (later files win) against
 * a planned drain of drain_s seconds. */
void ne_cleaner_eval(const struct ini *const *inis, size_t n, unsigned long drain_s,
                     struct ne_cleaner *out);

const char *ne_glance_state_name(const struct ne_image_facts *f);
const char *ne_dest_state_name(enum ne_dest_state s);
const char *ne_src_kind_name(enum ne_src_kind k);

#endif
