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
#include "model/findings.h"
#include "model/plan.h"
#include "novasync/audit.h"
#include "openstack/neutron.h"
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
    /* A port binding step (NE_MIG_BIND_*) of port on host: "created"
     * before the binding is asked for, the others right after. */
    int (*binding)(void *ctx, const char *uuid, const char *event, const char *port,
                   const char *host);
};
/* The steps a move journals, as record events (fault points
 * "journal:<event>", util/fault.h). */
#define NE_MIG_STEP_DEFINED "defined"                   /* cold: defined on the destination */
#define NE_MIG_STEP_STARTED "started"                   /* cold: started on the destination */
#define NE_MIG_STEP_SOURCE_UNDEFINED "source-undefined" /* cold: the source definition gone */
#define NE_MIG_STEP_JOB_DONE "job-done"                 /* live: libvirt's job completed */
#define NE_MIG_BIND_CREATED "binding-created"     /* an inactive binding asked for on dst */
#define NE_MIG_BIND_ACTIVATED "binding-activated" /* the dst binding activated */
#define NE_MIG_BIND_DELETED "binding-deleted"     /* a binding deleted (undo, or the source's) */

/* What a move says while it runs (ne_mig_opts.progress), called from
 * the thread that runs the move or from its job monitor (every 500 ms
 * while the job runs). */
struct ne_mig_progress {
    const char *phase;               /* NE_MIG_PHASE_* */
    const struct ne_mig_stats *st;   /* the figures so far, NULL when none: the
                                      * job's, a cold copy's (disk_*), or on a
                                      * source without job stats the destination's
                                      * allocation (st->progress_from says which) */
    double elapsed;                  /* seconds in this phase */
    bool stuck;                      /* every downtime step used, or past the completion
                                      * timeout, and still running */
};
typedef void ne_mig_progress_fn(void *ctx, const struct ne_mig_progress *p);
#define NE_MIG_PHASE_PREPARING "preparing"   /* overlays pre-created, files copied */
#define NE_MIG_PHASE_MIGRATING "migrating"   /* the live job runs */
#define NE_MIG_PHASE_COPYING "copying"       /* cold: disks copied */
#define NE_MIG_PHASE_VERIFYING "verifying"   /* the destination checked */
#define NE_MIG_PHASE_CLEANING "cleaning"     /* the source's copied files deleted */

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
    /* Neutron (borrowed; NULL: OpenStack not configured, ports untouched):
     * the instance's ports are bound to the destination before the move,
     * activated there after it (migrate-net.c). */
    struct ne_neutron *neutron;
    /* The audit log (borrowed; NULL: not logged): each binding change has
     * a "before" and an "after" line, like a change to Nova. */
    struct ne_audit *audit;
    /* The free disk Nova counts on a host, for the room check (the drain's
     * ne_nova_hooks.free_disk, with its ctx); NULL, or a failure
     * (reported): libvirt's figure, which counts root-reserved blocks. */
    int (*free_disk)(void *ctx, const char *host, unsigned long long *bytes);
    void *free_disk_ctx;
    /* Progress of the move (NULL: none; the single progress bar on a
     * terminal is drawn either way). */
    ne_mig_progress_fn *progress;
    void *progress_ctx;
};
/* Calls o->progress when set. */
void ne_mig_say(const struct ne_mig_opts *o, const char *phase, const struct ne_mig_stats *st,
                double elapsed, bool stuck);

/* One port of the instance as the move handles it. */
struct ne_mig_port {
    char *id, *network_id, *mac;
    char *src_host;  /* the host of its active binding before the move */
    char *vif_type;  /* of the destination binding */
    char *bridge;    /* vif_type bridge: the bridge on the destination */
    bool made;       /* this attempt created the destination binding */
};
struct ne_mig_net {
    struct ne_mig_port *p;
    size_t n;
    bool extended;     /* binding-extended: inactive bindings, then activation */
    char *uuid, *name; /* the instance */
    char *src, *dst;   /* hosts */
};

