#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# volume-sync-cinder.t: volume-sync's Cinder side on the mini-cloud's Cinder
# (tests/lab/cinder.sh: backends ceph-a on cluster A and ceph-b on cluster B). The source is
# a Cinder volume id (resolved through Cinder's host@backend and the [cinder:BACKEND]
# section to cluster a, pool volumes); the verified copy on cluster B is registered with
# --to-region (manage existing) and must be a new available volume with the source's
# name, description, size and metadata, of type ceph-b, whose data read through librbd
# equals the source's. Errors: an unknown volume id, a backend without a [cinder:...]
# section, --to-region without a host for the destination pool: exit 2, nothing made.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
need_openstack
CINDER=$top_srcdir/tests/lab/cinder.sh
why=$("$CINDER" check 2>&1) || skip_all "Cinder: ${why:-not usable} (tests/lab/cinder.sh up)"
eval "$("$CINDER" env)"
"$NOVA_EVAC" volume-sync --help 2>&1 | grep -q -- --to-region || skip_all "volume-sync has no --to-region"
. "$top_srcdir/tests/lab/os/api.sh"
TOK=$(token)
[ -n "$TOK" ] || skip_all "no admin token from the lab Keystone"
PROJ=$(curl -sf -H "X-Auth-Token: $TOK" -H "X-Subject-Token: $TOK" "$KS/auth/tokens" | jq -r .token.project.id)
cinder() { _authed "$CINDER_URL/$PROJ" "OpenStack-API-Version: volume 3.16" "$@"; }
vol_get() { cinder GET "/volumes/$1" | body; }
id=$(uniq_id)
tmp=$(mktemp -d)
cleanup() {
    local v
    for v in $(cat "$tmp/volumes" 2>/dev/null); do cinder DELETE "/volumes/$v" >/dev/null 2>&1; done
    rm -rf "$tmp"
}
trap cleanup EXIT
conf() { # conf [without-SECTION]: the tool's configuration, one section left out
    printf '[DEFAULT]\nstate_dir = %s/state\n' "$tmp"
    printf '[ceph:a]\nconf = %s\nkeyring = %s\nclient = %s\n' "$CEPH_A_CONF" "$CEPH_A_USER_KEYRING" "$CEPH_A_USER"
    printf '[ceph:b]\nconf = %s\nkeyring = %s\nclient = %s\n' "$CEPH_B_CONF" "$CEPH_B_USER_KEYRING" "$CEPH_B_USER"
    [ "${1:-}" = cinder:ceph-a ] || printf '[cinder:ceph-a]\ncluster = a\npool = volumes\n'
    [ "${1:-}" = cinder:ceph-b ] || printf '[cinder:ceph-b]\ncluster = b\npool = volumes\nhost = cinder-lab@ceph-b#ceph-b\n'
}
conf >"$tmp/ne.conf"
vs() { NOVA_EVAC_CONFIG=${CONF:-$tmp/ne.conf} "$NOVA_EVAC" "$@"; }
sum_of() { # sum_of CONF USER POOL/IMAGE: sha256 of the image read through librbd
    timeout 120 rbd -c "$1" --id "$2" export "$3" - 2>/dev/null | sha256sum | cut -c1-64
}

# --- the source: 1 GiB on ceph-a, name, description, metadata, random data in two places
r=$(cinder POST /volumes "{\"volume\":{\"size\":1,\"name\":\"$id\",\"description\":\"orders of $id\",
  \"volume_type\":\"$CINDER_TYPE_A\",\"metadata\":{\"team\":\"shop\",\"tier\":\"gold\"}}}" | body)
src=$(printf '%s' "$r" | jq -r .volume.id)
[ -n "$src" ] && [ "$src" != null ] || skip_all "Cinder refused a volume: $(printf '%s' "$r" | head -c 200)"
echo "$src" >>"$tmp/volumes"
for _ in $(seq 120); do [ "$(vol_get "$src" | jq -r .volume.status)" = available ] && break; sleep 0.5; done
is "$(vol_get "$src" | jq -r .volume.status)" available "source volume available"
head -c 6291456 /dev/urandom >"$tmp/a.bin"; head -c 524288 /dev/urandom >"$tmp/b.bin"
ok "random data written into the source through librbd" /usr/bin/python3 - "$CEPH_A_CONF" "$CEPH_A_USER" "volume-$src" "$tmp/a.bin" "$tmp/b.bin" <<'EOF'
import sys, rados, rbd
conf, user, name, a, b = sys.argv[1:]
with rados.Rados(conffile=conf, rados_id=user) as c, c.open_ioctx('volumes') as io, rbd.Image(io, name) as im:
    im.write(open(a, 'rb').read(), 4 << 20)
    im.write(open(b, 'rb').read(), 900 << 20)
