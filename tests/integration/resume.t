#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# suite lane: own-lab (touches only its private lab; tests/run runs it beside the shared-lab tests)
# resume.t (issue 12): kill -9 at every journaled step of a cold move (of
# a shut-off and of a running guest) and of a live-block move, then
# `drain --resume`.  The kill points are the journal
# records themselves (NOVA_EVAC_FAULT=journal:EVENT#N, src/util/fault.h),
# read from a reference drain of each kind, not guessed with sleeps.  After
# each round every guest is defined on exactly one node, in the power state
# it had, its disk's content unchanged (qemu-img compare against a copy
# taken before), no instance directory left on the other nodes, and the
# journals record it moved once.
# Once the destination's libvirtd is killed during a cold copy: the drain
# waits for it to come back (bounded, with a countdown) and then moves it.
# A file at the disk path on the destination that no journal record
# created is left there by the resume (the move is refused instead).
# An instance found on neither host, or paused on the destination, is
# reported and counted as not moved.
# One round also stops the destination's libvirtd before the resume: the
# instance is reported as not settled with the next step, is not planned
# onto the other destination, the journal stays unfinished, and a later
# --resume (libvirtd back) finishes it.
# A private lab of three nodes (its own root and namespaces): the test stops
# one of its libvirtds, which must never happen to the shared lab.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

