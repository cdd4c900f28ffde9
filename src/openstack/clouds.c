/* SPDX-License-Identifier: Apache-2.0 */
/* clouds.c: see clouds.h.  The only file that includes libyaml. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <yaml.h>

#include "openstack/clouds.h"
#include "util/log.h"
#include "util/mem.h"

extern char **environ;

/* ---- a flat key/value map: "region_name", "auth.username", ... */

struct kvs {
    char **k, **v;
    size_t n, cap;
};

static const char *
kv_get(const struct kvs *m, const char *k)
{
    size_t i;

    for (i = m->n; i-- > 0;)
        if (strcmp(m->k[i], k) == 0) return m->v[i];
    return NULL;
}

static void
kv_free(struct kvs *m)
{
    size_t i;

    for (i = 0; i < m->n; i++) {
        free(m->k[i]);
        explicit_bzero(m->v[i], strlen(m->v[i]));
        free(m->v[i]);
    }
    free(m->k);
    free(m->v);
    memset(m, 0, sizeof *m);
}

static const char *const auth_keys[] = {
    "auth_url", "username", "user_id", "password", "project_name", "project_id",
    "user_domain_name", "user_domain_id", "project_domain_name", "project_domain_id",
    "domain_name", "domain_id", "application_credential_id", "application_credential_name",
    "application_credential_secret", "system_scope", NULL,
};

/* Sets key k (len bytes, '-' read as '_', any case for env names) to v:
 * auth keys go under "auth.", old names are mapped to new ones. */
static void
kv_set(struct kvs *m, const char *k, size_t len, const char *v, size_t vlen)
{
    char key[96];
    size_t i;

    if (len >= sizeof key - 5) return;
    for (i = 0; i < len; i++) key[i] = k[i] == '-' ? '_' : k[i];
    key[len] = '\0';
    if (strcmp(key, "tenant_name") == 0) memcpy(key, "project_name", 13);
    if (strcmp(key, "tenant_id") == 0) memcpy(key, "project_id", 11);
    if (strcmp(key, "endpoint_type") == 0) memcpy(key, "interface", 10);
    for (i = 0; auth_keys[i]; i++) {
        if (strcmp(key, auth_keys[i]) == 0) {
            memmove(key + 5, key, strlen(key) + 1);
            memcpy(key, "auth.", 5);
            break;
        }
    }
    xgrow(&m->k, &m->cap, m->n + 1, sizeof *m->k);
    m->v = xrealloc(m->v, m->cap * sizeof *m->v);
    m->k[m->n] = xstrdup(key);
    m->v[m->n++] = xstrndup(v, vlen);
}

/* ---- YAML */

struct ydoc {
    yaml_document_t doc;
    bool loaded;
};

static int
yload(struct ydoc *d, const char *buf, size_t len, const char *path)
{
    yaml_parser_t p;
    int ok;

    yaml_parser_initialize(&p);
    yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
    ok = yaml_parser_load(&p, &d->doc);
    if (!ok)
        ne_error("clouds.yaml: %s: invalid YAML at line %lu, column %lu: %s", path,
                 (unsigned long)p.problem_mark.line + 1, (unsigned long)p.problem_mark.column + 1,
                 p.problem ? p.problem : "parse error");
    yaml_parser_delete(&p);
    d->loaded = ok;
    return ok ? 0 : -1;
}

static void
yfree(struct ydoc *d)
{
    if (d->loaded) yaml_document_delete(&d->doc);
    d->loaded = false;
}

static bool
yscalar_is(const yaml_node_t *n, const char *s)
{
    return n && n->type == YAML_SCALAR_NODE && n->data.scalar.length == strlen(s) &&
           memcmp(n->data.scalar.value, s, strlen(s)) == 0;
}

/* The value of key in mapping node m, or NULL. */
static yaml_node_t *
ymap_get(yaml_document_t *doc, const yaml_node_t *m, const char *key)
{
    yaml_node_pair_t *p;

    if (!m || m->type != YAML_MAPPING_NODE) return NULL;
    for (p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++)
        if (yscalar_is(yaml_document_get_node(doc, p->key), key))
            return yaml_document_get_node(doc, p->value);
    return NULL;
}

static yaml_node_t *
yclouds(struct ydoc *d)
{
    return ymap_get(&d->doc, yaml_document_get_root_node(&d->doc), "clouds");
}

