#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
## tests/lab/openstack.sh - the OpenStack (Zed, Debian packages) part of the nova-evac lab.
##
##   openstack.sh up db       MariaDB only, with the real nova_api/nova_cell0/nova/glance
##                            schemas (nova-manage / glance-manage; cached as a SQL dump)
##   openstack.sh up fake     + RabbitMQ, Keystone, Placement, Glance, Neutron (API only),
##                            Nova api/conductor/scheduler, 3 nova-compute (fake driver)
##   openstack.sh up libvirt  + the same control plane, real nova-compute (libvirt driver)
##                            in the running nodes of the libvirt lab (tests/lab/lab.sh)
##                            among $NOVA_EVAC_OS_NODES (default node01 node02 node03: a
##                            test that starts node04 for itself does not get a compute there)
##                            fake and libvirt: a second Glance as region RegionTwo of the
##                            same Keystone (127.0.0.1:9293, database glance2, own store)
##   openstack.sh down        stop everything it started (recorded PIDs only)
##   openstack.sh wipe [--cache]  down + remove data/logs (and the schema cache)
##   openstack.sh status      what runs;   openstack.sh mem   PSS per service
##   openstack.sh env         sourceable OS_* / NOVA_EVAC_* variables
##   openstack.sh sql DB [STATEMENT]   SQL as root through the private socket
##                            (batch output, no column names; STATEMENT or stdin)
##   openstack.sh restart-neutron-if-stale   restart neutron-server alone when its
##                            rendered configuration changed (used by tests/lab/net.sh)
##   openstack.sh restart-computes   restart the libvirt-mode nova-computes alone, their
##                            node configs rendered again (virt type: NOVA_EVAC_VIRT, else the one
##                            the cloud was started with)
##   openstack.sh computes-add NODE...     libvirt mode: nova-compute in lab nodes beyond
##                            the cloud's own (lab.sh up starts the nodes that do not run), for a
##                            test that needs more computes for a while (2 GiB of RAM each for
##                            servers: other tests' servers go to the cloud's own); waits until
##                            Nova lists them up (services, hypervisors, host mappings, Placement)
##   openstack.sh computes-remove NODE...  stop those (recorded PIDs) and delete their compute
##                            services, compute nodes, host mappings and resource providers, so
##                            Nova has the cloud's own computes again (refused while Nova has
##                            servers there); the lab nodes keep running
##   openstack.sh glance3-up  a third Glance, region RegionThree (127.0.0.1:9294), whose
##                            only import method is web-download (idempotent; fake/libvirt)
##   openstack.sh glance-rbd-up  two Glances on Ceph RBD (tests/lab/ceph.sh up): RegionCephA
##                            (127.0.0.1:9295, cluster a) and RegionCephB (9296, cluster b)
##   openstack.sh reset db    reload nova_api/nova_cell0/nova/glance from the cache (db mode)
##
## State lives in $NOVA_EVAC_LAB/os (default /var/tmp/nova-evac-lab/os). Everything binds
## 127.0.0.1. `up` is idempotent and each level reuses the lower one. Exit 77 = a
## prerequisite is missing (tests skip), 1 = failure.
set -eu -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$HERE/os
LAB=${NOVA_EVAC_LAB:-/var/tmp/nova-evac-lab}
case $LAB in /*) ;; *) LAB=$(pwd)/$LAB ;; esac
LAB=${LAB%/}
OS=$LAB/os
ETC=$OS/etc RUN=$OS/run DATA=$OS/data LOGS=$OS/logs CACHE=$OS/cache
SOCK=$RUN/mysqld.sock
PY=/usr/bin/python3
NODES=${NOVA_EVAC_OS_NODES:-"node01 node02 node03"}   # the computes (fake: those; libvirt: those running)
RMQ_NODE=nova-evac@localhost
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export NOVA_EVAC_LAB=$LAB NOVA_EVAC_OS=$OS
unset OS_CLOUD TOK || true

T0=$(date +%s.%N)
el() { awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN{printf "%6.1fs", b-a}'; }
step() { echo "[$(el)] $*" | tee -a "$LOGS/up.log" >&2; }
say() { echo "openstack.sh: $*" >&2; }
die() { say "$*"; exit 1; }
skip() { say "$*"; exit 77; }

## ---------------------------------------------------------------- processes
## alive PIDFILE PATTERN: the recorded process runs (not a zombie) and its command
## line contains PATTERN (guards against a recycled PID).
alive() {
  local p st
  p=$(cat "$1" 2>/dev/null) || return 1
  [ -n "$p" ] || return 1
  st=$(pstate "$p") && [ "$st" != Z ] || return 1
  [ -z "${2:-}" ] || tr '\0' ' ' </proc/$p/cmdline 2>/dev/null | grep -qF -- "$2"
}
pstate() { # the state letter of PID (R, S, D, Z, ...); fails if there is no such process
  local s; read -r s 2>/dev/null </proc/$1/stat || return 1
  s=${s##*) }; echo "${s%% *}"
}
gone() { local st; st=$(pstate "$1") || return 0; [ "$st" = Z ]; }
## descendants PID: its children, grandchildren, ... (workers of uwsgi, neutron, rabbitmq)
descendants() {
  local c k f
  for f in /proc/$1/task/*/children; do
    c=(); read -r -a c 2>/dev/null <"$f"   # one line without a newline: read "fails"
    for k in "${c[@]}"; do echo "$k"; descendants "$k"; done
  done
  return 0
}
## stop PIDFILE SIGNAL PATTERN [SECS]: signal the recorded process, wait (a zombie counts
## as gone), SIGKILL after SECS; then SIGKILL its descendants (noted before the signal)
## that are still there 3 s later. A PID whose command line lacks PATTERN is not ours
## (recycled): only the file goes.
stop() {
  local f=$1 sig=$2 pat=$3 secs=${4:-15} p t end kids k
  [ -f "$f" ] || return 0
  if alive "$f" "$pat"; then
    p=$(cat "$f"); t=$EPOCHREALTIME; end=$((${t%.*} + secs))
    kids=$(descendants "$p")
    kill -"$sig" "$p" 2>/dev/null || true
    while ! gone "$p" && [ "${EPOCHREALTIME%.*}" -lt $end ]; do sleep 0.1; done
    if ! gone "$p"; then
      echo "$(basename "$f" .pid): pid $p ignored SIG$sig for ${secs}s, SIGKILL" >>"$LOGS/down.log"
      kill -9 "$p" 2>/dev/null || true
    fi
    end=$((${EPOCHREALTIME%.*} + 3))
    for k in $p $kids; do
      while ! gone "$k" && [ "${EPOCHREALTIME%.*}" -lt $end ]; do sleep 0.1; done
      gone "$k" || kill -9 "$k" 2>/dev/null || true
    done
    echo "$(basename "$f" .pid): pid $p${kids:+ (+$(echo $kids | wc -w))} stopped in $(awk -v a="$t" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.1f", b-a}')s" >>"$LOGS/down.log"
  fi
  rm -f "$f"
}
## start NAME CMD...: setsid in the background, log to logs/NAME.out, record run/NAME.pid
start() {
  local n=$1; shift
  setsid "$@" </dev/null >>"$LOGS/$n.out" 2>&1 9>&- &
  echo $! >"$RUN/$n.pid"
}
waitfor() { # waitfor SECS WHAT CMD...: poll every 0.1 s until CMD succeeds
  local secs=$1 what=$2 end; shift 2
  end=$((${EPOCHREALTIME%.*} + secs))
  until "$@" >/dev/null 2>&1; do
    [ "${EPOCHREALTIME%.*}" -lt $end ] || { say "$what: not ready after ${secs}s"; return 1; }
    sleep 0.1
  done
}
http_ok() { curl -sf -o /dev/null --max-time 5 "$1"; }
port_busy() { ss -Hltn "sport = :$1" | grep -q .; }
tail_log() { for f in "$@"; do [ -f "$f" ] && { say "--- tail $f"; tail -n 15 "$f" >&2; }; done; return 0; }

