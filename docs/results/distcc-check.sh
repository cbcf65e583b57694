#!/bin/sh
# docs/results/distcc-check.sh IMAGE-DIR CROSS-DIR TRIPLET DISK [PKG...]:
# what distcc is worth inside the guest, and that it changes nothing.
# Boots the system image under qemu (bootstrap guest) with distccd on the
# host serving CROSS-DIR's compiler, and in it builds each package (make,
# bash and binutils by default; gcc too when named) twice from the same
# sources, with the same recipe phase as the runner's (packages/PKG, the
# phase "build", or "native" for binutils and gcc): once with the distcc
# links first in PATH, once with the image's compiler alone. For each,
# the time of configure (up to the recipe's first make) and of the rest,
# and whether the two installed trees are the same bytes.
#
# gcc's native phase is taken up to its install-gcc: the compiler's build
# (what follows copies the target libraries out of CROSS, which here is
# the image's own /usr, made to look like one).
#
# DISK is the scratch disk, kept: a run stopped part way (^C, qemu killed)
# goes on where it was, the finished builds kept and an unfinished one in
# its tree (gcc's alone outlasts a sitting), its time summed over the
# sittings to within half a minute each. Results: the console's
# "distcc-check:" lines, and DISK's /results. Run from the project, with
# the image and toolchain built (bootstrap stage image-ARCH cross-ARCH).
set -eu
[ $# -ge 4 ] || { echo "usage: $0 IMAGE-DIR CROSS-DIR TRIPLET DISK [PKG...]" >&2; exit 2; }
img=$1 cross=$2 triplet=$3 disk=$4
shift 4
pkgs=${*:-make bash binutils}
ctl=$disk.control
cache=${BOOTSTRAP_CACHE:-$HOME/.cache/bootstrap}
# the target's gcc-config, as the runner passes it (GCC_CONFIG)
target=$(grep -l "^triplet $triplet\$" targets/* | head -n 1)
gccconfig=$(sed -n 's/^gcc-config //p' ${target:-/dev/null})

rm -rf "$ctl"
mkdir -p "$ctl/sources/packages" "$ctl/sources/patches"
cp lib/guest-init.sh "$ctl/init"
for p in $pkgs; do
	cp packages/$p "$ctl/sources/packages/"
	[ ! -d patches/$p ] || cp -R patches/$p "$ctl/sources/patches/"
	for f in $(sed -n 's/^source \([^ ]*\) .*/\1/p' packages/$p); do
		cp "$cache/sources/$f" "$ctl/sources/"
	done
done
cat > "$ctl/env" <<EOF
TARGET=$triplet
JOBS=2
LC_ALL=C
TZ=UTC
BOOTSTRAP_STAGE=distcc-check
BOOTSTRAP_PACKAGE=$(echo $pkgs | tr ' ' ,)
BOOTSTRAP_PHASE=twice
PKGS=$pkgs
GCC_CONFIG=$gccconfig
EOF

# the script the guest runs (guest-init.sh sets SOURCES, DISTCC_LINKS)
cat > "$ctl/script" <<'EOF'
# one recipe phase, as the runner reads it (lib/scan.c): the indented
# lines after "phase NAME", with the blank lines between them; for gcc,
# up to its install-gcc
phase() { # PKG NAME
	awk -v name="$2" -v pkg="$1" '
		/^phase / { on = $2 == name; gap = ""; next }
		on && /^[ \t]*$/ { gap = gap "\n"; next }
		on && /^[ \t]/ { printf "%s", gap; gap = ""; print
			if (pkg == "gcc" && /install-gcc/) on = 0
			next }
		{ on = 0 }' $SOURCES/packages/$1
}

uncompress() { # FILE
	case $1 in
	*.xz) xzcat $1 ;;
	*.gz) zcat $1 ;;
	*.bz2) bzcat $1 ;;
	esac
}

# the recipe's sources into DIR, as the runner lays them out: each
# "source" unpacked (or its "inner" tarball, for gcc's Debian orig) into
# DIR or its "into" subdirectory, the top directory stripped
unpack() { # PKG DIR
	awk '/^source / { if (f) print f, inner, into; f = $2; inner = into = "-" }
		/^inner / { inner = $2 } /^into / { into = $2 }
		END { if (f) print f, inner, into }' $SOURCES/packages/$1 |
	while read -r f inner into; do
		[ $into != - ] || into=
		mkdir -p $2/$into
		if [ $inner = - ]; then
			uncompress $SOURCES/$f | tar -x -C $2/$into --strip-components=1
		else
			rm -rf /scratch/outer && mkdir /scratch/outer
			uncompress $SOURCES/$f | tar -x -C /scratch/outer
			uncompress $(find /scratch/outer -name $inner) | tar -x -C $2/$into --strip-components=1
			rm -rf /scratch/outer
		fi
	done
}

