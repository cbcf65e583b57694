#!/bin/sh
# bootstrap audit: a reproducible stage passes bit-identical; planted
# differences (the time, the build path, the host name, HOME, the kernel's
# release, the personality, the order of a directory listing, a count of
# the runs in a build tree) are each caught and named.
. "$(dirname "$0")/lib.sh"

T=${TMPDIR:-/tmp}/bootstrap-audit.$$
trap '[ -n "$KEEP" ] || { fusermount -u "$P/build/audit/"*/second-build-in-another-directory 2>/dev/null; rm -rf "$T"; }' EXIT
newproject "$T"

mkdir -p "$P/src/calc-1.0"
cat > "$P/src/calc-1.0/calc.c" <<'C'
#include <stdio.h>
int main(void) { printf("%d\n", 6 * 7); return 0; }
C
HC=$(tarball "$P" calc-1.0)
cat > "$P/packages/calc" <<R
# calc: a program, built the same way every time
version 1.0
epoch 1700000000
source calc-1.0.tar.gz $HC
phase build
	\$CC -O2 -o calc \$SRC/calc.c
	mkdir -p \$OUT/bin
	cp calc \$OUT/bin/
	printf 'built\n' > \$OUT/bin/notes
R
# each phase plants one kind of difference (a file's mode cannot follow
# the runner's umask: its steps get 022); the time has nanoseconds, so that
# it differs without a shifted clock too
cat > "$P/packages/leaky" <<'R'
# leaky: what reproducible builds must not do
version 1
epoch 1700000000
phase clock
	mkdir -p $OUT/share
	date '+%a %b %d %H:%M:%S.%N %Y' > $OUT/share/when
phase path
	mkdir -p $OUT/share
	echo "built in $PWD" > $OUT/share/where
phase host
	mkdir -p $OUT/share
	{ hostname; id -u; } > $OUT/share/who
phase order
	mkdir -p $OUT/share d && touch d/a d/b d/c d/d d/e d/f d/g d/h
	ls -U d | tr '\n' ' ' > $OUT/share/order
	echo >> $OUT/share/order
phase home
	mkdir -p $OUT/share
	echo "$HOME" > $OUT/share/home
phase kernel
	mkdir -p $OUT/share
	uname -r > $OUT/share/release
phase aslr
	mkdir -p $OUT/share
	cat /proc/self/personality > $OUT/share/personality
phase resume
	mkdir -p $OUT/share
	n=$(cat runs 2>/dev/null || echo 0)
	echo $((n + 1)) > runs
	cp runs $OUT/share/runs
R
for p in clock path host order home kernel aslr resume; do
	printf 'context host\ntools sh cc as ld mkdir cp printf date echo hostname id ls tr touch uname cat\nbuild leaky %s\n' $p > "$P/stages/leak$p"
done
printf 'context host\ntools sh cc as ld mkdir cp printf\nbuild calc\n' > "$P/stages/good"
# pair: a second step that reads the first's output through $STAGE
printf '# reader: copies what calc wrote\nversion 1\nepoch 1700000000\ndepends calc\nphase build\n\tmkdir -p $OUT/share && cat $STAGE/bin/notes > $OUT/share/notes\n' > "$P/packages/reader"
printf 'context host\ntools sh cc as ld mkdir cp printf cat\nbuild calc\nbuild reader\n' > "$P/stages/pair"
printf '# slow: takes a while\nversion 1\nepoch 1700000000\nphase build\n\tmkdir -p $OUT && echo same > $OUT/same\n\tsleep 3\n' > "$P/packages/slow"
printf 'context host\ntools sh mkdir echo sleep\nbuild slow\n' > "$P/stages/slow"

