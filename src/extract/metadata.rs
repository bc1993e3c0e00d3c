//! Document metadata: type, issuer, ward, number, date, place, title, signer, and every
//! cited document.

use crate::fold::fold;
use crate::model::{Metadata, Reference, Signer};
use crate::normalize::NormText;
use crate::rules::{LazyRegex, RuleSource, Rules};
use crate::segment::{DocTree, NodeKind};
use once_cell::sync::Lazy;
use regex::Regex;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
pub struct DocumentRules {
    /// Document types, as printed in the type line ("KẾ HOẠCH").
    pub doc_types: Vec<String>,
    /// Folded openers of preamble paragraphs; they end the title.
    pub preamble_openers: Vec<String>,
    /// Folded directive verbs that open a new sentence when capitalized at a line start.
    pub paragraph_openers: Vec<String>,
    /// Folded words a sentence does not end with: a line ending in one continues.
    pub continuation_words: Vec<String>,
    pub reference_types: Vec<String>,
    pub issuer_stops: Vec<String>,
    pub ward_levels: Vec<String>,
    /// National header lines printed beside the issuer; removed from header lines.
    #[serde(default)]
    pub national_header: Vec<String>,
    pub party_codes: Vec<String>,
    pub issuer_codes: BTreeMap<String, String>,
    pub issuer_abbreviations: BTreeMap<String, String>,
    /// Phrases after which the agencies named cooperate ("phối hợp với").
    pub support_markers: Vec<String>,
    /// Folded phrases that put the agency right after them in charge ("giao", "phân công").
    pub lead_markers: Vec<String>,
    #[serde(skip)]
    compiled: Option<Compiled>,
}

#[derive(Debug)]
struct Compiled {
    /// A citation: type, number, date. It must start at a word boundary, which is checked
    /// apart ([`Compiled::references`]): a Unicode `\b` in the pattern keeps the regex
    /// engine off its DFA on Vietnamese text, and the citation search runs over the whole
    /// text.
    ///
    /// Searched from where it can start: its required part up to the first digit of the
    /// number. A match of that at a position is one of the whole pattern there (the rest
    /// is optional or `\d{0,3}`), so it finds the same starts at a fraction of the cost
    /// (the whole pattern's search ran at ~40 instructions a byte).
    reference: StartSearch,
    /// The positions where `reference.start` matches, found from the digits of the text.
    citation_starts: CitationStarts,
    /// "Ủy ban nhân dân phường X" and "thành phố X", each searched from its literal start
    /// (the patterns match only where it does): see [`NameSearch`].
    ward: NameSearch,
    city: NameSearch,
    issuer_stop: Regex,
    /// (abbreviation, pattern, expansion) of `issuer_abbreviations`.
    abbreviations: Vec<Abbreviation>,
    support_marker: Regex,
    /// Any of `lead_markers` (literals: one search for them all); none without markers.
    lead_marker: Option<Regex>,
    /// `reference_types` folded, in order: each citation's type is compared folded.
    types_folded: Vec<String>,
    /// `party_codes` folded.
    party_codes_folded: Vec<String>,
    /// `issuer_codes` with their codes folded, in order.
    issuer_codes_folded: Vec<(String, String)>,
}

impl DocumentRules {
    pub fn load(source: &RuleSource) -> crate::Result<DocumentRules> {
        let mut rules: DocumentRules = source.load("document.toml")?;
        let mut types = rules.reference_types.clone();
        types.sort_by_key(|t| std::cmp::Reverse(t.chars().count()));
        let alt = types.iter().map(|t| regex::escape(t)).collect::<Vec<_>>().join("|");
        let levels = rules.ward_levels.iter().map(|t| regex::escape(t)).collect::<Vec<_>>().join("|");
        // `\b` after each stop, written as what follows it (a non-word character or the end
        // for a stop ending in a letter) so the regex stays on its DFA over Vietnamese text:
        // only the start of an issuer stop is used, and that is the same either way.
        let stops = words_then_boundary(&rules.issuer_stops);
        // One part of a document number: a code in capitals ("NQ", "KH", "UBND", "ĐU"),
        // possibly with one small letter ("CTr"), or digits ("2025", "QH15").
        let seg = r"(?:[\p{Lu}\d&]+\p{Ll}?[\p{Lu}\d&]*)";
        let build = |pattern: String| Regex::new(&pattern).map_err(|e| document_rule_error(e.to_string()));
        // Type, optional "số", number with at least a digit; then optional date.
        let reference = format!(
            r"(?i:({alt}))\s+(?i:số\s*)?(\d{{1,4}}(?:(?:\s?/\s?|-){seg})*)(?:\s*,?\s*(?i:ngày)\s+(\d{{1,2}})\s*(?:/|-|tháng)\s*(\d{{1,2}})\s*(?:/|-|năm)\s*(\d{{4}}))?"
        );
        let types_folded = rules.reference_types.iter().map(|t| fold(t)).collect();
        rules.compiled = Some(Compiled {
            types_folded,
            party_codes_folded: rules.party_codes.iter().map(|p| fold(p)).collect(),
            issuer_codes_folded: rules.issuer_codes.iter().map(|(k, v)| (fold(k), v.clone())).collect(),
            reference: StartSearch::new(&format!(r"(?i:{alt})\s+(?i:số\s*)?\d"), &reference, &build)?,
            citation_starts: CitationStarts::new(&rules.reference_types),
            ward: NameSearch::new(r"Ủy ban nhân dân|UBND", &format!(r"(?:Ủy ban nhân dân|UBND)(?:\s*\(UBND\))?\s+(?i:({levels}))\s+"), &build)?,
            city: NameSearch::new(r"thành phố", r"thành phố\s+", &build)?,
            // "và" ends an issuer only before another capitalized name.
            issuer_stop: build(format!(r"(?i:\s(?:{stops}))|\svà\s+\p{{Lu}}|[;()“”\x22:]|,\s*ngày|\.\s"))?,
            support_marker: build(format!(
                "(?i){}",
                rules.support_markers.iter().map(|m| regex::escape(m).replace(' ', r"\s+")).collect::<Vec<_>>().join("|")
            ))?,
            lead_marker: (!rules.lead_markers.is_empty())
                .then(|| build(rules.lead_markers.iter().map(|m| regex::escape(m)).collect::<Vec<_>>().join("|")))
                .transpose()?,
            abbreviations: rules.issuer_abbreviations.iter().map(|(abbr, full)| Abbreviation::new(abbr, full)).collect::<crate::Result<_>>()?,
        });
        Ok(rules)
    }

    /// Matches any of `support_markers`.
    pub fn support_marker(&self) -> &Regex {
        &self.compiled().support_marker
    }

    /// Matches any of `lead_markers` (`None` when there are none).
    pub fn lead_marker(&self) -> Option<&Regex> {
        self.compiled().lead_marker.as_ref()
    }

    fn compiled(&self) -> &Compiled {
        self.compiled.as_ref().expect("compiled at load")
    }
}

