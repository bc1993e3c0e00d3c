//! Confidence of an extracted task or indicator, from the evidence used to build it.
//!
//! The score is a plain, documented function of a few flags; it is meant for reviewers
//! (the review page marks items under [`LOW_CONFIDENCE`]), not as a probability.
//!
//! | evidence                                           | effect           |
//! |----------------------------------------------------|------------------|
//! | base                                               | 0.60             |
//! | row of a recognised table (header columns matched) | +0.25            |
//! | numbered item or bullet under a known heading      | +0.15 (not both) |
//! | every agency matched exactly (after folding)       | +0.10            |
//! | some agency matched only fuzzily                   | −0.10            |
//! | agency column/phrase present but nothing matched   | −0.20            |
//! | no agency stated where one was expected            | −0.05            |
//! | text restored (diacritics / OCR repair)            | −0.15            |
//! | a value (deadline, target) could not be parsed     | −0.10            |
//! | each warning attached to the item                  | −0.05 (max −0.15)|
//!
//! The result is clamped to 0..=1 and rounded to two decimals so JSON output is stable.

use crate::model::{Span, Warning};

/// Items under this confidence are flagged for review.
pub const LOW_CONFIDENCE: f32 = 0.6;

/// What the extractor relied on for one item.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Evidence {
    /// The item is a data row of a table whose header columns were recognised.
    pub table_structure: bool,
    /// The item is a numbered item or bullet under a recognised heading.
    pub structured_heading: bool,
    /// Every agency of the item matched an alias exactly (folded).
    pub agency_exact: bool,
    /// At least one agency matched only by fuzzy (edit-distance) matching.
    pub agency_fuzzy: bool,
    /// An agency column or phrase was present but no agency could be matched.
    pub agency_unmatched: bool,
    /// The item was expected to name an agency (table with a lead column) but has none.
    pub agency_missing: bool,
    /// The text went through diacritic restoration or OCR repair.
    pub restored: bool,
    /// A deadline or target was present but could not be parsed into a typed value.
    pub unparsed_value: bool,
    /// Number of warnings whose span covers the item.
    pub warnings: u32,
}

/// The confidence score in 0..=1 (two decimals) for the given evidence.
pub fn score(e: &Evidence) -> f32 {
    let mut s: f32 = 0.60;
    if e.table_structure {
        s += 0.25;
    } else if e.structured_heading {
        s += 0.15;
    }
    if e.agency_exact && !e.agency_fuzzy && !e.agency_unmatched {
        s += 0.10;
    }
    if e.agency_fuzzy {
        s -= 0.10;
    }
    if e.agency_unmatched {
        s -= 0.20;
    }
    if e.agency_missing {
        s -= 0.05;
    }
    if e.restored {
        s -= 0.15;
    }
    if e.unparsed_value {
        s -= 0.10;
    }
    s -= (e.warnings.min(3) as f32) * 0.05;
    (s.clamp(0.0, 1.0) * 100.0).round() / 100.0
}

/// True when two spans share at least one byte, or (for empty spans) a line.
pub fn spans_overlap(a: &Span, b: &Span) -> bool {
    if a.start < b.end && b.start < a.end {
        return true;
    }
    (a.start == a.end || b.start == b.end) && a.line_start <= b.line_end && b.line_start <= a.line_end
}

/// The warnings whose span overlaps `span`: these name the item they concern.
pub fn warnings_covering<'a>(span: &Span, warnings: &'a [Warning]) -> Vec<&'a Warning> {
    warnings.iter().filter(|w| w.span.as_ref().is_some_and(|ws| spans_overlap(span, ws))).collect()
}

/// True when a confidence should be flagged for review.
pub fn is_low(confidence: Option<f32>) -> bool {
    confidence.is_some_and(|c| c < LOW_CONFIDENCE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_row_with_exact_agencies_is_high() {
        let e = Evidence { table_structure: true, agency_exact: true, ..Default::default() };
        assert_eq!(score(&e), 0.95);
        assert!(!is_low(Some(score(&e))));
    }

    #[test]
    fn evidence_orders_scores() {
        let exact = score(&Evidence { table_structure: true, agency_exact: true, ..Default::default() });
        let fuzzy = score(&Evidence { table_structure: true, agency_fuzzy: true, ..Default::default() });
        let restored = score(&Evidence { table_structure: true, agency_fuzzy: true, restored: true, ..Default::default() });
        let body = score(&Evidence { structured_heading: true, ..Default::default() });
        assert!(exact > fuzzy && fuzzy > restored, "{exact} {fuzzy} {restored}");
        assert!(exact > body);
    }

    #[test]
    fn warnings_are_matched_by_span() {
        let span = |start, end, l1, l2| Span { start, end, line_start: l1, line_end: l2, page: None };
        let w = |s: Option<Span>| Warning { code: "x".into(), message: "m".into(), span: s };
        let ws = vec![w(Some(span(10, 20, 2, 2))), w(Some(span(30, 40, 4, 5))), w(None)];
        assert_eq!(warnings_covering(&span(15, 35, 2, 4), &ws).len(), 2);
        assert_eq!(warnings_covering(&span(20, 30, 3, 3), &ws).len(), 0);
        assert_eq!(warnings_covering(&span(0, 0, 5, 5), &ws).len(), 1);
    }

    #[test]
    fn worst_case_is_low_and_clamped() {
        let e = Evidence {
            agency_unmatched: true,
            agency_missing: true,
            restored: true,
            unparsed_value: true,
            warnings: 10,
            ..Default::default()
        };
        let s = score(&e);
        assert!((0.0..LOW_CONFIDENCE).contains(&s), "{s}");
        assert!(is_low(Some(s)));
        assert!(!is_low(None));
    }
}
