#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# volume-sync-mirror.t: issue 15's acceptance for `volume-sync --mirror` on the lab's two Ceph
# clusters, the copy made by cluster B's rbd-mirror daemon (tests/lab/ceph.sh mirror-up: pool
# volumes mirrored A -> B, journal mode).
# - A 128 MiB image on A with layering, exclusive-lock, object-map, fast-diff, deep-flatten and
#   24 MiB of random data. --mirror alone reports the features and changes nothing; so does
#   --dry-run with --enable-features.
# - Refusals, each one message and nothing changed (features, mirroring, no copy on B, no
#   journal): the destination on the same cluster or under another name (exit 2), the image in
#   use (a process holds it open) without --yes (exit 3), no rbd-mirror daemon for B (it is
#   stopped for that, then started again; exit 3), the wrong direction (an image on B, A has
#   no peer to replicate from; exit 3).
# - --enable-features --yes while a librbd writer writes: object-map and fast-diff off,
#   exclusive-lock and journaling on, the freeze risk warned about, and the writer goes on
#   writing; the run is killed (SIGKILL) while it waits for the sync; the writer is stopped;
#   run again: in sync; the copy on B equals the source (sha256 of `rbd export`). 4 MiB more
#   are written on A. --finish on the image in use without --yes is refused.
# - --finish restores the features recorded by the killed run (the image's features then are
#   the changed ones: only the journal knows the original).
# - --finish: A demoted, B promoted, verified, mirroring off on both, and "restored" checked
#   as the man page defines it: both images have exactly the source's original features, with
#   a valid object map (no flags), and both equal the source as last written; no journal left.
#   --finish again is refused (no journal records the features).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
CEPH=$top_srcdir/tests/lab/ceph.sh
why=$("$CEPH" check 2>&1) || skip_all "Ceph: ${why:-not usable} (tests/lab/ceph.sh up)"
command -v rbd-mirror >/dev/null || skip_all "rbd-mirror is not installed (tests/lab/deps.sh ceph)"
"$NOVA_EVAC" volume-sync --help 2>&1 | grep -q -- --enable-features || skip_all "no volume-sync --mirror"
why=$("$CEPH" mirror-up 2>&1) || skip_all "rbd-mirror for cluster b did not start: $why"
eval "$("$CEPH" env)"
/usr/bin/python3 -c 'import rados, rbd' 2>/dev/null || skip_all "python3-rbd is not installed"
id=$(uniq_id)
img=$id-src
tmp=$(mktemp -d)
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}'; }
RA() { timeout 60 rbd -c "$CEPH_A_CONF" --id "$CEPH_A_USER" "$@"; }
RB() { timeout 60 rbd -c "$CEPH_B_CONF" --id "$CEPH_B_USER" "$@"; }
hpid=
cleanup() {
    trap - EXIT
    [ -z "$hpid" ] || { kill "$hpid" 2>/dev/null; wait "$hpid" 2>/dev/null; }
    "$CEPH" mirror-up >/dev/null 2>&1 # a failed run may have left it stopped
    # mirroring off on the primary first: the daemon then removes its copy
    RA mirror image disable "volumes/$img" >/dev/null 2>&1
    RA mirror image disable --force "volumes/$img" >/dev/null 2>&1
    RB mirror image disable --force "volumes/$img" >/dev/null 2>&1
    RB mirror image disable --force "volumes/$id-onb" >/dev/null 2>&1
    RA rm --no-progress "volumes/$img" >/dev/null 2>&1
    for _ in $(seq 20); do RB info "volumes/$img" >/dev/null 2>&1 || break; sleep 0.5; done
    RB rm --no-progress "volumes/$img" >/dev/null 2>&1
    RB rm --no-progress "volumes/$id-onb" >/dev/null 2>&1
    if [ -s "$tmp/volume" ]; then cinder DELETE "/volumes/$(cat "$tmp/volume")" >/dev/null 2>&1; fi
    rm -rf "$tmp"
}
trap cleanup EXIT
printf '[DEFAULT]\nstate_dir = %s/state\n' "$tmp" >"$tmp/ne.conf"
printf '[ceph:a]\nconf = %s\nkeyring = %s\nclient = %s\n' "$CEPH_A_CONF" "$CEPH_A_USER_KEYRING" "$CEPH_A_USER" >>"$tmp/ne.conf"
printf '[ceph:b]\nconf = %s\nkeyring = %s\nclient = %s\n' "$CEPH_B_CONF" "$CEPH_B_USER_KEYRING" "$CEPH_B_USER" >>"$tmp/ne.conf"
vs() { NOVA_EVAC_CONFIG=$tmp/ne.conf "$NOVA_EVAC" volume-sync "$@"; }
sum_of() { R"$1" export --no-progress "$2" - 2>/dev/null | sha256sum | cut -c1-64; }
feats() { R"$1" info --format json "$2" 2>/dev/null | jq -r '.features | join(",")'; }
flags() { R"$1" info --format json "$2" 2>/dev/null | jq -r '.flags | join(",")'; }
mstate() { R"$1" info --format json "$2" 2>/dev/null | jq -r '.mirroring.state // "off"'; }
journals() { find "$tmp/state" -path '*volume-sync*' -type f 2>/dev/null | wc -l; }
ORIG=layering,exclusive-lock,object-map,fast-diff,deep-flatten
unchanged() { # unchanged DESC: the source as made, no copy on B, no journal
    is "$(feats A "volumes/$img") $(mstate A "volumes/$img") $(RB ls volumes | grep -c "^$img$") $(journals)" \
        "$ORIG off 0 0" "$1: nothing changed (features, mirroring off, no copy on B, no journal)"
}
one_line() { is "$(printf '%s\n' "$out" | grep -c 'error:')" 1 "$1: one error message"; }

