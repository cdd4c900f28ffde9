#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Command-line checks that come before anything else: host names, counts
# where 0 makes no sense, control characters in messages.  No lab: the
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
EOC
export NOVA_EVAC_CONFIG=$tmp/ne.conf
unset OS_CLOUD OS_AUTH_URL OS_USERNAME OS_PASSWORD
export HOME=$tmp

# An invalid host name: its error is the first (and only) line, whatever
# else the command would have said (e.g. no Nova configured).
run ne drain 'bad!host'
is "$rc" 2 "drain of an invalid host name: exit 2"
like "$(printf '%s\n' "$out" | head -n1)" "invalid host name 'bad!host'" \
    "drain: the first line is the invalid host name"
is "$(printf '%s\n' "$out" | wc -l)" 1 "drain: one line"
run ne migrate some-instance --to 'no;pe'
is "$rc" 2 "migrate --to an invalid host name: exit 2"
like "$(printf '%s\n' "$out" | head -n1)" "invalid host name 'no;pe'" "migrate: the name is the first line"
run ne images node01 --to 'x y'
is "$rc" 2 "images --to an invalid host name: exit 2"
is "$(printf '%s\n' "$out" | wc -l)" 1 "images --to: one line"

# 0 where 0 makes no sense: exit 2 naming the option, nothing connected.
run ne drain node01 -j 0 --dry-run
is "$rc" 2 "drain -j 0: exit 2"
like "$out" "option -j/--max-parallel: 0 makes no sense" "drain -j 0: the option is named"
run ne drain node01 --max-per-dest 0 --dry-run
is "$rc" 2 "drain --max-per-dest 0: exit 2"
like "$out" "option --max-per-dest: 0 makes no sense" "drain --max-per-dest 0: the option is named"
run ne images node01 --parallel 0
is "$rc" 2 "images --parallel 0: exit 2"
like "$out" "option -p/--parallel: 0 makes no sense" "images --parallel 0: the option is named"
run ne migrate some-instance --to node02 --timeout 0
is "$rc" 2 "migrate --timeout 0: exit 2"
like "$out" "option --timeout: 0 makes no sense" "migrate --timeout 0: the option is named"

# Control characters in a name are escaped: every message stays one line.
run ne plan "$(printf 'node\n01')"
is "$rc" 2 "a newline in a host name: exit 2"
is "$(printf '%s\n' "$out" | wc -l)" 1 "a newline in a host name: one line"
like "$out" "'node\\\\n01'" "the newline is shown as \\n"
run ne migrate "$(printf 'in\nst\001ance')" --to node02
is "$(printf '%s\n' "$out" | grep -vc '^nova-evac: ')" 0 \
    "a newline in an instance name: every line is a message of its own"
like "$out" "in\\\\nst\\\\x01ance" "the instance name is escaped (\\n, \\x01)"
done_testing
