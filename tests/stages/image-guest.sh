#!/bin/bash
# Runs inside the booted system, from the control disk (tests/stages/image.sh
# puts it there as /init): checks the system with its own tools, prints
# "ok -"/"FAIL -" lines on the console and writes them to the disk too.
cd /mnt || exit 1
exec > >(tee /mnt/results) 2>&1
tee=$!
arch=$(cat arch)

t() {
	local name=$1
	shift
	if "$@" > /tmp/t.out 2>&1; then
		echo "ok - guest $arch: $name"
	else
		echo "FAIL - guest $arch: $name: $(head -c 300 /tmp/t.out)"
		failed=1
	fi
}

# a long check: its output shown as it comes, indented (not a check's
# line). The host stops a guest that says nothing for minutes, and a slow
# board's compiles are not silence.
tv() {
	local name=$1 l
	shift
	"$@" 2>&1 | tee /tmp/t.out | while IFS= read -r l; do echo "    $l"; done
	if [ "${PIPESTATUS[0]}" = 0 ]; then
		echo "ok - guest $arch: $name"
	else
		echo "FAIL - guest $arch: $name: $(tail -c 300 /tmp/t.out)"
		failed=1
	fi
}

t "uname -m is $arch" test "$(uname -m)" = "$arch"
t "PID 1 is our init" grep -q init /proc/1/cmdline
t "/proc is mounted" test -r /proc/meminfo
t "/sys is mounted" test -d /sys/class
ctl=$(awk '$2 == "/mnt" { print $1 }' /proc/mounts)
t "/dev is populated (the control disk: $ctl)" test -c /dev/null -a -c /dev/console -a -b "$ctl"
t "/dev/pts is mounted" grep -q devpts /proc/mounts
t "/tmp is a tmpfs" sh -c "grep -q ' /tmp tmpfs' /proc/mounts"
t "hostname is set" test "$(hostname)" = bootstrap
# make and configure compare file times with the clock: 1970 breaks both
t "the clock is sane (RTC or the host's time): $(date -u +%F)" test "$(date +%s)" -gt 1735689600
# and make compares a header's time with what it built: an initramfs
# unpacked with the boot's time would make every resumed build start over
read -r up _ < /proc/uptime
t "the system's files keep their times (stdio.h older than the boot)" test "$(stat -c %Y /usr/include/stdio.h)" -lt $(( $(date +%s) - ${up%.*} ))
t "/etc/os-release names the system" grep -q '^ID=bootstrap' /etc/os-release
t "/bin/sh is bash" sh -c 'test -n "$BASH_VERSION"'
t "toybox: ls, sort, sed, grep, cut, tr, wc" sh -c 'ls / | sort | grep -c . | grep -q "^[0-9]" && echo "a:b:c" | cut -d: -f2 | tr b B | sed s/B/x/ | grep -qx x'
t "toybox: diff, expr, bc, dd, xzcat present" sh -c 'for c in diff expr bc dd xzcat; do command -v $c > /dev/null || exit 1; done; test "$(expr 6 \* 7)" = 42 && test "$(echo 6*7 | bc)" = 42'
# through a pipe: toybox 0.8.9's tar -z can return before its gzip has
# written the archive (3 times in 200 here)
t "toybox: tar and gzip round trip" sh -c 'mkdir -p /tmp/a && echo hi > /tmp/a/f && tar cf - -C /tmp a | gzip > /tmp/a.tgz && rm -r /tmp/a && tar xzf /tmp/a.tgz -C /tmp && grep -qx hi /tmp/a/f'
# GNU gzip: the kernel's and the image's compressor, and what the runner
# unpacks .gz sources with (zcat, gunzip)
t "gzip is GNU gzip; zcat and gunzip decompress" sh -c 'gzip --version | grep -q "^gzip 1" && seq 1 1000 > /tmp/z && gzip -n -9 -c /tmp/z > /tmp/z.gz && zcat /tmp/z.gz | cmp -s - /tmp/z && gunzip -f /tmp/z.gz && seq 1 1000 | cmp -s - /tmp/z'
cat > /tmp/script.sh <<'S'
#!/bin/bash
declare -A seen
for w in one two two three; do seen[$w]=$(( ${seen[$w]:-0} + 1 )); done
echo "${seen[two]} $(( 6 * 7 )) ${BASH_VERSINFO[0]}"
S
t "a bash script: arrays and arithmetic" sh -c 'test "$(bash /tmp/script.sh)" = "2 42 5"'
t "awk is mawk" sh -c 'test "$(echo "3 4" | awk "{ print \$1 * \$2 }")" = 12'
t "an awk program" sh -c 'printf "a 1\nb 2\na 3\n" | awk "{ s[\$1] += \$2 } END { for (k in s) print k, s[k] }" | sort | tr "\n" " " | grep -qx "a 4 b 2 "'
mkdir -p /tmp/mk
printf 'all: out\nout: in\n\tcp in out\n\techo built >> out\n' > /tmp/mk/Makefile
echo source > /tmp/mk/in
t "a Makefile run by make" sh -c 'make -C /tmp/mk > /dev/null && grep -qx built /tmp/mk/out && make -C /tmp/mk | grep -q -e "Nothing to be done" -e "up to date"'
# two jobs at once: each waits for the other to start (10 s at the most),
# so that one after the other fails; not a time, which a loaded machine
# stretches
cat > /tmp/mk/j.mk <<'M'
all: a b
a:
	touch /tmp/mk/a.on; i=0; while [ ! -e /tmp/mk/b.on ] && [ $$i -lt 100 ]; do sleep 0.1; i=$$((i + 1)); done; test -e /tmp/mk/b.on
