#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
## tests/lab/ceph.sh - the Ceph part of the nova-evac lab: two single-node Ceph clusters
## (one mon, one memstore OSD, no mgr) on loopback, for librbd and for Cinder/Nova with RBD.
##
##   ceph.sh up        start cluster A ("a", ports 13300-13399: pools volumes, images, vms)
##                     and cluster B ("b", ports 13400-13499: pool volumes) in parallel,
##                     cephx on, an admin keyring and a client.nova-evac key (profile rbd)
##                     per cluster. Idempotent: a cluster that answers is kept; one that is
##                     down is made again from nothing (memstore keeps no data on a stop).
##   ceph.sh mirror-up journal-based RBD mirroring of pool volumes from A to B, for
##                     `volume-sync --mirror`: pool mirror mode "image" on both (site names a
##                     and b), B given A as an rx-only peer (bootstrap token made on A,
##                     imported on B), and one rbd-mirror daemon for cluster B (client
##                     rbd-mirror.b, PID in b/run/rbd-mirror.pid). Idempotent: what is
##                     there is kept; only a missing piece is made. Not part of `up`.
##   ceph.sh mirror-down stop that rbd-mirror daemon (the pool settings and peer stay)
##   ceph.sh down      stop the daemons it started (recorded PIDs only: rbd-mirror, OSD, mon)
##   ceph.sh wipe      down + remove the clusters' directories
##   ceph.sh status    what runs, per cluster
##   ceph.sh check     exit 0 if both clusters answer (77 and why, if not)
##   ceph.sh env       sourceable variables, per cluster X in A B:
##                       CEPH_X_CONF      its ceph.conf (clients: -c or CEPH_CONF)
##                       CEPH_X_KEYRING   the client.admin keyring
##                       CEPH_X_USER      nova-evac (the client name without "client.")
##                       CEPH_X_USER_KEYRING  the client.nova-evac keyring
##                       CEPH_X_USER_KEY  client.nova-evac's secret (a libvirt secret's value)
##                       CEPH_X_FSID      the cluster's fsid
##                       CEPH_X_MON       address:port of its monitor (msgr2 only)
##                       CEPH_X_DIR       its directory
##
## The clusters follow a measured recipe: paxos propose interval 0.05 s (the default 1 s makes
## every snapshot or pool change wait about a second), osd client watch timeout 10 s (a
## SIGKILLed lock holder blocks the next writer until its watch expires), client admin
## sockets off, snapshot trimming immediate, the OSD and mon bound to loopback only, msgr2
## only. No mgr: nothing librbd does needs one, but `ceph -s` shows no PGs, `ceph df` and
## `rbd mirror pool status` do not work (the latter hangs: always wrap the CLI in timeout).
## memstore keeps the data in the OSD's memory (about 2x the bytes written); its reported
## capacity is NOVA_EVAC_CEPH_BYTES (default 6 GiB per cluster).
##
## State: $NOVA_EVAC_CEPH_DIR (default $NOVA_EVAC_LAB/ceph, i.e. /var/tmp/nova-evac-lab/ceph),
## one directory per cluster (a/, b/). A private pair beside the shared one:
## NOVA_EVAC_CEPH_DIR=/var/tmp/x NOVA_EVAC_CEPH_PORT_A=13500 NOVA_EVAC_CEPH_PORT_B=13600.
## NOVA_EVAC_CEPH_ADDR (default 127.0.0.1) is the address the daemons bind.
## Only PIDs recorded here are signalled, after checking the process names this cluster's
## ceph.conf. Exit 77 = a prerequisite is missing (tests skip), 1 = failure.
set -eu -o pipefail

