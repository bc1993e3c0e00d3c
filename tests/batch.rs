//! `kehoach batch` and `kehoach extract --jsonl`, run as the user runs them.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn kehoach() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kehoach"))
}

fn corpus() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    v.sort();
    v
}

/// IN/ with the corpus at the top, again in a/ and a/b/ (as .md), a Vietnamese file
/// name, and two broken files. Returns the number of good inputs.
fn make_input(root: &Path) -> usize {
    let docs = corpus();
    let mut n = 0;
    for (sub, ext) in [("", "txt"), ("a", "txt"), ("a/b", "md")] {
        let dir = root.join(sub);
        fs::create_dir_all(&dir).unwrap();
        for d in &docs {
            let stem = d.file_stem().unwrap().to_string_lossy();
            fs::copy(d, dir.join(format!("{stem}.{ext}"))).unwrap();
            n += 1;
        }
    }
    fs::copy(&docs[0], root.join("a/Kế hoạch phường Đông Hải.txt")).unwrap();
    n += 1;
    // Broken: binary data and an empty file; ignored: an unsupported extension.
    fs::write(root.join("a/b/hỏng.txt"), [0u8, 159, 146, 150, 0, 1, 2, 3].repeat(64)).unwrap();
    fs::write(root.join("empty.md"), b"").unwrap();
    fs::write(root.join("notes.json"), b"{}").unwrap();
    n
}

fn run(args: &[&str]) -> Output {
    kehoach().args(args).output().unwrap()
}

fn summary(out: &Path) -> serde_json::Value {
    serde_json::from_slice(&fs::read(out.join("kehoach-summary.json")).unwrap()).unwrap()
}

fn all_files(dir: &Path) -> Vec<PathBuf> {
    let mut v = Vec::new();
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            v.extend(all_files(&p));
        } else {
            v.push(p);
        }
    }
    v
}

