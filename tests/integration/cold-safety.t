#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Deleting only what a move created (issue 12).
# (a) A destination that already has a file at the instance's disk path:
#     the cold move is refused before the guest is stopped, and the file is
#     left as it was (checksum), on the suite's lab.
# (b) Instances storage shared by two nodes although the configuration does
#     not say so: a private two-node lab whose nodes see one instances
#     directory (node01's, bind-mounted over node02's in node02's mount
#     namespace).  Moving a shut-off and a running guest loses no disk
#     (checksums before and after) and the tool says the storage is shared.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
need_lab
id=$(uniq_id)
tmp=$(mktemp -d)
main_lab=$NOVA_EVAC_LAB
created=()
private=""
cleanup() {
    local n d
    for d in "${created[@]}"; do
        for n in node01 node02 node03; do
            virsh -q -c "$(NOVA_EVAC_LAB=$main_lab NOVA_EVAC_LAB_PREFIX=nel "$LABSH" uri $n)" destroy "$d" >/dev/null 2>&1
            virsh -q -c "$(NOVA_EVAC_LAB=$main_lab NOVA_EVAC_LAB_PREFIX=nel "$LABSH" uri $n)" undefine "$d" >/dev/null 2>&1
        done
    done
    [ -n "$private" ] && NOVA_EVAC_LAB=$private NOVA_EVAC_LAB_PREFIX=ncs "$LABSH" wipe >/dev/null 2>&1 &&
        rm -rf "$private"
    rm -rf "$tmp"
}
trap cleanup EXIT
vsh() { virsh -q -c "$("$LABSH" uri "$1")" "${@:2}"; }
node_dir() { printf '%s/lab/%s/instances/%s' "$NOVA_EVAC_LAB" "$1" "$2"; }
state() { vsh "$1" domstate "$2" 2>/dev/null | head -1; }
sum() { sha256sum "$1" 2>/dev/null | cut -c1-64; }
guest() { # guest NODE NAME ARGS...: a lab guest removed at exit
    created+=("$2")
    "$LABSH" guest "$1" "$2" "$(new_uuid)" "${@:3}" >/dev/null 2>&1
}

# --- (a) a file already at the disk path on the destination
"$LABSH" base "cs-$id" node01 node02 node03 >/dev/null 2>&1
ok "running guest on node02" guest node02 "ex-$id" --image "cs-$id" --config-drive --dirty 4
u=$(vsh node02 domuuid "ex-$id")
mkdir -p "$(node_dir node01 "$u")"
head -c 1048576 /dev/urandom >"$(node_dir node01 "$u")/disk"
before=$(sum "$(node_dir node01 "$u")/disk")
src_before=$(sum "$(node_dir node02 "$u")/disk")
domid=$(vsh node02 domid "ex-$id")
run ne migrate "ex-$id" --from node02 --to node01 --mode cold --shutdown-timeout 5
is "$rc" 3 "a file at the disk path on the destination: refused (exit 3)"
like "$out" "ex-$id \\($u\\): .*instances/$u/disk already exists on node01: refusing" \
    "the message names the instance, the path and the host"
like "$out" "the guest was not stopped" "the message says the guest was not stopped"
like "$out" "remove it, or choose another destination" "the message gives the next step"
is "$(state node02 "ex-$id")" "running" "still running on node02"
is "$(vsh node02 domid "ex-$id")" "$domid" "never stopped nor restarted (same domain id)"
is "$(sum "$(node_dir node01 "$u")/disk")" "$before" "the destination's file is untouched (sha256)"
ok "nothing else created on node01" test ! -e "$(node_dir node01 "$u")/disk.config"
ok "no domain on node01" test -z "$(vsh node01 list --all --name | grep -x "ex-$id")"
is "$(sum "$(node_dir node02 "$u")/disk")" "$src_before" "the source disk is whole"
rm -rf "$(node_dir node01 "$u")"

