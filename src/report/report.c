/* SPDX-License-Identifier: Apache-2.0 */
/* report.c: a drain's journal as one self-contained HTML page (report.h). */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "report/report.h"
#include "util/log.h"
#include "util/mem.h"

static const char *
jstr(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static long long
jint(json_t *o, const char *k, long long def)
{
    json_t *v = json_object_get(o, k);
    if (json_is_integer(v)) return (long long)json_integer_value(v);
    if (json_is_real(v)) return (long long)json_real_value(v);
    return def;
}

static struct ne_rlane *
lane(struct ne_rmodel *m, const char *uuid, const char *name)
{
    size_t i;
    struct ne_rlane *l;

    for (i = 0; i < m->n; i++)
        if (strcmp(m->lanes[i].uuid, uuid) == 0) {
            if (name[0]) snprintf(m->lanes[i].name, sizeof m->lanes[i].name, "%s", name);
            return &m->lanes[i];
        }
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 16;
        m->lanes = xrealloc(m->lanes, m->cap * sizeof *m->lanes);
    }
    l = &m->lanes[m->n++];
    memset(l, 0, sizeof *l);
    snprintf(l->uuid, sizeof l->uuid, "%s", uuid);
    snprintf(l->name, sizeof l->name, "%s", name[0] ? name : uuid);
    l->t_queued = l->t_start = l->t_switch = l->t_switched = l->t_end = -1;
    l->bytes = l->downtime_ms = -1;
    l->seconds = -1;
    l->exit_code = -1;
    l->state = NE_R_QUEUED;
    return l;
}

/* The next step of a failure: the command its reason names, else one by
 * its exit code. */
static void
next_step(const struct ne_rmodel *m, struct ne_rlane *l)
{
    const char *q = strstr(l->reason, "'nova-evac "), *e;

    if (q && (e = strchr(q + 1, '\''))) {
        snprintf(l->next, sizeof l->next, "run %.*s", (int)(e - q + 1), q);
    } else if (l->exit_code == 3) {
        snprintf(l->next, sizeof l->next, "nothing was changed: fix what the refusal names (%s), "
                 "then run 'nova-evac drain %s' again: it moves what is left",
                 l->detail[0] ? "above" : "the drain's output says why",
                 m->host[0] ? m->host : "HOST");
    } else {
        snprintf(l->next, sizeof l->next, "see where it is with 'nova-evac stuck %s', then run "
                 "'nova-evac drain %s --resume'", m->host[0] ? m->host : "HOST",
                 m->host[0] ? m->host : "HOST");
    }
}

