//! Input formats: PDF, DOCX and text encodings, on fixtures made from the corpus.
//!
//! `fixtures/formats/{000,002,003,004}.{pdf,docx}` are LibreOffice renderings of the corpus
//! texts (`benches/make_format_fixtures.sh`; 004's TSV table becomes a real table), plus a
//! scanned page, and encrypted copies of 003.pdf. The `enc_*.txt` fixtures are one
//! paragraph of corpus text in each supported encoding, written by the ignored test
//! `regenerate_encoding_fixtures` below with the crate's own encoders (and checked here
//! in both directions).

use kehoach::fold::fold;
use kehoach::ingest::{self, legacy, Format, SourceText};
use kehoach::{Error, Options, Rules};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use unicode_normalization::UnicodeNormalization;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/formats").join(name)
}

fn corpus(prefix: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix) && p.extension().is_some_and(|e| e == "txt"))
        .unwrap()
}

fn read(path: &Path) -> SourceText {
    ingest::read_path(path).unwrap_or_else(|e| panic!("{e}"))
}

fn nfc(s: &str) -> String {
    s.nfc().collect()
}

// ---------------------------------------------------------------- encodings

/// (fixture, encoding reported, encoder)
fn encodings() -> Vec<(&'static str, &'static str, fn(&str) -> Vec<u8>)> {
    vec![
        ("enc_utf8_bom.txt", "utf-8-bom", |s| [b"\xEF\xBB\xBF".as_slice(), s.as_bytes()].concat()),
        ("enc_utf16le.txt", "utf-16le", |s| {
            let mut v = vec![0xFF, 0xFE];
            v.extend(s.encode_utf16().flat_map(u16::to_le_bytes));
            v
        }),
        ("enc_utf16be.txt", "utf-16be", |s| {
            let mut v = vec![0xFE, 0xFF];
            v.extend(s.encode_utf16().flat_map(u16::to_be_bytes));
            v
        }),
        ("enc_nfd.txt", "utf-8-nfd", |s| s.nfd().collect::<String>().into_bytes()),
        ("enc_windows1258.txt", "windows-1258", legacy::encode_windows1258),
        ("enc_tcvn3.txt", "tcvn3", legacy::encode_tcvn3),
        ("enc_vni.txt", "vni", legacy::encode_vni),
        // A legacy-font text that went through a Windows-1252 → UTF-8 conversion.
        ("enc_tcvn3_as_utf8.txt", "utf-8+tcvn3", |s| {
            encoding_rs::WINDOWS_1252.decode_without_bom_handling(&legacy::encode_tcvn3(s)).0.into_owned().into_bytes()
        }),
        ("enc_vni_as_utf8.txt", "utf-8+vni", |s| {
            encoding_rs::WINDOWS_1252.decode_without_bom_handling(&legacy::encode_vni(s)).0.into_owned().into_bytes()
        }),
    ]
}

fn reference_paragraph() -> String {
    std::fs::read_to_string(fixture("enc_reference.txt")).unwrap()
}

#[test]
#[ignore = "writes fixtures/formats/enc_*.txt; run after changing the encoders"]
fn regenerate_encoding_fixtures() {
    // The plan header and objectives of 004 (before its table): capitals with tones,
    // numbers, dates, punctuation.
    let text = std::fs::read_to_string(corpus("004_")).unwrap();
    let para: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).take(24).collect();
    let para = nfc(&(para.join("\n") + "\n"));
    std::fs::write(fixture("enc_reference.txt"), &para).unwrap();
    for (name, _, encode) in encodings() {
        std::fs::write(fixture(name), encode(&para)).unwrap();
    }
}

#[test]
fn every_encoding_fixture_decodes_to_the_reference() {
    let reference = reference_paragraph();
    assert!(reference.contains("KẾ HOẠCH") && reference.contains("Ủy ban") || reference.contains("UBND"));
    for (name, want, encode) in encodings() {
        let bytes = std::fs::read(fixture(name)).unwrap();
        // The committed fixture is what our encoder writes: the tables are stable.
        assert_eq!(bytes, encode(&reference), "{name}: fixture differs from the encoder's output");
        assert!(!bytes.contains(&b'?') || reference.contains('?'), "{name}: unencodable chars");
        let src = read(&fixture(name));
        assert_eq!(src.encoding, want, "{name}");
        assert_eq!(nfc(&src.text), reference, "{name}: round trip");
    }
}

