//! PDF: the text layer, page by page, through `pdf-extract`.
//!
//! PDF parsers meet hostile input: `pdf-extract` and `lopdf` panic on many malformed
//! files, and a crafted file can make them loop or inflate a small stream into gigabytes.
//! So a document is parsed
//! * in its own thread, with `catch_unwind` (a panic becomes [`PdfError::Panic`]) and a
//!   wall-clock bound (the caller stops waiting after [`PdfLimits::time`]; the abandoned
//!   thread runs on to completion in the background);
//! * after a scan of the raw bytes that inflates every Flate stream with a cap
//!   ([`PdfLimits::max_stream_bytes`], [`PdfLimits::max_total_bytes`]), so a
//!   decompression bomb is refused before the parser allocates for it.
//!
//! Encrypted files that open with the empty user password (permission-only encryption,
//! common for government PDFs) are decrypted; others are [`PdfError::Encrypted`]. A file
//! with pages but (almost) no text is a scan: [`PdfError::NoText`].

use crate::ingest::pdf_layout::{self, Collector, PageContent};
use std::io::Read;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

/// Resource bounds for one PDF.
#[derive(Debug, Clone, Copy)]
pub struct PdfLimits {
    /// Wall-clock time for parsing and text extraction.
    pub time: Duration,
    /// Largest inflated size of one compressed stream.
    pub max_stream_bytes: u64,
    /// Largest inflated size of all compressed streams together.
    pub max_total_bytes: u64,
}

impl Default for PdfLimits {
    fn default() -> Self {
        PdfLimits {
            time: Duration::from_secs(60),
            max_stream_bytes: 128 << 20,
            max_total_bytes: 1 << 30,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PdfError {
    /// Needs a password we do not have.
    Encrypted,
    /// Pages without a text layer (scanned images).
    NoText { pages: usize },
    /// The parser rejected the file.
    Corrupt(String),
    /// The parser panicked; contained.
    Panic(String),
    /// Parsing took longer than [`PdfLimits::time`].
    Timeout(Duration),
    /// A stream inflates beyond the limits.
    Bomb(String),
}

/// Text of each page, in page order.
pub fn extract_pages(bytes: &[u8], limits: &PdfLimits) -> Result<Vec<String>, PdfError> {
    check_streams(bytes, limits)?;
    let owned = bytes.to_vec();
    let result = run_bounded(limits.time, move || extract_pages_unbounded(&owned))?;
    let pages = result?;
    let alnum: usize = pages.iter().map(|p| p.chars().filter(|c| c.is_alphanumeric()).count()).sum();
    if pages.is_empty() || alnum < 10 * pages.len().max(1) {
        return Err(PdfError::NoText { pages: pages.len() });
    }
    Ok(pages)
}

fn extract_pages_unbounded(bytes: &[u8]) -> Result<Vec<String>, PdfError> {
    let mut doc = lopdf::Document::load_mem(bytes).map_err(|e| classify(&e))?;
    if doc.is_encrypted() && doc.decrypt("").is_err() && !decrypt_tolerant(&mut doc) {
        return Err(PdfError::Encrypted);
    }
    // Positioned glyphs and rules of every page, then the layout (`pdf_layout`).
    // pdf-extract reads a page's fonts (ToUnicode maps: most of the time) afresh for every
    // page, so pages cost the same apart as together: runs of pages go to a few threads.
    // Each thread makes one call per page; a panic in one reaches `contain` through the
    // scope.
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(4).min(pages.len().div_ceil(4)).max(1);
    let per = pages.len().div_ceil(threads).max(1);
    let doc = &doc;
    let parts: Vec<Result<Vec<PageContent>, PdfError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = pages
            .chunks(per)
            .map(|chunk| {
                let work = move || -> Result<Vec<PageContent>, PdfError> {
                    let mut collector = Collector::default();
                    for &num in chunk {
                        pdf_extract::output_doc_page(doc, &mut collector, num)
                            .map_err(|e| PdfError::Corrupt(format!("page {num}: {}", one_line(&format!("{e:?}")))))?;
                    }
                    Ok(collector.pages)
                };
                std::thread::Builder::new().stack_size(256 << 20).spawn_scoped(scope, work)
            })
            .collect();
        handles
            .into_iter()
            .map(|h| match h {
                Ok(h) => h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)),
                Err(e) => Err(PdfError::Corrupt(format!("cannot start parser thread: {e}"))),
            })
            .collect()
    });
    let mut all = Vec::with_capacity(pages.len());
    for part in parts {
        all.extend(part?);
    }
    Ok(pdf_layout::pages_text(&all))
}

/// `Document::decrypt` with the empty password, but skipping objects that fail to
/// decrypt instead of giving up: lopdf stops at the first such object, and AES files
/// written by common tools contain some (cross-reference streams, which are never
/// encrypted). False when the empty password does not open the file.
fn decrypt_tolerant(doc: &mut lopdf::Document) -> bool {
    if doc.authenticate_password("").is_err() {
        return false;
    }
    let Ok(state) = lopdf::EncryptionState::decode(&*doc, "") else { return false };
    let encrypt_id = doc.trailer.get(b"Encrypt").and_then(lopdf::Object::as_reference).ok();
    for (&id, obj) in doc.objects.iter_mut() {
        if Some(id) != encrypt_id {
            let _ = lopdf::encryption::decrypt_object(&state, id, obj);
        }
    }
    let mut from_streams = Vec::new();
    for obj in doc.objects.values_mut() {
        if let Ok(stream) = obj.as_stream_mut() {
            if stream.dict.has_type(b"ObjStm") {
                if let Ok(os) = lopdf::ObjectStream::new(stream) {
                    from_streams.extend(os.objects);
                }
            }
        }
    }
    for (id, o) in from_streams {
        doc.objects.entry(id).or_insert(o);
    }
    doc.trailer.remove(b"Encrypt");
    if let Some(id) = encrypt_id {
        doc.objects.remove(&id);
    }
    true
}