/// An issuer abbreviation ("UBND") and its expansion, with its pattern (the abbreviation as
/// whole words), compiled when a name first holds the abbreviation: each pattern takes
/// ~0.7M instructions to compile (its Unicode `\b`), and most documents cite few of them.
#[derive(Debug)]
struct Abbreviation {
    abbr: String,
    pattern: LazyRegex,
    full: String,
}

impl Abbreviation {
    fn new(abbr: &str, full: &str) -> crate::Result<Abbreviation> {
        let pattern = lazy_regex(format!(r"(?:^|\b){}(?:\b|$)", regex::escape(abbr)))?;
        Ok(Abbreviation { abbr: abbr.to_string(), pattern, full: full.to_string() })
    }

    fn pattern(&self) -> &Regex {
        &self.pattern
    }
}

/// The error of a bad pattern made from `rules/document.toml`.
fn document_rule_error(reason: String) -> crate::Error {
    crate::rules::rule_error("rules/document.toml", "", "", reason)
}

/// A pattern of `rules/document.toml` compiled at its first use (syntax checked now).
fn lazy_regex(pattern: String) -> crate::Result<LazyRegex> {
    LazyRegex::new(&pattern).map_err(document_rule_error)
}

impl Compiled {
    /// The citations of `text`, as `\b` followed by [`Compiled::reference`] finds them:
    /// the leftmost match that starts at a word boundary, then the next one after it.
    /// Each with the byte offset in `text` its group offsets are relative to.
    fn references<'a, 't: 'a>(&'a self, text: &'t str) -> impl Iterator<Item = (usize, regex::Captures<'t>)> + 'a {
        let starts = self.citation_starts.positions(text);
        let mut next = 0;
        let next_start = move |from: usize| {
            while starts.get(next).is_some_and(|&s| s < from) {
                next += 1;
            }
            starts.get(next).copied()
        };
        self.reference.matches_from(text, next_start, move |start| at_word_boundary(text, start))
    }
}

/// Where a citation can start: the positions where `(?i:TYPE)\s+(?i:số\s*)?\d` matches,
/// with TYPE one of the reference types, found backwards from each digit. The regex
/// search for them ran at about 1.3 ns a byte (its case-insensitive Unicode alternation
/// has no literal to skip ahead with); the digits are found at about a quarter of that,
/// and the walk back from one is short.
#[derive(Debug)]
struct CitationStarts {
    /// Each type as the chars `(?i)` matches for each of its chars, last char first.
    types: Vec<Vec<Vec<char>>>,
    /// "số" the same way.
    so: Vec<Vec<char>>,
    /// Each char a type can end with (in `types[_][0]`), sorted, with the types (indices,
    /// ascending) that can: most spaces before a digit follow a char none ends with, and
    /// the others are tried only against the types they can end.
    by_last_char: Vec<(char, Vec<usize>)>,
}

/// Bytes tested at once for a digit (a test the compiler vectorizes).
const DIGIT_SCAN_CHUNK: usize = 32;

impl CitationStarts {
    fn new(types: &[String]) -> CitationStarts {
        let reversed_orbits = |t: &str| t.chars().rev().map(case_orbit).collect();
        let types: Vec<Vec<Vec<char>>> = types.iter().map(|t| reversed_orbits(t)).collect();
        let mut by_last_char: Vec<(char, Vec<usize>)> = Vec::new();
        for (k, t) in types.iter().enumerate() {
            for &c in t.first().into_iter().flatten() {
                match by_last_char.binary_search_by_key(&c, |e| e.0) {
                    Ok(i) => by_last_char[i].1.push(k),
                    Err(i) => by_last_char.insert(i, (c, vec![k])),
                }
            }
        }
        CitationStarts { types, so: reversed_orbits("số"), by_last_char }
    }

    /// The match positions, ascending, and perhaps some more before a numeric char that
    /// `\d` does not match (the search from each start tells them apart).
    fn positions(&self, text: &str) -> Vec<usize> {
        let mut out = Vec::new();
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if i + DIGIT_SCAN_CHUNK < bytes.len() {
                let w = &bytes[i..=i + DIGIT_SCAN_CHUNK];
                let mut any = false;
                for j in 0..DIGIT_SCAN_CHUNK {
                    any |= may_start_digit(w[j], w[j + 1]);
                }
                if !any {
                    i += DIGIT_SCAN_CHUNK;
                    continue;
                }
            }
            let end = (i + DIGIT_SCAN_CHUNK).min(bytes.len());
            for j in i..end {
                let b = bytes[j];
                // After a digit no match starts: neither a space nor "số" is before it.
                let digit = if b.is_ascii_digit() {
                    j == 0 || !bytes[j - 1].is_ascii_digit()
                } else {
                    may_start_digit(b, bytes.get(j + 1).copied().unwrap_or(0))
                        && text[j..].chars().next().expect("a char starts at a lead byte").is_numeric()
                };
                if digit {
                    self.before_digit(text, j, &mut out);
                }
            }
            i = end;
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Every start of a match whose digit is the char at `d`.
    fn before_digit(&self, text: &str, d: usize, out: &mut Vec<usize>) {
        // `\s+` straight before the digit, or "số" then `\s*`; `\s` is White_Space, as
        // `char::is_whitespace`.
        let q = text[..d].trim_end_matches(char::is_whitespace).len();
        if q < d {
            self.types_ending_at(text, q, out);
        }
        if let Some(s) = ends_with_orbits(&text[..q], &self.so) {
            let q2 = text[..s].trim_end_matches(char::is_whitespace).len();
            if q2 < s {
                self.types_ending_at(text, q2, out);
            }
        }
    }

    fn types_ending_at(&self, text: &str, end: usize, out: &mut Vec<usize>) {
        let before = &text[..end];
        let Some(last) = before.chars().next_back() else { return };
        let Ok(i) = self.by_last_char.binary_search_by_key(&last, |e| e.0) else { return };
        // The types that can end with `last`, each walked back from the char before it.
        let rest = &before[..end - last.len_utf8()];
        for &k in &self.by_last_char[i].1 {
            // (A type of one char starts at `last`: where the walk over no chars stops.)
            if let Some(start) = ends_with_orbits(rest, &self.types[k][1..]) {
                out.push(start);
            }
        }
    }
}

/// Whether byte `b` (followed by `next`) may start a `\d` char: an ASCII digit, or the
/// lead byte of a char from U+0640 on, but for U+1E00..=U+2FFF (Vietnamese letters,
/// punctuation and symbols, where there is none). The first non-ASCII `\d` is U+0660
/// (both tested).
#[inline(always)]
fn may_start_digit(b: u8, next: u8) -> bool {
    (b.wrapping_sub(b'0') < 10) | (b >= 0xD9 && b != 0xE1 && b != 0xE2) | (b == 0xE1 && (next & 0xFC) != 0xB8)
}

/// The chars `(?i)c` matches in a pattern: `c` and its simple case foldings.
fn case_orbit(c: char) -> Vec<char> {
    use regex_syntax::hir::{ClassUnicode, ClassUnicodeRange};
    let mut class = ClassUnicode::new([ClassUnicodeRange::new(c, c)]);
    class.case_fold_simple();
    class.iter().flat_map(|r| r.start()..=r.end()).collect()
}

/// Where in `s` a run of chars ends it whose last char is in `orbits[0]`, the one before
/// in `orbits[1]` and so on.
fn ends_with_orbits(s: &str, orbits: &[Vec<char>]) -> Option<usize> {
    let mut chars = s.char_indices().rev();
    let mut start = s.len();
    for orbit in orbits {
        let (i, c) = chars.next()?;
        if !orbit.contains(&c) {
            return None;
        }
        start = i;
    }
    Some(start)
}

/// A pattern without look-around that can only match where a cheaper start pattern (a
/// few literals, or the pattern's required beginning) matches. Its whole-text search ran
/// at about 100K instructions per match over Vietnamese text; finding the starts alone and
/// trying the pattern anchored at each is a fraction of that.
#[derive(Debug)]
struct StartSearch {
    /// Where the pattern can start, compiled at its first use: the citation search finds
    /// its starts otherwise ([`CitationStarts`]), and its start pattern (a case-insensitive
    /// alternation, ~5M instructions to compile) serves the tests only.
    start: LazyRegex,
    /// The pattern anchored at the start of the haystack.
    anchored: Regex,
    /// The pattern itself: what [`StartSearch::matches_from`] equals (tests).
    #[cfg(test)]
    full: Regex,
}

impl StartSearch {
    fn new(start: &str, pattern: &str, build: &impl Fn(String) -> crate::Result<Regex>) -> crate::Result<StartSearch> {
        Ok(StartSearch {
            start: lazy_regex(start.to_string())?,
            anchored: build(format!(r"\A(?:{pattern})"))?,
            #[cfg(test)]
            full: build(pattern.to_string())?,
        })
    }

