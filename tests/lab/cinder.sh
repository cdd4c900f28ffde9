#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
## tests/lab/cinder.sh - Cinder (Zed, Debian's python3-cinder) on the lab's Ceph, and the
## lab's libvirt nodes able to attach its RBD volumes as network disks.
##
##   cinder.sh up       needs the cloud (openstack.sh up libvirt) and Ceph (ceph.sh up);
##                      starts both if they are not up. Then: database "cinder" (schema from
##                      cinder-manage, cached as a dump), Keystone user cinder and the
##                      volumev3 endpoint in RegionOne (127.0.0.1:8776), cinder-api,
##                      cinder-scheduler, cinder-volume with two RBD backends and their
##                      volume types: ceph-a (cluster A, pool volumes; the default type)
##                      and ceph-b (cluster B, pool volumes). On every running lab node:
##                      a libvirt secret (uuid = cluster A's fsid, value = the key of
##                      client.$CEPH_A_USER) and socat relays so that QEMU in the node's
##                      netns reaches cluster A's mon and OSD on the same 127.0.0.1 ports.
##                      Idempotent; a Ceph cluster made anew (new fsid) restarts Cinder.
##   cinder.sh region2-up  a second Cinder, region RegionTwo (the destination region of
##                      volume moves), on demand (tests call it; 6.6 s cold, 0.8 s when up,
##                      3 processes, ~470 MiB, so not part of `up`): `up` first if
##                      RegionOne's is not running, then database "cinder2" (the cached
##                      schema), RabbitMQ virtual host cinder2, the volumev3 endpoint in
##                      RegionTwo (127.0.0.1:8786), cinder2-api, -scheduler, -volume (host
##                      cinder2) with one RBD backend ceph-b2 on cluster B, pool volumes2
##                      (made here when missing), and its volume type ceph-b2 (the default
##                      there). Its manage host is cinder2@ceph-b2#ceph-b2. Idempotent.
##   cinder.sh region2-down  stop RegionTwo's Cinder only (recorded PIDs)
##   cinder.sh region2-check exit 0 if RegionTwo's Cinder answers and ceph-b2 is up (77 if not)
##   cinder.sh down     stop both Cinders and the relays (recorded PIDs only); the secrets,
##                      the databases and the Keystone endpoints stay
##   cinder.sh status   what runs
##   cinder.sh check    exit 0 if Cinder answers and both backends are up (77 if not)
##   cinder.sh env      sourceable variables: CINDER_URL, CINDER_TYPE_A, CINDER_TYPE_B,
##                      CINDER2_URL, CINDER2_TYPE, CINDER2_POOL, CINDER2_HOST (RegionTwo's,
##                      whether it runs or not) and ceph.sh's CEPH_* variables
##
## State: $NOVA_EVAC_LAB/cinder (etc, data, logs, run, relay, cache; RegionTwo's in
## etc/region2 and region2/, its logs and PIDs as cinder2-*). Exit 77 = a prerequisite is
## missing (tests skip), 1 = failure.
set -eu -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$HERE/os
LAB=${NOVA_EVAC_LAB:-/var/tmp/nova-evac-lab}
case $LAB in /*) ;; *) LAB=$(pwd)/$LAB ;; esac
LAB=${LAB%/}
OS=$LAB/os
CI_=$LAB/cinder
ETC=$CI_/etc RUN=$CI_/run DATA=$CI_/data LOGS=$CI_/logs CACHE=$CI_/cache RELAY=$CI_/relay
SOCK=$OS/run/mysqld.sock
PY=/usr/bin/python3
PORT=8776
## RegionTwo's Cinder (region2-up)
R2_PORT=8786 R2_REGION=RegionTwo R2_POOL=volumes2 R2_BACKEND=ceph-b2 R2_VHOST=cinder2
R2_HOST=cinder2@ceph-b2#ceph-b2
ETC2=$CI_/etc/region2 DATA2=$CI_/region2/data
RMQ_HOME=$OS/data/rabbitmq/home RMQ_NODE=nova-evac@localhost
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export NOVA_EVAC_LAB=$LAB

T0=$EPOCHREALTIME
el() { awk -v a="$T0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%6.1fs", b-a}'; }
step() { echo "[$(el)] cinder: $*" | tee -a "$LOGS/up.log" >&2; }
say() { echo "cinder.sh: $*" >&2; }
die() { say "$*"; exit 1; }
skip() { say "$*"; exit 77; }

## ---------------------------------------------------------------- processes
pstate() { local s; read -r s 2>/dev/null </proc/"$1"/stat || return 1; s=${s##*) }; echo "${s%% *}"; }
gone() { local st; st=$(pstate "$1") || return 0; [ "$st" = Z ]; }
alive() { # alive PIDFILE PATTERN: the recorded process runs and its command line has PATTERN
  local p st
  p=$(cat "$1" 2>/dev/null) || return 1
  [ -n "$p" ] || return 1
  st=$(pstate "$p") && [ "$st" != Z ] || return 1
  tr '\0' ' ' </proc/"$p"/cmdline 2>/dev/null | grep -qF -- "$2"
}
descendants() {
  local c k f
  for f in /proc/"$1"/task/*/children; do
    c=(); read -r -a c 2>/dev/null <"$f"
    for k in "${c[@]}"; do echo "$k"; descendants "$k"; done
  done
  return 0
}
stop() { # stop PIDFILE PATTERN [SECS]: SIGTERM the recorded process and its descendants
  local f=$1 pat=$2 secs=${3:-10} p end kids k
  [ -f "$f" ] || return 0
  if alive "$f" "$pat"; then
    p=$(cat "$f"); kids=$(descendants "$p")
    kill -TERM "$p" 2>/dev/null || true
    end=$((${EPOCHREALTIME%.*} + secs))
    while ! gone "$p" && [ "${EPOCHREALTIME%.*}" -lt $end ]; do sleep 0.1; done
    gone "$p" || kill -9 "$p" 2>/dev/null || true
    end=$((${EPOCHREALTIME%.*} + 3))
    for k in $kids; do
      while ! gone "$k" && [ "${EPOCHREALTIME%.*}" -lt $end ]; do sleep 0.1; done
      gone "$k" || kill -9 "$k" 2>/dev/null || true
    done
  fi
  rm -f "$f"
}
start() { # start NAME CMD...: setsid in the background, log to logs/NAME.out, run/NAME.pid
  local n=$1; shift
  setsid "$@" </dev/null >>"$LOGS/$n.out" 2>&1 8>&- 9>&- &
  echo $! >"$RUN/$n.pid"
}
waitfor() { # waitfor SECS WHAT CMD...
  local secs=$1 what=$2 end; shift 2
  end=$((${EPOCHREALTIME%.*} + secs))
  until "$@" >/dev/null 2>&1; do
    [ "${EPOCHREALTIME%.*}" -lt $end ] || { say "$what: not ready after ${secs}s"; return 1; }
    sleep 0.2
  done
}
tail_log() { for f in "$@"; do [ -f "$f" ] && { say "--- tail $f"; tail -n 15 "$f" >&2; }; done; return 0; }
SQLROOT() { mariadb --socket="$SOCK" -uroot "$@"; }

