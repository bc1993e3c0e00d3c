//! Evaluation against hand-made reference annotations (`fixtures/gold/*.json`, format in
//! `fixtures/gold/FORMAT.md`): the project's measuring stick.
//!
//! [`score_document`] compares one extracted [`Document`] with its [`Gold`];
//! [`evaluate_dir`] runs the pipeline over a corpus for every gold file and sums the
//! counts (micro over documents). Every figure is kept as counts ([`Score`]) so totals are
//! exact sums and a figure can be recomputed from the JSON.
//!
//! Comparison rules:
//! - "exact" means equal after NFC and whitespace collapse ([`norm`]); an absent value
//!   (null) equals only an absent value, so a field the plan does not print is right when
//!   the output leaves it null;
//! - "folded" means equal after [`crate::fold::fold`] (no diacritics, case, punctuation);
//! - references match one-to-one on (folded type, folded number);
//! - tasks and indicators match one-to-one within the same origin, greedily best-first on
//!   [`similarity`] of folded text (task text, indicator name), pairs below
//!   [`MATCH_THRESHOLD`] never match. See [`MATCH_THRESHOLD`] for why 0.8.

use crate::error::{Error, Result};
use crate::fold::fold;
use crate::model::{AgencyRef, Document, Metadata, Origin, SourceInfo, SCHEMA_VERSION};
use crate::{Options, Rules};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use unicode_normalization::UnicodeNormalization;

/// Minimum [`similarity`] for a predicted and a gold task (or indicator name) to be the
/// same item.
///
/// Folding already absorbs diacritic restoration and case; what is left between a correct
/// extraction and the annotation is join/split damage (a word broken across lines, a
/// stray page number, a deadline cell glued to the text), typically a few percent of the
/// characters, so 0.8 (a fifth of the characters edited) accepts damaged-but-right
/// extractions. Distinct items of one plan differ far more: of the 5036 distinct
/// same-origin gold pairs, 8 reach 0.8 (near-twins such as "Tỷ lệ X" next to "X", which
/// no character threshold separates and best-first matching pairs correctly); the rest
/// are below it (`tests/eval_floors.rs::threshold_separates_nearly_all_gold_items`).
pub const MATCH_THRESHOLD: f64 = 0.8;

// ---------------------------------------------------------------------------------------
// Gold annotations

/// One reference annotation file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Gold {
    /// File name of the source document in the corpus.
    #[serde(default)]
    pub seed: Option<String>,
    #[serde(default)]
    pub document: GoldMetadata,
    #[serde(default)]
    pub indicators: Vec<GoldIndicator>,
    #[serde(default)]
    pub tasks: Vec<GoldTask>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct GoldMetadata {
    pub doc_type: Option<String>,
    pub issuer: Option<String>,
    pub ward: Option<String>,
    pub number: Option<String>,
    pub date: Option<String>,
    pub place: Option<String>,
    pub title: Option<String>,
    pub signer: Option<GoldSigner>,
    pub references: Vec<GoldReference>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct GoldSigner {
    pub name: Option<String>,
    pub title: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct GoldReference {
    #[serde(rename = "type")]
    pub doc_type: String,
    pub number: String,
    pub date: Option<String>,
    pub issuer: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GoldTask {
    pub origin: Origin,
    #[serde(default)]
    pub table: Option<String>,
    #[serde(default)]
    pub section: Option<String>,
    #[serde(default)]
    pub number: Option<String>,
    pub text: String,
    #[serde(default)]
    pub lead: Vec<String>,
    #[serde(default)]
    pub support: Vec<String>,
    #[serde(default)]
    pub output: Option<String>,
    #[serde(default)]
    pub deadline: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GoldIndicator {
    pub origin: Origin,
    #[serde(default)]
    pub table: Option<String>,
    #[serde(default)]
    pub group: Option<String>,
    #[serde(default)]
    pub number: Option<String>,
    pub name: String,
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub targets: Vec<GoldTarget>,
    #[serde(default)]
    pub lead: Vec<String>,
    #[serde(default)]
    pub support: Vec<String>,
    #[serde(default)]
    pub director: Option<String>,
    #[serde(default)]
    pub monitor: Option<String>,
    #[serde(default)]
    pub output: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GoldTarget {
    #[serde(default)]
    pub period: Option<String>,
    pub raw: String,
}

impl Gold {
    /// Reads and parses one gold file.
    pub fn load(path: &Path) -> Result<Gold> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Io { path: path.to_path_buf(), source: e })?;
        Gold::parse(&text, path)
    }

    /// Parses gold JSON; `path` is only used in the error.
    pub fn parse(text: &str, path: &Path) -> Result<Gold> {
        serde_json::from_str(text)
            .map_err(|e| Error::Corrupt { path: path.to_path_buf(), reason: format!("bad gold annotation: {e}") })
    }
}

// ---------------------------------------------------------------------------------------
// Scores

/// A figure kept as counts, so that sums over documents are exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Score {
    /// `correct` of `total` compared items were right.
    Accuracy { correct: usize, total: usize },
    /// Matching: `matched` pairs out of `predicted` and `gold` items.
    Prf { matched: usize, predicted: usize, gold: usize },
}

impl Score {
    pub const fn accuracy() -> Score {
        Score::Accuracy { correct: 0, total: 0 }
    }

    pub const fn prf() -> Score {
        Score::Prf { matched: 0, predicted: 0, gold: 0 }
    }

    /// Counts one compared item.
    pub fn check(&mut self, ok: bool) {
        if let Score::Accuracy { correct, total } = self {
            *total += 1;
            *correct += ok as usize;
        }
    }

    /// Adds the counts of `other` (of the same kind).
    pub fn add(&mut self, other: &Score) {
        match (self, other) {
            (Score::Accuracy { correct, total }, Score::Accuracy { correct: c, total: t }) => {
                *correct += c;
                *total += t;
            }
            (Score::Prf { matched, predicted, gold }, Score::Prf { matched: m, predicted: p, gold: g }) => {
                *matched += m;
                *predicted += p;
                *gold += g;
            }
            _ => debug_assert!(false, "adding scores of different kinds"),
        }
    }

    /// matched / predicted; `None` when nothing was predicted.
    pub fn precision(&self) -> Option<f64> {
        match *self {
            Score::Prf { matched, predicted, .. } if predicted > 0 => Some(matched as f64 / predicted as f64),
            _ => None,
        }
    }

    /// matched / gold; `None` when there is nothing to find.
    pub fn recall(&self) -> Option<f64> {
        match *self {
            Score::Prf { matched, gold, .. } if gold > 0 => Some(matched as f64 / gold as f64),
            _ => None,
        }
    }

    /// 2·matched / (predicted + gold); `None` when both are empty.
    pub fn f1(&self) -> Option<f64> {
        match *self {
            Score::Prf { matched, predicted, gold } if predicted + gold > 0 => {
                Some(2.0 * matched as f64 / (predicted + gold) as f64)
            }
            _ => None,
        }
    }

    /// The headline figure: accuracy, or F1 for a matching; `None` when undefined (no items).
    pub fn value(&self) -> Option<f64> {
        match *self {
            Score::Accuracy { correct, total } if total > 0 => Some(correct as f64 / total as f64),
            Score::Accuracy { .. } => None,
            Score::Prf { .. } => self.f1(),
        }
    }
}

/// A named figure, e.g. `tasks.body` or `metadata.title`.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    pub name: String,
    pub score: Score,
}

impl Serialize for Metric {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Out<'a> {
            name: &'a str,
            kind: &'static str,
            #[serde(skip_serializing_if = "Option::is_none")]
            correct: Option<usize>,
            #[serde(skip_serializing_if = "Option::is_none")]
            total: Option<usize>,
            #[serde(skip_serializing_if = "Option::is_none")]
            matched: Option<usize>,
            #[serde(skip_serializing_if = "Option::is_none")]
            predicted: Option<usize>,
            #[serde(skip_serializing_if = "Option::is_none")]
            gold: Option<usize>,
            #[serde(skip_serializing_if = "Option::is_none")]
            precision: Option<Option<f64>>,
            #[serde(skip_serializing_if = "Option::is_none")]
            recall: Option<Option<f64>>,
            value: Option<f64>,
        }
        let mut out = Out {
            name: &self.name,
            kind: "accuracy",
            correct: None,
            total: None,
            matched: None,
            predicted: None,
            gold: None,
            precision: None,
            recall: None,
            value: self.score.value(),
        };
        match self.score {
            Score::Accuracy { correct, total } => {
                out.correct = Some(correct);
                out.total = Some(total);
            }
            Score::Prf { matched, predicted, gold } => {
                out.kind = "prf";
                out.matched = Some(matched);
                out.predicted = Some(predicted);
                out.gold = Some(gold);
                out.precision = Some(self.score.precision());
                out.recall = Some(self.score.recall());
            }
        }
        out.serialize(s)
    }
}

