#!/bin/sh
# Integration tests: real builds of small packages made here, with the host
# cc standing in for the toolchain.
. "$(dirname "$0")/lib.sh"

T=${TMPDIR:-/tmp}/bootstrap-it.$$
trap '[ -n "$KEEP" ] || rm -rf "$T"' EXIT
newproject "$T"

# two packages with sources, one sourceless, over two stages
mkdir -p "$P/src/hello-1.0" "$P/src/libm-2.0"
cat > "$P/src/hello-1.0/hello.c" <<'C'
#include <stdio.h>
int main(void) { puts("hello from a tarball"); return 0; }
C
cat > "$P/src/libm-2.0/sq.c" <<'C'
#include <stdio.h>
int main(void) { printf("%d\n", 7 * 7); return 0; }
C
HH=$(tarball "$P" hello-1.0)
HL=$(tarball "$P" libm-2.0)
cat > "$P/packages/hello" <<R
# hello: compiled from its tarball
version 1.0
epoch 1700000000
source hello-1.0.tar.gz $HH
license MIT OR Apache-2.0

phase build
	\$CC -o hello \$SRC/hello.c
	mkdir -p \$OUT/bin
	cp hello \$OUT/bin/
R
cat > "$P/packages/sq" <<R
version 2.0
epoch 1700000000
source libm-2.0.tar.gz $HL
phase build
	\$CC -o sq \$SRC/sq.c
phase install
	mkdir -p \$OUT/bin
	cp sq \$OUT/bin/
R
cat > "$P/packages/greet" <<'R'
# greet: runs what hello built, from the tools stage and from this one
version 1
epoch 1700000000
depends hello
phase build
	mkdir -p $OUT/share
	$TOOLS/bin/hello > $OUT/share/from-tools
	$STAGE/bin/hello > $OUT/share/from-stage
	env | sort > $OUT/share/env
R
cat > "$P/stages/tools" <<'R'
context host
tools sh cc as ld mkdir cp
build hello
R
cat > "$P/stages/final" <<'R'
context host
needs tools
tools sh cc as ld mkdir cp env sort
env GREETING=hello-$ARCH
build hello
build sq
build greet
R

export LEAKED_FROM_HOST=1
bs all t1 > "$T/run1" 2>&1
expect "two-stage build succeeds" test $? -eq 0
O=$P/build/out
expect "stage output: a tool built in the first stage" sh -c "'$O/tools-t1/bin/hello' | grep -q 'hello from a tarball'"
expect "stage output: a later stage ran it" has "$O/final-t1/share/from-tools" "hello from a tarball"
expect "a step reads its in-stage dependency through \$STAGE" has "$O/final-t1/share/from-stage" "hello from a tarball"
expect "two phases of one package share a build tree" sh -c "'$O/final-t1/bin/sq' | grep -qx 49"
expect "one line per step with a counter" has "$T/run1" "[5/5] final-t1 greet build"
expect "a table of step times at the end of a stage" has "$T/run1" "final-t1: step times"
E=$O/final-t1/share/env
expect "clean environment: host variables do not leak" hasnt "$E" LEAKED_FROM_HOST
expect "clean environment: LC_ALL, TZ, SOURCE_DATE_EPOCH" sh -c "grep -qx LC_ALL=C '$E' && grep -qx TZ=UTC '$E' && grep -qx SOURCE_DATE_EPOCH=1700000000 '$E'"
expect "clean environment: PATH is the airlock" grep -qx "PATH=$P/build/airlock/final-t1" "$E"
expect "stage env lines see the target" grep -qx "GREETING=hello-t1" "$E"
expect "airlock holds only the declared tools" test "$(ls "$P/build/airlock/final-t1" | wc -l)" -eq 8
expect "manifest: sorted, with modes, sizes and hashes" sh -c "grep -q '^bin/hello f 0755 ' '$O/final-t1.manifest' && LC_ALL=C sort -c '$O/final-t1.manifest'"
H=$(sha256sum "$O/final-t1/share/from-tools" | cut -d' ' -f1)
expect "manifest hashes match the files" grep -q "^share/from-tools f 0644 21 $H -$" "$O/final-t1.manifest"
expect "build trees are removed after success" test ! -e "$P/build/work/final-t1/hello"

# nothing changed: all cache hits, fast
start=$(date +%s%N)
bs all t1 > "$T/run2" 2>&1
rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
expect "second run succeeds" test $rc -eq 0
expect "second run builds nothing" hasnt "$T/run2" "["
expect "second run under 2 seconds (${ms} ms)" test "$ms" -lt 2000
bs plan final-t1 > "$T/plan" 2>&1
expect "plan: everything cached" has "$T/plan" "5 steps, 5 cached, 0 to build"

# a comment changes no key
printf '# a comment\n' >> "$P/packages/greet"
bs all t1 > "$T/run3" 2>&1
expect "a comment in a recipe rebuilds nothing" hasnt "$T/run3" "["

# one byte in greet's recipe: greet alone rebuilds
sed -i 's,> $OUT/share/from-tools,>$OUT/share/from-tools,' "$P/packages/greet"
bs plan final-t1 > "$T/plan" 2>&1
expect "plan names the changed phase of the recipe" has "$T/plan" "changed phase packages/greet:build"
bs all t1 > "$T/run3" 2>&1
expect "a recipe change rebuilds that package" has "$T/run3" "[1/1] final-t1 greet build"
expect "... and nothing else" test "$(grep -c '^\[' "$T/run3")" -eq 2

# one byte in hello's: hello in both stages and greet, not sq
sed -i 's/^version 1.0$/version 1.0.1/' "$P/packages/hello"
bs all t1 > "$T/run4" 2>&1
expect "a change reaches dependants in later stages" sh -c "grep -q '\] tools-t1 hello build' '$T/run4' && grep -q '\] final-t1 hello build' '$T/run4' && grep -q '\] final-t1 greet build' '$T/run4'"
expect "... including every step of a stage that needs the changed one" has "$T/run4" "final-t1 sq build"

# one byte in sq's header: its two phases rebuild, nothing else
sed -i 's/^epoch 1700000000$/epoch 1700000001/' "$P/packages/sq"
bs all t1 > "$T/run5" 2>&1
expect "a change to a two-phase package rebuilds its phases only" sh -c "grep -q '\\[1/2\\] final-t1 sq build' '$T/run5' && grep -q '\\[2/2\\] final-t1 sq install' '$T/run5' && ! grep -q 'hello' '$T/run5'"

