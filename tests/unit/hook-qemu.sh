#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# hooks/qemu: machine-type mapping on incoming migration, nothing else.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
hook=$top_srcdir/hooks/qemu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '# comment\nrhel6.6.0=pc-i440fx-rhel7.0.0\n' >"$tmp/map"
export NOVA_EVAC_MACHINE_MAP=$tmp/map
xml="<domain><os><type arch='x86_64' machine='rhel6.6.0'>hvm</type></os></domain>"
out=$(printf '%s' "$xml" | "$hook" vm migrate begin -)
is "$?" 0 "hook exits 0 on migrate begin"
like "$out" "machine='pc-i440fx-rhel7.0.0'" "old machine type mapped"
out=$(printf '%s' "${xml/rhel6.6.0/pc}" | "$hook" vm migrate begin -)
is "$out" "" "unknown-to-map machine: no output (XML unchanged)"
out=$(printf '%s' "$xml" | "$hook" vm start begin -)
is "$out" "" "other operations untouched"
printf 'rhel6.6.0=pc-i440fx-rhel7.0.0\ncpu:Westmere=Nehalem\n' >"$tmp/map"
cxml="<domain><os><type arch='x86_64' machine='rhel6.6.0'>hvm</type></os><cpu mode='custom'><model fallback='forbid'>Westmere</model></cpu><devices><video><model type='vga'/></video></devices></domain>"
out=$(printf '%s' "$cxml" | "$hook" vm migrate begin -)
is "$?" 0 "a map with a cpu: line: exit 0"
like "$out" "<model fallback='forbid'>Nehalem</model>" "the CPU model mapped"
like "$out" "machine='pc-i440fx-rhel7.0.0'" "and the machine type"
like "$out" "<model type='vga'/>" "a device's <model> untouched"
printf 'cpu:=x\n' >"$tmp/map"
printf '%s' "$cxml" | "$hook" vm migrate begin - >/dev/null 2>&1
is "$?" 1 "an empty CPU model refused"
printf "x;rm -rf /=pc\n" >"$tmp/map"
printf '%s' "$xml" | "$hook" vm migrate begin - >/dev/null 2>&1
is "$?" 1 "hostile map line refused"
NOVA_EVAC_MACHINE_MAP=$top_srcdir/hooks/machine-map out=$(printf '%s' "$cxml" | "$hook" vm migrate begin -)
is "$?:$out" "0:" "the example map (comments only): exit 0, XML unchanged"
NOVA_EVAC_MACHINE_MAP=$tmp/none out=$(printf '%s' "$xml" | "$hook" vm migrate begin -)
is "$out" "" "no map: XML unchanged"
done_testing
