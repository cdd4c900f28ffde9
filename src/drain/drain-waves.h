/* SPDX-License-Identifier: Apache-2.0 */
/* drain-waves.h: `drain HOST HOST... [--waves]`: emptying several hosts,
 * wave after wave.
 *
 * The waves come from the fleet planner (model/fleet.h) on Nova's view of
 * the fleet (the nova hook `fleet`, for every host to empty): capacity
 * from Placement, server groups, availability zones, disabled and down
 * computes.  Each wave is then emptied host by host with the ordinary
 * drain of one host (the caller's drain_host: disable, read the instances
 * again, plan with Nova's rules, move, journal), its destinations being
 * every destination of the run but the hosts still to empty; a host
 * emptied in an earlier wave is offered again, and Nova's view decides
 * (it takes instances once its compute service is enabled again).  After
 * each wave but the last, the --between-waves command runs with
 * NOVA_EVAC_WAVE (its number), NOVA_EVAC_WAVES (how many) and
 * NOVA_EVAC_WAVE_HOSTS (the hosts it emptied, space-separated) in its
 * environment and the hosts as its arguments; a non-zero exit stops the
 * run before the next wave.  Without Nova the waves are the hosts in the
 * order given, one each (with --waves), or all hosts at once.
 *
 * The run's journal, <state_dir>/waves-H1+H2....journal (JSON lines,
 * fsync'ed, locked: journal.h), holds the waves planned at the start and
 * each host drained, each command run and each wave ended; every move is
 * journalled by the drain of its host (<state_dir>/HOST.journal).  After
 * a kill -9, `--resume` follows the journal's waves (not planned again),
 * resumes the drain of the host in progress (its moves settled from its
 * own journal, nothing moved twice), runs an interrupted or failed
 * command again (the journal's, unless --between-waves is given again)
 * and goes on. */
#ifndef NE_DRAIN_WAVES_H
#define NE_DRAIN_WAVES_H

#include <stdbool.h>
#include <stddef.h>

#include "drain/drain.h"

/* A run's waves, as planned or replayed from its journal. */
struct ne_waves {
    char ***w;            /* w[k]: the hosts of wave k+1, NULL-terminated (owned) */
    size_t nw;
};

/* What a waves journal says (pure replay of its text). */
struct ne_waves_state {
    bool started, finished;
    struct ne_waves plan;  /* from the "start" record */
    char **done;           /* hosts whose drain ended with exit 0 (owned) */
    size_t ndone;
    unsigned between_ok;   /* highest wave whose command exited 0 */
    unsigned waves_done;   /* highest wave recorded ended */
    char *between;         /* the run's --between-waves command, or NULL (owned) */
    size_t bad_lines;
};

void ne_waves_free(struct ne_waves *w);
void ne_waves_state_free(struct ne_waves_state *s);
/* Replays the text of a waves journal: lines that do not parse (a torn
 * tail) are counted and skipped. */
void ne_waves_replay_text(const char *text, struct ne_waves_state *out);
bool ne_waves_host_done(const struct ne_waves_state *s, const char *host);

struct ne_waves_opts {
    const char *const *hosts;  /* to empty, in the operator's order */
    size_t nhosts;
    bool waves;                /* --waves: order them into waves */
    unsigned wave_size;        /* --wave-size (0: as many as fit) */
    const char *between;       /* --between-waves CMD, or NULL */
    bool dry_run, resume, json;
    const struct ne_config *cfg;
    const struct ne_drain_opts *base; /* nova hooks, --to, --any-az */
    /* Drains one host like `nova-evac drain HOST` (resume: with --resume)
     * onto the destinations to[0..nto-1]; returns its exit code. */
    int (*drain_host)(void *ctx, const char *host, const char *const *to, size_t nto,
                      bool resume);
    void *ctx;
};

/* Plans the waves (dry run: prints them, exit code as `plan`), or runs
 * them with their journal.  Exit code. */
int ne_drain_waves(const struct ne_waves_opts *o);

#endif
