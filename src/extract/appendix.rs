//! Tasks and indicators from tables: every `NodeKind::Table` node is rebuilt
//! ([`crate::segment::table::reconstruct`]) and classified by its columns. Each data row of
//! an assignment table becomes a task; each data row of an indicator table an indicator.
//! Tables inside an appendix have origin "appendix" and the appendix name as `table`;
//! tables in the body (004 "Mục tiêu cụ thể") have origin "body".

use super::agencies::AgencyRegistry;
use crate::model::{AgencyRef, Deadline, DeadlineKind, Indicator, Origin, Target, TargetOp, Task};
use crate::normalize::NormText;
use crate::rules::Rules;
use crate::segment::table::{reconstruct, ColumnRole, Row, Table, TableKind};
use crate::segment::{DocTree, NodeKind};

/// Tasks and indicators of every table of the document.
pub fn extract_tables(norm: &NormText, tree: &DocTree, rules: &Rules, reg: &mut AgencyRegistry) -> (Vec<Task>, Vec<Indicator>) {
    let mut tasks = Vec::new();
    let mut indicators = Vec::new();
    for i in tree.of_kind(NodeKind::Table) {
        let node = &tree.nodes[i];
        if node.last_line < node.first_line || node.first_line >= norm.line_count() {
            continue;
        }
        let table = reconstruct(norm, node.first_line, node.last_line, rules);
        let appendix = tree.ancestor(i, NodeKind::Appendix).and_then(|a| tree.nodes[a].label.clone());
        let place = Place { origin: if appendix.is_some() { Origin::Appendix } else { Origin::Body }, table: appendix };
        match table.kind {
            TableKind::Assignment => tasks.extend(table_tasks(norm, &table, &place, rules, reg)),
            TableKind::Indicator => indicators.extend(table_indicators(norm, &table, &place, rules, reg)),
            TableKind::Unknown => {}
        }
    }
    (tasks, indicators)
}

struct Place {
    origin: Origin,
    table: Option<String>,
}

fn text_of(table: &Table, row: &Row, role: ColumnRole) -> Option<String> {
    table.cell(row, role).map(|c| c.text.trim().to_string()).filter(|t| !t.is_empty())
}

/// Agencies of a cell, noted in the registry; also whether any was fuzzy or unknown.
fn agencies_of(table: &Table, row: &Row, role: ColumnRole, norm: &NormText, rules: &Rules, reg: &mut AgencyRegistry) -> (Vec<AgencyRef>, bool) {
    let Some(cell) = table.cell(row, role) else { return (Vec::new(), false) };
    let ms = rules.agencies.resolve(&cell.text);
    let span = match (cell.lines.first(), cell.lines.last()) {
        (Some(&a), Some(&b)) => Some(norm.lines_span(a, b)),
        _ => None,
    };
    let doubtful = ms.iter().any(|m| m.fuzzy || !m.known);
    (reg.note_all(&ms, span), doubtful)
}

/// Deadline of a cell. Kept raw until the deadline parser is in: swap this one function.
pub fn deadline_of(raw: &str) -> Deadline {
    Deadline { raw: raw.to_string(), kind: DeadlineKind::Unspecified, date: None, until: None }
}

/// Target of a cell for a period. A stand-in for the target parser: comparison sign and
/// first number; anything else is text.
pub fn target_of(raw: &str, period: Option<String>) -> Target {
    let t = raw.trim();
    let (op, rest) = match t.chars().next() {
        Some('≥') => (TargetOp::Ge, &t['≥'.len_utf8()..]),
        Some('≤') => (TargetOp::Le, &t['≤'.len_utf8()..]),
        Some('>') => (TargetOp::Gt, &t[1..]),
        Some('<') => (TargetOp::Lt, &t[1..]),
        _ => (TargetOp::Eq, t),
    };
    let rest = rest.trim().trim_end_matches('%').trim();
    let num = |s: &str| s.trim().replace(',', ".").parse::<f64>().ok();
    if t == "-" || t == "–" {
        return Target { period, raw: t.to_string(), op: TargetOp::None, value: None, value_max: None };
    }
    if let Some(v) = num(rest) {
        return Target { period, raw: t.to_string(), op, value: Some(v), value_max: None };
    }
    if let Some((a, b)) = rest.split_once(['-', '–']) {
        if let (Some(a), Some(b)) = (num(a.trim_end_matches('%')), num(b)) {
            return Target { period, raw: t.to_string(), op: TargetOp::Range, value: Some(a), value_max: Some(b) };
        }
    }
    Target { period, raw: t.to_string(), op: TargetOp::Text, value: None, value_max: None }
}

/// A stable id from what identifies an item (local until `extract::ids` is in).
fn item_id(prefix: &str, parts: &[&str]) -> String {
    // FNV-1a over the parts, separated by a unit separator.
    let mut h: u64 = 0xcbf29ce484222325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0x1f)) {
            h ^= b as u64;
            h = h.wrapping_mul(0x100000001b3);
        }
    }
    format!("{prefix}-{:012x}", h & 0xffff_ffff_ffff)
}

