#!/bin/sh
# tests/stages/hello.sh DIR: boot DIR/linux with DIR/initramfs.cpio.gz under
# qemu (bootstrap test hello-ARCH) and look for the init's line.
D=${1:?usage: hello.sh DIR}
: "${ARCH:?}" "${QEMU:?}" "${CONSOLE:?}" "${BOARD:=$ARCH}"
. "$(dirname "$0")/../lib.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
start=$(date +%s%N)
# a board of a fixed size keeps it (raspi2b: 1 GiB); a board's device tree
mem=-m
[ "$QEMU_FIXED_SIZE" = yes ] && mem=
timeout 120 "$QEMU" ${QEMU_MACHINE:+-M "$QEMU_MACHINE"} ${QEMU_CPU:+-cpu "$QEMU_CPU"} \
	${mem:+-m 256} ${DTB:+-dtb "$D/${DTB##*/}"} \
	-nographic -no-reboot -kernel "$D/linux" -initrd "$D/initramfs.cpio.gz" \
	-append "console=$CONSOLE panic=1 quiet" < /dev/null > "$T/console" 2>&1
rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
tr -d '\r' < "$T/console" > "$T/log"
if [ $rc -eq 124 ]; then
	fail "hello-$BOARD boots" "qemu did not stop within 120 s; last console lines: $(tail -5 "$T/log")"
	exit 1
fi
expect "hello-$BOARD: qemu ends by itself (exit $rc)" test $rc -eq 0
expect "hello-$BOARD: init prints its line (in $ms ms)" grep -q "hello from $ARCH, Linux [0-9]" "$T/log"
grep -o "hello from.*" "$T/log" || tail -20 "$T/log"
passed
