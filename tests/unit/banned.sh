#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Banned calls (curl's checksrc idea): unsafe string functions, and
# library headers outside their one adapter file.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
cd "$top_srcdir" || exit 1

hits=$(grep -nE '\b(strcpy|strcat|sprintf|vsprintf|strtok|strtok_r|atoi|atol|gets)\s*\(' src/*.c src/*/*.c 2>/dev/null)
is "$hits" "" "no strcpy/strcat/sprintf/strtok/atoi/gets in src/"
check_header() { # check_header REGEX ALLOWED-FILES...
    local re=$1
    shift
    local found
    found=$(grep -lE "$re" src/*.c src/*/*.c src/*.h src/*/*.h 2>/dev/null | sort)
    local allowed
    allowed=$(printf '%s\n' "$@" | sort)
    if [ -z "$found" ]; then found=""; fi
    for f in $found; do
        printf '%s\n' "$allowed" | grep -qx "$f" || { echo "$f"; }
    done
}
is "$(check_header '#include <libvirt/' src/virt/virt.c src/virt/virt-storage.c src/virt/virt-int.h)" "" "libvirt headers only in the virt*.c adapter"
is "$(check_header '#include <(mysql|mariadb)' src/novadb/novadb.c)" "" "MariaDB headers only in novadb.c"
is "$(check_header '#include <curl/' src/openstack/http.c)" "" "libcurl headers only in http.c"
is "$(check_header '#include <rbd/|#include <rados/' src/rbd.c)" "" "librbd headers only in rbd.c"
done_testing
