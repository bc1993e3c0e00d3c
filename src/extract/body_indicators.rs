//! Indicators stated in body text: under "2. Mục tiêu cụ thể" / "2.1. Đến hết năm 2025" /
//! "a) Phát triển hạ tầng", every bullet that states a value ("- Tỷ lệ phủ sóng 5G trên địa
//! bàn đạt ≥ 60%.") is one indicator: origin "body", table null, group = the lettered
//! heading's text, number null, name = the bullet text, one target whose period is the year
//! of the enclosing heading and whose raw is the value phrase ("≥ 60%").
//!
//! Decisions:
//! - Sections: an item counts only under a heading whose folded text starts with one of
//!   `[body] section_starts` of `rules/targets.toml` ("Mục tiêu ...", "Chỉ tiêu ...");
//!   appendices are left to the table extractor, and so are tables (the body table of
//!   "2. Mục tiêu cụ thể" in some plans is read by table reconstruction).
//! - Items: "-" / "+" bullets (with their continuation paragraphs), paragraphs that start
//!   with a dash after OCR debris ("’ - 100% ...", "_-100% ..."), and numbered headings
//!   with no items under them ("a) Tỷ lệ ... đạt 100%": number = its label).
//! - "States a value": a percentage or a compared value ("≥ 60%", "ít nhất 3,0%",
//!   "80% - 90%"); bullets with only plain counts or none ("Ứng dụng AI, IoT ...") are not
//!   indicators. A bullet stating two values ("... ≥ 85% ..., tỷ lệ ... ≥ 10%") is one
//!   indicator with the first value.
//! - Period: the nearest enclosing heading with a year ("Đến hết năm 2025" → "2025"; the end
//!   of a span: "Giai đoạn 2025-2030" → "2030"; years inside dates such as "22/12/2024" do
//!   not count); failing that a year in the bullet itself ("Đến năm 2030, 100% ..."); else
//!   null.
//! - Group: the nearest enclosing lettered heading ("a) Phát triển hạ tầng"), else null.
//! - unit "%" when the value is a percentage; lead/support from the resolver on the
//!   bullet's own text (empty unless the sentence names an agency).
//! - confidence ([`crate::extract::confidence`]): "structured heading" when the period
//!   came from an enclosing heading, lowered when the text was restored.

/// Finds agencies named in a piece of text: `(lead, support)`.
pub type AgencyResolver<'a> = dyn Fn(&str) -> (Vec<crate::model::AgencyRef>, Vec<crate::model::AgencyRef>) + 'a;
use crate::extract::confidence::{score, Evidence};
use crate::extract::ids::{dedupe_ids, item_id};
use crate::extract::target::{find_target, fold_keep, unit_of_with, TargetRules};
use crate::fold::fold;
use crate::model::{Indicator, Origin};
use crate::normalize::NormText;
use crate::rules::Rules;
use crate::segment::{DocTree, NodeKind, Numbering};
use regex::Regex;

/// The heading that makes `i` part of an indicator section, if any: the nearest enclosing
/// heading starting with a section word, unless a Roman-numbered section around it is a
/// task / organization section.
/// `folded` caches the folded text of the headings met, by node (every bullet of a section
/// walks up through the same headings).
fn target_section(tree: &DocTree, i: usize, rules: &TargetRules, folded: &mut [Option<String>]) -> Option<usize> {
    let mut found = None;
    let mut cur = tree.nodes[i].parent;
    while let Some(c) = cur {
        let n = &tree.nodes[c];
        if n.kind == NodeKind::Heading {
            let f = folded[c].get_or_insert_with(|| fold(&n.text));
            let starts_section = |s: &String| f.strip_prefix(s.as_str()).is_some_and(|rest| rest.is_empty() || rest.starts_with(' '));
            if found.is_none() && rules.section_starts.iter().any(starts_section) {
                found = Some(c);
            }
            if n.numbering == Some(Numbering::Roman) && rules.exclude_sections.iter().any(|w| f.contains(w.as_str())) {
                return None;
            }
        }
        cur = n.parent;
    }
    found
}

