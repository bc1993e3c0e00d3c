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
        let chars = text
            .char_indices()
            .map(|(i, c)| MChar { c, start: (offset + i) as u32, end: (offset + i + c.len_utf8()) as u32 })
            .collect();
        MappedStr { chars }
    }

    pub fn as_string(&self) -> String {
        self.chars.iter().map(|m| m.c).collect()
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
        let mut i = 0;
        let mut out: Vec<MChar> = Vec::with_capacity(self.chars.len());
        while i < self.chars.len() {
            if !in_word(self.chars[i].c) {
                out.push(self.chars[i]);
                i += 1;
                continue;
            }
            let j = (i..self.chars.len()).find(|&k| !in_word(self.chars[k].c)).unwrap_or(self.chars.len());
            let word: String = self.chars[i..j].iter().map(|m| m.c).collect();
            let new = f(&word);
            if new == word {
                out.extend_from_slice(&self.chars[i..j]);
            } else {
                let new_chars: Vec<char> = new.chars().collect();
                if new_chars.len() == j - i {
                    // Same length: keep the per-char alignment.
                    for (k, c) in new_chars.into_iter().enumerate() {
                        out.push(MChar { c, ..self.chars[i + k] });
                    }
                } else {
                    let (start, end) = self.source_range(i, j).expect("non-empty word");
                    out.extend(new_chars.into_iter().map(|c| MChar { c, start, end }));
                }
            }
            i = j;
        }
        self.chars = out;
    }

    /// Trims whitespace at both ends and collapses runs of spaces (not tabs: they
    /// separate table cells) to one.
    pub fn tidy_spaces(&mut self) {
        let mut out: Vec<MChar> = Vec::with_capacity(self.chars.len());
        for m in &self.chars {
            let c = if m.c == '\u{a0}' || m.c == '\u{2007}' || m.c == '\u{202f}' { ' ' } else { m.c };
            if c == ' ' && (out.is_empty() || out.last().is_some_and(|p| p.c == ' ' || p.c == '\t')) {
                continue;
            }
            if c == '\t' && out.last().is_some_and(|p| p.c == ' ') {
                out.pop();
            }
            out.push(MChar { c, ..*m });
        }
        while out.last().is_some_and(|m| m.c.is_whitespace()) {
            out.pop();
        }
        let lead = out.iter().take_while(|m| m.c.is_whitespace()).count();
        out.drain(..lead);
        self.chars = out;
    }

    pub fn push_str_at(&mut self, s: &str, start: u32, end: u32) {
        self.chars.extend(s.chars().map(|c| MChar { c, start, end }));
    }

    pub fn append(&mut self, other: MappedStr) {
        self.chars.extend(other.chars);
    }
}

fn byte_to_char_index(s: &str) -> impl Fn(usize) -> usize + '_ {
    move |b: usize| s[..b].chars().count()
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
    fn tidy() {
        let mut m = MappedStr::from_source("  a   b \t c  ", 0);
        m.tidy_spaces();
        assert_eq!(m.as_string(), "a b\tc");
    }
}
