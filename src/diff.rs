//! Semantic diff of two extracted documents: how a plan changed between versions.
//!
//! Tasks and indicators are matched first by id (ids are content-derived and stable, see
//! [`crate::extract::ids`]), then the rest by fuzzy similarity of their folded text
//! (Sørensen–Dice over character bigrams, best pairs first, at least
//! [`DiffOptions::threshold`]). Matched items are compared field by field; unmatched ones
//! are reported added or removed.
//!
//! Compared: task origin, table, section, text, lead, support, output, deadline;
//! indicator origin, table, group, name, unit, targets (per period), lead, support,
//! director, monitor, output; document metadata and references. Not compared: ids, item
//! numbers, spans, links and confidence — they follow from position and from the
//! extractor, not from what the plan says.

use crate::error::{Error, Result};
use crate::fold::fold;
use crate::model::{AgencyRef, Document, Indicator, Reference, Target, Task};
use crate::{Options, Rules};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::Path;

/// Options of a diff.
#[derive(Debug, Clone, Copy)]
pub struct DiffOptions {
    /// Least text similarity (0..1) for two items with different ids to be the same item.
    pub threshold: f64,
}

impl Default for DiffOptions {
    fn default() -> Self {
        DiffOptions { threshold: 0.6 }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchKind {
    Id,
    Text,
}

/// One field that differs. `before`/`after` are JSON values (null when absent); for
/// lists (agencies, references) `added`/`removed` name the members that differ.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub before: Value,
    pub after: Value,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub added: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<String>,
}

/// A task or indicator that was added, removed or changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemChange {
    pub change: ChangeKind,
    /// Id in the first document (absent for added items).
    pub before_id: Option<String>,
    /// Id in the second document (absent for removed items).
    pub after_id: Option<String>,
    /// How a changed item was matched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matched_by: Option<MatchKind>,
    /// Text similarity of a fuzzy match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub similarity: Option<f64>,
    /// Item number as printed (second document's, or the first's for removed items).
    pub number: Option<String>,
    /// Task text or indicator name (second document's, or the first's for removed items).
    pub text: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldChange>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiffReport {
    pub before: String,
    pub after: String,
    pub equal: bool,
    pub document: Vec<FieldChange>,
    pub tasks: Vec<ItemChange>,
    pub indicators: Vec<ItemChange>,
}

/// Loads a document to compare: a kehoach JSON document, or a source file that is run
/// through the pipeline. A file whose first non-blank character is `{` is taken as JSON.
pub fn load(path: &Path, rules: &Rules, opts: &Options) -> Result<Document> {
    let source = crate::ingest::read_path(path)?;
    let body = source.text.trim_start_matches('\u{FEFF}').trim_start();
    if body.starts_with('{') {
        return serde_json::from_str::<Document>(body).map_err(|e| Error::Corrupt {
            path: path.into(),
            reason: format!("not a kehoach JSON document: {e}"),
        });
    }
    crate::extract(&source, rules, opts)
}

/// Compares two documents.
pub fn diff(before: &Document, after: &Document, opts: &DiffOptions) -> DiffReport {
    let document = diff_metadata(before, after);
    let tasks = diff_items(&before.tasks, &after.tasks, opts, &TaskItem);
    let indicators = diff_items(&before.indicators, &after.indicators, opts, &IndicatorItem);
    DiffReport {
        before: before.source.path.clone(),
        after: after.source.path.clone(),
        equal: document.is_empty() && tasks.is_empty() && indicators.is_empty(),
        document,
        tasks,
        indicators,
    }
}

// ---------------------------------------------------------------------------------------
// Field comparison helpers.

fn opt_str(v: &Option<String>) -> Value {
    v.as_ref().map_or(Value::Null, |s| Value::String(s.clone()))
}

fn push_if_ne(out: &mut Vec<FieldChange>, field: &str, before: Value, after: Value) {
    if before != after {
        out.push(FieldChange { field: field.into(), before, after, added: vec![], removed: vec![] });
    }
}

fn agencies(out: &mut Vec<FieldChange>, field: &str, before: &[AgencyRef], after: &[AgencyRef]) {
    let key = |a: &AgencyRef| if a.id.is_empty() { fold(&a.name) } else { a.id.clone() };
    let bk: Vec<String> = before.iter().map(key).collect();
    let ak: Vec<String> = after.iter().map(key).collect();
    let added: Vec<String> = after.iter().zip(&ak).filter(|(_, k)| !bk.contains(k)).map(|(a, _)| a.name.clone()).collect();
    let removed: Vec<String> = before.iter().zip(&bk).filter(|(_, k)| !ak.contains(k)).map(|(a, _)| a.name.clone()).collect();
    if added.is_empty() && removed.is_empty() {
        return;
    }
    let names = |l: &[AgencyRef]| Value::Array(l.iter().map(|a| Value::String(a.name.clone())).collect());
    out.push(FieldChange { field: field.into(), before: names(before), after: names(after), added, removed });
}

fn target_value(t: &Target) -> Value {
    serde_json::to_value(t).unwrap_or(Value::Null)
}

/// Targets are compared per period (`targets[2025]`; `targets` for a target without
/// period; a second target of the same period is `targets[2025]#2`).
fn targets(out: &mut Vec<FieldChange>, before: &[Target], after: &[Target]) {
    fn keyed(ts: &[Target]) -> Vec<(String, &Target)> {
        let mut seen: HashMap<String, usize> = HashMap::new();
        ts.iter()
            .map(|t| {
                let base = match &t.period {
                    Some(p) => format!("targets[{p}]"),
                    None => "targets".to_string(),
                };
                let n = seen.entry(base.clone()).or_insert(0);
                *n += 1;
                (if *n == 1 { base } else { format!("{base}#{n}") }, t)
            })
            .collect()
    }
    let b = keyed(before);
    let a = keyed(after);
    let bm: HashMap<&str, &Target> = b.iter().map(|(k, t)| (k.as_str(), *t)).collect();
    let am: HashMap<&str, &Target> = a.iter().map(|(k, t)| (k.as_str(), *t)).collect();
    for (k, bt) in &b {
        push_if_ne(out, k, target_value(bt), am.get(k.as_str()).map_or(Value::Null, |t| target_value(t)));
    }
    for (k, at) in &a {
        if !bm.contains_key(k.as_str()) {
            push_if_ne(out, k, Value::Null, target_value(at));
        }
    }
}

// ---------------------------------------------------------------------------------------
// Items.

trait Item {
    type T;
    fn id<'a>(&self, t: &'a Self::T) -> &'a str;
    fn number(&self, t: &Self::T) -> Option<String>;
    fn text<'a>(&self, t: &'a Self::T) -> &'a str;
    fn compare(&self, b: &Self::T, a: &Self::T) -> Vec<FieldChange>;
}

