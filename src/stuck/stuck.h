/* SPDX-License-Identifier: Apache-2.0 */
/* stuck.h: the stuck-instance core (nova-evac-stuck(8)).  Facts in: what
 * Nova records about an instance and its last migration, and what libvirt
 * shows on each candidate host; one repair out.  Pure: no I/O, so every
 * rule of the field report has its unit test (tests/unit/stuck-t.c).
 *
 * Rule 3: nothing is repaired on a guess.  The repair follows from where
 * libvirt shows the domain; when a host that matters cannot be asked, when
 * the domain runs on two hosts, or when the facts fit no rule, the instance
 * is reported (with the next step), never changed. */
#ifndef NE_STUCK_H
#define NE_STUCK_H

#include <stdbool.h>
#include <stddef.h>

/* Why the scan looked at an instance (bits). */
enum {
    NE_WHY_TASK = 1 << 0,      /* a move task_state older than the threshold */
    NE_WHY_OPEN_MIG = 1 << 1,  /* migration record in a non-terminal state */
    NE_WHY_RECENT = 1 << 2,    /* a recent migration: record checked against libvirt */
    NE_WHY_ELSEWHERE = 1 << 3, /* a node has the domain, the record names another host */
    NE_WHY_NAMED = 1 << 4,     /* named on the command line */
};

struct ne_nova_mig {
    long long id;  /* 0: the instance has no migration record */
    char *uuid, *status, *type, *src, *dst, *src_node, *dst_node;
    long long age_s; /* since its updated_at */
};

struct ne_nova_inst {
    char uuid[37];
    char *name;    /* display_name */
    char *host, *node, *vm_state, *task_state;
    int power_state;
    long long age_s; /* since updated_at */
    char *image_ref;
    int image_deleted; /* 1 deleted in Glance, 0 not, -1 unknown */
    struct ne_nova_mig mig;
    unsigned why;
};

void ne_nova_inst_clear(struct ne_nova_inst *in);

enum ne_seen {
    NE_SEEN_UNREACHABLE, /* libvirt on the host could not be asked */
    NE_SEEN_ABSENT,      /* no such domain */
    NE_SEEN_DEFINED,     /* defined, not running (shut off, crashed) */
    NE_SEEN_RUNNING,     /* has a QEMU process: running, paused, blocked, suspended */
};

/* What one host's libvirt shows about the instance's domain (by uuid). */
struct ne_truth {
    char *host;
    enum ne_seen seen;
    int state;      /* libvirt state (enum ne_dom_state) when defined */
    bool job;       /* a libvirt job (a migration) is active on the domain */
    int disks;      /* defined: all local disks exist; absent: <uuid>/disk
                     * exists.  1 yes, 0 no, -1 unknown */
    int resize_dir; /* <instances>/<uuid>_resize/disk exists: 1, 0, -1 */
    char *error;    /* NE_SEEN_UNREACHABLE: why */
};

void ne_truth_clear(struct ne_truth *t);

enum ne_fix_kind {
    NE_FIX_NONE,        /* the record matches libvirt */
    NE_FIX_WAIT,        /* a libvirt job runs: a migration is in progress */
    NE_FIX_UPDATE,      /* set host/node/state (and close the migration) */
    NE_FIX_CONFIRM,     /* finish a resize/migration on the destination */
    NE_FIX_REVERT,      /* put the record back on the source */
    NE_FIX_REFUSE,      /* running (or defined) on two hosts: refused */
    NE_FIX_UNREACHABLE, /* a host that matters cannot be asked */
    NE_FIX_MANUAL,      /* facts fit no safe rule: the next step is given */
};

enum ne_flavor_fix { NE_FLAVOR_KEEP, NE_FLAVOR_NEW, NE_FLAVOR_OLD };

struct ne_fix {
    enum ne_fix_kind kind;
    const char *host;       /* the host the record must name (borrowed) */
    const char *node;       /* its node; NULL: look it up in compute_nodes */
    const char *vm_state;   /* static */
    int power_state;        /* Nova's power_state code */
    const char *mig_status; /* new migration status (static), NULL: unchanged */
    bool drop_mig_context;  /* the move is over: clear instance_extra.migration_context */
    enum ne_flavor_fix flavor;
    char *why;              /* the libvirt facts behind the decision (newly allocated) */
    char *next;             /* what the operator does next, or NULL (newly allocated) */
};

void ne_fix_clear(struct ne_fix *f);

/* Decides the repair of in from the truths of the candidate hosts (its
 * recorded host, its migration's source and destination, and any host where
 * the domain was seen).  Fills *out (borrowing strings from in and t). */
void ne_stuck_decide(const struct ne_nova_inst *in, const struct ne_truth *t, size_t nt,
                     struct ne_fix *out);

/* True when the fix changes the Nova record. */
bool ne_fix_changes(const struct ne_fix *f);

const char *ne_fix_kind_name(enum ne_fix_kind k);
const char *ne_seen_name(enum ne_seen s);
/* task_state values of a move in progress (migrating, resize_*). */
bool ne_task_moving(const char *task_state);
/* Migration statuses that are not final (including 'finished': VERIFY_RESIZE). */
bool ne_mig_open(const char *status);
/* Live migration ("live-migration") rather than cold (migration, resize). */
bool ne_mig_live(const char *type);

/* Parses "90s", "10m", "2h", "7d" or plain seconds; -1 (reported) on junk. */
int ne_parse_duration(const char *s, const char *what, long long *out);

#endif
