#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# drain --via nova at the compute API's oldest microversion (issue 14):
# OS_COMPUTE_API_VERSION=2.1 caps what the tool asks for, as an old
# (Mitaka-era) Nova would.  The servers are booted at the lab's newest
# microversion ("networks": "none" needs 2.37); only the drain runs at 2.1.
# Every request it sends says 2.1, os-migrateLive carries block_migration
# and disk_over_commit as booleans and no "force", and the drain empties
# the node.  The requests are read from the tool's own --debug http output.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
need_lab
need_openstack
[ "${NOVA_EVAC_OS_MODE:-}" = libvirt ] ||
    skip_all "the OpenStack lab runs in '${NOVA_EVAC_OS_MODE:-}' mode; this test needs 'libvirt' (tests/lab/openstack.sh up libvirt)"
command -v jq >/dev/null || skip_all "jq is needed"
. "$top_srcdir/tests/lab/os/api.sh"
TOK=$(token)
[ -n "$TOK" ] || skip_all "no admin token from the lab Keystone"
id=$(uniq_id)
tmp=$(mktemp -d)
cleanup() {
    local s
    for s in $(cat "$tmp/ids" 2>/dev/null); do nova DELETE "/servers/$s" >/dev/null 2>&1; done
    for s in $(cat "$tmp/ids" 2>/dev/null); do  # gone, so no later drain of node03 sees them
        for _ in $(seq 1 60); do nova GET "/servers/$s" | body | jq -e .server >/dev/null 2>&1 || break; sleep 1; done
    done
    "$NOVA_EVAC" -q undrain node03 >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT
{ cat "$NOVA_EVAC_LAB/nova-evac.conf"
  printf '[DEFAULT]\nstate_dir = %s/state\nnova_conf = %s/nova.conf\n' "$tmp" "$NOVA_EVAC_OS"; } >"$tmp/ne.conf"
export NOVA_EVAC_CONFIG=$tmp/ne.conf
host_of() { nova GET "/servers/$1" | body | jq -r '.server."OS-EXT-SRV-ATTR:host"'; }
status_of() { nova GET "/servers/$1" | body | jq -r '.server.status'; }
not() { ! "$@"; }
on_node() { virsh -q -c "$("$LABSH" uri "$1")" domstate "$2" 2>/dev/null | head -1; }
svc() { nova GET '/os-services?binary=nova-compute&host=node03' | body | jq -r ".services[0] | $1"; }
boot() { nova_boot "$1" node03; } # boot NAME: a server on node03, ACTIVE
fl=$(nova GET /flavors | body | jq -r '.flavors[]|select(.name=="m1.tiny").id')
img=$(glance GET '/v2/images?name=tiny' | body | jq -r '.images[0].id')
[ -n "$fl" ] && [ -n "$img" ] && [ "$img" != null ] || skip_all "lab seed missing (flavor m1.tiny, image tiny)"

a=$(boot a) && b=$(boot b) && c=$(boot c) || skip_all "could not boot servers on node03"
nova POST "/servers/$c/action" '{"os-stop":null}' >/dev/null
wait_srv "$c" '.status=="SHUTOFF" and ."OS-EXT-STS:task_state"==null' 120 >/dev/null ||
    skip_all "server c did not stop"
t0=$(date +%s)
OS_COMPUTE_API_VERSION=2.1 "$NOVA_EVAC" --debug http drain node03 --via nova --to node01 \
    --reason "mv21 $id" >"$tmp/out" 2>"$tmp/err"
rc=$?
diag "drain --via nova at 2.1: $(( $(date +%s) - t0 )) s"
# The stopped server: below 2.56 a cold migration cannot name its host, so
# Nova's scheduler chooses (node01 or node02); the tool keeps the move only
# on node01, reverts it otherwise (the drain retries), and never leaves it
# elsewhere.
cs="$(status_of "$c") $(host_of "$c")"
if [ "$cs" = "SHUTOFF node01" ]; then want_rc=0; else want_rc=1; fi
is "$rc" "$want_rc" "drain node03 --via nova at 2.1 exits $want_rc (the stopped server: $cs)" || sed 's/^/# /' "$tmp/out" "$tmp/err" | grep -v '^# nova-evac: \[http\]' | tail -30
for s in "$a" "$b"; do
    is "$(status_of "$s") $(host_of "$s")" "ACTIVE node01" "Nova: $s ACTIVE on node01"
    is "$(on_node node01 "$s")" "running" "libvirt: $s runs on node01"
    is "$(on_node node03 "$s")" "" "libvirt: $s gone from node03"
done
ok "the stopped server is SHUTOFF on node01, or back on node03: never elsewhere" \
    grep -qx "SHUTOFF node0[13]" <<<"$cs"
ok "its cold migration asked without a host (2.1 has none)" grep -q '> {"migrate":null}$' "$tmp/err"
reverts=$(grep -c "Nova's scheduler put it on node02, not node01 (compute API 2.1 cannot name the host of a cold migration; 2.56 can): reverted, it stays on node03" "$tmp/err")
is "$(grep -c '> {"revertResize":null}$' "$tmp/err")" "$reverts" "each revert said, naming the host the scheduler chose"
diag "cold migrations the scheduler put on node02 (reverted): $reverts"
is "$(grep -c '> {"confirmResize":null}$' "$tmp/err")" "$((1 - want_rc))" "confirmed only on node01"
is "$(svc '.status + "|" + .disabled_reason')" "disabled|mv21 $id" "node03 disabled with the reason"

# What was asked: every compute request at 2.1, the bodies 2.1 accepts.
grep -o 'OpenStack-API-Version: compute [0-9.]*' "$tmp/err" | sort -u >"$tmp/versions"
is "$(cat "$tmp/versions")" "OpenStack-API-Version: compute 2.1" "every compute request says 2.1"
sed -n 's/^nova-evac: \[http\] > \({"os-migrateLive":.*\)$/\1/p' "$tmp/err" >"$tmp/live"
ok "an os-migrateLive request per server (or more, when Nova asked for a retry)" \
    test "$(wc -l <"$tmp/live")" -ge 2
ok "each with host, block_migration and disk_over_commit as booleans, no force" \
    jq -e -s 'length >= 2 and all(.[]; .["os-migrateLive"] | (.host == "node01")
              and (.block_migration | type == "boolean") and (.disk_over_commit == false)
              and (has("force") | not))' "$tmp/live"
ok "the service disabled with its reason through the 2.1 API (PUT os-services/disable-log-reason)" \
    grep -q '> PUT .*/os-services/disable-log-reason$' "$tmp/err"
ok "no request needed more than 2.1 (no 'needs compute API' refusal)" \
    not grep -q 'needs compute API' "$tmp/out" "$tmp/err"
done_testing
