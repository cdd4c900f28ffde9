#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
## tests/lab/net.sh - the network part of the nova-evac lab: real Neutron ports for Nova's
## servers, a real L2 agent per node, a real Linux guest, and a ping/TCP probe.
## Needs `lab.sh up` and `openstack.sh up libvirt` (run it in the control plane's netns).
##
##   net.sh up            provider bridges in the hub, per node a neutron-linuxbridge-agent
##                        (node's net+mount namespaces, RabbitMQ through a socat unix-socket
##                        relay), networks nel-net1 (flat physnet1, bridge_mappings -> a
##                        bridge brq<net[:11]> made by net.sh on every node, 10.77.1.0/24)
##                        and nel-net2 (flat physnet2, physical_interface_mappings -> made on
##                        demand by os-vif/the agent, 10.77.2.0/24), the guest image
##                        (Debian kernel + busybox-static initramfs; cached) in Glance as
##                        nel-guest (+ -kernel/-ramdisk) with flavor nel.guest (128 MiB), and
##                        the probe namespace <prefix>-probe (10.77.1.2, 10.77.2.2). Idempotent.
##   net.sh down          stop agents, relays, probes; remove the Neutron networks (after the
##                        ports that are not Nova's), the provider links and the probe netns
##   net.sh status        what runs, agents' liveness
##   net.sh check         exit 0 if the network lab is usable (77 and why, if not)
##   net.sh env           sourceable NEL_NET1/NEL_NET2 (network ids), NEL_IMAGE, NEL_FLAVOR,
##                        NEL_PROBE_NS
##   net.sh image         build (or reuse) the guest kernel + initramfs only; prints the paths
##   net.sh boot NAME NODE [net1|net2]   boot a guest through Nova on NODE, wait until it
##                        answers ping from the probe; prints "UUID IP SECONDS" (boot -> ping)
##   net.sh ip NAME|UUID  the server's address on the lab networks
##   net.sh probe start [-s SESSION] IP...   ping each IP every $NEL_PROBE_INTERVAL s
##                        (default 0.01) from the probe netns, timestamped (ping -D)
##   net.sh probe stop [-s SESSION]   stop; per IP one line:
##                        "IP sent=N lost=N longest_gap_ms=N gap_from=EPOCH gap_to=EPOCH"
##                        (the longest time without a reply, from the start to the stop)
##   net.sh echo start [-s SESSION] IP...  hold a TCP connection to IP:7 (the guest's echo
##                        service) open, one round trip every 0.2 s
##   net.sh echo check [-s SESSION]   per IP: "IP alive|broken round_trips=N longest_ms=N"
##                        (alive = one more round trip on the SAME connection now); exit 1
##                        if any is broken
##   net.sh echo stop [-s SESSION]    close the connections
##
## The guest: Nova boots its kernel directly (kernel_id/ramdisk_id; no bootloader or disk
## to build), it reads its address from the config drive (img_config_drive=mandatory),
## answers ping, echoes TCP on port 7; a user_data line "nel-writer /dev/vdX" has it write
## to that disk (attached later) continuously until the disk is unplugged (its virtio disks
## hot-unplug: the Debian kernel has ACPI/PCIe hotplug built in). Measured: boot -> first
## ping 27-57 s under TCG on a loaded 2-core box (the guest itself is up ~10 s after QEMU
## starts); under this machine's nested KVM the kernel never passes its decompressor: run
## the computes with TCG (NOVA_EVAC_VIRT=qemu openstack.sh up libvirt).
## State: $NOVA_EVAC_LAB/net (pids, agent configs and logs); the guest image is cached in
## $NOVA_EVAC_LAB/netcache (rebuilt only when linux-image/busybox-static/this script change).
## Only PIDs recorded here are signalled, after checking /proc/PID/cmdline.
## Environment: NEL_RESTART_COMPUTES=1 lets `up` restart nova-computes that run without
## the node config the network lab needs (tests/run sets it; never on a shared lab in use).
## Exit 77 = a prerequisite is missing (tests skip), 1 = failure.
set -eu -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
LAB=${NOVA_EVAC_LAB:-/var/tmp/nova-evac-lab}
case $LAB in /*) ;; *) LAB=$(pwd)/$LAB ;; esac
LAB=${LAB%/}
PFX=${NOVA_EVAC_LAB_PREFIX:-nel}
OS=$LAB/os ND=$LAB/net CACHE=$LAB/netcache
HUB=$PFX-hub PROBE=$PFX-probe
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
NET1_CIDR=10.77.1 NET2_CIDR=10.77.2
# shellcheck disable=SC2034  # api.sh: the compute microversion (2.74: host in boot requests)
MV=2.74
export NOVA_EVAC_LAB=$LAB

T0=$(date +%s.%N)
el() { awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN{printf "%6.1fs", b-a}'; }
step() { echo "[$(el)] net: $*" >&2; }
say() { echo "net.sh: $*" >&2; }
die() { say "$*"; exit 1; }
skip() { say "$*"; exit 77; }

## ---------------------------------------------------------------- processes
## alive PIDFILE PATTERN: the recorded process runs (not a zombie) and its command line
## contains PATTERN (a recycled PID is not ours)
alive() {
  local p s
  p=$(cat "$1" 2>/dev/null) || return 1
  [ -n "$p" ] || return 1
  read -r s 2>/dev/null </proc/$p/stat || return 1
  s=${s##*) }; [ "${s%% *}" != Z ] || return 1
  tr '\0' ' ' </proc/$p/cmdline 2>/dev/null | grep -qF -- "$2"
}
gone() { local s; read -r s 2>/dev/null </proc/$1/stat || return 0; s=${s##*) }; [ "${s%% *}" = Z ]; }
## stop PIDFILE PATTERN [SIG] [SECS]: signal the recorded process if it is ours, wait, KILL
stop() {
  local f=$1 pat=$2 sig=${3:-TERM} secs=${4:-20} p end
  [ -f "$f" ] || return 0
  if alive "$f" "$pat"; then
    p=$(cat "$f"); end=$((${EPOCHREALTIME%.*} + secs))
    kill -"$sig" "$p" 2>/dev/null || true
    while ! gone "$p" && [ "${EPOCHREALTIME%.*}" -lt $end ]; do sleep 0.1; done
    gone "$p" || kill -9 "$p" 2>/dev/null || true
  fi
  rm -f "$f"
}
## bg PIDFILE LOG CMD...: setsid in the background; setsid/nsenter/ip netns exec/env all
## exec, so the recorded PID is CMD's own
bg() {
  local f=$1 l=$2; shift 2
  setsid "$@" </dev/null >>"$l" 2>&1 8>&- 9>&- &
  echo $! >"$f"
}
waitfor() { # waitfor SECS WHAT CMD...
  local secs=$1 what=$2 end; shift 2
  end=$((${EPOCHREALTIME%.*} + secs))
  until "$@" >/dev/null 2>&1; do
    [ "${EPOCHREALTIME%.*}" -lt $end ] || { say "$what: not ready after ${secs}s"; return 1; }
    sleep 0.2
  done
}
ns_exists() { [ -e "/run/netns/$1" ]; }
nodes() { # the lab nodes that run a nova-compute of openstack.sh (libvirt mode)
  local n
  for n in $(cat "$OS/run/libvirt-nodes" 2>/dev/null); do
    [ -n "$(lp_of "$n")" ] && echo "$n"
  done
  return 0
}
lp_of() { # libvirtd PID of node NAME, if it runs
  local f=$LAB/lab/$1/libvirtd.pid p
  p=$(head -n1 "$f" 2>/dev/null | tr -dc 0-9) || true
  [ -n "$p" ] && tr '\0' ' ' </proc/$p/cmdline 2>/dev/null | grep -q libvirtd && echo "$p"
  return 0
}

## ---------------------------------------------------------------- REST
# shellcheck source=os/api.sh
. "$HERE/os/api.sh"
NEUTRON=http://127.0.0.1:9696
neutron() { _authed "$NEUTRON" "" "$@"; }
keystone() { _authed "$KS" "" "$@"; }
jbody() { local o; o=$("$@"); echo "$o" | sed '$d'; }   # body of a request, code dropped

## ---------------------------------------------------------------- guest image
KPKG() { apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}'; }
image_key() { # versions of the kernel and busybox-static + this script's guest parts
  local k; k=$(KPKG)
  { echo "$k $(apt-cache policy "$k" 2>/dev/null | awk '/Candidate:/{print $2}')"
    dpkg-query -W busybox-static; guest_init; guest_inittab; } | sha1sum | cut -c1-12
}
guest_inittab() {
  cat <<'EOT'
::respawn:/bin/nc -ll -p 7 -e /bin/cat
ttyS0::respawn:/bin/cttyhack /bin/sh -l
::ctrlaltdel:/bin/poweroff -f
::shutdown:/bin/sync
EOT
}
## /init: the address from ip= on the command line, else from the config drive (label
## config-2, openstack/latest/network_data.json, the NIC by MAC), else DHCP. Prints
## "GUEST-UP <ip> <if> <hostname> uptime=<s>" on ttyS0.
guest_init() {
  cat <<'EOT'
#!/bin/sh
export PATH=/bin
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm; mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /run; mount -t tmpfs tmpfs /tmp
exec </dev/console >/dev/console 2>&1
CMDLINE=$(cat /proc/cmdline)
arg() { for w in $CMDLINE; do case "$w" in "$1"=*) echo "${w#*=}"; return;; esac; done; }
hostname guest
ip link set lo up
modprobe -a virtio_pci virtio_net virtio_blk 2>/dev/null
IF=eth0; IPADDR=; MASK=; GW=
n=0; while [ ! -e /sys/class/net/$IF ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n+1)); done
IPARG=$(arg ip)
if [ -n "$IPARG" ] && [ "$IPARG" != dhcp ]; then
  IPADDR=$(echo "$IPARG" | cut -d: -f1); GW=$(echo "$IPARG" | cut -d: -f3)
  MASK=$(echo "$IPARG" | cut -d: -f4); d=$(echo "$IPARG" | cut -d: -f6); [ -n "$d" ] && IF=$d
elif [ -z "$IPARG" ]; then
  modprobe -a ata_piix ahci sr_mod isofs vfat 2>/dev/null
  n=0; CD=
  while [ $n -lt 50 ]; do CD=$(findfs LABEL=config-2 2>/dev/null); [ -n "$CD" ] && break; sleep 0.1; n=$((n+1)); done
  for dev in $CD; do
    [ -b "$dev" ] || continue
    mount -r -t iso9660 "$dev" /mnt/config 2>/dev/null || mount -r -t vfat "$dev" /mnt/config 2>/dev/null || continue
    [ -f /mnt/config/openstack/latest/network_data.json ] && break
    umount /mnt/config
  done
  ND=/mnt/config/openstack/latest/network_data.json
  if [ -f "$ND" ]; then
    J=$(tr -d '\n' < "$ND")
    jv() { echo "$J" | grep -o "\"$1\": *\"[^\"]*\"" | head -1 | sed 's/.*: *"\(.*\)"/\1/'; }
    IPADDR=$(jv ip_address); MAC=$(jv ethernet_mac_address)
    for i in /sys/class/net/*; do [ "$(cat $i/address)" = "$MAC" ] && IF=${i##*/}; done
    GW=$(echo "$J" | grep -o '"gateway": *"[^"]*"' | head -1 | sed 's/.*: *"\(.*\)"/\1/')
    [ "$GW" = "0.0.0.0" ] && GW=
    MASK=$(echo "$J" | sed 's/"routes": *\[[^]]*\]//g' | grep -o '"netmask": *"[^"]*"' | head -1 | sed 's/.*: *"\(.*\)"/\1/')
    H=$(grep -o '"hostname": *"[^"]*"' /mnt/config/openstack/latest/meta_data.json 2>/dev/null | head -1 | sed 's/.*: *"\(.*\)"/\1/')
    [ -n "$H" ] && hostname "$H"
  fi
