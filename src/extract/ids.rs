//! Stable ids for tasks and indicators.
//!
//! An id is derived from the item's *content* only: its origin, the table and section it
//! sits in, and its text, each folded ([`crate::fold::fold`]: no diacritics, lowercase,
//! punctuation and whitespace collapsed). Position, item number, line numbers, the number
//! of items before it and the time play no part, so an item keeps its id when
//! whitespace, line wrapping or page breaks change, when it is renumbered, or when other
//! items are added before it. Two items with the same content in one document are told
//! apart by [`dedupe_ids`], which appends `-2`, `-3`, ... in document order.
//!
//! Format: `<prefix>-<12 hex digits of sha256>`, e.g. `t-3f9a0c51b2e4` for a task,
//! `i-...` for an indicator.

use crate::fold::{fold, fold_into};
use crate::model::Origin;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// Hex digits of the hash kept in an id (48 bits: collisions are negligible within a
/// document and across the versions of a plan).
pub const ID_HEX_LEN: usize = 12;

fn origin_key(origin: Origin) -> &'static str {
    match origin {
        Origin::Appendix => "appendix",
        Origin::Body => "body",
        Origin::Organization => "organization",
    }
}

thread_local! {
    /// The table and the section name last folded on this thread, each with its folded
    /// form (both empty at first: `fold("")` is empty): the items of one table or section
    /// come one after another, and the name is folded once for them all.
    static FOLDED_PARTS: std::cell::RefCell<[(String, String); 2]> = Default::default();
}

/// Forgets the names folded for the last document, as the other per-document memories
/// do: no document's cost depends on the one before it.
pub fn start_document() {
    FOLDED_PARTS.with(|p| *p.borrow_mut() = Default::default());
}

/// The id of an item from its content. `prefix` is `"t"` for tasks and `"i"` for
/// indicators (a trailing `-` is accepted: `"t-"`).
pub fn item_id(prefix: &str, origin: Origin, table: Option<&str>, section: Option<&str>, text: &str) -> String {
    item_id_folded(prefix, origin, table, section, &fold(text))
}

/// [`item_id`] of a text already folded (`folded_text` = `fold(text)`): a caller that
/// folds the text for its own use does not fold it again for the id.
pub fn item_id_folded(prefix: &str, origin: Origin, table: Option<&str>, section: Option<&str>, folded_text: &str) -> String {
    let prefix = prefix.trim_end_matches('-');
    let mut h = Sha256::new();
    // Fields are separated by a byte that folded text never contains.
    for part in [prefix, origin_key(origin)] {
        h.update(part.as_bytes());
        h.update([0x1f]);
    }
    for (k, part) in [table, section].into_iter().enumerate() {
        let part = part.unwrap_or("");
        FOLDED_PARTS.with(|m| {
            let (last, folded) = &mut m.borrow_mut()[k];
            if last != part {
                last.clear();
                last.push_str(part);
                fold_into(part, folded);
            }
            h.update(folded.as_bytes());
        });
        h.update([0x1f]);
    }
    h.update(folded_text.as_bytes());
    let digest = h.finalize();
    let mut id = String::with_capacity(prefix.len() + 1 + ID_HEX_LEN);
    id.push_str(prefix);
    id.push('-');
    id.push_str(&crate::ingest::hex(&digest[..ID_HEX_LEN / 2]));
    id
}

