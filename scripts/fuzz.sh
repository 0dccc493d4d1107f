#!/usr/bin/env bash
# Run every libFuzzer target of a build for a bounded time each.
#   scripts/fuzz.sh BUILD_DIR SECONDS
# Each bin/fuzz_* runs with -max_total_time=SECONDS on its corpus:
# new inputs go to BUILD_DIR/fuzz-corpus/<target> (never the source tree),
# the committed tests/fuzz/corpus/<target> and the seed folders CMake gave
# its replay test are read.  SIP targets get the SIP dictionaries.  Crash
# files land in BUILD_DIR/fuzz-crash/<target>/; copy real crashers into
# tests/fuzz/corpus/<target>/ so CTest replays them.
# Last line: "N passed, N failed" (failed = crashed); exit 1 on a crash.
set -uo pipefail

if [ $# -ne 2 ] || ! [[ "$2" =~ ^[0-9]+$ ]]; then
	echo "usage: $0 BUILD_DIR SECONDS" >&2
	exit 2
fi
build=$(cd "$1" && pwd) || exit 2
secs=$2
root=$(cd "$(dirname "$0")/.." && pwd)
# Same default as tests/CMakeLists.txt; the cache value wins.
shared=$(sed -n 's/^SX_SHARED_DIR:PATH=//p' "$build/CMakeCache.txt" 2>/dev/null)
shared=${shared:-$root/../shared}
# libFuzzer stops by itself; this is only the guard against a wedge.
grace=60
max_len_msg=65535

# The two SIP dictionaries merged into one file (libFuzzer takes one -dict).
sip_dict() {
	local out=$build/fuzz-dict/sip.dict
	mkdir -p "$build/fuzz-dict"
	cat "$shared/testdata/fuzz/sip.dict" \
	    "$shared/testdata/fuzz/sip-extra.dict" >"$out" || return 1
	echo "$out"
}

# Seed folders of a target: the arguments of its CTest replay test.
seed_dirs() {
	ctest --test-dir "$build" -R "^$1\.replay\$" --show-only=json-v1 \
	    2>/dev/null | python3 -c '
import json, sys
for t in json.load(sys.stdin).get("tests", []):
    for a in t["command"][1:]:
        print(a)'
}

# Source library of a target: tests/fuzz/<lib>/<target>.c
target_lib() {
	local src
	for src in "$root"/tests/fuzz/*/"$1.c"; do
		[ -f "$src" ] && basename "$(dirname "$src")" && return
	done
}

passed=0 failed=0
shopt -s nullglob
targets=("$build"/bin/fuzz_*)
if [ ${#targets[@]} -eq 0 ]; then
	echo "fuzz.sh: no fuzz_* targets in $build/bin" >&2
	echo "0 passed, 0 failed"
	exit 1
fi
for bin in "${targets[@]}"; do
	[ -x "$bin" ] || continue
	t=$(basename "$bin")
	work=$build/fuzz-corpus/$t
	crash=$build/fuzz-crash/$t
	committed=$root/tests/fuzz/corpus/$t
	mkdir -p "$work" "$crash" "$committed"
	dirs=("$committed")
	while IFS= read -r d; do
		[ -d "$d" ] && [ "$d" != "$committed" ] && dirs+=("$d")
	done < <(seed_dirs "$t")
	opts=(-max_total_time="$secs" -print_final_stats=1
	      -artifact_prefix="$crash/")
	if [ "$(target_lib "$t")" = sip ]; then
		dict=$(sip_dict) && opts+=(-dict="$dict")
	fi
	[ "$t" = fuzz_msg ] && opts+=("-max_len=$max_len_msg")
	log=$build/fuzz-crash/$t.log
	timeout $((secs + grace)) "$bin" "${opts[@]}" "$work" "${dirs[@]}" \
		>"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n1)
	if [ $rc -eq 0 ]; then
		passed=$((passed + 1))
		echo "$t: ok, ${execs:-?} executions, ${cov:-cov: ?}," \
		     "corpus $(find "$work" -type f | wc -l) in $work"
	else
		failed=$((failed + 1))
		file=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n1)
		echo "$t: FAILED (exit $rc), ${execs:-?} executions," \
		     "crash file: ${file:-none}, log: $log"
		grep -m1 -E '^==[0-9]+==ERROR|^SUMMARY|deadly signal|timeout' \
			"$log" | sed 's/^/  /'
		# the first frames of our code (not libFuzzer, sanitizer, libc)
		grep -E '^ +#[0-9]+ .* in ' "$log" |
			grep -vE 'fuzzer::|__sanitizer|libc\.so|nptl/|signal/|stdlib/' |
			head -n 6 | sed 's/^ */  /'
	fi
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
