#!/bin/sh
# The runner's overhead: `bootstrap stage cross-TARGET` from an empty step
# cache against the same commands by hand (cross-by-hand.sh), alternated,
# N times each, on an otherwise idle machine:
#   sh docs/results/overhead.sh TARGET N SOURCES-DIR SCRATCH-DIR
# Prints wall-clock and CPU seconds (user+system, all processes) of each
# run, from /usr/bin/time, and the runner's step table.
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
T=${1:?target} N=${2:?runs} S=$(cd "${3:?sources}" && pwd) W=${4:?scratch directory}
mkdir -p "$W"
W=$(cd "$W" && pwd)

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
	measure "runner$i" "$TOP/bootstrap" --top "$TOP" --work "$W/work" \
		--cache "$W/cache" --offline stage "cross-$T"
	sed -n '/: step times$/,$p' "$W/runner$i.log"
	measure "hand$i" sh "$TOP/docs/results/cross-by-hand.sh" "$S" "$W/hand" "$T"
	cat "$W/hand$i.log"
	i=$((i + 1))
done
rm -rf "$W/cache" "$W/work" "$W/hand"
