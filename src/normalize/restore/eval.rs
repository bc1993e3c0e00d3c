//! Honest evaluation of restoration: k-fold over documents (the model never sees the
//! text it is tested on), syllable accuracy overall and on marked syllables, against a
//! most-frequent-form baseline; and aligned syllable accuracy on OCR'd text.

use super::channel::{Channel, ConfusionRules};
use super::lexicon::{canonical_lower, skeleton};
use super::syllables::is_syllable;
use super::tokens::{tokenize, Kind as TokKind, Token};
use super::{apply_case, text_lines, Model, TextKind};
use similar::{capture_diff_slices, Algorithm, DiffOp};

#[derive(Debug, Clone, Copy, Default)]
pub struct Score {
    pub syllables: usize,
    pub correct: usize,
    pub marked: usize,
    pub marked_correct: usize,
    pub baseline_correct: usize,
    pub baseline_marked_correct: usize,
}

impl Score {
    pub fn add(&mut self, o: &Score) {
        self.syllables += o.syllables;
        self.correct += o.correct;
        self.marked += o.marked;
        self.marked_correct += o.marked_correct;
        self.baseline_correct += o.baseline_correct;
        self.baseline_marked_correct += o.baseline_marked_correct;
    }
    pub fn acc(&self) -> f64 {
        pct(self.correct, self.syllables)
    }
    pub fn marked_acc(&self) -> f64 {
        pct(self.marked_correct, self.marked)
    }
    pub fn baseline_acc(&self) -> f64 {
        pct(self.baseline_correct, self.syllables)
    }
    pub fn baseline_marked_acc(&self) -> f64 {
        pct(self.baseline_marked_correct, self.marked)
    }
}

fn pct(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        100.0 * a as f64 / b as f64
    }
}

fn words(text: &str) -> Vec<Token> {
    text.split('\n')
        .flat_map(|l| {
            let c: Vec<char> = l.chars().collect();
            tokenize(&c)
        })
        .collect()
}

/// A syllable of the reference: a word that is a possible syllable.
fn is_ref_syllable(t: &Token) -> bool {
    t.kind == TokKind::Word && is_syllable(&canonical_lower(&t.text))
}

/// Stripped-text accuracy of `model` on one diacritized text.
pub fn score_stripped(model: &Model, reference: &str) -> Score {
    let stripped = crate::fold::strip_diacritics(reference);
    let restored = model.restore_text(&stripped, TextKind::Stripped);
    let (r, s, o) = (words(reference), words(&stripped), words(&restored));
    let mut sc = Score::default();
    if r.len() != o.len() || r.len() != s.len() {
        return sc;
    }
    for k in 0..r.len() {
        if !is_ref_syllable(&r[k]) {
            continue;
        }
        let lower = canonical_lower(&r[k].text);
        let marked = lower != skeleton(&lower);
        sc.syllables += 1;
        sc.marked += marked as usize;
        let ok = o[k].text == r[k].text;
        sc.correct += ok as usize;
        sc.marked_correct += (ok && marked) as usize;
        let base = match model.most_frequent(&canonical_lower(&s[k].text)) {
            Some(id) => apply_case(&s[k].text, model.lex.form(id)),
            None => s[k].text.clone(),
        };
        let bok = base == r[k].text;
        sc.baseline_correct += bok as usize;
        sc.baseline_marked_correct += (bok && marked) as usize;
    }
    sc
}

/// Normalized text of a raw document, lines joined.
pub fn normalized(text: &str) -> String {
    text_lines(text).iter().map(|l| l.iter().collect::<String>()).collect::<Vec<_>>().join("\n")
}

/// K-fold over documents: each document is scored by a model trained on the others.
pub fn kfold_stripped(docs: &[(String, String)], word_list: Option<&str>) -> Vec<(String, Score)> {
    let rules = super::confusion_rules();
    (0..docs.len())
        .map(|i| {
            let train: Vec<&str> = docs.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, d)| d.1.as_str()).collect();
            let model = Model::train(&train, word_list, Channel::from_rules(&rules), &rules);
            if let (Ok(seqs), Ok(doc)) = (std::env::var("KEHOACH_RESTORE_SCORE"), std::env::var("KEHOACH_RESTORE_SCORE_DOC")) {
                if docs[i].0.starts_with(&doc) {
                    debug_scores(&model, &seqs);
                }
            }
            (docs[i].0.clone(), score_stripped(&model, &normalized(&docs[i].1)))
        })
        .collect()
}

