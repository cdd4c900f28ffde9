#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# stuck on an Icehouse-era Nova schema (sql/fixtures/nova-icehouse.sql,
# loaded into a database of this test's own on the lab's MariaDB): the
# schema is told by its columns at connect time and the queries run as
# their sql/NAME.icehouse.sql variants.  The cases stuck.t seeds that an
# Icehouse cloud could have (live migrations then made no migration
# record; flavors lived in instance_system_metadata), with real libvirt
# domains on node04 and node05: found, repaired with --fix through the
# database, audited, then found no more.  A schema that is neither is
# refused by name.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/novadb.sh"

tmp=$(mktemp -d)
GUESTS=""   # "node:uuid" pairs we created
ICE=""      # our Icehouse database
cleanup() {
    local g n u
    for g in $GUESTS; do
        n=${g%%:*} u=${g#*:}
        { virsh -q -c "$("$LABSH" uri "$n")" destroy "$u"
          virsh -q -c "$("$LABSH" uri "$n")" undefine "$u"
          "$LABSH" sh "$n" rm -rf "$LAB/instances/$u"; } >/dev/null 2>&1 &
    done
    wait
    [ -z "${id:-}" ] || for n in node04 node05; do
        "$LABSH" sh "$n" rm -f "$LAB/instances/_base/$(printf %s "img-$id" | sha1sum | cut -c1-40)"
    done >/dev/null 2>&1
    [ -z "$ICE" ] || _sqlroot -e "DROP DATABASE IF EXISTS $ICE"
    drop_db
    rm -rf "$tmp"
}
trap cleanup EXIT

need_lab
need_db
GS="--glance-schema $T_GLANCE"
"$LABSH" up 5 >/dev/null 2>&1
for n in node04 node05; do
    timeout 10 virsh -q -c "$("$LABSH" uri $n)" version >/dev/null 2>&1 ||
        skip_all "lab node $n does not answer (tests/lab/lab.sh up 5)"
done

# Our own database with the Icehouse-era tables; NOVA_EVAC_DB points at it.
ICE=nova_t$$_icehouse
_sqlroot -e "DROP DATABASE IF EXISTS $ICE; CREATE DATABASE $ICE" &&
    _sqlroot "$ICE" <"$top_srcdir/sql/fixtures/nova-icehouse.sql"
ok "Icehouse fixture loaded into $ICE" test $? = 0
CURRENT_DB=$NOVA_EVAC_DB
base=${NOVA_EVAC_DB%%\?*}
NOVA_EVAC_DB=${base%/*}/$ICE${NOVA_EVAC_DB#"$base"}
export NOVA_EVAC_DB
isql() { _sqlroot "$ICE" -e "$1"; }
iinst() { isql "SELECT $2 FROM instances WHERE uuid = $(sqlq "$1") AND deleted = 0"; }
imig() { isql "SELECT status FROM migrations WHERE id = $1"; }
# the live flavor keys of an instance, "key=value" sorted, one line
isys() {
    isql "SELECT GROUP_CONCAT(CONCAT(\`key\`, '=', value) ORDER BY \`key\` SEPARATOR ' ')
            FROM instance_system_metadata WHERE instance_uuid = $(sqlq "$1") AND deleted = 0
             AND \`key\` LIKE '%instance\\_type\\_id'"
}

cp "$NOVA_EVAC_LAB/nova-evac.conf" "$tmp/stuck.conf"
cat >>"$tmp/stuck.conf" <<CONF
[DEFAULT]
state_dir = $tmp/state
[libvirt]
uri_template = qemu+unix:///system?socket=$tmp/no-such-libvirtd-%s.sock
CONF
export NOVA_EVAC_CONFIG="$tmp/stuck.conf"
unset NOVA_EVAC_NOVA_CONF NOVA_EVAC_DB_PASSWORD

# Icehouse rows.  A compute node belongs to its host through its service.
ice_compute() { # HOST
    local h; h=$(sqlq "$1")
    isql "INSERT INTO services (created_at, updated_at, deleted, host, \`binary\`, topic,
        report_count, disabled)
      VALUES (UTC_TIMESTAMP(), UTC_TIMESTAMP(), 0, $h, 'nova-compute', 'compute', 1, 0);
    INSERT INTO compute_nodes (created_at, updated_at, deleted, service_id, vcpus, memory_mb,
        local_gb, vcpus_used, memory_mb_used, local_gb_used, hypervisor_type,
        hypervisor_version, cpu_info, hypervisor_hostname, running_vms)
      VALUES (UTC_TIMESTAMP(), UTC_TIMESTAMP(), 0, LAST_INSERT_ID(), 2, 4096, 20, 0, 512, 0,
        'QEMU', 1000000, '{}', $h, 0)"
}
# The flavor keys Nova kept in instance_system_metadata, with a prefix
# ('', old_, new_): m1.tiny = 1 (64 MB, 1 vCPU), m1.small = 2 (128 MB, 2).
ice_flavor() { # UUID PREFIX ID
    local mem=64 vcpus=1 name=m1.tiny k v rows=""
    [ "$3" = 2 ] && mem=128 vcpus=2 name=m1.small
    for kv in id=$3 name=$name memory_mb=$mem vcpus=$vcpus root_gb=1 ephemeral_gb=0 \
        flavorid=$3 swap=0 rxtx_factor=1.0 vcpu_weight=; do
        k=${kv%%=*} v=${kv#*=}
        rows="$rows${rows:+,}(UTC_TIMESTAMP(), 0, $(sqlq "$1"), '$2instance_type_$k', $(sqlq_null "$v"))"
    done
    isql "INSERT INTO instance_system_metadata (created_at, deleted, instance_uuid, \`key\`, value)
          VALUES $rows"
}
ice_instance() { # UUID HOST VM_STATE TASK_STATE NAME AGE_S FLAVOR [OLD NEW]
    local mem=64 vcpus=1
    [ "$7" = 2 ] && mem=128 vcpus=2
    isql "INSERT INTO instances (created_at, updated_at, deleted, uuid, display_name, host, node,
        vm_state, task_state, power_state, image_ref, project_id, user_id, instance_type_id,
        memory_mb, vcpus, root_gb, ephemeral_gb, launched_on, cleaned, locked, hostname)
      VALUES (UTC_TIMESTAMP() - INTERVAL $6 SECOND, UTC_TIMESTAMP() - INTERVAL $6 SECOND, 0,
        $(sqlq "$1"), $(sqlq "$5"), $(sqlq "$2"), $(sqlq "$2"), $(sqlq "$3"), $(sqlq_null "$4"),
        1, $(sqlq "$IMG"), 'p-stuck-test', 'u-stuck-test', $7, $mem, $vcpus, 1, 0, $(sqlq "$2"),
        0, 0, 'vm')"
    ice_flavor "$1" "" "$7"
    if [ $# -ge 9 ]; then ice_flavor "$1" old_ "$8"; ice_flavor "$1" new_ "$9"; fi
}
ice_migration() { # UUID STATUS SRC DST AGE_S OLD_FLAVOR NEW_FLAVOR ID_VAR
    local id
    id=$(isql "INSERT INTO migrations (created_at, updated_at, deleted, source_compute,
        dest_compute, source_node, dest_node, dest_host, status, instance_uuid,
        old_instance_type_id, new_instance_type_id)
      VALUES (UTC_TIMESTAMP() - INTERVAL $5 SECOND, UTC_TIMESTAMP() - INTERVAL $5 SECOND, 0,
        $(sqlq "$3"), $(sqlq "$4"), $(sqlq "$3"), $(sqlq "$4"), '10.77.0.1', $(sqlq "$2"),
        $(sqlq "$1"), $6, $7);
      SELECT LAST_INSERT_ID()")
    eval "$8=\$id"
}

id=$(uniq_id)
IMG=$(new_uuid)
"$LABSH" base "img-$id" node05 node04 >/dev/null 2>&1 || skip_all "lab.sh base failed"
seed_image "$IMG" 0
for h in node04 node05; do ice_compute "$h"; done

A=$(new_uuid) B=$(new_uuid) C=$(new_uuid) D=$(new_uuid) E=$(new_uuid)
#   A  live migration that never started (no record then)   node04
#   B  live migration done, record stale (no record then)   node05
#   C  cold migration in VERIFY_RESIZE, 1 h, on dest node05, a shut-off copy on node04
#   D  resize in VERIFY_RESIZE, 2 days, nothing on dest: shut off on node04 only
#   E  ERROR with a host mismatch: recorded node04, runs on node05
DOMS="node04:$A node05:$B node05:$C node04:$C:shutoff node04:$D:shutoff node05:$E"
pids=""
for d in $DOMS; do
    n=${d%%:*} rest=${d#*:} u=${rest%%:*}
    GUESTS="$GUESTS $n:$u"
    "$LABSH" guest "$n" "stuckice-$$-${u:0:8}-$n" "$u" --image "img-$id" \
        $([ "${rest#*:}" = shutoff ] && echo --shutoff) >"$tmp/guest-$n-$u.log" 2>&1 &
    pids="$pids $!"
done
set -- $DOMS
for p in $pids; do
    wait "$p"
    r=$?
    ok "lab domain $1" test $r = 0
    [ $r = 0 ] || diag "$(cat "$tmp"/guest-*.log)"
    shift
done

ice_instance "$A" node04 active migrating ice-A 3600 1
ice_instance "$B" node04 active migrating ice-B 3600 1
ice_instance "$C" node05 resized "" ice-C 3600 1 1 1
ice_migration "$C" finished node04 node05 3600 1 1 MC
ice_instance "$D" node05 resized "" ice-D 172800 2 1 2
ice_migration "$D" finished node04 node05 172800 1 2 MD
ice_instance "$E" node04 error "" ice-E 3600 1

j() { jq -r --arg u "$1" ".instances[] | select(.uuid==\$u) | $2" "$tmp/out.json"; }
runj() {
    "$NOVA_EVAC" --format json "$@" >"$tmp/out.json" 2>"$tmp/err"
    rc=$?
    out=$(cat "$tmp/err")
}
tab=$(printf '\t')

# Every query (stuck's, the drain's record changes, images') prepares on
# this schema, as its variant where it has one.
prog="$top_builddir/tests/integration/novadb-t"
if [ -x "$prog" ]; then
    pout=$(NOVADB_T_PREPARE_ONLY=1 NOVADB_T_GLANCE=$T_GLANCE "$prog" 2>&1)
    like "$pout" "ok 3 - every query in sql/ prepares on the icehouse schema" \
        "every query in sql/ prepares on the Icehouse-era schema"
    [ "${pout#*not ok}" = "$pout" ] || diag "$pout"
else
    ok "tests/integration/novadb-t not built (make check builds it)" false
fi

# ---- Found.
run ne --debug sql stuck $GS "$A"
like "$out" "icehouse schema" "--debug sql: the Icehouse-era schema is detected"
ok "no query asks for a column Icehouse lacks" test "${out#*Unknown column}" = "$out"

runj stuck $GS
is "$rc" 1 "full scan: exit 1 (stuck instances found)"
[ "$rc" = 1 ] || diag "$out"
is "$(j "$A" '.suspect_because | join(",")')" "task-state" "full scan: A found by its task state"
is "$(j "$B" '.suspect_because | join(",")')" "task-state" "full scan: B found by its task state"
like "$(j "$C" '.suspect_because | join(",")')" "open-migration" "full scan: C found by its open migration"
like "$(j "$D" '.suspect_because | join(",")')" "open-migration" "full scan: D found by its open migration"

runj stuck $GS "$A" "$B" "$C" "$D" "$E"
is "$(j "$A" .action)" update "A never started: update"
is "$(j "$B" .action)" update "B stale record: update"
is "$(j "$B" .repair.host) $(j "$B" .repair.node)" "node05 node05" \
    "B: node from compute_nodes through its service"
is "$(j "$C" .action)" confirm "C cold migration (same flavor: told without migration_type): confirm"
is "$(j "$D" .action)" revert "D resize, nothing on destination: revert"
is "$(j "$E" .action)" update "E ERROR with a host mismatch: update"

# ---- Repaired.
runj stuck $GS --fix --yes "$A" "$B" "$C" "$D" "$E"
is "$rc" 0 "fix: exit 0"
[ "$rc" = 0 ] || diag "$out"
for u in "$A" "$B" "$C" "$D" "$E"; do
    is "$(j "$u" .result)" applied "fix: ${u:0:8} applied"
done
is "$(iinst "$A" "host, vm_state, IFNULL(task_state,'NULL')")" "node04${tab}active${tab}NULL" \
    "A: active on node04, task cleared"
is "$(iinst "$B" "host, node, vm_state, IFNULL(task_state,'NULL')")" \
    "node05${tab}node05${tab}active${tab}NULL" "B: active on node05"
is "$(iinst "$C" "host, vm_state, instance_type_id, memory_mb")" "node05${tab}active${tab}1${tab}64" \
    "C: active on node05"
is "$(imig "$MC")" confirmed "C: migration confirmed"
is "$(isys "$C")" "instance_type_id=1" "C: old_ and new_ flavor keys deleted, as confirm_resize did"
is "$(iinst "$D" "host, vm_state, power_state, instance_type_id, memory_mb, vcpus")" \
    "node04${tab}stopped${tab}4${tab}1${tab}64${tab}1" "D: back on node04, stopped, old flavor columns"
is "$(imig "$MD")" reverted "D: migration reverted"
is "$(isys "$D")" "instance_type_id=1" "D: current flavor keys back to the old ones, old_/new_ deleted"
is "$(isql "SELECT value FROM instance_system_metadata WHERE instance_uuid = '$D' AND deleted = 0
             AND \`key\` = 'instance_type_memory_mb'")" 64 "D: every current key restored"
is "$(iinst "$E" "host, node, vm_state")" "node05${tab}node05${tab}active" "E: active on node05"

audit="$tmp/state/audit.log"
is "$(wc -l <"$audit")" 10 "audit: a before and an after line per repair"
is "$(jq -r --arg u "$B" 'select(.phase=="before" and .instance==$u) | .row.host' "$audit")" node04 \
    "audit: before holds the old row"
is "$(jq -r --arg u "$B" 'select(.phase=="after" and .instance==$u) | .row.host' "$audit")" node05 \
    "audit: after holds the new row"

# ---- A second run finds nothing to repair.
runj stuck $GS "$A" "$B" "$C" "$D" "$E"
is "$rc" 0 "second run: exit 0"
n=$(jq '.instances | length' "$tmp/out.json")
is "$n" 0 "second run: nothing to repair"
[ "$n" = 0 ] || diag "$(jq -c '.instances[] | {uuid, action, reason}' "$tmp/out.json")"

# ---- A schema between the two (here: the current one without
# migrations.uuid) is refused by name before anything is read.
_sqlroot "$T_NOVA" -e "ALTER TABLE migrations DROP COLUMN uuid" 2>/dev/null
NOVA_EVAC_DB=$CURRENT_DB run ne stuck $GS "$A"
is "$rc" 4 "half-old schema: exit 4"
like "$out" "not a Nova schema this tool knows.*migrations.uuid" "half-old schema: names the column"
done_testing
