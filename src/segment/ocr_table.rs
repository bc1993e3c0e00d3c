//! Tables out of OCR text whose columns interleave.
//!
//! Tesseract reads a scanned table line by line across all columns: a row's "anchor" line
//! holds its number and the one-line cells separated by `|` ("3 | truy cập băng thông rộng
//! cố định | ≥60% | 100% | ... | Chi - Phó Chủ tịch | Phòng Văn"), and the wrapped lines of
//! the tall cells (content, agency, person) sit above and below it, without separators,
//! content on the left, the other cells on the right. Page headers repeat, group rows
//! ("II | Phát triển nguồn lực") cut the table, and glyphs come out damaged.
//!
//! [`read_lines`] rebuilds such a table as a [`Table`] the extractors already understand:
//! - the header is found by fuzzy match of the column labels of `rules/columns.toml`
//!   (OCR glues and breaks header words); its lines, repeated on later pages, are skipped;
//! - anchor rows are lines that continue the row numbering (1, 2, 3 …) or, where the number
//!   is unreadable, lines shaped like a row (separators right after a short first token,
//!   target values); a row number split over two lines ("1" / "8 …") is joined;
//! - every other line is cut into a content part (left) and a cell part (right): the cell
//!   part is the longest tail made of pieces of agency names (`rules/agencies.toml`) and
//!   of the person and deadline phrases of `rules/ocr_tables.toml`;
//! - lines between two anchors go to the upper row until a line starts a new content cell
//!   (a capital after a finished line) or a new agency / person cell;
//! - a row's cell parts are dealt into its agency columns in order, each column taking the
//!   longest run that stays a piece of an agency name; the rest is the deadline;
//! - target cells are read with the OCR glyph repairs of `rules/ocr_tables.toml`
//!   ("10005" → "100%", "> 9504" → "≥95%"); an unreadable cell keeps its place and gives
//!   no target.
//!
//! Rows whose content cell is mostly unreadable are not read: they come back in
//! [`OcrRead::unread`] for a warning, so that no garbage item is produced.
//!
//! Tables Tesseract lays out cell block by cell block instead (born-digital tables: a row's
//! number, its content lines, then every other cell on lines of its own) are read by
//! [`read_blocks`]; [`read_lines`] keeps whichever of the two readings reads more rows.

use super::table::{Cell, Column, ColumnRole, GroupInfo, Row, Shape, Table, TableKind};
use crate::fold::fold;
use crate::normalize::NormText;
use crate::rules::{LazyRegex, RuleSource, Rules};
use regex::Regex;
use serde::Deserialize;

// ---------------------------------------------------------------------------------------
// Rules

#[derive(Debug, Deserialize)]
struct File {
    header: HeaderFile,
    cells: CellsFile,
    values: ValuesFile,
    #[serde(default)]
    blocks: BlocksFile,
}

#[derive(Debug, Deserialize)]
#[serde(default)]
struct BlocksFile {
    group_numeral: String,
    wide_ratio: f64,
    wide_words: usize,
    units: Vec<String>,
}

impl Default for BlocksFile {
    fn default() -> Self {
        BlocksFile { group_numeral: r"^[IVXivxl1]{1,4}\.?$".into(), wide_ratio: 0.6, wide_words: 5, units: vec!["%".into()] }
    }
}

#[derive(Debug, Deserialize)]
struct HeaderFile {
    min_len: usize,
    max_ratio: f64,
    span: usize,
    min_roles: usize,
}

#[derive(Debug, Deserialize)]
struct CellsFile {
    person_marker: String,
    group_numeral: String,
    phrases: Vec<String>,
    deadlines: Vec<String>,
    deadline_starts: Vec<String>,
    deadline_ratio: f64,
}

#[derive(Debug, Deserialize)]
struct ValuesFile {
    percent_glyphs: Vec<String>,
    ge_glyphs: Vec<String>,
    min_plausible: f64,
}

/// Compiled `rules/ocr_tables.toml`. Its regexes are compiled at their first use: most
/// documents have no table that needs the OCR reader.
#[derive(Debug)]
pub struct OcrTableRules {
    min_len: usize,
    max_ratio: f64,
    span: usize,
    min_roles: usize,
    person_marker: LazyRegex,
    group_numeral: LazyRegex,
    phrases: Vec<Vec<String>>,
    deadlines: Vec<(String, String)>,
    deadline_starts: Vec<String>,
    deadline_ratio: f64,
    value: LazyRegex,
    ge_glyphs: Vec<String>,
    min_plausible: f64,
    block_numeral: LazyRegex,
    wide_ratio: f64,
    wide_words: usize,
    units: Vec<String>,
}

impl OcrTableRules {
    pub fn load(source: &RuleSource) -> crate::Result<OcrTableRules> {
        let (text, shown) = source.read("ocr_tables.toml")?;
        let f: File = crate::rules::parse_toml(&text, &shown)?;
        let re = |src: &str| {
            LazyRegex::new(src).map_err(|e| crate::rules::rule_error(&shown, &text, src, format!("bad regex: {e}")))
        };
        let mut glyphs: Vec<String> = f.values.percent_glyphs.iter().map(|g| regex::escape(g)).collect();
        glyphs.sort_by_key(|g| std::cmp::Reverse(g.len()));
        let mut ops: Vec<String> = f.values.ge_glyphs.iter().map(|g| regex::escape(g)).collect();
        ops.extend(["≤", "<"].map(String::from));
        ops.sort_by_key(|g| std::cmp::Reverse(g.len()));
        let value = LazyRegex::new(&format!(r"^(?P<op>{})?\s*(?P<num>\d{{1,3}}(?:[.,]\d{{1,2}})?)(?P<pct>{})?$", ops.join("|"), glyphs.join("|")))
            .map_err(|e| crate::rules::rule_error(&shown, &text, "percent_glyphs", format!("bad glyphs: {e}")))?;
        Ok(OcrTableRules {
            min_len: f.header.min_len,
            max_ratio: f.header.max_ratio,
            span: f.header.span.max(1),
            min_roles: f.header.min_roles,
            person_marker: re(&f.cells.person_marker)?,
            group_numeral: re(&f.cells.group_numeral)?,
            phrases: f.cells.phrases.iter().map(|p| words(p)).filter(|w| !w.is_empty()).collect(),
            deadlines: f.cells.deadlines.iter().map(|d| (d.clone(), fold(d).replace(' ', ""))).collect(),
            deadline_starts: f.cells.deadline_starts.iter().map(|w| fold(w)).collect(),
            deadline_ratio: f.cells.deadline_ratio,
            value,
            ge_glyphs: f.values.ge_glyphs.clone(),
            min_plausible: f.values.min_plausible,
            block_numeral: re(&f.blocks.group_numeral)?,
            wide_ratio: f.blocks.wide_ratio,
            wide_words: f.blocks.wide_words.max(1),
            units: f.blocks.units.clone(),
        })
    }
}

fn words(s: &str) -> Vec<String> {
    fold(s).split(' ').filter(|w| !w.is_empty() && w.chars().any(char::is_alphanumeric)).map(str::to_string).collect()
}

// ---------------------------------------------------------------------------------------
// Tokens

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A `|` column separator.
    Sep,
    /// A readable target value; its canonical text is in `value`.
    Value,
    /// Digits that stand in a target cell but cannot be read ("4a00", "550,").
    BadValue,
    /// A word that looks like Vietnamese (or a number, an acronym, a code).
    Word,
    /// Anything else: stray glyphs, broken words.
    Junk,
}

#[derive(Debug, Clone)]
struct Tok {
    text: String,
    key: String,
    kind: Kind,
    value: Option<String>,
}

static SYLLABLE: once_cell::sync::Lazy<Regex> = once_cell::sync::Lazy::new(|| {
    Regex::new(
        r"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?(?:uye|uya|oai|oay|uay|uoi|uou|ieu|yeu|oeo|ai|ao|au|ay|eo|eu|ia|ie|iu|oa|oe|oi|oo|ua|ue|ui|uo|uu|uy|ye|a|e|i|o|u|y)(?:ng|nh|ch|[cmnpt]|[iouy])?$",
    )
    .expect("valid regex")
});
static CODE: once_cell::sync::Lazy<Regex> = once_cell::sync::Lazy::new(|| {
    Regex::new(r"^(?:\d+(?:[.,/:-]\d+)*[A-Za-z]{0,2}|[0-9A-Za-zĐđ]+(?:[/-][0-9A-Za-zĐđ]+)+|\p{Lu}{2,}[a-z]?\p{Lu}*)$").expect("valid regex")
});

static NUMBER: once_cell::sync::Lazy<Regex> =
    once_cell::sync::Lazy::new(|| Regex::new(r"^\d+(?:[.,/]\d+)*$").expect("valid regex"));

/// Whether a folded word is made of one to four syllables glued by OCR ("hoso",
/// "quyetthu").
fn glued_syllables(f: &str) -> bool {
    fn go(s: &str, left: usize) -> bool {
        if s.is_empty() {
            return true;
        }
        if left == 0 {
            return false;
        }
        (1..=s.len().min(7)).rev().any(|k| s.is_char_boundary(k) && SYLLABLE.is_match(&s[..k]) && go(&s[k..], left - 1))
    }
    go(f, 4)
}

/// Whether a word (punctuation around it trimmed) looks like a Vietnamese word, a number,
/// an acronym or a document code.
fn plausible(word: &str) -> bool {
    let core = word.trim_matches(|c: char| !c.is_alphanumeric());
    if core.is_empty() {
        return false;
    }
    if CODE.is_match(core) && (core.chars().any(|c| c.is_ascii_digit()) || core.chars().filter(|c| c.is_uppercase()).count() >= 2) {
        return core.chars().any(|c| c.is_ascii_digit()) || core.chars().all(|c| !c.is_lowercase()) || core.chars().filter(|c| c.is_uppercase()).count() >= 2;
    }
    let f = fold(core).replace(' ', "");
    !f.is_empty() && f.chars().all(|c| c.is_ascii_lowercase()) && (SYLLABLE.is_match(&f) || glued_syllables(&f))
}

fn tokenize(line: &str, r: &OcrTableRules) -> Vec<Tok> {
    let spaced = line.replace('|', " | ");
    let raw: Vec<&str> = spaced.split_whitespace().collect();
    let mut out: Vec<Tok> = Vec::new();
    let mut i = 0;
    while i < raw.len() {
        let t = raw[i];
        // An operator standing apart from its number: "> 9504".
        if i + 1 < raw.len() && r.ge_glyphs.iter().any(|g| g == t) && raw[i + 1].starts_with(|c: char| c.is_ascii_digit()) {
            let joined = format!("{t}{}", raw[i + 1]);
            if let Some(v) = read_value(&joined, r) {
                out.push(Tok { text: joined.clone(), key: fold(&joined), kind: Kind::Value, value: Some(v) });
                i += 2;
                continue;
            }
        }
        out.push(classify(t, r));
        i += 1;
    }
    out
}

fn classify(t: &str, r: &OcrTableRules) -> Tok {
    let key = fold(t).replace(' ', "");
    let tok = |kind, value| Tok { text: t.to_string(), key: key.clone(), kind, value };
    if t == "|" {
        return tok(Kind::Sep, None);
    }
    if matches!(t, "-" | "–" | "—") {
        return tok(Kind::Value, Some("-".into()));
    }
    if let Some(v) = read_value(t, r) {
        return tok(Kind::Value, Some(v));
    }
    let digits = t.chars().filter(|c| c.is_ascii_digit()).count();
    let letters = t.chars().filter(|c| c.is_alphabetic()).count();
    if digits >= 2 && digits * 2 >= t.chars().count() && !CODE.is_match(t.trim_matches(|c: char| !c.is_alphanumeric())) {
        return tok(Kind::BadValue, None);
    }
    if letters == 0 && digits >= 1 {
        // Numbers: small ones, years and dates are words; long digit runs, numbers with
        // stray glyphs and cut ranges ("80-") are broken target values.
        let core = t.trim_end_matches([',', '.', ';', ':']);
        let number = digits < 2 || NUMBER.is_match(core) && (digits <= 3 || (digits == 4 && (core.starts_with("19") || core.starts_with("20"))) || core.contains('/'));
        return tok(if number { Kind::Word } else { Kind::BadValue }, None);
    }
    if digits >= 2 && digits > letters && (t.ends_with('%') || t.starts_with(['>', '=', '≥'])) {
        return tok(Kind::BadValue, None);
    }
    if plausible(t) {
        tok(Kind::Word, None)
    } else {
        tok(Kind::Junk, None)
    }
}

