/* SPDX-License-Identifier: Apache-2.0 */
/* image-cache-int.h: what the steps of one staging run share:
 * image-cache.c (facts), image-probe.c (copies compared, sources chosen),
 * image-guard.c (Nova's cleaner, touching), image-stage.c (copies), all
 * driven by image-run.c. */
#ifndef NE_IMAGECACHE_INT_H
#define NE_IMAGECACHE_INT_H

#include "images/image-cache.h"

struct ic_host {
    const char *name;    /* borrowed from the report */
    struct ne_virt *v;   /* NULL when unreachable */
    bool owned;          /* opened here (closed at the end) */
};

/* One run of ne_stage_bases.  hosts[0] is the drained host,
 * hosts[1..ndst] the destinations, then the other configured nodes. */
struct ic_run {
    const struct ne_stage_opts *o;
    const struct ne_config *cfg;
    char *base_dir;      /* <instances_path>/_base */
    struct ic_host *hosts;
    size_t nhosts, ndst;
    struct ne_stage_report *r;
    bool unreachable;    /* a host could not be asked */
};

/* image-cache.c */
int ic_collect(struct ic_run *ic, const struct ne_domain *const *doms, size_t n);
void ic_identify(struct ic_run *ic);
/* Is there a source that can download from Glance? */
bool ic_glance_dl(const struct ic_run *ic);

/* image-probe.c */
int ic_probe(struct ic_run *ic);
/* Chooses a source for every missing destination copy. */
void ic_choose(struct ic_run *ic);
/* Full SHA-256 of b on host h (with a progress bar). */
int ic_full_hash(struct ic_run *ic, const struct ne_base *b, size_t h, char hex[65]);

/* image-guard.c: reads each destination's nova.conf; touches present bases. */
void ic_guard(struct ic_run *ic);
void ic_touch(struct ic_run *ic);

/* image-stage.c: copies every missing (base, destination) with a source. */
void ic_stage(struct ic_run *ic);

#endif
