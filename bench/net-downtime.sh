#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# bench/net-downtime.sh -- network downtime of one live move of a guest with a Neutron port
# (issue 13), on the network lab (tests/lab/net.sh: linuxbridge agent per node, real Linux
# guests booted through Nova on nel-net1):
#   A  nova-evac migrate UUID --from X --to Y --stage-images  (libvirt path: an inactive
#      binding on Y before the job, the guest's tap plugged into Y's bridge by libvirt, the
#      binding activated and X's deleted once the job is done)
#   B  Nova's own live migration: POST /servers/UUID/action os-migrateLive {"host": Y}
#      (waited for until the server is ACTIVE on Y with no task and its migration completed)
# The same guests are moved back and forth between --hosts X,Y: every round moves each guest
# once with A and once with B, the order alternating (A B, B A, ...). Around each move the
# probe pings the guest every 10 ms (net.sh probe) and holds a TCP echo connection to it
# (net.sh echo). Per move: the longest time without a ping reply (gap_ms), the pings lost,
# whether the TCP connection survived and whether the guest answered ping again after the
# move. Prints every move, the medians of gap_ms per method (over the moves after which the
# guest answered) and the ratio A/B (target: <= 1.0: nova-evac's gap no longer than Nova's).
# Where the gap comes from, per move: jobdt_ms, the downtime libvirt measured for the
# switch-over (the destination's completed-job statistics: source paused -> destination
# running), and act_ms, when the destination binding was activated (neutron-server's log line
# of the PUT .../activate) counted from the end of the ping gap: negative = activated before
# the guest answered again. gap_ms - jobdt_ms is what follows the switch-over (the guest's
# self-announce reaching the probe, the guest's first reply).
#
#   bench/net-downtime.sh [--rounds N] [--guests N] [--hosts X,Y] [--settle S] [--tsv FILE]
#     --rounds  moves per guest and method (default 3)
#     --guests  guests booted on X (default 2)
#     --hosts   the two nodes (default node02,node03)
#     --settle  seconds the probe runs before and after each move (default 2)
#     --tsv     also write the raw rows there
# Environment: NOVA_EVAC (binary; default _build/src/nova-evac, built with tests/build.sh).
# Needs root and the network lab up (tests/lab/lab.sh up 3; tests/lab/openstack.sh up libvirt;
# NOVA_EVAC_VIRT=qemu NEL_RESTART_COMPUTES=1 tests/lab/net.sh up). Creates only servers named
# net-downtime-PID-N (and their ports) and probe sessions of that name; removes them on exit.
set -eu -o pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
ROUNDS=3 GUESTS=2 HOSTS=node02,node03 SETTLE=2 TSV=""
while [ $# -gt 0 ]; do
    case $1 in
    --rounds) ROUNDS=$2; shift ;;
    --guests) GUESTS=$2; shift ;;
    --hosts) HOSTS=$2; shift ;;
    --settle) SETTLE=$2; shift ;;
    --tsv) TSV=$2; shift ;;
    *) sed -n '3,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
    esac
    shift
