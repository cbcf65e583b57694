#!/bin/sh
# bootstrap boot ARCH as a person uses it: a shell on the emulated console,
# typed at through a terminal (script(1)). For each target whose system
# image is built here; skipped, saying so, otherwise.
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.." || exit 1
T=${TMPDIR:-/tmp}/boot-shell.$$
mkdir -p "$T"
trap 'exec 3>&-; rm -rf "$T"' EXIT

for arch in x86_64 armv7l; do
	if ! isbuilt "image-$arch"; then
		echo "skip - boot $arch: its image is not built here (bootstrap test $arch builds it)"
		continue
	fi
	rm -f "$T/in" "$T/log"
	mkfifo "$T/in"
	start=$(date +%s%N)
	script -qfec "'$BOOTSTRAP' --offline boot $arch" "$T/log" < "$T/in" > /dev/null 2>&1 &
	pid=$!
	exec 3> "$T/in"
	if ! waitfor "$T/log" 'type exit to stop the machine' 600 || ! waitfor "$T/log" '# ' 60; then
		fail "boot $arch: a shell prompt" "none in 600 s; the console's last lines: $(tail -n 5 "$T/log")"
		exec 3>&-
		kill $pid 2> /dev/null
		wait $pid
		continue
	fi
	ok "boot $arch: a shell prompt, $((($(date +%s%N) - start) / 1000000)) ms after the command"
	printf 'tty; set -o | grep -w monitor; echo sum=$((6*7))\n' >&3
	waitfor "$T/log" 'sum=42' 60
	expect "boot $arch: the shell answers" grep -q 'sum=42' "$T/log"
	expect "boot $arch: its terminal is the console's device, not /dev/console" grep -Eq '^/dev/tty(S|AMA)0' "$T/log"
	expect "boot $arch: job control is on" grep -Eq 'monitor[[:space:]]+on' "$T/log"
	printf 'exit\n' >&3
	exec 3>&-
	wait $pid
	expect "boot $arch: exit stops the machine and bootstrap boot exits 0" test $? -eq 0
done
passed
