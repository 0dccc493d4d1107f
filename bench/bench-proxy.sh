#!/usr/bin/env bash
# bench-proxy.sh - proxy CPU per call: sipxecs against Kamailio (make bench-proxy).
#
#   bench/bench-proxy.sh [options] [BUILD_DIR]
#
# Runs the shared harness's `call` scenario (sip-bench.sh: INVITE / 100 / 180 / 200 /
# ACK / 1 s hold / BYE / 200, record-routed, at a fixed rate) through our proxy
# (bench/servers/sipxecs.sh role proxy-location: proxy and registrar in one process,
# [proxy] authenticate = no) and through Kamailio (the harness's servers/kamailio.sh
# role proxy-location: kamailio/proxy.cfg -A WITH_LOCATION), one after the other.
# Before each run the callee "service" is registered with the harness's sipp UAS as
# its contact (scenarios/reg-contact.xml), so both servers route every INVITE by a
# location lookup.  Both are pinned the same way (taskset SERVER_CPUS, sipp on
# SIPP_CPUS, same nice) and have the same 4 MiB UDP receive buffer.  Every run gets a
# freshly started server; the two alternate which goes first per repetition.  Prints,
# per server, the median server CPU microseconds per call and the failures, then
#   ratio call=X        X = Kamailio us/call / ours (higher is better for us)
#
# BUILD_DIR: build folder with bin/sipxecs and bin/sipxctl, default build/release [SX_BUILD]
# Options (environment variable in brackets):
#   --reps N            repetitions per server, default 3 [REPS]
#   --rate R            calls/s, default 500 [CALL_RATE]
#   --count N           calls per run, default rate * 10 [CALL_COUNT]
#   --servers "S ..."   servers, default "sipxecs kamailio" [SERVERS]
#   --workers N         sipxecs [sip] workers, default 1 [SX_WORKERS]
#   --kam-children N    Kamailio UDP worker processes (-n), default 2 [KAM_CHILDREN]
#   --server-cpus LIST  taskset list for both servers, default 1 [SERVER_CPUS]
#   --sipp-cpus LIST    taskset list for sipp (UAC and UAS), default 0 [SIPP_CPUS]
#   --nice N            nice value of the servers and sipp, default -10 as root, else
#                       unchanged [BENCH_NICE]
#   --port P            SIP port of the server under test, default 35260; the sipp UAS
#                       listens on P+10, Kamailio's ctl on P-14 [SIP_PORT]
#   --out DIR           output folder, default BUILD_DIR/bench-proxy/<date> [OUT]
#   --harness DIR       the shared harness, default <repo>/../shared/bench [SX_HARNESS]
#
# Loopback only (the harness refuses other targets); every run is bounded by its count
# and sipp's timeout; only the servers this script started are stopped, by PID.
# Exit status: 0 = every run without failures, 1 = some run failed or did not start,
# 2 = usage or setup error.
set -u
REPO=$(cd "$(dirname "$0")/.." && pwd)

usage() { sed -n '2,/^set -u/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 2; }

SX_BUILD=${SX_BUILD:-$REPO/build/release}
REPS=${REPS:-3}
CALL_RATE=${CALL_RATE:-500}
CALL_COUNT=${CALL_COUNT:-}
SERVERS=${SERVERS:-sipxecs kamailio}
SX_WORKERS=${SX_WORKERS:-1}
KAM_CHILDREN=${KAM_CHILDREN:-2}
SERVER_CPUS=${SERVER_CPUS-1}
SIPP_CPUS=${SIPP_CPUS-0}
if [ -z "${BENCH_NICE+x}" ]; then
	BENCH_NICE=""
	[ "$(id -u)" -eq 0 ] && BENCH_NICE=-10
fi
SIP_PORT=${SIP_PORT:-35260}
OUT=${OUT:-}
SX_HARNESS=${SX_HARNESS:-$REPO/../shared/bench}

while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) usage ;;
	--reps) REPS=$2; shift ;;
	--rate) CALL_RATE=$2; shift ;;
	--count) CALL_COUNT=$2; shift ;;
	--servers) SERVERS=$2; shift ;;
	--workers) SX_WORKERS=$2; shift ;;
	--kam-children) KAM_CHILDREN=$2; shift ;;
	--server-cpus) SERVER_CPUS=$2; shift ;;
	--sipp-cpus) SIPP_CPUS=$2; shift ;;
	--nice) BENCH_NICE=$2; shift ;;
	--port) SIP_PORT=$2; shift ;;
	--out) OUT=$2; shift ;;
	--harness) SX_HARNESS=$2; shift ;;
	-*) echo "unknown option $1" >&2; usage ;;
	*) SX_BUILD=$1 ;;
	esac
	shift
