#!/bin/sh
# tests/stages/image.sh DIR: boot the system image in DIR without a terminal
# (bootstrap test ARCH), with a control disk whose /init runs
# tests/stages/image-guest.sh inside; pass when every guest check passed
# and the guest wrote its results to the disk. A hung guest is stopped
# after a timeout, with its last console lines.
D=${1:?usage: image.sh OUTPUT-DIR}
: "${ARCH:?}" "${BOARD:=$ARCH}"
. "$(dirname "$0")/../lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d)
server=
trap 'rm -rf "$T"; [ -z "$server" ] || kill $server 2> /dev/null' EXIT
# stopped, the same: the server must not outlive the test (it would hold
# the runner's files open, and the next run would wait for it)
trap 'exit 143' TERM INT HUP
img=$D/system-image-$BOARD
# root.ext2 holds no trace of the build's owner or clock: every inode root's,
# its times the epoch (the image's mtime is: run-emulator.sh's)
epoch=$(stat -c %Y "$img/run-emulator.sh")
stamps=$(for p in / /usr/bin/gcc /bin/toybox /etc/passwd; do debugfs -R "stat $p" "$img/root.ext2" 2>/dev/null; done |
	sed -n 's/^User: *\([0-9]*\) *Group: *\([0-9]*\).*/\1 \2/p; s/^ *[acm]time: 0x\([0-9a-f]*\):.*/\1/p' | sort -u | tr '\n' ' ')
expect "image-$BOARD: root.ext2's owners are root, its times the epoch (found: $stamps)" \
	test "$stamps" = "$(printf '0 0 %x ' "$epoch")"
mkdir -p "$T/ctl"
cp "$HERE/image-guest.sh" "$T/ctl/init"
chmod 755 "$T/ctl/init"
echo "$ARCH" > "$T/ctl/arch"
echo "${TARGET:?}" > "$T/ctl/target"
# for the native compiler's tests: the programs, and the runner's own source
cp -r "$HERE/../programs" "$T/ctl/"
mkdir "$T/ctl/bootstrap"
(cd "$HERE/../.." && cp -r Makefile bootstrap.c lib stages packages targets patches site "$T/ctl/bootstrap/")
rm -f "$T/ctl/bootstrap/lib/"*.o
# and its tests that need no host: run there, under musl and toybox
mkdir "$T/ctl/bootstrap/tests"
cp "$HERE/../lib.sh" "$HERE/../unit.c" "$HERE/../integration.sh" "$T/ctl/bootstrap/tests/"
# a server on the host's loopback for the guest to reach: it answers every
# connection with a token (perl: one of the host's tools already)
token=host-$$-$(date +%s)
perl -MIO::Socket::INET -e '
	my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => 0, Listen => 5, ReuseAddr => 1) or die "listen: $!";
	open(my $f, ">", "$ARGV[0].tmp") or die; print $f $s->sockport, " $ARGV[1]\n"; close $f;
	rename("$ARGV[0].tmp", $ARGV[0]);
	while (my $c = $s->accept) { print $c "$ARGV[1]\n"; close $c }' "$T/ctl/server" "$token" &
server=$!
waitfor "$T/ctl/server" "$token" 5
limit=${BOOT_TIMEOUT:-600}
start=$(date +%s)
# the guest module: control disk from $T/ctl (made in $T/ctl.disks), a
# guest silent for $limit seconds is stopped
"$BOOTSTRAP" guest "$img" "$T/ctl" --silence "$limit" < /dev/null > "$T/console" 2>&1
rc=$?
secs=$(( $(date +%s) - start ))
tr -d '\r' < "$T/console" > "$T/log"
if grep -q "^guest: no output for" "$T/log"; then
	fail "image-$BOARD: the guest finishes" "silent for ${limit}s, stopped; last console lines:"
	tail -15 "$T/log" | sed 's/^/   | /'
	exit 1
fi
grep -E '^(ok|FAIL) - guest' "$T/log"
expect "image-$BOARD: the guest ran its tests and stopped (${secs}s, exit $rc)" grep -q "guest tests done" "$T/log"
expect "image-$BOARD: bootstrap guest passes on the control script's status" test $rc -eq 0
debugfs -R "cat /results" "$T/ctl.disks/control.img" > "$T/results" 2> /dev/null
expect "image-$BOARD: the guest's results are on the second disk" grep -q "^ok - guest" "$T/results"
expect "image-$BOARD: no guest check failed" sh -c "! grep -q '^FAIL' '$T/log'"
grep -q "guest tests done" "$T/log" || tail -15 "$T/log" | sed 's/^/   | /'
passed
