//! Every deadline and target printed in the reference annotations parses to a sensible
//! value: deadlines get a kind other than `unspecified`, targets an op matching their text.

use kehoach::extract::deadline::parse_deadline;
use kehoach::extract::target::{parse_targets, unit_of};
use kehoach::model::{DeadlineKind, TargetOp};
use kehoach::Rules;
use std::path::Path;

fn gold() -> Vec<(String, serde_json::Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/gold");
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("fixtures/gold") {
        let p = e.expect("entry").path();
        if p.extension().is_some_and(|x| x == "json") {
            let v = serde_json::from_str(&std::fs::read_to_string(&p).expect("read")).expect("json");
            out.push((p.display().to_string(), v));
        }
    }
    assert!(!out.is_empty());
    out
}

#[test]
fn gold_deadlines_all_parse() {
    let rules = Rules::embedded();
    let mut n = 0;
    for (file, g) in gold() {
        for t in g["tasks"].as_array().expect("tasks") {
            let Some(raw) = t["deadline"].as_str() else { continue };
            let d = parse_deadline(raw, &rules.deadlines).expect("non-empty deadline");
            assert_eq!(d.raw, raw, "{file}");
            assert_ne!(d.kind, DeadlineKind::Unspecified, "{file}: {raw}");
            if matches!(d.kind, DeadlineKind::Date | DeadlineKind::Month | DeadlineKind::Year | DeadlineKind::Range) {
                assert!(d.date.is_some(), "{file}: {raw}");
            }
            n += 1;
        }
    }
    assert!(n > 50, "{n}");
}

#[test]
fn gold_targets_all_parse() {
    let mut n = 0;
    for (file, g) in gold() {
        for ind in g["indicators"].as_array().expect("indicators") {
            let raws: Vec<&str> = ind["targets"].as_array().expect("targets").iter().map(|t| t["raw"].as_str().expect("raw")).collect();
            for raw in &raws {
                let v = parse_targets(raw, Some("p"));
                assert_eq!(v.len(), 1, "{file}: {raw}");
                let t = &v[0];
                assert_eq!(t.raw, *raw);
                // Word operators as printed in the OCR'd plan 001 ("Ít nhất 3,0%", "Đạt trên 3%").
                let folded = kehoach::fold::fold(raw);
                let words = folded.strip_prefix("dat ").unwrap_or(&folded);
                let expect = if *raw == "-" {
                    TargetOp::None
                } else if words.starts_with("it nhat ") {
                    TargetOp::Ge
                } else if words.starts_with("tren ") {
                    TargetOp::Gt
                } else if !raw.chars().any(|c| c.is_ascii_digit()) {
                    TargetOp::Text
                } else if raw.starts_with('≥') {
                    TargetOp::Ge
                } else if raw.starts_with('>') {
                    TargetOp::Gt
                } else if raw.contains('-') {
                    TargetOp::Range
                } else {
                    TargetOp::Eq
                };
                assert_eq!(t.op, expect, "{file}: {raw}");
                assert_eq!(t.value.is_some(), !matches!(expect, TargetOp::None | TargetOp::Text), "{file}: {raw}");
                n += 1;
            }
            // Where the cells carry "%", the unit is "%" (rows whose unit comes from a unit
            // column print bare numbers and are not checked here).
            if raws.iter().any(|r| r.contains('%')) {
                assert_eq!(unit_of(&raws).as_deref(), Some("%"));
                assert_eq!(ind["unit"].as_str(), Some("%"), "{file}");
            } else if ind["unit"].is_null() {
                assert_eq!(unit_of(&raws), None, "{file}");
            }
        }
    }
    assert!(n > 100, "{n}");
}
