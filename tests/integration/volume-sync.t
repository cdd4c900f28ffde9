#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# volume-sync.t: issue 15's acceptance for `volume-sync` on the lab's two Ceph clusters
# (tests/lab/ceph.sh; cluster A holds the source, B the copy). A 1 GiB image on A gets
# 192 MiB of random data, then a writer process keeps writing 1 MiB blocks of random data
# into it through librbd (it holds the image open: a watcher, as a guest would).
# - Refusals, each exit 2 or 3 with one message naming the cause, and nothing changed (no
#   image on B, no snapshot on A, no journal): a cluster name without a [ceph:...] section,
#   a keyring that does not exist, a destination image that already exists, the image in
#   use without --cutover-hook.
# - The copy is killed (SIGKILL, NOVA_EVAC_FAULT=volsync:copy#49) in the middle of round 1,
#   with the writer still writing; the same command again resumes after round 0 (the
#   snapshot both sides share), its rounds shrink and cut over under --max-final-bytes; the
#   hook stops the writer; the copy is verified, equals the source (sha256 of `rbd export`),
#   and no nova-evac-sync snapshot is left on either side. The resumed run first waits for
#   the killed run's watch on the copy to expire (its exclusive lock refuses the rollback).
# - With Cinder (tests/lab/cinder.sh) and Nova in libvirt mode: a Cinder volume attached to
#   a running server is refused without --detach or a hook (exit 3, the server and --detach
#   named, nothing changed). The server is then stopped and the volume copied with
#   --detach: Nova detaches it before the last round (a stopped guest: the lab's guests
#   cannot hot-unplug a disk), the volume is available, the copy equals it, no snapshot left.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
CEPH=$top_srcdir/tests/lab/ceph.sh
why=$("$CEPH" check 2>&1) || skip_all "Ceph: ${why:-not usable} (tests/lab/ceph.sh up)"
eval "$("$CEPH" env)"
/usr/bin/python3 -c 'import rados, rbd' 2>/dev/null || skip_all "python3-rbd is not installed"
"$NOVA_EVAC" volume-sync --help 2>&1 | grep -q -- --cutover-hook || skip_all "no volume-sync"
id=$(uniq_id)
img=$id-src
tmp=$(mktemp -d)
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.2f", b-a}'; }
RA() { timeout 120 rbd -c "$CEPH_A_CONF" --id "$CEPH_A_USER" "$@"; }
RB() { timeout 120 rbd -c "$CEPH_B_CONF" --id "$CEPH_B_USER" "$@"; }
wpid=
stop_writer() { # the writer exits on SIGTERM after its current write, then writes "stopped"
    [ -n "$wpid" ] || return 0
    kill -TERM "$wpid" 2>/dev/null
    wait "$wpid" 2>/dev/null
    wpid=
}
cleanup() {
    local v s
    trap - EXIT
    stop_writer
    for s in $(cat "$tmp/servers" 2>/dev/null); do nova DELETE "/servers/$s" >/dev/null 2>&1; done
    for s in $(cat "$tmp/servers" 2>/dev/null); do
        for _ in $(seq 120); do [ "$(nova GET "/servers/$s" | code)" = 404 ] && break; sleep 0.5; done
    done
    for v in $(cat "$tmp/volumes" 2>/dev/null); do
        for _ in $(seq 60); do [ "$(vol_status "$v")" = in-use ] || break; sleep 0.5; done
        cinder DELETE "/volumes/$v" >/dev/null 2>&1
    done
    while read -r c v; do # CLUSTER POOL/IMAGE, made here
        R"$c" snap purge "$v" >/dev/null 2>&1
        R"$c" rm --no-progress "$v" >/dev/null 2>&1
    done <"$tmp/images"
    rm -rf "$tmp"
}
trap cleanup EXIT
mkimg() { # mkimg A|B POOL/IMAGE SIZE: made here, removed by cleanup
    echo "$1 $2" >>"$tmp/images"
    R"$1" create --size "$3" --image-feature layering,exclusive-lock,object-map,fast-diff "$2"
}
conf() { # conf [KEYRING-OF-B]: the tool's configuration
    printf '[DEFAULT]\nstate_dir = %s/state\n' "$tmp"
    printf '[ceph:a]\nconf = %s\nkeyring = %s\nclient = %s\n' "$CEPH_A_CONF" "$CEPH_A_USER_KEYRING" "$CEPH_A_USER"
    printf '[ceph:b]\nconf = %s\nkeyring = %s\nclient = %s\n' "$CEPH_B_CONF" "${1:-$CEPH_B_USER_KEYRING}" "$CEPH_B_USER"
    printf '[cinder:ceph-a]\ncluster = a\npool = volumes\n'
}
conf >"$tmp/ne.conf"
vs() { NOVA_EVAC_CONFIG=${CONF:-$tmp/ne.conf} "$NOVA_EVAC" "$@"; }
sum_of() { # sum_of A|B POOL/IMAGE[@SNAP]: sha256 of the image read through librbd
    R"$1" export --no-progress "$2" - 2>/dev/null | sha256sum | cut -c1-64
}
snaps() { R"$1" snap ls "$2" 2>/dev/null | grep -c nova-evac-sync || true; }
journals() { find "$tmp/state" -path '*volume-sync*' -type f 2>/dev/null | wc -l; }
unchanged() { # unchanged DESC: no copy on B, no snapshot on A, no journal
    is "$(RB ls volumes | grep -c "^$img$" || true) $(snaps A "volumes/$img") $(journals)" "0 0 0" \
        "$1: nothing changed (no image on B, no snapshot on A, no journal)"
}

