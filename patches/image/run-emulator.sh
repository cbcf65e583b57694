#!/bin/sh
# run-emulator.sh: boots this bootstrap system (@ARCH@) under qemu, its
# serial console on this terminal. Type exit in the shell to stop it.
#
#   HDB=FILE          attach FILE as a writable second disk (/dev/vdb with
#                     ROOT=ext2, else /dev/vda; sd* on a board with USB
#                     disks); made, ext2, if missing
#   HDC=FILE          one more disk, after it
#   HDBMEGS=N         the size of a second disk made here (default 2048)
#   CPUS=N MEM=MIB    the machine's CPUs and memory (1 and 1024 unless
#                     set; a board of a fixed size keeps its own)
#   ROOT=ext2         boot from a copy of root.ext2 instead of the initramfs
#   ROOT=sdcard       boot from a copy of the SD card image, sdcard.img (the
#                     default of a board that has one)
#   ROOT=initramfs    the root filesystem in memory (the default otherwise)
#   QEMU_EXTRA=...    more qemu options; KERNEL_EXTRA=... more kernel options
cd "$(dirname "$0")" || exit 1

# this machine: how its disks attach (virtio, or USB on a board without
# PCI), and whether qemu fixes its CPUs and memory
disk_if=@DISK@ fixed_size=@FIXED@
# a board booting from an SD card: its card's disk identifier, which
# names the root partition
card=@CARDID@

# a disk, attached as this machine does; the init waits for the number
# given as disks=
n=0 disks=
disk() {
	n=$((n + 1))
	case $disk_if in
	usb) disks="$disks -drive file=$1,format=raw,if=none,id=disk$n -device usb-storage,drive=disk$n" ;;
	*) disks="$disks -drive file=$1,format=raw,if=virtio" ;;
	esac
}

append="console=@CONSOLE@ panic=1 hosttime=$(date +%s) $KERNEL_EXTRA"
initrd= sd=
case ${ROOT:-${card:+sdcard}} in
ext2)
	cp root.ext2 root-rw.ext2 || exit 1
	disk root-rw.ext2
	append="root=/dev/@ROOTDEV@ rw rootwait $append" ;;
sdcard)
	cp sdcard.img sdcard-rw.img || exit 1
	sd="-drive file=sdcard-rw.img,format=raw,if=sd"
	append="root=PARTUUID=$card-02 rw rootwait $append" ;;
*)
	initrd="-initrd initramfs.cpio.gz" ;;
esac
if [ -n "$HDB" ]; then
	if [ ! -e "$HDB" ]; then
		truncate -s "${HDBMEGS:-2048}M" "$HDB" && mke2fs -q -t ext2 "$HDB" || exit 1
	fi
	disk "$HDB"
fi
[ -n "$HDC" ] && disk "$HDC"
[ $n -gt 0 ] && append="$append disks=$n"

# 1 GiB unless MEM says: the root filesystem, native compiler included,
# lives in RAM (initramfs)
size="${CPUS:+-smp $CPUS} -m ${MEM:-1024}"
[ $fixed_size = yes ] && size=
exec @QEMU@ @MACHINE@ @CPU@ @QEMU_FLAGS@ $size -nographic -no-reboot \
	-kernel linux @DTB@ $initrd -append "$append" $sd $disks \
	-netdev user,id=net0 -device @NET@,netdev=net0 $QEMU_EXTRA
