#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# image-copy against the lab's two real Glances (RegionOne on 9292,
# RegionTwo on 9293, one Keystone): a 256 MiB image with 20 properties,
# tags, min_disk, min_ram and protection copies with identical checksum,
# os_hash and properties, in bounded memory (peak RSS printed); a second
# run copies nothing, --force copies; a source stream cut in the middle
# (a loopback proxy that closes after 4 MiB, reached through a region of
# this test's own) and data that no longer match the source's checksum
# (a byte changed in the source's store) leave no image at the
# destination; bad input changes nothing; --snapshot-of a running server
# snapshots it through the audited path and copies the snapshot, which,
# copied back to RegionOne under a new name, boots a server.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
need_openstack
. "$top_srcdir/tests/lab/os/api.sh"
TOK=$(token)
[ -n "$TOK" ] || skip_all "no admin token from the lab Keystone"
G2=http://127.0.0.1:9293
curl -sf -o /dev/null --max-time 10 "$G2/healthcheck" ||
    skip_all "no RegionTwo Glance on $G2 (tests/lab/openstack.sh up starts it)"
id=$(uniq_id)
tmp=$(mktemp -d)
srcs=() servers=() proxy= region=
# a private state dir: the audit log of the snapshot
{ [ -n "${NOVA_EVAC_CONFIG:-}" ] && cat "$NOVA_EVAC_CONFIG"; printf '[DEFAULT]\nstate_dir = %s/state\n' "$tmp"; } >"$tmp/ne.conf"
export NOVA_EVAC_CONFIG=$tmp/ne.conf
g2() { _authed "$G2" "" "$@"; }
# every image of RegionTwo that copies SRC (any status)
copies() { g2 GET "/v2/images?nova_evac_source_image=$1" | body | jq -r '.images[] | .id + " " + .status'; }
unprotect_delete() { # glance|g2 ID
    _req_patch "$1" "$2"
    "$1" DELETE "/v2/images/$2" >/dev/null 2>&1
}
_req_patch() {
    local base=$GLANCE
    [ "$1" = g2 ] && base=$G2
    curl -s -o /dev/null -X PATCH -H "X-Auth-Token: $TOK" \
        -H 'Content-Type: application/openstack-images-v2.1-json-patch' \
        -d '[{"op":"replace","path":"/protected","value":false}]' "$base/v2/images/$2"
}
cleanup() {
    local s c
    TOK=$(token)
    for s in "${servers[@]}"; do nova DELETE "/servers/$s" >/dev/null 2>&1; done
    for s in "${servers[@]}"; do
        for _ in $(seq 60); do [ "$(nova GET "/servers/$s" | code)" = 404 ] && break; sleep 0.5; done
    done
    for s in "${srcs[@]}"; do
        for c in $(copies "$s" | cut -d' ' -f1); do unprotect_delete g2 "$c"; done
        unprotect_delete glance "$s"
        # the base Nova made of an image of ours (named by the SHA-1 of its fresh id)
        rm -f "${NOVA_EVAC_LAB:-/nonexistent}"/lab/node0?/instances/_base/"$(printf %s "$s" | sha1sum | cut -c1-40)"
    done
    [ -n "$proxy" ] && kill "$proxy" 2>/dev/null
    if [ -n "$region" ]; then
        for e in $(curl -s -H "X-Auth-Token: $TOK" "$KS/endpoints?region_id=$region" | jq -r '.endpoints[].id'); do
            curl -s -o /dev/null -X DELETE -H "X-Auth-Token: $TOK" "$KS/endpoints/$e"
        done
        curl -s -o /dev/null -X DELETE -H "X-Auth-Token: $TOK" "$KS/regions/$region"
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
el() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}'; }
bail() { echo "Bail out! $*"; exit 1; }
# upload NAME FILE JSON-EXTRA: a new active RegionOne image, its id in $UP
upload() {
    local i
    UP=
    TOK=$(token)   # lab tokens live 180 s; the PUT below does not re-authenticate
    i=$(glance POST /v2/images "{\"name\":\"$1\",\"disk_format\":\"raw\",\"container_format\":\"bare\"$3}" | body | jq -r .id)
    [ -n "$i" ] && [ "$i" != null ] || return 1
    srcs+=("$i")
    curl -sf -o /dev/null -X PUT -H "X-Auth-Token: $TOK" -H 'Content-Type: application/octet-stream' \
        --data-binary @"$2" "$GLANCE/v2/images/$i/file" || return 1
    UP=$i
}
# the image's user-visible attributes: every member but the ones Glance sets
# and the copy's source marks
attrs() {
    jq -S 'del(.id, .status, .checksum, .os_hash_algo, .os_hash_value, .size, .virtual_size,
                .created_at, .updated_at, .self, .file, .schema, .stores, .owner, .os_hidden,
                .direct_url, .locations, .nova_evac_source_region, .nova_evac_source_image)
             | .tags |= sort'
}