# CROSS for gcc's native phase: the image's own /usr in a cross
# toolchain's layout, and the target-named binutils it asks for
fakecross() {
	local c=/scratch/cross t
	mkdir -p $c/bin
	for t in ar as ld nm objdump ranlib readelf strip; do ln -sfn /usr/bin/$t $c/bin/$TARGET-$t; done
	ln -sfn /usr $c/$TARGET
	echo $c
}

# seconds spent on a build so far: its earlier sittings' (b/spent,
# written every half minute) and this one's
spent() { echo $(( $(cat $1/spent0) + $(date +%s) - $(cat $1/start) )); }

build() { # PKG MODE
	local pkg=$1 mode=$2 b=/scratch/b.$1.$2 name=build t1 t2 tick
	[ ! -s /scratch/done.$pkg.$mode ] || return 0
	case $pkg in binutils | gcc) name=native ;; esac
	if [ -e $b/unpacked ]; then
		echo "distcc-check: $pkg $mode goes on in its tree, $(cat $b/spent) s spent before"
	else
		rm -rf $b && mkdir -p $b/src $b/build $b/out
		unpack $pkg $b/src
		for p in $SOURCES/patches/$pkg/*.patch; do
			[ ! -e "$p" ] || patch -d $b/src -p1 -s -i $p
		done
		echo 0 > $b/spent
		touch $b/unpacked
	fi
	cp $b/spent $b/spent0
	date +%s > $b/start
	# configure's time ends where the recipe's first make begins
	{ echo 'make() { [ -e $T1 ] || echo $(( $(cat $B/spent0) + $(date +%s) - $(cat $B/start) )) > $T1; command make "$@"; }'
	  phase $pkg $name; } > $b/phase.sh
	# the count, and every ten minutes a line on the console
	(n=0; while sleep 30; do
		echo $(spent $b) > $b/spent.new && mv $b/spent.new $b/spent && sync
		n=$((n + 1)); [ $((n % 20)) != 0 ] ||
			echo "distcc-check: $pkg $mode $(($(cat $b/spent) / 60)) min: $(tail -n 1 $b/log | cut -c1-100)"
	done) &
	tick=$!
	(
		cd $b/build
		export SRC=$b/src BUILD=$b/build OUT=$b/out HOST=$TARGET T1=$b/t1 B=$b
		export CC=gcc CXX=g++ AR=ar RANLIB=ranlib STRIP=strip CC_FOR_BUILD=cc MAKEFLAGS=-j$JOBS
		export SOURCE_DATE_EPOCH=$(sed -n 's/^epoch //p' $SOURCES/packages/$pkg)
		export BOOTSTRAP_VERSION=$(sed -n 's/^version //p' $SOURCES/packages/$pkg)
		[ $pkg != gcc ] || { export CROSS=$(fakecross); export PATH=$CROSS/bin:$PATH; }
		[ $mode = local ] || export PATH=$DISTCC_LINKS:$PATH
		bash -e $b/phase.sh >> $b/log 2>&1
	) || { kill $tick; tail -n 20 $b/log; echo "distcc-check: $pkg $mode FAILED"; exit 1; }
	kill $tick
	t2=$(spent $b)
	t1=$(cat $b/t1)
	(cd $b/out && find . -type f | sort | xargs sha256sum) > /scratch/sums.$pkg.$mode
	echo "$pkg $mode configure $t1 build $((t2 - t1)) total $t2" > /scratch/done.$pkg.$mode
	echo "distcc-check: $(cat /scratch/done.$pkg.$mode) (seconds)"
	rm -rf $b
}

[ -n "$DISTCC_LINKS" ] || { echo "distcc-check: no distcc host answered"; exit 1; }
for pkg in $PKGS; do
	build $pkg distcc
	build $pkg local
	if cmp -s /scratch/sums.$pkg.distcc /scratch/sums.$pkg.local; then
		echo "distcc-check: $pkg: the same bytes with and without distcc ($(wc -l < /scratch/sums.$pkg.local) files)"
	else
		echo "distcc-check: $pkg DIFFERS:"
		diff /scratch/sums.$pkg.distcc /scratch/sums.$pkg.local | head -n 20
	fi
done
cat /scratch/done.* > /scratch/results
EOF

exec ./bootstrap -j2 guest "$img" "$ctl" --scratch "$disk" --size 8192 --mem 2048 --silence 10800 \
	--cross "$cross" --triplet "$triplet"
