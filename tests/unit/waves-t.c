/* SPDX-License-Identifier: Apache-2.0 */
/* waves-t.c: the waves journal (replay, torn tail, a new run in the same
 * file) and the run of several hosts' drains through it: the order, the
 * --between-waves command (a real sh -c, its arguments and environment), a
 * failing command stopping before the next wave, and a resume after an
 * interruption that drains no host twice.  The hosts' drains are the
 * drain_host callback of struct ne_waves_opts (here: recorded, with the
 * exit code a test chooses); without Nova's view the waves are the hosts
 * in the order given. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drain/drain-waves.h"
#include "tap.h"
#include "util/mem.h"

static char calls[1024];
static const char *fail_host;  /* drain_host returns fail_rc for it once */
static int fail_rc;

static int
fake_drain(void *ctx, const char *host, const char *const *to, size_t nto, bool resume)
{
    size_t i;
    (void)ctx;
    (void)resume;
    snprintf(calls + strlen(calls), sizeof calls - strlen(calls), "%s[", host);
    for (i = 0; i < nto; i++)
        snprintf(calls + strlen(calls), sizeof calls - strlen(calls), "%s%s", i ? "," : "", to[i]);
    snprintf(calls + strlen(calls), sizeof calls - strlen(calls), "] ");
    if (fail_host && strcmp(fail_host, host) == 0) {
        fail_host = NULL;
        return fail_rc;
    }
    return 0;
}

static char *
slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf = xcalloc(65536, 1);
    if (f) {
        size_t n = fread(buf, 1, 65535, f);
        buf[n] = '\0';
        fclose(f);
    }
    return buf;
}

