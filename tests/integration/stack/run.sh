#!/usr/bin/env bash
# Transports and transactions with real peers (RFC 3261 17, 18, 13, 9,
# 22; RFC 6026): sipp's built-in uac against sipx-uas over UDP and TCP
# (10,000 calls each) and over UDP with 5 % loss (completion through
# retransmissions), sipx-uac against sipp's built-in uas, digest auth
# against a challenging sipp scenario, CANCEL and 486, TLS between our
# UAC and UAS with certificates made here (and a handshake failure with
# an untrusted certificate), and two workers per side (responses handed
# between workers).
#
# Usage: run.sh CASE BIN_DIR WORK_DIR.  Exit 0 = pass, 77 = skipped
# (sipp or openssl missing), else fail.  Loopback only, ports picked by
# the kernel (the UAS listens on port 0 and prints its ports), only our
# own PIDs are signalled, every process runs under a timeout.
set -euo pipefail
CASE=${1:?usage: run.sh CASE BIN_DIR WORK_DIR}
BIN=${2:?usage: run.sh CASE BIN_DIR WORK_DIR}
WORK=${3:?usage: run.sh CASE BIN_DIR WORK_DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
UAS=$BIN/sipx-uas
UAC=$BIN/sipx-uac
CALLS=${STACK_CALLS:-10000}
LOST_CALLS=${STACK_LOST_CALLS:-1000}
UAC_CALLS=${STACK_UAC_CALLS:-2000}

for t in "$UAS" "$UAC"; do
	[ -x "$t" ] || { echo "SKIP: $t not built"; exit 77; }
done
command -v sipp >/dev/null || { echo "SKIP: sipp (Debian sip-tester) missing"; exit 77; }

mkdir -p "$WORK"
W=$(mktemp -d "$WORK/$CASE.XXXXXX")
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*"
	for f in "$W"/*.out "$W"/*.err; do
		[ -s "$f" ] && { echo "--- $f"; tail -8 "$f" | cut -c1-300; }
	done
	exit 1
}

# start_uas NAME ARGS...: sipx-uas on port 0; sets UAS_PID, UDP, TCP, TLS
start_uas() {
	local name=$1
	shift
	timeout --foreground 600 "$UAS" -p 0 --tls-port 0 "$@" >"$W/$name.out" 2>"$W/$name.err" &
	UAS_PID=$!
	PIDS+=("$UAS_PID")
	for _ in $(seq 1 300); do
		grep -q listening "$W/$name.out" 2>/dev/null && break
		kill -0 "$UAS_PID" 2>/dev/null || fail "sipx-uas exited at start"
		sleep 0.1
	done
	local line
	line=$(grep listening "$W/$name.out") || fail "sipx-uas not ready in 30 s"
	UDP=$(sed -n 's/.* udp=127\.0\.0\.1:\([0-9]*\).*/\1/p' <<<"$line")
	TCP=$(sed -n 's/.* tcp=127\.0\.0\.1:\([0-9]*\).*/\1/p' <<<"$line")
	TLS=$(sed -n 's/.* tls=127\.0\.0\.1:\([0-9]*\).*/\1/p' <<<"$line")
}

# stop_uas NAME: SIGTERM (bounded), the counters line into UAS_STATS
stop_uas() {
	kill -TERM "$UAS_PID" 2>/dev/null || true
	for _ in $(seq 1 100); do kill -0 "$UAS_PID" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$UAS_PID" 2>/dev/null || true
	local rc=0
	wait "$UAS_PID" 2>/dev/null || rc=$?
	[ "$rc" = 0 ] || fail "sipx-uas exit status $rc"
	UAS_STATS=$(grep 'sipx-uas: invites=' "$W/$1.out" || true)
	[ -n "$UAS_STATS" ] || fail "sipx-uas printed no counters"
	echo "$UAS_STATS"
}

uas_count() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$UAS_STATS"; }

# sipp_uac NAME CALLS TIMEOUT ARGS...: sipp's built-in uac; sets OK FAILED
sipp_uac() {
	local name=$1 m=$2 to=$3
	shift 3
	local rc=0
	(cd "$W" && timeout $((to + 30)) sipp -sn uac -m "$m" -timeout "$to" \
		-timeout_error -i 127.0.0.1 -p 0 -nostdin -trace_stat \
		-stf "$name.csv" "$@" >"$name.sipp.out" 2>"$name.sipp.err" \
		</dev/null) || rc=$?
	stat_counts "$W/$name.csv"
	echo "sipp $name: exit $rc, successful $OK, failed $FAILED of $m"
}

