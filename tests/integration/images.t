#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# images: base images by SHA-1, staged on a destination from the right
# source, never overwritten, never partial (issue 6 acceptance).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
need_lab
id=$(uniq_id)
tmp=$(mktemp -d)
created=()
bases=()
images=()
cleanup() {
    local n d b
    for d in "${created[@]}"; do
        for n in node01 node02 node03; do
            virsh -q -c "$("$LABSH" uri $n)" destroy "$d" >/dev/null 2>&1
            virsh -q -c "$("$LABSH" uri $n)" undefine "$d" >/dev/null 2>&1
            rm -rf "$(node_file $n "$(cat "$tmp/uuid-$d" 2>/dev/null || echo none)")"
        done
    done
    for b in "${bases[@]}"; do
        for n in node01 node02 node03; do rm -f "$(node_file $n "_base/$b")"{,.nova-evac-part}; done
    done
    for b in "${images[@]}"; do ne api image-delete "$b" >/dev/null 2>&1; done
    rm -rf "$tmp"
}
trap cleanup EXIT
vsh() { virsh -q -c "$("$LABSH" uri "$1")" "${@:2}"; }
node_file() { printf '%s/lab/%s/instances/%s' "$NOVA_EVAC_LAB" "$1" "$2"; }
sha1() { printf %s "$1" | sha1sum | cut -c1-40; }
sum() { sha256sum "$1" 2>/dev/null | cut -c1-64; }
# new_base FILE MIB: a raw image of MIB MiB, its first half random data, the rest a hole
new_base() {
    truncate -s "${2}M" "$1" && head -c "$(($2 / 2))M" /dev/urandom | dd of="$1" conv=notrunc status=none
}
# put IMAGE-ID FILE NODE...: FILE as _base/<sha1(IMAGE-ID)> on each NODE
put() {
    local b n
    b=$(sha1 "$1")
    bases+=("$b")
    for n in "${@:3}"; do cp --sparse=always "$2" "$(node_file "$n" "_base/$b")"; done
}
# guest NODE NAME IMAGE-ID: a lab guest on that base, with Nova's metadata naming the image
guest() {
    local u
    u=$(new_uuid)
    created+=("$2")
    echo "$u" >"$tmp/uuid-$2"
    "$LABSH" guest "$1" "$2" "$u" --image "$3" --dirty 4 >/dev/null 2>&1 || return 1
    vsh "$1" metadata "$2" --uri http://openstack.org/xmlns/libvirt/nova/1.1 --key nova \
        --set "<instance><name>$2</name><root type='image' uuid='$3'/></instance>" --live --config
}
jqb() { jq -r --arg b "$2" ".bases[] | select(.name == \$b) | $3" "$1"; }

# --- the OpenStack lab is optional: with it, real Glance statuses and a Glance source
os=no
if [ -x "$top_srcdir/tests/lab/openstack.sh" ] && envs=$("$top_srcdir/tests/lab/openstack.sh" env 2>/dev/null); then
    eval "$envs"
    case ${NOVA_EVAC_OS_MODE:-down} in
    fake | libvirt) curl -sf -o /dev/null --max-time 10 "${OS_AUTH_URL:-none}" && os=yes ;;
    esac
fi
[ $os = yes ] || unset OS_CLOUD OS_AUTH_URL
# the lab's MariaDB (Nova and Glance schemas) is optional as well
db=no
if [ -n "${NOVA_EVAC_DB:-}" ] && "$top_srcdir/tests/lab/openstack.sh" sql glance "SELECT 1" >/dev/null 2>&1; then
    db=yes
else
    unset NOVA_EVAC_DB NOVA_EVAC_NOVA_CONF
fi
upload() { # upload FILE: a Glance image id (raw), removed at exit
    ne --format json api image-upload "$1" --name "$id-$(basename "$1")" 2>/dev/null | jq -r .image
}

# --- case 1: deleted in Glance, still on node01 (and node02)
# (the lab is shared: when it stops answering meanwhile, the Glance checks are skipped)
os_gone() { os=no; unset OS_CLOUD OS_AUTH_URL; diag "OpenStack lab stopped answering: $*"; }
new_base "$tmp/del.raw" 64
del=""
if [ $os = yes ]; then
    del=$(upload "$tmp/del.raw")
    [ -n "$del" ] && ne api image-delete "$del" >/dev/null || os_gone "image upload/delete failed"
