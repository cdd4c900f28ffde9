#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# suite lane: own-lab (touches only its private lab; tests/run runs it beside the shared-lab tests)
# The drain report (issue 17), opened in a real headless Chromium.  A
# private 2-node lab: a drain of node01 with a running guest (a live block
# move) and a shut-off one whose cold move is refused for a real reason (a
# file already at its disk path on node02).  drain --report writes the page
# after that failure; Chromium loads it with no console error, its lanes
# are the journal's instances, its figures the journal's, the failure and
# its next step are in it; a screenshot is kept under the build dir
# (tests/integration/report-artifacts/).  A name that is markup renders as
# text (nova-evac report on the journal with a hostile name).
# Console errors are read from Chromium's own log (--enable-logging=stderr
# --v=0: it logs every console message with its level), not over the
# DevTools protocol, which would need a websocket client the lab does not
# have; a page with a failing script proves the check sees an error.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
command -v chromium >/dev/null || skip_all "no chromium (tests/lab/deps.sh report)"
command -v jq >/dev/null || skip_all "no jq"

tmp=$(mktemp -d)
art=${top_builddir:-$PWD}/tests/integration/report-artifacts
cleanup() {
    private_lab_wipe
    rm -rf "$tmp"
}
trap cleanup EXIT
private_lab report nrp 2 # no Nova: nothing to record
mkdir -p "$art"
quiet() { "$@" >/dev/null 2>&1; }
# browse URL-FILE LOG ARGS...: one headless Chromium run, its log in LOG
browse() {
    local f=$1 log=$2
    shift 2
    timeout 120 chromium --headless --no-sandbox --disable-gpu --no-first-run \
        --user-data-dir="$tmp/chrome" --enable-logging=stderr --v=0 "$@" "file://$f" 2>"$log"
}
# console messages in a Chromium log ("...:INFO:CONSOLE:LINE] "text", source: ..."; it
# logs every level as INFO): the report has no script, so any message is an
# error (a script error, a policy violation, a failed load)
console_errors() { grep ':CONSOLE' "$1"; }

# 0. the console check can fail: a page whose script throws, and one whose
#    policy refuses a script, both seen
printf '<!DOCTYPE html><html><body><script>no_such_function();</script></body></html>\n' >"$tmp/bad.html"
browse "$tmp/bad.html" "$tmp/bad.log" --dump-dom >/dev/null
ok "control: a throwing script is seen on the console" console_errors "$tmp/bad.log"
printf '<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src %s"></head><body><script>1;</script></body></html>\n' "'none'" >"$tmp/csp.html"
browse "$tmp/csp.html" "$tmp/csp.log" --dump-dom >/dev/null
ok "control: a script the page's policy refuses is seen on the console" console_errors "$tmp/csp.log"

"$LABSH" base rp-img node01 node02 >/dev/null 2>&1
ua=$(new_uuid) ub=$(new_uuid)
ok "a running guest on node01" quiet "$LABSH" guest node01 rp-run "$ua" --image rp-img
ok "a shut-off guest on node01" quiet "$LABSH" guest node01 rp-off "$ub" --image rp-img --shutoff
# the real reason for the failure: a file at rp-off's disk path on node02
mkdir -p "$NOVA_EVAC_LAB/lab/node02/instances/$ub"
head -c 65536 /dev/urandom >"$NOVA_EVAC_LAB/lab/node02/instances/$ub/disk"

run ne drain node01 --to node02 -j 2 --report "$tmp/drain.html"
is "$rc" 1 "the drain: one moved, one refused (exit 1)"
like "$out" "report written to $tmp/drain.html" "the drain says where the report is"
is "$(virsh -q -c "$NODE02_URI" domstate rp-run 2>/dev/null)" running "rp-run moved to node02"
is "$(virsh -q -c "$NODE01_URI" domstate rp-off 2>/dev/null)" "shut off" "rp-off stays on node01"
j=$tmp/state/node01.journal
ok "the journal is there" test -s "$j"

# 1. Chromium: no console error, a screenshot
browse "$tmp/drain.html" "$tmp/dom.log" --dump-dom >"$tmp/dom.html"
ok "Chromium loaded the report" grep -q '<svg id="timeline"' "$tmp/dom.html"
ok "no console error" bash -c "test -s '$tmp/dom.html' && ! grep ':CONSOLE' '$tmp/dom.log'"
cp "$tmp/dom.log" "$art/drain-chromium.log"
rm -f "$art/drain.png"
(cd "$tmp" && browse "$tmp/drain.html" "$tmp/shot.log" --window-size=1200,1000 \
    --screenshot="$art/drain.png") >/dev/null