done
X=${HOSTS%,*} Y=${HOSTS#*,}
say() { echo "net-downtime: $*" >&2; }
die() { say "$*"; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (the lab's namespaces)"
NET=$TOP/tests/lab/net.sh
eval "$("$TOP/tests/lab/openstack.sh" env)"
[ "${NOVA_EVAC_OS_MODE:-}" = libvirt ] || die "the cloud is not up in libvirt mode (tests/lab/openstack.sh up libvirt)"
why=$("$NET" check 2>&1) || die "network lab not usable: $why (tests/lab/net.sh up)"
eval "$("$NET" env)"
# (the output first: with pipefail, grep -q closing the pipe early can fail the test)
paddr=$(ip -n "$NEL_PROBE_NS" -br addr 2>/dev/null || true)
printf '%s\n' "$paddr" | grep -q ' 10\.77\.1\.' ||
    die "probe netns ${NEL_PROBE_NS:-?} has no address on nel-net1 (the lab's hub is gone? tests/lab/net.sh status)"
export NOVA_EVAC_LAB NOVA_EVAC_CONFIG=$NOVA_EVAC_LAB/nova-evac.conf
if [ -z "${NOVA_EVAC:-}" ]; then
    say "NOVA_EVAC not set: building with tests/build.sh into $TOP/_build"
    "$TOP/tests/build.sh" "$TOP/_build" >&2
    NOVA_EVAC=$TOP/_build/src/nova-evac
fi
. "$TOP/tests/lab/os/api.sh"
TOK=$(token)
NEUTRON=http://127.0.0.1:9696
neutron() { _authed "$NEUTRON" "" "$@"; }
id=net-downtime-$$
tmp=$(mktemp -d)
: >"$tmp/ids"
cleanup() {
    local s p
    "$NET" echo stop -s "$id" >/dev/null 2>&1 || true
    "$NET" probe stop -s "$id" >/dev/null 2>&1 || true
    rm -rf "$NOVA_EVAC_LAB/net/probe-$id"
    for s in $(cat "$tmp/ids"); do nova DELETE "/servers/$s" >/dev/null 2>&1 || true; done
    for s in $(cat "$tmp/ids"); do
        for p in $(seq 1 120); do [ "$(nova GET "/servers/$s" | code)" = 404 ] && break; sleep 0.5; done
        for p in $(neutron GET "/v2.0/ports?device_id=$s" | body | jq -r '.ports[].id' 2>/dev/null); do
            neutron DELETE "/v2.0/ports/$p" >/dev/null 2>&1 || true
        done
    done
    rm -rf "$tmp"
}
trap cleanup EXIT

host_of() { nova GET "/servers/$1" | body | jq -r '.server."OS-EXT-SRV-ATTR:host" // empty'; }
mig() { nova GET "/os-migrations?instance_uuid=$1" | body | jq -r '.migrations | max_by(.id) | .status // empty'; }
uri_of() { # the libvirt URI of node $1 in nova-evac's config
    awk -v n="[node:$1]" '$0 == n {f = 1; next} /^\[/ {f = 0} f && $1 == "uri" {print $3; exit}' "$NOVA_EVAC_CONFIG"
}
# jobdt UUID HOST: the downtime (ms) of the migration that brought UUID to HOST, from HOST's
# completed-job statistics
jobdt() { virsh -c "$(uri_of "$2")" domjobinfo "$1" --completed 2>/dev/null | awk '/^Total downtime:/ {print $3}'; }
# act_at PORT HOST: epoch of the last successful activation of PORT's binding on HOST in
# neutron-server's log (the line is written when the answer is sent)
NSLOG=$NOVA_EVAC_LAB/os/logs/neutron-server.log
act_at() {
    local l
    l=$(grep -F "PUT /v2.0/ports/$1/bindings/$2/activate HTTP/1.1\" status: 200" "$NSLOG" 2>/dev/null | tail -n 1) || true
    [ -n "$l" ] || return 0
    date -d "$(printf '%s\n' "$l" | cut -d' ' -f1-2)" +%s.%N 2>/dev/null || true
}
port_on() { # port_on UUID HOST: the server's port bound to HOST, ACTIVE, its only binding
    local p
    p=$(neutron GET "/v2.0/ports?device_id=$1" | body | jq -r '.ports[0].id // empty')
    neutron GET "/v2.0/ports/$p" | body |
        jq -e --arg h "$2" '.port."binding:host_id" == $h and .port.status == "ACTIVE"' >/dev/null &&
        [ "$(neutron GET "/v2.0/ports/$p/bindings" | body | jq -r '[.bindings[].host] | join(",")')" = "$2" ]
}
wait_for() { # wait_for SECS CMD...
    local end=$((SECONDS + $1)); shift
    until "$@"; do [ $SECONDS -lt $end ] || return 1; sleep 0.5; done
}
mig_done() { [ "$(mig "$1")" = completed ]; }
pings() { ip netns exec "$NEL_PROBE_NS" ping -n -c 1 -W 1 "$1" >/dev/null 2>&1; }

# move METHOD UUID IP FROM TO PORT -> one row "gap_ms lost echo secs back jobdt_ms act_ms",
# after checking the move;
# back: whether the guest answered ping again within 30 s of its port being ACTIVE on TO (if
# not, gap_ms runs until the probe stops and is no downtime figure; "panic" when the guest's
# console on TO shows a kernel panic; "before" when it did not answer before the move, which
# is then not made). A guest that stops answering is moved no more.
move() {
    local m=$1 s=$2 ip=$3 from=$4 to=$5 port=$6 t0 po eo code
    "$NET" probe start -s "$id" "$ip"
    "$NET" echo start -s "$id" "$ip" >/dev/null
    sleep "$SETTLE"
    if ! pings "$ip"; then # no move: the guest is not answering before it
        "$NET" echo stop -s "$id" >/dev/null 2>&1 || true
        "$NET" probe stop -s "$id" >/dev/null
        say "$m: $s ($ip) does not answer ping on $from before its move: not moved (console: $NOVA_EVAC_LAB/lab/$from/instances/$s/console.log)"
        echo "? ? ? 0 before ? ?"
        return
    fi
    t0=$(now)
    if [ "$m" = A ]; then
        "$NOVA_EVAC" migrate "$s" --from "$from" --to "$to" --stage-images >"$tmp/ne.out" 2>&1 ||
            { sed 's/^/  /' "$tmp/ne.out" >&2; die "A: nova-evac migrate $s $from -> $to failed"; }
    else
        code=$(nova POST "/servers/$s/action" "{\"os-migrateLive\":{\"host\":\"$to\",\"block_migration\":\"auto\"}}" | code)
        [ "$code" = 202 ] || die "B: os-migrateLive of $s to $to: HTTP $code"
        wait_srv "$s" ".status==\"ACTIVE\" and .\"OS-EXT-STS:task_state\"==null and .\"OS-EXT-SRV-ATTR:host\"==\"$to\"" 300 ||
            die "B: $s not ACTIVE on $to after 300 s: $(srv "$s"), migration $(mig "$s")"
        wait_for 60 mig_done "$s" || die "B: $s: migration $(mig "$s"), not completed"
    fi
    local secs; secs=$(since "$t0")
    [ "$(host_of "$s")" = "$to" ] || die "$m: Nova says $s is on $(host_of "$s"), not $to"
    wait_for 30 port_on "$s" "$to" || die "$m: $s's port is not bound to $to only and ACTIVE"
    local back=yes
    wait_for 30 pings "$ip" || back=no
    # a guest whose kernel died on arrival (its console on the destination says so) is no
    # network figure either
    [ $back = yes ] || ! grep -qs "Kernel panic" "$NOVA_EVAC_LAB/lab/$to/instances/$s/console.log" || back=panic
    sleep "$SETTLE"
    eo=$("$NET" echo check -s "$id" 2>&1 || true)
    po=$("$NET" probe stop -s "$id")
    "$NET" echo stop -s "$id" >/dev/null 2>&1 || true
    local g l e gt dt ta act='?'
    g=$(printf '%s\n' "$po" | awk -v ip="$ip" '$1 == ip { sub("longest_gap_ms=", "", $4); print $4 }')
    gt=$(printf '%s\n' "$po" | awk -v ip="$ip" '$1 == ip { sub("gap_to=", "", $6); print $6 }')
    dt=$(jobdt "$s" "$to")
    ta=$(act_at "$port" "$to")
    # an activation older than the move is an earlier move's: no figure
    [ -z "$ta" ] || [ -z "$gt" ] ||
        act=$(awk -v a="$ta" -v g="$gt" -v t0="$t0" 'BEGIN { if (a + 1 < t0) print "?"; else printf "%d", (a - g) * 1000 }')
    l=$(printf '%s\n' "$po" | awk -v ip="$ip" '$1 == ip { sub("lost=", "", $3); print $3 }')
    e=$(printf '%s\n' "$eo" | awk -v ip="$ip" '$1 == ip { print $2 }')
    printf '%s %s %s %s %s %s %s\n' "${g:-?}" "${l:-?}" "${e:-?}" "$secs" "$back" "${dt:-?}" "$act"
}

fl=$(nova GET /flavors | body | jq -r '.flavors[]|select(.name=="nel.guest").id')
say "booting $GUESTS guests on $X (nel-net1)"
for g in $(seq 1 "$GUESTS"); do
    s=$(nova POST /servers "{\"server\":{\"name\":\"$id-$g\",\"flavorRef\":\"$fl\",\"imageRef\":\"$NEL_IMAGE\",\"networks\":[{\"uuid\":\"$NEL_NET1\"}],\"availability_zone\":\"nova:$X\"}}" | body | jq -r '.server.id // empty')
    [ -n "$s" ] || die "boot $id-$g: Nova refused"
    echo "$s" >>"$tmp/ids"
done
mapfile -t S <"$tmp/ids"
IP=() PORT=() DEAD=()
for s in "${S[@]}"; do
    wait_srv "$s" ".status==\"ACTIVE\" and .\"OS-EXT-SRV-ATTR:host\"==\"$X\"" 300 || die "$s not ACTIVE on $X: $(srv "$s")"
    IP+=("$(nova GET "/servers/$s" | body | jq -r '[.server.addresses[][]|.addr][0] // empty')")
    PORT+=("$(neutron GET "/v2.0/ports?device_id=$s" | body | jq -r '.ports[0].id // empty')")
    wait_for 180 pings "${IP[-1]}" ||
        die "$s (${IP[-1]}) does not answer ping"
done
say "guests up: ${IP[*]}; load $(cut -d' ' -f1-3 /proc/loadavg)"

printf '%-5s %-6s %-5s %-13s %-15s %8s %5s %-7s %7s %-4s %8s %6s\n' round method guest ip move gap_ms lost tcp secs back jobdt_ms act_ms
[ -z "$TSV" ] || printf 'round\tmethod\tguest\tip\tfrom\tto\tgap_ms\tlost\ttcp\tsecs\tback\tjobdt_ms\tact_ms\n' >"$TSV"
for r in $(seq 1 "$ROUNDS"); do
    if [ $((r % 2)) = 1 ]; then order="A B"; else order="B A"; fi
    for g in $(seq 0 $((GUESTS - 1))); do
        for m in $order; do
            [ -z "${DEAD[$g]:-}" ] || continue # it stopped answering: no more figures from it
            from=$(host_of "${S[$g]}")
            if [ "$from" = "$X" ]; then to=$Y; else to=$X; fi
            row=$(move "$m" "${S[$g]}" "${IP[$g]}" "$from" "$to" "${PORT[$g]}")
            set -- $row
            printf '%-5s %-6s %-5s %-13s %-15s %8s %5s %-7s %7s %-4s %8s %6s\n' "$r" "$m" "$((g + 1))" "${IP[$g]}" \
                "$from>$to" "$1" "$2" "$3" "$4" "$5" "$6" "$7"
            [ -z "$TSV" ] || printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$m" "$((g + 1))" \
                "${IP[$g]}" "$from" "$to" "$1" "$2" "$3" "$4" "$5" "$6" "$7" >>"$TSV"
            echo "$m $1 $3 $5 $6 $7" >>"$tmp/rows"
            [ "$5" = yes ] || DEAD[$g]=$5
        done
    done
done
median() { sort -n | awk '{a[NR]=$1} END{if(NR==0){print "?"; exit} if(NR%2)print a[(NR+1)/2]; else printf "%g\n", (a[NR/2]+a[NR/2+1])/2}'; }
# a move after which the guest did not answer ping again gives no downtime figure: its gap
# runs until the probe stops. Such moves are counted below, not put into the medians.
ma=$(awk '$1=="A" && $4=="yes"{print $2}' "$tmp/rows" | median)
mb=$(awk '$1=="B" && $4=="yes"{print $2}' "$tmp/rows" | median)
sa=$(awk '$1=="A" && $3=="alive"' "$tmp/rows" | wc -l) na=$(awk '$1=="A"' "$tmp/rows" | wc -l)
sb=$(awk '$1=="B" && $3=="alive"' "$tmp/rows" | wc -l) nb=$(awk '$1=="B"' "$tmp/rows" | wc -l)
echo "median gap_ms (moves after which the guest answered ping)  A nova-evac (libvirt path): $ma   B Nova live migration: $mb"
echo "tcp echo survived  A: $sa/$na   B: $sb/$nb"
# the parts of the gap (same moves as the medians above)
part() { awk -v m="$1" -v c="$2" '$1 == m && $4 == "yes" && $c != "?" && (c != 2 || $5 != "?") {print (c == 2 ? $2 - $5 : $c)}' "$tmp/rows" | median; }
echo "median jobdt_ms (libvirt's switch-over downtime)  A: $(part A 5)   B: $(part B 5)"
echo "median gap_ms - jobdt_ms (after the switch-over)  A: $(part A 2)   B: $(part B 2)"
echo "median act_ms (activation after the gap's end; < 0: before)  A: $(part A 6)   B: $(part B 6)"
ba=$(awk '$1=="A" && $4=="no"' "$tmp/rows" | wc -l) bb=$(awk '$1=="B" && $4=="no"' "$tmp/rows" | wc -l)
[ "$ba$bb" = 00 ] || echo "NOT answering ping 30 s after the move  A: $ba/$na   B: $bb/$nb (their gap_ms is no downtime)"
pa=$(awk '$1=="A" && $4=="panic"' "$tmp/rows" | wc -l) pb=$(awk '$1=="B" && $4=="panic"' "$tmp/rows" | wc -l)
pre=$(awk '$4=="before"' "$tmp/rows" | wc -l)
[ "$pre" = 0 ] || echo "guests not answering before a move (not moved, no figure): $pre"
[ "$pa$pb" = 00 ] || echo "guest kernel panic on arrival (console.log)  A: $pa/$na   B: $pb/$nb (no figure)"
echo "ratio A/B (median gap): $(awk -v a="$ma" -v b="$mb" 'BEGIN{ if (a != "?" && b != "?" && b + 0 > 0) printf "%.2f", a / b; else print "?" }')   (target <= 1.0)"
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
