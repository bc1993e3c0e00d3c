//! The output contract's JSON Schema: every corpus output validates, wrong shapes do not.

use jsonschema::Validator;
use kehoach::{Options, Rules};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

fn validator() -> Validator {
    let schema: Value = serde_json::from_str(kehoach::schema::JSON_SCHEMA).expect("schema is JSON");
    jsonschema::draft202012::new(&schema).expect("schema is a valid draft 2020-12 schema")
}

fn corpus_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("corpus dir")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != "PROVENANCE"))
        .collect();
    files.sort();
    assert!(files.len() >= 5, "corpus has the 5 sample plans");
    files
}

fn errors(v: &Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc).map(|e| format!("{} at {}", e, e.instance_path)).collect()
}

#[test]
fn every_corpus_output_validates() {
    let v = validator();
    for path in corpus_files() {
        let doc = kehoach::extract_path(&path, Rules::embedded(), &Options::default()).expect("corpus extracts");
        let json = serde_json::to_value(&doc).expect("serializes");
        let errs = errors(&v, &json);
        assert!(errs.is_empty(), "{}: {errs:#?}", path.display());
    }
}

/// A document with one of everything, optional fields included: the full shape.
fn full_document() -> Value {
    let span = json!({"start": 10, "end": 42, "line_start": 3, "line_end": 4, "page": 1});
    let agency = json!({"id": "vhxh", "name": "Phòng Văn hóa - Xã hội"});
    json!({
        "schema_version": "1",
        "source": {"path": "a.pdf", "sha256": "0".repeat(64), "format": "pdf", "encoding": "utf-8", "restored": false},
        "document": {
            "doc_type": "Kế hoạch", "issuer": "Ủy ban nhân dân phường Đông Hải", "ward": "Đông Hải",
            "number": "25/KH-UBND", "date": "2025-08-19", "place": "Đông Hải", "title": "Thực hiện ...",
            "signer": {"name": "Nguyễn Văn A", "title": null},
            "references": [{"type": "Nghị quyết", "number": "57-NQ/TW", "date": "2024-12", "issuer": null, "span": span}],
            "span": span
        },
        "tasks": [{
            "id": "t1", "origin": "appendix", "table": "Phụ lục 3", "section": "I", "number": "1.1",
            "text": "Xây dựng kế hoạch", "lead": [agency], "support": [], "output": "Kế hoạch",
            "deadline": {"raw": "Tháng 10/2025", "kind": "range", "date": "2025-10", "until": "2025-12-31"},
            "span": span, "links": ["t7"], "confidence": 0.9
        }, {
            "id": "t2", "origin": "organization", "table": null, "section": null, "number": null,
            "text": "...", "lead": [], "support": [], "output": null, "deadline": null,
            "span": {"start": 0, "end": 1, "line_start": 1, "line_end": 1}
        }],
        "indicators": [{
            "id": "i1", "origin": "body", "table": null, "group": "Phát triển hạ tầng", "number": null,
            "name": "Tỷ lệ phủ sóng 5G", "unit": "%",
            "targets": [{"period": "2025", "raw": "≥ 60%", "op": ">=", "value": 60, "value_max": null},
                        {"period": null, "raw": "10-20", "op": "range", "value": 10.0, "value_max": 20.5}],
            "lead": [agency], "support": [], "director": null, "monitor": null, "output": null,
            "span": span, "confidence": 1
        }],
        "agencies": [{"id": "vhxh", "name": "Phòng Văn hóa - Xã hội", "aliases_seen": ["VHXH"]}],
        "warnings": [{"code": "ocr", "message": "restored", "span": null}]
    })
}

#[test]
fn full_shape_validates_and_allows_added_fields() {
    let v = validator();
    let mut doc = full_document();
    assert_eq!(errors(&v, &doc), Vec::<String>::new());
    // Fields may be added without a version bump.
    doc["extra"] = json!({"anything": [1, 2]});
    doc["tasks"][0]["priority"] = json!("high");
    doc["document"]["signer"]["phone"] = json!(null);
    assert_eq!(errors(&v, &doc), Vec::<String>::new());
}

/// Applies `edit` to the full document and asserts the schema rejects the result.
fn rejects(what: &str, edit: impl FnOnce(&mut Value)) {
    let v = validator();
    let mut doc = full_document();
    edit(&mut doc);
    assert!(!v.is_valid(&doc), "schema accepted a document with {what}");
}

fn remove(doc: &mut Value, pointer: &str, key: &str) {
    doc.pointer_mut(pointer).and_then(Value::as_object_mut).expect(pointer).remove(key).expect(key);
}

