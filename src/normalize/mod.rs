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
use mapped::{MChar, MappedStr};
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
    /// The chars of each line with the source byte range each came from: every byte of a
    /// char maps to its range (kept per char, not per byte: only spans read it).
    chars: Vec<Vec<MChar>>,
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
        // Normalizing mostly drops text: the source length is a good first capacity.
        let mut text = String::with_capacity(source.text.len());
        let mut out_lines = Vec::with_capacity(lines.len());
        let mut newline_at = Vec::with_capacity(lines.len());
        let mut line_range = Vec::with_capacity(lines.len());
        let mut at = 0;
        let chars: Vec<Vec<MChar>> = lines.into_iter().map(|l| l.chars).collect();
        for (i, line) in chars.iter().enumerate() {
            if i > 0 {
                text.push('\n');
            }
            let start = text.len();
            let (mut lo, mut hi) = (u32::MAX, 0);
            for m in line {
                text.push(m.c);
                lo = lo.min(m.start);
                hi = hi.max(m.end);
            }
            out_lines.push(NormLine { start, end: text.len() });
            line_range.push((lo, hi));
            // The newline maps to the end of what came before it.
            at = line.last().map_or(at, |m| m.end);
            newline_at.push(at);
        }
        NormText {
            text,
            lines: out_lines,
            chars,
            newline_at,
            line_range,
            src_line_starts: line_starts(&source.text),
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
        let mut off = self.lines[k].start;
        for m in &self.chars[k] {
            let next = off + m.c.len_utf8();
            if next > a {
                if off >= b {
                    break;
                }
                *start = (*start).min(m.start);
                *end = (*end).max(m.end);
            }
            off = next;
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

pub(crate) const PACK_MAX: usize = 9;

/// `key` (of `n` chars) with `c` added, `None` when the word cannot be packed.
#[inline]
fn pack_push(key: u128, n: usize, c: char) -> Option<u128> {
    let u = c as u32;
    // A constant shift: a variable one is costly on u128.
    (u < 0x2000 && n < PACK_MAX).then_some(key << 13 | u as u128)
}

fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect()
}

/// Runs every normalization pass over a source.
pub fn normalize(source: &SourceText, opts: &NormalizeOptions) -> NormText {
    normalize_with(source, opts, None)
}

/// [`normalize`] with the OCR rules of a rule set (`--rules DIR`; `None`: embedded).
pub fn normalize_with(source: &SourceText, opts: &NormalizeOptions, rules: Option<&restore::RestoreRules>) -> NormText {
    let mut lines = layout::clean_lines(&source.text, opts.tone_style);
    let restored = restore::restore_with(&mut lines, opts.restore, rules);
    if restored && opts.tone_style == ToneStyle::Modern {
        // Restored syllables come out in traditional placement.
        for line in &mut lines {
            line.map_words(|c| c.is_alphabetic(), |w| unicode::place_tone(w, ToneStyle::Modern));
        }
    }
    NormText::from_lines(lines, source, restored)
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
            for m in &line.chars {
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