# --- the source: 128 MiB, 24 MiB of random data at 8 MiB, the rest holes
t0=$(now)
ok "128 MiB image volumes/$img on A ($ORIG)" \
    RA create --size 128M --image-feature "$ORIG" "volumes/$img"
head -c 25165824 /dev/urandom >"$tmp/fill.bin"
ok "24 MiB of random data written through librbd" /usr/bin/python3 - "$CEPH_A_CONF" "$CEPH_A_USER" "$img" "$tmp/fill.bin" <<'EOF'
import sys, rados, rbd
conf, user, name, fill = sys.argv[1:]
with rados.Rados(conffile=conf, rados_id=user) as c, c.open_ioctx('volumes') as io, rbd.Image(io, name) as im:
    im.write(open(fill, 'rb').read(), 8 << 20)
EOF

# --- report only, and the dry run
run vs --mirror a/volumes/"$img" b/volumes
is "$rc" 0 "--mirror alone: exit 0"
like "$out" "a/volumes/$img: features $ORIG; mirroring disabled; 0 watchers" "--mirror: the features reported"
like "$out" "needs features layering,exclusive-lock,deep-flatten,journaling.*--enable-features" \
    "--mirror: what would change, and the option that changes it"
unchanged "--mirror alone"
run env NOVA_EVAC_CONFIG="$tmp/ne.conf" "$NOVA_EVAC" --format json volume-sync --mirror a/volumes/"$img" b/volumes
is "$rc $(printf '%s\n' "$out" | jq -rc 'select(.event == "report") | [.features, .mirroring, .watchers, .features_needed] | join(" ")')" \
    "0 $ORIG false 0 layering,exclusive-lock,deep-flatten,journaling" "--format json: the report as one object"
run vs --mirror --enable-features --dry-run a/volumes/"$img" b/volumes
is "$rc" 0 "--dry-run: exit 0"
like "$out" "would change the features to layering,exclusive-lock,deep-flatten,journaling" "--dry-run: says what it would do"
unchanged "--dry-run"

# --- refusals
run vs --mirror --enable-features a/volumes/"$img" a/volumes
is "$rc" 2 "same cluster: exit 2"
like "$out" "the destination is on the same cluster a" "same cluster: named"
one_line "same cluster"
run vs --mirror --enable-features a/volumes/"$img" b/volumes/other
is "$rc" 2 "another image name: exit 2"
like "$out" "same pool and name; give b/volumes or b/volumes/$img" "another name: the right destination given"
unchanged "wrong destination"

# hold hold|write: a librbd client with the image open (a watcher, as a guest), writing 1 MiB
# of random data every 0.3 s with "write"; $tmp/writes holds its count of writes
cat >"$tmp/hold.py" <<'EOF'
import os, random, signal, sys, time, rados, rbd
conf, user, name, mode, state = sys.argv[1:]
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # closes the image: no watch left behind
n = 0
with rados.Rados(conffile=conf, rados_id=user) as c, c.open_ioctx('volumes') as io, rbd.Image(io, name) as im:
    try:
        open(state + '.up', 'w').close()
        while True:
            if mode == 'write':
                im.write(os.urandom(1 << 20), random.randrange(8, 32) << 20)
                n += 1
                with open(state + '.tmp', 'w') as f:
                    f.write('%d\n' % n)
                os.rename(state + '.tmp', state)
            time.sleep(0.3)
    finally:
        im.flush()
