#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# inspect against real libvirt nodes: disk classes, base presence, errors.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

# Error paths first: they need no lab.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/bad.conf" <<CONF
[libvirt]
uri_template = qemu+unix:///system?socket=$tmp/nonexistent-%s.sock
CONF
run ne --config "$tmp/bad.conf" inspect nosuchhost
is "$rc" 4 "unreachable libvirt: exit 4"
is "$(printf '%s\n' "$out" | wc -l)" 1 "unreachable libvirt: one line"
like "$out" "host nosuchhost \(qemu\+unix:///system\?socket=$tmp/nonexistent-nosuchhost.sock\)" \
    "message names the host and the URI tried"

need_lab
id=$(uniq_id)
uuid=$(new_uuid)
name="inspect-$id"
sha=$(printf %s "img-$id" | sha1sum | cut -c1-40)
"$LABSH" base "img-$id" node02 >/dev/null 2>&1
ok "guest with overlay, config drive and shared volume defined on node02" \
    "$LABSH" guest node02 "$name" "$uuid" --image "img-$id" --config-drive --volume "vol-$id.raw"

run ne --format json inspect node02
is "$rc" 0 "inspect node02 (json) exits 0"
printf '%s\n' "$out" >"$tmp/out.json"
q() { jq -r --arg u "$uuid" ".domains[] | select(.uuid==\$u) | $1" "$tmp/out.json"; }
is "$(q .name)" "$name" "domain found by uuid"
is "$(q .state)" "running" "state running"
is "$(q '.disks[] | select(.target=="vda") | .class')" "local" "vda (overlay) is local"
is "$(q '.disks[] | select(.target=="vda") | .base_sha1')" "$sha" "vda base is sha1 of the image id"
is "$(q '.disks[] | select(.target=="vda") | .base_on_host')" "yes" "base present on node02"
is "$(q '.disks[] | select(.source|test("disk.config$")) | .class')" "config-drive" "disk.config is the config drive"
is "$(q '.disks[] | select(.source|test("vol-'"$id"'.raw$")) | .class')" "shared-volume" "attached volume is shared"
ok "vda size is known" test "$(q '.disks[] | select(.target=="vda") | .capacity')" -gt 0

# The base vanishes from node02: inspect must say so.
"$LABSH" sh node02 rm -f "$LAB/instances/_base/$sha"
run ne --format json inspect node02
printf '%s\n' "$out" >"$tmp/out.json"
is "$(q '.disks[] | select(.target=="vda") | .base_on_host')" "no" "missing base reported as absent"

run ne inspect node02
is "$rc" 0 "table output exits 0"
like "$out" "$name" "table lists the domain"
like "$out" "config-drive" "table shows classes"

run ne inspect node09
is "$rc" 4 "node not in the lab: exit 4"
like "$out" "node09" "message names node09"

virsh -c "$(${LABSH} uri node02)" destroy "$name" >/dev/null 2>&1
virsh -c "$(${LABSH} uri node02)" undefine "$name" >/dev/null 2>&1
done_testing
