/* SPDX-License-Identifier: Apache-2.0 */
/* stuckscan.c: see stuckscan.h.  I/O through the adapters only (novadb via
 * stuckdb.c, libvirt via virt-truth.c); the decisions are stuck.c's. */
#include <config.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "stuck/stuck-scan.h"
#include "util/log.h"
#include "util/mem.h"
#include "virt/virt-truth.h"

/* One libvirt connection per host, opened on first use; a failure is
 * reported once and remembered. */
struct conn {
    char *host;
    struct ne_virt *v;
    char *error;
    bool listed; /* its domains were listed (sightings complete for it) */
};

/* Where the listing of the nodes in scope saw each domain. */
struct sighting {
    char uuid[37];
    const char *host; /* borrowed from conns */
};

/* A port's binding host, from the listing of every port. */
struct portsight {
    char uuid[37];
    char *host;
};

struct scan {
    struct ne_db *db;
    const struct ne_config *cfg;
    const struct ne_stuck_opts *o;
    struct ne_stuck_scan *out;
    struct conn *conns;
    size_t nconns, capconns;
    struct sighting *seen;
    size_t nseen, capseen;
    bool no_glance; /* the Glance check failed once: skipped from then on */
    struct portsight *bound;
    size_t nbound, capbound;
};


static struct conn *
conn_get(struct scan *s, const char *host)
{
    struct conn *c;
    size_t i;

    for (i = 0; i < s->nconns; i++)
        if (strcmp(s->conns[i].host, host) == 0) return &s->conns[i];
    xgrow(&s->conns, &s->capconns, s->nconns + 1, sizeof *s->conns);
    c = &s->conns[s->nconns++];
    memset(c, 0, sizeof *c);
    c->host = xstrdup(host);
    if (ne_check_hostname(host) < 0) {
        c->error = xstrdup("not a valid host name");
    } else if (!(c->v = virt_open(s->cfg, host))) {
        CLEANUP_FREE char *uri = ne_node_uri(s->cfg, host);
        c->error = xasprintf("cannot connect to %s", uri);
    }
    return c;
}

static void
conns_close(struct scan *s)
{
    size_t i;

    for (i = 0; i < s->nconns; i++) {
        virt_close(s->conns[i].v);
        free(s->conns[i].host);
        free(s->conns[i].error);
    }
    free(s->conns);
    free(s->seen);
    for (i = 0; i < s->nbound; i++) free(s->bound[i].host);
    free(s->bound);
}

/* Lists the domains of one node; each one whose record is not on this node
 * becomes a suspect (NE_WHY_ELSEWHERE). */
static int
list_node(struct scan *s, const char *host)
{
    struct conn *c = conn_get(s, host);
    struct ne_dom_brief *doms = NULL;
    size_t n = 0, i;

    if (!c->v || virt_list_brief(c->v, &doms, &n) < 0) return 0; /* reported; not fatal */
    c->listed = true;
    for (i = 0; i < n; i++) {
        struct ne_nova_inst *in = ne_inst_set_find(&s->out->set, doms[i].uuid);
        size_t before = s->out->set.n;

        if (!in && s->o->nuuids) continue; /* named instances only */
        xgrow(&s->seen, &s->capseen, s->nseen + 1, sizeof *s->seen);
        memcpy(s->seen[s->nseen].uuid, doms[i].uuid, 37);
        s->seen[s->nseen++].host = c->host;
        if (in) continue;
        if (stuckdb_instance(s->db, doms[i].uuid, NE_WHY_ELSEWHERE, &s->out->set) < 0) {
            free(doms);
            return -1;
        }
        in = s->out->set.n > before ? &s->out->set.v[before] : NULL;
        if (in && str_eq(in->host, host)) ne_nova_inst_clear(&s->out->set.v[--s->out->set.n]);
    }
    free(doms);
    return 0;
}

static int
db_suspects(struct scan *s)
{
    const struct ne_stuck_opts *o = s->o;
    struct ne_inst_set *set = &s->out->set;
    size_t i;

    for (i = 0; i < o->nuuids; i++) {
        int r = stuckdb_instance(s->db, o->uuids[i], NE_WHY_NAMED, set);
        if (r < 0) return -1;
        if (r == 0) ne_warn("instance %s: no live instance with this uuid in %s", o->uuids[i],
                            novadb_label(s->db));
    }
    if (o->nuuids) return 0;

    if (stuckdb_suspects(s->db, NE_SQL_STUCK_TASK_STATE, o->older_s, 0, NE_WHY_TASK, set) < 0 ||
        stuckdb_suspects(s->db, NE_SQL_STUCK_OPEN_MIGRATIONS, o->older_s, 0, NE_WHY_OPEN_MIG, set) < 0)
        return -1;
    if (o->since_s > o->older_s &&
        stuckdb_suspects(s->db, NE_SQL_STUCK_RECENT_MIGRATIONS, o->older_s, o->since_s, NE_WHY_RECENT,
                         set) < 0)
        return -1;
    return 0;
}

