#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# drain-waves.t: shared lab lane (it drains node02 and node03 of the shared cloud)
# drain HOST HOST... --waves (issue 17, acceptance 1), on the shared 3-node
# mini-cloud (tests/lab/openstack.sh up libvirt): servers on every node and
# an anti-affinity group with one member on node02 and one on node03.
#  - capacity: with a small server on each, node02 and node03 are one
#    wave; with a server of a 150 GB-disk flavor on each (Placement counts
#    the flavor, the qcow2 disk stays sparse) node01's free DISK_GB holds
#    one of them, not both: two waves, and without --between-waves the
#    second big server stays, "disk full: node01";
#  - the group: node02 and node03 cannot be emptied in one wave (node02's
#    member can only go to node01, node03's then has nowhere but node02), so
#    they are two waves; without --between-waves node03's member stays,
#    named with its group; with it, node02 counts back for wave 2;
#  - the run through Nova, -j1, killed with SIGKILL while wave 1's second
#    move is in flight, then --resume: wave 1 finished, the command run
#    between the waves (it re-enables node02, as a reinstall would), wave 2
#    onto node01 and the re-enabled node02; every guest moved exactly once
#    (one Nova migration record each, one "moved" in the journals), the
#    group kept, node01's own server never moved.
# The same rules on 5 nodes are the fleet planner's (tests/unit/fleet-t.c);
# this test shows them through Nova on the 3 nodes of the shared lab.
# Wave 2 runs into Nova's scheduler: its per-host instance lists, which its
# ServerGroupAntiAffinityFilter reads, still count g2 on node02 after wave 1
# moved it (the source's nova-compute reports a live-migrated instance under
# the source host) until node02's nova-compute syncs its list
# (scheduler_instance_sync_interval); until then Nova answers NoValidHost to
# g3's move to node02. The drain waits for that and asks again
# (--scheduler-wait, bounded: 1.5 times nova.conf's interval, 180 s here); the
# lab's computes sync every 10 s (tests/lab/os/etc/nova/nova.conf; Nova's
# default is 120 s), so the wait is seconds, and it is printed as a diag.
# What the test changes in Nova (service states, a server group, servers)
# is put back on exit.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
need_nova_libvirt
id=$(uniq_id)
tmp=$(mktemp -d)
pid=
svc_id() { nova GET "/os-services?binary=nova-compute&host=$1" | body | jq -r '.services[0].id'; }
svc_put() { nova PUT "/os-services/$(svc_id "$1")" "$2" >/dev/null; }
svc_field() { nova GET "/os-services?binary=nova-compute&host=$1" | body | jq -r ".services[0].$2"; }
cleanup() {
    local s h
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
    for s in $(cat "$tmp/ids" 2>/dev/null); do nova DELETE "/servers/$s" >/dev/null 2>&1; done
    for h in node02 node03; do
        grep -qx "$h" "$tmp/disabled" 2>/dev/null && svc_put "$h" '{"status":"enabled"}'
    done
    [ -s "$tmp/flavor" ] && nova DELETE "/flavors/$(cat "$tmp/flavor")" >/dev/null 2>&1
    [ -s "$tmp/group" ] && nova DELETE "/os-server-groups/$(cat "$tmp/group")" >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT
{ cat "$NOVA_EVAC_LAB/nova-evac.conf"
  printf '[DEFAULT]\nstate_dir = %s/state\nnova_conf = %s/nova.conf\n' "$tmp" "$NOVA_EVAC_OS"; } >"$tmp/ne.conf"
export NOVA_EVAC_CONFIG=$tmp/ne.conf
host_of() { nova GET "/servers/$1" | body | jq -r '.server."OS-EXT-SRV-ATTR:host"'; }
# boot NAME HOST [GROUP]: a server forced onto HOST, ACTIVE
boot() {
    local s r hints=''
    [ -n "${3:-}" ] && hints=",\"os:scheduler_hints\":{\"group\":\"$3\"}"
    r=$(nova POST /servers "{\"server\":{\"name\":\"$id-$1\",\"flavorRef\":\"$fl\",\"imageRef\":\"$img\",\"networks\":\"none\",\"availability_zone\":\"nova:$2\"}$hints}" | body)
    s=$(printf '%s' "$r" | jq -r .server.id 2>/dev/null)
    [ -n "$s" ] && [ "$s" != null ] || { diag "boot $1: Nova refused: $(printf '%s' "$r" | head -c 300)" >&2; return 1; }
    echo "$s" >>"$tmp/ids"
    wait_srv "$s" '.status=="ACTIVE"' 240 >/dev/null || { diag "boot $1: $(srv "$s")" >&2; return 1; }
    echo "$s"
}
# migrations UUID: Nova's migration records of the server that completed
migrations() {
    nova GET "/os-migrations?instance_uuid=$1" | body |
        jq -r '[.migrations[] | select(.status=="completed" or .status=="confirmed")] | length'
}
# moved_in_journals UUID: "moved" records of the server in every journal
moved_in_journals() {
    cat "$tmp"/state/node0*.journal* 2>/dev/null |
        jq -R -c --arg u "$1" 'fromjson? | select(.event=="moved" and .uuid==$u)' | grep -c .
}
fl=$(nova GET /flavors | body | jq -r '.flavors[]|select(.name=="m1.tiny").id')
img=$(glance GET '/v2/images?name=tiny' | body | jq -r '.images[0].id')
[ -n "$fl" ] && [ -n "$img" ] && [ "$img" != null ] || skip_all "lab seed missing (flavor m1.tiny, image tiny)"
for h in node01 node02 node03; do
    [ "$(svc_field $h status) $(svc_field $h state)" = "enabled up" ] ||
        skip_all "$h's nova-compute is $(svc_field $h status)/$(svc_field $h state): another test holds it"
done

# --- capacity
wdest() { printf '%s' "$p" | jq -r --arg u "$1" '.waves[].instances[] | select(.uuid==$u) | .destination // ""'; }
wwhy() { printf '%s' "$p" | jq -r --arg u "$1" '.waves[].instances[] | select(.uuid==$u) | .reason // ""'; }
waves() { printf '%s' "$p" | jq -c '[.waves[].hosts]'; }
x1=$(boot x1 node01) && x2=$(boot x2 node02) && x3=$(boot x3 node03) || skip_all "could not boot the servers"
p=$(ne --format json drain node02 node03 --waves --dry-run 2>"$tmp/err")
is "$(waves)" '[["node02","node03"]]' "small servers: node02 and node03 in one wave"
free1=$(ne --format json plan node01 2>/dev/null | jq -r '.fleet.computes[] | select(.host=="node01") | .free_disk_gb')
big=$(nova POST /flavors "{\"flavor\":{\"name\":\"$id-big\",\"ram\":64,\"vcpus\":1,\"disk\":150}}" | body | jq -r .flavor.id)
if [ -n "$big" ] && [ "$big" != null ] && [ "${free1:-0}" -ge 150 ] && [ "$free1" -lt 300 ]; then
    echo "$big" >"$tmp/flavor"
    b2=$(fl=$big boot b2 node02) && b3=$(fl=$big boot b3 node03) || skip_all "could not boot the 150 GB servers"
    p=$(ne --format json drain node02 node03 --waves --dry-run 2>"$tmp/err")
    is "$(waves)" '[["node02"],["node03"]]' "150 GB servers: node01 ($free1 GB free) holds one: two waves"
    is "$(wdest "$b2")" node01 "wave 1: b2 to node01"
    is "$(wdest "$b3")" "" "wave 2 without --between-waves: b3 has nowhere to go"
    like "$(wwhy "$b3")" "disk full: node01" "and the reason is node01's disk (Placement's DISK_GB)"
    p=$(ne --format json drain node02 node03 --waves --between-waves true --dry-run 2>"$tmp/err")
    is "$(wdest "$b3")" node02 "with --between-waves: b3 to node02, emptied in wave 1"
    for s in "$b2" "$b3"; do nova DELETE "/servers/$s" >/dev/null; done
    for s in "$b2" "$b3"; do
        for _ in $(seq 240); do [ "$(nova GET "/servers/$s" | code)" = 404 ] && break; sleep 0.5; done
    done
else
    diag "node01 has ${free1:-?} GB of DISK_GB free (flavor: ${big:-refused}): the capacity case needs 150 to 299"
    ok "# SKIP capacity case: node01's free disk is ${free1:-unknown} GB" true
fi
diag "capacity done: ${SECONDS} s"

# --- the group
gid=$(nova POST /os-server-groups "{\"server_group\":{\"name\":\"$id-aa\",\"policy\":\"anti-affinity\"}}" | body | jq -r .server_group.id)
[ -n "$gid" ] && [ "$gid" != null ] || skip_all "Nova refused the server group"
echo "$gid" >"$tmp/group"
g2=$(boot g2 node02 "$gid") && g3=$(boot g3 node03 "$gid") || skip_all "could not boot the group's servers"
p=$(ne --format json drain node02 node03 --waves --dry-run 2>"$tmp/err")
prc=$?
is "$(waves)" '[["node02"],["node03"]]' \
    "two waves: node02's group member takes node01, node03's cannot join wave 1"
is "$(wdest "$g2")" node01 "plan: g2 to node01"
is "$(wdest "$g3")" "" "plan without --between-waves: g3 has nowhere to go"
like "$(wwhy "$g3")" "anti-affinity group $id-aa: node01" "and the reason names the group"
is "$prc" 1 "dry run exits 1 when a guest would stay"
p=$(ne --format json drain node02 node03 --waves --between-waves true --dry-run 2>"$tmp/err")
is "$(wdest "$g3")" node02 "plan with --between-waves: g3 to node02, emptied in wave 1"
run ne drain node02 node03 --waves --between-waves true --dry-run
# (other tests' servers on node02 of the shared cloud count too: the JSON points above
# check this test's servers)
like "$out" "wave 1: node02 \([0-9]+ to move, 0 staying; the [0-9]+ destination computes keep [0-9]+ VCPU" \
    "the text plan: each wave with what it leaves free"
ok "a dry run disables nothing" test "$(svc_field node02 status)" = enabled

# --- the run, killed mid-wave, resumed
cat >"$tmp/between" <<EOF
#!/bin/sh
echo "wave \$NOVA_EVAC_WAVE of \$NOVA_EVAC_WAVES: \$NOVA_EVAC_WAVE_HOSTS (\$*)" >>"$tmp/between.log"
exec "$NOVA_EVAC" undrain "\$@"
EOF
chmod +x "$tmp/between"
printf 'node02\nnode03\n' >"$tmp/disabled" # the drains disable them: put back on exit
"$NOVA_EVAC" drain node02 node03 --waves --between-waves "$tmp/between \"\$@\"" --via nova -j 1 \
    --reason "$id" >"$tmp/run1" 2>&1 &
pid=$!
for _ in $(seq 1200); do
    n=$(grep -c '"migrating"' "$tmp/state/node02.journal" 2>/dev/null)
    [ "${n:-0}" -ge 2 ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
done
if kill -9 "$pid" 2>/dev/null; then
    wait "$pid" 2>/dev/null
    pid=
    ok "killed with SIGKILL while wave 1's second move was in flight" \
        test "$(grep -c '"migrating"' "$tmp/state/node02.journal")" -ge 2
else
    pid=
    ok "killed with SIGKILL while wave 1's second move was in flight" false
    sed 's/^/# /' "$tmp/run1" | tail -n 20
fi
ok "the waves journal shows wave 1 not ended" \
    sh -c "! grep -q wave_done '$tmp/state/waves-node02+node03.journal'"
ok "the between-waves command has not run yet" test ! -e "$tmp/between.log"
t1=$SECONDS
run ne drain node02 node03 --waves --resume --via nova -j 1
is "$rc" 0 "--resume finishes: exit 0"
[ "$rc" = 0 ] || printf '%s\n' "$out" | tail -n 30 | sed 's/^/# /'
diag "resume took $((SECONDS - t1)) s"
# how long Nova's scheduler refused g3's move (its instance sync; nothing timed is asserted)
diag "Nova's scheduler refused a planned move $(printf '%s\n' "$out" | grep -c "Nova's scheduler refused") time(s) before accepting it"
printf '%s\n' "$out" | grep -m 3 "scheduler" | sed 's/^/# /'
like "$out" "resuming: wave 1 of 2 is node02 \(from the journal\)" "the resume follows the journal's waves"
is "$(cat "$tmp/between.log" 2>/dev/null)" "wave 1 of 2: node02 (node02)" \
    "the journal's --between-waves command ran once, after wave 1, with its number and hosts"
is "$(svc_field node02 status)" enabled "node02 re-enabled by the command"
is "$(svc_field node03 status)" disabled "node03 disabled by its drain"
for s in "$g2" "$x2" "$g3" "$x3"; do
    h=$(host_of "$s")
    ok "$s left node02 and node03 (on $h)" test "$h" = node01 -o \( "$h" = node02 -a "$s" != "$g2" -a "$s" != "$x2" \)
    is "$(migrations "$s")" 1 "$s moved exactly once (Nova's migration records)"
    is "$(moved_in_journals "$s")" 1 "$s moved exactly once (the journals)"
done
is "$(host_of "$g2") $(host_of "$g3")" "node01 node02" "the anti-affinity group is kept: g2 on node01, g3 on node02"
is "$(host_of "$x1") $(migrations "$x1")" "node01 0" "node01's own server never moved"
is "$(jq -sc '[.[] | select(.event=="wave_done") | .wave]' "$tmp/state/waves-node02+node03.journal")" \
    '[1,2]' "the waves journal: both waves ended"
diag "drain-waves.t: ${SECONDS} s"
done_testing