struct ne_mig_result {
    struct ne_plan plan;
    struct ne_mig_stats st;
    char name[256];
    char uuid[37];
    bool aborted;
    bool shared_storage;   /* the instances path is the same on both hosts */
    struct ne_mig_net net; /* its Neutron ports (filled by ne_net_prepare) */
    size_t ports;          /* ports bound to the destination (or, dry run, checked) */
    bool net_left;         /* moved, but a port was left bound elsewhere (reported) */
    /* A cold move onto a host lacking the guest's machine type or CPU
     * model: what the map gives there ("" when kept; migrate-machine.c). */
    char machine_to[65], cpu_to[65];
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

/* ---- the instance's Neutron ports across a move (migrate-net.c) */

/* Before the move: reads d's ports; with binding-extended, checks an L2
 * agent is alive on dst and creates an inactive binding there for each
 * port (journalled), then checks what each VIF needs on dst (a bridge:
 * that it exists there; an openvswitch virtualport: nothing).  Without
 * the extension only the VIF is checked (the host is set after the move).
 * With o->dry_run nothing is created: the checks use the current binding.
 * 0 (net->n may be 0; nothing to do without o->neutron), or an exit code
 * after reporting the instance, port, host, reason and next step; every
 * binding this attempt made is deleted then. */
int ne_net_prepare(struct ne_virt *src, struct ne_virt *dst, const struct ne_domain *d,
                   const struct ne_mig_opts *o, struct ne_mig_net *net);
/* xml (a domain definition from the source) with each bridge VIF naming
 * its destination bridge: newly allocated (a copy when nothing changes),
 * NULL (reported). */
char *ne_net_dest_xml(const struct ne_mig_net *net, const char *xml, const char *origin);
/* After the guest runs on dst: each destination binding activated, then
 * the source binding deleted (without the extension: binding:host_id set
 * to dst); journalled.  0, or NE_EXIT_PARTIAL after reporting each port
 * left behind and how to fix it. */
int ne_net_finish(const struct ne_mig_opts *o, struct ne_mig_net *net);
/* The move failed, the guest stays on the source: the bindings this
 * attempt made on dst are deleted (journalled). */
void ne_net_undo(const struct ne_mig_opts *o, struct ne_mig_net *net);
void ne_net_clear(struct ne_mig_net *net);

/* The binding changes of a move, for other callers that repair a port
 * left bound elsewhere (stuck): each between its "neutron-binding" audit
 * lines in audit (NULL: not logged; a "before" line that cannot be written
 * means no change, -1).  The results of neutron.h's calls of the same
 * names (create: 1 when a binding on host exists already). */
int ne_net_bind_create(struct ne_neutron *nt, struct ne_audit *audit, const char *uuid,
                       const char *port, const char *host, const char *vnic_type);
int ne_net_bind_activate(struct ne_neutron *nt, struct ne_audit *audit, const char *uuid,
                         const char *port, const char *host);
int ne_net_bind_delete(struct ne_neutron *nt, struct ne_audit *audit, const char *uuid,
                       const char *port, const char *host);
int ne_net_bind_set_host(struct ne_neutron *nt, struct ne_audit *audit, const char *uuid,
                         const char *port, const char *host);

/* From evidence, for a resumed drain (o->neutron may be NULL: nothing
 * done).
 * ne_net_settle: the guest runs on dst: each port's binding on dst is
 * made active (created first when missing) and its binding on src
 * deleted.  0, or NE_EXIT_PARTIAL (reported).  ne_net_release: the guest
 * stayed on src: each port's INACTIVE binding on dst is deleted. */
int ne_net_settle(const struct ne_mig_opts *o, const char *uuid, const char *name,
                  const char *src, const char *dst);
void ne_net_release(const struct ne_mig_opts *o, const char *uuid, const char *name,
                    const char *dst);
/* After a move through Nova: every port's active binding is on dst and
 * the port ACTIVE.  0 yes (or nt NULL), 1 no (each port reported, why
 * says the first), -1 Neutron could not be read (why says so). */
int ne_net_check(struct ne_neutron *nt, const char *uuid, const char *name, const char *dst,
                 char *why, size_t whylen);

/* For plan and inspect (reads only): the ports of instance uuid as a JSON
 * array of {id, network_id, host, status, vif_type, bridge, action,
 * reason}: what a move to dst (NULL: no destination) does to each --
 * "rebind to DST", or "refuse ..." with the reason the move would give;
 * via (not NULL, e.g. "nova"): the ports are Nova's to move.  An empty
 * array without nt; {"error": ...} when Neutron cannot be read (reported).
 * New reference. */
json_t *ne_net_plan_ports(struct ne_neutron *nt, struct ne_virt *dst, const char *uuid,
                          const char *via);

/* A guest booted from a kernel and ramdisk (Nova's kernel_id/ramdisk_id
 * images) has them as files in its instance directory: each one under the
 * instances path that dst lacks is copied there before the move, as Nova
 * fetches them in pre_live_migration (recorded in made: a failed move
 * removes them).  0, or -1 (reported). */
int ne_copy_boot_files(struct ne_virt *src, struct ne_virt *dst, const struct ne_domain *d,
                       struct ne_mig_result *r, struct ne_made_list *made);

/* ---- machine type and CPU model (migrate-machine.c) */

/* Reads the machine-type map file path into *m (findings.h): an absent
 * file is an empty map.  0, or -1 (reported: unreadable, or a bad line). */
int ne_machine_map_load(const char *path, struct ne_machine_map *m);
/* Before anything changes: whether dst's QEMU offers d's machine type and
 * (custom) CPU model.  When not, and the map ([DEFAULT] machine_map) names
 * one dst offers, a cold move (cold) gets it in r->machine_to / r->cpu_to;
 * a live one is refused, since libvirt refuses a migration that changes
 * either.  0, NE_EXIT_REFUSED (reported with the instance, the host, the
 * missing name and the map line that fixes it), NE_EXIT_USAGE (the map
 * does not parse) or NE_EXIT_UNREACHABLE. */
int ne_mig_machine_fit(struct ne_virt *dst, const struct ne_domain *d, bool cold,
                       struct ne_mig_result *r);

/* Checks that every local disk's backing file exists on dst; reports the
 * missing base by sha1 and where it exists.  0 ok, -1 missing, -2 error. */
int ne_check_bases(struct ne_virt *src, struct ne_virt *dst, const struct ne_domain *d);

#endif