/* The nodes whose domains are listed: --host, and every configured node
 * unless --host is given without --all-nodes. */
static int
list_nodes(struct scan *s)
{
    const char **nodes = NULL;
    size_t n, i;
    int rc = 0;

    if (s->o->host && list_node(s, s->o->host) < 0) return -1;
    if (s->o->host && !s->o->all_nodes) return 0;
    n = ne_config_nodes(s->cfg, &nodes);
    for (i = 0; i < n && rc == 0; i++)
        if (!str_eq(nodes[i], s->o->host)) rc = list_node(s, nodes[i]);
    free(nodes);
    return rc;
}

static bool
sighted(const struct scan *s, const char *uuid, const char *host)
{
    size_t i;

    for (i = 0; i < s->nseen; i++)
        if (strcmp(s->seen[i].uuid, uuid) == 0 && (!host || strcmp(s->seen[i].host, host) == 0))
            return true;
    return false;
}

static bool
bound_to(const struct scan *s, const char *uuid, const char *host)
{
    size_t i;

    for (i = 0; i < s->nbound; i++)
        if (strcmp(s->bound[i].uuid, uuid) == 0 && str_eq(s->bound[i].host, host)) return true;
    return false;
}

static bool
involves(const struct scan *s, const struct ne_nova_inst *in, const char *host)
{
    return str_eq(in->host, host) || str_eq(in->mig.src, host) || str_eq(in->mig.dst, host) ||
           sighted(s, in->uuid, host) || bound_to(s, in->uuid, host);
}

static bool
listed(const struct scan *s, const char *host)
{
    size_t i;

    for (i = 0; host && i < s->nconns; i++)
        if (strcmp(s->conns[i].host, host) == 0) return s->conns[i].listed;
    return false;
}

static bool
is_uuid(const char *u)
{
    size_t j;

    for (j = 0; u && u[j] && j < 36; j++)
        if (!((j == 8 || j == 13 || j == 18 || j == 23) ? u[j] == '-' : isxdigit((unsigned char)u[j])))
            return false;
    return u && j == 36 && !u[36];
}

/* Every port of a Nova instance (device_owner compute:*) whose binding
 * disagrees with the listing of the nodes: bound to a listed node that
 * lacks the domain, or the domain on a listed node the port is not bound
 * to.  Its instance becomes a suspect (NE_WHY_PORT).  A port listing that
 * fails is reported and the scan goes on without it. */
static int
port_suspects(struct scan *s)
{
    struct ne_port *ports = NULL;
    size_t n = 0, i;
    int rc = 0;

    if (neutron_ports_all(s->o->neutron, &ports, &n) < 0) {
        ne_warn("the port bindings are compared with libvirt only for the instances found "
                "otherwise (the ports could not be listed, above)");
        return 0;
    }
    for (i = 0; i < n && rc >= 0; i++) {
        const struct ne_port *p = &ports[i];
        const char *host = p->b.host && *p->b.host ? p->b.host : NULL;
        bool odd;

        if (!p->device_owner || strncmp(p->device_owner, "compute:", 8) != 0 ||
            !is_uuid(p->device_id))
            continue;
        xgrow(&s->bound, &s->capbound, s->nbound + 1, sizeof *s->bound);
        memcpy(s->bound[s->nbound].uuid, p->device_id, 37);
        s->bound[s->nbound++].host = host ? xstrdup(host) : NULL;
        odd = sighted(s, p->device_id, NULL) ? !sighted(s, p->device_id, host)
                                             : listed(s, host);
        if (odd) {
            ne_debug(NE_DBG_PLAN, "instance %s: port %s bound to %s, which %s its domain",
                     p->device_id, p->id, host ? host : "no host",
                     sighted(s, p->device_id, NULL) ? "does not have" : "lacks");
            rc = stuckdb_instance(s->db, p->device_id, NE_WHY_PORT, &s->out->set);
        }
    }
    ne_ports_free(ports, n);
    return rc < 0 ? -1 : 0;
}

