//! Personal names as word classes of the language model.
//!
//! A Vietnamese personal name is a surname, usually a middle name, and a given name, each
//! one syllable ("Nguyễn Thị Vân Anh"). Name syllables follow no word's n-gram statistics
//! ("Thục Hiền" is not "thực hiện"), so the LM sees a name as a sequence of three token
//! classes: [`SURNAME`], [`NAME2`] (the syllable after the surname: mostly a middle name,
//! in two-syllable names the given name) and [`NAME3`] (later syllables: given names).
//! A class emits its form with a probability from `rules/restore/names.txt` (roles and
//! rough frequencies written from common knowledge):
//!
//! ```text
//! P(form | SURNAME) = w_S(form) / ΣS
//! P(form | NAME2)   = 0.85 · w_M(form) / ΣM + 0.15 · w_G(form) / ΣG   (most names have a middle name)
//! P(form | NAME3)   = w_G(form) / ΣG
//! ```
//!
//! Training labels the names of the diacritized text by their exact forms
//! ([`NameTable::label`]); decoding offers, for every capitalized token, the name readings of
//! its candidate forms beside the word readings, and the LM (what precedes a name: "ông",
//! "đồng chí", a signature block, a table cell) decides between them.

use super::lexicon::{canonical_lower, Lexicon, NAME2, NAME3, SURNAME};
use rustc_hash::FxHashMap;

/// Share of names whose second syllable is a middle name (the rest: two-syllable names).
const MIDDLE_SHARE: f64 = 0.85;

/// Role weights of the name syllables (`names.txt`), by lowercase form.
#[derive(Debug, Default, Clone)]
pub struct Names {
    surname: FxHashMap<String, f64>,
    middle: FxHashMap<String, f64>,
    given: FxHashMap<String, f64>,
}

impl Names {
    /// Parses `ROLE FORM WEIGHT` lines (`#` starts a comment); malformed lines are skipped.
    pub fn parse(text: &str) -> Names {
        let mut n = Names::default();
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
            let mut f = line.split_whitespace();
            let (Some(role), Some(form), Some(w)) = (f.next(), f.next(), f.next()) else { continue };
            let Ok(w) = w.parse::<f64>() else { continue };
            if !(w > 0.0 && w.is_finite()) {
                continue;
            }
            let map = match role {
                "S" => &mut n.surname,
                "M" => &mut n.middle,
                "G" => &mut n.given,
                _ => continue,
            };
            *map.entry(canonical_lower(form)).or_default() += w;
        }
        n
    }

    /// Every listed form, sorted (to add to the lexicon in a fixed order).
    pub fn forms(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.surname.keys().chain(self.middle.keys()).chain(self.given.keys()).map(String::as_str).collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// The tables over lexicon ids.
    pub fn table(&self, lex: &Lexicon) -> NameTable {
        let total = |m: &FxHashMap<String, f64>| m.values().sum::<f64>().max(1e-9);
        let (ts, tm, tg) = (total(&self.surname), total(&self.middle), total(&self.given));
        let mut t = NameTable::default();
        let ids = |m: &FxHashMap<String, f64>| -> FxHashMap<u32, f64> {
            m.iter().filter_map(|(f, &w)| lex.id(f).map(|id| (id, w))).collect()
        };
        let (s, m, g) = (ids(&self.surname), ids(&self.middle), ids(&self.given));
        for (&id, &w) in &s {
            t.cost[0].insert(id, -(w / ts).ln());
        }
        for id in m.keys().chain(g.keys()) {
            let p = MIDDLE_SHARE * m.get(id).map_or(0.0, |w| w / tm) + (1.0 - MIDDLE_SHARE) * g.get(id).map_or(0.0, |w| w / tg);
            t.cost[1].insert(*id, -p.ln());
        }
        for (&id, &w) in &g {
            t.cost[2].insert(id, -(w / tg).ln());
        }
        t.surname = s;
        t.middle = m;
        t.given = g;
        t
    }
}

/// Name classes over lexicon ids: emission costs and role weights.
#[derive(Debug, Default, Clone)]
pub struct NameTable {
    /// −ln P(form | class) for [`SURNAME`], [`NAME2`], [`NAME3`].
    cost: [FxHashMap<u32, f64>; 3],
    surname: FxHashMap<u32, f64>,
    middle: FxHashMap<u32, f64>,
    given: FxHashMap<u32, f64>,
}

/// The classes, in the order of [`NameTable::readings`].
pub const CLASSES: [u32; 3] = [SURNAME, NAME2, NAME3];

