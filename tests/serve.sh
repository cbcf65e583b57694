#!/bin/sh
# bootstrap serve: distccd for another machine's rebuild. It serves the
# target's cross compilers and nothing else, says why when it cannot
# start, and stops with a ^C, taking distccd with it.
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.." || exit 1
# the first toolchain built here of these: any serves
arch=$(firstbuilt cross x86_64 armv7l)
if [ -z "$arch" ] || ! command -v distccd > /dev/null; then
	echo "skip - serve: no cross-x86_64 or cross-armv7l is built here, or distcc is not installed"
	exit 0
fi
triplet=$(sed -n 's/^triplet //p' targets/$arch)
T=${TMPDIR:-/tmp}/bootstrap-serve.$$
mkdir -p "$T/dcc"
trap 'kill $pid 2> /dev/null; rm -rf "$T"' EXIT
port=$((20000 + $$ % 20000))
rm -f build/serve/$arch/distccd.log # appended to: this run's alone
"$BOOTSTRAP" --offline -j1 serve $arch --port $port > "$T/serve" 2>&1 &
pid=$!
expect "serve: it says where it listens and what to give the rebuild's machine" waitfor "$T/serve" "--distcc-hosts THIS-ADDRESS:$port/1 stage rebuild-$arch" 120
log=build/serve/$arch/distccd.log
echo 'int triple(int x) { return x * 3; }' > "$T/t.c"
# as the guest's distcc asks: by the compiler's name, no local fallback
client() { PATH=$PWD/build/out/cross-$arch/bin:$PATH DISTCC_HOSTS=127.0.0.1:$port/1 DISTCC_FALLBACK=0 DISTCC_DIR=$T/dcc distcc "$@"; }
client $triplet-gcc -O2 -c "$T/t.c" -o "$T/t.o" 2> "$T/c1"
expect "serve: the cross compiler compiles for a client, on the server" sh -c "test -s '$T/t.o' && grep -q 'COMPILE_OK.*t.c' '$log'"
# the host's own gcc, by its real name (x86_64-linux-gnu-gcc-12)
hostcc=$(basename "$(readlink -f "$(command -v gcc)")")
client $hostcc -O2 -c "$T/t.c" -o "$T/h.o" 2> "$T/c2"
expect "serve: a compiler it does not serve is refused (the host's own gcc)" sh -c "test ! -e '$T/h.o' && grep -q 'lookup of $hostcc in DISTCC_CMDLIST failed' '$log'"
"$BOOTSTRAP" --offline -j1 serve $arch --port $port > "$T/taken" 2>&1
rc=$?
expect "serve: a port already taken: exit 1, distccd's reason said" sh -c "test $rc -eq 1 && grep -q 'distccd ended as it started: bind of 127.0.0.1:$port failed: Address already in use' '$T/taken'"
kill -INT $pid
wait $pid
rc=$?
expect "serve: a ^C stops it (exit 0), distccd too" sh -c "test $rc -eq 0 && grep -qx 'serve: stopped' '$T/serve' && ! pgrep -f -- '[d]istccd .*--port $port ' > /dev/null"
passed
