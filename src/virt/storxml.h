/* SPDX-License-Identifier: Apache-2.0 */
/* storxml.h: the storage pool and volume XML nova-evac writes to libvirt
 * and reads back from it, as pure functions (no libvirt call): every
 * string put in is escaped, every reply is parsed with libxml2.  Unit
 * tested through the virt adapter (tests/unit/virtxml-t.c) and fuzzed
 * (tests/fuzz/fuzz-local.c: what is built parses back to what was put
 * in; any reply parses without harm).  Returned strings are the caller's
 * (free). */
#ifndef NE_STORXML_H
#define NE_STORXML_H

#include <stddef.h>
#include <stdint.h>

/* s escaped for XML text and quoted attributes ('&', '<', '>', quotes). */
char *ne_xml_escape(const char *s);

/* A transient dir pool: <pool type='dir'> with name and target path. */
char *ne_pool_xml(const char *name, const char *dir);

/* A volume to create: name (a file name in the pool), capacity in bytes,
 * allocation 0 (sparse), format (NULL: raw); backing (NULL: none) and its
 * format (NULL: raw); mode (NULL: no permissions element) with owner and
 * group (NULL or "": not given). */
struct ne_vol_spec {
    const char *name;
    uint64_t capacity;
    const char *format, *backing, *backing_format;
    const char *mode, *owner, *group;
};
char *ne_vol_xml(const struct ne_vol_spec *s);

/* Facts of a volume's XML (virStorageVolGetXMLDesc): its format into
 * format[flen] ("" unknown; may be NULL), its mtime (0 unknown; may be
 * NULL), its backing file's path (*backing newly allocated, NULL when
 * none or unknown; may be NULL).  0, or -1 when the XML does not parse
 * (outputs then say "unknown"). */
int ne_vol_xml_facts(const char *xml, char *format, size_t flen, long long *mtime,
                     char **backing);

/* The owner and group of a pool's target directory from its XML
 * (virStoragePoolGetXMLDesc), "" when unknown.  0, or -1 when the XML
 * does not parse. */
int ne_pool_xml_owner(const char *xml, char *owner, char *group, size_t len);

#endif
