//! Batch conversion: every supported file under a directory, in parallel, one JSON per
//! input mirroring the tree, a summary, optional flat exports, and resume.
//!
//! * Inputs: `.txt .md .tsv .pdf .docx` (any case) under IN_DIR, recursively, in path
//!   order; hidden files and directories (`.name`) and OUT_DIR itself are skipped.
//! * Outputs: `OUT_DIR/<dir>/<stem>.json`; when two inputs would share a name (`a.txt` and
//!   `a.pdf`), both keep their extension (`a.txt.json`, `a.pdf.json`). Every file is
//!   written to a temporary file in the same directory and renamed: a reader never sees a
//!   half-written file.
//! * `OUT_DIR/kehoach-summary.{json,csv}`: one record per input (status, error, counts,
//!   time). With `--format csv`, `kehoach-tasks.csv` and `kehoach-indicators.csv`; with
//!   `--format jsonl`, `kehoach-rows.jsonl` ([`crate::export`]), over all inputs.
//! * Resume: `OUT_DIR/.kehoach-state.json` keeps, per input, the sha256 of its bytes and a
//!   hash of the rules, options and version it was converted with. An input whose hash
//!   and configuration are unchanged and whose JSON still exists is skipped
//!   ([`BatchOptions::force`] redoes it). Failed inputs are never recorded, so they are
//!   retried.
//! * Memory: inputs are processed in ordered chunks; only the chunk in flight is held
//!   (each worker holds one document), plus a small record per input for the state.

use crate::error::{Error, Result};
use crate::export::{self, CsvOptions, Table};
use crate::model::Document;
use crate::rules::{RuleSource, Rules};
use crate::Options;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Extensions of the files a batch converts (compared case-insensitively).
pub const SUPPORTED_EXTENSIONS: &[&str] = &["txt", "md", "tsv", "pdf", "docx"];
pub const STATE_FILE: &str = ".kehoach-state.json";
pub const SUMMARY_JSON: &str = "kehoach-summary.json";
pub const SUMMARY_CSV: &str = "kehoach-summary.csv";
pub const TASKS_CSV: &str = "kehoach-tasks.csv";
pub const INDICATORS_CSV: &str = "kehoach-indicators.csv";
pub const ROWS_XLSX: &str = "kehoach.xlsx";
pub const ROWS_JSONL: &str = "kehoach-rows.jsonl";
const STATE_VERSION: u32 = 1;

/// Flat exports written next to the per-input JSON files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ExportFormat {
    /// Only the per-input JSON documents.
    #[default]
    Json,
    /// Plus `kehoach-rows.jsonl`: one object per task and per indicator target.
    Jsonl,
    /// Plus `kehoach-tasks.csv` and `kehoach-indicators.csv`.
    Csv,
    /// Plus `kehoach.xlsx`: a `tasks` and an `indicators` sheet with typed cells (what a
    /// spreadsheet user wants: no encoding guess, "5.10" stays "5.10").
    Xlsx,
}

#[derive(Debug, Clone, Default)]
pub struct BatchOptions {
    /// Worker threads; 0 means one per core.
    pub jobs: usize,
    /// Convert every input even when the state says it is up to date.
    pub force: bool,
    pub format: ExportFormat,
    /// CSV for spreadsheets: UTF-8 BOM and formula-safe cells ([`CsvOptions`]).
    pub bom: bool,
    /// Draw a progress bar on stderr.
    pub progress: bool,
    /// Where the rules came from (hashed into the resume key).
    pub rules_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Converted,
    Skipped,
    Failed,
}

/// One line of the summary.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileRecord {
    /// Input path relative to IN_DIR ('/' separators).
    pub input: String,
    /// Output path relative to OUT_DIR (empty when failed).
    pub output: String,
    pub status: Status,
    pub error: Option<String>,
    pub tasks: usize,
    pub indicators: usize,
    pub warnings: usize,
    pub bytes: u64,
    /// Wall time spent on this input, milliseconds.
    pub ms: f64,
}

/// Totals of a run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct BatchReport {
    pub inputs: usize,
    pub converted: usize,
    pub skipped: usize,
    pub failed: usize,
    /// Bytes of the inputs that were converted (not skipped).
    pub bytes_converted: u64,
    pub seconds: f64,
    pub jobs: usize,
}

