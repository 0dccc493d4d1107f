#!/usr/bin/env bash
# Two real phones through sipxecs: the shared interop recipe
# (shared/interop/baresip-call.sh) registers baresip users alice and bob
# with digest authentication at our registrar, alice calls bob through
# our proxy (407 challenge, INVITE with credentials), they exchange tones
# and RFC 4733 digits, alice hangs up.  Pass = the recipe's success exit.
#   run.sh BIN_DIR INTEROP_DIR
# sipxecs runs as `make run` would start it (defaults: authentication
# on), on free loopback ports, with its configuration and database in a
# temp dir; users are made with `sipxctl user add NAME --password secret`.
set -u
BIN=${1:?usage: run.sh BIN_DIR INTEROP_DIR}
IDIR=${2:?usage: run.sh BIN_DIR INTEROP_DIR}
skip() { echo "SKIP: $*"; exit 77; }
for t in sipxecs sipxctl; do
	[ -x "$BIN/$t" ] || skip "$BIN/$t not built"
done
[ -x "$IDIR/baresip-call.sh" ] || skip "no $IDIR/baresip-call.sh"
for c in baresip sox ss python3; do
	command -v "$c" >/dev/null || skip "'$c' not installed"
done
CALL_LIMIT_S=120 # the recipe takes ~10 s; its baresips stop by themselves

W=$(mktemp -d "${TMPDIR:-/tmp}/sx_baresip.XXXXXX")
SERVER_PID=""
cleanup() { # only the server we started: SIGTERM, bounded, then SIGKILL
	if [ -n "$SERVER_PID" ]; then
		kill "$SERVER_PID" 2>/dev/null
		for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$SERVER_PID" 2>/dev/null
	fi
	rm -rf "$W"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; tail -30 "$W/server.log" 2>/dev/null; exit 1; }

# the SIP port (UDP+TCP) and a base for the recipe's ports: BASE+0..7 and
# BASE+100..139 free for UDP and TCP
read -r PORT BASE < <(python3 - <<'PY'
import random, socket
def free(p):
    for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
        s = socket.socket(socket.AF_INET, kind)
        try:
            s.bind(("127.0.0.1", p))
        except OSError:
            return False
        finally:
            s.close()
    return True
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", 0))
port = u.getsockname()[1]
for _ in range(200):
    b = random.randrange(20000, 32000, 200)
    if all(free(b + i) for i in list(range(8)) + list(range(100, 140))) \
       and not (b <= port < b + 140):
        print(port, b)
        break
PY
)
[ -n "${BASE:-}" ] || fail "no free ports for the phones"

cat >"$W/sipxecs.conf" <<CONF
# as scripts/run.sh writes it, on a free port; the registrar on the main
# port only (no fixed 5070)
[sip]
bind = 127.0.0.1
port = $PORT

[store]
path = $W/sipxecs.db

[log]
level = info

[registrar]
port = 0
CONF
for u in alice bob; do
	"$BIN/sipxctl" -c "$W/sipxecs.conf" user add "$u" --password secret >>"$W/sipxctl.out" 2>&1 ||
		{ cat "$W/sipxctl.out"; fail "sipxctl user add $u"; }
done
"$BIN/sipxecs" -c "$W/sipxecs.conf" >"$W/server.log" 2>&1 &
SERVER_PID=$!

# ready when it answers an OPTIONS with any response
ready() {
	python3 - "$PORT" <<'PY'
import socket, sys
p = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
s.settimeout(0.5)
me = s.getsockname()[1]
s.sendto((f"OPTIONS sip:127.0.0.1:{p} SIP/2.0\r\n"
          f"Via: SIP/2.0/UDP 127.0.0.1:{me};branch=z9hG4bKprobe{me}\r\n"
          f"Max-Forwards: 70\r\nFrom: <sip:probe@127.0.0.1>;tag=1\r\n"
          f"To: <sip:127.0.0.1:{p}>\r\nCall-ID: probe{me}\r\nCSeq: 1 OPTIONS\r\n"
          f"Content-Length: 0\r\n\r\n").encode(), ("127.0.0.1", p))
try:
    sys.exit(0 if s.recv(4096).startswith(b"SIP/2.0 ") else 1)
except OSError:
    sys.exit(1)
PY
}
for _ in $(seq 1 50); do
	kill -0 "$SERVER_PID" 2>/dev/null || fail "sipxecs exited"
	ready && break
	sleep 0.2
done
ready || fail "sipxecs does not answer on 127.0.0.1:$PORT"

rc=0
AUTH_PASS=secret BASE_PORT=$BASE WORKDIR=$W/call timeout "$CALL_LIMIT_S" \
	"$IDIR/baresip-call.sh" 127.0.0.1 "$PORT" || rc=$?
if [ "$rc" != 0 ]; then
	for f in "$W"/call/caller/baresip.log "$W"/call/callee/baresip.log; do
		[ -f "$f" ] && { echo "--- $f"; tr '\r' '\n' <"$f" | tail -25; }
	done
	fail "baresip-call.sh exited with $rc"
fi
# the call left exactly one CDR: alice -> bob, answered and hung up
cdr_ok=1
for _ in $(seq 1 50); do # the cdr service polls the call events every second
	"$BIN/sipxctl" -c "$W/sipxecs.conf" cdr list --format csv >"$W/cdr.csv" 2>&1 || true
	python3 - "$W/cdr.csv" <<'PY' && { cdr_ok=0; break; }
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline='')))
ok = (len(rows) == 1 and rows[0]['termination'] == 'completed'
      and rows[0]['caller'].startswith('sip:alice@')
      and rows[0]['callee'].startswith('sip:bob@')
      and rows[0]['connect'] and rows[0]['end']
      and rows[0]['direction'] == 'internal')
if ok:
    print("CDR:", dict(rows[0]))
sys.exit(0 if ok else 1)
PY
	sleep 0.2
done
[ "$cdr_ok" = 0 ] || { cat "$W/cdr.csv"; fail "no single completed alice -> bob CDR"; }
echo "baresip call through sipxecs: passed"
