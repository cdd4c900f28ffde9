#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# suite lane: own-lab (touches only its private lab; tests/run runs it beside the shared-lab tests)
# A node made old (issue 14): [node:node01] legacy = true forces "no
# migration parameters, no sparse streams, no job statistics".  drain
# empties it: the local-only guest goes live-block through the legacy API
# (virDomainMigrateToURI2, no disk list), the guest with a shared volume
# goes cold (decision table row 4: without migrate_disks the volume would
# be copied); every copy (base staging, config drive, cold disks) runs
# over plain streams with zero detection here, so the destination's
# allocation equals the source's; progress says where its figures come
# from.  Which API was used is read from the tool's own debug output.
# A private 3-node lab, no Nova.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

tmp=$(mktemp -d)
cleanup() {
    private_lab_wipe
    rm -rf "$tmp"
}
trap cleanup EXIT
private_lab legacy nlg 3
grep -q '^\[node:node01\]$' "$NOVA_EVAC_CONFIG" || printf '[node:node01]\n' >>"$NOVA_EVAC_CONFIG"
sed -i 's/^\[node:node01\]$/[node:node01]\nlegacy = true/' "$NOVA_EVAC_CONFIG"
quiet() { "$@" >/dev/null 2>&1; }
vsh() { virsh -q -c "$("$LABSH" uri "$1")" "${@:2}"; }
inst() { echo "$NOVA_EVAC_LAB/lab/$1/instances"; }
# bytes in the file's data extents (SEEK_DATA/SEEK_HOLE): du's st_blocks also
# counts ext4's extent tree blocks, which come with writeback and fragmentation
alloc() { qemu-img map -U -f raw --output=json "$1" | jq '[.[] | select(.data) | .length] | add // 0'; }

out=$(ne --format json inspect node01 2>/dev/null)
is "$(jq -r '.capabilities | "\(.legacy) \(.migration_params.supported) \(.sparse_streams.supported) \(.job_stats.supported)"' <<<"$out")" \
    "true false false false" "node01 is legacy: no parameters, no sparse streams, no job stats"

# A 1 GiB raw base on node01 only, 4 MiB of data written at 100 MiB: the
# drain stages it to node02 (a copy from the old node).
"$LABSH" base lg-img --size 1G node01 >/dev/null 2>&1
sha=$(printf %s lg-img | sha1sum | cut -c1-40)
base=$(inst node01)/_base/$sha
dd if=/dev/urandom of="$base" bs=1M seek=100 count=4 conv=notrunc status=none
base_alloc=$(alloc "$base")
diag "base: 1 GiB virtual, $base_alloc bytes allocated on node01"
ok "the base is sparse on node01 (< 8 MiB allocated)" test "$base_alloc" -lt $((8 * 1048576))
base_sum=$(sha256sum "$base" | cut -c1-64)

ul=$(new_uuid) uv=$(new_uuid)
ok "running local-only guest (config drive) on node01" \
    quiet "$LABSH" guest node01 lg-loc "$ul" --image lg-img --config-drive --dirty 4
ok "running guest with a shared volume on node01" \
    quiet "$LABSH" guest node01 lg-vol "$uv" --image lg-img --volume lg-v.raw --dirty 4
vol_alloc_src=$(alloc "$(inst node01)/$uv/disk")
vol_sum=$(sha256sum "$NOVA_EVAC_LAB/shared/volumes/lg-v.raw" | cut -c1-64)
p() { jq -r --arg n "$1" ".instances[] | select(.instance==\$n) | $2" "$tmp/plan.json"; }

# The plan: the older side decides.
ne --format json drain node01 --to node02 --dry-run 2>"$tmp/plan.err" | sed -n '/^{/,$p' >"$tmp/plan.json"
is "$(p lg-loc .method)/$(p lg-loc .row)" "live-block/2" "local-only guest: live block (row 2)"
like "$(p lg-loc .reason)" "legacy API" "its reason names the legacy API"
is "$(p lg-vol .method)/$(p lg-vol .row)" "cold/4" "guest with a volume: cold (row 4), never block"
like "$(p lg-vol .reason)" "no migration parameters" "its reason says why"

ne --debug virt --format json drain node01 --to node02 --shutdown-timeout 1 >"$tmp/drain.json" 2>"$tmp/drain.err"
rc=$?
is "$rc" 0 "drain of the legacy node: exit 0"
[ "$rc" = 0 ] || sed 's/^/# /' "$tmp/drain.err" | tail -n 30
ok "node01 is empty" test -z "$(vsh node01 list --all --name)"
is "$(vsh node02 domstate lg-loc)" running "lg-loc runs on node02"
is "$(vsh node02 domstate lg-vol)" running "lg-vol runs on node02"

like "$(grep 'lg-loc: migrate to' "$tmp/drain.err")" "legacy API virDomainMigrateToURI2" \
    "lg-loc moved through virDomainMigrateToURI2 (the tool's debug output)"
ok "no migration of this drain used virDomainMigrateToURI3" \
    test -z "$(grep 'with virDomainMigrateToURI3' "$tmp/drain.err")"