## ---------------------------------------------------------------- configuration
render() { # render TEMPLATE DEST [sed-args...]: substitute @OS@/@SRC@ (+ extra), write if changed
  local t=$1 d=$2; shift 2
  mkdir -p "$(dirname "$d")"
  sed -e "s|@OS@|$OS|g" -e "s|@SRC@|$SRC|g" "$@" "$t" >"$d.tmp"
  if cmp -s "$d.tmp" "$d"; then rm -f "$d.tmp"; else mv "$d.tmp" "$d"; fi
}
render_all() {
  mkdir -p "$RUN" "$DATA" "$LOGS" "$CACHE"
  local t stamp=$ETC/.rendered
  ## nothing changed since the last rendering: skip (forks are slow on a busy box)
  if [ "$(cat "$stamp" 2>/dev/null)" = "$OS|$SRC" ] && [ -f "$OS/nova.conf" ] &&
    [ -z "$(find "$SRC/etc" "$0" -newer "$stamp" -print -quit 2>/dev/null)" ]; then
    return 0
  fi
  for t in keystone/keystone.conf placement/placement.conf glance/glance-api.conf \
    glance/glance-api-paste.ini neutron/neutron.conf neutron/ml2_conf.ini neutron/api-paste.ini \
    nova/nova.conf nova/nova-db.conf nova/api-paste.ini uwsgi/keystone.ini uwsgi/placement.ini \
    uwsgi/nova-api.ini; do
    render "$SRC/etc/$t" "$ETC/$t"
  done
  cat >"$OS/clouds.yaml.tmp" <<EOF
## nova-evac lab cloud (generated by tests/lab/openstack.sh)
clouds:
  lab:
    auth:
      auth_url: http://127.0.0.1:5000/v3
      username: admin
      password: admin
      project_name: admin
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionOne
    identity_api_version: 3
    interface: public
EOF
  mv "$OS/clouds.yaml.tmp" "$OS/clouds.yaml"
  cat >"$OS/nova.conf.tmp" <<EOF
## nova.conf for nova-evac in the lab: it reads the DB connection like Nova does.
[database]
connection = mysql+pymysql://openstack:secret@127.0.0.1:3306/nova
[api_database]
connection = mysql+pymysql://openstack:secret@127.0.0.1:3306/nova_api
EOF
  mv "$OS/nova.conf.tmp" "$OS/nova.conf"
  echo "$OS|$SRC" >"$stamp"
}
check_pkgs() {
  local missing
  missing=$(dpkg-query -W -f='${Package} ${Status}\n' "$@" 2>/dev/null | awk '$NF=="installed"{ok[$1]=1}
    END{n=split(P,a," "); for(i=1;i<=n;i++) if(!(a[i] in ok)) printf " %s", a[i]}' P="$*")
  [ -z "$missing" ] || skip "missing Debian packages:$missing (run tests/lab/deps.sh openstack)"
}
## cache key: a hash of the package versions the schemas depend on
cache_key() {
  dpkg-query -W -f='${Package}=${Version}\n' "$@" mariadb-server 2>/dev/null | sha1sum | cut -c1-12
}

## ---------------------------------------------------------------- MariaDB
SQLROOT() { mariadb --socket="$SOCK" -uroot "$@"; }
mysql_ping() { mariadb-admin --socket="$SOCK" -uroot --connect-timeout=2 ping; }
mysql_up() {
  if alive "$RUN/mysqld.pid" "$DATA/mysql"; then
    waitfor 30 mariadb mysql_ping || die "mariadb runs but does not answer"
    return 0
  fi
  port_busy 3306 && die "127.0.0.1:3306 is taken by another process"
  local D=$DATA/mysql snap
  if [ ! -d "$D/mysql" ]; then
    rm -rf "$D"; mkdir -p "$DATA"; snap=$(snap_file)
    if [ -f "$snap" ]; then   # users, grants and the db part already in
      tar -C "$DATA" -xf "$snap" || die "unpacking $snap failed"
    else
      mkdir -p "$D"; NEW_DATADIR=1
      mariadb-install-db --no-defaults --user=root --datadir="$D" --innodb-log-file-size=16M --auth-root-authentication-method=normal \
        --skip-test-db >"$LOGS/mysql-install.log" 2>&1 || { tail_log "$LOGS/mysql-install.log"; die "mariadb-install-db failed"; }
    fi
  fi
  ## --no-defaults must come first: ignore /etc/mysql/*. A test database: no doublewrite,
  ## no fsync (the lab's data is disposable; down always shuts it down cleanly).
  setsid /usr/sbin/mariadbd --no-defaults --user=root --datadir="$D" --socket="$SOCK" \
    --port=3306 --bind-address=127.0.0.1 --pid-file="$RUN/mysqld.pid" \
    --log-error="$LOGS/mysqld.log" --max-connections=1000 \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
    --innodb-buffer-pool-size=128M --innodb-log-file-size=16M --innodb-flush-log-at-trx-commit=2 \
    --innodb-doublewrite=0 --innodb-flush-method=nosync --skip-name-resolve \
    </dev/null >>"$LOGS/mysqld.out" 2>&1 9>&- &
  echo $! >"$RUN/mysqld.pid"   # mariadbd rewrites it with the same PID
  waitfor 60 mariadb mysql_ping || { tail_log "$LOGS/mysqld.log"; die "mariadb did not start"; }
  SQLROOT <<'SQL'
CREATE USER IF NOT EXISTS 'openstack'@'127.0.0.1' IDENTIFIED BY 'secret';
CREATE USER IF NOT EXISTS 'openstack'@'localhost' IDENTIFIED BY 'secret';
GRANT ALL PRIVILEGES ON *.* TO 'openstack'@'127.0.0.1' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO 'openstack'@'localhost' WITH GRANT OPTION;
CREATE DATABASE IF NOT EXISTS nova_api; CREATE DATABASE IF NOT EXISTS nova_cell0;
CREATE DATABASE IF NOT EXISTS nova; CREATE DATABASE IF NOT EXISTS glance;
CREATE DATABASE IF NOT EXISTS keystone; CREATE DATABASE IF NOT EXISTS placement;
CREATE DATABASE IF NOT EXISTS neutron;
FLUSH PRIVILEGES;
SQL
}
## A snapshot of a cleanly shut down datadir holding the db part (made once per cache key
## by `up db` from a new datadir): a new datadir is then unpacked (~0.5 s) instead of
## mariadb-install-db + loading the dump (~3 s).
NEW_DATADIR=0
snap_file() { echo "$CACHE/db-$(cache_key python3-nova python3-glance).datadir.tar"; }
snapshot() {
  local snap; snap=$(snap_file)
  [ "$NEW_DATADIR" = 1 ] && [ ! -f "$snap" ] || return 0
  stop "$RUN/mysqld.pid" TERM "$DATA/mysql" 60
  ## ibdata1 etc. are mostly zero pages: punch holes, so the tar and its unpacking are
  ## ~25 MB instead of ~125 MB
  find "$DATA/mysql" -type f -size +64k | while read -r f; do fallocate --dig-holes "$f"; done
  tar --sparse -C "$DATA" -cf "$snap.tmp.$$" mysql && mv "$snap.tmp.$$" "$snap"
  mysql_up
  step "datadir snapshot cached as $(basename "$snap")"
}
## schema parts: "db" = nova_api nova_cell0 nova glance; "cp" = keystone placement neutron
## (+ keystone bootstrap, service users and catalog, + fernet/credential keys)
DB_PART="nova_api nova_cell0 nova glance"
CP_PART="keystone placement neutron"
marker() { echo "$DATA/mysql/nova-evac-$1.done"; }
NM() { $PY "$SRC/cmd/nova-manage" --config-file "$ETC/nova/nova.conf" --config-file "$ETC/nova/nova-db.conf" "$@"; }
sync_db_part() {
  ( NM api_db sync && NM cell_v2 map_cell0 && NM cell_v2 create_cell --name cell1 && NM db sync
  ) >>"$LOGS/nova-manage.log" 2>&1 & local n=$!
  mkdir -p "$DATA/glance/images" "$DATA/glance/staging" "$DATA/glance/tasks"
  $PY "$SRC/cmd/glance-manage" --config-file "$ETC/glance/glance-api.conf" db_sync >>"$LOGS/glance-manage.log" 2>&1 & local g=$!
  wait $n || { tail_log "$LOGS/nova-manage.log"; die "nova schema sync failed"; }
  wait $g || { tail_log "$LOGS/glance-manage.log"; die "glance schema sync failed"; }
}
dump() { # dump FILE DB...: atomic SQL dump
  local f=$1; shift
  mariadb-dump --socket="$SOCK" -uroot --single-transaction --skip-comments --routines --triggers \
    --databases "$@" >"$f.tmp.$$" && mv "$f.tmp.$$" "$f"
}
## schemas_db: nova_api, nova_cell0 (cell0 mapped), nova (cell1), glance - from the cache
## when it has a dump for these package versions, else by the real tools (and cache it)
schemas_db() {
  [ -f "$(marker db)" ] && return 0
  local f=$CACHE/db-$(cache_key python3-nova python3-glance).sql
  if [ -f "$f" ]; then
    SQLROOT <"$f" || die "loading $f failed"
    mkdir -p "$DATA/glance/images" "$DATA/glance/staging" "$DATA/glance/tasks"
    step "nova/glance schemas loaded from cache"
  else
    sync_db_part
    step "nova/glance schemas synced (nova-manage, glance-manage)"
    dump "$f" $DB_PART && step "cached as $(basename "$f")"
  fi
  touch "$(marker db)"
}
db_dirty() {
  local n
  n=$(SQLROOT -B -N -e "SELECT (SELECT COUNT(*) FROM nova.services) + (SELECT COUNT(*) FROM nova.compute_nodes)
    + (SELECT COUNT(*) FROM nova.instances) + (SELECT COUNT(*) FROM nova.migrations)
    + (SELECT COUNT(*) FROM nova_api.host_mappings) + (SELECT COUNT(*) FROM nova_api.instance_mappings)
    + (SELECT COUNT(*) FROM nova_api.flavors) + (SELECT COUNT(*) FROM glance.images)") || return 0
  [ "$n" != 0 ]
}
reload_db_part() { # drop the four DBs and load the dump again (mariadb keeps running)
  local f=$CACHE/db-$(cache_key python3-nova python3-glance).sql
  [ -f "$f" ] || die "no cached dump $f (run up db once)"
  SQLROOT -e "DROP DATABASE IF EXISTS nova_api; DROP DATABASE IF EXISTS nova_cell0; DROP DATABASE IF EXISTS nova; DROP DATABASE IF EXISTS glance;"
  SQLROOT <"$f" || die "loading $f failed"
  rm -rf "$DATA/glance"; mkdir -p "$DATA/glance/images" "$DATA/glance/staging" "$DATA/glance/tasks"
}
## reset db: nova_api/nova_cell0/nova/glance back to freshly synced. Pure db mode with a
## snapshot: swap the datadir (~1 s); else drop the four DBs and reload the dump.
reset_db() {
  alive "$RUN/mysqld.pid" "$DATA/mysql" || die "mariadb is not running (up db first)"
  [ "$(cat "$RUN/mode" 2>/dev/null)" = db ] || die "reset db only in db mode (services would hold stale state)"
  local f=$CACHE/db-$(cache_key python3-nova python3-glance).sql snap; snap=$(snap_file)
  if [ -f "$snap" ] && [ ! -f "$(marker cp)" ]; then
    stop "$RUN/mysqld.pid" TERM "$DATA/mysql" 60
    rm -rf "$DATA/mysql" "$DATA/glance"
    mysql_up
    mkdir -p "$DATA/glance/images" "$DATA/glance/staging" "$DATA/glance/tasks"
    step "datadir reset from $(basename "$snap")"
    return 0
  fi
  reload_db_part
  step "nova_api, nova_cell0, nova, glance reloaded from $(basename "$f")"
}

## ---------------------------------------------------------------- RabbitMQ
rmq_env() {
  local R=$DATA/rabbitmq
  mkdir -p "$R/home" "$R/mnesia" "$R/log"
  export HOME=$R/home RABBITMQ_NODENAME=$RMQ_NODE
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT=5672 RABBITMQ_DIST_PORT=25672
  export ERL_EPMD_ADDRESS=127.0.0.1 ERL_EPMD_PORT=4369
  export RABBITMQ_MNESIA_BASE=$R/mnesia RABBITMQ_LOG_BASE=$R/log
  export RABBITMQ_ENABLED_PLUGINS_FILE=$R/enabled_plugins RABBITMQ_ENABLED_PLUGINS=''
  export RABBITMQ_PID_FILE=$RUN/rabbitmq.pid RABBITMQ_CONFIG_FILE=$R/rabbitmq.conf
  export RABBITMQ_CONF_ENV_FILE=$R/rabbitmq-env.conf
  ## or the distribution port listens on 0.0.0.0
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
  [ -f "$R/enabled_plugins" ] || echo '[].' >"$R/enabled_plugins"
  touch "$R/rabbitmq-env.conf"
  ## the user is created on the first boot of an empty mnesia (no rabbitmqctl calls needed)
  cat >"$R/rabbitmq.conf" <<'EOF'
default_user = openstack
default_pass = secret
default_vhost = /
default_permissions.configure = .*
default_permissions.read = .*
default_permissions.write = .*
log.console = false
EOF
}
amqp_ok() { timeout 2 bash -c 'exec 3<>/dev/tcp/127.0.0.1/5672' 2>/dev/null; }
rabbit_up() {
  if alive "$RUN/rabbitmq.pid" "$DATA/rabbitmq"; then waitfor 60 rabbitmq amqp_ok; return; fi
  port_busy 5672 && { say "127.0.0.1:5672 is taken by another process"; return 1; }
  rmq_env
  local epmd_before=0; port_busy 4369 && epmd_before=1
  rm -f "$RUN/rabbitmq.pid"
  ( cd "$DATA/rabbitmq" && start rabbitmq-launch /usr/lib/rabbitmq/bin/rabbitmq-server )
  waitfor 120 rabbitmq amqp_ok || { tail_log "$LOGS/rabbitmq-launch.out"; return 1; }
  ## epmd is spawned as a daemon: ours to stop only if 4369 was free before
  if [ $epmd_before = 0 ]; then
    ss -Hltnp 'sport = :4369' | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2 >"$RUN/epmd.pid"
  fi
}

## ---------------------------------------------------------------- Keystone & co
KM() { keystone-manage --config-file "$ETC/keystone/keystone.conf" "$@"; }
sync_cp_part() {
  mkdir -p "$DATA/keystone"
  ( KM db_sync && KM fernet_setup --keystone-user root --keystone-group root &&
    KM credential_setup --keystone-user root --keystone-group root &&
    KM bootstrap --bootstrap-password admin --bootstrap-admin-url http://127.0.0.1:5000/v3/ \
      --bootstrap-internal-url http://127.0.0.1:5000/v3/ --bootstrap-public-url http://127.0.0.1:5000/v3/ \
      --bootstrap-region-id RegionOne ) >>"$LOGS/keystone-manage.log" 2>&1 & local k=$!
  placement-manage --config-file "$ETC/placement/placement.conf" db sync >>"$LOGS/placement-manage.log" 2>&1 & local p=$!
  $PY "$SRC/cmd/neutron-db-manage" --config-file "$ETC/neutron/neutron.conf" \
    --config-file "$ETC/neutron/ml2_conf.ini" upgrade heads >>"$LOGS/neutron-db-manage.log" 2>&1 & local n=$!
  wait $k || { tail_log "$LOGS/keystone-manage.log"; die "keystone db_sync/bootstrap failed"; }
  wait $p || { tail_log "$LOGS/placement-manage.log"; die "placement db sync failed"; }
  wait $n || { tail_log "$LOGS/neutron-db-manage.log"; die "neutron-db-manage failed"; }
}
## schemas_cp: keystone (bootstrapped, service users, catalog), placement, neutron.
## From the cache: load the dump and copy the keys; else sync (keystone must then be
## started to create the users; the dump is taken in keystone_wait).
CP_CACHE=""
schemas_cp() {
  [ -f "$(marker cp)" ] && return 0
  CP_CACHE=$CACHE/cp-$(cache_key python3-keystone python3-placement python3-neutron)
  if [ -f "$CP_CACHE.sql" ] && [ -f "$CP_CACHE.keys.tar" ]; then
    SQLROOT <"$CP_CACHE.sql" || die "loading $CP_CACHE.sql failed"
    rm -rf "$DATA/keystone"; mkdir -p "$DATA/keystone"
    tar -C "$DATA/keystone" -xf "$CP_CACHE.keys.tar"
    touch "$(marker cp)"
    step "keystone/placement/neutron schemas loaded from cache"
  else
    sync_cp_part
    step "keystone/placement/neutron schemas synced, keystone bootstrapped"
  fi
}
## Each API service: *_start launches it (if not running), *_wait waits until it answers.
keystone_start() {
  alive "$RUN/keystone.pid" "$ETC/uwsgi/keystone.ini" && return 0
  port_busy 5000 && die "127.0.0.1:5000 is taken by another process"
  rm -f "$RUN/keystone.pid"
  setsid uwsgi --ini "$ETC/uwsgi/keystone.ini" </dev/null >>"$LOGS/keystone-uwsgi.log" 2>&1 9>&- &
}
keystone_wait() {
  waitfor 120 keystone http_ok http://127.0.0.1:5000/v3 || { tail_log "$LOGS/keystone-uwsgi.log" "$LOGS/keystone.log"; die "keystone did not start"; }
  step "keystone up"
  if [ ! -f "$(marker cp)" ]; then
    $PY "$SRC/keystone-entities.py" >>"$LOGS/up.log" 2>&1 || die "keystone users/catalog failed (see $LOGS/up.log)"
    ## nothing but keystone-manage and the entities script has touched these DBs yet
    ## (placement and neutron are started only after this)
    dump "$CP_CACHE.sql" $CP_PART && tar -C "$DATA/keystone" -cf "$CP_CACHE.keys.tar" fernet-keys credential-keys
    touch "$(marker cp)"
    step "keystone service users/catalog created; cached as $(basename "$CP_CACHE").{sql,keys.tar}"
  fi
}
placement_start() {
  alive "$RUN/placement.pid" "$ETC/uwsgi/placement.ini" && return 0
  port_busy 8778 && die "127.0.0.1:8778 is taken by another process"
  rm -f "$RUN/placement.pid"
  setsid uwsgi --ini "$ETC/uwsgi/placement.ini" </dev/null >>"$LOGS/placement-uwsgi.log" 2>&1 9>&- &
}
placement_wait() {
  waitfor 120 placement http_ok http://127.0.0.1:8778/ || { tail_log "$LOGS/placement-uwsgi.log"; die "placement did not start"; }
  step "placement up"
}
neutron_start() {
  mkdir -p "$DATA/neutron/lock"
  alive "$RUN/neutron-server.pid" "$ETC/neutron/neutron.conf" && return 0
  port_busy 9696 && die "127.0.0.1:9696 is taken by another process"
  start neutron-server $PY "$SRC/cmd/neutron-server" --config-file "$ETC/neutron/neutron.conf" \
    --config-file "$ETC/neutron/ml2_conf.ini"
  neutron_conf_sum >"$RUN/neutron-server.sum"
}
neutron_conf_sum() { cat "$ETC/neutron/neutron.conf" "$ETC/neutron/ml2_conf.ini" | sha1sum | cut -c1-12; }
## restart-neutron-if-stale: neutron-server runs with the configuration rendered now (the
## network lab, tests/lab/net.sh, needs its linuxbridge driver), else restart it alone
cmd_restart_neutron() {
  local mode; mode=$(cat "$RUN/mode" 2>/dev/null || true)
  case $mode in fake|libvirt) ;; *) die "restart-neutron-if-stale: the cloud is not up" ;; esac
  render_all
  if alive "$RUN/neutron-server.pid" "$ETC/neutron/neutron.conf" &&
    [ "$(cat "$RUN/neutron-server.sum" 2>/dev/null)" = "$(neutron_conf_sum)" ]; then return 0; fi
  stop "$RUN/neutron-server.pid" TERM "$ETC/neutron/neutron.conf" 10
  neutron_start
  neutron_wait || die "neutron-server did not come back"
  step "neutron-server restarted with the current configuration"
}
## restart-computes: stop the libvirt-mode nova-computes and start them again with freshly
## rendered node configs (the network lab needs its os-vif helper in the node's netns)
cmd_restart_computes() {
  local f n since
  [ "$(cat "$RUN/mode" 2>/dev/null)" = libvirt ] || die "restart-computes: the cloud is not up in libvirt mode"
  for f in "$RUN"/nova-compute-*.pid; do
    [ -e "$f" ] || continue; n=$(basename "$f" .pid); n=${n#nova-compute-}
    stop "$f" TERM "$ETC/nova/$n.conf" 10 &
  done
  wait
  since=$(date -u +%Y-%m-%dT%H:%M:%S)
  libvirt_computes_up
  TOK=$(token)
  computes_ready "$(($(wc -l <"$RUN/libvirt-nodes") + $(extra_computes | wc -w)))" "$since"
}
## the nodes computes-add gave a nova-compute (run/extra-computes, one a line)
extra_computes() { cat "$RUN/extra-computes" 2>/dev/null || true; }
svc_json() { nova GET "/os-services?binary=nova-compute&host=$1" | body; }
## compute_ready NODE SINCE: Nova has NODE's compute service up (reported after SINCE), its
## hypervisor up, its host mapped to cell1 and its resource provider with DISK_GB in Placement
compute_ready() {
  local rp
  svc_json "$1" | jq -e --arg t "$2" '.services[0] | .state=="up" and .updated_at >= $t' || return 1
  nova GET "/os-hypervisors?hypervisor_hostname_pattern=$1" | body |
    jq -e --arg h "$1" '[.hypervisors[] | select(.hypervisor_hostname==$h and .state=="up")] | length == 1' || return 1
  [ "$(SQLROOT -B -N nova_api -e "SELECT COUNT(*) FROM host_mappings WHERE host='$1'")" = 1 ] || return 1
  rp=$(placement GET "/resource_providers?name=$1" | body | jq -r '.resource_providers[0].uuid // empty')
  [ -n "$rp" ] && placement GET "/resource_providers/$rp/inventories" | body | jq -e '.inventories.DISK_GB'
}
## compute_gone NODE: nothing of NODE's compute is left in Nova or Placement
compute_gone() {
  svc_json "$1" | jq -e '.services | length == 0' &&
    nova GET "/os-hypervisors?hypervisor_hostname_pattern=$1" | body | jq -e '(.hypervisors // []) | length == 0' &&
    [ "$(SQLROOT -B -N nova_api -e "SELECT COUNT(*) FROM host_mappings WHERE host='$1'")" = 0 ] &&
    placement GET "/resource_providers?name=$1" | body | jq -e '.resource_providers | length == 0'
}
## computes_args WHAT NODE...: the nodes must be lab node names outside $NODES
computes_args() {
  local what=$1 n; shift
  [ $# -gt 0 ] || die "usage: $what NODE... (lab nodes beyond the cloud's own: $NODES)"
  [ "$(cat "$RUN/mode" 2>/dev/null)" = libvirt ] || die "$what: the cloud is not up in libvirt mode (openstack.sh up libvirt)"
  for n in "$@"; do
    case $n in node[0-9][0-9]) ;; *) die "$what: '$n' is not a lab node name (nodeNN); nothing changed" ;; esac
    case " $NODES " in *" $n "*) die "$what: $n is one of the cloud's own computes ($NODES); nothing changed" ;; esac
  done
}
cmd_computes_add() {
  local n max=0 since missing=""
  computes_args computes-add "$@"
  for n in "$@"; do
    [ $((10#${n#node})) -gt $max ] && max=$((10#${n#node}))
    case " $(lab_nodes | tr '\n' ' ') " in *" $n "*) ;; *) missing="$missing $n" ;; esac
  done
  if [ -n "$missing" ]; then
    step "starting lab node(s)$missing (tests/lab/lab.sh up $max)"
    "$HERE/lab.sh" up "$max" >>"$LOGS/lab.out" 2>&1 9>&- || { tail_log "$LOGS/lab.out"; die "lab.sh up $max failed"; }
  fi
  since=$(date -u +%Y-%m-%dT%H:%M:%S)
  { extra_computes; printf '%s\n' "$@"; } | sort -u >"$RUN/extra-computes.tmp"
  mv "$RUN/extra-computes.tmp" "$RUN/extra-computes"
  libvirt_computes_up
  TOK=$(token)
  for n in "$@"; do
    ## the scheduler maps new hosts every 2 s; nova-manage only if that did not happen
    if ! waitfor 120 "nova-compute on $n" compute_ready "$n" "$since"; then
      NM cell_v2 discover_hosts >>"$LOGS/nova-manage.log" 2>&1
      waitfor 60 "nova-compute on $n" compute_ready "$n" "$since" ||
        { tail_log "$LOGS/nova-compute-$n.log"; die "computes-add: $n's nova-compute is not ready (computes-remove $n undoes it)"; }
    fi
  done
  step "computes added: $* (up, mapped, in Placement)"
}
rp_unused() { placement GET "/resource_providers/$1/allocations" | body | jq -e '.allocations | length == 0'; }
rp_delete() { local c; c=$(placement DELETE "/resource_providers/$1" | code); [ "$c" = 204 ] || [ "$c" = 404 ]; }
cmd_computes_remove() {
  local n s id rp
  computes_args computes-remove "$@"
  TOK=$(token)
  for n in "$@"; do   # refuse before changing anything
    s=$(nova GET "/servers?all_tenants=1&host=$n" | body | jq -r '[.servers[].id] | join(" ")')
    [ -z "$s" ] || die "computes-remove: Nova still has server(s) on $n ($s): delete or move them first; nothing changed"
  done
  ## disabled first: the scheduler stops choosing them for other servers (a shared cloud);
  ## one that it chose just before (its allocation on the provider) is waited for below
  for n in "$@"; do
    id=$(svc_json "$n" | jq -r '.services[0].id // empty')
    [ -z "$id" ] || nova PUT "/os-services/$id" '{"status":"disabled","disabled_reason":"openstack.sh computes-remove"}' >/dev/null
  done
  for n in "$@"; do
    ## a server the scheduler had sent there (its allocation) is built or gone first
    rp=$(placement GET "/resource_providers?name=$n" | body | jq -r '.resource_providers[0].uuid // empty')
    if [ -n "$rp" ] && ! waitfor 90 "servers being built on $n" rp_unused "$rp"; then
      die "computes-remove: $n (now disabled) still has allocations of $(placement GET "/resource_providers/$rp/allocations" | body | jq -r '.allocations | keys | join(" ")'): delete those servers, then computes-remove $n again"
    fi
    s=$(nova GET "/servers?all_tenants=1&host=$n" | body | jq -r '[.servers[].id] | join(" ")')
    [ -z "$s" ] || die "computes-remove: server(s) $s were built on $n meanwhile ($n is now disabled): delete or move them, then computes-remove $n again"
    stop "$RUN/nova-compute-$n.pid" TERM "$ETC/nova/$n.conf" 10
    id=$(svc_json "$n" | jq -r '.services[0].id // empty')
    if [ -n "$id" ]; then
      [ "$(nova DELETE "/os-services/$id" | code)" = 204 ] || die "computes-remove: Nova refused to delete $n's compute service ($id)"
    fi
    ## Nova deletes the compute node, the host mapping and the resource provider with the
    ## service; a provider it left (allocations of a server scheduled there meanwhile) goes
    ## here once they are gone, with the consumers named if they stay
    rp=$(placement GET "/resource_providers?name=$n" | body | jq -r '.resource_providers[0].uuid // empty')
    if [ -n "$rp" ] && ! waitfor 120 "$n's resource provider" rp_delete "$rp"; then
      die "computes-remove: Placement keeps $n's resource provider $rp: allocations of $(placement GET "/resource_providers/$rp/allocations" | body | jq -r '.allocations | keys | join(" ")') (servers scheduled there: delete them, then computes-remove $n again)"
    fi
    SQLROOT nova_api -e "DELETE FROM host_mappings WHERE host='$n'"
    extra_computes | grep -vx "$n" >"$RUN/extra-computes.tmp" || true
    mv "$RUN/extra-computes.tmp" "$RUN/extra-computes"
    waitfor 30 "$n's compute gone from Nova" compute_gone "$n" || die "computes-remove: $n is still listed by Nova or Placement"
  done
  [ -s "$RUN/extra-computes" ] || rm -f "$RUN/extra-computes"
  step "computes removed: $* (services, hypervisors, host mappings, resource providers)"
}
neutron_wait() { # needs keystone (warm-up)
  waitfor 180 neutron http_ok http://127.0.0.1:9696/ || { tail_log "$LOGS/neutron-server.log"; return 1; }
  ## WARM-UP (required): until another query has configured the SQLAlchemy mappers,
  ## GET /v2.0/ports fails with 500 "type object 'Port' has no attribute
  ## 'port_forwardings'" - and nova only ever calls GET ports.
  local tok; tok=$(token)
  curl -sf -o /dev/null -H "X-Auth-Token: $tok" http://127.0.0.1:9696/v2.0/networks &&
    curl -sf -o /dev/null -H "X-Auth-Token: $tok" 'http://127.0.0.1:9696/v2.0/ports?device_id=warmup' ||
    { tail_log "$LOGS/neutron-server.log"; say "neutron warm-up failed"; return 1; }
}
glance_start() {
  mkdir -p "$DATA/glance/images" "$DATA/glance/staging" "$DATA/glance/tasks"
  alive "$RUN/glance-api.pid" "$ETC/glance/glance-api.conf" && return 0
  port_busy 9292 && die "127.0.0.1:9292 is taken by another process"
  start glance-api $PY "$SRC/cmd/glance-api" --config-file "$ETC/glance/glance-api.conf"
}
glance_wait() {
  waitfor 120 glance http_ok http://127.0.0.1:9292/healthcheck || { tail_log "$LOGS/glance-api.log"; return 1; }
}
## glance2_up: a second Glance, region RegionTwo of the same Keystone (image-copy's
## destination): 127.0.0.1:9293, database glance2 (glance's schema, no rows), its own file
## store under data/glance2, image endpoints in RegionTwo. Idempotent; prints what it
## added to `up` (seconds, PSS).
G2_PORT=9293
glance2_up() { glance_region_up glance2 $G2_PORT RegionTwo; }
## glance3_up: a third Glance, region RegionThree (127.0.0.1:9294, database glance3, own
## file store) whose only import method is web-download: a destination that does not offer
## glance-direct. Not part of `up`: `openstack.sh glance3-up` (idempotent; tests call it).
G3_PORT=9294
glance3_up() {
  glance_region_up glance3 $G3_PORT RegionThree \
    -e "/^workers = /a enabled_import_methods = ['web-download']"
}
## glance_rbd_up: two Glances whose store is Ceph RBD, for image-copy between clusters:
## RegionCephA (127.0.0.1:9295, database glance4, pool images of cluster a) and
## RegionCephB (127.0.0.1:9296, database glance5, pool images of cluster b, made here if
## missing), client nova-evac, locations shown and settable (show_multiple_locations,
## show_image_direct_url). Needs tests/lab/ceph.sh up. Not part of `up`:
## `openstack.sh glance-rbd-up` (idempotent; tests call it).
G4_PORT=9295 G5_PORT=9296
glance_rbd_up() {
  local envs x conf
  envs=$("$HERE/ceph.sh" env 2>/dev/null) && "$HERE/ceph.sh" check >/dev/null 2>&1 ||
    skip "glance-rbd-up: the Ceph clusters do not answer (tests/lab/ceph.sh up)"
  eval "$envs"
  timeout 30 ceph -c "$CEPH_B_CONF" -k "$CEPH_B_KEYRING" osd pool ls | grep -qx images || {
    timeout 30 ceph -c "$CEPH_B_CONF" -k "$CEPH_B_KEYRING" osd pool create images 8 >/dev/null 2>&1 &&
      timeout 30 rbd -c "$CEPH_B_CONF" -k "$CEPH_B_KEYRING" pool init images; } ||
    die "glance-rbd-up: creating pool images on ceph cluster b failed"
  for x in A B; do
    eval conf=\$CEPH_${x}_CONF
    glance_region_up glance$([ $x = A ] && echo 4 || echo 5) $([ $x = A ] && echo $G4_PORT || echo $G5_PORT) \
      RegionCeph$x -e "s|^enabled_backends = .*|enabled_backends = ceph:rbd|" \
      -e "s|^default_backend = .*|default_backend = ceph|" \
      -e "/^workers = /a show_multiple_locations = True\nshow_image_direct_url = True" \
      -e "\$a [ceph]\nrbd_store_pool = images\nrbd_store_user = $CEPH_A_USER\nrbd_store_ceph_conf = $conf\nrbd_store_chunk_size = 4\nrados_connect_timeout = 10"
  done
}
## glance_region_up NAME PORT REGION [sed-args...]: a Glance NAME on PORT, database NAME,
## store data/NAME, its image endpoints in REGION; sed-args change its glance-api.conf
glance_region_up() {
  local n=$1 port=$2 reg=$3; shift 3
  local t0=$EPOCHREALTIME d=$DATA/$n c=$ETC/$n/glance-api.conf svc r itf have kb
  mkdir -p "$d/images" "$d/staging" "$d/tasks"
  render "$SRC/etc/glance/glance-api.conf" "$c" -e "s|^bind_port = .*|bind_port = $port|" \
    -e "s|/logs/glance-api.log|/logs/$n-api.log|" -e "s|/data/glance/|/data/$n/|" \
    -e "s|:3306/glance$|:3306/$n|" "$@"
  if ! alive "$RUN/$n-api.pid" "$c"; then
    if [ -z "$(SQLROOT -B -N -e "SHOW DATABASES LIKE '$n'")" ]; then
      ## glance's tables and alembic version without its rows: no second db_sync (~20 s)
      SQLROOT -e "CREATE DATABASE $n" &&
        mariadb-dump --socket="$SOCK" -uroot --no-data glance | SQLROOT $n &&
        SQLROOT $n -e "INSERT INTO alembic_version SELECT * FROM glance.alembic_version" ||
        die "$n database failed"
    fi
    port_busy $port && die "127.0.0.1:$port is taken by another process"
    start $n-api $PY "$SRC/cmd/glance-api" --config-file "$c"
  fi
  [ -n "${TOK:-}" ] || TOK=$(token)
  svc=$(curl -sf -H "X-Auth-Token: $TOK" "$KS/services?type=image" | jq -r '.services[0].id')
  [ -n "$svc" ] && [ "$svc" != null ] || die "keystone: no image service to add RegionTwo to"
  r=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Auth-Token: $TOK" "$KS/regions/$reg")
  [ "$r" = 200 ] || curl -sf -o /dev/null -H "X-Auth-Token: $TOK" -H 'Content-Type: application/json' \
    -d "{\"region\":{\"id\":\"$reg\"}}" "$KS/regions" || die "keystone: creating region $reg failed"
  have=$(curl -sf -H "X-Auth-Token: $TOK" "$KS/endpoints?service_id=$svc&region_id=$reg" | jq -r '.endpoints[].interface')
  for itf in public internal admin; do
    echo "$have" | grep -qx $itf && continue
    curl -sf -o /dev/null -H "X-Auth-Token: $TOK" -H 'Content-Type: application/json' \
      -d "{\"endpoint\":{\"service_id\":\"$svc\",\"interface\":\"$itf\",\"region_id\":\"$reg\",\"url\":\"http://127.0.0.1:$port\"}}" \
      "$KS/endpoints" || die "keystone: creating the $reg $itf image endpoint failed"
  done
  waitfor 120 $n http_ok http://127.0.0.1:$port/healthcheck || { tail_log "$LOGS/$n-api.log"; die "glance $reg did not start"; }
  kb=$(awk '/^Pss:/{print $2}' /proc/"$(cat "$RUN/$n-api.pid")"/smaps_rollup 2>/dev/null)
  step "glance $reg up (127.0.0.1:$port): added $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.1f", b-a}') s, PSS $(( ${kb:-0} / 1024 )) MiB"
}
nova_api_start() { # needs only MariaDB: start it first, it is the slowest to load (2 workers)
  alive "$RUN/nova-api.pid" "$ETC/uwsgi/nova-api.ini" && return 0
  port_busy 8774 && die "127.0.0.1:8774 is taken by another process"
  rm -f "$RUN/nova-api.pid"
  setsid uwsgi --ini "$ETC/uwsgi/nova-api.ini" </dev/null >>"$LOGS/nova-api-uwsgi.log" 2>&1 9>&- &
}
nova_control_start() { # conductor, scheduler: MariaDB and RabbitMQ
  mkdir -p "$DATA/nova/lock"
  local s
  for s in conductor scheduler; do
    alive "$RUN/nova-$s.pid" "$ETC/nova/nova-db.conf" && continue
    start nova-$s $PY "$SRC/cmd/nova-$s" --config-file "$ETC/nova/nova.conf" \
      --config-file "$ETC/nova/nova-db.conf" --log-file "$LOGS/nova-$s.log"
  done
}

