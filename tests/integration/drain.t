#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# drain on the libvirt lab (issue 7): every kind of instance, dry-run
# changes nothing, a concurrent drain is refused, kill -9 + --resume.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
need_lab
id=$(uniq_id)
tmp=$(mktemp -d)
export NOVA_EVAC_CONFIG=$tmp/nova-evac.conf
vsh() { virsh -q -c "$("$LABSH" uri "$1")" "${@:2}"; }
names() { vsh "$1" list --all --name | grep -- "-$id" | sort; }
# remove [REGEX]: destroy and undefine this test's domains (whose names match REGEX)
remove() {
    local n d
    for n in node01 node02 node03; do
        for d in $(names $n | grep -E -- "${1:-.}"); do
            vsh $n destroy "$d" >/dev/null 2>&1; vsh $n undefine "$d" >/dev/null 2>&1
        done
    done
}
cleanup() {
    remove
    type drop_db >/dev/null 2>&1 && drop_db
    rm -rf "$tmp"
}
trap cleanup EXIT
guest() { "$LABSH" guest "$1" "$2-$id" "$(new_uuid)" "${@:3}" >/dev/null 2>&1; }
# An instance whose every disk is on shared storage (like rbd/NFS ephemeral).
shared_guest() {
    local u; u=$(new_uuid)
    mkdir -p "$NOVA_EVAC_LAB/shared/inst"
    qemu-img create -q -f qcow2 "$NOVA_EVAC_LAB/shared/inst/$u.qcow2" 64M
    "$LABSH" xml node02 "$1-$id" "$u" --image "w-$id" |
        sed "s|$NOVA_EVAC_LAB/instances/$u/disk|$NOVA_EVAC_LAB/shared/inst/$u.qcow2|" >"$tmp/$u.xml"
    vsh node02 define "$tmp/$u.xml" >/dev/null && vsh node02 start "$1-$id" >/dev/null
}
where() { local n; for n in node01 node02 node03; do names $n | grep -qx "$1-$id" && echo $n; done; }
snapshot() { # everything a dry run must not change
    local n
    for n in node01 node02 node03; do
        echo "== $n"; vsh $n list --all | grep -- "-$id"
        # names, not times: running guests write their own overlays; only this
        # test's instances and bases (other users of the lab come and go)
        find "$NOVA_EVAC_LAB/lab/$n/instances" -printf '%P\n' 2>/dev/null |
            grep -E "$(IFS='|'; echo "${U[*]}")|^_base/($(printf %s "w-$id" | sha1sum | cut -c1-40)|$(printf %s "del-$id" | sha1sum | cut -c1-40))" | sort
    done
    ls "$tmp/state" 2>/dev/null
}

# Config: the lab's, a private state dir, and node01 short of disk so that
# the big instance only fits on node03.  The free space is libvirt's own
# figure for the instances path (what nova-evac plans with), not df's.
{ cat "$NOVA_EVAC_LAB/nova-evac.conf"; printf '[DEFAULT]\nstate_dir = %s/state\n' "$tmp"; } >"$NOVA_EVAC_CONFIG"
free_mb=$(ne --format json plan node02 --to node01 2>/dev/null |
    jq -r '.destinations[] | select(.host=="node01") | .free_disk / 1048576 | floor')
[ -n "$free_mb" ] && [ "$free_mb" -gt 16384 ] ||
    skip_all "needs 16 GiB free on node01's instances path for the too-big instance (has '${free_mb}' MiB)"
printf "[node:node01]\nreserved_disk_mb = %d\n" $((free_mb - 6144)) >>"$NOVA_EVAC_CONFIG"

"$LABSH" base "w-$id" --writer node01 node02 node03 >/dev/null 2>&1
"$LABSH" base "big-$id" --size 12G node02 node03 >/dev/null 2>&1
"$LABSH" base "del-$id" node02 node01 >/dev/null 2>&1   # gone from Glance, still on node01
ok "local-only instance" guest node02 loc --image "w-$id"
ok "local + shared volume" guest node02 vol --image "w-$id" --volume "v-$id.raw" --config-drive
ok "all shared storage" shared_guest shr
ok "shut off" guest node02 off --image "w-$id" --shutoff
ok "base deleted from Glance, present on node01" guest node02 del --image "del-$id"
ok "too big for node01 (12 GiB disk)" guest node02 big --image "big-$id"
ok "nwfilter missing on the destinations" guest node02 nwf --image "w-$id" --nwfilter "nova-instance-nwf-$id"
ok "second local instance" guest node02 lo2 --image "w-$id" --dirty 8
vsum=$(sha256sum "$NOVA_EVAC_LAB/shared/volumes/v-$id.raw" | cut -c1-64)
is "$(names node02 | wc -l)" 8 "eight instances on node02"