# the emulator's settings count only for the steps that read them
echo 'qemu-flags -m 64' >> "$P/targets/t1"
bs plan final-t1 > "$T/plan" 2>&1
expect "a new qemu flag rebuilds no step that does not read it" has "$T/plan" "5 steps, 5 cached, 0 to build"
printf '\techo "$QEMU_FLAGS" > $OUT/share/qemu-flags\n' >> "$P/packages/greet"
bs all t1 > /dev/null 2>&1
sed -i 's/^qemu-flags -m 64$/qemu-flags -m 128/' "$P/targets/t1"
bs plan final-t1 > "$T/plan" 2>&1
expect "... and rebuilds the step that reads it" sh -c "grep -q '5 steps, 4 cached, 1 to build' '$T/plan' && grep -q 'changed qemu-flags t1' '$T/plan'"
expect "plan gives the step's last time and an estimate from it" sh -c "grep -q '^  build   greet .*(last time [0-9]*:[0-9][0-9])' '$T/plan' && grep -q '1 to build: about [0-9]*:[0-9][0-9] by the last builds' '$T/plan'"
# a step this machine never built: the reference machine's time, if any
mkdir -p "$P/docs"
printf '# STAGE SLOT SECONDS\nfinal-t2 greet.build 4321\nfinal-t2 sq.build 5\n' > "$P/docs/reference-times"
cp "$P/targets/t1" "$P/targets/t2"
bs plan final-t2 > "$T/plan2" 2>&1
expect "plan: a step never built here has the reference machine's time, and the estimate says how many" sh -c "grep -q '^  build   greet .*(1:12:01 on the reference machine)' '$T/plan2' && grep -q ': about 1:12:06 by the last builds. times (2 of them the reference machine.s, docs/reference-times; 3 never timed)$' '$T/plan2'"
cp "$P/targets/t1" "$P/targets/t3"
bs plan final-t3 > "$T/plan3" 2>&1
expect "plan: a step no machine timed for its target has another target's reference time, said so" grep -q '^  build   greet .*(1:12:01 on the reference machine, for another target)' "$T/plan3"
rm -r "$P/docs" "$P/targets/t2" "$P/targets/t3"

# a board: a machine of t1's architecture, with t1's toolchain
printf '# a board\ntoolchain t1\nmachine b1board\nqemu-flags -m 256\n' > "$P/targets/b1"
bs plan final-b1 > "$T/plan" 2>&1
expect "a board takes its toolchain's steps as they are" sh -c "grep -q '5 steps, 4 cached, 1 to build' '$T/plan' && grep -q '^  cached  sq install' '$T/plan'"
expect "... but not a step that reads what the board gives" grep -q "^  build   greet build" "$T/plan"
bs all b1 > "$T/run6" 2>&1
expect "a board's stage builds" test $? -eq 0
E=$P/build/out/final-b1/share/env
expect "a board's steps see ARCH (its toolchain's) and BOARD (its own)" sh -c "grep -qx ARCH=t1 '$E' && grep -qx BOARD=b1 '$E' && grep -qx TARGET=t1-linux-musl '$E' && grep -qx QEMU_MACHINE=b1board '$E'"
expect "... and what it leaves to its toolchain" grep -qx "CONSOLE=ttyS0" "$E"
bs list > "$T/list" 2>&1
expect "list says which target is a board, and whose toolchain it takes" grep -q "^  b1  *t1-linux-musl .*(a board: t1's toolchain)" "$T/list"
printf 'toolchain t1\ntriplet b1-linux-musl\n' > "$P/targets/b2"
printf 'toolchain b1\n' > "$P/targets/b3"
bs plan final-t1 > "$T/bad" 2>&1
expect "a board that gives its toolchain's settings is an error at its line" sh -c "grep -q 'targets/b2:2: a board gives only what is its own .*triplet' '$T/bad'"
expect "a board's toolchain must be a target with its own" grep -q "targets/b3:1: expected a target with its own toolchain (t1), found 'b1'" "$T/bad"
rm -f "$P/targets/b2" "$P/targets/b3"

# the ledger of published builds: bootstrap check
bs check final-t1 > "$T/ck0" 2>&1
expect "check: nothing published yet, said so" sh -c "test $? -eq 1 && grep -q 'no published build with this key' '$T/ck0'"
bs check --publish final-t1 > /dev/null 2>&1
bs check final-t1 > "$T/ck1" 2>&1
expect "check: the same bits as the published build" sh -c "test $? -eq 0 && grep -q '^final-t1: same bits as the published build of 20' '$T/ck1'"
L=$(ls "$P"/docs/results/manifests/final-t1.*.manifest)
f=$(awk '$2 == "f" { print $1; exit }' "$L")
sed -i "s|^\($f f [0-7]* [0-9]* \)[0-9a-f]*|\10000000000000000000000000000000000000000000000000000000000000000|" "$L"
sed -i "s|^\(final-t1 [0-9a-f]* \)[0-9a-f]*|\1$(printf '%064d' 1)|" "$P/docs/results/ledger"
bs check final-t1 > "$T/ck2" 2>&1
expect "check: another build's bits: exit 3, the file named" sh -c "test $? -eq 3 && grep -q 'NOT the published build' '$T/ck2' && grep -qx '  differs: $f' '$T/ck2' && grep -q '^final-t1: differences: 1$' '$T/ck2'"

# the run's timeline: a CSV and an SVG bar per step; the history grows
bs all t1 > "$T/tl" 2>&1
expect "a timeline is written after a run, and named" sh -c "grep -q '^timeline: $P/build/logs/timeline.svg' '$T/tl' && test -s '$P/build/logs/timeline.csv'"
expect "the timeline has a row and a bar for each step built" sh -c "test \$(grep -c ',ok\$' '$P/build/logs/timeline.csv') -ge 1 && test \$(grep -c '<rect' '$P/build/logs/timeline.svg') -eq \$((\$(wc -l < '$P/build/logs/timeline.csv') - 1)) && tail -1 '$P/build/logs/timeline.svg' | grep -qx '</svg>'"
expect "every step's time goes into the history" grep -q "^20[0-9-]*T[0-9:]*Z,final-t1,greet build," "$P/cache/state/history.csv"