#[test]
fn batch_converts_reports_failures_and_resumes() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let out = tmp.path().join("out");
    let good = make_input(&input);
    let (i, o) = (input.to_str().unwrap(), out.to_str().unwrap());

    let r = run(&["batch", i, "-o", o, "--jobs", "2", "--format", "csv", "--bom"]);
    assert_eq!(r.status.code(), Some(1), "some inputs failed: exit code 1");
    assert!(r.stdout.is_empty());
    let stderr = String::from_utf8(r.stderr).unwrap();
    assert!(stderr.contains("kehoach: a/b/hỏng.txt: "), "{stderr}");
    assert!(stderr.contains("kehoach: empty.md: "), "{stderr}");
    assert!(!stderr.contains("notes.json"));

    // One valid JSON per good input, mirroring the tree.
    for sub in ["", "a", "a/b"] {
        for d in corpus() {
            let stem = d.file_stem().unwrap().to_string_lossy();
            let p = out.join(sub).join(format!("{stem}.json"));
            let doc: kehoach::Document = serde_json::from_slice(&fs::read(&p).unwrap()).unwrap();
            assert_eq!(doc.schema_version, "1");
            let rel = if sub.is_empty() { String::new() } else { format!("{sub}/") };
            assert!(doc.source.path.starts_with(&format!("{rel}{stem}")), "{}", doc.source.path);
        }
    }
    assert!(out.join("a/Kế hoạch phường Đông Hải.json").is_file());
    assert!(!out.join("a/b/hỏng.json").exists());
    // Atomic writes leave no temporary file behind.
    let files = all_files(&out);
    assert!(files.iter().all(|p| !p.to_string_lossy().ends_with(".tmp")), "{files:?}");
    assert_eq!(files.iter().filter(|p| p.extension().is_some_and(|e| e == "json")).count(), good + 2, "JSONs + summary + state");

    // Summary JSON: one record per input, totals.
    let s = summary(&out);
    let recs = s["files"].as_array().unwrap();
    assert_eq!(recs.len(), good + 2);
    assert_eq!(s["totals"]["converted"], good);
    assert_eq!(s["totals"]["failed"], 2);
    assert_eq!(s["totals"]["skipped"], 0);
    let broken = recs.iter().find(|r| r["input"] == "a/b/hỏng.txt").unwrap();
    assert_eq!(broken["status"], "failed");
    assert!(broken["error"].as_str().unwrap().contains("binary"));
    let viet = recs.iter().find(|r| r["input"] == "a/Kế hoạch phường Đông Hải.txt").unwrap();
    assert_eq!(viet["status"], "converted");
    assert_eq!(viet["output"], "a/Kế hoạch phường Đông Hải.json");
    // Counts in the summary are those of the JSON written.
    for r in recs.iter().filter(|r| r["status"] == "converted") {
        let doc: kehoach::Document = serde_json::from_slice(&fs::read(out.join(r["output"].as_str().unwrap())).unwrap()).unwrap();
        assert_eq!(r["tasks"], doc.tasks.len());
        assert_eq!(r["indicators"], doc.indicators.len());
        assert_eq!(r["warnings"], doc.warnings.len());
    }

    // Summary CSV: BOM (asked for), same records, UTF-8 Vietnamese intact.
    let csv_bytes = fs::read(out.join("kehoach-summary.csv")).unwrap();
    assert!(csv_bytes.starts_with(b"\xEF\xBB\xBF"));
    let mut rd = csv::Reader::from_reader(&csv_bytes[3..]);
    assert_eq!(rd.headers().unwrap().iter().collect::<Vec<_>>()[..4], ["input", "output", "status", "error"]);
    let rows: Vec<csv::StringRecord> = rd.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), good + 2);
    assert!(rows.iter().any(|r| &r[0] == "a/Kế hoạch phường Đông Hải.txt" && &r[2] == "converted"));
    assert!(rows.iter().any(|r| &r[0] == "a/b/hỏng.txt" && &r[2] == "failed" && !r[3].is_empty()));

    // Flat exports: BOM, header, one row per task / indicator target over all inputs.
    let total_tasks: u64 = recs.iter().map(|r| r["tasks"].as_u64().unwrap()).sum();
    let tasks = fs::read(out.join("kehoach-tasks.csv")).unwrap();
    assert!(tasks.starts_with(b"\xEF\xBB\xBF"));
    let mut rd = csv::Reader::from_reader(&tasks[3..]);
    assert_eq!(&rd.headers().unwrap()[0], "file");
    assert_eq!(rd.records().count() as u64, total_tasks);
    let inds = fs::read(out.join("kehoach-indicators.csv")).unwrap();
    assert!(inds.starts_with(b"\xEF\xBB\xBF"));
    let mut rd = csv::Reader::from_reader(&inds[3..]);
    assert_eq!(&rd.headers().unwrap()[4], "indicator_id");
    let total_rows: usize = recs
        .iter()
        .filter(|r| r["status"] == "converted")
        .map(|r| {
            let doc: kehoach::Document =
                serde_json::from_slice(&fs::read(out.join(r["output"].as_str().unwrap())).unwrap()).unwrap();
            doc.indicators.iter().map(|i| i.targets.len().max(1)).sum::<usize>()
        })
        .sum();
    assert_eq!(rd.records().count(), total_rows);

    // Re-run: everything up to date is skipped, the broken files fail again.
    let r = run(&["batch", i, "-o", o, "-q", "--format", "csv", "--bom"]);
    assert_eq!(r.status.code(), Some(1));
    let s = summary(&out);
    assert_eq!(s["totals"]["skipped"], good);
    assert_eq!(s["totals"]["converted"], 0);
    assert_eq!(s["totals"]["failed"], 2);
    // The exports still cover every input.
    let tasks = fs::read(out.join("kehoach-tasks.csv")).unwrap();
    let mut rd = csv::Reader::from_reader(&tasks[3..]);
    assert_eq!(rd.records().count() as u64, total_tasks);

    // A changed input is converted again; the others are not.
    let changed = input.join("a/002_b1327e20565ee258.txt");
    let mut f = fs::OpenOptions::new().append(true).open(&changed).unwrap();
    f.write_all("\nNơi nhận: như trên.\n".as_bytes()).unwrap();
    drop(f);
    let r = run(&["batch", i, "-o", o, "-q"]);
    assert_eq!(r.status.code(), Some(1));
    let s = summary(&out);
    assert_eq!(s["totals"]["converted"], 1);
    assert_eq!(s["totals"]["skipped"], good - 1);
    let conv = s["files"].as_array().unwrap().iter().find(|r| r["status"] == "converted").unwrap().clone();
    assert_eq!(conv["input"], "a/002_b1327e20565ee258.txt");

    // A deleted output is written again.
    fs::remove_file(out.join("a/b/003_c190c98b621f42d7.json")).unwrap();
    let r = run(&["batch", i, "-o", o, "-q"]);
    assert_eq!(r.status.code(), Some(1));
    assert_eq!(summary(&out)["totals"]["converted"], 1);
    assert!(out.join("a/b/003_c190c98b621f42d7.json").is_file());

    // --force redoes everything.
    let r = run(&["batch", i, "-o", o, "-q", "--force", "--jobs", "1"]);
    assert_eq!(r.status.code(), Some(1));
    let s = summary(&out);
    assert_eq!(s["totals"]["converted"], good);
    assert_eq!(s["totals"]["skipped"], 0);

    // Without the broken files the exit code is 0.
    fs::remove_file(input.join("a/b/hỏng.txt")).unwrap();
    fs::remove_file(input.join("empty.md")).unwrap();
    let r = run(&["batch", i, "-o", o, "-q"]);
    assert_eq!(r.status.code(), Some(0), "{}", String::from_utf8_lossy(&r.stderr));
    assert_eq!(summary(&out)["files"].as_array().unwrap().len(), good);
}

