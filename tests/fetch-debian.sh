#!/bin/sh
# Fetching a real package (musl 1.2.5) from Debian's source archive into an
# empty cache, through deb-src entries derived from this machine's apt
# sources. Skipped, saying so, where Debian's archive cannot be reached.
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.." || exit 1
T=${TMPDIR:-/tmp}/bootstrap-fetch.$$
trap 'rm -rf "$T"' EXIT
mkdir -p "$T"
if ! command -v apt-get > /dev/null; then
	echo "skip - fetch from Debian: no apt-get here"
	exit 0
fi
# no mirrors, no upstream (musl's url fails offline quickly, then apt)
"$BOOTSTRAP" --cache "$T/cache" fetch musl > "$T/out" 2>&1
rc=$?
if [ $rc -ne 0 ] && grep -q "apt-get update failed" "$T/out"; then
	echo "skip - fetch from Debian: the archive is not reachable from here"
	exit 0
fi
expect "fetch musl from Debian's archive into an empty cache" test $rc -eq 0
f=$T/cache/sources/musl_1.2.5.orig.tar.gz
expect "the orig tarball is cached with its pinned sha256" sh -c "sha256sum '$f' | grep -q '^a9a118bbe84d8764da0ea0d28b3ab3fae8477fc7e4085d90102b8596fc7c75e4 '"
expect "deb-src entries were derived, trixie included" grep -rq "trixie" "$T/cache/apt/sources.list.d"
expect "the machine's apt configuration is left alone" sh -c "! grep -rq bootstrap /etc/apt/sources.list.d /etc/apt/sources.list 2>/dev/null"
