#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# volume-sync-live.t: issue 15's acceptance for a volume in use by a running guest. A
# 1 GiB Cinder volume (backend ceph-a, cluster A; name, description, metadata; 128 MiB
# of random data at 128 MiB written through librbd so that round 0 has work) is attached
# through Nova to a running Linux guest of the network lab (tests/lab/net.sh: nel-guest,
# flavor nel.guest) whose user_data asks for a writer: the guest writes 256 KiB blocks of
# random data into its first 64 MiB, synced, until the disk is gone. The destination
# region is RegionTwo's own Cinder (`tests/lab/cinder.sh region2-up`: host cinder2,
# backend ceph-b2 on cluster B, pool volumes2, its volumev3 endpoint in RegionTwo). First,
# --to-region RegionThree (a region with no volumev3 endpoint) is refused: exit 2, the
# region named, nothing changed, the volume still attached. Then, while the guest writes,
# `volume-sync VOLUME-ID b/volumes2 --detach --to-region RegionTwo --volume-type ceph-b2`
# copies it in rounds (round 1 and the final round must copy > 0 bytes: the guest wrote),
# Nova detaches the volume from the running guest (a hot-unplug the guest acks; its
# writer then stops, and the guest keeps running), the last delta is copied and verified,
# and the copy is registered in RegionTwo's Cinder (manage existing on
# cinder2@ceph-b2#ceph-b2). Then: the source is available and detached, the new volume is
# in RegionTwo's Cinder (not RegionOne's), available, with the source's name,
# description, size and metadata, on RegionTwo's host; its data read through librbd
# equals the source's (the source no longer changes: its head is the final snapshot),
# and no nova-evac-sync snapshot or journal is left.
# The cut-over time (detach to verified) is printed, not asserted.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
need_lab
need_openstack
[ "${NOVA_EVAC_OS_MODE:-}" = libvirt ] || skip_all "the OpenStack lab is not in libvirt mode"
CINDER=$top_srcdir/tests/lab/cinder.sh
why=$("$CINDER" check 2>&1) || skip_all "Cinder: ${why:-not usable} (tests/lab/cinder.sh up)"
NET=$top_srcdir/tests/lab/net.sh
why=$("$NET" check 2>&1) || skip_all "network lab: ${why:-not usable} (tests/lab/net.sh up)"
why=$("$CINDER" region2-up 2>&1) || skip_all "RegionTwo's Cinder did not start (tests/lab/cinder.sh region2-up): $(printf '%s' "$why" | tail -1)"
eval "$("$CINDER" env)"
eval "$("$NET" env)"
[ -n "$NEL_NET1" ] && [ -n "$NEL_IMAGE" ] || skip_all "network lab: no nel-net1 or nel-guest image (tests/lab/net.sh up)"
/usr/bin/python3 -c 'import rados, rbd' 2>/dev/null || skip_all "python3-rbd is not installed"
"$NOVA_EVAC" volume-sync --help 2>&1 | grep -q -- --detach || skip_all "volume-sync has no --detach"
. "$top_srcdir/tests/lab/os/api.sh"
TOK=$(token)
[ -n "$TOK" ] || skip_all "no admin token from the lab Keystone"
PROJ=$(curl -sf -H "X-Auth-Token: $TOK" -H "X-Subject-Token: $TOK" "$KS/auth/tokens" | jq -r .token.project.id)
cinder() { _authed "$CINDER_URL/$PROJ" "OpenStack-API-Version: volume 3.16" "$@"; }
cinder2() { _authed "$CINDER2_URL/$PROJ" "OpenStack-API-Version: volume 3.16" "$@"; }
NEUTRON=http://127.0.0.1:9696
neutron() { _authed "$NEUTRON" "" "$@"; }
vol_get() { cinder GET "/volumes/$1" | body; }
vol_status() { vol_get "$1" | jq -r .volume.status; }
console() { console_of "$1" 200; } # the guest's serial console (tests/lib.sh)
RA() { timeout 120 rbd -c "$CEPH_A_CONF" --id "$CEPH_A_USER" "$@"; }
RB() { timeout 120 rbd -c "$CEPH_B_CONF" --id "$CEPH_B_USER" "$@"; }
sum_of() { R"$1" export --no-progress "$2" - 2>/dev/null | sha256sum | cut -c1-64; }
snaps() { R"$1" snap ls "$2" 2>/dev/null | grep -c nova-evac-sync || true; }
id=$(uniq_id)
name=livedetach-$id
tmp=$(mktemp -d)
cleanup() { # the server (and its ports), the volumes (both regions), a copy never registered
    local s p v
    trap - EXIT
    for s in $(cat "$tmp/servers" 2>/dev/null); do nova DELETE "/servers/$s" >/dev/null 2>&1; done
    for s in $(cat "$tmp/servers" 2>/dev/null); do
        for _ in $(seq 240); do [ "$(nova GET "/servers/$s" | code)" = 404 ] && break; sleep 0.5; done
        for p in $(neutron GET "/v2.0/ports?device_id=$s" | body | jq -r '.ports[].id' 2>/dev/null); do
            neutron DELETE "/v2.0/ports/$p" >/dev/null 2>&1
        done
    done
    for v in $(cat "$tmp/volumes2" 2>/dev/null); do cinder2 DELETE "/volumes/$v" >/dev/null 2>&1; done
    for v in $(cat "$tmp/volumes" 2>/dev/null); do
        for _ in $(seq 60); do [ "$(vol_status "$v")" = in-use ] || break; sleep 0.5; done
        cinder DELETE "/volumes/$v" >/dev/null 2>&1
    done
    for v in $(cat "$tmp/volumes" 2>/dev/null); do
        if RB info "$CINDER2_POOL/migrated-volume-$v" >/dev/null 2>&1; then
            RB snap purge "$CINDER2_POOL/migrated-volume-$v" >/dev/null 2>&1
            RB rm --no-progress "$CINDER2_POOL/migrated-volume-$v" >/dev/null 2>&1
        fi
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
{
    printf '[DEFAULT]\nstate_dir = %s/state\n' "$tmp"
    printf '[ceph:a]\nconf = %s\nkeyring = %s\nclient = %s\n' "$CEPH_A_CONF" "$CEPH_A_USER_KEYRING" "$CEPH_A_USER"
    printf '[ceph:b]\nconf = %s\nkeyring = %s\nclient = %s\n' "$CEPH_B_CONF" "$CEPH_B_USER_KEYRING" "$CEPH_B_USER"
    printf '[cinder:ceph-a]\ncluster = a\npool = volumes\n'
    printf '[cinder:%s]\ncluster = b\npool = %s\nhost = %s\n' "$CINDER2_TYPE" "$CINDER2_POOL" "$CINDER2_HOST"
} >"$tmp/ne.conf"
vs() { NOVA_EVAC_CONFIG=$tmp/ne.conf "$NOVA_EVAC" "$@"; }
journals() { find "$tmp/state" -path '*volume-sync*' -type f 2>/dev/null | wc -l; }

# --- the source volume, and the guest (booting meanwhile)
t0=$(now)
r=$(cinder POST /volumes "{\"volume\":{\"size\":1,\"name\":\"$name\",\"description\":\"live data of $id\",
  \"volume_type\":\"$CINDER_TYPE_A\",\"metadata\":{\"app\":\"livedetach\",\"tier\":\"gold\"}}}" | body)
vol=$(printf '%s' "$r" | jq -r .volume.id)
[ -n "$vol" ] && [ "$vol" != null ] || skip_all "Cinder refused a volume: $(printf '%s' "$r" | head -c 200)"
echo "$vol" >>"$tmp/volumes"
fl=$(nova GET /flavors | body | jq -r '.flavors[]|select(.name=="nel.guest").id')
ud=$(printf 'nel-writer /dev/vdb\n' | base64 -w0)
r=$(nova POST /servers "{\"server\":{\"name\":\"$name\",\"flavorRef\":\"$fl\",\"imageRef\":\"$NEL_IMAGE\",
  \"networks\":[{\"uuid\":\"$NEL_NET1\"}],\"user_data\":\"$ud\"}}" | body)
srv=$(printf '%s' "$r" | jq -r .server.id)
[ -n "$srv" ] && [ "$srv" != null ] || skip_all "Nova refused a server: $(printf '%s' "$r" | head -c 200)"
echo "$srv" >>"$tmp/servers"
for _ in $(seq 120); do [ "$(vol_status "$vol")" = available ] && break; sleep 0.5; done
is "$(vol_status "$vol")" available "volume $vol available"
ok "128 MiB of random data written into volume-$vol through librbd" /usr/bin/python3 - "$CEPH_A_CONF" "$CEPH_A_USER" "volume-$vol" <<'PY'
import os, sys, rados, rbd
conf, user, name = sys.argv[1:]
with rados.Rados(conffile=conf, rados_id=user) as c, c.open_ioctx('volumes') as io, rbd.Image(io, name) as im:
    for i in range(32):
        im.write(os.urandom(4 << 20), (128 << 20) + (i << 22))
PY
wait_srv "$srv" '.status=="ACTIVE" or .status=="ERROR"' 240 >/dev/null
is "$(srv "$srv" | cut -d' ' -f1)" ACTIVE "nel-guest server $name ACTIVE"
host=$(srv "$srv" | cut -d' ' -f4)
nova POST "/servers/$srv/os-volume_attachments" "{\"volumeAttachment\":{\"volumeId\":\"$vol\"}}" >/dev/null
for _ in $(seq 120); do [ "$(vol_status "$vol")" = in-use ] && break; sleep 0.5; done
is "$(vol_status "$vol")" in-use "volume attached to the running guest (on $host)"
for _ in $(seq 120); do console "$srv" | grep -q 'NEL-WRITER /dev/vdb up' && break; sleep 1; done
like "$(console "$srv")" "NEL-WRITER /dev/vdb up" "the guest sees the disk and writes to it"
diag "volume, guest, attach, writer up: $(since "$t0") s"

# --- a destination region without Cinder (RegionThree: no volumev3 endpoint): refused
run vs volume-sync "$vol" "b/$CINDER2_POOL" --detach --to-region RegionThree
is "$rc" 2 "--to-region RegionThree (no Cinder there): exit 2"
like "$out" "no volumev3 endpoint in RegionThree" "names the region without Cinder"
is "$(RB ls "$CINDER2_POOL" | grep -c "migrated-volume-$vol" || true) $(snaps A "volumes/volume-$vol") $(journals) $(vol_status "$vol")" \
    "0 0 0 in-use" "refused: nothing changed, still attached"
sleep 2   # the writer goes on

# --- the copy while the guest writes; --detach cut-over; registered in RegionTwo
t0=$(now)
# --max-final-bytes 16M: while the guest's librbd holds the image (the lock owner), each
# snapshot costs 0.2-0.5 s (measured), and the guest writes through it: a round's delta
# does not shrink below what the guest writes in about a second (measured 4.5-5 MiB)
run vs --format json volume-sync "$vol" "b/$CINDER2_POOL" --detach --max-final-bytes 16M \
    --to-region RegionTwo --volume-type "$CINDER2_TYPE"
is "$rc" 0 "volume-sync VOLUME-ID b/$CINDER2_POOL --detach --to-region RegionTwo exits 0"
diag "volume-sync --detach --to-region: $(since "$t0") s"
printf '%s\n' "$out" | sed 's/^/#   /'
rounds=$(printf '%s\n' "$out" | jq -Rc 'fromjson? | select(.round != null)')
diag "rounds: $(printf '%s\n' "$rounds" | jq -r '"\(.round):\(.bytes)B/\(.seconds|.*100|floor/100)s"' | tr '\n' ' ')"
ok "at least one incremental round before the final one" \
    test "$(printf '%s\n' "$rounds" | jq -s '[.[] | select(.final == false and .round > 0)] | length')" -ge 1
ok "round 1 copied > 0 bytes (the guest wrote during round 0)" \
    test "$(printf '%s\n' "$rounds" | jq -s '[.[] | select(.round == 1)][0].bytes // 0')" -gt 0
ok "the final round copied > 0 bytes (the guest wrote until the detach)" \
    test "$(printf '%s\n' "$rounds" | jq -s '[.[] | select(.final)][0].bytes // 0')" -gt 0
ok "the rounds converged (no 'does not shrink' warning)" \
    sh -c '! printf "%s\n" "$1" | grep -q "does not shrink"' _ "$out"
is "$(printf '%s\n' "$rounds" | jq -s '[.[] | select(.final)] | length')" 1 "one final round"
like "$out" "detaching volume $vol from server $srv" "Nova detached the volume before the last round"
done_line=$(printf '%s\n' "$out" | jq -Rc 'fromjson? | select(.result != null)')
is "$(printf '%s' "$done_line" | jq -r '"\(.result) \(.verified)"')" "done true" "result: done, verified"
diag "cut-over (detach to verified): $(printf '%s' "$done_line" | jq -r '.cutover_seconds // 0 | .*100 | floor / 100') s"
reg=$(printf '%s\n' "$out" | jq -Rc 'fromjson? | select(.event=="registered")' | tail -1)
new=$(printf '%s' "$reg" | jq -r .volume 2>/dev/null)
[ -n "$new" ] && [ "$new" != null ] && echo "$new" >>"$tmp/volumes2"
ok "a new volume id in the registered event" test -n "$new" -a "$new" != null -a "$new" != "$vol"
is "$(printf '%s' "$reg" | jq -r .region)" RegionTwo "registered in RegionTwo"

# --- the guest, the source, the copy
for _ in $(seq 30); do console "$srv" | grep -q 'NEL-WRITER /dev/vdb stopped' && break; sleep 1; done
w=$(console "$srv" | sed -n 's/.*NEL-WRITER \/dev\/vdb stopped writes=\([0-9]*\).*/\1/p' | tail -1)
diag "guest writer: ${w:-?} writes of 256 KiB before the unplug"
ok "the guest lost the disk (hot-unplug) and its writer stopped after > 0 writes" test "${w:-0}" -gt 0
is "$(srv "$srv" | cut -d' ' -f1)" ACTIVE "the guest still runs"
is "$(vol_status "$vol")" available "the source volume is available"
is "$(nova GET "/servers/$srv/os-volume_attachments" | body | jq -r '.volumeAttachments | length')" 0 \
    "Nova: the server has no attachment left"
is "$(cinder GET "/volumes/$new" | code)" 404 "RegionOne's Cinder does not have the new volume"
v=$(cinder2 GET "/volumes/$new" | body)
is "$(printf '%s' "$v" | jq -r .volume.status)" available "new volume available in RegionTwo's Cinder"
is "$(printf '%s' "$v" | jq -r .volume.name)" "$name" "new volume has the source's name"
is "$(printf '%s' "$v" | jq -r .volume.description)" "live data of $id" "and its description"
is "$(printf '%s' "$v" | jq -r .volume.size)" 1 "and its size (GiB)"
is "$(printf '%s' "$v" | jq -cS .volume.metadata)" '{"app":"livedetach","tier":"gold"}' "and its metadata"
is "$(printf '%s' "$v" | jq -r '.volume."os-vol-host-attr:host"')" "$CINDER2_HOST" "on RegionTwo's host (backend $CINDER2_TYPE, cluster B)"
sum=$(sum_of A "volumes/volume-$vol")
is "$(sum_of B "$CINDER2_POOL/volume-$new")" "$sum" "its data through librbd equals the source's (the final snapshot)"
is "$(snaps A "volumes/volume-$vol") $(snaps B "$CINDER2_POOL/volume-$new") $(journals)" "0 0 0" \
    "no nova-evac-sync snapshot left on either side, no journal"
done_testing
