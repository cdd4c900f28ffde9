/* SPDX-License-Identifier: Apache-2.0 */
/* image-guard.c: Nova's image cache manager against staged bases.
 *
 * A base that no instance on a host uses yet (a staged one, before the
 * drain brings its instances) is removed by nova-compute once its mtime
 * is older than remove_unused_original_minimum_age_seconds, when
 * remove_unused_base_images is on (the default).  This reads each
 * destination's nova.conf, says when that age is shorter than the planned
 * drain, and touches the bases already present (staged ones are new).
 *
 * nova.conf comes from --nova-conf (a local file standing for every
 * destination's), else from the nodes themselves, read through libvirt
 * (the tool has no other access to them): the paths of [images]
 * node_nova_conf in the tool's configuration (comma-separated, later files
 * win like oslo.config's --config-file, "%s" = the node's name), by
 * default /etc/nova/nova.conf. */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "images/image-cache-int.h"
#include "util/log.h"
#include "util/mem.h"

#define NOVA_CONF_MAX (4 << 20)

/* The option's value from the last file that sets it; within a file the
 * current group wins over the deprecated ones. */
static const char *
lookup(const struct ini *const *inis, size_t n, const char *key, const char *old_key)
{
    static const char *const groups[] = {"image_cache", "libvirt", "DEFAULT"};
    size_t i, g;

    for (i = n; i-- > 0;)
        for (g = 0; g < 3; g++) {
            const char *v = ini_get(inis[i], groups[g], g == 2 && old_key ? old_key : key);
            if (v) return v;
        }
    return NULL;
}

static long long
num(const char *v, long long def)
{
    char *end;
    long long n;

    if (!v) return def;
    errno = 0;
    n = strtoll(v, &end, 10);
    if (errno || end == v || *end) return def;
    return n;
}

static bool
truth(const char *v, bool def)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    size_t i;

    if (!v) return def;
    for (i = 0; i < 4; i++) {
        if (strcasecmp(v, yes[i]) == 0) return true;
        if (strcasecmp(v, no[i]) == 0) return false;
    }
    return def;
}

void
ne_cleaner_eval(const struct ini *const *inis, size_t n, unsigned long drain_s,
                struct ne_cleaner *out)
{
    const char *host = out->host;

    if (!drain_s) drain_s = 86400;
    out->known = n > 0;
    out->remove_unused = truth(lookup(inis, n, "remove_unused_base_images", NULL), true);
    out->original_min_age =
        num(lookup(inis, n, "remove_unused_original_minimum_age_seconds", NULL), 86400);
    out->resized_min_age =
        num(lookup(inis, n, "remove_unused_resized_minimum_age_seconds", NULL), 3600);
    out->interval = num(lookup(inis, n, "manager_interval", "image_cache_manager_interval"), 2400);
    out->risky = out->known && out->remove_unused && out->interval != -1 &&
                 out->original_min_age < (long long)drain_s;
    out->advice[0] = '\0';
    if (out->risky)
        snprintf(out->advice, sizeof out->advice,
                 "remove_unused_base_images is on and remove_unused_original_minimum_age_seconds "
                 "= %lld is shorter than the planned drain (%lu s): the image cache manager "
                 "(every %lld s) may delete staged bases before their instances arrive; set "
                 "[image_cache] remove_unused_original_minimum_age_seconds = %lu (or "
                 "remove_unused_base_images = false) on %s and restart nova-compute, or re-run "
                 "'nova-evac images --stage' (it touches them) every %lld s",
                 out->original_min_age, drain_s, out->interval, drain_s, host ? host : "it",
                 out->original_min_age > 60 ? out->original_min_age / 2 : 30);
}

/* The nova.conf paths for host, from [images] node_nova_conf.  Newly
 * allocated NULL-terminated array of newly allocated strings. */