[ "$(id -u)" = 0 ] || skip_all "the lab needs root"
main=$NOVA_EVAC_LAB
root=/var/tmp/nel-rst-$$
# the namespaces are named after this run too: two runs at once never share one
export NOVA_EVAC_LAB=$root NOVA_EVAC_LAB_PREFIX=rst$$ NOVA_EVAC_LAB_VIRT_TYPE=qemu
tmp=$(mktemp -d)
cleanup() { "$LABSH" wipe >/dev/null 2>&1; rm -rf "$root" "$tmp"; }
trap cleanup EXIT
mkdir -p "$root/capcache"
cp -f "$main"/capcache/*.xml "$root/capcache/" 2>/dev/null || true
"$LABSH" up 3 >"$tmp/up.out" 2>&1 || { cat "$tmp/up.out" >&2; skip_all "a private lab did not start"; }
export NOVA_EVAC_CONFIG=$tmp/ne.conf
{ cat "$root/nova-evac.conf"; printf '[DEFAULT]\nstate_dir = %s/state\n' "$tmp"; } >"$NOVA_EVAC_CONFIG"
J=$tmp/state/node02.journal

vsh() { virsh -q -c "$("$LABSH" uri "$1")" "${@:2}"; }
quiet() { "$@" >/dev/null 2>&1; }
# nodes that define the domain (a node whose libvirtd is down shows nothing)
where() { local n; for n in node01 node02 node03; do vsh $n domstate "$1" >/dev/null 2>&1 && echo $n; done; }
dirs_on() { local n; for n in node01 node02 node03; do [ -e "$root/lab/$n/instances/$1" ] && echo $n; done; }
"$LABSH" base w node01 node02 node03 >/dev/null 2>&1
"$LABSH" base wb --size 1100M node01 node02 node03 >/dev/null 2>&1
# guest KIND NAME [MIB [IMAGE]]: a guest on node02 (cold: shut off; live:
# running) with MIB (4) written in its overlay over base IMAGE (w); prints
# its uuid and keeps a copy of the
# overlay (its backing file is the same base on every node)
guest() {
    local u; u=$(new_uuid)
    "$LABSH" guest node02 "$2" "$u" --image "${4:-w}" --dirty "${3:-4}" $([ "$1" = cold ] && echo --shutoff) >/dev/null 2>&1 ||
        return 1
    cp "$root/lab/node02/instances/$u/disk" "$tmp/$u.before"
    echo "$u"
}
same_disk() { "$LABSH" sh "$1" qemu-img compare -q -U "$tmp/$2.before" "$root/instances/$2/disk" >/dev/null 2>&1; }
moved_records() { cat "$J"* 2>/dev/null | jq -r --arg u "$1" 'select(.event=="moved" and .uuid==$u) | .uuid' | wc -l; }
# the records of the last run of the journal (from its last start record)
last_run() { awk '/"event":"start"/ { buf = "" } { buf = buf $0 "\n" } END { printf "%s", buf }' "$J"; }
want_state() { [ "$1" = cold ] && echo "shut off" || echo running; }
# coldrun: a running guest moved cold (--mode cold): stopped, copied,
# defined and started on node03, then undefined on node02.  The lab's
# guests ignore ACPI: a 1 s shutdown wait, then power off (the default 60 s
# wait made this file the suite's slowest by minutes)
mode_of() { [ "$1" = coldrun ] && echo "--mode cold --shutdown-timeout 1"; }
# check KIND NAME UUID LABEL: the end state after a finished resume
check() {
    local kind=$1 name=$2 u=$3 label=$4 w
    w=$(where "$name")
    is "$(echo $w)" node03 "$label: defined on node03 only"
    is "$(vsh node03 domstate "$name" 2>/dev/null)" "$(want_state "$kind")" "$label: $(want_state "$kind") as before"
    ok "$label: disk content unchanged" same_disk node03 "$u"
    is "$(echo $(dirs_on "$u"))" node03 "$label: instance directory on node03 only"
    is "$(moved_records "$u")" 1 "$label: the journal records it moved once"
}
# records KIND: the kill points of a move of that kind, from a reference
# drain without faults: one "journal:EVENT#N" per record, in order
records() {
    local u name=ref-$1
    u=$(guest "$1" "$name") || return 1
    "$NOVA_EVAC" drain node02 --to node03 $(mode_of "$1") >"$tmp/ref-$1.out" 2>&1 || { cat "$tmp/ref-$1.out" >&2; return 1; }
    jq -r .event "$J" | awk '{ n[$1]++; printf "journal:%s#%d\n", $1, n[$1] }' >"$tmp/points-$1"
    vsh node03 destroy "$name" >/dev/null 2>&1
    vsh node03 undefine "$name" >/dev/null 2>&1
    rm -rf "$root/lab/node03/instances/$u" "$J"*
}
ok "reference cold move" records cold
ok "reference live block move" records live
ok "reference cold move of a running guest" records coldrun
diag "cold move records: $(paste -sd' ' "$tmp/points-cold")"
diag "live block move records: $(paste -sd' ' "$tmp/points-live")"
diag "cold move of a running guest records: $(paste -sd' ' "$tmp/points-coldrun")"
grep -q '^journal:migrating#1$' "$tmp/points-cold" && grep -q '^journal:moved#1$' "$tmp/points-live" ||
    skip_all "reference drains did not journal a move"

# killed KIND NAME POINT: a drain of node02 to node03 killed at POINT
killed() {
    local pid rc
    NOVA_EVAC_FAULT=$3 "$NOVA_EVAC" drain node02 --to node03 $(mode_of "$1") >"$tmp/kill.out" 2>&1 &
    pid=$!
    wait $pid 2>/dev/null # no "Killed" line from the shell
    rc=$?
    [ $rc = 137 ] || { diag "$3: drain exited $rc, not killed: $(tail -3 "$tmp/kill.out")"; return 1; }
}

# ---- the destination's libvirtd stopped during the resume: the cold move
# killed at its last record before "defined" (or "moved": the disk copied,
# the domain not yet defined on node03)
pt=$(grep -B1 -m1 -e '^journal:defined#1$' -e '^journal:moved#1$' "$tmp/points-cold" | head -1)
u=$(guest cold down-c)
ok "cold move killed at $pt" killed cold down-c "$pt"
p=$(head -1 "$root/lab/node03/libvirtd.pid")
grep -q libvirtd "/proc/$p/cmdline" && kill "$p"
for _ in $(seq 100); do [ -d "/proc/$p" ] || break; sleep 0.1; done
ok "node03's libvirtd stopped" test ! -d "/proc/$p"
run ne drain node02 --to node01,node03 --resume
is "$rc" 1 "resume with node03's libvirtd down: exit 1 (not moved)"
like "$out" "down-c .*not settled: node03's libvirt cannot be reached; bring node03's libvirtd back, then 'nova-evac drain node02 --resume'" \
    "the unresolved instance is reported with its next step"
like "$out" "down-c +failed .*bring node03's libvirtd back" "the summary lists it as not moved"
like "$out" "down-c +$u +[a-z ]+ +unresolved +[0-9]+ +- +[^ ]+ [KMGi]*B +interrupted move to node03 not settled: node03's libvirt cannot be reached; bring node03's libvirtd back" \
    "the plan shows it unresolved: no destination, the reason, the next step"
is "$(where down-c)" node02 "not planned onto node01: still on node02 only"
is "$(last_run | jq -r --arg u "$u" 'select(.uuid==$u) | .event' | grep -c migrating)" 0 \
    "the resume journaled no new attempt for it"
ok "the journal stays unfinished" test "$(last_run | jq -r .event | grep -c finish)" = 0
ok "nothing of it on node01" test ! -e "$root/lab/node01/instances/$u"
run ne drain node02 --to node01,node03
is "$rc" 3 "a new drain (without --resume) is refused while it is unresolved"
"$LABSH" up 3 >"$tmp/up2.out" 2>&1
ok "node03's libvirtd back" quiet vsh node03 uri
run ne drain node02 --to node03 --resume
is "$rc" 0 "resume with node03 back exits 0"
check cold down-c "$u" "libvirtd down, then back"
rm -f "$J"*

# ---- the destination's libvirtd dies during a cold copy (1 GiB written in
# the overlay, so the copy is under way when the disk's created record is
# there): the drain waits for it, with a countdown, instead of giving up
# after a few seconds, removes the partial copy its journal records, and
# moves the guest once libvirtd is back.
u=$(guest cold wait-c 1024 wb)
"$NOVA_EVAC" drain node02 --to node03 >"$tmp/wait.out" 2>&1 &
dpid=$!
disk_created() { jq -r --arg u "$u" 'select(.event=="created" and .uuid==$u) | .path' "$J" 2>/dev/null | grep -q '/disk$'; }
for _ in $(seq 1200); do disk_created && break; sleep 0.05; done
p=$(head -1 "$root/lab/node03/libvirtd.pid")
ok "the copy to node03 started" disk_created && grep -q libvirtd "/proc/$p/cmdline" && kill "$p"
for _ in $(seq 1200); do grep -q "waiting for it to come back" "$tmp/wait.out" && break; sleep 0.1; done
like "$(cat "$tmp/wait.out")" "wait-c: node03's libvirtd does not answer; waiting for it to come back \([0-9]:[0-9]{2} left" \
    "the drain waits for node03's libvirtd, with a countdown"
"$LABSH" up 3 >"$tmp/up3.out" 2>&1
wait $dpid
is "$?" 0 "the drain exits 0 once node03 is back"
like "$(cat "$tmp/wait.out")" "node03's libvirtd answers again; retrying" "it says so and retries"
grep -E "does not answer|answers again|removed|left by" "$tmp/wait.out" | sed 's/^/# /'
check cold wait-c "$u" "libvirtd killed during the copy"
rm -f "$J"*

# ---- a file this tool did not create, at the disk path on the destination
# after the kill: the resume leaves it (and the move is refused)
u=$(guest cold foreign-c)
ok "cold move killed at journal:migrating#1" killed cold foreign-c "journal:migrating#1"
mkdir -p "$root/lab/node03/instances/$u"
head -c 1048576 /dev/urandom >"$root/lab/node03/instances/$u/disk"
fsum=$(sha256sum <"$root/lab/node03/instances/$u/disk")
run ne drain node02 --to node03 --resume
is "$rc" 1 "foreign file at the disk path: resume exits 1 (not moved)"
is "$(sha256sum <"$root/lab/node03/instances/$u/disk" 2>/dev/null)" "$fsum" "the foreign file is untouched"
is "$(where foreign-c)" node02 "the guest stays on node02"
ok "its disk there unchanged" same_disk node02 "$u"
rm -rf "$root/lab/node03/instances/$u" "$J"*
run ne drain node02 --to node03
is "$rc" 0 "once the operator removed it, a drain moves it"
is "$(where foreign-c)" node03 "on node03"

# ---- the move completed in libvirt but the killed run did not clean the
# source: the guest runs on node03 (moved there by hand, as the killed run
# would have), node02 still defines it shut off with its files.  The
# resume records it moved and removes node02's definition and the files
# the attempt's record lists, with its instance directory.
u=$(guest live done-l)
ok "live move killed at journal:migrating#1" killed live done-l "journal:migrating#1"
vsh node02 destroy done-l >/dev/null 2>&1
vsh node02 dumpxml --inactive done-l >"$tmp/done-l.xml"
cp -a "$root/lab/node02/instances/$u" "$root/lab/node03/instances/"
ok "by hand: defined and started on node03" quiet eval 'vsh node03 define "$tmp/done-l.xml" && vsh node03 start done-l'
run ne drain node02 --to node03 --resume
is "$rc" 0 "completed move: resume exits 0"
like "$out" "done-l: the interrupted migration to node03 completed" "says the move completed"
is "$(where done-l)" node03 "defined on node03 only"
ok "node02's instance directory removed" test ! -e "$root/lab/node02/instances/$u"
is "$(moved_records "$u")" 1 "the journal records it moved once"
rm -f "$J"*

# ---- evidence that settles nothing: after the kill, the instance vanished
# from both hosts, or it is paused on the destination and gone from the
# source.  Each is reported and counted as not moved (exit 1), and left as
# it is.
u=$(guest cold gone-c)
ok "cold move killed at journal:migrating#1 (gone-c)" killed cold gone-c "journal:migrating#1"
vsh node02 undefine gone-c >/dev/null 2>&1
run ne drain node02 --to node03 --resume
is "$rc" 1 "vanished from both hosts: resume exits 1"
like "$out" "gone-c .*defined on neither node02 nor node03: not touched" "vanished: reported"
ok "its files on node02 are left as they are" test -e "$root/lab/node02/instances/$u/disk"
rm -rf "$root/lab/node02/instances/$u" "$J"*
u=$(guest live paused-l)
ok "live move killed at journal:migrating#1 (paused-l)" killed live paused-l "journal:migrating#1"
vsh node02 destroy paused-l >/dev/null 2>&1
vsh node02 dumpxml --inactive paused-l >"$tmp/paused-l.xml"
cp -a "$root/lab/node02/instances/$u" "$root/lab/node03/instances/"
vsh node02 undefine paused-l >/dev/null 2>&1
ok "by hand: defined on node03 and started paused" quiet eval 'vsh node03 define "$tmp/paused-l.xml" && vsh node03 start --paused paused-l'
run ne drain node02 --to node03 --resume
is "$rc" 1 "paused on the destination: resume exits 1"
like "$out" "paused-l .*absent on node02 and paused on node03: not touched" "paused on the destination: reported"
is "$(vsh node03 domstate paused-l)" paused "left paused on node03"
ok "its files on node02 are left as they are" test -e "$root/lab/node02/instances/$u/disk"
vsh node03 destroy paused-l >/dev/null 2>&1
vsh node03 undefine paused-l >/dev/null 2>&1
rm -rf "$root/lab/node02/instances/$u" "$root/lab/node03/instances/$u" "$J"*

# ---- every kill point of each kind
for kind in cold live coldrun; do
    k=0
    for pt in $(cat "$tmp/points-$kind"); do
        k=$((k + 1))
        name=$kind-$k
        u=$(guest "$kind" "$name") || { ok "$name: guest created" false; continue; }
        ok "$kind move killed at $pt" killed "$kind" "$name" "$pt"
        run ne drain node02 --to node03 --resume $(mode_of "$kind")
        is "$rc" 0 "$kind, killed at $pt: resume exits 0"
        [ "$rc" = 0 ] || diag "$(printf '%s\n' "$out" | tail -5)"
        check "$kind" "$name" "$u" "$kind, killed at $pt"
        ok "$kind, killed at $pt: the journal is finished" test "$(last_run | jq -r .event | tail -1)" = finish
        rm -f "$J"*
    done
done
done_testing