struct TaskItem;
struct IndicatorItem;

impl Item for TaskItem {
    type T = Task;
    fn id<'a>(&self, t: &'a Task) -> &'a str {
        &t.id
    }
    fn number(&self, t: &Task) -> Option<String> {
        t.number.clone()
    }
    fn text<'a>(&self, t: &'a Task) -> &'a str {
        &t.text
    }
    fn compare(&self, b: &Task, a: &Task) -> Vec<FieldChange> {
        let mut out = Vec::new();
        push_if_ne(&mut out, "origin", json!(b.origin), json!(a.origin));
        push_if_ne(&mut out, "table", opt_str(&b.table), opt_str(&a.table));
        push_if_ne(&mut out, "section", opt_str(&b.section), opt_str(&a.section));
        push_if_ne(&mut out, "text", json!(b.text), json!(a.text));
        agencies(&mut out, "lead", &b.lead, &a.lead);
        agencies(&mut out, "support", &b.support, &a.support);
        push_if_ne(&mut out, "output", opt_str(&b.output), opt_str(&a.output));
        push_if_ne(&mut out, "deadline", json!(b.deadline), json!(a.deadline));
        out
    }
}

impl Item for IndicatorItem {
    type T = Indicator;
    fn id<'a>(&self, t: &'a Indicator) -> &'a str {
        &t.id
    }
    fn number(&self, t: &Indicator) -> Option<String> {
        t.number.clone()
    }
    fn text<'a>(&self, t: &'a Indicator) -> &'a str {
        &t.name
    }
    fn compare(&self, b: &Indicator, a: &Indicator) -> Vec<FieldChange> {
        let mut out = Vec::new();
        push_if_ne(&mut out, "origin", json!(b.origin), json!(a.origin));
        push_if_ne(&mut out, "table", opt_str(&b.table), opt_str(&a.table));
        push_if_ne(&mut out, "group", opt_str(&b.group), opt_str(&a.group));
        push_if_ne(&mut out, "name", json!(b.name), json!(a.name));
        push_if_ne(&mut out, "unit", opt_str(&b.unit), opt_str(&a.unit));
        targets(&mut out, &b.targets, &a.targets);
        agencies(&mut out, "lead", &b.lead, &a.lead);
        agencies(&mut out, "support", &b.support, &a.support);
        push_if_ne(&mut out, "director", opt_str(&b.director), opt_str(&a.director));
        push_if_ne(&mut out, "monitor", opt_str(&b.monitor), opt_str(&a.monitor));
        push_if_ne(&mut out, "output", opt_str(&b.output), opt_str(&a.output));
        out
    }
}

