#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# suite lane: own-lab (touches only its private lab; tests/run runs it beside the shared-lab tests)
# Exit codes of plans (issue 12): `drain --dry-run` and `plan` end as the
# drain would.  Nothing placeable is not success (1), and a destination
# whose free space could not be read is not success either (4), even when
# every instance found a place elsewhere.  A private 3-node lab: node01 has
# this test's guest, node02 and node03 are the destinations.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

tmp=$(mktemp -d)
cleanup() { private_lab_wipe; rm -rf "$tmp"; }
trap cleanup EXIT
private_lab planx npx 3 # no Nova
"$LABSH" base planx-img node01 >/dev/null 2>&1
ok "a shut-off guest on node01" "$LABSH" guest node01 planx-vm "$(new_uuid)" --image planx-img --shutoff

conf() { { cat "$root/nova-evac.conf"; printf '%s\n' "$@"; } >"$tmp/ne.conf"; }
export NOVA_EVAC_CONFIG=$tmp/ne.conf

conf
run ne drain node01 --to node02,node03 --dry-run
is "$rc" 0 "drain --dry-run, room on both destinations: exit 0"

# No destination fits (both reserve more disk than they have).
conf "[node:node02]" "reserved_disk_mb = 1000000000" "[node:node03]" "reserved_disk_mb = 1000000000"
run ne drain node01 --to node02,node03 --dry-run
like "$out" "no destination fits" "the plan says nothing fits"
is "$rc" 1 "drain --dry-run, nothing placeable: exit 1 (not moved), as the drain would"
run ne plan node01 --to node02,node03
is "$rc" 1 "plan, nothing placeable: exit 1"

# node03's free space cannot be read (the instances path exists on node02
# only; each node has its own instances directory); the guest fits on node02.
mkdir -p "$root/lab/node02/instances/planx"
conf "[DEFAULT]" "instances_path = $root/instances/planx"
run ne plan node01 --to node02,node03
like "$out" "cannot read free space of $root/instances/planx on node03" "node03's free space is unreadable"
like "$out" "planx-vm .* node02" "the guest is planned to node02"
is "$rc" 4 "plan after 'cannot read free space': exit 4, not 0"
run ne drain node01 --to node02,node03 --dry-run
is "$rc" 4 "drain --dry-run after 'cannot read free space': exit 4, not 0"
ok "the dry run changed nothing" test "$(virsh -q -c "$NODE01_URI" domstate planx-vm)" = "shut off"
done_testing
