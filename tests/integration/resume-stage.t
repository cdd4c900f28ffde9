#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# suite lane: own-lab (touches only its private lab; tests/run runs it beside the shared-lab tests)
# resume-stage.t (issue 12): a drain killed during the staging of a base
# image leaves <sha1>.nova-evac-part on the destination.  The drain
# journals the .part before it creates it (and what it is once whole); the
# resume, and the next staging of that base, remove a .part the journal
# shows this tool created and that is still what was created, and say so.
# Nothing else is removed: a .part-named file no record created, or one
# changed since its record, is left as it is.
# The kills are journal records (NOVA_EVAC_FAULT, src/util/fault.h), not
# guessed sleeps: journal:staged follows the clone of the .part to the
# final name (the .part not yet deleted), journal:identity the .part whole.
# A private 2-node lab (its own root and namespaces).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

tmp=$(mktemp -d)
cleanup() { private_lab_wipe; rm -rf "$tmp"; }
trap cleanup EXIT
private_lab rsg rsg$$ 2 # no Nova: the drain only moves the instances
J=$tmp/state/node01.journal
quiet() { "$@" >/dev/null 2>&1; }
sha1() { printf %s "$1" | sha1sum | cut -c1-40; }
where() { # the nodes that define domain $1
    local n
    for n in node01 node02; do
        virsh -q -c "$("$LABSH" uri $n)" list --all --name | grep -qx "$1" && echo $n
    done
}
base2=$root/lab/node02/instances/_base
said() { printf '%s/instances/_base/%s' "$root" "$(basename "$1")"; } # the path as node02 names it
# killed POINT: a drain of node01 to node02 killed at the journal record POINT
killed() {
    NOVA_EVAC_FAULT=$1 "$NOVA_EVAC" drain node01 --to node02 >"$tmp/kill.out" 2>&1 &
    wait $! 2>/dev/null
    local rc=$?
    [ $rc = 137 ] || { diag "$1: drain exited $rc, not killed: $(tail -3 "$tmp/kill.out")"; return 1; }
}

# A .part-named file of a base no run stages, made by hand on node02: no
# record created it, so nothing removes it.
head -c 1048576 /dev/urandom >"$base2/$(sha1 rsg-other).nova-evac-part"
other=$(sha256sum <"$base2/$(sha1 rsg-other).nova-evac-part")

# ---- 1. killed after the clone to the final name, before the .part is
# deleted: the base is there, so no staging looks at the .part again; the
# resume removes it because the journal shows this tool created it.
"$LABSH" base rsg-a node01 >/dev/null 2>&1
u=$(new_uuid)
ok "a shut-off guest on node01 whose base node02 lacks" quiet "$LABSH" guest node01 rsg-g1 "$u" --image rsg-a --shutoff
part=$base2/$(sha1 rsg-a).nova-evac-part
ok "drain killed after the staged base's clone (journal:staged)" killed journal:staged
ok "the .part is on node02 after the kill" test -e "$part"
ok "the staged base is under its final name" test -e "${part%.nova-evac-part}"
is "$(jq -r --arg p "$(said "$part")" 'select(.event=="created" and .path==$p) | .uuid' "$J")" "$u" \
    "the .part's creation was journalled (under the instance that needs it)"
run ne drain node01 --to node02 --resume
is "$rc" 0 "--resume exits 0"
like "$out" "removed $(said "$part"), left by an interrupted staging" "it says what it removed"
ok "the .part is gone" test ! -e "$part"
is "$(where rsg-g1)" node02 "the guest moved to node02"
is "$(sha256sum <"$base2/$(sha1 rsg-other).nova-evac-part")" "$other" "the .part no record created is left as it is"
rm -f "$J"*

# ---- 2. killed once the .part is whole, before the clone: the next
# staging of the base (the resume's) removes it and stages again.
"$LABSH" base rsg-b node01 >/dev/null 2>&1
u=$(new_uuid)
ok "a second guest, on another base node02 lacks" quiet "$LABSH" guest node01 rsg-g2 "$u" --image rsg-b --shutoff
part=$base2/$(sha1 rsg-b).nova-evac-part
ok "drain killed with the .part whole (journal:identity)" killed journal:identity#1
ok "the .part is on node02" test -e "$part"
ok "no base under the final name" test ! -e "${part%.nova-evac-part}"
run ne drain node01 --to node02 --resume
is "$rc" 0 "--resume exits 0"
like "$out" "removed $(said "$part"), left by an interrupted staging" "the staging says it removed the .part"
ok "the .part is gone" test ! -e "$part"
is "$(cmp "$root/lab/node01/instances/_base/$(sha1 rsg-b)" "${part%.nova-evac-part}" && echo same)" same "the base is staged whole"
is "$(where rsg-g2)" node02 "the guest moved to node02"
rm -f "$J"*

# ---- 3. the same kill, then the .part replaced by another file: not what
# the journal recorded, so it is left alone and that base is not staged
# (the guest stays where it is); once the operator removes it, a resume
# finishes.
"$LABSH" base rsg-c node01 >/dev/null 2>&1
u=$(new_uuid)
ok "a third guest, on a third base" quiet "$LABSH" guest node01 rsg-g3 "$u" --image rsg-c --shutoff
part=$base2/$(sha1 rsg-c).nova-evac-part
ok "drain killed with the .part whole (journal:identity)" killed journal:identity#1
head -c 4096 /dev/urandom >"$part"
fsum=$(sha256sum <"$part")
run ne drain node01 --to node02 --resume
is "$rc" 1 "--resume exits 1: that guest is not moved"
like "$out" "$(said "$part") is there, but the journal does not show that this tool created it" "the changed .part is reported"
is "$(sha256sum <"$part" 2>/dev/null)" "$fsum" "the changed .part is untouched"
is "$(where rsg-g3)" node01 "the guest stays on node01"
rm -f "$part"
run ne drain node01 --to node02
is "$rc" 0 "once the operator removed it, a drain moves it"
is "$(where rsg-g3)" node02 "on node02"
is "$(sha256sum <"$base2/$(sha1 rsg-other).nova-evac-part")" "$other" "the .part no record created is still there, unchanged"
done_testing
