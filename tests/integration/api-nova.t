#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# nova-evac's Nova client against the lab's real Nova: servers on a host,
# disable/enable the compute service (2.53 uuid form and the older form),
# live migration, cold migration + confirm, reset-state, error messages,
# abort and force-complete of a running live migration.  Every change is read
# back through Nova's REST API with curl, independently of the client.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
need_openstack
. "$top_srcdir/tests/lab/os/api.sh"
TOK=$(token)
[ -n "$TOK" ] || skip_all "no admin token from the lab Keystone"
id=$(uniq_id)
ids=()
# a private state dir: the audit log of every change made here
tmp=$(mktemp -d)
{ [ -n "${NOVA_EVAC_CONFIG:-}" ] && cat "$NOVA_EVAC_CONFIG"; printf '[DEFAULT]\nstate_dir = %s/state\n' "$tmp"; } >"$tmp/ne.conf"
export NOVA_EVAC_CONFIG=$tmp/ne.conf
audit() { jq -r --arg x "$2" "select(.event==\"$1\" and (.host==\$x or .instance==\$x)) | $3" "$tmp/state/audit.log" 2>/dev/null | paste -sd' '; }
cleanup() {
    local s
    for s in "${ids[@]}"; do nova DELETE "/servers/$s" >/dev/null 2>&1; done
    "$NOVA_EVAC" -q undrain node02 >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT
lines() { printf '%s\n' "$1" | grep -c .; }
js() { printf '%s' "$out" | jq -r "$1"; }
rb() { nova GET "/servers/$1" | body | jq -r ".server | $2"; } # read back
svc() { nova GET '/os-services?binary=nova-compute&host=node02' | body | jq -r ".services[0] | $1"; }
ms() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}'; }

# two servers on node02
fl=$(nova GET /flavors | body | jq -r '.flavors[]|select(.name=="m1.tiny").id')
img=$(glance GET '/v2/images?name=tiny' | body | jq -r '.images[0].id')
[ -n "$fl" ] && [ -n "$img" ] && [ "$img" != null ] || skip_all "lab seed missing (flavor m1.tiny, image tiny)"
for n in a b; do
    s=$(nova POST /servers "{\"server\":{\"name\":\"$id-$n\",\"flavorRef\":\"$fl\",\"imageRef\":\"$img\",\"networks\":\"none\",\"availability_zone\":\"nova:node02\"}}" | body | jq -r .server.id)
    ids+=("$s")
done
va=${ids[0]} vb=${ids[1]}
for s in "$va" "$vb"; do
    wait_srv "$s" '.status=="ACTIVE"' 180 || { diag "boot: $(srv "$s")"; skip_all "could not boot a server on node02"; }
done

# servers HOST
t=$(date +%s.%N)
run ne --format json servers node02
diag "servers node02: $(ms "$t") s"
is "$rc" 0 "servers node02 (json)"
is "$(js "[.servers[].id] | index(\"$va\") != null and index(\"$vb\") != null")" true "both servers listed"
is "$(js ".servers[] | select(.id==\"$va\") | .status + \" \" + .host + \" \" + .power_state")" \
    "ACTIVE node02 RUNNING" "status, host and power state"
run ne servers node02
like "$out" "$id-a +ACTIVE" "table lists the server by name"
run ne servers node02.invalid/x
is "$rc" 2 "invalid host name: exit 2"
run ne --format json api hypervisors
is "$(js '[.[]|select(.host=="node01" or .host=="node02" or .host=="node03")|select(.state=="up")]|length')" 3 \
    "api hypervisors: node01..node03 up"
run ne --format json api services
is "$(js '[.[]|select(.binary=="nova-compute" and .state=="up")]|length >= 3')" true "api services: the computes are up"

# disable with a reason (2.53: PUT /os-services/{uuid}), read back, undrain
t=$(date +%s.%N)
run ne api service-disable node02 --reason "nova-evac test $id"
diag "service-disable: $(ms "$t") s"
is "$rc" 0 "service-disable node02 --reason"
is "$(svc '.status + "|" + .disabled_reason')" "disabled|nova-evac test $id" "read back: disabled with the reason"
run ne undrain node02
is "$rc" 0 "undrain node02"
is "$out" "node02: nova-compute enabled (was disabled: \"nova-evac test $id\")" "undrain says what it was"
is "$(svc '.status + "|" + (.disabled_reason // "null")')" "enabled|null" "read back: enabled, reason cleared"
is "$(audit service-disable node02 '"\(.phase):\(.service.status)"')" "before:enabled after:disabled" \
    "audit: service-disable, the service before (enabled) and after (disabled)"
is "$(audit service-enable node02 '"\(.phase):\(.service.status)"')" "before:disabled after:enabled" \
    "audit: undrain's enable, before (disabled) and after (enabled)"
