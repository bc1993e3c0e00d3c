//! Line classification and the heading hierarchy.
//!
//! Each normalized line is classified (heading of some numbering style, bullet, appendix
//! heading, table line, signature, ...). A stack of open numbering styles gives the
//! hierarchy: a style already open closes back to it (a sibling), a new style opens a
//! child. This keeps the source's own numbering even when it is inconsistent (a second
//! "I.", a repeated "7.2.").

use super::{DocTree, Node, NodeKind, Numbering};
use crate::fold::{fold, fold_chars, fold_prefix};
use crate::normalize::layout::{append_line, join_lines};
use crate::normalize::NormText;
use crate::rules::Rules;
use once_cell::sync::Lazy;
use regex::Regex;

/// The regexes the hand parsers replace (references for the tests).
#[cfg(test)]
static ROMAN: Lazy<Regex> = Lazy::new(|| Regex::new(r"^([IVXL]{1,5})\s*[.)]\s*(.*)$").unwrap());
static DECIMAL: Lazy<Regex> = Lazy::new(|| Regex::new(r"^(\d{1,2}(?:\.\d{1,2}){1,3})\.?\s+(\S.*)$").unwrap());
static ARABIC: Lazy<Regex> = Lazy::new(|| Regex::new(r"^(\d{1,2})\s*[.)]\s*(\S.*)$").unwrap());
#[cfg(test)]
static LETTER: Lazy<Regex> = Lazy::new(|| Regex::new(r"^([a-zđ])\s*\)\s*(.*)$").unwrap());
#[cfg(test)]
static BULLET: Lazy<Regex> = Lazy::new(|| Regex::new(r"^([-–—+•*·])\s*(\S.*)$").unwrap());
/// Folded appendix heading: "phu luc", "phu luc 1", "phu luc so 02", "phu luc ii: ...".
static APPENDIX: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"^phu luc(?:\s+(?:so\s+)?([0-9]{1,2}|[ivxl]{1,5}))?(?:\s|$)").unwrap());

/// Hand parsers for the numbering patterns, each equal to its regex above (tested on
/// every corpus line and on generated lines): regex captures per line were most of the
/// cost of segmenting. Each returns the two groups, `None` when the regex does not match.
mod numbering {
    /// Outcome of a parser that may meet a char it cannot decide alone (a non-ASCII
    /// digit: `\d` is Unicode `Nd`, which the standard library does not expose).
    pub(super) enum Parse<'a> {
        Match(&'a str, &'a str),
        NoMatch,
        /// Ask the regex.
        Unsure,
    }

    /// `memchr` rather than `str::contains`: the core search walks the rest of the line
    /// a word at a time.
    fn has_newline(s: &str) -> bool {
        memchr::memchr(b'\n', s.as_bytes()).is_some()
    }

    fn skip_ws(s: &str) -> &str {
        s.trim_start_matches(char::is_whitespace)
    }

    /// A maximal run of `\d`: `Err(())` when a non-ASCII numeric char is met.
    fn digits(s: &str) -> Result<usize, ()> {
        let n = s.bytes().take_while(u8::is_ascii_digit).count();
        match s[n..].chars().next() {
            Some(c) if !c.is_ascii() && c.is_numeric() => Err(()),
            _ => Ok(n),
        }
    }

    /// `^([IVXL]{1,5})\s*[.)]\s*(.*)$`
    pub(super) fn roman(t: &str) -> Option<(&str, &str)> {
        let n = t.bytes().take_while(|b| matches!(b, b'I' | b'V' | b'X' | b'L')).count();
        if n == 0 || n > 5 {
            return None;
        }
        let after = skip_ws(&t[n..]);
        let rest = after.strip_prefix(['.', ')'])?;
        // `.` does not match '\n' (lines have none, but keep the regex's meaning).
        let rest = skip_ws(rest);
        (!has_newline(rest)).then_some((&t[..n], rest))
    }

    /// `^(\d{1,2}(?:\.\d{1,2}){1,3})\.?\s+(\S.*)$`
    pub(super) fn decimal(t: &str) -> Parse<'_> {
        let Ok(n) = digits(t) else { return Parse::Unsure };
        if !(1..=2).contains(&n) {
            return Parse::NoMatch;
        }
        let mut end = n;
        let mut groups = 0;
        // A group is taken wherever '.' is followed by a digit: fewer groups never match
        // there either (neither `\.?\s+` nor another group can follow '.' + digit).
        while t[end..].starts_with('.') {
            let Ok(k) = digits(&t[end + 1..]) else { return Parse::Unsure };
            if k == 0 {
                break;
            }
            if k > 2 || groups == 3 {
                return Parse::NoMatch;
            }
            groups += 1;
            end += 1 + k;
        }
        if groups == 0 {
            return Parse::NoMatch;
        }
        let after = t[end..].strip_prefix('.').unwrap_or(&t[end..]);
        let rest = skip_ws(after);
        if rest.len() == after.len() || rest.is_empty() || has_newline(rest) {
            return Parse::NoMatch;
        }
        Parse::Match(&t[..end], rest)
    }

    /// `^(\d{1,2})\s*[.)]\s*(\S.*)$`
    pub(super) fn arabic(t: &str) -> Parse<'_> {
        let Ok(n) = digits(t) else { return Parse::Unsure };
        if !(1..=2).contains(&n) {
            return Parse::NoMatch;
        }
        let Some(rest) = skip_ws(&t[n..]).strip_prefix(['.', ')']) else { return Parse::NoMatch };
        let rest = skip_ws(rest);
        if rest.is_empty() || has_newline(rest) {
            return Parse::NoMatch;
        }
        Parse::Match(&t[..n], rest)
    }

    /// `^([a-zđ])\s*\)\s*(.*)$`
    pub(super) fn letter(t: &str) -> Option<(&str, &str)> {
        let c = t.chars().next().filter(|c| c.is_ascii_lowercase() || *c == 'đ')?;
        let n = c.len_utf8();
        // Most lines starting in lower case are words: a letter after the first char
        // rules them out before any scan.
        if !t[n..].starts_with(|c: char| c == ')' || c.is_whitespace()) {
            return None;
        }
        let rest = skip_ws(skip_ws(&t[n..]).strip_prefix(')')?);
        (!has_newline(rest)).then_some((&t[..n], rest))
    }

    /// `^([-–—+•*·])\s*(\S.*)$`
    pub(super) fn bullet(t: &str) -> Option<(&str, &str)> {
        let c = t.chars().next().filter(|c| matches!(c, '-' | '–' | '—' | '+' | '•' | '*' | '·'))?;
        let n = c.len_utf8();
        let rest = skip_ws(&t[n..]);
        (!rest.is_empty() && !has_newline(rest)).then_some((&t[..n], rest))
    }
}

