//! Document metadata and references of the annotated seeds match the reference
//! annotations in fixtures/gold exactly.

use kehoach::{Options, Rules};
use serde_json::Value;
use std::path::Path;

fn check(stem: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let gold: Value = serde_json::from_str(&std::fs::read_to_string(root.join("fixtures/gold").join(format!("{stem}.json"))).unwrap()).unwrap();
    let doc = kehoach::extract_path(&root.join("corpus").join(format!("{stem}.txt")), Rules::embedded(), &Options::default()).unwrap();
    let got = serde_json::to_value(&doc.document).unwrap();
    let g = &gold["document"];
    for field in ["doc_type", "issuer", "ward", "number", "date", "place", "title", "signer"] {
        assert_eq!(got[field], g[field], "{stem}: {field}");
    }
    let key = |r: &Value| (r["type"].as_str().unwrap().to_string(), r["number"].as_str().unwrap().to_string());
    let mut want: Vec<_> = g["references"].as_array().unwrap().iter().map(|r| (key(r), r["date"].clone(), r["issuer"].clone())).collect();
    let mut have: Vec<_> = got["references"].as_array().unwrap().iter().map(|r| (key(r), r["date"].clone(), r["issuer"].clone())).collect();
    want.sort_by(|a, b| a.0.cmp(&b.0));
    have.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(have, want, "{stem}: references");
}

#[test]
fn seed_000() {
    check("000_02e69c9bc29ccf5a");
}

#[test]
fn seed_002() {
    check("002_b1327e20565ee258");
}

#[test]
fn seed_003() {
    check("003_c190c98b621f42d7");
}

#[test]
fn seed_004() {
    check("004_ff0ca8bcd500a04a");
}