/// Debugging aid: LM and emission scores of hand-written id sequences ("w:form", "S:form",
/// "2:form", "3:form", "p" punct, "n" number), sequences separated by ';'.
fn debug_scores(model: &Model, seqs: &str) {
    use super::lexicon::{BOS, NAME2, NAME3, NUM, PUNCT, SURNAME};
    for seq in seqs.split(';') {
        let (mut u, mut v) = (BOS, BOS);
        let mut total = 0.0;
        let mut line = String::new();
        for tok in seq.split_whitespace() {
            let (c, f) = tok.split_once(':').unwrap_or((tok, ""));
            let fid = model.lex.id(f).unwrap_or(0);
            let id = match c {
                "S" => SURNAME,
                "2" => NAME2,
                "3" => NAME3,
                "p" => PUNCT,
                "n" => NUM,
                _ => fid,
            };
            let lp = model.lm.logp(u, v, id);
            let em = if (SURNAME..super::lexicon::FIRST_FORM).contains(&id) { model.names.cost(id, fid).unwrap_or(99.0) } else { 0.0 };
            total += lp - em;
            line += &format!(" {tok}[{lp:.2},{em:.2}]");
            u = v;
            v = id;
        }
        eprintln!("{total:8.2} {line}");
    }
}

/// Aligned accuracy: reference syllables reproduced exactly, in order (LCS over tokens).
pub fn score_aligned(reference: &str, output: &str) -> Score {
    let r = words(reference);
    let o = words(output);
    let rt: Vec<&str> = r.iter().map(|t| t.text.as_str()).collect();
    let ot: Vec<&str> = o.iter().map(|t| t.text.as_str()).collect();
    let mut matched = vec![false; r.len()];
    for op in capture_diff_slices(Algorithm::Myers, &rt, &ot) {
        if let DiffOp::Equal { old_index, len, .. } = op {
            for m in matched.iter_mut().skip(old_index).take(len) {
                *m = true;
            }
        }
    }
    let mut sc = Score::default();
    for (k, t) in r.iter().enumerate() {
        if !is_ref_syllable(t) {
            continue;
        }
        let lower = canonical_lower(&t.text);
        let marked = lower != skeleton(&lower);
        sc.syllables += 1;
        sc.marked += marked as usize;
        sc.correct += matched[k] as usize;
        sc.marked_correct += (matched[k] && marked) as usize;
    }
    sc
}

/// (clean syllable, OCR token) pairs, lowercase, from a clean text and its OCR.
pub fn token_pairs(clean: &str, ocr: &str) -> Vec<(String, String)> {
    let r = words(clean);
    let o = words(ocr);
    let rs: Vec<String> = r.iter().map(|t| skeleton(&t.text)).collect();
    let os: Vec<String> = o.iter().map(|t| skeleton(&t.text)).collect();
    let mut out = Vec::new();
    let mut push = |a: &Token, b: &Token| {
        if is_ref_syllable(a) && matches!(b.kind, TokKind::Word | TokKind::Mixed) {
            out.push((canonical_lower(&a.text), b.text.to_lowercase()));
        }
    };
    for op in capture_diff_slices(Algorithm::Myers, &rs, &os) {
        match op {
            DiffOp::Equal { old_index, new_index, len } => {
                for k in 0..len {
                    push(&r[old_index + k], &o[new_index + k]);
                }
            }
            DiffOp::Replace { old_index, old_len, new_index, new_len } if old_len == new_len => {
                for k in 0..old_len {
                    push(&r[old_index + k], &o[new_index + k]);
                }
            }
            _ => {}
        }
    }
    out
}

