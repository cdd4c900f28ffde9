# tests/novadb.sh: the lab's Nova database for shell tests.  Source it after
# tests/lib.sh.
#   need_db                      MariaDB with the real Nova and Glance schemas
#                                (tests/lab/openstack.sh up db), else skip_all.  Makes this
#                                test's own databases $T_NOVA and $T_GLANCE: copies, without
#                                rows, of the schemas nova-manage and glance-manage made, so
#                                that no Nova service, and no other test, ever sees the rows
#                                seeded here; $NOVA_EVAC_DB points at $T_NOVA
#   drop_db                      drop them (call it from the test's cleanup)
#   sql DB STMT                  SQL as root through the lab's socket (batch, raw, no headers);
#                                DB nova and glance mean $T_NOVA and $T_GLANCE
#   sqlq STR                     STR as an SQL string literal (seeding only: the tool
#                                itself never builds SQL text)
#   seed_compute HOST            nova-compute service + compute node rows (idempotent)
#   seed_image ID DELETED        a Glance image row, deleted 0/1
#   seed_instance UUID HOST VM_STATE TASK_STATE [NAME] [AGE_S] [IMAGE] [FLAVOR_ID] [OLD_FLAVOR_ID]
#                                instances + instance_extra rows (flavors m1.tiny=1, m1.small=2;
#                                OLD_FLAVOR_ID makes it a resize: old and new recorded)
#   seed_migration UUID TYPE STATUS SRC DST [AGE_S] [ID_VAR]
#                                a migrations row; its id in $ID_VAR
#   unseed UUID...               remove every row seeded for these instances
#   inst UUID COLS               SELECT COLS FROM instances for UUID (tab-separated)
#   mig_status ID                the status of migration ID
: "${OSSH:=$top_srcdir/tests/lab/openstack.sh}"
T_NOVA="" T_GLANCE=""

_sqlroot() { mariadb --socket="$NOVA_EVAC_DB_SOCKET" -uroot -B -N -r "$@"; }

