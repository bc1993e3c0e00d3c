//! A string whose every char remembers the source byte range it came from.
//!
//! Like HuggingFace tokenizers' `NormalizedString`: each edit keeps the alignment, so
//! anything found in normalized text can be traced back to the exact source bytes.
//!
//! Most lines come out of normalization as a piece of the source (trimmed at most): such a
//! line is kept as its text and one source offset ([`SourceMap::From`]), and the range of
//! each char is known from its place in the text. Only an edit that moves chars makes
//! the per-char map ([`SourceMap::Chars`]); edits run on a [`MChar`] vector.

use regex::{Captures, Regex};
use std::borrow::Cow;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MChar {
    pub c: char,
    /// Source byte range this char stands for (end exclusive).
    pub start: u32,
    pub end: u32,
}

/// Where the chars of a text come from in the source.
#[derive(Debug, Clone)]
pub enum SourceMap {
    /// The char at byte `i` of the text stands for source bytes `start + i` on, as many
    /// as it has: the text is a piece of the source (or rewritten at the same places).
    From(u32),
    /// The source range of each char, in order.
    Chars(Vec<(u32, u32)>),
}

#[derive(Debug, Clone)]
pub struct MappedStr<'a> {
    text: Cow<'a, str>,
    map: SourceMap,
}

impl Default for MappedStr<'_> {
    fn default() -> Self {
        MappedStr { text: Cow::Borrowed(""), map: SourceMap::From(0) }
    }
}

/// Equal when the chars and their source ranges are, however they are kept.
impl PartialEq for MappedStr<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text && self.mchars().eq(other.mchars())
    }
}

impl Eq for MappedStr<'_> {}

/// The chars of a [`MappedStr`] with their source ranges.
pub struct MChars<'s> {
    chars: std::str::CharIndices<'s>,
    /// `None`: the ranges follow from the byte offsets ([`SourceMap::From`]).
    ranges: Option<std::slice::Iter<'s, (u32, u32)>>,
    start: u32,
}

impl Iterator for MChars<'_> {
    type Item = MChar;

    fn next(&mut self) -> Option<MChar> {
        let (i, c) = self.chars.next()?;
        Some(match &mut self.ranges {
            Some(r) => {
                let &(start, end) = r.next()?;
                MChar { c, start, end }
            }
            None => {
                let start = self.start + i as u32;
                MChar { c, start, end: start + c.len_utf8() as u32 }
            }
        })
    }
}

impl<'a> MappedStr<'a> {
    /// `text`, which starts at byte `offset` of the source (borrowed, no per-char map).
    pub fn from_source(text: &'a str, offset: usize) -> MappedStr<'a> {
        MappedStr { text: Cow::Borrowed(text), map: SourceMap::From(offset as u32) }
    }

    /// A text from its chars; kept as [`SourceMap::From`] when every char covers the
    /// source bytes at its own place in the text.
    pub fn from_chars(chars: &[MChar]) -> MappedStr<'static> {
        let mut text = String::with_capacity(chars.len());
        let first = chars.first().map_or(0, |m| m.start);
        let mut identity = true;
        for m in chars {
            let at = first + text.len() as u32;
            identity &= m.start == at && m.end == at + m.c.len_utf8() as u32;
            text.push(m.c);
        }
        let map = if identity { SourceMap::From(first) } else { SourceMap::Chars(chars.iter().map(|m| (m.start, m.end)).collect()) };
        MappedStr { text: Cow::Owned(text), map }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn as_string(&self) -> String {
        self.text.to_string()
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    pub fn map(&self) -> &SourceMap {
        &self.map
    }

    /// The text and its map.
    pub fn into_parts(self) -> (Cow<'a, str>, SourceMap) {
        (self.text, self.map)
    }

    /// The chars with their source ranges.
    pub fn mchars(&self) -> MChars<'_> {
        match &self.map {
            SourceMap::From(start) => MChars { chars: self.text.char_indices(), ranges: None, start: *start },
            SourceMap::Chars(r) => MChars { chars: self.text.char_indices(), ranges: Some(r.iter()), start: 0 },
        }
    }

    pub fn to_chars(&self) -> Vec<MChar> {
        let mut v = Vec::with_capacity(self.text.len());
        v.extend(self.mchars());
        v
    }

    /// The same chars with the per-char map made (what every line was before
    /// [`SourceMap::From`]; tests compare the two).
    pub fn with_char_map(&self) -> MappedStr<'static> {
        let ranges = self.mchars().map(|m| (m.start, m.end)).collect();
        MappedStr { text: Cow::Owned(self.text.to_string()), map: SourceMap::Chars(ranges) }
    }