static char **
node_paths(const struct ne_config *cfg, const char *host)
{
    struct ini *ini = cfg->path ? ini_load(cfg->path, true) : NULL;
    const char *spec = ini ? ini_get(ini, "images", "node_nova_conf") : NULL, *p;
    char **v = NULL;
    size_t n = 0, cap = 0;

    if (!spec || !*spec) spec = "/etc/nova/nova.conf";
    for (p = spec; *p;) {
        size_t len = strcspn(p, ",");
        CLEANUP_FREE char *one = xstrndup(p, len);
        char *s = one, *e, *pct;
        while (*s == ' ' || *s == '\t') s++;
        e = s + strlen(s);
        while (e > s && (e[-1] == ' ' || e[-1] == '\t')) *--e = '\0';
        if (*s) {
            xgrow(&v, &cap, n + 2, sizeof *v);
            pct = strstr(s, "%s");
            v[n++] = pct ? xasprintf("%.*s%s%s", (int)(pct - s), s, host, pct + 2) : xstrdup(s);
            v[n] = NULL;
        }
        p += len;
        if (*p) p++;
    }
    ini_free(ini);
    return v;
}

/* Reads host's nova.conf files through libvirt; appends to origin. */
static size_t
read_node(struct ne_virt *v, const struct ne_config *cfg, struct ini **inis, size_t max,
          struct ne_cleaner *c)
{
    char **paths = node_paths(cfg, virt_host(v));
    size_t i, n = 0, len, olen = 0;

    for (i = 0; paths && paths[i]; i++) {
        char *buf = NULL;
        int r = n < max ? virt_read_file(v, paths[i], NOVA_CONF_MAX, &buf, &len) : 0;
        if (r == 1) {
            CLEANUP_FREE char *name = xasprintf("%s:%s", virt_host(v), paths[i]);
            inis[n] = ini_parse(buf, name);
            if (inis[n]) n++;
        }
        olen += (size_t)snprintf(c->origin + olen, olen < sizeof c->origin ? sizeof c->origin - olen : 0,
                                 "%s%s%s", olen ? ", " : "", paths[i],
                                 r == 1 ? "" : " (absent or unreadable)");
        if (olen >= sizeof c->origin) olen = sizeof c->origin - 1;
        free(buf);
        free(paths[i]);
    }
    free(paths);
    return n;
}

void
ic_guard(struct ic_run *ic)
{
    struct ne_stage_report *r = ic->r;
    struct ini *local = ic->o->nova_conf ? ini_load(ic->o->nova_conf, false) : NULL;
    size_t k, i;

    r->cleaners = xcalloc(ic->ndst + 1, sizeof *r->cleaners);
    for (k = 0; k < ic->ndst; k++) {
        struct ne_cleaner *c = &r->cleaners[k];
        struct ini *inis[8];
        size_t n = 0;
        c->host = ic->hosts[k + 1].name;
        if (ic->o->nova_conf) {
            if (local) inis[n++] = local;
            snprintf(c->origin, sizeof c->origin, "%s (local, --nova-conf)%s", ic->o->nova_conf,
                     local ? "" : " (unreadable)");
        } else if (ic->hosts[k + 1].v) {
            n = read_node(ic->hosts[k + 1].v, ic->cfg, inis, 8, c);
        }
        ne_cleaner_eval((const struct ini *const *)inis, n, ic->o->drain_s, c);
        if (c->risky) ne_warn("%s: nova.conf (%s): %s", c->host, c->origin, c->advice);
        for (i = 0; i < n; i++)
            if (inis[i] != local) ini_free(inis[i]);
    }
    ini_free(local);
}

void
ic_touch(struct ic_run *ic)
{
    size_t i, k;

    for (i = 0; i < ic->r->nbases; i++) {
        struct ne_base *b = &ic->r->bases[i];
        for (k = 0; k < b->ndests; k++) {
            struct ne_virt *v = ic->hosts[k + 1].v;
            if (b->dests[k].state != NE_DEST_PRESENT || !v) continue;
            if (virt_touch_file(v, b->path) == 1) b->dests[k].touched = true;
        }
    }
}
