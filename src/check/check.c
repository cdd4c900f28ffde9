/* SPDX-License-Identifier: Apache-2.0 */
/* check.c: gathering the findings of `nova-evac check` (check.h).  Every
 * fact comes from the nodes' libvirtd through the shared connections; the
 * room on the destinations from the drain's own plan, so that check and
 * drain never disagree about it. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "check/check.h"
#include "drain/drain.h"
#include "util/ini.h"
#include "util/log.h"
#include "util/mem.h"

#define LIBVIRTD_TCP_PORT 16509

static void
add_host(struct ne_check *c, const char *name, bool source)
{
    size_t i;

    for (i = 0; i < c->nhosts; i++)
        if (str_eq(c->hosts[i].name, name)) return;
    c->hosts = xrealloc(c->hosts, (c->nhosts + 1) * sizeof *c->hosts);
    memset(&c->hosts[c->nhosts], 0, sizeof *c->hosts);
    c->hosts[c->nhosts].name = xstrdup(name);
    c->hosts[c->nhosts].source = source;
    c->nhosts++;
}

static bool
configured(const struct ne_config *cfg, const char *host)
{
    size_t i;

    for (i = 0; i < cfg->nnodes; i++)
        if (str_eq(cfg->nodes[i].name, host)) return true;
    return false;
}

static int
gather_hosts(struct ne_check *c, const struct ne_check_opts *o)
{
    const char **names = NULL;
    size_t n, i;

    if (ne_check_hostname(o->host) < 0) return NE_EXIT_USAGE;
    add_host(c, o->host, true);
    if (o->nto) {
        for (i = 0; i < o->nto; i++) {
            if (ne_check_hostname(o->to[i]) < 0) return NE_EXIT_USAGE;
            if (str_eq(o->to[i], o->host)) {
                ne_error("check %s: --to %s: a host cannot be its own destination", o->host,
                         o->to[i]);
                return NE_EXIT_USAGE;
            }
            add_host(c, o->to[i], false);
        }
    } else {
        n = ne_config_nodes(c->cfg, &names);
        for (i = 0; i < n; i++)
            if (!str_eq(names[i], o->host)) add_host(c, names[i], false);
        free(names);
    }
    if (c->nhosts < 2) {
        ne_error("check %s: no destination host: give --to HOST or list nodes in %s", o->host,
                 c->cfg->path);
        return NE_EXIT_USAGE;
    }
    return 0;
}

static void
connect_host(struct ne_check *c, struct ne_check_host *h)
{
    CLEANUP_FREE char *uri = ne_node_uri(c->cfg, h->name), *fix = NULL;

    h->v = virt_open(c->cfg, h->name);
    if (h->v && !(h->caps = virt_caps(h->v, true))) {
        virt_close(h->v);
        h->v = NULL;
    }
    if (h->v || c->precheck) return; /* a drain's plan avoids it itself */
    if (configured(c->cfg, h->name)) {
        fix = xasprintf("check that libvirtd runs on %s and that this machine reaches it (uri in "
                        "[node:%s] of %s)", h->name, h->name, c->cfg->path);
        ne_finding_add(&c->f, NE_SEV_BLOCKER, "libvirt-uri", h->name, "libvirtd", fix,
                       "libvirt at %s cannot be reached", uri);
    } else {
        fix = xasprintf("add [node:%s] with its uri to %s, or fix uri_template in [libvirt]",
                        h->name, c->cfg->path);
        ne_finding_add(&c->f, NE_SEV_BLOCKER, "libvirt-uri", h->name, "libvirtd", fix,
                       "libvirt at %s cannot be reached (not a configured node: the URI comes "
                       "from uri_template)", uri);
    }
}

