#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# volume-sync-cinder.t: volume-sync's Cinder side on the mini-cloud's two Cinders
# (tests/lab/cinder.sh: RegionOne's, backend ceph-a on cluster A; and RegionTwo's, started
# here with `cinder.sh region2-up`: host cinder2, backend ceph-b2 on cluster B, pool
# volumes2). The source is a RegionOne volume id (resolved through Cinder's host@backend
# and the [cinder:BACKEND] section to cluster a, pool volumes); the verified copy in
# b/volumes2 is registered with --to-region RegionTwo (manage existing on
# cinder2@ceph-b2#ceph-b2) and must be a new available volume of RegionTwo's Cinder (and
# not of RegionOne's) with the source's name, description, size and metadata, of type
# ceph-b2, whose data read through librbd equals the source's. Errors: an unknown volume
# id, a backend without a [cinder:...] section, --to-region without a host for the
# destination pool, a region without Cinder, a volume type the destination's Cinder does
# not have (the source's, or --volume-type's): exit 2, nothing made.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
need_openstack
CINDER=$top_srcdir/tests/lab/cinder.sh
why=$("$CINDER" check 2>&1) || skip_all "Cinder: ${why:-not usable} (tests/lab/cinder.sh up)"
why=$("$CINDER" region2-up 2>&1) || skip_all "RegionTwo's Cinder did not start (tests/lab/cinder.sh region2-up): $(printf '%s' "$why" | tail -1)"
eval "$("$CINDER" env)"
"$NOVA_EVAC" volume-sync --help 2>&1 | grep -q -- --to-region || skip_all "volume-sync has no --to-region"
. "$top_srcdir/tests/lab/os/api.sh"
TOK=$(token)
[ -n "$TOK" ] || skip_all "no admin token from the lab Keystone"
PROJ=$(curl -sf -H "X-Auth-Token: $TOK" -H "X-Subject-Token: $TOK" "$KS/auth/tokens" | jq -r .token.project.id)
cinder() { _authed "$CINDER_URL/$PROJ" "OpenStack-API-Version: volume 3.16" "$@"; }
cinder2() { _authed "$CINDER2_URL/$PROJ" "OpenStack-API-Version: volume 3.16" "$@"; }
vol_get() { cinder GET "/volumes/$1" | body; }
vol2_get() { cinder2 GET "/volumes/$1" | body; }
RB() { timeout 60 rbd -c "$CEPH_B_CONF" --id "$CEPH_B_USER" "$@"; }
id=$(uniq_id)
tmp=$(mktemp -d)
cleanup() { # RegionTwo's copy (Cinder deletes its image), the source, a copy never registered
    local v
    for v in $(cat "$tmp/volumes2" 2>/dev/null); do cinder2 DELETE "/volumes/$v" >/dev/null 2>&1; done
    for v in $(cat "$tmp/volumes" 2>/dev/null); do
        cinder DELETE "/volumes/$v" >/dev/null 2>&1
        if RB info "$CINDER2_POOL/migrated-volume-$v" >/dev/null 2>&1; then
            RB snap purge "$CINDER2_POOL/migrated-volume-$v" >/dev/null 2>&1
            RB rm --no-progress "$CINDER2_POOL/migrated-volume-$v" >/dev/null 2>&1
        fi
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
conf() { # conf [without-SECTION]: the tool's configuration, one section left out
    printf '[DEFAULT]\nstate_dir = %s/state\n' "$tmp"
    printf '[ceph:a]\nconf = %s\nkeyring = %s\nclient = %s\n' "$CEPH_A_CONF" "$CEPH_A_USER_KEYRING" "$CEPH_A_USER"
    printf '[ceph:b]\nconf = %s\nkeyring = %s\nclient = %s\n' "$CEPH_B_CONF" "$CEPH_B_USER_KEYRING" "$CEPH_B_USER"
    [ "${1:-}" = cinder:ceph-a ] || printf '[cinder:ceph-a]\ncluster = a\npool = volumes\n'
    [ "${1:-}" = cinder:$CINDER2_TYPE ] ||
        printf '[cinder:%s]\ncluster = b\npool = %s\nhost = %s\n' "$CINDER2_TYPE" "$CINDER2_POOL" "$CINDER2_HOST"
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
run vs volume-sync "$bogus" "b/$CINDER2_POOL" --to-region RegionTwo
is "$rc" 2 "unknown volume id: exit 2"
like "$out" "no volume $bogus" "unknown volume id: named"
conf cinder:ceph-a >"$tmp/noa.conf"
CONF=$tmp/noa.conf run vs volume-sync "$src" "b/$CINDER2_POOL" --to-region RegionTwo
is "$rc" 2 "source backend without a [cinder:ceph-a] section: exit 2"
like "$out" "volume $src is on Cinder backend ceph-a.*no \[cinder:ceph-a\] section" "names the backend and the section to add"
conf "cinder:$CINDER2_TYPE" >"$tmp/nob.conf"
CONF=$tmp/nob.conf run vs volume-sync "$src" "b/$CINDER2_POOL" --to-region RegionTwo
is "$rc" 2 "--to-region without a host for b/$CINDER2_POOL: exit 2"
like "$out" "no \[cinder:BACKEND\] section .* cluster = b, pool = $CINDER2_POOL and host = .*of region RegionTwo" "says which section to add"
run vs volume-sync "$src" "b/$CINDER2_POOL" --to-region RegionThree
is "$rc" 2 "--to-region RegionThree (no volumev3 endpoint there): exit 2"
like "$out" "no volumev3 endpoint in RegionThree" "names the region without Cinder"
run vs volume-sync "$src" "b/$CINDER2_POOL" --to-region RegionTwo
is "$rc" 2 "the source's type ($CINDER_TYPE_A) unknown to RegionTwo's Cinder: exit 2, before any copy"
like "$out" "volume type $CINDER_TYPE_A \(the source volume's\) does not exist in RegionTwo's Cinder \(its types: .*$CINDER2_TYPE.*\); give --volume-type" \
    "names the type, RegionTwo's types and --volume-type"
run vs volume-sync "$src" "b/$CINDER2_POOL" --to-region RegionTwo --volume-type "no-such-$id"
is "$rc" 2 "--volume-type unknown to RegionTwo's Cinder: exit 2"
like "$out" "volume type no-such-$id does not exist in RegionTwo's Cinder" "names the type given"
is "$(RB ls "$CINDER2_POOL" | grep -c "$src" || true)" 0 \
    "the refusals made no image on cluster B"
ok "and left no journal" sh -c "! ls '$tmp/state/volume-sync/'* >/dev/null 2>&1"

# --- the copy, registered in RegionTwo's Cinder as a ceph-b2 volume (the source's type,
# ceph-a, is RegionOne's: --volume-type names RegionTwo's)
t0=$(now)
run vs --format json volume-sync "$src" "b/$CINDER2_POOL" --to-region RegionTwo --volume-type "$CINDER2_TYPE"
is "$rc" 0 "volume-sync VOLUME-ID b/$CINDER2_POOL --to-region RegionTwo exits 0"
diag "volume-sync + manage: $(since "$t0") s"
reg=$(printf '%s\n' "$out" | jq -Rc 'fromjson? | select(.event=="registered")' | tail -1)
diag "registered event: $reg"
new=$(printf '%s' "$reg" | jq -r .volume 2>/dev/null)
[ -n "$new" ] && [ "$new" != null ] && echo "$new" >>"$tmp/volumes2"
ok "a new volume id in the registered event" test -n "$new" -a "$new" != null -a "$new" != "$src"
is "$(printf '%s' "$reg" | jq -r '"\(.region) \(.host)"')" "RegionTwo $CINDER2_HOST" "the event names RegionTwo and its manage host"
is "$(cinder GET "/volumes/$new" | code)" 404 "RegionOne's Cinder does not have it"
v=$(vol2_get "$new")
is "$(printf '%s' "$v" | jq -r .volume.status)" available "new volume available"
is "$(printf '%s' "$v" | jq -r .volume.name)" "$id" "new volume has the source's name"
is "$(printf '%s' "$v" | jq -r .volume.description)" "orders of $id" "and its description"
is "$(printf '%s' "$v" | jq -r .volume.size)" 1 "and its size (GiB)"
is "$(printf '%s' "$v" | jq -cS .volume.metadata)" '{"team":"shop","tier":"gold"}' "and its metadata"
is "$(printf '%s' "$v" | jq -r .volume.volume_type)" "$CINDER2_TYPE" "of type $CINDER2_TYPE (RegionTwo's)"
is "$(printf '%s' "$v" | jq -r '.volume."os-vol-host-attr:host"')" "$CINDER2_HOST" "on RegionTwo's host and backend"
is "$(sum_of "$CEPH_B_CONF" "$CEPH_B_USER" "$CINDER2_POOL/volume-$new")" "$sum_src" \
    "its data through librbd (cluster B, pool $CINDER2_POOL) equals the source's"
is "$(RB snap ls "$CINDER2_POOL/volume-$new" | grep -c . || true)" 0 \
    "no temporary snapshot left on the copy"
is "$(timeout 30 rbd -c "$CEPH_A_CONF" --id "$CEPH_A_USER" snap ls "volumes/volume-$src" | grep -c . || true)" 0 \
    "no temporary snapshot left on the source"
is "$(vol_get "$src" | jq -r .volume.status)" available "the source volume is untouched (available)"
done_testing
