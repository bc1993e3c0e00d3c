//! Stage 2: [`SourceText`] → [`NormText`].
//!
//! Line-level normalization: NFC, one tone-mark placement, LaTeX/markdown residue,
//! page furniture (page numbers, repeated table headers, `file:///` and bare URL lines),
//! blank lines, and words or codes split across lines ("57-" / "NQ/TW"). Lines stay lines:
//! tables flattened one cell per line need them, and the segmenter joins wrapped prose
//! with [`layout::join_lines`]. Every char keeps its source byte range.

pub mod layout;
pub mod mapped;
pub mod restore;
pub mod unicode;

use crate::ingest::SourceText;
use crate::model::Span;
use mapped::{MappedStr, SourceMap};
pub use unicode::ToneStyle;

/// How diacritic restoration and OCR repair are applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum RestoreMode {
    /// Decide per document from how the text looks.
    #[default]
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct NormalizeOptions {
    pub tone_style: ToneStyle,
    pub restore: RestoreMode,
}

/// One normalized line: a byte range of [`NormText::text`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NormLine {
    pub start: usize,
    pub end: usize,
}

/// Normalized text, lines joined by '\n', with a byte-level map back to the source.
#[derive(Debug, Clone)]
pub struct NormText {
    pub text: String,
    pub lines: Vec<NormLine>,
    /// Where the chars of each line came from: every byte of a char maps to its range
    /// (kept per char, not per byte: only spans read it; most lines are a piece of the
    /// source and keep only its offset).
    maps: Vec<SourceMap>,
    /// For the newline after each line: the source offset it maps to (the end of the byte
    /// before it, 0 at the start).
    newline_at: Vec<u32>,
    /// Least start and greatest end over the chars of each line ((MAX, 0) when empty).
    line_range: Vec<(u32, u32)>,
    /// Byte offsets where source lines start (for line numbers in spans).
    src_line_starts: Vec<usize>,
    page_starts: Vec<usize>,
    /// Whether diacritic restoration / OCR repair changed the text.
    pub restored: bool,
}

impl NormText {
    /// Builds the flat text and byte map from mapped lines.
    pub fn from_lines(lines: Vec<MappedStr>, source: &SourceText, restored: bool) -> NormText {
        NormText::from_lines_at(lines, source, restored, line_starts(&source.text))
    }

    /// [`NormText::from_lines`] given the byte offsets where the source lines start
    /// (what splitting the source into lines found already).
    fn from_lines_at(lines: Vec<MappedStr>, source: &SourceText, restored: bool, src_line_starts: Vec<usize>) -> NormText {
        // Normalizing mostly drops text: the source length is a good first capacity.
        let mut text = String::with_capacity(source.text.len());
        let mut out_lines = Vec::with_capacity(lines.len());
        let mut newline_at = Vec::with_capacity(lines.len());
        let mut line_range = Vec::with_capacity(lines.len());
        let mut maps = Vec::with_capacity(lines.len());
        let mut at = 0;
        for (i, line) in lines.into_iter().enumerate() {
            if i > 0 {
                text.push('\n');
            }
            let start = text.len();
            let (line_text, map) = line.into_parts();
            text.push_str(&line_text);
            let range = match &map {
                _ if line_text.is_empty() => (u32::MAX, 0),
                SourceMap::From(s) => (*s, *s + line_text.len() as u32),
                SourceMap::Chars(r) => r.iter().fold((u32::MAX, 0), |(lo, hi), &(s, e)| (lo.min(s), hi.max(e))),
            };
            out_lines.push(NormLine { start, end: text.len() });
            line_range.push(range);
            // The newline maps to the end of what came before it (the last char's end).
            if !line_text.is_empty() {
                at = match &map {
                    SourceMap::From(_) => range.1,
                    SourceMap::Chars(r) => r.last().map_or(at, |&(_, e)| e),
                };
            }
            newline_at.push(at);
            maps.push(map);
        }
        NormText {
            text,
            lines: out_lines,
            maps,
            newline_at,
            line_range,
            src_line_starts,
            page_starts: source.page_starts.clone(),
            restored,
        }
    }

    pub fn line(&self, i: usize) -> &str {
        let l = self.lines[i];
        &self.text[l.start..l.end]
    }

