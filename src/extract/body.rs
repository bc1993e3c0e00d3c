//! Tasks stated in the body: the NHIỆM VỤ / GIẢI PHÁP sections (origin "body") and the
//! agency-specific items of TỔ CHỨC THỰC HIỆN (origin "organization").

use crate::extract::agencies::{AgencyMatch, AgencyRegistry, AgencyRules};
use crate::extract::confidence::{self, Evidence};
use crate::extract::ids::item_id_folded;
use crate::fold::{fold, fold_offsets_to, fold_with_offsets};
use crate::model::{AgencyRef, Origin, Span, Task};
use crate::normalize::NormText;
use crate::segment::{DocTree, Node, NodeKind, Numbering};
use once_cell::sync::Lazy;
use regex::Regex;

/// End of the list of cooperating agencies after a marker.
static SUPPORT_END: Lazy<Regex> = Lazy::new(|| Regex::new(r"[.;:(]|\s(?:để|trong|nhằm|theo|tổ chức|triển khai|thực hiện|xây dựng|rà soát|hướng dẫn|tuyên truyền)\s").unwrap());

/// Agencies a sentence names: those after "phối hợp với" cooperate (`support`), the
/// others are in charge (`lead`). Only agencies known to the rules count in prose: an
/// unknown capitalized phrase in running text is too often not an agency.
pub fn sentence_roles(text: &str, agencies: &AgencyRules, support_marker: &Regex) -> (Vec<AgencyMatch>, Vec<AgencyMatch>) {
    let windows: Vec<(usize, usize)> = support_marker
        .find_iter(text)
        .map(|m| {
            let rest = &text[m.end()..];
            let end = SUPPORT_END.find(rest).map(|e| e.start()).unwrap_or(rest.len());
            (m.end(), m.end() + end)
        })
        .collect();
    let mut lead: Vec<AgencyMatch> = Vec::new();
    let mut support: Vec<AgencyMatch> = Vec::new();
    // An agency's role is decided where the sentence first names it: one that cooperates
    // ("phối hợp với các phòng, ban") and is named again later ("... giám sát các phòng,
    // ban") still cooperates.
    for m in agencies.resolve_known(text) {
        if lead.iter().chain(&support).any(|x| x.id == m.id) {
            continue;
        }
        let in_window = windows.iter().any(|&(a, b)| m.start >= a && m.start < b);
        if in_window { support.push(m) } else { lead.push(m) }
    }
    (lead, support)
}

/// What the agency extraction of one document needs.
pub struct AgencyContext<'a> {
    pub rules: &'a AgencyRules,
    /// `support_markers` of rules/document.toml, compiled.
    pub support_marker: &'a Regex,
    /// `lead_markers` of rules/document.toml, folded.
    pub lead_markers: &'a [String],
    /// Matches any of `lead_markers` (`None` when there are none).
    pub lead_marker: Option<&'a Regex>,
    pub registry: &'a mut AgencyRegistry,
}

impl AgencyContext<'_> {
    fn refs(&mut self, ms: &[AgencyMatch], span: Span) -> Vec<AgencyRef> {
        self.registry.note_all(ms, Some(span))
    }
}

/// Folded words that mark a top-level section as a task section.
const TASK_SECTION_WORDS: [&str; 2] = ["nhiem vu", "giai phap"];
const ORGANIZATION_SECTION_WORDS: [&str; 1] = ["to chuc thuc hien"];

fn is_top_section(tree: &DocTree, i: usize, words: &[&str]) -> bool {
    let n = &tree.nodes[i];
    n.kind == NodeKind::Heading
        && n.numbering == Some(Numbering::Roman)
        && tree.ancestor(i, NodeKind::Appendix).is_none()
        && words.iter().any(|w| fold(&n.text).contains(w))
}

fn is_item(n: &Node) -> bool {
    matches!(n.kind, NodeKind::Heading | NodeKind::Bullet)
}

/// Text of an item with the paragraphs under it (continuations printed as new
/// paragraphs), and its last line.
fn item_text(tree: &DocTree, i: usize) -> (String, usize) {
    let n = &tree.nodes[i];
    let mut text = n.text.clone();
    let mut last = n.last_line;
    for &c in &n.children {
        let child = &tree.nodes[c];
        if child.kind == NodeKind::Paragraph {
            text.push(' ');
            text.push_str(&child.text);
            last = last.max(child.last_line);
        }
    }
    (text, last)
}

