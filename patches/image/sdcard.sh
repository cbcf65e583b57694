#!/bin/sh
# sdcard.sh CARD KERNEL NAME DTB ROOT ID CMDLINE: writes CARD, the SD card
# image of a Raspberry Pi: an MBR partition table (disk identifier ID, so
# that partition 2 is root=PARTUUID=ID-02), a FAT32 boot partition as the
# board's firmware reads it (the kernel as NAME, the device tree DTB,
# config.txt naming both, cmdline.txt holding CMDLINE) and the root file
# system ROOT (an ext2 image) as partition 2. The card's size is a power
# of two, which qemu's -sd requires. No root privileges: mtools writes the
# FAT, sfdisk the table, dd the partitions into the card.
#
# Reproducible: every file's time is $SOURCE_DATE_EPOCH (mtools takes the
# volume's and the directory entries' times from it), in UTC (FAT stores
# local times), and the FAT's serial number is ID.
set -e
card=$1 kernel=$2 name=$3 dtb=$4 root=$5 id=$6 cmdline=$7
export TZ=UTC MTOOLSRC=/dev/null MTOOLS_SKIP_CHECK=1

mib=1048576
boot=64                 # MiB: the firmware's files and a kernel, with room
rootmib=$((($(stat -c %s "$root") + mib - 1) / mib))
size=1
while [ $size -lt $((1 + boot + rootmib)) ]; do
	size=$((size * 2))
done

mkdir -p card
cp "$kernel" "card/$name"
cp "$dtb" card/
# the firmware's settings: the kernel and mainline's device tree by name
# (its own default names differ), a 64-bit kernel as kernel8.img
{
	[ "$name" != kernel8.img ] || echo arm_64bit=1
	echo "kernel=$name"
	echo "device_tree=${dtb##*/}"
	echo enable_uart=1
} > card/config.txt
echo "$cmdline" > card/cmdline.txt
touch -d "@$SOURCE_DATE_EPOCH" card/*

truncate -s $((boot * mib)) boot.vfat
mformat -i boot.vfat -F -H 2048 -N "$id" -v BOOT ::
(cd card && mcopy -m -i ../boot.vfat $(ls) ::)

: > "$card"  # a kept tree's old card: emptied, not grown over
truncate -s $((size * mib)) "$card"
sfdisk -q "$card" <<EOF
label: dos
label-id: 0x$id
unit: sectors
2048,$((boot * 2048)),c,*
$(((1 + boot) * 2048)),$((rootmib * 2048)),83
EOF
# the partitions' contents after the table (sfdisk, finding file systems
# where it makes partitions, would say so)
dd if=boot.vfat of="$card" bs=$mib seek=1 conv=notrunc status=none
dd if="$root" of="$card" bs=$mib seek=$((1 + boot)) conv=notrunc status=none
