#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# migrate against real libvirt+QEMU nodes (issue 3 acceptance).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
need_lab
id=$(uniq_id)
tmp=$(mktemp -d)
created=()
cleanup() {
    local n d
    for d in "${created[@]}"; do
        for n in node01 node02 node03; do
            virsh -q -c "$("$LABSH" uri $n)" destroy "$d" >/dev/null 2>&1
            virsh -q -c "$("$LABSH" uri $n)" undefine "$d" >/dev/null 2>&1
        done
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
vsh() { virsh -q -c "$("$LABSH" uri "$1")" "${@:2}"; }
node_file() { printf '%s/lab/%s/instances/%s' "$NOVA_EVAC_LAB" "$1" "$2"; }
state() { vsh "$1" domstate "$2" 2>/dev/null | head -1; }
wr_req() { vsh "$1" domblkstat "$2" vda 2>/dev/null | awk '$2=="wr_req"{print $3}'; }
guest() { # guest NODE NAME ARGS...: a lab guest removed at exit
    created+=("$2")
    "$LABSH" guest "$1" "$2" "$(new_uuid)" "${@:3}" >/dev/null 2>&1
}
uuid_of() { vsh "$1" domuuid "$2"; }

# --- block migration of a busy guest: overlay + config drive + shared volume
"$LABSH" base "w-$id" --writer --size 64M node01 node02 node03 >/dev/null 2>&1
ok "busy guest on node02 (writer MBR, dirty overlay, config drive, volume)" \
    guest node02 "mb-$id" --image "w-$id" --config-drive --volume "vol-$id.raw" --dirty 16
u=$(uuid_of node02 "mb-$id")
vol=$NOVA_EVAC_LAB/shared/volumes/vol-$id.raw
vsum=$(sha256sum "$vol" | cut -c1-64)
for _ in $(seq 1 60); do [ "$(wr_req node02 "mb-$id")" -gt 20 ] 2>/dev/null && break; sleep 0.5; done
ok "guest is writing to vda before the migration" test "$(wr_req node02 "mb-$id")" -gt 20

run ne --format json migrate "mb-$id" --from node02 --to node03 --leave-paused --keep-source-disks
is "$rc" 0 "block migration exits 0"
printf '%s\n' "$out" | sed -n '/^{/,$p' >"$tmp/m.json"
is "$(jq -r .method "$tmp/m.json")" "live-block" "method live-block"
is "$(jq -r .row "$tmp/m.json")" "3" "decision table row 3 (local + volumes)"
disk_total=$(jq -r .disk_total "$tmp/m.json")
diag "disk bytes copied: $disk_total; overlay allocation $(du -B1 "$(node_file node02 "$u")/disk" | cut -f1)"
ok "job copied disk bytes" test "$disk_total" -gt 0
ok "disk bytes cover only the overlay, not the 32 MiB volume" test "$disk_total" -lt $((30 * 1048576))
is "$(sha256sum "$vol" | cut -c1-64)" "$vsum" "shared volume checksum unchanged"
is "$(state node03 "mb-$id")" "paused" "destination holds the guest, paused for the check"
run "$LABSH" sh node03 qemu-img compare -U -f qcow2 -F qcow2 "$(node_file node02 "$u")/disk" \
    "$NOVA_EVAC_LAB/instances/$u/disk"
is "$rc" 0 "vda guest-visible data identical on the destination ($out)"
ok "config drive copied identically" cmp -s "$(node_file node02 "$u")/disk.config" "$(node_file node03 "$u")/disk.config"
ok "source no longer defines the domain" test -z "$(vsh node02 list --all --name | grep -x "mb-$id")"
ok "destination domain is persistent" bash -c "virsh -q -c '$("$LABSH" uri node03)' dominfo mb-$id | grep -q 'Persistent: *yes'"
vsh node03 resume "mb-$id" >/dev/null
w0=$(wr_req node03 "mb-$id"); sleep 2
ok "guest keeps writing on the destination" test "$(wr_req node03 "mb-$id")" -gt "$w0"

# --- destination lacks the base image: stop before anything, name sha1 + where
"$LABSH" base "only2-$id" node02 >/dev/null 2>&1
sha=$(printf %s "only2-$id" | sha1sum | cut -c1-40)
guest node02 "nb-$id" --image "only2-$id"
u=$(uuid_of node02 "nb-$id")
run ne migrate "nb-$id" --from node02 --to node01
is "$rc" 3 "missing base: refused with exit 3"
like "$out" "$sha" "message names the missing sha1"
like "$out" "missing on node01; it exists on: node02" "message says where it exists"
is "$(state node02 "nb-$id")" "running" "source still running"
ok "nothing created on node01" test ! -e "$(node_file node01 "$u")/disk"
ok "no domain on node01" test -z "$(vsh node01 list --all --name | grep -x "nb-$id")"

# --- nwfilter missing on the destination is defined there first
guest node02 "nf-$id" --image "w-$id" --nwfilter "nova-instance-nf-$id"
ok "filter absent on node01 before" test -z "$(vsh node01 nwfilter-list | grep "nova-instance-nf-$id")"
run ne migrate "nf-$id" --from node02 --to node01
is "$rc" 0 "migration with a filter the destination lacked succeeds"
like "$out" "defined network filter nova-instance-nf-$id on node01" "filter defined on node01"
is "$(state node01 "nf-$id")" "running" "guest runs on node01"

# --- abort: completion timeout with action abort, during a slow copy
"$LABSH" base "big-$id" --size 320M node02 node03 >/dev/null 2>&1
guest node02 "ab-$id" --image "big-$id" --dirty 300
u=$(uuid_of node02 "ab-$id")
run ne migrate "ab-$id" --from node02 --to node03 --bandwidth 8 --timeout 1 --timeout-action abort
is "$rc" 1 "aborted migration exits 1"
is "$(state node02 "ab-$id")" "running" "source still running after abort"
ok "no leftover overlay on the destination" test ! -e "$(node_file node03 "$u")/disk"
ok "no leftover domain on the destination" test -z "$(vsh node03 list --all --name | grep -x "ab-$id")"

# --- Ctrl-C aborts cleanly too
"$NOVA_EVAC" migrate "ab-$id" --from node02 --to node03 --bandwidth 8 >"$tmp/int.out" 2>&1 &
pid=$!
sleep 1.5
kill -INT $pid
wait $pid
is "$?" 130 "interrupted migration exits 130 (interrupted)"
like "$(cat "$tmp/int.out")" "interrupted: aborting" "Ctrl-C reported as an abort"
is "$(state node02 "ab-$id")" "running" "source still running after Ctrl-C"
ok "no leftover overlay after Ctrl-C" test ! -e "$(node_file node03 "$u")/disk"

# --- cold migration of a shut-off instance
guest node02 "co-$id" --image "w-$id" --config-drive --dirty 8 --shutoff
u=$(uuid_of node02 "co-$id")
s1=$(sha256sum "$(node_file node02 "$u")/disk" | cut -c1-64)
s2=$(sha256sum "$(node_file node02 "$u")/disk.config" | cut -c1-64)
run ne --format json migrate "co-$id" --from node02 --to node01
is "$rc" 0 "cold migration exits 0"
like "$out" '"method": "cold"' "method cold"
is "$(sha256sum "$(node_file node01 "$u")/disk" | cut -c1-64)" "$s1" "overlay identical (sha256)"
is "$(sha256sum "$(node_file node01 "$u")/disk.config" | cut -c1-64)" "$s2" "config drive identical (sha256)"
ok "source undefined" test -z "$(vsh node02 list --all --name | grep -x "co-$id")"
ok "source files removed after success" test ! -e "$(node_file node02 "$u")/disk"
ok "source instance directory removed (Nova could not move it back otherwise)" test ! -e "$(node_file node02 "$u")"
ok "instance starts on the destination" vsh node01 start "co-$id"
is "$(state node01 "co-$id")" "running" "running on node01"

# --- cold migration of a running guest: a start that fails on the destination
# (its tap name is taken there by a bridge) leaves the guest running on the
# source with its files, and nothing on the destination; once the name is
# free, the tool starts it on the destination, checks it runs, and only then
# removes the source.
guest node02 "cr-$id" --image "w-$id" --nwfilter "nova-instance-cr-$id" --virt qemu
u=$(uuid_of node02 "cr-$id")
tap=tap$(printf %s "$u" | sha1sum | cut -c1-11)
"$LABSH" sh node01 ip link add "$tap" type bridge
run ne migrate "cr-$id" --from node02 --to node01 --mode cold --shutdown-timeout 1
is "$rc" 1 "cold migration whose start fails on the destination: exit 1"
like "$out" "cannot start .* on node01" "the failed start is reported"
like "$out" "cr-$id restarted on node02" "the guest is restarted on the source"
is "$(state node02 "cr-$id")" "running" "source running again"
ok "source files kept" test -s "$(node_file node02 "$u")/disk"
ok "no domain left on node01" test -z "$(vsh node01 list --all --name | grep -x "cr-$id")"
ok "no copy and no instance directory left on node01" test ! -e "$(node_file node01 "$u")"
"$LABSH" sh node01 ip link del "$tap"
run ne --format json migrate "cr-$id" --from node02 --to node01 --mode cold --shutdown-timeout 1
is "$rc" 0 "cold migration of a running guest exits 0"
is "$(state node01 "cr-$id")" "running" "the tool started it on node01"
ok "source undefined after the start" test -z "$(vsh node02 list --all --name | grep -x "cr-$id")"
ok "source instance directory removed" test ! -e "$(node_file node02 "$u")"

# --- a destination without room (the field report's "Disk of instance is
# too large"): refused before anything, dry run included
cp "$NOVA_EVAC_CONFIG" "$tmp/full.conf"
printf '[node:node01]\nreserved_disk_mb = 100000000\n' >>"$tmp/full.conf"
guest node02 "fu-$id" --image "w-$id" --shutoff
for dry in --dry-run ""; do
    run ne --config "$tmp/full.conf" migrate "fu-$id" --from node02 --to node01 $dry
    is "$rc" 3 "no room on the destination${dry:+ ($dry)}: exit 3"
    like "$out" "node01 has 0 B free for instances \((as Nova counts it|libvirt's figure, root-reserved blocks included), after its reserve of 100000000 MiB\), its local disks need" \
        "no room${dry:+ ($dry)}: says what is free and what is needed"
done
is "$(state node02 "fu-$id")" "shut off" "no room: source untouched"
ok "no room: nothing on node01" test ! -e "$(node_file node01 "$(uuid_of node02 "fu-$id")")"

# --- another domain by the same name on the destination: refused before the
# guest is stopped
guest node02 "nc-$id" --image "w-$id" --shutoff
"$LABSH" xml node03 "nc-$id" "$(new_uuid)" --image "w-$id" >"$tmp/nc.xml"
vsh node03 define "$tmp/nc.xml" >/dev/null
created+=("nc-$id")
run ne migrate "nc-$id" --from node02 --to node03 --mode cold
is "$rc" 3 "name taken on the destination: exit 3"
like "$out" "node03 already defines another domain named nc-$id" "says which host holds the name"
is "$(state node02 "nc-$id")" "shut off" "source untouched"
ok "nothing copied to node03" test ! -e "$(node_file node03 "$(uuid_of node02 "nc-$id")")"

# --- bad input
run ne migrate "no-such-$id" --from node02 --to node01
is "$rc" 2 "unknown instance: exit 2"
like "$out" "instance no-such-$id not found on host node02" "unknown instance named with host"
run ne migrate "x" --from node02 --to "node01;reboot"
is "$rc" 2 "hostile destination name refused"
run ne migrate "co-$id" --to node01 --from node01
is "$rc" 2 "same source and destination refused"
done_testing
