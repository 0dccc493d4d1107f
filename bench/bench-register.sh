#!/usr/bin/env bash
# bench-register.sh - registrar CPU per REGISTER: sipxecs against Kamailio (make bench-register).
#
#   bench/bench-register.sh [options] [BUILD_DIR]
#
# Runs the shared harness's `reg` and `reg-auth` scenarios (sip-bench.sh, fixed rate)
# against our registrar (bench/servers/sipxecs.sh) and against Kamailio (the harness's
# servers/kamailio.sh with kamailio/registrar.cfg and registrar-auth.cfg), one after the
# other, both pinned the same way (taskset SERVER_CPUS, sipp on SIPP_CPUS, same nice)
# and with the same 4 MiB UDP receive buffer.  Every run gets a freshly started server
# (and for ours a fresh database); the two servers alternate which goes first per
# repetition.  Prints, per scenario and server, the median server CPU per operation
# (us per REGISTER; per complete authenticated registration = 2 transactions for
# reg-auth) and the failures, then the line
#   ratio reg=X reg-auth=Y       X, Y = Kamailio us/op / ours (higher is better for us)
#
# BUILD_DIR: build folder with bin/sipxecs and bin/sipxctl, default build/release [SX_BUILD]
# Options (environment variable in brackets):
#   --reps N            repetitions per scenario and server, default 3 [REPS]
#   --reg-rate R        REGISTER/s of `reg`, default 2000 [REG_RATE]
#   --auth-rate R       registrations/s of `reg-auth`, default 1000 [AUTH_RATE]
#   --reg-count N       REGISTERs per `reg` run, default reg-rate * 10 [REG_COUNT]
#   --auth-count N      registrations per `reg-auth` run, default auth-rate * 10 [AUTH_COUNT]
#   --tests "T ..."     scenarios, default "reg reg-auth" [TESTS]
#   --servers "S ..."   servers, default "sipxecs kamailio" [SERVERS]
#   --workers N         sipxecs [sip] workers, default 1 [SX_WORKERS]
#   --kam-children N    Kamailio UDP worker processes (-n), default 2 [KAM_CHILDREN]
#   --server-cpus LIST  taskset list for both servers, default 1 [SERVER_CPUS]
#   --sipp-cpus LIST    taskset list for sipp, default 0 [SIPP_CPUS]
#   --nice N            nice value of the servers and sipp, default -10 as root, else
#                       unchanged [BENCH_NICE]
#   --port P            SIP port of the server under test, default 35060 [SIP_PORT]
#   --out DIR           output folder, default BUILD_DIR/bench-register/<date> [OUT]
#   --harness DIR       the shared harness, default <repo>/../shared/bench [SX_HARNESS]
#   --malloc-tune yes|no  sipxecs with one malloc arena on huge pages (the
#                       adapter's SX_MALLOC_TUNE), default yes [SX_MALLOC_TUNE]
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
REG_RATE=${REG_RATE:-2000}
AUTH_RATE=${AUTH_RATE:-1000}
REG_COUNT=${REG_COUNT:-}
AUTH_COUNT=${AUTH_COUNT:-}
TESTS=${TESTS:-reg reg-auth}
SERVERS=${SERVERS:-sipxecs kamailio}
SX_WORKERS=${SX_WORKERS:-1}
KAM_CHILDREN=${KAM_CHILDREN:-2}
SERVER_CPUS=${SERVER_CPUS-1}
SIPP_CPUS=${SIPP_CPUS-0}
if [ -z "${BENCH_NICE+x}" ]; then
	BENCH_NICE=""
	[ "$(id -u)" -eq 0 ] && BENCH_NICE=-10
fi
SIP_PORT=${SIP_PORT:-35060}
OUT=${OUT:-}
SX_HARNESS=${SX_HARNESS:-$REPO/../shared/bench}
SX_MALLOC_TUNE=${SX_MALLOC_TUNE:-yes}

