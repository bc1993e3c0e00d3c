//! The output contract (`schema_version` "1"): the JSON other systems read.
//!
//! Fields may be added; none may be renamed, dropped or change type without a bump of
//! [`SCHEMA_VERSION`]. `src/schema/kehoach.schema.json` describes the same shape and a
//! test validates every corpus output against it.

use serde::{Deserialize, Serialize};

pub const SCHEMA_VERSION: &str = "1";

/// A region of the original source text: byte offsets (end exclusive) and 1-based lines
/// (inclusive). `page` is set for paginated sources (PDF).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub line_start: usize,
    pub line_end: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    pub schema_version: String,
    pub source: SourceInfo,
    pub document: Metadata,
    pub tasks: Vec<Task>,
    pub indicators: Vec<Indicator>,
    pub agencies: Vec<AgencySeen>,
    pub warnings: Vec<Warning>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceInfo {
    pub path: String,
    pub sha256: String,
    /// "text" | "pdf" | "docx" | "markdown"
    pub format: String,
    pub encoding: String,
    pub restored: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Metadata {
    pub doc_type: Option<String>,
    pub issuer: Option<String>,
    pub ward: Option<String>,
    pub number: Option<String>,
    /// ISO "YYYY-MM-DD" or "YYYY-MM".
    pub date: Option<String>,
    pub place: Option<String>,
    pub title: Option<String>,
    pub signer: Option<Signer>,
    pub references: Vec<Reference>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signer {
    pub name: String,
    pub title: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    #[serde(rename = "type")]
    pub doc_type: String,
    pub number: String,
    pub date: Option<String>,
    pub issuer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
}

/// A reference to an agency in a task or indicator: `id` from the rules, `name` canonical.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgencyRef {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    Appendix,
    Body,
    Organization,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    pub id: String,
    pub origin: Origin,
    pub table: Option<String>,
    pub section: Option<String>,
    pub number: Option<String>,
    pub text: String,
    pub lead: Vec<AgencyRef>,
    pub support: Vec<AgencyRef>,
    pub output: Option<String>,
    pub deadline: Option<Deadline>,
    pub span: Span,
    /// Ids of tasks elsewhere in the document that restate this one (body ↔ appendix).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<String>,
    /// 0..1, from the evidence used (table structure, exact or fuzzy agency match, restoration).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeadlineKind {
    Date,
    Month,
    Year,
    Range,
    Recurring,
    Conditional,
    Unspecified,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    pub raw: String,
    pub kind: DeadlineKind,
    /// ISO date, month ("YYYY-MM") or year ("YYYY") where the deadline has one; for a
    /// range, its start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// End of a range (ISO), when `kind` is range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    pub id: String,
    pub origin: Origin,
    pub table: Option<String>,
    pub group: Option<String>,
    pub number: Option<String>,
    pub name: String,
    pub unit: Option<String>,
    pub targets: Vec<Target>,
    pub lead: Vec<AgencyRef>,
    pub support: Vec<AgencyRef>,
    pub director: Option<String>,
    pub monitor: Option<String>,
    pub output: Option<String>,
    pub span: Span,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TargetOp {
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "=")]
    Eq,
    #[serde(rename = "range")]
    Range,
    #[serde(rename = "text")]
    Text,
    #[serde(rename = "none")]
    None,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    pub period: Option<String>,
    pub raw: String,
    pub op: TargetOp,
    pub value: Option<f64>,
    pub value_max: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgencySeen {
    pub id: String,
    pub name: String,
    pub aliases_seen: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    pub code: String,
    pub message: String,
    pub span: Option<Span>,
}

/// `value` as serde_json's pretty JSON (two-space indent), byte for byte, into `writer`.
///
/// serde_json's `PrettyFormatter` writes an indent one level at a time, a write per level;
/// a plan's JSON is mostly short lines five or six levels deep, so [`PrettyLines`] writes
/// each line break with its indent at once.
pub fn to_writer_pretty<W: std::io::Write, T: ?Sized + Serialize>(writer: W, value: &T) -> serde_json::Result<()> {
    value.serialize(&mut serde_json::Serializer::with_formatter(writer, PrettyLines::default()))
}

/// [`to_writer_pretty`] into a string.
pub fn to_string_pretty<T: ?Sized + Serialize>(value: &T) -> serde_json::Result<String> {
    let mut out = Vec::with_capacity(1024);
    to_writer_pretty(&mut out, value)?;
    Ok(String::from_utf8(out).expect("serde_json writes UTF-8"))
}

/// The layout of `serde_json::ser::PrettyFormatter` with its default two-space indent.
#[derive(Default)]
struct PrettyLines {
    depth: usize,
    has_value: bool,
}

/// A comma, a line break and the deepest indent written in one piece (deeper ones are rare).
const LINE_BREAK: &[u8] = b",\n                                                                ";

impl PrettyLines {
    /// A line break (after a comma unless `first`) and the indent of the current depth.
    fn line_break<W: ?Sized + std::io::Write>(&self, writer: &mut W, first: bool) -> std::io::Result<()> {
        let start = usize::from(first);
        match LINE_BREAK.get(start..2 + 2 * self.depth) {
            Some(piece) => writer.write_all(piece),
            None => {
                writer.write_all(&LINE_BREAK[start..2])?;
                (0..self.depth).try_for_each(|_| writer.write_all(b"  "))
            }
        }
    }

    /// An array or object begins: one level deeper, nothing in it yet.
    fn open<W: ?Sized + std::io::Write>(&mut self, writer: &mut W, bracket: &[u8]) -> std::io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        writer.write_all(bracket)
    }

    /// An array or object ends: its closing bracket on a line of its own unless it is empty.
    fn close<W: ?Sized + std::io::Write>(&mut self, writer: &mut W, bracket: &[u8]) -> std::io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.line_break(writer, true)?;
        }
        writer.write_all(bracket)
    }
}

impl serde_json::ser::Formatter for PrettyLines {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.open(writer, b"[")
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.close(writer, b"]")
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(&mut self, writer: &mut W, first: bool) -> std::io::Result<()> {
        self.line_break(writer, first)
    }

    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, _writer: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.open(writer, b"{")
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.close(writer, b"}")
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(&mut self, writer: &mut W, first: bool) -> std::io::Result<()> {
        self.line_break(writer, first)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        writer.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, _writer: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pretty(value: &impl Serialize) -> String {
        let mut out = Vec::new();
        to_writer_pretty(&mut out, value).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// [`to_writer_pretty`] against serde_json's own pretty printer: every corpus plan's
    /// document, and values with empty and nested containers deeper than the one-piece
    /// indent.
    #[test]
    fn pretty_lines_agree_with_serde_json() {
        let rules = crate::rules::Rules::embedded();
        let mut seen = 0;
        for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/corpus")).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "txt") {
                let doc = crate::extract_path(&path, rules, &crate::Options::default()).unwrap();
                assert_eq!(pretty(&doc), serde_json::to_string_pretty(&doc).unwrap(), "{}", path.display());
                seen += 1;
            }
        }
        assert!(seen >= 5, "{seen}");
        let mut deep = serde_json::json!({"a": [], "b": {}, "c": [1, {"d": null}], "e": "x"});
        for i in 0..40 {
            deep = if i % 2 == 0 { serde_json::json!([deep, [], {}]) } else { serde_json::json!({"k": deep, "e": []}) };
        }
        for v in [serde_json::json!([]), serde_json::json!({}), serde_json::json!(1), deep] {
            assert_eq!(pretty(&v), serde_json::to_string_pretty(&v).unwrap());
        }
    }
}
