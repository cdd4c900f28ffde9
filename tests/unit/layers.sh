#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Layers are enforced by the build: a file outside an adapter that
# includes the adapter's library headers does not compile.  For each rule,
# a deliberate violation is compiled with the flags of every other layer
# (it must fail with the poison message) and with the adapter's own flags
# (it must compile, so the check can fail).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
b=${top_builddir:-.}
flags=$(make -s -C "$b" print-layer-flags) || { echo "Bail out! make print-layer-flags failed"; exit 1; }
get() { printf '%s\n' "$flags" | sed -n "s/^$1=//p"; }
CC=$(get CC)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
try() { # try LAYER HEADER: compiles '#include <HEADER>' with LAYER's flags
    printf '#include <config.h>\n#include <%s>\nint ne_layers_probe(void);\nint ne_layers_probe(void) { return 0; }\n' "$2" >"$tmp/v.c"
    (cd "$b" && eval "$CC $(get "$1") -c $tmp/v.c -o $tmp/v.o") >"$tmp/err" 2>&1
}
for rule in virt:libvirt/libvirt.h virt:libvirt/virterror.h virt:libxml/parser.h \
    virt:libxml/xpath.h openstack:curl/curl.h openstack:yaml.h novadb:mysql.h; do
    own=${rule%%:*} h=${rule#*:}
    try "$own" "$h"
    ok "<$h> compiles in its adapter ($own)" test $? = 0
    for layer in core virt openstack novadb; do
        [ "$layer" = "$own" ] && continue
        if try "$layer" "$h"; then
            ok "<$h> refused in $layer" false
        else
            ok "<$h> refused in $layer, with the layer message" grep -q 'belong in src/' "$tmp/err"
        fi
    done
done
done_testing