## ---------------------------------------------------------------- computes
fake_computes_up() {
  local n
  for n in $NODES; do
    render "$SRC/etc/nova/node-fake.conf" "$ETC/nova/$n.conf" -e "s|@NODE@|$n|g"
    mkdir -p "$DATA/nova-$n/lock"
    alive "$RUN/nova-compute-$n.pid" "$ETC/nova/$n.conf" && continue
    start nova-compute-$n $PY "$SRC/cmd/nova-compute" --config-file "$ETC/nova/nova.conf" \
      --config-file "$ETC/nova/$n.conf"
  done
}
## lab nodes: every $LAB/lab/nodeNN with a live libvirtd
lab_nodes() {
  local d n
  for d in "$LAB"/lab/node[0-9][0-9]; do
    n=${d##*/}; alive "$d/libvirtd.pid" libvirtd && echo "$n"
  done
  return 0
}
lab_up() {
  [ -n "$(lab_nodes)" ] && return 0
  [ -x "$HERE/lab.sh" ] || skip "libvirt lab is not running and tests/lab/lab.sh is missing"
  step "starting the libvirt lab (tests/lab/lab.sh up 3)"
  "$HERE/lab.sh" up 3 >>"$LOGS/lab.out" 2>&1 9>&- || { tail_log "$LOGS/lab.out"; die "lab.sh up 3 failed"; }
  touch "$RUN/lab-started-by-us"
}
libvirt_computes_up() {
  local n lp ip virt num res
  rm -f "$RUN/libvirt-nodes.tmp"
  for n in $(lab_nodes); do
    case " $NODES $(extra_computes | tr '\n' ' ')" in *" $n "*) ;; *) continue ;; esac
    lp=$(cat "$LAB/lab/$n/libvirtd.pid")
    num=${n#node}; num=$((10#$num))
    ip=10.77.0.$((10 + num))
    ## NOVA_EVAC_VIRT, else the type this cloud was started with ($RUN/virt: a restart from a
    ## shell without NOVA_EVAC_VIRT, e.g. a test's restart-computes, once turned two TCG nodes
    ## into KVM ones under the network lab's guests), else KVM when the node offers it
    virt=${NOVA_EVAC_VIRT:-$(cat "$RUN/virt" 2>/dev/null)}
    if [ -z "$virt" ]; then
      if nsenter -t "$lp" -m -u -- virsh -c qemu:///system capabilities 2>/dev/null | grep -q "domain type='kvm'"; then
        virt=kvm; else virt=qemu; fi
    fi
    echo "$virt" >"$RUN/virt"
    ## computes-add's nodes keep 2 GiB of RAM for servers: Nova's RAM weigher then sends
    ## other tests' servers to the cloud's own computes, not to these (a shared cloud)
    res=()
    case " $NODES " in *" $n "*) ;; *)
      res=(-e "/^\[DEFAULT\]\$/a reserved_host_memory_mb = $(($(awk '/^MemTotal:/ {print int($2 / 1024)}' /proc/meminfo) - 2048))") ;;
    esac
    render "$SRC/etc/nova/node-libvirt.conf" "$ETC/nova/$n.conf" -e "s|@NODE@|$n|g" -e "s|@IP@|$ip|g" \
      -e "s|@VIRT@|$virt|g" -e "s|@INSTANCES@|$LAB/instances|g" -e "s|@LIBVIRTD_PID@|$lp|g" "${res[@]}"
    mkdir -p "$DATA/nova-$n/lock"
    ## computes-add's nodes stay out of libvirt-nodes (net.sh gives those nodes its agents)
    case " $NODES " in *" $n "*) echo "$n" >>"$RUN/libvirt-nodes.tmp" ;; esac
    alive "$RUN/nova-compute-$n.pid" "$ETC/nova/$n.conf" && continue
    ## node's mount + UTS namespace (its /run -> its libvirtd, its instances dir, hostname),
    ## root netns (127.0.0.1 control plane); bin/ssh, bin/scp first in PATH.
    ## setsid, nsenter (no -p) and env all exec: the recorded PID is nova-compute's.
    start nova-compute-$n nsenter -t "$lp" -m -u -- env PATH="$SRC/bin:$PATH" HOME=/root \
      NOVA_EVAC_LAB="$LAB" NOVA_EVAC_OS="$OS" $PY "$SRC/cmd/nova-compute" \
      --config-file "$ETC/nova/nova.conf" --config-file "$ETC/nova/$n.conf"
  done
  if [ -f "$RUN/libvirt-nodes.tmp" ]; then
    sort -u "$RUN/libvirt-nodes.tmp" >"$RUN/libvirt-nodes" && rm -f "$RUN/libvirt-nodes.tmp"
  else
    : >"$RUN/libvirt-nodes"
  fi
  return 0
}