/* "a, b, c": the cloud names, for messages.  Newly allocated. */
static char *
ycloud_names(struct ydoc *d)
{
    yaml_node_t *c = yclouds(d);
    yaml_node_pair_t *p;
    char *s = xstrdup("");

    if (!c || c->type != YAML_MAPPING_NODE) return s;
    for (p = c->data.mapping.pairs.start; p < c->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(&d->doc, p->key);
        char *n;
        if (!k || k->type != YAML_SCALAR_NODE) continue;
        n = xasprintf("%s%s%.*s", s, *s ? ", " : "", (int)k->data.scalar.length,
                      (const char *)k->data.scalar.value);
        free(s);
        s = n;
    }
    return s;
}

static size_t
ycount(struct ydoc *d, char **only)
{
    yaml_node_t *c = yclouds(d), *k;

    if (!c || c->type != YAML_MAPPING_NODE) return 0;
    if (c->data.mapping.pairs.top - c->data.mapping.pairs.start == 1) {
        k = yaml_document_get_node(&d->doc, c->data.mapping.pairs.start->key);
        if (k && k->type == YAML_SCALAR_NODE)
            *only = xstrndup((const char *)k->data.scalar.value, k->data.scalar.length);
    }
    return (size_t)(c->data.mapping.pairs.top - c->data.mapping.pairs.start);
}

/* Copies the scalars of mapping m into kv ("auth" one level down; the
 * first of "regions" as region_name when none is set). */
static void
yflatten(yaml_document_t *doc, const yaml_node_t *m, struct kvs *kv, bool inside_auth)
{
    yaml_node_pair_t *p;

    for (p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);
        yaml_node_t *v = yaml_document_get_node(doc, p->value);
        if (!k || !v || k->type != YAML_SCALAR_NODE) continue;
        if (v->type == YAML_SCALAR_NODE) {
            kv_set(kv, (const char *)k->data.scalar.value, k->data.scalar.length,
                   (const char *)v->data.scalar.value, v->data.scalar.length);
        } else if (!inside_auth && yscalar_is(k, "auth") && v->type == YAML_MAPPING_NODE) {
            yflatten(doc, v, kv, true);
        } else if (!inside_auth && yscalar_is(k, "regions") && v->type == YAML_SEQUENCE_NODE &&
                   v->data.sequence.items.top > v->data.sequence.items.start) {
            yaml_node_t *r = yaml_document_get_node(doc, *v->data.sequence.items.start);
            if (r && r->type == YAML_MAPPING_NODE) r = ymap_get(doc, r, "name");
            if (r && r->type == YAML_SCALAR_NODE)
                kv_set(kv, "default_region", 14, (const char *)r->data.scalar.value,
                       r->data.scalar.length);
        }
    }
}

/* Adds cloud name of d to kv; 1 when d has it, 0 when not. */
static int
ytake(struct ydoc *d, const char *name, struct kvs *kv)
{
    yaml_node_t *c = ymap_get(&d->doc, yclouds(d), name);

    if (!c || c->type != YAML_MAPPING_NODE) return 0;
    yflatten(&d->doc, c, kv, false);
    return 1;
}

/* ---- the environment */

static const char *const selectors[] = {
    "OS_CLOUD", "OS_REGION_NAME", "OS_CLIENT_CONFIG_FILE", "OS_CLIENT_SECURE_FILE",
    "OS_CLOUD_NAME", NULL,
};

static bool
is_selector(const char *e, size_t len)
{
    size_t i;

    for (i = 0; selectors[i]; i++)
        if (strlen(selectors[i]) == len && strncmp(e, selectors[i], len) == 0) return true;
    return false;
}

/* Copies OS_* (lower-cased, prefix removed) into kv; returns how many were
 * not mere selectors (those make the "envvars" cloud). */
static size_t
env_apply(char *const *envp, struct kvs *kv)
{
    size_t n = 0, i, j;

    for (i = 0; envp && envp[i]; i++) {
        const char *e = envp[i], *eq = strchr(e, '=');
        char key[96];
        size_t len;
        if (!eq || strncmp(e, "OS_", 3) != 0 || eq == e + 3) continue;
        len = (size_t)(eq - e);
        if (str_prefix(e, "OS_TEST") || str_prefix(e, "OS_STD") || str_prefix(e, "OS_LOG") ||
            len - 3 >= sizeof key || !eq[1])
            continue;
        for (j = 3; j < len; j++) key[j - 3] = (char)(e[j] >= 'A' && e[j] <= 'Z' ? e[j] + 32 : e[j]);
        kv_set(kv, key, len - 3, eq + 1, strlen(eq + 1));
        if (!is_selector(e, len)) n++;
    }
    return n;
}

