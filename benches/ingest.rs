//! Ingest throughput: text decoding (UTF-8, TCVN3 detection) at growing sizes, to show
//! linear time, and the PDF/DOCX fixtures against `pdftotext -layout`.
//! `cargo bench --bench ingest -- 'ingest_document|pdftotext'`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use kehoach::ingest::{self, legacy};
use std::path::Path;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/formats").join(name)).unwrap()
}

fn text_sizes(c: &mut Criterion) {
    let para = String::from_utf8(fixture("enc_reference.txt")).unwrap();
    let mut g = c.benchmark_group("ingest_text");
    g.sample_size(10);
    for mb in [1usize, 4, 16] {
        let text = para.repeat(mb * (1 << 20) / para.len() + 1);
        let tcvn3 = legacy::encode_tcvn3(&text);
        let line = text.replace('\n', " ");
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_with_input(BenchmarkId::new("utf8", mb), &text, |b, t| b.iter(|| ingest::ingest_bytes("b", t.as_bytes()).unwrap()));
        g.bench_with_input(BenchmarkId::new("tcvn3", mb), &tcvn3, |b, t| b.iter(|| ingest::ingest_bytes("b", t).unwrap()));
        g.bench_with_input(BenchmarkId::new("one_line", mb), &line, |b, t| b.iter(|| ingest::ingest_bytes("b", t.as_bytes()).unwrap()));
    }
    g.finish();
}

fn documents(c: &mut Criterion) {
    let mut g = c.benchmark_group("ingest_document");
    g.sample_size(10);
    for name in ["000.pdf", "002.pdf", "003.pdf", "004.pdf", "004.docx", "000.docx"] {
        let bytes = fixture(name);
        g.bench_function(name, |b| b.iter(|| ingest::ingest_bytes(name, &bytes).unwrap()));
    }
    g.finish();
}

/// The yardstick of issue #8: `pdftotext -layout` on the same files (process start
/// included, as for the CLI). Skipped when poppler-utils is not installed.
fn pdftotext(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/formats");
    let run = |f: &Path| std::process::Command::new("pdftotext").arg("-layout").arg(f).arg("-").output();
    if run(&dir.join("002.pdf")).is_err() {
        eprintln!("pdftotext not found: skipping the comparison");
        return;
    }
    let mut g = c.benchmark_group("pdftotext_layout");
    g.sample_size(10);
    for name in ["000.pdf", "002.pdf", "003.pdf", "004.pdf"] {
        let path = dir.join(name);
        g.bench_function(name, |b| b.iter(|| run(&path).unwrap()));
    }
    g.finish();
}

criterion_group!(benches, text_sizes, documents, pdftotext);
criterion_main!(benches);
