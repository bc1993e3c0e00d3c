//! The OCR channel: P(what the OCR printed | the real syllable), per character.
//!
//! Each char of the clean syllable becomes 0, 1 or 2 chars of OCR output ("ố" → "6",
//! "ủ" → "ti", "ư" → "uw", "u" → ""). Costs (−ln P) are learned from aligned OCR/clean
//! pairs ([`Channel::learn`]) and merged with the hand rules of `rules/ocr_confusions.toml`;
//! unseen pairs fall back to costs by kind (mark lost, mark wrong, other letter).
//! [`Channel::variants`] inverts the table to propose skeletons for a noisy token.

use crate::fold::fold_char;
use rustc_hash::FxHashMap;
use serde::Deserialize;

/// Up to two chars of OCR output, packed.
type Seg = u64;

fn seg(chars: &[char]) -> Seg {
    match chars {
        [] => 0,
        [a] => (*a as u64) << 32,
        [a, b, ..] => ((*a as u64) << 32) | *b as u64,
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct ConfusionRules {
    #[serde(default)]
    pub confusion: Vec<ConfusionRule>,
    #[serde(default)]
    pub structure: Vec<StructureRule>,
    #[serde(default)]
    pub keep: Vec<String>,
    #[serde(default)]
    pub abbreviations: Vec<String>,
}

/// One hand rule: the clean chars (any of) may come out of the OCR as `ocr`.
#[derive(Debug, Deserialize)]
pub struct ConfusionRule {
    pub clean: String,
    pub ocr: String,
    pub cost: f32,
}

/// A line-level repair of OCR'd structure (regex → replacement).
#[derive(Debug, Deserialize)]
pub struct StructureRule {
    pub pattern: String,
    pub replace: String,
}

#[derive(Debug, Clone, Default)]
pub struct Channel {
    /// (clean char, OCR seg) → cost.
    cost: FxHashMap<(char, Seg), f32>,
    /// OCR seg → (skeleton char or none, cost): for proposing candidates.
    reverse: FxHashMap<Seg, Vec<(Option<char>, f32)>>,
    /// Clean chars the OCR often drops: (skeleton char, cost).
    dropped: Vec<(char, f32)>,
}

fn seg_str(s: Seg) -> String {
    [(s >> 32) as u32, (s & 0xFFFF_FFFF) as u32].iter().filter(|&&u| u != 0).filter_map(|&u| char::from_u32(u)).collect()
}

/// Fallback cost of clean char `c` printed as `s`.
fn default_cost(c: char, s: &[char]) -> f32 {
    match s {
        [] => 7.0,
        [x] if *x == c => 0.0,
        [x] if fold_char(*x) == fold_char(c) => {
            if x.is_ascii() {
                1.2 // mark lost
            } else {
                2.0 // mark wrong
            }
        }
        [_] => 7.0,
        [x, y] if *x == c || *y == c => 5.0,
        _ => 9.0,
    }
}

const MAX_COST: f32 = 9.0;

/// Char-level alignment of `clean` (chars of a syllable) to `noisy`: the min cost and
/// the chosen segments.
fn align(clean: &[char], noisy: &[char], cost: &impl Fn(char, &[char]) -> f32) -> (f32, Vec<(char, Seg)>) {
    let (n, m) = (clean.len(), noisy.len());
    let inf = f32::INFINITY;
    let mut d = vec![inf; (n + 1) * (m + 1)];
    let mut back = vec![0u8; (n + 1) * (m + 1)];
    let at = |i: usize, j: usize| i * (m + 1) + j;
    d[0] = 0.0;
    // Leading noisy chars with no clean char: an expensive insertion.
    for j in 1..=m {
        d[at(0, j)] = d[at(0, j - 1)] + 8.0;
        back[at(0, j)] = 3;
    }
    for i in 1..=n {
        for j in 0..=m {
            let mut best = inf;
            let mut bk = 0;
            for l in 0..=2usize.min(j) {
                let prev = d[at(i - 1, j - l)];
                if prev == inf {
                    continue;
                }
                let c = prev + cost(clean[i - 1], &noisy[j - l..j]);
                if c < best {
                    best = c;
                    bk = l as u8;
                }
            }
            if j > 0 && d[at(i, j - 1)] + 8.0 < best {
                best = d[at(i, j - 1)] + 8.0;
                bk = 3;
            }
            d[at(i, j)] = best;
            back[at(i, j)] = bk;
        }
    }
    let mut path = Vec::new();
    let (mut i, mut j) = (n, m);
    while i > 0 {
        let bk = back[at(i, j)];
        if bk == 3 {
            j -= 1;
            continue;
        }
        let l = bk as usize;
        path.push((clean[i - 1], seg(&noisy[j - l..j])));
        i -= 1;
        j -= l;
    }
    path.reverse();
    (d[at(n, m)], path)
}

impl Channel {
    /// Cost of clean char `c` coming out as `s`.
    pub fn char_cost(&self, c: char, s: &[char]) -> f32 {
        let d = default_cost(c, s);
        match self.cost.get(&(c, seg(s))) {
            Some(&l) => l.min(d),
            None => d,
        }
    }

    /// −ln P(noisy | clean) for a whole token (both lowercase).
    pub fn token_cost(&self, clean: &[char], noisy: &[char]) -> f32 {
        align(clean, noisy, &|c, s| self.char_cost(c, s)).0
    }

    /// Learns char costs from (clean syllable, OCR token) pairs, both lowercase.
    pub fn learn(pairs: &[(String, String)], rules: &ConfusionRules) -> Channel {
        let mut ch = Channel::default();
        ch.add_rules(rules);
        let pairs: Vec<(Vec<char>, Vec<char>)> = pairs.iter().map(|(c, n)| (c.chars().collect(), n.chars().collect())).collect();
        // Two rounds: align with the current costs, re-estimate.
        for _round in 0..2 {
            let mut counts: FxHashMap<(char, Seg), f32> = FxHashMap::default();
            let mut totals: FxHashMap<char, f32> = FxHashMap::default();
            for (c, n) in &pairs {
                let (cost, path) = align(c, n, &|a, s| ch.char_cost(a, s));
                if cost > 14.0 {
                    continue; // not the same word
                }
                for (a, s) in path {
                    *counts.entry((a, s)).or_default() += 1.0;
                    *totals.entry(a).or_default() += 1.0;
                }
            }
            let mut learned = Channel::default();
            learned.add_rules(rules);
            for ((a, s), n) in counts {
                if n < 2.0 {
                    continue;
                }
                let t = totals[&a];
                let p = n / (t + 1.0);
                let l = -p.ln();
                let e = learned.cost.entry((a, s)).or_insert(l);
                *e = e.min(l);
            }
            learned.index();
            ch = learned;
        }
        ch
    }

    /// The learned costs as TSV lines: clean char, OCR output (may be empty), cost.
    pub fn to_tsv(&self) -> String {
        let mut rows: Vec<(char, Seg, f32)> = self.cost.iter().map(|(&(c, s), &l)| (c, s, l)).collect();
        rows.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut out = String::from("# clean\tocr\tcost (−ln P(ocr | clean)); generated by `kehoach restore-learn`\n");
        for (c, s, l) in rows {
            out.push_str(&format!("{c}\t{}\t{l:.3}\n", seg_str(s)));
        }
        out
    }

    /// Reads [`Channel::to_tsv`] output and merges the hand rules.
    pub fn from_tsv(tsv: &str, rules: &ConfusionRules) -> Channel {
        let mut ch = Channel::default();
        ch.add_rules(rules);
        for line in tsv.lines() {
            if line.starts_with('#') || line.is_empty() {
                continue;
            }
            let f: Vec<&str> = line.split('\t').collect();
            if f.len() != 3 {
                continue;
            }
            let (Some(c), Ok(l)) = (f[0].chars().next(), f[2].parse::<f32>()) else { continue };
            let s: Vec<char> = f[1].chars().collect();
            if s.len() > 2 {
                continue;
            }
            let e = ch.cost.entry((c, seg(&s))).or_insert(l);
            *e = e.min(l);
        }
        ch.index();
        ch
    }

    /// The hand rules only.
    pub fn from_rules(rules: &ConfusionRules) -> Channel {
        let mut ch = Channel::default();
        ch.add_rules(rules);
        ch.index();
        ch
    }

    fn add_rules(&mut self, rules: &ConfusionRules) {
        for r in &rules.confusion {
            let s: Vec<char> = r.ocr.chars().collect();
            if s.len() > 2 {
                continue;
            }
            for c in r.clean.chars() {
                let e = self.cost.entry((c, seg(&s))).or_insert(r.cost);
                *e = e.min(r.cost);
            }
        }
    }

    /// Builds the reverse table used to propose skeletons.
    fn index(&mut self) {
        let mut rev: FxHashMap<Seg, FxHashMap<Option<char>, f32>> = FxHashMap::default();
        let mut dropped: FxHashMap<char, f32> = FxHashMap::default();
        for (&(c, s), &l) in &self.cost {
            if l > 6.0 {
                continue;
            }
            let k = fold_char(c);
            if s == 0 {
                let e = dropped.entry(k).or_insert(l);
                *e = e.min(l);
                continue;
            }
            // Identity and plain mark loss need no proposal.
            let first = char::from_u32((s >> 32) as u32).unwrap_or('\0');
            if s & 0xFFFF_FFFF == 0 && fold_char(first) == k {
                continue;
            }
            let e = rev.entry(s).or_default().entry(Some(k)).or_insert(l);
            *e = e.min(l);
        }
        self.reverse = rev
            .into_iter()
            .map(|(s, m)| {
                let mut v: Vec<(Option<char>, f32)> = m.into_iter().collect();
                v.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
                (s, v)
            })
            .collect();
        let mut d: Vec<(char, f32)> = dropped.into_iter().collect();
        d.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        self.dropped = d;
    }

    /// Skeletons the noisy token (lowercase chars) may stand for, with a rough cost;
    /// `accept` says whether a skeleton is worth keeping (is in the lexicon).
    pub fn variants(&self, noisy: &[char], max_edits: usize, accept: &impl Fn(&str) -> bool) -> Vec<(String, f32)> {
        let mut out: FxHashMap<String, f32> = FxHashMap::default();
        let mut buf = String::new();
        self.walk(noisy, 0, &mut buf, 0.0, max_edits, true, accept, &mut out);
        let mut v: Vec<(String, f32)> = out.into_iter().collect();
        v.sort_by(|a, b| a.1.total_cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
        v
    }

    #[allow(clippy::too_many_arguments)]
    fn walk(
        &self,
        noisy: &[char],
        j: usize,
        buf: &mut String,
        cost: f32,
        edits: usize,
        may_insert: bool,
        accept: &impl Fn(&str) -> bool,
        out: &mut FxHashMap<String, f32>,
    ) {
        if cost > MAX_COST || buf.len() > 8 {
            return;
        }
        if j == noisy.len() {
            if !buf.is_empty() && accept(buf) {
                let e = out.entry(buf.clone()).or_insert(cost);
                *e = e.min(cost);
            }
            if may_insert && edits > 0 {
                for &(k, l) in &self.dropped {
                    buf.push(k);
                    self.walk(noisy, j, buf, cost + l, edits - 1, false, accept, out);
                    buf.pop();
                }
            }
            return;
        }
        let n = buf.len();
        let f = fold_char(noisy[j]);
        if f.is_ascii_lowercase() {
            buf.push(f);
            self.walk(noisy, j + 1, buf, cost, edits, may_insert, accept, out);
            buf.truncate(n);
        }
        if edits > 0 {
            for l in 1..=2 {
                if j + l > noisy.len() {
                    break;
                }
                if let Some(opts) = self.reverse.get(&seg(&noisy[j..j + l])) {
                    for &(k, c) in opts {
                        if let Some(k) = k {
                            buf.push(k);
                        }
                        self.walk(noisy, j + l, buf, cost + c, edits - 1, may_insert, accept, out);
                        buf.truncate(n);
                    }
                }
            }
            if may_insert {
                for &(k, l) in &self.dropped {
                    buf.push(k);
                    self.walk(noisy, j, buf, cost + l, edits - 1, false, accept, out);
                    buf.truncate(n);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn learns_digit_for_letter() {
        let pairs: Vec<(String, String)> =
            (0..5).flat_map(|_| [("số".to_string(), "s6".to_string()), ("của".into(), "ctia".into()), ("của".into(), "cua".into())]).collect();
        let ch = Channel::learn(&pairs, &ConfusionRules::default());
        assert!(ch.char_cost('ố', &['6']) < 1.0);
        assert!(ch.token_cost(&chars("của"), &chars("ctia")) < ch.token_cost(&chars("cả"), &chars("ctia")));
        let v = ch.variants(&chars("s6"), 2, &|s: &str| s == "so");
        assert_eq!(v.first().map(|x| x.0.as_str()), Some("so"));
    }
}
