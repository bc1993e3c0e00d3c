//! Vietnamese diacritic restoration and OCR repair (a noisy-channel decoder).
//!
//! ```text
//! token ─skeleton / OCR variants→ candidate syllables ─channel cost + trigram LM→ Viterbi
//! ```
//! * [`syllables`]: the syllable inventory generated from the spelling rules;
//! * [`lexicon`]: attested forms (Viet74K word list + training text) and the skeleton index;
//! * [`lm`]: syllable trigram LM, interpolated Kneser-Ney;
//! * [`channel`]: OCR confusions learned from OCR/clean pairs plus `rules/ocr_confusions.toml`;
//! * [`decode`]: second-order Viterbi (beam-pruned); on OCR text a second pass adds a
//!   document cache (unigrams and bigrams of the first pass), so a name decoded well in
//!   most places wins where the OCR is worst;
//! * [`detect`]: clean / stripped / OCR-noisy, so that clean text is never touched.
//!
//! The default model is built at first use from text the crate ships (deterministic).

pub mod channel;
pub mod decode;
pub mod detect;
pub mod eval;
pub mod lexicon;
pub mod lm;
pub mod syllables;
pub mod tokens;

use super::mapped::{MChar, MappedStr};
use super::unicode::ToneStyle;
pub use channel::{Channel, ConfusionRules};
use decode::{viterbi, Cand};
pub use detect::TextKind;
use lexicon::{canonical_lower, skeleton, Lexicon, BOS, FIRST_FORM, NUM, OTHER, PUNCT};
use lm::{Lm, TrigramCounts};
use once_cell::sync::Lazy;
use regex::Regex;
use rustc_hash::{FxHashMap, FxHashSet};
use std::cell::RefCell;
use tokens::{tokenize, Kind as TokKind};

/// Diacritized training text shipped with the crate: the clean corpus plans.
pub const TRAINING_TEXTS: &[&str] = &[
    include_str!("../../../corpus/000_02e69c9bc29ccf5a.txt"),
    include_str!("../../../corpus/002_b1327e20565ee258.txt"),
    include_str!("../../../corpus/003_c190c98b621f42d7.txt"),
    include_str!("../../../corpus/004_ff0ca8bcd500a04a.txt"),
];
/// The Viet74K word list (underthesea 9.5.0, Apache-2.0).
pub const WORD_LIST: &str = include_str!("../../../rules/restore/Viet74K.txt");
/// OCR channel costs learned from the OCR/clean pairs (`kehoach restore-learn`).
pub const LEARNED_CHANNEL: &str = include_str!("../../../rules/restore/ocr_channel.tsv");
/// Syllables of personal names (a prior for capitalized words inside a line).
pub const NAMES: &str = include_str!("../../../rules/restore/names.txt");
pub const CONFUSION_RULES: &str = include_str!("../../../rules/ocr_confusions.toml");

/// Weights of the decoder.
#[derive(Debug, Clone, Copy)]
pub struct Weights {
    /// Multiplies channel costs (−ln P) against LM log-probabilities.
    pub channel: f64,
    /// Cost of keeping an OCR token that is no syllable as it is.
    pub keep: f64,
    /// Candidates kept per OCR token.
    pub max_cands: usize,
    /// Weight of the capitalized-form prior.
    pub cap: f64,
    /// Interpolation weight of the document cache (second pass, OCR text only).
    pub cache: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights { channel: 1.0, keep: 7.0, max_cands: 14, cap: 1.0, cache: 0.15 }
    }
}

pub struct Model {
    pub lex: Lexicon,
    pub lm: Lm,
    pub channel: Channel,
    pub weights: Weights,
    structure: Vec<(Regex, String)>,
    keep: FxHashSet<String>,
    /// Folded abbreviation → its spelling ("cds" → "CĐS"), for OCR that lost the Đ.
    abbreviations: FxHashMap<String, String>,
    /// Training frequency of each form (for the most-frequent-form baseline).
    pub freq: Vec<u32>,
    /// How often each form was written capitalized (names, agencies, line starts).
    cap: Vec<f32>,
}