static void
event(struct ne_rmodel *m, json_t *ev)
{
    const char *what = jstr(ev, "event"), *uuid = jstr(ev, "uuid");
    long long t = jint(ev, "ts_ms", -1);
    struct ne_rlane *l;

    if (t < 0 && (t = jint(ev, "ts", -1)) >= 0) t *= 1000;
    if (t >= 0) {
        if (m->t0 < 0 || t < m->t0) m->t0 = t;
        if (t > m->t1) m->t1 = t;
    }
    if (strcmp(what, "start") == 0) {
        snprintf(m->host, sizeof m->host, "%s", jstr(ev, "host"));
        return;
    }
    if (strcmp(what, "finish") == 0) {
        m->finished = true;
        return;
    }
    if (strcmp(what, "staged") == 0) {
        if (m->nstaged < sizeof m->staged_t / sizeof m->staged_t[0]) {
            m->staged_t[m->nstaged] = t;
            snprintf(m->staged_host[m->nstaged], sizeof m->staged_host[0], "%s", jstr(ev, "host"));
            m->nstaged++;
        }
        return;
    }
    if (!uuid[0]) return;
    if (strcmp(what, "planned") == 0) {
        l = lane(m, uuid, jstr(ev, "name"));
        l->t_queued = t;
        snprintf(l->method, sizeof l->method, "%s", jstr(ev, "method"));
    } else if (strcmp(what, "migrating") == 0) {
        l = lane(m, uuid, jstr(ev, "name"));
        l->attempts++;
        l->state = NE_R_MIGRATING;
        l->t_start = t;
        l->t_switch = l->t_switched = l->t_end = -1;
        if (l->t_queued < 0) l->t_queued = t;
        snprintf(l->method, sizeof l->method, "%s", jstr(ev, "method"));
    } else if (strcmp(what, "job-done") == 0 || strcmp(what, "defined") == 0) {
        l = lane(m, uuid, "");
        if (l->t_switch < 0) l->t_switch = t;
    } else if (strcmp(what, "started") == 0) {
        l = lane(m, uuid, "");
        l->t_switched = t;
    } else if (strcmp(what, "moved") == 0) {
        long long d = jint(ev, "disk_bytes", -1), b = jint(ev, "data_bytes", -1);
        json_t *s = json_object_get(ev, "seconds");
        l = lane(m, uuid, jstr(ev, "name"));
        l->state = NE_R_MOVED;
        l->t_end = t;
        l->bytes = d < 0 && b < 0 ? -1 : (d < 0 ? 0 : d) + (b < 0 ? 0 : b);
        l->downtime_ms = jint(ev, "downtime_ms", -1);
        l->seconds = json_is_number(s) ? json_number_value(s) : -1;
        l->reason[0] = l->next[0] = l->detail[0] = '\0';
    } else if (strcmp(what, "gone") == 0) {
        l = lane(m, uuid, jstr(ev, "name"));
        l->state = NE_R_GONE;
        l->t_end = t;
        snprintf(l->reason, sizeof l->reason, "%s", jstr(ev, "reason"));
        l->next[0] = l->detail[0] = '\0';
    } else if (strcmp(what, "failed") == 0 || strcmp(what, "unresolved") == 0) {
        l = lane(m, uuid, jstr(ev, "name"));
        l->state = NE_R_FAILED;
        l->t_end = t;
        l->exit_code = (int)jint(ev, "exit", -1);
        snprintf(l->reason, sizeof l->reason, "%s", jstr(ev, "reason"));
        snprintf(l->detail, sizeof l->detail, "%s", jstr(ev, "detail"));
        next_step(m, l);
    } else {
        return;
    }
    if (jstr(ev, "dest")[0]) snprintf(l->dest, sizeof l->dest, "%s", jstr(ev, "dest"));
}

void
ne_report_model(const char *text, struct ne_rmodel *m)
{
    const char *p = text;

    memset(m, 0, sizeof *m);
    m->t0 = m->t1 = -1;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (len) {
            json_t *ev = json_loadb(p, len, 0, NULL);
            if (json_is_object(ev)) event(m, ev);
            else m->bad_lines++;
            json_decref(ev);
        }
        p += len + (nl ? 1 : 0);
    }
    if (m->t0 < 0) m->t0 = m->t1 = 0;
}

void
ne_report_model_free(struct ne_rmodel *m)
{
    free(m->lanes);
    memset(m, 0, sizeof *m);
}

static int
cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

struct ne_rconc *
ne_report_concurrency(const struct ne_rmodel *m, size_t *n)
{
    struct ne_rconc *c = NULL;
    size_t nc = 0, i, k;

    for (i = 0; i < m->n; i++) {
        const struct ne_rlane *l = &m->lanes[i];
        if (!l->dest[0] || l->t_start < 0) continue;
        for (k = 0; k < nc && strcmp(c[k].dest, l->dest) != 0; k++)
            ;
        if (k == nc) {
            c = xrealloc(c, (nc + 1) * sizeof *c);
            memset(&c[nc], 0, sizeof c[nc]);
            snprintf(c[nc].dest, sizeof c[nc].dest, "%s", l->dest);
            nc++;
        }
    }
    for (k = 0; k < nc; k++) {
        /* every start and end as an edge (+1, -1), ends sorted before
         * starts at the same time: a move ending when another starts is
         * not two at once */
        size_t ne = 0, j;
        long long *edges = xcalloc(2 * m->n + 1, sizeof *edges);
        unsigned cur = 0;
        for (i = 0; i < m->n; i++) {
            const struct ne_rlane *l = &m->lanes[i];
            long long end = l->t_end >= 0 ? l->t_end : m->t1;
            if (strcmp(l->dest, c[k].dest) != 0 || l->t_start < 0) continue;
            edges[ne++] = l->t_start * 2 + 1;
            edges[ne++] = end * 2;
        }
        qsort(edges, ne, sizeof *edges, cmp_ll);
        c[k].at = xcalloc(ne + 1, sizeof *c[k].at);
        c[k].count = xcalloc(ne + 1, sizeof *c[k].count);
        for (j = 0; j < ne; j++) {
            long long at = edges[j] / 2;
            if (edges[j] & 1) cur++;
            else if (cur) cur--;
            if (c[k].n && c[k].at[c[k].n - 1] == at) c[k].count[c[k].n - 1] = cur;
            else {
                c[k].at[c[k].n] = at;
                c[k].count[c[k].n++] = cur;
            }
            if (cur > c[k].peak) c[k].peak = cur;
        }
        free(edges);
    }
    *n = nc;
    return c;
}

