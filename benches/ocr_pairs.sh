#!/usr/bin/env bash
# Makes realistic OCR'd/clean text pairs for the restoration evaluation:
# clean corpus text → HTML (Liberation Serif, like the plans' Times New Roman) → PDF
# (LibreOffice) → page images (pdftoppm) → Tesseract with the ENGLISH model, the way
# plans reach us when scanned and OCR'd without the Vietnamese model.
#
# Writes fixtures/restore/ocr/<id>.clean.txt and <id>.ocr.txt (text only, committed, so
# tests and CI never need Tesseract).
#
#   bash benches/ocr_pairs.sh            # all clean corpus docs
#   DPI=150 bash benches/ocr_pairs.sh    # resolution of the page images (default 150)
set -euo pipefail
cd "$(dirname "$0")/.."
DPI="${DPI:-150}"
OUT=fixtures/restore/ocr
need=()
command -v tesseract >/dev/null || need+=(tesseract-ocr tesseract-ocr-eng)
command -v pdftoppm >/dev/null || need+=(poppler-utils)
command -v soffice >/dev/null || need+=(libreoffice-writer-nogui)
fc-list | grep -qi "Liberation Serif" || need+=(fonts-liberation2)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi
cargo build --release -q
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$OUT"
for f in corpus/*.txt; do
  id=$(basename "$f" .txt); id=${id%%_*}
  # Only diacritized text: skip documents that are themselves OCR output.
  ./target/release/kehoach --restore never normalize "$f" > "$tmp/$id.norm.txt"
  if ! grep -q "của\|được\|những" "$tmp/$id.norm.txt"; then continue; fi
  sed 's/\t/   /g' "$tmp/$id.norm.txt" > "$OUT/$id.clean.txt"
  {
    echo '<html><head><meta charset="utf-8"></head>'
    echo '<body style="font-family:'"'"'Liberation Serif'"'"'; font-size:13pt">'
    sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e 's/^/<p style="margin:0">/' -e 's/$/<\/p>/' "$OUT/$id.clean.txt"
    echo '</body></html>'
  } > "$tmp/$id.html"
  soffice --headless --convert-to pdf:writer_web_pdf_Export --outdir "$tmp" "$tmp/$id.html" >/dev/null 2>&1
  pdftoppm -r "$DPI" -gray -png "$tmp/$id.pdf" "$tmp/$id-page"
  : > "$OUT/$id.ocr.txt"
  for p in "$tmp/$id"-page*.png; do
    tesseract "$p" - -l eng 2>/dev/null >> "$OUT/$id.ocr.txt"
  done
  echo "$id: $(wc -w < "$OUT/$id.clean.txt") words clean, $(wc -w < "$OUT/$id.ocr.txt") words OCR'd"
done
