/* SPDX-License-Identifier: Apache-2.0 */
/* findings.c: see findings.h. */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "model/findings.h"
#include "util/ini.h"
#include "util/log.h"
#include "util/mem.h"

/* The names of every check (findings.h); a new check adds its name here
 * and to man/nova-evac-check.8. */
static const char *const names[] = {
    "libvirt-uri", "migration-params", "sparse-streams", "job-stats", "virt-type",
    "machine-type", "cpu-model", "cpu-compat", "nwfilter", "base-image", "capacity",
    "method", "unauth-tcp", "plaintext-migration", "nova-conf",
    "migration-port", NULL,
};

void
ne_finding_add(struct ne_findings *f, enum ne_sev sev, const char *check, const char *host,
               const char *object, const char *fix, const char *fmt, ...)
{
    struct ne_finding *x;
    va_list ap;
    char buf[1024];

    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    xgrow(&f->v, &f->cap, f->n + 1, sizeof *f->v);
    x = &f->v[f->n++];
    memset(x, 0, sizeof *x);
    x->sev = sev;
    x->check = xstrdup(check);
    x->host = xstrdup_null(host);
    x->object = xstrdup_null(object);
    x->message = xstrdup(buf);
    x->fix = xstrdup_null(fix);
}

void
ne_findings_free(struct ne_findings *f)
{
    size_t i;

    for (i = 0; i < f->n; i++) {
        free(f->v[i].check);
        free(f->v[i].host);
        free(f->v[i].object);
        free(f->v[i].message);
        free(f->v[i].fix);
    }
    free(f->v);
    memset(f, 0, sizeof *f);
}

size_t
ne_findings_count(const struct ne_findings *f, enum ne_sev sev, bool forced)
{
    size_t i, n = 0;

    for (i = 0; i < f->n; i++)
        if (f->v[i].sev == sev && f->v[i].forced == forced) n++;
    return n;
}

const char *
ne_sev_name(enum ne_sev s)
{
    return s == NE_SEV_BLOCKER ? "blocker" : s == NE_SEV_WARNING ? "warning" : "info";
}

size_t
ne_findings_force(struct ne_findings *f, const char *const *list, size_t n)
{
    size_t i, j, hit = 0;

    for (i = 0; i < f->n; i++)
        for (j = 0; j < n; j++)
            if (f->v[i].sev == NE_SEV_BLOCKER && strcmp(f->v[i].check, list[j]) == 0) {
                f->v[i].forced = true;
                hit++;
            }
    return hit;
}

int
ne_findings_exit(const struct ne_findings *f)
{
    if (ne_findings_count(f, NE_SEV_BLOCKER, false)) return 3;
    if (ne_findings_count(f, NE_SEV_WARNING, false) || ne_findings_count(f, NE_SEV_BLOCKER, true))
        return 1;
    return 0;
}

bool
ne_check_name_known(const char *name)
{
    size_t i;

    for (i = 0; names[i]; i++)
        if (str_eq(names[i], name)) return true;
    return false;
}

const char *
ne_check_names(void)
{
    static char buf[512];
    size_t i, len = 0;

    if (buf[0]) return buf;
    for (i = 0; names[i] && len < sizeof buf; i++)
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s", i ? ", " : "", names[i]);
    return buf;
}

/* ---------------------------------------------------------------- machine map */

static bool
good_name(const char *s, size_t len)
{
    size_t i;

    if (len == 0 || len > 64) return false;
    for (i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == '_'))
            return false;
    }
    return true;
}

static void
map_add(char ***from, char ***to, size_t *n, const char *a, size_t alen, const char *b, size_t blen)
{
    *from = xrealloc(*from, (*n + 1) * sizeof **from);
    *to = xrealloc(*to, (*n + 1) * sizeof **to);
    (*from)[*n] = xstrndup(a, alen);
    (*to)[*n] = xstrndup(b, blen);
    (*n)++;
}

