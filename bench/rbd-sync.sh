#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# bench/rbd-sync.sh - issue 15: one RBD image copied from Ceph cluster A to cluster B of
# the lab (tests/lab/ceph.sh) while a writer keeps writing to it, two ways, in the same
# run, on the same image and the same deltas:
#   A  nova-evac volume-sync a/volumes/IMG b/volumes/IMG-A --cutover-hook H
#      (round 0, incremental rounds, cut-over, verification, snapshots removed)
#   B  what operators script with the rbd CLI: rbd export IMG@s0 - | rbd import - ...,
#      then rbd export-diff --from-snap s(N-1) IMG@sN - | rbd import-diff - ... per
#      round, then the last delta and a verification (sha256 of rbd export of both
#      sides at the last snapshot, both at once)
# The image: a sparse --size-mib image with --data-mib of random data in 4 MiB objects
# spread over it, copied (rbd cp) from one base made at the start for each method. The
# writer (one librbd client, like a guest: 8 writes of 4 MiB in flight, whole objects in
# a fixed seeded order) starts delta i of --deltas (MiB) when round i's snapshot
# appears, so incremental round i copies delta i and the final round the last delta
# (target (b): 64 MiB written since the previous round). The cut-over hook (A), and its
# place in B, let the writer write what is left and wait until it has closed the image
# (the stand-in for detaching the volume: no guest, no Cinder here). When the writer is
# slower than a round, a delta lands in two rounds and volume-sync decides on other
# rounds than planned: the script says so, and B replays the deltas as A's rounds
# copied them (same objects, same rounds), so A runs first in every repetition.
# Prints each repetition's rows, then per stage the medians and the median of the
# per-repetition ratios B/A (above 1: volume-sync is faster), and the cut-over time
# (writer closed to verified, target < 10 s). Figures only, no timed assertions; it
# fails when a copy differs from its source or a snapshot is left.
#
#   bench/rbd-sync.sh [--reps N] [--size-mib S] [--data-mib D] [--deltas 192,64,64]
#                     [--tsv FILE]
# Needs the lab's two Ceph clusters up (tests/lab/ceph.sh up), the rbd CLI, jq and
# python3-rbd. Creates only images named rbdbench-PID-* in pool volumes of both
# clusters and removes them on exit.
set -eu -o pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
reps=3 size=1024 data=384 deltas=192,64,64 tsv=
usage() { echo "usage: $0 [--reps N] [--size-mib S] [--data-mib D] [--deltas D1,D2,...] [--tsv FILE]" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    --reps) reps=${2:-}; shift 2 ;;
    --size-mib) size=${2:-}; shift 2 ;;
    --data-mib) data=${2:-}; shift 2 ;;
    --deltas) deltas=${2:-}; shift 2 ;;
    --tsv) tsv=${2:-}; shift 2 ;;
    *) usage ;;
  esac