## ---------------------------------------------------------------- REST helpers
. "$SRC/api.sh"
count_up() { # count_up N [SINCE]: at least N nova-compute services up (that reported after SINCE)
  local s
  s=$(nova GET '/os-services?binary=nova-compute' | body |
    jq --arg t "${2:-}" '[.services[]|select(.state=="up" and (.updated_at // "") >= $t)]|length' 2>/dev/null)
  [ "${s:-0}" -ge "$1" ]
}
count_hv() {
  local h
  h=$(nova GET /os-hypervisors | body | jq '[.hypervisors[]|select(.state=="up")]|length' 2>/dev/null)
  [ "${h:-0}" -ge "$1" ]
}
computes_ready() { # computes_ready N SINCE: a service record looks "up" for 60 s after its
  local n=$1 since=$2  # process died: count only reports newer than the start of this `up`
  waitfor 180 "nova-compute services" count_up "$n" "$since" || { tail_log "$LOGS"/nova-compute-*.log; die "nova-compute not up"; }
  step "$n nova-compute services up"
  ## the scheduler maps new hosts every 2 s; nova-manage only if that did not happen
  if ! waitfor 20 "host mapping by nova-scheduler" count_hv "$n"; then
    NM cell_v2 discover_hosts >>"$LOGS/nova-manage.log" 2>&1
    waitfor 120 hypervisors count_hv "$n" || die "hypervisors not mapped"
  fi
  step "$n hypervisors up (hosts mapped to cell1)"
}
seed() { # flavors m1.tiny/m1.small, a 1 MiB raw image "tiny" (idempotent)
  local fl img
  fl=$(nova GET /flavors | body | jq -r '.flavors[].name')
  echo "$fl" | grep -qx m1.tiny || nova POST /flavors '{"flavor":{"name":"m1.tiny","vcpus":1,"ram":64,"disk":1}}' | code >/dev/null
  echo "$fl" | grep -qx m1.small || nova POST /flavors '{"flavor":{"name":"m1.small","vcpus":2,"ram":128,"disk":1}}' | code >/dev/null
  img=$(glance GET '/v2/images?name=tiny' | body | jq -r '.images[]|select(.status=="active").id' | head -1)
  if [ -z "$img" ]; then
    [ -f "$DATA/tiny.img" ] || head -c 1048576 /dev/zero >"$DATA/tiny.img"
    img=$(glance POST /v2/images '{"name":"tiny","disk_format":"raw","container_format":"bare","visibility":"public"}' | body | jq -r .id)
    curl -sf -o /dev/null -X PUT -H "X-Auth-Token: $TOK" -H 'Content-Type: application/octet-stream' \
      --data-binary @"$DATA/tiny.img" "$GLANCE/v2/images/$img/file" || die "image upload failed"
  fi
  step "seeded: flavors m1.tiny, m1.small; image tiny $img"
}

