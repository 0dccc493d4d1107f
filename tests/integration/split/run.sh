#!/usr/bin/env bash
# Services on separate hosts: host A (network namespace) runs only the
# proxy, host B only the registrar with its own store; a veth pair joins
# them.  Phones (sipp, in A's namespace) register through the proxy,
# which forwards REGISTER to B; calls to a registered user go to B's
# redirect service, whose 302 the proxy recurses on (RFC 3261 16.5).
# Same binaries, configuration only.  Loopback/veth only, our PIDs only,
# the namespaces are deleted at the end.
#   run.sh BIN_DIR SHARED_DIR [CALLS]
set -euo pipefail
BIN=${1:?usage: run.sh BIN_DIR SHARED_DIR [CALLS]}
SHARED=${2:?usage: run.sh BIN_DIR SHARED_DIR [CALLS]}
CALLS=${3:-200}
SC=$SHARED/bench/scenarios
for t in "$BIN/sipxecs" "$BIN/sipx-uas" "$BIN/sipxctl"; do
	[ -x "$t" ] || { echo "SKIP: $t not built"; exit 77; }
done
command -v sipp >/dev/null || { echo "SKIP: sipp missing"; exit 77; }
command -v ip >/dev/null || { echo "SKIP: iproute2 (ip) missing"; exit 77; }

NA=sxA$$ NB=sxB$$
# a /30 out of 10.200.0.0/16 per run, so parallel runs do not collide
NET=10.200.$(($$ % 250)).
IPA=${NET}1 IPB=${NET}2
if ! ip netns add "$NA" 2>/dev/null; then
	echo "SKIP: cannot create network namespaces (needs root or CAP_NET_ADMIN)"
	exit 77
fi
W=$(mktemp -d "${TMPDIR:-/tmp}/sx_split.XXXXXX")
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
	ip netns del "$NA" 2>/dev/null || true
	ip netns del "$NB" 2>/dev/null || true
	[ -n "${SX_KEEP:-}" ] && echo "kept $W" || rm -rf "$W"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; tail -20 "$W"/*.log "$W"/*.out 2>/dev/null | cut -c1-300; exit 1; }

ip netns add "$NB" || fail "netns $NB"
ip link add "va$$" type veth peer name "vb$$" || fail "veth"
ip link set "va$$" netns "$NA" && ip link set "vb$$" netns "$NB" || fail "veth move"
ip -n "$NA" addr add "$IPA/30" dev "va$$"
ip -n "$NB" addr add "$IPB/30" dev "vb$$"
for ns in "$NA" "$NB"; do ip -n "$ns" link set lo up; done
ip -n "$NA" link set "va$$" up
ip -n "$NB" link set "vb$$" up
for _ in $(seq 1 50); do # the veth link comes up asynchronously
	ip -n "$NA" link show "va$$" | grep -q 'state UP' &&
		ip -n "$NB" link show "vb$$" | grep -q 'state UP' && break
	sleep 0.1
done

# Fixed ports are fine: the namespaces are ours alone.
PORT=5060 UPORT=5080 SPORT=5090 CPORT=5100
cat >"$W/b.conf" <<CONF
[sip]
bind = $IPB
port = $PORT
domain = $IPA
workers = 1
[store]
path = $W/b.db
[log]
level = warn
[services]
enable = registrar
[registrar]
authenticate = no
CONF
cat >"$W/a.conf" <<CONF
[sip]
bind = $IPA
port = $PORT
domain = $IPA
workers = 1
[store]
path = $W/a.db
[log]
level = warn
[services]
enable = proxy
[proxy]
registrar = $IPB:$PORT
authenticate = no
CONF
"$BIN/sipxecs" -c "$W/b.conf" --check-config >/dev/null || fail "config of B"
"$BIN/sipxecs" -c "$W/a.conf" --check-config >/dev/null || fail "config of A"

ip netns exec "$NB" "$BIN/sipxecs" -c "$W/b.conf" >"$W/b.log" 2>&1 &
PIDS+=($!)
ip netns exec "$NA" "$BIN/sipxecs" -c "$W/a.conf" >"$W/a.log" 2>&1 &
PIDS+=($!)
ip netns exec "$NA" "$BIN/sipx-uas" -a "$IPA" -p "$UPORT" -t udp >"$W/uas.log" 2>&1 &
UAS=$!
PIDS+=("$UAS")
for _ in $(seq 1 100); do
	grep -q 'reload with' "$W/a.log" 2>/dev/null && grep -q 'reload with' "$W/b.log" 2>/dev/null &&
		grep -q listening "$W/uas.log" 2>/dev/null && break
	sleep 0.1
done
grep -q 'reload with' "$W/b.log" || fail "registrar host B did not start"
grep -q 'reload with' "$W/a.log" || fail "proxy host A did not start"

sippA() { ip netns exec "$NA" timeout 120 sipp "$@"; }
# the callee registers through the proxy on A; the binding lands on B
(cd "$W" && sippA -sf "$SC/reg-contact.xml" -key callee bob \
	-key regdomain "$IPA" -key contact "sip:bob@$IPA:$UPORT" \
	-key expires 600 -m 1 -i "$IPA" -p "$SPORT" -nostdin \
	-timeout 20 -timeout_error "$IPA:$PORT" >"$W/reg.out" 2>&1) ||
	fail "registration through the proxy"
# the caller (sipp's UAC below) registers too
(cd "$W" && sippA -sf "$SC/reg-contact.xml" -key callee alice \
	-key regdomain "$IPA" -key contact "sip:alice@$IPA:$CPORT" \
	-key expires 600 -m 1 -i "$IPA" -p "$SPORT" -nostdin \
	-timeout 20 -timeout_error "$IPA:$PORT" >"$W/reg2.out" 2>&1) ||
	fail "caller registration through the proxy"
n=$("$BIN/sipxctl" -c "$W/b.conf" reg list --count)
[ "$n" = 2 ] || fail "host B holds $n bindings, expected 2"
n=$("$BIN/sipxctl" -c "$W/a.conf" reg list --count)
[ "$n" = 0 ] || fail "host A holds $n bindings, expected none"

(cd "$W" && sippA -sf "$SC/uac.xml" -key callee bob -key uprefix a \
	-key regdomain "$IPA" -key expires 600 -m "$CALLS" -r 50 -l 50 \
	-i "$IPA" -p "$CPORT" -nostdin -timeout 100 -timeout_error \
	-trace_stat -stf stat.csv "$IPA:$PORT" >"$W/calls.out" 2>&1) || true
read -r ok failed < <(python3 - "$W/stat.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1]), delimiter=';'))
h, l = rows[0], rows[-1]
print(l[h.index('SuccessfulCall(C)')], l[h.index('FailedCall(C)')])
PY
)
echo "calls A -> (302 from B) -> callee: $ok ok, $failed failed of $CALLS"
[ "$ok" = "$CALLS" ] && [ "$failed" = 0 ] || fail "calls across the split"
# an unknown user: B says 404, the proxy relays it
(cd "$W" && sippA -sf "$SC/uac.xml" -key callee nobody -key uprefix x \
	-key regdomain "$IPA" -key expires 600 -m 1 -i "$IPA" -p "$CPORT" \
	-nostdin -timeout 20 -timeout_error "$IPA:$PORT" >"$W/unknown.out" 2>&1) &&
	fail "a call to an unknown user succeeded"
grep -q "404" "$W/unknown.out" || echo "note: no 404 seen in sipp's output"
echo "split hosts: all passed"