    pub fn line_count(&self) -> usize {
        self.lines.len()
    }

    /// Source byte range of normalized bytes `a..b`.
    pub fn source_range(&self, a: usize, b: usize) -> (usize, usize) {
        if self.text.is_empty() {
            return (0, 0);
        }
        let a = a.min(self.text.len() - 1);
        let b = b.clamp(a + 1, self.text.len());
        // The least start and greatest end over the bytes a..b: the chars of each line
        // that overlap it, and the newlines in it.
        let (mut start, mut end) = (u32::MAX, 0);
        let first = self.lines.partition_point(|l| l.end < a);
        for (k, line) in self.lines.iter().enumerate().skip(first) {
            if line.start >= b {
                break;
            }
            if a <= line.start && line.end <= b {
                let (lo, hi) = self.line_range[k];
                start = start.min(lo);
                end = end.max(hi);
            } else {
                self.chars_range(k, a, b, &mut start, &mut end);
            }
            if k + 1 < self.lines.len() && (a..b).contains(&line.end) {
                start = start.min(self.newline_at[k]);
                end = end.max(self.newline_at[k]);
            }
        }
        (start as usize, end as usize)
    }

    /// Widens `start..end` by the chars of line `k` that overlap the bytes `a..b`.
    fn chars_range(&self, k: usize, a: usize, b: usize, start: &mut u32, end: &mut u32) {
        let line = self.lines[k];
        match &self.maps[k] {
            SourceMap::From(src) => {
                // A char's source bytes are at its own place: the range runs from the
                // char holding the first byte to the end of the one holding the last.
                let (mut lo, mut hi) = (a.max(line.start), b.min(line.end));
                if lo >= hi {
                    return;
                }
                while !self.text.is_char_boundary(lo) {
                    lo -= 1;
                }
                while !self.text.is_char_boundary(hi) {
                    hi += 1;
                }
                *start = (*start).min(src + (lo - line.start) as u32);
                *end = (*end).max(src + (hi - line.start) as u32);
            }
            SourceMap::Chars(ranges) => {
                let mut off = line.start;
                for (c, &(s, e)) in self.text[line.start..line.end].chars().zip(ranges) {
                    let next = off + c.len_utf8();
                    if next > a {
                        if off >= b {
                            break;
                        }
                        *start = (*start).min(s);
                        *end = (*end).max(e);
                    }
                    off = next;
                }
            }
        }
    }

    /// Span in the source of normalized bytes `a..b`.
    pub fn span(&self, a: usize, b: usize) -> Span {
        let (start, end) = self.source_range(a, b);
        self.span_of_source(start, end)
    }

    /// Span of the source byte range `start..end`.
    pub fn span_of_source(&self, start: usize, end: usize) -> Span {
        let line_of = |off: usize| self.src_line_starts.partition_point(|&s| s <= off).max(1);
        let page = if self.page_starts.is_empty() {
            None
        } else {
            Some(self.page_starts.partition_point(|&s| s <= start).max(1))
        };
        Span {
            start,
            end,
            line_start: line_of(start),
            line_end: line_of(end.saturating_sub(1).max(start)),
            page,
        }
    }

    /// Span of normalized lines `first..=last`.
    pub fn lines_span(&self, first: usize, last: usize) -> Span {
        self.span(self.lines[first].start, self.lines[last].end)
    }

    /// First source line (1-based) of normalized line `i`.
    pub fn source_line_of(&self, i: usize) -> usize {
        self.lines_span(i, i).line_start
    }
}

/// A word of at most [`PACK_MAX`] chars below U+2000 (Latin and Vietnamese letters),
/// 13 bits a char (the first char highest), with its length in the top byte: a cache key
/// made without encoding UTF-8. `None` for other words.
pub(crate) fn pack_key(chars: impl IntoIterator<Item = char>) -> Option<u128> {
    let mut key = 0u128;
    let mut n = 0;
    for c in chars {
        key = pack_push(key, n, c)?;
        n += 1;
    }
    Some(key | (n as u128) << 120)
}

/// The most chars a [`pack_key`] holds (9 × 13 bits, below the length byte).
pub(crate) const PACK_MAX: usize = 9;

