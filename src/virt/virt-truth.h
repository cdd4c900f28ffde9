/* SPDX-License-Identifier: Apache-2.0 */
/* virt-truth.h: what libvirt on one host shows about Nova instances, for
 * `stuck` (virt-truth.c, part of the libvirt adapter). */
#ifndef NE_VIRT_TRUTH_H
#define NE_VIRT_TRUTH_H

#include <stddef.h>

#include "stuck/stuck.h"
#include "virt/virt.h"

struct ne_dom_brief {
    char uuid[37];
    int state;     /* enum ne_dom_state */
};

/* Every domain defined or running on v, uuid and state only (cheap: no XML).
 * *out is a newly allocated array of *n entries (caller frees).  0, or -1
 * after reporting. */
int virt_list_brief(struct ne_virt *v, struct ne_dom_brief **out, size_t *n);

/* Fills *t (t->host newly allocated) with what v shows about the domain
 * whose uuid is given: defined? running? a job active?  For a domain that
 * does not run: do its local disks exist?  For an absent one: is there an
 * instance directory with a disk (<instances>/<uuid>/disk)?  Both: is there
 * a <uuid>_resize/disk left by a cold migration?  Returns 0; -1 (reported)
 * when v fails mid-way, with t->seen = NE_SEEN_UNREACHABLE. */
int virt_truth(struct ne_virt *v, const char *uuid, struct ne_truth *t);

#endif