void
ne_report_concurrency_free(struct ne_rconc *c, size_t n)
{
    size_t k;
    for (k = 0; k < n; k++) {
        free(c[k].at);
        free(c[k].count);
    }
    free(c);
}

void
ne_html_escape(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default:
            if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t') fputs("\xef\xbf\xbd", f);
            else fputc(*s, f);
        }
    }
}

static const char *
state_name(enum ne_rstate s)
{
    static const char *n[] = {"queued", "migrating", "moved", "failed", "gone"};
    return n[s];
}

/* fmt_bytes (util/mem.h), or "?" when unknown */
static void
bytes_or_q(long long b, char *out, size_t len)
{
    if (b < 0) snprintf(out, len, "?");
    else fmt_bytes((unsigned long long)b, out, len);
}

static void
fmt_time(long long ms, char *out, size_t len)
{
    time_t s = (time_t)(ms / 1000);
    struct tm tm;

    gmtime_r(&s, &tm);
    strftime(out, len, "%Y-%m-%d %H:%M:%SZ", &tm);
}

#define LABEL_W 240
#define PLOT_W 640
#define FIG_W 1100
#define LANE_H 24

static double
xpos(const struct ne_rmodel *m, long long t)
{
    long long span = m->t1 - m->t0;
    if (span <= 0) span = 1;
    return LABEL_W + (double)(t - m->t0) * PLOT_W / (double)span;
}

static void
rect(FILE *f, const char *cls, double x0, double x1, int y, const char *tip)
{
    if (x1 - x0 < 2) x1 = x0 + 2;
    fprintf(f, "<rect class=\"%s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\"><title>", cls,
            x0, y + 4, x1 - x0, LANE_H - 8);
    ne_html_escape(f, tip);
    fputs("</title></rect>", f);
}