fn make_task(norm: &NormText, tree: &DocTree, i: usize, origin: Origin, section: String) -> Task {
    make_task_folded(norm, tree, i, origin, section).0
}

/// [`make_task`] and its text folded: the fold made for the id is handed back for the
/// caller's own checks.
fn make_task_folded(norm: &NormText, tree: &DocTree, i: usize, origin: Origin, section: String) -> (Task, String) {
    task_of_item_text(norm, tree, i, item_text(tree, i), origin, section)
}

/// [`make_task_folded`] of item `i` whose [`item_text`] is `(text, last)`.
fn task_of_item_text(norm: &NormText, tree: &DocTree, i: usize, (text, last): (String, usize), origin: Origin, section: String) -> (Task, String) {
    let folded = fold(&text);
    let n = &tree.nodes[i];
    let number = (n.kind == NodeKind::Heading).then(|| n.label.clone()).flatten();
    let task = Task {
        id: item_id_folded("t", origin, None, Some(&section), &folded),
        origin,
        table: None,
        section: Some(section),
        number,
        text,
        lead: Vec::new(),
        support: Vec::new(),
        output: None,
        deadline: None,
        span: norm.lines_span(n.first_line, last),
        links: Vec::new(),
        confidence: Some(confidence::score(&Evidence {
            structured_heading: true,
            restored: norm.restored,
            ..Evidence::default()
        })),
    };
    (task, folded)
}

/// Confidence of a task whose agencies come from its heading or sentence.
fn with_agency_evidence(t: &mut Task, restored: bool) {
    t.confidence = Some(confidence::score(&Evidence {
        structured_heading: true,
        agency_exact: !t.lead.is_empty(),
        restored,
        ..Evidence::default()
    }));
}

/// Heading path of the enclosing headings of `i`, e.g. "III.1".
fn section_of(tree: &DocTree, i: usize) -> String {
    let mut path = tree.label_path(i);
    if tree.nodes[i].kind == NodeKind::Heading {
        path.pop();
    }
    DocTree::join_section(&path)
}

/// Agencies a sentence `text` puts in charge with an assignment phrase: "Giao X ...",
/// "Phân công X chịu trách nhiệm", "Người đứng đầu X ..." (`lead_markers` of the rules).
/// `folded` is `fold(text)`, made by the caller for the task's id.
fn assigned_agencies_folded(text: &str, folded: &str, ctx: &AgencyContext) -> Vec<AgencyMatch> {
    let mut out: Vec<AgencyMatch> = Vec::new();
    // The folded text before a match is a prefix of the folded text: with no marker in the
    // folded text, no match follows one, and neither the offsets nor the agencies need be
    // computed.
    if !ctx.lead_marker.is_some_and(|r| r.is_match(folded)) {
        return out;
    }
    // Most texts with a marker ("giao" of "giáo dục", "yêu cầu" of "đáp ứng yêu cầu") name
    // no agency right after it: the whole text is scanned only when one may start there.
    if !agency_may_follow_marker(text, folded, ctx) {
        return out;
    }
    let (folded, at) = fold_with_offsets(text);
    for m in ctx.rules.resolve_known(text) {
        let before = &folded[..at[m.start]];
        // The last four words of `before` (it is split on single spaces, so they are the
        // text after its fourth space from the end), taken without splitting all of it.
        let tail = &before[before.rmatch_indices(' ').nth(3).map_or(0, |(p, _)| p + 1)..];
        let ends_with = |mk: &str, word: &str| tail.strip_suffix(word).is_some_and(|t| t.ends_with(mk));
        let assigned = ctx.lead_markers.iter().any(|mk| tail.ends_with(mk.as_str()) || ends_with(mk, " cac") || ends_with(mk, " cho"));
        // "phân công đơn vị chủ trì, đơn vị phối hợp cho từng nhiệm vụ" names roles, not
        // an agency; "Giao X chủ trì xây dựng ..." does assign X.
        let after = &folded[at[m.end]..];
        let after = after.strip_prefix(' ').unwrap_or(after);
        let near = &after[..after.char_indices().nth(30).map_or(after.len(), |(p, _)| p)];
        let role_word = after.starts_with("phoi hop") || after.starts_with("chu tri") && near.contains("phoi hop");
        if assigned && !role_word && !out.iter().any(|o| o.id == m.id) {
            out.push(m);
        }
    }
    out
}

