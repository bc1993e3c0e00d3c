//! Stage 3: [`NormText`] → [`DocTree`]: document header, headings, paragraphs and
//! bullets, appendices, tables, signature block and recipients, each with its lines.

use crate::normalize::NormText;

mod structure;
pub mod table;
pub use structure::segment;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    /// National header, motto, issuing body, number, place and date.
    Header,
    /// "KẾ HOẠCH" and the like.
    DocType,
    Title,
    /// Citations before the first heading ("Căn cứ ...", "Thực hiện ...").
    Preamble,
    /// A numbered line: "I.", "1.", "1.1.", "a)" with its title or text.
    Heading,
    /// A "-" / "+" / "•" bullet.
    Bullet,
    Paragraph,
    /// "PHỤ LỤC 1: ...", "Phụ lục II" with its title lines.
    Appendix,
    /// Lines of a table, left to table reconstruction.
    Table,
    /// "TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH / name".
    Signature,
    /// "Nơi nhận:" and its list.
    Recipients,
    /// "Trên đây là Kế hoạch ..." closing paragraph.
    Closing,
}

/// Kind of numbering a heading uses, from the outermost down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Numbering {
    Roman,
    Arabic,
    /// 1.1, 2.3.1: `depth` dots.
    Decimal(u8),
    Letter,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Node {
    pub kind: NodeKind,
    /// Numbering as printed, without trailing punctuation: "I", "1", "1.1", "a", "-".
    pub label: Option<String>,
    pub numbering: Option<Numbering>,
    /// Text of the node with wrapped lines joined (without the label).
    pub text: String,
    /// First and last normalized line (inclusive).
    pub first_line: usize,
    pub last_line: usize,
    pub parent: Option<usize>,
    pub children: Vec<usize>,
}

/// The document as a tree; `nodes` are in document order, `roots` are top-level nodes.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct DocTree {
    pub nodes: Vec<Node>,
    pub roots: Vec<usize>,
}

impl DocTree {
    /// Labels from the root down to `i`, e.g. ["III", "1", "1.2"].
    pub fn label_path(&self, i: usize) -> Vec<String> {
        let mut path = Vec::new();
        let mut cur = Some(i);
        while let Some(c) = cur {
            if let (NodeKind::Heading, Some(l)) = (self.nodes[c].kind, &self.nodes[c].label) {
                path.push(l.clone());
            }
            cur = self.nodes[c].parent;
        }
        path.reverse();
        path
    }

    /// The heading labels of `path` joined as a section path: a decimal label that repeats
    /// its parent's number ("1" then "1.1") replaces it, so the path reads "III.1.1", not
    /// "III.1.1.1".
    pub fn join_section(path: &[String]) -> String {
        let mut kept: Vec<&str> = Vec::with_capacity(path.len());
        for label in path {
            if kept.last().is_some_and(|parent| label.strip_prefix(parent).is_some_and(|r| r.starts_with('.'))) {
                kept.pop();
            }
            kept.push(label);
        }
        kept.join(".")
    }

    /// Nearest enclosing node of one of `kinds`.
    pub fn ancestor(&self, i: usize, kind: NodeKind) -> Option<usize> {
        let mut cur = self.nodes[i].parent;
        while let Some(c) = cur {
            if self.nodes[c].kind == kind {
                return Some(c);
            }
            cur = self.nodes[c].parent;
        }
        None
    }

    pub fn of_kind(&self, kind: NodeKind) -> impl Iterator<Item = usize> + '_ {
        (0..self.nodes.len()).filter(move |&i| self.nodes[i].kind == kind)
    }

    /// A printable outline with source line numbers, for `kehoach segment`.
    pub fn outline(&self, norm: &NormText) -> String {
        let mut out = String::new();
        for &r in &self.roots {
            self.write_outline(norm, r, 0, &mut out);
        }
        out
    }

    fn write_outline(&self, norm: &NormText, i: usize, depth: usize, out: &mut String) {
        let n = &self.nodes[i];
        let line = norm.source_line_of(n.first_line);
        let kind = serde_json::to_value(n.kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        let label = n.label.as_deref().map(|l| format!("{l} ")).unwrap_or_default();
        let mut text: String = n.text.chars().take(90).collect();
        if n.text.chars().count() > 90 {
            text.push('…');
        }
        out.push_str(&format!("{line:>5}  {}{kind}: {label}{text}\n", "  ".repeat(depth)));
        for &c in &n.children {
            self.write_outline(norm, c, depth + 1, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::DocTree;

    #[test]
    fn section_path_drops_a_parent_number_repeated_by_its_child() {
        let p = |v: &[&str]| DocTree::join_section(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(p(&["III", "1", "1.1"]), "III.1.1");
        assert_eq!(p(&["III", "1"]), "III.1");
        assert_eq!(p(&["III", "1", "a"]), "III.1.a");
        // "11" does not repeat "1"; "1.1" under "2" is kept as is.
        assert_eq!(p(&["I", "1", "11"]), "I.1.11");
        assert_eq!(p(&["II", "2", "1.1"]), "II.2.1.1");
        assert_eq!(p(&[]), "");
    }
}
