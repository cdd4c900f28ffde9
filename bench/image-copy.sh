#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# bench/image-copy.sh - issue 16: one image from the lab's RegionOne Glance to
# its RegionTwo Glance, three ways, in the same run, alternating the order:
#   A  nova-evac image-copy IMAGE --to-region RegionTwo --force
#   B  glance image-download IMAGE | glance --os-region-name RegionTwo image-create ...
#   C  glance image-download --file F, then image-create --file F (what operators do
#      when the pipe breaks)
# Prints wall seconds and peak RSS (GNU time %M: the largest process of the command)
# per round, the medians, and B/A and C/A ratios. Removes what it created.
#   bench/image-copy.sh [--rounds N] [--mib M] [--tsv FILE]
set -eu -o pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
rounds=3 mib=256 tsv=
while [ $# -gt 0 ]; do
  case $1 in
    --rounds) rounds=$2; shift 2 ;;
    --mib) mib=$2; shift 2 ;;
    --tsv) tsv=$2; shift 2 ;;
    *) echo "usage: $0 [--rounds N] [--mib M] [--tsv FILE]" >&2; exit 2 ;;
  esac
done
NOVA_EVAC=${NOVA_EVAC:-$HERE/_build/src/nova-evac}
[ -x "$NOVA_EVAC" ] || { echo "set NOVA_EVAC to a built nova-evac" >&2; exit 2; }
command -v glance >/dev/null || { echo "python3-glanceclient (glance) is not installed" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "GNU time (/usr/bin/time) is not installed" >&2; exit 2; }
eval "$("$HERE/tests/lab/openstack.sh" env)"
export OS_CLIENT_CONFIG_FILE=/dev/null   # glance: the OS_* variables only
. "$HERE/tests/lab/os/api.sh"   # its glance() is the REST helper: the CLI is gl
GL=$(type -P glance)
gl() { "$GL" "$@"; }
TOK=$(token)
curl -sf -o /dev/null http://127.0.0.1:9293/healthcheck || { echo "no RegionTwo Glance (openstack.sh up)" >&2; exit 1; }
tag=imgcopy-bench-$$
uuids() { grep -oE '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'; }
tmp=$(mktemp -d /var/tmp/$tag.XXXX)
src=
cleanup() {
  local i
  for i in $(gl --os-region-name RegionTwo image-list --property-filter "bench=$tag" 2>/dev/null | uuids) \
           $(curl -s -H "X-Auth-Token: $(token)" "http://127.0.0.1:9293/v2/images?nova_evac_source_image=${src:-none}" | jq -r '.images[].id'); do
    gl --os-region-name RegionTwo image-delete "$i" >/dev/null 2>&1 || true
  done
  [ -n "$src" ] && gl image-delete "$src" >/dev/null 2>&1
  rm -rf "$tmp"
}
trap cleanup EXIT

head -c $((mib << 20)) /dev/urandom >"$tmp/src.raw"
src=$(gl image-create --name "$tag" --disk-format raw --container-format bare --property bench=$tag \
  --property hw_disk_bus=virtio --file "$tmp/src.raw" 2>"$tmp/create.err" | awk '$2=="id"{print $4}')
[ -n "$src" ] || { echo "could not create the source image:" >&2; cat "$tmp/create.err" >&2; exit 1; }
rm -f "$tmp/src.raw"
echo "source image $src: $mib MiB of random data; $rounds rounds; load: $(cut -d' ' -f1-3 /proc/loadavg)"

# measure NAME CMD...: appends "NAME wall_s rss_kib" to $tmp/rows
measure() {
  local n=$1 t0 t1; shift
  t0=$(date +%s.%N)
  /usr/bin/time -f '%M' -o "$tmp/rss" "$@" >/dev/null 2>"$tmp/$n.err" || { echo "$n failed:" >&2; cat "$tmp/$n.err" >&2; exit 1; }
  t1=$(date +%s.%N)
  printf '%s %s %s\n' "$n" "$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}')" "$(tail -1 "$tmp/rss")" | tee -a "$tmp/rows"
}
A() { measure A "$NOVA_EVAC" -q image-copy "$src" --to-region RegionTwo --force --json; }
B() { measure B bash -c "$GL image-download $src | $GL --os-region-name RegionTwo image-create --name $tag-B \
  --disk-format raw --container-format bare --property bench=$tag"; }
C() { measure C bash -c "$GL image-download $src --file $tmp/c.raw && $GL --os-region-name RegionTwo image-create \
  --name $tag-C --disk-format raw --container-format bare --property bench=$tag --file $tmp/c.raw && rm -f $tmp/c.raw"; }
: >"$tmp/rows"
for r in $(seq "$rounds"); do
  if [ $((r % 2)) = 1 ]; then A; B; C; else C; B; A; fi
done
[ -z "$tsv" ] || cp "$tmp/rows" "$tsv"
med() { awk -v n="$1" -v c="$2" '$1==n{print $c}' "$tmp/rows" | sort -n | awk '{v[NR]=$1} END{print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
ta=$(med A 2) tb=$(med B 2) tc=$(med C 2) ra=$(med A 3) rb=$(med B 3) rc=$(med C 3)
echo
printf '%-46s %10s %14s\n' "median of $rounds rounds, $mib MiB" "wall s" "peak RSS MiB"
printf '%-46s %10s %14s\n' "A nova-evac image-copy (streamed, verified)" "$ta" "$((ra / 1024))"
printf '%-46s %10s %14s\n' "B glance image-download | image-create" "$tb" "$((rb / 1024))"
printf '%-46s %10s %14s\n' "C download to a file, then upload" "$tc" "$((rc / 1024))"
awk -v ta="$ta" -v tb="$tb" -v tc="$tc" -v ra="$ra" -v rb="$rb" -v rc="$rc" 'BEGIN{
  printf "time  B/A %.2f  C/A %.2f   (above 1: nova-evac is faster)\n", tb/ta, tc/ta
  printf "RSS   B/A %.2f  C/A %.2f   (above 1: nova-evac uses less memory)\n", rb/ra, rc/ra }'
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
