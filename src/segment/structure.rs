//! Line classification and the heading hierarchy.

use super::DocTree;
use crate::normalize::NormText;
use crate::rules::Rules;

pub fn segment(_norm: &NormText, _rules: &Rules) -> DocTree {
    DocTree::default()
}
