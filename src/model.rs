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
