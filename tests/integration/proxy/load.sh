#!/usr/bin/env bash
# Many calls through the proxy over one transport, zero failures:
#   load.sh BIN_DIR SHARED_DIR TRANSPORT CALLS RATE
# TRANSPORT udp or tcp (sipp -t u1 / t1: one socket each side).  The
# callee is sipp's uas.xml (shared/bench) registered as bob@127.0.0.1
# with ;transport=TRANSPORT, the caller sipp's uac.xml registered as
# alice; the caller places CALLS calls at RATE calls/s (INVITE / 100 /
# 180 / 200, ACK and BYE by the Record-Route).  Every call must succeed
# on both sides.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
TP=${1:?usage: load.sh BIN SHARED udp|tcp CALLS RATE}
CALLS=${2:?calls}
RATE=${3:?rate}
case "$TP" in
udp) T=u1 ;;
tcp) T=t1 ;;
*) echo "transport udp or tcp" >&2; exit 2 ;;
esac
# bound: the calls at RATE plus slack for a slow (sanitizer) build
LIMIT_S=$((CALLS / RATE + 60))

read -r PORT UAS UAC < <(ports 3)
start_server "$PORT"
sipp_bg callee -sf "$SC/uas.xml" -t "$T" -p "$UAS" -m "$CALLS" -timeout $((LIMIT_S + 10)) \
	-timeout_error -trace_stat -stf stat.csv
CALLEE_PID=$LAST_PID
wait_listen "$UAS"
register bob "sip:bob@127.0.0.1:$UAS;transport=$TP"
register alice "sip:alice@127.0.0.1:$UAC;transport=$TP"

t0=$SECONDS
sipp_fg caller -sf "$SC/uac.xml" -t "$T" -p "$UAC" -key callee bob -key uprefix a \
	-key regdomain "$DOMAIN" -key expires 600 -m "$CALLS" -r "$RATE" -l $((RATE * 2)) \
	-timeout "$LIMIT_S" -timeout_error -trace_stat -stf stat.csv "127.0.0.1:$PORT" || true
secs=$((SECONDS - t0))
read -r ok failed < <(python3 - "$W/caller/stat.csv" <<'PY'
import csv, sys
try:
    rows = list(csv.reader(open(sys.argv[1]), delimiter=';'))
    h, l = rows[0], rows[-1]
    print(l[h.index('SuccessfulCall(C)')], l[h.index('FailedCall(C)')])
except (OSError, IndexError, ValueError):
    print(0, 0)
PY
)
echo "$TP: $ok ok, $failed failed of $CALLS calls at $RATE/s in ${secs}s"
[ "$ok" = "$CALLS" ] && [ "$failed" = 0 ] || fail "calls through the proxy over $TP"
sipp_wait "$CALLEE_PID" "callee did not complete $CALLS calls over $TP"
cdr_expect "$CALLS" completed
echo "proxy load $TP: passed"
