#!/usr/bin/env bash
# Each public header must compile on its own (STYLE.md 2.10: guards,
# include what you use).  Usage: check-headers.sh SRC [CC]
set -uo pipefail
src=${1:-.}
cc=${2:-cc}
pass=0 fail=0
while IFS= read -r h; do
	if "$cc" -std=c17 -D_GNU_SOURCE -Wall -Werror -I"$src/include" \
		$(pkg-config --cflags opus 2>/dev/null) \
		-fsyntax-only -x c "$h" 2>/tmp/check-headers.$$; then
		pass=$((pass + 1))
	else
		echo "not self-contained: $h"; cat /tmp/check-headers.$$
		fail=$((fail + 1))
	fi
done < <(find "$src/include" -name '*.h' | sort)
rm -f /tmp/check-headers.$$
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
