# tests/pack.sh: the image's archive writer (patches/image/pack.c): what it
# packs comes back out of GNU cpio, GNU tar and the kernel's format alike,
# owned by root at the given time, and the same bytes every time.
. "$(dirname "$0")/lib.sh"
T=${TMPDIR:-/tmp}/bootstrap-pack.$$
rm -rf "$T"
mkdir -p "$T/t/d/sub" "$T/t/e" "$T/x1" "$T/x2"
cd "$T" || exit 1
cc -std=c99 -Wall -Wextra -Wpedantic -Werror -o pack "$OLDPWD/patches/image/pack.c" 2> cc.err
expect "pack.c compiles without a warning" test -x pack -a ! -s cc.err

echo hello > t/d/f
ln t/d/f t/d/g
ln -s ../d/f t/e/l
seq 1 3000 > t/e/big
chmod 755 t/e/big
long=t/$(printf 'n%.0s' $(seq 1 90))/$(printf 'm%.0s' $(seq 1 30))
mkdir -p "$long" && echo deep > "$long/file"
./pack cpio 1735689600 t > a.cpio
./pack tar 1735689600 t > a.tar
(cd x1 && cpio -id --quiet < ../a.cpio)
(cd x2 && tar -xf ../a.tar)
expect "the cpio unpacks to the same tree" diff -r t x1/t
expect "the tar unpacks to the same tree" diff -r t x2/t
expect "hard links stay one file in the cpio" test "$(stat -c %i x1/t/d/f)" = "$(stat -c %i x1/t/d/g)"
expect "the symlink is a symlink" test "$(readlink x2/t/e/l)" = ../d/f
cpio -tv < a.cpio 2>/dev/null > cpio.list
tar -tvf a.tar > tar.list
expect "every cpio entry is root's, at the epoch" sh -c "! grep -v ' root *root .* Jan  1  2025 ' cpio.list"
expect "every tar entry is root's, at the epoch" sh -c "! grep -v ' root/root .* 2025-01-01 00:00 ' tar.list"
expect "entries in name order, each directory before its files" test "$(sed -n '1p;2p;3p;4p' tar.list | awk '{print $6}' | tr '\n' ' ')" = "t/ t/d/ t/d/f t/d/g "
expect "the tar is whole records of 10240 bytes" test $(($(stat -c %s a.tar) % 10240)) -eq 0
touch -d @1 t/d/f t/e
./pack cpio 1735689600 t > b.cpio
./pack tar 1735689600 t > b.tar
expect "other times on disk, the same bytes" sh -c "cmp -s a.cpio b.cpio && cmp -s a.tar b.tar"
mkfifo t/fifo
expect "a fifo is refused by name" sh -c "! ./pack cpio 0 t > c.cpio 2> err && grep -q 't/fifo: not a file, directory or symlink' err"
expect "a bad epoch is refused" sh -c "! ./pack tar 12x t > /dev/null 2> err && grep -q \"expected seconds since 1970, found '12x'\" err"
cd / && rm -rf "$T"
passed
