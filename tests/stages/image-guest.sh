#!/bin/bash
# Runs inside the booted system, from the control disk (tests/stages/image.sh
# puts it there as /init): checks the system with its own tools, prints
# "ok -"/"FAIL -" lines on the console and writes them to the disk too.
cd /mnt || exit 1
exec > >(tee /mnt/results) 2>&1
arch=$(cat arch)

t() {
	local name=$1
	shift
	if "$@" > /tmp/t.out 2>&1; then
		echo "ok - guest $arch: $name"
	else
		echo "FAIL - guest $arch: $name: $(head -c 300 /tmp/t.out)"
	fi
}

t "uname -m is $arch" test "$(uname -m)" = "$arch"
t "PID 1 is our init" grep -q init /proc/1/cmdline
t "/proc is mounted" test -r /proc/meminfo
t "/sys is mounted" test -d /sys/class
t "/dev is populated" test -c /dev/null -a -c /dev/console -a -b /dev/vda
t "/dev/pts is mounted" grep -q devpts /proc/mounts
t "/tmp is a tmpfs" sh -c "grep -q ' /tmp tmpfs' /proc/mounts"
t "hostname is set" test "$(hostname)" = bootstrap
t "/etc/os-release names the system" grep -q '^ID=bootstrap' /etc/os-release
t "/bin/sh is bash" sh -c 'test -n "$BASH_VERSION"'
t "toybox: ls, sort, sed, grep, cut, tr, wc" sh -c 'ls / | sort | grep -c . | grep -q "^[0-9]" && echo "a:b:c" | cut -d: -f2 | tr b B | sed s/B/x/ | grep -qx x'
t "toybox: diff, expr, bc, dd, xzcat present" sh -c 'for c in diff expr bc dd xzcat; do command -v $c > /dev/null || exit 1; done; test "$(expr 6 \* 7)" = 42 && test "$(echo 6*7 | bc)" = 42'
t "toybox: tar and gzip round trip" sh -c 'mkdir -p /tmp/a && echo hi > /tmp/a/f && tar czf /tmp/a.tgz -C /tmp a && rm -r /tmp/a && tar xzf /tmp/a.tgz -C /tmp && grep -qx hi /tmp/a/f'
cat > /tmp/script.sh <<'S'
#!/bin/bash
declare -A seen
for w in one two two three; do seen[$w]=$(( ${seen[$w]:-0} + 1 )); done
echo "${seen[two]} $(( 6 * 7 )) ${BASH_VERSINFO[0]}"
S
t "a bash script: arrays and arithmetic" sh -c 'test "$(bash /tmp/script.sh)" = "2 42 5"'
t "awk is mawk" sh -c 'test "$(echo "3 4" | awk "{ print \$1 * \$2 }")" = 12'
t "an awk program" sh -c 'printf "a 1\nb 2\na 3\n" | awk "{ s[\$1] += \$2 } END { for (k in s) print k, s[k] }" | sort | tr "\n" " " | grep -qx "a 4 b 2 "'
mkdir -p /tmp/mk
printf 'all: out\nout: in\n\tcp in out\n\techo built >> out\n' > /tmp/mk/Makefile
echo source > /tmp/mk/in
t "a Makefile run by make" sh -c 'make -C /tmp/mk > /dev/null && grep -qx built /tmp/mk/out && make -C /tmp/mk | grep -q "Nothing to be done\|up to date"'
t "make -j runs jobs" sh -c 'printf "all: a b\na:\n\tsleep 1\nb:\n\tsleep 1\n" > /tmp/mk/j.mk && s=$(date +%s) && make -j2 -f /tmp/mk/j.mk >/dev/null && test $(( $(date +%s) - s )) -le 2'
t "the network is up (eth0 10.0.2.15)" sh -c 'ifconfig eth0 | grep -q 10.0.2.15'
t "writing to the second disk" sh -c 'echo written > /mnt/written && sync && grep -qx written /mnt/written'
echo "guest tests done"
