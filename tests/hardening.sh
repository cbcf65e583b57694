#!/bin/sh
# Hardening: what a killed run, a hostile source or a stray process must
# never cost. Each case was a defect: the test fails on the runner before
# its fix.
. "$(dirname "$0")/lib.sh"

T=${TMPDIR:-/tmp}/bootstrap-hard.$$
trap '[ -n "$KEEP" ] || rm -rf "$T"; kill $victim $holder 2> /dev/null' EXIT
newproject "$T"

# alive PID: the process exists and is not a zombie
alive() { [ -d /proc/$1 ] && ! grep -q '^State:.*Z' /proc/$1/status; }

# A victim in a process group of its own, as any other user's program is.
setsid sleep 7771 &
victim=$!
sleep 0.2
vgrp=$(ps -o pgid= -p $victim | tr -d ' ')
expect "setup: the victim leads its own process group" test "$vgrp" = "$victim"

# 1. A source carrying files named pgid, holding the victim's group: the
# runner once read every such file under the work tree after a kill -9 and
# killed the group it named.
mkdir -p "$P/src/trap-1/t"
echo "$vgrp" > "$P/src/trap-1/pgid"
echo "$vgrp" > "$P/src/trap-1/t/pgid"
HT=$(tarball "$P" trap-1)
cat > "$P/packages/trap" <<R
version 1
epoch 1
source trap-1.tar.gz $HT
phase build
	echo $vgrp > pgid
	if [ -e $T/hang ]; then echo started > $T/started; sleep 7772; fi
	mkdir -p \$OUT
	cp \$SRC/pgid \$OUT/
R
printf 'context host\ntools sh sleep mkdir cp\nbuild trap\n' > "$P/stages/trap"
touch "$T/hang"
bsbg stage trap-t1 > "$T/k1" 2>&1
pid=$!
waitfor "$T/started" started 20
# with the process it forked for the step: that one alone would stop the
# step itself, and the next run would find nothing left to stop
kill -9 $(pgrep -P $pid) $pid
wait $pid 2> /dev/null
rm "$T/hang"
bs stage trap-t1 > "$T/k2" 2>&1
expect "after a kill -9, the next run builds" test $? -eq 0
expect "it stops the killed run's step" sh -c "grep -q 'left running by a killed run' '$T/k2'"
expect "... and its processes" gone "sleep 7772"
expect "a pgid file in a source or build tree kills no one" alive $victim
expect "... and the runner names only its own group" sh -c "! grep -q 'process group $vgrp' '$T/k2'"

# 1, late: the step's record once came after its start, so that a run
# killed as its step began (seen under load) left a step that the next run
# did not find, and waited for forever. The step starts once it is there.
cat > "$P/packages/gate" <<R
version 1
epoch 1
phase build
	[ -e $P/build/running.gate-t1.gate.build ]
	mkdir -p \$OUT
R
printf 'context host\ntools sh mkdir\nbuild gate\n' > "$P/stages/gate"
bs stage gate-t1 > "$T/gate" 2>&1
expect "a step's record is there before its first command runs" test $? -eq 0
rm "$P/packages/gate" "$P/stages/gate"

# 1, forged: a record with a group number too large for pid_t (once cut to -1:
# every process) and the victim's group with a start time that is not its
# own. A background holder of the steps' lock makes the next run read it.
# forged RECORD OUT: plant the record, hold the lock, start a run (pid in
# $pid, its output in OUT) and wait until it says it waits for the lock
forged() {
	mkdir -p "$P/build"
	echo "$1" > "$P/build/running.trap-t1.trap.build"
	flock "$P/build/lock.steps" sleep 7773 &
	holder=$!
	sleep 0.3
	bs stage trap-t1 > "$2" 2>&1 &
	pid=$!
	waitfor "$2" "waiting for" 10
}
# release: the holder goes, the waiting run goes on; its status in $rc
release() {
	kill $holder; pkill -f "sleep 7773"
	wait $pid
	rc=$?
	holder=
}
forged "4294967297 1 forged.1" "$T/k3"
expect "a record with an impossible group number is ignored, with a warning" has "$T/k3" "not a record of this runner"
expect "a run that waits for the steps' lock says who holds it" has "$T/k3" "waiting for $P/build/lock.steps: held open by"
expect "... naming the holder" grep -q "held open by .*(sleep)\|held open by .*(flock)" "$T/k3"
release
expect "once the holder is gone, the run goes on" test $rc -eq 0
expect "the victim lives" alive $victim
forged "$vgrp 1 forged.2" "$T/k4"
expect "a recorded group whose leader started at another time is left alone" alive $victim
release

