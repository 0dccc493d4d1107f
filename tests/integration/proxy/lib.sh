# shellcheck shell=bash
# lib.sh -- shared by the proxy integration scripts (sourced).
# A script is called as   SCRIPT BIN_DIR SHARED_DIR [ARGS...]
# and gets: $BIN, $SHARED, $SC (shared/bench scenarios), $MY (our
# scenarios), a temp dir $W removed at exit, and helpers that start
# sipxecs and sipp on free loopback ports.  Only PIDs we started are
# signalled; every sipp run is bounded by -m and -timeout.
set -euo pipefail
BIN=${1:?usage: SCRIPT BIN_DIR SHARED_DIR [ARGS]}
SHARED=${2:?usage: SCRIPT BIN_DIR SHARED_DIR [ARGS]}
shift 2
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SC=$SHARED/bench/scenarios
MY=$HERE/scenarios
DOMAIN=127.0.0.1

skip() { echo "SKIP: $*"; exit 77; }
[ -x "$BIN/sipxecs" ] || skip "$BIN/sipxecs not built"
command -v sipp >/dev/null || skip "sipp missing"
command -v python3 >/dev/null || skip "python3 missing"
[ -f "$SC/uac.xml" ] || skip "$SC/uac.xml missing"

W=$(mktemp -d "${TMPDIR:-/tmp}/sx_proxy_it.XXXXXX")
PIDS=()
cleanup() { # our own processes only: SIGTERM, bounded, then SIGKILL
	local p alive
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	for _ in $(seq 1 30); do
		alive=0
		for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
		[ $alive = 0 ] && break
		sleep 0.1
	done
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
	[ -n "${KEEP_WORKDIR:-}" ] || rm -rf "$W"
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*"
	local f
	for f in "$W"/server.log "$W"/*/screen.log "$W"/*/errors.log "$W"/*.out; do
		[ -s "$f" ] || continue
		echo "--- ${f#"$W"/}"
		tail -25 "$f" | cut -c1-300
	done
	exit 1
}

# ports N -> N distinct loopback ports, each free for UDP and TCP
ports() {
	python3 - "$1" <<'PY'
import socket, sys
held, out = [], []
while len(out) < int(sys.argv[1]):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    p = u.getsockname()[1]
    t = socket.socket()
    try:
        t.bind(("127.0.0.1", p))
    except OSError:
        u.close(); t.close(); continue
    held += [u, t]
    out.append(p)
print(" ".join(map(str, out)))
PY
}

# proxy_accepts KEY -> 0 when this build's [proxy] section knows KEY
proxy_accepts() {
	printf '[sip]\nport = 0\n[store]\npath = %s/probe.db\n[proxy]\n%s = no\n' \
		"$W" "$1" >"$W/probe.conf"
	"$BIN/sipxecs" -c "$W/probe.conf" --check-config >/dev/null 2>&1
}

# start_server PORT [CONF_LINES] -- sipxecs with registrar and proxy on
# 127.0.0.1:PORT (UDP and TCP), domain 127.0.0.1.  PROXY_AUTH=no (the
# default) adds "[proxy] authenticate = no" when the proxy has that key;
# PROXY_AUTH=default leaves authentication at the proxy's default.
# CONF_LINES go into [sip] (e.g. "t1 = 50").  [sip] workers = 2, or
# SX_TEST_WORKERS from the environment (to tell threading problems from
# others by hand).  Sets SERVER_PID and SERVER_PORT.
start_server() {
	local port=$1 extra=${2:-} proxy=""
	SERVER_PORT=$port
	if [ "${PROXY_AUTH:-no}" = no ] && proxy_accepts authenticate; then
		proxy="authenticate = no"
	fi
	cat >"$W/s.conf" <<-CONF
		[sip]
		bind = 127.0.0.1
		port = $port
		domain = $DOMAIN
		workers = ${SX_TEST_WORKERS:-2}
		$extra
		[store]
		path = $W/s.db
		[log]
		level = warn
		[registrar]
		port = 0
		authenticate = no
		[proxy]
		$proxy
	CONF
	"$BIN/sipxecs" -c "$W/s.conf" >"$W/server.log" 2>&1 &
	SERVER_PID=$!
	PIDS+=("$SERVER_PID")
	for _ in $(seq 1 50); do
		kill -0 "$SERVER_PID" 2>/dev/null || fail "sipxecs exited"
		(cd "$W" && sipp "127.0.0.1:$port" -sf "$SC/options.xml" -i 127.0.0.1 \
			-m 1 -timeout 2 -recv_timeout 500 -nostdin >/dev/null 2>&1) && return 0
		sleep 0.2
	done
	fail "sipxecs does not answer OPTIONS on 127.0.0.1:$port"
}

# register USER CONTACT [Q] -- bind CONTACT to USER@127.0.0.1 at the
# server started last (sipp over UDP)
register() {
	local d
	d=$(mktemp -d "$W/reg.XXXX")
	(cd "$d" && sipp -sf "$MY/register.xml" -key callee "$1" -key regdomain "$DOMAIN" \
		-key contact "$2" -key q "${3:-1.0}" -key expires 600 -m 1 -i 127.0.0.1 \
		-nostdin -timeout 15 -timeout_error "127.0.0.1:$SERVER_PORT" >"$d/sipp.out" 2>&1) ||
		fail "registration of $2 as $1"
}

# sipp_bg NAME ARGS... -- a sipp (UAS) in the background in $W/NAME;
# sets LAST_PID.  Wait for it with sipp_wait.
sipp_bg() {
	local name=$1
	shift
	mkdir -p "$W/$name"
	(cd "$W/$name" && exec sipp -i 127.0.0.1 -nostdin -trace_err -error_file errors.log \
		-trace_screen -screen_file screen.log "$@" >sipp.out 2>&1 </dev/null) &
	LAST_PID=$!
	PIDS+=("$LAST_PID")
}

# wait_listen PORT -- until something listens on UDP or TCP PORT (bounded)
wait_listen() {
	for _ in $(seq 1 50); do
		ss -Hlnut "sport = :$1" 2>/dev/null | grep -q . && return 0
		sleep 0.1
	done
	fail "nothing listens on port $1"
}

# sipp_fg NAME ARGS... -- a sipp (UAC) in the foreground in $W/NAME;
# returns sipp's status (0 = every call succeeded)
sipp_fg() {
	local name=$1
	shift
	mkdir -p "$W/$name"
	(cd "$W/$name" && exec sipp -i 127.0.0.1 -nostdin -trace_err -error_file errors.log \
		-trace_screen -screen_file screen.log "$@" >sipp.out 2>&1 </dev/null)
}

# sipp_wait PID WHAT -- the background sipp PID must end successfully
sipp_wait() {
	local rc=0
	wait "$1" || rc=$?
	[ "$rc" = 0 ] || fail "$2 (sipp status $rc)"
}

# final_scenario CODE [ROUTE] -> path of uac-final.xml expecting CODE,
# with a Route header field ROUTE (a name-addr) when given
final_scenario() {
	local out=$W/uac-final-$1.xml
	if [ -n "${2:-}" ]; then
		sed -e "s/@CODE@/$1/g" -e "s|@ROUTE@|Route: $2|" "$MY/uac-final.xml" >"$out"
	else
		sed -e "s/@CODE@/$1/g" -e '/@ROUTE@/d' "$MY/uac-final.xml" >"$out"
	fi
	echo "$out"
}

# reject_scenario CODE REASON -> path of uas-reject.xml answering CODE REASON
reject_scenario() {
	local out=$W/uas-reject-$1.xml
	sed -e "s/@CODE@/$1/g" -e "s/@REASON@/$2/g" "$MY/uas-reject.xml" >"$out"
	echo "$out"
}

# cdr_expect COUNT TERMINATION [FAILURE_STATUS] -- the cdr service (on by
# default in the server started last) wrote exactly COUNT CDRs, each with
# that termination (and failure status), no call twice; waits (bounded)
# for its polling to catch up
cdr_expect() {
	local want=$1 term=$2 status=${3:-} out=$W/cdr.csv
	[ -x "$BIN/sipxctl" ] || skip "$BIN/sipxctl not built"
	for _ in $(seq 1 100); do
		"$BIN/sipxctl" -c "$W/s.conf" cdr list --format csv >"$out" 2>"$W/cdr.err" || true
		[ $(($(wc -l <"$out") - 1)) -ge "$want" ] && break
		sleep 0.2
	done
	python3 - "$out" "$want" "$term" "$status" <<'PY' || fail "CDRs: want $want $term $status"
import collections, csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline='')))
want, term, status = int(sys.argv[2]), sys.argv[3], sys.argv[4]
dups = [i for i, n in collections.Counter(r['call_id'] for r in rows).items() if n > 1]
bad = [r for r in rows if r['termination'] != term or not r['start'] or not r['end']
       or (status and r['failure_status'] != status)
       or (term == 'completed' and not r['connect'])]
print(f"CDRs: {len(rows)} (want {want} {term} {status}), duplicates {len(dups)}, bad {len(bad)}")
for r in bad[:3]:
    print("  bad:", dict(r))
sys.exit(0 if len(rows) == want and not dups and not bad else 1)
PY
}
