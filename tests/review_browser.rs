//! The review page in a real browser: writes a page for a crafted document and drives
//! Debian's Chromium headless through playwright-core (tests/browser/review.mjs): clicking
//! an item highlights its source span and the reverse, flags and filters work, nothing is
//! fetched from the network.
//!
//! What the test needs, it installs:
//! - Chromium: `/usr/bin/chromium` (or `$KEHOACH_CHROMIUM`); when missing and running as
//!   root with apt-get, `apt-get update && apt-get install -y chromium`.
//! - Node.js: `node`/`npm` on PATH; when missing, as root, `apt-get install -y nodejs npm`.
//! - playwright-core: `npm install --no-save playwright-core@1` into
//!   `target/tmp/browser-deps` (kept between runs).
//!
//! It skips, printing `SKIPPED:` and why, only when these cannot be installed (or
//! `KEHOACH_NO_INSTALL=1` forbids installing and they are missing).
//! The screenshot is left at `target/tmp/review-browser/review.png`.

use kehoach::model::*;
use kehoach::review::{render, ReviewOptions};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Command;

const SOURCE: &str = "ỦY BAN NHÂN DÂN\r
PHƯỜNG ĐÔNG HẢI\r
Số: 45/KH-UBND\r
\r
KẾ HOẠCH\r
Chuyển đổi số phường Đông Hải năm 2026\r
\r
I. MỤC ĐÍCH, YÊU CẦU\r
- Triển khai quyết liệt các nhiệm vụ theo Nghị quyết 57-NQ/TW.\r
\r
II. NHIỆM VỤ, GIẢI PHÁP\r
1. Tổ chức tuyên truyền, phổ biến Nghị quyết 57-NQ/TW đến toàn thể cán bộ,\r
đảng viên và Nhân dân trên địa bàn phường; Phòng Văn hóa - Xã hội chủ trì.\r
2. Rà soát <thủ tục> hành chính & cập nhật trên Cổng dịch vụ công.\r
\u{000C}\r
PHỤ LỤC 1\r
TT\tNội dung chỉ tiêu\tĐơn vị\tChỉ tiêu 2026\tĐơn vị chủ trì\r
1\tTỷ lệ hồ sơ được xử lý trực tuyến toàn trình\t%\t≥ 88%\tTT PV HCC\r
2\tTỷ lệ hộ gia đình có cáp quang\t%\t≥ 95%\tPhòng KTHT&ĐT\r
\r
PHỤ LỤC 2\r
TT\tNhiệm vụ\tChủ trì\tPhối hợp\tThời hạn\r
1\tXây dựng kho dữ liệu dùng chung của phường\tVăn phòng HĐND-UBND\tCông an phường\t12/2026\r
2\tĐào tạo kỹ năng số cho Tổ công nghệ số cộng đồng\tPhòng Văn hóa - Xã hội\tĐoàn Thanh niên\tHằng quý\r
\r
Nơi nhận:\r
- Như trên;\r
- Lưu: VT.\r
";

fn span_of(needle: &str) -> Span {
    let start = SOURCE.find(needle).unwrap_or_else(|| panic!("{needle:?} in source"));
    let end = start + needle.len();
    let line = |off: usize| SOURCE[..off].matches('\n').count() + 1;
    Span { start, end, line_start: line(start), line_end: line(end), page: None }
}

fn ag(id: &str, name: &str) -> AgencyRef {
    AgencyRef { id: id.into(), name: name.into() }
}

fn task(id: &str, origin: Origin, table: Option<&str>, number: &str, text: &str, needle: &str) -> Task {
    Task {
        id: id.into(),
        origin,
        table: table.map(Into::into),
        section: Some(if table.is_some() { "I" } else { "II" }.into()),
        number: Some(number.into()),
        text: text.into(),
        lead: vec![],
        support: vec![],
        output: None,
        deadline: None,
        span: span_of(needle),
        links: vec![],
        confidence: Some(0.9),
    }
}

