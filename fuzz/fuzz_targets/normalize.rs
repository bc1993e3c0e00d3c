//! Any text through normalization; spans must stay inside the source.
#![no_main]
use kehoach::normalize::{normalize, NormalizeOptions, RestoreMode, ToneStyle};
use kehoach::SourceText;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let src = SourceText::from_string("fuzz", text);
    for tone_style in [ToneStyle::Traditional, ToneStyle::Modern] {
        let norm = normalize(&src, &NormalizeOptions { tone_style, restore: RestoreMode::Auto });
        for i in 0..norm.line_count() {
            let l = norm.lines[i];
            let sp = norm.span(l.start, l.end);
            assert!(sp.start <= sp.end && sp.end <= src.text.len());
        }
    }
});