int
ne_machine_map_parse(const char *text, const char *origin, struct ne_machine_map *m)
{
    const char *p = text;
    unsigned line = 0;

    memset(m, 0, sizeof *m);
    while (*p) {
        const char *eol = strchr(p, '\n'), *eq, *s = p;
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        bool cpu;
        line++;
        while (len && (p[len - 1] == '\r' || p[len - 1] == ' ' || p[len - 1] == '\t')) len--;
        cpu = len > 4 && strncmp(p, "cpu:", 4) == 0;
        if (cpu) s = p + 4;
        if (len && p[0] != '#') {
            eq = memchr(s, '=', len - (size_t)(s - p));
            if (!eq || !good_name(s, (size_t)(eq - s)) ||
                !good_name(eq + 1, len - (size_t)(eq + 1 - p))) {
                ne_error("%s:%u: expected 'old=new' (machine types) or 'cpu:old=new' (CPU models) "
                         "with names of letters, digits, '.', '-', '_'", origin, line);
                ne_machine_map_free(m);
                return -1;
            }
            if (cpu)
                map_add(&m->cpu_from, &m->cpu_to, &m->ncpu, s, (size_t)(eq - s), eq + 1,
                        len - (size_t)(eq + 1 - p));
            else
                map_add(&m->from, &m->to, &m->n, s, (size_t)(eq - s), eq + 1,
                        len - (size_t)(eq + 1 - p));
        }
        if (!eol) break;
        p = eol + 1;
    }
    return 0;
}

void
ne_machine_map_free(struct ne_machine_map *m)
{
    size_t i;

    for (i = 0; i < m->n; i++) {
        free(m->from[i]);
        free(m->to[i]);
    }
    for (i = 0; i < m->ncpu; i++) {
        free(m->cpu_from[i]);
        free(m->cpu_to[i]);
    }
    free(m->from);
    free(m->to);
    free(m->cpu_from);
    free(m->cpu_to);
    memset(m, 0, sizeof *m);
}

const char *
ne_machine_map_lookup(const struct ne_machine_map *m, const char *from)
{
    size_t i;

    /* The hook applies every line in order; the first match decides. */
    for (i = 0; m && from && i < m->n; i++)
        if (strcmp(m->from[i], from) == 0) return m->to[i];
    return NULL;
}

const char *
ne_cpu_map_lookup(const struct ne_machine_map *m, const char *from)
{
    size_t i;

    for (i = 0; m && from && i < m->ncpu; i++)
        if (strcmp(m->cpu_from[i], from) == 0) return m->cpu_to[i];
    return NULL;
}

/* The version part of a machine name: what follows its family's prefix
 * ("pc-i440fx-6.2" -> "6.2", "pc-i440fx-rhel7.0.0" -> "rhel7.0.0"). */
static const char *
version_of(const char *name)
{
    const char *d = strrchr(name, '-');
    return d ? d + 1 : name;
}

static bool
is_q35(const char *name)
{
    return strstr(name, "q35") != NULL;
}

const char *
ne_machine_suggest(const char *from, const char *const *offered, size_t n)
{
    const char *best_up = NULL, *newest = NULL, *fv = version_of(from);
    bool q35 = is_q35(from);
    size_t i;

    for (i = 0; i < n; i++) {
        const char *o = offered[i];
        /* versioned machines of the family only, never an alias ("pc") */
        if (!str_prefix(o, q35 ? "pc-q35-" : "pc-i440fx-")) continue;
        if (!newest || strverscmp(version_of(o), version_of(newest)) > 0) newest = o;
        if (strverscmp(version_of(o), fv) >= 0 &&
            (!best_up || strverscmp(version_of(o), version_of(best_up)) < 0))
            best_up = o;
    }
    /* An old RHEL machine ("rhel6.6.0") is not comparable with upstream
     * numbers: the family's newest, which RHEL keeps compatible. */
    if (str_prefix(fv, "rhel") && newest && !str_prefix(version_of(newest), "rhel")) return newest;
    return best_up ? best_up : newest;
}