need_db() {
    local rc=0 out db
    out=$("$OSSH" up db 2>&1) || rc=$?
    [ $rc = 77 ] && skip_all "lab database missing a prerequisite: $(printf '%s\n' "$out" | tail -1)"
    [ $rc = 0 ] || skip_all "lab database did not start (tests/lab/openstack.sh up db): $(printf '%s\n' "$out" | tail -1)"
    eval "$("$OSSH" env)"
    _sqlroot nova -e "SELECT 1 FROM instances LIMIT 1" >/dev/null 2>&1 &&
        _sqlroot glance -e "SELECT 1 FROM images LIMIT 1" >/dev/null 2>&1 ||
        skip_all "lab database has no Nova/Glance schema (tests/lab/openstack.sh up db)"
    T_NOVA=nova_t$$_$(basename "$0" .t | tr -c 'a-z0-9\n' _) T_GLANCE=glance_t$$
    for db in nova:$T_NOVA glance:$T_GLANCE; do
        _sqlroot -e "DROP DATABASE IF EXISTS ${db#*:}; CREATE DATABASE ${db#*:}" &&
            mariadb-dump --socket="$NOVA_EVAC_DB_SOCKET" -uroot --no-data --skip-comments "${db%%:*}" |
            _sqlroot "${db#*:}" || skip_all "cannot copy the ${db%%:*} schema into ${db#*:}"
    done
    local base=${NOVA_EVAC_DB%%\?*}
    NOVA_EVAC_DB=${base%/*}/$T_NOVA${NOVA_EVAC_DB#"$base"}
    export NOVA_EVAC_DB
}

drop_db() {
    [ -z "$T_NOVA" ] || _sqlroot -e "DROP DATABASE IF EXISTS $T_NOVA; DROP DATABASE IF EXISTS $T_GLANCE"
}

sql() {
    local db=$1
    case $db in nova) db=$T_NOVA ;; glance) db=$T_GLANCE ;; esac
    _sqlroot "$db" -e "$2"
}
sqlq() { printf "'%s'" "$(printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e "s/'/\\\\'/g")"; }
sqlq_null() { if [ -z "$1" ]; then printf NULL; else sqlq "$1"; fi; }

seed_compute() {
    local h; h=$(sqlq "$1")
    sql nova "INSERT INTO services (created_at, updated_at, deleted, host, \`binary\`, topic,
        report_count, disabled, uuid, version, forced_down, last_seen_up)
      SELECT UTC_TIMESTAMP(), UTC_TIMESTAMP(), 0, $h, 'nova-compute', 'compute', 1, 0, UUID(),
        61, 0, UTC_TIMESTAMP() FROM DUAL
      WHERE NOT EXISTS (SELECT 1 FROM services WHERE host = $h AND \`binary\` = 'nova-compute'
        AND deleted = 0);
    INSERT INTO compute_nodes (created_at, updated_at, deleted, host, hypervisor_hostname, uuid,
        service_id, vcpus, memory_mb, local_gb, vcpus_used, memory_mb_used, local_gb_used,
        hypervisor_type, hypervisor_version, cpu_info, running_vms, mapped)
      SELECT UTC_TIMESTAMP(), UTC_TIMESTAMP(), 0, $h, $h, UUID(),
        (SELECT id FROM services WHERE host = $h AND \`binary\` = 'nova-compute' AND deleted = 0),
        2, 4096, 20, 0, 512, 0, 'QEMU', 7002000, '{}', 0, 1 FROM DUAL
      WHERE NOT EXISTS (SELECT 1 FROM compute_nodes WHERE host = $h AND deleted = 0)"
}

seed_image() {
    sql glance "INSERT INTO images (id, name, status, created_at, updated_at, deleted_at, deleted,
        disk_format, container_format, min_disk, min_ram, visibility)
      VALUES ($(sqlq "$1"), 'test image', IF($2 = 1, 'deleted', 'active'), UTC_TIMESTAMP(),
        UTC_TIMESTAMP(), IF($2 = 1, UTC_TIMESTAMP(), NULL), $2, 'raw', 'bare', 0, 0, 'public')"
}

# A flavor as Nova stores it in instance_extra.flavor (nova_object primitive).
flavor_json() { # ID
    case $1 in
    1) printf '{"nova_object.name": "Flavor", "nova_object.namespace": "nova", "nova_object.version": "1.2", "nova_object.data": {"id": 1, "name": "m1.tiny", "memory_mb": 64, "vcpus": 1, "root_gb": 1, "ephemeral_gb": 0, "flavorid": "1", "swap": 0, "rxtx_factor": 1.0, "vcpu_weight": 0, "disabled": false, "is_public": true, "extra_specs": {}, "description": null}}' ;;
    2) printf '{"nova_object.name": "Flavor", "nova_object.namespace": "nova", "nova_object.version": "1.2", "nova_object.data": {"id": 2, "name": "m1.small", "memory_mb": 128, "vcpus": 2, "root_gb": 1, "ephemeral_gb": 0, "flavorid": "2", "swap": 0, "rxtx_factor": 1.0, "vcpu_weight": 0, "disabled": false, "is_public": true, "extra_specs": {}, "description": null}}' ;;
    esac
}

seed_instance() {
    local uuid=$1 host=$2 vm=$3 task=$4 name=${5:-$1} age=${6:-3600} image=${7:-} fl=${8:-1} old=${9:-}
    local mem=64 vcpus=1 flav ctx=NULL
    # a move in progress has a migration context (what the repair must drop)
    if [ -n "$task" ] || [ "$vm" = resized ]; then ctx=$(sqlq '{"nova_object.name": "MigrationContext"}'); fi
    [ "$fl" = 2 ] && mem=128 vcpus=2
    if [ -n "$old" ]; then
        flav="{\"cur\": $(flavor_json "$fl"), \"old\": $(flavor_json "$old"), \"new\": $(flavor_json "$fl")}"
    else
        flav="{\"cur\": $(flavor_json "$fl"), \"old\": null, \"new\": null}"
    fi
    sql nova "INSERT INTO instances (created_at, updated_at, deleted, uuid, display_name, host,
        node, vm_state, task_state, power_state, image_ref, project_id, user_id,
        instance_type_id, memory_mb, vcpus, root_gb, ephemeral_gb, launched_on, cleaned, locked,
        hostname)
      VALUES (UTC_TIMESTAMP() - INTERVAL $age SECOND, UTC_TIMESTAMP() - INTERVAL $age SECOND, 0,
        $(sqlq "$uuid"), $(sqlq "$name"), $(sqlq_null "$host"), $(sqlq_null "$host"),
        $(sqlq "$vm"), $(sqlq_null "$task"), 1, $(sqlq_null "$image"), 'p-stuck-test',
        'u-stuck-test', $fl, $mem, $vcpus, 1, 0, $(sqlq_null "$host"), 0, 0, 'vm');
    INSERT INTO instance_extra (created_at, deleted, instance_uuid, flavor, migration_context)
      VALUES (UTC_TIMESTAMP(), 0, $(sqlq "$uuid"), $(sqlq "$flav"), $ctx)"
}

seed_migration() {
    local uuid=$1 type=$2 status=$3 src=$4 dst=$5 age=${6:-3600} var=${7:-}
    local id
    id=$(sql nova "INSERT INTO migrations (created_at, updated_at, deleted, source_compute,
        dest_compute, source_node, dest_node, dest_host, status, instance_uuid, migration_type,
        uuid, hidden, cross_cell_move, old_instance_type_id, new_instance_type_id)
      VALUES (UTC_TIMESTAMP() - INTERVAL $age SECOND, UTC_TIMESTAMP() - INTERVAL $age SECOND, 0,
        $(sqlq "$src"), $(sqlq "$dst"), $(sqlq "$src"), $(sqlq "$dst"), '10.77.0.1', $(sqlq "$status"),
        $(sqlq "$uuid"), $(sqlq "$type"), UUID(), 0, 0, 1, 1);
      SELECT LAST_INSERT_ID()")
    [ -z "$var" ] || eval "$var=\$id"
}

unseed() {
    local u
    for u in "$@"; do
        sql nova "DELETE FROM migrations WHERE instance_uuid = $(sqlq "$u");
          DELETE FROM instance_extra WHERE instance_uuid = $(sqlq "$u");
          DELETE FROM instances WHERE uuid = $(sqlq "$u")"
    done
}

inst() { sql nova "SELECT $2 FROM instances WHERE uuid = $(sqlq "$1") AND deleted = 0"; }
mig_status() { sql nova "SELECT status FROM migrations WHERE id = $1"; }