/// Learns the OCR channel from (clean, OCR) document pairs.
pub fn learn_channel(pairs: &[(&str, &str)], rules: &ConfusionRules) -> Channel {
    let tp: Vec<(String, String)> = pairs.iter().flat_map(|(c, o)| token_pairs(c, o)).collect();
    Channel::learn(&tp, rules)
}

/// One OCR fold: (id, accuracy of the raw OCR, accuracy after restoration).
pub struct OcrFold {
    pub id: String,
    pub raw: Score,
    pub restored: Score,
    pub detected: TextKind,
}

/// K-fold over OCR pairs (id, clean text, OCR text): channel and LM trained on the other
/// documents only.
pub fn kfold_ocr(pairs: &[(String, String, String)], word_list: Option<&str>) -> Vec<OcrFold> {
    let rules = super::confusion_rules();
    (0..pairs.len())
        .map(|i| {
            let train: Vec<(&str, &str)> =
                pairs.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, p)| (p.1.as_str(), p.2.as_str())).collect();
            let channel = learn_channel(&train, &rules);
            let texts: Vec<&str> = train.iter().map(|p| p.0).collect();
            let model = Model::train(&texts, word_list, channel, &rules);
            let (id, clean, ocr) = &pairs[i];
            let lines: Vec<crate::normalize::mapped::MappedStr> =
                ocr.split('\n').map(|l| crate::normalize::mapped::MappedStr::from_source(l, 0)).collect();
            let detected = model.detect(&lines);
            let restored = model.restore_text(ocr, TextKind::Ocr);
            if std::env::var_os("KEHOACH_RESTORE_OCR_ERRORS").is_some() {
                let (r, o) = (words(clean), words(&restored));
                let rt: Vec<&str> = r.iter().map(|t| t.text.as_str()).collect();
                let ot: Vec<&str> = o.iter().map(|t| t.text.as_str()).collect();
                for op in capture_diff_slices(Algorithm::Myers, &rt, &ot) {
                    if let DiffOp::Replace { old_index, old_len, new_index, new_len } = op {
                        eprintln!("{} || {}", rt[old_index..old_index + old_len].join(" "), ot[new_index..new_index + new_len].join(" "));
                    }
                }
            }
            OcrFold { id: id.clone(), raw: score_aligned(clean, ocr), restored: score_aligned(clean, &restored), detected }
        })
        .collect()
}

fn read_dir_sorted(dir: &std::path::Path, suffix: &str) -> crate::Result<Vec<(String, String)>> {
    let io = |e| crate::Error::Io { path: dir.to_path_buf(), source: e };
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).map_err(io)? {
        let p = e.map_err(io)?.path();
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("").to_string();
        if let Some(stem) = name.strip_suffix(suffix) {
            let text = std::fs::read_to_string(&p).map_err(|e| crate::Error::Io { path: p.clone(), source: e })?;
            out.push((stem.to_string(), text));
        }
    }
    out.sort();
    Ok(out)
}