# ---- a 256 MiB image, mostly sparse (fast to make), with data at both ends
truncate -s 256M "$tmp/big.raw"
head -c 1048576 /dev/urandom | dd of="$tmp/big.raw" conv=notrunc status=none
head -c 1048576 /dev/urandom | dd of="$tmp/big.raw" bs=1M seek=255 conv=notrunc status=none
props='"hw_disk_bus":"scsi","hw_scsi_model":"virtio-scsi","hw_firmware_type":"uefi","hw_machine_type":"q35",
"os_type":"linux","vm_mode":"hvm","hypervisor_type":"qemu","architecture":"x86_64","os_distro":"debian",
"os_version":"12","hw_cdrom_bus":"sata","hw_video_model":"virtio","hw_vif_model":"virtio",
"hw_qemu_guest_agent":"yes","hw_rng_model":"virtio","hw_boot_menu":"true","hw_pointer_model":"usbtablet",
"img_config_drive":"optional","os_require_quiesce":"yes","nova_evac_test_note":"twenty properties",
"min_disk":1,"min_ram":128,"tags":["imgcopy","t20"],"protected":true'
t=$(date +%s.%N)
upload "$id-big" "$tmp/big.raw" ",$(echo "$props" | tr -d '\n')" || bail "uploading the 256 MiB source image failed"
big=$UP
diag "256 MiB source image uploaded with curl in $(el "$t") s"
is "$(glance GET "/v2/images/$big" | body | jq -r '.status + " " + (.size|tostring) + " " + (.protected|tostring)')" \
    "active 268435456 true" "source: active, 256 MiB, protected"

diag "section start: ${SECONDS} s"
# ---- bad input: clear errors, nothing created
run ne image-copy "$id-no-such-image" --to-region RegionTwo
is "$rc" 2 "unknown image: exit 2"
like "$out" "image $id-no-such-image: no image has that id or name in RegionOne" "unknown image: named"
run ne image-copy "$big" --to-region RegionNowhere
is "$rc" 2 "unknown region: exit 2"
like "$out" "no image endpoint with interface public in region RegionNowhere" "unknown region: named, with the catalog"
run ne image-copy "$big" "$id-no-such-image" --to-region RegionTwo
is "$rc" 2 "one unknown image among two: exit 2, before any copy"
run env OS_PASSWORD=wrong-password "$NOVA_EVAC" image-copy "$big" --to-region RegionTwo
is "$rc" 2 "credentials Keystone refuses (the tool takes no token: it re-authenticates): exit 2"
like "$out" "keystone" "refused credentials: Keystone named"
run ne image-copy "$big" --to-region RegionOne
is "$rc" 2 "destination = source region: exit 2"
run ne image-copy "$big" "$big" --to-region RegionTwo --name x
is "$rc" 2 "--name with two images: exit 2"
run ne image-copy "$big" --to-region RegionTwo --dry-run
is "$rc" 0 "--dry-run: exit 0"
like "$out" "would be copied to region RegionTwo \(268435456 bytes\)" "--dry-run says what it would copy"
is "$(copies "$big")" "" "bad input and --dry-run created nothing in RegionTwo"

