#!/bin/sh
# The guest module (bootstrap guest), with the system image when it is
# built here: a script runs inside with the image's tools alone; a guest
# killed in the middle boots again on its scratch disk and goes on from
# what it had finished; one asked to stop gets a ^C and stops cleanly; a
# guest that stays silent is stopped.
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.." || exit 1
# the first system built here of these: any serves
arch=$(firstbuilt image x86_64 armv7l)
if [ -z "$arch" ]; then
	echo "skip - guest: no image-x86_64 or image-armv7l is built here (bootstrap test ARCH builds it)"
	exit 0
fi
T=${TMPDIR:-/tmp}/bootstrap-guest.$$
trap '[ -n "$KEEP" ] || rm -rf "$T"' EXIT
mkdir -p "$T/ctl"
# cached, but perhaps by a run with another work tree: its output into this one's
"$BOOTSTRAP" --offline stage image-$arch > "$T/stage" 2>&1
expect "guest: image-$arch is in this work tree" test $? -eq 0
img=build/out/image-$arch/system-image-$arch

# one boot: the host's tools are not there, the system's are
cat > "$T/ctl/init" <<'S'
#!/bin/bash
for c in apt-get dpkg python3 perl; do command -v $c > /dev/null && echo "HOST TOOL $c"; done
ls /work /root/.cache 2> /dev/null && echo "HOST FILES"
echo "guest sees: $(uname -m) $(cat /proc/cmdline | grep -o 'console=[a-zA-Z0-9]*')"
# a marker of its own: a kernel message can land at the start of a line
echo "compiler: $(gcc --version | head -1)"
exit 7
S
chmod 755 "$T/ctl/init"
"$BOOTSTRAP" guest "$img" "$T/ctl" --silence 300 > "$T/one" 2>&1
rc=$?
expect "guest: the script's exit status is the command's (7)" test $rc -eq 7
expect "guest: no host tool or file reaches it" sh -c "! grep -q 'HOST' '$T/one'"
expect "guest: it runs in the target, with the image's compiler" sh -c "grep -q 'guest sees: $arch' '$T/one' && grep -q 'compiler: gcc (GCC) ' '$T/one'"

# a guest killed in the middle of its work: the scratch disk keeps what
# it had finished, and the next boot goes on from there
cat > "$T/ctl/init" <<'S'
#!/bin/bash
mkdir -p /scratch && mount /dev/vdb /scratch || exit 1
boots=$(( $(cat /scratch/boots 2> /dev/null || echo 0) + 1 ))
echo $boots > /scratch/boots
sync
if [ -e /scratch/first-done ]; then
	echo "boot $boots: the first half was done; doing the second"
	echo second > /scratch/second-done
	sync
	exit 0
fi
echo first > /scratch/first-done
sync
echo "boot $boots: first half done, working on the second"
sleep 100000
S
"$BOOTSTRAP" guest "$img" "$T/ctl" --scratch "$T/scratch.img" --size 64 > "$T/two" 2>&1 &
pid=$!
waitfor "$T/two" "first half done" 300
kill -9 $pid
pkill -9 -f "file=$T/scratch.img" 2> /dev/null
sleep 1
# named from where it is (the emulator runs in the image's directory)
(cd "$T" && "$BOOTSTRAP" guest "$OLDPWD/$img" ctl --scratch scratch.img) > "$T/three" 2>&1
rc=$?
expect "guest: killed, it boots again on its scratch disk (named from here) and goes on" sh -c "test $rc -eq 0 && grep -q 'boot 2: the first half was done' '$T/three'"
debugfs -R "cat /second-done" "$T/scratch.img" > "$T/got" 2> /dev/null
expect "guest: what it wrote is on the scratch disk, read without root" grep -qx second "$T/got"

# asked to stop (as the runner stops a step): the script gets a ^C at its
# terminal, as at any terminal, finishes what it does on one, and the
# machine shuts down cleanly: its exit status comes back, no cut
cat > "$T/ctl/init" <<'S'
#!/bin/bash
mkdir -p /scratch && mount /dev/vdb /scratch || exit 1
trap 'echo "script: got a ^C"; echo cleanly > /scratch/stopped; mkdir -p /scratch/logs; echo logged > /scratch/logs/step.log; sync; exit 130' INT
echo "script: working"
sleep 100000
S
"$BOOTSTRAP" guest "$img" "$T/ctl" --scratch "$T/scratch.img" --logs "$T/logs" > "$T/stop" 2>&1 &
pid=$!
waitfor "$T/stop" "script: working" 300
kill -TERM $pid
wait $pid
rc=$?
expect "guest: asked to stop, it is sent a ^C and says so" grep -q "asking the guest to stop" "$T/stop"
expect "guest: the ^C reaches the script at its terminal" grep -q "script: got a ^C" "$T/stop"
expect "guest: it ends on its own, its status read, the command failing" sh -c "test $rc -ne 0 && grep -q 'control script exited with status 130' '$T/stop' && ! grep -q 'cutting it off' '$T/stop'"
debugfs -R "cat /stopped" "$T/scratch.img" > "$T/got" 2> /dev/null
expect "guest: what the script did on the ^C is on its disk" grep -qx cleanly "$T/got"
expect "guest: its logs come back, stopped as it was" sh -c "grep -qx logged '$T/logs/step.log' && grep -q 'its logs are in $T/logs' '$T/stop'"

