#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# bench/block-migrate.sh -- bytes moved and time of a live block migration, on the libvirt lab:
#   A  nova-evac migrate      live-block: NON_SHARED_INC + migrate_disks=[vda]; the base image is
#                             pre-staged on the destination, so only the qcow2 overlay is copied
#   B  virsh migrate --live --p2p --copy-storage-all --persistent --undefinesource --unsafe
#                             full copy: libvirt pre-creates a standalone qcow2 on the destination
#                             (in a dir pool made for the instance directory) and copies the whole chain
# Each round makes one fresh guest per method on FROM (same base image, same dirty overlay, busy
# writer MBR), waits until the guest writes to vda, migrates it to TO, records the figures and removes
# the guest.  Rounds alternate the order (A B, B A, ...).  Nothing that exists already is touched.
#
# Usage: bench/block-migrate.sh [--rounds N] [--base-mib M] [--data-mib M] [--dirty-mib M]
#                               [--mem-mib M] [--from NODE] [--to NODE] [--tsv FILE]
#   --rounds     rounds, each one A and one B migration (default 5)
#   --base-mib   virtual size of the raw base image (default 512)
#   --data-mib   pseudo-random data written into the base from 8 MiB on (default 384; the rest is zero)
#   --dirty-mib  MiB written into the overlay from 8 MiB on (lab.sh guest --dirty; default 32)
#   --mem-mib    guest RAM (default 96)
#   --from/--to  source and destination lab nodes (default node02 -> node03)
#   --tsv FILE   also write the raw per-migration figures there
# Environment: NOVA_EVAC (binary; default: tests/build.sh _build, then _build/src/nova-evac),
#              NOVA_EVAC_LAB (lab root, default /var/tmp/nova-evac-lab).
# Needs root and the lab (started here with `tests/lab/lab.sh up 3`, which is idempotent).
#
# Figures (per migration):
#   wall     whole command, process start to exit (A: connect, plan, base check, overlay pre-creation,
#            migration, verification; B: connect and migration; B's dir pool is made before the clock)
#   job      time_elapsed of the migration job, from libvirt's JOB_COMPLETED event on the source
#   disk     disk_processed of that job (NBD mirror; counts zero areas of the copied disk as processed)
#   data     data_processed of that job (memory + disk)
#   wire     bytes the source's lab link sent while the command ran (rx counter of its veth in the
#            hub namespace; includes libvirt RPC and any other traffic from that node at that time)
#   dest     blocks allocated by the disk file on the destination right after the migration (B: the
#            standalone qcow2 libvirt made there ends up with the whole virtual size allocated, zero areas
#            included, although those areas are not sent as data: space taken, not bytes moved)
# For A, disk/data are read from nova-evac's own JSON (disk_bytes, data_bytes), and the event seen by
# a `virsh event` listener on the source is checked against them.  For B they come from that listener
# (with --undefinesource `domjobinfo --completed` has nothing left to ask on the source, and the
# destination's completed job has memory figures only).
set -eu
export LC_ALL=C

top=$(cd "$(dirname "$0")/.." && pwd)
LABSH=$top/tests/lab/lab.sh
: "${NOVA_EVAC_LAB:=/var/tmp/nova-evac-lab}"
export NOVA_EVAC_LAB
LAB=$NOVA_EVAC_LAB
PROG=block-migrate.sh

ROUNDS=5 BASE_MIB=512 DATA_MIB=384 DIRTY_MIB=32 MEM_MIB=96 FROM=node02 TO=node03 TSV=""
die() { echo "$PROG: error: $*" >&2; exit 1; }
say() { echo "$PROG: $*" >&2; }
usage() { awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$0" >&2; exit 2; }
num() { case $2 in ''|*[!0-9]*) die "$1 wants a number, not '$2'" ;; esac; echo "$2"; }
while [ $# -gt 0 ]; do
    [ $# -ge 2 ] || case $1 in -h|--help) usage ;; *) die "$1 needs a value (or unknown option)" ;; esac
    case $1 in
        --rounds) ROUNDS=$(num "$1" "$2") ;;
        --base-mib) BASE_MIB=$(num "$1" "$2") ;;
        --data-mib) DATA_MIB=$(num "$1" "$2") ;;
        --dirty-mib) DIRTY_MIB=$(num "$1" "$2") ;;
        --mem-mib) MEM_MIB=$(num "$1" "$2") ;;
        --from) FROM=$2 ;;
        --to) TO=$2 ;;
        --tsv) TSV=$2 ;;
        *) usage ;;
    esac
    shift 2
