//! The trained model as data: what training produces (forms, counts) and its compact,
//! deterministic binary form (`rules/restore/model.bin`, written by
//! `kehoach restore-model`, embedded with `include_bytes!`).
//!
//! Only integers are stored (forms, frequencies, n-gram counts), so the file is the same
//! on every platform; the floating-point tables of the LM are computed when it is loaded
//! (a few milliseconds). Layout, all integers LEB128 varints:
//!
//! ```text
//! "KHRM" version
//! n_forms (form: len, UTF-8 bytes)…          ids FIRST_FORM.. in order
//! freq[n]  cap[n]                            per id, token classes included
//! n_tri  (key delta, count)…                 trigram keys (k3), sorted
//! n_bi   (key delta, count)…                 bigram keys (k2), sorted
//! ```

use super::lexicon::{canonical_lower, Lexicon, BOS, FIRST_FORM, NUM, OTHER, PUNCT};
use super::lm::TrigramCounts;
use super::tokens::{tokenize, Kind as TokKind};

const MAGIC: &[u8; 4] = b"KHRM";
const VERSION: u8 = 2;

/// A trained model before its tables are built.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ModelData {
    /// Forms by id (the first [`FIRST_FORM`] are token classes, empty).
    pub forms: Vec<String>,
    /// Training frequency of each id.
    pub freq: Vec<u32>,
    /// Capitalized occurrences of each id.
    pub cap: Vec<u32>,
    /// Trigram counts of the running text, sorted by key.
    pub tri: Vec<(u64, u32)>,
    /// Bigram counts (running text plus word-list pairs), sorted by key.
    pub bi: Vec<(u64, u32)>,
}

/// First letter uppercase, some later letter lowercase ("Nguyen", not "UBND").
pub(super) fn is_capitalized(text: &str) -> bool {
    let mut cs = text.chars();
    cs.next().is_some_and(char::is_uppercase) && cs.any(char::is_lowercase)
}

/// How a word token is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Case {
    /// Not a word, or no capital first letter.
    Lower,
    /// Capital first letter and a later lowercase one ([`is_capitalized`]).
    Capitalized,
    /// Otherwise a capital first letter ("LÊ", "A").
    Upper,
}

/// The LM id sequence of a text (one line a slice of chars), and the case of each token.
pub(super) fn ids_of_lines(lex: &Lexicon, lines: &[Vec<char>]) -> (Vec<u32>, Vec<Case>) {
    let mut ids = vec![BOS, BOS];
    let mut cased = vec![Case::Lower, Case::Lower];
    for chars in lines {
        for t in tokenize(chars) {
            cased.push(match t.kind {
                TokKind::Word if is_capitalized(&t.text) => Case::Capitalized,
                TokKind::Word if t.text.chars().next().is_some_and(char::is_uppercase) => Case::Upper,
                _ => Case::Lower,
            });
            ids.push(match t.kind {
                TokKind::Word => lex.id(&canonical_lower(&t.text)).unwrap_or(OTHER),
                TokKind::Num => NUM,
                TokKind::Punct => PUNCT,
                TokKind::Mixed | TokKind::Other => OTHER,
            });
        }
    }
    (ids, cased)
}

impl ModelData {
    /// Trains on the text shipped with the crate: what `rules/restore/model.bin` holds.
    pub fn shipped_training() -> ModelData {
        ModelData::train(super::TRAINING_TEXTS, Some(super::WORD_LIST), super::NAMES)
    }