fi
[ -n "$del" ] || del=$(new_uuid)
put "$del" "$tmp/del.raw" node01 node02
ok "guest on the deleted image's base (node02)" guest node02 "del-$id" "$del"
# --- case 2: present nowhere but on node02
new_base "$tmp/only.raw" 64
only=$(new_uuid)
put "$only" "$tmp/only.raw" node02
ok "guest on a base only node02 has" guest node02 "only-$id" "$only"
# --- case 3: active in Glance, on node02 only
if [ $os = yes ]; then
    new_base "$tmp/act.raw" 32
    act=$(upload "$tmp/act.raw")
    if [ -n "$act" ]; then
        images+=("$act")
        put "$act" "$tmp/act.raw" node02
        ok "guest on an image active in Glance" guest node02 "act-$id" "$act"
    else
        os_gone "image upload failed"
        act=""
    fi
fi

sel="$(sha1 "$del"),$(sha1 "$only")${act:+,$(sha1 "$act")}"
nb=2
[ -z "${act:-}" ] || nb=3
[ $os = no ] || curl -sf -o /dev/null --max-time 10 "$OS_AUTH_URL" || os_gone "Keystone down"
run ne --format json images node02 --to node03 --base "$sel"
printf '%s\n' "$out" | sed -n '/^{/,$p' >"$tmp/plan.json"
is "$rc" 1 "report only: missing bases, exit 1"
is "$(jqb "$tmp/plan.json" "$(sha1 "$del")" '.image_id')" "$del" "image id from Nova's domain metadata"
is "$(jqb "$tmp/plan.json" "$(sha1 "$del")" '.destinations[0].state')" "missing" "deleted image: missing on node03"
is "$(jqb "$tmp/plan.json" "$(sha1 "$del")" '.destinations[0].source_host')" "node01" "source: node01, not the drained node02"
is "$(jqb "$tmp/plan.json" "$(sha1 "$only")" '.destinations[0].source_host')" "node02" "base only on node02: from node02"
if [ $os = yes ]; then
    is "$(jqb "$tmp/plan.json" "$(sha1 "$del")" '.glance.status')" "deleted" "Glance status: deleted"
    is "$(jqb "$tmp/plan.json" "$(sha1 "$act")" '.glance.status')" "active" "Glance status: active"
    is "$(jqb "$tmp/plan.json" "$(sha1 "$act")" '.destinations[0].source')" "glance" "active image: from Glance"
elif [ $db = yes ]; then
    is "$(jqb "$tmp/plan.json" "$(sha1 "$del")" '.glance.status')" "deleted" "Glance database: no such row, image deleted (purged)"
    ok "# SKIP Glance-active case: OpenStack lab not up (tests/lab/openstack.sh up fake)" true
else
    is "$(jqb "$tmp/plan.json" "$(sha1 "$del")" '.glance.status')" "unknown" "no OpenStack lab: Glance status unknown"
    ok "# SKIP Glance-active case: OpenStack lab not up (tests/lab/openstack.sh up fake)" true
fi
ok "report only: nothing copied" test ! -e "$(node_file node03 "_base/$(sha1 "$only")")"

run ne --format json images node02 --to node03 --base "$sel" --stage --dry-run
ok "--dry-run copies nothing" test ! -e "$(node_file node03 "_base/$(sha1 "$only")")"

run ne --format json images node02 --to node03 --base "$sel" --stage
printf '%s\n' "$out" | sed -n '/^{/,$p' >"$tmp/stage.json"
is "$rc" 0 "--stage exits 0"
is "$(jq -r .summary.staged "$tmp/stage.json")" "$nb" "every base staged"
is "$(sum "$(node_file node03 "_base/$(sha1 "$del")")")" "$(sum "$tmp/del.raw")" "deleted image's base identical on node03 (sha256)"
is "$(sum "$(node_file node03 "_base/$(sha1 "$only")")")" "$(sum "$tmp/only.raw")" "node02-only base identical on node03 (sha256)"
is "$(jqb "$tmp/stage.json" "$(sha1 "$del")" '.destinations[0].source_host')" "node01" "staged from node01"
is "$(jqb "$tmp/stage.json" "$(sha1 "$only")" '.destinations[0].source_host')" "node02" "staged from node02"
if [ $os = yes ]; then
    is "$(sum "$(node_file node03 "_base/$(sha1 "$act")")")" "$(sum "$tmp/act.raw")" "Glance image's base identical on node03 (sha256)"
    is "$(jqb "$tmp/stage.json" "$(sha1 "$act")" '.destinations[0].source')" "glance" "staged from Glance"
