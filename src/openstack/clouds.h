/* SPDX-License-Identifier: Apache-2.0 */
/* clouds.h: where OpenStack credentials come from, as openstackclient
 * finds them.
 *
 * Sources, lowest precedence first: clouds.yaml (+ secure.yaml merged over
 * it), then the OS_* environment variables, then the command line (which
 * never carries credentials: only the cloud name, region, interface, CA
 * bundle and --insecure).  The cloud is --os-cloud, else OS_CLOUD, else
 * the OS_* variables alone when any is set ("envvars"), else the only
 * cloud of clouds.yaml.  clouds.yaml is the first found of
 * $OS_CLIENT_CONFIG_FILE, ./clouds.yaml, $XDG_CONFIG_HOME/openstack (or
 * ~/.config/openstack), /etc/xdg/openstack, /etc/openstack (also .yml and
 * .json); secure.yaml the same way with $OS_CLIENT_SECURE_FILE.  Parsed
 * with libyaml (this is the only file that includes it). */
#ifndef NE_CLOUDS_H
#define NE_CLOUDS_H

#include <stdbool.h>
#include <stddef.h>

/* What the command line may set. */
struct ne_cloud_args {
    const char *cloud;     /* --os-cloud */
    const char *region;    /* --os-region-name */
    const char *interface; /* --os-interface */
    const char *cacert;    /* --os-cacert */
    bool insecure;         /* --insecure */
};

enum ne_auth_type { NE_AUTH_PASSWORD, NE_AUTH_APPCRED };

/* The resolved settings; every string owned (ne_cloud_clear wipes the
 * secrets).  NULL = not set. */
struct ne_cloud {
    char *name;    /* cloud name, or "envvars" */
    char *origin;  /* for messages: "clouds.yaml path + OS_* variables" */
    enum ne_auth_type auth_type;
    char *auth_url; /* always ends in /v3 */
    char *username, *user_id, *password, *user_domain_name, *user_domain_id;
    char *project_name, *project_id, *project_domain_name, *project_domain_id;
    char *domain_name, *domain_id;
    bool system_scope;
    char *app_cred_id, *app_cred_name, *app_cred_secret;
    char *region_name, *interface; /* interface defaults to "public" */
    char *cacert, *cert, *key;
    bool insecure;
    char *compute_api_version; /* OS_COMPUTE_API_VERSION: a cap, may be NULL */
};

/* Finds the files, reads the environment, applies a.  0, or -1 after
 * reporting a configuration error (no credentials, unknown cloud, bad
 * YAML, missing field). */
int clouds_load(const struct ne_cloud_args *a, struct ne_cloud *out);

/* The pure part, for tests: the texts of clouds.yaml and secure.yaml (each
 * may be NULL; path only names it in messages), the environment
 * (NULL-terminated "NAME=value" strings) and the command line. */
int clouds_resolve(const char *clouds, size_t clen, const char *clouds_path,
                   const char *secure, size_t slen, const char *secure_path,
                   char *const *envp, const struct ne_cloud_args *a, struct ne_cloud *out);

void ne_cloud_clear(struct ne_cloud *c);

#endif
