# tests/cli.sh: the command line's conventions: help for every command,
# the version, usage errors exiting 2 with what was expected, a target's
# name standing for its stages.
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.." || exit 1
T=${TMPDIR:-/tmp}/bootstrap-cli.$$
mkdir -p "$T"
trap 'rm -rf "$T"' EXIT
B=$BOOTSTRAP

# status OUTFILE ARGS...: run, output to OUTFILE, print the exit status
status() { out=$1; shift; "$B" "$@" > "$out" 2>&1; echo $?; }

expect "help lists every command" sh -c "'$B' help > '$T/h' && for c in all stage plan test boot audit list fetch doctor clean guest help version; do grep -q \"^  \$c\" '$T/h' || exit 1; done"
expect "help COMMAND is that command's usage" sh -c "'$B' help audit | head -1 | grep -qx 'usage: bootstrap \[options\] audit NAME \[--vary LIST\] \[--deep\]'"
expect "COMMAND --help is the same text" sh -c "'$B' audit --help > '$T/a1' && '$B' help audit > '$T/a2' && cmp -s '$T/a1' '$T/a2'"
expect "the exit codes are documented" sh -c "'$B' help | grep -q '2 a usage error; 3 audit: not'"
expect "version and --version agree" sh -c "test \"\$('$B' version)\" = \"\$('$B' --version)\" && '$B' version | grep -q '^bootstrap [0-9]'"
expect "help for an unknown command: 2" test "$(status "$T/o" help nosuch)" = 2
expect "a mistyped command: 2, the nearest named, not the whole usage" sh -c "test $(status "$T/o" stag cross-x86_64) = 2 && grep -q \"did you mean 'stage'\" '$T/o' && test \$(wc -l < '$T/o') = 1"
expect "a command far from every other: no guess" sh -c "'$B' frobnicate > '$T/o' 2>&1; ! grep -q 'did you mean' '$T/o'"
expect "-j that is not a number: 2, naming what was found" sh -c "test $(status "$T/o" -j x plan x86_64) = 2 && grep -q \"expected a number of jobs from 1 to 1024, found 'x'\" '$T/o'"
expect "--steps 0: 2" test "$(status "$T/o" --steps 0 plan x86_64)" = 2
expect "an unknown option: 2, in one line" sh -c "test $(status "$T/o" --nosuch plan) = 2 && test \$(wc -l < '$T/o') = 1"
expect "--distcc-hosts: an entry that is not HOST[:PORT][/N] is a usage error, named" sh -c "test $(status "$T/o" --distcc-hosts 'box:3632/2,a b' plan x86_64) = 2 && grep -q \"found 'a b' in 'box:3632/2,a b'\" '$T/o'"
expect "guest --mem that is not a size: 2" test "$(status "$T/o" guest "$T" "$T" --mem x)" = 2
expect "serve: an address that is not one: 2, before anything is built" sh -c "test $(status "$T/o" serve x86_64 --listen 1.2.3) = 2 && grep -q \"expected an IPv4 address, found '1.2.3'\" '$T/o'"
expect "serve an unknown target: 2" test "$(status "$T/o" serve mips)" = 2
expect "test all beside other names: 2" test "$(status "$T/o" test all x86_64)" = 2
expect "fetch with an unknown package among others: 2, nothing fetched" sh -c "test $(status "$T/o" --offline fetch make nosuch) = 2 && test \$(wc -l < '$T/o') = 1"
expect "list refuses an argument: 2, naming it" sh -c "test \$(sh -c \"'$B' list extra > '$T/o' 2>&1; echo \\\$?\") = 2 && grep -q \"unexpected argument 'extra'\" '$T/o'"
expect "doctor refuses a target: 2" test "$(status "$T/o" doctor x86_64)" = 2
expect "plan without a name: 2" test "$(status "$T/o" plan)" = 2
expect "stage without a name: 2" test "$(status "$T/o" stage)" = 2
expect "an unknown stage: 2" test "$(status "$T/o" --offline plan nosuch-x86_64)" = 2
expect "a stage name one letter off: 2, the nearest named" sh -c "test $(status "$T/o" --offline plan cross-armv7) = 2 && grep -q \"did you mean 'cross-armv7l'?\" '$T/o'"
expect "a target spelt with a dash: the stage it means" sh -c "test $(status "$T/o" --offline plan cross-x86-64) = 2 && grep -q \"did you mean 'cross-x86_64'?\" '$T/o'"
expect "a name whose kind and target are both unknown: not a stage name, the kinds listed" sh -c "test $(status "$T/o" --offline plan extra-thing) = 2 && grep -q \"found 'extra-thing': 'extra' is not a kind of stage (stages/: cross, \" '$T/o'"
expect "a target's name cut short: the target named" sh -c "test $(status "$T/o" --offline plan riscv) = 2 && grep -q \"did you mean the target 'riscv64'?\" '$T/o'"
expect "boot an unknown target: 2, naming the targets" sh -c "test \$(sh -c \"'$B' boot mips > '$T/o' 2>&1; echo \\\$?\") = 2 && grep -q \"unknown target 'mips': targets are aarch64, armv7l, i686, raspi2b, raspi3b, riscv64, x86_64\" '$T/o'"
mkdir "$T/recipes" && cp -r stages packages targets patches site "$T/recipes"
expect "recipes without the runner's source: a native stage says what it lacks (1), no crash" sh -c "test $(status "$T/o" --top "$T/recipes" --offline plan rebuild-x86_64) = 1 && grep -q 'builds the runner in the target from its source: cannot read .*/recipes/' '$T/o'"
expect "recipes without the runner's source still plan the cross stages" test "$(status "$T/o" --top "$T/recipes" --offline plan cross-x86_64)" = 0
expect "plan ARCH is the dry run of all ARCH" sh -c "'$B' --offline plan armv7l > '$T/p1' && '$B' --offline plan cross-armv7l root-armv7l native-armv7l kernel-armv7l image-armv7l hello-armv7l rebuild-armv7l > '$T/p2' && test \"\$(grep -c '^[a-z]*-armv7l\$' '$T/p1')\" = \"\$(sort -u '$T/p2' | grep -c '^[a-z]*-armv7l\$')\""
expect "doctor prints only what is missing or wrong (and the emulation note)" sh -c "'$B' doctor > '$T/d' 2>&1; ! grep -q '^  ok ' '$T/d' && grep -q '^  note     qemu emulates' '$T/d'"
expect "doctor -v prints everything, free space and namespaces too" sh -c "'$B' -v doctor > '$T/d' 2>&1; grep -q '^  ok       cc\$' '$T/d' && grep -Eq '^  (ok |low)      [0-9.]+ GiB free for the work tree' '$T/d'"
PATH=/nonexistent "$B" doctor > "$T/d" 2>&1
rc=$?
expect "doctor without the tools: exit 1, each named with its package and purpose" sh -c "test $rc -eq 1 && grep -q '^  missing  faketime (Debian package faketime)' '$T/d' && grep -q 'for bootstrap audit: the clock variation' '$T/d' && grep -q '^  apt-get install .* distcc' '$T/d'"
# bash completion (completion.bash): what bash would offer after a prefix
comp() { bash -c '. ./completion.bash; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _bootstrap; echo "${COMPREPLY[*]}"' comp "$@"; }
expect "completion: commands" test "$(comp "$B" st)" = stage
expect "completion: stage names" test "$(comp "$B" stage cross-x)" = cross-x86_64
expect "completion: targets and all for plan" test "$(comp "$B" -j 2 plan a)" = "aarch64 armv7l all"
expect "completion: options" test "$(comp "$B" --wo)" = --work
expect "completion: packages for fetch" test "$(comp "$B" fetch gc)" = gcc
expect "the manual page is the help's text, as roff" sh -c "'$B' help --man > '$T/man' && grep -q '^\.TH BOOTSTRAP 1' '$T/man' && grep -q '^\.B audit NAME \[\\\\-\\\\-vary LIST\]' '$T/man' && { ! command -v man > /dev/null || man -l '$T/man' > /dev/null 2>&1; }"
expect "clean refuses a target's name" test "$(status "$T/o" clean armv7l)" = 2
expect "clean of an unknown stage: 2, said once" sh -c "test $(status "$T/o" clean nosuch-x86_64) = 2 && test \$(wc -l < '$T/o') = 1"
passed
