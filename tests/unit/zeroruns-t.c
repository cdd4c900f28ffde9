/* SPDX-License-Identifier: Apache-2.0 */
/* zeroruns-t.c: zero detection for copies over plain streams
 * (src/util/zeroruns.h): which runs become holes. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "util/zeroruns.h"
#include "tap.h"

#define B NE_ZERO_BLOCK

/* Walks buf like the copy does; the bytes in zero runs and in data runs,
 * and the number of runs. */
static void
walk(const char *buf, size_t n, size_t *zero, size_t *data, size_t *runs)
{
    size_t off = 0, r;
    bool z;

    *zero = *data = *runs = 0;
    while (off < n) {
        r = ne_zero_run(buf + off, n - off, B, &z);
        if (r == 0) break; /* never: would loop */
        if (z) *zero += r;
        else *data += r;
        (*runs)++;
        off += r;
    }
}

int
main(void)
{
    char *buf = calloc(1, 64 * B + 100);
    size_t zero, data, runs;
    bool z;

    walk(buf, 64 * B, &zero, &data, &runs);
    is_int(zero, 64 * B, "all zeros: every byte is hole");
    is_int(runs, 1, "all zeros: one run (one hole, not 64)");

    buf[10 * B + 7] = 1; /* one byte in block 10 */
    walk(buf, 64 * B, &zero, &data, &runs);
    is_int(data, B, "one byte written: exactly its 4 KiB block is data");
    is_int(zero, 63 * B, "one byte written: the rest stays hole");
    is_int(runs, 3, "one byte written: hole, data, hole");

    is_int(ne_zero_run(buf, 64 * B, B, &z), 10 * B, "first run ends at the data block");
    ok(z, "first run is zero");
    is_int(ne_zero_run(buf + 10 * B, 54 * B, B, &z), B, "data run is one block");
    ok(!z, "data run is data");

    buf[11 * B] = 2; /* adjacent block: data runs merge */
    walk(buf, 64 * B, &zero, &data, &runs);
    is_int(data, 2 * B, "adjacent data blocks: one data run of two blocks");
    is_int(runs, 3, "adjacent data blocks: still three runs");

    memset(buf, 0, 64 * B + 100);
    buf[64 * B + 50] = 3; /* data in a short last block */
    walk(buf, 64 * B + 100, &zero, &data, &runs);
    is_int(zero, 64 * B, "short tail with data: the whole blocks before are hole");
    is_int(data, 100, "short tail with data: the short block is data");
    memset(buf, 0, 64 * B + 100);
    walk(buf, 64 * B + 100, &zero, &data, &runs);
    is_int(zero, 64 * B + 100, "short zero tail: hole to the end");

    is_int(ne_zero_run(buf, 0, B, &z), 0, "empty buffer: no run");
    ok(!z, "empty buffer: not zero");
    buf[B - 1] = 4; /* last byte of the first block */
    is_int(ne_zero_run(buf, 2 * B, B, &z), B, "data found in a block's last byte");
    ok(!z, "the block with only its last byte set is data");
    free(buf);
    return done_testing();
}
