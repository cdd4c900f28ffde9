#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# suite lane: own-lab (touches only its private lab; tests/run runs it beside the shared-lab tests)
# nova-evac check on a private 2-node lab: a clean pair exits 0; then one
# finding each, made real on the nodes: a base image and an nwfilter only
# the source has, a reserve larger than the destination's free disk, and
# (node02 restarted with its own QEMU capabilities cache, from which a
# machine type and a CPU model were removed, and with libvirtd's TCP socket
# unauthenticated) a machine type with and without the map, a CPU model,
# unauthenticated TCP.  Then bad input.  The nodes start with auth_tcp =
# sasl, so that a clean pair is really clean.  The check runs inside the
# lab's hub namespace: the nodes' TCP addresses exist only there.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

command -v jq >/dev/null || skip_all "jq is needed"
tmp=$(mktemp -d)
cleanup() {
    private_lab_wipe
    rm -rf "$tmp"
}
trap cleanup EXIT
export NOVA_EVAC_LAB_AUTH_TCP=sasl
private_lab check nck 2
hub=${NETNS_PREFIX}-hub
# clean config: TLS on for migrations (check does not migrate)
printf '[migration]\ntls = true\n' >>"$NOVA_EVAC_CONFIG"
conf=$NOVA_EVAC_CONFIG

