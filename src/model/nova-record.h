/* SPDX-License-Identifier: Apache-2.0 */
/* nova-record.h: plain types for what Nova records about an instance (its
 * row and its newest migration row) and for one change to that record (a
 * repair or the record of a move).  Decided by stuck/ (stuck.h), written
 * by novasync/ (novasync-db.h).  No I/O. */
#ifndef NE_NOVA_RECORD_H
#define NE_NOVA_RECORD_H

#include <stdbool.h>

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

#endif
