//! Flat exports for tracking systems and spreadsheets: one row per task and one row per
//! indicator target, as CSV (the `csv` crate) or JSON Lines.
//!
//! Rows carry the input file and the document's number, date and ward so rows of many
//! documents can be concatenated. Agencies are joined with "; " (names and ids in separate
//! columns, in the same order). An indicator without targets gives one row with empty
//! target columns, so no indicator is lost.

use crate::model::{AgencyRef, DeadlineKind, Document, Indicator, Origin, Target, TargetOp, Task};
use serde::Serialize;
use std::io::{self, Write};

/// The UTF-8 byte order mark: spreadsheets (Excel) need it to read UTF-8 CSV as UTF-8.
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Which flat file a CSV export is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Tasks,
    Indicators,
}

/// CSV options.
#[derive(Debug, Clone, Copy, Default)]
pub struct CsvOptions {
    /// Spreadsheet mode: start the file with a UTF-8 BOM and prefix cells that a
    /// spreadsheet would evaluate as a formula (starting with `=`, `+`, `-`, `@`) with `'`.
    pub spreadsheet: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct TaskRow<'a> {
    pub file: &'a str,
    pub doc_number: Option<&'a str>,
    pub doc_date: Option<&'a str>,
    pub ward: Option<&'a str>,
    pub task_id: &'a str,
    pub origin: Origin,
    pub table: Option<&'a str>,
    pub section: Option<&'a str>,
    pub number: Option<&'a str>,
    pub text: &'a str,
    pub lead: String,
    pub lead_ids: String,
    pub support: String,
    pub support_ids: String,
    pub output: Option<&'a str>,
    pub deadline: Option<&'a str>,
    pub deadline_kind: Option<DeadlineKind>,
    pub deadline_date: Option<&'a str>,
    pub deadline_until: Option<&'a str>,
    pub line_start: usize,
    pub line_end: usize,
    pub page: Option<usize>,
    pub confidence: Option<f32>,
}

pub const TASK_HEADER: &[&str] = &[
    "file",
    "doc_number",
    "doc_date",
    "ward",
    "task_id",
    "origin",
    "table",
    "section",
    "number",
    "text",
    "lead",
    "lead_ids",
    "support",
    "support_ids",
    "output",
    "deadline",
    "deadline_kind",
    "deadline_date",
    "deadline_until",
    "line_start",
    "line_end",
    "page",
    "confidence",
];

#[derive(Debug, Clone, Serialize)]
pub struct IndicatorRow<'a> {
    pub file: &'a str,
    pub doc_number: Option<&'a str>,
    pub doc_date: Option<&'a str>,
    pub ward: Option<&'a str>,
    pub indicator_id: &'a str,
    pub origin: Origin,
    pub table: Option<&'a str>,
    pub group: Option<&'a str>,
    pub number: Option<&'a str>,
    pub name: &'a str,
    pub unit: Option<&'a str>,
    pub period: Option<&'a str>,
    pub target: Option<&'a str>,
    /// ">=", ">", "<=", "<", "=", "range", "text" or "none", as in the JSON.
    pub op: Option<&'a str>,
    pub value: Option<f64>,
    pub value_max: Option<f64>,
    pub lead: String,
    pub lead_ids: String,
    pub support: String,
    pub support_ids: String,
    pub director: Option<&'a str>,
    pub monitor: Option<&'a str>,
    pub output: Option<&'a str>,
    pub line_start: usize,
    pub line_end: usize,
    pub page: Option<usize>,
    pub confidence: Option<f32>,
}

pub const INDICATOR_HEADER: &[&str] = &[
    "file",
    "doc_number",
    "doc_date",
    "ward",
    "indicator_id",
    "origin",
    "table",
    "group",
    "number",
    "name",
    "unit",
    "period",
    "target",
    "op",
    "value",
    "value_max",
    "lead",
    "lead_ids",
    "support",
    "support_ids",
    "director",
    "monitor",
    "output",
    "line_start",
    "line_end",
    "page",
    "confidence",
];

