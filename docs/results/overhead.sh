#!/bin/sh
# The runner's overhead: `bootstrap stage cross-TARGET` from an empty step
# cache against the same commands by hand (cross-by-hand.sh), alternated,
# N times each, on an otherwise idle machine:
#   sh docs/results/overhead.sh TARGET N SOURCES-DIR SCRATCH-DIR [binutils]
# With "binutils", both sides build binutils alone (the runner from a copy
# of this project whose stage holds only `build binutils cross`): its
# fixed costs weigh more against 1.5 minutes than against 20.
# Prints wall-clock and CPU seconds (user+system, all processes) of each
# run, from /usr/bin/time, and the step times of both sides.
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
T=${1:?target} N=${2:?runs} S=$(cd "${3:?sources}" && pwd) W=${4:?scratch directory}
ONLY=${5:-}
mkdir -p "$W"
W=$(cd "$W" && pwd)
BS=$TOP/bootstrap
STAGE=cross-$T
if [ "$ONLY" = binutils ]; then
	rm -rf "$W/top" && mkdir -p "$W/top/stages"
	cp -R "$TOP/packages" "$TOP/patches" "$TOP/targets" "$W/top/"
	{ sed '/^build /d' "$TOP/stages/cross"; echo "build binutils cross"; } > "$W/top/stages/bu"
	TOP=$W/top STAGE=bu-$T
fi

# measure NAME COMMAND...: one line "NAME wall W cpu C"
measure() {
	name=$1
	shift
	/usr/bin/time -f '%e %U %S' -o "$W/time" "$@" > "$W/$name.log" 2>&1
	awk -v n="$name" '{ printf "%-8s wall %7.1f s  cpu %7.1f s\n", n, $1, $2 + $3 }' "$W/time"
}

i=1
while [ $i -le "$N" ]; do
	# a fresh cache holding only the sources (hard links: nothing copied)
	rm -rf "$W/cache" "$W/work" "$W/hand"
	mkdir -p "$W/cache" && cp -al "$S" "$W/cache/sources"
	measure "runner$i" "$BS" --top "$TOP" --work "$W/work" --cache "$W/cache" --offline stage "$STAGE"
	sed -n '/: step times$/,$p' "$W/runner$i.log"
	measure "hand$i" sh "$(dirname "$0")/cross-by-hand.sh" "$S" "$W/hand" "$T" $ONLY
	cat "$W/hand$i.log"
	i=$((i + 1))
done
rm -rf "$W/cache" "$W/work" "$W/hand"
