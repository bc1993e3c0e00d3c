//! Property tests of pipeline invariants on generated plan-like text: normalization is
//! idempotent and NFC, spans point at the text they came from, the value parsers never
//! panic, and no input makes the pipeline panic.

use kehoach::ingest::SourceText;
use kehoach::normalize::{normalize, NormalizeOptions, RestoreMode};
use kehoach::{Options, Rules};
use proptest::prelude::*;
use unicode_normalization::UnicodeNormalization;

/// Words and structural pieces found in plans, including NFD and old-style tone marks.
fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Phòng".to_string()),
        Just("Văn hóa".to_string()),
        Just("hoà".to_string()),
        Just("Uỷ ban".to_string()),
        Just("nhân dân".to_string()),
        Just("ho\u{0300}a".to_string()),
        Just("triển khai".to_string()),
        Just("57-".to_string()),
        Just("NQ/TW".to_string()),
        Just("≥ 60%".to_string()),
        Just("$\\geq 82\\%$".to_string()),
        Just("**".to_string()),
        Just("-".to_string()),
        Just("1.".to_string()),
        Just("I.".to_string()),
        Just("a)".to_string()),
        Just("TT".to_string()),
        Just("\t".to_string()),
        Just("8".to_string()),
        Just("Phụ lục".to_string()),
        Just("Thường xuyên".to_string()),
        Just("10/2025".to_string()),
        "[a-zA-Zđơư]{1,8}".prop_map(|s| s),
    ]
}

fn line() -> impl Strategy<Value = String> {
    prop::collection::vec(token(), 0..12).prop_map(|ws| ws.join(" "))
}

fn document() -> impl Strategy<Value = String> {
    prop::collection::vec(line(), 0..40).prop_map(|ls| ls.join("\n"))
}

fn opts() -> NormalizeOptions {
    NormalizeOptions { restore: RestoreMode::Never, ..NormalizeOptions::default() }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn normalization_is_idempotent_and_nfc(text in document()) {
        let once = normalize(&SourceText::from_string("p", &text), &opts());
        let twice = normalize(&SourceText::from_string("p", &once.text), &opts());
        prop_assert_eq!(&twice.text, &once.text);
        let nfc: String = once.text.nfc().collect();
        prop_assert_eq!(&nfc, &once.text);
    }

    #[test]
    fn normalized_chars_map_into_the_source(text in document()) {
        let src = SourceText::from_string("p", &text);
        let norm = normalize(&src, &opts());
        for i in 0..norm.line_count() {
            let l = norm.lines[i];
            if l.start == l.end {
                continue;
            }
            let span = norm.span(l.start, l.end);
            prop_assert!(span.start <= span.end && span.end <= src.text.len());
            prop_assert!(src.text.is_char_boundary(span.start) && src.text.is_char_boundary(span.end));
            prop_assert!(span.line_start <= span.line_end);
        }
    }

    #[test]
    fn pipeline_never_panics_and_spans_are_valid(text in document()) {
        let src = SourceText::from_string("p", &text);
        let doc = kehoach::extract(&src, Rules::embedded(), &Options::default()).unwrap();
        for t in &doc.tasks {
            prop_assert!(t.span.start <= t.span.end && t.span.end <= src.text.len());
        }
        for i in &doc.indicators {
            prop_assert!(i.span.start <= i.span.end && i.span.end <= src.text.len());
        }
    }

    #[test]
    fn value_parsers_never_panic(cell in "[0-9/,.%≥≤<>=– -]{0,12}|[\\PC]{0,24}") {
        let rules = Rules::embedded();
        if let Some(d) = kehoach::extract::deadline::parse_deadline(&cell, &rules.deadlines) {
            prop_assert!(!d.raw.is_empty());
        }
        let _ = kehoach::extract::target::parse_targets(&cell, Some("2025"));
    }
}

/// Spans of the corpus tasks cover their text: the folded first words of each task are
/// in the folded source slice its span names.
#[test]
fn corpus_spans_cover_task_text() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for stem in ["000_02e69c9bc29ccf5a", "002_b1327e20565ee258", "003_c190c98b621f42d7", "004_ff0ca8bcd500a04a"] {
        let path = root.join("corpus").join(format!("{stem}.txt"));
        let src = kehoach::ingest::read_path(&path).unwrap();
        let doc = kehoach::extract(&src, Rules::embedded(), &Options::default()).unwrap();
        for t in &doc.tasks {
            let slice = kehoach::fold::fold(&src.text[t.span.start..t.span.end]);
            let head: String = kehoach::fold::fold(&t.text).split(' ').take(3).collect::<Vec<_>>().join(" ");
            assert!(slice.contains(&head), "{stem}: span of {:?} does not contain {head:?}", t.number);
        }
    }
}

/// A case proptest found: a page number next to a code split over lines.
#[test]
fn idempotent_around_page_number_and_split_code() {
    let text = "- Văn hóa nhân dân ưđaAơAAa NQ/TW 1. Phòng\n8\n57-\nThường xuyên Uỷ ban Thường xuyên NQ/TW";
    let once = normalize(&SourceText::from_string("p", text), &opts());
    let twice = normalize(&SourceText::from_string("p", &once.text), &opts());
    assert_eq!(twice.text, once.text);
}

/// Every task and indicator of the corpus carries a confidence in 0..1.
#[test]
fn corpus_items_have_confidence() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for entry in std::fs::read_dir(root.join("corpus")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("txt") {
            continue;
        }
        let doc = kehoach::extract_path(&path, Rules::embedded(), &Options::default()).unwrap();
        for c in doc.tasks.iter().map(|t| t.confidence).chain(doc.indicators.iter().map(|i| i.confidence)) {
            let c = c.unwrap_or_else(|| panic!("{}: item without confidence", path.display()));
            assert!((0.0..=1.0).contains(&c));
        }
    }
}