/* Capabilities of the pair that change how moves work. */
static void
caps_findings(struct ne_check *c, const struct ne_check_host *src, const struct ne_check_host *dst)
{
    const struct ne_caps *s = src->caps, *d = dst->caps;

    if (!s->migration_params)
        ne_finding_add(&c->f, NE_SEV_WARNING, "migration-params", src->name, "libvirtd",
                       "move guests with attached volumes cold (--mode cold); local-only guests "
                       "need the legacy migration API",
                       "no migration parameters (%s): a live block migration from %s cannot name "
                       "the disks to copy, so a guest with volumes would have them copied too",
                       s->params_how, src->name);
    if (!s->sparse_streams || !d->sparse_streams)
        ne_finding_add(&c->f, NE_SEV_WARNING, "sparse-streams",
                       !s->sparse_streams ? src->name : dst->name, "libvirtd",
                       "expect copies to take the disks' full virtual size on the wire; upgrade "
                       "libvirt (>= 3.4) on that node where possible",
                       "no sparse streams (%s): cold copies and base staging between %s and %s "
                       "cannot skip holes",
                       !s->sparse_streams ? s->sparse_how : d->sparse_how, src->name, dst->name);
    if (!s->job_stats)
        ne_finding_add(&c->f, NE_SEV_INFO, "job-stats", src->name, "libvirtd", NULL,
                       "no job statistics (%s): migration progress comes from the destination's "
                       "allocation or the time only", s->stats_how);
}

static char *
dom_label(const struct ne_domain *d)
{
    return xasprintf("%s (%s)", d->name, d->uuid);
}

static void
machine_findings(struct ne_check *c, const struct ne_check_host *dst, const struct ne_domain *d,
                 const struct ne_guest_caps *g, const struct ne_machine_map *map)
{
    CLEANUP_FREE char *obj = dom_label(d), *fix = NULL;
    const char *to, *sugg;

    if (!d->machine || ne_caps_has_machine(g, d->machine)) return;
    to = ne_machine_map_lookup(map, d->machine);
    if (to && ne_caps_has_machine(g, to)) {
        fix = xasprintf("move it cold (--mode cold): nova-evac defines it on %s as %s; a live move "
                        "cannot change the machine type (libvirt's guest ABI check refuses it)",
                        dst->name, to);
        ne_finding_add(&c->f, NE_SEV_WARNING, "machine-type", dst->name, obj, fix,
                       "machine type %s is not offered by %s's QEMU; %s maps it to %s, which is",
                       d->machine, dst->name, c->cfg->machine_map, to);
        return;
    }
    sugg = ne_machine_suggest(d->machine, (const char *const *)g->machines, g->nmachines);
    if (to)
        fix = xasprintf("%s maps it to %s, which %s does not offer either: map it to %s",
                        c->cfg->machine_map, to, dst->name,
                        sugg ? sugg : "a machine type that host offers");
    else if (sugg)
        fix = xasprintf("add the line '%s=%s' to %s and move it cold (--mode cold); a live "
                        "move cannot change the machine type (libvirt's guest ABI check refuses "
                        "it)", d->machine, sugg, c->cfg->machine_map);
    else
        fix = xasprintf("map it in %s to a machine type %s offers (virsh capabilities there)",
                        c->cfg->machine_map, dst->name);
    ne_finding_add(&c->f, NE_SEV_BLOCKER, "machine-type", dst->name, obj, fix,
                   "machine type %s is not offered by %s's QEMU: libvirt there refuses the guest",
                   d->machine, dst->name);
}

/* The guest's CPU model against what dst's QEMU offers.  True when that
 * settled it (a finding was added, or there is nothing to compare). */
