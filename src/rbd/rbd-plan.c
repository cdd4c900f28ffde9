/* SPDX-License-Identifier: Apache-2.0 */
/* rbd-plan.c: the pure logic of volume-sync (see rbd-plan.h). */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rbd/rbd-plan.h"
#include "util/mem.h"

bool
ne_rbd_name_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;

    if (n == 0 || n > 255) return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

int
ne_rbd_spec_parse(const char *text, bool image_required, struct ne_rbd_spec *out, char *why,
                  size_t whylen)
{
    const char *part[3] = {NULL, NULL, NULL};
    static const char *const what[3] = {"cluster", "pool", "image"};
    CLEANUP_FREE char *copy = NULL;
    size_t np = 0;
    char *p;

    memset(out, 0, sizeof *out);
    if (!text || !*text) {
        snprintf(why, whylen, "empty; expected CLUSTER/POOL%s", image_required ? "/IMAGE" : "[/IMAGE]");
        return -1;
    }
    copy = xstrdup(text);
    for (p = copy; np < 3; np++) {
        part[np] = p;
        if (!(p = strchr(p, '/'))) { np++; break; }
        *p++ = 0;
    }
    if (p) {
        snprintf(why, whylen, "too many '/'; expected CLUSTER/POOL%s", image_required ? "/IMAGE" : "[/IMAGE]");
        return -1;
    }
    if (np < 2 || (image_required && np < 3)) {
        snprintf(why, whylen, "expected CLUSTER/POOL%s", image_required ? "/IMAGE" : "[/IMAGE]");
        return -1;
    }
    for (size_t i = 0; i < np; i++)
        if (!ne_rbd_name_ok(part[i])) {
            snprintf(why, whylen, "bad %s name (1-255 letters, digits, '.', '_', '-')", what[i]);
            return -1;
        }
    out->cluster = xstrdup(part[0]);
    out->pool = xstrdup(part[1]);
    out->image = xstrdup_null(part[2]);
    return 0;
}

void
ne_rbd_spec_free(struct ne_rbd_spec *s)
{
    free(s->cluster);
    free(s->pool);
    free(s->image);
    memset(s, 0, sizeof *s);
}

void
ne_extents_add(struct ne_extents *l, uint64_t off, uint64_t len, bool data)
{
    struct ne_extent *last = l->n ? &l->v[l->n - 1] : NULL;

    if (len == 0) return;
    if (data) l->data_bytes += len;
    else l->zero_bytes += len;
    if (last && last->data == data && last->off + last->len == off) {
        last->len += len;
        return;
    }
    xgrow(&l->v, &l->cap, l->n + 1, sizeof *l->v);
    l->v[l->n++] = (struct ne_extent){off, len, data};
}

void
ne_extents_free(struct ne_extents *l)
{
    free(l->v);
    memset(l, 0, sizeof *l);
}

void
ne_extents_split(const struct ne_extents *in, uint64_t chunk, struct ne_extents *out)
{
    for (size_t i = 0; i < in->n; i++) {
        uint64_t off = in->v[i].off, end = off + in->v[i].len;
        while (off < end) {
            uint64_t bound = (off / chunk + 1) * chunk, stop = bound < end ? bound : end;
            /* no merge: each piece stays inside one block */
            xgrow(&out->v, &out->cap, out->n + 1, sizeof *out->v);
            out->v[out->n++] = (struct ne_extent){off, stop - off, in->v[i].data};
            if (in->v[i].data) out->data_bytes += stop - off;
            else out->zero_bytes += stop - off;
            off = stop;
        }
    }
}

void
ne_extents_union(const struct ne_extents *a, const struct ne_extents *b, struct ne_extents *out)
{
    size_t i = 0, j = 0;
    uint64_t cs = 0, ce = 0;
    bool open = false;

    while (i < a->n || j < b->n) {
        const struct ne_extent *e;
        if (j >= b->n || (i < a->n && a->v[i].off <= b->v[j].off)) e = &a->v[i++];
        else e = &b->v[j++];
        if (open && e->off <= ce) {
            if (e->off + e->len > ce) ce = e->off + e->len;
            continue;
        }
        if (open) ne_extents_add(out, cs, ce - cs, true);
        cs = e->off, ce = e->off + e->len, open = true;
    }
    if (open) ne_extents_add(out, cs, ce - cs, true);
}