int
ne_uri_host_port(const char *uri, char *host, size_t hlen, unsigned *port)
{
    const char *p = strstr(uri, "://"), *end, *at, *colon;
    size_t len;

    *port = 0;
    if (!p) return -1;
    p += 3;
    end = p + strcspn(p, "/?");
    at = memchr(p, '@', (size_t)(end - p));
    if (at) p = at + 1;
    if (*p == '[') {
        const char *rb = memchr(p, ']', (size_t)(end - p));
        if (!rb) return -1;
        len = (size_t)(rb - p - 1);
        colon = rb[1] == ':' ? rb + 1 : NULL;
        p++;
    } else {
        colon = memchr(p, ':', (size_t)(end - p));
        len = (size_t)((colon ? colon : end) - p);
    }
    if (len == 0 || len >= hlen) return -1;
    memcpy(host, p, len);
    host[len] = '\0';
    if (colon) {
        unsigned long long v;
        CLEANUP_FREE char *ps = xstrndup(colon + 1, (size_t)(end - colon - 1));
        if (parse_u64(ps, &v) < 0 || v == 0 || v > 65535) return -1;
        *port = (unsigned)v;
    }
    return 0;
}

/* ---------------------------------------------------------------- nova.conf */

/* A [libvirt] flag list naming flag (VIR_MIGRATE_TUNNELLED...). */
static bool
has_flag(const char *list, const char *flag)
{
    const char *p = list;
    size_t n = strlen(flag);

    while (p && (p = strstr(p, flag))) {
        char after = p[n];
        if ((p == list || p[-1] == ',' || p[-1] == ' ' || p[-1] == '|') &&
            (after == '\0' || after == ',' || after == ' ' || after == '|'))
            return true;
        p += n;
    }
    return false;
}

void
ne_novaconf_findings(const struct ini *conf, const char *path, const char *host,
                     struct ne_findings *f)
{
    static const char *const flags[] = {"live_migration_flag", "block_migration_flag"};
    const char *v;
    size_t i;
    char obj[160];

    for (i = 0; i < 2; i++) {
        if (!(v = ini_get(conf, "libvirt", flags[i]))) continue;
        snprintf(obj, sizeof obj, "%s [libvirt] %s", path, flags[i]);
        ne_finding_add(f, NE_SEV_WARNING, "nova-conf", host, obj,
                       "remove it; say what it meant with live_migration_tunnelled, "
                       "live_migration_permit_post_copy and live_migration_permit_auto_converge "
                       "(Nova >= 14.0), which the destination's Nova reads too",
                       "%s = %s: read only by Nova before 14.0 (Newton), ignored since: its "
                       "flags silently stop applying once the node is upgraded%s", flags[i], v,
                       has_flag(v, "VIR_MIGRATE_TUNNELLED")
                           ? "; it asks for tunnelled migration, where a block migration cannot "
                             "choose its disks (attached volumes would be copied)"
                           : "");
    }
    if ((v = ini_get(conf, "libvirt", "live_migration_uri"))) {
        snprintf(obj, sizeof obj, "%s [libvirt] live_migration_uri", path);
        ne_finding_add(f, NE_SEV_WARNING, "nova-conf", host, obj,
                       "replace it with live_migration_scheme and live_migration_inbound_addr "
                       "(Nova >= 15.0), and live_migration_with_native_tls for encryption",
                       "live_migration_uri = %s: deprecated since Nova 15.0 (Ocata)%s", v,
                       strncmp(v, "qemu+tcp:", 9) == 0
                           ? "; qemu+tcp is libvirt's plaintext transport, unauthenticated "
                             "unless libvirtd's auth_tcp is sasl"
                           : "");
    }
}