static bool
cpu_findings(struct ne_check *c, const struct ne_check_host *dst, const struct ne_domain *d,
             const struct ne_guest_caps *g, const struct ne_machine_map *map)
{
    CLEANUP_FREE char *obj = dom_label(d), *fix = NULL;
    int r;

    if (!d->cpu_mode) return true; /* QEMU's default CPU: always there */
    if (str_eq(d->cpu_mode, "host-passthrough") || str_eq(d->cpu_mode, "maximum")) {
        ne_finding_add(&c->f, NE_SEV_WARNING, "cpu-compat", dst->name, obj,
                       "live-migrate it only between identical hosts, or move it cold",
                       "CPU mode %s: the guest sees %s's own CPU, a live move needs the same CPU "
                       "on %s", d->cpu_mode, c->hosts[0].name, dst->name);
        return true;
    }
    if (d->cpu_model && str_eq(d->cpu_mode, "custom") && g->cpus_known) {
        const char *to = ne_cpu_map_lookup(map, d->cpu_model);
        r = ne_caps_cpu_model(g, d->cpu_model);
        if (r < 0 && to && ne_caps_cpu_model(g, to) >= 0) {
            fix = xasprintf("move it cold (--mode cold): nova-evac defines it on %s with CPU model "
                            "%s; a live move cannot change the CPU model", dst->name, to);
            ne_finding_add(&c->f, NE_SEV_WARNING, "cpu-model", dst->name, obj, fix,
                           "CPU model %s is not offered by %s's QEMU; %s maps it to %s, which is",
                           d->cpu_model, dst->name, c->cfg->machine_map, to);
            return true;
        }
        if (r < 0) {
            fix = xasprintf("add a line 'cpu:%s=MODEL' to %s with a MODEL %s offers (virsh "
                            "domcapabilities there) and move it cold (--mode cold), change the "
                            "guest's CPU model (its flavor's or nova.conf's cpu_models), or leave "
                            "%s out of --to", d->cpu_model, c->cfg->machine_map, dst->name,
                            dst->name);
            ne_finding_add(&c->f, NE_SEV_BLOCKER, "cpu-model", dst->name, obj, fix,
                           "CPU model %s is not offered by %s's QEMU", d->cpu_model, dst->name);
            return true;
        }
        /* r == 0: QEMU calls the bare model unusable on this host CPU
         * (qemu64 asks for svm, say), but the guest's own <feature>
         * policies may take the missing flags out, as Nova's XML does:
         * only libvirt's compare of the whole definition can tell
         * (cpu_compare). */
    }
    return false;
}

/* libvirt's own verdict on dst: compare, baseline when comparing fails. */
static void
cpu_compare(struct ne_check *c, const struct ne_check_host *dst, const struct ne_domain *d,
            const char *xml)
{
    CLEANUP_FREE char *obj = NULL, *alt = NULL, *fix = NULL;
    char why[384];
    int r;

    if (!xml || !d->cpu_model || !str_eq(d->cpu_mode, "custom") || strstr(xml, "check='none'"))
        return;
    r = virt_cpu_verdict(dst->v, d, xml, &alt, why, sizeof why);
    if (r == 1) return;
    obj = dom_label(d);
    if (r == 0) {
        fix = alt ? xasprintf("use CPU model %s (what %s offers for it), or leave %s out of --to",
                              alt, dst->name, dst->name)
                  : xasprintf("choose a CPU model %s can run, or leave %s out of --to", dst->name,
                              dst->name);
        ne_finding_add(&c->f, NE_SEV_BLOCKER, "cpu-compat", dst->name, obj, fix,
                       "CPU model %s cannot run on %s: %s", d->cpu_model, dst->name, why);
    } else {
        ne_finding_add(&c->f, NE_SEV_WARNING, "cpu-compat", dst->name, obj,
                       "check the CPU by hand (virsh hypervisor-cpu-compare there)",
                       "CPU model %s on %s: cannot tell: %s", d->cpu_model, dst->name, why);
    }
}

static void
disk_findings(struct ne_check *c, const struct ne_check_host *dst, const struct ne_domain *d)
{
    size_t i, j;

    for (i = 0; i < d->nnwfilters; i++) {
        CLEANUP_FREE char *obj = dom_label(d), *fix = NULL;
        int r = virt_nwfilter_exists(dst->v, d->nwfilters[i]);
        if (r == 1) continue;
        fix = xasprintf("nova-evac's own moves copy it; for Nova's migrations define it there "
                        "(virsh nwfilter-dumpxml %s on %s, virsh nwfilter-define on %s)",
                        d->nwfilters[i], c->hosts[0].name, dst->name);
        ne_finding_add(&c->f, NE_SEV_WARNING, "nwfilter", dst->name, obj, fix,
                       r == 0 ? "nwfilter %s is not defined on %s: libvirt there refuses the "
                                "incoming guest"
                              : "nwfilter %s on %s: cannot tell whether it is defined",
                       d->nwfilters[i], dst->name);
    }
    for (i = 0; i < d->ndisks; i++) {
        const struct ne_disk *k = &d->disks[i];
        struct ne_file_stat st;
        CLEANUP_FREE char *obj = NULL, *fix = NULL;
        int r;
        bool seen = false;

        if (!ne_disk_is_local(k) || !k->base_sha1[0] || !k->backing) continue;
        for (j = 0; j < i; j++) /* one finding per base */
            if (str_eq(d->disks[j].backing, k->backing)) seen = true;
        if (seen) continue;
        r = virt_file_stat(dst->v, k->backing, &st);
        if (r == 1) continue;
        obj = dom_label(d);
        fix = xasprintf("stage it: nova-evac images %s --to %s --stage (drain stages it "
                        "unless --no-stage-images)", c->hosts[0].name, dst->name);
        ne_finding_add(&c->f, NE_SEV_WARNING, "base-image", dst->name, obj, fix,
                       r == 0 ? "base image _base/%s of disk %s is not on %s"
                              : "base image _base/%s of disk %s: cannot tell whether %s has it",
                       k->base_sha1, k->target, dst->name);
    }
}

