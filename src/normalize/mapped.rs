//! A string whose every char remembers the source byte range it came from.
//!
//! Like HuggingFace tokenizers' `NormalizedString`: each edit keeps the alignment, so
//! anything found in normalized text can be traced back to the exact source bytes.

use regex::{Captures, Regex};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MChar {
    pub c: char,
    /// Source byte range this char stands for (end exclusive).
    pub start: u32,
    pub end: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MappedStr {
    pub chars: Vec<MChar>,
}

impl MappedStr {
    /// The chars of `text`, which starts at byte `offset` of the source.
    pub fn from_source(text: &str, offset: usize) -> MappedStr {
        if text.is_ascii() {
            // A byte a char: no decoding, and the length is known.
            let chars = text
                .bytes()
                .enumerate()
                .map(|(i, b)| MChar { c: b as char, start: (offset + i) as u32, end: (offset + i + 1) as u32 })
                .collect();
            return MappedStr { chars };
        }
        MappedStr::from_source_chars(text, offset)
    }

    /// [`MappedStr::from_source`] char by char (any text).
    fn from_source_chars(text: &str, offset: usize) -> MappedStr {
        // At most a char a byte: one allocation, no counting pass.
        let mut chars = Vec::with_capacity(text.len());
        chars.extend(
            text.char_indices()
                .map(|(i, c)| MChar { c, start: (offset + i) as u32, end: (offset + i + c.len_utf8()) as u32 }),
        );
        MappedStr { chars }
    }

    pub fn as_string(&self) -> String {
        let mut s = String::with_capacity(self.chars.iter().map(|m| m.c.len_utf8()).sum());
        s.extend(self.chars.iter().map(|m| m.c));
        s
    }

    pub fn is_empty(&self) -> bool {
        self.chars.is_empty()
    }

    /// Source range covered by chars `a..b`.
    pub fn source_range(&self, a: usize, b: usize) -> Option<(u32, u32)> {
        let slice = &self.chars[a.min(self.chars.len())..b.min(self.chars.len())];
        let start = slice.iter().map(|m| m.start).min()?;
        let end = slice.iter().map(|m| m.end).max()?;
        Some((start, end))
    }

    /// Replaces chars `a..b` with `replacement`; the new chars all point at the source
    /// range of what they replace (or, for an insertion, at the position before it).
    pub fn replace_chars(&mut self, a: usize, b: usize, replacement: &str) {
        let (start, end) = self.source_range(a, b).unwrap_or_else(|| {
            let at = if a > 0 { self.chars[a - 1].end } else { self.chars.first().map_or(0, |m| m.start) };
            (at, at)
        });
        let new: Vec<MChar> = replacement.chars().map(|c| MChar { c, start, end }).collect();
        self.chars.splice(a..b, new);
    }

    /// Replaces every match of `re` with what `f` returns for it.
    pub fn replace_regex(&mut self, re: &Regex, f: impl Fn(&Captures) -> String) {
        let s = self.as_string();
        // Byte offset → char index, for the matches found in `s`.
        let mut edits: Vec<(usize, usize, String)> = Vec::new();
        for caps in re.captures_iter(&s) {
            let m = caps.get(0).expect("group 0");
            let rep = f(&caps);
            if rep != m.as_str() {
                edits.push((m.start(), m.end(), rep));
            }
        }
        if edits.is_empty() {
            return;
        }
        let byte_to_char = byte_to_char_index(&s);
        for (bs, be, rep) in edits.into_iter().rev() {
            self.replace_chars(byte_to_char(bs), byte_to_char(be), &rep);
        }
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
    pub fn rewrite_runs(&mut self, in_word: impl Fn(char) -> bool, mut f: impl FnMut(&[MChar]) -> Option<String>) {
        let n = self.chars.len();
        let mut out: Option<Vec<MChar>> = None;
        // chars[..copied] are already in `out`.
        let mut copied = 0;
        let mut i = 0;
        while i < n {
            if !in_word(self.chars[i].c) {
                i += 1;
                continue;
            }
            let j = (i..n).find(|&k| !in_word(self.chars[k].c)).unwrap_or(n);
            let run = &self.chars[i..j];
            let new = match f(run) {
                Some(new) if !new.chars().eq(run.iter().map(|m| m.c)) => new,
                _ => {
                    i = j;
                    continue;
                }
            };
            let o = out.get_or_insert_with(|| Vec::with_capacity(n + 4));
            o.extend_from_slice(&self.chars[copied..i]);
            let new_chars: Vec<char> = new.chars().collect();
            if new_chars.len() == j - i {
                // Same length: keep the per-char alignment.
                for (k, c) in new_chars.into_iter().enumerate() {
                    o.push(MChar { c, ..self.chars[i + k] });
                }
            } else {
                let (start, end) = self.source_range(i, j).expect("non-empty word");
                o.extend(new_chars.into_iter().map(|c| MChar { c, start, end }));
            }
            copied = j;
            i = j;
        }
        if let Some(mut o) = out {
            o.extend_from_slice(&self.chars[copied..]);
            self.chars = o;
        }
    }

    /// Trims whitespace at both ends and collapses runs of spaces (not tabs: they
    /// separate table cells) to one.
    pub fn tidy_spaces(&mut self) {
        // Most lines need at most their ends trimmed: when the part between the first and
        // the last non-space char needs nothing, that part is the result (what the ends
        // hold is whitespace, all of it dropped by the rewrite below).
        let lead = self.chars.iter().take_while(|m| m.c.is_whitespace()).count();
        let trail = self.chars[lead..].iter().rev().take_while(|m| m.c.is_whitespace()).count();
        let end = self.chars.len() - trail;
        if !needs_tidy(&self.chars[lead..end]) {
            self.chars.truncate(end);
            self.chars.drain(..lead);
            return;
        }
        tidy_every_char(&mut self.chars);
    }

    pub fn push_str_at(&mut self, s: &str, start: u32, end: u32) {
        self.chars.extend(s.chars().map(|c| MChar { c, start, end }));
    }

    pub fn append(&mut self, other: MappedStr) {
        self.chars.extend(other.chars);
    }
}

/// Whether [`MappedStr::tidy_spaces`] would change `chars`, which start and end with a
/// non-space char (or are empty): a read-only pass.
fn needs_tidy(chars: &[MChar]) -> bool {
    let mut prev = '\0';
    for m in chars {
        let c = m.c;
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
        // "c" still points at its source byte.
        assert_eq!(m.chars.last().unwrap().start, 10 + 12);
        // the replacement points at the whole replaced range.
        assert_eq!((m.chars[3].start, m.chars[3].end), (13, 21));
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
        assert_eq!((m.chars[5].start, m.chars[5].end), (6, 10));
        assert_eq!(m.chars.last().unwrap().start, 13);
        m.map_words(char::is_alphabetic, |w| w.to_uppercase());
        assert_eq!(m.as_string(), "HOÀ, UBND BAN");
        assert_eq!(m.chars.last().unwrap().start, 13);
    }

    /// `tidy_spaces` without its check: the rewrite of every char.
    fn tidy_reference(m: &mut MappedStr) {
        tidy_every_char(&mut m.chars);
    }

    /// `from_source` without the ASCII path.
    fn from_source_reference(text: &str, offset: usize) -> MappedStr {
        MappedStr::from_source_chars(text, offset)
    }

    proptest::proptest! {
        #[test]
        fn tidy_check_and_ascii_mapping_equal_the_reference(s in "[ \t\u{a0}\u{2007}\u{202f}\u{3000}\u{2003}\r\x0bxé,]{0,12}", offset in 0usize..100) {
            let m = MappedStr::from_source(&s, offset);
            proptest::prop_assert_eq!(&m, &from_source_reference(&s, offset));
            let (mut fast, mut slow) = (m.clone(), m);
            fast.tidy_spaces();
            tidy_reference(&mut slow);
            proptest::prop_assert_eq!(fast, slow);
        }
    }

    #[test]
    fn tidy_check_on_corpus_lines() {
        for t in crate::normalize::restore::TRAINING_TEXTS {
            for (i, line) in t.split('\n').enumerate() {
                let m = MappedStr::from_source(line, i);
                assert_eq!(m, from_source_reference(line, i));
                let (mut fast, mut slow) = (m.clone(), m);
                fast.tidy_spaces();
                tidy_reference(&mut slow);
                assert_eq!(fast, slow, "{line:?}");
            }
        }
    }

    #[test]
    fn tidy() {
        let mut m = MappedStr::from_source("  a   b \t c  ", 0);
        m.tidy_spaces();
        assert_eq!(m.as_string(), "a b\tc");
    }
}
