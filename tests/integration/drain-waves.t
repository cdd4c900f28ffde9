#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# drain-waves.t: shared lab lane (it drains node02 and node03 of the shared cloud)
# drain HOST HOST... --waves (issue 17, acceptance 1) through Nova on 5
# computes: the shared mini-cloud's node01..node03 (tests/lab/openstack.sh up
# libvirt) and, for this test only, nova-computes in lab nodes node04 and
# node05 (openstack.sh computes-add; computes-remove on every exit path, so
# the tests after this one see Nova's 3 computes again). Servers on every
# node, an anti-affinity group with members on node02..node05, and RAM as
# Placement counts it (MEMORY_MB; the guests never touch it) sized so one big
# server fits a wave-1 destination and two do not: node04/05 keep 2 GiB for
# servers (computes-add), two filler servers on node01 leave it 1.5 big ones:
#   node01  x1, y1 (fillers)   node04  x4, g4 (group)
#   node02  b2 (big), g2 (grp) node05  x5, g5 (group)
#   node03  b3 (big), g3 (grp)
#  - the plan, step by step: tiny group members on node02/node03 only: one
#    wave; with b2/b3 the capacity alone makes two waves (b2 takes node01's
#    room, node04/05 have none: b3 stays, "RAM full: node01,..."); with g4/g5
#    the group alone would too (g2 can only go to node01, g3 then has
#    nowhere: node01, node04, node05 hold members); with --between-waves
#    wave 2 goes onto node02, emptied and re-enabled in wave 1;
#  - the run through Nova, -j1, killed with SIGKILL while wave 1's second
#    move is in flight, then --resume: wave 1 finished, the command run
#    between the waves once (it re-enables node02, as a reinstall would), wave
#    2 onto node02; every guest moved exactly once (one Nova migration record
#    each, one "moved" in the journals), the group kept, the servers of
#    node01, node04 and node05 never moved.
# The same rules on more hosts are the fleet planner's (tests/unit/fleet-t.c).
# Wave 2 runs into Nova's scheduler: its per-host instance lists, which its
# ServerGroupAntiAffinityFilter reads, still count g2 on node02 after wave 1
# moved it (the source's nova-compute reports a live-migrated instance under
# the source host) until node02's nova-compute syncs its list
# (scheduler_instance_sync_interval); until then Nova answers NoValidHost to
# g3's move to node02. The drain waits for that and asks again
# (--scheduler-wait, bounded: 1.5 times nova.conf's interval, 180 s here); the
# lab's computes sync every 10 s (tests/lab/os/etc/nova/nova.conf; Nova's
# default is 120 s), so the wait is seconds, and it is printed as a diag.
# What the test changes in Nova (computes, service states, a server group,
# a flavor, servers) is put back on exit.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
need_nova_libvirt
OSSH=$top_srcdir/tests/lab/openstack.sh
id=$(uniq_id)
tmp=$(mktemp -d)
pid=
added=
b2='' b3='' g2='' g3='' big='' fill='' # boot sets them (and x1 y1 x4 x5 g4 g5)
svc_id() { nova GET "/os-services?binary=nova-compute&host=$1" | body | jq -r '.services[0].id'; }
svc_put() { nova PUT "/os-services/$(svc_id "$1")" "$2" >/dev/null; }
svc_field() { nova GET "/os-services?binary=nova-compute&host=$1" | body | jq -r ".services[0].$2"; }
gone() { # gone UUID...: wait until Nova no longer has the servers
    local s
    for s in "$@"; do
        for _ in $(seq 240); do [ "$(nova GET "/servers/$s" | code)" = 404 ] && break; sleep 0.5; done
    done
}
cleanup() {
    local s h
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
    for s in $(cat "$tmp/ids" 2>/dev/null); do nova DELETE "/servers/$s" >/dev/null 2>&1; done
    [ -f "$tmp/ids" ] && mapfile -t s <"$tmp/ids" && gone "${s[@]}"
    for h in node02 node03; do
        grep -qx "$h" "$tmp/disabled" 2>/dev/null && svc_put "$h" '{"status":"enabled"}'
    done
    if [ -n "$added" ] && ! "$OSSH" computes-remove node04 node05 >"$tmp/remove.out" 2>&1; then
        sleep 10   # a server still being deleted: once more
        "$OSSH" computes-remove node04 node05 >>"$tmp/remove.out" 2>&1 || sed 's/^/# cleanup: /' "$tmp/remove.out"
    fi
    for s in $(cat "$tmp/flavor" 2>/dev/null); do nova DELETE "/flavors/$s" >/dev/null 2>&1; done
    [ -s "$tmp/group" ] && nova DELETE "/os-server-groups/$(cat "$tmp/group")" >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT
fl=$(nova GET /flavors | body | jq -r '.flavors[]|select(.name=="m1.tiny").id')
img=$(glance GET '/v2/images?name=tiny' | body | jq -r '.images[0].id')
[ -n "$fl" ] && [ -n "$img" ] && [ "$img" != null ] || skip_all "lab seed missing (flavor m1.tiny, image tiny)"
for h in node01 node02 node03; do
    [ "$(svc_field $h status) $(svc_field $h state)" = "enabled up" ] ||
        skip_all "$h's nova-compute is $(svc_field $h status)/$(svc_field $h state): another test holds it"
done
for h in node04 node05; do
    [ "$(svc_field $h id)" = null ] || skip_all "Nova has a compute on $h already: another test holds it"
done
added=1
"$OSSH" computes-add node04 node05 >"$tmp/add.out" 2>&1 ||
    { sed 's/^/# /' "$tmp/add.out"; skip_all "openstack.sh computes-add node04 node05 failed"; }
diag "computes-add node04 node05: ${SECONDS} s"
{ cat "$NOVA_EVAC_LAB/nova-evac.conf"
  printf '[DEFAULT]\nstate_dir = %s/state\nnova_conf = %s/nova.conf\n' "$tmp" "$NOVA_EVAC_OS"; } >"$tmp/ne.conf"
export NOVA_EVAC_CONFIG=$tmp/ne.conf
host_of() { nova GET "/servers/$1" | body | jq -r '.server."OS-EXT-SRV-ATTR:host"'; }
# boot NAME:HOST[:FLAVOR[:GROUP]]...: servers forced onto their hosts, all
# requested at once, then each ACTIVE; sets the variable NAME to its UUID
boot() {
    local a n h f g r s hints
    for a in "$@"; do
        IFS=: read -r n h f g <<<"$a"
        hints=''
        [ -n "$g" ] && hints=",\"os:scheduler_hints\":{\"group\":\"$g\"}"
        r=$(nova POST /servers "{\"server\":{\"name\":\"$id-$n\",\"flavorRef\":\"${f:-$fl}\",\"imageRef\":\"$img\",\"networks\":\"none\",\"availability_zone\":\"nova:$h\"}$hints}" | body)
        s=$(printf '%s' "$r" | jq -r .server.id 2>/dev/null)
        [ -n "$s" ] && [ "$s" != null ] || { diag "boot $n: Nova refused: $(printf '%s' "$r" | head -c 300)"; return 1; }
        echo "$s" >>"$tmp/ids"
        printf -v "$n" '%s' "$s"
    done
    for a in "$@"; do
        n=${a%%:*}
        wait_srv "${!n}" '.status=="ACTIVE"' 240 >/dev/null || { diag "boot $n: $(srv "${!n}")"; return 1; }
    done
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
wdest() { printf '%s' "$p" | jq -r --arg u "$1" '.waves[].instances[] | select(.uuid==$u) | .destination // ""'; }
wwhy() { printf '%s' "$p" | jq -r --arg u "$1" '.waves[].instances[] | select(.uuid==$u) | .reason // ""'; }
waves() { printf '%s' "$p" | jq -c '[.waves[].hosts]'; }
free_ram() { ne --format json plan node01 2>/dev/null | jq -r --arg h "$1" '.fleet.computes[] | select(.host==$h) | .free_ram_mb'; }

# --- the plan, step by step
gid=$(nova POST /os-server-groups "{\"server_group\":{\"name\":\"$id-aa\",\"policy\":\"anti-affinity\"}}" | body | jq -r .server_group.id)
[ -n "$gid" ] && [ "$gid" != null ] || skip_all "Nova refused the server group"
echo "$gid" >"$tmp/group"
# RAM (Placement's MEMORY_MB): node04/05 keep 2 GiB for servers (computes-add), a
# big flavor does not fit them; two servers of a filler flavor on node01 leave it
# room for 1.5 big ones: one fits (with a tiny one beside it), two do not
f1=$(free_ram node01) f4=$(free_ram node04) f5=$(free_ram node05)
R=$(( (f4 > f5 ? f4 : f5) + 64 ))
F=$(( (${f1:-0} - R * 3 / 2) / 2 ))
[ "$F" -ge 64 ] && [ "$F" -le 24000 ] ||
    skip_all "free MEMORY_MB node01/04/05: ${f1:-?}/${f4:-?}/${f5:-?}: no filler size for node01"
for f in big:$R fill:$F; do
    r=$(nova POST /flavors "{\"flavor\":{\"name\":\"$id-${f%:*}\",\"ram\":${f#*:},\"vcpus\":1,\"disk\":1}}" | body | jq -r .flavor.id)
    [ -n "$r" ] && [ "$r" != null ] || skip_all "Nova refused the flavor $id-${f%:*} (${f#*:} MB)"
    echo "$r" >>"$tmp/flavor"
    printf -v "${f%:*}" '%s' "$r"
done
boot x1:node01:"$fill" y1:node01:"$fill" g2:node02::"$gid" g3:node03::"$gid" x4:node04 x5:node05 ||
    skip_all "could not boot the servers"
diag "free MEMORY_MB node01/04/05: $f1/$f4/$f5: a $R MB flavor, two $F MB ones on node01; servers up: ${SECONDS} s"
p=$(ne --format json drain node02 node03 --waves --dry-run 2>"$tmp/err")
is "$(waves)" '[["node02","node03"]]' "tiny servers, group members on node02/node03 only: one wave"
boot b2:node02:"$big" b3:node03:"$big" || skip_all "could not boot the big servers on node02/node03"
p=$(ne --format json drain node02 node03 --waves --dry-run 2>"$tmp/err")
is "$(waves)" '[["node02"],["node03"]]' "capacity: node01 holds one $R MB server, node04/05 none: two waves"
is "$(wdest "$b2")" node01 "plan: b2 to node01"
is "$(wdest "$b3")" "" "plan without --between-waves: b3 has nowhere to go"
like "$(wwhy "$b3")" "RAM full: node01,node0[45]" "and the reason is the RAM (Placement's MEMORY_MB)"
boot g4:node04::"$gid" g5:node05::"$gid" || skip_all "could not boot the group's servers on node04/node05"
p=$(ne --format json drain node02 node03 --waves --dry-run 2>"$tmp/err")
prc=$?
is "$(waves)" '[["node02"],["node03"]]' "capacity and group: two waves"
is "$(wdest "$b2") $(wdest "$g2")" "node01 node01" "plan: b2 and g2 to node01, the only host without a member"
is "$(wdest "$g3")" "" "plan without --between-waves: g3 has nowhere to go"
like "$(wwhy "$g3")" "anti-affinity group $id-aa: node01,node0[45]" "and the reason names the group"
is "$prc" 1 "dry run exits 1 when a guest would stay"
p=$(ne --format json drain node02 node03 --waves --between-waves true --dry-run 2>"$tmp/err")
is "$(waves)" '[["node02"],["node03"]]' "with --between-waves: the same two waves"
is "$(wdest "$b3") $(wdest "$g3")" "node02 node02" "plan with --between-waves: b3 and g3 to node02, emptied in wave 1"
run ne drain node02 node03 --waves --between-waves true --dry-run
like "$out" "wave 1: node02 \([0-9]+ to move, 0 staying; the [0-9]+ destination computes keep [0-9]+ VCPU" \
    "the text plan: each wave with what it leaves free"
ok "a dry run disables nothing" test "$(svc_field node02 status)" = enabled
diag "plan done: ${SECONDS} s"

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
[ "$rc" = 0 ] || { printf '%s\n' "$out" | tail -n 30 | sed 's/^/# /'; sed 's/^/# killed run: /' "$tmp/run1" | tail -n 20; }
diag "resume took $((SECONDS - t1)) s"
# how long Nova's scheduler refused g3's move (its instance sync; nothing timed is asserted)
diag "Nova's scheduler refused a planned move $(printf '%s\n' "$out" | grep -c "Nova's scheduler refused") time(s) before accepting it"
printf '%s\n' "$out" | grep -m 3 "scheduler" | sed 's/^/# /'
like "$out" "resuming: wave 1 of 2 is node02 \(from the journal\)" "the resume follows the journal's waves"
is "$(cat "$tmp/between.log" 2>/dev/null)" "wave 1 of 2: node02 (node02)" \
    "the journal's --between-waves command ran once, after wave 1, with its number and hosts"
is "$(svc_field node02 status)" enabled "node02 re-enabled by the command"
is "$(svc_field node03 status)" disabled "node03 disabled by its drain"
for n in b2 g2 b3 g3; do
    s=${!n} h=$(host_of "${!n}")
    case $n in *2) want=node01 ;; *) want=node02 ;; esac
    is "$h" "$want" "$n ($s) to $want"
    is "$(migrations "$s")" 1 "$n moved exactly once (Nova's migration records)"
    is "$(moved_in_journals "$s")" 1 "$n moved exactly once (the journals)"