impl BatchReport {
    /// 0 when every input converted or was up to date, 1 when some failed.
    pub fn exit_code(&self) -> i32 {
        if self.failed > 0 {
            1
        } else {
            0
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct StateEntry {
    sha256: String,
    config: String,
    output: String,
    tasks: usize,
    indicators: usize,
    warnings: usize,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct State {
    version: u32,
    files: BTreeMap<String, StateEntry>,
}

/// An input and where its JSON goes.
#[derive(Debug, Clone)]
struct Job {
    path: PathBuf,
    rel: String,
    out_rel: String,
}

/// What a worker hands back for one input.
struct Outcome {
    record: FileRecord,
    state: Option<StateEntry>,
    /// Export rows of this input: (tasks CSV or JSONL rows, indicators CSV rows).
    rows: (Vec<u8>, Vec<u8>),
}

fn io_err(path: &Path, e: io::Error) -> Error {
    Error::Io { path: path.to_path_buf(), source: e }
}

/// Temporary files are hidden (`.kehoach-*.tmp`, skipped by the walk) and get the
/// ordinary permissions of a new file (0666 less the umask), not tempfile's 0600.
fn temp_builder() -> tempfile::Builder<'static, 'static> {
    let mut b = tempfile::Builder::new();
    b.prefix(".kehoach-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(fs::Permissions::from_mode(0o666));
    }
    b
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    // The directory usually exists (the other files of a batch made it): create it only
    // when the temporary file cannot be made, saving a syscall a file.
    let mut tmp = match temp_builder().tempfile_in(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            fs::create_dir_all(dir)?;
            temp_builder().tempfile_in(dir)?
        }
        other => other?,
    };
    tmp.write_all(bytes)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// A file written in place of `path` at [`AtomicFile::commit`]; dropped, it leaves nothing.
struct AtomicFile {
    path: PathBuf,
    w: BufWriter<tempfile::NamedTempFile>,
}

impl AtomicFile {
    fn create(path: PathBuf) -> Result<AtomicFile> {
        let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        let tmp = temp_builder()
            .tempfile_in(&dir)
            .map_err(|e| io_err(&dir, e))?;
        Ok(AtomicFile { path, w: BufWriter::new(tmp) })
    }

    fn write(&mut self, bytes: &[u8]) -> Result<()> {
        self.w.write_all(bytes).map_err(|e| io_err(&self.path, e))
    }

    fn commit(self) -> Result<()> {
        let path = self.path;
        let tmp = self.w.into_inner().map_err(|e| io_err(&path, e.into_error()))?;
        tmp.persist(&path).map_err(|e| io_err(&path, e.error))?;
        Ok(())
    }
}

fn is_supported(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| SUPPORTED_EXTENSIONS.iter().any(|s| s.eq_ignore_ascii_case(e)))
}

fn rel_string(p: &Path) -> String {
    p.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// The supported files under `in_dir` (sorted), skipping hidden entries and `exclude`.
/// Unreadable directories are returned as failures.
fn walk(in_dir: &Path, exclude: Option<&Path>) -> (Vec<PathBuf>, Vec<(String, String)>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let walker = walkdir::WalkDir::new(in_dir).follow_links(true).sort_by_file_name().into_iter().filter_entry(|e| {
        if e.depth() == 0 {
            return true;
        }
        if e.file_name().to_string_lossy().starts_with('.') {
            return false;
        }
        match (exclude, e.file_type().is_dir()) {
            (Some(ex), true) => fs::canonicalize(e.path()).map(|c| c != ex).unwrap_or(true),
            _ => true,
        }
    });
    for entry in walker {
        match entry {
            Ok(e) if e.file_type().is_file() && is_supported(e.path()) => files.push(e.into_path()),
            Ok(_) => {}
            Err(e) => {
                let p = e.path().map(|p| p.display().to_string()).unwrap_or_else(|| in_dir.display().to_string());
                errors.push((p, e.to_string()));
            }
        }
    }
    (files, errors)
}

/// Output names: `<stem>.json`, or `<name>.json` when the stem is shared in a directory
/// or the name is one of the batch's own files.
fn plan(in_dir: &Path, files: Vec<PathBuf>) -> Vec<Job> {
    let rels: Vec<String> = files.iter().map(|p| rel_string(p.strip_prefix(in_dir).unwrap_or(p))).collect();
    let short = |rel: &str| -> String {
        match rel.rfind('.') {
            Some(dot) if dot > rel.rfind('/').map_or(0, |s| s + 1) => format!("{}.json", &rel[..dot]),
            _ => format!("{rel}.json"),
        }
    };
    let mut count: HashMap<String, usize> = HashMap::new();
    for r in &rels {
        *count.entry(short(r)).or_default() += 1;
    }
    let reserved = [SUMMARY_JSON, SUMMARY_CSV, TASKS_CSV, INDICATORS_CSV, ROWS_JSONL, STATE_FILE];
    files
        .into_iter()
        .zip(rels)
        .map(|(path, rel)| {
            let s = short(&rel);
            let out_rel = if count[&s] > 1 || reserved.contains(&s.as_str()) { format!("{rel}.json") } else { s };
            Job { path, rel, out_rel }
        })
        .collect()
}

fn load_state(path: &Path) -> State {
    let Ok(text) = fs::read_to_string(path) else { return State::default() };
    match serde_json::from_str::<State>(&text) {
        Ok(s) if s.version == STATE_VERSION => s,
        _ => {
            tracing::warn!("{}: unreadable state, every input will be converted", path.display());
            State::default()
        }
    }
}

/// Hash of everything besides the input that decides the output.
fn config_hash(rules_dir: Option<&Path>, opts: &Options) -> Result<String> {
    let rules = RuleSource { dir: rules_dir.map(Path::to_path_buf) }.fingerprint()?;
    let key = format!("kehoach {} schema {} rules {rules} options {:?}", env!("CARGO_PKG_VERSION"), crate::model::SCHEMA_VERSION, opts);
    Ok(crate::ingest::sha256_hex(key.as_bytes()))
}

struct Ctx<'a> {
    rules: &'a Rules,
    opts: &'a Options,
    out_dir: &'a Path,
    config: &'a str,
    force: bool,
    format: ExportFormat,
    csv: CsvOptions,
}

fn read_input(path: &Path) -> Result<Vec<u8>> {
    let meta = fs::metadata(path).map_err(|e| io_err(path, e))?;
    if meta.len() > crate::ingest::MAX_INPUT_BYTES {
        return Err(Error::TooLarge { path: path.into(), size: meta.len(), limit: crate::ingest::MAX_INPUT_BYTES });
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    fs::File::open(path)
        .and_then(|f| f.take(crate::ingest::MAX_INPUT_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| io_err(path, e))?;
    Ok(bytes)
}

fn export_rows(ctx: &Ctx, rel: &str, doc: &Document) -> io::Result<(Vec<u8>, Vec<u8>)> {
    match ctx.format {
        ExportFormat::Json => Ok((Vec::new(), Vec::new())),
        ExportFormat::Jsonl => {
            let mut rows = Vec::new();
            export::write_jsonl(&mut rows, rel, doc)?;
            Ok((rows, Vec::new()))
        }
        // The XLSX sheets are filled from plain CSV rows (typed cells need no formula guard).
        ExportFormat::Csv | ExportFormat::Xlsx => {
            let csv = if ctx.format == ExportFormat::Xlsx { CsvOptions::default() } else { ctx.csv };
            let mut tasks = Vec::new();
            let mut inds = Vec::new();
            export::write_csv_rows(&mut tasks, Table::Tasks, rel, doc, csv)?;
            export::write_csv_rows(&mut inds, Table::Indicators, rel, doc, csv)?;
            Ok((tasks, inds))
        }
    }
}

fn process(ctx: &Ctx, job: &Job, previous: Option<&StateEntry>) -> Outcome {
    let started = Instant::now();
    let mut record = FileRecord {
        input: job.rel.clone(),
        output: String::new(),
        status: Status::Failed,
        error: None,
        tasks: 0,
        indicators: 0,
        warnings: 0,
        bytes: 0,
        ms: 0.0,
    };
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| convert(ctx, job, previous, &mut record)));
    let (state, rows) = match result {
        Ok(Ok((state, rows))) => (state, rows),
        Ok(Err(e)) => {
            record.status = Status::Failed;
            record.error = Some(e.to_string());
            (None, (Vec::new(), Vec::new()))
        }
        Err(_) => {
            record.status = Status::Failed;
            record.error = Some(format!("{}: internal error (panic) while converting", job.rel));
            (None, (Vec::new(), Vec::new()))
        }
    };
    if record.status == Status::Failed {
        record.output.clear();
        record.tasks = 0;
        record.indicators = 0;
        record.warnings = 0;
    }
    record.ms = (started.elapsed().as_secs_f64() * 1e6).round() / 1e3;
    Outcome { record, state, rows }
}

type Converted = (Option<StateEntry>, (Vec<u8>, Vec<u8>));

fn convert(ctx: &Ctx, job: &Job, previous: Option<&StateEntry>, record: &mut FileRecord) -> Result<Converted> {
    let bytes = read_input(&job.path)?;
    record.bytes = bytes.len() as u64;
    let sha = crate::ingest::sha256_hex(&bytes);
    let out_path = ctx.out_dir.join(&job.out_rel);
    record.output = job.out_rel.clone();
    if let Some(prev) = previous.filter(|p| !ctx.force && p.sha256 == sha && p.config == ctx.config && p.output == job.out_rel) {
        if out_path.is_file() {
            let rows = if ctx.format == ExportFormat::Json {
                Some((Vec::new(), Vec::new()))
            } else {
                // The flat exports cover every input: rebuild the rows from the JSON kept.
                fs::read(&out_path)
                    .ok()
                    .and_then(|b| serde_json::from_slice::<Document>(&b).ok())
                    .and_then(|doc| export_rows(ctx, &job.rel, &doc).ok())
            };
            if let Some(rows) = rows {
                record.status = Status::Skipped;
                record.tasks = prev.tasks;
                record.indicators = prev.indicators;
                record.warnings = prev.warnings;
                tracing::debug!("{}: up to date", job.rel);
                return Ok((Some(prev.clone()), rows));
            }
        }
    }
    // The hash taken above is handed over: the input is not hashed twice.
    let source = crate::ingest::ingest_hashed(&job.rel, &bytes, Some(sha.clone()))?;
    drop(bytes);
    // The JSON runs to two or three times the text (spans, provenance): sized once rather
    // than grown by copies.
    let mut json = Vec::with_capacity(source.text.len() * 3);
    let doc = crate::extract(&source, ctx.rules, ctx.opts)?;
    drop(source);
    crate::model::to_writer_pretty(&mut json, &doc).map_err(|e| io_err(&out_path, e.into()))?;
    json.push(b'\n');
    write_atomic(&out_path, &json).map_err(|e| io_err(&out_path, e))?;
    drop(json);
    let rows = export_rows(ctx, &job.rel, &doc).map_err(|e| io_err(&out_path, e))?;
    record.status = Status::Converted;
    record.tasks = doc.tasks.len();
    record.indicators = doc.indicators.len();
    record.warnings = doc.warnings.len();
    tracing::info!("{}: {} tasks, {} indicators, {} warnings", job.rel, record.tasks, record.indicators, record.warnings);
    let state = StateEntry {
        sha256: sha,
        config: ctx.config.to_string(),
        output: job.out_rel.clone(),
        tasks: record.tasks,
        indicators: record.indicators,
        warnings: record.warnings,
    };
    Ok((Some(state), rows))
}

/// Summary writers: JSON and CSV, streamed to temporary files and renamed at the end.
struct Summary {
    json: AtomicFile,
    csv: csv::Writer<AtomicFile>,
    first: bool,
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.w.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.w.flush()
    }
}

impl Summary {
    fn create(out_dir: &Path, in_dir: &Path, jobs: usize, bom: bool) -> Result<Summary> {
        let mut json = AtomicFile::create(out_dir.join(SUMMARY_JSON))?;
        let head = serde_json::json!({
            "kehoach_version": env!("CARGO_PKG_VERSION"),
            "in_dir": in_dir.display().to_string(),
            "out_dir": out_dir.display().to_string(),
            "jobs": jobs,
        });
        let head = serde_json::to_string_pretty(&head).expect("json");
        // Reopen the object to append the file list and totals.
        json.write(head.trim_end().trim_end_matches('}').trim_end().as_bytes())?;
        json.write(b",\n  \"files\": [")?;
        let mut csv_file = AtomicFile::create(out_dir.join(SUMMARY_CSV))?;
        if bom {
            csv_file.write(export::UTF8_BOM)?;
        }
        let csv = csv::WriterBuilder::new().has_headers(true).from_writer(csv_file);
        Ok(Summary { json, csv, first: true })
    }

    fn add(&mut self, r: &FileRecord) -> Result<()> {
        let line = serde_json::to_string(r).expect("records serialize");
        self.json.write(if self.first { b"\n    " } else { b",\n    " })?;
        self.json.write(line.as_bytes())?;
        self.first = false;
        self.csv.serialize(r).map_err(|e| io_err(Path::new(SUMMARY_CSV), io::Error::other(e)))
    }

    fn finish(mut self, report: &BatchReport) -> Result<()> {
        let totals = serde_json::to_string_pretty(report).expect("json").replace('\n', "\n  ");
        self.json.write(format!("\n  ],\n  \"totals\": {totals}\n}}\n").as_bytes())?;
        self.json.commit()?;
        let f = self.csv.into_inner().map_err(|e| io_err(Path::new(SUMMARY_CSV), e.into_error()))?;
        f.commit()
    }
}

/// Flat export writers over all inputs.
struct Exports {
    first: Option<AtomicFile>,
    second: Option<AtomicFile>,
    xlsx: Option<(export::XlsxExport, AtomicFile)>,
}

impl Exports {
    fn create(out_dir: &Path, format: ExportFormat, csv: CsvOptions) -> Result<Exports> {
        let mut exports = Exports { first: None, second: None, xlsx: None };
        match format {
            ExportFormat::Json => {}
            ExportFormat::Jsonl => exports.first = Some(AtomicFile::create(out_dir.join(ROWS_JSONL))?),
            ExportFormat::Csv => {
                let mut t = AtomicFile::create(out_dir.join(TASKS_CSV))?;
                let mut i = AtomicFile::create(out_dir.join(INDICATORS_CSV))?;
                export::write_csv_header(&mut t, Table::Tasks, csv).map_err(|e| io_err(&out_dir.join(TASKS_CSV), e))?;
                export::write_csv_header(&mut i, Table::Indicators, csv)
                    .map_err(|e| io_err(&out_dir.join(INDICATORS_CSV), e))?;
                exports.first = Some(t);
                exports.second = Some(i);
            }
            ExportFormat::Xlsx => {
                let path = out_dir.join(ROWS_XLSX);
                let book = export::XlsxExport::new().map_err(|e| io_err(&path, io::Error::other(e)))?;
                exports.xlsx = Some((book, AtomicFile::create(path)?));
            }
        }
        Ok(exports)
    }

    fn add(&mut self, rows: &(Vec<u8>, Vec<u8>)) -> Result<()> {
        if let Some((book, file)) = &mut self.xlsx {
            for (table, bytes) in [(Table::Tasks, &rows.0), (Table::Indicators, &rows.1)] {
                let records = export::parse_records(bytes).map_err(|e| io_err(&file.path, e))?;
                book.add(table, &records).map_err(|e| io_err(&file.path, io::Error::other(e)))?;
            }
        }
        if let Some(f) = &mut self.first {
            f.write(&rows.0)?;
        }
        if let Some(f) = &mut self.second {
            f.write(&rows.1)?;
        }
        Ok(())
    }

    fn finish(self) -> Result<()> {
        if let Some((book, mut file)) = self.xlsx {
            book.finish(&mut file.w).map_err(|e| io_err(&file.path, io::Error::other(e)))?;
            file.commit()?;
        }
        if let Some(f) = self.first {
            f.commit()?;
        }
        if let Some(f) = self.second {
            f.commit()?;
        }
        Ok(())
    }
}

fn save_state(path: &Path, state: &State) -> Result<()> {
    let bytes = serde_json::to_vec(state).expect("state serializes");
    write_atomic(path, &bytes).map_err(|e| io_err(path, e))
}

/// Converts every supported file under `in_dir` into `out_dir`. Per-input failures are
/// reported (summary, stderr) and counted, not returned: an `Err` means the run itself
/// could not proceed (IN_DIR missing, OUT_DIR not writable, bad rules).
pub fn run(in_dir: &Path, out_dir: &Path, rules: &Rules, opts: &Options, bopts: &BatchOptions) -> Result<BatchReport> {
    let started = Instant::now();
    let meta = fs::metadata(in_dir).map_err(|e| io_err(in_dir, e))?;
    if !meta.is_dir() {
        return Err(Error::Unsupported { path: in_dir.into(), reason: "not a directory".into() });
    }
    fs::create_dir_all(out_dir).map_err(|e| io_err(out_dir, e))?;
    let out_canon = fs::canonicalize(out_dir).ok();
    let (files, walk_errors) = walk(in_dir, out_canon.as_deref());
    let jobs_list = plan(in_dir, files);
    let config = config_hash(bopts.rules_dir.as_deref(), opts)?;
    let state_path = out_dir.join(STATE_FILE);
    let mut state = load_state(&state_path);
    state.version = STATE_VERSION;
    let jobs = if bopts.jobs == 0 { std::thread::available_parallelism().map_or(1, |n| n.get()) } else { bopts.jobs };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|e| io_err(Path::new("<threads>"), io::Error::other(e)))?;
    let csv_opts = CsvOptions { spreadsheet: bopts.bom };
    let ctx = Ctx {
        rules,
        opts,
        out_dir,
        config: &config,
        force: bopts.force,
        format: bopts.format,
        csv: csv_opts,
    };
    let mut summary = Summary::create(out_dir, in_dir, jobs, bopts.bom)?;
    let mut exports = Exports::create(out_dir, bopts.format, csv_opts)?;
    let bar = if bopts.progress {
        ProgressBar::with_draw_target(Some(jobs_list.len() as u64), ProgressDrawTarget::stderr())
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} ({per_sec}, eta {eta}) {msg}")
            .expect("template")
            .progress_chars("=> "),
    );
    let mut report = BatchReport { inputs: jobs_list.len() + walk_errors.len(), jobs, ..Default::default() };
    for (path, err) in &walk_errors {
        let rec = FileRecord {
            input: path.clone(),
            output: String::new(),
            status: Status::Failed,
            error: Some(err.clone()),
            tasks: 0,
            indicators: 0,
            warnings: 0,
            bytes: 0,
            ms: 0.0,
        };
        bar.suspend(|| eprintln!("kehoach: {err}"));
        report.failed += 1;
        summary.add(&rec)?;
    }
    let live: HashSet<&str> = jobs_list.iter().map(|j| j.rel.as_str()).collect();
    // Entries of inputs that are gone are dropped from the state.
    state.files.retain(|k, _| live.contains(k.as_str()));
    let chunk = (jobs * 16).max(16);
    for batch in jobs_list.chunks(chunk) {
        let outcomes: Vec<Outcome> = pool.install(|| {
            batch
                .par_iter()
                .map(|job| {
                    let o = process(&ctx, job, state.files.get(&job.rel));
                    bar.inc(1);
                    o
                })
                .collect()
        });
        for o in outcomes {
            match o.record.status {
                Status::Converted => {
                    report.converted += 1;
                    report.bytes_converted += o.record.bytes;
                }
                Status::Skipped => report.skipped += 1,
                Status::Failed => {
                    report.failed += 1;
                    let err = o.record.error.as_deref().unwrap_or("failed");
                    bar.suspend(|| eprintln!("kehoach: {err}"));
                }
            }
            summary.add(&o.record)?;
            exports.add(&o.rows)?;
            match o.state {
                Some(s) => {
                    state.files.insert(o.record.input, s);
                }
                None => {
                    state.files.remove(&o.record.input);
                }
            }
        }
        save_state(&state_path, &state)?;
    }
    bar.finish_and_clear();
    report.seconds = (started.elapsed().as_secs_f64() * 1e3).round() / 1e3;
    exports.finish()?;
    summary.finish(&report)?;
    save_state(&state_path, &state)?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_names() {
        let files = ["in/a.txt", "in/a.pdf", "in/sub/b.md", "in/kehoach-summary.txt", "in/noext"];
        let jobs = plan(Path::new("in"), files.iter().map(PathBuf::from).collect());
        let outs: Vec<&str> = jobs.iter().map(|j| j.out_rel.as_str()).collect();
        assert_eq!(outs, ["a.txt.json", "a.pdf.json", "sub/b.json", "kehoach-summary.txt.json", "noext.json"]);
        assert_eq!(jobs[2].rel, "sub/b.md");
    }

    #[test]
    fn supported_extensions() {
        assert!(is_supported(Path::new("x/Plan.PDF")));
        assert!(is_supported(Path::new("a.docx")));
        assert!(!is_supported(Path::new("a.json")));
        assert!(!is_supported(Path::new("txt")));
    }

    #[test]
    fn atomic_write_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("d/x.json");
        write_atomic(&p, b"{}").unwrap();
        write_atomic(&p, b"{\"a\":1}").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"{\"a\":1}");
        let names: Vec<_> = fs::read_dir(dir.path().join("d")).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 1);
    }
}
