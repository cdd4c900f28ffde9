#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# A guest whose Neutron port the destination cannot take is refused before
# anything moves: a lab guest on node02 with a linux-bridge interface and a
# real Neutron port (device_id = its uuid, its MAC) on a flat network no L2
# agent maps.  `migrate --to node03` must exit 3 naming the instance, the
# port, the host, the reason and --via nova; the guest still runs on
# node02, node03 defines nothing, and the port has no binding on node03
# (whatever the lab's agents: without an agent Neutron has none alive on
# node03; with one, Neutron cannot bind the unmapped network there).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
need_lab
need_openstack
. "$top_srcdir/tests/lab/os/api.sh"
NEUTRON=http://127.0.0.1:9696
neutron() { _authed "$NEUTRON" "" "$@"; }
TOK=$(token)
[ -n "$TOK" ] || skip_all "no admin token from the lab Keystone"
curl -sf -o /dev/null --max-time 10 "$NEUTRON/" || skip_all "neutron-server does not answer on $NEUTRON"
id=$(uniq_id)
tmp=$(mktemp -d)
br=nebr$$
name=nr-$id
uuid=$(new_uuid)
mac=$(printf 'fa:16:3e:%02x:%02x:%02x' $((RANDOM % 256)) $((RANDOM % 256)) $((RANDOM % 256)))
net= port=
vsh() { virsh -q -c "$("$LABSH" uri "$1")" "${@:2}"; }
cleanup() {
    local n
    for n in node02 node03; do
        vsh $n destroy "$name" >/dev/null 2>&1
        vsh $n undefine "$name" >/dev/null 2>&1
    done
    [ -n "$port" ] && neutron DELETE "/v2.0/ports/$port" >/dev/null 2>&1
    [ -n "$net" ] && neutron DELETE "/v2.0/networks/$net" >/dev/null 2>&1
    "$LABSH" sh node02 ip link del "$br" >/dev/null 2>&1
    rm -rf "$NOVA_EVAC_LAB"/lab/node0[23]/instances/"$uuid" \
        "$NOVA_EVAC_LAB"/lab/node0[23]/instances/_base/"$(printf %s "nr-$id" | sha1sum | cut -c1-40)"
    rm -rf "$tmp"
}
trap cleanup EXIT
bindings() { neutron GET "/v2.0/ports/$port/bindings" | body | jq -r '[.bindings[] | .host + ":" + .status] | sort | join(",")'; }

# the guest: the lab's domain with a linux-bridge interface (as Nova writes one)
"$LABSH" sh node02 ip link add "$br" type bridge >/dev/null 2>&1
"$LABSH" sh node02 ip link set "$br" up >/dev/null 2>&1
"$LABSH" base "nr-$id" --size 16M node02 node03 >/dev/null 2>&1
"$LABSH" guest node02 "$name" "$uuid" --image "nr-$id" --shutoff >/dev/null 2>&1
vsh node02 dumpxml --inactive "$name" | sed "s|<serial type='pty'/>|<interface type='bridge'><mac address='$mac'/><source bridge='$br'/><target dev='tap${uuid:0:11}'/><model type='virtio'/></interface>\n<serial type='pty'/>|" >"$tmp/dom.xml"
vsh node02 define "$tmp/dom.xml" >/dev/null 2>&1 && vsh node02 start "$name" >/dev/null 2>&1
is "$(vsh node02 domstate "$name" 2>/dev/null | head -1)" running "guest with a bridge interface runs on node02"

# its port in Neutron, bound to node02
r=$(neutron POST /v2.0/networks "{\"network\":{\"name\":\"$id\",\"provider:network_type\":\"flat\",\"provider:physical_network\":\"nr${$}x\"}}")
net=$(printf '%s' "$r" | body | jq -r '.network.id // empty')
r=$(neutron POST /v2.0/ports "{\"port\":{\"name\":\"$id\",\"network_id\":\"$net\",\"device_id\":\"$uuid\",\"device_owner\":\"compute:nova\",\"mac_address\":\"$mac\"}}")
port=$(printf '%s' "$r" | body | jq -r '.port.id // empty')
neutron PUT "/v2.0/ports/$port" '{"port":{"binding:host_id":"node02"}}' >/dev/null
ok "a Neutron port with the guest's MAC and device_id" test -n "$port"
before=$(bindings)
is "$before" "node02:ACTIVE" "its one binding is on node02"

# inspect and plan show the port, its host and what a move would do
out=$(ne --format json inspect node02 2>/dev/null)
is "$(printf '%s' "$out" | jq -r --arg u "$uuid" '.domains[] | select(.uuid == $u) | .ports[] | .id + " " + .binding.host')" \
    "$port node02" "inspect: the guest's port and the host it is bound to"
run ne inspect node02
like "$out" "$name: port $port network $net, [A-Z]+, bound to node02" "inspect (table): the port line"
out=$(ne --format json plan node02 --to node03 2>/dev/null)
is "$(printf '%s' "$out" | jq -r --arg u "$uuid" '.instances[] | select(.uuid == $u) | .ports[0] | .id + " " + .host + " " + .action')" \
    "$port node02 refuse (move it with --via nova)" "plan: the port would make the move refuse"
like "$(printf '%s' "$out" | jq -r --arg u "$uuid" '.instances[] | select(.uuid == $u) | .ports[0].reason')" \
    "(no L2 agent on node03|not alive|could not|cannot be prepared)" "plan: with the reason"
run ne plan node02 --to node03
like "$out" "$name: port $port \(bound to node02\): refuse" "plan (table): the port line"
out=$(ne --format json drain node02 --to node03 --dry-run 2>/dev/null)
is "$(printf '%s' "$out" | jq -r --arg u "$uuid" '.instances[] | select(.uuid == $u) | .ports[0].action')" \
    "refuse (move it with --via nova)" "drain --dry-run: the same word on the port"
is "$(bindings)" "$before" "inspect and plan changed no binding"

# dry run: the same refusal, nothing asked of Neutron
run ne migrate "$name" --from node02 --to node03 --dry-run
is "$rc" 3 "migrate --dry-run: refused, exit 3"
like "$out" "$name \($uuid\): not moved to node03: port $port: .*--via nova" \
    "dry run: the instance, destination, port and --via nova named"
is "$(bindings)" "$before" "dry run: no binding made"

# the move: refused before anything moves
run ne migrate "$name" --from node02 --to node03
is "$rc" 3 "migrate: refused, exit 3"
like "$out" "$name \($uuid\): not moved to node03: port $port: " "migrate: instance, host and port named"
like "$out" "(no L2 agent on node03|Neutron refused an inactive binding on node03|could not bind)" \
    "migrate: the reason as Neutron gives it"
like "$out" "'--via nova'" "migrate: the next step named"
is "$(vsh node02 domstate "$name" 2>/dev/null | head -1)" running "the guest still runs on node02"
is "$(vsh node03 list --all --name | grep -cx "$name")" 0 "node03 defines nothing"
is "$(bindings)" "$before" "the port's bindings are as before: nothing left on node03"

done_testing