#[test]
fn plain_utf8_is_utf8() {
    let src = read(&fixture("enc_reference.txt"));
    assert_eq!(src.encoding, "utf-8");
    assert_eq!(src.format, Format::Text);
}

#[test]
fn nfd_input_normalizes_like_nfc() {
    let rules = Rules::embedded();
    let a = kehoach::analyze(&read(&fixture("enc_nfd.txt")), rules, &Options::default()).0;
    let b = kehoach::analyze(&read(&fixture("enc_reference.txt")), rules, &Options::default()).0;
    assert_eq!(a.text, b.text);
}

#[test]
fn legacy_text_is_not_mistaken_for_another_legacy_encoding() {
    // Each legacy fixture decoded under the other tables scores lower.
    let reference = reference_paragraph();
    for (name, enc) in [("enc_tcvn3.txt", legacy::Legacy::Tcvn3), ("enc_vni.txt", legacy::Legacy::Vni), ("enc_windows1258.txt", legacy::Legacy::Windows1258)] {
        let bytes = std::fs::read(fixture(name)).unwrap();
        let right = legacy::vietnamese_score(&enc.decode(&bytes));
        for other in [legacy::Legacy::Tcvn3, legacy::Legacy::Vni, legacy::Legacy::Windows1258] {
            if other != enc {
                assert!(legacy::vietnamese_score(&other.decode(&bytes)) < right, "{name} as {other:?}");
            }
        }
        assert_eq!(legacy::vietnamese_score(&reference), right, "{name}");
    }
}

// ---------------------------------------------------------------- PDF

#[test]
fn pdf_keeps_pages() {
    let src = read(&fixture("003.pdf"));
    assert_eq!(src.format, Format::Pdf);
    assert_eq!(src.page_starts.len(), 7, "pdfinfo says 7 pages");
    assert_eq!(src.page_starts[0], 0);
    assert!(src.page_starts.windows(2).all(|w| w[0] < w[1]));
    // The title is on page 1 and the closing "Nơi nhận" on the last page.
    let title = src.text.find("KẾ HOẠCH").unwrap();
    assert_eq!(src.page_of(title), Some(1));
    let last = src.text.rfind("Nơi nhận").unwrap();
    assert_eq!(src.page_of(last), Some(7));
    // Spans of normalized text carry the page.
    let norm = kehoach::analyze(&src, Rules::embedded(), &Options::default()).0;
    let at = norm.text.rfind("Nơi nhận").unwrap();
    assert_eq!(norm.span(at, at + 4).page, Some(7));
    // Text sources have no pages.
    assert_eq!(read(&corpus("003_")).page_of(0), None);
}

#[test]
fn scanned_pdf_needs_ocr() {
    let err = ingest::read_path(&fixture("scanned.pdf")).unwrap_err();
    assert!(matches!(err, Error::NeedsOcr { .. }), "{err}");
    assert!(err.to_string().contains("OCR"));
    assert_eq!(err.exit_code(), 6);
}

#[test]
fn encrypted_pdfs() {
    let err = ingest::read_path(&fixture("encrypted_password.pdf")).unwrap_err();
    assert!(matches!(err, Error::Encrypted { .. }), "{err}");
    assert!(err.to_string().contains("encrypted_password.pdf: encrypted"));
    // Owner-password-only (permission) encryption opens like the plain file.
    let owner = read(&fixture("encrypted_owner_only.pdf"));
    assert_eq!(owner.text, read(&fixture("003.pdf")).text);
}

