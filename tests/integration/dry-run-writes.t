#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# suite lane: own-lab (touches only its private lab; tests/run runs it beside the shared-lab tests)
# A dry run writes nothing anywhere (issue 12).  The run-time check for
# shared instances storage writes a marker file through the source and
# looks for it through the destination; under --dry-run it must not run:
# `migrate --dry-run` and `drain --dry-run` of guests whose disks live in
# the instances path create no file on either host (watched with inotify
# while they run, since a probe removes its marker again), and the dry run
# says the sharing was not probed.  A private 2-node lab (a watcher on the
# shared lab would see other tests' files).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

tmp=$(mktemp -d)
wpid=""
cleanup() {
    [ -n "$wpid" ] && kill "$wpid" 2>/dev/null
    private_lab_wipe
    rm -rf "$tmp"
}
trap cleanup EXIT
command -v python3 >/dev/null || skip_all "python3 (for the inotify watcher) is missing"
private_lab dryw ndw 2
quiet() { "$@" >/dev/null 2>&1; }
"$LABSH" base dryw-img node01 node02 >/dev/null 2>&1
ok "a shut-off guest on node01" quiet "$LABSH" guest node01 dryw-off "$(new_uuid)" --image dryw-img --shutoff
ok "a running guest on node01" quiet "$LABSH" guest node01 dryw-run "$(new_uuid)" --image dryw-img

# watch: every file or directory created, moved in, or removed under both
# nodes' instances trees (their host-side directories) goes to $tmp/events.
cat >"$tmp/watch.py" <<'PY'
import ctypes, os, struct, sys
libc = ctypes.CDLL("libc.so.6", use_errno=True)
fd = libc.inotify_init()
mask = 0x100 | 0x80 | 0x200 | 0x2   # IN_CREATE | IN_MOVED_TO | IN_DELETE | IN_MODIFY
wd = {}
for top in sys.argv[2:]:
    for d, subs, _ in os.walk(top):
        wd[libc.inotify_add_watch(fd, d.encode(), mask)] = d
out = open(sys.argv[1], "w", buffering=1)
out.write("ready\n")
while True:
    buf = os.read(fd, 65536)
    i = 0
    while i < len(buf):
        w, m, c, n = struct.unpack_from("iIII", buf, i)
        name = buf[i + 16:i + 16 + n].rstrip(b"\0").decode(errors="replace")
        out.write("%s/%s %#x\n" % (wd.get(w, "?"), name, m))
        i += 16 + n
PY
python3 "$tmp/watch.py" "$tmp/events" "$root/lab/node01/instances" "$root/lab/node02/instances" &
wpid=$!
for i in $(seq 1 100); do grep -q ready "$tmp/events" 2>/dev/null && break; sleep 0.1; done
ok "the watcher runs" grep -q ready "$tmp/events"

run ne migrate dryw-off --from node01 --to node02 --dry-run
is "$rc" 0 "migrate --dry-run of the shut-off guest: exit 0"
like "$out" "dryw-off: dry run: whether .* is shared between node01 and node02 was not probed" \
    "the dry run says the sharing was not probed"
run ne migrate dryw-run --from node01 --to node02 --dry-run --mode block
like "$out" "dryw-run: dry run: whether .* is shared .* was not probed" "the same for a block migration"
run ne drain node01 --to node02 --dry-run
is "$rc" 0 "drain --dry-run: exit 0"
sleep 1 # let the watcher drain its queue
ev=$(grep -v '^ready$' "$tmp/events")
is "$ev" "" "no file was created, changed or removed in either host's instances path"
[ -z "$ev" ] || printf '%s\n' "$ev" | head -5 | sed 's/^/# event: /'
is "$(virsh -q -c "$NODE01_URI" domstate dryw-off)" "shut off" "the shut-off guest is still on node01"
is "$(virsh -q -c "$NODE01_URI" domstate dryw-run)" "running" "the running guest is still running on node01"
is "$(virsh -q -c "$NODE02_URI" list --all --name | grep -c dryw)" 0 "nothing defined on node02"
done_testing