static const char *
env_get(char *const *envp, const char *name)
{
    size_t i, n = strlen(name);

    for (i = 0; envp && envp[i]; i++)
        if (strncmp(envp[i], name, n) == 0 && envp[i][n] == '=' && envp[i][n + 1])
            return envp[i] + n + 1;
    return NULL;
}

/* ---- building the result */

static int
parse_bool(const char *v, bool *out)
{
    static const char *const yes[] = {"true", "yes", "on", "1", NULL}, *const no[] = {"false", "no", "off", "0", NULL};
    size_t i;

    for (i = 0; yes[i]; i++) if (strcasecmp(v, yes[i]) == 0) return *out = true, 0;
    for (i = 0; no[i]; i++) if (strcasecmp(v, no[i]) == 0) return *out = false, 0;
    return -1;
}

static char *
norm_auth_url(const char *u)
{
    size_t n = strlen(u);

    while (n && u[n - 1] == '/') n--;
    if (n >= 3 && strncmp(u + n - 3, "/v3", 3) == 0) return xstrndup(u, n);
    if (n >= 5 && strncmp(u + n - 5, "/v2.0", 5) == 0) return xasprintf("%.*s/v3", (int)(n - 5), u);
    return xasprintf("%.*s/v3", (int)n, u);
}

static int
fill_auth(const struct kvs *kv, struct ne_cloud *c)
{
    const char *t = kv_get(kv, "auth_type"), *dd = kv_get(kv, "default_domain");
    const char *ss = kv_get(kv, "auth.system_scope");

    if (!t) t = kv_get(kv, "auth.application_credential_secret") ? "v3applicationcredential" : "password";
    if (strcmp(t, "password") == 0 || strcmp(t, "v3password") == 0) {
        c->auth_type = NE_AUTH_PASSWORD;
    } else if (strcmp(t, "v3applicationcredential") == 0 || strcmp(t, "applicationcredential") == 0 ||
               strcmp(t, "application_credential") == 0) {
        c->auth_type = NE_AUTH_APPCRED;
    } else {
        ne_error("openstack credentials: cloud %s (%s): auth_type '%s' is not supported "
                 "(password, v3applicationcredential)", c->name, c->origin, t);
        return -1;
    }
    c->auth_url = kv_get(kv, "auth.auth_url") ? norm_auth_url(kv_get(kv, "auth.auth_url")) : NULL;
#define A(field, key) c->field = xstrdup_null(kv_get(kv, "auth." key))
    A(username, "username"); A(user_id, "user_id"); A(password, "password");
    A(user_domain_name, "user_domain_name"); A(user_domain_id, "user_domain_id");
    A(project_name, "project_name"); A(project_id, "project_id");
    A(project_domain_name, "project_domain_name"); A(project_domain_id, "project_domain_id");
    A(domain_name, "domain_name"); A(domain_id, "domain_id");
    A(app_cred_id, "application_credential_id"); A(app_cred_name, "application_credential_name");
    A(app_cred_secret, "application_credential_secret");
#undef A
    c->system_scope = ss && *ss;
    /* like openstackclient: user and project domains default to the
     * default domain (OS_DEFAULT_DOMAIN, else the id "default") */
    if (!dd) dd = "default";
    if (!c->user_domain_name && !c->user_domain_id) c->user_domain_id = xstrdup(dd);
    if (!c->project_domain_name && !c->project_domain_id) c->project_domain_id = xstrdup(dd);
    return 0;
}

/* The one missing piece, or NULL when the credentials are complete. */
static const char *
missing(const struct ne_cloud *c)
{
    if (!c->auth_url) return "auth_url (OS_AUTH_URL)";
    if (c->auth_type == NE_AUTH_APPCRED) {
        if (!c->app_cred_secret) return "application_credential_secret (OS_APPLICATION_CREDENTIAL_SECRET)";
        if (!c->app_cred_id && !c->app_cred_name)
            return "application_credential_id (OS_APPLICATION_CREDENTIAL_ID)";
        if (!c->app_cred_id && !c->username && !c->user_id)
            return "username (OS_USERNAME) for an application credential given by name";
        return NULL;
    }
    if (!c->username && !c->user_id) return "username (OS_USERNAME)";
    if (!c->password) return "password (OS_PASSWORD, or clouds.yaml/secure.yaml)";
    if (!c->project_name && !c->project_id && !c->domain_name && !c->domain_id && !c->system_scope)
        return "project_name (OS_PROJECT_NAME): a token without a project has no catalog";
    return NULL;
}

