#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# image-copy --rbd-from/--rbd-to between the lab's two Glances on Ceph RBD
# (tests/lab/openstack.sh glance-rbd-up: RegionCephA stores in pool
# images of Ceph cluster a, RegionCephB in pool images of cluster b): the
# data go cluster to cluster through librbd, the copy is registered by
# its rbd:// location with the source's checksum, os_hash and properties,
# and RegionCephB serves the same bytes; a second run copies nothing; the
# wrong --rbd-from, a source without rbd location, data that no longer
# match the source's checksum (a byte changed under the snapshot) and a
# destination Glance that refuses locations (RegionTwo) each leave no
# image in Glance and no RBD image in cluster b.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
need_openstack
. "$top_srcdir/tests/lab/os/api.sh"
TOK=$(token)
[ -n "$TOK" ] || skip_all "no admin token from the lab Keystone"
"$top_srcdir/tests/lab/ceph.sh" check >/dev/null 2>&1 || skip_all "the lab's Ceph clusters do not answer (tests/lab/ceph.sh up)"
eval "$("$top_srcdir/tests/lab/ceph.sh" env)"
"$top_srcdir/tests/lab/openstack.sh" glance-rbd-up >/dev/null 2>&1 ||
    skip_all "the RBD Glances did not start (tests/lab/openstack.sh glance-rbd-up)"
GA=http://127.0.0.1:9295 GB=http://127.0.0.1:9296 G2=http://127.0.0.1:9293
id=$(uniq_id)
tmp=$(mktemp -d)
srcs=()
{ [ -n "${NOVA_EVAC_CONFIG:-}" ] && cat "$NOVA_EVAC_CONFIG"
  printf '[DEFAULT]\nstate_dir = %s/state\n' "$tmp"
  printf '[ceph:a]\nconf = %s\nkeyring = %s\nclient = %s\n' "$CEPH_A_CONF" "$CEPH_A_USER_KEYRING" "$CEPH_A_USER"
  printf '[ceph:b]\nconf = %s\nkeyring = %s\nclient = %s\n' "$CEPH_B_CONF" "$CEPH_B_USER_KEYRING" "$CEPH_B_USER"
} >"$tmp/ne.conf"
export NOVA_EVAC_CONFIG=$tmp/ne.conf
ga() { _authed "$GA" "" "$@"; }
gb() { _authed "$GB" "" "$@"; }
g2() { _authed "$G2" "" "$@"; }
copies() { "$1" GET "/v2/images?nova_evac_source_image=$2" | body | jq -r '.images[] | .id + " " + .status'; }
rbdb() { timeout 60 rbd -c "$CEPH_B_CONF" -k "$CEPH_B_KEYRING" "$@"; }
cleanup() {
    local s c
    TOK=$(token)
    for s in "${srcs[@]}"; do
        for c in $(copies gb "$s" | cut -d' ' -f1) $(copies g2 "$s" | cut -d' ' -f1); do
            gb DELETE "/v2/images/$c" >/dev/null; g2 DELETE "/v2/images/$c" >/dev/null
        done
        ga DELETE "/v2/images/$s" >/dev/null
        glance DELETE "/v2/images/$s" >/dev/null
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
bail() { echo "Bail out! $*"; exit 1; }
# upload BASE NAME FILE EXTRA-JSON: a new active image there, its id in $UP
upload() {
    local i
    UP=
    TOK=$(token)
    i=$(_authed "$1" "" POST /v2/images "{\"name\":\"$2\",\"disk_format\":\"raw\",\"container_format\":\"bare\"$4}" | body | jq -r .id)
    [ -n "$i" ] && [ "$i" != null ] || return 1
    srcs+=("$i")
    curl -sf -o /dev/null -X PUT -H "X-Auth-Token: $TOK" -H 'Content-Type: application/octet-stream' \
        --data-binary @"$3" "$1/v2/images/$i/file" || return 1
    UP=$i
}
attrs() {
    jq -S 'del(.id, .status, .checksum, .os_hash_algo, .os_hash_value, .size, .virtual_size,
                .created_at, .updated_at, .self, .file, .schema, .stores, .owner, .os_hidden,
                .direct_url, .locations, .nova_evac_source_region, .nova_evac_source_image)
             | .tags |= sort'
}
# the RBD images of pool images in cluster b
nb() { rbdb ls images | sort; }

