#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# suite lane: own-lab (touches only its private lab; tests/run runs it beside the shared-lab tests)
# A drain whose journal cannot be written (issue 12): its state directory
# is a tmpfs with one free page, mounted in the drain's own mount namespace,
# so an append fails with ENOSPC partway through.  The drain starts no new
# move after that, lets the one in flight end, exits 4 naming the journal,
# and every guest is defined on exactly one node with its disk whole.
# A private two-node lab, so that the drain only sees this test's guests.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
need_lab
[ "$(id -u)" = 0 ] || skip_all "a private lab and a tmpfs need root"
id=$(uniq_id)
tmp=$(mktemp -d)
main_lab=$NOVA_EVAC_LAB
private=/var/tmp/nel-journal-full-$$
cleanup() {
    NOVA_EVAC_LAB=$private NOVA_EVAC_LAB_PREFIX=njf "$LABSH" wipe >/dev/null 2>&1
    rm -rf "$private" "$tmp"
}
trap cleanup EXIT
mkdir -p "$private/capcache"
cp -f "$main_lab"/capcache/*.xml "$private/capcache/" 2>/dev/null || true
export NOVA_EVAC_LAB=$private NOVA_EVAC_LAB_PREFIX=njf NOVA_EVAC_LAB_VIRT_TYPE=qemu
if ! "$LABSH" up 2 >"$tmp/up.out" 2>&1; then
    sed 's/^/# /' "$tmp/up.out"
    skip_all "a private lab did not start"
fi
. "$private/env"
vsh() { virsh -q -c "$("$LABSH" uri "$1")" "${@:2}"; }
sum() { sha256sum "$1" 2>/dev/null | cut -c1-64; }
defined_on() { vsh "$1" list --all --name | grep -cx "$2"; }

"$LABSH" base "jf-$id" node01 node02 >/dev/null 2>&1
declare -A uuid disk
for g in a b c; do
    ok "shut-off guest $g on node01" "$LABSH" guest node01 "jf$g-$id" "$(new_uuid)" --image "jf-$id" --dirty 2 --shutoff
    uuid[$g]=$(vsh node01 domuuid "jf$g-$id")
    disk[$g]=$(sum "$private/lab/node01/instances/${uuid[$g]}/disk")
done

# the state directory: 8 KiB of tmpfs, 4 KiB of it taken
sd=$tmp/state
mkdir -p "$sd"
sed "s|^state_dir = .*|state_dir = $sd|" "$private/nova-evac.conf" >"$tmp/ne.conf"
run unshare --mount --propagation private sh -c '
    mount -t tmpfs -o size=8k,mode=0700 ne-journal-full "$1" &&
    head -c 4096 /dev/zero >"$1/filler" &&
    exec "$2" --config "$3" drain node01 --to node02' sh "$sd" "$NOVA_EVAC" "$tmp/ne.conf"
is "$rc" 4 "the drain exits 4 when its journal cannot be written"
like "$out" "cannot write journal $sd/node01.journal: starting no new migration" \
    "the failed append is reported when it happens"
like "$out" "No space left on device" "with its cause"
like "$out" "drain node01: the journal $sd/node01.journal could not be written: no new move" \
    "the end of the drain names the journal and the next step"
moved=0
for g in a b c; do
    n1=$(defined_on node01 "jf$g-$id") n2=$(defined_on node02 "jf$g-$id")
    is "$((n1 + n2))" 1 "guest $g is defined on exactly one node"
    [ "$n2" = 1 ] && moved=$((moved + 1)) && h=node02 || h=node01
    is "$(sum "$private/lab/$h/instances/${uuid[$g]}/disk")" "${disk[$g]}" "guest $g's disk on $h is whole (sha256)"
done
ok "not every guest was moved: no new move after the failure ($moved of 3 moved)" test "$moved" -lt 3
done_testing