EOF
sum_src=$(sum_of "$CEPH_A_CONF" "$CEPH_A_USER" "volumes/volume-$src")

# --- errors first: nothing is made
bogus=$(new_uuid)
run vs volume-sync "$bogus" b/volumes --to-region RegionOne
is "$rc" 2 "unknown volume id: exit 2"
like "$out" "no volume $bogus" "unknown volume id: named"
conf cinder:ceph-a >"$tmp/noa.conf"
CONF=$tmp/noa.conf run vs volume-sync "$src" b/volumes --to-region RegionOne
is "$rc" 2 "source backend without a [cinder:ceph-a] section: exit 2"
like "$out" "volume $src is on Cinder backend ceph-a.*no \[cinder:ceph-a\] section" "names the backend and the section to add"
conf cinder:ceph-b >"$tmp/nob.conf"
CONF=$tmp/nob.conf run vs volume-sync "$src" b/volumes --to-region RegionOne
is "$rc" 2 "--to-region without a host for b/volumes: exit 2"
like "$out" "no \[cinder:BACKEND\] section .* cluster = b, pool = volumes and host =" "says which section to add"
is "$(timeout 30 rbd -c "$CEPH_B_CONF" --id "$CEPH_B_USER" ls volumes | grep -c "$src" || true)" 0 \
    "the refusals made no image on cluster B"

# --- the copy, registered in RegionOne's Cinder as a ceph-b volume
t0=$(now)
run vs --format json volume-sync "$src" b/volumes --to-region RegionOne --volume-type "$CINDER_TYPE_B"
is "$rc" 0 "volume-sync VOLUME-ID b/volumes --to-region RegionOne exits 0"
diag "volume-sync + manage: $(since "$t0") s"
reg=$(printf '%s\n' "$out" | jq -Rc 'fromjson? | select(.event=="registered")' | tail -1)
diag "registered event: $reg"
new=$(printf '%s' "$reg" | jq -r .volume 2>/dev/null)
[ -n "$new" ] && [ "$new" != null ] && echo "$new" >>"$tmp/volumes"
ok "a new volume id in the registered event" test -n "$new" -a "$new" != null -a "$new" != "$src"
v=$(vol_get "$new")
is "$(printf '%s' "$v" | jq -r .volume.status)" available "new volume available"
is "$(printf '%s' "$v" | jq -r .volume.name)" "$id" "new volume has the source's name"
is "$(printf '%s' "$v" | jq -r .volume.description)" "orders of $id" "and its description"
is "$(printf '%s' "$v" | jq -r .volume.size)" 1 "and its size (GiB)"
is "$(printf '%s' "$v" | jq -cS .volume.metadata)" '{"team":"shop","tier":"gold"}' "and its metadata"
is "$(printf '%s' "$v" | jq -r .volume.volume_type)" "$CINDER_TYPE_B" "of type $CINDER_TYPE_B"
is "$(printf '%s' "$v" | jq -r '.volume."os-vol-host-attr:host"')" "cinder-lab@ceph-b#ceph-b" "on backend ceph-b"
is "$(sum_of "$CEPH_B_CONF" "$CEPH_B_USER" "volumes/volume-$new")" "$sum_src" \
    "its data through librbd (cluster B) equals the source's"
is "$(timeout 30 rbd -c "$CEPH_B_CONF" --id "$CEPH_B_USER" snap ls "volumes/volume-$new" | grep -c . || true)" 0 \
    "no temporary snapshot left on the copy"
is "$(timeout 30 rbd -c "$CEPH_A_CONF" --id "$CEPH_A_USER" snap ls "volumes/volume-$src" | grep -c . || true)" 0 \
    "no temporary snapshot left on the source"
is "$(vol_get "$src" | jq -r .volume.status)" available "the source volume is untouched (available)"
done_testing