diag "section start: ${SECONDS} s"
# ---- the copy
t=$(date +%s.%N)
js=$(/usr/bin/time -f 'maxrss_kib=%M' -o "$tmp/time" "$NOVA_EVAC" image-copy "$big" --to-region RegionTwo --json 2>"$tmp/err")
rc=$?
secs=$(el "$t")
is "$rc" 0 "image-copy 256 MiB: exit 0" || sed 's/^/# /' "$tmp/err"
dst=$(printf '%s' "$js" | jq -r '.images[0].destination')
is "$(printf '%s' "$js" | jq -r '.images[0] | .status + " " + (.bytes|tostring) + " " + .method')" \
    "copied 268435456 stream" "JSON: copied, bytes, method"
rss=$(sed -n 's/^maxrss_kib=//p' "$tmp/time")
diag "image-copy 256 MiB: $secs s, peak RSS $((rss / 1024)) MiB (/usr/bin/time), $(($(printf '%s' "$js" | jq .peak_rss_kib) / 1024)) MiB (getrusage)"
ok "peak RSS ($rss KiB) is well under the image size (under 64 MiB for 256 MiB)" test "${rss:-999999}" -lt 65536
s=$(glance GET "/v2/images/$big" | body)
d=$(g2 GET "/v2/images/$dst" | body)
is "$(jq -r .status <<<"$d")" active "the copy is active in RegionTwo"
is "$(jq -r .checksum <<<"$d")" "$(jq -r .checksum <<<"$s")" "identical checksum"
is "$(jq -r '.os_hash_algo + ":" + .os_hash_value' <<<"$d")" "$(jq -r '.os_hash_algo + ":" + .os_hash_value' <<<"$s")" "identical os_hash"
is "$(jq -r .checksum <<<"$d")" "$(printf '%s' "$js" | jq -r '.images[0].checksum')" "the JSON reports the copy's checksum"
is "$(attrs <<<"$d")" "$(attrs <<<"$s")" "identical properties, tags, formats, min_disk, min_ram, protected"
is "$(jq -n --argjson p "{$props}" --argjson d "$d" \
    '[$p | del(.min_disk, .min_ram, .tags, .protected) | to_entries[] | select($d[.key] == .value)] | length')" 20 \
    "each of the 20 properties has its value in the copy"
is "$(jq -r '[.min_disk, .min_ram, .protected, .disk_format, .container_format] | map(tostring) | join(" ")' <<<"$d")" \
    "1 128 true raw bare" "min_disk, min_ram, protected, formats"
is "$(jq -r '.nova_evac_source_region + " " + .nova_evac_source_image' <<<"$d")" "RegionOne $big" "source marks"
is "$(jq -r '.tags | sort | join(",")' <<<"$d")" "imgcopy,t20" "tags"

diag "section start: ${SECONDS} s"
# ---- again: nothing copied; --force copies
run ne image-copy "$big" --to-region RegionTwo
is "$rc" 0 "second run: exit 0"
like "$out" "already in region RegionTwo as $dst; not copied" "second run: reported, not copied"
is "$(copies "$big" | wc -l)" 1 "second run: still one copy"
t=$(date +%s.%N)
js=$("$NOVA_EVAC" image-copy "$big" --to-region RegionTwo --force --json 2>"$tmp/err")
is "$?" 0 "--force: exit 0"
diag "--force copy: $(el "$t") s"
is "$(printf '%s' "$js" | jq -r '.images[0].status')" copied "--force: copied again"
is "$(copies "$big" | grep -c ' active$')" 2 "--force: two active copies"

