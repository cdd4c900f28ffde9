#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# image-copy and the destination's image import methods: a destination
# that does not offer glance-direct (the lab's RegionThree Glance, whose
# only import method is web-download) refuses --import-method
# glance-direct with exit 2 before anything is made, a snapshot included,
# and --import-method auto falls back to a plain upload there; a
# glance-direct copy whose data do not match the source's checksum (a
# byte changed in RegionOne's store) leaves no image at the destination,
# in any status, and no staged data.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
need_openstack
. "$top_srcdir/tests/lab/os/api.sh"
TOK=$(token)
[ -n "$TOK" ] || skip_all "no admin token from the lab Keystone"
G2=http://127.0.0.1:9293 G3=http://127.0.0.1:9294
curl -sf -o /dev/null --max-time 10 "$G2/healthcheck" ||
    skip_all "no RegionTwo Glance on $G2 (tests/lab/openstack.sh up starts it)"
"$top_srcdir/tests/lab/openstack.sh" glance3-up >/dev/null 2>&1 ||
    skip_all "the RegionThree Glance did not start (tests/lab/openstack.sh glance3-up)"
id=$(uniq_id)
tmp=$(mktemp -d)
srcs=()
g2() { _authed "$G2" "" "$@"; }
g3() { _authed "$G3" "" "$@"; }
# every image of the destination (g2|g3) that copies SRC, any status
copies() { "$1" GET "/v2/images?nova_evac_source_image=$2" | body | jq -r '.images[] | .id + " " + .status'; }
cleanup() {
    local s c
    TOK=$(token)
    for s in "${srcs[@]}"; do
        for c in $(copies g2 "$s" | cut -d' ' -f1); do g2 DELETE "/v2/images/$c" >/dev/null; done
        for c in $(copies g3 "$s" | cut -d' ' -f1); do g3 DELETE "/v2/images/$c" >/dev/null; done
        glance DELETE "/v2/images/$s" >/dev/null
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
bail() { echo "Bail out! $*"; exit 1; }
# upload NAME FILE: a new active RegionOne image with two properties, its id in $UP
upload() {
    local i
    UP=
    TOK=$(token)
    i=$(glance POST /v2/images "{\"name\":\"$1\",\"disk_format\":\"raw\",\"container_format\":\"bare\",\"hw_disk_bus\":\"scsi\",\"os_type\":\"linux\"}" | body | jq -r .id)
    [ -n "$i" ] && [ "$i" != null ] || return 1
    srcs+=("$i")
    curl -sf -o /dev/null -X PUT -H "X-Auth-Token: $TOK" -H 'Content-Type: application/octet-stream' \
        --data-binary @"$2" "$GLANCE/v2/images/$i/file" || return 1
    UP=$i
}
head -c 8388608 /dev/urandom >"$tmp/a.raw"
upload "$id-a" "$tmp/a.raw" || bail "uploading an 8 MiB image to RegionOne failed"
a=$UP

# ---- RegionThree offers web-download only
is "$(g3 GET /v2/info/import | body | jq -c '."import-methods".value')" '["web-download"]' \
    "RegionThree's Glance offers web-download only"
run ne image-copy "$a" --to-region RegionThree --import-method glance-direct
is "$rc" 2 "--import-method glance-direct where it is not offered: exit 2"
like "$out" "region RegionThree does not offer the import method glance-direct .*--import-method stream" \
    "the refusal names the region, the method and the way out"
is "$(copies g3 "$a")" "" "refused: no image made in RegionThree"
run ne image-copy --snapshot-of "$(new_uuid)" --to-region RegionThree --import-method glance-direct
is "$rc" 2 "--snapshot-of with glance-direct not offered: exit 2"
like "$out" "does not offer the import method glance-direct" \
    "the import method is refused before the server is looked up or snapshotted"

# ---- auto: a plain upload there
js=$("$NOVA_EVAC" image-copy "$a" --to-region RegionThree --import-method auto --json 2>"$tmp/err")
is "$?" 0 "--import-method auto where glance-direct is not offered: exit 0" || sed 's/^/# /' "$tmp/err"
is "$(printf '%s' "$js" | jq -r '(.import_methods | join(",")) + " " + .images[0].status + " " + .images[0].method')" \
    "web-download copied stream" "JSON: the destination's methods, copied, method stream"
d=$(g3 GET "/v2/images/$(printf '%s' "$js" | jq -r '.images[0].destination')" | body)
s=$(glance GET "/v2/images/$a" | body)
is "$(jq -r '[.status, .checksum, .os_hash_value, .hw_disk_bus, .os_type] | join(" ")' <<<"$d")" \
    "active $(jq -r '[.checksum, .os_hash_value] | join(" ")' <<<"$s") scsi linux" \
    "the copy in RegionThree: active, same checksum, os_hash and properties"
run ne image-copy "$a" --to-region RegionThree --force --import-method auto
like "$out" "copied to region RegionThree as .*\(stream\)" "the text line says stream"

# ---- glance-direct with data that no longer match the source's checksum
head -c 8388608 /dev/urandom >"$tmp/b.raw"
upload "$id-b" "$tmp/b.raw" || bail "uploading a second 8 MiB image failed"
b=$UP
store="$NOVA_EVAC_OS/data/glance/images/$b"
if [ -f "$store" ]; then
    x=$(dd if="$store" bs=1 skip=5000000 count=1 status=none | od -An -tu1 | tr -dc 0-9)
    printf "\\$(printf %03o $(((x + 1) % 256)))" | dd of="$store" bs=1 seek=5000000 conv=notrunc status=none
    js=$("$NOVA_EVAC" image-copy "$b" --to-region RegionTwo --import-method glance-direct --json 2>"$tmp/err")
    is "$?" 1 "glance-direct, checksum mismatch: exit 1"
    sed 's/^/# stderr: /' "$tmp/err"
    like "$(cat "$tmp/err")" "MD5 [0-9a-f]{32}, Glance's checksum is" "the mismatch is named"
    like "$(cat "$tmp/err")" "deleted the incomplete copy" "the half-made copy is deleted"
    is "$(printf '%s' "$js" | jq -r '.images[0].status + " " + .images[0].method + " " + (.images[0].destination // "none")')" \
        "failed glance-direct none" "JSON: failed, glance-direct, no destination"
    is "$(copies g2 "$b")" "" "no image (queued, uploading, importing or active) left in RegionTwo"
    did=$(sed -n 's/.* as \([0-9a-f-]\{36\}\)$/\1/p' "$tmp/err" | head -1)
    ok "the copy's id is in the log ($did)" test -n "$did"
    is "$(ls "$NOVA_EVAC_OS/data/glance2/staging" | grep -c "${did:-none}")" 0 \
        "nothing of it left in RegionTwo's staging area"
else
    ok "the source store file $store exists" false
fi
done_testing