    /// Trains on diacritized texts (raw plan text), a word list and name syllables.
    pub fn train(texts: &[&str], word_list: Option<&str>, names: &str) -> ModelData {
        let mut lex = Lexicon::new();
        if let Some(wl) = word_list {
            lex.add_word_list(wl);
        }
        let names = super::names::Names::parse(names);
        for f in names.forms() {
            lex.add(f);
        }
        let docs: Vec<Vec<Vec<char>>> = texts.iter().map(|t| super::text_lines(t)).collect();
        let docs_tokens: Vec<Vec<Vec<super::tokens::Token>>> =
            docs.iter().map(|d| d.iter().map(|l| tokenize(l)).collect()).collect();
        for doc in &docs_tokens {
            for t in doc.iter().flatten() {
                if t.kind == TokKind::Word {
                    lex.add(&t.text);
                }
            }
        }
        lex.finish();
        let table = names.table(&lex);
        let mut cap = vec![0u32; lex.len()];
        let mut counts = TrigramCounts::default();
        let mut freq = vec![0u32; lex.len()];
        for doc in &docs {
            let (mut ids, cased) = ids_of_lines(&lex, doc);
            for &i in &ids {
                freq[i as usize] += 1;
            }
            let name_cased: Vec<bool> = cased.iter().map(|&c| c == Case::Capitalized).collect();
            table.label(&mut ids, &name_cased);
            // Capitalized words (agencies, line starts), names aside: the capitalization prior.
            for (&i, &c) in ids.iter().zip(&cased) {
                if c == Case::Capitalized && i >= FIRST_FORM {
                    cap[i as usize] += 1;
                }
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
        let (tri, bi) = counts.finish();
        ModelData { forms: lex.forms().to_vec(), freq, cap, tri, bi }
    }

    /// The compact binary form (deterministic: the same data gives the same bytes).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(1 << 20);
        out.extend_from_slice(MAGIC);
        out.push(VERSION);
        let forms = &self.forms[FIRST_FORM as usize..];
        put(&mut out, forms.len() as u64);
        for f in forms {
            put(&mut out, f.len() as u64);
            out.extend_from_slice(f.as_bytes());
        }
        for v in [&self.freq, &self.cap] {
            for &x in v.iter() {
                put(&mut out, x as u64);
            }
        }
        for table in [&self.tri, &self.bi] {
            put(&mut out, table.len() as u64);
            let mut last = 0u64;
            for &(k, c) in table.iter() {
                put(&mut out, k - last);
                put(&mut out, c as u64);
                last = k;
            }
        }
        out
    }

    /// Reads [`ModelData::to_bytes`] output.
    pub fn from_bytes(b: &[u8]) -> Result<ModelData, String> {
        if b.len() < 5 || &b[..4] != MAGIC {
            return Err("not a kehoach restoration model".into());
        }
        if b[4] != VERSION {
            return Err(format!("model version {} (expected {VERSION})", b[4]));
        }
        let mut r = Reader { b, at: 5 };
        let n = r.len()?;
        let mut forms = Vec::with_capacity(n + FIRST_FORM as usize);
        forms.resize(FIRST_FORM as usize, String::new());
        for _ in 0..n {
            let len = r.len()?;
            let bytes = r.b.get(r.at..r.at + len).ok_or("truncated form")?;
            r.at += len;
            forms.push(std::str::from_utf8(bytes).map_err(|e| e.to_string())?.to_string());
        }
        let vocab = forms.len();
        let mut freq = Vec::with_capacity(vocab);
        for _ in 0..vocab {
            freq.push(r.u32()?);
        }
        let mut cap = Vec::with_capacity(vocab);
        for _ in 0..vocab {
            cap.push(r.u32()?);
        }
        let mut tables = [Vec::new(), Vec::new()];
        for table in tables.iter_mut() {
            let n = r.len()?;
            table.reserve(n);
            let mut last = 0u64;
            for _ in 0..n {
                last = last.checked_add(r.u64()?).ok_or("bad key")?;
                table.push((last, r.u32()?));
            }
        }
        if r.at != b.len() {
            return Err("trailing bytes".into());
        }
        let [tri, bi] = tables;
        Ok(ModelData { forms, freq, cap, tri, bi })
    }
}

fn put(out: &mut Vec<u8>, mut x: u64) {
    loop {
        let byte = (x & 0x7F) as u8;
        x >>= 7;
        if x == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn u64(&mut self) -> Result<u64, String> {
        let mut x = 0u64;
        let mut shift = 0;
        loop {
            let byte = *self.b.get(self.at).ok_or("truncated model")?;
            self.at += 1;
            if shift >= 64 {
                return Err("bad varint".into());
            }
            x |= ((byte & 0x7F) as u64) << shift;
            if byte & 0x80 == 0 {
                return Ok(x);
            }
            shift += 7;
        }
    }
    fn u32(&mut self) -> Result<u32, String> {
        u32::try_from(self.u64()?).map_err(|_| "value out of range".to_string())
    }
    fn len(&mut self) -> Result<usize, String> {
        let n = self.u64()? as usize;
        if n > self.b.len() {
            return Err("bad length".into());
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_errors() {
        let d = ModelData {
            forms: vec![String::new(); FIRST_FORM as usize].into_iter().chain(["số".to_string(), "so".into()]).collect(),
            freq: vec![2, 0, 0, 1, 0, 0, 0, 5, 300],
            cap: vec![0, 0, 0, 0, 0, 0, 0, 10, 1],
            tri: vec![(3, 1), (1 << 40, 7)],
            bi: vec![(5, 2), (u64::MAX >> 1, 1)],
        };
        let b = d.to_bytes();
        assert_eq!(ModelData::from_bytes(&b).unwrap(), d);
        for cut in 0..b.len() {
            assert!(ModelData::from_bytes(&b[..cut]).is_err());
        }
        assert!(ModelData::from_bytes(b"KHRM\x09").is_err());
    }
}