#[test]
fn truncated_and_corrupt_pdfs_are_errors() {
    let bytes = std::fs::read(fixture("003.pdf")).unwrap();
    for cut in [100, bytes.len() / 3, bytes.len() / 2, bytes.len() - 200] {
        match ingest::ingest_bytes("cut.pdf", &bytes[..cut]) {
            Err(Error::Corrupt { .. } | Error::NeedsOcr { .. }) => {}
            // A cut past all page content may still parse through xref recovery.
            Ok(src) => assert!(cut > bytes.len() / 2, "cut at {cut} parsed: {}", src.text.len()),
            Err(e) => panic!("cut at {cut}: unexpected {e}"),
        }
    }
    let mut flipped = bytes.clone();
    for i in (200..flipped.len()).step_by(97) {
        flipped[i] ^= 0x5a;
    }
    let r = ingest::ingest_bytes("flipped.pdf", &flipped);
    assert!(matches!(r, Err(Error::Corrupt { .. } | Error::NeedsOcr { .. }) | Ok(_)));
    let err = ingest::ingest_bytes("junk.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage").unwrap_err();
    assert!(err.to_string().starts_with("junk.pdf: corrupt or truncated PDF"), "{err}");
}

// ---------------------------------------------------------------- DOCX

#[test]
fn docx_tables_keep_their_rows() {
    let src = read(&fixture("004.docx"));
    assert_eq!(src.format, Format::Docx);
    let text_version = std::fs::read_to_string(corpus("004_")).unwrap();
    let want: Vec<&str> = text_version.lines().filter(|l| l.matches('\t').count() >= 2).collect();
    let got: Vec<&str> = src.text.lines().filter(|l| l.matches('\t').count() >= 2).collect();
    assert_eq!(got.len(), 20);
    assert_eq!(got, want.iter().map(|l| l.trim_end()).collect::<Vec<_>>());
}

#[test]
fn docx_zip_bomb_is_refused() {
    use std::io::Write;
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        w.start_file("word/document.xml", opts).unwrap();
        let zeros = vec![b' '; 1 << 20];
        for _ in 0..80 {
            w.write_all(&zeros).unwrap();
        }
        w.finish().unwrap();
    }
    let bytes = buf.into_inner();
    assert!(bytes.len() < 1 << 20, "a small file");
    let err = ingest::ingest_bytes("bomb.docx", &bytes).unwrap_err();
    assert!(matches!(err, Error::Limit { .. }), "{err}");
    assert_eq!(err.exit_code(), 7);
}

// ---------------------------------------------------------------- same plan, any format

/// F1 of two multisets of strings, compared on folded keys; 1.0 when both are empty.
fn f1(a: &[String], b: &[String]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let mut counts: HashMap<String, i64> = HashMap::new();
    for s in a {
        *counts.entry(fold(s)).or_default() += 1;
    }
    let mut hit = 0;
    for s in b {
        if let Some(c) = counts.get_mut(&fold(s)).filter(|c| **c > 0) {
            *c -= 1;
            hit += 1;
        }
    }
    if hit == 0 {
        return 0.0;
    }
    let p = hit as f64 / b.len() as f64;
    let r = hit as f64 / a.len() as f64;
    2.0 * p * r / (p + r)
}

fn extract(path: &Path) -> kehoach::Document {
    kehoach::extract_path(path, Rules::embedded(), &Options::default()).unwrap_or_else(|e| panic!("{e}"))
}

/// The PDF and DOCX renderings give the same document as the text version: metadata,
/// and tasks and indicators within F1 0.02 (measured on folded text).
#[test]
fn renderings_extract_like_the_text_version() {
    for id in ["000", "002", "003", "004"] {
        let text = extract(&corpus(&format!("{id}_")));
        for ext in ["pdf", "docx"] {
            let doc = extract(&fixture(&format!("{id}.{ext}")));
            assert_eq!(doc.source.format, ext);
            assert_eq!(doc.document.number, text.document.number, "{id}.{ext} number");
            assert_eq!(doc.document.date, text.document.date, "{id}.{ext} date");
            assert_eq!(doc.document.doc_type, text.document.doc_type, "{id}.{ext} doc_type");
            let tasks = |d: &kehoach::Document| d.tasks.iter().map(|t| t.text.clone()).collect::<Vec<_>>();
            let inds = |d: &kehoach::Document| d.indicators.iter().map(|t| t.name.clone()).collect::<Vec<_>>();
            let ft = f1(&tasks(&text), &tasks(&doc));
            let fi = f1(&inds(&text), &inds(&doc));
            eprintln!(
                "{id}.{ext}: tasks {}/{} F1 {ft:.3}, indicators {}/{} F1 {fi:.3}",
                doc.tasks.len(),
                text.tasks.len(),
                doc.indicators.len(),
                text.indicators.len()
            );
            assert!(ft >= 0.98, "{id}.{ext}: task F1 {ft:.3}");
            assert!(fi >= 0.98, "{id}.{ext}: indicator F1 {fi:.3}");
        }
    }
}

