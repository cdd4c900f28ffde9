#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# suite lane: own-lab (touches only its private lab; tests/run runs it beside the shared-lab tests)
# check's nova-conf findings (issue 14): the nova.conf nova-evac reads
# ([DEFAULT] nova_conf) with the [libvirt] settings of a Mitaka-era compute
# node (live_migration_flag with VIR_MIGRATE_TUNNELLED, block_migration_flag,
# live_migration_uri over qemu+tcp): each one a warning naming the file and
# the setting, with the settings that replace it; exit 1.  A current
# nova.conf, or none, says nothing.  A private 2-node lab, no Nova.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

command -v jq >/dev/null || skip_all "jq is needed"
tmp=$(mktemp -d)
cleanup() {
    private_lab_wipe
    rm -rf "$tmp"
}
trap cleanup EXIT
private_lab cknc nnc 2
hub=${NETNS_PREFIX}-hub
printf '[migration]\ntls = true\n' >>"$NOVA_EVAC_CONFIG"
ck() {   # check in the hub namespace, JSON, with nova_conf = $1; sets $out, $rc
    sed "s#^\[DEFAULT\]\$#[DEFAULT]\nnova_conf = $1#" "$NOVA_EVAC_CONFIG" >"$tmp/ck.conf"
    out=$(NOVA_EVAC_CONFIG=$tmp/ck.conf ip netns exec "$hub" "$NOVA_EVAC" --format json check node01 \
        --to node02 --no-tcp-probe 2>"$tmp/err")
    rc=$?
}
nc() { jq -r '[.findings[] | select(.check == "nova-conf")] | map(.object) | join(",")' <<<"$out"; }
msg() { jq -r --arg o "$1" '[.findings[] | select(.check == "nova-conf" and (.object | endswith($o)))][0] | "\(.severity): \(.message) / \(.fix)"' <<<"$out"; }

ck "$tmp/absent.conf"
is "$rc" 0 "no nova.conf: a clean pair, exit 0"
is "$(nc)" "" "no nova-conf finding"

cat >"$tmp/nova.conf" <<'CONF'
[DEFAULT]
host = node01
[libvirt]
virt_type = kvm
live_migration_flag = VIR_MIGRATE_UNDEFINE_SOURCE, VIR_MIGRATE_PEER2PEER, VIR_MIGRATE_LIVE, VIR_MIGRATE_TUNNELLED
block_migration_flag = VIR_MIGRATE_UNDEFINE_SOURCE, VIR_MIGRATE_PEER2PEER, VIR_MIGRATE_LIVE, VIR_MIGRATE_NON_SHARED_INC
live_migration_uri = qemu+tcp://%s/system
CONF
ck "$tmp/nova.conf"
is "$rc" 1 "a Mitaka-era nova.conf: warnings, exit 1"
is "$(nc)" "$tmp/nova.conf [libvirt] live_migration_flag,$tmp/nova.conf [libvirt] block_migration_flag,$tmp/nova.conf [libvirt] live_migration_uri" \
    "one finding per setting, naming the file and the setting"
like "$(msg live_migration_flag)" "^warning: live_migration_flag = .*VIR_MIGRATE_TUNNELLED: read only by Nova before 14.0 \(Newton\), ignored since.*tunnelled migration.*/ remove it; .*live_migration_tunnelled" \
    "live_migration_flag: ignored since Newton, tunnelled called out, the replacement named"
like "$(msg live_migration_uri)" "deprecated since Nova 15.0 .*plaintext.*/ replace it with live_migration_scheme" \
    "live_migration_uri: deprecated, plaintext qemu+tcp, the replacement named"
run ip netns exec "$hub" env NOVA_EVAC_CONFIG="$tmp/ck.conf" "$NOVA_EVAC" check node01 --to node02 --no-tcp-probe
like "$out" "live_migration_flag" "the text output says it too"

printf '[libvirt]\nlive_migration_scheme = tls\nlive_migration_tunnelled = false\n' >"$tmp/new.conf"
ck "$tmp/new.conf"
is "$rc" 0 "a current nova.conf: exit 0"
is "$(nc)" "" "no nova-conf finding"
printf '[libvirt\nx\n' >"$tmp/bad.conf"
ck "$tmp/bad.conf"
like "$(jq -r '[.findings[] | select(.check == "nova-conf")][0].message' <<<"$out")" "does not parse" \
    "a nova.conf that does not parse: said"
done_testing
