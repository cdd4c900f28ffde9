#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# suite lane: own-lab (touches only its private lab; tests/run runs it beside the shared-lab tests)
# make install-hook (issue 14) into a lab node's libvirt configuration, and
# what the hook does for a migration libvirt drives itself (virsh migrate
# --p2p, as Nova does).  node02's QEMU lacks pc-i440fx-6.2 (its own
# capabilities cache).  Without the hook libvirt there refuses the guest's
# machine type; with it, the hook rewrites the incoming XML to the mapped
# pc-i440fx-7.0 -- and libvirt 9.0 then refuses the change itself (its guest
# ABI check: "Target domain machine type ... does not match source ..."),
# the guest still running on node01.  So the hook cannot rescue a live
# migration on this libvirt; nova-evac's cold moves apply the map instead
# (machine-map.t).  A guest whose machine type node02 offers migrates
# through the installed hook unchanged.  A private 2-node lab, no Nova.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

tmp=$(mktemp -d)
cleanup() {
    private_lab_wipe
    rm -rf "$tmp"
}
trap cleanup EXIT
private_lab ihook nih 2
hub=${NETNS_PREFIX}-hub
quiet() { "$@" >/dev/null 2>&1; }
not() { ! "$@"; }
vsh() { virsh -q -c "$("$LABSH" uri "$1")" "${@:2}"; }
state() { vsh "$1" domstate "$2" 2>/dev/null | head -1; }
restart_node02() {
    kill "$NODE02_PID"
    for _ in $(seq 1 100); do kill -0 "$NODE02_PID" 2>/dev/null || break; sleep 0.1; done
    "$LABSH" up 2 >"$tmp/up2.out" 2>&1 || return 1
    . "$root/env"
}
# A diskless guest (SeaBIOS finds nothing to boot and waits): MACHINE on node01.
guest() {
    cat >"$tmp/$1.xml" <<XML
<domain type='qemu'><name>$1</name><uuid>$(new_uuid)</uuid><memory unit='MiB'>64</memory>
<vcpu>1</vcpu><os><type arch='x86_64' machine='$2'>hvm</type></os>
<devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices></domain>
XML
    quiet vsh node01 define "$tmp/$1.xml" && quiet vsh node01 start "$1"
}
migrate() {  # NAME: live, peer to peer, as Nova's libvirt driver asks
    run ip netns exec "$hub" virsh -c "$NODE01_URI" migrate --live --p2p --persistent \
        --undefinesource "$1" "$NODE02_PEER_URI"
}

cc=$root/capcache/node02
mkdir -p "$cc"
for f in "$NODE01_DIR"/cache/qemu/capabilities/*.xml; do
    grep -v "<machine type='[a-z]*' name='pc-i440fx-6.2'" "$f" >"$cc/${f##*/}"
done
ok "node02 restarted with its own capabilities cache" restart_node02
ok "node02's libvirt lacks pc-i440fx-6.2" not quiet grep -q '>pc-i440fx-6.2<' <(virsh -q -c "$NODE02_URI" capabilities)
ok "ih-old runs on node01 as pc-i440fx-6.2" guest ih-old pc-i440fx-6.2
ok "ih-new runs on node01 as pc-i440fx-7.0" guest ih-new pc-i440fx-7.0

# 1. No hook: libvirt on node02 refuses the machine type.
migrate ih-old
like "$out" "does not support machine type 'pc-i440fx-6.2'" "no hook: node02 refuses pc-i440fx-6.2"
is "$(state node01 ih-old)" running "ih-old still runs on node01"

# 2. make install-hook into node02's /etc/libvirt (its etc/ in the lab).
printf '# test map\npc-i440fx-6.2=pc-i440fx-7.0\n' >"$tmp/map.src"
run make -s -C "$top_builddir" install-hook HOOKDIR="$NODE02_DIR/etc/hooks" \
    MACHINE_MAP="$tmp/etc/machine-map" MAP_FILE="$tmp/map.src"
is "$rc" 0 "make install-hook exits 0"
ok "the hook is installed, executable" test -x "$NODE02_DIR/etc/hooks/qemu"
ok "it reads the map where it was installed" \
    grep -qx "map=\${NOVA_EVAC_MACHINE_MAP:-$tmp/etc/machine-map}" "$NODE02_DIR/etc/hooks/qemu"
is "$(cat "$tmp/etc/machine-map")" "$(cat "$tmp/map.src")" "the map is installed"
printf 'pc-i440fx-6.2=pc-i440fx-5.2\n' >"$tmp/other.src"
run make -s -C "$top_builddir" install-hook HOOKDIR="$NODE02_DIR/etc/hooks" \
    MACHINE_MAP="$tmp/etc/machine-map" MAP_FILE="$tmp/other.src"
is "$(cat "$tmp/etc/machine-map")" "$(cat "$tmp/map.src")" "a second install keeps the operator's map"
t0=$(date +%s)
ok "node02 restarted (libvirtd looks for hooks when it starts)" restart_node02
diag "restart: $(( $(date +%s) - t0 )) s"

# 3. With the hook: a guest node02 can take migrates unchanged ...
migrate ih-new
is "$rc" 0 "ih-new (pc-i440fx-7.0) migrates through the installed hook" || diag "$out"
is "$(state node02 ih-new)" running "ih-new runs on node02"
# ... and the old machine type is rewritten by the hook, which libvirt 9.0
# then refuses: the mapped name can only come from the hook.
migrate ih-old
like "$out" "Target domain machine type pc-i440fx-7.0 does not match source pc-i440fx-6.2" \
    "the hook rewrote pc-i440fx-6.2 to pc-i440fx-7.0, and libvirt's ABI check refuses it"
is "$(state node01 ih-old)" running "ih-old still runs on node01"
ok "nothing of it on node02" not quiet vsh node02 dominfo ih-old
# A map the hook refuses cancels the incoming migration (said, nothing moved).
printf 'pc-i440fx-7.0 = x\n' >"$tmp/etc/machine-map"
quiet vsh node02 destroy ih-new; quiet vsh node02 undefine ih-new
ok "ih-new defined again on node01" guest ih-new pc-i440fx-7.0
migrate ih-new
ok "a bad map line: the hook fails, libvirt cancels the migration" test "$rc" != 0
is "$(state node01 ih-new)" running "ih-new still runs on node01"
done_testing
