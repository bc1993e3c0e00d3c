//! Restoration speed: stripped and OCR'd text through the shipped model, the time to load
//! the stored model (`rules/restore/model.bin`) and, for comparison, to train it from the
//! shipped text. `cargo bench --bench restore`; target ≥ 1 MB/s on one core, load in a few ms.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use kehoach::normalize::restore::{confusion_rules, eval, Channel, Model, ModelData, TextKind, LEARNED_CHANNEL, MODEL_BYTES};

fn bench(c: &mut Criterion) {
    let model = Model::shipped();
    let stripped = kehoach::fold::strip_diacritics(&eval::normalized(kehoach::normalize::restore::TRAINING_TEXTS[0]));
    let ocr = include_str!("../fixtures/restore/ocr/004.ocr.txt");
    let mut g = c.benchmark_group("restore");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(stripped.len() as u64));
    g.bench_function("stripped", |b| b.iter(|| model.restore_text(&stripped, TextKind::Stripped)));
    g.throughput(Throughput::Bytes(ocr.len() as u64));
    g.bench_function("ocr", |b| b.iter(|| model.restore_text(ocr, TextKind::Ocr)));
    g.finish();
    let rules = confusion_rules();
    c.bench_function("restore/load_model", |b| {
        b.iter(|| Model::from_data(&ModelData::from_bytes(MODEL_BYTES).unwrap(), Channel::from_tsv(LEARNED_CHANNEL, &rules), &rules))
    });
    let mut g = c.benchmark_group("restore_train");
    g.sample_size(10);
    g.bench_function("train_model", |b| b.iter(ModelData::shipped_training));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
