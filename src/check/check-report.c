/* SPDX-License-Identifier: Apache-2.0 */
/* check-report.c: the output of `nova-evac check` (text or JSON) and the
 * capabilities line/object that inspect and plan show too. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "check/check.h"
#include "util/mem.h"
#include "util/table.h"

const char *
ne_caps_line(const struct ne_caps *c, char *buf, size_t len)
{
    char lv[32], qv[32], a[96], b[96], d[96];

    if (!c) {
        snprintf(buf, len, "capabilities unknown");
        return buf;
    }
    snprintf(buf, len, "libvirt %s, QEMU %s%s; migration parameters %s, sparse streams %s, "
             "job statistics %s",
             ne_version_str(c->libvirt_version, lv, sizeof lv),
             ne_version_str(c->qemu_version, qv, sizeof qv), c->legacy ? " (legacy)" : "",
             ne_caps_say(c->migration_params, c->params_how, a, sizeof a),
             ne_caps_say(c->sparse_streams, c->sparse_how, b, sizeof b),
             ne_caps_say(c->job_stats, c->stats_how, d, sizeof d));
    return buf;
}

static json_t *
strv_json(char *const *v, size_t n)
{
    json_t *a = json_array();
    size_t i;

    for (i = 0; i < n; i++) json_array_append_new(a, json_string(v[i]));
    return a;
}

void *
ne_caps_json(const struct ne_caps *c)
{
    json_t *guests = json_array();
    char lv[32], qv[32];
    size_t i, j;

    if (!c) return json_null();
    for (i = 0; i < c->nguests; i++) {
        const struct ne_guest_caps *g = &c->guests[i];
        json_t *usable = json_array(), *unusable = json_array();
        for (j = 0; j < g->ncpus; j++)
            json_array_append_new(g->cpu_usable[j] ? usable : unusable, json_string(g->cpus[j]));
        json_array_append_new(guests, json_pack("{s:s, s:s, s:o, s:b, s:o, s:o}", "arch", g->arch,
            "virt_type", g->virttype, "machines", strv_json(g->machines, g->nmachines),
            "cpu_models_known", g->cpus_known, "cpu_models_usable", usable,
            "cpu_models_unusable", unusable));
    }
    return json_pack("{s:s, s:s, s:b, s:{s:b, s:s}, s:{s:b, s:s}, s:{s:b, s:s}, s:o}",
                     "libvirt_version", ne_version_str(c->libvirt_version, lv, sizeof lv),
                     "hypervisor_version", ne_version_str(c->qemu_version, qv, sizeof qv),
                     "legacy", c->legacy,
                     "migration_params", "supported", c->migration_params, "how", c->params_how,
                     "sparse_streams", "supported", c->sparse_streams, "how", c->sparse_how,
                     "job_stats", "supported", c->job_stats, "how", c->stats_how,
                     "guests", guests);
}

static json_t *
finding_json(const struct ne_finding *f)
{
    return json_pack("{s:s, s:s, s:s?, s:s?, s:s, s:s?, s:b}", "severity", ne_sev_name(f->sev),
                     "check", f->check, "host", f->host, "object", f->object, "message",
                     f->message, "fix", f->fix, "forced", f->forced);
}

static void
print_json(const struct ne_check *c)
{
    json_t *hosts = json_array(), *fs = json_array(), *dests = json_array(), *root;
    size_t i;

    for (i = 0; i < c->nhosts; i++) {
        const struct ne_check_host *h = &c->hosts[i];
        json_t *o = json_pack("{s:s, s:s, s:b, s:o}", "host", h->name, "role",
                              h->source ? "source" : "destination", "reachable", h->v != NULL,
                              "capabilities", ne_caps_json(h->caps));
        if (h->room_known) {
            json_object_set_new(o, "free_disk", json_integer((json_int_t)h->free_disk));
            json_object_set_new(o, "free_ram_kib", json_integer((json_int_t)h->free_ram_kib));
        }
        json_array_append_new(hosts, o);
        if (!h->source) json_array_append_new(dests, json_string(h->name));
    }
    for (i = 0; i < c->f.n; i++) json_array_append_new(fs, finding_json(&c->f.v[i]));
    root = json_pack("{s:s, s:o, s:I, s:o, s:o, s:{s:I, s:I, s:I, s:I}, s:i}", "host",
                     c->hosts[0].name, "destinations", dests, "domains", (json_int_t)c->ndomains,
                     "hosts", hosts, "findings", fs, "summary",
                     "blockers", (json_int_t)ne_findings_count(&c->f, NE_SEV_BLOCKER, false),
                     "forced", (json_int_t)ne_findings_count(&c->f, NE_SEV_BLOCKER, true),
                     "warnings", (json_int_t)ne_findings_count(&c->f, NE_SEV_WARNING, false),
                     "info", (json_int_t)ne_findings_count(&c->f, NE_SEV_INFO, false),
                     "exit", ne_findings_exit(&c->f));
    json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    putchar('\n');
    json_decref(root);
}

static void
print_text(const struct ne_check *c)
{
    static const int order[] = {NE_SEV_BLOCKER, NE_SEV_WARNING, NE_SEV_INFO};
    char line[512], disk[32], ram[32];
    size_t i, k;

    printf("Check %s ->", c->hosts[0].name);
    for (i = 1; i < c->nhosts; i++) printf("%s %s", i > 1 ? "," : "", c->hosts[i].name);
    printf(" (%zu domain%s)\n", c->ndomains, c->ndomains == 1 ? "" : "s");
    for (i = 0; i < c->nhosts; i++) {
        const struct ne_check_host *h = &c->hosts[i];
        printf("  %s %s: %s", h->source ? "source" : "destination", h->name,
               h->v ? ne_caps_line(h->caps, line, sizeof line) : "unreachable");
        if (h->room_known)
            printf("; free disk %s, free RAM %s", fmt_bytes(h->free_disk, disk, sizeof disk),
                   fmt_bytes(h->free_ram_kib * 1024, ram, sizeof ram));
        putchar('\n');
    }
    for (k = 0; k < 3; k++)
        for (i = 0; i < c->f.n; i++) {
            const struct ne_finding *f = &c->f.v[i];
            if ((int)f->sev != order[k]) continue;
            printf("%s%s %s%s%s%s%s: %s\n", ne_sev_name(f->sev), f->forced ? " (forced)" : "",
                   f->check, f->host ? " " : "", f->host ? f->host : "", f->object ? " " : "",
                   f->object ? f->object : "", f->message);
            if (f->fix) printf("    fix: %s\n", f->fix);
        }
    printf("%zu blocker%s, %zu warning%s", ne_findings_count(&c->f, NE_SEV_BLOCKER, false),
           ne_findings_count(&c->f, NE_SEV_BLOCKER, false) == 1 ? "" : "s",
           ne_findings_count(&c->f, NE_SEV_WARNING, false),
           ne_findings_count(&c->f, NE_SEV_WARNING, false) == 1 ? "" : "s");
    if (ne_findings_count(&c->f, NE_SEV_BLOCKER, true))
        printf(", %zu forced", ne_findings_count(&c->f, NE_SEV_BLOCKER, true));
    printf("\n");
}

void
ne_check_print(const struct ne_check *c, bool json)
{
    if (json)
        print_json(c);
    else
        print_text(c);
}