fn is_marked(lower: &str) -> bool {
    lower != skeleton(lower)
}

/// The LM id sequence of a text (one line a slice of chars).
fn ids_of_lines(lex: &Lexicon, lines: &[Vec<char>]) -> Vec<u32> {
    let mut ids = vec![BOS, BOS];
    for chars in lines {
        for t in tokenize(chars) {
            ids.push(match t.kind {
                TokKind::Word => lex.id(&canonical_lower(&t.text)).unwrap_or(OTHER),
                TokKind::Num => NUM,
                TokKind::Punct => PUNCT,
                TokKind::Mixed | TokKind::Other => OTHER,
            });
        }
    }
    ids
}

/// Normalized lines of a raw text, as the pipeline sees them.
pub fn text_lines(text: &str) -> Vec<Vec<char>> {
    super::layout::clean_lines(text, ToneStyle::Traditional).iter().map(|l| l.chars.iter().map(|m| m.c).collect()).collect()
}

impl Model {
    /// Trains a model on diacritized texts (raw plan text), a word list, and learned
    /// OCR channel costs.
    pub fn train(texts: &[&str], word_list: Option<&str>, channel: Channel, rules: &ConfusionRules) -> Model {
        let mut lex = Lexicon::new();
        if let Some(wl) = word_list {
            lex.add_word_list(wl);
        }
        let docs: Vec<Vec<Vec<char>>> = texts.iter().map(|t| text_lines(t)).collect();
        for doc in &docs {
            for line in doc {
                for t in tokenize(line) {
                    if t.kind == TokKind::Word {
                        lex.add(&t.text);
                    }
                }
            }
        }
        lex.finish();
        let mut cap = vec![0f32; lex.len()];
        for doc in &docs {
            for line in doc {
                for t in tokenize(line).iter() {
                    if t.kind == TokKind::Word && is_capitalized(&t.text) {
                        if let Some(id) = lex.id(&canonical_lower(&t.text)) {
                            cap[id as usize] += 1.0;
                        }
                    }
                }
            }
        }
        for name in NAMES.lines().filter(|l| !l.starts_with('#')).flat_map(str::split_whitespace) {
            if let Some(id) = lex.id(&canonical_lower(name)) {
                cap[id as usize] += 10.0;
            }
        }
        let mut counts = TrigramCounts::default();
        let mut freq = vec![0u32; lex.len()];
        for doc in &docs {
            let ids = ids_of_lines(&lex, doc);
            for &i in &ids {
                freq[i as usize] += 1;
            }
            counts.add_sequence(&ids);
        }
        if let Some(wl) = word_list {
            for line in wl.lines() {
                let ids: Option<Vec<u32>> = line.split([' ', '-']).map(|s| lex.id(&canonical_lower(s))).collect();
                if let Some(ids) = ids {
                    if ids.len() >= 2 {
                        counts.add_word(&ids);
                    }
                }
            }
        }
        let lm = Lm::build(&counts, lex.len());
        let structure = rules
            .structure
            .iter()
            .filter_map(|r| Regex::new(&r.pattern).ok().map(|re| (re, r.replace.clone())))
            .collect();
        let keep = rules.keep.iter().map(|k| k.to_lowercase()).collect();
        let abbreviations = rules.abbreviations.iter().map(|a| (crate::fold::fold(a), a.clone())).collect();
        Model { lex, lm, channel, weights: Weights::default(), structure, keep, abbreviations, freq, cap }
    }