# the SBOM beside each output: SPDX 2.3, every pinned source that went in
J=$P/build/out/final-t1.spdx.json
expect "an SPDX 2.3 document beside the output" sh -c "grep -q '\"spdxVersion\": \"SPDX-2.3\"' '$J' && grep -q '\"documentDescribes\": \\[\"SPDXRef-stage\"\\]' '$J'"
expect "the SBOM names each source with its sha256 and declared licence" sh -c "grep -A8 '\"packageFileName\": \"hello-1.0.tar.gz\"' '$J' | grep -q '\"checksumValue\": \"$HH\"' && grep -q '\"licenseDeclared\": \"MIT OR Apache-2.0\"' '$J' && grep -q '\"packageFileName\": \"libm-2.0.tar.gz\"' '$J'"
sed -i 's/^license MIT OR Apache-2.0$/license MIT/' "$P/packages/hello"
expect "a licence is no input of the build: changing it rebuilds nothing" sh -c "'$BOOTSTRAP' --top '$P' --cache '$P/cache' plan final-t1 | grep -q ' 0 to build\$'"

# -v: a step's output reaches the console as it comes, not at its end
cat > "$P/packages/talky" <<'R'
version 1
epoch 1
phase build
	echo "talky: first"
	sleep 4
	echo "talky: second"
R
printf 'context host\ntools sh sleep\nbuild talky\n' > "$P/stages/talk"
bsbg -v stage talk-t1 > "$T/talk" 2>&1
pid=$!
waitfor "$T/talk" "talky: first" 3
expect "-v streams a step's output as it comes" sh -c "grep -q 'talky: first' '$T/talk' && ! grep -q 'talky: second' '$T/talk'"
wait $pid
rm "$P/stages/talk" "$P/packages/talky"

# a failing step: its package, stage, step, log and last 30 lines; exit non-zero
cat > "$P/packages/bad" <<'R'
version 1
epoch 1
phase build
	i=1; while [ $i -le 40 ]; do echo "log line $i"; i=$((i+1)); done
	exit 3
R
cat > "$P/stages/broken" <<'R'
context host
tools sh cc as ld cp mkdir
build bad
build sq
R
bs stage broken-t1 > "$T/fail" 2>&1
rc=$?
expect "a failing step exits non-zero" test $rc -ne 0
expect "a failed step's line says FAILED" grep -q "^\[1/[0-9]*\] broken-t1 bad build [0-9:]* FAILED$" "$T/fail"
expect "a failure names package, stage and step" has "$T/fail" "step failed: package bad, stage broken-t1, step build (exit 3)"
expect "a failure gives the log's path" has "$T/fail" "log: $P/build/logs/broken-t1/bad.build.log"
expect "a failure shows the last 30 lines" sh -c "grep -qx 'log line 40' '$T/fail' && grep -qx 'log line 11' '$T/fail' && ! grep -qx 'log line 10' '$T/fail'"
expect "without -k the run stops at the failure" hasnt "$T/fail" "broken-t1 sq"
expect "a failure names its kept tree and the shell command" sh -c "grep -q 'its build tree is kept: $P/build/work/broken-t1/bad' '$T/fail' && grep -q 'bootstrap shell broken-t1 bad build' '$T/fail'"
echo 'echo "in: $PWD $BOOTSTRAP_PHASE python3=$(command -v python3) $(command -v cc)"; sh -e ../build.sh > /dev/null; exit $?' | bs shell broken-t1 bad build > "$T/shell" 2>&1
rc=$?
expect "shell: in the step's tree and environment, its tools only" sh -c "grep -q 'in: $P/build/work/broken-t1/bad/build build python3= $P/build/airlock/broken-t1/cc\$' '$T/shell'"
expect "shell: the phase's commands are there to run; the shell's status is the command's" test $rc -eq 3
bs shell broken-t1 bad nosuch > "$T/shell2" 2>&1
rc=$?
expect "shell: an unknown step names the stage's steps" sh -c "test $rc -eq 2 && grep -q \"has no step 'bad nosuch': its steps are\" '$T/shell2' && grep -qx '  sq install' '$T/shell2'"
bs -k stage broken-t1 > "$T/fail2" 2>&1
expect "with -k, independent steps still build" has "$T/fail2" "broken-t1 sq install"
expect "with -k, a summary: built, failed by name" sh -c "grep -q '^summary: [0-9]* built, 1 failed' '$T/fail2' && grep -qx '  failed:  broken-t1 bad build' '$T/fail2'"
rm "$P/stages/broken" "$P/packages/bad"

# a failed step goes on in its tree when run again unchanged (as make
# would), but starts over once its recipe changed: what the failed attempt
# left (a configure cache, say) belongs to another recipe
cat > "$P/packages/again" <<'R'
version 1
epoch 1
phase build
	mkdir -p $OUT
	if [ -e leftover ]; then echo "second attempt"; echo resumed > $OUT/how; else echo "first attempt"; touch leftover; sleep 3; exit 1; fi
R
printf 'context host\ntools sh mkdir touch sleep\nbuild again\n' > "$P/stages/again"
bs stage again-t1 > /dev/null 2>&1
bs stage again-t1 > "$T/again" 2>&1
rc=$?
expect "a failed step run again unchanged goes on in its tree" sh -c "test $rc -eq 0 && test \"\$(cat '$P/build/out/again-t1/how')\" = resumed"
L=$P/build/logs/again-t1/again.build.log
expect "... and its log goes on too, the earlier attempt's lines kept" sh -c "grep -q 'first attempt' '$L' && grep -q 'goes on in its tree ---' '$L' && grep -q 'second attempt' '$L'"
expect "... its line says so, with the time spent before" grep -q '^\[1/1\] again-t1 again build (goes on in its tree, 0:0[3-9] before) ' "$T/again"
expect "... and its time: the earlier attempt's counts in the whole step's" sh -c "grep -q '^      again-t1 again build: 0:0[3-9] in all, its earlier attempts counted' '$T/again' && tail -n 1 '$P/cache/state/history.csv' | awk -F, '\$2 == \"again-t1\" && \$4 >= 3 { ok = 1 } END { exit !ok }'"
printf '\ttrue\n' >> "$P/packages/again"
bs stage again-t1 > /dev/null 2>&1
printf '\ttrue\n' >> "$P/packages/again"
bs stage again-t1 > "$T/again2" 2>&1
rc=$?
expect "once its recipe changed, a failed step starts over in a fresh tree" test $rc -ne 0
expect "... with a fresh log" sh -c "test \$(grep -c 'attempt' '$L') -eq 1"
bs stage again-t1 > /dev/null 2>&1
expect "... and, run again unchanged, goes on there" test "$(cat "$P/build/out/again-t1/how")" = resumed
rm "$P/packages/again" "$P/stages/again"