# a native stage (context native): its steps run in the guest, and one
# stopped in the middle goes on when the stage runs again, its finished
# step cached. The image stage here stands for the real one (a link to it)
P=$T/proj
newproject "$P"
cp -R Makefile bootstrap.c lib "$P/"
cp targets/$arch "$P/targets/"
printf 'context host\ntools sh ln mkdir\nbuild img\n' > "$P/stages/image"
printf 'version 1\nepoch 1\nphase build\n\tln -s %s $OUT/system-image-%s\n' "$PWD/$img" $arch > "$P/packages/img"
printf 'context native\nneeds image\n# what the guest module runs here: the emulator, its disks\ntools sh bash $QEMU dirname date cp find du truncate mke2fs e2fsck debugfs\nbuild tiny\n' > "$P/stages/tiny"
cat > "$P/packages/tiny" <<'R'
version 1
epoch 1
phase one
	echo "one: in $(uname -m)" > $OUT/one
phase two
	# $BUILD is on the guest's scratch disk, kept between boots
	boots=$(( $(cat $BUILD/boots 2> /dev/null || echo 0) + 1 ))
	echo $boots > $BUILD/boots
	# a runner inside says its steps like this: the host shows it
	if [ $boots = 3 ]; then
		echo "[1/1] inner-$ARCH x build 0:01"
		echo "cut: ${GUEST_CUT:-no}, synced at ${GUEST_SYNCED:-never}"
		echo two > $OUT/two
		exit 0
	fi
	# and logs in $BUILD/work/logs: back on the host after every boot
	echo "logged in boot $boots" > $BUILD/work/logs/two.log
	sync
	echo "two: boot $boots"
	sleep 100000
R
# the first boot stopped (TERM to the runner), the second cut (qemu killed)
bsbg -j1 stage tiny-$arch > "$T/n1" 2>&1
pid=$!
waitfor "$P/build/logs/tiny-$arch/tiny.two.log" "two: boot 1" 400
kill -TERM $pid
wait $pid
bsbg -j1 stage tiny-$arch > "$T/n2" 2>&1
pid=$!
waitfor "$P/build/logs/tiny-$arch/tiny.two.log" "two: boot 2" 400
pkill -KILL -f "qemu-system-.*$P/build/guest/tiny-$arch.img"
wait $pid
rc=$?
expect "native stage: a killed emulator fails the step, saying so" sh -c "test $rc -ne 0 && grep -q 'the emulator ended (signal 9)' '$T/n2'"
expect "native stage: the logs of a boot cut short come back" grep -qx "logged in boot 2" "$P/build/logs/tiny-$arch/guest/two.log"
t0=$(date +%s)
bs -j1 stage tiny-$arch > "$T/n3" 2>&1
rc=$?
synced=$(sed -n 's/.*cut: 1, synced at \([0-9]*\).*/\1/p' "$P/build/logs/tiny-$arch/tiny.two.log" | head -1)
expect "native stage: after the cut, the step is told when the guest last synced" sh -c "test -n '$synced' && test '$synced' -le $t0 && test '$synced' -ge $((t0 - 900))"
# the cut boot left a journal to replay, the clean end none: the guest
# unmounts its disk before the host reads the output off it
expect "native stage: the guest ends with its disks unmounted (no journal to replay, none busy)" sh -c "test \$(grep -c 'recovering journal' '$P/build/logs/tiny-$arch/tiny.two.log') -eq 1 && ! grep -q 'Resource busy' '$P/build/logs/tiny-$arch/tiny.two.log'"
expect "native stage: its steps ran in the target" sh -c "grep -qx 'one: in $arch' '$P/build/out/tiny-$arch/one'"
expect "native stage: stopped in its second step, and cut, run again it goes on there, the first cached" sh -c "test $rc -eq 0 && grep -q '^\[1/1\] tiny-$arch tiny two' '$T/n3' && ! grep -q 'tiny one' '$T/n3' && grep -qx two '$P/build/out/tiny-$arch/two'"
expect "native stage: the guest's own step lines are shown on the host as they come" sh -c "grep -qx '    \[1/1\] inner-$arch x build 0:01' '$T/n3' && grep -q '^    guest: tiny-$arch tiny two, ' '$T/n3'"