done
[ "$ROUNDS" -ge 1 ] || die "--rounds must be at least 1"
[ $((8 + DATA_MIB)) -le "$BASE_MIB" ] || die "--data-mib $DATA_MIB does not fit a $BASE_MIB MiB base (data starts at 8 MiB)"
[ $((8 + DIRTY_MIB)) -le "$BASE_MIB" ] || die "--dirty-mib $DIRTY_MIB does not fit a $BASE_MIB MiB base"
[ "$FROM" != "$TO" ] || die "--from and --to are the same node"
[ "$(id -u)" = 0 ] || die "must run as root (the lab needs it)"
for t in virsh jq awk openssl ip du; do command -v $t >/dev/null || die "'$t' not found (tests/lab/deps.sh lab)"; done

# ---------------------------------------------------------------- binary and lab
if [ -z "${NOVA_EVAC:-}" ]; then
    say "NOVA_EVAC not set: building with tests/build.sh into $top/_build"
    "$top/tests/build.sh" "$top/_build" >&2
    NOVA_EVAC=$top/_build/src/nova-evac
fi
[ -x "$NOVA_EVAC" ] || die "$NOVA_EVAC is not an executable (set NOVA_EVAC)"
"$LABSH" up 3 >&2
# shellcheck disable=SC1091
. "$LAB/env"
export NOVA_EVAC_CONFIG=$LAB/nova-evac.conf
HUB=$("$LABSH" status 2>/dev/null | sed -n 's/^hub: \([^ ]*\) .*/\1/p')
SRC_URI=$("$LABSH" uri "$FROM") DST_URI=$("$LABSH" uri "$TO")
DST_PEER=$(grep -A3 "^\[node:$TO\]" "$NOVA_EVAC_CONFIG" | sed -n 's/^peer_uri *= *//p' | head -1)
[ -n "$DST_PEER" ] || die "no peer_uri for $TO in $NOVA_EVAC_CONFIG"
for n in "$FROM" "$TO"; do
    timeout 10 virsh -q -c "$("$LABSH" uri "$n")" version >/dev/null 2>&1 || die "lab node $n is not answering"
done