done
CALL_COUNT=${CALL_COUNT:-$((CALL_RATE * 10))}
TARGET=127.0.0.1:$SIP_PORT
UAS_HOSTPORT=127.0.0.1:$((SIP_PORT + 10))
KAM_CTL_PORT=$((SIP_PORT - 14))
ROLE=proxy-location
# hard bound of one run: the calls, 1 s hold, the harness's settle and UAS wait, slack
RUN_LIMIT_S=$((CALL_COUNT / CALL_RATE + 60))

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 2; }

[ -f "$SX_HARNESS/sip-bench.sh" ] || die "shared harness not found at $SX_HARNESS (--harness)"
# proc_tree (process tree by PID, from /proc)
# shellcheck source=/dev/null
. "$SX_HARNESS/lib/common.sh"
SX_BUILD=$(cd "$SX_BUILD" 2>/dev/null && pwd) || die "build folder $SX_BUILD not found"
[ -x "$SX_BUILD/bin/sipxecs" ] && [ -x "$SX_BUILD/bin/sipxctl" ] || die "sipxecs/sipxctl not built in $SX_BUILD"
command -v sipp >/dev/null || die "sipp not found (scripts/deps.sh bench)"
case " $SERVERS " in *" kamailio "*) command -v kamailio >/dev/null || die "kamailio not found (scripts/deps.sh bench)" ;; esac
[ "$REPS" -ge 1 ] 2>/dev/null || die "--reps must be >= 1"