while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) usage ;;
	--reps) REPS=$2; shift ;;
	--reg-rate) REG_RATE=$2; shift ;;
	--auth-rate) AUTH_RATE=$2; shift ;;
	--reg-count) REG_COUNT=$2; shift ;;
	--auth-count) AUTH_COUNT=$2; shift ;;
	--tests) TESTS=$2; shift ;;
	--servers) SERVERS=$2; shift ;;
	--workers) SX_WORKERS=$2; shift ;;
	--kam-children) KAM_CHILDREN=$2; shift ;;
	--server-cpus) SERVER_CPUS=$2; shift ;;
	--sipp-cpus) SIPP_CPUS=$2; shift ;;
	--nice) BENCH_NICE=$2; shift ;;
	--port) SIP_PORT=$2; shift ;;
	--out) OUT=$2; shift ;;
	--harness) SX_HARNESS=$2; shift ;;
	--malloc-tune) SX_MALLOC_TUNE=$2; shift ;;
	-*) echo "unknown option $1" >&2; usage ;;
	*) SX_BUILD=$1 ;;
	esac
	shift
done
REG_COUNT=${REG_COUNT:-$((REG_RATE * 10))}
AUTH_COUNT=${AUTH_COUNT:-$((AUTH_RATE * 10))}
TARGET=127.0.0.1:$SIP_PORT
KAM_CTL_PORT=$((SIP_PORT - 14)) # 35046 next to 35060, as in the harness's suite
AUTH_PASSWORD=bench-secret

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 2; }

[ -f "$SX_HARNESS/sip-bench.sh" ] || die "shared harness not found at $SX_HARNESS (--harness)"
SX_BUILD=$(cd "$SX_BUILD" 2>/dev/null && pwd) || die "build folder $SX_BUILD not found"
[ -x "$SX_BUILD/bin/sipxecs" ] && [ -x "$SX_BUILD/bin/sipxctl" ] || die "sipxecs/sipxctl not built in $SX_BUILD"
command -v sipp >/dev/null || die "sipp not found (scripts/deps.sh bench)"
case " $SERVERS " in *" kamailio "*) command -v kamailio >/dev/null || die "kamailio not found (scripts/deps.sh bench)" ;; esac
[ "$REPS" -ge 1 ] 2>/dev/null || die "--reps must be >= 1"

OUT=${OUT:-$SX_BUILD/bench-register/$(date +%Y%m%d-%H%M%S)}
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
printf 'scenario\tserver\trep\tok\tfailed\tachieved_cps\tp99_ms\tsrv_cpu_pct\tsrv_us_per_op\tother_cpu_pct\tsrv_udp_drops\tstats_delta\n' >"$RUNS_TSV"

export SERVER_CPUS SX_BUILD SX_WORKERS KAM_CHILDREN KAM_CTL_PORT SX_MALLOC_TUNE
export SERVER_NICE=$BENCH_NICE SX_HARNESS=$HARNESS

role_of() { [ "$1" = reg ] && echo registrar || echo registrar-auth; }
rate_of() { [ "$1" = reg ] && echo "$REG_RATE" || echo "$AUTH_RATE"; }
count_of() { [ "$1" = reg ] && echo "$REG_COUNT" || echo "$AUTH_COUNT"; }
# kv KEY "RESULT k=v ..." -> v
kv() { printf '%s\n' "$2" | tr ' ' '\n' | awk -F= -v k="$1" '$1 == k { sub(/^[^=]*=/, ""); print; exit }'; }

# users.csv for ours: the names sip-bench.sh puts in its injection file
# (<uprefix>r<rate>x<call number>, call numbers 1..count), all with the same password
write_users() {
	awk -v p="$1" -v r="$2" -v n="$3" -v pw="$AUTH_PASSWORD" \
		'BEGIN { for (i = 1; i <= n; i++) printf "%sr%dx%d,%s\n", p, r, i, pw }' >"$4"
}