/// A row of the JSON Lines export, tagged with its kind.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Row<'a> {
    Task(TaskRow<'a>),
    Indicator(IndicatorRow<'a>),
}

fn names(refs: &[AgencyRef]) -> String {
    refs.iter().map(|r| r.name.as_str()).collect::<Vec<_>>().join("; ")
}

fn ids(refs: &[AgencyRef]) -> String {
    refs.iter().map(|r| r.id.as_str()).collect::<Vec<_>>().join("; ")
}

/// One row per task of `doc`; `file` names the input in the rows.
pub fn task_rows<'a>(file: &'a str, doc: &'a Document) -> impl Iterator<Item = TaskRow<'a>> + 'a {
    doc.tasks.iter().map(move |t| task_row(file, doc, t))
}

fn task_row<'a>(file: &'a str, doc: &'a Document, t: &'a Task) -> TaskRow<'a> {
    let d = t.deadline.as_ref();
    TaskRow {
        file,
        doc_number: doc.document.number.as_deref(),
        doc_date: doc.document.date.as_deref(),
        ward: doc.document.ward.as_deref(),
        task_id: &t.id,
        origin: t.origin,
        table: t.table.as_deref(),
        section: t.section.as_deref(),
        number: t.number.as_deref(),
        text: &t.text,
        lead: names(&t.lead),
        lead_ids: ids(&t.lead),
        support: names(&t.support),
        support_ids: ids(&t.support),
        output: t.output.as_deref(),
        deadline: d.map(|d| d.raw.as_str()),
        deadline_kind: d.map(|d| d.kind),
        deadline_date: d.and_then(|d| d.date.as_deref()),
        deadline_until: d.and_then(|d| d.until.as_deref()),
        line_start: t.span.line_start,
        line_end: t.span.line_end,
        page: t.span.page,
        confidence: t.confidence,
    }
}

/// One row per indicator target of `doc` (one row for an indicator without targets).
pub fn indicator_rows<'a>(file: &'a str, doc: &'a Document) -> impl Iterator<Item = IndicatorRow<'a>> + 'a {
    doc.indicators.iter().flat_map(move |ind| {
        let targets: Vec<Option<&'a Target>> =
            if ind.targets.is_empty() { vec![None] } else { ind.targets.iter().map(Some).collect() };
        targets.into_iter().map(move |t| indicator_row(file, doc, ind, t))
    })
}

fn op_str(op: TargetOp) -> &'static str {
    match op {
        TargetOp::Ge => ">=",
        TargetOp::Gt => ">",
        TargetOp::Le => "<=",
        TargetOp::Lt => "<",
        TargetOp::Eq => "=",
        TargetOp::Range => "range",
        TargetOp::Text => "text",
        TargetOp::None => "none",
    }
}

fn indicator_row<'a>(file: &'a str, doc: &'a Document, i: &'a Indicator, t: Option<&'a Target>) -> IndicatorRow<'a> {
    IndicatorRow {
        file,
        doc_number: doc.document.number.as_deref(),
        doc_date: doc.document.date.as_deref(),
        ward: doc.document.ward.as_deref(),
        indicator_id: &i.id,
        origin: i.origin,
        table: i.table.as_deref(),
        group: i.group.as_deref(),
        number: i.number.as_deref(),
        name: &i.name,
        unit: i.unit.as_deref(),
        period: t.and_then(|t| t.period.as_deref()),
        target: t.map(|t| t.raw.as_str()),
        op: t.map(|t| op_str(t.op)),
        value: t.and_then(|t| t.value),
        value_max: t.and_then(|t| t.value_max),
        lead: names(&i.lead),
        lead_ids: ids(&i.lead),
        support: names(&i.support),
        support_ids: ids(&i.support),
        director: i.director.as_deref(),
        monitor: i.monitor.as_deref(),
        output: i.output.as_deref(),
        line_start: i.span.line_start,
        line_end: i.span.line_end,
        page: i.span.page,
        confidence: i.confidence,
    }
}

/// Writes the JSON Lines rows of `doc` (tasks, then indicator targets), one compact
/// object per line.
pub fn write_jsonl<W: Write>(mut w: W, file: &str, doc: &Document) -> io::Result<()> {
    for row in task_rows(file, doc).map(Row::Task).chain(indicator_rows(file, doc).map(Row::Indicator)) {
        serde_json::to_writer(&mut w, &row)?;
        w.write_all(b"\n")?;
    }
    Ok(())
}

