/* SPDX-License-Identifier: Apache-2.0 */
/* destpick.c: see destpick.h. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/place.h"
#include "util/mem.h"

static uint64_t
weight(const struct ne_place_inst *i)
{
    return i->ram_kib * 1024 + i->disk_bytes;
}

static int
by_size_desc(const void *a, const void *b)
{
    const struct ne_place_inst *x = *(struct ne_place_inst *const *)a;
    const struct ne_place_inst *y = *(struct ne_place_inst *const *)b;
    uint64_t wx = weight(x), wy = weight(y);

    if (wx != wy) return wx < wy ? 1 : -1;
    return strcmp(x->name, y->name);
}

/* Why host h cannot take instance i right now, or NULL when it can. */
static const char *
unfit(const struct ne_place_inst *i, const struct ne_place_host *h, size_t hi, char *buf,
      size_t len)
{
    char a[16], b[16];

    if (!h->usable) return h->unusable_why ? h->unusable_why : "not usable";
    if (i->veto[hi]) return i->veto[hi];
    if (h->free_disk < h->planned_disk + i->disk_bytes) {
        snprintf(buf, len, "disk %s free < %s needed",
                 fmt_bytes(h->free_disk > h->planned_disk ? h->free_disk - h->planned_disk : 0, a, 16),
                 fmt_bytes(i->disk_bytes, b, 16));
        return buf;
    }
    if (h->free_ram_kib < h->planned_ram_kib + i->ram_kib) {
        snprintf(buf, len, "RAM %s free < %s needed",
                 fmt_bytes((h->free_ram_kib > h->planned_ram_kib ? h->free_ram_kib - h->planned_ram_kib : 0) * 1024, a, 16),
                 fmt_bytes(i->ram_kib * 1024, b, 16));
        return buf;
    }
    return NULL;
}

static void
place_one(struct ne_place_inst *i, struct ne_place_host *h, size_t nh)
{
    size_t k, len = 0;
    int best = -1;
    uint64_t best_left = 0;
    char buf[96];

    i->host = -1;
    i->why[0] = '\0';
    for (k = 0; k < nh; k++) {
        const char *why = unfit(i, &h[k], k, buf, sizeof buf);
        uint64_t left;
        if (why) {
            if (len < sizeof i->why - 2)
                len += (size_t)snprintf(i->why + len, sizeof i->why - len, "%s%s: %s",
                                        len ? "; " : "", h[k].name, why);
            continue;
        }
        left = h[k].free_ram_kib - h[k].planned_ram_kib - i->ram_kib;
        if (best < 0 || left > best_left ||
            (left == best_left && h[k].planned_n < h[best].planned_n)) {
            best = (int)k;
            best_left = left;
        }
    }
    if (best < 0) return;
    i->host = best;
    h[best].planned_disk += i->disk_bytes;
    h[best].planned_ram_kib += i->ram_kib;
    h[best].planned_n++;
}

void
ne_place(struct ne_place_inst *v, size_t n, struct ne_place_host *h, size_t nh)
{
    struct ne_place_inst **order = xcalloc(n + 1, sizeof *order);
    size_t i, m = 0;

    if (nh > NE_PLACE_MAX_HOSTS) nh = NE_PLACE_MAX_HOSTS;
    for (i = 0; i < n; i++) {
        v[i].host = -1;
        if (v[i].needs_host) order[m++] = &v[i];
    }
    qsort(order, m, sizeof *order, by_size_desc);
    for (i = 0; i < m; i++) {
        if (nh == 0) {
            snprintf(order[i]->why, sizeof order[i]->why, "no destination host");
            continue;
        }
        place_one(order[i], h, nh);
    }
    free(order);
}