stat_counts() {
	[ -s "$1" ] || fail "sipp wrote no statistics ($1)"
	local ok failed
	ok=$(head -1 "$1" | tr ';' '\n' | grep -n '^SuccessfulCall(C)$' | cut -d: -f1)
	failed=$(head -1 "$1" | tr ';' '\n' | grep -n '^FailedCall(C)$' | cut -d: -f1)
	OK=$(tail -1 "$1" | cut -d';' -f"$ok")
	FAILED=$(tail -1 "$1" | cut -d';' -f"$failed")
}

# sipp_uas NAME SCENARIO-ARGS...: sipp as a UAS on a free port; sets
# SIPP_PID and SIPP_PORT
sipp_uas() {
	local name=$1
	shift
	SIPP_PORT=$(python3 -c 'import socket
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM);s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
	(cd "$W" && exec timeout 300 sipp "$@" -i 127.0.0.1 -p "$SIPP_PORT" \
		-nostdin -trace_stat -stf "$name.csv" >"$name.sipp.out" \
		2>"$name.sipp.err" </dev/null) &
	SIPP_PID=$!
	PIDS+=("$SIPP_PID")
	sleep 0.5
}

wait_pid() { # PID SECONDS: bounded wait for a process we started
	for _ in $(seq 1 $(($2 * 10))); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# run_uac NAME ARGS...: our UAC; sets UAC_RC, output in NAME.out/.err
run_uac() {
	local name=$1
	shift
	UAC_RC=0
	timeout 300 "$UAC" "$@" >"$W/$name.out" 2>"$W/$name.err" || UAC_RC=$?
	cat "$W/$name.out"
}

make_pki() { # CA, server certificate for sipx.test, untrusted self-signed
	command -v openssl >/dev/null || { echo "SKIP: openssl missing"; exit 77; }
	local d=$W/pki
	mkdir -p "$d"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/ca.key" \
		-out "$d/ca.pem" -days 2 -subj "/CN=sipx test CA" 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -keyout "$d/srv.key" \
		-out "$d/srv.csr" -subj "/CN=sipx.test" 2>/dev/null
	printf 'subjectAltName=DNS:sipx.test\nextendedKeyUsage=serverAuth\n' >"$d/ext.cnf"
	openssl x509 -req -in "$d/srv.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
		-CAcreateserial -out "$d/srv.pem" -days 2 -extfile "$d/ext.cnf" 2>/dev/null
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/bad.key" \
		-out "$d/bad.pem" -days 2 -subj "/CN=sipx.test" \
		-addext "subjectAltName=DNS:sipx.test" 2>/dev/null
}

t0=$(date +%s.%N)
case $CASE in
sipp_uac_udp | sipp_uac_tcp)
	# sipp built-in uac -> sipx-uas, zero failed calls
	tp=(); [ "$CASE" = sipp_uac_tcp ] && tp=(-t t1)
	start_uas uas
	port=$UDP; [ "$CASE" = sipp_uac_tcp ] && port=$TCP
	sipp_uac uac "$CALLS" 120 "${tp[@]}" -r 1000 -l 200 127.0.0.1:"$port"
	stop_uas uas
	[ "$OK" = "$CALLS" ] && [ "$FAILED" = 0 ] || fail "sipp: $OK ok, $FAILED failed"
	[ "$(uas_count completed)" = "$CALLS" ] || fail "uas completed $(uas_count completed)"
	;;
sipp_uac_lost)
	# 5 % of sipp's messages lost: both sides' retransmissions finish
	# every call (RFC 3261 17.1.1.2, 17.2.1, 13.3.1.4)
	start_uas uas
	sipp_uac uac "$LOST_CALLS" 150 -lost 5 -r 500 -l 400 127.0.0.1:"$UDP"
	stop_uas uas
	[ "$OK" = "$LOST_CALLS" ] && [ "$FAILED" = 0 ] || fail "sipp: $OK ok, $FAILED failed"
	[ "$(uas_count retrans_2xx)" -gt 0 ] || fail "no 2xx retransmission seen"
	;;
uac_sipp_uas)
	# sipx-uac -> sipp built-in uas
	sipp_uas uas -sn uas -m "$UAC_CALLS"
	run_uac uac -n "$UAC_CALLS" -c 100 -r 1000 -T 120 127.0.0.1:"$SIPP_PORT"
	wait_pid "$SIPP_PID" 30
	stat_counts "$W/uas.csv"
	echo "sipp uas: successful $OK, failed $FAILED"
	[ "$UAC_RC" = 0 ] || fail "sipx-uac exit $UAC_RC"
	grep -q "successful=$UAC_CALLS failed=0" "$W/uac.out" || fail "uac counts"
	[ "$OK" = "$UAC_CALLS" ] && [ "$FAILED" = 0 ] || fail "sipp uas: $OK ok, $FAILED failed"
	;;
