/* SPDX-License-Identifier: Apache-2.0 */
/* volsync.h: `volume-sync`: an RBD image copied to another Ceph cluster in
 * rounds while it stays in use, then a short cut-over.
 *
 * Round 0 copies a snapshot of the source (holes skipped); each next round
 * snapshots again and copies only the diff since the previous snapshot,
 * then takes a snapshot of the same name on the destination, so after
 * every round both sides share one snapshot with the same data.  Rounds
 * repeat while the delta shrinks, until the predicted last round is under
 * the thresholds (rbd-plan.h, ne_round_decide); then the cut-over: the
 * caller's "before the last round" step (a hook command, or the Cinder
 * side's detach), the last round, the verification of the destination
 * against the source at the last snapshot (chunk checksums), the caller's
 * "after verify" step (e.g. Cinder's manage-existing), and the removal of
 * this attempt's snapshots on both sides.
 *
 * Resumable (rule 5): a journal under <state_dir>/volume-sync/ records the
 * attempt (its id names its snapshots) and that it created the
 * destination, before it does.  A run after a kill finds the latest
 * snapshot both sides share, rolls the destination back to it and goes on;
 * with none, the destination it created is removed and round 0 starts
 * again.  A destination that exists without such a record is refused
 * (rule 7: only what this attempt created is changed or deleted). */
#ifndef NE_VOLSYNC_H
#define NE_VOLSYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rbd/rbd-plan.h"
#include "rbd/rbd.h"

struct ne_config;

/* What the cut-over steps of the caller see. */
struct ne_volsync_state {
    const struct ne_rbd_spec *src, *dst;
    const char *snap;      /* the last shared snapshot */
    unsigned round;        /* its round */
    uint64_t size;         /* the image's size */
};

struct ne_volsync_opts {
    const char *state_dir;
    struct ne_converge converge;
    uint64_t chunk;          /* bytes per I/O (0: 4 MiB) */
    unsigned inflight;       /* I/Os in flight (0: 8) */
    const char *cutover_hook;/* /bin/sh -c command run before the last round */
    bool dry_run;
    bool json;               /* one JSON object per round on stdout */
    /* The Cinder side's steps (NULL: none).  writer_stopper: true when
     * before_final stops the writer (an in-use source is accepted then,
     * as with a hook).  before_final runs before the last round, after the
     * hook; after_verify once the destination equals the source.  Both
     * return 0, or -1 after reporting (the run stops, resumable). */
    int (*before_final)(void *opaque, const struct ne_volsync_state *st);
    int (*after_verify)(void *opaque, const struct ne_volsync_state *st);
    void *opaque;
    bool writer_stopper;
    const char *stop_hint;   /* how to stop the writer, for the in-use refusal */
};

/* The connection settings of cluster name: [ceph:NAME] conf=, keyring=,
 * client= (default "admin") in the configuration file config_path.
 * Strings newly allocated into *out (ne_volsync_conn_free).  -1 after
 * reporting (no such section: the message names the file and the keys). */
int ne_volsync_conn(const char *config_path, const char *name, struct ne_rbd_conn *out);
void ne_volsync_conn_free(struct ne_rbd_conn *c);

/* Copies src (cluster/pool/image) onto dst (cluster/pool/image) of the two
 * connected clusters.  Returns an exit code (util/exitcode.h). */
int ne_volsync_run(struct ne_rbd *srcc, const struct ne_rbd_spec *src, struct ne_rbd *dstc,
                   const struct ne_rbd_spec *dst, const struct ne_volsync_opts *o);

/* ---- --mirror (volsync-mirror.c): journal-based RBD mirroring by the
 * rbd-mirror daemon of the destination cluster instead of copy rounds. */
struct ne_volsync_mirror_opts {
    const char *state_dir;
    bool enable_features; /* change the features mirroring needs */
    bool finish;          /* demote, promote, stop mirroring, restore features */
    bool yes;             /* accept changing an image in use */
    bool dry_run, json;
    unsigned wait_s;      /* for the sync, the demotion (0: 600) */
};
int ne_volsync_mirror(struct ne_rbd *srcc, const struct ne_rbd_spec *src, struct ne_rbd *dstc,
                      const struct ne_rbd_spec *dst, const struct ne_volsync_mirror_opts *o);

/* ---- the journal (volsync-journal.c) */
struct ne_vsj {
    char *state_dir;
    char *path;
    char id[33];        /* the attempt's id: hex, names its snapshots */
    bool started;       /* a "start" record */
    bool dst_created;   /* "dst-created": this attempt created the destination */
    long last_round;    /* the last "round" record, -1 if none */
    char *src, *dst;    /* the specs of the start record */
    bool has_features;  /* --mirror: "features <id> <hex>", the source's */
    uint64_t features;  /* features before --enable-features changed them */
};
/* Parses a journal's text (pure; unit-tested and fuzzed).  Unknown or
 * malformed lines are skipped (a torn last line after a kill); a second
 * "start" resets the state.  0, or -1 when no start record was read. */
int ne_vsj_parse(const char *text, struct ne_vsj *j);
/* The journal of the pair src -> dst under state_dir/volume-sync/: read
 * when it exists (j->started), else empty; nothing is created before the
 * first append.  -1 after reporting. */
int ne_vsj_load(const char *state_dir, const char *src, const char *dst, struct ne_vsj *j);
/* Appends one record, fsynced; -1 after reporting. */
int ne_vsj_append(struct ne_vsj *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Removes the journal (the attempt is finished). */
void ne_vsj_remove(struct ne_vsj *j);
void ne_vsj_free(struct ne_vsj *j);

#endif
