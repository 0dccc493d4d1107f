#!/usr/bin/env bash
# Checks that each library layer includes only its own and lower layers'
# public headers (docs/architecture.md, "Layers").  Usage: check-layers.sh SRC
set -uo pipefail
src=${1:-.}
# layer -> layers it may include (besides itself)
declare -A allowed=(
	[util]=""
	[port]="util"
	[store]="util port"
	[sip]="util port"
	[sdp]="util"
	[rtp]="util"
	[codec]="util"
	[media]="util port rtp codec sdp"
)
fail=0
for layer in "${!allowed[@]}"; do
	for dir in "$src/lib/$layer" "$src/include/sx/$layer"; do
		[ -d "$dir" ] || continue
		while IFS=: read -r file line inc; do
			dep=$(sed -E 's|.*<sx/([a-z]+)/.*|\1|' <<<"$inc")
			[ "$dep" = "$layer" ] && continue
			if ! grep -qw "$dep" <<<"${allowed[$layer]}"; then
				echo "$file:$line: layer '$layer' includes <sx/$dep/...>"
				fail=1
			fi
		done < <(grep -rnoE '#include <sx/[a-z]+/' "$dir" --include='*.[ch]' || true)
	done
done
if [ $fail -eq 0 ]; then echo "1 passed, 0 failed"; else echo "0 passed, 1 failed"; fi
exit $fail