    /// Runs an edit on the chars.
    pub fn edit(&mut self, f: impl FnOnce(&mut Vec<MChar>)) {
        let mut chars = self.to_chars();
        f(&mut chars);
        *self = MappedStr::from_chars(&chars);
    }

    /// Source range covered by chars `a..b`.
    pub fn source_range(&self, a: usize, b: usize) -> Option<(u32, u32)> {
        source_range(&self.to_chars(), a, b)
    }

    /// Replaces chars `a..b` with `replacement`; the new chars all point at the source
    /// range of what they replace (or, for an insertion, at the position before it).
    pub fn replace_chars(&mut self, a: usize, b: usize, replacement: &str) {
        self.edit(|chars| replace_chars(chars, a, b, replacement));
    }

    /// Replaces every match of `re` with what `f` returns for it.
    pub fn replace_regex(&mut self, re: &Regex, f: impl Fn(&Captures) -> String) {
        let s = &*self.text;
        // Byte offset → char index, for the matches found in `s`.
        let mut edits: Vec<(usize, usize, String)> = Vec::new();
        for caps in re.captures_iter(s) {
            let m = caps.get(0).expect("group 0");
            let rep = f(&caps);
            if rep != m.as_str() {
                edits.push((m.start(), m.end(), rep));
            }
        }
        if edits.is_empty() {
            return;
        }
        let edits: Vec<(usize, usize, String)> = {
            let byte_to_char = byte_to_char_index(s);
            edits.into_iter().map(|(bs, be, rep)| (byte_to_char(bs), byte_to_char(be), rep)).collect()
        };
        self.edit(|chars| {
            for (a, b, rep) in edits.into_iter().rev() {
                replace_chars(chars, a, b, &rep);
            }
        });
    }

    /// Rewrites each maximal run of chars satisfying `in_word` with `f(word)`.
    pub fn map_words(&mut self, in_word: impl Fn(char) -> bool, f: impl Fn(&str) -> String) {
        self.rewrite_words(in_word, |w| Some(f(w)));
    }

    /// Like [`MappedStr::map_words`], but `f` returns `None` for a word it leaves as is,
    /// and nothing is rebuilt unless a word changes: the fast path for passes that
    /// rarely change anything.
    pub fn rewrite_words(&mut self, in_word: impl Fn(char) -> bool, mut f: impl FnMut(&str) -> Option<String>) {
        let mut word = String::new();
        self.rewrite_runs(in_word, |run| {
            word.clear();
            word.extend(run.iter().map(|m| m.c));
            f(&word)
        });
    }

    /// [`MappedStr::rewrite_words`] with each word given as its chars, for a pass that
    /// can tell most words need nothing without making a string of them.
    pub fn rewrite_runs(&mut self, in_word: impl Fn(char) -> bool, f: impl FnMut(&[MChar]) -> Option<String>) {
        if let Some(chars) = rewrite_runs(&self.to_chars(), in_word, f) {
            *self = MappedStr::from_chars(&chars);
        }
    }

    /// Trims whitespace at both ends and collapses runs of spaces (not tabs: they
    /// separate table cells) to one.
    pub fn tidy_spaces(&mut self) {
        // Most lines need at most their ends trimmed: when the part between the first and
        // the last non-space char needs nothing, that part is the result (what the ends
        // hold is whitespace, all of it dropped by the rewrite below).
        if needs_tidy(self.text.trim()) {
            self.edit(tidy_every_char);
        } else {
            self.trim();
        }
    }

    /// Drops whitespace at both ends.
    pub fn trim(&mut self) {
        let t = self.text.trim_start();
        let lead = self.text.len() - t.len();
        let keep = t.trim_end().len();
        if lead == 0 && keep == t.len() {
            return;
        }
        if let SourceMap::Chars(r) = &mut self.map {
            let lead_chars = self.text[..lead].chars().count();
            let keep_chars = self.text[lead..lead + keep].chars().count();
            r.truncate(lead_chars + keep_chars);
            r.drain(..lead_chars);
        }
        match &mut self.text {
            Cow::Borrowed(s) => *s = &s[lead..lead + keep],
            Cow::Owned(s) => {
                s.truncate(lead + keep);
                s.drain(..lead);
            }
        }
        if let SourceMap::From(start) = &mut self.map {
            *start += lead as u32;
        }
    }

