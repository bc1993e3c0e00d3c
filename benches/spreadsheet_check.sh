#!/usr/bin/env bash
# Opens the batch exports of the bundled corpus in a real spreadsheet (LibreOffice Calc,
# headless) and compares every cell with what kehoach wrote.
#
#   benches/spreadsheet_check.sh
#
# 1. `--format csv --bom`: Calc imports the CSV as UTF-8 (the charset its import dialog
#    takes from the BOM; Excel does the same), saves it as XLSX, and the XLSX's cells are
#    compared with the CSV. Differences are what a spreadsheet does to a CSV by itself:
#    outline numbers such as "5.10" become 5.1, ISO dates become date serials.
# 2. `--format xlsx`: Calc opens kehoach.xlsx and writes each sheet back to CSV; every
#    cell must equal the plain CSV export (no differences expected).
# Needs: cargo, python3, LibreOffice Calc (Debian: apt-get install libreoffice-calc-nogui).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v soffice >/dev/null || { echo "LibreOffice missing: apt-get install libreoffice-calc-nogui" >&2; exit 1; }
cargo build --release --quiet
BIN=$PWD/target/release/kehoach
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
SOFFICE=(soffice "-env:UserInstallation=file://$WORK/profile" --headless)

"$BIN" batch corpus -o "$WORK/csv" --format csv -q
"$BIN" batch corpus -o "$WORK/bom" --format csv --bom -q
"$BIN" batch corpus -o "$WORK/xlsx" --format xlsx -q

# 1. BOM CSV → Calc (UTF-8) → XLSX
for t in tasks indicators; do
  "${SOFFICE[@]}" --infilter="CSV:44,34,76,1" --convert-to xlsx --outdir "$WORK/calc-bom" "$WORK/bom/kehoach-$t.csv" >/dev/null 2>&1
done
# 2. kehoach.xlsx → Calc → one UTF-8 CSV per sheet
"${SOFFICE[@]}" --convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1' \
  --outdir "$WORK/calc-xlsx" "$WORK/xlsx/kehoach.xlsx" >/dev/null 2>&1

python3 - "$WORK" <<'PY'
import csv, re, sys, zipfile, xml.etree.ElementTree as ET
work = sys.argv[1]
M = '{http://schemas.openxmlformats.org/spreadsheetml/2006/main}'
NUMERIC = {'value', 'value_max', 'line_start', 'line_end', 'page', 'confidence'}

def load_csv(path):
    with open(path, encoding='utf-8-sig', newline='') as f:
        return list(csv.reader(f))

def load_xlsx(path):
    z = zipfile.ZipFile(path)
    shared = []
    if 'xl/sharedStrings.xml' in z.namelist():
        shared = [''.join(t.text or '' for t in si.iter(M + 't')) for si in ET.fromstring(z.read('xl/sharedStrings.xml')).iter(M + 'si')]
    rows = []
    for r in ET.fromstring(z.read('xl/worksheets/sheet1.xml')).iter(M + 'row'):
        cells = {}
        for c in r.iter(M + 'c'):
            col = 0
            for ch in re.match(r'[A-Z]+', c.get('r')).group():
                col = col * 26 + ord(ch) - 64
            v = c.find(M + 'v')
            text = shared[int(v.text)] if c.get('t') == 's' else ''.join(x.text or '' for x in c.iter(M + 't')) if c.get('t') == 'inlineStr' else (v.text if v is not None else '')
            cells[col - 1] = text
        rows.append([cells.get(i, '') for i in range(max(cells) + 1 if cells else 0)])
    return rows

def compare(label, want, got):
    header, bad, cells, viet, kinds = want[0], 0, 0, 0, {}
    for i, row in enumerate(want):
        g = got[i] if i < len(got) else []
        for j, w in enumerate(row):
            cells += 1
            viet += any(ord(ch) > 127 for ch in w)
            v = g[j] if j < len(g) else ''
            same = v == w
            if not same and header[j] in NUMERIC:
                try: same = float(v) == float(w)
                except ValueError: pass
            if not same:
                bad += 1
                kinds.setdefault(header[j], (w, v))
    print(f'{label}: {len(want)} rows, {cells} cells ({viet} with Vietnamese letters), {bad} cells differ')
    for col, (w, v) in kinds.items():
        print(f'    column {col}: e.g. {w!r} became {v!r}')
    return bad

print('1. CSV with BOM, imported by LibreOffice Calc as UTF-8:')
for t in ('tasks', 'indicators'):
    compare(f'   kehoach-{t}.csv', load_csv(f'{work}/bom/kehoach-{t}.csv'), load_xlsx(f'{work}/calc-bom/kehoach-{t}.xlsx'))
print('2. kehoach.xlsx opened by LibreOffice Calc, each sheet written back as CSV:')
bad = 0
for t in ('tasks', 'indicators'):
    bad += compare(f'   sheet {t}', load_csv(f'{work}/csv/kehoach-{t}.csv'), load_csv(f'{work}/calc-xlsx/kehoach-{t}.csv'))
sys.exit(1 if bad else 0)
PY