    fn start(&self) -> &Regex {
        &self.start
    }

    /// The matches whose start `accept` takes, each with its start: leftmost first, the
    /// next search from the end of a match, with group offsets relative to the match start
    /// (the group texts are those of `Regex::captures_iter`). Every match starts where the
    /// start pattern does: each such position from the search position on is tried, and
    /// the pattern, with no look-around, matches there in `&text[at..]` exactly as in
    /// `text`. `next_start(from)` gives the first position from `from` on where the start
    /// pattern matches (or one that is tried in vain: the anchored pattern matches only
    /// where the start pattern does).
    fn matches_from<'a, 't: 'a>(
        &'a self,
        text: &'t str,
        mut next_start: impl FnMut(usize) -> Option<usize> + 'a,
        accept: impl Fn(usize) -> bool + 'a,
    ) -> impl Iterator<Item = (usize, regex::Captures<'t>)> + 'a {
        let mut from = 0;
        std::iter::from_fn(move || {
            while let Some(at) = next_start(from) {
                if accept(at) {
                    if let Some(c) = self.anchored.captures(&text[at..]) {
                        // Never empty for these patterns; the next search starts after it.
                        from = at + c.get(0).expect("group 0").end().max(1);
                        return Some((at, c));
                    }
                }
                from = at + text[at..].chars().next().map_or(1, char::len_utf8);
            }
            None
        })
    }
}

/// A capitalized name of one to four words, the end of the [`NameSearch`] patterns (the
/// tests' reference; the search reads it by hand).
#[cfg(test)]
const NAME: &str = r"\p{Lu}[\p{L}]*(?:\s+\p{Lu}[\p{L}]*){0,3}";

/// A [`StartSearch`] for a pattern `before` followed by a name (the last group): a capital
/// letter and letters, then up to three more such words after spaces
/// (`\p{Lu}[\p{L}]*(?:\s+\p{Lu}[\p{L}]*){0,3}`). The
/// name's Unicode classes, unrolled four times, made most of the pattern's compile cost
/// (~12M instructions a pattern, at every start of the program). Only the name's first
/// capital can make it fail: the anchored pattern stops there, and the rest of the name,
/// whose greedy quantifiers then always match (a letter, a capital and a space are three
/// disjoint classes), is read by hand with the same classes.
#[derive(Debug)]
struct NameSearch {
    /// `before` then the name's first capital, as a group.
    search: StartSearch,
    /// The ranges of `\p{L}`, `\p{Lu}` and `\s` as the regex crate reads them.
    letter: Vec<(char, char)>,
    upper: Vec<(char, char)>,
    space: Vec<(char, char)>,
    /// The whole pattern: what [`NameSearch::captures_iter`] equals (tests).
    #[cfg(test)]
    full: Regex,
}

impl NameSearch {
    fn new(start: &str, before: &str, build: &impl Fn(String) -> crate::Result<Regex>) -> crate::Result<NameSearch> {
        Ok(NameSearch {
            search: StartSearch::new(start, &format!(r"{before}(\p{{Lu}})"), build)?,
            letter: unicode_class(r"\p{L}"),
            upper: unicode_class(r"\p{Lu}"),
            space: unicode_class(r"\s"),
            #[cfg(test)]
            full: build(format!(r"{before}({NAME})"))?,
        })
    }

    /// The matches of `before` then the name, as `Regex::captures_iter` finds them (leftmost
    /// first, the next search from the end of a match): the texts of group 0 (the whole
    /// match), the groups of `before`, and the name.
    fn captures_iter<'a, 't: 'a>(&'a self, text: &'t str) -> impl Iterator<Item = Vec<Option<&'t str>>> + 'a {
        let search = &self.search;
        let mut from = 0;
        std::iter::from_fn(move || {
            while let Some(at) = search.start().find_at(text, from).map(|m| m.start()) {
                let rest = &text[at..];
                if let Some(c) = search.anchored.captures(rest) {
                    let capital = c.get(c.len() - 1).expect("the name's capital");
                    let end = capital.end() + self.name_rest(&rest[capital.end()..]);
                    // Never empty; the next search starts after it.
                    from = at + end;
                    let mut groups: Vec<Option<&'t str>> = vec![Some(&rest[..end])];
                    groups.extend(c.iter().skip(1).take(c.len() - 2).map(|g| g.map(|g| g.as_str())));
                    groups.push(Some(&rest[capital.start()..end]));
                    return Some(groups);
                }
                from = at + rest.chars().next().map_or(1, char::len_utf8);
            }
            None
        })
    }

    /// The length of what `[\p{L}]*(?:\s+\p{Lu}[\p{L}]*){0,3}` matches at the start of `s`:
    /// each quantifier greedy, which always leads to a match (what follows a run of letters
    /// or spaces never starts with one).
    fn name_rest(&self, s: &str) -> usize {
        let run = |from: usize, class: &[(char, char)]| -> usize {
            s[from..].char_indices().find(|&(_, c)| !in_class(class, c)).map_or(s.len(), |(i, _)| from + i)
        };
        let mut end = run(0, &self.letter);
        for _ in 0..3 {
            let spaced = run(end, &self.space);
            match s[spaced..].chars().next() {
                Some(c) if spaced > end && in_class(&self.upper, c) => end = run(spaced + c.len_utf8(), &self.letter),
                _ => break,
            }
        }
        end
    }
}

