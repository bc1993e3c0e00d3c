//! Stage 1: bytes → [`SourceText`]. Detects the format and the text encoding.
//!
//! The source text is what spans point into: for text files it is the decoded file, for
//! PDF and DOCX the extracted text layer (with page starts for PDF).

pub mod docx;
pub mod legacy;
pub mod pdf;
mod pdf_layout;
pub mod text;

use crate::error::{Error, Result};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Largest input accepted, to bound memory per document.
pub const MAX_INPUT_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Pdf,
    Docx,
    Markdown,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Pdf => "pdf",
            Format::Docx => "docx",
            Format::Markdown => "markdown",
        }
    }
}

/// The decoded source document.
#[derive(Debug, Clone)]
pub struct SourceText {
    /// Path as given (or "-" for stdin).
    pub path: String,
    pub sha256: String,
    pub format: Format,
    /// Encoding that was detected, e.g. "utf-8", "utf-8-bom", "utf-16le".
    pub encoding: String,
    /// The text; NFC is not guaranteed here (normalization does it).
    pub text: String,
    /// Byte offsets in `text` where each page starts (PDF only; empty otherwise).
    pub page_starts: Vec<usize>,
}

impl SourceText {
    /// A source from text already in memory (tests, stdin).
    pub fn from_string(path: &str, text: &str) -> SourceText {
        SourceText {
            path: path.to_string(),
            sha256: sha256_hex(text.as_bytes()),
            format: text::sniff_text_format(text),
            encoding: "utf-8".into(),
            text: text.to_string(),
            page_starts: Vec::new(),
        }
    }

    /// 1-based page of a byte offset, when the source is paginated.
    pub fn page_of(&self, offset: usize) -> Option<usize> {
        if self.page_starts.is_empty() {
            return None;
        }
        Some(self.page_starts.partition_point(|&s| s <= offset).max(1))
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lowercase hex of `bytes`, by table: no formatter call per byte.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 15) as usize] as char);
    }
    out
}

/// Reads and decodes a file. `-` reads standard input.
pub fn read_path(path: &Path) -> Result<SourceText> {
    let shown = path.display().to_string();
    let bytes = if shown == "-" {
        let mut buf = Vec::new();
        use std::io::Read;
        std::io::stdin()
            .take(MAX_INPUT_BYTES + 1)
            .read_to_end(&mut buf)
            .map_err(|e| Error::Io { path: path.into(), source: e })?;
        buf
    } else {
        let meta = std::fs::metadata(path).map_err(|e| Error::Io { path: path.into(), source: e })?;
        if meta.is_dir() {
            return Err(Error::IsDirectory { path: path.into() });
        }
        if meta.len() > MAX_INPUT_BYTES {
            return Err(Error::TooLarge { path: path.into(), size: meta.len(), limit: MAX_INPUT_BYTES });
        }
        std::fs::read(path).map_err(|e| Error::Io { path: path.into(), source: e })?
    };
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(Error::TooLarge { path: path.into(), size: bytes.len() as u64, limit: MAX_INPUT_BYTES });
    }
    ingest_bytes(&shown, &bytes)
}

/// Decodes bytes whose origin is named `path` (used in errors and in `source.path`).
///
/// The format is sniffed from the bytes, not the file name: `%PDF-` in the first KiB is a
/// PDF, a zip archive is tried as DOCX, anything else is text in some encoding.
pub fn ingest_bytes(path: &str, bytes: &[u8]) -> Result<SourceText> {
    ingest_hashed(path, bytes, None)
}

/// [`ingest_bytes`] for a caller that has already hashed the bytes (`sha256`, as
/// [`sha256_hex`] gives it): the batch hashes each input for its resume state, and an
/// input is not hashed twice.
pub fn ingest_hashed(path: &str, bytes: &[u8], sha256: Option<String>) -> Result<SourceText> {
    let pb = PathBuf::from(path);
    if bytes.is_empty() {
        return Err(Error::Empty { path: pb });
    }
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(Error::TooLarge { path: pb, size: bytes.len() as u64, limit: MAX_INPUT_BYTES });
    }
    let head = &bytes[..bytes.len().min(1024)];
    if head.windows(5).any(|w| w == b"%PDF-") {
        return ingest_pdf(path, bytes, &pdf::PdfLimits::default());
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return ingest_docx(path, bytes, &docx::DocxLimits::default());
    }
    if bytes.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
        return Err(Error::Unsupported {
            path: pb,
            reason: "legacy Word .doc (or other OLE2) file: save it as .docx or PDF".into(),
        });
    }
    if bytes.starts_with(b"{\\rtf") {
        return Err(Error::Unsupported { path: pb, reason: "RTF file: save it as .docx or PDF".into() });
    }
    let sha256 = sha256.unwrap_or_else(|| sha256_hex(bytes));
    let (text, encoding) = text::decode(bytes).map_err(|reason| Error::Encoding { path: pb.clone(), reason })?;
    if text.trim().is_empty() {
        return Err(Error::Empty { path: pb });
    }
    Ok(SourceText {
        path: path.to_string(),
        sha256,
        format: text::sniff_text_format(&text),
        encoding,
        text,
        page_starts: Vec::new(),
    })
}

