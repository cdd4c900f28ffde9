#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# bench/drain.sh -- makespan of emptying a node of N instances, on the libvirt lab:
#   A<j>  nova-evac --format json drain FROM --to TO1,TO2 --max-parallel j [--max-per-dest p]
#         (live block migrations, NON_SHARED_INC: the bases are pre-staged everywhere, only the
#         overlays and the RAM travel; up to j at once, p per destination; without p nova-evac
#         spreads j over the two destinations, rounded up: the limits in force are printed);
#         j = auto is nova-evac's default (-j auto: the limit adapts, each change printed)
#   B     a serial loop of virsh migrate --live --p2p --copy-storage-all --persistent
#         --undefinesource --unsafe, destinations alternating TO1, TO2, TO1, ... (full copy of
#         each disk chain, base included; a dir pool for each instance directory is made on its
#         destination before the clock starts, since libvirt
#         pre-creates the disks of a block migration only inside a storage pool)
# Each round, for each method: makes N fresh guests on FROM (same mix every time), waits until the
# busy ones write to vda, measures the lab link (see "link" below), empties FROM with that method,
# records time and bytes, and removes the guests.  The method order rotates every round.
#
# Usage: bench/drain.sh [--rounds N] [--instances N] [--drains LIST] [--bases LIST]
#                       [--dirty LIST] [--mem-mib M] [--from NODE] [--to NODE,NODE]
#                       [--link-mib M] [--tsv FILE] [--logs DIR] [--keep-lab]
#   --rounds     rounds (default 3)
#   --instances  guests per method and round (default 12)
#   --drains     nova-evac variants, max-parallel[/max-per-dest] each, max-parallel a number or
#                auto (default "1 4 auto"); with auto and fixed ones, the report compares auto
#                with the best fixed one (target: within 15%) and with the loop (target <= 0.35)
#   --bases      base images, SIZE_MiB:DATA_MiB:w|- each, w = busy-writer MBR (default
#                "512:416:w 384:320:w 256:224:-"); guest i uses base i mod (count)
#   --dirty      MiB written into guest i's overlay, i mod (count) (default "4 8 16 24 32 48")
#   --mem-mib    guest RAM (default 96)
#   --from/--to  source node and the two destinations (default node02, node01,node03)
#   --link-mib   MiB per stream of the link measurement (default 384)
#   --tsv FILE   also write the raw per-method figures there
#   --logs DIR   keep each method's raw output there (nova-evac's JSON events with arrival times,
#                its stderr, the listener's events, the virsh loop's per-migration end times)
#   --keep-lab   do not stop the lab at the end even if this script started it
# Environment: NOVA_EVAC (binary; default: tests/build.sh _build, then _build/src/nova-evac),
#   NOVA_EVAC_LAB and NOVA_EVAC_LAB_PREFIX (lab root and netns prefix; default: the default lab,
#   /var/tmp/nova-evac-lab and nel).  A drain moves EVERY domain of FROM, so the script refuses to
#   run a drain while FROM holds a domain it did not make: use a private lab, e.g.
#   NOVA_EVAC_LAB=/var/tmp/nel-bench NOVA_EVAC_LAB_PREFIX=nelb bench/drain.sh
#   It runs `tests/lab/lab.sh up 3` (idempotent) and stops the lab on exit only if it started it and
#   it is not the default lab.  nova-evac runs with a copy of $NOVA_EVAC_LAB/nova-evac.conf whose
#   state_dir is private to the run.  Needs root.
#
# Figures (per method and round):
#   wall     makespan: A the whole nova-evac process (plan + drain + summary), B the whole loop
#   run      A: the drain itself, the "seconds" of nova-evac's finish event (wall minus planning)
#   conc     A: sum of the per-instance "seconds" of the moved events / run (migrations in flight
#            on average); B: 1
#   disk     disk bytes the migration jobs processed: A the sum of disk_bytes of nova-evac's moved
#            events (checked against the listener below), B the sum of the JOB_COMPLETED events'
#            disk_processed, from a `virsh event --event job-completed --loop` listener on FROM
#   data     memory + disk bytes of the jobs (A data_bytes, B data_processed), same sources
#   wire     bytes FROM sent on its lab link while the method ran (rx counter of its veth in the hub
#            namespace, `ip -n HUB -s -j link show vFROM`; libvirt RPC included; private lab: nothing
#            else runs there)
#   link     the lab link speed, measured just before each method's clock starts (after its guests
#            are up, so under the same load): dd if=/dev/zero bs=1M piped
#            into socat, from FROM's namespace to a socat listener in a destination's namespace
#            (receiver counts with wc -c); once one stream FROM->TO1, once two concurrent streams
#            FROM->TO1 and FROM->TO2; link = the larger aggregate rate of the two (MiB/s)
#   lb       lower bound of the makespan: wire / link (the source's link is the shared bottleneck)
#   phases   A, printed per run and kept in --logs as <method>-<round>.phases: the limits in force
#            (start event), planning (clock start -> start event), staging (start event -> first
#            migrating), per migration the median/max of "seconds" (attempt loop) and
#            "job_seconds" (the libvirt job alone), and the most migrations in flight at once
# Before each method's link test and clock: sync, so the set-up's writeback (bases, overlays)
# does not land inside the clock of whichever method runs first.
set -eu
export LC_ALL=C

