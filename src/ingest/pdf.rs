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
    let pages = doc.get_pages();
    let mut out = Vec::with_capacity(pages.len());
    for &num in pages.keys() {
        let fail = |e: pdf_extract::OutputError| PdfError::Corrupt(format!("page {num}: {}", one_line(&format!("{e:?}"))));
        // Pass 1: the page's vertical rules (table borders); pass 2: the text.
        let mut rules = Rules::default();
        pdf_extract::output_doc_page(&doc, &mut rules, num).map_err(fail)?;
        let mut sink = LayoutText { rules: rules.rules, ..LayoutText::default() };
        pdf_extract::output_doc_page(&doc, &mut sink, num).map_err(fail)?;
        out.push(sink.text);
    }
    Ok(out)
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

/// Vertical rules drawn on a page (table cell borders): (x, y_top, y_bottom) with y
/// growing downwards.
#[derive(Default)]
struct Rules {
    page_height: f64,
    rules: Vec<(f64, f64, f64)>,
}

impl Rules {
    fn add_path(&mut self, ctm: &pdf_extract::Transform, path: &pdf_extract::Path) {
        use pdf_extract::PathOp;
        let at = |x: f64, y: f64| (x * ctm.m11 + y * ctm.m21 + ctm.m31, self.page_height - (x * ctm.m12 + y * ctm.m22 + ctm.m32));
        let segment = |(x0, y0): (f64, f64), (x1, y1): (f64, f64), rules: &mut Vec<(f64, f64, f64)>| {
            // A vertical line, or a thin tall rectangle drawn as a line.
            if (x1 - x0).abs() < 2.0 && (y1 - y0).abs() > 4.0 && rules.len() < 100_000 {
                rules.push(((x0 + x1) / 2.0, y0.min(y1), y0.max(y1)));
            }
        };
        let mut current = None;
        for op in &path.ops {
            match *op {
                PathOp::MoveTo(x, y) => current = Some(at(x, y)),
                PathOp::LineTo(x, y) => {
                    let p = at(x, y);
                    if let Some(c) = current {
                        segment(c, p, &mut self.rules);
                    }
                    current = Some(p);
                }
                PathOp::Rect(x, y, w, h) => {
                    let (a, b) = (at(x, y), at(x + w, y + h));
                    if (b.0 - a.0).abs() < 2.0 {
                        segment(a, (a.0, b.1), &mut self.rules);
                    } else {
                        segment(a, (a.0, b.1), &mut self.rules);
                        segment((b.0, a.1), b, &mut self.rules);
                    }
                }
                PathOp::CurveTo(.., x, y) => current = Some(at(x, y)),
                PathOp::Close => {}
            }
        }
    }
}

impl pdf_extract::OutputDev for Rules {
    fn begin_page(&mut self, _: u32, media_box: &pdf_extract::MediaBox, _: Option<(f64, f64, f64, f64)>) -> Result<(), pdf_extract::OutputError> {
        self.page_height = media_box.ury - media_box.lly;
        Ok(())
    }
    fn end_page(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
    fn output_character(&mut self, _: &pdf_extract::Transform, _: f64, _: f64, _: f64, _: &str) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
    fn begin_word(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
    fn end_word(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
    fn end_line(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
    fn stroke(
        &mut self,
        ctm: &pdf_extract::Transform,
        _: &pdf_extract::ColorSpace,
        _: &[f64],
        path: &pdf_extract::Path,
    ) -> Result<(), pdf_extract::OutputError> {
        self.add_path(ctm, path);
        Ok(())
    }
    fn fill(
        &mut self,
        ctm: &pdf_extract::Transform,
        _: &pdf_extract::ColorSpace,
        _: &[f64],
        path: &pdf_extract::Path,
    ) -> Result<(), pdf_extract::OutputError> {
        self.add_path(ctm, path);
        Ok(())
    }
}

/// Plain text from positioned glyphs: pdf-extract's `PlainTextOutput` rules (a new line
/// when the baseline moves, a space for a gap between glyphs), plus one for tables: a gap
/// on the same line that crosses a vertical rule (a cell border), or is wider than
/// [`CELL_GAP`] em, starts a new line, so table cells come out one per line as in
/// `pdftotext` dumps instead of run together with spaces.
#[derive(Default)]
struct LayoutText {
    text: String,
    rules: Vec<(f64, f64, f64)>,
    page_height: f64,
    last_end: f64,
    last_y: f64,
    first_char: bool,
}

impl LayoutText {
    fn crosses_rule(&self, x0: f64, x1: f64, y: f64, size: f64) -> bool {
        self.rules.iter().any(|&(rx, top, bottom)| rx > x0 && rx < x1 && y >= top - size * 0.2 && y - size * 0.5 <= bottom)
    }
}

/// Horizontal gap, in font sizes, that separates table cells rather than words.
const CELL_GAP: f64 = 1.0;

impl pdf_extract::OutputDev for LayoutText {
    fn begin_page(
        &mut self,
        _page: u32,
        media_box: &pdf_extract::MediaBox,
        _art_box: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), pdf_extract::OutputError> {
        self.page_height = media_box.ury - media_box.lly;
        self.last_end = 100_000.0;
        Ok(())
    }
    fn end_page(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
    fn output_character(
        &mut self,
        trm: &pdf_extract::Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        ch: &str,
    ) -> Result<(), pdf_extract::OutputError> {
        // Position on a page with y growing downwards; font size after the text matrix.
        let (x, y) = (trm.m31, self.page_height - trm.m32);
        let size = ((font_size * (trm.m11 + trm.m21)) * (font_size * (trm.m12 + trm.m22))).abs().sqrt();
        // Checked at every glyph, not only where pdf-extract starts a word: one TJ array can
        // span several table cells.
        if !self.text.is_empty() {
            let dy = (y - self.last_y).abs();
            if dy > size * 1.5 || (x < self.last_end && dy > size * 0.5) {
                self.text.push('\n');
            } else if dy <= size * 0.5
                && x > self.last_end
                && (x > self.last_end + size * CELL_GAP || self.crosses_rule(self.last_end, x, y, size))
            {
                self.text.push('\n');
            } else if x > self.last_end + size * 0.1 {
                self.text.push(' ');
            }
        }
        self.text.push_str(ch);
        self.first_char = false;
        self.last_y = y;
        self.last_end = x + width * size;
        Ok(())
    }
    fn begin_word(&mut self) -> Result<(), pdf_extract::OutputError> {
        self.first_char = true;
        Ok(())
    }
    fn end_word(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
    fn end_line(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
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