/// `key` (of `n` chars) with `c` added, `None` when the word cannot be packed.
#[inline]
fn pack_push(key: u128, n: usize, c: char) -> Option<u128> {
    let u = c as u32;
    // A constant shift: a variable one is costly on u128.
    (u < 0x2000 && n < PACK_MAX).then_some(key << 13 | u as u128)
}

pub(crate) fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect()
}

/// Runs every normalization pass over a source.
pub fn normalize(source: &SourceText, opts: &NormalizeOptions) -> NormText {
    normalize_with(source, opts, None)
}

/// [`normalize`] with the OCR rules of a rule set (`--rules DIR`; `None`: embedded).
pub fn normalize_with(source: &SourceText, opts: &NormalizeOptions, rules: Option<&restore::RestoreRules>) -> NormText {
    let (lines, restored, starts) = normalized_lines(source, opts, rules);
    NormText::from_lines_at(lines, source, restored, starts)
}

/// The lines of [`normalize_with`] before they are joined, whether restoration changed
/// them, and where the source lines start.
fn normalized_lines<'a>(source: &'a SourceText, opts: &NormalizeOptions, rules: Option<&restore::RestoreRules>) -> (Vec<MappedStr<'a>>, bool, Vec<usize>) {
    let layout::Cleaned { mut lines, stats, line_starts } = layout::clean_lines_stats(&source.text, opts.tone_style);
    let restored = restore::restore_known(&mut lines, opts.restore, rules, &stats);
    if restored && opts.tone_style == ToneStyle::Modern {
        // Restored syllables come out in traditional placement.
        for line in &mut lines {
            line.map_words(|c| c.is_alphabetic(), |w| unicode::place_tone(w, ToneStyle::Modern));
        }
    }
    (lines, restored, line_starts)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `source_range` as first written: the source range of every normalized byte.
    fn reference_ranges(lines: &[MappedStr]) -> (Vec<u32>, Vec<u32>) {
        let (mut src_start, mut src_end) = (Vec::new(), Vec::new());
        for (i, line) in lines.iter().enumerate() {
            if i > 0 {
                let at = src_end.last().copied().unwrap_or(0);
                src_start.push(at);
                src_end.push(at);
            }
            for m in line.mchars() {
                for _ in 0..m.c.len_utf8() {
                    src_start.push(m.start);
                    src_end.push(m.end);
                }
            }
        }
        (src_start, src_end)
    }

    fn reference_range(r: &(Vec<u32>, Vec<u32>), a: usize, b: usize) -> (usize, usize) {
        if r.0.is_empty() {
            return (0, 0);
        }
        let a = a.min(r.0.len() - 1);
        let b = b.clamp(a + 1, r.1.len());
        (*r.0[a..b].iter().min().unwrap() as usize, *r.1[a..b].iter().max().unwrap() as usize)
    }

    #[test]
    fn source_ranges_equal_the_byte_map() {
        let mut texts: Vec<String> = ["", "\n\n", "a", "\nb", "Dòng một\n\n  Nghị quyết số 57-\n\nNQ/TW của Bộ\n", "x\n\n\ny\n", "**Ủy** $\\geq 5$\n|a|b|c|\n\nz"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        texts.extend(crate::normalize::restore::TRAINING_TEXTS.iter().map(|t| t.to_string()));
        for (ti, text) in texts.iter().enumerate() {
            let src = SourceText::from_string("t", text);
            let lines = layout::clean_lines(&src.text, ToneStyle::Traditional);
            let reference = reference_ranges(&lines);
            let n = NormText::from_lines(lines, &src, false);
            let len = n.text.len();
            let step = if len < 200 { 1 } else { len / 97 + 1 };
            for a in (0..len + 2).step_by(step) {
                for b in (0..len + 2).step_by(step).chain([a, a + 1, a + 2, a + 5, a + 40]) {
                    assert_eq!(n.source_range(a, b), reference_range(&reference, a, b), "text {ti}: {a}..{b}");
                }
            }
        }
    }

    /// Every offset query of a [`NormText`] whose unchanged lines keep only their source
    /// offset equals the same query with the per-char map made for every line (the
    /// representation before), over every test text, both tone styles, and restoration
    /// forced on (which rewrites words).
    #[test]
    fn offset_queries_equal_the_per_char_map() {
        let mut texts = crate::test_data::texts(&[&crate::test_data::TEXT_DIRS[..], &["fixtures/formats"]].concat(), None);
        texts.extend(["", "\n\n", "a", "  hoà  bình \n\n\tx\u{a0}y ", "**Ủy** $\\geq 5$\n|a|b|c|\n\nz", "Nghị quyết số 57-\n\nNQ/TW"].map(String::from));
        let stripped: Vec<String> = texts.iter().map(|t| crate::fold::strip_diacritics(t)).collect();
        texts.extend(stripped);
        let (mut from, mut chars) = (0, 0);
        for (ti, text) in texts.iter().enumerate() {
            let src = SourceText::from_string("t", text);
            for (tone_style, restore) in [(ToneStyle::Traditional, RestoreMode::Auto), (ToneStyle::Modern, RestoreMode::Always)] {
                let opts = NormalizeOptions { tone_style, restore };
                let (lines, restored, starts) = normalized_lines(&src, &opts, None);
                assert_eq!(starts, line_starts(&src.text));
                for l in &lines {
                    match l.map() {
                        SourceMap::From(_) => from += 1,
                        SourceMap::Chars(_) => chars += 1,
                    }
                }
                let reference: Vec<MappedStr> = lines.iter().map(|l| l.with_char_map()).collect();
                let (n, r) = (NormText::from_lines(lines, &src, restored), NormText::from_lines(reference, &src, restored));
                assert_eq!((&n.text, &n.lines, &n.newline_at, &n.line_range), (&r.text, &r.lines, &r.newline_at, &r.line_range));
                let len = n.text.len();
                let step = if len < 300 { 1 } else { len / 150 + 1 };
                for a in (0..len + 2).step_by(step) {
                    for b in (0..len + 2).step_by(step).chain([a, a + 1, a + 2, a + 3, a + 5, a + 40]) {
                        assert_eq!(n.span(a, b), r.span(a, b), "text {ti}: {a}..{b}");
                    }
                }
                // Every line, every char boundary of each line against its ends, and each
                // byte inside the first chars (queries that start or end inside a char).
                for i in 0..n.line_count() {
                    assert_eq!(n.lines_span(i, i), r.lines_span(i, i));
                    assert_eq!(n.source_line_of(i), r.source_line_of(i));
                    let l = n.lines[i];
                    for (k, _) in n.line(i).char_indices() {
                        let at = l.start + k;
                        assert_eq!(n.source_range(l.start, at + 1), r.source_range(l.start, at + 1), "text {ti} line {i}");
                        assert_eq!(n.source_range(at, l.end), r.source_range(at, l.end), "text {ti} line {i}");
                    }
                    for at in l.start..(l.start + 8).min(l.end) {
                        for end in at..(at + 8).min(l.end + 2) {
                            assert_eq!(n.source_range(at, end), r.source_range(at, end), "text {ti} line {i}: {at}..{end}");
                        }
                    }
                }
            }
        }
        // Both kinds of line were met.
        assert!(from > 1000 && chars > 100, "{from} {chars}");
    }

    #[test]
    fn pack_keys_are_distinct() {
        let keys: Vec<Option<u128>> = ["", "\0", "a", "a\0", "\0a", "ệ", "nghiêng", "abcdefghi", "abcdefghij", "a\u{2000}"]
            .iter()
            .map(|s| pack_key(s.chars()))
            .collect();
        assert_eq!(keys[8], None);
        assert_eq!(keys[9], None);
        let some: std::collections::HashSet<u128> = keys.iter().flatten().copied().collect();
        assert_eq!(some.len(), 8);
    }

    #[test]
    fn spans_point_back_to_source() {
        let src = SourceText::from_string("t", "Dòng một\n\n  Nghị quyết số 57-\n\nNQ/TW của Bộ\n");
        let n = normalize(&src, &NormalizeOptions::default());
        assert_eq!(n.line(1), "Nghị quyết số 57-NQ/TW của Bộ");
        let pos = n.text.find("NQ/TW").unwrap();
        let sp = n.span(pos, pos + 5);
        assert_eq!(&src.text[sp.start..sp.end], "NQ/TW");
        assert_eq!(sp.line_start, 5);
    }
}