top=$(cd "$(dirname "$0")/.." && pwd)
LABSH=$top/tests/lab/lab.sh
DEFAULT_LAB=/var/tmp/nova-evac-lab
: "${NOVA_EVAC_LAB:=$DEFAULT_LAB}"
NOVA_EVAC_LAB=${NOVA_EVAC_LAB%/}
export NOVA_EVAC_LAB
LAB=$NOVA_EVAC_LAB
PROG=drain.sh

ROUNDS=3 NINST=12 DRAINS="1 4 auto" BASES="512:416:w 384:320:w 256:224:-" DIRTY="4 8 16 24 32 48"
MEM_MIB=96 FROM=node02 TO=node01,node03 LINK_MIB=384 TSV="" LOGS="" KEEP_LAB=0
die() { echo "$PROG: error: $*" >&2; exit 1; }
say() { echo "$PROG: $*" >&2; }
usage() { awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$0" >&2; exit 2; }
num() { case $2 in ''|*[!0-9]*) die "$1 wants a number, not '$2'" ;; esac; echo "$2"; }
while [ $# -gt 0 ]; do
    case $1 in -h|--help) usage ;; --keep-lab) KEEP_LAB=1; shift; continue ;; esac
    [ $# -ge 2 ] || die "$1 needs a value (or unknown option)"
    case $1 in
        --rounds) ROUNDS=$(num "$1" "$2") ;;
        --instances) NINST=$(num "$1" "$2") ;;
        --drains) DRAINS=$2 ;;
        --bases) BASES=$2 ;;
        --dirty) DIRTY=$2 ;;
        --mem-mib) MEM_MIB=$(num "$1" "$2") ;;
        --from) FROM=$2 ;;
        --to) TO=$2 ;;
        --link-mib) LINK_MIB=$(num "$1" "$2") ;;
        --tsv) TSV=$2 ;;
        --logs) LOGS=$2 ;;
        *) usage ;;
    esac
    shift 2
done
[ "$ROUNDS" -ge 1 ] && [ "$NINST" -ge 1 ] || die "--rounds and --instances must be at least 1"
TO1=${TO%%,*} TO2=${TO#*,}
[ -n "$TO1" ] && [ -n "$TO2" ] && [ "$TO1" != "$TO2" ] && [ "$TO2" = "${TO2%,*}" ] ||
    die "--to wants two different nodes, NODE,NODE"
[ "$FROM" != "$TO1" ] && [ "$FROM" != "$TO2" ] || die "--from is one of the --to nodes"
METHODS=()
for d in $DRAINS; do
    case $d in [1-9]|[1-9][0-9]|[1-9]/[1-9]|[1-9][0-9]/[1-9]|[1-9]/[1-9][0-9]|[1-9][0-9]/[1-9][0-9]) ;;
        auto|auto/[1-9]|auto/[1-9][0-9]) ;;
        *) die "--drains: '$d' is not max-parallel[/max-per-dest]" ;; esac
    METHODS+=("A${d/\//d}")   # A4/2 -> A4d2 (a domain name cannot hold '/')
done
METHODS+=(B)
BSIZE=() BDATA=() BWRITER=()
for b in $BASES; do
    IFS=: read -r s dd w <<<"$b"
    num --bases "$s" >/dev/null; num --bases "$dd" >/dev/null
    [ $((8 + dd)) -le "$s" ] || die "--bases $b: data from 8 MiB on does not fit"
    case $w in w|-) ;; *) die "--bases $b: the third field is w or -" ;; esac
    BSIZE+=("$s") BDATA+=("$dd") BWRITER+=("$w")
