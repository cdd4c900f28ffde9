#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# suite lane: own-lab (touches only its private lab; tests/run runs it beside the shared-lab tests)
# Ctrl-C during a drain (issue 12): during a cold copy and during a
# base-image staging the drain stops cleanly (exit 130, the partial file on
# the destination removed, the guest still on its source, the journal left
# unfinished) and `drain --resume` finishes; a second Ctrl-C within 3 s
# exits at once naming the instance in flight, and --resume settles it.
# The signals are sent when the copy's file appears on the destination,
# not after a guessed sleep; the disks hold 1 GiB of data so that the copy
# is still running then.  A private 2-node lab.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

tmp=$(mktemp -d)
bg=""
cleanup() {
    [ -n "$bg" ] && kill -9 "$bg" 2>/dev/null
    private_lab_wipe
    rm -rf "$tmp"
}
trap cleanup EXIT
private_lab intr nir 2 # no Nova: the drain only moves the instances
quiet() { "$@" >/dev/null 2>&1; }
sha1() { printf %s "$1" | sha1sum | cut -c1-40; }
where() { # the nodes that define domain $1
    local n
    for n in node01 node02; do
        virsh -q -c "$("$LABSH" uri $n)" list --all --name | grep -qx "$1" && echo $n
    done
}
# appears PATH: waits for PATH while the background drain runs
appears() {
    local i
    for i in $(seq 1 3000); do
        [ -e "$1" ] && return 0
        kill -0 "$bg" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}
finish_bg() { wait "$bg"; rc=$?; bg=""; out=$(cat "$tmp/bg.out"); }
drain_bg() { "$NOVA_EVAC" drain "$@" >"$tmp/bg.out" 2>&1 & bg=$!; }

# A shut-off guest whose disk holds 1 GiB of data; its base is on both nodes.
"$LABSH" base ir-img --size 2G node01 node02 >/dev/null 2>&1
u1=$(new_uuid)
ok "a shut-off guest with 1 GiB of data on node01" quiet "$LABSH" guest node01 ir-cold "$u1" --image ir-img --shutoff --dirty 1000
sum1=$(sha256sum "$root/lab/node01/instances/$u1/disk" | cut -c1-64)

# 1. Ctrl-C during the cold copy.
drain_bg node01 --to node02
ok "the copy starts on node02" appears "$root/lab/node02/instances/$u1/disk"
kill -INT "$bg"
finish_bg
is "$rc" 130 "Ctrl-C during a cold copy: exit 130"
like "$out" "interrupted \(Ctrl-C\): stopping cleanly" "the interruption is said at once"
like "$out" "copy of .*/$u1/disk from node01 to node02 failed: interrupted" "the copy stopped"
like "$out" "stopped by Ctrl-C: finish it with 'nova-evac drain node01 --resume'" "the next step is named"
ok "the partial disk on node02 is removed" test ! -e "$root/lab/node02/instances/$u1/disk"
is "$(where ir-cold)" node01 "the guest is still (only) on node01"
run ne drain node01 --to node02
is "$rc" 3 "the journal is unfinished: a drain without --resume is refused"
run ne drain node01 --to node02 --resume
is "$rc" 0 "--resume finishes the drain"
is "$(where ir-cold)" node02 "the guest is on node02 only"
is "$(sha256sum "$root/lab/node02/instances/$u1/disk" 2>/dev/null | cut -c1-64)" "$sum1" "its disk is whole"

# 2. Ctrl-C during the staging of a base image node02 lacks (1 GiB of data).
"$LABSH" base ir-stg --size 1G node01 >/dev/null 2>&1
b=$root/lab/node01/instances/_base/$(sha1 ir-stg)
dd if=/dev/urandom of="$b" bs=1M count=1024 conv=notrunc status=none
u2=$(new_uuid)
ok "a shut-off guest on node01 whose base node02 lacks" quiet "$LABSH" guest node01 ir-stg "$u2" --image ir-stg --shutoff
part=$root/lab/node02/instances/_base/$(sha1 ir-stg).nova-evac-part
drain_bg node01 --to node02
ok "the staging starts on node02" appears "$part"
kill -INT "$bg"
finish_bg
is "$rc" 130 "Ctrl-C during staging: exit 130"
like "$out" "staging .* failed" "the staging stopped"
ok "the partial base on node02 is removed" test ! -e "$part"
ok "no base under the final name on node02" test ! -e "${part%.nova-evac-part}"
is "$(where ir-stg)" node01 "the guest is still on node01"
run ne drain node01 --to node02 --resume
is "$rc" 0 "--resume stages the base and finishes the drain"
is "$(where ir-stg)" node02 "the guest is on node02"
is "$(cmp "$b" "${part%.nova-evac-part}" && echo same)" same "the staged base is whole"

# 3. Ctrl-C twice within 3 s: exit at once, naming what is in flight.  The
# drain is held at a known point: a cold move of a running guest waits for
# its ACPI shutdown (the lab's guests never do it), and that wait is not cut
# short by the first Ctrl-C (a guest is never left half-stopped).
said() { # said TEXT: the background drain printed TEXT (it runs meanwhile)
    local i
    for i in $(seq 1 3000); do
        grep -q "$1" "$tmp/bg.out" && return 0
        kill -0 "$bg" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}
u3=$(new_uuid)
ok "a running guest on node01" quiet "$LABSH" guest node01 ir-run "$u3" --image ir-img
drain_bg node01 --to node02 --mode cold --shutdown-timeout 600
ok "the drain waits for the guest's shutdown" said "ir-run: stopping on node01"
kill -INT "$bg"
ok "the first Ctrl-C is acknowledged" said "interrupted (Ctrl-C): stopping cleanly"
kill -INT "$bg"
finish_bg
is "$rc" 130 "Ctrl-C twice: exit 130 at once"
like "$out" "interrupted again: exiting at once; in flight: ir-run; the journal records them; finish with 'nova-evac drain node01 --resume'" \
    "one line names the instance in flight and the next step"
is "$(where ir-run)" node01 "the guest is still on node01"
is "$(virsh -q -c "$NODE01_URI" domstate ir-run)" running "and still runs"
run ne drain node01 --to node02 --resume
is "$rc" 0 "--resume settles the move in flight and finishes"
is "$(where ir-run)" node02 "the guest is on node02 only"
is "$(virsh -q -c "$NODE02_URI" domstate ir-run)" running "it runs there"
done_testing
