#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# bench/plan-scale.sh -- the fleet planner (src/model/fleet.h) at scale, by
# simulation (issue 17): bench/plan-scale (built by make) builds a synthetic
# fleet of N computes with 30 instances each (flavors 1-8 VCPU / 2-16 GiB,
# four availability zones, one server group per 25 instances of every
# policy, about 1% of the computes disabled and 1% down) and plans emptying
# every 5th compute in waves (wave size: a tenth of the sources), timing
# the plan alone.  Each size runs in its own process, so its peak RSS is
# its own; each size runs --rounds times and the median is printed.
#
#   bench/plan-scale.sh [--sizes '100 1000 5000'] [--rounds 3] [--per 30]
#                       [--drain 5] [--tsv FILE]
#
# Prints one row per size, then each size's time and memory as a ratio to
# the smallest size's from the same run (how they grow), and the targets
# at 1,000 computes / 30,000 instances: plan under 2 s, peak RSS under
# 200 MiB.  Touches no lab and no system: it only computes.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${PLAN_SCALE:-}
SIZES="100 1000 5000" ROUNDS=3 PER=30 DRAIN=5 TSV=
while [ $# -gt 0 ]; do
    case $1 in
    --sizes) SIZES=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --per) PER=$2; shift 2 ;;
    --drain) DRAIN=$2; shift 2 ;;
    --tsv) TSV=$2; shift 2 ;;
    *) echo "usage: $0 [--sizes 'N...'] [--rounds N] [--per N] [--drain N] [--tsv FILE]" >&2
       exit 2 ;;
    esac
done
if [ -z "$BIN" ]; then
    for b in "${top_builddir:-}/bench/plan-scale" "$HERE/plan-scale" ./bench/plan-scale; do
        [ -x "$b" ] && { BIN=$b; break; }
    done
fi
if [ -z "$BIN" ] || [ ! -x "$BIN" ]; then
    echo "plan-scale.sh: build bench/plan-scale first (make), or set PLAN_SCALE=path" >&2
    exit 2
fi

median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) CPUs; $BIN"
printf '%-7s %-9s %-7s %-7s %-5s %-8s %-7s %-8s %-9s\n' hosts instances groups sources waves \
    moved refused plan_s maxrss_MiB
[ -n "$TSV" ] && printf 'hosts\tinstances\tgroups\tsources\twaves\tmoved\trefused\tplan_s\tmaxrss_kib\n' >"$TSV"
base_t='' base_m='' base_n=''
declare -A T M
for n in $SIZES; do
    times='' rss='' line=''
    for _ in $(seq "$ROUNDS"); do
        line=$("$BIN" "$n" "$PER" "$DRAIN")
        read -ra f <<<"$line"
        times="$times${f[8]}"$'\n'
        rss="$rss${f[9]}"$'\n'
    done
    t=$(printf %s "$times" | median)
    m=$(printf %s "$rss" | median)
    read -ra f <<<"$line"
    set -- "${f[@]}"
    printf '%-7s %-9s %-7s %-7s %-5s %-8s %-7s %-8s %-9s\n' "$1" "$2" "$3" "$4" "$5" "$6" "$7" \
        "$t" "$(awk -v k="$m" 'BEGIN {printf "%.1f", k / 1024}')"
    [ -n "$TSV" ] && printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$6" \
        "$7" "$t" "$m" >>"$TSV"
    T[$n]=$t M[$n]=$m
    [ -z "$base_t" ] && base_t=$t base_m=$m base_n=$n
done
echo
echo "# growth against $base_n hosts in this run (time, peak RSS):"
for n in $SIZES; do
    awk -v n="$n" -v b="$base_n" -v t="${T[$n]}" -v bt="$base_t" -v m="${M[$n]}" -v bm="$base_m" \
        'BEGIN {printf "%6d hosts: time x%.1f (%.3f s / %.3f s), RSS x%.1f, hosts x%.0f\n",
                n, (bt > 0 ? t / bt : 0), t, bt, m / bm, n / b}'
done
if [ -n "${T[1000]:-}" ]; then
    awk -v t="${T[1000]}" -v m="${M[1000]}" 'BEGIN {
        printf "# target at 1000 hosts: plan %.3f s (< 2 s: %s), peak RSS %.1f MiB (< 200 MiB: %s)\n",
               t, t < 2 ? "met" : "MISSED", m / 1024, m / 1024 < 200 ? "met" : "MISSED" }'
fi
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