# Nova's records of them, in this test's own copy of the Nova schema (the
# real services never see it): the libvirt path records every move there.
. "$top_srcdir/tests/novadb.sh"
need_db
unset OS_CLOUD OS_AUTH_URL OS_CLIENT_CONFIG_FILE   # no API: --via auto means libvirt + database
for n in node01 node02 node03; do seed_compute $n; done
declare -A U
for i in loc vol shr off del big nwf lo2; do
    U[$i]=$(vsh node02 domuuid "$i-$id")
    if [ $i = off ]; then seed_instance "${U[$i]}" node02 stopped "" "$i-$id"; else seed_instance "${U[$i]}" node02 active "" "$i-$id"; fi
done
# and one Nova left stuck: MIGRATING from node02 an hour ago, while libvirt
# runs it on node03 (the drain repairs it first, by the stuck rules)
guest node03 stk --image "w-$id"
U[stk]=$(vsh node03 domuuid "stk-$id")
seed_instance "${U[stk]}" node02 active migrating "stk-$id" 3600
seed_migration "${U[stk]}" live-migration running node02 node03 3600 stk_mig
svc02() { sql nova "SELECT CONCAT(disabled, '|', IFNULL(disabled_reason, '')) FROM services WHERE host = 'node02' AND \`binary\` = 'nova-compute' AND deleted = 0"; }
is "$(svc02)" "0|" "Nova: node02's compute service enabled before"

# --- plan / dry run: decisions right, nothing changed

before=$(snapshot)
run ne --format json drain node02 --to node01,node03 --dry-run --no-stage-images
is "$rc" 0 "dry run exits 0"
printf '%s\n' "$out" | sed -n '/^{/,$p' >"$tmp/plan.json"
p() { jq -r --arg n "$1-$id" ".instances[] | select(.instance==\$n) | $2" "$tmp/plan.json"; }
is "$(p shr .method)" "live" "all-shared instance: live, no storage copy"
is "$(p vol .method)/$(p vol .row)" "live-block/3" "local + volume: live block, row 3"
is "$(p loc .method)/$(p loc .row)" "live-block/2" "local only: live block, row 2"
is "$(p off .method)/$(p off .row)" "cold/6" "shut off: cold, row 6"
is "$(p big .destination)" "node03" "too big for node01: planned on node03"
is "$(p del .destination)" "node01" "without staging, the deleted-image base (only on node01) pins it there"
is "$(snapshot)" "$before" "dry run changed nothing (domains, files, state dir)"
is "$(svc02) $(inst "${U[loc]}" host) $(inst "${U[stk]}" host)" "0| node02 node02" "dry run changed nothing in Nova's records"
run ne plan node02 --to node01,node03
is "$rc" 0 "plan exits 0"
like "$out" "big-$id.*node03" "plan table shows the destination"

# --- the drain
t1=$SECONDS
run ne drain node02 --to node01,node03 --max-parallel 2 --reason "drain.t $id"
is "$rc" 0 "drain exits 0"
diag "drain of 8 instances took $((SECONDS - t1)) s"
diag "$(printf '%s\n' "$out" | sed -n '/^Drain of/,$p')"
is "$(names node02)" "" "node02 is empty"
for i in loc vol shr off del big nwf lo2; do
    is "$(where $i | wc -l)" 1 "$i defined on exactly one host ($(where $i))"
done
is "$(vsh "$(where off)" domstate "off-$id")" "shut off" "shut-off instance stays shut off"
for i in loc vol shr del big nwf lo2; do
    is "$(vsh "$(where $i)" domstate "$i-$id")" "running" "$i runs on $(where $i)"
done
is "$(where big)" "node03" "big instance on node03"
for i in loc vol shr off del big nwf lo2; do
    is "$(inst "${U[$i]}" "CONCAT(host, ' ', node, ' ', vm_state, ' ', IFNULL(task_state, '-'))")" \
        "$(where $i) $(where $i) $([ $i = off ] && echo stopped || echo active) -" "Nova record of $i matches libvirt"
