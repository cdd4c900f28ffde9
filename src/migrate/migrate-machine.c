/* SPDX-License-Identifier: Apache-2.0 */
/* migrate-machine.c: the guest's machine type and CPU model against what
 * the destination's QEMU offers, before anything is stopped or copied
 * (migrate.h, ne_mig_machine_fit), and the machine-type map file. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "migrate/migrate.h"
#include "util/log.h"
#include "util/mem.h"

int
ne_machine_map_load(const char *path, struct ne_machine_map *m)
{
    FILE *fp;
    char buf[65536];
    size_t n;

    memset(m, 0, sizeof *m);
    if (!path || !*path) return 0;
    if (!(fp = fopen(path, "r"))) {
        if (errno == ENOENT) return 0; /* no map: nothing mapped */
        ne_error("machine-type map %s: cannot read it: %s", path, strerror(errno));
        return -1;
    }
    n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    if (n == sizeof buf - 1) {
        ne_error("machine-type map %s: larger than %zu bytes", path, sizeof buf - 1);
        return -1;
    }
    return ne_machine_map_parse(buf, path, m);
}

/* The map, read once per move and only when it is needed. */
struct lazy_map {
    const char *path;
    struct ne_machine_map m;
    int state; /* 0 not read, 1 read, -1 bad (reported) */
};

static const struct ne_machine_map *
lazy_get(struct lazy_map *l)
{
    if (l->state == 0) l->state = ne_machine_map_load(l->path, &l->m) < 0 ? -1 : 1;
    return l->state == 1 ? &l->m : NULL;
}

/* A machine type dst lacks: mapped (cold only) into r->machine_to, or
 * refused with the map line that would fix it. */
static int
machine_fit(struct ne_virt *dst, const struct ne_domain *d, const struct ne_guest_caps *g,
            bool cold, struct lazy_map *map, struct ne_mig_result *r)
{
    const struct ne_machine_map *m;
    const char *to, *sugg;

    if (!d->machine || ne_caps_has_machine(g, d->machine)) return 0;
    if (!(m = lazy_get(map))) return NE_EXIT_USAGE;
    to = ne_machine_map_lookup(m, d->machine);
    if (to && ne_caps_has_machine(g, to)) {
        if (!cold) {
            ne_error("%s (%s): machine type %s is not offered by %s's QEMU; %s maps it to %s, but "
                     "a live move cannot change the machine type (libvirt's guest ABI check "
                     "refuses it): move it cold (--mode cold), which defines it there as %s; "
                     "nothing was changed", d->name, d->uuid, d->machine, virt_host(dst),
                     map->path, to, to);
            return NE_EXIT_REFUSED;
        }
        snprintf(r->machine_to, sizeof r->machine_to, "%s", to);
        return 0;
    }
    sugg = ne_machine_suggest(d->machine, (const char *const *)g->machines, g->nmachines);
    if (to)
        ne_error("%s (%s): machine type %s is not offered by %s's QEMU, nor is %s, which %s maps "
                 "it to: map it to %s there; nothing was changed", d->name, d->uuid, d->machine,
                 virt_host(dst), to, map->path, sugg ? sugg : "a machine type that host offers");
    else
        ne_error("%s (%s): machine type %s is not offered by %s's QEMU, so libvirt there would "
                 "refuse the guest: add the line '%s=%s' to %s (machine_map in [DEFAULT]) and "
                 "move it cold (--mode cold), or choose another destination; nothing was changed",
                 d->name, d->uuid, d->machine, virt_host(dst), d->machine,
                 sugg ? sugg : "<a type 'virsh capabilities' lists there>", map->path);
    return NE_EXIT_REFUSED;
}

/* A custom CPU model dst's QEMU does not offer at all (a model it offers
 * but calls unusable on its CPU is the compare's business, check.c). */
static int
cpu_fit(struct ne_virt *dst, const struct ne_domain *d, const struct ne_guest_caps *g, bool cold,
        struct lazy_map *map, struct ne_mig_result *r)
{
    const struct ne_machine_map *m;
    const char *to;

    if (!d->cpu_model || !str_eq(d->cpu_mode, "custom") || !g->cpus_known ||
        ne_caps_cpu_model(g, d->cpu_model) >= 0)
        return 0;
    if (!(m = lazy_get(map))) return NE_EXIT_USAGE;
    to = ne_cpu_map_lookup(m, d->cpu_model);
    if (to && ne_caps_cpu_model(g, to) >= 0) {
        if (!cold) {
            ne_error("%s (%s): CPU model %s is not offered by %s's QEMU; %s maps it to %s, but a "
                     "live move cannot change the CPU model (libvirt's guest ABI check refuses "
                     "it): move it cold (--mode cold); nothing was changed", d->name, d->uuid,
                     d->cpu_model, virt_host(dst), map->path, to);
            return NE_EXIT_REFUSED;
        }
        snprintf(r->cpu_to, sizeof r->cpu_to, "%s", to);
        return 0;
    }
    ne_error("%s (%s): CPU model %s is not offered by %s's QEMU%s%s%s: add a line 'cpu:%s=MODEL' "
             "to %s with a MODEL that host offers (virsh domcapabilities there) and move it cold "
             "(--mode cold), or choose another destination; nothing was changed", d->name, d->uuid,
             d->cpu_model, virt_host(dst), to ? ", nor is " : "", to ? to : "",
             to ? ", which the map names" : "", d->cpu_model, map->path);
    return NE_EXIT_REFUSED;
}

int
ne_mig_machine_fit(struct ne_virt *dst, const struct ne_domain *d, bool cold,
                   struct ne_mig_result *r)
{
    struct lazy_map map = {.path = virt_config(dst)->machine_map};
    const struct ne_caps *c = virt_caps(dst, false);
    const struct ne_guest_caps *g;
    int rc;

    r->machine_to[0] = r->cpu_to[0] = '\0';
    if (!c) {
        ne_error("%s (%s): what %s's QEMU offers cannot be read: not moved", d->name, d->uuid,
                 virt_host(dst));
        return NE_EXIT_UNREACHABLE;
    }
    if (!(g = ne_caps_guest(c, d->arch, d->type))) {
        ne_error("%s (%s): %s offers no %s guests of arch %s: not moved; choose another "
                 "destination", d->name, d->uuid, virt_host(dst), d->type ? d->type : "qemu",
                 d->arch ? d->arch : "(any)");
        return NE_EXIT_REFUSED;
    }
    if ((rc = machine_fit(dst, d, g, cold, &map, r)) == 0)
        rc = cpu_fit(dst, d, g, cold, &map, r);
    if (rc == 0 && r->machine_to[0])
        ne_info("%s: machine type %s is not offered by %s: defined there as %s (%s)", d->name,
                d->machine, virt_host(dst), r->machine_to, map.path);
    if (rc == 0 && r->cpu_to[0])
        ne_info("%s: CPU model %s is not offered by %s: defined there as %s (%s)", d->name,
                d->cpu_model, virt_host(dst), r->cpu_to, map.path);
    if (map.state == 1) ne_machine_map_free(&map.m);
    return rc;
}
