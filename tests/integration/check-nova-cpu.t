#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# `check` (and so drain's pre-check) on a guest with Nova's own CPU
# definition, on the suite's lab (KVM where the machine offers it): Nova
# writes qemu64 with svm disabled, because QEMU lists the bare qemu64 as
# not usable on an Intel host (it asks for svm).  The guest runs; check must
# not call its CPU a blocker (it did: "offered ... but not usable").  Where
# the CPU does not run (QEMU 7.2's TCG has no x2apic, which Nova's definition
# requires), check must say so: its verdict on node02 (the same QEMU) agrees
# with libvirt starting the guest on node01 or refusing it.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
need_lab
id=$(uniq_id)
tmp=$(mktemp -d)
name="cpu-$id"
sha=$(printf %s "img-$id" | sha1sum | cut -c1-40)
uri1=$("$LABSH" uri node01)
cleanup() {
    virsh -q -c "$uri1" destroy "$name" >/dev/null 2>&1
    virsh -q -c "$uri1" undefine "$name" >/dev/null 2>&1
    rm -rf "$NOVA_EVAC_LAB/lab/node01/instances/_base/$sha" "$NOVA_EVAC_LAB/lab/node01/instances/$uuid"
    rm -rf "$tmp"
}
trap cleanup EXIT
quiet() { "$@" >/dev/null 2>&1; }

uuid=$(new_uuid)
ok "a base image on node01" quiet "$LABSH" base "img-$id" node01
ok "a shut-off lab guest on node01" quiet "$LABSH" guest node01 "$name" "$uuid" --image "img-$id" --shutoff
virsh -q -c "$uri1" dumpxml "$name" | sed -e '/<cpu[ >]/,/<\/cpu>/d' \
    -e "s#</vcpu>#</vcpu><cpu mode='custom' match='exact' check='full'><model fallback='forbid'>qemu64</model><feature policy='disable' name='pni'/><feature policy='require' name='x2apic'/><feature policy='require' name='hypervisor'/><feature policy='require' name='lahf_lm'/><feature policy='disable' name='svm'/></cpu>#" \
    >"$tmp/dom.xml"
ok "redefined with Nova's qemu64 CPU (svm, pni disabled)" quiet virsh -q -c "$uri1" define "$tmp/dom.xml"
type=$(virsh -q -c "$uri1" dumpxml "$name" | sed -n "s/^<domain type='\([a-z]*\)'.*/\1/p")
usable=$(virsh -q -c "$("$LABSH" uri node02)" domcapabilities --virttype "$type" 2>/dev/null |
    sed -n "s/.*<model usable='\([a-z]*\)'[^>]*>qemu64<.*/\1/p" | head -1)
diag "domain type $type; node02's QEMU lists the bare qemu64 as usable='$usable'"

run ne --format json check node01 --to node02 --no-tcp-probe
printf '%s\n' "$out" | sed -n '/^{/,$p' >"$tmp/out.json"
ok "check printed its findings as JSON" jq -e .findings "$tmp/out.json"
blockers=$(jq -r --arg n "$name" '[.findings[] | select(.severity == "blocker" and
    ((.object // "") | contains($n)))] | map(.check + ": " + .message) | join("; ")' "$tmp/out.json")
run virsh -q -c "$uri1" start "$name"
if [ "$rc" = 0 ]; then
    diag "libvirt starts it on node01: the CPU runs on this machine"
    is "$blockers" "" "no blocker for the guest's CPU"
else
    diag "libvirt refuses to start it on node01 (domain type $type): $(printf '%s' "$out" | tr '\n' ' ' | head -c 300)"
    like "$out" "x2apic|CPU|cpu" "libvirt's refusal on node01 is about the CPU"
    like "$blockers" "^cpu-compat: CPU model qemu64 cannot run on node02" \
        "check agrees: the guest's CPU is a blocker on node02 (the same QEMU)"
fi
done_testing