# 5. A step that leaves a process in another session: it is stopped when
# the step ends, and the next run does not hang on the steps' lock.
cat > "$P/packages/daemon" <<'R'
version 1
epoch 1
phase build
	setsid sleep 7775 < /dev/null > /dev/null 2>&1 &
	mkdir -p $OUT
	echo done > $OUT/done
R
printf 'context host\ntools sh sleep mkdir setsid\nbuild daemon\n' > "$P/stages/daemon"
bs stage daemon-t1 > "$T/d1" 2>&1
expect "a step with a process in another session finishes" test $? -eq 0
expect "... and that process is stopped with it" gone "sleep 7775"
printf '\ttrue\n' >> "$P/packages/daemon"
timeout 20 "$BOOTSTRAP" --top "$P" --cache "$P/cache" --mirror "$P/mirror" stage daemon-t1 > "$T/d2" 2>&1
expect "the next run does not wait for it" test $? -eq 0

# 2. Symlinks out of the source tree: one source leaves gmp -> a directory
# outside and mpfr.tar -> a file outside; the next is unpacked "into gmp"
mkdir -p "$T/outdir" "$P/src/links-1" "$P/src/inner-1"
echo precious > "$T/outfile"
ln -s "$T/outdir" "$P/src/links-1/gmp"
ln -s "$T/outfile" "$P/src/links-1/mpfr.tar"
echo hi > "$P/src/inner-1/f"
HL1=$(tarball "$P" links-1)
HL2=$(tarball "$P" inner-1)
printf 'version 1\nepoch 1\nsource links-1.tar.gz %s\nsource inner-1.tar.gz %s\ninto gmp\nphase build\n\tmkdir -p $OUT\n' "$HL1" "$HL2" > "$P/packages/links"
printf 'context host\ntools sh mkdir\nbuild links\n' > "$P/stages/links"
bs stage links-t1 > "$T/l1" 2>&1
expect "an archive with a symlink out of the tree is refused" sh -c "test $? -ne 0 && grep -q \"refusing symlink 'gmp'\" '$T/l1'"
expect "... nothing is unpacked through it" test -z "$(ls "$T/outdir")"
expect "... and no file outside is written through a link" grep -qx precious "$T/outfile"

# 3. What the caller's environment carries does not reach the steps: an
# outer make's -i and command-line variables (only its jobserver and -j
# pass), a BOOTSTRAP_VARY in the user's shell.
cat > "$P/packages/env" <<'R'
version 1
epoch 1
phase build
	mkdir -p $OUT
	echo "MAKEFLAGS=$MAKEFLAGS" > $OUT/env
	echo "PATH=$PATH" >> $OUT/env
	[ ! -e "$FAILFILE" ]
R
printf 'context host\ntools sh mkdir\nenv FAILFILE=%s/fail\nbuild env\n' "$T" > "$P/stages/env"
printf 'all:\n\t+%s --top %s --cache %s --mirror %s stage env-t1\n' "$BOOTSTRAP" "$P" "$P/cache" "$P/mirror" > "$T/Makefile"
touch "$T/fail"
make -s -i -j2 -f "$T/Makefile" CFLAGS=-DPOISONED > "$T/m1" 2>&1
expect "under make -i, a failing step still fails: nothing is cached" sh -c "! '$BOOTSTRAP' --top '$P' --cache '$P/cache' --offline plan env-t1 | grep -q ' 0 to build'"
rm "$T/fail"
make -s -i -j2 -f "$T/Makefile" CFLAGS=-DPOISONED > "$T/m2" 2>&1
expect "an outer make's jobserver and -j reach the step" grep -q "^MAKEFLAGS=-j2 --jobserver-auth=" "$P/build/out/env-t1/env"
expect "... its -i and its variables do not" sh -c "! grep -q -e POISONED -e ' -i' -e '^MAKEFLAGS=i' '$P/build/out/env-t1/env'"
bs clean env-t1 > /dev/null 2>&1
rm -rf "$P/cache/steps"
BOOTSTRAP_VARY="PATH=/poisoned" bs stage env-t1 > /dev/null 2>&1
expect "BOOTSTRAP_VARY in the user's shell reaches no step" sh -c "grep -q '^PATH=$P/build/airlock' '$P/build/out/env-t1/env' && ! grep -q poisoned '$P/build/out/env-t1/env'"
printf 'PATH=/poisoned\n' > "$T/vary"
bs --audit-vary "$T/vary" stage env-t1 > "$T/v1" 2>&1
expect "--audit-vary is refused outside an audit's cache namespace" sh -c "test $? -ne 0 && grep -q 'for an audit' '$T/v1'"