/// The full evaluation as a printable report: k-fold stripped text over the clean
/// documents of `corpus`, k-fold OCR over the pairs in `fixtures/ocr`, the reference
/// head of an OCR'd plan (`fixtures/*_reference_head.txt` against the same lines of the
/// corpus document with that id), speed and load time.
pub fn report(corpus: &std::path::Path, fixtures: &std::path::Path) -> crate::Result<String> {
    use std::fmt::Write;
    let mut out = String::new();
    let wl = Some(super::WORD_LIST);
    let c0 = thread_cpu_seconds();
    let t0 = std::time::Instant::now();
    let shipped = Model::shipped();
    let load = match (c0, thread_cpu_seconds()) {
        (Some(a), Some(b)) => b - a,
        _ => t0.elapsed().as_secs_f64(),
    };
    let all = read_dir_sorted(corpus, ".txt")?;
    // Clean (diacritized) documents only: what detection says, not file names.
    let docs: Vec<(String, String)> = all
        .iter()
        .filter(|(_, t)| {
            let text = normalized(t);
            let lines: Vec<crate::normalize::mapped::MappedStr> = text.split('\n').map(|l| crate::normalize::mapped::MappedStr::from_source(l, 0)).collect();
            shipped.detect(&lines) == TextKind::Clean
        })
        .cloned()
        .collect();
    writeln!(out, "## Stripped text, {}-fold over documents (test document never in training)\n", docs.len()).ok();
    writeln!(out, "| held-out doc | syllables | accuracy | marked syll. | marked acc. | baseline acc. | baseline marked |").ok();
    writeln!(out, "|---|---|---|---|---|---|---|").ok();
    let mut total = Score::default();
    for (id, s) in kfold_stripped(&docs, wl) {
        let id = id.split('_').next().unwrap_or(&id).to_string();
        writeln!(
            out,
            "| {id} | {} | {:.2}% | {} | {:.2}% | {:.2}% | {:.2}% |",
            s.syllables,
            s.acc(),
            s.marked,
            s.marked_acc(),
            s.baseline_acc(),
            s.baseline_marked_acc()
        )
        .ok();
        total.add(&s);
    }
    if std::env::var_os("KEHOACH_RESTORE_ERRORS").is_some() {
        for ((r, o), n) in stripped_errors(&docs, wl, 40) {
            writeln!(out, "  {n:4}  {r} → {o}").ok();
        }
    }
    writeln!(
        out,
        "| **all** | {} | **{:.2}%** | {} | **{:.2}%** | {:.2}% | {:.2}% |\n",
        total.syllables,
        total.acc(),
        total.marked,
        total.marked_acc(),
        total.baseline_acc(),
        total.baseline_marked_acc()
    )
    .ok();
    // OCR pairs.
    let ocr_dir = fixtures.join("ocr");
    if ocr_dir.is_dir() {
        let clean = read_dir_sorted(&ocr_dir, ".clean.txt")?;
        let noisy = read_dir_sorted(&ocr_dir, ".ocr.txt")?;
        let pairs: Vec<(String, String, String)> = clean
            .into_iter()
            .filter_map(|(id, c)| noisy.iter().find(|(n, _)| *n == id).map(|(_, o)| (id, c, o.clone())))
            .collect();
        writeln!(out, "## Tesseract (English model) OCR of rendered clean text, {}-fold (channel and LM from the other documents)\n", pairs.len()).ok();
        writeln!(out, "| held-out doc | syllables | detected | raw OCR acc. | restored acc. | restored marked acc. |").ok();
        writeln!(out, "|---|---|---|---|---|---|").ok();
        let (mut raw, mut res) = (Score::default(), Score::default());
        for f in kfold_ocr(&pairs, wl) {
            writeln!(
                out,
                "| {} | {} | {:?} | {:.2}% | {:.2}% | {:.2}% |",
                f.id,
                f.restored.syllables,
                f.detected,
                f.raw.acc(),
                f.restored.acc(),
                f.restored.marked_acc()
            )
            .ok();
            raw.add(&f.raw);
            res.add(&f.restored);
        }
        writeln!(out, "| **all** | {} | | {:.2}% | **{:.2}%** | {:.2}% |\n", res.syllables, raw.acc(), res.acc(), res.marked_acc()).ok();
    }
    // Hand-verified reference heads of OCR'd plans.
    for (name, reference) in read_dir_sorted(fixtures, "_reference_head.txt")? {
        let Some((_, src)) = all.iter().find(|(id, _)| id.split('_').next() == Some(name.as_str())) else { continue };
        let n = reference.lines().filter(|l| !l.trim().is_empty()).count();
        let lines: Vec<crate::normalize::mapped::MappedStr> = super::super::layout::clean_lines(src, crate::normalize::ToneStyle::Traditional);
        let kind = shipped.detect(&lines);
        let mut head: Vec<_> = lines.into_iter().take(n).collect();
        shipped.restore_lines(&mut head, kind);
        let restored: String = head.iter().map(|l| l.as_string()).collect::<Vec<_>>().join("\n");
        let raw: String = src.lines().filter(|l| !l.trim().is_empty()).take(n).collect::<Vec<_>>().join("\n");
        let s = score_aligned(&reference, &restored);
        let r = score_aligned(&reference, &raw);
        writeln!(out, "## Reference head of {name} ({n} lines, hand-verified; detected {kind:?})\n").ok();
        writeln!(out, "raw OCR {:.2}% → restored **{:.2}%** of {} syllables (marked: {:.2}%)\n", r.acc(), s.acc(), s.syllables, s.marked_acc()).ok();
    }
    // Speed: stripped restoration of the clean corpus, shipped model.
    let text: String = docs.iter().map(|(_, t)| crate::fold::strip_diacritics(&normalized(t))).collect::<Vec<_>>().join("\n");
    let clock = || thread_cpu_seconds().unwrap_or_else(|| t0.elapsed().as_secs_f64());
    let t1 = clock();
    let mut bytes = 0usize;
    while clock() - t1 < 2.0 {
        let r = shipped.restore_text(&text, TextKind::Stripped);
        bytes += r.len();
    }
    let speed = bytes as f64 / (clock() - t1) / 1e6;
    let ocr_text: String = read_dir_sorted(&ocr_dir_of(fixtures), ".ocr.txt").unwrap_or_default().into_iter().map(|(_, t)| t).collect::<Vec<_>>().join("\n");
    let t2 = clock();
    let mut obytes = 0usize;
    while !ocr_text.is_empty() && clock() - t2 < 2.0 {
        obytes += shipped.restore_text(&ocr_text, TextKind::Ocr).len();
    }
    let ospeed = obytes as f64 / (clock() - t2).max(1e-9) / 1e6;
    writeln!(out, "## Speed (one core, thread CPU time)\n\nmodel load at first use: {:.0} ms; stripped text: {speed:.2} MB/s; OCR text: {ospeed:.2} MB/s", load * 1e3).ok();
    Ok(out)
}