# run_one SCENARIO SERVER REP: start a fresh server, one fixed-rate run, stop it
run_one() {
	local scn=$1 srv=$2 rep=$3 role rate count dir prefix pid line
	role=$(role_of "$scn"); rate=$(rate_of "$scn"); count=$(count_of "$scn")
	dir=$OUT/$srv/$scn-rep$rep
	mkdir -p "$dir"
	prefix=${srv:0:1}${rep}${scn//-/}
	if [ "$srv" = sipxecs ] && [ "$scn" = reg-auth ]; then
		write_users "$prefix" "$rate" "$count" "$dir/users.csv"
		export SX_USERS_CSV=$dir/users.csv
	fi
	if ! pid=$("$HARNESS/servers/$srv.sh" start "$role" "$TARGET" "$dir" 2>>"$dir/adapter.log"); then
		log "$srv $role did not start (see $dir/adapter.log)"
		printf '%s\t%s\t%s\t0\t%s\tNA\tNA\tNA\tNA\tNA\tNA\tNA\n' "$scn" "$srv" "$rep" "$count" >>"$RUNS_TSV"
		return
	fi
	log "$srv $role pid $pid: $scn $rate/s x $count (rep $rep)"
	line=$("$HARNESS/sip-bench.sh" -P "$pid" -l "$srv" -o "$dir" --uprefix "$prefix" \
		--sipp-cpus "$SIPP_CPUS" ${BENCH_NICE:+--sipp-nice "$BENCH_NICE"} \
		--password "$AUTH_PASSWORD" --stats-cmd "'$HARNESS/servers/$srv.sh' stats $pid $TARGET" \
		"$scn" "$TARGET" "$rate" "$count" 2>>"$dir/sip-bench.log" | grep '^RESULT' | tail -1)
	"$HARNESS/servers/$srv.sh" stop "$pid"
	rm -f "$dir/users.csv"
	if [ -z "$line" ]; then
		log "$srv $scn: no RESULT (see $dir/sip-bench.log)"
		printf '%s\t%s\t%s\t0\t%s\tNA\tNA\tNA\tNA\tNA\tNA\tNA\n' "$scn" "$srv" "$rep" "$count" >>"$RUNS_TSV"
		return
	fi
	printf '%s\n' "$line" >>"$OUT/results.txt"
	local k row="$scn	$srv	$rep"
	for k in ok failed achieved_cps p99_ms srv_cpu_pct srv_us_per_op other_cpu_pct srv_udp_drops stats_delta; do
		row+="	$(kv "$k" "$line")"
	done
	printf '%s\n' "$row" >>"$RUNS_TSV"
	log "$srv $scn rep $rep: $(kv srv_us_per_op "$line") us/op, failed $(kv failed "$line"), other cpu $(kv other_cpu_pct "$line")%"
}

log "bench-register: out=$OUT reps=$REPS reg=${REG_RATE}/s x $REG_COUNT reg-auth=${AUTH_RATE}/s x $AUTH_COUNT"
log "servers on CPU ${SERVER_CPUS:-any}, sipp on CPU ${SIPP_CPUS:-any}, nice ${BENCH_NICE:-unchanged}, sipxecs workers=$SX_WORKERS, kamailio children=$KAM_CHILDREN"
for rep in $(seq 1 "$REPS"); do
	order=$SERVERS
	# alternate which server goes first, so slow drifts of the machine hit both alike
	# shellcheck disable=SC2086 # one word per server
	[ $((rep % 2)) -eq 0 ] && order=$(printf '%s\n' $SERVERS | tac | tr '\n' ' ')
	for scn in $TESTS; do
		for srv in $order; do
			run_one "$scn" "$srv" "$rep"
		done
	done
done

# ---- summary: medians over the repetitions ----
col_values() { awk -F'\t' -v s="$1" -v v="$2" -v c="$3" 'NR > 1 && $1 == s && $2 == v && $c != "NA" { print $c }' "$RUNS_TSV"; }
median() { sort -g | awk '{ a[NR] = $1 } END { if (!NR) print "NA"; else if (NR % 2) print a[(NR + 1) / 2]; else printf "%.1f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
sum_col() { col_values "$@" | awk '{ s += $1 } END { print s + 0 }'; }
n_runs() { awk -F'\t' -v s="$1" -v v="$2" 'NR > 1 && $1 == s && $2 == v' "$RUNS_TSV" | wc -l; }
n_failed_runs() { awk -F'\t' -v s="$1" -v v="$2" 'NR > 1 && $1 == s && $2 == v && ($5 != 0 || $9 == "NA")' "$RUNS_TSV" | wc -l; }

declare -A MED
{
	echo "bench-register: $(date -u '+%Y-%m-%d %H:%M UTC'), $REPS rep(s), fresh server per run, servers on CPU ${SERVER_CPUS:-any}, sipp on CPU ${SIPP_CPUS:-any}, nice ${BENCH_NICE:-unchanged}"
	echo "  sipxecs: $("$HARNESS/servers/sipxecs.sh" version), workers=$SX_WORKERS, udp_rcvbuf 4 MiB, malloc tuning $SX_MALLOC_TUNE, bindings in SQLite (WAL, synchronous=FULL, group commit)"
	if case " $SERVERS " in *" kamailio "*) true ;; *) false ;; esac; then
		echo "  kamailio: $("$HARNESS/servers/kamailio.sh" version | sed "s/ *$//"), children=$KAM_CHILDREN, maxbuffer 4 MiB, usrloc in memory (db_mode=0)"
	fi
	printf '%-9s %-9s %6s %6s %10s %9s %9s %7s %7s %7s %9s %7s\n' scenario server rate count "us/op" min max failed "fail-runs" p99_ms srv_cpu% other%
	for scn in $TESTS; do
		for srv in $SERVERS; do
			us=$(col_values "$scn" "$srv" 9 | median)
			MED[$scn.$srv]=$us
			printf '%-9s %-9s %6s %6s %10s %9s %9s %7s %7s %7s %9s %7s\n' "$scn" "$srv" "$(rate_of "$scn")" "$(count_of "$scn")" "$us" \
				"$(col_values "$scn" "$srv" 9 | sort -g | head -1)" "$(col_values "$scn" "$srv" 9 | sort -g | tail -1)" \
				"$(sum_col "$scn" "$srv" 5)" "$(n_failed_runs "$scn" "$srv")/$(n_runs "$scn" "$srv")" \
				"$(col_values "$scn" "$srv" 7 | median)" "$(col_values "$scn" "$srv" 8 | median)" "$(col_values "$scn" "$srv" 10 | median)"
		done
	done
	echo "(us/op: median server CPU microseconds per REGISTER (reg) and per complete authenticated registration, 401 + 200 (reg-auth); failed: sum over the runs)"
	ratio=""
	for scn in $TESTS; do
		r=$(awk -v k="${MED[$scn.kamailio]:-NA}" -v o="${MED[$scn.sipxecs]:-NA}" \
			'BEGIN { if (k == "NA" || o == "NA" || o + 0 <= 0) print "NA"; else printf "%.2f", k / o }')
		ratio+="${ratio:+ }$scn=$r"
		bad=0
		for srv in $SERVERS; do
			[ "$(n_failed_runs "$scn" "$srv")" -eq 0 ] || bad=1
		done
		if [ "$bad" = 1 ]; then
			echo "WARNING: $scn had failed registrations or runs (see $RUNS_TSV): its ratio compares runs with failures"
		fi
	done
	echo "ratio $ratio"
} | tee "$OUT/summary.txt"
# the summary ran in a pipeline subshell: the status comes from its text
status=0
grep -q '^WARNING\|=NA' "$OUT/summary.txt" && status=1
log "runs: $RUNS_TSV, summary: $OUT/summary.txt"
exit $status
