//! Inputs shared by the criterion benches.

use kehoach::{ingest, normalize, Options};
use std::path::Path;

/// Every text plan of `corpus/` as (file name, bytes), in name order.
pub fn corpus() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("corpus/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).expect("read")))
        .collect()
}

/// The plans whose text is clean: those normalization does not restore (an OCR'd scan
/// such as 001 is restoration's work, benched in `restore`).
#[allow(dead_code)] // not every bench uses it
pub fn clean_corpus() -> Vec<(String, Vec<u8>)> {
    let opts = Options::default();
    corpus()
        .into_iter()
        .filter(|(name, bytes)| {
            let source = ingest::ingest_bytes(name, bytes).expect("ingest");
            !normalize::normalize(&source, &opts.normalize).restored
        })
        .collect()
}