ok "a screenshot saved ($art/drain.png)" bash -c "test -s '$art/drain.png' && head -c 8 '$art/drain.png' | grep -q PNG"
cp "$tmp/drain.html" "$art/drain.html"

# 2. lanes = instances, figures = the journal's
n_inst=$(jq -r 'select(.uuid and (.event=="planned" or .event=="migrating" or .event=="failed")) | .uuid' "$j" | sort -u | wc -l)
is "$n_inst" 2 "the journal holds two instances"
is "$(grep -o '<g class="lane"' "$tmp/dom.html" | wc -l)" "$n_inst" "lanes = instances"
for u in "$ua" "$ub"; do
    state=$(jq -r "select(.uuid==\"$u\" and (.event==\"moved\" or .event==\"failed\")) | .event" "$j" | tail -1)
    ok "lane $u: state $state, as the journal" grep -q "data-uuid=\"$u\" data-state=\"$state\"" "$tmp/dom.html"
done
bytes=$(jq -r "select(.uuid==\"$ua\" and .event==\"moved\") | (.disk_bytes + .data_bytes)" "$j")
down=$(jq -r "select(.uuid==\"$ua\" and .event==\"moved\") | .downtime_ms" "$j")
ok "rp-run's journal figures: $bytes bytes, $down ms down" test "${bytes:-0}" -gt 0
ok "its lane shows the journal's bytes and downtime" \
    grep -q "data-uuid=\"$ua\" data-state=\"moved\" data-bytes=\"$bytes\" data-downtime-ms=\"$down\"" "$tmp/dom.html"
ok "the summary's bytes are the journal's" grep -q "<td class=\"num\" data-bytes=\"$bytes\">" "$tmp/dom.html"
peak=$(grep -o 'data-dest="node02" data-peak="[0-9]*"' "$tmp/dom.html" | grep -o '[0-9]*"$' | tr -d '"')
ok "node02's concurrency drawn, peak 1 or 2 (-j2): $peak" test "${peak:-0}" -ge 1 -a "${peak:-0}" -le 2

# 3. the failure and its next step
reason=$(jq -r "select(.uuid==\"$ub\" and .event==\"failed\") | .reason" "$j" | tail -1)
ok "the failure is in the journal: $reason" test -n "$reason"
ok "the failure's reason is in the page" grep -qF "<span class=\"reason\">$reason</span>" "$tmp/dom.html"
ok "and its next step" grep -qF "'nova-evac drain node01' again" "$tmp/dom.html"
ok "what the move said: the file on node02" \
    grep -qE "<span class=\"detail\">rp-off \\($ub\\): .*instances/$ub/disk already exists on node02" "$tmp/dom.html"
ok "the failure names rp-off" grep -q '<div class="failure"><p><b>rp-off</b>' "$tmp/dom.html"

# 4. a hostile name renders as text (nova-evac report on the journal)
hostile='<script>alert(1)</script><img src=x onerror=alert(2)>'
jq -c --arg h "$hostile" 'if .name == "rp-off" then .name = $h else . end' "$j" >"$tmp/hostile.journal"
run ne report "$tmp/hostile.journal" --output "$tmp/hostile.html"
is "$rc" 0 "nova-evac report writes the page"
browse "$tmp/hostile.html" "$tmp/hostile.log" --dump-dom >"$tmp/hostile-dom.html"
ok "no console error (no script ran, none was refused)" \
    bash -c "! grep ':CONSOLE' '$tmp/hostile.log'"
ok "no script or img element in the DOM" bash -c "! grep -qiE '<(script|img)[ >]' '$tmp/hostile-dom.html'"
ok "the name is text in the DOM" grep -qF '&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;' "$tmp/hostile-dom.html"
is "$(grep -o '<g class="lane"' "$tmp/hostile-dom.html" | wc -l)" 2 "still two lanes"
(cd "$tmp" && browse "$tmp/hostile.html" "$tmp/shot2.log" --window-size=1200,1000 \
    --screenshot="$art/hostile.png") >/dev/null
run ne report "$tmp/nonexistent.journal"
is "$rc" 2 "a journal that is not there: exit 2"
like "$out" "cannot read the journal $tmp/nonexistent.journal" "the error names the file"
done_testing
