#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Guests that keep their network (issue 13), on the network lab (real
# neutron-linuxbridge-agent per node, real Linux guests booted through
# Nova, tests/lab/net.sh):
# - migrate of a guest on physnet1 (pre-made bridges): exit 0, its port's
#   only binding is on the destination and ACTIVE, the guest answers ping;
# - a guest on physnet2 (brq bridge made by the agent on demand) to a node
#   without that bridge: refused, exit 3, nothing changed, still answers;
# - drain --via libvirt killed (kill -9) right after the switch-over,
#   before the activation, then --resume: the binding is on the
#   destination and ACTIVE, no binding left on the source, ping answers;
# - drain --via nova: the check of the ports after Nova's move passes.
# The guests start on node03: the lab's guest kernel boots under QEMU's
# TCG (node03) but hangs under the nested KVM of node01/node02, where a
# guest only runs once migrated (its domain keeps type qemu).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
need_lab
need_openstack
NETSH=$top_srcdir/tests/lab/net.sh
[ -x "$NETSH" ] || skip_all "tests/lab/net.sh is missing"
"$NETSH" status >/dev/null 2>&1 || skip_all "the network lab is not up (tests/lab/net.sh up)"
eval "$("$NETSH" env)"
[ -n "${NEL_NET1:-}" ] && [ -n "${NEL_NET2:-}" ] || skip_all "net.sh env: no nel-net1/nel-net2"
. "$top_srcdir/tests/lab/os/api.sh"
NEUTRON=http://127.0.0.1:9696
neutron() { _authed "$NEUTRON" "" "$@"; }
TOK=$(token)
id=$(uniq_id)
tmp=$(mktemp -d)
cleanup() {
    local s
    # the servers booted, also those whose boot failed (named after the test)
    for s in $(cat "$tmp/ids" 2>/dev/null) $(nova GET "/servers?name=$id" | body | jq -r '.servers[].id'); do
        nova DELETE "/servers/$s" >/dev/null 2>&1
    done
    "$NOVA_EVAC" -q undrain node03 >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT
vsh() { virsh -q -c "$("$LABSH" uri "$1")" "${@:2}"; }
boot() { # boot NAME NODE NET -> "UUID IP"
    local r
    r=$("$NETSH" boot "$1" "$2" "$3" 2>"$tmp/boot.err") || { sed 's/^/# /' "$tmp/boot.err"; return 1; }
    set -- $r
    echo "$1" >>"$tmp/ids"
    diag "booted $1 ($2) in $3 s" >&2
    echo "$1 $2"
}
answers() { ip netns exec "$NEL_PROBE_NS" ping -n -c 3 -i 0.3 -W 1 "$1" >/dev/null 2>&1; }
port_of() { neutron GET "/v2.0/ports?device_id=$1" | body | jq -r '.ports[0].id // empty'; }
bindings() { neutron GET "/v2.0/ports/$1/bindings" | body | jq -r '[.bindings[] | .host + ":" + .status] | sort | join(",")'; }
port_state() { neutron GET "/v2.0/ports/$1" | body | jq -r '.port.status + " " + .port."binding:host_id"'; }
wait_port() { # wait_port PORT HOST: ACTIVE on HOST within 30 s
    local i
    for i in $(seq 1 60); do
        [ "$(port_state "$1")" = "ACTIVE $2" ] && return 0
        sleep 0.5
    done
    return 1
}
domstate() { vsh "$1" domstate "$2" 2>/dev/null | head -1; }

# --- migrate, physnet1
r=$(boot "na-$id" node03 net1) || skip_all "could not boot a guest on node03 (net1)"
set -- $r
a=$1 aip=$2
pa=$(port_of "$a")
ok "guest A on physnet1 answers ping from the probe" answers "$aip"
is "$(bindings "$pa")" "node03:ACTIVE" "A's port bound to node03"
run ne migrate "$a" --from node03 --to node02 --stage-images
is "$rc" 0 "migrate A to node02: exit 0"
like "$out" "1 port bound to the destination" "migrate: says the port followed"
ok "A's port ACTIVE on node02" wait_port "$pa" node02
is "$(bindings "$pa")" "node02:ACTIVE" "A's only binding is on node02 (none left on node03)"
ok "A answers ping on node02" answers "$aip"
is "$(domstate node02 "$a")" running "A runs on node02"

# --- physnet2 to a node without its bridge: refused, nothing changed
br=brq${NEL_NET2:0:11}
b=
if ! r=$(boot "nb-$id" node03 net2); then
    ok "physnet2 refusal # SKIP no guest could be booted on net2 (see above)" true
elif set -- $r && b=$1 bip=$2 && pb=$(port_of "$b") &&
    "$LABSH" sh node01 ip link show "$br" >/dev/null 2>&1; then
    diag "node01 has $br already (a guest on net2 there): the refusal is not checked"
else
    # its base image first, so that the bridge is the one thing node01 lacks
    # (on a fresh lab no guest of that image ran there: the move would be
    # refused for the missing base before the VIF is looked at)
    run ne images node03 --to node01 --stage
    is "$rc" 0 "B's base image staged on node01 (only the bridge is missing there)"
    before=$(bindings "$pb")
    run ne migrate "$b" --from node03 --to node01
    is "$rc" 3 "migrate B (physnet2) to node01 without $br: exit 3"
    like "$out" "not moved to node01: port $pb: bridge $br .*does not exist on node01" \
        "the instance, port, host and reason named"
    like "$out" "'--via nova'" "the next step named"
    is "$(bindings "$pb")" "$before" "B's bindings as before (the inactive one made is deleted)"
    is "$(domstate node03 "$b")" running "B still runs on node03"
    ok "B still answers ping" answers "$bip"
fi
if [ -n "$b" ]; then
    nova DELETE "/servers/$b" >/dev/null
    for _ in $(seq 1 120); do [ "$(nova GET "/servers/$b" | code)" = 404 ] && break; sleep 0.5; done
fi

# --- drain --via libvirt killed between the switch-over and the activation
r=$(boot "nc-$id" node03 net1) || skip_all "could not boot a guest on node03 (net1, second)"
set -- $r
c=$1 cip=$2
pc=$(port_of "$c")
NOVA_EVAC_FAULT=journal:job-done run ne drain node03 --via libvirt --to node02
is "$rc" 137 "drain killed (kill -9) right after the first live job completed"
[ "$rc" = 137 ] || printf '%s\n' "$out" | grep -E "error|refus" | head -8 | sed 's/^/# /'
run ne drain node03 --via libvirt --to node02 --resume
ok "drain --resume ends (exit $rc)" test "$rc" -le 1
[ "$rc" -le 1 ] || printf '%s\n' "$out" | tail -15 | sed 's/^/# /'
is "$(domstate node02 "$c")" running "C runs on node02"
ok "C's port ACTIVE on node02 after the resume" wait_port "$pc" node02
is "$(bindings "$pc")" "node02:ACTIVE" "C's only binding is on node02"
ok "C answers ping on node02" answers "$cip"

# --- drain --via nova: the ports are checked after Nova's move
ne -q undrain node03 >/dev/null
r=$(boot "nd-$id" node03 net1) || skip_all "could not boot a guest on node03 (net1, third)"
set -- $r
d=$1 dip=$2
pd=$(port_of "$d")
run ne drain node03 --via nova --to node02
if [ "$(domstate node02 "$d")" != running ]; then
    # Nova's own move failed: nothing of ours to check (said, with Nova's reason)
    printf '%s\n' "$out" | grep -E "error|NOT moved" | head -5 | sed 's/^/# /'
    ok "drain --via nova: ports checked after Nova's move # SKIP Nova's live migration of D failed in this lab (above)" true
else
    is "$rc" 0 "drain --via nova: exit 0 (every port followed)"
    [ "$rc" = 0 ] || printf '%s\n' "$out" | tail -15 | sed 's/^/# /'
    is "$(bindings "$pd")" "node02:ACTIVE" "D's only binding is on node02 (Nova's move)"
    a=0
    answers "$dip" && a=1
    ## a guest whose kernel broke after the move (QEMU's TCG): TODO, named (ping_verdict)
    ping_verdict "D answers ping on node02" "$d" node02 $a
fi

done_testing
