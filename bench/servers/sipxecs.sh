#!/usr/bin/env bash
# Server adapter: sipxecs for the shared SIP load harness (../shared/bench,
# interface of its servers/template.sh).  Used by bench/bench-register.sh; also
# works as a drop-in servers/sipxecs.sh of a copy of the harness (run-suite.sh).
#
#   sipxecs.sh start <role> <host:port> <workdir>  write a configuration into <workdir>,
#                                                  start build/.../bin/sipxecs in the
#                                                  foreground, wait until it answers
#                                                  OPTIONS, print its PID
#   sipxecs.sh stop <pid>                          SIGTERM (clean shutdown), then SIGKILL
#   sipxecs.sh stats <pid> <host:port>             bindings=N (sipxctl reg list --count)
#   sipxecs.sh version                             one line
# Roles:
#   registrar       REGISTER -> 200, [registrar] authenticate = no
#   registrar-auth  digest authentication (401, then 200); the users must exist:
#                   SX_USERS_CSV names a "name,password" file imported with
#                   `sipxctl user import` before the server starts
#   proxy-location  the proxy with the co-located registrar, no authentication
#                   ([proxy] authenticate = no when the build has the key): calls
#                   are routed by the bindings (register the callee first, like
#                   Kamailio's proxy.cfg -A WITH_LOCATION)
#   proxy           the same, and the callee "service" is registered here with
#                   $UAS_HOSTPORT as its contact (the template's fixed next hop)
# Domain and realm = the listen host (127.0.0.1), as the template asks.
# Every role gets a fresh database in <workdir>/db-<role>/ (bindings are persisted
# there: SQLite WAL, synchronous=FULL, group commit before the 200).
#
# Environment:
#   SX_BUILD       build folder with bin/sipxecs and bin/sipxctl (default <repo>/build/release)
#   SX_WORKERS     [sip] workers, default 1 (one event-loop thread; the server is pinned
#                  to one core, where more threads add no capacity)
#   SX_UDP_RCVBUF  [sip] udp_rcvbuf, default 4194304 (Kamailio's maxbuffer in the harness)
#   SX_USERS_CSV   users for registrar-auth (see above)
#   UAS_HOSTPORT   callee contact of the proxy role, default 127.0.0.1:5070
#   SX_HARNESS     the shared harness (default: ../lib beside this script when it sits
#                  in a harness copy, else <repo>/../shared/bench)
#   SERVER_CPUS    taskset CPU list for the server, default 1; empty = no pinning
#   SERVER_NICE    nice value for the server (e.g. -10), default: unchanged
#   SX_MALLOC_TUNE yes (default) runs the server with MALLOC_ARENA_MAX=1
#                  GLIBC_TUNABLES=glibc.malloc.hugetlb=1, as the shipped process
#                  definition (etc/process.d/sipxecs.conf) deploys it (see
#                  bench/RESULTS.md, registrar); no = glibc defaults
#   SX_COMMIT_INTERVAL_MS  [store] commit_interval_ms, default: the shipped default
set -u
SELF_DIR=$(cd "$(dirname "$0")" && pwd)
if [ -z "${SX_HARNESS:-}" ]; then
	if [ -f "$SELF_DIR/../lib/common.sh" ]; then
		SX_HARNESS=$SELF_DIR/..
	else
		SX_HARNESS=$SELF_DIR/../../../shared/bench
	fi
fi
BENCH_DIR=$(cd "$SX_HARNESS" && pwd) || { echo "sipxecs.sh: no harness at $SX_HARNESS" >&2; exit 2; }
# shellcheck source=/dev/null
. "$BENCH_DIR/lib/common.sh"

SX_BUILD=${SX_BUILD:-$SELF_DIR/../../build/release}
SX_WORKERS=${SX_WORKERS:-1}
SX_UDP_RCVBUF=${SX_UDP_RCVBUF:-4194304}
SX_USERS_CSV=${SX_USERS_CSV:-}
SERVER_CPUS=${SERVER_CPUS-1}
UAS_HOSTPORT=${UAS_HOSTPORT:-127.0.0.1:5070}
SIPXECS=$SX_BUILD/bin/sipxecs
SIPXCTL=$SX_BUILD/bin/sipxctl

# write_conf ROLE HOST PORT WORKDIR -> path of the configuration file
write_conf() {
	local role=$1 host=$2 port=$3 workdir=$4 auth conf db
	local services=registrar proxy_auth=""
	case "$role" in
	registrar) auth=no ;;
	registrar-auth) auth=yes ;;
	proxy | proxy-location)
		auth=no services=registrar,proxy,cdr
		proxy_accepts_auth && proxy_auth="[proxy]
