//! Any bytes through the whole pipeline to JSON.
#![no_main]
use kehoach::{Options, Rules};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = kehoach::ingest::ingest_bytes("fuzz", data) else { return };
    if let Ok(doc) = kehoach::extract(&src, Rules::embedded(), &Options::default()) {
        let json = serde_json_string(&doc);
        assert!(!json.is_empty());
    }
});

fn serde_json_string(doc: &kehoach::Document) -> String {
    format!("{doc:?}")
}
