#!/bin/sh
# Boot the simplest system, hello-x86_64, under qemu (bootstrap test
# hello-x86_64): with the project's toolchain when it and the kernel are
# built here already, else with the host's compiler (--host-toolchain), so
# that a fresh machine checks the kernel recipe and the boot in minutes,
# not the half hour the cross toolchain takes.
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
how=--host-toolchain
isbuilt cross-x86_64 && isbuilt kernel-x86_64 && how=
"$BOOTSTRAP" $how test hello-x86_64 > "${TMPDIR:-/tmp}/boot.$$" 2>&1
rc=$?
grep -E '^(ok|FAIL) ' "${TMPDIR:-/tmp}/boot.$$"
expect "bootstrap ${how:+$how }test hello-x86_64" test $rc -eq 0
[ $rc -eq 0 ] || tail -30 "${TMPDIR:-/tmp}/boot.$$"
rm -f "${TMPDIR:-/tmp}/boot.$$"