diag "section start: ${SECONDS} s"
# ---- several images, two transfers at once
head -c 8388608 /dev/urandom >"$tmp/p1.raw"
head -c 6291456 /dev/urandom >"$tmp/p2.raw"
upload "$id-p1" "$tmp/p1.raw" ',"os_type":"linux"' || bail "uploading p1 failed"
p1=$UP
upload "$id-p2" "$tmp/p2.raw" ',"os_type":"windows"' || bail "uploading p2 failed"
p2=$UP
js=$("$NOVA_EVAC" image-copy "$p1" "$id-p2" "$big" --to-region RegionTwo --parallel 2 --json 2>"$tmp/err")
is "$?" 0 "three images, --parallel 2: exit 0" || sed 's/^/# /' "$tmp/err"
is "$(printf '%s' "$js" | jq -r '[.images[] | .status] | join(" ")')" "copied copied exists" \
    "two copied (one named by its name), the third already there"
is "$(printf '%s' "$js" | jq -r '[.images[] | .bytes] | join(" ")')" "8388608 6291456 0" "bytes per image"
is "$(copies "$p1" | cut -d' ' -f2)$(copies "$p2" | cut -d' ' -f2)" "activeactive" "both copies active in RegionTwo"
svcproj=$(curl -s -H "X-Auth-Token: $TOK" "$KS/projects?name=service" | jq -r '.projects[0].id')
js=$("$NOVA_EVAC" image-copy "$p1" --to-region RegionTwo --force --name "$id-renamed" --visibility private \
    --owner "$svcproj" --json 2>"$tmp/err")
is "$?" 0 "--name, --visibility, --owner: exit 0" || sed 's/^/# /' "$tmp/err"
is "$(g2 GET "/v2/images/$(printf '%s' "$js" | jq -r '.images[0].destination')" | body | jq -r '.name + " " + .visibility + " " + .owner + " " + .os_type')" \
    "$id-renamed private $svcproj linux" "the copy has the given name, visibility and owner, and its properties"
# ---- image import (glance-direct): the lab's RegionTwo offers it
run ne image-copy "$p2" --to-region RegionTwo --force --import-method bogus
is "$rc" 2 "--import-method bogus: exit 2"
t=$(date +%s.%N)
js=$("$NOVA_EVAC" image-copy "$p2" --to-region RegionTwo --force --import-method glance-direct --json 2>"$tmp/err")
is "$?" 0 "--import-method glance-direct: exit 0" || sed 's/^/# /' "$tmp/err"
diag "glance-direct copy of 6 MiB (stage, import, wait): $(el "$t") s"
is "$(printf '%s' "$js" | jq -r '(.import_methods | index("glance-direct") != null | tostring) + " " + .images[0].status + " " + .images[0].method')" \
    "true copied glance-direct" "JSON: the destination's import methods, copied, method glance-direct"
d=$(g2 GET "/v2/images/$(printf '%s' "$js" | jq -r '.images[0].destination')" | body)
s=$(glance GET "/v2/images/$p2" | body)
is "$(jq -r '.status + " " + .checksum + " " + .os_hash_value + " " + .os_type' <<<"$d")" \
    "active $(jq -r '.checksum + " " + .os_hash_value' <<<"$s") windows" "imported copy: active, same checksum, os_hash and properties"
js=$("$NOVA_EVAC" image-copy "$p2" --to-region RegionTwo --force --import-method auto 2>&1)
is "$?" 0 "--import-method auto: exit 0"
like "$js" "copied to region RegionTwo as .*\(glance-direct\)" "auto picks glance-direct where offered, and the line says so"
is "$(copies "$p2" | grep -c ' active$')" 3 "three active copies of p2 (stream, glance-direct, auto)"

