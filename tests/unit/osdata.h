/* SPDX-License-Identifier: Apache-2.0 */
/* osdata.h: read a sample reply from tests/unit/data/os (header-only). */
#ifndef NE_OSDATA_H
#define NE_OSDATA_H

#include <stdio.h>
#include <stdlib.h>

#include "util/mem.h"

/* The file's bytes, NUL-terminated, newly allocated; aborts if missing. */
static char *
osdata(const char *name, size_t *len)
{
    const char *srcdir = getenv("top_srcdir") ? getenv("top_srcdir") : ".";
    CLEANUP_FREE char *path = xasprintf("%s/tests/unit/data/os/%s", srcdir, name);
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (!f || fseek(f, 0, SEEK_END) < 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) < 0) {
        printf("Bail out! cannot read %s\n", path);
        exit(1);
    }
    buf = xmalloc((size_t)n + 1);
    *len = fread(buf, 1, (size_t)n, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

#endif
