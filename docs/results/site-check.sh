#!/bin/bash
# site-check.sh CROSS TRIPLET QEMU-USER TARBALL [CONFIGURE-ARGS...]
#
# Checks site/musl for one package and one target: configures the package
# twice, as the cross build does (CC=TRIPLET-gcc, CONFIG_SITE=site/musl)
# and as the target would (--build the target too, every test program run
# under qemu user mode against the toolchain's musl), then compares what
# configure decided: config.h and the Makefiles' variables. No output
# after the two "configure:" lines means the answers are the target's.
#
#   docs/results/site-check.sh build-arm/out/cross-armv7l \
#       armv7l-linux-musleabihf qemu-arm ~/.cache/bootstrap/sources/m4_1.4.19.orig.tar.xz \
#       --prefix=/usr --disable-nls
set -e
cross=$(cd "$1" && pwd) triplet=$2 qemu=$3 tarball=$4
shift 4
top=$(cd "$(dirname "$0")/../.." && pwd)
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT

# the target's compiler, whose linked programs run here: each program it
# links becomes a script that starts it under qemu user mode
cat > "$t/cc" <<EOF
#!/bin/sh
out= link=1 prev=
for a in "\$@"; do
	case \$a in -c|-E|-S|-M|-MM) link=0;; esac
	[ "\$prev" = -o ] && out=\$a
	prev=\$a
done
$cross/bin/$triplet-gcc "\$@" || exit \$?
if [ \$link = 1 ] && [ -n "\$out" ] && [ -f "\$out" ]; then
	mv "\$out" "\$out.target"
	printf '#!/bin/sh\nexec $qemu -L $cross/$triplet "\$0.target" "\$@"\n' > "\$out"
	chmod 755 "\$out"
fi
EOF
chmod 755 "$t/cc"

mkdir "$t/src" "$t/cross" "$t/target"
tar xf "$tarball" -C "$t/src" --strip-components=1
export PATH=$cross/bin:/usr/bin:/bin
(cd "$t/cross" && CC=$triplet-gcc CONFIG_SITE=$top/site/musl \
	../src/configure --host=$triplet "$@" > log 2>&1)
(cd "$t/target" && CC=$t/cc CONFIG_SITE=/dev/null \
	../src/configure --build=$triplet --host=$triplet "$@" > log 2>&1)
for d in cross target; do
	echo "configure: $d: $(grep -m1 'whether we are cross compiling' $t/$d/log)"
done
# what configure decided: the config headers and the Makefiles' variables
# (the compiler's own name, the strip program, the build machine's name
# and the build directory aside)
decided() {
	grep -E '^(#|[A-Z_]+ = )' "$1/$2" | grep -Ev '^(CC|CPP|STRIP) = ' | sed "s|$1|BUILD|g"
}
cd "$t/cross"
for f in $(find . -name config.h -o -name Makefile | sort); do
	[ -e "../target/$f" ] || { echo "only cross: $f"; continue; }
	diff <(decided "$t/cross" "$f") <(decided "$t/target" "$f") | sed "s|^|$f: |" || true
done