/// Text similarity in 0..1 of two folded strings.
pub fn similarity(a: &str, b: &str) -> f64 {
    if a == b {
        return 1.0;
    }
    strsim::sorensen_dice(a, b)
}

fn diff_items<I: Item>(before: &[I::T], after: &[I::T], opts: &DiffOptions, it: &I) -> Vec<ItemChange> {
    // pairs[k] = (before index, after index, match kind, similarity)
    let mut after_of: Vec<Option<(usize, MatchKind, f64)>> = vec![None; before.len()];
    let mut before_of: Vec<Option<usize>> = vec![None; after.len()];

    // 1. By id (first unmatched occurrence of each id).
    let mut by_id: HashMap<&str, Vec<usize>> = HashMap::new();
    for (j, a) in after.iter().enumerate() {
        if !it.id(a).is_empty() {
            by_id.entry(it.id(a)).or_default().push(j);
        }
    }
    for (i, b) in before.iter().enumerate() {
        if let Some(js) = by_id.get_mut(it.id(b)) {
            if !js.is_empty() {
                let j = js.remove(0);
                after_of[i] = Some((j, MatchKind::Id, 1.0));
                before_of[j] = Some(i);
            }
        }
    }

    // 2. By fuzzy text, best pairs first; ties broken by position for determinism.
    let bf: Vec<(usize, String)> = (0..before.len()).filter(|&i| after_of[i].is_none()).map(|i| (i, fold(it.text(&before[i])))).collect();
    let af: Vec<(usize, String)> = (0..after.len()).filter(|&j| before_of[j].is_none()).map(|j| (j, fold(it.text(&after[j])))).collect();
    let mut cands: Vec<(f64, usize, usize)> = Vec::new();
    for (i, bt) in &bf {
        for (j, at) in &af {
            let s = similarity(bt, at);
            if s >= opts.threshold {
                cands.push((s, *i, *j));
            }
        }
    }
    cands.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
    for (s, i, j) in cands {
        if after_of[i].is_none() && before_of[j].is_none() {
            after_of[i] = Some((j, MatchKind::Text, s));
            before_of[j] = Some(i);
        }
    }

    // 3. Report: the second document's items in order (changed or added), then removed
    // items in the first document's order.
    let mut out = Vec::new();
    for (j, a) in after.iter().enumerate() {
        match before_of[j] {
            Some(i) => {
                let (_, kind, s) = after_of[i].expect("matched both ways");
                let fields = it.compare(&before[i], a);
                let renamed = it.id(&before[i]) != it.id(a);
                if fields.is_empty() && !renamed {
                    continue;
                }
                out.push(ItemChange {
                    change: ChangeKind::Changed,
                    before_id: Some(it.id(&before[i]).to_string()),
                    after_id: Some(it.id(a).to_string()),
                    matched_by: Some(kind),
                    similarity: (kind == MatchKind::Text).then_some((s * 1000.0).round() / 1000.0),
                    number: it.number(a),
                    text: it.text(a).to_string(),
                    fields,
                });
            }
            None => out.push(ItemChange {
                change: ChangeKind::Added,
                before_id: None,
                after_id: Some(it.id(a).to_string()),
                matched_by: None,
                similarity: None,
                number: it.number(a),
                text: it.text(a).to_string(),
                fields: vec![],
            }),
        }
    }
    for (i, b) in before.iter().enumerate() {
        if after_of[i].is_none() {
            out.push(ItemChange {
                change: ChangeKind::Removed,
                before_id: Some(it.id(b).to_string()),
                after_id: None,
                matched_by: None,
                similarity: None,
                number: it.number(b),
                text: it.text(b).to_string(),
                fields: vec![],
            });
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// Document metadata.

fn reference_key(r: &Reference) -> String {
    format!("{} {}", fold(&r.doc_type), fold(&r.number))
}

fn reference_label(r: &Reference) -> String {
    let mut s = format!("{} {}", r.doc_type, r.number);
    if let Some(d) = &r.date {
        let _ = write!(s, " ({d})");
    }
    s
}

fn diff_metadata(before: &Document, after: &Document) -> Vec<FieldChange> {
    let (b, a) = (&before.document, &after.document);
    let mut out = Vec::new();
    push_if_ne(&mut out, "doc_type", opt_str(&b.doc_type), opt_str(&a.doc_type));
    push_if_ne(&mut out, "issuer", opt_str(&b.issuer), opt_str(&a.issuer));
    push_if_ne(&mut out, "ward", opt_str(&b.ward), opt_str(&a.ward));
    push_if_ne(&mut out, "number", opt_str(&b.number), opt_str(&a.number));
    push_if_ne(&mut out, "date", opt_str(&b.date), opt_str(&a.date));
    push_if_ne(&mut out, "place", opt_str(&b.place), opt_str(&a.place));
    push_if_ne(&mut out, "title", opt_str(&b.title), opt_str(&a.title));
    push_if_ne(&mut out, "signer", json!(b.signer), json!(a.signer));
    let bk: BTreeMap<String, &Reference> = b.references.iter().map(|r| (reference_key(r), r)).collect();
    let ak: BTreeMap<String, &Reference> = a.references.iter().map(|r| (reference_key(r), r)).collect();
    let added: Vec<String> = a.references.iter().filter(|r| !bk.contains_key(&reference_key(r))).map(reference_label).collect();
    let removed: Vec<String> = b.references.iter().filter(|r| !ak.contains_key(&reference_key(r))).map(reference_label).collect();
    if !added.is_empty() || !removed.is_empty() {
        let labels = |l: &[Reference]| Value::Array(l.iter().map(|r| Value::String(reference_label(r))).collect());
        out.push(FieldChange { field: "references".into(), before: labels(&b.references), after: labels(&a.references), added, removed });
    }
    out
}

// ---------------------------------------------------------------------------------------
// Text rendering.

fn short(s: &str, max: usize) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() <= max {
        s
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// A value as a reader wants to see it: strings quoted, null as "(none)", agency and
/// reference lists joined, a deadline or target by its raw text.
fn show(v: &Value) -> String {
    match v {
        Value::Null => "(none)".into(),
        Value::String(s) => format!("\"{}\"", short(s, 160)),
        Value::Array(a) if a.is_empty() => "(none)".into(),
        Value::Array(a) => a.iter().map(show).collect::<Vec<_>>().join(", "),
        Value::Object(o) => match o.get("raw").or_else(|| o.get("name")) {
            Some(raw) => show(raw),
            None => v.to_string(),
        },
        other => other.to_string(),
    }
}

/// Word-level difference of two texts: unchanged runs shortened to a few words of
/// context, removed words as `[-…-]`, added ones as `{+…+}`.
pub fn word_diff(before: &str, after: &str) -> String {
    const CONTEXT: usize = 5;
    let a: Vec<&str> = before.split_whitespace().collect();
    let b: Vec<&str> = after.split_whitespace().collect();
    // Longest common subsequence table, from the end.
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] { lcs[i + 1][j + 1] + 1 } else { lcs[i + 1][j].max(lcs[i][j + 1]) };
        }
    }
    enum Op<'a> {
        Same(&'a str),
        Del(&'a str),
        Add(&'a str),
    }
    let (mut i, mut j) = (0, 0);
    let mut ops = Vec::new();
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            ops.push(Op::Same(a[i]));
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            ops.push(Op::Add(b[j]));
            j += 1;
        } else {
            ops.push(Op::Del(a[i]));
            i += 1;
        }
    }
    let mut parts: Vec<String> = Vec::new();
    let mut k = 0;
    while k < ops.len() {
        match ops[k] {
            Op::Same(_) => {
                let start = k;
                while k < ops.len() && matches!(ops[k], Op::Same(_)) {
                    k += 1;
                }
                let run: Vec<&str> = ops[start..k].iter().map(|o| if let Op::Same(w) = o { *w } else { "" }).collect();
                let lead = if start == 0 { 0 } else { CONTEXT };
                let trail = if k == ops.len() { 0 } else { CONTEXT };
                if run.len() > lead + trail + 1 {
                    let mut s = run[..lead].join(" ");
                    if !s.is_empty() {
                        s.push(' ');
                    }
                    s.push('…');
                    if trail > 0 {
                        s.push(' ');
                        s.push_str(&run[run.len() - trail..].join(" "));
                    }
                    parts.push(s);
                } else {
                    parts.push(run.join(" "));
                }
            }
            _ => {
                let (mut del, mut add) = (Vec::new(), Vec::new());
                while k < ops.len() {
                    match ops[k] {
                        Op::Del(w) => del.push(w),
                        Op::Add(w) => add.push(w),
                        Op::Same(_) => break,
                    }
                    k += 1;
                }
                let mut s = String::new();
                if !del.is_empty() {
                    let _ = write!(s, "[-{}-]", del.join(" "));
                }
                if !add.is_empty() {
                    let _ = write!(s, "{{+{}+}}", add.join(" "));
                }
                parts.push(s);
            }
        }
    }
    parts.join(" ")
}

fn field_lines(out: &mut String, fields: &[FieldChange], indent: &str) {
    for f in fields {
        if let (Value::String(b), Value::String(a), "text" | "name" | "title") = (&f.before, &f.after, f.field.as_str()) {
            let _ = writeln!(out, "{indent}{}: {}", f.field, word_diff(b, a));
            continue;
        }
        if !f.added.is_empty() || !f.removed.is_empty() {
            let mut parts: Vec<String> = f.added.iter().map(|x| format!("+ {x}")).collect();
            parts.extend(f.removed.iter().map(|x| format!("- {x}")));
            let _ = writeln!(out, "{indent}{}: {}", f.field, parts.join("; "));
        } else {
            let (b, a) = (show(&f.before), show(&f.after));
            if b == a {
                // Same raw text, different typed value (kind, date, op, value).
                let _ = writeln!(out, "{indent}{}: {} → {}", f.field, f.before, f.after);
            } else {
                let _ = writeln!(out, "{indent}{}: {b} → {a}", f.field);
            }
        }
    }
}

fn items_text(out: &mut String, title: &str, items: &[ItemChange]) {
    if items.is_empty() {
        return;
    }
    let count = |k: ChangeKind| items.iter().filter(|c| c.change == k).count();
    let _ = writeln!(out, "{title}: {} added, {} removed, {} changed", count(ChangeKind::Added), count(ChangeKind::Removed), count(ChangeKind::Changed));
    for c in items {
        let num = c.number.as_deref().map(|n| format!("[{n}] ")).unwrap_or_default();
        match c.change {
            ChangeKind::Added => {
                let _ = writeln!(out, "  + {} {num}{}", c.after_id.as_deref().unwrap_or(""), short(&c.text, 100));
            }
            ChangeKind::Removed => {
                let _ = writeln!(out, "  - {} {num}{}", c.before_id.as_deref().unwrap_or(""), short(&c.text, 100));
            }
            ChangeKind::Changed => {
                let (b, a) = (c.before_id.as_deref().unwrap_or(""), c.after_id.as_deref().unwrap_or(""));
                let ids = if b == a { a.to_string() } else { format!("{b} → {a}") };
                let how = match (c.matched_by, c.similarity) {
                    (Some(MatchKind::Text), Some(s)) => format!(" (matched by text, {s:.2})"),
                    _ => String::new(),
                };
                let _ = writeln!(out, "  ~ {ids}{how} {num}{}", short(&c.text, 100));
                field_lines(out, &c.fields, "      ");
            }
        }
    }
}

impl DiffReport {
    /// Readable text, one change per line.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "--- {}\n+++ {}", self.before, self.after);
        if self.equal {
            out.push_str("no differences\n");
            return out;
        }
        if !self.document.is_empty() {
            out.push_str("document:\n");
            field_lines(&mut out, &self.document, "  ");
        }
        items_text(&mut out, "tasks", &self.tasks);
        items_text(&mut out, "indicators", &self.indicators);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_diff_marks_changed_words_with_context() {
        assert_eq!(
            word_diff("Triển khai các nền tảng số dùng chung", "Triển khai hiệu quả các nền tảng số dùng chung"),
            "Triển khai {+hiệu quả+} các nền tảng số dùng chung"
        );
        assert_eq!(word_diff("a b c", "a x c"), "a [-b-]{+x+} c");
        let long_b = "một hai ba bốn năm sáu bảy tám chín mười mười một mười hai cuối";
        let long_a = "một hai ba bốn năm sáu bảy tám chín mười mười một mười hai kết";
        assert_eq!(word_diff(long_b, long_a), "… mười mười một mười hai [-cuối-]{+kết+}");
        assert_eq!(word_diff(long_b, "không một hai ba bốn năm sáu bảy tám chín mười mười một mười hai cuối"), "{+không+} một hai ba bốn năm …");
        assert_eq!(word_diff("x", "x"), "x");
    }
}
