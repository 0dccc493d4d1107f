#!/usr/bin/env bash
# Start the PBX in the foreground (the README's `make run`): the supervisor
# (sipxsupervisor) runs here and starts sipxecs, restarts it if it dies,
# and serves the management API (sipxctl status).
#   scripts/run.sh [BUILD_DIR] [-c SIPXECS_CONF]
# sipxecs uses etc/sipxecs.conf when present, else a default configuration
# written to var/sipxecs.conf on the first run; `-c FILE` wins.  The
# supervisor reads $SX_SUP_CONF, else etc/supervisor.conf of the current
# folder, else the one of the source tree; its
# process definitions take the sipxecs binary, configuration and SIP
# address from SX_BIN_DIR, SX_SIPXECS_CONF and SX_SIP_HEALTH (set here).
# Ctrl-C stops everything cleanly (the supervisor gets SIGINT, stops its
# children with SIGTERM and exits).
set -euo pipefail
build=${1:-build/release}
shift || true
for bin in sipxsupervisor sipxecs; do
	if [ ! -x "$build/bin/$bin" ]; then
		echo "run.sh: $build/bin/$bin is not built (try: make run)" >&2
		exit 1
	fi
done
mkdir -p var

conf=
while [ $# -gt 0 ]; do
	case $1 in
	-c | --config)
		[ $# -ge 2 ] || { echo "run.sh: $1 needs a file" >&2; exit 2; }
		conf=$2
		shift 2
		;;
	--config=*)
		conf=${1#--config=}
		shift
		;;
	*)
		echo "run.sh: unknown option '$1' (usage: run.sh [BUILD_DIR]" \
			"[-c SIPXECS_CONF])" >&2
		exit 2
		;;
	esac
done
if [ -z "$conf" ]; then
	if [ -f etc/sipxecs.conf ]; then
		conf=etc/sipxecs.conf
	else
		conf=var/sipxecs.conf
		if [ ! -f "$conf" ]; then
			cat >"$conf" <<'CONF'
# Written by scripts/run.sh on the first run; edit freely
# (docs/admin-guide.md describes every key).
[sip]
bind = 127.0.0.1
port = 5060

[store]
path = ./var/sipxecs.db

[log]
level = info
CONF
			echo "run.sh: wrote a default configuration to $conf" >&2
		fi
	fi
fi

# The [sip] bind (first address) and port of the sipxecs configuration:
# where the supervisor sends its OPTIONS probes.
sip_addr() {
	awk -F= '
		/^[ \t]*\[/ { sec = $0; gsub(/[ \t\[\]]/, "", sec); next }
		sec == "sip" && $1 ~ /^[ \t]*bind[ \t]*$/ {
			v = $2; sub(/#.*/, "", v); gsub(/[ \t]/, "", v)
			split(v, a, ","); bind = a[1]
		}
		sec == "sip" && $1 ~ /^[ \t]*port[ \t]*$/ {
			v = $2; sub(/#.*/, "", v); gsub(/[ \t]/, "", v); port = v
		}
		END {
			if (bind == "" || bind == "0.0.0.0") bind = "127.0.0.1"
			if (bind == "::") bind = "::1"
			if (port == "") port = 5060
			if (bind ~ /:/) bind = "[" bind "]"
			print bind ":" port
		}' "$1"
}

export SX_BIN_DIR
SX_BIN_DIR=$(cd "$build/bin" && pwd)
export SX_SIPXECS_CONF=$conf
export SX_SIP_HEALTH
SX_SIP_HEALTH=$(sip_addr "$conf")
sup_conf=${SX_SUP_CONF:-etc/supervisor.conf}
if [ -z "${SX_SUP_CONF:-}" ] && [ ! -f "$sup_conf" ]; then
	sup_conf=$(dirname "$0")/../etc/supervisor.conf
fi
if [ ! -f "$sup_conf" ]; then
	echo "run.sh: $sup_conf not found (set SX_SUP_CONF)" >&2
	exit 1
fi
# exec: the supervisor is the foreground process and gets Ctrl-C directly.
exec "$build/bin/sipxsupervisor" -c "$sup_conf"