    /// The model built from the data shipped with the crate (built once, at first use).
    pub fn shipped() -> &'static Model {
        static MODEL: Lazy<Model> = Lazy::new(|| {
            let rules = confusion_rules();
            let channel = Channel::from_tsv(LEARNED_CHANNEL, &rules);
            Model::train(TRAINING_TEXTS, Some(WORD_LIST), channel, &rules)
        });
        &MODEL
    }

    /// Classifies lines of text.
    pub fn detect(&self, lines: &[MappedStr]) -> TextKind {
        let chars: Vec<Vec<char>> = lines.iter().map(|l| l.chars.iter().map(|m| m.c).collect()).collect();
        detect::stats(chars.iter().map(Vec::as_slice), &self.lex).kind()
    }

    fn keep_token(&self, text: &str) -> bool {
        if text.chars().count() >= 2 && text.chars().all(char::is_uppercase) && self.abbreviations.contains_key(&crate::fold::fold(text)) {
            return true;
        }
        // Mixed case inside a word (IoT, VNeID) or a protected word (English, brands).
        let mut seen_lower = false;
        for c in text.chars() {
            if c.is_lowercase() {
                seen_lower = true;
            } else if c.is_uppercase() && seen_lower {
                return true;
            }
        }
        self.keep.contains(&text.to_lowercase())
    }

    /// Candidates for one word token.
    fn candidates(&self, text: &str, kind: TextKind) -> Vec<Cand> {
        let keep_other = || vec![Cand { id: OTHER, cost: 0.0, form: None }];
        if self.keep_token(text) {
            return keep_other();
        }
        let lower = canonical_lower(text);
        let own = self.lex.id(&lower);
        let unchanged = || match own {
            Some(id) => vec![Cand { id, cost: 0.0, form: None }],
            None => keep_other(),
        };
        match kind {
            TextKind::Clean => unchanged(),
            TextKind::Stripped => {
                if is_marked(&lower) || lower.chars().any(|c| !c.is_alphabetic()) {
                    return unchanged();
                }
                let c = self.lex.candidates(&lower);
                if c.is_empty() {
                    return unchanged();
                }
                c.iter().map(|&id| Cand { id, cost: 0.0, form: Some(id) }).collect()
            }
            TextKind::Ocr => self.ocr_candidates(&lower, own),
        }
    }

    fn ocr_candidates(&self, lower: &str, own: Option<u32>) -> Vec<Cand> {
        let noisy: Vec<char> = lower.chars().collect();
        if noisy.len() > 9 {
            return match own {
                Some(id) => vec![Cand { id, cost: 0.0, form: None }],
                None => vec![Cand { id: OTHER, cost: 0.0, form: None }],
            };
        }
        let edits = if noisy.len() >= 4 { 3 } else { 2 };
        let variants = self.channel.variants(&noisy, edits, &|s: &str| self.lex.has_skeleton(s));
        let mut scored: FxHashMap<u32, f64> = FxHashMap::default();
        for (skel, _) in variants.iter().take(8) {
            for &id in self.lex.candidates(skel) {
                let form: Vec<char> = self.lex.form(id).chars().collect();
                let c = self.channel.token_cost(&form, &noisy) as f64;
                let e = scored.entry(id).or_insert(c);
                *e = e.min(c);
            }
        }
        let w = self.weights.channel;
        // Keep the candidates most likely a priori: channel cost and unigram prior.
        let mut v: Vec<(u32, f64, f64)> = scored.into_iter().map(|(id, c)| (id, c, w * c - self.lm.log_unigram(id))).collect();
        v.sort_by(|a, b| a.2.total_cmp(&b.2).then(a.0.cmp(&b.0)));
        v.truncate(self.weights.max_cands);
        let mut out: Vec<Cand> = v.into_iter().map(|(id, c, _)| Cand { id, cost: w * c, form: Some(id) }).collect();
        if own.is_none() {
            // Letters mixed with digits or symbols are rarely right as printed.
            let mixed = noisy.iter().any(|c| !c.is_alphabetic());
            let keep = if mixed { 2.0 * self.weights.keep } else { self.weights.keep };
            out.push(Cand { id: OTHER, cost: keep, form: None });
        }
        out
    }

    /// Restores lines in place; returns whether anything changed.
    pub fn restore_lines(&self, lines: &mut [MappedStr], kind: TextKind) -> bool {
        if kind == TextKind::Clean {
            return false;
        }
        let mut changed = false;
        if kind == TextKind::Ocr {
            for line in lines.iter_mut() {
                let before = line.as_string();
                fix_roman(line);
                for (re, rep) in &self.structure {
                    line.replace_regex(re, |caps| {
                        let mut s = String::new();
                        caps.expand(rep, &mut s);
                        s
                    });
                }
                changed |= line.as_string() != before;
            }
        }
        // Tokens of the whole text, so context runs across wrapped lines.
        let mut toks: Vec<(usize, tokens::Token)> = Vec::new();
        for (li, line) in lines.iter().enumerate() {
            let chars: Vec<char> = line.chars.iter().map(|m| m.c).collect();
            toks.extend(tokenize(&chars).into_iter().map(|t| (li, t)));
        }
        let cache: RefCell<FxHashMap<String, Vec<Cand>>> = RefCell::new(FxHashMap::default());
        let positions: Vec<Vec<Cand>> = toks
            .iter()
            .map(|(_, t)| match t.kind {
                TokKind::Num => vec![Cand { id: NUM, cost: 0.0, form: None }],
                TokKind::Punct => vec![Cand { id: PUNCT, cost: 0.0, form: None }],
                TokKind::Other => vec![Cand { id: OTHER, cost: 0.0, form: None }],
                TokKind::Mixed if kind != TextKind::Ocr => vec![Cand { id: OTHER, cost: 0.0, form: None }],
                TokKind::Word | TokKind::Mixed => {
                    let cached = cache.borrow().get(&t.text).cloned();
                    let mut c = match cached {
                        Some(c) => c,
                        None => {
                            let c = self.candidates(&t.text, kind);
                            cache.borrow_mut().insert(t.text.clone(), c.clone());
                            c
                        }
                    };
                    // Capitalized: a name, an agency or a line start; prefer forms
                    // written capitalized before.
                    if c.len() > 1 && is_capitalized(&t.text) {
                        let cap = |cd: &Cand| cd.form.map_or(0.0, |f| self.cap[f as usize] as f64);
                        let total: f64 = c.iter().map(cap).sum::<f64>() + 0.2 * c.len() as f64;
                        for cd in c.iter_mut() {
                            cd.cost -= self.weights.cap * ((cap(cd) + 0.2) / total).ln();
                        }
                    }
                    c
                }
            })
            .collect();
        let mut best = viterbi(&self.lm, BOS, &positions);
        if kind == TextKind::Ocr && self.weights.cache > 0.0 {
            let ids: Vec<u32> = best.iter().enumerate().map(|(k, &b)| positions[k][b].id).collect();
            let cache = decode::Cache::from_ids(&ids, FIRST_FORM, self.weights.cache);
            best = decode::viterbi_cached(&self.lm, BOS, &positions, Some(&cache));
        }
        // Edits per line, applied from the end so char indices stay valid.
        let mut edits: Vec<(usize, usize, usize, String)> = Vec::new();
        for (k, (li, t)) in toks.iter().enumerate() {
            if kind == TextKind::Ocr && t.text.chars().count() >= 2 && t.text.chars().all(|c| c.is_uppercase()) {
                if let Some(a) = self.abbreviations.get(&crate::fold::fold(&t.text)) {
                    if *a != t.text {
                        edits.push((*li, t.start, t.end, a.clone()));
                    }
                    continue;
                }
            }
            let cand = &positions[k][best[k]];
            if let Some(f) = cand.form {
                let out = apply_case(&t.text, self.lex.form(f));
                if out != t.text {
                    edits.push((*li, t.start, t.end, out));
                }
            }
        }
        for (li, a, b, out) in edits.into_iter().rev() {
            replace_aligned(&mut lines[li], a, b, &out);
            changed = true;
        }
        changed
    }

    /// Restores a whole text (lines split on '\n'); for evaluation and the CLI.
    pub fn restore_text(&self, text: &str, kind: TextKind) -> String {
        let mut lines: Vec<MappedStr> = text.split('\n').map(|l| MappedStr::from_source(l, 0)).collect();
        self.restore_lines(&mut lines, kind);
        lines.iter().map(|l| l.as_string()).collect::<Vec<_>>().join("\n")
    }

    /// Most frequent training form of a skeleton (the baseline).
    pub fn most_frequent(&self, skel: &str) -> Option<u32> {
        self.lex.candidates(skel).iter().copied().max_by_key(|&id| (self.freq.get(id as usize).copied().unwrap_or(0), std::cmp::Reverse(id)))
    }
}