/// Whether a known agency may start in `text` where [`assigned_agencies_folded`] takes
/// it: where the folded text before it (`folded[..at[start]]`, `at` from
/// [`fold_with_offsets`], `folded` = `fold(text)`) ends with a lead marker, or with one
/// followed by " cac" or " cho". A necessary condition
/// ([`AgencyRules::known_may_start_at`]): false means no match of `resolve_known(text)`
/// is assigned.
fn agency_may_follow_marker(text: &str, folded: &str, ctx: &AgencyContext) -> bool {
    let mut ends: Vec<usize> = Vec::new();
    for mk in ctx.lead_markers {
        // Each marker's searcher made once for all its occurrences.
        let finder = memchr::memmem::Finder::new(mk.as_bytes());
        let mut from = 0;
        while let Some(q) = finder.find(&folded.as_bytes()[from..]).map(|q| from + q) {
            let p = q + mk.len();
            ends.push(p);
            if folded[p..].starts_with(" cac") || folded[p..].starts_with(" cho") {
                ends.push(p + 4);
            }
            from = q + folded[q..].chars().next().map_or(1, char::len_utf8);
        }
    }
    // A name starts at a token: a letter or digit, or "&". The chars whose folded text
    // starts at a marker's end are found by binary search (`at` rises over the text); the
    // offsets are needed only up to the last marker's end.
    let Some(&last) = ends.iter().max() else { return false };
    // Most markers ("giao" of "giáo dục") are followed by a word that starts no known
    // name: told from the folded word, before the offsets are made.
    if ctx.rules.first_keys_decide(text) && !ends.iter().any(|&e| first_key_at(folded, e).is_some_and(|k| ctx.rules.known_may_start_with(k))) {
        return false;
    }
    let at = fold_offsets_to(text, last);
    ends.iter().any(|&e| {
        chars_folded_at(text, &at, e).any(|(i, c)| (c.is_alphanumeric() || c == '&') && ctx.rules.known_may_start_at(text, i))
    })
}

