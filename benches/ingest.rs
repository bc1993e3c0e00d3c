//! Ingest throughput: text decoding (UTF-8, TCVN3 detection) at growing sizes, to show
//! linear time, and the PDF/DOCX fixtures. `cargo bench --bench ingest`.

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
    for name in ["004.pdf", "004.docx", "000.pdf", "000.docx"] {
        let bytes = fixture(name);
        g.bench_function(name, |b| b.iter(|| ingest::ingest_bytes(name, &bytes).unwrap()));
    }
    g.finish();
}

criterion_group!(benches, text_sizes, documents);
criterion_main!(benches);