/// The two groups of `re` in `t`.
fn regex_groups<'a>(re: &Regex, t: &'a str) -> Option<(&'a str, &'a str)> {
    re.captures(t).map(|c| (c.get(1).unwrap().as_str(), c.get(2).unwrap().as_str()))
}

/// What a hand parser found in `t`, or the groups of `re` where it cannot tell.
/// The regex is compiled at its first use (a non-ASCII digit; most batches have none).
fn parsed_or_regex<'a>(parsed: numbering::Parse<'a>, re: &Lazy<Regex>, t: &'a str) -> Option<(&'a str, &'a str)> {
    match parsed {
        numbering::Parse::Match(a, b) => Some((a, b)),
        numbering::Parse::NoMatch => None,
        numbering::Parse::Unsure => regex_groups(re, t),
    }
}

/// [`numbering::decimal`], or the regex where it cannot tell.
fn decimal_parts(t: &str) -> Option<(&str, &str)> {
    parsed_or_regex(numbering::decimal(t), &DECIMAL, t)
}

/// [`numbering::arabic`], or the regex where it cannot tell.
fn arabic_parts(t: &str) -> Option<(&str, &str)> {
    parsed_or_regex(numbering::arabic(t), &ARABIC, t)
}

/// Whether a line ends a sentence: final punctuation, then maybe spaces and one closing
/// bracket or quote (the regex `[.;:!?…]\s*[)”"']?$`, checked from the end).
fn ends_sentence(line: &str) -> bool {
    let punct = |s: &str| s.trim_end().ends_with(['.', ';', ':', '!', '?', '…']);
    punct(line) || line.strip_suffix([')', '”', '"', '\'']).is_some_and(punct)
}

