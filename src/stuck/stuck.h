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

#include "model/nova-record.h"

/* Why the scan looked at an instance (bits). */
enum {
    NE_WHY_TASK = 1 << 0,      /* a move task_state older than the threshold */
    NE_WHY_OPEN_MIG = 1 << 1,  /* migration record in a non-terminal state */
    NE_WHY_RECENT = 1 << 2,    /* a recent migration: record checked against libvirt */
    NE_WHY_ELSEWHERE = 1 << 3, /* a node has the domain, the record names another host */
    NE_WHY_NAMED = 1 << 4,     /* named on the command line */
    NE_WHY_PORT = 1 << 5,      /* a port bound to a host that does not have the domain */
};

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
