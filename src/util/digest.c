/* SPDX-License-Identifier: Apache-2.0 */
/* digest.c: MD5 (RFC 1321), SHA-256 and SHA-512 (FIPS 180-4), written
 * from the specifications; constants generated from their definitions
 * (sines, square and cube roots of primes).  Used to verify Glance
 * downloads (checksum = MD5, os_hash_value = usually SHA-512). */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "util/digest.h"

static const uint32_t md5_k[64] = {
    0xd76aa478U, 0xe8c7b756U, 0x242070dbU, 0xc1bdceeeU,
    0xf57c0fafU, 0x4787c62aU, 0xa8304613U, 0xfd469501U,
    0x698098d8U, 0x8b44f7afU, 0xffff5bb1U, 0x895cd7beU,
    0x6b901122U, 0xfd987193U, 0xa679438eU, 0x49b40821U,
    0xf61e2562U, 0xc040b340U, 0x265e5a51U, 0xe9b6c7aaU,
    0xd62f105dU, 0x02441453U, 0xd8a1e681U, 0xe7d3fbc8U,
    0x21e1cde6U, 0xc33707d6U, 0xf4d50d87U, 0x455a14edU,
    0xa9e3e905U, 0xfcefa3f8U, 0x676f02d9U, 0x8d2a4c8aU,
    0xfffa3942U, 0x8771f681U, 0x6d9d6122U, 0xfde5380cU,
    0xa4beea44U, 0x4bdecfa9U, 0xf6bb4b60U, 0xbebfbc70U,
    0x289b7ec6U, 0xeaa127faU, 0xd4ef3085U, 0x04881d05U,
    0xd9d4d039U, 0xe6db99e5U, 0x1fa27cf8U, 0xc4ac5665U,
    0xf4292244U, 0x432aff97U, 0xab9423a7U, 0xfc93a039U,
    0x655b59c3U, 0x8f0ccc92U, 0xffeff47dU, 0x85845dd1U,
    0x6fa87e4fU, 0xfe2ce6e0U, 0xa3014314U, 0x4e0811a1U,
    0xf7537e82U, 0xbd3af235U, 0x2ad7d2bbU, 0xeb86d391U,
};

static const uint32_t sha256_k[64] = {
    0x428a2f98U, 0x71374491U, 0xb5c0fbcfU, 0xe9b5dba5U,
    0x3956c25bU, 0x59f111f1U, 0x923f82a4U, 0xab1c5ed5U,
    0xd807aa98U, 0x12835b01U, 0x243185beU, 0x550c7dc3U,
    0x72be5d74U, 0x80deb1feU, 0x9bdc06a7U, 0xc19bf174U,
    0xe49b69c1U, 0xefbe4786U, 0x0fc19dc6U, 0x240ca1ccU,
    0x2de92c6fU, 0x4a7484aaU, 0x5cb0a9dcU, 0x76f988daU,
    0x983e5152U, 0xa831c66dU, 0xb00327c8U, 0xbf597fc7U,
    0xc6e00bf3U, 0xd5a79147U, 0x06ca6351U, 0x14292967U,
    0x27b70a85U, 0x2e1b2138U, 0x4d2c6dfcU, 0x53380d13U,
    0x650a7354U, 0x766a0abbU, 0x81c2c92eU, 0x92722c85U,
    0xa2bfe8a1U, 0xa81a664bU, 0xc24b8b70U, 0xc76c51a3U,
    0xd192e819U, 0xd6990624U, 0xf40e3585U, 0x106aa070U,
    0x19a4c116U, 0x1e376c08U, 0x2748774cU, 0x34b0bcb5U,
    0x391c0cb3U, 0x4ed8aa4aU, 0x5b9cca4fU, 0x682e6ff3U,
    0x748f82eeU, 0x78a5636fU, 0x84c87814U, 0x8cc70208U,
    0x90befffaU, 0xa4506cebU, 0xbef9a3f7U, 0xc67178f2U,
};

static const uint32_t sha256_h0[8] = {
    0x6a09e667U, 0xbb67ae85U, 0x3c6ef372U, 0xa54ff53aU,
    0x510e527fU, 0x9b05688cU, 0x1f83d9abU, 0x5be0cd19U,
};

