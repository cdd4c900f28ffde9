#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Every command has a man page, and every option in a table is in its page.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

cmds=$(ne --help | awk '/^Commands:/{f=1;next} /^$/{f=0} f{print $1}' | grep -v '^help$')
for c in $cmds; do
    page="$top_srcdir/man/nova-evac-$c.8"
    ok "man page for $c exists" test -f "$page"
    for o in $(ne completion options "$c"); do
        ok "nova-evac-$c.8 documents $o" grep -q -- "Fl -${o#--}\b" "$page"
    done
    ok "nova-evac.8 lists $c" grep -q "Cm $c" "$top_srcdir/man/nova-evac.8"
done
for o in help version config debug format quiet; do
    ok "nova-evac.8 documents --$o" grep -q -- "Fl -$o" "$top_srcdir/man/nova-evac.8"
done
done_testing
