#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# nova-evac's Glance client against the lab's real Glance: image show
# (active, and gone after a delete), streaming download verified against
# checksum and os_hash_value (and refused when the stored data was
# corrupted), upload checked against what Glance recorded.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
need_openstack
. "$top_srcdir/tests/lab/os/api.sh"
TOK=$(token)
[ -n "$TOK" ] || skip_all "no admin token from the lab Keystone"
id=$(uniq_id)
tmp=$(mktemp -d)
img=
cleanup() {
    [ -n "$img" ] && glance DELETE "/v2/images/$img" >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT
js() { printf '%s' "$out" | jq -r "$1"; }
gi() { glance GET "/v2/images/$1" | body | jq -r "$2"; }

# upload: a 3 MiB file with random content
head -c 3145728 /dev/urandom >"$tmp/up.raw"
t=$(date +%s.%N)
run ne --format json api image-upload "$tmp/up.raw" --name "$id"
diag "image-upload 3 MiB: $(awk -v a="$t" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}') s"
is "$rc" 0 "image-upload"
img=$(js .image)
is "$(js .bytes)" 3145728 "upload: 3 MiB sent"
is "$(js '.checksum_verified and .os_hash_verified')" true "upload: Glance's checksum and os_hash match what was sent"
is "$(gi "$img" '.status + " " + (.size|tostring) + " " + .name')" "active 3145728 $id" "read back: active, size, name"
is "$(gi "$img" .checksum)" "$(md5sum <"$tmp/up.raw" | cut -d' ' -f1)" "read back: Glance's MD5 is the file's"
is "$(gi "$img" .os_hash_value)" "$(sha512sum <"$tmp/up.raw" | cut -d' ' -f1)" "read back: Glance's SHA-512 is the file's"

# show
run ne --format json api image-show "$img"
is "$rc" 0 "image-show"
is "$(js '.status + " " + .os_hash_algo + " " + .disk_format')" "active sha512 raw" "status, hash algorithm, format"

# download, verified on the fly
t=$(date +%s.%N)
run ne --format json api image-download "$img" --output "$tmp/down.raw"
diag "image-download 3 MiB: $(awk -v a="$t" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}') s"
is "$rc" 0 "image-download"
is "$(js '.checksum_verified and .os_hash_verified')" true "download: MD5 and SHA-512 verified"
ok "download: identical to what was uploaded" cmp -s "$tmp/up.raw" "$tmp/down.raw"
ok "download: no .part file left" test ! -e "$tmp/down.raw.part"

# the stored data goes bad: the download must be refused, nothing kept
store="$NOVA_EVAC_OS/data/glance/images/$img"
if [ -f "$store" ]; then
    # change byte 1000 to another value (random data: a fixed 'X' was already there 1 time in 256)
    b=$(dd if="$store" bs=1 skip=1000 count=1 status=none | od -An -tu1 | tr -dc 0-9)
    printf "\\$(printf %03o $(((b + 1) % 256)))" | dd of="$store" bs=1 seek=1000 conv=notrunc status=none
    ok "the stored image changed" test "$(md5sum <"$store" | cut -d' ' -f1)" != "$(md5sum <"$tmp/up.raw" | cut -d' ' -f1)"
    run ne api image-download "$img" --output "$tmp/bad.raw"
    is "$rc" 4 "corrupted image data: exit 4"
    like "$out" "glance: download image $id \($img\): MD5 [0-9a-f]{32}, Glance's checksum is" \
        "corrupted image: the mismatch is named"
    ok "corrupted image: neither the file nor a .part is left" test ! -e "$tmp/bad.raw" -a ! -e "$tmp/bad.raw.part"
else
    ok "# SKIP corruption: Glance's file store is not at $store" true
fi

# delete, then the image is gone (404), which show reports without failing
run ne api image-delete "$img"
is "$rc" 0 "image-delete"
run ne --format json api image-show "$img"
is "$rc" 0 "image-show of a deleted image: exit 0"
is "$(js .status)" gone "deleted image shown as gone"
run ne api image-download "$img" --output "$tmp/gone.raw"
is "$rc" 2 "download of a deleted image: exit 2"
like "$out" "gone from Glance \(404\)" "download of a deleted image: says it is gone"
img=
done_testing