/// The ranges of the one-class pattern `class` ("\p{L}"), as the regex crate's parser gives them.
fn unicode_class(class: &str) -> Vec<(char, char)> {
    match regex_syntax::parse(class).expect("a valid class").into_kind() {
        regex_syntax::hir::HirKind::Class(regex_syntax::hir::Class::Unicode(c)) => c.ranges().iter().map(|r| (r.start(), r.end())).collect(),
        other => unreachable!("{class} is one Unicode class, not {other:?}"),
    }
}

/// Whether `c` is in the sorted, disjoint `ranges`.
fn in_class(ranges: &[(char, char)], c: char) -> bool {
    let i = ranges.partition_point(|&(_, hi)| hi < c);
    ranges.get(i).is_some_and(|&(lo, _)| lo <= c)
}

/// The alternation of `words` followed by the equivalent of a Unicode `\b`, written without
/// the assertion: a non-word character or the end of the text after words that end in a
/// word character, a word character after the others. (Each class once: a Unicode `\W` is
/// costly to compile.)
fn words_then_boundary(words: &[String]) -> String {
    let (wordy, other): (Vec<&String>, Vec<&String>) =
        words.iter().partition(|w| w.chars().next_back().is_some_and(regex_syntax::is_word_character));
    let alt = |ws: &[&String]| ws.iter().map(|w| regex::escape(w)).collect::<Vec<_>>().join("|");
    let mut parts = Vec::new();
    if !wordy.is_empty() {
        parts.push(format!(r"(?:{})(?:\W|\z)", alt(&wordy)));
    }
    if !other.is_empty() {
        parts.push(format!(r"(?:{})\w", alt(&other)));
    }
    if parts.is_empty() {
        // No stop words: what the pattern with `\b` meant then.
        parts.push(r"\b".to_string());
    }
    parts.join("|")
}

/// Whether a Unicode word boundary (regex `\b`) stands at byte `i` of `text`.
fn at_word_boundary(text: &str, i: usize) -> bool {
    let word = |c: Option<char>| c.is_some_and(regex_syntax::is_word_character);
    word(text[..i].chars().next_back()) != word(text[i..].chars().next())
}

static NUMBER_LINE: Lazy<Regex> = Lazy::new(|| Regex::new(r"(?i)^Số\s*:?\s*(\d+)\s*(/\s*[\p{L}\d&\-/]+)").unwrap());
static PLACE_DATE: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?i)^(?:(.*?),\s*)?ngày\s*(\d{1,2})?\s*tháng\s*(\d{1,2})\s*năm\s*(\d{4})").unwrap()
});
static ANY_DATE: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"(?i)ngày\s*(\d{1,2})?\s*tháng\s*(\d{1,2})\s*năm\s*(\d{4})").unwrap());

fn iso(day: Option<&str>, month: &str, year: &str) -> Option<String> {
    let m: u32 = month.parse().ok()?;
    let y: u32 = year.parse().ok()?;
    if !(1..=12).contains(&m) || !(1900..=2200).contains(&y) {
        return None;
    }
    match day.and_then(|d| d.parse::<u32>().ok()) {
        Some(d) if (1..=31).contains(&d) => Some(format!("{y:04}-{m:02}-{d:02}")),
        _ => Some(format!("{y:04}-{m:02}")),
    }
}

/// "CHỦ TỊCH" → "Chủ tịch"; "NGUYỄN VĂN A" → "Nguyễn Văn A".
fn sentence_case(s: &str) -> String {
    let lower = s.to_lowercase();
    let mut cs = lower.chars();
    cs.next().map(|c| c.to_uppercase().collect::<String>() + cs.as_str()).unwrap_or_default()
}

fn title_case(s: &str) -> String {
    s.split_whitespace().map(sentence_case).collect::<Vec<_>>().join(" ")
}

fn is_upper(s: &str) -> bool {
    let letters: Vec<char> = s.chars().filter(|c| c.is_alphabetic()).collect();
    !letters.is_empty() && letters.iter().all(|c| c.is_uppercase())
}

pub fn extract_metadata(norm: &NormText, tree: &DocTree, rules: &Rules) -> Metadata {
    let dr = &rules.document;
    let mut meta = Metadata::default();
    let body: String = norm.text.replace('\n', " ");

    // Type: the type line, or "(Kèm theo Kế hoạch ...)" of an appendix-only document.
    if let Some(i) = tree.of_kind(NodeKind::DocType).next() {
        let f = fold(&tree.nodes[i].text);
        meta.doc_type = dr.doc_types.iter().find(|t| fold(t) == f).cloned();
    }
    let appendix_first = tree.roots.first().map(|&r| tree.nodes[r].kind == NodeKind::Appendix).unwrap_or(false);
    if meta.doc_type.is_none() && appendix_first {
        let f = fold(&tree.nodes[tree.roots[0]].text);
        meta.doc_type = dr.doc_types.iter().filter(|t| f.contains(&format!("kem theo {}", fold(t)))).max_by_key(|t| t.len()).cloned();
    }

    // Number, place and date from the header lines, without the national header beside
    // them (a two-column header can put "Số: 25/KH-UBND" and "Đông Hải, ngày ..." on one
    // line: the place starts after the number).
    let headers: Vec<String> =
        tree.of_kind(NodeKind::Header).map(|i| without_phrases(&tree.nodes[i].text, &dr.national_header)).collect();
    for text in &headers {
        let mut text = text.as_str();
        if let Some(c) = NUMBER_LINE.captures(text) {
            meta.number = Some(format!("{}{}", &c[1], c[2].replace(' ', "")));
            text = text[c.get(0).map_or(0, |m| m.end())..].trim_start();
        }
        if let Some(c) = PLACE_DATE.captures(text) {
            meta.date = iso(c.get(2).map(|m| m.as_str()), &c[3], &c[4]);
            meta.place = c.get(1).map(|m| m.as_str().trim().to_string()).filter(|p| !p.is_empty());
        }
    }
    if meta.date.is_none() && appendix_first {
        if let Some(c) = ANY_DATE.captures(&tree.nodes[tree.roots[0]].text) {
            meta.date = iso(c.get(1).map(|m| m.as_str()), &c[2], &c[3]);
        }
    }

    // Ward and issuer: the header's own lines if present, else the most cited
    // "Ủy ban nhân dân phường X" of the text.
    let c = dr.compiled();
    let header_ward = dr.ward_levels.iter().find_map(|level| {
        headers.iter().filter(|t| is_upper(t)).find_map(|t| level_and_name(t, level).map(|name| (level.clone(), name)))
    });
    let ward = header_ward.or_else(|| {
        let mut counts: BTreeMap<(String, String), (usize, usize)> = BTreeMap::new();
        for (k, m) in c.ward.captures_iter(&body).enumerate() {
            let (level, name) = (m[1].expect("the level"), m[2].expect("the name"));
            let e = counts.entry((level.to_lowercase(), name.to_string())).or_insert((0, k));
            e.0 += 1;
        }
        counts.into_iter().max_by_key(|(_, (n, first))| (*n, std::cmp::Reverse(*first))).map(|(k, _)| k)
    });
    if let Some((level, name)) = &ward {
        meta.ward = Some(name.clone());
        meta.issuer = Some(format!("Ủy ban nhân dân {level} {name}"));
    }
    let city = most_frequent(c.city.captures_iter(&body).map(|m| m[1].expect("the name").to_string()));

    // Title: the lines after the type line; an appendix-only document has its
    // appendix title (without the "(Kèm theo ...)" note).
    if let Some(i) = tree.of_kind(NodeKind::Title).next() {
        meta.title = Some(tree.nodes[i].text.clone());
    } else if appendix_first {
        let t = &tree.nodes[tree.roots[0]].text;
        let t = t.split('(').next().unwrap_or(t).trim();
        meta.title = (!t.is_empty()).then(|| t.to_string());
    }

    meta.signer = tree.of_kind(NodeKind::Signature).next().and_then(|i| signer(norm, tree, i));
    meta.references = references(&body, dr, meta.ward.as_deref(), city.as_deref(), meta.number.as_deref());
    meta
}

