# common.sh -- shared by the media interop scripts (sourced).
# Usage of a script: SCRIPT RTP_PEER INTEROP_DIR
set -u
PEER=${1:?rtp_peer binary}
IDIR=${2:?shared interop dir}
skip() { echo "SKIP: $*"; exit 77; }
[ -f "$IDIR/lib.sh" ] || skip "no interop scripts in $IDIR"
. "$IDIR/lib.sh"
W=$(mktemp -d "${TMPDIR:-/tmp}/sx-media-interop.XXXXXX")
PIDS=()
cleanup() { local p; for p in "${PIDS[@]}"; do stop_pid "$p" 3; done; }
trap cleanup EXIT
trap 'exit 2' INT TERM
FAIL=0
check() { if "$@"; then :; else FAIL=1; fi; }

# need_tools CMD... -- skip (not fail) when a tool is missing
need_tools() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "'$c' not installed"
	done
}

# free_base COUNT -- a base port with COUNT free udp/tcp ports above it
free_base() {
	local b i ok
	for ((b = 28000 + (RANDOM % 60) * 40; b < 31000; b += 40)); do
		ok=1
		for ((i = 0; i < $1; i++)); do
			if port_busy udp $((b + i)) || port_busy tcp $((b + i)); then ok=0; break; fi
		done
		[ $ok = 1 ] && { echo $b; return 0; }
	done
	return 1
}

# start_peer ARGS... -- run rtp_peer in $W, sets PEER_PID and SIP_PORT
start_peer() {
	"$PEER" "$@" >"$W/peer.out" 2>"$W/peer.err" &
	PEER_PID=$!
	PIDS+=($PEER_PID)
	wait_for "$W/peer.out" '^SIP_PORT ' 5 || { cat "$W/peer.err" >&2; die "rtp_peer did not start"; }
	SIP_PORT=$(awk '/^SIP_PORT/ {print $2}' "$W/peer.out")
	log "rtp_peer listening on 127.0.0.1:$SIP_PORT"
}

# wait_peer SECONDS -- wait for rtp_peer to exit (after BYE) and show it
wait_peer() {
	local i
	for ((i = 0; i < $1 * 5; i++)); do
		kill -0 "$PEER_PID" 2>/dev/null || break
		sleep 0.2
	done
	stop_pid "$PEER_PID" 3
	cat "$W/peer.out"
	grep -q '^STATS' "$W/peer.out" || { echo "FAIL rtp_peer ended without a report"; FAIL=1; }
}

# expect_digits WANT -- rtp_peer reported exactly these RFC 4733 digits
expect_digits() {
	local got
	got=$(awk '/^DIGITS/ {print $2}' "$W/peer.out")
	if [ "$got" = "$1" ]; then echo "PASS DTMF: our receiver decoded '$got'"; else
		echo "FAIL DTMF: expected '$1', our receiver decoded '$got'"
		FAIL=1
	fi
}

finish() {
	echo "workdir: $W"
	[ $FAIL = 0 ] && echo "RESULT: PASS" || echo "RESULT: FAIL"
	exit $FAIL
}