/// Whether a token may be (part of) a name: a capital, then lowercase ("Nguyễn"; a name in
/// capitals, "NGUYỄN", is left to the word model: headings are in capitals too).
pub fn name_cased(text: &str) -> bool {
    let mut cs = text.chars();
    cs.next().is_some_and(char::is_uppercase) && cs.any(char::is_lowercase)
}

impl NameTable {
    /// The name readings of form `id`: (class, −ln P(form | class)).
    pub fn readings(&self, id: u32) -> impl Iterator<Item = (u32, f64)> + '_ {
        CLASSES.iter().zip(&self.cost).filter_map(move |(&c, m)| m.get(&id).map(|&cost| (c, cost)))
    }

    /// −ln P(form | class), if `id` is a name of that class.
    pub fn cost(&self, class: u32, id: u32) -> Option<f64> {
        CLASSES.iter().position(|&c| c == class).and_then(|k| self.cost[k].get(&id).copied())
    }

    /// Whether form `id` is a listed given or middle name.
    pub fn is_given(&self, id: u32) -> bool {
        self.given.contains_key(&id) || self.middle.contains_key(&id)
    }

    pub fn is_empty(&self) -> bool {
        self.cost.iter().all(FxHashMap::is_empty)
    }

    /// Replaces, in a training id sequence, the syllables of personal names by their
    /// classes. `cased[k]`: whether token k is [`name_cased`]. A name is a listed surname
    /// followed by one to three listed middle/given names, all capitalized; a listed
    /// surname after two or more syllables starts the next name when it is no given name
    /// or a frequent middle name ("Văn", "Thị") follows ("Lê Văn Thức Đỗ Văn Thanh").
    pub fn label(&self, ids: &mut [u32], cased: &[bool]) {
        let n = ids.len().min(cased.len());
        let is_s = |k: usize| cased[k] && self.surname.contains_key(&ids[k]);
        let is_m = |k: usize| cased[k] && self.middle.contains_key(&ids[k]);
        let is_g = |k: usize| cased[k] && self.given.contains_key(&ids[k]);
        let strong_middle = |k: usize| cased[k] && self.middle.get(&ids[k]).is_some_and(|&w| w >= 10.0);
        let mut out: Vec<Option<u32>> = vec![None; n];
        let mut i = 0;
        while i < n {
            if !(is_s(i) && i + 1 < n && (is_m(i + 1) || is_g(i + 1))) {
                i += 1;
                continue;
            }
            out[i] = Some(SURNAME);
            out[i + 1] = Some(NAME2);
            let mut j = i + 2;
            while j < n && j - i < 4 && is_g(j) {
                let next_name = j + 1 < n && is_s(j) && (!self.given.contains_key(&ids[j]) || strong_middle(j + 1));
                if next_name {
                    break;
                }
                out[j] = Some(NAME3);
                j += 1;
            }
            i = j;
        }
        for (id, o) in ids.iter_mut().zip(out) {
            if let Some(c) = o {
                *id = c;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_labelled_and_scored() {
        let names = Names::parse("# c\nS Lê 9\nS Đỗ 1\nM Văn 30\nM Thị 30\nG Thức 1\nG Thanh 2\nG Vân 1\nX bad 1\nG Bad x\n");
        let mut lex = Lexicon::new();
        for w in ["lê", "đỗ", "văn", "thị", "thức", "thanh", "vân", "báo", "cáo"] {
            lex.add(w);
        }
        let t = names.table(&lex);
        let id = |w: &str| lex.id(w).unwrap();
        // "Lê Văn Thức Đỗ Văn Thanh Báo cáo": two names, then words.
        let mut ids: Vec<u32> = ["lê", "văn", "thức", "đỗ", "văn", "thanh", "báo", "cáo"].iter().map(|w| id(w)).collect();
        let cased = [true, true, true, true, true, true, true, false];
        t.label(&mut ids, &cased);
        assert_eq!(&ids[..6], &[SURNAME, NAME2, NAME3, SURNAME, NAME2, NAME3]);
        assert_eq!(ids[6], id("báo"));
        // Not capitalized: no name.
        let mut ids = vec![id("lê"), id("văn")];
        t.label(&mut ids, &[false, false]);
        assert_eq!(ids, vec![id("lê"), id("văn")]);
        // Readings: "văn" after a surname is likely, later unlikely (no given name).
        let r: Vec<(u32, f64)> = t.readings(id("văn")).collect();
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].0, NAME2);
        assert!(t.readings(id("vân")).any(|(c, _)| c == NAME3));
        assert!(name_cased("Nguyen") && !name_cased("LÊ") && !name_cased("A") && !name_cased("le"));
    }
}
