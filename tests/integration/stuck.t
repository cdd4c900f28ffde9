#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# stuck on the lab: the real Nova schema (MariaDB, nova-manage) and real
# libvirt domains on node04 (the migrations' source) and node05 (their
# destination).  One seeded scenario per case of the field report, repaired
# with --fix, then a second run that finds nothing; refusals, unreachable
# hosts, hostile names, a database that is down.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/novadb.sh"

tmp=$(mktemp -d)
GUESTS=""   # "node:uuid" pairs we created
SEEDED=""   # instance uuids we seeded
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
    drop_db
    rm -rf "$tmp"
}
trap cleanup EXIT

# ---- Refused before any database or libvirt work.
run ne stuck --db 'mysql+pymysql://nova:s3cr3t-x@127.0.0.1/nova'
is "$rc" 2 "--db with a password: exit 2"
like "$out" "password on the command line" "--db with a password: says why"
ok "--db with a password: the password is not echoed" test "${out#*s3cr3t-x}" = "$out"
run ne stuck --allow-db
is "$rc" 2 "--allow-db without --via api: exit 2"
like "$out" "only with --via api" "--allow-db without --via api: says why"
run ne stuck --yes
is "$rc" 2 "--yes without --fix: exit 2"
run ne stuck --fix --db mysql://openstack@127.0.0.1/nova </dev/null
is "$rc" 2 "--fix without a terminal and without --yes: exit 2"
run ne stuck "x'; DROP TABLE instances; --"
is "$rc" 2 "hostile INSTANCE argument: exit 2"
run ne stuck --host "node01'; DROP TABLE instances; --"
is "$rc" 2 "hostile --host: exit 2"
run ne stuck --older-than 10x
is "$rc" 2 "bad duration: exit 2"

# ---- A database that is not there: one line, exit 4.
run ne stuck --db mysql://openstack@127.0.0.1:1/nova
is "$rc" 4 "database down: exit 4"
is "$(printf '%s\n' "$out" | wc -l)" 1 "database down: one line"
like "$out" "cannot connect to the Nova database mysql://openstack@127.0.0.1:1/nova" \
    "database down: names the database"

need_lab
need_db
GS="--glance-schema $T_GLANCE"
# node04 and node05: the other suites drain and fill node01..node03, and a
# drain would move this test's domains away.
"$LABSH" up 5 >/dev/null 2>&1
for n in node04 node05; do
    timeout 10 virsh -q -c "$("$LABSH" uri $n)" version >/dev/null 2>&1 ||
        skip_all "lab node $n does not answer (tests/lab/lab.sh up 5)"
done

# The lab's nodes, plus: unknown hosts are unreachable at once, and a
# private state directory (audit log).
cp "$NOVA_EVAC_LAB/nova-evac.conf" "$tmp/stuck.conf"
cat >>"$tmp/stuck.conf" <<CONF
[DEFAULT]
state_dir = $tmp/state
[libvirt]
uri_template = qemu+unix:///system?socket=$tmp/no-such-libvirtd-%s.sock
CONF
export NOVA_EVAC_CONFIG="$tmp/stuck.conf"
unset NOVA_EVAC_NOVA_CONF NOVA_EVAC_DB_PASSWORD

id=$(uniq_id)
IMG=$(new_uuid)
"$LABSH" base "img-$id" node05 node04 >/dev/null 2>&1 || skip_all "lab.sh base failed"
for h in node05 node04; do seed_compute "$h"; done
seed_image "$IMG" 1

A=$(new_uuid) B=$(new_uuid) C=$(new_uuid) D=$(new_uuid) E=$(new_uuid) F=$(new_uuid)
G=$(new_uuid) H=$(new_uuid) I=$(new_uuid) J=$(new_uuid) K=$(new_uuid) L=$(new_uuid)
N=$(new_uuid)
HOSTILE_NAME="x'; DROP TABLE instances; -- \\\" \\\\ end"
HOSTILE_HOST="node04'; DROP TABLE migrations; --"

# The lab domains, made in parallel: NODE:UUID[:shutoff]
#   A  never started          node04
#   B  stale record           node05
#   C  VERIFY_RESIZE (cold migration, 1 h), on dest node05, and a shut-off copy on node04
#   D  VERIFY_RESIZE (a resize, 2 days), nothing on dest: shut off on node04 only
#   E  ERROR after success    node05
#   F  running on both        node05 and node04
#   G  dest unreachable       node04
#   H  hostile name           node04
#   J  no migration record, recorded on node05, runs on node04
#   K  like A; its record changes while the operator is asked
#   L  a user's resize in VERIFY_RESIZE for 1 h, on dest node05: left to its owner
#   N  like J; repaired while another process holds nova.lock
DOMS="node04:$A node05:$B node05:$C node04:$C:shutoff node04:$D:shutoff node05:$E node05:$F
      node04:$F node04:$G node04:$H node04:$J node04:$K node05:$L node04:$N"
