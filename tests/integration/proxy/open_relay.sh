#!/usr/bin/env bash
# No open relay: a caller we do not know (From another domain, no
# credentials) sends an INVITE for another domain; the proxy refuses it
# with 403 and nothing leaves the proxy towards the would-be next hop.
#   open_relay.sh BIN_DIR SHARED_DIR
# The next hop is a listener on 127.0.0.2 (UDP and TCP) that counts what
# it receives; it must receive nothing.  Two ways to ask for the relay:
#   ruri   the Request-URI names the outside host (sip:victim@127.0.0.2:P)
#   route  a pre-loaded Route names it (Request-URI sip:victim@example.net)
# The proxy runs with its default authentication settings.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
export PROXY_AUTH=default
LISTEN_S=12

read -r PORT UC < <(ports 2)
start_server "$PORT"

# the would-be next hop: counts datagrams and connections for LISTEN_S s
python3 - "$W/hop" "$LISTEN_S" <<'PY' &
import select, socket, sys, time
out, secs = sys.argv[1], float(sys.argv[2])
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.2", 0))
port = u.getsockname()[1]
t = socket.socket()
t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind(("127.0.0.2", port))
t.listen(8)
open(out + ".port", "w").write(str(port))
got, end = 0, time.time() + secs
while time.time() < end:
    r, _, _ = select.select([u, t], [], [], 0.2)
    for s in r:
        if s is u:
            u.recv(65535)
        else:
            s.accept()[0].close()
        got += 1
        open(out + ".got", "w").write(str(got))
open(out + ".done", "w").write(str(got))
PY
HOP_PID=$!
PIDS+=("$HOP_PID")
for _ in $(seq 1 50); do [ -s "$W/hop.port" ] && break; sleep 0.1; done
[ -s "$W/hop.port" ] || fail "listener on 127.0.0.2 did not start"
HOP=127.0.0.2:$(cat "$W/hop.port")
MALLORY=sip:mallory@evil.example

sipp_fg ruri -sf "$(final_scenario 403)" -key ruri "sip:victim@$HOP" -key from "$MALLORY" \
	-p "$UC" -m 1 -timeout 15 -timeout_error "127.0.0.1:$PORT" ||
	fail "INVITE to sip:victim@$HOP from $MALLORY was not refused with 403"
sleep 1 # anything the proxy sent has arrived by now
got=$(cat "$W/hop.got" 2>/dev/null || echo 0)
[ "$got" = 0 ] || fail "INVITE to sip:victim@$HOP: the proxy sent $got message(s) to $HOP"
sipp_fg route -sf "$(final_scenario 403 "<sip:$HOP;lr>")" -key ruri "sip:victim@example.net" \
	-key from "$MALLORY" -p "$UC" -m 1 -timeout 15 -timeout_error "127.0.0.1:$PORT" ||
	fail "INVITE with Route <sip:$HOP;lr> from $MALLORY was not refused with 403"
sleep 1 # anything the proxy sent has arrived by now
got=$(cat "$W/hop.got" 2>/dev/null || echo 0)
[ "$got" = 0 ] || fail "INVITE with a Route to $HOP: the proxy sent $got message(s) to $HOP"
echo "open relay: refused (403) and nothing sent to $HOP"
