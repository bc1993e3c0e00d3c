//! Links between a body task and the appendix row that restates it, so a tracker sees
//! one commitment with its agencies and deadline.
//!
//! Plans often say the same thing twice: once as a numbered item in "NHIỆM VỤ, GIẢI PHÁP"
//! and once as a row of the assignment table, with small rewordings, one text often a
//! part of the other. The score is the share of the shorter text's word pairs (folded
//! bigrams) found in the longer one; pairs are linked greedily, best first, one to one.

use crate::fold::fold;
use crate::model::{Origin, Task};
use std::collections::HashSet;

/// Minimum containment score for a link. Measured on seed 000 (body III ↔ Phụ lục 3):
/// the hand-checked restatements score 0.52 to 1.0; the best-scoring wrong pair, two
/// items about training civil servants, scores 0.45; other pairs on a shared topic stay
/// under 0.45.
pub const LINK_THRESHOLD: f64 = 0.5;

fn bigrams(text: &str) -> HashSet<(String, String)> {
    let words: Vec<String> = fold(text).split(' ').filter(|w| !w.is_empty()).map(str::to_string).collect();
    words.windows(2).map(|w| (w[0].clone(), w[1].clone())).collect()
}

/// Share of the smaller bigram set contained in the larger.
pub fn containment(a: &str, b: &str) -> f64 {
    let (x, y) = (bigrams(a), bigrams(b));
    let small = x.len().min(y.len());
    if small < 3 {
        return 0.0;
    }
    x.intersection(&y).count() as f64 / small as f64
}

/// Fills `links` of body and appendix tasks that restate each other.
pub fn link_tasks(tasks: &mut [Task]) {
    let body: Vec<usize> = (0..tasks.len()).filter(|&i| tasks[i].origin == Origin::Body).collect();
    let appendix: Vec<usize> = (0..tasks.len()).filter(|&i| tasks[i].origin == Origin::Appendix).collect();
    if body.is_empty() || appendix.is_empty() {
        return;
    }
    let grams: Vec<HashSet<(String, String)>> = tasks.iter().map(|t| bigrams(&t.text)).collect();
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for &b in &body {
        for &a in &appendix {
            let small = grams[b].len().min(grams[a].len());
            if small < 3 {
                continue;
            }
            let score = grams[b].intersection(&grams[a]).count() as f64 / small as f64;
            if score >= LINK_THRESHOLD {
                pairs.push((score, b, a));
            }
        }
    }
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

    #[test]
    fn containment_scores() {
        assert!(containment("Hoàn thiện cơ sở dữ liệu đất đai của phường", "Hoàn thiện cơ sở dữ liệu đất đai") > 0.99);
        assert!(containment("Hoàn thiện cơ sở dữ liệu đất đai", "Tuyên truyền phổ biến Nghị quyết 57") < 0.01);
    }
}