pids=""
for d in $DOMS; do
    n=${d%%:*} rest=${d#*:} u=${rest%%:*}
    GUESTS="$GUESTS $n:$u"
    "$LABSH" guest "$n" "stuck-$id-${u:0:8}-$n" "$u" --image "img-$id" \
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

seed_instance "$A" node04 active migrating "stuck-A" 3600 "$IMG"
seed_migration "$A" live-migration running node04 node05 3600 MA
seed_instance "$B" node04 active migrating "stuck-B"
seed_migration "$B" live-migration running node04 node05 3600 MB
seed_instance "$C" node05 resized "" "stuck-C" 3600 "" 2 1
seed_migration "$C" migration finished node04 node05 3600 MC
seed_instance "$D" node05 resized "" "stuck-D" 172800 "" 2 1
seed_migration "$D" resize finished node04 node05 172800 MD
seed_instance "$L" node05 resized "" "stuck-L" 3600 "" 2 1
seed_migration "$L" resize finished node04 node05 3600 ML
seed_instance "$E" node04 error "" "stuck-E"
seed_migration "$E" live-migration error node04 node05 3600 ME
seed_instance "$F" node04 active migrating "stuck-F"
seed_migration "$F" live-migration running node04 node05 3600 MF
seed_instance "$G" node04 active migrating "stuck-G"
seed_migration "$G" live-migration running node04 node09 3600 MG
seed_instance "$H" node04 active migrating "$HOSTILE_NAME"
seed_migration "$H" live-migration running node04 node05 3600 MH
seed_instance "$I" "$HOSTILE_HOST" active migrating "stuck-I"
seed_migration "$I" live-migration running "$HOSTILE_HOST" node05 3600 MI
seed_instance "$J" node05 active "" "stuck-J"
seed_instance "$N" node05 active "" "stuck-N"
seed_instance "$K" node04 active migrating "stuck-K"
seed_migration "$K" live-migration running node04 node05 3600 MK

ALL="$A $B $C $D $E $F $G $H $I $J"
j() { jq -r --arg u "$1" ".instances[] | select(.uuid==\$u) | $2" "$tmp/out.json"; }
# runj ARGS...: nova-evac --format json ARGS; results in $tmp/out.json, messages in $out
runj() {
    "$NOVA_EVAC" --format json "$@" >"$tmp/out.json" 2>"$tmp/err"
    rc=$?
    out=$(cat "$tmp/err")
}

runj stuck $GS $ALL
is "$rc" 3 "list: exit 3 (a domain runs on two hosts)"
is "$(j "$A" .action)" update "A never started: update"
is "$(j "$A" .repair.migration_status)" error "A: the migration is closed as error"
is "$(j "$A" .nova.image_deleted)" true "A: its image is deleted in Glance"
is "$(j "$B" .action)" update "B stale record: update"
is "$(j "$B" .repair.host)" node05 "B: to the destination"
is "$(j "$C" .action)" confirm "C VERIFY_RESIZE, guest on destination: confirm"
is "$(j "$D" .action)" revert "D VERIFY_RESIZE, nothing on destination: revert"
is "$(j "$E" .action)" update "E ERROR after a move that worked: update"
is "$(j "$F" .action)" refuse "F running on both: refused"
is "$(j "$G" .action)" unreachable "G libvirt unreachable: reported"
like "$(j "$G" .reason)" "node09" "G: names the host"
is "$(j "$H" .action)" update "H hostile name: update"
is "$(j "$H" .name)" "$HOSTILE_NAME" "H: the hostile name comes back intact"
is "$(j "$I" .action)" unreachable "I hostile host name: reported, never used"
is "$(j "$J" .action)" update "J guest on a node its record does not name: update"
is "$(j "$J" .repair.host) $(j "$J" .repair.node)" "node04 node04" "J: node from compute_nodes"
is "$(j "$J" '.suspect_because | join(",")')" "named" "J: found by the listing of the nodes"

runj stuck $GS
is "$(j "$J" '.suspect_because | join(",")')" "domain-elsewhere" "full scan: J found by the listing"
is "$(j "$A" '.suspect_because | join(",")')" "task-state,open-migration,recent-migration" \
    "full scan: A found by the database queries"
is "$(j "$L" .action)" "" "full scan: a user's resize within --resize-window is left alone"
runj stuck $GS --resize-window 30m
is "$(j "$L" .action)" confirm "full scan, --resize-window 30m: L would be confirmed"
runj stuck $GS "$L"
is "$(j "$L" .action)" confirm "L named: checked whatever the window"

tab=$(printf '\t')
# Asked on a terminal: declining changes nothing.
before_A=$(inst "$A" "host, vm_state, task_state")
script -qec "$NOVA_EVAC stuck $GS --fix $A" /dev/null <<<"n" >"$tmp/tty.out" 2>&1
is "$?" 1 "terminal, answer no: exit 1 (left stuck)"
like "$(cat "$tmp/tty.out")" "Apply\? \[y/N\]" "terminal: the repair is shown and asked"
is "$(inst "$A" "host, vm_state, task_state")" "$before_A" "terminal, answer no: nothing changed"
ok "terminal, answer no: nothing in the audit file" test ! -s "$tmp/state/audit.log"

# The record changes while the operator is asked: the repair's transaction
# sees it (SELECT ... FOR UPDATE) and leaves the instance alone.
mkfifo "$tmp/in"
script -qefc "$NOVA_EVAC stuck $GS --fix $K" /dev/null <"$tmp/in" >"$tmp/k.out" 2>&1 &
sp=$!
exec 7>"$tmp/in"
for _ in $(seq 300); do grep -q 'Apply?' "$tmp/k.out" && break; sleep 0.1; done
sql nova "UPDATE instances SET task_state = 'resize_prep' WHERE uuid = '$K'"
echo y >&7
exec 7>&-
wait $sp
is "$?" 1 "changed meanwhile: exit 1"
like "$(cat "$tmp/k.out")" "changed since the scan" "changed meanwhile: says so"
is "$(inst "$K" "host, task_state")" "node04${tab}resize_prep" "changed meanwhile: the new record is kept"
is "$(mig_status "$MK")" running "changed meanwhile: migration untouched"
ok "changed meanwhile: nothing in the audit file" test ! -s "$tmp/state/audit.log"

# The password never reaches the debug output; TLS asked for is TLS required.
run ne --debug sql stuck $GS "$A"
like "$out" "connected to mysql://openstack@" "--debug sql names the connection"
ok "--debug sql: no password" test "${out#*:secret@}" = "$out"
case $NOVA_EVAC_DB in *\?*) tls_url="$NOVA_EVAC_DB&ssl_ca=/etc/ssl/certs/ca-certificates.crt" ;;
                     *) tls_url="$NOVA_EVAC_DB?ssl_ca=/etc/ssl/certs/ca-certificates.crt" ;; esac