fn classify(e: &lopdf::Error) -> PdfError {
    match e {
        lopdf::Error::Decryption(_) => PdfError::Encrypted,
        other => PdfError::Corrupt(one_line(&other.to_string())),
    }
}

fn one_line(s: &str) -> String {
    let mut t: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if t.len() > 200 {
        let cut = (0..=200).rev().find(|&i| t.is_char_boundary(i)).unwrap_or(0);
        t.truncate(cut);
        t.push('…');
    }
    t
}

/// Inflates every `stream … endstream` body that is zlib data, with caps, without
/// keeping the output. Linear in input plus (capped) output.
fn check_streams(bytes: &[u8], limits: &PdfLimits) -> Result<(), PdfError> {
    let mut total = 0u64;
    let mut pos = 0;
    let mut sink = [0u8; 64 * 1024];
    while let Some(i) = find(&bytes[pos..], b"stream") {
        let mut start = pos + i + b"stream".len();
        pos = start;
        // "endstream" also contains "stream": only a keyword followed by EOL opens a body.
        if bytes[..start].ends_with(b"endstream") {
            continue;
        }
        match bytes.get(start) {
            Some(b'\r') if bytes.get(start + 1) == Some(&b'\n') => start += 2,
            Some(b'\n') | Some(b'\r') => start += 1,
            _ => continue,
        }
        let body = &bytes[start..];
        if body.len() < 2 || !is_zlib_header(body[0], body[1]) {
            continue;
        }
        let mut dec = flate2::read::ZlibDecoder::new(body);
        let mut this = 0u64;
        loop {
            match dec.read(&mut sink) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    this += n as u64;
                    total += n as u64;
                    if this > limits.max_stream_bytes {
                        return Err(PdfError::Bomb(format!(
                            "a compressed stream at byte {start} inflates beyond {} MiB",
                            limits.max_stream_bytes >> 20
                        )));
                    }
                    if total > limits.max_total_bytes {
                        return Err(PdfError::Bomb(format!(
                            "compressed streams inflate beyond {} MiB in total",
                            limits.max_total_bytes >> 20
                        )));
                    }
                }
            }
        }
        pos = start + (dec.total_in() as usize).min(body.len());
    }
    Ok(())
}

fn is_zlib_header(cmf: u8, flg: u8) -> bool {
    cmf & 0x0f == 8 && (u16::from(cmf) << 8 | u16::from(flg)) % 31 == 0
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Number of contained regions running now; while it is non-zero the panic hook stays
/// silent, so a contained parser panic does not print a backtrace next to our one-line
/// error. (Parser panics may happen on helper threads, so this is process-wide.)
static CONTAINED: AtomicUsize = AtomicUsize::new(0);

fn install_quiet_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if CONTAINED.load(Ordering::SeqCst) == 0 {
                previous(info);
            } else {
                tracing::debug!("contained panic: {info}");
            }
        }));
    });
}

/// Runs `f` catching panics; the panic message becomes the error.
pub(crate) fn contain<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    install_quiet_hook();
    CONTAINED.fetch_add(1, Ordering::SeqCst);
    let r = catch_unwind(AssertUnwindSafe(f));
    CONTAINED.fetch_sub(1, Ordering::SeqCst);
    r.map_err(|payload| {
        let msg = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        one_line(&msg)
    })
}

/// Runs `f` on its own thread with panics contained and a time bound.
pub fn run_bounded<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> Result<T, PdfError> {
    let (tx, rx) = mpsc::sync_channel(1);
    let spawned = std::thread::Builder::new()
        .name("kehoach-pdf".into())
        // Deeply nested objects recurse in the parser: a large (lazily committed) stack.
        .stack_size(256 << 20)
        .spawn(move || {
            let _ = tx.send(contain(f));
        });
    if let Err(e) = spawned {
        return Err(PdfError::Corrupt(format!("cannot start parser thread: {e}")));
    }
    match rx.recv_timeout(limit) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(msg)) => Err(PdfError::Panic(msg)),
        Err(mpsc::RecvTimeoutError::Timeout) => Err(PdfError::Timeout(limit)),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(PdfError::Panic("parser thread died".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panics_are_contained() {
        let r = run_bounded(Duration::from_secs(5), || -> u32 { panic!("boom\nsecond line") });
        assert_eq!(r, Err(PdfError::Panic("boom second line".into())));
    }

    #[test]
    fn runaway_work_times_out() {
        let r = run_bounded(Duration::from_millis(50), || std::thread::sleep(Duration::from_secs(3)));
        assert_eq!(r, Err(PdfError::Timeout(Duration::from_millis(50))));
    }

    #[test]
    fn inflate_bomb_is_refused_before_parsing() {
        use std::io::Write;
        let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..40 {
            enc.write_all(&zeros).unwrap();
        }
        let body = enc.finish().unwrap();
        let mut pdf = b"%PDF-1.4\n1 0 obj\n<< /Length 0 /Filter /FlateDecode >>\nstream\n".to_vec();
        pdf.extend_from_slice(&body);
        pdf.extend_from_slice(b"\nendstream\nendobj\n%%EOF\n");
        let limits = PdfLimits { max_stream_bytes: 16 << 20, ..PdfLimits::default() };
        assert!(matches!(extract_pages(&pdf, &limits), Err(PdfError::Bomb(_))));
    }
}
