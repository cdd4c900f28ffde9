#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# bench/stuck-scan.sh -- the stuck-instance scan on a Nova database with 100,000 instances.
#
# Makes a private database (nova_bench_stuck_$$) on the lab's MariaDB with the real Nova
# schema (copied, without data, from the lab's nova database that nova-manage created),
# seeds it, and times:
#   A  nova-evac --format json stuck   (sql/stuck-*.sql: index range scans, then one truth
#                                       lookup per suspect; libvirt of the bench hosts is
#                                       made unreachable at once, so the figure is the scan)
#   B  the hand query operators run today: every live instance whose task_state or
#      vm_state looks stuck, straight on instances (SELECT ... WHERE vm_state IN ... OR ...)
# and prints the query plan (EXPLAIN) of each scan query: no table may be read whole, every
# key is one of Nova's own indexes.
#
# Usage: bench/stuck-scan.sh [--instances N] [--stuck-pct P] [--hosts H] [--rounds R] [--keep]
#   --instances   live instances (default 100000), plus 10% soft-deleted ones
#   --stuck-pct   percentage stuck (default 1)
#   --hosts       compute hosts they are spread over (default 100)
#   --rounds      timed runs of each (default 5); the median is reported
#   --keep        keep the database afterwards (its name is printed)
# Target: A < 1 s (median), and every scan query on an index.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
top_srcdir=$(cd "$HERE/.." && pwd)
N=100000 PCT=1 HOSTS=100 ROUNDS=5 KEEP=0
while [ $# -gt 0 ]; do
    case $1 in
    --instances) N=$2; shift ;;
    --stuck-pct) PCT=$2; shift ;;
    --hosts) HOSTS=$2; shift ;;
    --rounds) ROUNDS=$2; shift ;;
    --keep) KEEP=1 ;;
    *) sed -n '2,/^set -u/s/^# \{0,1\}//p' "$0" | sed '$d' >&2; exit 2 ;;
    esac
    shift
done
: "${OSSH:=$top_srcdir/tests/lab/openstack.sh}"
out=$("$OSSH" up db 2>&1) || { echo "stuck-scan: the lab database did not start: $(echo "$out" | tail -1)" >&2; exit 77; }
eval "$("$OSSH" env)"
if [ -z "${NOVA_EVAC:-}" ]; then
    "$top_srcdir/tests/build.sh" "$top_srcdir/_build" >/dev/null || exit 1
    NOVA_EVAC=$top_srcdir/_build/src/nova-evac
