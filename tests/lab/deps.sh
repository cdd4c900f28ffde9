#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Install what nova-evac needs to build and to run its lab, from Debian 12's archive.
# Usage: tests/lab/deps.sh [build|lab|openstack|ceph|all]   (default: all)
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
ceph="ceph-mon ceph-osd ceph-common librbd-dev librados-dev"
case $what in
  build) pkgs=$build ;;
  lab) pkgs="$build $lab" ;;
  openstack) pkgs="$build $lab $openstack" ;;
  ceph) pkgs="$build $ceph" ;;
  all) pkgs="$build $lab $openstack" ;;
  *) echo "deps.sh: unknown set '$what' (build|lab|openstack|ceph|all)" >&2; exit 2 ;;
esac
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ ! -d /usr/sbin ] || [ ! -f /usr/sbin/policy-rc.d ]; then
  # no service may start from a postinst: we start our own, privately
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
fi
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=900 update -q >/dev/null
apt-get -o DPkg::Lock::Timeout=900 install -y -q --no-install-recommends $missing
