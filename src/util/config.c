/* SPDX-License-Identifier: Apache-2.0 */
/* config.c: see config.h. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "util/config.h"
#include "util/ini.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/statedir.h"

/* Upper bounds of numbers from the configuration: past these a value is a
 * mistake, and the arithmetic on it (MiB to bytes, steps) would overflow. */
#define MAX_RESERVED_MB (1ULL << 30) /* 1 PiB */

static char *
get_str(const struct ini *ini, const char *sec, const char *key, const char *def)
{
    const char *v = ini_get(ini, sec, key);
    return xstrdup(v && *v ? v : def);
}

/* A number from min to max, def when absent.  The message names the key,
 * not the value (HACKING.md: no value of a configuration file in a
 * message). */
static int
get_ulong(const struct ini *ini, const char *sec, const char *key, unsigned long def,
          unsigned long min, unsigned long max, unsigned long *out)
{
    const struct ini_entry *e = ini_find(ini, sec, key);
    unsigned long long n;

    if (!e) {
        *out = def;
        return 0;
    }
    if (parse_u64(e->value, &n) < 0 || n < min || n > max) {
        ne_error("%s:%u: [%s] %s: expected an integer from %lu to %lu", ini->path, e->line, sec,
                 key, min, max);
        return -1;
    }
    *out = (unsigned long)n;
    return 0;
}

/* A local path: absolute, no '.' or '..' (statedir.h). */
static char *
get_path(const struct ini *ini, const char *sec, const char *key, const char *def, int *bad)
{
    const struct ini_entry *e = ini_find(ini, sec, key);
    CLEANUP_FREE char *what = NULL;

    if (!e || !*e->value) return xstrdup(def);
    what = xasprintf("%s:%u: [%s] %s", ini->path, e->line, sec, key);
    if (ne_path_check(what, e->value) < 0) *bad = 1;
    return xstrdup(e->value);
}

static int
get_bool(const struct ini *ini, const char *sec, const char *key, bool def, bool *out)
{
    int b = ini_get_bool(ini, sec, key, def);
    if (b < 0) return -1;
    *out = b;
    return 0;
}

static int
check_template(const struct ini *ini, const char *key, const char *tpl)
{
    const char *p = strchr(tpl, '%');
    if (!p || p[1] != 's' || strchr(p + 2, '%')) {
        ne_error("%s: [libvirt] %s: must contain exactly one '%%s' (the host)", ini->path, key);
        return -1;
    }
    return 0;
}

static int
load_nodes(struct ne_config *c, const struct ini *ini)
{
    size_t i, j;

    for (i = 0; i < ini->n; i++) {
        const char *sec = ini->e[i].section;
        struct ne_node_conf *n = NULL;

        if (!str_prefix(sec, "node:")) continue;
        if (ne_check_hostname(sec + 5) < 0) return -1;
        for (j = 0; j < c->nnodes; j++)
            if (strcmp(c->nodes[j].name, sec + 5) == 0) n = &c->nodes[j];
        if (!n) {
            xgrow(&c->nodes, &c->capnodes, c->nnodes + 1, sizeof *c->nodes);
            n = &c->nodes[c->nnodes++];
            n->name = xstrdup(sec + 5);
        }
        if (strcmp(ini->e[i].key, "uri") == 0) {
            free(n->uri);
            n->uri = xstrdup(ini->e[i].value);
        } else if (strcmp(ini->e[i].key, "peer_uri") == 0) {
            free(n->peer_uri);
            n->peer_uri = xstrdup(ini->e[i].value);
        } else if (strcmp(ini->e[i].key, "reserved_disk_mb") == 0 ||
                   strcmp(ini->e[i].key, "reserved_ram_mb") == 0) {
            unsigned long long v;
            if (parse_u64(ini->e[i].value, &v) < 0 || v > MAX_RESERVED_MB) {
                ne_error("%s:%u: [%s] %s: expected a number of MiB from 0 to %llu", ini->path,
                         ini->e[i].line, sec, ini->e[i].key, MAX_RESERVED_MB);
                return -1;
            }
            if (ini->e[i].key[9] == 'd') n->reserved_disk_mb = v; else n->reserved_ram_mb = v;
        } else if (strcmp(ini->e[i].key, "legacy") == 0) {
            int b = ini_get_bool(ini, sec, "legacy", false);
            if (b < 0) return -1;
            n->legacy = b;
        } else {
            char k[80];
            ne_error("%s:%u: [%s]: unknown key '%s' (known: uri, peer_uri, reserved_disk_mb, "
                     "reserved_ram_mb, legacy)", ini->path, ini->e[i].line, sec,
                     ini_safe_name(ini->e[i].key, k, sizeof k));
            return -1;
        }
    }
    return 0;
}