# --- the source: 1 GiB, 192 MiB of random data at 0, the rest a hole
t0=$(now)
ok "1 GiB image volumes/$img on cluster A" mkimg A "volumes/$img" 1G
head -c 201326592 /dev/urandom >"$tmp/fill.bin"
ok "192 MiB of random data written through librbd" /usr/bin/python3 - "$CEPH_A_CONF" "$CEPH_A_USER" "$img" "$tmp/fill.bin" <<'EOF'
import sys, rados, rbd
conf, user, name, fill = sys.argv[1:]
with rados.Rados(conffile=conf, rados_id=user) as c, c.open_ioctx('volumes') as io, rbd.Image(io, name) as im:
    im.write(open(fill, 'rb').read(), 0)
EOF
rm -f "$tmp/fill.bin"
diag "source made: $(since "$t0") s"

# --- the writer: 1 MiB of random data every 0.4 s at a random MiB of the first 192 MiB
cat >"$tmp/writer.py" <<'EOF'
import os, random, signal, sys, time, rados, rbd
conf, user, name, state = sys.argv[1:]
stop = False
def term(*_):
    global stop
    stop = True
signal.signal(signal.SIGTERM, term)
n = 0
with rados.Rados(conffile=conf, rados_id=user) as c, c.open_ioctx('volumes') as io, rbd.Image(io, name) as im:
    while not stop:
        im.write(os.urandom(1 << 20), random.randrange(192) << 20)
        n += 1
        if n == 1:
            open(state + '.up', 'w').close()
        time.sleep(0.4)
    im.flush()
with open(state, 'w') as f:
    f.write('stopped %d\n' % n)
EOF
start_writer() {
    rm -f "$tmp/writer" "$tmp/writer.up"
    /usr/bin/python3 "$tmp/writer.py" "$CEPH_A_CONF" "$CEPH_A_USER" "$img" "$tmp/writer" &
    wpid=$!
    for _ in $(seq 100); do [ -e "$tmp/writer.up" ] && break; sleep 0.1; done
}
start_writer
ok "the writer writes (pid $wpid)" test -e "$tmp/writer.up"
like "$(RA status "volumes/$img")" "watcher=" "the source has a watcher (the writer)"

# --- refusals: nothing changes
run vs volume-sync zz/volumes/"$img" b/volumes
is "$rc" 2 "wrong cluster name: exit 2"
like "$out" "ceph cluster zz: no \[ceph:zz\] section" "wrong cluster name: named, with the section to add"
is "$(printf '%s\n' "$out" | grep -c .)" 1 "wrong cluster name: one message"
unchanged "wrong cluster name"

conf "$tmp/no-such.keyring" >"$tmp/nokey.conf"
CONF=$tmp/nokey.conf run vs volume-sync --cutover-hook true a/volumes/"$img" b/volumes
is "$rc" 2 "missing keyring: exit 2"
like "$out" "ceph cluster b: cannot read its keyring $tmp/no-such.keyring" "missing keyring: the file named"
is "$(printf '%s\n' "$out" | grep -c .)" 1 "missing keyring: one message"
unchanged "missing keyring"

run vs volume-sync a/volumes/"$img" b/volumes
is "$rc" 3 "image in use without --cutover-hook: exit 3"
like "$out" "volumes/$img: the image is in use \(1 watcher.*--cutover-hook" "in use: the watcher counted, the hook asked for"
is "$(printf '%s\n' "$out" | grep -c .)" 1 "in use: one message"
unchanged "in use without a hook"

