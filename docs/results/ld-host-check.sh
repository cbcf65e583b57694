#!/bin/sh
# docs/results/ld-host-check.sh CROSS-DIR TRIPLET OTHER-LD [RUNNER...]:
# does ld's output depend on the machine ld runs on? Links one shared
# library, libstdc++.so from CROSS-DIR's libstdc++.a and crt files, twice:
# with CROSS-DIR's own ld, and with OTHER-LD, the same binutils built for
# another host (run through RUNNER, e.g. "qemu-arm" with QEMU_LD_PREFIX
# set, when it cannot run here). Prints whether the two are the same bytes
# and, if not, the dynamic symbols they order differently and the
# sections where their bytes differ.
set -eu
[ $# -ge 3 ] || { echo "usage: $0 CROSS-DIR TRIPLET OTHER-LD [RUNNER...]" >&2; exit 2; }
cross=$1 triplet=$2 other=$3
shift 3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gcclib=$(echo "$cross"/lib/gcc/"$triplet"/*)
set -- "$@" "$other"
link() {
	"$@" -shared --hash-style=both "$gcclib/crtbeginS.o" --whole-archive \
		"$cross/$triplet/lib/libstdc++.a" --no-whole-archive "$gcclib/crtendS.o"
}
link "$cross/bin/$triplet-ld" -o "$tmp/here.so"
link "$@" -o "$tmp/other.so"
if cmp -s "$tmp/here.so" "$tmp/other.so"; then
	echo "the same bytes ($(wc -c < "$tmp/here.so") bytes)"
	exit 0
fi
readelf=$cross/bin/$triplet-readelf
echo "different: dynamic symbols in another order:"
"$readelf" -W --dyn-syms "$tmp/here.so" | awk 'NR>3 {print $8}' > "$tmp/here.syms"
"$readelf" -W --dyn-syms "$tmp/other.so" | awk 'NR>3 {print $8}' > "$tmp/other.syms"
paste -d ' ' "$tmp/here.syms" "$tmp/other.syms" | awk '$1 != $2 {print "    " $1}'
echo "bytes apart, by section:"
"$readelf" -S -W "$tmp/here.so" | sed -n 's/^ *\[ *[0-9]*\] //p' |
	awk '$2 != "NOBITS" {print $1, $4, $5}' > "$tmp/sections"
cmp -l "$tmp/here.so" "$tmp/other.so" | awk '{print $1 - 1}' |
	awk 'NR == FNR {name[NR] = $1; off[NR] = hex($2); end[NR] = off[NR] + hex($3); n = NR; next}
	{ for (i = 1; i <= n; i++) if ($1 >= off[i] && $1 < end[i]) break
	  count[i <= n ? name[i] : "(headers)"]++ }
	END { for (s in count) printf "    %s %d\n", s, count[s] }
	function hex(s,  v, i, c) { v = 0; s = tolower(s)
		for (i = 1; i <= length(s); i++) { c = index("0123456789abcdef", substr(s, i, 1)) - 1; v = v * 16 + c }
		return v }' "$tmp/sections" - | sort
exit 1
