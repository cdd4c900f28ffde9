/* SPDX-License-Identifier: Apache-2.0 */
/* image-journal.c: the staging journal of the commands that keep no drain
 * journal (images --stage, migrate's own staging).
 *
 * Rule 7: a leftover <base>.nova-evac-part is removed only when a record
 * shows that this tool created it.  The drain keeps that record in its
 * journal; `images` and `migrate` keep it here, one small file per .part
 * under <state_dir>/staging/ (named by the SHA-1 of host and path):
 *
 *     created <unix time>            written and fsynced before the .part exists
 *     identity <length> <mtime> <format>   once the .part is whole
 *
 * The record is removed once the .part has been cloned to its final name
 * (the .part is deleted right after; a kill in between leaves a .part that
 * no record proves, and it is left for the operator, said so).  A later
 * run removes a leftover .part only while it is what the record says: the
 * recorded identity, or, when the kill left no time to record one, a file
 * no older than the record. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "images/image-cache-int.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/sha1.h"
#include "util/statedir.h"

#define SUB "staging"

static char *
record_path(const struct ne_config *cfg, const char *host, const char *path)
{
    CLEANUP_FREE char *key = xasprintf("%s %s", host, path);
    char hex[41];

    sha1_hex(key, hex);
    return xasprintf("%s/" SUB "/%s", cfg->state_dir, hex);
}

/* Writes text as the whole record, durably; -1 after reporting. */
static int
write_record(const struct ne_config *cfg, const char *host, const char *path, const char *text,
             bool append)
{
    CLEANUP_FREE char *rec = NULL;
    size_t n = strlen(text);
    int fd, r = 0;

    if (!cfg->state_dir || ne_statedir_ensure(cfg->state_dir, SUB) < 0) return -1;
    rec = record_path(cfg, host, path);
    fd = ne_statedir_open(rec, O_WRONLY | (append ? O_APPEND : O_TRUNC));
    if (fd < 0 || write(fd, text, n) != (ssize_t)n || fsync(fd) < 0) r = -1;
    if (r < 0) ne_error("%s: cannot record the staging of %s in %s: %s", host, path, rec,
                        strerror(errno));
    if (fd >= 0) close(fd);
    return r;
}

static int
local_created(void *ctx, const char *uuid, const char *host, const char *path)
{
    char text[64];

    (void)uuid;
    snprintf(text, sizeof text, "created %lld\n", (long long)time(NULL));
    return write_record(ctx, host, path, text, false);
}

static int
local_identity(void *ctx, const char *uuid, const char *host, const char *path,
               const struct ne_file_stat *st)
{
    char text[128];

    (void)uuid;
    snprintf(text, sizeof text, "identity %" PRIu64 " %lld %s\n", st->length, st->mtime,
             st->format[0] ? st->format : "-");
    return write_record(ctx, host, path, text, true);
}

static void
local_staged(void *ctx, const char *uuid, const char *host, const char *path)
{
    const struct ne_config *cfg = ctx;
    CLEANUP_FREE char *rec = NULL, *part = NULL;

    (void)uuid;
    if (!cfg->state_dir) return;
    /* path is the base's final name: the record is the .part's */
    part = xasprintf("%s%s", path, NE_PART_SUFFIX);
    rec = record_path(cfg, host, part);
    if (unlink(rec) < 0 && errno != ENOENT)
        ne_warn("%s: cannot remove the staging record %s: %s", host, rec, strerror(errno));
}

static bool
local_ours(void *ctx, const char *host, const char *path, const struct ne_file_stat *now)
{
    const struct ne_config *cfg = ctx;
    CLEANUP_FREE char *rec = NULL;
    char line[128], fmt[16] = "";
    long long ts = 0, mtime = 0;
    uint64_t length = 0;
    bool created = false, ident = false;
    FILE *f;

    if (!cfg->state_dir || !now->exists) return false;
    rec = record_path(cfg, host, path);
    if (!(f = fopen(rec, "re"))) return false;
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "created %lld", &ts) == 1) created = true;
        else if (sscanf(line, "identity %" SCNu64 " %lld %15s", &length, &mtime, fmt) == 3)
            ident = true;
    }
    fclose(f);
    if (!created) return false;
    if (ident)
        return now->length == length && (!now->mtime || !mtime || now->mtime == mtime) &&
               (str_eq(fmt, "-") || str_eq(now->format, fmt));
    return now->mtime > 0 && ts > 0 && now->mtime >= ts;
}

const struct ne_stage_journal *
ne_stage_local_journal(const struct ne_config *cfg, struct ne_stage_journal *out)
{
    if (!cfg || !cfg->state_dir) return NULL;
    *out = (struct ne_stage_journal){local_created, local_identity, local_staged, local_ours,
                                     (void *)cfg};
    return out;
}
