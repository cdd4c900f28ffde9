/* SPDX-License-Identifier: Apache-2.0 */
/* stuck-port.c: see stuck-port.h. */
#include <config.h>

#include <string.h>

#include "stuck/stuck-port.h"
#include "util/log.h"
#include "util/mem.h"

const char *
ne_port_act_name(enum ne_port_act a)
{
    static const char *const names[] = {"ok", "rebind", "leave", "unreachable", "wait"};
    return a <= NE_PORT_WAIT ? names[a] : "?";
}

void
ne_port_fix_clear(struct ne_port_fix *f)
{
    size_t i;

    free(f->runs_on);
    free(f->bound);
    for (i = 0; i < f->nstale; i++) free(f->stale[i]);
    free(f->why);
    free(f->next);
    memset(f, 0, sizeof *f);
}

bool
ne_port_fix_same(const struct ne_port_fix *a, const struct ne_port_fix *b)
{
    size_t i;

    if (a->act != b->act || !str_eq(a->runs_on, b->runs_on) || a->create != b->create ||
        a->activate != b->activate || a->set_host != b->set_host || a->nstale != b->nstale)
        return false;
    for (i = 0; i < a->nstale; i++)
        if (!str_eq(a->stale[i], b->stale[i])) return false;
    return true;
}

static const char *
host_or_null(const char *h)
{
    return h && *h ? h : NULL;
}

/* "ACTIVE on node03, INACTIVE on node01" (or the one binding:host_id). */
static char *
bindings_text(const struct ne_port_facts *p)
{
    char *s = NULL;
    size_t i;

    if (!p->extended || p->nb == 0)
        return host_or_null(p->host) ? xasprintf("bound to %s", p->host) : xstrdup("unbound");
    for (i = 0; i < p->nb; i++) {
        char *n = xasprintf("%s%s%s on %s", s ? s : "", s ? ", " : "",
                            p->b[i].status ? p->b[i].status : "?",
                            host_or_null(p->b[i].host) ? p->b[i].host : "no host");
        free(s);
        s = n;
    }
    return s;
}

/* Whether every binding of p is on host, the active one included. */
static bool
all_on(const struct ne_port_facts *p, const char *host)
{
    size_t i;

    if (!str_eq(host_or_null(p->host), host)) return false;
    if (!p->extended) return true;
    for (i = 0; i < p->nb; i++)
        if (!str_eq(p->b[i].host, host)) return false;
    return true;
}

static void
add_stale(struct ne_port_fix *out, const char *host)
{
    size_t i;

    if (!host_or_null(host) || str_eq(host, out->runs_on)) return;
    for (i = 0; i < out->nstale; i++)
        if (str_eq(out->stale[i], host)) return;
    if (out->nstale < NE_PORT_STALE_MAX) out->stale[out->nstale++] = xstrdup(host);
}

/* Appends ", part" (or "part") to *s. */
static void
add_part(char **s, char *part)
{
    char *n = xasprintf("%s%s%s", *s ? *s : "", *s ? ", " : "", part);

    free(*s);
    free(part);
    *s = n;
}

/* The repair of p onto out->runs_on, in words. */
static char *
rebind_text(const struct ne_port_facts *p, const struct ne_port_fix *out)
{
    char *s = NULL;
    size_t i;

    if (out->set_host)
        return xasprintf("set binding:host_id of port %s to %s (the cloud has no port-bindings "
                         "extension)", p->id, out->runs_on);
    if (out->create) add_part(&s, xasprintf("create a binding of port %s on %s", p->id, out->runs_on));
    if (out->activate)
        add_part(&s, xasprintf("activate the binding of port %s on %s", p->id, out->runs_on));
    for (i = 0; i < out->nstale; i++)
        add_part(&s, xasprintf("delete its binding on %s", out->stale[i]));
    return s ? s : xstrdup("nothing");
}

