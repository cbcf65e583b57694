# tests/lib.sh: helpers for the shell tests. Each case prints "ok - NAME" or
# "FAIL - NAME: why"; tests/run counts the lines.

BOOTSTRAP=${BOOTSTRAP:-$(cd "$(dirname "$0")/.." && pwd)/bootstrap}

ok() { echo "ok - $1"; }
fail() { echo "FAIL - $1: $2"; FAILED=1; }
# the status a script ends with: non-zero after any failure
passed() { [ -z "${FAILED:-}" ]; }

# expect NAME CONDITION-COMMAND...: pass when the command succeeds
expect() {
	name=$1; shift
	if "$@"; then ok "$name"; else fail "$name" "$*"; fi
}

# has FILE TEXT: the file contains the fixed string
has() { grep -qF -- "$2" "$1"; }
hasnt() { ! grep -qF -- "$2" "$1"; }

# a project directory of our own: targets/, stages/, packages/, a source mirror
newproject() {
	P=$1
	rm -rf "$P"
	mkdir -p "$P/targets" "$P/stages" "$P/packages" "$P/patches" "$P/mirror" "$P/src"
	cat > "$P/targets/t1" <<-'T'
	# a made-up target: the host compiler stands in for its toolchain
	triplet t1-linux-musl
	karch t1
	kimage vmlinux
	qemu true
	console ttyS0
	T
}

# tarball DIR NAME: pack P/src/NAME as P/mirror/NAME.tar.gz, print its sha256
tarball() {
	# a pipe, not tar -z: toybox's tar (inside the images) can return
	# before its gzip has written the archive
	tar -cf - -C "$1/src" "$2" | gzip -n > "$1/mirror/$2.tar.gz"
	sha256sum "$1/mirror/$2.tar.gz" | cut -d' ' -f1
}

# run the runner on project P with its own cache and work tree
bs() { "$BOOTSTRAP" --top "$P" --cache "$P/cache" --mirror "$P/mirror" "$@"; }
# the same in the background, with $! the runner itself
bsbg() { "$BOOTSTRAP" --top "$P" --cache "$P/cache" --mirror "$P/mirror" "$@" & }

# isbuilt STAGE: the stage is in the cache, nothing of it left to build
isbuilt() { "$BOOTSTRAP" --offline plan "$1" 2> /dev/null | grep -q ' 0 to build$'; }

# firstbuilt KIND ARCH...: the first ARCH whose KIND-ARCH is built, if any
firstbuilt() {
	k=$1
	shift
	for a; do
		isbuilt "$k-$a" && echo "$a" && return
	done
}

# waitfor FILE TEXT SECONDS: TEXT appears in FILE in time
waitfor() {
	i=0
	while ! grep -qF -- "$2" "$1" 2> /dev/null; do
		i=$((i + 1))
		[ $i -le $(($3 * 10)) ] || return 1
		sleep 0.1
	done
}

# gone PATTERN: no process matches within 3 seconds (a killed one takes a
# moment); the pattern should be one nothing else on the machine runs
gone() {
	i=0
	while pgrep -f -- "$1" > /dev/null; do
		[ $i -ge 30 ] && return 1
		sleep 0.1; i=$((i+1))
	done
}
