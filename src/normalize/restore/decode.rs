//! Second-order Viterbi (beam-pruned) over per-token candidate lists, scored by the
//! trigram LM plus the channel cost of each candidate.

use super::lm::Lm;

#[derive(Debug, Clone)]
pub struct Cand {
    /// LM id (a form or a token class).
    pub id: u32,
    /// Channel cost (−ln P(observed | candidate)), already weighted.
    pub cost: f64,
    /// Replacement (a lexicon form id); `None` keeps the observed token.
    pub form: Option<u32>,
}

/// States kept per position: (candidate at t-1, candidate at t) pairs.
pub const BEAM: usize = 24;

#[derive(Clone, Copy)]
struct State {
    prev: usize,
    cur: usize,
    score: f64,
    back: usize,
}

/// A document cache (Kuhn & De Mori): bigrams of a first decoding pass, interpolated
/// with the LM in a second pass, so a name restored confidently in most places
/// ("Đông Hải") wins where the OCR is worst ("Péng Hai").
#[derive(Debug, Default)]
pub struct Cache {
    pairs: rustc_hash::FxHashMap<(u32, u32), f64>,
    ctx: rustc_hash::FxHashMap<u32, f64>,
    uni: rustc_hash::FxHashMap<u32, f64>,
    total: f64,
    pub lambda: f64,
}

impl Cache {
    pub fn from_ids(ids: &[u32], min_id: u32, lambda: f64) -> Cache {
        let mut c = Cache { lambda, ..Cache::default() };
        for &w in ids.iter().filter(|&&w| w >= min_id) {
            *c.uni.entry(w).or_default() += 1.0;
            c.total += 1.0;
        }
        for w in ids.windows(2) {
            if w[0] >= min_id && w[1] >= min_id {
                *c.pairs.entry((w[0], w[1])).or_default() += 1.0;
                *c.ctx.entry(w[0]).or_default() += 1.0;
            }
        }
        c
    }

    fn logp(&self, lm: &Lm, u: u32, v: u32, w: u32) -> f64 {
        let base = lm.logp(u, v, w);
        if self.lambda <= 0.0 || self.total == 0.0 {
            return base;
        }
        // Half document bigram (when the context was seen), half document unigram.
        let pu = self.uni.get(&w).copied().unwrap_or(0.0) / self.total;
        let pb = match self.ctx.get(&v) {
            Some(&n) => self.pairs.get(&(v, w)).copied().unwrap_or(0.0) / n,
            None => pu,
        };
        ((1.0 - self.lambda) * base.exp() + self.lambda * 0.5 * (pb + pu)).ln()
    }
}

/// Best candidate index per position.
pub fn viterbi(lm: &Lm, bos: u32, positions: &[Vec<Cand>]) -> Vec<usize> {
    viterbi_cached(lm, bos, positions, None)
}

/// [`viterbi`] with an optional document cache.
pub fn viterbi_cached(lm: &Lm, bos: u32, positions: &[Vec<Cand>], cache: Option<&Cache>) -> Vec<usize> {
    let logp = |u: u32, v: u32, w: u32| match cache {
        Some(c) => c.logp(lm, u, v, w),
        None => lm.logp(u, v, w),
    };
    let n = positions.len();
    if n == 0 {
        return Vec::new();
    }
    let mut beams: Vec<Vec<State>> = Vec::with_capacity(n);
    let first: Vec<State> = positions[0]
        .iter()
        .enumerate()
        .map(|(j, c)| State { prev: 0, cur: j, score: logp(bos, bos, c.id) - c.cost, back: 0 })
        .collect();
    beams.push(prune(first));
    let mut table: Vec<(f64, usize)> = Vec::new();
    for t in 1..n {
        let cur = &positions[t];
        let prev = &positions[t - 1];
        table.clear();
        table.resize(prev.len() * cur.len(), (f64::NEG_INFINITY, 0));
        for (si, s) in beams[t - 1].iter().enumerate() {
            let u = if t >= 2 { positions[t - 2][s.prev].id } else { bos };
            let v = prev[s.cur].id;
            for (j, c) in cur.iter().enumerate() {
                let sc = s.score + logp(u, v, c.id) - c.cost;
                let cell = &mut table[s.cur * cur.len() + j];
                if sc > cell.0 {
                    *cell = (sc, si);
                }
            }
        }
        let states: Vec<State> = table
            .iter()
            .enumerate()
            .filter(|(_, c)| c.0 > f64::NEG_INFINITY)
            .map(|(k, c)| State { prev: k / cur.len(), cur: k % cur.len(), score: c.0, back: c.1 })
            .collect();
        beams.push(prune(states));
    }
    let mut out = vec![0usize; n];
    let last = &beams[n - 1];
    let mut si = (0..last.len()).max_by(|&a, &b| last[a].score.total_cmp(&last[b].score).then(b.cmp(&a))).unwrap_or(0);
    for t in (0..n).rev() {
        let s = beams[t][si];
        out[t] = s.cur;
        si = s.back;
    }
    out
}

/// Keeps the best [`BEAM`] states (ties broken by position, for determinism).
fn prune(mut states: Vec<State>) -> Vec<State> {
    if states.len() > BEAM {
        states.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.prev.cmp(&b.prev)).then(a.cur.cmp(&b.cur)));
        states.truncate(BEAM);
    }
    states
}