ok "copies from node01: plain download, zero blocks sent as holes" \
    grep -q "copy node01 -> node02: plain download, sparse upload, zero blocks detected" "$tmp/drain.err"
moved() { jq -r --arg n "$1" "select(.event==\"moved\" and .name==\$n) | $2" "$tmp/drain.json"; }
is "$(moved lg-loc .progress_from)" "destination allocation" \
    "lg-loc: progress said to come from the destination's allocation (no job stats)"
is "$(moved lg-loc .downtime_ms)" 0 "lg-loc: no downtime figure invented without job stats"
ok "lg-vol: bytes copied reported" test "$(moved lg-vol .data_bytes)" -gt 0
# the drain's live progress without job statistics says where its figures come from
pf=$(jq -r 'select(.event == "progress" and .name == "lg-loc" and .phase == "migrating") | .from // "-"' \
    "$tmp/drain.json" | sort -u | paste -sd,)
like "$pf" "^(destination allocation|elapsed time)$" "lg-loc: progress events name their source, never job statistics ($pf)"
like "$(grep 'lg-loc: migrating (to node02)' "$tmp/drain.err")" "no job statistics: progress from (destination allocation|elapsed time)" \
    "lg-loc: the phase line says there are no job statistics"

# Holes stay holes.
dbase=$(inst node02)/_base/$sha
is "$(sha256sum "$dbase" | cut -c1-64)" "$base_sum" "staged base: same bytes on node02"
is "$(alloc "$dbase")" "$base_alloc" "staged base: allocation on node02 equals node01's"
vol_alloc_dst=$(alloc "$(inst node02)/$uv/disk")
diag "lg-vol overlay: $vol_alloc_src bytes allocated on node01, $vol_alloc_dst on node02"
ok "cold copy: the overlay's allocation did not grow (zero blocks stayed holes)" \
    test "$vol_alloc_dst" -le "$vol_alloc_src"
ok "cold copy: the written 4 MiB arrived" test "$vol_alloc_dst" -ge $((4 * 1048576))
is "$(sha256sum "$NOVA_EVAC_LAB/shared/volumes/lg-v.raw" | cut -c1-64)" "$vol_sum" "no volume byte changed"
cd_src_gone=$(test -e "$(inst node01)/$ul/disk.config" && echo there || echo gone)
ok "lg-loc's config drive is on node02" test -s "$(inst node02)/$ul/disk.config"
diag "config drive on node01 after the move: $cd_src_gone"
# Back onto the old node: now the destination is the older side, and it
# decides (legacy API); the source (node02) has job statistics.
run ne --debug virt --format json migrate lg-loc --from node02 --to node01
is "$rc" 0 "lg-loc back to node01: exit 0"
like "$out" "lg-loc: migrate to .* with the legacy API virDomainMigrateToURI2" \
    "a legacy destination makes the move use the legacy API too"
like "$(sed -n '/^{/,$p' <<<"$out" | jq -r .progress_from)" "job statistics" \
    "from node02 (job statistics there) the figures are the job's"
# And off it again under a terminal: the progress line says where its
# figures come from, and so does the summary.
if command -v script >/dev/null; then
    script -qec "$NOVA_EVAC migrate lg-loc --from node01 --to node02; echo exit=\$?" /dev/null >"$tmp/tty.out" 2>&1
    ok "lg-loc runs on node02 again" test "$(vsh node02 domstate lg-loc)" = running ||
        tr '\r' '\n' <"$tmp/tty.out" | sed 's/^/# /'
    like "$(tr '\r' '\n' <"$tmp/tty.out")" "destination allocation; no job statistics" \
        "the progress line says its figures are the destination's allocation"
    like "$(cat "$tmp/tty.out")" "no job statistics from the source \(progress from destination allocation\)" \
        "the summary says there were no job statistics"
fi
# A cold copy onto the old node (no sparse uploads there): the data runs
# are written in segments at their offsets, the zero runs left as holes.
src_disk=$(inst node02)/$uv/disk
a_src=$(alloc "$src_disk")
run ne --debug virt migrate lg-vol --from node02 --to node01 --mode cold --shutdown-timeout 1 --keep-source-disks
is "$rc" 0 "lg-vol cold onto the legacy node: exit 0"
like "$out" "copy node02 -> node01: plain download, plain upload, zero blocks detected, data written in segments" \
    "the copy to the legacy node: plain streams, segments"
a_dst=$(alloc "$(inst node01)/$uv/disk")
diag "lg-vol overlay: $a_src bytes allocated on node02, $a_dst on node01 (1 GiB virtual)"
is "$a_dst" "$a_src" "plain upload: allocation on node01 equals node02's (holes stayed holes)"
ok "plain upload: the written data arrived" test "$a_dst" -ge $((4 * 1048576))
ok "plain upload: the same bytes on node01 as on node02 (kept source)" \
    cmp "$src_disk" "$(inst node01)/$uv/disk"
is "$(vsh node01 domstate lg-vol)" running "lg-vol runs on node01"
done_testing