enum ne_round_next
ne_round_decide(const struct ne_round_stat *h, size_t n, const struct ne_converge *c,
                uint64_t *pred_bytes, double *pred_seconds)
{
    uint64_t tb = 0;
    double ts = 0, rate;

    *pred_bytes = 0, *pred_seconds = 0;
    if (n == 0) return NE_ROUND_AGAIN;
    for (size_t i = 0; i < n; i++) tb += h[i].bytes, ts += h[i].seconds;
    /* the mean rate; an instant round (nothing to copy) predicts 0 s */
    rate = ts > 0 ? (double)tb / ts : 0;
    *pred_bytes = h[n - 1].bytes;
    *pred_seconds = rate > 0 ? (double)*pred_bytes / rate : 0;
    if (n == 1) return NE_ROUND_AGAIN; /* after the full copy: at least one delta */
    if (*pred_bytes <= c->max_final_bytes && *pred_seconds <= c->max_final_seconds)
        return NE_ROUND_CUTOVER;
    if (n - 1 >= c->max_rounds) return NE_ROUND_CUTOVER_STUCK;
    /* delta rounds only: the full copy is no measure of the write rate */
    if (n >= 3 && h[n - 1].bytes >= h[n - 2].bytes) return NE_ROUND_CUTOVER_STUCK;
    return NE_ROUND_AGAIN;
}

static bool
id_ok(const char *id)
{
    size_t n = id ? strlen(id) : 0;
    return n >= 8 && n <= 32 && is_hex(id, n);
}

char *
ne_sync_snap_name(const char *id, unsigned round)
{
    return xasprintf(NE_SYNC_SNAP_PREFIX "%s-%u", id, round);
}

bool
ne_sync_snap_parse(const char *name, const char *id, unsigned *round)
{
    size_t pl = strlen(NE_SYNC_SNAP_PREFIX), il;
    unsigned long long r;
    const char *p;

    if (!name || !id_ok(id) || !str_prefix(name, NE_SYNC_SNAP_PREFIX)) return false;
    il = strlen(id);
    p = name + pl;
    if (strncmp(p, id, il) != 0 || p[il] != '-') return false;
    p += il + 1;
    if (*p < '0' || *p > '9' || (*p == '0' && p[1]) || strlen(p) > 9) return false;
    if (parse_u64(p, &r) < 0) return false;
    *round = (unsigned)r;
    return true;
}

long
ne_sync_resume_round(const char *id, const char *const *src, size_t nsrc, const char *const *dst,
                     size_t ndst)
{
    long best = -1;
    unsigned r, r2;

    for (size_t i = 0; i < nsrc; i++) {
        if (!ne_sync_snap_parse(src[i], id, &r) || (long)r <= best) continue;
        for (size_t j = 0; j < ndst; j++)
            if (ne_sync_snap_parse(dst[j], id, &r2) && r2 == r) {
                best = r;
                break;
            }
    }
    return best;
}

/* 64-bit words mixed with two multiplications (a murmur-style finaliser
 * per word, folded); the tail byte by byte; the length last. */
uint64_t
ne_chunk_hash(const void *buf, size_t len)
{
    const unsigned char *p = buf;
    uint64_t h = 0x9e3779b97f4a7c15ULL, w;
    size_t i = 0;

    for (; i + 8 <= len; i += 8) {
        memcpy(&w, p + i, 8);
        w *= 0xff51afd7ed558ccdULL;
        w ^= w >> 33;
        h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
        h ^= h >> 29;
    }
    for (; i < len; i++) h = (h ^ p[i]) * 0x100000001b3ULL;
    h ^= (uint64_t)len;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

enum ne_mirror_phase
ne_mirror_phase_parse(const char *state, const char *desc, int *percent, long *behind)
{
    const char *p, *pct;

    *percent = -1, *behind = -1;
    if (!state || !str_prefix(state, "up+")) return NE_MIRROR_DOWN;
    state += 3;
    desc = desc ? desc : "";
    if (str_eq(state, "error") || str_eq(state, "stopped") || str_eq(state, "stopping_replay"))
        return NE_MIRROR_ERROR;
    if (str_eq(state, "syncing")) {
        /* "bootstrapping, IMAGE_SYNC/COPY_IMAGE 42%": the last number before a '%' */
        if ((pct = strrchr(desc, '%')) && pct > desc) {
            p = pct;
            while (p > desc && p[-1] >= '0' && p[-1] <= '9') p--;
            if (p < pct && pct - p <= 3) {
                int v = (int)strtol(p, NULL, 10);
                *percent = v > 100 ? 100 : v;
            }
        }
        return NE_MIRROR_SYNCING;
    }
    if (str_eq(state, "replaying")) {
        if ((p = strstr(desc, "\"entries_behind_primary\":"))) {
            char *end;
            long v;
            p += strlen("\"entries_behind_primary\":");
            v = strtol(p, &end, 10);
            if (end != p && v >= 0) *behind = v;
        }
        return NE_MIRROR_REPLAYING;
    }
    return NE_MIRROR_STARTING;
}