fi
ok "copies stay sparse" test "$(du -k "$(node_file node03 "_base/$(sha1 "$only")")" | cut -f1)" -lt 50000
ok "no .part left" test -z "$(ls "$NOVA_EVAC_LAB/lab/node03/instances/_base/" | grep nova-evac-part)"

run ne --format json images node02 --to node03 --base "$sel" --stage
is "$(printf '%s\n' "$out" | sed -n '/^{/,$p' | jq -r .summary.present)" "$nb" "a second run finds them present"

# --- the block migration then copies only the overlay
u=$(cat "$tmp/uuid-del-$id")
run ne --format json migrate "del-$id" --from node02 --to node03
printf '%s\n' "$out" | sed -n '/^{/,$p' >"$tmp/m.json"
is "$rc" 0 "block migration to node03 succeeds"
is "$(jq -r .method "$tmp/m.json")" "live-block" "live-block (incremental)"
diag "disk bytes copied: $(jq -r .disk_total "$tmp/m.json") of a 64 MiB base"
ok "disk bytes small: the overlay, not the base" test "$(jq -r .disk_total "$tmp/m.json")" -lt $((16 * 1048576))
is "$(vsh node03 domstate "del-$id" | head -1)" "running" "guest runs on node03"

# --- migrate --stage-images stages on its own
new_base "$tmp/mig.raw" 32
mig=$(new_uuid)
put "$mig" "$tmp/mig.raw" node02
guest node02 "mig-$id" "$mig"
run ne migrate "mig-$id" --from node02 --to node01 --stage-images
is "$rc" 0 "migrate --stage-images: moved"
like "$out" "node01: staged .*$(sha1 "$mig") from host node02" "the base was staged first"
is "$(sum "$(node_file node01 "_base/$(sha1 "$mig")")")" "$(sum "$tmp/mig.raw")" "identical base on node01"

# --- a different file under the same name is reported, never overwritten
new_base "$tmp/cf.raw" 32
cf=$(new_uuid)
put "$cf" "$tmp/cf.raw" node02
guest node02 "cf-$id" "$cf"
new_base "$tmp/cf-other.raw" 32
cp "$tmp/cf-other.raw" "$(node_file node03 "_base/$(sha1 "$cf")")"
before=$(sum "$(node_file node03 "_base/$(sha1 "$cf")")")
run ne images node02 --to node03 --base "$(sha1 "$cf")" --stage
is "$rc" 3 "same length, other content: exit 3"
like "$out" "different file of that name.*content differs" "reported as different content"
is "$(sum "$(node_file node03 "_base/$(sha1 "$cf")")")" "$before" "node03's file left untouched"
truncate -s 16M "$(node_file node03 "_base/$(sha1 "$cf")")"
run ne images node02 --to node03 --base "$(sha1 "$cf")" --stage
is "$rc" 3 "other length: exit 3"
like "$out" "length 16.0 MiB" "reported with its length"
run ne migrate "cf-$id" --from node02 --to node03 --stage-images
is "$rc" 3 "migrate --stage-images refuses a destination with a different base"
is "$(vsh node02 domstate "cf-$id" | head -1)" "running" "guest still on node02"

# --- --verify: whole-file SHA-256
cp "$tmp/cf.raw" "$tmp/cf-same-samples.raw"
# one byte between two samples, made to differ whatever the random byte there was
printf 'X' | dd of="$tmp/cf-same-samples.raw" bs=1 seek=$((3 * 1048576 + 12345)) conv=notrunc status=none
cmp -s "$tmp/cf.raw" "$tmp/cf-same-samples.raw" &&
    printf 'Y' | dd of="$tmp/cf-same-samples.raw" bs=1 seek=$((3 * 1048576 + 12345)) conv=notrunc status=none
ok "the copy differs from the base by one byte" bash -c "! cmp -s '$tmp/cf.raw' '$tmp/cf-same-samples.raw'"
cp "$tmp/cf-same-samples.raw" "$(node_file node03 "_base/$(sha1 "$cf")")"
run ne images node02 --to node03 --base "$(sha1 "$cf")"
is "$rc" 0 "one byte off between the samples: sampled check says present"
run ne images node02 --to node03 --base "$(sha1 "$cf")" --verify
is "$rc" 3 "--verify: the full SHA-256 finds it"
like "$out" "content differs \(SHA-256" "reported with the hashes"

