# tests/lib.sh: TAP helpers and lab access for shell tests.  Source it.
#   plan N | ok COND... DESC | is GOT WANT DESC | done_testing
#   need_lab            libvirt lab up (tests/lab/lab.sh), else skip (fail under CI=true)
#   need_db             lab MariaDB with Nova schemas: in tests/novadb.sh, with the seeding helpers
#   need_openstack      lab cloud up (tests/lab/openstack.sh up fake|libvirt), OS_* exported
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${NOVA_EVAC:=$top_builddir/src/nova-evac}"
: "${NOVA_EVAC_LAB:=/var/tmp/nova-evac-lab}"
export NOVA_EVAC_LAB
LABSH="$top_srcdir/tests/lab/lab.sh"
_t_n=0
_t_fail=0

diag() { printf '# %s\n' "$*"; }

ok() {
    # ok DESC CMD...: passes when CMD succeeds
    local desc=$1
    shift
    _t_n=$((_t_n + 1))
    if "$@"; then
        echo "ok $_t_n - $desc"
    else
        echo "not ok $_t_n - $desc"
        _t_fail=$((_t_fail + 1))
    fi
}

is() {
    # is GOT WANT DESC
    _t_n=$((_t_n + 1))
    if [ "$1" = "$2" ]; then
        echo "ok $_t_n - $3"
    else
        echo "not ok $_t_n - $3"
        printf '#   got: %s\n#  want: %s\n' "$1" "$2"
        _t_fail=$((_t_fail + 1))
    fi
}

like() {
    # like TEXT REGEX DESC (grep -E)
    _t_n=$((_t_n + 1))
    if printf '%s\n' "$1" | grep -Eq -- "$2"; then
        echo "ok $_t_n - $3"
    else
        echo "not ok $_t_n - $3"
        printf '#   got: %s\n#  want match: %s\n' "$1" "$2"
        _t_fail=$((_t_fail + 1))
    fi
}

done_testing() {
    echo "1..$_t_n"
    [ "$_t_fail" -eq 0 ]
    exit $?
}

skip_all() {
    # A missing lab piece is a visible skip locally, a failure under CI.
    if [ "${CI:-}" = true ]; then
        echo "Bail out! $* (CI=true: a lab piece that cannot start is a failure)"
        exit 1
    fi
    if [ "$_t_n" -gt 0 ]; then
        _t_n=$((_t_n + 1))
        echo "ok $_t_n # SKIP $*"
        done_testing
    fi
    echo "1..0 # SKIP $*"
    exit 0
}

need_lab() {
    [ -f "$NOVA_EVAC_LAB/env" ] ||
        skip_all "libvirt lab not running (start it with: tests/lab/lab.sh up 3)"
    # shellcheck disable=SC1091
    . "$NOVA_EVAC_LAB/env"
    local n
    for n in node01 node02 node03; do
        timeout 10 virsh -q -c "$("$LABSH" uri $n)" version >/dev/null 2>&1 ||
            skip_all "libvirt lab node $n not answering (start it with: tests/lab/lab.sh up 3)"
    done
    export NOVA_EVAC_CONFIG="$NOVA_EVAC_LAB/nova-evac.conf"
}

# need_openstack: the lab cloud (tests/lab/openstack.sh up fake|libvirt)
# answers; exports its OS_* variables (and NOVA_EVAC_OS, NOVA_EVAC_OS_MODE).
need_openstack() {
    local os="$top_srcdir/tests/lab/openstack.sh" envs
    [ -x "$os" ] || skip_all "tests/lab/openstack.sh is missing"
    envs=$("$os" env 2>/dev/null) || skip_all "tests/lab/openstack.sh env failed"
    eval "$envs"
    case ${NOVA_EVAC_OS_MODE:-down} in
    fake | libvirt) ;;
    *) skip_all "OpenStack lab not up (mode ${NOVA_EVAC_OS_MODE:-down}; start it: tests/lab/openstack.sh up fake)" ;;
    esac
    _os_answers "$OS_AUTH_URL" Keystone keystone || skip_all "Keystone does not answer at $OS_AUTH_URL within 60 s (tests/lab/openstack.sh status)"
    _os_answers http://127.0.0.1:8774/ nova-api nova-api ||
        skip_all "nova-api does not answer on 127.0.0.1:8774 within 60 s (tests/lab/openstack.sh status)"
}

