#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The Nova database adapter on the lab's MariaDB (real Nova and Glance
# schemas): runs tests/integration/novadb-t after seeding its rows.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/novadb.sh"
prog="$top_builddir/tests/integration/novadb-t"
[ -x "$prog" ] || skip_all "$prog not built (make check builds it)"
need_db

U1=$(new_uuid) U2=$(new_uuid) U3=$(new_uuid) DEL=$(new_uuid) ACT=$(new_uuid)
cleanup() { drop_db; }
trap cleanup EXIT
seed_image "$DEL" 1
seed_image "$ACT" 0
seed_instance "$U1" node04 active "" novadb-t-1 60 "$DEL"
seed_instance "$U2" node05 active "" novadb-t-2 60 "$DEL"
seed_instance "$U3" node05 active "" novadb-t-3 60 "$ACT"
export NOVADB_T_GLANCE=$T_GLANCE NOVADB_T_UUID=$U1 NOVADB_T_DELETED_IMAGE=$DEL NOVADB_T_ACTIVE_IMAGE=$ACT
export NOVADB_T_SQL="mariadb --socket='$NOVA_EVAC_DB_SOCKET' -uroot -e"
"$prog"