# A stop can leave a tree make cannot go on from (a configure cut short
# leaves a Makefile naming files it did not write): when going on there
# fails, the step starts over from fresh sources, in the same run; after
# a failure of its own it does not
cat > "$P/packages/stopped" <<R
version 1
epoch 1
phase build
	mkdir -p \$OUT
	if [ -e half ]; then echo "cannot go on"; exit 2; fi
	touch half
	if [ -e $T/fail-own ]; then exit 1; fi
	if [ -e $T/hang ]; then echo started > $T/started; sleep 7775; fi
	rm half; echo fresh > \$OUT/how
R
printf 'context host\ntools sh mkdir touch sleep rm\nbuild stopped\n' > "$P/stages/stopped"
for sig in TERM KILL; do
	touch "$T/hang"
	rm -f "$T/started"
	bsbg stage stopped-t1 > "$T/st1" 2>&1
	pid=$!
	waitfor "$T/started" started 20
	kill -$sig $pid; wait $pid 2> /dev/null
	[ $sig = TERM ] || expect "a runner killed alone ($sig): the step it was building stops with it" gone "sleep 7775"
	rm "$T/hang"
	bs stage stopped-t1 > "$T/st2" 2>&1
	expect "a step stopped ($sig) in a tree it cannot go on from starts over, and says so" sh -c "test $? -eq 0 && grep -q 'going on where a stopped attempt left its tree failed; it starts over' '$T/st2' && test \"\$(cat '$P/build/out/stopped-t1/how')\" = fresh"
	expect "... without a failure's report first: it is not the end" sh -c "! grep -q 'step failed' '$T/st2'"
	printf '\ttrue\n' >> "$P/packages/stopped"
done
# the same in an audit's second build, whose steps run twice: the first
# run, in the stopped tree, is the one that fails
touch "$T/hang"
rm -f "$T/started"
bsbg --cache "$P/audit/stopped" --audit-twice stage stopped-t1 > "$T/st1" 2>&1
pid=$!
waitfor "$T/started" started 20
kill -TERM $pid; wait $pid 2> /dev/null
rm "$T/hang"
bs --cache "$P/audit/stopped" --audit-twice stage stopped-t1 > "$T/st2" 2>&1
expect "... and so when its steps run twice (an audit's resume), without the report either" sh -c "test $? -eq 0 && grep -q 'it starts over' '$T/st2' && ! grep -q 'step failed' '$T/st2'"
touch "$T/fail-own"
bs stage stopped-t1 > /dev/null 2>&1
rm "$T/fail-own"
bs stage stopped-t1 > "$T/st3" 2>&1
expect "... after a failure of its own, going on there fails, and that is all" sh -c "test $? -ne 0 && grep -q 'cannot go on' '$P/build/logs/stopped-t1/stopped.build.log' && ! grep -q 'starts over' '$T/st3'"
rm -f "$T/started" "$P/packages/stopped" "$P/stages/stopped"

# after a power cut (a guest's emulator killed) the step that was running
# may have left files half-written: it starts over in a fresh tree, or,
# given when all was last on the disk (--synced), goes on there less the
# files changed since; failing then, it starts over at once. The sync
# time is a second early, as the guest's (guest-init.sh): a file's time is
# the kernel's coarse clock, which can still say the second before when
# date already says the next
cat > "$P/packages/cut" <<R
version 1
epoch 1
phase build
	mkdir -p \$OUT
	if [ -e early ] && ! [ -e late ]; then
		if [ -e $T/fail-next ]; then rm $T/fail-next; exit 3; fi
		echo "went on" > \$OUT/how; exit 0
	fi
	touch early; sleep 2.1; echo \$((\$(date +%s) - 1)) > synced; sleep 1.1; touch late; exit 1
R
printf 'context host\ntools sh mkdir touch sleep date rm\nbuild cut\n' > "$P/stages/cut"
C=$P/build/work/cut-t1/cut/build
bs stage cut-t1 > /dev/null 2>&1
bs --power-cut stage cut-t1 > "$T/cut1" 2>&1
expect "after a power cut, the running step starts over in a fresh tree" sh -c "grep -q 'unpacking cut' '$T/cut1' && test -e '$C/late'"
touch "$T/fail-next"
bs --power-cut --synced "$(cat "$C/synced")" stage cut-t1 > "$T/cut2" 2>&1
expect "... given the last sync, it goes on in its tree less what changed since" sh -c "grep -q 'goes on in its tree: 2 files changed since the last sync removed' '$T/cut2' && ! test -e '$T/fail-next'"
expect "... failing there, it starts over at once from fresh sources" sh -c "grep -q 'it starts over' '$T/cut2' && grep -q 'unpacking cut' '$T/cut2' && test -e '$C/early' && test -e '$C/late'"
bs --power-cut --synced "$(cat "$C/synced")" stage cut-t1 > "$T/cut4" 2>&1
expect "... which, cut again and resumed, finishes" sh -c "test \"\$(cat '$P/build/out/cut-t1/how')\" = 'went on'"
bs --synced 0 stage cut-t1 > "$T/cut5" 2>&1
rc=$?
expect "--synced: a time that is not one is refused" sh -c "test $rc -ne 0 && grep -q \"expected a time in seconds since 1970, found '0'\" '$T/cut5'"
rm "$P/packages/cut" "$P/stages/cut"

# --distcc DIR: its masquerade links first in every step's PATH, and the
# distcc there in front of what gcc's build calls by path (STAGE_CC_WRAPPER)
cat > "$P/packages/dcc" <<'R'
version 1
epoch 1
phase build
	mkdir -p $OUT
	echo "${PATH%%:*}" > $OUT/first
	echo "wrapper=$STAGE_CC_WRAPPER" > $OUT/wrapper
