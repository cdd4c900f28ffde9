#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# free-disk.t (issue 12): the room check counts free disk as Nova does.
# libvirt's storage pool "available" is f_bfree, blocks reserved for root
# included; Nova counts f_bavail (disk_available_least).  The lab's disk is
# ext4 with reserved blocks, so the two differ: both are read here at test
# time, never hard-coded.  With the Nova API configured, plan and inspect
# show Nova's figure and its source, and a shut-off guest on node01 whose disk needs
# more than Nova's free space on node02 but less than libvirt's is refused
# for room there, by plan, drain --dry-run and migrate.  Without Nova, the
# plan says the figure is libvirt's and includes root-reserved blocks.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
need_lab
need_openstack
[ "${NOVA_EVAC_OS_MODE:-}" = libvirt ] ||
    skip_all "the OpenStack lab runs in '${NOVA_EVAC_OS_MODE:-}' mode; this test needs 'libvirt' (node01..03 as hypervisors)"
. "$top_srcdir/tests/lab/os/api.sh"
id=$(uniq_id)
img=$id-img
tmp=$(mktemp -d)
uuid=$(new_uuid)
cleanup() {
    virsh -q -c "$("$LABSH" uri node01)" undefine "$id" >/dev/null 2>&1
    "$LABSH" sh node01 rm -rf "$NOVA_EVAC_LAB/instances/$uuid" >/dev/null 2>&1
    [ -n "${sha:-}" ] && "$LABSH" sh node01 rm -f "$NOVA_EVAC_LAB/instances/_base/$sha" >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT
{ cat "$NOVA_EVAC_LAB/nova-evac.conf"; printf '[DEFAULT]\nstate_dir = %s/state\n' "$tmp"; } >"$tmp/ne.conf"
export NOVA_EVAC_CONFIG=$tmp/ne.conf
GiB=1073741824

# Nova's figure: disk_available_least and free_disk_gb of node02 (2.87:
# both left the API in 2.88), the smaller one.
nova_gib=$(MV=2.87 nova GET /os-hypervisors/detail | body |
    jq -r '.hypervisors[] | select(.hypervisor_hostname=="node02") |
           [.disk_available_least, .free_disk_gb] | min')
# libvirt's figure, as the tool reads it without Nova.
lv=$(env -u OS_AUTH_URL -u OS_CLOUD -u OS_CLIENT_CONFIG_FILE HOME="$tmp" \
    "$NOVA_EVAC" --format json plan node01 --to node02 2>"$tmp/lv.err" |
    jq -r '.destinations[0] | "\(.free_disk) \(.free_disk_source)"')
lv_bytes=${lv% *}
diag "node02: Nova counts ${nova_gib:-?} GiB free, libvirt ${lv_bytes:-?} bytes"
case $nova_gib in '' | null | *[!0-9-]*) skip_all "Nova reports no disk_available_least for node02" ;; esac
case $lv_bytes in '' | null | *[!0-9]*) sed 's/^/# /' "$tmp/lv.err"; skip_all "no libvirt free-disk figure for node02" ;; esac
[ $((lv_bytes / GiB)) -gt $((nova_gib + 2)) ] ||
    skip_all "libvirt's and Nova's free disk on node02 do not differ here (no reserved blocks?)"

# Without Nova: the source is libvirt, and the text says what it includes.
is "${lv#* }" libvirt "without Nova the free disk comes from libvirt (JSON free_disk_source)"
run env -u OS_AUTH_URL -u OS_CLOUD -u OS_CLIENT_CONFIG_FILE HOME="$tmp" "$NOVA_EVAC" plan node01 --to node02
like "$out" "destination node02: free disk .*libvirt.*reserved for root" \
    "without Nova the plan says the figure is libvirt's and includes root-reserved blocks"

run env -u OS_AUTH_URL -u OS_CLOUD -u OS_CLIENT_CONFIG_FILE HOME="$tmp" "$NOVA_EVAC" inspect node02
like "$out" "Free disk in .*: .*libvirt's storage pool figure: includes the blocks reserved for root" \
    "without Nova inspect says the same"
"$NOVA_EVAC" --format json inspect node02 >"$tmp/inspect.json" 2>"$tmp/inspect.err"
is "$(jq -r '.free_disk.source' "$tmp/inspect.json")" nova "with Nova, inspect's free disk comes from Nova"
is "$(jq -r '.free_disk.bytes' "$tmp/inspect.json")" $((nova_gib * GiB)) "... and is Nova's figure"

# A shut-off guest whose disk (virtual size) lies between the two figures.
size_gib=$(( (nova_gib + lv_bytes / GiB) / 2 ))
"$LABSH" base "$img" --size "${size_gib}G" node01 >"$tmp/base.out" 2>&1 ||
    { sed 's/^/# /' "$tmp/base.out"; skip_all "could not make a ${size_gib} GiB sparse base image on node01"; }
sha=$(printf '%s' "$img" | sha1sum | cut -c1-40)
ok "a shut-off guest on node01 with a ${size_gib} GiB disk" \
    "$LABSH" guest node01 "$id" "$uuid" --image "$img" --shutoff

"$NOVA_EVAC" --format json plan node01 --to node02 >"$tmp/plan.json" 2>"$tmp/plan.err"
sed 's/^/# stderr: /' "$tmp/plan.err"
src=$(jq -r '.destinations[0].free_disk_source' "$tmp/plan.json")
fd=$(jq -r '.destinations[0].free_disk' "$tmp/plan.json")
is "$src" nova "with the Nova API configured the free disk comes from Nova"
is "$fd" $((nova_gib * GiB)) "the plan's free disk on node02 is Nova's figure ($nova_gib GiB)"
run "$NOVA_EVAC" plan node01 --to node02
like "$out" "destination node02: free disk .*from Nova" "the text plan names Nova as the source"
like "$out" "$id .*no destination fits: .*disk full[^;]*: node02" \
    "a ${size_gib} GiB disk is refused for room on node02 (Nova: $nova_gib GiB, libvirt: $((lv_bytes / GiB)) GiB)"
is "$rc" 1 "plan: nothing placeable for that guest, exit 1"
run "$NOVA_EVAC" drain node01 --to node02 --dry-run
like "$out" "$id .*no destination fits: .*disk full[^;]*: node02" "drain --dry-run refuses it for room too"
run "$NOVA_EVAC" migrate "$id" --from node01 --to node02 --dry-run
is "$rc" 3 "migrate --dry-run to node02: refused (exit 3)"
like "$out" "$id .*node02 has .* free for instances \(as Nova counts it" "migrate's room check counts as Nova does"
is "$(virsh -q -c "$("$LABSH" uri node01)" domstate "$id")" "shut off" "the guest stays shut off on node01"
done_testing
