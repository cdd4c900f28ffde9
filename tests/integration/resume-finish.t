#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# suite lane: own-lab (touches only its private lab; tests/run runs it beside the shared-lab tests)
# resume-finish.t (issue 12): a cold move killed after the switch-over
# (the destination defines or runs the guest) and before the source's
# cleanup, then `drain --resume`.  The resume finds the move completed and
# finishes the source as a normal move does: the source's instance
# directory goes (Nova refuses a later move back while it exists) - also
# for a guest without any disk file - but a source file that is not the
# one the journal recorded is kept, and so is the directory holding it;
# with the instances path shared by both nodes (not declared in the
# configuration) nothing is removed.
# The kills are journal records (NOVA_EVAC_FAULT, src/util/fault.h):
# journal:started (running on the destination, the source still defines
# it) and journal:source-undefined (the source definition gone, its files
# not yet).  A private 2-node lab (its own root and namespaces).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

tmp=$(mktemp -d)
cleanup() { private_lab_wipe; rm -rf "$tmp"; }
trap cleanup EXIT
private_lab rfin rfi$$ 2 # no Nova: the drain only moves the instances
J=$tmp/state/node01.journal
quiet() { "$@" >/dev/null 2>&1; }
vsh() { virsh -q -c "$("$LABSH" uri "$1")" "${@:2}"; }
where() { # the nodes that define domain $1
    local n
    for n in node01 node02; do vsh $n list --all --name | grep -qx "$1" && echo $n; done
}
dir1() { printf '%s/lab/node01/instances/%s' "$root" "$1"; } # node01's instance directory
sum() { sha256sum "$1" 2>/dev/null | cut -c1-64; }
# killed POINT: a drain of node01 to node02 killed at the journal record POINT
killed() {
    NOVA_EVAC_FAULT=$1 "$NOVA_EVAC" drain node01 --to node02 --mode cold --shutdown-timeout 3 >"$tmp/kill.out" 2>&1 &
    wait $! 2>/dev/null
    local rc=$?
    [ $rc = 137 ] || { diag "$1: drain exited $rc, not killed: $(tail -3 "$tmp/kill.out")"; return 1; }
}
"$LABSH" base rf node01 node02 >/dev/null 2>&1

# ---- 1. a running guest, killed once it runs on node02 while node01 still
# defines it: the resume undefines it on node01 and removes its directory.
u=$(new_uuid)
ok "a running guest on node01" quiet "$LABSH" guest node01 rf-run "$u" --image rf --dirty 4
ok "drain killed after the start on node02 (journal:started)" killed journal:started
is "$(echo $(where rf-run))" "node01 node02" "after the kill both nodes define it"
ok "node01's instance directory is still there" test -e "$(dir1 "$u")/disk"
run ne drain node01 --to node02 --resume --mode cold
is "$rc" 0 "--resume exits 0"
like "$out" "rf-run: the interrupted migration to node02 completed" "it says the move completed"
is "$(where rf-run)" node02 "defined on node02 only"
is "$(vsh node02 domstate rf-run)" running "running there"
ok "node01's instance directory is removed" test ! -e "$(dir1 "$u")"
rm -f "$J"*

# ---- 2. a shut-off guest without any disk file (its directory holds only
# a log), killed once node01's definition is gone: the directory goes too,
# as after a normal cold move.
u=$(new_uuid)
"$LABSH" xml node01 rf-nodisk "$u" --shutoff | sed '/<disk /,/<\/disk>/d' >"$tmp/nodisk.xml"
mkdir -p "$(dir1 "$u")" && echo "boot log" >"$(dir1 "$u")/console.log"
ok "a shut-off guest without disks on node01" quiet vsh node01 define "$tmp/nodisk.xml"
ok "drain killed after node01's definition went (journal:source-undefined)" killed journal:source-undefined
is "$(where rf-nodisk)" node02 "after the kill only node02 defines it"
run ne drain node01 --to node02 --resume --mode cold
is "$rc" 0 "--resume exits 0"
like "$out" "rf-nodisk: the interrupted migration to node02 completed" "it says the move completed"
ok "node01's instance directory is removed" test ! -e "$(dir1 "$u")"
rm -f "$J"*

# ---- 3. killed at the same point, then node01's disk changed (grown by
# 1 MiB): not the file the journal recorded, so it is kept, with its
# directory, and the resume says so.
u=$(new_uuid)
ok "a shut-off guest on node01" quiet "$LABSH" guest node01 rf-kept "$u" --image rf --dirty 4 --shutoff
ok "drain killed after node01's definition went (journal:source-undefined)" killed journal:source-undefined
ok "node01's disk grown by hand" quiet "$LABSH" sh node01 qemu-img resize -f qcow2 "$root/instances/$u/disk" +1M
before=$(sum "$(dir1 "$u")/disk")
run ne drain node01 --to node02 --resume --mode cold
is "$rc" 0 "--resume exits 0 (the guest is on node02)"
like "$out" "instances/$u/disk on node01 is not the file the journal recorded: left in place" \
    "the changed file is reported"
like "$out" "instances/$u on node01 is kept with the file\(s\) left above" "so is its directory"
is "$(sum "$(dir1 "$u")/disk")" "$before" "the changed file is still there, untouched"
is "$(where rf-kept)" node02 "defined on node02 only"
rm -f "$J"*

# ---- 4. the instances path shared by both nodes (node01's directory
# bind-mounted over node02's in node02's namespace; the configuration does
# not say so): after the same kill the resume removes nothing.
ok "the configuration does not declare the instances path shared" \
    bash -c "! grep -q shared_instances '$NOVA_EVAC_CONFIG'"
"$LABSH" sh node02 mount --bind "$root/lab/node01/instances" "$root/instances"
u=$(new_uuid)
ok "a shut-off guest on node01" quiet "$LABSH" guest node01 rf-shared "$u" --image rf --dirty 4 --shutoff
before=$(sum "$(dir1 "$u")/disk")
ok "drain killed after node01's definition went (journal:source-undefined)" killed journal:source-undefined
run ne drain node01 --to node02 --resume --mode cold
is "$rc" 0 "--resume exits 0"
like "$out" "rf-shared: the interrupted migration to node02 completed" "it says the move completed"
is "$(where rf-shared)" node02 "defined on node02 only"
is "$(sum "$(dir1 "$u")/disk")" "$before" "the shared directory and its disk are kept, whole"
ok "the guest starts on node02 from it" quiet vsh node02 start rf-shared
vsh node02 destroy rf-shared >/dev/null 2>&1
"$LABSH" sh node02 umount "$root/instances"
done_testing