# ---- a 64 MiB image (data at both ends, a hole between) with properties, in RegionCephA
truncate -s 64M "$tmp/a.raw"
head -c 1048576 /dev/urandom | dd of="$tmp/a.raw" conv=notrunc status=none
head -c 1048576 /dev/urandom | dd of="$tmp/a.raw" bs=1M seek=63 conv=notrunc status=none
props=',"hw_disk_bus":"scsi","hw_firmware_type":"uefi","os_type":"linux","vm_mode":"hvm","min_disk":1,"min_ram":64,"tags":["rbd","t"]'
upload "$GA" "$id-a" "$tmp/a.raw" "$props" || bail "uploading to RegionCephA failed"
a=$UP
s=$(ga GET "/v2/images/$a" | body)
like "$(jq -r .direct_url <<<"$s")" "^rbd://$CEPH_A_FSID/images/$a/snap$" "RegionCephA keeps it in cluster a's pool images"
before=$(nb)

# ---- bad input: exit 2, nothing made
run ne image-copy "$a" --to-region RegionCephB --os-region-name RegionCephA --rbd-from a --rbd-to b
is "$rc" 2 "--rbd-to without a pool: exit 2"
like "$out" "give both --rbd-from CLUSTER and --rbd-to CLUSTER/POOL" "the usage is named"
run ne image-copy "$a" --to-region RegionCephB --os-region-name RegionCephA --rbd-from a --rbd-to zz/images
is "$rc" 2 "--rbd-to a cluster without a [ceph:...] section: exit 2"
like "$out" "no \[ceph:zz\] section" "the missing section is named"
run ne image-copy "$a" --to-region RegionCephB --os-region-name RegionCephA --rbd-from a --rbd-to b/images \
    --import-method glance-direct
is "$rc" 2 "--rbd-to with --import-method glance-direct: exit 2"
is "$(copies gb "$a")" "" "bad input: no image in RegionCephB"

# ---- the copy
js=$("$NOVA_EVAC" image-copy "$a" --os-region-name RegionCephA --to-region RegionCephB --rbd-from a \
    --rbd-to b/images --json 2>"$tmp/err")
is "$?" 0 "--rbd-from a --rbd-to b/images: exit 0" || sed 's/^/# /' "$tmp/err"
dst=$(printf '%s' "$js" | jq -r '.images[0].destination')
is "$(printf '%s' "$js" | jq -r '.images[0] | .status + " " + (.bytes|tostring) + " " + .method')" \
    "copied 67108864 rbd" "JSON: copied, bytes, method rbd"
d=$(gb GET "/v2/images/$dst" | body)
is "$(jq -r '[.status, .checksum, .os_hash_algo, .os_hash_value, (.size|tostring)] | join(" ")' <<<"$d")" \
    "$(jq -r '["active", .checksum, .os_hash_algo, .os_hash_value, (.size|tostring)] | join(" ")' <<<"$s")" \
    "the copy: active, same checksum, os_hash and size"
is "$(attrs <<<"$d")" "$(attrs <<<"$s")" "same properties, tags, formats, min_disk, min_ram"
is "$(jq -r '.nova_evac_source_region + " " + .nova_evac_source_image' <<<"$d")" "RegionCephA $a" "source marks"
is "$(jq -r '.locations[0].url' <<<"$d")" "rbd://$CEPH_B_FSID/images/$dst/snap" "its location: cluster b, pool images, snap"
is "$(rbdb snap ls images/"$dst" --format json | jq -r '.[] | .name + " " + (.protected|tostring)')" "snap true" \
    "the RBD image has the protected snapshot Glance's rbd store reads"