static const uint64_t sha512_k[80] = {
    0x428a2f98d728ae22ULL, 0x7137449123ef65cdULL,
    0xb5c0fbcfec4d3b2fULL, 0xe9b5dba58189dbbcULL,
    0x3956c25bf348b538ULL, 0x59f111f1b605d019ULL,
    0x923f82a4af194f9bULL, 0xab1c5ed5da6d8118ULL,
    0xd807aa98a3030242ULL, 0x12835b0145706fbeULL,
    0x243185be4ee4b28cULL, 0x550c7dc3d5ffb4e2ULL,
    0x72be5d74f27b896fULL, 0x80deb1fe3b1696b1ULL,
    0x9bdc06a725c71235ULL, 0xc19bf174cf692694ULL,
    0xe49b69c19ef14ad2ULL, 0xefbe4786384f25e3ULL,
    0x0fc19dc68b8cd5b5ULL, 0x240ca1cc77ac9c65ULL,
    0x2de92c6f592b0275ULL, 0x4a7484aa6ea6e483ULL,
    0x5cb0a9dcbd41fbd4ULL, 0x76f988da831153b5ULL,
    0x983e5152ee66dfabULL, 0xa831c66d2db43210ULL,
    0xb00327c898fb213fULL, 0xbf597fc7beef0ee4ULL,
    0xc6e00bf33da88fc2ULL, 0xd5a79147930aa725ULL,
    0x06ca6351e003826fULL, 0x142929670a0e6e70ULL,
    0x27b70a8546d22ffcULL, 0x2e1b21385c26c926ULL,
    0x4d2c6dfc5ac42aedULL, 0x53380d139d95b3dfULL,
    0x650a73548baf63deULL, 0x766a0abb3c77b2a8ULL,
    0x81c2c92e47edaee6ULL, 0x92722c851482353bULL,
    0xa2bfe8a14cf10364ULL, 0xa81a664bbc423001ULL,
    0xc24b8b70d0f89791ULL, 0xc76c51a30654be30ULL,
    0xd192e819d6ef5218ULL, 0xd69906245565a910ULL,
    0xf40e35855771202aULL, 0x106aa07032bbd1b8ULL,
    0x19a4c116b8d2d0c8ULL, 0x1e376c085141ab53ULL,
    0x2748774cdf8eeb99ULL, 0x34b0bcb5e19b48a8ULL,
    0x391c0cb3c5c95a63ULL, 0x4ed8aa4ae3418acbULL,
    0x5b9cca4f7763e373ULL, 0x682e6ff3d6b2b8a3ULL,
    0x748f82ee5defb2fcULL, 0x78a5636f43172f60ULL,
    0x84c87814a1f0ab72ULL, 0x8cc702081a6439ecULL,
    0x90befffa23631e28ULL, 0xa4506cebde82bde9ULL,
    0xbef9a3f7b2c67915ULL, 0xc67178f2e372532bULL,
    0xca273eceea26619cULL, 0xd186b8c721c0c207ULL,
    0xeada7dd6cde0eb1eULL, 0xf57d4f7fee6ed178ULL,
    0x06f067aa72176fbaULL, 0x0a637dc5a2c898a6ULL,
    0x113f9804bef90daeULL, 0x1b710b35131c471bULL,
    0x28db77f523047d84ULL, 0x32caab7b40c72493ULL,
    0x3c9ebe0a15c9bebcULL, 0x431d67c49c100d4cULL,
    0x4cc5d4becb3e42b6ULL, 0x597f299cfc657e2aULL,
    0x5fcb6fab3ad6faecULL, 0x6c44198c4a475817ULL,
};

static const uint64_t sha512_h0[8] = {
    0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL,
    0x3c6ef372fe94f82bULL, 0xa54ff53a5f1d36f1ULL,
    0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL,
    0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL,
};

static uint32_t rol32(uint32_t x, unsigned n) { return (x << n) | (x >> (32 - n)); }
static uint32_t ror32(uint32_t x, unsigned n) { return (x >> n) | (x << (32 - n)); }
static uint64_t ror64(uint64_t x, unsigned n) { return (x >> n) | (x << (64 - n)); }

/* The block functions keep the working variables in registers: each round
 * is a macro whose arguments rotate (no array shifted per round), the
 * message words are loaded with one byte-order conversion each, and the
 * MD5 rounds are written out with their constants.  That is what makes
 * hashing an image no slower than the network it arrives on. */

static inline uint32_t
load_le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint32_t
load_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static inline uint64_t
load_be64(const unsigned char *p)
{
    return (uint64_t)load_be32(p) << 32 | load_be32(p + 4);
}

#define MD5_F(x, y, z) ((z) ^ ((x) & ((y) ^ (z))))
#define MD5_G(x, y, z) ((y) ^ ((z) & ((x) ^ (y))))
#define MD5_H(x, y, z) ((x) ^ (y) ^ (z))
#define MD5_I(x, y, z) ((y) ^ ((x) | ~(z)))
#define MD5_STEP(f, a, b, c, d, k, s, i) (a) = (b) + rol32((a) + f((b), (c), (d)) + w[k] + md5_k[i], (s))

