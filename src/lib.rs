//! kehoach: Vietnamese administrative plans (Kế hoạch) → canonical JSON.
//!
//! ```text
//! bytes ─ingest→ SourceText ─normalize→ NormText ─segment→ DocTree ─extract→ Document
//! ```
//! Each stage is a plain function over owned data; [`extract`] wires them.

pub mod batch;
pub mod char_table;
pub mod diff;
pub mod error;
pub mod eval;
pub mod export;
pub mod extract;
pub mod fold;
pub mod ingest;
pub mod model;
pub mod normalize;
pub mod rules;
pub mod review;
pub mod schema;
pub mod segment;

/// The bundled plans and text fixtures, as the unit tests that compare a fast path with
/// its reference read them.
#[cfg(test)]
pub(crate) mod test_data {
    /// The text of every file of `dirs` (relative to the repository) whose name ends in
    /// `ext` (any file for `None`), in path order; files that are not UTF-8 are left out.
    pub fn texts(dirs: &[&str], ext: Option<&str>) -> Vec<String> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut paths: Vec<std::path::PathBuf> = Vec::new();
        for d in dirs {
            let entries = std::fs::read_dir(root.join(d)).unwrap_or_else(|e| panic!("{d}: {e}"));
            paths.extend(entries.flatten().map(|e| e.path()).filter(|p| ext.is_none_or(|x| p.extension().is_some_and(|e| e == x))));
        }
        paths.sort();
        paths.into_iter().filter_map(|p| std::fs::read_to_string(p).ok()).collect()
    }

    /// The plans of `corpus/`.
    pub fn corpus() -> Vec<String> {
        texts(&["corpus"], Some("txt"))
    }

    /// The plans and the text fixtures of restoration and OCR tables.
    pub const TEXT_DIRS: [&str; 4] = ["corpus", "fixtures/restore", "fixtures/restore/ocr", "fixtures/ocr_tables"];
}

pub use error::{Error, Result};
pub use ingest::SourceText;
pub use model::Document;
pub use normalize::{NormText, NormalizeOptions, RestoreMode};
pub use rules::Rules;
pub use segment::DocTree;

use std::path::Path;

/// Options of a pipeline run.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    pub normalize: NormalizeOptions,
}

/// The normalize and segment stages, for the CLI's `normalize` and `segment` views.
pub fn analyze(source: &SourceText, rules: &Rules, opts: &Options) -> (NormText, DocTree) {
    extract::agencies::start_document();
    extract::target::start_document();
    extract::deadline::start_document();
    extract::ids::start_document();
    let norm = normalize::normalize_with(source, &opts.normalize, Some(&rules.restore));
    tracing::debug!(path = %source.path, lines = norm.line_count(), restored = norm.restored, "normalized");
    let tree = segment::segment(&norm, rules);
    tracing::debug!(path = %source.path, nodes = tree.nodes.len(), "segmented");
    (norm, tree)
}

/// The whole pipeline over a decoded source.
pub fn extract(source: &SourceText, rules: &Rules, opts: &Options) -> Result<Document> {
    let (norm, tree) = analyze(source, rules, opts);
    let doc = extract::extract(source, &norm, &tree, rules);
    tracing::info!(
        path = %source.path,
        tasks = doc.tasks.len(),
        indicators = doc.indicators.len(),
        warnings = doc.warnings.len(),
        "extracted"
    );
    Ok(doc)
}

/// Reads, decodes and extracts one file (`-` for stdin).
pub fn extract_path(path: &Path, rules: &Rules, opts: &Options) -> Result<Document> {
    let source = ingest::read_path(path)?;
    extract(&source, rules, opts)
}
