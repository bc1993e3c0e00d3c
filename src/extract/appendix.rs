//! Tasks and indicators from tables: every `NodeKind::Table` node is rebuilt
//! ([`crate::segment::table::reconstruct`]) and classified by its columns. Each data row of
//! an assignment table becomes a task; each data row of an indicator table an indicator.
//! Tables inside an appendix have origin "appendix" and the appendix name as `table`;
//! tables in the body (004 "Mục tiêu cụ thể") have origin "body".

use super::agencies::AgencyRegistry;
use super::ids::item_id;
use super::target::{parse_targets_with, unit_of_with};
use crate::model::{AgencyRef, Deadline, Indicator, Origin, Task};
use crate::normalize::NormText;
use crate::rules::Rules;
use crate::segment::table::{reconstruct, ColumnRole, Row, Table, TableKind};
use crate::segment::{DocTree, NodeKind};

/// Tasks and indicators of every table of the document.
pub fn extract_tables(norm: &NormText, tree: &DocTree, rules: &Rules, reg: &mut AgencyRegistry) -> (Vec<Task>, Vec<Indicator>) {
    let mut tasks = Vec::new();
    let mut indicators = Vec::new();
    let tables: Vec<(usize, Table)> = tree
        .of_kind(NodeKind::Table)
        .filter(|&i| {
            let node = &tree.nodes[i];
            node.last_line >= node.first_line && node.first_line < norm.line_count()
        })
        .map(|i| (i, reconstruct(norm, tree.nodes[i].first_line, tree.nodes[i].last_line, rules)))
        .collect();
    // Appendices whose tables the ordinary reader could not read (or that the segmenter
    // left as paragraphs) are tried as OCR tables; so are those of OCR'd text (restoration
    // applied) that it did read, where the OCR reader reads more rows.
    let mut read_by_ocr: Vec<(usize, usize)> = Vec::new();
    for a in tree.of_kind(NodeKind::Appendix) {
        let (first, last) = extent(tree, a);
        let inside = |i: usize| tree.nodes[i].first_line >= first && tree.nodes[i].last_line <= last;
        let read_rows: usize = tables
            .iter()
            .filter(|(i, t)| inside(*i) && t.kind != TableKind::Unknown)
            .map(|(_, t)| t.rows.iter().filter(|r| !r.is_group).count())
            .sum();
        let read_any = tables.iter().any(|(i, t)| inside(*i) && t.kind != TableKind::Unknown);
        if (read_any && !norm.restored) || last <= first {
            continue;
        }
        let Some(read) = crate::segment::ocr_table::read(norm, first + 1, last, rules) else { continue };
        if read_any && read.table.rows.iter().filter(|r| !r.is_group).count() <= read_rows {
            continue;
        }
        let place = Place { origin: Origin::Appendix, ocr: true, table: tree.nodes[a].label.clone() };
        match read.table.kind {
            TableKind::Assignment => tasks.extend(table_tasks(norm, &read.table, &place, rules, reg)),
            TableKind::Indicator => indicators.extend(table_indicators(norm, &read.table, &place, rules, reg)),
            TableKind::Unknown => continue,
        }
        for (line, why) in read.unread {
            reg.warnings.push(crate::model::Warning {
                code: "ocr_row_unread".into(),
                message: why,
                span: Some(norm.lines_span(line, line)),
            });
        }
        read_by_ocr.push((first, last));
    }
    for (i, table) in &tables {
        let node = &tree.nodes[*i];
        if read_by_ocr.iter().any(|&(f, l)| node.first_line >= f && node.last_line <= l) {
            continue;
        }
        let appendix = tree.ancestor(*i, NodeKind::Appendix).and_then(|a| tree.nodes[a].label.clone());
        let place = Place { origin: if appendix.is_some() { Origin::Appendix } else { Origin::Body }, ocr: false, table: appendix };
        match table.kind {
            TableKind::Assignment => tasks.extend(table_tasks(norm, table, &place, rules, reg)),
            TableKind::Indicator => indicators.extend(table_indicators(norm, table, &place, rules, reg)),
            TableKind::Unknown => reg.warnings.push(crate::model::Warning {
                code: "table_unread".into(),
                message: format!(
                    "table of {} lines not read: its header names no task or indicator columns, or names them twice",
                    node.last_line - node.first_line + 1
                ),
                span: Some(norm.lines_span(node.first_line, node.first_line)),
            }),
        }
    }
    let mut ids: Vec<String> = tasks.iter().map(|t| t.id.clone()).collect();
    super::ids::dedupe_ids(&mut ids);
    tasks.iter_mut().zip(ids).for_each(|(t, id)| t.id = id);
    let mut ids: Vec<String> = indicators.iter().map(|t| t.id.clone()).collect();
    super::ids::dedupe_ids(&mut ids);
    indicators.iter_mut().zip(ids).for_each(|(t, id)| t.id = id);
    (tasks, indicators)
}