run env NOVA_EVAC_DB="$tls_url" "$NOVA_EVAC" stuck $GS "$A"
is "$rc" 4 "ssl_ca on a server without TLS: exit 4"
like "$out" "SSL|TLS" "ssl_ca on a server without TLS: TLS is required, says so"

run ne stuck $GS --host node09 $ALL
like "$out" "$G" "--host node09 lists G"
ok "--host node09 leaves A out" test "${out#*$A}" = "$out"

# ---- Repair.
before_F=$(inst "$F" "host, vm_state, task_state")
before_G=$(inst "$G" "host, vm_state, task_state")
before_I=$(inst "$I" "host, vm_state, task_state")
runj stuck $GS --fix --yes $ALL
is "$rc" 3 "fix: exit 3 (F refused)"
for u in "$A" "$B" "$C" "$D" "$E" "$H" "$J"; do
    is "$(j "$u" .result)" applied "fix: ${u:0:8} applied"
done
is "$(inst "$A" "host, vm_state, IFNULL(task_state,'NULL'), power_state")" "node04${tab}active${tab}NULL${tab}1" \
    "A: active on node04, task cleared"
is "$(mig_status "$MA")" error "A: migration error"
is "$(sql nova "SELECT IFNULL(migration_context,'NULL') FROM instance_extra WHERE instance_uuid='$A'")" NULL \
    "A: migration context dropped"
is "$(inst "$B" "host, node, vm_state, IFNULL(task_state,'NULL')")" "node05${tab}node05${tab}active${tab}NULL" \
    "B: active on node05"
is "$(mig_status "$MB")" completed "B: migration completed"
is "$(inst "$C" "host, vm_state, instance_type_id, memory_mb")" "node05${tab}active${tab}2${tab}128" \
    "C: active on node05 with the new flavor"
is "$(mig_status "$MC")" confirmed "C: migration confirmed"
is "$(sql nova "SELECT JSON_VALUE(flavor, '\$.cur.\"nova_object.data\".id'), JSON_TYPE(JSON_EXTRACT(flavor, '\$.old')) FROM instance_extra WHERE instance_uuid='$C'")" \
    "2${tab}NULL" "C: instance_extra keeps the new flavor, old cleared"
is "$(inst "$D" "host, vm_state, power_state, instance_type_id, memory_mb, vcpus")" \
    "node04${tab}stopped${tab}4${tab}1${tab}64${tab}1" "D: back on node04, stopped, old flavor"
