#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# suite lane: own-lab (touches only its private lab; tests/run runs it beside the shared-lab tests)
# The lab itself (issue 2): a private 3-node lab next to the suite's, with a
# guest, then `down`: no namespace, no recorded process and no process that
# names the lab's root is left behind, and a second `down` is a no-op.
# The times of up and down are printed, not asserted.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

[ "$(id -u)" = 0 ] || skip_all "the lab needs root"
root=/var/tmp/nel-labt-$$
pfx=nlt
export NOVA_EVAC_LAB=$root NOVA_EVAC_LAB_PREFIX=$pfx NOVA_EVAC_LAB_VIRT_TYPE=qemu
main=/var/tmp/nova-evac-lab
tmp=$(mktemp -d)
cleanup() { "$LABSH" wipe >/dev/null 2>&1; rm -rf "$root" "$tmp"; }
trap cleanup EXIT
# The suite's lab has probed QEMU already: share its capabilities cache (P2).
mkdir -p "$root/capcache"
cp -f "$main"/capcache/*.xml "$root/capcache/" 2>/dev/null || true

quiet() { "$@" >/dev/null 2>&1; }
secs() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
t=$(date +%s.%N)
"$LABSH" up 3 >"$tmp/up.out" 2>&1 || { cat "$tmp/up.out" >&2; skip_all "a private lab did not start"; }
diag "lab.sh up 3 (private lab, capabilities cached): $(secs "$t") s"

. "$root/env"
is "$NODES" "node01 node02 node03" "three nodes"
ids=""
for n in node01 node02 node03; do
    u=$("$LABSH" uri "$n")
    ok "$n answers on its own socket" quiet virsh -q -c "$u" uri
    ids="$ids $(virsh -q -c "$u" capabilities | sed -n 's:.*<uuid>\(.*\)</uuid>.*:\1:p' | head -1)"
    is "$("$LABSH" sh "$n" hostname)" "$n" "$n has its own hostname"
done
is "$(printf '%s\n' $ids | sort -u | wc -l)" "$(printf '%s\n' $ids | wc -l)" "every node has its own host UUID"
ok "no lab interface in the root namespace" test -z "$(ip -o link show | grep -E "$pfx|10\.77\.0")"
ok "node01 reaches node03's libvirtd over the hub (the migration path)" \
    quiet "$LABSH" sh node01 virsh -q -c "$NODE03_PEER_URI" uri

"$LABSH" base "labt-img" node02 >/dev/null 2>&1
ok "a guest runs on node02" quiet "$LABSH" guest node02 labt-vm "$(new_uuid)" --image labt-img
is "$(virsh -q -c "$("$LABSH" uri node02)" domstate labt-vm 2>/dev/null)" running "guest running"

# Every process the lab started: libvirtds, reapers, QEMUs.
pids=$(for f in "$root"/lab/node*/libvirtd.pid "$root"/lab/node*/reaper.pid \
    "$root"/lab/node*/run/libvirt/qemu/*.pid; do head -n1 "$f" | tr -dc 0-9; echo; done 2>/dev/null | sort -u)
ok "recorded processes found (libvirtd, reaper, QEMU)" test "$(printf '%s\n' $pids | wc -l)" -ge 7

# Another root with this lab's prefix must not take its namespaces (down lists
# the nodes from `ip netns`): up, down and wipe refuse and change nothing.
for c in up down wipe; do
    NOVA_EVAC_LAB=$root-other "$LABSH" $c >"$tmp/other.out" 2>&1
    is "$?" 1 "$c of another root with prefix $pfx: refused"
    like "$(cat "$tmp/other.out")" "belong to the lab at $root, not $root-other.*NOVA_EVAC_LAB_PREFIX" \
        "$c of another root: says whose namespaces they are and what to set"
done
ok "no directory made for the other root" test ! -e "$root-other"
is "$(virsh -q -c "$("$LABSH" uri node02)" domstate labt-vm 2>/dev/null)" running "the guest still runs"
ok "node01 still reaches node03 over the hub" quiet "$LABSH" sh node01 virsh -q -c "$NODE03_PEER_URI" uri

t=$(date +%s.%N)
"$LABSH" down >"$tmp/down.out" 2>&1; rc=$?
cat "$tmp/down.out" | sed "s/^/# /"
is "$rc" 0 "down exits 0"
diag "lab.sh down with one guest running: $(secs "$t") s"
left=""
for p in $pids; do [ -d "/proc/$p" ] && left="$left $p($(tr '\0' ' ' <"/proc/$p/cmdline" | cut -c1-60))"; done
is "${left# }" "" "no recorded process left"
named=""
for c in /proc/[0-9]*/cmdline; do
    grep -qaF "$root" "$c" 2>/dev/null && named="$named ${c#/proc/}"
done
is "${named# }" "" "no process names the lab's root"
is "$(ip netns list | grep -c "^$pfx-")" 0 "no namespace left"
ok "no lab interface in the root namespace after down" test -z "$(ip -o link show | grep -E "$pfx")"
"$LABSH" down >"$tmp/down2.out" 2>&1
is "$?" 0 "second down exits 0 (idempotent)"
if [ -f "$main/env" ]; then
    ok "the suite's own lab still answers" quiet virsh -q -c "$(NOVA_EVAC_LAB=$main NOVA_EVAC_LAB_PREFIX=nel "$LABSH" uri node01)" uri
fi
done_testing
