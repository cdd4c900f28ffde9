#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# suite lane: own-lab (touches only its private lab; tests/run runs it beside the shared-lab tests)
# Locks shared by migrate and drain (issue 12): a `migrate` of an instance
# that a drain (or another migrate) is moving is refused, naming the
# instance and the pid that holds the lock; a drain of a host that a
# migrate moves from is refused too.  The first command is held at a known
# point, not timed: a cold move of a running guest waits for its ACPI
# shutdown, which the lab's guests never do (--shutdown-timeout 600); it is
# then killed (-9: the kernel drops its locks, nothing was changed yet).
# A private 2-node lab.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

tmp=$(mktemp -d)
bg=""
cleanup() {
    [ -n "$bg" ] && kill -9 $bg 2>/dev/null
    private_lab_wipe
    rm -rf "$tmp"
}
trap cleanup EXIT
private_lab locks nlk 2 # no Nova: nothing to record
quiet() { "$@" >/dev/null 2>&1; }
"$LABSH" base lk-img node01 node02 >/dev/null 2>&1
u=$(new_uuid)
ok "a running guest on node01" quiet "$LABSH" guest node01 lk-vm "$u" --image lk-img
lock=$tmp/state/locks/instance-$u.lock
state() { virsh -q -c "$NODE01_URI" domstate lk-vm 2>/dev/null; }

# held() WHAT: the lock file names WHAT (written once the lock is taken);
# waits for the background command to get there (it may not: then fails).
held() {
    local i
    for i in $(seq 1 600); do
        grep -q "$1" "$lock" 2>/dev/null && return 0
        kill -0 "$bg" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}
stop_bg() { kill -9 "$bg" 2>/dev/null; wait "$bg" 2>/dev/null; bg=""; }

# 1. A migrate holds the instance: a second migrate and a drain are refused.
"$NOVA_EVAC" migrate lk-vm --from node01 --to node02 --mode cold --shutdown-timeout 600 >"$tmp/m1.out" 2>&1 &
bg=$!
ok "the first migrate holds the instance's lock" held "pid $bg (nova-evac migrate of lk-vm"
run ne migrate lk-vm --from node01 --to node02
is "$rc" 3 "a second migrate of the same instance: refused (exit 3)"
like "$out" "lk-vm \($u\): refused: pid $bg \(nova-evac migrate of lk-vm from node01 to node02\) is moving it" \
    "the refusal names the instance and the pid holding the lock"
run ne drain node01 --to node02
is "$rc" 3 "a drain of the migrate's source: refused (exit 3)"
like "$out" "a nova-evac migrate from node01 is running \(pid $bg " "the drain's refusal names the migrate's pid"
stop_bg
is "$(state)" running "the guest still runs on node01 (nothing was changed)"
run ne migrate lk-vm --from node01 --to node02 --dry-run
is "$rc" 0 "the killed migrate's locks are gone: a new migrate is not refused"

# 2. A drain holds every instance of its host: a migrate of one is refused.
"$NOVA_EVAC" drain node01 --to node02 --mode cold --shutdown-timeout 600 >"$tmp/d1.out" 2>&1 &
bg=$!
ok "the drain holds the instance's lock" held "pid $bg (nova-evac drain of node01)"
run ne migrate lk-vm --from node01 --to node02
is "$rc" 3 "migrate of an instance the drain is moving: refused (exit 3)"
like "$out" "lk-vm \($u\): refused: pid $bg \(nova-evac drain of node01\) is draining node01" \
    "the refusal names the instance and the drain's pid"
like "$(head -n1 <<<"$out")" "refused" "the refusal is the first line"
stop_bg
is "$(state)" running "the guest still runs on node01"
ok "not defined on node02" test -z "$(virsh -q -c "$NODE02_URI" list --all --name | grep -x lk-vm)"
done_testing