fi
if [ -n "$IPADDR" ]; then
  ifconfig "$IF" "$IPADDR" netmask "${MASK:-255.255.255.0}" up
  [ -n "$GW" ] && route add default gw "$GW" dev "$IF"
else
  ip link set "$IF" up
  udhcpc -i "$IF" -t 5 -T 1 -A 5 -b -q >/dev/null 2>&1 || true
fi
[ -n "$IPADDR" ] && arping -U -c 1 -I "$IF" "$IPADDR" >/dev/null 2>&1 &
echo "GUEST-UP ${IPADDR:-none} $IF $(hostname) uptime=$(cut -d' ' -f1 /proc/uptime)"
## user_data line "nel-writer /dev/vdX": once the disk appears (a volume attached later),
## write 256 KiB of random data at a random place of its first 64 MiB, synced, again and
## again until a write fails or the disk is gone (hot-unplugged): then stop
nel_writer() {
  d=$1; n=0
  while [ ! -b "$d" ]; do sleep 0.2; done
  echo "NEL-WRITER $d up"
  while [ -b "$d" ]; do
    dd if=/dev/urandom of="$d" bs=256k count=1 seek=$((RANDOM % 256)) oflag=direct conv=fsync,notrunc 2>/dev/null || break
    n=$((n+1)); [ $((n % 100)) = 0 ] && echo "NEL-WRITER $d writes=$n"
  done
  echo "NEL-WRITER $d stopped writes=$n"
}
UD=/mnt/config/openstack/latest/user_data
if [ -f "$UD" ]; then
  for d in $(sed -n 's|^nel-writer \(/dev/[a-z0-9]*\)$|\1|p' "$UD"); do nel_writer "$d" & done
