/* SPDX-License-Identifier: Apache-2.0 */
/* sha1-t.c: SHA-1 against FIPS test vectors and Nova's base naming. */
#include <config.h>

#include "tap.h"
#include "util/sha1.h"

int
main(void)
{
    char hex[41];

    sha1_hex("", hex);
    is_str(hex, "da39a3ee5e6b4b0d3255bfef95601890afd80709", "empty string");
    sha1_hex("abc", hex);
    is_str(hex, "a9993e364706816aba3e25717850c26c9cd0d89d", "abc");
    sha1_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", hex);
    is_str(hex, "84983e441c3bd26ebaae4aa1f95129e5e54670f1", "448-bit message");
    /* Nova: base file name = sha1(image id) */
    sha1_hex("cirros-fake-0001", hex);
    is_str(hex, "7ecd9d3cbc2b0294a99d84d32a0a271f8f47faec", "nova base name of an image id");
    return done_testing();
}