authenticate = no"
		;;
	*) return 1 ;;
	esac
	conf=$workdir/sipxecs-$role.conf
	db=$workdir/db-$role
	rm -rf "$db" && mkdir -p "$db" || return 1
	cat >"$conf" <<-CONF
		# written by bench/servers/sipxecs.sh for the load harness
		[sip]
		bind = $host
		port = $port
		tcp = no
		domain = $host
		realm = $host
		workers = $SX_WORKERS
		udp_rcvbuf = $SX_UDP_RCVBUF

		[store]
		path = $db/sipxecs.db
		${SX_COMMIT_INTERVAL_MS:+commit_interval_ms = $SX_COMMIT_INTERVAL_MS}

		[log]
		level = warn

		[services]
		enable = $services

		[registrar]
		# no port of its own: the registrar serves the main port only
		port = 0
		authenticate = $auth
		md5_first = yes
		max_expires = 7200

		$proxy_auth
	CONF
	echo "$conf"
}

# proxy_accepts_auth -> 0 when this build's proxy has [proxy] authenticate
proxy_accepts_auth() {
	local probe
	probe=$(mktemp) || return 1
	printf '[sip]\nport = 0\n[proxy]\nauthenticate = no\n' >"$probe"
	"$SIPXECS" -c "$probe" --check-config >/dev/null 2>&1
	local rc=$?
	rm -f "$probe"
	return $rc
}

# register_service HOST:PORT: bind "service" to $UAS_HOSTPORT (role proxy)
register_service() {
	local d rc
	d=$(mktemp -d) || return 1
	(cd "$d" && timeout 20 sipp "$1" -sf "$BENCH_DIR/scenarios/reg-contact.xml" -i 127.0.0.1 \
		-key callee service -key regdomain "${1%:*}" -key contact "sip:service@$UAS_HOSTPORT" \
		-key expires 3600 -m 1 -timeout 10 -timeout_error -nostdin >/dev/null 2>&1)
	rc=$?
	rm -rf "$d"
	return $rc
}

# conf_of PID -> the -c argument of a running sipxecs
conf_of() {
	tr '\0' '\n' <"/proc/$1/cmdline" 2>/dev/null | awk 'prev == "-c" { print; exit } { prev = $0 }'
}

cmd=${1:-}; shift || true
case "$cmd" in
start)
	role=${1:?role}; hostport=${2:?host:port}; workdir=${3:?workdir}
	[ -x "$SIPXECS" ] && [ -x "$SIPXCTL" ] || die "sipxecs not built in $SX_BUILD"
	mkdir -p "$workdir" && workdir=$(cd "$workdir" && pwd) || die "cannot create $workdir"
	if ss -Hlun "sport = :${hostport##*:}" 2>/dev/null | grep -q .; then
		die "UDP port ${hostport##*:} is already in use (another server running?)"
	fi
	conf=$(write_conf "$role" "${hostport%:*}" "${hostport##*:}" "$workdir") ||
		die "sipxecs adapter: unknown role '$role'"
	"$SIPXECS" -c "$conf" --check-config >&2 || die "bad configuration $conf"
	if [ "$role" = registrar-auth ]; then
		[ -n "$SX_USERS_CSV" ] || die "registrar-auth needs SX_USERS_CSV (name,password lines)"
		"$SIPXCTL" -c "$conf" user import "$SX_USERS_CSV" >&2 || die "user import failed"
	fi
	pin=()
	[ -n "${SERVER_NICE:-}" ] && pin+=(nice -n "$SERVER_NICE")
	[ -n "$SERVER_CPUS" ] && pin+=(taskset -c "$SERVER_CPUS")
	# one malloc arena (the brk heap, grown 128 KiB at a time, where a
	# thread arena makes one mprotect() per 4 KiB page) on transparent
	# huge pages: the heap grows while Timer J keeps the transactions
	case "$role:${SX_MALLOC_TUNE:-yes}" in
	*:yes) pin=(env MALLOC_ARENA_MAX=1 GLIBC_TUNABLES=glibc.malloc.hugetlb=1 "${pin[@]}") ;;
	esac
	# exec all the way down (nice, taskset exec too): $! is the server's PID
	(exec "${pin[@]}" "$SIPXECS" -c "$conf" >"$workdir/sipxecs-$role.log" 2>&1 </dev/null) &
	pid=$!
	if ! sip_ping "$hostport" 20; then
		tail -20 "$workdir/sipxecs-$role.log" >&2
		stop_tree "$pid"
		die "sipxecs ($role) did not answer on $hostport"
	fi
	if [ "$role" = proxy ] && ! register_service "$hostport"; then
		stop_tree "$pid"
		die "cannot register the callee service -> $UAS_HOSTPORT"
	fi
	echo "$pid"
	;;
stop)
	stop_tree "${1:?pid}"
	;;
stats)
	conf=$(conf_of "${1:?pid}")
	[ -n "$conf" ] || exit 0
	"$SIPXCTL" -c "$conf" reg list --count 2>/dev/null | awk 'NR == 1 && $1 ~ /^[0-9]+$/ { print "bindings=" $1 }'
	;;
version)
	"$SIPXECS" -V 2>/dev/null | head -1
	;;
*)
	echo "usage: $0 start <role> <host:port> <workdir> | stop <pid> | stats <pid> <host:port> | version" >&2
	exit 2
	;;
esac