## ---------------------------------------------------------------- up / down
up_db() {
  mysql_up; step "mariadb up"
  schemas_db
  snapshot
}
## Order: MariaDB; RabbitMQ (background) | schemas; Keystone; placement, neutron, glance
## (at once when their schemas came from the cache, else after the cp dump); nova
## control services once RabbitMQ is up; computes once placement answers.
up_cloud() { # up_cloud fake|libvirt
  local mode=$1 datamode n LABJOB=
  datamode=$(cat "$DATA/mode" 2>/dev/null || true)
  [ -z "$datamode" ] || [ "$datamode" = "$mode" ] ||
    die "the data holds $datamode computes; run 'openstack.sh wipe' before 'up $mode'"
  if [ "$mode" = libvirt ]; then
    check_pkgs python3-libvirt
    lab_up & LABJOB=$!
  fi
  mysql_up; step "mariadb up"
  ## rows that no cloud wrote (tests seed the DB in db mode) would confuse the services:
  ## the first cloud on this data starts from freshly synced nova/glance schemas
  if [ -z "$datamode" ] && [ -f "$(marker db)" ] && db_dirty; then
    reload_db_part; step "nova/glance DBs held rows from db-mode tests: reloaded from the dump"
  fi
  rabbit_up >>"$LOGS/up.log" 2>&1 & local RB=$!
  schemas_db & local SD=$!
  schemas_cp
  wait $SD || die "nova/glance schemas failed"
  mkdir -p "$DATA/nova/lock"; nova_api_start
  keystone_start
  if [ -f "$(marker cp)" ]; then placement_start; glance_start; neutron_start; fi
  keystone_wait
  placement_start; glance_start; neutron_start
  wait $RB || die "rabbitmq did not start"; step "rabbitmq up"
  nova_control_start
  neutron_wait & local b=$!
  glance_wait & local c=$!
  placement_wait
  local since; since=$(date -u +%Y-%m-%dT%H:%M:%S)
  if [ "$mode" = fake ]; then
    fake_computes_up; n=$(echo $NODES | wc -w)
  else
    wait $LABJOB || exit $?
    libvirt_computes_up; n=$(wc -l <"$RUN/libvirt-nodes")
    [ "$n" -gt 0 ] || die "no lab node among $NODES with a running libvirtd"
  fi
  echo "$mode" >"$DATA/mode"
  TOK=$(token)   # one admin token for the checks below (lives 180 s; api.sh re-auths on 401)
  wait $b || die "neutron did not start"; wait $c || die "glance did not start"
  step "neutron (warmed up), glance up"
  waitfor 120 nova-api http_ok http://127.0.0.1:8774/ || { tail_log "$LOGS/nova-api-uwsgi.log"; die "nova-api did not start"; }
  step "nova-api up"
  computes_ready "$n" "$since"
  seed
  glance2_up
}
## quick_check MODE: everything recorded is alive and answers (the idempotent `up` path)
quick_check() {
  local f n
  for f in "$RUN"/*.pid; do [ -e "$f" ] && { alive "$f" || return 1; }; done
  mysql_ping >/dev/null 2>&1 || return 1
  [ "$1" = db ] && return 0
  amqp_ok && http_ok http://127.0.0.1:5000/v3 && http_ok http://127.0.0.1:8778/ &&
    http_ok http://127.0.0.1:9696/ && http_ok http://127.0.0.1:9292/healthcheck &&
    http_ok http://127.0.0.1:8774/ || return 1
  if [ "$1" = fake ]; then n=$(echo $NODES | wc -w); else n=$(wc -l <"$RUN/libvirt-nodes" 2>/dev/null || echo 0); fi
  [ "$n" -gt 0 ] || return 1
  TOK=$(token) && count_up "$n" && count_hv "$n"
}
cmd_up() {
  local mode=${1:-fake} cur
  case $mode in db|fake|libvirt) ;; *) die "up: unknown mode '$mode' (db|fake|libvirt)" ;; esac
  cur=$(cat "$RUN/mode" 2>/dev/null || true)
  if [ -n "$cur" ] && [ "$cur" != db ] && [ "$mode" != db ] && [ "$cur" != "$mode" ]; then
    die "the lab runs in $cur mode; 'openstack.sh down' first"
  fi
  [ "$cur" = libvirt ] || [ "$cur" = fake ] && [ "$mode" = db ] && mode=$cur   # already higher: just check it
  : >"$LOGS/up.log"
  if [ "$cur" = "$mode" ] && quick_check "$mode"; then
    [ "$mode" = db ] || glance2_up
    step "already up: READY ($mode)"; return 0
  fi
  check_pkgs python3-nova python3-glance mariadb-server jq curl
  [ "$mode" = db ] || check_pkgs python3-keystone python3-placement python3-neutron rabbitmq-server \
    uwsgi-core uwsgi-plugin-python3
  render_all
  step "up $mode (state in $OS)"
  if [ "$mode" = db ]; then up_db; else up_cloud "$mode"; fi
  echo "$mode" >"$RUN/mode"
  step "READY ($mode)"
}
cmd_down() {
  [ -d "$RUN" ] || return 0
  local f n
  : >"$LOGS/down.log"
  for f in "$RUN"/nova-compute-*.pid; do
    [ -e "$f" ] || continue; n=$(basename "$f" .pid); n=${n#nova-compute-}
    stop "$f" TERM "$ETC/nova/$n.conf" 3 &
  done
  stop "$RUN/nova-scheduler.pid" TERM "$ETC/nova/nova-db.conf" 3 &
  stop "$RUN/nova-conductor.pid" TERM "$ETC/nova/nova-db.conf" 3 &
  stop "$RUN/neutron-server.pid" TERM "$ETC/neutron/neutron.conf" 3 &
  stop "$RUN/glance-api.pid" TERM "$ETC/glance/glance-api.conf" 3 &
  stop "$RUN/glance2-api.pid" TERM "$ETC/glance2/glance-api.conf" 3 &
  stop "$RUN/glance3-api.pid" TERM "$ETC/glance3/glance-api.conf" 3 &
  stop "$RUN/glance4-api.pid" TERM "$ETC/glance4/glance-api.conf" 3 &
  stop "$RUN/glance5-api.pid" TERM "$ETC/glance5/glance-api.conf" 3 &
  ## uwsgi masters: SIGINT = quit at once
  stop "$RUN/nova-api.pid" INT "$ETC/uwsgi/nova-api.ini" 10 &
  stop "$RUN/placement.pid" INT "$ETC/uwsgi/placement.ini" 10 &
  stop "$RUN/keystone.pid" INT "$ETC/uwsgi/keystone.ini" 10 &
  wait
  ## RabbitMQ: SIGTERM to the VM = graceful stop; then its launcher shell exits
  stop "$RUN/rabbitmq.pid" TERM "$DATA/rabbitmq" 20 &
  stop "$RUN/mysqld.pid" TERM "$DATA/mysql" 30 &
  wait
  stop "$RUN/rabbitmq-launch.pid" TERM rabbitmq-server 5
  stop "$RUN/epmd.pid" TERM epmd 5
  rm -f "$RUN/libvirt-nodes" "$RUN/extra-computes" "$RUN/mode" "$RUN/virt"
  if [ -f "$RUN/lab-started-by-us" ]; then
    "$HERE/lab.sh" down >>"$LOGS/lab.out" 2>&1 || say "lab.sh down failed (see $LOGS/lab.out)"
    rm -f "$RUN/lab-started-by-us"
  fi
  local p busy=""
  for p in 3306 5672 25672 5000 8778 9696 9292 9293 9294 9295 9296 8774 4369; do port_busy $p && busy="$busy $p"; done
  [ -z "$busy" ] || say "warning: still listening on 127.0.0.1:$busy (not necessarily ours)"
}
cmd_status() {
  local f n any=0
  echo "mode: $(cat "$RUN/mode" 2>/dev/null || echo down)  data: $(cat "$DATA/mode" 2>/dev/null || echo -)  ($OS)"
  for f in "$RUN"/*.pid; do
    [ -e "$f" ] || continue; n=$(basename "$f" .pid)
    if alive "$f"; then echo "  $n: pid $(cat "$f")"; any=1; else echo "  $n: DEAD (stale pid file)"; fi
  done
  [ $any = 1 ]
}
cmd_mem() { # PSS (MiB) and CPU time used so far (s) of each recorded service + descendants
  local f p q s k n c tot=0 ctot=0 st
  for f in "$RUN"/*.pid; do
    [ -e "$f" ] || continue; case $f in *launch*) continue ;; esac
    alive "$f" || continue; p=$(cat "$f"); s=0; n=0; c=0
    for q in $p $(descendants "$p"); do
      k=$(awk '/^Pss:/{print $2}' /proc/$q/smaps_rollup 2>/dev/null); s=$((s + ${k:-0})); n=$((n + 1))
      read -r st 2>/dev/null </proc/$q/stat && st=${st##*) } && set -- $st && c=$((c + ${12} + ${13} + ${14} + ${15}))
    done
    printf '%-24s procs=%-2s PSS=%5d MiB  CPU=%6.1f s\n' "$(basename "$f" .pid)" $n $((s / 1024)) \
      "$(awk -v c=$c -v h="$(getconf CLK_TCK)" 'BEGIN{print c/h}')"
    tot=$((tot + s)); ctot=$((ctot + c))
  done
  printf 'TOTAL PSS: %d MiB, CPU %.1f s (privsep daemons, if any, are not counted)\n' $((tot / 1024)) \
    "$(awk -v c=$ctot -v h="$(getconf CLK_TCK)" 'BEGIN{print c/h}')"
}
cmd_env() {
  cat <<EOF
export OS_AUTH_URL=http://127.0.0.1:5000/v3
export OS_USERNAME=admin OS_PASSWORD=admin OS_PROJECT_NAME=admin
export OS_USER_DOMAIN_NAME=Default OS_PROJECT_DOMAIN_NAME=Default
export OS_IDENTITY_API_VERSION=3 OS_REGION_NAME=RegionOne OS_INTERFACE=public
export OS_CLIENT_CONFIG_FILE=$OS/clouds.yaml
export NOVA_EVAC_LAB=$LAB NOVA_EVAC_OS=$OS NOVA_EVAC_OS_MODE=$(cat "$RUN/mode" 2>/dev/null || echo down)
export NOVA_EVAC_NOVA_CONF=$OS/nova.conf
export NOVA_EVAC_DB=mysql://openstack:secret@127.0.0.1:3306/nova
export NOVA_EVAC_API_DB=mysql://openstack:secret@127.0.0.1:3306/nova_api
export NOVA_EVAC_CELL0_DB=mysql://openstack:secret@127.0.0.1:3306/nova_cell0
export NOVA_EVAC_GLANCE_DB=mysql://openstack:secret@127.0.0.1:3306/glance
export NOVA_EVAC_DB_SOCKET=$SOCK
EOF
}
cmd_sql() {
  [ $# -ge 1 ] || die "usage: sql DB [STATEMENT]"
  [ -S "$SOCK" ] || die "mariadb is not running (openstack.sh up db)"
  if [ $# -ge 2 ]; then SQLROOT -B -N "$1" -e "$2"; else SQLROOT -B -N "$1"; fi
}
cmd_wipe() {
  cmd_down
  rm -rf "$DATA" "$LOGS" "$RUN" "$ETC" "$OS/clouds.yaml" "$OS/nova.conf"
  [ "${1:-}" = --cache ] && rm -rf "$CACHE"
  return 0
}

with_lock() {
  mkdir -p "$OS"
  exec 9>"$OS/.lock"
  flock -w 600 9 || die "another openstack.sh holds $OS/.lock"
  mkdir -p "$LOGS"
  "$@"
}
case ${1:-} in
  up) shift; with_lock cmd_up "$@" ;;
  down) with_lock cmd_down; say "down ($(el))" ;;
  wipe) shift; with_lock cmd_wipe "$@" ;;
  restart-neutron-if-stale) with_lock cmd_restart_neutron ;;
  restart-computes) with_lock cmd_restart_computes ;;
  computes-add) shift; with_lock cmd_computes_add "$@" ;;
  computes-remove) shift; with_lock cmd_computes_remove "$@" ;;
  glance3-up) mkdir -p "$LOGS"; with_lock glance3_up ;;
  glance-rbd-up) mkdir -p "$LOGS"; with_lock glance_rbd_up ;;
  reset) [ "${2:-}" = db ] || die "usage: reset db"; mkdir -p "$LOGS"; with_lock reset_db ;;
  status) cmd_status ;;
  mem) cmd_mem ;;
  env) cmd_env ;;
  sql) shift; cmd_sql "$@" ;;
  *) sed -n '2,43s/^## \{0,1\}//p' "$0" >&2; exit 2 ;;
esac