fn document() -> Document {
    let vhxh = ag("phong-vhxh", "Phòng Văn hóa - Xã hội");
    let vp = ag("vp-hdnd-ubnd", "Văn phòng HĐND và UBND phường");
    let ca = ag("cong-an", "Công an phường");
    let doan = ag("doan-tn", "Đoàn Thanh niên phường");
    let hcc = ag("tt-pvhcc", "Trung tâm Phục vụ hành chính công phường");
    let ktht = ag("phong-ktht-dt", "Phòng Kinh tế, Hạ tầng và Đô thị");

    let mut t1 = task(
        "t-body1",
        Origin::Body,
        None,
        "1",
        "Tổ chức tuyên truyền, phổ biến Nghị quyết 57-NQ/TW đến toàn thể cán bộ, đảng viên và Nhân dân trên địa bàn phường",
        "Tổ chức tuyên truyền, phổ biến Nghị quyết 57-NQ/TW đến toàn thể cán bộ,\r\nđảng viên và Nhân dân trên địa bàn phường",
    );
    t1.lead = vec![vhxh.clone()];
    let mut t2 = task("t-body2", Origin::Body, None, "2", "Rà soát <thủ tục> hành chính & cập nhật trên Cổng dịch vụ công", "Rà soát <thủ tục> hành chính & cập nhật trên Cổng dịch vụ công");
    t2.confidence = Some(0.45);
    let mut t3 = task("t-app1", Origin::Appendix, Some("Phụ lục 2"), "1", "Xây dựng kho dữ liệu dùng chung của phường", "1\tXây dựng kho dữ liệu dùng chung của phường\tVăn phòng HĐND-UBND\tCông an phường\t12/2026");
    t3.lead = vec![vp];
    t3.support = vec![ca];
    t3.deadline = Some(Deadline { raw: "12/2026".into(), kind: DeadlineKind::Month, date: Some("2026-12".into()), until: None });
    let mut t4 = task(
        "t-app2",
        Origin::Appendix,
        Some("Phụ lục 2"),
        "2",
        "Đào tạo kỹ năng số cho Tổ công nghệ số cộng đồng",
        "2\tĐào tạo kỹ năng số cho Tổ công nghệ số cộng đồng\tPhòng Văn hóa - Xã hội\tĐoàn Thanh niên\tHằng quý",
    );
    t4.lead = vec![vhxh.clone()];
    t4.support = vec![doan];
    t4.deadline = Some(Deadline { raw: "Hằng quý".into(), kind: DeadlineKind::Recurring, date: None, until: None });

    let ind = |id: &str, n: &str, name: &str, raw: &str, v: f64, lead: AgencyRef, needle: &str| Indicator {
        id: id.into(),
        origin: Origin::Appendix,
        table: Some("Phụ lục 1".into()),
        group: None,
        number: Some(n.into()),
        name: name.into(),
        unit: Some("%".into()),
        targets: vec![Target { period: Some("2026".into()), raw: raw.into(), op: TargetOp::Ge, value: Some(v), value_max: None }],
        lead: vec![lead],
        support: vec![],
        director: None,
        monitor: None,
        output: None,
        span: span_of(needle),
        confidence: Some(0.95),
    };
    let i1 = ind("i-1", "1", "Tỷ lệ hồ sơ được xử lý trực tuyến toàn trình", "≥ 88%", 88.0, hcc, "1\tTỷ lệ hồ sơ được xử lý trực tuyến toàn trình\t%\t≥ 88%\tTT PV HCC");
    let i2 = ind("i-2", "2", "Tỷ lệ hộ gia đình có cáp quang", "≥ 95%", 95.0, ktht, "2\tTỷ lệ hộ gia đình có cáp quang\t%\t≥ 95%\tPhòng KTHT&ĐT");

    Document {
        schema_version: "1".into(),
        source: SourceInfo {
            path: "ke-hoach-45.txt".into(),
            sha256: kehoach::ingest::sha256_hex(SOURCE.as_bytes()),
            format: "text".into(),
            encoding: "utf-8".into(),
            restored: false,
        },
        document: Metadata {
            doc_type: Some("Kế hoạch".into()),
            issuer: Some("Ủy ban nhân dân phường Đông Hải".into()),
            ward: Some("Đông Hải".into()),
            number: Some("45/KH-UBND".into()),
            title: Some("Chuyển đổi số phường Đông Hải năm 2026".into()),
            span: Some(span_of("Số: 45/KH-UBND")),
            ..Default::default()
        },
        tasks: vec![t1, t2, t3, t4],
        indicators: vec![i1, i2],
        agencies: vec![],
        warnings: vec![Warning {
            code: "agency_fuzzy".into(),
            message: "“Phòng KTHT&ĐT” matched Phòng Kinh tế, Hạ tầng và Đô thị fuzzily".into(),
            span: Some(span_of("Phòng KTHT&ĐT")),
        }],
    }
}

