/* SPDX-License-Identifier: Apache-2.0 */
/* sha1.c: straightforward SHA-1 from the FIPS 180-4 description. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "util/sha1.h"

#define ROL(x, n) (((x) << (n)) | ((x) >> (32 - (n))))

static void
block(struct sha1_ctx *c, const unsigned char *p)
{
    uint32_t w[80], a, b, cc, d, e, t;
    int i;

    for (i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (i = 16; i < 80; i++) w[i] = ROL(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    a = c->h[0], b = c->h[1], cc = c->h[2], d = c->h[3], e = c->h[4];
    for (i = 0; i < 80; i++) {
        uint32_t f, k;
        if (i < 20) f = (b & cc) | (~b & d), k = 0x5a827999;
        else if (i < 40) f = b ^ cc ^ d, k = 0x6ed9eba1;
        else if (i < 60) f = (b & cc) | (b & d) | (cc & d), k = 0x8f1bbcdc;
        else f = b ^ cc ^ d, k = 0xca62c1d6;
        t = ROL(a, 5) + f + e + k + w[i];
        e = d, d = cc, cc = ROL(b, 30), b = a, a = t;
    }
    c->h[0] += a, c->h[1] += b, c->h[2] += cc, c->h[3] += d, c->h[4] += e;
}

void
sha1_init(struct sha1_ctx *c)
{
    static const uint32_t init[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
    memcpy(c->h, init, sizeof init);
    c->len = 0;
    c->nbuf = 0;
}

void
sha1_update(struct sha1_ctx *c, const void *data, size_t n)
{
    const unsigned char *p = data;

    c->len += n;
    while (n > 0) {
        size_t take = 64 - c->nbuf < n ? 64 - c->nbuf : n;
        memcpy(c->buf + c->nbuf, p, take);
        c->nbuf += take, p += take, n -= take;
        if (c->nbuf == 64) {
            block(c, c->buf);
            c->nbuf = 0;
        }
    }
}

void
sha1_final(struct sha1_ctx *c, unsigned char out[20])
{
    uint64_t bits = c->len * 8;
    unsigned char pad = 0x80, len[8];
    int i;

    sha1_update(c, &pad, 1);
    pad = 0;
    while (c->nbuf != 56) sha1_update(c, &pad, 1);
    for (i = 0; i < 8; i++) len[i] = (unsigned char)(bits >> (56 - 8 * i));
    sha1_update(c, len, 8);
    for (i = 0; i < 20; i++) out[i] = (unsigned char)(c->h[i / 4] >> (24 - 8 * (i % 4)));
}

void
sha1_hex(const char *s, char out[41])
{
    struct sha1_ctx c;
    unsigned char d[20];
    int i;

    sha1_init(&c);
    sha1_update(&c, s, strlen(s));
    sha1_final(&c, d);
    for (i = 0; i < 20; i++) snprintf(out + 2 * i, 3, "%02x", d[i]);
}