fn ocr_dir_of(fixtures: &std::path::Path) -> std::path::PathBuf {
    fixtures.join("ocr")
}

/// Learns the channel from all pairs in `dir` (for rules/restore/ocr_channel.tsv).
pub fn learn_from_dir(dir: &std::path::Path) -> crate::Result<String> {
    let clean = read_dir_sorted(dir, ".clean.txt")?;
    let noisy = read_dir_sorted(dir, ".ocr.txt")?;
    let pairs: Vec<(&str, &str)> = clean
        .iter()
        .filter_map(|(id, c)| noisy.iter().find(|(n, _)| n == id).map(|(_, o)| (c.as_str(), o.as_str())))
        .collect();
    Ok(learn_channel(&pairs, &super::confusion_rules()).to_tsv())
}

/// The most frequent (reference, output) mistakes of stripped-text k-fold, for analysis.
pub fn stripped_errors(docs: &[(String, String)], word_list: Option<&str>, top: usize) -> Vec<((String, String), usize)> {
    let rules = super::confusion_rules();
    let mut counts: rustc_hash::FxHashMap<(String, String), usize> = Default::default();
    for i in 0..docs.len() {
        let train: Vec<&str> = docs.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, d)| d.1.as_str()).collect();
        let model = Model::train(&train, word_list, Channel::from_rules(&rules), &rules);
        let reference = normalized(&docs[i].1);
        let stripped = crate::fold::strip_diacritics(&reference);
        let restored = model.restore_text(&stripped, TextKind::Stripped);
        let (r, o) = (words(&reference), words(&restored));
        if r.len() != o.len() {
            continue;
        }
        for k in 0..r.len() {
            if is_ref_syllable(&r[k]) && r[k].text != o[k].text {
                *counts.entry((r[k].text.clone(), o[k].text.clone())).or_default() += 1;
                if std::env::var_os("KEHOACH_RESTORE_CONTEXT").is_some() {
                    let ctx = |v: &[Token], a: usize, b: usize| v[a..b].iter().map(|t| t.text.as_str()).collect::<Vec<_>>().join(" ");
                    let a = k.saturating_sub(3);
                    let b = (k + 3).min(r.len());
                    eprintln!("{} || {}", ctx(&r, a, b), ctx(&o, a, b));
                }
            }
        }
    }
    let mut v: Vec<_> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v.truncate(top);
    v
}

/// CPU time of this thread (Linux), or wall time elsewhere: speed figures stay honest on
/// a loaded machine.
pub fn thread_cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}
