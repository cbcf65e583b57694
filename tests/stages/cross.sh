#!/bin/sh
# tests/stages/cross.sh DIR: compile and run programs with the cross
# toolchain in DIR (bootstrap test cross-ARCH). Each program is built static
# and dynamic; x86_64 ones run here through the sysroot's dynamic linker,
# others under qemu user mode. Needs TARGET, ARCH and QEMU_USER.
X=${1:?usage: cross.sh TOOLCHAIN-DIR}
: "${TARGET:?}" "${ARCH:?}"
. "$(dirname "$0")/../lib.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
SYSROOT=$X/$TARGET
# the programs, shared with the native compiler's tests in the guest
cp "$(dirname "$0")"/../programs/* "$T"/

# qemu's user mode reads QEMU_CPU itself: the target's CPU where its
# file names one (armv7l's cortex-a15: no newer instruction passes), and
# it refuses the variable empty, as a target without one has it
[ -n "${QEMU_CPU:-}" ] || unset QEMU_CPU

# run PROGRAM: on this machine or under qemu user mode
run() {
	case $ARCH in
	"$(uname -m)")
		if "$X/bin/$TARGET-readelf" -l "$1" | grep -q 'program interpreter'; then
			"$SYSROOT/lib/libc.so" --library-path "$SYSROOT/lib:$SYSROOT/lib64" "$1"
		else
			"$1"
		fi ;;
	*) "${QEMU_USER:?}" -L "$SYSROOT" -E "LD_LIBRARY_PATH=/lib:/lib64" "$1" ;;
	esac
}

# try NAME COMPILER SOURCE EXPECTED [FLAGS...]: build static and dynamic, run, compare
try() {
	name=$1 cc=$2 src=$3 want=$4
	shift 4
	for link in static dynamic; do
		flag=; [ $link = static ] && flag=-static
		out=$T/$name-$link
		if ! "$X/bin/$TARGET-$cc" $flag -O2 -o "$out" "$T/$src" "$@" 2> "$out.err"; then
			fail "$TARGET-$cc: $name, $link" "does not compile: $(head -3 "$out.err")"
			continue
		fi
		got=$(run "$out" 2>&1)
		if [ "$got" = "$want" ]; then
			ok "$TARGET-$cc: $name, $link, runs"
		else
			fail "$TARGET-$cc: $name, $link, runs" "expected '$want', got '$got'"
		fi
	done
}

try "C hello" gcc hello.c "hello, world"
try "C++ iostream, std::thread, exceptions" g++ cxx.cc "caught 1000" -pthread
try "pthreads" gcc threads.c "sum 4000" -pthread
try "libm" gcc math.c "1.414214 1.000000" -lm
try "limits.h, gcc's then musl's" gcc limits.c "4 2147483647"
# gcc's own limits.h, the one its target libraries are built with, passes
# on to musl's only if musl's was in the sysroot when gcc made it; without,
# libstdc++ is configured without POSIX semaphores (musl's SEM_VALUE_MAX
# unseen) and its codecvt gets MB_LEN_MAX 1
expect "gcc's own limits.h includes musl's" grep -q _GCC_NEXT_LIMITS_H "$X"/lib/gcc/$TARGET/*/include/limits.h
expect "libstdc++ was configured with musl's limits (POSIX semaphores)" grep -q "^#define _GLIBCXX_HAVE_POSIX_SEMAPHORE 1" "$SYSROOT"/include/c++/*/$TARGET/bits/c++config.h

# static means no interpreter; dynamic means musl's, from the sysroot
expect "a static program has no dynamic linker" sh -c "! '$X/bin/$TARGET-readelf' -l '$T/C hello-static' | grep -q interpreter"
expect "a dynamic program asks for musl's dynamic linker" sh -c "'$X/bin/$TARGET-readelf' -l '$T/C hello-dynamic' | grep -q 'interpreter: /lib/ld-musl-'"
ldso=$(ls "$SYSROOT"/lib/ld-musl-*.so.1 2>/dev/null)
expect "musl's dynamic linker is in the sysroot" test -n "$ldso" -a -e "$ldso"
# gcc's target libraries go to lib, or lib64 where the target's convention says so (x86_64)
expect "libstdc++ and libatomic are there, static and shared" sh -c "cd '$SYSROOT' && ls lib*/libstdc++.a lib*/libstdc++.so lib*/libatomic.a lib*/libatomic.so >/dev/null"

# relocatable: the toolchain still works once moved, and names no build path
cp -a "$X" "$T/moved"
expect "a moved toolchain still compiles and links" sh -c "'$T/moved/bin/$TARGET-gcc' -o '$T/moved-hello' '$T/hello.c' && '$T/moved/bin/$TARGET-g++' -static -o '$T/moved-cxx' '$T/cxx.cc' -pthread"
rm -rf "$T/moved"
# build paths: the build trees and airlock of the work directory, and the
# cache's tmp/ where outputs were installed (the output's own place is fine)
if [ -n "${BOOTSTRAP_WORK:-}" ]; then
	for path in "$BOOTSTRAP_WORK/work/" "$BOOTSTRAP_WORK/airlock/" "${BOOTSTRAP_CACHE:-/nonexistent}/tmp/"; do
		leaks=$(grep -rlF "$path" "$X" 2>/dev/null | head -5)
		expect "no build path ($path) in any file" test -z "$leaks"
		[ -z "$leaks" ] || echo "   found in: $leaks"
	done
	expect "gcc -v names no build path" sh -c "! '$X/bin/$TARGET-gcc' -v 2>&1 | grep -qe '$BOOTSTRAP_WORK/work/' -e '$BOOTSTRAP_WORK/airlock/'"
fi
expect "ar writes deterministic archives" sh -c "cd '$T' && '$X/bin/$TARGET-gcc' -c hello.c && '$X/bin/$TARGET-ar' rc a.a hello.o && sleep 1 && touch hello.o && '$X/bin/$TARGET-ar' rc b.a hello.o && cmp -s a.a b.a"
passed
