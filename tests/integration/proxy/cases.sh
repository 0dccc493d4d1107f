#!/usr/bin/env bash
# Call cases through the proxy with sipp on both sides (issue 5):
#   cases.sh BIN_DIR SHARED_DIR CASE
#   cancel        the caller CANCELs after 180: 200 (CANCEL) + 487, and the
#                 callee gets the CANCEL and answers 487
#   busy          the callee answers 486: the caller gets 486
#   unknown       the callee is no user of ours: the caller gets 404
#   unregistered  the callee is a user (sipxctl user add) without a
#                 binding: the caller gets 480
#   no-answer     the callee never answers (not even 100): the proxy's
#                 branch times out (Timer B = 64*T1, T1 = 50 ms here) and
#                 the caller gets 408
#   ring-timeout  the callee rings and never answers: Timer C (181 s, not
#                 configurable yet) CANCELs the branch and the caller gets
#                 408 (RFC 3261 16.8); takes over 3 minutes, so it is not a
#                 CTest test: run it by hand
#   fork          two contacts of bob with the same q: one answers after
#                 ringing, the other rings and gets the proxy's CANCEL
#   serial-486, serial-480
#                 contacts q=1.0 and q=0.5: the first rings 1 s and answers
#                 486 (480), only then the second gets the INVITE and
#                 answers 200 (RFC 3261 16.6 serial forking by q)
# Callees are sipp UAS scenarios registered as bob@127.0.0.1; the caller
# is a sipp UAC.  Each call that reached a callee leaves exactly one CDR
# with the expected termination (sipxctl cdr list).  Loopback and free ports only.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
CASE=${1:?usage: cases.sh BIN_DIR SHARED_DIR CASE}

read -r PORT UA UB UC < <(ports 4)
SIP_EXTRA=""
[ "$CASE" = no-answer ] && SIP_EXTRA="t1 = 50"
start_server "$PORT" "$SIP_EXTRA"
BOB=sip:bob@$DOMAIN:$PORT
ALICE=sip:alice@$DOMAIN
UAC_ARGS=(-p "$UC" -m 1 -timeout 20 -timeout_error)

# callee NAME PORT Q SCENARIO [SIPP ARGS] -- start and register a UAS;
# its PID is CALLEE[NAME]
declare -A CALLEE=()
callee() {
	local name=$1 port=$2 q=$3 scn=$4
	shift 4
	sipp_bg "$name" -sf "$scn" -p "$port" -m 1 -timeout 30 -timeout_error "$@"
	CALLEE[$name]=$LAST_PID
	wait_listen "$port"
	register bob "sip:bob@127.0.0.1:$port" "$q"
}

case "$CASE" in
cancel)
	callee ring "$UA" 1.0 "$MY/uas-ring.xml"
	sipp_fg caller -sf "$MY/uac-cancel.xml" -key ruri "$BOB" -key from "$ALICE" \
		"${UAC_ARGS[@]}" "127.0.0.1:$PORT" || fail "caller: CANCEL -> 200 + 487"
	sipp_wait "${CALLEE[ring]}" "callee: CANCEL -> 200, 487, ACK"
	cdr_expect 1 abandoned 487
	;;
busy)
	callee busy "$UA" 1.0 "$(reject_scenario 486 "Busy Here")" -d 0
	sipp_fg caller -sf "$(final_scenario 486)" -key ruri "$BOB" -key from "$ALICE" \
		"${UAC_ARGS[@]}" "127.0.0.1:$PORT" || fail "caller did not get 486"
	sipp_wait "${CALLEE[busy]}" "callee: 486 -> ACK"
	cdr_expect 1 failed 486
	;;
unknown)
	sipp_fg caller -sf "$(final_scenario 404)" -key ruri "sip:nobody@$DOMAIN:$PORT" \
		-key from "$ALICE" "${UAC_ARGS[@]}" "127.0.0.1:$PORT" ||
		fail "caller did not get 404 for a user we do not know"
	cdr_expect 1 failed 404
	;;
unregistered)
	[ -x "$BIN/sipxctl" ] || skip "$BIN/sipxctl not built"
	"$BIN/sipxctl" -c "$W/s.conf" user add carol --password secret >"$W/sipxctl.out" 2>&1 ||
		fail "sipxctl user add carol"
	sipp_fg caller -sf "$(final_scenario 480)" -key ruri "sip:carol@$DOMAIN:$PORT" \
		-key from "$ALICE" "${UAC_ARGS[@]}" "127.0.0.1:$PORT" ||
		fail "caller did not get 480 for a user without binding"
	cdr_expect 1 failed 480
	;;
no-answer)
	callee silent "$UA" 1.0 "$MY/uas-silent.xml" -d 6000
	sipp_fg caller -sf "$(final_scenario 408)" -key ruri "$BOB" -key from "$ALICE" \
		"${UAC_ARGS[@]}" "127.0.0.1:$PORT" || fail "caller did not get 408"
	sipp_wait "${CALLEE[silent]}" "silent callee"
	cdr_expect 1 failed 408
	;;
ring-timeout)
	callee ring "$UA" 1.0 "$MY/uas-ring.xml" -timeout 240
	sipp_fg caller -sf "$(final_scenario 408)" -key ruri "$BOB" -key from "$ALICE" \
		-p "$UC" -m 1 -timeout 240 -timeout_error "127.0.0.1:$PORT" ||
		fail "caller did not get 408 after Timer C"
	sipp_wait "${CALLEE[ring]}" "ringing callee did not get the Timer C CANCEL"
	;;
fork)
	callee answer "$UA" 1.0 "$MY/uas-answer.xml" -d 500
	callee ring "$UB" 1.0 "$MY/uas-ring.xml"
	sipp_fg caller -sf "$SC/uac.xml" -key callee bob -key uprefix a -key regdomain "$DOMAIN" \
		-key expires 600 "${UAC_ARGS[@]}" "127.0.0.1:$PORT" || fail "caller: call not answered"
	sipp_wait "${CALLEE[answer]}" "answering contact"
	sipp_wait "${CALLEE[ring]}" "ringing contact did not get CANCEL / 487"
	cdr_expect 1 completed
	;;
serial-486 | serial-480)
	st=${CASE#serial-}
	reason="Busy Here"
	[ "$st" = 480 ] && reason="Temporarily Unavailable"
	callee first "$UA" 1.0 "$(reject_scenario "$st" "$reason")" -d 1000
	callee second "$UB" 0.5 "$SC/uas.xml"
	sipp_fg caller -sf "$SC/uac.xml" -key callee bob -key uprefix a -key regdomain "$DOMAIN" \
		-key expires 600 "${UAC_ARGS[@]}" "127.0.0.1:$PORT" ||
		fail "caller: the q=0.5 contact did not answer after the q=1.0 one said $st"
	sipp_wait "${CALLEE[first]}" "q=1.0 contact: INVITE, $st, ACK without a CANCEL"
	sipp_wait "${CALLEE[second]}" "q=0.5 contact did not get the INVITE"
	cdr_expect 1 completed
	;;
*)
	echo "unknown case $CASE" >&2
	exit 2
	;;
esac
echo "proxy case $CASE: passed"
