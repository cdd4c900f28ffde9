/* SPDX-License-Identifier: Apache-2.0 */
/* digest.h: MD5, SHA-256 and SHA-512, streaming, hex output.
 *
 * For verifying Glance image data against its `checksum` (MD5) and
 * `os_hash_value` (os_hash_algo, SHA-512 by default); not for anything
 * secret. */
#ifndef NE_DIGEST_H
#define NE_DIGEST_H

#include <stddef.h>
#include <stdint.h>

enum digest_algo { DIGEST_MD5, DIGEST_SHA256, DIGEST_SHA512 };

#define DIGEST_HEX_MAX 129 /* SHA-512 hex + NUL */

struct digest {
    enum digest_algo algo;
    uint32_t h32[8];
    uint64_t h64[8];
    uint64_t len;
    unsigned char buf[128];
    size_t nbuf;
};

/* "md5", "sha256", "sha512" (Glance's os_hash_algo names); -1 otherwise. */
int digest_algo_parse(const char *name, enum digest_algo *out);
void digest_init(struct digest *d, enum digest_algo algo);
void digest_update(struct digest *d, const void *data, size_t n);
/* Finishes d and writes the lower-case hex digest into hex (hexlen >=
 * DIGEST_HEX_MAX is always enough); returns its length, 0 if hexlen is too
 * small.  d must be re-initialised before reuse. */
size_t digest_final_hex(struct digest *d, char *hex, size_t hexlen);

#endif
