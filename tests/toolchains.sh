#!/bin/sh
# The cross toolchains, when they are built here: compile and run programs
# with them (bootstrap test cross-ARCH). Skipped, saying so, when not built.
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.." || exit 1
for arch in x86_64 armv7l; do
	if ! "$BOOTSTRAP" --offline plan "cross-$arch" 2>/dev/null | grep -q ' 0 to build$'; then
		echo "skip - cross-$arch: not built here (bootstrap stage cross-$arch builds it: about 25 minutes alone on 2 cores)"
		continue
	fi
	"$BOOTSTRAP" --offline test "cross-$arch" 2>&1 | grep -E '^(ok|FAIL|skip) '
done
