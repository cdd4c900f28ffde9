/* SPDX-License-Identifier: Apache-2.0 */
/* migrate.h: moving one instance between two nodes through libvirt.
 *
 * ne_migrate_instance() plans (plan.h), checks, prepares the destination
 * (base images present, overlays pre-created, nwfilters defined, config
 * drive copied), migrates (live, live block, or cold via cold.c), verifies
 * and cleans up.  On failure the source keeps the instance and what was
 * prepared on the destination is removed.  Rule 1 holds throughout: the
 * source definition goes only after the destination runs persistently. */
#ifndef NE_MIGRATE_H
#define NE_MIGRATE_H

#include <stdbool.h>
#include <stdint.h>

#include "util/exitcode.h"
#include "model/plan.h"
#include "virt/virt.h"
#include "virt/virt-migrate.h"

/* A file or directory a move creates on a host.  Recorded (journalled,
 * when the caller journals) before it is created; seen: what the host
 * showed right after.  Cleanup removes only what it created and only
 * while ne_made_matches says it is still that. */
struct ne_made {
    char host[256];
    char *path;          /* owned */
    bool dir;
    bool seen;
    struct ne_file_stat st;
};
/* Whether the file found now is still the one created: for a directory,
 * its existence; for a file, the same length (a copy keeps it) or the
 * same format and virtual size (an overlay grows), and not older than
 * when it was seen. */
bool ne_made_matches(const struct ne_made *m, const struct ne_file_stat *now);

/* The journal of a caller that records what a move creates (the drain):
 * created() before each creation (0: durable; -1: do not create, the
 * move fails), identity() right after.  Both NULL: nothing journalled
 * (the migrate command), cleanup still limited to what was created. */
struct ne_mig_journal {
    int (*created)(void *ctx, const char *uuid, const struct ne_made *m);
    int (*identity)(void *ctx, const char *uuid, const struct ne_made *m);
    /* A step done on host (NE_MIG_STEP_*), recorded right after it. */
    int (*step)(void *ctx, const char *uuid, const char *event, const char *host);
    void *ctx;
};
/* The steps a move journals, as record events (fault points
 * "journal:<event>", util/fault.h). */
#define NE_MIG_STEP_DEFINED "defined"                   /* cold: defined on the destination */
#define NE_MIG_STEP_STARTED "started"                   /* cold: started on the destination */
#define NE_MIG_STEP_SOURCE_UNDEFINED "source-undefined" /* cold: the source definition gone */
#define NE_MIG_STEP_JOB_DONE "job-done"                 /* live: libvirt's job completed */

struct ne_mig_opts {
    enum ne_mode mode;
    bool dry_run;
    bool leave_paused;        /* VIR_MIGRATE_PAUSED: for verification */
    bool keep_source_disks;   /* do not delete the source's copied files */
    unsigned long bandwidth_mib;   /* 0: from the config */
    unsigned long timeout_s;       /* completion timeout; 0: from the config */
    int timeout_action;            /* -1: from the config, else enum ne_timeout_action */
    unsigned shutdown_timeout_s;   /* cold migration of a running guest */
    /* Cold migration: 0 start on the destination when it ran on the source,
     * 1 start it anyway (a resumed drain whose guest was stopped by the
     * interrupted attempt), 2 leave it stopped. */
    int start_policy;
    /* Before a block or cold migration, copy the base images the disks
     * need to the destination when it lacks them (imagecache.h). */
    bool stage_images;
    struct ne_mig_journal journal;
};

struct ne_mig_result {
    struct ne_plan plan;
    struct ne_mig_stats st;
    char name[256];
    char uuid[37];
    bool aborted;
    bool shared_storage;   /* the instances path is the same on both hosts */
};

/* Exit-code style result: 0 moved (or planned, with dry_run), 1 failed
 * (source intact), 3 refused by a safety check, 4 a host unreachable. */
int ne_migrate_instance(struct ne_virt *src, struct ne_virt *dst, const char *key,
                        const struct ne_mig_opts *o, struct ne_mig_result *r);

/* ne_interrupted() (util/interrupt.h): SIGINT/SIGTERM abort the running
 * job and stop a cold copy. */
bool ne_migrate_interrupted(void);

/* Cold migration (cold.c): stop, copy local disks, define and start on dst,
 * verify, then undefine the source and delete its copied files. */
int ne_cold_migrate(struct ne_virt *src, struct ne_virt *dst, const struct ne_domain *d,
                    const struct ne_mig_opts *o, struct ne_mig_result *r);

/* What one move created on its destination, newest last (migrate-made.c).
 * Every creation goes through ne_made_begin (before) and ne_made_end
 * (after); cleanup removes only these, and only while they still match. */
struct ne_made_list {
    struct ne_made *m;
    size_t n, cap;
    const char *uuid, *name;           /* borrowed: the instance */
    const struct ne_mig_journal *j;    /* borrowed; may have NULL hooks */
};
void ne_made_init(struct ne_made_list *l, const struct ne_domain *d, const struct ne_mig_opts *o);
/* Before creating file path on dst: records its directory first when dst
 * lacks it (a pool build creates it), then the file.  0, or -1 (reported:
 * the journal failed or dst cannot be checked): do not create it. */
int ne_made_begin(struct ne_made_list *l, struct ne_virt *dst, const char *path);
/* After the creation: with created, what dst shows is recorded (the
 * identity); without, the file's entry is dropped (a directory the
 * attempt made anyway is kept). */
void ne_made_end(struct ne_made_list *l, struct ne_virt *dst, bool created);
/* Removes from dst, newest first, what l holds and dst still shows as
 * created (a changed file is kept and reported); every removal is
 * checked and named.  0, or -1 when something could not be checked or
 * removed (reported: it may still be there). */
int ne_made_undo(struct ne_made_list *l, struct ne_virt *dst);
/* One entry (also from a journal replay): 1 removed, 0 absent or no
 * longer the file created (kept, reported), -1 cannot tell (reported). */
int ne_made_remove(struct ne_virt *dst, const struct ne_made *m, const char *name,
                   const char *uuid);
void ne_made_clear(struct ne_made_list *l);

/* Checks that every local disk's backing file exists on dst; reports the
 * missing base by sha1 and where it exists.  0 ok, -1 missing, -2 error. */
int ne_check_bases(struct ne_virt *src, struct ne_virt *dst, const struct ne_domain *d);

#endif
