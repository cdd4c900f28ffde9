/* SPDX-License-Identifier: Apache-2.0 */
/* zeroruns.h: zero detection for copies over plain (not sparse) streams.
 * A buffer is walked in blocks of a fixed size (the last may be short);
 * runs of whole zero blocks become holes on the destination, so a copy
 * through a stream that carries every byte keeps the source's holes.
 * Pure, header only (unit-tested in tests/unit/zeroruns-t.c). */
#ifndef NE_ZERORUNS_H
#define NE_ZERORUNS_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* Filesystems allocate in 4 KiB blocks: a finer grain finds no more holes,
 * a coarser one would allocate zeros next to data. */
#define NE_ZERO_BLOCK 4096

static inline bool
ne_zero_block(const char *b, size_t n)
{
    return n == 0 || (b[0] == 0 && memcmp(b, b + 1, n - 1) == 0);
}

/* The length of the run at the start of b[0..n): consecutive blocks of
 * `block` bytes (the last may be shorter) that are all zero (*zero true)
 * or all hold data (*zero false).  0 only when n is 0. */
static inline size_t
ne_zero_run(const char *b, size_t n, size_t block, bool *zero)
{
    size_t off = 0;
    bool first = true;

    *zero = false;
    while (off < n) {
        size_t len = n - off < block ? n - off : block;
        bool z = ne_zero_block(b + off, len);
        if (first) *zero = z;
        else if (z != *zero) break;
        first = false;
        off += len;
    }
    return off;
}

#endif