done
for v in "$reps" "$size" "$data"; do [[ $v =~ ^[1-9][0-9]*$ ]] || usage; done
[[ $deltas =~ ^[1-9][0-9]*(,[1-9][0-9]*)+$ ]] || { echo "--deltas: at least two sizes in MiB, e.g. 192,64,64" >&2; exit 2; }
IFS=, read -ra D <<<"$deltas"
k=${#D[@]}
# volume-sync goes on while the last round's delta is above --max-final-bytes and the
# deltas shrink: the deltas copied by incremental rounds must shrink strictly, and the
# last of them is the threshold, so it cuts over after exactly k-1 incremental rounds.
for ((i = 1; i < k - 1; i++)); do
  [ "${D[i]}" -lt "${D[i - 1]}" ] || { echo "--deltas: all but the last must shrink strictly ($deltas)" >&2; exit 2; }
done
total=$data; for d in "${D[@]}"; do total=$((total + d)); [ $((d % 4)) = 0 ] || { echo "--deltas: multiples of 4 MiB" >&2; exit 2; }; done
[ $((data % 4)) = 0 ] && [ $((size % 4)) = 0 ] || { echo "--size-mib, --data-mib: multiples of 4" >&2; exit 2; }
[ "$total" -le "$size" ] || { echo "--data-mib plus the deltas ($total MiB) exceed --size-mib $size" >&2; exit 2; }
maxfinal=${D[k - 2]}

NOVA_EVAC=${NOVA_EVAC:-$HERE/_build/src/nova-evac}
[ -x "$NOVA_EVAC" ] || { echo "set NOVA_EVAC to a built nova-evac" >&2; exit 2; }
command -v rbd >/dev/null || { echo "the rbd CLI (ceph-common) is not installed" >&2; exit 2; }
PY=/usr/bin/python3
"$PY" -c 'import rados, rbd' 2>/dev/null || { echo "python3-rbd is not installed" >&2; exit 2; }
why=$("$HERE/tests/lab/ceph.sh" check 2>&1) || { echo "Ceph clusters not usable: $why (tests/lab/ceph.sh up)" >&2; exit 1; }
eval "$("$HERE/tests/lab/ceph.sh" env)"
"$NOVA_EVAC" volume-sync --help >/dev/null 2>&1 || { echo "$NOVA_EVAC has no volume-sync" >&2; exit 2; }

tag=rbdbench-$$
base=$tag-base work=$tag-src
tmp=$(mktemp -d /var/tmp/$tag.XXXX)
ra() { timeout 600 rbd -c "$CEPH_A_CONF" --id "$CEPH_A_USER" "$@"; }
rb() { timeout 600 rbd -c "$CEPH_B_CONF" --id "$CEPH_B_USER" "$@"; }
wpid=
rm_img() { # rm_img ra|rb IMAGE: the image and its snapshots, if it exists
  "$1" info "volumes/$2" >/dev/null 2>&1 || return 0
  "$1" snap purge "volumes/$2" >/dev/null 2>&1 || true
  "$1" rm --no-progress "volumes/$2" >/dev/null 2>&1 || echo "could not remove $2" >&2
}
cleanup() {
  [ -z "$wpid" ] || { kill "$wpid" 2>/dev/null; wait "$wpid" 2>/dev/null; } || true
  rm_img ra "$work"; rm_img ra "$base"; rm_img rb "$tag-A"; rm_img rb "$tag-B"
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cat >"$tmp/ne.conf" <<EOF
[DEFAULT]
state_dir = $tmp/state
[ceph:a]
conf = $CEPH_A_CONF
keyring = $CEPH_A_USER_KEYRING
client = $CEPH_A_USER
[ceph:b]
conf = $CEPH_B_CONF
keyring = $CEPH_B_USER_KEYRING
client = $CEPH_B_USER
EOF

# The image maker and the writer: one librbd client each.
cat >"$tmp/rbdio.py" <<'EOF'
import os, random, re, sys, time, rados, rbd
OBJ = 4 << 20
def objects(size_mib, seed):
    n = size_mib // 4
    order = list(range(n))
    random.Random(seed).shuffle(order)
    return order
def main():
    mode, conf, user, image = sys.argv[1:5]
    with rados.Rados(conffile=conf, rados_id=user) as c, c.open_ioctx('volumes') as io:
        if mode == 'make':  # make IMAGE SIZE_MIB DATA_MIB: data spread evenly
            size, data = int(sys.argv[5]), int(sys.argv[6])
            rbd.RBD().create(io, image, size << 20, old_format=False,
                             features=rbd.RBD_FEATURE_LAYERING | rbd.RBD_FEATURE_EXCLUSIVE_LOCK |
                             rbd.RBD_FEATURE_OBJECT_MAP | rbd.RBD_FEATURE_FAST_DIFF |
                             rbd.RBD_FEATURE_DEEP_FLATTEN)
            n, m = size // 4, data // 4
            with rbd.Image(io, image) as im:
                for i in range(m):
                    im.write(os.urandom(OBJ), (i * n // m) * OBJ)
            return
        # write IMAGE SIZE_MIB D1,D2,... LOG DONE FLUSH: delta i when round i's snapshot
        # appears, or at once once FLUSH exists (the cut-over came before that round)
        size, deltas, log, done, flush = (int(sys.argv[5]), [int(x) for x in sys.argv[6].split(',')],
                                          sys.argv[7], sys.argv[8], sys.argv[9])
        order = objects(size, 15)
        rx = re.compile(r'-(\d+)$')
        with rbd.Image(io, image) as im, open(log, 'a', buffering=1) as out:
            pos = 0
            def seen():
                r = -1
                for s in im.list_snaps():
                    m = rx.search(s['name'])
                    if m: r = max(r, int(m.group(1)))
                return r
            for i, d in enumerate(deltas):
                while seen() < i and not os.path.exists(flush):
                    time.sleep(0.01)
                t0 = time.time()
                inflight = []  # 8 writes in flight, like a guest's queue
                for o in order[pos:pos + d // 4]:
                    if len(inflight) == 8:
                        inflight.pop(0).wait_for_complete_and_cb()
                    inflight.append(im.aio_write(os.urandom(OBJ), o * OBJ, lambda c: None))
                for c in inflight:
                    c.wait_for_complete_and_cb()
                    if c.get_return_value() < 0: raise OSError('aio_write: %d' % c.get_return_value())
                im.flush()
                pos += d // 4
                t1 = time.time()
                late = seen() > i
                out.write('delta %d %d MiB %.2f s%s\n' % (i, d, t1 - t0, ' LATE' if late else ''))
        open(done, 'w').close()
main()
EOF

# The gate: volume-sync's round j does not start before the writer has written delta j-1.
cat >"$tmp/gate.py" <<'EOF'
# gate K LOG BLOCKED -- CMD...: runs CMD with its stdout on a pipe kept almost full, so its
# report of round j (one line, written at once) blocks it before round j+1's snapshot
# until the writer has written delta j (a "delta j" line in LOG), for j < K-1; copies
# CMD's stdout to ours; writes the seconds CMD spent blocked so to BLOCKED.
import fcntl, os, subprocess, sys, time, termios, struct
k, log, blocked_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
cmd = sys.argv[5:]
r, w = os.pipe()
fcntl.fcntl(w, 1031, 4096)  # F_SETPIPE_SZ
cap = fcntl.fcntl(w, 1032)  # F_GETPIPE_SZ
wn = os.open('/proc/self/fd/%d' % w, os.O_WRONLY | os.O_NONBLOCK)  # our own description
fl = fcntl.fcntl(r, fcntl.F_GETFL); fcntl.fcntl(r, fcntl.F_SETFL, fl | os.O_NONBLOCK)
def pending():
    return struct.unpack('i', fcntl.ioctl(r, termios.FIONREAD, b'\0\0\0\0'))[0]
def fill():
    while True:
        n = cap - pending() - 64
        if n <= 0: return
        try: os.write(wn, b'\n' * n); return
        except BlockingIOError: continue
def done():
    try: return sum(1 for l in open(log) if l.startswith('delta '))
    except OSError: return 0
def wchan(pid):
    try: return open('/proc/%d/wchan' % pid).read()
    except OSError: return ''
fill()
p = subprocess.Popen(cmd, stdout=w, stdin=subprocess.DEVNULL)
os.close(w)
buf, lines, blocked = b'', 0, 0.0
last = time.time()
out = sys.stdout.buffer
while True:
    now = time.time()
    gating = lines < k - 1
    if gating and done() <= lines:
        if 'pipe_write' in wchan(p.pid): blocked += now - last
    else:
        try:
            while True:
                d = os.read(r, 65536)
                if not d: break
                buf += d
        except BlockingIOError:
            pass
        *ls, buf = buf.split(b'\n')
        for l in ls:
            if l.strip():
                out.write(l + b'\n'); out.flush()
                if b'"round"' in l: lines += 1
        if lines < k - 1: fill()
    last = now
    if p.poll() is not None:
        os.close(wn)
        fcntl.fcntl(r, fcntl.F_SETFL, fl)
        buf += os.read(r, 1 << 20)
        for l in buf.split(b'\n'):
            if l.strip(): out.write(l + b'\n')
        out.flush()
        break
    time.sleep(0.005)
open(blocked_path, 'w').write('%.2f\n' % blocked)
sys.exit(p.returncode)
EOF

now() { date +%s.%N; }
dt() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", b-a}'; }
: >"$tmp/rows"
row() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$tmp/rows"; } # rep method stage MiB seconds
fresh() { # fresh D1,D2,...: the image both methods copy, identical each time, and its writer
  rm_img ra "$work"
  ra cp --no-progress "volumes/$base" "volumes/$work" >/dev/null
  rm -f "$tmp/w.done" "$tmp/w.flush"; : >"$tmp/w.log"
  "$PY" "$tmp/rbdio.py" write "$CEPH_A_CONF" "$CEPH_A_USER" "$work" "$size" "$1" "$tmp/w.log" \
    "$tmp/w.done" "$tmp/w.flush" &
  wpid=$!
  for _ in $(seq 100); do ra status "volumes/$work" 2>/dev/null | grep -q 'watcher=' && break; sleep 0.1; done
}
writer_end() {
  wait "$wpid" || { echo "the writer failed:" >&2; cat "$tmp/w.log" >&2; exit 1; }
  wpid=
}
sum_of() { "$1" export --no-progress "$2" - 2>/dev/null | sha256sum | cut -c1-64; }

run_A() {
  local r=$1 t0 t1 hs he cs
  fresh "$deltas"
  cat >"$tmp/hook.sh" <<EOF
#!/bin/sh
# the cut-over: the guest's last writes, then it lets go of the image (stands in for a detach)
date +%s.%N >"$tmp/hook.start"
touch "$tmp/w.flush"
while [ ! -e "$tmp/w.done" ]; do sleep 0.01; done
date +%s.%N >"$tmp/hook.end"
EOF
  chmod +x "$tmp/hook.sh"
  t0=$(now)
  "$PY" "$tmp/gate.py" "$k" "$tmp/w.log" "$tmp/gate.blocked" -- env NOVA_EVAC_CONFIG="$tmp/ne.conf" \
    "$NOVA_EVAC" --format json volume-sync "a/volumes/$work" "b/volumes/$tag-A" \
    --max-final-bytes "${maxfinal}M" --cutover-hook "$tmp/hook.sh" >"$tmp/A.json" 2>"$tmp/A.err" ||
    { echo "A (volume-sync) failed:" >&2; cat "$tmp/A.err" "$tmp/A.json" >&2; exit 1; }
  t1=$(now)
  writer_end
  hs=$(cat "$tmp/hook.start") he=$(cat "$tmp/hook.end")
  jq -r 'select(.round != null) | "\(.round)\t\(.final)\t\(.bytes / 1048576 | round)\t\(.seconds)"' "$tmp/A.json" |
    while IFS=$'\t' read -r n f b s; do
      [ "$f" = true ] && st=final || st=round$n
      row "$r" A "$st" "$b" "$(printf '%.2f' "$s")"
    done
  # what each incremental round and the final one copied: B replays these deltas
  adeltas=$(jq -r 'select(.round != null and .round > 0) | .bytes / 1048576 | round' "$tmp/A.json" | paste -sd,)
  if [ "$adeltas" != "$deltas" ]; then
    echo "  rep $r: the deltas as A's rounds copied them ($adeltas MiB) differ from the plan ($deltas):" \
      "the writer was slower than a round (B copies A's)" >&2
    sed 's/^/    writer: /' "$tmp/w.log" >&2
  fi
  cs=$(jq -r 'select(.cutover_seconds != null) | .cutover_seconds' "$tmp/A.json")
  row "$r" A hook_wait - "$(dt "$hs" "$he")"
  row "$r" A verify - "$(sed -n 's/.*verified .* in \([0-9.]*\) s: identical.*/\1/p' "$tmp/A.err" | tail -1)"
  row "$r" A cutover "${adeltas##*,}" "$(awk -v c="$cs" -v a="$hs" -v b="$he" 'BEGIN{printf "%.2f", c-(b-a)}')"
  row "$r" A total - "$(dt "$t0" "$t1")"
  row "$r" A waits - "$(awk -v g="$(cat "$tmp/gate.blocked")" -v a="$hs" -v b="$he" 'BEGIN{printf "%.2f", g+b-a}')"
  # an independent check: the copy equals the source (the writer is gone, nothing changes)
  [ "$(sum_of ra "volumes/$work")" = "$(sum_of rb "volumes/$tag-A")" ] || { echo "A: the copy differs from the source" >&2; exit 1; }
  [ -z "$(rb snap ls "volumes/$tag-A")" ] && [ -z "$(ra snap ls "volumes/$work")" ] ||
    { echo "A: snapshots left behind" >&2; exit 1; }
  rm_img rb "$tag-A"
}

run_B() {
  local r=$1 t0 t1 a b i k c1 c2 s1 s2 st wt=0
  local -a d
  IFS=, read -ra d <<<"$adeltas"
  k=${#d[@]}
  fresh "$adeltas"
  t0=$(now)
  ra snap create --no-progress "volumes/$work@$tag-0" >/dev/null
  a=$(now)
  ra export --no-progress "volumes/$work@$tag-0" - | rb import --no-progress - "volumes/$tag-B" >/dev/null
  b=$(now)
  row "$r" B round0 "$data" "$(dt "$a" "$b")"
  rb snap create --no-progress "volumes/$tag-B@$tag-0" >/dev/null
  for ((i = 1; i <= k; i++)); do
    a=$(now)
    if [ "$i" = "$k" ]; then # the cut-over: the writer's last delta written and the image closed
      while [ ! -e "$tmp/w.done" ]; do sleep 0.01; done
      c1=$(now)
    else
      while ! grep -q "^delta $((i - 1)) " "$tmp/w.log"; do sleep 0.01; done
    fi
    wt=$(awk -v w="$wt" -v a="$a" -v b="$(now)" 'BEGIN{printf "%.2f", w+b-a}')
    ra snap create --no-progress "volumes/$work@$tag-$i" >/dev/null
    a=$(now)
    ra export-diff --no-progress --from-snap "$tag-$((i - 1))" "volumes/$work@$tag-$i" - |
      rb import-diff --no-progress - "volumes/$tag-B"
    b=$(now)
    [ "$i" = "$k" ] && st=final || st=round$i
    row "$r" B "$st" "${d[i - 1]}" "$(dt "$a" "$b")"
    ra snap rm --no-progress "volumes/$work@$tag-$((i - 1))" >/dev/null 2>&1
    rb snap rm --no-progress "volumes/$tag-B@$tag-$((i - 1))" >/dev/null 2>&1
  done
  a=$(now)
  sum_of ra "volumes/$work@$tag-$k" >"$tmp/s1" &
  sum_of rb "volumes/$tag-B@$tag-$k" >"$tmp/s2"
  wait $!
  c2=$(now)
  s1=$(cat "$tmp/s1") s2=$(cat "$tmp/s2")
  [ -n "$s1" ] && [ "$s1" = "$s2" ] || { echo "B: the copy differs from the source" >&2; exit 1; }
  row "$r" B verify - "$(dt "$a" "$c2")"
  row "$r" B cutover "${d[k - 1]}" "$(dt "$c1" "$c2")"
  ra snap rm --no-progress "volumes/$work@$tag-$k" >/dev/null 2>&1
  rb snap rm --no-progress "volumes/$tag-B@$tag-$k" >/dev/null 2>&1
  t1=$(now)
  writer_end
  row "$r" B total - "$(dt "$t0" "$t1")"
  row "$r" B waits - "$wt"
  rm_img rb "$tag-B"
}

echo "rbd-sync: $size MiB image with $data MiB of data on cluster A, deltas $deltas MiB," \
  "$reps repetitions; load: $(cut -d' ' -f1-3 /proc/loadavg)"
t=$(now)
"$PY" "$tmp/rbdio.py" make "$CEPH_A_CONF" "$CEPH_A_USER" "$base" "$size" "$data"
echo "base image made in $(dt "$t" "$(now)") s"
for r in $(seq "$reps"); do
  run_A "$r"
  run_B "$r"
  awk -F'\t' -v r="$r" '$1==r{printf "  %s %s %-9s %5s MiB %8s s\n", $1, $2, $3, $4, $5}' "$tmp/rows"
done
rm_img ra "$work"
[ -z "$tsv" ] || { printf 'rep\tmethod\tstage\tMiB\tseconds\n'; cat "$tmp/rows"; } >"$tsv"

echo
printf '%-9s %5s %9s %11s %11s %13s\n' stage reps "MiB (med)" "A median s" "B median s" "B/A (median)"
for st in $(awk -F'\t' '$2=="A" && $3 ~ /^round/ {print $3}' "$tmp/rows" | sort -u -V) final verify cutover total waits; do
  awk -F'\t' -v st="$st" '
    function med(v, n,  i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) { t=v[i]; v[i]=v[j]; v[j]=t }
                                    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 }
    $3==st && $2=="A" {a[$1]=$5; m[$1]=$4} $3==st && $2=="B" {b[$1]=$5}
    END { n = 0; for (r in a) if (r in b) { n++; x[n] = a[r]; y[n] = b[r]; q[n] = a[r] > 0 ? b[r] / a[r] : 0; z[n] = m[r] + 0 }
          if (!n) exit
          printf "%-9s %5d %9s %11.2f %11.2f %13.2f\n", st, n, m[1] == "-" ? "-" : med(z, n), med(x, n), med(y, n), med(q, n) }' "$tmp/rows"
done
echo "B/A above 1: volume-sync is faster. Rounds: A's own JSON \"seconds\" (diff + copy), B's"
echo "rbd export[-diff] | rbd import[-diff] (two processes each). verify: A chunk checksums of both"
echo "sides, B sha256 of rbd export of both sides at once. cutover: from the writer's close (hook"
echo "done) to verified, target < 10 s; total: the whole command (A), every step (B); waits: the"
echo "part of total spent waiting for the writer (A: held between rounds and in the hook)."
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
