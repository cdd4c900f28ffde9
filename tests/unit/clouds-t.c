/* SPDX-License-Identifier: Apache-2.0 */
/* clouds-t.c: credentials resolved as openstackclient does: cloud
 * selection, clouds.yaml < secure.yaml < OS_* < command line, aliases,
 * defaults, and one clear error for each thing missing. */
#include <config.h>

#include <string.h>

#include "openstack/clouds.h"
#include "tap.h"
#include "util/log.h"
#include "util/mem.h"

static const char yaml[] =
    "# two clouds\n"
    "clouds:\n"
    "  lab:\n"
    "    auth:\n"
    "      auth_url: http://127.0.0.1:5000\n"
    "      username: admin\n"
    "      password: fromyaml\n"
    "      project-name: admin\n"
    "      user_domain_name: Default\n"
    "      project_domain_name: Default\n"
    "    region_name: RegionOne\n"
    "    interface: internal\n"
    "    verify: false\n"
    "  prod: &prod\n"
    "    auth_type: v3applicationcredential\n"
    "    auth:\n"
    "      auth_url: https://keystone.example:5000/v3/\n"
    "      application_credential_id: ac1\n"
    "    regions:\n"
    "      - name: North\n"
    "      - South\n"
    "    cacert: /etc/ssl/prod.pem\n"
    "    compute_api_version: '2.60'\n";
static const char secure[] = "clouds:\n  prod:\n    auth:\n      application_credential_secret: sec\n";

static int
resolve(char *const *env, const struct ne_cloud_args *a, struct ne_cloud *c, bool with_yaml)
{
    return clouds_resolve(with_yaml ? yaml : NULL, with_yaml ? strlen(yaml) : 0,
                          with_yaml ? "clouds.yaml" : "searched nowhere", with_yaml ? secure : NULL,
                          with_yaml ? strlen(secure) : 0, "secure.yaml", env, a, c);
}

static void
selection(void)
{
    struct ne_cloud c;
    struct ne_cloud_args none = {0}, prod = {.cloud = "prod"};
    char *e_lab[] = {"OS_CLOUD=lab", NULL};
    char *e_labpw[] = {"OS_CLOUD=lab", "OS_PASSWORD=fromenv", "HOME=/x", NULL};
    char *e_vars[] = {"OS_AUTH_URL=http://k:5000/v2.0", "OS_USERNAME=u", "OS_PASSWORD=p",
                      "OS_TENANT_NAME=t", "OS_ENDPOINT_TYPE=publicURL", "OS_TEST_PATH=x", NULL};
    unsigned e0;

    ok(resolve(e_lab, &none, &c, true) == 0, "OS_CLOUD=lab");
    is_str(c.name, "lab", "cloud lab");
    is_str(c.password, "fromyaml", "password from clouds.yaml");
    is_str(c.auth_url, "http://127.0.0.1:5000/v3", "auth_url gets /v3");
    is_str(c.project_name, "admin", "project-name (dash) read as project_name");
    is_str(c.interface, "internal", "interface from the cloud");
    ok(c.insecure, "verify: false = insecure");
    ok(c.user_domain_id == NULL && str_eq(c.user_domain_name, "Default"), "user domain by name");
    ne_cloud_clear(&c);

    ok(resolve(e_labpw, &none, &c, true) == 0 && str_eq(c.password, "fromenv"),
       "OS_PASSWORD overrides clouds.yaml (openstackclient precedence)");
    ne_cloud_clear(&c);

    ok(resolve(e_lab, &prod, &c, true) == 0 && str_eq(c.name, "prod"), "--os-cloud beats OS_CLOUD");
    ok(c.auth_type == NE_AUTH_APPCRED && str_eq(c.app_cred_secret, "sec"),
       "application credential, secret merged from secure.yaml");
    is_str(c.region_name, "North", "first of regions");
    is_str(c.cacert, "/etc/ssl/prod.pem", "cacert");
    ok(!c.insecure, "verified by default");
    is_str(c.auth_url, "https://keystone.example:5000/v3", "trailing slash dropped");
    is_str(c.compute_api_version, "2.60", "compute_api_version");
    ne_cloud_clear(&c);

    ok(resolve(e_vars, &none, &c, true) == 0 && str_eq(c.name, "envvars"),
       "OS_* without OS_CLOUD: the envvars cloud, clouds.yaml unused");
    is_str(c.auth_url, "http://k:5000/v3", "v2.0 auth_url mapped to /v3");
    is_str(c.project_name, "t", "OS_TENANT_NAME = project name");
    is_str(c.interface, "publicURL", "OS_ENDPOINT_TYPE = interface");
    is_str(c.user_domain_id, "default", "user domain defaults to the id 'default'");
    is_str(c.project_domain_id, "default", "project domain too");
    ne_cloud_clear(&c);

    e0 = ne_error_count();
    ok(resolve((char *[]){NULL}, &none, &c, true) < 0, "two clouds, none chosen: error");
    ok(resolve((char *[]){"OS_CLOUD=nope", NULL}, &none, &c, true) < 0, "unknown cloud: error");
    ok(resolve((char *[]){NULL}, &none, &c, false) < 0, "nothing at all: error");
    ok(resolve((char *[]){"OS_CLOUD=lab", NULL}, &none, &c, false) < 0,
       "OS_CLOUD but no clouds.yaml: error");
    is_int(ne_error_count() - e0, 4, "one error each");
}

