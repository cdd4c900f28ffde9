/* SPDX-License-Identifier: Apache-2.0 */
/* drain-int.h: what the parts of a drain run share: drain-run.c (journal,
 * workers, staging), drain-resume.c (settling the moves an interrupted run
 * left in flight), drain-leftovers.c (what earlier attempts left) and
 * drain-wait.c (the waits between retries). */
#ifndef NE_DRAIN_INT_H
#define NE_DRAIN_INT_H

#include "drain/drain.h"
#include "images/image-cache.h"

/* How long, in all, one instance's retries wait for a libvirtd that does
 * not answer (a daemon restart takes seconds to a minute or two). */
#define NE_DRAIN_HOST_WAIT_S 300

/* drain-run.c */
/* Opens the journal (an interrupted drain without --resume is refused:
 * exit code), takes the instances' locks and, with --resume, settles the
 * moves the interrupted run left in flight (drain_resume_all).  Once per
 * drain: later calls return 0. */
int drain_open(struct ne_drain *dr);
/* Journals the event (with its uuid, name and destination when it is not
 * NULL, and extra, stolen) and, with --format json, prints it as a line. */
void drain_emit(struct ne_drain *dr, const char *event, const struct ne_drain_item *it,
                json_t *extra);
struct ne_drain_item *drain_item_by_uuid(struct ne_drain *dr, const char *uuid);
/* it was deleted in Nova during the drain (evidence how: what Nova and
 * libvirt showed): NE_ITEM_GONE, said, journalled "gone". */
void drain_gone(struct ne_drain *dr, struct ne_drain_item *it, const char *to, const char *how);
/* Index of host name in dr->hosts, or -1. */
int drain_host_index(const struct ne_drain *dr, const char *name);

/* Prints the event (as drain_emit) on stdout with --format json, not
 * journalled: progress figures. */
void drain_say(struct ne_drain *dr, const char *event, const struct ne_drain_item *it,
               json_t *extra);
/* The per-destination limit for limit at once: --max-per-dest, else the
 * limit spread over the destinations still to receive, rounded up. */
unsigned drain_per_dest(const struct ne_drain *dr, unsigned limit);

/* drain-progress.c: the live display and progress events. */
struct drain_pctx {
    struct ne_drain *dr;
    struct ne_drain_item *it;
};
/* ne_mig_opts.progress of a drain's move (ctx: a struct drain_pctx). */
void drain_progress_cb(void *ctx, const struct ne_mig_progress *p);
/* Sets dr->tty (stderr a terminal, no --quiet) and takes over from the
 * single progress bar; drain_progress_stop clears the display for good. */
void drain_progress_start(struct ne_drain *dr);
void drain_progress_stop(struct ne_drain *dr);
/* Redraws the display (when dr->tty). */
void drain_progress_draw(struct ne_drain *dr);

/* drain-pace.c: the pacer thread (-j auto's controller, the display). */
/* Before staging: the destinations' first CPU sample (-j auto). */
void drain_pace_prepare(struct ne_drain *dr);
/* Right before the workers: starts the pacer when there is something to
 * pace; returns the limit to start with (max: -j auto's ceiling). */
unsigned drain_pace_start(struct ne_drain *dr, unsigned max);
/* After the workers: stops it. */
void drain_pace_stop(struct ne_drain *dr);
/* A migration ended: with -j auto the pacer looks now, not at its next
 * 500 ms tick (a window that waits for ended migrations ends at once). */
void drain_pace_kick(void);

/* drain-resume.c: every in-flight entry of the interrupted drain, settled
 * or reported. */
void drain_resume_all(struct ne_drain *dr);

/* drain-leftovers.c */
/* Removes what earlier attempts of it left that the journal proves this
 * tool created, while it is still what was created. */
void drain_clean_leftovers(struct ne_drain *dr, const struct ne_drain_item *it);
/* The files a move of it deletes on the source, as journal values. */
json_t *drain_source_files(const struct ne_drain_item *it);

/* The drain's journal for base image staging (image-cache.h): each .part
 * recorded before it is created, and recognised by its record later. */
struct ne_stage_journal drain_stage_journal(struct ne_drain *dr);
/* Removes the .part of every interrupted staging the journal records
 * (its latest record on each host), while still what was created; one
 * that changed, or that another run stages now, is left (said). */
void drain_clean_parts(struct ne_drain *dr);

/* drain-net.c: after it moved to host to (r: the move's result, for a
 * move through libvirt): true when one of its Neutron ports did not follow
 * (reported; it->why says what to do). */
bool drain_net_left(struct ne_drain *dr, struct ne_drain_item *it, const struct ne_mig_result *r,
                    const char *to);

/* drain-net.c: the plan's word on each instance's Neutron ports (what
 * the move does to them, ne_net_plan_ports): set as "ports" in each
 * element of items (the plan's JSON instances, in dr's order), or printed
 * as lines when items is NULL.  Nothing without Neutron. */
void drain_net_print_plan(const struct ne_drain *dr, json_t *items);

/* drain-wait.c */
/* The drain's source or to, whichever libvirtd does not answer now, or
 * NULL when both do. */
const char *drain_host_down(struct ne_drain *dr, const char *to);
/* Sleeps s seconds unless interrupted (then -1). */
int drain_pause(unsigned s);
/* Waits for host's libvirtd to answer again (bounded); 0 when it does. */
int drain_wait_for_host(struct ne_drain *dr, const struct ne_drain_item *it, const char *host,
                        unsigned *waited);
/* Nova's scheduler refused to (nova.migrate said NE_DRAIN_SCHED_REFUSED)
 * on the instance's tries-th refusal: says what it waits for and why, and
 * pauses (drain-schedwait.h), *waited counting against --scheduler-wait.
 * 0 to ask again; -1 when the time is up or the drain is interrupted,
 * gave_up then says why and the next step. */
int drain_wait_for_scheduler(struct ne_drain *dr, const struct ne_drain_item *it, const char *to,
                             unsigned tries, unsigned *waited, char *gave_up, size_t len);

#endif
