#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Install what nova-evac needs to build and to run its lab, from Debian 12's archive.
# Usage: tests/lab/deps.sh [build|lab|openstack|net|ceph|cinder|report|all]   (default: all)
# cinder: Cinder (api, scheduler, volume with its RBD driver) on the Ceph lab, and QEMU's
#         rbd block driver (qemu-block-extra) for the computes' RBD network disks.
# report: the headless browser that opens drain's HTML report in tests/integration/report.t.
# net: the network lab (tests/lab/net.sh): the L2 agent, and what builds the guest image.
#      The guest's kernel package is only downloaded into apt's cache, never installed.
# Idempotent: packages already present are skipped by apt.
set -eu
what=${1:-all}
build="jq clang libclang-rt-14-dev build-essential autoconf automake libtool pkg-config libvirt-dev libcurl4-openssl-dev
 libjansson-dev libmariadb-dev libxml2-dev libyaml-dev"
lab="socat libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients qemu-system-x86 qemu-utils
 iproute2 util-linux mariadb-server mariadb-client iptables rsync"
openstack="python3-nova python3-keystone python3-glance python3-placement python3-neutron
 python3-openstackclient python3-osc-placement python3-libvirt rabbitmq-server uwsgi-core
 uwsgi-plugin-python3 jq curl"
net="neutron-linuxbridge-agent ebtables bridge-utils socat busybox-static cpio kmod genisoimage
 iputils-ping"
report="chromium"
ceph="ceph-mon ceph-osd ceph-common librbd-dev librados-dev rbd-mirror"
cinder="python3-cinder python3-rbd python3-rados qemu-block-extra"
case $what in
  build) pkgs=$build ;;
  lab) pkgs="$build $lab" ;;
  openstack) pkgs="$build $lab $openstack" ;;
  ceph) pkgs="$build $ceph" ;;
  cinder) pkgs="$build $lab $openstack $ceph $cinder" ;;
  report) pkgs="$build $lab $report" ;;
  net) pkgs="$build $lab $openstack $net" ;;
  all) pkgs="$build $lab $openstack $net $report $ceph $cinder" ;;
  *) echo "deps.sh: unknown set '$what' (build|lab|openstack|net|ceph|cinder|report|all)" >&2; exit 2 ;;
esac
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || missing="$missing $p"
done
## the guest kernel for net.sh: linux-image-amd64's current image package, downloaded only
kernel_deb() {
  k=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
  [ -n "$k" ] || { echo "deps.sh: apt knows no linux-image-amd64" >&2; return 1; }
  ls /var/cache/apt/archives/"${k}_"*.deb >/dev/null 2>&1 && return 0
  (cd /var/cache/apt/archives && apt-get -o DPkg::Lock::Timeout=900 download -q "$k")
}
case $what in net | all) want_kernel=1 ;; *) want_kernel=0 ;; esac
if [ -z "$missing" ]; then
  [ $want_kernel = 1 ] && { kernel_deb || { apt-get -o DPkg::Lock::Timeout=900 update -q >/dev/null; kernel_deb; }; }
  exit 0
fi
if [ ! -d /usr/sbin ] || [ ! -f /usr/sbin/policy-rc.d ]; then
  # no service may start from a postinst: we start our own, privately
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
fi
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=900 update -q >/dev/null
apt-get -o DPkg::Lock::Timeout=900 install -y -q --no-install-recommends $missing
[ $want_kernel = 1 ] && kernel_deb
exit 0
