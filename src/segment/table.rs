//! Table reconstruction: the lines of a `NodeKind::Table` node → columns and rows of cells.
//!
//! Three shapes come in:
//! - tab-separated lines (TSV input, markdown pipe tables after normalization): one row a
//!   line, cells split on tabs; lines without tabs continue the row above;
//! - PDF text dumps where each cell is flattened into one or more lines, in column order,
//!   sometimes several cells on one line ("% ≥ 80 Trung tâm phục vụ HCC", "Kế hoạch
//!   10/2025"), with page numbers and page breaks cutting rows;
//! - OCR'd tables with columns interleaved on one line: read as flattened lines, best effort.
//!
//! The header gives the columns (roles from `rules/columns.toml`, matched on folded text).
//! Row numbers ("1", "1.2") and group rows ("I", "II" with a title) give the rows; a row
//! number is only taken where it continues the numbering, so a page number inside a row is
//! not mistaken for one. Within a flattened row the fragments are placed by the width of
//! the content column (a short line ends a wrapped cell) and by the vocabulary of each
//! column: agency names, target values, deadline words, person names and output words.

use crate::fold::fold;
use crate::normalize::layout::{join_lines, join_text_lines};
use crate::normalize::NormText;
use crate::rules::{RuleSource, Rules};
use regex::Regex;
use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnRole {
    Number,
    Content,
    Unit,
    /// A target without a period of its own (the period comes from the group row).
    Target,
    /// A target column for one period: a year ("Năm 2025") or a level ("Chỉ tiêu của phường").
    Period,
    Lead,
    Support,
    Output,
    Deadline,
    Director,
    Monitor,
    Other,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Column {
    pub role: ColumnRole,
    /// The header label as printed.
    pub label: String,
    /// For `Period` columns: "2025", "thành phố".
    pub period: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Cell {
    /// Wrapped lines joined into one text.
    pub text: String,
    /// The lines as they came, joined by "\n" (line breaks tell agency names apart).
    #[serde(skip)]
    pub raw: String,
    /// Normalized lines the cell's text came from.
    pub lines: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct GroupInfo {
    pub numeral: String,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Row {
    /// Row number as printed ("1", "1.10"), or inferred from the numbering around an
    /// unnumbered row whose number was lost (`number_inferred`).
    pub number: Option<String>,
    pub number_inferred: bool,
    /// The group row this row sits under.
    pub group: Option<GroupInfo>,
    /// A group row itself ("I", "II" with a title): `cells` are empty.
    pub is_group: bool,
    /// One cell per column, in column order.
    pub cells: Vec<Cell>,
    pub first_line: usize,
    pub last_line: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Shape {
    Tsv,
    Flat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TableKind {
    /// Task assignment: content with lead / support / output / deadline.
    Assignment,
    /// Indicators with targets.
    Indicator,
    Unknown,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    pub shape: Shape,
    pub kind: TableKind,
}

impl Table {
    pub fn col(&self, role: ColumnRole) -> Option<usize> {
        self.columns.iter().position(|c| c.role == role)
    }

    pub fn cell<'a>(&self, row: &'a Row, role: ColumnRole) -> Option<&'a Cell> {
        self.col(role).and_then(|c| row.cells.get(c)).filter(|c| !c.text.is_empty())
    }
}

impl Table {
    /// A plain-text view: the columns, then one row a line with cells joined by " | ".
    pub fn render(&self) -> String {
        let mut out = String::new();
        let cols: Vec<String> = self
            .columns
            .iter()
            .map(|c| match &c.period {
                Some(p) => format!("{:?}({p})", c.role).to_lowercase(),
                None => format!("{:?}", c.role).to_lowercase(),
            })
            .collect();
        out.push_str(&format!("kind: {:?}, shape: {:?}\ncolumns: {}\n", self.kind, self.shape, cols.join(" | ")));
        for r in &self.rows {
            if r.is_group {
                let g = r.group.as_ref().map(|g| format!("{} {}", g.numeral, g.title)).unwrap_or_default();
                out.push_str(&format!("== {g}\n"));
                continue;
            }
            let cells: Vec<&str> = r.cells.iter().map(|c| c.text.as_str()).collect();
            let num = r.number.as_deref().unwrap_or("-");
            out.push_str(&format!("[{num}{}] {}\n", if r.number_inferred { "?" } else { "" }, cells.join(" | ")));
        }
        out
    }
}

/// Every table node of a document, rebuilt and rendered (`kehoach tables`).
pub fn render_all(norm: &NormText, tree: &super::DocTree, rules: &Rules) -> String {
    let mut out = String::new();
    for i in tree.of_kind(super::NodeKind::Table) {
        let n = &tree.nodes[i];
        let t = reconstruct(norm, n.first_line, n.last_line, rules);
        out.push_str(&format!("--- table at line {}\n{}\n", norm.source_line_of(n.first_line), t.render()));
    }
    out
}

// ---------------------------------------------------------------------------------------
// Rules

#[derive(Debug, Deserialize)]
struct ColumnDef {
    role: ColumnRole,
    labels: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct PeriodsDef {
    year: String,
    level_prefixes: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct VocabDef {
    units: Vec<String>,
    deadline_starts: Vec<String>,
    deadline_date: String,
    deadline_open_words: Vec<String>,
    output_starts: Vec<String>,
    person_titles: Vec<String>,
    family_names: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct ColumnsFile {
    column: Vec<ColumnDef>,
    periods: PeriodsDef,
    vocab: VocabDef,
}

/// Compiled `rules/columns.toml`.
#[derive(Debug)]
pub struct ColumnRules {
    /// (folded label words, role), longest first.
    labels: Vec<(Vec<String>, ColumnRole)>,
    year: Regex,
    level_prefixes: Vec<Vec<String>>,
    units: Vec<String>,
    deadline_starts: Vec<Vec<String>>,
    deadline_date: Regex,
    deadline_open_words: Vec<String>,
    output_starts: Vec<Vec<String>>,
    person_titles: Vec<Vec<String>>,
    /// Family names lowercase, and folded: looked up, not compared one by one.
    family_names: rustc_hash::FxHashSet<String>,
    family_names_folded: rustc_hash::FxHashSet<String>,
}

fn words_of(s: &str) -> Vec<String> {
    fold(&s.replace('/', " ")).split(' ').filter(|w| !w.is_empty()).map(str::to_string).collect()
}

impl ColumnRules {
    pub fn load(source: &RuleSource) -> crate::Result<ColumnRules> {
        let (text, shown) = source.read("columns.toml")?;
        let f: ColumnsFile = crate::rules::parse_toml(&text, &shown)?;
        let mut labels: Vec<(Vec<String>, ColumnRole)> =
            f.column.iter().flat_map(|c| c.labels.iter().map(move |l| (words_of(l), c.role))).collect();
        labels.retain(|(w, _)| !w.is_empty());
        labels.sort_by_key(|(w, _)| std::cmp::Reverse(w.len()));
        let re = |src: &str| {
            Regex::new(src).map_err(|e| crate::rules::rule_error(&shown, &text, src, format!("bad regex: {e}")))
        };
        let list = |v: &[String]| -> Vec<Vec<String>> {
            let mut out: Vec<Vec<String>> = v.iter().map(|s| words_of(s)).filter(|w| !w.is_empty()).collect();
            out.sort_by_key(|w| std::cmp::Reverse(w.len()));
            out
        };
        Ok(ColumnRules {
            labels,
            year: re(&format!(r"^{}$", f.periods.year))?,
            level_prefixes: list(&f.periods.level_prefixes),
            units: f.vocab.units.clone(),
            deadline_starts: list(&f.vocab.deadline_starts),
            deadline_date: re(&f.vocab.deadline_date)?,
            deadline_open_words: f.vocab.deadline_open_words.iter().map(|w| fold(w)).collect(),
            output_starts: list(&f.vocab.output_starts),
            person_titles: list(&f.vocab.person_titles),
            family_names: f.vocab.family_names.iter().map(|n| n.to_lowercase()).collect(),
            family_names_folded: f.vocab.family_names.iter().map(|n| fold(&n.to_lowercase())).collect(),
        })
    }

    /// Columns named in a header text, in order. Labels are found on folded words; where
    /// two overlap the longer wins.
    pub fn detect_columns(&self, header: &str) -> Vec<Column> {
        let printed: Vec<&str> = header_words(header);
        let folded: Vec<String> = printed.iter().map(|w| fold(w)).collect();
        let n = folded.len();
        let mut taken = vec![false; n];
        let mut found: Vec<(usize, usize, Column)> = Vec::new();
        let starts_label = |i: usize| -> bool {
            self.labels.iter().any(|(l, _)| i + l.len() <= n && folded[i..i + l.len()] == l[..])
                || self.level_prefixes.iter().any(|l| i + l.len() <= n && folded[i..i + l.len()] == l[..])
        };
        // Level columns: prefix, then the words up to the next label.
        let mut i = 0;
        while i < n {
            if let Some(p) = self.level_prefixes.iter().find(|l| i + l.len() <= n && folded[i..i + l.len()] == l[..]) {
                let s = i + p.len();
                let mut e = s;
                while e < n && !starts_label(e) {
                    e += 1;
                }
                if e > s {
                    let label = printed[i..e].join(" ");
                    let period = printed[s..e].join(" ");
                    found.push((i, e, Column { role: ColumnRole::Period, label, period: Some(period) }));
                    taken[i..e].iter_mut().for_each(|t| *t = true);
                    i = e;
                    continue;
                }
            }
            i += 1;
        }
        // Year columns: "Năm 2025" or a bare year.
        for i in 0..n {
            if taken[i] {
                continue;
            }
            let two = if i + 1 < n { format!("{} {}", folded[i], folded[i + 1]) } else { String::new() };
            for (len, cand) in [(2, two.as_str()), (1, folded[i].as_str())] {
                if i + len > n || (i..i + len).any(|k| taken[k]) {
                    continue;
                }
                if let Some(c) = self.year.captures(cand) {
                    let year = c.get(1).map_or(cand, |m| m.as_str()).to_string();
                    found.push((i, i + len, Column { role: ColumnRole::Period, label: printed[i..i + len].join(" "), period: Some(year) }));
                    taken[i..i + len].iter_mut().for_each(|t| *t = true);
                    break;
                }
            }
        }
        for (l, role) in &self.labels {
            let mut i = 0;
            while i + l.len() <= n {
                if folded[i..i + l.len()] == l[..] && !taken[i..i + l.len()].iter().any(|&t| t) {
                    // "TT" is the number column only at the start of the header.
                    if *role == ColumnRole::Number && found.iter().any(|(s, _, _)| *s < i) {
                        i += 1;
                        continue;
                    }
                    found.push((i, i + l.len(), Column { role: *role, label: printed[i..i + l.len()].join(" "), period: None }));
                    taken[i..i + l.len()].iter_mut().for_each(|t| *t = true);
                    i += l.len();
                } else {
                    i += 1;
                }
            }
        }
        found.sort_by_key(|(s, _, _)| *s);
        // Words between labels that continue the previous label ("theo dõi, đánh giá").
        found.into_iter().map(|(_, _, c)| c).collect()
    }

    /// Whether a word is a family name of the rules (a person cell starts with one).
    pub fn is_family_name(&self, w: &str) -> bool {
        self.starts_family_name(w) && !w.contains(' ')
    }

    /// The column labels (folded words) and their roles, longest first.
    pub fn labels(&self) -> impl Iterator<Item = (&[String], &ColumnRole)> {
        self.labels.iter().map(|(w, r)| (w.as_slice(), r))
    }

    fn is_unit(&self, w: &str) -> bool {
        self.units.iter().any(|u| u == w)
    }

    /// Whether `text` (from a cell's start) starts a deadline: a capitalized starter word
    /// ("Thường xuyên", "Theo kế hoạch", "Năm 2025") or a date ("10/2025").
    fn starts_deadline(&self, text: &str) -> bool {
        let t = text.trim_start();
        if self.deadline_date.is_match(t) {
            return true;
        }
        if !t.starts_with(|c: char| c.is_uppercase()) {
            return false;
        }
        starts_with_list(t, &self.deadline_starts)
    }

    fn starts_output(&self, text: &str) -> bool {
        let t = text.trim_start();
        t.starts_with(|c: char| c.is_uppercase()) && starts_with_list(t, &self.output_starts)
    }

    fn starts_family_name(&self, text: &str) -> bool {
        let t = text.trim_start();
        if !t.starts_with(|c: char| c.is_uppercase()) {
            return false;
        }
        let first = t.split(|c: char| !c.is_alphanumeric()).next().unwrap_or("").to_lowercase();
        if t.is_ascii() {
            self.family_names_folded.contains(&first)
        } else {
            self.family_names.contains(&first)
        }
    }

    fn starts_person(&self, text: &str) -> bool {
        let t = text.trim_start();
        t.starts_with(|c: char| c.is_uppercase())
            && (self.starts_family_name(t) || starts_with_list(t, &self.person_titles))
    }
}

fn starts_with_words(words: &[String], list: &[Vec<String>]) -> bool {
    list.iter().any(|l| words.len() >= l.len() && words[..l.len()] == l[..])
}

/// `starts_with_words(&words_of(t), list)` for a `list` sorted longest first: only as many
/// words of `t` are folded as its longest entry has (the text may be a whole cell).
fn starts_with_list(t: &str, list: &[Vec<String>]) -> bool {
    // Most texts asked start with no entry's first word: that word alone is folded first.
    let first = first_words(t, 1);
    if !first.first().is_some_and(|w| list.iter().any(|l| l.first() == Some(w))) {
        return false;
    }
    starts_with_words(&first_words(t, list.first().map_or(0, Vec::len)), list)
}

/// The first `k` words of [`words_of`]`(s)` (all of them when it has fewer), folding no
/// further than they reach.
fn first_words(s: &str, k: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(k);
    if k == 0 {
        return out;
    }
    let mut cur = String::new();
    for c in crate::fold::fold_iter(s.chars().map(|c| if c == '/' { ' ' } else { c })) {
        if c != ' ' {
            cur.push(c);
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
            if out.len() == k {
                return out;
            }
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Words of a header as printed: runs of letters, digits and marks.
fn header_words(s: &str) -> Vec<&str> {
    s.split(|c: char| !(c.is_alphanumeric() || crate::fold::is_combining_mark(c) || c == '&' || c == '%'))
        .filter(|w| !w.is_empty())
        .collect()
}

// ---------------------------------------------------------------------------------------
// Row numbers

static ROMAN_ROW: once_cell::sync::Lazy<Regex> =
    once_cell::sync::Lazy::new(|| Regex::new(r"^([IVXL]{1,6})\s*[.:]?(?:\s+(\S.*))?$").unwrap());
static NUMBER_ROW: once_cell::sync::Lazy<Regex> =
    once_cell::sync::Lazy::new(|| Regex::new(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\.?(?:\s+(\S.*))?$").unwrap());
static VALUE_TOKEN: once_cell::sync::Lazy<Regex> = once_cell::sync::Lazy::new(|| {
    Regex::new(r"(?:[≥≤><]=?\s*)?\d+(?:[.,]\d+)?(?:\s*[-–]\s*\d+(?:[.,]\d+)?)?\s*%?|[-–]").unwrap()
});

fn roman_row(line: &str) -> Option<(String, String)> {
    // The pattern starts with a Roman numeral letter, and after it comes another, a space,
    // "." or ":" or the end: most lines ("Viettel", "Lê Văn") are ruled out here.
    let mut cs = line.trim_start().chars();
    if !matches!(cs.next(), Some('I' | 'V' | 'X' | 'L')) {
        return None;
    }
    if cs.next().is_some_and(|c| !(matches!(c, 'I' | 'V' | 'X' | 'L' | '.' | ':') || c.is_whitespace())) {
        return None;
    }
    let t = line.trim();
    if t.contains('\n') {
        return roman_row_by_pattern(line);
    }
    // The pattern read by hand: the numeral is the whole run of numeral letters (a shorter
    // one leaves a letter that nothing after it matches); then, in the pattern's order of
    // preference, spaces, a "." or ":", and the end or spaces and the rest. Failing that,
    // with spaces after the numeral, the rest starts at the first other char.
    let n = t.bytes().take_while(|b| matches!(b, b'I' | b'V' | b'X' | b'L')).count();
    if n > 6 {
        return None;
    }
    let r = &t[n..];
    let r1 = r.trim_start();
    let rest = match r1.strip_prefix(['.', ':']) {
        _ if r.is_empty() => "",
        Some("") => "",
        Some(r2) if r2.starts_with(char::is_whitespace) => r2.trim_start(),
        _ if r1.len() < r.len() => r1,
        _ => return None,
    };
    if !rest.is_empty() && !rest.starts_with(|ch: char| ch.is_uppercase()) {
        return None;
    }
    Some((t[..n].to_string(), rest.to_string()))
}

/// [`roman_row`] without its first-char filter.
fn roman_row_by_pattern(line: &str) -> Option<(String, String)> {
    let c = ROMAN_ROW.captures(line.trim())?;
    let rest = c.get(2).map_or("", |m| m.as_str()).trim();
    if !rest.is_empty() && !rest.starts_with(|ch: char| ch.is_uppercase()) {
        return None;
    }
    Some((c[1].to_string(), rest.to_string()))
}

fn number_row(line: &str) -> Option<(String, String)> {
    // The pattern starts with a digit (`\d`: any decimal digit, all of them numeric): most
    // lines, capitals with diacritics included ("Đẩy mạnh"), are ruled out here.
    if line.trim_start().starts_with(|c: char| !c.is_numeric()) {
        return None;
    }
    let t = line.trim();
    let head_end = t.find(char::is_whitespace).unwrap_or(t.len());
    let head = &t[..head_end];
    // The pattern's number and its dot never hold a space: they are the line's first word.
    // When that word is plain ASCII (no other digits in it) and the line one line, the
    // word is read by hand, without the regex.
    if !head.is_ascii() || t.contains('\n') {
        return number_row_by_pattern(line);
    }
    // `\d{1,2}(?:\.\d{1,2}){0,3}\.?`: one to four groups of one or two digits.
    let n = head.strip_suffix('.').unwrap_or(head);
    let mut groups = n.split('.');
    if groups.clone().count() > 4 || !groups.all(|g| (1..=2).contains(&g.len()) && g.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let rest = t[head_end..].trim();
    if !rest.is_empty() && !rest.starts_with(|ch: char| ch.is_uppercase() || ch == '“' || ch == '"') {
        return None;
    }
    Some((n.to_string(), rest.to_string()))
}

/// [`number_row`] without its first-char filter.
fn number_row_by_pattern(line: &str) -> Option<(String, String)> {
    let c = NUMBER_ROW.captures(line.trim())?;
    let rest = c.get(2).map_or("", |m| m.as_str()).trim();
    // "1 Chỉ tiêu ...", "1.1 Tỷ lệ ...": the text after a row number starts with a capital.
    if !rest.is_empty() && !rest.starts_with(|ch: char| ch.is_uppercase() || ch == '“' || ch == '"') {
        return None;
    }
    Some((c[1].to_string(), rest.to_string()))
}

fn parts(n: &str) -> Vec<u32> {
    n.split('.').filter_map(|p| p.parse().ok()).collect()
}

/// Whether `n` continues the numbering after `prev`: the next sibling at any level or the
/// first child ("1" → "1.1" or "2"; "1.10" → "1.11" or "2").
fn continues(prev: Option<&str>, n: &str) -> bool {
    let Some(prev) = prev else { return true };
    let p = parts(prev);
    let q = parts(n);
    if q.is_empty() || p.is_empty() {
        return false;
    }
    if q.len() == p.len() + 1 && q[..p.len()] == p[..] && q[p.len()] == 1 {
        return true;
    }
    (0..p.len()).any(|k| q.len() == k + 1 && q[..k] == p[..k] && q[k] == p[k] + 1)
}

/// The number between `prev` and `n` when `n` skips exactly one ("4" → "6": "5").
fn skipped(prev: &str, n: &str) -> Option<String> {
    let p = parts(prev);
    let q = parts(n);
    let k = q.len().checked_sub(1)?;
    if k < p.len() && q[..k] == p[..k] && q[k] == p[k] + 2 {
        let mut m: Vec<String> = q[..k].iter().map(|x| x.to_string()).collect();
        m.push((p[k] + 1).to_string());
        return Some(m.join("."));
    }
    None
}

/// Whether a line is only target values: "≥ 60% 100% - - -".
fn is_value_line(s: &str) -> bool {
    // No part of the pattern matches an ASCII letter: a line holding one is never only
    // values, and most lines (names, sentences) are ruled out here without the regex.
    if s.bytes().any(|b| b.is_ascii_alphabetic()) {
        return false;
    }
    is_value_line_by_pattern(s)
}

/// [`is_value_line`] without its letter filter: the line is only [`VALUE_TOKEN`]s and
/// whitespace. The gaps between the tokens are looked at in place (a `replace_all` made a
/// new string of every line asked about), and the search stops at the first gap that
/// holds anything else.
fn is_value_line_by_pattern(s: &str) -> bool {
    let t = s.trim();
    if t.is_empty() {
        return false;
    }
    let mut gap_start = 0;
    for m in VALUE_TOKEN.find_iter(t) {
        if !t[gap_start..m.start()].trim().is_empty() {
            return false;
        }
        gap_start = m.end();
    }
    t[gap_start..].trim().is_empty()
}

/// The first word start `i > 0` of `t` where the rest is only values, two or more
/// ("Tỷ lệ người dân có chữ ký số - ≥ 10% 20%" → before "-"). A rest holding an ASCII
/// letter is never only values: only the word starts after the last one are tried, not
/// every word start of the line (each with a scan of the rest).
fn values_start(t: &str) -> Option<usize> {
    let from = t.bytes().rposition(|b| b.is_ascii_alphabetic()).map_or(1, |p| p + 1);
    word_starts(t).filter(|&i| i >= from).find(|&i| is_value_line_by_pattern(&t[i..]) && value_tokens(&t[i..]).len() >= 2)
}

/// The word starts of a line after its first character: every byte position `i > 0` of
/// `t` right after a space (`t[..i].ends_with(' ')`, `i < t.len()`), in order. A space is
/// one byte and never part of another character, so the byte after it is a character
/// start: the spaces are searched for (memchr), no character is decoded.
fn word_starts(t: &str) -> impl Iterator<Item = usize> + '_ {
    t.match_indices(' ').map(|(p, _)| p + 1).filter(move |&i| i < t.len())
}

fn value_tokens(s: &str) -> Vec<String> {
    VALUE_TOKEN.find_iter(s).map(|m| m.as_str().trim().to_string()).filter(|t| !t.is_empty()).collect()
}

// ---------------------------------------------------------------------------------------
// Reconstruction

#[derive(Debug, Clone)]
struct Frag {
    text: String,
    line: usize,
    /// A page number stood right before this fragment.
    page_break: bool,
}

#[derive(Debug, Default)]
struct RawRow {
    number: Option<String>,
    /// Shared by the rows of a group (copied once a row is built).
    group: Option<std::rc::Rc<GroupInfo>>,
    is_group: bool,
    frags: Vec<Frag>,
    first_line: usize,
    last_line: usize,
}

/// Rebuilds the table on normalized lines `first..=last` (the header included).
pub fn reconstruct(norm: &NormText, first: usize, last: usize, rules: &Rules) -> Table {
    let last = last.min(norm.line_count().saturating_sub(1));
    // The lines are borrowed, not copied: only the fragments of the rows own their text.
    let lines: Vec<(usize, &str)> = (first..=last).map(|i| (i, norm.line(i).trim())).collect();
    reconstruct_lines(&lines, rules)
}

/// Same as [`reconstruct`], over (line number, text) pairs.
pub fn reconstruct_lines<S: AsRef<str>>(lines: &[(usize, S)], rules: &Rules) -> Table {
    let cr = &rules.columns;
    if lines.is_empty() {
        return Table { columns: Vec::new(), rows: Vec::new(), shape: Shape::Flat, kind: TableKind::Unknown };
    }
    let tsv = lines[0].1.as_ref().contains('\t');
    if tsv {
        return reconstruct_tsv(lines, rules);
    }
    let hdr_end = (1..lines.len())
        .find(|&k| roman_row(lines[k].1.as_ref()).is_some() || number_row(lines[k].1.as_ref()).is_some())
        .unwrap_or(lines.len());
    let header = lines[..hdr_end].iter().map(|(_, t)| t.as_ref()).collect::<Vec<_>>().join(" ");
    let columns = cr.detect_columns(&header);
    let kind = kind_of(&columns);
    let body = drop_header_repeats(&lines[..hdr_end], &lines[hdr_end..]);
    let body = &body[..];
    let (raw, widths) = split_rows(body, kind, &columns);
    let cols: Vec<ColumnRole> = columns.iter().map(|c| c.role).collect();
    let mut rows = Vec::with_capacity(raw.len());
    for r in raw {
        let mut r = r;
        loop {
            // The fragments are placed once: moved into the placement, not copied.
            let frags = std::mem::take(&mut r.frags);
            let (cells, rest) =
                if r.is_group { (vec![Cell::default(); cols.len()], Vec::new()) } else { place_row(&r, frags, &cols, &widths, rules) };
            // Fragments left once every column is filled start a row whose number was lost.
            let next = (!rest.is_empty()).then(|| RawRow {
                number: None,
                group: r.group.clone(),
                is_group: false,
                first_line: rest[0].line,
                last_line: r.last_line,
                frags: rest,
            });
            let last_line = next.as_ref().map_or(r.last_line, |n| n.first_line.saturating_sub(1).max(r.first_line));
            rows.push(Row {
                number: r.number.clone(),
                number_inferred: false,
                group: r.group.as_deref().cloned(),
                is_group: r.is_group,
                cells,
                first_line: r.first_line,
                last_line,
            });
            match next {
                Some(n) => r = n,
                None => break,
            }
        }
    }
    infer_lost_numbers(&mut rows);
    Table { columns, rows, shape: Shape::Flat, kind }
}

/// Drops runs of body lines that repeat the header (a page's repeated header, in part):
/// at least two header lines in order, or the header's last lines.
fn drop_header_repeats<'a, S: AsRef<str>>(header: &[(usize, S)], body: &'a [(usize, S)]) -> Vec<(usize, &'a str)> {
    let h: Vec<String> = header.iter().map(|(_, t)| fold(t.as_ref())).collect();
    // No body line is folded whole: its folded chars are compared with a header line's
    // as they are computed, and only when the first ones agree (most lines of a body
    // repeat no header line, and differ from one within a few chars).
    let firsts: Vec<Option<char>> = h.iter().map(|l| l.chars().next()).collect();
    let body_firsts: Vec<Option<char>> = body.iter().map(|(_, t)| crate::fold::fold_chars(t.as_ref()).next()).collect();
    let eq = |i: usize, k: usize| body_firsts[i] == firsts[k] && crate::fold::fold_chars(body[i].1.as_ref()).eq(h[k].chars());
    // A body line is tried only against the header lines with its first char (a header
    // may take a dozen narrow lines, most lines of a body start none of them): the header
    // lines by first char, in order.
    let mut by_first: Vec<(Option<char>, usize)> = firsts.iter().copied().zip(0..).collect();
    by_first.sort_unstable();
    let lines: Vec<usize> = by_first.iter().map(|&(_, k)| k).collect();
    let starts = |i: usize| {
        let c = body_firsts[i];
        let a = by_first.partition_point(|&(f, _)| f < c);
        let b = a + by_first[a..].partition_point(|&(f, _)| f == c);
        &lines[a..b]
    };
    drop_repeats_of(h.len(), body, starts, eq)
}

/// The body lines left when runs that repeat the `hn` (folded) header lines are dropped;
/// `eq(i, k)` tells whether body line `i` folds to header line `k`; `starts(i)` holds
/// every `k` for which `eq(i, k)` may be true (in any order).
fn drop_repeats_of<'s, S: AsRef<str>>(
    hn: usize,
    body: &[(usize, S)],
    starts: impl Fn(usize) -> &'s [usize],
    eq: impl Fn(usize, usize) -> bool,
) -> Vec<(usize, &str)> {
    let mut keep = vec![true; body.len()];
    let mut i = 0;
    while i < body.len() {
        let mut best = 0;
        for &k in starts(i) {
            let mut n = 0;
            while k + n < hn && i + n < body.len() && eq(i + n, k + n) {
                n += 1;
            }
            let to_end = k + n == hn;
            if (n >= 2 && (to_end || n >= 3)) || (n >= 1 && to_end && k == 0) {
                best = best.max(n);
            }
        }
        if best > 0 {
            keep[i..i + best].iter_mut().for_each(|x| *x = false);
            i += best;
        } else {
            i += 1;
        }
    }
    body.iter().zip(keep).filter(|(_, k)| *k).map(|((i, t), _)| (*i, t.as_ref())).collect()
}

fn kind_of(columns: &[Column]) -> TableKind {
    let has = |r: ColumnRole| columns.iter().any(|c| c.role == r);
    // A header read twice over (OCR with columns interleaved): two content columns or the
    // same period twice. Its rows cannot be placed; better none than wrong ones.
    let twice = |a: &Column, b: &Column| {
        a.role == b.role && a.period == b.period && matches!(a.role, ColumnRole::Content | ColumnRole::Period | ColumnRole::Unit | ColumnRole::Deadline)
    };
    if columns.iter().enumerate().any(|(i, a)| columns[i + 1..].iter().any(|b| twice(a, b))) {
        return TableKind::Unknown;
    }
    if has(ColumnRole::Target) || has(ColumnRole::Period) {
        TableKind::Indicator
    } else if has(ColumnRole::Lead) && (has(ColumnRole::Output) || has(ColumnRole::Deadline) || has(ColumnRole::Support)) {
        TableKind::Assignment
    } else {
        TableKind::Unknown
    }
}

fn starts_lower(s: &str) -> bool {
    s.chars().find(|c| c.is_alphabetic()).is_some_and(|c| c.is_lowercase())
}

/// Splits body lines into group rows and data rows; with the [`Widths`] of their fragments
/// (counted here, where most fragments are whole lines already counted).
fn split_rows(body: &[(usize, &str)], kind: TableKind, columns: &[Column]) -> (Vec<RawRow>, Widths) {
    let mut rows: Vec<RawRow> = Vec::new();
    let mut group: Option<std::rc::Rc<GroupInfo>> = None;
    let mut prev: Option<String> = None;
    let mut in_title = false;
    let mut page_break = false;
    let has_content = columns.iter().any(|c| c.role == ColumnRole::Content);
    // Long lines (the content column's width) after the short lines of the other cells start
    // an unnumbered row.
    let counts: Vec<usize> = body.iter().map(|(_, t)| t.chars().count()).collect();
    let long = {
        let mut l: Vec<usize> = counts.iter().copied().filter(|&n| n >= 20).collect();
        l.sort_unstable();
        l.get(l.len() * 3 / 4).copied().unwrap_or(0)
    };
    // Char counts of the fragments, as `Widths::of` reads them.
    let mut frag_counts: Vec<usize> = Vec::with_capacity(body.len());
    for (bi, (i, t)) in body.iter().enumerate() {
        let (i, t) = (*i, *t);
        if let Some((numeral, title)) = roman_row(t) {
            group = Some(std::rc::Rc::new(GroupInfo { numeral, title }));
            rows.push(RawRow { group: group.clone(), is_group: true, first_line: i, last_line: i, ..Default::default() });
            prev = None;
            in_title = true;
            continue;
        }
        if let Some((n, rest)) = number_row(t) {
            // One number skipped (its line lost), unless the skipped one comes next: then
            // this is a page number.
            let skips = prev.as_deref().and_then(|p| skipped(p, &n)).is_some_and(|missing| {
                !body[bi + 1..].iter().filter_map(|(_, l)| number_row(l)).any(|(m, _)| m == missing)
            });
            if continues(prev.as_deref(), &n) || skips {
                in_title = false;
                prev = Some(n.clone());
                let mut r = RawRow { number: Some(n), group: group.clone(), first_line: i, last_line: i, ..Default::default() };
                if !rest.is_empty() {
                    frag_counts.push(rest.chars().count());
                    r.frags.push(Frag { text: rest, line: i, page_break: false });
                }
                rows.push(r);
                page_break = false;
                continue;
            }
            if rest.is_empty() && kind != TableKind::Indicator {
                // A page number cutting a row.
                page_break = true;
                continue;
            }
        }
        if in_title {
            let g = rows.last_mut().expect("group row open");
            let title_empty = g.group.as_ref().is_some_and(|g| g.title.is_empty());
            if title_empty || starts_lower(t) {
                if let Some(gi) = g.group.as_mut().map(std::rc::Rc::make_mut) {
                    gi.title = join_lines([gi.title.as_str(), t]);
                }
                group = g.group.clone();
                g.last_line = i;
                continue;
            }
            in_title = false;
        }
        let open = rows.last().is_some_and(|r| !r.is_group);
        let split_here = open && has_content && long >= 40 && kind == TableKind::Assignment && {
            let r = rows.last().expect("open row");
            let n = counts[bi];
            // The short fragments before this line, counted only for a long line.
            let shorts = || r.frags.iter().rev().take_while(|f| f.text.chars().count() * 2 < long).count();
            n * 4 >= long * 3 && shorts() >= 2 && !starts_lower(t)
        };
        if !open || split_here {
            rows.push(RawRow { number: None, group: group.clone(), first_line: i, last_line: i, ..Default::default() });
        }
        let r = rows.last_mut().expect("row open");
        frag_counts.push(counts[bi]);
        r.frags.push(Frag { text: t.to_string(), line: i, page_break });
        r.last_line = i;
        page_break = false;
    }
    (rows, Widths::of_counts(frag_counts))
}

/// An unnumbered row right before "2" (after a group row), between "3" and "5", or alone
/// in its group lost its
/// printed number (normalization may take a lone number between long lines for a page
/// number): it gets the missing one.
fn infer_lost_numbers(rows: &mut [Row]) {
    for k in 0..rows.len() {
        if rows[k].is_group || rows[k].number.is_some() {
            continue;
        }
        let prev = if k > 0 && !rows[k - 1].is_group { rows[k - 1].number.as_deref().map(parts) } else { Some(vec![0]) };
        let next = rows.get(k + 1).filter(|r| !r.is_group).and_then(|r| r.number.as_deref()).map(parts);
        let group_end = rows.get(k + 1).is_none_or(|r| r.is_group);
        let first_in_group = k == 0 || rows[k - 1].is_group;
        match (prev, next) {
            (Some(p), Some(n)) if p.len() == 1 && n.len() == 1 && n[0] == p[0] + 2 => {
                rows[k].number = Some((p[0] + 1).to_string());
                rows[k].number_inferred = true;
            }
            // The only row of its group.
            _ if first_in_group && group_end => {
                rows[k].number = Some("1".to_string());
                rows[k].number_inferred = true;
            }
            _ => {}
        }
    }
}

/// Line widths of a table body: lines shorter than `short` end a wrapped content cell.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Widths {
    short: usize,
    full: usize,
}

impl Widths {
    /// The widths of the rows' fragments (group rows have none).
    #[cfg(test)]
    fn of(rows: &[RawRow]) -> Widths {
        Widths::of_counts(rows.iter().filter(|r| !r.is_group).flat_map(|r| r.frags.iter().map(|f| f.text.chars().count())).collect())
    }

    /// The widths of fragments with these char counts, in any order.
    fn of_counts(counts: Vec<usize>) -> Widths {
        let mut l = counts;
        l.retain(|&n| n >= 20);
        l.sort_unstable();
        let w = l.get(l.len() * 3 / 4).copied().unwrap_or(40);
        Widths { short: w * 6 / 10, full: w }
    }
}

struct Ctx<'a> {
    rules: &'a Rules,
    frags: Vec<Frag>,
}

impl Ctx<'_> {
    fn text(&self, a: usize, b: usize) -> String {
        join_lines(self.frags[a..b].iter().map(|f| f.text.as_str()))
    }

    /// Fragments `a..b` one per line (line breaks matter to agency splitting).
    fn lines_text(&self, a: usize, b: usize) -> String {
        // Built in one string, with no list of the texts first.
        let frags = &self.frags[a..b];
        let mut s = String::with_capacity(frags.iter().map(|f| f.text.len() + 1).sum());
        for (i, f) in frags.iter().enumerate() {
            if i > 0 {
                s.push('\n');
            }
            s.push_str(&f.text);
        }
        s
    }

    fn cell(&self, a: usize, b: usize) -> Cell {
        let mut lines: Vec<usize> = self.frags[a..b].iter().map(|f| f.line).collect();
        lines.dedup();
        Cell { text: self.text(a, b), raw: self.lines_text(a, b), lines }
    }

    /// Splits fragment `k` at byte `p` into two fragments.
    fn split(&mut self, k: usize, p: usize) {
        let f = self.frags[k].clone();
        let (a, b) = f.text.split_at(p);
        self.frags[k].text = a.trim_end().to_string();
        self.frags.insert(k + 1, Frag { text: b.trim_start().to_string(), line: f.line, page_break: false });
    }

    /// Text of fragments from `k` on, at least `min` chars (at most 4 fragments), one per line.
    fn ahead(&self, k: usize, min: usize) -> String {
        self.ahead_by(k, min, '\n')
    }

    /// [`Self::ahead`] with `sep` for the line breaks (`ahead(k, min).replace('\n', " ")`
    /// with `' '`: fragments hold no line break), built once.
    /// The chars are counted as the fragments are added (each fragment once, not the whole
    /// text again after each one); a separator counts one char.
    fn ahead_by(&self, k: usize, min: usize, sep: char) -> String {
        let mut s = String::new();
        let mut chars = 0;
        for f in self.frags[k..].iter().take(4) {
            if !s.is_empty() {
                s.push(sep);
                chars += 1;
            }
            s.push_str(&f.text);
            chars += f.text.chars().count();
            if chars >= min {
                break;
            }
        }
        s
    }

    /// Whether an agency name starts at fragment `k`.
    fn agency_starts(&self, k: usize) -> bool {
        if k >= self.frags.len() || !self.frags[k].text.starts_with(|c: char| c.is_uppercase()) {
            return false;
        }
        let s = self.ahead(k, 40);
        agency_at_start(self.rules, &s)
    }

    fn unit_split(&mut self, k: usize) -> bool {
        let t = &self.frags[k].text;
        let cr = &self.rules.columns;
        // Unit at the start: "% ≥ 80 ..." → "%" | "≥ 80 ...".
        let first = t.split_whitespace().next().unwrap_or("");
        if cr.is_unit(first) {
            if first.len() < t.len() {
                let p = first.len();
                self.split(k, p);
            }
            return true;
        }
        false
    }
}

fn agency_at_start(rules: &Rules, s: &str) -> bool {
    let lead = s.len() - s.trim_start().len();
    rules.agencies.starts_by(s, lead)
}

/// Byte position in `t` (at a word start after the first word) where an agency name
/// takes the rest of the line: "≥ 80 Trung tâm phục vụ HCC" → before "Trung".
fn inline_agency(rules: &Rules, t: &str) -> Option<usize> {
    word_starts(t).filter(|&i| t[i..].starts_with(char::is_uppercase)).find(|&p| rules.agencies.covers_fully(&t[p..]) && agency_at_start(rules, &t[p..]))
}

/// Places the fragments of one flattened row into the columns; returns the cells and the
/// fragments left over once every column is filled, when they look like a new row.
fn place_row(r: &RawRow, frags: Vec<Frag>, cols: &[ColumnRole], w: &Widths, rules: &Rules) -> (Vec<Cell>, Vec<Frag>) {
    let mut cells = vec![Cell::default(); cols.len()];
    // A page break after the content: what follows continues one of the cells.
    let mut frags = frags;
    let mut tail: Vec<Frag> = Vec::new();
    if let Some(b) = frags.iter().rposition(|f| f.page_break) {
        if b > 0 {
            tail = frags.split_off(b);
        }
    }
    let mut cx = Ctx { rules, frags };
    let cr = &rules.columns;
    let has_unit = cols.contains(&ColumnRole::Unit);
    let has_periods = cols.contains(&ColumnRole::Period);
    let data: Vec<usize> = (0..cols.len()).filter(|&c| cols[c] != ColumnRole::Number).collect();
    if let Some(nc) = cols.iter().position(|&c| c == ColumnRole::Number) {
        let n = r.number.clone().unwrap_or_default();
        cells[nc] = Cell { text: n.clone(), raw: n, lines: vec![r.first_line] };
    }
    if let Some(c) = interleaved(&mut cx, cols, &data, w) {
        for (k, cell) in c.into_iter().enumerate() {
            if !cell.text.is_empty() {
                cells[data[k]] = cell;
            }
        }
        return (cells, Vec::new());
    }
    let mut ci = 0;
    let mut m = 0;
    // Content: wrapped lines up to a short line or the start of the next column.
    if data.first().is_some_and(|&c| cols[c] == ColumnRole::Content) {
        let next = data.get(1).map(|&c| cols[c]);
        let mut k = 0;
        while k < cx.frags.len() {
            if k > 0 {
                let stop = match next {
                    Some(ColumnRole::Unit) => cx.frags[k].text.split_whitespace().next().is_some_and(|f| cr.is_unit(f)),
                    Some(ColumnRole::Period) | Some(ColumnRole::Target) => {
                        is_value_line(&cx.frags[k].text) || cx.agency_starts(k)
                    }
                    Some(ColumnRole::Lead) | Some(ColumnRole::Support) => cx.agency_starts(k),
                    _ => false,
                };
                if stop {
                    break;
                }
            }
            if has_unit {
                // "Tỷ lệ ... doanh nghiệp % ≥ 80 Trung tâm ...": the unit ends the name.
                let t = &cx.frags[k].text;
                if let Some(p) = cr.units.iter().filter_map(|u| find_token(t, u)).min() {
                    if p > 0 {
                        cx.split(k, p);
                        k += 1;
                        break;
                    }
                }
            }
            if has_periods {
                // "Tỷ lệ người dân có chữ ký số - ≥ 10% 20%": the values end the name.
                if let Some(p) = values_start(&cx.frags[k].text) {
                    cx.split(k, p);
                    k += 1;
                    break;
                }
            }
            let len = cx.frags[k].text.chars().count();
            // A line shorter than the column ends the cell; so does a sentence end on a line
            // not quite full when a capital follows.
            let sentence_end = cx.frags[k].text.trim_end().ends_with('.')
                && len * 10 < w.full * 8
                && cx.frags.get(k + 1).is_some_and(|f| f.text.starts_with(|c: char| c.is_uppercase()));
            let short = len < w.short || sentence_end;
            k += 1;
            if short {
                break;
            }
        }
        // Lines as wide as the content column further down, not starting a sentence, are
        // more of the content (a page break put them after the other cells).
        let mut j = k;
        while j < cx.frags.len() {
            let f = &cx.frags[j];
            if j > k && starts_lower(&f.text) && f.text.chars().count() * 10 >= w.full * 8 && w.full >= 40 {
                // The wide line and the lower-case lines after it.
                let mut e = j + 1;
                while e < cx.frags.len() && starts_lower(&cx.frags[e].text) {
                    e += 1;
                }
                let moved: Vec<Frag> = cx.frags.drain(j..e).collect();
                let n = moved.len();
                for (o, f) in moved.into_iter().enumerate() {
                    cx.frags.insert(k + o, f);
                }
                k += n;
                j += n;
                continue;
            }
            j += 1;
        }
        cells[data[0]] = cx.cell(0, k);
        m = k;
        ci = 1;
    }
    // Deadline: peeled from the end of the row.
    let mut end = cx.frags.len();
    let last_is_deadline = data.last().is_some_and(|&c| cols[c] == ColumnRole::Deadline);
    if last_is_deadline && end > m {
        if let Some(s) = find_deadline(&mut cx, m) {
            let dl = *data.last().expect("deadline column");
            end = cx.frags.len();
            cells[dl] = cx.cell(s, end);
            end = s;
        }
    }
    let stop_ci = if last_is_deadline { data.len() - 1 } else { data.len() };
    while ci < stop_ci && m < end {
        let role = cols[data[ci]];
        match role {
            ColumnRole::Unit => {
                let before = cx.frags.len();
                if cx.unit_split(m) {
                    end += cx.frags.len() - before;
                    cells[data[ci]] = cx.cell(m, m + 1);
                    m += 1;
                }
                ci += 1;
            }
            ColumnRole::Target => {
                let s = m;
                while m < end {
                    if cx.agency_starts(m) {
                        break;
                    }
                    if let Some(p) = inline_agency(rules, &cx.frags[m].text) {
                        cx.split(m, p);
                        end += 1;
                        m += 1;
                        break;
                    }
                    m += 1;
                }
                if m > s {
                    cells[data[ci]] = cx.cell(s, m);
                }
                ci += 1;
            }
            ColumnRole::Period => {
                let run: Vec<usize> = data[ci..].iter().copied().take_while(|&c| cols[c] == ColumnRole::Period).collect();
                let (values, nm) = period_values(&mut cx, m, &mut end, run.len());
                m = nm;
                // Fewer values than columns: the empty cells are the first ones.
                let skip = run.len() - values.len().min(run.len());
                for (k, v) in values.into_iter().take(run.len()).enumerate() {
                    cells[run[skip + k]] = v;
                }
                ci += run.len();
            }
            ColumnRole::Lead | ColumnRole::Support => {
                let run: Vec<usize> =
                    data[ci..].iter().copied().take_while(|&c| matches!(cols[c], ColumnRole::Lead | ColumnRole::Support)).collect();
                let lines: Vec<&str> = cx.frags[m..end].iter().map(|f| f.text.as_str()).collect();
                let e = rules.agencies.longest_full_prefix(&lines).map(|k| m + k);
                if let Some(e) = e {
                    assign_agencies(&cx, m, e, &run, cols, &mut cells);
                    m = e;
                }
                ci += run.len();
            }
            ColumnRole::Director | ColumnRole::Monitor => {
                let s = m;
                let name_cell = cr.starts_family_name(&cx.frags[m].text);
                m += 1;
                while m < end {
                    let t = &cx.frags[m].text;
                    let ahead = cx.ahead_by(m, 30, ' ');
                    if cr.starts_person(&ahead) || cr.starts_output(&ahead) {
                        break;
                    }
                    if name_cell && t.split_whitespace().any(|w| w.starts_with(|c: char| c.is_lowercase())) {
                        break;
                    }
                    m += 1;
                }
                cells[data[ci]] = cx.cell(s, m);
                ci += 1;
            }
            ColumnRole::Output | ColumnRole::Other | ColumnRole::Content | ColumnRole::Number => {
                let later_person = data[ci + 1..stop_ci].iter().any(|&c| matches!(cols[c], ColumnRole::Director | ColumnRole::Monitor));
                let s = m;
                if later_person {
                    m += 1;
                    while m < end && !cr.starts_person(&cx.ahead_by(m, 30, ' ')) {
                        m += 1;
                    }
                } else if role == ColumnRole::Output || ci + 1 == stop_ci {
                    m = end;
                } else {
                    m += 1;
                }
                cells[data[ci]] = cx.cell(s, m);
                ci += 1;
            }
            ColumnRole::Deadline => {
                cells[data[ci]] = cx.cell(m, end);
                m = end;
                ci += 1;
            }
        }
    }
    let mut rest = Vec::new();
    if ci >= stop_ci && m < end && !last_is_deadline {
        let left = &cx.frags[m..end];
        let len: usize = left.iter().map(|f| f.text.chars().count()).sum();
        if left[0].text.starts_with(|c: char| c.is_uppercase()) && len >= 20 && m > 0 {
            rest = left.to_vec();
        }
    }
    if !tail.is_empty() {
        attach_tail(&tail, cols, &mut cells, rules);
    }
    (cells, rest)
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum SegKind {
    Agency,
    Deadline,
    Other,
}

/// A row whose first line holds the first line of every cell ("Cập nhật cơ sở dữ liệu đất
/// đai Phòng Kinh Các phòng, CSDL Theo Dự án được"), wider than the content column: the
/// line is cut where agency names, deadline words and other capitalized cells start, and
/// the lines below continue each cell in column order. Returns one cell per data column.
fn interleaved(cx: &mut Ctx, cols: &[ColumnRole], data: &[usize], w: &Widths) -> Option<Vec<Cell>> {
    let cr = &cx.rules.columns;
    let values = cols.iter().any(|c| matches!(c, ColumnRole::Unit | ColumnRole::Target | ColumnRole::Period));
    // Most rows are ruled out here, before their first line is copied.
    if values || data.first().map(|&c| cols[c]) != Some(ColumnRole::Content) || w.full < 40 || cx.frags.first()?.text.chars().count() * 100 < w.full * 110 {
        return None;
    }
    let first = cx.frags.first()?.text.clone();
    let rules = cx.rules;
    // Word starts after a third of the content width.
    let min = first.char_indices().nth(w.full / 3).map_or(first.len(), |(i, _)| i);
    let starts: Vec<usize> = word_starts(&first).filter(|&i| i >= min && first[i..].starts_with(char::is_uppercase)).collect();
    let kind_at = |p: usize| -> Option<SegKind> {
        let rest = &first[p..];
        if cr.starts_deadline(rest) {
            Some(SegKind::Deadline)
        } else if agency_at_start(rules, rest) {
            Some(SegKind::Agency)
        } else {
            None
        }
    };
    let content_end = starts.iter().copied().find(|&p| kind_at(p).is_some())?;
    let mut segs: Vec<(SegKind, String)> = Vec::new();
    let mut cur: Option<(SegKind, usize)> = None;
    for &p in starts.iter().filter(|&&p| p >= content_end) {
        let k = kind_at(p);
        match (cur, k) {
            (Some((SegKind::Deadline, _)), _) => {}
            (Some((SegKind::Agency, s)), None) => {
                // A capitalized word that does not continue the name starts another cell.
                let with = format!("{} {}", first[s..p].trim(), first[p..].split_whitespace().next().unwrap_or(""));
                if !rules.agencies.covers_fully(&with) {
                    segs.push((SegKind::Agency, first[s..p].trim().to_string()));
                    cur = Some((SegKind::Other, p));
                }
            }
            (Some((ks, s)), Some(k)) => {
                segs.push((ks, first[s..p].trim().to_string()));
                cur = Some((k, p));
            }
            (None, Some(k)) => cur = Some((k, p)),
            _ => {}
        }
    }
    if let Some((k, s)) = cur {
        segs.push((k, first[s..].trim().to_string()));
    }
    // Columns after the content, each with its first-line segment.
    let rest_cols: Vec<ColumnRole> = data[1..].iter().map(|&c| cols[c]).collect();
    let mut firsts: Vec<Option<String>> = vec![None; rest_cols.len()];
    let mut ci = 0;
    for (k, text) in segs {
        let want = |r: ColumnRole| match k {
            SegKind::Agency => matches!(r, ColumnRole::Lead | ColumnRole::Support),
            SegKind::Deadline => r == ColumnRole::Deadline,
            SegKind::Other => !matches!(r, ColumnRole::Lead | ColumnRole::Support | ColumnRole::Deadline),
        };
        while ci < rest_cols.len() && !want(rest_cols[ci]) {
            ci += 1;
        }
        if ci == rest_cols.len() {
            return None;
        }
        firsts[ci] = Some(text);
        ci += 1;
    }
    let line0 = cx.frags[0].line;
    cx.split(0, content_end);
    let tail_first = cx.frags.remove(1);
    let _ = tail_first;
    // Content: the first line's part and, when that is not short, the lines up to a short one.
    let mut k = 1;
    while cx.frags[0].text.chars().count() >= w.short && k < cx.frags.len() {
        let len = cx.frags[k].text.chars().count();
        k += 1;
        if len < w.short {
            break;
        }
    }
    let mut out = vec![Cell::default(); data.len()];
    out[0] = cx.cell(0, k);
    let mut m = k;
    for (ci, role) in rest_cols.iter().enumerate() {
        let Some(seg) = firsts[ci].clone() else {
            // An empty first line: a capitalized line below may start the cell.
            if m < cx.frags.len() && *role == ColumnRole::Output && !cx.frags[m].text.starts_with(|c: char| c.is_lowercase()) && !cr.starts_deadline(&cx.frags[m].text) && !agency_at_start(rules, &cx.frags[m].text) {
                out[ci + 1] = cx.cell(m, m + 1);
                m += 1;
            }
            continue;
        };
        let mut raw = seg.clone();
        let mut lines = vec![line0];
        let last_col = ci + 1 == rest_cols.len();
        let take = match role {
            ColumnRole::Lead | ColumnRole::Support => {
                // The most lines that keep one list of names: all words names, every name
                // after the first joined by a separator.
                (0..=cx.frags.len() - m)
                    .rev()
                    .find(|&e| {
                        let joined = std::iter::once(seg.as_str()).chain(cx.frags[m..m + e].iter().map(|f| f.text.as_str())).collect::<Vec<_>>().join("\n");
                        rules.agencies.covers_fully(&joined) && rules.agencies.resolve(&joined).iter().skip(1).all(|a| a.sep_before)
                    })
                    .unwrap_or(0)
            }
            _ if last_col => cx.frags.len() - m,
            // A cell of one capitalized code ("CSDL") is complete.
            _ if seg.split_whitespace().last().is_some_and(|w| w.chars().all(|c| !c.is_lowercase())) => 0,
            _ => cx.frags[m..].iter().take_while(|f| starts_lower(&f.text)).count(),
        };
        for f in &cx.frags[m..m + take] {
            raw.push('\n');
            raw.push_str(&f.text);
            lines.push(f.line);
        }
        m += take;
        lines.dedup();
        out[ci + 1] = Cell { text: join_text_lines(&raw), raw, lines };
    }
    Some(out)
}

/// Byte offset of `tok` standing alone in `t` ("... doanh nghiệp % ≥ 80").
fn find_token(t: &str, tok: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(p) = t[from..].find(tok) {
        let s = from + p;
        let e = s + tok.len();
        let before = s == 0 || t[..s].ends_with(' ');
        let after = e == t.len() || t[e..].starts_with(' ');
        if before && after {
            return Some(s);
        }
        from = e;
    }
    None
}

/// Start fragment of the deadline cell, scanning back from the end of the row; splits a
/// fragment that holds the end of the output and the deadline ("Kế hoạch 10/2025").
fn find_deadline(cx: &mut Ctx, from: usize) -> Option<usize> {
    let cr = &cx.rules.columns;
    // Whether the text before a deadline start ends with a word that keeps it open: asked
    // only where a deadline starts (the fold of the word is not made for every word).
    let open_before = |before: &str| before.split_whitespace().last().is_some_and(|w| cr.deadline_open_words.contains(&fold(w)));
    for j in (from..cx.frags.len()).rev() {
        if cr.starts_deadline(&cx.ahead_by(j, 20, ' ')) && !(j > from && open_before(&cx.frags[j - 1].text)) {
            return Some(j);
        }
        // Inline: a later word of the line starts the deadline.
        let t = &cx.frags[j].text;
        let split = word_starts(t).find(|&p| cr.starts_deadline(&t[p..]) && !open_before(&t[..p]));
        if let Some(p) = split {
            cx.split(j, p);
            return Some(j + 1);
        }
    }
    None
}

/// Target values of `n` period columns from fragment `m`: value lines ("≥ 60% 100% -")
/// give one value a token; a run of text lines repeated across columns ("Theo phân bổ,
/// hướng dẫn của Thành phố" five times) gives one value a repeat.
fn period_values(cx: &mut Ctx, mut m: usize, end: &mut usize, n: usize) -> (Vec<Cell>, usize) {
    let mut values: Vec<Cell> = Vec::new();
    while values.len() < n && m < *end {
        if cx.agency_starts(m) {
            break;
        }
        if is_value_line(&cx.frags[m].text) {
            let line = cx.frags[m].line;
            for v in value_tokens(&cx.frags[m].text) {
                values.push(Cell { raw: v.clone(), text: v, lines: vec![line] });
            }
            m += 1;
            continue;
        }
        let s = m;
        while m < *end && !is_value_line(&cx.frags[m].text) && !(m > s && cx.agency_starts(m)) {
            m += 1;
        }
        let lines: Vec<String> = cx.frags[s..m].iter().map(|f| fold(&f.text)).collect();
        let len = m - s;
        let want = n - values.len();
        let reps = (2..=want.min(len)).rev().find(|&r| {
            len.is_multiple_of(r) && {
                let c = len / r;
                (1..r).all(|k| lines[k * c..(k + 1) * c] == lines[..c])
            }
        });
        match reps {
            Some(r) => {
                let c = len / r;
                for k in 0..r {
                    values.push(cx.cell(s + k * c, s + (k + 1) * c));
                }
            }
            None => values.push(cx.cell(s, m)),
        }
    }
    (values, m)
}

/// Agencies of fragments `a..b` into the lead / support columns of `run`. Several agencies
/// in one cell are joined by separators (",", ";", "và"); a name that follows another with
/// only a line break between starts the next cell. With more such groups than columns the
/// last group is the support and all before it the lead.
fn assign_agencies(cx: &Ctx, a: usize, b: usize, run: &[usize], cols: &[ColumnRole], cells: &mut [Cell]) {
    let text = cx.lines_text(a, b);
    let ms = cx.rules.agencies.resolve(&text);
    let lead = run.iter().copied().find(|&c| cols[c] == ColumnRole::Lead);
    let support = run.iter().copied().find(|&c| cols[c] == ColumnRole::Support);
    let mut cut = text.len();
    if let (Some(_), Some(_)) = (lead, support) {
        if let Some(last_group) = ms.iter().rposition(|m| !m.sep_before).filter(|&g| g > 0) {
            // What stands between the groups ("Đơn vị cung ứng:") goes with the second.
            let prev_end = ms[last_group - 1].end;
            cut = prev_end + (text[prev_end..].len() - text[prev_end..].trim_start_matches(|c: char| c.is_whitespace() || c == ',' || c == ';').len());
        }
    }
    // Byte offsets of the fragments in `text`.
    let mut offs = Vec::new();
    let mut o = 0;
    for f in &cx.frags[a..b] {
        offs.push(o);
        o += f.text.len() + 1;
    }
    let lines_of = |s: usize, e: usize| -> Vec<usize> {
        let mut l: Vec<usize> = offs
            .iter()
            .zip(&cx.frags[a..b])
            .filter(|(&fo, f)| fo < e && fo + f.text.len() >= s)
            .map(|(_, f)| f.line)
            .collect();
        l.dedup();
        l
    };
    let mk = |s: usize, e: usize| Cell { text: join_text_lines(&text[s..e]), raw: text[s..e].trim().to_string(), lines: lines_of(s, e) };
    let first = lead.or(support).expect("an agency column");
    cells[first] = mk(0, cut);
    if cut < text.len() {
        if let Some(sc) = support {
            cells[sc] = mk(cut, text.len());
        }
    }
}

/// Fragments after a page break in the middle of a row continue the cell they fit best:
/// an agency cell whose names they complete, else a cell that does not end a sentence.
fn attach_tail(tail: &[Frag], cols: &[ColumnRole], cells: &mut [Cell], rules: &Rules) {
    let text = join_lines(tail.iter().map(|f| f.text.as_str()));
    let lower = starts_lower(&text);
    let mut best: Option<(u32, usize)> = None;
    for (c, cell) in cells.iter().enumerate() {
        if cell.text.is_empty() || cols[c] == ColumnRole::Number {
            continue;
        }
        let open = !cell.text.trim_end().ends_with(['.', ';', '!', '?']);
        let score = match cols[c] {
            ColumnRole::Lead | ColumnRole::Support => {
                let tail_raw: Vec<&str> = tail.iter().map(|f| f.text.as_str()).collect();
                let before = rules.agencies.coverage(&cell.raw);
                let after = rules.agencies.coverage(&format!("{}\n{}", cell.raw, tail_raw.join("\n")));
                if after.full() && after.known > before.known {
                    4
                } else if after.full() {
                    2
                } else {
                    0
                }
            }
            ColumnRole::Content if lower && open => 3,
            _ if lower && open => 1,
            _ => 0,
        };
        if score > 0 && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, c));
        }
    }
    let c = match best {
        Some((_, c)) => c,
        None => match cols.iter().position(|&r| r == ColumnRole::Content) {
            Some(c) => c,
            None => return,
        },
    };
    let cell = &mut cells[c];
    cell.text = join_lines([cell.text.as_str(), text.as_str()]);
    for f in tail {
        cell.raw.push('\n');
        cell.raw.push_str(&f.text);
    }
    cell.lines.extend(tail.iter().map(|f| f.line));
}

/// Tab-separated rows: one row a line, cells by position.
fn reconstruct_tsv<S: AsRef<str>>(lines: &[(usize, S)], rules: &Rules) -> Table {
    let cr = &rules.columns;
    let header: Vec<&str> = lines[0].1.as_ref().split('\t').collect();
    let columns: Vec<Column> = header
        .iter()
        .map(|h| {
            let found = cr.detect_columns(h);
            let h = h.trim().to_string();
            match found.into_iter().next() {
                Some(mut c) => {
                    if c.role != ColumnRole::Period {
                        c.label = h;
                    }
                    c
                }
                None => Column { role: ColumnRole::Other, label: h, period: None },
            }
        })
        .collect();
    let kind = kind_of(&columns);
    let ncol = columns.len();
    let number_col = columns.iter().position(|c| c.role == ColumnRole::Number);
    let content_col = columns.iter().position(|c| c.role == ColumnRole::Content);
    let mut rows: Vec<Row> = Vec::new();
    let mut group: Option<GroupInfo> = None;
    for (i, t) in &lines[1..] {
        let t = t.as_ref();
        if !t.contains('\t') {
            // A line without tabs continues the content of the row above.
            if let Some(r) = rows.last_mut().filter(|r| !r.is_group) {
                if let Some(c) = content_col {
                    r.cells[c].text = join_lines([r.cells[c].text.as_str(), t]);
                    r.cells[c].raw = format!("{}\n{}", r.cells[c].raw, t);
                    r.cells[c].lines.push(*i);
                    r.last_line = *i;
                }
            }
            continue;
        }
        let parts: Vec<&str> = t.split('\t').map(str::trim).collect();
        let mut cells = vec![Cell::default(); ncol];
        for (c, p) in parts.iter().enumerate().take(ncol) {
            if !p.is_empty() {
                cells[c] = Cell { text: p.to_string(), raw: p.to_string(), lines: vec![*i] };
            }
        }
        let number = number_col.map(|c| cells[c].text.clone()).filter(|s| !s.is_empty());
        let filled = cells.iter().filter(|c| !c.text.is_empty()).count();
        let roman = number.as_deref().and_then(roman_row).is_some();
        if roman || (filled <= 2 && number.as_deref().is_some_and(|n| n.chars().all(|c| c.is_ascii_uppercase()))) {
            let title = content_col.map(|c| cells[c].text.clone()).unwrap_or_default();
            group = Some(GroupInfo { numeral: number.clone().unwrap_or_default(), title });
            rows.push(Row { number: None, number_inferred: false, group: group.clone(), is_group: true, cells, first_line: *i, last_line: *i });
            continue;
        }
        rows.push(Row { number, number_inferred: false, group: group.clone(), is_group: false, cells, first_line: *i, last_line: *i });
    }
    Table { columns, rows, shape: Shape::Tsv, kind }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Family names looked up in sets answer as compared one by one with the names of the
    /// rules (as first written): every line of the texts, from each word start, in print
    /// and stripped of diacritics (plain ASCII lines take the folded names).
    #[test]
    fn family_names_agree_with_reference() {
        let cr = &Rules::embedded().columns;
        let (text, shown) = RuleSource::default().read("columns.toml").expect("embedded columns.toml");
        let f: ColumnsFile = crate::rules::parse_toml(&text, &shown).expect("valid columns.toml");
        let names: Vec<String> = f.vocab.family_names.iter().map(|n| n.to_lowercase()).collect();
        let reference = |text: &str| -> bool {
            let t = text.trim_start();
            if !t.starts_with(|c: char| c.is_uppercase()) {
                return false;
            }
            let first = t.split(|c: char| !c.is_alphanumeric()).next().unwrap_or("").to_lowercase();
            if t.is_ascii() {
                names.iter().any(|n| fold(n) == first)
            } else {
                names.contains(&first)
            }
        };
        let mut found = 0;
        let mut lines = all_lines();
        lines.extend(["Nguyễn Văn A", "Nguyen Van A", "TRẦN Thị B", "Lê", "Le", "Đỗ Minh", "Do Minh"].map(String::from));
        for l in lines.iter().flat_map(|l| [crate::fold::strip_diacritics(l), l.clone()]) {
            for p in starts_of_words(&l) {
                let want = reference(&l[p..]);
                assert_eq!(cr.starts_family_name(&l[p..]), want, "{:?}", &l[p..]);
                found += want as usize;
            }
        }
        assert!(found > 50, "{found}");
    }

    /// Look-ahead texts counted fragment by fragment equal those that count the whole text
    /// again after each fragment: windows of corpus lines from every start, both separators.
    #[test]
    fn ahead_by_agrees_with_counting_the_text() {
        let reference = |frags: &[Frag], k: usize, min: usize, sep: char| -> String {
            let mut s = String::new();
            for f in frags[k..].iter().take(4) {
                if !s.is_empty() {
                    s.push(sep);
                }
                s.push_str(&f.text);
                if s.chars().count() >= min {
                    break;
                }
            }
            s
        };
        let rules = Rules::embedded();
        let lines = all_lines();
        let mut n = 0;
        for w in lines.chunks(7).take(3000) {
            let frags: Vec<Frag> = w.iter().enumerate().map(|(i, t)| Frag { text: t.clone(), line: i, page_break: false }).collect();
            let cx = Ctx { rules, frags };
            for k in 0..cx.frags.len() {
                for (min, sep) in [(20, ' '), (30, ' '), (40, '\n'), (1, ' '), (0, '\n'), (500, ' ')] {
                    assert_eq!(cx.ahead_by(k, min, sep), reference(&cx.frags, k, min, sep));
                    n += 1;
                }
            }
        }
        assert!(n > 1000, "{n}");
    }

    /// Every line of the corpus and the fixtures, trimmed, with a few made-up row starts.
    fn all_lines() -> Vec<String> {
        let mut out: Vec<String> = crate::test_data::texts(&["corpus", "fixtures/ocr_tables", "fixtures/restore"], Some("txt"))
            .iter()
            .flat_map(|t| t.lines().map(|l| l.trim().to_string()).collect::<Vec<_>>())
            .collect();
        for l in [
            "", " 1.2 Tỷ lệ", "١ Chỉ tiêu", "IV. Nhiệm vụ", "IIa", "12.3.4.5 x", " ", "X", "Lào Cai", "2.", "٣.٤ Tỷ lệ",
            "1..", "1.2.", "123 Tỷ lệ", "1.234 Tỷ lệ", "1.2.3.4 Tỷ lệ", "1.2.3.4.5 Tỷ lệ", "1 tỷ lệ", "1 “Tỷ lệ”", "1. Tỷ lệ",
            "1.\tTỷ lệ", "1\u{a0}Tỷ lệ", "5%", "10/2025", "1\nTỷ lệ", "1.٣ Tỷ lệ", "1.2 ", ".1 Tỷ", "1.2.a", "II: Nhiệm vụ",
            "I\u{a0}Nhiệm vụ", "V.I.P", "XL", "L.", "Iv", "I nhiệm", "II .abc", "II .Abc", "II . Abc", "IV - Abc", "II.Abc",
            "II :", "II:", "IIIIIII Abc", "IIIIII Abc", "VI\u{2003}Abc", "I\tNhiệm", "V .", "X:  Đẩy", "I. \u{a0} Đẩy", "L :x",
            "II..", "II. .Abc", "I\nNhiệm", "XI\u{85}Abc",
        ] {
            out.push(l.to_string());
        }
        out
    }

    #[test]
    fn row_prefilters_agree_with_the_patterns() {
        let (mut romans, mut numbers) = (0, 0);
        for l in all_lines() {
            let roman = roman_row_by_pattern(&l);
            assert_eq!(roman_row(&l), roman, "{l:?}");
            let number = number_row_by_pattern(&l);
            assert_eq!(number_row(&l), number, "{l:?}");
            romans += roman.is_some() as usize;
            numbers += number.is_some() as usize;
        }
        assert!(romans > 20 && numbers > 100, "{romans} {numbers}");
    }

    /// The line start (when not empty) and each of its [`word_starts`].
    fn starts_of_words(l: &str) -> impl Iterator<Item = usize> + '_ {
        (!l.is_empty()).then_some(0).into_iter().chain(word_starts(l))
    }

    #[test]
    fn word_starts_are_the_characters_after_a_space() {
        let mut lines = all_lines();
        lines.extend(["a  b", " a", "a ", "  ", " ", "ạ ệ  ố", "a\u{a0}b c", "x\t y", "Ư Ơ"].map(String::from));
        let mut found = 0;
        for l in &lines {
            let want: Vec<usize> = l.char_indices().filter(|&(i, _)| i > 0 && l[..i].ends_with(' ')).map(|(i, _)| i).collect();
            assert_eq!(word_starts(l).collect::<Vec<_>>(), want, "{l:?}");
            found += want.len();
        }
        assert!(found > 1000, "{found}");
    }

    /// [`values_start`] as first written: every word start tried.
    fn values_start_reference(t: &str) -> Option<usize> {
        word_starts(t).find(|&i| is_value_line(&t[i..]) && value_tokens(&t[i..]).len() >= 2)
    }

    #[test]
    fn values_start_agrees_with_trying_every_word() {
        let mut lines = all_lines();
        let extra = ["Tỷ lệ người dân có chữ ký số - ≥ 10% 20%", "Tỷ lệ a 10% b 20% 30%", "x 1 2", " 1 2", "A - -", "≥ 60% 100% - - -", "Số km 5 6 7 km"];
        lines.extend(extra.iter().map(|s| s.to_string()));
        let mut found = 0;
        for l in &lines {
            let want = values_start_reference(l);
            assert_eq!(values_start(l), want, "{l:?}");
            found += want.is_some() as usize;
        }
        assert!(found >= 3, "{found}");
    }

    #[test]
    fn value_line_filter_agrees_with_the_pattern() {
        let mut values = 0;
        let mut lines = all_lines();
        for l in ["≥ 60% 100% - - -", "80%", "- – -", "≥80 ≤ 90", "100 % a", "10,5 - 12", "٣٤ %", "x"] {
            lines.push(l.to_string());
        }
        for l in &lines {
            // Every suffix at a word start too, as the period split tries them.
            for i in starts_of_words(l) {
                let s = &l[i..];
                let v = is_value_line_by_pattern(s);
                assert_eq!(is_value_line(s), v, "{s:?}");
                values += v as usize;
            }
        }
        assert!(values > 50, "{values}");
    }

    /// Value lines found by the gaps between tokens are those the pattern's `replace_all`
    /// leaves blank: every line of the texts and its suffixes at word starts, and every
    /// string of up to five pieces made of the pattern's chars (and a few others).
    #[test]
    fn value_line_gaps_agree_with_replace_all() {
        let check = |s: &str| -> bool {
            let t = s.trim();
            let want = !t.is_empty() && VALUE_TOKEN.replace_all(t, "").trim().is_empty();
            assert_eq!(is_value_line_by_pattern(s), want, "{s:?}");
            want
        };
        let mut values = 0;
        for l in all_lines() {
            for i in starts_of_words(&l) {
                values += check(&l[i..]) as usize;
            }
        }
        assert!(values > 50, "{values}");
        let pieces = ["1", "25", ".", ",", "-", "–", "≥", "≤", ">", "<", "=", "%", " ", "a", "\u{a0}", "٣", "\u{b}", "ý"];
        let mut values = 0;
        let mut idx = vec![0usize; 0];
        // Every sequence of up to five pieces, in counting order.
        loop {
            let s: String = idx.iter().map(|&k| pieces[k]).collect();
            values += check(&s) as usize;
            let mut d = 0;
            loop {
                if d == idx.len() {
                    idx.push(0);
                    break;
                }
                idx[d] += 1;
                if idx[d] < pieces.len() {
                    break;
                }
                idx[d] = 0;
                d += 1;
            }
            if idx.len() > 5 {
                break;
            }
        }
        assert!(values > 10_000, "{values}");
    }

    /// The widths [`split_rows`] counts as it goes are those of the fragments it made: every
    /// text read whole as a table body, as both kinds of table.
    #[test]
    fn split_rows_widths_agree_with_the_fragments() {
        let texts = crate::test_data::texts(&["corpus", "fixtures/ocr_tables", "fixtures/restore"], Some("txt"));
        let content = [Column { role: ColumnRole::Content, label: String::new(), period: None }];
        let mut rows = 0;
        for t in &texts {
            let body: Vec<(usize, &str)> = t.lines().map(str::trim).enumerate().collect();
            for kind in [TableKind::Assignment, TableKind::Indicator] {
                let (raw, w) = split_rows(&body, kind, &content);
                assert_eq!(w, Widths::of(&raw));
                rows += raw.len();
            }
        }
        assert!(rows > 100, "{rows}");
    }

    #[test]
    fn first_words_agree_with_words_of() {
        let cr = &Rules::embedded().columns;
        let mut hits = 0;
        for l in all_lines() {
            let all = words_of(&l);
            for k in 0..5 {
                assert_eq!(first_words(&l, k), all[..k.min(all.len())], "{l:?} {k}");
            }
            // From the line start and from each word start.
            for p in starts_of_words(&l) {
                let all = words_of(&l[p..]);
                for list in [&cr.deadline_starts, &cr.output_starts, &cr.person_titles] {
                    let got = starts_with_list(&l[p..], list);
                    assert_eq!(got, starts_with_words(&all, list), "{:?}", &l[p..]);
                    hits += got as usize;
                }
            }
        }
        assert!(hits > 20, "{hits}");
    }

    /// [`drop_header_repeats`] as first written: every body line folded.
    fn drop_header_repeats_reference<'a>(header: &[(usize, String)], body: &'a [(usize, String)]) -> Vec<(usize, &'a str)> {
        let h: Vec<String> = header.iter().map(|(_, t)| fold(t)).collect();
        let b: Vec<String> = body.iter().map(|(_, t)| fold(t)).collect();
        let every: Vec<usize> = (0..h.len()).collect();
        drop_repeats_of(h.len(), body, |_| every.as_slice(), |i, k| b[i] == h[k])
    }

    /// Headers of one to twelve corpus lines against the next sixty lines, and against
    /// bodies that repeat them (as a page's repeated header does).
    #[test]
    fn drop_header_repeats_agrees_with_reference() {
        let lines: Vec<(usize, String)> = all_lines().into_iter().enumerate().collect();
        let mut dropped = 0;
        for s in (0..lines.len().saturating_sub(70)).step_by(7) {
            for hn in [1, 2, 3, 4, 7, 12] {
                let header = &lines[s..s + hn];
                let mut body: Vec<(usize, String)> = lines[s + hn..s + hn + 60].to_vec();
                let got = drop_header_repeats(header, &body);
                assert_eq!(got, drop_header_repeats_reference(header, &body));
                // The header again, in the middle, changed in case and marks only.
                body.splice(30..30, header.iter().map(|(i, t)| (*i, crate::fold::strip_diacritics(&t.to_uppercase()))));
                let got = drop_header_repeats(header, &body);
                assert_eq!(got, drop_header_repeats_reference(header, &body));
                dropped += body.len() - got.len();
            }
        }
        assert!(dropped > 100, "{dropped}");
    }

    fn table(text: &str) -> Table {
        let lines: Vec<(usize, String)> = text.lines().enumerate().map(|(i, l)| (i, l.trim().to_string())).collect();
        reconstruct_lines(&lines, Rules::embedded())
    }

    fn cell<'a>(t: &'a Table, row: &'a Row, role: ColumnRole) -> &'a str {
        t.cell(row, role).map_or("", |c| c.text.as_str())
    }

    fn data_rows(t: &Table) -> Vec<&Row> {
        t.rows.iter().filter(|r| !r.is_group).collect()
    }

    #[test]
    fn header_columns_from_folded_labels() {
        let cr = &Rules::embedded().columns;
        let roles = |h: &str| cr.detect_columns(h).into_iter().map(|c| c.role).collect::<Vec<_>>();
        use ColumnRole::*;
        assert_eq!(
            roles("Stt Nội dung công việc Cơ quan chủ trì Cơ quan phối hợp Sản phẩm đầu ra Thời gian thực hiện/hoàn thành"),
            [Number, Content, Lead, Support, Output, Deadline]
        );
        assert_eq!(roles("TT Chỉ tiêu Đơn vị Kết quả Cơ quan chủ trì theo dõi, đánh giá"), [Number, Content, Unit, Target, Lead]);
        assert_eq!(roles("TT Nội dung Co quan chu tri Co quan chi tri Ket qua can dat"), [Number, Content, Lead, Lead, Output]);
        let c = cr.detect_columns("TT Tên nhiệm vụ Năm 2025 Năm 2030 Cơ quan chủ trì Người chỉ đạo Người theo dõi");
        assert_eq!(c.iter().map(|c| c.role).collect::<Vec<_>>(), [Number, Content, Period, Period, Lead, Director, Monitor]);
        assert_eq!(c[2].period.as_deref(), Some("2025"));
        let c = cr.detect_columns("TT Nội dung chỉ tiêu Chỉ tiêu của thành phố Chỉ tiêu của phường Đơn vị chủ trì");
        assert_eq!(c.iter().filter_map(|c| c.period.clone()).collect::<Vec<_>>(), ["thành phố", "phường"]);
    }

    #[test]
    fn flattened_rows_with_multiline_cells() {
        let t = table(
            "Stt\nNội dung công việc\nCơ quan chủ\ntrì\nCơ quan phối\nhợp\nSản phẩm\nđầu ra\nThời gian\nthực hiện\n\
             I\nNâng cao nhận thức, đổi mới tư duy, xác định quyết tâm chính trị mạnh mẽ, quyết liệt\nlực mới trong toàn thành phố\n\
             1\nXây dựng kế hoạch của UBND phường về việc thực hiện Nghị\nquyết 57-NQ/TW của Bộ Chính trị theo hướng rõ người.\n\
             Phòng Văn\nhóa-Xã hội\nPhòng, ban\nchuyên môn\nKế hoạch 10/2025\n\
             2\nThường xuyên tổ chức tuyên truyền, sâu rộng về nội dung Nghị\nquyết số 57-NQ/TW theo hướng đa dạng hóa.\n\
             Phòng Văn\nhóa-Xã hội\nTrung tâm Văn\nHóa-Thể Thao-\nTruyền thông\nBáo cáo số\nliệu\nThường\nxuyên",
        );
        assert_eq!(t.kind, TableKind::Assignment);
        let g = &t.rows[0];
        assert!(g.is_group);
        assert_eq!(g.group.as_ref().unwrap().title, "Nâng cao nhận thức, đổi mới tư duy, xác định quyết tâm chính trị mạnh mẽ, quyết liệt lực mới trong toàn thành phố");
        let rows = data_rows(&t);
        assert_eq!(rows.len(), 2);
        let r = rows[0];
        assert_eq!(r.number.as_deref(), Some("1"));
        assert_eq!(cell(&t, r, ColumnRole::Content), "Xây dựng kế hoạch của UBND phường về việc thực hiện Nghị quyết 57-NQ/TW của Bộ Chính trị theo hướng rõ người.");
        assert_eq!(cell(&t, r, ColumnRole::Lead), "Phòng Văn hóa-Xã hội");
        assert_eq!(cell(&t, r, ColumnRole::Support), "Phòng, ban chuyên môn");
        assert_eq!(cell(&t, r, ColumnRole::Output), "Kế hoạch");
        assert_eq!(cell(&t, r, ColumnRole::Deadline), "10/2025");
        let r = rows[1];
        assert_eq!(cell(&t, r, ColumnRole::Support), "Trung tâm Văn Hóa-Thể Thao-Truyền thông");
        assert_eq!(cell(&t, r, ColumnRole::Output), "Báo cáo số liệu");
        assert_eq!(cell(&t, r, ColumnRole::Deadline), "Thường xuyên");
        assert_eq!(r.group.as_ref().unwrap().numeral, "I");
    }

    #[test]
    fn page_number_inside_a_row() {
        let t = table(
            "TT Nội dung\nCơ quan\nchủ trì\nCơ quan\nphối hợp\nKết quả cần\nđạt\nThời gian hoàn\nthành\n\
             3\nTham gia các lớp \"học tập số\", phổ cập, nâng cao kiến thức\nKHCN, ĐMST, CĐS trong cán bộ, công chức và Nhân dân.\n\
             Phòng Văn\nhoá - Xã hội\nCác phòng,\nban, đơn vị;\nUỷ ban\nMTTQ\nphường, các\ntổ chức chính\nĐăng ký\ntham gia học\n\
             Theo triển khai của\ncác cơ quan chức\nnăng\n2\ntrị - xã hội\nphường\n\
             4\nTham gia các lớp học tập huấn, bồi dưỡng ứng dụng trí tuệ\nnhân tạo.\nPhòng Văn\nhoá - Xã hội\nCác phòng,\nban, đơn vị\nĐăng ký\nHàng năm",
        );
        let rows = data_rows(&t);
        assert_eq!(rows.iter().map(|r| r.number.clone().unwrap()).collect::<Vec<_>>(), ["3", "4"]);
        assert_eq!(
            cell(&t, rows[0], ColumnRole::Support),
            "Các phòng, ban, đơn vị; Uỷ ban MTTQ phường, các tổ chức chính trị - xã hội phường"
        );
        assert_eq!(cell(&t, rows[0], ColumnRole::Deadline), "Theo triển khai của các cơ quan chức năng");
        assert_eq!(cell(&t, rows[0], ColumnRole::Output), "Đăng ký tham gia học");
    }

    #[test]
    fn unnumbered_and_lost_number_rows() {
        let t = table(
            "Stt\nNội dung công việc\nCơ quan chủ trì\nCơ quan phối hợp\nSản phẩm đầu ra\nThời gian thực hiện\n\
             V\nĐẩy mạnh CĐS, ứng dụng KHCN, ĐMST trong hoạt động của các cơ quan trong hệ thống chính trị; nâng cao\n\
             hiệu quả quản trị, hiệu lực quản lý nhà nước\n\
             Xây dựng Kế hoạch Chuyển đổi số, ứng dụng KHCN, CĐS trong\ncơ quan nhà nước hàng năm\nPhòng Văn\nhóa-Xã hội\nPhòng, ban liên\nquan\nKế hoạch Hàng năm\n\
             2\nTriển khai các nền tảng số, thực hiện xây dựng số hóa các\ndữ liệu trên nền tảng chung của thành phố\nCác phòng\nchuyên môn\nUBND phường\nBáo cáo\nThường\nxuyên\n\
             Nâng cấp hệ thống thông tin giải quyết TTHC, số hóa hồ\nsơ, tài liệu, thanh toán điện tử.\nTrung tâm phục\nvụ hành chính\ncông\nPhòng chuyên\nmôn\nBáo cáo\nThường\nxuyên\n\
             3\nBảo đảm an toàn, an ninh mạng trên nền tảng số và không\ngian mạng.\nCông an\nPhòng, ban liên\nquan\nBáo cáo\nThường\nxuyên",
        );
        let rows = data_rows(&t);
        let nums: Vec<Option<String>> = rows.iter().map(|r| r.number.clone()).collect();
        assert_eq!(nums, [Some("1".into()), Some("2".into()), None, Some("3".into())]);
        assert!(rows[0].number_inferred);
        assert_eq!(t.rows[0].group.as_ref().unwrap().title, "Đẩy mạnh CĐS, ứng dụng KHCN, ĐMST trong hoạt động của các cơ quan trong hệ thống chính trị; nâng cao hiệu quả quản trị, hiệu lực quản lý nhà nước");
        assert_eq!(cell(&t, rows[0], ColumnRole::Output), "Kế hoạch");
        assert_eq!(cell(&t, rows[0], ColumnRole::Deadline), "Hàng năm");
        assert_eq!(cell(&t, rows[1], ColumnRole::Lead), "Các phòng chuyên môn UBND phường");
        assert_eq!(cell(&t, rows[1], ColumnRole::Support), "");
        assert_eq!(cell(&t, rows[2], ColumnRole::Content), "Nâng cấp hệ thống thông tin giải quyết TTHC, số hóa hồ sơ, tài liệu, thanh toán điện tử.");
        assert_eq!(cell(&t, rows[2], ColumnRole::Lead), "Trung tâm phục vụ hành chính công");
        assert_eq!(cell(&t, rows[2], ColumnRole::Support), "Phòng chuyên môn");
    }

    #[test]
    fn continuation_row_after_a_page_break() {
        // The repeated header is gone; the row goes on with more of its content cell.
        let t = table(
            "TT Nội dung\nCơ quan chủ trì\nCơ quan phối hợp\nThời gian hoàn thành\n\
             1\nRà soát các quy định pháp luật liên quan về khoa học, công nghệ, đổi\nmới sáng tạo và chuyển đổi số đề xuất, kiến nghị cơ quan có\n\
             thẩm quyền sửa đổi.\nVăn phòng\nHĐND-UBND\nCác phòng,\nban, đơn vị\nThường\nxuyên",
        );
        let rows = data_rows(&t);
        assert_eq!(rows.len(), 1);
        assert!(cell(&t, rows[0], ColumnRole::Content).ends_with("có thẩm quyền sửa đổi."));
        assert_eq!(cell(&t, rows[0], ColumnRole::Lead), "Văn phòng HĐND-UBND");
        assert_eq!(cell(&t, rows[0], ColumnRole::Deadline), "Thường xuyên");
    }

    #[test]
    fn indicator_rows_inline_cells_and_sub_rows() {
        let t = table(
            "TT Chỉ tiêu Đơn vị Kết quả\nCơ quan chủ trì theo\ndõi, đánh giá\nI Đến năm 2030\n1\n\
             Chỉ tiêu về thực hiện thủ tục hành chính, dịch vụ công và chỉ đạo, điều\nhành, quản trị nội bộ trên môi trường điện tử\n\
             1.1 Tỷ lệ sử dụng dịch vụ công trực tuyến của người dân và doanh nghiệp % ≥ 80 Trung tâm phục vụ HCC\n\
             1.2\nTỷ lệ cung cấp dịch vụ công trực tuyến toàn trình trên tổng số thủ tục\nhành chính có đủ điều kiện\n% 90\nTrung tâm phục vụ HCC\n\
             2 Hạ tầng số\nTiên tiến,\nhiện đại\nPhòng Văn hóa-Xã hội\n\
             3\nMức độ CĐS đối với các cơ sở giáo dục, cơ quan quản lý giáo dục trên\nđịa bàn thành phố đạt mức 2 trở lên\n%\n100\nPhòng Văn hóa-Xã hội",
        );
        assert_eq!(t.kind, TableKind::Indicator);
        let rows = data_rows(&t);
        let nums: Vec<&str> = rows.iter().map(|r| r.number.as_deref().unwrap()).collect();
        assert_eq!(nums, ["1", "1.1", "1.2", "2", "3"]);
        assert_eq!(cell(&t, rows[0], ColumnRole::Target), "");
        assert_eq!(cell(&t, rows[1], ColumnRole::Content), "Tỷ lệ sử dụng dịch vụ công trực tuyến của người dân và doanh nghiệp");
        assert_eq!(cell(&t, rows[1], ColumnRole::Unit), "%");
        assert_eq!(cell(&t, rows[1], ColumnRole::Target), "≥ 80");
        assert_eq!(cell(&t, rows[1], ColumnRole::Lead), "Trung tâm phục vụ HCC");
        assert_eq!(cell(&t, rows[2], ColumnRole::Target), "90");
        assert_eq!(cell(&t, rows[3], ColumnRole::Content), "Hạ tầng số");
        assert_eq!(cell(&t, rows[3], ColumnRole::Target), "Tiên tiến, hiện đại");
        assert_eq!(cell(&t, rows[4], ColumnRole::Target), "100");
    }

    #[test]
    fn period_columns_and_people() {
        let t = table(
            "TT Tên nhiệm vụ\nNăm\n2025\nNăm\n2030\nNăm\n2035\nCơ\nquan\nchủ trì\nCơ quan\nphối hợp\nNgười\nchỉ đạo\nNgười\ntheo dõi\nSản\nphẩm\nđầu ra\n\
             I Phát triển hạ tầng\n1\nTỷ lệ phủ sóng 5G trong khu\nđô thị trên địa bàn phường\n≥ 60% 100% -\nPhòng\nVHXH\nĐơn vị\ncung\nứng:\nVNTP,\nViettel,…\nLê Văn\nThức\nĐỗ Văn\nThanh\nBáo cáo\nkết quả\nthực\nhiện\n\
             2\nBố trí kinh phí cho khoa học, công\nnghệ từ ngân sách.\nTheo\nphân\nbổ\nTheo\nphân\nbổ\nTheo\nphân\nbổ\nPhòng\nKT,\nHT và\nĐT\nCác\nphòng,\nban\nTrưởng\nCác\nphòng\nban\nCông\nchức\nđược\nphân\ncông\nBáo\ncáo kết\nquả\n\
             3\nĐảng ủy sử dụng phần mềm\nquản trị thống nhất.\n- -\nVăn\nphòng\nUBND\nCác phòng,\nban\nLê Văn\nThức\nĐỗ Văn\nThanh\nBáo cáo",
        );
        let rows = data_rows(&t);
        let periods: Vec<usize> = t.columns.iter().enumerate().filter(|(_, c)| c.role == ColumnRole::Period).map(|(i, _)| i).collect();
        let vals = |r: &Row| periods.iter().map(|&p| r.cells[p].text.clone()).collect::<Vec<_>>();
        assert_eq!(vals(rows[0]), ["≥ 60%", "100%", "-"]);
        assert_eq!(cell(&t, rows[0], ColumnRole::Content), "Tỷ lệ phủ sóng 5G trong khu đô thị trên địa bàn phường");
        assert_eq!(cell(&t, rows[0], ColumnRole::Lead), "Phòng VHXH");
        assert_eq!(cell(&t, rows[0], ColumnRole::Support), "Đơn vị cung ứng: VNTP, Viettel,…");
        assert_eq!(cell(&t, rows[0], ColumnRole::Director), "Lê Văn Thức");
        assert_eq!(cell(&t, rows[0], ColumnRole::Monitor), "Đỗ Văn Thanh");
        assert_eq!(cell(&t, rows[0], ColumnRole::Output), "Báo cáo kết quả thực hiện");
        assert_eq!(vals(rows[1]), ["Theo phân bổ", "Theo phân bổ", "Theo phân bổ"]);
        assert_eq!(cell(&t, rows[1], ColumnRole::Lead), "Phòng KT, HT và ĐT");
        assert_eq!(cell(&t, rows[1], ColumnRole::Support), "Các phòng, ban");
        assert_eq!(cell(&t, rows[1], ColumnRole::Director), "Trưởng Các phòng ban");
        assert_eq!(cell(&t, rows[1], ColumnRole::Monitor), "Công chức được phân công");
        assert_eq!(cell(&t, rows[1], ColumnRole::Output), "Báo cáo kết quả");
        // Two values for three years: the first year is the empty one.
        assert_eq!(vals(rows[2]), ["", "-", "-"]);
    }

    #[test]
    fn tsv_and_markdown_tables() {
        let t = table(
            "TT\tNội dung chỉ tiêu\tChỉ tiêu của thành phố\tChỉ tiêu của phường\tĐơn vị chủ trì theo dõi, đánh giá\n\
             1\tTỷ lệ hồ sơ được số hóa\t>80%\t90%\tPhòng KTHT&ĐT\n\
             2\tDoanh nghiệp ứng dụng hóa đơn điện tử\t\t100%\tPhòng VHXXH",
        );
        assert_eq!(t.shape, Shape::Tsv);
        assert_eq!(t.kind, TableKind::Indicator);
        assert_eq!(t.columns[2].period.as_deref(), Some("thành phố"));
        let rows = data_rows(&t);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].cells[2].text, "");
        assert_eq!(rows[1].cells[3].text, "100%");
        assert_eq!(cell(&t, rows[0], ColumnRole::Lead), "Phòng KTHT&ĐT");
        // A markdown pipe table arrives as tab-separated lines after normalization.
        let src = crate::SourceText::from_string("t", "| TT | Nội dung | Cơ quan chủ trì | Thời gian |\n|---|---|---|---|\n| 1 | Rà soát | Công an | Quý IV/2025 |");
        let norm = crate::normalize::normalize(&src, &Default::default());
        let t = reconstruct(&norm, 0, norm.line_count() - 1, Rules::embedded());
        assert_eq!(t.kind, TableKind::Assignment);
        assert_eq!(cell(&t, &t.rows[0], ColumnRole::Deadline), "Quý IV/2025");
    }

    #[test]
    fn interleaved_ocr_line_best_effort() {
        // Columns interleaved on one OCR'd line: the header is still read; the row keeps its
        // number, its text and the agency found in it.
        let t = table("TT Noi dung Co quan chu tri Thoi gian\n1 Xay dung ke hoach chuyen doi so Phong Van hoa - Xa hoi Thuong xuyen");
        assert_eq!(t.kind, TableKind::Assignment);
        let rows = data_rows(&t);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].number.as_deref(), Some("1"));
        assert!(cell(&t, rows[0], ColumnRole::Content).starts_with("Xay dung ke hoach"));
    }

    const ASSIGN_HEADER: &str = "TT Nội dung\nCơ quan\nchủ trì\nCơ quan\nphối hợp\nKết quả cần\nđạt\nThời gian hoàn\nthành\n";
    const LONG: &str = "Rà soát các quy định của pháp luật liên quan về khoa học và công\nnghệ, đề xuất sửa đổi, bổ sung hoặc ban hành mới theo thẩm quyền.\n";

    #[test]
    fn deadline_forms_placed() {
        for (cells, out, dl) in [
            ("Báo cáo 10/2025", "Báo cáo", "10/2025"),
            ("Kế hoạch\nTháng 8 /2025", "Kế hoạch", "Tháng 8 /2025"),
            ("Quyết định Tháng 7,8/2025", "Quyết định", "Tháng 7,8/2025"),
            ("Báo cáo Duy trì thường\nxuyên", "Báo cáo", "Duy trì thường xuyên"),
            ("Báo cáo\nHằng năm", "Báo cáo", "Hằng năm"),
            ("Báo cáo\nNăm 2025", "Báo cáo", "Năm 2025"),
            ("Báo cáo\nTrong năm\n2025", "Báo cáo", "Trong năm 2025"),
            ("Báo cáo\n30/6/2026", "Báo cáo", "30/6/2026"),
            ("Báo cáo\nGiai đoạn 2025-2026", "Báo cáo", "Giai đoạn 2025-2026"),
            ("CSDL\nTheo Kế hoạch/đề\nán của cấp trên", "CSDL", "Theo Kế hoạch/đề án của cấp trên"),
            ("Theo văn bản\nhướng dẫn của\nthành phố\nThường\nxuyên", "Theo văn bản hướng dẫn của thành phố", "Thường xuyên"),
            ("Sau khi hệ\nthống dữ\nliệu được\nhoàn\nthành", "", "Sau khi hệ thống dữ liệu được hoàn thành"),
        ] {
            let t = table(&format!("{ASSIGN_HEADER}1\n{LONG}Phòng Văn\nhóa - Xã hội\nCác phòng,\nban, đơn vị\n{cells}"));
            let rows = data_rows(&t);
            assert_eq!(cell(&t, rows[0], ColumnRole::Output), out, "{cells}");
            assert_eq!(cell(&t, rows[0], ColumnRole::Deadline), dl, "{cells}");
            assert_eq!(cell(&t, rows[0], ColumnRole::Support), "Các phòng, ban, đơn vị", "{cells}");
        }
    }

    #[test]
    fn interleaved_first_line_of_a_short_row() {
        // A one-line content cell: the PDF dump puts the first line of every cell on one line.
        let t = table(&format!(
            "{ASSIGN_HEADER}1\n{LONG}{LONG}Phòng Văn\nhóa - Xã hội\nCác phòng,\nban, đơn vị\nBáo cáo\nThường xuyên\n\
             2 Cập nhật cơ sở dữ liệu đất đai Phòng Kinh Các phòng, CSDL Theo Dự án được\ntế, hạ tầng và\nĐô thị\nban, đơn vị có\nliên quan\nthành phố phê duyệt"
        ));
        let rows = data_rows(&t);
        assert_eq!(rows.len(), 2);
        let r = rows[1];
        assert_eq!(cell(&t, r, ColumnRole::Content), "Cập nhật cơ sở dữ liệu đất đai");
        assert_eq!(cell(&t, r, ColumnRole::Lead), "Phòng Kinh tế, hạ tầng và Đô thị");
        assert_eq!(cell(&t, r, ColumnRole::Support), "Các phòng, ban, đơn vị có liên quan");
        assert_eq!(cell(&t, r, ColumnRole::Output), "CSDL");
        assert_eq!(cell(&t, r, ColumnRole::Deadline), "Theo Dự án được thành phố phê duyệt");
    }

    #[test]
    fn numbering_continues() {
        assert!(continues(Some("1"), "1.1"));
        assert!(continues(Some("1.10"), "2"));
        assert!(continues(Some("1.10"), "1.11"));
        assert!(!continues(Some("3"), "2"));
        assert!(!continues(Some("1"), "100"));
        assert!(is_value_line("≥ 60% 100% - - -"));
        assert!(is_value_line("80-90% ≥ 90%"));
        assert!(!is_value_line("Theo phân bổ"));
        assert_eq!(value_tokens("- - 50% 80% 100%"), ["-", "-", "50%", "80%", "100%"]);
    }
}