done
is "$(svc02)" "1|drain.t $id" "Nova: node02's compute service disabled with the reason"
like "$out" "stk-$id.*stuck record repaired before the drain" "the drain repaired the stuck instance first, and said so"
is "$(inst "${U[stk]}" "CONCAT(host, ' ', vm_state, ' ', IFNULL(task_state, '-'))")" "node03 active -" "stuck record now says node03, no task"
ok "its migration record is terminal ($(mig_status "$stk_mig"))" test "$(mig_status "$stk_mig")" != running
dn=$(where del)
ok "deleted-image instance's base is on its new host $dn" test -e "$NOVA_EVAC_LAB/lab/$dn/instances/_base/$(printf %s "del-$id" | sha1sum | cut -c1-40)"
is "$(sha256sum "$NOVA_EVAC_LAB/shared/volumes/v-$id.raw" | cut -c1-64)" "$vsum" "no volume byte changed"
ok "journal finished" grep -q '"event":"finish"' "$tmp/state/node02.journal"

# --- every change to Nova is in the audit log with a before and an after
audit=$tmp/state/audit.log
ev() { jq -r --arg u "$2" "select(.event==\"$1\" and (.instance==\$u or .host==\$u)) | $3" "$audit" 2>/dev/null | paste -sd' '; }
is "$(ev service-disable node02 '"\(.phase):\(.host)"')" "before:node02 after:node02" "audit: the service disable, before and after"
is "$(ev service-disable node02 .service)" "null null" "audit: without the API the service is not read back (database path)"
for i in loc vol shr off del big nwf lo2; do
    is "$(ev record-move "${U[$i]}" '"\(.phase):\(.row.host)"')" "before:node02 after:$(where $i)" \
        "audit: the record of $i, before (node02) and after ($(where $i))"
done

# --- migrate records the move in Nova too; --no-record does not; a database
# that cannot be reached stops it before anything moves
a=$(where lo2)
b=$([ "$a" = node01 ] && echo node03 || echo node01)
run ne --format json migrate "lo2-$id" --from "$a" --to "$b"
is "$rc" 0 "migrate $a -> $b exits 0"
is "$(printf '%s\n' "$out" | sed -n '/^{/,$p' | jq -r .recorded)" true "migrate: recorded in Nova"
is "$(inst "${U[lo2]}" "CONCAT(host, ' ', node, ' ', vm_state)")" "$b $b active" "migrate: Nova record follows to $b"
like "$out" "Placement allocations not moved \(no Nova API configured" "migrate without the API: says Placement was not told"
run env NOVA_EVAC_DB=mysql://openstack@127.0.0.1:1/nova "$NOVA_EVAC" migrate "lo2-$id" --from "$b" --to "$a"
is "$rc" 4 "migrate with the Nova database down: exit 4"
like "$out" "cannot connect to the Nova database" "migrate, database down: says so"
is "$(where lo2)" "$b" "migrate, database down: nothing moved"
run ne migrate "lo2-$id" --from "$b" --to "$a" --no-record
is "$rc" 0 "migrate --no-record exits 0"
like "$out" "moved: $b -> $a.*not recorded in Nova" "migrate --no-record: says it is not recorded"
is "$(where lo2) $(inst "${U[lo2]}" host)" "$a $b" "migrate --no-record: moved, record left on $b"
run ne stuck "${U[lo2]}" --fix --yes --via db
is "$rc" 0 "stuck --fix repairs the unrecorded move"
is "$(inst "${U[lo2]}" host)" "$a" "record back in line with libvirt"
# a record that names another host meanwhile is refused, and left alone
sql nova "UPDATE instances SET host = 'node02' WHERE uuid = '${U[lo2]}'"
run ne --format json migrate "lo2-$id" --from "$a" --to "$b"
is "$(printf '%s\n' "$out" | sed -n '/^{/,$p' | jq -r .recorded)" false "migrate: record naming another host not recorded"
like "$out" "no longer names $a as its host" "migrate: says the record changed meanwhile"
is "$(where lo2) $(inst "${U[lo2]}" host)" "$b node02" "moved in libvirt, record left as it was (node02)"
is "$(ev record-move "${U[lo2]}" .phase | wc -w)" 4 "audit: the refused record wrote no before/after (the earlier migrate did)"
sql nova "UPDATE instances SET host = '$b', node = '$b' WHERE uuid = '${U[lo2]}'"

