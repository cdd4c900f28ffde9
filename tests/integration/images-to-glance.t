#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# images HOST --to-glance REGION (issue 16, item 3): the field report's
# deleted-image case across regions.  A server boots from a raw image with
# properties; the image is deleted from Glance; the base file Nova left in
# the host's _base becomes an image in RegionTwo again: its data are the
# base file's (checksum), its properties come from the instance's system
# metadata (Glance no longer has them), it names its source; a second run
# copies nothing, --force copies; --dry-run and bad input change nothing;
# a base whose data are not its (still present) image's leaves no image.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
need_lab
need_openstack
. "$top_srcdir/tests/lab/os/api.sh"
TOK=$(token)
[ -n "$TOK" ] || skip_all "no admin token from the lab Keystone"
G2=http://127.0.0.1:9293
curl -sf -o /dev/null --max-time 10 "$G2/healthcheck" ||
    skip_all "no RegionTwo Glance on $G2 (tests/lab/openstack.sh up starts it)"
id=$(uniq_id)
tmp=$(mktemp -d)
img= srv= host= base= img2= base2=
g2() { _authed "$G2" "" "$@"; }
# every image of RegionTwo that copies SRC (any status)
copies() { g2 GET "/v2/images?nova_evac_source_image=$1" | body | jq -r '.images[] | .id + " " + .status'; }
cleanup() {
    local c
    TOK=$(token)
    if [ -n "$srv" ]; then
        nova DELETE "/servers/$srv" >/dev/null 2>&1
        for _ in $(seq 120); do [ "$(nova GET "/servers/$srv" | code)" = 404 ] && break; sleep 0.5; done
    fi
    if [ -n "$img" ]; then
        for c in $(copies "$img" | cut -d' ' -f1); do g2 DELETE "/v2/images/$c" >/dev/null 2>&1; done
        glance DELETE "/v2/images/$img" >/dev/null 2>&1
        # the base Nova made for this test's image (its name: the SHA-1 of a fresh id)
        [ -n "$host" ] && rm -f "$NOVA_EVAC_LAB/lab/$host/instances/_base/$base"
    fi
    if [ -n "$img2" ]; then
        for c in $(copies "$img2" | cut -d' ' -f1); do g2 DELETE "/v2/images/$c" >/dev/null 2>&1; done
        glance DELETE "/v2/images/$img2" >/dev/null 2>&1
        [ -n "$host" ] && rm -f "$NOVA_EVAC_LAB/lab/$host/instances/_base/$base2"
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
bail() { echo "Bail out! $*"; exit 1; }

# ---- a raw image with properties, and a server booted from it
truncate -s 16M "$tmp/img.raw"
head -c 4194304 /dev/urandom | dd of="$tmp/img.raw" conv=notrunc status=none
head -c 1048576 /dev/urandom | dd of="$tmp/img.raw" bs=1M seek=15 conv=notrunc status=none
props='"hw_disk_bus":"virtio","hw_vif_model":"virtio","os_type":"linux","vm_mode":"hvm",
"hypervisor_type":"qemu","architecture":"x86_64","os_distro":"debian","hw_video_model":"virtio",
"nova_evac_test_note":"deleted image, given back","min_disk":1,"min_ram":64'
img=$(glance POST /v2/images "{\"name\":\"$id\",\"disk_format\":\"raw\",\"container_format\":\"bare\",$(echo "$props" | tr -d '\n')}" | body | jq -r .id)
[ -n "$img" ] && [ "$img" != null ] || bail "creating the image failed"
TOK=$(token)
curl -sf -o /dev/null -X PUT -H "X-Auth-Token: $TOK" -H 'Content-Type: application/octet-stream' \
    --data-binary @"$tmp/img.raw" "$GLANCE/v2/images/$img/file" || bail "uploading the image failed"
base=$(printf %s "$img" | sha1sum | cut -c1-40)
fl=$(nova GET /flavors | body | jq -r '.flavors[] | select(.name=="m1.tiny").id')
srv=$(nova POST /servers "{\"server\":{\"name\":\"$id\",\"flavorRef\":\"$fl\",\"imageRef\":\"$img\",\"networks\":\"none\"}}" | body | jq -r .server.id)
[ -n "$srv" ] && [ "$srv" != null ] || bail "booting a server failed"
ok "a server boots from the image" wait_srv "$srv" '.status=="ACTIVE"' 240 || bail "boot: $(srv "$srv")"
host=$(srv "$srv" | cut -d' ' -f4)
file="$NOVA_EVAC_LAB/lab/$host/instances/_base/$base"
ok "Nova left the base _base/$base on $host" test -f "$file"
want_md5=$(md5sum <"$file" | cut -c1-32)
is "$want_md5" "$(md5sum <"$tmp/img.raw" | cut -c1-32)" "the base holds the image's data (raw image: kept as it was)"

# ---- the image is still in Glance: --dry-run takes its properties from there
run ne images "$host" --to-glance RegionTwo --base "$img" --dry-run
is "$rc" 0 "--dry-run, image still in Glance: exit 0"
like "$out" "$id \($img\): $host:.*/_base/$base would be copied to region RegionTwo \(16777216 bytes\), properties from glance" \
    "--dry-run: what would be copied, properties from Glance"

# ---- the image is deleted from Glance
is "$(glance DELETE "/v2/images/$img" | code)" 204 "the image is deleted from RegionOne's Glance"
is "$(glance GET "/v2/images/$img" | code)" 404 "Glance no longer has it"

# ---- bad input: clear errors, nothing created
run ne images "$host" --to-glance RegionOne --base "$img"
is "$rc" 2 "--to-glance the source region: exit 2"
like "$out" "--to-glance RegionOne is the source region" "source region: said"
run ne images "$host" --to-glance RegionNowhere --base "$img"
is "$rc" 2 "--to-glance an unknown region: exit 2"
like "$out" "RegionNowhere" "unknown region: named"
run ne images "$host" --to-glance RegionTwo --stage
is "$rc" 2 "--to-glance with --stage: exit 2"
run ne images "$host" --to-glance RegionTwo --base "$img" --dry-run
is "$rc" 0 "--dry-run, image deleted: exit 0"
like "$out" "would be copied to region RegionTwo \(16777216 bytes\), properties from nova system metadata" \
    "--dry-run: properties from Nova's system metadata"
is "$(copies "$img")" "" "bad input and --dry-run created nothing in RegionTwo"

# ---- the copy
t=$(date +%s.%N)
js=$(/usr/bin/time -f 'maxrss_kib=%M' -o "$tmp/time" "$NOVA_EVAC" --format json images "$host" --to-glance RegionTwo --base "$img" 2>"$tmp/err")
rc=$?
is "$rc" 0 "images --to-glance RegionTwo: exit 0" || sed 's/^/# /' "$tmp/err"
diag "images --to-glance, 16 MiB base: $(awk -v a="$t" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}') s, peak RSS $(($(sed -n 's/^maxrss_kib=//p' "$tmp/time") / 1024)) MiB"
is "$(jq -r '.images | length' <<<"$js")" 1 "JSON: one image"
is "$(jq -r '.images[0] | .status + " " + (.bytes|tostring) + " " + .properties_from' <<<"$js")" \
    "copied 16777216 nova system metadata" "JSON: copied, bytes, properties from Nova's system metadata"
dst=$(jq -r '.images[0].destination' <<<"$js")
d=$(g2 GET "/v2/images/$dst" | body)
is "$(jq -r .status <<<"$d")" active "the image is active in RegionTwo"
is "$(jq -r .checksum <<<"$d")" "$want_md5" "its checksum is the base file's MD5"
g2() { _authed "$G2" "" "$@"; }
TOK=$(token)
is "$(curl -sf -H "X-Auth-Token: $TOK" "$G2/v2/images/$dst/file" | md5sum | cut -c1-32)" "$want_md5" \
    "its data, downloaded from RegionTwo, are the base file's"
is "$(jq -n --argjson p "{$(echo "$props" | tr -d '\n')}" --argjson d "$d" \
    '[$p | del(.min_disk, .min_ram) | to_entries[] | select($d[.key] == .value)] | length')" 9 \
    "each of the 9 properties of the deleted image has its value"
is "$(jq -r '[.min_disk, .min_ram, .disk_format, .container_format] | map(tostring) | join(" ")' <<<"$d")" \
    "1 64 raw bare" "min_disk, min_ram, formats"
is "$(jq -r '.nova_evac_source_region + " " + .nova_evac_source_image + " " + .nova_evac_source_base' <<<"$d")" \
    "RegionOne $img $host:$NOVA_EVAC_LAB/instances/_base/$base" "source marks: region, image, base"
is "$(jq -r .name <<<"$d")" "$img" "named after the image id (Nova does not keep the name)"

# ---- again: nothing copied; --force copies
run ne images "$host" --to-glance RegionTwo --base "$img"
is "$rc" 0 "second run: exit 0"
like "$out" "already in region RegionTwo as $dst; not copied" "second run: reported, not copied"
is "$(copies "$img" | wc -l)" 1 "second run: still one image"
js=$("$NOVA_EVAC" --format json images "$host" --to-glance RegionTwo --base "$img" --force 2>"$tmp/err")
is "$?" 0 "--force: exit 0" || sed 's/^/# /' "$tmp/err"
is "$(jq -r '.images[0].status' <<<"$js")" copied "--force: copied again"
is "$(copies "$img" | grep -c ' active$')" 2 "--force: two active images"

# ---- a base whose data are not its image's (the image is still in Glance,
# same format and size): the upload is checked against the original's
# checksum, and the image made is deleted
head -c 4194304 /dev/urandom >"$tmp/i2.raw"
img2=$(glance POST /v2/images "{\"name\":\"$id-2\",\"disk_format\":\"raw\",\"container_format\":\"bare\",\"hw_disk_bus\":\"scsi\",\"hw_scsi_model\":\"virtio-scsi\",\"min_ram\":32}" | body | jq -r .id)
[ -n "$img2" ] && [ "$img2" != null ] || bail "creating the second image failed"
TOK=$(token)
curl -sf -o /dev/null -X PUT -H "X-Auth-Token: $TOK" -H 'Content-Type: application/octet-stream' \
    --data-binary @"$tmp/i2.raw" "$GLANCE/v2/images/$img2/file" || bail "uploading the second image failed"
base2=$(printf %s "$img2" | sha1sum | cut -c1-40)
file2="$NOVA_EVAC_LAB/lab/$host/instances/_base/$base2"
head -c 4194304 /dev/urandom >"$file2"
js=$("$NOVA_EVAC" --format json images "$host" --to-glance RegionTwo --base "$img2" 2>"$tmp/err")
is "$?" 1 "a base that is not its image's data: exit 1"
sed 's/^/# stderr: /' "$tmp/err"
is "$(jq -r '.images[0] | .status + " " + (.destination // "none") + " " + .properties_from' <<<"$js")" \
    "failed none glance" "JSON: failed, no destination (properties were Glance's)"
like "$(cat "$tmp/err")" "are not the image's .*the base file changed on $host" "the mismatch is said, with the host"
like "$(cat "$tmp/err")" "deleted the incomplete image" "the image made is deleted"
is "$(copies "$img2")" "" "mismatch: no image (queued, saving or active) left in RegionTwo"
cp "$tmp/i2.raw" "$file2"
js=$("$NOVA_EVAC" --format json images "$host" --to-glance RegionTwo --base "$img2" 2>"$tmp/err")
is "$?" 0 "the right data: exit 0" || sed 's/^/# /' "$tmp/err"
d=$(g2 GET "/v2/images/$(jq -r '.images[0].destination' <<<"$js")" | body)
s=$(glance GET "/v2/images/$img2" | body)
is "$(jq -r '.checksum + " " + .os_hash_value' <<<"$d")" "$(jq -r '.checksum + " " + .os_hash_value' <<<"$s")" \
    "identical checksum and os_hash with the image still in Glance"
is "$(jq -r '[.hw_disk_bus, .hw_scsi_model, .min_ram, .name] | map(tostring) | join(" ")' <<<"$d")" \
    "scsi virtio-scsi 32 $id-2" "properties and name from Glance"
done_testing
