# tests/sdcard.sh: a Raspberry Pi's SD card image (patches/image/sdcard.sh):
# the partition table a board and the kernel read, the FAT boot partition
# with what the firmware looks for, the root file system whole as the
# second partition, a size qemu's -sd takes, and the same bytes again at
# another time and in another time zone.
. "$(dirname "$0")/lib.sh"
T=${TMPDIR:-/tmp}/bootstrap-sdcard.$$
rm -rf "$T"
mkdir -p "$T/a" "$T/b"
sd=$PWD/patches/image/sdcard.sh
# the image stage's tools alone, as its steps see them (its airlock)
mkdir -p "$T/bin"
for t in $(sed -n 's/^tools //p' stages/image); do
	p=$(command -v "$t") && ln -s "$p" "$T/bin/$t"
done
cd "$T" || exit 1
head -c 3000000 /dev/urandom > linux
echo dtb > board.dtb
truncate -s 40M root.ext2
mke2fs -q -F -t ext2 root.ext2
(cd a && SOURCE_DATE_EPOCH=1735689600 PATH=$T/bin "$T/bin/sh" $sd card.img ../linux kernel8.img ../board.dtb ../root.ext2 0a1b2c3d "console=ttyAMA0 root=PARTUUID=0a1b2c3d-02") 2> err
expect "the card is written without a word" test -s a/card.img -a ! -s err
expect "its size is a power of two (128 MiB)" test "$(stat -c %s a/card.img)" -eq 134217728
sfdisk -d a/card.img > table
expect "an MBR with the disk identifier asked for" grep -q '^label-id: 0x0a1b2c3d' table
expect "partition 1: FAT32 (LBA), bootable, at 1 MiB" grep -q 'card.img1 : start= *2048, size= *131072, type=c, bootable' table
expect "partition 2: Linux, after it, as large as the root" grep -q 'card.img2 : start= *133120, size= *81920, type=83' table
export MTOOLSRC=/dev/null
mdir -b -i a/card.img@@1M :: | sort > files
expect "the boot partition holds the kernel by the firmware's name, the device tree, config.txt, cmdline.txt" \
	test "$(tr '\n' ' ' < files)" = "::/board.dtb ::/cmdline.txt ::/config.txt ::/kernel8.img "
mcopy -i a/card.img@@1M ::kernel8.img k
expect "the kernel in it is the kernel" cmp -s k linux
mtype -i a/card.img@@1M ::config.txt > config
expect "config.txt: a 64-bit kernel, both names" test "$(tr '\n' ' ' < config)" = "arm_64bit=1 kernel=kernel8.img device_tree=board.dtb enable_uart=1 "
expect "cmdline.txt: the root by its partition's id" test "$(mtype -i a/card.img@@1M ::cmdline.txt)" = "console=ttyAMA0 root=PARTUUID=0a1b2c3d-02"
expect "the FAT's serial number is the id" sh -c "mdir -i a/card.img@@1M :: | grep -q 'Serial Number is 0A1B-2C3D'"
expect "the root file system is partition 2, byte for byte" cmp -s -n 41943040 -i 68157440:0 a/card.img root.ext2
sleep 1
(cd b && TZ=AUD-14:30 SOURCE_DATE_EPOCH=1735689600 PATH=$T/bin "$T/bin/sh" $sd card.img ../linux kernel8.img ../board.dtb ../root.ext2 0a1b2c3d "console=ttyAMA0 root=PARTUUID=0a1b2c3d-02")
expect "another time and time zone, the same card" cmp -s a/card.img b/card.img
cd / && rm -rf "$T"
passed