fi
DB=nova_bench_stuck_$$
tmp=$(mktemp -d)
SQL() { mariadb --socket="$NOVA_EVAC_DB_SOCKET" -uroot -B -N -r "$@"; }
cleanup() {
    [ $KEEP = 1 ] || SQL -e "DROP DATABASE IF EXISTS $DB"
    rm -rf "$tmp"
}
trap cleanup EXIT
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.3f", b-a}'; }
median() { sort -g | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# ---- the schema: what nova-manage made in the lab's nova database, without its rows
t0=$(now)
SQL -e "CREATE DATABASE $DB"
mariadb-dump --socket="$NOVA_EVAC_DB_SOCKET" -uroot --no-data --skip-comments nova | SQL "$DB" ||
    { echo "stuck-scan: cannot copy the Nova schema" >&2; exit 1; }
STUCK=$((N * PCT / 100)) Q=$((STUCK / 5))
echo "database $DB: real Nova schema; seeding $N live instances ($STUCK stuck), $((N / 10)) deleted, on $HOSTS hosts"
SQL "$DB" <<SQLEOF
-- live instances: host bench-cNNN, updated within the last year
INSERT INTO instances (created_at, updated_at, deleted, uuid, display_name, host, node, vm_state,
    task_state, power_state, image_ref, project_id, user_id, instance_type_id, memory_mb, vcpus,
    root_gb, ephemeral_gb, launched_on, cleaned, locked)
  SELECT UTC_TIMESTAMP() - INTERVAL 400 DAY, UTC_TIMESTAMP() - INTERVAL (seq % 365) DAY - INTERVAL 1 HOUR,
    0, UUID(), CONCAT('vm-', seq), CONCAT('bench-c', LPAD(seq % $HOSTS + 1, 3, '0')),
    CONCAT('bench-c', LPAD(seq % $HOSTS + 1, 3, '0')), 'active', NULL, 1, UUID(),
    CONCAT('p', seq % 50), 'u', 1, 64, 1, 1, 0, 'bench-c001', 0, 0
  FROM seq_1_to_$N;
-- soft-deleted ones (deleted = id, as Nova does)
INSERT INTO instances (created_at, updated_at, deleted_at, deleted, uuid, display_name, host, node,
    vm_state, task_state, power_state, project_id, user_id, cleaned)
  SELECT UTC_TIMESTAMP() - INTERVAL 500 DAY, UTC_TIMESTAMP() - INTERVAL 200 DAY,
    UTC_TIMESTAMP() - INTERVAL 200 DAY, 0, UUID(), CONCAT('gone-', seq), 'bench-c001', 'bench-c001',
    'deleted', NULL, 0, 'p', 'u', 1
  FROM seq_1_to_$((N / 10));
UPDATE instances SET deleted = id WHERE vm_state = 'deleted';
-- history: a finished migration for half of the instances, 30-300 days old
INSERT INTO migrations (created_at, updated_at, deleted, source_compute, dest_compute, source_node,
    dest_node, status, instance_uuid, migration_type, uuid, hidden, cross_cell_move)
  SELECT i.updated_at - INTERVAL 30 DAY, i.updated_at - INTERVAL 30 DAY, 0, 'bench-c001', i.host,
    'bench-c001', i.host, IF(i.id % 2, 'completed', 'confirmed'), i.uuid,
    IF(i.id % 2, 'live-migration', 'migration'), UUID(), 0, 0
  FROM instances i WHERE i.deleted = 0 AND i.id % 2 = 0;
-- the stuck ones, five kinds of $Q each:
--   MIGRATING for 2 h (live migration 'running'), resize_migrating (migration 'migrating'),
--   VERIFY_RESIZE (migration 'finished'), ERROR after a live migration a day ago ('error'),
--   ACTIVE but the last live migration ('error') two days ago
CREATE TEMPORARY TABLE pick AS
  SELECT id, uuid, host, ROW_NUMBER() OVER (ORDER BY id) AS k FROM instances
  WHERE deleted = 0 AND id % $((N / STUCK)) = 1 LIMIT $STUCK;
UPDATE instances i JOIN pick p ON p.id = i.id
  SET i.task_state = ELT((p.k - 1) DIV $Q + 1, 'migrating', 'resize_migrating', NULL, NULL, NULL),
      i.vm_state = ELT((p.k - 1) DIV $Q + 1, 'active', 'active', 'resized', 'error', 'active'),
      i.updated_at = UTC_TIMESTAMP() - INTERVAL 2 HOUR;
INSERT INTO migrations (created_at, updated_at, deleted, source_compute, dest_compute, source_node,
    dest_node, status, instance_uuid, migration_type, uuid, hidden, cross_cell_move)
  SELECT UTC_TIMESTAMP() - INTERVAL 3 HOUR,
    UTC_TIMESTAMP() - INTERVAL ELT((p.k - 1) DIV $Q + 1, 2, 2, 2, 24, 48) HOUR, 0, p.host, 'bench-c999',
    p.host, 'bench-c999', ELT((p.k - 1) DIV $Q + 1, 'running', 'migrating', 'finished', 'error', 'error'),
    p.uuid, ELT((p.k - 1) DIV $Q + 1, 'live-migration', 'resize', 'migration', 'live-migration',
    'live-migration'), UUID(), 0, 0
  FROM pick p;
ANALYZE TABLE instances, migrations;
SQLEOF
echo "seeded in $(since "$t0") s: $(SQL "$DB" -e "SELECT COUNT(*) FROM instances") instance rows, $(SQL "$DB" -e "SELECT COUNT(*) FROM migrations") migration rows"

# ---- the plans: every scan query, its parameters as the tool binds them
echo
echo "query plans (EXPLAIN, parameters as bound by nova-evac: --older-than 10m, --since 7d):"
plan_ok=1
for q in stuck-task-state stuck-open-migrations stuck-recent-migrations stuck-instance; do
    text=$(grep -v '^[[:space:]]*--' "$top_srcdir/sql/$q.sql")
    case $q in
    stuck-recent-migrations) text=$(printf '%s' "$text" | sed -e '0,/?/s//604800/' -e '0,/?/s//600/') ;;
    stuck-instance)
        u=$(SQL "$DB" -e "SELECT uuid FROM instances WHERE deleted = 0 LIMIT 1")
        text=$(printf '%s' "$text" | sed "s/?/'$u'/") ;;
    *) text=$(printf '%s' "$text" | sed 's/?/600/') ;;
    esac
    SQL "$DB" -e "EXPLAIN $text" >"$tmp/plan"
    while IFS=$'\t' read -r _ _ table type _ key _ _ rows extra; do
        printf '  %-26s %-5s key %-42s %-7s ~%s rows\n' "$q" "$table" "$key" "$type" "$rows"
        # a table read whole is the failure; a const (one row known at plan time) is not
        [ "$type" != ALL ] || plan_ok=0
    done <"$tmp/plan"
