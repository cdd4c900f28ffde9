#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# suite lane: own-lab (touches only its private lab; tests/run runs it beside the shared-lab tests)
# Insecure libvirt transports are never silent, and said once per run
# (issue 12): with every node reached over qemu+tcp (the lab's libvirtds
# listen on TCP with auth_tcp = none: plaintext and unauthenticated), a
# plan that opens three of them and a drain that migrates two guests to
# two destinations each print the plaintext-TCP warning (which names the
# unauthenticated socket) exactly once, and a drain the unencrypted
# migration stream warning exactly once.  A configuration on qemu+unix
# prints neither.  nova-evac runs inside node01's network namespace,
# where the nodes' TCP sockets are; a private 3-node lab.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

tmp=$(mktemp -d)
cleanup() { private_lab_wipe; rm -rf "$tmp"; }
trap cleanup EXIT
private_lab tw ntw 3 # no Nova
quiet() { "$@" >/dev/null 2>&1; }
"$LABSH" base tw-img node01 node02 node03 >/dev/null 2>&1
ok "a running guest on node01" quiet "$LABSH" guest node01 tw-a "$(new_uuid)" --image tw-img
ok "another one" quiet "$LABSH" guest node01 tw-b "$(new_uuid)" --image tw-img

# Every node reached as its peers reach it: qemu+tcp://10.77.0.1N/system.
sed 's#^uri = .*#PLACEHOLDER#' "$tmp/ne.conf" | awk '
    /^PLACEHOLDER$/ { held = 1; next }
    /^peer_uri = / { if (held) { u = $0; sub(/^peer_uri/, "uri", u); print u; held = 0 } }
    { print }' >"$tmp/tcp.conf"
ok "the TCP configuration names a qemu+tcp uri for each node" \
    test "$(grep -c '^uri = qemu+tcp://' "$tmp/tcp.conf")" = 3
in01() { "$LABSH" sh node01 env NOVA_EVAC_CONFIG="$tmp/tcp.conf" HOME="$tmp" "$NOVA_EVAC" "$@"; }
plain='is plaintext TCP'
stream='migration streams are not encrypted'

run in01 plan node01 --to node02,node03
is "$rc" 0 "plan over qemu+tcp: exit 0"
like "$out" "tw-a .*node0[23]" "the plan places the guests (the TCP sockets answer)"
is "$(grep -c "$plain" <<<"$out")" 1 "plan: one plaintext-TCP warning for three qemu+tcp nodes"
like "$(grep "$plain" <<<"$out")" "auth_tcp is \"sasl\"" "it says an unauthenticated socket lets anyone control the guests"
like "$(grep "$plain" <<<"$out")" "qemu\+tls:// or qemu\+ssh://" "and what to use instead"

run in01 drain node01 --to node02,node03 -j 2
is "$rc" 0 "drain over qemu+tcp: exit 0"
is "$(virsh -q -c "$NODE01_URI" list --all --name | grep -c '^tw-')" 0 "both guests left node01"
is "$(virsh -q -c "$NODE02_URI" list --name | grep -c '^tw-') $(virsh -q -c "$NODE03_URI" list --name | grep -c '^tw-')" "1 1" \
    "one runs on each destination: two peers reached over qemu+tcp"
is "$(grep -c "$plain" <<<"$out")" 1 "drain: one plaintext-TCP warning for every connection and migration"
is "$(grep -c "$stream" <<<"$out")" 1 "drain: one unencrypted-stream warning for two migrations"

run ne plan node02 --to node01,node03
is "$(grep -c "$plain" <<<"$out")" 0 "over qemu+unix: no plaintext-TCP warning"
done_testing