# ---- a source stream cut after 4 MiB: nothing left at the destination
cat >"$tmp/cut.py" <<'EOF'
import socket, sys, threading
CUT = 4 << 20
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", 0)); ls.listen(8)
print(ls.getsockname()[1], flush=True)
def pipe(a, b, limit):
    n = 0
    try:
        while True:
            d = a.recv(65536)
            if not d: break
            if limit and n + len(d) > CUT:
                b.sendall(d[:CUT - n]); break
            b.sendall(d); n += len(d)
    except OSError: pass
    for s in (a, b):
        try: s.shutdown(socket.SHUT_RDWR)
        except OSError: pass
        s.close()
def serve(c):
    u = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    threading.Thread(target=pipe, args=(c, u, False), daemon=True).start()
    pipe(u, c, True)
while True:
    c, _ = ls.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
EOF
python3 "$tmp/cut.py" 9292 >"$tmp/port" 2>"$tmp/proxy.err" &
proxy=$!
for _ in $(seq 50); do [ -s "$tmp/port" ] && break; sleep 0.1; done
port=$(cat "$tmp/port")
region="imgcopy-cut-$$"
TOK=$(token)
svc=$(curl -s -H "X-Auth-Token: $TOK" "$KS/services?type=image" | jq -r '.services[0].id')
curl -s -o /dev/null -H "X-Auth-Token: $TOK" -H 'Content-Type: application/json' -d "{\"region\":{\"id\":\"$region\"}}" "$KS/regions"
curl -s -o /dev/null -H "X-Auth-Token: $TOK" -H 'Content-Type: application/json' \
    -d "{\"endpoint\":{\"service_id\":\"$svc\",\"interface\":\"public\",\"region_id\":\"$region\",\"url\":\"http://127.0.0.1:$port\"}}" "$KS/endpoints"
head -c 16777216 /dev/urandom >"$tmp/cut.raw"
upload "$id-cut" "$tmp/cut.raw" ',"hw_disk_bus":"virtio"' || bail "uploading the 16 MiB image failed"
cut=$UP
js=$(OS_REGION_NAME=$region "$NOVA_EVAC" image-copy "$cut" --to-region RegionTwo --json 2>"$tmp/err")
is "$?" 1 "stream cut after 4 MiB: exit 1"
sed 's/^/# stderr: /' "$tmp/err"
like "$(cat "$tmp/err")" "download image $id-cut \($cut\)" "the cut download is named" || sed 's/^/# /' "$tmp/err"
like "$(cat "$tmp/err")" "deleted the incomplete copy" "the half-made copy is deleted"
is "$(printf '%s' "$js" | jq -r '.images[0].status + " " + (.images[0].destination // "none")')" "failed none" "JSON: failed, no destination"
is "$(copies "$cut")" "" "stream cut: no image (queued, saving or active) left in RegionTwo"
js=$(OS_REGION_NAME=$region "$NOVA_EVAC" image-copy "$cut" --to-region RegionTwo --import-method glance-direct --json 2>"$tmp/err")
is "$?" 1 "stream cut, glance-direct: exit 1"
like "$(cat "$tmp/err")" "deleted the incomplete copy" "stream cut, glance-direct: the half-made copy is deleted"
is "$(copies "$cut")" "" "stream cut, glance-direct: no image (uploading, importing or active) left in RegionTwo"
kill "$proxy" 2>/dev/null; wait "$proxy" 2>/dev/null; proxy=

diag "section start: ${SECONDS} s"
# ---- the source's data no longer match its checksum: nothing left
store="$NOVA_EVAC_OS/data/glance/images/$cut"
if [ -f "$store" ]; then
    b=$(dd if="$store" bs=1 skip=9000000 count=1 status=none | od -An -tu1 | tr -dc 0-9)
    printf "\\$(printf %03o $(((b + 1) % 256)))" | dd of="$store" bs=1 seek=9000000 conv=notrunc status=none
    js=$("$NOVA_EVAC" image-copy "$cut" --to-region RegionTwo --json 2>"$tmp/err")
    is "$?" 1 "checksum mismatch: exit 1"
    sed 's/^/# stderr: /' "$tmp/err"
    like "$(cat "$tmp/err")" "MD5 [0-9a-f]{32}, Glance's checksum is" "checksum mismatch: named" || sed 's/^/# /' "$tmp/err"
    is "$(copies "$cut")" "" "checksum mismatch: no image (queued, saving or active) left in RegionTwo"
