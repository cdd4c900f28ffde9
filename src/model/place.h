/* SPDX-License-Identifier: Apache-2.0 */
/* destpick.h: choosing a destination for every instance of a drain
 * (pure).  Largest first; a host fits when its free disk in the instances
 * path, its free RAM and CPU compatibility allow the instance after what is
 * already planned there; among those, the one with the most RAM left
 * (spread). */
#ifndef NE_DESTPICK_H
#define NE_DESTPICK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NE_PLACE_MAX_HOSTS 64

struct ne_place_host {
    const char *name;          /* borrowed */
    uint64_t free_disk;        /* bytes free in the instances path, minus reserve */
    uint64_t free_ram_kib;     /* minus reserve */
    bool usable;               /* reachable and enabled */
    const char *unusable_why;  /* when !usable (borrowed) */
    /* Output: what the plan puts there. */
    uint64_t planned_disk, planned_ram_kib;
    unsigned planned_n;
};

struct ne_place_inst {
    const char *name;          /* borrowed */
    uint64_t disk_bytes;       /* needed on the destination (local disks) */
    uint64_t ram_kib;
    bool needs_host;           /* false: placement not needed (e.g. refused) */
    /* Per host index: NULL when the host may take it, else why not (CPU
     * model, base image missing...); borrowed static strings. */
    const char *veto[NE_PLACE_MAX_HOSTS];
    /* Output */
    int host;                  /* index into hosts, or -1 */
    char why[512];             /* when host < 0: every host's reason */
};

/* Places every instance with needs_host; fills host/why and the hosts'
 * planned_* fields. */
void ne_place(struct ne_place_inst *v, size_t n, struct ne_place_host *h, size_t nh);

#endif