R
printf 'context host\ntools sh mkdir\nbuild dcc\n' > "$P/stages/dcc"
mkdir -p "$T/links" "$T/nolinks"
ln -s "$(command -v true)" "$T/links/distcc"
bs --distcc "$T/nolinks" stage dcc-t1 > "$T/dcc1" 2>&1
expect "--distcc: its links come first in a step's PATH; with no distcc among them, no wrapper" sh -c "test \"\$(cat '$P/build/out/dcc-t1/first')\" = '$T/nolinks' && test \"\$(cat '$P/build/out/dcc-t1/wrapper')\" = 'wrapper='"
bs --distcc "$T/links" plan dcc-t1 > "$T/dcc2" 2>&1
expect "... distcc is no part of a step's key" grep -q ' 0 to build$' "$T/dcc2"
sed -i 's/^version 1/version 2/' "$P/packages/dcc"
bs --distcc "$T/links" stage dcc-t1 > "$T/dcc3" 2>&1
expect "... with one, gcc's compiles by path go through it" sh -c "test \"\$(cat '$P/build/out/dcc-t1/wrapper')\" = 'wrapper=$T/links/distcc'"
rm "$P/packages/dcc" "$P/stages/dcc"

# a corrupted tarball is refused, moved aside, never cached
cp "$P/mirror/hello-1.0.tar.gz" "$T/good.tar.gz"
printf 'x' >> "$P/mirror/hello-1.0.tar.gz"
BAD=$(sha256sum "$P/mirror/hello-1.0.tar.gz" | cut -d' ' -f1)
rm -rf "$P/cache/sources"
bs fetch hello > "$T/corrupt" 2>&1
expect "a corrupted source fails" test $? -ne 0
expect "the error names the file, expected and actual hash" grep -q "hello-1.0.tar.gz from .*: sha256 mismatch: expected $HH, found $BAD" "$T/corrupt"
expect "a corrupted source is not cached" test ! -e "$P/cache/sources/hello-1.0.tar.gz"
expect "a corrupted source is moved aside" test -e "$P/cache/sources/rejected/hello-1.0.tar.gz.$BAD"
cp "$T/good.tar.gz" "$P/mirror/hello-1.0.tar.gz"
bs fetch hello > /dev/null 2>&1
expect "fetch from a mirror directory verifies and caches" test -f "$P/cache/sources/hello-1.0.tar.gz"

# --offline: a source missing from the cache fails clearly
rm -rf "$P/cache/sources"
"$BOOTSTRAP" --top "$P" --cache "$P/cache" --offline fetch sq > "$T/offline" 2>&1
expect "offline: missing source fails" test $? -ne 0
expect "offline: the message names recipe line, file and cache" has "$T/offline" "packages/sq:3: libm-2.0.tar.gz (package sq) is not in the source cache $P/cache/sources, and --offline forbids fetching it"
"$BOOTSTRAP" --top "$P" --cache "$P/cache" --offline --mirror "http://127.0.0.1:1/none" fetch sq > "$T/offline3" 2>&1
expect "offline: a mirror URL is not tried" sh -c "test $? -ne 0 && ! grep -q 127.0.0.1 '$T/offline3' && grep -q 'nor in a local --mirror' '$T/offline3'"
bs --offline fetch sq > "$T/offline2" 2>&1
expect "offline with a local mirror directory: fetched from it, verified" sh -c "test $? -eq 0 && test -f '$P/cache/sources/libm-2.0.tar.gz'"

# an archive with a '..' member is refused
mkdir -p "$P/src/evil"
echo x > "$P/src/evil/f"
tar -cf - -P -C "$P/src/evil" --transform "s,^,../," f | gzip -n > "$P/mirror/evil.tar"
HE=$(sha256sum "$P/mirror/evil.tar" | cut -d' ' -f1)
printf 'version 1\nepoch 1\nsource evil.tar %s\nphase build\n\ttrue\n' "$HE" > "$P/packages/evil"
printf 'context host\ntools sh\nbuild evil\n' > "$P/stages/evil"
bs stage evil-t1 > "$T/evil" 2>&1
rc=$?
expect "an archive member with '..' is refused" sh -c "test $rc -ne 0 && grep -q \"refusing member '../f'\" '$T/evil'"
expect "... and nothing is written outside" test ! -e "$P/build/work/evil-t1/f"
rm "$P/packages/evil" "$P/stages/evil"

# a step killed with SIGKILL (the runner and all): the next run resumes cleanly
cat > "$P/packages/slow" <<R
version 1
epoch 1
phase one
	echo one > one
phase two
	echo half > \$OUT/half
	if [ -e $T/slow ]; then echo started > $T/started; sleep 987; fi
	cat one > \$OUT/two