static void
axis(FILE *f, const struct ne_rmodel *m, int y)
{
    long long span = m->t1 - m->t0, step = 1000;
    static const long long steps[] = {100, 200, 500, 1000, 2000, 5000, 10000, 30000, 60000,
                                      120000, 300000, 600000, 1800000, 3600000, 7200000};
    size_t i;
    long long t;

    for (i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if ((step = steps[i]) * 10 >= span) break;
    for (t = 0; t <= span; t += step) {
        double x = xpos(m, m->t0 + t);
        fprintf(f, "<line class=\"tick\" x1=\"%.1f\" y1=\"0\" x2=\"%.1f\" y2=\"%d\"/>"
                   "<text class=\"ax\" x=\"%.1f\" y=\"%d\">%.*fs</text>",
                x, x, y, x, y + 14, step < 1000 ? 1 : 0, (double)t / 1000);
    }
}

static void
timeline(FILE *f, const struct ne_rmodel *m)
{
    int h = (int)(m->n + (m->nstaged ? 1 : 0)) * LANE_H + 24, y = 0;
    size_t i;
    char b[32], tip[1200];

    fprintf(f, "<svg id=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
               "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n", FIG_W, h, FIG_W, h);
    /* a long name is cut at the plot, not drawn over it (its full text is
     * in the table below) */
    fprintf(f, "<clipPath id=\"lblclip\"><rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\"/>"
               "</clipPath>\n", LABEL_W - 8, h);
    axis(f, m, h - 20);
    if (m->nstaged) {
        fprintf(f, "<g class=\"staging\"><text class=\"lbl\" x=\"4\" y=\"%d\">base images staged"
                   "</text>", LANE_H - 8);
        for (i = 0; i < m->nstaged; i++) {
            snprintf(tip, sizeof tip, "staging: a base image on %s", m->staged_host[i]);
            rect(f, "ph-staging", xpos(m, m->staged_t[i]) - 2, xpos(m, m->staged_t[i]), 0, tip);
        }
        fputs("</g>\n", f);
        y += LANE_H;
    }
    for (i = 0; i < m->n; i++, y += LANE_H) {
        const struct ne_rlane *l = &m->lanes[i];
        long long end = l->t_end >= 0 ? l->t_end : m->t1;
        fprintf(f, "<g class=\"lane\" data-uuid=\"%s\" data-state=\"%s\" data-bytes=\"%lld\" "
                   "data-downtime-ms=\"%lld\" data-name=\"", l->uuid, state_name(l->state),
                l->bytes, l->downtime_ms);
        ne_html_escape(f, l->name);
        fprintf(f, "\"><text class=\"lbl\" x=\"4\" y=\"%d\" clip-path=\"url(#lblclip)\">",
                y + LANE_H - 8);
        ne_html_escape(f, l->name);
        fputs("</text>", f);
        if (l->t_queued >= 0)
            rect(f, "ph-queued", xpos(m, l->t_queued),
                 xpos(m, l->t_start >= 0 ? l->t_start : end), y, "queued");
        if (l->t_start >= 0) {
            long long mig_end = l->t_switch >= 0 ? l->t_switch : end;
            bool failed = l->state == NE_R_FAILED;
            snprintf(tip, sizeof tip, "%s %s to %s, attempt %u", failed ? "failed:" : "migrating",
                     l->method, l->dest, l->attempts);
            rect(f, failed ? "ph-failed" : "ph-migrating", xpos(m, l->t_start), xpos(m, mig_end),
                 y, tip);
            if (l->t_switch >= 0) {
                long long sw_end = l->t_switched >= 0 ? l->t_switched : l->t_switch;
                double x0 = xpos(m, l->t_switch), x1 = xpos(m, sw_end);
                if (l->downtime_ms > 0 && l->t_switched < 0) {
                    x1 = x0;
                    x0 = xpos(m, l->t_switch - l->downtime_ms);
                }
                snprintf(tip, sizeof tip, "switch-over, downtime %lld ms", l->downtime_ms);
                rect(f, "ph-switch", x0, x1, y, tip);
                rect(f, failed ? "ph-failed" : "ph-verify", xpos(m, sw_end), xpos(m, end), y,
                     failed ? "failed" : "verify: the guest runs on the destination, source "
                     "cleaned, Nova told");
            }
        }
        if (l->state == NE_R_FAILED && l->t_start < 0 && l->t_end >= 0)
            rect(f, "ph-failed", xpos(m, l->t_end), xpos(m, l->t_end), y, "failed before moving");
        bytes_or_q(l->bytes, b, sizeof b);
        fprintf(f, "<text class=\"fig\" x=\"%.1f\" y=\"%d\">", xpos(m, m->t1) + 6, y + LANE_H - 8);
        if (l->state == NE_R_FAILED) fputs("FAILED", f);
        else if (l->state == NE_R_MOVED)
            fprintf(f, "%s, downtime %lld ms", b, l->downtime_ms < 0 ? 0 : l->downtime_ms);
        else fputs(state_name(l->state), f);
        fputs("</text></g>\n", f);
    }
    fputs("</svg>\n", f);
}

static void
concurrency(FILE *f, const struct ne_rmodel *m)
{
    size_t nc, k, j;
    struct ne_rconc *c = ne_report_concurrency(m, &nc);
    unsigned peak = 1;
    int h;

    for (k = 0; k < nc; k++)
        if (c[k].peak > peak) peak = c[k].peak;
    h = (int)nc * 60 + 24;
    fprintf(f, "<svg id=\"concurrency\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
               "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n", FIG_W, h, FIG_W, h);
    axis(f, m, h - 20);
    for (k = 0; k < nc; k++) {
        int base = (int)k * 60 + 52;
        double scale = 44.0 / peak, x = xpos(m, m->t0);
        unsigned cur = 0;
        fprintf(f, "<g class=\"dest\" data-dest=\"");
        ne_html_escape(f, c[k].dest);
        fprintf(f, "\" data-peak=\"%u\"><text class=\"lbl\" x=\"4\" y=\"%d\">", c[k].peak,
                base - 20);
        ne_html_escape(f, c[k].dest);
        fprintf(f, " (peak %u)</text><polyline class=\"conc\" points=\"%.1f,%d", c[k].peak, x,
                base);
        for (j = 0; j < c[k].n; j++) {
            double nx = xpos(m, c[k].at[j]);
            fprintf(f, " %.1f,%.1f %.1f,%.1f", nx, base - cur * scale, nx,
                    base - c[k].count[j] * scale);
            cur = c[k].count[j];
        }
        fprintf(f, " %.1f,%.1f\"/></g>\n", xpos(m, m->t1), base - cur * scale);
    }
    fputs("</svg>\n", f);
    ne_report_concurrency_free(c, nc);
}

static void
td(FILE *f, const char *s)
{
    fputs("<td>", f);
    ne_html_escape(f, s);
    fputs("</td>", f);
}

void
ne_report_html(FILE *f, const struct ne_rmodel *m, const char *title)
{
    size_t i, moved = 0, failed = 0, other = 0;
    long long bytes = 0, maxdown = -1;
    char b[32], t0[40], t1[40];

    for (i = 0; i < m->n; i++) {
        const struct ne_rlane *l = &m->lanes[i];
        if (l->state == NE_R_MOVED) moved++;
        else if (l->state == NE_R_FAILED) failed++;
        else other++;
        if (l->bytes > 0) bytes += l->bytes;
        if (l->downtime_ms > maxdown) maxdown = l->downtime_ms;
    }
    fmt_time(m->t0, t0, sizeof t0);
    fmt_time(m->t1, t1, sizeof t1);
    /* The policy forbids every script and outside fetch: the page is
     * read as it is, and a name that slipped past escaping could not
     * run (the browser would say so on its console). */
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "style-src 'unsafe-inline'; img-src data:\">\n<title>Drain of ", f);
    ne_html_escape(f, m->host);
    fputs("</title>\n<style>\n"
          "body{font:14px/1.4 sans-serif;margin:1.5em;color:#222}\n"
          "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #bbb;padding:2px 8px;"
          "text-align:left}\nth{background:#eee}.num{text-align:right}\n"
          ".lbl,.fig,.ax{font:12px sans-serif;fill:#222}.ax{fill:#666}\n"
          ".tick{stroke:#ddd}.conc{fill:none;stroke:#3367d6;stroke-width:2}\n"
          ".ph-queued{fill:#d0d0d0}.ph-staging{fill:#b38600}.ph-migrating{fill:#3367d6}"
          ".ph-switch{fill:#e8710a}.ph-verify{fill:#34a853}.ph-failed{fill:#d93025}\n"
          ".key span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px}\n"
          ".failure{border-left:4px solid #d93025;padding:.2em .8em;margin:.6em 0}\n"
          "</style></head><body>\n<h1>Drain of ", f);
    ne_html_escape(f, m->host);
    fputs("</h1>\n<p>From ", f);
    fprintf(f, "%s to %s (%.1f s)%s. Journal: ", t0, t1, (double)(m->t1 - m->t0) / 1000,
            m->finished ? "" : "; the drain did not finish in this journal");
    ne_html_escape(f, title);
    if (m->bad_lines) fprintf(f, " (%zu torn or malformed lines skipped)", m->bad_lines);
    fputs(".</p>\n<h2>Summary</h2>\n<table id=\"summary\"><tr><th>instances</th><th>moved</th>"
          "<th>failed</th><th>not finished</th><th>bytes moved</th><th>longest downtime</th></tr>",
          f);
    bytes_or_q(bytes, b, sizeof b);
    fprintf(f, "<tr><td class=\"num\">%zu</td><td class=\"num\">%zu</td><td class=\"num\">%zu"
               "</td><td class=\"num\">%zu</td><td class=\"num\" data-bytes=\"%lld\">%s</td>"
               "<td class=\"num\">%lld ms</td></tr></table>\n",
            m->n, moved, failed, other, bytes, b, maxdown < 0 ? 0 : maxdown);
    fputs("<h2>Timeline</h2>\n<p class=\"key\"><span class=\"ph-queued\" style=\"background:"
          "#d0d0d0\"></span>queued<span style=\"background:#b38600\"></span>staging"
          "<span style=\"background:#3367d6\"></span>migrating<span style=\"background:#e8710a\">"
          "</span>switch-over (downtime)<span style=\"background:#34a853\"></span>verify"
          "<span style=\"background:#d93025\"></span>failed</p>\n", f);
    timeline(f, m);
    fputs("<h2>Migrations in flight per destination</h2>\n", f);
    concurrency(f, m);
    fputs("<h2>Migrations</h2>\n<table id=\"migrations\"><tr><th>instance</th><th>uuid</th>"
          "<th>destination</th><th>method</th><th>state</th><th>attempts</th><th>bytes</th>"
          "<th>downtime</th><th>seconds</th></tr>\n", f);
    for (i = 0; i < m->n; i++) {
        const struct ne_rlane *l = &m->lanes[i];
        char s[32], d[32];
        bytes_or_q(l->bytes, b, sizeof b);
        snprintf(d, sizeof d, l->downtime_ms < 0 ? "?" : "%lld ms", l->downtime_ms);
        snprintf(s, sizeof s, l->seconds < 0 ? "?" : "%.1f", l->seconds);
        fputs("<tr>", f);
        td(f, l->name);
        td(f, l->uuid);
        td(f, l->dest);
        td(f, l->method);
        td(f, state_name(l->state));
        fprintf(f, "<td class=\"num\">%u</td><td class=\"num\" data-bytes=\"%lld\">%s</td>"
                   "<td class=\"num\">%s</td><td class=\"num\">%s</td></tr>\n",
                l->attempts, l->bytes, b, d, s);
    }
    fputs("</table>\n<h2>Failures</h2>\n", f);
    if (!failed) fputs("<p>None.</p>\n", f);
    for (i = 0; i < m->n; i++) {
        const struct ne_rlane *l = &m->lanes[i];
        if (l->state != NE_R_FAILED) continue;
        fputs("<div class=\"failure\"><p><b>", f);
        ne_html_escape(f, l->name);
        fputs("</b> (", f);
        ne_html_escape(f, l->uuid);
        fputs("): <span class=\"reason\">", f);
        ne_html_escape(f, l->reason);
        fputs("</span></p>", f);
        if (l->detail[0]) {
            fputs("<p>The move said: <span class=\"detail\">", f);
            ne_html_escape(f, l->detail);
            fputs("</span></p>", f);
        }
        fputs("<p>Next step: <span class=\"next\">", f);
        ne_html_escape(f, l->next);
        fputs("</span></p></div>\n", f);
    }
    fputs("</body></html>\n", f);
}