/// A PDF's text layer; pages are concatenated, each ending with a newline (or a space
/// where a paragraph runs on to the next page), and
/// `page_starts` records where each begins.
pub fn ingest_pdf(path: &str, bytes: &[u8], limits: &pdf::PdfLimits) -> Result<SourceText> {
    let pb = PathBuf::from(path);
    let pages = pdf::extract_pages(bytes, limits).map_err(|e| match e {
        pdf::PdfError::Encrypted => Error::Encrypted { path: pb.clone() },
        pdf::PdfError::NoText { .. } => Error::NeedsOcr { path: pb.clone() },
        pdf::PdfError::Corrupt(m) => Error::Corrupt { path: pb.clone(), reason: format!("corrupt or truncated PDF: {m}") },
        pdf::PdfError::Panic(m) => Error::Corrupt { path: pb.clone(), reason: format!("PDF parser failed on this file: {m}") },
        pdf::PdfError::Timeout(t) => {
            Error::Limit { path: pb.clone(), reason: format!("PDF parsing took longer than {} s; gave up", t.as_secs_f32()) }
        }
        pdf::PdfError::Bomb(m) => Error::Limit { path: pb.clone(), reason: format!("PDF decompression bomb: {m}") },
    })?;
    let mut text = String::new();
    let mut page_starts = Vec::with_capacity(pages.len());
    for p in &pages {
        page_starts.push(text.len());
        text.push_str(p);
        // A page ending in a space runs on to the next page (a paragraph cut by the break).
        if !text.ends_with('\n') && !text.ends_with(' ') {
            text.push('\n');
        }
    }
    let (text, encoding) = text::undo_mojibake_of_extracted(text);
    Ok(SourceText { path: path.to_string(), sha256: sha256_hex(bytes), format: Format::Pdf, encoding, text, page_starts })
}

/// A DOCX file's paragraphs and tables.
pub fn ingest_docx(path: &str, bytes: &[u8], limits: &docx::DocxLimits) -> Result<SourceText> {
    let pb = PathBuf::from(path);
    let text = match pdf::contain(|| docx::extract_text(bytes, limits)) {
        Ok(r) => r,
        Err(panic) => return Err(Error::Corrupt { path: pb, reason: format!("DOCX reader failed on this file: {panic}") }),
    }
    .map_err(|e| match e {
        docx::DocxError::NotDocx(m) => Error::Unsupported { path: pb.clone(), reason: m },
        docx::DocxError::Corrupt(m) => Error::Corrupt { path: pb.clone(), reason: format!("corrupt DOCX: {m}") },
        docx::DocxError::Bomb(m) => Error::Limit { path: pb.clone(), reason: format!("DOCX zip bomb: {m}") },
    })?;
    if text.trim().is_empty() {
        return Err(Error::Empty { path: pb });
    }
    let (text, encoding) = text::undo_mojibake_of_extracted(text);
    Ok(SourceText { path: path.to_string(), sha256: sha256_hex(bytes), format: Format::Docx, encoding, text, page_starts: Vec::new() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_formatted_hex() {
        let bytes: Vec<u8> = (0..=255).collect();
        let reference: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex(&bytes), reference);
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    /// The batch's path (hash given) gives the source `ingest_bytes` gives.
    #[test]
    fn ingest_hashed_is_ingest_bytes() {
        let mut inputs: Vec<Vec<u8>> = vec![b"\xEF\xBB\xBFK\xE1\xBA\xBF ho\xE1\xBA\xA1ch".to_vec(), b"K\xD5 ho\xB9ch".to_vec(), b"  \n".to_vec()];
        for dir in ["corpus", "fixtures/formats"] {
            for entry in std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(dir)).unwrap() {
                inputs.push(std::fs::read(entry.unwrap().path()).unwrap());
            }
        }
        for b in inputs {
            let slow = ingest_bytes("x", &b);
            let fast = ingest_hashed("x", &b, Some(sha256_hex(&b)));
            match (slow, fast) {
                (Ok(s), Ok(f)) => {
                    assert_eq!((&s.path, &s.sha256, s.format, &s.encoding, &s.text, &s.page_starts), (&f.path, &f.sha256, f.format, &f.encoding, &f.text, &f.page_starts));
                }
                (Err(s), Err(f)) => assert_eq!(s.to_string(), f.to_string()),
                (s, f) => panic!("{:?} vs {:?}", s.map(|x| x.encoding), f.map(|x| x.encoding)),
            }
        }
    }
}