/// Makes ids unique within one document: the first occurrence of an id keeps it, later
/// ones get `-2`, `-3`, ... in order (skipping any suffix already taken).
pub fn dedupe_ids(ids: &mut [String]) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let originals: std::collections::HashSet<String> = ids.iter().cloned().collect();
    let mut taken: std::collections::HashSet<String> = std::collections::HashSet::new();
    for id in ids.iter_mut() {
        let count = seen.entry(id.clone()).or_insert(0);
        *count += 1;
        if *count == 1 && taken.insert(id.clone()) {
            continue;
        }
        let mut n = (*count).max(2);
        loop {
            let candidate = format!("{id}-{n}");
            if !originals.contains(&candidate) && taken.insert(candidate.clone()) {
                *id = candidate;
                break;
            }
            n += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "Xây dựng, triển khai chương trình chuyển đổi số trong các cơ quan, đơn vị trên địa bàn phường";

    fn id(text: &str) -> String {
        item_id("t", Origin::Appendix, Some("Phụ lục 3"), Some("I"), text)
    }

    /// [`item_id`] as first written (a formatter call per hex digit pair).
    fn item_id_reference(prefix: &str, origin: Origin, table: Option<&str>, section: Option<&str>, text: &str) -> String {
        let prefix = prefix.trim_end_matches('-');
        let mut h = Sha256::new();
        for part in [prefix, origin_key(origin)] {
            h.update(part.as_bytes());
            h.update([0x1f]);
        }
        for part in [table, section] {
            h.update(fold(part.unwrap_or("")).as_bytes());
            h.update([0x1f]);
        }
        h.update(fold(text).as_bytes());
        let digest = h.finalize();
        let hex: String = digest.iter().take(ID_HEX_LEN / 2).map(|b| format!("{b:02x}")).collect();
        format!("{prefix}-{hex}")
    }

    /// A new document starts with no name remembered, and its ids are the same.
    #[test]
    fn start_document_forgets_the_names() {
        let before = item_id("t", Origin::Appendix, Some("Phụ lục 1"), Some("II.2"), "Xây dựng kế hoạch");
        assert!(FOLDED_PARTS.with(|p| !p.borrow()[0].0.is_empty()));
        start_document();
        assert!(FOLDED_PARTS.with(|p| p.borrow().iter().all(|(a, b)| a.is_empty() && b.is_empty())));
        assert_eq!(item_id("t", Origin::Appendix, Some("Phụ lục 1"), Some("II.2"), "Xây dựng kế hoạch"), before);
    }

    #[test]
    fn item_id_is_the_reference() {
        let lines = ["", "  ", TEXT, "Phụ lục 3", "III.1", "Kế hoạch số 12/KH-UBND"];
        for (k, text) in lines.iter().enumerate() {
            for (table, section) in [(None, None), (Some(lines[k]), Some("I")), (Some("Phụ lục 3"), Some(lines[(k + 1) % lines.len()]))] {
                for origin in [Origin::Appendix, Origin::Body, Origin::Organization] {
                    let want = item_id_reference("t", origin, table, section, text);
                    assert_eq!(item_id("t-", origin, table, section, text), want);
                    assert_eq!(item_id_folded("t", origin, table, section, &fold(text)), want);
                }
            }
        }
    }

    #[test]
    fn format_is_prefix_and_12_hex() {
        let a = id(TEXT);
        assert!(a.starts_with("t-"), "{a}");
        assert_eq!(a.len(), 2 + ID_HEX_LEN);
        assert!(a[2..].chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_eq!(item_id("t-", Origin::Appendix, Some("Phụ lục 3"), Some("I"), TEXT), a);
        assert!(item_id("i", Origin::Appendix, Some("Phụ lục 3"), Some("I"), TEXT).starts_with("i-"));
    }

    #[test]
    fn stable_under_whitespace_and_rewrapping() {
        let a = id(TEXT);
        assert_eq!(id(&format!("  {TEXT}  ")), a);
        assert_eq!(id(&TEXT.replace(' ', "   ")), a);
        // Wrapped at different widths.
        assert_eq!(id(&TEXT.replace("chương trình ", "chương trình\n")), a);
        assert_eq!(id(&TEXT.replace("trong các ", "trong\ncác\n").replace(", đơn vị", ",\n   đơn vị")), a);
        // CRLF and tabs.
        assert_eq!(id(&TEXT.replace("số ", "số\r\n\t")), a);
    }

    #[test]
    fn stable_under_page_breaks() {
        let a = id(TEXT);
        // A form feed where the text crosses a page.
        assert_eq!(id(&TEXT.replace("cơ quan, ", "cơ quan,\n\u{000C}")), a);
        assert_eq!(id(&TEXT.replace("cơ quan, ", "cơ quan,\u{000C}\n\n")), a);
    }

    #[test]
    fn stable_under_unicode_form() {
        use unicode_normalization::UnicodeNormalization;
        let a = id(TEXT);
        let nfd: String = TEXT.nfd().collect();
        assert_eq!(id(&nfd), a);
    }

    #[test]
    fn content_changes_change_the_id() {
        let a = id(TEXT);
        assert_ne!(id(&TEXT.replace("phường", "xã")), a);
        assert_ne!(item_id("t", Origin::Body, Some("Phụ lục 3"), Some("I"), TEXT), a);
        assert_ne!(item_id("t", Origin::Appendix, Some("Phụ lục 2"), Some("I"), TEXT), a);
        assert_ne!(item_id("t", Origin::Appendix, Some("Phụ lục 3"), Some("II"), TEXT), a);
        assert_ne!(item_id("i", Origin::Appendix, Some("Phụ lục 3"), Some("I"), TEXT), a);
        // Table and section boundaries are not ambiguous.
        assert_ne!(
            item_id("t", Origin::Body, Some("a"), Some("b c"), "x"),
            item_id("t", Origin::Body, Some("a b"), Some("c"), "x")
        );
    }

    #[test]
    fn stable_when_items_are_inserted_before() {
        let texts = ["Tuyên truyền về chuyển đổi số", TEXT, "Đào tạo kỹ năng số cho cán bộ"];
        let build = |texts: &[&str]| {
            let mut ids: Vec<String> = texts.iter().map(|t| id(t)).collect();
            dedupe_ids(&mut ids);
            ids
        };
        let before = build(&texts);
        let after = build(&["Một nhiệm vụ mới được bổ sung", "Nhiệm vụ mới thứ hai", texts[0], texts[1], texts[2]]);
        assert_eq!(&after[2..], &before[..]);
    }

    #[test]
    fn dedupe_appends_suffixes_in_order() {
        let a = id("Tổ chức tuyên truyền");
        let b = id("Báo cáo kết quả");
        let mut ids = vec![a.clone(), b.clone(), a.clone(), a.clone()];
        dedupe_ids(&mut ids);
        assert_eq!(ids, vec![a.clone(), b.clone(), format!("{a}-2"), format!("{a}-3")]);
        // A duplicate added before keeps the first one's id for the first occurrence.
        let mut ids2 = vec![b.clone(), a.clone(), a.clone()];
        dedupe_ids(&mut ids2);
        assert_eq!(ids2, vec![b, a.clone(), format!("{a}-2")]);
    }

    #[test]
    fn dedupe_avoids_existing_suffixed_ids() {
        let mut ids = vec!["t-x".to_string(), "t-x".to_string(), "t-x-2".to_string()];
        dedupe_ids(&mut ids);
        let set: std::collections::HashSet<_> = ids.iter().collect();
        assert_eq!(set.len(), 3, "{ids:?}");
        assert_eq!(ids[0], "t-x");
        assert_eq!(ids[2], "t-x-2");
    }
}
