#!/usr/bin/env bash
# Start the PBX in the foreground (the README's `make run`).
#   scripts/run.sh [BUILD_DIR] [sipxecs options...]
# Uses etc/sipxecs.conf when present, else writes a default configuration
# to var/sipxecs.conf on the first run; `-c FILE` among the options wins.
# Ctrl-C stops the server cleanly (it gets SIGINT and exits by itself).
set -euo pipefail
build=${1:-build/release}
shift || true
bin=$build/bin/sipxecs
if [ ! -x "$bin" ]; then
	echo "run.sh: $bin is not built (try: make run)" >&2
	exit 1
fi
mkdir -p var

conf=
for arg in "$@"; do
	case $arg in
	-c | --config | --config=*) conf=given ;;
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
	set -- -c "$conf" "$@"
fi
# exec: the server is the foreground process and gets Ctrl-C directly.
exec "$bin" "$@"