run ne undrain node02
is "$out" "node02: nova-compute already enabled; nothing changed" "undrain again: nothing to do"
is "$(audit service-enable node02 .phase | wc -w)" 2 "audit: an undrain that changes nothing writes nothing"
# the same through the old form (before 2.53: by host and binary)
run env OS_COMPUTE_API_VERSION=2.24 "$NOVA_EVAC" api service-disable node02 --reason "old form $id"
is "$rc" 0 "service-disable at 2.24 (disable-log-reason form)"
is "$(svc '.status + "|" + .disabled_reason')" "disabled|old form $id" "read back: old form disabled with reason"
run env OS_COMPUTE_API_VERSION=2.24 "$NOVA_EVAC" --format json undrain node02
is "$(js '.changed, .service.status' | paste -sd' ')" "true enabled" "undrain at 2.24 (enable form)"
is "$(svc .status)" enabled "read back: enabled"
run ne undrain node99
is "$rc" 2 "undrain of a host without nova-compute: exit 2"
like "$out" "no nova-compute service on host node99" "names the host"

# live migration, block_migration auto (2.25+)
t=$(date +%s.%N)
run ne --format json api live-migrate "$va" --to node01 --wait --timeout 240
diag "live-migrate --wait: $(ms "$t") s"
is "$rc" 0 "live-migrate $id-a to node01"
is "$(rb "$va" '.status + " " + ."OS-EXT-SRV-ATTR:host" + " " + (."OS-EXT-STS:task_state" // "none")')" \
    "ACTIVE node01 none" "read back: ACTIVE on node01"
is "$(nova GET "/os-migrations?instance_uuid=$va" | body | jq -r '[.migrations[]|select(.migration_type=="live-migration")][0].status')" \
    completed "read back: the live migration record is completed"
# libvirt mode: the domain really moved (libvirt on the lab nodes)
domstate() { virsh -c "$("$LABSH" uri "$1")" domstate "$2" 2>/dev/null | head -1; }
if [ "$NOVA_EVAC_OS_MODE" = libvirt ]; then
    is "$(domstate node01 "$va")" running "libvirt: the domain runs on node01"
    ok "libvirt: no domain left on node02" test -z "$(domstate node02 "$va")"
fi
run ne --format json api migrations --server "$va" --type live-migration
is "$(js '.[0].status + " " + .[0].source_compute + " " + .[0].dest_compute')" "completed node02 node01" \
    "api migrations: completed node02 -> node01"
# before 2.25 "auto" does not exist: the client says so, and a boolean works
run env OS_COMPUTE_API_VERSION=2.24 "$NOVA_EVAC" api live-migrate "$va" --to node02
is "$rc" 2 "block_migration auto at 2.24: refused"
like "$out" "needs compute API 2.25 .*--block-migration" "... with the next step"
run env OS_COMPUTE_API_VERSION=2.24 "$NOVA_EVAC" api live-migrate "$va" --to node02 --block-migration yes --wait --timeout 240
is "$rc" 0 "live-migrate at 2.24 with block_migration true"
is "$(rb "$va" '.status + " " + ."OS-EXT-SRV-ATTR:host"')" "ACTIVE node02" "read back: back on node02"

# cold migration -> VERIFY_RESIZE -> confirm
t=$(date +%s.%N)
run ne --format json api migrate "$vb" --to node03 --wait --timeout 240
diag "migrate --wait: $(ms "$t") s"
is "$rc" 0 "cold-migrate $id-b to node03"
is "$(rb "$vb" '.status + " " + ."OS-EXT-SRV-ATTR:host"')" "VERIFY_RESIZE node03" "read back: VERIFY_RESIZE on node03"
t=$(date +%s.%N)
run ne api confirm "$vb" --wait
diag "confirm --wait: $(ms "$t") s"
is "$rc" 0 "confirm"
is "$(rb "$vb" '.status + " " + ."OS-EXT-SRV-ATTR:host" + " " + ."OS-EXT-STS:vm_state"')" "ACTIVE node03 active" \
    "read back: ACTIVE on node03"
is "$(nova GET "/os-migrations?instance_uuid=$vb" | body | jq -r '.migrations[0].status')" confirmed \
    "read back: migration confirmed"

# reset-state error -> active, and the error an action on it gives
run ne api reset-state "$vb" --state error
is "$rc" 0 "reset-state error"
is "$(rb "$vb" .status)" ERROR "read back: ERROR"
like "$(audit server-action "$vb" 'select(.action=="reset-state") | "\(.phase):\(.server.status)"')" \
    "^before:[A-Z_]+ after:ERROR$" "audit: reset-state, the server before and after (ERROR)"
run ne api live-migrate "$vb" --to node01
is "$rc" 1 "live-migrate of an ERROR instance: refused by Nova, exit 1"
is "$(lines "$out")" 1 "one line"
like "$out" "live-migrate to node01 instance $id-b \($vb\) on node03 \[ERROR/-\]: HTTP 409 conflictingRequest: Cannot 'os-migrateLive' instance $vb while it is in vm_state error \(request req-" \
    "the message names the instance, its host and state, Nova's fault and the request id"
