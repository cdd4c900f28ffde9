# SPDX-License-Identifier: Apache-2.0
# tests/nova-resume-setup.sh: sourced (after tests/lib.sh) by the tests that
# kill a `drain --via nova` and resume it (resume-nova.t, resume-nova-down.t):
# the lab and cloud they need, a config with a private state dir and the
# lab's nova.conf, cleanup of their servers, and helpers that read Nova's and
# libvirt's view of an instance.  Sets id, tmp, TOK, fl (m1.tiny), img (tiny).
need_nova_libvirt
id=$(uniq_id)
tmp=$(mktemp -d)
cleanup() {
    local s
    for s in $(cat "$tmp/ids" 2>/dev/null); do nova DELETE "/servers/$s" >/dev/null 2>&1; done
    "$NOVA_EVAC" -q undrain node02 >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT
{ cat "$NOVA_EVAC_LAB/nova-evac.conf"
  printf '[DEFAULT]\nstate_dir = %s/state\nnova_conf = %s/nova.conf\n' "$tmp" "$NOVA_EVAC_OS"; } >"$tmp/ne.conf"
export NOVA_EVAC_CONFIG=$tmp/ne.conf
state_of() { nova GET "/servers/$1" | body | jq -r '.server | "\(.status) \(."OS-EXT-STS:task_state") \(."OS-EXT-SRV-ATTR:host")"'; }
mig_of() { nova GET "/os-migrations?instance_uuid=$1" | body | jq -r '.migrations | max_by(.id) | "\(.migration_type) \(.status) \(.source_compute) \(.dest_compute)"'; }
on_node() { virsh -q -c "$("$LABSH" uri "$1")" domstate "$2" 2>/dev/null | head -1; }
# content NODE UUID: sha256 of the guest-visible disk (backing file resolved)
content() {
    "$LABSH" sh "$1" qemu-img convert -U -O raw "$NOVA_EVAC_LAB/instances/$2/disk" "$tmp/$2.raw" >/dev/null 2>&1 &&
        sha256sum <"$tmp/$2.raw" | cut -c1-64
    rm -f "$tmp/$2.raw"
}
fl=$(nova GET /flavors | body | jq -r '.flavors[]|select(.name=="m1.tiny").id')
img=$(glance GET '/v2/images?name=tiny' | body | jq -r '.images[0].id')
[ -n "$fl" ] && [ -n "$img" ] && [ "$img" != null ] || skip_all "lab seed missing (flavor m1.tiny, image tiny)"
