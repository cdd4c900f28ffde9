/* SPDX-License-Identifier: Apache-2.0 */
/* digest-t.c: MD5, SHA-256, SHA-512 against RFC 1321 / FIPS 180 vectors,
 * fed whole and in odd pieces (as a download arrives). */
#include <config.h>

#include <stdint.h>
#include <string.h>

#include "tap.h"
#include "util/digest.h"

static const char *
hex(enum digest_algo a, const char *s, size_t n, size_t piece)
{
    static char out[DIGEST_HEX_MAX];
    struct digest d;
    size_t i;

    digest_init(&d, a);
    for (i = 0; i < n; i += piece) digest_update(&d, s + i, n - i < piece ? n - i : piece);
    digest_final_hex(&d, out, sizeof out);
    return out;
}

int
main(void)
{
    static const char fox[] = "The quick brown fox jumps over the lazy dog";
    static const char two[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    static const char s512[] = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                               "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    static char zeros[1048576];
    enum digest_algo a;
    size_t p;

    is_str(hex(DIGEST_MD5, "", 0, 1), "d41d8cd98f00b204e9800998ecf8427e", "md5 empty");
    is_str(hex(DIGEST_MD5, "abc", 3, 1), "900150983cd24fb0d6963f7d28e17f72", "md5 abc");
    is_str(hex(DIGEST_MD5, fox, strlen(fox), 1), "9e107d9d372bb6826bd81d3542a419d6", "md5 fox");
    is_str(hex(DIGEST_SHA256, "abc", 3, 1),
           "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "sha256 abc");
    is_str(hex(DIGEST_SHA256, two, strlen(two), 7),
           "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", "sha256 two blocks");
    is_str(hex(DIGEST_SHA512, "abc", 3, 2),
           "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
           "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f", "sha512 abc");
    is_str(hex(DIGEST_SHA512, s512, strlen(s512), 13),
           "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018"
           "501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909", "sha512 two blocks");
    is_str(hex(DIGEST_SHA512, "", 0, 1),
           "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
           "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e", "sha512 empty");
    /* the 1 MiB of zeros Glance's lab image holds, in download-sized pieces */
    is_str(hex(DIGEST_MD5, zeros, sizeof zeros, 16384), "b6d81b360a5672d80c27430f39153e2c",
           "md5 of 1 MiB of zeros (Glance checksum)");
    is_str(hex(DIGEST_SHA512, zeros, sizeof zeros, 16383),
           "d6292685b380e338e025b3415a90fe8f9d39a46e7bdba8cb78c50a338cefca74"
           "1f69e4e46411c32de1afdedfb268e579a51f81ff85e56f55b0ee7c33fe8c25c9",
           "sha512 of 1 MiB of zeros (Glance os_hash_value)");
    /* 1 MiB + 37 bytes of varied data (every message-schedule path sees
     * changing words), in download-sized pieces; digests from Python's
     * hashlib (OpenSSL) */
    {
        static unsigned char mix[(1 << 20) + 37];
        uint32_t i;

        for (i = 0; i < sizeof mix; i++) mix[i] = (unsigned char)((uint32_t)(i * 2654435761u) >> 13);
        is_str(hex(DIGEST_MD5, (const char *)mix, sizeof mix, 16384),
               "6bd154ad3176d639a5aad50bcb19f532", "md5 of 1 MiB + 37 of varied data");
        is_str(hex(DIGEST_SHA256, (const char *)mix, sizeof mix, 65536),
               "a7b4ccd43e65786a1e642232b4789e0062484fe571ac99476f91e3551af80770",
               "sha256 of 1 MiB + 37 of varied data");
        is_str(hex(DIGEST_SHA512, (const char *)mix, sizeof mix, 16381),
               "9eda0e2c37895b6a27679b8dbd8c2f0ea7f57b6de8f10e180507b2fb22d172a9"
               "c6f8b2a88442f6f89d2aba08a5d3dd9f354c75d5556754ab8f2b1c04ceefd28b",
               "sha512 of 1 MiB + 37 of varied data");
    }
    for (p = 1; p < 130; p += 3)
        if (strcmp(hex(DIGEST_SHA512, s512, strlen(s512), p), hex(DIGEST_SHA512, s512, strlen(s512), 1000)) != 0) break;
    ok(p >= 130, "any piece size gives the same digest");
    ok(digest_algo_parse("sha512", &a) == 0 && a == DIGEST_SHA512 && digest_algo_parse("sha3_512", &a) < 0,
       "os_hash_algo names");
    return done_testing();
}