# --- (b) shared instances storage the configuration does not declare
[ "$(id -u)" = 0 ] || { done_testing; exit; }
private=/var/tmp/nel-journal-$$
mkdir -p "$private/capcache"
cp -f "$main_lab"/capcache/*.xml "$private/capcache/" 2>/dev/null || true
export NOVA_EVAC_LAB=$private NOVA_EVAC_LAB_PREFIX=ncs NOVA_EVAC_LAB_VIRT_TYPE=qemu
if ! "$LABSH" up 2 >"$tmp/up.out" 2>&1; then
    sed 's/^/# /' "$tmp/up.out"
    ok "a private lab starts" false
    done_testing
    exit
fi
. "$private/env"
export NOVA_EVAC_CONFIG=$private/nova-evac.conf
ok "the configuration does not declare the instances path shared" \
    bash -c "! grep -q shared_instances '$NOVA_EVAC_CONFIG'"
# node02's libvirtd sees node01's instances directory at the instances path
"$LABSH" sh node02 mount --bind "$private/lab/node01/instances" "$private/instances"
"$LABSH" base "sh-$id" node01 >/dev/null 2>&1
ok "node02 sees node01's base image (one directory)" \
    "$LABSH" sh node02 test -e "$private/instances/_base/$(printf %s "sh-$id" | sha1sum | cut -c1-40)"
ok "a shut-off guest on node01" "$LABSH" guest node01 "so-$id" "$(new_uuid)" --image "sh-$id" --config-drive --dirty 4 --shutoff
ok "a running guest on node01" "$LABSH" guest node01 "ru-$id" "$(new_uuid)" --image "sh-$id" --dirty 4
uso=$(vsh node01 domuuid "so-$id")
uru=$(vsh node01 domuuid "ru-$id")
d=$private/lab/node01/instances
so1=$(sum "$d/$uso/disk") so2=$(sum "$d/$uso/disk.config") ru1=$(sum "$d/$uru/disk")

run ne migrate "so-$id" --from node01 --to node02
is "$rc" 0 "shut-off guest on shared storage: moved (exit 0)"
like "$out" "storage is shared: $private/instances is the same directory on node01 and node02" \
    "the tool says the storage is shared"
like "$out" "nothing is copied or deleted" "and that nothing is copied or deleted"
is "$(state node02 "so-$id")" "shut off" "defined on node02, still shut off"
ok "no longer defined on node01" test -z "$(vsh node01 list --all --name | grep -x "so-$id")"
is "$(sum "$d/$uso/disk")" "$so1" "its disk is whole (sha256)"
is "$(sum "$d/$uso/disk.config")" "$so2" "its config drive is whole (sha256)"
ok "it starts on node02 from the shared disk" vsh node02 start "so-$id"
is "$(state node02 "so-$id")" "running" "running on node02"

run ne migrate "ru-$id" --from node01 --to node02
is "$rc" 0 "running guest on shared storage: moved (exit 0)"
like "$out" "storage is shared" "the tool says the storage is shared"
like "$out" "live \\(table row 1\\)" "a live migration, nothing copied (row 1)"
is "$(state node02 "ru-$id")" "running" "running on node02"
vsh node02 destroy "ru-$id" >/dev/null 2>&1
vsh node02 destroy "so-$id" >/dev/null 2>&1
is "$(sum "$d/$uru/disk")" "$ru1" "the running guest's disk is whole (sha256; its image does not write)"
ok "no marker file left in the instances path" \
    bash -c "! ls '$d' | grep -q nova-evac-shared"

# --- (b) continued: a drain of node02 back to node01 (a running and a
# shut-off guest), the storage still shared and still undeclared
vsh node02 start "ru-$id" >/dev/null
so1=$(sum "$d/$uso/disk") so2=$(sum "$d/$uso/disk.config") ru1=$(sum "$d/$uru/disk")
run ne drain node02 --to node01
is "$rc" 0 "drain of node02 over shared storage: exit 0"
is "$(printf '%s\n' "$out" | grep -c 'storage is shared')" 2 "the drain says, for each guest, that storage is shared"
is "$(state node01 "so-$id")" "shut off" "the shut-off guest is defined on node01"
is "$(state node01 "ru-$id")" "running" "the running guest runs on node01"
ok "node02 defines neither" test -z "$(vsh node02 list --all --name | grep -e "so-$id" -e "ru-$id")"
vsh node01 destroy "ru-$id" >/dev/null 2>&1
is "$(sum "$d/$uso/disk")" "$so1" "drain: the shut-off guest's disk is whole (sha256)"
is "$(sum "$d/$uso/disk.config")" "$so2" "drain: its config drive is whole (sha256)"
is "$(sum "$d/$uru/disk")" "$ru1" "drain: the running guest's disk is whole (sha256)"

# --- (c) the destination's libvirtd dies during a block migration: the
# files it holds cannot be looked at, so none is reported removed
"$LABSH" sh node02 umount "$private/instances"
ok "node02 has its own instances directory again" \
    bash -c "! '$LABSH' sh node02 test -e '$private/instances/$uso'"
"$LABSH" base "sh-$id" node02 >/dev/null 2>&1
ok "a busy guest on node01" "$LABSH" guest node01 "bk-$id" "$(new_uuid)" --image "sh-$id" --dirty 48
ubk=$(vsh node01 domuuid "bk-$id")
"$NOVA_EVAC" migrate "bk-$id" --from node01 --to node02 --bandwidth 1 >"$tmp/bk.out" 2>&1 &
pid=$!
for _ in $(seq 1 600); do # until the overlay exists on node02 and the job runs
    [ -e "$private/lab/node02/instances/$ubk/disk" ] &&
        vsh node01 domjobinfo "bk-$id" 2>/dev/null | grep -q Unbounded && break
    sleep 0.1
done
ok "the block migration runs, its overlay created on node02" \
    test -e "$private/lab/node02/instances/$ubk/disk"
lpid=$(head -1 "$private/lab/node02/libvirtd.pid")
ok "node02's libvirtd (pid $lpid, this test's private lab) is killed" \
    bash -c "grep -q libvirtd /proc/$lpid/cmdline && kill -9 $lpid"
wait $pid
rc=$?
out=$(cat "$tmp/bk.out")
is "$rc" 1 "the migration fails (exit 1)"
ok "nothing is reported removed from node02" bash -c "! grep -Eq 'removed .* from node02' '$tmp/bk.out'"
like "$out" "cannot be reached" "the tool says a host cannot be reached"
ok "the overlay is still on node02 (it was never removed)" \
    test -e "$private/lab/node02/instances/$ubk/disk"
is "$(state node01 "bk-$id")" "running" "the guest keeps running on node01"
done_testing