static void
domain_findings(struct ne_check *c, struct ne_domain *d, const struct ne_machine_map *map)
{
    CLEANUP_FREE char *xml = virt_domain_xml(c->hosts[0].v, d->uuid, true);
    size_t k;

    for (k = 1; k < c->nhosts; k++) {
        const struct ne_check_host *h = &c->hosts[k];
        const struct ne_guest_caps *g;
        if (!h->v) continue;
        g = ne_caps_guest(h->caps, d->arch, d->type);
        if (!g) {
            CLEANUP_FREE char *obj = dom_label(d), *fix = NULL;
            fix = xasprintf("enable %s guests on %s (virsh capabilities there lists none)",
                            d->type ? d->type : "qemu", h->name);
            ne_finding_add(&c->f, NE_SEV_BLOCKER, "virt-type", h->name, obj, fix,
                           "%s offers no %s guests of arch %s", h->name, d->type ? d->type : "qemu",
                           d->arch ? d->arch : "(any)");
            continue;
        }
        machine_findings(c, h, d, g, map);
        if (!cpu_findings(c, h, d, g, map)) cpu_compare(c, h, d, xml);
        disk_findings(c, h, d);
    }
}

/* Room: the drain's plan over the reachable destinations (base images
 * staged, as drain does by default), so that check and drain agree. */
static void
room_findings(struct ne_check *c, const struct ne_check_opts *o)
{
    struct ne_drain_opts dopts = {.max_parallel = 1, .dry_run = true, .stage_images = true};
    const char **to = xcalloc(c->nhosts, sizeof *to);
    struct ne_drain dr;
    size_t i, k, nto = 0;

    (void)o;
    for (k = 1; k < c->nhosts; k++)
        if (c->hosts[k].v) to[nto++] = c->hosts[k].name;
    dopts.host = c->hosts[0].name;
    dopts.to = to;
    dopts.nto = nto;
    if (nto && ne_drain_plan(&dr, c->cfg, &dopts) == 0) {
        for (k = 0; k < dr.nhosts; k++)
            for (i = 1; i < c->nhosts; i++)
                if (str_eq(c->hosts[i].name, dr.ph[k].name) && dr.ph[k].usable) {
                    c->hosts[i].free_disk = dr.ph[k].free_disk;
                    c->hosts[i].free_ram_kib = dr.ph[k].free_ram_kib;
                    c->hosts[i].room_known = true;
                }
        for (i = 0; i < dr.n; i++) {
            const struct ne_drain_item *it = &dr.items[i];
            CLEANUP_FREE char *obj = dom_label(it->d);
            if (it->plan.method == NE_METHOD_REFUSE)
                ne_finding_add(&c->f, NE_SEV_BLOCKER, "method", c->hosts[0].name, obj,
                               "see nova-evac plan for the path that can move it",
                               "refused by the decision table: %s", it->plan.reason);
            else if (it->dest < 0)
                ne_finding_add(&c->f, NE_SEV_BLOCKER, "capacity", c->hosts[0].name, obj,
                               "free disk or RAM on a destination, lower reserved_disk_mb / "
                               "reserved_ram_mb, or give more --to hosts",
                               "%s", it->why);
        }
    }
    if (nto) ne_drain_free(&dr);
    free(to);
}

