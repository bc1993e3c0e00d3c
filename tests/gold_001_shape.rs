//! The hand-made reference annotation of seed 001 (OCR scan of the Đông Hải plan) has the
//! shape of `fixtures/gold/FORMAT.md` and the counts stated in `fixtures/gold/001_NOTES.md`.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use unicode_normalization::is_nfc;

fn path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/gold/001_70b3ee0bbeef00db.json")
}

fn gold() -> Value {
    serde_json::from_str(&std::fs::read_to_string(path()).expect("gold 001 reads")).expect("gold 001 is JSON")
}

fn keys(v: &Value) -> Vec<&str> {
    v.as_object().expect("object").keys().map(String::as_str).collect()
}

/// Every string anywhere in `v`, with its JSON path.
fn strings<'a>(v: &'a Value, at: String, out: &mut Vec<(String, &'a str)>) {
    match v {
        Value::String(s) => out.push((at, s)),
        Value::Array(a) => a.iter().enumerate().for_each(|(i, x)| strings(x, format!("{at}[{i}]"), out)),
        Value::Object(o) => o.iter().for_each(|(k, x)| strings(x, format!("{at}.{k}"), out)),
        _ => {}
    }
}

#[test]
fn loads_as_gold() {
    let g = kehoach::eval::Gold::load(&path()).expect("the evaluator reads it");
    assert_eq!(g.indicators.len(), 70);
    assert_eq!(g.tasks.len(), 64);
}

#[test]
fn keys_follow_format() {
    let g = gold();
    assert_eq!(keys(&g), ["seed", "document", "indicators", "tasks"]);
    assert_eq!(g["seed"], "001_70b3ee0bbeef00db.txt");
    let d = &g["document"];
    assert_eq!(keys(d), ["doc_type", "issuer", "ward", "number", "date", "place", "title", "signer", "references"]);
    assert_eq!(d["number"], "25/KH-UBND");
    assert_eq!(d["date"], "2025-08-19");
    for r in d["references"].as_array().unwrap() {
        assert_eq!(keys(r), ["type", "number", "date", "issuer"]);
    }
    for x in g["indicators"].as_array().unwrap() {
        assert_eq!(keys(x), ["origin", "table", "group", "number", "name", "unit", "targets", "lead", "support", "director", "monitor", "output"]);
        assert!(!x["targets"].as_array().unwrap().is_empty(), "{x}");
        for t in x["targets"].as_array().unwrap() {
            assert_eq!(keys(t), ["period", "raw"]);
            assert!(["2025", "2030", "2035", "2040", "2045"].contains(&t["period"].as_str().unwrap()), "{t}");
        }
    }
    for t in g["tasks"].as_array().unwrap() {
        assert_eq!(keys(t), ["origin", "table", "section", "number", "text", "lead", "support", "output", "deadline"]);
        assert!(!t["text"].as_str().unwrap().is_empty());
    }
}

#[test]
fn text_is_nfc_and_restored() {
    let g = gold();
    let mut all = Vec::new();
    strings(&g, String::new(), &mut all);
    for (at, s) in &all {
        assert!(is_nfc(s), "{at}: not NFC: {s}");
        assert_eq!(s.trim(), *s, "{at}");
        // OCR debris of the source must not survive into the reference.
        for bad in ["|", "ctia", "s6 ", "Pong", "¢", "  "] {
            assert!(!s.contains(bad), "{at}: {bad:?} in {s}");
        }
    }
    // Traditional tone placement, as FORMAT.md asks.
    let text = serde_json::to_string(&g).unwrap();
    for modern in ["hoá", "Uỷ", "uỷ", "khoẻ"] {
        assert!(!text.contains(modern), "{modern}");
    }
}

#[test]
fn counts_per_origin_match_the_notes() {
    let g = gold();
    let count = |arr: &str| {
        let mut m = BTreeMap::new();
        for x in g[arr].as_array().unwrap() {
            *m.entry(x["origin"].as_str().unwrap().to_string()).or_insert(0usize) += 1;
        }
        m
    };
    let ind = count("indicators");
    assert_eq!(ind.get("appendix"), Some(&20));
    assert_eq!(ind.get("body"), Some(&50));
    let tasks = count("tasks");
    assert_eq!(tasks.get("appendix"), Some(&19));
    assert_eq!(tasks.get("body"), Some(&41));
    assert_eq!(tasks.get("organization"), Some(&4));
    // The notes state the same figures.
    let notes = std::fs::read_to_string(path().with_file_name("001_NOTES.md")).expect("notes");
    for line in ["indicators appendix: 20", "indicators body: 50", "tasks appendix: 19", "tasks body: 41", "tasks organization: 4"] {
        assert!(notes.contains(line), "notes lack {line:?}");
    }
}

#[test]
fn body_targets_one_per_bullet_within_its_text() {
    let g = gold();
    let mut per_year = BTreeMap::new();
    for x in g["indicators"].as_array().unwrap().iter().filter(|x| x["origin"] == "body") {
        let t = x["targets"].as_array().unwrap();
        assert_eq!(t.len(), 1, "{x}");
        assert!(x["name"].as_str().unwrap().contains(t[0]["raw"].as_str().unwrap()), "{x}");
        assert!(x["table"].is_null() && x["number"].is_null());
        assert!(["Phát triển hạ tầng", "Phát triển nguồn lực", "Phát triển chuyển đổi số"].contains(&x["group"].as_str().unwrap()));
        *per_year.entry(t[0]["period"].as_str().unwrap().to_string()).or_insert(0) += 1;
    }
    let per_year: Vec<_> = per_year.into_iter().collect();
    let want = [("2025", 15), ("2030", 14), ("2035", 7), ("2040", 9), ("2045", 5)].map(|(y, n)| (y.to_string(), n));
    assert_eq!(per_year, want);
}

#[test]
fn appendix_rows_are_numbered_in_order_with_canonical_agencies() {
    let g = gold();
    let canonical = [
        "Phòng Văn hóa - Xã hội",
        "Phòng Kinh tế, Hạ tầng và Đô thị",
        "Văn phòng HĐND và UBND",
        "Trung tâm Phục vụ hành chính công",
        "Công an phường",
        "Ủy ban MTTQ Việt Nam phường",
        "Các phòng, ban, đơn vị",
        "Tổ công nghệ số cộng đồng",
        "Trung tâm Sự nghiệp công",
    ];
    let inds: Vec<&Value> = g["indicators"].as_array().unwrap().iter().filter(|x| x["origin"] == "appendix").collect();
    for (i, x) in inds.iter().enumerate() {
        assert_eq!(x["number"], (i + 1).to_string());
        assert_eq!(x["table"], "Phụ lục 1");
        assert!(x["director"].as_str().unwrap().starts_with("Đ/c Nguyễn "));
    }
    let tasks: Vec<&Value> = g["tasks"].as_array().unwrap().iter().filter(|x| x["origin"] == "appendix").collect();
    for (i, t) in tasks.iter().enumerate() {
        assert_eq!(t["number"], (i + 1).to_string());
        assert_eq!(t["table"], "Phụ lục số 02");
        assert!(t["deadline"].is_string());
    }
    for x in g["indicators"].as_array().unwrap().iter().chain(g["tasks"].as_array().unwrap()) {
        for a in x["lead"].as_array().unwrap().iter().chain(x["support"].as_array().unwrap()) {
            assert!(canonical.contains(&a.as_str().unwrap()), "{a}");
        }
    }
}
