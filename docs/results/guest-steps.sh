#!/bin/sh
# docs/results/guest-steps.sh DISK [CACHE]: what a rebuild's guest has
# built so far, each step against the host's build of the same key.
# The guest's runner has the host's recipes, so its steps have the host's
# keys: each one finished on the guest's disk (DISK, build/guest/rebuild-ARCH.img,
# read-only: a running guest's too) is read out with debugfs and compared
# with CACHE's (default ~/.cache/bootstrap) file by file. One line a
# step, "same" or what differs. A cross toolchain's programs run on the
# machine that built them (x86_64 here, the target in the guest), so they
# differ by nature and are only counted (with the libraries and headers
# binutils installs for them there); and gcc lays out a cross
# compiler built on its own target as a native one (its libraries in lib/
# and its C++ headers in include/c++/, not under TRIPLET/), so those are
# compared where the host has them.
set -eu
[ $# -ge 1 ] || { echo "usage: $0 DISK [CACHE]" >&2; exit 2; }
disk=$1 cache=${2:-$HOME/.cache/bootstrap}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# the files of one step's output, as "PATH SHA256", a cross compiler's
# programs left out, its target's files under the names the host uses
files() {
	(cd "$1" && find . -type f -o -type l) | sed 's|^\./||' | sort | while read -r f; do
		case $cross$f in
		0*) ;; # not a cross toolchain: all of it is the target's
		1include/*/*) ;; # the target's (C++'s headers)
		# what runs on the toolchain's machine: its programs, and the
		# libraries and headers binutils installs for them on its own target
		1bin/* | 1libexec/* | 1*/bin/* | 1lib/gcc/*/plugin/* | 1lib/libcc1* | 1lib/bfd-plugins/* | \
		1lib/libbfd* | 1lib/libctf* | 1lib/libopcodes* | 1lib/libsframe* | 1include/*.h)
			echo "$f" >> "$tmp/programs"; continue ;;
		esac
		name=$f
		if [ -n "$2" ]; then
			case $f in lib/*/*) ;; lib/* | include/c++/*) name=$2/$f ;; esac
		fi
		if [ -L "$1/$f" ]; then echo "$name -> $(readlink "$1/$f")"; else echo "$name $(sha256sum < "$1/$f" | cut -c1-64)"; fi
	done
}

debugfs -c -R "ls /build/cache/steps" "$disk" 2>/dev/null | tr -s ' ' '\n' |
	grep -E '^[0-9a-f]{64}$' > "$tmp/keys" || true
while read -r key; do
	debugfs -c -R "rdump /build/cache/steps/$key $tmp" "$disk" >/dev/null 2>&1
	got=$tmp/$key here=$cache/steps/$key
	name=$(sed -n 's/^target targets\///p; s/^stage stages\///p; s/^phase packages\/\([^ ]*\) .*/\1/p' "$got/inputs" |
		awk '{print $1}' | tr '\n' ' ')
	name="$name${key%"${key#????????????}"}"
	cross=0
	! grep -q '^stage stages/cross ' "$got/inputs" || cross=1
	if [ ! -d "$here" ]; then
		echo "$name: not built here"
		rm -rf "$got"
		continue
	fi
	# the host's target directory (cross-ARCH's TRIPLET/), absent in the guest's
	triplet=
	for d in "$here"/out/*-*-*/; do
		t=$(basename "$d")
		[ -d "$d" ] && [ ! -d "$got/out/$t" ] && triplet=$t
	done
	: > "$tmp/programs"
	files "$got/out" "$triplet" | sort > "$tmp/guest"
	files "$here/out" "" | sort > "$tmp/host"
	programs=$(sort -u "$tmp/programs" | wc -l)
	note=
	[ "$programs" -eq 0 ] || note=", and $programs of the toolchain's own files not compared"
	if cmp -s "$tmp/guest" "$tmp/host"; then
		echo "$name: same ($(wc -l < "$tmp/guest") files$note)"
	else
		echo "$name: differs$note:"
		join -a1 -a2 -e '(none)' -o 0,1.2,2.2 "$tmp/guest" "$tmp/host" |
			awk '$2 != $3 {print "    " $1 (($2 == "(none)") ? ": only on the host" : ($3 == "(none)") ? ": only in the guest" : ": different")}'
	fi
	rm -rf "$got"
done < "$tmp/keys"