static void
tcp_findings(struct ne_check *c)
{
    size_t k;

    for (k = 0; k < c->nhosts; k++) {
        const char *name = c->hosts[k].name;
        CLEANUP_FREE char *peer = ne_node_peer_uri(c->cfg, name), *fix = NULL;
        char addr[256], why[512];
        unsigned port = 0;
        int r;

        if (ne_uri_host_port(peer, addr, sizeof addr, &port) < 0) {
            snprintf(addr, sizeof addr, "%s", name);
            port = 0;
        }
        if (!ne_uri_plaintext_tcp(peer) || port == 0) port = LIBVIRTD_TCP_PORT;
        r = virt_probe_tcp_noauth(addr, port, why, sizeof why);
        if (r == 1) {
            fix = xasprintf("in %s's libvirtd.conf set auth_tcp = \"sasl\" (or listen_tcp = 0 and "
                            "migrate over qemu+tls://), then restart libvirtd", name);
            ne_finding_add(&c->f, NE_SEV_WARNING, "unauth-tcp", name, "libvirtd", fix,
                           "%s: anyone who reaches that port is root on %s", why, name);
        } else if (r < 0) {
            ne_finding_add(&c->f, NE_SEV_INFO, "unauth-tcp", name, "libvirtd", NULL,
                           "could not try an unauthenticated TCP connection from here: %s", why);
        }
    }
}

/* libvirt's first migration port (qemu.conf migration_port_min): the
 * source's QEMU connects there on the destination for a native (not
 * tunnelled) migration.  Tried from this machine, at the peer URI's
 * address: refused means the host answered (nothing listens between
 * migrations), no answer means something drops it. */
#define MIGRATION_PORT_MIN 49152

static void
migration_port_findings(struct ne_check *c)
{
    size_t k;

    if (c->cfg->tunnelled) return; /* through libvirtd's own connection */
    for (k = 1; k < c->nhosts; k++) {
        const char *name = c->hosts[k].name;
        CLEANUP_FREE char *peer = ne_node_peer_uri(c->cfg, name), *fix = NULL;
        char addr[256], why[512];
        unsigned port = 0;

        if (ne_uri_host_port(peer, addr, sizeof addr, &port) < 0) continue; /* no address */
        if (virt_probe_tcp(addr, MIGRATION_PORT_MIN, why, sizeof why) >= 0) continue;
        fix = xasprintf("let the other nodes reach TCP ports %u-%u on %s (qemu.conf "
                        "migration_port_min..max), or set tunnelled = true in [migration]",
                        MIGRATION_PORT_MIN, MIGRATION_PORT_MIN + 63, name);
        ne_finding_add(&c->f, NE_SEV_WARNING, "migration-port", name, "migration ports", fix,
                       "%s (libvirt's first migration port, tried from this machine): live "
                       "migrations to %s would hang or fail when the source cannot reach it "
                       "either", why, name);
    }
}

static void
transport_findings(struct ne_check *c)
{
    size_t k;
    bool plain_peer = false;

    for (k = 1; k < c->nhosts; k++) {
        CLEANUP_FREE char *peer = ne_node_peer_uri(c->cfg, c->hosts[k].name);
        if (ne_uri_plaintext_tcp(peer)) plain_peer = true;
    }
    if (!c->cfg->tls)
        ne_finding_add(&c->f, NE_SEV_WARNING, "plaintext-migration", NULL, "[migration] tls",
                       "set tls = true in [migration] once the nodes have libvirt's migration "
                       "TLS certificates",
                       "migration streams are not encrypted: guest memory and disks cross the "
                       "network in the clear%s",
                       plain_peer ? "; the peer URIs are qemu+tcp:// too (libvirt's own traffic "
                                    "unencrypted)" : "");
}

/* The nova.conf the tool reads ([DEFAULT] nova_conf): settings from old
 * releases.  An absent file says nothing. */
static void
novaconf_findings(struct ne_check *c)
{
    struct ini *conf = ini_load(c->cfg->nova_conf, true);

    if (!conf) {
        ne_finding_add(&c->f, NE_SEV_WARNING, "nova-conf", NULL, c->cfg->nova_conf,
                       "fix the line named above", "%s does not parse", c->cfg->nova_conf);
        return;
    }
    ne_novaconf_findings(conf, c->cfg->nova_conf, NULL, &c->f);
    ini_free(conf);
}