#[test]
fn batch_jsonl_export_and_output_inside_input() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    fs::create_dir_all(&input).unwrap();
    let docs = corpus();
    for d in &docs {
        fs::copy(d, input.join(d.file_name().unwrap())).unwrap();
    }
    // The output directory inside the input directory is not read as input.
    let out = input.join("out");
    let r = run(&["batch", input.to_str().unwrap(), "-o", out.to_str().unwrap(), "--format", "jsonl"]);
    assert_eq!(r.status.code(), Some(0), "{}", String::from_utf8_lossy(&r.stderr));
    let r = run(&["batch", input.to_str().unwrap(), "-o", out.to_str().unwrap(), "--format", "jsonl", "--force"]);
    assert_eq!(r.status.code(), Some(0));
    let s = summary(&out);
    assert_eq!(s["totals"]["inputs"], docs.len());
    let rows = fs::read_to_string(out.join("kehoach-rows.jsonl")).unwrap();
    let mut tasks = 0;
    for line in rows.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(v["kind"] == "task" || v["kind"] == "indicator");
        if v["kind"] == "task" {
            tasks += 1;
        }
    }
    let expect: u64 = s["files"].as_array().unwrap().iter().map(|r| r["tasks"].as_u64().unwrap()).sum();
    assert_eq!(tasks, expect);
}

#[test]
fn batch_usage_errors_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("nope");
    let r = run(&["batch", missing.to_str().unwrap(), "-o", tmp.path().join("o").to_str().unwrap()]);
    assert_eq!(r.status.code(), Some(2));
    assert!(String::from_utf8(r.stderr).unwrap().starts_with("kehoach: "));
    // OUT_DIR that is a file.
    let file = tmp.path().join("f");
    fs::write(&file, b"x").unwrap();
    let r = run(&["batch", tmp.path().to_str().unwrap(), "-o", file.to_str().unwrap()]);
    assert_eq!(r.status.code(), Some(2));
}

