/* SPDX-License-Identifier: Apache-2.0 */
/* drain-waves.c: see drain-waves.h. */
#include <config.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "drain/drain-fleet.h"
#include "drain/drain-waves.h"
#include "drain/journal.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/mem.h"

static void
hosts_free(char **v)
{
    size_t i;
    for (i = 0; v && v[i]; i++) free(v[i]);
    free(v);
}

void
ne_waves_free(struct ne_waves *w)
{
    size_t k;
    for (k = 0; k < w->nw; k++) hosts_free(w->w[k]);
    free(w->w);
    w->w = NULL;
    w->nw = 0;
}

void
ne_waves_state_free(struct ne_waves_state *s)
{
    size_t k;
    ne_waves_free(&s->plan);
    for (k = 0; k < s->ndone; k++) free(s->done[k]);
    free(s->done);
    free(s->between);
    memset(s, 0, sizeof *s);
}

bool
ne_waves_host_done(const struct ne_waves_state *s, const char *host)
{
    size_t k;
    for (k = 0; k < s->ndone; k++)
        if (str_eq(s->done[k], host)) return true;
    return false;
}

/* The waves of a "start" record: an array of arrays of host names. */
static void
plan_from_json(json_t *a, struct ne_waves *w)
{
    size_t k, i, n = json_array_size(a);

    ne_waves_free(w);
    w->w = xcalloc(n + 1, sizeof *w->w);
    for (k = 0; k < n; k++) {
        json_t *hs = json_array_get(a, k);
        size_t nh = json_array_size(hs), m = 0;
        char **v = xcalloc(nh + 1, sizeof *v);
        for (i = 0; i < nh; i++)
            if (json_string_value(json_array_get(hs, i)))
                v[m++] = xstrdup(json_string_value(json_array_get(hs, i)));
        w->w[w->nw++] = v;
    }
}

static void
apply(struct ne_waves_state *s, json_t *ev)
{
    const char *what = json_string_value(json_object_get(ev, "event"));
    const char *host = json_string_value(json_object_get(ev, "host"));
    json_int_t wave = json_integer_value(json_object_get(ev, "wave"));
    json_int_t rc = json_integer_value(json_object_get(ev, "rc"));

    if (!what) return;
    if (str_eq(what, "start")) {
        /* a new run in the same file: what an earlier one did is gone */
        struct ne_waves keep = {0};
        ne_waves_state_free(s);
        s->plan = keep;
        s->started = true;
        plan_from_json(json_object_get(ev, "waves"), &s->plan);
        s->between = xstrdup_null(json_string_value(json_object_get(ev, "between")));
    } else if (str_eq(what, "finish")) {
        s->finished = true;
    } else if (str_eq(what, "host") && host && rc == 0 && !ne_waves_host_done(s, host)) {
        s->done = xrealloc(s->done, (s->ndone + 1) * sizeof *s->done);
        s->done[s->ndone++] = xstrdup(host);
    } else if (str_eq(what, "between") && rc == 0 && wave > 0 && (unsigned)wave > s->between_ok) {
        s->between_ok = (unsigned)wave;
    } else if (str_eq(what, "wave_done") && wave > 0 && (unsigned)wave > s->waves_done) {
        s->waves_done = (unsigned)wave;
    }
}

void
ne_waves_replay_text(const char *text, struct ne_waves_state *out)
{
    const char *p = text;

    memset(out, 0, sizeof *out);
    while (p && *p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        json_error_t err;
        json_t *ev = nl && len ? json_loadb(p, len, 0, &err) : NULL;

        if (ev && json_is_object(ev)) apply(out, ev);
        else if (len) out->bad_lines++;
        json_decref(ev);
        p = nl ? nl + 1 : NULL;
    }
}

/* The whole of a file, or NULL (errno). */
static char *
read_text(const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf = NULL;
    size_t n = 0, cap = 0, r;

    if (!f) return NULL;
    do {
        xgrow((void **)&buf, &cap, n + 65536, 1);
        r = fread(buf + n, 1, cap - n - 1, f);
        n += r;
    } while (r > 0);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* --- planning --------------------------------------------------------- */

static bool
listed(const char *const *v, size_t n, const char *s)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (str_eq(v[i], s)) return true;
    return false;
}