mkimg B "volumes/$id-taken" 64M
RB bench --io-type write --io-size 1M --io-total 4M --no-progress "volumes/$id-taken" >/dev/null 2>&1
taken=$(sum_of B "volumes/$id-taken")
run vs volume-sync --cutover-hook true a/volumes/"$img" b/volumes/"$id-taken"
is "$rc" 3 "destination exists: exit 3"
like "$out" "the destination b/volumes/$id-taken already exists" "destination exists: named"
is "$(printf '%s\n' "$out" | grep -c .)" 1 "destination exists: one message"
is "$(sum_of B "volumes/$id-taken") $(snaps B "volumes/$id-taken")" "$taken 0" \
    "destination exists: its data untouched, no snapshot on it"
unchanged "destination exists"

# --- kill -9 in the middle of round 1 (round 0: 48 pieces of 4 MiB), the writer writing
echo "B volumes/$img-copy" >>"$tmp/images"
hook="kill -TERM $wpid; for i in \$(seq 100); do [ -e $tmp/writer ] && exit 0; sleep 0.1; done; exit 1"
sync_args=(--format json volume-sync --cutover-hook "$hook" --max-final-bytes 8M --max-rounds 10
           a/volumes/"$img" b/volumes/"$img-copy")
t0=$(now)
NOVA_EVAC_FAULT=volsync:copy#49 run vs "${sync_args[@]}"
is "$rc" 137 "first run killed by SIGKILL (fault volsync:copy#49)"
diag "killed run: $(since "$t0") s"
is "$(printf '%s\n' "$out" | jq -Rrc 'fromjson? | select(.round != null) | .round' | tr '\n' ' ')" "0 " \
    "the killed run finished round 0 only"
is "$(snaps A "volumes/$img") $(snaps B "volumes/$img-copy")" "2 1" \
    "after the kill: round 0's and round 1's snapshots on A, round 0's on B"
is "$(journals)" 1 "after the kill: the journal is there"
sleep 2   # the writer goes on

t0=$(now)
run vs "${sync_args[@]}"
is "$rc" 0 "second run exits 0"
diag "second run: $(since "$t0") s"
printf '%s\n' "$out" | sed 's/^/#   /'
like "$out" "resuming attempt [0-9a-f]+ after round 0" "it resumes after round 0, the shared snapshot"
rounds=$(printf '%s\n' "$out" | jq -Rc 'fromjson? | select(.round != null)')
is "$(printf '%s\n' "$rounds" | head -1 | jq -r .round)" 1 "its first round is round 1"
nonfinal=$(printf '%s\n' "$rounds" | jq -s '[.[] | select(.final == false)]')
last=$(printf '%s' "$nonfinal" | jq '.[-1]')
ok "the last incremental round predicts a final round under 8 MiB" \
    test "$(printf '%s' "$last" | jq -r .predicted_final_bytes)" -le 8388608
ok "the rounds converged (no 'does not shrink' warning)" \
    sh -c '! printf "%s\n" "$1" | grep -q "does not shrink"' _ "$out"
is "$(printf '%s\n' "$rounds" | jq -s '[.[] | select(.final)] | length')" 1 "one final round"
final=$(printf '%s\n' "$rounds" | jq -s '.[-1]')
ok "the final round copied at most 8 MiB" test "$(printf '%s' "$final" | jq -r .bytes)" -le 8388608
done_line=$(printf '%s\n' "$out" | jq -Rc 'fromjson? | select(.result != null)')
is "$(printf '%s' "$done_line" | jq -r '"\(.result) \(.verified)"')" "done true" "result: done, verified"
diag "rounds: $(printf '%s\n' "$rounds" | jq -r '"\(.round):\(.bytes)B/\(.seconds|.*100|floor/100)s"' | tr '\n' ' ')"
diag "result: $done_line"
ok "the hook stopped the writer" test -s "$tmp/writer"
stop_writer   # already stopped by the hook, unless the test failed
is "$(sum_of B "volumes/$img-copy")" "$(sum_of A "volumes/$img")" \
    "the copy on B equals the source (sha256 through librbd)"
is "$(RB info --format json "volumes/$img-copy" | jq -r .size)" 1073741824 "the copy is 1 GiB"
is "$(snaps A "volumes/$img") $(snaps B "volumes/$img-copy")" "0 0" "no temporary snapshot left on either side"
is "$(journals)" 0 "the journal is removed"