is "$(mig_status "$MD")" reverted "D: migration reverted"
is "$(sql nova "SELECT JSON_VALUE(flavor, '\$.cur.\"nova_object.data\".id') FROM instance_extra WHERE instance_uuid='$D'")" \
    1 "D: instance_extra flavor back to the old one"
is "$(inst "$E" "host, vm_state")" "node05${tab}active" "E: active on node05"
is "$(mig_status "$ME")" completed "E: the migration did complete"
is "$(inst "$F" "host, vm_state, task_state")" "$before_F" "F: unchanged"
is "$(mig_status "$MF")" running "F: migration unchanged"
is "$(inst "$G" "host, vm_state, task_state")" "$before_G" "G: unchanged"
is "$(inst "$I" "host, vm_state, task_state")" "$before_I" "I: unchanged"
is "$(inst "$H" "display_name")" "$HOSTILE_NAME" "H: name unchanged by the repair"
is "$(inst "$J" "host, node, vm_state")" "node04${tab}node04${tab}active" "J: on node04"
ok "tables survived the hostile strings" test "$(sql nova "SELECT COUNT(*) FROM migrations WHERE instance_uuid='$I'")" = 1

audit="$tmp/state/audit.log"
is "$(wc -l <"$audit")" 14 "audit: a before and an after line per repair"
is "$(jq -r 'select(.phase=="before") | .instance' "$audit" | sort | tr '\n' ' ')" \
    "$(printf '%s\n' "$A" "$B" "$C" "$D" "$E" "$H" "$J" | sort | tr '\n' ' ')" "audit: before lines for the repaired ones"
is "$(jq -r --arg u "$B" 'select(.phase=="before" and .instance==$u) | .row.host' "$audit")" node04 \
    "audit: before holds the old row"
is "$(jq -r --arg u "$B" 'select(.phase=="after" and .instance==$u) | .row.host' "$audit")" node05 \
    "audit: after holds the new row"
ok "audit: no password" test "$(grep -c secret "$audit")" = 0

# ---- A second run finds nothing to repair.
runj stuck $GS $A $B $C $D $E $H $J
is "$rc" 0 "second run: exit 0"
n=$(jq '.instances | length' "$tmp/out.json")
is "$n" 0 "second run: nothing to repair"
[ "$n" = 0 ] || diag "$(jq -c '.instances[] | {uuid, action, reason}' "$tmp/out.json")"
runj stuck $GS
is "$(jq -r '.instances[].uuid' "$tmp/out.json" | grep -cE "^($A|$B|$C|$D|$E|$H|$J)$")" 0 \
    "full scan: none of the repaired ones"
is "$(j "$F" .action)" refuse "full scan: F still refused"

# ---- A repair takes the lock every change to Nova takes (drain, undrain,
# api): while another process holds <state_dir>/nova.lock it waits, and
# writes nothing, not even its "before" line.
exec 8>"$tmp/state/nova.lock"
flock 8
"$NOVA_EVAC" stuck $GS --fix --yes "$N" >"$tmp/n.out" 2>&1 8>&- &
np=$!
blocked=0
for _ in $(seq 300); do
    grep -qE "^[0-9]+: -> FLOCK +ADVISORY +WRITE +$np " /proc/locks && { blocked=1; break; }
    kill -0 "$np" 2>/dev/null || break
    sleep 0.1
done
ok "lock held elsewhere: the repair waits for nova.lock" test "$blocked" = 1
is "$(wc -l <"$audit")" 14 "lock held elsewhere: nothing in the audit file yet"
is "$(inst "$N" "host")" node05 "lock held elsewhere: the record is not changed"
exec 8>&-
wait "$np"
is "$?" 0 "lock released: the repair runs (exit 0)"
is "$(inst "$N" "host")" node04 "lock released: N recorded on node04"
is "$(jq -r --arg u "$N" 'select(.instance==$u) | .phase' "$audit" | tr '\n' ' ')" "before after " \
    "lock released: its before and after lines"

# ---- The database refuses: one clear error, nothing changed.
run env NOVA_EVAC_DB="${NOVA_EVAC_DB%%://*}://openstack:wrong-password-x@${NOVA_EVAC_DB#*@}" \
    "$NOVA_EVAC" stuck $GS --fix --yes "$F"
is "$rc" 4 "wrong password: exit 4"
is "$(printf '%s\n' "$out" | wc -l)" 1 "wrong password: one line"
ok "wrong password: not echoed" test "${out#*wrong-password-x}" = "$out"
is "$(inst "$F" "host, vm_state, task_state")" "$before_F" "wrong password: nothing changed"
done_testing
