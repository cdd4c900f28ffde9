#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# suite lane: own-lab (touches only its private lab; tests/run runs it beside the shared-lab tests)
# Progress of every migration at any concurrency, and -j auto (issue 17):
# a drain with -j2 under a pseudo-terminal (script from util-linux) draws
# one live line per migration in flight and an overall line; off a
# terminal it says each phase of each instance on its own line; with
# --format json its progress events parse, carry a time and cover every
# instance's phases in order, and -j auto (the default) says how it
# starts and every limit it chooses, in the JSON and the journal (its
# first raise while the first migration copies); -j6 runs six jobs at once
# from one source.  The
# drains move three guests back and forth on a private 2-node lab (six in 4).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

tmp=$(mktemp -d)
cleanup() {
    private_lab_wipe
    rm -rf "$tmp"
}
trap cleanup EXIT
private_lab dprog npg 2
command -v script >/dev/null || skip_all "script (util-linux) is needed for the terminal"
"$LABSH" base pg-img --size 64M node01 node02 >/dev/null 2>&1
q() { "$@" >/dev/null 2>&1; }
G=(pg-a pg-b pg-c)
for i in 0 1 2; do
    ok "a running guest ${G[$i]} on node01" q "$LABSH" guest node01 "${G[$i]}" "$(new_uuid)" \
        --image pg-img --dirty $((20 + 6 * i)) --mem 64
done
on() { virsh -q -c "$(eval echo "\$$(tr a-z A-Z <<<"$1")_URI")" list --name | grep -c '^pg-'; }

# 1. -j2 under a terminal: the live block
# --bandwidth: each job lasts 5 to 8 s (20 to 32 MiB of disk at 4 MiB/s),
# so that the block is drawn, with the job's figures, while both run even
# on a loaded machine (with 8 MiB, a CI run under load once drew pg-a only
# before its first job statistics: "0 B/?")
script -qfec "$NOVA_EVAC drain node01 --to node02 -j 2 --bandwidth 4" /dev/null >"$tmp/tty.raw" 2>&1
rc=$?
is "$rc" 0 "drain -j2 under a terminal: exit 0"
is "$(on node02)" 3 "the three guests run on node02"
tr '\r' '\n' <"$tmp/tty.raw" | sed 's/\x1b\[[0-9;]*[A-Za-z]//g' >"$tmp/tty.txt"
for g in "${G[@]}"; do
    like "$(cat "$tmp/tty.txt")" "  $g +-> node02 +migrating +[0-9.]+ ?[KMG]?i?B/[0-9.]+ ?[KMG]?i?B +[0-9.]+ ?[KMG]?i?B/s +ETA" \
        "$g: a live line with destination, phase, bytes done/total, rate and ETA"
done
like "$(cat "$tmp/tty.txt")" "\[[0-9]/3 done, 2 in flight, limit 2\] ETA ([0-9]+ (s|min)|\?): .* moved at .*/s, .* to go" \
    "the overall line: done, two in flight, the limit, the ETA and bytes"
# both migrations' lines in one drawing of the block: between two erases
n=$(awk 'BEGIN { RS = "\033\\[J" } { c = 0; for (i = 0; i < 3; i++) if (index($0, "  pg-" substr("abc", i + 1, 1) " ") && $0 ~ "migrating") c++ } c >= 2 { print }' \
        "$tmp/tty.raw" | grep -c "in flight, limit 2" || true)
ok "one drawing of the block shows two migrations in flight (seen ${n:-0} times)" [ "${n:-0}" -ge 1 ]
like "$(grep -c $'\033\\[[0-9]*A' "$tmp/tty.raw")" "^[1-9]" "the block is redrawn in place (cursor up)"

# 2. off a terminal, the default (-j auto): one line per phase change
ne drain node02 --to node01 >"$tmp/plain.out" 2>"$tmp/plain.err"
is "$?" 0 "drain off a terminal: exit 0"
is "$(on node01)" 3 "the three guests run on node01 again"
like "$(cat "$tmp/plain.err")" "-j auto: starting with 1 at once" "-j auto says how it starts"
ok "no escape sequence off a terminal" bash -c "! grep -q $'\033' '$tmp/plain.err'"
for g in "${G[@]}"; do
    is "$(grep -oE "^nova-evac: $g: [a-z]+ \(to node01\)" "$tmp/plain.err" | awk '{ print $3 }' | paste -sd' ')" \
        "preparing migrating verifying cleaning" "$g: one line per phase, in order"