fn which(cmd: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join(cmd)).find(|p| p.is_file())
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0").unwrap_or(false)
}

fn may_install() -> bool {
    std::env::var("KEHOACH_NO_INSTALL").map_or(true, |v| v.is_empty() || v == "0")
}

/// `apt-get install -y PACKAGES` (after one `apt-get update`), as root only.
fn apt_install(packages: &[&str]) -> Result<(), String> {
    if !may_install() {
        return Err("KEHOACH_NO_INSTALL is set".into());
    }
    if !is_root() || which("apt-get").is_none() {
        return Err("not root or no apt-get".into());
    }
    eprintln!("review_browser: installing {packages:?} with apt-get");
    let env = [("DEBIAN_FRONTEND", "noninteractive")];
    let update = Command::new("apt-get").args(["update", "-qq"]).envs(env).status().map_err(|e| e.to_string())?;
    if !update.success() {
        return Err(format!("apt-get update: {update}"));
    }
    let st = Command::new("apt-get").args(["install", "-y", "-qq", "--no-install-recommends"]).args(packages).envs(env).status().map_err(|e| e.to_string())?;
    if st.success() {
        Ok(())
    } else {
        Err(format!("apt-get install {packages:?}: {st}"))
    }
}

fn chromium() -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os("KEHOACH_CHROMIUM") {
        return Ok(PathBuf::from(p));
    }
    let find = || ["/usr/bin/chromium", "/usr/bin/chromium-browser"].iter().map(PathBuf::from).find(|p| p.is_file());
    if let Some(p) = find() {
        return Ok(p);
    }
    apt_install(&["chromium"]).map_err(|e| format!("no /usr/bin/chromium and cannot install it: {e}"))?;
    find().ok_or_else(|| "chromium installed but /usr/bin/chromium is missing".into())
}

fn node() -> Result<(PathBuf, PathBuf), String> {
    if let (Some(n), Some(m)) = (which("node"), which("npm")) {
        return Ok((n, m));
    }
    apt_install(&["nodejs", "npm"]).map_err(|e| format!("no node/npm and cannot install them: {e}"))?;
    match (which("node"), which("npm")) {
        (Some(n), Some(m)) => Ok((n, m)),
        _ => Err("node/npm still missing after install".into()),
    }
}

/// playwright-core in a cache directory under target/tmp; returns its node_modules.
fn playwright(npm: &Path) -> Result<PathBuf, String> {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser-deps");
    let modules = dir.join("node_modules");
    if modules.join("playwright-core/package.json").is_file() {
        return Ok(modules);
    }
    if !may_install() {
        return Err("playwright-core missing and KEHOACH_NO_INSTALL is set".into());
    }
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    eprintln!("review_browser: npm install playwright-core into {}", dir.display());
    let out = Command::new(npm)
        .args(["install", "--no-save", "--no-audit", "--no-fund", "--no-package-lock", "--prefix"])
        .arg(&dir)
        .arg("playwright-core@1")
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
        .output()
        .map_err(|e| format!("npm: {e}"))?;
    if !out.status.success() || !modules.join("playwright-core/package.json").is_file() {
        return Err(format!("npm install playwright-core failed: {}", String::from_utf8_lossy(&out.stderr).trim()));
    }
    Ok(modules)
}