/// The hand rules of `rules/ocr_confusions.toml`.
pub fn confusion_rules() -> ConfusionRules {
    crate::rules::parse_toml(CONFUSION_RULES, "rules/ocr_confusions.toml").unwrap_or_default()
}

/// Roman numerals at line start as English OCR prints them: "|." "Il." "IIl." "I11."
/// "Vl." (a "1" only after a first I-like stroke, so "1." and "11." stay Arabic).
fn fix_roman(line: &mut MappedStr) {
    static ROMAN: Lazy<Regex> = Lazy::new(|| Regex::new(r"^([Il|][Il|1]{0,2}|[Il|]?V|V[Il|1]{1,3})([.:])(\s|$)").unwrap());
    line.replace_regex(&ROMAN, |c| {
        let num: String = c[1].chars().map(|ch| if ch == 'V' { 'V' } else { 'I' }).collect();
        format!("{num}{}{}", &c[2], &c[3])
    });
}

/// First letter uppercase, some later letter lowercase ("Nguyen", not "UBND").
fn is_capitalized(text: &str) -> bool {
    let mut cs = text.chars();
    cs.next().is_some_and(char::is_uppercase) && cs.any(char::is_lowercase)
}

/// Gives `form` (lowercase) the case pattern of `original`.
pub fn apply_case(original: &str, form: &str) -> String {
    let letters: Vec<char> = original.chars().filter(|c| c.is_alphabetic()).collect();
    let upper = letters.iter().filter(|c| c.is_uppercase()).count();
    if letters.len() >= 2 && upper == letters.len() {
        return form.to_uppercase();
    }
    // "Ién" is "lên": an I read for an l is no capital.
    if original.starts_with(['I', '|']) && form.starts_with('l') {
        return form.to_string();
    }
    let first_upper = original.chars().next().is_some_and(|c| c.is_uppercase() || (!c.is_alphabetic() && upper > 0));
    if first_upper {
        let mut cs = form.chars();
        match cs.next() {
            Some(f) => f.to_uppercase().chain(cs).collect(),
            None => String::new(),
        }
    } else {
        form.to_string()
    }
}

/// Replaces chars `a..b` of a line, keeping per-char source alignment when the
/// replacement has the same length.
fn replace_aligned(line: &mut MappedStr, a: usize, b: usize, out: &str) {
    let new: Vec<char> = out.chars().collect();
    if new.len() == b - a {
        for (k, c) in new.into_iter().enumerate() {
            line.chars[a + k] = MChar { c, ..line.chars[a + k] };
        }
    } else {
        line.replace_chars(a, b, out);
    }
}

/// Restores normalized lines according to `mode`; returns whether anything changed.
pub fn restore(lines: &mut [MappedStr], mode: super::RestoreMode) -> bool {
    use super::RestoreMode;
    if mode == RestoreMode::Never || lines.is_empty() {
        return false;
    }
    let model = Model::shipped();
    let kind = model.detect(lines);
    let kind = match (mode, kind) {
        (RestoreMode::Always, TextKind::Clean) => TextKind::Stripped,
        (_, k) => k,
    };
    model.restore_lines(lines, kind)
}

#[cfg(test)]
mod tests;