R
printf 'context host\ntools sh cat sleep\nbuild slow\n' > "$P/stages/slow"
touch "$T/slow"
bsbg stage slow-t1 > "$T/kill1" 2>&1
pid=$!
i=0; while [ ! -e "$T/started" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
kill -9 $(pgrep -P $pid -f "stage slow-t1") $pid
wait $pid 2>/dev/null
expect "a killed run leaves no stage output" test ! -e "$P/build/out/slow-t1"
rm "$T/slow"
bs stage slow-t1 > "$T/kill2" 2>&1
expect "after SIGKILL the next run succeeds" test $? -eq 0
expect "it stops the killed run's leftover processes" has "$T/kill2" "left running by a killed run"
expect "the killed phase runs again in its tree; the finished one is left alone" sh -c "grep -q '\] slow-t1 slow two' '$T/kill2' && ! grep -q 'slow one' '$T/kill2'"
expect "the output is whole" test "$(cat "$P/build/out/slow-t1/two")" = one
expect "no half-written entry is left in the cache" test -z "$(ls "$P/cache/tmp")"
expect "no leftover process" gone "sleep 987"

# the build tree gone and a later phase changed: the earlier one is
# replayed for its tree, from its cached output, not rebuilt
bs clean slow-t1
printf '\techo changed\n' >> "$P/packages/slow"
bs stage slow-t1 > "$T/replay" 2>&1
expect "a lost build tree is replayed, then the changed phase runs" sh -c "grep -q '\[1/1\] slow-t1 slow one (replayed for its build tree)' '$T/replay' && grep -q '\[1/1\] slow-t1 slow two' '$T/replay'"
expect "... and its output is whole" test "$(cat "$P/build/out/slow-t1/two")" = one

# two runs on one work tree: the second is refused while the first runs
touch "$T/slow"
rm -f "$T/started"
printf '\ttrue\n' >> "$P/packages/slow"
bsbg stage slow-t1 > /dev/null 2>&1
pid=$!
t0=$(date +%s)
i=0; while [ ! -e "$T/started" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
bs stage slow-t1 > "$T/lock" 2>&1
expect "a second run on the same work tree is refused" has "$T/lock" "another bootstrap run (pid $pid) is using $P/build"
bs plan slow-t1 > "$T/planrun" 2>&1
expect "plan: a step under way says so, and since when" grep -q '^      running now, since [0-9-]*T[0-9:]*Z (0:[0-9][0-9] so far)$' "$T/planrun"
cp "$P/packages/slow" "$T/slow.recipe"
printf '\techo edited\n' >> "$P/packages/slow"
bs plan slow-t1 > "$T/planedit" 2>&1
expect "... and that its inputs changed under it, when they did" grep -q '^      running now, since [0-9-]*T[0-9:]*Z (0:[0-9][0-9] so far), from inputs changed since it started$' "$T/planedit"
cp "$T/slow.recipe" "$P/packages/slow"
kill -INT $pid
wait $pid
rc=$?
expect "Ctrl-C stops the run with a non-zero status" test $rc -ne 0
waited=$(($(date +%s) - t0 + 1))
bs plan slow-t1 > "$T/planstop" 2>&1
# the time it spent is the step's own: no more than the run lasted
spent=$(sed -n 's/^      stopped in its tree after \([0-9]*\):\([0-9][0-9]\): the next run goes on there$/\1 \2/p' "$T/planstop")
expect "plan: a stopped step, the time it spent (at most the run's), and that the next run goes on in its tree" sh -c "set -- $spent; test \$# = 2 && test \$((\$1 * 60 + \${2#0})) -le $waited"
expect "Ctrl-C stops the step's processes" gone "sleep 987"
expect "Ctrl-C leaves no half-written entry" test -z "$(ls "$P/cache/tmp")"
rm -f "$T/slow"

# two work trees on one cache: a run waits for the step another builds,
# then takes its output instead of building it again
cat > "$P/packages/shared" <<R
version 1
epoch 1
phase build
	echo started > $T/shared.started
	while [ -e $T/shared.hold ]; do sleep 0.1; done
	echo built >> $T/shared.builds
	mkdir -p \$OUT
	echo one > \$OUT/it
R
printf 'context host\ntools sh sleep mkdir\nbuild shared\n' > "$P/stages/shared"
touch "$T/shared.hold"
bsbg stage shared-t1 > "$T/share1" 2>&1
pid=$!
waitfor "$T/shared.started" started 20
bs --work "$T/w2" stage shared-t1 > "$T/share2" 2>&1 &
pid2=$!
waitfor "$T/share2" "waiting for another run building" 20
expect "a run on another work tree waits for the step one is building, and says so" test $? -eq 0
rm "$T/shared.hold"
wait $pid; rc=$?
wait $pid2; rc2=$?
expect "... then takes its output: built once, both runs whole" sh -c "test $rc -eq 0 && test $rc2 -eq 0 && test \"\$(wc -l < '$T/shared.builds')\" -eq 1 && test \"\$(cat '$T/w2/out/shared-t1/it')\" = one"

# a make jobserver is passed through to steps
printf 'version 1\nepoch 1\nphase build\n\tmkdir -p $OUT\n\techo "$MAKEFLAGS" > $OUT/makeflags\n' > "$P/packages/js"
printf 'context host\ntools sh mkdir\nbuild js\n' > "$P/stages/js"
printf 'all:\n\t+%s --top %s --cache %s stage js-t1\n' "$BOOTSTRAP" "$P" "$P/cache" > "$T/Makefile"
make -s -j3 -f "$T/Makefile" > "$T/js" 2>&1
expect "a make jobserver reaches the steps" grep -q -- "--jobserver-auth=" "$P/build/out/js-t1/makeflags"
printf '\ttrue\n' >> "$P/packages/js"
bs -j 5 stage js-t1 > /dev/null 2>&1
expect "without a jobserver, -j N becomes MAKEFLAGS" grep -qx -- "-j5" "$P/build/out/js-t1/makeflags"

# --steps N: independent steps of a stage build side by side (pa and pb
# each wait for the other to start), one that reads another's output waits
# for it (pc, listed before pb, reads pa), and a stop reaches every step.
# How long a step waits for the other, in tenths of a second, is in a file
# (no input of the steps): short where the wait must fail, long where a
# loaded machine may take seconds to start the other step
echo 20 > "$T/patience"
for x in a b; do
	y=$([ $x = a ] && echo b || echo a)
	cat > "$P/packages/p$x" <<R
version 1
epoch 1
phase build
	mkdir -p \$OUT
	touch $T/p$x.started
	i=0; n=\$(cat $T/patience); while [ ! -e $T/p$y.started ] && [ \$i -lt \$n ]; do sleep 0.1; i=\$((i+1)); done
	[ -e $T/p$y.started ]
	if [ -e $T/hold ]; then sleep 987; fi
	touch $T/p$x.done \$OUT/p$x
R
done
printf 'version 1\nepoch 1\ndepends pa\nphase build\n\tmkdir -p $OUT\n\t[ -e %s/pa.done ] && touch $OUT/pc\n' "$T" > "$P/packages/pc"
printf 'context host\ntools sh mkdir touch sleep cat\nbuild pa\nbuild pc\nbuild pb\n' > "$P/stages/par"
bs stage par-t1 > "$T/par1" 2>&1
expect "one step at a time by default (the steps that wait for each other fail)" sh -c "test $? -ne 0 && grep -q 'step failed: package pa' '$T/par1'"
rm -f "$T"/p?.started "$T"/p?.done
echo 600 > "$T/patience"
bs --steps 2 stage par-t1 > "$T/par2" 2>&1
rc=$?
expect "--steps 2: two independent steps at once, the one that reads another after it" sh -c "test $rc -eq 0 && ls '$P/build/out/par-t1' | tr '\n' ' ' | grep -qx 'pa pb pc '"
# (pa and pb failed in the run before: they go on in their trees, and say so)
again='\( (goes on in its tree, [0-9:]* before)\)\{0,1\}'
expect "... each step's lines whole, numbered in the order they started" sh -c "grep -q '^\[1/3\] par-t1 pa build$again [0-9:]*$' '$T/par2' && grep -q '^\[2/3\] par-t1 pb build$again [0-9:]*$' '$T/par2' && grep -q '^\[3/3\] par-t1 pc build [0-9:]*$' '$T/par2'"
expect "... and the stage's table has them all" sh -c "grep -A4 '^par-t1: step times' '$T/par2' | grep -c 'build ' | grep -qx 3"
# ... and of two stages: pd, alone in its stage, waits for pa to start
printf 'version 1\nepoch 1\nphase build\n\tmkdir -p $OUT\n\ti=0; while [ ! -e %s/pa.started ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done\n\t[ -e %s/pa.started ] && touch $OUT/pd\n' "$T" "$T" > "$P/packages/pd"
printf 'context host\ntools sh mkdir touch sleep\nbuild pd\n' > "$P/stages/par2"
printf '\ttrue\n' >> "$P/packages/pa"; printf '\ttrue\n' >> "$P/packages/pb"
rm -f "$T"/p?.started "$T"/p?.done
bs --steps 2 stage par2-t1 par-t1 > "$T/par2b" 2>&1
rc=$?
expect "... and steps of two stages at once" sh -c "test $rc -eq 0 && test -e '$P/build/out/par2-t1/pd' && test -e '$P/build/out/par-t1/pb'"
printf '\ttrue\n' >> "$P/packages/pa"; printf '\ttrue\n' >> "$P/packages/pb"
rm -f "$T"/p?.started "$T"/p?.done
touch "$T/hold"
bsbg --steps 2 stage par-t1 > "$T/par3" 2>&1
pid=$!
i=0; while [ "$(pgrep -fc 'sleep 987')" -lt 2 ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done
kill -TERM $pid
wait $pid
rc=$?
expect "a stop given to the runner alone stops both steps" sh -c "test $rc -ne 0 && test \$(grep -c '^stopped: par-t1 p[ab] build' '$T/par3') -eq 2"
expect "... and their processes" gone "sleep 987"
rm -f "$T"/p?.started "$T"/p?.done
bsbg --steps 2 stage par-t1 > "$T/par4" 2>&1
pid=$!
i=0; while [ "$(pgrep -fc 'sleep 987')" -lt 2 ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done
# the runner and the processes it forked for its steps, as a power cut
# would: the runner alone, each step stops itself (run_watch)
kill -9 $(pgrep -P $pid) $pid
wait $pid 2>/dev/null
rm -f "$T/hold"
bs --steps 2 stage par-t1 > "$T/par5" 2>&1
rc=$?
expect "after the runner was killed, both steps' leftovers are stopped, and it goes on" sh -c "test $rc -eq 0 && test \$(grep -c 'left running by a killed run' '$T/par5') -ge 2"
expect "... none left" gone "sleep 987"
rm "$P/stages/par" "$P/stages/par2" "$P/packages/pa" "$P/packages/pb" "$P/packages/pc" "$P/packages/pd"

# --option=value is --option value
"$BOOTSTRAP" --top="$P" --cache="$P/cache" --mirror="$P/mirror" --jobs=2 plan final-t1 > "$T/eq1" 2>&1
bs -j 2 plan final-t1 > "$T/eq2" 2>&1
expect "--cache=DIR, --top=DIR, --jobs=N: the same plan as the spaced forms" sh -c "grep -q 'steps, ' '$T/eq1' && cmp -s '$T/eq1' '$T/eq2'"

# list and bad input
bs list > "$T/list" 2>&1
expect "list shows targets, stages with names, packages with versions" sh -c "grep -q 't1 .*t1-linux-musl' '$T/list' && grep -q 'final-t1' '$T/list' && grep -q 'hello .*1.0' '$T/list'"
bs stage nosuch-t1 > "$T/bad" 2>&1
rc=$?
expect "an unknown stage is an error" sh -c "test $rc -ne 0 && grep -q \"unknown stage kind 'nosuch'\" '$T/bad'"
expect "... naming the stages there are" grep -q "expected one of stages/: .*final" "$T/bad"
bs stage final-nowhere > "$T/bad" 2>&1
expect "an unknown target is an error naming the targets there are" grep -q "unknown target 'nowhere' in 'final-nowhere': expected one of targets/: .*t1" "$T/bad"
printf 'version 1\nepoch 1\nsourc x 1\nphase a\n\ttrue\n' > "$P/packages/typo"
bs list > "$T/bad" 2>&1
rc=$?
expect "a malformed recipe is reported as file:line" sh -c "test $rc -ne 0 && grep -q \"^$P/packages/typo:3: expected a recipe keyword\" '$T/bad'"
rm "$P/packages/typo"

# test all: every target's hello and image tests side by side, one table
# read from their checks' lines (a board, b1, among the targets)
printf 'toolchain t1\nmachine b1board\n' > "$P/targets/b1"
printf 'version 1\nepoch 1\nphase build\n\tmkdir -p $OUT\n\techo $BOARD > $OUT/board\n' > "$P/packages/mark"
printf 'context host\ntools sh mkdir\nbuild mark\n' > "$P/stages/hello"
printf 'context host\nneeds hello\ntools sh mkdir\nbuild mark\n' > "$P/stages/image"
mkdir -p "$P/tests/stages"
cat > "$P/tests/stages/hello.sh" <<'S'
# side by side: each sees the other's mark after a while
touch "$BOOTSTRAP_WORK/running-$BOARD"
sleep 2
ls "$BOOTSTRAP_WORK" | grep -c running- > "$BOOTSTRAP_WORK/saw-$BOARD"
echo "ok - hello-$BOARD: init prints its line (from $(cat "$1/board"))"
S
cat > "$P/tests/stages/image.sh" <<'S'
echo "ok - image-$BOARD: the guest ran its tests and stopped"
if [ $BOARD = b1 ]; then echo "FAIL - guest $ARCH: the clock is sane (RTC or the host's time): 1970"; exit 1; fi
echo "ok - guest $ARCH: the clock is sane (RTC or the host's time)"
S
bs -j 2 test all > "$T/all" 2>&1
rc=$?
expect "test all: the table, a row a target, each check as its test said" sh -c "grep -q '^target  *boots  init from disk  clock  network  native cc  time   result' '$T/all' &&
	grep -q '^t1  *ok  *ok  *ok  *-  *- .* passed$' '$T/all' && grep -q '^b1  *ok  *ok  *FAIL  *-  *- .* FAILED$' '$T/all'"
expect "test all: exit 1 when a target failed, and says how many passed" sh -c "test $rc -eq 1 && grep -q '^test all: 1 of 2 targets passed' '$T/all'"
expect "test all: -j 2, the targets side by side" sh -c "grep -qx 2 '$P/build/saw-t1' && grep -qx 2 '$P/build/saw-b1'"
expect "test all: each test's log kept" grep -q "init prints its line (from b1)" "$P/build/logs/test-all/hello-b1.log"
bs -j 2 test hello-all > "$T/all" 2>&1
expect "test hello-all: the simplest boot alone, exit 0 when all pass" sh -c "test $? -eq 0 && grep -q '^target  *boots  time   result' '$T/all' && grep -q '^test hello-all: 2 of 2 targets passed' '$T/all'"
rm -rf "$P/targets/b1" "$P/stages/hello" "$P/stages/image" "$P/tests"

# configure's answers: a recipe's 'site NAME' is CONFIG_SITE, part of its key
mkdir -p "$P/site"
printf 'ac_cv_func_works=yes\n' > "$P/site/answers"
cat > "$P/packages/ask" <<'R'
version 1
epoch 1700000000
site answers
phase build
	mkdir -p $OUT/share
	. $CONFIG_SITE
	echo "$CONFIG_SITE $ac_cv_func_works" > $OUT/share/answer
R
printf 'version 1\nepoch 1700000000\nphase build\n\tmkdir -p $OUT/share\n\tenv > $OUT/share/env\n' > "$P/packages/plain"
printf 'context host\ntools sh mkdir env\nbuild ask\nbuild plain\n' > "$P/stages/ask"
bs stage ask-t1 > "$T/ask" 2>&1
rc=$?
expect "site: the recipe's answers are CONFIG_SITE" sh -c "test $rc -eq 0 && grep -qx '$P/site/answers yes' '$O/ask-t1/share/answer'"
expect "site: a recipe without one has CONFIG_SITE=/dev/null (not the build machine's)" grep -qx "CONFIG_SITE=/dev/null" "$O/ask-t1/share/env"
expect "site: the stage's provenance names the file among what it was made from" test "$(grep -c '"name": "site/answers"' "$O/ask-t1.provenance.json")" -eq 1
printf 'ac_cv_func_works=no\n' > "$P/site/answers"
bs plan ask-t1 > "$T/plan" 2>&1
expect "site: a changed answer rebuilds the recipes that read it, alone" sh -c "grep -q 'changed site answers' '$T/plan' && grep -q '2 steps, 1 cached, 1 to build' '$T/plan'"
sed -i 's/^site answers$/site nothing/' "$P/packages/ask"
bs plan ask-t1 > "$T/plan" 2>&1
expect "site: a missing file is an error at its line" has "$T/plan" "packages/ask:3: 'site nothing': cannot read $P/site/nothing"
rm -rf "$P/site" "$P/packages/ask" "$P/packages/plain" "$P/stages/ask"

# inside a target (--spare-tools), a tool the system lacks is left out:
# said once a run, however many stages name it; without the option, an error
printf 'version 1\nepoch 1700000000\nphase build\n\tmkdir -p $OUT\n\ttouch $OUT/made\n' > "$P/packages/lean"
printf 'context host\ntools sh mkdir touch no-such-tool-here\nbuild lean\n' > "$P/stages/lean"
printf 'context host\nneeds lean\ntools sh mkdir touch no-such-tool-here\nbuild lean\n' > "$P/stages/lean2"
bs --spare-tools stage lean2-t1 > "$T/spare" 2>&1
rc=$?
expect "--spare-tools: a missing tool is left out, and the steps build" sh -c "test $rc -eq 0 && test -e '$O/lean2-t1/made'"
expect "... said once, not once a stage" test "$(grep -c "host tool 'no-such-tool-here' is not on this system" "$T/spare")" -eq 1
bs clean lean-t1 > /dev/null 2>&1
printf '\ttrue\n' >> "$P/packages/lean"
bs stage lean-t1 > "$T/nospare" 2>&1
rc=$?
expect "without it, a missing tool is an error at the stage's line" sh -c "test $rc -ne 0 && grep -q \"stages/lean:1: host tool 'no-such-tool-here' is not installed\" '$T/nospare'"
rm -f "$P/packages/lean" "$P/stages/lean" "$P/stages/lean2"

# host tools are not in a step's key: plan says when one has changed
# since the step was built, and leaves it cached
mkdir -p "$T/hostbin"
printf '#!/bin/sh\necho one\n' > "$T/hostbin/mytool"
chmod 755 "$T/hostbin/mytool"
printf 'version 1\nepoch 1700000000\nphase build\n\tmkdir -p $OUT\n\tmytool > $OUT/said\n' > "$P/packages/ht"
printf 'context host\ntools sh mkdir mytool\nbuild ht\n' > "$P/stages/ht"
PATH=$T/hostbin:$PATH bs stage ht-t1 > "$T/ht1" 2>&1
PATH=$T/hostbin:$PATH bs plan ht-t1 > "$T/ht2" 2>&1
expect "plan: a step built with this machine's host tools says nothing of them" sh -c "grep -q '^  cached  ht build' '$T/ht2' && ! grep -q 'host tools since' '$T/ht2'"
printf '#!/bin/sh\necho two\n' > "$T/hostbin/mytool"
PATH=$T/hostbin:$PATH bs plan ht-t1 > "$T/ht3" 2>&1
expect "plan: a host tool changed since a step was built: named, the step still cached" sh -c "grep -q '^  cached  ht build' '$T/ht3' && grep -qx '      host tools since it was built: mytool (other bytes)' '$T/ht3'"
rm -f "$P/packages/ht" "$P/stages/ht"

# bootstrap test, told to stop (kill PID, not a ^C to the terminal's
# group): so is what its test script started (a guest, in the image
# tests), not left running on its own
printf 'version 1\nepoch 1700000000\nphase build\n\tmkdir -p $OUT\n' > "$P/packages/tt"
printf 'context host\ntools sh mkdir\nbuild tt\n' > "$P/stages/tt"
mkdir -p "$P/tests/stages"
printf 'sh -c "exec sleep 4321"\n' > "$P/tests/stages/tt.sh"
bsbg test tt-t1 > "$T/tt" 2>&1
pid=$!
i=0
while ! pgrep -f '^sleep 4321$' > /dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
kill -TERM $pid
wait $pid
i=0
while pgrep -f '^sleep 4321$' > /dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
expect "test, stopped: what its test script started stops with it" sh -c "! pgrep -f '^sleep 4321\$' > /dev/null && grep -q 'TESTS FAILED' '$T/tt'"
pkill -f '^sleep 4321$'
rm -rf "$P/packages/tt" "$P/stages/tt" "$P/tests"