# --- a Cinder volume attached to a server
CINDER=$top_srcdir/tests/lab/cinder.sh
why=$("$CINDER" check 2>&1) || skip_all "Cinder: ${why:-not usable}: no attached-volume part"
need_openstack
[ "${NOVA_EVAC_OS_MODE:-}" = libvirt ] || skip_all "the OpenStack lab is not in libvirt mode"
eval "$("$CINDER" env)"
. "$top_srcdir/tests/lab/os/api.sh"
TOK=$(token)
[ -n "$TOK" ] || skip_all "no admin token from the lab Keystone"
PROJ=$(curl -sf -H "X-Auth-Token: $TOK" -H "X-Subject-Token: $TOK" "$KS/auth/tokens" | jq -r .token.project.id)
cinder() { _authed "$CINDER_URL/$PROJ" "OpenStack-API-Version: volume 3.16" "$@"; }
vol_status() { cinder GET "/volumes/$1" | body | jq -r .volume.status; }
fl=$(nova GET /flavors | body | jq -r '.flavors[]|select(.name=="m1.tiny").id')
gimg=$(glance GET '/v2/images?name=tiny' | body | jq -r '.images[0].id')
t0=$(now)
r=$(cinder POST /volumes "{\"volume\":{\"size\":1,\"name\":\"$id\",\"volume_type\":\"$CINDER_TYPE_A\"}}" | body)
vol=$(printf '%s' "$r" | jq -r .volume.id)
[ -n "$vol" ] && [ "$vol" != null ] || skip_all "Cinder refused a volume: $(printf '%s' "$r" | head -c 200)"
echo "$vol" >>"$tmp/volumes"
r=$(nova POST /servers "{\"server\":{\"name\":\"$id\",\"flavorRef\":\"$fl\",\"imageRef\":\"$gimg\",\"networks\":\"none\"}}" | body)
srv_id=$(printf '%s' "$r" | jq -r .server.id)
[ -n "$srv_id" ] && [ "$srv_id" != null ] || skip_all "Nova refused a server: $(printf '%s' "$r" | head -c 200)"
echo "$srv_id" >>"$tmp/servers"
for _ in $(seq 120); do [ "$(vol_status "$vol")" = available ] && break; sleep 0.5; done
ok "8 MiB of random data written into volume-$vol through librbd" /usr/bin/python3 - "$CEPH_A_CONF" "$CEPH_A_USER" "volume-$vol" <<'PY'
import os, sys, rados, rbd
conf, user, name = sys.argv[1:]
with rados.Rados(conffile=conf, rados_id=user) as c, c.open_ioctx('volumes') as io, rbd.Image(io, name) as im:
    im.write(os.urandom(8 << 20), 100 << 20)
PY
wait_srv "$srv_id" '.status=="ACTIVE" or .status=="ERROR"' 240 >/dev/null
is "$(nova GET "/servers/$srv_id" | body | jq -r .server.status)" ACTIVE "server $srv_id ACTIVE"
nova POST "/servers/$srv_id/os-volume_attachments" "{\"volumeAttachment\":{\"volumeId\":\"$vol\"}}" >/dev/null
for _ in $(seq 120); do [ "$(vol_status "$vol")" = in-use ] && break; sleep 0.5; done
is "$(vol_status "$vol")" in-use "volume attached to the running server"
diag "volume, server, attach: $(since "$t0") s"
run vs volume-sync "$vol" b/volumes/"$id-vol"
is "$rc" 3 "attached volume without --detach or a hook: exit 3"
like "$out" "volume $vol is attached to server $srv_id: give --detach" "names the server and --detach"
is "$(printf '%s\n' "$out" | grep -c 'error:' || true)" 1 "one error"
is "$(RB ls volumes | grep -c "^$id-vol$" || true) $(snaps A "volumes/volume-$vol") $(journals) $(vol_status "$vol")" \
    "0 0 0 in-use" "refused: nothing changed, still attached"

nova POST "/servers/$srv_id/action" '{"os-stop":null}' >/dev/null
wait_srv "$srv_id" '.status=="SHUTOFF" or .status=="ERROR"' 120 >/dev/null
is "$(nova GET "/servers/$srv_id" | body | jq -r .server.status)" SHUTOFF "server stopped"
sum=$(sum_of A "volumes/volume-$vol")
echo "B volumes/$id-vol" >>"$tmp/images"
t0=$(now)
run vs volume-sync "$vol" b/volumes/"$id-vol" --detach
is "$rc" 0 "volume-sync VOLUME-ID --detach exits 0"
diag "volume-sync --detach: $(since "$t0") s"
printf '%s\n' "$out" | sed 's/^/#   /'
like "$out" "detaching volume $vol from server $srv_id" "Nova detached it before the last round"
is "$(vol_status "$vol")" available "the volume is available (detached)"
is "$(nova GET "/servers/$srv_id/os-volume_attachments" | body | jq -r '.volumeAttachments | length')" 0 \
    "Nova: the server has no attachment left"
is "$(sum_of B "volumes/$id-vol")" "$sum" "the copy equals the volume (sha256 through librbd)"
is "$(snaps A "volumes/volume-$vol") $(snaps B "volumes/$id-vol") $(journals)" "0 0 0" \
    "no temporary snapshot or journal left"

# --- a Cinder volume attached to a running server: refused without --detach, then --detach
done_testing