static int
fill(const struct kvs *kv, struct ne_cloud *c)
{
    const char *v;
    const char *m;

    if (fill_auth(kv, c) < 0) return -1;
    c->region_name = xstrdup_null(kv_get(kv, "region_name") ? kv_get(kv, "region_name")
                                                            : kv_get(kv, "default_region"));
    c->interface = xstrdup(kv_get(kv, "interface") ? kv_get(kv, "interface") : "public");
    c->cacert = xstrdup_null(kv_get(kv, "cacert"));
    c->cert = xstrdup_null(kv_get(kv, "cert"));
    c->key = xstrdup_null(kv_get(kv, "key"));
    c->compute_api_version = xstrdup_null(kv_get(kv, "compute_api_version"));
    if ((v = kv_get(kv, "verify"))) {
        bool b;
        if (parse_bool(v, &b) == 0) c->insecure = !b;
        else if (!c->cacert) c->cacert = xstrdup(v); /* verify: /path/to/ca.pem */
    }
    if ((v = kv_get(kv, "insecure")) && parse_bool(v, &c->insecure) < 0) {
        ne_error("openstack credentials: cloud %s (%s): insecure: '%s' is not a boolean",
                 c->name, c->origin, v);
        return -1;
    }
    if ((m = missing(c))) {
        ne_error("openstack credentials: cloud %s (%s): %s is missing", c->name, c->origin, m);
        return -1;
    }
    return 0;
}

static void
apply_args(const struct ne_cloud_args *a, struct kvs *kv)
{
    if (a->region) kv_set(kv, "region_name", 11, a->region, strlen(a->region));
    if (a->interface) kv_set(kv, "interface", 9, a->interface, strlen(a->interface));
    if (a->cacert) kv_set(kv, "cacert", 6, a->cacert, strlen(a->cacert));
    if (a->insecure) kv_set(kv, "insecure", 8, "true", 4);
}

static int
select_cloud(struct ydoc *cy, bool have_yaml, const char *path, size_t nenv, const char *asked,
             char **name)
{
    char *only = NULL;

    if (asked) {
        *name = xstrdup(asked);
        return 0;
    }
    if (nenv) {
        *name = xstrdup("envvars");
        return 0;
    }
    if (have_yaml && ycount(cy, &only) == 1) {
        *name = only;
        return 0;
    }
    free(only);
    if (have_yaml) {
        CLEANUP_FREE char *names = ycloud_names(cy);
        ne_error("openstack credentials: %s has clouds %s: choose one with --os-cloud or OS_CLOUD",
                 path, *names ? names : "(none)");
    } else {
        ne_error("openstack credentials: none found: set OS_CLOUD (clouds.yaml %s) or the OS_* "
                 "variables (OS_AUTH_URL, OS_USERNAME, OS_PASSWORD, OS_PROJECT_NAME...)", path);
    }
    return -1;
}

int
clouds_resolve(const char *clouds, size_t clen, const char *clouds_path, const char *secure,
               size_t slen, const char *secure_path, char *const *envp,
               const struct ne_cloud_args *a, struct ne_cloud *out)
{
    struct ydoc cy = {0}, sy = {0};
    struct kvs kv = {0}, scratch = {0};
    const char *asked = a->cloud ? a->cloud : env_get(envp, "OS_CLOUD");
    size_t nenv = env_apply(envp, &scratch);
    int rc = -1;

    memset(out, 0, sizeof *out);
    kv_free(&scratch);
    if ((clouds && yload(&cy, clouds, clen, clouds_path) < 0) ||
        (secure && yload(&sy, secure, slen, secure_path) < 0))
        goto out;
    if (select_cloud(&cy, clouds != NULL, clouds_path, nenv, asked, &out->name) < 0) goto out;
    if (asked || !nenv) {
        if (!clouds) {
            ne_error("openstack credentials: cloud '%s' was asked for (--os-cloud or OS_CLOUD) "
                     "but no clouds.yaml was found (%s)", asked, clouds_path);
            goto out;
        }
        if (!ytake(&cy, out->name, &kv)) {
            CLEANUP_FREE char *names = ycloud_names(&cy);
            ne_error("openstack credentials: cloud '%s' is not in %s (it has: %s)", out->name,
                     clouds_path, *names ? names : "no clouds");
            goto out;
        }
        if (secure) ytake(&sy, out->name, &kv);
    }
    env_apply(envp, &kv);
    apply_args(a, &kv);
    out->origin = asked || !nenv ? xasprintf("%s%s%s", clouds_path, secure ? " + " : "",
                                             secure ? secure_path : "")
                                 : xstrdup("OS_* variables");
    rc = fill(&kv, out);
out:
    yfree(&cy);
    yfree(&sy);
    kv_free(&kv);
    if (rc < 0) ne_cloud_clear(out);
    return rc;
}