int
ne_report_file(const char *path, FILE *out)
{
    FILE *f = fopen(path, "r");
    char *text = NULL;
    size_t len = 0, cap = 0, got;
    struct ne_rmodel m;

    if (!f) {
        ne_syserror("report: cannot read the journal %s", path);
        return -1;
    }
    do {
        if (cap - len < 65536) text = xrealloc(text, cap = cap ? cap * 2 : 131072);
        got = fread(text + len, 1, cap - len - 1, f);
        len += got;
    } while (got > 0);
    if (ferror(f)) {
        ne_syserror("report: cannot read the journal %s", path);
        fclose(f);
        free(text);
        return -1;
    }
    fclose(f);
    text[len] = '\0';
    /* NUL bytes (a crash after the size grew) end the text here; the
     * lines before them are the report */
    ne_report_model(text, &m);
    free(text);
    if (m.n == 0 && m.t1 == 0) {
        ne_error("report: %s holds no drain record: is it a drain journal (<state_dir>/HOST."
                 "journal)?", path);
        ne_report_model_free(&m);
        return -1;
    }
    ne_report_html(out, &m, path);
    ne_report_model_free(&m);
    if (fflush(out) != 0 || ferror(out)) {
        ne_syserror("report: cannot write the report of %s", path);
        return -1;
    }
    return 0;
}
