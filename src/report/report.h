/* SPDX-License-Identifier: Apache-2.0 */
/* report.h: the HTML report of a drain, from its journal (issue 17).
 * Journal text -> a plain model (one lane per instance, its phases and
 * figures; pure, unit-tested) -> one self-contained HTML file with an SVG
 * timeline (no external asset, no script).  Every string from the journal
 * is escaped: instance names are hostile input. */
#ifndef NE_REPORT_H
#define NE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* NE_R_GONE: deleted in Nova during the drain (its "gone" record). */
enum ne_rstate { NE_R_QUEUED, NE_R_MIGRATING, NE_R_MOVED, NE_R_FAILED, NE_R_GONE };

/* One instance.  Times are milliseconds since the epoch, -1 when the
 * journal does not hold them. */
struct ne_rlane {
    char uuid[37];
    char name[256];
    char dest[256];
    char method[32];
    enum ne_rstate state;
    unsigned attempts;
    long long t_queued;     /* "planned" */
    long long t_start;      /* the last "migrating" */
    long long t_switch;     /* job-done (live) or defined (cold): the switch-over begins */
    long long t_switched;   /* started on the destination (cold) */
    long long t_end;        /* "moved" or "failed" */
    long long bytes;        /* disk_bytes + data_bytes of the move, -1 unknown */
    long long downtime_ms;  /* the guest's pause at switch-over, -1 unknown */
    double seconds;         /* the move's wall time, -1 unknown */
    int exit_code;          /* of a failure, -1 unknown */
    char reason[768];       /* of a failure */
    char detail[1024];      /* what the move said (its last error), may be empty */
    char next[768];         /* its next step */
};

struct ne_rmodel {
    char host[256];
    long long t0, t1;      /* first and last record */
    struct ne_rlane *lanes;
    size_t n, cap;
    long long staged_t[64]; /* base images staged before the moves */
    char staged_host[64][64];
    size_t nstaged;
    size_t bad_lines;      /* torn or malformed lines skipped */
    bool finished;
};

/* The concurrency of one destination over time: a step function, at[i]
 * the time from which count[i] moves run into it. */
struct ne_rconc {
    char dest[256];
    long long *at;
    unsigned *count;
    size_t n;
    unsigned peak;
};

/* Builds the model from journal text (pure; lines that do not parse are
 * counted and skipped). */
void ne_report_model(const char *text, struct ne_rmodel *m);
void ne_report_model_free(struct ne_rmodel *m);
/* The per-destination concurrency of m (newly allocated array, *n set). */
struct ne_rconc *ne_report_concurrency(const struct ne_rmodel *m, size_t *n);
void ne_report_concurrency_free(struct ne_rconc *c, size_t n);
/* Writes s to f escaped for HTML text and attribute values. */
void ne_html_escape(FILE *f, const char *s);
/* Writes the whole HTML document; title names the journal. */
void ne_report_html(FILE *f, const struct ne_rmodel *m, const char *title);
/* Reads the journal file at path and writes its report to out: 0, or -1
 * (reported, naming the file). */
int ne_report_file(const char *path, FILE *out);

#endif