static void
overrides_and_errors(void)
{
    struct ne_cloud c;
    struct ne_cloud_args args = {.region = "RegionTwo", .interface = "admin", .insecure = true,
                                 .cacert = "/ca.pem"};
    char *env[] = {"OS_CLOUD=lab", "OS_REGION_NAME=RegionEnv", "OS_DEFAULT_DOMAIN=d0",
                   "OS_INSECURE=false", NULL};
    char *nopw[] = {"OS_AUTH_URL=http://k/v3", "OS_USERNAME=u", "OS_PROJECT_ID=p", NULL};
    char *noproj[] = {"OS_AUTH_URL=http://k/v3", "OS_USERNAME=u", "OS_PASSWORD=p", NULL};
    char *badtype[] = {"OS_AUTH_URL=http://k/v3", "OS_AUTH_TYPE=token", "OS_TOKEN=x", NULL};
    char *acname[] = {"OS_AUTH_URL=http://k/v3", "OS_APPLICATION_CREDENTIAL_NAME=n",
                      "OS_APPLICATION_CREDENTIAL_SECRET=s", NULL};
    char *badbool[] = {"OS_CLOUD=lab", "OS_INSECURE=maybe", NULL};
    static const char one[] = "clouds:\n  only:\n    auth: {auth_url: 'http://o/v3', username: u, "
                              "password: p, project_id: x}\n";
    static const char broken[] = "clouds:\n  lab: [unclosed\n";

    ok(resolve(env, &args, &c, true) == 0, "command line options");
    is_str(c.region_name, "RegionTwo", "--os-region-name beats OS_REGION_NAME and the cloud");
    is_str(c.interface, "admin", "--os-interface");
    ok(c.insecure, "--insecure beats OS_INSECURE=false");
    is_str(c.cacert, "/ca.pem", "--os-cacert");
    is_str(c.project_domain_name, "Default", "explicit project domain kept");
    ne_cloud_clear(&c);
    ok(resolve((char *[]){"OS_AUTH_URL=http://k", "OS_USERNAME=u", "OS_PASSWORD=p",
                          "OS_PROJECT_NAME=x", "OS_DEFAULT_DOMAIN=d0", NULL},
               &(struct ne_cloud_args){0}, &c, false) == 0 &&
           str_eq(c.user_domain_id, "d0"),
       "OS_DEFAULT_DOMAIN");
    ne_cloud_clear(&c);

    ok(resolve(nopw, &(struct ne_cloud_args){0}, &c, false) < 0, "no password: error");
    ok(resolve(noproj, &(struct ne_cloud_args){0}, &c, false) < 0, "no project: error");
    ok(resolve(badtype, &(struct ne_cloud_args){0}, &c, false) < 0, "unsupported auth_type: error");
    ok(resolve(acname, &(struct ne_cloud_args){0}, &c, false) < 0,
       "application credential by name without a user: error");
    ok(resolve(badbool, &(struct ne_cloud_args){0}, &c, true) < 0, "OS_INSECURE=maybe: error");
    ok(clouds_resolve(one, strlen(one), "one.yaml", NULL, 0, NULL, (char *[]){NULL},
                      &(struct ne_cloud_args){0}, &c) == 0 && str_eq(c.name, "only"),
       "the only cloud of clouds.yaml is used without OS_CLOUD (flow mapping)");
    ne_cloud_clear(&c);
    ok(clouds_resolve(broken, strlen(broken), "broken.yaml", NULL, 0, NULL,
                      (char *[]){"OS_CLOUD=lab", NULL}, &(struct ne_cloud_args){0}, &c) < 0,
       "invalid YAML: error");
    ok(clouds_resolve("clouds: 3\n", 10, "x.yaml", NULL, 0, NULL, (char *[]){"OS_CLOUD=lab", NULL},
                      &(struct ne_cloud_args){0}, &c) < 0,
       "clouds not a mapping: error");
    ok(clouds_resolve("", 0, "empty.yaml", NULL, 0, NULL, (char *[]){"OS_CLOUD=lab", NULL},
                      &(struct ne_cloud_args){0}, &c) < 0,
       "empty file: error");
}

int
main(void)
{
    selection();
    overrides_and_errors();
    return done_testing();
}
