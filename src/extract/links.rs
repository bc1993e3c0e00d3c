//! Links between a body task and the appendix row that restates it, so a tracker sees
//! one commitment with its agencies and deadline.
//!
//! Plans often say the same thing twice: once as a numbered item in "NHIỆM VỤ, GIẢI PHÁP"
//! and once as a row of the assignment table, with small rewordings, one text often a
//! part of the other. The score is the share of the shorter text's word pairs (folded
//! bigrams) found in the longer one; pairs are linked greedily, best first, one to one.

use crate::fold::fold;
use crate::model::{Origin, Task};
use rustc_hash::FxHashMap;
use std::collections::HashSet;

/// Minimum containment score for a link. Measured on seed 000 (body III ↔ Phụ lục 3):
/// the hand-checked restatements score 0.52 to 1.0; the best-scoring wrong pair, two
/// items about training civil servants, scores 0.45; other pairs on a shared topic stay
/// under 0.45.
pub const LINK_THRESHOLD: f64 = 0.5;

/// Folded word pairs of a text, each word numbered by `words` (the same word, the same
/// number, across the texts compared), as a sorted set: pairs are compared as numbers and
/// two sets intersected by one merge, with no string hashing.
fn bigrams<'a>(folded: &'a str, words: &mut WordIds<'a>) -> Vec<u64> {
    let mut prev: Option<u32> = None;
    // A pair per space at most.
    let mut out = Vec::with_capacity(folded.bytes().filter(|&b| b == b' ').count());
    for w in space_separated(folded) {
        let id = words.id(w);
        if let Some(p) = prev {
            out.push(((p as u64) << 32) | id as u64);
        }
        prev = Some(id);
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Numbers of words: the same word, the same number. A word of up to seven bytes (most
/// folded words) is looked up as the number its bytes make, hashed and compared as one
/// integer; longer ones as text.
#[derive(Default)]
pub struct WordIds<'a> {
    short: FxHashMap<u64, u32>,
    long: FxHashMap<&'a str, u32>,
}

impl<'a> WordIds<'a> {
    fn id(&mut self, w: &'a str) -> u32 {
        let next = (self.short.len() + self.long.len()) as u32;
        match short_key(w) {
            Some(k) => *self.short.entry(k).or_insert(next),
            None => *self.long.entry(w).or_insert(next),
        }
    }
}

/// The bytes of a word of one to seven bytes as one number, its length in the top byte
/// (two words have the same number only if they are the same word).
fn short_key(w: &str) -> Option<u64> {
    let b = w.as_bytes();
    if b.is_empty() || b.len() > 7 {
        return None;
    }
    let mut k = [0u8; 8];
    k[..b.len()].copy_from_slice(b);
    k[7] = b.len() as u8;
    Some(u64::from_le_bytes(k))
}

/// The non-empty parts of `s` between single spaces (`s.split(' ')` without the empty
/// ones), found by a plain walk over the bytes: folded words are a few bytes long, shorter
/// than the split's search for the next space is worth.
fn space_separated(s: &str) -> impl Iterator<Item = &str> {
    let bytes = s.as_bytes();
    let mut start = 0;
    std::iter::from_fn(move || {
        while start < bytes.len() {
            let end = bytes[start..].iter().position(|&b| b == b' ').map_or(bytes.len(), |p| start + p);
            let word = &s[start..end];
            start = end + 1;
            if !word.is_empty() {
                return Some(word);
            }
        }
        None
    })
}

/// Size of the intersection of two sorted sets.
fn shared(x: &[u64], y: &[u64]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < x.len() && j < y.len() {
        match x[i].cmp(&y[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// Share of the pairs of the smaller set found in the larger; 0 below three pairs.
fn score(x: &[u64], y: &[u64]) -> f64 {
    let small = x.len().min(y.len());
    if small < 3 {
        return 0.0;
    }
    shared(x, y) as f64 / small as f64
}

/// Share of the smaller bigram set contained in the larger.
pub fn containment(a: &str, b: &str) -> f64 {
    let (fa, fb) = (fold(a), fold(b));
    let mut words = WordIds::default();
    let x = bigrams(&fa, &mut words);
    let y = bigrams(&fb, &mut words);
    score(&x, &y)
}

/// The (score, body, appendix) pairs scoring at least [`LINK_THRESHOLD`], in body order,
/// then appendix order. The word pairs of the appendix tasks are indexed, so each body
/// task counts what it shares with every appendix task in one pass over its own pairs:
/// a plan with hundreds of tasks on each side compares only the pairs that occur in both.
fn scored_pairs(grams: &[Vec<u64>], body: &[usize], appendix: &[usize]) -> Vec<(f64, usize, usize)> {
    let mut postings: FxHashMap<u64, Vec<u32>> = FxHashMap::default();
    for (k, &a) in appendix.iter().enumerate() {
        for &g in &grams[a] {
            postings.entry(g).or_default().push(k as u32);
        }
    }
    let mut counts = vec![0usize; appendix.len()];
    let mut pairs = Vec::new();
    for &b in body {
        counts.iter_mut().for_each(|c| *c = 0);
        for g in &grams[b] {
            for &k in postings.get(g).map_or(&[][..], |v| v.as_slice()) {
                counts[k as usize] += 1;
            }
        }
        for (k, &a) in appendix.iter().enumerate() {
            let small = grams[b].len().min(grams[a].len());
            // Same figure as `score`: both sets are deduplicated.
            if small >= 3 {
                let score = counts[k] as f64 / small as f64;
                if score >= LINK_THRESHOLD {
                    pairs.push((score, b, a));
                }
            }
        }
    }
    pairs
}

/// Fills `links` of body and appendix tasks that restate each other.
pub fn link_tasks(tasks: &mut [Task]) {
    link_tasks_folded(tasks, &[]);
}

/// [`link_tasks`], given the folded texts of the first tasks (`folded[i]` is
/// `fold(&tasks[i].text)`): the body tasks were folded as they were made, and are not
/// folded again. Only body and appendix tasks are compared, so only they are folded.
pub fn link_tasks_folded(tasks: &mut [Task], folded: &[String]) {
    let body: Vec<usize> = (0..tasks.len()).filter(|&i| tasks[i].origin == Origin::Body).collect();
    let appendix: Vec<usize> = (0..tasks.len()).filter(|&i| tasks[i].origin == Origin::Appendix).collect();
    if body.is_empty() || appendix.is_empty() {
        return;
    }
    let compared = |t: &Task| matches!(t.origin, Origin::Body | Origin::Appendix);
    let own: Vec<Option<String>> =
        tasks.iter().enumerate().map(|(i, t)| (i >= folded.len() && compared(t)).then(|| fold(&t.text))).collect();
    let mut words = WordIds::default();
    // Word numbers only tell words apart: skipping the other tasks changes no count.
    let grams: Vec<Vec<u64>> = (0..tasks.len())
        .map(|i| match folded.get(i).or(own[i].as_ref()) {
            Some(f) if compared(&tasks[i]) => bigrams(f, &mut words),
            _ => Vec::new(),
        })
        .collect();
    let mut pairs = scored_pairs(&grams, &body, &appendix);
    // Best first; ties broken by position so the result is deterministic.
    pairs.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
    let mut used_b = HashSet::new();
    let mut used_a = HashSet::new();
    for (_, b, a) in pairs {
        if used_b.contains(&b) || used_a.contains(&a) {
            continue;
        }
        used_b.insert(b);
        used_a.insert(a);
        let (id_a, id_b) = (tasks[a].id.clone(), tasks[b].id.clone());
        tasks[b].links.push(id_a);
        tasks[a].links.push(id_b);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Span;

    fn task(id: &str, origin: Origin, text: &str) -> Task {
        Task {
            id: id.into(),
            origin,
            table: None,
            section: None,
            number: None,
            text: text.into(),
            lead: vec![],
            support: vec![],
            output: None,
            deadline: None,
            span: Span::default(),
            links: vec![],
            confidence: None,
        }
    }

    #[test]
    fn restatement_linked_one_to_one() {
        let mut tasks = vec![
            task("b1", Origin::Body, "Phát triển nông nghiệp ứng dụng công nghệ cao gắn với chế biến, tiêu thụ sản phẩm nông nghiệp trọng tâm của phường."),
            task("b2", Origin::Body, "Tăng cường kiểm tra, giám sát việc triển khai thực hiện các mục tiêu."),
            task("a1", Origin::Appendix, "Phát triển nông nghiệp ứng dụng công nghệ cao gắn với chế biến, tiêu thụ sản phẩm nông nghiệp trọng tâm của phường và liên kết chuỗi giá trị"),
            task("a2", Origin::Appendix, "Hoàn thiện cơ sở dữ liệu đất đai"),
        ];
        link_tasks(&mut tasks);
        assert_eq!(tasks[0].links, vec!["a1"]);
        assert_eq!(tasks[2].links, vec!["b1"]);
        assert!(tasks[1].links.is_empty());
        assert!(tasks[3].links.is_empty());
    }

    /// The indexed scoring finds the same pairs with the same scores as comparing every
    /// body task with every appendix task.
    #[test]
    fn indexed_scores_agree_with_pairwise_merge() {
        // A small vocabulary, so that random texts share some word pairs and not others.
        let vocab = ["phát", "triển", "nông", "nghiệp", "số", "và"];
        let mut seed = 7u64;
        let mut next = || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) as usize
        };
        let (mut linked, mut compared) = (0, 0);
        for _ in 0..40 {
            let texts: Vec<String> =
                (0..12).map(|_| (0..2 + next() % 12).map(|_| vocab[next() % vocab.len()]).collect::<Vec<_>>().join(" ")).collect();
            let folded: Vec<String> = texts.iter().map(|t| fold(t)).collect();
            let mut words = WordIds::default();
            let grams: Vec<Vec<u64>> = folded.iter().map(|f| bigrams(f, &mut words)).collect();
            let (body, appendix): (Vec<usize>, Vec<usize>) = (0..12).partition(|i| i % 3 != 0);
            let mut expected = Vec::new();
            for &b in &body {
                for &a in &appendix {
                    let s = score(&grams[b], &grams[a]);
                    if s >= LINK_THRESHOLD {
                        expected.push((s, b, a));
                    }
                }
            }
            assert_eq!(scored_pairs(&grams, &body, &appendix), expected);
            linked += expected.len();
            compared += body.len() * appendix.len();
        }
        assert!(linked > 20 && linked < compared / 2, "linked {linked} of {compared} pairs");
    }

    /// Links from texts folded beforehand, with other tasks among them, are the links
    /// that folding every text gives.
    #[test]
    fn link_tasks_folded_is_link_tasks() {
        let vocab = ["Phát", "triển", "nông", "nghiệp", "số,", "và", "dữ liệu"];
        let mut seed = 11u64;
        let mut next = || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) as usize
        };
        let mut linked = 0;
        for round in 0..60 {
            let origins = [Origin::Body, Origin::Organization, Origin::Appendix];
            let tasks: Vec<Task> = (0..10)
                .map(|k| {
                    let text = (0..2 + next() % 10).map(|_| vocab[next() % vocab.len()]).collect::<Vec<_>>().join(" ");
                    task(&format!("x{k}"), origins[next() % 3], &text)
                })
                .collect();
            let mut slow = tasks.clone();
            link_tasks(&mut slow);
            let given: Vec<String> = tasks.iter().take(round % 11).map(|t| fold(&t.text)).collect();
            let mut fast = tasks.clone();
            link_tasks_folded(&mut fast, &given);
            let links = |ts: &[Task]| ts.iter().map(|t| t.links.clone()).collect::<Vec<_>>();
            assert_eq!(links(&fast), links(&slow));
            linked += slow.iter().filter(|t| !t.links.is_empty()).count();
        }
        assert!(linked > 20, "{linked}");
    }

    /// Word numbers from [`WordIds`] are those a map of the words gives (in the order
    /// first seen), over the folded words of the bundled plans and hand-made words of
    /// every length around the short ones' limit of seven bytes.
    #[test]
    fn word_ids_number_words_as_a_map_does() {
        let mut words: Vec<String> = ["a", "ab", "abcdefg", "abcdefgh", "abcdefghi", "abcdefg\u{1}", "đ", "ba", "a"].map(String::from).to_vec();
        for t in crate::test_data::corpus() {
            words.extend(fold(&t).split(' ').map(String::from));
        }
        let mut ids = WordIds::default();
        let mut map: FxHashMap<&str, u32> = FxHashMap::default();
        for w in &words {
            let next = map.len() as u32;
            assert_eq!(ids.id(w), *map.entry(w).or_insert(next), "{w:?}");
        }
        // Both kinds met: the hand-made long words, hundreds of short ones.
        assert!(ids.short.len() > 300 && ids.long.len() >= 3, "{} {}", ids.short.len(), ids.long.len());
    }

    /// The walk over the bytes gives the words `split(' ')` gives, empty ones left out.
    #[test]
    fn space_separated_is_the_split() {
        let mut texts: Vec<String> = ["", " ", "a", "  a  b ", "a b", "xa hoi  ", " đ  d ", "ab cd ef"].map(String::from).to_vec();
        for t in crate::test_data::corpus() {
            texts.extend(t.lines().map(fold));
            texts.extend(t.lines().take(300).map(String::from));
        }
        for t in &texts {
            let want: Vec<&str> = t.split(' ').filter(|w| !w.is_empty()).collect();
            assert_eq!(space_separated(t).collect::<Vec<_>>(), want, "{t:?}");
        }
        assert!(texts.len() > 1000);
    }

    #[test]
    fn containment_scores() {
        assert!(containment("Hoàn thiện cơ sở dữ liệu đất đai của phường", "Hoàn thiện cơ sở dữ liệu đất đai") > 0.99);
        assert!(containment("Hoàn thiện cơ sở dữ liệu đất đai", "Tuyên truyền phổ biến Nghị quyết 57") < 0.01);
    }
}
