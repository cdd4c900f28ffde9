/* SPDX-License-Identifier: Apache-2.0 */
/* findings.h: what `nova-evac check` reports (pure, no I/O): findings with
 * a severity, the exit code they give, the machine-type map (the same
 * file hooks/qemu reads) and the small parsers check needs. */
#ifndef NE_FINDINGS_H
#define NE_FINDINGS_H

#include <stdbool.h>
#include <stddef.h>

enum ne_sev { NE_SEV_INFO, NE_SEV_WARNING, NE_SEV_BLOCKER };

struct ne_finding {
    enum ne_sev sev;
    char *check;   /* the check's name ("machine-type"), for --force-check */
    char *host;    /* the host it is about (may be NULL) */
    char *object;  /* what: "vm1 (uuid)", "libvirtd", "[migration] tls" */
    char *message; /* what is wrong */
    char *fix;     /* what to do, in plain words (may be NULL for info) */
    bool forced;   /* a blocker the operator overrode (--force-check) */
};

struct ne_findings {
    struct ne_finding *v;
    size_t n, cap;
};

/* Appends a finding (strings copied; fix may be NULL). */
void ne_finding_add(struct ne_findings *f, enum ne_sev sev, const char *check, const char *host,
                    const char *object, const char *fix, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
void ne_findings_free(struct ne_findings *f);
size_t ne_findings_count(const struct ne_findings *f, enum ne_sev sev, bool forced);
const char *ne_sev_name(enum ne_sev s);
/* Marks the blockers of the named checks as forced.  Returns how many
 * findings matched. */
size_t ne_findings_force(struct ne_findings *f, const char *const *names, size_t n);
/* 0 nothing but info, 1 warnings (or forced blockers), 3 a blocker. */
int ne_findings_exit(const struct ne_findings *f);
/* True when name is one of the check names (ne_check_names). */
bool ne_check_name_known(const char *name);
/* Every check name, comma-separated (for messages and the man page). */
const char *ne_check_names(void);

/* The machine-type map: lines "old=new", '#' comments, names of letters,
 * digits, '.', '-', '_' (as hooks/qemu requires); lines "cpu:old=new" map
 * a guest's CPU model (<cpu><model>) the same way. */
struct ne_machine_map {
    char **from, **to;         /* machine types */
    size_t n;
    char **cpu_from, **cpu_to; /* CPU models ("cpu:" lines) */
    size_t ncpu;
};
/* Parses text; a bad line is reported naming origin and its line number
 * and gives -1 (the map is left empty). */
int ne_machine_map_parse(const char *text, const char *origin, struct ne_machine_map *m);
void ne_machine_map_free(struct ne_machine_map *m);
/* The mapped machine type of from, or NULL (borrowed). */
const char *ne_machine_map_lookup(const struct ne_machine_map *m, const char *from);
/* The mapped CPU model of from ("cpu:" lines), or NULL (borrowed). */
const char *ne_cpu_map_lookup(const struct ne_machine_map *m, const char *from);
/* The machine type to suggest in place of from, among offered (n names):
 * the same family (q35 or i440fx, by name), the nearest version at or
 * above from's, else the newest of the family.  Borrowed, or NULL. */
const char *ne_machine_suggest(const char *from, const char *const *offered, size_t n);
/* Host and port of a libvirt URI ("qemu+tcp://h:16509/system"): 0 and
 * host (at most hlen-1 chars, IPv6 brackets removed) and *port (0 when
 * the URI has none) set; -1 when the URI has no host. */
int ne_uri_host_port(const char *uri, char *host, size_t hlen, unsigned *port);

/* The settings of a nova.conf (parsed, util/ini.h) left from old releases,
 * as warnings of check "nova-conf" about host (may be NULL), naming path:
 * [libvirt] live_migration_flag and block_migration_flag (ignored since
 * Nova 14.0; tunnelled migration called out), live_migration_uri
 * (deprecated since 15.0; qemu+tcp called out). */
struct ini;
void ne_novaconf_findings(const struct ini *conf, const char *path, const char *host,
                          struct ne_findings *f);

#endif
