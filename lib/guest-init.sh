#!/bin/bash
# guest-init.sh: the control disk's /init for a step of a native stage
# (lib/native.c): runs inside the target, with the image's tools only.
# The image's init mounts the control disk on /mnt and runs this; when it
# ends, the machine stops and the host reads its exit status from the
# console. The scratch disk (the one after the control disk: /dev/vdb, or
# sdb on a board with USB disks) is the step's build tree, kept between
# boots: a stopped step boots again on it and goes on.
cd /mnt || exit 1
mkdir -p /scratch
ctl=$(awk '$2 == "/mnt" { print $1 }' /proc/mounts)
root=$(awk '$2 == "/" && $1 ~ /^\/dev\// { print $1 }' /proc/mounts)
scratch=
for d in /dev/vd[a-z] /dev/sd[a-z]; do
	[ -b "$d" ] && [ "$d" != "$ctl" ] && [ "$d" != "$root" ] && scratch=$d && break
done
mount "$scratch" /scratch || { echo "guest: cannot mount the scratch disk (${scratch:-none found})"; exit 1; }

# a boot that did not end here was cut (qemu killed, the host stopped):
# what was being written then may be half there
GUEST_CUT=
[ -e /scratch/.booted ] && GUEST_CUT=1 && echo "guest: the last boot on this disk was cut short"
touch /scratch/.booted
sync
export GUEST_CUT

# What a cut loses is what the kernel had not written yet. Once a minute
# all is synced and /scratch/.synced says since when (a second early, for
# the files' coarser clock): after a cut, only files changed later can be
# half-written, and the runner inside (--synced) drops just those from the
# step it was running instead of starting it over
GUEST_SYNCED=
[ -n "$GUEST_CUT" ] && GUEST_SYNCED=$(cat /scratch/.synced 2> /dev/null)
export GUEST_SYNCED
# (from /: its sleep outlives the kill below, and must not keep the
# control disk busy when the image's init unmounts it)
cd /
while :; do
	t=$(($(date +%s) - 1))
	sync
	echo $t > /scratch/.synced.new && sync && mv /scratch/.synced.new /scratch/.synced
	sleep 60
done > /dev/null 2>&1 &
syncer=$!
cd /mnt

# the step's environment, as the host's runner made it for this step
while IFS= read -r kv; do export "$kv"; done < env
export PATH=/usr/bin:/usr/sbin PROJECT=/mnt/project SOURCES=/mnt/sources
export BUILD=/scratch/build OUT=/scratch/out HOME=/scratch/home
mkdir -p "$BUILD" "$HOME"
# The logs of the runner inside ($BUILD/work/logs) are written in
# /scratch/logs, where the host takes them from after every boot (bootstrap
# guest --logs): a boot cut short by a killed emulator included, which a
# copy made at the end would miss. (A disk from before kept them there.)
mkdir -p "$BUILD/work"
if [ -d "$BUILD/work/logs" ] && [ ! -L "$BUILD/work/logs" ]; then
	rm -rf /scratch/logs && mv "$BUILD/work/logs" /scratch/logs
fi
mkdir -p /scratch/logs
ln -sfn /scratch/logs "$BUILD/work/logs"
# the output is made afresh by every boot; the build tree is kept
rm -rf "$OUT"
mkdir -p "$OUT"

# distcc: the kernel command line's distcc=HOST:PORT/N,... (the image's
# init passes it on as $distcc) names the host's distccd, which serves the
# cross compiler for this target under the names cc, gcc, c++, g++ and
# TARGET-gcc... $DISTCC_LINKS holds those names as links to distcc: put
# first in PATH (the runner's --distcc puts it first in every step's),
# distcc runs as each of them (its masquerade mode), preprocesses here with
# the next one in PATH, the image's compiler, and sends the compile to
# the host under the same name. Configure and linking stay here. Checked
# once: when the host does not answer, compiles stay here, and this says so.
DISTCC_LINKS=
if [ -n "$distcc" ] && command -v distcc > /dev/null; then
	d=/tmp/distcc
	mkdir -p $d/bin /etc/distcc
	# the hosts file, not a variable: the runner's steps start from env -i
	echo "${distcc//,/ }" > /etc/distcc/hosts
	# Each name is a script, not a link, for one setting: distcc renames a
	# bare gcc or g++ to TARGET-gcc when that is in PATH (its cross-compile
	# guess), and so would preprocess a host tool's compile (the kernel's
	# HOSTCC=gcc) with the target's cross compiler and its sysroot, which
	# has not the image's libraries (objtool's libelf). The steps' env -i
	# drops a variable set here, so the scripts set it themselves. Called
	# as $d/bin/NAME, distcc looks for NAME in PATH past $d/bin.
	for c in cc gcc c++ g++ $TARGET-gcc $TARGET-cc $TARGET-g++ $TARGET-c++; do
		printf '#!/bin/bash\nDISTCC_NO_REWRITE_CROSS=1 exec -a %s /usr/bin/distcc "$@"\n' \
			$d/bin/$c > $d/bin/$c
		chmod 755 $d/bin/$c
	done
	# distcc itself, for what is called by path: the runner puts it in
	# front of gcc's just-built xgcc (STAGE_CC_WRAPPER)
	ln -sf /usr/bin/distcc $d/bin/distcc
	echo 'int distcc_probe(int x) { return x + 1; }' > /tmp/probe.c
	if PATH=$d/bin:$PATH DISTCC_FALLBACK=0 DISTCC_DIR=/tmp/distcc cc -c -o /tmp/probe.o /tmp/probe.c 2> /tmp/probe.err; then
		echo "guest: compiles go to the distcc hosts $(cat /etc/distcc/hosts)"
		DISTCC_LINKS=$d/bin
	else
		echo "guest: warning: the distcc hosts $(cat /etc/distcc/hosts) do not answer; compiling here alone"
		head -3 /tmp/probe.err
	fi
fi
export DISTCC_LINKS

cd "$BUILD" || exit 1
echo "guest: $BOOTSTRAP_STAGE $BOOTSTRAP_PACKAGE $BOOTSTRAP_PHASE, $(nproc) CPUs, $(date -u +%FT%TZ)"
# the host asks the guest to stop with a ^C on the console, our terminal:
# the script's processes get it and stop as at any terminal (the runner
# stops its step, make deletes what it was writing); this shell waits for
# them, and the disk is left as after a clean end. (A trap, not an
# ignored signal: that the script would inherit.)
trap 'echo "guest: asked to stop"' INT
bash -e /mnt/script
status=$?
kill $syncer 2> /dev/null
rm -f /scratch/.booted
# unmounted, not only synced: the next boot's fsck then finds the disk
# clean instead of replaying an empty journal
cd /
sync
umount /scratch 2> /dev/null || echo "guest: /scratch stays mounted (busy); it is synced"
exit $status
