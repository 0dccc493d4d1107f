#!/usr/bin/env bash
# Install the Debian 12 packages sipxecs needs for a purpose, if missing.
#   scripts/deps.sh build|test|run|bench|fuzz
# As root it runs apt-get; otherwise it prints the apt-get line to run.
set -euo pipefail

build_pkgs=(cmake make gcc pkg-config gperf libssl-dev libc-ares-dev
	libsqlite3-dev libspandsp-dev libopus-dev libspeexdsp-dev
	libsndfile1-dev libxml2-dev libjansson-dev libxmlrpc-core-c3-dev)
test_pkgs=(python3 xz-utils sip-tester sox espeak-ng baresip baresip-core
	iproute2 procps)
bench_pkgs=(libosip2-dev libsofia-sip-ua-dev kamailio time util-linux
	sip-tester valgrind)
fuzz_pkgs=(clang libclang-rt-14-dev)

want=()
for purpose in "${@:-build}"; do
	case "$purpose" in
	build|run) want+=("${build_pkgs[@]}") ;;
	test) want+=("${build_pkgs[@]}" "${test_pkgs[@]}") ;;
	bench) want+=("${build_pkgs[@]}" "${bench_pkgs[@]}") ;;
	fuzz) want+=("${build_pkgs[@]}" "${fuzz_pkgs[@]}") ;;
	*) echo "deps.sh: unknown purpose '$purpose'" >&2; exit 2 ;;
	esac
done

missing=()
for p in $(printf '%s\n' "${want[@]}" | sort -u); do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[[ "$st" == "install ok installed" ]] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "sipxecs needs these Debian packages:" >&2
	echo "  sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi
echo "deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y --no-install-recommends "${missing[@]}"; then
	apt-get update
	apt-get install -y --no-install-recommends "${missing[@]}"
fi