# --- staged bases are touched when present
touch -d '2020-01-01' "$(node_file node03 "_base/$(sha1 "$only")")"
run ne --format json images node02 --to node03 --base "$(sha1 "$only")" --stage
is "$(printf '%s\n' "$out" | sed -n '/^{/,$p' | jq -r '.bases[0].destinations[0].touched')" "true" "present base touched"
ok "its mtime is now recent" test "$(($(date +%s) - $(stat -c %Y "$(node_file node03 "_base/$(sha1 "$only")")")))" -lt 600

# --- Nova's image cache cleaner, from each node's nova.conf read through libvirt
printf '[image_cache]\nremove_unused_original_minimum_age_seconds = 3600\n' >"$tmp/node03-nova.conf"
{ cat "$NOVA_EVAC_CONFIG"; printf '[images]\nnode_nova_conf = %s/%%s-nova.conf\n' "$tmp"; } >"$tmp/ne.conf"
run env NOVA_EVAC_CONFIG="$tmp/ne.conf" "$NOVA_EVAC" --format json images node02 --to node03 \
    --base "$(sha1 "$only")" --drain-time 7200
like "$out" "remove_unused_original_minimum_age_seconds = 3600 is shorter than the planned drain" "warns: age shorter than the drain"
is "$(printf '%s\n' "$out" | sed -n '/^{/,$p' | jq -r '.nova_image_cache[0].risky')" "true" "JSON says risky"
printf '[image_cache]\nremove_unused_base_images = false\n' >"$tmp/local.conf"
run ne --format json images node02 --to node03 --base "$(sha1 "$only")" --drain-time 7200 --nova-conf "$tmp/local.conf"
is "$(printf '%s\n' "$out" | sed -n '/^{/,$p' | jq -r '.nova_image_cache[0].risky')" "false" "--nova-conf with the cleaner off: fine"

# --- SIGKILL during a large copy: never a partial file under the final name; a rerun completes
truncate -s 1G "$tmp/big.raw"
for i in 0 2 4 6; do head -c 96M /dev/urandom | dd of="$tmp/big.raw" bs=1M seek=$((i * 128)) conv=notrunc status=none; done
big=$(new_uuid)
put "$big" "$tmp/big.raw" node02
final=$(node_file node03 "_base/$(sha1 "$big")")
"$NOVA_EVAC" -q images node02 --to node03 --base "$(sha1 "$big")" --stage >"$tmp/kill.out" 2>&1 &
pid=$!
for _ in $(seq 1 400); do [ -s "$final.nova-evac-part" ] && break; sleep 0.05; done
ok "the copy is under way (.part growing)" test -s "$final.nova-evac-part"
kill -9 $pid
wait $pid 2>/dev/null
ok "after SIGKILL: no partial file under the final name" bash -c "[ ! -e '$final' ] || cmp -s '$final' '$tmp/big.raw'"
run ne images node02 --to node03 --base "$(sha1 "$big")" --stage
is "$rc" 0 "the rerun completes"
is "$(sum "$final")" "$(sum "$tmp/big.raw")" "identical after the rerun"
ok "the leftover .part is gone" test ! -e "$final.nova-evac-part"

# --- a .part that no record shows this tool created (rule 7): left alone,
# that base fails with the reason; the staging records of `images` are kept
# under the state dir, not guessed from the file name
new_base "$tmp/other.raw" 8
other=$(new_uuid)
put "$other" "$tmp/other.raw" node02
ofinal=$(node_file node03 "_base/$(sha1 "$other")")
printf 'not made by nova-evac\n' >"$ofinal.nova-evac-part"
run ne images node02 --to node03 --base "$(sha1 "$other")" --stage
ok "a .part it did not create: that base is not staged (exit $rc)" test "$rc" != 0
like "$out" "did not create it" "it says why"
is "$(cat "$ofinal.nova-evac-part")" "not made by nova-evac" "and the .part is left as it was"
ok "no base under the final name" test ! -e "$ofinal"
rm -f "$ofinal.nova-evac-part"
run ne images node02 --to node03 --base "$(sha1 "$other")" --stage
is "$rc" 0 "once the operator removed it, the staging runs"
is "$(sum "$ofinal")" "$(sum "$tmp/other.raw")" "identical"

# --- bad input
run ne images node02 --to "node03;reboot"
is "$rc" 2 "hostile destination name refused"
run ne images node02 --to node02
is "$rc" 2 "the host itself is no destination"
done_testing
