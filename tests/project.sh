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
for f in patches/*/*.patch; do
	expect "$f says why, above its diff" sh -c "head -1 '$f' | grep -qv '^---'"
done
for f in patches/musl/*CVE*.patch; do
	expect "$f names its CVE in its header" sh -c "head -1 '$f' | grep -q 'CVE-[0-9]*-[0-9]*'"
done