fn table_tasks(norm: &NormText, table: &Table, place: &Place, rules: &Rules, reg: &mut AgencyRegistry) -> Vec<Task> {
    let mut out = Vec::new();
    for row in table.rows.iter().filter(|r| !r.is_group) {
        let Some(text) = text_of(table, row, ColumnRole::Content) else { continue };
        let (lead, d1) = agencies_of(table, row, ColumnRole::Lead, norm, rules, reg);
        let (support, d2) = agencies_of(table, row, ColumnRole::Support, norm, rules, reg);
        let section = row.group.as_ref().map(|g| g.numeral.clone());
        let number = row.number.clone();
        let id = item_id(
            "task",
            &[place.table.as_deref().unwrap_or(""), section.as_deref().unwrap_or(""), number.as_deref().unwrap_or(""), &text],
        );
        let mut confidence: f32 = if table.shape == crate::segment::table::Shape::Tsv { 0.95 } else { 0.85 };
        if d1 || d2 {
            confidence -= 0.1;
        }
        if lead.is_empty() {
            confidence -= 0.2;
        }
        out.push(Task {
            id,
            origin: place.origin,
            table: place.table.clone(),
            section,
            number,
            text,
            lead,
            support,
            output: text_of(table, row, ColumnRole::Output),
            deadline: text_of(table, row, ColumnRole::Deadline).map(|d| deadline_of(&d)),
            span: norm.lines_span(row.first_line, row.last_line),
            links: Vec::new(),
            confidence: Some(confidence.max(0.1)),
        });
    }
    out
}

fn table_indicators(norm: &NormText, table: &Table, place: &Place, rules: &Rules, reg: &mut AgencyRegistry) -> Vec<Indicator> {
    let year = regex::Regex::new(r"(?:19|20)\d{2}").expect("valid regex");
    let periods: Vec<(usize, Option<String>)> = table
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| matches!(c.role, ColumnRole::Period | ColumnRole::Target))
        .map(|(i, c)| (i, c.period.clone()))
        .collect();
    let has_targets = |r: &Row| periods.iter().any(|&(c, _)| !r.cells[c].text.trim().is_empty());
    let data: Vec<&Row> = table.rows.iter().filter(|r| !r.is_group).collect();
    // A numbered row without targets that has sub-rows ("1" over "1.1", "1.2") is a group.
    let is_subgroup = |r: &Row| {
        !has_targets(r)
            && r.number.as_deref().is_some_and(|n| {
                let p = format!("{n}.");
                data.iter().any(|o| o.number.as_deref().is_some_and(|m| m.starts_with(&p)))
            })
    };
    let mut out = Vec::new();
    for row in &data {
        if is_subgroup(row) {
            continue;
        }
        let Some(name) = text_of(table, row, ColumnRole::Content) else { continue };
        let parent = row.number.as_deref().and_then(|n| n.rsplit_once('.')).map(|(p, _)| p.to_string());
        let sub = parent.as_deref().and_then(|p| data.iter().find(|o| o.number.as_deref() == Some(p) && is_subgroup(o)));
        let group = match sub {
            Some(s) => text_of(table, s, ColumnRole::Content),
            None => row.group.as_ref().map(|g| g.title.clone()).filter(|t| !t.is_empty()),
        };
        let group_year = row.group.as_ref().and_then(|g| year.find(&g.title)).map(|m| m.as_str().to_string());
        let mut targets = Vec::new();
        for (c, period) in &periods {
            let raw = row.cells[*c].text.trim();
            if raw.is_empty() {
                continue;
            }
            targets.push(target_of(raw, period.clone().or_else(|| group_year.clone())));
        }
        let unit = text_of(table, row, ColumnRole::Unit)
            .or_else(|| targets.iter().any(|t| t.raw.contains('%')).then(|| "%".to_string()));
        let (lead, d1) = agencies_of(table, row, ColumnRole::Lead, norm, rules, reg);
        let (support, d2) = agencies_of(table, row, ColumnRole::Support, norm, rules, reg);
        let origin = place.origin;
        let id = item_id("ind", &[place.table.as_deref().unwrap_or(""), group.as_deref().unwrap_or(""), row.number.as_deref().unwrap_or(""), &name]);
        let mut confidence: f32 = if table.shape == crate::segment::table::Shape::Tsv { 0.95 } else { 0.85 };
        if d1 || d2 {
            confidence -= 0.1;
        }
        out.push(Indicator {
            id,
            origin,
            table: place.table.clone(),
            // A body table's rows sit under the heading, not under a group of their own.
            group: if origin == Origin::Body { None } else { group },
            number: row.number.clone(),
            name,
            unit,
            targets,
            lead,
            support,
            director: text_of(table, row, ColumnRole::Director),
            monitor: text_of(table, row, ColumnRole::Monitor),
            output: text_of(table, row, ColumnRole::Output),
            span: norm.lines_span(row.first_line, row.last_line),
            confidence: Some(confidence),
        });
    }
    out
}