done

# 3. --format json: progress events with times, every phase in order
ne --format json drain node01 --to node02 --bandwidth 4 >"$tmp/json.out" 2>"$tmp/json.err"
is "$?" 0 "drain --format json: exit 0"
ok "every line parses as JSON" q jq -e . "$tmp/json.out"
is "$(jq -s '[.[] | select(.event == "progress" and (.ts_ms | type) != "number")] | length' "$tmp/json.out")" 0 \
    "every progress event carries its time (ts_ms)"
for g in "${G[@]}"; do
    is "$(jq -r --arg g "$g" 'select(.event == "progress" and .name == $g) | .phase' "$tmp/json.out" | uniq | paste -sd' ')" \
        "preparing migrating verifying cleaning" "$g: progress events cover its phases in order"
    ok "$g: the job's bytes done/total, from the job statistics" q jq -s -e --arg g "$g" \
        '[.[] | select(.event == "progress" and .name == $g and .phase == "migrating")]
         | any(.total_bytes > 0 and .done_bytes > 0 and .from == "job statistics")' "$tmp/json.out"
done
ok "events in time order" q jq -s -e 'map(.ts_ms // 0) | . == sort' "$tmp/json.out"
is "$(jq -r 'select(.event == "start") | .concurrency' "$tmp/json.out")" auto "the start event says -j auto"
is "$(jq -r 'select(.event == "finish") | .moved' "$tmp/json.out")" 3 "finish: three moved"
jq -c 'select(.event == "concurrency")' "$tmp/json.out" >"$tmp/conc"
diag "concurrency changes: $(wc -l <"$tmp/conc"): $(jq -r '"\(.max_parallel): \(.reason)"' "$tmp/conc" | paste -sd'|')"
ok "each concurrency event has the limit and its reason" q jq -s -e \
    'all(.[]; (.max_parallel | type) == "number" and .max_parallel >= 1 and (.reason | length) > 0)' "$tmp/conc"
# the first raise comes once the first migration's job copies, not after
# it ended (its duration is one at a time's rate, read later)
ok "-j auto: up to 2 while the first migration copies, before any ended" q jq -s -e '
    (map(select(.event == "concurrency"))[0]) as $c | (map(select(.event == "moved"))[0]) as $m
    | ($c.reason | startswith("the first migration copies: up to 2")) and $c.max_parallel == 2
      and $c.ts_ms < $m.ts_ms' "$tmp/json.out"
is "$(grep -c '"event":"concurrency"' "$tmp"/state/node01.journal)" "$(wc -l <"$tmp/conc")" \
    "the journal holds the same concurrency changes"
is "$(grep -c '"event":"progress"' "$tmp"/state/node01.journal)" 0 "progress figures stay out of the journal"
is "$(grep -c -- '-j auto: .* at once, .* per destination)' "$tmp/json.err")" "$(wc -l <"$tmp/conc")" \
    "each change is one line on stderr too"

# 4. -j6: six jobs at once from one source.  libvirtd serves at most 5
# calls of one client connection at once and a migration's call lasts the
# whole migration: each job has a connection of its own (on one shared
# connection the 5th and 6th waited for others to end)
G6=("${G[@]}" pg-d pg-e pg-f)
for g in pg-d pg-e pg-f; do
    q "$LABSH" guest node02 "$g" "$(new_uuid)" --image pg-img --dirty 20 --mem 64
done
is "$(on node02)" 6 "six guests on node02"
ne --format json drain node02 --to node01 -j 6 --bandwidth 4 >"$tmp/j6.out" 2>"$tmp/j6.err"
is "$?" 0 "drain -j6: exit 0"
is "$(on node01)" 6 "the six guests run on node01"
first_end=$(jq -s 'map(select(.event == "moved") | .ts_ms) | min' "$tmp/j6.out")
for g in "${G6[@]}"; do
    ok "$g: its job copied before the first migration ended" q jq -s -e --arg g "$g" --argjson e "$first_end" '
        map(select(.event == "progress" and .name == $g and .phase == "migrating"
                   and .from == "job statistics") | .ts_ms) | min < $e' "$tmp/j6.out"
done
done_testing
