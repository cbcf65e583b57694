#!/bin/sh
# The reports read by other programs, parsed as those programs would: the
# SBOM (STAGE.spdx.json) field by field against SPDX 2.3's JSON schema's
# rules, and the timeline (timeline.svg) as XML, a bar per step. Host
# tools: python3's json and xml parsers (docs/host-packages).
. "$(dirname "$0")/lib.sh"

T=${TMPDIR:-/tmp}/bootstrap-reports.$$
trap '[ -n "$KEEP" ] || rm -rf "$T"' EXIT
newproject "$T"
mkdir -p "$P/src/tiny-1.0"
echo 'int main(void) { return 0; }' > "$P/src/tiny-1.0/tiny.c"
H=$(tarball "$P" tiny-1.0)
cat > "$P/packages/tiny" <<R
version 1.0
epoch 1700000000
source tiny-1.0.tar.gz $H
url https://example.org/tiny-1.0.tar.gz
license 0BSD
phase build
	\$CC -o tiny \$SRC/tiny.c
	mkdir -p \$OUT/bin
	cp tiny \$OUT/bin/
phase install
	test -x tiny
R
printf 'context host\ntools sh cc as ld mkdir cp test\nbuild tiny\n' > "$P/stages/one"
bs stage one-t1 > "$T/run" 2>&1
expect "a stage with a pinned source builds" test $? -eq 0

cat > "$T/spdx.py" <<'PY'
# SPDX 2.3 (JSON): what the schema requires of a document and its packages,
# and what its patterns and enumerations allow
import json, re, sys
d = json.load(open(sys.argv[1]))
ids = re.compile(r"^SPDXRef-[A-Za-z0-9.-]+$")
def need(cond, what):
    if not cond:
        sys.exit("not SPDX 2.3: " + what)
for k in ("spdxVersion", "dataLicense", "SPDXID", "name", "documentNamespace", "creationInfo"):
    need(k in d, "the document has no " + k)
need(d["spdxVersion"] == "SPDX-2.3", "spdxVersion")
need(d["dataLicense"] == "CC0-1.0", "dataLicense is CC0-1.0")
need(d["SPDXID"] == "SPDXRef-DOCUMENT", "the document's SPDXID")
need(re.match(r"^[a-z][a-z0-9+.-]*:[^#]*$", d["documentNamespace"]), "documentNamespace is a URI without #")
c = d["creationInfo"]
need(re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", c.get("created", "")), "creationInfo.created")
need(c.get("creators") and all(re.match(r"^(Tool|Organization|Person): .+", x) for x in c["creators"]), "creators")
known = {"SPDXRef-DOCUMENT"}
for p in d.get("packages", []):
    for k in ("SPDXID", "name", "downloadLocation"):
        need(k in p, "a package has no " + k)
    need(ids.match(p["SPDXID"]), "a package's SPDXID")
    need(p["SPDXID"] not in known, "SPDXIDs are unique")
    known.add(p["SPDXID"])
    for s in p.get("checksums", []):
        need(s["algorithm"] in ("SHA1", "SHA224", "SHA256", "SHA384", "SHA512", "MD5", "SHA3-256", "BLAKE2b-256"), "checksum algorithm")
        need(re.match(r"^[0-9a-f]+$", s["checksumValue"]), "checksumValue is hex")
    for r in p.get("externalRefs", []):
        need(r["referenceCategory"] in ("SECURITY", "PACKAGE-MANAGER", "PERSISTENT-ID", "OTHER"), "referenceCategory")
        need(r.get("referenceType") and r.get("referenceLocator"), "an external reference's type and locator")
    need(isinstance(p.get("filesAnalyzed", False), bool), "filesAnalyzed is a boolean")
for x in d.get("documentDescribes", []):
    need(x in known, "documentDescribes names a package")
for r in d.get("relationships", []):
    need(r["spdxElementId"] in known and r["relatedSpdxElement"] in known, "a relationship between known elements")
    need(re.match(r"^[A-Z_]+$", r["relationshipType"]), "relationshipType")
srcs = [p for p in d["packages"] if p.get("packageFileName") == "tiny-1.0.tar.gz"]
need(len(srcs) == 1 and srcs[0]["licenseDeclared"] == "0BSD", "the pinned source, with its licence")
need(srcs[0]["downloadLocation"] == "https://example.org/tiny-1.0.tar.gz", "the source's download location")
print("SPDX 2.3: %d packages, %d relationships" % (len(d["packages"]), len(d.get("relationships", []))))
PY
expect "the SBOM parses and holds to SPDX 2.3's rules, the source in it" python3 "$T/spdx.py" "$P/build/out/one-t1.spdx.json"
sed 's/"CC0-1.0"/"MIT"/' "$P/build/out/one-t1.spdx.json" > "$T/bad.json"
expect "... and the check finds a document that does not" sh -c "! python3 '$T/spdx.py' '$T/bad.json' 2> /dev/null"

cat > "$T/svg.py" <<'PY'
# the timeline: well-formed SVG, one bar (rect with a title) per step of the CSV
import csv, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
ns = "{http://www.w3.org/2000/svg}"
if root.tag != ns + "svg":
    sys.exit("not an SVG document: " + root.tag)
rows = list(csv.reader(open(sys.argv[2])))[1:]
bars = root.findall(".//" + ns + "rect")
if len(bars) != len(rows) or not rows:
    sys.exit("%d bars for %d steps" % (len(bars), len(rows)))
print("timeline: %d bars" % len(bars))
PY
expect "the timeline is an SVG document with a bar per step" python3 "$T/svg.py" "$P/build/logs/timeline.svg" "$P/build/logs/timeline.csv"
passed