## ---------------------------------------------------------------- prerequisites
check_pkgs() {
  local p missing=""
  for p in python3-cinder python3-rbd python3-rados qemu-block-extra socat ceph-common; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || missing="$missing $p"
  done
  [ -z "$missing" ] || skip "missing Debian packages:$missing (run tests/lab/deps.sh cinder)"
}
## the cloud (libvirt mode) and both Ceph clusters: started when they are not up
deps_up() {
  local rc=0
  if [ "$(cat "$OS/run/mode" 2>/dev/null)" != libvirt ]; then
    "$HERE/openstack.sh" up libvirt >>"$LOGS/deps.out" 2>&1 9>&- || rc=$?
    [ $rc = 0 ] || { [ $rc = 77 ] && skip "the cloud is not available (openstack.sh up libvirt: 77)"; tail_log "$LOGS/deps.out"; die "openstack.sh up libvirt failed"; }
  fi
  "$HERE/ceph.sh" up >>"$LOGS/deps.out" 2>&1 9>&- || rc=$?
  [ $rc = 0 ] || { [ $rc = 77 ] && skip "Ceph is not available (ceph.sh up: 77)"; tail_log "$LOGS/deps.out"; die "ceph.sh up failed"; }
  eval "$("$HERE/ceph.sh" env)"
  if [ -z "${CEPH_A_FSID:-}" ] || [ -z "${CEPH_B_FSID:-}" ] || [ -z "${CEPH_A_USER_KEY:-}" ] ||
    [ ! -f "${CEPH_A_CONF:-}" ] || [ ! -f "${CEPH_B_CONF:-}" ]; then
    die "ceph.sh env gave no usable cluster A/B"
  fi
}