/// Starts a CSV file: the BOM (spreadsheet mode) and the header line.
pub fn write_csv_header<W: Write>(mut w: W, table: Table, opts: CsvOptions) -> io::Result<()> {
    if opts.spreadsheet {
        w.write_all(UTF8_BOM)?;
    }
    let mut c = csv::WriterBuilder::new().has_headers(false).from_writer(w);
    c.write_record(match table {
        Table::Tasks => TASK_HEADER,
        Table::Indicators => INDICATOR_HEADER,
    })?;
    c.flush()
}

/// The rows of `table` for `doc` as CSV records, each field as the CSV holds it (numbers
/// in Rust's shortest form, absent values empty). CSV and XLSX exports share them.
pub fn records(table: Table, file: &str, doc: &Document) -> io::Result<Vec<csv::StringRecord>> {
    let mut c = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
    match table {
        Table::Tasks => task_rows(file, doc).try_for_each(|r| c.serialize(r)),
        Table::Indicators => indicator_rows(file, doc).try_for_each(|r| c.serialize(r)),
    }
    .map_err(io::Error::other)?;
    parse_records(&c.into_inner().map_err(|e| e.into_error())?)
}

/// CSV rows without a header (as [`write_csv_rows`] writes them) read back as records.
pub fn parse_records(bytes: &[u8]) -> io::Result<Vec<csv::StringRecord>> {
    csv::ReaderBuilder::new().has_headers(false).from_reader(bytes).records().collect::<Result<_, _>>().map_err(io::Error::other)
}

/// A cell a spreadsheet would evaluate as a formula (`=`, `+`, `-`, `@`, tab, CR at the
/// start), unless it is a plain number, gets a leading `'` (OWASP's advice for CSV).
fn formula_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']) && cell.parse::<f64>().is_err();
    if risky { format!("'{cell}").into() } else { cell.into() }
}

/// Writes the CSV rows (no header) of `table` for `doc`.
pub fn write_csv_rows<W: Write>(w: W, table: Table, file: &str, doc: &Document, opts: CsvOptions) -> io::Result<()> {
    let mut c = csv::WriterBuilder::new().has_headers(false).from_writer(w);
    for record in records(table, file, doc)? {
        if opts.spreadsheet {
            c.write_record(record.iter().map(|cell| formula_safe(cell).into_owned()))?;
        } else {
            c.write_record(&record)?;
        }
    }
    c.flush()
}

/// Columns of the flat rows that hold numbers; every other column is written as text, so
/// an XLSX keeps "5.10" and "2025-08-19" as they are, where a spreadsheet importing the CSV
/// turns them into 5.1 and a date serial.
const NUMERIC_COLUMNS: &[&str] = &["value", "value_max", "line_start", "line_end", "page", "confidence"];

/// The sheet names of the XLSX export, in the order of [`Table`].
pub const XLSX_SHEETS: [&str; 2] = ["tasks", "indicators"];

/// An XLSX workbook with a `tasks` and an `indicators` sheet, written row by row in
/// rust_xlsxwriter's constant-memory mode (rows go to temporary files, not RAM), so a
/// batch of any size fits. Cells are typed: text stays text, numbers are numbers.
pub struct XlsxExport {
    book: rust_xlsxwriter::Workbook,
    rows: [u32; 2],
}

