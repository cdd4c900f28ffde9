/* SPDX-License-Identifier: Apache-2.0 */
/* stuckapi-t.c: how `stuck --via api` makes each repair of stuck.c: what
 * goes through the Nova API (os-resetState, confirmResize), what only the
 * database can do (host, node, migration status, flavor), and Placement.
 * The fixes come from ne_stuck_decide on the facts of each case, so a
 * change of the rules shows here too. */
#include <config.h>

#include <string.h>

#include "model/domain.h"
#include "stuck/stuck-api.h"
#include "tap.h"
#include "util/mem.h"

static struct ne_nova_inst
inst(const char *host, const char *vm, const char *task, const char *mtype, const char *mstatus,
     const char *src, const char *dst)
{
    struct ne_nova_inst in;

    memset(&in, 0, sizeof in);
    memcpy(in.uuid, "11111111-2222-4333-8444-555555555555", 37);
    in.host = (char *)host;
    in.node = (char *)host;
    in.vm_state = (char *)vm;
    in.task_state = (char *)task;
    in.power_state = 1; /* running, as the guests of these cases */
    if (mtype) {
        in.mig.id = 7;
        in.mig.uuid = (char *)"77777777-2222-4333-8444-555555555555";
        in.mig.type = (char *)mtype;
        in.mig.status = (char *)mstatus;
        in.mig.src = in.mig.src_node = (char *)src;
        in.mig.dst = in.mig.dst_node = (char *)dst;
    }
    return in;
}

static struct ne_truth
tr(const char *host, enum ne_seen seen, int state)
{
    struct ne_truth t;

    memset(&t, 0, sizeof t);
    t.host = (char *)host;
    t.seen = seen;
    t.state = state;
    t.disks = seen == NE_SEEN_ABSENT ? 0 : 1;
    return t;
}

#define RUNNING(h) tr(h, NE_SEEN_RUNNING, NE_DOM_RUNNING)
#define SHUTOFF(h) tr(h, NE_SEEN_DEFINED, NE_DOM_SHUTOFF)
#define ABSENT(h) tr(h, NE_SEEN_ABSENT, 0)

/* Decides, plans, and renders the plan as "confirm|db|state|reset=X|placement". */
static char *
plan_of(struct ne_nova_inst *in, struct ne_truth *t, size_t n, struct ne_api_plan *p)
{
    struct ne_fix f;
    char *s;

    ne_stuck_decide(in, t, n, &f);
    ne_stuck_api_plan(in, &f, f.node ? f.node : f.host, p);
    s = xasprintf("%s%s%s%s%s%s%s", p->confirm ? "confirm " : "", p->db ? "db " : "",
                  p->db_state ? "state " : "", p->reset ? "reset=" : "", p->reset ? p->reset : "",
                  p->reset ? " " : "", p->placement ? "placement" : "");
    ne_fix_clear(&f);
    return s;
}

static void
steps(struct ne_nova_inst *in, struct ne_truth *t, size_t n, bool allow_db, const char *want,
      const char *desc)
{
    struct ne_stuck_item it;
    char *s = xstrdup("");
    size_t i;

    memset(&it, 0, sizeof it);
    it.in = in;
    ne_stuck_decide(in, t, n, &it.fix);
    it.node = xstrdup(it.fix.node ? it.fix.node : it.fix.host ? it.fix.host : "-");
    ne_stuck_api_steps(&it, allow_db);
    for (i = 0; i < it.nsteps; i++) {
        char *x = xasprintf("%s%s%s: %s", s, i ? " | " : "", it.steps[i].how, it.steps[i].what);
        free(s);
        s = x;
        ok(it.steps[i].result == NE_APPLY_NOT, "%s: step %zu starts not applied", desc, i);
        free(it.steps[i].what);
    }
    is_str(s, want, "%s: steps", desc);
    free(s);
    free(it.node);
    ne_fix_clear(&it.fix);
}

