#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# net-drain.t: issue 13's first acceptance, both paths in one run, on the network lab
# (tests/lab/net.sh: a neutron-linuxbridge-agent per node, real Linux guests booted through
# Nova on nel-net1). Two servers on node02 answer ping; `drain node02 --via libvirt` moves
# them (exit 0), each answers ping on its new host, its TCP echo connection survives, its
# port's only binding is the ACTIVE one on the host Nova names; node02 is undrained. Then two
# more servers on node02 and `drain node02 --via nova`, the same checks. The probe's longest
# run of lost pings (10 ms) per guest is printed for both paths in one table.
# node02 must hold only this test's guests: a drain moves everything on it.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
need_nova_libvirt
need_net_lab
NEUTRON=http://127.0.0.1:9696
neutron() { _authed "$NEUTRON" "" "$@"; }
id=$(uniq_id)
tmp=$(mktemp -d)
: >"$tmp/ids"
drained=
cleanup() {
    local s p v
    for v in libvirt nova; do
        "$NET" echo stop -s "$id-$v" >/dev/null 2>&1
        "$NET" probe stop -s "$id-$v" >/dev/null 2>&1
        rm -rf "$NOVA_EVAC_LAB/net/probe-$id-$v"
    done
    for s in $(cat "$tmp/ids") $(nova GET "/servers?name=^$id-" | body | jq -r '.servers[].id' 2>/dev/null); do
        nova DELETE "/servers/$s" >/dev/null 2>&1
    done
    [ -z "$drained" ] || ne -q undrain node02 >/dev/null 2>&1
    for s in $(cat "$tmp/ids"); do
        for p in $(seq 1 120); do [ "$(nova GET "/servers/$s" | code)" = 404 ] && break; sleep 0.5; done
        for p in $(neutron GET "/v2.0/ports?device_id=$s" | body | jq -r '.ports[].id' 2>/dev/null); do
            neutron DELETE "/v2.0/ports/$p" >/dev/null 2>&1
        done
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
fl=$(nova GET /flavors | body | jq -r '.flavors[]|select(.name=="nel.guest").id')
vsh() { virsh -q -c "$("$LABSH" uri "$1")" "${@:2}"; }
host_of() { nova GET "/servers/$1" | body | jq -r '.server."OS-EXT-SRV-ATTR:host" // empty'; }
ip_of() { nova GET "/servers/$1" | body | jq -r '[.server.addresses[][]|.addr][0] // empty'; }
port_of() { neutron GET "/v2.0/ports?device_id=$1" | body | jq -r '.ports[0].id // empty'; }
bindings() { neutron GET "/v2.0/ports/$1/bindings" | body | jq -r '[.bindings[] | .host + ":" + .status] | sort | join(",")'; }
port_is() { # port_is PORT HOST: bound to HOST and ACTIVE
    neutron GET "/v2.0/ports/$1" | body | jq -e --arg h "$2" '.port."binding:host_id" == $h and .port.status == "ACTIVE"' >/dev/null
}
wait_port() { local _; for _ in $(seq 1 60); do port_is "$1" "$2" && return 0; sleep 0.5; done; return 1; }
pings() { ip netns exec "$NEL_PROBE_NS" ping -n -c 1 -W 1 "$1" >/dev/null 2>&1; }
wait_ping() { local _; for _ in $(seq 1 "$2"); do pings "$1" && return 0; sleep 1; done; return 1; }
# what runs on node02 or is placed there by Nova that this test did not boot
foreign() {
    {
        nova GET '/servers/detail?all_tenants=1' | body |
            jq -r '.servers[] | select(."OS-EXT-SRV-ATTR:host" == "node02") | .id'
        vsh node02 list --all --uuid
    } | grep -vxF -f "$tmp/ids" | grep . | sort -u | tr '\n' ' '
}

# boot_two TAG: two servers on nel-net1 on node02, booted at once; sets S, IP, P
boot_two() {
    local n r s t0
    S=() IP=() P=()
    t0=$(now)
    for n in 1 2; do
        r=$(nova POST /servers "{\"server\":{\"name\":\"$id-$1$n\",\"flavorRef\":\"$fl\",\"imageRef\":\"$NEL_IMAGE\",\"networks\":[{\"uuid\":\"$NEL_NET1\"}],\"availability_zone\":\"nova:node02\"}}" | body)
        s=$(printf '%s' "$r" | jq -r '.server.id // empty' 2>/dev/null)
        [ -n "$s" ] || diag "boot $1$n: Nova refused: $(printf '%s' "$r" | head -c 300)"
        [ -n "$s" ] && echo "$s" >>"$tmp/ids"
        S+=("${s:-none}")
    done
    for n in 0 1; do
        ok "$1: server $((n + 1)) ACTIVE on node02" \
            wait_srv "${S[$n]}" '.status=="ACTIVE" and ."OS-EXT-SRV-ATTR:host"=="node02"' 300
        IP+=("$(ip_of "${S[$n]}")") P+=("$(port_of "${S[$n]}")")
    done
    for n in 0 1; do
        ok "$1: server $((n + 1)) (${IP[$n]:-no address}) answers ping from the probe" wait_ping "${IP[$n]:-none}" 180
        ok "$1: server $((n + 1))'s port bound to node02 and ACTIVE" port_is "${P[$n]:-none}" node02
    done
    diag "$1: two servers booted on node02 and answering ping in $(since "$t0") s"
}

# drain_path VIA: two fresh servers on node02, drained with --via VIA under the probe
drain_path() {
    local via=$1 sess=$id-$1 n h g e f t0 probe_out echo_out
    boot_two "$via"
    f=$(foreign)
    ok "$via: node02 holds only this test's guests (a drain moves all of them)" test -z "$f"
    if [ -n "$f" ]; then
        ## skip this path, but take its servers off node02: left there, the next path's drain
        ## would move them too and count their failures as its own
        diag "$via: not ours on node02: $f"
        for n in 0 1; do nova DELETE "/servers/${S[$n]}" >/dev/null 2>&1; done
        for n in 0 1; do
            for f in $(seq 1 120); do [ "$(nova GET "/servers/${S[$n]}" | code)" = 404 ] && break; sleep 0.5; done
        done
        return
    fi
    "$NET" probe start -s "$sess" "${IP[@]}"
    "$NET" echo start -s "$sess" "${IP[@]}" >/dev/null 2>"$tmp/echo.err" ||
        diag "$via: echo start: $(cat "$tmp/echo.err")"
    t0=$(now)
    drained=1
    run ne drain node02 --via "$via"
    is "$rc" 0 "drain node02 --via $via: exit 0"
    [ "$rc" = 0 ] || printf '%s\n' "$out" | tail -20 | sed 's/^/# /'
    diag "$via: drain of two guests: $(since "$t0") s"
    for n in 0 1; do
        h=$(host_of "${S[$n]}")
        ok "$via: server $((n + 1)) left node02 (Nova: ${h:-none})" test -n "$h" -a "$h" != node02
        is "$(vsh "${h:-node02}" domstate "${S[$n]}" 2>/dev/null | head -1)" running \
            "$via: server $((n + 1)) runs on $h"
        is "$(vsh node02 domstate "${S[$n]}" 2>&1 | grep -c 'running')" 0 \
            "$via: server $((n + 1)) no longer runs on node02"
        ok "$via: server $((n + 1))'s port bound to $h and ACTIVE" wait_port "${P[$n]:-none}" "$h"
        is "$(bindings "${P[$n]:-none}")" "$h:ACTIVE" "$via: server $((n + 1))'s only binding is on $h"
        e=0
        wait_ping "${IP[$n]:-none}" 30 && e=1
        ## a guest whose kernel broke after the move (QEMU's TCG, whichever path drives the
        ## migration) gives no verdict on the network: TODO, named (ping_verdict, tests/lib.sh)
        ping_verdict "$via: server $((n + 1)) answers ping on $h" "${S[$n]}" "$h" $e
        B[$via$n]=$broke
        H[$via$n]=$h
    done
    echo_out=$("$NET" echo check -s "$sess" 2>&1)
    probe_out=$("$NET" probe stop -s "$sess")
    "$NET" echo stop -s "$sess" >/dev/null 2>&1
    printf '%s\n' "$probe_out" "$echo_out" | sed "s/^/# $via: /"
    for n in 0 1; do
        g=$(printf '%s\n' "$probe_out" | awk -v ip="${IP[$n]}" '$1 == ip { sub("longest_gap_ms=", "", $4); print $4 }')
        like "${g:-none}" '^[0-9]+$' "$via: the probe measured server $((n + 1))'s longest ping gap (${g:-?} ms)"
        e=$(printf '%s\n' "$echo_out" | awk -v ip="${IP[$n]}" '$1 == ip { print $2 }')
        if [ -n "${B[$via$n]}" ] && [ "${e:-none}" != alive ]; then
            todo "$via: server $((n + 1))'s TCP echo connection survived the move" "its kernel broke (above)"
        else
            is "${e:-none}" alive "$via: server $((n + 1))'s TCP echo connection survived the move"
        fi
        printf '%-8s %-10s %-12s %-7s %8s %5s  %s\n' "$via" "server$((n + 1))" "${IP[$n]}" "${H[$via$n]}" \
            "${g:-?}" "$(printf '%s\n' "$probe_out" | awk -v ip="${IP[$n]}" '$1 == ip { sub("lost=", "", $3); print $3 }')" \
            "${e:-?}" >>"$tmp/table"
    done
    run ne undrain node02
    is "$rc" 0 "undrain node02 after the $via drain"
    drained=
    for n in 0 1; do nova DELETE "/servers/${S[$n]}" >/dev/null 2>&1; done
}

declare -A H B
drain_path libvirt
drain_path nova
diag "longest run of lost pings per guest (probe every 10 ms), both paths in this run:"
diag "$(printf '%-8s %-10s %-12s %-7s %8s %5s  %s' path guest ip to gap_ms lost tcp_echo)"
while IFS= read -r l; do diag "$l"; done <"$tmp/table"
done_testing