    pub fn push_str_at(&mut self, s: &str, start: u32, end: u32) {
        self.edit(|chars| chars.extend(s.chars().map(|c| MChar { c, start, end })));
    }

    pub fn append(&mut self, other: MappedStr) {
        self.edit(|chars| chars.extend(other.mchars()));
    }
}

/// Source range covered by `chars[a..b]`.
fn source_range(chars: &[MChar], a: usize, b: usize) -> Option<(u32, u32)> {
    let slice = &chars[a.min(chars.len())..b.min(chars.len())];
    let start = slice.iter().map(|m| m.start).min()?;
    let end = slice.iter().map(|m| m.end).max()?;
    Some((start, end))
}

/// [`MappedStr::replace_chars`] on chars.
pub fn replace_chars(chars: &mut Vec<MChar>, a: usize, b: usize, replacement: &str) {
    let (start, end) = source_range(chars, a, b).unwrap_or_else(|| {
        let at = if a > 0 { chars[a - 1].end } else { chars.first().map_or(0, |m| m.start) };
        (at, at)
    });
    let new: Vec<MChar> = replacement.chars().map(|c| MChar { c, start, end }).collect();
    chars.splice(a..b, new);
}

/// [`MappedStr::rewrite_runs`] on chars: the new chars, `None` when nothing changes.
fn rewrite_runs(chars: &[MChar], in_word: impl Fn(char) -> bool, mut f: impl FnMut(&[MChar]) -> Option<String>) -> Option<Vec<MChar>> {
    let n = chars.len();
    let mut out: Option<Vec<MChar>> = None;
    // chars[..copied] are already in `out`.
    let mut copied = 0;
    let mut i = 0;
    while i < n {
        if !in_word(chars[i].c) {
            i += 1;
            continue;
        }
        let j = (i..n).find(|&k| !in_word(chars[k].c)).unwrap_or(n);
        let run = &chars[i..j];
        let new = match f(run) {
            Some(new) if !new.chars().eq(run.iter().map(|m| m.c)) => new,
            _ => {
                i = j;
                continue;
            }
        };
        let o = out.get_or_insert_with(|| Vec::with_capacity(n + 4));
        o.extend_from_slice(&chars[copied..i]);
        let new_chars: Vec<char> = new.chars().collect();
        if new_chars.len() == j - i {
            // Same length: keep the per-char alignment.
            for (k, c) in new_chars.into_iter().enumerate() {
                o.push(MChar { c, ..chars[i + k] });
            }
        } else {
            let (start, end) = source_range(chars, i, j).expect("non-empty word");
            o.extend(new_chars.into_iter().map(|c| MChar { c, start, end }));
        }
        copied = j;
        i = j;
    }
    let mut o = out?;
    o.extend_from_slice(&chars[copied..]);
    Some(o)
}

/// Whether [`MappedStr::tidy_spaces`] would change `s`, which starts and ends with a
/// non-space char (or is empty): a read-only pass.
fn needs_tidy(s: &str) -> bool {
    let mut prev = '\0';
    for c in s.chars() {
        if matches!(c, '\u{a0}' | '\u{2007}' | '\u{202f}') || (c == ' ' && matches!(prev, ' ' | '\t')) || (c == '\t' && prev == ' ') {
            return true;
        }
        prev = c;
    }
    false
}

fn byte_to_char_index(s: &str) -> impl Fn(usize) -> usize + '_ {
    move |b: usize| s[..b].chars().count()
}

