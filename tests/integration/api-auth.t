#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Authentication against the lab's real Keystone: clouds.yaml, OS_*
# variables, an application credential; one clear error each for a wrong
# password, an unreachable Keystone and a missing catalog entry; secrets
# never in --debug output.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
need_openstack

tmp=$(mktemp -d)
acid=
cleanup() {
    [ -n "$acid" ] && curl -s -o /dev/null -X DELETE -H "X-Auth-Token: $(ktoken)" \
        "$OS_AUTH_URL/users/$uid/application_credentials/$acid"
    rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp" || exit 1
export HOME=$tmp XDG_CONFIG_HOME=$tmp/.config # no clouds.yaml of the machine's user
clouds=$OS_CLIENT_CONFIG_FILE
lines() { printf '%s\n' "$1" | grep -c .; }
# only_clouds CMD...: no OS_* but OS_CLOUD and OS_CLIENT_CONFIG_FILE
only_clouds() { env $(env | awk -F= '/^OS_/{print "-u", $1}') OS_CLOUD=lab OS_CLIENT_CONFIG_FILE="$clouds" "$@"; }
# only_env CMD...: the OS_* variables, no clouds.yaml anywhere
only_env() { env -u OS_CLOUD -u OS_CLIENT_CONFIG_FILE "$@"; }
ktoken() { curl -s -D - -o /dev/null -H 'Content-Type: application/json' -d "{\"auth\":{\"identity\":{\"methods\":[\"password\"],\"password\":{\"user\":{\"name\":\"$OS_USERNAME\",\"domain\":{\"name\":\"Default\"},\"password\":\"$OS_PASSWORD\"}}},\"scope\":{\"project\":{\"name\":\"admin\",\"domain\":{\"name\":\"Default\"}}}}}" "$OS_AUTH_URL/auth/tokens" | awk -F': ' 'tolower($1)=="x-subject-token"{print $2}' | tr -d '\r'; }

# clouds.yaml
t0=$(date +%s.%N)
run only_clouds "$NOVA_EVAC" --format json api token
t1=$(date +%s.%N)
is "$rc" 0 "clouds.yaml (OS_CLOUD=lab): authenticated"
is "$(printf '%s' "$out" | jq -r .user)" admin "clouds.yaml: user admin"
is "$(printf '%s' "$out" | jq -r .cloud)" lab "clouds.yaml: cloud lab"
is "$(printf '%s' "$out" | jq -r .lifetime_s)" 180 "token lifetime 180 s (lab Keystone)"
is "$(printf '%s' "$out" | jq -r '[.endpoints[]|select(.type=="compute" and .interface=="public")]|length')" 1 \
    "catalog has the public compute endpoint"
diag "api token via clouds.yaml: $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}') s (process start, auth, output)"
run only_clouds "$NOVA_EVAC" api token --os-cloud nope
is "$rc" 2 "unknown --os-cloud: exit 2"
like "$out" "cloud 'nope' is not in .*clouds.yaml \(it has: lab\)" "unknown cloud: names the file and the clouds"

# OS_* variables only
run only_env "$NOVA_EVAC" --format json api token
is "$rc" 0 "OS_* variables: authenticated"
is "$(printf '%s' "$out" | jq -r .cloud)" envvars "OS_* variables: the envvars cloud"
run only_env env OS_PASSWORD=wrong-$$ "$NOVA_EVAC" api token
is "$rc" 2 "wrong password: exit 2 (configuration)"
is "$(lines "$out")" 1 "wrong password: one line"
like "$out" "authentication refused for user admin, project admin .*HTTP 401" "wrong password: says Keystone refused it"
like "$out" "check the password" "wrong password: next step"
ok "wrong password: the password is not echoed" test -z "$(printf '%s' "$out" | grep -F "wrong-$$")"
run only_clouds env OS_PASSWORD=wrong-$$ "$NOVA_EVAC" api token
is "$rc" 2 "OS_PASSWORD overrides clouds.yaml (openstackclient precedence): refused"

# unreachable Keystone (a closed port on loopback)
t0=$(date +%s.%N)
run only_env env OS_AUTH_URL=http://127.0.0.1:9/v3 "$NOVA_EVAC" servers node01
t1=$(date +%s.%N)
is "$rc" 4 "unreachable Keystone: exit 4"
is "$(lines "$out")" 1 "unreachable Keystone: one line"
like "$out" "keystone: cannot reach http://127.0.0.1:9/v3 .*attempts" "unreachable: names the URL and the retries"
diag "unreachable Keystone reported after $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}') s (retries with backoff)"

# missing catalog entry
run only_clouds "$NOVA_EVAC" servers --os-region-name NoSuchRegion node01
is "$rc" 2 "no compute endpoint in that region: exit 2"
is "$(lines "$out")" 1 "missing catalog entry: one line"
like "$out" "no compute endpoint with interface public in region NoSuchRegion .*the catalog has: .*compute \(" \
    "missing catalog entry: says what the catalog has"

# missing piece of the credentials
run only_env env -u OS_PROJECT_NAME "$NOVA_EVAC" api token
is "$rc" 2 "no project: exit 2"
like "$out" "project_name \(OS_PROJECT_NAME\)" "no project: names the variable"

# application credential (created for this test through Keystone's API)
tok=$(ktoken)
uid=$(curl -s -H "X-Auth-Token: $tok" "$OS_AUTH_URL/auth/tokens" -H "X-Subject-Token: $tok" | jq -r .token.user.id)
acj=$(curl -s -H "X-Auth-Token: $tok" -H 'Content-Type: application/json' \
    -d "{\"application_credential\":{\"name\":\"nova-evac-test-$$\"}}" "$OS_AUTH_URL/users/$uid/application_credentials")
acid=$(printf '%s' "$acj" | jq -r .application_credential.id)
acsec=$(printf '%s' "$acj" | jq -r .application_credential.secret)
if [ -n "$acid" ] && [ "$acid" != null ]; then
    cat >"$tmp/ac.yaml" <<YAML
clouds:
  ac:
    auth_type: v3applicationcredential
    auth:
      auth_url: $OS_AUTH_URL
      application_credential_id: $acid
      application_credential_secret: $acsec
YAML
    run env $(env | awk -F= '/^OS_/{print "-u", $1}') OS_CLIENT_CONFIG_FILE="$tmp/ac.yaml" "$NOVA_EVAC" --format json api token
    is "$rc" 0 "application credential (only cloud of its clouds.yaml): authenticated"
    is "$(printf '%s' "$out" | jq -r .project)" admin "application credential: scoped to its project"
    run env $(env | awk -F= '/^OS_/{print "-u", $1}') OS_AUTH_TYPE=v3applicationcredential \
        OS_AUTH_URL="$OS_AUTH_URL" OS_APPLICATION_CREDENTIAL_ID="$acid" \
        OS_APPLICATION_CREDENTIAL_SECRET=bad "$NOVA_EVAC" api token
    is "$rc" 2 "application credential with a bad secret: exit 2"
    like "$out" "application credential $acid .*HTTP 401" "bad secret: names the credential"
else
    ok "application credential created (Keystone said: $acj)" false
fi

# secrets never reach the debug output
run only_clouds "$NOVA_EVAC" --debug http,auth api token
is "$rc" 0 "--debug http,auth: runs"
like "$out" "X-Subject-Token: <redacted sha1:" "the new token is redacted"
like "$out" '"password":"<redacted>"' "the password in the auth request is redacted"
ok "no fernet token in the debug output" test -z "$(printf '%s' "$out" | grep -E 'gAAAAA[A-Za-z0-9_-]{20}')"
ok "no password value in the debug output" test -z "$(printf '%s' "$out" | grep -F "\"password\":\"$OS_PASSWORD\"")"
run only_clouds "$NOVA_EVAC" --debug http servers node01
like "$out" "X-Auth-Token: <redacted sha1:" "the token sent to Nova is redacted"
like "$out" "request req-" "request ids are logged"

