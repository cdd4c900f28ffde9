#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# tests/timing.sh DRIVER ARGS...: run automake's test driver for one test file
# and record how long the file took: a "TIME: FILE N.N s" line on stdout
# (make check's console) and a "# file time: N.N s" line at the end of the
# test's .log, which tests/run collects into its per-file table.
log='' name='' prev=''
for a; do
    case $prev in
        --log-file) log=$a ;;
        --test-name) name=$a ;;
    esac
    prev=$a
done
t0=$(date +%s.%N)
"$@"
rc=$?
t=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
echo "TIME: $name $t s"
[ -n "$log" ] && [ -f "$log" ] && echo "# file time: $t s" >>"$log"
exit $rc
