#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Fuzz the parsers briefly (TAP): builds `make fuzz` (clang with libFuzzer,
# ASan, UBSan) and runs, for NOVA_EVAC_FUZZ_SECONDS in all (default 20,
# half each): fuzz-parsers seeded with the sample replies of
# tests/unit/data/os, and fuzz-local (INI, database URL, domain XML,
# journal replay, command line, storage pool and volume XML built and
# parsed) seeded with the samples made below.
# A crash, a leak or a sanitizer report fails; the input that did it is
# kept under tests/fuzz/crashes in the build tree.  CI can call it
# directly: tests/fuzz/run.sh [BUILD-DIR].
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
top_builddir=${1:-$top_builddir}
secs=${NOVA_EVAC_FUZZ_SECONDS:-20}

command -v clang >/dev/null || skip_all "clang not installed (apt-get install clang libclang-rt-14-dev)"
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' >"${TMPDIR:-/tmp}/fz$$.c"
clang -fsanitize=fuzzer -o "${TMPDIR:-/tmp}/fz$$" "${TMPDIR:-/tmp}/fz$$.c" 2>/dev/null ||
    { rm -f "${TMPDIR:-/tmp}/fz$$"*; skip_all "clang has no libFuzzer runtime (apt-get install libclang-rt-14-dev)"; }
rm -f "${TMPDIR:-/tmp}/fz$$"*

run ${MAKE:-make} -s -C "$top_builddir" fuzz
is "$rc" 0 "make fuzz builds the libFuzzer target"
[ "$rc" = 0 ] || { printf '%s\n' "$out" | sed 's/^/# /' | tail -20; done_testing; }

fz=$top_builddir/tests/fuzz
work=$(mktemp -d)
trap 'rm -rf "$work" /tmp/ne-fuzz-journal-*' EXIT
mkdir -p "$fz/crashes" "$work/parsers" "$work/local"
cp "$top_srcdir"/tests/unit/data/os/* "$work/parsers/"
# fuzz-local seeds: the first byte picks the parser (fuzz-local.c)
seed() { { printf "\\$(printf '%03o' "$1")"; printf "$2"; } >"$work/local/$3"; }
seed 0 '[DEFAULT]\ntransport_url: rabbit://u:p@h/\nstate_dir = /var/lib/x\n[database]\nconnection =\n  mysql://a\n\n# c\n[node:n1]\nuri = qemu+tcp://n1/system\n' ini
seed 1 'mysql+pymysql://nova:p%%40ss@[fd00::5]:3306/nova?ssl_mode=REQUIRED&ssl_ca=/ca&charset=utf8' dburl
{ printf '\002'; cat "$top_srcdir/tests/unit/data/domain-nova.xml"; } >"$work/local/domxml"
seed 3 '{"event":"planned","uuid":"00000000-0000-0000-0000-000000000001","dest":"n2"}\n{"event":"migrating","uuid":"00000000-0000-0000-0000-000000000001"}\n{"event":"created","uuid":"u","host":"h","path":"/p","attempt":1}\n{"ev' journal
seed 4 '{"event":"moved","uuid":"00000000-0000-0000-0000-000000000001"}\n\000\000{"event":"fai' journal-file
seed 5 'drain\000node01\000--to\000node02,node03\000-j\0002\000--retries\0001\000--dry-run' cli
seed 6 "nova-evac-0123456789abcdef\000/var/lib/nova/instances/a&b'<c>\000qcow2\000/var/lib/nova/instances/_base/x\"y" storxml-build
seed 7 "<volume type='file'><name>disk</name><target><format type='qcow2'/><timestamps><mtime>1700000000.1</mtime></timestamps></target><backingStore><path>/var/lib/nova/instances/_base/0a1b</path></backingStore></volume>" storxml-vol
{ printf '\010'; cat "$top_srcdir/tests/unit/data/domain-nova.xml"; } >"$work/local/xml-rewrite"
seed 7 "<pool type='dir'><name>p</name><target><path>/var/lib/nova/instances</path><permissions><mode>0755</mode><owner>64055</owner><group>64055</group></permissions></target></pool>" storxml-pool

# -close_fd_mask=2: the parsers' error lines are noise here; libFuzzer keeps
# its own and the sanitizers' reports on a saved descriptor.
half=$(( (secs + 1) / 2 ))
for t in parsers:$half local:$((secs - half)); do
    name=${t%%:*} s=${t#*:}
    "$fz/fuzz-$name" -max_total_time="$s" -close_fd_mask=2 -timeout=10 -rss_limit_mb=1024 \
        -artifact_prefix="$fz/crashes/" -print_final_stats=1 "$work/$name" >"$work/$name.log" 2>&1
    rc=$?
    is "$rc" 0 "fuzz-$name ran ${s}s without a crash, leak or sanitizer report"
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$name.log")
    diag "fuzz-$name: executed ${runs:-?} inputs in ${s}s; corpus grew to $(ls "$work/$name" | wc -l) files"
    ok "fuzz-$name really ran (more than 1000 inputs)" test "${runs:-0}" -gt 1000
    [ "$rc" = 0 ] || { grep -E 'ERROR|SUMMARY|artifact' "$work/$name.log" | sed 's/^/# /' | head -20; }
done
done_testing
