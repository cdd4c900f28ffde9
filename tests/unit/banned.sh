#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Banned calls (curl's checksrc idea): unsafe string functions.  Library
# headers outside their adapter folder are refused by the build itself
# (src/poison/); tests/unit/layers.sh shows it.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
cd "$top_srcdir" || exit 1

hits=$(grep -nE '\b(strcpy|strcat|sprintf|vsprintf|strtok|strtok_r|atoi|atol|gets)\s*\(' src/*.c src/*/*.c 2>/dev/null)
is "$hits" "" "no strcpy/strcat/sprintf/strtok/atoi/gets in src/"
done_testing