/// A target value with the OCR glyph repairs: "=60%" → "≥60%", "10005" → "100%".
fn read_value(t: &str, r: &OcrTableRules) -> Option<String> {
    let t = t.trim_end_matches([',', '.', ';']);
    let c = r.value.captures(t)?;
    let num = c.name("num")?.as_str();
    let op = c.name("op").map(|m| m.as_str());
    let pct = c.name("pct").map(|m| m.as_str())?;
    let op_text = match op {
        Some(o) if r.ge_glyphs.iter().any(|g| g == o) => "≥",
        Some(o) => o,
        None => "",
    };
    if pct != "%" && op.is_none() && num != "100" {
        return None;
    }
    let n: f64 = num.replace(',', ".").parse().ok()?;
    if n > 100.0 {
        return None;
    }
    Some(format!("{op_text}{num}%"))
}

/// A number standing where a target value should be ("550,").
fn number_word(t: &Tok) -> bool {
    t.kind == Kind::Word && !t.text.chars().any(char::is_alphabetic) && t.text.chars().any(|c| c.is_ascii_digit())
}

fn is_value(t: &Tok) -> bool {
    matches!(t.kind, Kind::Value | Kind::BadValue)
}

// ---------------------------------------------------------------------------------------
// Fuzzy helpers

/// Smallest edit distance between `pat` and any stretch of `text` (approximate
/// substring), and where the best stretch ends in `text`.
fn substring_match(pat: &[char], text: &[char]) -> (usize, usize) {
    let mut prev: Vec<usize> = vec![0; text.len() + 1];
    let mut cur: Vec<usize> = vec![0; text.len() + 1];
    for (i, &p) in pat.iter().enumerate() {
        cur[0] = i + 1;
        for j in 1..=text.len() {
            let sub = prev[j - 1] + usize::from(p != text[j - 1]);
            cur[j] = sub.min(prev[j] + 1).min(cur[j - 1] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev.iter().enumerate().map(|(j, &d)| (d, j)).min().unwrap_or((pat.len(), 0))
}

/// Two folded words equal up to OCR damage: one edit in a word of four letters or more.
fn word_eq(a: &str, b: &str) -> bool {
    a == b || (a.chars().count().min(b.chars().count()) >= 4 && strsim::levenshtein(a, b) <= 1)
}

/// Whether `ws` appears in `phrase` as a run of words (with OCR damage: at most one word
/// in three differs), and where.
fn run_in(ws: &[&str], phrase: &[String]) -> Option<usize> {
    if ws.is_empty() || ws.len() > phrase.len() {
        return None;
    }
    let allowed = ws.len() / 4;
    (0..=phrase.len() - ws.len()).find(|&o| {
        let miss = ws.iter().zip(&phrase[o..]).filter(|(a, b)| !word_eq(a, b)).count();
        miss <= allowed && word_eq(ws[0], &phrase[o]) && word_eq(ws[ws.len() - 1], &phrase[o + ws.len() - 1])
    })
}

/// Vocabulary of the non-content cells: every agency alias and name, and the phrases of
/// `rules/ocr_tables.toml`.
struct Vocab {
    agencies: Vec<Vec<String>>,
    /// Agency of each entry of `agencies`.
    agency_of: Vec<usize>,
    phrases: Vec<Vec<String>>,
    /// Folded first words of deadline cells.
    deadline_starts: Vec<String>,
}

impl Vocab {
    fn new(rules: &Rules) -> Vocab {
        let mut agencies: Vec<Vec<String>> = Vec::new();
        let mut agency_of = Vec::new();
        for (i, a) in rules.agencies.agencies.iter().enumerate() {
            for w in std::iter::once(&a.name).chain(a.aliases.iter()).map(|x| words(x)).filter(|w| !w.is_empty()) {
                agencies.push(w);
                agency_of.push(i);
            }
        }
        let mut phrases = agencies.clone();
        phrases.extend(rules.ocr_tables.phrases.iter().cloned());
        let deadline_starts = rules.ocr_tables.deadline_starts.clone();
        Vocab { agencies, agency_of, phrases, deadline_starts }
    }

    fn in_phrase(&self, ws: &[&str]) -> bool {
        self.phrases.iter().any(|p| run_in(ws, p).is_some()) || self.joined(ws)
    }

    /// Whether `ws` starts a phrase.
    fn starts_phrase(&self, ws: &[&str]) -> bool {
        self.phrases.iter().any(|p| run_in(ws, p) == Some(0))
    }

    /// Whether `ws` ends a phrase (the last line of a wrapped cell).
    fn ends_phrase(&self, ws: &[&str]) -> bool {
        self.phrases.iter().any(|p| ws.len() <= p.len() && run_in(ws, p) == Some(p.len() - ws.len())) || self.joined(ws)
    }

    /// "… công và các …": the end of one agency name, "và", the start of another.
    fn joined(&self, ws: &[&str]) -> bool {
        let Some(v) = ws.iter().position(|w| *w == "va") else { return false };
        let (a, b) = (&ws[..v], &ws[v + 1..]);
        if a.is_empty() || b.is_empty() {
            return false;
        }
        let ends = self.agencies.iter().any(|p| a.len() <= p.len() && run_in(a, p) == Some(p.len() - a.len()));
        ends && self.agency_start(b)
    }

    fn in_agency(&self, ws: &[&str]) -> bool {
        self.agencies.iter().any(|p| run_in(ws, p).is_some())
    }

    /// A word glued from two consecutive words of an agency name ("Vanhoa-").
    fn unglue(&self, key: &str) -> Option<(String, String)> {
        let k = key.replace(' ', "");
        self.agencies.iter().flat_map(|p| p.windows(2)).find(|w| w[0].len() + w[1].len() == k.len() && k.starts_with(w[0].as_str()) && k.ends_with(w[1].as_str())).map(|w| (w[0].clone(), w[1].clone()))
    }

    /// The agency a piece of a name belongs to: the rules' own matcher first, else the
    /// agency whose name holds the piece as a run of words covering half of it or more.
    fn canonical(&self, piece: &[String], rules: &Rules) -> Option<String> {
        let ws: Vec<&str> = piece.iter().map(String::as_str).collect();
        let contained = self
            .agencies
            .iter()
            .zip(&self.agency_of)
            .filter(|(p, _)| ws.len() >= 2 && run_in(&ws, p).is_some() && ws.len() * 2 >= p.len())
            .min_by_key(|(p, _)| p.len())
            .map(|(_, &i)| rules.agencies.agencies[i].name.clone());
        // The start of the names of one agency only ("Phòng Văn" …).
        let prefix = || {
            let mut of: Vec<usize> = self.agencies.iter().zip(&self.agency_of).filter(|(p, _)| ws.len() >= 2 && run_in(&ws, p) == Some(0)).map(|(_, &i)| i).collect();
            of.sort_unstable();
            of.dedup();
            (of.len() == 1).then(|| rules.agencies.agencies[of[0]].name.clone())
        };
        contained.or_else(prefix).or_else(|| rules.agencies.resolve(&piece.join(" ")).into_iter().find(|m| m.known && !m.fuzzy).map(|m| m.name))
    }

    /// Whether `ws` is how an agency name begins.
    fn agency_start(&self, ws: &[&str]) -> bool {
        self.agencies.iter().any(|p| run_in(ws, p) == Some(0))
    }
}

// ---------------------------------------------------------------------------------------
// Header

fn header_roles(line: &str, rules: &Rules) -> Vec<(ColumnRole, Option<String>)> {
    header_roles_with(line, rules, false)
}

/// Roles named in a header text; with `consume`, the text a (longer) label matched is not
/// matched again by a shorter one ("kết quả cần đạt" is an output, not also a target).
fn header_roles_with(line: &str, rules: &Rules, consume: bool) -> Vec<(ColumnRole, Option<String>)> {
    let r = &rules.ocr_tables;
    let folded = fold(line);
    let mut fw: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
    let mut out = Vec::new();
    for w in &fw {
        if w.len() == 4 && (w.starts_with("19") || w.starts_with("20")) && w.chars().all(|c| c.is_ascii_digit()) {
            out.push((ColumnRole::Period, Some(w.to_string())));
        }
    }
    let mut squeezed: Vec<char> = folded.chars().filter(|c| c.is_alphabetic()).collect();
    for (label, role) in rules.columns.labels() {
        if out.iter().any(|(r2, _)| r2 == role) {
            continue;
        }
        let joined: String = label.concat();
        let n = joined.chars().count();
        let found = if n < r.min_len {
            let at = (0..(fw.len() + 1).saturating_sub(label.len())).find(|&i| fw[i..i + label.len()].iter().zip(label).all(|(a, b)| a == b));
            if let (true, Some(i)) = (consume, at) {
                fw[i..i + label.len()].iter_mut().for_each(|w| *w = "#");
            }
            at.is_some()
        } else {
            let pat: Vec<char> = joined.chars().collect();
            let (d, end) = substring_match(&pat, &squeezed);
            let found = (d as f64) <= (n as f64 * r.max_ratio).floor();
            if found && consume {
                squeezed[end.saturating_sub(n)..end].iter_mut().for_each(|c| *c = '#');
            }
            found
        };
        if found {
            out.push((*role, None));
        }
    }
    out
}

struct Header {
    /// Index (in the lines given) of the first line after the header.
    body_start: usize,
    columns: Vec<Column>,
    kind: TableKind,
    /// Folded texts of the header lines, to skip repeats.
    lines: Vec<String>,
}

fn find_header(lines: &[(usize, String)], rules: &Rules) -> Option<Header> {
    let r = &rules.ocr_tables;
    let limit = lines.len().min(40);
    let roles: Vec<Vec<(ColumnRole, Option<String>)>> = lines[..limit].iter().map(|(_, l)| header_roles(l, rules)).collect();
    for h in 0..limit {
        if roles[h].is_empty() {
            continue;
        }
        let end = (h + r.span).min(limit);
        let mut all: Vec<(ColumnRole, Option<String>)> = Vec::new();
        let mut last = h;
        for (k, rs) in roles.iter().enumerate().take(end).skip(h) {
            let headerish = rs.len() >= 2 || (rs.len() == 1 && (lines[k].1.contains('|') || lines[k].1.split_whitespace().count() <= 6));
            if !headerish && !rs.is_empty() {
                break;
            }
            if !headerish {
                continue;
            }
            last = k;
            for x in rs {
                if !all.contains(x) {
                    all.push(x.clone());
                }
            }
        }
        let mut distinct: Vec<ColumnRole> = all.iter().map(|(r, _)| *r).collect();
        distinct.sort_by_key(|r| *r as u8);
        distinct.dedup();
        if !distinct.contains(&ColumnRole::Content) || distinct.len() < r.min_roles {
            continue;
        }
        // Short label lines around the labelled ones ("Cơ quan", "đánh giá").
        let short = |l: &str| !l.chars().any(|c| c.is_ascii_digit()) && l.split_whitespace().filter(|w| w.chars().any(char::is_alphabetic)).count() <= 3;
        let mut first = h;
        while first > 0 && h - first < 2 && short(&lines[first - 1].1) {
            first -= 1;
        }
        let mut body_start = last + 1;
        while body_start < lines.len() && body_start - last <= 2 && short(&lines[body_start].1) && lines[body_start].1.chars().find(|c| c.is_alphabetic()).is_some_and(|c| c.is_lowercase()) {
            body_start += 1;
        }
        let Some((columns, kind)) = header_columns(&all) else { continue };
        let hl = lines[first..body_start].iter().map(|(_, l)| fold(l)).collect();
        return Some(Header { body_start, columns, kind, lines: hl });
    }
    None
}

/// The columns of a table from the roles its header names (each period column its own),
/// and what kind of table they make; `None` when they make neither kind.
fn header_columns(all: &[(ColumnRole, Option<String>)]) -> Option<(Vec<Column>, TableKind)> {
    let mut distinct: Vec<ColumnRole> = all.iter().map(|(r, _)| *r).collect();
    distinct.sort_by_key(|r| *r as u8);
    distinct.dedup();
    let periods: Vec<String> = all.iter().filter_map(|(r, p)| (*r == ColumnRole::Period).then(|| p.clone()).flatten()).collect();
    let has = |role| distinct.contains(&role);
    let kind = if periods.len() >= 2 || has(ColumnRole::Target) {
        TableKind::Indicator
    } else if has(ColumnRole::Lead) || has(ColumnRole::Support) || has(ColumnRole::Deadline) {
        TableKind::Assignment
    } else {
        return None;
    };
    let col = |role, label: &str| Column { role, label: label.to_string(), period: None };
    let mut columns = vec![col(ColumnRole::Number, "STT"), col(ColumnRole::Content, "")];
    if has(ColumnRole::Unit) {
        columns.push(col(ColumnRole::Unit, ""));
    }
    for p in &periods {
        columns.push(Column { role: ColumnRole::Period, label: p.clone(), period: Some(p.clone()) });
    }
    if has(ColumnRole::Target) && periods.is_empty() {
        columns.push(col(ColumnRole::Target, ""));
    }
    for role in [ColumnRole::Director, ColumnRole::Monitor] {
        if has(role) {
            columns.push(col(role, ""));
        }
    }
    columns.push(col(ColumnRole::Lead, ""));
    if kind == TableKind::Assignment || has(ColumnRole::Support) {
        columns.push(col(ColumnRole::Support, ""));
    }
    if has(ColumnRole::Output) {
        columns.push(col(ColumnRole::Output, ""));
    }
    if kind == TableKind::Assignment || has(ColumnRole::Deadline) {
        columns.push(col(ColumnRole::Deadline, ""));
    }
    Some((columns, kind))
}

// ---------------------------------------------------------------------------------------
// Lines

#[derive(Debug, Clone)]
struct Line {
    idx: usize,
    toks: Vec<Tok>,
}

impl Line {
    fn first_word(&self) -> Option<&Tok> {
        self.toks.first()
    }
}

fn is_number(t: &Tok) -> Option<u32> {
    let s = t.text.trim_end_matches(['.', '|']);
    (!s.is_empty() && s.len() <= 3 && s.chars().all(|c| c.is_ascii_digit())).then(|| s.parse().ok()).flatten()
}

/// Group row: optional numeral, a separator, a capitalized title, no values.
fn group_title(line: &Line, r: &OcrTableRules) -> Option<String> {
    let t = &line.toks;
    if t.len() > 14 {
        return None;
    }
    let mut i = 0;
    let mut numeral = false;
    while i < t.len() && (t[i].kind == Kind::Sep || (!numeral && r.group_numeral.is_match(&t[i].text) && t[i].text.chars().any(|c| matches!(c, 'I' | 'V' | 'X' | 'l')))) {
        if t[i].kind != Kind::Sep {
            numeral = true;
        }
        i += 1;
    }
    if i == 0 || !t[..i].iter().any(|x| x.kind == Kind::Sep) || i >= t.len() {
        return None;
    }
    let rest = &t[i..];
    if rest.iter().any(|x| x.kind == Kind::Sep || is_value(x)) || !rest[0].text.starts_with(|c: char| c.is_uppercase()) {
        return None;
    }
    let good = rest.iter().filter(|x| x.kind == Kind::Word).count();
    (good * 2 > rest.len() && good >= 2).then(|| rest.iter().map(|x| x.text.as_str()).collect::<Vec<_>>().join(" "))
}

/// Cut a line into its content part (left) and cell part (right): the cell part is the
/// longest tail made of pieces of cell phrases, glyph junk, separators and values, or
/// everything from a person marker on.
fn split_cells(toks: &[Tok], vocab: &Vocab, rules: &Rules) -> usize {
    let mut cut = toks.len();
    // Pieces found so far since the last separator.
    // Whether the piece found last (to the right) starts with a capital; `None` at the
    // line end or after a separator.
    let mut right_cap: Option<bool> = None;
    // Left of a person cell there is only the content (and values): no agency pieces.
    let mut person = false;
    if let Some(p) = person_start(toks, rules) {
        cut = p;
        person = true;
    }
    let noise = |t: &Tok| {
        let letters = t.text.chars().filter(|c| c.is_alphabetic()).count();
        let digits = t.text.chars().filter(|c| c.is_ascii_digit()).count();
        (letters <= 1 && digits == 0) || (letters == 0 && digits <= 2)
    };
    let word = |t: &Tok| t.kind == Kind::Word && !date_like(t) && !noise(t);
    let capital = |t: &Tok| t.kind == Kind::Word && t.text.starts_with(|c: char| c.is_uppercase());
    loop {
        // Junk, separators, values and dates at the end belong to the cells.
        while cut > 0 && !word(&toks[cut - 1]) {
            let t = &toks[cut - 1];
            // A word ending a sentence ends the content cell.
            if t.text.chars().filter(|c| c.is_alphabetic()).count() >= 2 && t.text.ends_with(['.', ';', '?', '!']) {
                break;
            }
            if t.kind == Kind::Sep {
                right_cap = None;
            }
            cut -= 1;
        }
        if cut == 0 || person {
            break;
        }
        if toks[cut - 1].text.ends_with(['.', ';', '?', '!']) && !toks[cut - 1].text.ends_with("..") {
            break;
        }
        let mut best = 0;
        for len in 1..=cut.min(9) {
            let span = &toks[cut - len..cut];
            if span.iter().any(|t| t.kind == Kind::Sep) {
                break;
            }
            // Hyphens inside a name ("Văn hóa - Xã hội") are part of it.
            let dash = |t: &Tok| t.value.as_deref() == Some("-");
            if span.iter().any(|t| t.kind != Kind::Word && !dash(t)) || dash(&span[0]) {
                continue;
            }
            let ws: Vec<&str> = span.iter().filter(|t| !dash(t)).map(|t| t.key.as_str()).collect();
            let cap = capital(&span[0]);
            // A cell piece starts a cell (capital), ends a wrapped cell, or stands alone
            // on the line with only glyph noise before it.
            let alone = toks[..cut - len].iter().all(|t| !word(t));
            let ends_ok = match right_cap {
                None => ws.len() >= 3,
                Some(c) => c && ws.len() >= 2,
            };
            let single_ok = ws.len() >= 2 || (span[0].key.chars().count() >= 3 && (vocab.starts_phrase(&ws) || vocab.ends_phrase(&ws)));
            let ok = (cap && single_ok && vocab.in_phrase(&ws))
                || (ends_ok && vocab.ends_phrase(&ws))
                || (ws.len() >= 2 && alone && vocab.in_phrase(&ws));
            if ok {
                best = len;
            }
        }
        if best == 0 {
            // An agency name starting a little to the left, with a word or two of noise
            // after it ("Phòng Kinh tế, 4¢c phường,").
            let from = cut.saturating_sub(7);
            let skip = (from..cut.saturating_sub(1)).find(|&p| {
                capital(&toks[p])
                    && word(&toks[p + 1])
                    && vocab.agency_start(&[toks[p].key.as_str(), toks[p + 1].key.as_str()])
                    && toks[p..cut].iter().filter(|t| t.kind == Kind::Sep).count() == 0
                    && {
                        let mut e = p + 2;
                        while e < cut && word(&toks[e]) && vocab.in_agency(&toks[p..=e].iter().map(|t| t.key.as_str()).collect::<Vec<_>>()) {
                            e += 1;
                        }
                        toks[e..cut].iter().filter(|t| word(t)).count() <= 2
                    }
            });
            match skip {
                Some(p) => {
                    cut = p;
                    right_cap = Some(true);
                    continue;
                }
                None => break,
            }
        }
        right_cap = Some(capital(&toks[cut - best]));
        cut -= best;
    }
    cut
}

/// Where a person cell starts: a person marker ("Đ/c"), or a family name followed by a
/// capitalized word after at most a glyph or two ("Bl Nguyễn Knanh").
fn person_start(toks: &[Tok], rules: &Rules) -> Option<usize> {
    let r = &rules.ocr_tables;
    (0..toks.len()).find(|&p| {
        r.person_marker.is_match(&toks[p].text)
            || (p + 1 < toks.len()
                && rules.columns.is_family_name(&toks[p].text)
                && toks[p + 1].text.starts_with(|c: char| c.is_uppercase())
                && (p == 0 || toks[p - 1].text.chars().count() <= 2))
    })
}

fn date_like(t: &Tok) -> bool {
    t.text.contains('/') && t.text.chars().any(|c| c.is_ascii_digit()) && !t.text.chars().any(char::is_alphabetic)
}

/// Words of a content part without stray glyphs at its ends; empty when the part is
/// glyph noise (mostly junk, or letters scattered one or two at a time).
fn clean_content(toks: &[Tok]) -> Vec<Tok> {
    let alnum = |t: &Tok| t.kind != Kind::Sep && t.text.chars().any(char::is_alphanumeric);
    let Some(a) = toks.iter().position(alnum) else { return Vec::new() };
    let b = toks.iter().rposition(alnum).unwrap_or(a);
    let part: Vec<Tok> = toks[a..=b].iter().filter(|t| t.kind != Kind::Sep).cloned().collect();
    let lettered: Vec<&Tok> = part.iter().filter(|t| t.text.chars().any(char::is_alphabetic)).collect();
    if !lettered.is_empty() {
        let letters: usize = lettered.iter().map(|t| t.text.chars().filter(|c| c.is_alphabetic()).count()).sum();
        let long: Vec<&&Tok> = lettered.iter().filter(|t| t.text.chars().filter(|c| c.is_alphabetic()).count() >= 2).collect();
        let junk = long.iter().filter(|t| t.kind != Kind::Word).count();
        let noisy = if long.len() <= 4 { junk * 2 >= long.len() } else { junk * 2 > long.len() };
        if lettered.len() >= 2 && ((letters as f64) < 2.0 * lettered.len() as f64 || (noisy && !long.is_empty())) {
            return Vec::new();
        }
        let junk = lettered.iter().filter(|t| t.kind != Kind::Word).count();
        // Short words only, one or two of them: glyph noise ("sự Là").
        if lettered.len() <= 2 && lettered.iter().all(|t| t.text.chars().filter(|c| c.is_alphabetic()).count() <= 2) && part.len() <= 3 {
            return Vec::new();
        }
        // One short word or one broken word alone on a line is glyph noise.
        if lettered.len() == 1 && (junk == 1 || letters <= 2) && part.len() <= 2 {
            return Vec::new();
        }
    }
    // A tail that is mostly junk is a value or glyph cell run into the content.
    let bad = |t: &Tok| t.kind != Kind::Word || t.text.chars().filter(|c| c.is_alphabetic()).count() <= 1;
    let mut cut = part.len();
    for j in (0..part.len()).rev() {
        let rest = &part[j..];
        let nbad = rest.iter().filter(|t| bad(t)).count();
        let starts_bad = bad(&part[j]);
        if rest.len() >= 3 && starts_bad && nbad * 2 > rest.len() {
            cut = j;
        }
    }
    part[..cut].to_vec()
}

// ---------------------------------------------------------------------------------------
// Reading

/// A table read from OCR lines, with the rows that could not be read.
#[derive(Debug, Clone)]
pub struct OcrRead {
    pub table: Table,
    /// (first line, reason) of each row left out.
    pub unread: Vec<(usize, String)>,
}

/// Reads normalized lines `first..=last` (header included) as an OCR-interleaved table.
pub fn read(norm: &NormText, first: usize, last: usize, rules: &Rules) -> Option<OcrRead> {
    let last = last.min(norm.line_count().checked_sub(1)?);
    let lines: Vec<(usize, String)> = (first..=last).map(|i| (i, norm.line(i).trim().to_string())).collect();
    read_lines(&lines, rules)
}

#[derive(Debug, Default, Clone)]
struct RowBuild {
    number: String,
    inferred: bool,
    group: Option<GroupInfo>,
    anchor: Option<usize>,
    /// (line index, content tokens, cell tokens)
    parts: Vec<(usize, Vec<Tok>, Vec<Tok>)>,
    values: Vec<Tok>,
}

/// Same as [`read`], over (line number, text) pairs: the table read as interleaved
/// columns ([`read_interleaved`]) or as cell blocks ([`read_blocks`]), whichever reads
/// more rows.
pub fn read_lines(lines: &[(usize, String)], rules: &Rules) -> Option<OcrRead> {
    let interleaved = read_interleaved(lines, rules);
    let blocks = read_blocks(lines, rules);
    let rows = |x: &Option<OcrRead>| x.as_ref().map_or(0, |x| x.table.rows.iter().filter(|r| !r.is_group).count());
    if rows(&blocks) > rows(&interleaved) {
        blocks
    } else {
        interleaved
    }
}

/// The table read as OCR-interleaved columns (see the module documentation).
pub fn read_interleaved(lines: &[(usize, String)], rules: &Rules) -> Option<OcrRead> {
    let r = &rules.ocr_tables;
    let header = find_header(lines, rules)?;
    let vocab = Vocab::new(rules);
    let indicator = header.kind == TableKind::Indicator;
    let nperiods = header.columns.iter().filter(|c| matches!(c.role, ColumnRole::Period | ColumnRole::Target)).count();

    // Body lines without header repeats and page numbers.
    let mut body: Vec<Line> = Vec::new();
    for (idx, text) in &lines[header.body_start..] {
        let f = fold(text);
        if f.is_empty() {
            continue;
        }
        let repeat = header.lines.iter().any(|h| !h.is_empty() && strsim::normalized_levenshtein(h, &f) >= 0.75)
            || header_roles(text, rules).iter().filter(|(r, _)| *r != ColumnRole::Number).count() >= 3;
        if repeat {
            continue;
        }
        let toks = tokenize(text, r);
        if toks.len() == 1 && is_number(&toks[0]).is_some() {
            continue; // page number
        }
        body.push(Line { idx: *idx, toks });
    }

    // Anchors and group rows.
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        None,
        Anchor(u32, bool),
        Group,
    }
    let mut marks = vec![Mark::None; body.len()];
    let mut groups: Vec<Option<String>> = vec![None; body.len()];
    let mut expected = 1u32;
    let mut i = 0;
    while i < body.len() {
        let t = &body[i].toks.clone();
        let vals = t.iter().filter(|x| is_value(x)).count();
        let seps = t.iter().filter(|x| x.kind == Kind::Sep).count();
        let n0 = t.first().and_then(is_number);
        let sep_early = t.iter().take(3).any(|x| x.kind == Kind::Sep);
        let short0 = t.first().is_some_and(|x| x.text.chars().count() <= 3 && x.kind != Kind::Sep);
        let mut mark = Mark::None;
        if let Some(n) = n0.filter(|&n| n == expected || n == expected + 1) {
            let ok = if indicator { seps >= 1 || vals >= 1 } else { t.len() >= 2 };
            if ok {
                mark = Mark::Anchor(n, false);
            }
        }
        if mark == Mark::None && short0 && sep_early && (if indicator { vals >= 2 } else { n0.is_none() && t.len() >= 3 && t[1].kind == Kind::Sep }) {
            mark = Mark::Anchor(expected, true);
        }
        // A number split over two lines: "1" then "8 ...".
        if mark == Mark::None && !indicator {
            if let (Some(a), Some(b)) = (n0, body.get(i + 1).and_then(|n| n.toks.first()).and_then(is_number)) {
                if format!("{a}{b}") == expected.to_string() {
                    marks[i] = Mark::None;
                    body[i].toks.remove(0);
                    if body[i + 1].toks.len() >= 2 {
                        marks[i + 1] = Mark::Anchor(expected, false);
                        expected += 1;
                        i += 2;
                        continue;
                    }
                }
            }
        }
        if mark == Mark::None {
            if let Some(title) = group_title(&body[i], r) {
                mark = Mark::Group;
                groups[i] = Some(title);
            }
        }
        if let Mark::Anchor(n, _) = mark {
            expected = n + 1;
        }
        marks[i] = mark;
        i += 1;
    }
    let anchors: Vec<usize> = (0..body.len()).filter(|&k| matches!(marks[k], Mark::Anchor(..))).collect();
    if anchors.len() < 2 {
        return None;
    }

    // Parts of every line.
    let mut content: Vec<Vec<Tok>> = Vec::with_capacity(body.len());
    let mut cells: Vec<Vec<Tok>> = Vec::with_capacity(body.len());
    let mut values: Vec<Vec<Tok>> = vec![Vec::new(); body.len()];
    for (k, l) in body.iter().enumerate() {
        let t = &l.toks;
        if let Mark::Anchor(..) = marks[k] {
            // Number, content up to the first separator or value run, values, cells.
            let mut s = 1;
            while s < t.len() && t[s].kind == Kind::Sep {
                s += 1;
            }
            let mut e = s;
            while e < t.len() && t[e].kind != Kind::Sep && !(indicator && is_value(&t[e])) {
                e += 1;
            }
            // Junk right before the values stands for unreadable value cells ("] ] i 80-").
            let mut c_end = e;
            if indicator {
                // A broken word right before the separator is an unreadable first value
                // ("ỨNG 1 gnoq | 100%"), short glyphs right before a value are lost values
                // ("(chăm ] ] i 80-").
                let at_value = e < t.len() && is_value(&t[e]);
                let after = t[e..].iter().take_while(|x| x.kind != Kind::Word || number_word(x)).filter(|x| is_value(x) || number_word(x)).count();
                if after < nperiods && c_end > s && t[c_end - 1].kind == Kind::Junk && t[c_end - 1].text.chars().count() >= 3 {
                    c_end -= 1;
                }
                while at_value && c_end > s && t[c_end - 1].kind == Kind::Junk && t[c_end - 1].text.chars().count() <= 2 {
                    c_end -= 1;
                }
            }
            let mut v = e;
            let mut vals: Vec<Tok> = t[c_end..e].iter().map(|x| Tok { kind: Kind::BadValue, ..x.clone() }).collect();
            if indicator {
                while v < t.len() {
                    let x = &t[v];
                    let next_is_cell = t[v..].iter().take_while(|y| y.kind != Kind::Sep).any(|y| y.kind == Kind::Word);
                    if x.kind == Kind::Sep || is_value(x) || number_word(x) {
                        if is_value(x) || number_word(x) {
                            vals.push(x.clone());
                        }
                        v += 1;
                    } else if x.kind == Kind::Junk && !next_is_cell {
                        vals.push(Tok { kind: Kind::BadValue, ..x.clone() });
                        v += 1;
                    } else {
                        break;
                    }
                }
            } else if e < t.len() {
                // The first separator after the content closes it.
                v = e;
            } else {
                // The content cell runs on to the cell part.
                let cut = split_cells(&t[s..], &vocab, rules) + s;
                c_end = cut.max(s);
                v = c_end;
            }
            content.push(clean_content(&t[s..c_end]));
            cells.push(t[v..].to_vec());
            values[k] = vals;
        } else {
            // Separators part cells: the content is left of the first one.
            let sep = t.iter().position(|x| x.kind == Kind::Sep).unwrap_or(t.len());
            let cut = split_cells(&t[..sep], &vocab, rules);
            content.push(clean_content(&t[..cut]));
            cells.push(t[cut..].to_vec());
        }
    }

    // Owners: each line goes to the row of an anchor.
    let mut rows: Vec<RowBuild> = Vec::new();
    let mut owner: Vec<Option<usize>> = vec![None; body.len()];
    let mut unread: Vec<(usize, String)> = Vec::new();
    let mut group: Option<GroupInfo> = None;
    let mut group_count = 0usize;
    let roman = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"];
    let ends_sentence = |toks: &[Tok]| toks.last().is_some_and(|t| t.text.ends_with(['.', ';', ':', '!', '?', ')']));
    let bullet = |l: &Line| l.first_word().is_some_and(|t| matches!(t.text.as_str(), "-" | "+" | "•"));
    // Lines before the first anchor, then between anchors.
    let mut prev_anchor: Option<usize> = None;
    for (ai, &a) in anchors.iter().enumerate() {
        let Mark::Anchor(num, inferred) = marks[a] else { continue };
        let from = prev_anchor.map_or(0, |p| p + 1);
        let between: Vec<usize> = (from..a).collect();
        // Groups split the stretch: before → previous row, after → this one.
        let last_group = between.iter().rposition(|&k| marks[k] == Mark::Group).map(|p| between[p]);
        let prev_num = prev_anchor.map(|p| if let Mark::Anchor(n, _) = marks[p] { n } else { 0 });
        let gap = prev_num.map_or(1, |p| num.saturating_sub(p).max(1)) as usize;
        // New rows in this stretch: lost numbers first, then this anchor's row.
        let mut starts: Vec<usize> = Vec::new();
        if let Some(g) = last_group {
            for &k in &between {
                if marks[k] == Mark::Group {
                    group_count += 1;
                    let numeral = roman.get(group_count - 1).map_or_else(|| group_count.to_string(), |s| s.to_string());
                    group = Some(GroupInfo { numeral, title: groups[k].clone().unwrap_or_default() });
                }
            }
            let after: Vec<usize> = between.iter().copied().filter(|&k| k > g).collect();
            if prev_anchor.is_some() {
                for &k in between.iter().filter(|&&k| k < g) {
                    owner[k] = Some(rows.len() - 1);
                }
            }
            starts.push(after.first().copied().unwrap_or(a));
        } else if prev_anchor.is_none() {
            starts.push(from);
        } else {
            let last_row = rows.len().checked_sub(1);
            let mut has_bullet = (0..a).any(|k| owner[k].is_some() && owner[k] == last_row && bullet(&body[k])) || prev_anchor.is_some_and(|p| bullet(&body[p]));
            let mut cand = Vec::new();
            // One person cell a row: a second one starts the next row.
            let has_person = |k: usize| person_start(&cells[k], rules).is_some();
            let mut seen_person = (0..a).any(|k| owner[k].is_some() && owner[k] == last_row && has_person(k)) || prev_anchor.is_some_and(has_person);
            for (pos, &k) in between.iter().enumerate() {
                let c = &content[k];
                let second_person = has_person(k) && seen_person && indicator;
                seen_person |= has_person(k);
                let starter = if let Some(first) = c.first() {
                    let is_bullet = bullet(&body[k]);
                    let word = Some(first);
                    let capital = word.is_some_and(|w| w.text.starts_with(|ch: char| ch.is_uppercase()) && w.kind == Kind::Word && w.key.chars().count() >= 2);
                    let prev_open = pos == 0 && !ends_sentence(&content[a.min(between[0]).saturating_sub(1).max(prev_anchor.unwrap_or(0))]);
                    capital && !(is_bullet && has_bullet) && !prev_open
                } else {
                    let ws: Vec<&str> = cells[k].iter().filter(|t| t.kind == Kind::Word).take(2).map(|t| t.key.as_str()).collect();
                    let first_cell = cells[k].iter().find(|t| t.kind == Kind::Word);
                    has_person(k)
                        || (first_cell.is_some_and(|t| t.text.starts_with(|ch: char| ch.is_uppercase())) && ws.len() == 2 && vocab.agency_start(&ws))
                };
                if bullet(&body[k]) {
                    has_bullet = true;
                }
                if starter || second_person {
                    cand.push(k);
                }
            }
            if cand.len() >= gap {
                starts.extend(cand[..gap].iter().copied());
            } else {
                starts.extend(cand.iter().copied());
                while starts.len() < gap {
                    starts.push(a);
                }
                // Most likely the missing starts are the earliest rows: keep order.
            }
            starts.sort_unstable();
            let first_new = starts[0];
            for &k in between.iter().filter(|&&k| k < first_new) {
                owner[k] = Some(rows.len() - 1);
            }
        }
        // Create rows: lost numbers, then this one.
        let base = prev_num.unwrap_or(num.saturating_sub(1));
        for (si, &s) in starts.iter().enumerate() {
            let is_last = si + 1 == starts.len();
            let n = if is_last { num } else { base + 1 + si as u32 };
            let end = if is_last { a } else { starts[si + 1].saturating_sub(1).max(s) };
            rows.push(RowBuild {
                number: n.to_string(),
                inferred: if is_last { inferred } else { true },
                group: group.clone(),
                anchor: is_last.then_some(a),
                ..Default::default()
            });
            let ri = rows.len() - 1;
            for k in s..=end.min(a) {
                if k < body.len() && owner[k].is_none() && marks[k] != Mark::Group && (k >= from) {
                    owner[k] = Some(ri);
                }
            }
        }
        prev_anchor = Some(a);
        // After the last anchor, the rest goes to it up to the end.
        if ai + 1 == anchors.len() {
            for k in a + 1..body.len() {
                if marks[k] != Mark::Group {
                    owner[k] = Some(rows.len() - 1);
                }
            }
        }
    }
    for (k, o) in owner.iter().enumerate() {
        tracing::debug!(
            "ocr table line {}: {:?} row {:?} | content {:?} | cells {:?}",
            body[k].idx,
            match marks[k] { Mark::Anchor(n, _) => format!("anchor {n}"), Mark::Group => "group".into(), Mark::None => String::new() },
            o.map(|ri| rows[ri].number.clone()),
            content[k].iter().map(|t| t.text.as_str()).collect::<Vec<_>>().join(" "),
            cells[k].iter().map(|t| t.text.as_str()).collect::<Vec<_>>().join(" ")
        );
        if let Some(ri) = *o {
            // OCR sometimes reads a line twice, once garbled: keep the better reading.
            let mine = content[k].clone();
            let text = |c: &[Tok]| fold(&c.iter().map(|t| t.text.as_str()).collect::<Vec<_>>().join(" "));
            let score = |c: &[Tok]| c.iter().filter(|t| t.kind == Kind::Word).count() as f64 / c.len().max(1) as f64;
            if let Some(prev) = rows[ri].parts.iter_mut().rev().find(|p| !p.1.is_empty()) {
                let (a, b) = (text(&prev.1), text(&mine));
                if a.len() >= 20 && b.len() >= 20 && strsim::normalized_levenshtein(&a, &b) >= 0.6 {
                    if score(&mine) > score(&prev.1) {
                        prev.1 = mine;
                    }
                    rows[ri].parts.push((body[k].idx, Vec::new(), cells[k].clone()));
                    if !values[k].is_empty() {
                        rows[ri].values = values[k].clone();
                    }
                    continue;
                }
            }
            rows[ri].parts.push((body[k].idx, mine, cells[k].clone()));
            if !values[k].is_empty() {
                rows[ri].values = values[k].clone();
            }
        }
    }

    // Rows → table rows.
    let cols = &header.columns;
    let col_of = |role: ColumnRole| cols.iter().position(|c| c.role == role);
    let mut out_rows: Vec<Row> = Vec::new();
    let mut last_group: Option<String> = None;
    for rb in &rows {
        if let Some(g) = &rb.group {
            if last_group.as_deref() != Some(g.numeral.as_str()) {
                last_group = Some(g.numeral.clone());
                out_rows.push(Row { number: None, number_inferred: false, group: Some(g.clone()), is_group: true, cells: Vec::new(), first_line: rb.parts.first().map_or(0, |p| p.0), last_line: rb.parts.first().map_or(0, |p| p.0) });
            }
        }
        let first_line = rb.parts.first().map_or(0, |p| p.0);
        let last_line = rb.parts.last().map_or(first_line, |p| p.0);
        let name_toks: Vec<&Tok> = rb.parts.iter().flat_map(|(_, c, _)| c.iter()).collect();
        let name = join_words(&name_toks);
        let lettered: Vec<&&Tok> = name_toks.iter().filter(|t| t.text.chars().filter(|c| c.is_alphabetic()).count() >= 2).collect();
        let good = lettered.iter().filter(|t| t.kind == Kind::Word).count();
        let lower_start = name.starts_with(|c: char| c.is_lowercase())
            || name_toks.iter().find(|t| t.text.chars().any(char::is_alphabetic)).is_some_and(|t| t.text.chars().filter(|c| c.is_alphabetic()).count() < 2 || t.kind != Kind::Word && t.text.starts_with(|c: char| c.is_lowercase()));
        // The anchor line is the middle of the row: with nothing readable there, what is
        // left is pieces of the cell's edges.
        let anchor_empty = rb.anchor.is_some_and(|a| rb.parts.iter().any(|p| p.0 == body[a].idx && p.1.is_empty()));
        if lettered.len() < 3 || (good as f64) < r.min_plausible * lettered.len() as f64 || lower_start || anchor_empty {
            let shown: String = name.chars().take(60).collect();
            unread.push((first_line, format!("row {} of an OCR table not read: its content cell is unreadable (\"{shown}\")", rb.number)));
            continue;
        }
        let mut row_cells = vec![Cell::default(); cols.len()];
        let lines_of = |f: &dyn Fn(&(usize, Vec<Tok>, Vec<Tok>)) -> bool| rb.parts.iter().filter(|p| f(p)).map(|p| p.0).collect::<Vec<_>>();
        if let Some(c) = col_of(ColumnRole::Content) {
            row_cells[c] = Cell { text: name.clone(), raw: name.clone(), lines: lines_of(&|p| !p.1.is_empty()) };
        }
        // Values into period columns, in order.
        let period_cols: Vec<usize> = (0..cols.len()).filter(|&c| matches!(cols[c].role, ColumnRole::Period | ColumnRole::Target)).collect();
        if indicator {
            for (slot, v) in rb.values.iter().take(nperiods).enumerate() {
                if let (Some(&c), Some(val)) = (period_cols.get(slot), &v.value) {
                    row_cells[c] = Cell { text: val.clone(), raw: val.clone(), lines: rb.anchor.map(|a| vec![body[a].idx]).unwrap_or_default() };
                }
            }
        }
        // Cell parts: person, then agencies, then deadline.
        let d = deal_cells(rb, &vocab, rules, col_of(ColumnRole::Director).is_some(), col_of(ColumnRole::Support).is_some());
        let all_lines: Vec<usize> = rb.parts.iter().map(|p| p.0).collect();
        let list = |v: Vec<String>| (!v.is_empty()).then(|| (v.join("; "), v.join("\n")));
        let texts = [
            (ColumnRole::Director, d.director.map(|t| (t.clone(), t))),
            (ColumnRole::Lead, list(d.lead)),
            (ColumnRole::Support, list(d.support)),
            (ColumnRole::Deadline, d.deadline.map(|t| (t.clone(), t))),
        ];
        for (role, text) in texts {
            if let (Some(c), Some((text, raw))) = (col_of(role), text) {
                row_cells[c] = Cell { text, raw, lines: all_lines.clone() };
            }
        }
        out_rows.push(Row {
            number: Some(rb.number.clone()),
            number_inferred: rb.inferred,
            group: rb.group.clone(),
            is_group: false,
            cells: row_cells,
            first_line,
            last_line,
        });
    }
    Some(OcrRead { table: Table { columns: header.columns.clone(), rows: out_rows, shape: Shape::Flat, kind: header.kind }, unread })
}

fn join_words(toks: &[&Tok]) -> String {
    let mut s = String::new();
    for t in toks {
        if t.kind == Kind::Sep {
            continue;
        }
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(&t.text);
    }
    s
}

/// A deadline cell read as one of the full deadline phrases when close to it.
fn canonical_deadline(t: &str, r: &OcrTableRules) -> String {
    let f = fold(t).replace(' ', "");
    let best = r
        .deadlines
        .iter()
        .map(|(p, k)| (p, strsim::levenshtein(k, &f)))
        .min_by_key(|(_, d)| *d);
    match best {
        Some((p, d)) if (d as f64) <= (f.chars().count().max(1) as f64 * r.deadline_ratio) => p.clone(),
        _ => completed_deadline(&f, r).unwrap_or_else(|| t.to_string()),
    }
}

/// A deadline cell cut short ("Thường", "Thuon": the rest wrapped onto a line given to
/// another cell, or lost to the OCR) is the one full phrase it starts, allowing one
/// damaged letter; when several phrases start so ("Hằng …"), it stays as read.
fn completed_deadline(folded: &str, r: &OcrTableRules) -> Option<String> {
    let n = folded.chars().count();
    if n < 4 {
        return None;
    }
    let mut starts = r.deadlines.iter().filter(|(_, k)| {
        let head: String = k.chars().take(n).collect();
        k.chars().count() > n && strsim::levenshtein(&head, folded) <= 1
    });
    match (starts.next(), starts.next()) {
        (Some((p, _)), None) => Some(p.clone()),
        _ => None,
    }
}

/// Cell texts of a row.
struct Dealt {
    director: Option<String>,
    lead: Vec<String>,
    support: Vec<String>,
    deadline: Option<String>,
}

/// The person, lead, support and deadline cells of a row from its cell parts: on each
/// line, a person part first (a person marker and the name after it, a title up to
/// "… tịch", "UBND …"), then the agency columns in order, each taking the longest run of
/// words that stays inside one agency name (or two joined by "và"), then the deadline.
/// Agencies come out under their canonical names.
fn deal_cells(rb: &RowBuild, vocab: &Vocab, rules: &Rules, has_director: bool, has_support: bool) -> Dealt {
    let r = &rules.ocr_tables;
    let mut director: Vec<String> = Vec::new();
    let ncols = if has_support { 2 } else { 1 };
    let mut agency: Vec<Vec<Vec<String>>> = vec![vec![Vec::new()]; ncols];
    let mut deadline: Vec<String> = Vec::new();
    let date_like = |t: &Tok| t.text.contains('/') && t.text.chars().any(|c| c.is_ascii_digit());
    let capital = |t: &Tok| t.text.starts_with(|c: char| c.is_uppercase());
    let starts_deadline = |t: &Tok| date_like(t) || (capital(t) && vocab.deadline_starts.iter().any(|d| word_eq(d, &t.key)));
    for (_, _, cell) in &rb.parts {
        // Words, broken words long enough to be damaged names, person markers, dates.
        let mut ws: Vec<Tok> = Vec::new();
        for t in cell {
            let marker = r.person_marker.is_match(&t.text);
            if t.kind == Kind::Junk && !marker {
                if let Some((a, b)) = vocab.unglue(&t.key) {
                    ws.push(Tok { text: t.text.clone(), key: a, kind: Kind::Word, value: None });
                    ws.push(Tok { text: String::new(), key: b, kind: Kind::Word, value: None });
                    continue;
                }
            }
            let long_junk = t.kind == Kind::Junk && t.text.chars().filter(|c| c.is_alphabetic()).count() >= 3;
            if t.kind == Kind::Word || marker || long_junk || date_like(t) {
                ws.push(t.clone());
            }
        }
        let mut i = 0;
        if has_director {
            if ws.first().is_some_and(|t| r.person_marker.is_match(&t.text)) {
                director.push("Đ/c".to_string());
                i = 1;
                while i < ws.len() && i <= 3 && capital(&ws[i]) && ws[i].kind == Kind::Word {
                    let next: Vec<&str> = ws[i..(i + 2).min(ws.len())].iter().map(|t| t.key.as_str()).collect();
                    if vocab.agency_start(&next) {
                        break;
                    }
                    director.push(ws[i].text.clone());
                    i += 1;
                }
            }
            if let Some(p) = ws.iter().skip(i).position(|t| t.key.ends_with("tich")).map(|p| p + i) {
                if p < i + 5 {
                    director.extend(ws[i..=p].iter().map(|t| t.text.clone()));
                    i = p + 1;
                }
            }
            if i + 1 < ws.len() && ws[i].key == "ubnd" {
                director.extend([ws[i].text.clone(), ws[i + 1].text.clone()]);
                i += 2;
            }
        }
        let in_deadline = !deadline.is_empty();
        for col in agency.iter_mut() {
            if in_deadline {
                break;
            }
            loop {
                if i >= ws.len() || starts_deadline(&ws[i]) {
                    break;
                }
                let cur = col.last_mut().expect("one segment");
                if cur.is_empty() && !capital(&ws[i]) {
                    break;
                }
                // A word or two of noise between the pieces of a name ("phường Ôn hóa").
                if !cur.is_empty() {
                    let continues = |k: usize| {
                        let mut seq: Vec<&str> = cur.iter().map(String::as_str).collect();
                        seq.push(ws[k].key.as_str());
                        vocab.in_agency(&seq)
                    };
                    if let Some(k) = (i..(i + 3).min(ws.len())).find(|&k| continues(k)) {
                        i = k;
                    }
                }
                let mut take = 0;
                for len in 1..=(ws.len() - i).min(8) {
                    if ws[i + len - 1].kind != Kind::Word && len == 1 && cur.is_empty() {
                        continue;
                    }
                    let mut seq: Vec<&str> = cur.iter().map(String::as_str).collect();
                    seq.extend(ws[i..i + len].iter().map(|t| t.key.as_str()));
                    if vocab.in_agency(&seq) {
                        take = len;
                    }
                }
                cur.extend(ws[i..i + take].iter().map(|t| t.key.clone()));
                i += take;
                // "… và các phòng": a second agency in the same cell.
                if take > 0 && i + 1 < ws.len() && ws[i].key == "va" && vocab.in_agency(&[ws[i + 1].key.as_str()]) {
                    col.push(Vec::new());
                    i += 1;
                    continue;
                }
                break;
            }
        }
        // The deadline: from a word that starts one, or going on from an earlier line.
        while i < ws.len() && deadline.is_empty() && !starts_deadline(&ws[i]) {
            i += 1;
        }
        let continues = |t: &Tok| date_like(t) || starts_deadline(t) || r.deadlines.iter().any(|(p, _)| words(p).iter().any(|w| word_eq(w, &t.key)));
        while i < ws.len() && continues(&ws[i]) {
            deadline.push(ws[i].text.clone());
            i += 1;
        }
    }
    let names = |segs: &Vec<Vec<String>>| {
        let mut out: Vec<String> = Vec::new();
        for seg in segs.iter().filter(|s| !s.is_empty()) {
            if let Some(n) = vocab.canonical(seg, rules) {
                if !out.contains(&n) {
                    out.push(n);
                }
            }
        }
        out
    };
    Dealt {
        director: (!director.is_empty()).then(|| director.join(" ")),
        lead: names(&agency[0]),
        support: agency.get(1).map(names).unwrap_or_default(),
        deadline: (!deadline.is_empty()).then(|| canonical_deadline(&deadline.join(" "), r)),
    }
}

// ---------------------------------------------------------------------------------------
// Cell blocks

/// A row number as printed ("1", "1.1", "1.10"), as its parts.
fn row_number(t: &str) -> Option<Vec<u32>> {
    let s = t.trim_end_matches(['.', ')']);
    let parts: Vec<&str> = s.split(['.', ',']).collect();
    if s.is_empty() || parts.len() > 3 || parts.iter().any(|p| p.is_empty() || p.len() > 2 || !p.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    parts.iter().map(|p| p.parse().ok()).collect()
}

/// Numbers that may follow `prev`: the next sibling of it or of an ancestor ("1.10" →
/// "1.11", "2"), a first child ("1.10.1"), and the sibling after next (a row whose number
/// was lost). At the start of a numbering: "1" or "1.1".
fn next_numbers(prev: Option<&[u32]>) -> Vec<Vec<u32>> {
    let Some(p) = prev.filter(|p| !p.is_empty()) else { return vec![vec![1], vec![1, 1]] };
    let mut out = Vec::new();
    for j in (0..p.len()).rev() {
        let mut s = p[..=j].to_vec();
        s[j] += 1;
        out.push(s);
    }
    let mut child = p.to_vec();
    child.push(1);
    out.push(child);
    let mut skip = p.to_vec();
    if let Some(l) = skip.last_mut() {
        *l += 2;
    }
    out.push(skip);
    out
}

/// The next sibling of `prev` (the number of a row whose number was lost).
fn next_sibling(prev: Option<&[u32]>) -> Vec<u32> {
    match prev.filter(|p| !p.is_empty()) {
        Some(p) => {
            let mut s = p.to_vec();
            if let Some(l) = s.last_mut() {
                *l += 1;
            }
            s
        }
        None => vec![1],
    }
}

/// The number a row-number token stands for when it continues the numbering after `prev`
/// (the last row's number) or `printed` (the last number printed): "15" after "1.4" is
/// "1.5" with its dot lost.
fn continues_numbering(t: &str, prev: Option<&[u32]>, printed: Option<&[u32]>) -> Option<Vec<u32>> {
    let n = row_number(t)?;
    let ok = |n: &Vec<u32>| next_numbers(prev).contains(n) || next_numbers(printed).contains(n);
    if ok(&n) {
        return Some(n);
    }
    let digits = t.trim_end_matches(['.', ')']).as_bytes();
    if n.len() == 1 && digits.len() == 2 {
        let split = vec![u32::from(digits[0] - b'0'), u32::from(digits[1] - b'0')];
        if ok(&split) {
            return Some(split);
        }
    }
    None
}

fn number_text(n: &[u32]) -> String {
    n.iter().map(u32::to_string).collect::<Vec<_>>().join(".")
}

fn first_char(t: &str) -> Option<char> {
    t.chars().next()
}

fn starts_upper(t: &str) -> bool {
    first_char(t).is_some_and(char::is_uppercase)
}

fn starts_lower(t: &str) -> bool {
    first_char(t).is_some_and(char::is_lowercase)
}

static BLOCK_VALUE: once_cell::sync::Lazy<Regex> = once_cell::sync::Lazy::new(|| {
    Regex::new(r"^(?P<op>[≥≤><=])?(?P<num>\d{1,3}(?:[.,]\d{1,2})?(?:[-–]\d{1,3}(?:[.,]\d{1,2})?)?)(?P<pct>%)?[,;]?$").expect("valid regex")
});
static DATE: once_cell::sync::Lazy<Regex> =
    once_cell::sync::Lazy::new(|| Regex::new(r"^(?:\d{1,2}[/.-]){1,2}\d{4}[.,;]?$").expect("valid regex"));

/// A target value token: its text as printed (operator glyphs read as "≥"), and whether it
/// is surely a value (an operator, a percentage or a dash) rather than a bare number.
fn value_tok(t: &str, r: &OcrTableRules) -> Option<(String, bool)> {
    let c = BLOCK_VALUE.captures(t)?;
    let num = c.name("num")?.as_str();
    let pct = c.name("pct").map_or("", |m| m.as_str());
    let op = match c.name("op").map(|m| m.as_str()) {
        Some(o) if r.ge_glyphs.iter().any(|g| g == o) => "≥",
        Some(o) => o,
        None => "",
    };
    if pct.is_empty() && num.parse::<f64>().map_or(true, |n| n > 100.0) && !num.contains(['-', '–']) {
        return None;
    }
    let text = if op.is_empty() { format!("{num}{pct}") } else { format!("{op} {num}{pct}") };
    Some((text, !op.is_empty() || !pct.is_empty()))
}

/// Target values starting at token `i`: the values, whether they are sure, and how many
/// tokens they take ("-", "---" for three dashes, "> 80", "> = 80", "≥60%").
fn values_at(toks: &[&str], i: usize, r: &OcrTableRules) -> Option<(Vec<String>, bool, usize)> {
    let t = *toks.get(i)?;
    let dashes = t.chars().count();
    if dashes <= 5 && t.chars().all(|c| matches!(c, '-' | '–' | '—')) {
        return Some((vec!["-".to_string(); dashes], true, 1));
    }
    if let Some((v, sure)) = value_tok(t, r) {
        return Some((vec![v], sure, 1));
    }
    let is_op = |t: &str| r.ge_glyphs.iter().any(|g| g == t) || matches!(t, "≥" | "≤" | "<" | ">");
    let mut j = i;
    while j < toks.len() && j < i + 2 && is_op(toks[j]) {
        j += 1;
    }
    if j > i && j < toks.len() {
        let ge = toks[i..j].iter().any(|o| r.ge_glyphs.iter().any(|g| g == o));
        let op = if ge { "≥" } else { toks[i] };
        if let Some((v, _)) = value_tok(toks[j], r).filter(|(v, _)| v.starts_with(|c: char| c.is_ascii_digit())) {
            return Some((vec![format!("{op} {v}")], true, j - i + 1));
        }
    }
    None
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CellKind {
    Unit,
    Value,
    Text,
}

#[derive(Debug, Clone)]
struct BlockCell {
    kind: CellKind,
    text: String,
    lines: Vec<usize>,
}

#[derive(Debug, Clone)]
struct BlockRow {
    number: Option<Vec<u32>>,
    inferred: bool,
    /// Index into the groups read so far.
    group: Option<usize>,
    /// (line number, text) of the row's lines, the number left out.
    lines: Vec<(usize, String)>,
}

struct Blocks<'a> {
    rules: &'a Rules,
    vocab: Vocab,
    indicator: bool,
    /// Usual length of a content line.
    width: f64,
}

impl Blocks<'_> {
    fn r(&self) -> &OcrTableRules {
        &self.rules.ocr_tables
    }

    fn wide(&self, t: &str) -> bool {
        t.chars().count() as f64 >= self.r().wide_ratio * self.width
    }

    fn is_unit(&self, t: &str) -> bool {
        self.r().units.iter().any(|u| u == t)
    }

    /// Whether a line starts with target values (or a unit) and, where they are bare
    /// numbers, holds nothing else.
    fn values_start(&self, text: &str) -> bool {
        if !self.indicator {
            return false;
        }
        let toks: Vec<&str> = text.split_whitespace().collect();
        if toks.first().is_some_and(|t| self.is_unit(t)) {
            return true;
        }
        match values_at(&toks, 0, self.r()) {
            Some((_, true, _)) => true,
            Some((_, false, n)) => toks[n..].iter().all(|t| values_at(&[t], 0, self.r()).is_some() || self.is_unit(t)),
            None => false,
        }
    }

    /// Where a row's first line leaves its content for its cells: at a unit or a sure value
    /// whose run of values ends the line or comes before a capitalized word (an agency).
    fn inline_cut(&self, toks: &[&str]) -> usize {
        if !self.indicator {
            return toks.len();
        }
        for i in 1..toks.len() {
            let (mut e, sure) = if self.is_unit(toks[i]) {
                (i + 1, true)
            } else {
                match values_at(toks, i, self.r()) {
                    Some((_, sure, n)) => (i + n, sure),
                    None => continue,
                }
            };
            if !sure {
                continue;
            }
            while e < toks.len() {
                match values_at(toks, e, self.r()) {
                    Some((_, _, n)) => e += n,
                    None if self.is_unit(toks[e]) => e += 1,
                    None => break,
                }
            }
            if e == toks.len() || starts_upper(toks[e]) {
                return i;
            }
        }
        toks.len()
    }

    fn agency_start(&self, text: &str) -> bool {
        let ws = words(text);
        starts_upper(text) && !ws.is_empty() && {
            let ws: Vec<&str> = ws.iter().take(2).map(String::as_str).collect();
            self.vocab.agency_start(&ws) || (ws.len() == 2 && self.vocab.agency_start(&ws[..1]) && self.vocab.in_agency(&ws))
        }
    }

    fn person_start(&self, text: &str) -> bool {
        let toks: Vec<&str> = text.split_whitespace().collect();
        toks.first().is_some_and(|t| self.r().person_marker.is_match(t) || (self.rules.columns.is_family_name(t) && toks.get(1).is_none_or(|n| starts_upper(n))))
    }

    fn agency_like(&self, text: &str) -> bool {
        if self.agency_start(text) {
            return true;
        }
        let c = self.rules.agencies.coverage(text);
        c.words > 0 && c.known > 0 && c.covered * 2 >= c.words
    }

    fn deadline_like(&self, text: &str) -> bool {
        let first = text.split_whitespace().next().unwrap_or("");
        DATE.is_match(first) || (starts_upper(first) && self.r().deadline_starts.iter().any(|d| word_eq(d, &fold(first))))
    }

    /// Whether a line goes on with the cell before it: a lower-case start, or the two make
    /// one agency name that the cell alone is not.
    fn continues_cell(&self, cell: &BlockCell, text: &str) -> bool {
        if cell.kind != CellKind::Text || DATE.is_match(cell.text.trim()) {
            return false;
        }
        if starts_lower(text) || first_char(text).is_some_and(|c| !c.is_alphanumeric() && !matches!(c, '-' | '–' | '≥' | '>' | '≤' | '<' | '=')) {
            return true;
        }
        let a = words(&cell.text);
        let mut ab = a.clone();
        ab.extend(words(text));
        let ab: Vec<&str> = ab.iter().map(String::as_str).collect();
        starts_upper(text) && self.vocab.in_agency(&ab) && !self.vocab.agencies.contains(&a)
    }

    /// Cells of the tokens of one line.
    fn push_cells(&self, toks: &[&str], line: usize, cells: &mut Vec<BlockCell>) {
        let mut i = 0;
        // Bare numbers are values only at the line start or after other values.
        let mut after_value = true;
        while i < toks.len() {
            if self.indicator {
                if self.is_unit(toks[i]) {
                    cells.push(BlockCell { kind: CellKind::Unit, text: toks[i].to_string(), lines: vec![line] });
                    i += 1;
                    after_value = true;
                    continue;
                }
                if let Some((vs, sure, n)) = values_at(toks, i, self.r()).filter(|(_, sure, _)| *sure || after_value) {
                    let _ = sure;
                    cells.extend(vs.into_iter().map(|v| BlockCell { kind: CellKind::Value, text: v, lines: vec![line] }));
                    i += n;
                    after_value = true;
                    continue;
                }
            }
            let s = i;
            while i < toks.len() && !(self.indicator && (self.is_unit(toks[i]) || values_at(toks, i, self.r()).is_some_and(|(_, sure, _)| sure))) {
                i += 1;
            }
            let ws = &toks[s..i];
            // A date ending a line of words is a cell of its own ("Kế hoạch 10/2025").
            let date = ws.len() > 1 && DATE.is_match(ws[ws.len() - 1]);
            let text = if date { ws[..ws.len() - 1].join(" ") } else { ws.join(" ") };
            match cells.last_mut() {
                Some(c) if s == 0 && self.continues_cell(c, &text) => {
                    c.text.push(' ');
                    c.text.push_str(&text);
                    if !c.lines.contains(&line) {
                        c.lines.push(line);
                    }
                }
                _ => cells.push(BlockCell { kind: CellKind::Text, text, lines: vec![line] }),
            }
            if date {
                cells.push(BlockCell { kind: CellKind::Text, text: ws[ws.len() - 1].to_string(), lines: vec![line] });
            }
            after_value = false;
        }
    }

    /// A row's content lines and its other cells.
    fn split_row(&self, row: &BlockRow) -> (Vec<(usize, String)>, Vec<BlockCell>) {
        let mut content: Vec<(usize, String)> = Vec::new();
        let mut cells: Vec<BlockCell> = Vec::new();
        let mut in_content = true;
        for (line, text) in &row.lines {
            let toks: Vec<&str> = text.split_whitespace().collect();
            if toks.is_empty() {
                continue;
            }
            if in_content {
                if content.is_empty() {
                    let cut = self.inline_cut(&toks);
                    if cut > 0 {
                        content.push((*line, toks[..cut].join(" ")));
                    }
                    if cut < toks.len() {
                        in_content = false;
                        self.push_cells(&toks[cut..], *line, &mut cells);
                    }
                    continue;
                }
                let prev = &content[content.len() - 1].1;
                let stop = self.values_start(text) || self.person_start(text) || (self.agency_start(text) && !self.wide(text));
                let open = !prev.ends_with(['.', ';', '!', '?', ':']);
                // After a full stop the content goes on with a capital only: a lower-case
                // line there is a cell whose capital OCR lost ("văn phòng UBND").
                let ended = prev.ends_with('.') && !prev.ends_with("..");
                let goes_on = (starts_lower(text) && !ended) || (self.wide(prev) && open && first_char(text).is_some_and(|c| !c.is_lowercase()));
                if !stop && goes_on {
                    content.push((*line, text.clone()));
                    continue;
                }
                in_content = false;
            }
            self.push_cells(&toks, *line, &mut cells);
        }
        (content, cells)
    }

    /// Whether body line `k` starts a new, unnumbered row after `row`: a capitalized line
    /// whose lower-case continuation lines end on a line of values while the row already
    /// has its values, or a capitalized content-wide line after the row's cells.
    fn starts_row(&self, row: &BlockRow, body: &[(usize, String)], k: usize) -> bool {
        let text = &body[k].1;
        if !starts_upper(text) {
            return false;
        }
        let (content, cells) = self.split_row(row);
        if self.indicator && !self.values_start(text) && cells.iter().any(|c| c.kind != CellKind::Text) {
            let mut j = k + 1;
            while j < body.len() && starts_lower(&body[j].1) {
                j += 1;
            }
            // (A bare number alone is rather the next row's number.)
            let number_alone = |t: &str| t.split_whitespace().count() == 1 && row_number(t).is_some();
            if j < body.len() && self.values_start(&body[j].1) && !number_alone(&body[j].1) {
                return true;
            }
        }
        !content.is_empty() && !cells.is_empty() && self.wide(text) && text.split_whitespace().count() >= self.r().wide_words
    }
}

/// A group row: a numeral ("II", "Ill") and a capitalized title, on the line or the next.
fn block_group(toks: &[&str], next: Option<&str>, r: &OcrTableRules) -> Option<Option<String>> {
    let first = toks.first()?;
    if !r.block_numeral.is_match(first) || !first.chars().any(|c| c.is_alphabetic()) {
        return None;
    }
    if toks.len() == 1 {
        return next.filter(|n| starts_upper(n) && n.split_whitespace().count() >= 2).map(|_| None);
    }
    (starts_upper(toks[1]) && toks.len() >= 3).then(|| Some(toks[1..].join(" ")))
}

const ROMAN: [&str; 12] = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"];

/// Reads lines `first..=last` as a table laid out cell block by cell block: each row's
/// number on a line (or before its content), its content lines, then its other cells,
/// wrapped cells one piece a line.
///
/// - the header is every line from the first naming a column up to the first row or group
///   line; its columns are found in the joined text, and its repeats on later pages (runs of
///   header lines) are skipped;
/// - a row starts at a number that continues the numbering ("1.4" → "1.5" or "2"; "15"
///   after "1.4" is "1.5"), at a group line ("II Title"), or where a number was lost: a
///   capitalized line after a row's values that leads to a line of values, or a
///   capitalized content-wide line after a row's cells;
/// - in a row, the content is the first line (up to its values) and the lines that wrap on
///   from it; the rest are cells: units and values, then text cells (a line starts a new
///   one unless it starts lower-case or completes an agency name); text cells naming
///   agencies (`rules/agencies.toml`) are the lead then the support cells, person names the
///   person cells, and what is left the output and, last, the deadline.
pub fn read_blocks(lines: &[(usize, String)], rules: &Rules) -> Option<OcrRead> {
    let r = &rules.ocr_tables;
    let lines: Vec<(usize, String)> = lines.iter().filter(|(_, t)| !t.trim().is_empty()).map(|(i, t)| (*i, t.trim().to_string())).collect();
    // Header.
    let limit = lines.len().min(60);
    let h0 = (0..limit).find(|&k| !header_roles(&lines[k].1, rules).is_empty())?;
    let mut h1 = h0 + 1;
    while h1 < limit && h1 - h0 < 40 {
        let toks: Vec<&str> = lines[h1].1.split_whitespace().collect();
        let number = toks.first().and_then(|t| row_number(t)).is_some_and(|n| n == [1] || n == [1, 1]);
        if number || block_group(&toks, lines.get(h1 + 1).map(|l| l.1.as_str()), r).is_some() {
            break;
        }
        h1 += 1;
    }
    let joined = lines[h0..h1].iter().map(|(_, l)| l.as_str()).collect::<Vec<_>>().join(" ");
    let roles = header_roles_with(&joined, rules, true);
    let mut distinct: Vec<ColumnRole> = roles.iter().map(|(r, _)| *r).collect();
    distinct.sort_by_key(|r| *r as u8);
    distinct.dedup();
    if !distinct.contains(&ColumnRole::Content) || distinct.len() < r.min_roles {
        return None;
    }
    let (columns, kind) = header_columns(&roles)?;
    // Body without the header's repeats.
    let header_lines: Vec<String> = lines[h0..h1].iter().map(|(_, l)| fold(l)).collect();
    let label_words: Vec<String> = rules.columns.labels().flat_map(|(l, _)| l.iter().cloned()).chain(["nam".to_string()]).collect();
    let repeat = |f: &str| header_lines.iter().any(|h| h == f || (h.len() >= 5 && f.len() >= 5 && strsim::normalized_levenshtein(h, f) >= 0.8));
    let label_only = |f: &str| {
        f.split(' ').filter(|w| !w.is_empty()).all(|w| label_words.iter().any(|l| l == w) || (w.len() == 4 && w.bytes().all(|b| b.is_ascii_digit())))
    };
    let rest = &lines[h1..];
    let folded: Vec<String> = rest.iter().map(|(_, l)| fold(l)).collect();
    let mut skip = vec![false; rest.len()];
    let mut k = 0;
    while k < rest.len() {
        if !repeat(&folded[k]) {
            k += 1;
            continue;
        }
        let mut a = k;
        while a > 0 && k - a < 2 && label_only(&folded[a - 1]) {
            a -= 1;
        }
        let mut b = k + 1;
        while b < rest.len() && (repeat(&folded[b]) || label_only(&folded[b])) {
            b += 1;
        }
        let sure = (a..b).filter(|&j| repeat(&folded[j]) && folded[j].len() >= 5).count();
        if b - a >= 2 && sure >= 1 {
            skip[a..b].iter_mut().for_each(|s| *s = true);
        }
        k = b;
    }
    let body: Vec<(usize, String)> = rest.iter().zip(&skip).filter(|(_, s)| !**s).map(|(l, _)| l.clone()).collect();
    let mut lens: Vec<usize> = body.iter().filter(|(_, t)| t.split_whitespace().count() >= r.wide_words).map(|(_, t)| t.chars().count()).collect();
    lens.sort_unstable();
    let width = lens.get(lens.len() / 2).map_or(40.0, |&w| w as f64);
    let b = Blocks { rules, vocab: Vocab::new(rules), indicator: kind == TableKind::Indicator, width };

    // Rows.
    let mut groups: Vec<GroupInfo> = Vec::new();
    let mut rows: Vec<BlockRow> = Vec::new();
    let mut cur: Option<BlockRow> = None;
    let (mut prev, mut printed): (Option<Vec<u32>>, Option<Vec<u32>>) = (None, None);
    let mut k = 0;
    while k < body.len() {
        let (line, text) = &body[k];
        let toks: Vec<&str> = text.split_whitespace().collect();
        if let Some(inline) = block_group(&toks, body.get(k + 1).map(|l| l.1.as_str()), r) {
            rows.extend(cur.take());
            let mut title = match inline {
                Some(t) => t,
                None => {
                    k += 1;
                    body[k].1.clone()
                }
            };
            k += 1;
            while k < body.len() && starts_lower(&body[k].1) {
                title.push(' ');
                title.push_str(&body[k].1);
                k += 1;
            }
            let numeral = ROMAN.get(groups.len()).map_or_else(|| (groups.len() + 1).to_string(), |s| s.to_string());
            groups.push(GroupInfo { numeral, title });
            prev = None;
            printed = None;
            continue;
        }
        let number = toks.first().and_then(|t| continues_numbering(t, prev.as_deref(), printed.as_deref()));
        if let Some(n) = number.filter(|_| toks.get(1).is_none_or(|t| !starts_lower(t))) {
            rows.extend(cur.take());
            let rest = toks[1..].join(" ");
            let mut row = BlockRow { number: Some(n.clone()), inferred: false, group: groups.len().checked_sub(1), lines: Vec::new() };
            if !rest.is_empty() {
                row.lines.push((*line, rest));
            }
            // An unnumbered row just before, given this number, had its own.
            if let Some(last) = rows.last_mut() {
                if last.inferred && last.number.as_ref() == Some(&n) {
                    last.number = None;
                }
            }
            cur = Some(row);
            prev = Some(n.clone());
            printed = Some(n);
            k += 1;
            continue;
        }
        let new_row = match &cur {
            None => true,
            Some(c) => b.starts_row(c, &body, k),
        };
        if new_row {
            rows.extend(cur.take());
            let n = next_sibling(prev.as_deref());
            cur = Some(BlockRow { number: Some(n.clone()), inferred: true, group: groups.len().checked_sub(1), lines: Vec::new() });
            prev = Some(n);
        }
        if let Some(c) = cur.as_mut() {
            c.lines.push((*line, text.clone()));
        }
        k += 1;
    }
    rows.extend(cur.take());

    // Rows → table rows. An unnumbered row of content only is a heading: the end of its
    // group's title when it comes first in the group, else a group of its own.
    let col_of = |role: ColumnRole| columns.iter().position(|c| c.role == role);
    let mut built: Vec<(Option<usize>, Row)> = Vec::new();
    let mut unread: Vec<(usize, String)> = Vec::new();
    let mut group_of_row: Vec<Option<usize>> = Vec::new();
    let mut extra_group: Option<usize> = None;
    let mut last_group: Option<usize> = None;
    for row in &rows {
        let (content, cells) = b.split_row(row);
        let first_line = row.lines.first().map_or(0, |l| l.0);
        let last_line = row.lines.last().map_or(first_line, |l| l.0);
        let name = content.iter().map(|(_, t)| t.as_str()).collect::<Vec<_>>().join(" ");
        if row.group != last_group {
            last_group = row.group;
            extra_group = None;
        }
        let group = extra_group.or(row.group);
        if cells.is_empty() && row.inferred {
            if name.is_empty() {
                continue;
            }
            let first_in_group = !group_of_row.contains(&group) && extra_group.is_none();
            match group {
                Some(g) if first_in_group && g < groups.len() => {
                    groups[g].title.push(' ');
                    groups[g].title.push_str(&name);
                }
                _ => {
                    let numeral = ROMAN.get(groups.len()).map_or_else(|| (groups.len() + 1).to_string(), |s| s.to_string());
                    groups.push(GroupInfo { numeral, title: name });
                    extra_group = Some(groups.len() - 1);
                }
            }
            continue;
        }
        let lettered = name.split_whitespace().filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 2).count();
        if lettered < 2 {
            if !name.is_empty() || !cells.is_empty() {
                let shown: String = name.chars().take(60).collect();
                unread.push((first_line, format!("row {} of an OCR table not read: no content cell (\"{shown}\")", row.number.as_deref().map(number_text).unwrap_or_default())));
            }
            continue;
        }
        let mut row_cells = vec![Cell::default(); columns.len()];
        let set = |row_cells: &mut Vec<Cell>, role: ColumnRole, text: String, raw: String, lines: Vec<usize>| {
            if let Some(c) = col_of(role) {
                row_cells[c] = Cell { text, raw, lines };
            }
        };
        let mut name = name;
        let mut name_lines: Vec<usize> = content.iter().map(|(l, _)| *l).collect();
        // Units and values.
        if let Some(u) = cells.iter().find(|c| c.kind == CellKind::Unit) {
            set(&mut row_cells, ColumnRole::Unit, u.text.clone(), u.text.clone(), u.lines.clone());
        }
        let period_cols: Vec<usize> = (0..columns.len()).filter(|&c| matches!(columns[c].role, ColumnRole::Period | ColumnRole::Target)).collect();
        let values: Vec<&BlockCell> = cells.iter().filter(|c| c.kind == CellKind::Value).collect();
        for (slot, v) in values.iter().take(period_cols.len()).enumerate() {
            row_cells[period_cols[slot]] = Cell { text: v.text.clone(), raw: v.text.clone(), lines: v.lines.clone() };
        }
        // Text cells: before the agencies, the agencies (with the pieces between them),
        // persons, then output and deadline.
        let texts: Vec<&BlockCell> = cells.iter().filter(|c| c.kind == CellKind::Text && !c.text.is_empty()).collect();
        let first_person = texts.iter().position(|c| b.person_start(&c.text)).unwrap_or(texts.len());
        let agency: Vec<usize> = (0..first_person).filter(|&i| b.agency_like(&texts[i].text)).collect();
        let (a0, a1) = match (agency.first(), agency.last()) {
            (Some(&a), Some(&z)) => (a, z + 1),
            _ => (first_person.min(texts.len()), first_person.min(texts.len())),
        };
        let before: Vec<&BlockCell> = texts[..a0].to_vec();
        if !before.is_empty() {
            let t = before.iter().map(|c| c.text.as_str()).collect::<Vec<_>>().join(" ");
            if kind == TableKind::Assignment {
                name = format!("{name} {t}");
                name_lines.extend(before.iter().flat_map(|c| c.lines.iter().copied()));
            } else if values.is_empty() && period_cols.len() == 1 {
                row_cells[period_cols[0]] = Cell { text: t.clone(), raw: t, lines: before.iter().flat_map(|c| c.lines.iter().copied()).collect() };
            } else if values.is_empty() && before.len() == period_cols.len() {
                // One text target a period ("Thường xuyên" in every period column).
                for (c, cell) in period_cols.iter().zip(&before) {
                    row_cells[*c] = Cell { text: cell.text.clone(), raw: cell.text.clone(), lines: cell.lines.clone() };
                }
            }
        }
        let mut agency_cells: Vec<(String, Vec<usize>)> = Vec::new();
        for c in &texts[a0..a1] {
            match agency_cells.last_mut() {
                Some(last) if !b.agency_like(&c.text) => {
                    last.0.push(' ');
                    last.0.push_str(&c.text);
                    last.1.extend(c.lines.iter().copied());
                }
                _ => agency_cells.push((c.text.clone(), c.lines.clone())),
            }
        }
        let mut agency_iter = agency_cells.into_iter();
        if let Some((t, l)) = agency_iter.next() {
            set(&mut row_cells, ColumnRole::Lead, t.clone(), t, l);
        }
        let support: Vec<(String, Vec<usize>)> = agency_iter.collect();
        if !support.is_empty() {
            let role = if col_of(ColumnRole::Support).is_some() { ColumnRole::Support } else { ColumnRole::Lead };
            let text = support.iter().map(|s| s.0.as_str()).collect::<Vec<_>>().join("; ");
            let raw = support.iter().map(|s| s.0.as_str()).collect::<Vec<_>>().join("\n");
            if role == ColumnRole::Lead {
                if let Some(c) = col_of(role) {
                    row_cells[c].text = format!("{}; {text}", row_cells[c].text);
                    row_cells[c].raw = format!("{}\n{raw}", row_cells[c].raw);
                }
            } else {
                set(&mut row_cells, role, text, raw, support.iter().flat_map(|s| s.1.iter().copied()).collect());
            }
        }
        let after: Vec<&BlockCell> = texts[a1.max(a0)..].to_vec();
        let mut others: Vec<&BlockCell> = Vec::new();
        let mut persons = [ColumnRole::Director, ColumnRole::Monitor].into_iter().filter(|&p| col_of(p).is_some());
        for c in after {
            if b.person_start(&c.text) {
                if let Some(p) = persons.next() {
                    set(&mut row_cells, p, c.text.clone(), c.text.clone(), c.lines.clone());
                    continue;
                }
            }
            others.push(c);
        }
        if col_of(ColumnRole::Deadline).is_some() && !others.is_empty() {
            let last = others[others.len() - 1];
            if others.len() >= 2 || b.deadline_like(&last.text) {
                let d = canonical_deadline(&last.text, r);
                set(&mut row_cells, ColumnRole::Deadline, d.clone(), d, last.lines.clone());
                others.pop();
            }
        }
        if !others.is_empty() {
            let t = others.iter().map(|c| c.text.as_str()).collect::<Vec<_>>().join(" ");
            set(&mut row_cells, ColumnRole::Output, t.clone(), t, others.iter().flat_map(|c| c.lines.iter().copied()).collect());
        }
        if let Some(c) = col_of(ColumnRole::Content) {
            row_cells[c] = Cell { text: name.clone(), raw: name, lines: name_lines };
        }
        group_of_row.push(group);
        built.push((
            group,
            Row {
                number: row.number.as_deref().map(number_text),
                number_inferred: row.inferred,
                group: None,
                is_group: false,
                cells: row_cells,
                first_line,
                last_line,
            },
        ));
    }
    let mut out_rows: Vec<Row> = Vec::new();
    let mut shown: Option<usize> = None;
    for (g, mut row) in built {
        if let Some(gi) = g {
            if shown != Some(gi) {
                shown = Some(gi);
                out_rows.push(Row { number: None, number_inferred: false, group: Some(groups[gi].clone()), is_group: true, cells: Vec::new(), first_line: row.first_line, last_line: row.first_line });
            }
            row.group = Some(groups[gi].clone());
        }
        out_rows.push(row);
    }
    if out_rows.iter().filter(|r| !r.is_group).count() < 2 {
        return None;
    }
    Some(OcrRead { table: Table { columns, rows: out_rows, shape: Shape::Flat, kind }, unread })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r() -> &'static OcrTableRules {
        &Rules::embedded().ocr_tables
    }

    #[test]
    fn values_with_ocr_glyphs() {
        assert_eq!(read_value("10005", r()).as_deref(), Some("100%"));
        assert_eq!(read_value("1009%", r()).as_deref(), Some("100%"));
        assert_eq!(read_value("=60%", r()).as_deref(), Some("≥60%"));
        assert_eq!(read_value(">9504", r()).as_deref(), Some("≥95%"));
        assert_eq!(read_value("85%", r()).as_deref(), Some("85%"));
        assert_eq!(read_value("4400", r()), None);
        assert_eq!(read_value("2025", r()), None);
    }

    #[test]
    fn deadline_cells_cut_short_are_completed_when_unambiguous() {
        assert_eq!(canonical_deadline("Thường", r()), "Thường xuyên");
        assert_eq!(canonical_deadline("Thuon", r()), "Thường xuyên");
        assert_eq!(canonical_deadline("Hằng", r()), "Hằng");
        assert_eq!(canonical_deadline("Thân", r()), "Thân");
        assert_eq!(canonical_deadline("Hằng năm", r()), "Hằng năm");
    }

    #[test]
    fn row_numbers_continue_the_numbering() {
        let n = |t: &str, prev: &[u32]| continues_numbering(t, Some(prev), Some(prev));
        assert_eq!(n("1.2", &[1, 1]), Some(vec![1, 2]));
        assert_eq!(n("2", &[1, 10]), Some(vec![2]));
        assert_eq!(n("8.1", &[8]), Some(vec![8, 1]));
        // The dot lost: "15" after "1.4" is "1.5"; after "14" it is 15.
        assert_eq!(n("15", &[1, 4]), Some(vec![1, 5]));
        assert_eq!(n("15", &[14]), Some(vec![15]));
        // One number lost.
        assert_eq!(n("6", &[4]), Some(vec![6]));
        // Not a continuation: a number in the text, a year.
        assert_eq!(n("9", &[4]), None);
        assert_eq!(n("2025", &[4]), None);
        assert_eq!(continues_numbering("1", None, None), Some(vec![1]));
    }

    #[test]
    fn block_values() {
        let v = |line: &str| {
            let toks: Vec<&str> = line.split_whitespace().collect();
            values_at(&toks, 0, r())
        };
        assert_eq!(v("> 80"), Some((vec!["≥ 80".to_string()], true, 2)));
        assert_eq!(v("≥60%"), Some((vec!["≥ 60%".to_string()], true, 1)));
        assert_eq!(v("80-90%"), Some((vec!["80-90%".to_string()], true, 1)));
        assert_eq!(v("---"), Some((vec!["-".to_string(); 3], true, 1)));
        assert_eq!(v("100"), Some((vec!["100".to_string()], false, 1)));
        assert_eq!(v("2025"), None);
        assert_eq!(v("10/2025"), None);
    }

    #[test]
    fn cell_blocks_are_read() {
        let text = "PHỤ LỤC
TT Nội dung công việc
Cơ quan chủ trì
Cơ quan phối
hợp
Sản phẩm
Thời gian
I
Nâng cao nhận thức về chuyển đổi số
1
Xây dựng kế hoạch của UBND phường về việc thực hiện chuyển đổi số
trong các cơ quan nhà nước.
Phòng Văn
hóa-Xã hội
Công an
phường
Kế hoạch 10/2025
Tổ chức tuyên truyền, phổ biến về chuyển đổi số trên địa bàn phường
Phòng Văn hóa-Xã hội
Báo cáo
Thường
xuyên
3
Triển khai các nền tảng số dùng chung của thành phố trên địa bàn
Công an phường
Báo cáo
Thường xuyên";
        let lines: Vec<(usize, String)> = text.lines().enumerate().map(|(i, l)| (i, l.to_string())).collect();
        let read = read_blocks(&lines[1..], Rules::embedded()).expect("read");
        assert_eq!(read.table.kind, TableKind::Assignment);
        let t = &read.table;
        let data: Vec<&Row> = t.rows.iter().filter(|r| !r.is_group).collect();
        assert_eq!(data.len(), 3, "{}", t.render());
        let cell = |row: &Row, role| t.cell(row, role).map(|c| c.text.clone()).unwrap_or_default();
        assert_eq!(cell(data[0], ColumnRole::Content), "Xây dựng kế hoạch của UBND phường về việc thực hiện chuyển đổi số trong các cơ quan nhà nước.");
        assert_eq!(cell(data[0], ColumnRole::Lead), "Phòng Văn hóa-Xã hội");
        assert_eq!(cell(data[0], ColumnRole::Support), "Công an phường");
        assert_eq!(cell(data[0], ColumnRole::Output), "Kế hoạch");
        assert_eq!(cell(data[0], ColumnRole::Deadline), "10/2025");
        // The lost number 2: an unnumbered content-wide line after the row's cells.
        assert_eq!(data[1].number.as_deref(), Some("2"));
        assert!(data[1].number_inferred);
        assert_eq!(cell(data[1], ColumnRole::Deadline), "Thường xuyên");
        assert_eq!(data[2].number.as_deref(), Some("3"));
        assert_eq!(data[2].group.as_ref().map(|g| g.title.as_str()), Some("Nâng cao nhận thức về chuyển đổi số"));
    }

    #[test]
    fn plausible_words() {
        for w in ["Tỷ", "lệ", "nghiêng", "khuyến", "UBND", "57-NQ/TW", "5G", "100%", "10/2026", "điện,"] {
            assert!(plausible(w), "{w}");
        }
        for w in ["szgin", "1ylephusong", "ez", "¢"] {
            assert!(!plausible(w), "{w}");
        }
    }
}