impl XlsxExport {
    pub fn new() -> Result<XlsxExport, rust_xlsxwriter::XlsxError> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let bold = rust_xlsxwriter::Format::new().set_bold();
        for (name, header) in XLSX_SHEETS.iter().zip([TASK_HEADER, INDICATOR_HEADER]) {
            let sheet = book.add_worksheet_with_constant_memory()?;
            sheet.set_name(*name)?;
            sheet.write_row_with_format(0, 0, header.iter().copied(), &bold)?;
            sheet.set_freeze_panes(1, 0)?;
        }
        Ok(XlsxExport { book, rows: [1, 1] })
    }

    /// Appends rows given as CSV records of `table` (see [`records`]).
    pub fn add(&mut self, table: Table, records: &[csv::StringRecord]) -> Result<(), rust_xlsxwriter::XlsxError> {
        let (index, header) = match table {
            Table::Tasks => (0, TASK_HEADER),
            Table::Indicators => (1, INDICATOR_HEADER),
        };
        let sheet = self.book.worksheet_from_index(index)?;
        for record in records {
            let row = self.rows[index];
            for (col, (cell, name)) in record.iter().zip(header).enumerate() {
                let col = col as u16;
                let number = if NUMERIC_COLUMNS.contains(name) { cell.parse::<f64>().ok() } else { None };
                match number {
                    Some(n) => sheet.write_number(row, col, n)?,
                    None if cell.is_empty() => continue,
                    None => sheet.write_string(row, col, cell)?,
                };
            }
            self.rows[index] += 1;
        }
        Ok(())
    }

    /// Adds filters over the written rows and writes the workbook to `w`.
    pub fn finish<W: Write + Send>(mut self, w: W) -> Result<(), rust_xlsxwriter::XlsxError> {
        for (index, header) in [TASK_HEADER, INDICATOR_HEADER].iter().enumerate() {
            let last_row = self.rows[index] - 1;
            self.book.worksheet_from_index(index)?.autofilter(0, 0, last_row, header.len() as u16 - 1)?;
        }
        self.book.save_to_writer(w)
    }
}