static int
load_migration(struct ne_config *c, const struct ini *ini)
{
    const char *act = ini_get(ini, "migration", "timeout_action");

    if (get_bool(ini, "migration", "tunnelled", false, &c->tunnelled) < 0 ||
        get_bool(ini, "migration", "tls", false, &c->tls) < 0 ||
        get_bool(ini, "migration", "auto_converge", false, &c->auto_converge) < 0 ||
        get_bool(ini, "migration", "postcopy", false, &c->postcopy) < 0 ||
        /* Nova's bounds where it has them (downtime >= 100 ms, steps >= 3,
         * delay >= 3 s); the upper ones keep the products in range */
        get_ulong(ini, "migration", "bandwidth", 0, 0, 1UL << 20, &c->bandwidth_mib) < 0 ||
        get_ulong(ini, "migration", "downtime", 500, 100, 600000, &c->downtime_ms) < 0 ||
        get_ulong(ini, "migration", "downtime_steps", 10, 1, 1000, &c->downtime_steps) < 0 ||
        get_ulong(ini, "migration", "downtime_delay", 75, 1, 3600, &c->downtime_delay_s) < 0 ||
        get_ulong(ini, "migration", "completion_timeout", 800, 0, 86400,
                  &c->completion_timeout_s) < 0)
        return -1;
    if (!act || strcmp(act, "abort") == 0)
        c->timeout_action = NE_TIMEOUT_ABORT;
    else if (strcmp(act, "postcopy") == 0)
        c->timeout_action = NE_TIMEOUT_POSTCOPY;
    else if (strcmp(act, "pause") == 0)
        c->timeout_action = NE_TIMEOUT_PAUSE;
    else {
        ne_error("%s:%u: [migration] timeout_action: expected abort, postcopy or pause",
                 ini->path, ini_find(ini, "migration", "timeout_action")->line);
        return -1;
    }
    return 0;
}

struct ne_config *
ne_config_load(const char *path)
{
    struct ne_config *c = xcalloc(1, sizeof *c);
    struct ini *ini;
    bool explicit = path != NULL;
    int bad = 0;

    if (!path) path = getenv("NOVA_EVAC_CONFIG");
    if (path) explicit = true;
    if (!path) path = NE_DEFAULT_CONFIG;
    ini = ini_load(path, !explicit);
    if (!ini) {
        free(c);
        return NULL;
    }
    ne_debug(NE_DBG_CONFIG, "config file %s: %zu entries", path, ini->n);
    c->path = xstrdup(path);
    c->instances_path = get_path(ini, "DEFAULT", "instances_path", "/var/lib/nova/instances", &bad);
    c->state_dir = get_path(ini, "DEFAULT", "state_dir", "/var/lib/nova-evac", &bad);
    c->nova_conf = get_path(ini, "DEFAULT", "nova_conf", "/etc/nova/nova.conf", &bad);
    c->machine_map = get_path(ini, "DEFAULT", "machine_map", "/etc/nova-evac/machine-map", &bad);
    c->uri_template = get_str(ini, "libvirt", "uri_template", "qemu+tcp://%s/system");
    c->peer_uri_template = get_str(ini, "libvirt", "peer_uri_template", "qemu+tcp://%s/system");
    {
        unsigned long d = 0, r = 0;
        if (bad || get_ulong(ini, "DEFAULT", "reserved_disk_mb", 0, 0, MAX_RESERVED_MB, &d) < 0 ||
            get_ulong(ini, "DEFAULT", "reserved_ram_mb", 0, 0, MAX_RESERVED_MB, &r) < 0) {
            ini_free(ini);
            ne_config_free(c);
            return NULL;
        }
        c->reserved_disk_mb = d;
        c->reserved_ram_mb = r;
    }
    if (get_bool(ini, "DEFAULT", "instances_path_shared", false, &c->shared_instances) < 0 ||
        get_bool(ini, "libvirt", "allow_unsafe", false, &c->allow_unsafe) < 0 ||
        check_template(ini, "uri_template", c->uri_template) < 0 ||
        check_template(ini, "peer_uri_template", c->peer_uri_template) < 0 ||
        load_migration(c, ini) < 0 || load_nodes(c, ini) < 0) {
        ini_free(ini);
        ne_config_free(c);
        return NULL;
    }
    while (strlen(c->instances_path) > 1 && str_suffix(c->instances_path, "/"))
        c->instances_path[strlen(c->instances_path) - 1] = '\0';
    ini_free(ini);
    return c;
}

