/* SPDX-License-Identifier: Apache-2.0 */
/* xmlrewrite-t.c: the machine type and CPU model of a domain definition
 * rewritten for a destination that lacks them (virt/xml-rewrite.h), read
 * back by the tool's own domain parser. */
#include <config.h>

#include <string.h>

#include "tap.h"
#include "util/log.h"
#include "util/mem.h"
#include "virt/virt.h"
#include "virt/xml-rewrite.h"

static const char xml[] =
    "<domain type='kvm'><name>instance-00000009</name>"
    "<uuid>11111111-2222-4333-8444-555555555559</uuid><memory unit='KiB'>65536</memory>"
    "<os><type arch='x86_64' machine='rhel6.6.0'>hvm</type><boot dev='hd'/></os>"
    "<cpu mode='custom' match='exact' check='partial'><model fallback='forbid'>Westmere</model>"
    "<feature policy='require' name='vme'/></cpu>"
    "<devices><disk type='file' device='disk'><source file='/x'/><target dev='vda'/></disk>"
    "<interface type='bridge'><mac address='fa:16:3e:00:00:01'/><model type='virtio'/>"
    "</interface><video><model type='cirrus'/></video></devices></domain>";

int
main(void)
{
    size_t changed = 9;
    char *out;
    struct ne_domain *d;

    ne_set_quiet(true);
    out = ne_xml_set_machine_cpu(xml, "t", "pc-i440fx-rhel7.0.0", "Nehalem", &changed);
    ok(out != NULL, "rewrite done");
    is_int(changed, 2, "machine type and CPU model both changed");
    d = out ? ne_domain_parse(out, "t") : NULL;
    ok(d != NULL, "the result is still a domain the tool parses");
    if (d) {
        is_str(d->machine, "pc-i440fx-rhel7.0.0", "machine type mapped");
        is_str(d->cpu_model, "Nehalem", "CPU model mapped");
        is_str(d->cpu_mode, "custom", "CPU mode kept");
        is_str(d->uuid, "11111111-2222-4333-8444-555555555559", "uuid kept");
        is_int(d->ndisks, 1, "the disk kept");
        ne_domain_free(d);
    }
    ok(out && strstr(out, "<feature policy=\"require\" name=\"vme\"/>") &&
       strstr(out, "fallback=\"forbid\""), "the CPU's features and fallback kept");
    ok(out && strstr(out, "<model type=\"virtio\"/>") && strstr(out, "<model type=\"cirrus\"/>"),
       "device <model> elements untouched");
    ok(out && !strstr(out, "rhel6.6.0") && !strstr(out, "Westmere"), "the old names are gone");
    free(out);

    out = ne_xml_set_machine_cpu(xml, "t", "pc-i440fx-rhel7.0.0", NULL, &changed);
    is_int(changed, 1, "machine only: one change");
    ok(out && strstr(out, ">Westmere<"), "machine only: the CPU model kept");
    free(out);
    out = ne_xml_set_machine_cpu(xml, "t", "rhel6.6.0", "Westmere", &changed);
    is_int(changed, 0, "the same names: nothing changed");
    free(out);
    out = ne_xml_set_machine_cpu("<domain><os><type>hvm</type></os><cpu mode='host-model'/>"
                                 "</domain>", "t", "pc-q35-7.2", "Nehalem", &changed);
    is_int(changed, 1, "a type without machine= gets one; a <cpu> without <model> gets none");
    ok(out && !strstr(out, "Nehalem"), "no <model> added to a host-model CPU");
    free(out);

    ok(ne_xml_set_machine_cpu("<domain", "t", "pc", NULL, &changed) == NULL, "malformed XML refused");
    ok(ne_xml_set_machine_cpu("<pool/>", "t", "pc", NULL, &changed) == NULL, "not a domain: refused");
    ok(ne_xml_set_machine_cpu(xml, "t", "pc' x='y", NULL, &changed) == NULL,
       "a name with quotes refused");
    ok(ne_xml_set_machine_cpu(xml, "t", NULL, "", &changed) == NULL, "an empty name refused");
    out = ne_xml_set_machine_cpu("<!DOCTYPE domain [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>"
                                 "<domain><name>&e;</name><os><type>hvm</type></os></domain>",
                                 "t", "pc", NULL, &changed);
    ok(!out || !strstr(out, "root:"), "an external entity is not read");
    free(out);
    return done_testing();
}
