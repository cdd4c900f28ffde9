/* SPDX-License-Identifier: Apache-2.0 */
/* osjson.c: see osjson.h.  No I/O, no global state. */
#include <config.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "openstack/osjson.h"
#include "util/log.h"
#include "util/mem.h"

json_t *
osj_load(const char *buf, size_t len, const char *what)
{
    json_error_t e;
    json_t *j;

    if (len == 0) {
        ne_error("%s: empty reply where JSON was expected", what);
        return NULL;
    }
    j = json_loadb(buf, len, 0, &e);
    if (!j) {
        ne_error("%s: invalid JSON reply (line %d, column %d: %s)", what, e.line, e.column,
                 e.text);
        return NULL;
    }
    if (!json_is_object(j)) {
        ne_error("%s: unexpected reply: not a JSON object", what);
        json_decref(j);
        return NULL;
    }
    return j;
}

const char *
osj_str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

char *
osj_dup(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);

    if (json_is_string(v)) return xstrdup(json_string_value(v));
    if (json_is_integer(v)) return xasprintf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
    return NULL;
}

long long
osj_int(const json_t *obj, const char *key, long long def)
{
    const json_t *v = json_object_get(obj, key);

    return json_is_integer(v) ? (long long)json_integer_value(v) : def;
}

bool
osj_bool(const json_t *obj, const char *key, bool def)
{
    const json_t *v = json_object_get(obj, key);

    return json_is_boolean(v) ? json_is_true(v) : def;
}

bool
osj_has_next(const json_t *obj, const char *key)
{
    const json_t *links = json_object_get(obj, key), *l;
    size_t i;

    json_array_foreach(links, i, l) if (str_eq(osj_str(l, "rel"), "next")) return true;
    return false;
}

/* ---- time */

static int
digits(const char **p, int n, int *out)
{
    int v = 0, i;

    for (i = 0; i < n; i++, (*p)++) {
        if (!isdigit((unsigned char)**p)) return -1;
        v = v * 10 + (**p - '0');
    }
    *out = v;
    return 0;
}

int
os_parse_time(const char *s, time_t *out)
{
    struct tm tm = {0};
    int y, mo, d, h, mi, se, off = 0;
    const char *p = s;

    if (!s || digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' ||
        digits(&p, 2, &d) || (*p != 'T' && *p != ' ') || !*p++ || digits(&p, 2, &h) ||
        *p++ != ':' || digits(&p, 2, &mi) || *p++ != ':' || digits(&p, 2, &se))
        return -1;
    if (*p == '.')
        for (p++; isdigit((unsigned char)*p); p++)
            ;
    if (*p == '+' || *p == '-') {
        int sign = *p++ == '-' ? -1 : 1, oh, om;
        if (digits(&p, 2, &oh) || (*p == ':' && !*++p) || digits(&p, 2, &om)) return -1;
        off = sign * (oh * 3600 + om * 60);
    } else if (*p == 'Z') {
        p++;
    }
    if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return -1;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = se;
    *out = timegm(&tm) - off;
    return 0;
}

/* ---- microversions */

int
os_mv_parse(const char *s, struct ne_mv *out)
{
    unsigned long long a, b;
    const char *dot = s ? strchr(s, '.') : NULL;
    char major[16];

    if (!dot || (size_t)(dot - s) >= sizeof major) return -1;
    memcpy(major, s, (size_t)(dot - s));
    major[dot - s] = '\0';
    if (parse_u64(major, &a) < 0 || parse_u64(dot + 1, &b) < 0 || a > 99 || b > 9999) return -1;
    out->major = (int)a;
    out->minor = (int)b;
    return 0;
}

int
os_mv_cmp(struct ne_mv a, struct ne_mv b)
{
    if (a.major != b.major) return a.major < b.major ? -1 : 1;
    return a.minor < b.minor ? -1 : a.minor > b.minor;
}

/* The version object to use: {"version": {...}}, or the CURRENT entry of
 * {"versions": [...]} (the last one when none is marked). */
static const json_t *
pick_version(const json_t *root)
{
    const json_t *v = json_object_get(root, "version"), *vs, *e, *last = NULL;
    size_t i;

    if (json_is_object(v)) return v;
    vs = json_object_get(root, "versions");
    if (json_is_object(vs)) vs = json_object_get(vs, "values"); /* keystone style */
    json_array_foreach(vs, i, e) {
        if (!json_is_object(e)) continue;
        if (str_eq(osj_str(e, "status"), "CURRENT")) return e;
        last = e;
    }
    return last;
}

int
os_parse_version(const char *buf, size_t len, const char *what, struct ne_mv *min,
                 struct ne_mv *max)
{
    json_t *root = osj_load(buf, len, what);
    const json_t *v;
    const char *mx, *mn;