/* The run's candidate destinations: --to, else every configured node. */
static size_t
run_dests(const struct ne_waves_opts *o, const char ***out)
{
    const char **v;
    size_t n, i;

    if (o->base->nto) {
        v = xcalloc(o->base->nto + 1, sizeof *v);
        for (i = 0; i < o->base->nto; i++) v[i] = o->base->to[i];
        *out = v;
        return o->base->nto;
    }
    n = ne_config_nodes(o->cfg, &v);
    *out = v;
    return n;
}

struct pctx {
    const bool *dest;     /* per fleet host: a destination of the run */
};

static const char *
veto(void *ctx, size_t inst, size_t host)
{
    const struct pctx *p = ctx;
    (void)inst;
    return p->dest[host] ? NULL : "not a destination of this drain (--to, nova-evac.conf nodes)";
}

/* What the planner said, for the plan's output. */
struct wplan {
    struct ne_waves w;
    json_t *json;         /* the plan as JSON (waves with their instances) */
    size_t refused;       /* instances the plan leaves where they are */
    const char *how;      /* where the waves came from */
};

static json_t *
free_json(const uint64_t v[NE_RES_N])
{
    return json_pack("{s:I, s:I, s:I}", "vcpus", (json_int_t)v[NE_RES_VCPU], "ram_mb",
                     (json_int_t)v[NE_RES_RAM_MB], "disk_gb", (json_int_t)v[NE_RES_DISK_GB]);
}

/* Without Nova's view: the hosts in the operator's order, one per wave
 * (--waves), or all at once. */
static void
plan_plain(const struct ne_waves_opts *o, struct wplan *p)
{
    size_t k, n = o->waves ? o->nhosts : 1;
    unsigned per = o->waves ? (o->wave_size ? o->wave_size : 1) : (unsigned)o->nhosts;

    if (o->waves && o->wave_size) n = (o->nhosts + per - 1) / per;
    p->w.w = xcalloc(n + 1, sizeof *p->w.w);
    p->json = json_array();
    for (k = 0; k < o->nhosts; k++) {
        size_t wi = k / per;
        char **v;
        size_t m = 0;
        if (!p->w.w[wi]) {
            p->w.w[wi] = xcalloc(per + 1, sizeof(char *));
            p->w.nw = wi + 1;
            json_array_append_new(p->json, json_pack("{s:i, s:[], s:[]}", "wave", (int)wi + 1,
                                                     "hosts", "instances"));
        }
        v = p->w.w[wi];
        while (v[m]) m++;
        v[m] = xstrdup(o->hosts[k]);
        json_array_append_new(json_object_get(json_array_get(p->json, wi), "hosts"),
                              json_string(o->hosts[k]));
    }
    p->how = "without Nova's view of the fleet: the hosts in the order given";
}

/* With Nova's view: the fleet planner.  0, or -1 (reported) to plan
 * without it. */
