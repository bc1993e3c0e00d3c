//! Tasks stated in the body: the NHIỆM VỤ / GIẢI PHÁP sections (origin "body") and the
//! agency-specific items of TỔ CHỨC THỰC HIỆN (origin "organization").

use crate::extract::ids::item_id;
use crate::fold::fold;
use crate::model::{AgencyRef, Origin, Task};
use crate::normalize::NormText;
use crate::segment::{DocTree, Node, NodeKind, Numbering};

/// Finds agencies named in a piece of text: `(lead, support)`.
pub type AgencyResolver<'a> = dyn Fn(&str) -> (Vec<AgencyRef>, Vec<AgencyRef>) + 'a;

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

fn make_task(norm: &NormText, tree: &DocTree, i: usize, origin: Origin, section: String, resolve: &AgencyResolver) -> Task {
    let n = &tree.nodes[i];
    let (text, last) = item_text(tree, i);
    let number = (n.kind == NodeKind::Heading).then(|| n.label.clone()).flatten();
    let (lead, support) = resolve(&text);
    Task {
        id: item_id("t", origin, None, Some(&section), &text),
        origin,
        table: None,
        section: Some(section),
        number,
        text,
        lead,
        support,
        output: None,
        deadline: None,
        span: norm.lines_span(n.first_line, last),
        links: Vec::new(),
        confidence: None,
    }
}

/// Heading path of the enclosing headings of `i`, e.g. "III.1".
fn section_of(tree: &DocTree, i: usize) -> String {
    let mut path = tree.label_path(i);
    if tree.nodes[i].kind == NodeKind::Heading {
        path.pop();
    }
    path.join(".")
}

/// Every lowest-level numbered item and every bullet of the NHIỆM VỤ / GIẢI PHÁP
/// sections; a numbered item with items under it is a heading.
pub fn body_tasks(norm: &NormText, tree: &DocTree, resolve: &AgencyResolver) -> Vec<Task> {
    let mut tasks = Vec::new();
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
                tasks.push(make_task(norm, tree, i, Origin::Body, section_of(tree, i), resolve));
            }
        }
    }
    tasks
}

/// Items of TỔ CHỨC THỰC HIỆN addressed to an agency: the items under a sub-heading that
/// names the agency, or items whose sentence names it.
pub fn organization_tasks(norm: &NormText, tree: &DocTree, heading_agency: &AgencyResolver, sentence_agency: &AgencyResolver) -> Vec<Task> {
    let mut tasks = Vec::new();
    for top in (0..tree.nodes.len()).filter(|&i| is_top_section(tree, i, &ORGANIZATION_SECTION_WORDS)) {
        for &c in &tree.nodes[top].children {
            let n = &tree.nodes[c];
            let items: Vec<usize> =
                n.children.iter().copied().filter(|&k| matches!(tree.nodes[k].kind, NodeKind::Bullet | NodeKind::Paragraph | NodeKind::Heading)).collect();
            if n.kind == NodeKind::Heading && !items.is_empty() {
                // "2. Phòng Văn hóa - Xã hội" with what it must do below.
                let (lead, _) = heading_agency(&n.text);
                for k in items {
                    let mut t = make_task(norm, tree, k, Origin::Organization, section_of(tree, k), sentence_agency);
                    t.number = None;
                    if !lead.is_empty() {
                        t.support.retain(|s| !lead.iter().any(|l| l.id == s.id));
                        t.lead = lead.clone();
                    }
                    if !t.lead.is_empty() {
                        tasks.push(t);
                    }
                }
            } else if matches!(n.kind, NodeKind::Heading | NodeKind::Bullet | NodeKind::Paragraph) {
                let t = make_task(norm, tree, c, Origin::Organization, section_of(tree, c), sentence_agency);
                if !t.lead.is_empty() {
                    tasks.push(t);
                }
            }
        }
    }
    tasks
}