b:
	touch /tmp/mk/b.on; i=0; while [ ! -e /tmp/mk/a.on ] && [ $$i -lt 100 ]; do sleep 0.1; i=$$((i + 1)); done; test -e /tmp/mk/a.on
M
t "make -j runs jobs side by side" sh -c 'rm -f /tmp/mk/?.on && make -j2 -f /tmp/mk/j.mk > /dev/null'
net=$(ls /sys/class/net | grep -v '^lo$' | head -n 1)
t "the network is up ($net 10.0.2.15)" sh -c "ifconfig $net | grep -q 10.0.2.15"
# a server the test started on the host's loopback, through qemu's user
# network (the host is 10.0.2.2 from here)
read -r port token < server
t "a server on the host answers (10.0.2.2:$port)" sh -c "timeout 20 nc 10.0.2.2 $port < /dev/null | grep -qx $token"
t "writing to the second disk" sh -c 'echo written > /mnt/written && sync && grep -qx written /mnt/written'
# The native compiler, with the image's own tools only (tests/programs are
# on the control disk, as is the runner's source)
target=$(cat target)
mkdir -p /tmp/cc && cp programs/* /tmp/cc/ && cd /tmp/cc || exit 1
t "gcc -v: $target, C and C++, posix threads, built to run here" sh -c "gcc -v 2>&1 | grep -q '^Target: $target' && gcc -v 2>&1 | grep -q -- '--host=$target' && gcc -v 2>&1 | grep -q 'enable-languages=c,c++' && gcc -v 2>&1 | grep -q '^Thread model: posix'"
t "binutils: cc as ld ar nm strip objdump readelf" sh -c 'for c in cc c++ cpp as ld ar nm strip objdump readelf ranlib objcopy; do command -v $c > /dev/null || { echo no $c; exit 1; }; done'
# native NAME COMPILER SOURCE EXPECTED FLAGS...: compile once, link static and dynamic, run
native() {
	local name=$1 cc=$2 src=$3 want=$4
	shift 4
	t "$cc: $name compiles" $cc -O2 -c -o "$src.o" "$src" "$@"
	t "$cc: $name, static, runs" sh -c "$cc -static -o '$src.s' '$src.o' $* && test \"\$(./'$src.s')\" = '$want' && ! readelf -l '$src.s' | grep -q interpreter"
	t "$cc: $name, dynamic, runs" sh -c "$cc -o '$src.d' '$src.o' $* && test \"\$(./'$src.d')\" = '$want' && readelf -l '$src.d' | grep -q 'interpreter: /lib/ld-musl-'"
}
native "C hello" gcc hello.c "hello, world"
native "C++ iostream, std::thread, exceptions" g++ cxx.cc "caught 1000" -pthread
native "pthreads" cc threads.c "sum 4000" -pthread
native "libm" cc math.c "1.414214 1.000000" -lm
native "limits.h, gcc's then musl's" cc limits.c "4 2147483647"
native "libelf (x86_64's kernel build links objtool with it)" cc elf.c "elf ok" -lelf -lz
mkdir -p /tmp/proj && cd /tmp/proj || exit 1
printf '#include "sq.h"\nint sq(int x) { return x * x; }\n' > sq.c
printf 'int sq(int x);\n' > sq.h
printf '#include <stdio.h>\n#include "sq.h"\nint main(void) { printf("%%d\\n", sq(7)); return 0; }\n' > main.c
printf 'prog: main.o sq.o\n\t$(CC) -o $@ main.o sq.o\nmain.o sq.o: sq.h\nclean:\n\trm -f prog *.o\n' > Makefile
t "a multi-file project with a Makefile" sh -c 'make CC=cc > /dev/null && test "$(./prog)" = 49 && touch sq.h && make CC=cc | grep -q "sq.o"'
# the runner builds itself here and runs
cp -a /mnt/bootstrap /tmp/bs && cd /tmp/bs || exit 1
tv "the runner builds with the image's compiler" make CC=cc
t "the self-built runner runs: --help" sh -c './bootstrap --help 2>&1 | grep -q "usage: bootstrap"'
t "the self-built runner runs: list" sh -c "./bootstrap list | grep -q 'cross'"
# the runner's own tests, on the system it is to rebuild: its steps, cache,
# locks and archives with musl's libc and toybox's tools
tv "the runner's unit tests pass here" sh -c 'make CC=cc tests/unit && ./tests/unit > /tmp/unit.out 2>&1; grep -q "^ok" /tmp/unit.out && ! grep "^FAIL" /tmp/unit.out'
tv "the runner's integration tests pass here" sh -c 'sh tests/integration.sh 2>&1 | tee /tmp/integ.out; rc=${PIPESTATUS[0]}
	grep -q "^ok" /tmp/integ.out && ! grep -q "^FAIL" /tmp/integ.out && [ $rc -eq 0 ] && exit 0
	echo "exit $rc, $(grep -c "^ok" /tmp/integ.out) passed"; grep "^FAIL" /tmp/integ.out; tail -n 4 /tmp/integ.out; exit 1'
cd /mnt
echo "guest tests done"
# tee must write all of it before this script ends: the machine stops then
exec > /dev/console 2>&1
wait $tee
[ -z "$failed" ]
