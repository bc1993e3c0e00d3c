//! Indicator targets: "≥ 60%", "ít nhất 80%", "80-90%", "3,5%", "Tiên tiến, hiện đại", "-".
//!
//! Decisions (they follow the reference annotations and the output contract):
//! - `raw` is the cell as given, trimmed, whitespace collapsed; never rewritten.
//! - An empty cell gives no target ([`parse_targets`] returns an empty list); a cell made
//!   only of dashes ("-", "—") is a target with op `none` and raw "-" as printed.
//! - One cell is ONE target, even when it states several sub-targets ("> 95% đối với cơ sở
//!   giáo dục phổ thông; > 95% đối với các cơ sở giáo dục mầm non."): the whole cell is the
//!   raw, op/value come from the first stated value.
//! - A bare value ("100%", "90") is op `=`: the level to reach.
//! - Numbers are Vietnamese: the comma is the decimal mark ("3,5%" → 3.5); a dot followed by
//!   groups of exactly three digits is a thousands separator ("1.000" → 1000, "1.000,5" →
//!   1000.5); any other dot is a decimal point, as OCR'd and English-style text writes it
//!   ("3.5%" → 3.5, "0.125" → 0.125).
//! - `value` of a percentage is the number of percent (60 for "60%").
//! - A cell with no number ("Thường xuyên", "Theo phân bổ, hướng dẫn của Thành phố") is
//!   op `text`, value null. Years standing alone ("Năm 2025") are not values.
//!
//! The comparison words live in `rules/targets.toml`; matching is done on a folded form of
//! the text (no diacritics, lowercase, punctuation kept), so stripped and OCR'd text work.

use super::memo::{rule_set_id, CellMemo};
use crate::fold::{fold_char, is_combining_mark};
use crate::model::{Target, TargetOp};
use crate::rules::{rule_error, RuleSource};
use regex::{Captures, Regex};
use serde::Deserialize;

