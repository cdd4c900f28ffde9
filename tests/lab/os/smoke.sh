#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
## Smoke test of the lab cloud through the Nova REST API (run after openstack.sh up fake|libvirt):
## boot a server on node02 (networks none, availability_zone nova:node02), live-migrate it
## to node01, cold-migrate it (to node03) + confirmResize, delete it. Prints timings.
##   tests/lab/os/smoke.sh [--keep]
## libvirt mode: also checks with virsh that the domain really moved.
set -eu -o pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
LAB=${NOVA_EVAC_LAB:-/var/tmp/nova-evac-lab}
MODE=$(cat "$LAB/os/run/mode" 2>/dev/null || echo down)
. "$HERE/api.sh"
log() { echo "[$(date +%T)] $*"; }
fail() { log "FAIL: $*"; exit 1; }
case $MODE in fake|libvirt) ;; *) echo "smoke.sh: the lab cloud is not up (mode $MODE)" >&2; exit 77 ;; esac
TOK=$(token); [ -n "$TOK" ] || fail "no token"
dom_on() { # dom_on NODE UUID: the domain runs on that lab node (libvirt mode)
  local p; p=$(cat "$LAB/lab/$1/libvirtd.pid")
  [ "$(nsenter -t "$p" -m -u -- virsh -c qemu:///system domstate "$2" 2>/dev/null | head -1)" = running ]
}
check_real() { # check_real UUID NODE: libvirt reality agrees with Nova
  [ "$MODE" = libvirt ] || return 0
  local n
  dom_on "$2" "$1" || fail "domain $1 is not running on $2"
  for n in node01 node02 node03; do
    [ "$n" = "$2" ] && continue
    [ -f "$LAB/lab/$n/libvirtd.pid" ] || continue
    ! dom_on "$n" "$1" || fail "domain $1 also runs on $n"
  done
  log "  libvirt: domain runs on $2 only"
}
FL=$(nova GET /flavors | body | jq -r '.flavors[]|select(.name=="m1.tiny").id')
IMG=$(glance GET '/v2/images?name=tiny' | body | jq -r '.images[0].id')
[ -n "$FL" ] && [ -n "$IMG" ] || fail "seed missing (flavor $FL image $IMG)"
t=$(now)
ID=$(nova POST /servers "{\"server\":{\"name\":\"smoke-$$\",\"flavorRef\":\"$FL\",\"imageRef\":\"$IMG\",\"networks\":\"none\",\"availability_zone\":\"nova:node02\"}}" | body | jq -r .server.id)
[ -n "$ID" ] && [ "$ID" != null ] || fail "boot refused"
wait_srv "$ID" '.status=="ACTIVE"' 120 || fail "boot: $(srv "$ID")"
log "boot on node02 -> ACTIVE: $(since "$t")s ($(srv "$ID"))"
check_real "$ID" node02
t=$(now)
c=$(nova POST "/servers/$ID/action" '{"os-migrateLive":{"host":"node01","block_migration":"auto"}}' | code)
[ "$c" = 202 ] || fail "os-migrateLive HTTP $c"
wait_srv "$ID" '.status=="ACTIVE" and ."OS-EXT-SRV-ATTR:host"=="node01" and ."OS-EXT-STS:task_state"==null' 180 ||
  fail "live migration: $(srv "$ID"); $(nova GET "/os-migrations?instance_uuid=$ID" | body | jq -c '[.migrations[]|{status,migration_type}]')"
log "live-migrate node02 -> node01: $(since "$t")s ($(srv "$ID"))"
check_real "$ID" node01
t=$(now)
c=$(MV=2.56 nova POST "/servers/$ID/action" '{"migrate":{"host":"node03"}}' | code)
[ "$c" = 202 ] || fail "migrate HTTP $c"
wait_srv "$ID" '.status=="VERIFY_RESIZE"' 180 || fail "cold migration: $(srv "$ID")"
log "cold migrate node01 -> node03 -> VERIFY_RESIZE: $(since "$t")s ($(srv "$ID"))"
t=$(now)
c=$(nova POST "/servers/$ID/action" '{"confirmResize":null}' | code)
[ "$c" = 204 ] || fail "confirmResize HTTP $c"
wait_srv "$ID" '.status=="ACTIVE" and ."OS-EXT-STS:task_state"==null' 120 || fail "confirm: $(srv "$ID")"
log "confirmResize -> ACTIVE: $(since "$t")s ($(srv "$ID"))"
check_real "$ID" node03
log "migrations: $(nova GET "/os-migrations?instance_uuid=$ID" | body | jq -c '[.migrations[]|[.migration_type,.status,.source_compute,.dest_compute]]')"
if [ "${1:-}" != --keep ]; then
  t=$(now); nova DELETE "/servers/$ID" | code >/dev/null
  for i in $(seq 1 120); do [ "$(nova GET "/servers/$ID" | code)" = 404 ] && break; sleep 0.5; done
  log "delete: $(since "$t")s"
fi
log "OK"