static void
add_candidate(const char ***v, size_t *n, size_t *cap, const char *host)
{
    size_t i;

    if (!host || !*host) return;
    for (i = 0; i < *n; i++)
        if (strcmp((*v)[i], host) == 0) return;
    xgrow(v, cap, *n + 1, sizeof **v);
    (*v)[(*n)++] = host;
}

/* Asks every candidate host about in (also every host a binding of its
 * ports names); *t newly allocated. */
static void
gather_truths(struct scan *s, const struct ne_nova_inst *in, const struct ne_stuck_port *ports,
              size_t nports, struct ne_truth **t, size_t *nt)
{
    const char **hosts = NULL, **nodes = NULL;
    size_t n = 0, cap = 0, i, j, nn;

    add_candidate(&hosts, &n, &cap, in->host);
    if (in->mig.id) {
        add_candidate(&hosts, &n, &cap, in->mig.src);
        add_candidate(&hosts, &n, &cap, in->mig.dst);
    }
    for (i = 0; i < s->nseen; i++)
        if (strcmp(s->seen[i].uuid, in->uuid) == 0) add_candidate(&hosts, &n, &cap, s->seen[i].host);
    for (i = 0; i < nports; i++) {
        add_candidate(&hosts, &n, &cap, ports[i].port.b.host);
        for (j = 0; j < ports[i].nb; j++) add_candidate(&hosts, &n, &cap, ports[i].b[j].host);
    }
    nn = s->o->all_nodes ? ne_config_nodes(s->cfg, &nodes) : 0;
    for (i = 0; i < nn; i++) add_candidate(&hosts, &n, &cap, nodes[i]);
    *t = xcalloc(n + 1, sizeof **t);
    for (i = 0; i < n; i++) {
        struct conn *c = conn_get(s, hosts[i]);
        if (c->v) {
            virt_truth(c->v, in->uuid, &(*t)[i]);
        } else {
            (*t)[i].host = xstrdup(hosts[i]);
            (*t)[i].seen = NE_SEEN_UNREACHABLE;
            (*t)[i].error = xstrdup(c->error);
            (*t)[i].disks = (*t)[i].resize_dir = -1;
        }
    }
    *nt = n;
    free(hosts);
    free(nodes);
}

/* The node to record when the fix moves the record to a host the
 * migration did not name: compute_nodes says; a host Nova does not know is
 * no place to move a record to. */
static int
resolve_node(struct scan *s, struct ne_stuck_item *it)
{
    char *node = NULL, *why;
    int r;

    if (!ne_fix_changes(&it->fix)) return 0;
    if (it->fix.node) {
        it->node = xstrdup(it->fix.node);
        return 0;
    }
    r = stuckdb_node(s->db, it->fix.host, &node);
    if (r < 0) return -1;
    if (r == 1) {
        it->node = node;
        return 0;
    }
    why = xasprintf("%s; %s %s", it->fix.why, it->fix.host,
                    r == 0 ? "is not a Nova compute host (no compute_nodes row)"
                           : "has several compute nodes");
    free(it->fix.why);
    free(it->fix.next);
    it->fix.why = why;
    it->fix.next = xasprintf("find out how %s came to run on %s before changing its record",
                             it->in->uuid, it->fix.host);
    it->fix.kind = NE_FIX_MANUAL;
    return 0;
}

/* Instances left alone whatever libvirt shows, unless named: a user's
 * resize waiting for its confirm within the window (confirming would take
 * the revert away from its owner), and a record found through the node
 * listing that changed too recently (a move going on right now). */
static bool
too_fresh(const struct scan *s, const struct ne_nova_inst *in)
{
    const struct ne_stuck_opts *o = s->o;

    if (in->why & NE_WHY_NAMED) return false;
    if (str_eq(in->vm_state, "resized") && in->mig.id && str_eq(in->mig.type, "resize") &&
        in->mig.age_s >= 0 && in->mig.age_s < o->resize_window_s) {
        ne_debug(NE_DBG_PLAN, "instance %s: resize awaiting its owner's confirm (%lld s)",
                 in->uuid, in->mig.age_s);
        return true;
    }
    return (in->why & ~(unsigned)(NE_WHY_ELSEWHERE | NE_WHY_PORT)) == 0 && in->age_s >= 0 &&
           in->age_s < o->older_s;
}