void
ne_config_free(struct ne_config *c)
{
    size_t i;

    if (!c) return;
    for (i = 0; i < c->nnodes; i++) {
        free(c->nodes[i].name);
        free(c->nodes[i].uri);
        free(c->nodes[i].peer_uri);
    }
    free(c->nodes);
    free(c->path);
    free(c->instances_path);
    free(c->state_dir);
    free(c->nova_conf);
    free(c->machine_map);
    free(c->uri_template);
    free(c->peer_uri_template);
    free(c);
}

int
ne_check_hostname(const char *host)
{
    size_t i, len = strlen(host);

    if (len == 0 || len > 253) goto bad;
    for (i = 0; i < len; i++) {
        char ch = host[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '_'))
            goto bad;
    }
    if (host[0] == '-' || host[0] == '.') goto bad;
    return 0;
bad:
    ne_error("invalid host name '%.64s%s': only letters, digits, '.', '-' and '_' are allowed",
             host, len > 64 ? "..." : "");
    return -1;
}

static const struct ne_node_conf *
find_node(const struct ne_config *c, const char *host)
{
    size_t i;
    for (i = 0; i < c->nnodes; i++)
        if (strcmp(c->nodes[i].name, host) == 0) return &c->nodes[i];
    return NULL;
}

static char *
expand(const char *tpl, const char *host)
{
    const char *p = strstr(tpl, "%s");
    return xasprintf("%.*s%s%s", (int)(p - tpl), tpl, host, p + 2);
}

bool
ne_uri_plaintext_tcp(const char *uri)
{
    const char *colon = strstr(uri, "://");
    const char *plus = strchr(uri, '+');

    return colon && plus && plus < colon && (size_t)(colon - plus) == 4 &&
           strncmp(plus, "+tcp", 4) == 0;
}

/* Once per run and kind, whichever thread gets there first. */
static bool
first_time(int *flag)
{
    return __atomic_exchange_n(flag, 1, __ATOMIC_RELAXED) == 0;
}

static int warned_tcp, warned_stream;

/* HACKING.md rule 6: an insecure transport is the operator's choice, but
 * never a silent one. */
static void
warn_transport(const char *uri, const char *host, const char *use)
{
    if (!ne_uri_plaintext_tcp(uri) || !first_time(&warned_tcp)) return;
    ne_warn("libvirt URI %s (%s %s) is plaintext TCP: libvirt's traffic crosses the network "
            "unencrypted, and libvirtd's TCP socket lets anyone who reaches it control every "
            "guest unless its auth_tcp is \"sasl\"; use qemu+tls:// or qemu+ssh:// "
            "(uri_template / peer_uri_template in [libvirt], uri / peer_uri in [node:%s])",
            uri, use, host, host);
}

char *
ne_node_uri(const struct ne_config *c, const char *host)
{
    const struct ne_node_conf *n = find_node(c, host);
    char *uri = n && n->uri ? xstrdup(n->uri) : expand(c->uri_template, host);

    warn_transport(uri, host, "to reach");
    return uri;
}

char *
ne_node_peer_uri(const struct ne_config *c, const char *host)
{
    const struct ne_node_conf *n = find_node(c, host);
    char *uri = n && n->peer_uri ? xstrdup(n->peer_uri) : expand(c->peer_uri_template, host);

    warn_transport(uri, host, "for migrations to");
    if (!c->tls && first_time(&warned_stream))
        ne_warn("migration streams are not encrypted: guest memory and disks cross the network "
                "in the clear; set tls = true in [migration] once the nodes have libvirt's "
                "migration TLS certificates");
    return uri;
}

size_t
ne_config_nodes(const struct ne_config *c, const char ***names)
{
    const char **v = xcalloc(c->nnodes + 1, sizeof *v);
    size_t i;

    for (i = 0; i < c->nnodes; i++) v[i] = c->nodes[i].name;
    *names = v;
    return c->nnodes;
}

void
ne_node_reserved(const struct ne_config *c, const char *host, unsigned long long *disk_mb,
                 unsigned long long *ram_mb)
{
    const struct ne_node_conf *n = find_node(c, host);

    *disk_mb = n && n->reserved_disk_mb ? n->reserved_disk_mb : c->reserved_disk_mb;
    *ram_mb = n && n->reserved_ram_mb ? n->reserved_ram_mb : c->reserved_ram_mb;
}

bool
ne_node_legacy(const struct ne_config *c, const char *host)
{
    const struct ne_node_conf *n = find_node(c, host);

    return n && n->legacy;
}