/// The first word of the key of the agency token at the char where `folded` (= `fold(text)`)
/// reaches length `e`, when that char is a letter, a digit or "&" (`None` otherwise). That
/// char is the first one [`fold`] keeps from there (the separators before it fold to the
/// space at `e`), and a token is the run of letters and digits from it, folded: the folded
/// word, up to the "/", "%" or "&" that [`fold`] keeps and a token ends at; "&" is read as
/// "va". (Tested against the tokens at those chars.)
fn first_key_at(folded: &str, e: usize) -> Option<&str> {
    let rest = &folded[e..];
    let rest = rest.strip_prefix(' ').unwrap_or(rest);
    if rest.starts_with('&') {
        return Some("va");
    }
    let end = rest.find([' ', '/', '%', '&']).unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

/// The chars of `text` at whose start its folded text has length `e` (`at` from
/// [`fold_with_offsets`] or [`fold_offsets_to`]: set at char boundaries, never falling
/// from one to the next).
fn chars_folded_at<'t>(text: &'t str, at: &'t [usize], e: usize) -> impl Iterator<Item = (usize, char)> + 't {
    // The first char boundary where the folded length reaches `e`, by bisection over the
    // boundaries (`at` is only set at those).
    let (mut lo, mut hi) = (0, text.len());
    while lo < hi {
        let mut mid = lo + (hi - lo) / 2;
        while !text.is_char_boundary(mid) {
            mid -= 1;
        }
        if at[mid] >= e {
            hi = mid;
        } else {
            lo = mid + text[mid..].chars().next().map_or(1, char::len_utf8);
        }
    }
    text[lo..].char_indices().map(move |(i, c)| (lo + i, c)).take_while(move |&(i, _)| at[i] == e)
}

/// Every lowest-level numbered item and every bullet of the NHIỆM VỤ / GIẢI PHÁP
/// sections; a numbered item with items under it is a heading. A body item describes
/// what is to be done; it has a lead only when it assigns it ([`assigned_agencies_folded`]).
pub fn body_tasks(norm: &NormText, tree: &DocTree, ctx: &mut AgencyContext) -> Vec<Task> {
    body_tasks_folded(norm, tree, ctx).0
}

/// [`body_tasks`] and the folded text of each (for [`crate::extract::links`]).
pub fn body_tasks_folded(norm: &NormText, tree: &DocTree, ctx: &mut AgencyContext) -> (Vec<Task>, Vec<String>) {
    let mut tasks = Vec::new();
    let mut folded_texts = Vec::new();
    for top in (0..tree.nodes.len()).filter(|&i| is_top_section(tree, i, &TASK_SECTION_WORDS)) {
        let mut stack: Vec<usize> = tree.nodes[top].children.iter().rev().copied().collect();
        while let Some(i) = stack.pop() {
            let n = &tree.nodes[i];
            if !is_item(n) {
                continue;
            }
            let has_items = n.children.iter().any(|&c| is_item(&tree.nodes[c]));
            if has_items {
                stack.extend(n.children.iter().rev().copied());
            } else {
                // The text folded once, for the id and the assignment check.
                let (mut t, folded) = make_task_folded(norm, tree, i, Origin::Body, section_of(tree, i));
                let lead = assigned_agencies_folded(&t.text, &folded, ctx);
                t.lead = ctx.refs(&lead, t.span);
                if !t.lead.is_empty() {
                    with_agency_evidence(&mut t, norm.restored);
                }
                tasks.push(t);
                folded_texts.push(folded);
            }
        }
    }
    (tasks, folded_texts)
}

/// Items of TỔ CHỨC THỰC HIỆN addressed to an agency: the items under a sub-heading that
/// names the agency ("2. Phòng Văn hóa - Xã hội"), or items whose sentence names it
/// ("Giao Phòng Văn hóa - Xã hội chủ trì, phối hợp với ..."). Items that name no agency
/// (a note that this plan replaces an earlier one) are not tasks.
pub fn organization_tasks(norm: &NormText, tree: &DocTree, ctx: &mut AgencyContext) -> Vec<Task> {
    let mut tasks = Vec::new();
    for top in (0..tree.nodes.len()).filter(|&i| is_top_section(tree, i, &ORGANIZATION_SECTION_WORDS)) {
        for &c in &tree.nodes[top].children {
            let n = &tree.nodes[c];
            let items: Vec<usize> = n
                .children
                .iter()
                .copied()
                .filter(|&k| matches!(tree.nodes[k].kind, NodeKind::Bullet | NodeKind::Paragraph | NodeKind::Heading))
                .collect();
            let heading_lead: Vec<AgencyMatch> = if n.kind == NodeKind::Heading && !items.is_empty() {
                // "Tổ công nghệ số cộng đồng các Tổ dân phố": a second name with no list
                // separator before it qualifies the first one.
                let (lead, support) = sentence_roles(&n.text, ctx.rules, ctx.support_marker);
                let mut all: Vec<AgencyMatch> = lead.into_iter().chain(support).collect();
                all.sort_by_key(|m| m.start);
                all.into_iter().enumerate().filter(|(k, m)| *k == 0 || m.sep_before).map(|(_, m)| m).collect()
            } else {
                Vec::new()
            };
            if !heading_lead.is_empty() {
                let span = norm.lines_span(n.first_line, n.first_line);
                let lead = ctx.refs(&heading_lead, span);
                for k in items {
                    let mut t = make_task(norm, tree, k, Origin::Organization, section_of(tree, k));
                    t.number = None;
                    // Only the cooperating agencies: none where no support marker is.
                    let support = if ctx.support_marker.is_match(&t.text) {
                        sentence_roles(&t.text, ctx.rules, ctx.support_marker).1
                    } else {
                        Vec::new()
                    };
                    t.support = ctx.refs(&support, t.span);
                    t.support.retain(|s| !lead.contains(s));
                    t.lead = lead.clone();
                    with_agency_evidence(&mut t, norm.restored);
                    tasks.push(t);
                }
            } else {
                let kids = if n.kind == NodeKind::Heading && !items.is_empty() { items } else { vec![c] };
                for k in kids {
                    // The roles first: an item that names no agency is no task, and needs
                    // neither its fold nor its id.
                    let text = item_text(tree, k);
                    let (mut lead, support) = sentence_roles(&text.0, ctx.rules, ctx.support_marker);
                    if lead.is_empty() {
                        continue;
                    }
                    let (mut t, folded) = task_of_item_text(norm, tree, k, text, Origin::Organization, section_of(tree, k));
                    if tree.nodes[k].kind != NodeKind::Heading {
                        t.number = None;
                    }
                    // "Giao X chủ trì, ... đôn đốc các phòng, ban": the agency an assignment
                    // phrase names is in charge, not every agency the sentence mentions.
                    let assigned = assigned_agencies_folded(&t.text, &folded, ctx);
                    if !assigned.is_empty() {
                        lead.retain(|m| assigned.iter().any(|a| a.id == m.id));
                    }
                    t.lead = ctx.refs(&lead, t.span);
                    t.support = ctx.refs(&support, t.span);
                    with_agency_evidence(&mut t, norm.restored);
                    tasks.push(t);
                }
            }
        }
    }
    tasks
}


#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Rules;

    /// [`assigned_agencies_folded`] as first written: offsets for every text, the words before
    /// each match split in full.
    fn assigned_reference(text: &str, ctx: &AgencyContext) -> Vec<AgencyMatch> {
        let mut out: Vec<AgencyMatch> = Vec::new();
        let (folded, at) = fold_with_offsets(text);
        if !ctx.lead_markers.iter().any(|mk| folded.contains(mk.as_str())) {
            return out;
        }
        for m in ctx.rules.resolve_known(text) {
            let before = &folded[..at[m.start]];
            let words: Vec<&str> = before.split(' ').collect();
            let tail = words[words.len().saturating_sub(4)..].join(" ");
            let ends_with = |mk: &str, word: &str| tail.strip_suffix(word).is_some_and(|t| t.ends_with(mk));
            let assigned = ctx.lead_markers.iter().any(|mk| tail.ends_with(mk.as_str()) || ends_with(mk, " cac") || ends_with(mk, " cho"));
            let after = &folded[at[m.end]..];
            let after = after.strip_prefix(' ').unwrap_or(after);
            let near: String = after.chars().take(30).collect();
            let role_word = after.starts_with("phoi hop") || after.starts_with("chu tri") && near.contains("phoi hop");
            if assigned && !role_word && !out.iter().any(|o| o.id == m.id) {
                out.push(m);
            }
        }
        out
    }

    /// The assignment check on a text folded once finds what the reference finds, on every
    /// line and every pair of lines of the bundled plans and on hand-made assignments.
    #[test]
    fn assigned_agencies_folded_is_the_reference() {
        let rules = Rules::embedded();
        let mut registry = AgencyRegistry::default();
        let ctx = AgencyContext {
            rules: &rules.agencies,
            support_marker: rules.document.support_marker(),
            lead_markers: &rules.document.lead_markers,
            lead_marker: rules.document.lead_marker(),
            registry: &mut registry,
        };
        let mut texts: Vec<String> = [
            "Giao Phòng Văn hóa - Xã hội chủ trì, phối hợp với Công an phường",
            "Phân công cho các phòng, ban chủ trì thực hiện",
            "Đề nghị Mặt trận Tổ quốc phường phối hợp",
            "giao  Văn phòng HĐND và UBND phường   chủ trì, đôn đốc thực hiện kế hoạch đúng thời hạn",
            "Người đứng đầu các cơ quan, đơn vị chịu trách nhiệm",
        ]
        .map(String::from)
        .to_vec();
        let mut lines_total = 0;
        for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/corpus")).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "txt") {
                let text = std::fs::read_to_string(path).unwrap();
                let lines: Vec<&str> = text.lines().collect();
                for w in lines.windows(2) {
                    texts.push(w[0].to_string());
                    texts.push(format!("{} {}", w[0], w[1]));
                }
                lines_total += lines.len();
            }
        }
        assert!(lines_total > 1000);
        let mut found = 0;
        for t in &texts {
            let fast = assigned_agencies_folded(t, &fold(t), &ctx);
            let slow = assigned_reference(t, &ctx);
            let key = |v: &[AgencyMatch]| v.iter().map(|m| (m.id.clone(), m.start, m.end)).collect::<Vec<_>>();
            assert_eq!(key(&fast), key(&slow), "{t:?}");
            found += fast.len();
        }
        assert!(found > 10, "{found}");
    }

    /// The bisection finds the chars the linear walk does, for every folded length, on
    /// texts with marks, punctuation runs, multi-byte chars and none.
    #[test]
    fn chars_folded_at_is_the_linear_walk() {
        let mut texts: Vec<String> = ["", "a", "Giao  Phòng Văn hóa - Xã hội", "“ĐỀ ÁN” 06 -- (x)", "e\u{301}\u{301}x  ...  y", "𝟗 ĐƯỜNG"]
            .map(String::from)
            .to_vec();
        texts.extend(crate::test_data::corpus().iter().flat_map(|t| t.lines().take(200).map(String::from).collect::<Vec<_>>()));
        for text in &texts {
            let (folded, at) = fold_with_offsets(text);
            for e in 0..=folded.len() + 1 {
                let linear: Vec<(usize, char)> = text.char_indices().filter(|&(i, _)| at[i] == e).collect();
                assert_eq!(chars_folded_at(text, &at, e).collect::<Vec<_>>(), linear, "{text:?} {e}");
            }
        }
    }

    /// The folded word's check holds wherever [`AgencyRules::known_may_start_at`] does (it
    /// is a necessary condition) on texts it decides, on the bundled plans' lines and on
    /// hand-made texts with "&", "/", "%", marks and labels, and it rules out most places.
    #[test]
    fn first_key_at_holds_where_a_known_name_may_start() {
        let rules = Rules::embedded();
        let agencies = &rules.agencies;
        let mut texts: Vec<String> = [
            "Giao Phòng Văn hóa - Xã hội chủ trì, phối hợp với Công an phường",
            "giao  UBND&Công an/phường 50% Phòng GD&ĐT, Phòng Văn hoá",
            "Đề nghị Mặt trận Tổ quốc phường, Đoàn Thanh niên, Hội Phụ nữ phối hợp",
            "yêu cầu Trạm Y tế; &Văn phòng e\u{301}Ủy ban nhân dân phường",
            "Đơn vị chủ trì: Phòng Văn hóa - Xã hội; giao Cơ quan thực hiện:Công an phường",
        ]
        .map(String::from)
        .to_vec();
        for text in crate::test_data::texts(&crate::test_data::TEXT_DIRS, Some("txt")) {
            texts.extend(text.lines().filter(|l| l.len() < 2000).map(String::from));
        }
        let (mut decided, mut may, mut ruled_out) = (0, 0, 0);
        for t in texts.iter().filter(|t| agencies.first_keys_decide(t)) {
            decided += 1;
            let (folded, at) = fold_with_offsets(t);
            for i in t.char_indices().filter(|&(_, c)| c.is_alphanumeric() || c == '&').map(|(i, _)| i) {
                let check = first_key_at(&folded, at[i]).is_some_and(|k| agencies.known_may_start_with(k));
                if agencies.known_may_start_at(t, i) {
                    assert!(check, "{t:?} at {i}");
                    may += 1;
                } else if !check {
                    ruled_out += 1;
                }
            }
        }
        assert!(decided > 1000 && may > 100 && ruled_out > 10 * may, "{decided} {may} {ruled_out}");
        // A token runs over letters, digits and marks; the folded word over what [`fold`]
        // keeps: the same chars but "&", "%" and "/", which `first_key_at` cuts at.
        let kept_beyond_tokens: Vec<char> = (char::MIN..=char::MAX)
            .filter(|&c| !c.is_alphanumeric() && !crate::fold::is_combining_mark(c) && !"&%/".contains(c) && !fold(&c.to_string()).is_empty())
            .collect();
        assert!(kept_beyond_tokens.is_empty(), "{kept_beyond_tokens:?}");
    }

    /// [`AgencyRules::known_may_start_at`] holds at the start of every known agency the
    /// scan finds (it is a necessary condition), on the bundled plans' lines, pairs of
    /// lines and whole texts, and it rules out most places.
    #[test]
    fn known_may_start_at_holds_at_every_known_match() {
        let rules = Rules::embedded();
        let agencies = &rules.agencies;
        let mut texts: Vec<String> = vec![
            "Giao Phòng Văn hóa - Xã hội chủ trì; UBND phường, Công an phường".into(),
            "Đơn vị thực hiện: Văn phòng HĐND và UBND phường\nUB\nND phường".into(),
        ];
        for text in crate::test_data::texts(&crate::test_data::TEXT_DIRS, Some("txt")) {
            let lines: Vec<&str> = text.lines().collect();
            for w in lines.windows(2) {
                texts.push(w[0].to_string());
                texts.push(format!("{}\n{}", w[0], w[1]));
            }
            texts.push(text.clone());
        }
        let (mut starts, mut ruled_out) = (0, 0);
        for t in &texts {
            let known: Vec<usize> = agencies.resolve_known(t).iter().map(|m| m.start).collect();
            for m in &known {
                assert!(agencies.known_may_start_at(t, *m), "{t:?} at {m}");
                starts += 1;
            }
            if t.len() < 2000 {
                for (i, _) in t.char_indices().filter(|&(_, c)| c.is_alphanumeric()) {
                    if !agencies.known_may_start_at(t, i) {
                        assert!(!known.contains(&i));
                        ruled_out += 1;
                    }
                }
            }
        }
        assert!(starts > 100 && ruled_out > 10 * starts, "{starts} {ruled_out}");
    }
}
