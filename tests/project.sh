#!/bin/sh
# The project's own definitions: they parse, plan, and name their host tools.
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.." || exit 1
T=${TMPDIR:-/tmp}/bootstrap-project.$$
trap 'rm -rf "$T"' EXIT
mkdir -p "$T"
B="$BOOTSTRAP --cache $T/cache --work $T/work"

$B list > "$T/list" 2>&1
expect "list: the project's files parse" test $? -eq 0
expect "list: x86_64 and armv7l targets with their triplets" sh -c "grep -q 'x86_64 .*x86_64-linux-musl' '$T/list' && grep -q 'armv7l .*armv7l-linux-musleabihf' '$T/list'"
expect "list: stage names for both targets" sh -c "grep -q 'cross-x86_64' '$T/list' && grep -q 'cross-armv7l' '$T/list'"
$B plan cross-armv7l > "$T/plan" 2>&1
expect "plan cross-armv7l: the single-pass order" sh -c "grep -A20 cross-armv7l '$T/plan' | grep -E '^  (build|cached) ' | awk '{print \$2\" \"\$3}' | tr '\n' ',' | grep -qx 'binutils cross,linux headers,musl headers,gcc compiler,gcc libgcc,musl library,gcc rest,'"
$B doctor --packages > "$T/pkgs" 2>&1
missing=$(grep -v '^#' docs/host-packages | sort > "$T/listed"; sort "$T/pkgs" | comm -23 - "$T/listed" | tr '\n' ' ')
expect "docs/host-packages holds every package doctor asks for" test -z "$missing"
# the Makefile: every source compiled, every header a prerequisite
mk=$(tr '\\\n' '  ' < Makefile)
unlisted=$(for f in lib/*.c lib/*.h; do case $f in *.c) o=${f%.c}.o ;; *) o=$f ;; esac; case " $mk " in *" $o "*) ;; *) echo "$f" ;; esac; done)
expect "Makefile: every lib/*.c in OBJ, every lib/*.h in HDR" test -z "$unlisted"
for f in patches/*/*.patch; do
	expect "$f says why, above its diff" sh -c "head -1 '$f' | grep -qv '^---'"
done
for f in patches/musl/*CVE*.patch; do
	expect "$f names its CVE in its header" sh -c "head -1 '$f' | grep -q 'CVE-[0-9]*-[0-9]*'"
done

# site/musl answers for configure only where a program built for the host
# does not run: a cross compiler's (here: a compiler that links nothing
# runnable), not one whose programs run (the host's, as in the target)
mkdir -p "$T/site"
printf '#!/bin/sh\nprintf "#!/bin/sh\\nexit 126\\n" > "$2"; chmod 755 "$2"\n' > "$T/site/xcc"
chmod 755 "$T/site/xcc"
answer() { (cd "$T/site" && CC=$1 && . "$OLDPWD/site/musl" && echo "${gl_cv_func_memchr_works-unset}"); }
expect "site/musl: answers where the host's programs cannot run" test "$(answer "$T/site/xcc")" = yes
expect "site/musl: leaves configure to check where they run" test "$(answer cc)" = unset
expect "site/musl: leaves no file behind" test -z "$(ls "$T/site" | grep -v '^xcc$')"
