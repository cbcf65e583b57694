#!/bin/sh
# docs/results/rehearse.sh DIR [STAGE...]: a rehearsal of the rebuild at
# native speed, for a target this machine runs natively (x86_64 here):
# the system image's root filesystem (initramfs) unpacked in DIR, the
# project's committed files and its pinned sources beside it, and the
# rebuild's own commands run in a chroot of it, with the system's tools
# only, as the guest runs them under qemu. What fails here would fail in
# the guest hours later; what comes out can be compared with the cross
# build at once. Not the proof (that is the rebuild stage, under qemu,
# with the system's own kernel): a way to find its faults early.
# As root (chroot, mounts in a namespace of its own). Run from the project.
set -eu
D=$1
shift
arch=$(uname -m)
stages=${*:-cross-$arch root-$arch kernel-$arch native-$arch image-$arch}
img=build/out/image-$arch/system-image-$arch
[ -f "$img/initramfs.cpio.gz" ] || { echo "rehearse: no $img (bootstrap stage image-$arch)" >&2; exit 1; }
if [ ! -x "$D/usr/bin/bash" ]; then
	mkdir -p "$D"
	(cd "$D" && zcat "$OLDPWD/$img/initramfs.cpio.gz" | cpio -id --quiet)
	mkdir -p "$D/project" "$D/sources" "$D/build"
	git archive HEAD Makefile bootstrap.c lib stages packages targets patches site | tar -x -C "$D/project"
	cache=${BOOTSTRAP_CACHE:-$HOME/.cache/bootstrap}
	grep -h '^source' packages/* | while read -r _ f _; do cp "$cache/sources/$f" "$D/sources/"; done
fi
exec unshare --mount --pid --fork sh -c "
mount --bind /dev '$D/dev' && mount -t proc proc '$D/proc' && mount -t tmpfs tmp '$D/tmp' &&
exec chroot '$D' /usr/bin/env -i PATH=/usr/bin:/usr/sbin HOME=/build/home LC_ALL=C TZ=UTC /bin/bash -c '
set -o pipefail
cd /build && mkdir -p home && rm -rf runner && cp -R /project runner &&
make -C runner bootstrap > runner.log 2>&1 &&
runner/bootstrap --top runner --work /build/work --cache /build/cache --mirror /sources -j2 \
	--spare-tools stage $stages | cat'"
