#!/bin/sh
# The cross toolchains and system images, when they are built here: compile
# and run programs with the toolchains (bootstrap test cross-ARCH), boot the
# images and run the tests inside (bootstrap test ARCH). Skipped, saying
# so, when not built.
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.." || exit 1
log=${TMPDIR:-/tmp}/built.$$

# built STAGE TEST HOW: bootstrap test TEST if STAGE is built, else say HOW
built() {
	if ! isbuilt "$1"; then
		echo "skip - $1: not built here ($3)"
		return
	fi
	"$BOOTSTRAP" --offline test "$2" > "$log" 2>&1
	rc=$?
	grep -E '^(ok|FAIL|skip) ' "$log"
	expect "bootstrap test $2" test $rc -eq 0
	[ $rc -eq 0 ] || tail -20 "$log"
	rm -f "$log"
}

for arch in x86_64 armv7l; do
	built "cross-$arch" "cross-$arch" "bootstrap stage cross-$arch builds it: about 25 minutes alone on 2 cores"
done
# a board's simplest boot (x86_64's is tests/boot.sh's), then every image
for t in armv7l raspi2b; do
	built "hello-$t" "hello-$t" "bootstrap test hello-$t builds and boots it"
done
for t in x86_64 armv7l; do
	built "image-$t" "$t" "bootstrap test $t builds and boots it"
done
# A board's image is its architecture's root filesystem and native
# compiler, tested above, with its own kernel, booted above. Its whole
# test compiles and runs the runner's tests on the emulated board, about
# half an hour on raspi2b: bootstrap test raspi2b, or test all.
for t in raspi2b; do
	isbuilt "image-$t" && echo "skip - image-$t: its whole test is long (bootstrap test $t runs it)"
done