# distcc in a native step: a bare gcc goes to the host as gcc. distcc
# would rename it TARGET-gcc when one is in PATH (its cross-compile
# guess) and preprocess with that: here a decoy that fails, as the
# rebuild's own cross compiler did for the kernel's host tools
if isbuilt cross-$arch; then
	# cached: its output into this work tree
	"$BOOTSTRAP" --offline stage cross-$arch > "$T/xc" 2>&1
	printf 'context host\ntools sh ln mkdir\nbuild xc\n' > "$P/stages/cross"
	printf 'version 1\nepoch 1\nphase build\n\tln -s %s/build/out/cross-%s/* $OUT/\n' "$PWD" $arch > "$P/packages/xc"
	printf 'context native\nneeds image cross\ntools sh bash $QEMU dirname date cp find du truncate mke2fs e2fsck debugfs distccd\nbuild dcc\n' > "$P/stages/dcc"
	cat > "$P/packages/dcc" <<'R'
version 1
epoch 1
phase build
	mkdir -p decoy $OUT
	printf '#!/bin/sh\necho decoy >&2\nexit 1\n' > decoy/$HOST-gcc
	chmod 755 decoy/$HOST-gcc
	echo 'int f(void) { return 1; }' > t.c
	# no fallback: compiled on the host, or not at all
	PATH=$DISTCC_LINKS:$PWD/decoy:$PATH DISTCC_FALLBACK=0 gcc -c t.c -o t.o
	test -s t.o && echo "compiled by the host" > $OUT/dcc
	# gcc's build calls its just-built compiler by path, behind distcc
	# (STAGE_CC_WRAPPER): the host compiles it, the same bytes as here
	mkdir -p gcc && ln -s $(command -v gcc) gcc/xgcc
	DISTCC_FALLBACK=0 $DISTCC_LINKS/distcc $PWD/gcc/xgcc -O2 -c t.c -o x.o
	gcc -O2 -c t.c -o here.o
	cmp x.o here.o && echo "by path, the same bytes" > $OUT/xgcc
R
	bs -j1 stage dcc-$arch > "$T/dcc" 2>&1
	rc=$?
	expect "distcc in the guest: a bare gcc is compiled on the host as gcc, not as a TARGET-gcc found in PATH" sh -c "test $rc -eq 0 && grep -qx 'compiled by the host' '$P/build/out/dcc-$arch/dcc' && grep -q 'guest: compiles go to the distcc hosts' '$P/build/logs/dcc-$arch/dcc.build.log'"
	expect "distcc in the guest: a just-built compiler called by path is compiled on the host (no fallback), the same bytes as the guest's" grep -qx 'by path, the same bytes' "$P/build/out/dcc-$arch/xgcc"
	expect "distcc in the guest: distccd's log is kept with the step's logs, its compiles named" sh -c "grep -q 'COMPILE_OK.*xgcc t.c' '$P/build/logs/dcc-$arch/guest/distccd.log'"

	# more machines: a guest given another machine's distccd (--hosts),
	# here a bootstrap serve on this one, reached as 10.0.2.2 through
	# qemu; no distccd of the guest's own (no --cross)
	port=$((20000 + ($$ + 7) % 20000))
	rm -f build/serve/$arch/distccd.log # appended to: this run's alone
	"$BOOTSTRAP" --offline -j1 serve $arch --port $port > "$T/serve" 2>&1 &
	spid=$!
	waitfor "$T/serve" "--distcc-hosts" 120
	cat > "$T/ctl/init" <<'S'
#!/bin/bash
echo 'int helper(int x) { return x + 2; }' > /tmp/h.c
mkdir -p /tmp/dcc
echo "guest: its distcc hosts: $distcc"
DISTCC_HOSTS="${distcc//,/ }" DISTCC_FALLBACK=0 DISTCC_NO_REWRITE_CROSS=1 DISTCC_DIR=/tmp/dcc \
	distcc gcc -O2 -c /tmp/h.c -o /tmp/h.o && echo "compiled by the helper"
S
	chmod 755 "$T/ctl/init"
	"$BOOTSTRAP" guest "$img" "$T/ctl" --silence 300 --hosts 10.0.2.2:$port/1 > "$T/helper" 2>&1
	kill -INT $spid
	wait $spid
	expect "more distcc hosts: a guest compiles on another machine's bootstrap serve (no fallback)" sh -c "grep -q 'guest: its distcc hosts: 10.0.2.2:$port/1' '$T/helper' && grep -q 'compiled by the helper' '$T/helper' && grep -q 'COMPILE_OK.*h.c' build/serve/$arch/distccd.log"
else
	echo "skip - distcc in the guest: cross-$arch is not built here"
fi

# silent too long: stopped, and said so
printf '#!/bin/bash\nsleep 100000\n' > "$T/ctl/init"
"$BOOTSTRAP" guest "$img" "$T/ctl" --silence 45 > "$T/four" 2>&1
rc=$?
expect "guest: a silent guest is stopped, with a message and a failure" sh -c "test $rc -ne 0 && grep -q 'no output for 45 s' '$T/four'"
passed
