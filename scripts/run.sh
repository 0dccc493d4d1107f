#!/usr/bin/env bash
# Start the PBX in the foreground (the README's `make run`).
set -euo pipefail
build=${1:-build/release}
if [ ! -x "$build/bin/sipxecs" ]; then
	cat >&2 <<'MSG'
sipxecs: the PBX server is not built yet.
This milestone has the SIP message layer and its tests (`make test`).
The registrar and proxy arrive with the registrar issue; `make run`
will then start them in the foreground.
MSG
	exit 1
fi
mkdir -p var
exec "$build/bin/sipxecs" "${@:2}"