static int
plan_fleet(const struct ne_waves_opts *o, struct wplan *p)
{
    struct ne_nova_fleet f;
    struct ne_fleet_opts fo = {.waves = o->waves, .wave_size = o->wave_size,
                               .any_az = o->base->any_az, .rejoin = o->between != NULL};
    struct ne_fleet_plan plan;
    struct ne_fleet_inst *fi;
    CLEANUP_FREE size_t *src = xcalloc(o->nhosts + 1, sizeof *src);
    CLEANUP_FREE bool *dest = NULL;
    CLEANUP_FREE const char **dn = NULL;
    struct pctx pc;
    size_t ndn, k, i, ni = 0;
    char why[256];
    int h;

    if (o->base->nova.fleet(o->base->nova.ctx, o->hosts, o->nhosts, &f) < 0) {
        ne_warn("drain: Nova's view of the fleet cannot be read (above): the waves follow the "
                "order given");
        return -1;
    }
    for (k = 0; k < o->nhosts; k++) {
        if ((h = ne_nova_fleet_host(&f, o->hosts[k])) < 0) {
            ne_warn("drain: Nova has no compute service on %s: the waves follow the order given",
                    o->hosts[k]);
            ne_nova_fleet_free(&f);
            return -1;
        }
        src[k] = (size_t)h;
    }
    ndn = run_dests(o, &dn);
    dest = xcalloc(f.nh + 1, sizeof *dest);
    for (k = 0; k < f.nh; k++) dest[k] = listed(dn, ndn, f.hosts[k].name);
    pc.dest = dest;
    fo.veto = veto;
    fo.veto_ctx = &pc;
    fi = xcalloc(f.ns + 1, sizeof *fi);
    for (k = 0; k < f.ns; k++) {
        const struct ne_nova_server *s = &f.servers[k];
        bool on_src = false;
        if (s->host < 0) continue;
        for (i = 0; i < o->nhosts; i++) on_src |= src[i] == (size_t)s->host;
        if (!on_src && s->group < 0) continue;
        fi[ni] = (struct ne_fleet_inst){.name = s->uuid, .host = s->host, .group = s->group,
                                        .az = f.hosts[s->host].az, .movable = on_src};
        memcpy(fi[ni].need, s->need, sizeof fi[ni].need);
        ni++;
    }
    if (ne_fleet_plan(f.hosts, f.nh, fi, ni, f.groups, f.ng, src, o->nhosts, &fo, &plan, why,
                      sizeof why) < 0) {
        ne_error("drain: the fleet plan failed: %s; the waves follow the order given", why);
        free(fi);
        ne_nova_fleet_free(&f);
        return -1;
    }
    p->w.w = xcalloc(plan.nw + 1, sizeof *p->w.w);
    p->json = json_array();
    for (k = 0; k < plan.nw; k++) {
        const struct ne_fleet_wave *w = &plan.w[k];
        json_t *hs = json_array(), *is = json_array();
        char **v = xcalloc(w->nsrc + 1, sizeof *v);
        for (i = 0; i < w->nsrc; i++) {
            v[i] = xstrdup(f.hosts[w->src[i]].name);
            json_array_append_new(hs, json_string(v[i]));
        }
        for (i = 0; i < ni; i++) {
            const struct ne_fleet_inst *x = &fi[i];
            if (!x->movable || x->wave != k + 1) continue;
            if (x->dest < 0) p->refused++;
            json_array_append_new(is, json_pack("{s:s, s:s, s:s?, s:s?}", "uuid", x->name,
                                                "host", f.hosts[x->host].name, "destination",
                                                x->dest >= 0 ? f.hosts[x->dest].name : NULL,
                                                "reason", x->dest < 0 ? x->why : NULL));
        }
        p->w.w[p->w.nw++] = v;
        json_array_append_new(p->json, json_pack("{s:i, s:o, s:i, s:i, s:i, s:o, s:o}", "wave",
                                                 (int)k + 1, "hosts", hs, "moved", (int)w->moved,
                                                 "staying", (int)w->refused, "destination_hosts",
                                                 (int)w->dest_hosts, "free_after",
                                                 free_json(w->free_after), "instances", is));
    }
    p->how = o->between ? "from Nova's view of the fleet: capacity, server groups, zones, enabled "
                          "and up computes; emptied hosts counted back after --between-waves"
                        : "from Nova's view of the fleet: capacity, server groups, zones, enabled "
                          "and up computes";
    ne_fleet_plan_free(&plan);
    free(fi);
    ne_nova_fleet_free(&f);
    return 0;
}

static void
plan_run(const struct ne_waves_opts *o, struct wplan *p)
{
    memset(p, 0, sizeof *p);
    if (o->base->nova.fleet && plan_fleet(o, p) == 0) return;
    plan_plain(o, p);
}