/// A whole CSV file of `table` for one document.
pub fn csv_string(table: Table, file: &str, doc: &Document, opts: CsvOptions) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    write_csv_header(&mut out, table, opts)?;
    write_csv_rows(&mut out, table, file, doc, opts)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;

    fn doc() -> Document {
        let span = Span { start: 0, end: 10, line_start: 3, line_end: 4, page: None };
        let agency = |id: &str, name: &str| AgencyRef { id: id.into(), name: name.into() };
        Document {
            schema_version: SCHEMA_VERSION.into(),
            source: SourceInfo {
                path: "a.txt".into(),
                sha256: "00".into(),
                format: "text".into(),
                encoding: "utf-8".into(),
                restored: false,
            },
            document: Metadata { number: Some("12/KH-UBND".into()), ward: Some("phường Đông Hải".into()), ..Default::default() },
            tasks: vec![Task {
                id: "t1".into(),
                origin: Origin::Appendix,
                table: Some("Phụ lục I".into()),
                section: None,
                number: Some("1".into()),
                text: "Triển khai \"Bình dân học vụ số\", cập nhật\ndữ liệu".into(),
                lead: vec![agency("cong_an", "Công an phường"), agency("vp", "Văn phòng HĐND-UBND")],
                support: vec![],
                output: Some("-Báo cáo".into()),
                deadline: Some(Deadline { raw: "Quý IV/2025".into(), kind: DeadlineKind::Month, date: Some("2025-12".into()), until: None }),
                span,
                links: vec![],
                confidence: Some(0.9),
            }],
            indicators: vec![
                Indicator {
                    id: "i1".into(),
                    origin: Origin::Appendix,
                    table: None,
                    group: Some("Hạ tầng số".into()),
                    number: Some("1".into()),
                    name: "Tỷ lệ hộ gia đình có cáp quang".into(),
                    unit: Some("%".into()),
                    targets: vec![
                        Target { period: Some("2025".into()), raw: "≥ 80%".into(), op: TargetOp::Ge, value: Some(80.0), value_max: None },
                        Target { period: Some("2030".into()), raw: "100%".into(), op: TargetOp::Eq, value: Some(100.0), value_max: None },
                    ],
                    lead: vec![agency("vhxh", "Phòng Văn hóa - Xã hội")],
                    support: vec![],
                    director: None,
                    monitor: None,
                    output: None,
                    span,
                    confidence: None,
                },
                Indicator {
                    id: "i2".into(),
                    origin: Origin::Body,
                    table: None,
                    group: None,
                    number: None,
                    name: "Số thủ tục trực tuyến".into(),
                    unit: None,
                    targets: vec![],
                    lead: vec![],
                    support: vec![],
                    director: None,
                    monitor: None,
                    output: None,
                    span,
                    confidence: None,
                },
            ],
            agencies: vec![],
            warnings: vec![],
        }
    }

    #[test]
    fn headers_match_rows() {
        let d = doc();
        let mut c = csv::Writer::from_writer(Vec::new());
        c.serialize(task_rows("a.txt", &d).next().unwrap()).unwrap();
        let s = String::from_utf8(c.into_inner().unwrap()).unwrap();
        assert_eq!(s.lines().next().unwrap(), TASK_HEADER.join(","));
        let mut c = csv::Writer::from_writer(Vec::new());
        c.serialize(indicator_rows("a.txt", &d).next().unwrap()).unwrap();
        let s = String::from_utf8(c.into_inner().unwrap()).unwrap();
        assert_eq!(s.lines().next().unwrap(), INDICATOR_HEADER.join(","));
    }

    #[test]
    fn one_row_per_target() {
        let d = doc();
        let rows: Vec<_> = indicator_rows("a.txt", &d).collect();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].target, Some("≥ 80%"));
        assert_eq!(rows[1].period, Some("2030"));
        assert_eq!(rows[2].indicator_id, "i2");
        assert_eq!(rows[2].target, None);
    }

    #[test]
    fn csv_round_trips_vietnamese() {
        let d = doc();
        let bytes = csv_string(Table::Tasks, "a.txt", &d, CsvOptions::default()).unwrap();
        assert!(!bytes.starts_with(UTF8_BOM));
        let mut r = csv::Reader::from_reader(bytes.as_slice());
        let rec = r.records().next().unwrap().unwrap();
        assert_eq!(&rec[9], "Triển khai \"Bình dân học vụ số\", cập nhật\ndữ liệu");
        assert_eq!(&rec[10], "Công an phường; Văn phòng HĐND-UBND");
        assert_eq!(&rec[11], "cong_an; vp");
        assert_eq!(&rec[14], "-Báo cáo");
        assert_eq!(&rec[16], "month");
    }

    #[test]
    fn formula_guard_spares_numbers_and_plain_text() {
        assert_eq!(formula_safe("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(formula_safe("@cmd"), "'@cmd");
        assert_eq!(formula_safe("- Báo cáo"), "'- Báo cáo");
        assert_eq!(formula_safe("-12.5"), "-12.5");
        assert_eq!(formula_safe("Phường Đông Hải"), "Phường Đông Hải");
    }

    #[test]
    fn spreadsheet_mode_has_bom_and_guards_formulas() {
        let d = doc();
        let opts = CsvOptions { spreadsheet: true };
        let bytes = csv_string(Table::Tasks, "a.txt", &d, opts).unwrap();
        assert!(bytes.starts_with(UTF8_BOM));
        let mut r = csv::Reader::from_reader(&bytes[3..]);
        assert_eq!(&r.headers().unwrap()[0], "file");
        let rec = r.records().next().unwrap().unwrap();
        assert_eq!(&rec[14], "'-Báo cáo");
        let bytes = csv_string(Table::Indicators, "a.txt", &d, opts).unwrap();
        let mut r = csv::Reader::from_reader(&bytes[3..]);
        let recs: Vec<_> = r.records().map(|x| x.unwrap()).collect();
        assert_eq!(&recs[0][13], ">=");
        assert_eq!(&recs[1][13], "'=");
        assert_eq!(&recs[0][9], "Tỷ lệ hộ gia đình có cáp quang");
    }

    #[test]
    fn jsonl_rows_are_tagged() {
        let d = doc();
        let mut out = Vec::new();
        write_jsonl(&mut out, "a.txt", &d).unwrap();
        let lines: Vec<serde_json::Value> =
            String::from_utf8(out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[0]["kind"], "task");
        assert_eq!(lines[0]["lead"], "Công an phường; Văn phòng HĐND-UBND");
        assert_eq!(lines[1]["kind"], "indicator");
        assert_eq!(lines[1]["op"], ">=");
        assert_eq!(lines[1]["value"], 80.0);
    }
}