done
base_q="SELECT uuid, host, vm_state, task_state FROM instances WHERE deleted = 0 AND
  (task_state IN ('migrating', 'resize_prep', 'resize_migrating', 'resize_migrated', 'resize_finish')
   OR vm_state IN ('resized', 'error'))"
SQL "$DB" -e "EXPLAIN $base_q" | while IFS=$'\t' read -r _ _ table type _ key _ _ rows extra; do
    printf '  %-26s %-5s key %-42s %-7s ~%s rows\n' "baseline (hand query)" "$table" "$key" "$type" "$rows"
done

# ---- timings
cat >"$tmp/bench.conf" <<CONF
[DEFAULT]
state_dir = $tmp/state
[libvirt]
uri_template = qemu+unix:///system?socket=$tmp/no-libvirtd-%s.sock
CONF
url="mysql://openstack:secret@localhost/$DB?unix_socket=$NOVA_EVAC_DB_SOCKET"
echo
echo "timings, $ROUNDS rounds:"
: >"$tmp/a" ; : >"$tmp/adb"; : >"$tmp/b"
for r in $(seq "$ROUNDS"); do
    t0=$(now)
    NOVA_EVAC_DB=$url "$NOVA_EVAC" --config "$tmp/bench.conf" --format json stuck --glance-schema none \
        >"$tmp/out.json" 2>"$tmp/err"
    rc=$?
    since "$t0" >>"$tmp/a"; echo >>"$tmp/a"
    jq -r .database_seconds "$tmp/out.json" >>"$tmp/adb"
    found=$(jq '.instances | length' "$tmp/out.json" 2>/dev/null)
    t0=$(now)
    SQL "$DB" -e "$base_q" >/dev/null
    since "$t0" >>"$tmp/b"; echo >>"$tmp/b"
done
a=$(median <"$tmp/a") adb=$(median <"$tmp/adb") b=$(median <"$tmp/b")
printf '  A nova-evac stuck (whole command)   median %6.3f s   (database part %.3f s), exit %s, %s instances reported (expected %s)\n' \
    "$a" "$adb" "$rc" "$found" "$STUCK"
printf '  B hand query (mariadb client)       median %6.3f s   (finds by state only; no migration records, no libvirt)\n' "$b"
target=met
awk -v a="$a" 'BEGIN{exit !(a < 1.0)}' || target=MISSED
[ $plan_ok = 1 ] || target="MISSED (a scan query without an index)"
echo "target: nova-evac stuck < 1 s on $N instances, every scan query on a Nova index: $target"
[ $KEEP = 1 ] && echo "kept database $DB"
[ "$target" = met ]
