#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# bench/image-copy-rbd.sh - issue 16, RBD store to RBD store: one image from
# the lab's RegionCephA Glance (pool images of Ceph cluster a) to its
# RegionCephB Glance (pool images of cluster b), three ways, in the same run,
# the order alternating between rounds:
#   R  nova-evac image-copy IMAGE --rbd-from a --rbd-to b/images (librbd copy,
#      read back and hashed, registered by its location)
#   A  nova-evac image-copy IMAGE (the stream through both Glances)
#   B  glance image-download IMAGE | glance --os-region-name RegionCephB image-create ...
# Prints wall seconds and peak RSS (GNU time %M) per round, the medians and
# the ratios A/R and B/R. Removes what it created.
#   bench/image-copy-rbd.sh [--rounds N] [--mib M]
set -eu -o pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
rounds=3 mib=256
while [ $# -gt 0 ]; do
  case $1 in
    --rounds) rounds=$2; shift 2 ;;
    --mib) mib=$2; shift 2 ;;
    *) echo "usage: $0 [--rounds N] [--mib M]" >&2; exit 2 ;;
  esac
done
NOVA_EVAC=${NOVA_EVAC:-$HERE/_build/src/nova-evac}
[ -x "$NOVA_EVAC" ] || { echo "set NOVA_EVAC to a built nova-evac" >&2; exit 2; }
command -v glance >/dev/null || { echo "python3-glanceclient (glance) is not installed" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "GNU time (/usr/bin/time) is not installed" >&2; exit 2; }
"$HERE/tests/lab/openstack.sh" glance-rbd-up >/dev/null 2>&1 || { echo "tests/lab/openstack.sh glance-rbd-up failed (Ceph up?)" >&2; exit 1; }
eval "$("$HERE/tests/lab/openstack.sh" env)"
eval "$("$HERE/tests/lab/ceph.sh" env)"
export OS_CLIENT_CONFIG_FILE=/dev/null OS_REGION_NAME=RegionCephA
. "$HERE/tests/lab/os/api.sh"
GL=$(type -P glance)
gl() { "$GL" "$@"; }
tag=imgcopy-rbd-bench-$$
uuids() { grep -oE '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'; }
tmp=$(mktemp -d /var/tmp/$tag.XXXX)
{ printf '[DEFAULT]\nstate_dir = %s/state\n' "$tmp"
  printf '[ceph:a]\nconf = %s\nkeyring = %s\nclient = %s\n' "$CEPH_A_CONF" "$CEPH_A_USER_KEYRING" "$CEPH_A_USER"
  printf '[ceph:b]\nconf = %s\nkeyring = %s\nclient = %s\n' "$CEPH_B_CONF" "$CEPH_B_USER_KEYRING" "$CEPH_B_USER"
} >"$tmp/ne.conf"
export NOVA_EVAC_CONFIG=$tmp/ne.conf
src=
cleanup() {
  local i
  for i in $(gl --os-region-name RegionCephB image-list --property-filter "bench=$tag" 2>/dev/null | uuids) \
           $(curl -s -H "X-Auth-Token: $(token)" "http://127.0.0.1:9296/v2/images?nova_evac_source_image=${src:-none}" | jq -r '.images[].id'); do
    gl --os-region-name RegionCephB image-delete "$i" >/dev/null 2>&1 || true
  done
  [ -n "$src" ] && gl image-delete "$src" >/dev/null 2>&1
  rm -rf "$tmp"
}
trap cleanup EXIT

head -c $((mib << 20)) /dev/urandom >"$tmp/src.raw"
src=$(gl image-create --name "$tag" --disk-format raw --container-format bare --property bench=$tag \
  --file "$tmp/src.raw" 2>"$tmp/create.err" | awk '$2=="id"{print $4}')
[ -n "$src" ] || { echo "could not create the source image:" >&2; cat "$tmp/create.err" >&2; exit 1; }
rm -f "$tmp/src.raw"
echo "source image $src in RegionCephA: $mib MiB of random data; $rounds rounds; load: $(cut -d' ' -f1-3 /proc/loadavg)"

measure() {
  local n=$1 t0 t1; shift
  t0=$(date +%s.%N)
  /usr/bin/time -f '%M' -o "$tmp/rss" "$@" >/dev/null 2>"$tmp/$n.err" || { echo "$n failed:" >&2; cat "$tmp/$n.err" >&2; exit 1; }
  t1=$(date +%s.%N)
  printf '%s %s %s\n' "$n" "$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}')" "$(tail -1 "$tmp/rss")" | tee -a "$tmp/rows"
}
R() { measure R "$NOVA_EVAC" -q image-copy "$src" --to-region RegionCephB --force --rbd-from a --rbd-to b/images --json; }
A() { measure A "$NOVA_EVAC" -q image-copy "$src" --to-region RegionCephB --force --json; }
B() { measure B bash -c "$GL image-download $src | $GL --os-region-name RegionCephB image-create --name $tag-B \
  --disk-format raw --container-format bare --property bench=$tag"; }
: >"$tmp/rows"
for r in $(seq "$rounds"); do
  if [ $((r % 2)) = 1 ]; then R; A; B; else B; A; R; fi
done
med() { awk -v n="$1" -v c="$2" '$1==n{print $c}' "$tmp/rows" | sort -n | awk '{v[NR]=$1} END{print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
tr_=$(med R 2) ta=$(med A 2) tb=$(med B 2) rr=$(med R 3) ra=$(med A 3) rb=$(med B 3)
echo
printf '%-50s %10s %14s\n' "median of $rounds rounds, $mib MiB" "wall s" "peak RSS MiB"
printf '%-50s %10s %14s\n' "R nova-evac image-copy --rbd-from/--rbd-to" "$tr_" "$((rr / 1024))"
printf '%-50s %10s %14s\n' "A nova-evac image-copy (stream through Glance)" "$ta" "$((ra / 1024))"
printf '%-50s %10s %14s\n' "B glance image-download | image-create" "$tb" "$((rb / 1024))"
awk -v tr="$tr_" -v ta="$ta" -v tb="$tb" 'BEGIN{
  printf "time  A/R %.2f  B/R %.2f   (above 1: the RBD copy is faster)\n", ta/tr, tb/tr }'
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
