#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# drain HOST HOST... --waves without a lab: the checks that come first
# (host names, each once, options that need --waves, --report with one
# host), the waves of a dry run without Nova (the order given), a run whose
# first host cannot be reached (stops before the next wave, the waves
# journal left for --resume) and the refusal of a new run over it; plan
# HOST HOST... prints the same waves.  The
# configuration names nodes whose sockets do not exist.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/ne.conf" <<EOC
[DEFAULT]
instances_path = $tmp/instances
state_dir = $tmp/state
[node:node01]
uri = qemu+unix:///system?socket=$tmp/none/node01-sock
[node:node02]
uri = qemu+unix:///system?socket=$tmp/none/node02-sock
[node:node03]
uri = qemu+unix:///system?socket=$tmp/none/node03-sock
EOC
export NOVA_EVAC_CONFIG=$tmp/ne.conf
unset OS_CLOUD OS_AUTH_URL OS_USERNAME OS_PASSWORD NOVA_EVAC_DB
export HOME=$tmp

run ne drain node02 'bad!host' --waves
is "$rc" 2 "an invalid second host name: exit 2"
like "$(printf '%s\n' "$out" | head -n1)" "invalid host name 'bad!host'" "its error is the first line"
is "$(printf '%s\n' "$out" | wc -l)" 1 "and the only one"
run ne drain node02 node03 node02 --waves
is "$rc" 2 "a host named twice: exit 2"
like "$out" "host node02 named twice" "the host is named"
run ne drain node02 node03 --wave-size 1
is "$rc" 2 "--wave-size without --waves: exit 2"
like "$out" "wave-size" "the option is named"
run ne drain node02 node03 --waves --wave-size 0
is "$rc" 2 "--wave-size 0: exit 2"
run ne drain node02 --between-waves true
is "$rc" 2 "--between-waves without --waves: exit 2"
run ne drain node02 node03 --waves --report "$tmp/r.html"
is "$rc" 2 "--report with two hosts: exit 2"
like "$out" "option --report: one host's drain only" "the reason is said"
ok "nothing written" test ! -e "$tmp/r.html"
ok "no journal made by a refused command line" test ! -e "$tmp/state"

# A dry run without Nova: the hosts in the order given, one wave each.
run ne drain node03 node02 --waves --dry-run
like "$out" "waves: 2, without Nova's view" "dry run: two waves, said where from"
is "$(printf '%s\n' "$out" | grep '^wave ' | tr '\n' '|')" "wave 1: node03|wave 2: node02|" \
    "dry run: node03 then node02, as given"
ok "dry run: no journal" test ! -e "$tmp/state/waves-node03+node02.journal"
out=$(ne --format json drain node03 node02 --waves --wave-size 2 --dry-run 2>/dev/null)
is "$(printf '%s' "$out" | jq -c '[.waves[].hosts]')" '[["node03","node02"]]' \
    "dry run --wave-size 2 (JSON): one wave of both"

# plan HOST HOST...: the same waves as drain --dry-run, nothing written.
run ne plan node03 node02 --waves
like "$out" "waves: 2, without Nova's view" "plan --waves: two waves, said where from"
is "$(printf '%s\n' "$out" | grep '^wave ' | tr '\n' '|')" "wave 1: node03|wave 2: node02|" \
    "plan --waves: node03 then node02, as given"
run ne plan node03 node02
is "$(printf '%s\n' "$out" | grep '^wave ' | tr '\n' '|')" "wave 1: node03 node02|" \
    "plan of two hosts without --waves: one wave"
out=$(ne --format json plan node03 node02 --waves --wave-size 2 2>/dev/null)
is "$(printf '%s' "$out" | jq -c '[.waves[].hosts]')" '[["node03","node02"]]' \
    "plan --wave-size 2 (JSON): one wave of both"
run ne plan node02 node03 node02
is "$rc" 2 "plan: a host named twice: exit 2"
like "$out" "host node02 named twice" "the host is named"
run ne plan node02 node03 --wave-size 1
is "$rc" 2 "plan: --wave-size without --waves: exit 2"
ok "plan: no journal" test ! -e "$tmp/state/waves-node03+node02.journal"

# A run whose first host cannot be reached: wave 2 is not started, the
# waves journal stays for --resume, a new run is refused.
run ne drain node02 node03 --waves --between-waves "touch $tmp/ran"
is "$rc" 4 "first host unreachable: exit 4"
like "$out" "wave 1: the drain of node02 ended with exit code 4: not going on to the next wave" \
    "the stop is said"
like "$out" "nova-evac drain node02 node03 --waves --resume" "with the command that resumes"
ok "the --between-waves command did not run" test ! -e "$tmp/ran"
j=$tmp/state/waves-node02+node03.journal
is "$(jq -sc '[.[] | .event]' "$j")" '["start","wave","host"]' "the waves journal: start, wave, host"
is "$(jq -sc '.[0].waves' "$j")" '[["node02"],["node03"]]' "the journal holds the waves"
run ne drain node02 node03 --waves
is "$rc" 3 "a new run over the interrupted one: exit 3"
like "$out" "was interrupted .*finish it with 'nova-evac drain node02 node03 --waves --resume'" \
    "refused with the command that resumes"
run ne drain node02 node03 --waves --resume
like "$out" "resuming: wave 1 of 2 is node02 \(from the journal\)" "--resume follows the journal's waves"
is "$(jq -sc '[.[] | .event]' "$j")" '["start","wave","host","wave","host"]' \
    "the resume records its attempt in the same journal"
done_testing
