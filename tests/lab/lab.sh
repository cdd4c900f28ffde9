#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# tests/lab/lab.sh -- libvirt + QEMU compute nodes in network namespaces.
#
#   lab.sh up [N]                 start N nodes (default 3); idempotent
#   lab.sh down [--keep] [--no-wait]  stop everything; removes lab/ shared/ state/ unless --keep;
#                                 --no-wait: do not wait (<= 2 s) for PID 1 to reap the reapers' zombies
#   lab.sh wipe                   down + remove all of lab.sh's files (incl. capcache, images);
#                                 other things under $LAB (e.g. the OpenStack lab's os/) are left alone;
#                                 down and wipe refuse while the OpenStack lab runs its computes in the
#                                 nodes (openstack.sh down first; NOVA_EVAC_LAB_FORCE=1 overrides)
#   lab.sh status                 nodes, pids, domains
#   lab.sh uri NODE               the node's libvirt URI (unix socket, usable from the host)
#   lab.sh sh NODE [CMD...]       run CMD with the node's view (net, mount and uts namespaces)
#   lab.sh base ID [--writer] [--size 64M] [--force] NODE...|all
#                                 raw base image $LAB/instances/_base/<sha1(ID)> on each node
#   lab.sh guest NODE NAME UUID [--image ID] [--volume FILE]... [--config-drive]
#                 [--dirty MiB] [--shutoff] [--mem MiB] [--nwfilter NAME] [--virt kvm|qemu]
#                                 overlay on _base/<sha1(ID)> made inside the node (default ID
#                                 cirros-fake-0001); --dirty writes 0x33 from 8 MiB on (keeps the MBR
#                                 and the writer's area); --nwfilter adds an ethernet tap whose
#                                 filterref NAME (-> allow-all) is defined on NODE only
#   lab.sh xml NODE NAME UUID [options as guest]   print the domain XML only
#   lab.sh demo                   up 3 + base image everywhere + three guests on node02
#
# Environment: NOVA_EVAC_LAB (lab root, default /var/tmp/nova-evac-lab; a disk fs, not tmpfs),
#              NOVA_EVAC_LAB_VIRT_TYPE=kvm|qemu (force the domain type; default: kvm if libvirt offers it)
#              NOVA_EVAC_LAB_PREFIX (netns prefix, default nel): a second lab with its own root and prefix
#              can run next to the default one (same addresses, separate namespaces)
#              WAIT_SECS (how long up waits for the nodes' libvirtd to answer, default 180: a start of
#              a few seconds on a quiet box can take minutes on a 2-core box loaded by TCG guests)
# Files: $LAB/env (sourceable), $LAB/nova-evac.conf (the tool's config), $LAB/lab/nodeNN/ (per node:
#        etc run lib log cache instances hosts hostname libvirtd.pid reaper.pid libvirtd.stdout),
#        $LAB/shared/ (seen by every node: volumes/), $LAB/capcache/ (QEMU capabilities, kept), $LAB/images/.
# Only PIDs recorded by this script are ever signalled (and only after checking /proc/PID/cmdline).
#
# Notes (measured on the 2-vCPU Debian 12 box, libvirt 9.0, QEMU 7.2):
# * Each node also gets a private /etc/passwd and /etc/group with 'libvirt-qemu': libvirt 9.0 resolves
#   that compiled-in default user before reading qemu.conf, and only libvirt-daemon-system creates it.
# * Nested KVM: SeaBIOS needs ~4 s before it runs the MBR (TCG: ~0.7 s); use --virt qemu or
#   NOVA_EVAC_LAB_VIRT_TYPE=qemu when a test waits for the busy writer.
# * A guest with --config-drive needs $LAB/instances/<uuid>/disk.config on the destination too
#   (the tool copies it, as nova does); it is a read-only cdrom, not part of --migrate-disks.
# * nwfilter, libvirt 9.0: migrating to a node without the filter fails at once in the prepare phase
#   with "internal error: referenced filter 'NAME' is missing" (VIR_ERR_INTERNAL_ERROR; older libvirt
#   said "Network filter not found: Could not find filter 'NAME'"), also for a missing referenced
#   filter such as allow-all; the source keeps running. Defining the filter(s) there makes it work.
set -eu
export LC_ALL=C