int
main(void)
{
    struct ne_waves_state st;
    char dir[] = "/tmp/waves-t.XXXXXX";
    const char *hosts[] = {"n2", "n3", "n4"};
    const char *to[] = {"n1", "n2", "n3", "n4", "n5"};
    struct ne_config cfg;
    struct ne_drain_opts base;
    struct ne_waves_opts o;
    char *log, *cmd, *jp, *text;

    /* replay */
    ne_waves_replay_text("{\"event\":\"start\",\"waves\":[[\"a\"],[\"b\",\"c\"]]}\n"
                         "{\"event\":\"host\",\"wave\":1,\"host\":\"a\",\"rc\":0}\n"
                         "{\"event\":\"between\",\"wave\":1,\"rc\":3}\n"
                         "{\"event\":\"between\",\"wave\":1,\"rc\":0}\n"
                         "{\"event\":\"wave_done\",\"wave\":1}\n"
                         "{\"event\":\"host\",\"wave\":2,\"host\":\"b\",\"rc\":1}\n"
                         "{\"event\":\"host\",\"wave\":2,\"ho",
                         &st);
    ok(st.started && !st.finished, "replay: started, not finished");
    is_int(st.plan.nw, 2, "replay: two waves from the start record");
    is_str(st.plan.w[1][1], "c", "replay: wave 2's second host");
    ok(ne_waves_host_done(&st, "a") && !ne_waves_host_done(&st, "b"),
       "replay: a done (exit 0), b not (exit 1)");
    is_int(st.between_ok, 1, "replay: the command after wave 1 succeeded on its second run");
    is_int(st.waves_done, 1, "replay: wave 1 ended");
    is_int(st.bad_lines, 1, "replay: the torn last line is skipped and counted");
    ne_waves_state_free(&st);
    ne_waves_replay_text("{\"event\":\"start\",\"waves\":[[\"a\"]]}\n"
                         "{\"event\":\"host\",\"wave\":1,\"host\":\"a\",\"rc\":0}\n"
                         "{\"event\":\"finish\"}\n{\"event\":\"start\",\"waves\":[[\"x\"]]}\n",
                         &st);
    ok(st.started && !st.finished && !ne_waves_host_done(&st, "a"),
       "replay: a new start forgets the run before it");
    ne_waves_state_free(&st);

    /* a run: three hosts without Nova's view, one per wave */
    if (!mkdtemp(dir)) return 1;
    memset(&cfg, 0, sizeof cfg);
    cfg.state_dir = dir;
    memset(&base, 0, sizeof base);
    base.to = to;
    base.nto = 5;
    log = xasprintf("%s/between.log", dir);
    cmd = xasprintf("echo \"$NOVA_EVAC_WAVE/$NOVA_EVAC_WAVES $NOVA_EVAC_WAVE_HOSTS $*\" >>%s; "
                    "test ! -e %s/stop", log, dir);
    jp = xasprintf("%s/waves-n2+n3+n4.journal", dir);
    memset(&o, 0, sizeof o);
    o = (struct ne_waves_opts){hosts, 3, true, 0, cmd, false, false, false, &cfg, &base,
                               fake_drain, NULL};
    is_int(ne_drain_waves(&o), 0, "run: exit 0");
    is_str(calls, "n2[n1,n5] n3[n1,n5] n4[n1,n5] ",
           "run: one host per wave, in order; later waves' hosts never destinations (no Nova: "
           "earlier ones neither)");
    text = slurp(log);
    is_str(text, "1/3 n2 n2\n2/3 n3 n3\n", "run: the command after waves 1 and 2, not 3, with "
           "the wave, the count and the hosts");
    free(text);

    /* the command fails after wave 1: wave 2 not started; the resume runs
     * it again and goes on */
    calls[0] = '\0';
    unlink(log);
    {
        CLEANUP_FREE char *stop = xasprintf("%s/stop", dir);
        FILE *f = fopen(stop, "w");
        if (f) fclose(f);
        is_int(ne_drain_waves(&o), 1, "command fails: exit 1");
        is_str(calls, "n2[n1,n5] ", "command fails: no host of wave 2 drained");
        o.resume = false;
        is_int(ne_drain_waves(&o), 3, "a new run over an interrupted one is refused (exit 3)");
        unlink(stop);
    }
    calls[0] = '\0';
    o.resume = true;
    o.between = NULL; /* the journal's command */
    is_int(ne_drain_waves(&o), 0, "resume: exit 0");
    is_str(calls, "n3[n1,n5] n4[n1,n5] ", "resume: n2 not drained again; n3, n4 drained");
    text = slurp(log);
    is_str(text, "1/3 n2 n2\n1/3 n2 n2\n2/3 n3 n3\n", "resume: the failed command (the journal's) ran again first");
    free(text);
    o.between = cmd;

    /* a host's drain interrupted (exit 130) in wave 2; resume: from that host */
    calls[0] = '\0';
    o.resume = false;
    fail_host = "n3";
    fail_rc = 130;
    is_int(ne_drain_waves(&o), 130, "a host's drain interrupted: its exit code");
    is_str(calls, "n2[n1,n5] n3[n1,n5] ", "interrupted in wave 2: n4 not started");
    calls[0] = '\0';
    o.resume = true;
    is_int(ne_drain_waves(&o), 0, "resume after the interruption: exit 0");
    is_str(calls, "n3[n1,n5] n4[n1,n5] ", "resume: n3 again (its own journal settles it), n4");
    text = slurp(jp);
    ok(strstr(text, "\"event\": \"finish\"") || strstr(text, "\"event\":\"finish\""),
       "the waves journal ends with finish");
    free(text);

    /* a host left with instances stops the run */
    {
        const char *other[] = {"n2", "n3", "n4"};
        struct ne_waves_opts o2 = o;
        o2.hosts = other;
        o2.resume = false;
        calls[0] = '\0';
        fail_host = "n2";
        fail_rc = 1;
        is_int(ne_drain_waves(&o2), 1, "a host left with instances: exit 1");
        is_str(calls, "n2[n1,n5] ", "and the next wave is not started");
    }
    {
        CLEANUP_FREE char *rm = xasprintf("rm -rf %s", dir);
        if (system(rm) != 0) printf("# could not remove %s\n", dir);
    }
    free(log);
    free(cmd);
    free(jp);
    return done_testing();
}