static void
print_plan(const struct ne_waves_opts *o, const struct wplan *p)
{
    size_t k, i;

    if (o->json) {
        json_t *root = json_pack("{s:s, s:O}", "source", p->how, "waves", p->json);
        json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        putchar('\n');
        json_decref(root);
        return;
    }
    printf("waves: %zu, %s\n", p->w.nw, p->how);
    for (k = 0; k < json_array_size(p->json); k++) {
        json_t *w = json_array_get(p->json, k), *fa = json_object_get(w, "free_after");
        json_t *is = json_object_get(w, "instances");
        printf("wave %zu:", k + 1);
        for (i = 0; p->w.w[k][i]; i++) printf(" %s", p->w.w[k][i]);
        if (fa)
            printf(" (%d to move, %d staying; the %d destination computes keep %lld VCPU, %lld "
                   "MiB RAM, %lld GB disk free after it)",
                   (int)json_integer_value(json_object_get(w, "moved")),
                   (int)json_integer_value(json_object_get(w, "staying")),
                   (int)json_integer_value(json_object_get(w, "destination_hosts")),
                   (long long)json_integer_value(json_object_get(fa, "vcpus")),
                   (long long)json_integer_value(json_object_get(fa, "ram_mb")),
                   (long long)json_integer_value(json_object_get(fa, "disk_gb")));
        putchar('\n');
        for (i = 0; i < json_array_size(is); i++) {
            json_t *x = json_array_get(is, i);
            const char *d = json_string_value(json_object_get(x, "destination"));
            if (d)
                printf("  %s on %s -> %s\n", json_string_value(json_object_get(x, "uuid")),
                       json_string_value(json_object_get(x, "host")), d);
            else
                printf("  %s on %s stays: %s\n", json_string_value(json_object_get(x, "uuid")),
                       json_string_value(json_object_get(x, "host")),
                       json_string_value(json_object_get(x, "reason")));
        }
    }
    fflush(stdout);
}

/* --- running ---------------------------------------------------------- */

/* v[0..n-1], or up to its NULL, joined with sep. */
static char *
joined_n(const char *const *v, size_t n, const char *sep)
{
    size_t k, len = 1;
    char *s;

    for (k = 0; k < n && v[k]; k++) len += strlen(v[k]) + strlen(sep);
    s = xcalloc(len, 1);
    for (k = 0; k < n && v[k]; k++) {
        if (k) strncat(s, sep, len - strlen(s) - 1);
        strncat(s, v[k], len - strlen(s) - 1);
    }
    return s;
}

static char *
joined(char *const *v, const char *sep)
{
    return joined_n((const char *const *)v, SIZE_MAX, sep);
}

/* The --between-waves command after wave k of n: sh -c CMD with the
 * wave's hosts as arguments and NOVA_EVAC_WAVE* in its environment; its
 * output goes to stderr (stdout is the tool's).  Its exit status, or -1
 * when it could not run or was killed by a signal. */