LAB=${NOVA_EVAC_LAB:-/var/tmp/nova-evac-lab}
case $LAB in /*) ;; *) LAB=$(pwd)/$LAB ;; esac
LAB=${LAB%/}
CD=${NOVA_EVAC_CEPH_DIR:-$LAB/ceph}
case $CD in /*) ;; *) CD=$(pwd)/$CD ;; esac
CD=${CD%/}
ADDR=${NOVA_EVAC_CEPH_ADDR:-127.0.0.1}
PORT_A=${NOVA_EVAC_CEPH_PORT_A:-13300}
PORT_B=${NOVA_EVAC_CEPH_PORT_B:-13400}
BYTES=${NOVA_EVAC_CEPH_BYTES:-6442450944}
USER_NAME=nova-evac
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

T0=$EPOCHREALTIME
el() { awk -v a="$T0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%6.1fs", b-a}'; }
step() { echo "[$(el)] ceph: $*" >&2; }
say() { echo "ceph.sh: $*" >&2; }
die() { say "$*"; exit 1; }
skip() { say "$*"; exit 77; }

port_of() { case $1 in a) echo "$PORT_A" ;; b) echo "$PORT_B" ;; esac; }
pools_of() { case $1 in a) echo "volumes images vms" ;; b) echo "volumes" ;; esac; }

## ---------------------------------------------------------------- processes
## A ceph daemon's main thread may show Z while its other threads still run, and a dead
## daemon stays visible until PID 1 reaps it: "alive" means one task that is not a zombie
## and whose command line names this cluster's ceph.conf.
alive() { # alive PIDFILE CONF
  local p t s
  p=$(cat "$1" 2>/dev/null) || return 1
  [ -n "$p" ] || return 1
  for t in /proc/"$p"/task/*; do
    s=$(cat "$t/stat" 2>/dev/null) || continue
    s=${s##*) }; [ "${s%% *}" != Z ] || continue
    tr '\0' ' ' <"$t/cmdline" 2>/dev/null | grep -qF -- "$2" && return 0
  done
  return 1
}
stop_one() { # stop_one PIDFILE CONF [SIG]
  local f=$1 conf=$2 sig=${3:-TERM} p end
  [ -f "$f" ] || return 0
  if alive "$f" "$conf"; then
    p=$(cat "$f"); end=$((${EPOCHREALTIME%.*} + 15))
    kill -"$sig" "$p" 2>/dev/null || true
    while alive "$f" "$conf" && [ "${EPOCHREALTIME%.*}" -lt $end ]; do sleep 0.1; done
    if alive "$f" "$conf"; then kill -9 "$p" 2>/dev/null || true; fi
  fi
  rm -f "$f"
}
waitfor() { # waitfor SECS WHAT CMD...
  local secs=$1 what=$2 end; shift 2
  end=$((${EPOCHREALTIME%.*} + secs))
  until "$@" >/dev/null 2>&1; do
    [ "${EPOCHREALTIME%.*}" -lt $end ] || { say "$what: not ready after ${secs}s"; return 1; }
    sleep 0.2
  done
}
port_busy() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }

## ---------------------------------------------------------------- one cluster
conf_of() { echo "$CD/$1/ceph.conf"; }
C() { # C NAME ceph-args...: the ceph CLI as client.admin on cluster NAME, bounded
  local n=$1; shift
  timeout 20 ceph -c "$(conf_of "$n")" --connect-timeout 10 "$@"
}
up_ok() { # the cluster answers and its OSD is up and its pools take real I/O
  local n=$1 D=$CD/$1
  alive "$D/run/mon.a.pid" "$D/ceph.conf" && alive "$D/run/osd.0.pid" "$D/ceph.conf" || return 1
  [ -f "$D/ready" ] || return 1
  C "$n" osd stat -f json 2>/dev/null | grep -q '"num_up_osds":1'
}
write_conf() { # write_conf NAME FSID
  local n=$1 D=$CD/$1 port; port=$(port_of "$1")
  cat >"$D/ceph.conf" <<EOF
# written by tests/lab/ceph.sh (cluster $n)
[global]
fsid = $2
mon host = v2:$ADDR:$port
public addr = $ADDR
cluster addr = $ADDR
ms bind msgr1 = false
ms bind port min = $((port + 1))
ms bind port max = $((port + 99))
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
run dir = $D/run
pid file = $D/run/\$name.pid
admin socket = $D/run/\$name.asok
log file = $D/log/\$name.log
crash dir = $D/crash
mon cluster log file = $D/log/cluster.log
log to stderr = false
err to stderr = true
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
mon warn on pool no redundancy = false
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool delete = true
mon data avail warn = 2
mon data avail crit = 1
ms async op threads = 2
osd client watch timeout = 10

[mon]
mon data = $D/mon.\$id
keyring = $D/mon.\$id/keyring
mon warn on insecure global id reclaim allowed = false
paxos propose interval = 0.05
paxos min wait = 0.01

[osd]
osd data = $D/osd.\$id
keyring = $D/osd.\$id/keyring
osd objectstore = memstore
memstore device bytes = $BYTES
osd memory target = 939524096
osd op num shards = 1
osd op num threads per shard = 2
osd snap trim sleep = 0
osd max object name len = 460
osd max object namespace len = 64

[client]
keyring = $D/ceph.\$name.keyring
admin socket =
log file = $D/log/client.log
EOF
}
osd_up() { C "$1" osd stat -f json | grep -q '"num_up_osds":1'; }
## io_ok NAME: real I/O through the OSD, in every pool, as client.nova-evac
io_ok() {
  local q D=$CD/$1
  for q in $(pools_of "$1"); do
    echo ready | timeout 20 rados -c "$D/ceph.conf" --id "$USER_NAME" -p "$q" put ready-probe - &&
      [ "$(timeout 20 rados -c "$D/ceph.conf" --id "$USER_NAME" -p "$q" get ready-probe -)" = ready ] &&
      timeout 20 rados -c "$D/ceph.conf" --id "$USER_NAME" -p "$q" rm ready-probe || return 1
  done
}
## make NAME: a cluster from nothing, ready for I/O in every pool
make_cluster() {
  local n=$1 D=$CD/$1 port fsid osd_uuid osd_secret p t0=$EPOCHREALTIME
  port=$(port_of "$n")
  for p in "$port" $((port + 1)) $((port + 2)) $((port + 3)) $((port + 4)); do
    port_busy "$p" && { say "cluster $n: $ADDR:$p is taken by another process (NOVA_EVAC_CEPH_PORT_${n^^})"; return 1; }
  done
  rm -rf "$D"
  mkdir -p "$D"/{run,log,crash,osd.0}
  fsid=$(uuidgen)
  write_conf "$n" "$fsid"
  export CEPH_CONF=$D/ceph.conf
  ceph-authtool --create-keyring "$D/ceph.client.admin.keyring" --gen-key -n client.admin \
    --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' --cap mds 'allow *' >/dev/null
  ceph-authtool --create-keyring "$D/mon.keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  ceph-authtool "$D/mon.keyring" --import-keyring "$D/ceph.client.admin.keyring" >/dev/null
  monmaptool --create --fsid "$fsid" --addv a "[v2:$ADDR:$port]" "$D/monmap" >/dev/null
  ceph-mon -c "$D/ceph.conf" --mkfs -i a --monmap "$D/monmap" --keyring "$D/mon.keyring" \
    >>"$D/log/mkfs.log" 2>&1 || { tail -5 "$D/log/mkfs.log" >&2; return 1; }
  setsid ceph-mon -f -c "$D/ceph.conf" -i a </dev/null >>"$D/log/mon.a.stderr" 2>&1 8>&- 9>&- &
  echo $! >"$D/run/mon.a.pid"
  waitfor 30 "cluster $n mon" C "$n" mon stat || { tail -5 "$D/log/mon.a.log" >&2; return 1; }
  osd_uuid=$(uuidgen); osd_secret=$(ceph-authtool --gen-print-key)
  echo "{\"cephx_secret\": \"$osd_secret\"}" >"$D/osd.0/new.json"
  C "$n" osd new "$osd_uuid" -i "$D/osd.0/new.json" >/dev/null
  ceph-authtool --create-keyring "$D/osd.0/keyring" -n osd.0 --add-key "$osd_secret" >/dev/null
  ceph-osd -c "$D/ceph.conf" -i 0 --mkfs --no-mon-config --osd-uuid "$osd_uuid" --key "$osd_secret" \
    >>"$D/log/mkfs.log" 2>&1 || { tail -5 "$D/log/mkfs.log" >&2; return 1; }
  setsid ceph-osd -f -c "$D/ceph.conf" -i 0 </dev/null >>"$D/log/osd.0.stderr" 2>&1 8>&- 9>&- &
  echo $! >"$D/run/osd.0.pid"
  waitfor 60 "cluster $n osd" osd_up "$n" || { tail -5 "$D/log/osd.0.log" >&2; return 1; }
  for p in $(pools_of "$n"); do
    C "$n" osd pool create "$p" 8 8 >/dev/null 2>&1
    timeout 30 rbd -c "$D/ceph.conf" pool init "$p"
  done
  ## the client the tool and OpenStack use: rbd profile on this cluster's pools
  C "$n" auth get-or-create "client.$USER_NAME" mon 'profile rbd' osd 'profile rbd' \
    mgr 'profile rbd' -o "$D/ceph.client.$USER_NAME.keyring"
  waitfor 60 "cluster $n I/O" io_ok "$n" || return 1
  touch "$D/ready"
  step "cluster $n up ($ADDR:$port, pools $(pools_of "$n" | tr ' ' ,)) in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.1f", b-a}') s"
}
stop_cluster() { # OSD first, then the mon
  local D=$CD/$1
  [ -d "$D" ] || return 0
  rm -f "$D/ready"
  stop_one "$D/run/osd.0.pid" "$D/ceph.conf"
  stop_one "$D/run/mon.a.pid" "$D/ceph.conf"
}

## ---------------------------------------------------------------- commands
cmd_up() {
  local n pids="" rc=0 p
  local c
  for c in ceph-mon ceph-osd rbd; do
    command -v $c >/dev/null || skip "$c missing: tests/lab/deps.sh ceph"
  done
  [ "$(id -u)" = 0 ] || skip "needs root"
  mkdir -p "$CD"
  exec 9>"$CD/.lock"
  flock -w 300 9 || die "another ceph.sh holds $CD/.lock"
  for n in a b; do
    if up_ok "$n"; then
      step "cluster $n already up"
      continue
    fi
    if alive "$CD/$n/run/mon.a.pid" "$CD/$n/ceph.conf" || alive "$CD/$n/run/osd.0.pid" "$CD/$n/ceph.conf"; then
      ## never remake a cluster whose daemons run: its data may be somebody's
      sleep 2; up_ok "$n" && { step "cluster $n already up"; continue; }
      die "cluster $n runs but does not answer (logs: $CD/$n/log); ceph.sh down, then up"
    fi
    stop_cluster "$n"
    ( make_cluster "$n" ) 9>&- &
    pids="$pids $!"
  done
  for p in $pids; do wait "$p" || rc=1; done
  [ $rc = 0 ] || die "a cluster did not start (logs: $CD/{a,b}/log)"
}
## ---------------------------------------------------------------- mirroring (A -> B)
MIRROR_POOL=volumes
MIRROR_ID=rbd-mirror.b
mirror_alive() { alive "$CD/b/run/rbd-mirror.pid" "$CD/b/ceph.conf"; }
R() { # R NAME rbd-args...: the rbd CLI as client.admin on cluster NAME, bounded
  local n=$1; shift
  timeout 20 rbd -c "$(conf_of "$n")" "$@"
}
cmd_mirror_up() {
  local n mode peers tok D=$CD/b end
  command -v rbd-mirror >/dev/null || skip "rbd-mirror missing: tests/lab/deps.sh ceph"
  for n in a b; do up_ok "$n" || skip "Ceph cluster $n is not up: tests/lab/ceph.sh up"; done
  exec 9>"$CD/.lock"
  flock -w 300 9 || die "another ceph.sh holds $CD/.lock"
  for n in a b; do
    mode=$(R "$n" mirror pool info "$MIRROR_POOL" --format json | jq -r .mode)
    if [ "$mode" = disabled ]; then
      R "$n" mirror pool enable "$MIRROR_POOL" image --site-name "$n"
      step "cluster $n: pool $MIRROR_POOL mirror mode image, site name $n"
    fi
  done
  peers=$(R b mirror pool info "$MIRROR_POOL" --format json | jq '[.peers[]? | select(.site_name == "a")] | length')
  if [ "$peers" = 0 ]; then
    tok=$(mktemp)
    R a mirror pool peer bootstrap create --site-name a "$MIRROR_POOL" >"$tok"
    R b mirror pool peer bootstrap import --site-name b --direction rx-only "$MIRROR_POOL" "$tok"
    rm -f "$tok"
    step "cluster b: pool $MIRROR_POOL has cluster a as its rx-only peer"
  fi
  if mirror_alive; then
    step "rbd-mirror for cluster b already runs (pid $(cat "$D/run/rbd-mirror.pid"))"
    return 0
  fi
  C b auth get-or-create "client.$MIRROR_ID" mon 'profile rbd-mirror' osd 'profile rbd' \
    -o "$D/ceph.client.$MIRROR_ID.keyring"
  ## its pool replayers open their own cluster connections from the default conf search
  ## path, which CEPH_CONF sets (-c is not passed on to them), and CEPH_ARGS: the journal
  ## polled and the replay position committed every second instead of 5. An image's status
  ## (entries behind) is still refreshed every 10-30 s: a sync takes at least that long.
  CEPH_CONF=$D/ceph.conf CEPH_ARGS="--rbd_mirror_journal_commit_age=1 --rbd_mirror_journal_poll_age=1" \
    setsid rbd-mirror -f -c "$D/ceph.conf" --id "$MIRROR_ID" --log-file "$D/log/rbd-mirror.log" \
    --admin-socket "$D/run/rbd-mirror.asok" </dev/null >>"$D/log/rbd-mirror.stderr" 2>&1 8>&- 9>&- &
  echo $! >"$D/run/rbd-mirror.pid"
  ## ready: it registered on A as B's tx peer (it pings A's pool when its pool replayer starts)
  end=$((${EPOCHREALTIME%.*} + 30))
  until R a mirror pool info "$MIRROR_POOL" --format json |
      jq -e '[.peers[]? | select(.direction == "tx-only")] | length > 0' >/dev/null; do
    mirror_alive || { tail -5 "$D/log/rbd-mirror.log" >&2; die "rbd-mirror for cluster b exited"; }
    [ "${EPOCHREALTIME%.*}" -lt $end ] || die "rbd-mirror for cluster b did not register on a after 30s (log: $D/log/rbd-mirror.log)"
    sleep 0.2
  done
  step "rbd-mirror for cluster b up (pid $(cat "$D/run/rbd-mirror.pid"))"
}
cmd_mirror_down() {
  [ -d "$CD/b" ] || return 0
  stop_one "$CD/b/run/rbd-mirror.pid" "$CD/b/ceph.conf"
  step "rbd-mirror for cluster b stopped"
}
cmd_down() {
  local n
  [ -d "$CD" ] || return 0
  cmd_mirror_down
  for n in a b; do stop_cluster "$n" & done
  wait
  step "clusters stopped"
}
cmd_wipe() {
  cmd_down
  rm -rf "$CD/a" "$CD/b" "$CD/.lock"
  rmdir "$CD" 2>/dev/null || true
}
cmd_status() {
  local n D
  for n in a b; do
    D=$CD/$n
    printf 'cluster %s (%s:%s): mon %s, osd %s, %s\n' "$n" "$ADDR" "$(port_of "$n")" \
      "$(alive "$D/run/mon.a.pid" "$D/ceph.conf" && echo "up pid $(cat "$D/run/mon.a.pid")" || echo down)" \
      "$(alive "$D/run/osd.0.pid" "$D/ceph.conf" && echo "up pid $(cat "$D/run/osd.0.pid")" || echo down)" \
      "$(up_ok "$n" && echo ready || echo "not ready")"
  done
  printf 'rbd-mirror for cluster b: %s\n' "$(mirror_alive && echo "up pid $(cat "$CD/b/run/rbd-mirror.pid")" || echo down)"
}
cmd_check() {
  command -v rbd >/dev/null || skip "rbd missing: tests/lab/deps.sh ceph"
  local n
  for n in a b; do up_ok "$n" || skip "Ceph cluster $n is not up: tests/lab/ceph.sh up"; done
}
cmd_env() {
  local n N D
  for n in a b; do
    N=${n^^} D=$CD/$n
    echo "export CEPH_${N}_DIR=$D"
    echo "export CEPH_${N}_CONF=$D/ceph.conf"
    echo "export CEPH_${N}_KEYRING=$D/ceph.client.admin.keyring"
    echo "export CEPH_${N}_USER=$USER_NAME"
    echo "export CEPH_${N}_USER_KEYRING=$D/ceph.client.$USER_NAME.keyring"
    echo "export CEPH_${N}_USER_KEY=$(awk '$1 == "key" {print $3}' "$D/ceph.client.$USER_NAME.keyring" 2>/dev/null)"
    echo "export CEPH_${N}_FSID=$(awk '$1 == "fsid" {print $3}' "$D/ceph.conf" 2>/dev/null)"
    echo "export CEPH_${N}_MON=$ADDR:$(port_of "$n")"
  done
}

case ${1:-} in
  up) cmd_up ;;
  down) cmd_down ;;
  mirror-up) cmd_mirror_up ;;
  mirror-down) cmd_mirror_down ;;
  wipe) cmd_wipe ;;
  status) cmd_status ;;
  check) cmd_check ;;
  env) cmd_env ;;
  *) sed -n 's/^## \{0,1\}//p' "$0" | sed -n '1,/^$/p' >&2; say "usage: ceph.sh up|down|mirror-up|mirror-down|wipe|status|check|env"; exit 2 ;;
esac
