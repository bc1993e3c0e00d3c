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
    ("ocr_tables.toml", include_str!("../rules/ocr_tables.toml")),
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

/// A rule regex compiled at its first use, for rules most documents never use (OCR tables,
/// restoration): compiling one costs ~0.1-1.5M instructions at every start of the program.
/// Its syntax is checked when the rules load ([`LazyRegex::new`]), so a bad rule is still
/// an error naming its file and line then.
#[derive(Debug)]
pub struct LazyRegex {
    pattern: String,
    regex: once_cell::sync::OnceCell<regex::Regex>,
}

impl LazyRegex {
    /// Checks `pattern`; the error is the text `regex::Regex::new` gives for it.
    pub fn new(pattern: &str) -> std::result::Result<LazyRegex, String> {
        check_regex(pattern)?;
        Ok(LazyRegex { pattern: pattern.to_string(), regex: once_cell::sync::OnceCell::new() })
    }

    pub fn as_str(&self) -> &str {
        &self.pattern
    }
}

impl std::ops::Deref for LazyRegex {
    type Target = regex::Regex;

    fn deref(&self) -> &regex::Regex {
        self.regex.get_or_init(|| {
            // A pattern that parses fails to compile only past the size limit (10 MB by
            // default), which no rule comes near: lifted here (matches are the same), so a
            // late compile does not fail where a compile at load would have passed. Should it
            // fail all the same, the rule is logged and matches nothing: never a panic.
            regex::RegexBuilder::new(&self.pattern).size_limit(usize::MAX).build().unwrap_or_else(|e| {
                tracing::error!(pattern = %self.pattern, "rule regex does not compile, ignored: {e}");
                matches_nothing()
            })
        })
    }
}

/// A regex that matches nothing: the stand-in for a rule regex whose late compile failed.
fn matches_nothing() -> regex::Regex {
    regex::Regex::new(r"[^\s\S]").expect("a class of no char compiles")
}

/// Whether `pattern` is a valid regex, without compiling it: the parse `regex::Regex::new`
/// runs first (same syntax options), with the error text it would give.
pub fn check_regex(pattern: &str) -> std::result::Result<(), String> {
    regex_syntax::Parser::new().parse(pattern).map(|_| ()).map_err(|e| e.to_string())
}

/// All compiled rules.
#[derive(Debug)]
pub struct Rules {
    pub document: crate::extract::metadata::DocumentRules,
    pub deadlines: crate::extract::deadline::DeadlineRules,
    pub targets: crate::extract::target::TargetRules,
    pub agencies: crate::extract::agencies::AgencyRules,
    pub columns: crate::segment::table::ColumnRules,
    pub ocr_tables: crate::segment::ocr_table::OcrTableRules,
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
            ocr_tables: crate::segment::ocr_table::OcrTableRules::load(source)?,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// `check_regex` accepts what `Regex::new` compiles and rejects the rest with its error
    /// text, so rules whose regexes are compiled late fail at load exactly as before.
    #[test]
    fn check_regex_is_regex_new() {
        let mut patterns: Vec<String> = [
            r"(", r"a)", r"[z-a]", r"\p{Nope}", r"a{3,2}", r"(?P<x>a)(?P<x>b)", r"\", r"[[:nope:]]", r"(?i)ẞ+", r"a**",
            r"x{1001}", r"(?<n>a)", r"\b{start}", r"^(?:[IVX]{0,2}[UŨ])\.?$", r"\d+(?:[.,]\d+)?%", r"(?u:\w)+", r"\x{110000}",
            r"[\d&&[^0-9]]", r"(?-u:\xff)", r"(?z)a", "",
        ]
        .map(String::from)
        .to_vec();
        // Every regex of the embedded OCR rules.
        let ocr: toml::Value = toml::from_str(include_str!("../rules/ocr_tables.toml")).unwrap();
        let confusions: toml::Value = toml::from_str(crate::normalize::restore::CONFUSION_RULES).unwrap();
        fn strings(v: &toml::Value, out: &mut Vec<String>) {
            match v {
                toml::Value::String(s) => out.push(s.clone()),
                toml::Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
                toml::Value::Table(t) => t.values().for_each(|x| strings(x, out)),
                _ => {}
            }
        }
        strings(&ocr, &mut patterns);
        strings(&confusions, &mut patterns);
        assert!(patterns.len() > 40);
        let mut bad = 0;
        for p in &patterns {
            let want = regex::Regex::new(p).map(|_| ()).map_err(|e| e.to_string());
            bad += usize::from(want.is_err());
            assert_eq!(check_regex(p), want, "{p:?}");
            assert_eq!(LazyRegex::new(p).map(|r| r.as_str().to_string()), want.map(|_| p.clone()), "{p:?}");
        }
        assert!(bad >= 10, "{bad}");
    }

    /// The stand-in for a rule regex that fails its late compile matches nothing.
    #[test]
    fn stand_in_matches_nothing() {
        let never = matches_nothing();
        for t in ["", "a", " ", "\n", "Kế hoạch 57-NQ/TW", "\u{0}\u{10ffff}"] {
            assert!(never.find(t).is_none(), "{t:?}");
        }
    }

    /// A `LazyRegex` matches as the regex compiled at once.
    #[test]
    fn lazy_regex_matches_as_regex() {
        for p in [r"^[ĐđDdBbPp]\s?/\s?[ce]\.?$", r"^(?:[IVXivxl1]{1,4}|[IVX]{0,2}[UŨ])\.?$", r"(\d{2,})([A-Za-zĐđ][a-zà-ỹ]{2,})"] {
            let (lazy, eager) = (LazyRegex::new(p).unwrap(), regex::Regex::new(p).unwrap());
            for t in ["Đ/c", "d / e.", "IV.", "xU", "IIŨ", "2025Hà", "12abc", "", "b/c"] {
                assert_eq!(lazy.captures(t).map(|c| c.iter().map(|g| g.map(|g| g.range())).collect::<Vec<_>>()),
                    eager.captures(t).map(|c| c.iter().map(|g| g.map(|g| g.range())).collect::<Vec<_>>()), "{p} {t}");
            }
        }
    }
}
