//! Stage 4: [`DocTree`] → [`Document`]: metadata, tasks, indicators, agencies.

pub mod agencies;
pub mod appendix;
pub mod body;
pub mod body_indicators;
pub mod confidence;
pub mod deadline;
pub mod ids;
pub mod links;
pub mod memo;
pub mod metadata;
pub mod target;

use crate::ingest::SourceText;
use crate::model::{Document, SourceInfo, SCHEMA_VERSION};
use crate::normalize::NormText;
use crate::rules::Rules;
use crate::segment::DocTree;

pub fn extract(source: &SourceText, norm: &NormText, tree: &DocTree, rules: &Rules) -> Document {
    let document = metadata::extract_metadata(norm, tree, rules);
    let mut agencies = agencies::AgencyRegistry::default();
    let (appendix_tasks, mut indicators) = appendix::extract_tables(norm, tree, rules, &mut agencies);
    let mut ctx = body::AgencyContext {
        rules: &rules.agencies,
        support_marker: rules.document.support_marker(),
        lead_markers: &rules.document.lead_markers,
        lead_marker: rules.document.lead_marker(),
        registry: &mut agencies,
    };
    // The body tasks come first, with their texts folded once for ids, agencies and links.
    let (mut tasks, body_folded) = body::body_tasks_folded(norm, tree, &mut ctx);
    tasks.extend(body::organization_tasks(norm, tree, &mut ctx));
    tasks.extend(appendix_tasks);
    links::link_tasks_folded(&mut tasks, &body_folded);
    // Target bullets state values; the agency monitoring them is set in the tables.
    let no_agencies = |_: &str| (Vec::new(), Vec::new());
    indicators.extend(body_indicators::body_indicators(norm, tree, rules, &no_agencies));
    Document {
        schema_version: SCHEMA_VERSION.to_string(),
        source: SourceInfo {
            path: source.path.clone(),
            sha256: source.sha256.clone(),
            format: source.format.as_str().to_string(),
            encoding: source.encoding.clone(),
            restored: norm.restored,
        },
        document,
        tasks,
        indicators,
        agencies: agencies.seen,
        warnings: agencies.warnings,
    }
}