/// `text` without the words of any of `phrases` (compared folded, so OCR'd or
/// mis-restored diacritics and dashes do not matter), spaces collapsed.
fn without_phrases(text: &str, phrases: &[String]) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let folded: Vec<String> = words.iter().map(|w| fold(w)).collect();
    let mut keep = vec![true; words.len()];
    for phrase in phrases {
        let want: Vec<String> = phrase.split_whitespace().map(fold).filter(|w| !w.is_empty()).collect();
        for start in 0..words.len() {
            // Walk the words from `start`, skipping punctuation-only ones ("—").
            let (mut k, mut matched) = (start, 0);
            while k < words.len() && matched < want.len() {
                if folded[k].is_empty() {
                    k += 1;
                } else if folded[k] == want[matched] {
                    matched += 1;
                    k += 1;
                } else {
                    break;
                }
            }
            if !want.is_empty() && matched == want.len() && !folded[start].is_empty() {
                keep[start..k].iter_mut().for_each(|x| *x = false);
            }
        }
    }
    words.iter().zip(keep).filter(|(_, k)| *k).map(|(w, _)| *w).collect::<Vec<_>>().join(" ")
}

/// The name after the local-government `level` in a header line ("PHƯỜNG ĐÔNG HẢI" →
/// "Đông Hải"): up to four words of letters; the level is compared folded, so a restored
/// "PHƯƠNG" still counts as "phường".
fn level_and_name(text: &str, level: &str) -> Option<String> {
    let level: Vec<String> = level.split_whitespace().map(fold).collect();
    let words: Vec<&str> = text.split_whitespace().collect();
    (0..words.len().saturating_sub(level.len())).find_map(|i| {
        let at_level = level.iter().enumerate().all(|(k, l)| fold(words[i + k]) == *l);
        let name: Vec<&str> =
            words[i + level.len()..].iter().take(4).take_while(|w| w.chars().all(char::is_alphabetic)).copied().collect();
        (at_level && !name.is_empty()).then(|| title_case(&name.join(" ")))
    })
}

fn most_frequent(items: impl Iterator<Item = String>) -> Option<String> {
    let mut counts: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (k, it) in items.enumerate() {
        counts.entry(it).or_insert((0, k)).0 += 1;
    }
    counts.into_iter().max_by_key(|(_, (n, first))| (*n, std::cmp::Reverse(*first))).map(|(k, _)| k)
}

/// "TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH / Nguyễn Văn A": the role line and the name line.
fn signer(norm: &NormText, tree: &DocTree, i: usize) -> Option<Signer> {
    let node = &tree.nodes[i];
    let lines: Vec<&str> = (node.first_line..=node.last_line).map(|l| norm.line(l).trim()).collect();
    let roles = ["pho chu tich", "chu tich", "pho truong ban", "truong ban", "giam doc", "pho giam doc"];
    let mut title = None;
    let mut name = None;
    for l in lines.iter().skip(1) {
        let f = fold(l);
        if let Some(r) = roles.iter().find(|r| f == **r || f.ends_with(&format!(" {r}"))) {
            let start = l.chars().count() - r.chars().count();
            title = Some(sentence_case(&l.chars().skip(start).collect::<String>()));
            continue;
        }
        let words: Vec<&str> = l.split_whitespace().collect();
        let looks_like_name = (2..=5).contains(&words.len())
            && words.iter().all(|w| w.starts_with(|c: char| c.is_uppercase()))
            && !l.contains(['(', ':', '.']);
        if looks_like_name {
            name = Some(if is_upper(l) { title_case(l) } else { l.to_string() });
        }
    }
    name.map(|name| Signer { name, title })
}

/// Rewrites an issuer name: abbreviations expanded, the city's and the ward's own
/// committees named in full.
fn normalize_issuer(raw: &str, dr: &DocumentRules, ward: Option<&str>, city: Option<&str>) -> Option<String> {
    let mut s = raw.trim().trim_end_matches([',', '.', ' ']).to_string();
    // The pattern matches only where the abbreviation is: most names have none, and are
    // neither searched nor copied.
    for a in &dr.compiled().abbreviations {
        if s.contains(a.abbr.as_str()) {
            s = a.pattern().replace_all(&s, a.full.as_str()).into_owned();
        }
    }
    let f = fold(&s);
    if f == "uy ban nhan dan thanh pho" {
        if let Some(c) = city {
            s = format!("{s} {c}");
        }
    }
    // `f` is "uy ban nhan dan " then a folded ward level (no string is made per level).
    let own_ward = f.strip_prefix("uy ban nhan dan ").is_some_and(|level| dr.ward_levels.iter().any(|l| fold(l) == level));
    if let (Some(w), true) = (ward, own_ward) {
        s = format!("{s} {w}");
    }
    (!s.is_empty() && s.chars().count() <= 120).then_some(s)
}

/// A number's variants ("71-NQ/CP", "71/NQ-CP") share this key.
fn number_key(n: &str) -> String {
    let mut key = fold(n);
    key.retain(char::is_alphanumeric);
    key
}

/// Whether a number is written the conventional way for its issuer: Party bodies
/// "57-NQ/TW", state bodies "71/NQ-CP".
fn conventional(n: &str, dr: &DocumentRules) -> bool {
    let parts: Vec<&str> = n.split(['-', '/']).collect();
    if parts.len() != 3 || n.matches('/').count() != 1 {
        return true;
    }
    let code = fold(parts[2]);
    let party = dr.compiled().party_codes_folded.contains(&code);
    let hyphen_first = n.find('-') < n.find('/');
    party == hyphen_first
}

/// "71-NQ/CP" → "71/NQ-CP", "57/NQ-TW" → "57-NQ/TW".
fn conventionalize(n: &str, dr: &DocumentRules) -> String {
    let parts: Vec<&str> = n.split(['-', '/']).collect();
    if parts.len() != 3 || conventional(n, dr) {
        return n.to_string();
    }
    let code = fold(parts[2]);
    if dr.compiled().party_codes_folded.contains(&code) {
        format!("{}-{}/{}", parts[0], parts[1], parts[2])
    } else {
        format!("{}/{}-{}", parts[0], parts[1], parts[2])
    }
}

