#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# suite lane: own-lab (touches only its private lab; tests/run runs it beside the shared-lab tests)
# check's migration-port finding (issue 14): node02's first migration port
# (49152) answers with a refusal (nothing listens between migrations): no
# finding.  With a firewall rule in node02's namespace dropping it, the
# probe gets no answer: a warning naming the port, the host and the fix;
# the rule removed, the finding goes.  A private 2-node lab, no Nova.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

command -v jq >/dev/null || skip_all "jq is needed"
command -v iptables >/dev/null || skip_all "iptables is needed"
tmp=$(mktemp -d)
rule=(INPUT -p tcp --dport 49152 -j DROP)
cleanup() {
    [ -n "${NODE02_NS:-}" ] && ip netns exec "$NODE02_NS" iptables -D "${rule[@]}" 2>/dev/null
    private_lab_wipe
    rm -rf "$tmp"
}
trap cleanup EXIT
private_lab ckmp nmp 2
hub=${NETNS_PREFIX}-hub
ck() {
    out=$(ip netns exec "$hub" "$NOVA_EVAC" --format json check node01 --to node02 2>"$tmp/err")
    rc=$?
}
mp() { jq -r '[.findings[] | select(.check == "migration-port")] | map("\(.severity) \(.host): \(.message) / \(.fix)") | join("\n")' <<<"$out"; }

ck
is "$(mp)" "" "port 49152 refused (nothing listens): no migration-port finding"
ok "the probe really went out: node02 answered" test -n "$out"
ip netns exec "$NODE02_NS" iptables -A "${rule[@]}" || skip_all "cannot add a firewall rule in node02's namespace"
t0=$(date +%s.%N)
ck
diag "check with the port dropped: $(echo "$(date +%s.%N) - $t0" | bc) s"
like "$(mp)" "^warning node02: no answer from 10.77.0.12 port 49152 within 3 s \(libvirt's first migration port" \
    "dropped: a warning naming the host, address and port"
like "$(mp)" "let the other nodes reach TCP ports 49152-49215 on node02" "the fix names the port range"
is "$rc" 1 "warnings only: exit 1"
ip netns exec "$NODE02_NS" iptables -D "${rule[@]}"
ck
is "$(mp)" "" "the rule removed: the finding is gone"
ck_tunnel() {
    sed 's/^\[migration\]$/[migration]\ntunnelled = true/' "$NOVA_EVAC_CONFIG" >"$tmp/tun.conf"
    grep -q '^tunnelled = true' "$tmp/tun.conf" || printf '[migration]\ntunnelled = true\n' >>"$tmp/tun.conf"
    ip netns exec "$NODE02_NS" iptables -A "${rule[@]}"
    out=$(NOVA_EVAC_CONFIG=$tmp/tun.conf ip netns exec "$hub" "$NOVA_EVAC" --format json check node01 --to node02 2>/dev/null)
    ip netns exec "$NODE02_NS" iptables -D "${rule[@]}"
}
ck_tunnel
is "$(mp)" "" "tunnelled migration: the port is not needed, not probed"
done_testing