# need_nova_libvirt: the libvirt lab and the mini-cloud in libvirt mode (its
# nova-computes drive the lab's nodes), the REST helpers of
# tests/lab/os/api.sh and an admin token in $TOK; skips the test otherwise.
need_nova_libvirt() {
    need_lab
    need_openstack
    [ "${NOVA_EVAC_OS_MODE:-}" = libvirt ] ||
        skip_all "the OpenStack lab runs in '${NOVA_EVAC_OS_MODE:-}' mode; this test needs 'libvirt' (tests/lab/openstack.sh up libvirt)"
    . "$top_srcdir/tests/lab/os/api.sh"
    TOK=$(token)
    [ -n "$TOK" ] || skip_all "no admin token from the lab Keystone"
}
# nova_boot NAME HOST [GROUP]: a server named $id-NAME of flavor $fl and image
# $img, without a network, forced onto HOST (and in server group GROUP when
# given); its id is appended to $tmp/ids (for the test's cleanup) and printed
# once it is ACTIVE (bounded: 240 s). Fails with a diag naming Nova's answer.
nova_boot() {
    local s r hints=''
    [ -n "${3:-}" ] && hints=",\"os:scheduler_hints\":{\"group\":\"$3\"}"
    r=$(nova POST /servers "{\"server\":{\"name\":\"$id-$1\",\"flavorRef\":\"$fl\",\"imageRef\":\"$img\",\"networks\":\"none\",\"availability_zone\":\"nova:$2\"}$hints}" | body)
    s=$(printf '%s' "$r" | jq -r .server.id 2>/dev/null)
    [ -n "$s" ] && [ "$s" != null ] || { diag "boot $1: Nova refused: $(printf '%s' "$r" | head -c 300)" >&2; return 1; }
    echo "$s" >>"$tmp/ids"
    wait_srv "$s" '.status=="ACTIVE"' 240 >/dev/null || { diag "boot $1: $(srv "$s")" >&2; return 1; }
    echo "$s"
}
# stopped PID: the process stopped itself (NOVA_EVAC_FAULT's "=stop": SIGSTOP)
# within 180 s; fails when it ended instead.
stopped() {
    local i
    for i in $(seq 900); do
        case $(ps -o stat= -p "$1" 2>/dev/null) in T*) return 0 ;; "") return 1 ;; esac
        sleep 0.2
    done
    return 1
}
# need_net_lab: the network lab (tests/lab/net.sh: L2 agents, nel-net1, the
# nel-guest image) with its environment; $NET is net.sh. Skips otherwise.
need_net_lab() {
    local why
    NET=$top_srcdir/tests/lab/net.sh
    why=$("$NET" check 2>&1) || skip_all "network lab: ${why:-not usable} (tests/lab/net.sh up)"
    eval "$("$NET" env)"
    [ -n "$NEL_NET1" ] && [ -n "$NEL_IMAGE" ] || skip_all "network lab: no nel-net1 or nel-guest image (tests/lab/net.sh up)"
}
# todo DESC REASON: a point that failed for a cause outside what the test judges,
# named in REASON: TAP's "not ok ... # TODO" (an expected failure, XFAIL, shown
# as such), never a pass.
todo() {
    _t_n=$((_t_n + 1))
    echo "not ok $_t_n - $1 # TODO $2"
}
# console_of SERVER LINES: the last LINES lines of SERVER's serial console, through
# Nova (empty when it has none)
console_of() {
    _authed "$NOVA" "OpenStack-API-Version: compute $MV" POST "/servers/$1/action" \
        "{\"os-getConsoleOutput\":{\"length\":$2}}" | body | jq -r '.output // empty' 2>/dev/null
}
# guest_broke SERVER: SERVER's console (through Nova) shows that its kernel broke
# (a virtio ring it no longer understands, a CPU locked up, a panic); prints the
# first such line. Seen after live migrations of the network lab's Linux guest
# under QEMU 7.2's TCG (no KVM), about one move in seven to ten, driven by Nova
# or by nova-evac alike: "virtio_net virtio0: output.0:id 7 is not a head!" then
# "watchdog: BUG: soft lockup - CPU#0 stuck for 26s!", or "Kernel panic - not
# syncing: Fatal exception in interrupt" after a __list_add_valid BUG; the data
# path (bridges, the agent's rules) in order each time.
guest_broke() {
    console_of "$1" 60 | grep -m1 -E 'is not a head|soft lockup|hard LOCKUP|Kernel panic|BUG:|Oops|general protection fault'
}
# ping_verdict DESC SERVER HOST ANSWERED: the point DESC on a moved guest's ping.
# ANSWERED 1 passes; otherwise a broken guest kernel (guest_broke, in $broke
# after the call) makes it a TODO naming the console line, anything else fails;
# net_diag shows the console and the path whenever it did not answer.
ping_verdict() {
    broke=
    [ "$4" = 1 ] || broke=$(guest_broke "$2")
    if [ -n "$broke" ]; then
        todo "$1" "its kernel broke after the live migration under QEMU's TCG (\"$broke\"): no verdict on its network"
    else
        ok "$1" test "$4" = 1
    fi
    [ "$4" = 1 ] || net_diag "$2" "$3"
}
# net_diag SERVER HOST: why SERVER, on HOST since a move, does not answer, as TAP
# comments: its console (a dead guest or a dead path?), the probe's neighbour entry,
# where each bridge on the way sends its MAC (the hub's, HOST's; a stale entry
# sends the replies' way elsewhere), HOST's bridge ports, its tap's counters and
# the agent's ebtables rules for it.
net_diag() {
    local s=$1 h=$2 port mac ip tap ns pfx b c
    port=$(_authed http://127.0.0.1:9696 "" GET "/v2.0/ports?device_id=$s" | body | jq -r '.ports[0] // empty')
    mac=$(printf '%s' "$port" | jq -r '.mac_address // empty' 2>/dev/null)
    ip=$(printf '%s' "$port" | jq -r '.fixed_ips[0].ip_address // empty' 2>/dev/null)
    tap=tap$(printf '%s' "$port" | jq -r '.id // empty' 2>/dev/null | cut -c1-11)
    pfx=${NEL_PROBE_NS%-probe}
    ns=$pfx-$h
    diag "net_diag $s on $h: ip ${ip:-?} mac ${mac:-?} $tap, $(date -u +%T.%N)"
    c=$(console_of "$s" 15)
    printf '%s\n' "${c:-(no console output)}" | sed 's/^/#   console: /'
    [ -n "$mac" ] || return 0
    ip -n "$NEL_PROBE_NS" neigh show "$ip" | sed 's/^/#   probe neighbour: /'
    for b in $(ip -n "$pfx-hub" -o link show type bridge 2>/dev/null | awk -F': ' '{print $2}'); do
        ip netns exec "$pfx-hub" bridge fdb show br "$b" | grep -i "$mac" | sed "s/^/#   hub $b fdb: /"
    done
    ip netns exec "$ns" bridge fdb show | grep -i "$mac" | sed "s/^/#   $h fdb: /"
    ip netns exec "$ns" bridge link show | sed "s/^/#   $h port: /"
    ip -n "$ns" -s link show "$tap" 2>&1 | sed "s/^/#   $h tap: /"
    ip netns exec "$ns" ebtables -t nat -L --Lc 2>&1 | grep -i -e "$tap" -e "$mac" | sed "s/^/#   $h ebtables: /"
}

# _os_answers URL WHAT LOGNAME: the service answers within 60 s (a loaded
# 2-core machine can stall a uwsgi worker for a while); when it does not,
# prints what runs and the end of its log as TAP comments.
_os_answers() {
    local i
    for i in 1 2 3 4 5 6; do
        curl -sf -o /dev/null --max-time 10 "$1" && return 0
        diag "$2 did not answer at $1 (attempt $i of 6)"
        sleep 1
    done
    "$top_srcdir/tests/lab/openstack.sh" status 2>&1 | sed 's/^/# /'
    tail -n 15 "$NOVA_EVAC_OS"/logs/"$3"*.log 2>/dev/null | sed 's/^/# /'
    return 1
}

ne() { "$NOVA_EVAC" "$@"; }

# run CMD...: sets $out (stdout+stderr) and $rc
run() {
    out=$("$@" 2>&1)
    rc=$?
}

# A unique id for this test's objects.
uniq_id() { printf '%s-%s' "$(basename "$0" .t)" "$$"; }
new_uuid() { cat /proc/sys/kernel/random/uuid; }

# private_lab NAME PREFIX NODES: a private libvirt lab of NODES nodes beside
# the shared one ($NOVA_EVAC_LAB=/var/tmp/nel-NAME-$$, names prefixed
# PREFIX), for tests that kill daemons or watch files.  Needs root and $tmp
# (a directory of the test's); exports the lab's env, NOVA_EVAC_CONFIG
# ($tmp/ne.conf, state_dir $tmp/state) and no Nova (no OS_*, HOME=$tmp).
# Call private_lab_wipe from the test's EXIT trap (set before this call).
private_lab() {
    [ "$(id -u)" = 0 ] || skip_all "the lab needs root"
    _private_root=/var/tmp/nel-$1-$$
    root=$_private_root
    export NOVA_EVAC_LAB=$root NOVA_EVAC_LAB_PREFIX=$2 NOVA_EVAC_LAB_VIRT_TYPE=qemu
    mkdir -p "$root/capcache"
    cp -f /var/tmp/nova-evac-lab/capcache/*.xml "$root/capcache/" 2>/dev/null || true
    local t0=$SECONDS why n
    if ! "$LABSH" up "$3" >"$tmp/up.out" 2>&1; then
        # The wipe at exit takes the lab's logs with it: print them now, and
        # name the cause in the one line a CI summary keeps.
        sed 's/^/# /' "$tmp/up.out"
        for n in "$root"/lab/node*; do
            [ -d "$n" ] || continue
            diag "${n##*/}: libvirtd's output and the end of its log:"
            tail -n 20 "$n/libvirtd.stdout" "$n/log/libvirtd.log" 2>/dev/null | sed 's/^/#   /'
        done
        why=$(grep -E 'error|did not|exited' "$tmp/up.out" | tail -n 1)
        skip_all "a private lab did not start after $((SECONDS - t0)) s: ${why:-lab.sh up $3 failed, see the log}"
    fi
    diag "private lab $2 ($3 nodes) up in $((SECONDS - t0)) s"
    . "$root/env"
    unset OS_CLOUD OS_AUTH_URL OS_CLIENT_CONFIG_FILE
    export HOME=$tmp
    sed "s#^state_dir = .*#state_dir = $tmp/state#" "$root/nova-evac.conf" >"$tmp/ne.conf"
    export NOVA_EVAC_CONFIG=$tmp/ne.conf
}
# private_lab_wipe: wipes the lab private_lab started (never the shared one).
private_lab_wipe() {
    [ -n "${_private_root:-}" ] || return 0
    NOVA_EVAC_LAB=$_private_root "$LABSH" wipe >/dev/null 2>&1
    rm -rf "$_private_root"
}