static int
run_between(const char *cmd, size_t k, size_t n, char *const *hosts)
{
    size_t nh = 0, i;
    pid_t p;
    int st;

    while (hosts[nh]) nh++;
    fflush(stdout);
    fflush(stderr);
    p = fork();
    if (p < 0) return -1;
    if (p == 0) {
        const char **argv = xcalloc(nh + 6, sizeof *argv);
        char num[24], tot[24];
        char *list = joined(hosts, " ");
        snprintf(num, sizeof num, "%zu", k);
        snprintf(tot, sizeof tot, "%zu", n);
        setenv("NOVA_EVAC_WAVE", num, 1);
        setenv("NOVA_EVAC_WAVES", tot, 1);
        setenv("NOVA_EVAC_WAVE_HOSTS", list, 1);
        argv[0] = "sh";
        argv[1] = "-c";
        argv[2] = cmd;
        argv[3] = "nova-evac-between-waves";
        for (i = 0; i < nh; i++) argv[4 + i] = hosts[i];
        dup2(2, 1);
        execv("/bin/sh", (char *const *)argv);
        _exit(127);
    }
    while (waitpid(p, &st, 0) < 0)
        if (errno != EINTR) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Whether host's own journal holds an interrupted drain: its drain is
 * resumed, not started (a start disables and checks first). */
static bool
host_interrupted(const struct ne_config *cfg, const char *host)
{
    CLEANUP_FREE char *path = xasprintf("%s/%s.journal", cfg->state_dir, host);
    CLEANUP_FREE char *text = read_text(path);
    struct ne_jreplay r;
    bool yes;

    if (!text) return false;
    journal_replay_text(text, &r);
    yes = r.started && !r.finished;
    journal_replay_free(&r);
    return yes;
}

/* The destinations of wave k (1-based): the run's, but the hosts of this
 * wave and the later ones; the hosts of earlier waves only with Nova, whose
 * view keeps them out while their service is disabled. */
static size_t
wave_dests(const struct ne_waves_opts *o, const struct ne_waves *w, size_t k, const char ***out)
{
    const char **all = NULL, **v;
    size_t n = run_dests(o, &all), m = 0, i, j, l;

    v = xcalloc(n + 1, sizeof *v);
    for (i = 0; i < n; i++) {
        bool skip = false;
        for (j = 0; j < w->nw && !skip; j++)
            for (l = 0; w->w[j][l] && !skip; l++)
                if (str_eq(w->w[j][l], all[i])) skip = j + 1 >= k || !o->base->nova.fleet;
        if (!skip && !listed(v, m, all[i])) v[m++] = all[i];
    }
    free(all);
    *out = v;
    return m;
}

/* v[0..n-1], or up to its NULL, as a JSON array. */
static json_t *
strv_json(const char *const *v, size_t n)
{
    json_t *a = json_array();
    size_t i;

    for (i = 0; i < n && v[i]; i++) json_array_append_new(a, json_string(v[i]));
    return a;
}

static void
record(struct ne_journal *j, json_t *ev)
{
    /* a failed append is reported; the run then stops at the next check */
    (void)journal_append(j, ev);
}

static char *
resume_cmd(const struct ne_waves_opts *o)
{
    CLEANUP_FREE char *hs = joined_n(o->hosts, o->nhosts, " ");
    return xasprintf("nova-evac drain %s%s --resume", hs, o->waves ? " --waves" : "");
}

static int
run_waves(const struct ne_waves_opts *o, struct ne_journal *j, const struct ne_waves *w,
          const struct ne_waves_state *st, const char *between)
{
    CLEANUP_FREE char *again = resume_cmd(o);
    size_t k, i;
    int rc;

    for (k = 1; k <= w->nw; k++) {
        char *const *hs = w->w[k - 1];
        CLEANUP_FREE char *list = joined(hs, " ");
        if (st && k <= st->waves_done) {
            ne_info("wave %zu of %zu (%s): done before the interruption", k, w->nw, list);
            continue;
        }
        ne_info("wave %zu of %zu: emptying %s", k, w->nw, list);
        record(j, json_pack("{s:s, s:i, s:o}", "event", "wave", "wave", (int)k, "hosts",
                            strv_json((const char *const *)hs, SIZE_MAX)));
        for (i = 0; hs[i]; i++) {
            CLEANUP_FREE const char **to = NULL;
            size_t nto;
            if (st && ne_waves_host_done(st, hs[i])) {
                ne_info("wave %zu: %s was emptied before the interruption", k, hs[i]);
                continue;
            }
            nto = wave_dests(o, w, k, &to);
            if (nto == 0) {
                ne_error("wave %zu: %s has no destination left: every candidate is a host to "
                         "empty in this wave or a later one; give --to or fewer hosts", k, hs[i]);
                return NE_EXIT_USAGE;
            }
            rc = o->drain_host(o->ctx, hs[i], to, nto, host_interrupted(o->cfg, hs[i]));
            record(j, json_pack("{s:s, s:i, s:s, s:i}", "event", "host", "wave", (int)k, "host",
                                hs[i], "rc", rc));
            if (journal_failed(j)) {
                ne_error("drain: the waves journal %s could not be written; free space on its "
                         "filesystem, then '%s'", journal_path(j), again);
                return NE_EXIT_UNREACHABLE;
            }
            if (rc != NE_EXIT_OK) {
                ne_error("wave %zu: the drain of %s ended with exit code %d: not going on%s; "
                         "once it is dealt with, '%s'", k, hs[i], rc,
                         k < w->nw ? " to the next wave" : "", again);
                return rc;
            }
            if (ne_interrupted()) return NE_EXIT_INTERRUPTED;
        }
        if (k < w->nw && between && !(st && st->between_ok >= k)) {
            ne_info("wave %zu of %zu done: running the --between-waves command for %s", k, w->nw,
                    list);
            rc = run_between(between, k, w->nw, hs);
            record(j, json_pack("{s:s, s:i, s:i}", "event", "between", "wave", (int)k, "rc", rc));
            if (rc != 0) {
                ne_error("wave %zu: the --between-waves command %s (%s): wave %zu not started; "
                         "fix what it says, then '%s' (the command runs again first)", k,
                         rc < 0 ? "could not run or was killed" : "failed", rc < 0 ? "no exit "
                         "status" : "see its exit status above", k + 1, again);
                if (rc > 0) ne_info("the --between-waves command exited with status %d", rc);
                return NE_EXIT_PARTIAL;
            }
            if (ne_interrupted()) return NE_EXIT_INTERRUPTED;
        }
        record(j, json_pack("{s:s, s:i}", "event", "wave_done", "wave", (int)k));
        ne_info("wave %zu of %zu done: %s emptied", k, w->nw, list);
    }
    record(j, json_pack("{s:s}", "event", "finish"));
    return journal_failed(j) ? NE_EXIT_UNREACHABLE : NE_EXIT_OK;
}

static json_t *
waves_json(const struct ne_waves *w)
{
    json_t *a = json_array();
    size_t k;

    for (k = 0; k < w->nw; k++)
        json_array_append_new(a, strv_json((const char *const *)w->w[k], SIZE_MAX));
    return a;
}

/* The waves of the journal must be this run's hosts: the same set. */
static bool
same_hosts(const struct ne_waves_opts *o, const struct ne_waves *w)
{
    size_t k, i, n = 0;

    for (k = 0; k < w->nw; k++)
        for (i = 0; w->w[k][i]; i++, n++)
            if (!listed(o->hosts, o->nhosts, w->w[k][i])) return false;
    return n == o->nhosts;
}

int
ne_drain_waves(const struct ne_waves_opts *o)
{
    CLEANUP_FREE char *key = NULL, *hs = joined_n(o->hosts, o->nhosts, "+");
    CLEANUP_FREE char *text = NULL, *again = resume_cmd(o);
    struct ne_waves_state st = {0};
    struct ne_jreplay prior;
    struct ne_journal *j;
    struct wplan p;
    bool resuming;
    size_t k;
    int rc;

    if (o->dry_run) {
        plan_run(o, &p);
        print_plan(o, &p);
        rc = p.refused ? NE_EXIT_PARTIAL : NE_EXIT_OK;
        ne_waves_free(&p.w);
        json_decref(p.json);
        return rc;
    }
    key = xasprintf("waves-%s", hs);
    if (!(j = journal_open(o->cfg->state_dir, key, &prior))) return NE_EXIT_REFUSED;
    journal_replay_free(&prior);
    text = read_text(journal_path(j));
    ne_waves_replay_text(text ? text : "", &st);
    resuming = st.started && !st.finished;
    if (resuming && !o->resume) {
        ne_error("a drain of %s in waves was interrupted (journal %s); finish it with '%s'",
                 hs, journal_path(j), again);
        rc = NE_EXIT_REFUSED;
    } else if (resuming && (st.plan.nw == 0 || !same_hosts(o, &st.plan))) {
        ne_error("the waves journal %s does not name the hosts %s: it cannot be resumed as is; "
                 "move it aside to start again", journal_path(j), hs);
        rc = NE_EXIT_REFUSED;
    } else if (resuming) {
        for (k = 0; k < st.plan.nw; k++) {
            CLEANUP_FREE char *l = joined(st.plan.w[k], " ");
            ne_info("resuming: wave %zu of %zu is %s (from the journal)", k + 1, st.plan.nw, l);
        }
        rc = run_waves(o, j, &st.plan, &st, o->between ? o->between : st.between);
    } else {
        if (o->resume) ne_info("no interrupted drain of %s in waves to resume; starting a new one",
                               hs);
        if (st.started && journal_rotate(j) < 0) {
            rc = NE_EXIT_PARTIAL;
        } else {
            plan_run(o, &p);
            if (!o->json) print_plan(o, &p);
            record(j, json_pack("{s:s, s:o, s:o, s:s?, s:s}", "event", "start", "hosts",
                                strv_json(o->hosts, o->nhosts), "waves", waves_json(&p.w), "between",
                                o->between, "source", p.how));
            rc = journal_failed(j) ? NE_EXIT_UNREACHABLE : run_waves(o, j, &p.w, NULL, o->between);
            ne_waves_free(&p.w);
            json_decref(p.json);
        }
    }
    ne_waves_state_free(&st);
    journal_close(j);
    return rc;
}
