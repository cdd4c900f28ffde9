/* SPDX-License-Identifier: Apache-2.0 */
/* check.h: `nova-evac check HOST [--to HOST...]`: before an evacuation,
 * what would stop or endanger it, per source/destination pair: versions
 * and capabilities, CPU and machine types of every domain against each
 * destination, nwfilters, base images, room (the drain's own plan), the
 * libvirt URIs, and risky settings (unauthenticated TCP, plaintext
 * migration).  Reads only, but on a node with no base image to try sparse
 * streams on: there a 1 MiB probe file of holes, removed at once
 * (virt-caps.c). */
#ifndef NE_CHECK_H
#define NE_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/findings.h"
#include "util/config.h"
#include "virt/virt.h"

struct ne_check_opts {
    const char *host;
    const char *const *to;   /* destinations; NULL: every configured node but host */
    size_t nto;
    bool probe_tcp;          /* try an unauthenticated qemu+tcp connection to each node */
    bool precheck;           /* drain's: only what the plan does not handle per instance
                              * (no room, refusals, unreachable hosts, settings) */
};

struct ne_check_host {
    char *name;
    bool source;
    struct ne_virt *v;           /* NULL when unreachable */
    const struct ne_caps *caps;  /* borrowed from v, NULL when unknown */
    uint64_t free_disk, free_ram_kib; /* destinations: minus reserves (the plan's) */
    bool room_known;
};

struct ne_check {
    const struct ne_config *cfg;
    bool precheck;
    struct ne_check_host *hosts; /* [0] is the source */
    size_t nhosts;
    size_t ndomains;
    struct ne_findings f;
};

/* Gathers everything and fills c->f.  0, or an exit code (2 bad input,
 * 4 the source cannot be reached) after reporting. */
int ne_check_run(struct ne_check *c, const struct ne_config *cfg, const struct ne_check_opts *o);
void ne_check_print(const struct ne_check *c, bool json);
void ne_check_free(struct ne_check *c);
/* Before a drain's first move: the checks whose blockers make a move
 * fail once started (machine-type, cpu-model, cpu-compat, virt-type),
 * for every candidate destination.  Blockers of the checks named in
 * force (n names, each validated: an unknown name is exit 2) are said
 * and let through.  Prints each blocker (stderr) with its fix and returns
 * 3 when one is left, 0 when none, or the exit code of an error. */
int ne_check_precheck(const struct ne_config *cfg, const char *host, const char *const *to,
                      size_t nto, const char *const *force, size_t nforce);

/* check-report.c: a node's capabilities, one line of text ("libvirt 9.0.0,
 * QEMU 7.2.0, migration parameters yes (...), ...") into buf, and as a new
 * JSON object (a json_t *, returned as void * so that this header needs no
 * jansson). */
const char *ne_caps_line(const struct ne_caps *c, char *buf, size_t len);
void *ne_caps_json(const struct ne_caps *c);

#endif
