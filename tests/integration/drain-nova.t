#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# drain on the mini-cloud (real nova-compute on the libvirt lab,
# tests/lab/openstack.sh up libvirt): --via nova moves real guests through Nova; --via libvirt moves
# them directly and records them so well that Nova keeps managing them.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
need_nova_libvirt
id=$(uniq_id)
tmp=$(mktemp -d)
cleanup() { # the servers booted (boot runs in a subshell: their ids are in a file)
    local s
    for s in $(cat "$tmp/ids" 2>/dev/null); do nova DELETE "/servers/$s" >/dev/null 2>&1; done
    "$NOVA_EVAC" -q undrain node02 >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT
{ cat "$NOVA_EVAC_LAB/nova-evac.conf"
  printf '[DEFAULT]\nstate_dir = %s/state\nnova_conf = %s/nova.conf\n' "$tmp" "$NOVA_EVAC_OS"; } >"$tmp/ne.conf"
export NOVA_EVAC_CONFIG=$tmp/ne.conf
host_of() { nova GET "/servers/$1" | body | jq -r '.server."OS-EXT-SRV-ATTR:host"'; }
status_of() { nova GET "/servers/$1" | body | jq -r '.server.status'; }
on_node() { virsh -q -c "$("$LABSH" uri "$1")" domstate "$2" 2>/dev/null | head -1; }
svc() { nova GET '/os-services?binary=nova-compute&host=node02' | body | jq -r ".services[0] | $1"; }
boot() { nova_boot "$1" node02; } # boot NAME: a server on node02, ACTIVE
fl=$(nova GET /flavors | body | jq -r '.flavors[]|select(.name=="m1.tiny").id')
img=$(glance GET '/v2/images?name=tiny' | body | jq -r '.images[0].id')
[ -n "$fl" ] && [ -n "$img" ] && [ "$img" != null ] || skip_all "lab seed missing (flavor m1.tiny, image tiny)"

# --- --via nova
a=$(boot a) && b=$(boot b) || skip_all "could not boot servers on node02"
run ne drain node02 --via nova --to node01 --reason "maintenance $id"
is "$rc" 0 "drain node02 --via nova exits 0"
for s in "$a" "$b"; do
    is "$(status_of "$s") $(host_of "$s")" "ACTIVE node01" "Nova: $s ACTIVE on node01"
    is "$(on_node node01 "$s")" "running" "libvirt: $s runs on node01"
    is "$(on_node node02 "$s")" "" "libvirt: $s gone from node02"
done
is "$(svc '.status + "|" + .disabled_reason')" "disabled|maintenance $id" "node02 disabled with the reason"

# --- --via libvirt, recorded in Nova
ne -q undrain node02 >/dev/null
c=$(boot c) && d=$(boot d) || skip_all "could not boot servers on node02 (second round)"
run ne drain node02 --via libvirt --to node03
is "$rc" 0 "drain node02 --via libvirt exits 0"
printf '%s\n' "$out" | grep -qE 'Nova record now says' || diag "no Nova record line in: $(printf '%s\n' "$out" | tail -25)"
for s in "$c" "$d"; do
    is "$(on_node node03 "$s")" "running" "libvirt: $s runs on node03"
    is "$(status_of "$s") $(host_of "$s")" "ACTIVE node03" "Nova: server show says ACTIVE on node03"
    rp=$(placement GET "/allocations/$s" | body | jq -r '.allocations | keys[0]')
    rpname=$(placement GET "/resource_providers/$rp" | body | jq -r .name)
    is "$rpname" "node03" "Placement: $s allocated on node03"
done
# Nova keeps managing them: live-migrate back through Nova
ne -q undrain node02 >/dev/null
for s in "$c" "$d"; do
    nova POST "/servers/$s/action" '{"os-migrateLive":{"host":"node02","block_migration":"auto"}}' >/dev/null
done
for s in "$c" "$d"; do
    wait_srv "$s" '.status=="ACTIVE" and ."OS-EXT-STS:task_state"==null' 240 >/dev/null
    is "$(status_of "$s") $(host_of "$s")" "ACTIVE node02" "Nova live-migrated $s back to node02"
    is "$(on_node node02 "$s")" "running" "libvirt: $s runs on node02 again"
done

# --- the API without the database: a move through libvirt could not be
# recorded, so it is refused before anything moves
{ cat "$NOVA_EVAC_LAB/nova-evac.conf"
  printf '[DEFAULT]\nstate_dir = %s/state\nnova_conf = %s/no-such-nova.conf\n' "$tmp" "$tmp"; } >"$tmp/nodb.conf"
nodb() { env -u NOVA_EVAC_DB -u NOVA_EVAC_NOVA_CONF "$NOVA_EVAC" --config "$tmp/nodb.conf" "$@"; }
run nodb drain node02 --via libvirt --to node03
is "$rc" 2 "drain --via libvirt, API but no database: exit 2"
like "$out" "no Nova database is reachable to record the moves \($tmp/no-such-nova.conf is not readable\)" \
    "drain --via libvirt, no database: says why"
run nodb migrate "$c" --from node02 --to node03
is "$rc" 2 "migrate, API but no database: exit 2"
like "$out" "or --no-record" "migrate, no database: names --no-record"
is "$(on_node node02 "$c") $(on_node node02 "$d")" "running running" "no database: nothing moved"
is "$(svc .status)" "enabled" "no database: node02's service left enabled"

# --- migrate records through the database and Placement, like the drain
run ne migrate "$c" --from node02 --to node03
is "$rc" 0 "migrate $c node02 -> node03 exits 0"
like "$out" "recorded in Nova" "migrate: says it recorded the move"
is "$(status_of "$c") $(host_of "$c")" "ACTIVE node03" "migrate: Nova says ACTIVE on node03"
rp=$(placement GET "/allocations/$c" | body | jq -r '.allocations | keys | join(",")')
is "$(placement GET "/resource_providers/$rp" | body | jq -r .name)" "node03" "migrate: Placement allocation on node03 only"
done_testing