#[test]
fn rejects_missing_required_fields() {
    rejects("no schema_version", |d| remove(d, "", "schema_version"));
    rejects("no warnings", |d| remove(d, "", "warnings"));
    rejects("no source.sha256", |d| remove(d, "/source", "sha256"));
    rejects("no document.title", |d| remove(d, "/document", "title"));
    rejects("no reference number", |d| remove(d, "/document/references/0", "number"));
    rejects("no task text", |d| remove(d, "/tasks/0", "text"));
    rejects("no task span", |d| remove(d, "/tasks/1", "span"));
    rejects("no span line_end", |d| remove(d, "/tasks/0/span", "line_end"));
    rejects("no deadline kind", |d| remove(d, "/tasks/0/deadline", "kind"));
    rejects("no indicator targets", |d| remove(d, "/indicators/0", "targets"));
    rejects("no target op", |d| remove(d, "/indicators/0/targets/0", "op"));
    rejects("no agency id", |d| remove(d, "/tasks/0/lead/0", "id"));
    rejects("no aliases_seen", |d| remove(d, "/agencies/0", "aliases_seen"));
    rejects("no warning span", |d| remove(d, "/warnings/0", "span"));
}

#[test]
fn rejects_bad_enum_values() {
    rejects("schema_version 2", |d| d["schema_version"] = json!("2"));
    rejects("origin annex", |d| d["tasks"][0]["origin"] = json!("annex"));
    rejects("indicator origin capitalized", |d| d["indicators"][0]["origin"] = json!("Body"));
    rejects("deadline kind week", |d| d["tasks"][0]["deadline"]["kind"] = json!("week"));
    rejects("target op ≥", |d| d["indicators"][0]["targets"][0]["op"] = json!("≥"));
    rejects("target op ge", |d| d["indicators"][0]["targets"][0]["op"] = json!("ge"));
    rejects("format html", |d| d["source"]["format"] = json!("html"));
}

#[test]
fn rejects_wrong_types_and_formats() {
    rejects("schema_version as number", |d| d["schema_version"] = json!(1));
    rejects("restored as string", |d| d["source"]["restored"] = json!("false"));
    rejects("tasks as object", |d| d["tasks"] = json!({}));
    rejects("lead as strings", |d| d["tasks"][0]["lead"] = json!(["Phòng Văn hóa - Xã hội"]));
    rejects("deadline as string", |d| d["tasks"][0]["deadline"] = json!("10/2025"));
    rejects("title as number", |d| d["document"]["title"] = json!(5));
    rejects("signer as string", |d| d["document"]["signer"] = json!("Nguyễn Văn A"));
    rejects("text null", |d| d["tasks"][1]["text"] = json!(null));
    rejects("negative offset", |d| d["tasks"][0]["span"]["start"] = json!(-1));
    rejects("fractional offset", |d| d["tasks"][0]["span"]["end"] = json!(4.5));
    rejects("line 0", |d| d["tasks"][0]["span"]["line_start"] = json!(0));
    rejects("target value as string", |d| d["indicators"][0]["targets"][0]["value"] = json!("60"));
    rejects("non-ISO document date", |d| d["document"]["date"] = json!("19/08/2025"));
    rejects("non-ISO deadline date", |d| d["tasks"][0]["deadline"]["date"] = json!("10/2025"));
    rejects("short sha256", |d| d["source"]["sha256"] = json!("abc"));
    rejects("confidence above 1", |d| d["tasks"][0]["confidence"] = json!(1.5));
    rejects("links not strings", |d| d["tasks"][0]["links"] = json!([1]));
}

#[test]
fn serialized_model_round_trips_through_the_schema() {
    // The Rust types and the schema agree on the full shape: deserializing the schema's
    // full example into the model and serializing it back still validates.
    let doc: kehoach::Document = serde_json::from_value(full_document()).expect("model reads the full shape");
    let back = serde_json::to_value(&doc).expect("serializes");
    assert_eq!(errors(&validator(), &back), Vec::<String>::new());
    assert_eq!(back["tasks"][0]["deadline"]["until"], "2025-12-31");
}

#[test]
fn cli_prints_the_schema() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kehoach")).arg("schema").output().expect("runs");
    assert!(out.status.success());
    let printed: Value = serde_json::from_slice(&out.stdout).expect("prints JSON");
    let embedded: Value = serde_json::from_str(kehoach::schema::JSON_SCHEMA).unwrap();
    assert_eq!(printed, embedded);
}
