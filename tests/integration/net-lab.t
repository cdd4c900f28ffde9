#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# net-lab.t: the network lab (tests/lab/net.sh) on the mini-cloud. Two servers booted
# through Nova on node02 on nel-net1 (flat physnet1, linuxbridge agent per node) answer
# ping from the probe namespace; a Nova live migration of one to node03 keeps it
# answering and its TCP echo connection open, moves its port binding to node03 (ACTIVE,
# no binding left on node02, Nova's migration record completed), and the probe reports the
# longest gap in its replies. First, the lab's Neutron answers two concurrent activations
# of one binding with 200 and 409 (Nova sends two at every live migration's switch-over).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
need_nova_libvirt
need_net_lab
NEUTRON=http://127.0.0.1:9696
neutron() { _authed "$NEUTRON" "" "$@"; }
id=$(uniq_id)
sess=net-lab-$$
tmp=$(mktemp -d)
cleanup() { # our servers, then any port still on them; the probe session
    local s p
    "$NET" echo stop -s "$sess" >/dev/null 2>&1
    "$NET" probe stop -s "$sess" >/dev/null 2>&1
    for s in $(cat "$tmp/ids" 2>/dev/null); do nova DELETE "/servers/$s" >/dev/null 2>&1; done
    for s in $(cat "$tmp/ids" 2>/dev/null); do
        for p in $(seq 1 120); do [ "$(nova GET "/servers/$s" | code)" = 404 ] && break; sleep 0.5; done
        for p in $(neutron GET "/v2.0/ports?device_id=$s" | body | jq -r '.ports[].id' 2>/dev/null); do
            neutron DELETE "/v2.0/ports/$p" >/dev/null 2>&1
        done
    done
    for p in $(cat "$tmp/ports" 2>/dev/null); do neutron DELETE "/v2.0/ports/$p" >/dev/null 2>&1; done
    rm -rf "$NOVA_EVAC_LAB/net/probe-$sess" "$tmp"
}
trap cleanup EXIT
fl=$(nova GET /flavors | body | jq -r '.flavors[]|select(.name=="nel.guest").id')
ip_of() { nova GET "/servers/$1" | body | jq -r '[.server.addresses[][]|.addr][0] // empty'; }
port_of() { neutron GET "/v2.0/ports?device_id=$1" | body | jq -r '.ports[0].id // empty'; }
port_is() { # port_is PORT HOST: bound to HOST and ACTIVE
    neutron GET "/v2.0/ports/$1" | body | jq -e --arg h "$2" '.port."binding:host_id" == $h and .port.status == "ACTIVE"' >/dev/null
}
pings() { ip netns exec "$NEL_PROBE_NS" ping -n -c 1 -W 1 "$1" >/dev/null 2>&1; }
wait_ping() { local _; for _ in $(seq 1 "$2"); do pings "$1" && return 0; sleep 1; done; return 1; }

# Nova activates a port's destination binding from two threads at once at the switch-over
# of a live migration; the lab's Neutron must answer the loser with the 409 Nova tolerates
# (a 500 left a Nova migration in error, the server MIGRATING): one port of ours, bound to
# node02, an inactive binding on node03, two activations in parallel, three times.
race() {
    local p r codes="" a b
    for r in 1 2 3; do
        p=$(neutron POST /v2.0/ports "{\"port\":{\"network_id\":\"$NEL_NET1\",\"name\":\"$id-race\",\"device_owner\":\"compute:nova\",\"device_id\":\"$id-race\",\"binding:host_id\":\"node02\"}}" | body | jq -r '.port.id // empty')
        [ -n "$p" ] && echo "$p" >>"$tmp/ports" || { codes="$codes no-port"; continue; }
        neutron POST "/v2.0/ports/$p/bindings" '{"binding":{"host":"node03"}}' >/dev/null
        a=$(curl -s -o /dev/null -w '%{http_code}\n' -X PUT -H "X-Auth-Token: $TOK" "$NEUTRON/v2.0/ports/$p/bindings/node03/activate" &
            curl -s -o /dev/null -w '%{http_code}\n' -X PUT -H "X-Auth-Token: $TOK" "$NEUTRON/v2.0/ports/$p/bindings/node03/activate"
            wait)
        b=$(printf '%s\n' "$a" | sort | tr '\n' ' ')
        codes="$codes ${b% }"
        neutron DELETE "/v2.0/ports/$p" >/dev/null
    done
    echo "${codes# }"
}
is "$(race)" "200 409 200 409 200 409" "two concurrent activations of one binding: 200 and 409, never a 500 (3 rounds)"

