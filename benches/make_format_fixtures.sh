#!/usr/bin/env bash
# Regenerates the PDF/DOCX fixtures in fixtures/formats/ from corpus/*.txt.
#
# Needs LibreOffice (apt-get install libreoffice-writer-nogui), poppler-utils and qpdf.
# Each corpus line becomes one paragraph; runs of tab-separated lines (004's TSV table)
# become a real table. The HTML is converted to DOCX by LibreOffice, and the DOCX to PDF,
# so the PDF has a real text layer and real table cells. The generated files are
# committed; the encoding fixtures (enc_*.txt) are made by the ignored test
# `regenerate_encoding_fixtures` in tests/ingest_formats.rs.
set -euo pipefail
cd "$(dirname "$0")/.."
only_extras=${1:-}
out=fixtures/formats
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export HOME="$tmp"   # a throwaway LibreOffice profile

to_html() {
python3 - "$1" <<'PY'
import html, sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
out = ['<!DOCTYPE html><html><head><meta charset="utf-8">',
       '<style>body{font-family:"Liberation Serif";font-size:12pt} table{border-collapse:collapse}'
       ' td{border:1px solid black;vertical-align:top}</style></head><body>']
i = 0
while i < len(lines):
    if lines[i].count("\t") >= 2:
        out.append('<table border="1" cellpadding="4" cellspacing="0">')
        while i < len(lines) and lines[i].count("\t") >= 2:
            cells = lines[i].split("\t")
            out.append("<tr>" + "".join("<td>%s</td>" % html.escape(c) for c in cells) + "</tr>")
            i += 1
        out.append('</table>')
        continue
    out.append("<p>%s</p>" % html.escape(lines[i]) if lines[i].strip() else "<p></p>")
    i += 1
out.append("</body></html>")
print("\n".join(out))
PY
}

[ "$only_extras" = --extras ] ||
for f in corpus/000_*.txt corpus/002_*.txt corpus/003_*.txt corpus/004_*.txt; do
    id=$(basename "$f" .txt | cut -c1-3)
    to_html "$f" > "$tmp/$id.html"
    soffice --headless --infilter="HTML (StarWriter)" --convert-to 'docx:MS Word 2007 XML' --outdir "$tmp" "$tmp/$id.html" >/dev/null
    soffice --headless --convert-to pdf --outdir "$tmp" "$tmp/$id.docx" >/dev/null
    cp "$tmp/$id.docx" "$out/$id.docx"
    cp "$tmp/$id.pdf" "$out/$id.pdf"
done

# A scan: page 1 of 003 as an image only (no text layer).
pdftoppm -r 60 -f 1 -l 1 -singlefile -png "$out/003.pdf" "$tmp/scan"
printf '<html><body><p><img src="scan.png" width="600"></p></body></html>' > "$tmp/scanned.html"
soffice --headless --infilter="HTML (StarWriter)" --convert-to pdf --outdir "$tmp" "$tmp/scanned.html" >/dev/null
cp "$tmp/scanned.pdf" "$out/scanned.pdf"

# Encrypted: one that needs a user password, one with only an owner password
# (permission restrictions, opens without a password).
qpdf --encrypt secret owner 256 -- "$out/003.pdf" "$out/encrypted_password.pdf"
qpdf --encrypt "" owner 256 --print=none -- "$out/003.pdf" "$out/encrypted_owner_only.pdf"
ls -l "$out"
