#!/bin/sh
# Boot the simplest system, hello-x86_64, under qemu (bootstrap test
# hello-x86_64), its kernel and init built by the host's compiler
# (--host-toolchain): a fresh machine checks the kernel recipe and the boot
# in minutes, not the half hour the cross toolchain takes. The same stage
# with the project's toolchain is `bootstrap test hello-x86_64`.
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
"$BOOTSTRAP" $how test hello-x86_64 > "${TMPDIR:-/tmp}/boot.$$" 2>&1
rc=$?
grep -E '^(ok|FAIL) ' "${TMPDIR:-/tmp}/boot.$$"
expect "bootstrap $how test hello-x86_64" test $rc -eq 0
[ $rc -eq 0 ] || tail -30 "${TMPDIR:-/tmp}/boot.$$"
rm -f "${TMPDIR:-/tmp}/boot.$$"