## ---------------------------------------------------------------- configuration
render() { # render TEMPLATE DEST: fill @...@; returns 0 when DEST changed
  mkdir -p "$(dirname "$2")"
  sed -e "s|@CINDER@|$CI_|g" -e "s|@CEPH_A_CONF@|$CEPH_A_CONF|g" -e "s|@CEPH_B_CONF@|$CEPH_B_CONF|g" \
    -e "s|@CEPH_A_USER@|$CEPH_A_USER|g" -e "s|@CEPH_B_USER@|$CEPH_B_USER|g" \
    -e "s|@CEPH_A_FSID@|$CEPH_A_FSID|g" -e "s|@CEPH_B_FSID@|$CEPH_B_FSID|g" "$1" >"$2.tmp"
  if cmp -s "$2.tmp" "$2"; then rm -f "$2.tmp"; return 1; fi
  mv "$2.tmp" "$2"
}
CHANGED=0
render_all() {
  mkdir -p "$RUN" "$DATA/lock" "$DATA/conversion" "$LOGS" "$CACHE" "$RELAY"
  if render "$SRC/etc/cinder/cinder.conf" "$ETC/cinder.conf"; then CHANGED=1; fi
  if render "$SRC/etc/cinder/api-paste.ini" "$ETC/api-paste.ini"; then CHANGED=1; fi
  return 0
}

## ---------------------------------------------------------------- database, keystone
CM() { $PY "$SRC/cmd/cinder-manage" --config-file "$ETC/cinder.conf" "$@"; }
schema() {
  local key f
  [ -n "$(SQLROOT -B -N -e "SHOW TABLES FROM cinder LIKE 'volumes'" 2>/dev/null)" ] && return 0
  SQLROOT -e "CREATE DATABASE IF NOT EXISTS cinder" || die "creating database cinder failed"
  key=$(dpkg-query -W -f='${Version}' python3-cinder mariadb-server | sha1sum | cut -c1-12)
  f=$CACHE/cinder-$key.sql
  if [ -f "$f" ]; then
    SQLROOT cinder <"$f" || die "loading $f failed"
    step "schema loaded from cache"
  else
    CM db sync >>"$LOGS/cinder-manage.log" 2>&1 || { tail_log "$LOGS/cinder-manage.log"; die "cinder-manage db sync failed"; }
    mariadb-dump --socket="$SOCK" -uroot --single-transaction --skip-comments cinder >"$f.tmp.$$" && mv "$f.tmp.$$" "$f"
    step "schema synced (cinder-manage db sync), cached as $(basename "$f")"
  fi
}
entities() {
  [ -f "$DATA/keystone.done" ] && return 0
  $PY "$SRC/cinder-entities.py" >>"$LOGS/up.log" 2>&1 || die "keystone user/endpoint for cinder failed (see $LOGS/up.log)"
  touch "$DATA/keystone.done"
}

