/* SPDX-License-Identifier: Apache-2.0 */
/* report-t.c: the drain report's model (lanes, phases, figures, next steps,
 * per-destination concurrency) from journal text, and its escaping. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "tap.h"

#define U1 "11111111-0000-4000-8000-000000000001"
#define U2 "22222222-0000-4000-8000-000000000002"
#define U3 "33333333-0000-4000-8000-000000000003"

/* A drain of node01: vm-a live to node02 (2 GiB, 40 ms down), vm-b cold
 * to node02 at the same time, refused; <script> live to node03, moved. */
static const char journal[] =
    "{\"event\":\"start\",\"host\":\"node01\",\"instances\":3,\"ts\":1000,\"ts_ms\":1000000}\n"
    "{\"event\":\"planned\",\"uuid\":\"" U1 "\",\"name\":\"vm-a\",\"dest\":\"node02\",\"method\":"
    "\"live-block\",\"ts\":1000,\"ts_ms\":1000100}\n"
    "{\"event\":\"planned\",\"uuid\":\"" U2 "\",\"name\":\"vm-b\",\"dest\":\"node02\",\"method\":"
    "\"cold\",\"ts\":1000,\"ts_ms\":1000100}\n"
    "{\"event\":\"planned\",\"uuid\":\"" U3 "\",\"name\":\"<script>alert(1)</script>\",\"dest\":"
    "\"node03\",\"method\":\"live\",\"ts\":1000,\"ts_ms\":1000100}\n"
    "{\"event\":\"staged\",\"host\":\"node02\",\"path\":\"/x\",\"ts\":1000,\"ts_ms\":1000200}\n"
    "{\"event\":\"migrating\",\"uuid\":\"" U1 "\",\"name\":\"vm-a\",\"dest\":\"node02\",\"attempt"
    "\":1,\"method\":\"live-block\",\"ts\":1001,\"ts_ms\":1001000}\n"
    "{\"event\":\"migrating\",\"uuid\":\"" U2 "\",\"name\":\"vm-b\",\"dest\":\"node02\",\"attempt"
    "\":1,\"method\":\"cold\",\"ts\":1001,\"ts_ms\":1001500}\n"
    "{\"event\":\"failed\",\"uuid\":\"" U2 "\",\"name\":\"vm-b\",\"dest\":\"node02\",\"reason\":"
    "\"refused by a safety check (exit 3); it stays on node01\",\"exit\":3,\"detail\":"
    "\"vm-b: /i/disk already exists on node02: refusing <b>\",\"ts\":1002,"
    "\"ts_ms\":1002000}\n"
    "{\"event\":\"job-done\",\"uuid\":\"" U1 "\",\"host\":\"node02\",\"ts\":1005,\"ts_ms\":1005000}\n"
    "{\"event\":\"moved\",\"uuid\":\"" U1 "\",\"name\":\"vm-a\",\"dest\":\"node02\",\"recorded\":"
    "true,\"seconds\":4.5,\"downtime_ms\":40,\"disk_bytes\":2147483648,\"data_bytes\":1000,"
    "\"ts\":1005,\"ts_ms\":1005500}\n"
    "{\"event\":\"migrating\",\"uuid\":\"" U3 "\",\"name\":\"<script>alert(1)</script>\",\"dest"
    "\":\"node03\",\"attempt\":1,\"method\":\"live\",\"ts\":1005,\"ts_ms\":1005600}\n"
    "{\"event\":\"moved\",\"uuid\":\"" U3 "\",\"name\":\"<script>alert(1)</script>\",\"dest\":"
    "\"node03\",\"seconds\":1,\"downtime_ms\":5,\"disk_bytes\":0,\"data_bytes\":300,\"ts\":1006,"
    "\"ts_ms\":1006600}\n"
    "{\"event\":\"finish\",\"host\":\"node01\",\"moved\":2,\"not_moved\":1,\"ts\":1007,\"ts_ms\":"
    "1007000}\n"
    "{\"event\":\"migr";  /* torn tail */

static char *
html_of(const struct ne_rmodel *m)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    ne_report_html(f, m, "node01.journal");
    fclose(f);
    return buf;
}

static size_t
count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (; (hay = strstr(hay, needle)); hay++) n++;
    return n;
}