/// The year a heading or sentence sets as period: the end of a span of years, else the
/// first year that is not part of a date.
pub fn period_year(text: &str) -> Option<String> {
    static SPAN: once_cell::sync::Lazy<Regex> = once_cell::sync::Lazy::new(|| {
        Regex::new(r"\b((?:19|20)[0-9]{2})\s*(?:-|/|\bden\b|\btoi\b)\s*(?:nam\s+)?((?:19|20)[0-9]{2})\b").expect("valid")
    });
    static YEAR: once_cell::sync::Lazy<Regex> = once_cell::sync::Lazy::new(|| Regex::new(r"\b(?:19|20)[0-9]{2}\b").expect("valid"));
    let f = fold_keep(text).text;
    // Both patterns need a year's digits ("19xx", "20xx"); most texts have none, and the
    // patterns' `\b` keeps the regex off its DFA.
    if !has_year_digits(&f) {
        return None;
    }
    if let Some(c) = SPAN.captures(&f) {
        return Some(c[2].to_string());
    }
    YEAR.find_iter(&f)
        .find(|m| {
            let before = f[..m.start()].trim_end();
            // Not the year of a date ("22/12/2024", "22-12-2024", "ngày ... 2024").
            !(before.ends_with('/') || before.ends_with('-') || before.ends_with('.') || date_before(before))
        })
        .map(|m| m.as_str().to_string())
}

/// Whether `f` holds "19" or "20" and two more ASCII digits.
fn has_year_digits(f: &str) -> bool {
    f.as_bytes().windows(4).any(|w| matches!(&w[..2], b"19" | b"20") && w[2].is_ascii_digit() && w[3].is_ascii_digit())
}

/// "ngày 22 tháng 12 năm" right before a year.
fn date_before(before: &str) -> bool {
    static DATE: once_cell::sync::Lazy<Regex> =
        once_cell::sync::Lazy::new(|| Regex::new(r"[0-9]{1,2}\s*thang\s*[0-9]{1,2}\s*,?\s*nam$").expect("valid"));
    DATE.is_match(before)
}

/// A paragraph that is a bullet whose dash came through with OCR debris ("’ - 100% ...").
fn dash_led(text: &str) -> Option<&str> {
    let lead_len = text.find(|c: char| c.is_alphanumeric() || c == '≥' || c == '≤' || c == '>' || c == '<').unwrap_or(text.len());
    let lead = &text[..lead_len];
    (lead.contains(['-', '+', '•', '–']) && lead.chars().count() <= 4).then(|| text[lead_len..].trim())
}

fn has_items(tree: &DocTree, i: usize) -> bool {
    tree.nodes[i].children.iter().any(|&c| matches!(tree.nodes[c].kind, NodeKind::Heading | NodeKind::Bullet))
}

