#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# suite lane: own-lab (reads the shared cloud only and changes nothing: safe beside the shared-lab tests)
# One session longer than the lab's 180 s Keystone token lifetime: two
# `servers --watch` processes list node01 every 20 s for 200 s, side by
# side.  The first renews its token before expiry (default margin); the
# second keeps it to the end (NOVA_EVAC_TOKEN_MARGIN=0), so Nova answers
# 401 and the client re-authenticates and replays the request.  Both must
# succeed and say so on stderr.  (Slow: about 205 s.)
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
need_openstack
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rounds=${NOVA_EVAC_REAUTH_ROUNDS:-11} every=20

t0=$(date +%s)
"$NOVA_EVAC" servers --watch $every --count "$rounds" node01 >"$tmp/a.out" 2>"$tmp/a.err" &
pa=$!
NOVA_EVAC_TOKEN_MARGIN=0 "$NOVA_EVAC" servers --watch $every --count "$rounds" node01 >"$tmp/b.out" 2>"$tmp/b.err" &
pb=$!
wait $pa
ra=$?
wait $pb
rb=$?
secs=$(($(date +%s) - t0))
diag "two sessions of $rounds listings over ${secs} s"

is "$ra" 0 "margin 60 s: every listing succeeded"
is "$(grep -c '^# ' "$tmp/a.out")" "$rounds" "margin 60 s: $rounds listings on stdout"
like "$(cat "$tmp/a.err")" "keystone: re-authenticated \(token had [0-9]+ s left\)" \
    "margin 60 s: re-authenticated before the token expired (logged)"
ok "margin 60 s: no 401 was needed" test -z "$(grep '401' "$tmp/a.err")"
ok "margin 60 s: no error" test -z "$(grep 'error' "$tmp/a.err")"
diag "margin 60 s: $(tr '\n' ' ' <"$tmp/a.err")"

is "$rb" 0 "margin 0: every listing succeeded"
is "$(grep -c '^# ' "$tmp/b.out")" "$rounds" "margin 0: $rounds listings on stdout"
like "$(cat "$tmp/b.err")" "keystone: re-authenticated \(GET http://[^ ]+/servers/detail[^ ]* answered 401 with -?[0-9]+ s left on the token; replaying\)" \
    "margin 0: the expired token got a 401, re-authenticated and replayed (logged)"
ok "margin 0: no error" test -z "$(grep 'error' "$tmp/b.err")"
diag "margin 0: $(tr '\n' ' ' <"$tmp/b.err")"
ok "the session outlived the 180 s token" test "$secs" -ge 195
done_testing
