#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# resume-nova.t (issue 12): `drain --via nova` of a shut-off server killed
# -9 while Nova cold-migrates it (kill point nova:migrating, right after
# Nova accepted the migration) and while Nova waits in VERIFY_RESIZE (kill
# point nova:verify-resize, before the confirmation), then `drain --resume`
# on the mini-cloud (tests/lab/openstack.sh up libvirt).  Each time Nova
# finishes: the resume waits while Nova works, confirms the resize Nova
# waits for through the API, and finds the server SHUTOFF on node01 with
# its migration confirmed; libvirt defines it on node01 only, its disk's
# content unchanged; nova-evac itself removed, undefined and recorded
# nothing (the audit log holds the confirmation and no record-move).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/nova-resume-setup.sh"
boot_off() { # boot_off NAME: a server on node02, then stopped (SHUTOFF)
    local s r
    r=$(nova POST /servers "{\"server\":{\"name\":\"$id-$1\",\"flavorRef\":\"$fl\",\"imageRef\":\"$img\",\"networks\":\"none\",\"availability_zone\":\"nova:node02\"}}" | body)
    s=$(printf '%s' "$r" | jq -r .server.id 2>/dev/null)
    [ -n "$s" ] && [ "$s" != null ] || { diag "boot $1: Nova refused: $(printf '%s' "$r" | head -c 300)" >&2; return 1; }
    echo "$s" >>"$tmp/ids"
    wait_srv "$s" '.status=="ACTIVE"' 240 >/dev/null || { diag "boot $1: $(srv "$s")" >&2; return 1; }
    nova POST "/servers/$s/action" '{"os-stop":null}' >/dev/null
    wait_srv "$s" '.status=="SHUTOFF" and ."OS-EXT-STS:task_state"==null' 120 >/dev/null ||
        { diag "stop $1: $(srv "$s")" >&2; return 1; }
    echo "$s"
}
# killed POINT: the drain of node02 through Nova, killed at POINT
killed() {
    local pid rc
    NOVA_EVAC_FAULT=$1 "$NOVA_EVAC" drain node02 --via nova --to node01 >"$tmp/kill.out" 2>&1 &
    pid=$!
    wait $pid 2>/dev/null
    rc=$?
    [ $rc = 137 ] || { diag "$1: drain exited $rc, not killed: $(tail -5 "$tmp/kill.out")"; return 1; }
}

for pt in nova:migrating nova:verify-resize; do
    c=${pt#nova:}
    "$NOVA_EVAC" -q undrain node02 >/dev/null 2>&1
    s=$(boot_off "$c") || skip_all "could not boot and stop a server on node02"
    before=$(content node02 "$s")
    dn=$(virsh -q -c "$("$LABSH" uri node02)" domname "$s" 2>/dev/null) # libvirt's name of it
    ok "$c: the guest's disk read on node02" test -n "$before"
    ok "$c: drain --via nova killed at $pt" killed "$pt"
    diag "$c: after the kill Nova says $(state_of "$s"), migration $(mig_of "$s")"
    run ne drain node02 --via nova --to node01 --resume
    is "$rc" 0 "$c: resume exits 0"
    [ "$rc" = 0 ] || diag "$(printf '%s\n' "$out" | tail -8)"
    like "$out" "$dn: Nova waits for the interrupted cold migration to node01 to be confirmed; confirming it" \
        "$c: the resume confirms the resize Nova waits for"
    like "$out" "$dn: the interrupted migration through Nova to node01 completed" "$c: and says the move completed"
    is "$(state_of "$s")" "SHUTOFF null node01" "$c: Nova: SHUTOFF on node01, no task"
    is "$(mig_of "$s")" "migration confirmed node02 node01" "$c: Nova: its migration confirmed"
    is "$(on_node node01 "$s")/$(on_node node02 "$s")" "shut off/" "$c: libvirt: defined on node01 only"
    is "$(content node01 "$s")" "$before" "$c: disk content unchanged"
    ok "$c: nova-evac removed and undefined nothing itself" \
        test -z "$(printf '%s\n' "$out" | grep -E 'removed |undefin')"
    is "$(jq -r --arg u "$s" 'select(.instance==$u) | .event + ":" + (.action // "") + ":" + .phase' \
        "$tmp/state/audit.log" | grep -v ':migrate:' | sort -u | paste -sd' ')" \
        "server-action:confirm:after server-action:confirm:before" \
        "$c: audit: the confirmation through the API, no record written behind Nova"
    is "$(jq -r --arg u "$s" 'select(.event=="moved" and .uuid==$u) | .uuid' "$tmp/state/node02.journal" | wc -l)" 1 \
        "$c: the journal records it moved once"
    rm -f "$tmp"/state/node02.journal*
done
done_testing
