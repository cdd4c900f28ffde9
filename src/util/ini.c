/* SPDX-License-Identifier: Apache-2.0 */
/* ini.c: see ini.h.  Follows oslo_config/iniparser.py line by line, so a
 * nova.conf that Nova reads is read the same way here. */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/ini.h"
#include "util/log.h"
#include "util/mem.h"

/* The assignment being read: a key whose value may go on over
 * continuation lines. */
struct pending {
    char *key;
    char *value;
    size_t len, cap;
    unsigned line;
};

const char *
ini_safe_name(const char *key, char *buf, size_t size)
{
    size_t i, n = 0;

    for (i = 0; key[i] && n + 4 < size && i < 64; i++)
        buf[n++] = (key[i] > 0x20 && key[i] < 0x7f) || key[i] == ' ' ? key[i] : '?';
    if (key[i] && n + 4 < size) {
        memcpy(buf + n, "...", 3);
        n += 3;
    }
    buf[n] = '\0';
    return buf;
}

static char *
rtrim(char *s)
{
    char *e = s + strlen(s);

    while (e > s && isspace((unsigned char)e[-1])) *--e = '\0';
    return s;
}

static char *
trim(char *s)
{
    while (isspace((unsigned char)*s)) s++;
    return rtrim(s);
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

static void
append(struct pending *p, const char *s)
{
    size_t n = strlen(s);

    xgrow(&p->value, &p->cap, p->len + n + 2, 1);
    memcpy(p->value + p->len, s, n + 1);
    p->len += n;
}

static void
flush(struct ini *ini, const char *section, struct pending *p)
{
    if (!p->key) return;
    add(ini, section, p->key, p->value ? p->value : "", p->line);
    free(p->key);
    free(p->value);
    memset(p, 0, sizeof *p);
}

/* "key = value" or "key: value" at s (already known not to be a section or
 * a comment).  Starts *p; returns -1 (reported) on a bad line. */
static int
assignment(struct ini *ini, char *s, unsigned lineno, struct pending *p)
{
    char *eq = strchr(s, '='), *colon = strchr(s, ':'), *sep, *key, *val;
    size_t n;

    sep = !colon || (eq && eq < colon) ? eq : colon;
    if (!sep) {
        ne_error("%s:%u: expected 'key = value' or 'key: value' (line not shown: it may hold a "
                 "secret)", ini->path, lineno);
        return -1;
    }
    *sep = '\0';
    key = trim(s);
    if (*key == '\0') {
        ne_error("%s:%u: assignment without a key", ini->path, lineno);
        return -1;
    }
    val = trim(sep + 1);
    n = strlen(val);
    if (n >= 2 && val[0] == val[n - 1] && (val[0] == '"' || val[0] == '\'')) {
        val[n - 1] = '\0';
        val++;
    }
    p->key = xstrdup(key);
    p->line = lineno;
    append(p, val);
    return 0;
}

/* One line (NUL-terminated, no '\n').  Returns -1 (reported) on error. */
static int
parse_line(struct ini *ini, char **section, char *line, unsigned lineno, struct pending *p)
{
    char *s = rtrim(line);

    if (*s == '\0') { /* a blank line ends a multi-line value */
        flush(ini, *section, p);
        return 0;
    }
    if (*s == ' ' || *s == '\t') { /* continuation */
        s = trim(s);
        if (p->key) {
            xgrow(&p->value, &p->cap, p->len + 2, 1);
            p->value[p->len++] = '\n';
            p->value[p->len] = '\0';
            append(p, s);
            return 0;
        }
        if (*s == '#' || *s == ';') return 0; /* an indented comment */
        ne_error("%s:%u: indented line continues no key (a value cannot start a line with a "
                 "space)", ini->path, lineno);
        return -1;
    }
    flush(ini, *section, p);
    if (*s == '#' || *s == ';') return 0;
    if (*s == '[') {
        size_t n = strlen(s);
        if (s[n - 1] != ']' || n <= 2) {
            ne_error("%s:%u: malformed section header (expected '[name]')", ini->path, lineno);
            return -1;
        }
        s[n - 1] = '\0';
        free(*section);
        *section = xstrdup(s + 1);
        return 0;
    }
    return assignment(ini, s, lineno, p);
}

struct ini *
ini_parse(const char *buf, const char *name)
{
    struct ini *ini = xcalloc(1, sizeof *ini);
    CLEANUP_FREE char *copy = xstrdup(buf);
    char *section = xstrdup("DEFAULT");
    struct pending p = {0};
    char *line, *next;
    unsigned lineno = 0;
    int rc = 0;

    ini->path = xstrdup(name);
    for (line = copy; line && rc == 0; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = '\0';
        lineno++;
        rc = parse_line(ini, &section, line, lineno, &p);
    }
    if (rc == 0) flush(ini, section, &p);
    free(p.key);
    free(p.value);
    free(section);
    if (rc < 0) {
        ini_free(ini);
        return NULL;
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

const struct ini_entry *
ini_find(const struct ini *ini, const char *section, const char *key)
{
    size_t i = ini->n;

    while (i-- > 0)
        if (strcmp(ini->e[i].section, section) == 0 && strcmp(ini->e[i].key, key) == 0)
            return &ini->e[i];
    return NULL;
}

const char *
ini_get(const struct ini *ini, const char *section, const char *key)
{
    const struct ini_entry *e = ini_find(ini, section, key);
    return e ? e->value : NULL;
}

int
ini_get_bool(const struct ini *ini, const char *section, const char *key, bool def)
{
    const struct ini_entry *e = ini_find(ini, section, key);
    static const char *yes[] = {"true", "yes", "1", "on"};
    static const char *no[] = {"false", "no", "0", "off"};
    size_t i;

    if (!e) return def;
    for (i = 0; i < 4; i++) {
        if (strcasecmp(e->value, yes[i]) == 0) return 1;
        if (strcasecmp(e->value, no[i]) == 0) return 0;
    }
    ne_error("%s:%u: [%s] %s: expected true or false", ini->path, e->line, section, key);
    return -1;
}