#[test]
fn review_page_in_headless_chromium() {
    let doc = document();
    let html = render(SOURCE, &doc, &ReviewOptions::default());
    let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("review-browser");
    std::fs::create_dir_all(&out_dir).unwrap();
    let page = out_dir.join("review.html");
    std::fs::write(&page, &html).unwrap();

    let deps = chromium().and_then(|c| node().map(|(n, m)| (c, n, m))).and_then(|(c, n, m)| playwright(&m).map(|p| (c, n, p)));
    let (chromium, node, modules) = match deps {
        Ok(d) => d,
        Err(why) => {
            eprintln!("SKIPPED: review_page_in_headless_chromium: no browser: {why}");
            return;
        }
    };

    let d = &doc;
    let marked = |span: &Span| SOURCE[span.start..span.end].split('\n').map(|l| l.trim_end_matches('\r')).collect::<Vec<_>>().join("\n");
    let item_check = |id: &str, span: &Span| json!({"id": id, "line_start": span.line_start, "line_end": span.line_end, "marked": marked(span)});
    let t = |k: usize| &d.tasks[k];
    let screenshot = out_dir.join("review.png");
    let case = json!({
        "page": page,
        "screenshot": screenshot,
        "chromium": chromium,
        "node_modules": modules,
        "checks": {
            "item_to_source": [
                item_check(&t(0).id, &t(0).span),   // two lines
                item_check(&t(1).id, &t(1).span),   // escaped text
                item_check(&t(2).id, &t(2).span),   // table row
                item_check(&d.indicators[1].id, &d.indicators[1].span),
                item_check("document", d.document.span.as_ref().unwrap()),
            ],
            "source_to_items": [
                {"line": t(0).span.line_end, "items": [t(0).id]},
                {"line": d.indicators[0].span.line_start, "items": [d.indicators[0].id]},
                {"line": 1, "items": []},
            ],
            "warn": [d.indicators[1].id],
            "low": [t(1).id],
            "filters": [
                {"agency": "phong-vhxh", "expect": [t(0).id, t(3).id]},
                {"agency": "phong-vhxh", "role": "support", "expect": []},
                {"agency": "cong-an", "role": "support", "expect": [t(2).id]},
                {"dk": "some", "expect": [t(2).id, t(3).id]},
                {"dk": "recurring", "expect": [t(3).id]},
                {"dk": "none", "expect": [t(0).id, t(1).id]},
                {"draw": "12/2026", "expect": [t(2).id]},
                {"draw": "hang quy", "expect": [t(3).id]},
                {"text": "cap quang", "expect": [d.indicators[1].id]},
                {"flagged": true, "expect": [t(1).id, d.indicators[1].id]},
            ],
        }
    });
    let case_path = out_dir.join("case.json");
    std::fs::write(&case_path, serde_json::to_string_pretty(&case).unwrap()).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/review.mjs");
    let out = Command::new(node).arg(&script).arg(&case_path).output().expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    eprintln!("{stdout}");
    assert!(out.status.success() && !stdout.contains("FAIL"), "browser checks failed:\n{stdout}\n{stderr}");
    assert!(stdout.lines().filter(|l| l.starts_with("ok: click")).count() == 8, "{stdout}");
    assert!(screenshot.is_file());
}

#[test]
fn cli_review_writes_a_self_contained_page() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/004_ff0ca8bcd500a04a.txt");
    let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("review-cli");
    std::fs::create_dir_all(&out_dir).unwrap();
    let out = out_dir.join("004.html");
    let _ = std::fs::remove_file(&out);
    let st = Command::new(env!("CARGO_BIN_EXE_kehoach")).arg("review").arg(&src).arg("-o").arg(&out).output().unwrap();
    assert!(st.status.success(), "{}", String::from_utf8_lossy(&st.stderr));
    assert!(st.stdout.is_empty());
    let html = std::fs::read_to_string(&out).unwrap();
    let text = std::fs::read_to_string(&src).unwrap();
    // Every source line is there, numbered; markup in the source is escaped.
    let lines = text.split('\n').count();
    assert!(html.contains(&format!("id=\"L{lines}\"")));
    assert!(!html.contains(&format!("id=\"L{}\"", lines + 1)));
    assert!(html.contains("&lt;https://theodoing.dcs.vn&gt;"));
    assert!(html.contains("Content-Security-Policy"));
    for bad in ["<script src", "<link", "@import", "url(", "<img"] {
        assert!(!html.contains(bad), "{bad}");
    }
    // A JSON document can be reviewed against its source; a missing source is an error.
    let ex = Command::new(env!("CARGO_BIN_EXE_kehoach")).arg("extract").arg(&src).output().unwrap();
    let json = out_dir.join("004.json");
    std::fs::write(&json, &ex.stdout).unwrap();
    let st = Command::new(env!("CARGO_BIN_EXE_kehoach")).arg("review").arg(&src).arg("--doc").arg(&json).arg("-o").arg(&out).output().unwrap();
    assert!(st.status.success());
    let st = Command::new(env!("CARGO_BIN_EXE_kehoach")).args(["review", "/nonexistent/plan.txt", "-o"]).arg(&out).output().unwrap();
    assert!(!st.status.success() && st.stdout.is_empty());
    assert!(String::from_utf8_lossy(&st.stderr).starts_with("kehoach: "));
}
