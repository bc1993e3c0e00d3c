//! Document metadata: type, issuer, ward, number, date, place, title, signer, references.

use crate::model::Metadata;
use crate::normalize::NormText;
use crate::rules::{RuleSource, Rules};
use crate::segment::DocTree;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct DocumentRules {
    /// Document types, as printed in the type line ("KẾ HOẠCH").
    pub doc_types: Vec<String>,
    /// Folded openers of preamble paragraphs; they end the title.
    pub preamble_openers: Vec<String>,
    /// Folded directive verbs that open a new sentence when capitalized at a line start.
    pub paragraph_openers: Vec<String>,
}

impl DocumentRules {
    pub fn load(source: &RuleSource) -> crate::Result<DocumentRules> {
        source.load("document.toml")
    }
}

pub fn extract_metadata(_norm: &NormText, _tree: &DocTree, _rules: &Rules) -> Metadata {
    Metadata::default()
}
