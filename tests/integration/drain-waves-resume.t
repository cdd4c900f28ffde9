#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# suite lane: own-lab (touches only its private lab; tests/run runs it beside the shared-lab tests)
# drain-waves-resume.t (issue 17): drain node02 node03 --waves through
# libvirt on a private 5-node lab with guests on every node (no Nova: the
# waves are the hosts in the order given, node03's guests never planned
# onto node02; the server-group and capacity rules are drain-waves.t's,
# through Nova), killed with SIGKILL mid-wave (NOVA_EVAC_FAULT: right after
# wave 1's second move is journalled in flight), then --resume: wave 1
# finished, the --between-waves command run once with the wave's number and
# hosts, wave 2 done; every guest defined on exactly one node, node02 and
# node03 empty, one "moved" record per guest in the journals, the guests of
# node01, node04 and node05 untouched.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
tmp=$(mktemp -d)
cleanup() { private_lab_wipe; rm -rf "$tmp"; }
trap cleanup EXIT
private_lab wvr "wvr$$" 5
nodes="node01 node02 node03 node04 node05"
vsh() { virsh -q -c "$("$LABSH" uri "$1")" "${@:2}"; }
where() { local n; for n in $nodes; do vsh $n domstate "$1" >/dev/null 2>&1 && echo $n; done | tr '\n' ' '; }
moved() {
    cat "$tmp"/state/node0*.journal* 2>/dev/null |
        jq -R -c --arg u "$1" 'fromjson? | select(.event=="moved" and .uuid==$u)' | grep -c .
}
"$LABSH" base w $nodes >/dev/null 2>&1
declare -A home
for g in a1:node01 b2:node02 c2:node02 d3:node03 e3:node03 f4:node04 g5:node05; do
    u=$(new_uuid)
    "$LABSH" guest "${g#*:}" "wvr-${g%%:*}" "$u" --image w >/dev/null 2>&1 || skip_all "could not start guest ${g%%:*}"
    home[$u]=${g#*:}
done
diag "lab and guests up: ${SECONDS} s"

cat >"$tmp/between" <<EOS
#!/bin/sh
echo "wave \$NOVA_EVAC_WAVE of \$NOVA_EVAC_WAVES: \$NOVA_EVAC_WAVE_HOSTS (\$*)" >>"$tmp/between.log"
EOS
chmod +x "$tmp/between"
NOVA_EVAC_FAULT=journal:migrating#2 "$NOVA_EVAC" drain node02 node03 --waves \
    --between-waves "$tmp/between \"\$@\"" -j 1 >"$tmp/run1" 2>&1
rc1=$?
is "$rc1" 137 "killed with SIGKILL mid-wave (exit 137)"
is "$(grep -c '"migrating"' "$tmp/state/node02.journal")" 2 "node02's journal: the second move in flight"
ok "the waves journal: wave 1 not ended" sh -c "! grep -q wave_done '$tmp/state/waves-node02+node03.journal'"
ok "the between-waves command has not run" test ! -e "$tmp/between.log"
run ne drain node02 node03 --waves --resume -j 1
is "$rc" 0 "--resume: exit 0"
[ "$rc" = 0 ] || printf '%s\n' "$out" | tail -n 25 | sed 's/^/# /'
like "$out" "resuming: wave 1 of 2 is node02 \(from the journal\)" "the journal's waves are followed"
is "$(cat "$tmp/between.log" 2>/dev/null)" "wave 1 of 2: node02 (node02)" \
    "the journal's command ran once, after wave 1, with the wave's number and hosts"
for u in "${!home[@]}"; do
    h=${home[$u]}
    if [ "$h" != node02 ] && [ "$h" != node03 ]; then
        is "$(where "$u")" "$h " "$h's guest untouched"
        is "$(moved "$u")" 0 "$h's guest never moved"
    else
        w=$(where "$u")
        like "$w" "^node0[145] $" "guest of $h on one node, not node02 or node03 (on ${w% })"
        is "$(moved "$u")" 1 "guest of $h moved exactly once (journals)"
    fi
done
is "$(jq -sc '[.[] | select(.event=="wave_done") | .wave]' "$tmp/state/waves-node02+node03.journal")" \
    '[1,2]' "the waves journal: both waves ended"
diag "drain-waves-resume.t: ${SECONDS} s"
done_testing
