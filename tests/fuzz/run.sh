#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Fuzz the reply parsers briefly (TAP): builds `make fuzz` (clang with
# libFuzzer, ASan, UBSan), seeds it with the sample replies of
# tests/unit/data/os and runs it for NOVA_EVAC_FUZZ_SECONDS (default 20).
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
trap 'rm -rf "$work"' EXIT
mkdir -p "$fz/crashes" "$work/corpus"
cp "$top_srcdir"/tests/unit/data/os/* "$work/corpus/"
# -close_fd_mask=2: the parsers' error lines are noise here; libFuzzer keeps
# its own and the sanitizers' reports on a saved descriptor.
"$fz/fuzz-parsers" -max_total_time="$secs" -close_fd_mask=2 -timeout=10 -rss_limit_mb=1024 \
    -artifact_prefix="$fz/crashes/" -print_final_stats=1 "$work/corpus" >"$work/log" 2>&1
rc=$?
is "$rc" 0 "fuzz-parsers ran ${secs}s without a crash, leak or sanitizer report"
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
diag "executed ${runs:-?} inputs in ${secs}s; corpus grew to $(ls "$work/corpus" | wc -l) files"
ok "the fuzzer really ran (more than 1000 inputs)" test "${runs:-0}" -gt 1000
[ "$rc" = 0 ] || { grep -E 'ERROR|SUMMARY|artifact' "$work/log" | sed 's/^/# /' | head -20; }
done_testing
