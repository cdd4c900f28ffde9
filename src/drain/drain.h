/* SPDX-License-Identifier: Apache-2.0 */
/* drain.h: emptying a host.  ne_drain_plan() gathers the facts (domains on
 * the host, every candidate destination's versions, free disk and RAM, CPU
 * compatibility) and decides per instance the method (plan.h) and the
 * destination (destpick.h); ne_drain_run() executes the plan with bounded
 * concurrency, journalling every step so that a drain killed at any point
 * can be resumed without moving anything twice. */
#ifndef NE_DRAIN_H
#define NE_DRAIN_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "drain/journal.h"
#include "migrate/migrate.h"
#include "model/place.h"

/* Where Nova has an instance whose move through Nova a killed run left. */
struct ne_nova_fate {
    enum {
        NE_FATE_MOVED,     /* idle on the destination: the move completed */
        NE_FATE_STAYED,    /* idle on the source, its migration record ended */
        NE_FATE_BUSY,      /* Nova still works on it (waited long enough) */
        NE_FATE_OTHER,     /* anything else (ERROR, another host): see what */
        NE_FATE_GONE,      /* Nova answers 404: deleted in Nova meanwhile */
    } kind;
    char what[384];        /* what Nova shows, for messages */
};

struct ne_nova_fleet;

/* nova.migrate: Nova's scheduler refused the destination (not an exit code). */
#define NE_DRAIN_SCHED_REFUSED 64
/* nova.migrate: Nova says the server does not exist (404): it was deleted
 * in Nova while the drain ran (not an exit code; the drain counts it
 * "gone", neither moved nor failed). */
#define NE_DRAIN_GONE 65

/* What the drain tells Nova, when Nova is configured (all may be NULL). */
struct ne_nova_hooks {
    void *ctx;
    /* Disable HOST's compute service with a reason.  0 ok, -1 error. */
    int (*disable)(void *ctx, const char *host, const char *reason);
    /* Record that uuid now lives on dest (after a libvirt-path move). */
    int (*record_move)(void *ctx, const char *uuid, const char *from, const char *to, bool running);
    /* --via nova: ask Nova to move uuid to dest with the planned method
     * (plan->method) and wait for it; fill r->st where known.  Returns an
     * exit code like ne_migrate_instance(), NE_DRAIN_SCHED_REFUSED when
     * Nova's scheduler refused dest before anything moved (the drain waits
     * and asks again: drain-schedwait.h; a live or a cold move), or
     * NE_DRAIN_GONE when Nova answers 404 for the server, before or after
     * the move was asked (deleted in Nova meanwhile; the caller says it).
     * NULL: libvirt path. */
    int (*migrate)(void *ctx, const struct ne_domain *d, const struct ne_plan *plan,
                   const char *from, const char *to, struct ne_mig_result *r);
    /* --resume of a move through Nova that the interrupted run left in
     * flight (uuid, from -> to): waits while Nova works on it, confirms a
     * resize Nova waits for (the step the interrupted run would have taken
     * next) and says where Nova has it (struct ne_nova_fate).  Changes
     * nothing else.  0 and *out filled, -1 the API could not be reached
     * (reported). */
    int (*settle_inflight)(void *ctx, const char *uuid, const char *name, const char *from,
                           const char *to, struct ne_nova_fate *out);
    /* The free disk Nova counts on host, in bytes (planning: one thread).
     * 0 and *bytes, else (reported) the planner falls back to libvirt's
     * figure.  NULL when the API is not configured. */
    int (*free_disk)(void *ctx, const char *host, unsigned long long *bytes);
    /* The fleet as Nova and Placement see it, for emptying src[0..nsrc-1]
     * (planning: one thread): 0 and *out (drain-fleet.h), -1 (reported:
     * the plan then uses libvirt's figures alone).  NULL without the API. */
    int (*fleet)(void *ctx, const char *const *src, size_t nsrc, struct ne_nova_fleet *out);
    /* After a move through libvirt failed while libvirt defines uuid on
     * neither host: whether Nova deleted the server.  1 Nova answers 404
     * for it (waiting, bounded, while Nova shows it being deleted), 0 it
     * exists, -1 cannot tell (reported).  NULL without the API. */
    int (*gone)(void *ctx, const char *uuid);
    /* After host was disabled: waits (bounded) while Nova still builds
     * servers there; how many it saw building, -1 (reported). */
    int (*wait_builds)(void *ctx, const char *host);
    /* The hooks run on worker threads: they must be thread-safe.
     * close is called once at the end (close sessions). */
    void (*close)(void *ctx);
};

struct ne_drain_opts {
    const char *host;
    const char *const *to;   /* destinations; NULL: every configured node but host */
    size_t nto;
    bool dry_run, resume;
    unsigned max_parallel;   /* migrations at once; 0: -j auto, the limit adapts
                              * (drain-auto.h), starting at one */
    unsigned max_per_dest;   /* incoming at once per destination (0: max_parallel
                              * spread over the destinations in use, rounded up) */
    unsigned retries;        /* extra attempts for a failure that left the source intact */
    int sched_wait;          /* --scheduler-wait: seconds to wait while Nova's scheduler
                              * refuses a planned destination; -1: from nova.conf's
                              * scheduler_instance_sync_interval (drain-schedwait.h) */
    const char *reason;      /* for the compute service */
    bool json_events;        /* JSON lines on stdout */
    bool stage_images;       /* stage missing base images instead of avoiding such hosts */
    bool any_az;             /* with Nova: an instance may leave its availability zone */
    struct ne_mig_opts mig;
    struct ne_nova_hooks nova;
};