# ---------------------------------------------------------------- what this run creates
ID=bench-bm-$$
SHA=$(printf %s "$ID" | sha1sum | cut -c1-40)
WORK=$(mktemp -d "/tmp/$ID.XXXXXX")
GUESTS=() UUIDS=() POOLS=() EVPID=""
vsh() { virsh -q -c "$1" "${@:2}"; }
node_path() { printf '%s/lab/%s/instances/%s' "$LAB" "$1" "$2"; }   # host view of a node's file
cleanup() {
    local g u p n
    [ -z "$EVPID" ] || kill "$EVPID" 2>/dev/null || true
    for g in "${GUESTS[@]}"; do
        for n in "$SRC_URI" "$DST_URI"; do
            vsh "$n" destroy "$g" >/dev/null 2>&1 || true
            vsh "$n" undefine "$g" >/dev/null 2>&1 || true
        done
    done
    for p in "${POOLS[@]}"; do vsh "$DST_URI" pool-destroy "$p" >/dev/null 2>&1 || true; done
    for u in "${UUIDS[@]}"; do rm -rf "$(node_path "$FROM" "$u")" "$(node_path "$TO" "$u")"; done
    rm -f "$(node_path "$FROM" "_base/$SHA")" "$(node_path "$TO" "_base/$SHA")" "$LAB/images/$SHA"-*
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- base image with data
# lab.sh makes the raw base (writer MBR in sector 0) on both nodes; then DATA_MIB of pseudo-random
# bytes go in from 8 MiB on, the same on both nodes (the destination copy is the "pre-staged" base).
"$LABSH" base "$ID" --writer --size "${BASE_MIB}M" "$FROM" "$TO" >&2
srcbase=$(node_path "$FROM" "_base/$SHA") dstbase=$(node_path "$TO" "_base/$SHA")
openssl enc -aes-128-ctr -nosalt -pbkdf2 -pass "pass:$ID" </dev/zero 2>/dev/null |
    head -c $((DATA_MIB * 1048576)) | dd of="$srcbase" bs=1M seek=8 conv=notrunc status=none
cp --sparse=always "$srcbase" "$dstbase.tmp" && mv -f "$dstbase.tmp" "$dstbase"
cmp -s "$srcbase" "$dstbase" || die "base copies differ"
say "base _base/$SHA: $BASE_MIB MiB virtual, $(($(du -B1 "$srcbase" | cut -f1) / 1048576)) MiB allocated, on $FROM and $TO"

# ---------------------------------------------------------------- helpers
now() { date +%s.%N; }
wire_tx() {   # bytes sent so far by node $1 (rx of its hub-side veth)
    ip -n "$HUB" -s -j link show "v$1" 2>/dev/null | jq -r '.[0].stats64.rx.bytes // empty'
}
wr_req() { vsh "$SRC_URI" domblkstat "$1" vda 2>/dev/null | awk '$2 == "wr_req" { print $3 }'; }
ev() { awk -v k="$2" '{ sub(/^[ \t]+/, "") } $1 == k ":" { print $2; exit }' "$1"; }
alloc() { [ -e "$1" ] && du -B1 "$1" | cut -f1 || echo -; }

# make_guest METHOD ROUND -> sets NAME UUID; fresh guest on FROM, writing to vda
make_guest() {
    NAME=bm-$$-r$2-$1 UUID=$(cat /proc/sys/kernel/random/uuid)
    GUESTS+=("$NAME") UUIDS+=("$UUID")
    "$LABSH" guest "$FROM" "$NAME" "$UUID" --image "$ID" --dirty "$DIRTY_MIB" --mem "$MEM_MIB" >"$WORK/guest.log" 2>&1 ||
        { cat "$WORK/guest.log" >&2; die "lab.sh guest $NAME failed"; }
    local _ w
    for _ in $(seq 1 120); do
        w=$(wr_req "$NAME"); [ "${w:-0}" -gt 20 ] && return 0
        sleep 0.5
    done
    say "note: $NAME's writer did not start within 60 s (SeaBIOS); migrating it anyway"
}

# migrate_one METHOD ROUND: one migration; appends a TSV row to $WORK/rows
migrate_one() {
    local m=$1 r=$2 t0 t1 w0 w1 rc=0 out
    out=$WORK/$m-$r
    make_guest "$m" "$r"
    if [ "$m" = B ]; then
        mkdir -p "$(node_path "$TO" "$UUID")"
        POOLS+=("bm-$UUID")
        vsh "$DST_URI" pool-create-as "bm-$UUID" dir --target "$LAB/instances/$UUID" >/dev/null ||
            die "pool-create-as on $TO failed"
    fi
    virsh -c "$SRC_URI" event --domain "$NAME" --event job-completed --timeout 600 >"$out.ev" 2>&1 &
    EVPID=$!
    sleep 1   # let the listener register before the job starts
    w0=$(wire_tx "$FROM"); t0=$(now)
    if [ "$m" = A ]; then
        "$NOVA_EVAC" --format json migrate "$NAME" --from "$FROM" --to "$TO" >"$out.json" 2>"$out.err" || rc=$?
    else
        virsh -c "$SRC_URI" migrate --live --p2p --copy-storage-all --persistent --undefinesource --unsafe \
            "$NAME" "$DST_PEER" >"$out.err" 2>&1 || rc=$?
    fi
    t1=$(now); w1=$(wire_tx "$FROM")
    local _; for _ in $(seq 1 50); do kill -0 "$EVPID" 2>/dev/null || break; sleep 0.1; done
    kill "$EVPID" 2>/dev/null || true; wait "$EVPID" 2>/dev/null || true; EVPID=""
    if [ "$rc" != 0 ]; then cat "$out.err" >&2; die "round $r $m: migration of $NAME failed (exit $rc)"; fi
    local job down disk data evdisk dest wire
    job=$(ev "$out.ev" time_elapsed) down=$(ev "$out.ev" downtime)
    evdisk=$(ev "$out.ev" disk_processed) disk=$evdisk data=$(ev "$out.ev" data_processed)
    if [ "$m" = A ]; then
        [ "$(jq -r '.moved and .method == "live-block"' "$out.json")" = true ] ||
            { cat "$out.json" "$out.err" >&2; die "round $r A: nova-evac did not do a live-block migration"; }
        disk=$(jq -r .disk_bytes "$out.json") data=$(jq -r .data_bytes "$out.json")
        down=$(jq -r .downtime_ms "$out.json")
        [ -z "$evdisk" ] || [ "$evdisk" = "$disk" ] ||
            say "note: round $r A: nova-evac disk_bytes $disk, source event disk_processed $evdisk"
    fi
    dest=$(alloc "$(node_path "$TO" "$UUID")/disk")
    wire=-; [ -z "$w0" ] || [ -z "$w1" ] || wire=$((w1 - w0))
    vsh "$DST_URI" domstate "$NAME" 2>/dev/null | grep -qx running || die "round $r $m: $NAME is not running on $TO"
    printf '%s\t%s\t%.3f\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$m" \
        "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" "${job:--}" "${down:--}" \
        "${disk:--}" "${data:--}" "$wire" "$dest" >>"$WORK/rows"
    say "round $r $m: $(tail -1 "$WORK/rows" | awk -F'\t' '{ printf "wall %.2f s, disk %.1f MiB, wire %.1f MiB", $3, $6 / 1048576, $8 / 1048576 }')"
    # remove the guest now: the next migration runs alone
    vsh "$DST_URI" destroy "$NAME" >/dev/null 2>&1 || true
    vsh "$DST_URI" undefine "$NAME" >/dev/null 2>&1 || true
    [ "$m" = A ] || vsh "$DST_URI" pool-destroy "bm-$UUID" >/dev/null 2>&1 || true
    rm -rf "$(node_path "$FROM" "$UUID")" "$(node_path "$TO" "$UUID")"
}

# ---------------------------------------------------------------- run
say "$ROUNDS rounds, $FROM -> $TO, guest ${MEM_MIB} MiB RAM [$VIRT_TYPE], base $BASE_MIB MiB ($DATA_MIB MiB data), overlay $DIRTY_MIB MiB dirty"
: >"$WORK/rows"
for r in $(seq 1 "$ROUNDS"); do
    if [ $((r % 2)) = 1 ]; then migrate_one A "$r"; migrate_one B "$r"
    else migrate_one B "$r"; migrate_one A "$r"; fi
done
[ -z "$TSV" ] || { printf 'round\tmethod\twall_s\tjob_ms\tdowntime_ms\tdisk_bytes\tdata_bytes\twire_bytes\tdest_alloc_bytes\n'; cat "$WORK/rows"; } >"$TSV"

# ---------------------------------------------------------------- report
awk -F'\t' -v rounds="$ROUNDS" '
function mib(x) { return x == "-" ? "-" : sprintf("%.1f", x / 1048576) }
function med(a, n,   i, j, t) {   # median of a[1..n] (sorted in place)
    for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return n == 0 ? "-" : (n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2)
}
function median(m, f,   r, n, a) { n = 0; for (r = 1; r <= rounds; r++) if (v[r, m, f] != "-") a[++n] = v[r, m, f]; return med(a, n) }
function ratio(f,   r, n, a) {
    n = 0
    for (r = 1; r <= rounds; r++) if (v[r, "A", f] != "-" && v[r, "B", f] != "-" && v[r, "B", f] > 0) a[++n] = v[r, "A", f] / v[r, "B", f]
    return med(a, n)
}
function inv(x) { return x == "-" || x == 0 ? "-" : sprintf("%.1fx", 1 / x) }
function fmt(f, x) { return x == "-" ? "-" : (f == 3 ? sprintf("%.2f", x) : f <= 5 ? sprintf("%d", x) : mib(x)) }
{ for (f = 3; f <= 9; f++) v[$1, $2, f] = $f }
END {
    split("wall_s job_ms downtime_ms disk_MiB data_MiB wire_MiB dest_MiB", h, " ")
    printf "%-6s %-10s", "round", "method"; for (f = 3; f <= 9; f++) printf " %11s", h[f - 2]; printf "\n"
    for (r = 1; r <= rounds; r++) for (k = 1; k <= 2; k++) {
        m = k == 1 ? "A" : "B"
        printf "%-6s %-10s", r, m == "A" ? "A nova-evac" : "B virsh"
        for (f = 3; f <= 9; f++) printf " %11s", fmt(f, v[r, m, f]); printf "\n"
    }
    for (k = 1; k <= 2; k++) {
        m = k == 1 ? "A" : "B"
        printf "%-6s %-10s", "median", m == "A" ? "A nova-evac" : "B virsh"
        for (f = 3; f <= 9; f++) printf " %11s", fmt(f, median(m, f)); printf "\n"
    }
    printf "%-17s", "ratio A/B"
    for (f = 3; f <= 9; f++) { x = ratio(f); printf " %11s", x == "-" ? "-" : sprintf("%.3f", x) }
    printf "\n(ratio A/B: median over the rounds of the per-round ratio; B/A = how many times more B takes)\n"
    printf "B/A:      wall %s, job %s, disk %s, data %s, wire %s, dest %s\n", \
        inv(ratio(3)), inv(ratio(4)), inv(ratio(6)), inv(ratio(7)), inv(ratio(8)), inv(ratio(9))
}' "$WORK/rows"
