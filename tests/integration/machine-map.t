#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# suite lane: own-lab (touches only its private lab; tests/run runs it beside the shared-lab tests)
# A destination whose QEMU lacks the guest's machine type and CPU model
# (issue 14): node02 runs with its own QEMU capabilities cache, with
# pc-i440fx-6.2 and kvm64 removed, so its libvirt really refuses them.
# check names the map line; without the map every move is refused before
# the guest is stopped (exit 3, the guest still running on node01, nothing
# on node02); with the map a cold move defines the guest there with the
# mapped machine type and CPU model and starts it.  A live move cannot
# change either (libvirt's guest ABI check refuses it, shown here with
# virsh itself): the tool refuses it before anything and names --mode cold;
# a drain likewise, and with --mode cold it empties the node.
# A private 2-node lab, no Nova.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

command -v jq >/dev/null || skip_all "jq is needed"
tmp=$(mktemp -d)
cleanup() {
    private_lab_wipe
    rm -rf "$tmp"
}
trap cleanup EXIT
private_lab mmap nmm 2
hub=${NETNS_PREFIX}-hub
quiet() { "$@" >/dev/null 2>&1; }
not() { ! "$@"; }
vsh() { virsh -q -c "$("$LABSH" uri "$1")" "${@:2}"; }
state() { vsh "$1" domstate "$2" 2>/dev/null | head -1; }
machine() { vsh "$1" dumpxml "$2" | sed -n "s/.*machine='\([^']*\)'.*/\1/p" | head -1; }
cpumodel() { vsh "$1" dumpxml "$2" | sed -n "s/.*<model[^>]*>\([^<]*\)<\/model>.*/\1/p" | head -1; }
files_on() { ls "$NOVA_EVAC_LAB/lab/$1/instances/$2" 2>/dev/null | wc -l; }