void
ne_stuck_ports_free(struct ne_stuck_port *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        ne_port_clear(&p[i].port);
        ne_bindings_free(p[i].b, p[i].nb);
        ne_port_fix_clear(&p[i].fix);
    }
    free(p);
}

size_t
ne_stuck_ports_count(const struct ne_stuck_item *it, enum ne_port_act act)
{
    size_t i, n = 0;

    for (i = 0; i < it->nports; i++) n += it->ports[i].fix.act == act;
    return n;
}

/* The ports of uuid and, with binding-extended, every binding of each.
 * 0, or -1 (reported; *out NULL). */
static int
read_ports(struct ne_neutron *nt, const char *uuid, struct ne_stuck_port **out, size_t *nout)
{
    struct ne_port *ports = NULL;
    struct ne_stuck_port *v;
    size_t n = 0, i;
    bool ext = neutron_has_bindings(nt);

    *out = NULL;
    *nout = 0;
    if (neutron_ports_of(nt, uuid, &ports, &n) < 0) return -1;
    v = xcalloc(n + 1, sizeof *v);
    for (i = 0; i < n; i++) {
        v[i].port = ports[i];
        v[i].extended = ext;
        if (ext && neutron_bindings(nt, ports[i].id, &v[i].b, &v[i].nb) < 0) {
            memset(&ports[i], 0, sizeof ports[i]);
            ne_stuck_ports_free(v, i + 1);
            for (i++; i < n; i++) ne_port_clear(&ports[i]);
            free(ports);
            return -1;
        }
        memset(&ports[i], 0, sizeof ports[i]);
    }
    free(ports);
    *out = v;
    *nout = n;
    return 0;
}

static void
decide_ports(const struct ne_truth *t, size_t nt, struct ne_stuck_port *p, size_t np)
{
    size_t i;

    for (i = 0; i < np; i++) {
        struct ne_port_facts f = {p[i].port.id, p[i].port.b.host, p[i].port.status,
                                  p[i].extended, p[i].b, p[i].nb};
        ne_stuck_port_decide(t, nt, &f, &p[i].fix);
        ne_debug(NE_DBG_PLAN, "port %s: %s%s%s", p[i].port.id, ne_port_act_name(p[i].fix.act),
                 p[i].fix.why ? ": " : "", p[i].fix.why ? p[i].fix.why : "");
    }
}

static int
check(struct scan *s, struct ne_nova_inst *in)
{
    struct ne_stuck_scan *out = s->out;
    struct ne_stuck_item *it;
    double t0 = ne_now();

    if (too_fresh(s, in)) return 0;

    xgrow(&out->items, &out->cap, out->n + 1, sizeof *out->items);
    it = &out->items[out->n];
    memset(it, 0, sizeof *it);
    it->in = in;
    if (s->o->neutron && read_ports(s->o->neutron, in->uuid, &it->ports, &it->nports) < 0)
        it->ports_error = xasprintf("its Neutron ports could not be read (%s)",
                                    "see above; nothing is changed for them");
    gather_truths(s, in, it->ports, it->nports, &it->t, &it->nt);
    out->virt_s += ne_now() - t0;
    out->checked++;
    ne_stuck_decide(in, it->t, it->nt, &it->fix);
    ne_debug(NE_DBG_PLAN, "instance %s: %s: %s", in->uuid, ne_fix_kind_name(it->fix.kind),
             it->fix.why ? it->fix.why : "");
    decide_ports(it->t, it->nt, it->ports, it->nports);
    if (it->fix.kind == NE_FIX_NONE && !it->ports_error &&
        ne_stuck_ports_count(it, NE_PORT_OK) == it->nports) {
        size_t i;
        for (i = 0; i < it->nt; i++) ne_truth_clear(&it->t[i]);
        free(it->t);
        ne_fix_clear(&it->fix);
        ne_stuck_ports_free(it->ports, it->nports);
        return 0;
    }
    out->n++;
    t0 = ne_now();
    if (resolve_node(s, it) < 0) return -1;
    if (s->o->glance_schema && !s->no_glance && stuckdb_image_deleted(s->db, in) < 0) {
        ne_warn("the deleted-image check is skipped from here on (see --glance-schema)");
        s->no_glance = true;
    }
    out->db_s += ne_now() - t0;
    return 0;
}

static int
by_host(const void *a, const void *b)
{
    const struct ne_stuck_item *x = a, *y = b;
    int c = strcmp(x->in->host ? x->in->host : "", y->in->host ? y->in->host : "");
    return c ? c : strcmp(x->in->uuid, y->in->uuid);
}