# The bridge of physnet1 is on every node before any guest is there.
br=brq${NEL_NET1:0:11}
has_link() { "$LABSH" sh "$1" ip link show "$2" >/dev/null 2>&1; }
ok "$br (physnet1) exists on node03 before a guest" has_link node03 "$br"

# Two servers on node02, booted at once.
t0=$(now)
for n in 1 2; do
    r=$(nova POST /servers "{\"server\":{\"name\":\"$id-$n\",\"flavorRef\":\"$fl\",\"imageRef\":\"$NEL_IMAGE\",\"networks\":[{\"uuid\":\"$NEL_NET1\"}],\"availability_zone\":\"nova:node02\"}}" | body)
    s=$(printf '%s' "$r" | jq -r '.server.id // empty' 2>/dev/null)
    [ -n "$s" ] || diag "boot $n: Nova refused: $(printf '%s' "$r" | head -c 300)"
    echo "$s" >>"$tmp/ids"
done
mapfile -t S <"$tmp/ids"
for n in 0 1; do
    ok "server $((n + 1)) ACTIVE on node02" wait_srv "${S[$n]:-none}" '.status=="ACTIVE" and ."OS-EXT-SRV-ATTR:host"=="node02"' 300
done
IP=("$(ip_of "${S[0]}")" "$(ip_of "${S[1]}")")
P=("$(port_of "${S[0]}")" "$(port_of "${S[1]}")")
for n in 0 1; do
    ok "server $((n + 1)) (${IP[$n]}) answers ping from the probe" wait_ping "${IP[$n]:-none}" 180
    ok "server $((n + 1))'s port is bound to node02 and ACTIVE" port_is "${P[$n]:-none}" node02
done
diag "boot of two servers to both answering ping: $(since "$t0") s"

# Nova's live migration of server 1 to node03 under the probe and a held TCP connection.
"$NET" probe start -s "$sess" "${IP[0]}" "${IP[1]}"
ok "TCP echo connection to server 1 opened" "$NET" echo start -s "$sess" "${IP[0]}"
t0=$(now)
code=$(nova POST "/servers/${S[0]}/action" '{"os-migrateLive":{"host":"node03","block_migration":"auto"}}' | code)
is "$code" 202 "live migration of server 1 to node03 accepted"
ok "server 1 ACTIVE on node03" wait_srv "${S[0]}" '.status=="ACTIVE" and ."OS-EXT-STS:task_state"==null and ."OS-EXT-SRV-ATTR:host"=="node03"' 300
# Nova deletes the source binding after the server is ACTIVE there: its migration record
# says when it is done
mig() { nova GET "/os-migrations?instance_uuid=$1" | body | jq -r '.migrations | max_by(.id) | .status // empty'; }
mig_done() { local _; for _ in $(seq 1 120); do [ "$(mig "$1")" = completed ] && return 0; sleep 0.5; done; return 1; }
ok "Nova's migration record of server 1 is completed" mig_done "${S[0]}"
diag "live migration: $(since "$t0") s; server 1: $(srv "${S[0]}"); migration: $(mig "${S[0]}")"
wait_port() { local _; for _ in $(seq 1 60); do port_is "$1" "$2" && return 0; sleep 0.5; done; return 1; }
ok "server 1's port is bound to node03 and ACTIVE" wait_port "${P[0]}" node03
b=$(neutron GET "/v2.0/ports/${P[0]}/bindings" | body | jq -c '[.bindings[]|{host,status}]')
is "$b" '[{"host":"node03","status":"ACTIVE"}]' "server 1's only port binding is the active one on node03"
answered=0
wait_ping "${IP[0]}" 30 && answered=1
# a guest whose kernel broke after the move (QEMU's TCG) gives no verdict on the network:
# TODO, named; net_diag shows the console and the path (ping_verdict, tests/lib.sh)
ping_verdict "server 1 answers ping on node03" "${S[0]}" node03 $answered
ok "server 2 still answers ping on node02" pings "${IP[1]}"
echo_out=$("$NET" echo check -s "$sess" 2>&1)
if [ -n "$broke" ] && ! printf '%s\n' "$echo_out" | grep -q "^${IP[0]//./\\.} alive "; then
    todo "the TCP echo connection survived the move" "server 1's kernel broke (above)"
else
    like "$echo_out" "^${IP[0]//./\\.} alive " "the TCP echo connection survived the move"
fi
probe_out=$("$NET" probe stop -s "$sess")
printf '%s\n' "$probe_out" | sed 's/^/# probe: /'
g=$(printf '%s\n' "$probe_out" | awk -v ip="${IP[0]}" '$1 == ip { sub("longest_gap_ms=", "", $4); print $4 }')
like "${g:-none}" '^[0-9]+$' "the probe reports server 1's longest ping gap across the move (${g:-?} ms)"
done_testing
