#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# drain-cold-sched.t: shared lab lane (it drains node02 of the shared cloud)
# Nova's scheduler refusing a COLD move the plan found valid, on the shared
# mini-cloud (tests/lab/openstack.sh up libvirt): the drain waits and asks
# again (--scheduler-wait), as it does for a live move.
# g2, shut off, member of an anti-affinity group, is alone on node02; the
# plan sends it cold to node01.  The drain stops itself right after the
# plan (NOVA_EVAC_FAULT=journal:start=stop); the test then boots g1, another
# member, forced onto node01, and lets the drain go on: Nova's scheduler
# answers the cold migration to node01 with NoValidHost (migration "error",
# the migrate action's cold_migrate event "No valid host").  Once the drain
# says it waits for the scheduler, the test deletes g1; a later try is
# accepted and g2 ends SHUTOFF on node01 (bounded by --scheduler-wait 60).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
need_nova_libvirt
id=$(uniq_id)
tmp=$(mktemp -d)
pid=
cleanup() {
    local s
    [ -n "$pid" ] && { kill -CONT "$pid"; kill -9 "$pid"; wait "$pid"; } 2>/dev/null
    for s in $(cat "$tmp/ids" 2>/dev/null); do nova DELETE "/servers/$s" >/dev/null 2>&1; done
    [ -s "$tmp/group" ] && nova DELETE "/os-server-groups/$(cat "$tmp/group")" >/dev/null 2>&1
    "$NOVA_EVAC" -q undrain node02 >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT
{ cat "$NOVA_EVAC_LAB/nova-evac.conf"
  printf '[DEFAULT]\nstate_dir = %s/state\nnova_conf = %s/nova.conf\n' "$tmp" "$NOVA_EVAC_OS"; } >"$tmp/ne.conf"
export NOVA_EVAC_CONFIG=$tmp/ne.conf
host_of() { nova GET "/servers/$1" | body | jq -r '.server | "\(.status) \(."OS-EXT-SRV-ATTR:host")"'; }
boot() { nova_boot "$1" "$2" "$gid"; } # boot NAME HOST: a member of the group on HOST
# said REGEX: the drain's output has a line matching REGEX (bounded: 90 s)
said() {
    local i
    for i in $(seq 450); do
        grep -Eq -- "$1" "$tmp/out" && return 0
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.2
    done
    return 1
}
fl=$(nova GET /flavors | body | jq -r '.flavors[]|select(.name=="m1.tiny").id')
img=$(glance GET '/v2/images?name=tiny' | body | jq -r '.images[0].id')
[ -n "$fl" ] && [ -n "$img" ] && [ "$img" != null ] || skip_all "lab seed missing (flavor m1.tiny, image tiny)"
gid=$(nova POST /os-server-groups "{\"server_group\":{\"name\":\"$id-aa\",\"policy\":\"anti-affinity\"}}" | body | jq -r .server_group.id)
[ -n "$gid" ] && [ "$gid" != null ] || skip_all "could not create a server group"
echo "$gid" >"$tmp/group"
g2=$(boot g2 node02) || skip_all "could not boot g2 on node02"
nova POST "/servers/$g2/action" '{"os-stop":null}' >/dev/null
wait_srv "$g2" '.status=="SHUTOFF" and ."OS-EXT-STS:task_state"==null' 120 >/dev/null ||
    skip_all "could not stop g2: $(srv "$g2")"

NOVA_EVAC_FAULT='journal:start=stop' "$NOVA_EVAC" drain node02 --via nova --to node01 -j 1 \
    --scheduler-wait 60 >"$tmp/out" 2>&1 &
pid=$!
ok "the drain stopped after its plan" stopped "$pid"
g1=$(boot g1 node01)
is "$(host_of "$g1")" "ACTIVE node01" "g1, of the same anti-affinity group, now on node01"
kill -CONT "$pid"
ok "the drain says it waits for Nova's scheduler" said "waiting for Nova's scheduler to accept node01"
like "$(cat "$tmp/out")" "\\($g2\\): Nova's scheduler refused node01 \\(cold_migrate: No valid host" \
    "the refusal read from the migrate action's event"
nova DELETE "/servers/$g1" >/dev/null
wait "$pid"
rc=$?
pid=
is "$rc" 0 "the drain exits 0 once the scheduler accepts"
[ "$rc" = 0 ] || diag "$(tail -n 30 "$tmp/out")"
is "$(jq -R -r --arg u "$g2" 'fromjson? | select(.event=="planned" and .uuid==$u) | "\(.method) \(.dest)"' \
    "$tmp/state/node02.journal")" "cold node01" "the plan had g2 cold to node01"
is "$(host_of "$g2")" "SHUTOFF node01" "g2 moved cold to node01, still shut off"
is "$(nova GET "/os-migrations?instance_uuid=$g2" | body | jq -r '[.migrations[] | select(.status=="error")] | length > 0')" \
    true "Nova recorded the refused try (migration in error)"
done_testing