EOF
hold() {
    rm -f "$tmp/writes" "$tmp/writes.up"
    /usr/bin/python3 "$tmp/hold.py" "$CEPH_A_CONF" "$CEPH_A_USER" "$img" "$1" "$tmp/writes" &
    hpid=$!
    for _ in $(seq 100); do [ -e "$tmp/writes.up" ] && break; sleep 0.1; done
}
unhold() { kill "$hpid"; wait "$hpid" 2>/dev/null; hpid=; }
writes() { cat "$tmp/writes" 2>/dev/null || echo 0; }
hold hold
run vs --mirror --enable-features a/volumes/"$img" b/volumes
is "$rc" 3 "in use without --yes: exit 3"
like "$out" "error: volume-sync a/volumes/$img --mirror: the image is in use \(1 watcher.*can freeze it.*--yes" \
    "in use: the watcher counted, the freeze risk and --yes named"
unchanged "in use without --yes"
unhold

"$CEPH" mirror-down >/dev/null 2>&1
run vs --mirror --enable-features a/volumes/"$img" b/volumes
"$CEPH" mirror-up >/dev/null 2>&1 & mpid=$!
is "$rc" 3 "no rbd-mirror daemon: exit 3"
like "$out" "no rbd-mirror daemon runs for cluster b.*tests/lab/ceph.sh mirror-up" \
    "no daemon: the cluster and the next step named"
one_line "no daemon"
unchanged "no daemon"

ok "a 4 MiB image volumes/$id-onb on B" RB create --size 4M "volumes/$id-onb"
run vs --mirror --enable-features b/volumes/"$id-onb" a/volumes
is "$rc" 3 "the wrong direction (B to A): exit 3"
like "$out" "pool volumes of cluster a has no peer to replicate from" "wrong direction: A has no peer, named"
is "$(feats B "volumes/$id-onb")" "layering,exclusive-lock,object-map,fast-diff,deep-flatten" \
    "wrong direction: the image on B is unchanged"
ok "rbd-mirror for B is up again" wait "$mpid"
diag "source and refusals: $(since "$t0") s"

# --- mirroring, with --yes while a writer writes: the features change under it and it goes
# on writing (no freeze). The run is killed while it waits for the sync (the daemon refreshes
# the status every 10-30 s: a sync takes longer than 6 s); the writer is stopped, and the
# second run finds the journal of the first.
hold write
t0=$(now)
run timeout -s KILL 6 env NOVA_EVAC_CONFIG="$tmp/ne.conf" "$NOVA_EVAC" volume-sync --mirror \
    --enable-features --yes a/volumes/"$img" b/volumes
is "$rc" 137 "--enable-features --yes killed (SIGKILL) while it waits for the sync"
like "$out" "warning: .*changing the features of an image in use \(1 watcher\).*freezes" \
    "--yes on an image in use: the freeze risk warned about"
like "$out" "features: $ORIG -> layering,exclusive-lock,deep-flatten,journaling" "the features changed"
is "$(feats A "volumes/$img") $(mstate A "volumes/$img") $(journals)" \
    "layering,exclusive-lock,deep-flatten,journaling enabled 1" \
    "after the kill: features changed, mirroring enabled, the journal kept"
w0=$(writes); sleep 2
ok "the writer goes on writing after the change ($w0 writes, then $(writes))" test "$(writes)" -gt "$w0"
unhold
src0=$(sum_of A "volumes/$img")
run vs --mirror --enable-features a/volumes/"$img" b/volumes
is "$rc" 0 "--enable-features again: exit 0"
printf '%s\n' "$out" | grep -v '^nova-evac: volume-sync.*(.* s)$' | sed 's/^/#   /'
diag "enable and sync, both runs: $(since "$t0") s"
like "$out" "features layering,exclusive-lock,deep-flatten,journaling; mirroring enabled" \
    "the second run finds the features changed and mirroring on"
like "$out" "in sync: a/volumes/$img -> b/volumes/$img" "in sync"
is "$(feats A "volumes/$img") $(mstate A "volumes/$img")" \
    "layering,exclusive-lock,deep-flatten,journaling enabled" "A: journaling on, object-map and fast-diff off, mirroring enabled"
is "$(RB info --format json "volumes/$img" | jq -r .mirroring.primary)" false "B: the copy, non-primary"
is "$(sum_of B "volumes/$img")" "$src0" "B equals the source (sha256 through librbd)"
is "$(journals)" 1 "the journal records the original features"
ok "4 MiB more written on A" RA bench --io-type write --io-size 1M --io-total 4M --io-pattern seq "volumes/$img"
src1=$(sum_of A "volumes/$img")

