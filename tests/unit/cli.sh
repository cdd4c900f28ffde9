#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# CLI framework behaviour: help, version, exit codes, one-line errors.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

run ne --version
is "$rc" 0 "--version exits 0"
like "$out" '^nova-evac [0-9]+\.[0-9]+' "--version prints the version"
run ne --help
is "$rc" 0 "--help exits 0"
like "$out" 'inspect' "--help lists commands"
run ne
is "$rc" 2 "no command: exit 2"
run ne frobnicate
is "$rc" 2 "unknown command: exit 2"
is "$(printf '%s\n' "$out" | wc -l)" 1 "unknown command: one line"
like "$out" "unknown command 'frobnicate'" "unknown command named"
run ne inspect
is "$rc" 2 "missing argument: exit 2"
like "$out" 'missing argument HOST' "missing argument named"
run ne inspect --bogus node01
is "$rc" 2 "unknown option: exit 2"
is "$(printf '%s\n' "$out" | wc -l)" 1 "unknown option: one line"
run ne inspect a b
is "$rc" 2 "extra argument: exit 2"
run ne --format yaml inspect node01
is "$rc" 2 "bad --format: exit 2"
run ne --debug nope inspect node01
is "$rc" 2 "unknown debug channel: exit 2"
run ne help inspect
is "$rc" 0 "help inspect"
like "$out" 'Usage: nova-evac inspect' "help inspect shows usage"
run ne inspect --help
is "$rc" 0 "inspect --help"
run ne help nope
is "$rc" 2 "help of unknown command: exit 2"
run ne --config /nonexistent/x.conf inspect node01
is "$rc" 2 "missing explicit config: exit 2"
like "$out" '/nonexistent/x.conf' "missing config file named"
run ne inspect "node02; rm -rf /"
is "$rc" 2 "hostile host name: exit 2"
like "$out" "invalid host name" "hostile host name refused before any connection"
run ne inspect "x' OR '1'='1"
is "$rc" 2 "SQL-ish host name: exit 2"
run ne completion bash
is "$rc" 0 "completion bash"
like "$out" 'complete -F _nova_evac nova-evac' "completion script registers"
like "$out" 'inspect\)' "completion knows inspect"
done_testing
