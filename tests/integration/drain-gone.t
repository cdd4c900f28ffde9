#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# drain-gone.t: shared lab lane (it drains node02 of the shared cloud)
# A server deleted in Nova while the drain of its host runs, on the shared
# mini-cloud (tests/lab/openstack.sh up libvirt): the drain reports it "gone
# (deleted in Nova during the drain)", journals it, moves the others and
# exits 0; a --resume does not try it again.  No sleep races the drain: it
# stops itself (NOVA_EVAC_FAULT's "=stop": SIGSTOP) at a fault point, the
# test deletes the server and waits for Nova's 404, then sends SIGCONT.
#  - --via nova: b deleted after the plan (before its move), c (shut off,
#    so moved cold) deleted while Nova waits for the resize confirmation;
#  - --via libvirt: e deleted after the plan; the run killed right after
#    its "gone" record, then --resume: e is not tried again.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
need_nova_libvirt
id=$(uniq_id)
tmp=$(mktemp -d)
pid=
cleanup() {
    local s
    [ -n "$pid" ] && { kill -CONT "$pid"; kill -9 "$pid"; wait "$pid"; } 2>/dev/null
    for s in $(cat "$tmp/ids" 2>/dev/null); do nova DELETE "/servers/$s" >/dev/null 2>&1; done
    "$NOVA_EVAC" -q undrain node02 >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT
{ cat "$NOVA_EVAC_LAB/nova-evac.conf"
  printf '[DEFAULT]\nstate_dir = %s/state\nnova_conf = %s/nova.conf\n' "$tmp" "$NOVA_EVAC_OS"; } >"$tmp/ne.conf"
export NOVA_EVAC_CONFIG=$tmp/ne.conf
host_of() { nova GET "/servers/$1" | body | jq -r '.server | "\(.status) \(."OS-EXT-SRV-ATTR:host")"'; }
on_node() { virsh -q -c "$("$LABSH" uri "$1")" domstate "$2" 2>/dev/null | head -1; }
boot() { nova_boot "$1" node02; } # boot NAME: a server on node02, ACTIVE
# delete UUID: deleted in Nova, waiting for its 404 (bounded: 120 s)
delete() {
    local i
    nova DELETE "/servers/$1" >/dev/null
    for i in $(seq 400); do
        [ "$(nova GET "/servers/$1" | code)" = 404 ] && return 0
        sleep 0.3
    done
    diag "$1 still in Nova 120 s after its delete: $(srv "$1")"
    return 1
}
# events EVENT UUID: that instance's EVENT records in the current journal
events() {
    jq -R -c --arg e "$1" --arg u "$2" 'fromjson? | select(.event==$e and .uuid==$u)' \
        "$tmp/state/node02.journal" 2>/dev/null | grep -c .
}
fl=$(nova GET /flavors | body | jq -r '.flavors[]|select(.name=="m1.tiny").id')
img=$(glance GET '/v2/images?name=tiny' | body | jq -r '.images[0].id')
[ -n "$fl" ] && [ -n "$img" ] && [ "$img" != null ] || skip_all "lab seed missing (flavor m1.tiny, image tiny)"

# --- --via nova: b deleted after the plan, c during its (cold) move
a=$(boot a) && b=$(boot b) && c=$(boot c) || skip_all "could not boot servers on node02"
nova POST "/servers/$c/action" '{"os-stop":null}' >/dev/null
wait_srv "$c" '.status=="SHUTOFF" and ."OS-EXT-STS:task_state"==null' 120 >/dev/null ||
    skip_all "could not stop $c: $(srv "$c")"
NOVA_EVAC_FAULT='journal:start=stop,nova:verify-resize=stop' \
    "$NOVA_EVAC" drain node02 --via nova --to node01 -j 1 --reason "$id" >"$tmp/out1" 2>&1 &
pid=$!
ok "stopped after the plan; $id-b deleted in Nova (404)" eval 'stopped "$pid" && delete "$b"'
kill -CONT "$pid"
stopped "$pid"
is "$(host_of "$c")" "VERIFY_RESIZE node01" "stopped while Nova waits for $id-c's resize confirmation"
ok "$id-c deleted in Nova during its cold move (404)" delete "$c"
kill -CONT "$pid"
wait "$pid"
rc=$?
pid=
out=$(cat "$tmp/out1")
is "$rc" 0 "--via nova: exit 0, the deleted servers are no failure"
[ "$rc" = 0 ] || diag "$(tail -n 30 "$tmp/out1")"
like "$out" "\($b\): gone \(deleted in Nova during the drain\): Nova answers 404" "b reported gone"
like "$out" "\($c\): gone \(deleted in Nova during the drain\): Nova answers 404" "c reported gone"
is "$(printf '%s\n' "$out" | grep -cE '^instance-[0-9a-f]+ +gone ')" 2 "the summary shows two gone"
is "$(grep -c 'nova-evac: error:' "$tmp/out1")" 0 \
    "no error line: the steps that failed on the deleted servers are not failures"
grep 'nova-evac: error:' "$tmp/out1" | while read -r l; do diag "$l"; done
is "$(events gone "$b") $(events gone "$c") $(events failed "$b") $(events failed "$c")" "1 1 0 0" \
    "the journal records b and c gone, not failed"
is "$(jq -R -r 'fromjson? | select(.event=="finish") | "\(.gone) \(.not_moved)"' "$tmp/state/node02.journal")" \
    "2 0" "the finish record: 2 gone, none not moved"
is "$(host_of "$a")" "ACTIVE node01" "the rest of the drain went on: $id-a ACTIVE on node01"
is "$(on_node node01 "$a")" "running" "libvirt: $id-a runs on node01"

# --- --via libvirt: e deleted after the plan; killed after its gone record
ne -q undrain node02 >/dev/null
d=$(boot d) && e=$(boot e) || skip_all "could not boot servers on node02 (second round)"
NOVA_EVAC_FAULT='journal:start=stop,journal:gone' \
    "$NOVA_EVAC" drain node02 --via libvirt --to node03 -j 1 >"$tmp/out2" 2>&1 &
pid=$!
ok "libvirt path: stopped after the plan; $id-e deleted in Nova (404)" eval 'stopped "$pid" && delete "$e"'
is "$(on_node node02 "$e")" "" "and its domain is gone from node02"
kill -CONT "$pid"
wait "$pid"
rc=$?
pid=
is "$rc" 137 "killed right after the gone record"
like "$(cat "$tmp/out2")" "\($e\): gone \(deleted in Nova during the drain\): Nova answers 404 for it and libvirt defines it on neither host" \
    "e reported gone, with both pieces of evidence"
is "$(grep -c 'nova-evac: error:' "$tmp/out2")" 0 "...and no error line before it"
run ne drain node02 --resume --via libvirt --to node03
is "$rc" 0 "--resume exits 0"
[ "$rc" = 0 ] || diag "$(printf '%s\n' "$out" | tail -n 30)"
is "$(printf '%s\n' "$out" | grep -c "$e")" 0 "--resume does not mention e again"
is "$(events migrating "$e") $(events gone "$e") $(events failed "$e")" "1 1 0" \
    "the journal: one attempt of e, gone, never tried again"
is "$(host_of "$d") $(on_node node03 "$d")" "ACTIVE node03 running" "$id-d moved to node03, recorded in Nova"
done_testing