fi
exec /bin/init
EOT
}
## build_image: $CACHE/guest-KEY/{vmlinuz,initrd.img}; the kernel .deb is only downloaded
## and unpacked (nothing goes into the host's /boot or /lib/modules)
build_image() {
  local key d w k kv md m f rel r
  key=$(image_key); d=$CACHE/guest-$key
  if [ -s "$d/vmlinuz" ] && [ -s "$d/initrd.img" ]; then echo "$d"; return 0; fi
  [ -x /bin/busybox ] && dpkg-query -W busybox-static >/dev/null 2>&1 ||
    skip "busybox-static is not installed (tests/lab/deps.sh net)"
  command -v cpio >/dev/null && command -v depmod >/dev/null || skip "cpio/kmod missing (tests/lab/deps.sh net)"
  k=$(KPKG); [ -n "$k" ] || skip "apt knows no linux-image-amd64 (apt-get update?)"
  w=$CACHE/build.$$; rm -rf "$w"; mkdir -p "$w/kpkg" "$CACHE/debs"
  ## the .deb: in apt's cache (tests/lab/deps.sh net downloads it there) or downloaded now
  f=$(ls -v /var/cache/apt/archives/"${k}_"*.deb "$CACHE/debs/${k}_"*.deb 2>/dev/null | tail -n1) || true
  if [ -z "$f" ]; then
    (cd "$CACHE/debs" && apt-get download -q "$k" >&2) || { rm -rf "$w"; die "apt-get download $k failed (run tests/lab/deps.sh net)"; }
    f=$(ls -v "$CACHE/debs/${k}_"*.deb | tail -n1)
  fi
  dpkg-deb -x "$f" "$w/kpkg"
  kv=$(ls "$w/kpkg/lib/modules"); md=$w/kpkg/lib/modules/$kv
  depmod -b "$w/kpkg" "$kv"   # the .deb ships no modules.dep
  r=$w/root
  mkdir -p "$r"/{bin,etc,proc,sys,dev,run,tmp,root,mnt/config,var/log,usr/share/udhcpc,lib/modules/$kv}
  ln -s bin "$r/sbin"; ln -s ../bin "$r/usr/bin"; ln -s ../bin "$r/usr/sbin"
  cp /bin/busybox "$r/bin/busybox"
  for m in $("$r/bin/busybox" --list); do [ "$m" = busybox ] || ln -sf busybox "$r/bin/$m"; done
  for m in virtio_net virtio_pci virtio_blk ata_piix ahci sr_mod isofs vfat; do
    for f in $(modprobe -d "$w/kpkg" -S "$kv" --show-depends "$m" | awk '$1=="insmod"{print $2}'); do
      rel=${f#"$md"/}; mkdir -p "$r/lib/modules/$kv/$(dirname "$rel")"; cp "$f" "$r/lib/modules/$kv/$rel"
    done
  done
  cp "$md"/modules.order "$md"/modules.builtin "$md"/modules.builtin.modinfo "$r/lib/modules/$kv/"
  depmod -b "$r" "$kv"
  printf 'root:x:0:0:root:/root:/bin/sh\n' >"$r/etc/passwd"; printf 'root:x:0:\n' >"$r/etc/group"
  guest_inittab >"$r/etc/inittab"
  guest_init >"$r/init"; chmod +x "$r/init"
  mkdir -p "$d.tmp"
  (cd "$r" && find . | cpio -o -H newc --quiet | gzip -9) >"$d.tmp/initrd.img"
  cp "$w/kpkg/boot/vmlinuz-$kv" "$d.tmp/vmlinuz"
  echo "$k $kv $(dpkg-query -W -f='${Version}' busybox-static)" >"$d.tmp/versions"
  rm -rf "$d"; mv "$d.tmp" "$d"; rm -rf "$w"
  echo "$d"
}

## ---------------------------------------------------------------- L2: hub, nodes, probe
## hub: pnet1/pnet2 bridges (physnet1/physnet2 segments). Node: prov1 in the bridge of
## physnet1 (bridge_mappings; made here, so it exists on every node before any guest),
## prov2 (physical_interface_mappings: the agent, or os-vif, makes brq<net[:11]> on demand).
## The physnet1 bridge is named brq<nel-net1's id[:11]>: Zed's linuxbridge mechanism driver
## puts no bridge_name into vif_details, so Nova (os-vif) plugs the tap into brq<net[:11]>
## whatever the agent's mapping says; a mapped bridge of that name is the one both use.
hub_up() {
  local b
  ns_exists "$HUB" || die "hub namespace $HUB missing (tests/lab/lab.sh up)"
  for b in pnet1 pnet2; do
    ip -n "$HUB" link show "$b" >/dev/null 2>&1 ||
      ip -n "$HUB" link add "$b" type bridge stp_state 0 forward_delay 0
    ip -n "$HUB" link set "$b" up
  done
}
node_links_up() { # node_links_up NODE BRIDGE1
  local n=$1 ns=$PFX-$1 br=$2 i
  for i in 1 2; do
    if ! ip -n "$ns" link show "prov$i" >/dev/null 2>&1; then
      ip -n "$HUB" link del "p$i-$n" 2>/dev/null || true
      ip -n "$HUB" link add "p$i-$n" type veth peer name "prov$i" netns "$ns"
    fi
    ip -n "$HUB" link set "p$i-$n" master "pnet$i" up
    ip -n "$ns" link set "prov$i" up
  done
  ip -n "$ns" link show "$br" >/dev/null 2>&1 ||
    ip -n "$ns" link add "$br" type bridge stp_state 0 forward_delay 0
  ip -n "$ns" link set prov1 master "$br"
  ip -n "$ns" link set "$br" up
}
probe_ns_up() {
  local i
  if ! ns_exists "$PROBE"; then
    ip netns add "$PROBE"; ip -n "$PROBE" link set lo up
  fi
  for i in 1 2; do
    if ! ip -n "$PROBE" link show "eth$i" >/dev/null 2>&1; then
      ip -n "$HUB" link del "p$i-probe" 2>/dev/null || true
      ip -n "$HUB" link add "p$i-probe" type veth peer name "eth$i" netns "$PROBE"
      ip -n "$PROBE" addr add "10.77.$i.2/24" dev "eth$i"
    fi
    ip -n "$HUB" link set "p$i-probe" master "pnet$i" up
    ip -n "$PROBE" link set "eth$i" up
    ## ARP retries every 100 ms (default 1 s): a guest that comes back is seen sooner
    ip netns exec "$PROBE" sysctl -q -w "net.ipv4.neigh.eth$i.retrans_time_ms=100"
  done
}

## ---------------------------------------------------------------- agents
transport_url() { sed -n 's/^transport_url *= *//p' "$OS/etc/neutron/neutron.conf" | head -n1; }
write_agent_conf() { # write_agent_conf NODE BRIDGE1: 0 = unchanged, 1 = (re)written
  local n=$1 br=$2 d=$ND/$1 ini=$ND/$1/linuxbridge_agent.ini
  mkdir -p "$d/state" "$d/lock" "$d/log"
  cat >"$ini.tmp" <<EOF
## neutron-linuxbridge-agent of lab node $n (written by tests/lab/net.sh)
[DEFAULT]
host = $n
state_path = $d/state
log_file = $d/log/linuxbridge-agent.log
debug = false
## 127.0.0.1:5672 in the node's netns is a socat relay to the lab's RabbitMQ
transport_url = $(transport_url)
[oslo_concurrency]
lock_path = $d/lock
[agent]
## root inside the namespace: no rootwrap
root_helper =
polling_interval = 2
report_interval = 10
[linux_bridge]
## physnet1: the bridge exists on every node before any guest (net.sh makes it, with
## prov1 in it); physnet2: brq<net[:11]> with prov2 is made when a port needs it
bridge_mappings = physnet1:$br
physical_interface_mappings = physnet2:prov2
[vxlan]
enable_vxlan = false
[securitygroup]
enable_security_group = true
firewall_driver = iptables
## privsep daemons without sudo (sudo's secure_path would hide the ebtables wrapper)
[privsep]
helper_command = env PATH=$ND/bin:/usr/sbin:/usr/bin:/sbin:/bin privsep-helper --config-file $ini
[privsep_link]
helper_command = env PATH=$ND/bin:/usr/sbin:/usr/bin:/sbin:/bin privsep-helper --config-file $ini
EOF
  if cmp -s "$ini.tmp" "$ini"; then rm -f "$ini.tmp"; return 0; fi
  mv "$ini.tmp" "$ini"; return 1
}
## Debian 12's ebtables-nft cannot delete an --among-src rule by its spec (exit 4, and the
## agent retries that for ever, its loop hangs): delete it by rule number instead
write_ebtables_wrapper() {
  mkdir -p "$ND/bin"
  cat >"$ND/bin/ebtables.tmp" <<'EOF'
#!/bin/bash
## ebtables wrapper (tests/lab/net.sh): delete "--among-src" rules by number
real=/usr/sbin/ebtables
case " $* " in
  *" -D "*"--among-src"*)
    args=("$@"); table=filter; chain=
    for ((i = 0; i < ${#args[@]}; i++)); do
      case ${args[i]} in -t) table=${args[i+1]} ;; -D) chain=${args[i+1]} ;; esac
    done
    n=$($real -t "$table" -L "$chain" --Ln | awk '/--among-src/ { sub(/\..*/, "", $1); print $1; exit }')
    [ -z "$n" ] && exit 0
    exec $real -t "$table" --concurrent -D "$chain" "$n" ;;
esac
exec $real "$@"
EOF
  chmod +x "$ND/bin/ebtables.tmp"; mv "$ND/bin/ebtables.tmp" "$ND/bin/ebtables"
}
relay_up() { # root side (the control plane's netns): unix socket -> 127.0.0.1:5672
  alive "$ND/socat-root.pid" "$ND/rmq.sock" && return 0
  rm -f "$ND/rmq.sock"
  bg "$ND/socat-root.pid" "$ND/log/socat-root.log" socat "UNIX-LISTEN:$ND/rmq.sock,fork" TCP:127.0.0.1:5672
  waitfor 10 "relay socket" test -S "$ND/rmq.sock"
}
node_relay_up() { # node side: 127.0.0.1:5672 in the node's netns -> unix socket
  local n=$1 lp
  alive "$ND/$n/socat.pid" "$ND/rmq.sock" && return 0
  lp=$(lp_of "$n")
  bg "$ND/$n/socat.pid" "$ND/$n/log/socat.log" nsenter -t "$lp" -n -- \
    socat TCP-LISTEN:5672,bind=127.0.0.1,fork,reuseaddr "UNIX-CONNECT:$ND/rmq.sock"
}
agent_up() { # agent_up NODE CHANGED: node's network + mount namespaces (by nsenter)
  local n=$1 lp
  if alive "$ND/$n/agent.pid" "$ND/$n/linuxbridge_agent.ini"; then
    [ "$2" = 1 ] || return 0
    stop "$ND/$n/agent.pid" "$ND/$n/linuxbridge_agent.ini" TERM 20   # new configuration
  fi
  lp=$(lp_of "$n")
  date -u '+%Y-%m-%d %H:%M:%S' >"$ND/$n/agent.started"
  bg "$ND/$n/agent.pid" "$ND/$n/log/agent.out" nsenter -t "$lp" -n -m -- \
    env PATH="$ND/bin:$PATH" neutron-linuxbridge-agent --config-file "$ND/$n/linuxbridge_agent.ini"
}
## agent_alive NODE: its row is alive and has a heartbeat since this agent started
agent_alive() {
  local since; since=$(cat "$ND/$1/agent.started" 2>/dev/null || echo 0)
  jbody neutron GET "/v2.0/agents?host=$1&binary=neutron-linuxbridge-agent" |
    jq -e --arg s "$since" '[.agents[]|select(.alive and .heartbeat_timestamp >= $s)]|length > 0' >/dev/null
}
agent_alive_any() {
  jbody neutron GET "/v2.0/agents?host=$1&binary=neutron-linuxbridge-agent" | jq -e '[.agents[]|select(.alive)]|length > 0' >/dev/null
}
## neutron-server must run with the linuxbridge mechanism driver (ml2_conf.ini of this
## tree): restart it through openstack.sh when it runs an older configuration
server_check() {
  ## 8>&-: neutron-server must not inherit (and hold for ever) our lock
  "$HERE/openstack.sh" restart-neutron-if-stale >&2 8>&- || die "neutron-server restart failed"
}

## ---------------------------------------------------------------- Neutron objects
admin_project() { jbody keystone GET '/projects?name=admin' | jq -r '.projects[0].id'; }
net_id() { jbody neutron GET "/v2.0/networks?name=$1" | jq -r '.networks[0].id // empty'; }
net_ensure() { # net_ensure NAME PHYSNET PREFIX(10.77.N)
  local id
  id=$(net_id "$1")
  if [ -z "$id" ]; then
    id=$(jbody neutron POST /v2.0/networks "{\"network\":{\"name\":\"$1\",\"shared\":true,
      \"provider:network_type\":\"flat\",\"provider:physical_network\":\"$2\"}}" | jq -r '.network.id // empty')
    [ -n "$id" ] || die "network $1: create failed"
  fi
  if [ "$(jbody neutron GET "/v2.0/subnets?network_id=$id" | jq '.subnets|length')" = 0 ]; then
    jbody neutron POST /v2.0/subnets "{\"subnet\":{\"name\":\"$1-v4\",\"network_id\":\"$id\",
      \"ip_version\":4,\"cidr\":\"$3.0/24\",\"enable_dhcp\":false,\"gateway_ip\":null,
      \"allocation_pools\":[{\"start\":\"$3.10\",\"end\":\"$3.250\"}]}}" | jq -e .subnet.id >/dev/null ||
      die "subnet of $1: create failed"
  fi
  echo "$id"
}
## the admin project's default security group lets the lab's networks in (ICMP, TCP)
secgroup_rules() {
  local p sg proto have
  p=$(admin_project)
  sg=$(jbody neutron GET "/v2.0/security-groups?name=default&project_id=$p" | jq -r '.security_groups[0].id // empty')
  if [ -z "$sg" ]; then  # made on first use by Neutron; a listing with fields does not make it
    sg=$(jbody neutron POST /v2.0/security-groups '{"security_group":{"name":"default","description":"Default security group"}}' |
      jq -r '.security_group.id // empty')
  fi
  [ -n "$sg" ] || die "no default security group"
  have=$(jbody neutron GET "/v2.0/security-group-rules?security_group_id=$sg&direction=ingress&remote_ip_prefix=10.77.0.0/16" |
    jq -r '.security_group_rules[].protocol')
  for proto in icmp tcp; do
    echo "$have" | grep -qx "$proto" && continue
    jbody neutron POST /v2.0/security-group-rules "{\"security_group_rule\":{\"security_group_id\":\"$sg\",
      \"direction\":\"ingress\",\"ethertype\":\"IPv4\",\"protocol\":\"$proto\",\"remote_ip_prefix\":\"10.77.0.0/16\"}}" |
      jq -e .security_group_rule.id >/dev/null || die "security group rule $proto: create failed"
  done
}
glance_upload() { # glance_upload JSON FILE -> id
  local id
  id=$(jbody glance POST /v2/images "$1" | jq -r '.id // empty')
  [ -n "$id" ] || die "glance: image create failed"
  curl -sf -o /dev/null -X PUT -H "X-Auth-Token: $TOK" -H 'Content-Type: application/octet-stream' \
    --data-binary @"$2" "$GLANCE/v2/images/$id/file" || die "glance: upload of $2 failed"
  echo "$id"
}
## image_register DIR: nel-guest-kernel, nel-guest-ramdisk, nel-guest (a 1 MiB blob nobody
## reads, with kernel_id/ramdisk_id/os_command_line): Nova's libvirt driver boots the
## kernel directly, no bootloader or partitioned disk to build. All three are raw/bare:
## Zed's image format check (images.fetch_to_raw) refuses aki/ari/ami content, at boot for
## the root disk and in pre_live_migration for the kernel and ramdisk.
image_register() {
  local d=$1 key kid rid img old
  key=$(basename "$d"); key=${key#guest-}-raw
  img=$(jbody glance GET "/v2/images?name=nel-guest" | jq -r --arg k "$key" \
    '.images[]|select(.status=="active" and .nel_guest_key==$k).id' | head -n1)
  [ -n "$img" ] && { echo "$img"; return 0; }
  ## an older build: remove its three images (nothing here uses them once a new one exists)
  for old in $(jbody glance GET "/v2/images?limit=100" | jq -r '.images[]|select(.name|test("^nel-guest(-kernel|-ramdisk)?$")).id'); do
    glance DELETE "/v2/images/$old" >/dev/null
  done
  kid=$(glance_upload '{"name":"nel-guest-kernel","disk_format":"raw","container_format":"bare","visibility":"public"}' "$d/vmlinuz")
  rid=$(glance_upload '{"name":"nel-guest-ramdisk","disk_format":"raw","container_format":"bare","visibility":"public"}' "$d/initrd.img")
  [ -f "$CACHE/root.img" ] || head -c 1048576 /dev/zero >"$CACHE/root.img"
  img=$(glance_upload "{\"name\":\"nel-guest\",\"disk_format\":\"raw\",\"container_format\":\"bare\",
    \"visibility\":\"public\",\"kernel_id\":\"$kid\",\"ramdisk_id\":\"$rid\",
    \"os_command_line\":\"console=ttyS0 quiet\",\"img_config_drive\":\"mandatory\",
    \"os_shutdown_timeout\":\"0\",\"nel_guest_key\":\"$key\"}" "$CACHE/root.img")
  echo "$img"
}
flavor_ensure() {
  jbody nova GET /flavors | jq -e '.flavors[]|select(.name=="nel.guest")' >/dev/null && return 0
  nova POST /flavors '{"flavor":{"name":"nel.guest","vcpus":1,"ram":128,"disk":1}}' | code | grep -q 200 ||
    die "flavor nel.guest: create failed"
}

## ---------------------------------------------------------------- up / down / status
check_up() {
  [ "$(id -u)" = 0 ] || die "must run as root"
  [ "$(cat "$OS/run/mode" 2>/dev/null)" = libvirt ] ||
    skip "the OpenStack lab is not up in libvirt mode (tests/lab/openstack.sh up libvirt)"
  local p missing=""
  for p in neutron-linuxbridge-agent ebtables socat busybox-static cpio kmod genisoimage; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
  done
  [ -z "$missing" ] || skip "missing Debian packages:$missing (run tests/lab/deps.sh net)"
  [ -n "$(nodes)" ] || skip "no lab node runs a nova-compute"
  computes_ok && return 0
  [ "${NEL_RESTART_COMPUTES:-0}" = 1 ] || skip "$STALE"
  say "$STALE: NEL_RESTART_COMPUTES=1, restarting the computes"
  "$HERE/openstack.sh" restart-computes >&2 8>&- || die "openstack.sh restart-computes failed"
  computes_ok || die "$STALE"
}
## computes_ok: every nova-compute runs with a node config that sends os-vif's privsep
## daemon into the node's netns (nsenter -t <its libvirtd>): a compute started before that
## would make the guests' bridges in the control plane's netns. Sets STALE.
## started_at PID: when PID started, in epoch seconds with 10 ms precision. Not `ps -o
## lstart`: it adds the start ticks to /proc/stat's btime, which is truncated to the second,
## so it can name a second before the real start, and a compute started in the second its
## config was rendered then looked older than the config (seen: net.sh up failing after a
## fresh openstack.sh up).
started_at() {
  local st up
  st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  read -r up _ </proc/uptime
  awk -v f="${st##*) }" -v up="$up" -v now="$EPOCHREALTIME" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { split(f, a, " "); printf "%.2f\n", now - up + a[20] / hz }'
}
computes_ok() {
  local n c p t
  for n in $(nodes); do
    c=$OS/etc/nova/$n.conf
    grep -q "^helper_command = nsenter -t $(lp_of "$n") -n " "$c" 2>/dev/null ||
      { STALE="nova-compute of $n: $c has no os-vif helper in the node's netns (restart the cloud: openstack.sh down; openstack.sh up libvirt)"; return 1; }
    p=$(cat "$OS/run/nova-compute-$n.pid" 2>/dev/null) || p=
    t=$(started_at "${p:-0}") || t=
    [ -n "$t" ] && awk -v s="$t" -v m="$(date -r "$c" +%s.%N)" 'BEGIN { exit !(s >= m) }' ||
      { STALE="nova-compute of $n started before $c was written (restart the cloud: openstack.sh down; openstack.sh up libvirt)"; return 1; }
  done
}
cmd_up() {
  local n img d net1 net2 br ch IMGJOB
  check_up
  mkdir -p "$ND/log" "$CACHE"
  step "up (state in $ND)"
  ( build_image >"$ND/image.path" ) 2>>"$ND/log/image.log" & IMGJOB=$!
  server_check
  TOK=$(token)
  write_ebtables_wrapper
  hub_up
  relay_up
  probe_ns_up
  ## the networks first: physnet1's bridge is named after nel-net1's id
  net1=$(net_ensure nel-net1 physnet1 $NET1_CIDR); net2=$(net_ensure nel-net2 physnet2 $NET2_CIDR)
  br=brq${net1:0:11}
  step "networks nel-net1 $net1 (physnet1, $br on every node), nel-net2 $net2 (physnet2, brq on demand)"
  for n in $(nodes); do
    node_links_up "$n" "$br"; ch=0; write_agent_conf "$n" "$br" || ch=1
    node_relay_up "$n"; agent_up "$n" $ch
  done
  step "provider links, relays, agents started; probe netns $PROBE"
  secgroup_rules
  wait $IMGJOB || { tail -n 20 "$ND/log/image.log" >&2; die "guest image build failed"; }
  d=$(cat "$ND/image.path"); img=$(image_register "$d"); flavor_ensure
  step "guest image $(cat "$d/versions" | cut -d' ' -f1) + busybox-static: nel-guest $img, flavor nel.guest"
  for n in $(nodes); do
    waitfor 90 "agent on $n" agent_alive "$n" || { tail -n 20 "$ND/$n/log/linuxbridge-agent.log" >&2; die "agent on $n not alive"; }
  done
  step "agents alive on $(nodes | tr '\n' ' ')"
  grep -qs '^virt_type = kvm' "$OS/etc/nova/$(nodes | head -n1).conf" &&
    say "warning: the computes run KVM; where this was measured, nested KVM never got the guest kernel past its decompressor (NOVA_EVAC_VIRT=qemu: TCG)"
  cmd_env >"$ND/env"
  step "READY"
}
cmd_env() {
  local TOK; TOK=$(token)
  echo "export NEL_NET1=$(net_id nel-net1) NEL_NET2=$(net_id nel-net2)"
  echo "export NEL_IMAGE=$(jbody glance GET '/v2/images?name=nel-guest' | jq -r '.images[0].id // empty') NEL_FLAVOR=nel.guest"
  echo "export NEL_PROBE_NS=$PROBE NEL_NET=$ND"
}
cmd_down() {
  local n f id b
  [ -d "$ND" ] || return 0
  probe_stop_all
  if [ -f "$OS/run/neutron-server.pid" ] && [ -f "$ND/env" ] && TOK=$(token) && [ -n "$TOK" ]; then
    ## ports that are not Nova's (a test's leftovers), then the networks, while agents run
    for id in $(net_id nel-net1) $(net_id nel-net2); do
      for f in $(jbody neutron GET "/v2.0/ports?network_id=$id" | jq -r '.ports[]|select(.device_owner|startswith("compute:")|not).id'); do
        neutron DELETE "/v2.0/ports/$f" >/dev/null
      done
      neutron DELETE "/v2.0/networks/$id" | code | grep -q 204 || say "network $id not deleted (servers on it?)"
    done
    sleep 3   # the agents delete their brq bridges
  fi
  for n in "$ND"/node[0-9][0-9]; do
    [ -d "$n" ] || continue
    stop "$n/agent.pid" "$n/linuxbridge_agent.ini" TERM 20 &
  done
  wait
  for n in "$ND"/node[0-9][0-9]; do
    [ -d "$n" ] || continue
    stop "$n/socat.pid" "$ND/rmq.sock" TERM 5
    f=$PFX-${n##*/}
    if ns_exists "$f"; then
      ip -n "$f" link del prov1 2>/dev/null || true
      ip -n "$f" link del prov2 2>/dev/null || true
      b=$(sed -n 's/^bridge_mappings = physnet1://p' "$n/linuxbridge_agent.ini" 2>/dev/null)
      [ -n "$b" ] && { ip -n "$f" link del "$b" 2>/dev/null || true; }
    fi
  done
  stop "$ND/socat-root.pid" "$ND/rmq.sock" TERM 5
  rm -f "$ND/rmq.sock" "$ND/env"
  ns_exists "$PROBE" && ip netns del "$PROBE"
  if ns_exists "$HUB"; then
    ip -n "$HUB" link del pnet1 2>/dev/null || true
    ip -n "$HUB" link del pnet2 2>/dev/null || true
  fi
  return 0
}
cmd_status() {
  local n any=0
  for f in "$ND/socat-root.pid" "$ND"/node[0-9][0-9]/agent.pid "$ND"/node[0-9][0-9]/socat.pid; do
    [ -e "$f" ] || continue
    if alive "$f" ""; then echo "  ${f#"$ND"/}: pid $(cat "$f")"; any=1; else echo "  ${f#"$ND"/}: DEAD"; fi
  done
  ns_exists "$PROBE" && echo "  probe netns $PROBE: $(ip -n "$PROBE" -br addr | awk '$1!="lo"{print $3}' | tr '\n' ' ')"
  if [ $any = 1 ] && TOK=$(token) && [ -n "$TOK" ]; then
    jbody neutron GET '/v2.0/agents?binary=neutron-linuxbridge-agent' |
      jq -r '.agents[]|"  agent \(.host): alive=\(.alive) heartbeat=\(.heartbeat_timestamp)"'
  fi
  [ $any = 1 ]
}

## ---------------------------------------------------------------- servers
srv_ip() { # srv_ip UUID -> first address
  jbody nova GET "/servers/$1" | jq -r '[.server.addresses[][]|.addr][0] // empty'
}
srv_uuid() { # NAME or UUID -> UUID
  case $1 in *-*-*-*-*) echo "$1"; return ;; esac
  jbody nova GET "/servers?name=^$1\$" | jq -r '.servers[0].id // empty'
}
pings() { ip netns exec "$PROBE" ping -n -c 1 -W 1 "$1"; }
cmd_boot() {
  local name=${1:?usage: boot NAME NODE [net1|net2]} node=${2:?usage: boot NAME NODE [net1|net2]} net=${3:-net1}
  local id ip t0 r img fl
  [ -f "$ND/env" ] || die "the network lab is not up (net.sh up)"
  TOK=$(token)
  r=$(net_id "nel-$net"); [ -n "$r" ] || die "no network nel-$net"
  img=$(jbody glance GET '/v2/images?name=nel-guest' | jq -r '.images[0].id // empty')
  fl=$(jbody nova GET /flavors | jq -r '.flavors[]|select(.name=="nel.guest").id')
  t0=$(now)
  id=$(jbody nova POST /servers "{\"server\":{\"name\":\"$name\",\"flavorRef\":\"$fl\",\"imageRef\":\"$img\",
    \"networks\":[{\"uuid\":\"$r\"}],\"availability_zone\":\"nova:$node\"}}" | jq -r '.server.id // empty')
  [ -n "$id" ] || die "boot $name: nova refused"
  wait_srv "$id" '.status == "ACTIVE" or .status == "ERROR"' 300 || die "boot $name ($id): not ACTIVE after 300 s"
  [ "$(srv "$id" | cut -d' ' -f1)" = ACTIVE ] ||
    die "boot $name ($id): ERROR: $(jbody nova GET "/servers/$id" | jq -c .server.fault)"
  ip=$(srv_ip "$id")
  waitfor 120 "ping $ip ($name)" pings "$ip" || die "boot $name ($id): $ip does not answer ping"
  echo "$id $ip $(since "$t0")"
}

## ---------------------------------------------------------------- probe
sess_dir() { echo "$ND/probe-${SESSION:-default}"; }
probe_start() {
  local d ip; d=$(sess_dir)
  [ $# -gt 0 ] || die "usage: probe start [-s SESSION] IP..."
  ns_exists "$PROBE" || die "probe netns $PROBE missing (net.sh up)"
  mkdir -p "$d"
  for ip in "$@"; do
    alive "$d/ping-$ip.pid" "$ip" && continue
    rm -f "$d/last-ping-$ip.log"
    : >"$d/ping-$ip.log"; date +%s.%N >"$d/ping-$ip.t0"
    bg "$d/ping-$ip.pid" "$d/ping-$ip.log" ip netns exec "$PROBE" \
      ping -D -n -i "${NEL_PROBE_INTERVAL:-0.01}" -W 1 "$ip"
  done
}
## gap_report IP LOG T0 TSTOP: sent/lost from ping's summary, longest gap (ms) between
## replies, counting from the probe's start to the first reply and from the last to its stop
## (a guest that never comes back has the whole rest as its gap)
gap_report() {
  awk -v ip="$1" -v t0="$3" -v t1="$4" '
    BEGIN { prev = t0 + 0 }
    /^\[[0-9.]+\] [0-9]+ bytes from/ { t = substr($1, 2, length($1) - 2) + 0
      if (t - prev > g) { g = t - prev; gf = prev; gt = t }
      prev = t; got++ }
    / packets transmitted/ { sent = $1; rcv = $4 }
    END { if (t1 + 0 - prev > g) { g = t1 - prev; gf = prev; gt = t1 }
          if (sent == "") { sent = got; rcv = got }
          printf "%s sent=%d lost=%d longest_gap_ms=%d gap_from=%.3f gap_to=%.3f\n",
            ip, sent, sent - rcv, g * 1000, gf, gt }' "$2"
}
probe_stop() {
  local d f ip t1; d=$(sess_dir)
  [ -d "$d" ] || die "no probe session ${SESSION:-default}"
  t1=$(date +%s.%N)
  for f in "$d"/ping-*.pid; do
    [ -e "$f" ] || continue
    ip=$(basename "$f" .pid); ip=${ip#ping-}
    stop "$f" "$ip" INT 5
  done
  for f in "$d"/ping-*.log; do
    [ -e "$f" ] || continue
    ip=$(basename "$f" .log); ip=${ip#ping-}
    gap_report "$ip" "$f" "$(cat "$d/ping-$ip.t0" 2>/dev/null || echo "$t1")" "$t1"
    mv -f "$f" "$d/last-ping-$ip.log"; rm -f "$d/ping-$ip.t0"
  done
}
## holder: one TCP connection to IP:7, one numbered line every 0.2 s, each must come back
## on the same connection; logs "ok SEQ MS" / "broken SEQ reason"; SIGUSR1 = check now
holder() {
  local ip=$1 log=$2 seq=0 t r
  exec 3<>"/dev/tcp/$ip/7" || { echo "broken 0 connect" >>"$log"; exit 1; }
  while :; do
    seq=$((seq + 1)); t=$EPOCHREALTIME
    printf 'nel %d\n' $seq >&3 || { echo "broken $seq write" >>"$log"; exit 1; }
    if ! IFS= read -r -t 60 r <&3; then echo "broken $seq read" >>"$log"; exit 1; fi
    [ "$r" = "nel $seq" ] || { echo "broken $seq got '$r'" >>"$log"; exit 1; }
    echo "ok $seq $(awk -v a="$t" -v b="$EPOCHREALTIME" 'BEGIN{printf "%d", (b-a)*1000}')" >>"$log"
    sleep 0.2
  done
}
echo_start() {
  local d ip; d=$(sess_dir)
  [ $# -gt 0 ] || die "usage: echo start [-s SESSION] IP..."
  mkdir -p "$d"
  for ip in "$@"; do
    alive "$d/echo-$ip.pid" "nel-echo-holder $ip" && continue
    : >"$d/echo-$ip.log"
    bg "$d/echo-$ip.pid" "$d/echo-$ip.out" ip netns exec "$PROBE" \
      bash -c "$(declare -f holder); holder \"\$1\" \"\$2\"" nel-echo-holder "$ip" "$d/echo-$ip.log"
    waitfor 10 "echo $ip" grep -q '^ok ' "$d/echo-$ip.log" || { cat "$d/echo-$ip.log" >&2; die "echo $ip: no first round trip"; }
  done
}
echo_check() {
  local d f ip n bad=0; d=$(sess_dir)
  for f in "$d"/echo-*.pid; do
    [ -e "$f" ] || continue
    ip=$(basename "$f" .pid); ip=${ip#echo-}
    n=$(grep -c '^ok ' "$d/echo-$ip.log" || true)
    ## alive: the holder runs and completes a further round trip now
    if alive "$f" "nel-echo-holder $ip" &&
      waitfor 70 "echo $ip" awk -v n="$n" '/^ok /{c++} END{exit !(c > n)}' "$d/echo-$ip.log" && alive "$f" "nel-echo-holder $ip"; then
      echo "$ip alive round_trips=$(grep -c '^ok ' "$d/echo-$ip.log") longest_ms=$(awk '/^ok /{if($3>m)m=$3} END{print m+0}' "$d/echo-$ip.log")"
    else
      echo "$ip broken round_trips=$(grep -c '^ok ' "$d/echo-$ip.log") $(grep -m1 '^broken' "$d/echo-$ip.log" || echo 'holder gone')"
      bad=1
    fi
  done
  return $bad
}
echo_stop() {
  local d f ip; d=$(sess_dir)
  for f in "$d"/echo-*.pid; do
    [ -e "$f" ] || continue
    ip=$(basename "$f" .pid); ip=${ip#echo-}
    stop "$f" "nel-echo-holder $ip" TERM 3
    mv -f "$d/echo-$ip.log" "$d/last-echo-$ip.log"; rm -f "$d/echo-$ip.out"
  done
}
probe_stop_all() {
  local d f
  for d in "$ND"/probe-*; do
    [ -d "$d" ] || continue
    for f in "$d"/ping-*.pid; do [ -e "$f" ] && stop "$f" ping INT 3; done
    for f in "$d"/echo-*.pid; do [ -e "$f" ] && stop "$f" nel-echo-holder TERM 3; done
  done
  return 0
}
with_session() { # [-s SESSION] ARGS... -> SESSION set, rest in SARGS
  SESSION=default; SARGS=()
  if [ "${1:-}" = -s ]; then SESSION=${2:?-s needs a name}; shift 2; fi
  case $SESSION in *[!A-Za-z0-9_.-]*) die "bad session name '$SESSION'" ;; esac
  SARGS=("$@")
}

with_lock() {
  mkdir -p "$ND"
  exec 8>"$ND/net.lock"
  flock -w 600 8 || die "another net.sh holds $ND/net.lock"
  "$@"
}
case ${1:-} in
  up) with_lock cmd_up ;;
  down) with_lock cmd_down; say "down ($(el))" ;;
  status) cmd_status ;;
  env) cmd_env ;;
  check) check_up; [ -f "$ND/env" ] || skip "the network lab is not up (tests/lab/net.sh up)"
    TOK=$(token); for n in $(nodes); do agent_alive_any "$n" || skip "no live L2 agent on $n (tests/lab/net.sh up)"; done ;;
  image) mkdir -p "$CACHE"; build_image ;;
  boot) shift; cmd_boot "$@" ;;
  ip) TOK=$(token); srv_ip "$(srv_uuid "${2:?usage: ip NAME|UUID}")" ;;
  probe) shift; c=${1:-}; shift || true; with_session "$@"
    case $c in start) probe_start "${SARGS[@]}" ;; stop) probe_stop ;; *) die "usage: probe start|stop" ;; esac ;;
  echo) shift; c=${1:-}; shift || true; with_session "$@"
    case $c in start) echo_start "${SARGS[@]}" ;; check) echo_check ;; stop) echo_stop ;; *) die "usage: echo start|check|stop" ;; esac ;;
  *) sed -n '2,49s/^## \{0,1\}//p' "$0" >&2; exit 2 ;;
esac