const FILE: &str = "targets.toml";

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct OpWords {
    #[serde(default)]
    ge: Vec<String>,
    #[serde(default)]
    gt: Vec<String>,
    #[serde(default)]
    le: Vec<String>,
    #[serde(default)]
    lt: Vec<String>,
    #[serde(default)]
    eq: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetFile {
    prefix: OpWords,
    #[serde(default)]
    suffix: OpWords,
    range_connectors: Vec<String>,
    none_cells: Vec<String>,
    #[serde(default)]
    percent_words: Vec<String>,
    #[serde(default)]
    body: BodyDef,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct BodyDef {
    #[serde(default)]
    section_starts: Vec<String>,
    #[serde(default)]
    exclude_sections: Vec<String>,
}

/// Compiled target rules.
#[derive(Debug)]
pub struct TargetRules {
    /// Tells this rule set from others in the per-thread memory of parsed cells.
    id: u64,
    /// The value pattern, compiled at its first use ([`TargetRules::value`]).
    value: crate::rules::LazyRegex,
    /// `value` with every `\b` an ASCII word boundary (`(?-u:\b)`): the same matches on a
    /// text whose chars beyond ASCII are no word chars (folded text mostly is: "≥ 80"),
    /// found by the regex's DFA, which a Unicode `\b` keeps off any text beyond ASCII.
    value_ascii_b: Regex,
    none_chars: Vec<char>,
    percent_words: Vec<String>,
    /// Folded ([`crate::fold::fold`]) starts of the headings of sections whose bullets can be
    /// indicators ("muc tieu", "chi tieu").
    pub section_starts: Vec<String>,
    /// Folded words of top-level section titles where bullets are never indicators.
    pub exclude_sections: Vec<String>,
}

impl TargetRules {
    pub fn load(source: &RuleSource) -> crate::Result<TargetRules> {
        let (text, shown) = source.read(FILE)?;
        TargetRules::parse(&text, &shown)
    }

    /// Compiles rules from the text of a `targets.toml`; `shown` names it in errors.
    pub fn parse(text: &str, shown: &str) -> crate::Result<TargetRules> {
        let file: TargetFile = crate::rules::parse_toml(text, shown)?;
        let check = |words: &[String]| -> crate::Result<()> {
            for w in words {
                if fold_keep(w).text.trim().is_empty() {
                    return Err(rule_error(shown, text, &format!("\"{w}\""), "empty word"));
                }
            }
            Ok(())
        };
        for list in [
            &file.prefix.ge,
            &file.prefix.gt,
            &file.prefix.le,
            &file.prefix.lt,
            &file.prefix.eq,
            &file.suffix.ge,
            &file.suffix.gt,
            &file.suffix.le,
            &file.suffix.lt,
            &file.suffix.eq,
            &file.range_connectors,
            &file.percent_words,
        ] {
            check(list)?;
        }
        if file.range_connectors.is_empty() {
            return Err(rule_error(shown, text, "range_connectors", "range_connectors is empty"));
        }
        let num = r"[0-9]{1,3}(?:\.[0-9]{3})+(?:,[0-9]+)?|[0-9]+(?:[.,][0-9]+)?";
        let pct = {
            let mut alts = vec![r"%".to_string(), r"\\%".to_string()];
            alts.extend(file.percent_words.iter().map(|w| word_alt(w)));
            format!("(?:{})", alts.join("|"))
        };
        let prefix = format!(
            "(?:(?P<ge>≥|⩾|>=|=>|\\\\geq?\\b{ge})|(?P<le>≤|⩽|<=|=<|\\\\leq?\\b{le})|(?P<gt>>|\\\\gt\\b{gt})|(?P<lt><|\\\\lt\\b{lt})|(?P<eq>={eq}))",
            ge = words_alt(&file.prefix.ge),
            le = words_alt(&file.prefix.le),
            gt = words_alt(&file.prefix.gt),
            lt = words_alt(&file.prefix.lt),
            eq = words_alt(&file.prefix.eq),
        );
        let conn = file.range_connectors.iter().map(|w| word_alt(w)).collect::<Vec<_>>().join("|");
        let suffix = {
            let mut parts = Vec::new();
            for (name, list) in [("sge", &file.suffix.ge), ("sgt", &file.suffix.gt), ("sle", &file.suffix.le), ("slt", &file.suffix.lt)] {
                if !list.is_empty() {
                    let alts: Vec<String> = sorted_longest(list).iter().map(|w| word_alt(w)).collect();
                    parts.push(format!("(?P<{name}>{})", alts.join("|")));
                }
            }
            if parts.is_empty() {
                String::new()
            } else {
                format!(r"(?:\s*(?:{}))?", parts.join("|"))
            }
        };
        let pattern = format!(
            r"(?:(?P<pre>{prefix})\s*)?(?P<n1>{num})(?P<p1>\s*{pct})?(?:\s*(?:{conn})\s*(?P<n2>{num})(?P<p2>\s*{pct})?)?{suffix}"
        );
        // The pattern with Unicode `\b` is compiled at its first use (it differs only in its
        // assertions, and compiles if this one does); an error names it, as it did when it
        // was compiled first.
        let value_ascii_b = Regex::new(&ascii_boundaries(&pattern)).map_err(|e| {
            let e = Regex::new(&pattern).err().unwrap_or(e);
            rule_error(shown, text, "[prefix]", format!("words do not compile: {e}"))
        })?;
        let value = crate::rules::LazyRegex::new(&pattern).map_err(|e| rule_error(shown, text, "[prefix]", format!("words do not compile: {e}")))?;
        let none_chars = file.none_cells.iter().flat_map(|s| fold_keep(s).text.chars().collect::<Vec<_>>()).collect();
        let percent_words = file.percent_words.iter().map(|w| fold_keep(w).text.trim().to_string()).collect();
        let section_starts = file.body.section_starts.iter().map(|w| crate::fold::fold(w)).filter(|w| !w.is_empty()).collect();
        let exclude_sections = file.body.exclude_sections.iter().map(|w| crate::fold::fold(w)).filter(|w| !w.is_empty()).collect();
        let id = rule_set_id();
        Ok(TargetRules { id, value, value_ascii_b, none_chars, percent_words, section_starts, exclude_sections })
    }

    /// The value pattern with Unicode word boundaries, for folded text holding a word
    /// character beyond ASCII ([`scan`]): rare in cells, and ~6M instructions to compile,
    /// so compiled only when such a text comes.
    fn value(&self) -> &Regex {
        &self.value
    }

    /// The rules embedded in the binary.
    pub fn embedded() -> &'static TargetRules {
        static RULES: once_cell::sync::OnceCell<TargetRules> = once_cell::sync::OnceCell::new();
        RULES.get_or_init(|| TargetRules::load(&RuleSource::default()).expect("embedded targets.toml is valid"))
    }
}

fn sorted_longest(words: &[String]) -> Vec<String> {
    let mut v: Vec<String> = words.iter().map(|w| fold_keep(w).text.trim().to_string()).collect();
    v.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    v.dedup();
    v
}

/// One word or phrase as a regex alternative: escaped, whole words where it starts/ends
/// with a letter, spaces matching any run of whitespace.
fn word_alt(w: &str) -> String {
    let f = fold_keep(w).text.trim().to_string();
    let esc: Vec<String> = f.split(' ').map(regex::escape).collect();
    let mut s = esc.join(r"\s+");
    if f.chars().next().is_some_and(char::is_alphanumeric) {
        s = format!(r"\b{s}");
    }
    if f.chars().last().is_some_and(char::is_alphanumeric) {
        s.push_str(r"\b");
    }
    s
}

/// `pattern` with each `\b` assertion made an ASCII one, `(?-u:\b)`; escapes are read in
/// pairs, so an escaped backslash before a "b" is left alone.
fn ascii_boundaries(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut cs = pattern.chars();
    while let Some(c) = cs.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match cs.next() {
            Some('b') => out.push_str(r"(?-u:\b)"),
            Some(d) => {
                out.push(c);
                out.push(d);
            }
            None => out.push(c),
        }
    }
    out
}