    min->major = min->minor = max->major = max->minor = 0;
    if (!root) return -1;
    v = pick_version(root);
    if (!v) {
        ne_error("%s: unexpected reply: no \"version\" in the version document", what);
        json_decref(root);
        return -1;
    }
    mx = osj_str(v, "version");
    mn = osj_str(v, "min_version");
    /* an empty "version" is how a service without microversions says so */
    if (mx && *mx && (os_mv_parse(mx, max) < 0 || (mn && *mn && os_mv_parse(mn, min) < 0))) {
        ne_error("%s: unexpected microversion range '%s'..'%s'", what, mn ? mn : "", mx);
        json_decref(root);
        return -1;
    }
    json_decref(root);
    return 0;
}

/* ---- Keystone token and catalog */

void
os_token_info_clear(struct ne_token_info *t)
{
    size_t i;

    free(t->user_id);
    free(t->user_name);
    free(t->user_domain);
    free(t->project_id);
    free(t->project_name);
    free(t->domain_name);
    for (i = 0; i < t->nroles; i++) free(t->roles[i]);
    free(t->roles);
    for (i = 0; i < t->neps; i++) {
        free(t->eps[i].type);
        free(t->eps[i].name);
        free(t->eps[i].interface);
        free(t->eps[i].region);
        free(t->eps[i].url);
    }
    free(t->eps);
    memset(t, 0, sizeof *t);
}

static void
add_endpoints(struct ne_token_info *t, const json_t *svc)
{
    const json_t *eps = json_object_get(svc, "endpoints"), *e;
    const char *type = osj_str(svc, "type");
    size_t i;

    if (!type) return;
    json_array_foreach(eps, i, e) {
        struct ne_endpoint *ep;
        const char *url = osj_str(e, "url"), *itf = osj_str(e, "interface");
        if (!url || !itf) continue;
        xgrow(&t->eps, &t->capeps, t->neps + 1, sizeof *t->eps);
        ep = &t->eps[t->neps++];
        ep->type = xstrdup(type);
        ep->name = osj_dup(svc, "name");
        ep->interface = xstrdup(itf);
        ep->region = osj_dup(e, "region_id");
        if (!ep->region) ep->region = osj_dup(e, "region");
        ep->url = xstrdup(url);
    }
}

static void
token_identity(struct ne_token_info *t, const json_t *tok)
{
    const json_t *user = json_object_get(tok, "user"), *proj = json_object_get(tok, "project");
    const json_t *dom = json_object_get(tok, "domain"), *roles = json_object_get(tok, "roles"), *r;
    size_t i;

    t->user_id = osj_dup(user, "id");
    t->user_name = osj_dup(user, "name");
    t->user_domain = osj_dup(json_object_get(user, "domain"), "name");
    t->project_id = osj_dup(proj, "id");
    t->project_name = osj_dup(proj, "name");
    t->domain_name = osj_dup(dom, "name");
    t->system_scope = json_is_object(json_object_get(tok, "system"));
    t->roles = xcalloc(json_array_size(roles) + 1, sizeof *t->roles);
    json_array_foreach(roles, i, r) if (osj_str(r, "name")) t->roles[t->nroles++] = osj_dup(r, "name");
}

int
os_parse_token(const char *buf, size_t len, const char *what, struct ne_token_info *out)
{
    json_t *root = osj_load(buf, len, what);
    const json_t *tok, *cat, *s;
    size_t i;

    memset(out, 0, sizeof *out);
    if (!root) return -1;
    tok = json_object_get(root, "token");
    if (!json_is_object(tok)) {
        ne_error("%s: unexpected reply: no \"token\" object", what);
        goto fail;
    }
    if (os_parse_time(osj_str(tok, "expires_at"), &out->expires_at) < 0 ||
        os_parse_time(osj_str(tok, "issued_at"), &out->issued_at) < 0) {
        ne_error("%s: unexpected reply: token without a valid expires_at/issued_at", what);
        goto fail;
    }
    token_identity(out, tok);
    cat = json_object_get(tok, "catalog");
    json_array_foreach(cat, i, s) add_endpoints(out, s);
    json_decref(root);
    return 0;
fail:
    json_decref(root);
    os_token_info_clear(out);
    return -1;
}

static bool
type_matches(const char *have, const char *want)
{
    static const char *const alias[][2] = {
        {"compute", "computev21"}, {"block-storage", "volumev3"}, {"block-storage", "volumev2"},
        {"block-storage", "volume"}, {NULL, NULL},
    };
    size_t i;

    if (strcmp(have, want) == 0) return true;
    for (i = 0; alias[i][0]; i++)
        if (strcmp(want, alias[i][0]) == 0 && strcmp(have, alias[i][1]) == 0) return true;
    return false;
}

/* "publicURL" -> "public" (the v2 names OS_ENDPOINT_TYPE still uses). */
static bool
interface_matches(const char *have, const char *want)
{
    size_t n = strlen(want);

    if (n > 3 && strcasecmp(want + n - 3, "URL") == 0) n -= 3;
    return strlen(have) == n && strncasecmp(have, want, n) == 0;
}

