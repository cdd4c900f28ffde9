#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# bench/stage-base.sh -- staging one base image host to host (issue 6):
#   A  nova-evac images SRC --to DST --base SHA1 --stage   (libvirt streams, sparse;
#      .part + clone inside the destination's libvirtd, so never a partial final file)
#   B  rsync -z between the two node namespaces (over a pipe: lab.sh sh as the rsh);
#      Bz the same with --compress-choice=zlib, the only compressor of rsync < 3.2
#      (the field report's rsync -z), when this rsync has that option
#   N  the raw host-to-host copy of the allocated bytes: bench/extents-copy.py in
#      SRC's namespace sends each data extent (SEEK_DATA/SEEK_HOLE, sendfile) over
#      one TCP connection on the lab link to DST's lab address, where the same
#      script writes it at its offset (holes stay holes); Ns the same followed by
#      sync FILE in DST (A's final clone is fsync'ed)
#   T  the same with common tools: tar --sparse -b 2048 | socat over TCP, tar -x in
#      DST; Ts the same followed by sync FILE
#   C  cp --sparse=always of the file inside DST's namespace (a local raw copy, no
#      network: a reference); Cs the same followed by sync FILE
# on a sparse raw base of --size MiB with --data percent of it random data, the
# rest holes.  Rounds alternate the order (A B C, C B A, ...), each to a fresh
# destination file; every copy is checked (sha256) against the source.
#
#   bench/stage-base.sh [--rounds N] [--size MIB] [--data PCT] [--from node01] [--to node03]
#                       [--rsync-opts '-z'] [--tsv FILE] [--methods 'A B N Ns']
# (--methods: only these rows, e.g. without Bz, which takes minutes)
# Prints each round, then the medians and the ratios (targets: B/A >= 5,
# N/A >= 0.9).  Needs the libvirt lab (tests/lab/lab.sh up 3), rsync and
# socat (tests/lab/deps.sh lab).  Creates only _base/<sha1 of stage-bench-PID> (and
# its copies) and removes them on exit.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
LABSH=$TOP/tests/lab/lab.sh
LAB=${NOVA_EVAC_LAB:-/var/tmp/nova-evac-lab}
ROUNDS=3 SIZE=1024 DATA=50 FROM=node01 TO=node03 RSYNC_OPTS=-z TSV="" ONLY=""
while [ $# -gt 0 ]; do
    case $1 in
    --rounds) ROUNDS=$2; shift ;;
    --size) SIZE=$2; shift ;;
    --data) DATA=$2; shift ;;
    --from) FROM=$2; shift ;;
    --to) TO=$2; shift ;;
    --rsync-opts) RSYNC_OPTS=$2; shift ;;
    --tsv) TSV=$2; shift ;;
    --methods) ONLY=$2; shift ;;
    *) echo "usage: $0 [--rounds N] [--size MIB] [--data PCT] [--from N] [--to N] [--rsync-opts O] [--tsv F] [--methods 'A B N Ns ...']" >&2; exit 2 ;;
    esac
    shift
done
for c in rsync socat tar; do
    command -v $c >/dev/null || { echo "stage-base: $c is missing (tests/lab/deps.sh lab)" >&2; exit 77; }
done
[ -f "$LAB/env" ] || { echo "stage-base: the lab is not up (tests/lab/lab.sh up 3)" >&2; exit 77; }
export NOVA_EVAC_CONFIG=$LAB/nova-evac.conf
# shellcheck disable=SC1091
. "$LAB/env"
to_ip=$(eval echo "\${$(echo "$TO" | tr a-z A-Z)_IP}")
[ -n "$to_ip" ] || { echo "stage-base: no lab address for $TO" >&2; exit 2; }
PORT=$((17000 + $$ % 1000))
if [ -z "${NOVA_EVAC:-}" ]; then
    "$TOP/tests/build.sh" "$TOP/_build" >/dev/null
    NOVA_EVAC=$TOP/_build/src/nova-evac
fi

sha=$(printf 'stage-bench-%s' $$ | sha1sum | cut -c1-40)
src=$LAB/lab/$FROM/instances/_base/$sha
dst=$LAB/lab/$TO/instances/_base/$sha
rsh=$(mktemp)
tmp=$(mktemp -d)
cleanup() { rm -f "$src" "$dst" "$dst.nova-evac-part" "$dst.rsync" "$rsh"; rm -rf "$tmp"; }
trap cleanup EXIT
# rsync's remote shell: "RSH HOST CMD..." runs CMD in that node's namespaces
printf '#!/bin/sh\nh=$1; shift; exec %s sh "$h" "$@"\n' "$LABSH" >"$rsh"
chmod +x "$rsh"

