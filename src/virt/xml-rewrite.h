/* SPDX-License-Identifier: Apache-2.0 */
/* xml-rewrite.h: a domain definition rewritten for a destination whose
 * QEMU lacks the guest's machine type or CPU model (the machine-type map,
 * model/findings.h).  Pure (libxml2, no network, no entities);
 * unit-tested in tests/unit/xmlrewrite-t.c and fuzzed (tests/fuzz).
 *
 * Only a definition that is started afresh may change them: libvirt's
 * guest ABI check refuses a live (or offline) migration whose destination
 * XML names another machine type or CPU model ("Target domain machine
 * type X does not match source Y"), so the tool applies the map on the
 * cold path only. */
#ifndef NE_XML_REWRITE_H
#define NE_XML_REWRITE_H

#include <stddef.h>

/* A copy of domain xml with <os><type machine=> set to machine and the
 * text of <cpu><model> set to cpu_model (each NULL: left as it is; a
 * <cpu> without <model> gets none).  *changed (may be NULL) counts the
 * values that differed.  Newly allocated (a copy when nothing changes),
 * or NULL when xml is not a domain definition or a value is not a plain
 * name (reported, naming origin). */
char *ne_xml_set_machine_cpu(const char *xml, const char *origin, const char *machine,
                             const char *cpu_model, size_t *changed);

#endif