done
[ ${#BSIZE[@]} -ge 1 ] || die "--bases is empty"
DIRTIES=()
for x in $DIRTY; do DIRTIES+=("$(num --dirty "$x")"); done
[ ${#DIRTIES[@]} -ge 1 ] || die "--dirty is empty"
for k in "${!BSIZE[@]}"; do for x in "${DIRTIES[@]}"; do
    [ $((8 + x)) -le "${BSIZE[$k]}" ] || die "--dirty $x does not fit a ${BSIZE[$k]} MiB base"
done; done
[ "$(id -u)" = 0 ] || die "must run as root (the lab needs it)"
for t in virsh jq awk openssl ip du socat dd wc sha1sum; do
    command -v $t >/dev/null || die "'$t' not found (tests/lab/deps.sh lab; socat: apt-get install socat)"
done
# a second lab needs both its own root and its own netns prefix (lab.sh header)
if [ "$LAB" != "$DEFAULT_LAB" ]; then
    case ${NOVA_EVAC_LAB_PREFIX:-nel} in nel) die "NOVA_EVAC_LAB=$LAB is not the default lab: set NOVA_EVAC_LAB_PREFIX too (e.g. nelb)" ;; esac
fi
export NOVA_EVAC_LAB_PREFIX=${NOVA_EVAC_LAB_PREFIX:-nel}

# ---------------------------------------------------------------- binary and lab
if [ -z "${NOVA_EVAC:-}" ]; then
    say "NOVA_EVAC not set: building with tests/build.sh into $top/_build"
    "$top/tests/build.sh" "$top/_build" >&2
    NOVA_EVAC=$top/_build/src/nova-evac
fi
[ -x "$NOVA_EVAC" ] || die "$NOVA_EVAC is not an executable (set NOVA_EVAC)"
lab_was_up=1
for n in "$FROM" "$TO1" "$TO2"; do
    [ -r "$LAB/env" ] && timeout 10 virsh -q -c "$("$LABSH" uri "$n" 2>/dev/null)" version >/dev/null 2>&1 ||
        lab_was_up=0
done
"$LABSH" up 3 >&2
STOP_LAB=0
[ "$lab_was_up" = 1 ] || [ "$KEEP_LAB" = 1 ] || [ "$LAB" = "$DEFAULT_LAB" ] || STOP_LAB=1
# shellcheck disable=SC1091
. "$LAB/env"
HUB=$("$LABSH" status 2>/dev/null | sed -n 's/^hub: \([^ ]*\) .*/\1/p')
[ -n "$HUB" ] || die "cannot find the lab's hub namespace (lab.sh status)"
declare -A URI PEER IP NS
for n in "$FROM" "$TO1" "$TO2"; do
    N=$(echo "$n" | tr a-z A-Z)
    eval "URI[$n]=\${${N}_URI:-} PEER[$n]=\${${N}_PEER_URI:-} IP[$n]=\${${N}_IP:-} NS[$n]=\${${N}_NS:-}"
    [ -n "${URI[$n]}" ] && [ -n "${NS[$n]}" ] || die "lab node $n is not in $LAB/env"
    timeout 10 virsh -q -c "${URI[$n]}" version >/dev/null 2>&1 || die "lab node $n is not answering"
done

# ---------------------------------------------------------------- what this run creates
ID=bench-drain-$$
WORK=$(mktemp -d "/tmp/$ID.XXXXXX")
GUESTS=() UUIDS=() POOLS=() BGPIDS=() BASESHA=() EVPID=""
vsh() { virsh -q -c "$1" "${@:2}"; }
node_path() { printf '%s/lab/%s/instances/%s' "$LAB" "$1" "$2"; }   # host view of a node's file
cleanup() {
    local g u p n s
    for p in $EVPID "${BGPIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for g in "${GUESTS[@]}"; do
        for n in "$FROM" "$TO1" "$TO2"; do
            vsh "${URI[$n]}" destroy "$g" >/dev/null 2>&1 || true
            vsh "${URI[$n]}" undefine "$g" >/dev/null 2>&1 || true
        done
    done
    for p in "${POOLS[@]}"; do
        for n in "$TO1" "$TO2"; do vsh "${URI[$n]}" pool-destroy "$p" >/dev/null 2>&1 || true; done
    done
    for u in "${UUIDS[@]}"; do for n in "$FROM" "$TO1" "$TO2"; do rm -rf "$(node_path "$n" "$u")"; done; done
    for s in "${BASESHA[@]}"; do
        for n in "$FROM" "$TO1" "$TO2"; do rm -f "$(node_path "$n" "_base/$s")"; done
        rm -f "$LAB/images/$s"-*
    done
    rm -rf "$WORK"
    if [ "$STOP_LAB" = 1 ]; then say "stopping the lab this run started ($LAB)"; "$LABSH" down >&2 || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# the tool's config with a state_dir of this run (journal and lock of the drains)
CONF=$WORK/nova-evac.conf
awk -v sd="$WORK/state" '
    /^\[/ { sec = $0 }
    sec == "[DEFAULT]" && /^[ \t]*state_dir[ \t]*=/ { next }
    { print }
    $0 == "[DEFAULT]" { print "state_dir = " sd }' "$LAB/nova-evac.conf" >"$CONF"
grep -qx '\[DEFAULT\]' "$CONF" || { printf '[DEFAULT]\nstate_dir = %s\n' "$WORK/state" | cat - "$CONF" >"$CONF.tmp"; mv "$CONF.tmp" "$CONF"; }
mkdir -p "$WORK/state"
export NOVA_EVAC_CONFIG=$CONF

# ---------------------------------------------------------------- base images with data
# lab.sh makes each raw base (busy-writer MBR in sector 0 for 'w') on the three nodes; then the data
# (pseudo-random, from 8 MiB on) goes into FROM's copy, which is copied to the destinations: the
# bases are pre-staged everywhere, as Nova has them for running instances.
for k in "${!BSIZE[@]}"; do
    bid=$ID-b$k
    sha=$(printf %s "$bid" | sha1sum | cut -c1-40)
    BASESHA+=("$sha")
    w=(); [ "${BWRITER[$k]}" = - ] || w=(--writer)
    "$LABSH" base "$bid" "${w[@]}" --size "${BSIZE[$k]}M" "$FROM" "$TO1" "$TO2" >&2
    src=$(node_path "$FROM" "_base/$sha")
    openssl enc -aes-128-ctr -nosalt -pbkdf2 -pass "pass:$bid" </dev/zero 2>/dev/null |
        head -c $((BDATA[k] * 1048576)) | dd of="$src" bs=1M seek=8 conv=notrunc status=none
    for n in "$TO1" "$TO2"; do
        dst=$(node_path "$n" "_base/$sha")
        cp --sparse=always "$src" "$dst.tmp" && mv -f "$dst.tmp" "$dst"
        cmp -s "$src" "$dst" || die "base copies of $bid differ on $n"
    done
    say "base $k _base/$sha: ${BSIZE[$k]} MiB virtual, ${BDATA[$k]} MiB data, $([ "${BWRITER[$k]}" = w ] && echo busy writer || echo idle) on $FROM $TO1 $TO2"
done

# ---------------------------------------------------------------- helpers
# phases EVENTS T0 STAMPED: where nova-evac's time went, from its JSON events and their arrival
# times: limits in force (start event), planning (clock start -> start event), staging (start ->
# first migrating), per migration the median and max of "seconds" (whole attempt loop) and of
# "job_seconds" (the libvirt job alone), and the migrations in flight at most
phases() {
    local first start
    start=$(awk '$2 ~ /"event":"start"/ { print $1; exit }' "$3")
    first=$(awk '$2 ~ /"event":"migrating"/ { print $1; exit }' "$3")
    jq -s -j --arg t0 "$2" --arg s "$start" --arg f "$first" '
        def med: sort | if length == 0 then 0 elif length % 2 == 1 then .[length / 2 | floor]
                        else (.[length / 2 - 1] + .[length / 2]) / 2 end;
        (map(select(.event == "start"))[0]) as $st | [.[] | select(.event == "moved")] as $m
        | "limits -j \($st.max_parallel // "?") -d \($st.max_per_dest // "?"); plan \((($s | tonumber) - ($t0 | tonumber)) * 100 | round / 100) s"
          + ", staging \((($f | tonumber) - ($s | tonumber)) * 100 | round / 100) s"
          + "; per migration: seconds median \($m | map(.seconds) | med * 100 | round / 100)"
          + " max \($m | map(.seconds) | max * 100 | round / 100)"
          + ", job_seconds median \($m | map(.job_seconds // 0) | med * 100 | round / 100)"
          + " max \($m | map(.job_seconds // 0) | max * 100 | round / 100)"
          + ([.[] | select(.event == "concurrency")] as $c | if ($c | length) == 0 then ""
             else "; auto: 1" + ($c | map(" -> \(.max_parallel) at \(.t * 10 | round / 10) s") | join(""))
             end)' "$1"
    # in flight at most: +1 at each migrating, -1 at each moved/failed, in arrival order
    awk '$2 ~ /"event":"migrating"/ { n++; if (n > mx) mx = n } $2 ~ /"event":"(moved|failed)"/ { n-- }
         END { printf "; in flight at most %d\n", mx }' "$3"
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
wire_tx() { ip -n "$HUB" -s -j link show "v$1" 2>/dev/null | jq -r '.[0].stats64.rx.bytes // empty'; }
wr_req() { vsh "${URI[$FROM]}" domblkstat "$1" vda 2>/dev/null | awk '$2 == "wr_req" { print $3 }'; }
stamp() { local l; while IFS= read -r l; do printf '%s %s\n' "$EPOCHREALTIME" "$l"; done; }
load1() { cut -d' ' -f1 /proc/loadavg; }

# link_rate: sets LINK1 (one stream) and LINK2 (two streams), MiB/s (see the header)
PORT=$((20000 + $$ % 20000))
listen() {   # listen NODE PORT OUTFILE: background receiver; its PID in LPID
    ip netns exec "${NS[$1]}" socat -u "TCP-LISTEN:$2,reuseaddr" STDOUT | wc -c >"$3" &
    LPID=$!; BGPIDS+=("$LPID")
    local _
    for _ in $(seq 1 100); do
        ip netns exec "${NS[$1]}" ss -Hltn "sport = :$2" 2>/dev/null | grep -q . && return 0
        sleep 0.05
    done
    die "link test: socat listener on $1:$2 did not start"
}
send() { ip netns exec "${NS[$FROM]}" sh -c "dd if=/dev/zero bs=1M count=$LINK_MIB status=none | socat -u STDIN TCP:$1:$2"; }
link_rate() {
    local t0 t1 p1 p2 s1 b1 b2
    listen "$TO1" "$PORT" "$WORK/l1"; p1=$LPID
    t0=$(now); send "${IP[$TO1]}" "$PORT"; wait "$p1" || true; t1=$(now)
    b1=$(cat "$WORK/l1")
    s1=$(awk -v b="$b1" -v a="$t0" -v c="$t1" 'BEGIN { printf "%.1f", b / 1048576 / (c - a) }')
    listen "$TO1" $((PORT + 1)) "$WORK/l1"; p1=$LPID
    listen "$TO2" $((PORT + 2)) "$WORK/l2"; p2=$LPID
    t0=$(now)
    send "${IP[$TO1]}" $((PORT + 1)) & local q1=$!
    send "${IP[$TO2]}" $((PORT + 2)) & local q2=$!
    wait "$q1" "$q2" "$p1" "$p2" || true; t1=$(now)
    b1=$(cat "$WORK/l1") b2=$(cat "$WORK/l2")
    [ "$b1" = $((LINK_MIB * 1048576)) ] && [ "$b2" = "$b1" ] || die "link test: received $b1 and $b2 bytes, sent $((LINK_MIB * 1048576)) each"
    BGPIDS=()   # all waited for
    LINK1=$s1 LINK2=$(awk -v b=$((b1 + b2)) -v a="$t0" -v c="$t1" 'BEGIN { printf "%.1f", b / 1048576 / (c - a) }')
}

# make_set METHOD ROUND: NINST fresh guests on FROM; names in SET, uuids in SETU
make_set() {
    local i k x name uuid t0 busy=() gp=() bad=0 _ w n
    SET=() SETU=()
    t0=$(now)
    # three lab.sh guest at once (each spends most of its time waiting for libvirtd and QEMU)
    for i in $(seq 0 $((NINST - 1))); do
        k=$((i % ${#BSIZE[@]})) x=${DIRTIES[$((i % ${#DIRTIES[@]}))]}
        name=dr-$$-r$2-$1-$i uuid=$(cat /proc/sys/kernel/random/uuid)
        GUESTS+=("$name") UUIDS+=("$uuid") SET+=("$name") SETU+=("$uuid")
        "$LABSH" guest "$FROM" "$name" "$uuid" --image "$ID-b$k" --dirty "$x" --mem "$MEM_MIB" \
            >"$WORK/guest-$i.log" 2>&1 &
        gp+=($!)
        [ "${BWRITER[$k]}" = - ] || busy+=("$name")
        if [ ${#gp[@]} = 3 ] || [ "$i" = $((NINST - 1)) ]; then
            for k in "${gp[@]}"; do wait "$k" || bad=1; done
            gp=()
        fi
    done
    [ "$bad" = 0 ] || { cat "$WORK"/guest-*.log >&2; die "lab.sh guest failed (round $2 $1)"; }
    # the busy ones must be writing to vda before the clock starts (SeaBIOS takes seconds)
    for _ in $(seq 1 240); do
        n=0
        for name in "${busy[@]}"; do w=$(wr_req "$name"); [ "${w:-0}" -gt 20 ] && n=$((n + 1)); done
        [ "$n" -lt ${#busy[@]} ] || break
        sleep 0.5
    done
    [ "$n" = ${#busy[@]} ] || say "note: only $n of ${#busy[@]} busy guests were writing after 120 s; going on"
    say "round $2 $1: $NINST guests on $FROM (${#busy[@]} busy writers) ready in $(elapsed "$t0" "$(now)") s"
}

# check_only_ours: FROM must hold exactly the guests of SET (a drain moves every domain there)
check_only_ours() {
    local d others=""
    while read -r d; do
        [ -n "$d" ] || continue
        case " ${SET[*]} " in *" $d "*) ;; *) others="$others $d" ;; esac
    done < <(vsh "${URI[$FROM]}" list --all --name)
    [ -z "$others" ] || die "$FROM also holds domain(s)$others that this run did not make: a drain would move them. Use a private lab (NOVA_EVAC_LAB=/var/tmp/nel-bench NOVA_EVAC_LAB_PREFIX=nelb $0)"
}

# listener: JOB_COMPLETED events of every domain on FROM -> file; its PID in EVPID
listener_start() {
    virsh -c "${URI[$FROM]}" event --event job-completed --loop --timeout 3600 >"$1" 2>&1 &
    EVPID=$!
    sleep 1   # let it register before the first job starts
}
listener_stop() {   # listener_stop FILE: EVSUM="events disk_sum data_sum" over the guests of SET
    sleep 1
    kill "$EVPID" 2>/dev/null || true; wait "$EVPID" 2>/dev/null || true; EVPID=""
    EVSUM=$(awk -v names=" ${SET[*]} " '
        /^event .job-completed. for domain / { d = $0; sub(/^[^'\'']*'\''[^'\'']*'\'' for domain '\''/, "", d); sub(/'\'':?$/, "", d)
            ok = index(names, " " d " ") > 0; if (ok) n++; next }
        ok && $1 == "disk_processed:" { disk += $2 }
        ok && $1 == "data_processed:" { data += $2 }
        END { printf "%d %.0f %.0f\n", n, disk, data }' "$1")
}

# remove the guests of SET wherever they are (the next method runs alone)
clear_set() {
    local i n
    for i in "${!SET[@]}"; do
        for n in "$FROM" "$TO1" "$TO2"; do
            vsh "${URI[$n]}" destroy "${SET[$i]}" >/dev/null 2>&1 || true
            vsh "${URI[$n]}" undefine "${SET[$i]}" >/dev/null 2>&1 || true
            vsh "${URI[$n]}" pool-destroy "drb-${SETU[$i]}" >/dev/null 2>&1 || true
            rm -rf "$(node_path "$n" "${SETU[$i]}")"
        done
    done
    GUESTS=() UUIDS=() POOLS=()   # only one set exists at a time: nothing left for cleanup
}

# verify_moved: every guest of SET runs on TO1 or TO2 and FROM defines none; prints "n1 n2"
verify_moved() {
    local i n1=0 n2=0
    for i in "${!SET[@]}"; do
        ! vsh "${URI[$FROM]}" dominfo "${SET[$i]}" >/dev/null 2>&1 || die "$1: ${SET[$i]} is still defined on $FROM"
        if vsh "${URI[$TO1]}" domstate "${SET[$i]}" 2>/dev/null | grep -qx running; then n1=$((n1 + 1))
        elif vsh "${URI[$TO2]}" domstate "${SET[$i]}" 2>/dev/null | grep -qx running; then n2=$((n2 + 1))
        else die "$1: ${SET[$i]} is not running on $TO1 or $TO2"; fi
    done
    echo "$n1 $n2"
}

# run_method METHOD ROUND: one emptying of FROM; appends a TSV row to $WORK/rows
run_method() {
    local m=$1 r=$2 link out=$WORK/$1-$2 t0 t1 w0 w1 rc=0 la0 la1 i j p args ev evd s0
    local wall run conc disk data per retries
    make_set "$m" "$r"
    if [ "$m" = B ]; then
        for i in "${!SET[@]}"; do
            j=$TO1; [ $((i % 2)) = 0 ] || j=$TO2
            mkdir -p "$(node_path "$j" "${SETU[$i]}")"
            POOLS+=("drb-${SETU[$i]}")
            vsh "${URI[$j]}" pool-create-as "drb-${SETU[$i]}" dir --target "$LAB/instances/${SETU[$i]}" >/dev/null ||
                die "pool-create-as on $j failed"
        done
    fi
    sync   # the set-up's dirty pages (bases, overlays) are not written back inside the clock
    link_rate   # the link as it is now, just before the clock
    link=$(awk -v a="$LINK1" -v b="$LINK2" 'BEGIN { print (a > b ? a : b) }')
    echo "$r $m $LINK1 $LINK2" >>"$WORK/links"
    listener_start "$out.ev"
    check_only_ours
    la0=$(load1); w0=$(wire_tx "$FROM"); t0=$(now)
    if [ "$m" = B ]; then
        for i in "${!SET[@]}"; do
            j=$TO1; [ $((i % 2)) = 0 ] || j=$TO2
            s0=$EPOCHREALTIME
            virsh -c "${URI[$FROM]}" migrate --live --p2p --copy-storage-all --persistent --undefinesource \
                --unsafe "${SET[$i]}" "${PEER[$j]}" >>"$out.err" 2>&1 || { rc=$?; break; }
            echo "$s0 $EPOCHREALTIME ${SET[$i]} $j" >>"$out.times"
        done
    else
        p=${m#A}; args=(--max-parallel "${p%d*}")
        [ "$p" = "${p#*d}" ] || args+=(--max-per-dest "${p#*d}")
        set +e
        "$NOVA_EVAC" --format json drain "$FROM" --to "$TO1,$TO2" "${args[@]}" 2>"$out.err" | stamp >"$out.json"
        rc=${PIPESTATUS[0]}
        set -e
    fi
    t1=$(now); w1=$(wire_tx "$FROM"); la1=$(load1)
    listener_stop "$out.ev"; ev=$EVSUM
    if [ "$rc" != 0 ]; then tail -40 "$out.err" >&2; die "round $r $m: exit $rc"; fi
    per=$(verify_moved "$m $r")
    wall=$(elapsed "$t0" "$t1")
    set -- $ev; evd=$2
    if [ "$m" = B ]; then
        [ "$1" = "$NINST" ] || say "note: round $r B: the listener saw $1 job-completed events for $NINST migrations"
        run=$wall conc=1 disk=$2 data=$3 retries=0
    else
        cut -d' ' -f2- "$out.json" >"$out.events"
        jq -s -e --argjson n "$NINST" 'map(select(.event == "finish"))[0] | .moved == $n and .not_moved == 0' \
            "$out.events" >/dev/null || { cat "$out.events" >&2; die "round $r $m: nova-evac did not move all $NINST"; }
        jq -s -e 'all(.[] | select(.event == "migrating"); .method == "live-block")' "$out.events" >/dev/null ||
            say "note: round $r $m: not every migration was live-block: $(jq -r 'select(.event == "migrating") | .method' "$out.events" | sort | uniq -c | tr '\n' ' ')"
        run=$(jq -s -r 'map(select(.event == "finish"))[0].seconds' "$out.events")
        read -r disk data conc retries < <(jq -s -r --argjson run "$run" '
            [.[] | select(.event == "moved")] as $m
            | [($m | map(.disk_bytes) | add), ($m | map(.data_bytes) | add),
               (($m | map(.seconds) | add) / $run),
               ([.[] | select(.event == "migrating" and .attempt > 1)] | length)] | @tsv' "$out.events")
        [ "$evd" = "$disk" ] || say "note: round $r $m: nova-evac's disk_bytes sum $disk, listener's disk_processed sum $evd ($1 events)"
    fi
    printf '%s\t%s\t%s\t%s\t%.2f\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$m" "$wall" "$run" "$conc" \
        "$disk" "$data" "$((w1 - w0))" "$link" "$retries" "${per% *}" "${per#* }" "$la0/$la1" "$LINK1" "$LINK2" >>"$WORK/rows"
    [ "$m" = B ] || phases "$out.events" "$t0" "$out.json" >"$out.phases"
    [ "$m" = B ] || say "round $r $m: $(cat "$out.phases")"
    say "round $r $m: $(tail -1 "$WORK/rows" | awk -F'\t' '{ printf "makespan %.1f s, data %.0f MiB, wire %.0f MiB, %s/%s per destination, link %s MiB/s, load %s", $3, $7 / 1048576, $8 / 1048576, $11, $12, $9, $13 }')"
    [ -z "$LOGS" ] || { mkdir -p "$LOGS" && cp "$out".* "$LOGS/"; }
    clear_set
}

# ---------------------------------------------------------------- run
say "$ROUNDS rounds; $NINST guests per method on $FROM -> $TO1,$TO2; methods ${METHODS[*]}; load $(cut -d' ' -f1-3 /proc/loadavg)"
: >"$WORK/rows"
NM=${#METHODS[@]}
for r in $(seq 1 "$ROUNDS"); do
    for k in $(seq 0 $((NM - 1))); do
        run_method "${METHODS[$(((k + r - 1) % NM))]}" "$r"
    done
done
[ -z "$TSV" ] || { printf 'round\tmethod\twall_s\trun_s\tconc\tdisk_bytes\tdata_bytes\twire_bytes\tlink_MiBps\tretries\tto1\tto2\tload\tlink1_MiBps\tlink2_MiBps\n'; cat "$WORK/rows"; } >"$TSV"

# ---------------------------------------------------------------- report
awk -F'\t' -v rounds="$ROUNDS" -v methods="${METHODS[*]}" -v to1="$TO1" -v to2="$TO2" '
function med(a, n,   i, j, t) {
    for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return n == 0 ? "-" : (n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2)
}
function median(m, f,   r, n, a) { n = 0; for (r = 1; r <= rounds; r++) if ((r, m) in seen) a[++n] = v[r, m, f]; return med(a, n) }
function lo(m, f,   r, x) { x = ""; for (r = 1; r <= rounds; r++) if ((r, m) in seen && (x == "" || v[r, m, f] < x)) x = v[r, m, f]; return x }
function hi(m, f,   r, x) { x = ""; for (r = 1; r <= rounds; r++) if ((r, m) in seen && (x == "" || v[r, m, f] > x)) x = v[r, m, f]; return x }
function ratio(m, f,   r, n, a) { n = 0; for (r = 1; r <= rounds; r++) if ((r, m) in seen && (r, "B") in seen && v[r, "B", f] > 0) a[++n] = v[r, m, f] / v[r, "B", f]; return med(a, n) }
function label(m,   p) {
    if (m == "B") return "B virsh loop"
    p = substr(m, 2); sub(/^auto/, " auto", p)
    if (index(p, "d")) return "A drain -j" substr(p, 1, index(p, "d") - 1) " -d" substr(p, index(p, "d") + 1)
    return "A drain -j" p
}
function mib(x) { return sprintf("%.0f", x / 1048576) }
function row(r, m, x) {
    printf "%-6s %-18s %8.1f %7.1f %5.2f %9s %9s %9s %7.0f %7.1f %7.1f %3d %5s %s\n", r, label(m), x[3], x[4], x[5],
        mib(x[6]), mib(x[7]), mib(x[8]), x[9], x[8] / 1048576 / x[9], x[3] / (x[8] / 1048576 / x[9]), x[10], x[11] "/" x[12], x[13]
}
{ seen[$1, $2] = 1; for (f = 3; f <= 15; f++) v[$1, $2, f] = $f }
END {
    nm = split(methods, M, " ")
    printf "%-6s %-18s %8s %7s %5s %9s %9s %9s %7s %7s %7s %3s %5s %s\n", "round", "method", "wall_s", "run_s", "conc",
        "disk_MiB", "data_MiB", "wire_MiB", "link", "lb_s", "wall/lb", "rtr", to1 "/" to2, "load1 start/end"
    for (r = 1; r <= rounds; r++) for (k = 1; k <= nm; k++) if ((r, M[k]) in seen) {
        for (f = 3; f <= 13; f++) x[f] = v[r, M[k], f]; row(r, M[k], x)
    }
    print ""
    for (k = 1; k <= nm; k++) {
        m = M[k]; for (f = 3; f <= 12; f++) x[f] = median(m, f)
        x[11] = v[1, m, 11]; x[12] = v[1, m, 12]; x[13] = "(medians)"
        row("median", m, x)
    }
    print ""
    printf "makespan spread over the rounds (min-max s):"
    for (k = 1; k <= nm; k++) printf "  %s %.1f-%.1f", label(M[k]), lo(M[k], 3), hi(M[k], 3)
    l1lo = l2lo = 1e9; l1hi = l2hi = 0
    for (r = 1; r <= rounds; r++) for (k = 1; k <= nm; k++) if ((r, M[k]) in seen) {
        x1 = v[r, M[k], 14]; x2 = v[r, M[k], 15]; a1[++nl] = x1; a2[nl] = x2
        if (x1 < l1lo) l1lo = x1; if (x1 > l1hi) l1hi = x1; if (x2 < l2lo) l2lo = x2; if (x2 > l2hi) l2hi = x2
    }
    printf "\nlink (MiB/s, before each method): one stream median %.0f (%.0f-%.0f), two streams median %.0f (%.0f-%.0f)\n",
        med(a1, nl), l1lo, l1hi, med(a2, nl), l2lo, l2hi
    print "ratios to the serial virsh loop (median over the rounds of the per-round ratio; target wall <= 0.5):"
    for (k = 1; k < nm; k++)
        printf "  %-18s wall %.3f (%.1fx faster), data %.3f, wire %.3f (%.1fx fewer bytes)\n", label(M[k]),
            ratio(M[k], 3), 1 / ratio(M[k], 3), ratio(M[k], 7), ratio(M[k], 8), 1 / ratio(M[k], 8)
    # -j auto against the loop and against the best fixed -j of the same run
    for (k = 1; k < nm; k++) if (M[k] ~ /^Aauto/) {
        a = ratio(M[k], 3); best = ""; bm = ""
        for (q = 1; q < nm; q++) if (M[q] !~ /^Aauto/ && M[q] != "B" && (best == "" || ratio(M[q], 3) < best)) { best = ratio(M[q], 3); bm = M[q] }
        printf "%s: wall %.3f of the loop (target <= 0.35: %s)", label(M[k]), a, a <= 0.35 ? "met" : "missed"
        if (bm != "") printf "; best fixed %s %.3f: auto/best %.2f (target <= 1.15: %s)", label(bm), best, a / best, a / best <= 1.15 ? "met" : "missed"
        printf "\n"
    }
}' "$WORK/rows"