/// Whether Unicode and ASCII word boundaries agree everywhere in `f`: no char beyond ASCII
/// is a word char (for ASCII chars both definitions of a word char are the same).
fn ascii_boundaries_agree(f: &str) -> bool {
    f.is_ascii() || f.chars().all(|c| c.is_ascii() || !regex_syntax::is_word_character(c))
}

/// "|w1|w2" (longest first) or "" for an empty list.
fn words_alt(words: &[String]) -> String {
    sorted_longest(words).iter().map(|w| format!("|{}", word_alt(w))).collect()
}

/// Text folded for matching with a map back to the original: lowercase, no diacritics,
/// đ→d, dashes unified to '-', whitespace runs collapsed to one space; punctuation kept.
#[derive(Debug, Clone)]
pub(crate) struct Folded {
    pub text: String,
    /// For each byte of `text`: byte offset in the source of the char it came from.
    starts: Vec<usize>,
    src_len: usize,
}

impl Folded {
    /// Source byte offset where folded byte `i` starts.
    pub fn src_start(&self, i: usize) -> usize {
        self.starts.get(i).copied().unwrap_or(self.src_len)
    }

    /// Source byte offset (exclusive) for a folded end offset `e`.
    pub fn src_end(&self, e: usize) -> usize {
        self.starts.get(e).copied().unwrap_or(self.src_len)
    }
}

pub(crate) fn fold_keep(s: &str) -> Folded {
    let mut text = String::with_capacity(s.len());
    let mut starts = Vec::with_capacity(s.len());
    let mut in_space = false;
    for (i, c) in s.char_indices() {
        if is_combining_mark(c) {
            continue;
        }
        let f = if c.is_whitespace() {
            ' '
        } else {
            match c {
                '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}' | '\u{2212}' | '\u{FE63}' | '\u{FF0D}' => '-',
                '\u{FF05}' => '%',
                _ => fold_char(c),
            }
        };
        if f == ' ' {
            if in_space {
                continue;
            }
            in_space = true;
        } else {
            in_space = false;
        }
        text.push(f);
        for _ in 0..f.len_utf8() {
            starts.push(i);
        }
    }
    Folded { text, starts, src_len: s.len() }
}

