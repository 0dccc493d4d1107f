#!/usr/bin/env bash
# Calls through the proxy: sipp registers a callee contact (our sipx-uas)
# with the co-located registrar, then sipp's uac scenario places calls to
# it through the proxy (INVITE/100/180/200, ACK and BYE routed by the
# Record-Route).  Zero failed calls on both sides.  Loopback only, free
# ports, only our own PIDs are signalled, every process is bounded.
#   run.sh BIN_DIR SHARED_DIR [CALLS]
set -euo pipefail
BIN=${1:?usage: run.sh BIN_DIR SHARED_DIR [CALLS]}
SHARED=${2:?usage: run.sh BIN_DIR SHARED_DIR [CALLS]}
CALLS=${3:-1000}
SC=$SHARED/bench/scenarios
for t in "$BIN/sipxecs" "$BIN/sipx-uas"; do
	[ -x "$t" ] || { echo "SKIP: $t not built"; exit 77; }
done
command -v sipp >/dev/null || { echo "SKIP: sipp missing"; exit 77; }
[ -f "$SC/uac.xml" ] || { echo "SKIP: $SC/uac.xml missing"; exit 77; }

W=$(mktemp -d "${TMPDIR:-/tmp}/sx_proxy_it.XXXXXX")
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
fail() { echo "FAIL: $*"; tail -20 "$W"/*.log "$W"/sipp.out 2>/dev/null | cut -c1-300; exit 1; }

free_port() {
	python3 -c 'import socket
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM);s.bind(("127.0.0.1",0))
t=socket.socket();t.bind(("127.0.0.1",s.getsockname()[1]));print(s.getsockname()[1])'
}
declare -A used=()
pick() { local p; p=$(free_port); while [ -n "${used[$p]:-}" ]; do p=$(free_port); done; used[$p]=1; echo "$p"; }
PORT=$(pick); RPORT=$(pick); UPORT=$(pick); SPORT=$(pick); CPORT=$(pick)
used[$PORT]=1; used[$RPORT]=1; used[$UPORT]=1; used[$SPORT]=1

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
[registrar]
port = $RPORT
authenticate = no
CONF

"$BIN/sipxecs" -c "$W/s.conf" >"$W/server.log" 2>&1 &
PIDS+=($!)
"$BIN/sipx-uas" -p "$UPORT" -t udp >"$W/uas.log" 2>&1 &
UAS=$!
PIDS+=("$UAS")
for _ in $(seq 1 100); do
	grep -q listening "$W/uas.log" 2>/dev/null && grep -q 'reload with' "$W/server.log" 2>/dev/null && break
	sleep 0.1
done
grep -q 'reload with' "$W/server.log" || fail "sipxecs did not start"

(cd "$W" && timeout 30 sipp -sf "$SC/reg-contact.xml" -key callee bob \
	-key regdomain 127.0.0.1 -key contact "sip:bob@127.0.0.1:$UPORT" \
	-key expires 600 -m 1 -i 127.0.0.1 -p "$SPORT" -nostdin \
	-timeout 20 -timeout_error "127.0.0.1:$PORT" >"$W/reg.out" 2>&1) ||
	fail "callee registration"

(cd "$W" && timeout 200 sipp -sf "$SC/uac.xml" -key callee bob -key uprefix a \
	-key regdomain 127.0.0.1 -key expires 600 -m "$CALLS" -r 200 -l 100 \
	-i 127.0.0.1 -p "$CPORT" -nostdin -timeout 150 -timeout_error \
	-trace_stat -stf stat.csv "127.0.0.1:$PORT" >"$W/sipp.out" 2>&1) || true
read -r ok failed < <(python3 - "$W/stat.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1]), delimiter=';'))
h, l = rows[0], rows[-1]
print(l[h.index('SuccessfulCall(C)')], l[h.index('FailedCall(C)')])
PY
)
kill -TERM "$UAS" 2>/dev/null || true
for _ in $(seq 1 100); do kill -0 "$UAS" 2>/dev/null || break; sleep 0.1; done
stats=$(grep 'invites=' "$W/uas.log" || true)
echo "sipp through the proxy: $ok ok, $failed failed of $CALLS"
echo "callee: $stats"
[ "$ok" = "$CALLS" ] && [ "$failed" = 0 ] || fail "calls through the proxy"
grep -q " completed=$CALLS " <<<"$stats" || fail "callee did not complete $CALLS calls"
echo "proxy integration: all passed"
