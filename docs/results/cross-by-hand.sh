#!/bin/sh
# A cross toolchain by hand: the commands of packages/{binutils,linux,gcc,musl}
# in stages/cross's order, in one prefix as musl-cross-make does, without
# the runner. Used to measure the runner's overhead against them:
#   sh docs/results/cross-by-hand.sh SOURCES-DIR WORK-DIR TARGET [binutils]
# (TARGET is a file of targets/) prints the time of each step and the total;
# with "binutils", stops after binutils.
set -eu
S=$(cd "${1:?sources directory}" && pwd)
W=${2:?work directory}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
T=$TOP/targets/${3:?target}
TARGET=$(sed -n 's/^triplet //p' "$T")
KARCH=$(sed -n 's/^karch //p' "$T")
GCC_CONFIG=$(sed -n 's/^gcc-config //p' "$T")
rm -rf "$W"
mkdir -p "$W"
W=$(cd "$W" && pwd)
P=$W/prefix
export PATH="$P/bin:$PATH" LC_ALL=C TZ=UTC MAKEFLAGS=-j$(nproc)
total=0

# step NAME: time what follows, up to the next step or the end
last=$(date +%s)
step() {
	now=$(date +%s)
	[ -z "${name:-}" ] || { printf '%-20s %4ds\n' "$name" $((now - last)); total=$((total + now - last)); }
	name=$1 last=$now
}
unpack() { mkdir -p "$2" && tar -xf "$1" -C "$2" --strip-components=1 --no-same-owner; }

step "binutils"
unpack "$S/binutils_2.44.orig.tar.xz" "$W/binutils/src"
mkdir -p "$W/binutils/build" && cd "$W/binutils/build"
../src/configure --target=$TARGET --prefix= --libdir=/lib \
	--with-sysroot=/$TARGET --disable-nls --disable-werror \
	--disable-multilib --disable-gprofng --enable-deterministic-archives \
	CFLAGS=-O2 CXXFLAGS=-O2 LDFLAGS=-s > log 2>&1
make MAKEINFO=true >> log 2>&1
make MAKEINFO=true DESTDIR="$P" install >> log 2>&1
rm -rf "$P/share/info" "$P/share/man"
if [ "${4:-}" = binutils ]; then
	step end
	printf '%-20s %4ds\n' total $total
	exit 0
fi

step "linux headers"
unpack "$S/linux_6.12.38.orig.tar.xz" "$W/linux/src"
mkdir -p "$W/linux/build" && cd "$W/linux/build"
make -C ../src O="$W/linux/build" ARCH=$KARCH headers > log 2>&1
mkdir -p "$P/$TARGET" && cp -R usr/include "$P/$TARGET/include"
find "$P/$TARGET/include" -name '.*' -exec rm -f {} +

step "gcc compiler"
unpack "$S/gcc-14_14.2.0.orig.tar.gz" "$W/gcc/outer"
unpack "$W/gcc/outer/gcc-14.2.0-dfsg.tar.xz" "$W/gcc/src"
unpack "$S/gmp_6.3.0+dfsg.orig.tar.xz" "$W/gcc/src/gmp"
unpack "$S/mpfr4_4.2.2.orig.tar.xz" "$W/gcc/src/mpfr"
unpack "$S/mpclib3_1.3.1.orig.tar.gz" "$W/gcc/src/mpc"
for p in "$TOP"/patches/gcc/*.patch; do patch -p1 -N -s -d "$W/gcc/src" -i "$p"; done
mkdir -p "$W/gcc/build" && cd "$W/gcc/build"
../src/configure --target=$TARGET --prefix= --libdir=/lib \
	--with-sysroot=/$TARGET --with-build-sysroot="$P/$TARGET" \
	--with-native-system-header-dir=/include \
	--enable-languages=c,c++ $GCC_CONFIG \
	--disable-nls --disable-multilib --disable-werror --disable-bootstrap \
	--disable-libsanitizer --disable-libquadmath --disable-libitm \
	--disable-libvtv --disable-libgomp --disable-decimal-float \
	--disable-fixed-point --disable-lto --disable-gnu-indirect-function \
	--disable-symvers --enable-tls --enable-initfini-array \
	--enable-libstdcxx-time=rt --enable-deterministic-archives \
	AR_FOR_TARGET=$TARGET-ar AS_FOR_TARGET=$TARGET-as LD_FOR_TARGET=$TARGET-ld \
	NM_FOR_TARGET=$TARGET-nm OBJDUMP_FOR_TARGET=$TARGET-objdump \
	RANLIB_FOR_TARGET=$TARGET-ranlib READELF_FOR_TARGET=$TARGET-readelf \
	STRIP_FOR_TARGET=$TARGET-strip \
	CFLAGS=-O2 CXXFLAGS=-O2 LDFLAGS=-s \
	CFLAGS_FOR_TARGET=-O2 CXXFLAGS_FOR_TARGET=-O2 > log 2>&1
make MAKEINFO=true all-gcc >> log 2>&1
make MAKEINFO=true DESTDIR="$P" install-gcc >> log 2>&1
rm -rf "$P"/lib/gcc/$TARGET/*/install-tools "$P"/libexec/gcc/$TARGET/*/install-tools

step "musl headers"
unpack "$S/musl_1.2.5.orig.tar.gz" "$W/musl/src"
for p in "$TOP"/patches/musl/*.patch; do patch -p1 -N -s -d "$W/musl/src" -i "$p"; done
mkdir -p "$W/musl/build" && cd "$W/musl/build"
../src/configure --prefix= --host=$TARGET CC=$TARGET-gcc > log 2>&1
make DESTDIR="$P/$TARGET" install-headers >> log 2>&1

step "gcc libgcc"
cd "$W/gcc/build"
make MAKEINFO=true MAKE="make enable_shared=no LIBGCC2_DEBUG_CFLAGS=" all-target-libgcc >> log 2>&1
make MAKEINFO=true MAKE="make enable_shared=no LIBGCC2_DEBUG_CFLAGS=" DESTDIR="$P" install-target-libgcc >> log 2>&1

step "musl library"
cd "$W/musl/build"
make AR=$TARGET-ar RANLIB=$TARGET-ranlib LIBCC="$($TARGET-gcc -print-libgcc-file-name)" >> log 2>&1
make DESTDIR="$P/$TARGET" install >> log 2>&1
for ldso in "$P/$TARGET"/lib/ld-musl-*.so.1; do ln -sf libc.so "$ldso"; done

step "gcc rest"
cd "$W/gcc/build"
make MAKEINFO=true MAKE="make LIBGCC2_DEBUG_CFLAGS=" >> log 2>&1
make MAKEINFO=true MAKE="make LIBGCC2_DEBUG_CFLAGS=" DESTDIR="$P" install >> log 2>&1
rm -rf "$P/share/info" "$P/share/man" "$P"/lib/gcc/$TARGET/*/install-tools "$P"/libexec/gcc/$TARGET/*/install-tools
find "$P" -name '*.la' -exec rm -f {} +

step end
printf '%-20s %4ds\n' total $total
