/* SPDX-License-Identifier: Apache-2.0 */
/* osrender.h: the JSON and table renderings of Nova and Glance objects,
 * shared by the commands and the core reports (stuck --via api). */
#ifndef NE_OSRENDER_H
#define NE_OSRENDER_H

#include <stdio.h>

#include <jansson.h>

#include "openstack/glance.h"
#include "openstack/nova.h"

/* Renderings; the json_t are new references. */
const char *ne_power_state_name(int p);
json_t *ne_server_json(const struct ne_server *s);
json_t *ne_service_json(const struct ne_service *s);
json_t *ne_hypervisor_json(const struct ne_hypervisor *h);
json_t *ne_migration_json(const struct ne_migration *m);
json_t *ne_image_json(const struct ne_image *im);
/* Pretty JSON of v on f, then a newline; steals v. */
void ne_json_print(json_t *v, FILE *f);
/* Table of servers on f. */
void ne_servers_table(const struct ne_server *s, size_t n, FILE *f);

#endif