OUT=${OUT:-$SX_BUILD/bench-proxy/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT" && OUT=$(cd "$OUT" && pwd) || die "cannot create $OUT"
# A private copy of the harness (the shared one is read-only), with our adapter beside
# Kamailio's so both are driven the same way.
HARNESS=$OUT/harness
rm -rf "$HARNESS"
mkdir -p "$HARNESS"
(cd "$SX_HARNESS" && cp -r README.md lib scenarios servers kamailio sip-bench.sh "$HARNESS/") ||
	die "cannot copy the harness"
cp "$REPO/bench/servers/sipxecs.sh" "$HARNESS/servers/sipxecs.sh"
chmod +x "$HARNESS"/servers/*.sh "$HARNESS/sip-bench.sh"
RUNS_TSV=$OUT/runs.tsv
printf 'server\trep\tok\tfailed\tachieved_cps\tp99_ms\tsrv_cpu_pct\tsrv_us_per_op\tother_cpu_pct\tsrv_udp_drops\tretrans\n' >"$RUNS_TSV"

export SERVER_CPUS SX_BUILD SX_WORKERS KAM_CHILDREN KAM_CTL_PORT UAS_HOSTPORT
export SERVER_NICE=$BENCH_NICE SX_HARNESS=$HARNESS

# kv KEY "RESULT k=v ..." -> v
kv() { printf '%s\n' "$2" | tr ' ' '\n' | awk -F= -v k="$1" '$1 == k { sub(/^[^=]*=/, ""); print; exit }'; }

# register_callee DIR: bind "service" to the sipp UAS of sip-bench.sh (location lookup)
register_callee() {
	mkdir -p "$1/reg"
	(cd "$1/reg" && timeout 20 sipp "$TARGET" -sf "$HARNESS/scenarios/reg-contact.xml" -i 127.0.0.1 \
		-key callee service -key regdomain "${TARGET%:*}" -key contact "sip:service@$UAS_HOSTPORT" \
		-key expires 3600 -m 1 -timeout 10 -timeout_error -nostdin >sipp.out 2>&1)
}

# bound_run PID DIR: wait for sip-bench.sh PID; past RUN_LIMIT_S (an overloaded sipp
# can wait for its open calls forever despite -timeout) stop the sipps it started
bound_run() {
	local bpid=$1 t=0 p
	while kill -0 "$bpid" 2>/dev/null && [ "$t" -lt $((RUN_LIMIT_S * 10)) ]; do
		sleep 0.1
		t=$((t + 1))
	done
	if kill -0 "$bpid" 2>/dev/null; then
		log "run still going after ${RUN_LIMIT_S}s: stopping its sipp processes (see $2)"
		for p in $(proc_tree "$bpid"); do
			[ "$(cat "/proc/$p/comm" 2>/dev/null)" = sipp ] && kill -TERM "$p" 2>/dev/null
		done
	fi
	wait "$bpid" 2>/dev/null
}

no_result() { printf '%s\t%s\t0\t%s\tNA\tNA\tNA\tNA\tNA\tNA\tNA\n' "$1" "$2" "$CALL_COUNT" >>"$RUNS_TSV"; }

# run_one SERVER REP: start a fresh server, register the callee, one fixed-rate run, stop it
run_one() {
	local srv=$1 rep=$2 dir pid line
	dir=$OUT/$srv/call-rep$rep
	mkdir -p "$dir"
	if ! pid=$("$HARNESS/servers/$srv.sh" start "$ROLE" "$TARGET" "$dir" 2>>"$dir/adapter.log"); then
		log "$srv $ROLE did not start (see $dir/adapter.log)"
		no_result "$srv" "$rep"
		return
	fi
	if ! register_callee "$dir"; then
		log "$srv: registering the callee failed (see $dir/reg/sipp.out)"
		"$HARNESS/servers/$srv.sh" stop "$pid"
		no_result "$srv" "$rep"
		return
	fi
	log "$srv $ROLE pid $pid: call $CALL_RATE/s x $CALL_COUNT (rep $rep)"
	"$HARNESS/sip-bench.sh" -P "$pid" -l "$srv" -o "$dir" --uprefix "${srv:0:1}${rep}c" \
		--sipp-cpus "$SIPP_CPUS" ${BENCH_NICE:+--sipp-nice "$BENCH_NICE"} --uas "$UAS_HOSTPORT" \
		--callee service call "$TARGET" "$CALL_RATE" "$CALL_COUNT" >"$dir/sip-bench.out" 2>>"$dir/sip-bench.log" &
	bound_run $! "$dir"
	line=$(grep '^RESULT' "$dir/sip-bench.out" | tail -1)
	"$HARNESS/servers/$srv.sh" stop "$pid"
	if [ -z "$line" ]; then
		log "$srv call: no RESULT (see $dir/sip-bench.log)"
		no_result "$srv" "$rep"
		return
	fi
	printf '%s\n' "$line" >>"$OUT/results.txt"
	local k row="$srv	$rep"
	for k in ok failed achieved_cps p99_ms srv_cpu_pct srv_us_per_op other_cpu_pct srv_udp_drops retrans; do
		row+="	$(kv "$k" "$line")"
	done
	printf '%s\n' "$row" >>"$RUNS_TSV"
	log "$srv call rep $rep: $(kv srv_us_per_op "$line") us/call, failed $(kv failed "$line"), other cpu $(kv other_cpu_pct "$line")%"
}

log "bench-proxy: out=$OUT reps=$REPS call=${CALL_RATE}/s x $CALL_COUNT"
log "servers on CPU ${SERVER_CPUS:-any}, sipp on CPU ${SIPP_CPUS:-any}, nice ${BENCH_NICE:-unchanged}, sipxecs workers=$SX_WORKERS, kamailio children=$KAM_CHILDREN"
for rep in $(seq 1 "$REPS"); do
	order=$SERVERS
	# alternate which server goes first, so slow drifts of the machine hit both alike
	# shellcheck disable=SC2086 # one word per server
	[ $((rep % 2)) -eq 0 ] && order=$(printf '%s\n' $SERVERS | tac | tr '\n' ' ')
	for srv in $order; do
		run_one "$srv" "$rep"
	done
done

# ---- summary: medians over the repetitions ----
col_values() { awk -F'\t' -v v="$1" -v c="$2" 'NR > 1 && $1 == v && $c != "NA" { print $c }' "$RUNS_TSV"; }
median() { sort -g | awk '{ a[NR] = $1 } END { if (!NR) print "NA"; else if (NR % 2) print a[(NR + 1) / 2]; else printf "%.1f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
n_runs() { awk -F'\t' -v v="$1" 'NR > 1 && $1 == v' "$RUNS_TSV" | wc -l; }
n_failed_runs() { awk -F'\t' -v v="$1" 'NR > 1 && $1 == v && ($4 != 0 || $8 == "NA")' "$RUNS_TSV" | wc -l; }

declare -A MED
{
	echo "bench-proxy: $(date -u '+%Y-%m-%d %H:%M UTC'), $REPS rep(s), fresh server per run, servers on CPU ${SERVER_CPUS:-any}, sipp on CPU ${SIPP_CPUS:-any}, nice ${BENCH_NICE:-unchanged}"
	echo "  sipxecs: $("$HARNESS/servers/sipxecs.sh" version), workers=$SX_WORKERS, udp_rcvbuf 4 MiB, proxy + registrar in one process, [proxy] authenticate = no"
	if case " $SERVERS " in *" kamailio "*) true ;; *) false ;; esac; then
		echo "  kamailio: $("$HARNESS/servers/kamailio.sh" version | sed "s/ *$//"), children=$KAM_CHILDREN, maxbuffer 4 MiB, proxy.cfg -A WITH_LOCATION (tm + rr, usrloc in memory)"
	fi
	printf '%-9s %6s %6s %10s %9s %9s %7s %9s %7s %8s %7s\n' server rate count "us/call" min max failed "fail-runs" p99_ms srv_cpu% other%
	for srv in $SERVERS; do
		us=$(col_values "$srv" 8 | median)
		MED[$srv]=$us
		printf '%-9s %6s %6s %10s %9s %9s %7s %9s %7s %8s %7s\n' "$srv" "$CALL_RATE" "$CALL_COUNT" "$us" \
			"$(col_values "$srv" 8 | sort -g | head -1)" "$(col_values "$srv" 8 | sort -g | tail -1)" \
			"$(col_values "$srv" 4 | awk '{ s += $1 } END { print s + 0 }')" "$(n_failed_runs "$srv")/$(n_runs "$srv")" \
			"$(col_values "$srv" 6 | median)" "$(col_values "$srv" 7 | median)" "$(col_values "$srv" 9 | median)"
	done
	echo "(us/call: median server CPU microseconds per complete call, INVITE to BYE's 200; failed: sum over the runs)"
	bad=0
	for srv in $SERVERS; do
		[ "$(n_failed_runs "$srv")" -eq 0 ] || bad=1
	done
	[ "$bad" = 0 ] || echo "WARNING: some calls or runs failed (see $RUNS_TSV): the ratio compares runs with failures"
	echo "ratio call=$(awk -v k="${MED[kamailio]:-NA}" -v o="${MED[sipxecs]:-NA}" \
		'BEGIN { if (k == "NA" || o == "NA" || o + 0 <= 0) print "NA"; else printf "%.2f", k / o }')"
} | tee "$OUT/summary.txt"
# the summary ran in a pipeline subshell: the status comes from its text
status=0
grep -q '^WARNING\|=NA' "$OUT/summary.txt" && status=1
log "runs: $RUNS_TSV, summary: $OUT/summary.txt"
exit $status