bs audit good-t1 > "$T/good" 2>&1
rc=$?
expect "a reproducible stage: audit exits 0" test $rc -eq 0
expect "... and says bit-identical, with the file count" sh -c "grep -q 'good-t1: reproducible: bit-identical' '$T/good' && grep -q 'files: 3 identical, 0 differ' '$T/good'"
expect "... after a second build in another directory" grep -q "path .*second-build-in-another-directory" "$T/good"
expect "the report lists each variation" sh -c "for v in path clock tz locale umask user hostname home kernel aslr jobs env order; do grep -q \"^  \$v \" '$T/good' || exit 1; done"
expect "the report names the stage key that was built" grep -qx "  stage key:    $(cat "$P/build/out/good-t1.key" 2>/dev/null)" "$T/good"
expect "the report is kept beside the outputs" test -s "$P/build/audit/good-t1/report"
J=$P/build/out/good-t1.provenance.json
M=$(sha256sum "$P/build/out/good-t1.manifest" | cut -d' ' -f1)
expect "provenance: an in-toto statement whose subject is the manifest" sh -c "grep -q '\"_type\": \"https://in-toto.io/Statement/v1\"' '$J' && grep -q '\"sha256\": \"$M\"' '$J'"
expect "provenance: the recipe, the source and its sha256, the host compiler" sh -c "grep -q '\"packages/calc\"' '$J' && grep -q '\"calc-1.0.tar.gz\", \"digest\": {\"sha256\": \"$HC\"' '$J' && grep -q '\"name\": \"cc\", \"uri\": \"file:///' '$J'"
# the in-toto Statement v1 and SLSA provenance v1 layout, field by field
cat > "$T/slsa.py" <<'PY'
import json, re, sys
d = json.load(open(sys.argv[1]))
def need(c, what):
    if not c:
        sys.exit("not SLSA v1: " + what)
uri = lambda s: isinstance(s, str) and re.match(r"^[a-z][a-z0-9+.-]*:", s)
digest = lambda r: isinstance(r.get("digest"), dict) and all(re.fullmatch(r"[0-9a-f]{64}", v) for v in r["digest"].values())
need(d["_type"] == "https://in-toto.io/Statement/v1", "_type")
need(d["subject"] and all(s["name"] and digest(s) for s in d["subject"]), "subject: name and digest")
need(d["predicateType"] == "https://slsa.dev/provenance/v1", "predicateType")
b, r = d["predicate"]["buildDefinition"], d["predicate"]["runDetails"]
need(uri(b["buildType"]), "buildType is a URI")
need(isinstance(b["externalParameters"], dict) and isinstance(b.get("internalParameters", {}), dict), "parameters are objects")
need(all(x.get("name") and (digest(x) or uri(x.get("uri"))) for x in b["resolvedDependencies"]), "resolvedDependencies")
need(uri(r["builder"]["id"]), "builder.id is a URI")
need(all(uri(x["uri"]) and digest(x) for x in r["builder"]["builderDependencies"]), "builderDependencies: uri and digest")
t = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
need(t.match(r["metadata"]["startedOn"]) and t.match(r["metadata"]["finishedOn"]), "metadata times")
need(set(r["metadata"]) <= {"invocationId", "startedOn", "finishedOn"}, "metadata holds only SLSA's fields")
PY
expect "provenance: the in-toto statement and SLSA v1 layout, field by field" python3 "$T/slsa.py" "$J"
expect "the first build's output is left in place" sh -c "'$P/build/out/good-t1/bin/calc' | grep -qx 42"

# audit CASE VARY PATTERN NAME: a planted difference is caught and named
audit() {
	bs audit "leak$1-t1" --vary "$2" > "$T/$1" 2>&1
	rc=$?
	expect "$4: audit exits 3 (not reproducible)" test $rc -eq 3
	if grep -q -- "$3" "$T/$1"; then ok "$4: the report says '$3'"; else fail "$4: the report says '$3'" "$(grep -A3 differences "$T/$1" | head -5)"; fi
}
audit clock clock,path "share/when: .* bytes, first difference at byte [0-9]*: timestamp-like" "a step that writes the time"
audit path path "build-path-like" "a step that writes its directory"
if unshare --user --map-root-user --uts true 2>/dev/null; then
	audit host hostname,user,path "host-or-user-like: holds 'bootstrap-audit'" "a step that writes the host name"
else
	echo "skip - the host name: no user namespaces here"