const char *
os_catalog_find(const struct ne_token_info *t, const char *type, const char *interface,
                const char *region)
{
    size_t i;

    for (i = 0; i < t->neps; i++) {
        const struct ne_endpoint *e = &t->eps[i];
        if (!type_matches(e->type, type) || !interface_matches(e->interface, interface)) continue;
        if (region && *region && !str_eq(e->region, region)) continue;
        return e->url;
    }
    return NULL;
}

char *
os_catalog_summary(const struct ne_token_info *t)
{
    char *s = xstrdup("");
    size_t i, j;

    for (i = 0; i < t->neps; i++) {
        char *n;
        for (j = 0; j < i && strcmp(t->eps[j].type, t->eps[i].type) != 0; j++)
            ;
        if (j < i) continue; /* type already listed */
        n = xasprintf("%s%s%s (", s, *s ? ", " : "", t->eps[i].type);
        free(s);
        s = n;
        for (j = i; j < t->neps; j++) {
            if (strcmp(t->eps[j].type, t->eps[i].type) != 0) continue;
            n = xasprintf("%s%s%s@%s", s, j == i ? "" : " ", t->eps[j].interface,
                          t->eps[j].region ? t->eps[j].region : "-");
            free(s);
            s = n;
        }
        n = xasprintf("%s)", s);
        free(s);
        s = n;
    }
    if (!*s) {
        free(s);
        s = xstrdup("nothing (an unscoped token has no catalog)");
    }
    return s;
}

/* ---- error bodies */

#define ERR_MAX 300

/* Appends printable text to *s (length *n), collapsing whitespace. */
static void
add_text(char **s, size_t *n, size_t *cap, const char *t, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)t[i];
        if (isspace(c) || c < 0x20 || c == 0x7f) {
            if (*n == 0 || (*s)[*n - 1] == ' ') continue;
            c = ' ';
        }
        if (*n >= ERR_MAX) return;
        xgrow(s, cap, *n + 2, 1);
        (*s)[(*n)++] = c >= 0x80 ? '?' : (char)c;
    }
}

/* Text of an HTML (or plain) body: tags and the <head> removed. */
static char *
html_text(const char *buf, size_t len)
{
    char *s = NULL;
    size_t n = 0, cap = 0, i = 0;

    while (i < len) {
        if (buf[i] == '<') {
            const char *end = memchr(buf + i, '>', len - i);
            size_t tl = end ? (size_t)(end - (buf + i)) : len - i;
            if (tl >= 5 && strncasecmp(buf + i, "<head", 5) == 0) {
                size_t j;
                for (j = i; j + 7 <= len && strncasecmp(buf + j, "</head>", 7) != 0; j++)
                    ;
                i = j + 7 <= len ? j + 7 : len;
                continue;
            }
            add_text(&s, &n, &cap, " ", 1);
            i += end ? tl + 1 : tl;
            continue;
        }
        add_text(&s, &n, &cap, buf + i, 1);
        i++;
    }
    while (n && s[n - 1] == ' ') n--;
    xgrow(&s, &cap, n + 1, 1);
    s[n] = '\0';
    return s;
}

static char *
two(const char *a, const char *b)
{
    if (a && b && *b) return xasprintf("%s: %s", a, b);
    return xstrdup(a ? a : b ? b : "");
}

/* Nova/Neutron {"kind": {"message": ...}}, Keystone {"error": {...}},
 * Placement {"errors": [...]}, or any "message"/"title"/"detail". */
static char *
json_error_text(const json_t *root)
{
    const json_t *v, *e = json_object_get(root, "error");
    const char *k;

    if (json_is_object(e))
        return two(osj_str(e, "title"), osj_str(e, "message"));
    e = json_array_get(json_object_get(root, "errors"), 0);
    if (json_is_object(e)) return two(osj_str(e, "title"), osj_str(e, "detail"));
    if (osj_str(root, "message") || osj_str(root, "title"))
        return two(osj_str(root, "title"), osj_str(root, "message"));
    json_object_foreach((json_t *)root, k, v) {
        if (json_is_object(v) && osj_str(v, "message")) return two(k, osj_str(v, "message"));
    }
    return NULL;
}

char *
os_error_text(const char *buf, size_t len)
{
    json_t *root = len ? json_loadb(buf, len, 0, NULL) : NULL;
    char *t = NULL, *clean;
    size_t n = 0, cap = 0;

    if (json_is_object(root)) t = json_error_text(root);
    json_decref(root);
    if (!t) return html_text(buf, len);
    clean = NULL;
    add_text(&clean, &n, &cap, t, strlen(t));
    free(t);
    while (n && clean[n - 1] == ' ') n--;
    xgrow(&clean, &cap, n + 1, 1);
    clean[n] = '\0';
    return clean;
}
