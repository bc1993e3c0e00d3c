//! kehoach: Vietnamese administrative plans (Kế hoạch) → canonical JSON.
//!
//! ```text
//! bytes ─ingest→ SourceText ─normalize→ NormText ─segment→ DocTree ─extract→ Document
//! ```
//! Each stage is a plain function over owned data; [`extract`] wires them.

pub mod batch;
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
