#!/bin/sh
# run-emulator.sh: boots this bootstrap system (@ARCH@) under qemu, its
# serial console on this terminal. Type exit in the shell to stop it.
#
#   HDB=FILE          attach FILE as a writable second disk (/dev/vdb with
#                     ROOT=ext2, else /dev/vda); made, ext2, if missing
#   HDBMEGS=N         the size of a second disk made here (default 2048)
#   ROOT=ext2         boot from a copy of root.ext2 instead of the initramfs
#   QEMU_EXTRA=...    more qemu options; KERNEL_EXTRA=... more kernel options
cd "$(dirname "$0")" || exit 1

disks= append="console=@CONSOLE@ panic=1 hosttime=$(date +%s) $KERNEL_EXTRA"
if [ "$ROOT" = ext2 ]; then
	cp root.ext2 root-rw.ext2 || exit 1
	disks="-drive file=root-rw.ext2,format=raw,if=virtio"
	append="root=/dev/vda rw $append"
	initrd=
else
	initrd="-initrd initramfs.cpio.gz"
fi
if [ -n "$HDB" ]; then
	if [ ! -e "$HDB" ]; then
		truncate -s "${HDBMEGS:-2048}M" "$HDB" && mke2fs -q -t ext2 "$HDB" || exit 1
	fi
	disks="$disks -drive file=$HDB,format=raw,if=virtio"
fi

exec @QEMU@ @MACHINE@ @CPU@ @QEMU_FLAGS@ -nographic -no-reboot \
	-kernel linux $initrd -append "$append" $disks \
	-netdev user,id=net0 -device virtio-net-pci,netdev=net0 $QEMU_EXTRA
