//! The `kehoach` command line: a thin layer over the library.

use clap::{Parser, Subcommand};
use kehoach::normalize::{NormalizeOptions, RestoreMode, ToneStyle};
use kehoach::{Options, Rules};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

// The pipeline allocates many small strings and vectors per document; mimalloc serves them
// from per-thread pages, faster than glibc malloc and without its arena lock under rayon.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "kehoach", version, about = "Vietnamese administrative plans (Kế hoạch) → canonical JSON")]
struct Cli {
    /// More logging (-v info, -vv debug); RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    /// Directory whose rule files replace the built-in ones of the same name.
    #[arg(long, global = true, value_name = "DIR")]
    rules: Option<PathBuf>,
    /// Diacritic restoration and OCR repair.
    #[arg(long, global = true, value_enum, default_value_t = RestoreMode::Auto)]
    restore: RestoreMode,
    /// Tone-mark placement in output: traditional (hòa, Ủy) or modern (hoà, Uỷ).
    #[arg(long, global = true, value_enum, default_value_t = ToneArg::Traditional)]
    tone: ToneArg,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ToneArg {
    Traditional,
    Modern,
}

#[derive(Subcommand)]
enum Command {
    /// Extract one plan into canonical JSON on stdout (`-` reads stdin).
    Extract {
        #[arg(required_unless_present = "jsonl")]
        file: Option<PathBuf>,
        /// Compact JSON on one line.
        #[arg(long)]
        compact: bool,
        /// Stream: read one input per stdin line (a path, or {"path": ...}) and write one
        /// compact JSON document per line, or {"path", "error"} for an input that fails.
        /// Exit code 1 when any input failed.
        #[arg(long, conflicts_with = "file")]
        jsonl: bool,
    },
    /// Convert every .txt/.md/.tsv/.pdf/.docx under IN_DIR into OUT_DIR (one JSON per
    /// input, mirroring the tree), with a summary. Exit code 0: all converted or up to
    /// date; 1: some inputs failed (listed on stderr and in the summary); 2: the run
    /// itself failed (IN_DIR or OUT_DIR unusable).
    Batch {
        #[arg(value_name = "IN_DIR")]
        in_dir: PathBuf,
        #[arg(short, long, value_name = "OUT_DIR")]
        out: PathBuf,
        /// Worker threads (default: one per core).
        #[arg(short, long, default_value_t = 0)]
        jobs: usize,
        /// Convert inputs again even if they and the rules are unchanged.
        #[arg(long)]
        force: bool,
        /// json: per-input JSON only; jsonl/csv: also flat rows of tasks and indicator
        /// targets over all inputs (kehoach-rows.jsonl, kehoach-tasks.csv, kehoach-indicators.csv).
        #[arg(long, value_enum, default_value_t = kehoach::batch::ExportFormat::Json)]
        format: kehoach::batch::ExportFormat,
        /// CSV for spreadsheets (Excel): UTF-8 BOM, and cells starting with = + - @ prefixed with '.
        #[arg(long)]
        bom: bool,
        /// No progress bar (it is only drawn on a terminal anyway).
        #[arg(short, long)]
        quiet: bool,
    },
    /// Print the normalized text that the extractors see.
    Normalize { file: PathBuf },
    /// Print every table as rebuilt: columns, then one row a line, cells separated by " | ".
    Tables { file: PathBuf },
    /// Print the document tree with source line numbers.
    Segment {
        file: PathBuf,
        /// The tree as JSON instead of an outline.
        #[arg(long)]
        json: bool,
    },
    /// Print the JSON Schema (draft 2020-12) of the output contract.
    Schema,
    /// Score the pipeline against reference annotations (gold JSON files).
    Eval {
        /// Directory of gold files `<stem>.json` (format: fixtures/gold/FORMAT.md).
        #[arg(long, value_name = "DIR")]
        gold: PathBuf,
        /// Directory holding the sources named by the gold files.
        #[arg(long, value_name = "DIR", default_value = "corpus")]
        corpus: PathBuf,
        /// The report as JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Also list every mismatch (missed, spurious, wrong attribute) per document.
        #[arg(long)]
        details: bool,
    },
    /// Write a self-contained HTML review page: source text beside the extracted items.
    Review {
        /// The source plan.
        file: PathBuf,
        /// Output HTML file (`-` for stdout).
        #[arg(short, long, value_name = "OUT.html")]
        output: PathBuf,
        /// Review this extracted JSON (from `kehoach extract FILE`) instead of extracting again.
        #[arg(long, value_name = "JSON")]
        doc: Option<PathBuf>,
        /// Items under this confidence are flagged.
        #[arg(long, default_value_t = kehoach::extract::confidence::LOW_CONFIDENCE)]
        low_confidence: f32,
    },
    /// Compare two versions of a plan (JSON documents or source files). Exit status: 0
    /// equal, 1 different, 2 error.
    Diff {
        a: PathBuf,
        b: PathBuf,
        /// The report as JSON.
        #[arg(long)]
        json: bool,
        /// Least text similarity (0..1) for items with different ids to be matched.
        #[arg(long, default_value_t = 0.6)]
        threshold: f64,
    },
    /// Evaluate diacritic restoration (k-fold over the corpus, OCR pairs, speed).
    RestoreEval {
        #[arg(long, default_value = "corpus")]
        corpus: PathBuf,
        #[arg(long, default_value = "fixtures/restore")]
        fixtures: PathBuf,
    },
    /// Learn OCR channel costs from OCR/clean pairs (<id>.clean.txt, <id>.ocr.txt); TSV on stdout.
    RestoreLearn {
        #[arg(default_value = "fixtures/restore/ocr")]
        pairs: PathBuf,
    },
    /// Train the restoration model from the text the crate ships and write its binary form.
    RestoreModel {
        #[arg(default_value = "rules/restore/model.bin")]
        out: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    if let Command::Diff { a, b, json, threshold } = &cli.command {
        // diff(1) convention: 0 equal, 1 different, 2 trouble.
        return match run_diff(&cli, a, b, *json, *threshold) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::from(1),
            Err(e) => {
                eprintln!("kehoach: {e}");
                ExitCode::from(2)
            }
        };
    }
    match run(&cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("kehoach: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

fn init_logging(verbose: u8) {
    // The PDF parsers log every oddity of a file; the CLI reports errors itself.
    let default = match verbose {
        0 => "warn,lopdf=off,pdf_extract=off",
        1 => "info,lopdf=error,pdf_extract=error",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| default.into());
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}

fn options(cli: &Cli) -> Options {
    let tone_style = match cli.tone {
        ToneArg::Traditional => ToneStyle::Traditional,
        ToneArg::Modern => ToneStyle::Modern,
    };
    Options { normalize: NormalizeOptions { tone_style, restore: cli.restore } }
}

fn run(cli: &Cli) -> kehoach::Result<ExitCode> {
    let rules = Rules::from_dir(cli.rules.as_deref())?;
    let opts = options(cli);
    match &cli.command {
        Command::Batch { in_dir, out, jobs, force, format, bom, quiet } => {
            use std::io::IsTerminal;
            let bopts = kehoach::batch::BatchOptions {
                jobs: *jobs,
                force: *force,
                format: *format,
                bom: *bom,
                progress: !*quiet && std::io::stderr().is_terminal(),
                rules_dir: cli.rules.clone(),
            };
            return match kehoach::batch::run(in_dir, out, &rules, &opts, &bopts) {
                Ok(r) => {
                    eprintln!(
                        "kehoach: {} inputs: {} converted, {} up to date, {} failed in {:.2}s ({} jobs); summary in {}",
                        r.inputs,
                        r.converted,
                        r.skipped,
                        r.failed,
                        r.seconds,
                        r.jobs,
                        out.join(kehoach::batch::SUMMARY_JSON).display()
                    );
                    Ok(ExitCode::from(r.exit_code() as u8))
                }
                Err(e) => {
                    eprintln!("kehoach: {e}");
                    Ok(ExitCode::from(2))
                }
            };
        }
        Command::Extract { jsonl: true, .. } => return extract_jsonl(&rules, &opts),
        _ => {}
    }
    // Output is built in full before anything is written: no partial output on error.
    let out = match &cli.command {
        Command::Extract { file, compact, .. } => {
            let file = file.as_deref().unwrap_or(Path::new("-"));
            let doc = kehoach::extract_path(file, &rules, &opts)?;
            let mut s = if *compact { serde_json::to_string(&doc) } else { kehoach::model::to_string_pretty(&doc) }
                .expect("documents serialize");
            s.push('\n');
            s
        }
        Command::Normalize { file } => {
            let source = kehoach::ingest::read_path(file)?;
            let (norm, _) = kehoach::analyze(&source, &rules, &opts);
            let mut s = norm.text.clone();
            s.push('\n');
            s
        }
        Command::Tables { file } => {
            let source = kehoach::ingest::read_path(file)?;
            let (norm, tree) = kehoach::analyze(&source, &rules, &opts);
            kehoach::segment::table::render_all(&norm, &tree, &rules)
        }
        Command::Segment { file, json } => {
            let source = kehoach::ingest::read_path(file)?;
            let (norm, tree) = kehoach::analyze(&source, &rules, &opts);
            if *json {
                serde_json::to_string_pretty(&tree).expect("trees serialize") + "\n"
            } else {
                tree.outline(&norm)
            }
        }
        Command::Batch { .. } => unreachable!("handled above"),
        Command::Schema => kehoach::schema::JSON_SCHEMA.to_string(),
        Command::Eval { gold, corpus, json, details } => {
            let mut report = kehoach::eval::evaluate_dir(gold, corpus, &rules, &opts)?;
            if !*details {
                report = report.without_mismatches();
            }
            if *json {
                serde_json::to_string_pretty(&report).expect("reports serialize") + "\n"
            } else {
                report.to_table()
            }
        }
        Command::Review { file, output, doc, low_confidence } => {
            let source = kehoach::ingest::read_path(file)?;
            let document = match doc {
                Some(json) => {
                    let d = kehoach::diff::load(json, &rules, &opts)?;
                    if d.source.sha256 != source.sha256 {
                        tracing::warn!("{}: extracted from a different source (sha256 differs); spans may not line up", json.display());
                    }
                    d
                }
                None => kehoach::extract(&source, &rules, &opts)?,
            };
            let html = kehoach::review::render(
                &source.text,
                &document,
                &kehoach::review::ReviewOptions { low_confidence: *low_confidence },
            );
            if output.as_os_str() == "-" {
                html
            } else {
                return std::fs::write(output, html)
                    .map(|_| ExitCode::SUCCESS)
                    .map_err(|e| kehoach::Error::Io { path: output.clone(), source: e });
            }
        }
        Command::Diff { .. } => unreachable!("handled in main"),
        Command::RestoreEval { corpus, fixtures } => kehoach::normalize::restore::eval::report(corpus, fixtures)?,
        Command::RestoreLearn { pairs } => kehoach::normalize::restore::eval::learn_from_dir(pairs)?,
        Command::RestoreModel { out } => {
            return std::fs::write(out, kehoach::normalize::restore::ModelData::shipped_training().to_bytes())
                .map(|_| ExitCode::SUCCESS)
                .map_err(|e| kehoach::Error::Io { path: out.clone(), source: e });
        }
    };
    write_stdout(&out, Path::new("-"))?;
    Ok(ExitCode::SUCCESS)
}

/// `extract --jsonl`: paths in on stdin, one compact JSON document per line out.
fn extract_jsonl(rules: &Rules, opts: &Options) -> kehoach::Result<ExitCode> {
    use std::io::BufRead;
    let stdin = std::io::stdin().lock();
    let mut failed = false;
    for line in stdin.lines() {
        let line = line.map_err(|e| kehoach::Error::Io { path: "<stdin>".into(), source: e })?;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let path = if line.starts_with('{') {
            match serde_json::from_str::<serde_json::Value>(line).ok().and_then(|v| v.get("path")?.as_str().map(str::to_string)) {
                Some(p) => p,
                None => {
                    failed = true;
                    let err = "input line is not {\"path\": \"...\"}";
                    eprintln!("kehoach: {line}: {err}");
                    let out = serde_json::json!({ "path": line, "error": err });
                    if !write_line(&out.to_string())? {
                        break;
                    }
                    continue;
                }
            }
        } else {
            line.to_string()
        };
        let out = match kehoach::extract_path(Path::new(&path), rules, opts) {
            Ok(doc) => serde_json::to_string(&doc).expect("documents serialize"),
            Err(e) => {
                failed = true;
                eprintln!("kehoach: {e}");
                serde_json::json!({ "path": path, "error": e.to_string() }).to_string()
            }
        };
        if !write_line(&out)? {
            break;
        }
    }
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// Writes one line to stdout and flushes it; false when the reader has gone (`| head`).
fn write_line(s: &str) -> kehoach::Result<bool> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(s.as_bytes()).and_then(|_| stdout.write_all(b"\n")).and_then(|_| stdout.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(kehoach::Error::Io { path: "<stdout>".into(), source: e }),
        Ok(()) => Ok(true),
    }
}

/// `diff A B`: prints the report; Ok(true) when the documents are equal.
fn run_diff(cli: &Cli, a: &Path, b: &Path, json: bool, threshold: f64) -> kehoach::Result<bool> {
    let rules = Rules::from_dir(cli.rules.as_deref())?;
    let opts = options(cli);
    let before = kehoach::diff::load(a, &rules, &opts)?;
    let after = kehoach::diff::load(b, &rules, &opts)?;
    let mut report = kehoach::diff::diff(&before, &after, &kehoach::diff::DiffOptions { threshold });
    report.before = a.display().to_string();
    report.after = b.display().to_string();
    let out = if json {
        serde_json::to_string_pretty(&report).expect("reports serialize") + "\n"
    } else {
        report.to_text()
    };
    write_stdout(&out, Path::new("-"))?;
    Ok(report.equal)
}

fn write_stdout(s: &str, _path: &Path) -> kehoach::Result<()> {
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`| head`) is not an error worth reporting.
    match stdout.write_all(s.as_bytes()).and_then(|_| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(kehoach::Error::Io { path: "<stdout>".into(), source: e }),
        _ => Ok(()),
    }
}