/// `*text = join_lines([text, line])`, in place when `text` is trimmed (it is, when made
/// by [`join_lines`] or from a trimmed line).
fn join_line_to(text: &mut String, line: &str) {
    if text.trim().len() == text.len() {
        append_line(text, line);
    } else {
        *text = join_lines([text.as_str(), line]);
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Class {
    Appendix { label: String, rest: String },
    Heading { numbering: Numbering, label: String, rest: String },
    Bullet { marker: String, rest: String },
    TableStart,
    TabRow,
    Signature,
    Recipients,
    Closing,
    Text,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Appendix,
    Heading(Numbering),
    Bullet(char),
}

/// Folded chars [`classify`] looks at before it needs the whole folded line: enough
/// for "noi nhan", "tren day la " and the signature and appendix openings.
const CLASSIFY_PREFIX: usize = 13;

fn classify(line: &str) -> Class {
    let t = line.trim();
    let (tab, colon) = first_tab_and_colon(t.as_bytes());
    if tab.is_some() && t.split('\t').filter(|c| !c.trim().is_empty()).count() >= 2 {
        return Class::TabRow;
    }
    let first = t.chars().next().unwrap_or(' ');
    // An ASCII first char uppercases to itself alone: only 's' and 't' can start these.
    // (`t` is trimmed: its first char is the first char of its first word.)
    let may_be_tt = !first.is_ascii() || matches!(first, 's' | 'S' | 't' | 'T');
    if may_be_tt {
        let head = t.split_whitespace().next().unwrap_or("");
        let upper_head_is = |w: &str| head.chars().flat_map(char::to_uppercase).eq(w.chars());
        if upper_head_is("TT") || upper_head_is("STT") {
            return Class::TableStart;
        }
    }
    // The start of the folded line decides the tests on it; the appendix and signature
    // tests that read further fold the whole line. Most lines start with two folded
    // chars that none of those starts with: they are not folded further.
    let f = if may_start_folded_opener(t) { fold_prefix(t, CLASSIFY_PREFIX) } else { String::new() };
    if f.starts_with(FOLDED_OPENERS[0]) {
        let f = fold(t);
        if let Some(c) = APPENDIX.captures(&f) {
            // A heading, not a sentence that happens to start with "Phụ lục" after a wrap.
            let short_or_caps = t.chars().count() <= 90 || is_mostly_upper(t);
            if short_or_caps {
                let label = appendix_label(t, c.get(1).map(|m| m.as_str()));
                let rest = t.split_once(':').map(|(_, r)| r.trim().to_string()).unwrap_or_default();
                return Class::Appendix { label, rest };
            }
        }
    }
    if f.starts_with(FOLDED_OPENERS[1]) || colon.is_some_and(|c| is_ocr_recipients(&t[..c])) {
        return Class::Recipients;
    }
    if may_start_signature(&f) && is_signature_start(&fold(t)) {
        return Class::Signature;
    }
    if f.starts_with(FOLDED_OPENERS[2]) {
        return Class::Closing;
    }
    // Each numbering pattern is tried only on a line starting with a char it can start
    // with.
    if matches!(first, 'I' | 'V' | 'X' | 'L') {
        if let Some((label, rest)) = numbering::roman(t) {
            let rest = rest.trim();
            // "I." heading titles are upper case or at least start with a capital.
            if rest.is_empty() || rest.starts_with(|ch: char| ch.is_uppercase()) {
                return Class::Heading { numbering: Numbering::Roman, label: label.to_string(), rest: rest.to_string() };
            }
        }
    }
    // `\d` is any Unicode decimal digit: all of them are numeric.
    if first.is_numeric() {
        if let Some((label, rest)) = decimal_parts(t) {
            let depth = label.matches('.').count() as u8;
            if starts_like_title(rest) {
                return Class::Heading { numbering: Numbering::Decimal(depth), label: label.to_string(), rest: rest.trim().to_string() };
            }
        }
        if let Some((label, rest)) = arabic_parts(t) {
            if starts_like_title(rest) {
                return Class::Heading { numbering: Numbering::Arabic, label: label.to_string(), rest: rest.trim().to_string() };
            }
        }
    }
    if first.is_ascii_lowercase() || first == 'đ' {
        if let Some((label, rest)) = numbering::letter(t) {
            return Class::Heading { numbering: Numbering::Letter, label: label.to_string(), rest: rest.trim().to_string() };
        }
    }
    if matches!(first, '-' | '–' | '—' | '+' | '•' | '*' | '·') {
        if let Some((marker, rest)) = numbering::bullet(t) {
            // "- 3 -" style page marks are gone already; a bullet has words after it.
            if rest.chars().any(|ch| ch.is_alphabetic()) {
                return Class::Bullet { marker: marker.to_string(), rest: rest.trim().to_string() };
            }
        }
    }
    Class::Text
}

/// The folded starts [`classify`] tests for, besides [`SIGNATURE_OPENERS`].
const FOLDED_OPENERS: [&str; 3] = ["phu luc", "noi nhan", "tren day la "];

/// Whether `t` can fold to a start [`classify`] tests for ([`FOLDED_OPENERS`] or a
/// signature opener): its first two folded chars, taken lazily (no allocation), start
/// one of them (each is longer than two chars). Most lines are not folded further.
fn may_start_folded_opener(t: &str) -> bool {
    let pair = |a: Option<char>, b: Option<char>| {
        matches!(
            (a, b),
            (Some('p'), Some('h')) | (Some('n'), Some('o')) | (Some('t'), Some('r' | 'm' | 'l')) | (Some('k'), Some('t')) | (Some('q'), Some(' ' | '.'))
        )
    };
    // Two ASCII letters or digits are the first two folded chars, lowercased: most lines
    // are decided without the folding iterator.
    if let [a, b, ..] = *t.as_bytes() {
        if a.is_ascii_alphanumeric() && b.is_ascii_alphanumeric() {
            return pair(Some(a.to_ascii_lowercase() as char), Some(b.to_ascii_lowercase() as char));
        }
    }
    let mut f = fold_chars(t);
    pair(f.next(), f.next())
}

/// The first tab and the first colon of a line, by one `memchr2` scan where it has
/// neither (most lines): the core `str::contains` walks a line a word at a time.
fn first_tab_and_colon(b: &[u8]) -> (Option<usize>, Option<usize>) {
    let after = |p: usize, c: u8| memchr::memchr(c, &b[p + 1..]).map(|q| p + 1 + q);
    match memchr::memchr2(b'\t', b':', b) {
        None => (None, None),
        Some(p) if b[p] == b'\t' => (Some(p), after(p, b':')),
        Some(p) => (after(p, b'\t'), Some(p)),
    }
}

/// "Nơi nhận:" as OCR reads it ("Noinhgn:", "Nơi nhan:"): the words `before` the first
/// colon of a line, folded and without spaces, one edit from "noinhan".
fn is_ocr_recipients(before: &str) -> bool {
    // Ten chars are more than nine bytes: a longer key is no match either.
    let key: String = fold_chars(before).filter(|c| !c.is_whitespace()).take(10).collect();
    // The distance is at least the difference in length: most keys are ruled out by it.
    (5..=9).contains(&key.len()) && key.chars().count().abs_diff(7) <= 1 && strsim::damerau_levenshtein(&key, "noinhan") <= 1
}

fn starts_like_title(rest: &str) -> bool {
    rest.starts_with(|c: char| c.is_uppercase() || c == '“' || c == '"' || c == '(')
}

fn is_mostly_upper(s: &str) -> bool {
    let letters: Vec<char> = s.chars().filter(|c| c.is_alphabetic()).collect();
    !letters.is_empty() && letters.iter().filter(|c| c.is_uppercase()).count() * 10 >= letters.len() * 7
}

const SIGNATURE_OPENERS: [&str; 7] = ["tm ", "tm.", "kt ", "kt.", "tl ", "q chu tich", "q. chu tich"];

fn is_signature_start(f: &str) -> bool {
    may_start_signature(f) && (f.contains("uy ban") || f.contains("chu tich") || f.contains("ubnd"))
}

/// The opening test of [`is_signature_start`] (on a folded prefix of at least 11 chars).
fn may_start_signature(f: &str) -> bool {
    SIGNATURE_OPENERS.iter().any(|p| f.starts_with(p))
}

/// "Phụ lục 1", "Phụ lục II", "Phụ lục số 02": the number as printed.
fn appendix_label(line: &str, number: Option<&str>) -> String {
    let mut label = String::from("Phụ lục");
    if number.is_none() {
        return label;
    }
    let words: Vec<&str> = line.split_whitespace().collect();
    let mut idx = 2;
    if words.get(2).is_some_and(|w| fold(w) == "so") {
        label.push_str(" số");
        idx = 3;
    }
    if let Some(w) = words.get(idx) {
        label.push(' ');
        label.push_str(w.trim_end_matches([':', '.', ',', ';']));
    }
    label
}

/// Lines after the doc type that still belong to the title.
fn title_continues(line: &str, taken: usize, preamble_openers: &[String]) -> bool {
    if taken == 0 {
        return !matches!(classify(line), Class::Heading { .. } | Class::TableStart | Class::TabRow);
    }
    let f = fold(line);
    if preamble_openers.iter().any(|p| f.starts_with(p.as_str())) {
        return false;
    }
    taken < 8 && matches!(classify(line), Class::Text)
}

struct Builder<'a> {
    norm: &'a NormText,
    tree: DocTree,
    stack: Vec<(Style, usize)>,
    /// Threshold (chars) above which a line without final punctuation is a wrapped line.
    wrap_len: usize,
    /// Node that the next plain line may continue.
    open: Option<usize>,
    paragraph_openers: &'a [String],
    /// Folded chars [`Builder::continues`] needs to test the openers: the longest and the
    /// space after it.
    opener_chars: usize,
    continuation_words: &'a [String],
}

impl<'a> Builder<'a> {
    fn add(&mut self, kind: NodeKind, label: Option<String>, numbering: Option<Numbering>, line: usize, text: &str, parent: Option<usize>) -> usize {
        let id = self.tree.nodes.len();
        self.tree.nodes.push(Node {
            kind,
            label,
            numbering,
            text: text.to_string(),
            first_line: line,
            last_line: line,
            parent,
            children: Vec::new(),
        });
        match parent {
            Some(p) => self.tree.nodes[p].children.push(id),
            None => self.tree.roots.push(id),
        }
        id
    }

    fn top(&self) -> Option<usize> {
        self.stack.last().map(|&(_, i)| i)
    }

    fn extend(&mut self, node: usize, line: usize) {
        let n = &mut self.tree.nodes[node];
        n.last_line = line;
        join_line_to(&mut n.text, self.norm.line(line));
    }

    /// Whether `line` continues node `node` (a wrapped line of the same paragraph).
    fn continues(&self, node: usize, line: usize) -> bool {
        let text = self.norm.line(line).trim();
        let prev = self.norm.line(self.tree.nodes[node].last_line).trim();
        let first = text.chars().next().unwrap_or(' ');
        if first.is_lowercase() || matches!(first, ',' | ';' | ')' | '.' | '%') {
            return true;
        }
        // A directive verb with a capital ("Phối hợp ...", "Chủ trì ...") starts a new
        // sentence even after a line that did not end with a full stop.
        let f = fold_prefix(text, self.opener_chars);
        if self.paragraph_openers.iter().any(|o| f.starts_with(o.as_str()) && f[o.len()..].starts_with(' ')) {
            return false;
        }
        // A full stop ends a paragraph; a semicolon only on a short line (lists of
        // citations wrap with "...; Kế hoạch ..." at the start of the next line).
        if ends_sentence(prev) && !(prev.ends_with(';') && prev.chars().count() >= self.wrap_len) {
            return false;
        }
        if prev.ends_with(['-', '–', ',', '(']) || first.is_ascii_digit() {
            return true;
        }
        // A line that ends with a word no sentence ends with ("của", "và", "các") goes on.
        let last_word = fold(prev.rsplit(' ').next().unwrap_or(""));
        if self.continuation_words.contains(&last_word) {
            return true;
        }
        prev.chars().count() >= self.wrap_len
    }

    fn pop_to(&mut self, style: Style) {
        if let Some(pos) = self.stack.iter().rposition(|&(s, _)| s == style) {
            self.stack.truncate(pos);
        }
    }

    fn push_styled(&mut self, style: Style, kind: NodeKind, label: Option<String>, numbering: Option<Numbering>, line: usize, text: &str) -> usize {
        match style {
            Style::Appendix => self.stack.clear(),
            Style::Heading(Numbering::Roman) => {
                // Roman numerals are the outermost body level: close everything under
                // the enclosing appendix, if any.
                let keep = self.stack.iter().position(|&(s, _)| s != Style::Appendix).unwrap_or(self.stack.len());
                self.stack.truncate(keep);
            }
            _ => self.pop_to(style),
        }
        let parent = self.top();
        let id = self.add(kind, label, numbering, line, text, parent);
        self.stack.push((style, id));
        id
    }

    /// A numbered line that [`classify`] left as text because its words start in lower
    /// case ("4. đề nghị ...", OCR or a typing slip) is still an item when it is the next
    /// number after an open heading of the same style and the previous line ended a
    /// sentence.
    fn next_numbered_item(&self, line: usize) -> Option<Class> {
        let text = self.norm.line(line).trim();
        let prev = line.checked_sub(1).map(|p| self.norm.line(p).trim()).unwrap_or("");
        // Both numbering patterns start with a digit.
        if !text.starts_with(char::is_numeric) || !ends_sentence(prev) {
            return None;
        }
        let (numbering, label, rest) = if let Some((label, rest)) = decimal_parts(text) {
            (Numbering::Decimal(label.matches('.').count() as u8), label.to_string(), rest.to_string())
        } else {
            let (label, rest) = arabic_parts(text)?;
            (Numbering::Arabic, label.to_string(), rest.to_string())
        };
        let expected_previous = {
            let (head, last) = label.rsplit_once('.').unwrap_or(("", label.as_str()));
            let n: u32 = last.parse().ok()?;
            let prev_n = n.checked_sub(1).filter(|&p| p > 0)?;
            if head.is_empty() { prev_n.to_string() } else { format!("{head}.{prev_n}") }
        };
        let open = self.stack.iter().rev().find(|(s, _)| *s == Style::Heading(numbering))?;
        (self.tree.nodes[open.1].label.as_deref() == Some(expected_previous.as_str()))
            .then(|| Class::Heading { numbering, label, rest: rest.trim().to_string() })
    }

    fn close_bullets(&mut self) {
        while matches!(self.stack.last(), Some((Style::Bullet(_), _))) {
            self.stack.pop();
        }
    }
}

/// Typical length of a wrapped line. Lines followed by a line that starts in lower case
/// are certainly wrapped; a line about as long as those, without final punctuation,
/// continues too. Text with one paragraph per line (Word export) has no such evidence:
/// there only lower-case starts continue.
fn wrap_threshold(norm: &NormText) -> usize {
    let mut wrapped: Vec<usize> = (0..norm.line_count().saturating_sub(1))
        // The next line's first char first: it rules out most lines without a scan.
        .filter(|&i| norm.line(i + 1).starts_with(|c: char| c.is_lowercase()) && !norm.line(i).contains('\t'))
        .map(|i| norm.line(i).chars().count())
        .collect();
    if wrapped.len() < 5 {
        return usize::MAX;
    }
    // Short table-cell fragments wrap too: the width of running text is near the top.
    wrapped.sort_unstable();
    let p90 = wrapped[(wrapped.len() * 9 / 10).min(wrapped.len() - 1)];
    (p90 * 3 / 4).max(30)
}

pub fn segment(norm: &NormText, rules: &Rules) -> DocTree {
    let doc_rules = &rules.document;
    let n = norm.line_count();
    let mut b = Builder { norm, tree: DocTree::default(), stack: Vec::new(), wrap_len: wrap_threshold(norm), open: None, paragraph_openers: &doc_rules.paragraph_openers,
        opener_chars: doc_rules.paragraph_openers.iter().map(|o| o.chars().count() + 1).max().unwrap_or(0),
        continuation_words: &doc_rules.continuation_words,
    };

    // Header: everything before the doc-type line ("KẾ HOẠCH"), if it comes early.
    let doc_type_folded: Vec<String> = doc_rules.doc_types.iter().map(|t| fold(t)).collect();
    let doc_type_line = (0..n.min(40)).find(|&i| {
        let f = fold(norm.line(i));
        doc_type_folded.contains(&f) && is_mostly_upper(norm.line(i))
    });
    let mut i = 0;
    if let Some(d) = doc_type_line {
        for h in 0..d {
            if matches!(classify(norm.line(h)), Class::Appendix { .. }) {
                break;
            }
            b.add(NodeKind::Header, None, None, h, norm.line(h).trim(), None);
            i = h + 1;
        }
        if i == d {
            b.add(NodeKind::DocType, None, None, d, norm.line(d).trim(), None);
            i = d + 1;
            let mut title: Option<usize> = None;
            let mut taken = 0;
            while i < n && title_continues(norm.line(i), taken, &doc_rules.preamble_openers) {
                match title {
                    None => title = Some(b.add(NodeKind::Title, None, None, i, norm.line(i).trim(), None)),
                    Some(t) => b.extend(t, i),
                }
                taken += 1;
                i += 1;
            }
        }
    }

    let mut in_preamble = doc_type_line.is_some();
    let mut table: Option<usize> = None;
    let mut in_recipients = false;
    let mut signature: Option<usize> = None;
    let mut appendix_title: Option<usize> = None;

    while i < n {
        let line = norm.line(i);
        let class = match classify(line) {
            Class::Text if table.is_none() => b.next_numbered_item(i).unwrap_or(Class::Text),
            class => class,
        };

        // Inside a table every line belongs to it until something ends the table.
        if let Some(t) = table {
            let ends = match &class {
                Class::Appendix { .. } | Class::Signature | Class::Recipients | Class::Closing => true,
                Class::Heading { numbering: Numbering::Roman, rest, .. } => is_mostly_upper(rest),
                Class::TabRow | Class::TableStart => false,
                _ => {
                    // A tab-separated table ends at the first structural line without tabs.
                    let tsv = norm.line(b.tree.nodes[t].first_line).contains('\t');
                    tsv && !matches!(class, Class::Text)
                }
            };
            if !ends {
                b.tree.nodes[t].last_line = i;
                i += 1;
                continue;
            }
            table = None;
        }

        match class {
            Class::Appendix { label, rest } => {
                in_preamble = false;
                in_recipients = false;
                signature = None;
                let id = b.push_styled(Style::Appendix, NodeKind::Appendix, Some(label), None, i, &rest);
                appendix_title = Some(id);
                b.open = None;
                i += 1;
                continue;
            }
            Class::TableStart | Class::TabRow => {
                in_preamble = false;
                appendix_title = None;
                b.close_bullets();
                let parent = b.top();
                let id = b.add(NodeKind::Table, None, None, i, "", parent);
                table = Some(id);
                b.open = None;
                i += 1;
                continue;
            }
            _ => {}
        }

        // Title lines of an appendix: upper-case lines and "(Kèm theo ...)" right after it.
        if let Some(a) = appendix_title {
            let f = fold(line);
            if matches!(class, Class::Text) && (is_mostly_upper(line) || f.starts_with("kem theo") || line.trim_start().starts_with('(') || b.continues(a, i) && b.tree.nodes[a].text.is_empty()) {
                let node = &mut b.tree.nodes[a];
                node.last_line = i;
                join_line_to(&mut node.text, line);
                i += 1;
                continue;
            }
            appendix_title = None;
        }

        match class {
            Class::Recipients => {
                in_preamble = false;
                b.stack.clear();
                let id = b.add(NodeKind::Recipients, None, None, i, line.trim(), None);
                in_recipients = true;
                signature = None;
                b.open = Some(id);
            }
            Class::Signature => {
                in_preamble = false;
                in_recipients = false;
                b.stack.clear();
                let id = b.add(NodeKind::Signature, None, None, i, line.trim(), None);
                signature = Some(id);
                b.open = None;
            }
            Class::Closing => {
                in_preamble = false;
                in_recipients = false;
                b.stack.clear();
                let id = b.add(NodeKind::Closing, None, None, i, line.trim(), None);
                b.open = Some(id);
            }
            _ if signature.is_some() && !matches!(class, Class::Heading { .. }) => {
                // Title ("CHỦ TỊCH") and name lines of the signature block.
                let s = signature.expect("checked");
                b.extend(s, i);
                // A signature is a few short lines; "(Đã ký)" and the like included.
                if b.tree.nodes[s].last_line - b.tree.nodes[s].first_line >= 4 {
                    signature = None;
                }
            }
            _ if in_recipients && !matches!(class, Class::Heading { numbering: Numbering::Roman, .. }) => {
                let r = b.tree.nodes.len() - 1;
                let r = b.tree.nodes[..=r].iter().rposition(|nd| nd.kind == NodeKind::Recipients).unwrap_or(r);
                b.extend(r, i);
            }
            Class::Heading { numbering, label, rest } => {
                in_preamble = false;
                in_recipients = false;
                let id = b.push_styled(Style::Heading(numbering), NodeKind::Heading, Some(label), Some(numbering), i, &rest);
                b.open = Some(id);
            }
            Class::Bullet { marker, rest } => {
                let ch = marker.chars().next().unwrap_or('-');
                let ch = if matches!(ch, '–' | '—') { '-' } else { ch };
                let kind = if in_preamble { NodeKind::Preamble } else { NodeKind::Bullet };
                let id = b.push_styled(Style::Bullet(ch), kind, Some(ch.to_string()), None, i, &rest);
                b.open = Some(id);
            }
            Class::Text => match b.open {
                Some(o) if b.continues(o, i) => b.extend(o, i),
                _ => {
                    b.close_bullets();
                    let parent = b.top();
                    let kind = if in_preamble { NodeKind::Preamble } else { NodeKind::Paragraph };
                    let id = b.add(kind, None, None, i, line.trim(), parent);
                    b.open = Some(id);
                }
            },
            Class::Appendix { .. } | Class::TableStart | Class::TabRow => unreachable!("handled above"),
        }
        i += 1;
    }
    b.tree
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::SourceText;
    use crate::normalize::{normalize, NormalizeOptions};

    fn tree(text: &str) -> (NormText, DocTree) {
        let src = SourceText::from_string("t", text);
        let norm = normalize(&src, &NormalizeOptions::default());
        let tree = segment(&norm, Rules::embedded());
        (norm, tree)
    }

    #[test]
    fn lower_case_numbered_item_after_its_predecessor_is_an_item() {
        let (_, t) = tree("KẾ HOẠCH\nThử\nIV. TỔ CHỨC THỰC HIỆN\n1. Giao Phòng Văn hóa - Xã hội chủ trì.\n2. Giao Công an phường thực hiện.\n3. đề nghị Ủy ban MTTQ phường phối hợp.\n5. không phải mục kế tiếp.\n");
        let labels: Vec<Option<&str>> =
            t.nodes.iter().filter(|n| n.kind == NodeKind::Heading).map(|n| n.label.as_deref()).collect();
        assert_eq!(labels, [Some("IV"), Some("1"), Some("2"), Some("3")]);
    }

    fn outline(text: &str) -> Vec<String> {
        let (_, t) = tree(text);
        t.nodes
            .iter()
            .enumerate()
            .map(|(i, n)| format!("{:?} {} {}", n.kind, t.label_path(i).join("."), n.label.clone().unwrap_or_default()))
            .collect()
    }

    #[test]
    fn classify_lines() {
        assert!(matches!(classify("I. MỤC ĐÍCH, YÊU CẦU"), Class::Heading { numbering: Numbering::Roman, .. }));
        assert!(matches!(classify("1.1. Xây dựng kế hoạch"), Class::Heading { numbering: Numbering::Decimal(1), .. }));
        assert!(matches!(classify("2.3.1 Triển khai"), Class::Heading { numbering: Numbering::Decimal(2), .. }));
        assert!(matches!(classify("1. Mục đích"), Class::Heading { numbering: Numbering::Arabic, .. }));
        assert!(matches!(classify("a) Phát triển hạ tầng"), Class::Heading { numbering: Numbering::Letter, .. }));
        assert!(matches!(classify("- Tăng cường"), Class::Bullet { .. }));
        assert!(matches!(classify("TT Chỉ tiêu Đơn vị Kết quả"), Class::TableStart));
        assert!(matches!(classify("Nơi nhận:"), Class::Recipients));
        assert!(matches!(classify("Noinhgn: TM. ỦY BAN NHÂN DÂN"), Class::Recipients));
        assert!(!matches!(classify("Nội dung: triển khai"), Class::Recipients));
        assert!(matches!(classify("TM. ỦY BAN NHÂN DÂN"), Class::Signature));
        assert_eq!(classify("22/12/2024 của Bộ Chính trị"), Class::Text);
        assert_eq!(classify("2030, tầm nhìn 2045."), Class::Text);
    }

    #[test]
    fn appendix_labels() {
        let label = |s: &str| match classify(s) {
            Class::Appendix { label, .. } => label,
            other => panic!("{other:?}"),
        };
        assert_eq!(label("PHỤ LỤC 1: CÁC CHỈ TIÊU CỤ THỂ"), "Phụ lục 1");
        assert_eq!(label("Phụ lục II"), "Phụ lục II");
        assert_eq!(label("Phụ lục số 02: Phân công thực hiện"), "Phụ lục số 02");
        assert_eq!(label("PHỤ LỤC"), "Phụ lục");
    }

    #[test]
    fn hierarchy_with_inconsistent_numbering() {
        let text = "I. MỤC ĐÍCH\n1. Mục đích\n- Một\n- Hai\nI. NHIỆM VỤ\n1. Việc một\n1.1. Con\n7.2. Lặp\n7.2. Lặp lại\na) Chữ\n2. Việc hai\nII. TỔ CHỨC THỰC HIỆN\n";
        assert_eq!(
            outline(text),
            vec![
                "Heading I I",
                "Heading I.1 1",
                "Bullet I.1 -",
                "Bullet I.1 -",
                "Heading I I",
                "Heading I.1 1",
                "Heading I.1.1.1 1.1",
                "Heading I.1.7.2 7.2",
                "Heading I.1.7.2 7.2",
                "Heading I.1.7.2.a a",
                "Heading I.2 2",
                "Heading II II",
            ]
        );
    }

    #[test]
    fn line_ending_in_function_word_continues() {
        let text = "III. NHIỆM VỤ\n1. Việc\n- Chủ động ban hành các văn bản trong phạm vi thẩm quyền của\nUBND phường nhằm cụ thể hóa nhiệm vụ.\n";
        let (_, t) = tree(text);
        let bullets: Vec<&str> = t.nodes.iter().filter(|n| n.kind == NodeKind::Bullet).map(|n| n.text.as_str()).collect();
        assert_eq!(bullets, vec!["Chủ động ban hành các văn bản trong phạm vi thẩm quyền của UBND phường nhằm cụ thể hóa nhiệm vụ."]);
    }

    #[test]
    fn wrapped_lines_join_and_paragraphs_split() {
        let text = "I. TỔ CHỨC THỰC HIỆN\n2. Phòng Văn hóa-Xã hội\nThực hiện nhiệm vụ được giao theo phụ lục gửi kèm và nhiệm vụ được giao\ntheo Kế hoạch.\nNắm bắt những khó khăn, vướng mắc của đơn vị để kịp thời báo cáo các cấp\ncó thẩm quyền.\n";
        let (_, t) = tree(text);
        let paras: Vec<&str> = t.nodes.iter().filter(|n| n.kind == NodeKind::Paragraph).map(|n| n.text.as_str()).collect();
        assert_eq!(
            paras,
            vec![
                "Thực hiện nhiệm vụ được giao theo phụ lục gửi kèm và nhiệm vụ được giao theo Kế hoạch.",
                "Nắm bắt những khó khăn, vướng mắc của đơn vị để kịp thời báo cáo các cấp có thẩm quyền."
            ]
        );
    }

    #[test]
    fn header_title_preamble_tables_and_signature() {
        let text = "ỦY BAN NHÂN DÂN\nPHƯỜNG GIA VIÊN\nSố: 87/KH-UBND\nGia Viên, ngày 27 tháng 3 năm 2026\nKẾ HOẠCH\nChuyển đổi số phường Gia Viên năm 2026\nThực hiện Kế hoạch số 48/KH-UBND ngày 12/02/2026 của UBND thành phố.\nI. MỤC TIÊU\nTT\tNội dung\tChỉ tiêu\n1\tTỷ lệ\t100%\nII. NHIỆM VỤ\n- Làm việc.\nNơi nhận:\n- Như trên;\nTM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\nChu Thanh Lương\nPHỤ LỤC 1: CHỈ TIÊU\n(Kèm theo Kế hoạch số 87/KH-UBND)\nTT Nội dung\n1 Việc\n";
        let (_, t) = tree(text);
        let kinds: Vec<NodeKind> = t.nodes.iter().map(|n| n.kind).collect();
        use NodeKind::*;
        assert_eq!(
            kinds,
            vec![Header, Header, Header, Header, DocType, Title, Preamble, Heading, Table, Heading, Bullet, Recipients, Signature, Appendix, Table]
        );
        let sig = t.of_kind(Signature).next().unwrap();
        assert_eq!(t.nodes[sig].text, "TM. ỦY BAN NHÂN DÂN CHỦ TỊCH Chu Thanh Lương");
        let app = t.of_kind(Appendix).next().unwrap();
        assert_eq!(t.nodes[app].text, "CHỈ TIÊU (Kèm theo Kế hoạch số 87/KH-UBND)");
        let table = t.of_kind(Table).last().unwrap();
        assert_eq!(t.nodes[table].parent, Some(app));
    }
}

#[cfg(test)]
mod speed_tests {
    use super::*;

    static TERMINAL: Lazy<Regex> = Lazy::new(|| Regex::new(r"[.;:!?…]\s*[)”\x22']?$").unwrap());

    /// `classify` as first written (every pattern tried, the whole line folded).
    fn classify_reference(line: &str) -> Class {
        let t = line.trim();
        let f = fold(t);
        if t.matches('\t').count() >= 1 && t.split('\t').filter(|c| !c.trim().is_empty()).count() >= 2 {
            return Class::TabRow;
        }
        let head = t.split_whitespace().next().unwrap_or("").to_uppercase();
        if head == "TT" || head == "STT" {
            return Class::TableStart;
        }
        if let Some(c) = APPENDIX.captures(&f) {
            // A heading, not a sentence that happens to start with "Phụ lục" after a wrap.
            let short_or_caps = t.chars().count() <= 90 || is_mostly_upper(t);
            if short_or_caps {
                let label = appendix_label(t, c.get(1).map(|m| m.as_str()));
                let rest = t.split_once(':').map(|(_, r)| r.trim().to_string()).unwrap_or_default();
                return Class::Appendix { label, rest };
            }
        }
        if f.starts_with("noi nhan") || is_ocr_recipients_reference(t) {
            return Class::Recipients;
        }
        if is_signature_start_reference(&f) {
            return Class::Signature;
        }
        if f.starts_with("tren day la ") {
            return Class::Closing;
        }
        if let Some(c) = ROMAN.captures(t) {
            let rest = c[2].trim();
            // "I." heading titles are upper case or at least start with a capital.
            if rest.is_empty() || rest.starts_with(|ch: char| ch.is_uppercase()) {
                return Class::Heading { numbering: Numbering::Roman, label: c[1].to_string(), rest: rest.to_string() };
            }
        }
        if let Some(c) = DECIMAL.captures(t) {
            let depth = c[1].matches('.').count() as u8;
            if starts_like_title(&c[2]) {
                return Class::Heading {
                    numbering: Numbering::Decimal(depth),
                    label: c[1].to_string(),
                    rest: c[2].trim().to_string(),
                };
            }
        }
        if let Some(c) = ARABIC.captures(t) {
            if starts_like_title(&c[2]) {
                return Class::Heading { numbering: Numbering::Arabic, label: c[1].to_string(), rest: c[2].trim().to_string() };
            }
        }
        if let Some(c) = LETTER.captures(t) {
            return Class::Heading { numbering: Numbering::Letter, label: c[1].to_string(), rest: c[2].trim().to_string() };
        }
        if let Some(c) = BULLET.captures(t) {
            // "- 3 -" style page marks are gone already; a bullet has words after it.
            if c[2].chars().any(|ch| ch.is_alphabetic()) {
                return Class::Bullet { marker: c[1].to_string(), rest: c[2].trim().to_string() };
            }
        }
        Class::Text
    }
    fn is_ocr_recipients_reference(line: &str) -> bool {
        let Some((before, _)) = line.split_once(':') else { return false };
        let key: String = fold(before).chars().filter(|c| !c.is_whitespace()).collect();
        (5..=9).contains(&key.len()) && strsim::damerau_levenshtein(&key, "noinhan") <= 1
    }
    fn is_signature_start_reference(f: &str) -> bool {
        ["tm ", "tm.", "kt ", "kt.", "tl ", "q chu tich", "q. chu tich"].iter().any(|p| f.starts_with(p))
            && (f.contains("uy ban") || f.contains("chu tich") || f.contains("ubnd"))
    }

    /// Calls `f` on every line of the bundled plans and text fixtures; returns how many.
    fn for_each_fixture_line(mut f: impl FnMut(&str)) -> usize {
        let mut n = 0;
        for text in crate::test_data::texts(&crate::test_data::TEXT_DIRS, None) {
            for line in text.lines() {
                f(line);
                n += 1;
            }
        }
        n
    }

    /// [`may_start_folded_opener`] lets through the start of every opener, whatever
    /// comes after it, and rules out most lines of the plans.
    #[test]
    fn folded_opener_gate_passes_every_opener() {
        for o in FOLDED_OPENERS.iter().chain(&SIGNATURE_OPENERS) {
            assert!(o.chars().count() > 2, "{o}");
            for tail in ["", "x", " 1", ": a", "ubnd"] {
                assert!(may_start_folded_opener(&format!("{o}{tail}")), "{o:?}");
                assert!(may_start_folded_opener(&format!("{}{tail}", o.to_uppercase())), "{o:?}");
            }
        }
        for s in ["Phụ lục", "- Nơi nhận", "(Trên đây là", "TM. ỦY BAN", "KT. CHỦ TỊCH", "TL", "Q. Chủ tịch", "TL. x"] {
            assert!(may_start_folded_opener(s), "{s}");
        }
        let (mut lines, mut passed) = (0, 0);
        for_each_fixture_line(|line| {
            let t = line.trim();
            let f = fold_prefix(t, CLASSIFY_PREFIX);
            let opens = FOLDED_OPENERS.iter().chain(&SIGNATURE_OPENERS).any(|o| f.starts_with(o));
            let gate = may_start_folded_opener(t);
            assert!(gate || !opens, "{line}");
            lines += 1;
            passed += usize::from(gate);
        });
        assert!(passed * 4 < lines, "{passed} of {lines}");
    }

    #[test]
    fn first_tab_and_colon_is_find() {
        let find = |s: &str| (s.find('\t'), s.find(':'));
        let mut n = 0;
        for_each_fixture_line(|line| {
            assert_eq!(first_tab_and_colon(line.as_bytes()), find(line), "{line:?}");
            n += usize::from(line.contains(['\t', ':']));
        });
        assert!(n > 100, "{n}");
        for s in ["", ":", "\t", "a:\tb", "a\t:b", "::\t\t", "Nơi nhận:", "a\tb\tc", "ỦY BAN: x\ty"] {
            assert_eq!(first_tab_and_colon(s.as_bytes()), find(s), "{s:?}");
        }
    }

    #[test]
    fn classify_is_the_reference_on_every_line() {
        let n = for_each_fixture_line(|line| assert_eq!(classify(line), classify_reference(line), "{line}"));
        assert!(n > 1000);
    }

    /// The hand parsers against their regexes on one line.
    fn check_numbering_parsers(t: &str) {
        let groups = |re: &Regex| regex_groups(re, t);
        assert_eq!(numbering::roman(t), groups(&ROMAN), "roman {t:?}");
        assert_eq!(decimal_parts(t), groups(&DECIMAL), "decimal {t:?}");
        assert_eq!(arabic_parts(t), groups(&ARABIC), "arabic {t:?}");
        assert_eq!(numbering::letter(t), groups(&LETTER), "letter {t:?}");
        assert_eq!(numbering::bullet(t), groups(&BULLET), "bullet {t:?}");
        // Where the parser decides alone, it decides as the regex does.
        if let numbering::Parse::Match(a, b) = numbering::decimal(t) {
            assert_eq!(Some((a, b)), groups(&DECIMAL));
        }
    }

    #[test]
    fn numbering_parsers_equal_their_regexes_on_every_line() {
        let n = for_each_fixture_line(|line| {
            check_numbering_parsers(line.trim());
            check_numbering_parsers(line);
        });
        assert!(n > 1000);
        for t in ["1.2.3.4 A", "1.2.3.4.5 A", "1.2. A", "1.2.A", "1.234 A", "123. A", "1.2\u{2003}A", "1.٣ A", "١.2 A", "12) x", "1 . A", "1.", "IIIIII. A", "IV)", "I .x", "đ) x", "a )", "- ", "-x", "–  y", "1.2\nA", "a)\nb"] {
            check_numbering_parsers(t);
        }
    }

    #[test]
    fn ends_sentence_is_the_terminal_regex() {
        for s in ["", ".", "a.", "a. ", "a.)", "a. )", "a.) ", "a.))", "a;\u{a0}”", "a…'", "a\"", "a:\"", "a", "a)", "a.x", "?\t'"] {
            assert_eq!(ends_sentence(s), TERMINAL.is_match(s), "{s:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn ends_sentence_is_the_terminal_regex_on_any_text(s in "[a .;:!?…)”\x22'\t\u{a0}\u{2003}]{0,8}") {
            proptest::prop_assert_eq!(ends_sentence(&s), TERMINAL.is_match(&s));
        }

        #[test]
        fn classify_is_the_reference_on_any_line(s in "(I|V|1|12|1\\.2|a|đ|-|–|\\*|TT|ſtt|Phụ lục|PHỤ LỤC|phu luc so|Nơi nhận|Noinhgn|TM\\.|KT|Q\\. Chủ tịch|Trên đây là|ỦY BAN|ubnd|chu tich| |\t|\\.|\\)|:|;|Ⅳ|٣|x|Xây dựng|iv|2030){0,8}") {
            proptest::prop_assert_eq!(classify(&s), classify_reference(&s));
        }

        #[test]
        fn numbering_parsers_equal_their_regexes_on_any_line(s in "(I|V|X|L|1|2|12|123|\\.|\\)|a|đ|z|-|–|—|\\+|•|\\*|·| |\t|\u{a0}|\u{2003}|\n|\r|٣|Ⅳ|²|A|Ă|x|:){0,9}") {
            check_numbering_parsers(&s);
        }

        #[test]
        fn first_tab_and_colon_is_find_on_any_text(s in "[a\t:ơ ]{0,80}") {
            proptest::prop_assert_eq!(first_tab_and_colon(s.as_bytes()), (s.find('\t'), s.find(':')));
        }

        /// The ASCII shortcut of the gate is the folding iterator's answer.
        #[test]
        fn folded_opener_gate_is_the_folded_prefix_on_any_line(s in "(p|P|h|n|o|t|T|r|m|l|k|q|Q|x|1|Đ|ơ|\\.| |-|\t|&|/|\u{301}){0,4}") {
            let f = fold_prefix(&s, 2);
            let mut c = f.chars();
            let opens = matches!((c.next(), c.next()), (Some('p'), Some('h')) | (Some('n'), Some('o')) | (Some('t'), Some('r' | 'm' | 'l')) | (Some('k'), Some('t')) | (Some('q'), Some(' ' | '.')));
            proptest::prop_assert_eq!(may_start_folded_opener(&s), opens);
        }

        #[test]
        fn join_line_to_is_join_lines(a in "[ a-c-]{0,6}", b in "[ a-c-]{0,6}") {
            let mut text = a.clone();
            join_line_to(&mut text, &b);
            proptest::prop_assert_eq!(text, join_lines([a.as_str(), b.as_str()]));
        }
    }
}
