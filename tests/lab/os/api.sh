## curl helpers for the lab's OpenStack (source me; needs curl and jq).
##   nova METHOD PATH [JSON]   -> body, then the HTTP code on the last line
##   glance METHOD PATH [JSON] -> same;   placement METHOD PATH [JSON] -> same
##   body / code               -> filters: strip / keep the code line
##   srv UUID                  -> "STATUS TASK_STATE VM_STATE HOST"
##   wait_srv UUID JQ [SECS]   -> wait until jq condition on .server holds
## Re-authenticates once on 401 (tokens live 180 s in the lab).
KS=http://127.0.0.1:5000/v3 NOVA=http://127.0.0.1:8774/v2.1
GLANCE=http://127.0.0.1:9292 PLACEMENT=http://127.0.0.1:8778
MV=${MV:-2.90}
token() {   # prints a project-scoped admin token
  curl -s -D - -o /dev/null -H 'Content-Type: application/json' \
    -d '{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"admin","domain":{"name":"Default"},"password":"admin"}}},"scope":{"project":{"name":"admin","domain":{"name":"Default"}}}}}' \
    $KS/auth/tokens | awk -F': ' 'tolower($1)=="x-subject-token"{print $2}' | tr -d '\r'
}
_req() {    # _req BASE EXTRA-HEADER METHOD PATH [JSON]
  local base=$1 hdr=$2 m=$3 p=$4 d=${5-}
  if [ -n "$d" ]; then
    curl -s -w '\n%{http_code}' -X "$m" -H "X-Auth-Token: $TOK" ${hdr:+-H "$hdr"} \
      -H 'Content-Type: application/json' -d "$d" "$base$p"
  else
    curl -s -w '\n%{http_code}' -X "$m" -H "X-Auth-Token: $TOK" ${hdr:+-H "$hdr"} "$base$p"
  fi
}
_authed() { # re-auth once on 401
  local out; [ -n "${TOK:-}" ] || TOK=$(token)
  out=$(_req "$@"); if [ "$(echo "$out" | tail -n1)" = 401 ]; then TOK=$(token); out=$(_req "$@"); fi
  echo "$out"
}
nova() { _authed "$NOVA" "OpenStack-API-Version: compute $MV" "$@"; }
glance() { _authed "$GLANCE" "" "$@"; }
placement() { _authed "$PLACEMENT" "OpenStack-API-Version: placement 1.39" "$@"; }
body() { sed '$d'; }
code() { tail -n1; }
srv() { nova GET "/servers/$1" | body | jq -r '.server | "\(.status) \(."OS-EXT-STS:task_state") \(."OS-EXT-STS:vm_state") \(."OS-EXT-SRV-ATTR:host")"'; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.2f", b-a}'; }
wait_srv() {
  local t0; t0=$(now); local to=${3:-60}
  while :; do
    nova GET "/servers/$1" | body | jq -e ".server | $2" >/dev/null && return 0
    awk -v a="$t0" -v b="$(now)" -v t="$to" 'BEGIN{exit !(b-a>t)}' && return 1
    sleep 0.3
  done
}
