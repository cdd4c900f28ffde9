/* SPDX-License-Identifier: Apache-2.0 */
/* virt-net.h: a guest's network interfaces as libvirt defines them, what a
 * move needs on the destination for them (issue 13), and the domain XML a
 * move sends there.
 *
 * A linux-bridge VIF is plugged by libvirt into the bridge its <source
 * bridge=> names, on whichever host starts the guest: that bridge must
 * exist on the destination before the migration (or the define and start
 * of a cold move), and the XML sent there must name the destination's
 * bridge (Nova rewrites it the same way).  An openvswitch <virtualport> is
 * plugged by libvirt itself.  The parsers and the rewrite are pure
 * (libxml2, no network, no entities); unit-tested in tests/unit/virtnet-t.c. */
#ifndef NE_VIRT_NET_H
#define NE_VIRT_NET_H

#include <stdbool.h>
#include <stddef.h>

#include "virt/virt.h"

struct ne_iface {
    char *type;        /* <interface type=>: bridge ethernet network vhostuser direct ... */
    char *mac;         /* <mac address=>, lower case; NULL when absent */
    char *bridge;      /* <source bridge=>, NULL when absent */
    char *target;      /* <target dev=>, NULL when absent */
    char *virtualport; /* <virtualport type=>: openvswitch ..., NULL when absent */
};

/* The interfaces of a domain's XML, in order.  0 (n may be 0), or -1
 * (reported: "malformed domain XML from ORIGIN"). */
int ne_ifaces_parse(const char *xml, const char *origin, struct ne_iface **out, size_t *n);
void ne_ifaces_free(struct ne_iface *v, size_t n);

/* A copy of xml where the interface whose MAC is macs[i] (case-insensitive)
 * has <source bridge=bridges[i]>, for i < n; *changed (may be NULL) counts
 * the interfaces rewritten.  Newly allocated, or NULL (reported). */
char *ne_xml_set_bridges(const char *xml, const char *origin, const char *const *macs,
                         const char *const *bridges, size_t n, size_t *changed);

/* The files of a direct kernel boot in domain xml (<os><kernel>,
 * <os><initrd>), each newly allocated or NULL when absent (pure). */
void ne_xml_boot_files(const char *xml, char **kernel, char **initrd);

/* Whether host v has a network interface (a bridge) named name, as its
 * libvirt lists them: 1 yes, 0 no, -1 cannot tell (reported). */
int virt_iface_exists(struct ne_virt *v, const char *name);
/* The migratable XML of domain key on v (what a migration sends), newly
 * allocated, or NULL (reported). */
char *virt_domain_xml_migratable(struct ne_virt *v, const char *key);

#endif
