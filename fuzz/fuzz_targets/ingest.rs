//! Any bytes through format sniffing and decoding (text encodings, PDF, DOCX).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(src) = kehoach::ingest::ingest_bytes("fuzz", data) {
        // Invariants every source must keep.
        assert!(src.page_starts.windows(2).all(|w| w[0] <= w[1]));
        assert!(src.page_starts.iter().all(|&p| p <= src.text.len() && src.text.is_char_boundary(p)));
        for p in 0..src.text.len().min(64) {
            let _ = src.page_of(p);
        }
    }
});