HERE=$(cd "$(dirname "$0")" && pwd)
LAB=${NOVA_EVAC_LAB:-/var/tmp/nova-evac-lab}
case $LAB in /*) ;; *) LAB=$(pwd)/$LAB ;; esac
LAB=${LAB%/}
PFX=${NOVA_EVAC_LAB_PREFIX:-nel}     # namespace names: $PFX-hub, $PFX-node01...
case $PFX in ''|*[!a-z0-9]*) echo "lab.sh: error: NOVA_EVAC_LAB_PREFIX must be [a-z0-9]+" >&2; exit 1 ;; esac
AUTH_TCP=${NOVA_EVAC_LAB_AUTH_TCP:-none}
case $AUTH_TCP in none|sasl) ;; *) echo "lab.sh: error: NOVA_EVAC_LAB_AUTH_TCP must be none or sasl" >&2; exit 1 ;; esac
HUB=$PFX-hub
NET=10.77.0
MAXN=20
PROG=lab.sh

die() { echo "$PROG: error: $*" >&2; exit 1; }
log() { echo "$PROG: $*" >&2; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.2f", b-a}'; }

name_of() { printf 'node%02d' "$1"; }                 # 1 -> node01
num_of() {                                             # node01 | 01 | 1 -> 1
  local n=${1#node}
  case $n in ''|*[!0-9]*) die "bad node name '$1' (expected nodeNN)" ;; esac
  n=$((10#$n))
  [ "$n" -ge 1 ] && [ "$n" -le $MAXN ] || die "bad node '$1' (node01..node$MAXN)"
  echo "$n"
}
ip_of() { echo "$NET.$((10 + $1))"; }
mac_of() { printf '02:4e:45:00:00:%02x' "$1"; }     # eth0's, the same across restarts
dir_of() { echo "$LAB/lab/$(name_of "$1")"; }
ns_of() { echo "$PFX-$(name_of "$1")"; }
sock_of() { echo "$(dir_of "$1")/run/libvirt/libvirt-sock"; }
uri_of() { echo "qemu+unix:///system?socket=$(sock_of "$1")"; }
peer_uri_of() { echo "qemu+tcp://$(ip_of "$1")/system"; }
hostuuid_of() { printf '77770000-0000-4000-8000-%012d' "$1"; }

# cmdline_has PID WORD: PID is alive (not a zombie) and its argv contains WORD
cmdline_has() {
  local pid=$1 word=$2 cl st
  case $pid in ''|*[!0-9]*) return 1 ;; esac
  [ -r "/proc/$pid/cmdline" ] || return 1
  st=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
  [ "$st" != Z ] && [ "$st" != X ] || return 1
  cl=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || return 1
  case $cl in *"$word"*) return 0 ;; esac
  return 1
}
readpid() { [ -r "$1" ] && head -n1 "$1" 2>/dev/null | tr -dc 0-9 || true; }
libvirtd_pid() {     # prints the recorded libvirtd pid if that process is alive
  local p; p=$(readpid "$(dir_of "$1")/libvirtd.pid")
  cmdline_has "$p" libvirtd && echo "$p" || true
}
reaper_pid() {
  local p; p=$(readpid "$(dir_of "$1")/reaper.pid")
  cmdline_has "$p" reaper && echo "$p" || true
}
vsh() { local n; n=$(num_of "$1"); shift; virsh -q -c "$(uri_of "$n")" "$@"; }

node_answers() { timeout 10 virsh -q -c "$(uri_of "$1")" version >/dev/null 2>&1; }
node_running() { [ -n "$(libvirtd_pid "$1")" ] && node_answers "$1"; }

need_root() { [ "$(id -u)" = 0 ] || die "must run as root"; }
need_tools() {
  local t
  for t in ip virsh qemu-img qemu-io taskset unshare nsenter setsid cc; do
    command -v "$t" >/dev/null 2>&1 || die "'$t' not found; run tests/lab/deps.sh lab"
  done
  [ -x /usr/sbin/libvirtd ] || die "/usr/sbin/libvirtd not found; run tests/lab/deps.sh lab"
  command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found; run tests/lab/deps.sh lab"
}

# nodes known to the lab: node dirs and nel-node* namespaces
known_nodes() {
  {
    local d
    for d in "$LAB"/lab/node[0-9][0-9]; do [ -d "$d" ] && echo "${d##*/node}"; done
    ip netns list 2>/dev/null | awk '{print $1}' | sed -n "s/^$PFX-node\([0-9][0-9]\)\$/\1/p"
  } | sort -u | while read -r n; do echo $((10#$n)); done
}
running_nodes() {
  local n
  for n in $(known_nodes); do [ -n "$(libvirtd_pid "$n")" ] && echo "$n"; done
  return 0
}

# ---------------------------------------------------------------- reaper
build_reaper() {
  if [ ! -x "$LAB/reaper" ] || [ "$HERE/reaper.c" -nt "$LAB/reaper" ]; then
    cc -O2 -Wall -o "$LAB/reaper.tmp.$$" "$HERE/reaper.c" || die "cannot compile $HERE/reaper.c"
    mv -f "$LAB/reaper.tmp.$$" "$LAB/reaper"
  fi
}

# ---------------------------------------------------------------- network
ns_exists() { [ -e "/run/netns/$1" ]; }
# The namespace names $PFX-* belong to one lab root at a time; $OWNER names it. up, down
# and wipe of another root with the same prefix would otherwise take that lab's namespaces
# for its own (down lists the nodes from `ip netns`): a private lab started and wiped
# without its own NOVA_EVAC_LAB_PREFIX cut the shared lab's network.
OWNER=/run/nova-evac-lab-$PFX.root
check_owner() {
  local o
  o=$(cat "$OWNER" 2>/dev/null) || o=
  ns_exists "$HUB" || return 0
  if [ -n "$o" ] && [ "$o" != "$LAB" ] && [ -d "$o/lab" ]; then
    die "$1: the namespaces $PFX-* belong to the lab at $o, not $LAB: give this lab its own NOVA_EVAC_LAB_PREFIX (nothing changed)"
  fi
  if [ -z "$o" ] && [ ! -d "$LAB/lab" ]; then
    die "$1: the namespaces $PFX-* exist and $LAB holds no lab: they are another lab's; give this lab its own NOVA_EVAC_LAB_PREFIX (nothing changed)"
  fi
  return 0
}
net_hub_up() {
  ns_exists "$HUB" && return 0
  ip netns add "$HUB"
  ip -n "$HUB" link set lo up
  ip -n "$HUB" link add br0 type bridge stp_state 0 forward_delay 0
  ip -n "$HUB" addr add "$NET.1/24" dev br0
  ip -n "$HUB" link set br0 up
}
net_node_up() {    # (re)create nel-nodeNN with eth0 on the hub bridge
  local n=$1 ns nm
  ns=$(ns_of "$n"); nm=$(name_of "$n")
  ns_exists "$ns" && ip netns del "$ns"
  ip -n "$HUB" link del "v$nm" 2>/dev/null || true
  ip netns add "$ns"
  # a fixed MAC: a restarted node is the same host to its peers, whose ARP
  # caches would otherwise send to the old one until they expire (a first
  # connection then waits 5-65 s for TCP retries)
  ip -n "$HUB" link add "v$nm" type veth peer name eth0 address "$(mac_of "$n")" netns "$ns"
  ip -n "$HUB" link set "v$nm" master br0 up
  ip -n "$ns" link set lo up
  ip -n "$ns" addr add "$(ip_of "$n")/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$HUB" neigh del "$(ip_of "$n")" dev br0 2>/dev/null || true   # labs from before mac_of
}

# ---------------------------------------------------------------- node files
hosts_file() {
  local n max=$1
  [ "$max" -lt 9 ] && max=9
  printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n%s.1\thub\n' "$NET"
  for n in $(seq 1 "$max"); do printf '%s\t%s\n' "$(ip_of "$n")" "$(name_of "$n")"; done
}
prepare_node() {
  local n=$1 d nm ip
  d=$(dir_of "$n"); nm=$(name_of "$n"); ip=$(ip_of "$n")
  mkdir -p "$d"/{etc,lib,log,cache,instances/_base}
  rm -rf "$d/run"; mkdir -p "$d/run"
  rm -f "$d/libvirtd.pid" "$d/reaper.pid"
  if [ ! -e "$d/etc/.lab-copied" ]; then
    cp -a /etc/libvirt/. "$d/etc/"
    : >"$d/etc/.lab-copied"
  fi
  rm -f "$d/etc/qemu/networks/autostart/default.xml"
  cat >"$d/etc/libvirtd.conf" <<EOF
# written by tests/lab/lab.sh for $nm
listen_tls = 0
listen_tcp = 1
listen_addr = "0.0.0.0"
tcp_port = "16509"
auth_tcp = "$AUTH_TCP"
auth_unix_rw = "none"
auth_unix_ro = "none"
unix_sock_group = "root"
unix_sock_rw_perms = "0770"
host_uuid = "$(hostuuid_of "$n")"
log_level = 3
log_outputs = "3:file:/var/log/libvirt/libvirtd.log"
EOF
  cat >"$d/etc/qemu.conf" <<EOF
# written by tests/lab/lab.sh for $nm
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
stdio_handler = "file"
cgroup_controllers = [ ]
namespaces = [ ]
migration_host = "$ip"
migration_address = "$ip"
EOF
  hosts_file "$2" >"$d/hosts"
  # libvirt 9.0 resolves its compiled-in default user/group 'libvirt-qemu' before it reads
  # qemu.conf ("Failed to parse user 'libvirt-qemu'") and only libvirt-daemon-system creates
  # them; give each node a private passwd/group that has them, instead of touching the host's.
  cp /etc/passwd "$d/passwd"; cp /etc/group "$d/group"
  grep -q '^libvirt-qemu:' "$d/group" || echo 'libvirt-qemu:x:64055:' >>"$d/group"
  grep -q '^libvirt-qemu:' "$d/passwd" ||
    echo 'libvirt-qemu:x:64055:64055:Libvirt Qemu,,,:/var/lib/libvirt:/usr/sbin/nologin' >>"$d/passwd"
  echo "$nm" >"$d/hostname"
  mkdir -p "$d/cache/qemu/capabilities"
  if ls "$(capcache_of "$n")"/*.xml >/dev/null 2>&1; then
    cp -f "$(capcache_of "$n")"/*.xml "$d/cache/qemu/capabilities/"
  fi
}
capcache_of() {    # the capabilities cache that seeds node n: its own, else the lab's
  if [ -d "$LAB/capcache/$(name_of "$1")" ]; then echo "$LAB/capcache/$(name_of "$1")"; else echo "$LAB/capcache"; fi
}

# start libvirtd of node n in its namespaces, pinned to CPU 0 (P3), under the reaper (P1)
start_node() {
  local n=$1 d
  d=$(dir_of "$n")
  # shellcheck disable=SC2016
  setsid taskset -c 0 ip netns exec "$(ns_of "$n")" \
    unshare --mount --uts --propagation private /bin/sh -c '
      set -e; D=$1; LAB=$2; hostname "$3"
      mount --bind "$D/etc" /etc/libvirt
      mount --bind "$D/run" /run
      mount --bind "$D/lib" /var/lib/libvirt
      mount --bind "$D/log" /var/log/libvirt
      mount --bind "$D/cache" /var/cache/libvirt
      mount --bind "$D/instances" "$LAB/instances"
      mount --bind "$D/hosts" /etc/hosts
      mount --bind "$D/hostname" /etc/hostname
      mount --bind "$D/passwd" /etc/passwd
      mount --bind "$D/group" /etc/group
      exec "$LAB/reaper" -p "$D/reaper.pid" /usr/sbin/libvirtd --listen --pid-file "$D/libvirtd.pid"
    ' sh "$d" "$LAB" "$(name_of "$n")" </dev/null >"$d/libvirtd.stdout" 2>&1 9>&- &
  echo $! >"$d/launch.pid"
}

# wait until every listed node answers, then un-pin its threads
wait_nodes() {
  local deadline n pending left p
  deadline=$(( $(date +%s) + ${WAIT_SECS:-180} ))
  pending="$*"
  while [ -n "$pending" ]; do
    left=""
    for n in $pending; do
      p=$(libvirtd_pid "$n")
      if [ -n "$p" ] && [ -S "$(sock_of "$n")" ] && node_answers "$n"; then
        [ "${KEEP_PINNED:-}" = 1 ] || taskset -a -p -c "0-$(( $(nproc) - 1 ))" "$p" >/dev/null
        continue
      fi
      local lp; lp=$(readpid "$(dir_of "$n")/launch.pid")
      if [ -z "$p" ] && [ -n "$lp" ] && [ ! -d "/proc/$lp" ] ; then
        sed 's/^/    /' "$(dir_of "$n")/libvirtd.stdout" >&2 || true
        die "libvirtd of $(name_of "$n") exited during start-up (see above and $(dir_of "$n")/log/libvirtd.log)"
      fi
      left="$left $n"
    done
    pending=${left# }
    [ -z "$pending" ] && break
    [ "$(date +%s)" -le "$deadline" ] || die "nodes did not answer within ${WAIT_SECS:-180}s (load $(cut -d' ' -f1-3 /proc/loadavg)):$(for n in $pending; do printf ' %s' "$(name_of "$n")"; [ -n "$(libvirtd_pid "$n")" ] && printf ' (libvirtd alive)' || printf ' (no libvirtd)'; done) (see $LAB/lab/nodeNN/log/libvirtd.log)"
    sleep 0.05
  done
}

write_env() {
  local n nodes="" vt
  for n in $(running_nodes); do nodes="$nodes $(name_of "$n")"; done
  nodes=${nodes# }
  vt=${NOVA_EVAC_LAB_VIRT_TYPE:-}
  if [ -z "$vt" ]; then
    n=${nodes%% *}; n=$(num_of "$n")
    if vsh "$n" capabilities | grep -q "domain type='kvm'"; then vt=kvm; else vt=qemu; fi
  fi
  {
    echo "# written by tests/lab/lab.sh up; source it"
    echo "LAB='$LAB'"
    echo "NODES='$nodes'"
    echo "VIRT_TYPE=$vt"
    echo "NETNS_PREFIX=$PFX"
    echo "NOVA_EVAC_CONF='$LAB/nova-evac.conf'"
    for n in $(running_nodes); do
      local N; N=$(name_of "$n" | tr a-z A-Z)
      echo "${N}_URI='$(uri_of "$n")'"
      echo "${N}_PEER_URI='$(peer_uri_of "$n")'"
      echo "${N}_IP=$(ip_of "$n")"
      echo "${N}_NS=$(ns_of "$n")"
      echo "${N}_DIR='$(dir_of "$n")'"
      echo "${N}_PID=$(libvirtd_pid "$n")"
    done
  } >"$LAB/env.tmp"
  mv -f "$LAB/env.tmp" "$LAB/env"
  {
    echo "[DEFAULT]"
    echo "instances_path = $LAB/instances"
    echo "state_dir = $LAB/state"
    echo "[libvirt]"
    echo "allow_unsafe = true"
    for n in $(running_nodes); do
      echo "[node:$(name_of "$n")]"
      echo "uri = $(uri_of "$n")"
      echo "peer_uri = $(peer_uri_of "$n")"
    done
  } >"$LAB/nova-evac.conf.tmp"
  mv -f "$LAB/nova-evac.conf.tmp" "$LAB/nova-evac.conf"
}

load_env() {
  [ -r "$LAB/env" ] || die "lab is not up ($LAB/env missing); run: $0 up"
  # shellcheck disable=SC1091
  . "$LAB/env"
}

capcache_check() {    # warn when a node re-probed instead of using the seeded cache (P2/P3), refresh it
  local n f g refreshed=0
  ls "$LAB"/capcache/*.xml >/dev/null 2>&1 || return 0
  for n in "$@"; do
    for f in "$(capcache_of "$n")"/*.xml; do
      g=$(dir_of "$n")/cache/qemu/capabilities/${f##*/}
      if ! cmp -s "$f" "$g"; then
        log "warning: $(name_of "$n") rejected the seeded QEMU capabilities cache (${f##*/}) and re-probed QEMU (slow start)"
        if [ $refreshed = 0 ] && [ -s "$g" ] && [ ! -d "$LAB/capcache/$(name_of "$n")" ]; then
          refreshed=1
          cp -f "$(dir_of "$n")"/cache/qemu/capabilities/*.xml "$LAB/capcache/"
          log "capcache refreshed from $(name_of "$n")"
        fi
      fi
    done
  done
}

cmd_up() {
  local want=${1:-3} t0 n todo="" fresh=0 t1
  case $want in ''|*[!0-9]*) die "up: N must be a number" ;; esac
  [ "$want" -ge 1 ] && [ "$want" -le $MAXN ] || die "up: N must be 1..$MAXN"
  need_root; need_tools
  t0=$(now)
  [ ${#LAB} -le 60 ] || die "lab root '$LAB' is too long for a unix socket path (max 60 chars)"
  check_owner up
  mkdir -p "$LAB"
  exec 9>"$LAB/.lock"
  flock -w 120 9 || die "another lab.sh holds $LAB/.lock"
  for n in $(seq 1 "$want"); do node_running "$n" || todo="$todo $n"; done
  todo=${todo# }
  if [ -z "$todo" ]; then
    [ -s "$LAB/env" ] && [ -s "$LAB/nova-evac.conf" ] || write_env
    echo "$LAB" >"$OWNER"
    log "already up ($(running_nodes | wc -l) nodes), $(since "$t0") s"
    return 0
  fi
  if [ -z "$(running_nodes)" ]; then
    fresh=1
    do_down quiet     # leftovers of a crashed run: recorded processes, namespaces
    rm -rf "$LAB/lab" "$LAB/shared" "$LAB/state" "$LAB/env" "$LAB/nova-evac.conf"
  fi
  mkdir -p "$LAB/lab" "$LAB/shared/volumes" "$LAB/state" "$LAB/instances" "$LAB/images" "$LAB/capcache"
  mkdir -p /var/lib/libvirt /var/log/libvirt /var/cache/libvirt   # empty mount points on the host
  build_reaper
  for n in $todo; do stop_node "$n" quiet; done
  echo "$LAB" >"$OWNER"
  net_hub_up
  for n in $todo; do net_node_up "$n"; done
  t1=$(now)
  local hmax=$want
  for n in $todo; do prepare_node "$n" "$hmax"; done
  if ! ls "$LAB"/capcache/*.xml >/dev/null 2>&1; then
    # cold box: let the first node probe QEMU alone, pinned, then seed the others (P2, P3)
    local first=${todo%% *}
    log "no capabilities cache yet: $(name_of "$first") probes QEMU alone (one-off, a few seconds)"
    start_node "$first"
    KEEP_PINNED=1 wait_nodes "$first"
    vsh "$first" capabilities >/dev/null
    vsh "$first" domcapabilities --virttype qemu >/dev/null 2>&1 || true
    cp -f "$(dir_of "$first")"/cache/qemu/capabilities/*.xml "$LAB/capcache/" 2>/dev/null ||
      log "warning: $(name_of "$first") wrote no capabilities cache"
    taskset -a -p -c "0-$(( $(nproc) - 1 ))" "$(libvirtd_pid "$first")" >/dev/null
    todo=${todo#"$first"}; todo=${todo# }
    for n in $todo; do
      mkdir -p "$(dir_of "$n")/cache/qemu/capabilities"
      cp -f "$LAB"/capcache/*.xml "$(dir_of "$n")/cache/qemu/capabilities/" 2>/dev/null || true
    done
  fi
  for n in $todo; do start_node "$n"; done
  wait_nodes $todo
  capcache_check $todo
  write_env
  log "up: $(running_nodes | wc -l) nodes ($(. "$LAB/env"; echo "$NODES"), virt type $(. "$LAB/env"; echo "$VIRT_TYPE")) in $(since "$t0") s (network $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}') s)$([ $fresh = 1 ] && echo ", fresh lab")"
}

# ---------------------------------------------------------------- down
qemu_pids_of() {   # recorded, alive QEMU pids of node n
  local f p
  for f in "$(dir_of "$1")"/run/libvirt/qemu/*.pid; do
    [ -e "$f" ] || continue
    p=$(readpid "$f")
    cmdline_has "$p" qemu-system && echo "$p"
  done
  return 0
}
wait_gone() {   # wait_gone TIMEOUT_TENTHS WORD PID...: until none of PID is alive as WORD
  local t=$1 w=$2 p alive; shift 2
  while :; do
    alive=""
    for p in "$@"; do cmdline_has "$p" "$w" && alive="$alive $p"; done
    [ -z "$alive" ] && return 0
    [ "$t" -le 0 ] && { echo "${alive# }"; return 1; }
    t=$((t - 1)); sleep 0.1
  done
}
# stop one node's recorded processes (used by up for a half-dead node)
stop_node() {
  local n=$1 q l r left
  q=$(qemu_pids_of "$n"); l=$(libvirtd_pid "$n"); r=$(reaper_pid "$n")
  [ -n "$q$l$r" ] || return 0
  [ -n "$q" ] && kill $q 2>/dev/null || true
  [ -n "$l" ] && kill "$l" 2>/dev/null || true
  if [ -n "$q" ]; then left=$(wait_gone 50 qemu-system $q) || kill -9 $left 2>/dev/null || true; fi
  if [ -n "$l" ]; then left=$(wait_gone 50 libvirtd "$l") || kill -9 $left 2>/dev/null || true; fi
  if [ -n "$r" ]; then left=$(wait_gone 20 reaper "$r") || kill -9 $left 2>/dev/null || true; fi
}
do_down() {
  local quiet=${1:-} nodes n q="" l="" r="" left p dom
  nodes=$(known_nodes)
  # 1. destroy running domains (all in parallel)
  for n in $nodes; do
    [ -n "$(libvirtd_pid "$n")" ] || continue
    (
      for dom in $(timeout 10 virsh -q -c "$(uri_of "$n")" list --name 2>/dev/null); do
        timeout 10 virsh -q -c "$(uri_of "$n")" destroy "$dom" >/dev/null 2>&1 &
      done
      wait
    ) &
  done
  wait
  # 2. kill the QEMUs that are left, 3. SIGTERM the libvirtds, all in parallel
  for n in $nodes; do
    q="$q $(qemu_pids_of "$n")"
    p=$(libvirtd_pid "$n"); [ -n "$p" ] && l="$l $p"
    p=$(reaper_pid "$n"); [ -n "$p" ] && r="$r $p"
  done
  q=$(echo $q); l=$(echo $l); r=$(echo $r)
  [ -n "$q" ] && kill $q 2>/dev/null || true
  [ -n "$l" ] && kill $l 2>/dev/null || true
  if [ -n "$q" ] && ! left=$(wait_gone 50 qemu-system $q); then
    log "QEMU pid(s) $left ignored SIGTERM for 5 s: SIGKILL"; kill -9 $left 2>/dev/null || true
  fi
  if [ -n "$l" ] && ! left=$(wait_gone 50 libvirtd $l); then
    log "libvirtd pid(s) $left ignored SIGTERM for 5 s: SIGKILL"; kill -9 $left 2>/dev/null || true
  fi
  if [ -n "$r" ] && ! left=$(wait_gone 30 reaper $r); then
    # a reaper outlives libvirtd only while it still has children; kill them first if recorded
    log "reaper pid(s) $left still running: SIGTERM"; kill $left 2>/dev/null || true
    left=$(wait_gone 20 reaper $left) || { kill -9 $left 2>/dev/null || true; }
  fi
  # 4. namespaces
  for n in $nodes; do
    ns_exists "$(ns_of "$n")" && ip netns del "$(ns_of "$n")"
  done
  ns_exists "$HUB" && ip netns del "$HUB"
  [ "$(cat "$OWNER" 2>/dev/null)" = "$LAB" ] && rm -f "$OWNER"
  rm -f "$LAB/env"
  DOWN_REAPERS=$r
  [ "$quiet" = quiet ] || true
}
# The reapers' parent is PID 1 once lab.sh has exited, and this box's PID 1 reaps orphans only
# every ~2 s: their zombies ("[reaper] <defunct>") linger that long. They hold nothing (no
# namespace, no file), but wait for them so that `down` really leaves no process behind.
wait_zombies() {
  local t=${1:-35} p z
  while :; do
    z=""
    for p in $DOWN_REAPERS; do
      [ -r "/proc/$p/stat" ] || continue
      case $(cat "/proc/$p/stat" 2>/dev/null) in "$p (reaper) Z"*) z="$z $p" ;; esac
    done
    [ -z "$z" ] && return 0
    [ "$t" -le 0 ] && { log "note: zombie reaper(s)$z not yet reaped by PID 1 (harmless)"; return 0; }
    t=$((t - 1)); sleep 0.1
  done
}
DOWN_REAPERS=""
# refuse_under_cloud WHAT: the OpenStack lab in libvirt mode (openstack.sh up libvirt) runs a
# nova-compute inside each node: stopping the nodes under it breaks the cloud for everyone
# using it (a `wipe` meant for a private lab, run without its NOVA_EVAC_LAB_PREFIX, once took
# the shared lab down for an hour). NOVA_EVAC_LAB_FORCE=1 goes ahead anyway.
refuse_under_cloud() {
  local f p
  [ "${NOVA_EVAC_LAB_FORCE:-0}" = 1 ] && return 0
  [ "$(cat "$LAB/os/run/mode" 2>/dev/null)" = libvirt ] || return 0
  for f in "$LAB"/os/run/nova-compute-*.pid; do
    p=$(cat "$f" 2>/dev/null) || continue
    [ -n "$p" ] && kill -0 "$p" 2>/dev/null || continue
    die "$1: the OpenStack lab runs nova-compute (pid $p, $(basename "$f" .pid)) in these nodes; stop the cloud first (tests/lab/openstack.sh down), use a private lab (NOVA_EVAC_LAB_PREFIX), or set NOVA_EVAC_LAB_FORCE=1"
  done
}
cmd_down() {
  local keep=0 t0 nowait=0 a
  for a in "$@"; do
    case $a in --keep) keep=1 ;; --no-wait) nowait=1 ;; *) die "down: unknown option '$a' (--keep, --no-wait)" ;; esac
  done
  need_root
  check_owner "${CMD_NAME:-down}"
  refuse_under_cloud "${CMD_NAME:-down}"
  t0=$(now)
  mkdir -p "$LAB"
  exec 9>"$LAB/.lock"
  flock -w 120 9 || die "another lab.sh holds $LAB/.lock"
  do_down
  [ $keep = 1 ] || rm -rf "$LAB/lab" "$LAB/shared" "$LAB/state" "$LAB/nova-evac.conf"
  local t1 tz=""; t1=$(since "$t0")
  if [ $nowait = 0 ] && [ -n "$DOWN_REAPERS" ]; then
    local tw; tw=$(now); wait_zombies; tz=" (+$(since "$tw") s waiting for PID 1 to reap the reaper zombies)"
  fi
  log "down in $t1 s$tz$([ $keep = 1 ] && echo ", files kept under $LAB")"
}
cmd_wipe() {   # only what this script owns: $LAB may also hold other labs (e.g. $LAB/os)
  need_root
  CMD_NAME=wipe cmd_down
  rm -rf "$LAB/lab" "$LAB/shared" "$LAB/state" "$LAB/capcache" "$LAB/images" "$LAB/reaper" \
         "$LAB/env" "$LAB/nova-evac.conf"
  rmdir "$LAB/instances" 2>/dev/null || true
  log "wiped lab.sh's files under $LAB (lab shared state capcache images reaper env nova-evac.conf)"
}

# ---------------------------------------------------------------- status, uri, sh
cmd_status() {
  local n p any=0 vt=""
  [ -r "$LAB/env" ] && vt=$(. "$LAB/env"; echo "$VIRT_TYPE")
  echo "lab root: $LAB${vt:+   virt type: $vt}"
  for n in $(known_nodes); do
    any=1
    p=$(libvirtd_pid "$n")
    if [ -n "$p" ] && node_answers "$n"; then
      printf '%s  up    libvirtd %-7s %s  %s\n' "$(name_of "$n")" "$p" "$(ip_of "$n")" "$(uri_of "$n")"
      vsh "$n" list --all | sed 's/^/      /'
    else
      printf '%s  down%s\n' "$(name_of "$n")" "$(ns_exists "$(ns_of "$n")" && echo " (namespace $(ns_of "$n") exists)")"
    fi
  done
  [ $any = 1 ] || echo "no nodes"
  ns_exists "$HUB" && echo "hub: $HUB br0 $NET.1/24" || true
}
cmd_uri() {
  [ $# = 1 ] || die "usage: $PROG uri NODE"
  local n; n=$(num_of "$1")
  [ -n "$(libvirtd_pid "$n")" ] || die "$(name_of "$n") is not running"
  uri_of "$n"
}
cmd_sh() {
  [ $# -ge 1 ] || die "usage: $PROG sh NODE [CMD...]"
  local n p; n=$(num_of "$1"); shift
  p=$(libvirtd_pid "$n")
  [ -n "$p" ] || die "$(name_of "$n") is not running"
  [ $# -gt 0 ] || set -- /bin/bash -i
  exec nsenter -t "$p" -n -m -u -- "$@"
}
in_node() { local p; p=$(libvirtd_pid "$1"); shift; nsenter -t "$p" -n -m -u -- "$@"; }

# ---------------------------------------------------------------- images
sha1_of() { printf %s "$1" | sha1sum | cut -d' ' -f1; }
writer_bin() {   # writer.hex -> $LAB/images/writer.bin (512 bytes)
  local out=$LAB/images/writer.bin
  if [ ! -s "$out" ] || [ "$HERE/writer.hex" -nt "$out" ]; then
    mkdir -p "$LAB/images"
    perl -ne 's/#.*//; for (split) {
        if (/^@([0-9a-f]+)$/i) { $o = hex $1; die "writer.hex: overlap at \@$1\n" if length($b) > $o; $b .= "\0" x ($o - length $b) }
        elsif (/^[0-9a-f]{2}$/i) { $b .= chr hex $_ }
        else { die "writer.hex: bad token \"$_\" at line $.\n" } }
      END { die "writer.hex: " . length($b) . " bytes, want 512\n" unless length($b) == 512; print $b }' \
      "$HERE/writer.hex" >"$out.tmp" || die "cannot build writer.bin from $HERE/writer.hex"
    mv -f "$out.tmp" "$out"
  fi
  echo "$out"
}
size_bytes() {   # 64M, 1G, 65536 -> bytes
  local s=$1 m=1
  case $s in *[kK]) m=1024; s=${s%?} ;; *[mM]) m=1048576; s=${s%?} ;; *[gG]) m=1073741824; s=${s%?} ;; esac
  case $s in ''|*[!0-9]*) die "bad size '$1'" ;; esac
  echo $((s * m))
}
cmd_base() {
  local id="" writer=0 size=64M force=0 nodes="" n sha img t0 b
  while [ $# -gt 0 ]; do
    case $1 in
      --writer) writer=1 ;;
      --size) [ $# -ge 2 ] || die "base: --size needs a value"; size=$2; shift ;;
      --force) force=1 ;;
      all) load_env; for b in $NODES; do nodes="$nodes $(num_of "$b")"; done ;;
      -*) die "base: unknown option '$1'" ;;
      *) if [ -z "$id" ]; then id=$1; else nodes="$nodes $(num_of "$1")"; fi ;;
    esac
    shift
  done
  [ -n "$id" ] && [ -n "$nodes" ] || die "usage: $PROG base ID [--writer] [--size 64M] [--force] NODE...|all"
  t0=$(now)
  b=$(size_bytes "$size")
  [ $writer = 0 ] || [ "$b" -ge $((5 * 1048576)) ] || die "base: a --writer image needs --size >= 5M (it writes up to LBA 8192)"
  sha=$(sha1_of "$id")
  img=$LAB/images/$sha-$b; [ $writer = 0 ] || img=$img-writer
  if [ ! -s "$img" ]; then
    mkdir -p "$LAB/images"
    qemu-img create -q -f raw "$img.tmp" "$b"
    [ $writer = 0 ] || dd if="$(writer_bin)" of="$img.tmp" bs=512 count=1 conv=notrunc status=none
    mv -f "$img.tmp" "$img"
  fi
  for n in $nodes; do
    local d; d=$(dir_of "$n")/instances/_base
    [ -d "$(dir_of "$n")" ] || die "$(name_of "$n") does not exist (lab up?)"
    mkdir -p "$d"
    if [ -e "$d/$sha" ] && [ $force = 0 ]; then
      cmp -s "$img" "$d/$sha" || die "$(name_of "$n") already has _base/$sha with other content (--force replaces it)"
      continue
    fi
    cp --sparse=always "$img" "$d/$sha.tmp" && mv -f "$d/$sha.tmp" "$d/$sha"
  done
  log "base '$id' -> _base/$sha ($size$([ $writer = 1 ] && echo ", busy writer MBR")) on$(for n in $nodes; do printf ' %s' "$(name_of "$n")"; done) in $(since "$t0") s"
}