/// Trims and collapses whitespace ("  ≥ 60 %\n" → "≥ 60 %").
pub fn clean_raw(raw: &str) -> String {
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A value found in folded text.
#[derive(Debug, Clone)]
struct Found {
    /// Folded byte range of the whole match and of the first number.
    start: usize,
    end: usize,
    n1_start: usize,
    op: TargetOp,
    /// The prefix was a comparison (symbol or word other than "đạt").
    compared: bool,
    /// The prefix was an "=" word ("đạt") — left out of a phrase cut from a sentence.
    eq_word: bool,
    percent: bool,
    value: Option<f64>,
    value_max: Option<f64>,
    year_like: bool,
}

fn parse_number(s: &str) -> Option<f64> {
    let t: String = if s.contains(',') {
        // Decimal comma; dots are thousands separators.
        s.replace('.', "").replace(',', ".")
    } else if s.contains('.') {
        let groups: Vec<&str> = s.split('.').collect();
        let thousands = groups.len() > 2 || (groups.len() == 2 && groups[1].len() == 3 && groups[0] != "0");
        if thousands {
            s.replace('.', "")
        } else {
            s.to_string()
        }
    } else {
        s.to_string()
    };
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

fn op_of(c: &Captures) -> (TargetOp, bool, bool) {
    let pre = c.name("pre");
    let mut op = TargetOp::Eq;
    let mut compared = false;
    let mut eq_word = false;
    if pre.is_some() {
        if c.name("ge").is_some() {
            op = TargetOp::Ge;
        } else if c.name("le").is_some() {
            op = TargetOp::Le;
        } else if c.name("gt").is_some() {
            op = TargetOp::Gt;
        } else if c.name("lt").is_some() {
            op = TargetOp::Lt;
        }
        compared = op != TargetOp::Eq;
        if let Some(m) = c.name("eq") {
            // "=" as a symbol is a comparison as printed; "đạt" is a verb.
            eq_word = m.as_str() != "=";
            compared = !eq_word;
        }
    }
    if !compared || op == TargetOp::Eq {
        let suffix = if c.name("sge").is_some() {
            Some(TargetOp::Ge)
        } else if c.name("sgt").is_some() {
            Some(TargetOp::Gt)
        } else if c.name("sle").is_some() {
            Some(TargetOp::Le)
        } else if c.name("slt").is_some() {
            Some(TargetOp::Lt)
        } else {
            None
        };
        if let Some(s) = suffix {
            op = s;
            compared = true;
        }
    }
    (op, compared, eq_word)
}

fn scan(rules: &TargetRules, f: &str) -> Vec<Found> {
    let re = if ascii_boundaries_agree(f) { &rules.value_ascii_b } else { rules.value() };
    scan_with(re, f)
}

/// [`scan`] with the value regex given.
fn scan_with(re: &Regex, f: &str) -> Vec<Found> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos <= f.len() {
        // A value holds a digit (`n1` starts with one): with none left, no match (the
        // pattern's `\b` keeps the regex off its DFA, so a failed search is costly).
        if !f.as_bytes()[pos..].iter().any(u8::is_ascii_digit) {
            break;
        }
        let Some(c) = re.captures_at(f, pos) else { break };
        let m = c.get(0).expect("group 0");
        let n1 = c.name("n1").expect("n1 is not optional");
        // The number must stand alone: not glued to a word before ("IoT5", "C06") nor
        // followed by a letter ("5G", "3D").
        let before = f[..m.start()].chars().next_back();
        let after_n1 = f[n1.end()..].chars().next();
        let glued_before = c.name("pre").is_none() && before.is_some_and(|ch| ch.is_alphanumeric());
        let glued_after = c.name("p1").is_none() && c.name("n2").is_none() && after_n1.is_some_and(|ch| ch.is_alphabetic());
        if glued_before || glued_after {
            pos = m.start() + f[m.start()..].chars().next().map_or(1, char::len_utf8);
            continue;
        }
        let (mut op, compared, eq_word) = op_of(&c);
        let value = parse_number(n1.as_str());
        let mut value_max = None;
        if let Some(n2) = c.name("n2") {
            value_max = parse_number(n2.as_str());
            if value_max.is_some() {
                op = TargetOp::Range;
            }
        }
        let percent = c.name("p1").is_some() || c.name("p2").is_some();
        let year_like = !percent
            && !compared
            && n1.as_str().len() == 4
            && (n1.as_str().starts_with("19") || n1.as_str().starts_with("20"));
        out.push(Found {
            start: m.start(),
            end: m.end(),
            n1_start: n1.start(),
            op,
            compared: compared || op == TargetOp::Range,
            eq_word,
            percent,
            value,
            value_max,
            year_like,
        });
        pos = if m.end() > m.start() { m.end() } else { m.end() + 1 };
    }
    out
}

/// The value a cell or sentence states: the first percentage, else the first compared
/// value ("≥ 80"); failing both (when `marked_only` is false) the first plain number that
/// is not a year.
fn pick(found: &[Found], marked_only: bool) -> Option<&Found> {
    let ok = |x: &&Found| x.value.is_some();
    found
        .iter()
        .filter(ok)
        .find(|x| x.percent)
        .or_else(|| found.iter().filter(ok).find(|x| x.compared))
        .or_else(|| if marked_only { None } else { found.iter().filter(ok).find(|x| !x.year_like) })
}

fn is_none_cell(rules: &TargetRules, folded: &str) -> bool {
    let t = folded.trim();
    !t.is_empty() && t.chars().all(|c| c == ' ' || rules.none_chars.contains(&c))
}

/// A parsed cell less its period: (raw, op, value, value_max).
type Parsed = (String, TargetOp, Option<f64>, Option<f64>);

thread_local! {
    /// The target cells parsed on this thread since the document started: an indicator
    /// table repeats the same few values ("100", "≥ 80") down its rows and across its
    /// period columns.
    static PARSED: std::cell::RefCell<CellMemo<Parsed>> = Default::default();
}

/// Forgets this thread's parsed cells: called as each document starts.
pub fn start_document() {
    PARSED.with(|p| p.borrow_mut().clear());
}

/// Parses one target cell with the given rules ([`parse_target_uncached`], remembered for
/// the cells of the document; the period only labels the result).
pub fn parse_target_with(rules: &TargetRules, raw: &str, period: Option<&str>) -> Target {
    let (raw, op, value, value_max) = CellMemo::parsed(&PARSED, rules.id, raw, || {
        let t = parse_target_uncached(rules, raw, None);
        (t.raw, t.op, t.value, t.value_max)
    });
    Target { period: period.map(str::to_string), raw, op, value, value_max }
}

/// [`parse_target_with`] without the memory of parsed cells.
fn parse_target_uncached(rules: &TargetRules, raw: &str, period: Option<&str>) -> Target {
    let raw = clean_raw(raw);
    let period = period.map(str::to_string);
    let folded = fold_keep(&raw);
    if raw.is_empty() || is_none_cell(rules, &folded.text) {
        return Target { period, raw, op: TargetOp::None, value: None, value_max: None };
    }
    let found = scan(rules, &folded.text);
    match pick(&found, false) {
        Some(x) => Target { period, raw, op: x.op, value: x.value, value_max: x.value_max },
        None => Target { period, raw, op: TargetOp::Text, value: None, value_max: None },
    }
}

/// Parses one target cell (embedded rules). See the module docs for the decisions.
pub fn parse_target(raw: &str, period: Option<&str>) -> Target {
    parse_target_with(TargetRules::embedded(), raw, period)
}

/// The targets of one cell: none for an empty cell, else exactly one (see module docs).
pub fn parse_targets(raw: &str, period: Option<&str>) -> Vec<Target> {
    parse_targets_with(TargetRules::embedded(), raw, period)
}

pub fn parse_targets_with(rules: &TargetRules, raw: &str, period: Option<&str>) -> Vec<Target> {
    if raw.trim().is_empty() {
        return Vec::new();
    }
    vec![parse_target_with(rules, raw, period)]
}

/// A target phrase found inside a sentence: its byte range in the sentence and the target
/// (raw = that phrase, e.g. "≥ 60%" in "Tỷ lệ phủ sóng 5G đạt ≥ 60%."). Only percentages
/// and compared values count (a bare "01 trung tâm" does not); an "=" verb ("đạt") is left
/// out of the phrase, comparison words ("ít nhất", "trên") are kept.
pub fn find_target(rules: &TargetRules, sentence: &str, period: Option<&str>) -> Option<(std::ops::Range<usize>, Target)> {
    let folded = fold_keep(sentence);
    let found = scan(rules, &folded.text);
    let x = pick(&found, true)?;
    let start = if x.eq_word { x.n1_start } else { x.start };
    let (s, e) = (folded.src_start(start), folded.src_end(x.end));
    let (s, e) = (s.min(sentence.len()), e.min(sentence.len()).max(s.min(sentence.len())));
    let slice = sentence.get(s..e)?;
    let lead = slice.len() - slice.trim_start().len();
    let raw = slice.trim();
    let range = (s + lead)..(s + lead + raw.len());
    Some((
        range,
        Target { period: period.map(str::to_string), raw: clean_raw(raw), op: x.op, value: x.value, value_max: x.value_max },
    ))
}

/// The unit of a row from its target cells: "%" when they are percentages.
pub fn unit_of(raws: &[&str]) -> Option<String> {
    unit_of_with(TargetRules::embedded(), raws)
}

pub fn unit_of_with(rules: &TargetRules, raws: &[&str]) -> Option<String> {
    let pct = raws.iter().any(|r| {
        let f = fold_keep(r).text;
        f.contains('%') || rules.percent_words.iter().any(|w| !w.is_empty() && f.contains(w.as_str()))
    });
    pct.then(|| "%".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value regex with ASCII word boundaries finds the same values (every field, at
    /// every position) as the Unicode one on each text where [`ascii_boundaries_agree`]:
    /// the lines of the bundled texts folded as cells are, and cells with symbols glued to
    /// words and numbers.
    /// A cell parsed again (from the memory of parsed cells), with the same or another
    /// period, reads as parsed afresh; so do the cells of another rule set.
    #[test]
    fn remembered_cells_parse_alike() {
        let rules = TargetRules::embedded();
        let other = TargetRules::load(&RuleSource::default()).expect("embedded rules");
        let mut cells: Vec<String> = ["100", "≥ 80", "- ", "Tiên tiến", "≥ 60% 100%", "từ 80% đến 90%"].map(String::from).to_vec();
        for text in crate::test_data::corpus() {
            cells.extend(text.lines().filter(|l| l.len() < 40).map(String::from));
        }
        start_document();
        for round in 0..2 {
            for c in &cells {
                for (r, period) in [(rules, None), (rules, Some("2025")), (&other, Some("2030"))] {
                    assert_eq!(parse_target_with(r, c, period), parse_target_uncached(r, c, period), "{c:?} round {round}");
                }
            }
        }
    }

    #[test]
    fn ascii_boundary_regex_agrees() {
        let rules = TargetRules::embedded();
        let mut texts: Vec<String> = [
            "≥ 80", "≥80%", "80%≥", "–tro len 5", "tren 100% tro len", "tu 80% ÷ 90%", "\\geq 5", "\\geq5",
            "dat ≥ 90 phan tram", "• 5 tro len•", "50 – 60%", "≤ 1.000,5 tro xuong", "khong duoi 3 ~ 4",
        ]
        .map(String::from)
        .to_vec();
        for text in crate::test_data::texts(&crate::test_data::TEXT_DIRS, Some("txt")) {
            texts.extend(text.lines().map(|l| fold_keep(l).text));
        }
        let key = |v: Vec<Found>| -> Vec<String> { v.iter().map(|x| format!("{x:?}")).collect() };
        let mut agreeing = 0;
        for f in &texts {
            if !ascii_boundaries_agree(f) {
                continue;
            }
            agreeing += 1;
            assert_eq!(key(scan_with(&rules.value_ascii_b, f)), key(scan_with(rules.value(), f)), "{f:?}");
        }
        assert!(agreeing > 1000, "{agreeing}");
        assert!(!ascii_boundaries_agree("tỷ 80"));
        assert_eq!(ascii_boundaries(r"\bx\b\\b"), r"(?-u:\b)x(?-u:\b)\\b");
    }

    /// [`scan`] stops where no ASCII digit is left: the value pattern finds no match there,
    /// on every position of the bundled texts' lines (folded as cells are) and of cells
    /// with comparison words, percent words and symbols but no digit.
    #[test]
    fn no_value_without_a_digit() {
        let rules = TargetRules::embedded();
        let mut lines: Vec<String> =
            ["≥ %", "tren 100% ", "dat ≥ tỷ lệ", "từ - đến %", "\\geq", "≤ ít nhất phần trăm"].map(String::from).to_vec();
        for text in crate::test_data::texts(&crate::test_data::TEXT_DIRS, Some("txt")) {
            lines.extend(text.lines().map(|l| fold_keep(l).text));
        }
        let mut checked = 0;
        for f in &lines {
            let last_digit = f.bytes().rposition(|b| b.is_ascii_digit()).map_or(0, |p| p + 1);
            for pos in (last_digit..=f.len()).filter(|&p| f.is_char_boundary(p)) {
                assert!(rules.value().captures_at(f, pos).is_none(), "{f:?} {pos}");
                checked += 1;
            }
        }
        assert!(checked > 10_000, "{checked}");
    }

    fn t(raw: &str) -> (TargetOp, Option<f64>, Option<f64>) {
        let x = parse_target(raw, Some("2025"));
        (x.op, x.value, x.value_max)
    }

    use TargetOp::{Eq, Ge, Gt, Le, Lt, Range, Text};

    #[test]
    fn symbols() {
        assert_eq!(t("≥ 60%"), (Ge, Some(60.0), None));
        assert_eq!(t(">=60%"), (Ge, Some(60.0), None));
        assert_eq!(t("=> 60 %"), (Ge, Some(60.0), None));
        assert_eq!(t("> 95%"), (Gt, Some(95.0), None));
        assert_eq!(t(">80%"), (Gt, Some(80.0), None));
        assert_eq!(t("≤ 5"), (Le, Some(5.0), None));
        assert_eq!(t("<= 5%"), (Le, Some(5.0), None));
        assert_eq!(t("< 3%"), (Lt, Some(3.0), None));
        assert_eq!(t("= 85%"), (Eq, Some(85.0), None));
        assert_eq!(t("≥ 80"), (Ge, Some(80.0), None));
    }

    #[test]
    fn latex_residue() {
        assert_eq!(t(r"$\geq 82\%$"), (Ge, Some(82.0), None));
        assert_eq!(t(r"$> 82\%$"), (Gt, Some(82.0), None));
        assert_eq!(t(r"$\leq 5\%$"), (Le, Some(5.0), None));
    }

    #[test]
    fn bare_values_are_eq() {
        assert_eq!(t("100%"), (Eq, Some(100.0), None));
        assert_eq!(t("100"), (Eq, Some(100.0), None));
        assert_eq!(t("90"), (Eq, Some(90.0), None));
        assert_eq!(t("đạt 90%"), (Eq, Some(90.0), None));
        assert_eq!(t("Đạt 90%"), (Eq, Some(90.0), None));
    }

    #[test]
    fn vietnamese_numbers() {
        assert_eq!(t("3,0%"), (Eq, Some(3.0), None));
        assert_eq!(t("3,5%"), (Eq, Some(3.5), None));
        assert_eq!(t("1.000"), (Eq, Some(1000.0), None));
        assert_eq!(t("1.000.000"), (Eq, Some(1_000_000.0), None));
        assert_eq!(t("1.000,5"), (Eq, Some(1000.5), None));
        assert_eq!(t("3.5%"), (Eq, Some(3.5), None));
        assert_eq!(t("0.125"), (Eq, Some(0.125), None));
        assert_eq!(t("12.5"), (Eq, Some(12.5), None));
    }

    #[test]
    fn comparison_words() {
        assert_eq!(t("ít nhất 80%"), (Ge, Some(80.0), None));
        assert_eq!(t("Tối thiểu 70%"), (Ge, Some(70.0), None));
        assert_eq!(t("không dưới 50%"), (Ge, Some(50.0), None));
        assert_eq!(t("trên 80%"), (Gt, Some(80.0), None));
        assert_eq!(t("hơn 80%"), (Gt, Some(80.0), None));
        assert_eq!(t("đạt trên 3%"), (Gt, Some(3.0), None));
        assert_eq!(t("dưới 5%"), (Lt, Some(5.0), None));
        assert_eq!(t("ít hơn 5%"), (Lt, Some(5.0), None));
        assert_eq!(t("không quá 5%"), (Le, Some(5.0), None));
        assert_eq!(t("tối đa 10"), (Le, Some(10.0), None));
        assert_eq!(t("từ 80% trở lên"), (Ge, Some(80.0), None));
        assert_eq!(t("Đạt mức 2 trở lên"), (Ge, Some(2.0), None));
        assert_eq!(t("5% trở xuống"), (Le, Some(5.0), None));
    }

    #[test]
    fn stripped_and_ocr_words() {
        assert_eq!(t("it nhat 80%"), (Ge, Some(80.0), None));
        assert_eq!(t("IT NHAT 80%"), (Ge, Some(80.0), None));
        assert_eq!(t("toi thieu 70%"), (Ge, Some(70.0), None));
        assert_eq!(t("tren 80%"), (Gt, Some(80.0), None));
        assert_eq!(t("khong qua 5%"), (Le, Some(5.0), None));
        assert_eq!(t("duoi 5%"), (Lt, Some(5.0), None));
        assert_eq!(t("dat 90%"), (Eq, Some(90.0), None));
        // NFD input.
        assert_eq!(t("i\u{301}t nhâ\u{301}t 80%"), (Ge, Some(80.0), None));
    }

    #[test]
    fn ranges() {
        assert_eq!(t("80-90%"), (Range, Some(80.0), Some(90.0)));
        assert_eq!(t("80% - 90%"), (Range, Some(80.0), Some(90.0)));
        assert_eq!(t("80 – 90 %"), (Range, Some(80.0), Some(90.0)));
        assert_eq!(t("từ 80% đến 90%"), (Range, Some(80.0), Some(90.0)));
        assert_eq!(t("tu 80% den 90%"), (Range, Some(80.0), Some(90.0)));
        assert_eq!(t("3,0 - 3,5%"), (Range, Some(3.0), Some(3.5)));
    }

    #[test]
    fn qualitative_and_none() {
        for raw in ["Tiên tiến, hiện đại", "Thường xuyên", "Theo phân bổ, hướng dẫn của Thành phố", "Thuong xuyen", "Năm 2025"] {
            let x = parse_target(raw, Some("2030"));
            assert_eq!((x.op, x.value, x.value_max), (Text, None, None), "{raw}");
            assert_eq!(x.raw, raw);
        }
        for raw in ["-", " - ", "—", "–", "--"] {
            let x = parse_target(raw, Some("2030"));
            assert_eq!(x.op, TargetOp::None, "{raw:?}");
            assert_eq!(x.value, None);
        }
        assert_eq!(parse_target("-", None).raw, "-");
        assert!(parse_targets("", Some("2025")).is_empty());
        assert!(parse_targets("  \n\t ", Some("2025")).is_empty());
        assert_eq!(parse_targets("-", Some("2025")).len(), 1);
    }

    #[test]
    fn raw_and_period_kept() {
        let x = parse_target("  ≥  60%\n", Some("2025"));
        assert_eq!(x.raw, "≥ 60%");
        assert_eq!(x.period.as_deref(), Some("2025"));
        let v = parse_targets("90%", Some("phường"));
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].period.as_deref(), Some("phường"));
        assert_eq!(v[0].raw, "90%");
        assert_eq!(parse_target("Thương xuyên", None).raw, "Thương xuyên");
    }

    #[test]
    fn several_sub_targets_make_one_target() {
        let raw = "> 95% đối với cơ sở giáo dục phổ thông; > 95% đối với các cơ sở giáo dục mầm non.";
        let v = parse_targets(raw, Some("2030"));
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].raw, raw);
        assert_eq!((v[0].op, v[0].value), (Gt, Some(95.0)));
        let v = parse_targets("≥ 70% mầm non; 100% phổ thông", None);
        assert_eq!((v[0].op, v[0].value), (Ge, Some(70.0)));
    }

    #[test]
    fn numbers_glued_to_words_are_not_values() {
        assert_eq!(t("5G"), (Text, None, None));
        assert_eq!(t("Phủ sóng 5G đạt 100%"), (Eq, Some(100.0), None));
        assert_eq!(t("Năm 2025: 80%"), (Eq, Some(80.0), None));
        assert_eq!(t("Mức 2"), (Eq, Some(2.0), None));
    }

    #[test]
    fn unit() {
        assert_eq!(unit_of(&["≥ 60%", "100%", "-"]).as_deref(), Some("%"));
        assert_eq!(unit_of(&["-", "80-90%"]).as_deref(), Some("%"));
        assert_eq!(unit_of(&["100", "≥ 80"]), None);
        assert_eq!(unit_of(&["Thường xuyên", "-"]), None);
        assert_eq!(unit_of(&[]), None);
        assert_eq!(unit_of(&["30 phần trăm"]).as_deref(), Some("%"));
    }

    #[test]
    fn find_in_sentence() {
        let r = TargetRules::embedded();
        let s = "Tỷ lệ phủ sóng 5G trên địa bàn đạt ≥ 60%.";
        let (range, x) = find_target(r, s, Some("2025")).unwrap();
        assert_eq!(&s[range], "≥ 60%");
        assert_eq!((x.raw.as_str(), x.op, x.value), ("≥ 60%", Ge, Some(60.0)));
        assert_eq!(x.period.as_deref(), Some("2025"));

        let s = "Phấn đấu bố trí ít nhất 3,0% nguồn ngân sách chi cho khoa học";
        let (_, x) = find_target(r, s, None).unwrap();
        assert_eq!((x.raw.as_str(), x.op, x.value), ("ít nhất 3,0%", Ge, Some(3.0)));

        let s = "Đạt 3% tổng chi ngân sách phường hằng năm";
        let (_, x) = find_target(r, s, None).unwrap();
        assert_eq!((x.raw.as_str(), x.op), ("3%", Eq));

        let s = "80% - 90% dân số trưởng thành thường xuyên sử dụng dịch vụ số";
        let (_, x) = find_target(r, s, None).unwrap();
        assert_eq!((x.raw.as_str(), x.op, x.value, x.value_max), ("80% - 90%", Range, Some(80.0), Some(90.0)));

        let s = "Có ≥ 60% người sử dụng có khả năng truy cập băng rộng cố định với tốc độ trên 01 Gbps/s.";
        let (_, x) = find_target(r, s, None).unwrap();
        assert_eq!(x.raw, "≥ 60%");

        let s = "Tốc độ trên 01 Gbps/s cho 100% hộ gia đình";
        let (_, x) = find_target(r, s, None).unwrap();
        assert_eq!(x.raw, "100%");

        let s = "Co > 70% ho so thu tuc hanh chinh xu ly truc tuyen.";
        let (_, x) = find_target(r, s, None).unwrap();
        assert_eq!((x.raw.as_str(), x.op), ("> 70%", Gt));

        // Qualitative bullets and plain counts are not targets.
        assert!(find_target(r, "Ứng dụng AI, IoT, Big Data,... trong quản lý môi trường", None).is_none());
        assert!(find_target(r, "Triển khai Nghị quyết 57-NQ/TW ngày 22/12/2024 đến năm 2030", None).is_none());
        assert!(find_target(r, "Có 01 trung tâm điều hành", None).is_none());
    }

    #[test]
    fn garbage_never_panics() {
        let r = TargetRules::embedded();
        let long = "9".repeat(400);
        let samples = [
            "", "%", "%%%", "≥", ">=", "- - -", "1.", ".1", ",5", "1,", "1..2", long.as_str(), "∞%", "≥≥≥ 5", "từ đến", "80-", "-80", "80 đến", "\u{301}\u{300}", "ố̉", "\0\u{FFFF}", "1.000.", "١٢٣%",
            "1e308%", "99999999999999999999999999999999999999999999%", "Ĩ Ắ ẵ 5 ✓ 7%", "\\geq", "$$", "tro len",
        ];
        for s in samples {
            let x = parse_target(s, None);
            assert!(x.value.is_none_or(f64::is_finite), "{s:?}");
            let _ = parse_targets(s, Some("x"));
            let _ = unit_of(&[s]);
            if let Some((range, _)) = find_target(r, s, None) {
                assert!(s.get(range).is_some());
            }
        }
        // Every char boundary prefix of a real cell.
        let cell = "từ ≥ 80,5% đến 90% (tương đương 1.000 hồ sơ); dưới 5%";
        for (i, _) in cell.char_indices() {
            let _ = parse_target(&cell[..i], None);
            let _ = find_target(r, &cell[i..], None);
        }
    }

    #[test]
    fn bad_rules_are_errors_with_line() {
        let text = "none_cells = [\"-\"]\nrange_connectors = []\n[prefix]\nge = [\"ít nhất\"]\n";
        let e = TargetRules::parse(text, "rules/targets.toml").unwrap_err().to_string();
        assert!(e.starts_with("rules/targets.toml:2:"), "{e}");
        let text = "range_connectors = [\"-\"]\nnone_cells = [\"-\"]\n[prefix]\nge = [\"  \"]\n";
        let e = TargetRules::parse(text, "rules/targets.toml").unwrap_err().to_string();
        assert!(e.starts_with("rules/targets.toml:4:"), "{e}");
        let text = "range_connectors = [\"-\"]\nnone_cells = [\"-\"]\n[prefix]\nge = 3\n";
        let e = TargetRules::parse(text, "rules/targets.toml").unwrap_err().to_string();
        assert!(e.starts_with("rules/targets.toml:4:"), "{e}");
        // A minimal valid file works.
        let text = "range_connectors = [\"den\"]\nnone_cells = [\"-\"]\n[prefix]\nge = [\"ít nhất\"]\n";
        let r = TargetRules::parse(text, "x").unwrap();
        let x = parse_target_with(&r, "it nhat 5 den 7", None);
        assert_eq!((x.op, x.value, x.value_max), (Range, Some(5.0), Some(7.0)));
    }

}
