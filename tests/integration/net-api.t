#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# nova-evac's Neutron client against the lab's real neutron-server: the
# port-bindings extension is detected, an instance's ports are listed with
# their binding, a port's bindings are read, the L2 agents of a host are
# judged as Neutron reports them, and a binding Neutron cannot make (a
# physical network no agent maps) fails with Neutron's reason, the port
# and the host named, and leaves the port as it was.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
need_openstack
. "$top_srcdir/tests/lab/os/api.sh"
NEUTRON=http://127.0.0.1:9696
neutron() { _authed "$NEUTRON" "" "$@"; }
TOK=$(token)
[ -n "$TOK" ] || skip_all "no admin token from the lab Keystone"
curl -sf -o /dev/null --max-time 10 "$NEUTRON/" || skip_all "neutron-server does not answer on $NEUTRON"
id=$(uniq_id)
dev=$(new_uuid)
net= port=
cleanup() {
    [ -n "$port" ] && neutron DELETE "/v2.0/ports/$port" >/dev/null 2>&1
    [ -n "$net" ] && neutron DELETE "/v2.0/networks/$net" >/dev/null 2>&1
}
trap cleanup EXIT
js() { printf '%s' "$out" | jq -r "$1" 2>/dev/null; }
jrun() { out=$("$@" 2>/dev/null); rc=$?; }

# a flat network on a physical network no agent maps: binding it always fails
r=$(neutron POST /v2.0/networks "{\"network\":{\"name\":\"$id\",\"provider:network_type\":\"flat\",\"provider:physical_network\":\"ne${$}x\"}}")
net=$(printf '%s' "$r" | body | jq -r '.network.id // empty')
ok "a network made for the test" test -n "$net"
r=$(neutron POST /v2.0/ports "{\"port\":{\"name\":\"$id\",\"network_id\":\"$net\",\"device_id\":\"$dev\",\"device_owner\":\"compute:nova\"}}")
port=$(printf '%s' "$r" | body | jq -r '.port.id // empty')
ok "a port with device_id $dev" test -n "$port"
r=$(neutron PUT "/v2.0/ports/$port" '{"port":{"binding:host_id":"node02"}}')
is "$(printf '%s' "$r" | code)" 200 "the port's host set to node02"

# extension and ports
want_ext=$(neutron GET /v2.0/extensions | body | jq -r '[.extensions[].alias] | index("binding-extended") != null')
jrun ne --format json api ports "$dev"
is "$rc" 0 "api ports: exit 0"
is "$(js .binding_extended)" "$want_ext" "binding-extended detected as Neutron lists it ($want_ext)"
is "$(js '.ports | length')" 1 "api ports: the one port of the instance"
is "$(js '.ports[0].id')" "$port" "api ports: its id"
is "$(js '.ports[0].network_id')" "$net" "api ports: its network"
is "$(js '.ports[0].binding.host')" node02 "api ports: bound to node02"
is "$(js '.ports[0].binding.vif_type')" \
    "$(neutron GET "/v2.0/ports/$port" | body | jq -r '.port."binding:vif_type"')" \
    "api ports: vif_type as Neutron shows it"
jrun ne --format json api ports "$(new_uuid)"
is "$rc/$(js '.ports | length')" 0/0 "api ports: an instance without ports has none"

# bindings
jrun ne --format json api port-bindings "$port"
is "$rc" 0 "api port-bindings: exit 0"
is "$(js '[.bindings[].host] | join(",")')" \
    "$(neutron GET "/v2.0/ports/$port/bindings" | body | jq -r '[.bindings[].host] | join(",")')" \
    "api port-bindings: the hosts Neutron lists"
run ne api port-bindings "$(new_uuid)"
is "$rc" 2 "api port-bindings: an unknown port is exit 2"
like "$out" "neutron: list the bindings of port [0-9a-f-]{36}: HTTP 404 .*could not be found" \
    "api port-bindings: an unknown port named with Neutron's reason"

# agents, as Neutron reports them
jrun ne --format json api agents node03
is "$rc" 0 "api agents: exit 0"
want=$(neutron GET "/v2.0/agents?host=node03" | body |
    jq -r '[.agents[] | select(.alive and .admin_state_up and (.agent_type | test("Linux bridge|Open vSwitch|NIC Switch|Macvtap|OVN Controller")))] | length > 0')
is "$(js .l2_alive)" "$want" "api agents: L2 liveness on node03 as Neutron shows it ($want)"
jrun ne --format json api agents "nohost-$id"
is "$rc/$(js .l2_alive)" 0/false "api agents: no agent on a host Neutron does not know"
like "$(js .why)" "no L2 agent on nohost-$id" "api agents: the reason names the host"

# a binding Neutron cannot make
run ne api port-bind "$port" node03
ok "api port-bind to an unmapped network fails (exit $rc)" test "$rc" -ne 0
like "$out" "neutron: create the binding of port $port on host node03: HTTP (500|409|400) " \
    "api port-bind: the port, the host and Neutron's status named"
is "$(neutron GET "/v2.0/ports/$port/bindings" | body | jq -r '[.bindings[].host] | join(",")')" \
    node02 "api port-bind: the failed binding left nothing on node03"
run ne api port-unbind "$port" node03
is "$rc" 0 "api port-unbind of a binding that does not exist: exit 0"
like "$out" "did not exist" "api port-unbind: says there was none"
run ne api port-activate "$port" "nohost-$id"
ok "api port-activate on a host without a binding fails (exit $rc)" test "$rc" -ne 0
like "$out" "neutron: activate the binding of port $port on host nohost-$id: HTTP 404" \
    "api port-activate: the port and host named"

done_testing