# ---------------------------------------------------------------- guests
G_IMAGE=cirros-fake-0001 G_VOLUMES="" G_CDRIVE=0 G_DIRTY=0 G_SHUTOFF=0 G_MEM=96 G_NWFILTER="" G_VIRT=""
parse_guest_opts() {
  while [ $# -gt 0 ]; do
    case $1 in
      --image) [ $# -ge 2 ] || die "--image needs an ID"; G_IMAGE=$2; shift ;;
      --volume) [ $# -ge 2 ] || die "--volume needs a FILE"; G_VOLUMES="$G_VOLUMES $2"; shift ;;
      --config-drive) G_CDRIVE=1 ;;
      --dirty) [ $# -ge 2 ] || die "--dirty needs MiB"; G_DIRTY=$2; shift ;;
      --shutoff) G_SHUTOFF=1 ;;
      --mem) [ $# -ge 2 ] || die "--mem needs MiB"; G_MEM=$2; shift ;;
      --nwfilter) [ $# -ge 2 ] || die "--nwfilter needs a NAME"; G_NWFILTER=$2; shift ;;
      --virt) [ $# -ge 2 ] || die "--virt needs kvm|qemu"; G_VIRT=$2; shift
              case $G_VIRT in kvm|qemu) ;; *) die "--virt wants kvm or qemu" ;; esac ;;
      *) die "guest: unknown option '$1'" ;;
    esac
    shift
  done
  case $G_DIRTY in *[!0-9]*|'') die "--dirty wants a number of MiB" ;; esac
  case $G_MEM in *[!0-9]*|'') die "--mem wants a number of MiB" ;; esac
  local v
  for v in $G_VOLUMES; do case $v in */*|.*) die "--volume FILE is a plain file name under \$LAB/shared/volumes/" ;; esac; done
  [ -z "$G_NWFILTER" ] || case $G_NWFILTER in *[!A-Za-z0-9_.:-]*) die "bad --nwfilter name" ;; esac
}
VOL_DEVS="vdb vdc vdd vde vdf vdg vdh"
domain_xml() {   # domain_xml NAME UUID VIRT_TYPE
  local name=$1 uuid=$2 vt=$3 v i=0 dev
  cat <<EOF
<domain type='$vt'>
  <name>$name</name>
  <uuid>$uuid</uuid>
  <memory unit='MiB'>$G_MEM</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
  <features><acpi/></features>
  <clock offset='utc'/>
  <on_poweroff>destroy</on_poweroff><on_reboot>restart</on_reboot><on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2' cache='none'/>
      <source file='$LAB/instances/$uuid/disk'/>
      <target dev='vda' bus='virtio'/>
    </disk>
EOF
  for v in $G_VOLUMES; do
    i=$((i + 1)); dev=$(echo $VOL_DEVS | cut -d' ' -f$i)
    cat <<EOF
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw' cache='none'/>
      <source file='$LAB/shared/volumes/$v'/>
      <target dev='$dev' bus='virtio'/>
      <shareable/>
    </disk>
EOF
  done
  if [ "$G_CDRIVE" = 1 ]; then
    cat <<EOF
    <disk type='file' device='cdrom'>
      <driver name='qemu' type='raw' cache='none'/>
      <source file='$LAB/instances/$uuid/disk.config'/>
      <target dev='hdd' bus='ide'/>
      <readonly/>
    </disk>
EOF
  fi
  if [ -n "$G_NWFILTER" ]; then
    # an ethernet interface: libvirt creates the tap itself, no bridge/network needed; nova names
    # taps tap<port-id[:11]>, here tap<sha1(uuid)[:11]> (unique per instance, same on every node)
    cat <<EOF
    <interface type='ethernet'>
      <target dev='tap$(sha1_of "$uuid" | cut -c1-11)'/>
      <model type='virtio'/>
      <filterref filter='$G_NWFILTER'/>
    </interface>
EOF
  fi
  cat <<EOF
    <serial type='pty'/>
    <memballoon model='none'/>
  </devices>
</domain>
EOF
}
check_uuid() {
  echo "$1" | grep -Eqi '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' ||
    die "'$1' is not a UUID (8-4-4-4-12 hex)"
}
cmd_xml() {
  [ $# -ge 3 ] || die "usage: $PROG xml NODE NAME UUID [guest options]"
  local name=$2 uuid=$3; shift 3
  check_uuid "$uuid"; parse_guest_opts "$@"; load_env
  domain_xml "$name" "$uuid" "${G_VIRT:-$VIRT_TYPE}"
}
# nwfilter NAME on node n only, like nova's per-instance filter: NAME -> allow-all (a one-rule
# filter, like libvirt's stock allow-all), both defined here if missing. allow-all's rule needs
# ebtables (iptables package, ebtables-nft) inside the node; without it NAME is an empty rule
# set, which libvirt 9.0 instantiates without any firewall tool.
define_nwfilter() {
  local n=$1 name=$2 f ref=""
  f=$(mktemp)
  if [ -x /usr/sbin/ebtables ]; then
    ref="  <filterref filter='allow-all'/>"
    if ! vsh "$n" nwfilter-dumpxml allow-all >/dev/null 2>&1; then
      printf "<filter name='allow-all' chain='ipv4'>\n  <rule action='accept' direction='inout' priority='500'/>\n</filter>\n" >"$f"
      vsh "$n" nwfilter-define "$f" >/dev/null || { rm -f "$f"; die "cannot define nwfilter allow-all on $(name_of "$n")"; }
    fi
  else
    log "note: /usr/sbin/ebtables missing (tests/lab/deps.sh lab installs iptables): nwfilter $name has no rules"
  fi
  if ! vsh "$n" nwfilter-dumpxml "$name" >/dev/null 2>&1; then
    printf "<filter name='%s' chain='root'>\n%s\n</filter>\n" "$name" "$ref" >"$f"
    vsh "$n" nwfilter-define "$f" >/dev/null || { rm -f "$f"; die "cannot define nwfilter $name on $(name_of "$n")"; }
  fi
  rm -f "$f"
}
cmd_guest() {
  [ $# -ge 3 ] || die "usage: $PROG guest NODE NAME UUID [--image ID] [--volume FILE] [--config-drive] [--dirty MiB] [--shutoff] [--mem MiB] [--nwfilter NAME] [--virt kvm|qemu]"
  local n name=$2 uuid=$3 t0 d sha xml v vsize off
  n=$(num_of "$1"); shift 3
  check_uuid "$uuid"; parse_guest_opts "$@"
  load_env
  t0=$(now)
  node_running "$n" || die "$(name_of "$n") is not running"
  if vsh "$n" dominfo "$name" >/dev/null 2>&1; then die "domain '$name' already exists on $(name_of "$n")"; fi
  if vsh "$n" dominfo "$uuid" >/dev/null 2>&1; then die "a domain with UUID $uuid already exists on $(name_of "$n")"; fi
  d=$(dir_of "$n")/instances
  sha=$(sha1_of "$G_IMAGE")
  [ -e "$d/_base/$sha" ] || die "base image '$G_IMAGE' (_base/$sha) is not on $(name_of "$n"); run: $PROG base $G_IMAGE $(name_of "$n")"
  [ ! -e "$d/$uuid/disk" ] || die "$(name_of "$n") already has $LAB/instances/$uuid/disk"
  mkdir -p "$d/$uuid"
  in_node "$n" qemu-img create -q -f qcow2 -F raw -b "$LAB/instances/_base/$sha" "$LAB/instances/$uuid/disk" ||
    die "qemu-img create of the overlay failed on $(name_of "$n")"
  if [ "$G_DIRTY" -gt 0 ]; then
    # dirty data from 8 MiB on: keeps the MBR and the busy writer's area (2..4 MiB) intact
    vsize=$(stat -c %s "$d/_base/$sha"); off=$((8 * 1048576))
    [ $((off + G_DIRTY * 1048576)) -le "$vsize" ] ||
      die "--dirty $G_DIRTY MiB does not fit: dirty data starts at 8 MiB and the disk is $((vsize / 1048576)) MiB (use base --size)"
    in_node "$n" qemu-io -f qcow2 -c "write -P 0x33 $off ${G_DIRTY}M" "$LAB/instances/$uuid/disk" >/dev/null ||
      die "qemu-io write failed"
  fi
  if [ "$G_CDRIVE" = 1 ]; then
    # like nova's disk.config: small, read-only, attached as a cdrom; raw here (no iso tools needed)
    qemu-img create -q -f raw "$d/$uuid/disk.config" 1M
    printf 'nova-evac-lab config drive\ninstance uuid %s\nname %s\n' "$uuid" "$name" |
      dd of="$d/$uuid/disk.config" conv=notrunc status=none
  fi
  for v in $G_VOLUMES; do
    if [ ! -e "$LAB/shared/volumes/$v" ]; then
      mkdir -p "$LAB/shared/volumes"
      qemu-img create -q -f raw "$LAB/shared/volumes/$v.tmp" 32M
      qemu-io -f raw -c 'write -P 0x5a 0 8M' "$LAB/shared/volumes/$v.tmp" >/dev/null
      mv -f "$LAB/shared/volumes/$v.tmp" "$LAB/shared/volumes/$v"
    fi
  done
  [ -z "$G_NWFILTER" ] || define_nwfilter "$n" "$G_NWFILTER"
  xml=$(mktemp)
  VIRT_TYPE=${G_VIRT:-$VIRT_TYPE}
  domain_xml "$name" "$uuid" "$VIRT_TYPE" >"$xml"
  cp "$xml" "$d/$uuid/domain.xml"
  vsh "$n" define "$xml" >/dev/null || { rm -f "$xml"; die "virsh define of $name failed on $(name_of "$n")"; }
  rm -f "$xml"
  if [ "$G_SHUTOFF" = 0 ]; then
    local t1; t1=$(now)
    vsh "$n" start "$name" >/dev/null || die "virsh start of $name failed on $(name_of "$n")"
    log "guest $name ($uuid) running on $(name_of "$n") [$VIRT_TYPE], start $(since "$t1") s, total $(since "$t0") s"
  else
    log "guest $name ($uuid) defined, shut off, on $(name_of "$n") in $(since "$t0") s"
  fi
}

# ---------------------------------------------------------------- demo
DEMO_IMAGE=cirros-fake-0001
cmd_demo() {
  local t0; t0=$(now)
  cmd_up 3
  load_env
  cmd_base "$DEMO_IMAGE" --writer node01 node02 node03
  cmd_guest node02 vm-a aaaaaaaa-0000-4000-8000-00000000000a --image "$DEMO_IMAGE" --config-drive --volume vol1.raw
  cmd_guest node02 vm-b bbbbbbbb-0000-4000-8000-00000000000b --image "$DEMO_IMAGE"
  cmd_guest node02 vm-c cccccccc-0000-4000-8000-00000000000c --image "$DEMO_IMAGE" --shutoff
  cat <<EOF
demo ready in $(since "$t0") s  (source $LAB/env; config $LAB/nova-evac.conf)
  nodes:   $NODES  (virt type $VIRT_TYPE)
  base:    image '$DEMO_IMAGE' -> _base/$(sha1_of "$DEMO_IMAGE") (busy writer MBR) on node01 node02 node03
  node02:  vm-a aaaaaaaa-0000-4000-8000-00000000000a running: vda overlay + disk.config (cdrom) + vdb shared/volumes/vol1.raw
           vm-b bbbbbbbb-0000-4000-8000-00000000000b running: vda overlay only
           vm-c cccccccc-0000-4000-8000-00000000000c shut off: vda overlay only
  try:     virsh -c "\$NODE02_URI" domblkstat vm-a vda    (wr_req rises once SeaBIOS has booted the MBR)
EOF
}

# ---------------------------------------------------------------- main
usage() { awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$0" >&2; exit 2; }
[ $# -ge 1 ] || usage
cmd=$1; shift
case $cmd in
  up) cmd_up "$@" ;;
  down) cmd_down "$@" ;;
  wipe) cmd_wipe ;;
  status) cmd_status ;;
  uri) cmd_uri "$@" ;;
  sh) cmd_sh "$@" ;;
  base) cmd_base "$@" ;;
  guest) cmd_guest "$@" ;;
  xml) cmd_xml "$@" ;;
  demo) cmd_demo ;;
  -h|--help|help) usage ;;
  *) echo "$PROG: unknown command '$cmd'" >&2; usage ;;
esac