int
main(void)
{
    struct ne_nova_inst in;
    struct ne_api_plan p;
    char *s;

    /* split-brain.t, destination killed: MIGRATING on the source, the guest runs on the destination. */
    in = inst("node03", "active", "migrating", "live-migration", "running", "node03", "node01");
    s = plan_of(&in, (struct ne_truth[]){ABSENT("node03"), RUNNING("node01")}, 2, &p);
    is_str(s, "db reset=active placement", "destination killed: host by db, reset, placement");
    is_str(p.db_what, "host node01, node node01, migration 7 completed, migration context dropped",
           "destination killed: the database changes, in words");
    free(s);
    ne_api_plan_clear(&p);
    steps(&in, (struct ne_truth[]){ABSENT("node03"), RUNNING("node01")}, 2, false,
          "database: host node01, node node01, migration 7 completed, migration context dropped "
          "(the API cannot: needs --allow-db) | nova-api: os-resetState active | placement: "
          "allocations of 11111111-2222-4333-8444-555555555555 on node01 only; migration "
          "77777777-2222-4333-8444-555555555555 none",
          "destination killed, no --allow-db");

    /* split-brain.t, source killed and restarted: ACTIVE on the source, migration error, guest
     * on the destination.  The state is right already: no reset. */
    in = inst("node03", "active", NULL, "live-migration", "error", "node03", "node01");
    in.power_state = 0; /* the restarted source found no domain: NOSTATE */
    s = plan_of(&in, (struct ne_truth[]){ABSENT("node03"), RUNNING("node01")}, 2, &p);
    is_str(s, "db placement", "source killed: host by db, no reset, placement");
    is_str(p.db_what, "host node01, node node01, power_state 1, migration 7 completed, migration "
                      "context dropped", "source killed: power_state running again (else Nova "
                      "refuses the next live migration)");
    free(s);
    ne_api_plan_clear(&p);

    /* The migration never started: the guest is on the source, the record too. */
    in = inst("node02", "active", "migrating", "live-migration", "running", "node02", "node01");
    s = plan_of(&in, (struct ne_truth[]){RUNNING("node02"), ABSENT("node01")}, 2, &p);
    is_str(s, "db reset=active placement", "never started: migration by db, reset, placement");
    is_str(p.db_what, "migration 7 error, migration context dropped",
           "never started: no host change");
    free(s);
    ne_api_plan_clear(&p);

    /* A task state stuck with no migration: the API alone. */
    in = inst("node02", "active", "migrating", NULL, NULL, NULL, NULL);
    s = plan_of(&in, (struct ne_truth[]){RUNNING("node02")}, 1, &p);
    is_str(s, "reset=active placement", "task state only: os-resetState, no database");
    ok(p.db_what == NULL, "task state only: nothing for the database");
    free(s);
    ne_api_plan_clear(&p);
    steps(&in, (struct ne_truth[]){RUNNING("node02")}, 1, false,
          "nova-api: os-resetState active | placement: allocations of "
          "11111111-2222-4333-8444-555555555555 on node02 only", "task state only");

    /* The same with power_state NOSTATE: only the database could set it; without
     * --allow-db the step is listed, left undone, and the repair still goes ahead. */
    in.power_state = 0;
    s = plan_of(&in, (struct ne_truth[]){RUNNING("node02")}, 1, &p);
    is_str(s, "reset=active placement", "task state, NOSTATE: the database is not required");
    is_str(p.db_what, "power_state 1", "task state, NOSTATE: power_state for the database");
    free(s);
    ne_api_plan_clear(&p);
    steps(&in, (struct ne_truth[]){RUNNING("node02")}, 1, false,
          "database: power_state 1 (the API cannot; left as it is without --allow-db, Nova's "
          "own sync corrects it) | nova-api: os-resetState active | placement: allocations of "
          "11111111-2222-4333-8444-555555555555 on node02 only", "task state, NOSTATE");

    /* VERIFY_RESIZE on the destination, the guest there: Nova's own confirm. */
    in = inst("node01", "resized", NULL, "migration", "finished", "node02", "node01");
    s = plan_of(&in, (struct ne_truth[]){RUNNING("node01"), ABSENT("node02")}, 2, &p);
    is_str(s, "confirm ", "VERIFY_RESIZE on the destination: confirmResize only");
    free(s);
    ne_api_plan_clear(&p);
    steps(&in, (struct ne_truth[]){RUNNING("node01"), ABSENT("node02")}, 2, false,
          "nova-api: confirmResize: Nova finishes the move on node01", "VERIFY_RESIZE");

    /* ERROR after a cold migration that worked (token expired): the record still on the
     * source, the guest shut off on the destination.  The API cannot confirm it (no
     * VERIFY_RESIZE); stopped is no state os-resetState sets. */
    in = inst("node02", "error", NULL, "migration", "error", "node02", "node01");
    s = plan_of(&in, (struct ne_truth[]){SHUTOFF("node01"), ABSENT("node02")}, 2, &p);
    is_str(s, "db state placement", "ERROR after a cold move: all by db, placement");
    is_str(p.db_what, "host node01, node node01, vm_state stopped, power_state 4, migration 7 "
                      "confirmed, the new flavor, migration context dropped",
           "ERROR after a cold move: words");
    free(s);
    ne_api_plan_clear(&p);

    /* Nothing to change: no plan. */
    in = inst("node02", "active", NULL, NULL, NULL, NULL, NULL);
    s = plan_of(&in, (struct ne_truth[]){RUNNING("node02")}, 1, &p);
    is_str(s, "", "consistent record: no plan");
    free(s);
    ne_api_plan_clear(&p);
    return done_testing();
}