/// The normalized text of every rendering is the text version's, line for line: DOCX
/// keeps the paragraphs; in the PDFs, lines wrapped by the layout are rejoined (paragraph
/// spacing, right margin) and 004's ruled table comes back as TSV rows.
#[test]
fn renderings_normalize_like_the_text_version() {
    let rules = Rules::embedded();
    for id in ["000", "002", "003", "004"] {
        let exts = ["pdf", "docx"];
        let text = kehoach::analyze(&read(&corpus(&format!("{id}_"))), rules, &Options::default()).0;
        for ext in exts {
            let other = kehoach::analyze(&read(&fixture(&format!("{id}.{ext}"))), rules, &Options::default()).0;
            let a: Vec<&str> = text.text.lines().map(str::trim).collect();
            let b: Vec<&str> = other.text.lines().map(str::trim).collect();
            assert_eq!(a, b, "{id}.{ext}");
        }
    }
}

/// A ruled PDF table whose cells wrap inside their columns gives one TSV line per row,
/// the text version's rows, empty cells included; a word broken at a cell border
/// ("HĐND&UBN" / "D") is whole again.
#[test]
fn pdf_ruled_tables_keep_their_rows() {
    let src = read(&fixture("004.pdf"));
    let text_version = std::fs::read_to_string(corpus("004_")).unwrap();
    let want: Vec<&str> = text_version.lines().filter(|l| l.matches('\t').count() >= 2).map(str::trim_end).collect();
    let got: Vec<&str> = src.text.lines().filter(|l| l.matches('\t').count() >= 2).collect();
    assert_eq!(got.len(), 20);
    assert_eq!(got, want);
    // The rows keep their page: the table starts on page 2 of this rendering.
    let first_row = src.text.find("\n1\tTỷ lệ thông tin").unwrap() + 1;
    assert_eq!(src.page_of(first_row), Some(2));
}

#[test]
fn word_text_with_tsv_and_latex_is_markdown() {
    let src = read(&corpus("004_"));
    assert_eq!(src.format, Format::Markdown);
    assert_eq!(read(&corpus("003_")).format, Format::Text);
}

/// A Word file whose runs are set in a TCVN3 font (.VnTime): the XML holds the
/// Windows-1252 reading of the legacy bytes, which is converted.
#[test]
fn docx_in_a_legacy_font_is_converted() {
    use std::io::Write;
    let reference = reference_paragraph();
    let mojibake = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&legacy::encode_tcvn3(&reference)).0.into_owned();
    let mut body = String::new();
    for line in mojibake.lines() {
        let esc = line.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
        body.push_str(&format!("<w:p><w:r><w:rPr><w:rFonts w:ascii=\".VnTime\"/></w:rPr><w:t xml:space=\"preserve\">{esc}</w:t></w:r></w:p>"));
    }
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
    );
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut buf);
        w.start_file("word/document.xml", zip::write::SimpleFileOptions::default()).unwrap();
        w.write_all(xml.as_bytes()).unwrap();
        w.finish().unwrap();
    }
    let src = ingest::ingest_bytes("vntime.docx", &buf.into_inner()).unwrap();
    assert_eq!(src.format, Format::Docx);
    assert_eq!(src.encoding, "tcvn3");
    assert_eq!(nfc(&src.text), reference);
}