static void
load_map(struct ne_check *c, struct ne_machine_map *map)
{
    FILE *fp = fopen(c->cfg->machine_map, "r");
    char buf[65536];
    size_t n;

    memset(map, 0, sizeof *map);
    if (!fp) return; /* no map: nothing mapped */
    n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    if (ne_machine_map_parse(buf, c->cfg->machine_map, map) < 0)
        ne_finding_add(&c->f, NE_SEV_BLOCKER, "machine-type", NULL, c->cfg->machine_map,
                       "fix the line named above (hooks/qemu refuses the same map)",
                       "the machine-type map does not parse");
}

int
ne_check_run(struct ne_check *c, const struct ne_config *cfg, const struct ne_check_opts *o)
{
    struct ne_domain **doms = NULL;
    struct ne_machine_map map;
    size_t n = 0, i;
    int rc;

    memset(c, 0, sizeof *c);
    c->cfg = cfg;
    c->precheck = o->precheck;
    if ((rc = gather_hosts(c, o)) != 0) return rc;
    c->hosts[0].v = virt_open(cfg, o->host);
    if (!c->hosts[0].v || !(c->hosts[0].caps = virt_caps(c->hosts[0].v, true)) ||
        virt_list_domains(c->hosts[0].v, &doms, &n) < 0) {
        ne_error("check %s: its libvirt cannot be read%s; nothing was checked", o->host,
                 configured(cfg, o->host) ? "" : " (not a configured node: is the name right?)");
        return NE_EXIT_UNREACHABLE;
    }
    c->ndomains = n;
    for (i = 1; i < c->nhosts; i++) connect_host(c, &c->hosts[i]);
    load_map(c, &map);
    for (i = 1; i < c->nhosts && !o->precheck; i++)
        if (c->hosts[i].v) caps_findings(c, &c->hosts[0], &c->hosts[i]);
    for (i = 0; i < n; i++) domain_findings(c, doms[i], &map);
    if (!o->precheck) {
        room_findings(c, o);
        if (o->probe_tcp) tcp_findings(c);
        if (o->probe_tcp) migration_port_findings(c);
        transport_findings(c);
        if (c->cfg->nova_conf && *c->cfg->nova_conf) novaconf_findings(c);
    }
    ne_machine_map_free(&map);
    ne_domains_free(doms, n);
    return 0;
}

void
ne_check_free(struct ne_check *c)
{
    size_t i;

    for (i = 0; i < c->nhosts; i++) {
        virt_close(c->hosts[i].v);
        free(c->hosts[i].name);
    }
    free(c->hosts);
    ne_findings_free(&c->f);
}

int
ne_check_precheck(const struct ne_config *cfg, const char *host, const char *const *to,
                  size_t nto, const char *const *force, size_t nforce)
{
    struct ne_check_opts o = {.host = host, .to = to, .nto = nto, .precheck = true};
    struct ne_check c;
    size_t i, left = 0;
    int rc;

    for (i = 0; i < nforce; i++)
        if (!ne_check_name_known(force[i])) {
            ne_error("--force-check %s: no such check (known: %s)", force[i], ne_check_names());
            return NE_EXIT_USAGE;
        }
    if (nto == 0) return 0; /* no destination: the plan says so per instance */
    if ((rc = ne_check_run(&c, cfg, &o)) != 0) {
        ne_check_free(&c);
        return rc;
    }
    ne_findings_force(&c.f, force, nforce);
    for (i = 0; i < c.f.n; i++) {
        const struct ne_finding *f = &c.f.v[i];
        if (f->sev != NE_SEV_BLOCKER) continue;
        if (f->forced) {
            ne_warn("drain %s: check %s overridden by --force-check: %s: %s", host, f->check,
                    f->object ? f->object : "", f->message);
            continue;
        }
        left++;
        ne_error("drain %s: refused before any move: check %s: %s: %s; fix: %s (or "
                 "--force-check %s)", host, f->check, f->object ? f->object : "", f->message,
                 f->fix ? f->fix : "see nova-evac check", f->check);
    }
    ne_check_free(&c);
    return left ? NE_EXIT_REFUSED : 0;
}
