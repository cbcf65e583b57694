#!/bin/sh
# tests/stages/native.sh DIR: the native compiler in DIR (bootstrap test
# native-ARCH), looked at from here: every tool is there, built for the
# target, stripped, and names no build path. Compiling with it is tested
# inside the booted image (bootstrap test ARCH, tests/stages/image-guest.sh).
N=${1:?usage: native.sh NATIVE-DIR}
: "${TARGET:?}" "${CROSS:?}"
. "$(dirname "$0")/../lib.sh"
readelf=$CROSS/bin/$TARGET-readelf

missing=
for t in cc gcc g++ c++ cpp as ld ar nm strip objdump readelf ranlib objcopy size strings; do
	[ -x "$N/usr/bin/$t" ] || missing="$missing $t"
done
expect "usr/bin has cc gcc g++ c++ cpp and binutils${missing:+ (missing:$missing)}" test -z "$missing"
expect "usr/include has musl's, the kernel's and libstdc++'s headers" sh -c "test -f '$N/usr/include/stdio.h' && test -f '$N/usr/include/linux/version.h' && test -d '$N/usr/include/c++'"
expect "usr/lib has musl's crt files and libraries, libstdc++ and libatomic" sh -c "cd '$N/usr/lib' && ls crt1.o libc.a libm.a libstdc++.a libstdc++.so libatomic.a >/dev/null"
expect "libgcc and crtbegin.o beside the compiler" sh -c "ls '$N'/usr/lib/gcc/$TARGET/*/libgcc.a '$N'/usr/lib/gcc/$TARGET/*/crtbegin.o >/dev/null"
want=$("$readelf" -h "$CROSS/$TARGET/lib/libc.so" | sed -n 's/^ *Machine: *//p')
for t in gcc as ld; do
	got=$("$readelf" -h "$N/usr/bin/$t" 2>/dev/null | sed -n 's/^ *Machine: *//p')
	expect "$t is built for the target ($want)" test "$got" = "$want"
done
copies=
for f in "$N/usr/$TARGET/bin/"*; do
	[ -L "$f" ] && [ -x "$f" ] || copies="$copies ${f##*/}"
done
expect "usr/$TARGET/bin holds links into usr/bin${copies:+ (not:$copies)}" test -z "$copies"
expect "no libtool archives (.la)" sh -c "test -z \"\$(find '$N' -name '*.la')\""
cc1=$(ls "$N"/usr/libexec/gcc/$TARGET/*/cc1 2>/dev/null | head -1)
expect "cc1 is there, built for the target" sh -c "test -n '$cc1' && '$readelf' -h '$cc1' | grep -q 'Machine: *$want'"
unstripped=
for f in "$N"/usr/bin/* "$cc1"; do
	[ -L "$f" ] && continue
	"$readelf" -S "$f" 2>/dev/null | grep -q '\.symtab' && unstripped="$unstripped ${f##*/}"
done
expect "its programs are stripped${unstripped:+ (not:$unstripped)}" test -z "$unstripped"
if [ -n "${BOOTSTRAP_WORK:-}" ]; then
	leaks=$(grep -rlF -e "$BOOTSTRAP_WORK/work/" -e "$BOOTSTRAP_WORK/airlock/" "$N" 2>/dev/null | head -5)
	expect "no build path in any file" test -z "$leaks"
	[ -z "$leaks" ] || echo "   found in: $leaks"
fi
echo "   size: $(du -sh "$N" | cut -f1)"
passed