fi
audit home home "share/home: .* bytes, first difference" "a step that writes its HOME"
audit resume resume "share/runs: 2 and 2 bytes, first difference at byte 0" "a step that counts its runs in its tree"
expect "... each step run a first time into a throwaway output" grep -q "leaky resume (a first time, as a build stopped and resumed)" "$T/resume"
expect "resume is not among all the variations (it doubles the time)" grep -q "^  resume    not varied: not asked for" "$T/good"
bs audit good-t1 --vary all,resume > "$T/goodtwice" 2>&1
expect "a stage whose steps can run twice passes --vary all,resume" sh -c "test $? -eq 0 && grep -q '^  resume    every step run twice' '$T/goodtwice'"
if setarch "$(uname -m)" -R --uname-2.6 true 2>/dev/null; then
	audit kernel kernel "share/release: .* bytes, first difference at byte 0: kernel-release-like" "a step that writes the kernel's release"
	audit aslr aslr "share/personality: .* bytes, first difference" "a step that writes its personality (ASLR)"
else
	echo "skip - kernel release and ASLR: setarch cannot run here"
fi
if [ -c /dev/fuse ] && command -v disorderfs > /dev/null; then
	audit order order,path "ordering-like" "a step that lists a directory unsorted"
	expect "a stage of two steps under disorderfs (the second reads the first's output)" sh -c "'$BOOTSTRAP' --top '$P' --cache '$P/cache' audit pair-t1 --vary order,path > '$T/pair' 2>&1"
else
	echo "skip - directory order: no disorderfs or FUSE here"
fi
expect "a build path leak is not reported when the path is not varied" sh -c "'$BOOTSTRAP' --top '$P' --cache '$P/cache' audit leakpath-t1 --vary tz > '$T/notvaried' 2>&1"
expect "... and the first build's output is put back by the next run" sh -c "'$BOOTSTRAP' --top '$P' --cache '$P/cache' stage leakpath-t1 > /dev/null 2>&1 && grep -q '$P/build/work/' '$P/build/out/leakpath-t1/share/where'"
"$BOOTSTRAP" --top "$P" --cache "$P/cache" audit good-t1 --vary colour > "$T/colour" 2>&1
expect "an unknown variation is refused, naming the known ones" sh -c "test $? -eq 2 && grep -q 'expected all, none, or names among path, clock' '$T/colour'"
# --deep: the stages a stage needs are built again and compared too
printf '# marker: a file of its own\nversion 1\nepoch 1700000000\nphase build\n\tmkdir -p $OUT && echo on top > $OUT/marker\n' > "$P/packages/marker"
printf 'context host\nneeds leakpath\ntools sh mkdir echo\nbuild marker\n' > "$P/stages/ontop"
bs audit ontop-t1 --vary path > "$T/shallow" 2>&1
expect "without --deep, a stage on a leaky one is bit-identical (its inputs are not rebuilt)" sh -c "test $? -eq 0 && ! grep -q 'leakpath-t1: ' '$T/shallow'"
bs audit ontop-t1 --vary path --deep > "$T/deep" 2>&1
expect "with --deep, the stage it needs is rebuilt and its difference found" sh -c "test $? -ne 0 && grep -q 'leakpath-t1: NOT reproducible' '$T/deep' && grep -q 'ontop-t1: reproducible: bit-identical' '$T/deep'"
# two audits at once, of different stages: each has its own namespace (the
# first build is cached, so that the second begins in the first's rebuild)
bs --work "$T/w1" stage slow-t1 > /dev/null 2>&1
bsbg --work "$T/w1" audit slow-t1 --vary path > "$T/slow" 2>&1
slow=$!
sleep 1
bs --work "$T/w2" audit good-t1 --vary path > "$T/good2" 2>&1
expect "two audits at once: the second passes" test $? -eq 0
wait $slow
expect "... and so does the first, still building when the second began" test $? -eq 0
# stopping the audit's own process (not its group) stops its second build
bsbg --work "$T/w3" audit slow-t1 --vary path,order > "$T/stopped" 2>&1
aud=$!
waitfor "$T/stopped" "a second time" 10
sleep 1
kill -INT $aud
wait $aud
rc=$?
expect "an audit stopped by kill -INT exits non-zero" test $rc -ne 0
expect "... and its second build stopped with it" gone "-[-]cache $P/cache/audit/slow-t1"
expect "... and its shuffled view is unmounted" sh -c "! grep -q '$T/w3/audit' /proc/mounts"