done
is "$(for n in g2 g3 g4 g5; do host_of "${!n}"; done | sort -u | wc -l)" 4 \
    "the anti-affinity group is kept: its 4 members on 4 computes"
is "$(for n in x1 y1 x4 g4 x5 g5; do echo "$(host_of "${!n}") $(migrations "${!n}")"; done | tr '\n' ' ')" \
    "node01 0 node01 0 node04 0 node04 0 node05 0 node05 0 " "the servers of node01, node04 and node05 never moved"
is "$(jq -sc '[.[] | select(.event=="wave_done") | .wave]' "$tmp/state/waves-node02+node03.journal")" \
    '[1,2]' "the waves journal: both waves ended"

# --- Nova's 3 computes again
for s in $(cat "$tmp/ids"); do nova DELETE "/servers/$s" >/dev/null 2>&1; done
mapfile -t s <"$tmp/ids" && gone "${s[@]}"
: >"$tmp/ids"
t1=$SECONDS
run "$OSSH" computes-remove node04 node05
is "$rc" 0 "openstack.sh computes-remove node04 node05"
[ "$rc" = 0 ] && added=
[ "$rc" = 0 ] || printf '%s\n' "$out" | tail -n 10 | sed 's/^/# /'
diag "computes-remove: $((SECONDS - t1)) s"
is "$(nova GET '/os-services?binary=nova-compute' | body | jq -c '[.services[].host] | sort')" \
    '["node01","node02","node03"]' "Nova's compute services: node01..node03 again"
is "$(nova GET /os-hypervisors | body | jq -c '[.hypervisors[].hypervisor_hostname] | sort')" \
    '["node01","node02","node03"]' "Nova's hypervisors: node01..node03 again"
is "$(placement GET /resource_providers | body | jq -c '[.resource_providers[].name] | sort')" \
    '["node01","node02","node03"]' "Placement's resource providers: node01..node03 again"
diag "drain-waves.t: ${SECONDS} s"
done_testing