is "$(audit server-action "$vb" 'select(.action=="live-migrate" and .phase=="after") | .result' | awk '{print $NF}')" \
    failed "audit: the refused live-migrate has its after line, result failed"
run ne api reset-state "$vb" --state active
is "$rc" 0 "reset-state active"
is "$(rb "$vb" '.status + " " + (."OS-EXT-STS:task_state" // "none")')" "ACTIVE none" "read back: ACTIVE, no task"
run ne api show 00000000-0000-4000-8000-000000000000
is "$rc" 2 "show of an unknown instance: exit 2"
run ne api reset-state "$vb" --state deleted
is "$rc" 2 "reset-state to an unknown state: usage error"

# abort and force-complete of a running live migration.  Fake driver: it
# keeps a migration running ~5 s.  libvirt driver: two servers whose guest
# keeps writing to its disk (the lab's busy-writer MBR as a Glance image),
# migrated at 1 MiB/s (virsh migrate-setspeed on the source), so the disk
# mirror runs until Nova's abort or force-complete ends it.
slow() { :; }
if [ "$NOVA_EVAC_OS_MODE" = libvirt ]; then
    "$LABSH" base "an-$id" --writer --size 8M node02 >/dev/null 2>&1
    wsha=$(printf %s "an-$id" | sha1sum | cut -c1-40)
    wimg=$(ls "$NOVA_EVAC_LAB/images/$wsha"-*-writer 2>/dev/null | head -1)
    wid=$(glance POST /v2/images "{\"name\":\"$id-writer\",\"disk_format\":\"raw\",\"container_format\":\"bare\"}" | body | jq -r .id)
    curl -sf -o /dev/null -X PUT -H "X-Auth-Token: $(token)" -H 'Content-Type: application/octet-stream' \
        --data-binary @"$wimg" "$GLANCE/v2/images/$wid/file" || diag "writer image upload failed ($wimg)"
    trap 'cleanup; glance DELETE "/v2/images/$wid" >/dev/null 2>&1' EXIT
    for n in wa wb; do
        s=$(nova POST /servers "{\"server\":{\"name\":\"$id-$n\",\"flavorRef\":\"$fl\",\"imageRef\":\"$wid\",\"networks\":\"none\",\"availability_zone\":\"nova:node02\"}}" | body | jq -r .server.id)
        ids+=("$s")
    done
    va=${ids[-2]} vb=${ids[-1]}
    for s in "$va" "$vb"; do wait_srv "$s" '.status=="ACTIVE"' 180 >/dev/null || diag "boot: $(srv "$s")"; done
    slow() { virsh -q -c "$("$LABSH" uri "$2")" migrate-setspeed "$1" 1 >/dev/null; }
fi
if :; then
    slow "$va" node02
    run ne api live-migrate "$va" --to node03
    mig=
    for _ in $(seq 50); do
        mig=$("$NOVA_EVAC" --format json api server-migrations "$va" 2>/dev/null | jq -r '.[]|select(.status=="running").id' | head -1)
        [ -n "$mig" ] && break
        sleep 0.2
    done
    ok "a running live migration is listed (server-migrations)" test -n "$mig"
    run ne api abort "$va" "$mig" --wait --timeout 120
    is "$rc" 0 "abort migration $mig"
    is "$(rb "$va" '.status + " " + ."OS-EXT-SRV-ATTR:host"')" "ACTIVE node02" "read back: still on node02"
    # the fake driver records an abort as cancelled; Zed's libvirt driver, whose
    # block migration then ends in an error ("canceled by client"), as failed
    st=$(nova GET "/os-migrations?instance_uuid=$va" | body | jq -r "[.migrations[]|select(.id==$mig)][0].status")
    if [ "$NOVA_EVAC_OS_MODE" = fake ]; then want=cancelled; else want="cancelled|failed"; fi
    like "$st" "^($want)\$" "read back: migration ended by the abort ($st)"
    # force-complete of a running one: it ends at once on the destination
    slow "$vb" node02
    run ne api live-migrate "$vb" --to node01
    mig=
    for _ in $(seq 50); do
        mig=$("$NOVA_EVAC" --format json api server-migrations "$vb" 2>/dev/null | jq -r '.[]|select(.status=="running").id' | head -1)
        [ -n "$mig" ] && break
        sleep 0.2
    done
    ok "a running live migration of $id-b is listed" test -n "$mig"
    run ne api force-complete "$vb" "$mig" --wait --timeout 120
    is "$rc" 0 "force-complete migration $mig"
    is "$(rb "$vb" '.status + " " + ."OS-EXT-SRV-ATTR:host"')" "ACTIVE node01" "read back: ACTIVE on node01"
    is "$(nova GET "/os-migrations?instance_uuid=$vb" | body | jq -r "[.migrations[]|select(.id==$mig)][0].status")" \
        completed "read back: migration completed"
fi
done_testing