else
    ok "checksum mismatch: the source store file $store exists" false
fi

diag "section start: ${SECONDS} s"
# ---- --snapshot-of a running server; the copy, copied back, boots
fl=$(nova GET /flavors | body | jq -r '.flavors[] | select(.name=="m1.tiny").id')
tiny=$(glance GET '/v2/images?name=tiny' | body | jq -r '[.images[] | select(.status=="active")][0].id')
srv=$(nova POST /servers "{\"server\":{\"name\":\"$id-srv\",\"flavorRef\":\"$fl\",\"imageRef\":\"$tiny\",\"networks\":\"none\"}}" | body | jq -r .server.id)
[ -n "$srv" ] && [ "$srv" != null ] && servers+=("$srv")
ok "a server to snapshot boots" wait_srv "$srv" '.status=="ACTIVE"' 180 || diag "boot: $(srv "$srv")"
run ne image-copy --snapshot-of "$id-no-such-server" --to-region RegionTwo
is "$rc" 2 "--snapshot-of an unknown server: exit 2"
like "$out" "no such instance in Nova" "unknown server: named"
t=$(date +%s.%N)
js=$("$NOVA_EVAC" image-copy --snapshot-of "$srv" --to-region RegionTwo --json 2>"$tmp/err")
is "$?" 0 "--snapshot-of: exit 0" || sed 's/^/# /' "$tmp/err"
diag "--snapshot-of (snapshot, wait, copy): $(el "$t") s"
snap=$(printf '%s' "$js" | jq -r '.images[0].source')
sdst=$(printf '%s' "$js" | jq -r '.images[0].destination')
[ -n "$snap" ] && [ "$snap" != null ] && srcs+=("$snap")
is "$(printf '%s' "$js" | jq -r '.images[0].status')" copied "the snapshot is copied"
is "$(glance GET "/v2/images/$snap" | body | jq -r '.nova_evac_snapshot_of + " " + .image_type + " " + .status')" \
    "$srv snapshot active" "RegionOne: an active snapshot of the server"
is "$(g2 GET "/v2/images/$sdst" | body | jq -r '.nova_evac_source_image + " " + .instance_uuid + " " + .status')" \
    "$snap $srv active" "RegionTwo: its copy, with the snapshot's properties"
is "$(jq -r --arg s "$srv" 'select(.event=="server-action" and .instance==$s and .action=="create-image") | .phase' \
    "$tmp/state/audit.log" 2>/dev/null | paste -sd' ')" "before after" "the snapshot went through the audited path (before, after)"
js=$(OS_REGION_NAME=RegionTwo "$NOVA_EVAC" image-copy "$sdst" --to-region RegionOne --name "$id-back" --json 2>"$tmp/err")
is "$?" 0 "copied back to RegionOne under a new name" || sed 's/^/# /' "$tmp/err"
back=$(printf '%s' "$js" | jq -r '.images[0].destination')
[ -n "$back" ] && [ "$back" != null ] && srcs+=("$back")
is "$(glance GET "/v2/images/$back" | body | jq -r '.name + " " + .nova_evac_source_region')" "$id-back RegionTwo" \
    "the image back in RegionOne names its source"
srv2=$(nova POST /servers "{\"server\":{\"name\":\"$id-back\",\"flavorRef\":\"$fl\",\"imageRef\":\"$back\",\"networks\":\"none\"}}" | body | jq -r .server.id)
[ -n "$srv2" ] && [ "$srv2" != null ] && servers+=("$srv2")
ok "a server boots from the copied-back snapshot" wait_srv "$srv2" '.status=="ACTIVE"' 180 || diag "boot: $(srv "$srv2")"
done_testing
