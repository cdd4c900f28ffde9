/* SPDX-License-Identifier: Apache-2.0 */
/* ini.h: a small reader for INI files in the oslo.config style
 * (nova.conf, the tool's own nova-evac.conf).
 *
 * The syntax is oslo.config's (oslo_config/iniparser.py):
 *   - sections "[name]"; keys before any section belong to "DEFAULT";
 *   - "key = value" or "key: value" (whichever of '=' and ':' comes first
 *     splits the line); the value is stripped, and one pair of matching
 *     quotes around it is removed;
 *   - a line starting with a space or a tab continues the previous value
 *     (joined with '\n'); a blank line ends it;
 *   - comments: lines starting with '#' or ';'.
 * Later duplicates win.  Messages about a bad line name the file, the line
 * number and at most the key: never a value or the line itself (nova.conf
 * holds passwords, e.g. "transport_url: rabbit://user:SECRET@host"). */
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
/* The entry of a value (its line number), or NULL. */
const struct ini_entry *ini_find(const struct ini *ini, const char *section, const char *key);
/* Boolean in oslo style (true/false/yes/no/1/0/on/off); def when absent;
 * -1 (reported, without the value) on a malformed value. */
int ini_get_bool(const struct ini *ini, const char *section, const char *key, bool def);

/* key (or a section name) fit for a message: at most 64 bytes, control
 * and non-ASCII bytes as '?'.  Returns buf (size at least 68). */
const char *ini_safe_name(const char *key, char *buf, size_t size);

#endif
