#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# drain-ceph.t: issue 15's first acceptance on the mini-cloud with Cinder on Ceph
# (tests/lab/cinder.sh). A server on node02 boots from a Cinder volume (its root disk is an
# RBD network disk on cluster A) and has a second RBD Cinder volume attached, holding
# random data. inspect and plan show both disks as rbd:pool/image, shared; `drain node02
# --to node01` moves the guest live with 0 disk bytes (the drain's JSON events); both RBD
# images read through librbd (rbd export as client.nova-evac) have the same sha256 before
# and after; the guest runs on node01 with the same RBD disks, Nova says ACTIVE on node01
# and Cinder still has both volumes in-use. node02 is undrained and everything made here
# is deleted. node02 must hold only this test's guest: a drain moves everything on it.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
need_lab
need_openstack
[ "${NOVA_EVAC_OS_MODE:-}" = libvirt ] ||
    skip_all "the OpenStack lab runs in '${NOVA_EVAC_OS_MODE:-}' mode; this test needs 'libvirt' (tests/lab/openstack.sh up libvirt)"
CINDER=$top_srcdir/tests/lab/cinder.sh
why=$("$CINDER" check 2>&1) || skip_all "Cinder: ${why:-not usable} (tests/lab/cinder.sh up)"
eval "$("$CINDER" env)"
[ -n "${CEPH_A_CONF:-}" ] && [ -n "${CINDER_URL:-}" ] || skip_all "cinder.sh env gave no cluster A or Cinder URL"
. "$top_srcdir/tests/lab/os/api.sh"
TOK=$(token)
[ -n "$TOK" ] || skip_all "no admin token from the lab Keystone"
PROJ=$(curl -sf -H "X-Auth-Token: $TOK" -H "X-Subject-Token: $TOK" "$KS/auth/tokens" | jq -r .token.project.id)
cinder() { # cinder METHOD PATH [JSON]: body, then the HTTP code (re-auth on 401 like nova)
    _authed "$CINDER_URL/$PROJ" "OpenStack-API-Version: volume 3.27" "$@"
}
id=$(uniq_id)
tmp=$(mktemp -d)
cleanup() {
    local s v
    for s in $(cat "$tmp/servers" 2>/dev/null); do nova DELETE "/servers/$s" >/dev/null 2>&1; done
    for s in $(cat "$tmp/servers" 2>/dev/null); do   # gone: its volumes are detached
        for _ in $(seq 120); do [ "$(nova GET "/servers/$s" | code)" = 404 ] && break; sleep 0.5; done
    done
    for v in $(cat "$tmp/volumes" 2>/dev/null); do
        for _ in $(seq 60); do
            [ "$(cinder GET "/volumes/$v" | body | jq -r .volume.status)" = in-use ] || break
            sleep 0.5
        done
        cinder DELETE "/volumes/$v" >/dev/null 2>&1
    done
    "$NOVA_EVAC" -q undrain node02 >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT
{ cat "$NOVA_EVAC_LAB/nova-evac.conf"
  printf '[DEFAULT]\nstate_dir = %s/state\nnova_conf = %s/nova.conf\n' "$tmp" "$NOVA_EVAC_OS"; } >"$tmp/ne.conf"
export NOVA_EVAC_CONFIG=$tmp/ne.conf
on_node() { virsh -q -c "$("$LABSH" uri "$1")" domstate "$2" 2>/dev/null | head -1; }
rbd_disks() { # rbd_disks NODE UUID: "vda volumes/volume-x" per RBD disk of the domain
    virsh -q -c "$("$LABSH" uri "$1")" dumpxml "$2" 2>/dev/null |
        xmllint --xpath '//disk[source/@protocol="rbd"]' - 2>/dev/null |
        sed -n "s/.*<source protocol=\"rbd\" name=\"\([^\"]*\)\".*/\1/p; s/.*<target dev=\"\([^\"]*\)\".*/\1/p" |
        paste -d' ' - - | awk '{print $2, $1}'
}
RBD() { timeout 120 rbd -c "$CEPH_A_CONF" --id "$CEPH_A_USER" "$@"; }
sum_of() { RBD export "$1" - 2>/dev/null | sha256sum | cut -c1-64; }
vol_status() { cinder GET "/volumes/$1" | body | jq -r .volume.status; }

fl=$(nova GET /flavors | body | jq -r '.flavors[]|select(.name=="m1.tiny").id')
img=$(glance GET '/v2/images?name=tiny' | body | jq -r '.images[0].id')
[ -n "$fl" ] && [ -n "$img" ] && [ "$img" != null ] || skip_all "lab seed missing (flavor m1.tiny, image tiny)"
others=$(virsh -q -c "$("$LABSH" uri node02)" list --all --name | grep -c . || true)
[ "$others" = 0 ] || diag "node02 holds $others other domain(s): the drain moves them too"

# --- the data volume: 1 GiB on cluster A, random data written through librbd before it
# is attached (8 MiB at 0, 1 MiB at 700 MiB, the rest a hole)
t0=$(now)
r=$(cinder POST /volumes "{\"volume\":{\"size\":1,\"name\":\"$id-data\",\"volume_type\":\"$CINDER_TYPE_A\",\"metadata\":{\"made-by\":\"$id\"}}}" | body)
vol=$(printf '%s' "$r" | jq -r .volume.id)
[ -n "$vol" ] && [ "$vol" != null ] || { diag "Cinder refused: $(printf '%s' "$r" | head -c 300)"; skip_all "cannot create a Cinder volume"; }
echo "$vol" >>"$tmp/volumes"
for _ in $(seq 120); do [ "$(vol_status "$vol")" = available ] && break; sleep 0.5; done
is "$(vol_status "$vol")" available "data volume $vol available on $CINDER_TYPE_A"
head -c 8388608 /dev/urandom >"$tmp/a.bin"; head -c 1048576 /dev/urandom >"$tmp/b.bin"
ok "data written into volumes/volume-$vol through librbd" /usr/bin/python3 - "$CEPH_A_CONF" "$CEPH_A_USER" "volume-$vol" "$tmp/a.bin" "$tmp/b.bin" <<'EOF'
import sys, rados, rbd
conf, user, name, a, b = sys.argv[1:]
with rados.Rados(conffile=conf, rados_id=user) as c, c.open_ioctx('volumes') as io, rbd.Image(io, name) as im:
    im.write(open(a, 'rb').read(), 0)
    im.write(open(b, 'rb').read(), 700 << 20)
EOF

# --- the server: root disk = a new volume from the image (boot from volume), on node02
boot() {
    local r s
    r=$(nova POST /servers "{\"server\":{\"name\":\"$id\",\"flavorRef\":\"$fl\",\"networks\":\"none\",
      \"availability_zone\":\"nova:node02\",\"block_device_mapping_v2\":[{\"boot_index\":0,
      \"uuid\":\"$img\",\"source_type\":\"image\",\"destination_type\":\"volume\",\"volume_size\":1,
      \"delete_on_termination\":true}]}}" | body)
    s=$(printf '%s' "$r" | jq -r .server.id 2>/dev/null)
    [ -n "$s" ] && [ "$s" != null ] || { diag "Nova refused the boot: $(printf '%s' "$r" | head -c 300)"; return 1; }
    echo "$s" >>"$tmp/servers"
    wait_srv "$s" '.status=="ACTIVE" or .status=="ERROR"' 240 >/dev/null
    [ "$(nova GET "/servers/$s" | body | jq -r .server.status)" = ACTIVE ] ||
        { diag "boot: $(srv "$s"): $(nova GET "/servers/$s" | body | jq -r .server.fault.message)"; return 1; }
    echo "$s"
}
# a drain of another test may have had node02 disabled for a moment: one more try
s=$(boot) || s=$(boot) || skip_all "could not boot a server from a volume on node02"
nova POST "/servers/$s/os-volume_attachments" "{\"volumeAttachment\":{\"volumeId\":\"$vol\"}}" >/dev/null
for _ in $(seq 120); do [ "$(vol_status "$vol")" = in-use ] && break; sleep 0.5; done
is "$(vol_status "$vol")" in-use "data volume attached to $s"
diag "boot from volume + attach: $(since "$t0") s"
root=$(nova GET "/servers/$s/os-volume_attachments" | body | jq -r --arg v "$vol" '.volumeAttachments[]|select(.volumeId!=$v).volumeId')
before=$(rbd_disks node02 "$s")
is "$before" "vda volumes/volume-$root
vdb volumes/volume-$vol" "the guest's root and data disks are RBD network disks on node02"

# --- inspect and plan say where they live
run ne inspect node02
like "$out" "vda +shared-volume .*rbd:volumes/volume-$root" "inspect: vda shared, rbd:volumes/volume-<root>"
like "$out" "vdb +shared-volume .*rbd:volumes/volume-$vol" "inspect: vdb shared, rbd:volumes/volume-<data>"
run ne --format json inspect node02
is "$(printf '%s' "$out" | jq -r --arg u "$s" '.domains[]|select(.uuid==$u)|.disks[]|"\(.target) \(.class) \(.pool)/\(.image)"' 2>/dev/null)" \
    "vda shared-volume volumes/volume-$root
vdb shared-volume volumes/volume-$vol" "inspect --format json: pool and image of both disks"
run ne plan node02 --to node01
like "$out" "$s +running +live +[0-9]+ +node01" "plan: live to node01"
like "$out" "vda rbd:volumes/volume-$root, vdb rbd:volumes/volume-$vol: network disks, not copied" \
    "plan: names both RBD disks, not copied"
run ne --format json plan node02 --to node01
is "$(printf '%s' "$out" | jq -r --arg u "$s" '.instances[]|select(.uuid==$u)|.network_disks[]|"\(.target) \(.pool)/\(.image)"' 2>/dev/null)" \
    "vda volumes/volume-$root
vdb volumes/volume-$vol" "plan --format json: network_disks with pool and image"

# --- checksums through librbd, the drain, checksums again
t0=$(now)
sums() { # both images at once: "ROOTSUM DATASUM"
    sum_of "volumes/volume-$root" >"$tmp/s1" & sum_of "volumes/volume-$vol" >"$tmp/s2"; wait
    echo "$(cat "$tmp/s1") $(cat "$tmp/s2")"
}
read -r sum_root sum_data <<<"$(sums)"
diag "sha256 of 2 x 1 GiB through librbd: $(since "$t0") s"
is "${#sum_root} ${#sum_data}" "64 64" "both images read through librbd (rbd export)"
t0=$(now)
run ne --format json drain node02 --to node01 --reason "$id"
is "$rc" 0 "drain node02 --to node01 exits 0"
diag "drain: $(since "$t0") s"
ev() { # the last JSON event $1 of the guest (stdout and stderr are mixed in $out)
    printf '%s\n' "$out" | jq -Rrc --arg u "$s" --arg e "$1" 'fromjson? | select(.uuid==$u and .event==$e)' | tail -1
}
is "$(ev planned | jq -r .method)" live "planned: live"
is "$(ev migrating | jq -r .method)" live "migrating: live"
moved=$(ev moved)
is "$(printf '%s' "$moved" | jq -r .dest 2>/dev/null)" node01 "moved to node01"
is "$(printf '%s' "$moved" | jq -r .disk_bytes 2>/dev/null)" 0 "0 disk bytes copied"
diag "moved event: $moved"
read -r after_root after_data <<<"$(sums)"
is "$after_root" "$sum_root" "root volume's data unchanged (sha256 through librbd)"
is "$after_data" "$sum_data" "data volume's data unchanged (sha256 through librbd)"
is "$(on_node node01 "$s")" running "libvirt: the guest runs on node01"
is "$(on_node node02 "$s")" "" "libvirt: gone from node02"
is "$(rbd_disks node01 "$s")" "$before" "the same RBD disks on node01"
is "$(nova GET "/servers/$s" | body | jq -r '.server | "\(.status) \(."OS-EXT-SRV-ATTR:host")"')" "ACTIVE node01" \
    "Nova: ACTIVE on node01"
is "$(vol_status "$root") $(vol_status "$vol")" "in-use in-use" "Cinder: both volumes still in-use"
is "$(cinder GET "/attachments?instance_id=$s" | body | jq -r '[.attachments[]|select(.status=="attached")]|length')" 2 \
    "Cinder: both attachments attached"
run ne undrain node02
is "$rc" 0 "undrain node02"
done_testing
