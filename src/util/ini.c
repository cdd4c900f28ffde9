/* SPDX-License-Identifier: Apache-2.0 */
/* ini.c: see ini.h. */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/ini.h"
#include "util/log.h"
#include "util/mem.h"

static char *
trim(char *s)
{
    char *e;

    while (isspace((unsigned char)*s)) s++;
    e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1])) *--e = '\0';
    return s;
}

static void
add(struct ini *ini, const char *sec, const char *key, const char *val, unsigned line)
{
    struct ini_entry *e;

    xgrow(&ini->e, &ini->cap, ini->n + 1, sizeof *ini->e);
    e = &ini->e[ini->n++];
    e->section = xstrdup(sec);
    e->key = xstrdup(key);
    e->value = xstrdup(val);
    e->line = line;
}

struct ini *
ini_parse(const char *buf, const char *name)
{
    struct ini *ini = xcalloc(1, sizeof *ini);
    CLEANUP_FREE char *copy = xstrdup(buf);
    CLEANUP_FREE char *section = xstrdup("DEFAULT");
    char *line, *next;
    unsigned lineno = 0;

    ini->path = xstrdup(name);
    for (line = copy; line; line = next) {
        char *s, *eq;

        next = strchr(line, '\n');
        if (next) *next++ = '\0';
        lineno++;
        s = trim(line);
        if (*s == '\0' || *s == '#' || *s == ';') continue;
        if (*s == '[') {
            char *end = strchr(s, ']');
            if (!end || end[1] != '\0' || end == s + 1) {
                ne_error("%s:%u: malformed section header '%s'", name, lineno, s);
                ini_free(ini);
                return NULL;
            }
            *end = '\0';
            free(section);
            section = xstrdup(trim(s + 1));
            continue;
        }
        eq = strchr(s, '=');
        if (!eq || eq == s) {
            ne_error("%s:%u: expected 'key = value', got '%s'", name, lineno, s);
            ini_free(ini);
            return NULL;
        }
        *eq = '\0';
        add(ini, section, trim(s), trim(eq + 1), lineno);
    }
    return ini;
}

struct ini *
ini_load(const char *path, bool missing_ok)
{
    FILE *f = fopen(path, "r");
    CLEANUP_FREE char *buf = NULL;
    size_t len = 0, cap = 0, got;
    struct ini *ini;

    if (!f) {
        if (missing_ok && errno == ENOENT) {
            ini = xcalloc(1, sizeof *ini);
            ini->path = xstrdup(path);
            return ini;
        }
        ne_syserror("cannot read config file %s", path);
        return NULL;
    }
    do {
        xgrow(&buf, &cap, len + 4097, 1);
        got = fread(buf + len, 1, 4096, f);
        len += got;
    } while (got > 0);
    if (ferror(f)) {
        ne_syserror("cannot read config file %s", path);
        fclose(f);
        return NULL;
    }
    fclose(f);
    buf[len] = '\0';
    if (strlen(buf) != len) {
        ne_error("%s: config file contains a NUL byte", path);
        return NULL;
    }
    return ini_parse(buf, path);
}

void
ini_free(struct ini *ini)
{
    size_t i;

    if (!ini) return;
    for (i = 0; i < ini->n; i++) {
        free(ini->e[i].section);
        free(ini->e[i].key);
        free(ini->e[i].value);
    }
    free(ini->e);
    free(ini->path);
    free(ini);
}

const char *
ini_get(const struct ini *ini, const char *section, const char *key)
{
    size_t i = ini->n;

    while (i-- > 0)
        if (strcmp(ini->e[i].section, section) == 0 && strcmp(ini->e[i].key, key) == 0)
            return ini->e[i].value;
    return NULL;
}

int
ini_get_bool(const struct ini *ini, const char *section, const char *key, bool def)
{
    const char *v = ini_get(ini, section, key);
    static const char *yes[] = {"true", "yes", "1", "on"};
    static const char *no[] = {"false", "no", "0", "off"};
    size_t i;

    if (!v) return def;
    for (i = 0; i < 4; i++) {
        if (strcasecmp(v, yes[i]) == 0) return 1;
        if (strcasecmp(v, no[i]) == 0) return 0;
    }
    ne_error("%s: [%s] %s: expected true or false, got '%s'", ini->path, section, key, v);
    return -1;
}
