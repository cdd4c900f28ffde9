#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# TLS options of the Nova database URL, on the lab's MariaDB (which has no
# TLS): every option is honoured or refused, never ignored.  A URL asking
# for TLS must not end up on a plaintext connection; an unsupported option
# is a configuration error (exit 2); nova.conf in oslo syntax ("key: value")
# is read, and its password never reaches stderr.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/novadb.sh"
need_db

tmp=$(mktemp -d)
cleanup() { drop_db; rm -rf "$tmp"; }
trap cleanup EXIT
# libvirt through the test driver: this test is about the database only
printf '[DEFAULT]\nstate_dir = %s/state\n[node:node01]\nuri = test:///default\n' "$tmp" >"$tmp/ne.conf"
export NOVA_EVAC_CONFIG=$tmp/ne.conf
base=$NOVA_EVAC_DB
scan() { NOVA_EVAC_DB=$1 run "$NOVA_EVAC" stuck --host node01; }

scan "$base"
is "$rc" 0 "plain URL: the scan connects"
[ "$rc" = 0 ] || printf '%s\n' "$out" | sed 's/^/# /' | tail -5
scan "$base?ssl_mode=DISABLED"
is "$rc" 0 "ssl_mode=DISABLED: connects without TLS, as asked"

# The lab's server has no TLS: a URL asking for it must fail, not fall
# back to plaintext (before: ssl_mode and ssl were ignored, exit 0).
scan "$base?ssl=true"
is "$rc" 4 "ssl=true against a server without TLS: not connected (exit 4)"
like "$out" "TLS|SSL" "... and the error says it is about TLS"
scan "$base?ssl_mode=REQUIRED"
is "$rc" 4 "ssl_mode=REQUIRED: not connected in plaintext (exit 4)"
like "$out" "warning: .*without verifying the server's certificate" \
    "... and warned that REQUIRED does not verify the certificate"
scan "$base?ssl_mode=VERIFY_IDENTITY"
is "$rc" 4 "ssl_mode=VERIFY_IDENTITY: not connected (exit 4)"
scan "$base?ssl_verify_cert=false"
is "$rc" 4 "ssl_verify_cert=false still requires TLS (exit 4)"
like "$out" "warning: .*without verifying" "ssl_verify_cert=false is warned about"

for q in ssl_mode=PREFERRED ssl_mode=VERIFY_CA ssl_check_hostname=false ssl_key_password=x \
         "ssl=false&ssl_ca=/etc/ssl/ca.pem"; do
    scan "$base?$q"
    is "$rc" 2 "$q: refused as a configuration error (exit 2)"
done

# nova.conf as oslo writes it: "key: value", a continuation line elsewhere;
# errors in it never show the password.
unset NOVA_EVAC_DB
printf '[DEFAULT]\ntransport_url: rabbit://nova:%s@ctl:5672/\ndebug = true\n[database]\nconnection: %s\n' \
    "RabbitPw$$" "${base/mysql:/mysql+pymysql:}" >"$tmp/nova.conf"
NOVA_EVAC_NOVA_CONF=$tmp/nova.conf run "$NOVA_EVAC" stuck --host node01
is "$rc" 0 "nova.conf with 'key: value' lines: connects"
printf '[database]\nconnection: %s?ssl_mode=PREFERRED\n' "${base/mysql:/mysql+pymysql:}" >"$tmp/nova.conf"
NOVA_EVAC_NOVA_CONF=$tmp/nova.conf run "$NOVA_EVAC" stuck --host node01
is "$rc" 2 "nova.conf asking for PREFERRED: exit 2"
like "$out" "nova.conf: \[database\] connection: ssl_mode=PREFERRED" "... naming the file and key"
rabbit_pw=RabbitPw$$
printf '[DEFAULT]\ntransport_url rabbit//nova.%s.ctl\n' "$rabbit_pw" >"$tmp/nova.conf"
NOVA_EVAC_NOVA_CONF=$tmp/nova.conf run "$NOVA_EVAC" stuck --host node01
is "$rc" 2 "a malformed nova.conf line: exit 2"
like "$out" "nova.conf:2:" "... naming the file and line"
ok "... and never the secret on that line" test "${out/$rabbit_pw/}" = "$out"
done_testing