# TLS is never silently skipped: https against the plain-http Keystone fails
run only_env env OS_AUTH_URL=https://127.0.0.1:5000/v3 "$NOVA_EVAC" api token
ok "https to a plain-http port: refused (exit $rc)" test "$rc" = 2 -o "$rc" = 4
like "$out" "keystone: cannot reach https://127.0.0.1:5000/v3" "TLS failure named"

# TLS: socat terminates TLS with a self-signed certificate in front of the
# real Keystone.  Refused by default; verified with the CA as --os-cacert;
# not verified (and warned) with --insecure.
if command -v socat >/dev/null && command -v openssl >/dev/null; then
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" -days 1 \
        -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1
    port=$((20000 + $$ % 20000))
    socat "OPENSSL-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork,cert=$tmp/cert.pem,key=$tmp/key.pem,verify=0" \
        TCP:127.0.0.1:5000 >/dev/null 2>&1 &
    spid=$!
    for _ in $(seq 50); do ss -Hltn "sport = :$port" | grep -q . && break; sleep 0.1; done
    tls() { only_env env OS_AUTH_URL="https://127.0.0.1:$port/v3" "$NOVA_EVAC" --format json api token "$@"; }
    run tls
    is "$rc" 2 "self-signed certificate: refused by default (exit 2)"
    like "$out" "cannot reach https://127.0.0.1:$port/v3 .*certificate" "the certificate problem is named"
    run tls --os-cacert "$tmp/cert.pem"
    is "$rc" 0 "--os-cacert: Keystone over TLS, verified with that CA"
    run tls --insecure
    is "$rc" 0 "--insecure: Keystone over TLS, not verified"
    like "$out" "warning: TLS certificates are not verified" "--insecure: warned"
    run only_env env OS_AUTH_URL="https://127.0.0.1:$port/v3" OS_CACERT="$tmp/cert.pem" "$NOVA_EVAC" api token
    is "$rc" 0 "OS_CACERT honoured"
    kill "$spid" 2>/dev/null
    wait "$spid" 2>/dev/null
else
    ok "# SKIP TLS through socat: socat or openssl missing (apt-get install socat)" true
fi
done_testing
