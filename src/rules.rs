//! Rules are data: `rules/*.toml`, compiled once into matchers and shared read-only.
//!
//! The default rules are embedded in the binary; `--rules DIR` replaces any of them with
//! the file of the same name in DIR. A bad rule file is an error naming file and line.

use crate::error::{Error, Result};
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};

/// The default rule files, embedded at build time.
const EMBEDDED: &[(&str, &str)] = &[
    ("document.toml", include_str!("../rules/document.toml")),
    ("deadlines.toml", include_str!("../rules/deadlines.toml")),
    ("targets.toml", include_str!("../rules/targets.toml")),
    ("agencies.toml", include_str!("../rules/agencies.toml")),
    ("columns.toml", include_str!("../rules/columns.toml")),
    ("ocr_confusions.toml", crate::normalize::restore::CONFUSION_RULES),
];

/// Where rules come from: embedded defaults, optionally overridden from a directory.
#[derive(Debug, Clone, Default)]
pub struct RuleSource {
    pub dir: Option<PathBuf>,
}

impl RuleSource {
    /// The text of rule file `name` and the name to report in errors.
    pub fn read(&self, name: &str) -> Result<(String, String)> {
        if let Some(dir) = &self.dir {
            let path = dir.join(name);
            if path.exists() {
                let text = std::fs::read_to_string(&path).map_err(|e| Error::Io { path: path.clone(), source: e })?;
                return Ok((text, path.display().to_string()));
            }
        }
        EMBEDDED
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(n, t)| (t.to_string(), format!("rules/{n}")))
            .ok_or_else(|| Error::Rules { file: format!("rules/{name}"), line: 0, reason: "no such rule file".into() })
    }

    /// sha256 over every rule file in effect (embedded or overridden from the directory):
    /// changes whenever any rule changes. Batch runs use it to know what to redo.
    pub fn fingerprint(&self) -> Result<String> {
        let mut all = Vec::new();
        for (name, _) in EMBEDDED {
            let (text, _) = self.read(name)?;
            all.extend_from_slice(name.as_bytes());
            all.push(0);
            all.extend_from_slice(text.as_bytes());
            all.push(0);
        }
        Ok(crate::ingest::sha256_hex(&all))
    }

    /// Parses rule file `name` into `T`; errors name the file and line.
    pub fn load<T: DeserializeOwned>(&self, name: &str) -> Result<T> {
        let (text, shown) = self.read(name)?;
        parse_toml(&text, &shown)
    }
}

pub fn parse_toml<T: DeserializeOwned>(text: &str, shown: &str) -> Result<T> {
    toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1).unwrap_or(0);
        Error::Rules { file: shown.to_string(), line, reason: e.message().to_string() }
    })
}

/// Builds an error for a rule that parsed but does not make sense (bad regex, ...).
pub fn rule_error(file: &str, text: &str, needle: &str, reason: impl Into<String>) -> Error {
    let line = text.find(needle).map(|i| text[..i].matches('\n').count() + 1).unwrap_or(0);
    Error::Rules { file: file.to_string(), line, reason: reason.into() }
}

/// All compiled rules.
#[derive(Debug)]
pub struct Rules {
    pub document: crate::extract::metadata::DocumentRules,
    pub deadlines: crate::extract::deadline::DeadlineRules,
    pub targets: crate::extract::target::TargetRules,
    pub agencies: crate::extract::agencies::AgencyRules,
    pub columns: crate::segment::table::ColumnRules,
    pub restore: crate::normalize::restore::RestoreRules,
}

impl Rules {
    pub fn load(source: &RuleSource) -> Result<Rules> {
        Ok(Rules {
            document: crate::extract::metadata::DocumentRules::load(source)?,
            deadlines: crate::extract::deadline::DeadlineRules::load(source)?,
            targets: crate::extract::target::TargetRules::load(source)?,
            agencies: crate::extract::agencies::AgencyRules::load(source)?,
            columns: crate::segment::table::ColumnRules::load(source)?,
            restore: crate::normalize::restore::RestoreRules::load(source)?,
        })
    }

    /// The embedded default rules (always valid: a test checks it).
    pub fn embedded() -> &'static Rules {
        static RULES: once_cell::sync::OnceCell<Rules> = once_cell::sync::OnceCell::new();
        RULES.get_or_init(|| Rules::load(&RuleSource::default()).expect("embedded rules are valid"))
    }

    pub fn from_dir(dir: Option<&Path>) -> Result<Rules> {
        Rules::load(&RuleSource { dir: dir.map(Path::to_path_buf) })
    }
}