/// What [`MappedStr::tidy_spaces`] does, char by char, in place: `chars[..w]` is the
/// output so far (`w` never passes the read position).
fn tidy_every_char(chars: &mut Vec<MChar>) {
    let mut w = 0;
    for r in 0..chars.len() {
        let m = chars[r];
        let c = if m.c == '\u{a0}' || m.c == '\u{2007}' || m.c == '\u{202f}' { ' ' } else { m.c };
        if c == ' ' && (w == 0 || chars[w - 1].c == ' ' || chars[w - 1].c == '\t') {
            continue;
        }
        if c == '\t' && w > 0 && chars[w - 1].c == ' ' {
            w -= 1;
        }
        chars[w] = MChar { c, ..m };
        w += 1;
    }
    chars.truncate(w);
    while chars.last().is_some_and(|m| m.c.is_whitespace()) {
        chars.pop();
    }
    let lead = chars.iter().take_while(|m| m.c.is_whitespace()).count();
    chars.drain(..lead);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replace_keeps_alignment() {
        let mut m = MappedStr::from_source("ab $\\geq 5$ c", 10);
        let re = Regex::new(r"\$\\geq\s*([^$]*)\$").unwrap();
        m.replace_regex(&re, |c| format!("≥ {}", &c[1]));
        assert_eq!(m.as_string(), "ab ≥ 5 c");
        let chars = m.to_chars();
        // "c" still points at its source byte.
        assert_eq!(chars.last().unwrap().start, 10 + 12);
        // the replacement points at the whole replaced range.
        assert_eq!((chars[3].start, chars[3].end), (13, 21));
    }

    #[test]
    fn rewrite_words_keeps_alignment() {
        let mut m = MappedStr::from_source("hoà, ủy ban", 0);
        let before = m.clone();
        m.rewrite_words(char::is_alphabetic, |_| None);
        assert_eq!(m, before);
        m.rewrite_words(char::is_alphabetic, |w| (w == "ủy").then(|| "UBND".to_string()));
        assert_eq!(m.as_string(), "hoà, UBND ban");
        // The longer replacement points at the replaced word; the rest is untouched.
        let chars = m.to_chars();
        assert_eq!((chars[5].start, chars[5].end), (6, 10));
        assert_eq!(chars.last().unwrap().start, 13);
        m.map_words(char::is_alphabetic, |w| w.to_uppercase());
        assert_eq!(m.as_string(), "HOÀ, UBND BAN");
        assert_eq!(m.to_chars().last().unwrap().start, 13);
    }

    /// `tidy_spaces` without its check: the rewrite of every char.
    fn tidy_reference(m: &mut MappedStr) {
        m.edit(tidy_every_char);
    }

    /// `from_source` as first written: a per-char map.
    fn from_source_reference(text: &str, offset: usize) -> MappedStr<'static> {
        let chars: Vec<MChar> = text
            .char_indices()
            .map(|(i, c)| MChar { c, start: (offset + i) as u32, end: (offset + i + c.len_utf8()) as u32 })
            .collect();
        let text: String = chars.iter().map(|m| m.c).collect();
        MappedStr { text: Cow::Owned(text), map: SourceMap::Chars(chars.iter().map(|m| (m.start, m.end)).collect()) }
    }

    /// Both ways of keeping a text give the same chars, and tidying either (with the
    /// check, or char by char) gives the same result.
    fn check_tidy(s: &str, offset: usize) {
        let m = MappedStr::from_source(s, offset);
        let reference = from_source_reference(s, offset);
        assert_eq!(m.to_chars(), reference.to_chars());
        assert_eq!(m, reference);
        assert_eq!(MappedStr::from_chars(&m.to_chars()), reference);
        let (mut fast, mut slow, mut mapped) = (m.clone(), m, reference);
        fast.tidy_spaces();
        tidy_reference(&mut slow);
        // The per-char map trims and tidies the same way.
        mapped.tidy_spaces();
        assert_eq!(fast, slow, "{s:?}");
        assert_eq!(fast.to_chars(), mapped.to_chars(), "{s:?}");
    }

    proptest::proptest! {
        #[test]
        fn tidy_check_and_ascii_mapping_equal_the_reference(s in "[ \t\u{a0}\u{2007}\u{202f}\u{3000}\u{2003}\r\x0bxé,]{0,12}", offset in 0usize..100) {
            check_tidy(&s, offset);
        }
    }

    #[test]
    fn tidy_check_on_corpus_lines() {
        for t in crate::normalize::restore::TRAINING_TEXTS {
            for (i, line) in t.split('\n').enumerate() {
                check_tidy(line, i);
            }
        }
    }

    #[test]
    fn from_chars_keeps_only_what_moved() {
        let m = MappedStr::from_source("  hoà bình ", 7);
        let mut chars = m.to_chars();
        assert!(matches!(MappedStr::from_chars(&chars).map(), SourceMap::From(7)));
        // "à" rewritten as a 3-byte char at its 2-byte place: a per-char map.
        chars[4].c = '\u{1ea1}';
        let edited = MappedStr::from_chars(&chars);
        assert!(matches!(edited.map(), SourceMap::Chars(_)));
        assert_eq!(edited.to_chars(), chars);
    }

    #[test]
    fn tidy() {
        let mut m = MappedStr::from_source("  a   b \t c  ", 0);
        m.tidy_spaces();
        assert_eq!(m.as_string(), "a b\tc");
    }
}