# node02 made different: its own cache, from node01's as libvirt wrote it.
cc=$root/capcache/node02
mkdir -p "$cc"
for f in "$NODE01_DIR"/cache/qemu/capabilities/*.xml; do
    grep -v -e "<machine type='[a-z]*' name='pc-i440fx-6.2'" -e "<cpu type='[a-z]*' name='kvm64' .*/>" \
        "$f" >"$cc/${f##*/}"
done
kill "$NODE02_PID"
for i in $(seq 1 100); do kill -0 "$NODE02_PID" 2>/dev/null || break; sleep 0.1; done
"$LABSH" up 2 >"$tmp/up2.out" 2>&1
ok "node02 restarted with its own capabilities cache" test $? = 0
. "$root/env"
offers() { virsh -q -c "$NODE02_URI" capabilities | grep -q ">$1<"; }
ok "node02's libvirt lacks pc-i440fx-6.2" not offers pc-i440fx-6.2
ok "but offers pc-i440fx-7.0" offers pc-i440fx-7.0
ok "node02's QEMU lacks kvm64" not quiet grep -q "'kvm64'" <(virsh -c "$NODE02_URI" domcapabilities --virttype qemu)

# Guests on node01: mm-live and mm-cold with machine type pc-i440fx-6.2,
# mm-cpu with a custom CPU kvm64 (its machine type node02 offers).
"$LABSH" base mm-img node01 node02 >/dev/null 2>&1
ul=$(new_uuid); uc=$(new_uuid); up=$(new_uuid)
mkguest() {   # NAME UUID SED-EXPR: a running guest on node01 from the lab's XML, edited
    quiet "$LABSH" guest node01 "$1" "$2" --image mm-img --shutoff
    vsh node01 dumpxml "$1" | sed "$3" >"$tmp/$1.xml"
    quiet vsh node01 define "$tmp/$1.xml" && quiet vsh node01 start "$1"
}
ok "mm-live runs on node01 as pc-i440fx-6.2" mkguest mm-live "$ul" "s/machine='pc-i440fx-[0-9.]*'/machine='pc-i440fx-6.2'/"
ok "mm-cold too" mkguest mm-cold "$uc" "s/machine='pc-i440fx-[0-9.]*'/machine='pc-i440fx-6.2'/"
ok "mm-cpu runs with CPU model kvm64" mkguest mm-cpu "$up" \
    "s#<vcpu\([^>]*\)>\([0-9]*\)</vcpu>#<vcpu\1>\2</vcpu><cpu mode='custom' match='exact' check='partial'><model fallback='forbid'>kvm64</model></cpu>#"
is "$(machine node01 mm-cold)" pc-i440fx-6.2 "mm-cold's machine type on node01"
is "$(cpumodel node01 mm-cpu)" kvm64 "mm-cpu's CPU model on node01"

# check names both and the map lines that fix them.
out=$(ip netns exec "$hub" "$NOVA_EVAC" --format json check node01 --to node02 --no-tcp-probe 2>/dev/null)
fix() { jq -r --arg c "$1" --arg o "$2" '[.findings[] | select(.check == $c and (.object | contains($o)))][0] | "\(.severity): \(.fix)"' <<<"$out"; }
like "$(fix machine-type mm-cold)" "^blocker: add the line 'pc-i440fx-6.2=pc-i440fx-7.0' to /etc/nova-evac/machine-map and move it cold" \
    "check: a machine-type blocker, the fix is the map line and a cold move"
like "$(fix cpu-model mm-cpu)" "^blocker: add a line 'cpu:kvm64=MODEL' to /etc/nova-evac/machine-map" \
    "check: a cpu-model blocker, the fix is a cpu: line"

# 1. No map: refused before the guest is stopped, live or cold.
map=$tmp/machine-map
sed -i "s#^\[DEFAULT\]\$#[DEFAULT]\nmachine_map = $map#" "$NOVA_EVAC_CONFIG"
grep -q "^machine_map = $map" "$NOVA_EVAC_CONFIG" || printf '[DEFAULT]\nmachine_map = %s\n' "$map" >>"$NOVA_EVAC_CONFIG"
run ne migrate mm-cold --from node01 --to node02 --mode cold --shutdown-timeout 2
is "$rc" 3 "no map, cold: refused (exit 3)"
like "$out" "mm-cold \($uc\): machine type pc-i440fx-6.2 is not offered by node02's QEMU" \
    "the refusal names the instance, the machine type and the host"
like "$out" "add the line 'pc-i440fx-6.2=pc-i440fx-7.0' to $map" "and the map line that fixes it"
not_like() { ! grep -q "$2" <<<"$1"; }
ok "nothing was stopped" not_like "$out" "stopping on node01"
is "$(state node01 mm-cold)" running "mm-cold still runs on node01"
is "$(files_on node02 "$uc")" 0 "nothing of it on node02"
ok "not defined on node02" not quiet vsh node02 dominfo mm-cold
run ne migrate mm-live --from node01 --to node02
is "$rc" 3 "no map, live: refused (exit 3)"
is "$(state node01 mm-live)" running "mm-live still runs on node01"
run ne migrate mm-cpu --from node01 --to node02 --mode cold --shutdown-timeout 2
is "$rc" 3 "no map, a CPU model node02 lacks: refused (exit 3)"
like "$out" "mm-cpu \($up\): CPU model kvm64 is not offered by node02's QEMU.*'cpu:kvm64=MODEL'" "named, with the fix"
is "$(state node01 mm-cpu)" running "mm-cpu still runs on node01"
run ne migrate mm-cold --from node01 --to node02 --mode cold --dry-run
is "$rc" 3 "a dry run says the same (exit 3)"

# 2. A map that does not parse: a configuration error, nothing changed.
printf 'pc-i440fx-6.2 = pc-i440fx-7.0\n' >"$map"
run ne migrate mm-cold --from node01 --to node02 --mode cold --shutdown-timeout 2
is "$rc" 2 "a bad map: exit 2"
like "$out" "$map:1: expected 'old=new'" "the error names the map's line"
is "$(state node01 mm-cold)" running "mm-cold still runs on node01"

# 3. With the map: the cold moves succeed with the mapped names.
printf '# CentOS 6 -> 7 style\npc-i440fx-6.2=pc-i440fx-7.0\ncpu:kvm64=qemu64\n' >"$map"
run ne migrate mm-cold --from node01 --to node02 --mode cold --shutdown-timeout 2
is "$rc" 0 "with the map, cold: moved"
like "$out" "machine type pc-i440fx-6.2 is not offered by node02: defined there as pc-i440fx-7.0" "it says so"
is "$(state node02 mm-cold)" running "mm-cold runs on node02"
is "$(machine node02 mm-cold)" pc-i440fx-7.0 "with machine type pc-i440fx-7.0"
ok "and is gone from node01" not quiet vsh node01 dominfo mm-cold
run ne migrate mm-cpu --from node01 --to node02 --mode cold --shutdown-timeout 2
is "$rc" 0 "with the map, a CPU model: moved cold"
is "$(state node02 mm-cpu)" running "mm-cpu runs on node02"
is "$(cpumodel node02 mm-cpu)" qemu64 "with CPU model qemu64"

# 4. Live with the map: libvirt itself refuses to change the machine type
# in a migration (the ABI check), so the tool refuses before anything.
vsh node01 dumpxml --migratable mm-live | sed "s/machine='pc-i440fx-6.2'/machine='pc-i440fx-7.0'/" >"$tmp/live7.xml"
run ip netns exec "$hub" virsh -c "$NODE01_URI" migrate --live --p2p --persistent --undefinesource \
    --copy-storage-inc --xml "$tmp/live7.xml" mm-live "$NODE02_PEER_URI"
like "$out" "Target domain machine type pc-i440fx-7.0 does not match source pc-i440fx-6.2" \
    "libvirt refuses a live migration that changes the machine type"
run ne migrate mm-live --from node01 --to node02
is "$rc" 3 "with the map, live: refused (exit 3)"
like "$out" "a live move cannot change the machine type .*: move it cold \(--mode cold\)" "naming the cold move"
is "$(state node01 mm-live)" running "mm-live still runs on node01"
is "$(files_on node02 "$ul")" 0 "nothing of it on node02"
run ne migrate mm-live --from node01 --to node02 --mode cold --shutdown-timeout 2
is "$rc" 0 "the cold move of it: moved"
is "$(machine node02 mm-live)" pc-i440fx-7.0 "as pc-i440fx-7.0"
is "$(state node02 mm-live)" running "running on node02"

# 5. drain, with the map: a running guest of the old machine type is refused
# live before anything (the drain names --mode cold); --mode cold moves it.
ud=$(new_uuid)
ok "mm-drain runs on node01 as pc-i440fx-6.2" mkguest mm-drain "$ud" "s/machine='pc-i440fx-[0-9.]*'/machine='pc-i440fx-6.2'/"
run ne drain node01 --to node02 -j 1
is "$rc" 1 "drain (auto): the guest not moved (exit 1)"
like "$out" "a live move cannot change the machine type .*--mode cold" "the drain says why and names --mode cold"
is "$(state node01 mm-drain)" running "mm-drain still runs on node01"
run ne drain node01 --to node02 -j 1 --mode cold --shutdown-timeout 2
is "$rc" 0 "drain --mode cold: node01 emptied (exit 0)"
is "$(machine node02 mm-drain)" pc-i440fx-7.0 "mm-drain defined on node02 as pc-i440fx-7.0"
is "$(state node02 mm-drain)" running "and running there"

done_testing
