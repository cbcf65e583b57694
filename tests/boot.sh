#!/bin/sh
# Boot the simplest system, hello-x86_64, under qemu (bootstrap test
# hello-x86_64). With the cross toolchain built here, the stage uses it;
# without, the host's compiler stands in (--host-toolchain), so that a fresh
# machine checks the kernel build and the boot in minutes, not the hour the
# toolchain takes.
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.." || exit 1
if [ "$(uname -m)" != x86_64 ]; then
	echo "skip - hello-x86_64: this machine is not x86_64"
	exit 0
fi
if ! command -v qemu-system-x86_64 > /dev/null; then
	echo "skip - hello-x86_64: qemu-system-x86_64 is not installed"
	exit 0
fi
how=
if ! "$BOOTSTRAP" --offline plan cross-x86_64 2>/dev/null | grep -q ' 0 to build$'; then
	how=--host-toolchain
	echo "note - hello-x86_64: no cross-x86_64 here, built with the host's compiler"
fi
"$BOOTSTRAP" $how test hello-x86_64 > "${TMPDIR:-/tmp}/boot.$$" 2>&1
rc=$?
grep -E '^(ok|FAIL) ' "${TMPDIR:-/tmp}/boot.$$"
expect "bootstrap $how test hello-x86_64" test $rc -eq 0
[ $rc -eq 0 ] || tail -30 "${TMPDIR:-/tmp}/boot.$$"
rm -f "${TMPDIR:-/tmp}/boot.$$"
