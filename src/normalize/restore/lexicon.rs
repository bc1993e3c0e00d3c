//! The lexicon: syllable forms (lowercase NFC, traditional tone placement) with ids, and
//! the skeleton index (folded form → every attested form with that skeleton).
//!
//! Forms come from the generated inventory ([`super::syllables`]) intersected with what is
//! attested: the Viet74K word list (underthesea, Apache-2.0; see rules/restore/PROVENANCE.md)
//! and the diacritized training text.

use super::syllables::is_syllable;
use crate::fold::fold;
use crate::normalize::unicode::{place_tone, ToneStyle};
use rustc_hash::FxHashMap;
use unicode_normalization::UnicodeNormalization;

/// Ids below [`FIRST_FORM`] are token classes, not syllables.
pub const BOS: u32 = 0;
pub const NUM: u32 = 1;
pub const PUNCT: u32 = 2;
pub const OTHER: u32 = 3;
/// Name classes ([`super::names`]): a surname, the syllable after it, a later syllable.
pub const SURNAME: u32 = 4;
pub const NAME2: u32 = 5;
pub const NAME3: u32 = 6;
pub const FIRST_FORM: u32 = 7;

#[derive(Debug, Default, Clone)]
pub struct Lexicon {
    forms: Vec<String>,
    ids: FxHashMap<String, u32>,
    by_skeleton: FxHashMap<String, Vec<u32>>,
}

/// Lowercase, NFC, traditional tone placement.
pub fn canonical_lower(word: &str) -> String {
    let lower: String = word.nfc().flat_map(char::to_lowercase).collect();
    place_tone(&lower, ToneStyle::Traditional)
}

/// The skeleton of a syllable: no diacritics, lowercase, đ → d.
pub fn skeleton(word: &str) -> String {
    fold(word)
}

impl Lexicon {
    pub fn new() -> Lexicon {
        let mut lex = Lexicon::default();
        for _ in 0..FIRST_FORM {
            lex.forms.push(String::new());
        }
        lex
    }

    /// A lexicon of `forms` (id order; the first [`FIRST_FORM`] are the token classes),
    /// as stored by [`Lexicon::forms`].
    pub fn from_forms(forms: Vec<String>) -> Lexicon {
        let mut ids = FxHashMap::with_capacity_and_hasher(forms.len(), Default::default());
        let mut by_skeleton: FxHashMap<String, Vec<u32>> = FxHashMap::with_capacity_and_hasher(forms.len(), Default::default());
        for (id, f) in forms.iter().enumerate().skip(FIRST_FORM as usize) {
            ids.insert(f.clone(), id as u32);
            by_skeleton.entry(skeleton(f)).or_default().push(id as u32);
        }
        Lexicon { forms, ids, by_skeleton }
    }

    /// Every form, in id order.
    pub fn forms(&self) -> &[String] {
        &self.forms
    }

    /// Adds a form if it is a possible syllable; returns its id.
    pub fn add(&mut self, word: &str) -> Option<u32> {
        let w = canonical_lower(word);
        if let Some(&id) = self.ids.get(&w) {
            return Some(id);
        }
        if !is_syllable(&w) {
            return None;
        }
        let id = self.forms.len() as u32;
        self.by_skeleton.entry(skeleton(&w)).or_default().push(id);
        self.ids.insert(w.clone(), id);
        self.forms.push(w);
        Some(id)
    }

    /// Adds every syllable of a word list (one entry a line, syllables separated by
    /// spaces or hyphens).
    pub fn add_word_list(&mut self, text: &str) {
        for line in text.lines() {
            for syl in line.split([' ', '-']) {
                if !syl.is_empty() && syl.chars().all(char::is_alphabetic) {
                    self.add(syl);
                }
            }
        }
    }

    pub fn id(&self, lower: &str) -> Option<u32> {
        self.ids.get(lower).copied()
    }

    pub fn form(&self, id: u32) -> &str {
        &self.forms[id as usize]
    }

    /// Attested forms whose skeleton is `skel`.
    pub fn candidates(&self, skel: &str) -> &[u32] {
        self.by_skeleton.get(skel).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn has_skeleton(&self, skel: &str) -> bool {
        self.by_skeleton.contains_key(skel)
    }

    pub fn len(&self) -> usize {
        self.forms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.forms.len() <= FIRST_FORM as usize
    }

    /// Sorts each skeleton's candidates (determinism does not depend on insertion order).
    pub fn finish(&mut self) {
        for v in self.by_skeleton.values_mut() {
            v.sort_unstable();
        }
    }
}