## ---------------------------------------------------------------- services
SERVICES="api scheduler volume"
services_start() {
  local s
  for s in $SERVICES; do
    alive "$RUN/cinder-$s.pid" "$ETC/cinder.conf" && continue
    start "cinder-$s" $PY "$SRC/cmd/cinder-$s" --config-file "$ETC/cinder.conf" --log-file "$LOGS/cinder-$s.log"
  done
}
services_stop() {
  local s
  for s in $SERVICES; do stop "$RUN/cinder-$s.pid" "$ETC/cinder.conf" 10 & done
  wait
}
token() {
  curl -sf -D - -o /dev/null -H 'Content-Type: application/json' -d '{"auth":{"identity":{"methods":["password"],
    "password":{"user":{"name":"admin","domain":{"name":"Default"},"password":"admin"}}},
    "scope":{"project":{"name":"admin","domain":{"name":"Default"}}}}}' http://127.0.0.1:5000/v3/auth/tokens |
    awk 'tolower($1)=="x-subject-token:"{print $2}' | tr -d '\r'
}
PROJ=""
cinder_api() { # cinder_api METHOD PATH [BODY]: the body of the answer; fails on HTTP >= 400
  curl -sf --max-time 30 -X "$1" -H "X-Auth-Token: $TOK" -H 'Content-Type: application/json' \
    -H 'OpenStack-API-Version: volume 3.0' ${3:+-d "$3"} "http://127.0.0.1:$PORT/v3/$PROJ$2"
}
backends_up() { # the scheduler knows both backends' pools: drivers initialized, stats reported
  local n
  n=$(cinder_api GET /scheduler-stats/get_pools |
    jq '[.pools[].name|select(test("@ceph-[ab]#"))]|unique|length')
  [ "${n:-0}" -ge 2 ]
}
volume_types() { # volume_types [NAME...]: one public type per backend of that name
  local t have names=("$@")
  [ $# -gt 0 ] || names=(ceph-a ceph-b)
  have=$(cinder_api GET /types | jq -r '.volume_types[].name')
  for t in "${names[@]}"; do
    echo "$have" | grep -qx "$t" && continue
    cinder_api POST /types "{\"volume_type\":{\"name\":\"$t\",\"os-volume-type-access:is_public\":true,
      \"extra_specs\":{\"volume_backend_name\":\"$t\"}}}" >/dev/null || die "creating volume type $t failed"
  done
}

## ---------------------------------------------------------------- the lab nodes
## every $LAB/lab/nodeNN with a live libvirtd
lab_nodes() {
  local d p
  for d in "$LAB"/lab/node[0-9][0-9]; do
    [ -f "$d/libvirtd.pid" ] || continue
    p=$(cat "$d/libvirtd.pid"); gone "$p" || echo "${d##*/}"
  done
  return 0
}
node_pid() { cat "$LAB/lab/$1/libvirtd.pid"; }
VIRSH() { local n=$1; shift; nsenter -t "$(node_pid "$n")" -m -u -- virsh -q -c qemu:///system "$@"; }
## the libvirt secret Nova's RBD disks name (uuid = cluster A's fsid, as cinder.conf says)
node_secret() {
  local n=$1 f u
  f=$RELAY/secret-$n.xml
  ## ours for an earlier cluster A (another fsid): the usage name must be unique
  for u in $(VIRSH "$n" secret-list | awk -v w="client.$CEPH_A_USER lab cluster A" 'index($0, w){print $1}'); do
    [ "$u" = "$CEPH_A_FSID" ] || VIRSH "$n" secret-undefine "$u" >/dev/null
  done
  cat >"$f" <<EOF
<secret ephemeral='no' private='no'>
  <uuid>$CEPH_A_FSID</uuid>
  <usage type='ceph'><name>client.$CEPH_A_USER lab cluster A</name></usage>
</secret>
EOF
  VIRSH "$n" secret-define "$f" >/dev/null || die "$n: virsh secret-define failed"
  printf '%s' "$CEPH_A_USER_KEY" >"$f.key"
  VIRSH "$n" secret-set-value --secret "$CEPH_A_FSID" --file "$f.key" >/dev/null ||
    { rm -f "$f.key"; die "$n: virsh secret-set-value failed"; }
  rm -f "$f.key"
}
## cluster A's listening ports (mon and OSD): 127.0.0.1:PORT in every node's netns is a
## relay to the same port in the root netns (through a unix socket each)
ceph_ports() {
  local lo=${CEPH_A_MON##*:}
  ss -Hltn "( sport >= :$lo and sport <= :$((lo + 99)) )" | awk '{n=split($4,a,":"); print a[n]}' | sort -un
}
relays_up() {
  local p n lp f ports
  ports=" $(ceph_ports | tr '\n' ' ') "
  for f in "$RUN"/relay-*.pid; do   # a cluster made anew may listen on other ports
    [ -e "$f" ] || continue
    p=${f%.pid}; p=${p##*-}
    case $ports in *" $p "*) ;; *) stop "$f" "$RELAY/" 3 ;; esac
  done
  for p in $ports; do
    if ! alive "$RUN/relay-root-$p.pid" "$RELAY/a-$p.sock"; then
      rm -f "$RELAY/a-$p.sock"
      start "relay-root-$p" socat "UNIX-LISTEN:$RELAY/a-$p.sock,fork" "TCP:127.0.0.1:$p"
      waitfor 10 "relay socket $p" test -S "$RELAY/a-$p.sock" || die "relay for port $p did not start"
    fi
    for n in $(lab_nodes); do
      alive "$RUN/relay-$n-$p.pid" "$RELAY/a-$p.sock" && continue
      lp=$(node_pid "$n")
      start "relay-$n-$p" nsenter -t "$lp" -n -- \
        socat "TCP-LISTEN:$p,bind=127.0.0.1,fork,reuseaddr" "UNIX-CONNECT:$RELAY/a-$p.sock"
    done
  done
}
relays_stop() {
  local f
  for f in "$RUN"/relay-*.pid; do [ -e "$f" ] && stop "$f" "$RELAY/" 3; done
  return 0
}
node_mon_ok() { # the node's netns reaches cluster A's monitor through its relay
  nsenter -t "$(node_pid "$1")" -n -- timeout 20 ceph -c "$CEPH_A_CONF" --id "$CEPH_A_USER" \
    --connect-timeout 10 mon stat
}

## ---------------------------------------------------------------- RegionTwo's Cinder
## its services: cinder2-api, cinder2-scheduler, cinder2-volume (config $ETC2/cinder.conf)
r2_start() {
  local s
  for s in $SERVICES; do
    alive "$RUN/cinder2-$s.pid" "$ETC2/cinder.conf" && continue
    start "cinder2-$s" $PY "$SRC/cmd/cinder-$s" --config-file "$ETC2/cinder.conf" --log-file "$LOGS/cinder2-$s.log"
  done
}
r2_stop() {
  local s
  for s in $SERVICES; do stop "$RUN/cinder2-$s.pid" "$ETC2/cinder.conf" 10 & done
  wait
}
r2_running() { local s; for s in $SERVICES; do alive "$RUN/cinder2-$s.pid" "$ETC2/cinder.conf" || return 1; done; }
## the lab's RabbitMQ (openstack.sh: run as root, its cookie under data/rabbitmq/home)
RMQCTL() { HOME=$RMQ_HOME RABBITMQ_NODENAME=$RMQ_NODE timeout 60 /usr/lib/rabbitmq/bin/rabbitmqctl -q "$@"; }
r2_vhost() {
  RMQCTL list_vhosts | grep -qx "$R2_VHOST" && return 0
  RMQCTL add_vhost "$R2_VHOST" >/dev/null && RMQCTL set_permissions -p "$R2_VHOST" openstack '.*' '.*' '.*' >/dev/null ||
    die "RabbitMQ: virtual host $R2_VHOST for RegionTwo's Cinder failed"
  step "RabbitMQ virtual host $R2_VHOST made"
}
## pool volumes2 on cluster B (memstore: a cluster made anew has lost it)
r2_pool() {
  timeout 30 ceph -c "$CEPH_B_CONF" -k "$CEPH_B_KEYRING" osd pool ls | grep -qx "$R2_POOL" && return 0
  timeout 30 ceph -c "$CEPH_B_CONF" -k "$CEPH_B_KEYRING" osd pool create "$R2_POOL" 8 >/dev/null 2>&1 &&
    timeout 30 rbd -c "$CEPH_B_CONF" -k "$CEPH_B_KEYRING" pool init "$R2_POOL" ||
    die "creating pool $R2_POOL on Ceph cluster B failed"
  step "pool $R2_POOL made on cluster B"
}
r2_schema() {
  local key f
  [ -n "$(SQLROOT -B -N -e "SHOW TABLES FROM cinder2 LIKE 'volumes'" 2>/dev/null)" ] && return 0
  SQLROOT -e "CREATE DATABASE IF NOT EXISTS cinder2" || die "creating database cinder2 failed"
  key=$(dpkg-query -W -f='${Version}' python3-cinder mariadb-server | sha1sum | cut -c1-12)
  f=$CACHE/cinder-$key.sql   # `up` made it (RegionOne's schema right after db sync)
  if [ -f "$f" ]; then
    SQLROOT cinder2 <"$f" || die "loading $f into cinder2 failed"
    step "cinder2 schema loaded from cache"
  else
    $PY "$SRC/cmd/cinder-manage" --config-file "$ETC2/cinder.conf" db sync >>"$LOGS/cinder-manage.log" 2>&1 ||
      { tail_log "$LOGS/cinder-manage.log"; die "cinder-manage db sync (cinder2) failed"; }
    step "cinder2 schema synced (cinder-manage db sync)"
  fi
}
r2_backend_up() {
  local n
  n=$(cinder_api GET /scheduler-stats/get_pools | jq --arg h "${R2_HOST%#*}#" '[.pools[].name|select(startswith($h))]|length')
  [ "${n:-0}" -ge 1 ]
}
r2_ready() { curl -sf -o /dev/null --max-time 5 "http://127.0.0.1:$R2_PORT/healthcheck"; }
r2_token() {
  TOK=$(token); [ -n "$TOK" ] || die "no Keystone token"
  PROJ=$(curl -sf -H "X-Auth-Token: $TOK" -H "X-Subject-Token: $TOK" http://127.0.0.1:5000/v3/auth/tokens |
    jq -r .token.project.id)
}
cmd_region2_up() {
  local t0=$EPOCHREALTIME
  alive "$RUN/cinder-volume.pid" "$ETC/cinder.conf" || cmd_up
  : >>"$LOGS/up.log"
  eval "$("$HERE/ceph.sh" env)"
  render "$SRC/etc/cinder/cinder-region2.conf" "$ETC2/cinder.conf" && r2_stop   # new fsid or template
  mkdir -p "$DATA2/lock" "$DATA2/conversion"
  r2_pool
  r2_schema
  r2_vhost
  if [ ! -f "$DATA2/keystone.done" ]; then
    $PY "$SRC/cinder-entities.py" "$R2_REGION" "$R2_PORT" >>"$LOGS/up.log" 2>&1 ||
      die "keystone: the volumev3 endpoint in $R2_REGION failed (see $LOGS/up.log)"
    touch "$DATA2/keystone.done"
  fi
  r2_start
  r2_token
  PORT=$R2_PORT   # cinder_api, volume_types: RegionTwo's from here on
  waitfor 120 cinder2-api r2_ready || { tail_log "$LOGS/cinder2-api.log" "$LOGS/cinder2-api.out"; die "cinder2-api did not start"; }
  waitfor 120 "cinder2-volume backend $R2_BACKEND" r2_backend_up ||
    { tail_log "$LOGS/cinder2-volume.log" "$LOGS/cinder2-volume.out"; die "cinder2-volume backend not up"; }
  volume_types "$R2_BACKEND"
  step "READY: $R2_REGION api 127.0.0.1:$R2_PORT, backend $R2_BACKEND (cluster B, pool $R2_POOL) up, in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.1f", b-a}') s"
}
cmd_region2_check() {
  r2_running || skip "RegionTwo's Cinder is not running (cinder.sh region2-up)"
  r2_ready || skip "cinder2-api does not answer"
  TOK=$(token); [ -n "$TOK" ] || skip "no Keystone token"
  PROJ=$(curl -sf -H "X-Auth-Token: $TOK" -H "X-Subject-Token: $TOK" http://127.0.0.1:5000/v3/auth/tokens | jq -r .token.project.id)
  PORT=$R2_PORT
  r2_backend_up || skip "RegionTwo's backend $R2_BACKEND is not up"
}

## ---------------------------------------------------------------- commands
ready() {
  curl -sf -o /dev/null --max-time 5 "http://127.0.0.1:$PORT/healthcheck"
}
cmd_up() {
  local t0=$EPOCHREALTIME n
  mkdir -p "$LOGS"; : >"$LOGS/up.log"
  check_pkgs
  [ "$(id -u)" = 0 ] || skip "needs root"
  deps_up
  step "cloud and Ceph up"
  render_all
  if [ $CHANGED = 1 ]; then services_stop; fi   # new fsid or template: start again
  schema
  entities
  services_start
  for n in $(lab_nodes); do node_secret "$n"; done
  relays_up
  step "services started; secrets and relays on $(lab_nodes | wc -l) nodes"
  TOK=$(token); [ -n "$TOK" ] || die "no Keystone token"
  PROJ=$(curl -sf -H "X-Auth-Token: $TOK" -H "X-Subject-Token: $TOK" http://127.0.0.1:5000/v3/auth/tokens |
    jq -r .token.project.id)
  waitfor 120 cinder-api ready || { tail_log "$LOGS/cinder-api.log" "$LOGS/cinder-api.out"; die "cinder-api did not start"; }
  waitfor 120 "cinder-volume backends" backends_up ||
    { tail_log "$LOGS/cinder-volume.log" "$LOGS/cinder-volume.out"; die "cinder-volume backends not up"; }
  volume_types
  for n in $(lab_nodes); do
    waitfor 30 "$n: cluster A through the relays" node_mon_ok "$n" || die "$n does not reach cluster A's monitor"
  done
  step "READY: api 127.0.0.1:$PORT, backends ceph-a ceph-b up, in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.1f", b-a}') s"
}
cmd_down() {
  [ -d "$RUN" ] || return 0
  r2_stop
  services_stop
  relays_stop
}
cmd_status() {
  local f any=0
  for f in "$RUN"/*.pid; do
    [ -e "$f" ] || continue
    if alive "$f" "$CI_"; then echo "  $(basename "$f" .pid): pid $(cat "$f")"; any=1
    else echo "  $(basename "$f" .pid): DEAD (stale pid file)"; fi
  done
  [ $any = 1 ]
}
cmd_check() {
  local s
  for s in $SERVICES; do alive "$RUN/cinder-$s.pid" "$ETC/cinder.conf" || skip "cinder-$s is not running (cinder.sh up)"; done
  ready || skip "cinder-api does not answer"
  TOK=$(token); [ -n "$TOK" ] || skip "no Keystone token"
  PROJ=$(curl -sf -H "X-Auth-Token: $TOK" -H "X-Subject-Token: $TOK" http://127.0.0.1:5000/v3/auth/tokens | jq -r .token.project.id)
  backends_up || skip "the ceph-a/ceph-b backends are not up"
}
cmd_env() {
  "$HERE/ceph.sh" env
  cat <<EOF
export CINDER_URL=http://127.0.0.1:$PORT/v3
export CINDER_TYPE_A=ceph-a CINDER_TYPE_B=ceph-b
export NOVA_EVAC_CINDER=$CI_
export CINDER2_REGION=$R2_REGION CINDER2_URL=http://127.0.0.1:$R2_PORT/v3
export CINDER2_TYPE=$R2_BACKEND CINDER2_POOL=$R2_POOL CINDER2_HOST='$R2_HOST'
EOF
}

with_lock() {
  mkdir -p "$CI_"
  exec 9>"$CI_/.lock"
  flock -w 600 9 || die "another cinder.sh holds $CI_/.lock"
  "$@"
}
case ${1:-} in
  up) with_lock cmd_up ;;
  down) with_lock cmd_down ;;
  region2-up) with_lock cmd_region2_up ;;
  region2-down) with_lock r2_stop ;;
  region2-check) cmd_region2_check ;;
  status) cmd_status ;;
  check) cmd_check ;;
  env) cmd_env ;;
  *) sed -n '2,/^set -eu/s/^## \{0,1\}//p' "$0" >&2; exit 2 ;;
esac