fn references(body: &str, dr: &DocumentRules, ward: Option<&str>, city: Option<&str>, own_number: Option<&str>) -> Vec<Reference> {
    let c = dr.compiled();
    struct Seen {
        r: Reference,
        /// `number_key(&r.number)` (the number is not changed before the merge below).
        key: String,
        forms: Vec<String>,
    }
    let mut seen: Vec<Seen> = Vec::new();
    let own_key = own_number.map(number_key);
    for (at, m) in c.references(body) {
        let type_f = fold(&m[1]);
        let Some(doc_type) = dr.reference_types.iter().zip(&c.types_folded).find(|(_, f)| **f == type_f).map(|(t, _)| t.clone()) else { continue };
        let number: String = m[2].split_whitespace().collect::<Vec<_>>().join("");
        let number = number.trim_end_matches(['-', '/']).to_string();
        let bare = !number.contains(['-', '/']);
        // "Kế hoạch" / "10/2025" in a table is an output and a deadline, not a citation.
        if !number.chars().any(|c| c.is_alphabetic()) && !bare {
            continue;
        }
        // A bare number only for the kinds cited that way ("Đề án 06", "Nghị quyết 57").
        if bare && number.len() > 3 {
            continue;
        }
        let key = number_key(&number);
        if own_key.as_ref() == Some(&key) {
            continue;
        }
        let date = m.get(5).and_then(|y| iso(m.get(3).map(|d| d.as_str()), &m[4], y.as_str()));
        let after = &body[at + m.get(0).expect("match").end()..];
        let issuer = after
            .trim_start_matches([',', ' '])
            .strip_prefix("của ")
            .or_else(|| after.trim_start_matches([',', ' ']).strip_prefix("do "))
            .map(|rest| {
                let end = c.issuer_stop.find(rest).map(|s| s.start()).unwrap_or(rest.len().min(120));
                rest[..end].to_string()
            })
            .and_then(|raw| normalize_issuer(&raw, dr, ward, city))
            .or_else(|| issuer_from_code(&number, dr, ward, city));
        // A lone digit with neither date nor issuer is a count ("kế hoạch 5 năm") or OCR
        // debris, not a citation.
        if bare && number.chars().count() < 2 && date.is_none() && issuer.is_none() {
            continue;
        }
        if let Some(s) = seen.iter_mut().find(|s| s.key == key) {
            s.forms.push(number.clone());
            if s.r.date.is_none() {
                s.r.date = date;
            }
            if s.r.issuer.is_none() {
                s.r.issuer = issuer;
            }
            continue;
        }
        seen.push(Seen { r: Reference { doc_type, number: number.clone(), date, issuer, span: None }, key, forms: vec![number] });
    }
    // Bare numbers merge into the full number they abbreviate ("Đề án 06" → "06/CP").
    let full: Vec<(String, String, String)> =
        seen.iter().map(|s| (fold(&s.r.doc_type), s.r.number.clone(), s.key.clone())).collect();
    seen.retain(|s| {
        let bare = !s.r.number.contains(['-', '/']);
        !(bare && {
            let t_s = fold(&s.r.doc_type);
            full.iter().any(|(t, n, key)| {
                *t == t_s && n.contains(['-', '/']) && key.starts_with(&s.key) && n.starts_with(&s.r.number)
            })
        })
    });
    seen.into_iter()
        .map(|mut s| {
            // Of conflicting spellings keep the conventional one, else the most frequent;
            // a lone unconventional spelling is rewritten ("71-NQ/CP" → "71/NQ-CP").
            if !s.forms.iter().any(|f| conventional(f, dr)) {
                s.r.number = conventionalize(&s.r.number, dr);
            } else if s.forms.iter().any(|f| f != &s.r.number) {
                let best = s
                    .forms
                    .iter()
                    .max_by_key(|f| (conventional(f, dr), s.forms.iter().filter(|g| g == f).count()))
                    .cloned();
                if let Some(b) = best {
                    s.r.number = b;
                }
            }
            s.r
        })
        .collect()
}

