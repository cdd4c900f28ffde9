/* SPDX-License-Identifier: Apache-2.0 */
/* volsync-int.h: what the files of src/volsync/ share. */
#ifndef NE_VOLSYNC_INT_H
#define NE_VOLSYNC_INT_H

#include "volsync/volsync.h"

#define VS_MAX_ROUNDS 64

/* One run of volume-sync. */
struct vs {
    struct ne_rbd *srcc, *dstc;
    const struct ne_rbd_spec *s, *d;
    const struct ne_volsync_opts *o;
    struct ne_rbd_img *src, *dst; /* heads, read-write (owned) */
    struct ne_vsj j;
    uint64_t size;
    struct ne_round_stat hist[VS_MAX_ROUNDS + 2];
    size_t nhist;
    double cutover_seconds;
    char label[48];
};

/* Checks and opens everything, settles a previous attempt from its journal
 * and both sides' snapshots: *resume is the round both sides share (-1:
 * start with round 0).  Returns an exit code; nothing is changed unless it
 * returns NE_EXIT_OK without dry_run. */
int vs_prepare(struct vs *v, long *resume);
/* Compares src and dst at snap, chunk by chunk.  0, or -1 after reporting. */
int vs_verify(struct vs *v, const char *snap);
/* Removes this attempt's snapshots on both sides (warns on failures). */
void vs_drop_snapshots(struct vs *v);
/* A new attempt id: 16 hex digits from /dev/urandom.  0, or -1 after
 * reporting. */
int vs_new_id(char id[33]);
/* Runs cmd with /bin/sh -c, stdin from /dev/null; its exit status, -1 when
 * it could not run or was killed. */
int ne_run_shell(const char *cmd);

#endif
