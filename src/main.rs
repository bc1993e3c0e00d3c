//! The `kehoach` command line: a thin layer over the library.

use clap::{Parser, Subcommand};
use kehoach::normalize::{NormalizeOptions, RestoreMode, ToneStyle};
use kehoach::{Options, Rules};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

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
        file: PathBuf,
        /// Compact JSON on one line.
        #[arg(long)]
        compact: bool,
    },
    /// Print the normalized text that the extractors see.
    Normalize { file: PathBuf },
    /// Print the document tree with source line numbers.
    Segment {
        file: PathBuf,
        /// The tree as JSON instead of an outline.
        #[arg(long)]
        json: bool,
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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kehoach: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
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

fn run(cli: &Cli) -> kehoach::Result<()> {
    let rules = Rules::from_dir(cli.rules.as_deref())?;
    let opts = options(cli);
    // Output is built in full before anything is written: no partial output on error.
    let out = match &cli.command {
        Command::Extract { file, compact } => {
            let doc = kehoach::extract_path(file, &rules, &opts)?;
            let mut s = if *compact { serde_json::to_string(&doc) } else { serde_json::to_string_pretty(&doc) }
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
        Command::Segment { file, json } => {
            let source = kehoach::ingest::read_path(file)?;
            let (norm, tree) = kehoach::analyze(&source, &rules, &opts);
            if *json {
                serde_json::to_string_pretty(&tree).expect("trees serialize") + "\n"
            } else {
                tree.outline(&norm)
            }
        }
        Command::RestoreEval { corpus, fixtures } => kehoach::normalize::restore::eval::report(corpus, fixtures)?,
        Command::RestoreLearn { pairs } => kehoach::normalize::restore::eval::learn_from_dir(pairs)?,
    };
    write_stdout(&out, Path::new("-"))
}

fn write_stdout(s: &str, _path: &Path) -> kehoach::Result<()> {
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`| head`) is not an error worth reporting.
    match stdout.write_all(s.as_bytes()).and_then(|_| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(kehoach::Error::Io { path: "<stdout>".into(), source: e }),
        _ => Ok(()),
    }
}