static void
md5_block(uint32_t h[4], const unsigned char *p)
{
    uint32_t w[16], a = h[0], b = h[1], c = h[2], d = h[3];
    unsigned i;

    for (i = 0; i < 16; i++) w[i] = load_le32(p + 4 * i);
    for (i = 0; i < 16; i += 4) {
        MD5_STEP(MD5_F, a, b, c, d, i, 7, i);
        MD5_STEP(MD5_F, d, a, b, c, i + 1, 12, i + 1);
        MD5_STEP(MD5_F, c, d, a, b, i + 2, 17, i + 2);
        MD5_STEP(MD5_F, b, c, d, a, i + 3, 22, i + 3);
    }
    for (i = 16; i < 32; i += 4) {
        MD5_STEP(MD5_G, a, b, c, d, (5 * i + 1) % 16, 5, i);
        MD5_STEP(MD5_G, d, a, b, c, (5 * i + 6) % 16, 9, i + 1);
        MD5_STEP(MD5_G, c, d, a, b, (5 * i + 11) % 16, 14, i + 2);
        MD5_STEP(MD5_G, b, c, d, a, (5 * i + 16) % 16, 20, i + 3);
    }
    for (i = 32; i < 48; i += 4) {
        MD5_STEP(MD5_H, a, b, c, d, (3 * i + 5) % 16, 4, i);
        MD5_STEP(MD5_H, d, a, b, c, (3 * i + 8) % 16, 11, i + 1);
        MD5_STEP(MD5_H, c, d, a, b, (3 * i + 11) % 16, 16, i + 2);
        MD5_STEP(MD5_H, b, c, d, a, (3 * i + 14) % 16, 23, i + 3);
    }
    for (i = 48; i < 64; i += 4) {
        MD5_STEP(MD5_I, a, b, c, d, (7 * i) % 16, 6, i);
        MD5_STEP(MD5_I, d, a, b, c, (7 * i + 7) % 16, 10, i + 1);
        MD5_STEP(MD5_I, c, d, a, b, (7 * i + 14) % 16, 15, i + 2);
        MD5_STEP(MD5_I, b, c, d, a, (7 * i + 21) % 16, 21, i + 3);
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
}

#define CH(x, y, z) ((z) ^ ((x) & ((y) ^ (z))))
#define MAJ(x, y, z) (((x) & (y)) | ((z) & ((x) | (y))))
#define SHA256_ROUND(a, b, c, d, e, f, g, h, i)                                                   \
    do {                                                                                          \
        uint32_t t1_ = (h) + (ror32((e), 6) ^ ror32((e), 11) ^ ror32((e), 25)) +                 \
                       CH((e), (f), (g)) + sha256_k[i] + w[i];                                    \
        (d) += t1_;                                                                               \
        (h) = t1_ + (ror32((a), 2) ^ ror32((a), 13) ^ ror32((a), 22)) + MAJ((a), (b), (c));      \
    } while (0)

static void
sha256_block(uint32_t h[8], const unsigned char *p)
{
    uint32_t w[64], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6],
                    hh = h[7];
    unsigned i;

    for (i = 0; i < 16; i++) w[i] = load_be32(p + 4 * i);
    for (i = 16; i < 64; i++) {
        uint32_t s0 = ror32(w[i - 15], 7) ^ ror32(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ror32(w[i - 2], 17) ^ ror32(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    for (i = 0; i < 64; i += 8) {
        SHA256_ROUND(a, b, c, d, e, f, g, hh, i);
        SHA256_ROUND(hh, a, b, c, d, e, f, g, i + 1);
        SHA256_ROUND(g, hh, a, b, c, d, e, f, i + 2);
        SHA256_ROUND(f, g, hh, a, b, c, d, e, i + 3);
        SHA256_ROUND(e, f, g, hh, a, b, c, d, i + 4);
        SHA256_ROUND(d, e, f, g, hh, a, b, c, i + 5);
        SHA256_ROUND(c, d, e, f, g, hh, a, b, i + 6);
        SHA256_ROUND(b, c, d, e, f, g, hh, a, i + 7);
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
}

#define SHA512_ROUND(a, b, c, d, e, f, g, h, i)                                                   \
    do {                                                                                          \
        uint64_t t1_ = (h) + (ror64((e), 14) ^ ror64((e), 18) ^ ror64((e), 41)) +                \
                       CH((e), (f), (g)) + sha512_k[i] + w[i];                                    \
        (d) += t1_;                                                                               \
        (h) = t1_ + (ror64((a), 28) ^ ror64((a), 34) ^ ror64((a), 39)) + MAJ((a), (b), (c));     \
    } while (0)

static void
sha512_block(uint64_t h[8], const unsigned char *p)
{
    uint64_t w[80], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6],
                    hh = h[7];
    unsigned i;

    for (i = 0; i < 16; i++) w[i] = load_be64(p + 8 * i);
    for (i = 16; i < 80; i++) {
        uint64_t s0 = ror64(w[i - 15], 1) ^ ror64(w[i - 15], 8) ^ (w[i - 15] >> 7);
        uint64_t s1 = ror64(w[i - 2], 19) ^ ror64(w[i - 2], 61) ^ (w[i - 2] >> 6);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    for (i = 0; i < 80; i += 8) {
        SHA512_ROUND(a, b, c, d, e, f, g, hh, i);
        SHA512_ROUND(hh, a, b, c, d, e, f, g, i + 1);
        SHA512_ROUND(g, hh, a, b, c, d, e, f, i + 2);
        SHA512_ROUND(f, g, hh, a, b, c, d, e, i + 3);
        SHA512_ROUND(e, f, g, hh, a, b, c, d, i + 4);
        SHA512_ROUND(d, e, f, g, hh, a, b, c, i + 5);
        SHA512_ROUND(c, d, e, f, g, hh, a, b, i + 6);
        SHA512_ROUND(b, c, d, e, f, g, hh, a, i + 7);
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
}

static size_t
block_size(enum digest_algo a)
{
    return a == DIGEST_SHA512 ? 128 : 64;
}

static void
run_block(struct digest *d, const unsigned char *p)
{
    switch (d->algo) {
    case DIGEST_MD5: md5_block(d->h32, p); break;
    case DIGEST_SHA256: sha256_block(d->h32, p); break;
    case DIGEST_SHA512: sha512_block(d->h64, p); break;
    }
}

int
digest_algo_parse(const char *name, enum digest_algo *out)
{
    if (strcmp(name, "md5") == 0) *out = DIGEST_MD5;
    else if (strcmp(name, "sha256") == 0) *out = DIGEST_SHA256;
    else if (strcmp(name, "sha512") == 0) *out = DIGEST_SHA512;
    else return -1;
    return 0;
}

void
digest_init(struct digest *d, enum digest_algo algo)
{
    static const uint32_t md5_h0[4] = {0x67452301U, 0xefcdab89U, 0x98badcfeU, 0x10325476U};

    memset(d, 0, sizeof *d);
    d->algo = algo;
    if (algo == DIGEST_MD5) memcpy(d->h32, md5_h0, sizeof md5_h0);
    if (algo == DIGEST_SHA256) memcpy(d->h32, sha256_h0, sizeof sha256_h0);
    if (algo == DIGEST_SHA512) memcpy(d->h64, sha512_h0, sizeof sha512_h0);
}

void
digest_update(struct digest *d, const void *data, size_t n)
{
    const unsigned char *p = data;
    size_t bs = block_size(d->algo);

    d->len += n;
    while (n) {
        size_t take = bs - d->nbuf < n ? bs - d->nbuf : n;
        if (d->nbuf == 0 && n >= bs) {
            run_block(d, p);
            take = bs;
        } else {
            memcpy(d->buf + d->nbuf, p, take);
            d->nbuf += take;
            if (d->nbuf == bs) {
                run_block(d, d->buf);
                d->nbuf = 0;
            }
        }
        p += take;
        n -= take;
    }
}

/* Padding: 0x80, zeros, then the bit length (64 bits little-endian for
 * MD5, big-endian for SHA; SHA-512 uses a 128-bit field). */
static void
pad(struct digest *d)
{
    size_t bs = block_size(d->algo), lenbytes = d->algo == DIGEST_SHA512 ? 16 : 8, i;
    uint64_t bits = d->len * 8;
    unsigned char tail[16] = {0};
    static const unsigned char zeros[128] = {0x80};

    for (i = 0; i < 8; i++) {
        if (d->algo == DIGEST_MD5) tail[i] = (unsigned char)(bits >> (8 * i));
        else tail[lenbytes - 1 - i] = (unsigned char)(bits >> (8 * i));
    }
    {
        size_t used = d->nbuf, padlen = used < bs - lenbytes ? bs - lenbytes - used
                                                               : 2 * bs - lenbytes - used;
        uint64_t keep = d->len;
        digest_update(d, zeros, padlen);
        digest_update(d, tail, lenbytes);
        d->len = keep;
    }
}

size_t
digest_final_hex(struct digest *d, char *hex, size_t hexlen)
{
    unsigned char out[64];
    size_t n = 0, i;

    pad(d);
    if (d->algo == DIGEST_MD5) {
        for (i = 0; i < 16; i++) out[n++] = (unsigned char)(d->h32[i / 4] >> (8 * (i % 4)));
    } else if (d->algo == DIGEST_SHA256) {
        for (i = 0; i < 32; i++) out[n++] = (unsigned char)(d->h32[i / 4] >> (24 - 8 * (i % 4)));
    } else {
        for (i = 0; i < 64; i++) out[n++] = (unsigned char)(d->h64[i / 8] >> (56 - 8 * (i % 8)));
    }
    if (hexlen < 2 * n + 1) return 0;
    for (i = 0; i < n; i++) snprintf(hex + 2 * i, 3, "%02x", out[i]);
    return 2 * n;
}