/// The figures of one document, in a fixed order (the same names for every document).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Scores {
    pub metrics: Vec<Metric>,
    /// What was wrong, for a reader fixing the extraction (not summed into totals).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mismatches: Vec<Mismatch>,
}

/// One wrong figure: a missed or spurious item, or a wrong attribute of a matched one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mismatch {
    pub metric: String,
    /// The item concerned (gold task text, indicator name, reference number), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    pub gold: Option<String>,
    pub predicted: Option<String>,
}

impl Scores {
    fn push(&mut self, name: impl Into<String>, score: Score) {
        self.metrics.push(Metric { name: name.into(), score });
    }

    fn note(&mut self, metric: impl Into<String>, item: Option<&str>, gold: Option<String>, predicted: Option<String>) {
        self.mismatches.push(Mismatch { metric: metric.into(), item: item.map(str::to_string), gold, predicted });
    }

    /// The score named `name`.
    pub fn get(&self, name: &str) -> Option<Score> {
        self.metrics.iter().find(|m| m.name == name).map(|m| m.score)
    }

    /// The headline value of `name` (accuracy or F1).
    pub fn value(&self, name: &str) -> Option<f64> {
        self.get(name).and_then(|s| s.value())
    }

    /// Adds the counts of `other`, metric by metric (micro sum).
    pub fn add(&mut self, other: &Scores) {
        for m in &other.metrics {
            match self.metrics.iter_mut().find(|x| x.name == m.name) {
                Some(x) => x.score.add(&m.score),
                None => self.metrics.push(m.clone()),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Text comparison

/// NFC and whitespace collapsed to single spaces, trimmed.
pub fn norm(s: &str) -> String {
    let nfc: String = s.nfc().collect();
    nfc.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn norm_opt(s: Option<&str>) -> Option<String> {
    s.map(norm)
}

fn same(a: Option<&str>, b: Option<&str>) -> bool {
    norm_opt(a) == norm_opt(b)
}

fn same_folded(a: Option<&str>, b: Option<&str>) -> bool {
    a.map(fold) == b.map(fold)
}

/// Similarity of two folded strings in 0..=1: normalized Levenshtein distance over chars.
/// Pairs whose lengths alone rule out reaching `floor` return 0 without the quadratic work.
pub fn similarity(a: &str, b: &str, floor: f64) -> f64 {
    if a == b {
        return 1.0;
    }
    let (la, lb) = (a.chars().count(), b.chars().count());
    let (min, max) = (la.min(lb), la.max(lb));
    // normalized Levenshtein ≤ min/max (the length difference must be edited away).
    if max == 0 || (min as f64) / (max as f64) < floor {
        return 0.0;
    }
    strsim::normalized_levenshtein(a, b)
}

/// An item to match: its origin, its folded text, and context (table, section or group,
/// number) used only to break ties between equally similar candidates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchItem {
    pub origin: Origin,
    pub text: String,
    pub context: [Option<String>; 3],
}

impl MatchItem {
    pub fn new(origin: Origin, text: &str, context: [Option<&str>; 3]) -> MatchItem {
        MatchItem { origin, text: fold(text), context: context.map(|c| c.map(fold)) }
    }

    fn agreement(&self, other: &MatchItem) -> usize {
        self.context.iter().zip(&other.context).filter(|(a, b)| a == b).count()
    }
}

/// One-to-one matching, greedy best-first: all pairs at or above `threshold`, highest
/// similarity first, then most agreeing context (so that two items with the same text,
/// e.g. one indicator under two periods, pair up by number and group), then lowest gold
/// and predicted index; each item is used once. Items only match within their origin.
/// Returns (predicted index, gold index) pairs ordered by gold index.
pub fn match_items(pred: &[MatchItem], gold: &[MatchItem], threshold: f64) -> Vec<(usize, usize)> {
    let mut pairs = Vec::new();
    for (i, p) in pred.iter().enumerate() {
        for (j, g) in gold.iter().enumerate() {
            if p.origin != g.origin {
                continue;
            }
            let s = similarity(&p.text, &g.text, threshold);
            if s >= threshold {
                pairs.push((s, p.agreement(g), i, j));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)).then(a.3.cmp(&b.3)).then(a.2.cmp(&b.2)));
    let mut used_p = vec![false; pred.len()];
    let mut used_g = vec![false; gold.len()];
    let mut out = Vec::new();
    for (_, _, i, j) in pairs {
        if !used_p[i] && !used_g[j] {
            used_p[i] = true;
            used_g[j] = true;
            out.push((i, j));
        }
    }
    out.sort_by_key(|&(_, j)| j);
    out
}

/// [`match_items`] over plain folded strings of one origin, without context.
pub fn match_greedy(pred: &[String], gold: &[String], threshold: f64) -> Vec<(usize, usize)> {
    let item = |t: &String| MatchItem { origin: Origin::Body, text: t.clone(), context: [None, None, None] };
    let p: Vec<MatchItem> = pred.iter().map(item).collect();
    let g: Vec<MatchItem> = gold.iter().map(item).collect();
    match_items(&p, &g, threshold)
}

/// The pairs of one origin out of a whole matching, with the predicted and gold counts.
fn of_origin(
    pairs: &[(usize, usize)],
    pred: &[MatchItem],
    gold: &[MatchItem],
    origin: Origin,
) -> (Vec<(usize, usize)>, usize, usize) {
    let count = |items: &[MatchItem]| items.iter().filter(|x| x.origin == origin).count();
    let mine = pairs.iter().copied().filter(|&(_, j)| gold[j].origin == origin).collect();
    (mine, count(pred), count(gold))
}

fn name_set<'a>(names: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    names.into_iter().map(norm).collect()
}

fn agency_names(refs: &[AgencyRef]) -> BTreeSet<String> {
    name_set(refs.iter().map(|a| a.name.as_str()))
}

fn gold_names(names: &[String]) -> BTreeSet<String> {
    name_set(names.iter().map(String::as_str))
}

fn set_prf(pred: &BTreeSet<String>, gold: &BTreeSet<String>) -> Score {
    Score::Prf { matched: pred.intersection(gold).count(), predicted: pred.len(), gold: gold.len() }
}

fn join(names: &BTreeSet<String>) -> String {
    names.iter().cloned().collect::<Vec<_>>().join("; ")
}

/// Notes the gold items of `origin` left unmatched (missed) and the predicted ones
/// (spurious).
#[allow(clippy::too_many_arguments)]
fn note_unmatched<P, G>(
    s: &mut Scores,
    metric: &str,
    pairs: &[(usize, usize)],
    origin: Origin,
    pred: &[P],
    pkey: impl Fn(&P) -> (Origin, &String),
    gold: &[G],
    gkey: impl Fn(&G) -> (Origin, &String),
) {
    let used_p: BTreeSet<usize> = pairs.iter().map(|p| p.0).collect();
    let used_g: BTreeSet<usize> = pairs.iter().map(|p| p.1).collect();
    for (j, g) in gold.iter().enumerate() {
        let (o, text) = gkey(g);
        if o == origin && !used_g.contains(&j) {
            s.note(metric, None, Some(norm(text)), None);
        }
    }
    for (i, p) in pred.iter().enumerate() {
        let (o, text) = pkey(p);
        if o == origin && !used_p.contains(&i) {
            s.note(metric, None, None, Some(norm(text)));
        }
    }
}

const ORIGINS: [(Origin, &str); 3] =
    [(Origin::Appendix, "appendix"), (Origin::Body, "body"), (Origin::Organization, "organization")];

// ---------------------------------------------------------------------------------------
// Scoring one document

/// Scores one extracted document against its gold annotation.
pub fn score_document(pred: &Document, gold: &Gold) -> Scores {
    let mut s = Scores::default();
    score_metadata(&pred.document, &gold.document, &mut s);
    score_references(&pred.document, &gold.document, &mut s);
    score_tasks(pred, gold, &mut s);
    score_indicators(pred, gold, &mut s);
    s
}

fn score_metadata(p: &Metadata, g: &GoldMetadata, s: &mut Scores) {
    let signer_name = p.signer.as_ref().map(|x| x.name.as_str());
    let signer_title = p.signer.as_ref().and_then(|x| x.title.as_deref());
    let g_signer_name = g.signer.as_ref().and_then(|x| x.name.as_deref());
    let g_signer_title = g.signer.as_ref().and_then(|x| x.title.as_deref());
    let fields: [(&str, Option<&str>, Option<&str>); 9] = [
        ("doc_type", p.doc_type.as_deref(), g.doc_type.as_deref()),
        ("issuer", p.issuer.as_deref(), g.issuer.as_deref()),
        ("ward", p.ward.as_deref(), g.ward.as_deref()),
        ("number", p.number.as_deref(), g.number.as_deref()),
        ("date", p.date.as_deref(), g.date.as_deref()),
        ("place", p.place.as_deref(), g.place.as_deref()),
        ("title", p.title.as_deref(), g.title.as_deref()),
        ("signer.name", signer_name, g_signer_name),
        ("signer.title", signer_title, g_signer_title),
    ];
    let mut all = Score::accuracy();
    let mut each = Vec::new();
    for (name, pv, gv) in fields {
        let mut f = Score::accuracy();
        f.check(same(pv, gv));
        if !same(pv, gv) {
            s.note(format!("metadata.{name}"), None, norm_opt(gv), norm_opt(pv));
        }
        all.add(&f);
        each.push((name, f));
    }
    s.push("metadata", all);
    for (name, f) in each {
        s.push(format!("metadata.{name}"), f);
    }
    let mut folded = Score::accuracy();
    folded.check(same_folded(p.title.as_deref(), g.title.as_deref()));
    s.push("metadata.title_folded", folded);
}

fn score_references(p: &Metadata, g: &GoldMetadata, s: &mut Scores) {
    let key = |t: &str, n: &str| (fold(t), fold(n));
    let gold_keys: Vec<_> = g.references.iter().map(|r| key(&r.doc_type, &r.number)).collect();
    let mut used = vec![false; p.references.len()];
    let mut date = Score::accuracy();
    let mut issuer = Score::accuracy();
    let mut matched = 0;
    let mut notes = Vec::new();
    for (gr, gk) in g.references.iter().zip(&gold_keys) {
        let hit = p.references.iter().enumerate().find(|(i, r)| !used[*i] && key(&r.doc_type, &r.number) == *gk);
        let label = format!("{} {}", gr.doc_type, gr.number);
        if let Some((i, pr)) = hit {
            used[i] = true;
            matched += 1;
            for (name, pv, gv, score) in [
                ("date", pr.date.as_deref(), gr.date.as_deref(), &mut date),
                ("issuer", pr.issuer.as_deref(), gr.issuer.as_deref(), &mut issuer),
            ] {
                score.check(same(pv, gv));
                if !same(pv, gv) {
                    notes.push((format!("references.{name}"), Some(label.clone()), norm_opt(gv), norm_opt(pv)));
                }
            }
        } else {
            notes.push(("references".into(), None, Some(label), None));
        }
    }
    for (i, r) in p.references.iter().enumerate() {
        if !used[i] {
            notes.push(("references".into(), None, None, Some(format!("{} {}", r.doc_type, r.number))));
        }
    }
    for (metric, item, gv, pv) in notes {
        s.note(metric, item.as_deref(), gv, pv);
    }
    s.push("references", Score::Prf { matched, predicted: p.references.len(), gold: g.references.len() });
    s.push("references.date", date);
    s.push("references.issuer", issuer);
}

/// Attribute names scored among matched task pairs, in output order.
const TASK_FIELDS: [&str; 6] = ["lead", "support", "output", "deadline", "section", "number"];

fn score_tasks(pred: &Document, gold: &Gold, s: &mut Scores) {
    let p: Vec<MatchItem> = pred
        .tasks
        .iter()
        .map(|t| MatchItem::new(t.origin, &t.text, [t.table.as_deref(), t.section.as_deref(), t.number.as_deref()]))
        .collect();
    let g: Vec<MatchItem> = gold
        .tasks
        .iter()
        .map(|t| MatchItem::new(t.origin, &t.text, [t.table.as_deref(), t.section.as_deref(), t.number.as_deref()]))
        .collect();
    let all_pairs = match_items(&p, &g, MATCH_THRESHOLD);
    let mut total = Scores::default();
    let mut per_origin = Vec::new();
    for (origin, oname) in ORIGINS {
        let (pairs, np, ng) = of_origin(&all_pairs, &p, &g, origin);
        let mut o = Scores::default();
        o.push("tasks", Score::Prf { matched: pairs.len(), predicted: np, gold: ng });
        let mut fields: BTreeMap<&str, Score> = TASK_FIELDS
            .iter()
            .map(|&f| (f, if f == "support" { Score::prf() } else { Score::accuracy() }))
            .collect();
        note_unmatched(s, &format!("tasks.{oname}"), &pairs, origin, &pred.tasks, |t| (t.origin, &t.text), &gold.tasks, |t| (t.origin, &t.text));
        for (i, j) in pairs {
            let (pt, gt) = (&pred.tasks[i], &gold.tasks[j]);
            let (pl, gl) = (agency_names(&pt.lead), gold_names(&gt.lead));
            let (ps, gs) = (agency_names(&pt.support), gold_names(&gt.support));
            let deadline = pt.deadline.as_ref().map(|d| d.raw.as_str());
            let item = Some(gt.text.as_str());
            fields.get_mut("lead").unwrap().check(pl == gl);
            if pl != gl {
                s.note(format!("tasks.{oname}.lead"), item, Some(join(&gl)), Some(join(&pl)));
            }
            fields.get_mut("support").unwrap().add(&set_prf(&ps, &gs));
            if ps != gs {
                s.note(format!("tasks.{oname}.support"), item, Some(join(&gs)), Some(join(&ps)));
            }
            for (name, pv, gv) in [
                ("output", pt.output.as_deref(), gt.output.as_deref()),
                ("deadline", deadline, gt.deadline.as_deref()),
                ("section", pt.section.as_deref(), gt.section.as_deref()),
                ("number", pt.number.as_deref(), gt.number.as_deref()),
            ] {
                fields.get_mut(name).unwrap().check(same(pv, gv));
                if !same(pv, gv) {
                    s.note(format!("tasks.{oname}.{name}"), item, norm_opt(gv), norm_opt(pv));
                }
            }
        }
        for f in TASK_FIELDS {
            o.push(format!("tasks.{f}"), fields[f]);
        }
        total.add(&o);
        per_origin.push((oname, o));
    }
    for m in total.metrics {
        s.push(m.name, m.score);
    }
    for (oname, o) in per_origin {
        for m in o.metrics {
            let rest = m.name.strip_prefix("tasks").unwrap_or("");
            s.push(format!("tasks.{oname}{rest}"), m.score);
        }
    }
}

/// The tie-breaking key of an indicator after table and group: its row number, or for an
/// unnumbered one (a body bullet) the periods of its targets, so that one sentence repeated
/// under two years ("Có ≥ 85% ..." for 2025 and for 2030) pairs up by year.
fn number_or_periods<'a>(number: Option<&str>, periods: impl Iterator<Item = Option<&'a str>>) -> Option<String> {
    number.map(str::to_string).or_else(|| {
        let p: Vec<&str> = periods.flatten().collect();
        (!p.is_empty()).then(|| p.join(" "))
    })
}

fn score_indicators(pred: &Document, gold: &Gold, s: &mut Scores) {
    let p: Vec<MatchItem> = pred
        .indicators
        .iter()
        .map(|x| {
            let key = number_or_periods(x.number.as_deref(), x.targets.iter().map(|t| t.period.as_deref()));
            MatchItem::new(x.origin, &x.name, [x.table.as_deref(), x.group.as_deref(), key.as_deref()])
        })
        .collect();
    let g: Vec<MatchItem> = gold
        .indicators
        .iter()
        .map(|x| {
            let key = number_or_periods(x.number.as_deref(), x.targets.iter().map(|t| t.period.as_deref()));
            MatchItem::new(x.origin, &x.name, [x.table.as_deref(), x.group.as_deref(), key.as_deref()])
        })
        .collect();
    let all_pairs = match_items(&p, &g, MATCH_THRESHOLD);
    let mut all = Score::prf();
    let mut per_origin = Vec::new();
    let mut targets = Score::accuracy();
    let mut lead = Score::accuracy();
    let mut unit = Score::accuracy();
    for (origin, oname) in ORIGINS {
        let (pairs, np, ng) = of_origin(&all_pairs, &p, &g, origin);
        let o = Score::Prf { matched: pairs.len(), predicted: np, gold: ng };
        all.add(&o);
        if origin != Origin::Organization {
            per_origin.push((oname, o));
        }
        note_unmatched(s, &format!("indicators.{oname}"), &pairs, origin, &pred.indicators, |x| (x.origin, &x.name), &gold.indicators, |x| (x.origin, &x.name));
        for (i, j) in pairs {
            let (pi, gi) = (&pred.indicators[i], &gold.indicators[j]);
            let item = Some(gi.name.as_str());
            let show = |ts: Vec<(Option<String>, String)>| {
                ts.iter().map(|(p, r)| format!("{}: {r}", p.as_deref().unwrap_or("-"))).collect::<Vec<_>>().join("; ")
            };
            let shown_gold = show(gi.targets.iter().map(|t| (norm_opt(t.period.as_deref()), norm(&t.raw))).collect());
            let shown_pred = show(pi.targets.iter().map(|t| (norm_opt(t.period.as_deref()), norm(&t.raw))).collect());
            let mut want: Vec<(Option<String>, String)> =
                gi.targets.iter().map(|t| (norm_opt(t.period.as_deref()), norm(&t.raw))).collect();
            let mut correct = 0;
            for t in &pi.targets {
                let k = (norm_opt(t.period.as_deref()), norm(&t.raw));
                if let Some(pos) = want.iter().position(|w| *w == k) {
                    want.swap_remove(pos);
                    correct += 1;
                }
            }
            // Micro over targets: a missing and a spurious target both count as wrong.
            let total = gi.targets.len().max(pi.targets.len());
            targets.add(&Score::Accuracy { correct, total });
            if correct < total {
                s.note("indicators.targets", item, Some(shown_gold), Some(shown_pred));
            }
            let (pl, gl) = (agency_names(&pi.lead), gold_names(&gi.lead));
            lead.check(pl == gl);
            if pl != gl {
                s.note("indicators.lead", item, Some(join(&gl)), Some(join(&pl)));
            }
            unit.check(same(pi.unit.as_deref(), gi.unit.as_deref()));
            if !same(pi.unit.as_deref(), gi.unit.as_deref()) {
                s.note("indicators.unit", item, norm_opt(gi.unit.as_deref()), norm_opt(pi.unit.as_deref()));
            }
        }
    }
    s.push("indicators", all);
    for (oname, o) in per_origin {
        s.push(format!("indicators.{oname}"), o);
    }
    s.push("indicators.targets", targets);
    s.push("indicators.lead", lead);
    s.push("indicators.unit", unit);
}

// ---------------------------------------------------------------------------------------
// Evaluating a corpus

/// The scores of one gold-annotated source.
#[derive(Debug, Clone, Serialize)]
pub struct DocEval {
    /// Gold file stem, e.g. `000_02e69c9bc29ccf5a`.
    pub stem: String,
    /// Source file that was extracted.
    pub source: String,
    /// Set when the pipeline failed on the source; it is then scored as an empty document.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub scores: Scores,
}

/// A gold file without its source, or a source without gold.
#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    pub file: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    pub match_threshold: f64,
    pub documents: Vec<DocEval>,
    /// Micro sums over `documents`.
    pub total: Scores,
    pub skipped: Vec<Skipped>,
}

/// A document with nothing extracted: what a failed run is scored as.
pub fn empty_document(path: &str) -> Document {
    Document {
        schema_version: SCHEMA_VERSION.to_string(),
        source: SourceInfo {
            path: path.to_string(),
            sha256: String::new(),
            format: "text".into(),
            encoding: String::new(),
            restored: false,
        },
        document: Metadata::default(),
        tasks: Vec::new(),
        indicators: Vec::new(),
        agencies: Vec::new(),
        warnings: Vec::new(),
    }
}

fn list_dir(dir: &Path) -> Result<Vec<PathBuf>> {
    let io = |e| Error::Io { path: dir.to_path_buf(), source: e };
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.is_file() {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

fn file_name(p: &Path) -> String {
    p.file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
}

/// Source extensions considered when listing sources that have no gold.
const SOURCE_EXTENSIONS: [&str; 3] = ["txt", "pdf", "docx"];

/// Evaluates every `GOLD_DIR/<stem>.json` against the pipeline's output for its source
/// (the gold's `seed` file name in `corpus_dir`, else `<stem>.txt`). Gold files without a
/// source and sources without gold are listed in [`EvalReport::skipped`]. A gold file that
/// does not parse is an error: the measuring stick itself is broken.
pub fn evaluate_dir(gold_dir: &Path, corpus_dir: &Path, rules: &Rules, opts: &Options) -> Result<EvalReport> {
    let gold_files: Vec<PathBuf> =
        list_dir(gold_dir)?.into_iter().filter(|p| p.extension().is_some_and(|e| e == "json")).collect();
    let mut jobs = Vec::new();
    let mut skipped = Vec::new();
    let mut claimed = BTreeSet::new();
    for path in &gold_files {
        let gold = Gold::load(path)?;
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        // Only the file name of `seed` is used: gold never points outside the corpus.
        let source_name = gold
            .seed
            .as_deref()
            .and_then(|s| Path::new(s).file_name())
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| format!("{stem}.txt"));
        claimed.insert(source_name.clone());
        let source = corpus_dir.join(&source_name);
        if !source.is_file() {
            skipped.push(Skipped { file: file_name(path), reason: format!("gold without source: no {}", source.display()) });
            continue;
        }
        jobs.push((stem, source, gold));
    }
    if corpus_dir.is_dir() {
        for src in list_dir(corpus_dir)? {
            let name = file_name(&src);
            let is_source = src.extension().and_then(|e| e.to_str()).is_some_and(|e| SOURCE_EXTENSIONS.contains(&e));
            if is_source && !claimed.contains(&name) {
                skipped.push(Skipped { file: name, reason: "source without gold".into() });
            }
        }
    }
    let documents: Vec<DocEval> = jobs
        .into_par_iter()
        .map(|(stem, source, gold)| {
            let shown = source.display().to_string();
            let (doc, error) = match crate::extract_path(&source, rules, opts) {
                Ok(doc) => (doc, None),
                Err(e) => (empty_document(&shown), Some(e.to_string())),
            };
            DocEval { stem, source: shown, error, scores: score_document(&doc, &gold) }
        })
        .collect();
    let mut total = Scores::default();
    for d in &documents {
        total.add(&d.scores);
    }
    Ok(EvalReport { match_threshold: MATCH_THRESHOLD, documents, total, skipped })
}

// ---------------------------------------------------------------------------------------
// Rendering

fn fmt_cell(score: Option<Score>) -> String {
    match score {
        None => "".into(),
        Some(s @ Score::Accuracy { correct, total }) => match s.value() {
            Some(v) => format!("{v:.2} ({correct}/{total})"),
            None => "-".into(),
        },
        Some(s @ Score::Prf { .. }) => {
            let f = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{v:.2}"));
            format!("{}/{}/{}", f(s.precision()), f(s.recall()), f(s.f1()))
        }
    }
}

/// Short column label: the part of the stem before its first `_` ("000").
fn short(stem: &str) -> &str {
    stem.split('_').next().filter(|s| !s.is_empty()).unwrap_or(stem)
}

impl EvalReport {
    /// The scores of the document with stem (or stem prefix before `_`) `doc`, or of the
    /// total when `doc` is "total".
    pub fn scores(&self, doc: &str) -> Option<&Scores> {
        if doc == "total" {
            return Some(&self.total);
        }
        self.documents.iter().find(|d| d.stem == doc || short(&d.stem) == doc).map(|d| &d.scores)
    }

    /// Drops the mismatch lists (reports without `--details`).
    pub fn without_mismatches(mut self) -> EvalReport {
        for d in &mut self.documents {
            d.scores.mismatches.clear();
        }
        self
    }

    /// A plain-text table: one row per metric, one column per document plus TOTAL.
    /// Matching rows show precision/recall/F1, the others accuracy (correct/total);
    /// "-" marks an undefined figure (nothing to compare).
    pub fn to_table(&self) -> String {
        let mut cols: Vec<(String, &Scores)> =
            self.documents.iter().map(|d| (short(&d.stem).to_string(), &d.scores)).collect();
        cols.push(("TOTAL".into(), &self.total));
        let names: Vec<&str> = self.total.metrics.iter().map(|m| m.name.as_str()).collect();
        let mut rows: Vec<Vec<String>> = Vec::new();
        let mut header = vec!["metric".to_string()];
        header.extend(cols.iter().map(|(c, _)| c.clone()));
        rows.push(header);
        let mut hidden = 0;
        for name in &names {
            // A row with nothing to compare anywhere (no such items in gold or output) is
            // noise in the table; the JSON report keeps it.
            if cols.iter().all(|(_, s)| s.get(name).and_then(|x| x.value()).is_none()) {
                hidden += 1;
                continue;
            }
            let mut row = vec![name.to_string()];
            row.extend(cols.iter().map(|(_, s)| fmt_cell(s.get(name))));
            rows.push(row);
        }
        let ncol = rows[0].len();
        let widths: Vec<usize> =
            (0..ncol).map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
        let mut out = String::new();
        out.push_str(&format!(
            "kehoach eval: P/R/F1 for matched items, accuracy (correct/total) otherwise; match threshold {}\n",
            self.match_threshold
        ));
        for (i, row) in rows.iter().enumerate() {
            let cells: Vec<String> = row
                .iter()
                .enumerate()
                .map(|(c, v)| if c == 0 { format!("{v:<w$}", w = widths[c]) } else { format!("{v:>w$}", w = widths[c]) })
                .collect();
            out.push_str(cells.join("  ").trim_end());
            out.push('\n');
            if i == 0 {
                out.push_str(&"-".repeat(widths.iter().sum::<usize>() + 2 * (ncol - 1)));
                out.push('\n');
            }
        }
        if hidden > 0 {
            out.push_str(&format!("({hidden} rows with nothing to compare omitted; --json lists them)\n"));
        }
        for d in &self.documents {
            if d.scores.mismatches.is_empty() {
                continue;
            }
            out.push_str(&format!("\n== {}: {} mismatches ==\n", d.stem, d.scores.mismatches.len()));
            for m in &d.scores.mismatches {
                let cut = |s: &Option<String>| match s {
                    None => "∅".to_string(),
                    Some(s) if s.chars().count() > 90 => format!("\"{}…\"", s.chars().take(90).collect::<String>()),
                    Some(s) => format!("\"{s}\""),
                };
                let item = m.item.as_ref().map(|i| format!(" [{}]", cut(&Some(i.clone())))).unwrap_or_default();
                out.push_str(&format!("{}{item}\n    gold: {}\n    pred: {}\n", m.metric, cut(&m.gold), cut(&m.predicted)));
            }
        }
        for d in &self.documents {
            if let Some(e) = &d.error {
                out.push_str(&format!("error: {}: {e} (scored as empty)\n", d.stem));
            }
        }
        for s in &self.skipped {
            out.push_str(&format!("skipped: {}: {}\n", s.file, s.reason));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Deadline, DeadlineKind, Indicator, Reference, Signer, Span, Target, TargetOp, Task};

    fn agency(name: &str) -> AgencyRef {
        AgencyRef { id: fold(name).replace(' ', "_"), name: name.into() }
    }

    fn task(origin: Origin, text: &str, lead: &[&str], deadline: Option<&str>) -> Task {
        Task {
            id: format!("t-{}", text.len()),
            origin,
            table: None,
            section: Some("III.1".into()),
            number: Some("1".into()),
            text: text.into(),
            lead: lead.iter().map(|n| agency(n)).collect(),
            support: vec![agency("Công an phường")],
            output: None,
            deadline: deadline.map(|d| Deadline { raw: d.into(), kind: DeadlineKind::Month, date: None, until: None }),
            span: Span::default(),
            links: Vec::new(),
            confidence: None,
        }
    }

    fn gold_task(t: &Task) -> GoldTask {
        GoldTask {
            origin: t.origin,
            table: t.table.clone(),
            section: t.section.clone(),
            number: t.number.clone(),
            text: t.text.clone(),
            lead: t.lead.iter().map(|a| a.name.clone()).collect(),
            support: t.support.iter().map(|a| a.name.clone()).collect(),
            output: t.output.clone(),
            deadline: t.deadline.as_ref().map(|d| d.raw.clone()),
        }
    }

    fn indicator(name: &str, targets: &[(&str, &str)]) -> Indicator {
        Indicator {
            id: "i".into(),
            origin: Origin::Appendix,
            table: Some("Phụ lục 1".into()),
            group: None,
            number: Some("1.1".into()),
            name: name.into(),
            unit: Some("%".into()),
            targets: targets
                .iter()
                .map(|(p, r)| Target { period: Some(p.to_string()), raw: r.to_string(), op: TargetOp::Text, value: None, value_max: None })
                .collect(),
            lead: vec![agency("Phòng Văn hóa - Xã hội")],
            support: vec![],
            director: None,
            monitor: None,
            output: None,
            span: Span::default(),
            confidence: None,
        }
    }

    fn gold_indicator(i: &Indicator) -> GoldIndicator {
        GoldIndicator {
            origin: i.origin,
            table: i.table.clone(),
            group: i.group.clone(),
            number: i.number.clone(),
            name: i.name.clone(),
            unit: i.unit.clone(),
            targets: i.targets.iter().map(|t| GoldTarget { period: t.period.clone(), raw: t.raw.clone() }).collect(),
            lead: i.lead.iter().map(|a| a.name.clone()).collect(),
            support: vec![],
            director: None,
            monitor: None,
            output: None,
        }
    }

    /// A small predicted document and the gold that describes it perfectly.
    fn sample() -> (Document, Gold) {
        let mut doc = empty_document("x.txt");
        doc.document = Metadata {
            doc_type: Some("Kế hoạch".into()),
            issuer: Some("Ủy ban nhân dân phường Đông Hải".into()),
            ward: Some("Đông Hải".into()),
            number: Some("25/KH-UBND".into()),
            date: Some("2025-08-19".into()),
            place: Some("Đông Hải".into()),
            title: Some("Thực hiện Nghị quyết số 57-NQ/TW".into()),
            signer: Some(Signer { name: "Nguyễn Văn A".into(), title: Some("Chủ tịch".into()) }),
            references: vec![
                Reference { doc_type: "Nghị quyết".into(), number: "57-NQ/TW".into(), date: Some("2024-12-22".into()), issuer: Some("Bộ Chính trị".into()), span: None },
                Reference { doc_type: "Kế hoạch".into(), number: "238/KH-UBND".into(), date: Some("2025-09-13".into()), issuer: None, span: None },
            ],
            span: None,
        };
        doc.tasks = vec![
            task(Origin::Appendix, "Xây dựng kế hoạch chuyển đổi số năm 2025", &["Phòng Văn hóa - Xã hội"], Some("10/2025")),
            task(Origin::Body, "Tuyên truyền nâng cao nhận thức về chuyển đổi số", &[], None),
            task(Origin::Body, "Phát triển hạ tầng số, phủ sóng 5G toàn phường", &[], Some("Năm 2026")),
            task(Origin::Organization, "Chủ trì tham mưu triển khai kế hoạch", &["Văn phòng HĐND và UBND"], None),
        ];
        doc.indicators = vec![
            indicator("Tỷ lệ sử dụng dịch vụ công trực tuyến", &[("2025", "≥ 60%"), ("2030", "≥ 80%")]),
            indicator("Tỷ lệ hộ gia đình có cáp quang", &[("2025", "100%")]),
        ];
        let m = &doc.document;
        let gold = Gold {
            seed: Some("x.txt".into()),
            document: GoldMetadata {
                doc_type: m.doc_type.clone(),
                issuer: m.issuer.clone(),
                ward: m.ward.clone(),
                number: m.number.clone(),
                date: m.date.clone(),
                place: m.place.clone(),
                title: m.title.clone(),
                signer: Some(GoldSigner { name: Some("Nguyễn Văn A".into()), title: Some("Chủ tịch".into()) }),
                references: m
                    .references
                    .iter()
                    .map(|r| GoldReference { doc_type: r.doc_type.clone(), number: r.number.clone(), date: r.date.clone(), issuer: r.issuer.clone() })
                    .collect(),
            },
            tasks: doc.tasks.iter().map(gold_task).collect(),
            indicators: doc.indicators.iter().map(gold_indicator).collect(),
        };
        (doc, gold)
    }

    fn v(s: &Scores, name: &str) -> f64 {
        s.value(name).unwrap_or_else(|| panic!("{name} undefined"))
    }

    #[test]
    fn perfect_match_scores_one_everywhere() {
        let (doc, gold) = sample();
        let s = score_document(&doc, &gold);
        for m in &s.metrics {
            match m.score.value() {
                Some(x) => assert_eq!(x, 1.0, "{} = {x}", m.name),
                // Undefined only where there is nothing to compare (no support lists on
                // indicators, no organization indicators, no outputs...).
                None => assert!(matches!(m.score, Score::Accuracy { total: 0, .. } | Score::Prf { predicted: 0, gold: 0, .. }), "{}", m.name),
            }
        }
        assert_eq!(s.get("tasks"), Some(Score::Prf { matched: 4, predicted: 4, gold: 4 }));
        assert_eq!(s.get("metadata"), Some(Score::Accuracy { correct: 9, total: 9 }));
    }

    #[test]
    fn missing_task_lowers_recall_only() {
        let (mut doc, gold) = sample();
        doc.tasks.remove(1);
        let s = score_document(&doc, &gold);
        let t = s.get("tasks.body").unwrap();
        assert_eq!(t.precision(), Some(1.0));
        assert_eq!(t.recall(), Some(0.5));
        assert_eq!(s.get("tasks.appendix").unwrap().recall(), Some(1.0));
        assert_eq!(s.get("tasks").unwrap(), Score::Prf { matched: 3, predicted: 3, gold: 4 });
    }

    #[test]
    fn spurious_task_lowers_precision() {
        let (mut doc, gold) = sample();
        doc.tasks.push(task(Origin::Body, "Một nhiệm vụ hoàn toàn khác không có trong kế hoạch", &[], None));
        let s = score_document(&doc, &gold);
        assert_eq!(s.get("tasks.body").unwrap().precision(), Some(2.0 / 3.0));
        assert_eq!(s.get("tasks.body").unwrap().recall(), Some(1.0));
    }

    #[test]
    fn task_in_wrong_origin_does_not_match() {
        let (mut doc, gold) = sample();
        doc.tasks[0].origin = Origin::Body;
        let s = score_document(&doc, &gold);
        assert_eq!(s.get("tasks.appendix").unwrap(), Score::Prf { matched: 0, predicted: 0, gold: 1 });
        assert_eq!(s.get("tasks.body").unwrap(), Score::Prf { matched: 2, predicted: 3, gold: 2 });
    }

    #[test]
    fn wrong_lead_lowers_lead_accuracy() {
        let (mut doc, gold) = sample();
        doc.tasks[0].lead = vec![agency("Công an phường")];
        let s = score_document(&doc, &gold);
        assert_eq!(s.get("tasks.lead"), Some(Score::Accuracy { correct: 3, total: 4 }));
        assert_eq!(s.get("tasks.appendix.lead"), Some(Score::Accuracy { correct: 0, total: 1 }));
        // Matching is unaffected.
        assert_eq!(v(&s, "tasks"), 1.0);
        // An extra lead is wrong too: leads compare as sets.
        let (mut doc, gold) = sample();
        doc.tasks[3].lead.push(agency("Công an phường"));
        assert_eq!(score_document(&doc, &gold).get("tasks.organization.lead"), Some(Score::Accuracy { correct: 0, total: 1 }));
    }

    #[test]
    fn support_is_micro_f1_over_names() {
        let (mut doc, gold) = sample();
        doc.tasks[0].support.push(agency("Tổ dân phố"));
        let s = score_document(&doc, &gold);
        assert_eq!(s.get("tasks.support"), Some(Score::Prf { matched: 4, predicted: 5, gold: 4 }));
    }

    #[test]
    fn deadline_section_number_output() {
        let (mut doc, gold) = sample();
        doc.tasks[0].deadline.as_mut().unwrap().raw = "  10/2025 ".into(); // whitespace is normalized
        doc.tasks[2].deadline = None;
        doc.tasks[1].section = Some("III.2".into());
        doc.tasks[3].number = None;
        doc.tasks[3].output = Some("Kế hoạch".into());
        let s = score_document(&doc, &gold);
        assert_eq!(s.get("tasks.deadline"), Some(Score::Accuracy { correct: 3, total: 4 }));
        assert_eq!(s.get("tasks.section"), Some(Score::Accuracy { correct: 3, total: 4 }));
        assert_eq!(s.get("tasks.number"), Some(Score::Accuracy { correct: 3, total: 4 }));
        assert_eq!(s.get("tasks.output"), Some(Score::Accuracy { correct: 3, total: 4 }));
    }

    #[test]
    fn damaged_text_still_matches_but_other_tasks_do_not() {
        let (mut doc, gold) = sample();
        // Diacritics lost and a line break inside a word: folded similarity stays high.
        doc.tasks[1].text = "Tuyen truyen nang cao nhan  thuc ve chuyen doi s o".into();
        // Text of a different task does not stand in for this one.
        doc.tasks[2].text = "Phát triển du lịch cộng đồng".into();
        let s = score_document(&doc, &gold);
        assert_eq!(s.get("tasks.body"), Some(Score::Prf { matched: 1, predicted: 2, gold: 2 }));
    }

    #[test]
    fn best_pair_wins_in_greedy_matching() {
        let gold: Vec<String> = ["tang cuong chuyen doi so", "tang cuong chuyen doi so nam 2025"].map(String::from).to_vec();
        let pred: Vec<String> = ["tang cuong chuyen doi so nam 2025", "tang cuong chuyen doi so"].map(String::from).to_vec();
        assert_eq!(match_greedy(&pred, &gold, 0.5), vec![(1, 0), (0, 1)]);
        assert!(match_greedy(&pred, &[], 0.5).is_empty());
    }

    #[test]
    fn mismatches_say_what_was_wrong() {
        let (doc, gold) = sample();
        assert!(score_document(&doc, &gold).mismatches.is_empty());
        let (mut doc, gold) = sample();
        doc.tasks[0].lead = vec![agency("Công an phường")];
        doc.tasks.remove(1);
        doc.document.place = None;
        let m = score_document(&doc, &gold).mismatches;
        let lead = m.iter().find(|m| m.metric == "tasks.appendix.lead").expect("lead noted");
        assert_eq!(lead.gold.as_deref(), Some("Phòng Văn hóa - Xã hội"));
        assert_eq!(lead.predicted.as_deref(), Some("Công an phường"));
        assert_eq!(lead.item.as_deref(), Some("Xây dựng kế hoạch chuyển đổi số năm 2025"));
        let missed = m.iter().find(|m| m.metric == "tasks.body").expect("missed task noted");
        assert_eq!((missed.gold.as_deref(), missed.predicted.as_deref()), (Some("Tuyên truyền nâng cao nhận thức về chuyển đổi số"), None));
        assert!(m.iter().any(|m| m.metric == "metadata.place" && m.predicted.is_none()));
        assert_eq!(m.len(), 3, "{m:#?}");
    }

    #[test]
    fn equal_unnumbered_texts_pair_up_by_period() {
        // One body bullet repeated under two years, without row numbers: periods decide.
        let (mut doc, mut gold) = sample();
        doc.indicators[1].name = doc.indicators[0].name.clone();
        doc.indicators[1].group = doc.indicators[0].group.clone();
        for x in &mut doc.indicators {
            x.number = None;
        }
        gold.indicators = doc.indicators.iter().map(gold_indicator).collect();
        doc.indicators.reverse();
        let s = score_document(&doc, &gold);
        assert_eq!(s.get("indicators.targets"), Some(Score::Accuracy { correct: 3, total: 3 }));
    }

    #[test]
    fn equal_texts_pair_up_by_context() {
        // One indicator name under two periods: numbers and groups decide the pairing.
        let (mut doc, mut gold) = sample();
        doc.indicators[1].name = doc.indicators[0].name.clone();
        doc.indicators[1].number = Some("2".into());
        gold.indicators = doc.indicators.iter().map(gold_indicator).collect();
        doc.indicators.reverse();
        let s = score_document(&doc, &gold);
        assert_eq!(s.get("indicators.targets"), Some(Score::Accuracy { correct: 3, total: 3 }));
    }

    #[test]
    fn metadata_fields_and_folded_title() {
        let (mut doc, gold) = sample();
        doc.document.title = Some("THỰC HIỆN NGHỊ QUYẾT SỐ 57-NQ/TW".into());
        doc.document.date = None;
        doc.document.signer = None;
        doc.document.issuer = Some("Ủy ban nhân dân\nphường   Đông Hải".into()); // whitespace collapses
        let s = score_document(&doc, &gold);
        assert_eq!(v(&s, "metadata.title"), 0.0);
        assert_eq!(v(&s, "metadata.title_folded"), 1.0);
        assert_eq!(v(&s, "metadata.date"), 0.0);
        assert_eq!(v(&s, "metadata.issuer"), 1.0);
        assert_eq!(v(&s, "metadata.signer.name"), 0.0);
        assert_eq!(s.get("metadata"), Some(Score::Accuracy { correct: 5, total: 9 }));
    }

    #[test]
    fn nfc_and_nfd_compare_equal() {
        let (mut doc, gold) = sample();
        doc.document.ward = Some("Đông Hải".nfd().collect());
        assert_eq!(v(&score_document(&doc, &gold), "metadata.ward"), 1.0);
    }

    #[test]
    fn references_match_on_folded_type_and_number() {
        let (mut doc, gold) = sample();
        doc.document.references[0].doc_type = "NGHỊ QUYẾT".into();
        doc.document.references[0].date = Some("2024-12-21".into());
        doc.document.references[1].number = "239/KH-UBND".into();
        let s = score_document(&doc, &gold);
        assert_eq!(s.get("references"), Some(Score::Prf { matched: 1, predicted: 2, gold: 2 }));
        assert_eq!(s.get("references.date"), Some(Score::Accuracy { correct: 0, total: 1 }));
        assert_eq!(s.get("references.issuer"), Some(Score::Accuracy { correct: 1, total: 1 }));
    }

    #[test]
    fn indicator_targets_are_micro_over_targets() {
        let (mut doc, gold) = sample();
        doc.indicators[0].targets[1].raw = "≥ 70%".into(); // wrong value
        doc.indicators[1].targets.push(Target { period: Some("2030".into()), raw: "100%".into(), op: TargetOp::Eq, value: Some(100.0), value_max: None });
        doc.indicators[1].unit = None;
        let s = score_document(&doc, &gold);
        // 2 + 2 compared (max of predicted and gold per indicator), 2 right.
        assert_eq!(s.get("indicators.targets"), Some(Score::Accuracy { correct: 2, total: 4 }));
        assert_eq!(s.get("indicators.unit"), Some(Score::Accuracy { correct: 1, total: 2 }));
        assert_eq!(v(&s, "indicators"), 1.0);
        doc.indicators.pop();
        let s = score_document(&doc, &gold);
        assert_eq!(s.get("indicators").unwrap().recall(), Some(0.5));
    }

    #[test]
    fn empty_prediction_scores_zero_not_undefined() {
        let (_, gold) = sample();
        let s = score_document(&empty_document("x"), &gold);
        assert_eq!(v(&s, "tasks"), 0.0);
        assert_eq!(s.get("tasks").unwrap().precision(), None);
        assert_eq!(v(&s, "references"), 0.0);
        assert_eq!(s.value("tasks.lead"), None); // no matched pairs: nothing to judge
    }

    #[test]
    fn totals_are_micro_sums() {
        let (doc, gold) = sample();
        let a = score_document(&doc, &gold);
        let b = score_document(&empty_document("x"), &gold);
        let mut t = Scores::default();
        t.add(&a);
        t.add(&b);
        assert_eq!(t.get("tasks"), Some(Score::Prf { matched: 4, predicted: 4, gold: 8 }));
        assert_eq!(t.get("metadata"), Some(Score::Accuracy { correct: 9, total: 18 }));
    }

    #[test]
    fn gold_parse_errors_are_typed() {
        let e = Gold::parse("{\"tasks\": 3}", Path::new("g.json")).unwrap_err();
        assert!(matches!(e, Error::Corrupt { .. }), "{e}");
        let g = Gold::parse("{\"seed\": \"a.txt\"}", Path::new("g.json")).unwrap();
        assert!(g.tasks.is_empty());
    }

    #[test]
    fn table_has_a_row_per_metric_and_a_total_column() {
        let (doc, gold) = sample();
        let scores = score_document(&doc, &gold);
        let report = EvalReport {
            match_threshold: MATCH_THRESHOLD,
            documents: vec![DocEval { stem: "007_abc".into(), source: "x".into(), error: None, scores: scores.clone() }],
            total: scores,
            skipped: vec![Skipped { file: "001.txt".into(), reason: "source without gold".into() }],
        };
        let t = report.to_table();
        assert!(t.lines().nth(1).unwrap().contains("007") && t.lines().nth(1).unwrap().contains("TOTAL"), "{t}");
        assert!(t.lines().any(|l| l.starts_with("tasks.body ") && l.contains("1.00/1.00/1.00")), "{t}");
        assert!(t.contains("skipped: 001.txt: source without gold"));
        assert!(report.scores("007").is_some() && report.scores("total").is_some());
    }
}