# ck ARGS...: check in the hub namespace, JSON; sets $out, $err, $rc
ck() {
    out=$(ip netns exec "$hub" "$NOVA_EVAC" --format json check "$@" 2>"$tmp/err")
    rc=$?
    err=$(cat "$tmp/err")
}
# has CHECK SEVERITY HOST OBJECT-PART: a finding like that is in $out
has() {
    jq -e --arg c "$1" --arg s "$2" --arg h "$3" --arg o "$4" \
        '[.findings[] | select(.check == $c and .severity == $s and (.host // "") == $h
          and ((.object // "") | contains($o)))] | length > 0' <<<"$out" >/dev/null
}
finding() {   # the first finding's field $3 for CHECK $1 and object part $2
    jq -r --arg c "$1" --arg o "$2" --arg f "$3" \
        '[.findings[] | select(.check == $c and ((.object // "") | contains($o)))][0][$f] // ""' <<<"$out"
}
quiet() { "$@" >/dev/null 2>&1; }
not() { ! "$@"; }
sha1() { printf '%s' "$1" | sha1sum | cut -c1-40; }

# Sparse streams on empty nodes (no file to read): inspect, a reader, decides
# by version and writes nothing; check makes and removes a file of its own.
out=$(ne --format json inspect node02 2>/dev/null)
is "$(jq -r '.capabilities.sparse_streams.how' <<<"$out")" "libvirtd version; no file to try it on" \
    "inspect of an empty node: sparse streams by version"
ok "inspect created nothing" test -z "$(ls -A "$NODE02_DIR"/instances | grep -v '^_base$')"
ck node02 --to node01 --no-tcp-probe
is "$(jq -r '.hosts[0].capabilities.sparse_streams | "\(.supported) \(.how)"' <<<"$out")" \
    "true tried on a file of its own" "check of an empty node: tried on a file of its own"
ok "and removed it" test -z "$(ls -A "$NODE02_DIR"/instances | grep -v '^_base$')"

"$LABSH" base ck-img node01 node02 >/dev/null 2>&1
ok "a shut-off guest on node01" quiet "$LABSH" guest node01 ck-clean "$(new_uuid)" --image ck-img --shutoff

# 1. A clean pair.
ck node01 --to node02
is "$rc" 0 "a clean pair: exit 0"
is "$(jq -r '.summary.blockers, .summary.warnings' <<<"$out" | tr '\n' ' ')" "0 0 " "no blocker, no warning"
is "$(jq -r '.hosts[0].capabilities.sparse_streams | "\(.supported) \(.how)"' <<<"$out")" \
    "true tried on a base image" "sparse streams: tried (read-only, on a base image), supported"
is "$(jq -r '.hosts[1].capabilities.migration_params.supported' <<<"$out")" true "migration parameters"
is "$(jq -r '.hosts[0].capabilities.job_stats.how' <<<"$out")" tried "job statistics tried on the domain"
ok "machine types listed" jq -e '.hosts[1].capabilities.guests[] | select(.virt_type == "qemu" and .arch == "x86_64") | .machines | index("pc-i440fx-6.2")' <<<"$out"
ok "no unauthenticated TCP on sasl nodes" not has unauth-tcp warning node01 libvirtd
ok "the probe file is gone" test -z "$(ls -A "$NODE01_DIR"/instances | grep nova-evac-caps)"
run ip netns exec "$hub" "$NOVA_EVAC" check node01 --to node02
like "$out" "source node01: libvirt [0-9.]+, QEMU [0-9.]+; migration parameters yes" "text: capabilities line"
like "$out" "0 blockers, 0 warnings" "text: summary"

# Capabilities in plan and inspect; [node:node01] legacy = true forces them off.
run ne plan node01 --to node02
like "$out" "source node01: libvirt [0-9.]+, QEMU [0-9.]+; migration parameters yes .*sparse streams yes \(tried on a base image\)" \
    "plan (text) shows the source's capabilities"
like "$out" "destination node02: libvirt [0-9.]+" "and the destination's"
out=$(ne --format json plan node01 --to node02 2>/dev/null)
is "$(jq -r '.source_capabilities.sparse_streams.supported, .destinations[0].capabilities.migration_params.supported' <<<"$out" | tr '\n' ' ')" \
    "true true " "plan (JSON) too"
sed 's/^\[node:node01\]$/[node:node01]\nlegacy = true/' "$conf" >"$tmp/legacy.conf"
out=$(NOVA_EVAC_CONFIG=$tmp/legacy.conf ne --format json inspect node01 2>/dev/null)
is "$(jq -r '.capabilities | "\(.legacy) \(.migration_params.supported) \(.sparse_streams.supported) \(.job_stats.supported)"' <<<"$out")" \
    "true false false false" "inspect (JSON): legacy = true forces the three off"
is "$(jq -r '.capabilities.sparse_streams.how' <<<"$out")" "legacy = true in the configuration" "and says why"
run env NOVA_EVAC_CONFIG=$tmp/legacy.conf "$NOVA_EVAC" inspect node02
like "$out" "Capabilities: libvirt [0-9.]+, QEMU [0-9.]+; migration parameters yes" "node02 is not legacy"
NOVA_EVAC_CONFIG=$tmp/legacy.conf ck node01 --to node02
is "$rc" 1 "a legacy source: warnings, exit 1"
ok "migration-params warning for node01" has migration-params warning node01 libvirtd
ok "sparse-streams warning" has sparse-streams warning node01 libvirtd
ok "job-stats info" has job-stats info node01 libvirtd
sed 's/^\[node:node01\]$/[node:node01]\nlegacy = maybe/' "$conf" >"$tmp/legacy.conf"
run env NOVA_EVAC_CONFIG=$tmp/legacy.conf "$NOVA_EVAC" inspect node01
is "$rc" 2 "legacy = maybe: a configuration error (exit 2)"

# 2. A base image only node01 has.
"$LABSH" base ck-only node01 >/dev/null 2>&1
ok "a guest on a base only node01 has" quiet "$LABSH" guest node01 ck-base "$(new_uuid)" --image ck-only --shutoff
ck node01 --to node02
is "$rc" 1 "a missing base: a warning, exit 1"
ok "base-image finding for ck-base on node02" has base-image warning node02 ck-base
like "$(finding base-image ck-base message)" "_base/$(sha1 ck-only) of disk vda is not on node02" \
    "it names the base"
like "$(finding base-image ck-base fix)" "nova-evac images node01 --to node02 --stage" "the fix stages it"
ok "no base finding for the clean guest" not has base-image warning node02 ck-clean

# 3. An nwfilter only node01 has.
ok "a guest with an nwfilter defined on node01 only" \
    quiet "$LABSH" guest node01 ck-nwf "$(new_uuid)" --image ck-img --shutoff --nwfilter ck-filter-$$
ck node01 --to node02
ok "nwfilter finding for ck-nwf" has nwfilter warning node02 ck-nwf
like "$(finding nwfilter ck-nwf message)" "nwfilter ck-filter-$$ is not defined on node02" "it names the filter"
is "$rc" 1 "still exit 1"
virsh -q -c "$NODE02_URI" nwfilter-define <(virsh -q -c "$NODE01_URI" nwfilter-dumpxml allow-all) >/dev/null 2>&1
virsh -q -c "$NODE02_URI" nwfilter-define <(virsh -q -c "$NODE01_URI" nwfilter-dumpxml ck-filter-$$) >/dev/null 2>&1
ck node01 --to node02
ok "defined on node02: the finding is gone" not has nwfilter warning node02 ck-nwf

# 4. Too little disk: a reserve on node02 larger than its free space.
sed 's/^\[node:node02\]$/[node:node02]\nreserved_disk_mb = 1073741824/' "$conf" >"$tmp/small.conf"
NOVA_EVAC_CONFIG=$tmp/small.conf ck node01 --to node02
is "$rc" 3 "no room: a blocker, exit 3"
ok "capacity blocker for ck-clean" has capacity blocker node01 ck-clean
like "$(finding capacity ck-clean message)" "node02: disk .* free < .* needed" "it says disk, free and needed"
ck node01 --to node02
ok "without the reserve: no capacity finding" not has capacity blocker node01 ck-clean

# 5-7. node02 made different: a machine type and a CPU model removed from its
# QEMU capabilities, its TCP socket unauthenticated.
um=$(new_uuid); uc=$(new_uuid); ux=$(new_uuid)
quiet "$LABSH" guest node01 ck-mt "$um" --image ck-img --shutoff
quiet "$LABSH" guest node01 ck-cpu "$uc" --image ck-img --shutoff
quiet "$LABSH" guest node01 ck-cpux "$ux" --image ck-img --shutoff
virsh -q -c "$NODE01_URI" dumpxml ck-mt | sed "s/machine='pc-i440fx-[0-9.]*'/machine='pc-i440fx-6.2'/" >"$tmp/mt.xml"
cpu_xml() {   # NAME MODEL: the domain's XML with a custom CPU of MODEL
    virsh -q -c "$NODE01_URI" dumpxml "$1" |
        sed "s#<vcpu\([^>]*\)>\([0-9]*\)</vcpu>#<vcpu\1>\2</vcpu><cpu mode='custom' match='exact' check='partial'><model fallback='forbid'>$2</model></cpu>#"
}
cpu_xml ck-cpu kvm64 >"$tmp/cpu.xml"
cpu_xml ck-cpux core2duo >"$tmp/cpux.xml"
ok "ck-mt redefined with machine type pc-i440fx-6.2" quiet virsh -c "$NODE01_URI" define "$tmp/mt.xml"
ok "ck-cpu redefined with CPU model kvm64" quiet virsh -c "$NODE01_URI" define "$tmp/cpu.xml"
ok "ck-cpux redefined with CPU model core2duo" quiet virsh -c "$NODE01_URI" define "$tmp/cpux.xml"
ck node01 --to node02
ok "node02 offers both yet: no machine-type finding" not has machine-type blocker node02 ck-mt
ok "no cpu-model finding" not has cpu-model blocker node02 "ck-cpu ("
ok "kvm64 compares as runnable on node02: no cpu-compat finding for ck-cpu" \
    not has cpu-compat blocker node02 "ck-cpu ("
# core2duo (exact) needs vme, which this QEMU's CPU lacks: libvirt refuses to
# start it, on node01 too; check says so before anything moves.
ok "cpu-compat blocker for ck-cpux" has cpu-compat blocker node02 ck-cpux
like "$(finding cpu-compat ck-cpux message)" "CPU model core2duo cannot run on node02: libvirt on node02 compares it as incompatible" \
    "it names the model and who said so"
run virsh -c "$NODE01_URI" start ck-cpux
like "$out" "incompatible with host CPU" "and libvirt really refuses to start it (on node01)"

cc=$root/capcache/node02
mkdir -p "$cc"
for f in "$root"/capcache/*.xml; do
    grep -v -e "<machine type='[a-z]*' name='pc-i440fx-6.2'" -e "<cpu type='[a-z]*' name='kvm64' .*/>" \
        "$f" >"$cc/${f##*/}"
done
x86=$(grep -l "<emulator>.*qemu-system-x86_64</emulator>" "$cc"/*.xml)
ok "the x86_64 cache copy lacks them for TCG" test -n "$x86" -a \
    "$(grep -c -e "type='tcg' name='pc-i440fx-6.2'" -e "type='tcg' name='kvm64'" $x86)" = 0
kill "$NODE02_PID"
for i in $(seq 1 100); do kill -0 "$NODE02_PID" 2>/dev/null || break; sleep 0.1; done
NOVA_EVAC_LAB_AUTH_TCP=none "$LABSH" up 2 >"$tmp/up2.out" 2>&1
ok "node02 restarted with its own cache and auth_tcp none" test $? = 0
. "$root/env"
offers() { virsh -q -c "$NODE02_URI" capabilities | grep -q ">$1<"; }
ok "node02's libvirt lacks pc-i440fx-6.2" not offers pc-i440fx-6.2
ok "but offers pc-i440fx-7.0" offers pc-i440fx-7.0

ck node01 --to node02
is "$rc" 3 "a missing machine type: a blocker, exit 3"
ok "machine-type blocker for ck-mt" has machine-type blocker node02 ck-mt
like "$(finding machine-type ck-mt message)" "machine type pc-i440fx-6.2 is not offered by node02" "it names the type"
like "$(finding machine-type ck-mt fix)" "add the line 'pc-i440fx-6.2=pc-i440fx-7.0' to /etc/nova-evac/machine-map" \
    "the fix is the map line, to the nearest newer type node02 offers"
ok "cpu-model blocker for ck-cpu" has cpu-model blocker node02 "ck-cpu ("
like "$(finding cpu-model "ck-cpu (" message)" "CPU model kvm64 is not offered by node02's QEMU" "it names the model"
ok "unauthenticated TCP on node02" has unauth-tcp warning node02 libvirtd
like "$(finding unauth-tcp libvirtd message)" "qemu\+tcp://10.77.0.12:16509/system accepted a read-write connection without any credentials" \
    "it says what was tried"
ok "not on node01 (sasl)" not has unauth-tcp warning node01 libvirtd
ok "the clean guest has no machine or CPU finding" not jq -e '.findings[] | select(.object | tostring | contains("ck-clean")) | select(.check | test("machine|cpu"))' <<<"$out"

printf '# CentOS 6 -> 7\npc-i440fx-6.2=pc-i440fx-7.0\n' >"$tmp/map"
sed "s#^\[DEFAULT\]\$#[DEFAULT]\nmachine_map = $tmp/map#" "$conf" >"$tmp/map.conf"
NOVA_EVAC_CONFIG=$tmp/map.conf ck node01 --to node02
ok "with the map: a warning, not a blocker" has machine-type warning node02 ck-mt
ok "no machine-type blocker" not has machine-type blocker node02 ck-mt
like "$(finding machine-type ck-mt message)" "maps it to pc-i440fx-7.0" "it names the mapped type"
printf 'pc-i440fx-6.2 = x y\n' >"$tmp/map"
NOVA_EVAC_CONFIG=$tmp/map.conf ck node01 --to node02
is "$rc" 3 "a map that does not parse: exit 3"
like "$err" "$tmp/map:1: expected 'old=new'" "the error names the map's line"

# 8. Exit codes and bad input (no TCP probe: these hosts have no address).
ck node01 --to node02 --no-tcp-probe
ok "--no-tcp-probe: no unauth-tcp finding" not has unauth-tcp warning node02 libvirtd
run ne check 'bad/host'
is "$rc" 2 "an invalid host name: exit 2"
like "$out" "invalid host name 'bad/host'" "named"
run ne check node01 --to node01
is "$rc" 2 "a host as its own destination: exit 2"
like "$out" "--to node01: a host cannot be its own destination" "said"
sed "s#^\[libvirt\]#[libvirt]\nuri_template = qemu+unix:///system?socket=$tmp/absent-%s.sock#" "$conf" >"$tmp/bad.conf"
grep -q uri_template "$tmp/bad.conf" || printf '[libvirt]\nuri_template = qemu+unix:///system?socket=%s/absent-%%s.sock\n' "$tmp" >>"$tmp/bad.conf"
NOVA_EVAC_CONFIG=$tmp/bad.conf ck node01 --to node02,nosuch --no-tcp-probe
is "$rc" 3 "an unreachable destination: a blocker, exit 3"
ok "libvirt-uri blocker for nosuch" has libvirt-uri blocker nosuch libvirtd
like "$(finding libvirt-uri libvirtd message)" "absent-nosuch.sock cannot be reached \(not a configured node" \
    "it names the URI and says the host is not configured"
ok "node02 still checked" has base-image warning node02 ck-base
NOVA_EVAC_CONFIG=$tmp/bad.conf ck nosuch --to node02 --no-tcp-probe
is "$rc" 4 "an unreachable source: exit 4"
like "$err" "check nosuch: its libvirt cannot be read \(not a configured node: is the name right\?\); nothing was checked" \
    "a clear error naming the host"
is "$out" "" "nothing on stdout"

# 9. drain runs the blocker checks first: refused before anything changes.
ls_doms() { virsh -q -c "$1" list --all --name | grep . | sort | tr '\n' ' '; }
before=$(ls_doms "$NODE01_URI")
run ne drain node01 --to node02
is "$rc" 3 "drain with blockers: refused (exit 3)"
like "$out" "drain node01: refused before any move: check machine-type: ck-mt \($um\): machine type pc-i440fx-6.2 is not offered by node02" \
    "the refusal names the check, the instance and the destination"
like "$out" "or --force-check machine-type\)" "and how to override it"
like "$out" "check cpu-model: ck-cpu" "every blocker is said"
is "$(ls_doms "$NODE01_URI")" "$before" "every domain still on node01"
is "$(ls_doms "$NODE02_URI")" "" "none on node02"
ok "no journal was started" test ! -e "$tmp/state/node01.journal"
run ne drain node01 --to node02 --force-check machine-type
is "$rc" 3 "one check forced, another still blocks"
like "$out" "warning: drain node01: check machine-type overridden by --force-check: ck-mt" "the forced one is said"
like "$out" "refused before any move: check cpu-model: ck-cpu" "the other still refuses"
run ne drain node01 --to node02 --force-check nosuch
is "$rc" 2 "--force-check with an unknown check: exit 2"
like "$out" "--force-check nosuch: no such check \(known: .*machine-type" "it lists the known ones"
run ne drain node01 --to node02 --dry-run --force-check cpu-model
is "$rc" 2 "--force-check with --dry-run: usage error"
run ne drain node01 --to node02 --dry-run
ok "a dry run does not run the checks" not grep -q "refused before" <<<"$out"

done_testing
