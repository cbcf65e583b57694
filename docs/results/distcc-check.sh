#!/bin/sh
# docs/results/distcc-check.sh IMAGE-DIR CROSS-DIR TRIPLET DISK [PKG...]:
# what distcc is worth inside the guest, and that it changes nothing.
# Boots the system image under qemu (bootstrap guest) with distccd on the
# host serving CROSS-DIR's compiler, and in it builds each package (make,
# bash and binutils by default) twice from the same sources, with the same
# recipe phase as the runner's (packages/PKG, the phase "build", or
# "native" for binutils): once with the distcc links first in PATH, once
# with the image's compiler alone. For each, the time of configure (up to
# the recipe's first make) and of the rest, and whether the two installed
# trees are the same bytes. DISK is the scratch disk, kept: a run stopped
# part way (^C, qemu killed) goes on at the first build it had not
# finished. Results: the console's "distcc-check:" lines, and
# DISK's /results. Run from the project, with the image and toolchain
# built (bootstrap stage image-ARCH cross-ARCH).
set -eu
[ $# -ge 4 ] || { echo "usage: $0 IMAGE-DIR CROSS-DIR TRIPLET DISK [PKG...]" >&2; exit 2; }
img=$1 cross=$2 triplet=$3 disk=$4
shift 4
pkgs=${*:-make bash binutils}
ctl=$disk.control
cache=${BOOTSTRAP_CACHE:-$HOME/.cache/bootstrap}

rm -rf "$ctl"
mkdir -p "$ctl/sources/packages" "$ctl/sources/patches"
cp lib/guest-init.sh "$ctl/init"
for p in $pkgs; do
	cp packages/$p "$ctl/sources/packages/"
	[ ! -d patches/$p ] || cp -R patches/$p "$ctl/sources/patches/"
	f=$(sed -n 's/^source \([^ ]*\) .*/\1/p' packages/$p | head -n 1)
	cp "$cache/sources/$f" "$ctl/sources/"
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
EOF

# the script the guest runs (guest-init.sh sets SOURCES, DISTCC_LINKS)
cat > "$ctl/script" <<'EOF'
# one recipe phase, as the runner reads it (lib/scan.c): the indented
# lines after "phase NAME", with the blank lines between them
phase() { # PKG NAME
	awk -v name="$2" '
		/^phase / { on = $2 == name; gap = ""; next }
		on && /^[ \t]*$/ { gap = gap "\n"; next }
		on && /^[ \t]/ { printf "%s", gap; gap = ""; print; next }
		{ on = 0 }' $SOURCES/packages/$1
}

build() { # PKG MODE
	local pkg=$1 mode=$2 b=/scratch/b name=build t0 t1 t2 f
	[ ! -s /scratch/done.$pkg.$mode ] || return 0
	[ $pkg != binutils ] || name=native
	rm -rf $b && mkdir -p $b/src $b/build $b/out
	f=$(sed -n 's/^source \([^ ]*\) .*/\1/p' $SOURCES/packages/$pkg | head -n 1)
	case $f in
	*.xz) xzcat $SOURCES/$f ;;
	*.gz) zcat $SOURCES/$f ;;
	*.bz2) bzcat $SOURCES/$f ;;
	esac | tar -x -C $b/src --strip-components=1
	for p in $SOURCES/patches/$pkg/*.patch; do
		[ ! -e "$p" ] || patch -d $b/src -p1 -s -i $p
	done
	# configure's time ends where the recipe's first make begins
	{ echo 'make() { [ -e $T1 ] || date +%s > $T1; command make "$@"; }'; phase $pkg $name; } > $b/phase.sh
	t0=$(date +%s)
	(
		cd $b/build
		export SRC=$b/src BUILD=$b/build OUT=$b/out HOST=$TARGET T1=$b/t1
		export CC=gcc CXX=g++ AR=ar RANLIB=ranlib STRIP=strip CC_FOR_BUILD=cc MAKEFLAGS=-j$JOBS
		export SOURCE_DATE_EPOCH=$(sed -n 's/^epoch //p' $SOURCES/packages/$pkg)
		[ $mode = local ] || export PATH=$DISTCC_LINKS:$PATH
		bash -e $b/phase.sh > $b/log 2>&1
	) || { tail -n 20 $b/log; echo "distcc-check: $pkg $mode FAILED"; exit 1; }
	t2=$(date +%s)
	t1=$(cat $b/t1)
	(cd $b/out && find . -type f | sort | xargs sha256sum) > /scratch/sums.$pkg.$mode
	echo "$pkg $mode configure $((t1 - t0)) build $((t2 - t1)) total $((t2 - t0))" > /scratch/done.$pkg.$mode
	echo "distcc-check: $(cat /scratch/done.$pkg.$mode) (seconds)"
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