# 4. clean: only stage names, only the work tree, under its lock
mkdir -p "$T/outside/keep" "$P/cache/steps/x"
touch "$T/outside/keep/file"
bs clean ../../outside > "$T/c1" 2>&1
expect "clean refuses a path that is not a stage name (exit 2)" test $? -eq 2
expect "... and deletes nothing outside the work tree" test -e "$T/outside/keep/file"
expect "... naming what it expected" has "$T/c1" "expected stage names"
bs clean nosuch-t1 > "$T/c2" 2>&1
expect "clean refuses an unknown stage" test $? -eq 2
bs clean --cache > "$T/c3" 2>&1
expect "clean --cache works as documented" sh -c "test $? -eq 0 && test ! -e '$P/cache/steps/x' && test ! -e '$P/build/out/trap-t1'"
expect "... and keeps the sources" test -n "$(ls "$P/cache/sources")"
# a guest's disk (a rebuild's hours of emulated work) outlives a clean of
# everything, which names it; clean --all and clean of its stage remove it
mkdir -p "$P/build/guest"
echo progress > "$P/build/guest/trap-t1.img"
bs clean > "$T/c6" 2>&1
expect "clean keeps the guests' disks, and says how to remove them" sh -c "test $? -eq 0 && test -s '$P/build/guest/trap-t1.img' && grep -q 'kept .*trap-t1.img.*clean trap-t1 or clean --all' '$T/c6'"
bs clean trap-t1 > /dev/null 2>&1
expect "clean of its stage removes its disk" test ! -e "$P/build/guest/trap-t1.img"
echo progress > "$P/build/guest/trap-t1.img"
bs clean --all > /dev/null 2>&1
expect "clean --all removes them" test ! -e "$P/build/guest/trap-t1.img"
bs stage daemon-t1 > /dev/null 2>&1
# clean --stale: the steps of other recipes go, and a killed run's
# leftovers; what the recipes here build stays
old=$(printf '%064d' 7)
mkdir -p "$P/cache/steps/$old/out" "$P/cache/tmp/$(printf '%064d' 8).99999/out"
head -c 3145728 /dev/zero > "$P/cache/steps/$old/out/big"
bs clean --stale > "$T/s1" 2>&1
expect "clean --stale removes the steps of other recipes, and says how many and how much" sh -c "test $? -eq 0 && test ! -e '$P/cache/steps/$old' && grep -q 'removed 1 step of other recipes .*(3.0 MiB)' '$T/s1'"
expect "... and a killed run's leftovers" test ! -e "$P/cache/tmp/$(printf '%064d' 8).99999"
expect "... and keeps what the recipes here build" sh -c "'$BOOTSTRAP' --top '$P' --cache '$P/cache' --offline plan daemon-t1 | grep -q ' 0 to build$'"
bs clean --stale ../x > "$T/s3" 2>&1
expect "clean --stale refuses what is not a stage or target" sh -c "test $? -eq 2 && grep -q 'expected a stage name' '$T/s3'"
bs clean --cache x > "$T/c4" 2>&1
expect "clean --cache x: x is not taken for the cache directory, and is refused" sh -c "test $? -eq 2 && test -e '$P/build/out/daemon-t1'"
touch "$T/hang"
rm -f "$T/started"
printf '\ttrue\n' >> "$P/packages/trap"
bsbg stage trap-t1 > /dev/null 2>&1
pid=$!
waitfor "$T/started" started 20
bs clean trap-t1 > "$T/c5" 2>&1
expect "clean takes the work tree's lock: refused while a build runs" sh -c "test $? -ne 0 && grep -q 'another bootstrap run' '$T/c5' && test -d '$P/build/work/trap-t1'"
bs clean --stale daemon-t1 > /dev/null 2>&1
expect "clean --stale leaves the step a run is building" test -n "$(ls "$P/cache/tmp")"
kill $pid; wait $pid
rm -f "$T/hang"
bs clean --stale trap-t1 > "$T/s2" 2>&1
expect "clean --stale NAME keeps only the steps of the stages named" sh -c "test $? -eq 0 && grep -q 'removed [1-9]' '$T/s2' && ! '$BOOTSTRAP' --top '$P' --cache '$P/cache' --offline plan daemon-t1 | grep -q ' 0 to build$'"

kill $victim
passed