/* What the drain shows of a move in flight (drain-progress.c). */
struct ne_drain_live {
    const char *phase;       /* NE_MIG_PHASE_*, NULL before the first */
    double phase_t;          /* ne_now() when the phase began */
    double json_t;           /* when its last progress event was printed */
    uint64_t done, total;    /* bytes of this phase (total 0: unknown) */
    uint64_t job_bytes;      /* data bytes its job processed so far */
    double rate;             /* bytes/s in this phase */
    bool stuck;              /* the job stopped converging */
    bool figures;            /* this phase had figures already */
    const char *from;        /* where the figures come from (progress_from) */
};

/* NE_ITEM_GONE: deleted in Nova during the drain (Nova answers 404; with
 * a move through libvirt, libvirt defines it on neither host either):
 * neither moved nor failed, not counted against the exit code, journalled
 * "gone" and never tried again by a --resume. */
enum ne_item_state { NE_ITEM_PENDING, NE_ITEM_RUNNING, NE_ITEM_MOVED, NE_ITEM_FAILED, NE_ITEM_SKIPPED,
                     NE_ITEM_GONE };

struct ne_drain_item {
    struct ne_domain *d;     /* owned */
    struct ne_plan plan;     /* against the chosen destination */
    int dest;                /* index into hosts, -1: none */
    char why[512];           /* why not placed / why failed / skipped */
    enum ne_item_state state;
    int rc;                  /* of the last attempt */
    unsigned attempts;
    uint64_t bytes_expected;
    int start_policy;        /* see ne_mig_opts (set by a resume) */
    double seconds;
    struct ne_mig_stats st;
    bool unrecorded;         /* moved, but Nova could not be told (why says so) */
    bool unresolved;         /* an interrupted move whose outcome is unknown: never
                              * planned again; why gives the next step */
    struct ne_drain_live live;
};

struct ne_drain_host {
    char *name;
    struct ne_virt *v;       /* planning connection, NULL when unreachable */
    struct ne_versions ver;
    const char *disk_from;   /* where its free disk figure came from (static) */
    unsigned running;        /* migrations into it right now */
};

struct ne_drain {
    const struct ne_drain_opts *o;
    const struct ne_config *cfg;
    struct ne_virt *src;
    struct ne_versions src_ver;
    struct ne_drain_host *hosts;
    struct ne_place_host *ph;
    size_t nhosts;
    struct ne_nova_fleet *fleet; /* Nova's view (drain-fleet.h), NULL: libvirt's alone */
    bool disabled;           /* the source's compute service was disabled (and the
                              * plan made again after it: ne_drain_disable_replan) */
    struct ne_drain_item *items;
    size_t n;
    struct ne_journal *j;
    struct ne_jreplay prior;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    unsigned running;
    unsigned per_dest;       /* the per-destination limit in force (ne_drain_run) */
    unsigned limit;          /* migrations at once in force (-j, or -j auto's) */
    unsigned inflight;       /* migrations running now */
    unsigned ended;          /* migrations ended (moved or failed after starting) */
    uint64_t bytes_done;     /* data bytes of the ended migrations' jobs */
    uint64_t expected_done;  /* their bytes_expected */
    bool bytes_known;        /* some job gave statistics */
    bool tty;                /* the live display is drawn on stderr */
    double t_workers;        /* ne_now() when the workers started */
    int first;               /* the item that started first, -1: none yet (-j auto takes
                              * one migration at a time's rate from it) */
    double first_t;          /* ne_now() when it started */
    double first_end;        /* its duration once it ended, 0 before */
    size_t unresolved;       /* interrupted moves left unresolved: the journal is
                              * not finished, a later --resume settles them */
    double t0;
};

/* Connects, gathers facts and plans.  Returns 0, or an exit code
 * (2 usage, 3 refused, 4 unreachable) after reporting. */
int ne_drain_plan(struct ne_drain *dr, const struct ne_config *cfg, const struct ne_drain_opts *o);
/* Runs the plan (journal, nova hooks, workers).  With --resume, each move
 * the journal shows in flight is first settled from evidence (libvirt on
 * both hosts; with --via nova also Nova's task state and migration record)
 * or, when a host or the API cannot be reached or the evidence is unclear,
 * reported with its next step and left alone: never planned again.  Exit
 * code: 0 all moved (those deleted in Nova during the drain, "gone", do
 * not count), 1 some not moved (unresolved and vanished instances
 * included), 3 refused (e.g. an interrupted drain without --resume). */
int ne_drain_run(struct ne_drain *dr);
/* Prints the plan (table or JSON) to stdout. */
void ne_drain_print_plan(const struct ne_drain *dr, bool json);
/* Prints the final summary to stdout. */
void ne_drain_print_summary(const struct ne_drain *dr, bool json);
void ne_drain_free(struct ne_drain *dr);

#endif