/// "02/2025/TT-BGDĐT" → Bộ Giáo dục và Đào tạo; "193/2025/QH15" → Quốc hội.
fn issuer_from_code(number: &str, dr: &DocumentRules, ward: Option<&str>, city: Option<&str>) -> Option<String> {
    let code = number.rsplit(['-', '/']).next()?;
    let code_letters = code.trim_end_matches(|c: char| c.is_ascii_digit());
    if fold(code_letters) == "qh" {
        return Some("Quốc hội".into());
    }
    if code == "UBND" {
        // A cited committee document that names no issuer: the plans cite the city's
        // (their own ward's documents name the ward).
        let _ = ward;
        return city.map(|c| format!("Ủy ban nhân dân thành phố {c}"));
    }
    let code = fold(code);
    dr.compiled().issuer_codes_folded.iter().find(|(k, _)| *k == code).map(|(_, v)| v.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::SourceText;
    use crate::normalize::{normalize, NormalizeOptions};

    fn meta(text: &str) -> Metadata {
        let src = SourceText::from_string("t", text);
        let norm = normalize(&src, &NormalizeOptions::default());
        let rules = Rules::embedded();
        let tree = crate::segment::segment(&norm, rules);
        extract_metadata(&norm, &tree, rules)
    }

    /// Each bundled plan joined into one line (as `extract_metadata` joins it), then its lines.
    /// `extra` texts, then [`corpus_joined_and_lines`].
    fn with_corpus(extra: &[&str]) -> Vec<String> {
        extra.iter().map(|t| t.to_string()).chain(corpus_joined_and_lines()).collect()
    }

    fn corpus_joined_and_lines() -> Vec<String> {
        crate::test_data::corpus()
            .into_iter()
            .flat_map(|text| std::iter::once(text.replace('\n', " ")).chain(text.lines().map(String::from).collect::<Vec<_>>()))
            .collect()
    }

    #[test]
    fn header_fields() {
        let m = meta("ỦY BAN NHÂN DÂN\nPHƯỜNG GIA VIÊN\nSố: 87/KH-UBND\nGia Viên, ngày 27 tháng 3 năm 2026\nKẾ HOẠCH\nChuyển đổi số phường Gia Viên năm 2026\nThực hiện Kế hoạch số 48/KH-UBND ngày 12/02/2026 của UBND thành phố về chuyển đổi số thành phố Hải Phòng.\nI. MỤC ĐÍCH\nTM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\nChu Thanh Lương\n");
        assert_eq!(m.doc_type.as_deref(), Some("Kế hoạch"));
        assert_eq!(m.number.as_deref(), Some("87/KH-UBND"));
        assert_eq!(m.date.as_deref(), Some("2026-03-27"));
        assert_eq!(m.place.as_deref(), Some("Gia Viên"));
        assert_eq!(m.ward.as_deref(), Some("Gia Viên"));
        assert_eq!(m.issuer.as_deref(), Some("Ủy ban nhân dân phường Gia Viên"));
        assert_eq!(m.title.as_deref(), Some("Chuyển đổi số phường Gia Viên năm 2026"));
        assert_eq!(m.signer, Some(Signer { name: "Chu Thanh Lương".into(), title: Some("Chủ tịch".into()) }));
        assert_eq!(m.references.len(), 1);
        let r = &m.references[0];
        assert_eq!((r.doc_type.as_str(), r.number.as_str(), r.date.as_deref()), ("Kế hoạch", "48/KH-UBND", Some("2026-02-12")));
        assert_eq!(r.issuer.as_deref(), Some("Ủy ban nhân dân thành phố Hải Phòng"));
    }

    #[test]
    fn two_column_header_with_the_national_header_beside_it() {
        // A scan read line by line across both columns; restoration left "PHƯƠNG", "Từ đó".
        let m = meta("ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nPHƯƠNG ĐÔNG HẢI Độc lập — Từ đó — Hạnh phúc\nSố: 25/KH-UBND Đông Hải, ngày 19 tháng 8 năm 2025\nKẾ HOẠCH\nThực hiện Nghị quyết số 57-NQ/TW\nI. MỤC ĐÍCH\n");
        assert_eq!(m.number.as_deref(), Some("25/KH-UBND"));
        assert_eq!(m.date.as_deref(), Some("2025-08-19"));
        assert_eq!(m.place.as_deref(), Some("Đông Hải"));
        assert_eq!(m.ward.as_deref(), Some("Đông Hải"));
        assert_eq!(m.issuer.as_deref(), Some("Ủy ban nhân dân phường Đông Hải"));
        assert_eq!(without_phrases("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", &["Cộng hòa xã hội chủ nghĩa Việt Nam".into()]), "");
        assert_eq!(without_phrases("XÃ AN BÌNH", &["Cộng hòa xã hội chủ nghĩa Việt Nam".into()]), "XÃ AN BÌNH");
    }

    #[test]
    fn a_lone_digit_is_not_a_citation() {
        let m = meta("KẾ HOẠCH\nXây dựng kế hoạch 5 năm; thực hiện Kế hoạch 2 g của phòng; Nghị quyết 57 của Bộ Chính trị.\n");
        let numbers: Vec<&str> = m.references.iter().map(|r| r.number.as_str()).collect();
        assert_eq!(numbers, ["57"]);
    }

    #[test]
    fn references_dedup_and_variants() {
        let m = meta("KẾ HOẠCH\nThực hiện Nghị quyết số 57-NQ/TW, ngày 22/12/2024 của Bộ Chính trị về đột phá và Nghị quyết số 71-NQ/CP ngày 01/4/2025 của Chính phủ.\nCăn cứ Nghị quyết số 71/NQ-CP ngày 01/4/2025 của Chính phủ; Nghị quyết số 193/2025/QH15 của Quốc hội về thí điểm; Nghị quyết 57 của Bộ Chính trị; triển khai Đề án 06 của phường và đề án 06/CP của Chính phủ; thông tư số 02/2025/TT-BGDĐT ngày 24/01/2025 về khung năng lực.\n");
        let got: Vec<(String, String, Option<String>, Option<String>)> =
            m.references.iter().map(|r| (r.doc_type.clone(), r.number.clone(), r.date.clone(), r.issuer.clone())).collect();
        let s = |x: &str| x.to_string();
        assert_eq!(
            got,
            vec![
                (s("Nghị quyết"), s("57-NQ/TW"), Some(s("2024-12-22")), Some(s("Bộ Chính trị"))),
                (s("Nghị quyết"), s("71/NQ-CP"), Some(s("2025-04-01")), Some(s("Chính phủ"))),
                (s("Nghị quyết"), s("193/2025/QH15"), None, Some(s("Quốc hội"))),
                (s("Đề án"), s("06/CP"), None, Some(s("Chính phủ"))),
                (s("Thông tư"), s("02/2025/TT-BGDĐT"), Some(s("2025-01-24")), Some(s("Bộ Giáo dục và Đào tạo"))),
            ]
        );
    }

    /// The citations found from the starts of the pattern's required part, each matched
    /// anchored, are those of the whole pattern's search from each position (the code this
    /// replaced): same absolute spans, same group texts, on the bundled plans (joined and as
    /// lines) and on near misses.
    #[test]
    fn reference_search_from_starts_is_the_whole_pattern_search() {
        let c = Rules::embedded().document.compiled();
        let slow = |text: &str| -> Vec<Vec<Option<(usize, usize, String)>>> {
            let mut out = Vec::new();
            let mut from = 0;
            while from <= text.len() {
                let Some(c) = c.reference.full.captures_at(text, from) else { break };
                let m = c.get(0).unwrap();
                if at_word_boundary(text, m.start()) {
                    from = m.end().max(m.start() + 1);
                    out.push(c.iter().map(|g| g.map(|g| (g.start(), g.end(), g.as_str().to_string()))).collect());
                } else {
                    from = m.start() + text[m.start()..].chars().next().map_or(1, char::len_utf8);
                }
            }
            out
        };
        let fast = |text: &str| -> Vec<Vec<Option<(usize, usize, String)>>> {
            c.references(text)
                .map(|(at, c)| c.iter().map(|g| g.map(|g| (at + g.start(), at + g.end(), g.as_str().to_string()))).collect())
                .collect()
        };
        let texts = with_corpus(&[
            "Kế hoạch hành động số 12/KH-UBND ngày 3 tháng 4 năm 2025; kế hoạch 5 năm, xKế hoạch 7/KH",
            "NGHỊ QUYẾT SỐ 57-NQ/TW, ngày 22/12/2024 và Nghị quyết 71/NQ-CP ngày 01-4-2025",
            "Luật Luật 2 Đề án06 Đề án 06 Chương trình Chương trình hành động 3/CTr-UBND",
            "Thông tư số  02/2025/TT-BGDĐT ngày 24/01/2025 Kế hoạch số",
            "Quyết định 1",
            "",
        ]);
        let mut found = 0;
        for text in &texts {
            let want = slow(text);
            assert_eq!(fast(text), want, "{:?}", &text[..text.len().min(80)]);
            found += want.len();
        }
        assert!(found > 100, "{found}");
    }

    /// The citation starts found from the digits are the positions where the start
    /// pattern matches (and, before numeric chars `\d` does not match, some where it does
    /// not): on the bundled plans, on case variants and on other digits and spaces.
    #[test]
    fn citation_starts_are_the_start_pattern_positions() {
        let c = Rules::embedded().document.compiled();
        let anchored_start = Regex::new(&format!(r"\A(?:{})", c.reference.start().as_str())).unwrap();
        let mut texts = with_corpus(&[
            "Kế hoạch\u{a0}5 KẾ HOẠCH SỐ\t12 kế hoạch số12 kế hoạchsố 3 Kế hoạch số  số 5",
            "Luật ſố 3, \u{212A}ế hoạch 4, ĐỀ ÁN 06, Đề án06, xKế hoạch 7, Chương trình hành động 2",
            "Nghị quyết ٣ Nghị quyết ５ Nghị quyết ½ Nghị quyết Ⅳ Nghị quyết ² Luật 𝟗 Luật ߁ Luật ០",
            "Thông tư\u{2003}\n 02/2025 Hướng dẫn số\u{3000}1 Chỉ thị 1Kết luận 9",
            "5 số 5  Luật",
        ]);
        // Digits at every place of a scan chunk.
        let shifted: Vec<String> = (0..DIGIT_SCAN_CHUNK + 2).map(|k| format!("{}Luật 1 Đề án ٣", "x".repeat(k))).collect();
        texts.extend(shifted);
        let mut found = 0;
        for text in &texts {
            let want: Vec<usize> = (0..=text.len()).filter(|&i| text.is_char_boundary(i) && anchored_start.is_match(&text[i..])).collect();
            let got = c.citation_starts.positions(text);
            let kept: Vec<usize> = got.iter().copied().filter(|&i| anchored_start.is_match(&text[i..])).collect();
            assert_eq!(kept, want, "{:?}", &text[..text.len().min(80)]);
            // Extra positions only before numeric chars other than `\d`.
            if !text.contains(['½', 'Ⅳ', '²']) {
                assert_eq!(got, want);
            }
            found += want.len();
        }
        assert!(found > 100, "{found}");
    }

    /// Issuer names rewritten with the abbreviation patterns tried only where the
    /// abbreviation is are those rewritten with every pattern: on what follows each "của"
    /// of the bundled plans and on names with each abbreviation.
    #[test]
    fn issuer_rewrite_skips_only_absent_abbreviations() {
        let dr = &Rules::embedded().document;
        let reference = |raw: &str| {
            let mut s = raw.trim().trim_end_matches([',', '.', ' ']).to_string();
            for a in &dr.compiled().abbreviations {
                s = a.pattern().replace_all(&s, a.full.as_str()).into_owned();
            }
            s
        };
        let mut names: Vec<String> = dr.issuer_abbreviations.keys().flat_map(|a| [format!("{a} phường X"), format!("x{a}"), a.clone()]).collect();
        for text in crate::test_data::corpus() {
            names.extend(text.split("của ").skip(1).map(|rest| rest.chars().take(80).collect::<String>()));
        }
        let mut expanded = 0;
        for raw in &names {
            let want = reference(raw);
            expanded += usize::from(want != raw.trim().trim_end_matches([',', '.', ' ']));
            // `normalize_issuer` adds no city or ward here, and keeps names up to 120 chars.
            assert_eq!(normalize_issuer(raw, dr, None, None), (!want.is_empty() && want.chars().count() <= 120).then_some(want), "{raw:?}");
        }
        assert!(names.len() > 50 && expanded > 10, "{} {expanded}", names.len());
    }

    /// [`may_start_digit`] holds for the first byte of every `\d` char.
    #[test]
    fn digit_bytes_cover_every_decimal_digit() {
        let digit = Regex::new(r"\A\d").unwrap();
        let mut digits = 0;
        for c in (0..=0x10FFFF).filter_map(char::from_u32).filter(|c| digit.is_match(&c.to_string())) {
            let mut buf = [0u8; 4];
            let b = c.encode_utf8(&mut buf).as_bytes();
            assert!(may_start_digit(b[0], b.get(1).copied().unwrap_or(0)), "{c:?}");
            assert!(c.is_numeric());
            digits += 1;
        }
        assert!(digits > 600, "{digits}");
        assert_eq!(case_orbit('s'), vec!['S', 's', 'ſ']);
    }

    /// The ward and city searches from their literal starts find the same matches, with
    /// the same group texts, as the patterns over the whole text: on the bundled plans
    /// (joined as `extract_metadata` joins them, and as lines) and on near misses.
    #[test]
    fn literal_start_search_is_the_whole_text_search() {
        let c = Rules::embedded().document.compiled();
        let texts = with_corpus(&[
            "Ủy ban nhân dân (UBND) phường Gia Viên và UBND xã An Bình",
            "UBND UBND phường Đông Hải UBNDxã A UBND  thị trấn Cát Bà, Ủy ban nhân dân Ủy ban nhân dân đặc khu B",
            "UBND (UBND) PHƯỜNG X Y Z W V",
            "thành phố thành phố Hải Phòng; thành phốHà Nội thành phố  Hồ Chí Minh Sài Gòn Nam",
            "thành phố",
            "UBND",
            "",
            // Names: more than four words, other spaces, marks, digits and other scripts,
            // a start inside a name, a name at the very end.
            "thành phố Hà Nội Việt Nam Á Âu thành phố Ha\u{301}i Phòng thành phố X\u{a0}\u{2003}Y\tZ\nW",
            "thành phố 2 X thành phố Ωμέγα Δέλτα thành phố ǅemal ǈ thành phố Ⅻ Xy thành phố Aʰb Cᵃ",
            "thành phố AthànhphốB thành phố Cthành phố D UBND phường XUBND phường Y UBND xã  \t Ba Đình",
            "Ủy ban nhân dân PHƯỜNG Hồng Bàng  (UBND) phường X thành phố X ",
            "thành phố X",
        ]);
        let groups = |c: regex::Captures| -> Vec<Option<String>> {
            c.iter().map(|g| g.map(|g| g.as_str().to_string())).collect()
        };
        let mut found = 0;
        for ls in [&c.ward, &c.city] {
            for text in &texts {
                let want: Vec<_> = ls.full.captures_iter(text).map(groups).collect();
                let got: Vec<_> = ls.captures_iter(text).map(|g| g.iter().map(|g| g.map(str::to_string)).collect::<Vec<_>>()).collect();
                assert_eq!(got, want, "{:?}", &text[..text.len().min(80)]);
                found += want.len();
            }
        }
        assert!(found > 20, "{found}");
    }

    /// The issuer stop without `\b` finds the same starts as the pattern with it, at every
    /// line start of the bundled plans and on stops followed by letters, marks and the end.
    #[test]
    fn issuer_stop_without_word_boundary_is_the_reference() {
        let dr = &Rules::embedded().document;
        let stops = dr.issuer_stops.iter().map(|t| regex::escape(t)).collect::<Vec<_>>().join("|");
        let reference =
            Regex::new(&format!(r"(?i:\s(?:{stops})\b)|\svà\s+\p{{Lu}}|[;()“”\x22:]|,\s*ngày|\.\s")).unwrap();
        let fast = &dr.compiled().issuer_stop;
        let mut texts: Vec<String> = ["của UBND về", "của UBND vềx", "của UBND về_", "của UBND Về.", "của A tạì B", "của A tạiđ", "x năm"]
            .map(String::from)
            .to_vec();
        for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/corpus")).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "txt") {
                texts.push(std::fs::read_to_string(path).unwrap());
            }
        }
        let mut checked = 0;
        for text in &texts {
            for (i, _) in text.match_indices('\n').chain([(0, "")]) {
                let rest = &text[i..];
                assert_eq!(fast.find(rest).map(|m| m.start()), reference.find(rest).map(|m| m.start()), "{:?}", &rest[..rest.len().min(80)]);
                checked += 1;
            }
        }
        assert!(checked > 1000);
    }
}