int
ne_stuck_scan(struct ne_db *db, const struct ne_config *cfg, const struct ne_stuck_opts *o,
              struct ne_stuck_scan *out)
{
    struct scan *s = xcalloc(1, sizeof *s);
    double t0 = ne_now();
    size_t i;

    memset(out, 0, sizeof *out);
    *s = (struct scan){.db = db, .cfg = cfg, .o = o, .out = out};
    out->priv = s;
    if (db_suspects(s) < 0) return -1;
    out->db_s += ne_now() - t0;
    t0 = ne_now();
    if (list_nodes(s) < 0) return -1;
    out->virt_s += ne_now() - t0;
    if (o->neutron && !o->nuuids && port_suspects(s) < 0) return -1;
    for (i = 0; i < out->set.n; i++) {
        struct ne_nova_inst *in = &out->set.v[i];
        if (o->host && !involves(s, in, o->host)) continue;
        if (check(s, in) < 0) return -1;
    }
    if (out->n) qsort(out->items, out->n, sizeof *out->items, by_host);
    ne_debug(NE_DBG_SQL, "scan: %zu suspects, %zu checked, %zu to report; database %.3f s, "
             "libvirt %.3f s", out->set.n, out->checked, out->n, out->db_s, out->virt_s);
    return 0;
}

static bool
same_fix(const struct ne_fix *a, const struct ne_fix *b)
{
    return a->kind == b->kind && str_eq(a->host, b->host) && str_eq(a->vm_state, b->vm_state) &&
           a->power_state == b->power_state && str_eq(a->mig_status, b->mig_status) &&
           a->flavor == b->flavor && a->drop_mig_context == b->drop_mig_context;
}

int
ne_stuck_recheck(struct ne_stuck_scan *sc, struct ne_stuck_item *it)
{
    struct scan *s = sc->priv;
    struct ne_truth *t = NULL;
    struct ne_fix fix;
    size_t nt = 0, i;

    gather_truths(s, it->in, it->ports, it->nports, &t, &nt);
    ne_stuck_decide(it->in, t, nt, &fix);
    if (same_fix(&fix, &it->fix)) {
        for (i = 0; i < nt; i++) ne_truth_clear(&t[i]);
        free(t);
        ne_fix_clear(&fix);
        return 1;
    }
    for (i = 0; i < it->nt; i++) ne_truth_clear(&it->t[i]);
    free(it->t);
    ne_fix_clear(&it->fix);
    it->t = t;
    it->nt = nt;
    it->fix = fix;
    return 0;
}

int
ne_stuck_ports_recheck(struct ne_stuck_scan *sc, struct ne_stuck_item *it)
{
    struct scan *s = sc->priv;
    struct ne_stuck_port *p = NULL;
    struct ne_truth *t = NULL;
    size_t np = 0, nt = 0, i, j;
    bool same;

    if (read_ports(s->o->neutron, it->in->uuid, &p, &np) < 0) return -1;
    gather_truths(s, it->in, p, np, &t, &nt);
    decide_ports(t, nt, p, np);
    for (i = 0; i < nt; i++) ne_truth_clear(&t[i]);
    free(t);
    same = np == it->nports;
    for (i = 0; same && i < np; i++) {
        for (j = 0; j < it->nports; j++)
            if (str_eq(p[i].port.id, it->ports[j].port.id)) break;
        same = j < it->nports && ne_port_fix_same(&p[i].fix, &it->ports[j].fix);
    }
    if (same) {
        ne_stuck_ports_free(p, np);
        return 1;
    }
    ne_stuck_ports_free(it->ports, it->nports);
    it->ports = p;
    it->nports = np;
    return 0;
}

void
ne_stuck_scan_free(struct ne_stuck_scan *s)
{
    size_t i, j;

    for (i = 0; i < s->n; i++) {
        for (j = 0; j < s->items[i].nt; j++) ne_truth_clear(&s->items[i].t[j]);
        free(s->items[i].t);
        ne_fix_clear(&s->items[i].fix);
        free(s->items[i].node);
        for (j = 0; j < s->items[i].nsteps; j++) free(s->items[i].steps[j].what);
        ne_stuck_ports_free(s->items[i].ports, s->items[i].nports);
        free(s->items[i].ports_error);
    }
    free(s->items);
    ne_inst_set_free(&s->set);
    if (s->priv) {
        conns_close(s->priv);
        free(s->priv);
    }
    memset(s, 0, sizeof *s);
}