#[cfg(test)]
mod robustness {
    use super::*;

    /// Any window of any corpus text, read as a table, gives a table and never a panic.
    #[test]
    fn arbitrary_line_windows_do_not_panic() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let rules = Rules::embedded();
        for e in std::fs::read_dir(dir).expect("corpus") {
            let p = e.expect("entry").path();
            if p.extension().is_none_or(|x| x != "txt") {
                continue;
            }
            let src = crate::ingest::read_path(&p).expect("read");
            let norm = crate::normalize::normalize(&src, &Default::default());
            let n = norm.line_count();
            let mut a = 0;
            while a < n {
                let b = (a + 40).min(n - 1);
                let t = reconstruct(&norm, a, b, rules);
                for r in &t.rows {
                    assert_eq!(r.cells.len(), t.columns.len());
                }
                a += 41;
            }
        }
        // Odd shapes.
        for text in ["TT", "TT\t", "\t\t\t", "TT Nội dung Cơ quan chủ trì\nI\nII\n1\n1\n1", "STT Chỉ tiêu Năm 2025 Năm 2025\n1 x - - - -", "TT Nội dung\n1 Phòng: : ;;"] {
            let lines: Vec<(usize, String)> = text.lines().enumerate().map(|(i, l)| (i, l.to_string())).collect();
            let _ = reconstruct_lines(&lines, rules);
        }
    }
}