run vs --mirror --finish --dry-run a/volumes/"$img" b/volumes
is "$rc" 0 "--finish --dry-run: exit 0"
like "$out" "would demote a/volumes/$img, promote b/volumes/$img, verify both, disable mirroring and restore the features $ORIG on both" \
    "--finish --dry-run: says what it would do, with the journaled features"
is "$(mstate A "volumes/$img") $(RB info --format json "volumes/$img" | jq -r .mirroring.primary)" "enabled false" \
    "--finish --dry-run: still mirrored, B still the copy"

hold hold
run vs --mirror --finish a/volumes/"$img" b/volumes
is "$rc" 3 "--finish on an image in use, without --yes: exit 3"
like "$out" "the image is in use \(1 watcher\); demoting it makes it read-only under its writer.*--yes" \
    "--finish in use: refused, the reason and --yes named"
is "$(mstate A "volumes/$img") $(RB info --format json "volumes/$img" | jq -r .mirroring.primary) $(journals)" \
    "enabled false 1" "--finish in use: nothing changed"
unhold

# --- finish
t0=$(now)
run vs --mirror --finish a/volumes/"$img" b/volumes
is "$rc" 0 "--finish: exit 0"
printf '%s\n' "$out" | grep -v '^nova-evac: volume-sync.*(.* s)$' | sed 's/^/#   /'
diag "finish: $(since "$t0") s"
like "$out" "demoted a/volumes/$img" "A demoted"
like "$out" "promoted b/volumes/$img" "B promoted"
like "$out" "verified [0-9]+ chunks .* at the head .*: identical" "both heads verified"
is "$(mstate A "volumes/$img") $(mstate B "volumes/$img")" "off off" "mirroring off on both"
is "$(feats A "volumes/$img")|$(flags A "volumes/$img")" "$ORIG|" "A: the original features back, object map valid"
is "$(feats B "volumes/$img")|$(flags B "volumes/$img")" "$ORIG|" "B: the original features too, object map valid"
ok "the source changed after the sync (4 MiB written)" test "$src1" != "$src0"
is "$(sum_of B "volumes/$img")" "$src1" "B equals the source as last written"
is "$(sum_of A "volumes/$img")" "$src1" "A's data unchanged by the finish"
is "$(journals)" 0 "no journal left"
ok "B is writable (promoted, not mirrored)" RB bench --io-type write --io-size 4K --io-total 4K "volumes/$img"

run vs --mirror --finish a/volumes/"$img" b/volumes
is "$rc" 3 "--finish again: exit 3"
like "$out" "no journal of this tool records the features" "--finish again: refused, no journal"

# --- a Cinder volume id as the source, when the lab's Cinder is up: resolved to
# a/volumes/volume-ID, and the copy keeps that name (rbd-mirror's); a dry run (one sync is
# enough for this test)
if envs=$("$top_srcdir/tests/lab/openstack.sh" env 2>/dev/null) && eval "$envs" &&
    case ${NOVA_EVAC_OS_MODE:-down} in fake | libvirt) true ;; *) false ;; esac &&
    "$top_srcdir/tests/lab/cinder.sh" check >/dev/null 2>&1; then
    eval "$("$top_srcdir/tests/lab/cinder.sh" env)"
    . "$top_srcdir/tests/lab/os/api.sh"
    TOK=$(token)
    PROJ=$(curl -sf -H "X-Auth-Token: $TOK" -H "X-Subject-Token: $TOK" "$KS/auth/tokens" | jq -r .token.project.id)
    cinder() { _authed "$CINDER_URL/$PROJ" "OpenStack-API-Version: volume 3.16" "$@"; }
    vol=$(cinder POST /volumes "{\"volume\":{\"size\":1,\"name\":\"$id\",\"volume_type\":\"$CINDER_TYPE_A\"}}" |
        body | jq -r .volume.id)
    echo "$vol" >"$tmp/volume"
    for _ in $(seq 120); do
        [ "$(cinder GET "/volumes/$vol" | body | jq -r .volume.status)" = available ] && break
        sleep 0.5
    done
    printf '[cinder:ceph-a]\ncluster = a\npool = volumes\n' >>"$tmp/ne.conf"
    run vs --mirror --enable-features --dry-run "$vol" b/volumes
    is "$rc" 0 "a Cinder volume id, --dry-run: exit 0"
    like "$out" "would change the features to .*journaling.*mirroring of a/volumes/volume-$vol to b/volumes/volume-$vol " \
        "a Cinder volume id: a/volumes/volume-ID, copied under the same name"
    is "$(mstate A "volumes/volume-$vol")" off "a Cinder volume id, --dry-run: nothing changed"
else
    diag "the lab's Cinder is not up: the Cinder volume id case is not run"
fi
done_testing