void
ne_stuck_port_decide(const struct ne_truth *t, size_t nt, const struct ne_port_facts *p,
                     struct ne_port_fix *out)
{
    const struct ne_truth *run[2] = {NULL, NULL}, *def = NULL, *unreach = NULL, *job = NULL;
    size_t i, nrun = 0, ndef = 0;
    CLEANUP_FREE char *binds = bindings_text(p);
    const struct ne_binding *on_x = NULL;

    memset(out, 0, sizeof *out);
    if (host_or_null(p->host)) out->bound = xstrdup(p->host);
    for (i = 0; i < nt; i++) {
        if (t[i].seen == NE_SEEN_UNREACHABLE && !unreach) unreach = &t[i];
        if (t[i].job && !job) job = &t[i];
        if (t[i].seen == NE_SEEN_RUNNING && nrun++ < 2) run[nrun - 1] = &t[i];
        if (t[i].seen == NE_SEEN_DEFINED && ndef++ == 0) def = &t[i];
    }

    if (nrun >= 2) {
        out->act = NE_PORT_LEAVE;
        out->why = xasprintf("port %s is %s; the guest runs on %s and on %s: which binding is "
                             "right cannot be told", p->id, binds, run[0]->host, run[1]->host);
        out->next = xstrdup("left as it is: settle which copy of the guest is current first");
        return;
    }
    if (nrun == 1) {
        out->runs_on = xstrdup(run[0]->host);
        if (all_on(p, run[0]->host)) return; /* NE_PORT_OK */
        out->why = xasprintf("the guest runs on %s only, but its port %s is %s", run[0]->host,
                             p->id, binds);
        if (unreach) {
            out->act = NE_PORT_UNREACHABLE;
            out->next = xasprintf("libvirt on %s cannot be asked (%s): the guest may run there "
                                  "too; the binding is left as it is until it can be asked",
                                  unreach->host, unreach->error ? unreach->error : "unreachable");
        } else if (job) {
            out->act = NE_PORT_WAIT;
            out->next = xasprintf("a libvirt job is active on %s: the move is still going on; "
                                  "run nova-evac stuck again once it ends", job->host);
        } else {
            out->act = NE_PORT_REBIND;
            if (p->extended) {
                for (i = 0; i < p->nb; i++)
                    if (str_eq(p->b[i].host, run[0]->host)) on_x = &p->b[i];
                out->create = !on_x;
                out->activate = !on_x || !str_eq(on_x->status, "ACTIVE");
                add_stale(out, p->host);
                for (i = 0; i < p->nb; i++) add_stale(out, p->b[i].host);
            } else {
                out->set_host = true;
            }
            out->next = rebind_text(p, out);
        }
        return;
    }
    /* Running nowhere: a shut-off guest's port bound where it is defined
     * is fine; anything else cannot be settled from libvirt. */
    if (ndef == 1 && !unreach && all_on(p, def->host)) return;
    if (ndef == 0 && !unreach && !host_or_null(p->host) && (!p->extended || p->nb == 0)) return;
    if (unreach) {
        out->act = NE_PORT_UNREACHABLE;
        out->why = xasprintf("port %s is %s; libvirt on %s cannot be asked (%s)", p->id, binds,
                             unreach->host, unreach->error ? unreach->error : "unreachable");
        out->next = xasprintf("left as it is: make libvirt on %s reachable, then run nova-evac "
                              "stuck again", unreach->host);
        return;
    }
    out->act = NE_PORT_LEAVE;
    if (ndef == 1)
        out->why = xasprintf("port %s is %s; the guest runs nowhere (defined, not running, on "
                             "%s)", p->id, binds, def->host);
    else if (ndef > 1)
        out->why = xasprintf("port %s is %s; the guest runs nowhere (defined on several hosts)",
                             p->id, binds);
    else
        out->why = xasprintf("port %s is %s; no host asked runs or defines the guest", p->id,
                             binds);
    out->next = xstrdup("left as it is: the binding follows the host that runs the guest; "
                        "start it where its disks are (through Nova), then run nova-evac stuck "
                        "again");
}
