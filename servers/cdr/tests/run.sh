#!/usr/bin/env bash
# CDRs of calls through the proxy (SIPXECS-REFERENCE.md 1.2): sipxecs runs
# proxy + registrar + cdr; sipp registers our sipx-uas as the callee and
# places calls through the proxy (INVITE/200/ACK/BYE).  `sipxctl cdr list
# --format csv` must then hold exactly one "completed" CDR per call.  The
# server is then killed with SIGKILL and restarted: after a second batch
# every call still has exactly one CDR (restart safety).  Loopback only,
# free ports, only our own PIDs are signalled, every wait is bounded.
#   run.sh BIN_DIR SHARED_DIR [CALLS]
set -euo pipefail
BIN=${1:?usage: run.sh BIN_DIR SHARED_DIR [CALLS]}
SHARED=${2:?usage: run.sh BIN_DIR SHARED_DIR [CALLS]}
CALLS=${3:-40}
SC=$SHARED/bench/scenarios
for t in "$BIN/sipxecs" "$BIN/sipxctl" "$BIN/sipx-uas"; do
	[ -x "$t" ] || { echo "SKIP: $t not built"; exit 77; }
done
command -v sipp >/dev/null || { echo "SKIP: sipp missing"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 missing"; exit 77; }
[ -f "$SC/uac.xml" ] || { echo "SKIP: $SC/uac.xml missing"; exit 77; }

W=$(mktemp -d "${TMPDIR:-/tmp}/sx_cdr_it.XXXXXX")
PIDS=()
cleanup() { # our own processes only: SIGTERM, bounded, then SIGKILL
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	for _ in $(seq 1 30); do
		alive=0
		for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
		[ $alive = 0 ] && break
		sleep 0.1
	done
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
	rm -rf "$W"
}
trap cleanup EXIT
fail() {
	echo "FAIL: $*"
	tail -20 "$W"/*.log "$W"/*.out "$W"/cdr.csv 2>/dev/null | cut -c1-300
	exit 1
}

free_port() {
	python3 -c 'import socket
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM);s.bind(("127.0.0.1",0))
t=socket.socket();t.bind(("127.0.0.1",s.getsockname()[1]));print(s.getsockname()[1])'
}
declare -A used=()
pick() { local p; p=$(free_port); while [ -n "${used[$p]:-}" ]; do p=$(free_port); done; used[$p]=1; echo "$p"; }
PORT=$(pick); RPORT=$(pick); UPORT=$(pick); SPORT=$(pick); CPORT=$(pick)

cat >"$W/s.conf" <<CONF
[sip]
bind = 127.0.0.1
port = $PORT
domain = 127.0.0.1
workers = 2
[store]
path = $W/s.db
[log]
level = warn
[services]
enable = registrar,proxy,cdr
[registrar]
port = $RPORT
authenticate = no
[cdr]
poll_ms = 100
CONF

SERVER=
start_server() {
	"$BIN/sipxecs" -c "$W/s.conf" >>"$W/server.log" 2>&1 &
	SERVER=$!
	PIDS+=("$SERVER")
	for _ in $(seq 1 100); do
		[ "$(grep -c 'reload with' "$W/server.log" 2>/dev/null)" -ge "$1" ] && return 0
		sleep 0.1
	done
	fail "sipxecs did not start"
}

start_server 1
"$BIN/sipx-uas" -p "$UPORT" -t udp >"$W/uas.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do
	grep -q listening "$W/uas.log" 2>/dev/null && break
	sleep 0.1
done

register() {
	(cd "$W" && timeout 30 sipp -sf "$SC/reg-contact.xml" -key callee bob \
		-key regdomain 127.0.0.1 -key contact "sip:bob@127.0.0.1:$UPORT" \
		-key expires 600 -m 1 -i 127.0.0.1 -p "$SPORT" -nostdin \
		-timeout 20 -timeout_error "127.0.0.1:$PORT" >"$W/reg.out" 2>&1) ||
		fail "callee registration"
}

# calls BATCH: CALLS calls from users a<BATCH>-<n>; all must succeed
calls() {
	rm -f "$W/stat.csv"
	(cd "$W" && timeout 60 sipp -sf "$SC/uac.xml" -key callee bob \
		-key uprefix "b$1-" -key regdomain 127.0.0.1 -key expires 600 \
		-m "$CALLS" -r 50 -l 20 -i 127.0.0.1 -p "$CPORT" -nostdin \
		-timeout 50 -timeout_error -trace_stat -stf stat.csv \
		"127.0.0.1:$PORT" >"$W/sipp.out" 2>&1) || true
	read -r ok failed < <(python3 - "$W/stat.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1]), delimiter=';'))
h, l = rows[0], rows[-1]
print(l[h.index('SuccessfulCall(C)')], l[h.index('FailedCall(C)')])
PY
	)
	echo "batch $1: $ok ok, $failed failed of $CALLS"
	[ "$ok" = "$CALLS" ] && [ "$failed" = 0 ] || fail "calls of batch $1"
}

# check WANT: wait (bounded) until the CSV holds WANT CDRs, then check
# them: one per Call-ID, all completed, connected and ended, internal.
check() {
	local n=0
	for _ in $(seq 1 100); do
		"$BIN/sipxctl" -c "$W/s.conf" cdr list --format csv >"$W/cdr.csv" 2>>"$W/ctl.log" ||
			fail "sipxctl cdr list"
		n=$(($(wc -l <"$W/cdr.csv") - 1))
		[ "$n" -ge "$1" ] && break
		sleep 0.1
	done
	python3 - "$W/cdr.csv" "$1" <<'PY' || fail "CDRs: expected $1"
import csv, sys, collections
rows = list(csv.DictReader(open(sys.argv[1], newline='')))
want = int(sys.argv[2])
ids = collections.Counter(r['call_id'] for r in rows)
dups = [i for i, n in ids.items() if n > 1]
bad = [r for r in rows if r['termination'] != 'completed' or not r['connect']
       or not r['end'] or r['direction'] != 'internal'
       or not r['caller'].startswith('sip:b') or r['callee'] != 'sip:bob@127.0.0.1']
print(f"CDRs: {len(rows)} (want {want}), duplicates {len(dups)}, bad {len(bad)}")
for r in bad[:3]:
    print("  bad:", r)
sys.exit(0 if len(rows) == want and not dups and not bad else 1)
PY
}

register
calls 1
check "$CALLS"

# kill -9 and restart: nothing lost, nothing written twice
kill -9 "$SERVER"
wait "$SERVER" 2>/dev/null || true
start_server 2
register
calls 2
check $((CALLS * 2))
"$BIN/sipxctl" -c "$W/s.conf" cdr list --format json | python3 -c '
import json, sys; a = json.load(sys.stdin); assert isinstance(a, list)' ||
	fail "sipxctl cdr list --format json is not a JSON array"
# a clean stop: the final resolver round, no sanitizer report
kill -TERM "$SERVER"
for _ in $(seq 1 100); do kill -0 "$SERVER" 2>/dev/null || break; sleep 0.1; done
kill -0 "$SERVER" 2>/dev/null && fail "sipxecs did not stop on SIGTERM"
grep -q Sanitizer "$W/server.log" && fail "sanitizer report in the server log"
echo "cdr integration: all passed"