# a stopped audit goes on: the steps its second build finished are kept
printf '# lazy: a quick step, then a slow one\nversion 1\nepoch 1700000000\nphase one\n\tmkdir -p $OUT && echo one > $OUT/one\nphase two\n\tmkdir -p $OUT && echo two > $OUT/two\n\tsleep 3\n' > "$P/packages/lazy"
printf 'context host\ntools sh mkdir echo sleep\nbuild lazy one two\n' > "$P/stages/lazy"
bs --work "$T/w4" stage lazy-t1 > /dev/null 2>&1
bsbg --work "$T/w4" audit lazy-t1 --vary path,order > "$T/lazy1" 2>&1
aud=$!
waitfor "$T/lazy1" "lazy-t1 lazy two ..." 10
kill -INT $aud
wait $aud
bs --work "$T/w4" audit lazy-t1 --vary path,order > "$T/lazy2" 2>&1
expect "the same audit again goes on with a stopped one, and passes" sh -c "test $? -eq 0 && grep -q 'going on with what a stopped audit built' '$T/lazy2' && grep -q 'lazy-t1: reproducible: bit-identical' '$T/lazy2'"
expect "... without building again the step the stopped one finished" sh -c "grep -q 'lazy-t1 lazy one' '$T/lazy1' && ! grep -q 'lazy-t1 lazy one' '$T/lazy2'"
bs --work "$T/w4" audit lazy-t1 --vary path,order > "$T/lazy3" 2>&1
expect "an audit after a finished one builds everything again" sh -c "test $? -eq 0 && ! grep -q 'going on' '$T/lazy3' && grep -q 'lazy-t1 lazy one' '$T/lazy3'"

# audit rebuild-ARCH: what a rebuild stage holds (here: good-t1 copied, as
# the target's own build would leave it) against the same stage built here
printf '# selfbuild: stands in for the target rebuilding good\nversion 1\nepoch 1700000000\nphase build\n\tmkdir -p $OUT && cp -R $GOOD $OUT/good-t1\n\techo a log > $OUT/log\n' > "$P/packages/selfbuild"
printf 'context host\nneeds good\ntools sh mkdir cp echo touch\nbuild selfbuild\n' > "$P/stages/rebuild"
bs audit rebuild-t1 > "$T/rebuilt" 2>&1
expect "audit rebuild-ARCH: the same files rebuilt pass, exit 0" sh -c "test $? -eq 0 && grep -q 'good-t1: reproducible: bit-identical' '$T/rebuilt' && grep -q 'files: 3 identical, 0 differ, 0 only in the cross build, 0 only in the rebuild' '$T/rebuilt'"
expect "... nothing built a second time, the report kept" sh -c "! grep -q 'a second time' '$T/rebuilt' && test -s '$P/build/audit/rebuild-t1/report'"
printf '\techo rebuilt >> $OUT/good-t1/bin/notes\n\ttouch $OUT/good-t1/bin/extra\n' >> "$P/packages/selfbuild"
bs audit rebuild-t1 > "$T/rebuilt2" 2>&1
expect "a difference in the rebuild: exit 3 (not reproducible), the file and its first differing byte named" sh -c "test $? -eq 3 && grep -q 'good-t1: NOT reproducible' '$T/rebuilt2' && grep -q 'bin/notes: 6 and 14 bytes, first difference at byte 6' '$T/rebuilt2' && grep -q 'bin/extra: only in the rebuild' '$T/rebuilt2'"
printf '\tmkdir $OUT/nothing-t1\n' >> "$P/packages/selfbuild"
bs audit rebuild-t1 > "$T/rebuilt3" 2>&1
expect "a stage in the rebuild that was not built here is named" sh -c "test $? -eq 3 && grep -q 'nothing-t1: not built here' '$T/rebuilt3'"
bs audit rebuild-t1 --vary path > "$T/rebuilt4" 2>&1
expect "audit rebuild-ARCH --vary is refused (nothing is built again)" sh -c "test $? -eq 2 && grep -q 'expected no --vary or --deep' '$T/rebuilt4'"
passed