/* ---- files */

/* Reads the first existing file of the search path for base ("clouds",
 * "secure"); *text NULL when none.  *where names the file, or what was
 * searched.  -1 (reported) when a file exists but cannot be read. */
static int
find_file(const char *override, const char *base, char **text, size_t *len, char **where)
{
    const char *home = getenv("HOME"), *xdg = getenv("XDG_CONFIG_HOME");
    CLEANUP_FREE char *user = xdg && *xdg ? xasprintf("%s/openstack", xdg)
                                          : xasprintf("%s/.config/openstack", home ? home : "");
    const char *dirs[] = {".", user, "/etc/xdg/openstack", "/etc/openstack", NULL};
    static const char *const ext[] = {".yaml", ".yml", ".json", NULL};
    size_t i;

    *text = NULL;
    for (i = override ? 0 : 1; i < 1 + 4 * 3; i++) {
        CLEANUP_FREE char *p = i == 0 ? xstrdup(override)
                                      : xasprintf("%s/%s%s", dirs[(i - 1) / 3], base, ext[(i - 1) % 3]);
        FILE *f = fopen(p, "r");
        if (!f && (errno == ENOENT || errno == ENOTDIR)) continue;
        if (!f) {
            ne_syserror("openstack credentials: cannot read %s", p);
            return -1;
        }
        {
            size_t cap = 0, n;
            char chunk[4096];
            *len = 0;
            while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
                xgrow(text, &cap, *len + n + 1, 1);
                memcpy(*text + *len, chunk, n);
                *len += n;
            }
            if (!*text) *text = xstrdup("");
            fclose(f);
        }
        *where = xstrdup(p);
        return 0;
    }
    *where = xasprintf("searched %s%s./%s.yaml, %s, /etc/xdg/openstack, /etc/openstack",
                       override ? override : "", override ? ", " : "", base, user);
    return 0;
}

int
clouds_load(const struct ne_cloud_args *a, struct ne_cloud *out)
{
    CLEANUP_FREE char *cpath = NULL, *spath = NULL;
    char *ctext = NULL, *stext = NULL;
    size_t clen = 0, slen = 0;
    int rc = -1;

    memset(out, 0, sizeof *out);
    if (find_file(getenv("OS_CLIENT_CONFIG_FILE"), "clouds", &ctext, &clen, &cpath) < 0 ||
        find_file(getenv("OS_CLIENT_SECURE_FILE"), "secure", &stext, &slen, &spath) < 0)
        goto out;
    ne_debug(NE_DBG_CONFIG, "openstack: clouds.yaml: %s; secure.yaml: %s", cpath, spath);
    rc = clouds_resolve(ctext, clen, cpath, stext, slen, spath, environ, a, out);
out:
    if (ctext) explicit_bzero(ctext, clen);
    if (stext) explicit_bzero(stext, slen);
    free(ctext);
    free(stext);
    return rc;
}

static void
wipe(char **s)
{
    if (*s) explicit_bzero(*s, strlen(*s));
    free(*s);
    *s = NULL;
}

void
ne_cloud_clear(struct ne_cloud *c)
{
    char **f[] = {&c->name, &c->origin, &c->auth_url, &c->username, &c->user_id,
                  &c->password, &c->user_domain_name, &c->user_domain_id, &c->project_name,
                  &c->project_id, &c->project_domain_name, &c->project_domain_id,
                  &c->domain_name, &c->domain_id, &c->app_cred_id, &c->app_cred_name,
                  &c->app_cred_secret, &c->region_name, &c->interface, &c->cacert, &c->cert,
                  &c->key, &c->compute_api_version};
    size_t i;

    for (i = 0; i < sizeof f / sizeof f[0]; i++) wipe(f[i]);
    memset(c, 0, sizeof *c);
}
