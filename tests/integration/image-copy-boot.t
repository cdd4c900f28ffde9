#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# image-copy's round trip keeps what booting needs (issue 16, acceptance 2):
# a real guest (the network lab's nel-guest: kernel, ramdisk, config drive)
# runs on nel-net1 and answers ping; image-copy --snapshot-of snapshots it
# and copies the snapshot to RegionTwo; copied back to RegionOne under a new
# name, the image boots a server on nel-net1 whose guest comes up and
# answers ping from the probe namespace.  Everything made is deleted.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
need_nova_libvirt
need_net_lab
G2=http://127.0.0.1:9293
curl -sf -o /dev/null --max-time 10 "$G2/healthcheck" ||
    skip_all "no RegionTwo Glance on $G2 (tests/lab/openstack.sh up starts it)"
NEUTRON=http://127.0.0.1:9696
neutron() { _authed "$NEUTRON" "" "$@"; }
g2() { _authed "$G2" "" "$@"; }
id=$(uniq_id)
tmp=$(mktemp -d)
servers=() r1=() r2=()
# a private state dir: the audit log of the snapshot
{ [ -n "${NOVA_EVAC_CONFIG:-}" ] && cat "$NOVA_EVAC_CONFIG"; printf '[DEFAULT]\nstate_dir = %s/state\n' "$tmp"; } >"$tmp/ne.conf"
export NOVA_EVAC_CONFIG=$tmp/ne.conf
cleanup() {
    local s p i
    TOK=$(token)
    for s in "${servers[@]}"; do nova DELETE "/servers/$s" >/dev/null 2>&1; done
    for s in "${servers[@]}"; do
        for _ in $(seq 120); do [ "$(nova GET "/servers/$s" | code)" = 404 ] && break; sleep 0.5; done
        for p in $(neutron GET "/v2.0/ports?device_id=$s" | body | jq -r '.ports[].id' 2>/dev/null); do
            neutron DELETE "/v2.0/ports/$p" >/dev/null 2>&1
        done
    done
    for i in "${r2[@]}"; do g2 DELETE "/v2/images/$i" >/dev/null 2>&1; done
    for i in "${r1[@]}"; do
        glance DELETE "/v2/images/$i" >/dev/null 2>&1
        # the base Nova made of an image of ours (named by the SHA-1 of its fresh id)
        rm -f "$NOVA_EVAC_LAB"/lab/node0?/instances/_base/"$(printf %s "$i" | sha1sum | cut -c1-40)"
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
el() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}'; }
fl=$(nova GET /flavors | body | jq -r '.flavors[]|select(.name=="nel.guest").id')
ip_of() { nova GET "/servers/$1" | body | jq -r '[.server.addresses[][]|.addr][0] // empty'; }
pings() { ip netns exec "$NEL_PROBE_NS" ping -n -c 1 -W 1 "$1" >/dev/null 2>&1; }
wait_ping() { local _; for _ in $(seq 1 "$2"); do pings "$1" && return 0; sleep 1; done; return 1; }
# boot NAME IMAGE: a server on nel-net1, its id in $SRV
boot() {
    local r
    r=$(nova POST /servers "{\"server\":{\"name\":\"$1\",\"flavorRef\":\"$fl\",\"imageRef\":\"$2\",\"networks\":[{\"uuid\":\"$NEL_NET1\"}]}}" | body)
    SRV=$(printf '%s' "$r" | jq -r '.server.id // empty' 2>/dev/null)
    [ -n "$SRV" ] || diag "boot $1: Nova refused: $(printf '%s' "$r" | head -c 300)"
    [ -n "$SRV" ] && servers+=("$SRV")
}
# what booting nel-guest needs, as its image says
needs() { jq -r '[.kernel_id, .ramdisk_id, .os_command_line, .img_config_drive] | map(tostring) | join(" ")'; }

# ---- the real guest, up
t=$(date +%s.%N)
boot "$id-orig" "$NEL_IMAGE"
srv=$SRV
ok "the nel-guest server is ACTIVE" wait_srv "${srv:-none}" '.status=="ACTIVE"' 300 || diag "boot: $(srv "${srv:-none}")"
ip=$(ip_of "${srv:-none}")
ok "its guest ($ip) answers ping from the probe" wait_ping "${ip:-none}" 180 ||
    diag "the lab's nel-guest did not come up: $(srv "${srv:-none}")"
diag "boot to ping: $(el "$t") s"

# ---- snapshot, to RegionTwo
t=$(date +%s.%N)
js=$("$NOVA_EVAC" image-copy --snapshot-of "$srv" --to-region RegionTwo --json 2>"$tmp/err")
is "$?" 0 "--snapshot-of the running guest, copied to RegionTwo: exit 0" || sed 's/^/# /' "$tmp/err"
diag "--snapshot-of (snapshot, wait, copy): $(el "$t") s"
snap=$(jq -r '.images[0].source // empty' <<<"$js")
sdst=$(jq -r '.images[0].destination // empty' <<<"$js")
[ -n "$snap" ] && r1+=("$snap")
[ -n "$sdst" ] && r2+=("$sdst")
is "$(jq -r '.images[0].status' <<<"$js")" copied "the snapshot is copied"
want=$(glance GET "/v2/images/$NEL_IMAGE" | body | needs)
is "$(g2 GET "/v2/images/${sdst:-none}" | body | needs)" "$want" \
    "RegionTwo's copy keeps what the guest boots with (kernel_id, ramdisk_id, os_command_line, img_config_drive)"
# the original goes: the copy must boot on its own (and the 2 cores are shared)
nova DELETE "/servers/$srv" >/dev/null 2>&1

# ---- back to RegionOne under a new name
js=$(OS_REGION_NAME=RegionTwo "$NOVA_EVAC" image-copy "${sdst:-none}" --to-region RegionOne --name "$id-back" --json 2>"$tmp/err")
is "$?" 0 "copied back to RegionOne under a new name: exit 0" || sed 's/^/# /' "$tmp/err"
back=$(jq -r '.images[0].destination // empty' <<<"$js")
[ -n "$back" ] && r1+=("$back")
b=$(glance GET "/v2/images/${back:-none}" | body)
is "$(jq -r '.name + " " + .nova_evac_source_region + " " + .nova_evac_source_image' <<<"$b")" \
    "$id-back RegionTwo $sdst" "the image back in RegionOne: new name, names its source"
is "$(jq -r '.checksum' <<<"$b")" "$(glance GET "/v2/images/${snap:-none}" | body | jq -r .checksum)" \
    "the same data as the snapshot (checksum)"
is "$(needs <<<"$b")" "$want" "and what booting needs"

# ---- it boots, and the guest comes up
t=$(date +%s.%N)
boot "$id-back" "${back:-none}"
srv2=$SRV
ok "a server boots from the round-tripped snapshot" wait_srv "${srv2:-none}" '.status=="ACTIVE"' 300 ||
    diag "boot: $(srv "${srv2:-none}")"
ip2=$(ip_of "${srv2:-none}")
ok "its guest ($ip2) comes up: it answers ping from the probe" wait_ping "${ip2:-none}" 180
diag "boot of the copy to ping: $(el "$t") s"
done_testing
