#!/bin/sh
# The cross toolchains and system images, when they are built here: compile
# and run programs with the toolchains (bootstrap test cross-ARCH), boot the
# images and run the tests inside (bootstrap test ARCH). Skipped, saying
# so, when not built.
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.." || exit 1
for arch in x86_64 armv7l; do
	if ! "$BOOTSTRAP" --offline plan "cross-$arch" 2>/dev/null | grep -q ' 0 to build$'; then
		echo "skip - cross-$arch: not built here (bootstrap stage cross-$arch builds it: about 25 minutes alone on 2 cores)"
		continue
	fi
	"$BOOTSTRAP" --offline test "cross-$arch" 2>&1 | grep -E '^(ok|FAIL|skip) '
done
for arch in x86_64 armv7l; do
	if ! "$BOOTSTRAP" --offline plan "image-$arch" 2>/dev/null | grep -q ' 0 to build$'; then
		echo "skip - image-$arch: not built here (bootstrap test $arch builds and boots it)"
		continue
	fi
	"$BOOTSTRAP" --offline test "$arch" > "${TMPDIR:-/tmp}/image.$$" 2>&1
	rc=$?
	grep -E '^(ok|FAIL|skip) ' "${TMPDIR:-/tmp}/image.$$"
	expect "bootstrap test $arch" test $rc -eq 0
	[ $rc -eq 0 ] || tail -20 "${TMPDIR:-/tmp}/image.$$"
	rm -f "${TMPDIR:-/tmp}/image.$$"
done
