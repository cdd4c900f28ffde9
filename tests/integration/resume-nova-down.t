#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# resume-nova-down.t (issue 12): `drain --via nova` of a shut-off server
# killed -9 right after Nova accepted its cold migration (kill point
# nova:migrating), then `drain --resume` while the Nova API cannot be
# reached (OS_AUTH_URL at a closed loopback port; the shared lab's
# services are never stopped): the in-flight instance is reported
# unresolved with its next step, counted as not moved (exit 1), and
# nothing is deleted, undefined, recorded or planned again.  A later
# `--resume` with the API back finishes it: Nova's move confirmed, the
# guest on node01 only, its disk unchanged, moved once in the journal.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/nova-resume-setup.sh"
# A loopback port nothing listens on: the API "cannot be reached".
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
down() { env -u OS_CLOUD OS_AUTH_URL="http://127.0.0.1:$port/v3" "$@"; }

"$NOVA_EVAC" -q undrain node02 >/dev/null 2>&1
r=$(nova POST /servers "{\"server\":{\"name\":\"$id\",\"flavorRef\":\"$fl\",\"imageRef\":\"$img\",\"networks\":\"none\",\"availability_zone\":\"nova:node02\"}}" | body)
s=$(printf '%s' "$r" | jq -r .server.id 2>/dev/null)
[ -n "$s" ] && [ "$s" != null ] || skip_all "Nova refused to boot a server: $(printf '%s' "$r" | head -c 300)"
echo "$s" >>"$tmp/ids"
wait_srv "$s" '.status=="ACTIVE"' 240 >/dev/null || skip_all "the server did not boot: $(srv "$s")"
nova POST "/servers/$s/action" '{"os-stop":null}' >/dev/null
wait_srv "$s" '.status=="SHUTOFF" and ."OS-EXT-STS:task_state"==null' 120 >/dev/null ||
    skip_all "the server did not stop: $(srv "$s")"
before=$(content node02 "$s")
dn=$(virsh -q -c "$("$LABSH" uri node02)" domname "$s" 2>/dev/null)
ok "the guest's disk read on node02" test -n "$before"

# (--force-check cpu-model: the lab's qemu64 guests trip that pre-check,
# which this test is not about)
NOVA_EVAC_FAULT=nova:migrating "$NOVA_EVAC" drain node02 --via nova --to node01 --force-check cpu-model \
    >"$tmp/kill.out" 2>&1
krc=$?
is "$krc" 137 "drain --via nova killed -9 once Nova accepted the cold migration"
[ "$krc" = 137 ] || { tail -8 "$tmp/kill.out" | sed 's/^/# /'; done_testing; }
j=$tmp/state/node02.journal
migrating=$(jq -r --arg u "$s" 'select(.uuid==$u and .event=="migrating") | .event' "$j" | wc -l)
audit=$(wc -l <"$tmp/state/audit.log")

# The resume while the API cannot be reached.
run down "$NOVA_EVAC" drain node02 --via nova --to node01 --resume
printf '%s\n' "$out" | sed 's/^/# /'
is "$rc" 1 "resume with the Nova API unreachable: exit 1 (not moved)"
like "$out" "$dn.*(unresolved|not settled|cannot be reached).*drain node02 --resume" \
    "the in-flight instance is reported unresolved with the next step"
like "$out" "$dn .*(unresolved|not settled|failed|pending)" "the summary counts it as not moved"
ok "nothing removed or undefined" test -z "$(printf '%s\n' "$out" | grep -E 'removed |undefin')"
is "$(jq -r --arg u "$s" 'select(.uuid==$u and .event=="migrating") | .event' "$j" | wc -l)" "$migrating" \
    "not planned or started again (no new 'migrating' record)"
is "$(jq -r 'select(.event=="finish") | .event' "$j" | wc -l)" 0 "the journal stays unfinished"
is "$(wc -l <"$tmp/state/audit.log")" "$audit" "no change to Nova audited (nothing asked of Nova, nothing written to its database)"
ok "Nova finishes its part meanwhile and waits for the confirmation" \
    wait_srv "$s" '.status=="VERIFY_RESIZE"' 240

# The API back: the resume finishes it.
run ne drain node02 --via nova --to node01 --resume
is "$rc" 0 "resume with the API back: exit 0"
[ "$rc" = 0 ] || diag "$(printf '%s\n' "$out" | tail -8)"
like "$out" "$dn: the interrupted migration through Nova to node01 completed" "the move completed"
is "$(state_of "$s")" "SHUTOFF null node01" "Nova: SHUTOFF on node01, no task"
is "$(mig_of "$s")" "migration confirmed node02 node01" "Nova: its migration confirmed"
is "$(on_node node01 "$s")/$(on_node node02 "$s")" "shut off/" "libvirt: defined on node01 only"
is "$(content node01 "$s")" "$before" "disk content unchanged"
is "$(jq -r --arg u "$s" 'select(.event=="moved" and .uuid==$u) | .uuid' "$j" | wc -l)" 1 \
    "the journal records it moved once"
done_testing