/// First and last line of a node with everything under it.
fn extent(tree: &DocTree, i: usize) -> (usize, usize) {
    let n = &tree.nodes[i];
    let mut last = n.last_line;
    for &c in &n.children {
        last = last.max(extent(tree, c).1);
    }
    (n.first_line, last)
}

struct Place {
    origin: Origin,
    /// Read from OCR-interleaved lines: less sure.
    ocr: bool,
    table: Option<String>,
}

fn text_of(table: &Table, row: &Row, role: ColumnRole) -> Option<String> {
    cell_text(table, row, role).map(str::to_string)
}

/// [`text_of`] without a copy, for a cell only read.
fn cell_text<'r>(table: &Table, row: &'r Row, role: ColumnRole) -> Option<&'r str> {
    table.cell(row, role).map(|c| c.text.trim()).filter(|t| !t.is_empty())
}

/// Agencies of a cell, noted in the registry; also whether any was fuzzy or unknown.
fn agencies_of(table: &Table, row: &Row, role: ColumnRole, norm: &NormText, rules: &Rules, reg: &mut AgencyRegistry) -> (Vec<AgencyRef>, bool) {
    let Some(cell) = table.cell(row, role) else { return (Vec::new(), false) };
    let ms = rules.agencies.resolve(if cell.raw.is_empty() { &cell.text } else { &cell.raw });
    let span = match (cell.lines.first(), cell.lines.last()) {
        (Some(&a), Some(&b)) => Some(norm.lines_span(a, b)),
        _ => None,
    };
    let doubtful = ms.iter().any(|m| m.fuzzy || !m.known);
    (reg.note_all(&ms, span), doubtful)
}

/// Deadline of a cell, parsed by [`super::deadline::parse_deadline`].
pub fn deadline_of(raw: &str, rules: &Rules) -> Option<Deadline> {
    super::deadline::parse_deadline(raw, &rules.deadlines)
}

fn table_tasks(norm: &NormText, table: &Table, place: &Place, rules: &Rules, reg: &mut AgencyRegistry) -> Vec<Task> {
    let mut out = Vec::new();
    for row in table.rows.iter().filter(|r| !r.is_group) {
        let Some(text) = text_of(table, row, ColumnRole::Content) else { continue };
        let (lead, d1) = agencies_of(table, row, ColumnRole::Lead, norm, rules, reg);
        let (support, d2) = agencies_of(table, row, ColumnRole::Support, norm, rules, reg);
        let section = row.group.as_ref().map(|g| g.numeral.clone());
        let number = row.number.clone();
        let id = item_id("t", place.origin, place.table.as_deref(), section.as_deref(), &text);
        let mut confidence: f32 = if place.ocr { 0.6 } else if table.shape == crate::segment::table::Shape::Tsv { 0.95 } else { 0.85 };
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
            deadline: cell_text(table, row, ColumnRole::Deadline).and_then(|d| deadline_of(d, rules)),
            span: norm.lines_span(row.first_line, row.last_line),
            links: Vec::new(),
            confidence: Some(confidence.max(0.1)),
        });
    }
    out
}

fn table_indicators(norm: &NormText, table: &Table, place: &Place, rules: &Rules, reg: &mut AgencyRegistry) -> Vec<Indicator> {
    static YEAR: once_cell::sync::Lazy<regex::Regex> =
        once_cell::sync::Lazy::new(|| regex::Regex::new(r"(?:19|20)\d{2}").expect("valid regex"));
    let year = &*YEAR;
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
            let period = period.clone().or_else(|| group_year.clone());
            targets.extend(parse_targets_with(&rules.targets, raw, period.as_deref()));
        }
        let raws: Vec<&str> = targets.iter().map(|t| t.raw.as_str()).collect();
        let unit = text_of(table, row, ColumnRole::Unit).or_else(|| unit_of_with(&rules.targets, &raws));
        let (lead, d1) = agencies_of(table, row, ColumnRole::Lead, norm, rules, reg);
        let (support, d2) = agencies_of(table, row, ColumnRole::Support, norm, rules, reg);
        let origin = place.origin;
        let id = item_id("i", origin, place.table.as_deref(), group.as_deref(), &name);
        let mut confidence: f32 = if place.ocr { 0.6 } else if table.shape == crate::segment::table::Shape::Tsv { 0.95 } else { 0.85 };
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
