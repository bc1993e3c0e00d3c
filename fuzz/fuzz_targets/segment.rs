//! Any text through normalization and segmentation.
#![no_main]
use kehoach::{Options, Rules, SourceText};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let src = SourceText::from_string("fuzz", text);
    let (norm, tree) = kehoach::analyze(&src, Rules::embedded(), &Options::default());
    for node in &tree.nodes {
        assert!(node.first_line <= node.last_line && node.last_line < norm.line_count().max(1));
    }
    let _ = tree.outline(&norm);
});
