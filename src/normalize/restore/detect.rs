//! Deciding whether a text is clean, stripped of its diacritics, or OCR-noisy.
//!
//! Diacritized Vietnamese prose has marks on most syllables, and every marked word is a
//! possible syllable. Stripped text has (almost) no marks, yet its words are syllable
//! skeletons. English-model OCR leaves some marks, many on impossible syllables ("quyét",
//! "hién"), and prints digits or symbols inside words ("s6", "d6i", "K&").

use super::lexicon::{canonical_lower, skeleton, Lexicon};
use super::syllables::is_syllable;
use super::tokens::{tokenize, Kind as TokKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// Correctly diacritized (or not Vietnamese): leave alone.
    Clean,
    /// Vietnamese without diacritics.
    Stripped,
    /// OCR output with lost, wrong and misread marks.
    Ocr,
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Stats {
    pub words: usize,
    /// Words with any diacritic (or đ).
    pub marked: usize,
    /// Marked words that are no possible syllable.
    pub bad_marked: usize,
    /// Letter tokens with digits or symbols inside.
    pub mixed: usize,
    /// Unmarked words whose skeleton is a Vietnamese syllable skeleton.
    pub plain_viet: usize,
}

/// Counts over `lines`; `lex` (for [`Stats::plain_viet`]) may be left out when only the
/// cheap clean-text check is wanted ([`Stats::clearly_clean`]).
pub fn stats<'a>(lines: impl IntoIterator<Item = &'a [char]>, lex: Option<&Lexicon>) -> Stats {
    let mut st = Stats::default();
    let mut lower = String::new();
    for chars in lines {
        for t in tokenize(chars) {
            match t.kind {
                TokKind::Word => {
                    st.words += 1;
                    if t.text.is_ascii() {
                        // No mark: its skeleton is its lowercase form.
                        if let Some(lex) = lex {
                            lower.clear();
                            lower.extend(t.text.chars().map(|c| c.to_ascii_lowercase()));
                            st.plain_viet += lex.has_skeleton(&lower) as usize;
                        }
                        continue;
                    }
                    // Lines are NFC with traditional tone placement already, so the plain
                    // lowercase form is usually canonical; the full canonical form only when
                    // it is no syllable as written.
                    lower.clear();
                    lower.extend(t.text.chars().flat_map(char::to_lowercase));
                    let syllable = is_syllable(&lower) || is_syllable(&canonical_lower(&t.text));
                    let skel = skeleton(&lower);
                    if lower != skel {
                        st.marked += 1;
                        st.bad_marked += !syllable as usize;
                    } else if let Some(lex) = lex {
                        st.plain_viet += lex.has_skeleton(&skel) as usize;
                    }
                }
                TokKind::Mixed => {
                    st.words += 1;
                    // "s6", "d6i", "16p", "K&": a lowercase letter with digits or
                    // symbols. Codes like "5G", "4G", "H2" are not OCR damage.
                    let symbol = t.text.chars().any(|c| matches!(c, '$' | '¢' | '&'));
                    if t.text.chars().any(char::is_lowercase) || (symbol && t.text.chars().count() <= 3) {
                        st.mixed += 1;
                    }
                }
                _ => {}
            }
        }
    }
    st
}

impl Stats {
    /// Clean whatever [`Stats::plain_viet`] is: short, or marked throughout with possible
    /// syllables and no OCR damage. Needs no lexicon.
    pub fn clearly_clean(&self) -> bool {
        if self.words < 8 {
            return true;
        }
        let w = self.words as f64;
        self.marked as f64 / w >= 0.35 && (self.bad_marked as f64 / (self.marked.max(1)) as f64) < 0.08 && (self.mixed as f64 / w) < 0.01
    }

    pub fn kind(&self) -> TextKind {
        if self.words < 8 {
            return TextKind::Clean;
        }
        let w = self.words as f64;
        let marked = self.marked as f64 / w;
        let bad = self.bad_marked as f64 / (self.marked.max(1)) as f64;
        let mixed = self.mixed as f64 / w;
        let plain_viet = self.plain_viet as f64 / w;
        if marked >= 0.35 && bad < 0.08 && mixed < 0.01 {
            TextKind::Clean
        } else if bad >= 0.08 || mixed >= 0.01 {
            if plain_viet + marked > 0.5 {
                TextKind::Ocr
            } else {
                TextKind::Clean
            }
        } else if plain_viet >= 0.5 {
            TextKind::Stripped
        } else {
            TextKind::Clean
        }
    }
}
