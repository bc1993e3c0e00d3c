//! Restoration speed: stripped and OCR'd text through the shipped model, and the time to
//! build the model. `cargo bench --bench restore`; target ≥ 1 MB/s on one core.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use kehoach::normalize::restore::{confusion_rules, eval, Channel, Model, TextKind, LEARNED_CHANNEL, TRAINING_TEXTS, WORD_LIST};

fn bench(c: &mut Criterion) {
    let model = Model::shipped();
    let stripped = kehoach::fold::strip_diacritics(&eval::normalized(TRAINING_TEXTS[0]));
    let ocr = include_str!("../fixtures/restore/ocr/004.ocr.txt");
    let mut g = c.benchmark_group("restore");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(stripped.len() as u64));
    g.bench_function("stripped", |b| b.iter(|| model.restore_text(&stripped, TextKind::Stripped)));
    g.throughput(Throughput::Bytes(ocr.len() as u64));
    g.bench_function("ocr", |b| b.iter(|| model.restore_text(ocr, TextKind::Ocr)));
    g.finish();
    let rules = confusion_rules();
    c.bench_function("restore/build_model", |b| {
        b.iter(|| Model::train(TRAINING_TEXTS, Some(WORD_LIST), Channel::from_tsv(LEARNED_CHANNEL, &rules), &rules))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