# --- a second concurrent drain is refused
guest node02 slo --image "big-$id" --dirty 300
"$NOVA_EVAC" drain node02 --to node03 --bandwidth 20 >"$tmp/first.out" 2>&1 &
first=$!
for _ in $(seq 300); do grep -q "\"migrating\".*slo-$id" "$tmp/state/node02.journal" 2>/dev/null && break; sleep 0.1; done
run ne drain node02 --to node03
is "$rc" 3 "second concurrent drain refused with exit 3"
like "$out" "another nova-evac drain of node02 is running" "clear message"
wait $first
is "$?" 0 "first drain completes"

# --- kill -9 at different points, then --resume: same end state, no double move
# The guests of the sections above are checked: they go, and each round's go after
# its checks (a busy-writer guest takes a CPU under TCG; 23 of them once made this
# file take half an hour on two cores, and slowed every test beside it)
remove
k=0
for delay in 0.05 0.4 0.9 1.6 2.4 3.5; do
    k=$((k + 1))
    for j in 1 2 3; do guest node02 "k$k$j" --image "w-$id" --dirty 24; done
    "$NOVA_EVAC" drain node02 --to node01,node03 >"$tmp/kill$k.out" 2>&1 &
    pid=$!
    sleep "$delay"
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    last=$(tail -n 1 "$tmp/state/node02.journal" 2>/dev/null | jq -r .event 2>/dev/null)
    t1=$SECONDS
    run ne drain node02 --to node01,node03 --resume
    diag "round $k: resume took $((SECONDS - t1)) s"
    is "$rc" 0 "kill -9 after ${delay}s (journal at '$last'), resume exits 0"
    is "$(names node02 | grep -c "^k$k")" 0 "round $k: node02 empty of its instances"
    for j in 1 2 3; do
        n=$(where "k$k$j" | wc -l)
        moved=$(cat "$tmp"/state/node02.journal* | jq -r "select(.event==\"moved\" and .name==\"k$k$j-$id\") | .uuid" | wc -l)
        ok "round $k: k$k$j on exactly one host, running, moved once ($moved)" \
            test "$n" = 1 -a "$moved" = 1 -a "$(vsh "$(where "k$k$j")" domstate "k$k$j-$id")" = running
    done
    remove "^k$k[0-9]-"
done

# --- bad input
run ne drain node02 --to node02
is "$rc" 2 "a host cannot be its own destination"
run ne drain "node02'; DROP TABLE instances;--"
is "$rc" 2 "hostile host name refused"
run ne drain node02 --dry-run --resume
is "$rc" 2 "--dry-run with --resume refused"

# --- one libvirt connection per host per run (issue 11): a real drain with
# parallel jobs and image staging; the virt debug channel prints, at the end
# of the run, one line per host with the connections it opened.  Each
# migration's job runs on a connection of its own to the source, at most
# one per migration in flight and reused by the next job (libvirtd serves 5
# calls of one connection at once, and a migration's call lasts the whole
# migration)
for j in 1 2 3; do guest node02 "c$j" --image "w-$id" --dirty 8; done
run ne --debug virt drain node02 --to node01,node03 --max-parallel 3
is "$rc" 0 "drain with --debug virt exits 0"
for n in node01 node03; do
    is "$(printf '%s\n' "$out" | grep -o "libvirt: $n: .*")" "libvirt: $n: 1 connection opened" \
        "$n: exactly one libvirt connection in the run"
    is "$(printf '%s\n' "$out" | grep -c "connecting to $n at ")" 1 "$n: connected to once"
done
like "$(printf '%s\n' "$out" | grep -o "libvirt: node02: .*")" \
    "^libvirt: node02: 1 connection opened, [1-3] more for migration jobs$" \
    "node02 (the source): one shared connection and one per migration in flight at most"
jobs=$(printf '%s\n' "$out" | sed -n 's/.*libvirt: node02: 1 connection opened, \([0-9]*\) more.*/\1/p')
is "$(printf '%s\n' "$out" | grep -c "connecting to node02 at ")" "$((1 + ${jobs:-0}))" \
    "node02: connected to once, and once per migration job connection"
printf '%s\n' "$out" | grep 'connecting to ' | sed 's/^/# /'   # every attempt, for the log
done_testing
