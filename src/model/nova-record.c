/* SPDX-License-Identifier: Apache-2.0 */
/* nova-record.c: see nova-record.h. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "model/nova-record.h"

void
ne_nova_inst_clear(struct ne_nova_inst *in)
{
    char **s[] = {&in->name, &in->host, &in->node, &in->vm_state, &in->task_state,
                  &in->image_ref, &in->mig.uuid, &in->mig.status, &in->mig.type, &in->mig.src,
                  &in->mig.dst, &in->mig.src_node, &in->mig.dst_node};
    size_t i;

    for (i = 0; i < sizeof s / sizeof s[0]; i++) free(*s[i]);
    memset(in, 0, sizeof *in);
}

void
ne_fix_clear(struct ne_fix *f)
{
    free(f->why);
    free(f->next);
    memset(f, 0, sizeof *f);
}