/// Indicators stated in body bullets (see the module docs).
pub fn body_indicators(norm: &NormText, tree: &DocTree, rules: &Rules, resolve: &AgencyResolver) -> Vec<Indicator> {
    let trules = &rules.targets;
    let mut out: Vec<Indicator> = Vec::new();
    let mut folded_headings: Vec<Option<String>> = vec![None; tree.nodes.len()];
    for i in 0..tree.nodes.len() {
        let n = &tree.nodes[i];
        let (mut text, number) = match n.kind {
            NodeKind::Bullet => (n.text.trim().to_string(), None),
            NodeKind::Paragraph => match dash_led(&n.text) {
                Some(t) => (t.to_string(), None),
                None => continue,
            },
            NodeKind::Heading if !has_items(tree, i) && n.numbering.is_some() => (n.text.trim().to_string(), n.label.clone()),
            _ => continue,
        };
        if text.is_empty() || tree.ancestor(i, NodeKind::Appendix).is_some() {
            continue;
        }
        let Some(section) = target_section(tree, i, trules, &mut folded_headings) else { continue };
        let mut last = n.last_line;
        if n.kind == NodeKind::Bullet {
            // Wrapped text the segmenter left as paragraphs under the bullet.
            for &c in &n.children {
                let ch = &tree.nodes[c];
                if ch.kind == NodeKind::Paragraph && dash_led(&ch.text).is_none() {
                    text.push(' ');
                    text.push_str(ch.text.trim());
                    last = last.max(ch.last_line);
                }
            }
        }
        // Period: nearest heading with a year, up to the section heading.
        let mut period = None;
        let mut cur = n.parent;
        while let Some(c) = cur {
            if tree.nodes[c].kind == NodeKind::Heading {
                if let Some(y) = period_year(&tree.nodes[c].text) {
                    period = Some(y);
                    break;
                }
            }
            if c == section {
                break;
            }
            cur = tree.nodes[c].parent;
        }
        let heading_period = period.is_some();
        // The target first (its period is only stored in it): the text's own year is read
        // only for a bullet that states a target.
        let Some((_, mut target)) = find_target(trules, &text, None) else { continue };
        target.period = period.or_else(|| period_year(&text));
        let group = {
            let mut g = None;
            let mut cur = n.parent;
            while let Some(c) = cur {
                let h = &tree.nodes[c];
                if h.kind == NodeKind::Heading && h.numbering == Some(Numbering::Letter) {
                    g = Some(h.text.trim().trim_end_matches(':').trim().to_string()).filter(|s| !s.is_empty());
                    break;
                }
                if c == section {
                    break;
                }
                cur = h.parent;
            }
            g
        };
        let unit = unit_of_with(trules, &[target.raw.as_str()]);
        let (lead, support) = resolve(&text);
        let section_path = tree.label_path(i).join(".");
        // A bullet under a recognised heading; the period found in a heading counts as that.
        let evidence = Evidence { structured_heading: heading_period, restored: norm.restored, ..Evidence::default() };
        out.push(Indicator {
            id: item_id("i", Origin::Body, None, Some(&section_path), &text),
            origin: Origin::Body,
            table: None,
            group,
            number,
            name: text,
            unit,
            targets: vec![target],
            lead,
            support,
            director: None,
            monitor: None,
            output: None,
            span: norm.lines_span(n.first_line, last),
            confidence: Some(score(&evidence)),
        });
    }
    let mut ids: Vec<String> = out.iter().map(|x| x.id.clone()).collect();
    dedupe_ids(&mut ids);
    for (x, id) in out.iter_mut().zip(ids) {
        x.id = id;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::SourceText;
    use crate::model::{AgencyRef, TargetOp};
    use crate::normalize::{normalize, NormalizeOptions};
    use crate::segment::Node;

    fn none(_: &str) -> (Vec<AgencyRef>, Vec<AgencyRef>) {
        (Vec::new(), Vec::new())
    }

    fn run(text: &str) -> Vec<Indicator> {
        let src = SourceText::from_string("t", text);
        let norm = normalize(&src, &NormalizeOptions::default());
        let rules = Rules::embedded();
        let tree = crate::segment::segment(&norm, rules);
        body_indicators(&norm, &tree, rules, &none)
    }

    const PLAN: &str = "\
II. MỤC TIÊU
1. Mục tiêu chung
- Xây dựng chính quyền số, kinh tế số, xã hội số hiện đại đến năm 2030.
2. Mục tiêu cụ thể
2.1. Đến hết năm 2025
a) Phát triển hạ tầng
- Tỷ lệ phủ sóng 5G trên địa bàn đạt ≥ 60%.
- Có ≥ 60% người sử dụng có khả năng truy cập băng rộng cố định với tốc độ trên 01 Gbps/s.
b) Phát triển nguồn lực
- Phấn đấu bố trí ít nhất 3,0% nguồn ngân sách chi cho khoa học, công nghệ, đổi mới sáng tạo.
c) Phát triển khoa học, công nghệ
- Ứng dụng AI, IoT, Big Data,... trong quản lý môi trường, đô thị thông minh.
2.2. Giai đoạn 2026-2030
a) Phát triển hạ tầng
- Tỷ lệ phủ sóng 5G trên địa bàn đạt 100%.
- 80% - 90% dân số trưởng thành thường xuyên sử dụng dịch vụ số.
III. NHIỆM VỤ, GIẢI PHÁP
1. Nâng cao nhận thức
- Tái sử dụng 100% dữ liệu đã số hóa.
";

    #[test]
    fn bullets_with_values_under_target_sections() {
        let v = run(PLAN);
        type Row<'a> = (Option<&'a str>, Option<&'a str>, &'a str, String, Option<&'a str>);
        let got: Vec<Row> = v
            .iter()
            .map(|x| (x.group.as_deref(), x.targets[0].period.as_deref(), x.targets[0].raw.as_str(), x.name.chars().take(17).collect(), x.unit.as_deref()))
            .collect();
        assert_eq!(
            got,
            vec![
                (Some("Phát triển hạ tầng"), Some("2025"), "≥ 60%", "Tỷ lệ phủ sóng 5G".to_string(), Some("%")),
                (Some("Phát triển hạ tầng"), Some("2025"), "≥ 60%", "Có ≥ 60% người sử".to_string(), Some("%")),
                (Some("Phát triển nguồn lực"), Some("2025"), "ít nhất 3,0%", "Phấn đấu bố trí í".to_string(), Some("%")),
                (Some("Phát triển hạ tầng"), Some("2030"), "100%", "Tỷ lệ phủ sóng 5G".to_string(), Some("%")),
                (Some("Phát triển hạ tầng"), Some("2030"), "80% - 90%", "80% - 90% dân số ".to_string(), Some("%")),
            ]
        );
        let x = &v[0];
        assert_eq!(x.origin, Origin::Body);
        assert_eq!(x.table, None);
        assert_eq!(x.number, None);
        assert_eq!(x.name, "Tỷ lệ phủ sóng 5G trên địa bàn đạt ≥ 60%.");
        assert_eq!((x.targets[0].op, x.targets[0].value), (TargetOp::Ge, Some(60.0)));
        assert_eq!(v[4].targets[0].op, TargetOp::Range);
        assert_eq!(v[4].targets[0].value_max, Some(90.0));
        assert!(x.lead.is_empty() && x.support.is_empty());
        assert!(x.id.starts_with("i-"));
        assert_eq!(x.confidence, Some(0.75));
        // Same text, different period: different ids.
        assert_ne!(v[0].id, v[3].id);
        // Spans point at the source lines of the bullets.
        assert_eq!(x.span.line_start, 7);
        assert_eq!(&PLAN[x.span.start..x.span.end], "- Tỷ lệ phủ sóng 5G trên địa bàn đạt ≥ 60%.");
    }

    #[test]
    fn stripped_text_works() {
        let plain = crate::fold::strip_diacritics(PLAN);
        let v = run(&plain);
        assert_eq!(v.len(), 5, "{:#?}", v.iter().map(|x| &x.name).collect::<Vec<_>>());
        // Stripped text is restored (--restore auto) before extraction.
        assert_eq!(v[0].group.as_deref(), Some("Phát triển hạ tầng"));
        assert_eq!(v[2].targets[0].raw, "ít nhất 3,0%");
        assert_eq!(v[3].targets[0].period.as_deref(), Some("2030"));
    }

    #[test]
    fn nothing_outside_target_sections() {
        let text = "III. NHIỆM VỤ, GIẢI PHÁP\n1. Các mục tiêu trọng tâm\n- Tái sử dụng 100% dữ liệu đã số hóa.\n1.6. Tăng cường kiểm tra việc thực hiện các mục tiêu\n- Bảo đảm 100% hồ sơ được kiểm tra.\n";
        assert!(run(text).is_empty());
        assert!(run("").is_empty());
    }

    #[test]
    fn period_from_bullet_when_headings_have_none() {
        let text = "II. MỤC TIÊU\n2. Mục tiêu cụ thể\n- Đến năm 2030, 100% hồ sơ công việc được xử lý trên môi trường điện tử.\n- Tỷ lệ người dân có chữ ký số đạt trên 50%.\n";
        let v = run(text);
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].targets[0].period.as_deref(), Some("2030"));
        assert_eq!(v[0].targets[0].raw, "100%");
        assert_eq!(v[1].targets[0].period, None);
        assert_eq!((v[1].targets[0].raw.as_str(), v[1].targets[0].op), ("trên 50%", TargetOp::Gt));
        assert_eq!(v[1].group, None);
        assert_eq!(v[1].confidence, Some(0.6));
    }

    /// [`period_year`] as first written, without the digit check.
    fn period_year_reference(text: &str) -> Option<String> {
        static SPAN: once_cell::sync::Lazy<Regex> = once_cell::sync::Lazy::new(|| {
            Regex::new(r"\b((?:19|20)[0-9]{2})\s*(?:-|/|\bden\b|\btoi\b)\s*(?:nam\s+)?((?:19|20)[0-9]{2})\b").unwrap()
        });
        static YEAR: once_cell::sync::Lazy<Regex> = once_cell::sync::Lazy::new(|| Regex::new(r"\b(?:19|20)[0-9]{2}\b").unwrap());
        let f = fold_keep(text).text;
        if let Some(c) = SPAN.captures(&f) {
            return Some(c[2].to_string());
        }
        let year = YEAR
            .find_iter(&f)
            .find(|m| {
                let before = f[..m.start()].trim_end();
                !(before.ends_with('/') || before.ends_with('-') || before.ends_with('.') || date_before(before))
            })
            .map(|m| m.as_str().to_string());
        year
    }

    /// The digit check changes no answer: on every line and pair of lines of the bundled
    /// texts, and on near misses.
    #[test]
    fn period_year_is_the_reference() {
        let mut texts: Vec<String> = ["năm 2025", "Giai đoạn 2025 - 2030", "1925", "x2025", "2019/2020", "năm 20 25", "２０２５", "ngày 1 tháng 2 năm 2020"]
            .map(String::from)
            .to_vec();
        for text in crate::test_data::texts(&crate::test_data::TEXT_DIRS, Some("txt")) {
            let lines: Vec<&str> = text.lines().collect();
            for w in lines.windows(2) {
                texts.push(w[0].to_string());
                texts.push(format!("{} {}", w[0], w[1]));
            }
        }
        let mut years = 0;
        for t in &texts {
            let want = period_year_reference(t);
            assert_eq!(period_year(t), want, "{t:?}");
            years += want.is_some() as usize;
        }
        assert!(years > 50, "{years}");
    }

    #[test]
    fn period_year_rules() {
        assert_eq!(period_year("Đến hết năm 2025").as_deref(), Some("2025"));
        assert_eq!(period_year("Pén hét nim 2025").as_deref(), Some("2025"));
        assert_eq!(period_year("Giai đoạn 2025-2030").as_deref(), Some("2030"));
        assert_eq!(period_year("Từ năm 2026 đến năm 2030").as_deref(), Some("2030"));
        assert_eq!(period_year("Đến năm 2030, tầm nhìn đến năm 2045").as_deref(), Some("2030"));
        assert_eq!(period_year("Các chỉ tiêu theo Nghị quyết 57-NQ/TW ngày 22/12/2024").as_deref(), None);
        assert_eq!(period_year("ngày 22 tháng 12 năm 2024").as_deref(), None);
        assert_eq!(period_year("Mục tiêu cụ thể").as_deref(), None);
    }

    /// A tree built by hand, as the segmenter would give it for OCR'd text where one bullet
    /// came out as a paragraph with debris before its dash.
    #[test]
    fn hand_built_tree_with_dash_led_paragraph() {
        let text = "2. Muc tieu cu the\n2.2. Den het nam 2030\na) Phat trien ha tang\n’ - 100% nguoi su dung co kha nang truy cap bang rong.\n- Ty le phu song 5G dat 100%.\n";
        let src = SourceText::from_string("t", text);
        let norm = normalize(&src, &NormalizeOptions::default());
        let node = |kind, label: Option<&str>, numbering, text: &str, line, parent, children: Vec<usize>| Node {
            kind,
            label: label.map(str::to_string),
            numbering,
            text: text.to_string(),
            first_line: line,
            last_line: line,
            parent,
            children,
        };
        let tree = DocTree {
            nodes: vec![
                node(NodeKind::Heading, Some("2"), Some(Numbering::Arabic), "Muc tieu cu the", 0, None, vec![1]),
                node(NodeKind::Heading, Some("2.2"), Some(Numbering::Decimal(1)), "Den het nam 2030", 1, Some(0), vec![2]),
                node(NodeKind::Heading, Some("a"), Some(Numbering::Letter), "Phat trien ha tang", 2, Some(1), vec![3, 4]),
                node(NodeKind::Paragraph, None, None, "’ - 100% nguoi su dung co kha nang truy cap bang rong.", 3, Some(2), vec![]),
                node(NodeKind::Bullet, Some("-"), None, "Ty le phu song 5G dat 100%.", 4, Some(2), vec![]),
            ],
            roots: vec![0],
        };
        let v = body_indicators(&norm, &tree, Rules::embedded(), &none);
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].name, "100% nguoi su dung co kha nang truy cap bang rong.");
        assert_eq!(v[0].group.as_deref(), Some("Phat trien ha tang"));
        assert_eq!(v[0].targets[0].period.as_deref(), Some("2030"));
        assert_eq!(v[1].span.line_start, 5);
        // A resolver's agencies land in lead/support.
        let vhxh = |_: &str| (vec![AgencyRef { id: "vhxh".into(), name: "Phòng Văn hóa - Xã hội".into() }], Vec::new());
        let v = body_indicators(&norm, &tree, Rules::embedded(), &vhxh);
        assert_eq!(v[0].lead[0].id, "vhxh");
    }

    #[test]
    fn leaf_numbered_items_are_indicators_with_their_number() {
        let text = "2. Chỉ tiêu cụ thể đến năm 2030\na) Tỷ lệ hồ sơ được số hóa đạt 100%.\nb) Hoàn thiện hạ tầng số.\n";
        let v = run(text);
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].number.as_deref(), Some("a"));
        assert_eq!(v[0].group, None);
        assert_eq!(v[0].targets[0].period.as_deref(), Some("2030"));
    }

    #[test]
    fn garbage_never_panics() {
        for text in ["2. Mục tiêu\n- ≥\n- %\n- ’ -\n", "Mục tiêu\n-\n+ 5%", "\u{301}- 5%\n2.1 Mục tiêu 2025\n- - - 100%"] {
            let _ = run(text);
        }
    }
}