int
main(void)
{
    struct ne_rmodel m;
    struct ne_rconc *c;
    size_t nc, len;
    char *html, *esc;
    FILE *f;

    ne_report_model(journal, &m);
    is_str(m.host, "node01", "the host from the start record");
    is_int(m.n, 3, "one lane per instance");
    is_int(m.bad_lines, 1, "the torn last line is counted and skipped");
    ok(m.finished, "the finish record seen");
    is_int(m.t0, 1000000, "the timeline starts at the first record (ms)");
    is_int(m.t1, 1007000, "and ends at the last");
    is_int(m.nstaged, 1, "a staged base image");
    is_str(m.lanes[0].name, "vm-a", "lanes in plan order");
    is_int(m.lanes[0].state, NE_R_MOVED, "vm-a moved");
    is_int(m.lanes[0].bytes, 2147483648LL + 1000, "bytes: disk plus memory/data");
    is_int(m.lanes[0].downtime_ms, 40, "downtime from the moved record");
    is_int(m.lanes[0].t_queued, 1000100, "queued from the plan");
    is_int(m.lanes[0].t_start, 1001000, "migrating from its migrating record");
    is_int(m.lanes[0].t_switch, 1005000, "switch-over at job-done");
    is_int(m.lanes[0].t_end, 1005500, "ends at moved");
    is_int(m.lanes[1].state, NE_R_FAILED, "vm-b failed");
    is_int(m.lanes[1].exit_code, 3, "its exit code");
    ok(strstr(m.lanes[1].next, "'nova-evac drain node01' again") != NULL,
       "a refusal's next step: fix it, then drain again (%s)", m.lanes[1].next);
    is_int(m.lanes[1].bytes, -1, "a failure has no byte count");
    is_str(m.lanes[2].name, "<script>alert(1)</script>", "the hostile name kept as data");

    c = ne_report_concurrency(&m, &nc);
    is_int(nc, 2, "two destinations");
    is_str(c[0].dest, "node02", "node02 first");
    is_int(c[0].peak, 2, "node02: vm-a and vm-b at once");
    is_int(c[1].peak, 1, "node03: one");
    ok(c[0].n >= 3 && c[0].count[c[0].n - 1] == 0, "node02 ends at zero");
    ne_report_concurrency_free(c, nc);

    html = html_of(&m);
    ok(strstr(html, "<script") == NULL, "no <script in the page, whatever the names");
    is_int(count(html, "&lt;script&gt;alert(1)&lt;/script&gt;"), 3,
           "the hostile name escaped: its lane's label and attribute, the table");
    is_int(count(html, "<g class=\"lane\""), 3, "three lanes in the SVG");
    ok(strstr(html, "data-bytes=\"2147484648\"") != NULL, "vm-a's bytes on its lane");
    ok(strstr(html, "class=\"next\">nothing was changed") != NULL, "the failure's next step");
    ok(strstr(html, "refused by a safety check (exit 3)") != NULL, "the failure's reason");
    ok(strstr(html, "<span class=\"detail\">vm-b: /i/disk already exists on node02: refusing "
                    "&lt;b&gt;</span>") != NULL, "what the move said, escaped");
    is_str(m.lanes[1].detail, "vm-b: /i/disk already exists on node02: refusing <b>",
           "the failure's detail in the model");
    is_int(count(html, "http:") + count(html, "https:"), count(html, "http://www.w3.org/2000/svg"),
           "no outside URL but the SVG namespace");
    ok(strstr(html, "ph-switch") && strstr(html, "ph-queued") && strstr(html, "ph-staging") &&
       strstr(html, "ph-failed") && strstr(html, "ph-verify"), "every phase drawn");
    free(html);
    ne_report_model_free(&m);

    /* A failure whose reason names its command: that command is the step. */
    ne_report_model("{\"event\":\"failed\",\"uuid\":\"" U1 "\",\"name\":\"x\",\"reason\":\"node02's "
                    "libvirtd did not answer for 300 s; bring it back, then 'nova-evac drain "
                    "node01 --resume'\",\"ts\":5}\n", &m);
    is_str(m.lanes[0].next, "run 'nova-evac drain node01 --resume'", "the reason's own command");
    is_int(m.t0, 5000, "seconds-only records (older journals) in ms");
    ne_report_model_free(&m);

    f = open_memstream(&esc, &len);
    ne_html_escape(f, "a<b>&\"'\x01z");
    fclose(f);
    is_str(esc, "a&lt;b&gt;&amp;&quot;&#39;\xef\xbf\xbdz", "escaping: markup and control bytes");
    free(esc);
    return done_testing();
}