is "$(curl -s -H "X-Auth-Token: $(token)" "$GB/v2/images/$dst/file" | md5sum | cut -c1-32)" "$(jq -r .checksum <<<"$s")" \
    "RegionCephB serves the same bytes (MD5 of its download = the source's checksum)"
run ne image-copy "$a" --os-region-name RegionCephA --to-region RegionCephB --rbd-from a --rbd-to b/images \
    --import-method auto
like "$out" "already in region RegionCephB as $dst; not copied" \
    "second run (--import-method auto, RegionCephB offers glance-direct): not copied again"

# ---- failures: nothing left in Glance or in cluster b
after=$(nb)
run ne image-copy "$a" --os-region-name RegionCephA --to-region RegionCephB --rbd-from b --rbd-to b/images --force
is "$rc" 1 "--rbd-from the wrong cluster: exit 1"
like "$out" "its data are in the Ceph cluster $CEPH_A_FSID .*--rbd-from b is the cluster $CEPH_B_FSID" \
    "the wrong cluster is named, with both fsids"
is "$(copies gb "$a" | wc -l)" 1 "wrong cluster: no second copy in RegionCephB"
head -c 4194304 /dev/urandom >"$tmp/f.raw"
upload "$GLANCE" "$id-file" "$tmp/f.raw" "" || bail "uploading to RegionOne failed"
f=$UP
run ne image-copy "$f" --to-region RegionCephB --rbd-from a --rbd-to b/images
is "$rc" 1 "a source without an rbd location (RegionOne's file store): exit 1"
like "$out" "RegionOne shows no rbd:// location of it" "the missing location is named"
is "$(copies gb "$f")" "" "no image made for it in RegionCephB"
run ne image-copy "$a" --os-region-name RegionCephA --to-region RegionTwo --rbd-from a --rbd-to b/images
is "$rc" 1 "a destination Glance that refuses locations (RegionTwo): exit 1"
like "$out" "region RegionTwo did not take the location" "the refusal is named"
is "$(copies g2 "$a")" "" "RegionTwo: the queued copy is deleted"
is "$(nb)" "$after" "cluster b: the RBD image made for RegionTwo is removed"
# a byte changed under the source's snapshot: Glance's checksum no longer matches
if /usr/bin/python3 - "$CEPH_A_CONF" "$CEPH_A_KEYRING" "$a" <<'EOF'
import sys, rados, rbd
conf, keyring, name = sys.argv[1:4]
c = rados.Rados(conffile=conf, conf={"keyring": keyring}); c.connect()
io = c.open_ioctx("images")
with rbd.Image(io, name) as im:
    im.unprotect_snap("snap"); im.remove_snap("snap")
    b = im.read(1000, 1)
    im.write(bytes([(b[0] + 1) % 256]), 1000)
    im.create_snap("snap"); im.protect_snap("snap")
io.close(); c.shutdown()
EOF
then
    run ne image-copy "$a" --os-region-name RegionCephA --to-region RegionCephB --rbd-from a --rbd-to b/images --force
    is "$rc" 1 "data that no longer match the source's checksum: exit 1"
    like "$out" "reads MD5 [0-9a-f]{32}, Glance's checksum of the source is $(jq -r .checksum <<<"$s")" "the mismatch is named"
    is "$(copies gb "$a" | wc -l)" 1 "mismatch: no second copy in RegionCephB"
    is "$(nb)" "$after" "mismatch: no RBD image left in cluster b"
else
    ok "changing a byte of the source's RBD image (python3-rbd)" false
fi
is "$(comm -13 <(echo "$before") <(nb))" "$dst" "cluster b holds exactly one new RBD image: the copy's"
done_testing
