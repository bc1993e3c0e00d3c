//! Bad input through the built binary: one line on stderr naming the file and the cause,
//! a documented exit code, nothing on stdout, no panic.
//!
//! Exit codes (see `Error::exit_code`): 3 cannot read, 4 not a usable plan, 6 needs OCR,
//! 7 resource limit.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn kehoach(args: &[&str], stdin: Option<&[u8]>) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_kehoach"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run kehoach");
    {
        let mut pipe = child.stdin.take().unwrap();
        if let Some(bytes) = stdin {
            // The binary may stop reading early (size limit): a broken pipe is fine.
            let _ = pipe.write_all(bytes);
        }
    }
    child.wait_with_output().unwrap()
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("kehoach-bad-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.0.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `extract` (and `normalize`, `segment`) on `path`; checks the failure contract.
fn assert_fails(path: &Path, code: i32, cause: &str) {
    let shown = path.display().to_string();
    for cmd in ["extract", "normalize", "segment"] {
        let out = kehoach(&[cmd, &shown], None);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{cmd} {shown}: stderr {stderr}");
        assert!(out.stdout.is_empty(), "{cmd} {shown}: stdout not empty");
        assert_eq!(stderr.lines().count(), 1, "{cmd} {shown}: not one line: {stderr}");
        let line = stderr.trim_end();
        assert!(line.starts_with(&format!("kehoach: {shown}: ")), "{cmd}: {line}");
        assert!(line.contains(cause), "{cmd} {shown}: {line:?} lacks {cause:?}");
        assert!(!line.contains("panicked"), "{line}");
    }
}

#[test]
fn empty_file() {
    let t = TempDir::new("empty");
    assert_fails(&t.file("empty.txt", b""), 4, "file is empty");
    assert_fails(&t.file("blank.txt", b"  \n\t\n  \r\n"), 4, "file is empty");
    assert_fails(&t.file("bom-only.txt", b"\xEF\xBB\xBF"), 4, "file is empty");
}

#[test]
fn binary_file() {
    let t = TempDir::new("binary");
    let bytes: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
    assert_fails(&t.file("random.bin", &bytes), 4, "binary data");
    assert_fails(&t.file("elf", b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00>\x00"), 4, "binary data");
    assert_fails(&t.file("old.doc", b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00\x00\x00"), 4, "legacy Word .doc");
}

#[test]
fn invalid_utf8() {
    let t = TempDir::new("utf8");
    let mut bytes = "Kế hoạch chuyển đổi số của phường\n".as_bytes().to_vec();
    bytes.extend_from_slice(b"\xff\xfe\xfd broken \xc3\x28 and \x80\x81\x82\n");
    assert_fails(&t.file("invalid.txt", &bytes), 4, "invalid UTF-8 at byte");
    assert_fails(&t.file("odd.txt", b"\xFF\xFEK\x00e\x00x"), 4, "UTF-16");
}

#[test]
fn directory() {
    let t = TempDir::new("dir");
    assert_fails(&t.0, 3, "is a directory");
}

#[test]
fn missing_and_unreadable_paths() {
    let t = TempDir::new("missing");
    assert_fails(&t.0.join("no-such-file.txt"), 3, "cannot read");
    // A path through a regular file fails to open even for root.
    let f = t.file("plain.txt", b"x");
    assert_fails(&f.join("child.txt"), 3, "cannot read");
    // Permission denied, where the test does not run as root.
    let locked = t.file("locked.txt", "Kế hoạch".as_bytes());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
        if std::fs::read(&locked).is_err() {
            assert_fails(&locked, 3, "cannot read");
        }
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
}

#[test]
fn hundred_megabyte_file_is_refused_without_reading_it() {
    let t = TempDir::new("big");
    let p = t.0.join("huge.txt");
    // Sparse: no disk space, no time.
    std::fs::File::create(&p).unwrap().set_len(100 * 1024 * 1024).unwrap();
    assert_fails(&p, 7, "too large: 104857600 bytes (limit 67108864)");
}

#[test]
fn too_much_on_stdin_is_refused() {
    let big = vec![b'a'; (64 << 20) + 10];
    let out = kehoach(&["extract", "-"], Some(&big));
    assert_eq!(out.status.code(), Some(7));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("kehoach: -: too large"), "{stderr}");
    let out = kehoach(&["extract", "-"], Some(b""));
    assert_eq!(out.status.code(), Some(4));
    assert_eq!(String::from_utf8_lossy(&out.stderr).trim_end(), "kehoach: -: file is empty");
}

#[test]
fn ten_megabyte_single_line_is_processed() {
    let t = TempDir::new("line");
    let unit = "Tỷ lệ hồ sơ công việc được xử lý trên môi trường điện tử đạt 100%; ";
    let line = unit.repeat(10 * 1024 * 1024 / unit.len() + 1);
    let p = t.file("one-line.txt", line.as_bytes());
    let out = kehoach(&["extract", "--compact", &p.display().to_string()], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["source"]["encoding"], "utf-8");
}

#[test]
fn zip_that_is_not_docx() {
    use std::io::Write;
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut buf);
        w.start_file("notes.txt", zip::write::SimpleFileOptions::default()).unwrap();
        w.write_all(b"hello").unwrap();
        w.finish().unwrap();
    }
    let t = TempDir::new("zip");
    assert_fails(&t.file("archive.zip", &buf.into_inner()), 4, "not a Word .docx");
    assert_fails(&t.file("broken.docx", b"PK\x03\x04\x14\x00\x00\x00garbage"), 4, "corrupt DOCX");
}

#[test]
fn pdf_failures() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/formats");
    assert_fails(&fixtures.join("scanned.pdf"), 6, "no text layer");
    assert_fails(&fixtures.join("encrypted_password.pdf"), 4, "encrypted PDF");
    let t = TempDir::new("pdf");
    let bytes = std::fs::read(fixtures.join("003.pdf")).unwrap();
    assert_fails(&t.file("truncated.pdf", &bytes[..bytes.len() / 3]), 4, "corrupt or truncated PDF");
    assert_fails(&t.file("junk.pdf", b"%PDF-1.4\nnothing here\n"), 4, "corrupt or truncated PDF");
}

/// A small PDF whose catalog holds an array nested `depth` levels deep. Parsers that
/// recurse without a limit overflow the stack on it, which aborts the whole process
/// (RUSTSEC-2026-0187 in lopdf < 0.42): no `catch_unwind` can contain that.
fn deeply_nested_pdf(depth: usize) -> Vec<u8> {
    let nest = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let objects = [
        format!("<< /Type /Catalog /Pages 2 0 R /X {nest} >>"),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>".to_string(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n{body}\nendobj\n", i + 1).bytes());
    }
    let xref = out.len();
    out.extend(b"xref\n0 4\n0000000000 65535 f \n");
    for o in offsets {
        out.extend(format!("{o:010} 00000 n \n").bytes());
    }
    out.extend(format!("trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").bytes());
    out
}

#[test]
fn deeply_nested_pdf_is_an_error_not_an_abort() {
    let t = TempDir::new("nested");
    let nested = t.file("nested.pdf", &deeply_nested_pdf(2_000_000));
    let out = kehoach(&["extract", &nested.display().to_string()], None);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Not a signal (an abort has no exit code) and the one-line contract holds.
    assert!(matches!(out.status.code(), Some(4 | 6)), "status {:?}: {stderr}", out.status);
    assert!(out.stdout.is_empty());
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("nested.pdf"), "{stderr}");

    // In a batch it is one failed input among good ones.
    let input = t.0.join("in");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::rename(&nested, input.join("nested.pdf")).unwrap();
    let plan = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let good = std::fs::read_dir(&plan).unwrap().map(|e| e.unwrap().path()).find(|p| p.extension().is_some_and(|x| x == "txt")).unwrap();
    std::fs::copy(&good, input.join("plan.txt")).unwrap();
    let out_dir = t.0.join("out");
    let out = kehoach(&["batch", &input.display().to_string(), "-o", &out_dir.display().to_string(), "--quiet"], None);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out_dir.join("plan.json").is_file());
    assert!(!out_dir.join("nested.json").exists());
}