#[test]
fn extract_jsonl_streams_stdin_to_stdout() {
    let docs = corpus();
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.txt");
    fs::write(&bad, b"").unwrap();
    let mut stdin = String::new();
    stdin.push_str(&format!("{}\n", docs[2].display()));
    stdin.push_str(&format!("{}\n", serde_json::json!({ "path": docs[3] })));
    stdin.push('\n');
    stdin.push_str(&format!("{}\n", bad.display()));
    let mut child = kehoach()
        .args(["extract", "--jsonl"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "a failed input: exit 1");
    let lines: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
    assert_eq!(lines.len(), 3);
    for (line, d) in lines[..2].iter().zip([&docs[2], &docs[3]]) {
        let doc: kehoach::Document = serde_json::from_str(line).unwrap();
        assert_eq!(doc.source.path, d.display().to_string());
        // Same document as `extract FILE`.
        let single = run(&["extract", "--compact", d.to_str().unwrap()]);
        assert_eq!(std::str::from_utf8(&single.stdout).unwrap().trim_end(), *line);
    }
    let err: serde_json::Value = serde_json::from_str(lines[2]).unwrap();
    assert_eq!(err["path"], bad.display().to_string());
    assert!(err["error"].as_str().unwrap().contains("empty"));
    assert!(String::from_utf8(out.stderr).unwrap().contains("kehoach: "));
}

/// The XLSX export, read back with calamine (an independent reader), holds exactly the
/// CSV export's cells: Vietnamese text intact, outline numbers such as "5.10" kept as text
/// (a spreadsheet importing the CSV would make them 5.1), measures as numbers.
#[test]
fn batch_xlsx_export_matches_csv_cell_for_cell() {
    use calamine::{Data, Reader, Xlsx};
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    fs::create_dir_all(&input).unwrap();
    for d in corpus() {
        fs::copy(&d, input.join(d.file_name().unwrap())).unwrap();
    }
    let (csv_out, xlsx_out) = (tmp.path().join("csv"), tmp.path().join("xlsx"));
    for (out, format) in [(&csv_out, "csv"), (&xlsx_out, "xlsx")] {
        let r = run(&["batch", input.to_str().unwrap(), "-o", out.to_str().unwrap(), "-q", "--format", format]);
        assert_eq!(r.status.code(), Some(0), "{}", String::from_utf8_lossy(&r.stderr));
    }
    let mut book: Xlsx<_> = calamine::open_workbook(xlsx_out.join("kehoach.xlsx")).unwrap();
    assert_eq!(book.sheet_names(), ["tasks", "indicators"]);
    let mut outline_numbers_kept = 0;
    for (sheet, csv_name) in [("tasks", "kehoach-tasks.csv"), ("indicators", "kehoach-indicators.csv")] {
        let range = book.worksheet_range(sheet).unwrap();
        let mut rd = csv::ReaderBuilder::new().has_headers(false).from_path(csv_out.join(csv_name)).unwrap();
        let want: Vec<csv::StringRecord> = rd.records().map(|r| r.unwrap()).collect();
        assert!(want.len() > 50, "{sheet}: {} rows", want.len());
        assert_eq!(range.height(), want.len(), "{sheet}: row count");
        let header: Vec<String> = want[0].iter().map(str::to_string).collect();
        for (r, (row, expect)) in range.rows().zip(&want).enumerate() {
            for (c, cell) in expect.iter().enumerate() {
                let got = row.get(c).unwrap_or(&Data::Empty);
                match got {
                    Data::Empty => assert_eq!(cell, "", "{sheet} row {r} {}", header[c]),
                    Data::String(s) => {
                        assert_eq!(s, cell, "{sheet} row {r} {}", header[c]);
                        outline_numbers_kept += (s.contains('.') && s.ends_with('0') && s.parse::<f64>().is_ok()) as usize;
                    }
                    Data::Float(f) => assert_eq!(*f, cell.parse::<f64>().unwrap(), "{sheet} row {r} {}", header[c]),
                    other => panic!("{sheet} row {r} {}: unexpected cell {other:?}", header[c]),
                }
            }
        }
        // Measures are numbers, not text.
        let value_col = header.iter().position(|h| h == "line_start").unwrap();
        assert!(matches!(range.get((1, value_col)), Some(Data::Float(_))), "{sheet}: line_start is a number");
    }
    assert!(outline_numbers_kept > 0, "the corpus has numbers like 5.10; they stay text");
}
