/* SPDX-License-Identifier: Apache-2.0 */
/* ini.h: a small reader for INI files in the oslo.config style
 * (nova.conf, the tool's own nova-evac.conf).
 *
 * Sections "[name]", "key = value", comments starting with '#' or ';'.
 * Keys before any section belong to "DEFAULT".  Later duplicates win. */
#ifndef NE_INI_H
#define NE_INI_H

#include <stdbool.h>
#include <stddef.h>

struct ini_entry {
    char *section;
    char *key;
    char *value;
    unsigned line;
};

struct ini {
    struct ini_entry *e;
    size_t n, cap;
    char *path;
};

/* Parses the text in buf (NUL-terminated); name is used in messages.
 * Returns a new ini (free with ini_free) or NULL after reporting a
 * syntax error with file and line. */
struct ini *ini_parse(const char *buf, const char *name);
/* Reads and parses path; NULL (reported) on error.  If missing_ok and the
 * file does not exist, returns an empty ini. */
struct ini *ini_load(const char *path, bool missing_ok);
void ini_free(struct ini *ini);

/* Borrowed value or NULL. */
const char *ini_get(const struct ini *ini, const char *section, const char *key);
/* Boolean in oslo style (true/false/yes/no/1/0/on/off); def when absent;
 * -1 (reported) on a malformed value. */
int ini_get_bool(const struct ini *ini, const char *section, const char *key, bool def);

#endif
