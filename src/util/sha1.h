/* SPDX-License-Identifier: Apache-2.0 */
/* sha1.h: SHA-1 (FIPS 180-4), for Nova's base image names
 * (_base/<sha1 hex of the image id>) only; not for security. */
#ifndef NE_SHA1_H
#define NE_SHA1_H

#include <stddef.h>
#include <stdint.h>

struct sha1_ctx {
    uint32_t h[5];
    uint64_t len;
    unsigned char buf[64];
    size_t nbuf;
};

void sha1_init(struct sha1_ctx *c);
void sha1_update(struct sha1_ctx *c, const void *data, size_t n);
void sha1_final(struct sha1_ctx *c, unsigned char out[20]);
/* Hex digest of a NUL-terminated string into out[41]. */
void sha1_hex(const char *s, char out[41]);

#endif