uac_auth)
	# digest after 401 (RFC 3261 22.2) against sipp's verifyauth; a wrong
	# password ends in 403 and a non-zero exit
	sipp_uas uas -sf "$HERE/uas_auth.xml" -m 200
	run_uac uac -u alice -P secret -n 200 -c 20 -T 60 127.0.0.1:"$SIPP_PORT"
	wait_pid "$SIPP_PID" 30
	[ "$UAC_RC" = 0 ] || fail "sipx-uac with the right password: exit $UAC_RC"
	sipp_uas bad -sf "$HERE/uas_auth.xml" -m 1
	run_uac uacbad -u alice -P wrong -n 1 -T 30 127.0.0.1:"$SIPP_PORT"
	wait_pid "$SIPP_PID" 30
	[ "$UAC_RC" = 1 ] || fail "wrong password: exit $UAC_RC, want 1"
	grep -q "failed: INVITE answered 403" "$W/uacbad.err" || fail "no 403 reported"
	;;
cancel_486)
	# CANCEL (RFC 3261 9): UAS never answers, UAC cancels after the 180,
	# expects 487 - over UDP and TCP; then 486 makes every call fail
	start_uas uas -A none
	run_uac cu -C -n 200 -c 20 -T 60 127.0.0.1:"$UDP"
	[ "$UAC_RC" = 0 ] || fail "cancel over UDP: exit $UAC_RC"
	run_uac ct -t tcp -C -n 200 -c 20 -T 60 127.0.0.1:"$TCP"
	[ "$UAC_RC" = 0 ] || fail "cancel over TCP: exit $UAC_RC"
	stop_uas uas
	[ "$(uas_count cancelled)" = 400 ] || fail "uas cancelled $(uas_count cancelled)"
	start_uas busy -A 486
	run_uac b -n 20 -c 5 -T 60 127.0.0.1:"$UDP"
	stop_uas busy
	[ "$UAC_RC" = 1 ] || fail "486: exit $UAC_RC, want 1"
	grep -q "successful=0 failed=20" "$W/b.out" || fail "486 counts"
	[ "$(uas_count rejected)" = 20 ] || fail "uas rejected $(uas_count rejected)"
	;;
tls)
	# TLS (RFC 5922): certificates made now; a verified call by name,
	# then an untrusted certificate and a wrong name must fail clearly
	make_pki
	start_uas uas -t udp,tls --cert "$W/pki/srv.pem" --key "$W/pki/srv.key"
	run_uac ok -t tls --ca "$W/pki/ca.pem" --tls-name sipx.test -n 20 -c 5 -T 60 127.0.0.1:"$TLS"
	[ "$UAC_RC" = 0 ] || fail "TLS call: exit $UAC_RC"
	run_uac name -t tls --ca "$W/pki/ca.pem" --tls-name other.test -n 1 -T 30 127.0.0.1:"$TLS"
	[ "$UAC_RC" = 1 ] || fail "wrong name: exit $UAC_RC, want 1"
	grep -q "TLS handshake with .* failed" "$W/name.err" || fail "no TLS message for a wrong name"
	stop_uas uas
	[ "$(uas_count completed)" = 20 ] || fail "uas completed $(uas_count completed)"
	start_uas bad -t tls --cert "$W/pki/bad.pem" --key "$W/pki/bad.key"
	run_uac bad -t tls --ca "$W/pki/ca.pem" --tls-name sipx.test -n 1 -T 30 127.0.0.1:"$TLS"
	stop_uas bad
	[ "$UAC_RC" = 1 ] || fail "untrusted certificate: exit $UAC_RC, want 1"
	grep -q "TLS handshake with .* failed" "$W/bad.err" || fail "no TLS message for a bad certificate"
	grep "TLS handshake" "$W/bad.err" | head -1
	;;
workers)
	# two workers per side sharing one UDP port (SO_REUSEPORT): replies
	# reach one UAC socket and are handed to the owning worker
	start_uas uas -w 2
	run_uac uac -w 2 -n "$UAC_CALLS" -c 100 -T 120 127.0.0.1:"$UDP"
	stop_uas uas
	[ "$UAC_RC" = 0 ] || fail "sipx-uac -w 2: exit $UAC_RC"
	h=$(sed -n 's/.*handovers=\([0-9]*\).*/\1/p' "$W/uac.out")
	[ "${h:-0}" -gt 0 ] || fail "no response was handed between workers"
	[ "$(uas_count completed)" = "$UAC_CALLS" ] || fail "uas completed $(uas_count completed)"
	;;
*)
	echo "unknown case $CASE"
	exit 2
	;;
esac
echo "stack.$CASE: passed in $(python3 -c "print('%.1f' % ($(date +%s.%N) - $t0))") s"
rm -rf "$W"