# The base: SIZE MiB, DATA% random in 1 MiB extents spread evenly, the rest holes.
truncate -s "${SIZE}M" "$src"
python3 - "$src" "$SIZE" "$DATA" <<'EOF'
import os, sys
f, size, pct = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
fd = os.open(f, os.O_WRONLY)
n = size * pct // 100
for i in range(n):
    os.pwrite(fd, os.urandom(1 << 20), (i * size // n) << 20)
os.close(fd)
EOF
want=$(sha256sum "$src" | cut -c1-64)
alloc=$(du -B1M "$src" | cut -f1)
echo "# base _base/$sha on $FROM: ${SIZE} MiB, ${alloc} MiB allocated (random), to $TO"
ZLIB=no
rsync --help 2>&1 | grep -q -- --compress-choice && ZLIB=yes
echo "# $(rsync --version | head -1)"
echo "# rows: A nova-evac --stage | B rsync $RSYNC_OPTS$([ $ZLIB = yes ] && echo " | Bz rsync $RSYNC_OPTS --compress-choice=zlib") (lab.sh sh as rsh) | N extents-copy.py TCP $FROM -> $TO ($to_ip:$PORT) | Ns N + sync | T tar --sparse | socat | Ts T + sync | C local cp --sparse=always in $TO | Cs C + sync"

now() { date +%s.%N; }
el() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.3f", b-a}'; }
fresh() { rm -f "$dst" "$dst.nova-evac-part" "$dst.rsync"; sync -f "$(dirname "$dst")" 2>/dev/null || true; }
check() { [ "$(sha256sum "$1" | cut -c1-64)" = "$want" ] || { echo "stage-base: $2 produced a different file" >&2; exit 1; }; }

run_A() {
    local t0 j
    t0=$(now)
    "$NOVA_EVAC" -q --format json images "$FROM" --to "$TO" --base "$sha" --stage --no-openstack \
        >"$tmp/a.json" 2>"$tmp/a.err" || { cat "$tmp/a.err" >&2; exit 1; }
    T=$(el "$t0")
    check "$dst" nova-evac
    EXTRA=$(jq -r '.bases[0].destinations[0] |
        "stream \(.stream_seconds * 100 | round / 100) s, clone \(.clone_seconds * 100 | round / 100) s, reflink \(.reflink)"' \
        "$tmp/a.json")
}
rsync_to() {
    local t0
    t0=$(now)
    "$LABSH" sh "$TO" rsync "$@" --rsh="$rsh" "$FROM:$LAB/instances/_base/$sha" \
        "$LAB/instances/_base/$sha.rsync" 2>"$tmp/b.err" || { cat "$tmp/b.err" >&2; exit 1; }
    T=$(el "$t0")
    check "$dst.rsync" rsync
    EXTRA="dest $(du -B1M "$dst.rsync" | cut -f1) MiB allocated"
}
# shellcheck disable=SC2086
run_B() { rsync_to $RSYNC_OPTS; }
# shellcheck disable=SC2086
run_Bz() { rsync_to $RSYNC_OPTS --compress-choice=zlib; }
cp_to() {
    local t0
    t0=$(now)
    "$LABSH" sh "$TO" cp --sparse=always "$src" "$LAB/instances/_base/$sha"
    [ "${1:-}" != sync ] || "$LABSH" sh "$TO" sync "$LAB/instances/_base/$sha"
    T=$(el "$t0")
    check "$dst" cp
    EXTRA="dest $(du -B1M "$dst" | cut -f1) MiB allocated"
}
# The receivers listen in TO's namespace, the senders retry until they are
# there; the clock covers both (as A's covers its connections).
ext_to() {
    local t0 rp
    t0=$(now)
    "$LABSH" sh "$TO" python3 "$HERE/extents-copy.py" recv "$LAB/instances/_base/$sha" "$PORT" \
        2>"$tmp/n.err" &
    rp=$!
    "$LABSH" sh "$FROM" python3 "$HERE/extents-copy.py" send "$LAB/instances/_base/$sha" \
        "$to_ip" "$PORT" 2>>"$tmp/n.err" || { cat "$tmp/n.err" >&2; exit 1; }
    wait $rp || { cat "$tmp/n.err" >&2; exit 1; }
    [ "${1:-}" != sync ] || "$LABSH" sh "$TO" sync "$LAB/instances/_base/$sha"
    T=$(el "$t0")
    check "$dst" extents-copy
    EXTRA="dest $(du -B1M "$dst" | cut -f1) MiB allocated"
}
run_N() { ext_to; }
run_Ns() { ext_to sync; }
tar_to() {
    local t0 rp
    t0=$(now)
    "$LABSH" sh "$TO" sh -c "socat -u TCP-LISTEN:$PORT,reuseaddr - | tar -b 2048 -xf - -C '$LAB/instances/_base'" \
        2>"$tmp/n.err" &
    rp=$!
    "$LABSH" sh "$FROM" sh -c "tar --sparse -b 2048 -cf - -C '$LAB/instances/_base' '$sha' |
        socat -u - TCP:$to_ip:$PORT,retry=100,interval=0.05" 2>>"$tmp/n.err" ||
        { cat "$tmp/n.err" >&2; exit 1; }
    wait $rp || { cat "$tmp/n.err" >&2; exit 1; }
    [ "${1:-}" != sync ] || "$LABSH" sh "$TO" sync "$LAB/instances/_base/$sha"
    T=$(el "$t0")
    check "$dst" "tar | socat"
    EXTRA="dest $(du -B1M "$dst" | cut -f1) MiB allocated"
}
run_T() { tar_to; }
run_Ts() { tar_to sync; }
run_C() { cp_to; }
run_Cs() { cp_to sync; }

declare -A times rt
[ -z "$TSV" ] || printf 'round\tmethod\tseconds\n' >"$TSV"
methods="A B$([ $ZLIB = yes ] && echo " Bz") N Ns T Ts C Cs"
[ -z "$ONLY" ] || methods=$ONLY
for m in $methods; do declare -F "run_$m" >/dev/null || { echo "stage-base: no method $m" >&2; exit 2; }; done
echo "# rows run: $methods"
for r in $(seq 1 "$ROUNDS"); do
    if [ $((r % 2)) = 1 ]; then order=$methods; else order=$(printf '%s\n' $methods | tac | xargs); fi
    for m in $order; do
        fresh
        run_$m
        times[$m]="${times[$m]:-} $T"
        rt[$r.$m]=$T
        printf 'round %d  %-2s  %8.3f s  (%s)\n' "$r" "$m" "$T" "$EXTRA"
        [ -z "$TSV" ] || printf '%d\t%s\t%s\n' "$r" "$m" "$T" >>"$TSV"
    done
done
med() { [ -n "$1" ] || { echo 0; return; }; printf '%s\n' $1 | sort -g | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
declare -A M
line="# medians over $ROUNDS rounds:"
for m in $methods; do
    M[$m]=$(med "${times[$m]}")
    line="$line $m ${M[$m]} s |"
done
echo "${line% |}  (A nova-evac, B rsync $RSYNC_OPTS, Bz rsync zlib, N extents, Ns N+sync, T tar|socat, Ts T+sync, C local cp, Cs C+sync)"
# The ratios: X/A for every other method (how many times A's speed; targets:
# B/A >= 5, N/A and Ns/A >= 0.9).
if [ -n "${M[A]:-}" ]; then
    line="# ratios to A:"
    for m in $methods; do
        [ "$m" = A ] || line="$line $m/A $(awk -v x="${M[$m]}" -v a="${M[A]}" 'BEGIN{printf "%.2f", x / a}') |"
    done
    echo "${line% |}  (targets: B/A >= 5, N/A >= 0.9)"
    # The same ratio round by round (both in the same minute), then its median:
    # steadier than a ratio of medians when the machine's load drifts.
    line="# per-round ratios, median:"
    for m in $methods; do
        [ "$m" != A ] || continue
        rs=""
        for r in $(seq 1 "$ROUNDS"); do
            rs="$rs $(awk -v x="${rt[$r.$m]}" -v a="${rt[$r.A]}" 'BEGIN{printf "%.3f", x / a}')"
        done
        line="$line $m/A $(printf '%.2f' "$(med "$rs")") |"
    done
    echo "${line% |}"
    awk -v a="${M[A]}" -v mib="$alloc" 'BEGIN{printf "# A moves %.0f MiB/s of data\n", mib / a}'
fi
